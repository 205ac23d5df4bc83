import { describe, expect, test } from "vitest";
import { logGamma, negBinTail, poissonTail, surprise } from "./stats.ts";

describe("tail probabilities", () => {
  test.each([
    [1, 0],
    [5, Math.log(24)],
    [0.5, Math.log(Math.sqrt(Math.PI))],
  ])("logGamma(%d) is exact", (x, expected) => {
    expect(logGamma(x)).toBeCloseTo(expected, 10);
  });

  test("the negative binomial tail matches a direct sum", () => {
    // NB(r=2, p=0.5): pmf(0)=0.25, pmf(1)=0.25, pmf(2)=0.1875 → P(X>=3) = 0.3125
    expect(negBinTail(3, 2, 0.5)).toBeCloseTo(0.3125, 12);
    expect(negBinTail(0, 2, 0.5)).toBe(1);
  });

  test("the Poisson tail matches a direct sum", () => {
    expect(poissonTail(2, 1)).toBeCloseTo(1 - 2 * Math.exp(-1), 12);
    expect(poissonTail(30, 1)).toBeLessThan(1e-30);
  });

  test("five events at a place that never had any are very surprising; at a busy place they are not", () => {
    const quiet = surprise({
      observed: 5,
      windowDays: 30,
      historyEvents: 0,
      historyDays: 300,
      priorRatePerDay: 0.001,
      priorDays: 60,
    });
    const busy = surprise({
      observed: 5,
      windowDays: 30,
      historyEvents: 50,
      historyDays: 300,
      priorRatePerDay: 0.001,
      priorDays: 60,
    });
    expect(quiet.score).toBeGreaterThan(6);
    expect(busy.score).toBeLessThan(1);
    expect(busy.expected).toBeCloseTo(((50 + 0.06) / 360) * 30, 6);
  });
});
