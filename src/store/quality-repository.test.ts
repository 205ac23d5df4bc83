import { afterAll, beforeAll, describe, expect, test } from "vitest";
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
});
