import { describe, expect, test } from "vitest";
import {
  digitByDigit,
  measureVariants,
  spoken,
  type VariantGroup,
  variantCorpus,
} from "../../test/address-variants.ts";
import { NO_LOCATION } from "../domain/location.ts";
import { createAddressLocator } from "./locator.ts";

/**
 * Generated spellings of invented places in 浙江省杭州市西湖区 (test/address-variants.ts): with
 * or without the province, city and district, numerals, full-width digits, unit words, dashes, spaces,
 * fillers and a note about the caller. Figures: `node --import tsx bench/address-variants.ts`.
 */
describe("generated variant spellings", () => {
  const locator = createAddressLocator({ region: "浙江省杭州市" });

  test.each([1, 2])("seed %i: each place has one key per level, and no two places share one", (seed) => {
    const corpus = variantCorpus({ seed, perGroup: 24 });
    const report = measureVariants((t) => locator.locate(t), corpus);
    expect(report.failures.map((f) => `${f.kind} ${f.level}: ${f.detail}`)).toEqual([]);
    expect(report.groupsWithOneKey).toBe(report.groups);
    expect(report.mergedPairs).toBe(0);
    expect(report.groups).toBeGreaterThanOrEqual(250);
    expect(report.spellings).toBeGreaterThanOrEqual(5000);
  });

  test("the measure sees a place split in two keys and two places merged in one", () => {
    const groups: VariantGroup[] = [
      { name: "a", ids: { building: "a" }, spellings: ["x", "y"] },
      { name: "b", ids: { building: "b" }, spellings: ["z"] },
    ];
    const keys: Record<string, string> = { x: "K1", y: "K2", z: "K1" };
    const report = measureVariants((t) => ({ ...NO_LOCATION, building: keys[t] ?? null }), groups);
    expect(report.groupsWithOneKey).toBe(1);
    expect(report.mergedPairs).toBe(1);
    expect(report.failures.map((f) => f.kind).sort()).toEqual(["merged", "split"]);
  });

  test("numerals are spelt as call-takers say them", () => {
    expect([3, 12, 21, 40].map((n) => spoken(n))).toEqual(["三", "十二", "二十一", "四十"]);
    expect(digitByDigit(501)).toBe("五零一");
    expect(digitByDigit(1203, "〇")).toBe("一二〇三");
  });
});
