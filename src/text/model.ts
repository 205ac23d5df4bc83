import { z } from "zod";
import { ConfigError, seededRandom } from "../domain/index.ts";
import { DEFAULT_FEATURE_OPTIONS, type FeatureOptions, textFeatures } from "./features.ts";
import type { Segmenter } from "./segmenter.ts";

/**
 * A trainable text classifier learned from a deployment's own labelled history (`recur train`):
 * TF-IDF (sublinear tf, smoothed idf, L2-normalised) over segmenter words and Han character
 * n-grams, then a linear model, either multinomial logistic regression (default, trained by
 * stochastic gradient descent in a seeded order, with L2) or Complement Naive Bayes (Rennie et al.
 * 2003, "Tackling the poor assumptions of naive Bayes text classifiers"). Same data and options
 * give the same model, bit for bit. Labels are free strings: "dispute.neighbour", "labour", ...
 */
export const ALGORITHMS = ["logreg", "cnb", "ensemble"] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

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
};

export interface LabelledText {
  readonly text: string;
  readonly label: string;
}

/** The stored form of a model (JSON in the store's model table). */
export const TextModelSchema = z.object({
  format: z.literal("recur-text-model"),
  version: z.literal(1),
  algorithm: z.enum(ALGORITHMS),
  features: z.object({
    words: z.boolean(),
    charNgrams: z.array(z.number().int().min(1).max(5)),
    lexicon: z.boolean(),
    head: z.boolean().optional(),
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

interface SparseVector {
  readonly index: Int32Array;
  readonly value: Float64Array;
}

function vectorize(
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
    opts.algorithm === "logreg"
      ? 0
      : opts.algorithm === "cnb"
        ? Number.POSITIVE_INFINITY
        : Math.max(0, opts.cnbWeight);
  return fitTextModels(docs, labelsOf, options, [mix])[0]!;
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
  const lr = cnbWeights.some((w) => Number.isFinite(w)) ? logisticRegression(vectors, y, k, d, opts) : null;
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
      algorithm = "logreg";
    } else {
      const factor = mix / spread;
      weights = Float64Array.from(lr!.weights, (w, i) => w + factor * cnb[i]!);
      bias = lr!.bias;
      algorithm = "ensemble";
    }
    return {
      format: "recur-text-model" as const,
      version: 1 as const,
      algorithm,
      features: { ...opts.features, charNgrams: [...opts.features.charNgrams] },
      labels,
      vocabulary,
      idf,
      weights: Array.from(weights),
      bias: Array.from(bias),
      lexiconBoost: opts.lexiconBoost,
      ...(algorithm === "ensemble" ? { cnbWeight: mix } : {}),
      trainedOn: n,
    };
  });
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
