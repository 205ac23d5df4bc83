import { sql } from "kysely";
import type { UnitLevel } from "../analysis/indicators/columns.ts";
import type { IndicatorAggregates, IndicatorPeriod } from "../analysis/indicators/indicators.ts";
import { indicatorRanges } from "./incident-columns.ts";
import type { Store } from "./types.ts";

const UNIT_COLUMN = {
  city: "city_unit",
  branch: "branch_unit",
  station: "station_unit",
  area: "area_unit",
} as const satisfies Record<UnitLevel, string>;

const DAY = 86_400_000;

/** Floor division of a millisecond expression by 1000, also for negative values, in SQLite and PostgreSQL. */
const floorSeconds = (ms: ReturnType<typeof sql>) =>
  sql`((${ms}) - ((((${ms}) % 1000) + 1000) % 1000)) / 1000`;

/**
 * Counts per unit, category and local day for the three periods of a report, and interval
 * histograms (whole seconds) of the current period, grouped by the database: a few thousand rows
 * come back instead of one per incident (see periodIndicatorsFromAggregates). It still reads every
 * incident of the three periods; reports read the daily rollups instead (indicator-rollups.ts),
 * and this stays as an independent formulation for tests and the benchmark.
 * @example
 * const agg = await loadIndicatorAggregates(store, "2024-05", "month", "station");
 */
export async function loadIndicatorAggregates(
  store: Store,
  label: string,
  period: IndicatorPeriod,
  level: UnitLevel = "station",
): Promise<IndicatorAggregates> {
  const unit = sql.ref(UNIT_COLUMN[level]);
  const localDay = sql`(received_at + utc_offset_min * 60000) / ${sql.lit(DAY)}`;
  const counts: IndicatorAggregates["counts"][number][] = [];
  for (const range of indicatorRanges(label, period)) {
    const result = await sql<{
      unit: string | null;
      category: string;
      day: number | string;
      n: number | string;
    }>`
      SELECT ${unit} AS unit, category, ${localDay} AS day, COUNT(*) AS n
      FROM incidents
      WHERE received_at >= ${range.from} AND received_at < ${range.to}
      GROUP BY 1, 2, 3`.execute(store.db);
    for (const r of result.rows)
      counts.push({ unit: r.unit, category: r.category, day: Number(r.day), n: Number(r.n) });
  }

  // The current period exactly, on the local clock.
  const [, recent] = indicatorRanges(label, period);
  const { from, to } = currentLocalRange(label, period);
  const local = sql`(received_at + utc_offset_min * 60000)`;
  const start = sql`COALESCE(accepted_at, received_at)`;
  const where = sql`received_at >= ${recent!.from} AND received_at < ${recent!.to} AND ${local} >= ${from} AND ${local} < ${to}`;
  const result = await sql<{
    unit: string | null;
    kind: number | string;
    seconds: number | string;
    n: number | string;
  }>`
    SELECT unit, kind, seconds, COUNT(*) AS n FROM (
      SELECT ${unit} AS unit, 0 AS kind, ${floorSeconds(sql`dispatched_at - ${start}`)} AS seconds
        FROM incidents WHERE ${where} AND dispatched_at IS NOT NULL
      UNION ALL
      SELECT ${unit} AS unit, 1 AS kind, ${floorSeconds(sql`arrived_at - dispatched_at`)} AS seconds
        FROM incidents WHERE ${where} AND dispatched_at IS NOT NULL AND arrived_at IS NOT NULL
      UNION ALL
      SELECT ${unit} AS unit, 2 AS kind, ${floorSeconds(sql`arrived_at - ${start}`)} AS seconds
        FROM incidents WHERE ${where} AND arrived_at IS NOT NULL
    ) AS intervals
    GROUP BY unit, kind, seconds`.execute(store.db);
  const kinds = ["toDispatch", "travel", "toArrival"] as const;
  return {
    counts,
    intervals: result.rows.map((r) => ({
      unit: r.unit,
      kind: kinds[Number(r.kind)]!,
      seconds: Number(r.seconds),
      n: Number(r.n),
    })),
  };
}

/** [from, to) of the current period as local wall-clock milliseconds (Date.UTC of local fields). */
function currentLocalRange(label: string, period: IndicatorPeriod): { from: number; to: number } {
  if (period === "month") {
    const [y, m] = label.split("-").map(Number);
    return { from: Date.UTC(y!, m! - 1, 1), to: Date.UTC(y!, m!, 1) };
  }
  const [, recent] = indicatorRanges(label, period);
  // The recent range is [previous Monday - 1 day, next Monday + 1 day): the week starts 8 days in.
  const monday = recent!.from + 8 * DAY;
  return { from: monday, to: monday + 7 * DAY };
}

/**
 * Incidents per unit, category and local day received in [from, to) (epoch ms, with a day of
 * margin for local offsets left to the caller), grouped by the database: for trends over many
 * months without loading every incident.
 */
export async function loadDailyCounts(
  store: Store,
  from: number,
  to: number,
  level: UnitLevel = "station",
): Promise<IndicatorAggregates["counts"]> {
  const unit = sql.ref(UNIT_COLUMN[level]);
  const localDay = sql`(received_at + utc_offset_min * 60000) / ${sql.lit(DAY)}`;
  const result = await sql<{
    unit: string | null;
    category: string;
    day: number | string;
    n: number | string;
  }>`
    SELECT ${unit} AS unit, category, ${localDay} AS day, COUNT(*) AS n
    FROM incidents
    WHERE received_at >= ${from} AND received_at < ${to}
    GROUP BY 1, 2, 3`.execute(store.db);
  return result.rows.map((r) => ({ unit: r.unit, category: r.category, day: Number(r.day), n: Number(r.n) }));
}
