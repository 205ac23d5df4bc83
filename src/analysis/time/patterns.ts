import { civilFromDays } from "../../domain/calendar.ts";
import { normalCdf } from "../stats.ts";

export { civilFromDays };

/**
 * Time patterns: hour-of-day x day-of-week heatmaps with aoristic weighting (Ratcliffe 2002,
 * "Aoristic signatures and the spatio-temporal analysis of high volume crime patterns"), counts
 * per period (day, ISO week, month) per unit and category, period comparison and trends.
 * All times are instants in epoch ms with the local offset in minutes beside them: hours and
 * days are those of the local wall clock, as the command centre reads them.
 */

const HOUR = 3_600_000;
const DAY = 86_400_000;
const WEEK = 7 * DAY;

/** Day of the week of a local time, Monday = 0 ... Sunday = 6 (1970-01-01 was a Thursday). */
export function weekday(localMs: number): number {
  return (((Math.floor(localMs / DAY) + 3) % 7) + 7) % 7;
}

/** Heatmap cell of a local time: weekday * 24 + hour. */
export function heatCell(localMs: number): number {
  const hour = Math.floor((((localMs % DAY) + DAY) % DAY) / HOUR);
  return weekday(localMs) * 24 + hour;
}

/**
 * Hour-of-day x day-of-week weights (7 x 24, Monday first), each incident adding a total weight
 * of 1. An incident known only within a span [start, end] (e.g. a burglary found in the
 * morning) is spread over the hours of that span in proportion to their overlap (aoristic
 * weighting); without an end, or with end <= start, its whole weight goes to the start hour.
 * @example
 * hourWeekHeatmap(start, end, offsets)[0 * 24 + 9]; // Monday 09:00-10:00
 */
export function hourWeekHeatmap(
  start: Float64Array,
  end: Float64Array | null,
  offsetMin: Int16Array | Int32Array | Float64Array | number,
  index: ArrayLike<number> | null = null,
): Float64Array {
  const out = new Float64Array(168);
  const count = index ? index.length : start.length;
  for (let k = 0; k < count; k++) {
    const i = index ? index[k]! : k;
    const s0 = start[i]!;
    if (Number.isNaN(s0)) continue;
    const offset = (typeof offsetMin === "number" ? offsetMin : offsetMin[i]!) * 60_000;
    const s = s0 + offset;
    const e0 = end ? end[i]! : Number.NaN;
    if (Number.isNaN(e0) || e0 <= s0) {
      out[heatCell(s)]! += 1;
      continue;
    }
    const e = e0 + offset;
    const span = e - s;
    // Whole weeks cover every cell equally; only the remainder is walked hour by hour.
    const weeks = Math.floor(span / WEEK);
    if (weeks > 0) {
      const each = (weeks * HOUR) / span;
      for (let c = 0; c < 168; c++) out[c]! += each;
    }
    let t = s + weeks * WEEK;
    while (t < e) {
      const next = Math.min(e, (Math.floor(t / HOUR) + 1) * HOUR);
      out[heatCell(t)]! += (next - t) / span;
      t = next;
    }
  }
  return out;
}

export const PERIODS = ["day", "week", "month"] as const;
export type Period = (typeof PERIODS)[number];

/**
 * Label of the local period of an instant: "2024-05-01", ISO week "2024-W18", or "2024-05".
 * @example
 * periodKey(Date.UTC(2024, 4, 1, 2), 480, "month"); // "2024-05"
 */
export function periodKey(ms: number, offsetMin: number, period: Period): string {
  const local = ms + offsetMin * 60_000;
  const dayNumber = Math.floor(local / DAY);
  const civil = civilFromDays(dayNumber);
  const pad = (n: number) => String(n).padStart(2, "0");
  if (period === "day") return `${civil.year}-${pad(civil.month)}-${pad(civil.day)}`;
  if (period === "month") return `${civil.year}-${pad(civil.month)}`;
  // ISO week: the week belongs to the year of its Thursday.
  const thursday = dayNumber - weekday(local) + 3;
  const thursdayYear = civilFromDays(thursday).year;
  const jan1 = daysFromCivil(thursdayYear, 1, 1);
  return `${thursdayYear}-W${pad(Math.floor((thursday - jan1) / 7) + 1)}`;
}

/** Civil date to days since 1970-01-01. */
export function daysFromCivil(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / DAY;
}

/**
 * Counts per group and period: `groups[i]` is the group of incident i (a unit, a category, or
 * "unit|category"); null groups are skipped.
 * @example
 * countsByPeriod(received, offsets, stationOf, "month").get("S01")?.get("2024-05");
 */
export function countsByPeriod(
  times: Float64Array,
  offsetMin: ArrayLike<number> | number,
  groups: readonly (string | null)[],
  period: Period,
): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (let i = 0; i < times.length; i++) {
    const group = groups[i];
    if (group === null || group === undefined || Number.isNaN(times[i]!)) continue;
    const key = periodKey(times[i]!, typeof offsetMin === "number" ? offsetMin : offsetMin[i]!, period);
    let series = out.get(group);
    if (!series) {
      series = new Map();
      out.set(group, series);
    }
    series.set(key, (series.get(key) ?? 0) + 1);
  }
  return out;
}

export interface PeriodComparison {
  readonly current: number;
  readonly previous: number;
  readonly change: number;
  /** Relative change; null when the previous count is 0. */
  readonly changeShare: number | null;
  /** Two-sided p-value that the two counts come from the same rate (conditional binomial, normal approximation). */
  readonly p: number | null;
}

/**
 * Compares two counts over periods of equal length (month on month, year on year).
 * @example
 * comparePeriods(60, 40).changeShare; // 0.5
 */
export function comparePeriods(current: number, previous: number): PeriodComparison {
  const total = current + previous;
  const z = total > 0 ? (current - previous) / Math.sqrt(total) : 0;
  return {
    current,
    previous,
    change: current - previous,
    changeShare: previous > 0 ? (current - previous) / previous : null,
    p: total > 0 ? 2 * (1 - normalCdf(Math.abs(z))) : null,
  };
}

export interface Trend {
  /** Least-squares slope in counts per period. */
  readonly slope: number;
  /** Slope over the mean count: the share the series grows or shrinks per period. */
  readonly relativeSlope: number | null;
  readonly direction: "rising" | "falling" | "flat";
}

/**
 * Linear trend of a series of counts (consecutive periods, missing periods given as 0). The
 * direction is rising or falling when the slope moves at least `minShare` of the mean per period.
 */
export function linearTrend(series: readonly number[], minShare = 0.05): Trend {
  const n = series.length;
  if (n < 2) return { slope: 0, relativeSlope: null, direction: "flat" };
  const mx = (n - 1) / 2;
  const my = series.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  series.forEach((y, x) => {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  });
  const slope = sxy / sxx;
  const relativeSlope = my > 0 ? slope / my : null;
  const direction =
    relativeSlope === null || Math.abs(relativeSlope) < minShare
      ? "flat"
      : relativeSlope > 0
        ? "rising"
        : "falling";
  return { slope, relativeSlope, direction };
}

/** The n period keys ending with `last` (inclusive), oldest first, for filling series with zeros. */
export function previousPeriods(last: string, n: number, period: Period): string[] {
  const out: string[] = [];
  if (period === "month") {
    const [y, m] = last.split("-").map(Number);
    for (let k = n - 1; k >= 0; k--) {
      const total = y! * 12 + (m! - 1) - k;
      out.push(`${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, "0")}`);
    }
    return out;
  }
  if (period === "day") {
    const [y, m, d] = last.split("-").map(Number);
    const end = daysFromCivil(y!, m!, d!);
    for (let k = n - 1; k >= 0; k--) out.push(periodKey((end - k) * DAY, 0, "day"));
    return out;
  }
  const match = /^(\d{4})-W(\d{2})$/.exec(last);
  if (!match) throw new RangeError(`not an ISO week: ${last}`);
  const year = Number(match[1]);
  const jan4 = daysFromCivil(year, 1, 4);
  const monday = jan4 - weekday(jan4 * DAY) + (Number(match[2]) - 1) * 7;
  for (let k = n - 1; k >= 0; k--) out.push(periodKey((monday - 7 * k) * DAY, 0, "week"));
  return out;
}

export interface SeriesTrend {
  /** Group key, e.g. a unit, a category or "unit|category". */
  readonly group: string;
  /** Period labels, oldest first, ending with the last period asked for. */
  readonly periods: readonly string[];
  /** Counts per period (0 where nothing happened). */
  readonly counts: readonly number[];
  readonly trend: Trend;
  /** Last period against the one before. */
  readonly vsPrevious: PeriodComparison;
}

/**
 * Trends per group over the `n` periods ending with `last`: the series with zeros filled in, its
 * linear trend and the last change, sorted with the strongest relative rise first.
 * @example
 * periodTrends(received, offsets, unitAndCategory, "month", "2024-05", 12)[0]; // fastest-rising group
 */
export function periodTrends(
  times: Float64Array,
  offsetMin: ArrayLike<number> | number,
  groups: readonly (string | null)[],
  period: Period,
  last: string,
  n: number,
): SeriesTrend[] {
  return trendsFromCounts(countsByPeriod(times, offsetMin, groups, period), previousPeriods(last, n, period));
}

/**
 * periodTrends over counts already grouped (group -> period label -> count), e.g. by a database.
 * @example
 * trendsFromCounts(new Map([["A", new Map([["2024-05", 3]])]]), ["2024-04", "2024-05"]);
 */
export function trendsFromCounts(
  counts: ReadonlyMap<string, ReadonlyMap<string, number>>,
  periods: readonly string[],
): SeriesTrend[] {
  const n = periods.length;
  const out: SeriesTrend[] = [];
  for (const [group, byPeriod] of counts) {
    const series = periods.map((p) => byPeriod.get(p) ?? 0);
    if (series.every((v) => v === 0)) continue;
    out.push({
      group,
      periods,
      counts: series,
      trend: linearTrend(series),
      vsPrevious: comparePeriods(series[n - 1] ?? 0, series[n - 2] ?? 0),
    });
  }
  return out.sort(
    (a, b) => (b.trend.relativeSlope ?? 0) - (a.trend.relativeSlope ?? 0) || a.group.localeCompare(b.group),
  );
}
