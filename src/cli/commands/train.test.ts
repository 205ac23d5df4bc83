import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { parseTextModel } from "../../text/model.ts";
import { runCli } from "../testing.ts";

async function recur(args: string[]) {
  const { code, out, err } = await runCli(args, { cwd: process.cwd(), lang: "en" });
  return { code, stdout: out, stderr: err };
}

const dir = mkdtempSync(join(tmpdir(), "recur-train-"));
const csv = join(dir, "labelled.csv");
// A small hand-written corpus (not real data), two text columns and a label.
const rows = [
  ["拖欠工资", "公司三个月不发工资", "labour"],
  ["讨薪", "包工头拖欠农民工工钱", "labour"],
  ["社保", "单位不给交社保", "labour"],
  ["欠薪", "老板欠薪跑路", "labour"],
  ["公交", "公交线路调整站点太远", "transport"],
  ["出租车", "出租车拒载绕路", "transport"],
  ["道路", "公路坑洼年久失修", "transport"],
  ["地铁", "地铁站出口拥挤", "transport"],
];
writeFileSync(csv, `主题,详情,部门\n${rows.map((r) => r.join(",")).join("\n")}\n`);

test("recur train cross-validates a labelled CSV and writes a model", async () => {
  const out = join(dir, "model.json");
  const r = await recur([
    "train",
    "--input",
    csv,
    "--text",
    "主题,详情",
    "--label",
    "部门",
    "--cv",
    "2",
    "--out",
    out,
    "--rules-map",
    '{"labour":"labour","transport":"transport"}',
    "--json",
  ]);
  expect(r.code).toBe(0);
  const result = JSON.parse(r.stdout);
  expect(result).toMatchObject({ examples: 8, classes: 2, savedTo: out });
  expect(result.crossValidation.foldMacroF1).toHaveLength(2);
  // Small data: the model is chosen by inner cross-validation, nested inside the outer folds.
  expect(result.crossValidation).toMatchObject({ nested: true });
  expect(result.crossValidation.chosenPerFold).toHaveLength(2);
  expect(result.tuning.trials).toHaveLength(10);
  expect(result.rulesOnly.macroF1).toBeGreaterThan(0.5);
  expect(parseTextModel(readFileSync(out, "utf8")).labels).toEqual(["labour", "transport"]);
});

test("a missing column is reported with the columns that exist", async () => {
  const r = await recur(["train", "--input", csv, "--text", "正文", "--label", "部门"]);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain("missing column(s) 正文");
  expect(r.stderr).toContain("主题");
});

test("bad options are usage errors", async () => {
  expect((await recur(["train", "--input", csv, "--label", "部门"])).code).toBe(2);
  expect((await recur(["train", "--algorithm", "svm"])).code).toBe(2);
  expect((await recur(["train", "--grid", "bert"])).code).toBe(2);
  expect(
    (await recur(["train", "--input", csv, "--text", "主题", "--label", "部门", "--cv", "1"])).code,
  ).toBe(2);
});
