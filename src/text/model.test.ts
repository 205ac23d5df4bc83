import { expect, test } from "vitest";
import {
  classificationReport,
  crossValidate,
  DEFAULT_TUNING_GRID,
  stratifiedFolds,
  tuneTrainOptions,
} from "./evaluate.ts";
import { DEFAULT_FEATURE_OPTIONS, textFeatures } from "./features.ts";
import { jiebaSegmenter } from "./jieba.ts";
import {
  fitTemperature,
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

test("NBSVM learns its corpus, stays one linear model and gives calibrated-looking probabilities", () => {
  const model = trainTextModel(CORPUS, bigramSegmenter, { minDf: 1, algorithm: "nbsvm" });
  expect(model.algorithm).toBe("nbsvm");
  expect(model.version).toBe(2);
  expect(model.weights).toHaveLength(model.labels.length * model.vocabulary.length);
  expect(model.temperature).toBeGreaterThan(0);
  const predictor = textPredictor(parseTextModel(JSON.stringify(model)), bigramSegmenter);
  expect(predictor.predict("拖欠工资").label).toBe("labour");
  expect(predictor.predict("学校补课收费").label).toBe("education");
  const p = predictor.predict("公交车站点太远");
  expect(p.label).toBe("transport");
  expect(p.probability).toBeGreaterThan(1 / 3);
});

test("an NBSVM ensemble records its base learner, and a fixed temperature scales the whole model", () => {
  const docs = CORPUS.map((e) => textFeatures(e.text, bigramSegmenter, DEFAULT_FEATURE_OPTIONS));
  const labels = CORPUS.map((e) => e.label);
  const opts = { minDf: 1, algorithm: "ensemble", base: "nbsvm", temperature: 1 } as const;
  const [alone, mixed] = fitTextModels(docs, labels, opts, [0, 1]);
  expect(alone!.algorithm).toBe("nbsvm");
  expect(mixed).toMatchObject({ algorithm: "ensemble", base: "nbsvm", cnbWeight: 1 });
  const [hot] = fitTextModels(docs, labels, { ...opts, temperature: 2 }, [0]);
  hot!.weights.forEach((w, i) => {
    expect(w).toBeCloseTo(2 * alone!.weights[i]!, 12);
  });
  expect(hot!.bias[0]).toBeCloseTo(2 * alone!.bias[0]!, 12);
});

test("the fitted temperature sharpens confident right scores and softens confident wrong ones", () => {
  const labels = ["a", "b"];
  const right = Array.from({ length: 20 }, () => ({ scores: [1, -1], labels, truth: "a" }));
  const mixed = [
    ...right.slice(0, 10),
    ...Array.from({ length: 10 }, () => ({ scores: [1, -1], labels, truth: "b" })),
  ];
  expect(fitTemperature(right)).toBeGreaterThan(10);
  expect(fitTemperature(mixed)).toBeLessThan(0.1);
});

test("a version-1 model saved before NBSVM still loads and predicts", () => {
  const v1 = {
    format: "recur-text-model",
    version: 1,
    algorithm: "ensemble",
    features: { words: false, charNgrams: [2], lexicon: false },
    labels: ["labour", "transport"],
    vocabulary: ["c:公交", "c:工资"],
    idf: [1, 1],
    weights: [-1, 2, 2, -1],
    bias: [0, 0],
    lexiconBoost: 1,
    cnbWeight: 1,
    trainedOn: 10,
  };
  const model = parseTextModel(JSON.stringify(v1));
  expect(model.base).toBeUndefined();
  const predictor = textPredictor(model, bigramSegmenter);
  expect(predictor.predict("拖欠工资").label).toBe("labour");
  expect(predictor.predict("公交太少").label).toBe("transport");
});

test("word bigrams pair adjacent words within a clause and survive a saved model's features", () => {
  const counts = textFeatures(
    "拖欠 工资，老板",
    { cut: (t) => t.split(/(\s|，)/).filter(Boolean) },
    {
      words: true,
      wordBigrams: true,
      charNgrams: [],
      lexicon: false,
    },
  );
  expect(counts.get("b:拖欠|工资")).toBe(1);
  expect(counts.has("b:工资|老板")).toBe(false);
  expect(restrictFeatures(counts, { words: true, charNgrams: [], lexicon: false }).has("b:拖欠|工资")).toBe(
    false,
  );
  const model = trainTextModel(CORPUS, bigramSegmenter, {
    minDf: 1,
    features: { words: true, wordBigrams: true, charNgrams: [2], lexicon: false },
  });
  expect(parseTextModel(JSON.stringify(model)).features.wordBigrams).toBe(true);
});

test("the default grid's inner cross-validation can choose NBSVM, and the chosen model is calibrated", () => {
  const docs = CORPUS.map((e) => textFeatures(e.text, bigramSegmenter, DEFAULT_FEATURE_OPTIONS));
  const labels = CORPUS.map((e) => e.label);
  const grid = {
    features: [DEFAULT_FEATURE_OPTIONS],
    learners: [{ base: "nbsvm", svmC: 1 }],
    cnbWeights: [0],
  } as const;
  const tuned = tuneTrainOptions(docs, labels, grid, { minDf: 1, algorithm: "logreg" }, 3, 1);
  expect(tuned.trials).toHaveLength(1);
  expect(tuned.trials[0]!.learner).toEqual({ base: "nbsvm", svmC: 1 });
  expect(tuned.options).toMatchObject({ algorithm: "nbsvm", svmC: 1 });
  expect(tuned.options.temperature).toBeGreaterThan(0);
  expect(DEFAULT_TUNING_GRID.learners?.every((l) => l.base === "nbsvm")).toBe(true);
});
