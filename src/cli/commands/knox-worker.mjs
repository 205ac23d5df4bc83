// Knox simulation worker, in plain JavaScript on purpose: a worker thread does not inherit the
// tsx loader, and registering it costs about a third of a second of CPU per worker, as much as
// the worker's share of 999 simulations on 11,700 events. This file repeats the integer-day
// counting loop of src/analysis/knox/knox.ts and the random stream of src/domain/random.ts;
// knox-worker.test.ts checks that both give exactly the same tables.
import { parentPort, workerData } from "node:worker_threads";

/** The mulberry32 stream of seededRandom (src/domain/random.ts). */
export function mulberry32(seed) {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seed of simulation k, as simulationSeed in src/analysis/knox/knox.ts. */
export function simulationSeed(seed, k) {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(k + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Runs simulations of the integer-day path: job = { a, b, rows, lut, ints, cells, seed }.
 * Returns run(from, to, out) writing simulation k's table at k * cells of out.
 */
export function integerRunner(job) {
  const { a, b, rows, lut, ints, cells, seed } = job;
  const m = a.length;
  const size = lut.length;
  const shuffled = new Int32Array(ints.length);
  const scratch = new Int32Array(cells);
  const count = (times, table) => {
    for (let k = 0; k < m; k++) {
      const d = Math.abs(times[a[k]] - times[b[k]]);
      if (d < size) table[rows[k] + lut[d]]++;
    }
  };
  return (from, to, out) => {
    for (let k = from; k < to; k++) {
      shuffled.set(ints);
      const next = mulberry32(simulationSeed(seed, k));
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const tmp = shuffled[i];
        shuffled[i] = shuffled[j];
        shuffled[j] = tmp;
      }
      scratch.fill(0);
      count(shuffled, scratch);
      out.set(scratch, k * cells);
    }
  };
}

/** Claims chunks of simulations from the shared counters (see SimulationPool in knox.ts). */
export function workOn(job, chunk, run) {
  const progress = new Int32Array(job.progress);
  const finished = new Int32Array(job.finished);
  const out = new Int32Array(job.tables);
  for (;;) {
    const from = Atomics.add(progress, 0, chunk);
    if (from >= job.sims) return;
    const to = Math.min(job.sims, from + chunk);
    run(from, to, out);
    Atomics.store(finished, from / chunk, 1);
    Atomics.add(progress, 1, to - from);
    Atomics.notify(progress, 1);
  }
}

if (parentPort && workerData?.recurKnoxWorker === true) {
  const port = parentPort;
  port.once("message", (job) => {
    workOn(job, job.chunk, integerRunner(job));
    port.postMessage("done");
  });
}
