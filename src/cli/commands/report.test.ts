import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, expect, test } from "vitest";
import { makeIncident } from "../../../test/builders.ts";
import { asBatchId, asEpochMs, asUnitCode, type Incident } from "../../domain/index.ts";
import { openStore } from "../../store/index.ts";
import { runCli } from "../testing.ts";
import { findCjkFont } from "./report.ts";

const dir = mkdtempSync(join(tmpdir(), "recur-report-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const db = join(dir, "r.db");
const BATCH = asBatchId("report-batch");

beforeAll(async () => {
  const rows: Incident[] = [];
  for (let k = 0; k < 40; k++)
    rows.push(
      makeIncident({
        sourceId: `R${k}`,
        batchId: BATCH,
        receivedAt: asEpochMs(Date.UTC(2024, k % 2 ? 4 : 3, 1 + (k % 27), k % 24)),
        dispatchedAt: asEpochMs(Date.UTC(2024, k % 2 ? 4 : 3, 1 + (k % 27), k % 24, 1)),
        // A unit code that a spreadsheet would run as a formula if it were not escaped.
        stationUnit: asUnitCode(k % 3 ? "S1" : '=HYPERLINK("http://evil","x")'),
        category: k % 4 ? "dispute" : "traffic",
        lat: 31.23 + (k % 5) * 0.0005,
        lon: 121.47,
      }),
    );
  const store = await openStore({ path: db });
  const writer = await store.beginBatch({
    id: BATCH,
    sourceSystem: "test",
    profile: "t",
    fileName: "t",
    fileSha256: "aa".repeat(32),
    startedAt: 0,
  });
  await writer.insertIncidents(rows);
  await writer.commit({ rows: 40, imported: 40, rejected: 0, duplicates: 0, finishedAt: 1 });
  await store.close();
});

async function recur(args: string[], lang: "zh" | "en" = "zh") {
  const { code, out, err } = await runCli(args, { cwd: dir, lang });
  return { code, stdout: out, stderr: err };
}

test("recur report monthly writes an Excel workbook with escaped text", async () => {
  const out = join(dir, "m.xlsx");
  const { code, stderr } = await recur(["report", "monthly", "--month", "2024-05", "--out", out, "--db", db]);
  expect(stderr).toBe("");
  expect(code).toBe(0);
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(out);
  // Sheet names cannot hold * (Excel), so the hot spot sheet's title is cleaned.
  expect(book.worksheets.map((w) => w.name)).toEqual([
    "概要",
    "分类别警情",
    "单位排名",
    "热点网格（H3，Gi ）",
    "上升的单位与类别",
  ]);
  const ranking = book.getWorksheet("单位排名")!;
  const units = ranking.getColumn(2).values.slice(2);
  expect(units).toContain('\'=HYPERLINK("http://evil","x")');
  expect(units).toContain("S1");
  expect(ranking.getRow(1).getCell(3).value).toBe("警情数");
  const counts = ranking.getColumn(3).values.slice(2) as number[];
  expect(counts.reduce((a, b) => a + b, 0)).toBe(20);
  const header = ranking.getRow(1).values as string[];
  expect(header).toEqual(
    expect.arrayContaining(["3分钟派警", "5分钟派警", "案事件化解率", "验证有效率", "数据质量"]),
  );
});

test("--with-repeats fills the repeat rate from the repeat engine run now (no series stored: null without it)", async () => {
  const read = async (out: string) => {
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(out);
    const ranking = book.getWorksheet("单位排名")!;
    const column = (ranking.getRow(1).values as string[]).indexOf("重复警情率");
    return ranking.getColumn(column).values.slice(2);
  };
  const plain = join(dir, "plain.xlsx");
  const withRepeats = join(dir, "repeats.xlsx");
  expect((await recur(["report", "monthly", "--month", "2024-05", "--out", plain, "--db", db])).code).toBe(0);
  expect(
    (
      await recur([
        "report",
        "monthly",
        "--month",
        "2024-05",
        "--out",
        withRepeats,
        "--db",
        db,
        "--with-repeats",
      ])
    ).code,
  ).toBe(0);
  expect((await read(plain)).every((v) => v === null || v === undefined)).toBe(true);
  expect((await read(withRepeats)).every((v) => typeof v === "number")).toBe(true);
});

test("recur indicators prints the month from the rollups, and a rebuild gives the same figures", async () => {
  const before = await recur(["indicators", "monthly", "--month", "2024-05", "--db", db, "--json"]);
  expect(before.code).toBe(0);
  const report = JSON.parse(before.stdout) as {
    all: { total: number; vsPrevious: { previous: number }; dispatchWithin: Record<string, number> };
    units: { unit: string; total: number }[];
  };
  expect(report.all.total).toBe(20);
  expect(report.all.vsPrevious.previous).toBe(20);
  // Every incident of the fixture is dispatched exactly one minute after it is received.
  expect(report.all.dispatchWithin["1"]).toBe(1);
  expect(report.units.find((u) => u.unit === "S1")?.total).toBe(13);
  const rebuilt = await recur(["indicators", "rebuild", "--db", db, "--json"]);
  expect(rebuilt.code).toBe(0);
  expect(JSON.parse(rebuilt.stdout)).toMatchObject({ incidents: 40 });
  const after = await recur(["indicators", "monthly", "--month", "2024-05", "--db", db, "--json"]);
  expect(after.stdout).toBe(before.stdout);
  const table = await recur(["indicators", "weekly", "--week", "2024-W18", "--db", db], "en");
  expect(table.code).toBe(0);
  expect(table.stdout).toContain("verified effective");
});

test.skipIf(!findCjkFont(process.env))(
  "recur report monthly writes a PDF with charts and an embedded CJK font (skipped without a CJK font)",
  async () => {
    const out = join(dir, "m.pdf");
    const { code } = await recur(["report", "monthly", "--month", "2024-05", "--out", out, "--db", db]);
    expect(code).toBe(0);
    const bytes = readFileSync(out);
    expect(bytes.subarray(0, 5).toString()).toBe("%PDF-");
    const text = bytes.toString("latin1");
    expect(text).toMatch(/FontFile|CIDFontType/);
    expect(text).toContain("/Type /Page");
  },
);

test("an English PDF does not need a CJK font", async () => {
  const out = join(dir, "w.pdf");
  const { code } = await recur(
    ["report", "weekly", "--week", "2024-W18", "--out", out, "--db", db, "--lang", "en"],
    "en",
  );
  expect(code).toBe(0);
  expect(readFileSync(out).subarray(0, 5).toString()).toBe("%PDF-");
});

test("a missing database is an error, not a new empty store", async () => {
  const { code, stderr } = await recur(
    ["report", "monthly", "--month", "2024-05", "--out", join(dir, "n.xlsx"), "--db", join(dir, "none.db")],
    "en",
  );
  expect(code).toBe(1);
  expect(stderr).toContain("no database at");
});

test.each([
  [["report", "monthly", "--out", "x.xlsx"], "--month"],
  [["report", "monthly", "--month", "2024-13", "--out", "x.xlsx"], "2024-13"],
  [["report", "monthly", "--month", "2024-05", "--out", "x.docx"], ".xlsx"],
  [["report", "yearly", "--out", "x.xlsx"], "monthly"],
])("usage mistakes exit with 2 (%#)", async (args, text) => {
  const { code, stderr } = await recur(args, "en");
  expect(code).toBe(2);
  expect(stderr).toContain(text);
});
