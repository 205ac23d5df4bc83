import { FLAG_PLACE_EXCLUDED, FLAG_TEST } from "./columns.ts";
import type { RepeatIndex } from "./engine.ts";

/**
 * The place-series rule written independently in SQL with window functions (SQLite >= 3.28 and
 * PostgreSQL >= 11), over a table `repeat_events(id, grp, key, at)` holding one row per event
 * eligible for place series (key = its location key at the group's level, at = epoch ms).
 * The differential test and bench/repeat.ts check it gives exactly the engine's series.
 *
 * Per group with k = minEvents and W = window in ms, for each key ordered by (at, id):
 * - upto  = events with at <= at_i + W                      (RANGE ... W FOLLOWING)
 * - dense = upto - row_number + 1 >= k                      (window [t_i, t_i + W] holds k events)
 * - member: the latest dense row at or before it is within W (running MAX over dense rows)
 * - series number: running count of members whose gap to the previous member exceeds W.
 */
export function placeSeriesSql(
  rules: readonly { readonly grp: number; readonly minEvents: number; readonly windowMs: number }[],
): string {
  const parts = rules.map(({ grp, minEvents, windowMs }) => {
    const g = Math.trunc(grp);
    const k = Math.trunc(minEvents);
    const w = Math.trunc(windowMs);
    return `SELECT ${g} AS grp, key, id, SUM(brk) OVER (PARTITION BY key ORDER BY at, id ROWS UNBOUNDED PRECEDING) AS series_no
FROM (
  SELECT id, key, at,
    CASE WHEN LAG(at) OVER (PARTITION BY key ORDER BY at, id) IS NULL
      OR at - LAG(at) OVER (PARTITION BY key ORDER BY at, id) > ${w} THEN 1 ELSE 0 END AS brk
  FROM (
    SELECT id, key, at,
      MAX(CASE WHEN upto - rn + 1 >= ${k} THEN at END)
        OVER (PARTITION BY key ORDER BY at, id ROWS UNBOUNDED PRECEDING) AS last_dense
    FROM (
      SELECT id, key, at,
        ROW_NUMBER() OVER (PARTITION BY key ORDER BY at, id) AS rn,
        COUNT(*) OVER (PARTITION BY key ORDER BY at RANGE BETWEEN UNBOUNDED PRECEDING AND ${w} FOLLOWING) AS upto
      FROM repeat_events WHERE grp = ${g}
    ) ranked
  ) marked
  WHERE last_dense IS NOT NULL AND at - last_dense <= ${w}
) members`;
  });
  return `${parts.join("\nUNION ALL\n")}\nORDER BY grp, key, series_no, id`;
}

/** The DDL of the input table (both dialects). */
export const REPEAT_EVENTS_DDL =
  "CREATE TABLE repeat_events (id BIGINT NOT NULL, grp INTEGER NOT NULL, key TEXT NOT NULL, at BIGINT NOT NULL)";

export interface PlaceSeriesRow {
  readonly id: number;
  readonly grp: number;
  readonly key: string;
  readonly at: number;
}

/** The events of an index eligible for place series, as rows of `repeat_events` (same keys). */
export function placeSeriesRows(index: RepeatIndex): PlaceSeriesRow[] {
  const rows: PlaceSeriesRow[] = [];
  for (let e = 0; e < index.eventCount; e++) {
    if (index.evFlags[e]! & (FLAG_PLACE_EXCLUDED | FLAG_TEST)) continue;
    const g = index.eventGroup(e);
    if (g < 0) continue;
    const l = index.groupRule(g)!.level;
    const key = index.evKeys[l]![e]!;
    if (key < 0) continue;
    rows.push({ id: e, grp: g, key: `${l}:${index.calls.dict.keys[l]!.values[key]!}`, at: index.evAt[e]! });
  }
  return rows;
}

/** The rules of an index for `placeSeriesSql`. */
export function placeSeriesRules(index: RepeatIndex): { grp: number; minEvents: number; windowMs: number }[] {
  return Array.from({ length: index.groupCount }, (_, g) => {
    const rule = index.groupRule(g)!;
    return { grp: g, minEvents: rule.minEvents, windowMs: rule.windowMs };
  });
}

/** Series of SQL result rows (grp, key, series_no, id) as sorted "id,id,..." strings, for comparison. */
export function seriesFromSqlRows(
  rows: readonly {
    grp: number | bigint;
    key: string;
    series_no: number | bigint | string;
    id: number | bigint | string;
  }[],
): string[] {
  const bySeries = new Map<string, number[]>();
  for (const r of rows) {
    const k = `${r.grp}|${r.key}|${r.series_no}`;
    const list = bySeries.get(k);
    if (list) list.push(Number(r.id));
    else bySeries.set(k, [Number(r.id)]);
  }
  return [...bySeries.values()].map((ids) => ids.sort((a, b) => a - b).join(",")).sort();
}

/** The engine's place series as sorted "event,event,..." strings. */
export function enginePlaceSeries(index: RepeatIndex): string[] {
  return index
    .allSeries()
    .filter((s) => s.kind === "place")
    .map((s) =>
      Array.from(s.events)
        .sort((a, b) => a - b)
        .join(","),
    )
    .sort();
}
