import { sql } from "kysely";
import { afterAll, describe, expect, test } from "vitest";
import { makeIncident } from "../../test/builders.ts";
import {
  addressComponentsJson,
  asBatchId,
  asEpochMs,
  asPseudonym,
  asUnitCode,
  type Incident,
  seededRandom,
} from "../domain/index.ts";
import { qualityRepository } from "./quality-repository.ts";
import { expectDerivedTablesRebuilt } from "./testing/derived.ts";
import { newBatch, pgUnreachable, postgresTarget, type StoreTarget, sqliteTarget } from "./testing/stores.ts";
import type { Store } from "./types.ts";

/**
 * Differential test of later exports (docs/store.md, "Later exports"): a seeded sequence of
 * exports of the same calls, sent in chunks with one in flight, goes into SQLite and into
 * PostgreSQL and through an independent model of the documented rules written here. All three
 * must end with the same incidents, counts and revisions, and the rollups and scorecard buckets
 * must equal their rebuild.
 */

const T0 = Date.UTC(2024, 4, 1, 2, 0, 0);
const MIN = 60_000;
const DAY = 86_400_000;
const CALLS = 24;
/** Calls each export adds to those the sequence had so far. */
const NEW = 3;

type Key = keyof Incident;
const PROGRESS: readonly Key[] = [
  "acceptedAt",
  "dispatchedAt",
  "arrivedAt",
  "closedAt",
  "disposition",
  "feedback",
];
/** Fields a merge compares one by one (the key, id, batch and the address-derived ones aside). */
const MERGED: readonly Key[] = [
  "receivedAt",
  "acceptedAt",
  "dispatchedAt",
  "arrivedAt",
  "closedAt",
  "utcOffsetMin",
  "category",
  "subtype",
  "sourceCategory",
  "department",
  "address",
  "lon",
  "lat",
  "datum",
  "cityUnit",
  "branchUnit",
  "stationUnit",
  "areaUnit",
  "callerPseudonym",
  "callerNumberEnc",
  "narrative",
  "disposition",
  "feedback",
];

const FOLLOWERS: readonly (readonly [Key, readonly Key[]])[] = [
  ["category", ["subtype"]],
  ["callerPseudonym", ["callerNumberEnc"]],
  ["cityUnit", ["branchUnit", "stationUnit", "areaUnit"]],
  ["branchUnit", ["stationUnit", "areaUnit"]],
  ["stationUnit", ["areaUnit"]],
];

const ADDRESSES = [
  { address: "浙江省杭州市西湖区阳光小区3栋2单元501", poi: "阳光小区", room: "阳光小区:3:2:501" },
  { address: "浙江省杭州市西湖区红星路12号", poi: null, room: null },
  { address: "浙江省杭州市西湖区幸福里8号", poi: "幸福里", room: null },
] as const;

/** One export's view of call `n`: how far it had got, and what the export carries. */
function snapshot(rng: ReturnType<typeof seededRandom>, batch: string, n: number, iv: number): Incident {
  const received = T0 + n * 53 * MIN + (rng.int(6) === 0 ? DAY : 0);
  const stage = rng.int(5);
  const at = (k: number, minutes: number) => (stage > k ? asEpochMs(received + minutes * MIN) : null);
  const place = rng.int(5) === 0 ? null : ADDRESSES[rng.int(ADDRESSES.length)]!;
  const caller = rng.int(3);
  return makeIncident({
    sourceId: `X${n}`,
    batchId: asBatchId(batch),
    receivedAt: asEpochMs(received),
    acceptedAt: at(0, 1),
    dispatchedAt: at(1, 2 + rng.int(2)),
    arrivedAt: at(2, 9 + rng.int(3)),
    closedAt: at(3, 40),
    category: rng.pick(["dispute", "public_order", "criminal", "traffic"] as const),
    cityUnit: asUnitCode("330100"),
    branchUnit: asUnitCode("33010"),
    stationUnit: rng.int(4) === 0 ? null : asUnitCode(`33010${rng.int(2)}`),
    areaUnit: rng.int(4) === 0 ? asUnitCode(`33010${rng.int(2)}01`) : null,
    narrative: rng.int(3) === 0 ? null : `报警人称${rng.pick(["噪音", "纠纷", "被盗"])}`,
    disposition: stage > 2 && rng.int(2) === 0 ? rng.pick(["现场调解", "已处置"]) : null,
    feedback: stage > 3 && rng.int(2) === 0 ? "已处理" : null,
    callerPseudonym: caller === 0 ? null : asPseudonym(`p-${caller}`),
    // A random IV at every import: the ciphertext differs even for the same number.
    callerNumberEnc: caller === 0 ? null : `v1:iv-${iv}:number-${caller}`,
    address: place?.address ?? null,
    location: place ? { poi: place.poi, room: place.room } : {},
    addressComponents: place?.poi ? addressComponentsJson([{ label: "poi", text: place.poi }]) : null,
  });
}

/**
 * The exports of the sequence: rows in file order, some calls twice in one file (the second
 * snapshot of a call new in the file merges into the first, as a later export would).
 */
function exportsOf(seed: number): Incident[][] {
  const rng = seededRandom(seed);
  let iv = 0;
  return Array.from({ length: 8 }, (_, b) => {
    const rows: Incident[] = [];
    // Each export brings NEW calls it has not seen before (and the ones before it might have).
    const calls = CALLS + NEW * (b + 1);
    for (let n = 0; n < calls; n++) if (rng.int(3) > 0) rows.push(snapshot(rng, `e${b}`, n, iv++));
    for (let k = rng.int(4); k > 0; k--) rows.push(snapshot(rng, `e${b}`, rng.int(calls), iv++));
    // Calls new in this export written twice: once early, once later in the file.
    for (let n = calls - NEW; n < calls; n++)
      if (rng.int(2) === 0) rows.push(snapshot(rng, `e${b}`, n, iv++));
    // A row written twice in a row, the same values: a duplicate.
    if (rng.int(2) === 0) rows.push(rows[rows.length - 1]!);
    return rows;
  });
}

interface Counts {
  imported: number;
  updated: number;
  stale: number;
  duplicates: number;
}

/**
 * The documented rules, written independently of IncidentMerger: the incidents, each batch's
 * counts, and how many rows repeated a call new in their own file and changed it or were stale
 * (`inFile`: they meet the row before them as a later export would).
 */
function model(exports: readonly Incident[][]): {
  stored: Map<string, Incident>;
  counts: Counts[];
  revisions: number;
  inFile: { updated: number; stale: number };
} {
  const stored = new Map<string, Incident>();
  const counts: Counts[] = [];
  let revisions = 0;
  const inFile = { updated: 0, stale: 0 };
  const progress = (i: Incident) => PROGRESS.filter((k) => i[k] !== null).length;
  for (const rows of exports) {
    const c = { imported: 0, updated: 0, stale: 0, duplicates: 0 };
    const inserted = new Set<string>();
    for (const row of rows) {
      const old = stored.get(row.sourceId);
      if (!old) {
        stored.set(row.sourceId, row);
        inserted.add(row.sourceId);
        c.imported++;
        continue;
      }
      const next: Record<string, unknown> = { ...old };
      let changed = false;
      for (const k of MERGED) {
        const v = row[k];
        if (v === null) continue;
        const differs =
          k === "callerNumberEnc"
            ? old.callerNumberEnc === null || row.callerPseudonym !== old.callerPseudonym
            : v !== old[k];
        if (differs) {
          next[k] = v;
          changed = true;
        }
      }
      // What belongs to a changed value changes with it, a null included.
      for (const [leader, followers] of FOLLOWERS)
        if (next[leader] !== old[leader]) for (const f of followers) next[f] = row[f];
      if (row.address !== null && row.address !== old.address) {
        next.location = row.location;
        next.addressComponents = row.addressComponents;
      }
      if (!changed) c.duplicates++;
      else if (progress(row) < progress(old)) {
        c.stale++;
        if (inserted.has(row.sourceId)) inFile.stale++;
      } else {
        stored.set(row.sourceId, next as unknown as Incident);
        c.updated++;
        revisions++;
        if (inserted.has(row.sourceId)) inFile.updated++;
      }
    }
    counts.push(c);
  }
  return { stored, counts, revisions, inFile };
}

/** Scores every stored incident (as `recur quality` would, with a fixed rule): fills the scorecard buckets. */
async function scoreAll(store: Store, at: number): Promise<void> {
  const incidents = await store.incidents.list();
  await qualityRepository(store).saveResults(
    incidents.map((i) => ({
      incidentId: i.id,
      score: i.feedback === null ? 80 : 100,
      issues: i.feedback === null ? [{ code: "late_feedback" as const, severity: "warning" as const }] : [],
    })),
    at,
  );
}

/**
 * Imports each export as one batch, in chunks of `chunk` rows sent with the previous one in
 * flight; a quality run comes before every third batch.
 */
async function importAll(store: Store, exports: readonly Incident[][], chunk: number): Promise<Counts[]> {
  const out: Counts[] = [];
  for (const [b, rows] of exports.entries()) {
    if (b % 3 === 1) await scoreAll(store, 1_714_600_000_000 + b);
    const writer = await store.beginBatch(newBatch(`e${b}`));
    const chunks: Promise<number>[] = [];
    for (let i = 0; i < rows.length; i += chunk)
      chunks.push(writer.insertIncidents(rows.slice(i, i + chunk)));
    const imported = (await Promise.all(chunks)).reduce((a, n) => a + n, 0);
    const { updated, stale } = writer.updates ?? { updated: 0, stale: 0 };
    const duplicates = rows.length - imported - updated - stale;
    await writer.commit({ rows: rows.length, imported, rejected: 0, duplicates, finishedAt: 1 });
    out.push({ imported, updated, stale, duplicates });
  }
  return out;
}

/** The incident as the store reads it back: no `addressComponents` when there are none. */
function asRead(incident: Incident | undefined): Incident | undefined {
  if (!incident || incident.addressComponents) return incident;
  const { addressComponents: _, ...rest } = incident;
  return rest;
}

async function revisionCount(store: Store): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`SELECT count(*) AS n FROM incident_revisions`.execute(
    store.db,
  );
  return Number(rows[0]?.n);
}

const targets: StoreTarget[] = [];
afterAll(async () => {
  for (const t of targets) await t.dispose();
});

const pgProblem = await pgUnreachable();

describe.each([
  { seed: 7, chunk: 5 },
  { seed: 11, chunk: 3 },
  { seed: 2025, chunk: 40 },
])("later exports, seed $seed, chunks of $chunk", ({ seed, chunk }) => {
  const exports = exportsOf(seed);
  const expected = model(exports);

  test("the sequence has new, updated, stale and duplicate rows", () => {
    const total = (k: keyof Counts) => expected.counts.reduce((a, c) => a + c[k], 0);
    for (const k of ["imported", "updated", "stale", "duplicates"] as const)
      expect(total(k)).toBeGreaterThan(0);
    // Calls new in a file and repeated in it, merged or stale against their first row.
    expect(expected.inFile.updated).toBeGreaterThan(0);
  });

  test.each([
    ["sqlite", async () => sqliteTarget()],
    ...(pgProblem === undefined ? [["postgres", () => postgresTarget()] as const] : []),
  ] as const)(
    "%s ends with the model's incidents, counts and revisions; rollups and buckets equal their rebuild",
    async (_, make) => {
      const target = await make();
      targets.push(target);
      const { store } = await target.fresh();
      try {
        expect(await importAll(store, exports, chunk)).toEqual(expected.counts);
        const stored = await store.incidents.list();
        expect(stored).toHaveLength(expected.stored.size);
        for (const incident of stored)
          expect(incident).toEqual(asRead(expected.stored.get(incident.sourceId)));
        expect(await revisionCount(store)).toBe(expected.revisions);
        await expectDerivedTablesRebuilt(store);
      } finally {
        await store.close();
      }
    },
  );
});
