import { z } from "zod";
import { ConfigError, seededRandom } from "../domain/index.ts";
import { DEFAULT_FEATURE_OPTIONS, type FeatureOptions, textFeatures } from "./features.ts";
import type { Segmenter } from "./segmenter.ts";

/**
 * A trainable text classifier learned from a deployment's own labelled history (`recur train`):
 * TF-IDF (sublinear tf, smoothed idf, L2-normalised) over segmenter words and Han character
 * n-grams, then a linear model: multinomial logistic regression (trained by stochastic gradient
 * descent in a seeded order, with L2), NBSVM (Wang & Manning 2012: one-vs-rest linear SVMs on
 * naive-Bayes-scaled features, the default of inner cross-validation), Complement Naive Bayes
 * (Rennie et al. 2003, "Tackling the poor assumptions of naive Bayes text classifiers"), or the
 * sum of NB and one of the first two. Same data and options give the same model, bit for bit.
 * Labels are free strings: "dispute.neighbour", "labour", ...
 */
export const ALGORITHMS = ["logreg", "cnb", "ensemble", "nbsvm"] as const;
export type Algorithm = (typeof ALGORITHMS)[number];
/** The discriminative learner an ensemble adds the Complement NB scores to. */
export const BASE_LEARNERS = ["logreg", "nbsvm"] as const;
export type BaseLearner = (typeof BASE_LEARNERS)[number];

export interface TrainOptions {
  readonly algorithm: Algorithm;
  readonly features: FeatureOptions;
  /** Keep features seen in at least this many training texts. */
  readonly minDf: number;
  /** Keep at most this many features (highest document frequency first). */
  readonly maxFeatures: number;
  /** L2 penalty of logistic regression. */
  readonly l2: number;
  /** Passes over the data of logistic regression's stochastic gradient descent. */
  readonly epochs: number;
  readonly learningRate: number;
  /** Seed of the sample order of SGD. */
  readonly seed: number;
  /** Weigh each class inversely to its frequency (logreg), so rare classes count in macro-F1. */
  readonly balanced: boolean;
  /** Laplace smoothing of Complement NB. */
  readonly alpha: number;
  /** Factor on the lexicon features ("k:") before normalisation: how loud the rules speak. */
  readonly lexiconBoost: number;
  /**
   * Ensemble only: weight of the Complement NB scores (rescaled to unit spread on the training
   * texts) added to the logistic regression's logits. Both are linear in the same features, so
   * the ensemble is again one linear model.
   */
  readonly cnbWeight: number;
  /** Ensemble only: the learner the NB scores are added to. */
  readonly base: BaseLearner;
  /** Cost C of the NBSVM's squared hinge loss (larger = weaker L2 penalty). */
  readonly svmC: number;
  /**
   * Softmax temperature factor of an NBSVM-based model: SVM margins are not log-odds, so they
   * are scaled by a factor fitted on out-of-fold scores (log loss) before the softmax; null =
   * fit it by an internal 3-fold cross-validation on the training texts.
   */
  readonly temperature: number | null;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  algorithm: "logreg",
  features: DEFAULT_FEATURE_OPTIONS,
  minDf: 2,
  maxFeatures: 200_000,
  l2: 1e-4,
  epochs: 50,
  learningRate: 2,
  seed: 1,
  balanced: true,
  alpha: 0.02,
  lexiconBoost: 1,
  cnbWeight: 1,
  base: "logreg",
  svmC: 1,
  temperature: null,
};

export interface LabelledText {
  readonly text: string;
  readonly label: string;
}

/** The stored form of a model (JSON in the store's model table). */
export const TextModelSchema = z.object({
  format: z.literal("recur-text-model"),
  /** 1: logistic regression / CNB / their ensemble; 2 adds NBSVM, word bigrams and `base`. */
  version: z.union([z.literal(1), z.literal(2)]),
  algorithm: z.enum(ALGORITHMS),
  features: z.object({
    words: z.boolean(),
    charNgrams: z.array(z.number().int().min(1).max(5)),
    lexicon: z.boolean(),
    head: z.boolean().optional(),
    wordBigrams: z.boolean().optional(),
  }),
  labels: z.array(z.string()).min(1),
  vocabulary: z.array(z.string()),
  idf: z.array(z.number()),
  /** labels.length rows of vocabulary.length weights, row-major. */
  weights: z.array(z.number()),
  bias: z.array(z.number()),
  lexiconBoost: z.number().min(0),
  /** Ensemble: the weight the Complement NB scores got beside the logistic regression. */
  cnbWeight: z.number().optional(),
  /** Ensemble: the learner the NB scores were added to (absent in version 1: logreg). */
  base: z.enum(BASE_LEARNERS).optional(),
  /** NBSVM: its cost C, and the softmax temperature factor already multiplied into the weights. */
  svmC: z.number().optional(),
  temperature: z.number().optional(),
  trainedOn: z.number().int(),
  /**
   * Latest receivedAt (epoch ms) of the incidents the model learned from, when it learned from
   * the store: the model judges only later incidents (it has memorised the earlier ones' labels).
   */
  trainedUntil: z.number().nullable().optional(),
});
export type TextModel = z.infer<typeof TextModelSchema>;

export interface Prediction {
  readonly label: string;
  /** Softmax probability (logreg) or normalised score (cnb), 0..1. */
  readonly probability: number;
}

export interface SparseVector {
  readonly index: Int32Array;
  readonly value: Float64Array;
}

export function vectorize(
  counts: ReadonlyMap<string, number>,
  vocabulary: Map<string, number>,
  idf: readonly number[] | Float64Array,
  lexiconBoost: number,
): SparseVector {
  const pairs: [number, number][] = [];
  for (const [feature, count] of counts) {
    const i = vocabulary.get(feature);
    if (i === undefined) continue;
    const boost = feature.startsWith("k:") ? lexiconBoost : 1;
    pairs.push([i, (1 + Math.log(count)) * idf[i]! * boost]);
  }
  pairs.sort((a, b) => a[0] - b[0]);
  let norm = 0;
  for (const [, v] of pairs) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  return {
    index: Int32Array.from(pairs, (p) => p[0]),
    value: Float64Array.from(pairs, (p) => p[1] / norm),
  };
}

/**
 * Learns a model from labelled texts.
 * @example
 * const model = trainTextModel([{ text: "拖欠工资", label: "labour" }, ...], jiebaSegmenter());
 * predictText(model, "老板欠薪三个月", segmenter).label // "labour"
 */
export function trainTextModel(
  examples: readonly LabelledText[],
  segmenter: Segmenter,
  options: Partial<TrainOptions> = {},
): TextModel {
  const features = options.features ?? DEFAULT_TRAIN_OPTIONS.features;
  return fitTextModel(
    examples.map((e) => textFeatures(e.text, segmenter, features)),
    examples.map((e) => e.label),
    options,
  );
}

/**
 * Keeps the features of a count map that a narrower feature set would have produced: feature
 * sets can then be compared (inner cross-validation) on one segmentation of the texts.
 * @example restrictFeatures(textFeatures(t, s, { words: true, charNgrams: [1, 2, 3], lexicon: true }), { words: true, charNgrams: [1, 2], lexicon: false })
 */
export function restrictFeatures(
  counts: ReadonlyMap<string, number>,
  options: FeatureOptions,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [f, n] of counts) {
    const kind = f.charCodeAt(0);
    const keep =
      kind === 119 /* w */
        ? options.words
        : kind === 107 /* k */
          ? options.lexicon
          : kind === 104 /* h */ || kind === 72 /* H */
            ? options.head === true
            : kind === 98 /* b */
              ? options.wordBigrams === true
              : options.charNgrams.includes([...f].length - 2);
    if (keep) out.set(f, n);
  }
  return out;
}

/**
 * Learns a model from feature counts already computed with `options.features` (see
 * `textFeatures`), one per example, aligned with `labelsOf`.
 */
export function fitTextModel(
  docs: readonly ReadonlyMap<string, number>[],
  labelsOf: readonly string[],
  options: Partial<TrainOptions> = {},
): TextModel {
  const opts = { ...DEFAULT_TRAIN_OPTIONS, ...options };
  const mix =
    opts.algorithm === "logreg" || opts.algorithm === "nbsvm"
      ? 0
      : opts.algorithm === "cnb"
        ? Number.POSITIVE_INFINITY
        : Math.max(0, opts.cnbWeight);
  if (baseLearnerOf(opts) === "nbsvm" && mix !== Number.POSITIVE_INFINITY && opts.temperature === null) {
    const temperature = fitTemperature(outOfFoldScores(docs, labelsOf, { ...opts, temperature: 1 }, mix, 3));
    return fitTextModels(docs, labelsOf, { ...opts, temperature }, [mix])[0]!;
  }
  return fitTextModels(docs, labelsOf, options, [mix])[0]!;
}

/**
 * Out-of-fold scores of one model kind: the texts dealt to `folds` folds class by class, each
 * fold scored by the model fitted on the others (for calibrating a temperature).
 */
function outOfFoldScores(
  docs: readonly ReadonlyMap<string, number>[],
  labelsOf: readonly string[],
  options: Partial<TrainOptions>,
  mix: number,
  folds: number,
): { scores: Float64Array; labels: readonly string[]; truth: string }[] {
  const order = labelsOf
    .map((_, i) => i)
    .sort((a, b) => (labelsOf[a]! < labelsOf[b]! ? -1 : labelsOf[a]! > labelsOf[b]! ? 1 : a - b));
  const fold = new Array<number>(labelsOf.length);
  order.forEach((i, position) => {
    fold[i] = position % folds;
  });
  const rows: { scores: Float64Array; labels: readonly string[]; truth: string }[] = [];
  for (let f = 0; f < folds; f++) {
    const train = order.filter((i) => fold[i] !== f);
    if (new Set(train.map((i) => labelsOf[i])).size < 2) continue;
    const model = fitTextModels(
      train.map((i) => docs[i]!),
      train.map((i) => labelsOf[i]!),
      options,
      [mix],
    )[0]!;
    const score = textScorerFromFeatures(model);
    for (const i of order)
      if (fold[i] === f) rows.push({ scores: score(docs[i]!), labels: model.labels, truth: labelsOf[i]! });
  }
  return rows;
}

/** The learner `options` train beside (or instead of) Complement NB. */
export const baseLearnerOf = (options: Partial<TrainOptions>): BaseLearner =>
  options.algorithm === "nbsvm"
    ? "nbsvm"
    : options.algorithm === "logreg"
      ? "logreg"
      : (options.base ?? DEFAULT_TRAIN_OPTIONS.base);

/**
 * The softmax temperature factor that minimises the log loss of out-of-fold scores (golden
 * section search on its logarithm, factors 0.05..100): calibration of an SVM's margins.
 * Each row is the scores of one text for `labels`, and `truth` its true label.
 */
export function fitTemperature(
  rows: readonly {
    readonly scores: ArrayLike<number>;
    readonly labels: readonly string[];
    readonly truth: string;
  }[],
): number {
  const usable = rows
    .map((r) => ({ scores: r.scores, truthIndex: r.labels.indexOf(r.truth) }))
    .filter((r) => r.truthIndex >= 0);
  if (usable.length === 0) return 1;
  const loss = (logT: number): number => {
    const t = Math.exp(logT);
    let sum = 0;
    for (const { scores, truthIndex } of usable) {
      let max = -Infinity;
      for (let c = 0; c < scores.length; c++) max = Math.max(max, t * scores[c]!);
      let z = 0;
      for (let c = 0; c < scores.length; c++) z += Math.exp(t * scores[c]! - max);
      sum += max + Math.log(z) - t * scores[truthIndex]!;
    }
    return sum;
  };
  let lo = Math.log(0.05);
  let hi = Math.log(100);
  const phi = (Math.sqrt(5) - 1) / 2;
  let a = hi - phi * (hi - lo);
  let b = lo + phi * (hi - lo);
  let fa = loss(a);
  let fb = loss(b);
  for (let i = 0; i < 40; i++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - phi * (hi - lo);
      fa = loss(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + phi * (hi - lo);
      fb = loss(b);
    }
  }
  return Math.exp((lo + hi) / 2);
}

/**
 * One model per mixing weight from one logistic regression and one Complement NB fitted on the
 * same features: weight 0 is the logistic regression alone, Infinity the NB alone, anything
 * between their sum (`cnbWeight`). Inner cross-validation compares the weights at the cost of
 * one fit of each.
 */
export function fitTextModels(
  docs: readonly ReadonlyMap<string, number>[],
  labelsOf: readonly string[],
  options: Partial<TrainOptions>,
  cnbWeights: readonly number[],
): TextModel[] {
  const opts = { ...DEFAULT_TRAIN_OPTIONS, ...options };
  if (docs.length === 0)
    throw new ConfigError("train_empty", {
      zh: "没有可用于训练的已标注数据",
      en: "No labelled data to train on",
    });
  const labels = [...new Set(labelsOf)].sort();
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const df = new Map<string, number>();
  for (const doc of docs) for (const f of doc.keys()) df.set(f, (df.get(f) ?? 0) + 1);
  const vocabulary = [...df]
    .filter(([, n]) => n >= opts.minDf)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, opts.maxFeatures)
    .map(([f]) => f)
    .sort();
  const vocabIndex = new Map(vocabulary.map((f, i) => [f, i]));
  const n = docs.length;
  const idf = vocabulary.map((f) => Math.log((1 + n) / (1 + (df.get(f) ?? 0))) + 1);
  const vectors = docs.map((d) => vectorize(d, vocabIndex, idf, opts.lexiconBoost));
  const y = labelsOf.map((l) => labelIndex.get(l)!);
  const k = labels.length;
  const d = vocabulary.length;
  const baseLearner = baseLearnerOf(options);
  const needBase = cnbWeights.some((w) => Number.isFinite(w));
  const lr = !needBase
    ? null
    : baseLearner === "nbsvm"
      ? linearSvm(vectors, y, k, d, opts.svmC, opts.balanced, true, opts.seed)
      : logisticRegression(vectors, y, k, d, opts);
  const cnb = cnbWeights.some((w) => w > 0) ? complementNaiveBayes(vectors, y, k, d, opts.alpha) : null;
  // Rescale the NB scores to unit spread around each text's mean on the training texts, so that
  // a mixing weight means the same whatever the vocabulary size.
  let spread = 1;
  if (cnb) {
    let sum = 0;
    const row = new Float64Array(k);
    for (const v of vectors) {
      let mean = 0;
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < v.index.length; j++) s += cnb[c * d + v.index[j]!]! * v.value[j]!;
        row[c] = s;
        mean += s / k;
      }
      for (let c = 0; c < k; c++) sum += (row[c]! - mean) ** 2;
    }
    spread = Math.sqrt(sum / Math.max(1, n * k)) || 1;
  }
  return cnbWeights.map((mix) => {
    let weights: Float64Array;
    let bias: Float64Array;
    let algorithm: Algorithm;
    if (!Number.isFinite(mix)) {
      weights = cnb!;
      bias = new Float64Array(k);
      algorithm = "cnb";
    } else if (mix <= 0 || !cnb) {
      weights = lr!.weights;
      bias = lr!.bias;
      algorithm = baseLearner;
    } else {
      const factor = mix / spread;
      weights = Float64Array.from(lr!.weights, (w, i) => w + factor * cnb[i]!);
      bias = lr!.bias;
      algorithm = "ensemble";
    }
    const svm = baseLearner === "nbsvm" && algorithm !== "cnb";
    // A fixed temperature multiplies the whole linear model: the argmax stays, the softmax is calibrated.
    const temperature = svm && opts.temperature !== null ? opts.temperature : 1;
    if (temperature !== 1) {
      weights = Float64Array.from(weights, (w) => w * temperature);
      bias = Float64Array.from(bias, (b) => b * temperature);
    }
    return {
      format: "recur-text-model" as const,
      version: 2 as const,
      algorithm,
      features: { ...opts.features, charNgrams: [...opts.features.charNgrams] },
      labels,
      vocabulary,
      idf,
      weights: Array.from(weights),
      bias: Array.from(bias),
      lexiconBoost: opts.lexiconBoost,
      ...(algorithm === "ensemble" ? { cnbWeight: mix, base: baseLearner } : {}),
      ...(svm ? { svmC: opts.svmC, temperature } : {}),
      trainedOn: n,
    };
  });
}

/**
 * One-vs-rest linear SVM with the squared hinge loss and L2 penalty, solved in the dual by
 * coordinate descent (Hsieh et al. 2008, the LIBLINEAR solver), samples in a seeded order.
 * With `ratio`, each class's problem sees its features scaled by the class's naive Bayes
 * log-count ratio (NBSVM, Wang & Manning 2012); the returned weights are then multiplied back
 * by the ratio, so the model stays linear in the unscaled features.
 */
export function linearSvm(
  vectors: readonly SparseVector[],
  y: readonly number[],
  k: number,
  d: number,
  c: number,
  balanced: boolean,
  ratio: boolean,
  seed: number,
): { weights: Float64Array; bias: Float64Array } {
  const n = vectors.length;
  const weights = new Float64Array(k * d);
  const bias = new Float64Array(k);
  const counts = new Float64Array(k);
  for (const label of y) counts[label]!++;
  const rng = seededRandom(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  const alpha = new Float64Array(n);
  const w = new Float64Array(d);
  const r = new Float64Array(d);
  const scaled = vectors.map((v) => new Float64Array(v.value.length));
  const sqNorm = new Float64Array(n);
  for (let cls = 0; cls < k; cls++) {
    if (ratio) {
      // Log-count ratio from binary occurrence with add-one smoothing (Wang & Manning 2012).
      const p = new Float64Array(d).fill(1);
      const q = new Float64Array(d).fill(1);
      vectors.forEach((v, i) => {
        const target = y[i] === cls ? p : q;
        for (let j = 0; j < v.index.length; j++) target[v.index[j]!]!++;
      });
      let ps = 0;
      let qs = 0;
      for (let j = 0; j < d; j++) {
        ps += p[j]!;
        qs += q[j]!;
      }
      for (let j = 0; j < d; j++) r[j] = Math.abs(Math.log(p[j]! / ps / (q[j]! / qs)));
    } else r.fill(1);
    vectors.forEach((v, i) => {
      const out = scaled[i]!;
      let s = 1; // the bias feature
      for (let j = 0; j < v.index.length; j++) {
        out[j] = v.value[j]! * r[v.index[j]!]!;
        s += out[j]! * out[j]!;
      }
      sqNorm[i] = s;
    });
    alpha.fill(0);
    w.fill(0);
    let b = 0;
    const cost = (i: number) => (balanced ? (c * n) / (k * counts[y[i]!]!) : c);
    for (let iter = 0; iter < 1000; iter++) {
      for (let i = n - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      let maxPg = -Infinity;
      let minPg = Infinity;
      for (const i of order) {
        const v = vectors[i]!;
        const xs = scaled[i]!;
        const yi = y[i] === cls ? 1 : -1;
        const diag = 0.5 / cost(i);
        let dot = b;
        for (let j = 0; j < v.index.length; j++) dot += w[v.index[j]!]! * xs[j]!;
        const g = yi * dot - 1 + diag * alpha[i]!;
        const pg = alpha[i] === 0 ? Math.min(g, 0) : g;
        if (pg > maxPg) maxPg = pg;
        if (pg < minPg) minPg = pg;
        if (Math.abs(pg) < 1e-12) continue;
        const old = alpha[i]!;
        alpha[i] = Math.max(old - g / (sqNorm[i]! + diag), 0);
        const delta = (alpha[i]! - old) * yi;
        if (delta === 0) continue;
        for (let j = 0; j < v.index.length; j++) w[v.index[j]!] = w[v.index[j]!]! + delta * xs[j]!;
        b += delta;
      }
      if (maxPg - minPg < 1e-3) break;
    }
    for (let j = 0; j < d; j++) weights[cls * d + j] = w[j]! * r[j]!;
    bias[cls] = b;
  }
  return { weights, bias };
}

/** Complement NB (Rennie et al. 2003): weights from the feature mass of all *other* classes, normalised. */
function complementNaiveBayes(
  vectors: readonly SparseVector[],
  y: readonly number[],
  k: number,
  d: number,
  alpha: number,
): Float64Array {
  const weights = new Float64Array(k * d);
  const classMass = new Float64Array(k * d);
  const total = new Float64Array(d);
  vectors.forEach((v, doc) => {
    const c = y[doc]!;
    for (let j = 0; j < v.index.length; j++) {
      classMass[c * d + v.index[j]!]! += v.value[j]!;
      total[v.index[j]!]! += v.value[j]!;
    }
  });
  let grand = 0;
  for (let j = 0; j < d; j++) grand += total[j]!;
  for (let c = 0; c < k; c++) {
    let classSum = 0;
    for (let j = 0; j < d; j++) classSum += classMass[c * d + j]!;
    const denominator = grand - classSum + alpha * d;
    let norm = 0;
    for (let j = 0; j < d; j++) {
      const w = Math.log((total[j]! - classMass[c * d + j]! + alpha) / denominator);
      weights[c * d + j] = w;
      norm += Math.abs(w);
    }
    // Negate so that a higher score means the class is more likely.
    for (let j = 0; j < d; j++) weights[c * d + j] = -weights[c * d + j]! / (norm || 1);
  }
  return weights;
}

/**
 * Multinomial logistic regression by stochastic gradient descent, samples in a seeded order per
 * epoch; L2 by the scaling trick (actual weights = scale * stored weights) so each step only
 * touches the sample's features.
 */
function logisticRegression(
  vectors: readonly SparseVector[],
  y: readonly number[],
  k: number,
  d: number,
  opts: TrainOptions,
): { weights: Float64Array; bias: Float64Array } {
  const n = vectors.length;
  const weights = new Float64Array(k * d);
  const bias = new Float64Array(k);
  const rng = seededRandom(opts.seed);
  const order = Array.from({ length: n }, (_, i) => i);
  const scores = new Float64Array(k);
  const classWeight = new Float64Array(k).fill(1);
  if (opts.balanced) {
    const counts = new Float64Array(k);
    for (const c of y) counts[c]!++;
    for (let c = 0; c < k; c++) classWeight[c] = n / (k * counts[c]!);
  }
  let scale = 1;
  let t = 0;
  const averageFrom = Math.floor(opts.epochs / 2);
  const averaged = new Float64Array(k * d);
  const averagedBias = new Float64Array(k);
  let snapshots = 0;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const doc of order) {
      const rate = opts.learningRate / (1 + opts.learningRate * opts.l2 * t);
      t++;
      const v = vectors[doc]!;
      softmaxScaled(v, weights, bias, k, d, scale, scores);
      scores[y[doc]!]! -= 1;
      const sampleWeight = classWeight[y[doc]!]!;
      scale *= 1 - rate * opts.l2;
      if (scale < 1e-9) {
        for (let w = 0; w < weights.length; w++) weights[w] = weights[w]! * scale;
        scale = 1;
      }
      for (let c = 0; c < k; c++) {
        const g = scores[c]! * sampleWeight;
        if (g === 0) continue;
        bias[c] = bias[c]! - rate * g;
        const row = c * d;
        const step = (rate * g) / scale;
        for (let j = 0; j < v.index.length; j++)
          weights[row + v.index[j]!] = weights[row + v.index[j]!]! - step * v.value[j]!;
      }
    }
    // Average the epoch-end weights of the second half (Polyak averaging): less dependence
    // on the sample order, usually better held-out accuracy than the last iterate.
    if (epoch >= averageFrom) {
      for (let w = 0; w < weights.length; w++) averaged[w] = averaged[w]! + weights[w]! * scale;
      for (let c = 0; c < k; c++) averagedBias[c] = averagedBias[c]! + bias[c]!;
      snapshots++;
    }
  }
  if (snapshots > 0) {
    for (let w = 0; w < weights.length; w++) weights[w] = averaged[w]! / snapshots;
    for (let c = 0; c < k; c++) bias[c] = averagedBias[c]! / snapshots;
  } else for (let w = 0; w < weights.length; w++) weights[w] = weights[w]! * scale;
  return { weights, bias };
}

function softmaxScaled(
  v: SparseVector,
  weights: Float64Array,
  bias: Float64Array,
  k: number,
  d: number,
  scale: number,
  out: Float64Array,
): void {
  let max = -Infinity;
  for (let c = 0; c < k; c++) {
    let s = 0;
    const row = c * d;
    for (let j = 0; j < v.index.length; j++) s += weights[row + v.index[j]!]! * v.value[j]!;
    out[c] = s * scale + bias[c]!;
    if (out[c]! > max) max = out[c]!;
  }
  let sum = 0;
  for (let c = 0; c < k; c++) {
    out[c] = Math.exp(out[c]! - max);
    sum += out[c]!;
  }
  for (let c = 0; c < k; c++) out[c] = out[c]! / sum;
}

function softmaxScores(
  v: SparseVector,
  weights: Float64Array | readonly number[],
  bias: Float64Array | readonly number[],
  k: number,
  d: number,
  out: Float64Array,
): void {
  let max = -Infinity;
  for (let c = 0; c < k; c++) {
    let s = bias[c]!;
    const row = c * d;
    for (let j = 0; j < v.index.length; j++) s += weights[row + v.index[j]!]! * v.value[j]!;
    out[c] = s;
    if (s > max) max = s;
  }
  let sum = 0;
  for (let c = 0; c < k; c++) {
    out[c] = Math.exp(out[c]! - max);
    sum += out[c]!;
  }
  for (let c = 0; c < k; c++) out[c] = out[c]! / sum;
}

/** A model ready to predict: vocabulary as a map and weights as typed arrays. */
export interface TextPredictor {
  readonly labels: readonly string[];
  predict(text: string): Prediction;
  /** The probability of every label (aligned with `labels`), e.g. for top-3 suggestions. */
  distribution(text: string): Float64Array;
}

/**
 * Prepares a stored model for fast prediction.
 * @example textPredictor(model, segmenter).predict("楼上装修太吵").label
 */
export function textPredictor(model: TextModel, segmenter: Segmenter): TextPredictor {
  const vocabulary = new Map(model.vocabulary.map((f, i) => [f, i]));
  const idf = Float64Array.from(model.idf);
  const weights = Float64Array.from(model.weights);
  const bias = Float64Array.from(model.bias);
  const k = model.labels.length;
  const d = model.vocabulary.length;
  const scores = new Float64Array(k);
  const features: FeatureOptions = model.features;
  const distribution = (text: string): Float64Array => {
    const v = vectorize(textFeatures(text, segmenter, features), vocabulary, idf, model.lexiconBoost);
    softmaxScores(v, weights, bias, k, d, scores);
    return scores;
  };
  return {
    labels: model.labels,
    distribution: (text) => Float64Array.from(distribution(text)),
    predict(text) {
      distribution(text);
      let best = 0;
      for (let c = 1; c < k; c++) if (scores[c]! > scores[best]!) best = c;
      return { label: model.labels[best]!, probability: scores[best]! };
    },
  };
}

/** Parses a stored model (JSON text or object), with a bilingual error when it is not one. */
export function parseTextModel(input: unknown): TextModel {
  const value = typeof input === "string" ? (JSON.parse(input) as unknown) : input;
  const parsed = TextModelSchema.safeParse(value);
  if (!parsed.success)
    throw new ConfigError("bad_model", {
      zh: `模型格式无效: ${parsed.error.issues[0]?.message ?? ""}`,
      en: `Not a valid recur text model: ${parsed.error.issues[0]?.message ?? ""}`,
    });
  const m = parsed.data;
  if (m.idf.length !== m.vocabulary.length || m.weights.length !== m.labels.length * m.vocabulary.length)
    throw new ConfigError("bad_model", { zh: "模型维度不一致", en: "Model dimensions do not match" });
  return m;
}

/** The raw linear scores (logits) of every label from feature counts (evaluation helper). */
export function textScorerFromFeatures(
  model: TextModel,
): (counts: ReadonlyMap<string, number>) => Float64Array {
  const vocabulary = new Map(model.vocabulary.map((f, i) => [f, i]));
  const idf = Float64Array.from(model.idf);
  const weights = Float64Array.from(model.weights);
  const k = model.labels.length;
  const d = model.vocabulary.length;
  return (counts) => {
    const v = vectorize(counts, vocabulary, idf, model.lexiconBoost);
    const out = Float64Array.from(model.bias);
    for (let c = 0; c < k; c++)
      for (let j = 0; j < v.index.length; j++) out[c] = out[c]! + weights[c * d + v.index[j]!]! * v.value[j]!;
    return out;
  };
}

/** Prediction from feature counts computed with the model's feature options (evaluation helper). */
export function textPredictorFromFeatures(model: TextModel): (counts: ReadonlyMap<string, number>) => string {
  const vocabulary = new Map(model.vocabulary.map((f, i) => [f, i]));
  const idf = Float64Array.from(model.idf);
  const weights = Float64Array.from(model.weights);
  const bias = Float64Array.from(model.bias);
  const k = model.labels.length;
  const d = model.vocabulary.length;
  const scores = new Float64Array(k);
  return (counts) => {
    softmaxScores(vectorize(counts, vocabulary, idf, model.lexiconBoost), weights, bias, k, d, scores);
    let best = 0;
    for (let c = 1; c < k; c++) if (scores[c]! > scores[best]!) best = c;
    return model.labels[best]!;
  };
}
