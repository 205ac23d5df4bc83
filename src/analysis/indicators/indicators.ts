import { CATEGORIES, type Category } from "../../domain/index.ts";
import {
  type IntervalStats,
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
import type { IncidentColumns, UnitLevel } from "./columns.ts";
import { type DailyRollups, RESPONSE_BIN_EDGES_S, RESPONSE_BINS } from "./rollups.ts";

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
  "caseResolution",
  "verifiedEffective",
] as const;
export type RankMetric = (typeof RANK_METRICS)[number];

export interface CategoryCount {
  readonly count: number;
  readonly previous: number;
  readonly lastYear: number;
  readonly mom: number | null;
  readonly yoy: number | null;
}

/** Cases of a unit (state at the time the report runs), see docs/analysis.md. */
export interface CaseTally {
  /** Cases created before the end of the period, neither draft nor cancelled. */
  readonly cases: number;
  /** Of these, resolved, under verification or closed (effective or not). */
  readonly resolved: number;
  readonly closedEffective: number;
  readonly closedIneffective: number;
}

/** Figures that come from other engines' tables rather than from the incidents themselves. */
export interface IndicatorExtras {
  /** Incidents of the current period in a repeat series, per unit ("" = no unit at the level). */
  readonly repeats?: ReadonlyMap<string, number>;
  /** Sum and number of data-quality scores of the current period's incidents, per unit. */
  readonly quality?: ReadonlyMap<string, { readonly sum: number; readonly n: number }>;
  /** Cases per unit (null when cases carry no unit at this level) and in all. */
  readonly cases?: { readonly byUnit: ReadonlyMap<string, CaseTally> | null; readonly all: CaseTally };
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
  /** The whole chain: accepted -> dispatched -> arrived, shares within, means, arrival norms. */
  readonly response: ResponseTimes;
  /** Mean data-quality score 0..100; null when not computed. */
  readonly quality: number | null;
  /** Case counts; null when no case figures were supplied (or cases have no unit at this level). */
  readonly cases: CaseTally | null;
  /** resolved / cases; null without cases. */
  readonly caseResolutionRate: number | null;
  /** closed effective / closed (effective + ineffective) (验证有效率); null when none closed. */
  readonly verifiedEffectiveRate: number | null;
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
  /** Repeat, quality and case figures from the store (periodIndicatorsFromRollups; cases also for columns). */
  readonly extras?: IndicatorExtras;
  /**
   * Stations under the suburban arrival norm (unit registry), for the rollup formulation; the
   * column formulation reads `cols.suburban` per incident instead.
   */
  readonly suburbanStations?: ReadonlySet<string>;
  /** Rollup rows of this level are read (default station); the column formulation has its level in the columns. */
  readonly level?: UnitLevel;
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
  cases: CaseTally | null;
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
  cases: null,
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
  // An unknown unit matches nothing (indexOf's -1 would select the incidents without a unit).
  const onlyUnit =
    options.unit !== undefined
      ? cols.units.includes(options.unit)
        ? cols.units.indexOf(options.unit)
        : -2
      : null;
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
  const cases = options.extras?.cases;
  const noCases: CaseTally = { cases: 0, resolved: 0, closedEffective: 0, closedIneffective: 0 };
  const casesOf = (unit: string | null): CaseTally | null => {
    if (!cases) return null;
    if (unit === null)
      return options.unit === undefined
        ? cases.all
        : (cases.byUnit?.get(options.unit) ?? (cases.byUnit ? noCases : null));
    return cases.byUnit ? (cases.byUnit.get(unit) ?? noCases) : null;
  };
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
      response: r,
      quality: t.qualityN > 0 ? t.qualitySum / t.qualityN : null,
      cases: t.cases,
      caseResolutionRate: t.cases && t.cases.cases > 0 ? t.cases.resolved / t.cases.cases : null,
      verifiedEffectiveRate:
        t.cases && t.cases.closedEffective + t.cases.closedIneffective > 0
          ? t.cases.closedEffective / (t.cases.closedEffective + t.cases.closedIneffective)
          : null,
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
      case "caseResolution":
        return u.caseResolutionRate ?? Number.NEGATIVE_INFINITY;
      case "verifiedEffective":
        return u.verifiedEffectiveRate ?? Number.NEGATIVE_INFINITY;
    }
  };
  for (const x of rowsIn) x.tally.cases = casesOf(x.unit);
  all.tally.cases = casesOf(null);
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

/** Bins 0..k hold the intervals within `minutes` (<=); the limit must be a bin edge. */
function lastBinWithin(minutes: number): number {
  const k = RESPONSE_BIN_EDGES_S.indexOf(Math.round(minutes * 60) as (typeof RESPONSE_BIN_EDGES_S)[number]);
  if (k < 0 || Math.abs(minutes * 60 - RESPONSE_BIN_EDGES_S[k]!) > 1e-9)
    throw new RangeError(
      `${minutes} min is not an edge of the rollup bins (${RESPONSE_BIN_EDGES_S.map((s) => s / 60).join(", ")} min)`,
    );
  return k;
}

interface BinnedInterval {
  readonly bins: Float64Array;
  negative: number;
  sumMs: number;
}

/**
 * Interval statistics from binned counts. Shares within thresholds and means are exact; the
 * median and the 90th percentile are estimated inside their bin (each of the c values in a bin
 * placed evenly between its edges; values above the last edge at that edge), so they are within
 * one bin width of the exact figure.
 */
function statsFromBins(h: BinnedInterval, total: number, thresholds: readonly number[]): IntervalStats {
  let n = 0;
  for (let k = 0; k < RESPONSE_BINS; k++) n += h.bins[k]!;
  const within: Record<number, number | null> = {};
  for (const limit of thresholds) {
    const last = lastBinWithin(limit);
    let inside = 0;
    for (let k = 0; k <= last; k++) inside += h.bins[k]!;
    within[limit] = n > 0 ? inside / n : null;
  }
  // Estimated value (minutes) at 0-based rank r of the sorted intervals.
  const at = (r: number): number => {
    let before = 0;
    for (let k = 0; k < RESPONSE_BINS; k++) {
      const c = h.bins[k]!;
      if (r < before + c) {
        const lower = k === 0 ? 0 : RESPONSE_BIN_EDGES_S[k - 1]!;
        const upper = k < RESPONSE_BIN_EDGES_S.length ? RESPONSE_BIN_EDGES_S[k]! : lower;
        return (lower + ((r - before + 0.5) / c) * (upper - lower)) / 60;
      }
      before += c;
    }
    return RESPONSE_BIN_EDGES_S[RESPONSE_BIN_EDGES_S.length - 1]! / 60;
  };
  const q = (p: number): number | null => {
    if (n === 0) return null;
    const x = (n - 1) * p;
    const lo = Math.floor(x);
    const a = at(lo);
    return a + (x - lo) * (at(Math.min(n - 1, lo + 1)) - a);
  };
  return {
    n,
    missing: total - n - h.negative,
    negative: h.negative,
    meanMinutes: n > 0 ? h.sumMs / n / 60_000 : null,
    medianMinutes: q(0.5),
    p90Minutes: q(0.9),
    within,
  };
}

interface ResponseTally {
  readonly kinds: BinnedInterval[];
  incidents: number;
  urbanN: number;
  urbanOnTime: number;
  suburbanN: number;
  suburbanOnTime: number;
}

const newResponseTally = (): ResponseTally => ({
  kinds: [0, 1, 2].map(() => ({ bins: new Float64Array(RESPONSE_BINS), negative: 0, sumMs: 0 })),
  incidents: 0,
  urbanN: 0,
  urbanOnTime: 0,
  suburbanN: 0,
  suburbanOnTime: 0,
});

/**
 * The indicators from daily rollups (maintained by the store at import, see rollups.ts): counts
 * per unit, category and day for the three periods, response histograms of the current period,
 * and repeat, quality and case figures from `options.extras`. Equal to `periodIndicators` on the
 * same incidents, except medians and 90th percentiles, which are estimated within their bin.
 * Thresholds (`response.withinMinutes`, arrival limits) must be bin edges (RESPONSE_BIN_EDGES_S).
 * @example
 * periodIndicatorsFromRollups(await loadRollups(store, "2024-05", "month", "station"), { period: "month", label: "2024-05" });
 */
export function periodIndicatorsFromRollups(
  rollups: DailyRollups,
  options: IndicatorOptions,
): IndicatorReport {
  const period = options.period;
  const current = periodLabelIndex(options.label, period);
  const previous = current - 1;
  const lastYear = current - (period === "month" ? 12 : 52);
  const C = CATEGORIES.length;
  const thresholds = options.response?.withinMinutes ?? [1, 3, 5];
  const urbanLimit = options.response?.urbanArrivalMinutes ?? 5;
  const suburbanLimit = options.response?.suburbanArrivalMinutes ?? 10;
  const urbanLast = lastBinWithin(urbanLimit);
  const suburbanLast = lastBinWithin(suburbanLimit);
  const suburban = options.suburbanStations ?? new Set<string>();
  const slotOf = (day: number) => {
    const p = dayPeriod(day, period);
    return p === current ? 0 : p === previous ? 1 : p === lastYear ? 2 : -1;
  };
  const periodOfDay = new Map<number, number>();
  const slot = (day: number) => {
    let s = periodOfDay.get(day);
    if (s === undefined) {
      s = slotOf(day);
      periodOfDay.set(day, s);
    }
    return s;
  };
  const keep = (unit: string) => options.unit === undefined || unit === options.unit;
  const level = options.level ?? "station";

  const tallies = new Map<string, Tally>();
  const all = newTally();
  const invalid = CATEGORIES.indexOf("invalid");
  for (const row of rollups) {
    if (row.level !== level || !keep(row.unit)) continue;
    const s = slot(row.day);
    if (s < 0) continue;
    let t = tallies.get(row.unit);
    if (!t) {
      t = newTally();
      tallies.set(row.unit, t);
    }
    for (const target of [t, all]) {
      for (let c = 0; c < C; c++) target.cats[s * C + c]! += row.categories[c]!;
      if (s === 0) {
        target.current += row.incidents;
        target.invalid += row.categories[invalid]!;
      } else if (s === 1) target.previous += row.incidents;
      else target.lastYear += row.incidents;
    }
  }

  const responses = new Map<string, ResponseTally>();
  const allResponse = newResponseTally();
  const arrivalOffset = 2 * RESPONSE_BINS;
  for (const row of rollups) {
    if (row.level !== level || !keep(row.unit) || slot(row.day) !== 0) continue;
    let r = responses.get(row.unit);
    if (!r) {
      r = newResponseTally();
      responses.set(row.unit, r);
    }
    const isSuburban = suburban.has(row.station);
    const last = isSuburban ? suburbanLast : urbanLast;
    let arrived = 0;
    let onTime = 0;
    for (let k = 0; k < RESPONSE_BINS; k++) {
      const c = row.bins[arrivalOffset + k]!;
      arrived += c;
      if (k <= last) onTime += c;
    }
    for (const target of [r, allResponse]) {
      target.incidents += row.incidents;
      for (let kind = 0; kind < 3; kind++) {
        const h = target.kinds[kind]!;
        h.negative += row.negative[kind]!;
        h.sumMs += row.sumMs[kind]!;
        for (let k = 0; k < RESPONSE_BINS; k++) h.bins[k]! += row.bins[kind * RESPONSE_BINS + k]!;
      }
      if (isSuburban) {
        target.suburbanN += arrived;
        target.suburbanOnTime += onTime;
      } else {
        target.urbanN += arrived;
        target.urbanOnTime += onTime;
      }
    }
  }
  const responseOf = (r: ResponseTally | undefined, total: number): ResponseTimes => {
    const x = r ?? newResponseTally();
    const compliance = (n: number, onTime: number, limitMinutes: number) => ({
      n,
      onTime,
      share: n > 0 ? onTime / n : null,
      limitMinutes,
    });
    return {
      toDispatch: statsFromBins(x.kinds[0]!, total, thresholds),
      travel: statsFromBins(x.kinds[1]!, total, thresholds),
      toArrival: statsFromBins(x.kinds[2]!, total, thresholds),
      urbanArrival: compliance(x.urbanN, x.urbanOnTime, urbanLimit),
      suburbanArrival: compliance(x.suburbanN, x.suburbanOnTime, suburbanLimit),
    };
  };

  const extras = options.extras;
  const fill = (unit: string | null, t: Tally) => {
    const pick = <V>(map: ReadonlyMap<string, V> | undefined): V[] =>
      !map
        ? []
        : unit !== null
          ? map.has(unit)
            ? [map.get(unit)!]
            : []
          : [...map].filter(([u]) => keep(u)).map(([, v]) => v);
    for (const n of pick(extras?.repeats)) t.repeats += n;
    for (const q of pick(extras?.quality)) {
      t.qualitySum += q.sum;
      t.qualityN += q.n;
    }
  };
  const rows: UnitInput[] = [...tallies]
    .filter(([unit]) => unit !== "")
    .map(([unit, t]) => {
      fill(unit, t);
      return { unit, tally: t, response: responseOf(responses.get(unit), t.current) };
    });
  fill(null, all);
  return assembleReport(
    options,
    rows,
    { tally: all, response: responseOf(allResponse, all.current) },
    extras?.repeats !== undefined,
  );
}
