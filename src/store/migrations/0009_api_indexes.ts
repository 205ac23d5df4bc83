import type { Kysely } from "kysely";

/**
 * Indexes for the API's hot paths (bench/api-load.ts, docs/server.md):
 * - incident pages of one unit in time order (GET /api/v1/incidents for a station or branch
 *   user): with only a unit index SQLite sorted every incident of the unit for each page
 *   (77 ms at 1,000,000 incidents, serialising the server); (unit, received_at, id) reads the
 *   page in order, and counts the unit's incidents from the index alone;
 * - case lists of one station or branch by state, newest change first (GET /api/v1/cases).
 */
const UNIT_COLUMNS = ["branch_unit", "station_unit", "area_unit"] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of UNIT_COLUMNS)
    await db.schema
      .createIndex(`incidents_${column}_time`)
      .on("incidents")
      .columns([column, "received_at", "id"])
      .execute();
  for (const column of ["branch_unit", "station_unit"] as const)
    await db.schema
      .createIndex(`cases_${column}_state`)
      .on("cases")
      .columns([column, "state", "updated_at"])
      .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of UNIT_COLUMNS) await db.schema.dropIndex(`incidents_${column}_time`).execute();
  for (const column of ["branch_unit", "station_unit"])
    await db.schema.dropIndex(`cases_${column}_state`).execute();
}
