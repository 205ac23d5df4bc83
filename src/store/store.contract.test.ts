import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { makeIncident } from "../../test/builders.ts";
import {
  addressComponentsJson,
  asBatchId,
  asEpochMs,
  asIncidentId,
  asPseudonym,
  asUnitCode,
  type BatchId,
  type Incident,
  isRecurError,
} from "../domain/index.ts";
import { openReview } from "../quality/review.ts";
import {
  READ_BACK_PAGE,
  readAllRollups,
  rebuildIndicatorRollups,
  rollupTesting,
} from "./indicator-rollups.ts";
import { MIGRATIONS } from "./migrations/index.ts";
import { qualityRepository } from "./quality-repository.ts";
import { applyRetention } from "./retention.ts";
import { expectDerivedTablesRebuilt } from "./testing/derived.ts";
import {
  memoryTarget,
  newBatch,
  PG_URL,
  pgUnreachable,
  postgresTarget,
  REQUIRE_PG,
  type StoreTarget,
  sqliteTarget,
} from "./testing/stores.ts";
import type { Batch, BatchSummary, QuarantinedRow, Store } from "./types.ts";

/**
 * The one contract every store implementation must meet, run against SQLite and PostgreSQL
 * (../shared/STYLE.md: one suite, every implementation).
 */

function summaryOf(rows: number, imported: number): BatchSummary {
  return { rows, imported, rejected: 0, duplicates: rows - imported, finishedAt: 1_714_500_100_000 };
}

/** Incidents with source ids `P{from}`..`P{to - 1}` in `batch`, received one minute apart. */
function range(batch: string, from: number, to: number): Incident[] {
  const out: Incident[] = [];
  for (let n = from; n < to; n++) {
    out.push(
      makeIncident({
        sourceId: `P${n}`,
        batchId: asBatchId(batch),
        receivedAt: asEpochMs(Date.UTC(2024, 0, 1) + n * 60_000),
      }),
    );
  }
  return out;
}

async function importRows(store: Store, batch: string, rows: readonly Incident[]): Promise<number> {
  const writer = await store.beginBatch(newBatch(batch));
  try {
    const inserted = await writer.insertIncidents(rows);
    await writer.commit(summaryOf(rows.length, inserted));
    return inserted;
  } catch (error) {
    await writer.rollback();
    throw error;
  }
}

/** An incident with every field set, with text that tests quoting and non-ASCII. */
function fullIncident(batch: string): Incident {
  return makeIncident({
    id: asIncidentId("f3a9c2e1d0b84c7a"),
    sourceSystem: "jjxt-110",
    sourceId: "J3301002024050100017",
    batchId: asBatchId(batch),
    receivedAt: asEpochMs(Date.UTC(2024, 4, 1, 14, 3, 27, 123)),
    acceptedAt: asEpochMs(Date.UTC(2024, 4, 1, 14, 3, 41)),
    dispatchedAt: asEpochMs(Date.UTC(2024, 4, 1, 14, 5, 2)),
    arrivedAt: asEpochMs(Date.UTC(2024, 4, 1, 14, 17, 40)),
    closedAt: asEpochMs(Date.UTC(2024, 4, 1, 15, 2, 0)),
    utcOffsetMin: -300,
    category: "non_police",
    subtype: "municipal",
    sourceCategory: "0901 市政设施",
    department: "urban_management",
    address: `临江市滨江区阳光小区3栋2单元501 "北门" \\ 对面 🚓`,
    lon: 120.123456789,
    lat: -30.987654321,
    datum: "gcj02",
    location: {
      poi: "330108:阳光小区",
      building: "330108:阳光小区:3",
      unit: "330108:阳光小区:3:2",
      room: "330108:阳光小区:3:2:501",
      road: "330108:江南大道:88",
      cross: "330108:江南大道|滨盛路",
    },
    cityUnit: asUnitCode("330100000000"),
    branchUnit: asUnitCode("330108000000"),
    stationUnit: asUnitCode("330108520000"),
    areaUnit: asUnitCode("330108520100"),
    callerPseudonym: asPseudonym("c6e1f0a9b2d34e5f"),
    callerNumberEnc: "v1:aes-256-gcm:AAAA:BBBB:CCCC",
    narrative: '报警人称楼上住户噪音扰民，电话***********，已多次协商。O\'Brien said "no".',
    disposition: "现场调解",
    feedback: "民警到场调解，双方达成一致。\n第二行",
    addressComponents: addressComponentsJson([
      { label: "city", text: "临江市" },
      { label: "district", text: "滨江区" },
      { label: "poi", text: "阳光小区" },
      { label: "houseno", text: "3栋" },
      { label: "cellno", text: "2单元" },
      { label: "roomno", text: "501" },
      { label: "assist", text: ` "北门" \\ 对面 🚓` },
    ]),
  });
}

interface Traits {
  /** Readers use another connection than the batch, so an open batch is invisible to them. */
  readonly isolatedReaders: boolean;
  /** The data outlives close(). */
  readonly persistent: boolean;
}

const T0 = Date.UTC(2024, 4, 1, 2, 0, 0);
const MIN = 60_000;

/** A call as one export gives it: source id `X{n}`, in `batch`, with the fields the export has so far. */
function call(batch: string, n: number, fields: Partial<Omit<Incident, "location">> = {}): Incident {
  return makeIncident({
    sourceId: `X${n}`,
    batchId: asBatchId(batch),
    receivedAt: asEpochMs(T0 + n * 37 * MIN),
    cityUnit: asUnitCode("330100"),
    branchUnit: asUnitCode(`3301${n % 2}`),
    stationUnit: asUnitCode(`3301${n % 2}${n % 3}`),
    narrative: `阳光小区 ${n} 号楼噪音`,
    ...fields,
  });
}

/** Imports `rows` as one batch; returns the committed batch. */
async function importBatch(store: Store, batch: string, rows: readonly Incident[]): Promise<Batch> {
  const writer = await store.beginBatch(newBatch(batch));
  try {
    const inserted = await writer.insertIncidents(rows);
    const { updated, stale } = writer.updates ?? { updated: 0, stale: 0 };
    return await writer.commit({
      rows: rows.length,
      imported: inserted,
      rejected: 0,
      duplicates: rows.length - inserted - updated - stale,
      finishedAt: 1_714_500_100_000,
    });
  } catch (error) {
    await writer.rollback();
    throw error;
  }
}

interface RevisionRow {
  incident_id: string;
  batch_id: string;
  columns: string;
  previous: string;
}

async function revisions(store: Store): Promise<RevisionRow[]> {
  return (
    await sql<RevisionRow>`SELECT incident_id, batch_id, columns, previous FROM incident_revisions ORDER BY id`.execute(
      store.db,
    )
  ).rows;
}

function contractSuite(makeTarget: () => Promise<StoreTarget>, traits: Traits): void {
  let target: StoreTarget;
  const opened: Store[] = [];
  async function fresh(): Promise<Store> {
    const { store } = await target.fresh();
    opened.push(store);
    return store;
  }

  beforeAll(async () => {
    target = await makeTarget();
  });
  afterAll(async () => {
    for (const store of opened) await store.close().catch(() => {});
    await target?.dispose();
  });

  test("every incident field survives a round trip", async () => {
    const store = await fresh();
    const full = fullIncident("b1");
    const sparse = makeIncident({ sourceId: "S1", batchId: asBatchId("b1"), subtype: null, address: null });
    expect(await importRows(store, "b1", [full, sparse])).toBe(2);
    expect(await store.incidents.get(full.sourceSystem, full.sourceId)).toEqual(full);
    expect(await store.incidents.getById(full.id)).toEqual(full);
    expect(await store.incidents.get(sparse.sourceSystem, sparse.sourceId)).toEqual(sparse);
    expect(await store.incidents.get("jjxt-110", "missing")).toBeUndefined();
    const listed = await store.incidents.list();
    expect(listed).toEqual([sparse, full].sort((a, b) => a.receivedAt - b.receivedAt));
    expect(typeof listed[0]!.receivedAt).toBe("number");
  });

  test("importing the same rows twice stores them once and counts the second run as duplicates", async () => {
    const store = await fresh();
    expect(await importRows(store, "first", range("first", 0, 120))).toBe(120);
    expect(await importRows(store, "second", range("second", 0, 120))).toBe(0);
    expect(await store.incidents.count()).toBe(120);
    // The first import keeps the record: a re-import does not move it to the new batch.
    expect(await store.incidents.count({ batchId: asBatchId("first") })).toBe(120);
    expect((await store.batches.get(asBatchId("second")))?.duplicates).toBe(120);
  });

  test("rows repeated inside one batch are inserted once", async () => {
    const store = await fresh();
    const rows = range("b", 0, 50);
    const writer = await store.beginBatch(newBatch("b"));
    const inserted =
      (await writer.insertIncidents([...rows, ...rows.slice(0, 10)])) + (await writer.insertIncidents(rows));
    await writer.commit(summaryOf(110, inserted));
    expect(inserted).toBe(50);
    expect(await store.incidents.count()).toBe(50);
  });

  test("overlapping batches add only the rows not seen before", async () => {
    const store = await fresh();
    expect(await importRows(store, "jan", range("jan", 0, 600))).toBe(600);
    expect(await importRows(store, "jan-feb", range("jan-feb", 400, 1000))).toBe(400);
    expect(await store.incidents.count()).toBe(1000);
    expect(await store.incidents.count({ batchId: asBatchId("jan-feb") })).toBe(400);
  });

  test("importing any sequence of overlapping ranges leaves their union", async () => {
    const store = await fresh();
    let batchNo = 0;
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 120 }),
        async (from, length) => {
          batchNo += 1;
          const id = `prop-${batchNo}`;
          let unseen = 0;
          for (let n = from; n < from + length; n++) {
            if (!seen.has(n)) unseen += 1;
            seen.add(n);
          }
          expect(await importRows(store, id, range(id, from, from + length))).toBe(unseen);
          expect(await store.incidents.count()).toBe(seen.size);
        },
      ),
      { seed: 20240501, numRuns: 12 },
    );
  });

  test("nothing of an open batch is visible, and a rollback leaves no trace", async () => {
    const store = await fresh();
    const writer = await store.beginBatch(newBatch("doomed"));
    expect(await writer.insertIncidents(range("doomed", 0, 300))).toBe(300);
    await writer.insertQuarantine([quarantined("doomed", 7)]);
    if (traits.isolatedReaders) {
      expect(await store.incidents.count()).toBe(0);
      expect(await store.batches.list()).toEqual([]);
      expect(await store.quarantine.count()).toBe(0);
    }
    await writer.rollback();
    expect(await store.incidents.count()).toBe(0);
    expect(await store.batches.get(asBatchId("doomed"))).toBeUndefined();
    expect(await store.quarantine.count()).toBe(0);
    // The same batch can then be run again from scratch.
    expect(await importRows(store, "doomed", range("doomed", 0, 300))).toBe(300);
  });

  test("a committed batch is listed with its summary", async () => {
    const store = await fresh();
    const writer = await store.beginBatch(newBatch("b7", { fileName: "警情导出.csv", sourceSystem: "jjxt" }));
    const inserted = await writer.insertIncidents(range("b7", 0, 5));
    const summary: BatchSummary = {
      rows: 9,
      imported: inserted,
      rejected: 3,
      duplicates: 1,
      finishedAt: 1_714_500_999_000,
    };
    const batch = await writer.commit(summary);
    expect(batch).toEqual({
      ...newBatch("b7", { fileName: "警情导出.csv", sourceSystem: "jjxt" }),
      ...summary,
      updated: 0,
      stale: 0,
    });
    expect(await store.batches.get(asBatchId("b7"))).toEqual(batch);
    expect(await store.batches.list()).toEqual([batch]);
    await expect(writer.insertIncidents(range("b7", 5, 6))).rejects.toMatchObject({ code: "batch_closed" });
  });

  test("a batch id can be used only once", async () => {
    const store = await fresh();
    await importRows(store, "once", range("once", 0, 3));
    const error = await store.beginBatch(newBatch("once")).catch((e: unknown) => e);
    expect(isRecurError(error) && error.code).toBe("batch_exists");
    // The failed begin released the batch lock: another batch still runs.
    expect(await importRows(store, "twice", range("twice", 3, 6))).toBe(3);
  });

  test("an incident of another batch is refused", async () => {
    const store = await fresh();
    const writer = await store.beginBatch(newBatch("mine"));
    await expect(writer.insertIncidents(range("theirs", 0, 1))).rejects.toMatchObject({
      code: "batch_mismatch",
    });
    await writer.rollback();
  });

  test("quarantined rows round trip with their issues", async () => {
    const store = await fresh();
    const writer = await store.beginBatch(newBatch("q"));
    const rows = [quarantined("q", 3), quarantined("q", 1), { ...quarantined("q", 2), issues: [] }];
    await writer.insertQuarantine(rows);
    await writer.commit({ rows: 3, imported: 0, rejected: 3, duplicates: 0, finishedAt: 1 });
    expect(await store.quarantine.count()).toBe(3);
    expect(await store.quarantine.count(asBatchId("q"))).toBe(3);
    expect(await store.quarantine.count(asBatchId("other"))).toBe(0);
    expect(await store.quarantine.list(asBatchId("q"))).toEqual([rows[1], rows[2], rows[0]]);
    expect(await store.quarantine.list(undefined, 1)).toEqual([rows[1]]);
  });

  test("scan pages through every incident in receivedAt order, ties broken by id", async () => {
    const store = await fresh();
    const times = [5, 3, 3, 9, 1, 3, 7, 7, 2, 8, 0, 6, 4, 3, 9, 9, 1];
    const rows = times.map((t, n) =>
      makeIncident({
        sourceId: `scan${n}`,
        batchId: asBatchId("s"),
        receivedAt: asEpochMs(1_700_000_000_000 + t * 1000),
      }),
    );
    await importRows(store, "s", rows);
    const pages: (readonly Incident[])[] = [];
    for await (const page of store.incidents.scan(4)) pages.push(page);
    expect(pages.map((p) => p.length)).toEqual([4, 4, 4, 4, 1]);
    const order = (a: Incident, b: Incident) => a.receivedAt - b.receivedAt || (a.id < b.id ? -1 : 1);
    expect(pages.flat()).toEqual([...rows].sort(order));
    const empty = await fresh();
    for await (const _ of empty.incidents.scan()) expect.unreachable("an empty store has no pages");
  });

  test("list and count filter by source, batch and time range, with limit and offset", async () => {
    const store = await fresh();
    await importRows(store, "a", range("a", 0, 30));
    await importRows(
      store,
      "b",
      range("b", 30, 40).map((i) => ({ ...i, sourceSystem: "other" })),
    );
    const start = Date.UTC(2024, 0, 1);
    expect(await store.incidents.count({ sourceSystem: "other" })).toBe(10);
    expect(await store.incidents.count({ batchId: asBatchId("a") })).toBe(30);
    expect(await store.incidents.count({ from: start + 10 * 60_000, to: start + 35 * 60_000 })).toBe(25);
    const page = await store.incidents.list({ limit: 5, offset: 10 });
    expect(page.map((i) => i.sourceId)).toEqual(["P10", "P11", "P12", "P13", "P14"]);
    expect((await store.incidents.list({ offset: 38 })).map((i) => i.sourceId)).toEqual(["P38", "P39"]);
  });

  test("list and count find the incidents at a place, of a unit, of a caller and of a category", async () => {
    const store = await fresh();
    const at = (n: number, overrides: Parameters<typeof makeIncident>[0]) =>
      makeIncident({
        sourceId: `W${n}`,
        batchId: asBatchId("w"),
        receivedAt: asEpochMs(1_700_000_000_000 + n),
        ...overrides,
      });
    const rows = [
      at(1, { location: { poi: "阳光小区", building: "阳光小区:3", room: "阳光小区:3:501" } }),
      at(2, { location: { poi: "阳光小区", building: "阳光小区:4" }, stationUnit: asUnitCode("S1") }),
      at(3, {
        location: { road: "江南大道:88" },
        stationUnit: asUnitCode("S1"),
        callerPseudonym: asPseudonym("c1"),
      }),
      at(4, {
        location: { cross: "江南大道|滨盛路" },
        branchUnit: asUnitCode("B1"),
        callerPseudonym: asPseudonym("c1"),
      }),
      at(5, {
        category: "traffic",
        subtype: "accident",
        areaUnit: asUnitCode("A9"),
        cityUnit: asUnitCode("C1"),
      }),
    ];
    await importRows(store, "w", rows);
    const ids = async (q: Parameters<Store["incidents"]["list"]>[0]) =>
      (await store.incidents.list(q)).map((i) => i.sourceId);
    expect(await ids({ place: { level: "poi", key: "阳光小区" } })).toEqual(["W1", "W2"]);
    expect(await ids({ place: { level: "building", key: "阳光小区:3" } })).toEqual(["W1"]);
    expect(await ids({ place: { level: "room", key: "阳光小区:3:501" } })).toEqual(["W1"]);
    expect(await ids({ place: { level: "road", key: "江南大道:88" } })).toEqual(["W3"]);
    expect(await ids({ place: { level: "cross", key: "江南大道|滨盛路" } })).toEqual(["W4"]);
    expect(await ids({ place: { level: "unit", key: "阳光小区:3:1" } })).toEqual([]);
    expect(await ids({ unit: { level: "station", code: "S1" } })).toEqual(["W2", "W3"]);
    expect(await ids({ unit: { level: "branch", code: "B1" } })).toEqual(["W4"]);
    expect(await ids({ unit: { level: "area", code: "A9" } })).toEqual(["W5"]);
    expect(await ids({ unit: { level: "city", code: "C1" } })).toEqual(["W5"]);
    expect(await ids({ callerPseudonym: "c1", unit: { level: "station", code: "S1" } })).toEqual(["W3"]);
    expect(await store.incidents.count({ category: "traffic" })).toBe(1);
    expect(
      await store.incidents.count({ category: "dispute", place: { level: "poi", key: "阳光小区" } }),
    ).toBe(2);
  });

  test("a batch announced as big finds the same places, and a rolled back one keeps every index", async () => {
    const store = await fresh();
    const indexes = async () =>
      store.dialect === "sqlite"
        ? (
            await sql<{
              name: string;
            }>`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'incidents' ORDER BY name`.execute(
              store.db,
            )
          ).rows.map((r) => r.name)
        : [];
    const before = await indexes();
    const placed = (batch: string, from: number, to: number) =>
      range(batch, from, to).map((i, k) => ({
        ...i,
        location: { ...i.location, poi: `poi${(from + k) % 7}`, room: `room${from + k}` },
        callerPseudonym: asPseudonym(`c${(from + k) % 5}`),
      }));
    // Bulk mode on SQLite: the place and caller indexes are built at commit.
    const big = { expectedRows: 1_000_000 };
    const writer = await store.beginBatch(newBatch("big", big));
    expect(await writer.insertIncidents(placed("big", 0, 300))).toBe(300);
    await writer.commit(summaryOf(300, 300));
    expect(await indexes()).toEqual(before);
    expect(await store.incidents.count({ place: { level: "poi", key: "poi3" } })).toBe(43);
    expect(await store.incidents.count({ place: { level: "room", key: "room299" } })).toBe(1);
    expect(await store.incidents.count({ callerPseudonym: "c4" })).toBe(60);

    const undone = await store.beginBatch(newBatch("undone", big));
    await undone.insertIncidents(placed("undone", 300, 400));
    await undone.rollback();
    expect(await indexes()).toEqual(before);
    expect(await store.incidents.count()).toBe(300);
    // The table is bigger than this batch now: it goes into the indexes row by row.
    expect(await importRows(store, "small", placed("small", 300, 310))).toBe(10);
    expect(await store.incidents.count({ place: { level: "room", key: "room305" } })).toBe(1);
  });

  test("relocate replaces the keys and components of the incidents named, and finds them by the new keys", async () => {
    const store = await fresh();
    const rows = [1, 2, 3].map((n) =>
      makeIncident({
        sourceId: `R${n}`,
        batchId: asBatchId("r"),
        receivedAt: asEpochMs(1_700_000_000_000 + n),
        address: "阳光小区3栋501",
        location: { poi: "阳光小区", building: "阳光小区:3", room: "阳光小区:3:501" },
        addressComponents: addressComponentsJson([{ label: "poi", text: "阳光小区3栋501" }]),
      }),
    );
    await importRows(store, "r", rows);
    const [first, second] = rows as [Incident, Incident, Incident];
    const location = {
      poi: "阳光小区",
      building: "阳光小区:3",
      unit: null,
      room: "阳光小区:3:501",
      road: null,
      cross: null,
    };
    const components = addressComponentsJson([
      { label: "poi", text: "阳光小区" },
      { label: "houseno", text: "3栋" },
      { label: "roomno", text: "501" },
    ]);
    expect(
      await store.incidents.relocate([
        { id: first.id, location: { ...location, room: "阳光小区:3:502" }, addressComponents: components },
        { id: second.id, location, addressComponents: null },
        { id: asIncidentId("no-such-incident"), location, addressComponents: null },
      ]),
    ).toBe(2);
    const moved = await store.incidents.getById(first.id);
    expect(moved?.location.room).toBe("阳光小区:3:502");
    expect(moved?.addressComponents).toBe(components);
    expect((await store.incidents.getById(second.id))?.addressComponents ?? null).toBeNull();
    expect(await store.incidents.count({ place: { level: "room", key: "阳光小区:3:502" } })).toBe(1);
    expect(await store.incidents.count({ place: { level: "room", key: "阳光小区:3:501" } })).toBe(2);
    expect(await store.incidents.relocate([])).toBe(0);
  });

  test("relocate with masked texts replaces those texts only, and the quotes of them in the incident's quality issues", async () => {
    const store = await fresh();
    const raw = {
      address: "阳光小区3栋501室 张先生13812345678",
      disposition: "已联系13912345678",
      sourceCategory: "纠纷13700001111",
      narrative: "邻居吵闹",
      feedback: "已调解",
    };
    const rows = [1, 2].map((n) =>
      makeIncident({
        sourceId: `M${n}`,
        batchId: asBatchId("m"),
        receivedAt: asEpochMs(1_700_000_000_000 + n),
        ...raw,
        location: { poi: "阳光小区", building: "阳光小区:3", room: "阳光小区:3:501" },
      }),
    );
    await importRows(store, "m", rows);
    const [first, second] = rows as [Incident, Incident];
    const quality = qualityRepository(store);
    const issues = [
      { code: "missing_address" as const, severity: "error" as const, field: "address", value: raw.address },
      {
        code: "outcome_mismatch" as const,
        severity: "warning" as const,
        field: "disposition",
        value: raw.disposition,
        params: { outcome: "invalid" },
      },
      {
        code: "late_feedback" as const,
        severity: "warning" as const,
        field: "closedAt",
        value: "2024-05-01 20:30",
      },
    ];
    await quality.saveResults(
      rows.map((i) => ({ incidentId: i.id, score: 70, issues })),
      1_714_600_000_000,
    );
    const texts = {
      address: "阳光小区3栋501室 张先生〔手机号〕",
      disposition: "已联系〔手机号〕",
      sourceCategory: "纠纷〔手机号〕",
    };
    expect(
      await store.incidents.relocate([
        { id: first.id, location: first.location, addressComponents: null, texts },
      ]),
    ).toBe(1);
    const masked = await store.incidents.getById(first.id);
    expect(masked).toMatchObject({ ...texts, narrative: raw.narrative, feedback: raw.feedback });
    expect(masked?.location).toEqual(first.location);
    // The other incident and its result are as stored.
    expect(await store.incidents.getById(second.id)).toMatchObject(raw);
    const result = await quality.getResult(first.id);
    expect(result?.score).toBe(70);
    expect(result?.issues.map((i) => i.value)).toEqual([
      texts.address,
      texts.disposition,
      "2024-05-01 20:30",
    ]);
    expect(JSON.stringify(result)).not.toContain("13812345678");
    expect((await quality.getResult(second.id))?.issues[0]?.value).toBe(raw.address);
  });

  test("a later export fills in and corrects a stored call, and a null never clears a stored value", async () => {
    const store = await fresh();
    const first = call("b1", 1, {
      acceptedAt: asEpochMs(T0 + 37 * MIN + 20_000),
      disposition: "处置中",
      callerPseudonym: asPseudonym("p-1"),
      callerNumberEnc: "v1:iv-a:ciphertext",
    });
    expect((await importBatch(store, "b1", [first, call("b1", 2)])).imported).toBe(2);
    const later = call("b2", 1, {
      acceptedAt: first.acceptedAt,
      arrivedAt: asEpochMs(T0 + 37 * MIN + 9 * MIN),
      disposition: "现场调解",
      feedback: "民警到场调解，双方达成一致",
      narrative: null,
      callerPseudonym: asPseudonym("p-1"),
      // The same number encrypted again: another IV, the same pseudonym.
      callerNumberEnc: "v1:iv-b:ciphertext",
    });
    const batch = await importBatch(store, "b2", [later, call("b2", 2), call("b2", 3)]);
    expect(batch).toMatchObject({ imported: 1, updated: 1, stale: 0, duplicates: 1 });
    expect(await store.batches.get(asBatchId("b2"))).toMatchObject({ updated: 1, stale: 0, duplicates: 1 });
    expect(await store.incidents.get(first.sourceSystem, "X1")).toEqual({
      ...first,
      arrivedAt: later.arrivedAt,
      disposition: "现场调解",
      feedback: "民警到场调解，双方达成一致",
    });
    // The incident stays in its first batch.
    expect(await store.incidents.count({ batchId: asBatchId("b1") })).toBe(2);
    const [revision, ...more] = await revisions(store);
    expect(more).toEqual([]);
    expect(revision).toMatchObject({ incident_id: first.id, batch_id: "b2" });
    expect(JSON.parse(revision!.columns)).toEqual(["arrived_at", "disposition", "feedback"]);
    expect(JSON.parse(revision!.previous)).toEqual({
      arrived_at: null,
      disposition: "处置中",
      feedback: null,
    });
  });

  test("another caller replaces the stored number with the pseudonym, even by none", async () => {
    const store = await fresh();
    await importBatch(store, "b1", [
      call("b1", 1, { callerPseudonym: asPseudonym("p-1"), callerNumberEnc: "v1:iv-a:number-1" }),
    ]);
    // A corrected caller from an export whose profile keeps no numbers.
    const later = call("b2", 1, { callerPseudonym: asPseudonym("p-2"), callerNumberEnc: null });
    expect(await importBatch(store, "b2", [later])).toMatchObject({ updated: 1 });
    expect(await store.incidents.get("test", "X1")).toMatchObject({
      callerPseudonym: "p-2",
      callerNumberEnc: null,
    });
    const [revision] = await revisions(store);
    expect(JSON.parse(revision!.previous)).toEqual({
      caller_pseudonym: "p-1",
      caller_number_enc: "v1:iv-a:number-1",
    });
  });

  test("a later export without a category leaves the stored category and subtype", async () => {
    const store = await fresh();
    const first = call("b1", 1, { category: "criminal", subtype: "theft", sourceCategory: "盗窃" });
    await importBatch(store, "b1", [first]);
    // An export of feedback times only: no category cell, so the importer gave its default.
    const arrivedAt = asEpochMs(T0 + 37 * MIN + 9 * MIN);
    const later = call("b2", 1, { category: "other", subtype: null, sourceCategory: null, arrivedAt });
    expect(await importBatch(store, "b2", [later])).toMatchObject({ updated: 1 });
    expect(await store.incidents.get("test", "X1")).toEqual({ ...first, arrivedAt });
    expect(JSON.parse((await revisions(store))[0]!.columns)).toEqual(["arrived_at"]);
    // Without anything else new it is a duplicate.
    const again = call("b3", 1, { category: "other", subtype: null, sourceCategory: null });
    expect(await importBatch(store, "b3", [again])).toMatchObject({ updated: 0, duplicates: 1 });
  });

  test("a recoded category takes its subtype along, even none", async () => {
    const store = await fresh();
    await importBatch(store, "b1", [
      call("b1", 1, { category: "criminal", subtype: "theft", sourceCategory: "盗窃" }),
    ]);
    const later = call("b2", 1, { category: "dispute", subtype: null, sourceCategory: "纠纷" });
    expect(await importBatch(store, "b2", [later])).toMatchObject({ updated: 1 });
    expect(await store.incidents.get("test", "X1")).toMatchObject({ category: "dispute", subtype: null });
    expect(JSON.parse((await revisions(store))[0]!.previous)).toEqual({
      category: "criminal",
      subtype: "theft",
      source_category: "盗窃",
    });
  });

  test("a call moved to another station leaves no community area of the old one", async () => {
    const store = await fresh();
    await importBatch(store, "b1", [
      call("b1", 1, { stationUnit: asUnitCode("330110"), areaUnit: asUnitCode("33011001") }),
    ]);
    const later = call("b2", 1, { stationUnit: asUnitCode("330111"), areaUnit: null });
    expect(await importBatch(store, "b2", [later])).toMatchObject({ updated: 1 });
    expect(await store.incidents.get("test", "X1")).toMatchObject({ stationUnit: "330111", areaUnit: null });
    // The same station again without an area keeps the stored one.
    await importBatch(store, "b3", [
      call("b3", 1, { stationUnit: asUnitCode("330111"), areaUnit: asUnitCode("33011102") }),
    ]);
    expect(
      await importBatch(store, "b4", [call("b4", 1, { stationUnit: asUnitCode("330111") })]),
    ).toMatchObject({
      duplicates: 1,
    });
    expect(await store.incidents.get("test", "X1")).toMatchObject({ areaUnit: "33011102" });
    const rollups = await readAllRollups(store);
    await store.db.transaction().execute((trx) => rebuildIndicatorRollups(trx as never));
    expect(rollups).toEqual(await readAllRollups(store));
  });

  test("an older export is stale and not applied, a subset is a duplicate, equal progress corrects", async () => {
    const store = await fresh();
    const done = {
      acceptedAt: asEpochMs(T0 + 1 * MIN),
      dispatchedAt: asEpochMs(T0 + 2 * MIN),
      arrivedAt: asEpochMs(T0 + 9 * MIN),
      closedAt: asEpochMs(T0 + 40 * MIN),
      disposition: "现场调解",
      feedback: "已调解",
    };
    const stored = [
      call("b1", 1, done),
      call("b1", 2, done),
      call("b1", 3, { acceptedAt: done.acceptedAt, disposition: "处置中" }),
    ];
    await importBatch(store, "b1", stored);
    const older = [
      // Last month's file: still open then, with a category recoded since.
      call("b2", 1, { acceptedAt: done.acceptedAt, category: "public_order" }),
      // Fewer fields, none different: a subset.
      call("b2", 2, { acceptedAt: done.acceptedAt, dispatchedAt: done.dispatchedAt, narrative: null }),
      // As far along as the stored row, with a corrected disposition: the last import wins.
      call("b2", 3, { acceptedAt: done.acceptedAt, disposition: "已处置" }),
    ];
    const batch = await importBatch(store, "b2", older);
    expect(batch).toMatchObject({ imported: 0, updated: 1, stale: 1, duplicates: 1 });
    expect(await store.incidents.get("test", "X1")).toEqual(stored[0]);
    expect(await store.incidents.get("test", "X2")).toEqual(stored[1]);
    expect(await store.incidents.get("test", "X3")).toEqual({ ...stored[2], disposition: "已处置" });
    expect((await revisions(store)).map((r) => r.incident_id)).toEqual([stored[2]!.id]);
    // The same older file again: nothing changes, the stale row stays stale.
    const again = older.map((i) => ({ ...i, batchId: asBatchId("b3") }));
    expect(await importBatch(store, "b3", again)).toMatchObject({ updated: 0, stale: 1, duplicates: 2 });
  });

  test("a key repeated in one batch merges into the stored call in file order", async () => {
    const store = await fresh();
    await importBatch(store, "b1", [call("b1", 1)]);
    const a = call("b2", 1, { acceptedAt: asEpochMs(T0 + 38 * MIN) });
    const b = call("b2", 1, { acceptedAt: asEpochMs(T0 + 38 * MIN), feedback: "已处理" });
    expect(await importBatch(store, "b2", [a, b])).toMatchObject({ updated: 2, stale: 0, duplicates: 0 });
    expect(await store.incidents.get("test", "X1")).toMatchObject({
      acceptedAt: a.acceptedAt,
      feedback: "已处理",
      batchId: "b1",
    });
    expect(await revisions(store)).toHaveLength(2);
  });

  test("a call written again later in the same file with more progress is merged and counted updated", async () => {
    const store = await fresh();
    const accepted = call("b1", 1, { acceptedAt: asEpochMs(T0 + 37 * MIN + 20_000), disposition: "处置中" });
    const done = call("b1", 1, {
      acceptedAt: accepted.acceptedAt,
      arrivedAt: asEpochMs(T0 + 37 * MIN + 9 * MIN),
      disposition: "现场调解",
      feedback: "民警到场调解，双方达成一致",
      narrative: null,
    });
    const batch = await importBatch(store, "b1", [accepted, call("b1", 2), done]);
    expect(batch).toMatchObject({ rows: 3, imported: 2, updated: 1, stale: 0, duplicates: 0 });
    expect(await store.batches.get(asBatchId("b1"))).toMatchObject({
      imported: 2,
      updated: 1,
      duplicates: 0,
    });
    // The later row's values, the narrative of the first (a null never clears), the first's batch.
    expect(await store.incidents.get("test", "X1")).toEqual({
      ...accepted,
      arrivedAt: done.arrivedAt,
      disposition: "现场调解",
      feedback: "民警到场调解，双方达成一致",
    });
    // Auditors see what the later row replaced.
    const [revision, ...more] = await revisions(store);
    expect(more).toEqual([]);
    expect(revision).toMatchObject({ incident_id: accepted.id, batch_id: "b1" });
    expect(JSON.parse(revision!.previous)).toEqual({
      arrived_at: null,
      disposition: "处置中",
      feedback: null,
    });
  });

  test("a call written twice in one file with the same values, or fewer, is a duplicate", async () => {
    const store = await fresh();
    const full = call("b1", 1, { acceptedAt: asEpochMs(T0 + 37 * MIN + 20_000), feedback: "已处理" });
    const fewer = call("b1", 1, { acceptedAt: full.acceptedAt, narrative: null });
    const batch = await importBatch(store, "b1", [full, call("b1", 2), { ...full }, fewer]);
    expect(batch).toMatchObject({ imported: 2, updated: 0, stale: 0, duplicates: 2 });
    expect(await store.incidents.get("test", "X1")).toEqual(full);
    expect(await revisions(store)).toEqual([]);
  });

  test("a call written again later in the same file with less progress and other values is stale", async () => {
    const store = await fresh();
    const done = call("b1", 1, {
      acceptedAt: asEpochMs(T0 + 37 * MIN + 20_000),
      dispatchedAt: asEpochMs(T0 + 38 * MIN),
      arrivedAt: asEpochMs(T0 + 46 * MIN),
      feedback: "已处理",
    });
    // Written when the call was accepted, with the category as first coded.
    const early = call("b1", 1, { acceptedAt: done.acceptedAt, category: "public_order" });
    expect(await importBatch(store, "b1", [done, early])).toMatchObject({
      imported: 1,
      updated: 0,
      stale: 1,
      duplicates: 0,
    });
    expect(await store.incidents.get("test", "X1")).toEqual(done);
    expect(await revisions(store)).toEqual([]);
  });

  test("repeats across statements and chunks in flight apply in file order, and the derived tables equal their rebuild", async () => {
    const store = await fresh();
    // An earlier batch, scored: its calls' quality results and buckets exist.
    const earlier = Array.from({ length: 30 }, (_, n) => call("b0", 20_000 + n));
    await importBatch(store, "b0", earlier);
    await qualityRepository(store).saveResults(
      earlier.map((i) => ({ incidentId: i.id, score: 90, issues: [] })),
      1_714_600_000_000,
    );
    // 12,000 rows: more than one statement on either store (200 / 5,000 rows) and three chunks.
    const rows = Array.from({ length: 12_000 }, (_, n) => call("big", n));
    const r = (n: number) => rows[n]!;
    const at = (n: number, minutes: number) => asEpochMs(r(n).receivedAt + minutes * MIN);
    const versions = [
      // Row 10: accepted, at station 3301 0 1.
      { acceptedAt: at(10, 1) },
      // Row 5,000: dispatched, arrived, moved to another station and its time corrected by a day.
      {
        acceptedAt: at(10, 1),
        dispatchedAt: at(10, 2),
        arrivedAt: at(10, 9),
        stationUnit: asUnitCode("330199"),
        receivedAt: asEpochMs(r(10).receivedAt + 24 * 60 * MIN),
      },
      // Row 8,000: an older snapshot with the category recoded: stale.
      { acceptedAt: at(10, 1), category: "criminal" as const },
      // Row 11,000: as far along as row 5,000, with feedback: merged.
      {
        acceptedAt: at(10, 1),
        dispatchedAt: at(10, 2),
        arrivedAt: at(10, 9),
        stationUnit: asUnitCode("330199"),
        receivedAt: asEpochMs(r(10).receivedAt + 24 * 60 * MIN),
        feedback: "已处理",
      },
    ];
    for (const [k, n] of [10, 5_000, 8_000, 11_000].entries()) rows[n] = call("big", 10, versions[k]);
    // A call of the earlier batch, updated twice in the file; an exact repeat across chunks.
    rows[20] = call("big", 20_003, { acceptedAt: asEpochMs(earlier[3]!.receivedAt + MIN) });
    rows[9_500] = call("big", 20_003, {
      acceptedAt: asEpochMs(earlier[3]!.receivedAt + MIN),
      arrivedAt: asEpochMs(earlier[3]!.receivedAt + 12 * MIN),
    });
    rows[7_000] = { ...r(30) };
    const writer = await store.beginBatch(newBatch("big"));
    const chunks: Promise<number>[] = [];
    for (let i = 0; i < rows.length; i += 4_000)
      chunks.push(writer.insertIncidents(rows.slice(i, i + 4_000)));
    const imported = (await Promise.all(chunks)).reduce((a, b) => a + b, 0);
    expect(writer.updates).toEqual({ updated: 4, stale: 1 });
    const batch = await writer.commit({
      rows: rows.length,
      imported,
      rejected: 0,
      duplicates: rows.length - imported - 5,
      finishedAt: 1,
    });
    // New: 12,000 rows less X10's three repeats, X30's repeat, the two rows of the earlier call.
    expect(batch).toMatchObject({ imported: 11_994, updated: 4, stale: 1, duplicates: 1 });
    // The same rows one by one, in file order, in another store: the same call.
    const reference = await fresh();
    for (const [k, v] of versions.entries())
      await importBatch(reference, `ref${k}`, [call(`ref${k}`, 10, v)]);
    const expected = await reference.incidents.get("test", "X10");
    expect(await store.incidents.get("test", "X10")).toEqual({ ...expected, batchId: "big" });
    expect(await store.incidents.get("test", "X10")).toMatchObject({
      stationUnit: "330199",
      feedback: "已处理",
    });
    expect(await store.incidents.get("test", "X20003")).toMatchObject({
      batchId: "b0",
      arrivedAt: earlier[3]!.receivedAt + 12 * MIN,
    });
    expect((await revisions(store)).map((v) => [v.batch_id, JSON.parse(v.columns)])).toEqual([
      ["big", ["accepted_at"]],
      ["big", ["received_at", "dispatched_at", "arrived_at", "station_unit"]],
      ["big", ["arrived_at"]],
      ["big", ["feedback"]],
    ]);
    // The earlier call's stored quality result scored the old values: gone.
    expect(await qualityRepository(store).getResult(earlier[3]!.id)).toBeUndefined();
    expect(await store.incidents.count({ batchId: asBatchId("big") })).toBe(11_994);
    await expectDerivedTablesRebuilt(store);
  });

  test("a batch with a call repeated statements apart: its rollups equal their rebuild", async () => {
    const store = await fresh();
    // More rows than two pages of the read-back (READ_BACK_PAGE), and one call repeated 45,000
    // rows later (its first row went in an earlier statement): the batch inserts fewer rows than
    // it was given. Each store names the row it did not insert (PostgreSQL from its insert's
    // RETURNING) and the rollups take it away, without reading the batch's rows back.
    const rows = range("paged", 0, 2 * READ_BACK_PAGE + 5_000);
    const readBacks = rollupTesting.readBacks;
    const writer = await store.beginBatch(newBatch("paged"));
    const inserted = await writer.insertIncidents([...rows, rows[7]!]);
    await writer.commit(summaryOf(rows.length + 1, inserted));
    expect(rollupTesting.readBacks).toBe(readBacks);
    expect(inserted).toBe(rows.length);
    expect(await store.incidents.count()).toBe(rows.length);
    const rollups = await readAllRollups(store);
    expect(rollups.reduce((n, r) => n + (r.level === "station" ? r.incidents : 0), 0)).toBe(rows.length);
    await store.db.transaction().execute((trx) => rebuildIndicatorRollups(trx as never));
    expect(rollups).toEqual(await readAllRollups(store));
  });

  test("after updates the rollups and scorecard buckets equal their rebuild", async () => {
    const store = await fresh();
    const first = Array.from({ length: 40 }, (_, n) =>
      call("b1", n, n % 4 === 0 ? { acceptedAt: asEpochMs(T0 + n * 37 * MIN + 30_000) } : {}),
    );
    await importBatch(store, "b1", first);
    const quality = qualityRepository(store);
    await quality.saveResults(
      first.map((i, n) => ({
        incidentId: i.id,
        score: n % 3 === 0 ? 80 : 100,
        issues: n % 3 === 0 ? [{ code: "late_feedback" as const, severity: "warning" as const }] : [],
      })),
      1_714_600_000_000,
    );
    await quality.openReviews([
      openReview({
        id: "r5",
        incidentId: first[5]!.id,
        level: "city",
        reviewer: "C",
        station: "S",
        at: 0,
        by: "a",
      }),
      openReview({
        id: "r6",
        incidentId: first[6]!.id,
        level: "city",
        reviewer: "C",
        station: "S",
        at: 0,
        by: "a",
      }),
    ]);
    await quality.appendEvent("r5", { kind: "pass", at: 1, by: "city" });
    await quality.appendEvent("r6", { kind: "pass", at: 1, by: "city" });
    // The later export: arrivals and feedback filled in, a station recoded, a time corrected to
    // another day, a category recoded; and new calls.
    const later = [
      ...first.slice(0, 12).map((i, n) =>
        call("b2", n, {
          acceptedAt: i.acceptedAt ?? asEpochMs(i.receivedAt + 20_000),
          dispatchedAt: asEpochMs(i.receivedAt + 2 * MIN),
          arrivedAt: asEpochMs(i.receivedAt + (n + 3) * MIN),
          feedback: "已处理",
          ...(n === 3 ? { stationUnit: asUnitCode("330199") } : {}),
          ...(n === 5 ? { receivedAt: asEpochMs(i.receivedAt + 26 * 60 * MIN) } : {}),
          ...(n === 7 ? { category: "criminal" as const } : {}),
        }),
      ),
      ...Array.from({ length: 6 }, (_, k) => call("b2", 100 + k)),
    ];
    // The daily quality and repeat totals were made before the update: marked for a refresh.
    await store.settings.set("indicators.extra_days.quality", "1714600000000:");
    expect(await importBatch(store, "b2", later)).toMatchObject({ imported: 6, updated: 12 });
    expect(await store.settings.get("indicators.extra_days.quality")).toBeUndefined();
    // The updated incidents' stored results are stale: gone, to be scored afresh.
    expect(await quality.getResult(first[0]!.id)).toBeUndefined();
    expect(await quality.getResult(first[12]!.id)).toBeDefined();
    await expectDerivedTablesRebuilt(store);
  });

  test("two batches updating the same call at once both apply, the second to what the first left", async () => {
    const store = await fresh();
    await importBatch(store, "c0", [call("c0", 1)]);
    const summary = { rows: 1, imported: 0, rejected: 0, duplicates: 0, finishedAt: 1 };
    const a = await store.beginBatch(newBatch("ca"));
    // SQLite: waits for the first batch to end; PostgreSQL: runs beside it.
    const second = store.beginBatch(newBatch("cb")).then(async (b) => {
      await b.insertIncidents([call("cb", 1, { feedback: "已处理" })]);
      return b.commit(summary);
    });
    await a.insertIncidents([call("ca", 1, { arrivedAt: asEpochMs(T0 + 37 * MIN + 9 * MIN) })]);
    // Give the second batch time to reach the stored call while the first holds it.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await a.commit(summary)).toMatchObject({ updated: 1 });
    expect(await second).toMatchObject({ updated: 1 });
    expect(await store.incidents.get("test", "X1")).toMatchObject({
      arrivedAt: T0 + 37 * MIN + 9 * MIN,
      feedback: "已处理",
    });
    const rollups = await readAllRollups(store);
    await store.db.transaction().execute((trx) => rebuildIndicatorRollups(trx as never));
    expect(rollups).toEqual(await readAllRollups(store));
  });

  test("a later export never brings back what retention removed, and revisions lose it too", async () => {
    const store = await fresh();
    const caller = { callerPseudonym: asPseudonym("p-9"), callerNumberEnc: "v1:iv-a:ciphertext" };
    await importBatch(store, "r1", [call("r1", 1, { ...caller, narrative: "第一次描述" })]);
    await importBatch(store, "r2", [call("r2", 1, { ...caller, narrative: "第二次描述" })]);
    expect(JSON.parse((await revisions(store))[0]!.previous)).toEqual({ narrative: "第一次描述" });
    const cutoff = T0 + 86_400_000;
    await applyRetention(store, {
      callerBefore: cutoff,
      narrativeBefore: cutoff,
      auditBefore: 0,
      attachmentsBefore: 0,
    });
    expect(JSON.parse((await revisions(store))[0]!.previous)).toEqual({ narrative: null });
    const arrivedAt = asEpochMs(T0 + 37 * MIN + 9 * MIN);
    const later = call("r3", 1, { ...caller, narrative: "第三次描述", feedback: "已处理", arrivedAt });
    expect(await importBatch(store, "r3", [later])).toMatchObject({ updated: 1 });
    expect(await store.incidents.get("test", "X1")).toMatchObject({
      arrivedAt,
      narrative: null,
      feedback: null,
      callerPseudonym: null,
      callerNumberEnc: null,
    });
    expect(JSON.parse((await revisions(store))[1]!.columns)).toEqual(["arrived_at"]);
  });

  test("after retention removed a feedback, an older export is still stale", async () => {
    const store = await fresh();
    const at = (minutes: number) => asEpochMs(T0 + 37 * MIN + minutes * MIN);
    const done = call("r1", 1, {
      acceptedAt: at(1),
      dispatchedAt: at(2),
      arrivedAt: at(9),
      closedAt: at(40),
      disposition: "现场调解",
      feedback: "已调解",
    });
    await importBatch(store, "r1", [done]);
    const cutoff = T0 + 86_400_000;
    await applyRetention(store, {
      callerBefore: 0,
      narrativeBefore: cutoff,
      auditBefore: 0,
      attachmentsBefore: 0,
    });
    // Last month's file: not yet closed, another disposition, a feedback of its own.
    const older = call("r2", 1, {
      acceptedAt: at(1),
      dispatchedAt: at(2),
      arrivedAt: at(9),
      disposition: "处置中",
      feedback: "正在处理",
    });
    expect(await importBatch(store, "r2", [older])).toMatchObject({ updated: 0, stale: 1 });
    expect(await store.incidents.get("test", "X1")).toMatchObject({
      disposition: "现场调解",
      feedback: null,
    });
  });

  test("a rolled back batch applies no update and records no revision", async () => {
    const store = await fresh();
    const first = call("b1", 1);
    await importBatch(store, "b1", [first]);
    const rollups = await readAllRollups(store);
    const writer = await store.beginBatch(newBatch("b2"));
    await writer.insertIncidents([call("b2", 1, { feedback: "已处理", stationUnit: asUnitCode("330199") })]);
    expect(writer.updates).toEqual({ updated: 1, stale: 0 });
    await writer.rollback();
    expect(await store.incidents.get("test", "X1")).toEqual(first);
    expect(await revisions(store)).toEqual([]);
    expect(await readAllRollups(store)).toEqual(rollups);
  });

  test("re-importing a file quarantines its rejected rows once", async () => {
    const store = await fresh();
    const quarantine = async (batch: string, rows: number[], sha = "ab".repeat(32)) => {
      const writer = await store.beginBatch(newBatch(batch, { fileSha256: sha }));
      await writer.insertQuarantine(rows.map((r) => quarantined(batch, r)));
      await writer.commit({ ...summaryOf(rows.length, 0), rejected: rows.length, duplicates: 0 });
    };
    await quarantine("q1", [3, 5]);
    await quarantine("q2", [3, 5, 7]);
    expect(await store.quarantine.count()).toBe(3);
    expect((await store.quarantine.list(asBatchId("q2"))).map((r) => r.row)).toEqual([7]);
    // Another file (another hash) keeps its own rejected rows.
    await quarantine("q3", [3], "cd".repeat(32));
    expect(await store.quarantine.count()).toBe(4);
  });

  test("settings keep the last value written", async () => {
    const store = await fresh();
    expect(await store.settings.get("taxonomy")).toBeUndefined();
    await store.settings.set("taxonomy", "default");
    await store.settings.set("taxonomy", "临江市 2024");
    expect(await store.settings.get("taxonomy")).toBe("临江市 2024");
  });

  test("chunks sent before the previous one is done are applied in order", async () => {
    const store = await fresh();
    const writer = await store.beginBatch(newBatch("flight"));
    const rows = range("flight", 0, 900);
    const counts = await Promise.all([
      writer.insertIncidents(rows.slice(0, 400)),
      writer.insertIncidents(rows.slice(300, 700)),
      writer.insertIncidents(rows.slice(600, 900)),
      writer.insertIncidents([]),
    ]);
    await writer.commit(summaryOf(1100, 900));
    expect(counts).toEqual([400, 300, 200, 0]);
    expect((await store.incidents.list({ offset: 899 }))[0]?.sourceId).toBe("P899");
  });

  test("chunks sent before the previous one is done update a stored call in order", async () => {
    const store = await fresh();
    await importBatch(store, "u1", [call("u1", 1), call("u1", 2)]);
    const writer = await store.beginBatch(newBatch("u2"));
    const arrivedAt = asEpochMs(T0 + 37 * MIN + 9 * MIN);
    // The second chunk is sent while the first is still merging into X1.
    const counts = await Promise.all([
      writer.insertIncidents([call("u2", 1, { arrivedAt }), call("u2", 3)]),
      writer.insertIncidents([call("u2", 1, { feedback: "已处理" }), call("u2", 2)]),
    ]);
    expect(counts).toEqual([1, 0]);
    expect(writer.updates).toEqual({ updated: 2, stale: 0 });
    await writer.commit({ rows: 4, imported: 1, rejected: 0, duplicates: 1, finishedAt: 1 });
    expect(await store.incidents.get("test", "X1")).toMatchObject({ arrivedAt, feedback: "已处理" });
    expect((await revisions(store)).map((r) => JSON.parse(r.columns))).toEqual([
      ["arrived_at"],
      ["feedback"],
    ]);
    const rollups = await readAllRollups(store);
    await store.db.transaction().execute((trx) => rebuildIndicatorRollups(trx as never));
    expect(rollups).toEqual(await readAllRollups(store));
  });

  test("two batches begun at the same time both complete", async () => {
    const store = await fresh();
    const [a, b] = await Promise.all([
      importRows(store, "left", range("left", 0, 500)),
      importRows(store, "right", range("right", 250, 750)),
    ]);
    expect(a + b).toBe(750);
    expect(await store.incidents.count()).toBe(750);
  });

  test.skipIf(!traits.persistent)(
    "a second store on the same database waits for the open batch, then writes",
    async () => {
      const { store, location } = await target.fresh();
      opened.push(store);
      const other = await target.open(location);
      opened.push(other);
      const first = await store.beginBatch(newBatch("first"));
      await first.insertIncidents(range("first", 0, 100));
      const second = importRows(other, "second", range("second", 50, 150));
      await new Promise((resolve) => setTimeout(resolve, 200));
      await first.commit(summaryOf(100, 100));
      expect(await second).toBe(50);
      expect(await store.incidents.count()).toBe(150);
    },
  );

  test("closing the store with a batch open rolls the batch back", async () => {
    const { store, location } = await target.fresh();
    const writer = await store.beginBatch(newBatch("unfinished"));
    await writer.insertIncidents(range("unfinished", 0, 50));
    await store.close();
    if (!traits.persistent) return;
    const again = await target.open(location);
    opened.push(again);
    expect(await again.incidents.count()).toBe(0);
    expect(await again.batches.list()).toEqual([]);
  });

  test.skipIf(!traits.persistent)("reopening runs no migration twice and keeps the data", async () => {
    const { store, location } = await target.fresh();
    await importRows(store, "keep", range("keep", 0, 10));
    await store.close();
    await (await target.open(location)).close();
    const again = await target.open(location);
    opened.push(again);
    expect(await again.incidents.count()).toBe(10);
    const applied = await again.db
      .withTables<{ kysely_migration: { name: string } }>()
      .selectFrom("kysely_migration")
      .select("name")
      .execute();
    expect(applied.map((m) => m.name)).toEqual(MIGRATIONS.map(([name]) => name));
  });
}

function quarantined(batch: string, row: number): QuarantinedRow {
  return {
    batchId: asBatchId(batch) as BatchId,
    file: "导出/2024-05.csv",
    row,
    issues: [
      {
        code: "bad_date",
        severity: "error",
        field: "receivedAt",
        row,
        file: "导出/2024-05.csv",
        value: "2024-13-45",
      },
      { code: "too_long", severity: "warning", field: "narrative", params: { max: 8000, unit: "字" } },
    ],
    recordEnc: `v1:${row}:ciphertext`,
  };
}

describe("sqlite store", () => {
  contractSuite(async () => sqliteTarget(), { isolatedReaders: true, persistent: true });
});

describe("sqlite :memory: store", () => {
  contractSuite(async () => memoryTarget(), { isolatedReaders: false, persistent: false });
});

const pgProblem = await pgUnreachable();
if (pgProblem === undefined) {
  describe("postgres store", () => {
    contractSuite(() => postgresTarget(), { isolatedReaders: true, persistent: true });
  });
} else if (REQUIRE_PG) {
  test("PostgreSQL is reachable (RECUR_REQUIRE_PG=1)", () => {
    throw new Error(`PostgreSQL unreachable at ${PG_URL}: ${pgProblem}`);
  });
} else {
  console.warn(
    `postgres store contract suite SKIPPED: ${PG_URL} unreachable (${pgProblem}). Set RECUR_TEST_PG_URL.`,
  );
  test.skip(`postgres store contract suite (skipped: PostgreSQL unreachable at ${PG_URL})`, () => {});
}
