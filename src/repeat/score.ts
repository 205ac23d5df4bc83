import type { SeriesKind } from "./options.ts";

/**
 * Scores found series and duplicate groups against a truth file (issue 4 figures): a found series
 * matches a true one of the same kind when the Jaccard similarity of their call sets is at least
 * `minJaccard`; recall = true series matched / true series, precision = found series matched /
 * found series. Duplicates are scored as pairs of calls in one event.
 */
export interface KindScore {
  readonly truth: number;
  readonly found: number;
  readonly recall: number;
  readonly precision: number;
}

export interface ScoredSeries {
  readonly kind: SeriesKind;
  readonly incidents: readonly string[];
}

function jaccardOf(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let common = 0;
  for (const x of a) if (b.has(x)) common++;
  return common / (a.size + b.size - common);
}

/** True series matched by some found series (and vice versa), for one kind. */
function matched(from: readonly Set<string>[], to: readonly Set<string>[], minJaccard: number): number {
  const byId = new Map<string, number[]>();
  to.forEach((s, k) => {
    for (const id of s) {
      const list = byId.get(id);
      if (list) list.push(k);
      else byId.set(id, [k]);
    }
  });
  let count = 0;
  for (const s of from) {
    const candidates = new Set<number>();
    for (const id of s) for (const k of byId.get(id) ?? []) candidates.add(k);
    for (const k of candidates) {
      if (jaccardOf(s, to[k]!) >= minJaccard) {
        count++;
        break;
      }
    }
  }
  return count;
}

/**
 * @example
 * scoreSeries(found, truth).place.recall // 0.97
 */
export function scoreSeries(
  found: readonly ScoredSeries[],
  truth: readonly ScoredSeries[],
  minJaccard = 0.5,
): Record<SeriesKind, KindScore> {
  const out = {} as Record<SeriesKind, KindScore>;
  for (const kind of ["place", "caller", "matter"] as const) {
    const f = found.filter((s) => s.kind === kind).map((s) => new Set(s.incidents));
    const t = truth.filter((s) => s.kind === kind).map((s) => new Set(s.incidents));
    out[kind] = {
      truth: t.length,
      found: f.length,
      recall: t.length === 0 ? 1 : matched(t, f, minJaccard) / t.length,
      precision: f.length === 0 ? 1 : matched(f, t, minJaccard) / f.length,
    };
  }
  return out;
}

/** Precision, recall and F1 of duplicate pairs (two calls in one event). */
export function scoreDuplicatePairs(
  found: readonly (readonly string[])[],
  truth: readonly (readonly string[])[],
): { precision: number; recall: number; f1: number; truePairs: number; foundPairs: number } {
  const groupOf = new Map<string, number>();
  truth.forEach((g, k) => {
    for (const id of g) groupOf.set(id, k);
  });
  let foundPairs = 0;
  let hits = 0;
  for (const g of found) {
    for (let i = 0; i < g.length; i++)
      for (let j = i + 1; j < g.length; j++) {
        foundPairs++;
        const a = groupOf.get(g[i]!);
        if (a !== undefined && a === groupOf.get(g[j]!)) hits++;
      }
  }
  const truePairs = truth.reduce((n, g) => n + (g.length * (g.length - 1)) / 2, 0);
  const precision = foundPairs === 0 ? 1 : hits / foundPairs;
  const recall = truePairs === 0 ? 1 : hits / truePairs;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, truePairs, foundPairs };
}
