import { expect, test } from "vitest";
import { seededRandom } from "./random.ts";

test("the same seed gives the same sequence", () => {
  const a = seededRandom(7);
  const b = seededRandom(7);
  const seqA = Array.from({ length: 20 }, () => a.next());
  expect(Array.from({ length: 20 }, () => b.next())).toEqual(seqA);
});

test("different seeds give different sequences and values stay in [0, 1)", () => {
  const a = Array.from({ length: 1000 }, seededRandom(1).next);
  const b = Array.from({ length: 1000 }, seededRandom(2).next);
  expect(a).not.toEqual(b);
  expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
  expect(Math.max(...a)).toBeLessThan(1);
});
