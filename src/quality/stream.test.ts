import fc from "fast-check";
import { expect, test } from "vitest";
import { makeIncident } from "../../test/builders.ts";
import { asEpochMs, asPseudonym, asUnitCode, fixedClock, type Incident } from "../domain/index.ts";
import { ruleClassifier } from "../text/classify.ts";
import { batchIssues, stationCentres } from "./batch.ts";
import { DEFAULT_QUALITY_CONFIG } from "./config.ts";
import { ruleJudge } from "./judge.ts";
import { scorecardAccumulator, scorecards } from "./score.ts";
import { qualityStream, stationCentreAccumulator } from "./stream.ts";

const T0 = Date.UTC(2024, 4, 1, 2, 0, 0);
const MIN = 60_000;
const ctx = {
  config: DEFAULT_QUALITY_CONFIG,
  clock: fixedClock(Date.UTC(2024, 5, 1)),
  judge: ruleJudge(ruleClassifier(), DEFAULT_QUALITY_CONFIG),
};
const CATEGORIES = ["public_order", "dispute", "traffic", "invalid"] as const;

/** A day of calls at a few doors from a few callers, some with wrong coordinates. */
function calls(seed: number, n: number): Incident[] {
  let s = seed;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const out: Incident[] = [];
  let at = T0;
  for (let i = 0; i < n; i++) {
    at += Math.floor(next() * 20) * MIN;
    const station = `S${Math.floor(next() * 2)}`;
    const wild = next() < 0.05;
    out.push(
      makeIncident({
        sourceId: `c${i}`,
        receivedAt: asEpochMs(at),
        category: CATEGORIES[Math.floor(next() * CATEGORIES.length)]!,
        stationUnit: asUnitCode(station),
        lon: wild ? 100 : 120.1 + next() * 0.02 + (station === "S1" ? 0.2 : 0),
        lat: wild ? 20 : 30.2 + next() * 0.02,
        location: { room: `R${Math.floor(next() * 4)}` },
        callerPseudonym: asPseudonym(`p${Math.floor(next() * 5)}`),
        narrative: "报警人称楼上噪音扰民。",
      }),
    );
  }
  return out;
}

test("checking in pages gives the same issues as checking everything at once", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 40 }), (seed, page) => {
      const all = calls(seed, 120);
      const centres = stationCentres(all, 20);
      const whole = batchIssues(all, { ...ctx, stationCentres: centres });
      const stream = qualityStream({ ...ctx, stationCentres: centres });
      const paged: ReturnType<typeof batchIssues> = [];
      for (let i = 0; i < all.length; i += page) paged.push(...stream.push(all.slice(i, i + page)));
      expect(paged).toEqual(whole);
    }),
    { numRuns: 30 },
  );
});

test("the streamed station centre is the median to about a metre, wild points ignored", () => {
  const all = calls(7, 300);
  const acc = stationCentreAccumulator();
  for (let i = 0; i < all.length; i += 17) acc.add(all.slice(i, i + 17));
  const streamed = acc.result(20);
  const exact = stationCentres(all, 20);
  expect([...streamed.keys()].sort()).toEqual([...exact.keys()].sort());
  for (const [station, [lon, lat]] of exact) {
    expect(Math.abs(streamed.get(station)![0] - lon)).toBeLessThan(2e-5);
    expect(Math.abs(streamed.get(station)![1] - lat)).toBeLessThan(2e-5);
  }
});

test("a conflicting call is found across a page boundary, and not after the window", () => {
  const a = makeIncident({
    sourceId: "a",
    receivedAt: asEpochMs(T0),
    location: { room: "R1" },
    category: "public_order",
  });
  const b = makeIncident({
    sourceId: "b",
    receivedAt: asEpochMs(T0 + 10 * MIN),
    location: { room: "R1" },
    category: "dispute",
  });
  const c = makeIncident({
    sourceId: "c",
    receivedAt: asEpochMs(T0 + 200 * MIN),
    location: { room: "R1" },
    category: "traffic",
  });
  const stream = qualityStream({ ...ctx, stationCentres: new Map() });
  stream.push([a]);
  const [issuesB] = stream.push([b]);
  expect(issuesB!.find((i) => i.code === "conflicting_duplicate")?.params).toMatchObject({ other: "a" });
  const [issuesC] = stream.push([c]);
  expect(issuesC!.map((i) => i.code)).not.toContain("conflicting_duplicate");
});

test("scorecards built chunk by chunk equal scorecards of the whole", () => {
  const all = calls(3, 200);
  const issues = batchIssues(all, ctx);
  const scored = all.map((incident, i) => ({ incident, issues: issues[i]! }));
  const acc = scorecardAccumulator({ level: "station", period: "week" });
  for (let i = 0; i < scored.length; i += 33) acc.add(scored.slice(i, i + 33));
  expect(acc.result()).toEqual(scorecards(scored, { level: "station", period: "week" }));
});
