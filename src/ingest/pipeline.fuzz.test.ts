/**
 * Bad input never crashes an import and is never silently dropped (issue 2, item 4): a valid export
 * damaged at random — bytes inserted (quotes, delimiters, line breaks, NUL, half a UTF-8 or GBK
 * character, a byte-order mark), ranges deleted or repeated, the file cut short — either imports
 * with every row it read accounted for (imported, updated, stale, duplicate or rejected) or stops
 * with recur's own error (file, reason, in both languages), never with a TypeError or a hang.
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
});
