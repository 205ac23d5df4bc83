import { type Category, type Department, isCategory } from "../domain/index.ts";
import type { RuleClassifier } from "../text/classify.ts";
import type { TextPredictor } from "../text/model.ts";
import type { QualityConfig } from "./config.ts";

/**
 * What the narrative says the incident is, and whether that is sure enough to contradict the
 * recorded labels. Two sources: the keyword rules (default) and a model trained by
 * `recur train` on the deployment's own history.
 */
export interface Verdict<T> {
  readonly value: T | null;
  /** Sure enough to flag a recorded label that differs. */
  readonly confident: boolean;
  /** For a category verdict: sure of the subtype too. */
  readonly subtypeConfident?: boolean;
  /** Why, for the reviewer: matched keywords or "model p=0.97". */
  readonly evidence: string;
}

export interface NarrativeJudge {
  category(text: string): Verdict<{ readonly category: Category; readonly subtype: string | null }>;
  department(text: string): Verdict<Department>;
}

/**
 * The default judge: keyword rules, confident when the winning category gathers at least
 * `minScore` weight and `minConfidence` of all matched weight.
 */
export function ruleJudge(rules: RuleClassifier, config: QualityConfig): NarrativeJudge {
  const { minScore, minConfidence } = config.classification;
  return {
    category(text) {
      const c = rules.classify(text);
      if (c.category === null) return { value: null, confident: false, evidence: "" };
      return {
        value: { category: c.category, subtype: c.subtype },
        confident: c.score >= minScore && c.confidence >= minConfidence,
        // The subtype is a finer call: it must carry the category's weight almost alone.
        subtypeConfident: c.score >= minScore && c.confidence >= minConfidence && c.subtypeShare >= 0.8,
        evidence: c.evidence.join("、"),
      };
    },
    department(text) {
      const d = rules.department(text);
      return {
        value: d.department,
        confident: d.score >= minScore && d.confidence >= minConfidence,
        evidence: d.evidence.join("、"),
      };
    },
  };
}

interface SplitLabels {
  readonly categories: readonly string[];
  /** Index into `categories` of each label. */
  readonly categoryOf: Int32Array;
  readonly subtypes: readonly (string | null)[];
}

const splits = new WeakMap<TextPredictor, SplitLabels>();

/** "category.subtype" labels split once per model. */
function splitLabels(model: TextPredictor): SplitLabels {
  let split = splits.get(model);
  if (!split) {
    const categories: string[] = [];
    const categoryOf = new Int32Array(model.labels.length);
    const subtypes = model.labels.map((label, i) => {
      const [c = "", st] = label.split(".");
      let ci = categories.indexOf(c);
      if (ci < 0) ci = categories.push(c) - 1;
      categoryOf[i] = ci;
      return st ?? null;
    });
    split = { categories, categoryOf, subtypes };
    splits.set(model, split);
  }
  return split;
}

/**
 * A judge backed by trained models (labels "category.subtype" and department codes); falls back
 * to the rules for what no model covers.
 */
export function modelJudge(
  models: { readonly category?: TextPredictor; readonly department?: TextPredictor },
  fallback: NarrativeJudge,
  config: QualityConfig,
): NarrativeJudge {
  const { minProbability } = config.classification;
  return {
    category(text) {
      const model = models.category;
      if (!model) return fallback.category(text);
      const split = splitLabels(model);
      // Labels are "category.subtype": the category's probability is the sum over its subtypes.
      const dist = model.distribution(text);
      const byCategory = new Float64Array(split.categories.length);
      for (let i = 0; i < dist.length; i++) byCategory[split.categoryOf[i]!]! += dist[i]!;
      let best = 0;
      for (let c = 1; c < byCategory.length; c++) if (byCategory[c]! > byCategory[best]!) best = c;
      const category = split.categories[best]!;
      const pCategory = byCategory[best]!;
      if (!isCategory(category)) return fallback.category(text);
      // The best subtype within the winning category.
      let subtypeIndex = -1;
      for (let i = 0; i < dist.length; i++)
        if (split.categoryOf[i] === best && (subtypeIndex < 0 || dist[i]! > dist[subtypeIndex]!))
          subtypeIndex = i;
      const pSubtype = subtypeIndex < 0 ? 0 : dist[subtypeIndex]!;
      return {
        value: { category, subtype: subtypeIndex < 0 ? null : split.subtypes[subtypeIndex]! },
        confident: pCategory >= minProbability,
        subtypeConfident: pSubtype >= minProbability,
        evidence: `p=${pCategory.toFixed(2)}`,
      };
    },
    department(text) {
      if (!models.department) return fallback.department(text);
      const p = models.department.predict(text);
      return {
        value: p.label as Department,
        confident: p.probability >= minProbability,
        evidence: `p=${p.probability.toFixed(2)}`,
      };
    },
  };
}
