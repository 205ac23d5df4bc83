import { expect, test } from "vitest";
import { ruleClassifier } from "../text/classify.ts";
import type { TextPredictor } from "../text/model.ts";
import { DEFAULT_QUALITY_CONFIG } from "./config.ts";
import { modelJudge, ruleJudge } from "./judge.ts";

/** A stand-in model with a fixed distribution over category.subtype labels. */
function fixedModel(labels: string[], dist: number[]): TextPredictor {
  return {
    labels,
    distribution: () => Float64Array.from(dist),
    predict: () => {
      const i = dist.indexOf(Math.max(...dist));
      return { label: labels[i]!, probability: dist[i]! };
    },
  };
}

const rules = ruleJudge(ruleClassifier(), DEFAULT_QUALITY_CONFIG);

test("a model is sure of a category when its subtypes together pass the threshold", () => {
  const model = fixedModel(["traffic.accident", "traffic.hit_and_run", "criminal.theft"], [0.4, 0.35, 0.25]);
  const verdict = modelJudge({ category: model }, rules, DEFAULT_QUALITY_CONFIG).category("任意文本");
  expect(verdict.value).toEqual({ category: "traffic", subtype: "accident" });
  expect(verdict.confident).toBe(true);
  expect(verdict.subtypeConfident).toBe(false);
});

test("an unsure model flags nothing, and without a model the rules decide", () => {
  const model = fixedModel(["traffic.accident", "criminal.theft"], [0.52, 0.48]);
  expect(modelJudge({ category: model }, rules, DEFAULT_QUALITY_CONFIG).category("x").confident).toBe(false);
  const fallback = modelJudge({}, rules, DEFAULT_QUALITY_CONFIG).category("报警人称其电动车被盗");
  expect(fallback.value?.category).toBe("criminal");
});
