import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { browserAvailable, ready, shot, useDemoBrowser } from "./harness.ts";

/**
 * The dashboard in a real browser (Debian's Chromium driven by playwright-core) against `recur
 * demo` with a small demo city. Screenshots go to test-artifacts/ (gitignored) for a human look.
 */

describe.skipIf(!browserAvailable)("dashboard in Chromium", { timeout: 60_000 }, () => {
  const ui = useDemoBrowser({
    name: "dashboard",
    incidents: 3000,
    // A local boundaries file for the offline map (RECUR_BOUNDARIES): one square around the city.
    env: async (dir) => {
      const boundaries = join(dir, "areas.geojson");
      const square = [
        [119, 29],
        [122, 29],
        [122, 32],
        [119, 32],
        [119, 29],
      ];
      const geometry = { type: "Polygon", coordinates: [square] };
      const feature = { type: "Feature", properties: { name: "demo" }, geometry };
      await writeFile(boundaries, JSON.stringify({ type: "FeatureCollection", features: [feature] }));
      return { RECUR_BOUNDARIES: boundaries };
    },
  });

  test("an analyst logs in and sees the overview, in Chinese, within 2 seconds", async () => {
    const errors: string[] = [];
    const page = await ui.newPage(errors);
    await ui.login(page, "analyst");
    // A cold load of the page in a new tab (scripts, ECharts, API), session kept.
    const fresh = await page.context().newPage();
    fresh.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    const t0 = Date.now();
    await fresh.goto(`${ui.base}/#/overview`);
    await ready(fresh, "overview");
    await fresh.waitForFunction(() => document.querySelectorAll("main canvas").length >= 3);
    const ms = Date.now() - t0;
    console.log(`overview interactive in ${ms} ms (3,000 incidents)`);
    expect(ms).toBeLessThan(2000);
    expect(await fresh.textContent("header nav")).toContain("概览");
    expect(await fresh.textContent("main")).toMatch(/近 30 日[\s\S]*较上期/);
    await shot(fresh, "01-overview-zh");
    expect(errors).toEqual([]);
  });

  test("a repeat series opens with its explanation, map and calls, and a case is created and worked to verification", async () => {
    const errors: string[] = [];
    const page = await ui.newPage(errors);
    await ui.login(page, "analyst");
    await page.goto(`${ui.base}/#/series`);
    await ready(page, "series");
    await shot(page, "02-series-list");
    const boundariesLoaded = page.waitForResponse(
      (r) => r.url().endsWith("/api/v1/dashboard/boundaries") && r.status() === 200,
    );
    await page.click(".vlist .vrow:not(.vhead) >> nth=0");
    await ready(page, "series-detail");
    await page.waitForSelector(".mapbox canvas");
    // The map draws the local boundaries offline.
    expect((await (await boundariesLoaded).json()).features).toHaveLength(1);
    expect((await page.textContent(".explain"))?.length ?? 0).toBeGreaterThan(10);
    expect(await page.locator("table tbody tr").count()).toBeGreaterThan(0);
    await shot(page, "03-series-detail");
    await page.click("#create-case");
    await ready(page, "case-detail");
    const state = async () => page.textContent("#case-state");
    expect(await state()).toBe("待分派");
    await page.click('form[data-action="assign"] button');
    await page.waitForFunction(() => document.querySelector("#case-state")?.textContent === "已分派");
    await page.click('form[data-action="start"] button');
    await page.waitForFunction(() => document.querySelector("#case-state")?.textContent === "处置中");
    await page.fill('form[data-action="record"] input[name=text]', "走访双方，约定晚十点后不再施工");
    await page.click('form[data-action="record"] button');
    await page.waitForSelector("text=走访双方");
    await page.click('form[data-action="resolve"] button');
    await page.waitForFunction(() => document.querySelector("#case-state")?.textContent === "已化解");
    await page.click('form[data-action="verify"] button');
    await page.waitForFunction(() => document.querySelector("#case-state")?.textContent === "效果核验中");
    await page.waitForSelector(".chart canvas");
    await shot(page, "04-case-detail");
    await page.goto(`${ui.base}/#/cases`);
    await ready(page, "cases");
    expect(await page.locator(".casecard").count()).toBeGreaterThan(0);
    await shot(page, "05-case-board");
    expect(errors).toEqual([]);
  });

  test("a CSV is imported with a validation report and the rejected rows can be downloaded", async () => {
    const errors: string[] = [];
    const page = await ui.newPage(errors);
    await ui.login(page, "analyst");
    const csv = (await readFile(join(ui.dir, "demo-city-3000.csv"), "utf8")).split("\n");
    const rows = csv.slice(1, 41).map((line, i) => line.replace(/^J(\d+)/, `T${i}$1`));
    rows[3] = rows[3]!.replace(/^([^,]*),[^,]*/, "$1,not-a-date");
    const file = join(ui.dir, "upload.csv");
    await writeFile(file, `${csv[0]}\n${rows.join("\n")}\n`);
    await page.goto(`${ui.base}/#/import`);
    await ready(page, "import");
    // The import wizard (test/browser/import-wizard.test.ts tests the column mapping): a bundled profile.
    await page.setInputFiles("#wizard-file", file);
    await page.click("#wizard-upload");
    await page.click("#wizard-next-1");
    await page.check("#wizard-mode-bundled");
    await page.selectOption("#wizard-bundled", "synthetic");
    await page.click("#wizard-next-2");
    await page.click("#wizard-import", { timeout: 30_000 });
    await page.waitForSelector("#wizard-report", { timeout: 30_000 });
    const report = await page.textContent("#wizard-report");
    expect(report).toContain("upload.csv");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click("#wizard-download-rejected"),
    ]);
    const saved = join(ui.dir, "rejected.csv");
    await download.saveAs(saved);
    expect(await readFile(saved, "utf8")).toContain("receivedAt");
    await shot(page, "06-import-report");
    expect(errors).toEqual([]);
  });

  test("the language switch turns the pages to English and is remembered", async () => {
    const errors: string[] = [];
    const page = await ui.newPage(errors);
    await ui.login(page, "analyst");
    await page.goto(`${ui.base}/#/analysis`);
    await ready(page, "analysis");
    await page.click("#lang-switch");
    await ready(page, "analysis");
    expect(await page.textContent("header nav")).toContain("Overview");
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("en-GB");
    await page.waitForSelector(".mapbox canvas");
    await page.waitForSelector("#knox .filters span.muted");
    expect(await page.textContent("#knox")).toContain("Knox");
    await shot(page, "07-analysis-en");
    await page.reload();
    await ready(page, "analysis");
    expect(await page.textContent("header nav")).toContain("Overview");
    expect(page.url()).not.toMatch(/lang=|password|username/);
    await page.goto(`${ui.base}/#/quality`);
    await ready(page, "quality");
    await shot(page, "08-quality-en");
    expect(errors).toEqual([]);
  });

  test("a monthly report downloads as an Excel workbook and as a PDF", async () => {
    const errors: string[] = [];
    const page = await ui.newPage(errors);
    await ui.login(page, "analyst");
    await page.goto(`${ui.base}/#/reports`);
    await ready(page, "reports");
    await shot(page, "09-reports");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download-xlsx")]);
    const saved = join(ui.dir, "report.xlsx");
    await download.saveAs(saved);
    const bytes = await readFile(saved);
    expect(bytes.subarray(0, 2).toString()).toBe("PK");
    expect((await stat(saved)).size).toBeGreaterThan(2000);
    const [pdf] = await Promise.all([page.waitForEvent("download"), page.click("#download-pdf")]);
    const pdfPath = join(ui.dir, "report.pdf");
    await pdf.saveAs(pdfPath);
    expect((await readFile(pdfPath)).subarray(0, 5).toString()).toBe("%PDF-");
    expect(errors).toEqual([]);
  });

  test("the system admin sees users and no incident pages", async () => {
    const errors: string[] = [];
    const page = await ui.newPage(errors);
    await ui.login(page, "admin");
    await page.goto(`${ui.base}/#/admin`);
    await ready(page, "admin");
    const nav = await page.textContent("header nav");
    expect(nav).not.toContain("概览");
    expect(await page.textContent("main")).toContain("analyst");
    await shot(page, "10-admin");
    expect(errors).toEqual([]);
  });
});
