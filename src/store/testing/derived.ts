import { sql } from "kysely";
import { expect } from "vitest";
import { readAllRollups, rebuildIndicatorRollups } from "../indicator-rollups.ts";
import { rebuildScorecardBuckets } from "../quality-repository.ts";
import type { Store } from "../types.ts";

/**
 * Test support for the tables the store keeps beside the incidents (the daily indicator rollups,
 * the quality scorecard buckets): whatever batches did, they must equal their rebuild.
 */

/** The scorecard buckets in key order, numbers as numbers on both dialects. */
export async function scorecardBuckets(store: Store): Promise<Record<string, unknown>[]> {
  const { rows } = await sql<
    Record<string, unknown>
  >`SELECT * FROM quality_buckets ORDER BY day, city_unit, branch_unit, station_unit, area_unit`.execute(
    store.db,
  );
  return rows.map((r) =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => [
        k,
        typeof v === "string" && k !== "codes" && !k.endsWith("_unit") ? Number(v) : v,
      ]),
    ),
  );
}

/**
 * Expects the rollups and the scorecard buckets (some) to equal what a rebuild from the stored
 * incidents and quality results makes; the store is left rebuilt.
 */
export async function expectDerivedTablesRebuilt(store: Store): Promise<void> {
  const rollups = await readAllRollups(store);
  const scorecards = await scorecardBuckets(store);
  expect(scorecards.length).toBeGreaterThan(0);
  await store.db.transaction().execute(async (trx) => {
    await rebuildIndicatorRollups(trx as never);
    await rebuildScorecardBuckets(trx as never);
  });
  expect(rollups).toEqual(await readAllRollups(store));
  expect(scorecards).toEqual(await scorecardBuckets(store));
}
