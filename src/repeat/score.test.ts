import { expect, test } from "vitest";
import { scoreDuplicatePairs, scoreSeries } from "./score.ts";

test("a found series matches a true one at Jaccard >= 0.5, per kind", () => {
  const truth = [
    { kind: "place" as const, incidents: ["a", "b", "c", "d"] },
    { kind: "caller" as const, incidents: ["x", "y", "z"] },
  ];
  const found = [
    { kind: "place" as const, incidents: ["a", "b", "c"] }, // 3/4
    { kind: "place" as const, incidents: ["q", "r", "s"] },
    { kind: "caller" as const, incidents: ["x", "q", "r", "s"] }, // 1/6
  ];
  const score = scoreSeries(found, truth);
  expect(score.place).toEqual({ truth: 1, found: 2, recall: 1, precision: 0.5 });
  expect(score.caller.recall).toBe(0);
});

test("duplicate pairs: one group of three found as two and one", () => {
  const s = scoreDuplicatePairs([["a", "b"]], [["a", "b", "c"]]);
  expect(s.precision).toBe(1);
  expect(s.recall).toBeCloseTo(1 / 3, 12);
  expect(s.f1).toBeCloseTo(0.5, 12);
});
