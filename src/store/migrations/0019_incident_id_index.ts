import { type CreateTableBuilder, type Kysely, sql } from "kysely";
import { EPOCH_MS, FLOAT, isPostgres } from "./helpers.ts";

/**
 * SQLite only: the uniqueness of `incidents.id` moves from the table's primary key to a named
 * unique index, `incidents_id`, so that an import in bulk mode can drop it and build it once
 * at commit (sqlite.ts). `id` is a hash of (source_system, source_id), so its keys arrive in
 * random order: kept up row by row the index cost ~6 µs of each 20 µs insert (200,000 rows),
 * built by sorting at commit ~1 µs. SQLite cannot drop a primary key, so the table is rebuilt:
 * same columns and rows (rowid order kept), same indexes, `id` now NOT NULL (as on PostgreSQL,
 * where `id` stays the primary key and nothing changes).
 */

/** The columns of incidents at this migration (0001 + 0014), in table order. */
const COLUMNS = [
  "id",
  "source_system",
  "source_id",
  "batch_id",
  "received_at",
  "accepted_at",
  "dispatched_at",
  "arrived_at",
  "closed_at",
  "utc_offset_min",
  "category",
  "subtype",
  "source_category",
  "department",
  "address",
  "lon",
  "lat",
  "datum",
  "loc_poi",
  "loc_building",
  "loc_unit",
  "loc_room",
  "loc_road",
  "loc_cross",
  "city_unit",
  "branch_unit",
  "station_unit",
  "area_unit",
  "caller_pseudonym",
  "caller_number_enc",
  "narrative",
  "disposition",
  "feedback",
  "address_components",
] as const;

const NOT_NULL = new Set([
  "id",
  "source_system",
  "source_id",
  "batch_id",
  "received_at",
  "utc_offset_min",
  "category",
]);
const EPOCH_COLUMNS = new Set(["received_at", "accepted_at", "dispatched_at", "arrived_at", "closed_at"]);

/** Rebuilds incidents with `id` as its primary key (`primaryKey`) or as a plain NOT NULL column. */
async function rebuild(db: Kysely<unknown>, primaryKey: boolean): Promise<void> {
  const indexes = (
    await sql<{ name: string; sql: string }>`
      SELECT name, sql FROM sqlite_master
      WHERE type = 'index' AND tbl_name = 'incidents' AND sql IS NOT NULL AND name <> 'incidents_id'`.execute(
      db,
    )
  ).rows;
  // Columns another migration added before this one ran (unordered registration) come along as declared.
  const declared = (await sql<{ name: string; type: string }>`PRAGMA table_info(incidents)`.execute(db)).rows;
  const known = new Set<string>(COLUMNS);
  const extra = declared.filter((c) => !known.has(c.name));
  let table: CreateTableBuilder<string, string> = db.schema.createTable("incidents_rebuilt");
  for (const column of COLUMNS) {
    const type = EPOCH_COLUMNS.has(column)
      ? EPOCH_MS
      : column === "lon" || column === "lat"
        ? FLOAT
        : column === "utc_offset_min"
          ? "integer"
          : "text";
    table = table.addColumn(column, type, (c) => {
      if (column === "id" && primaryKey) return c.primaryKey();
      return NOT_NULL.has(column) ? c.notNull() : c;
    });
  }
  for (const column of extra) table = table.addColumn(column.name, sql.raw(column.type || "text"));
  await table.addUniqueConstraint("incidents_source_uq", ["source_system", "source_id"]).execute();
  const list = sql.join([...COLUMNS, ...extra.map((c) => c.name)].map((c) => sql.ref(c)));
  await sql`INSERT INTO incidents_rebuilt (${list}) SELECT ${list} FROM incidents ORDER BY rowid`.execute(db);
  await db.schema.dropTable("incidents").execute();
  await db.schema.alterTable("incidents_rebuilt").renameTo("incidents").execute();
  for (const index of indexes) await sql.raw(index.sql).execute(db);
  if (!primaryKey)
    await db.schema.createIndex("incidents_id").on("incidents").column("id").unique().execute();
}

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) await rebuild(db, false);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) await rebuild(db, true);
}
