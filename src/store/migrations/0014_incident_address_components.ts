import type { Kysely } from "kysely";

/**
 * Each incident keeps the parsed components of its address (issue 3 item 7), beside the
 * location keys derived from them: one JSON text column, `[["district","澜东区"],["poi","安轩花园"],
 * ["assist","对面"]]` (label and text pairs in order, covering the address). Rows imported before
 * this migration have NULL.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("incidents").addColumn("address_components", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("incidents").dropColumn("address_components").execute();
}
