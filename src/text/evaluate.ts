import { seededRandom } from "../domain/index.ts";
import {
  type LabelledText,
  type TextModel,
  type TrainOptions,
  textPredictor,
  trainTextModel,
} from "./model.ts";
import type { Segmenter } from "./segmenter.ts";

/** Per-class and macro scores of a set of predictions. */
export interface ClassificationReport {
  readonly n: number;
  readonly accuracy: number;
  /** Unweighted mean of the per-class F1 over the classes present in the truth. */
  readonly macroF1: number;
  readonly perClass: readonly {
    readonly label: string;
    readonly support: number;
    readonly precision: number;
    readonly recall: number;
    readonly f1: number;
  }[];
}

/**
 * Scores predictions against the truth. A prediction of null counts as wrong.
 * @example classificationReport(["a", "b"], ["a", "a"]).accuracy // 0.5
 */
export function classificationReport(
  truth: readonly string[],
  predicted: readonly (string | null)[],
): ClassificationReport {
  const labels = [...new Set(truth)].sort();
  let correct = 0;
  const perClass = labels.map((label) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    truth.forEach((t, i) => {
      const p = predicted[i] ?? null;
      if (t === label && p === label) tp++;
      else if (t === label) fn++;
      else if (p === label) fp++;
    });
    const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
    const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, support: tp + fn, precision, recall, f1 };
  });
  truth.forEach((t, i) => {
    if (predicted[i] === t) correct++;
  });
  return {
    n: truth.length,
    accuracy: truth.length === 0 ? 0 : correct / truth.length,
    macroF1: perClass.length === 0 ? 0 : perClass.reduce((s, c) => s + c.f1, 0) / perClass.length,
    perClass,
  };
}

/**
 * Stratified k-fold assignment, reproducible from the seed: each class is shuffled and dealt
 * round-robin to the folds, so every fold has the class mix of the whole.
 * @example stratifiedFolds(["a","a","b","b"], 2, 1) // e.g. [0, 1, 1, 0]
 */
export function stratifiedFolds(labels: readonly string[], k: number, seed: number): number[] {
  const rng = seededRandom(seed);
  const byLabel = new Map<string, number[]>();
  labels.forEach((l, i) => {
    const list = byLabel.get(l);
    if (list) list.push(i);
    else byLabel.set(l, [i]);
  });
  const fold = new Array<number>(labels.length).fill(0);
  let dealer = 0;
  for (const label of [...byLabel.keys()].sort()) {
    const items = byLabel.get(label)!;
    for (let i = items.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    for (const item of items) fold[item] = dealer++ % k;
  }
  return fold;
}

export interface CrossValidation {
  readonly folds: number;
  readonly seed: number;
  readonly report: ClassificationReport;
  /** Macro-F1 of each fold's held-out part. */
  readonly foldMacroF1: readonly number[];
}

/**
 * k-fold cross-validation of `trainTextModel`: each fold is predicted by a model trained on the
 * other k-1 folds only; the report pools the out-of-fold predictions.
 */
export function crossValidate(
  examples: readonly LabelledText[],
  segmenter: Segmenter,
  folds: number,
  seed: number,
  options: Partial<TrainOptions> = {},
): CrossValidation {
  const fold = stratifiedFolds(
    examples.map((e) => e.label),
    folds,
    seed,
  );
  const predicted = new Array<string | null>(examples.length).fill(null);
  const foldMacroF1: number[] = [];
  for (let f = 0; f < folds; f++) {
    const train = examples.filter((_, i) => fold[i] !== f);
    const testIdx = examples.map((_, i) => i).filter((i) => fold[i] === f);
    if (testIdx.length === 0 || train.length === 0) continue;
    const model: TextModel = trainTextModel(train, segmenter, options);
    const predictor = textPredictor(model, segmenter);
    for (const i of testIdx) predicted[i] = predictor.predict(examples[i]!.text).label;
    foldMacroF1.push(
      classificationReport(
        testIdx.map((i) => examples[i]!.label),
        testIdx.map((i) => predicted[i] ?? null),
      ).macroF1,
    );
  }
  return {
    folds,
    seed,
    report: classificationReport(
      examples.map((e) => e.label),
      predicted,
    ),
    foldMacroF1,
  };
}
