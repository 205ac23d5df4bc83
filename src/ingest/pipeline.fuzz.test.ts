/**
 * Bad input never crashes an import and is never silently dropped (issue 2, item 4): a valid export
 * damaged at random — bytes inserted (quotes, delimiters, line breaks, NUL, half a UTF-8 or GBK
 * character, a byte-order mark), ranges deleted or repeated, the file cut short — either imports
 * with every row it read accounted for (imported, updated, stale, duplicate or rejected) or stops
 * with recur's own error (file, reason, in both languages), never with a TypeError or a hang. The
 * same for a workbook whose sheet XML, or whose zip, is damaged.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import iconv from "iconv-lite";
import Papa from "papaparse";
import { describe, expect, test } from "vitest";
import { isRecurError } from "../domain/index.ts";
import { loadProfile, parseProfile } from "./profile/load.ts";
import { MemoryStore } from "./testing/fakes.ts";
import { importInto, SYNTH_HEADER, synthRow, tempDir } from "./testing/files.ts";
import { oneSheetWorkbook, XLSX_MAIN } from "./testing/zip.ts";

const dir = tempDir("recur-fuzz-");

/** A clean export of a few calls: repeated and quoted cells, an ID and a phone in a narrative. */
const rows = [
  synthRow({ 接警单号: "F1" }),
  synthRow({ 接警单号: "F2", 简要案情: '报警人称"楼上漏水"，联系电话13812345678，身份证330106199001011234' }),
  synthRow({ 接警单号: "F3", 发生地址: "红星路88号阳光小区3栋2单元501-1", 到场时间: "" }),
  synthRow({ 接警单号: "F3", 反馈内容: "已调解，双方和解" }),
  synthRow({ 接警单号: "F4", 报警时间: "2024/5/1 8:00" }),
  synthRow({ 接警单号: "F5", 警情类别: "求助", 警情细类: "" }),
  synthRow({ 接警单号: "F6", 经度: "120.1", 纬度: "30.2", 坐标系: "GCJ02" }),
  synthRow({ 接警单号: "F7", 简要案情: "多行\n案情，含逗号" }),
];
const text = `${[SYNTH_HEADER, ...rows].join("\r\n")}\r\n`;
const BASES = {
  utf8: Buffer.from(text, "utf8"),
  gbk: iconv.encode(text, "gbk"),
  // The same calls as JSON lines, keyed by the same column names.
  jsonl: Buffer.from(
    rows
      .map((row) => {
        const cells = Papa.parse<string[]>(row).data[0] ?? [];
        return JSON.stringify(
          Object.fromEntries(SYNTH_HEADER.split(",").map((name, i) => [name, cells[i] ?? ""])),
        );
      })
      .join("\n"),
    "utf8",
  ),
};

/** The same calls as a workbook of inline strings (one sheet), its parts as Excel names them. */
const escapeXml = (t: string) => t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const column = (i: number) => String.fromCharCode(65 + i);
const SHEET_XML = Buffer.from(
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="${XLSX_MAIN}"><sheetData>${[
    SYNTH_HEADER.split(","),
    ...rows.map((row) => Papa.parse<string[]>(row).data[0] ?? []),
  ]
    .map(
      (cells, r) =>
        `<row r="${r + 1}">${cells
          .map((c, i) => `<c r="${column(i)}${r + 1}" t="inlineStr"><is><t>${escapeXml(c)}</t></is></c>`)
          .join("")}</row>`,
    )
    .join("\n")}</sheetData></worksheet>`,
  "utf8",
);
function workbook(sheet: Buffer): Buffer {
  return oneSheetWorkbook(sheet);
}

/**
 * recur's own errors a damaged file may stop with: its header or structure is gone. Any other
 * code (an internal error wrapped as recur's) fails the property, as a TypeError does.
 */
const EXPECTED_STOPS = new Set([
  "missing_columns",
  "ambiguous_columns",
  "bad_header",
  "empty_file",
  "xlsx_invalid",
  "xlsx_empty_sheet",
  "xlsx_no_sheet",
]);

/** The synthetic profile reading JSON lines. */
const jsonlProfile = loadProfile("synthetic").then((p) =>
  parseProfile({ ...p, input: { ...p.input, format: "jsonl" } }, "synthetic-jsonl"),
);

/** Bytes that break text files in interesting ways. */
const NASTY = [
  [0x22], // "
  [0x2c], // ,
  [0x0d], // CR
  [0x0a], // LF
  [0x00], // NUL
  [0x09], // tab
  [0xe4, 0xb8], // half of a UTF-8 character
  [0xb0], // half of a GBK character
  [0xef, 0xbb, 0xbf], // a byte-order mark in the middle
  [0xff, 0xfe], // a UTF-16 byte-order mark
  [0x7b, 0x22], // {"
  [0x5c], // backslash
  [0x3c], // <
  [0x3e], // >
  [0x26], // &
  [0x3c, 0x2f], // </
];

type Damage =
  | { readonly kind: "insert"; readonly at: number; readonly bytes: readonly number[] }
  | { readonly kind: "delete"; readonly at: number; readonly length: number }
  | { readonly kind: "repeat"; readonly at: number; readonly length: number }
  | { readonly kind: "cut"; readonly at: number };

const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    bytes: fc.constantFrom(...NASTY),
  }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant("repeat" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
);

function damaged(base: Buffer, damages: readonly Damage[]): Buffer {
  let bytes = base;
  for (const d of damages) {
    const at = bytes.length === 0 ? 0 : d.at % bytes.length;
    if (d.kind === "insert")
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(d.bytes), bytes.subarray(at)]);
    else if (d.kind === "delete")
      bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + d.length)]);
    else if (d.kind === "repeat")
      bytes = Buffer.concat([bytes.subarray(0, at + d.length), bytes.subarray(at)]);
    else bytes = bytes.subarray(0, at);
  }
  return bytes;
}

describe("a damaged export", { timeout: 120_000 }, () => {
  let n = 0;
  test.each(Object.keys(BASES) as (keyof typeof BASES)[])(
    "(%s) imports with every row accounted for, or stops with recur's own error",
    async (base) => {
      const outcomes = { imported: 0, failed: 0 };
      await fc.assert(
        fc.asyncProperty(fc.array(damage, { minLength: 1, maxLength: 6 }), async (damages) => {
          const path = join(dir, `damaged-${n++}.${base === "jsonl" ? "jsonl" : "csv"}`);
          writeFileSync(path, damaged(BASES[base], damages));
          const store = new MemoryStore();
          try {
            const s = await importInto(store, path, base === "jsonl" ? await jsonlProfile : "synthetic");
            expect(s.imported + s.updated + s.stale + s.duplicates + s.rejected).toBe(s.rows);
            expect(store.incidents.size).toBe(s.imported);
            outcomes.imported++;
          } catch (error) {
            // recur's own error: a code and a message in both languages, never a crash.
            if (!isRecurError(error)) throw error;
            expect(EXPECTED_STOPS, error.code).toContain(error.code);
            expect(error.messages.zh.length).toBeGreaterThan(0);
            expect(error.messages.en.length).toBeGreaterThan(0);
            outcomes.failed++;
          }
        }),
        { seed: 11, numRuns: 250 },
      );
      // Most damaged files still import (the damage stays in a few rows): the property looked at both.
      expect(outcomes.imported).toBeGreaterThan(outcomes.failed);
    },
  );

  /** Imports a damaged workbook: every row accounted for, or one of recur's expected stops. */
  const importWorkbook = async (bytes: Buffer, outcomes: { imported: number; failed: number }) => {
    const path = join(dir, `damaged-${n++}.xlsx`);
    writeFileSync(path, bytes);
    const store = new MemoryStore();
    try {
      const s = await importInto(store, path, "synthetic");
      expect(s.imported + s.updated + s.stale + s.duplicates + s.rejected).toBe(s.rows);
      expect(store.incidents.size).toBe(s.imported);
      outcomes.imported++;
    } catch (error) {
      if (!isRecurError(error)) throw error;
      expect(EXPECTED_STOPS, error.code).toContain(error.code);
      expect(error.messages.zh.length).toBeGreaterThan(0);
      expect(error.messages.en.length).toBeGreaterThan(0);
      outcomes.failed++;
    }
  };

  test("(xlsx) a workbook whose sheet XML is damaged imports with every row accounted for, or stops with recur's own error", async () => {
    expect((await importInto(new MemoryStore(), writeWorkbook(SHEET_XML), "synthetic")).rows).toBe(
      rows.length,
    );
    const outcomes = { imported: 0, failed: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(damage, { minLength: 1, maxLength: 4 }), (damages) =>
        importWorkbook(workbook(damaged(SHEET_XML, damages)), outcomes),
      ),
      { seed: 13, numRuns: 150 },
    );
    // Both outcomes were looked at (a damaged tag may leave the sheet unreadable).
    expect(outcomes.imported).toBeGreaterThan(0);
    expect(outcomes.failed).toBeGreaterThan(0);
  });

  test("(xlsx) a damaged workbook file (its zip) never crashes the import", async () => {
    const outcomes = { imported: 0, failed: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(damage, { minLength: 1, maxLength: 3 }), (damages) =>
        importWorkbook(damaged(workbook(SHEET_XML), damages), outcomes),
      ),
      { seed: 17, numRuns: 100 },
    );
    expect(outcomes.failed).toBeGreaterThan(0);
  });

  function writeWorkbook(sheet: Buffer): string {
    const path = join(dir, `clean-${n++}.xlsx`);
    writeFileSync(path, workbook(sheet));
    return path;
  }
});
