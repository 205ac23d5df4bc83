import { describe, expect, test } from "vitest";
import { seededRandom } from "../domain/index.ts";
import { timeOrder } from "./columns.ts";

/** The reference: a comparison sort by time, then by index (stable). */
function reference(at: Float64Array): number[] {
  return Array.from(at.keys()).sort((a, b) => at[a]! - at[b]! || a - b);
}

describe("time order of calls", () => {
  const rng = seededRandom(11);
  const T0 = Date.UTC(2024, 0, 1);
  test.each([
    ["sorted", 1_000, (i: number) => T0 + i * 1000],
    ["nearly sorted, small", 1_000, (i: number) => T0 + i * 30_000 + (rng.next() < 0.1 ? 180_000 : 0)],
    [
      "nearly sorted, large (insertion path)",
      80_000,
      (i: number) => T0 + i * 30_000 + (rng.next() < 0.005 ? 180_000 : 0),
    ],
    [
      "a late row in ten, large (radix path)",
      80_000,
      (i: number) => T0 + i * 30_000 + (rng.next() < 0.1 ? 180_000 : 0),
    ],
    ["shuffled, large (radix path)", 80_000, () => T0 + Math.floor(rng.next() * 365 * 86_400_000)],
    [
      "many ties within a second, large",
      80_000,
      () => T0 + Math.floor(rng.next() * 50) * 1000 + (rng.next() < 0.5 ? 0 : 500),
    ],
    [
      "one late row far out of place, large",
      80_000,
      (i: number) => (i === 79_999 ? T0 : T0 + 1000 + i * 1000),
    ],
  ])("%s: equal to a stable comparison sort", (_name, n, time) => {
    const at = Float64Array.from({ length: n }, (_, i) => time(i));
    expect(Array.from(timeOrder(at))).toEqual(reference(at));
  });
});
