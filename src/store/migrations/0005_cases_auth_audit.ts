import type { Kysely } from "kysely";
import { EPOCH_MS } from "./helpers.ts";

/**
 * Users and sessions (docs/server.md), the hash-chained audit log, and cases with their
 * optimistic-concurrency version (docs/cases.md).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("users")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("username", "text", (c) => c.notNull().unique())
    .addColumn("display_name", "text", (c) => c.notNull())
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull())
    // Jurisdiction: the unit the user belongs to and its level, or the partner agency.
    .addColumn("unit_level", "text")
    .addColumn("unit_code", "text")
    .addColumn("agency_code", "text")
    .addColumn("disabled", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("locked", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("must_change_password", "integer", (c) => c.notNull().defaultTo(1))
    // JSON array of recent failed login times, for the 5-in-15-minutes lockout.
    .addColumn("failures", "text", (c) => c.notNull().defaultTo("[]"))
    // Encrypted TOTP secret when the second factor is on.
    .addColumn("totp_enc", "text")
    .addColumn("created_at", EPOCH_MS, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("sessions")
    // SHA-256 of the cookie token: a stolen database does not yield live sessions.
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", EPOCH_MS, (c) => c.notNull())
    .addColumn("last_seen_at", EPOCH_MS, (c) => c.notNull())
    .addColumn("ip", "text")
    .execute();
  await db.schema.createIndex("sessions_user").on("sessions").column("user_id").execute();

  await db.schema
    .createTable("audit_log")
    .addColumn("seq", "bigint", (c) => c.primaryKey())
    .addColumn("at", EPOCH_MS, (c) => c.notNull())
    .addColumn("actor", "text", (c) => c.notNull())
    .addColumn("role", "text")
    .addColumn("ip", "text")
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("target", "text")
    .addColumn("outcome", "text", (c) => c.notNull())
    // JSON details without personal data (ids, counts, reasons).
    .addColumn("detail", "text", (c) => c.notNull())
    .addColumn("prev_hash", "text", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("audit_log_at").on("audit_log").column("at").execute();

  await db.schema
    .createTable("cases")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("branch_unit", "text")
    .addColumn("station_unit", "text")
    .addColumn("assignee_kind", "text")
    .addColumn("assignee_code", "text")
    .addColumn("deadline", EPOCH_MS)
    .addColumn("created_at", EPOCH_MS, (c) => c.notNull())
    .addColumn("updated_at", EPOCH_MS, (c) => c.notNull())
    // The whole Case as JSON; the columns above are copies for scoping and filtering.
    .addColumn("doc", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("cases_scope").on("cases").columns(["branch_unit", "station_unit"]).execute();
  await db.schema
    .createIndex("cases_assignee")
    .on("cases")
    .columns(["assignee_kind", "assignee_code"])
    .execute();
  await db.schema.createIndex("cases_state").on("cases").columns(["state", "deadline"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["cases", "audit_log", "sessions", "users"]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
