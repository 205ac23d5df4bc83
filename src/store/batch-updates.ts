import type { RollupIncident } from "../analysis/indicators/rollups.ts";
import type { BatchRollups, TxSql } from "./indicator-rollups.ts";
import { dropRevisedResults, type RevisedIncident } from "./quality-repository.ts";
import { INCIDENT_COLUMN_NAMES } from "./rows.ts";
import type { InsertOutcome, SqlValue } from "./sqlite-executor.mjs";

const at = (name: string): number => {
  const i = INCIDENT_COLUMN_NAMES.indexOf(name as (typeof INCIDENT_COLUMN_NAMES)[number]);
  if (i < 0) throw new Error(`${name} is not an incident column`);
  return i;
};
const C = {
  id: at("id"),
  receivedAt: at("received_at"),
  acceptedAt: at("accepted_at"),
  dispatchedAt: at("dispatched_at"),
  arrivedAt: at("arrived_at"),
  utcOffsetMin: at("utc_offset_min"),
  category: at("category"),
  cityUnit: at("city_unit"),
  branchUnit: at("branch_unit"),
  stationUnit: at("station_unit"),
  areaUnit: at("area_unit"),
};
const COLUMNS = INCIDENT_COLUMN_NAMES.length;

const num = (v: SqlValue | undefined): number => Number(v);
const numOrNull = (v: SqlValue | undefined): number | null =>
  v === null || v === undefined ? null : Number(v);
const text = (v: SqlValue | undefined): string | null => (v === null || v === undefined ? null : String(v));

function rollupIncident(v: readonly SqlValue[], o: number): RollupIncident {
  return {
    receivedAt: num(v[o + C.receivedAt]),
    acceptedAt: numOrNull(v[o + C.acceptedAt]),
    dispatchedAt: numOrNull(v[o + C.dispatchedAt]),
    arrivedAt: numOrNull(v[o + C.arrivedAt]),
    utcOffsetMin: num(v[o + C.utcOffsetMin]),
    category: String(v[o + C.category]),
    cityUnit: text(v[o + C.cityUnit]),
    branchUnit: text(v[o + C.branchUnit]),
    stationUnit: text(v[o + C.stationUnit]),
    areaUnit: text(v[o + C.areaUnit]),
  };
}

function revisedIncident(v: readonly SqlValue[], o: number): RevisedIncident {
  return {
    id: String(v[o + C.id]),
    received_at: num(v[o + C.receivedAt]),
    utc_offset_min: num(v[o + C.utcOffsetMin]),
    city_unit: text(v[o + C.cityUnit]),
    branch_unit: text(v[o + C.branchUnit]),
    station_unit: text(v[o + C.stationUnit]),
    area_unit: text(v[o + C.areaUnit]),
  };
}

/** Settings keys of the daily quality and repeat totals (indicator-rollups.ts, refreshExtraDays). */
const EXTRA_DAYS_KEYS = ["indicators.extra_days.quality", "indicators.extra_days.repeat"];

/**
 * The stored incidents one batch updated (a later export of the same calls, or a later row of
 * the same file, docs/store.md "Later exports"), for both batch writers: counts them; for those
 * of earlier batches (the outcome's `before`/`after`) moves their indicator rollups, and at
 * commit drops their now stale quality results (with their scorecard bucket contribution) and
 * marks the daily quality and repeat totals for a refresh, all in the batch's transaction.
 */
export class BatchUpdates {
  updated = 0;
  stale = 0;
  /** Each updated incident as it was before the batch (its first update's "before"). */
  readonly #first = new Map<string, RevisedIncident>();

  constructor(private readonly rollups: BatchRollups) {}

  /** Takes one insert's outcome in (and hands it on, for the rollups of its rows). */
  add(outcome: InsertOutcome): InsertOutcome {
    this.updated += outcome.updated;
    this.stale += outcome.stale;
    const { before, after, ownBefore, ownAfter } = outcome;
    for (let o = 0; o < before.length; o += COLUMNS) {
      this.rollups.revise(rollupIncident(before, o), rollupIncident(after, o));
      const id = String(before[o + C.id]);
      if (!this.#first.has(id)) this.#first.set(id, revisedIncident(before, o));
    }
    for (let o = 0; o < ownBefore.length; o += COLUMNS)
      this.rollups.reviseOwn(rollupIncident(ownBefore, o), rollupIncident(ownAfter, o));
    return outcome;
  }

  async flush(tx: TxSql): Promise<void> {
    if (this.#first.size === 0) return;
    await dropRevisedResults(tx, [...this.#first.values()]);
    await tx.run(
      `DELETE FROM settings WHERE key IN (${EXTRA_DAYS_KEYS.map(() => "?").join(", ")})`,
      EXTRA_DAYS_KEYS,
    );
  }
}
