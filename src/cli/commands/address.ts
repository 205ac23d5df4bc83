import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import {
  type AddressLocatorOptions,
  createAddressLocator,
  DICTIONARY_MESSAGES,
  EMPTY_DICTIONARY,
  entityScores,
  type LabelledAddress,
  learnPlaces,
  mergePlaces,
  nationalGazetteer,
  normaliseLabel,
  type PlaceDictionary,
  type PlaceKind,
  restoreDictionary,
  restoreTaggerModel,
  SCORED_LABELS,
  TRAINERS,
  type Trainer,
  trainTagger,
} from "../../address/index.ts";
import { renderIssue } from "../../domain/index.ts";
import { type Command, type CommandContext, println, t } from "../command.ts";
import { nationalVillages } from "../village-register.ts";

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
  return { region, dictionary, model, villages: model?.villages ? nationalVillages() : null };
}

/** Locator options of a store: its place dictionary, and its deployment region unless --region. */
async function asStore(
  values: Readonly<Record<string, unknown>>,
  options: AddressLocatorOptions,
  ctx: CommandContext,
): Promise<AddressLocatorOptions> {
  const { openStore } = await import("../../store/index.ts");
  const { loadPlaceDictionary } = await import("../../store/place-dictionary.ts");
  const { latestImportRegion } = await import("../../ingest/rekey.ts");
  const store = await openStore({
    path: resolve(ctx.cwd, String(values.db)),
    ...(ctx.env.DATABASE_URL ? { databaseUrl: ctx.env.DATABASE_URL } : {}),
  });
  try {
    const dictionary = await loadPlaceDictionary(store);
    const region = options.region ?? (await latestImportRegion(store, ctx.cwd));
    return { ...options, dictionary, region };
  } finally {
    await store.close();
  }
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
  const given = await locatorOptionsFrom(values, ctx);
  if (!given) return 1;
  // --db: key as that store's imports and dispatch check do (its dictionary, its region).
  const options =
    typeof values.db === "string" && typeof values.dict !== "string"
      ? await asStore(values, given, ctx)
      : given;
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

/** Reads a labelled corpus (JSONL `{text, entities}`), reporting unusable rows; null when unreadable. */
async function readCorpus(
  values: Readonly<Record<string, unknown>>,
  ctx: CommandContext,
): Promise<{ examples: LabelledAddress[]; bad: number } | null> {
  if (typeof values.corpus !== "string") return null;
  let text: string;
  try {
    text = await readFile(resolve(ctx.cwd, values.corpus), "utf8");
  } catch (error) {
    println(ctx.stderr, t(ctx, "无法读取语料：", "cannot read the corpus: ") + (error as Error).message);
    return null;
  }
  const examples: LabelledAddress[] = [];
  let bad = 0;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (!line.trim()) continue;
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
  }
  return { examples, bad };
}

async function train(values: Readonly<Record<string, unknown>>, ctx: CommandContext): Promise<number> {
  if (typeof values.corpus !== "string" || typeof values.out !== "string") {
    println(
      ctx.stderr,
      t(ctx, "需要 --corpus 文件 与 --out 文件", "--corpus FILE and --out FILE are required"),
    );
    return 2;
  }
  const trainer = values.trainer ?? "crf";
  if (typeof trainer !== "string" || !(TRAINERS as readonly string[]).includes(trainer)) {
    println(ctx.stderr, t(ctx, "--trainer 须为 crf 或 perceptron", "--trainer must be crf or perceptron"));
    return 2;
  }
  const corpus = await readCorpus(values, ctx);
  if (!corpus) return 1;
  const { examples, bad } = corpus;
  const epochs = Number(values.epochs ?? 6);
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > 50) {
    println(ctx.stderr, t(ctx, "--epochs 须为 1..50 的整数", "--epochs must be an integer 1..50"));
    return 2;
  }
  const started = performance.now();
  const model = trainTagger(examples, nationalGazetteer(), {
    epochs,
    seed: Number(values.seed ?? 1) || 1,
    trainer: trainer as Trainer,
    villages: nationalVillages(),
  });
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

/**
 * Scores the parser (rules, or the tagger given with --model) on a labelled corpus: entity-level
 * precision, recall and F1 (exact label and span) per label and overall, so that a deployment can
 * see whether its trained model beats the rules on addresses it held out from training.
 */
async function evaluate(values: Readonly<Record<string, unknown>>, ctx: CommandContext): Promise<number> {
  if (typeof values.corpus !== "string") {
    println(ctx.stderr, t(ctx, "需要 --corpus 文件", "--corpus FILE is required"));
    return 2;
  }
  const corpus = await readCorpus(values, ctx);
  if (!corpus) return 1;
  const options = await locatorOptionsFrom(values, ctx);
  if (!options) return 1;
  const locator = createAddressLocator(options);
  const started = performance.now();
  const pairs = corpus.examples.map((ex) => ({ gold: ex.entities, predicted: locator.entities(ex.text) }));
  const seconds = (performance.now() - started) / 1000;
  // Every label of the corpus (the issue's labels first), but not separators: they name nothing.
  const seen = new Set<string>();
  for (const ex of corpus.examples) for (const e of ex.entities) seen.add(normaliseLabel(e.label));
  const labels = [
    ...SCORED_LABELS.filter((l) => seen.has(l)),
    ...[...seen].filter((l) => !(SCORED_LABELS as readonly string[]).includes(l) && l !== "redundant").sort(),
  ];
  const scores = entityScores(pairs, labels);
  const parser = options.model ? "model" : "rules";
  if (ctx.json) {
    println(
      ctx.stdout,
      JSON.stringify({ parser, addresses: pairs.length, skipped: corpus.bad, seconds, scores }),
    );
    return 0;
  }
  println(
    ctx.stdout,
    t(
      ctx,
      `${pairs.length} 条标注地址（${parser === "model" ? "模型" : "规则"}），实体级精确率/召回率/F1（标签与范围完全一致）：`,
      `${pairs.length} labelled addresses (${parser}), entity-level precision / recall / F1 (exact label and span):`,
    ),
  );
  for (const s of scores)
    println(
      ctx.stdout,
      `${s.label.padEnd(10)} ${String(s.gold).padStart(6)}  P ${s.precision.toFixed(3)}  R ${s.recall.toFixed(3)}  F1 ${s.f1.toFixed(3)}`,
    );
  return 0;
}

async function learn(values: Readonly<Record<string, unknown>>, ctx: CommandContext): Promise<number> {
  if (typeof values.dict !== "string") {
    if (typeof values.db === "string" || ctx.env.DATABASE_URL) {
      const { learnFromStore } = await import("./place-dict.ts");
      return learnFromStore(values, ctx);
    }
    println(
      ctx.stderr,
      t(
        ctx,
        "需要 --dict 文件（从标准输入的地址学习，文件不存在时新建），或 --db 库（从库中已导入的地址学习，存入库的词典）",
        "--dict FILE is required (learn from the addresses on stdin; created when missing), or --db PATH (learn from the store's imported addresses into the store's dictionary)",
      ),
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
    zh: "地址解析：拆分地址要素、生成位置键；训练并评测标注模型；从地址中学习本地地名词典，设为库的词典；规则或词典更新后重算已存警情的位置键（并遮蔽旧库中未遮蔽的地址、处警结果、类别文本里的号码）",
    en: "Addresses: split into components and location keys; train and evaluate a tagger; learn a local place dictionary and make it the store's; rekey stored incidents after the rules or the dictionary changed (and mask the identifiers that stores imported before masking keep in addresses, dispositions and category texts)",
  },
  usage:
    "parse [--format jsonl|text] [--region R] [--dict FILE | --db PATH] [--model FILE] < addresses.txt\n" +
    "  train --corpus FILE.jsonl --out MODEL.json [--epochs 6] [--seed 1] [--trainer crf|perceptron]\n" +
    "  eval --corpus FILE.jsonl [--model MODEL.json] [--region R] [--dict FILE]\n" +
    "  learn --dict FILE.json [--min-count 3] [--region R] < addresses.txt\n" +
    "  learn --db PATH [--min-count 3] [--dry-run] [--json]\n" +
    "  rekey [--db PATH] [--region R] [--dict FILE] [--model FILE] [--dry-run] [--json]\n" +
    "  dict [show|set FILE|clear] [--db PATH] [--json]",
  options: {
    format: { type: "string", default: "jsonl" },
    region: { type: "string" },
    dict: { type: "string" },
    model: { type: "string" },
    corpus: { type: "string" },
    out: { type: "string" },
    epochs: { type: "string" },
    seed: { type: "string" },
    trainer: { type: "string" },
    "min-count": { type: "string" },
    db: { type: "string" },
    "dry-run": { type: "boolean" },
  },
  async run(args, ctx) {
    const [sub] = args.positionals;
    if (sub === "parse") return parseLines(args.values, ctx);
    if (sub === "train") return train(args.values, ctx);
    if (sub === "learn") return learn(args.values, ctx);
    if (sub === "eval") return evaluate(args.values, ctx);
    if (sub === "dict") {
      const { placeDictionaryCommand } = await import("./place-dict.ts");
      return placeDictionaryCommand(args.positionals.slice(1), args.values, ctx, readJson);
    }
    if (sub === "rekey") {
      const options = await locatorOptionsFrom({ ...args.values, region: undefined }, ctx);
      if (!options) return 1;
      const { rekey } = await import("./rekey.ts");
      return rekey(args.values, options, ctx);
    }
    println(
      ctx.stderr,
      t(
        ctx,
        "用法：recur address parse|train|eval|learn|rekey|dict …",
        "usage: recur address parse|train|eval|learn|rekey|dict …",
      ),
    );
    return 2;
  },
};
