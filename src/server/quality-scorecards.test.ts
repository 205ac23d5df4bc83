import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { makeIncident } from "../../test/builders.ts";
import { asBatchId, asEpochMs, asUnitCode, seededRandom } from "../domain/index.ts";
import type { QualityIssue } from "../quality/codes.ts";
import { openReview } from "../quality/review.ts";
import { type Period, scorecardAccumulator } from "../quality/score.ts";
import { qualityRepository, type ResultFilter } from "../store/quality-repository.ts";
import { describeOnEveryStore } from "../store/testing/every-store.ts";
import type { StoreTarget } from "../store/testing/stores.ts";
import type { Store } from "../store/types.ts";
import { materialisedScorecards } from "./quality-routes.ts";

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 29); // a Monday; the data spans 9 weeks across a month end
const ISSUES: readonly QualityIssue[][] = [
  [],
  [{ code: "late_feedback", severity: "error" }],
  [
    { code: "missing_people", severity: "warning" },
    { code: "wrong_category", severity: "error" },
  ],
  [{ code: "slow_arrival", severity: "warning" }],
  [
    { code: "coords_outside", severity: "error" },
    { code: "late_feedback", severity: "error" },
  ],
];

/** The scorecards as computed before materialisation: every incident of the range, one by one. */
async function fullScan(
  store: Store,
  level: "city" | "branch" | "station",
  period: Period,
  filter: ResultFilter,
) {
  const repo = qualityRepository(store);
  const verdicts = await repo.verdicts();
  const overall = scorecardAccumulator({ level, verdicts });
  const byPeriod = scorecardAccumulator({ level, period, verdicts });
  for await (const page of repo.scored(filter)) {
    overall.add(page);
    byPeriod.add(page);
  }
  return { overall: overall.result(), byPeriod: byPeriod.result() };
}

async function materialised(
  store: Store,
  level: "city" | "branch" | "station",
  period: Period,
  filter: ResultFilter,
) {
  const { overall, byPeriod } = await materialisedScorecards(qualityRepository(store), level, period, filter);
  return { overall: overall.result(), byPeriod: byPeriod.result() };
}

await describeOnEveryStore("materialised scorecards", (makeTarget) => {
  let target: StoreTarget;
  let store: Store;
  const rng = seededRandom(7);
  const ranges: ResultFilter[] = [
    {},
    { from: T0 + 17 * H + 123, to: T0 + 40 * 24 * H + 5 * H },
    { from: T0 + 3 * 24 * H, to: T0 + 10 * 24 * H },
    { unit: { level: "branch", code: "B2" }, from: T0 + 9 * H, to: T0 + 50 * 24 * H - 7 },
    { unit: { level: "station", code: "S3" } },
    { unit: { level: "area", code: "A1" }, from: T0 + 2 * 24 * H + 1 },
  ];
  const compareAll = async () => {
    for (const filter of ranges)
      for (const level of ["city", "branch", "station"] as const)
        for (const period of ["week", "month"] as const)
          expect(await materialised(store, level, period, filter)).toEqual(
            await fullScan(store, level, period, filter),
          );
  };

  beforeAll(async () => {
    target = await makeTarget();
    store = (await target.fresh()).store;
    const writer = await store.beginBatch({
      id: asBatchId("m"),
      sourceSystem: "m",
      profile: "synthetic",
      fileName: "m.csv",
      fileSha256: "3".repeat(64),
      startedAt: 0,
    });
    const incidents = Array.from({ length: 400 }, (_, k) => {
      const station = rng.int(4);
      return makeIncident({
        sourceSystem: "m",
        sourceId: `m${k}`,
        batchId: asBatchId("m"),
        receivedAt: asEpochMs(T0 + rng.int(63 * 24) * H + rng.int(H)),
        // Local clocks of UTC+8 and, for some, UTC-5: a local day is not the UTC day.
        utcOffsetMin: k % 7 === 0 ? -300 : 480,
        cityUnit: asUnitCode("C"),
        branchUnit: station === 3 ? null : asUnitCode(station < 2 ? "B1" : "B2"),
        stationUnit: asUnitCode(`S${station}`),
        areaUnit: k % 3 === 0 ? asUnitCode("A1") : null,
      });
    });
    await writer.insertIncidents(incidents);
    await writer.commit({ rows: 400, imported: 400, rejected: 0, duplicates: 0, finishedAt: 0 });
  });
  afterAll(async () => {
    await store?.close();
    await target?.dispose();
  });

  test("scorecards from the buckets equal the incident-by-incident computation, after results, re-runs and verdicts", async () => {
    const repo = qualityRepository(store);
    const ids: string[] = [];
    for await (const page of store.incidents.scan(1000)) for (const i of page) ids.push(i.id);
    // A first check run over most incidents.
    await repo.saveResults(
      ids.slice(0, 350).map((id, k) => {
        const issues = ISSUES[k % ISSUES.length]!;
        return { incidentId: id, score: 0, issues };
      }),
      1,
    );
    await compareAll();
    // Verdicts, some on incidents without results yet.
    for (const [k, id] of [ids[3], ids[10], ids[200], ids[360], ids[399]].entries()) {
      const item = openReview({
        id: `r${k}`,
        incidentId: id!,
        level: "city",
        reviewer: "C",
        station: "S1",
        at: T0,
        by: "x",
      });
      await repo.openReviews([item]);
      if (k % 2 === 0) await repo.appendEvent(`r${k}`, { kind: "pass", at: T0 + H, by: "x" });
      else await repo.appendEvent(`r${k}`, { kind: "rework", at: T0 + H, by: "x", reason: "缺少处置结果" });
    }
    await compareAll();
    // A second run replaces every result (other issues) and scores the rest.
    await repo.saveResults(
      ids.map((id, k) => ({ incidentId: id, score: 0, issues: ISSUES[(k * 3 + 1) % ISSUES.length]! })),
      2,
    );
    await compareAll();
  });

  test("migration 0018 fills the buckets of a store that already holds results", async () => {
    const before = await materialised(store, "station", "week", ranges[1]!);
    await store.db.withTables<{ quality_buckets: { day: number } }>().deleteFrom("quality_buckets").execute();
    const { rebuildScorecardBuckets } = await import("../store/quality-repository.ts");
    await rebuildScorecardBuckets(store.db as never);
    expect(await materialised(store, "station", "week", ranges[1]!)).toEqual(before);
    expect(before).toEqual(await fullScan(store, "station", "week", ranges[1]!));
  });
});

describe("buckets are the unit cell and the local day", () => {
  test("a call at 23:30 local time on a UTC+8 clock belongs to its local day", async () => {
    const { localDayOf } = await import("../quality/score.ts");
    const at = Date.UTC(2024, 4, 1, 15, 30); // 2024-05-01 23:30 at UTC+8
    expect(localDayOf(at, 480)).toBe(Math.floor(Date.UTC(2024, 4, 1) / 86_400_000));
    expect(localDayOf(at + H, 480)).toBe(Math.floor(Date.UTC(2024, 4, 2) / 86_400_000));
  });
});
