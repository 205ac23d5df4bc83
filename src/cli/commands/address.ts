import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import {
  type AddressLocatorOptions,
  createAddressLocator,
  DICTIONARY_MESSAGES,
  EMPTY_DICTIONARY,
  type LabelledAddress,
  learnPlaces,
  mergePlaces,
  nationalGazetteer,
  type PlaceDictionary,
  type PlaceKind,
  restoreDictionary,
  restoreTaggerModel,
  trainTagger,
} from "../../address/index.ts";
import { renderIssue } from "../../domain/index.ts";
import { type Command, type CommandContext, println, t } from "../command.ts";

/** Reads a JSON file, or reports (in the user's language) why it cannot. */
async function readJson(
  path: string,
  ctx: CommandContext,
): Promise<{ ok: true; value: unknown } | { ok: false }> {
  try {
    return { ok: true, value: JSON.parse(await readFile(resolve(ctx.cwd, path), "utf8")) };
  } catch (error) {
    println(
      ctx.stderr,
      t(ctx, `无法读取 JSON 文件 ${path}：`, `cannot read JSON file ${path}: `) + (error as Error).message,
    );
    return { ok: false };
  }
}

/**
 * Locator options from the command line and environment: --region (or RECUR_REGION), --dict
 * (a place dictionary JSON), --model (a tagger from `recur address train`). Also used by import.
 */
export async function locatorOptionsFrom(
  values: Readonly<Record<string, unknown>>,
  ctx: CommandContext,
): Promise<AddressLocatorOptions | null> {
  const region = typeof values.region === "string" ? values.region : (ctx.env.RECUR_REGION ?? null);
  let dictionary: PlaceDictionary = EMPTY_DICTIONARY;
  if (typeof values.dict === "string") {
    const json = await readJson(values.dict, ctx);
    if (!json.ok) return null;
    const restored = restoreDictionary(json.value);
    for (const issue of restored.issues)
      println(ctx.stderr, renderIssue({ ...issue, file: values.dict }, DICTIONARY_MESSAGES, ctx.lang));
    dictionary = restored.dictionary;
  }
  let model = null;
  if (typeof values.model === "string") {
    const json = await readJson(values.model, ctx);
    if (!json.ok) return null;
    model = restoreTaggerModel(json.value);
  }
  return { region, dictionary, model };
}

async function writeLine(ctx: CommandContext, line: string): Promise<void> {
  if (!ctx.stdout.write(`${line}\n`)) await new Promise((done) => ctx.stdout.once("drain", done));
}

async function parseLines(values: Readonly<Record<string, unknown>>, ctx: CommandContext): Promise<number> {
  const format = typeof values.format === "string" ? values.format : "jsonl";
  if (format !== "jsonl" && format !== "text") {
    println(ctx.stderr, t(ctx, "--format 只能是 jsonl 或 text", "--format must be jsonl or text"));
    return 2;
  }
  const options = await locatorOptionsFrom(values, ctx);
  if (!options) return 1;
  const locator = createAddressLocator(options);
  const lines = createInterface({ input: ctx.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const raw of lines) {
    const text = raw.replace(/^\uFEFF/, "");
    const a = locator.analyse(text);
    if (format === "text") {
      await writeLine(
        ctx,
        `${a.entities.map((e) => `${e.label}:${e.text}`).join(" | ")}\t${JSON.stringify(a.keys)}`,
      );
    } else {
      await writeLine(
        ctx,
        JSON.stringify({
          text,
          entities: a.entities,
          key: { ...a.keys, admin: a.admin, ...(a.fuzzy ? { fuzzy: a.fuzzy } : {}) },
        }),
      );
    }
  }
  return 0;
}

async function train(values: Readonly<Record<string, unknown>>, ctx: CommandContext): Promise<number> {
  if (typeof values.corpus !== "string" || typeof values.out !== "string") {
    println(
      ctx.stderr,
      t(ctx, "需要 --corpus 文件 与 --out 文件", "--corpus FILE and --out FILE are required"),
    );
    return 2;
  }
  let text: string;
  try {
    text = await readFile(resolve(ctx.cwd, values.corpus), "utf8");
  } catch (error) {
    println(ctx.stderr, t(ctx, "无法读取语料：", "cannot read the corpus: ") + (error as Error).message);
    return 1;
  }
  const examples: LabelledAddress[] = [];
  let bad = 0;
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const o = JSON.parse(line) as Partial<LabelledAddress>;
      const ok =
        typeof o.text === "string" &&
        Array.isArray(o.entities) &&
        o.entities.every((e) => typeof e?.label === "string" && typeof e?.text === "string") &&
        o.entities.map((e) => e.text).join("") === o.text;
      if (ok) examples.push(o as LabelledAddress);
      else throw new Error("entities");
    } catch {
      bad++;
      if (bad <= 5)
        println(
          ctx.stderr,
          t(
            ctx,
            `${values.corpus}，第${i + 1}行：不是 {text, entities} 或实体未按顺序覆盖全文，已跳过`,
            `${values.corpus}, row ${i + 1}: not {text, entities} or entities do not cover the text in order; skipped`,
          ),
        );
    }
  });
  const epochs = Number(values.epochs ?? 6);
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > 50) {
    println(ctx.stderr, t(ctx, "--epochs 须为 1..50 的整数", "--epochs must be an integer 1..50"));
    return 2;
  }
  const started = performance.now();
  const model = trainTagger(examples, nationalGazetteer(), { epochs, seed: Number(values.seed ?? 1) || 1 });
  await writeFile(resolve(ctx.cwd, values.out), JSON.stringify(model));
  const seconds = (performance.now() - started) / 1000;
  const summary = {
    trained: model.trainedOn,
    skipped: bad,
    tags: model.tags.length,
    features: Object.keys(model.features).length,
    seconds: Math.round(seconds * 10) / 10,
    out: values.out,
  };
  if (ctx.json) println(ctx.stdout, JSON.stringify(summary));
  else
    println(
      ctx.stdout,
      t(
        ctx,
        `已用 ${summary.trained} 条标注地址训练模型（跳过 ${bad} 条，${summary.features} 个特征，${summary.seconds} 秒）→ ${values.out}`,
        `trained on ${summary.trained} labelled addresses (${bad} skipped, ${summary.features} features, ${summary.seconds} s) → ${values.out}`,
      ),
    );
  return 0;
}

async function learn(values: Readonly<Record<string, unknown>>, ctx: CommandContext): Promise<number> {
  if (typeof values.dict !== "string") {
    println(
      ctx.stderr,
      t(ctx, "需要 --dict 文件（不存在时新建）", "--dict FILE is required (created when missing)"),
    );
    return 2;
  }
  const minCount = Number(values["min-count"] ?? 3);
  let dictionary: PlaceDictionary = EMPTY_DICTIONARY;
  try {
    const restored = restoreDictionary(JSON.parse(await readFile(resolve(ctx.cwd, values.dict), "utf8")));
    for (const issue of restored.issues)
      println(ctx.stderr, renderIssue({ ...issue, file: values.dict }, DICTIONARY_MESSAGES, ctx.lang));
    dictionary = restored.dictionary;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      println(
        ctx.stderr,
        t(ctx, "无法读取词典：", "cannot read the dictionary: ") + (error as Error).message,
      );
      return 1;
    }
  }
  const options = await locatorOptionsFrom({ ...values, dict: undefined }, ctx);
  if (!options) return 1;
  const locator = createAddressLocator({ ...options, dictionary });
  const names: { name: string; kind: PlaceKind }[][] = [];
  const lines = createInterface({ input: ctx.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (!line.trim()) continue;
    names.push(
      locator
        .entities(line.trim())
        .filter((e) => e.label === "poi" || e.label === "road" || e.label === "community")
        .map((e) => ({ name: e.text, kind: e.label as PlaceKind })),
    );
  }
  const learned = learnPlaces(names, { minCount });
  const merged = mergePlaces(dictionary, learned);
  await writeFile(resolve(ctx.cwd, values.dict), `${JSON.stringify(merged, null, 2)}\n`);
  if (ctx.json)
    println(
      ctx.stdout,
      JSON.stringify({ addresses: names.length, learned: learned.length, places: merged.places.length }),
    );
  else
    println(
      ctx.stdout,
      t(
        ctx,
        `读取 ${names.length} 条地址，学到 ${learned.length} 个常见地名（出现≥${minCount} 次），词典共 ${merged.places.length} 个地点 → ${values.dict}`,
        `read ${names.length} addresses, learned ${learned.length} frequent names (seen ≥ ${minCount} times); the dictionary has ${merged.places.length} places → ${values.dict}`,
      ),
    );
  return 0;
}

export const addressCommand: Command = {
  name: "address",
  summary: {
    zh: "地址解析：拆分地址要素、生成位置键；训练标注模型；从地址中学习本地地名词典",
    en: "Addresses: split into components and location keys; train a tagger; learn a local place dictionary",
  },
  usage:
    "parse [--format jsonl|text] [--region R] [--dict FILE] [--model FILE] < addresses.txt\n" +
    "  train --corpus FILE.jsonl --out MODEL.json [--epochs 6] [--seed 1]\n" +
    "  learn --dict FILE.json [--min-count 3] [--region R] < addresses.txt",
  options: {
    format: { type: "string", default: "jsonl" },
    region: { type: "string" },
    dict: { type: "string" },
    model: { type: "string" },
    corpus: { type: "string" },
    out: { type: "string" },
    epochs: { type: "string" },
    seed: { type: "string" },
    "min-count": { type: "string" },
  },
  async run(args, ctx) {
    const [sub] = args.positionals;
    if (sub === "parse") return parseLines(args.values, ctx);
    if (sub === "train") return train(args.values, ctx);
    if (sub === "learn") return learn(args.values, ctx);
    println(
      ctx.stderr,
      t(ctx, "用法：recur address parse|train|learn …", "usage: recur address parse|train|learn …"),
    );
    return 2;
  },
};
