import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { DEFAULT_LIMITS } from "../limits.ts";
import { readCsv } from "../readers/csv.ts";
import { suggestMapping } from "./suggest.ts";

/**
 * The wizard's suggestions on real public exports (../shared/data, see its MANIFEST.md) against
 * the hand-written bundled profiles for the same files: for every field a profile takes from one
 * column, does the suggestion name that column? Templates, constants and hashed ids are left out
 * (a one-column wizard cannot say them).
 */
const DATA = join(import.meta.dirname, "..", "..", "..", "..", "shared", "data");
const PROFILES = join(import.meta.dirname, "..", "..", "..", "profiles");
const FILES: readonly [string, string][] = [
  ["cfs/milwaukee-2018-05.csv", "milwaukee"],
  ["cfs/san-luis-obispo-2021-22.csv", "san-luis-obispo"],
  ["crime/houston-2010.csv", "houston"],
  ["crime/vancouver-2020.csv", "vancouver"],
  ["crime/chicago-aggravated-assaults-2010-19.csv", "chicago-assaults"],
];
const hasData = FILES.every(([f]) => existsSync(join(DATA, f)));

const columnOf = (v: unknown): string | null =>
  typeof v === "string"
    ? v
    : v && typeof v === "object" && "column" in v
      ? String((v as { column: unknown }).column)
      : null;

async function agreement(file: string, profileName: string) {
  const source = await readCsv(join(DATA, file), {
    encoding: "auto",
    delimiter: ",",
    limits: DEFAULT_LIMITS,
  });
  const rows: string[][] = [];
  outer: for await (const batch of source.batches)
    for (const r of batch) {
      rows.push([...r.cells]);
      if (rows.length >= 5000) break outer;
    }
  const suggested = new Map(
    suggestMapping(source.header, rows)
      .columns.filter((c) => c.target)
      .map((c) => [c.target as string, c.column]),
  );
  const p = JSON.parse(readFileSync(join(PROFILES, `${profileName}.json`), "utf8"));
  const expected: [string, string | null][] = [
    ...Object.entries(p.fields ?? {}).map(([k, v]) => [k, columnOf(v)] as [string, string | null]),
    ["sourceId", columnOf(p.sourceId)],
    ["category", columnOf(p.category)],
    ...["branch", "station", "area"].map((k) => [k, columnOf(p.units?.[k])] as [string, string | null]),
    ["lon", columnOf(p.coordinates?.lon)],
    ["lat", columnOf(p.coordinates?.lat)],
  ];
  let agree = 0;
  let total = 0;
  let wrong = 0;
  for (const [target, column] of expected) {
    if (!column) continue;
    total++;
    const got = suggested.get(target) ?? null;
    if (got === column) agree++;
    else if (got !== null) wrong++;
  }
  return { agree, total, wrong, suggested };
}

describe("suggestions on real exports (../shared/data)", () => {
  if (!hasData) test.skip("../shared/data is absent: real-export suggestion tests skipped", () => {});

  test.skipIf(!hasData)(
    "the suggested columns agree with the bundled profiles on most one-column fields",
    async () => {
      let agree = 0;
      let total = 0;
      let wrong = 0;
      for (const [file, profile] of FILES) {
        const r = await agreement(file, profile);
        agree += r.agree;
        total += r.total;
        wrong += r.wrong;
      }
      console.log(
        `suggested columns agree with the bundled profiles on ${agree}/${total} fields; ${wrong} point elsewhere`,
      );
      expect(total).toBe(30);
      expect(agree).toBeGreaterThanOrEqual(26);
      expect(wrong).toBeLessThanOrEqual(1);
    },
  );

  test.skipIf(!hasData)(
    "Vancouver's projected X/Y metres are not offered as longitude and latitude",
    async () => {
      const { suggested } = await agreement("crime/vancouver-2020.csv", "vancouver");
      expect(suggested.get("lon")).toBeUndefined();
      expect(suggested.get("lat")).toBeUndefined();
    },
  );
});
