import { describe, expect, test } from "vitest";
import { browserAvailable, ready, shot, useDemoBrowser } from "./harness.ts";

/**
 * The data-quality pages in a real browser (Debian's Chromium driven by playwright-core) against
 * `recur demo` with a small demo city: the city runs the quality check, reads the scorecards and
 * their trend, draws a review sample and gives verdicts (rework with a reason, pass) by keyboard
 * and mouse; a station checks itself. Screenshots go to test-artifacts/ (gitignored).
 */

describe.skipIf(!browserAvailable)("data quality pages in Chromium", { timeout: 90_000 }, () => {
  const ui = useDemoBrowser({ name: "quality", incidents: 3000 });

  test("the city runs the quality check and reads the scorecards with the five components and a trend", async () => {
    const errors: string[] = [];
    const page = await ui.newPage(errors);
    await ui.login(page, "analyst");
    await page.goto(`${ui.base}/#/quality`);
    await ready(page, "quality");
    // The demo runs a first check in the background once the city is ready: the scorecards fill
    // without anyone running it (reload until it has finished); the city can still run it again.
    for (let i = 0; i < 60 && (await page.locator("#q-scorecards tbody tr").count()) === 0; i++) {
      await page.waitForTimeout(500);
      await page.reload();
      await ready(page, "quality");
    }
    expect(await page.textContent("main")).not.toContain("尚未运行质量检查");
    await page.click("#q-run");
    await page.waitForSelector("#q-scorecards tbody tr", { timeout: 60_000 });
    const head = await page.textContent("#q-scorecards thead");
    for (const label of ["六要素完整", "反馈及时", "逻辑一致", "标签准确", "复核通过"])
      expect(head).toContain(label);
    expect(await page.locator("#q-scorecards tbody tr").count()).toBeGreaterThan(1);
    await page.waitForSelector("#q-trend canvas");
    // Keyboard: Tab to the second unit's button, Enter shows its trend.
    const second = page.locator("#q-scorecards tbody tr >> nth=1").locator("button");
    const name = (await second.textContent()) ?? "";
    await second.focus();
    await page.keyboard.press("Enter");
    expect(await page.textContent("#q-trend-title")).toContain(name);
    expect(await page.getAttribute("#q-trend", "aria-label")).toContain(name);
    await shot(page, "q1-scorecards-zh");
    await page.click("#lang-switch");
    await ready(page, "quality");
    await page.waitForSelector("#q-scorecards tbody tr");
    expect(await page.textContent("#q-scorecards thead")).toContain("Completeness");
    await shot(page, "q2-scorecards-en");
    await page.click("#lang-switch");
    expect(errors).toEqual([]);
  });

  test("the city draws a seeded sample, returns one record for rework with a reason and passes another", async () => {
    const errors: string[] = [];
    const page = await ui.newPage(errors);
    await ui.login(page, "analyst");
    await page.goto(`${ui.base}/#/review`);
    await ready(page, "review");
    await page.fill("#r-count", "2");
    await page.click("#r-create");
    await page.waitForSelector("#r-list tbody tr");
    expect(await page.textContent("#r-created")).toMatch(/选出 \d+ 条/);
    const rows = await page.locator("#r-list tbody tr").count();
    expect(rows).toBeGreaterThan(1);
    await shot(page, "q3-review-queue");
    // Keyboard: focus the first row, Enter opens it.
    await page.locator("#r-list tbody tr >> nth=0").focus();
    await page.keyboard.press("Enter");
    await ready(page, "review-detail");
    expect(await page.textContent("#r-status")).toBe("待复核");
    expect(await page.textContent("main")).toContain("简要案情（已脱敏）");
    await page.click("#r-rework");
    expect(await page.textContent("#r-error")).toBe("请写明退回原因");
    await page.fill("#r-reason", "处警结果与反馈内容不一致，请补录处置经过");
    await page.click("#r-rework");
    await page.waitForFunction(() => document.querySelector("#r-status")?.textContent === "退回整改");
    expect(await page.textContent(".history")).toContain("处警结果与反馈内容不一致");
    await shot(page, "q4-review-rework");
    await page.goto(`${ui.base}/#/review`);
    await ready(page, "review");
    await page.click("#r-list tbody tr >> nth=0 >> a");
    await ready(page, "review-detail");
    await page.click("#r-pass");
    await page.waitForFunction(() => document.querySelector("#r-status")?.textContent === "已通过");
    await shot(page, "q5-review-passed");
    expect(page.url()).not.toMatch(/password|username|narrative/);
    expect(errors).toEqual([]);
  });

  test("a station checks its own records and passes one", async () => {
    const errors: string[] = [];
    const page = await ui.newPage(errors);
    await ui.login(page, "station");
    await page.goto(`${ui.base}/#/review`);
    await ready(page, "review");
    // Half a year of the station's records (a small demo city has few calls a week).
    const to = await page.inputValue("#r-to");
    await page.fill("#r-from", new Date(Date.parse(to) - 180 * 86_400_000).toISOString().slice(0, 10));
    await page.click("#r-create");
    await page.waitForSelector("#r-created:not(:empty)");
    expect(await page.textContent("#r-created")).toMatch(/选出 \d+ 条/);
    // Its own self-check items (city samples of this station are judged by the city).
    await page.selectOption("#r-level", "station");
    await ready(page, "review");
    const items = await page.locator("#r-list tbody tr").count();
    expect(items).toBeGreaterThan(0);
    await shot(page, "q6-station-self-check");
    await page.click("#r-list tbody tr >> nth=0 >> a");
    await ready(page, "review-detail");
    await page.click("#r-pass");
    await page.waitForFunction(() => document.querySelector("#r-status")?.textContent === "已通过");
    expect(errors).toEqual([]);
  });

  test("a long review queue pages by 200 items, forwards and back", async () => {
    const errors: string[] = [];
    const page = await ui.newPage(errors);
    await ui.login(page, "analyst");
    await page.goto(`${ui.base}/#/review`);
    await ready(page, "review");
    // A random sample of 300 of the year's checked calls.
    const to = await page.inputValue("#r-to");
    await page.fill("#r-from", new Date(Date.parse(to) - 365 * 86_400_000).toISOString().slice(0, 10));
    await page.selectOption("#r-mode", "random");
    await page.fill("#r-count", "300");
    await page.click("#r-create");
    await page.waitForSelector("#r-created:not(:empty)");
    await page.waitForSelector("#r-pager");
    expect(await page.locator("#r-list tbody tr").count()).toBe(200);
    expect(await page.isDisabled("#r-prev")).toBe(true);
    await page.click("#r-next");
    await ready(page, "review");
    await page.waitForSelector("#r-pager");
    expect(await page.textContent("#r-pager")).toContain("第 201–");
    const second = await page.locator("#r-list tbody tr").count();
    expect(second).toBeGreaterThan(0);
    expect(second).toBeLessThanOrEqual(200);
    await shot(page, "q7-review-second-page");
    await page.click("#r-prev");
    await ready(page, "review");
    expect(await page.locator("#r-list tbody tr").count()).toBe(200);
    expect(await page.textContent("#r-pager")).toContain("第 1–200 条");
    expect(errors).toEqual([]);
  });
});
