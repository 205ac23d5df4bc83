import type { Kysely } from "kysely";
import { EPOCH_MS } from "./helpers.ts";

const COUNTS = [
  "incidents",
  "score_tenths",
  "clean_completeness",
  "clean_timeliness",
  "clean_consistency",
  "clean_labels",
  "errors",
  "warnings",
  "reviewed",
  "passed",
] as const;

/**
 * Materialised scorecards (docs/quality.md): one row per unit cell (city, branch, station, area;
 * "" = none) and local day with the sums a scorecard needs, kept up to date by every write of
 * check results and review verdicts (src/store/quality-repository.ts), so a scorecard reads a
 * few rows per station and day instead of every incident with its issues. Stores that already
 * hold results are filled here from them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  let table = db.schema
    .createTable("quality_buckets")
    .addColumn("day", "integer", (c) => c.notNull())
    .addColumn("city_unit", "text", (c) => c.notNull())
    .addColumn("branch_unit", "text", (c) => c.notNull())
    .addColumn("station_unit", "text", (c) => c.notNull())
    .addColumn("area_unit", "text", (c) => c.notNull());
  for (const column of COUNTS) table = table.addColumn(column, EPOCH_MS, (c) => c.notNull().defaultTo(0));
  await table
    // Issues per code, JSON {"late_feedback": 3, ...}.
    .addColumn("codes", "text", (c) => c.notNull().defaultTo("{}"))
    // Bounds of the receivedAt of the bucket's incidents: a range that holds them takes the row whole.
    .addColumn("min_at", EPOCH_MS, (c) => c.notNull())
    .addColumn("max_at", EPOCH_MS, (c) => c.notNull())
    .addPrimaryKeyConstraint("quality_buckets_pk", [
      "day",
      "city_unit",
      "branch_unit",
      "station_unit",
      "area_unit",
    ])
    .execute();
  for (const column of ["branch_unit", "station_unit", "area_unit"])
    await db.schema
      .createIndex(`quality_buckets_${column}_day`)
      .on("quality_buckets")
      .columns([column, "day"])
      .execute();
  const { rebuildScorecardBuckets } = await import("../quality-repository.ts");
  await rebuildScorecardBuckets(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("quality_buckets").ifExists().execute();
}
