import type { Kysely } from "kysely";
import { EPOCH_MS } from "./helpers.ts";

/**
 * Mapping profiles saved in the deployment (the import wizard, the admin's profiles page), beside
 * the bundled ones in profiles/*.json. The profile is stored as its JSON text, checked by the
 * profile schema on every save and every use; `version` guards concurrent edits.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("import_profiles")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("profile_json", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("created_at", EPOCH_MS, (c) => c.notNull())
    .addColumn("updated_by", "text", (c) => c.notNull())
    .addColumn("updated_at", EPOCH_MS, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("import_profiles_name").on("import_profiles").column("name").unique().execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("import_profiles").ifExists().execute();
}
