import { describe, expect, test } from "vitest";
import { scoreAgainstTruth } from "./score.ts";
import type { SynthTruth } from "./truth.ts";

const truth: SynthTruth = {
  series: [
    { kind: "place", incidents: ["a", "b", "c", "d"] },
    { kind: "place", incidents: ["e", "f", "g"] },
    { kind: "caller", incidents: ["h", "i", "j"] },
  ],
  duplicates: [
    ["a", "b", "c"],
    ["x", "y"],
  ],
  defects: [],
};

describe("scoreAgainstTruth", () => {
  test("the truth scored against itself is perfect", () => {
    const s = scoreAgainstTruth(truth.series, truth.duplicates, truth);
    expect(s.series.place).toEqual({ truth: 2, found: 2, recall: 1, precision: 1 });
    expect(s.series.caller.recall).toBe(1);
    expect(s.duplicatePairs.f1).toBe(1);
  });

  test("a found series matches a true one at Jaccard 0.5, not below", () => {
    const half = scoreAgainstTruth([{ kind: "place", incidents: ["a", "b", "z", "w"] }], [], truth);
    // {a,b} / {a,b,c,d,z,w} = 2/6 < 0.5: no match.
    expect(half.series.place.recall).toBe(0);
    const enough = scoreAgainstTruth([{ kind: "place", incidents: ["a", "b", "c"] }], [], truth);
    // 3/4 >= 0.5.
    expect(enough.series.place).toEqual({ truth: 2, found: 1, recall: 0.5, precision: 1 });
  });

  test("series of another kind never match", () => {
    const s = scoreAgainstTruth([{ kind: "matter", incidents: ["h", "i", "j"] }], [], truth);
    expect(s.series.caller.recall).toBe(0);
    expect(s.series.matter.precision).toBe(0);
  });

  test("duplicates are scored on pairs of calls", () => {
    // Truth pairs: ab, ac, bc, xy. Found: ab, xz.
    const s = scoreAgainstTruth(
      [],
      [
        ["a", "b"],
        ["x", "z"],
      ],
      truth,
    );
    expect(s.duplicatePairs.precision).toBe(0.5);
    expect(s.duplicatePairs.recall).toBe(0.25);
    expect(s.duplicatePairs.f1).toBeCloseTo(1 / 3, 10);
  });
});
