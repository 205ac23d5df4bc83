import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { afterAll, expect, test } from "vitest";
import { main } from "../main.ts";

const dir = mkdtempSync(join(tmpdir(), "recur-address-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[], input = "", lang: "zh" | "en" = "en") {
  let stdout = "";
  let stderr = "";
  const out = new PassThrough().on("data", (c) => {
    stdout += c;
  });
  const err = new PassThrough().on("data", (c) => {
    stderr += c;
  });
  const code = await main(["address", ...args], {
    stdin: Readable.from([input]),
    stdout: out,
    stderr: err,
    env: {},
    lang,
    cwd: dir,
  });
  return { code, stdout, stderr };
}

test("recur address parse writes one JSON line per input line, entities covering the text", async () => {
  const lines = [
    "内蒙古自治区包头市昆都仑区阳光小区3栋2单元501",
    "  10XX ALBERNI ST",
    "",
    "阳光小区三号楼二单元501室",
  ];
  const { code, stdout } = await run(["parse", "--region", "包头市"], `${lines.join("\n")}\n`);
  expect(code).toBe(0);
  const rows = stdout
    .trim()
    .split("\n")
    .map(
      (l) =>
        JSON.parse(l) as {
          text: string;
          entities: { label: string; text: string }[];
          key: Record<string, unknown>;
        },
    );
  expect(rows.map((r) => r.text)).toEqual(lines);
  for (const r of rows) expect(r.entities.map((e) => e.text).join("")).toBe(r.text);
  expect(rows[0]?.key.room).toBe(rows[3]?.key.room);
  expect(rows[1]?.key.road).toBe("US:1000 ALBERNI ST");
  expect(rows[2]?.entities).toEqual([]);
});

test("a bad dictionary entry is reported in the user's language and the rest is used", async () => {
  writeFileSync(join(dir, "dict.json"), JSON.stringify({ aliases: { 阳光花园: "阳光小区", x: 1 } }));
  const { code, stdout, stderr } = await run(
    ["parse", "--dict", "dict.json"],
    "阳光花园3-2-501\n阳光小区3栋2单元501\n",
    "zh",
  );
  expect(code).toBe(0);
  expect(stderr).toContain("别名“x”无效");
  const [a, b] = stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l).key.room);
  expect(a).toBe(b);
});

test("learn adds frequent names to the dictionary file, train writes a model parse can use", async () => {
  const addresses = Array.from({ length: 4 }, (_, i) => `幸福家园${i + 1}栋1单元101`).join("\n");
  expect((await run(["learn", "--dict", "learned.json"], addresses)).code).toBe(0);
  const dict = JSON.parse(readFileSync(join(dir, "learned.json"), "utf8"));
  expect(dict.places).toEqual([{ name: "幸福家园", kind: "poi", count: 4 }]);

  const corpus = ["青枫公寓", "望江家园", "金色港湾", "云栖山庄"]
    .map((n, i) =>
      JSON.stringify({
        text: `${n}${i + 1}幢10${i}`,
        entities: [
          { label: "poi", text: n },
          { label: "houseno", text: `${i + 1}幢` },
          { label: "roomno", text: `10${i}` },
        ],
      }),
    )
    .join("\n");
  writeFileSync(join(dir, "corpus.jsonl"), `${corpus}\nnot json\n`);
  const trained = await run(["train", "--corpus", "corpus.jsonl", "--out", "model.json", "--epochs", "5"]);
  expect(trained.code).toBe(0);
  const perceptron = await run([
    "train",
    "--corpus",
    "corpus.jsonl",
    "--out",
    "p.json",
    "--trainer",
    "perceptron",
  ]);
  expect(perceptron.code).toBe(0);
  expect(trained.stderr).toContain("row 5");
  const parsed = await run(["parse", "--model", "model.json"], "望江家园7幢302\n");
  expect(JSON.parse(parsed.stdout).entities.map((e: { label: string }) => e.label)).toEqual([
    "poi",
    "houseno",
    "roomno",
  ]);
});

test("eval scores the rules or a model on a labelled corpus, per label and overall", async () => {
  const rows = [
    { text: "阳光小区3栋501", entities: ["poi:阳光小区", "houseno:3栋", "roomno:501"] },
    // The rules read 3号 after a building as its entrance: one miss for roomno.
    { text: "幸福家园2幢3号", entities: ["poi:幸福家园", "houseno:2幢", "roomno:3号"] },
  ].map((r) =>
    JSON.stringify({
      text: r.text,
      entities: r.entities.map((e) => ({
        label: e.slice(0, e.indexOf(":")),
        text: e.slice(e.indexOf(":") + 1),
      })),
    }),
  );
  writeFileSync(join(dir, "gold.jsonl"), `${rows.join("\n")}\n`);
  const { code, stdout } = await run(["eval", "--corpus", "gold.jsonl", "--json"]);
  expect(code).toBe(0);
  const result = JSON.parse(stdout) as {
    parser: string;
    scores: { label: string; gold: number; correct: number; f1: number }[];
  };
  expect(result.parser).toBe("rules");
  const by = new Map(result.scores.map((s) => [s.label, s]));
  expect(by.get("poi")).toMatchObject({ gold: 2, correct: 2, f1: 1 });
  expect(by.get("roomno")).toMatchObject({ gold: 2, correct: 1 });
  expect(by.get("overall")).toMatchObject({ gold: 6, correct: 5 });
  expect((await run(["eval"])).code).toBe(2);
});

test("usage errors exit with 2, unreadable files with 1", async () => {
  expect((await run([])).code).toBe(2);
  expect((await run(["train", "--corpus", "x.jsonl"])).code).toBe(2);
  const svm = await run(["train", "--corpus", "x.jsonl", "--out", "m.json", "--trainer", "svm"]);
  expect(svm.code).toBe(2);
  expect(svm.stderr).toContain("--trainer");
  expect((await run(["parse", "--format", "xml"])).code).toBe(2);
  expect((await run(["parse", "--model", "missing.json"])).code).toBe(1);
});
