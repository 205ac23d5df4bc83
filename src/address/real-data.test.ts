import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Papa from "papaparse";
import { expect, test } from "vitest";
import { createAddressLocator } from "./locator.ts";

/** Real exports from ../shared/data (see its MANIFEST.md); skipped when the folder is absent. */
const data = join(import.meta.dirname, "..", "..", "..", "shared", "data");
const csv = (file: string): Record<string, string>[] =>
  Papa.parse<Record<string, string>>(readFileSync(join(data, file), "utf8"), {
    header: true,
    skipEmptyLines: true,
  }).data;
const locator = createAddressLocator();

test.skipIf(!existsSync(join(data, "crime", "vancouver-2020.csv")))(
  "every Vancouver hundred block with a number gets a road key, and masked blocks match their street (needs ../shared/data)",
  () => {
    const rows = csv("crime/vancouver-2020.csv").slice(0, 5000);
    const blocks = rows.map((r) => r.HUNDRED_BLOCK ?? "").filter((b) => /^\d+X+ /.test(b));
    expect(blocks.length).toBeGreaterThan(1000);
    const missing = blocks.filter((b) => locator.locate(b).road === null);
    expect(missing).toEqual([]);
    expect(locator.locate("10XX ALBERNI ST").road).toBe(locator.locate("1055 Alberni Street").road);
  },
);

test.skipIf(!existsSync(join(data, "cfs", "milwaukee-2018-05.csv")))(
  "Milwaukee CAD addresses parse to building and block keys, intersections to cross keys (needs ../shared/data)",
  () => {
    const rows = csv("cfs/milwaukee-2018-05.csv").slice(0, 5000);
    let keyed = 0;
    for (const r of rows) {
      const k = locator.locate(r.location ?? "");
      if (k.building || k.cross || k.road || k.poi) keyed++;
    }
    expect(keyed / rows.length).toBeGreaterThan(0.97);
  },
);

test.skipIf(!existsSync(join(data, "cfs", "san-luis-obispo-2021-22.csv")))(
  "San Luis Obispo CAD addresses with place names and crossings all get a key (needs ../shared/data)",
  () => {
    const rows = csv("cfs/san-luis-obispo-2021-22.csv")
      .map((r) => r.address ?? "")
      .filter((a) => a.trim());
    let keyed = 0;
    for (const a of rows) {
      const k = locator.locate(a);
      if (k.building || k.cross || k.road || k.poi) keyed++;
    }
    expect(keyed / rows.length).toBeGreaterThan(0.99);
    expect(locator.locate("BROAD & HIGUERA;").cross).toBe(locator.locate("HIGUERA / BROAD").cross);
  },
);
