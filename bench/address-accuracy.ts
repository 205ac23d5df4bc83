/**
 * Accuracy of the Chinese address parser: entity-level micro F1 (exact label and span) per label
 * and overall on ../shared/data/address/{leodotnet,swei412}/dev.jsonl, for
 *   1. rules only (gazetteer + suffix rules, nothing learned), and
 *   2. the tagger trained AT RUN TIME on the corpus' own train.jsonl through the project command
 *      `recur address train` (nothing learned is shipped; the model goes to a temp folder).
 * Run: npm run accuracy:address [-- --rules-only] [-- --epochs N]
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Entity,
  entityScores,
  type LabelScore,
  nationalGazetteer,
  parseRules,
  restoreTaggerModel,
  SCORED_LABELS,
  spansToEntities,
  Tagger,
} from "../src/address/index.ts";
import { nationalVillages } from "../src/cli/village-register.ts";

const root = join(import.meta.dirname, "..");
const dataDir = join(root, "..", "shared", "data", "address");
const rulesOnly = process.argv.includes("--rules-only");
const epochsArg = process.argv.indexOf("--epochs");
const epochs = epochsArg > 0 ? (process.argv[epochsArg + 1] ?? "6") : "6";

if (!existsSync(dataDir)) {
  console.log(`skipped: ${dataDir} is absent (the labelled corpora are not shipped with recur)`);
  process.exit(0);
}

interface Row {
  readonly text: string;
  readonly entities: Entity[];
}
const read = (corpus: string, split: string): Row[] =>
  readFileSync(join(dataDir, corpus, `${split}.jsonl`), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Row);

const gazetteer = nationalGazetteer();
const results: { corpus: string; mode: string; scores: LabelScore[]; rate: number }[] = [];
const work = mkdtempSync(join(tmpdir(), "recur-address-"));
try {
  for (const corpus of ["leodotnet", "swei412"]) {
    const dev = read(corpus, "dev");
    let t = performance.now();
    const rulePairs = dev.map((r) => ({
      gold: r.entities,
      predicted: spansToEntities(r.text, parseRules(r.text, gazetteer).spans),
    }));
    results.push({
      corpus,
      mode: "rules",
      scores: entityScores(rulePairs),
      rate: dev.length / ((performance.now() - t) / 1000),
    });
    if (rulesOnly) continue;
    const modelPath = join(work, `${corpus}.json`);
    t = performance.now();
    execFileSync(
      join(root, "bin", "recur"),
      [
        "address",
        "train",
        "--corpus",
        join(dataDir, corpus, "train.jsonl"),
        "--out",
        modelPath,
        "--epochs",
        epochs,
        "--lang",
        "en",
      ],
      { stdio: ["ignore", "inherit", "inherit"] },
    );
    console.log(`${corpus}: trained in ${((performance.now() - t) / 1000).toFixed(1)} s (epochs ${epochs})`);
    const model = restoreTaggerModel(JSON.parse(readFileSync(modelPath, "utf8")));
    const tagger = new Tagger(model, gazetteer, model.villages ? nationalVillages() : null);
    t = performance.now();
    const pairs = dev.map((r) => ({
      gold: r.entities,
      predicted: spansToEntities(r.text, tagger.spans(r.text)),
    }));
    results.push({
      corpus,
      mode: "trained",
      scores: entityScores(pairs),
      rate: dev.length / ((performance.now() - t) / 1000),
    });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const cols = results.map((r) => `${r.corpus}/${r.mode}`);
console.log(
  "\nEntity-level F1 on dev.jsonl (exact label and span); rules = rule-only, trained = tagger trained at run time on train.jsonl",
);
console.log(["label".padEnd(10), ...cols.map((c) => c.padStart(19))].join(" "));
for (const label of [...SCORED_LABELS, "overall"]) {
  const cells = results.map((r) => {
    const s = r.scores.find((x) => x.label === label) as LabelScore;
    return `${s.f1.toFixed(3)} (n=${s.gold})`.padStart(19);
  });
  console.log([label.padEnd(10), ...cells].join(" "));
}
console.log(["addr/s".padEnd(10), ...results.map((r) => r.rate.toFixed(0).padStart(19))].join(" "));
console.log("\nPrecision / recall per label");
console.log(["label".padEnd(10), ...cols.map((c) => c.padStart(19))].join(" "));
for (const label of [...SCORED_LABELS, "overall"]) {
  const cells = results.map((r) => {
    const s = r.scores.find((x) => x.label === label) as LabelScore;
    return `P ${s.precision.toFixed(3)} R ${s.recall.toFixed(3)}`.padStart(19);
  });
  console.log([label.padEnd(10), ...cells].join(" "));
}
console.log(
  `machine load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(" ")}`,
);
