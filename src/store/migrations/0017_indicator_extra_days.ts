import type { Kysely } from "kysely";
import { EPOCH_MS, FLOAT } from "./helpers.ts";

/**
 * Daily totals of the figures other engines store per incident, for the indicators
 * (docs/analysis.md): data-quality scores (`quality_results`, `recur quality`) and repeat-series
 * membership (`repeat_series_calls`, `recur detect`), per level x unit x local day. They are
 * remade from their tables when those changed (a generation kept in `settings`), so a report
 * reads a few hundred rows instead of joining every incident of the period.
 * The index on quality_results.computed_at makes the "did the scores change" check O(log n).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("indicator_extra_days")
    // "quality" (total = sum of scores) or "repeat" (total = n = incidents in a series).
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("level", "text", (c) => c.notNull())
    .addColumn("unit", "text", (c) => c.notNull())
    .addColumn("day", "integer", (c) => c.notNull())
    .addColumn("total", FLOAT, (c) => c.notNull())
    .addColumn("n", EPOCH_MS, (c) => c.notNull())
    .addPrimaryKeyConstraint("indicator_extra_days_pk", ["kind", "level", "day", "unit"])
    .execute();
  await db.schema
    .createIndex("quality_results_computed_at")
    .on("quality_results")
    .column("computed_at")
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("quality_results_computed_at").ifExists().execute();
  await db.schema.dropTable("indicator_extra_days").ifExists().execute();
}
