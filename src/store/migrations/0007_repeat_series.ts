import type { Kysely } from "kysely";
import { EPOCH_MS, FLOAT } from "./helpers.ts";

/**
 * Repeat series as last computed by `recur detect` (docs/repeat.md): one row per series and one
 * per call in it, so that the dashboard, cases and the API can list and link them without
 * recomputing. A detection run replaces them all.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("repeat_series")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("grp", "text", (c) => c.notNull())
    .addColumn("warning", "text", (c) => c.notNull())
    .addColumn("location_level", "text")
    .addColumn("location_key", "text")
    // Only for caller series: the keyed pseudonym, never a number.
    .addColumn("caller_pseudonym", "text")
    .addColumn("start_at", EPOCH_MS, (c) => c.notNull())
    .addColumn("end_at", EPOCH_MS, (c) => c.notNull())
    .addColumn("events", "integer", (c) => c.notNull())
    .addColumn("calls", "integer", (c) => c.notNull())
    .addColumn("protective", "integer", (c) => c.notNull())
    .addColumn("surprise", FLOAT, (c) => c.notNull())
    .addColumn("explanation_zh", "text", (c) => c.notNull())
    .addColumn("explanation_en", "text", (c) => c.notNull())
    .addColumn("computed_at", EPOCH_MS, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("repeat_series_key").on("repeat_series").columns(["location_key"]).execute();
  await db.schema
    .createTable("repeat_series_calls")
    .addColumn("series_id", "text", (c) => c.notNull())
    .addColumn("source_id", "text", (c) => c.notNull())
    .addColumn("position", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("repeat_series_calls_pk", ["series_id", "position"])
    .execute();
  await db.schema
    .createIndex("repeat_series_calls_source")
    .on("repeat_series_calls")
    .columns(["source_id"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("repeat_series_calls").execute();
  await db.schema.dropTable("repeat_series").execute();
}
