import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { synthMonth } from "../../src/ingest/testing/files.ts";
import { zip } from "../../src/ingest/testing/zip.ts";
import { browserAvailable, shot, useDemoBrowser } from "./harness.ts";

/**
 * The import wizard takes a .zip of monthly exports, or several files picked at once, in a real
 * browser (Chromium) against `recur demo`: the files are listed in name order, checked per file,
 * and imported one batch each with a report per file and in total. Invented data.
 */

describe.skipIf(!browserAvailable)(
  "import wizard with several files in Chromium",
  { timeout: 120_000 },
  () => {
    const ui = useDemoBrowser({ name: "import-archive", incidents: 300, timeoutMs: 180_000 });

    /** Steps 2 to 4 with the bundled synthetic profile; answers the report's text. */
    const importWithSynthetic = async (page: Awaited<ReturnType<typeof ui.newPage>>) => {
      await page.click("#wizard-next-1");
      await page.check("#wizard-mode-bundled");
      await page.selectOption("#wizard-bundled", "synthetic");
      await page.click("#wizard-next-2");
      await page.waitForSelector("#wizard-import", { timeout: 30_000 });
    };

    test("a zip of two months is listed in name order, checked per file and both files imported", async () => {
      const errors: string[] = [];
      const page = await ui.newPage(errors);
      await ui.login(page, "analyst");
      const file = join(ui.dir, "警情2024.zip");
      await writeFile(
        file,
        zip([
          { name: "2024-10.csv", data: synthMonth("AZ", 2024, 10, 3) },
          { name: "2024-9.csv", data: synthMonth("AZ", 2024, 9, 2) },
        ]),
      );
      await page.goto(`${ui.base}/#/import`);
      await page.waitForSelector('main[data-ready="import"]');
      expect(await page.getAttribute("#wizard-file", "multiple")).not.toBeNull();
      await page.setInputFiles("#wizard-file", file);
      await page.click("#wizard-upload");
      await page.waitForSelector("#wizard-files");
      const listed = await page.locator("#wizard-files tbody tr td:nth-child(2)").allTextContents();
      expect(listed).toEqual(["警情2024.zip:2024-9.csv", "警情2024.zip:2024-10.csv"]);
      expect(await page.textContent("#wizard-files")).toContain("每个文件一个批次");
      await shot(page, "import-archive-1-files");

      await importWithSynthetic(page);
      const perFile = page.locator("#wizard-check-files tbody tr");
      expect(await perFile.count()).toBe(3);
      expect(await perFile.nth(0).locator("td").nth(2).textContent()).toBe("2");
      expect(await perFile.nth(1).locator("td").nth(2).textContent()).toBe("3");
      expect(await page.textContent("#wizard-check .fig-rows .v")).toBe("5");
      await shot(page, "import-archive-2-check");

      await page.click("#wizard-import");
      await page.waitForSelector("#wizard-report", { timeout: 60_000 });
      expect(await page.textContent("#wizard-report .fig-imported .v")).toBe("5");
      const states = await page.locator("#wizard-report tbody tr td:nth-child(3)").allTextContents();
      expect(states.slice(0, 2)).toEqual(["完成", "完成"]);
      expect(await page.textContent("#wizard-files-done")).toContain("2/2");
      expect(await page.locator("details.wizard-file-report").count()).toBe(2);
      await shot(page, "import-archive-3-report");
      expect(errors).toEqual([]);
    });

    test("several files picked at once, one unreadable: the others are imported and the failure named (English)", async () => {
      const errors: string[] = [];
      const page = await ui.newPage(errors);
      await page.addInitScript(() => localStorage.setItem("recur.lang", "en"));
      await ui.login(page, "analyst");
      const files = [
        ["2023-11.csv", synthMonth("BZ", 2023, 11, 2)],
        ["2023-2.csv", synthMonth("BZ", 2023, 2, 1)],
        ["2023-5.csv", Buffer.from("编号,时间\nA1,2023-05-01\n")],
      ] as const;
      for (const [name, data] of files) await writeFile(join(ui.dir, name), data);
      await page.goto(`${ui.base}/#/import`);
      await page.waitForSelector('main[data-ready="import"]');
      await page.setInputFiles(
        "#wizard-file",
        files.map(([name]) => join(ui.dir, name)),
      );
      await page.click("#wizard-upload");
      await page.waitForSelector("#wizard-files");
      const listed = await page.locator("#wizard-files tbody tr td:nth-child(2)").allTextContents();
      expect(listed).toEqual(["2023-2.csv", "2023-5.csv", "2023-11.csv"]);
      await importWithSynthetic(page);
      expect(await page.textContent("#wizard-check-files")).toContain("cannot be read");
      await page.click("#wizard-import");
      await page.waitForSelector("#wizard-report", { timeout: 60_000 });
      expect(await page.textContent("#wizard-report .fig-imported .v")).toBe("3");
      const states = await page.locator("#wizard-report tbody tr td:nth-child(3)").allTextContents();
      expect(states.slice(0, 3)).toEqual(["Done", "Failed", "Done"]);
      expect(await page.textContent("#wizard-files-done")).toContain("2 of 3 files imported, 1 failed");
      await shot(page, "import-archive-4-failed-file");
      expect(errors).toEqual([]);
    });
  },
);
