import { readFile } from "node:fs/promises";
import { describe, expect, test } from "vitest";
import { browserAvailable, ready, shot, useDemoBrowser } from "./harness.ts";

/**
 * The store's community police area boundaries in Debian's Chromium (playwright-core) against
 * `recur demo`: the rules page uploads a small invented GeoJSON (three squares near 120.1,30.2,
 * GCJ-02), shows its counts and warnings, refuses a broken one with its errors, downloads and
 * clears them; the analysis page's hot-spot map outlines them with their labels.
 */

const square = (x: number, y: number) => [
  [x, y],
  [x + 0.01, y],
  [x + 0.01, y + 0.01],
  [x, y + 0.01],
  [x, y],
];
const geojson = (ids: readonly string[]) =>
  JSON.stringify({
    type: "FeatureCollection",
    features: ids.map((id, i) => ({
      type: "Feature",
      properties: { code: id, name: `阳光第${i + 1}警务区` },
      geometry: { type: "Polygon", coordinates: [square(120.1 + i * 0.01, 30.2)] },
    })),
  });
const IDS = ["330106001001", "330106001002", "330106001003"];

describe.skipIf(!browserAvailable)("area boundaries in Chromium", { timeout: 60_000 }, () => {
  const ui = useDemoBrowser({ name: "areas", incidents: 3000, timeoutMs: 180_000 });

  test("the analyst uploads boundaries, sees their counts, downloads them, sees them on the hot-spot map and clears them", async () => {
    const errors: string[] = [];
    const page = await ui.newPage(errors);
    await ui.login(page, "analyst");
    await page.goto(`${ui.base}/#/rules`);
    await ready(page, "rules");
    await expect.poll(() => page.textContent("#areas-counts")).toContain("尚未设置警务区边界");

    // A broken file: every error listed, nothing saved.
    await page.setInputFiles("#areas-file", {
      name: "bad.geojson",
      mimeType: "application/geo+json",
      buffer: Buffer.from(geojson([IDS[0]!, IDS[0]!])),
    });
    await page.fill("#areas-id-property", "code");
    await page.click("#areas-upload");
    await page.waitForSelector("#areas-msg.error");
    expect(await page.textContent("#areas-msg")).toContain(
      "第 2 个要素的编码 330106001001 与第 1 个要素重复",
    );
    expect(await page.textContent("#areas-counts")).toContain("尚未设置警务区边界");

    await page.setInputFiles("#areas-file", {
      name: "areas.geojson",
      mimeType: "application/geo+json",
      buffer: Buffer.from(geojson(IDS)),
    });
    await page.selectOption("#areas-datum", "gcj02");
    await page.click("#areas-upload");
    await page.waitForSelector("#areas-msg.okmsg");
    expect(await page.textContent("#areas-counts")).toContain(
      "3 个警务区，3 个面，15 个顶点（编码属性“code”，原坐标系 GCJ-02",
    );
    // The demo city's registry does not know these codes: saved, with a note per code.
    expect(await page.textContent("#areas-msg")).toContain(
      "编码 330106001003（第 3 个要素）不是本库已知的警务区",
    );
    await shot(page, "24-rules-area-boundaries");

    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#areas-download")]);
    const saved = JSON.parse(await readFile((await download.path())!, "utf8"));
    expect(saved.features.map((f: { id: string }) => f.id)).toEqual(IDS);
    // Stored in WGS-84: the GCJ-02 corner moved by the datum's offset (a few hundred metres here).
    const [x, y] = saved.features[0].geometry.coordinates[0][0];
    expect(Math.abs(x - 120.1)).toBeGreaterThan(0.001);
    expect(Math.abs(x - 120.1)).toBeLessThan(0.01);
    expect(Math.abs(y - 30.2)).toBeLessThan(0.01);

    // The hot-spot map outlines them, one label per area.
    await page.goto(`${ui.base}/#/analysis`);
    await ready(page, "analysis");
    await page.waitForSelector(".mapbox[data-areas]", { timeout: 20_000 });
    expect(await page.getAttribute(".mapbox", "data-areas")).toBe("3");
    expect(await page.locator(".mapbox .area-label").allTextContents()).toEqual([
      "阳光第1警务区",
      "阳光第2警务区",
      "阳光第3警务区",
    ]);

    // In English.
    await page.goto(`${ui.base}/#/rules`);
    await ready(page, "rules");
    await page.click("#lang-switch");
    await ready(page, "rules");
    await expect.poll(() => page.textContent("#areas-counts")).toContain("3 areas, 3 polygons, 15 vertices");

    page.once("dialog", (d) => d.accept());
    await page.click("#areas-clear");
    await page.waitForSelector("#areas-msg.okmsg");
    expect(await page.textContent("#areas-msg")).toContain("The area boundaries are cleared");
    expect(await page.textContent("#areas-counts")).toContain("No area boundaries are set");
    await page.goto(`${ui.base}/#/analysis`);
    await ready(page, "analysis");
    await page.waitForSelector(".mapbox[data-areas]", { timeout: 20_000 });
    expect(await page.getAttribute(".mapbox", "data-areas")).toBe("0");
    expect(errors.filter((e) => !e.includes("400"))).toEqual([]);
  });
});
