import { writeFileSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { expect, test } from "vitest";
import { DEFAULT_LIMITS } from "./limits.ts";
import { openSource } from "./open.ts";
import { loadProfile } from "./profile/load.ts";
import { tempDir } from "./testing/files.ts";

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
