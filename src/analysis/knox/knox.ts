import { seededRandom } from "../../domain/index.ts";

/**
 * Near-repeat Knox test, computed as the R package NearRepeat (Steenbeek, GPL-3) defines it:
 * every pair of events is classified by its spatial distance and its time distance into bands
 * that are left-closed and right-open, [a, b); pairs outside the first/last break are dropped.
 * The null distribution comes from Monte Carlo permutation of the event times over the places.
 *
 * Speed: only pairs closer than the largest spatial break can ever be counted, whatever the
 * permutation, so those candidate pairs are found once (a grid with cells as wide as that
 * break) and each simulation only re-reads permuted times over typed arrays.
 */

export const KNOX_DISTANCES = ["manhattan", "euclidean"] as const;
export type KnoxDistance = (typeof KNOX_DISTANCES)[number];

/** Events as columns: coordinates in projected units (metres) and times in days. */
export interface KnoxEvents {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly t: Float64Array;
}

export interface KnoxBands {
  /** Spatial breaks, increasing; band k is [sbands[k], sbands[k+1]). The last may be Infinity. */
  readonly sbands: readonly number[];
  /** Temporal breaks in days, increasing; band k is [tbands[k], tbands[k+1]). */
  readonly tbands: readonly number[];
  readonly distance: KnoxDistance;
}

/**
 * Candidate pairs as three columns: events `a[k]` and `b[k]` (numbered in grid order, see
 * `order`) are in spatial band `band[k]`. Grid order keeps the permuted times read close together.
 */
export interface CandidatePairs {
  readonly n: number;
  /** order[i] = index of the i-th grid-ordered event in the input. */
  readonly order: Int32Array;
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly band: Uint8Array;
  /** Number of candidate pairs in each spatial band (all time distances). */
  readonly perSpaceBand: Float64Array;
}

/** Thrown when bands are not an increasing list of at least two finite-or-infinite numbers. */
export class KnoxBandsError extends RangeError {
  override readonly name = "KnoxBandsError";
}

/** Checks bands once at the entry; returns them unchanged when valid. */
export function checkBands(bands: KnoxBands): KnoxBands {
  for (const [name, list] of [
    ["sbands", bands.sbands],
    ["tbands", bands.tbands],
  ] as const) {
    if (list.length < 2) throw new KnoxBandsError(`${name} needs at least two breaks`);
    if (list.length > 65) throw new KnoxBandsError(`${name} has more than 64 bands`);
    for (let k = 0; k < list.length; k++) {
      const v = list[k]!;
      if (Number.isNaN(v) || v < 0) throw new KnoxBandsError(`${name} must be non-negative numbers`);
      if (k > 0 && !(v > list[k - 1]!)) throw new KnoxBandsError(`${name} must be strictly increasing`);
    }
    if (!Number.isFinite(list[0]!)) throw new KnoxBandsError(`${name} must start with a finite break`);
  }
  if (!KNOX_DISTANCES.includes(bands.distance))
    throw new KnoxBandsError(`unknown distance ${bands.distance}`);
  return bands;
}

/** Index of the band [b[k], b[k+1]) holding v, or -1 outside all bands. */
function bandOf(v: number, breaks: readonly number[]): number {
  if (!(v >= breaks[0]!)) return -1;
  const last = breaks.length - 1;
  if (!(v < breaks[last]!)) return -1;
  let k = 0;
  while (v >= breaks[k + 1]!) k++;
  return k;
}

/** Pair columns that grow by doubling while the grid is scanned. */
class PairColumns {
  a = new Int32Array(1024);
  b = new Int32Array(1024);
  band = new Uint8Array(1024);
  length = 0;
  push(i: number, j: number, band: number): void {
    if (this.length === this.a.length) {
      const grow = <A extends Int32Array | Uint8Array>(old: A, make: (n: number) => A): A => {
        const next = make(old.length * 2);
        next.set(old);
        return next;
      };
      this.a = grow(this.a, (n) => new Int32Array(n));
      this.b = grow(this.b, (n) => new Int32Array(n));
      this.band = grow(this.band, (n) => new Uint8Array(n));
    }
    this.a[this.length] = i;
    this.b[this.length] = j;
    this.band[this.length] = band;
    this.length++;
  }
}

/**
 * Finds every pair of events whose spatial distance falls in a spatial band.
 * With a finite last break this uses a grid of that cell size (each pair of neighbouring cells
 * visited once); with an infinite last break every pair is a candidate.
 * @example
 * const pairs = candidatePairs(new Float64Array([0, 50]), new Float64Array([0, 0]), { sbands: [0, 100], tbands: [0, 7], distance: "manhattan" });
 * pairs.perSpaceBand; // Float64Array [1]
 */
export function candidatePairs(x: Float64Array, y: Float64Array, bands: KnoxBands): CandidatePairs {
  const n = x.length;
  const sb = bands.sbands;
  const maxDist = sb[sb.length - 1]!;
  const manhattan = bands.distance === "manhattan";
  const S = sb.length - 1;
  const perSpaceBand = new Float64Array(S);
  const pairs = new PairColumns();

  let order: Int32Array;
  let cellOf: Float64Array | null = null;
  if (Number.isFinite(maxDist) && maxDist > 0 && n > 1) {
    // Cell keys: integer cell coordinates packed in one double (exact below 2^53).
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      if (x[i]! < minX) minX = x[i]!;
      if (y[i]! < minY) minY = y[i]!;
      if (x[i]! > maxX) maxX = x[i]!;
      if (y[i]! > maxY) maxY = y[i]!;
    }
    // Any cell at least as wide as the largest break works; widen it if the extent would overflow the key.
    const cellSize = Math.max(maxDist, (maxX - minX) / 2 ** 25, (maxY - minY) / 2 ** 25);
    const cx = new Float64Array(n);
    const cy = new Float64Array(n);
    cellOf = new Float64Array(n);
    const width = 2 ** 26;
    for (let i = 0; i < n; i++) {
      cx[i] = Math.floor((x[i]! - minX) / cellSize);
      cy[i] = Math.floor((y[i]! - minY) / cellSize);
      cellOf[i] = cx[i]! * width + cy[i]!;
    }
    const keys = cellOf;
    order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => keys[a]! - keys[b]!);
  } else {
    order = Int32Array.from({ length: n }, (_, i) => i);
  }

  // Coordinates in grid order.
  const gx = new Float64Array(n);
  const gy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    gx[i] = x[order[i]!]!;
    gy[i] = y[order[i]!]!;
  }

  const visit = (i: number, from: number, to: number): void => {
    const xi = gx[i]!;
    const yi = gy[i]!;
    for (let j = from; j < to; j++) {
      const dx = xi - gx[j]!;
      const dy = yi - gy[j]!;
      const d = manhattan ? Math.abs(dx) + Math.abs(dy) : Math.sqrt(dx * dx + dy * dy);
      if (d >= maxDist || !(d >= sb[0]!)) continue;
      let b = 0;
      while (d >= sb[b + 1]!) b++;
      pairs.push(i, j, b);
      perSpaceBand[b]!++;
    }
  };

  if (cellOf) {
    // Ranges of each cell in grid order.
    const sortedKeys = new Float64Array(n);
    for (let i = 0; i < n; i++) sortedKeys[i] = cellOf[order[i]!]!;
    const cellStart = new Map<number, number>();
    const cellEnd = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const key = sortedKeys[i]!;
      if (!cellStart.has(key)) cellStart.set(key, i);
      cellEnd.set(key, i + 1);
    }
    const width = 2 ** 26;
    // Forward half of the 3x3 neighbourhood, so that each pair of cells is visited once.
    const forward = [
      [0, 1],
      [1, -1],
      [1, 0],
      [1, 1],
    ] as const;
    for (let i = 0; i < n; i++) {
      const key = sortedKeys[i]!;
      visit(i, i + 1, cellEnd.get(key)!);
      const kx = Math.floor(key / width);
      const ky = key - kx * width;
      for (const [ox, oy] of forward) {
        const nk = (kx + ox) * width + (ky + oy);
        const s = cellStart.get(nk);
        if (s !== undefined) visit(i, s, cellEnd.get(nk)!);
      }
    }
  } else {
    for (let i = 0; i < n; i++) visit(i, i + 1, n);
  }
  return {
    n,
    order,
    a: pairs.a.subarray(0, pairs.length),
    b: pairs.b.subarray(0, pairs.length),
    band: pairs.band.subarray(0, pairs.length),
    perSpaceBand,
  };
}

/** Times in grid order, the array the counting kernel reads. */
export function gridTimes(pairs: CandidatePairs, t: Float64Array): Float64Array {
  const out = new Float64Array(pairs.n);
  for (let i = 0; i < pairs.n; i++) out[i] = t[pairs.order[i]!]!;
  return out;
}

/**
 * A lookup from an integer time distance below the last break to its band, when the first
 * break is 0 (the usual case, so every entry is a band); null otherwise, for the generic loop.
 */
function integerLookup(tbands: readonly number[]): Int8Array | null {
  const tmax = tbands[tbands.length - 1]!;
  if (tbands[0] !== 0 || !Number.isFinite(tmax) || tmax > 1e7) return null;
  const size = Math.ceil(tmax);
  const lut = new Int8Array(size);
  for (let d = 0; d < size; d++) lut[d] = bandOf(d, tbands);
  return lut;
}

/** Offset of each pair's row in a table with T time bands (spatial band major). */
function rowOffsets(pairs: CandidatePairs, T: number): Int32Array {
  const out = new Int32Array(pairs.band.length);
  for (let k = 0; k < out.length; k++) out[k] = pairs.band[k]! * T;
  return out;
}

/** Adds the pair counts of one arrangement of (any real) times into `table`. */
function countInto(
  pairs: CandidatePairs,
  rows: Int32Array,
  times: Float64Array,
  tbands: readonly number[],
  table: Int32Array,
): void {
  const { a, b } = pairs;
  for (let k = 0; k < a.length; k++) {
    const tb = bandOf(Math.abs(times[a[k]!]! - times[b[k]!]!), tbands);
    if (tb >= 0) table[rows[k]! + tb]!++;
  }
}

/** The count over integer times (days), with a lookup from time distance to band. */
function countIntInto(
  pairs: CandidatePairs,
  rows: Int32Array,
  times: Int32Array,
  lut: Int8Array,
  table: Int32Array,
): void {
  const a = pairs.a;
  const b = pairs.b;
  const size = lut.length;
  const m = a.length;
  for (let k = 0; k < m; k++) {
    const d = Math.abs(times[a[k]!]! - times[b[k]!]!);
    if (d < size) table[rows[k]! + lut[d]!]!++;
  }
}

/**
 * The same count as a closure over the pair columns: the hot loop of the simulations, two reads
 * of the permuted times and one compare per pair. When a thread creates a single such closure,
 * V8 specialises it to its constant arrays and runs it about a third faster than countIntInto
 * (chicago_be, 999 simulations: 0.45 s against 0.68 s of CPU); so only simulateTables makes one.
 */
function integerCounter(
  pairs: CandidatePairs,
  rows: Int32Array,
  lut: Int8Array,
): (times: Int32Array, table: Int32Array) => void {
  const a = pairs.a;
  const b = pairs.b;
  const size = lut.length;
  const m = a.length;
  return (times, table) => {
    for (let k = 0; k < m; k++) {
      const d = Math.abs(times[a[k]!]! - times[b[k]!]!);
      if (d < size) table[rows[k]! + lut[d]!]!++;
    }
  };
}

/** Widest span of integer times (days) for which the banded counter keeps a histogram. */
const MAX_HISTOGRAM_SPAN = 1 << 16;

/**
 * The integer-day count with the pairs grouped by spatial band: per band, a histogram of the
 * time distances (no band offset read and no range test per pair), folded into the table's row
 * through the lookup afterwards. About a sixth faster than integerCounter on a dashboard-sized
 * test (10,000 events, 110,000 pairs). Null when the times span more than MAX_HISTOGRAM_SPAN days.
 */
function bandedCounter(
  pairs: CandidatePairs,
  ints: Int32Array,
  lut: Int8Array,
  T: number,
): ((times: Int32Array, table: Int32Array) => void) | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < ints.length; i++) {
    if (ints[i]! < lo) lo = ints[i]!;
    if (ints[i]! > hi) hi = ints[i]!;
  }
  if (!(hi - lo < MAX_HISTOGRAM_SPAN)) return null;
  // Counting sort of the pairs by spatial band, keeping their order within a band.
  const S = pairs.perSpaceBand.length;
  const m = pairs.a.length;
  const start = new Int32Array(S + 1);
  for (let k = 0; k < m; k++) start[pairs.band[k]! + 1]!++;
  for (let s = 0; s < S; s++) start[s + 1]! += start[s]!;
  const fill = start.slice(0, S);
  const a = new Int32Array(m);
  const b = new Int32Array(m);
  for (let k = 0; k < m; k++) {
    const at = fill[pairs.band[k]!]!++;
    a[at] = pairs.a[k]!;
    b[at] = pairs.b[k]!;
  }
  const hist = new Int32Array(Math.max(hi - lo + 1, 1));
  const used = Math.min(lut.length, hist.length);
  return (times, table) => {
    for (let s = 0; s < S; s++) {
      hist.fill(0, 0, used);
      const end = start[s + 1]!;
      for (let k = start[s]!; k < end; k++) {
        const d = times[a[k]!]! - times[b[k]!]!;
        hist[d < 0 ? -d : d]!++;
      }
      const row = s * T;
      for (let d = 0; d < used; d++) table[row + lut[d]!]! += hist[d]!;
    }
  };
}

/** Integer copy of the times when every time is a whole number that fits in 32 bits, else null. */
function integerTimes(times: Float64Array): Int32Array | null {
  for (let i = 0; i < times.length; i++) {
    const v = times[i]!;
    if (!Number.isInteger(v) || Math.abs(v) > 1e9) return null;
  }
  return Int32Array.from(times);
}

/**
 * Observed pair counts per (spatial band, time band), spatial band major.
 * @example
 * observedCounts(pairs, gridTimes(pairs, t), [0, 7, 14]);
 */
export function observedCounts(
  pairs: CandidatePairs,
  times: Float64Array,
  tbands: readonly number[],
): Int32Array {
  const table = new Int32Array(pairs.perSpaceBand.length * (tbands.length - 1));
  const lut = integerLookup(tbands);
  const ints = lut && integerTimes(times);
  const rows = rowOffsets(pairs, tbands.length - 1);
  if (ints && lut) countIntInto(pairs, rows, ints, lut, table);
  else countInto(pairs, rows, times, tbands, table);
  return table;
}

/** Seed of simulation k: a fixed mix of the user's seed and k, so results do not depend on how simulations are split across workers. */
export function simulationSeed(seed: number, k: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(k + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Runs simulations into a table array: simulation k's table goes to `out` at k * cells. */
export interface Simulator {
  /** Cells of one table (spatial bands x time bands). */
  readonly cells: number;
  /** Runs simulations [from, to), writing each table at `(k - base) * cells` of `out`. */
  run(from: number, to: number, out: Int32Array, base?: number): void;
}

/**
 * Prepares the simulations of one test once per thread (lookup, row offsets, the counting
 * closure), so that running them in chunks costs nothing more than running them at once.
 * @example
 * const sim = knoxSimulator(pairs, times, [0, 7, 14], 9489);
 * sim.run(0, 999, tables);
 */
export function knoxSimulator(
  pairs: CandidatePairs,
  times: Float64Array,
  tbands: readonly number[],
  seed: number,
): Simulator {
  const T = tbands.length - 1;
  const cells = pairs.perSpaceBand.length * T;
  const lut = integerLookup(tbands);
  const ints = lut && integerTimes(times);
  const rows = rowOffsets(pairs, T);
  if (ints && lut) {
    const shuffled = new Int32Array(ints.length);
    // One small scratch table, copied out after each simulation: faster than counting into views.
    const scratch = new Int32Array(cells);
    const count = bandedCounter(pairs, ints, lut, T) ?? integerCounter(pairs, rows, lut);
    return {
      cells,
      run(from, to, out, base = from) {
        for (let k = from; k < to; k++) {
          shuffled.set(ints);
          shuffle(shuffled, simulationSeed(seed, k));
          scratch.fill(0);
          count(shuffled, scratch);
          out.set(scratch, (k - base) * cells);
        }
      },
    };
  }
  const shuffled = new Float64Array(times.length);
  return {
    cells,
    run(from, to, out, base = from) {
      for (let k = from; k < to; k++) {
        shuffled.set(times);
        shuffle(shuffled, simulationSeed(seed, k));
        countInto(pairs, rows, shuffled, tbands, out.subarray((k - base) * cells, (k - base + 1) * cells));
      }
    },
  };
}

/** What the integer-day counting loop needs, for a worker that runs it outside TypeScript. */
export interface IntegerKernelInput {
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly rows: Int32Array;
  readonly lut: Int8Array;
  readonly ints: Int32Array;
  readonly cells: number;
}

/** The integer-day kernel's input, or null when times are not whole days or the first time break is not 0. */
export function integerKernelInput(
  pairs: CandidatePairs,
  times: Float64Array,
  tbands: readonly number[],
): IntegerKernelInput | null {
  const lut = integerLookup(tbands);
  const ints = lut && integerTimes(times);
  if (!lut || !ints) return null;
  const T = tbands.length - 1;
  return {
    a: pairs.a,
    b: pairs.b,
    rows: rowOffsets(pairs, T),
    lut,
    ints,
    cells: pairs.perSpaceBand.length * T,
  };
}

/**
 * Runs simulations [from, to) and returns their tables, one after the other (sims x S x T).
 * Each simulation shuffles the times over the events (Fisher-Yates, seeded per simulation).
 * @example
 * const tables = simulateTables(pairs, gridTimes(pairs, t), [0, 7, 14], 9489, 0, 999);
 */
export function simulateTables(
  pairs: CandidatePairs,
  times: Float64Array,
  tbands: readonly number[],
  seed: number,
  from: number,
  to: number,
): Int32Array {
  const sim = knoxSimulator(pairs, times, tbands, seed);
  const out = new Int32Array(Math.max(0, to - from) * sim.cells);
  sim.run(from, to, out);
  return out;
}

/** Fisher-Yates shuffle in place with the project's seeded random source. */
function shuffle(values: Int32Array | Float64Array, seed: number): void {
  const rng = seededRandom(seed);
  for (let i = values.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = values[i]!;
    values[i] = values[j]!;
    values[j] = tmp;
  }
}

/**
 * Probability that two distinct events, drawn as a random permutation places them, have a time
 * distance in each time band: the exact expectation of the permutation null without simulating.
 * O(n log n): sorts the times and counts pairs under each break with two pointers.
 */
export function timeBandProbabilities(t: Float64Array, tbands: readonly number[]): Float64Array {
  const n = t.length;
  const sorted = Float64Array.from(t).sort();
  // below[k] = number of unordered pairs with |dt| < tbands[k]
  const below = tbands.map((limit) => {
    let count = 0;
    let lo = 0;
    for (let hi = 0; hi < n; hi++) {
      while (lo < hi && !(sorted[hi]! - sorted[lo]! < limit)) lo++;
      count += hi - lo;
    }
    return count;
  });
  const total = (n * (n - 1)) / 2;
  const out = new Float64Array(tbands.length - 1);
  if (total === 0) return out;
  for (let k = 0; k < out.length; k++) out[k] = (below[k + 1]! - below[k]!) / total;
  return out;
}

/**
 * Exact expected counts under the permutation null: pairs in the spatial band times the
 * probability that a random pair of the times falls in the time band.
 */
export function exactExpectation(
  pairs: CandidatePairs,
  t: Float64Array,
  tbands: readonly number[],
): Float64Array {
  const q = timeBandProbabilities(t, tbands);
  const S = pairs.perSpaceBand.length;
  const T = q.length;
  const out = new Float64Array(S * T);
  for (let s = 0; s < S; s++) for (let b = 0; b < T; b++) out[s * T + b] = pairs.perSpaceBand[s]! * q[b]!;
  return out;
}

export interface KnoxSummary {
  readonly sbands: readonly number[];
  readonly tbands: readonly number[];
  /** Rows = spatial bands, columns = time bands. */
  readonly observed: number[][];
  readonly expectedMean: number[][];
  readonly expectedMedian: number[][];
  /** observed / mean expected; null when the mean expected count is 0 (R gives NaN or Inf). */
  readonly knoxRatio: (number | null)[][];
  readonly knoxRatioMedian: (number | null)[][];
  /** (number of simulations >= observed + 1) / (simulations + 1). */
  readonly pValue: number[][];
  readonly sims: number;
}

function toRows<T>(
  flat: ArrayLike<number>,
  S: number,
  T: number,
  map: (v: number, cell: number) => T,
): T[][] {
  return Array.from({ length: S }, (_, s) =>
    Array.from({ length: T }, (_, b) => map(flat[s * T + b]!, s * T + b)),
  );
}

/**
 * Turns the observed table and the simulated tables into the package's output.
 * @example
 * knoxSummary(bands, observed, tables, 999).pValue[0][0];
 */
export function knoxSummary(
  bands: KnoxBands,
  observed: Int32Array,
  tables: Int32Array,
  sims: number,
): KnoxSummary {
  const S = bands.sbands.length - 1;
  const T = bands.tbands.length - 1;
  const cells = S * T;
  const mean = new Float64Array(cells);
  const median = new Float64Array(cells);
  const atLeast = new Float64Array(cells);
  const column = new Float64Array(sims);
  for (let c = 0; c < cells; c++) {
    let sum = 0;
    let ge = 0;
    for (let k = 0; k < sims; k++) {
      const v = tables[k * cells + c]!;
      sum += v;
      if (v >= observed[c]!) ge++;
      column[k] = v;
    }
    mean[c] = sims > 0 ? sum / sims : Number.NaN;
    column.sort();
    median[c] =
      sims === 0
        ? Number.NaN
        : sims % 2 === 1
          ? column[(sims - 1) / 2]!
          : (column[sims / 2 - 1]! + column[sims / 2]!) / 2;
    atLeast[c] = ge;
  }
  const ratio = (o: number, e: number): number | null => (e > 0 ? o / e : null);
  return {
    sbands: bands.sbands,
    tbands: bands.tbands,
    observed: toRows(observed, S, T, (v) => v),
    expectedMean: toRows(mean, S, T, (v) => v),
    expectedMedian: toRows(median, S, T, (v) => v),
    knoxRatio: toRows(observed, S, T, (o, c) => ratio(o, mean[c]!)),
    knoxRatioMedian: toRows(observed, S, T, (o, c) => ratio(o, median[c]!)),
    pValue: toRows(atLeast, S, T, (ge) => (ge + 1) / (sims + 1)),
    sims,
  };
}

export interface KnoxOptions extends KnoxBands {
  readonly sims: number;
  readonly seed: number;
}

/**
 * The whole test in one thread: candidate pairs, observed table, simulations, summary.
 * @example
 * knoxTest({ x, y, t }, { sbands: [0, 0.1, 200], tbands: [0, 7, 14], distance: "manhattan", sims: 99, seed: 1 });
 */
export function knoxTest(events: KnoxEvents, options: KnoxOptions): KnoxSummary {
  checkBands(options);
  const pairs = candidatePairs(events.x, events.y, options);
  const times = gridTimes(pairs, events.t);
  const observed = observedCounts(pairs, times, options.tbands);
  const tables = simulateTables(pairs, times, options.tbands, options.seed, 0, options.sims);
  return knoxSummary(options, observed, tables, options.sims);
}
