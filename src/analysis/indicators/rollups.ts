import { CATEGORIES } from "../../domain/index.ts";
import { categoryIndex, type UnitLevel } from "./columns.ts";

/**
 * Daily rollups of incidents, kept by the store at import time so that monthly and weekly
 * indicators read a few thousand rows instead of every incident (docs/analysis.md). One row per
 * unit (at every level) x station x local day holds:
 * - the incidents per category (one count per CATEGORIES code; an unknown code counts as other);
 * - response-interval histograms in fixed bins whose edges hold every threshold the indicators
 *   use (1, 3, 5 minutes; 5 min urban / 10 min suburban arrival), with exact millisecond sums for
 *   the means and the count of negative intervals.
 * The station is kept beside the unit so that arrival on time can use each station's current
 * urban/suburban setting at any level, even after an admin changes it.
 */

export const ROLLUP_LEVELS = ["city", "branch", "station", "area"] as const satisfies readonly UnitLevel[];

/**
 * Upper edges of the response bins in seconds, each inclusive ("within N minutes" is <= N):
 * bin 0 is [0, 30 s], bin k is (edge[k-1], edge[k]], the last bin is everything above 2 hours.
 * Frozen: migration 0016_indicator_days has one column per bin.
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

/** Incidents of one unit ("" = none at that level), station ("" = none) and local day. */
export interface DayRollup {
  readonly level: UnitLevel;
  readonly unit: string;
  readonly station: string;
  /** Days since 1970-01-01 on the incident's local clock. */
  readonly day: number;
  readonly incidents: number;
  /** Incidents per category, in CATEGORIES order. */
  readonly categories: readonly number[];
  /** Per kind (RESPONSE_KINDS order): intervals recorded negative (data errors). */
  readonly negative: readonly number[];
  /** Per kind: sum of the non-negative intervals in milliseconds (exact means). */
  readonly sumMs: readonly number[];
  /** Kind-major: bins[kind * RESPONSE_BINS + bin]. */
  readonly bins: readonly number[];
}

/** Rollup rows, sorted by (level, day, unit, station). */
export type DailyRollups = readonly DayRollup[];

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

interface MutableRow {
  level: UnitLevel;
  unit: string;
  station: string;
  day: number;
  incidents: number;
  categories: number[];
  negative: number[];
  sumMs: number[];
  bins: number[];
}

const SEP = "\u0001";

function emptyRow(level: UnitLevel, unit: string, station: string, day: number): MutableRow {
  return {
    level,
    unit,
    station,
    day,
    incidents: 0,
    categories: new Array<number>(CATEGORIES.length).fill(0),
    negative: [0, 0, 0],
    sumMs: [0, 0, 0],
    bins: new Array<number>(3 * RESPONSE_BINS).fill(0),
  };
}

function addInterval(r: MutableRow, kind: number, ms: number): void {
  if (Number.isNaN(ms)) return;
  if (ms < 0) {
    r.negative[kind]!++;
    return;
  }
  r.sumMs[kind]! += ms;
  r.bins[kind * RESPONSE_BINS + responseBin(ms)]!++;
}

function addRow(into: MutableRow, r: DayRollup): void {
  into.incidents += r.incidents;
  for (let c = 0; c < CATEGORIES.length; c++) into.categories[c]! += r.categories[c]!;
  for (let k = 0; k < 3; k++) {
    into.negative[k]! += r.negative[k]!;
    into.sumMs[k]! += r.sumMs[k]!;
  }
  for (let b = 0; b < into.bins.length; b++) into.bins[b]! += r.bins[b]!;
}

interface Group {
  /** city, branch, station, area ("" = none). */
  readonly units: readonly string[];
  readonly row: MutableRow;
}

/** Rollups being accumulated: add incidents (or whole rollups), then read the rows. */
export class RollupAccumulator {
  readonly #rows = new Map<string, MutableRow>();
  /**
   * Incidents added since the last fold, grouped by their whole unit path and day: one key and
   * one map lookup per incident (the import pays for this), spread over the four levels only
   * once per group when the rows are read.
   */
  readonly #groups = new Map<string, Group>();

  /** Number of incidents added. */
  size = 0;

  add(x: RollupIncident): void {
    this.size++;
    const day = localDay(x.receivedAt, x.utcOffsetMin);
    const station = x.stationUnit ?? "";
    const key = `${x.cityUnit ?? ""}${SEP}${x.branchUnit ?? ""}${SEP}${station}${SEP}${x.areaUnit ?? ""}${SEP}${day}`;
    let g = this.#groups.get(key);
    if (!g) {
      g = {
        units: [x.cityUnit ?? "", x.branchUnit ?? "", station, x.areaUnit ?? ""],
        row: emptyRow("station", station, station, day),
      };
      this.#groups.set(key, g);
    }
    const r = g.row;
    r.incidents++;
    r.categories[categoryIndex(x.category)]!++;
    const start = x.acceptedAt ?? x.receivedAt;
    if (x.dispatchedAt !== null) addInterval(r, 0, x.dispatchedAt - start);
    if (x.arrivedAt !== null) {
      if (x.dispatchedAt !== null) addInterval(r, 1, x.arrivedAt - x.dispatchedAt);
      addInterval(r, 2, x.arrivedAt - start);
    }
  }

  addAll(rows: Iterable<RollupIncident>): this {
    for (const x of rows) this.add(x);
    return this;
  }

  /** Adds rollup rows (e.g. of another batch). */
  merge(rollups: DailyRollups): this {
    for (const r of rollups) this.#add(r);
    return this;
  }

  #add(r: DayRollup): void {
    const key = r.level + SEP + r.unit + SEP + r.station + SEP + r.day;
    let m = this.#rows.get(key);
    if (!m) {
      m = emptyRow(r.level, r.unit, r.station, r.day);
      this.#rows.set(key, m);
    }
    addRow(m, r);
  }

  /** The rows, sorted by key (level, day, unit, station): writers that lock rows in one order never deadlock. */
  rows(): DailyRollups {
    for (const g of this.#groups.values())
      for (let l = 0; l < 4; l++) this.#add({ ...g.row, level: ROLLUP_LEVELS[l]!, unit: g.units[l]! });
    this.#groups.clear();
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return [...this.#rows.values()].sort(
      (a, b) => cmp(a.level, b.level) || a.day - b.day || cmp(a.unit, b.unit) || cmp(a.station, b.station),
    );
  }
}

/**
 * Daily rollups of a batch of incidents: what the store adds, in the batch's own transaction,
 * for the rows the batch actually inserted.
 * @example
 * const rows = rollupIncidents(insertedRows);
 */
export function rollupIncidents(rows: Iterable<RollupIncident>): DailyRollups {
  return new RollupAccumulator().addAll(rows).rows();
}
