import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { seededRandom } from "../domain/index.ts";
import {
  bankCard,
  callerMobile,
  chineseNumber,
  fullWidthDigits,
  luhnCheck,
  plate,
  residentId,
  residentIdCheck,
} from "./identifiers.ts";

describe("identifiers", () => {
  test("resident IDs have a valid GB 11643-1999 check character and a real birth date", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (seed) => {
        const id = residentId(seededRandom(seed));
        expect(id).toMatch(/^\d{17}[\dX]$/);
        expect(residentIdCheck(id.slice(0, 17))).toBe(id[17]);
        const month = Number(id.slice(10, 12));
        expect(month).toBeGreaterThanOrEqual(1);
        expect(month).toBeLessThanOrEqual(12);
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  test("the check character of a published example is X", () => {
    // GB 11643-1999 worked example: 11010519491231002X.
    expect(residentIdCheck("11010519491231002")).toBe("X");
  });

  test("bank cards pass the Luhn check", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (seed) => {
        const card = bankCard(seededRandom(seed));
        expect(card).toMatch(/^62\d{14}(\d{3})?$/);
        expect(luhnCheck(card.slice(0, -1))).toBe(card.at(-1));
      }),
      { seed: 8, numRuns: 300 },
    );
    expect(luhnCheck("7992739871")).toBe("3");
  });

  test("plates look like mainland plates, new-energy ones with eight characters", () => {
    const rng = seededRandom(3);
    const plates = Array.from({ length: 500 }, () => plate(rng));
    for (const p of plates) expect(p).toMatch(/^[浙沪苏皖赣][A-Z]([A-Z0-9]{5}|[DF]\d{5})$/);
    expect(plates.some((p) => p.length === 8)).toBe(true);
  });

  test("two callers never share a number", () => {
    const numbers = new Set(Array.from({ length: 50_000 }, (_, i) => callerMobile(i, 17)));
    expect(numbers.size).toBe(50_000);
  });

  test.each([
    [1, "一"],
    [10, "十"],
    [12, "十二"],
    [20, "二十"],
    [33, "三十三"],
  ])("%i is written %s", (n, zh) => {
    expect(chineseNumber(n)).toBe(zh);
  });

  test("full-width digits replace ASCII digits only", () => {
    expect(fullWidthDigits("3栋2单元501室")).toBe("３栋２单元５０１室");
  });
});
