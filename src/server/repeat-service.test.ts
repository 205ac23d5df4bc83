import { afterAll, beforeAll, expect, test } from "vitest";
import { flatCalls } from "../../test/builders.ts";
import { asBatchId, type Incident } from "../domain/index.ts";
import type { RepeatIndex } from "../repeat/engine.ts";
import { describeOnEveryStore } from "../store/testing/every-store.ts";
import type { StoreTarget } from "../store/testing/stores.ts";
import type { Store } from "../store/types.ts";
import { RepeatService } from "./repeat-service.ts";

/**
 * Import batches reach the server's repeat index through the incremental path (`addBatch`, as
 * POST /api/v1/incidents feeds it) and give exactly what a rebuild from the store gives; a batch
 * reaching back before the index's newest call is refused, for a rebuild.
 */

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 2, 1);

/** `count` calls of one batch from day `fromDay` on, in time order, at a few dozen flats. */
const batchRows = (batch: string, fromDay: number, count: number, seed: number): Incident[] =>
  flatCalls({
    count,
    seed,
    start: T0 + fromDay * DAY,
    maxGapMinutes: 240,
    flats: 40,
    callers: 30,
    prefix: batch,
    batchId: batch,
  });

async function importBatch(store: Store, rows: Incident[]): Promise<void> {
  const id = rows[0]!.batchId;
  const writer = await store.beginBatch({
    id,
    sourceSystem: "test",
    profile: "synthetic",
    fileName: `${id}.csv`,
    fileSha256: id.padEnd(64, "0"),
    startedAt: rows[0]!.receivedAt,
  });
  const imported = await writer.insertIncidents(rows);
  await writer.commit({ rows: rows.length, imported, rejected: 0, duplicates: 0, finishedAt: T0 });
}

function view(index: RepeatIndex | undefined): { series: string[]; duplicates: string[][] } {
  if (!index) throw new Error("no index");
  return {
    series: index
      .allSeries()
      .map((s) => `${s.kind}:${s.group}:${index.sourceIdsOf(s).join(",")}`)
      .sort(),
    duplicates: index.duplicateGroups(),
  };
}

function serviceSuite(makeTarget: () => Promise<StoreTarget>) {
  let target: StoreTarget;
  let store: Store;

  beforeAll(async () => {
    target = await makeTarget();
    store = (await target.fresh()).store;
    await importBatch(store, batchRows("a", 0, 400, 1));
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await target?.dispose();
  });

  test("a newer import batch goes through the incremental path and equals a rebuild from the store", async () => {
    const service = new RepeatService();
    await service.load(store);
    const before = service.ready!;
    await importBatch(store, batchRows("b", 40, 5300, 2));
    expect(await service.unseenBatches(store)).toEqual(["b"]);
    expect(await service.addBatch(store, asBatchId("b"))).toEqual({ kind: "added", incidents: 5300 });
    expect(service.ready).toBe(before); // the same index, grown: no rebuild
    expect(service.ready!.calls.length).toBe(5700); // two pages of 5,000 read back
    expect(await service.unseenBatches(store)).toEqual([]);
    expect(await service.addBatch(store, asBatchId("b"))).toEqual({ kind: "known" });
    const rebuilt = new RepeatService();
    await rebuilt.load(store);
    expect(view(service.ready)).toEqual(view(rebuilt.ready));
    expect(view(service.ready).series.length).toBeGreaterThan(10);
  }, 60_000);

  test("an import reaching back before the index's newest call is left to a rebuild", async () => {
    const service = new RepeatService();
    await service.load(store);
    const calls = service.ready!.calls.length;
    await importBatch(store, batchRows("c", 20, 50, 3));
    expect(await service.addBatch(store, asBatchId("c"))).toEqual({
      kind: "rebuild",
      reason: "out_of_order",
    });
    expect(service.ready!.calls.length).toBe(calls);
    expect(await service.unseenBatches(store)).toEqual(["c"]);
  }, 60_000);

  test("an import that updated calls the index holds (a later export) is left to a rebuild", async () => {
    const service = new RepeatService();
    await service.load(store);
    // Newer calls, and one call of batch b exported again with its feedback filled in.
    const again = batchRows("b", 40, 5300, 2)[7]!;
    const rows = [
      ...batchRows("d", 90, 20, 4),
      { ...again, batchId: asBatchId("d"), feedback: "已调解，双方和解", disposition: "已处理" },
    ];
    await importBatch(store, rows);
    expect((await store.batches.get(asBatchId("d")))?.updated).toBe(1);
    expect(await service.addBatch(store, asBatchId("d"))).toEqual({ kind: "rebuild", reason: "updated" });
  }, 60_000);

  test("a load holds every committed batch and reserves headroom for live calls", async () => {
    const service = new RepeatService();
    await service.load(store);
    expect(await service.unseenBatches(store)).toEqual([]);
    expect(service.ready!.calls.length).toBe(await store.incidents.count());
    expect(service.headroom).toBeGreaterThanOrEqual(1 << 20);
    expect(service.headroomLow).toBe(false);
  }, 60_000);
}

await describeOnEveryStore("repeat service imports", serviceSuite);
