import type { Incident, UnitLevel } from "../domain/index.ts";
import { CODE_DIMENSION, DIMENSIONS, type Dimension, type QualityIssue } from "./codes.ts";

/**
 * Quality scores: one number per incident (0..100) and a scorecard per unit (station, branch,
 * city) and period. A scorecard counts shares of incidents, so units of any size compare.
 */

/** How much one issue takes off its dimension (a dimension score never drops below 0). */
const PENALTY = { error: 0.5, warning: 0.2 } as const;

/** Weights of the dimensions in the incident score (sum 1). */
export const DIMENSION_WEIGHTS: Readonly<Record<Dimension, number>> = {
  completeness: 0.3,
  timeliness: 0.25,
  consistency: 0.25,
  labels: 0.2,
};

export interface IncidentScore {
  /** 0..100; 100 = no issue. */
  readonly score: number;
  /** 0..1 per dimension. */
  readonly dimensions: Readonly<Record<Dimension, number>>;
}

/**
 * @example incidentScore([]).score // 100
 * @example incidentScore([{ code: "empty_narrative", severity: "error" }]).dimensions.completeness // 0.5
 */
export function incidentScore(issues: readonly QualityIssue[]): IncidentScore {
  const dims: Record<Dimension, number> = { completeness: 1, timeliness: 1, consistency: 1, labels: 1 };
  for (const issue of issues) {
    const d = CODE_DIMENSION[issue.code];
    dims[d] = Math.max(0, dims[d] - PENALTY[issue.severity]);
  }
  let score = 0;
  for (const d of DIMENSIONS) score += DIMENSION_WEIGHTS[d] * dims[d];
  return { score: Math.round(score * 1000) / 10, dimensions: dims };
}

/** One incident's inputs to a scorecard. */
export interface ScoredIncident {
  readonly incident: Pick<
    Incident,
    "id" | "receivedAt" | "utcOffsetMin" | "cityUnit" | "branchUnit" | "stationUnit" | "category"
  >;
  readonly issues: readonly QualityIssue[];
}

/** A review verdict, for the review pass rate of a scorecard. */
export interface VerdictRecord {
  readonly incidentId: string;
  readonly verdict: "pass" | "rework";
}

export const PERIODS = ["week", "month"] as const;
export type Period = (typeof PERIODS)[number];

export interface Scorecard {
  readonly level: UnitLevel;
  /** Unit code; "" = incidents without a unit at this level. */
  readonly unit: string;
  /** "2024-W18" or "2024-05"; "all" without a period. */
  readonly period: string;
  readonly incidents: number;
  readonly meanScore: number;
  /** Share of incidents with no completeness issue (六要素 and required fields). */
  readonly completeness: number;
  /** Share with no timeliness issue. */
  readonly timeliness: number;
  /** Share with no consistency issue. */
  readonly consistency: number;
  /** Share whose labels (category, subtype, department) raise no issue. */
  readonly labelAccuracy: number;
  /** Share of review verdicts that passed; null when nothing was reviewed. */
  readonly reviewPassRate: number | null;
  readonly reviewed: number;
  /** Errors and warnings in total, and the most frequent codes. */
  readonly errors: number;
  readonly warnings: number;
  readonly topIssues: readonly { readonly code: string; readonly count: number }[];
  /** Change of meanScore against the previous period of the same unit (trends). */
  readonly change: number | null;
}

/** ISO week ("2024-W05") or month ("2024-05") of an instant, on the local wall clock. */
export function periodOf(at: number, utcOffsetMin: number, period: Period): string {
  const local = new Date(at + utcOffsetMin * 60_000);
  if (period === "month") return local.toISOString().slice(0, 7);
  // ISO 8601 week: the week with the year's first Thursday is week 1.
  const day = (local.getUTCDay() + 6) % 7;
  const thursday = new Date(
    Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() - day + 3),
  );
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = Math.floor((thursday.getTime() - yearStart) / 604_800_000) + 1;
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

const UNIT_FIELD = {
  city: "cityUnit",
  branch: "branchUnit",
  station: "stationUnit",
  area: "stationUnit",
} as const satisfies Record<UnitLevel, keyof ScoredIncident["incident"]>;

const BUCKET_UNIT = {
  city: (b: ScorecardBucket) => b.cityUnit,
  branch: (b: ScorecardBucket) => b.branchUnit,
  station: (b: ScorecardBucket) => b.stationUnit,
  area: (b: ScorecardBucket) => b.stationUnit,
} as const satisfies Record<UnitLevel, (b: ScorecardBucket) => string>;

interface Acc {
  n: number;
  score: number;
  dim: Record<Dimension, number>;
  errors: number;
  warnings: number;
  codes: Map<string, number>;
  reviewed: number;
  passed: number;
}

/**
 * Scorecards per unit of a level and per period (or over everything), with the change
 * against the unit's previous period.
 * @example scorecards(scored, { level: "station", period: "month" })
 */
export function scorecards(scored: readonly ScoredIncident[], options: ScorecardOptions): Scorecard[] {
  const acc = scorecardAccumulator(options);
  acc.add(scored);
  return acc.result();
}

export interface ScorecardOptions {
  readonly level: UnitLevel;
  readonly period?: Period | null;
  readonly verdicts?: readonly VerdictRecord[];
}

/** The local calendar day of an instant, as days since 1970-01-01 (the scorecard bucket day). */
export function localDayOf(at: number, utcOffsetMin: number): number {
  return Math.floor((at + utcOffsetMin * 60_000) / 86_400_000);
}

/**
 * What the incidents of one unit cell (city, branch, station, area) and local day add to a
 * scorecard: the materialised aggregate the store keeps up to date as results and verdicts are
 * written, so a scorecard reads a few rows per station and day instead of every incident.
 */
export interface ScorecardBucket {
  readonly cityUnit: string;
  readonly branchUnit: string;
  readonly stationUnit: string;
  readonly areaUnit: string;
  /** Local day (`localDayOf`). */
  readonly day: number;
  readonly incidents: number;
  /** Sum of the incident scores in tenths (scores have one decimal: an exact integer sum). */
  readonly scoreTenths: number;
  /** Incidents without an issue of each dimension. */
  readonly clean: Readonly<Record<Dimension, number>>;
  readonly errors: number;
  readonly warnings: number;
  readonly reviewed: number;
  readonly passed: number;
  /** Issues per code. */
  readonly codes: Readonly<Record<string, number>>;
}

/** Key of a bucket's cell and day. */
export const bucketKey = (
  b: Pick<ScorecardBucket, "cityUnit" | "branchUnit" | "stationUnit" | "areaUnit" | "day">,
) => `${b.cityUnit}\u0000${b.branchUnit}\u0000${b.stationUnit}\u0000${b.areaUnit}\u0000${b.day}`;

/** An empty bucket of a cell and day. */
export function emptyBucket(
  cell: Pick<ScorecardBucket, "cityUnit" | "branchUnit" | "stationUnit" | "areaUnit" | "day">,
): ScorecardBucket {
  return {
    ...cell,
    incidents: 0,
    scoreTenths: 0,
    clean: { completeness: 0, timeliness: 0, consistency: 0, labels: 0 },
    errors: 0,
    warnings: 0,
    reviewed: 0,
    passed: 0,
    codes: {},
  };
}

/**
 * `bucket` plus `sign` (1 or -1) times one incident's contribution: its issues (when `issues` is
 * not null) and its verdicts.
 * @example addToBucket(emptyBucket(cell), [], ["pass"], 1).passed // 1
 */
export function addToBucket(
  bucket: ScorecardBucket,
  issues: readonly QualityIssue[] | null,
  verdicts: readonly ("pass" | "rework")[],
  sign: 1 | -1,
): ScorecardBucket {
  const clean = { ...bucket.clean };
  const codes: Record<string, number> = { ...bucket.codes };
  let { incidents, scoreTenths, errors, warnings, reviewed, passed } = bucket;
  if (issues) {
    incidents += sign;
    scoreTenths += sign * Math.round(incidentScore(issues).score * 10);
    const hit = new Set<Dimension>();
    for (const issue of issues) {
      hit.add(CODE_DIMENSION[issue.code]);
      if (issue.severity === "error") errors += sign;
      else warnings += sign;
      const n = (codes[issue.code] ?? 0) + sign;
      if (n === 0) delete codes[issue.code];
      else codes[issue.code] = n;
    }
    for (const d of DIMENSIONS) if (!hit.has(d)) clean[d] += sign;
  }
  for (const v of verdicts) {
    reviewed += sign;
    if (v === "pass") passed += sign;
  }
  return { ...bucket, incidents, scoreTenths, clean, errors, warnings, reviewed, passed, codes };
}

/**
 * Scorecards built chunk by chunk (for a stream of scored incidents): memory grows with units ×
 * periods, not with incidents.
 * @example const acc = scorecardAccumulator({ level: "branch" }); acc.add(chunk); acc.result()
 */
export function scorecardAccumulator(options: ScorecardOptions) {
  const field = UNIT_FIELD[options.level];
  const verdicts = new Map<string, ("pass" | "rework")[]>();
  for (const v of options.verdicts ?? []) {
    const list = verdicts.get(v.incidentId);
    if (list) list.push(v.verdict);
    else verdicts.set(v.incidentId, [v.verdict]);
  }
  const groups = new Map<string, Acc>();
  const groupOf = (key: string): Acc => {
    let acc = groups.get(key);
    if (!acc) {
      acc = {
        n: 0,
        score: 0,
        dim: { completeness: 0, timeliness: 0, consistency: 0, labels: 0 },
        errors: 0,
        warnings: 0,
        codes: new Map(),
        reviewed: 0,
        passed: 0,
      };
      groups.set(key, acc);
    }
    return acc;
  };
  const add = (scored: readonly ScoredIncident[]): void => {
    for (const { incident, issues } of scored) {
      const unit = incident[field] ?? "";
      const period = options.period
        ? periodOf(incident.receivedAt, incident.utcOffsetMin, options.period)
        : "all";
      const acc = groupOf(`${unit}\u0000${period}`);
      acc.n++;
      // In tenths (scores have one decimal): an exact integer sum, as the materialised buckets keep it.
      acc.score += Math.round(incidentScore(issues).score * 10);
      const hit = new Set<Dimension>();
      for (const issue of issues) {
        hit.add(CODE_DIMENSION[issue.code]);
        if (issue.severity === "error") acc.errors++;
        else acc.warnings++;
        acc.codes.set(issue.code, (acc.codes.get(issue.code) ?? 0) + 1);
      }
      for (const d of DIMENSIONS) if (!hit.has(d)) acc.dim[d]++;
      for (const v of verdicts.get(incident.id) ?? []) {
        acc.reviewed++;
        if (v === "pass") acc.passed++;
      }
    }
  };
  /** Adds materialised buckets (`ScorecardBucket`): the same sums as adding their incidents. */
  const addBuckets = (buckets: readonly ScorecardBucket[]): void => {
    for (const b of buckets) {
      if (b.incidents === 0) continue;
      const unit = BUCKET_UNIT[options.level](b);
      const period = options.period ? periodOf(b.day * 86_400_000, 0, options.period) : "all";
      const acc = groupOf(`${unit}\u0000${period}`);
      acc.n += b.incidents;
      acc.score += b.scoreTenths;
      for (const d of DIMENSIONS) acc.dim[d] += b.clean[d];
      acc.errors += b.errors;
      acc.warnings += b.warnings;
      for (const [code, n] of Object.entries(b.codes)) acc.codes.set(code, (acc.codes.get(code) ?? 0) + n);
      acc.reviewed += b.reviewed;
      acc.passed += b.passed;
    }
  };
  const result = (): Scorecard[] => {
    const cards: Scorecard[] = [];
    for (const [key, acc] of groups) {
      const [unit, period] = key.split("\u0000") as [string, string];
      cards.push({
        level: options.level,
        unit,
        period,
        incidents: acc.n,
        meanScore: Math.round(acc.score / acc.n) / 10,
        completeness: acc.dim.completeness / acc.n,
        timeliness: acc.dim.timeliness / acc.n,
        consistency: acc.dim.consistency / acc.n,
        labelAccuracy: acc.dim.labels / acc.n,
        reviewPassRate: acc.reviewed === 0 ? null : acc.passed / acc.reviewed,
        reviewed: acc.reviewed,
        errors: acc.errors,
        warnings: acc.warnings,
        topIssues: [...acc.codes]
          .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
          .slice(0, 5)
          .map(([code, count]) => ({ code, count })),
        change: null,
      });
    }
    cards.sort((a, b) => (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : a.period < b.period ? -1 : 1));
    // Trend: each period against the same unit's previous one.
    return cards.map((card, i) => {
      const prev = cards[i - 1];
      return prev && prev.unit === card.unit && card.period !== "all"
        ? { ...card, change: Math.round((card.meanScore - prev.meanScore) * 10) / 10 }
        : card;
    });
  };
  return { add, addBuckets, result };
}
