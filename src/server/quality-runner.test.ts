import { afterAll, beforeAll, expect, test } from "vitest";
import { makeIncident } from "../../test/builders.ts";
import { asBatchId, asEpochMs, asUnitCode } from "../domain/index.ts";
import { qualityRepository } from "../store/quality-repository.ts";
import { memoryTarget, type StoreTarget } from "../store/testing/stores.ts";
import type { Store } from "../store/types.ts";
import { buildApp } from "./app.ts";
import { qualityRunnerOf } from "./quality-routes.ts";

const T0 = Date.UTC(2024, 4, 1);
let target: StoreTarget;
let store: Store;
let app: ReturnType<typeof buildApp>;

beforeAll(async () => {
  target = memoryTarget();
  store = (await target.fresh()).store;
  const writer = await store.beginBatch({
    id: asBatchId("r"),
    sourceSystem: "r",
    profile: "synthetic",
    fileName: "r.csv",
    fileSha256: "2".repeat(64),
    startedAt: 0,
  });
  await writer.insertIncidents(
    Array.from({ length: 3 }, (_, k) =>
      makeIncident({
        sourceSystem: "r",
        sourceId: `r${k}`,
        batchId: asBatchId("r"),
        receivedAt: asEpochMs(T0 + k * 3_600_000),
        branchUnit: asUnitCode("B1"),
        stationUnit: asUnitCode("S1"),
      }),
    ),
  );
  await writer.commit({ rows: 3, imported: 3, rejected: 0, duplicates: 0, finishedAt: 0 });
  app = buildApp({
    store: () => store,
    status: () => ({ phase: "ready", detail: { zh: "", en: "" } }),
    version: "t",
    clock: { now: () => asEpochMs(T0 + 30 * 86_400_000) },
  });
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  await target?.dispose();
});

test("the demo's first quality check runs through the server's runner and fills the results the scorecards read", async () => {
  const runner = qualityRunnerOf(app)!;
  expect(await runner.neverRun()).toBe(true);
  // A second start while the first runs joins it instead of starting another run.
  await Promise.all([runner.start(), runner.start()]);
  expect(await runner.neverRun()).toBe(false);
  const repo = qualityRepository(store);
  expect(await repo.lastComputed()).toBe(T0 + 30 * 86_400_000);
  const scored = [];
  for await (const page of repo.scored({})) scored.push(...page);
  expect(scored).toHaveLength(3);
});
