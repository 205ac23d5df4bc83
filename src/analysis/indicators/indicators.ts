import { CATEGORIES, type Category } from "../../domain/index.ts";
import {
  intervalStatsFromHistogram,
  type ResponseOptions,
  type ResponseTimes,
  responseTimes,
} from "../response/response.ts";
import {
  civilFromDays,
  comparePeriods,
  daysFromCivil,
  type PeriodComparison,
  weekday,
} from "../time/patterns.ts";
import type { IncidentColumns } from "./columns.ts";

/**
 * Monthly and weekly indicators per unit (月/周通报): incidents by category with month-on-month
 * (or week-on-week) and year-on-year change, valid/invalid share, repeat-incident rate, response
 * times, data-quality score and a ranking of units. Definitions: docs/analysis.md.
 */

export type IndicatorPeriod = "month" | "week";

const DAY = 86_400_000;

/** Integer index of each incident's local month (year * 12 + month - 1) or Monday-based week. */
export function periodIndex(cols: IncidentColumns, period: IndicatorPeriod): Int32Array {
  const out = new Int32Array(cols.n);
  for (let i = 0; i < cols.n; i++) {
    const local = cols.receivedAt[i]! + cols.utcOffsetMin[i]! * 60_000;
    const day = Math.floor(local / DAY);
    if (period === "week") out[i] = Math.floor((day + 3) / 7);
    else {
      const c = civilFromDays(day);
      out[i] = c.year * 12 + c.month - 1;
    }
  }
  return out;
}

/** Index of a period label: "2024-05" for a month, ISO "2024-W18" for a week. */
export function periodLabelIndex(label: string, period: IndicatorPeriod): number {
  if (period === "month") {
    const m = /^(\d{4})-(\d{2})$/.exec(label);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw new RangeError(`not a month YYYY-MM: ${label}`);
    return Number(m[1]) * 12 + Number(m[2]) - 1;
  }
  const m = /^(\d{4})-W(\d{2})$/.exec(label);
  if (!m) throw new RangeError(`not an ISO week YYYY-Www: ${label}`);
  const jan4 = daysFromCivil(Number(m[1]), 1, 4);
  const monday = jan4 - weekday(jan4 * DAY) + (Number(m[2]) - 1) * 7;
  return Math.floor((monday + 3) / 7);
}

/** Label of a period index (inverse of periodLabelIndex). */
export function periodIndexLabel(index: number, period: IndicatorPeriod): string {
  if (period === "month") return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
  const monday = index * 7 - 3;
  const thursday = monday + 3;
  const year = civilFromDays(thursday).year;
  return `${year}-W${String(Math.floor((thursday - daysFromCivil(year, 1, 1)) / 7) + 1).padStart(2, "0")}`;
}

export const RANK_METRICS = [
  "total",
  "change",
  "arrivalOnTime",
  "dispatchWithin1",
  "repeatRate",
  "quality",
] as const;
export type RankMetric = (typeof RANK_METRICS)[number];

export interface CategoryCount {
  readonly count: number;
  readonly previous: number;
  readonly lastYear: number;
  readonly mom: number | null;
  readonly yoy: number | null;
}

export interface UnitIndicators {
  readonly unit: string;
  readonly total: number;
  /** Change against the previous period (month on month / week on week). */
  readonly vsPrevious: PeriodComparison;
  /** Change against the same period a year before. */
  readonly vsLastYear: PeriodComparison;
  readonly byCategory: Readonly<Record<Category, CategoryCount>>;
  /** Share of incidents that are not 无效警情 (category "invalid"). */
  readonly validShare: number | null;
  readonly invalidShare: number | null;
  /** Share of incidents that belong to a repeat series; null when series were not computed. */
  readonly repeatRate: number | null;
  readonly dispatchWithin: Readonly<Record<number, number | null>>;
  readonly arrivalOnTime: number | null;
  readonly medianToArrivalMinutes: number | null;
  /** Mean data-quality score 0..100; null when not computed. */
  readonly quality: number | null;
  /** 1 = first by the ranking metric. */
  readonly rank: number;
}

export interface IndicatorReport {
  readonly period: IndicatorPeriod;
  readonly label: string;
  readonly previousLabel: string;
  readonly lastYearLabel: string;
  readonly rankBy: RankMetric;
  /** Units ranked; every unit with an incident in any of the three periods. */
  readonly units: readonly UnitIndicators[];
  /** All incidents of the period together (units and incidents without a unit). */
  readonly all: UnitIndicators;
}

export interface IndicatorOptions {
  readonly period: IndicatorPeriod;
  /** "2024-05" or "2024-W18". */
  readonly label: string;
  readonly rankBy?: RankMetric;
  readonly response?: ResponseOptions;
  /** Restrict to one unit. */
  readonly unit?: string;
}

interface Tally {
  current: number;
  previous: number;
  lastYear: number;
  cats: Int32Array; // 3 x categories
  invalid: number;
  repeats: number;
  qualitySum: number;
  qualityN: number;
  members: number[];
}

const newTally = (): Tally => ({
  current: 0,
  previous: 0,
  lastYear: 0,
  cats: new Int32Array(3 * CATEGORIES.length),
  invalid: 0,
  repeats: 0,
  qualitySum: 0,
  qualityN: 0,
  members: [],
});

/**
 * Indicators of one month or week for every unit, ranked.
 * @example
 * periodIndicators(cols, { period: "month", label: "2024-05" }).units[0].unit;
 */
export function periodIndicators(cols: IncidentColumns, options: IndicatorOptions): IndicatorReport {
  const period = options.period;
  const current = periodLabelIndex(options.label, period);
  const previous = current - 1;
  // A year back: 12 months, or 52 weeks (the same ISO week except after a 53-week year).
  const lastYear = current - (period === "month" ? 12 : 52);
  const index = periodIndex(cols, period);
  const invalidCategory = CATEGORIES.indexOf("invalid");
  const C = CATEGORIES.length;
  const onlyUnit = options.unit !== undefined ? cols.units.indexOf(options.unit) : null;
  const tallies = new Map<number, Tally>();
  const all = newTally();
  for (let i = 0; i < cols.n; i++) {
    const p = index[i]!;
    const slot = p === current ? 0 : p === previous ? 1 : p === lastYear ? 2 : -1;
    if (slot < 0) continue;
    const u = cols.unit[i]!;
    if (onlyUnit !== null && u !== onlyUnit) continue;
    let t = tallies.get(u);
    if (!t) {
      t = newTally();
      tallies.set(u, t);
    }
    for (const target of [t, all]) {
      target.cats[slot * C + cols.category[i]!]!++;
      if (slot === 0) {
        target.current++;
        target.members.push(i);
        if (cols.category[i] === invalidCategory) target.invalid++;
        if (cols.inRepeatSeries?.[i] === 1) target.repeats++;
        const q = cols.qualityScore?.[i];
        if (q !== undefined && !Number.isNaN(q)) {
          target.qualitySum += q;
          target.qualityN++;
        }
      } else if (slot === 1) target.previous++;
      else target.lastYear++;
    }
  }

  const response = (t: Tally) => responseTimes(cols, options.response ?? {}, t.members);
  return assembleReport(
    options,
    [...tallies]
      .filter(([u]) => u >= 0)
      .map(([u, t]) => ({ unit: cols.units[u]!, tally: t, response: response(t) })),
    { tally: all, response: response(all) },
    cols.inRepeatSeries !== undefined,
  );
}

interface UnitInput {
  readonly unit: string;
  readonly tally: Tally;
  readonly response: ResponseTimes;
}

/** Summaries, ranking and labels: shared by the column and the aggregate formulations. */
function assembleReport(
  options: IndicatorOptions,
  rowsIn: readonly UnitInput[],
  all: Omit<UnitInput, "unit">,
  hasRepeats: boolean,
): IndicatorReport {
  const period = options.period;
  const rankBy = options.rankBy ?? "total";
  const current = periodLabelIndex(options.label, period);
  const previous = current - 1;
  const lastYear = current - (period === "month" ? 12 : 52);
  const C = CATEGORIES.length;
  const summarise = (unit: string, t: Tally, r: ResponseTimes): Omit<UnitIndicators, "rank"> => {
    const byCategory = {} as Record<Category, CategoryCount>;
    CATEGORIES.forEach((cat, c) => {
      const count = t.cats[c]!;
      const prev = t.cats[C + c]!;
      const year = t.cats[2 * C + c]!;
      byCategory[cat] = {
        count,
        previous: prev,
        lastYear: year,
        mom: prev > 0 ? (count - prev) / prev : null,
        yoy: year > 0 ? (count - year) / year : null,
      };
    });
    const onTimeN = r.urbanArrival.n + r.suburbanArrival.n;
    return {
      unit,
      total: t.current,
      vsPrevious: comparePeriods(t.current, t.previous),
      vsLastYear: comparePeriods(t.current, t.lastYear),
      byCategory,
      validShare: t.current > 0 ? (t.current - t.invalid) / t.current : null,
      invalidShare: t.current > 0 ? t.invalid / t.current : null,
      repeatRate: hasRepeats && t.current > 0 ? t.repeats / t.current : null,
      dispatchWithin: r.toDispatch.within,
      arrivalOnTime: onTimeN > 0 ? (r.urbanArrival.onTime + r.suburbanArrival.onTime) / onTimeN : null,
      medianToArrivalMinutes: r.toArrival.medianMinutes,
      quality: t.qualityN > 0 ? t.qualitySum / t.qualityN : null,
    };
  };

  const metric = (u: Omit<UnitIndicators, "rank">): number => {
    switch (rankBy) {
      case "total":
        return u.total;
      case "change":
        return u.vsPrevious.change;
      case "arrivalOnTime":
        return u.arrivalOnTime ?? Number.NEGATIVE_INFINITY;
      case "dispatchWithin1":
        return u.dispatchWithin[1] ?? Number.NEGATIVE_INFINITY;
      case "repeatRate":
        return u.repeatRate ?? Number.NEGATIVE_INFINITY;
      case "quality":
        return u.quality ?? Number.NEGATIVE_INFINITY;
    }
  };
  const rows = rowsIn
    .map((x) => summarise(x.unit, x.tally, x.response))
    .sort((a, b) => metric(b) - metric(a) || a.unit.localeCompare(b.unit));
  // Equal metrics share a rank (1, 2, 2, 4).
  const ranked: UnitIndicators[] = [];
  rows.forEach((row, k) => {
    const rank = k > 0 && metric(rows[k - 1]!) === metric(row) ? ranked[k - 1]!.rank : k + 1;
    ranked.push({ ...row, rank });
  });
  return {
    period,
    label: options.label,
    previousLabel: periodIndexLabel(previous, period),
    lastYearLabel: periodIndexLabel(lastYear, period),
    rankBy,
    units: ranked,
    all: { ...summarise("*", all.tally, all.response), rank: 0 },
  };
}

/** Counts and interval histograms as a database can group them (see src/store/indicator-tallies.ts). */
export interface IndicatorAggregates {
  /** Incidents per unit, category code and local day (days since 1970-01-01 on the local clock). */
  readonly counts: readonly {
    readonly unit: string | null;
    readonly category: string;
    readonly day: number;
    readonly n: number;
  }[];
  /**
   * Interval lengths of the current period's incidents in whole seconds (floor) per unit, for
   * start -> dispatch, dispatch -> arrival and start -> arrival; negative lengths included.
   */
  readonly intervals: readonly {
    readonly unit: string | null;
    readonly kind: "toDispatch" | "travel" | "toArrival";
    readonly seconds: number;
    readonly n: number;
  }[];
}

/** Period index of a local day number. */
function dayPeriod(day: number, period: IndicatorPeriod): number {
  if (period === "week") return Math.floor((day + 3) / 7);
  const c = civilFromDays(day);
  return c.year * 12 + c.month - 1;
}

/**
 * The same indicators from grouped counts and interval histograms instead of one row per incident:
 * what lets a database answer for a million incidents without sending them all. Intervals are
 * then measured to the second. Arrival norms: all incidents are held to the urban limit (the store
 * has no urban/suburban flag yet), as the column formulation does without `suburban`.
 * @example
 * periodIndicatorsFromAggregates(await loadIndicatorAggregates(store, "2024-05", "month"), { period: "month", label: "2024-05" });
 */
export function periodIndicatorsFromAggregates(
  agg: IndicatorAggregates,
  options: IndicatorOptions,
): IndicatorReport {
  const period = options.period;
  const current = periodLabelIndex(options.label, period);
  const previous = current - 1;
  const lastYear = current - (period === "month" ? 12 : 52);
  const C = CATEGORIES.length;
  const invalid = "invalid";
  const tallies = new Map<string | null, Tally>();
  const all = newTally();
  const tallyOf = (unit: string | null) => {
    let t = tallies.get(unit);
    if (!t) {
      t = newTally();
      tallies.set(unit, t);
    }
    return t;
  };
  for (const row of agg.counts) {
    if (options.unit !== undefined && row.unit !== options.unit) continue;
    const p = dayPeriod(row.day, period);
    const slot = p === current ? 0 : p === previous ? 1 : p === lastYear ? 2 : -1;
    if (slot < 0) continue;
    const c = CATEGORIES.indexOf(row.category as Category);
    const cat = c >= 0 ? c : CATEGORIES.indexOf("other");
    for (const target of [tallyOf(row.unit), all]) {
      target.cats[slot * C + cat]! += row.n;
      if (slot === 0) {
        target.current += row.n;
        if (row.category === invalid) target.invalid += row.n;
      } else if (slot === 1) target.previous += row.n;
      else target.lastYear += row.n;
    }
  }
  const thresholds = options.response?.withinMinutes ?? [1, 3, 5];
  const urbanLimit = options.response?.urbanArrivalMinutes ?? 5;
  const histograms = new Map<string, { seconds: number[]; counts: number[] }>();
  const add = (key: string, seconds: number, n: number) => {
    let h = histograms.get(key);
    if (!h) {
      h = { seconds: [], counts: [] };
      histograms.set(key, h);
    }
    h.seconds.push(seconds);
    h.counts.push(n);
  };
  for (const row of agg.intervals) {
    if (options.unit !== undefined && row.unit !== options.unit) continue;
    add(`${row.kind}|${row.unit ?? ""}|${row.unit === null ? 0 : 1}`, row.seconds, row.n);
    add(`${row.kind}|*`, row.seconds, row.n);
  }
  const stats = (kind: string, key: string, total: number) => {
    const h = histograms.get(`${kind}|${key}`) ?? { seconds: [], counts: [] };
    const measured = h.counts.reduce((a, b) => a + b, 0);
    return intervalStatsFromHistogram(
      Float64Array.from(h.seconds),
      Float64Array.from(h.counts),
      total - measured,
      thresholds,
    );
  };
  const response = (key: string, total: number): ResponseTimes => {
    const toArrival = stats("toArrival", key, total);
    const h = histograms.get(`toArrival|${key}`) ?? { seconds: [], counts: [] };
    let onTime = 0;
    h.seconds.forEach((s, k) => {
      if (s >= 0 && s / 60 <= urbanLimit) onTime += h.counts[k]!;
    });
    return {
      toDispatch: stats("toDispatch", key, total),
      travel: stats("travel", key, total),
      toArrival,
      urbanArrival: {
        n: toArrival.n,
        onTime,
        share: toArrival.n > 0 ? onTime / toArrival.n : null,
        limitMinutes: urbanLimit,
      },
      suburbanArrival: {
        n: 0,
        onTime: 0,
        share: null,
        limitMinutes: options.response?.suburbanArrivalMinutes ?? 10,
      },
    };
  };
  const rows: UnitInput[] = [...tallies]
    .filter((entry): entry is [string, Tally] => entry[0] !== null)
    .map(([unit, t]) => ({ unit, tally: t, response: response(`${unit}|1`, t.current) }));
  return assembleReport(options, rows, { tally: all, response: response("*", all.current) }, false);
}
