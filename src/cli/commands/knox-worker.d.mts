/** Types of knox-worker.mjs (plain JavaScript so that worker threads start without tsx). */
export interface IntegerJob {
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly rows: Int32Array;
  readonly lut: Int8Array;
  readonly ints: Int32Array;
  readonly cells: number;
  readonly seed: number;
}

export interface SharedProgress {
  readonly sims: number;
  /** [next simulation to claim, simulations completed] */
  readonly progress: SharedArrayBuffer;
  /** Per chunk: 1 once its tables are written. */
  readonly finished: SharedArrayBuffer;
  /** sims x cells Int32 tables. */
  readonly tables: SharedArrayBuffer;
}

export function mulberry32(seed: number): () => number;
export function simulationSeed(seed: number, k: number): number;
export function integerRunner(job: IntegerJob): (from: number, to: number, out: Int32Array) => void;
export function workOn(
  job: SharedProgress,
  chunk: number,
  run: (from: number, to: number, out: Int32Array) => void,
): void;
