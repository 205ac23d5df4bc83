import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import iconv from "iconv-lite";
import Papa from "papaparse";
import { DEPARTMENTS, type Department } from "../../domain/index.ts";
import { openStore, type Store } from "../../store/index.ts";
import {
  ALGORITHMS,
  type Algorithm,
  classificationReport,
  crossValidate,
  DEFAULT_TUNING_GRID,
  type LabelledText,
  LOGREG_TUNING_GRID,
  ruleClassifier,
  type TextModel,
  trainTextModel,
  trainTunedTextModel,
} from "../../text/index.ts";
import { jiebaSegmenter } from "../../text/jieba.ts";
import { type Command, type CommandContext, println, t } from "../command.ts";

/** What a model learns to predict from narratives in the store. */
export const TRAIN_TARGETS = ["category", "department"] as const;
export type TrainTarget = (typeof TRAIN_TARGETS)[number];

/** Settings key under which the store keeps the trained model of a target. */
export const modelKey = (target: TrainTarget): string => `text-model:${target}`;

/** Loads the trained model of a target from the store, if `recur train` stored one. */
export async function loadStoredModel(store: Store, target: TrainTarget): Promise<TextModel | undefined> {
  const json = await store.settings.get(modelKey(target));
  if (json === undefined) return undefined;
  const { parseTextModel } = await import("../../text/model.ts");
  return parseTextModel(json);
}

// Past this size training runs on a seeded sample: SGD cost grows with examples × classes.
const MAX_TRAIN_EXAMPLES = 200_000;
// `--tune auto` chooses by inner cross-validation up to this many examples (cost ~ 10 fits).
const AUTO_TUNE_MAX = 5_000;
export const TUNE_MODES = ["auto", "on", "off"] as const;
/** The candidates of inner cross-validation: NBSVM (default) or the earlier logistic regression grid. */
export const GRIDS = { default: DEFAULT_TUNING_GRID, logreg: LOGREG_TUNING_GRID } as const;

async function readCsvExamples(
  file: string,
  textColumns: readonly string[],
  labelColumn: string,
  encoding: string,
  ctx: CommandContext,
): Promise<LabelledText[] | null> {
  let bytes: Buffer;
  try {
    bytes = await readFile(resolve(ctx.cwd, file));
  } catch (error) {
    println(ctx.stderr, t(ctx, `无法读取文件 ${file}：`, `cannot read ${file}: `) + (error as Error).message);
    return null;
  }
  const text = iconv.decode(bytes, encoding).replace(/^\uFEFF/, "");
  const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
  const header = parsed.meta.fields ?? [];
  const missing = [...textColumns, labelColumn].filter((c) => !header.includes(c));
  if (missing.length > 0) {
    println(
      ctx.stderr,
      t(
        ctx,
        `${file}：缺少列 ${missing.join("、")}（现有列：${header.join("、")}）`,
        `${file}: missing column(s) ${missing.join(", ")} (columns: ${header.join(", ")})`,
      ),
    );
    return null;
  }
  const examples: LabelledText[] = [];
  parsed.data.forEach((row, i) => {
    const label = (row[labelColumn] ?? "").trim();
    const body = textColumns.map((c) => row[c] ?? "").join("。");
    if (label && body.trim()) examples.push({ text: body, label });
    else
      println(
        ctx.stderr,
        t(
          ctx,
          `${file}，第${i + 1}行：无标签或无文本，已跳过`,
          `${file}, row ${i + 1}: no label or no text, skipped`,
        ),
      );
  });
  return examples;
}

async function storeExamples(
  store: Store,
  target: TrainTarget,
): Promise<{ examples: LabelledText[]; until: number | null }> {
  const examples: LabelledText[] = [];
  let until: number | null = null;
  for await (const page of store.incidents.scan(5000)) {
    for (const incident of page) {
      const text = [incident.narrative, incident.feedback].filter(Boolean).join("。");
      if (!text) continue;
      until = until === null ? incident.receivedAt : Math.max(until, incident.receivedAt);
      if (target === "department") {
        if (incident.department) examples.push({ text, label: incident.department });
      } else if (incident.category !== "other" || incident.subtype) {
        examples.push({ text, label: `${incident.category}.${incident.subtype ?? "other"}` });
      }
    }
  }
  return { examples, until };
}

function sampleExamples(examples: LabelledText[], max: number, seed: number): LabelledText[] {
  if (examples.length <= max) return examples;
  // Seeded reservoir-free sample: a deterministic shuffle, then the first `max`.
  let state = seed >>> 0 || 1;
  const order = examples.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order.slice(0, max).map((i) => examples[i]!);
}

/** Maps rule verdicts (department codes) to the file's label names, for the rule-only baseline. */
function parseRulesMap(raw: string): Partial<Record<Department, string>> | null {
  try {
    const value = JSON.parse(raw) as unknown;
    if (typeof value !== "object" || value === null) return null;
    const out: Partial<Record<Department, string>> = {};
    for (const [k, v] of Object.entries(value)) {
      if ((DEPARTMENTS as readonly string[]).includes(k) && typeof v === "string") out[k as Department] = v;
      else return null;
    }
    return out;
  } catch {
    return null;
  }
}

export const trainCommand: Command = {
  name: "train",
  summary: {
    zh: "用本地已标注的警情（或 CSV）训练案情文本分类模型，可交叉验证",
    en: "Train the narrative classifier on the deployment's labelled history (or a CSV); cross-validate",
  },
  usage:
    "[--target category|department] [--db PATH] | --input FILE.csv --text COL[,COL] --label COL [--encoding utf8|gbk] [--out MODEL.json]  [--cv K] [--seed N] [--tune auto|on|off] [--inner-folds K] [--inner-repeats R] [--grid default|logreg] [--algorithm logreg|nbsvm|cnb|ensemble] [--rules-map JSON]",
  options: {
    target: { type: "string", default: "category" },
    db: { type: "string" },
    input: { type: "string" },
    text: { type: "string" },
    label: { type: "string" },
    encoding: { type: "string", default: "utf8" },
    out: { type: "string" },
    cv: { type: "string" },
    seed: { type: "string", default: "42" },
    algorithm: { type: "string", default: "logreg" },
    tune: { type: "string", default: "auto" },
    "inner-folds": { type: "string", default: "5" },
    // Repeated inner cross-validation (other fold seeds): a less noisy basis for the choice.
    "inner-repeats": { type: "string", default: "2" },
    grid: { type: "string", default: "default" },
    "rules-map": { type: "string" },
  },
  async run(args, ctx) {
    const v = args.values;
    const target = String(v.target) as TrainTarget;
    const algorithm = String(v.algorithm) as Algorithm;
    const seed = Number(v.seed);
    const folds = v.cv === undefined ? 0 : Number(v.cv);
    const tuneMode = String(v.tune) as (typeof TUNE_MODES)[number];
    const innerFolds = Number(v["inner-folds"]);
    const innerRepeats = Number(v["inner-repeats"]);
    const gridName = String(v.grid);
    if (
      !Object.hasOwn(GRIDS, gridName) ||
      !TRAIN_TARGETS.includes(target) ||
      !ALGORITHMS.includes(algorithm) ||
      !Number.isInteger(seed) ||
      !TUNE_MODES.includes(tuneMode) ||
      !Number.isInteger(innerFolds) ||
      innerFolds < 2 ||
      !Number.isInteger(innerRepeats) ||
      innerRepeats < 1
    ) {
      println(
        ctx.stderr,
        t(
          ctx,
          "--target 取 category 或 department，--algorithm 取 logreg、nbsvm、cnb 或 ensemble，--grid 取 default 或 logreg，--tune 取 auto/on/off，--seed 为整数，--inner-folds 为不小于 2 的整数，--inner-repeats 为正整数",
          "--target is category or department, --algorithm logreg, nbsvm, cnb or ensemble, --grid default or logreg, --tune auto/on/off, --seed an integer, --inner-folds an integer >= 2, --inner-repeats a positive integer",
        ),
      );
      return 2;
    }
    if (v.cv !== undefined && (!Number.isInteger(folds) || folds < 2)) {
      println(ctx.stderr, t(ctx, "--cv 须为不小于 2 的整数", "--cv must be an integer >= 2"));
      return 2;
    }
    let rulesMap: Partial<Record<Department, string>> | null = null;
    if (typeof v["rules-map"] === "string") {
      rulesMap = parseRulesMap(v["rules-map"]);
      if (!rulesMap) {
        println(
          ctx.stderr,
          t(
            ctx,
            "--rules-map 须为 JSON 对象：部门代码 → 标签",
            "--rules-map must be a JSON object: department code -> label",
          ),
        );
        return 2;
      }
    }

    let examples: LabelledText[] | null;
    let trainedUntil: number | null = null;
    let store: Store | undefined;
    try {
      if (typeof v.input === "string") {
        if (typeof v.text !== "string" || typeof v.label !== "string") {
          println(
            ctx.stderr,
            t(ctx, "--input 需要同时给出 --text 与 --label 列名", "--input needs --text and --label columns"),
          );
          return 2;
        }
        examples = await readCsvExamples(v.input, v.text.split(","), v.label, String(v.encoding), ctx);
        if (!examples) return 1;
      } else {
        store = await openStore({
          ...(typeof v.db === "string" ? { path: resolve(ctx.cwd, v.db) } : {}),
          ...(ctx.env.DATABASE_URL ? { databaseUrl: ctx.env.DATABASE_URL } : {}),
        });
        const fromStore = await storeExamples(store, target);
        examples = fromStore.examples;
        trainedUntil = fromStore.until;
      }
      const labels = new Set(examples.map((e) => e.label));
      if (examples.length < 2 || labels.size < 2) {
        println(
          ctx.stderr,
          t(
            ctx,
            `已标注数据不足：${examples.length} 条，${labels.size} 个类别（至少 2 类）`,
            `Not enough labelled data: ${examples.length} examples, ${labels.size} classes (need 2+)`,
          ),
        );
        return 1;
      }
      const sample = sampleExamples(examples, MAX_TRAIN_EXAMPLES, seed);
      const epochs = sample.length <= 10_000 ? 50 : Math.max(5, Math.round(500_000 / sample.length));
      const segmenter = jiebaSegmenter();
      const started = performance.now();
      const options = { algorithm, epochs, seed };
      // Model selection by inner cross-validation on the training data only (nested under --cv).
      const tune = tuneMode === "on" || (tuneMode === "auto" && sample.length <= AUTO_TUNE_MAX);
      const grid = GRIDS[gridName as keyof typeof GRIDS];
      const tuning = tune ? { grid, innerFolds, innerRepeats } : undefined;
      const output: Record<string, unknown> = {
        examples: sample.length,
        classes: labels.size,
        algorithm: tune ? "tuned" : algorithm,
        target,
      };
      if (folds > 0) {
        const cv = crossValidate(sample, segmenter, folds, seed, options, tuning);
        output.crossValidation = {
          folds,
          seed,
          nested: tune,
          ...(tuning ? { grid: gridName, innerFolds, innerRepeats } : {}),
          macroF1: cv.report.macroF1,
          accuracy: cv.report.accuracy,
          foldMacroF1: cv.foldMacroF1,
          perClass: cv.report.perClass,
          ...(cv.chosen ? { chosenPerFold: cv.chosen } : {}),
        };
        if (rulesMap) {
          const rules = ruleClassifier();
          const predicted = sample.map((e) => {
            const d = rules.department(e.text).department;
            return d ? (rulesMap[d] ?? null) : null;
          });
          const report = classificationReport(
            sample.map((e) => e.label),
            predicted,
          );
          output.rulesOnly = {
            macroF1: report.macroF1,
            accuracy: report.accuracy,
            perClass: report.perClass,
          };
        }
      }
      let fitted: TextModel;
      if (tuning) {
        const tuned = trainTunedTextModel(
          sample,
          segmenter,
          options,
          tuning.grid,
          tuning.innerFolds,
          tuning.innerRepeats,
        );
        fitted = tuned.model;
        output.tuning = { chosen: tuned.tuning.options, trials: tuned.tuning.trials };
        output.algorithm = tuned.model.algorithm;
      } else fitted = trainTextModel(sample, segmenter, options);
      const model = { ...fitted, trainedUntil };
      const json = JSON.stringify(model);
      if (typeof v.out === "string") {
        await writeFile(resolve(ctx.cwd, v.out), json);
        output.savedTo = v.out;
      } else if (store) {
        await store.settings.set(modelKey(target), json);
        output.savedTo = `store:${modelKey(target)}`;
      }
      output.seconds = (performance.now() - started) / 1000;
      if (ctx.json) println(ctx.stdout, JSON.stringify(output));
      else {
        println(
          ctx.stdout,
          t(
            ctx,
            `训练样本 ${sample.length} 条，${labels.size} 类，算法 ${String(output.algorithm)}${tune ? "（内层交叉验证选定）" : ""}`,
            `Trained on ${sample.length} examples, ${labels.size} classes, algorithm ${String(output.algorithm)}${tune ? " (chosen by inner cross-validation)" : ""}`,
          ),
        );
        const cv = output.crossValidation as
          | { macroF1: number; accuracy: number; foldMacroF1: number[] }
          | undefined;
        if (cv)
          println(
            ctx.stdout,
            t(
              ctx,
              `${folds} 折${tune ? "嵌套" : ""}交叉验证：macro-F1 ${cv.macroF1.toFixed(4)}，准确率 ${cv.accuracy.toFixed(4)}；各折 ${cv.foldMacroF1.map((x) => x.toFixed(3)).join(" ")}`,
              `${folds}-fold ${tune ? "nested " : ""}cross-validation: macro-F1 ${cv.macroF1.toFixed(4)}, accuracy ${cv.accuracy.toFixed(4)}; folds ${cv.foldMacroF1.map((x) => x.toFixed(3)).join(" ")}`,
            ),
          );
        const rules = output.rulesOnly as { macroF1: number; accuracy: number } | undefined;
        if (rules)
          println(
            ctx.stdout,
            t(
              ctx,
              `仅规则（无训练）：macro-F1 ${rules.macroF1.toFixed(4)}，准确率 ${rules.accuracy.toFixed(4)}`,
              `Rules only (no training): macro-F1 ${rules.macroF1.toFixed(4)}, accuracy ${rules.accuracy.toFixed(4)}`,
            ),
          );
        if (output.savedTo)
          println(ctx.stdout, t(ctx, `模型已保存：`, `Model saved: `) + String(output.savedTo));
      }
      return 0;
    } finally {
      await store?.close();
    }
  },
};
