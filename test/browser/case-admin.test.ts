import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ADDRESS_RULES_SETTING, openStore } from "../../src/store/index.ts";
import { ARTIFACTS, browserAvailable, ready, seedResolvedCase, shot, useDemoBrowser } from "./harness.ts";

/**
 * The registry and rules pages of the system admin and the case page's outcome chart and
 * attachments, in Debian's Chromium (playwright-core) against `recur demo` with a small city.
 * Screenshots in test-artifacts/ (gitignored) for a human look.
 */

const INCIDENTS = 6000;

let caseId = "";

describe.skipIf(!browserAvailable)(
  "units, agencies, rules and the case page in Chromium",
  { timeout: 60_000 },
  () => {
    const ui = useDemoBrowser({
      name: "case",
      incidents: INCIDENTS,
      prepare: async (dir) => {
        caseId = await seedResolvedCase(dir);
        // As if the store had been imported by an earlier recur with other address rules.
        const store = await openStore({ path: join(dir, "recur-demo.db") });
        await store.settings.set(ADDRESS_RULES_SETTING, "0000000000000000");
        await store.close();
      },
      timeoutMs: 180_000,
    });

    test("the system admin registers a station under a branch and a partner agency, and deactivates it", async () => {
      const errors: string[] = [];
      const page = await ui.newPage(errors);
      await ui.login(page, "admin");
      await page.goto(`${ui.base}/#/units`);
      await ready(page, "units");
      // The store was keyed by other address rules (prepare): a notice above every page says so.
      await page.waitForSelector("#keys-banner");
      // The demo city's tree: the bureau, its branches, stations and areas.
      expect(await page.textContent("#unit-tree")).toContain("澜东分局");
      await page.fill("#unit-code", "新城派出所");
      await page.fill("#unit-name", "新城派出所");
      await page.selectOption("#unit-level", "station");
      await page.selectOption("#unit-parent", "澜东分局");
      await page.selectOption("#unit-setting", "urban");
      await page.click("#unit-form button[type=submit]");
      await page.waitForSelector("#unit-msg.okmsg");
      const row = page.locator('.unitrow[data-code="新城派出所"]');
      await expect.poll(() => row.count()).toBe(1);
      expect(await row.textContent()).toContain("城区");
      await shot(page, "20-admin-units");

      // A unit with active areas below it cannot be deactivated: the message says why.
      await page.locator('.unitrow[data-code="春华派出所"] button', { hasText: "停用" }).click();
      await page.waitForSelector("#unit-msg.error");
      expect(await page.textContent("#unit-msg")).toContain("请先停用下级单位");

      await page.goto(`${ui.base}/#/agencies`);
      await ready(page, "agencies");
      await page.fill("#agency-code", "labour-xc");
      await page.fill("#agency-name", "新城劳动保障监察中队");
      await page.selectOption("#agency-kind", "labour_inspection");
      await page.click("#agency-form button[type=submit]");
      await page.waitForSelector("#agency-msg.okmsg");
      const agencyRow = page.locator("tr", { hasText: "新城劳动保障监察中队" });
      expect(await agencyRow.textContent()).toContain("劳动监察");
      await agencyRow.locator("button", { hasText: "停用" }).click();
      await page.waitForFunction(() =>
        [...document.querySelectorAll("tr")].some(
          (tr) => tr.textContent?.includes("新城劳动保障监察中队") && tr.textContent.includes("已停用"),
        ),
      );
      await shot(page, "21-admin-agencies");

      await page.goto(`${ui.base}/#/rules`);
      await ready(page, "rules");
      await page.fill('input[data-key="sla.red"]', "12");
      await page.click("#rules-form button[type=submit]");
      await page.waitForSelector("#rules-msg.okmsg");
      expect(await page.inputValue('input[data-key="sla.red"]')).toBe("12");
      await shot(page, "22-admin-rules");

      // The store's keys follow other rules: the admin counts first, then rebuilds them.
      await page.waitForSelector("#keys-state.error");
      expect(await page.textContent("#keys-state")).toContain("其他（较早的）地址规则");
      await page.click("#keys-dry");
      await page.waitForSelector("#keys-msg .okmsg");
      expect(await page.textContent("#keys-msg")).toContain(
        `读取 ${INCIDENTS.toLocaleString("zh-CN")} 条警情`,
      );
      expect(await page.textContent("#keys-msg")).toContain("试运行");
      expect(await page.getAttribute("#keys-state", "class")).toBe("error");
      page.once("dialog", (dialog) => dialog.accept());
      await page.click("#keys-rekey");
      await page.waitForSelector("#keys-state.okmsg");
      expect(await page.textContent("#keys-state")).toContain("与当前地址规则一致");
      expect(await page.textContent("#keys-msg")).not.toContain("试运行");
      await shot(page, "22b-admin-address-keys");

      // The store's place dictionary: the demo city's divisions and names; an alias added makes the
      // stored keys stale until a rebuild, and removing it makes them current again.
      await page.waitForSelector("#dict-counts");
      await expect
        .poll(() => page.textContent("#dict-counts"))
        .toMatch(/地点 [1-9][\d,]* 个，行政区划 [1-9]\d* 个/);
      expect(await page.textContent("#dict-aliases")).toContain("尚无别名");
      await page.fill("#dict-alias-from", "春华花园");
      await page.fill("#dict-alias-to", "春华小区");
      await page.click("#dict-alias-add");
      await page.waitForSelector("#dict-msg.error");
      expect(await page.textContent("#dict-msg")).toContain("已保存");
      expect(await page.textContent("#dict-aliases")).toContain("春华花园");
      await page.waitForSelector("#keys-state.error");
      await shot(page, "22c-admin-place-dictionary");
      await page.click('#dict-aliases button[data-alias="春华花园"]');
      await page.waitForSelector("#dict-msg.okmsg");
      expect(await page.textContent("#dict-aliases")).toContain("尚无别名");
      await page.waitForSelector("#keys-state.okmsg");
      // Frequent names of the imported addresses join the dictionary (a background job).
      await page.fill("#dict-min-count", "5");
      await page.click("#dict-learn");
      await page.waitForFunction(() => document.querySelector("#dict-msg")?.textContent?.includes("已学习"));
      expect(await page.textContent("#dict-msg")).toMatch(
        /读取 [\d,]+ 条有地址的警情，[\d,]+ 个地名出现≥5 次/,
      );
      await shot(page, "22d-admin-learn-places");
      // The learned names serve the matching of misspelt compounds: the keys are rebuilt with them.
      await page.waitForSelector("#keys-state.error");
      page.once("dialog", (dialog) => dialog.accept());
      await page.click("#keys-rekey");
      await page.waitForSelector("#keys-state.okmsg");

      // A station officer of the new station: the unit is picked from the registry.
      await page.goto(`${ui.base}/#/admin`);
      await ready(page, "admin");
      expect(await page.locator("#keys-banner").count()).toBe(0);
      await page.fill("input[name=username]", "xc-officer");
      await page.fill("input[name=displayName]", "新城民警");
      await page.fill("input[name=password]", "Initial-Pass-2024");
      await page.selectOption("select[name=role]", "station_officer");
      await page.selectOption("#user-unit", "新城派出所");
      await page.click("main form button.primary");
      await page.waitForFunction(() =>
        document.querySelector("main table")?.textContent?.includes("xc-officer"),
      );
      expect(await page.locator("tr", { hasText: "xc-officer" }).textContent()).toContain("新城派出所");
      await shot(page, "25-admin-users");
      // The refused deactivation (409) is an expected network error, not a page error.
      expect(errors.filter((e) => !e.includes("409"))).toEqual([]);
    });

    test("an analyst opens a resolved case, reads the outcome verdict and chart, and uploads an attachment", async () => {
      const errors: string[] = [];
      const page = await ui.newPage(errors);
      await ui.login(page, "analyst");
      await page.goto(`${ui.base}/#/cases/${caseId}`);
      await ready(page, "case-detail");
      const verdict = page.locator("#outcome-verdict");
      expect(await verdict.getAttribute("data-verdict")).toMatch(
        /^(effective|fell_like_controls|not_effective|insufficient_controls)$/,
      );
      expect(await verdict.textContent()).toMatch(/本地点处置前 \d+ 起、处置后 \d+ 起/);
      await page.waitForFunction(() => document.querySelectorAll("#outcome canvas").length >= 2);

      const png = Buffer.from(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
        "base64",
      );
      await page.setInputFiles("#attach-file", { name: "现场照片.png", mimeType: "image/png", buffer: png });
      await page.click("#attach-form button[type=submit]");
      await page.waitForSelector("#attach-msg.okmsg");
      expect(await page.textContent("#attachments table")).toContain("现场照片.png");
      // Something that is not an image, PDF or office document is refused with the reason.
      await page.setInputFiles("#attach-file", {
        name: "协议.pdf",
        mimeType: "application/pdf",
        buffer: Buffer.from("#!/bin/sh\necho not a pdf\n"),
      });
      await page.click("#attach-form button[type=submit]");
      await page.waitForSelector("#attach-msg.error");
      expect(await page.textContent("#attach-msg")).toContain("附件只能是图片");
      await page.locator("#outcome").scrollIntoViewIfNeeded();
      await shot(page, "23-case-outcome-attachments");

      const download = page.waitForEvent("download");
      await page.click("#attachments table a");
      const file = await (await download).path();
      expect((await readFile(file!)).equals(png)).toBe(true);
      await writeFile(join(ARTIFACTS, "23-downloaded.png"), png);
      // The same page in English: verdict, charts and attachments.
      await page.click("#lang-switch");
      await ready(page, "case-detail");
      expect(await page.textContent("#outcome-verdict")).toMatch(/This place: \d+ events before, \d+ after/);
      expect(await page.textContent("#attachments")).toContain("Attachments");
      await shot(page, "24-case-outcome-en");
      // 404/4xx responses from the refused upload are expected network errors, not page errors.
      expect(errors.filter((e) => !e.includes("415"))).toEqual([]);
    });
  },
);
