import { describe, expect, test } from "vitest";
import { measureVariants } from "../../test/address-variants.ts";
import { ordinal, spelledOrdinals, usVariantCorpus } from "../../test/us-address-variants.ts";
import { createAddressLocator } from "./locator.ts";

/**
 * Generated spellings of invented US block addresses (test/us-address-variants.ts): masked and
 * exact numbers, BLK / BLOCK OF, leading zeros, case, street types and directionals, numbered
 * streets, cities, units, crossings in either order with every separator. Figures:
 * `node --import tsx bench/us-address-variants.ts`.
 */
describe("generated US variant spellings", () => {
  const locator = createAddressLocator();

  test.each([1, 2, 3])("seed %i: each place has one key per level, and no two places share one", (seed) => {
    const corpus = usVariantCorpus({ seed, perGroup: 16 });
    const report = measureVariants((t) => locator.locate(t), corpus);
    expect(report.failures.map((f) => `${f.kind} ${f.level}: ${f.detail}`)).toEqual([]);
    expect(report.groupsWithOneKey).toBe(report.groups);
    expect(report.mergedPairs).toBe(0);
    expect(report.groups).toBeGreaterThanOrEqual(300);
    expect(report.spellings).toBeGreaterThanOrEqual(4500);
  });

  test("the corpus holds places that differ only by block, direction, type or where the direction is", () => {
    const names = new Set(usVariantCorpus({ seed: 1, perGroup: 2 }).map((g) => g.name));
    for (const n of [
      "100 block of MAIN ST",
      "1000 block of MAIN ST",
      "1000 block of N 27TH ST",
      "1000 block of S 27TH ST",
      "1000 block of 27TH ST N",
      "1000 block of CANAL ST",
      "1000 block of CANAL AVE",
      "corner MEADOW ST & QUAIL ST",
      "corner MORROW ST & QUAIL ST",
      "corner QUAIL ST & QUAIL ST",
    ])
      expect(names).toContain(n);
  });

  test("numbered streets are spelt as call-takers write them", () => {
    expect([1, 2, 3, 11, 12, 13, 21, 27, 112].map(ordinal)).toEqual([
      "1ST",
      "2ND",
      "3RD",
      "11TH",
      "12TH",
      "13TH",
      "21ST",
      "27TH",
      "112TH",
    ]);
    expect(spelledOrdinals(27)).toEqual(["TWENTY-SEVENTH", "TWENTY SEVENTH", "TWENTYSEVENTH"]);
    expect(spelledOrdinals(40)).toEqual(["FORTIETH"]);
    expect(spelledOrdinals(13)).toEqual(["THIRTEENTH"]);
  });
});
