import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { makeIncident } from "../../test/builders.ts";
import { asBatchId, asEpochMs, asUnitCode } from "../domain/index.ts";
import { IllegalTransitionError, openReview } from "../quality/review.ts";
import { qualityRepository } from "./quality-repository.ts";
import {
  memoryTarget,
  pgUnreachable,
  postgresTarget,
  REQUIRE_PG,
  type StoreTarget,
} from "./testing/stores.ts";
import type { Store } from "./types.ts";

/** The quality repository's contract, on SQLite and on PostgreSQL. */
const pgDown = await pgUnreachable();
const targets: [string, () => Promise<StoreTarget>, boolean][] = [
  ["sqlite", async () => memoryTarget(), false],
  ["postgres", () => postgresTarget(), pgDown !== undefined && !REQUIRE_PG],
];

const H = 3_600_000;

describe.each(targets)("quality repository on %s", (_, makeTarget, skip) => {
  let target: StoreTarget;
  let store: Store;
  beforeAll(async () => {
    if (skip) return;
    target = await makeTarget();
    store = (await target.fresh()).store;
  });
  afterAll(async () => {
    if (skip) return;
    await store.close();
    await target.dispose();
  });

  test.skipIf(skip)("results are stored and replaced", async () => {
    const repo = qualityRepository(store);
    await repo.saveResults(
      [{ incidentId: "i1", score: 80, issues: [{ code: "empty_narrative", severity: "error" }] }],
      1,
    );
    await repo.saveResults([{ incidentId: "i1", score: 100, issues: [] }], 2);
    expect(await repo.getResult("i1")).toEqual({ incidentId: "i1", score: 100, issues: [] });
    expect(await repo.getResult("nope")).toBeUndefined();
    expect(await repo.errorCounts()).toEqual(new Map([["i1", 0]]));
  });

  test.skipIf(skip)(
    "a review goes through rework and re-review, and its history survives a reload",
    async () => {
      const repo = qualityRepository(store);
      const item = openReview({
        id: "r1",
        incidentId: "i1",
        level: "city",
        reviewer: "C",
        station: "S1",
        at: 0,
        by: "a",
      });
      expect(await repo.openReviews([item, { ...item, id: "r1b" }], "seed=1")).toBe(1);
      await repo.appendEvent("r1", { kind: "rework", at: H, by: "city", reason: "缺少结果" });
      expect((await repo.listReviews({ station: "S1", status: "rework" })).map((r) => r.id)).toEqual(["r1"]);
      await repo.appendEvent("r1", { kind: "resubmitted", at: 2 * H, by: "S1", note: "已补充" });
      const passed = await repo.appendEvent("r1", { kind: "pass", at: 3 * H, by: "city" });
      expect(passed).toMatchObject({ status: "passed", round: 2 });
      expect(await repo.getReview("r1")).toEqual(passed);
      await expect(repo.appendEvent("r1", { kind: "pass", at: 4 * H, by: "city" })).rejects.toThrow(
        IllegalTransitionError,
      );
      expect((await repo.getReview("r1"))?.events).toHaveLength(4);
      expect(await repo.verdicts()).toEqual([
        { incidentId: "i1", verdict: "rework" },
        { incidentId: "i1", verdict: "pass" },
      ]);
      expect(await repo.appendEvent("missing", { kind: "pass", at: 5 * H, by: "x" })).toBeUndefined();
    },
  );

  test.skipIf(skip)(
    "scorecard pages, review candidates, station points and unit filters read the stored incidents",
    async () => {
      const writer = await store.beginBatch({
        id: asBatchId("q"),
        sourceSystem: "q",
        profile: "synthetic",
        fileName: "q.csv",
        fileSha256: "1".repeat(64),
        startedAt: 0,
      });
      const at = Date.UTC(2024, 4, 1);
      const incidents = Array.from({ length: 7 }, (_, k) =>
        makeIncident({
          sourceSystem: "q",
          sourceId: `n${k}`,
          batchId: asBatchId("q"),
          receivedAt: asEpochMs(at + k * H),
          branchUnit: asUnitCode(k < 4 ? "B1" : "B2"),
          stationUnit: asUnitCode(k < 4 ? "S1" : "S2"),
          lon: k === 6 ? null : 120 + k / 100,
          lat: k === 6 ? null : 30,
        }),
      );
      await writer.insertIncidents(incidents);
      await writer.commit({ rows: 7, imported: 7, rejected: 0, duplicates: 0, finishedAt: 0 });
      const repo = qualityRepository(store);
      const error = { code: "empty_narrative", severity: "error" } as const;
      await repo.saveResults(
        incidents.slice(0, 6).map((i, k) => ({ incidentId: i.id, score: 90, issues: k % 2 ? [error] : [] })),
        at,
      );
      const pages = [];
      for await (const page of repo.scored({ unit: { level: "branch", code: "B1" } }, 3)) pages.push(page);
      expect(pages.map((p) => p.length)).toEqual([3, 1]);
      expect(pages.flat().map((x) => x.incident.id)).toEqual(["q:n0", "q:n1", "q:n2", "q:n3"]);
      expect(pages.flat()[1]!.issues).toEqual([error]);
      const ranged = [];
      for await (const page of repo.scored({ from: at + 4 * H, to: at + 6 * H })) ranged.push(...page);
      expect(ranged.map((x) => x.incident.id)).toEqual(["q:n4", "q:n5"]);
      expect(await repo.latestScored({ unit: { level: "station", code: "S1" } })).toBe(at + 3 * H);
      const candidates = await repo.candidates({ unit: { level: "station", code: "S2" } });
      expect(candidates.map((c) => [c.incidentId, c.errors]).sort()).toEqual([
        ["q:n4", 0],
        ["q:n5", 1],
        ["q:n6", 0],
      ]);
      let points = 0;
      for await (const page of repo.stationPoints(4)) points += page.filter((p) => p.lon !== null).length;
      expect(points).toBe(6);
      expect(await repo.lastComputed()).toBe(at);
      await repo.openReviews([
        openReview({
          id: "u1",
          incidentId: "q:n1",
          level: "branch",
          reviewer: "B1",
          station: "S1",
          at,
          by: "a",
        }),
        openReview({
          id: "u2",
          incidentId: "q:n5",
          level: "branch",
          reviewer: "B2",
          station: "S2",
          at,
          by: "a",
        }),
      ]);
      const inB2 = await repo.listReviews({ unit: { level: "branch", code: "B2" } });
      expect(inB2.map((r) => r.id)).toEqual(["u2"]);
    },
  );
});
