import type { Kysely } from "kysely";
import { EPOCH_MS, isPostgres } from "./helpers.ts";

/**
 * Case attachments kept in the store (docs/cases.md "Attachments": one backup, one access
 * path, shared by every server of a PostgreSQL deployment), and the registry's active flag and
 * urban/suburban setting of a unit (docs/server.md "Units and partner agencies").
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("case_attachments")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("case_id", "text", (c) => c.notNull())
    .addColumn("name", "text")
    .addColumn("ext", "text", (c) => c.notNull())
    .addColumn("mime", "text", (c) => c.notNull())
    .addColumn("size", EPOCH_MS, (c) => c.notNull())
    .addColumn("sha256", "text", (c) => c.notNull())
    .addColumn("uploaded_by", "text", (c) => c.notNull())
    .addColumn("uploaded_at", EPOCH_MS, (c) => c.notNull())
    .addColumn("content", isPostgres(db) ? "bytea" : "blob")
    .addColumn("deleted_at", EPOCH_MS)
    .execute();
  await db.schema.createIndex("case_attachments_case").on("case_attachments").column("case_id").execute();
  await db.schema
    .alterTable("units")
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
    .execute();
  // 城区 / 郊区(县): arrival norms and indicators differ between them.
  await db.schema.alterTable("units").addColumn("setting", "text").execute();
  await db.schema
    .alterTable("agencies")
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("agencies").dropColumn("active").execute();
  await db.schema.alterTable("units").dropColumn("setting").execute();
  await db.schema.alterTable("units").dropColumn("active").execute();
  await db.schema.dropTable("case_attachments").ifExists().execute();
}
