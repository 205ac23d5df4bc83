import { type Kysely, sql } from "kysely";

/**
 * Drops the single-column unit indexes of 0001 (station_unit, branch_unit): the
 * (unit, received_at, id) indexes of 0009 begin with the same column and serve the same
 * equality lookups, so the older ones only cost every import ~1.5 µs a row each.
 */
const COLUMNS = ["station_unit", "branch_unit"] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of COLUMNS) await db.schema.dropIndex(`incidents_${column}`).ifExists().execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of COLUMNS)
    await db.schema
      .createIndex(`incidents_${column}`)
      .on("incidents")
      .column(column)
      .where(sql.ref(column), "is not", null)
      .execute();
}
