import type { Random } from "../domain/index.ts";

/**
 * Distributions on top of the seeded Random of src/domain: everything the generator draws
 * goes through these, so one seed reproduces one city's year byte for byte.
 */

/** True with probability p. */
export function chance(rng: Random, p: number): boolean {
  return rng.next() < p;
}

/** Integer uniform in [min, max] (inclusive). */
export function between(rng: Random, min: number, max: number): number {
  return min + rng.int(max - min + 1);
}

/** Standard normal (Box-Muller). */
export function normal(rng: Random): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Log-normal with the given median and spread (sigma of the underlying normal). */
export function logNormal(rng: Random, median: number, sigma: number): number {
  return median * Math.exp(sigma * normal(rng));
}

/** Exponential with the given mean. */
export function exponential(rng: Random, mean: number): number {
  return -Math.log(1 - rng.next()) * mean;
}

/** Poisson count (Knuth for small means, normal approximation above 30). */
export function poisson(rng: Random, mean: number): number {
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(rng)));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}

/** A weighted choice prepared once: cumulative weights and a binary search per draw. */
export interface Weighted<T> {
  readonly items: readonly T[];
  readonly cumulative: Float64Array;
  readonly total: number;
}

export function weighted<T>(entries: readonly (readonly [T, number])[]): Weighted<T> {
  const cumulative = new Float64Array(entries.length);
  let total = 0;
  entries.forEach(([, w], i) => {
    total += w;
    cumulative[i] = total;
  });
  if (total <= 0) throw new RangeError("weighted choice needs a positive total weight");
  return { items: entries.map(([item]) => item), cumulative, total };
}

export function draw<T>(rng: Random, table: Weighted<T>): T {
  const x = rng.next() * table.total;
  const c = table.cumulative;
  let lo = 0;
  let hi = c.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (c[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return table.items[lo]!;
}

/** In-place Fisher-Yates shuffle. */
export function shuffle<T>(rng: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items;
}

/** A 32-bit seed derived from a seed and a label, so independent streams do not overlap. */
export function deriveSeed(seed: number, label: string): number {
  let h = (seed ^ 0x811c9dc5) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
