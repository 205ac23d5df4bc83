import type { Kysely } from "kysely";

/**
 * TOTP enrolment (docs/server.md): a secret waiting for its first code, kept apart from the
 * active one so that an unconfirmed setup never locks the user out, and the last time step
 * accepted, so that one code cannot be used twice.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("users").addColumn("totp_pending_enc", "text").execute();
  await db.schema.alterTable("users").addColumn("totp_last_step", "bigint").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("users").dropColumn("totp_last_step").execute();
  await db.schema.alterTable("users").dropColumn("totp_pending_enc").execute();
}
