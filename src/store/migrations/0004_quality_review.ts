import type { Kysely } from "kysely";
import { addAutoId, EPOCH_MS, FLOAT } from "./helpers.ts";

/**
 * Data-quality results per incident and the three-level review (docs/quality.md): review items
 * with their current state, and the append-only events the state is folded from.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("quality_results")
    .addColumn("incident_id", "text", (c) => c.primaryKey())
    .addColumn("score", FLOAT, (c) => c.notNull())
    .addColumn("errors", "integer", (c) => c.notNull())
    .addColumn("warnings", "integer", (c) => c.notNull())
    // JSON array of QualityIssue.
    .addColumn("issues", "text", (c) => c.notNull())
    .addColumn("computed_at", EPOCH_MS, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("review_items")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("incident_id", "text", (c) => c.notNull())
    .addColumn("level", "text", (c) => c.notNull())
    .addColumn("reviewer", "text", (c) => c.notNull())
    .addColumn("station", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("round", "integer", (c) => c.notNull())
    .addColumn("created_at", EPOCH_MS, (c) => c.notNull())
    .addColumn("updated_at", EPOCH_MS, (c) => c.notNull())
    // The sampling run (seed and parameters) that queued the item, when there was one.
    .addColumn("sample", "text")
    .execute();
  await db.schema
    .createIndex("review_items_incident")
    .on("review_items")
    .columns(["incident_id", "level"])
    .execute();
  await db.schema
    .createIndex("review_items_station_status")
    .on("review_items")
    .columns(["station", "status"])
    .execute();
  await db.schema
    .createIndex("review_items_reviewer_status")
    .on("review_items")
    .columns(["reviewer", "status"])
    .execute();

  await addAutoId(db, db.schema.createTable("review_events"))
    .addColumn("item_id", "text", (c) => c.notNull().references("review_items.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("at", EPOCH_MS, (c) => c.notNull())
    .addColumn("actor", "text", (c) => c.notNull())
    .addColumn("reason", "text")
    .addColumn("note", "text")
    .execute();
  await db.schema.createIndex("review_events_item").on("review_events").columns(["item_id", "id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["review_events", "review_items", "quality_results"]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
