import type { SynthTruth } from "./truth.ts";

/**
 * Scores found repeat series and duplicate groups against a truth file, as issue 4 asks: a found
 * series matches a true one of the same kind when the Jaccard index of their source ids is at
 * least 0.5; duplicates are scored on pairs of calls.
 */

export interface FoundSeries {
  readonly kind: "place" | "caller" | "matter";
  readonly incidents: readonly string[];
}

export interface KindScore {
  readonly truth: number;
  readonly found: number;
  /** True series matched by at least one found series / true series. */
  readonly recall: number;
  /** Found series matching at least one true series / found series. */
  readonly precision: number;
}

export interface TruthScore {
  readonly series: Readonly<Record<FoundSeries["kind"], KindScore>>;
  readonly duplicatePairs: {
    readonly truth: number;
    readonly found: number;
    readonly precision: number;
    readonly recall: number;
    readonly f1: number;
  };
}

function pairs(groups: readonly (readonly string[])[]): Set<string> {
  const out = new Set<string>();
  for (const g of groups) {
    const ids = [...new Set(g)].sort();
    for (let i = 0; i < ids.length; i++)
      for (let j = i + 1; j < ids.length; j++) out.add(`${ids[i]}\u0000${ids[j]}`);
  }
  return out;
}

/** For each series of `a`, whether some series of `b` has Jaccard >= threshold with it. */
function matched(
  a: readonly (readonly string[])[],
  b: readonly (readonly string[])[],
  threshold: number,
): number {
  const owners = new Map<string, number[]>();
  const sizes = b.map((s) => new Set(s).size);
  b.forEach((s, i) => {
    for (const id of new Set(s)) {
      const list = owners.get(id);
      if (list) list.push(i);
      else owners.set(id, [i]);
    }
  });
  let n = 0;
  for (const s of a) {
    const ids = new Set(s);
    const overlap = new Map<number, number>();
    for (const id of ids) for (const i of owners.get(id) ?? []) overlap.set(i, (overlap.get(i) ?? 0) + 1);
    for (const [i, common] of overlap) {
      if (common / (ids.size + sizes[i]! - common) >= threshold) {
        n++;
        break;
      }
    }
  }
  return n;
}

const ratio = (a: number, b: number): number => (b === 0 ? 1 : a / b);

/**
 * @example
 * const score = scoreAgainstTruth(engineOutput.series, engineOutput.duplicates, truth);
 * score.series.place.recall; score.duplicatePairs.f1
 */
export function scoreAgainstTruth(
  series: readonly FoundSeries[],
  duplicates: readonly (readonly string[])[],
  truth: Pick<SynthTruth, "series" | "duplicates">,
  threshold = 0.5,
): TruthScore {
  const kinds = ["place", "caller", "matter"] as const;
  const scores = {} as Record<FoundSeries["kind"], KindScore>;
  for (const kind of kinds) {
    const t = truth.series.filter((s) => s.kind === kind).map((s) => s.incidents);
    const f = series.filter((s) => s.kind === kind).map((s) => s.incidents);
    scores[kind] = {
      truth: t.length,
      found: f.length,
      recall: ratio(matched(t, f, threshold), t.length),
      precision: ratio(matched(f, t, threshold), f.length),
    };
  }
  const truePairs = pairs(truth.duplicates);
  const foundPairs = pairs(duplicates);
  let common = 0;
  for (const p of foundPairs) if (truePairs.has(p)) common++;
  const precision = ratio(common, foundPairs.size);
  const recall = ratio(common, truePairs.size);
  return {
    series: scores,
    duplicatePairs: {
      truth: truePairs.size,
      found: foundPairs.size,
      precision,
      recall,
      f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    },
  };
}
