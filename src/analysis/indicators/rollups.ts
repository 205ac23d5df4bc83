import type { UnitLevel } from "./columns.ts";

/**
 * Daily rollups of incidents, kept by the store at import time so that monthly and weekly
 * indicators read a few thousand rows instead of every incident (docs/analysis.md):
 * - counts per unit (at every level) x category x local day;
 * - response-interval histograms per unit x station x local day, in fixed bins whose edges hold
 *   every threshold the indicators use (1, 3, 5 minutes; 5 min urban / 10 min suburban arrival),
 *   with exact millisecond sums for the means and the count of negative intervals.
 * The station is kept beside the unit in the histograms so that arrival on time can use each
 * station's current urban/suburban setting at any level, even after an admin changes it.
 */

export const ROLLUP_LEVELS = ["city", "branch", "station", "area"] as const satisfies readonly UnitLevel[];

/**
 * Upper edges of the response bins in seconds, each inclusive ("within N minutes" is <= N):
 * bin 0 is [0, 30 s], bin k is (edge[k-1], edge[k]], the last bin is everything above 2 hours.
 * Frozen: migration 0013_indicator_rollups has one column per bin.
 */
export const RESPONSE_BIN_EDGES_S = [
  30, 60, 90, 120, 180, 240, 300, 360, 480, 600, 720, 900, 1200, 1800, 2700, 3600, 7200,
] as const;
export const RESPONSE_BINS = RESPONSE_BIN_EDGES_S.length + 1;

/** The three intervals of the 110 chain: start -> dispatched, dispatched -> arrived, start -> arrived. */
export const RESPONSE_KINDS = ["dispatch", "travel", "arrival"] as const;
export type ResponseKind = (typeof RESPONSE_KINDS)[number];

/** What a rollup needs of an incident (an `Incident` has all of it). */
export interface RollupIncident {
  readonly receivedAt: number;
  readonly acceptedAt: number | null;
  readonly dispatchedAt: number | null;
  readonly arrivedAt: number | null;
  readonly utcOffsetMin: number;
  readonly category: string;
  readonly cityUnit: string | null;
  readonly branchUnit: string | null;
  readonly stationUnit: string | null;
  readonly areaUnit: string | null;
}

/** Incidents of one unit ("" = none at that level), category and local day. */
export interface CountRollup {
  readonly level: UnitLevel;
  readonly unit: string;
  readonly category: string;
  /** Days since 1970-01-01 on the incident's local clock. */
  readonly day: number;
  readonly n: number;
}

/** Response intervals of one unit, station ("" = none) and local day. */
export interface ResponseRollup {
  readonly level: UnitLevel;
  readonly unit: string;
  readonly station: string;
  readonly day: number;
  /** All incidents of the row, also those with no interval (for the missing count). */
  readonly incidents: number;
  /** Per kind (RESPONSE_KINDS order): intervals recorded negative (data errors). */
  readonly negative: readonly number[];
  /** Per kind: sum of the non-negative intervals in milliseconds (exact means). */
  readonly sumMs: readonly number[];
  /** Kind-major: bins[kind * RESPONSE_BINS + bin]. */
  readonly bins: readonly number[];
}

export interface DailyRollups {
  readonly counts: readonly CountRollup[];
  readonly responses: readonly ResponseRollup[];
}

const DAY = 86_400_000;
const EDGES_MS = RESPONSE_BIN_EDGES_S.map((s) => s * 1000);

/**
 * Bin of a non-negative interval in milliseconds.
 * @example
 * responseBin(60_000); // 1: (30 s, 60 s]
 */
export function responseBin(ms: number): number {
  for (let k = 0; k < EDGES_MS.length; k++) if (ms <= EDGES_MS[k]!) return k;
  return EDGES_MS.length;
}

/** Local calendar day of an instant (days since 1970-01-01 on the wall clock at receipt). */
export function localDay(receivedAt: number, utcOffsetMin: number): number {
  return Math.floor((receivedAt + utcOffsetMin * 60_000) / DAY);
}

interface MutableResponse {
  level: UnitLevel;
  unit: string;
  station: string;
  day: number;
  incidents: number;
  negative: number[];
  sumMs: number[];
  bins: number[];
}

const SEP = "\u0001";

/** Rollups being accumulated: add incidents (or whole rollups), then read the rows. */
export class RollupAccumulator {
  readonly #counts = new Map<
    string,
    { level: UnitLevel; unit: string; category: string; day: number; n: number }
  >();
  readonly #responses = new Map<string, MutableResponse>();

  /** Number of incidents added. */
  size = 0;

  add(x: RollupIncident): void {
    this.size++;
    const day = localDay(x.receivedAt, x.utcOffsetMin);
    const start = x.acceptedAt ?? x.receivedAt;
    const dispatch = x.dispatchedAt === null ? null : x.dispatchedAt - start;
    const travel = x.dispatchedAt === null || x.arrivedAt === null ? null : x.arrivedAt - x.dispatchedAt;
    const arrival = x.arrivedAt === null ? null : x.arrivedAt - start;
    const station = x.stationUnit ?? "";
    const units = [x.cityUnit, x.branchUnit, x.stationUnit, x.areaUnit];
    for (let l = 0; l < 4; l++) {
      const level = ROLLUP_LEVELS[l]!;
      const unit = units[l] ?? "";
      const countKey = level + SEP + unit + SEP + x.category + SEP + day;
      const count = this.#counts.get(countKey);
      if (count) count.n++;
      else this.#counts.set(countKey, { level, unit, category: x.category, day, n: 1 });
      const responseKey = level + SEP + unit + SEP + station + SEP + day;
      let r = this.#responses.get(responseKey);
      if (!r) {
        r = emptyResponse(level, unit, station, day);
        this.#responses.set(responseKey, r);
      }
      r.incidents++;
      addInterval(r, 0, dispatch);
      addInterval(r, 1, travel);
      addInterval(r, 2, arrival);
    }
  }

  addAll(rows: Iterable<RollupIncident>): this {
    for (const x of rows) this.add(x);
    return this;
  }

  /** Adds rollup rows (e.g. of another batch). */
  merge(rollups: DailyRollups): this {
    for (const c of rollups.counts) {
      const key = c.level + SEP + c.unit + SEP + c.category + SEP + c.day;
      const count = this.#counts.get(key);
      if (count) count.n += c.n;
      else this.#counts.set(key, { ...c });
    }
    for (const r of rollups.responses) {
      const key = r.level + SEP + r.unit + SEP + r.station + SEP + r.day;
      let m = this.#responses.get(key);
      if (!m) {
        m = emptyResponse(r.level, r.unit, r.station, r.day);
        this.#responses.set(key, m);
      }
      m.incidents += r.incidents;
      for (let k = 0; k < 3; k++) {
        m.negative[k]! += r.negative[k]!;
        m.sumMs[k]! += r.sumMs[k]!;
      }
      for (let b = 0; b < m.bins.length; b++) m.bins[b]! += r.bins[b]!;
    }
    return this;
  }

  /** The rows, sorted by key (level, day, unit, ...): writers that lock rows in one order never deadlock. */
  rows(): DailyRollups {
    const byKey = <T extends { level: string; day: number; unit: string }>(
      a: T,
      b: T,
      rest: (x: T) => string,
    ): number =>
      a.level < b.level
        ? -1
        : a.level > b.level
          ? 1
          : a.day - b.day ||
            (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : rest(a) < rest(b) ? -1 : rest(a) > rest(b) ? 1 : 0);
    return {
      counts: [...this.#counts.values()].sort((a, b) => byKey(a, b, (x) => x.category)),
      responses: [...this.#responses.values()].sort((a, b) => byKey(a, b, (x) => x.station)),
    };
  }
}

function emptyResponse(level: UnitLevel, unit: string, station: string, day: number): MutableResponse {
  return {
    level,
    unit,
    station,
    day,
    incidents: 0,
    negative: [0, 0, 0],
    sumMs: [0, 0, 0],
    bins: new Array<number>(3 * RESPONSE_BINS).fill(0),
  };
}

function addInterval(r: MutableResponse, kind: number, ms: number | null): void {
  if (ms === null || Number.isNaN(ms)) return;
  if (ms < 0) {
    r.negative[kind]!++;
    return;
  }
  r.sumMs[kind]! += ms;
  r.bins[kind * RESPONSE_BINS + responseBin(ms)]!++;
}

/**
 * Daily rollups of a batch of incidents: what the store adds, in the batch's own transaction,
 * for the rows the batch actually inserted.
 * @example
 * const { counts, responses } = rollupIncidents(insertedRows);
 */
export function rollupIncidents(rows: Iterable<RollupIncident>): DailyRollups {
  return new RollupAccumulator().addAll(rows).rows();
}
