import type { Entity } from "./parse.ts";

/** The labels the accuracy figure is computed on (issue 3). */
export const SCORED_LABELS = [
  "prov",
  "city",
  "district",
  "devzone",
  "town",
  "community",
  "road",
  "roadno",
  "poi",
  "subpoi",
  "houseno",
  "cellno",
  "floorno",
  "roomno",
] as const;

/** Corpus label spellings → ours (leodotnet writes devZone, subRoad). */
export function normaliseLabel(label: string): string {
  return label.toLowerCase();
}

export interface LabelScore {
  readonly label: string;
  readonly gold: number;
  readonly predicted: number;
  readonly correct: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/** Start offsets of entities that cover their text in order. */
function keyed(entities: readonly Entity[]): string[] {
  const out: string[] = [];
  let pos = 0;
  for (const e of entities) {
    out.push(`${normaliseLabel(e.label)}\u0000${pos}\u0000${e.text}`);
    pos += e.text.length;
  }
  return out;
}

/**
 * Entity-level precision, recall and F1 (exact label and span) per label and micro-averaged
 * ("overall") over `labels`.
 * @example entityScores([{gold, predicted}], ["road"]).at(-1)?.f1
 */
export function entityScores(
  pairs: Iterable<{ readonly gold: readonly Entity[]; readonly predicted: readonly Entity[] }>,
  labels: readonly string[] = SCORED_LABELS,
): LabelScore[] {
  const wanted = new Set(labels);
  const counts = new Map<string, { gold: number; predicted: number; correct: number }>();
  for (const l of labels) counts.set(l, { gold: 0, predicted: 0, correct: 0 });
  for (const { gold, predicted } of pairs) {
    const g = keyed(gold);
    const p = new Set(keyed(predicted));
    for (const k of g) {
      const label = k.slice(0, k.indexOf("\u0000"));
      const c = counts.get(label);
      if (!c) continue;
      c.gold++;
      if (p.has(k)) c.correct++;
    }
    for (const k of p) {
      const label = k.slice(0, k.indexOf("\u0000"));
      if (wanted.has(label)) (counts.get(label) as { predicted: number }).predicted++;
    }
  }
  const score = (label: string, gold: number, predicted: number, correct: number): LabelScore => {
    const precision = predicted === 0 ? 0 : correct / predicted;
    const recall = gold === 0 ? 0 : correct / gold;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, gold, predicted, correct, precision, recall, f1 };
  };
  const rows = labels.map((l) => {
    const c = counts.get(l) as { gold: number; predicted: number; correct: number };
    return score(l, c.gold, c.predicted, c.correct);
  });
  const total = rows.reduce(
    (a, r) => ({
      gold: a.gold + r.gold,
      predicted: a.predicted + r.predicted,
      correct: a.correct + r.correct,
    }),
    { gold: 0, predicted: 0, correct: 0 },
  );
  rows.push(score("overall", total.gold, total.predicted, total.correct));
  return rows;
}
