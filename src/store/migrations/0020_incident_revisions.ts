import type { Kysely } from "kysely";
import { addAutoId } from "./helpers.ts";

/**
 * A later export of a stored call updates it (docs/store.md, "Later exports"): each update is
 * recorded for auditors in `incident_revisions` (the incident, the batch that changed it, the
 * changed column names and their previous values as stored, i.e. already masked or encrypted),
 * and `import_batches` counts the rows a batch applied as updates and the ones it found stale.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await addAutoId(db, db.schema.createTable("incident_revisions"))
    .addColumn("incident_id", "text", (c) => c.notNull())
    .addColumn("batch_id", "text", (c) => c.notNull())
    // JSON array of column names, e.g. ["arrived_at","feedback"].
    .addColumn("columns", "text", (c) => c.notNull())
    // JSON object of the previous values of those columns, e.g. {"arrived_at":null,"feedback":null}.
    .addColumn("previous", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("incident_revisions_incident")
    .on("incident_revisions")
    .column("incident_id")
    .execute();
  await db.schema
    .createIndex("incident_revisions_batch")
    .on("incident_revisions")
    .column("batch_id")
    .execute();
  await db.schema
    .alterTable("import_batches")
    .addColumn("updated", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable("import_batches")
    .addColumn("stale", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("import_batches").dropColumn("stale").execute();
  await db.schema.alterTable("import_batches").dropColumn("updated").execute();
  await db.schema.dropTable("incident_revisions").ifExists().execute();
}
