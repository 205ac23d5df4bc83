import { sql } from "kysely";
import {
  type IncidentColumns,
  IncidentColumnsBuilder,
  type UnitLevel,
} from "../analysis/indicators/columns.ts";
import type { Store } from "./types.ts";

const UNIT_COLUMN = {
  city: "city_unit",
  branch: "branch_unit",
  station: "station_unit",
  area: "area_unit",
} as const satisfies Record<UnitLevel, string>;

export interface TimeRange {
  /** receivedAt >= from (epoch ms). */
  readonly from: number;
  /** receivedAt < to (epoch ms). */
  readonly to: number;
}

export interface ColumnQuery {
  /** Time ranges to load (may not overlap); none = every incident. */
  readonly ranges?: readonly TimeRange[];
  readonly level?: UnitLevel;
  /** Only this unit (at `level`). */
  readonly unit?: string;
  /** Also load source ids (to join repeat series). */
  readonly sourceIds?: boolean;
}

/**
 * Loads the columns the statistics need (times, offset, category, unit, coordinates) for the
 * incidents received in the given time ranges, straight into typed arrays: only these columns
 * travel, over the received_at index.
 * @example
 * const cols = await loadIncidentColumns(store, { ranges: indicatorRanges("2024-05", "month"), level: "station" });
 */
export async function loadIncidentColumns(store: Store, query: ColumnQuery = {}): Promise<IncidentColumns> {
  const level = query.level ?? "station";
  const builder = new IncidentColumnsBuilder(1024);
  for (const range of query.ranges ?? [null])
    await loadRange(store, builder, level, range, query.unit, query.sourceIds === true);
  return builder.build();
}

async function loadRange(
  store: Store,
  builder: IncidentColumnsBuilder,
  level: UnitLevel,
  range: TimeRange | null,
  unit: string | undefined,
  withSourceIds: boolean,
): Promise<void> {
  const unitColumn = UNIT_COLUMN[level];
  let q = store.db
    .selectFrom("incidents")
    .select([
      "received_at",
      "accepted_at",
      "dispatched_at",
      "arrived_at",
      "utc_offset_min",
      "category",
      sql<string | null>`${sql.ref(unitColumn)}`.as("unit"),
      "lat",
      "lon",
    ])
    .$if(withSourceIds, (qb) => qb.select("source_id"));
  if (range) q = q.where("received_at", ">=", range.from).where("received_at", "<", range.to);
  if (unit !== undefined) q = q.where(sql.ref(unitColumn), "=", unit);
  const rows = await q.execute();
  for (const r of rows)
    builder.add(
      Number(r.received_at),
      r.accepted_at === null ? null : Number(r.accepted_at),
      r.dispatched_at === null ? null : Number(r.dispatched_at),
      r.arrived_at === null ? null : Number(r.arrived_at),
      r.utc_offset_min,
      r.category,
      r.unit,
      r.lat,
      r.lon,
      r.source_id ?? null,
    );
}

/**
 * The time ranges a monthly or weekly report reads: the previous and current periods together,
 * and the same period a year before, each with a day of margin for local offsets (the analysis
 * assigns periods by local time and ignores what falls outside).
 */
export function indicatorRanges(label: string, period: "month" | "week"): TimeRange[] {
  const DAY = 86_400_000;
  if (period === "month") {
    const [y, m] = label.split("-").map(Number);
    return [
      { from: Date.UTC(y! - 1, m! - 1, 1) - DAY, to: Date.UTC(y! - 1, m!, 1) + DAY },
      { from: Date.UTC(y!, m! - 2, 1) - DAY, to: Date.UTC(y!, m!, 1) + DAY },
    ];
  }
  const match = /^(\d{4})-W(\d{2})$/.exec(label);
  if (!match) throw new RangeError(`not an ISO week: ${label}`);
  const jan4 = Date.UTC(Number(match[1]), 0, 4);
  const jan4Weekday = (Math.floor(jan4 / DAY) + 3) % 7; // Monday = 0
  const monday = jan4 - jan4Weekday * DAY + (Number(match[2]) - 1) * 7 * DAY;
  const yearBack = monday - 52 * 7 * DAY;
  return [
    { from: yearBack - DAY, to: yearBack + 7 * DAY + DAY },
    { from: monday - 7 * DAY - DAY, to: monday + 7 * DAY + DAY },
  ];
}
