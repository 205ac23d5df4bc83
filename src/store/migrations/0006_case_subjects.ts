import { type Kysely, sql } from "kysely";

/**
 * Case subjects as columns (series id, location key, caller pseudonym), so that the
 * dispatch-time check (POST /api/v1/checks) finds the open cases of a place, caller or series
 * through an index instead of reading every case document.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of ["subject_series", "subject_key", "subject_caller"])
    await db.schema.alterTable("cases").addColumn(column, "text").execute();
  const rows = await sql<{ id: string; doc: string }>`select id, doc from cases`.execute(db);
  for (const row of rows.rows) {
    const subject = (JSON.parse(row.doc) as { subject?: Record<string, unknown> }).subject ?? {};
    const text = (v: unknown) => (typeof v === "string" ? v : null);
    await sql`update cases set subject_series = ${text(subject.seriesId)}, subject_key = ${text(subject.locationKey)}, subject_caller = ${text(subject.callerPseudonym)} where id = ${row.id}`.execute(
      db,
    );
  }
  await db.schema.createIndex("cases_subject_series").on("cases").column("subject_series").execute();
  await db.schema.createIndex("cases_subject_key").on("cases").column("subject_key").execute();
  await db.schema.createIndex("cases_subject_caller").on("cases").column("subject_caller").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const index of ["cases_subject_series", "cases_subject_key", "cases_subject_caller"])
    await db.schema.dropIndex(index).execute();
  for (const column of ["subject_series", "subject_key", "subject_caller"])
    await db.schema.alterTable("cases").dropColumn(column).execute();
}
