import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  applyReviewEvent,
  branchQueue,
  citySample,
  cycleTimes,
  IllegalTransitionError,
  openReview,
  type ReviewCandidate,
  replayReview,
  reviewStats,
  stationSelfCheck,
} from "./review.ts";

const H = 3_600_000;
const item = () =>
  openReview({
    id: "r1",
    incidentId: "i1",
    level: "city",
    reviewer: "C",
    station: "S1",
    at: 0,
    by: "city-analyst",
  });

describe("review state machine", () => {
  test("rework goes back to the station and is reviewed again until it passes", () => {
    let r = item();
    r = applyReviewEvent(r, { kind: "rework", at: 2 * H, by: "city", reason: "缺少处置结果" });
    expect(r.status).toBe("rework");
    r = applyReviewEvent(r, { kind: "resubmitted", at: 26 * H, by: "S1" });
    expect([r.status, r.round]).toEqual(["pending", 2]);
    r = applyReviewEvent(r, { kind: "pass", at: 30 * H, by: "city" });
    expect(r.status).toBe("passed");
    expect(cycleTimes(r)).toEqual({ totalHours: 30, reviewHours: [2, 4], reworkHours: [24] });
  });

  test.each([
    ["a passed item cannot be passed again", ["pass", "pass"]],
    ["a pending item cannot be resubmitted", ["resubmitted"]],
    ["an item in rework cannot pass before it is resubmitted", ["rework", "pass"]],
  ])("%s", (_, kinds) => {
    expect(() => {
      let r = item();
      kinds.forEach((kind, i) => {
        const at = (i + 1) * H;
        r = applyReviewEvent(
          r,
          kind === "rework"
            ? { kind, at, by: "x", reason: "r" }
            : ({ kind, at, by: "x" } as Parameters<typeof applyReviewEvent>[1]),
        );
      });
    }).toThrow(IllegalTransitionError);
  });

  test("a rework needs a reason and events cannot go back in time", () => {
    expect(() => applyReviewEvent(item(), { kind: "rework", at: H, by: "x", reason: " " })).toThrow(/reason/);
    expect(() => applyReviewEvent(item(), { kind: "pass", at: -1, by: "x" })).toThrow(IllegalTransitionError);
  });

  test("replaying the stored events gives the same item", () => {
    let r = item();
    r = applyReviewEvent(r, { kind: "rework", at: H, by: "c", reason: "地址不全" });
    r = applyReviewEvent(r, { kind: "resubmitted", at: 2 * H, by: "s" });
    const { status: _s, round: _r, events, ...base } = r;
    expect(replayReview(base, events)).toEqual(r);
  });
});

const candidates: ReviewCandidate[] = Array.from({ length: 200 }, (_, i) => ({
  incidentId: `i${String(i).padStart(3, "0")}`,
  receivedAt: Date.UTC(2024, 4, 1) + (i % 14) * 86_400_000,
  utcOffsetMin: 480,
  stationUnit: `S${i % 4}`,
  branchUnit: i % 4 < 2 ? "B1" : "B2",
  errors: i % 5 === 0 ? 2 : 0,
}));

test("review stats per level count items by status, the pass rate of verdicts and median cycle times", () => {
  let passed = item();
  passed = applyReviewEvent(passed, { kind: "rework", at: 2 * H, by: "city", reason: "缺少处置结果" });
  passed = applyReviewEvent(passed, { kind: "resubmitted", at: 26 * H, by: "S1" });
  passed = applyReviewEvent(passed, { kind: "pass", at: 30 * H, by: "city" });
  const pending = { ...item(), id: "r2" };
  const [city, branch] = reviewStats([passed, pending]);
  expect(city).toEqual({
    level: "city",
    items: 2,
    pending: 1,
    rework: 0,
    passed: 1,
    passRate: 0.5,
    medianTotalHours: 30,
    medianReviewHours: 3,
    medianReworkHours: 24,
  });
  expect(branch).toMatchObject({ level: "branch", items: 0, passRate: null, medianTotalHours: null });
});

describe("sampling and queues", () => {
  test("a city sample is reproducible from its seed and independent of input order", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), (seed) => {
        const a = citySample(candidates, { mode: "stratified", count: 3, seed });
        const b = citySample([...candidates].reverse(), { mode: "stratified", count: 3, seed });
        expect(a.map((c) => c.incidentId)).toEqual(b.map((c) => c.incidentId));
      }),
      { seed: 6, numRuns: 20 },
    );
  });

  test("stratified sampling takes N per station per week", () => {
    const sample = citySample(candidates, { mode: "stratified", count: 2, seed: 1 });
    const perStratum = new Map<string, number>();
    for (const c of sample) {
      const week = Math.floor((c.receivedAt - Date.UTC(2024, 3, 29)) / (7 * 86_400_000));
      const key = `${c.stationUnit}-${week}`;
      perStratum.set(key, (perStratum.get(key) ?? 0) + 1);
    }
    expect([...perStratum.values()].every((n) => n <= 2)).toBe(true);
    expect(perStratum.size).toBeGreaterThanOrEqual(8);
  });

  test("a random sample of 10% draws 10% and different seeds draw differently", () => {
    const a = citySample(candidates, { mode: "random", rate: 0.1, seed: 1 });
    const b = citySample(candidates, { mode: "random", rate: 0.1, seed: 2 });
    expect(a).toHaveLength(20);
    expect(a.map((c) => c.incidentId)).not.toEqual(b.map((c) => c.incidentId));
    expect(() => citySample(candidates, { mode: "random", seed: 1 })).toThrow(IllegalTransitionError);
  });

  test("a branch reviews all its records, errors first; a station self-checks its errors", () => {
    const queue = branchQueue(candidates, "B1");
    expect(queue).toHaveLength(100);
    expect(queue[0]!.errors).toBe(2);
    const self = stationSelfCheck(candidates, "S0");
    expect(self.every((c) => c.stationUnit === "S0" && c.errors > 0)).toBe(true);
    expect(self.length).toBe(candidates.filter((c) => c.stationUnit === "S0" && c.errors > 0).length);
  });
});
