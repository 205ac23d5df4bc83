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

const SEP = "\u0001";

/**
 * A unit's name as a string of its own, to keep: an import's names are cut from the text of a
 * whole read chunk, which V8 keeps alive (about 1 MB) while a piece of 13 characters or more is.
 */
function own(s: string): string {
  return s.length < 13 ? s : ` ${s}`.slice(1);
}

/**
 * Counters of one rollup row, in the order of DayRollup: incidents, categories, negatives per
 * kind, bins; the millisecond sums apart (Float64).
 */
const COUNTERS = 1 + CATEGORIES.length + 3 + 3 * RESPONSE_BINS;
const AT_CATEGORY = 1;
const AT_NEGATIVE = AT_CATEGORY + CATEGORIES.length;
const AT_BINS = AT_NEGATIVE + 3;
/**
 * Numbers of a rollup row after its keys (level, unit, station, day), in the order of DayRollup
 * and of the store's indicator_days columns: incidents, the categories, then per kind its
 * negatives, its millisecond sum and its bins.
 */
export const ROLLUP_NUMBERS = 1 + CATEGORIES.length + 3 * (2 + RESPONSE_BINS);
const PAGE_BITS = 10;
const PAGE = 1 << PAGE_BITS;
const IN_PAGE = PAGE - 1;
/** Largest count a narrow slot holds. */
const NARROW_MAX = 255;

/**
 * Rollup rows as slots in pages of typed arrays, outside the JavaScript heap, allocated 1,024
 * rows at a time. A slot's counters start narrow, a byte each (about 110 bytes a row with its
 * sums, day and line): most rows are a community police area's day, with a handful of incidents.
 * A slot whose incident count would pass 255 (no other counter of it can be larger: each incident
 * adds one to a category and at most one to each kind) moves to wide counters, 32 bits each, as
 * does a slot that rows are merged into (they may hold any count, negative too). A year of a city
 * with 1,560 areas has 570,000 area-days: as objects (about 1 KB each, and once more while they
 * were spread over the levels) they ran the import thread out of its heap.
 */
class Slots {
  readonly #narrow: Uint8Array[] = [];
  /** Per slot: 0 while narrow, else 1 + its index among the wide slots. */
  readonly #wideOf: Int32Array[] = [];
  readonly #wide: Int32Array[] = [];
  #wideLength = 0;
  readonly #sums: Float64Array[] = [];
  /** Local day of each slot. */
  readonly #days: Int32Array[] = [];
  /** Line of each slot (its unit and station, in its level). */
  readonly #lines: Int32Array[] = [];
  length = 0;

  alloc(line: number, day: number): number {
    const slot = this.length++;
    const page = slot >>> PAGE_BITS;
    if (page === this.#narrow.length) {
      this.#narrow.push(new Uint8Array(PAGE * COUNTERS));
      this.#wideOf.push(new Int32Array(PAGE));
      this.#sums.push(new Float64Array(PAGE * 3));
      this.#days.push(new Int32Array(PAGE));
      this.#lines.push(new Int32Array(PAGE));
    }
    this.#days[page]![slot & IN_PAGE] = day;
    this.#lines[page]![slot & IN_PAGE] = line;
    return slot;
  }

  day(slot: number): number {
    return this.#days[slot >>> PAGE_BITS]![slot & IN_PAGE]!;
  }

  line(slot: number): number {
    return this.#lines[slot >>> PAGE_BITS]![slot & IN_PAGE]!;
  }

  /** The wide index of a slot, widening it first if it is narrow. */
  #widen(slot: number): number {
    const page = slot >>> PAGE_BITS;
    const known = this.#wideOf[page]![slot & IN_PAGE]!;
    if (known > 0) return known - 1;
    const w = this.#wideLength++;
    if ((w & IN_PAGE) === 0) this.#wide.push(new Int32Array(PAGE * COUNTERS));
    const from = (slot & IN_PAGE) * COUNTERS;
    this.#wide[w >>> PAGE_BITS]!.set(
      this.#narrow[page]!.subarray(from, from + COUNTERS),
      (w & IN_PAGE) * COUNTERS,
    );
    this.#wideOf[page]![slot & IN_PAGE] = w + 1;
    return w;
  }

  /**
   * Counts one incident: its category, and per kind a bin (0..RESPONSE_BINS-1) with the interval
   * in `ms`, NEGATIVE, or NONE (no interval).
   */
  count(slot: number, category: number, bins: Int32Array, ms: Float64Array): void {
    const page = slot >>> PAGE_BITS;
    const w = this.#wideOf[page]![slot & IN_PAGE]!;
    let c: Uint8Array | Int32Array = this.#narrow[page]!;
    let at = (slot & IN_PAGE) * COUNTERS;
    if (w > 0 || c[at] === NARROW_MAX) {
      const wide = w > 0 ? w - 1 : this.#widen(slot);
      c = this.#wide[wide >>> PAGE_BITS]!;
      at = (wide & IN_PAGE) * COUNTERS;
    }
    const s = this.#sums[page]!;
    const sumAt = (slot & IN_PAGE) * 3;
    c[at]!++;
    c[at + AT_CATEGORY + category]!++;
    for (let k = 0; k < 3; k++) {
      const b = bins[k]!;
      if (b === NONE) continue;
      if (b === NEGATIVE) c[at + AT_NEGATIVE + k]!++;
      else {
        s[sumAt + k]! += ms[k]!;
        c[at + AT_BINS + k * RESPONSE_BINS + b]!++;
      }
    }
  }

  /** Adds a whole row's counters. */
  addRow(slot: number, r: DayRollup): void {
    const wide = this.#widen(slot);
    const c = this.#wide[wide >>> PAGE_BITS]!;
    const at = (wide & IN_PAGE) * COUNTERS;
    const s = this.#sums[slot >>> PAGE_BITS]!;
    const sumAt = (slot & IN_PAGE) * 3;
    c[at]! += r.incidents;
    for (let i = 0; i < CATEGORIES.length; i++) c[at + AT_CATEGORY + i]! += r.categories[i]!;
    for (let k = 0; k < 3; k++) {
      c[at + AT_NEGATIVE + k]! += r.negative[k]!;
      s[sumAt + k]! += r.sumMs[k]!;
    }
    for (let b = 0; b < 3 * RESPONSE_BINS; b++) c[at + AT_BINS + b]! += r.bins[b]!;
  }

  /**
   * Writes a slot's ROLLUP_NUMBERS numbers at `out[at..]` (the order of `ROLLUP_NUMBERS`);
   * returns whether any of them is not zero.
   */
  writeNumbers(slot: number, out: Float64Array, at: number): boolean {
    const page = slot >>> PAGE_BITS;
    const w = this.#wideOf[page]![slot & IN_PAGE]!;
    const c = w > 0 ? this.#wide[(w - 1) >>> PAGE_BITS]! : this.#narrow[page]!;
    const from = ((w > 0 ? w - 1 : slot) & IN_PAGE) * COUNTERS;
    const s = this.#sums[page]!;
    const sumAt = (slot & IN_PAGE) * 3;
    let o = at;
    for (let i = from; i < from + AT_NEGATIVE; i++) out[o++] = c[i]!;
    for (let k = 0; k < 3; k++) {
      out[o++] = c[from + AT_NEGATIVE + k]!;
      out[o++] = s[sumAt + k]!;
      const bins = from + AT_BINS + k * RESPONSE_BINS;
      for (let b = bins; b < bins + RESPONSE_BINS; b++) out[o++] = c[b]!;
    }
    for (let i = at; i < o; i++) if (out[i] !== 0) return true;
    return false;
  }

  row(slot: number, level: UnitLevel, unit: string, station: string): DayRollup {
    const page = slot >>> PAGE_BITS;
    const w = this.#wideOf[page]![slot & IN_PAGE]!;
    const c = w > 0 ? this.#wide[(w - 1) >>> PAGE_BITS]! : this.#narrow[page]!;
    const at = ((w > 0 ? w - 1 : slot) & IN_PAGE) * COUNTERS;
    const s = this.#sums[page]!;
    const sumAt = (slot & IN_PAGE) * 3;
    return {
      level,
      unit,
      station,
      day: this.day(slot),
      incidents: c[at]!,
      categories: numbers(c, at + AT_CATEGORY, at + AT_NEGATIVE),
      negative: numbers(c, at + AT_NEGATIVE, at + AT_BINS),
      sumMs: numbers(s, sumAt, sumAt + 3),
      bins: numbers(c, at + AT_BINS, at + COUNTERS),
    };
  }
}

/** `xs[from..to)` as an array (a loop: `Array.from` of a subarray is several times slower). */
function numbers(xs: Uint8Array | Int32Array | Float64Array, from: number, to: number): number[] {
  const out = new Array<number>(to - from);
  for (let i = from; i < to; i++) out[i - from] = xs[i]!;
  return out;
}

const NONE = -1;
const NEGATIVE = -2;

/** The rows of one level: its lines (a unit beside a station), each with a slot per day. */
class Level {
  readonly lines: { readonly unit: string; readonly station: string; readonly days: Map<number, number> }[] =
    [];
  readonly #byKey = new Map<string, number>();
  rows = 0;

  constructor(readonly name: UnitLevel) {}

  line(unit: string, station: string): number {
    const key = unit + SEP + station;
    let line = this.#byKey.get(key);
    if (line === undefined) {
      line = this.lines.length;
      this.lines.push({ unit, station, days: new Map() });
      this.#byKey.set(key, line);
    }
    return line;
  }

  slot(slots: Slots, line: number, day: number): number {
    const days = this.lines[line]!.days;
    let slot = days.get(day);
    if (slot === undefined) {
      slot = slots.alloc(line, day);
      days.set(day, slot);
      this.rows++;
    }
    return slot;
  }
}

/** A unit path (city, branch, station, area) seen in the incidents: its line in each level, its days. */
interface Path {
  readonly lines: readonly number[];
  /** Day → group, whose four slots (one per level) are in `groupSlots`. */
  readonly days: Map<number, number>;
  lastDay: number;
  lastGroup: number;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The levels in the order rows are written: by name, as the table's key sorts them. */
const LEVELS_BY_NAME = ROLLUP_LEVELS.map((name, index) => ({ name, index })).sort((a, b) =>
  byText(a.name, b.name),
);

/** Rollup rows per chunk: what the writers upsert per call. */
export const ROLLUP_CHUNK = 10_000;

/**
 * Rollup rows without an object a row: the keys of each (level, unit, station, day: four values
 * a row) and its ROLLUP_NUMBERS numbers in one Float64Array, which a worker thread takes without
 * a copy. 690,000 rows as DayRollup objects, flattened and v8-serialised for the SQLite worker,
 * cost more than the worker's upsert of them.
 */
export interface RollupBlock {
  readonly rows: number;
  readonly keys: (string | number)[];
  readonly numbers: Float64Array;
}

/**
 * Rollups being accumulated: add incidents (or whole rollups), then read the rows, all at once
 * (`rows`) or a chunk at a time in the same order (`chunks`: what a large batch writes, so that
 * its rows never exist as objects all together).
 */
export class RollupAccumulator {
  readonly #slots = new Slots();
  readonly #levels = ROLLUP_LEVELS.map((name) => new Level(name));
  /**
   * Incidents are grouped by their whole unit path first, looked up unit by unit (city, then
   * branch, station, area): four lookups of short texts cost less than joining them into one key
   * a row, which was then copied flat to be hashed.
   */
  readonly #paths = new Map<string, Map<string, Map<string, Map<string, Path>>>>();
  /** Four slots per group (ROLLUP_LEVELS order), in pages. */
  readonly #groupSlots: Int32Array[] = [];
  #groups = 0;
  readonly #bins = new Int32Array(3);
  readonly #ms = new Float64Array(3);

  /** Number of incidents added. */
  size = 0;

  /** Number of rollup rows (at every level). */
  get rowCount(): number {
    return this.#slots.length;
  }

  add(x: RollupIncident): void {
    this.size++;
    const day = localDay(x.receivedAt, x.utcOffsetMin);
    const city = x.cityUnit ?? "";
    const branch = x.branchUnit ?? "";
    const station = x.stationUnit ?? "";
    const area = x.areaUnit ?? "";
    let branches = this.#paths.get(city);
    if (branches === undefined) {
      branches = new Map();
      this.#paths.set(own(city), branches);
    }
    let stations = branches.get(branch);
    if (stations === undefined) {
      stations = new Map();
      branches.set(own(branch), stations);
    }
    let areas = stations.get(station);
    if (areas === undefined) {
      areas = new Map();
      stations.set(own(station), areas);
    }
    let path = areas.get(area);
    if (!path) {
      const units = [city, branch, station, area].map(own);
      path = {
        lines: this.#levels.map((level, l) => level.line(units[l]!, units[2]!)),
        days: new Map(),
        lastDay: Number.NaN,
        lastGroup: 0,
      };
      areas.set(units[3]!, path);
    }
    let group = path.lastDay === day ? path.lastGroup : path.days.get(day);
    if (group === undefined) group = this.#newGroup(path, day);
    path.lastDay = day;
    path.lastGroup = group;

    const start = x.acceptedAt ?? x.receivedAt;
    this.#interval(0, x.dispatchedAt === null ? Number.NaN : x.dispatchedAt - start);
    this.#interval(
      1,
      x.arrivedAt === null || x.dispatchedAt === null ? Number.NaN : x.arrivedAt - x.dispatchedAt,
    );
    this.#interval(2, x.arrivedAt === null ? Number.NaN : x.arrivedAt - start);
    const category = categoryIndex(x.category);
    const slots = this.#groupSlots[group >>> PAGE_BITS]!;
    const at = (group & IN_PAGE) * 4;
    for (let l = 0; l < 4; l++) this.#slots.count(slots[at + l]!, category, this.#bins, this.#ms);
  }

  #interval(kind: number, ms: number): void {
    this.#ms[kind] = ms;
    this.#bins[kind] = Number.isNaN(ms) ? NONE : ms < 0 ? NEGATIVE : responseBin(ms);
  }

  #newGroup(path: Path, day: number): number {
    const group = this.#groups++;
    if ((group & IN_PAGE) === 0) this.#groupSlots.push(new Int32Array(PAGE * 4));
    const slots = this.#groupSlots[group >>> PAGE_BITS]!;
    for (let l = 0; l < 4; l++)
      slots[(group & IN_PAGE) * 4 + l] = this.#levels[l]!.slot(this.#slots, path.lines[l]!, day);
    path.days.set(day, group);
    return group;
  }

  addAll(rows: Iterable<RollupIncident>): this {
    for (const x of rows) this.add(x);
    return this;
  }

  /** Adds rollup rows (e.g. of another batch). */
  merge(rollups: DailyRollups): this {
    for (const r of rollups) {
      const level = this.#levels[ROLLUP_LEVELS.indexOf(r.level as (typeof ROLLUP_LEVELS)[number])]!;
      this.#slots.addRow(level.slot(this.#slots, level.line(r.unit, r.station), r.day), r);
    }
    return this;
  }

  /** The rows, sorted by key (level, day, unit, station): writers that lock rows in one order never deadlock. */
  rows(): DailyRollups {
    return [...this.chunks()].flat();
  }

  /** The rows of `rows()`, in the same order, `size` at a time. */
  *chunks(size = ROLLUP_CHUNK): Generator<DailyRollups> {
    const slots = this.#slots;
    for (const { level, lines, sorted } of this.#ordered())
      for (let i = 0; i < sorted.length; i += size) {
        const chunk: DayRollup[] = [];
        for (let j = i; j < Math.min(i + size, sorted.length); j++) {
          const slot = sorted[j]!;
          const line = lines[slots.line(slot)]!;
          chunk.push(slots.row(slot, level.name, line.unit, line.station));
        }
        yield chunk;
      }
  }

  /**
   * The rows of `rows()`, in the same order, as blocks of up to `size` rows; `skipZero` leaves out
   * rows whose numbers are all zero (what is left of a row whose incidents were all taken away).
   */
  *blocks(size = ROLLUP_CHUNK, skipZero = false): Generator<RollupBlock> {
    const slots = this.#slots;
    for (const { level, lines, sorted } of this.#ordered())
      for (let i = 0; i < sorted.length; i += size) {
        const end = Math.min(i + size, sorted.length);
        const keys: (string | number)[] = [];
        const numbers = new Float64Array((end - i) * ROLLUP_NUMBERS);
        let rows = 0;
        for (let j = i; j < end; j++) {
          const slot = sorted[j]!;
          if (!slots.writeNumbers(slot, numbers, rows * ROLLUP_NUMBERS) && skipZero) continue;
          const line = lines[slots.line(slot)]!;
          keys.push(level.name, line.unit, line.station, slots.day(slot));
          rows++;
        }
        if (rows > 0)
          yield { rows, keys, numbers: rows === end - i ? numbers : numbers.slice(0, rows * ROLLUP_NUMBERS) };
      }
  }

  /** Each level with rows, by name, with its slots sorted by (day, unit, station). */
  *#ordered(): Generator<{ level: Level; lines: Level["lines"]; sorted: Int32Array }> {
    const slots = this.#slots;
    for (const { index } of LEVELS_BY_NAME) {
      const level = this.#levels[index]!;
      if (level.rows === 0) continue;
      const { lines } = level;
      const rank = new Int32Array(lines.length);
      lines
        .map((_, i) => i)
        .sort(
          (a, b) => byText(lines[a]!.unit, lines[b]!.unit) || byText(lines[a]!.station, lines[b]!.station),
        )
        .forEach((line, r) => {
          rank[line] = r;
        });
      const order = new Int32Array(level.rows);
      const days = new Int32Array(level.rows);
      let n = 0;
      for (const line of lines)
        for (const slot of line.days.values()) {
          order[n] = slot;
          days[n++] = slots.day(slot);
        }
      // Sort slots by (day, rank of the line): the keys side by side in one Float64Array sort
      // natively when they fit in 53 bits, far faster than a comparator over 570,000 slots.
      yield { level, lines, sorted: sortSlots(order, days, (slot) => rank[slots.line(slot)]!, lines.length) };
    }
  }
}

/** `slots` ordered by (day, rank), given each slot's day (same index) and its line's rank. */
function sortSlots(
  slots: Int32Array,
  days: Int32Array,
  rankOf: (slot: number) => number,
  ranks: number,
): Int32Array {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const d of days) {
    if (d < lo) lo = d;
    if (d > hi) hi = d;
  }
  const n = slots.length;
  const keys = new Float64Array(n);
  if ((hi - lo + 1) * ranks * n < 2 ** 53) {
    for (let i = 0; i < n; i++) keys[i] = ((days[i]! - lo) * ranks + rankOf(slots[i]!)) * n + i;
    keys.sort();
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = slots[keys[i]! % n]!;
    return out;
  }
  for (let i = 0; i < n; i++) keys[i] = (days[i]! - lo) * ranks + rankOf(slots[i]!);
  const index = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => keys[a]! - keys[b]!);
  return index.map((i) => slots[i]!);
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
