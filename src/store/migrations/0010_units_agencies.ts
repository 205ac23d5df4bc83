import type { Kysely } from "kysely";
import { EPOCH_MS } from "./helpers.ts";

/** The deployment's registry of police units (市局 > 分局 > 派出所 > 警务区) and partner agencies. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("units")
    .addColumn("code", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("level", "text", (c) => c.notNull())
    .addColumn("parent_code", "text")
    .addColumn("updated_at", EPOCH_MS, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("units_parent").on("units").column("parent_code").execute();
  await db.schema
    .createTable("agencies")
    .addColumn("code", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("updated_at", EPOCH_MS, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["agencies", "units"]) await db.schema.dropTable(table).ifExists().execute();
}
