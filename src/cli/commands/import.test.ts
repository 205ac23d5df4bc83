import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { nationalGazetteer } from "../../address/gazetteer.ts";
import { trainTagger } from "../../address/tagger.ts";
import { addressComponentsFromJson, RecurError } from "../../domain/index.ts";
import { SYNTH_HEADER, synthRow, tempDir, writeText } from "../../ingest/testing/files.ts";
import { zip } from "../../ingest/testing/zip.ts";
import { openStore } from "../../store/index.ts";
import { runCli, runCliOutcome } from "../testing.ts";
import { importTesting, importThreadFailure } from "./import.ts";

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  return runCli(args, { cwd, env });
}

describe("recur import", { timeout: 90_000 }, () => {
  const dir = tempDir("recur-import-cli-");
  /** Imports `path` with the synthetic profile and extra arguments, then reads back incidents by source id. */
  const importedIncidents = async (path: string, args: string[], db: string, ids: string[]) => {
    const { code } = await run(
      ["import", path, "--profile", "synthetic", "--db", db, "--json", ...args],
      dir,
    );
    expect(code).toBe(0);
    const store = await openStore({ path: db });
    try {
      return await Promise.all(ids.map((id) => store.incidents.get("synthetic-110", id)));
    } finally {
      await store.close();
    }
  };
  const file = writeText(
    dir,
    "calls.csv",
    [SYNTH_HEADER, synthRow({ 接警单号: "C1" }), synthRow({ 接警单号: "C2", 报警时间: "不详" })].join("\n"),
    "gbk",
  );

  test("imports into SQLite, prints the JSON summary and creates the secret next to the db", async () => {
    const db = join(dir, "recur.db");
    const { code, out } = await run(["import", file, "--profile", "synthetic", "--db", db, "--json"], dir);
    expect(code).toBe(0);
    const summary = JSON.parse(out);
    expect(summary).toMatchObject({ rows: 2, imported: 1, rejected: 1, duplicates: 0, encoding: "gb18030" });
    expect(typeof summary.seconds).toBe("number");
    expect(summary.sampleRejections[0]).toMatchObject({
      file: "calls.csv",
      row: 2,
      field: "receivedAt",
      code: "bad_time",
    });
    expect(statSync(join(dir, "recur.secret")).mode & 0o777).toBe(0o600);
    const store = await openStore({ path: db });
    try {
      expect(await store.incidents.count()).toBe(1);
      expect(await store.quarantine.count()).toBe(1);
    } finally {
      await store.close();
    }
    // Again: nothing new.
    const again = JSON.parse(
      (await run(["import", file, "--profile", "synthetic", "--db", db, "--json"], dir)).out,
    );
    expect(again).toMatchObject({ imported: 0, duplicates: 1, updated: 0, stale: 0, rejected: 1 });
    // The same file's rejected row is quarantined once.
    const reopened = await openStore({ path: db });
    try {
      expect(await reopened.quarantine.count()).toBe(1);
    } finally {
      await reopened.close();
    }
  });

  test("a later, overlapping export fills in a stored call and the summary says so in both languages", async () => {
    const db = join(dir, "later.db");
    const open = { 到场时间: "", 反馈时间: "", 处警结果: "", 反馈内容: "" };
    const first = writeText(
      dir,
      "first.csv",
      [SYNTH_HEADER, synthRow({ 接警单号: "U1", ...open }), synthRow({ 接警单号: "U2" })].join("\n"),
      "utf8",
    );
    const second = writeText(
      dir,
      "second.csv",
      [
        SYNTH_HEADER,
        synthRow({ 接警单号: "U1" }),
        synthRow({ 接警单号: "U2" }),
        synthRow({ 接警单号: "U3" }),
      ].join("\n"),
      "utf8",
    );
    const [before] = await importedIncidents(first, [], db, ["U1"]);
    expect(before).toMatchObject({ feedback: null, arrivedAt: null });
    const json = await run(["import", second, "--profile", "synthetic", "--db", db, "--json"], dir);
    expect(JSON.parse(json.out)).toMatchObject({ rows: 3, imported: 1, updated: 1, stale: 0, duplicates: 1 });
    const [after] = await importedIncidents(first, [], db, ["U1"]);
    expect(after?.feedback).toContain("民警到场调解");
    expect(after?.arrivedAt).toBe(Date.UTC(2024, 4, 1, 0, 10, 0));
    const again = writeText(
      dir,
      "second-again.csv",
      [SYNTH_HEADER, synthRow({ 接警单号: "U1", 处警结果: "已处置" })].join("\n"),
      "utf8",
    );
    const en = await run(["import", again, "--profile", "synthetic", "--db", db, "--lang", "en"], dir);
    expect(en.out).toContain("rows 1, imported 0, rejected 0, duplicates 0, updated 1");
    const older = writeText(
      dir,
      "older.csv",
      [SYNTH_HEADER, synthRow({ 接警单号: "U1", ...open, 处警结果: "处置中" })].join("\n"),
      "utf8",
    );
    const zh = await run(["import", older, "--profile", "synthetic", "--db", db, "--lang", "zh"], dir);
    expect(zh.out).toContain("行数 1，新增 0，隔离 0，重复 0，更新 0");
    expect(zh.out).toContain("1 行比已存警情（或文件中同一警情的前一行）更早");
  });

  test("the human summary lists rejections as 'file, row, field: why' in the chosen language", async () => {
    const db = join(dir, "human.db");
    const en = await run(["import", file, "--profile", "synthetic", "--db", db, "--lang", "en"], dir);
    expect(en.code).toBe(0);
    expect(en.out).toContain("rows 2, imported 1, rejected 1, duplicates 0, updated 0");
    expect(en.out).toContain(
      'calls.csv, row 2, column "报警时间" (time received): time "不详" does not match the format',
    );
    const zh = await run(["import", file, "--profile", "synthetic", "--db", db, "--lang", "zh"], dir);
    expect(zh.out).toContain("calls.csv，第2行，列“报警时间”：时间“不详”不符合格式");
  });

  test("a file whose every row is rejected exits with 3 and says that nothing was imported", async () => {
    const bad = writeText(
      dir,
      "all-bad.csv",
      [
        SYNTH_HEADER,
        synthRow({ 接警单号: "B1", 报警时间: "" }),
        synthRow({ 接警单号: "B2", 报警时间: "不详" }),
      ].join("\n"),
    );
    const db = join(dir, "all-bad.db");
    const json = await run(["import", bad, "--profile", "synthetic", "--db", db, "--json"], dir);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.out)).toMatchObject({ rows: 2, imported: 0, rejected: 2 });
    const en = await run(["import", bad, "--profile", "synthetic", "--db", db, "--lang", "en"], dir);
    expect(en.code).toBe(3);
    expect(en.err).toContain("nothing was imported: all 2 rows were rejected");
    const zh = await run(["import", bad, "--profile", "synthetic", "--db", db, "--lang", "zh"], dir);
    expect(zh.code).toBe(3);
    expect(zh.err).toContain("没有导入任何警情：全部 2 行都被隔离");
  });

  test("a header-only file and a partly rejected file exit with 0", async () => {
    const empty = writeText(dir, "header-only.csv", `${SYNTH_HEADER}\n`);
    const db = join(dir, "zero.db");
    const none = await run(["import", empty, "--profile", "synthetic", "--db", db, "--json"], dir);
    expect(none.code).toBe(0);
    expect(JSON.parse(none.out)).toMatchObject({ rows: 0, rejected: 0 });
    expect((await run(["import", file, "--profile", "synthetic", "--db", db, "--json"], dir)).code).toBe(0);
  });

  test("an export with a title above its header imports, and the summary says the title was not read as data", async () => {
    const titled = writeText(
      dir,
      "titled.csv",
      ["2024年5月警情登记表", "", SYNTH_HEADER, synthRow({ 接警单号: "TT1" })].join("\n"),
    );
    const json = await run(
      ["import", titled, "--profile", "synthetic", "--db", join(dir, "titled.db"), "--json"],
      dir,
    );
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ rows: 1, imported: 1, titleRows: 1 });
    const text = await run(
      ["import", titled, "--profile", "synthetic", "--db", join(dir, "titled2.db"), "--lang", "zh"],
      dir,
    );
    expect(text.out).toContain("表头之上的 1 行（标题、查询条件等，空行不计）未作为数据读取");
  });

  test("the summary lists every distinct unmapped category and department with its count, most frequent first", async () => {
    const rows = [
      ...Array.from({ length: 3 }, (_, i) =>
        synthRow({ 接警单号: `U${i}`, 警情类别: "奇闻", 警情细类: "怪事" }),
      ),
      ...Array.from({ length: 7 }, (_, i) =>
        synthRow({ 接警单号: `V${i}`, 警情类别: "杂项", 警情细类: "", 处置部门: "海事局" }),
      ),
      synthRow({ 接警单号: "W1", 警情类别: "另类", 警情细类: "13812345678" }),
      ...Array.from({ length: 6 }, (_, i) =>
        synthRow({ 接警单号: `X${i}`, 警情类别: `类${i}`, 警情细类: "" }),
      ),
    ];
    const unmapped = writeText(dir, "unmapped.csv", [SYNTH_HEADER, ...rows].join("\n"));
    const db = join(dir, "unmapped.db");
    const json = await run(["import", unmapped, "--profile", "synthetic", "--db", db, "--json"], dir);
    expect(json.code).toBe(0);
    const summary = JSON.parse(json.out);
    expect(summary.unmappedValues.category.slice(0, 2)).toEqual([
      { value: "杂项", count: 7 },
      { value: "奇闻/怪事", count: 3 },
    ]);
    // Every distinct value, not the first five warnings; identifiers masked like other issue values.
    expect(summary.unmappedValues.category).toHaveLength(9);
    expect(JSON.stringify(summary.unmappedValues)).not.toContain("13812345678");
    expect(summary.unmappedValues.department).toEqual([{ value: "海事局", count: 7 }]);
    const en = await run(["import", unmapped, "--profile", "synthetic", "--db", db, "--lang", "en"], dir);
    expect(en.out).toContain("Values not in the category code map (9, most frequent first):");
    expect(en.out).toMatch(/\n\s+7\s+杂项\n\s+3\s+奇闻\/怪事\n/);
    expect(en.out).toContain("Values not in the department code map (1, most frequent first):");
    const zh = await run(["import", unmapped, "--profile", "synthetic", "--db", db, "--lang", "zh"], dir);
    expect(zh.out).toContain("不在类别代码映射中的值（9 种，按次数从多到少）:");
  });

  test("issues name the file's column and the field's meaning, in Chinese and in English", async () => {
    const late = writeText(
      dir,
      "late.csv",
      [
        SYNTH_HEADER,
        synthRow({ 接警单号: "L1", 到场时间: "2024-05-01 07:45:00", 反馈时间: "2031-01-01 08:00:00" }),
      ].join("\n"),
    );
    const db = join(dir, "late.db");
    const zh = await run(["import", late, "--profile", "synthetic", "--db", db, "--lang", "zh"], dir);
    expect(zh.out).toContain("late.csv，第1行，列“到场时间”：到场时间早于派警时间（16 分钟），已保留");
    expect(zh.out).toContain("late.csv，第1行，列“反馈时间”：时间“2031-01-01 08:00:00”在未来");
    expect(zh.out).not.toMatch(/arrivedAt|closedAt|dispatchedAt/);
    const en = await run(
      ["import", late, "--profile", "synthetic", "--db", join(dir, "late-en.db"), "--lang", "en"],
      dir,
    );
    expect(en.out).toContain(
      'late.csv, row 1, column "到场时间" (time arrived): time arrived is earlier than time dispatched (16 min); kept',
    );
    const json = JSON.parse(
      (await run(["import", late, "--profile", "synthetic", "--db", join(dir, "late-j.db"), "--json"], dir))
        .out,
    );
    expect(json.sampleWarnings.find((w: { code: string }) => w.code === "time_order")).toMatchObject({
      field: "arrivedAt",
      column: ["到场时间"],
      params: { before: "dispatchedAt", minutes: 16 },
    });
  });

  test("RECUR_SECRET says where the secret lives", async () => {
    const secret = join(dir, "elsewhere.secret");
    const { code } = await run(
      ["import", file, "--profile", "synthetic", "--db", join(dir, "s.db"), "--json"],
      dir,
      {
        RECUR_SECRET: secret,
      },
    );
    expect(code).toBe(0);
    expect(existsSync(secret)).toBe(true);
  });

  test("--areas fills the area of rows whose export names none from the boundaries their coordinates fall in", async () => {
    const calls = writeText(
      dir,
      "areas.csv",
      [
        SYNTH_HEADER,
        synthRow({ 接警单号: "AR1", 所属警务区: "", 经度: "120.15", 纬度: "30.2", 坐标系: "WGS84" }),
        synthRow({ 接警单号: "AR2", 所属警务区: "", 经度: "121.5", 纬度: "31.2", 坐标系: "WGS84" }),
      ].join("\n"),
      "utf8",
    );
    const ring = [
      [120.0, 30.1],
      [120.2, 30.1],
      [120.2, 30.3],
      [120.0, 30.3],
      [120.0, 30.1],
    ];
    const geojson = writeText(
      dir,
      "areas.geojson",
      JSON.stringify({
        type: "FeatureCollection",
        features: [
          {
            type: "Feature",
            properties: { 编码: "阳光警务区" },
            geometry: { type: "Polygon", coordinates: [ring] },
          },
        ],
      }),
      "utf8",
    );
    const db = join(dir, "areas.db");
    const { code, out } = await run(
      [
        "import",
        calls,
        "--profile",
        "synthetic",
        "--db",
        db,
        "--areas",
        geojson,
        "--area-id",
        "编码",
        "--json",
      ],
      dir,
    );
    expect(code).toBe(0);
    expect(JSON.parse(out).areasFromBoundaries).toBe(1);
    const store = await openStore({ path: db });
    try {
      expect((await store.incidents.get("synthetic-110", "AR1"))?.areaUnit).toBe("阳光警务区");
      expect((await store.incidents.get("synthetic-110", "AR2"))?.areaUnit).toBeNull();
    } finally {
      await store.close();
    }
    // Boundaries without the property named: the import does not start.
    const wrong = await run(
      [
        "import",
        calls,
        "--profile",
        "synthetic",
        "--db",
        join(dir, "areas2.db"),
        "--areas",
        geojson,
        "--lang",
        "en",
      ],
      dir,
    );
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('areas.geojson: feature 1 has no property "id" (the area code)');
    expect(existsSync(join(dir, "areas2.db"))).toBe(false);
    // A feature that is not a polygon: checked as `recur areas set` checks, the import does not start.
    const point = writeText(
      dir,
      "areas-point.geojson",
      JSON.stringify({
        type: "FeatureCollection",
        features: [
          { type: "Feature", properties: { 编码: "x" }, geometry: { type: "Point", coordinates: [120, 30] } },
        ],
      }),
      "utf8",
    );
    const refused = await run(
      [
        "import",
        calls,
        "--profile",
        "synthetic",
        "--db",
        join(dir, "areas2.db"),
        "--areas",
        point,
        "--area-id",
        "编码",
      ],
      dir,
    );
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("第 1 个要素（x）的几何类型是 Point");
    expect(existsSync(join(dir, "areas2.db"))).toBe(false);
  });

  test("--dict reads the deployment's place dictionary: its aliases give two spellings one key", async () => {
    const places = writeText(
      dir,
      "places.csv",
      [
        SYNTH_HEADER,
        synthRow({ 接警单号: "D1", 发生地址: "澜东区阳光花园3栋2单元501室" }),
        synthRow({ 接警单号: "D2", 发生地址: "澜东区阳光小区3栋2单元501室" }),
      ].join("\n"),
      "utf8",
    );
    const dict = writeText(
      dir,
      "places.json",
      JSON.stringify({ aliases: { 阳光花园: "阳光小区" }, places: [{ name: "阳光小区", kind: "poi" }] }),
      "utf8",
    );
    const rooms = async (args: string[], db: string) => {
      const [d1, d2] = await importedIncidents(places, args, db, ["D1", "D2"]);
      expect(
        addressComponentsFromJson(d1?.addressComponents ?? "[]")
          .map((c) => c.text)
          .join(""),
      ).toBe("澜东区阳光花园3栋2单元501室");
      return [d1?.location.room, d2?.location.room];
    };
    const [plain1, plain2] = await rooms([], join(dir, "nodict.db"));
    expect(plain1).not.toBe(plain2);
    const [dict1, dict2] = await rooms(["--dict", dict], join(dir, "dict.db"));
    expect(dict1).not.toBeNull();
    expect(dict1).toBe(dict2);
  });

  test("--model parses the addresses with the deployment's trained tagger instead of the rules", async () => {
    // A tagger trained on addresses labelled as one `otherinfo` each: with it an address is one
    // component; the rules split the same address into district, road, number, compound ...
    const whole = [
      "滨江区春华路88号阳光花园3栋2单元501室",
      "西湖区文三路12号红星苑5幢1单元302室",
      "上城区建国路7号",
    ];
    const train = whole
      .flatMap((text) => [text, `${text}旁`])
      .map((text) => ({
        text,
        entities: [{ label: "otherinfo", text }],
      }));
    const modelFile = writeText(
      dir,
      "model.json",
      JSON.stringify(trainTagger(train, nationalGazetteer(), { epochs: 4 })),
      "utf8",
    );
    const components = async (args: string[], db: string) => {
      const [c1] = await importedIncidents(file, args, db, ["C1"]);
      return addressComponentsFromJson(c1?.addressComponents ?? "[]").map((c) => c.label);
    };
    expect((await components([], join(dir, "rules.db"))).length).toBeGreaterThan(3);
    expect(await components(["--model", modelFile], join(dir, "model.db"))).toEqual(["otherinfo"]);
  });

  test.each([
    [["import", "calls.csv", "--profile", "synthetic", "--dict", "no-such-dictionary.json"], 1],
    [["import", "calls.csv", "--profile", "synthetic", "--model", "no-such-model.json"], 1],
    [["import", "calls.csv", "--profile", "synthetic", "--model", "calls.csv"], 1],
    [["import"], 2],
    [["import", "calls.csv"], 2],
    [["import", "calls.csv", "--profile", "synthetic", "--encoding", "latin9"], 2],
    [["import", "calls.csv", "--profile", "synthetic", "--limit", "10k"], 2],
    [["import", "calls.csv", "--profile", "synthetic", "--limit", "2.5"], 2],
    [["import", "calls.csv", "--profile", "synthetic", "--chunk-rows", "0"], 2],
    [["import", "missing.csv", "--profile", "synthetic"], 1],
    [["import", "/dev/null", "--profile", "synthetic"], 1],
    [["import", "calls.csv", "--profile", "no-such-profile"], 1],
  ])("%j exits with %i and a message, no stack trace", async (args, expected) => {
    const { code, out, err } = await run([...args, "--db", join(dir, "e.db"), "--lang", "en"], dir);
    expect(code).toBe(expected);
    expect(out + err).not.toMatch(/\n\s+at /);
    expect((out + err).length).toBeGreaterThan(0);
  });
});

test("an unknown --encoding lists every encoding the import reads", async () => {
  const dir = tempDir("recur-import-enc-");
  const { code, err } = await runCli(["import", "x.csv", "--profile", "synthetic", "--encoding", "latin1"], {
    cwd: dir,
    lang: "en",
  });
  expect(code).toBe(2);
  expect(err).toContain("auto, utf8, gbk, gb18030, utf16le");
});

describe("several files, or a directory", { timeout: 90_000 }, () => {
  /** Counts the store's incidents and reads one back. */
  const stored = async (db: string, id: string) => {
    const store = await openStore({ path: db });
    try {
      return {
        count: await store.incidents.count(),
        incident: await store.incidents.get("synthetic-110", id),
      };
    } finally {
      await store.close();
    }
  };

  test("a directory's exports go in one batch each, in name order (2024-9 before 2024-10), and the totals add up", async () => {
    const dir = tempDir("recur-import-many-");
    const exports = join(dir, "exports");
    mkdirSync(exports);
    // September's export has the call still open; October's has its feedback: the later export,
    // imported second because 9 < 10, fills it in. In plain string order (2024-10 < 2024-9) it
    // would come first and September's row would be stale.
    writeText(
      exports,
      "2024-9.csv",
      [
        SYNTH_HEADER,
        synthRow({ 接警单号: "M1", 反馈时间: "", 反馈内容: "" }),
        synthRow({ 接警单号: "M2" }),
      ].join("\n"),
    );
    writeText(
      exports,
      "2024-10.csv",
      [
        SYNTH_HEADER,
        synthRow({ 接警单号: "M1", 反馈内容: "已调解" }),
        synthRow({ 接警单号: "M3", 报警时间: "不详" }),
      ].join("\n"),
    );
    writeText(exports, "README.md", "not an export");
    writeText(exports, ".2024-11.csv", "a hidden file");
    const db = join(dir, "many.db");
    const { code, out } = await run(["import", exports, "--profile", "synthetic", "--db", db, "--json"], dir);
    expect(code).toBe(0);
    const summary = JSON.parse(out);
    expect(summary).toMatchObject({
      rows: 4,
      imported: 2,
      updated: 1,
      rejected: 1,
      duplicates: 0,
      stale: 0,
      failed: [],
    });
    expect(summary.files.map((f: { file: string }) => f.file)).toEqual(["2024-9.csv", "2024-10.csv"]);
    expect(new Set(summary.files.map((f: { batchId: string }) => f.batchId)).size).toBe(2);
    const { count, incident } = await stored(db, "M1");
    expect(count).toBe(2);
    expect(incident?.feedback).toBe("已调解");
  });

  test("files named one by one go in the order given; the human summary ends with the totals", async () => {
    const dir = tempDir("recur-import-list-");
    const a = writeText(dir, "a.csv", [SYNTH_HEADER, synthRow({ 接警单号: "L1" })].join("\n"));
    const b = writeText(
      dir,
      "b.csv",
      [SYNTH_HEADER, synthRow({ 接警单号: "L1" }), synthRow({ 接警单号: "L2" })].join("\n"),
      "gbk",
    );
    const db = join(dir, "list.db");
    const { code, out } = await runCli(["import", b, a, a, "--profile", "synthetic", "--db", db], {
      cwd: dir,
      lang: "en",
    });
    expect(code).toBe(0);
    // a.csv named twice is imported once, after b.csv; its row is then a duplicate.
    expect(out.indexOf("Imported b.csv")).toBeGreaterThanOrEqual(0);
    expect(out.indexOf("Imported a.csv")).toBeGreaterThan(out.indexOf("Imported b.csv"));
    expect(out).toMatch(/2 files \(2 imported\): rows 3, imported 2, rejected 0, duplicates 1, updated 0/);
    expect((await stored(db, "L2")).count).toBe(2);
  });

  test("a file named by its path and through a link, or an archive named twice, is imported once; a link in a directory is imported", async () => {
    const dir = tempDir("recur-import-links-");
    const a = writeText(dir, "a.csv", [SYNTH_HEADER, synthRow({ 接警单号: "K1" })].join("\n"));
    symlinkSync(a, join(dir, "a-link.csv"));
    writeFileSync(join(dir, "b.csv.gz"), gzipSync(`${SYNTH_HEADER}\n${synthRow({ 接警单号: "K2" })}\n`));
    const db = join(dir, "links.db");
    const { code, out } = await run(
      [
        "import",
        "a.csv",
        "a-link.csv",
        "b.csv.gz",
        "./b.csv.gz",
        "--profile",
        "synthetic",
        "--db",
        db,
        "--json",
      ],
      dir,
    );
    expect(code).toBe(0);
    expect(JSON.parse(out).files.map((f: { file: string }) => f.file)).toEqual(["a.csv", "b.csv"]);
    // A directory whose exports are links to the files (a share mounted elsewhere).
    const linked = join(dir, "linked");
    mkdirSync(linked);
    symlinkSync(a, join(linked, "2024-05.csv"));
    symlinkSync(dir, join(linked, "folder.csv"));
    symlinkSync(join(dir, "gone.csv"), join(linked, "dangling.csv"));
    const fromDir = await run(["import", linked, "--profile", "synthetic", "--db", db, "--json"], dir);
    expect(fromDir.code).toBe(0);
    expect(JSON.parse(fromDir.out)).toMatchObject({ file: "2024-05.csv", rows: 1, duplicates: 1 });
  });

  test("a file that fails is reported and the others are imported; the exit code is 1", async () => {
    const dir = tempDir("recur-import-fail-");
    const good = writeText(dir, "good.csv", [SYNTH_HEADER, synthRow({ 接警单号: "G1" })].join("\n"));
    const bad = writeText(dir, "bad.csv", "编号,时间\n1,2024-05-01\n");
    const db = join(dir, "fail.db");
    for (const lang of ["zh", "en"] as const) {
      const { code, out, err } = await runCli(
        ["import", bad, good, "--profile", "synthetic", "--db", db, "--json"],
        {
          cwd: dir,
          lang,
        },
      );
      expect(code).toBe(1);
      const summary = JSON.parse(out);
      expect(summary.files.map((f: { file: string }) => f.file)).toEqual(["good.csv"]);
      expect(summary.failed).toEqual([
        { file: "bad.csv", code: expect.any(String), message: expect.any(String) },
      ]);
      expect(err).toContain(lang === "zh" ? "bad.csv 未能导入" : "bad.csv was not imported");
    }
    expect((await stored(db, "G1")).count).toBe(1);
  });

  /** Runs the command as bin/recur does, keeping what it printed and what it threw. */
  const runMain = async (args: readonly string[], cwd: string) => {
    const { out, err, ...thrown } = await runCliOutcome(args, {
      cwd,
      env: { ...process.env, DATABASE_URL: "" },
    });
    return { thrown, out, err };
  };

  test("an internal error in the second of three files: the first file's totals, the file and the files not imported are printed, then the error is thrown with its stack", async () => {
    const dir = tempDir("recur-import-crash-");
    const files = ["a", "b", "c"].map((name, n) =>
      writeText(dir, `${name}.csv`, [SYNTH_HEADER, synthRow({ 接警单号: `X${n}` })].join("\n")),
    );
    const db = join(dir, "crash.db");
    const args = ["import", ...files, "--profile", "synthetic", "--db", db, "--lang", "en"];
    // An internal failure in the import thread, as a bug would cause one: the second file's job
    // breaks the thread's contract (a path that is no string), so the thread fails with Node's own
    // TypeError, which is no RecurError. (A file gone or replaced after the checks is the user's
    // doing and a clear error: the test below.)
    importTesting.beforeFile = (_target, index) =>
      index === 1 ? { path: 42 as unknown as string } : undefined;
    try {
      for (const json of [true, false]) {
        const { thrown, out, err } = await runMain(json ? [...args, "--json"] : args, dir);
        expect("error" in thrown).toBe(true);
        const error = (thrown as { error: unknown }).error;
        expect(error).toBeInstanceOf(Error);
        expect(error).not.toBeInstanceOf(RecurError);
        // As the import thread had it: its message, its stack (frames of the thread's code, the
        // worker's runJob among them) and its code.
        const message = (error as Error).message;
        expect(message).toContain('"path"');
        expect((error as Error).stack).toContain(`TypeError [ERR_INVALID_ARG_TYPE]: ${message}`);
        expect((error as Error).stack).toMatch(/\n\s+at importFile \(.*pipeline\.ts/);
        expect((error as Error).stack).toMatch(/\n\s+at runJob \(.*import-worker\.ts/);
        expect((error as { code?: string }).code).toBe("ERR_INVALID_ARG_TYPE");
        if (json) {
          const summary = JSON.parse(out);
          expect(summary).toMatchObject({
            rows: 1,
            imported: 1,
            failed: [],
            crashed: { file: "b.csv", message },
            notImported: ["c.csv"],
          });
          expect(summary.files.map((f: { file: string }) => f.file)).toEqual(["a.csv"]);
        } else {
          expect(out).toContain("3 files (1 imported, an internal error in b.csv, 1 after it not imported)");
          // a.csv again: its row is a duplicate now.
          expect(out).toContain("rows 1, imported 0, rejected 0, duplicates 1");
        }
        expect(err).toContain("the import stopped at b.csv on an internal error");
        expect(err).toContain("not imported after it: c.csv");
      }
      const store = await openStore({ path: db });
      try {
        // a.csv twice (the second time a duplicate), nothing of b.csv or c.csv.
        expect(await store.incidents.count()).toBe(1);
        expect((await store.batches.list()).map((b) => b.fileName)).toEqual(["a.csv", "a.csv"]);
      } finally {
        await store.close();
      }
    } finally {
      importTesting.beforeFile = undefined;
    }
  });

  test.each([
    ["en", "replaced by a folder", "b.csv is a directory now, not a file", "not_a_file"],
    ["zh", "removed", "文件 b.csv 已不存在", "file_not_found"],
  ] as const)(
    "(%s) a file %s after the checks is reported by name and the import goes on to the next",
    async (lang, _how, said, code) => {
      const dir = tempDir("recur-import-gone-");
      const files = ["a", "b", "c"].map((name, n) =>
        writeText(dir, `${name}.csv`, [SYNTH_HEADER, synthRow({ 接警单号: `G${n}` })].join("\n")),
      );
      const db = join(dir, "gone.db");
      // Between the checks and its turn, as when an export folder is rearranged during a long import.
      importTesting.beforeFile = (target, index) => {
        if (index !== 1) return;
        rmSync(target.path, { recursive: true, force: true });
        if (code === "not_a_file") mkdirSync(target.path);
      };
      try {
        const args = ["import", ...files, "--profile", "synthetic", "--db", db, "--lang", lang];
        const restore = () => {
          rmSync(files[1]!, { recursive: true, force: true });
          writeText(dir, "b.csv", [SYNTH_HEADER, synthRow({ 接警单号: "G1" })].join("\n"));
        };
        const json = await runMain([...args, "--json"], dir);
        expect(json.thrown).toEqual({ code: 1 });
        const summary = JSON.parse(json.out);
        expect(summary).toMatchObject({ rows: 2, imported: 2, failed: [{ file: "b.csv", code }] });
        expect(summary.failed[0].message).toContain(said);
        expect(summary.crashed).toBeUndefined();
        expect(summary.files.map((f: { file: string }) => f.file)).toEqual(["a.csv", "c.csv"]);
        expect(json.err).toContain(said);
        expect(json.err).not.toMatch(/\n\s+at /);

        restore();
        const human = await runMain(args, dir);
        expect(human.thrown).toEqual({ code: 1 });
        expect(human.err).toContain(
          lang === "zh" ? `b.csv 未能导入：${said}` : `b.csv was not imported: ${said}`,
        );
        expect(human.out).toContain(
          lang === "zh" ? "3 个文件（2 个已导入，1 个失败）" : "3 files (2 imported, 1 failed)",
        );
      } finally {
        importTesting.beforeFile = undefined;
      }
      const store = await openStore({ path: db });
      try {
        expect(await store.incidents.count()).toBe(2);
      } finally {
        await store.close();
      }
    },
  );

  test("a .zip of monthly exports and a .csv.gz import like the files they hold", async () => {
    const dir = tempDir("recur-import-zip-");
    const month = (ids: string[]) =>
      Buffer.from(`${[SYNTH_HEADER, ...ids.map((id) => synthRow({ 接警单号: id }))].join("\r\n")}\r\n`);
    writeFileSync(
      join(dir, "2024.zip"),
      zip([
        { name: "2024-10.csv", data: month(["Z2", "Z3"]), flags: 0x800 },
        { name: "2024-9.csv", data: month(["Z1"]), flags: 0x800 },
        { name: "readme.txt.bak", data: Buffer.from("notes") },
      ]),
    );
    writeFileSync(join(dir, "2024-11.csv.gz"), gzipSync(month(["Z3", "Z4"])));
    const db = join(dir, "zip.db");
    const { code, out } = await run(
      ["import", "2024.zip", "2024-11.csv.gz", "--profile", "synthetic", "--db", db, "--json"],
      dir,
    );
    expect(code).toBe(0);
    const summary = JSON.parse(out);
    expect(summary).toMatchObject({ rows: 5, imported: 4, duplicates: 1, failed: [] });
    expect(summary.files.map((f: { file: string }) => f.file)).toEqual([
      "2024-9.csv",
      "2024-10.csv",
      "2024-11.csv",
    ]);
    expect((await stored(db, "Z4")).count).toBe(4);
    // One archive holding one export: that file's own summary.
    const one = await run(["import", "2024-11.csv.gz", "--profile", "synthetic", "--db", db, "--json"], dir);
    expect(JSON.parse(one.out)).toMatchObject({ rows: 2, duplicates: 2, file: "2024-11.csv" });
  });

  test("Ctrl-C during the import of a .zip leaves no unpacked export in TMPDIR", async () => {
    const dir = tempDir("recur-import-sigint-");
    const tmp = join(dir, "tmp");
    mkdirSync(tmp);
    const rows = [SYNTH_HEADER];
    for (let i = 0; i < 100_000; i++) rows.push(synthRow({ 接警单号: `S${i}` }));
    writeFileSync(join(dir, "big.zip"), zip([{ name: "big.csv", data: Buffer.from(rows.join("\r\n")) }]));
    const unpacked = () => readdirSync(tmp).filter((name) => name.startsWith("recur-unpack-"));
    const recur = join(import.meta.dirname, "..", "..", "..", "bin", "recur");
    const child = spawn(recur, ["import", "big.zip", "--profile", "synthetic", "--db", join(dir, "s.db")], {
      cwd: dir,
      env: { ...process.env, TMPDIR: tmp, DATABASE_URL: "" },
    });
    const ended = new Promise<NodeJS.Signals | null>((done) =>
      child.on("exit", (_code, signal) => done(signal)),
    );
    // Interrupted once the export is unpacked and its import under way.
    for (let i = 0; i < 600 && unpacked().length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(unpacked()).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 500));
    child.kill("SIGINT");
    expect(await ended).toBe("SIGINT");
    expect(unpacked()).toEqual([]);
  });

  test("a temporary folder without room for the unpacked export is said so, not that the archive is damaged", async () => {
    const dir = tempDir("recur-import-full-");
    const tmp = join(dir, "tmp");
    mkdirSync(tmp);
    const rows = [SYNTH_HEADER];
    for (let i = 0; i < 20_000; i++) rows.push(synthRow({ 接警单号: `R${i}` }));
    writeFileSync(join(dir, "big.zip"), zip([{ name: "big.csv", data: Buffer.from(rows.join("\r\n")) }]));
    const recur = join(import.meta.dirname, "..", "..", "..", "bin", "recur");
    // Files of at most 1 MB (ulimit -f counts 1,024-byte blocks): the 4 MB export cannot be written.
    const child = spawn(
      "bash",
      ["-c", `ulimit -f 1024; exec "${recur}" import big.zip --profile synthetic --db s.db --lang en`],
      { cwd: dir, env: { ...process.env, TMPDIR: tmp, DATABASE_URL: "" } },
    );
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
    });
    const code = await new Promise<number | null>((done) => child.on("exit", (c) => done(c)));
    expect(code).toBe(1);
    expect(err).toContain("could not unpack big.csv of the archive big.zip into the temporary folder");
    expect(err).toContain("TMPDIR");
    expect(err).not.toContain("damaged");
    expect(readdirSync(tmp).filter((name) => name.startsWith("recur-unpack-"))).toEqual([]);
  });

  test("a missing file among several stops the command before anything is imported", async () => {
    const dir = tempDir("recur-import-missing-");
    const good = writeText(dir, "good.csv", [SYNTH_HEADER, synthRow({ 接警单号: "G1" })].join("\n"));
    const db = join(dir, "missing.db");
    const { code, out } = await runCli(
      ["import", good, "nope.csv", "--profile", "synthetic", "--db", db, "--json"],
      {
        cwd: dir,
        lang: "en",
      },
    );
    expect(code).toBe(1);
    expect(JSON.parse(out).error).toMatchObject({
      code: "file_not_found",
      message: expect.stringContaining("nope.csv"),
    });
    expect(existsSync(db)).toBe(false);
  });

  test.skipIf(!existsSync("/proc/self/mem"))(
    "a file that cannot be read among several stops the command before anything is imported, naming it",
    async () => {
      const dir = tempDir("recur-import-unreadable-");
      const good = writeText(dir, "good.csv", [SYNTH_HEADER, synthRow({ 接警单号: "U1" })].join("\n"));
      const db = join(dir, "unreadable.db");
      // Reading it fails (EIO), as a file of another user fails (EACCES) for anyone but root.
      for (const [lang, text] of [
        ["zh", "无法读取文件 /proc/self/mem"],
        ["en", "cannot read the file /proc/self/mem"],
      ] as const) {
        const { code, out } = await runCli(
          ["import", good, "/proc/self/mem", "--profile", "synthetic", "--db", db, "--json"],
          { cwd: dir, lang },
        );
        expect(code).toBe(1);
        expect(JSON.parse(out).error).toMatchObject({
          code: "file_unreadable",
          message: expect.stringContaining(text),
        });
      }
      expect(existsSync(db)).toBe(false);
    },
  );

  test("a directory without exports is refused with a message naming it, in Chinese and English", async () => {
    const dir = tempDir("recur-import-dir-");
    writeText(dir, "notes.md", "no export here");
    for (const [lang, text] of [
      ["zh", "没有可导入的文件"],
      ["en", "holds no file to import"],
    ] as const) {
      const { code, out } = await runCli(
        ["import", dir, "--profile", "synthetic", "--db", join(dir, "d.db"), "--json"],
        { cwd: dir, lang },
      );
      expect(code).toBe(1);
      expect(JSON.parse(out).error).toMatchObject({
        code: "no_files_in_directory",
        message: expect.stringContaining(text),
      });
    }
  });
});

describe("import thread failures", () => {
  test("running out of heap is a clear error in both languages, not a stack trace", () => {
    const oom = Object.assign(
      new Error("Worker terminated due to reaching memory limit: JS heap out of memory"),
      {
        code: "ERR_WORKER_OUT_OF_MEMORY",
      },
    );
    const error = importThreadFailure(oom);
    expect(error).toBeInstanceOf(RecurError);
    expect((error as RecurError).code).toBe("import_out_of_memory");
    expect((error as RecurError).messages.zh).toContain("本批次未写入任何数据");
    expect((error as RecurError).messages.en).toContain("nothing of this batch was stored");
  });

  test("any other failure passes through unchanged", () => {
    const other = new Error("disk full");
    expect(importThreadFailure(other)).toBe(other);
  });
});
