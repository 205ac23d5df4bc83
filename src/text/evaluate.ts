import { seededRandom } from "../domain/index.ts";
import { type FeatureOptions, textFeatures } from "./features.ts";
import {
  type BaseLearner,
  DEFAULT_TRAIN_OPTIONS,
  fitTemperature,
  fitTextModels,
  type LabelledText,
  restrictFeatures,
  type TextModel,
  type TrainOptions,
  textPredictorFromFeatures,
  textScorerFromFeatures,
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

/** A discriminative learner of the grid: logistic regression, or NBSVM with its cost C. */
export interface LearnerChoice {
  readonly base: BaseLearner;
  readonly svmC?: number;
}

/**
 * What inner cross-validation may choose between: feature sets, learners, and the weight of
 * Complement NB beside each learner (0 = the learner alone, Infinity = NB alone, tried once).
 */
export interface TuningGrid {
  readonly features: readonly FeatureOptions[];
  readonly cnbWeights: readonly number[];
  /** Default: logistic regression only (the grid before NBSVM). */
  readonly learners?: readonly LearnerChoice[];
}

/**
 * The default grid of `recur train`: NBSVM (Wang & Manning 2012: strong on short texts, and
 * cheaper to fit than the SGD logistic regression) at two costs, alone or with Complement NB
 * added, and Complement NB alone, over two feature sets that both give the opening sentence (a
 * message's title) its own namespace. Not tuned on any held-out data (docs/quality.md).
 */
export const DEFAULT_TUNING_GRID: TuningGrid = {
  features: [
    { words: true, charNgrams: [1, 2], lexicon: true, head: true },
    { words: true, charNgrams: [1, 2, 3], lexicon: true, head: true },
  ],
  learners: [
    { base: "nbsvm", svmC: 1 },
    { base: "nbsvm", svmC: 3 },
  ],
  cnbWeights: [0, 1, Number.POSITIVE_INFINITY],
};

/** The grid of recur 0.x before NBSVM: logistic regression with or without Complement NB. */
export const LOGREG_TUNING_GRID: TuningGrid = {
  features: DEFAULT_TUNING_GRID.features,
  learners: [{ base: "logreg" }],
  cnbWeights: [0, 0.5, 1, 2, Number.POSITIVE_INFINITY],
};

export interface TuningTrial {
  readonly features: FeatureOptions;
  /** The learner beside NB; null with NB alone. */
  readonly learner: LearnerChoice | null;
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
export function widestFeatures(sets: readonly FeatureOptions[]): FeatureOptions {
  const head = sets.some((f) => f.head === true);
  const wordBigrams = sets.some((f) => f.wordBigrams === true);
  return {
    words: sets.some((f) => f.words),
    charNgrams: [...new Set(sets.flatMap((f) => [...f.charNgrams]))].sort((a, b) => a - b),
    lexicon: sets.some((f) => f.lexicon),
    ...(head ? { head } : {}),
    ...(wordBigrams ? { wordBigrams } : {}),
  };
}

const learnerOptions = (learner: LearnerChoice): Partial<TrainOptions> =>
  learner.svmC === undefined ? { base: learner.base } : { base: learner.base, svmC: learner.svmC };

const optionsOf = (
  features: FeatureOptions,
  learner: LearnerChoice,
  cnbWeight: number,
): Partial<TrainOptions> =>
  cnbWeight === 0
    ? { features, ...learnerOptions(learner), algorithm: learner.base }
    : Number.isFinite(cnbWeight)
      ? { features, ...learnerOptions(learner), algorithm: "ensemble", cnbWeight }
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
  let best: { options: Partial<TrainOptions>; macroF1: number; scores: ScoreRow[] } | undefined;
  const learners = grid.learners ?? [{ base: "logreg" as const }];
  for (const features of grid.features) {
    const restricted = docs.map((d) => restrictFeatures(d, features));
    // NB alone does not depend on the learner: tried with the first one only.
    const candidates = learners.flatMap((learner, l) =>
      grid.cnbWeights.filter((w) => l === 0 || Number.isFinite(w)).map((w) => ({ learner, w })),
    );
    const scores = candidates.map(() => 0);
    // Out-of-fold scores of the NBSVM candidates, for the chosen one's temperature.
    const rows = candidates.map((): ScoreRow[] => []);
    // Repeated k-fold (other fold seeds): the mean over repeats is a less noisy basis for a choice.
    for (let r = 0; r < repeats; r++) {
      const fold = stratifiedFolds(labels, folds, seed + r);
      const predicted = candidates.map(() => new Array<string | null>(labels.length).fill(null));
      for (let f = 0; f < folds; f++) {
        const train = restricted.map((_, i) => i).filter((i) => fold[i] !== f);
        if (train.length === 0 || train.length === restricted.length) continue;
        for (const [l, learner] of learners.entries()) {
          const weights = grid.cnbWeights.filter((w) => l === 0 || Number.isFinite(w));
          const models = fitTextModels(
            train.map((i) => restricted[i]!),
            train.map((i) => labels[i]!),
            { ...options, features, ...learnerOptions(learner), algorithm: learner.base, temperature: 1 },
            weights,
          );
          models.forEach((model, m) => {
            const index = candidates.findIndex((c) => c.learner === learner && c.w === weights[m]);
            const score = textScorerFromFeatures(model);
            const keep = learner.base === "nbsvm" && Number.isFinite(weights[m]!);
            restricted.forEach((doc, i) => {
              if (fold[i] !== f) return;
              const s = score(doc);
              let top = 0;
              for (let c = 1; c < s.length; c++) if (s[c]! > s[top]!) top = c;
              predicted[index]![i] = model.labels[top]!;
              if (keep) rows[index]!.push({ scores: s, labels: model.labels, truth: labels[i]! });
            });
          });
        }
      }
      candidates.forEach((_, m) => {
        scores[m] = scores[m]! + classificationReport(labels, predicted[m]!).macroF1 / repeats;
      });
    }
    candidates.forEach(({ learner, w }, m) => {
      const macroF1 = scores[m]!;
      const nbAlone = !Number.isFinite(w);
      trials.push({ features, learner: nbAlone ? null : learner, cnbWeight: nbAlone ? null : w, macroF1 });
      if (!best || macroF1 > best.macroF1)
        best = { options: optionsOf(features, learner, w), macroF1, scores: rows[m]! };
    });
  }
  const chosen = best!;
  // An SVM's margins are not log-odds: the softmax temperature is fitted on the winner's inner
  // out-of-fold scores, so the stored model's probabilities are calibrated without another fit.
  const temperature = chosen.scores.length > 0 ? { temperature: fitTemperature(chosen.scores) } : {};
  return { options: { ...options, ...chosen.options, ...temperature }, trials };
}

interface ScoreRow {
  readonly scores: Float64Array;
  readonly labels: readonly string[];
  readonly truth: string;
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
  const mix = mixOf(chosen);
  const [model] = fitTextModels(
    docs.map((d) => restrictFeatures(d, features)),
    labels,
    chosen,
    [mix],
  );
  return { model: model!, tuning };
}

/** The Complement NB weight of options: 0 = the learner alone, Infinity = NB alone. */
const mixOf = (o: Partial<TrainOptions>): number =>
  o.algorithm === "cnb"
    ? Number.POSITIVE_INFINITY
    : o.algorithm === "ensemble"
      ? (o.cnbWeight ?? DEFAULT_TRAIN_OPTIONS.cnbWeight)
      : 0;

/** What an inner cross-validation chose, in a form for reports. */
export interface Choice {
  readonly features: FeatureOptions;
  /** null with NB alone. */
  readonly learner: LearnerChoice | null;
  readonly cnbWeight: number | null;
}

const choiceOf = (o: Partial<TrainOptions>): Choice => {
  const mix = mixOf(o);
  const base = o.algorithm === "nbsvm" || o.algorithm === "logreg" ? o.algorithm : (o.base ?? "logreg");
  return {
    features: o.features ?? DEFAULT_TRAIN_OPTIONS.features,
    learner: !Number.isFinite(mix)
      ? null
      : base === "nbsvm"
        ? { base, svmC: o.svmC ?? DEFAULT_TRAIN_OPTIONS.svmC }
        : { base },
    cnbWeight: Number.isFinite(mix) ? mix : null,
  };
};

export interface CrossValidation {
  readonly folds: number;
  readonly seed: number;
  readonly report: ClassificationReport;
  /** Macro-F1 of each fold's held-out part. */
  readonly foldMacroF1: readonly number[];
  /** With tuning: what the inner cross-validation of each outer fold chose. */
  readonly chosen?: readonly Choice[];
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
  const chosen: Choice[] = [];
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
      chosen.push(choiceOf(fitted.tuning.options));
    } else {
      // Argmax only: no temperature needed for held-out predictions.
      model = fitTextModels(
        trainIdx.map((i) => docs[i]!),
        trainIdx.map((i) => labels[i]!),
        { ...options, temperature: options.temperature ?? 1 },
        [mixOf({ ...DEFAULT_TRAIN_OPTIONS, ...options })],
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
