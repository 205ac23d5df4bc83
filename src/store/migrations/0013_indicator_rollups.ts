import type { Kysely } from "kysely";
import { EPOCH_MS } from "./helpers.ts";

/**
 * First layout of the daily indicator rollups, one row per category: superseded within the hour
 * by 0016_indicator_days (one row per unit, station and day, categories as columns), which drops
 * these tables. Its backfill moved there too (this file ran only on development stores).
 */
const BINS = 18;
const KINDS = ["dispatch", "travel", "arrival"] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("indicator_day_counts")
    .addColumn("level", "text", (c) => c.notNull())
    // "" = no unit at this level.
    .addColumn("unit", "text", (c) => c.notNull())
    .addColumn("day", "integer", (c) => c.notNull())
    .addColumn("category", "text", (c) => c.notNull())
    .addColumn("n", EPOCH_MS, (c) => c.notNull())
    .addPrimaryKeyConstraint("indicator_day_counts_pk", ["level", "day", "unit", "category"])
    .execute();
  let response = db.schema
    .createTable("indicator_day_response")
    .addColumn("level", "text", (c) => c.notNull())
    .addColumn("unit", "text", (c) => c.notNull())
    // The incident's station, whose urban/suburban setting decides its arrival norm.
    .addColumn("station", "text", (c) => c.notNull())
    .addColumn("day", "integer", (c) => c.notNull())
    .addColumn("incidents", EPOCH_MS, (c) => c.notNull());
  for (const kind of KINDS) {
    response = response
      .addColumn(`${kind}_neg`, EPOCH_MS, (c) => c.notNull().defaultTo(0))
      .addColumn(`${kind}_sum_ms`, EPOCH_MS, (c) => c.notNull().defaultTo(0));
    for (let b = 0; b < BINS; b++)
      response = response.addColumn(`${kind}_b${String(b).padStart(2, "0")}`, EPOCH_MS, (c) =>
        c.notNull().defaultTo(0),
      );
  }
  await response
    .addPrimaryKeyConstraint("indicator_day_response_pk", ["level", "day", "unit", "station"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["indicator_day_response", "indicator_day_counts"])
    await db.schema.dropTable(table).ifExists().execute();
}
