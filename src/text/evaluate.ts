import { seededRandom } from "../domain/index.ts";
import { type FeatureOptions, textFeatures } from "./features.ts";
import {
  DEFAULT_TRAIN_OPTIONS,
  fitTextModels,
  type LabelledText,
  restrictFeatures,
  type TextModel,
  type TrainOptions,
  textPredictorFromFeatures,
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

/**
 * What inner cross-validation may choose between: feature sets, and the weight of Complement NB
 * beside logistic regression (0 = logistic regression alone, Infinity = NB alone).
 */
export interface TuningGrid {
  readonly features: readonly FeatureOptions[];
  readonly cnbWeights: readonly number[];
}

/**
 * The default grid of `recur train`: chosen before any held-out data was looked at, not tuned on
 * it. Both feature sets give the opening sentence (a message's title) its own namespace.
 */
export const DEFAULT_TUNING_GRID: TuningGrid = {
  features: [
    { words: true, charNgrams: [1, 2], lexicon: true, head: true },
    { words: true, charNgrams: [1, 2, 3], lexicon: true, head: true },
  ],
  cnbWeights: [0, 0.5, 1, 2, Number.POSITIVE_INFINITY],
};

export interface TuningTrial {
  readonly features: FeatureOptions;
  /** null = Complement NB alone. */
  readonly cnbWeight: number | null;
  /** Macro-F1 of the pooled inner out-of-fold predictions. */
  readonly macroF1: number;
}

export interface Tuning {
  /** The options the winning trial trains with (algorithm, features, cnbWeight). */
  readonly options: Partial<TrainOptions>;
  readonly trials: readonly TuningTrial[];
}

/** The union of feature sets: computed once, then restricted per candidate. */
function widestFeatures(sets: readonly FeatureOptions[]): FeatureOptions {
  const head = sets.some((f) => f.head === true);
  return {
    words: sets.some((f) => f.words),
    charNgrams: [...new Set(sets.flatMap((f) => [...f.charNgrams]))].sort((a, b) => a - b),
    lexicon: sets.some((f) => f.lexicon),
    ...(head ? { head } : {}),
  };
}

const optionsOf = (features: FeatureOptions, cnbWeight: number): Partial<TrainOptions> =>
  cnbWeight === 0
    ? { features, algorithm: "logreg" }
    : Number.isFinite(cnbWeight)
      ? { features, algorithm: "ensemble", cnbWeight }
      : { features, algorithm: "cnb" };

/**
 * Chooses training options by k-fold cross-validation on the given examples only (the inner
 * loop of nested cross-validation): every feature set × mixing weight of the grid, scored by
 * the macro-F1 of the pooled out-of-fold predictions; ties go to the earlier candidate.
 * `docs` are feature counts computed with `widestFeatures(grid.features)`.
 */
export function tuneTrainOptions(
  docs: readonly ReadonlyMap<string, number>[],
  labels: readonly string[],
  grid: TuningGrid,
  options: Partial<TrainOptions>,
  folds: number,
  seed: number,
  repeats = 1,
): Tuning {
  const trials: TuningTrial[] = [];
  let best: { options: Partial<TrainOptions>; macroF1: number } | undefined;
  for (const features of grid.features) {
    const restricted = docs.map((d) => restrictFeatures(d, features));
    const scores = grid.cnbWeights.map(() => 0);
    // Repeated k-fold (other fold seeds): the mean over repeats is a less noisy basis for a choice.
    for (let r = 0; r < repeats; r++) {
      const fold = stratifiedFolds(labels, folds, seed + r);
      const predicted = grid.cnbWeights.map(() => new Array<string | null>(labels.length).fill(null));
      for (let f = 0; f < folds; f++) {
        const train = restricted.map((_, i) => i).filter((i) => fold[i] !== f);
        if (train.length === 0 || train.length === restricted.length) continue;
        const models = fitTextModels(
          train.map((i) => restricted[i]!),
          train.map((i) => labels[i]!),
          { ...options, features },
          grid.cnbWeights,
        );
        models.forEach((model, m) => {
          const predict = textPredictorFromFeatures(model);
          restricted.forEach((doc, i) => {
            if (fold[i] === f) predicted[m]![i] = predict(doc);
          });
        });
      }
      grid.cnbWeights.forEach((_, m) => {
        scores[m] = scores[m]! + classificationReport(labels, predicted[m]!).macroF1 / repeats;
      });
    }
    grid.cnbWeights.forEach((w, m) => {
      const macroF1 = scores[m]!;
      trials.push({ features, cnbWeight: Number.isFinite(w) ? w : null, macroF1 });
      if (!best || macroF1 > best.macroF1) best = { options: optionsOf(features, w), macroF1 };
    });
  }
  return { options: { ...options, ...best!.options }, trials };
}

export interface TunedModel {
  readonly model: TextModel;
  readonly tuning: Tuning;
}

/**
 * `recur train` with model selection: inner k-fold cross-validation on the examples chooses the
 * features and the logistic regression / Complement NB mix, then the model is fitted on all of them.
 * @example trainTunedTextModel(examples, jiebaSegmenter(), { seed: 42 }).model
 */
export function trainTunedTextModel(
  examples: readonly LabelledText[],
  segmenter: Segmenter,
  options: Partial<TrainOptions> = {},
  grid: TuningGrid = DEFAULT_TUNING_GRID,
  innerFolds = 5,
  innerRepeats = 1,
): TunedModel {
  const widest = widestFeatures(grid.features);
  const docs = examples.map((e) => textFeatures(e.text, segmenter, widest));
  return tunedFit(
    docs,
    examples.map((e) => e.label),
    options,
    grid,
    innerFolds,
    innerRepeats,
  );
}

function tunedFit(
  docs: readonly ReadonlyMap<string, number>[],
  labels: readonly string[],
  options: Partial<TrainOptions>,
  grid: TuningGrid,
  innerFolds: number,
  innerRepeats = 1,
): TunedModel {
  const seed = options.seed ?? DEFAULT_TRAIN_OPTIONS.seed;
  const tuning = tuneTrainOptions(docs, labels, grid, options, innerFolds, seed, innerRepeats);
  const features = tuning.options.features ?? DEFAULT_TRAIN_OPTIONS.features;
  const chosen = tuning.options;
  const mix =
    chosen.algorithm === "cnb"
      ? Number.POSITIVE_INFINITY
      : chosen.algorithm === "ensemble"
        ? (chosen.cnbWeight ?? DEFAULT_TRAIN_OPTIONS.cnbWeight)
        : 0;
  const [model] = fitTextModels(
    docs.map((d) => restrictFeatures(d, features)),
    labels,
    chosen,
    [mix],
  );
  return { model: model!, tuning };
}

export interface CrossValidation {
  readonly folds: number;
  readonly seed: number;
  readonly report: ClassificationReport;
  /** Macro-F1 of each fold's held-out part. */
  readonly foldMacroF1: readonly number[];
  /** With tuning: what the inner cross-validation of each outer fold chose. */
  readonly chosen?: readonly { readonly features: FeatureOptions; readonly cnbWeight: number | null }[];
}

/**
 * k-fold cross-validation of training: each fold is predicted by a model trained on the other
 * k-1 folds only; the report pools the out-of-fold predictions. With `tuning`, each outer
 * fold's model is chosen by inner cross-validation on its own training folds (nested
 * cross-validation: the held-out fold never takes part in a choice).
 */
export function crossValidate(
  examples: readonly LabelledText[],
  segmenter: Segmenter,
  folds: number,
  seed: number,
  options: Partial<TrainOptions> = {},
  tuning?: { readonly grid: TuningGrid; readonly innerFolds: number; readonly innerRepeats?: number },
): CrossValidation {
  const labels = examples.map((e) => e.label);
  const fold = stratifiedFolds(labels, folds, seed);
  const features = tuning
    ? widestFeatures(tuning.grid.features)
    : (options.features ?? DEFAULT_TRAIN_OPTIONS.features);
  // Features of a text depend on that text alone (no statistics of other texts): computed once.
  const docs = examples.map((e) => textFeatures(e.text, segmenter, features));
  const predicted = new Array<string | null>(examples.length).fill(null);
  const foldMacroF1: number[] = [];
  const chosen: { features: FeatureOptions; cnbWeight: number | null }[] = [];
  for (let f = 0; f < folds; f++) {
    const trainIdx = examples.map((_, i) => i).filter((i) => fold[i] !== f);
    const testIdx = examples.map((_, i) => i).filter((i) => fold[i] === f);
    if (testIdx.length === 0 || trainIdx.length === 0) continue;
    let model: TextModel;
    if (tuning) {
      const fitted = tunedFit(
        trainIdx.map((i) => docs[i]!),
        trainIdx.map((i) => labels[i]!),
        options,
        tuning.grid,
        tuning.innerFolds,
        tuning.innerRepeats ?? 1,
      );
      model = fitted.model;
      chosen.push({
        features: fitted.tuning.options.features ?? DEFAULT_TRAIN_OPTIONS.features,
        cnbWeight:
          fitted.tuning.options.algorithm === "cnb"
            ? null
            : fitted.tuning.options.algorithm === "ensemble"
              ? (fitted.tuning.options.cnbWeight ?? DEFAULT_TRAIN_OPTIONS.cnbWeight)
              : 0,
      });
    } else {
      const o = { ...DEFAULT_TRAIN_OPTIONS, ...options };
      const mix =
        o.algorithm === "logreg" ? 0 : o.algorithm === "cnb" ? Number.POSITIVE_INFINITY : o.cnbWeight;
      model = fitTextModels(
        trainIdx.map((i) => docs[i]!),
        trainIdx.map((i) => labels[i]!),
        options,
        [mix],
      )[0]!;
    }
    const predict = textPredictorFromFeatures(model);
    for (const i of testIdx) predicted[i] = predict(restrictFeatures(docs[i]!, model.features));
    foldMacroF1.push(
      classificationReport(
        testIdx.map((i) => labels[i]!),
        testIdx.map((i) => predicted[i] ?? null),
      ).macroF1,
    );
  }
  return {
    folds,
    seed,
    report: classificationReport(labels, predicted),
    foldMacroF1,
    ...(tuning ? { chosen } : {}),
  };
}
