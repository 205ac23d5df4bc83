import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import iconv from "iconv-lite";
import { afterAll, describe, expect, test } from "vitest";
import { restoreDictionary } from "../../address/dictionary.ts";
import { Gazetteer } from "../../address/gazetteer.ts";
import { main } from "../main.ts";
import { truthPath } from "./generate.ts";

const dir = mkdtempSync(join(tmpdir(), "recur-generate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(): Writable & { text: string } {
  const w = new Writable({
    write(chunk, _encoding, done) {
      w.text += String(chunk);
      done();
    },
  }) as Writable & { text: string };
  w.text = "";
  return w;
}

async function generate(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = capture();
  const stderr = capture();
  const code = await main(["generate", ...args], { stdout, stderr, cwd: dir, env: {} });
  return { code, out: stdout.text, err: stderr.text };
}

describe("recur generate", () => {
  test("GBK output decodes to the same text as UTF-8, and both truth files are equal", async () => {
    const utf8 = await generate(["--incidents", "1500", "--seed", "4", "--out", "a.csv", "--json"]);
    const gbk = await generate([
      "--incidents",
      "1500",
      "--seed",
      "4",
      "--out",
      "b.csv",
      "--encoding",
      "gbk",
      "--json",
    ]);
    expect(utf8.code).toBe(0);
    expect(gbk.code).toBe(0);
    const text = readFileSync(join(dir, "a.csv"), "utf8");
    const gbkBytes = readFileSync(join(dir, "b.csv"));
    expect(gbkBytes.equals(Buffer.from(text, "utf8"))).toBe(false);
    expect(iconv.decode(gbkBytes, "gbk")).toBe(text);
    expect(readFileSync(join(dir, "a.truth.json"), "utf8")).toBe(
      readFileSync(join(dir, "b.truth.json"), "utf8"),
    );
    expect(JSON.parse(utf8.out)).toMatchObject({ rows: 1500, encoding: "utf8" });
    expect(text.split("\r\n")[0]).toBe(
      "接警单号,报警时间,接警时间,派警时间,到场时间,反馈时间,报警电话,警情类别,警情细类,处置部门,发生地址,经度,纬度,坐标系,所属分局,所属派出所,所属警务区,简要案情,处警结果,反馈内容",
    );
    const truth = JSON.parse(readFileSync(join(dir, "a.truth.json"), "utf8"));
    expect(Object.keys(truth)).toEqual(["series", "duplicates", "defects", "meta"]);
    expect(JSON.parse(utf8.out).places).toBe(join(dir, "a.places.json"));
  });

  test("writes the city's place dictionary, which the address module reads without complaint", async () => {
    const r = await generate(["--incidents", "100", "--out", "d.csv", "--json"]);
    expect(r.code).toBe(0);
    const json = JSON.parse(readFileSync(join(dir, "d.places.json"), "utf8"));
    const { dictionary, issues } = restoreDictionary(json);
    expect(issues).toEqual([]);
    expect(dictionary.places.length).toBeGreaterThan(1500);
    const gazetteer = new Gazetteer(json.divisions);
    expect(gazetteer.maxNameLength).toBeGreaterThan(2);
    expect(json.divisions[0].children[0].name).toBe("澜江市");
  });

  test("reports in the chosen language", async () => {
    const en = await generate(["--incidents", "50", "--out", "c.csv", "--lang", "en"]);
    expect(en.out).toContain("Generated 50 incidents");
    const zh = await generate(["--incidents", "50", "--out", "c.csv", "--lang", "zh"]);
    expect(zh.out).toContain("已生成 50 条警情");
  });

  test.each([
    [["--out", "x.csv"], "--incidents"],
    [["--incidents", "ten", "--out", "x.csv"], "--incidents"],
    [["--incidents", "10"], "--out"],
    [["--incidents", "10", "--out", "x.csv", "--encoding", "latin1"], "--encoding"],
    [["--incidents", "10", "--out", "x.csv", "--start", "2024-13-45"], "--start"],
  ])("bad options %j are a usage error naming %s", async (args, name) => {
    const r = await generate([...args, "--lang", "en"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(name);
  });

  test("an unwritable output path is a clear error, not a stack trace", async () => {
    const r = await generate(["--incidents", "10", "--out", join(dir, "missing", "x.csv"), "--lang", "en"]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^Write failed: /);
  });

  test("the truth file sits beside the export", () => {
    expect(truthPath("/tmp/city.csv")).toBe("/tmp/city.truth.json");
    expect(truthPath("/tmp/city")).toBe("/tmp/city.truth.json");
  });
});
