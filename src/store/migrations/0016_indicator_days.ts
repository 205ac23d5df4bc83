import type { Kysely } from "kysely";
import { EPOCH_MS } from "./helpers.ts";

/**
 * Daily indicator rollups (docs/analysis.md), maintained by every import batch in its own
 * transaction: one row per unit (each level) x station x local day with the incidents per
 * category and response-interval histograms. Replaces 0013's two tables (one row per category
 * was ten times as many rows to write at import and to read per report). Stores that already
 * hold incidents are filled here from them (`recur indicators rebuild` does the same by hand).
 * Frozen with this migration: the 11 categories of CATEGORIES and 18 response bins
 * (RESPONSE_BIN_EDGES_S), checked by src/store/indicator-rollups.test.ts.
 */
const CATEGORIES = [
  "criminal",
  "public_order",
  "traffic",
  "fire",
  "disaster",
  "dispute",
  "help",
  "complaint",
  "non_police",
  "invalid",
  "other",
] as const;
const BINS = 18;
const KINDS = ["dispatch", "travel", "arrival"] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ["indicator_day_response", "indicator_day_counts"])
    await db.schema.dropTable(table).ifExists().execute();
  let table = db.schema
    .createTable("indicator_days")
    .addColumn("level", "text", (c) => c.notNull())
    // "" = no unit at this level.
    .addColumn("unit", "text", (c) => c.notNull())
    // The incidents' station ("" = none), whose urban/suburban setting decides the arrival norm.
    .addColumn("station", "text", (c) => c.notNull())
    .addColumn("day", "integer", (c) => c.notNull())
    .addColumn("incidents", EPOCH_MS, (c) => c.notNull());
  for (const category of CATEGORIES)
    table = table.addColumn(`c_${category}`, EPOCH_MS, (c) => c.notNull().defaultTo(0));
  for (const kind of KINDS) {
    table = table
      .addColumn(`${kind}_neg`, EPOCH_MS, (c) => c.notNull().defaultTo(0))
      .addColumn(`${kind}_sum_ms`, EPOCH_MS, (c) => c.notNull().defaultTo(0));
    for (let b = 0; b < BINS; b++)
      table = table.addColumn(`${kind}_b${String(b).padStart(2, "0")}`, EPOCH_MS, (c) =>
        c.notNull().defaultTo(0),
      );
  }
  await table.addPrimaryKeyConstraint("indicator_days_pk", ["level", "day", "unit", "station"]).execute();

  // Backfill from the incidents already stored (a new store has none and skips this).
  const { rebuildIndicatorRollups } = await import("../indicator-rollups.ts");
  await rebuildIndicatorRollups(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("indicator_days").ifExists().execute();
}
