import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import ExcelJS from "exceljs";
import iconv from "iconv-lite";
import { describe, expect, test } from "vitest";
import { browserAvailable, shot, useDemoBrowser } from "./harness.ts";

/**
 * The import wizard in a real browser (Debian's Chromium driven by playwright-core) against
 * `recur demo` with a small city: a GBK export with headers no bundled profile knows is uploaded,
 * its columns mapped in the wizard (some by the suggestions, some by hand), checked, saved as a
 * profile, imported with a progress bar and a report, and its rejected rows downloaded.
 * Screenshots go to test-artifacts/ (gitignored).
 */

/** A 110 export as a small system might write it: GBK, headers of its own, dates in Chinese. */
const HEADER = [
  "案件流水号",
  "呼入时间",
  "调派时间",
  "抵达时间",
  "办结时间",
  "报警类型",
  "事发地址",
  "来电号码",
  "简要情况",
  "受理单位",
  "报警人",
];
/** The export; `later`: exported again after call 2 was recoded (its category changed). */
function exportCsv(later = false): Buffer {
  const kinds = ["邻里纠纷", "噪音扰民投诉", "盗窃", "XYZ类", "交通事故"];
  const lines = [HEADER.join(",")];
  for (let i = 1; i <= 12; i++) {
    const day = 1 + (i % 9);
    const received =
      i === 5 ? "时间不详" : `2024年5月${day}日 ${8 + (i % 10)}:${String(10 + i).padStart(2, "0")}`;
    lines.push(
      [
        `WZ-2024-${String(i).padStart(4, "0")}`,
        received,
        `2024年5月${day}日 ${8 + (i % 10)}:${String(12 + i).padStart(2, "0")}`,
        `2024年5月${day}日 ${8 + (i % 10)}:${String(30 + i).padStart(2, "0")}`,
        `2024年5月${day}日 ${9 + (i % 10)}:${String(10 + i).padStart(2, "0")}`,
        later && i === 2 ? "交通事故" : kinds[i % kinds.length]!,
        `澜江市江北区幸福路${i}号${i % 3}栋`,
        `1390000${String(1000 + i)}`,
        i === 3 ? '=HYPERLINK("x") 报警人称邻居吵闹，回拨13912345678' : `报警人称第${i}次发生，现场已处置`,
        i % 2 ? "江北派出所" : "城南派出所",
        `王${i}`,
      ].join(","),
    );
  }
  return iconv.encode(`${lines.join("\r\n")}\r\n`, "gbk");
}

describe.skipIf(!browserAvailable)("import wizard in Chromium", { timeout: 120_000 }, () => {
  const ui = useDemoBrowser({ name: "import", incidents: 1500, timeoutMs: 180_000 });

  test("an unknown GBK export is mapped in the wizard, checked, saved, imported, reported and its rejected rows downloaded", async () => {
    const errors: string[] = [];
    const page = await ui.newPage(errors);
    await ui.login(page, "analyst");
    const file = join(ui.dir, "wz-110-export.csv");
    await writeFile(file, exportCsv());
    await page.goto(`${ui.base}/#/import`);
    await page.waitForSelector('main[data-ready="import"]');
    expect(await page.getAttribute("ol.steps li.current", "aria-current")).toBe("step");

    // 1. Upload: encoding detected, preview masked.
    await page.setInputFiles("#wizard-file", file);
    await page.click("#wizard-upload");
    await page.waitForSelector("#wizard-preview");
    expect(await page.textContent("#wizard-encoding")).toBe("gb18030");
    const preview = (await page.textContent("#wizard-preview")) ?? "";
    expect(preview).toContain("2024年5月2日");
    expect(preview).not.toContain("13900001001");
    expect(preview).not.toContain("13912345678");
    expect(preview).toContain("〔手机号〕");
    expect(preview).toContain("王＊＊");
    await shot(page, "import-1-upload");

    // 2. Mapping: suggestions from headers and values; the rest by hand with the keyboard.
    await page.click("#wizard-next-1");
    await page.waitForSelector("table.mapping");
    const target = (column: string) => page.locator(`select[data-column="${column}"]`);
    expect(await target("案件流水号").inputValue()).toBe("sourceId");
    expect(await target("呼入时间").inputValue()).toBe("receivedAt");
    expect(await target("来电号码").inputValue()).toBe("caller");
    expect(await target("报警类型").inputValue()).toBe("category");
    expect(await target("报警人").isDisabled()).toBe(true);
    expect(await page.locator("#fmt-1").inputValue()).toBe("YYYY年M月D日 H:mm");
    await target("受理单位").focus();
    await target("受理单位").selectOption("station");
    await target("简要情况").selectOption("narrative");
    await page.fill("#wizard-name", "wz-110");
    await page.fill("#wizard-source", "wz-jjxt");
    await page.fill("#wizard-description", "某区 110 接处警系统导出（GBK）");
    await page.selectOption("#wizard-tz", "Asia/Shanghai");
    // Category code list: 邻里纠纷 is known, 噪音扰民投诉 guessed, XYZ类 mapped by hand.
    await page.waitForSelector('#wizard-categories select[data-value="XYZ类"]');
    expect(await page.locator('#wizard-categories select[data-value="噪音扰民投诉"]').inputValue()).toBe(
      "public_order.noise",
    );
    await page.selectOption('#wizard-categories select[data-value="XYZ类"]', "help.locked_out");
    await shot(page, "import-2-mapping");
    await page.click("#wizard-next-2");

    // 3. Preview and check: mapped rows and per-row issues, nothing stored yet.
    await page.waitForSelector("#wizard-import", { timeout: 30_000 });
    const check = (await page.textContent("#wizard-check")) ?? "";
    expect(check).toContain("WZ-2024-0001");
    expect(check).toContain("江北派出所");
    expect(check).toContain("开锁");
    expect(check).not.toContain("13912345678");
    expect(await page.locator("#wizard-check .sev-error").count()).toBe(1);
    await page.click("#wizard-save");
    await page.waitForSelector("#wizard-save-msg.okmsg");
    expect(await page.textContent("#wizard-save-msg")).toContain("wz-110");
    await shot(page, "import-3-check");

    // 4. Import with progress, report, rejected rows.
    await page.click("#wizard-import");
    await page.waitForSelector("#wizard-report", { timeout: 60_000 });
    const report = (await page.textContent("#wizard-report")) ?? "";
    expect(report).toContain("wz-110-export.csv");
    expect(await page.textContent("#wizard-report .fig-imported .v")).toBe("11");
    expect(await page.textContent("#wizard-report .fig-rejectedDone .v")).toBe("1");
    expect(report).toContain("bad_time");
    expect(await page.getAttribute("#wizard-progress", "value")).toBe("100");
    await shot(page, "import-4-report");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click("#wizard-download-rejected"),
    ]);
    const saved = join(ui.dir, "rejected.csv");
    await download.saveAs(saved);
    const csv = await readFile(saved, "utf8");
    expect(csv).toContain("WZ-2024-0005");
    expect(csv).toContain("时间不详");
    expect(csv.split("\r\n")[0]).toContain("案件流水号");

    // The saved profile appears on the profiles page and can be opened.
    await page.goto(`${ui.base}/#/profiles`);
    await page.waitForSelector('main[data-ready="profiles"]');
    expect(await page.textContent("#saved-profiles")).toContain("wz-110");
    expect(await page.textContent("#saved-profiles")).toContain("某区 110 接处警系统导出");
    await page.click('button[aria-label="编辑 wz-110"]');
    await page.waitForSelector("#profile-json");
    expect(await page.inputValue("#profile-json")).toContain('"sourceSystem": "wz-jjxt"');
    await shot(page, "import-5-profiles");
    expect(errors).toEqual([]);
  });

  test("the wizard speaks English and a saved profile is reused for the next file", async () => {
    const errors: string[] = [];
    const page = await ui.newPage(errors);
    await page.addInitScript(() => localStorage.setItem("recur.lang", "en"));
    await ui.login(page, "analyst");
    const file = join(ui.dir, "wz-110-again.csv");
    await writeFile(file, exportCsv());
    await page.goto(`${ui.base}/#/import`);
    await page.waitForSelector('main[data-ready="import"]');
    expect(await page.textContent("main h1")).toBe("Import call records");
    await page.setInputFiles("#wizard-file", file);
    await page.click("#wizard-upload");
    await page.waitForSelector("#wizard-preview");
    // A wrong encoding garbles the header; detection is one choice away, without a new upload.
    await page.selectOption("#wizard-encoding-choice", "utf8");
    await page.waitForFunction(() => document.querySelector("#wizard-encoding")?.textContent === "utf8");
    expect(await page.textContent("#wizard-preview table")).not.toContain("案件流水号");
    await page.selectOption("#wizard-encoding-choice", "auto");
    await page.waitForFunction(() => document.querySelector("#wizard-encoding")?.textContent === "gb18030");
    expect(await page.textContent("#wizard-preview table")).toContain("案件流水号");
    await page.click("#wizard-next-1");
    await page.check("#wizard-mode-saved");
    await page.selectOption("#wizard-saved", { label: "wz-110 — 某区 110 接处警系统导出（GBK）" });
    await page.click("#wizard-next-2");
    await page.waitForSelector("#wizard-import", { timeout: 30_000 });
    expect(await page.textContent("#wizard-check .fig-duplicates .v")).toBe("11");
    await page.click("#wizard-import");
    await page.waitForSelector("#wizard-report", { timeout: 60_000 });
    expect(await page.textContent("#wizard-report .fig-imported .v")).toBe("0");
    expect(await page.textContent("#wizard-report .fig-duplicates .v")).toBe("11");
    await shot(page, "import-6-english-duplicates");

    // The same export again, call 2 recoded since: it updates the stored call, the rest are duplicates.
    const later = join(ui.dir, "wz-110-later.csv");
    await writeFile(later, exportCsv(true));
    await page.reload();
    await page.waitForSelector('main[data-ready="import"]');
    await page.setInputFiles("#wizard-file", later);
    await page.click("#wizard-upload");
    await page.waitForSelector("#wizard-preview");
    await page.click("#wizard-next-1");
    await page.check("#wizard-mode-saved");
    await page.selectOption("#wizard-saved", { label: "wz-110 — 某区 110 接处警系统导出（GBK）" });
    await page.click("#wizard-next-2");
    await page.waitForSelector("#wizard-import", { timeout: 30_000 });
    expect(await page.textContent("#wizard-check .fig-updated .v")).toBe("1");
    expect(await page.textContent("#wizard-check .fig-duplicates .v")).toBe("10");
    await page.click("#wizard-import");
    await page.waitForSelector("#wizard-report", { timeout: 60_000 });
    expect(await page.textContent("#wizard-report .fig-updated .v")).toBe("1");
    expect(await page.textContent("#wizard-report .fig-imported .v")).toBe("0");
    await shot(page, "import-6b-english-later-export");
    expect(errors).toEqual([]);
  });
  test("an Excel file with a notes sheet first: the data sheet is picked and mapped", async () => {
    const errors: string[] = [];
    const page = await ui.newPage(errors);
    await ui.login(page, "analyst");
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet("填表说明").addRow(["本表由接处警系统导出，请勿修改表头"]);
    const sheet = wb.addWorksheet("警情明细");
    sheet.addRow(HEADER);
    const lines = iconv.decode(exportCsv(), "gbk").trim().split("\r\n").slice(1, 4);
    for (const line of lines) sheet.addRow(line.split(","));
    const file = join(ui.dir, "export.xlsx");
    await writeFile(file, Buffer.from(await wb.xlsx.writeBuffer()));
    await page.goto(`${ui.base}/#/import`);
    await page.waitForSelector('main[data-ready="import"]');
    await page.setInputFiles("#wizard-file", file);
    await page.click("#wizard-upload");
    await page.waitForSelector("#wizard-sheet");
    // The sheet is read again on the server: wait for that answer itself (a CI run under load once
    // took more than the default 30 s), and fail with its status if it is not a preview.
    const reread = page.waitForResponse(
      (r) => r.url().endsWith("/preview") && r.request().method() === "POST",
      { timeout: 90_000 },
    );
    await page.selectOption("#wizard-sheet", "警情明细");
    expect((await reread).status()).toBe(200);
    await page.waitForFunction(
      () => document.querySelector("#wizard-preview table")?.textContent?.includes("案件流水号"),
      undefined,
      { timeout: 10_000 },
    );
    await shot(page, "import-7-xlsx-sheet");
    await page.click("#wizard-next-1");
    expect(await page.locator('select[data-column="呼入时间"]').inputValue()).toBe("receivedAt");
    expect(errors).toEqual([]);
  });

  test("an Excel export with a title row and its query above the header is mapped on the found header and imported", async () => {
    const errors: string[] = [];
    const page = await ui.newPage(errors);
    await ui.login(page, "analyst");
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet("警情登记");
    sheet.addRow(["2024年5月澜江市江北区警情登记表"]);
    sheet.mergeCells(1, 1, 1, HEADER.length);
    sheet.addRow(["查询条件：接警时间 2024-05-01 至 2024-05-31，单位 江北分局"]);
    sheet.addRow(HEADER);
    const lines = iconv.decode(exportCsv(), "gbk").trim().split("\r\n").slice(1);
    for (const line of lines) sheet.addRow(line.replace(/^WZ-/, "TT-").split(","));
    const file = join(ui.dir, "titled.xlsx");
    await writeFile(file, Buffer.from(await wb.xlsx.writeBuffer()));
    await page.goto(`${ui.base}/#/import`);
    await page.waitForSelector('main[data-ready="import"]');
    await page.setInputFiles("#wizard-file", file);
    await page.click("#wizard-upload");
    await page.waitForSelector("#wizard-header-row");
    // The header was found on the third row: the title is not a column and the header not a record.
    expect(await page.inputValue("#wizard-header-row")).toBe("3");
    expect(await page.textContent("#wizard-preview thead")).toContain("案件流水号");
    expect(await page.textContent("#wizard-preview tbody")).not.toContain("案件流水号");
    expect(await page.textContent("#wizard-preview tbody")).toContain("TT-2024-0001");
    await shot(page, "import-8-title-row");
    await page.click("#wizard-next-1");
    await page.waitForSelector("table.mapping");
    const target = (column: string) => page.locator(`select[data-column="${column}"]`);
    expect(await target("呼入时间").inputValue()).toBe("receivedAt");
    // As a department, a column no code list knows: its values are listed as unmapped.
    await target("受理单位").selectOption("department");
    await page.fill("#wizard-name", "wz-titled");
    await page.fill("#wizard-source", "wz-titled");
    await page.selectOption("#wizard-tz", "Asia/Shanghai");
    await page.waitForSelector('#wizard-categories select[data-value="XYZ类"]');
    await page.click("#wizard-next-2");
    await page.waitForSelector("#wizard-import", { timeout: 30_000 });
    expect(await page.textContent("#wizard-check .fig-rows .v")).toBe("12");
    // The issue names the file's column; rows count from the header.
    const bad = page.locator("#wizard-check tr", { has: page.locator(".sev-error") });
    expect(await bad.locator("td").nth(0).textContent()).toBe("5");
    expect(await bad.locator("td").nth(1).textContent()).toBe("呼入时间");
    const unmapped = (await page.textContent("#wizard-check .wizard-unmapped")) ?? "";
    expect(unmapped).toContain("XYZ类");
    expect(unmapped).toContain("江北派出所");
    expect(unmapped).toContain("城南派出所");
    await shot(page, "import-9-title-row-check");
    await page.click("#wizard-import");
    await page.waitForSelector("#wizard-report", { timeout: 60_000 });
    expect(await page.textContent("#wizard-report .fig-imported .v")).toBe("11");
    expect(await page.textContent("#wizard-report .fig-rejectedDone .v")).toBe("1");
    expect(await page.textContent("#wizard-report .wizard-unmapped")).toContain("XYZ类");
    expect(await page.textContent("#wizard-title-rows")).toBe("2");
    await shot(page, "import-10-title-row-report");
    expect(errors).toEqual([]);
  });
});
