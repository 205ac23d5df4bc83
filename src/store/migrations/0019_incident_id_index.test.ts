import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Kysely, sql } from "kysely";
import { afterAll, expect, test } from "vitest";
import { makeIncident } from "../../../test/builders.ts";
import { asBatchId, asEpochMs, type Incident } from "../../domain/index.ts";
import { migrateToLatest } from "../migrate.ts";
import { openSqliteStore } from "../sqlite.ts";
import type { Store } from "../types.ts";
import { down } from "./0019_incident_id_index.ts";
import { MIGRATIONS } from "./index.ts";

const dir = mkdtempSync(join(tmpdir(), "recur-0019-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Every migration but 0019: later ones (0020's batch counts) are what today's batch writer writes.
const BEFORE = MIGRATIONS.filter(([name]) => name !== "0019_incident_id_index");

function rows(batch: string, from: number, to: number): Incident[] {
  return Array.from({ length: to - from }, (_, k) =>
    makeIncident({
      sourceId: `M${from + k}`,
      batchId: asBatchId(batch),
      receivedAt: asEpochMs(Date.UTC(2024, 0, 1) + (from + k) * 60_000),
      location: { poi: `poi${(from + k) % 3}` },
      narrative: `邻里纠纷 ${from + k}`,
    }),
  );
}

async function importRows(store: Store, batch: string, incidents: readonly Incident[]): Promise<number> {
  const writer = await store.beginBatch({
    id: asBatchId(batch),
    sourceSystem: "test",
    profile: "synthetic",
    fileName: `${batch}.csv`,
    fileSha256: "cd".repeat(32),
    startedAt: 1_714_500_000_000,
  });
  const inserted = await writer.insertIncidents(incidents);
  await writer.commit({
    rows: incidents.length,
    imported: inserted,
    rejected: 0,
    duplicates: 0,
    finishedAt: 1,
  });
  return inserted;
}

interface Column {
  name: string;
  pk: number;
  notnull: number;
}

async function idColumn(db: Kysely<unknown>): Promise<Column | undefined> {
  return (await sql<Column>`PRAGMA table_info(incidents)`.execute(db)).rows.find((c) => c.name === "id");
}

async function indexes(db: Kysely<unknown>): Promise<string[]> {
  return (
    await sql<{ name: string }>`
      SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'incidents' AND sql IS NOT NULL
      ORDER BY name`.execute(db)
  ).rows.map((r) => r.name);
}

test("a store from before 0019 keeps its incidents and indexes, and id becomes a unique index", async () => {
  const store = await openSqliteStore(join(dir, "old.db"), false);
  const db = store.db as unknown as Kysely<unknown>;
  try {
    await migrateToLatest(db, { migrations: BEFORE });
    // A column another migration added first (registration may be unordered) must survive.
    await sql`ALTER TABLE incidents ADD COLUMN extra_note text`.execute(db);
    expect((await idColumn(db))?.pk).toBe(1);
    const before = await indexes(db);
    expect(await importRows(store, "old", rows("old", 0, 50))).toBe(50);
    const stored = await store.incidents.getById(rows("x", 7, 8)[0]!.id);

    await sql`UPDATE incidents SET extra_note = 'kept' WHERE source_id = 'M3'`.execute(db);
    await migrateToLatest(db);
    expect(await idColumn(db)).toMatchObject({ pk: 0, notnull: 1 });
    expect(await indexes(db)).toEqual([...before, "incidents_id"].sort());
    expect(await store.incidents.count()).toBe(50);
    const note = await sql<{
      extra_note: string;
    }>`SELECT extra_note FROM incidents WHERE source_id = 'M3'`.execute(db);
    expect(note.rows[0]?.extra_note).toBe("kept");
    expect(await store.incidents.getById(rows("x", 7, 8)[0]!.id)).toEqual(stored);
    expect(await store.incidents.count({ place: { level: "poi", key: "poi1" } })).toBe(17);
    // Re-import stays idempotent; a new row goes in; two rows may not share an id.
    expect(await importRows(store, "again", rows("again", 0, 51))).toBe(1);
    const [first] = rows("dup", 0, 1);
    await expect(
      sql`INSERT INTO incidents (id, source_system, source_id, batch_id, received_at, utc_offset_min, category)
          VALUES (${first!.id}, 'other', 'Z1', 'again', 0, 0, 'other')`.execute(db),
    ).rejects.toThrow(/UNIQUE/);

    // down() puts the primary key back with the same rows and indexes.
    await db.transaction().execute((trx) => down(trx));
    expect(await idColumn(db)).toMatchObject({ pk: 1 });
    expect(await indexes(db)).toEqual(before);
    expect(await store.incidents.count()).toBe(51);
  } finally {
    await store.close();
  }
});

test("a bulk batch builds the id index at commit; a rolled-back one leaves it as it was", async () => {
  const store = await openSqliteStore(join(dir, "bulk.db"));
  const db = store.db as unknown as Kysely<unknown>;
  try {
    const before = await indexes(db);
    const writer = await store.beginBatch({
      id: asBatchId("bulk"),
      sourceSystem: "test",
      profile: "synthetic",
      fileName: "bulk.csv",
      fileSha256: "ef".repeat(32),
      startedAt: 1,
      expectedRows: 1_000_000,
    });
    expect(await writer.insertIncidents(rows("bulk", 0, 300))).toBe(300);
    // Another connection (the readers') still sees the committed schema, index included.
    expect(await indexes(db)).toEqual(before);
    await writer.commit({ rows: 300, imported: 300, rejected: 0, duplicates: 0, finishedAt: 2 });
    expect(await indexes(db)).toEqual(before);
    const plan = await sql<{ detail: string }>`
      EXPLAIN QUERY PLAN SELECT * FROM incidents WHERE id = ${rows("x", 5, 6)[0]!.id}`.execute(db);
    expect(plan.rows.map((r) => r.detail).join(" ")).toContain("incidents_id");
    expect((await store.incidents.getById(rows("x", 5, 6)[0]!.id))?.sourceId).toBe("M5");

    const undone = await store.beginBatch({
      id: asBatchId("undone"),
      sourceSystem: "test",
      profile: "synthetic",
      fileName: "undone.csv",
      fileSha256: "ef".repeat(32),
      startedAt: 3,
      expectedRows: 1_000_000,
    });
    await undone.insertIncidents(rows("undone", 300, 400));
    await undone.rollback();
    expect(await indexes(db)).toEqual(before);
    expect(await store.incidents.count()).toBe(300);
  } finally {
    await store.close();
  }
});
