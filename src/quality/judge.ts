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
      if (!models.category) return fallback.category(text);
      const p = models.category.predict(text);
      const [category, subtype] = p.label.split(".");
      if (!category || !isCategory(category)) return fallback.category(text);
      return {
        value: { category, subtype: subtype ?? null },
        confident: p.probability >= minProbability,
        subtypeConfident: p.probability >= minProbability,
        evidence: `p=${p.probability.toFixed(2)}`,
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
