import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { expect, test } from "vitest";
import { InputError } from "../domain/index.ts";
import { DEFAULT_LIMITS } from "./limits.ts";
import { fileAccessError, openSource } from "./open.ts";
import { loadProfile } from "./profile/load.ts";
import { MemoryStore } from "./testing/fakes.ts";
import { importInto, SYNTH_HEADER, synthRow, tempDir } from "./testing/files.ts";

const dir = tempDir("recur-open-");

test("a workbook is read as a workbook, though the profile says CSV and the name ends in .csv", async () => {
  const path = join(dir, "导出.csv");
  const workbook = new ExcelJS.Workbook();
  workbook.addWorksheet("警情").addRow(["接警单号", "报警时间"]);
  await workbook.xlsx.writeFile(path);
  const profile = await loadProfile("synthetic");
  expect(profile.input?.format).toBe("csv");
  const source = await openSource(path, profile, DEFAULT_LIMITS);
  expect(source.encoding).toBe("xlsx");
  expect(source.header).toEqual(["接警单号", "报警时间"]);
});

test("a legacy Excel file is named as one, whatever its name, instead of being read as garbled text", async () => {
  const path = join(dir, "导出.csv");
  // The first bytes of an OLE2 compound file, as Excel 97–2003 writes .xls.
  writeFileSync(
    path,
    Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]),
  );
  await expect(openSource(path, await loadProfile("synthetic"), DEFAULT_LIMITS)).rejects.toMatchObject({
    code: "xls_unsupported",
    messages: { zh: expect.stringContaining("另存为 .xlsx 或 CSV") },
  });
});

test("an export saved as Excel's tab-separated Unicode text, or with semicolons, reads with a profile written for its CSV", async () => {
  const profile = await loadProfile("synthetic");
  expect(profile.input?.delimiter).toBe(",");
  const header = SYNTH_HEADER.split(",");
  const row = synthRow({ 接警单号: "T1" }).split(",");
  const utf16 = join(dir, "导出.txt");
  writeFileSync(
    utf16,
    Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(`${header.join("\t")}\r\n${row.join("\t")}\r\n`, "utf16le"),
    ]),
  );
  const semicolons = join(dir, "导出-分号.csv");
  writeFileSync(semicolons, `${header.join(";")}\n${row.join(";")}\n`);
  for (const path of [utf16, semicolons]) {
    const source = await openSource(path, profile, DEFAULT_LIMITS);
    expect(source.header).toEqual(header);
    const records = [];
    for await (const batch of source.batches) records.push(...batch);
    expect(records.map((r) => r.cells)).toEqual([row]);
  }
});

test("a header that fits no delimiter is read with the profile's, and the mapper names the missing columns", async () => {
  const path = join(dir, "别的系统.csv");
  writeFileSync(path, "编号\t时间\n1\t2\n");
  const source = await openSource(path, await loadProfile("synthetic"), DEFAULT_LIMITS);
  expect(source.header).toEqual(["编号\t时间"]);
});

test("text with an Excel name is read as the text it is; an HTML table with one is named as such", async () => {
  const profile = await loadProfile("synthetic");
  const text = `${SYNTH_HEADER}\n${synthRow({ 接警单号: "X1" })}\n`;
  for (const name of ["导出.xls", "导出.xlsx"]) {
    const path = join(dir, name);
    writeFileSync(path, text);
    const source = await openSource(path, profile, DEFAULT_LIMITS);
    expect(source.header).toEqual(SYNTH_HEADER.split(","));
  }
  const html = join(dir, "网页导出.xls");
  writeFileSync(
    html,
    '<html><head><meta charset="utf-8"></head><body><table><tr><td>接警单号</td></tr></table></body></html>',
  );
  await expect(openSource(html, profile, DEFAULT_LIMITS)).rejects.toMatchObject({
    code: "html_unsupported",
    messages: { zh: expect.stringContaining("HTML 表格") },
  });
});

test("a title above the header (a report's name, a date range, a blank row) is found and left out; data rows count from the header", async () => {
  const profile = await loadProfile("synthetic");
  const row = synthRow({ 接警单号: "T9" });
  const path = join(dir, "带标题.csv");
  writeFileSync(path, `2024年5月警情登记表,,,\n导出时间：2024-06-01,,,\n\n${SYNTH_HEADER}\n${row}\n`);
  const source = await openSource(path, profile, DEFAULT_LIMITS);
  expect(source.header).toEqual(SYNTH_HEADER.split(","));
  const records = [];
  for await (const batch of source.batches) records.push(...batch);
  expect(records.map((r) => [r.row, r.cells[0]])).toEqual([[1, "T9"]]);
  expect(source.titleRows).toBeGreaterThanOrEqual(2);

  const xlsx = join(dir, "带标题.xlsx");
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet("警情");
  sheet.addRow(["2024年5月警情登记表"]);
  sheet.mergeCells("A1:T1");
  sheet.addRow(SYNTH_HEADER.split(","));
  // The last cells empty: Excel stores the row shorter than the header.
  sheet.addRow(row.split(",").slice(0, 18));
  await workbook.xlsx.writeFile(xlsx);
  const fromXlsx = await openSource(xlsx, profile, DEFAULT_LIMITS);
  expect(fromXlsx.header).toEqual(SYNTH_HEADER.split(","));
  const xlsxRecords = [];
  for await (const batch of fromXlsx.batches) xlsxRecords.push(...batch);
  expect(xlsxRecords.map((r) => [r.row, r.cells.length, r.cells[0]])).toEqual([[1, 20, "T9"]]);
  expect(fromXlsx.titleRows).toBe(1);
});

test("without the profile's columns in the first rows, the file is read as it is", async () => {
  const path = join(dir, "无表头.csv");
  writeFileSync(path, "甲,乙\n1,2\n3,4\n");
  const source = await openSource(path, await loadProfile("synthetic"), DEFAULT_LIMITS);
  expect(source.header).toEqual(["甲", "乙"]);
  const records = [];
  for await (const batch of source.batches) records.push(...batch);
  expect(records.map((r) => r.cells)).toEqual([
    ["1", "2"],
    ["3", "4"],
  ]);
});

const systemError = (code: string) => Object.assign(new Error(`${code}: from the file system`), { code });

test.each([
  ["ENOENT", "file_not_found", "文件 5月.csv 已不存在", "the file 5月.csv is no longer there"],
  ["ENOTDIR", "file_not_found", "文件 5月.csv 已不存在", "the file 5月.csv is no longer there"],
  ["EISDIR", "not_a_file", "5月.csv 现在是一个目录", "5月.csv is a directory now, not a file"],
  ["EACCES", "file_unreadable", "无权读取文件 5月.csv", "no permission to read the file 5月.csv"],
  ["EPERM", "file_unreadable", "无权读取文件 5月.csv", "no permission to read the file 5月.csv"],
])("a file %s when it is opened is an InputError naming it in both languages", (code, recurCode, zh, en) => {
  const error = fileAccessError(systemError(code), "5月.csv");
  expect(error).toBeInstanceOf(InputError);
  expect(error).toMatchObject({ code: recurCode });
  expect((error as InputError).messages.zh).toContain(zh);
  expect((error as InputError).messages.en).toContain(en);
});

test("any other error opening a file is given back as it is", () => {
  for (const error of [systemError("EIO"), systemError("EMFILE"), new TypeError("a bug"), "text"])
    expect(fileAccessError(error, "5月.csv")).toBe(error);
});

test("an import of a file gone or replaced by a folder is a clear error, not the file system's", async () => {
  const folder = join(dir, "replaced.csv");
  mkdirSync(folder);
  await expect(importInto(new MemoryStore(), folder, "synthetic")).rejects.toMatchObject({
    code: "not_a_file",
    messages: { en: expect.stringContaining("replaced.csv is a directory now") },
  });
  await expect(importInto(new MemoryStore(), join(dir, "gone.csv"), "synthetic")).rejects.toMatchObject({
    code: "file_not_found",
    messages: { zh: expect.stringContaining("文件 gone.csv 已不存在") },
  });
});
