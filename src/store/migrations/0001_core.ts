import { type Kysely, sql } from "kysely";
import { addAutoId, EPOCH_MS, FLOAT } from "./helpers.ts";

/**
 * The core tables: incidents (every Incident field flattened), import batches, the
 * quarantine of rejected rows, and key/value settings.
 */

/** Location and unit columns are sparse, so their indexes are partial (only non-null keys). */
const SPARSE_INDEXED = [
  "loc_poi",
  "loc_building",
  "loc_unit",
  "loc_room",
  "loc_road",
  "loc_cross",
  "caller_pseudonym",
  "station_unit",
  "branch_unit",
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("import_batches")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("source_system", "text", (c) => c.notNull())
    .addColumn("profile", "text", (c) => c.notNull())
    .addColumn("file_name", "text", (c) => c.notNull())
    .addColumn("file_sha256", "text", (c) => c.notNull())
    .addColumn("started_at", EPOCH_MS, (c) => c.notNull())
    .addColumn("finished_at", EPOCH_MS)
    .addColumn("rows", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("imported", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("rejected", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("duplicates", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex("import_batches_file_sha256")
    .on("import_batches")
    .column("file_sha256")
    .execute();

  await db.schema
    .createTable("incidents")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("source_system", "text", (c) => c.notNull())
    .addColumn("source_id", "text", (c) => c.notNull())
    .addColumn("batch_id", "text", (c) => c.notNull())
    .addColumn("received_at", EPOCH_MS, (c) => c.notNull())
    .addColumn("accepted_at", EPOCH_MS)
    .addColumn("dispatched_at", EPOCH_MS)
    .addColumn("arrived_at", EPOCH_MS)
    .addColumn("closed_at", EPOCH_MS)
    .addColumn("utc_offset_min", "integer", (c) => c.notNull())
    .addColumn("category", "text", (c) => c.notNull())
    .addColumn("subtype", "text")
    .addColumn("source_category", "text")
    .addColumn("department", "text")
    .addColumn("address", "text")
    .addColumn("lon", FLOAT)
    .addColumn("lat", FLOAT)
    .addColumn("datum", "text")
    .addColumn("loc_poi", "text")
    .addColumn("loc_building", "text")
    .addColumn("loc_unit", "text")
    .addColumn("loc_room", "text")
    .addColumn("loc_road", "text")
    .addColumn("loc_cross", "text")
    .addColumn("city_unit", "text")
    .addColumn("branch_unit", "text")
    .addColumn("station_unit", "text")
    .addColumn("area_unit", "text")
    .addColumn("caller_pseudonym", "text")
    .addColumn("caller_number_enc", "text")
    .addColumn("narrative", "text")
    .addColumn("disposition", "text")
    .addColumn("feedback", "text")
    // The identity of a record across re-imports; INSERT ... ON CONFLICT relies on it.
    .addUniqueConstraint("incidents_source_uq", ["source_system", "source_id"])
    .execute();
  // (received_at, id) serves time ranges and the keyset pagination of scan().
  await db.schema
    .createIndex("incidents_received_at")
    .on("incidents")
    .columns(["received_at", "id"])
    .execute();
  await db.schema.createIndex("incidents_batch_id").on("incidents").column("batch_id").execute();
  for (const column of SPARSE_INDEXED) {
    await db.schema
      .createIndex(`incidents_${column}`)
      .on("incidents")
      .column(column)
      .where(sql.ref(column), "is not", null)
      .execute();
  }

  await addAutoId(db, db.schema.createTable("quarantine"))
    .addColumn("batch_id", "text", (c) => c.notNull().references("import_batches.id").onDelete("cascade"))
    .addColumn("file", "text", (c) => c.notNull())
    .addColumn("row", "integer", (c) => c.notNull())
    .addColumn("issues", "text", (c) => c.notNull())
    .addColumn("record_enc", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("quarantine_batch_row").on("quarantine").columns(["batch_id", "row"]).execute();

  await db.schema
    .createTable("settings")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["settings", "quarantine", "incidents", "import_batches"]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
