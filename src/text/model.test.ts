import { expect, test } from "vitest";
import { classificationReport, crossValidate, stratifiedFolds, tuneTrainOptions } from "./evaluate.ts";
import { DEFAULT_FEATURE_OPTIONS, textFeatures } from "./features.ts";
import { jiebaSegmenter } from "./jieba.ts";
import {
  fitTextModel,
  fitTextModels,
  parseTextModel,
  restrictFeatures,
  textPredictor,
  trainTextModel,
} from "./model.ts";
import { bigramSegmenter } from "./segmenter.ts";

// A small hand-written corpus (not real data): three departments, varied wording.
const CORPUS = [
  ["公司拖欠工资三个月不发", "labour"],
  ["老板欠薪跑路，工人讨薪无门", "labour"],
  ["单位不给交社保", "labour"],
  ["工地包工头拖欠农民工工资", "labour"],
  ["辞退员工不给补偿", "labour"],
  ["公交车站点太远，线路不合理", "transport"],
  ["出租车拒载，司机态度差", "transport"],
  ["网约车乱收费，乘客投诉", "transport"],
  ["道路坑洼，公路年久失修", "transport"],
  ["地铁站出口拥挤", "transport"],
  ["学校乱收补课费", "education"],
  ["幼儿园学位紧张，孩子入学难", "education"],
  ["老师体罚学生", "education"],
  ["培训机构退费难，家长投诉", "education"],
  ["中学食堂饭菜差，学生反映", "education"],
].map(([text, label]) => ({ text: text!, label: label! }));

test("a trained model learns its corpus and predicts unseen wording", () => {
  const segmenter = jiebaSegmenter();
  const model = trainTextModel(CORPUS, segmenter, { minDf: 1 });
  const predictor = textPredictor(model, segmenter);
  expect(predictor.predict("包工头一直拖欠工资").label).toBe("labour");
  expect(predictor.predict("孩子所在学校收取补课费").label).toBe("education");
  expect(predictor.predict("公交线路少，等车太久").label).toBe("transport");
});

test("the label distribution sums to one and its top label is the prediction", () => {
  const predictor = textPredictor(trainTextModel(CORPUS, bigramSegmenter, { minDf: 1 }), bigramSegmenter);
  const dist = predictor.distribution("学校补课收费");
  expect(dist.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  const top = predictor.labels[dist.indexOf(Math.max(...dist))];
  expect(top).toBe(predictor.predict("学校补课收费").label);
});

test("training is deterministic and the model survives a JSON round trip", () => {
  const a = trainTextModel(CORPUS, bigramSegmenter, { minDf: 1 });
  const b = trainTextModel(CORPUS, bigramSegmenter, { minDf: 1 });
  expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  const back = parseTextModel(JSON.stringify(a));
  expect(textPredictor(back, bigramSegmenter).predict("学校补课").label).toBe("education");
});

test("complement naive Bayes is available as the fast alternative", () => {
  const model = trainTextModel(CORPUS, bigramSegmenter, { minDf: 1, algorithm: "cnb" });
  expect(textPredictor(model, bigramSegmenter).predict("拖欠工资").label).toBe("labour");
});

test("a broken model is refused with a bilingual error", () => {
  expect(() => parseTextModel({ format: "x" })).toThrow(/valid recur text model/);
});

test("stratified folds keep each class spread over all folds, reproducibly", () => {
  const labels = [...Array(30).fill("a"), ...Array(20).fill("b")] as string[];
  const folds = stratifiedFolds(labels, 10, 42);
  expect(stratifiedFolds(labels, 10, 42)).toEqual(folds);
  for (let f = 0; f < 10; f++) {
    expect(labels.filter((l, i) => l === "a" && folds[i] === f)).toHaveLength(3);
    expect(labels.filter((l, i) => l === "b" && folds[i] === f)).toHaveLength(2);
  }
});

test("the macro-F1 of perfect predictions is 1 and of a constant guess is low", () => {
  const truth = ["a", "a", "b", "c"];
  expect(classificationReport(truth, truth).macroF1).toBe(1);
  expect(classificationReport(truth, ["a", "a", "a", "a"]).macroF1).toBeCloseTo(2 / 3 / 3);
});

test("cross-validation predicts every example out of fold", () => {
  const cv = crossValidate(CORPUS, bigramSegmenter, 5, 1, { minDf: 1 });
  expect(cv.report.n).toBe(CORPUS.length);
  expect(cv.foldMacroF1).toHaveLength(5);
  expect(cv.report.accuracy).toBeGreaterThan(0.5);
});

test("the ensemble adds the rescaled naive Bayes scores to the logistic regression: one linear model", () => {
  const docs = CORPUS.map((e) => textFeatures(e.text, bigramSegmenter, DEFAULT_FEATURE_OPTIONS));
  const labels = CORPUS.map((e) => e.label);
  const [lr, mixed, nb] = fitTextModels(docs, labels, { minDf: 1 }, [0, 1, Number.POSITIVE_INFINITY]);
  expect([lr!.algorithm, mixed!.algorithm, nb!.algorithm]).toEqual(["logreg", "ensemble", "cnb"]);
  expect(mixed!.weights).toHaveLength(lr!.weights.length);
  expect(mixed!.weights).not.toEqual(lr!.weights);
  expect(mixed!.bias).toEqual(lr!.bias);
  expect(textPredictor(mixed!, bigramSegmenter).predict("拖欠工资").label).toBe("labour");
  expect(fitTextModel(docs, labels, { minDf: 1, algorithm: "logreg" }).weights).toEqual(lr!.weights);
});

test("restricting the widest features gives what the narrower feature set computes", () => {
  const text = "公交车站点太远，线路不合理";
  const narrow = { words: true, charNgrams: [2], lexicon: false };
  const wide = textFeatures(text, bigramSegmenter, { words: true, charNgrams: [1, 2, 3], lexicon: true });
  expect(restrictFeatures(wide, narrow)).toEqual(textFeatures(text, bigramSegmenter, narrow));
});

test("nested cross-validation chooses per outer fold from its training folds and predicts every example", () => {
  const grid = { features: [DEFAULT_FEATURE_OPTIONS], cnbWeights: [0, 1] };
  const cv = crossValidate(CORPUS, bigramSegmenter, 3, 1, { minDf: 1, epochs: 10 }, { grid, innerFolds: 2 });
  expect(cv.report.n).toBe(CORPUS.length);
  expect(cv.chosen).toHaveLength(3);
  const tuned = tuneTrainOptions(
    CORPUS.map((e) => textFeatures(e.text, bigramSegmenter, DEFAULT_FEATURE_OPTIONS)),
    CORPUS.map((e) => e.label),
    grid,
    { minDf: 1, epochs: 10 },
    3,
    1,
  );
  expect(tuned.trials).toHaveLength(2);
  const best = Math.max(...tuned.trials.map((t) => t.macroF1));
  const first = tuned.trials.find((t) => t.macroF1 === best)!;
  expect(tuned.options.algorithm).toBe(first.cnbWeight === 0 ? "logreg" : "ensemble");
});

test("repeated inner cross-validation scores each candidate by its mean over the repeats' fold seeds", () => {
  const grid = { features: [DEFAULT_FEATURE_OPTIONS], cnbWeights: [0, 1] };
  const docs = CORPUS.map((e) => textFeatures(e.text, bigramSegmenter, DEFAULT_FEATURE_OPTIONS));
  const labels = CORPUS.map((e) => e.label);
  const opts = { minDf: 1, epochs: 10 };
  const once = (seed: number) =>
    tuneTrainOptions(docs, labels, grid, opts, 3, seed).trials.map((t) => t.macroF1);
  const [a, b] = [once(1), once(2)];
  const twice = tuneTrainOptions(docs, labels, grid, opts, 3, 1, 2).trials.map((t) => t.macroF1);
  twice.forEach((m, i) => {
    expect(m).toBeCloseTo((a[i]! + b[i]!) / 2, 12);
  });
});

test("the opening sentence (a title) gets its own namespace of words and character bigrams", () => {
  const counts = textFeatures("拖欠工资。公司老板跑路", bigramSegmenter, {
    words: false,
    charNgrams: [],
    lexicon: false,
    head: true,
  });
  expect(counts.get("H:工资")).toBe(1);
  expect(counts.has("H:老板")).toBe(false);
  expect([...counts.keys()].every((f) => f.startsWith("h:") || f.startsWith("H:"))).toBe(true);
});
