import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import fc from "fast-check";
import Papa from "papaparse";
import { describe, expect, test } from "vitest";
import { jurisdictions } from "../address/geo.ts";
import { createAddressLocator } from "../address/locator.ts";
import { addressComponentsFromJson, type BatchId, fixedClock, renderIssue } from "../domain/index.ts";
import { openStore } from "../store/index.ts";
import type { NewBatch, QuarantinedRow } from "../store/types.ts";
import { INGEST_MESSAGES, type IngestIssue, ingestIssue } from "./issues.ts";
import { fileSha256, IncidentIds, importFile, incidentId } from "./pipeline.ts";
import { decryptField } from "./privacy/index.ts";
import { loadProfile, parseProfile } from "./profile/load.ts";
import { MemoryStore, TEST_KEYS } from "./testing/fakes.ts";
import { importInto, SYNTH_HEADER, synthRow, TEST_NOW, tempDir, writeText } from "./testing/files.ts";
import { oneSheetWorkbook, XLSX_MAIN } from "./testing/zip.ts";

const dir = tempDir();
const csv = (name: string, rows: readonly string[], encoding: "utf8" | "utf8bom" | "gbk" = "utf8") =>
  writeText(dir, name, `${[SYNTH_HEADER, ...rows].join("\r\n")}\r\n`, encoding);

/** The cells of a CSV row. */
const cellsOf = (row: string) => Papa.parse<string[]>(row).data[0] ?? [];

/**
 * A one-sheet workbook: every cell an inline string, except those given by reference with their
 * attributes and content (`{ K2: ['t="str"', "<f>A2</f>"] }`: a formula, a date-styled number);
 * `styles` is the styles part's content.
 */
function synthWorkbook(
  name: string,
  rows: readonly (readonly string[])[],
  raw: Record<string, readonly [string, string]> = {},
  styles?: string,
): string {
  const xmlText = (t: string) => t.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const rowXml = (cells: readonly string[], r: number) =>
    `<row r="${r}">${cells
      .map((v, c) => {
        const ref = `${String.fromCharCode(65 + c)}${r}`;
        const given = raw[ref];
        return given
          ? `<c r="${ref}" ${given[0]}>${given[1]}</c>`
          : `<c r="${ref}" t="inlineStr"><is><t>${xmlText(v)}</t></is></c>`;
      })
      .join("")}</row>`;
  const sheet = `<worksheet xmlns="${XLSX_MAIN}"><sheetData>${rows.map((cells, i) => rowXml(cells, i + 1)).join("")}</sheetData></worksheet>`;
  const path = join(dir, name);
  writeFileSync(path, oneSheetWorkbook(sheet, styles));
  return path;
}

describe("areas from boundaries (--areas)", () => {
  // Two community police areas side by side, split at longitude 120.2 (WGS-84).
  const square = (id: string, west: number, east: number) => ({
    type: "Feature",
    properties: { code: id },
    geometry: {
      type: "Polygon",
      coordinates: [
        [
          [west, 30.1],
          [east, 30.1],
          [east, 30.3],
          [west, 30.3],
          [west, 30.1],
        ],
      ],
    },
  });
  const areas = jurisdictions(
    { features: [square("西区警务区", 120.0, 120.2), square("东区警务区", 120.2, 120.4)] },
    "code",
  );

  test("a row whose export names no area gets the one its coordinates fall in; a named one is kept", async () => {
    const store = new MemoryStore();
    const summary = await importInto(
      store,
      csv("areas.csv", [
        synthRow({ 接警单号: "W", 所属警务区: "", 经度: "120.15", 纬度: "30.2", 坐标系: "WGS84" }),
        // GCJ-02 is converted first: 120.2044 in GCJ-02 is 120.1998 in WGS-84, west of the line.
        synthRow({ 接警单号: "G", 所属警务区: "", 经度: "120.2044", 纬度: "30.2", 坐标系: "GCJ02" }),
        synthRow({ 接警单号: "E", 所属警务区: "", 经度: "120.3", 纬度: "30.2", 坐标系: "WGS84" }),
        synthRow({ 接警单号: "N", 所属警务区: "春华一警务区", 经度: "120.3", 纬度: "30.2", 坐标系: "WGS84" }),
        synthRow({ 接警单号: "O", 所属警务区: "", 经度: "121.5", 纬度: "31.2", 坐标系: "WGS84" }),
        synthRow({ 接警单号: "Z", 所属警务区: "", 经度: "0", 纬度: "0", 坐标系: "WGS84" }),
      ]),
      "synthetic",
      { areas },
    );
    expect(["W", "G", "E", "N", "O", "Z"].map((id) => store.bySourceId(id)?.areaUnit ?? null)).toEqual([
      "西区警务区",
      "西区警务区",
      "东区警务区",
      "春华一警务区",
      null,
      null,
    ]);
    expect(summary.areasFromBoundaries).toBe(3);
    const without = await importInto(
      new MemoryStore(),
      csv("areas2.csv", [synthRow({ 所属警务区: "" })]),
      "synthetic",
    );
    expect(without.areasFromBoundaries).toBeUndefined();
  });
});

describe("numbers written where no number belongs", () => {
  test("an address, a disposition or a category naming a caller's number or ID is stored masked, and keyed masked", async () => {
    const store = new MemoryStore();
    const summary = await importInto(
      store,
      csv("numbers-in-texts.csv", [
        synthRow({
          接警单号: "N1",
          发生地址: "滨江区春华路88号阳光花园3栋2单元501室 张先生13812345678",
          处警结果: "已联系当事人（身份证11010519491231002X）",
          警情类别: "纠纷13912345678",
        }),
        synthRow({ 接警单号: "N2", 发生地址: "滨江区春华路88号阳光花园3栋2单元501室" }),
      ]),
      "synthetic",
      { locator: createAddressLocator({ region: "浙江省杭州市" }) },
    );
    expect(summary).toMatchObject({ imported: 2 });
    const masked = store.bySourceId("N1");
    const plain = store.bySourceId("N2");
    expect(masked?.address).toBe("滨江区春华路88号阳光花园3栋2单元501室 张先生〔手机号〕");
    expect(masked?.disposition).toBe("已联系当事人（身份证〔身份证号〕）");
    expect(masked?.sourceCategory).toBe("纠纷〔手机号〕/邻里纠纷");
    const stored = JSON.stringify(masked);
    for (const secret of ["13812345678", "11010519491231002X", "13912345678"])
      expect(stored).not.toContain(secret);
    // The door is the same door as the call without the number.
    expect(masked?.location.room).not.toBeNull();
    expect(masked?.location.room).toBe(plain?.location.room);
  });
});

describe("values quoted by issues", () => {
  test("are masked as the narrative is, in the quarantine and the summary; times, codes and coordinates stay as written", async () => {
    const store = new MemoryStore();
    const shifted = "报警人称楼上噪音扰民，报警人电话13812345678";
    // 74 characters before the ID: cut at 80, six of its digits would be left.
    const long = `${"报警人称楼上噪音扰民".repeat(7)}身份证号${"11010519491231002X"}`;
    const summary = await importInto(
      store,
      csv("quoted.csv", [
        synthRow({ 接警单号: "Q1", 报警时间: shifted }),
        synthRow({ 接警单号: "Q2", 报警时间: long }),
        synthRow({ 接警单号: "Q3", 报警时间: "2024-13-45 08:00" }),
        synthRow({ 接警单号: "Q4", 警情类别: "纠纷13912345678", 警情细类: "" }),
        synthRow({ 接警单号: "Q5", 处置部门: "气象台0571-88886666" }),
        synthRow({ 接警单号: "Q6", 经度: "东经120.21", 纬度: "30.21" }),
        synthRow({ 接警单号: "Q7", 派警时间: "20240501 0801" }),
      ]),
      "synthetic",
    );
    expect(summary).toMatchObject({ rows: 7, rejected: 3, imported: 4 });
    const quoted = new Map(
      [...summary.sampleRejections, ...summary.sampleWarnings].map((i) => [`${i.row}:${i.code}`, i.value]),
    );
    expect(quoted.get("1:bad_time")).toBe("报警人称楼上噪音扰民，报警人电话〔手机号〕");
    expect(quoted.get("2:bad_time")).toBe(`${"报警人称楼上噪音扰民".repeat(7)}身份证号〔身份证号〕`);
    expect(quoted.get("3:bad_time")).toBe("2024-13-45 08:00");
    expect(quoted.get("4:unmapped_category")).toBe("纠纷〔手机号〕");
    expect(quoted.get("5:unmapped_department")).toBe("气象台〔固话〕");
    expect(quoted.get("6:bad_number")).toBe("东经120.21,30.21");
    expect(quoted.get("7:bad_time")).toBe("20240501 0801");
    expect(summary.unmappedValues.category).toEqual([{ value: "纠纷〔手机号〕", count: 1 }]);

    // Stored: the issues readable and masked, the rows themselves whole (encrypted).
    expect(store.quarantine.map((q) => q.issues[0]?.value)).toEqual([
      quoted.get("1:bad_time"),
      quoted.get("2:bad_time"),
      "2024-13-45 08:00",
    ]);
    const secrets = ["13812345678", "11010519491231002X", "13912345678", "88886666"];
    const shown = JSON.stringify([
      store.quarantine.map((q) => q.issues),
      summary,
      [...summary.sampleRejections, ...summary.sampleWarnings].map((i) => [
        renderIssue(i, INGEST_MESSAGES, "zh"),
        renderIssue(i, INGEST_MESSAGES, "en"),
      ]),
    ]);
    for (const secret of secrets) expect(shown).not.toContain(secret);
    const record = JSON.parse(decryptField(store.quarantine[0]?.recordEnc ?? "", TEST_KEYS.encKey));
    expect(record.报警时间).toBe(shifted);
  });

  test("a caller's number is never quoted, not even masked: one the import could not read is still the caller's", async () => {
    expect(ingestIssue("bad_phone", "warning", { field: "caller", value: "1381234567" })).toEqual({
      code: "bad_phone",
      severity: "warning",
      field: "caller",
    });
    const store = new MemoryStore();
    const summary = await importInto(
      store,
      csv("caller.csv", [synthRow({ 接警单号: "C1", 报警电话: "1381234567" })]),
      "synthetic",
    );
    expect(summary.sampleWarnings).toEqual([expect.objectContaining({ code: "bad_phone", field: "caller" })]);
    expect(JSON.stringify(summary)).not.toContain("1381234567");
  });
});

describe("import of the synthetic export", () => {
  test("a clean row becomes an incident with local times, taxonomy codes, units and masked text", async () => {
    const store = new MemoryStore();
    const summary = await importInto(store, csv("one.csv", [synthRow()]), "synthetic");
    expect(summary).toMatchObject({ rows: 1, imported: 1, rejected: 0, duplicates: 0 });
    const incident = store.bySourceId("J330105202405010001");
    expect(incident).toMatchObject({
      sourceSystem: "synthetic-110",
      receivedAt: Date.UTC(2024, 4, 1, 0, 0, 0), // 08:00 in Asia/Shanghai
      acceptedAt: Date.UTC(2024, 4, 1, 0, 0, 20),
      closedAt: Date.UTC(2024, 4, 1, 1, 0, 0),
      utcOffsetMin: 480,
      category: "dispute",
      subtype: "neighbour",
      sourceCategory: "纠纷/邻里纠纷",
      datum: "gcj02",
      lon: 120.21,
      cityUnit: "示例市公安局",
      branchUnit: "滨江分局",
      stationUnit: "春华派出所",
      areaUnit: "春华一警务区",
      disposition: "已调解",
      callerNumberEnc: null,
    });
    expect(incident?.id).toBe(incidentId("synthetic-110", "J330105202405010001"));
    // The caller is a pseudonym; the number appears nowhere in the stored incident.
    expect(incident?.callerPseudonym).toMatch(/\S{8,}/);
    expect(JSON.stringify(incident)).not.toContain("13812345678");
    expect(incident?.narrative).toContain("噪音扰民");
  });

  test("the same caller gets the same pseudonym, another caller another one", async () => {
    const store = new MemoryStore();
    await importInto(
      store,
      csv("callers.csv", [
        synthRow({ 接警单号: "A1", 报警电话: "13812345678" }),
        synthRow({ 接警单号: "A2", 报警电话: "+86 138-1234-5678" }),
        synthRow({ 接警单号: "A3", 报警电话: "13900000000" }),
      ]),
      "synthetic",
    );
    const [a, b, c] = ["A1", "A2", "A3"].map((id) => store.bySourceId(id)?.callerPseudonym);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  test("keepNumber stores the caller's number encrypted, readable only with the key", async () => {
    const store = new MemoryStore();
    const profile = parseProfile(
      {
        name: "keep",
        sourceSystem: "keep",
        timezone: "Asia/Shanghai",
        sourceId: "接警单号",
        fields: { receivedAt: "报警时间" },
        caller: { column: "报警电话", keepNumber: true },
      },
      "keep.json",
    );
    await importInto(store, csv("keep.csv", [synthRow()]), profile);
    const enc = store.bySourceId("J330105202405010001")?.callerNumberEnc;
    expect(enc).not.toBeNull();
    expect(enc).not.toContain("13812345678");
    expect(decryptField(enc ?? "", TEST_KEYS.encKey)).toBe("13812345678");
  });

  test("with the city's area code, a local landline and the same number with its code are one caller", async () => {
    const rows = [
      synthRow({ 接警单号: "L1", 报警电话: "87654321" }),
      synthRow({ 接警单号: "L2", 报警电话: "0571-87654321" }),
      synthRow({ 接警单号: "L3", 报警电话: "(0571)8765 4321" }),
      synthRow({ 接警单号: "L4", 报警电话: "0572-87654321" }),
    ];
    const profileWith = (caller: Record<string, unknown>) =>
      parseProfile(
        {
          name: "area",
          sourceSystem: "area",
          timezone: "Asia/Shanghai",
          sourceId: "接警单号",
          fields: { receivedAt: "报警时间" },
          caller,
        },
        "area.json",
      );
    const callers = async (caller: Record<string, unknown>) => {
      const store = new MemoryStore();
      await importInto(store, csv(`area-${Object.keys(caller).length}.csv`, rows), profileWith(caller));
      return ["L1", "L2", "L3", "L4"].map((id) => store.bySourceId(id)?.callerPseudonym);
    };
    const [l1, l2, l3, l4] = await callers({ column: "报警电话", areaCode: "0571" });
    expect(l1).toBe(l2);
    expect(l2).toBe(l3);
    expect(l4).not.toBe(l1); // another city's number is another caller
    const [n1, n2] = await callers({ column: "报警电话" });
    expect(n1).not.toBe(n2); // without the code, the local number cannot be linked
    expect(n2).toBe(l2);
    expect(() => profileWith({ column: "报警电话", areaCode: "571" })).toThrow(/0571/);
  });

  test("the GBK file gives exactly the result of the UTF-8 file (and of UTF-8 with BOM)", async () => {
    const rows = [
      synthRow({ 接警单号: "G1" }),
      synthRow({ 接警单号: "G2", 发生地址: "西湖区文三路100号（对面）", 简要案情: "“引号”与，逗号\n换行" }),
    ];
    const results = [];
    for (const encoding of ["utf8", "utf8bom", "gbk"] as const) {
      const store = new MemoryStore();
      const summary = await importInto(store, csv(`enc-${encoding}.csv`, rows, encoding), "synthetic");
      results.push({
        summary: { ...summary, batchId: "", file: "" },
        incidents: [...store.incidents.values()].map((i) => ({ ...i, batchId: "" })),
      });
    }
    expect(results[0]?.summary.encoding).toBe("utf8");
    expect(results[2]?.summary.encoding).toBe("gb18030");
    expect(results[1]).toEqual(results[0]);
    expect({ ...results[2], summary: { ...results[2]?.summary, encoding: "utf8" } }).toEqual(results[0]);
    expect(results[0]?.incidents[1]?.narrative).toContain("换行");
  });

  test("--encoding overrides detection (a GBK file read as UTF-8 is flagged, not crashed)", async () => {
    const store = new MemoryStore();
    const path = csv("gbk-as-utf8.csv", [synthRow()], "gbk");
    await expect(importInto(store, path, "synthetic", { encoding: "utf8" })).rejects.toMatchObject({
      code: "missing_columns",
      // The header's names are garbled: the message says why the columns are missing and the way out.
      messages: {
        zh: expect.stringContaining("--encoding gbk"),
        en: expect.stringContaining("--encoding gbk"),
      },
    });
  });
});

describe("bad input is reported with file, row, field, code and value, and kept in quarantine", () => {
  const cases: [string, Record<string, string>, { code: string; field?: string; value?: string }][] = [
    [
      "an unparseable received time",
      { 报警时间: "2024-13-45 08:00" },
      { code: "bad_time", field: "receivedAt", value: "2024-13-45 08:00" },
    ],
    ["an empty received time", { 报警时间: "" }, { code: "missing_value", field: "receivedAt" }],
    ["an empty source id", { 接警单号: "" }, { code: "missing_value", field: "sourceId" }],
    [
      "a received time before 1990",
      { 报警时间: "1970-01-01 08:00:00" },
      { code: "implausible_time", field: "receivedAt" },
    ],
  ];
  test("a message says what happens: a rejected row is quarantined, not truncated or left empty", async () => {
    const path = csv("outcomes.csv", [
      synthRow({ 接警单号: "X".repeat(129) }),
      synthRow({ 接警单号: "OLD1", 报警时间: "1970-01-01 08:00:00" }),
      synthRow({ 接警单号: "OLD2", 到场时间: "1980-01-01 08:00:00", 所属警务区: "区".repeat(65) }),
    ]);
    const summary = await importInto(new MemoryStore(), path, "synthetic");
    expect(summary).toMatchObject({ rows: 3, imported: 1, rejected: 2 });
    const render = (issue: IngestIssue | undefined) => {
      if (!issue) throw new Error("expected an issue");
      return [renderIssue(issue, INGEST_MESSAGES, "zh"), renderIssue(issue, INGEST_MESSAGES, "en")];
    };
    const [longId, oldCall] = summary.sampleRejections;
    expect(longId).toMatchObject({ code: "field_truncated", field: "sourceId", severity: "error" });
    expect(render(longId)).toEqual([
      "outcomes.csv，第1行，列“接警单号”（警情编号）：超过 128 个字符，整行隔离",
      'outcomes.csv, row 1, column "接警单号" (incident number): longer than 128 characters; row quarantined',
    ]);
    expect(oldCall).toMatchObject({ code: "implausible_time", field: "receivedAt", severity: "error" });
    expect(render(oldCall)).toEqual([
      expect.stringMatching(/：时间“1970-01-01 08:00:00”不可信（早于 1990 年），整行隔离$/),
      expect.stringMatching(/: implausible time "1970-01-01 08:00:00" \(before 1990\); row quarantined$/),
    ]);
    // The same codes as warnings keep the row and say what became of the value.
    const byCode = new Map(summary.sampleWarnings.map((w) => [w.code, w]));
    expect(render(byCode.get("implausible_time"))).toEqual([
      expect.stringMatching(/不可信（早于 1990 年），已置空$/),
      expect.stringMatching(/\(before 1990\); left empty$/),
    ]);
    expect(render(byCode.get("field_truncated"))).toEqual([
      expect.stringMatching(/：超过 64 个字符，已截断$/),
      expect.stringMatching(/: longer than 64 characters; truncated$/),
    ]);
  });

  test.each(cases)("%s rejects the row", async (_, fields, expected) => {
    const store = new MemoryStore();
    const path = csv(`bad-${expected.code}.csv`, [synthRow({ 接警单号: "OK1" }), synthRow(fields)]);
    const summary = await importInto(store, path, "synthetic");
    expect(summary).toMatchObject({ rows: 2, imported: 1, rejected: 1 });
    expect(summary.sampleRejections[0]).toMatchObject({
      file: path.split("/").pop(),
      row: 2,
      severity: "error",
      ...expected,
    });
    expect(store.quarantine).toHaveLength(1);
    const q = store.quarantine[0];
    expect(q?.row).toBe(2);
    expect(q?.issues[0]?.code).toBe(expected.code);
    // The record is kept whole but encrypted: readable with the key only.
    expect(q?.recordEnc).not.toContain("13812345678");
    const record = JSON.parse(decryptField(q?.recordEnc ?? "", TEST_KEYS.encKey));
    expect(record.报警电话).toBe("13812345678");
    expect(record.发生地址).toBe("滨江区春华路88号阳光花园3栋2单元501室");
  });

  test("a rejected row keeps every cell in quarantine, under a header with a name twice or named __proto__", async () => {
    const store = new MemoryStore();
    const path = writeText(
      dir,
      "twice.csv",
      `${SYNTH_HEADER},备注,备注,__proto__\n${synthRow({ 接警单号: "D1", 报警时间: "不详" })},第一条,第二条,第三条\n`,
    );
    const summary = await importInto(store, path, "synthetic");
    expect(summary).toMatchObject({ rows: 1, rejected: 1 });
    const record = JSON.parse(decryptField(store.quarantine[0]?.recordEnc ?? "", TEST_KEYS.encKey));
    expect(Object.values(record)).toEqual(expect.arrayContaining(["第一条", "第二条", "第三条"]));
  });

  test("a row of empty cells (a blank row Excel saved as ,,,) is no call and no rejected row; the rows after keep their numbers", async () => {
    const path = csv("blank-rows.csv", [
      synthRow({ 接警单号: "B1" }),
      ",".repeat(19),
      synthRow({ 报警时间: "" }),
    ]);
    const summary = await importInto(new MemoryStore(), path, "synthetic");
    expect(summary).toMatchObject({ rows: 2, imported: 1, rejected: 1 });
    expect(summary.sampleRejections).toMatchObject([{ code: "missing_value", field: "receivedAt", row: 3 }]);
  });

  test("a row with a column too few is rejected with row_width", async () => {
    const store = new MemoryStore();
    const short = synthRow().split(",").slice(0, -1).join(",");
    const summary = await importInto(store, csv("short.csv", [short]), "synthetic");
    expect(summary.rejected).toBe(1);
    expect(summary.sampleRejections[0]).toMatchObject({
      code: "row_width",
      row: 1,
      params: { actual: 19, expected: 20 },
    });
  });

  test("suspicious values are warnings: the row is kept and the bad value dropped", async () => {
    const store = new MemoryStore();
    const summary = await importInto(
      store,
      csv("warn.csv", [
        synthRow({ 接警单号: "W1", 到场时间: "2024-05-01 07:00:00" }),
        synthRow({ 接警单号: "W2", 经度: "east", 纬度: "30" }),
        synthRow({ 接警单号: "W3", 经度: "200", 纬度: "30" }),
        synthRow({ 接警单号: "W4", 警情类别: "外星人", 警情细类: "" }),
        synthRow({ 接警单号: "W5", 报警电话: "12" }),
        synthRow({
          接警单号: "W6",
          报警时间: "2027-01-01 00:00:00",
          接警时间: "",
          派警时间: "",
          到场时间: "",
          反馈时间: "",
        }),
        synthRow({ 接警单号: "W7", 派警时间: "soon" }),
      ]),
      "synthetic",
    );
    expect(summary).toMatchObject({ rows: 7, imported: 7, rejected: 0, warned: 7 });
    const byRow = new Map(summary.sampleWarnings.map((w) => [w.row, w]));
    expect(byRow.get(1)).toMatchObject({
      code: "time_order",
      field: "arrivedAt",
      column: ["到场时间"],
      params: { before: "dispatchedAt", minutes: 61 },
    });
    expect(byRow.get(2)).toMatchObject({
      code: "bad_number",
      field: "coordinates",
      column: ["经度", "纬度"],
      value: "east,30",
    });
    expect(byRow.get(3)).toMatchObject({ code: "coord_out_of_range", value: "200,30" });
    expect(byRow.get(4)).toMatchObject({
      code: "unmapped_category",
      column: ["警情类别", "警情细类"],
      value: "外星人",
      params: { target: "other" },
    });
    expect(renderIssue(byRow.get(4)!, INGEST_MESSAGES, "zh")).toBe(
      "warn.csv，第4行，列“警情类别”“警情细类”（警情类别）：类别“外星人”不在代码映射中，归为“其他”（other）",
    );
    expect(byRow.get(5)).toMatchObject({ code: "bad_phone", field: "caller", column: ["报警电话"] });
    expect(byRow.get(6)).toMatchObject({ code: "future_time", field: "receivedAt" });
    expect(byRow.get(7)).toMatchObject({ code: "bad_time", field: "dispatchedAt", severity: "warning" });
    expect(store.bySourceId("W2")?.lon).toBeNull();
    expect(store.bySourceId("W4")?.category).toBe("other");
    expect(store.bySourceId("W5")?.callerPseudonym).toBeNull();
    expect(store.bySourceId("W7")?.dispatchedAt).toBeNull();
  });

  test("issues render as 'file, row, column: why' in Chinese and English", async () => {
    const store = new MemoryStore();
    const summary = await importInto(store, csv("render.csv", [synthRow({ 报警时间: "昨天" })]), "synthetic");
    const issue = summary.sampleRejections[0];
    if (!issue) throw new Error("expected a rejection");
    expect(issue).toMatchObject({ field: "receivedAt", column: ["报警时间"] });
    expect(renderIssue(issue, INGEST_MESSAGES, "en")).toBe(
      'render.csv, row 1, column "报警时间" (time received): time "昨天" does not match the format YYYY-MM-DD HH:mm:ss',
    );
    expect(renderIssue(issue, INGEST_MESSAGES, "zh")).toBe(
      "render.csv，第1行，列“报警时间”：时间“昨天”不符合格式 YYYY-MM-DD HH:mm:ss",
    );
  });

  test("an issue names every column of a template, and a constant field by its label", async () => {
    const store = new MemoryStore();
    const profile = parseProfile(
      {
        name: "tpl",
        sourceSystem: "tpl",
        timezone: "Asia/Shanghai",
        sourceId: "编号",
        fields: { receivedAt: { template: "{日期} {时刻}" }, arrivedAt: "到达现场" },
        units: { city: { const: "某".repeat(70) } },
      },
      "tpl.json",
    );
    const path = writeText(
      dir,
      "tpl.csv",
      "编号,日期,时刻,到达现场\nT1,2024-05-01,08:00:00,2024-05-01 07:30:00\nT2,2024-05-01,八点,\n",
    );
    const summary = await importInto(store, path, profile);
    expect(summary).toMatchObject({ rows: 2, imported: 1, rejected: 1 });
    const rejected = summary.sampleRejections[0];
    if (!rejected) throw new Error("expected a rejection");
    expect(rejected).toMatchObject({ row: 2, field: "receivedAt", column: ["日期", "时刻"] });
    expect(renderIssue(rejected, INGEST_MESSAGES, "zh")).toBe(
      "tpl.csv，第2行，列“日期”“时刻”（报警时间）：时间“2024-05-01 八点”不符合格式 YYYY-MM-DD HH:mm:ss",
    );
    const byField = new Map(summary.sampleWarnings.map((w) => [w.field, w]));
    const city = byField.get("cityUnit");
    if (!city) throw new Error("expected a warning about the constant city");
    expect(city.column).toBeUndefined();
    expect(renderIssue(city, INGEST_MESSAGES, "zh")).toBe(
      "tpl.csv，第1行，字段“市局”：超过 64 个字符，已截断",
    );
    const order = byField.get("arrivedAt");
    if (!order) throw new Error("expected a time_order warning");
    expect(renderIssue(order, INGEST_MESSAGES, "zh")).toBe(
      "tpl.csv，第1行，列“到达现场”（到场时间）：到场时间早于报警时间（30 分钟），已保留",
    );
    expect(renderIssue(order, INGEST_MESSAGES, "en")).toBe(
      'tpl.csv, row 1, column "到达现场" (time arrived): time arrived is earlier than time received (30 min); kept',
    );
  });

  test("the summary counts every distinct unmapped value, the 100 most frequent first", async () => {
    const store = new MemoryStore();
    const rows = [
      ...Array.from({ length: 120 }, (_, i) =>
        synthRow({ 接警单号: `M${i}`, 警情类别: `怪类${i}`, 警情细类: "", 处置部门: i < 4 ? "气象台" : "" }),
      ),
      synthRow({ 接警单号: "M200", 警情类别: "怪类7", 警情细类: "", 报警时间: "" }),
      synthRow({ 接警单号: "M201", 警情类别: "怪类7", 警情细类: "" }),
    ];
    const summary = await importInto(store, csv("unmapped.csv", rows), "synthetic");
    expect(summary.issueCounts.unmapped_category?.warnings).toBe(122);
    const { category, department } = summary.unmappedValues;
    expect(category).toHaveLength(100);
    // A rejected row's value counts too: the profile writer needs it in the map all the same.
    expect(category[0]).toEqual({ value: "怪类7", count: 3 });
    expect(category[1]).toEqual({ value: "怪类0", count: 1 });
    expect(department).toEqual([{ value: "气象台", count: 4 }]);
  });

  test("a cell over the size limit quarantines its row and the import goes on", async () => {
    const store = new MemoryStore();
    const summary = await importInto(
      store,
      csv("huge-cell.csv", [
        synthRow({ 接警单号: "H1", 简要案情: "很长".repeat(200) }),
        synthRow({ 接警单号: "H2" }),
      ]),
      "synthetic",
      { limits: { maxCellChars: 100 } },
    );
    expect(summary).toMatchObject({ rows: 2, imported: 1, rejected: 1 });
    expect(summary.sampleRejections[0]).toMatchObject({
      code: "cell_too_large",
      field: "narrative",
      column: ["简要案情"],
      row: 1,
      params: { limit: 100 },
    });
  });

  test("NUL characters are removed from a cell with a warning naming the column (PostgreSQL refuses them)", async () => {
    const store = new MemoryStore();
    const summary = await importInto(
      store,
      csv("nul.csv", [
        synthRow({ 接警单号: "N1", 简要案情: "报警人称\u0000楼上噪音" }),
        synthRow({ 接警单号: "N2" }),
      ]),
      "synthetic",
    );
    expect(summary).toMatchObject({ rows: 2, imported: 2, rejected: 0, warned: 1 });
    expect(summary.sampleWarnings[0]).toMatchObject({
      code: "nul_removed",
      field: "narrative",
      column: ["简要案情"],
      row: 1,
    });
    expect(store.bySourceId("N1")?.narrative).toBe("报警人称楼上噪音");
  });

  test("a quote left open at the end of the file quarantines its row, and the rows after it are read", async () => {
    const store = new MemoryStore();
    const open = synthRow({ 接警单号: "U2" }).replace("报警人称楼上", '"报警人称楼上');
    const summary = await importInto(
      store,
      csv("open-quote.csv", [
        synthRow({ 接警单号: "U1" }),
        open,
        synthRow({ 接警单号: "U3" }),
        synthRow({ 接警单号: "U4" }),
      ]),
      "synthetic",
    );
    expect(summary).toMatchObject({ rows: 4, imported: 3, rejected: 1 });
    expect(summary.sampleRejections[0]).toMatchObject({ code: "unclosed_quote", row: 2 });
    expect([...store.incidents.values()].map((i) => i.sourceId).sort()).toEqual(["U1", "U3", "U4"]);
    expect(store.bySourceId("U1")?.narrative).not.toContain("U3");
    // The quarantined record is the row's line as it stands in the file.
    const q = store.quarantine[0];
    expect(decryptField(q?.recordEnc ?? "", TEST_KEYS.encKey)).toBe(open);
  });

  test("a workbook's formula cell without a calculated value is a warning naming the column, in a column the profile reads", async () => {
    const path = synthWorkbook(
      "uncalculated.xlsx",
      [
        [...SYNTH_HEADER.split(","), "备注"],
        [...cellsOf(synthRow({ 接警单号: "X1" })), ""],
      ],
      { K2: ['t="str"', "<f>A2&amp;B2</f>"], U2: ['t="str"', "<f>1</f>"] },
    );
    const summary = await importInto(new MemoryStore(), path, "synthetic");
    expect(summary).toMatchObject({ rows: 1, imported: 1, warned: 1 });
    // 备注 (column 21) is not read: its formula is no concern of the import.
    expect(summary.sampleWarnings).toMatchObject([
      { code: "formula_uncalculated", row: 1, field: "address", column: ["发生地址"] },
    ]);
    expect(renderIssue(summary.sampleWarnings[0]!, INGEST_MESSAGES, "en")).toContain("formula");
    expect(renderIssue(summary.sampleWarnings[0]!, INGEST_MESSAGES, "zh")).toContain("公式");
  });

  describe("a date and a clock in two columns, joined by a template, read the same from the CSV and from the CSV saved in Excel", () => {
    // Excel opens the CSV and makes the date column date cells (m/d/yyyy, mm/dd/yy) and a clock
    // column time-only cells (h:mm); the reader gives them as 2010-01-01 00:00:00 and
    // 1899-12-30 08:15:00, which the template's format (M/D/YYYY H, MM/DD/YY HH:mm) did not fit.
    const DAY_MS = 86_400_000;
    /** Excel's serial day of M/D/YY or M/D/YYYY (1900 date system). */
    const serialOfDate = (text: string) => {
      const [m, d, y] = text.split("/").map(Number) as [number, number, number];
      return Date.UTC(y < 100 ? 2000 + y : y, m - 1, d) / DAY_MS + 25569;
    };
    const serialOfClock = (text: string) => {
      const [h, m] = text.split(":").map(Number) as [number, number];
      return (h * 60 + m) / 1440;
    };
    /** The CSV as Excel saves it: `kinds` says which columns became date, time-only or number cells. */
    async function savedInExcel(
      name: string,
      header: readonly string[],
      rows: readonly (readonly string[])[],
      kinds: Record<string, readonly [kind: "date" | "clock" | "number", numFmt: string]>,
    ): Promise<string> {
      const workbook = new ExcelJS.Workbook();
      const sheet = workbook.addWorksheet("Sheet1");
      sheet.addRow([...header]);
      for (const cells of rows) {
        const row = sheet.addRow([]);
        for (const [c, text] of cells.entries()) {
          const cell = row.getCell(c + 1);
          const kind = kinds[header[c] ?? ""];
          if (!kind || text === "") cell.value = text === "" ? null : text;
          else {
            cell.value =
              kind[0] === "date"
                ? serialOfDate(text)
                : kind[0] === "clock"
                  ? serialOfClock(text)
                  : Number(text);
            cell.numFmt = kind[1];
          }
        }
      }
      const path = join(dir, name);
      await workbook.xlsx.writeFile(path);
      return path;
    }
    const SLO_HEADER = [
      ...["case_number", "date", "received", "dispatched", "arrived", "cleared", "type", "address"],
      ...["call_comments", "clearance_code", "description", "grid_location"],
    ];
    const times = (store: MemoryStore) =>
      [...store.incidents.values()]
        .map((i) => ({
          address: i.address,
          receivedAt: i.receivedAt,
          dispatchedAt: i.dispatchedAt,
          arrivedAt: i.arrivedAt,
          closedAt: i.closedAt,
        }))
        .sort((a, b) => (a.address ?? "").localeCompare(b.address ?? ""));

    test("a date column and an hour column (houston: {date} {hour}, M/D/YYYY H)", async () => {
      const header = ["offense", "beat", "date", "hour", "address", "location", "lon", "lat"];
      const rows = [
        ["theft", "1A10", "1/4/2010", "0", "100 MAIN ST", "parking lot", "-95.36", "29.76"],
        ["burglary", "1A20", "3/14/2010", "8", "200 ELM ST", "residence", "-95.37", "29.75"],
        ["robbery", "1A30", "12/31/2010", "23", "300 OAK AVE", "street", "-95.38", "29.74"],
      ];
      const fromCsv = new MemoryStore();
      const csvPath = writeText(
        dir,
        "houston-like.csv",
        `${[header, ...rows].map((r) => r.join(",")).join("\r\n")}\r\n`,
      );
      expect(await importInto(fromCsv, csvPath, "houston")).toMatchObject({ rows: 3, imported: 3 });
      const fromXlsx = new MemoryStore();
      const xlsxPath = await savedInExcel("houston-like.xlsx", header, rows, {
        date: ["date", "m/d/yyyy"],
        hour: ["number", "General"],
        lon: ["number", "General"],
        lat: ["number", "General"],
      });
      expect(await importInto(fromXlsx, xlsxPath, "houston")).toMatchObject({
        rows: 3,
        imported: 3,
        rejected: 0,
      });
      expect(times(fromXlsx)).toEqual(times(fromCsv));
      // Chicago: 1/4/2010 0:00 is CST (UTC-6); 3/14/2010 8:00 is CDT (UTC-5), from 2:00 that day.
      expect(times(fromCsv)[0]).toMatchObject({
        address: "100 MAIN ST",
        receivedAt: Date.UTC(2010, 0, 4, 6),
      });
      expect(times(fromCsv)[1]).toMatchObject({
        address: "200 ELM ST",
        receivedAt: Date.UTC(2010, 2, 14, 13),
      });
    });

    test("one date column and clock-only columns (san-luis-obispo: {date} {received}, MM/DD/YY HH:mm)", async () => {
      const header = [...SLO_HEADER];
      const rows = [
        [
          "SLO-1",
          "09/14/21",
          "07:08",
          "07:10",
          "07:21",
          "08:02",
          "Noise Party",
          "100 HIGUERA ST",
          "",
          "",
          "",
          "",
        ],
        // Arrived and cleared after midnight: the next day, as in the CSV.
        ["SLO-2", "09/14/21", "23:50", "23:55", "00:07", "00:40", "Theft", "200 MARSH ST", "", "", "", ""],
        ["SLO-3", "01/02/22", "12:30", "", "", "13:00", "Welfare Check", "300 FOOTHILL BLVD", "", "", "", ""],
      ];
      const fromCsv = new MemoryStore();
      const csvPath = writeText(
        dir,
        "slo-like.csv",
        `${[header, ...rows].map((r) => r.join(",")).join("\r\n")}\r\n`,
      );
      expect(await importInto(fromCsv, csvPath, "san-luis-obispo")).toMatchObject({ rows: 3, imported: 3 });
      const clock = ["clock", "h:mm"] as const;
      const fromXlsx = new MemoryStore();
      const xlsxPath = await savedInExcel("slo-like.xlsx", header, rows, {
        date: ["date", "mm/dd/yy"],
        received: clock,
        dispatched: clock,
        arrived: clock,
        cleared: clock,
      });
      expect(await importInto(fromXlsx, xlsxPath, "san-luis-obispo")).toMatchObject({
        rows: 3,
        imported: 3,
        rejected: 0,
        warned: 0,
      });
      expect(times(fromXlsx)).toEqual(times(fromCsv));
      // 23:50 on 9/14/21 in Los Angeles (PDT, UTC-7); the arrival at 00:07 is on 9/15.
      expect(fromXlsx.bySourceId("SLO-2")).toMatchObject({
        receivedAt: Date.UTC(2021, 8, 15, 6, 50),
        arrivedAt: Date.UTC(2021, 8, 15, 7, 7),
      });
    });

    test("a `columns` list with a separator joins the same way as a template", async () => {
      const base = await loadProfile("synthetic");
      const profile = parseProfile(
        {
          ...base,
          fields: {
            ...base.fields,
            receivedAt: { columns: ["报警日期", "报警时刻"], separator: " ", format: "M/D/YYYY H:mm" },
          },
        },
        "joined-columns",
      );
      const header = [...SYNTH_HEADER.split(","), "报警日期", "报警时刻"];
      const rows = [
        [...cellsOf(synthRow({ 接警单号: "J1" })), "5/1/2024", "8:05"],
        [...cellsOf(synthRow({ 接警单号: "J2" })), "12/31/2024", "23:59"],
      ];
      const fromCsv = new MemoryStore();
      const csvPath = writeText(
        dir,
        "joined.csv",
        `${[header, ...rows].map((r) => Papa.unparse([r])).join("\r\n")}\r\n`,
      );
      expect(await importInto(fromCsv, csvPath, profile)).toMatchObject({ rows: 2, imported: 2 });
      const fromXlsx = new MemoryStore();
      const xlsxPath = await savedInExcel("joined.xlsx", header, rows, {
        报警日期: ["date", "m/d/yyyy"],
        报警时刻: ["clock", "h:mm"],
      });
      expect(await importInto(fromXlsx, xlsxPath, profile)).toMatchObject({
        rows: 2,
        imported: 2,
        rejected: 0,
      });
      expect(fromXlsx.bySourceId("J1")?.receivedAt).toBe(Date.UTC(2024, 4, 1, 0, 5)); // 08:05 in Asia/Shanghai
      expect(fromXlsx.bySourceId("J2")?.receivedAt).toBe(fromCsv.bySourceId("J2")?.receivedAt);
    });

    test("a date cell that holds a time too is not cut to the template's date: its row stays bad_time", async () => {
      const header = [...SLO_HEADER];
      const fromXlsx = new MemoryStore();
      const path = await savedInExcel(
        "slo-datetime.xlsx",
        header,
        [["SLO-9", "09/14/21", "07:08", "", "", "", "Theft", "1 A ST", "", "", "", ""]],
        {
          received: ["clock", "h:mm"],
        },
      );
      // The date column as a date cell with a time of day (09/14/21 06:00): MM/DD/YY cannot hold it.
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile(path);
      const cell = workbook.worksheets[0]!.getCell("B2");
      cell.value = serialOfDate("09/14/21") + 0.25;
      cell.numFmt = "m/d/yy h:mm";
      await workbook.xlsx.writeFile(path);
      const summary = await importInto(fromXlsx, path, "san-luis-obispo");
      expect(summary).toMatchObject({ rows: 1, imported: 0, rejected: 1 });
      expect(summary.sampleRejections).toMatchObject([
        { code: "bad_time", params: { format: "MM/DD/YY HH:mm" } },
      ]);
    });
  });

  test("a CSV export saved from Excel reads with its profile: date cells match whatever format the text had", async () => {
    // Excel turns 2024/5/1 8:00:00 into a date cell, read as 2024-05-01 08:00:00; with the CSV's
    // format YYYY/M/D H:mm:ss every row was rejected (bad_time) and the command exited with 3.
    const profile = parseProfile(
      {
        ...(await loadProfile("synthetic")),
        timeFormat: "YYYY/M/D H:mm:ss",
        fields: {
          ...(await loadProfile("synthetic")).fields,
          arrivedAt: { column: "到场时间", format: "H:mm", dateFrom: "receivedAt" },
        },
      },
      "slash",
    );
    // 45413.3333… is 2024-05-01 08:00 (style 1: yyyy/m/d h:mm), 0.34375 is 8:15 (style 2: h:mm).
    const dates: Record<string, readonly [string, string]> = {
      B2: ['s="1"', "<v>45413.333333333336</v>"],
      E2: ['s="2"', "<v>0.34375</v>"],
    };
    const styles = `<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy/m/d h:mm"/></numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="20"/></cellXfs>`;
    const row = cellsOf(
      synthRow({ 接警单号: "D1", 接警时间: "2024/5/1 8:00:20", 派警时间: "2024/5/1 8:01:00", 反馈时间: "" }),
    );
    const path = synthWorkbook("saved-from-excel.xlsx", [SYNTH_HEADER.split(","), row], dates, styles);
    const store = new MemoryStore();
    const summary = await importInto(store, path, profile);
    expect(summary).toMatchObject({ rows: 1, imported: 1, rejected: 0, warned: 0 });
    expect(store.bySourceId("D1")).toMatchObject({
      receivedAt: Date.UTC(2024, 4, 1, 0), // 08:00 in Asia/Shanghai
      acceptedAt: Date.UTC(2024, 4, 1, 0, 0, 20),
      arrivedAt: Date.UTC(2024, 4, 1, 0, 15),
    });
    // A text cell that fits neither is reported with the profile's format, as before.
    const bad = synthWorkbook("bad-text.xlsx", [
      SYNTH_HEADER.split(","),
      cellsOf(synthRow({ 报警时间: "5月1日" })),
    ]);
    const rejected = await importInto(new MemoryStore(), bad, profile);
    expect(rejected.sampleRejections).toMatchObject([
      { code: "bad_time", value: "5月1日", params: { format: "YYYY/M/D H:mm:ss" } },
    ]);
  });

  test("a quote left open in a narrative, closed by a quote in a later row's narrative, quarantines its row and keeps the rows between", async () => {
    const store = new MemoryStore();
    // Written as an exporter that does not quote does (synthRow would quote these cells).
    const raw = (id: string, narrative: string) =>
      synthRow({ 接警单号: id, 简要案情: "NARRATIVE" }).replace("NARRATIVE", narrative);
    const path = csv("stray-quote.csv", [
      raw("S1", '"楼上漏水，报警人称'),
      synthRow({ 接警单号: "S2" }),
      raw("S3", '报警人称"楼上漏水"严重'),
      synthRow({ 接警单号: "S4" }),
    ]);
    const summary = await importInto(store, path, "synthetic");
    expect(summary).toMatchObject({ rows: 4, imported: 3, rejected: 1 });
    expect(summary.sampleRejections).toMatchObject([{ code: "unclosed_quote", row: 1 }]);
    expect([...store.incidents.values()].map((i) => i.sourceId).sort()).toEqual(["S2", "S3", "S4"]);
    expect(store.bySourceId("S3")?.narrative).toBe('报警人称"楼上漏水"严重');
  });

  test("a quote left open in a long file loses only its row, not the rest of the file", async () => {
    const store = new MemoryStore();
    const rows = Array.from({ length: 60 }, (_, i) => synthRow({ 接警单号: `L${i + 1}` }));
    rows[4] = rows[4]?.replace("报警人称楼上", '"报警人称楼上') ?? "";
    const summary = await importInto(store, csv("open-quote-long.csv", rows), "synthetic", {
      limits: { maxRecordChars: 2000 },
    });
    expect(summary).toMatchObject({ rows: 60, imported: 59, rejected: 1 });
    expect(summary.sampleRejections[0]).toMatchObject({ code: "record_too_large", row: 5 });
    expect(store.bySourceId("L60")).toBeDefined();
    expect(decryptField(store.quarantine[0]?.recordEnc ?? "", TEST_KEYS.encKey)).toBe(rows[4]);
  });

  test("a file over the size limit is refused with a clear error", async () => {
    const path = csv("big.csv", [synthRow(), synthRow()]);
    await expect(
      importInto(new MemoryStore(), path, "synthetic", { limits: { maxFileBytes: 100 } }),
    ).rejects.toMatchObject({
      code: "file_too_large",
      messages: {
        zh: expect.stringContaining("超过上限"),
        en: expect.stringContaining("more than the limit"),
      },
    });
  });

  test("a file without the columns the profile reads is refused, naming them", async () => {
    const path = writeText(dir, "wrong.csv", "a,b\n1,2\n");
    await expect(importInto(new MemoryStore(), path, "synthetic")).rejects.toMatchObject({
      code: "missing_columns",
      messages: { en: expect.stringContaining("接警单号") },
    });
  });

  test("a header name with a zero-width space at its edge (pasted from a web page) is the column; one inside is shown in the message", async () => {
    // "lacks 接警单号 (the file has: 接警单号, …)": the two names looked the same.
    const edge = writeText(
      dir,
      "zw-edge.csv",
      `${SYNTH_HEADER.replace("接警单号", "接警单号\u200b")}\r\n${synthRow()}\r\n`,
    );
    await expect(importInto(new MemoryStore(), edge, "synthetic")).resolves.toMatchObject({ imported: 1 });
    const inside = writeText(
      dir,
      "zw-inside.csv",
      `${SYNTH_HEADER.replace("接警单号", "接警\u200b单号")}\r\n${synthRow()}\r\n`,
    );
    await expect(importInto(new MemoryStore(), inside, "synthetic")).rejects.toMatchObject({
      code: "missing_columns",
      messages: {
        en: expect.stringContaining("接警<U+200B>单号"),
        zh: expect.stringContaining("接警<U+200B>单号"),
      },
    });
  });

  test("a file whose header names a column the profile reads twice is refused, naming both, before a row is stored", async () => {
    // The first 发生地址 was read and the second passed over without a word: which one is the
    // address only the person who made the export knows.
    const store = new MemoryStore();
    const path = writeText(
      dir,
      "twice-address.csv",
      `${SYNTH_HEADER},发生地址\r\n${synthRow({ 发生地址: "西湖区红星路1号" })},西湖区阳光小区3栋\r\n`,
    );
    await expect(importInto(store, path, "synthetic")).rejects.toMatchObject({
      code: "ambiguous_columns",
      messages: {
        en: expect.stringContaining("发生地址 (columns 11 and 21)"),
        zh: expect.stringContaining("发生地址（第 11、21 列）"),
      },
    });
    expect(store.incidents.size).toBe(0);
    // A name the profile does not read may be there twice.
    const unread = writeText(dir, "twice-unread.csv", `${SYNTH_HEADER},备注,备注\r\n${synthRow()},a,b\r\n`);
    await expect(importInto(store, unread, "synthetic")).resolves.toMatchObject({ imported: 1 });
  });
});

describe("location keys", () => {
  test("the locator is asked once per address text, and its keys are stored", async () => {
    const calls: [string | null, number | null | undefined, number | null | undefined][] = [];
    const locator = {
      locate: (address: string | null, lon?: number | null, lat?: number | null) => {
        calls.push([address, lon, lat]);
        return { poi: address, building: null, unit: null, room: null, road: null, cross: null };
      },
    };
    const store = new MemoryStore();
    await importInto(
      store,
      csv("locate.csv", [
        synthRow({ 接警单号: "L1", 发生地址: "阳光花园3栋" }),
        synthRow({ 接警单号: "L2", 发生地址: "阳光花园3栋" }),
        synthRow({ 接警单号: "L3", 发生地址: "春华路88号", 坐标系: "WGS84" }),
      ]),
      "synthetic",
      { locator },
    );
    // Keys are a function of the text (docs/address.md): no coordinates, one call per address.
    expect(calls).toEqual([
      ["阳光花园3栋", undefined, undefined],
      ["春华路88号", undefined, undefined],
    ]);
    expect(store.bySourceId("L2")?.location.poi).toBe("阳光花园3栋");
    expect(store.bySourceId("L2")?.lon).toBe(120.21); // the row keeps its own datum
    expect(store.bySourceId("L2")?.addressComponents ?? null).toBeNull(); // a keys-only locator
  });

  test("with the address parser every incident gets its components and its keys", async () => {
    const store = new MemoryStore();
    await importInto(
      store,
      csv("components.csv", [
        synthRow({ 接警单号: "C1", 发生地址: "澜东区阳光小区3栋2单元501室" }),
        synthRow({ 接警单号: "C2", 发生地址: "澜东区阳光小区3栋2单元501室" }),
        synthRow({ 接警单号: "C3", 发生地址: "" }),
      ]),
      "synthetic",
      { locator: createAddressLocator({ datum: "wgs84" }) },
    );
    const c1 = store.bySourceId("C1");
    const components = addressComponentsFromJson(c1?.addressComponents ?? "[]");
    expect(components.map((c) => c.text).join("")).toBe("澜东区阳光小区3栋2单元501室");
    expect(components.map((c) => c.label)).toEqual(
      expect.arrayContaining(["poi", "houseno", "cellno", "roomno"]),
    );
    expect(c1?.location.room).not.toBeNull();
    expect(store.bySourceId("C2")?.addressComponents).toEqual(c1?.addressComponents);
    expect(store.bySourceId("C3")?.addressComponents ?? null).toBeNull();
    expect(store.bySourceId("C3")?.location.poi).toBeNull();
  });
});

describe("progress", () => {
  test("reports rows as they are read, then once that the batch is committing, before it commits", async () => {
    const store = new MemoryStore();
    const seen: string[] = [];
    const rows = Array.from({ length: 5 }, (_, k) => synthRow({ 接警单号: `P${k}` }));
    const path = csv("progress.csv", rows);
    await importInto(store, path, "synthetic", {
      onProgress: (p) =>
        seen.push(`${p.committing ? "committing" : "read"} ${p.rows} ${store.incidents.size}`),
    });
    expect(seen.at(-1)).toBe("committing 5 0");
    expect(seen.filter((s) => s.startsWith("committing"))).toHaveLength(1);
    expect(seen.slice(0, -1).every((s) => s.startsWith("read"))).toBe(true);
    expect(store.incidents.size).toBe(5);
  });
});

describe("idempotence and atomicity", () => {
  test("importing the same file twice adds nothing the second time", async () => {
    const store = new MemoryStore();
    const path = csv("twice.csv", [synthRow({ 接警单号: "T1" }), synthRow({ 接警单号: "T2" })]);
    const first = await importInto(store, path, "synthetic");
    const second = await importInto(store, path, "synthetic");
    expect(first).toMatchObject({ imported: 2, duplicates: 0 });
    expect(second).toMatchObject({ rows: 2, imported: 0, duplicates: 2 });
    expect(store.incidents.size).toBe(2);
  });

  test.each([
    ["an ideographic space", "\u3000"],
    ["a no-break space", "\u00a0"],
    ["a byte-order mark", "\ufeff"],
    ["a zero-width space", "\u200b"],
  ])("a source id with %s at its edge is the same call as without it", async (_, pad) => {
    const store = new MemoryStore();
    await importInto(
      store,
      csv("padded.csv", [
        synthRow({ 接警单号: `P1${pad}`, 所属分局: `${pad}西湖分局` }),
        synthRow({ 接警单号: `${pad}P2` }),
      ]),
      "synthetic",
    );
    const again = await importInto(
      store,
      csv("plain.csv", [synthRow({ 接警单号: "P1", 所属分局: "西湖分局" }), synthRow({ 接警单号: "P2" })]),
      "synthetic",
    );
    expect(again).toMatchObject({ rows: 2, imported: 0, duplicates: 2 });
    expect([...store.incidents.values()].map((i) => i.sourceId).sort()).toEqual(["P1", "P2"]);
    expect(store.bySourceId("P1")?.branchUnit).toBe("西湖分局");
  });

  test("an overlapping export adds only the new rows", async () => {
    const store = new MemoryStore();
    await importInto(
      store,
      csv(
        "jan.csv",
        ["O1", "O2", "O3"].map((id) => synthRow({ 接警单号: id })),
      ),
      "synthetic",
    );
    const overlap = await importInto(
      store,
      csv(
        "feb.csv",
        ["O2", "O3", "O4"].map((id) => synthRow({ 接警单号: id })),
      ),
      "synthetic",
    );
    expect(overlap).toMatchObject({ rows: 3, imported: 1, duplicates: 2 });
    expect(store.incidents.size).toBe(4);
  });

  test("without a source id column, identical rows stay distinct but a re-import adds nothing", async () => {
    const profile = parseProfile(
      {
        name: "noid",
        sourceSystem: "noid",
        timezone: "America/Chicago",
        sourceId: { hash: true },
        fields: { receivedAt: { column: "date", format: "YYYY-MM-DD HH:mm" }, address: "block" },
      },
      "noid.json",
    );
    const store = new MemoryStore();
    const a = writeText(
      dir,
      "noid-a.csv",
      "date,block\n2020-01-01 10:00,1XX MAIN ST\n2020-01-01 10:00,1XX MAIN ST\n2020-01-02 10:00,2XX MAIN ST\n",
    );
    const b = writeText(
      dir,
      "noid-b.csv",
      "date,block\n2020-01-01 10:00,1XX MAIN ST\n2020-01-01 10:00,1XX MAIN ST\n2020-01-02 10:00,2XX MAIN ST\n2020-01-03 10:00,3XX MAIN ST\n",
    );
    expect(await importInto(store, a, profile)).toMatchObject({ rows: 3, imported: 3, duplicates: 0 });
    expect(await importInto(store, a, profile)).toMatchObject({ imported: 0, duplicates: 3 });
    expect(await importInto(store, b, profile)).toMatchObject({ rows: 4, imported: 1, duplicates: 3 });
  });

  test("a failing store rolls the batch back and the error reaches the caller", async () => {
    const store = new MemoryStore();
    const failing = {
      beginBatch: async (batch: Parameters<MemoryStore["beginBatch"]>[0]) => {
        const writer = await store.beginBatch(batch);
        return { ...writer, insertIncidents: async () => Promise.reject(new Error("disk full")) };
      },
    };
    const path = csv("fail.csv", [synthRow()]);
    await expect(importInto(store, path, "synthetic", { store: failing })).rejects.toThrow("disk full");
    expect(store.incidents.size).toBe(0);
    expect(store.batches).toHaveLength(0);
  });

  test("rejected rows go to the store in parts of a few megabytes, not 2,000 rows of up to a megabyte each", async () => {
    const store = new MemoryStore();
    const sizes: number[] = [];
    const tracked = {
      beginBatch: async (batch: NewBatch) => {
        const writer = await store.beginBatch(batch);
        return {
          ...writer,
          insertQuarantine: async (rows: readonly QuarantinedRow[]) => {
            sizes.push(rows.reduce((sum, r) => sum + r.recordEnc.length, 0));
            return writer.insertQuarantine(rows);
          },
        };
      },
    };
    // 40 rows, each with 600,000 characters of legal cells (under the cell and record limits) and a bad time.
    const big = "x".repeat(60_000);
    const rows = Array.from({ length: 40 }, (_, i) =>
      synthRow({ 接警单号: `Q${i}`, 报警时间: "不详", 简要案情: big, 反馈内容: big, 发生地址: big }).concat(
        `,${Array.from({ length: 7 }, () => big).join(",")}`,
      ),
    );
    const summary = await importInto(
      tracked as unknown as MemoryStore,
      csv("big-rejects.csv", rows),
      "synthetic",
    );
    expect(summary).toMatchObject({ rows: 40, rejected: 40 });
    expect(store.quarantine).toHaveLength(40);
    expect(sizes.length).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThan(12 * 1024 * 1024);
  });

  test("maxRows stops after the head of the file", async () => {
    const store = new MemoryStore();
    const path = csv(
      "head.csv",
      ["M1", "M2", "M3"].map((id) => synthRow({ 接警单号: id })),
    );
    expect(await importInto(store, path, "synthetic", { maxRows: 2 })).toMatchObject({
      rows: 2,
      imported: 2,
    });
  });

  test("the summary's clock is the injected one", async () => {
    const summary = await importInto(new MemoryStore(), csv("clock.csv", [synthRow()]), "synthetic");
    expect(summary.seconds).toBe(0);
    expect(TEST_NOW).toBe(Date.UTC(2026, 0, 1));
  });
});

test("incident ids hashed from the reused buffer equal incidentId for any source id and system", () => {
  fc.assert(
    fc.property(
      fc.string({ unit: "binary", maxLength: 140 }),
      fc.string({ unit: "grapheme", maxLength: 20 }),
      (sourceId, system) => {
        expect(new IncidentIds(system).of(sourceId)).toBe(incidentId(system, sourceId));
      },
    ),
    { seed: 5, numRuns: 500 },
  );
});

test("one IncidentIds gives incidentId for every id of a run of ids of other lengths and scripts", () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.string({ maxLength: 130 }), fc.string({ unit: "binary", maxLength: 40 })), {
        maxLength: 30,
      }),
      (sourceIds) => {
        const ids = new IncidentIds("synthetic-110");
        for (const sourceId of sourceIds)
          expect(ids.of(sourceId)).toBe(incidentId("synthetic-110", sourceId));
      },
    ),
    { seed: 6, numRuns: 300 },
  );
});

describe("a later export of stored calls", () => {
  test("fills in their feedback; an earlier export imported after it reverts nothing; rejected rows are kept once", async () => {
    const store = await openStore({ path: ":memory:" });
    try {
      const profile = await loadProfile("synthetic");
      let n = 0;
      const run = (path: string) =>
        importFile({
          path,
          profile,
          store,
          batchId: `later-${++n}` as BatchId,
          keys: TEST_KEYS,
          clock: fixedClock(TEST_NOW),
        });
      // The morning's export: L1 still open (no arrival, no feedback yet), L2 closed, L3 unreadable.
      const open = { 到场时间: "", 反馈时间: "", 处警结果: "", 反馈内容: "" };
      const morning = csv("morning.csv", [
        synthRow({ 接警单号: "L1", ...open }),
        synthRow({ 接警单号: "L2" }),
        synthRow({ 接警单号: "L3", 报警时间: "2024-13-45 08:00:00" }),
      ]);
      // The evening's export overlaps it: L1 closed since, L2 as it was, L3 still bad, L4 new.
      const evening = csv("evening.csv", [
        synthRow({ 接警单号: "L1", 反馈内容: "民警到场调解，双方和解，报警人电话13812345678。" }),
        synthRow({ 接警单号: "L2" }),
        synthRow({ 接警单号: "L3", 报警时间: "2024-13-45 08:00:00" }),
        synthRow({ 接警单号: "L4" }),
      ]);
      expect(await run(morning)).toMatchObject({
        rows: 3,
        imported: 2,
        rejected: 1,
        duplicates: 0,
        updated: 0,
      });
      const before = await store.incidents.get("synthetic-110", "L1");
      expect(before).toMatchObject({ arrivedAt: null, closedAt: null, feedback: null, disposition: null });

      expect(await run(evening)).toMatchObject({
        rows: 4,
        imported: 1,
        updated: 1,
        stale: 0,
        duplicates: 1,
        rejected: 1,
      });
      const after = await store.incidents.get("synthetic-110", "L1");
      expect(after).toEqual({
        ...before,
        arrivedAt: Date.UTC(2024, 4, 1, 0, 10, 0),
        closedAt: Date.UTC(2024, 4, 1, 1, 0, 0),
        disposition: "已调解",
        feedback: after?.feedback,
      });
      // The feedback is masked as at any import.
      expect(after?.feedback).toContain("民警到场调解");
      expect(after?.feedback).not.toContain("13812345678");
      expect((await store.batches.get("later-2" as BatchId))?.updated).toBe(1);

      // The morning's file again, after the evening's: its L1 only lacks what was filled in
      // since (a subset: a duplicate), nothing reverts, and its rejected row is not quarantined
      // a second time.
      const quarantined = await store.quarantine.count();
      expect(await run(morning)).toMatchObject({
        imported: 0,
        updated: 0,
        stale: 0,
        duplicates: 2,
        rejected: 1,
      });
      expect(await store.incidents.get("synthetic-110", "L1")).toEqual(after);
      expect(await store.quarantine.count()).toBe(quarantined);
      expect(await store.incidents.count()).toBe(3);
    } finally {
      await store.close();
    }
  });
});

test.each([0, 1, 1 << 20, (1 << 20) + 1, 2.5 * (1 << 20)])(
  "a file's SHA-256 read through one reused buffer is the hash of its bytes (%i bytes)",
  async (size) => {
    // Bytes that differ from one 1 MiB read to the next: a buffer hashed twice or cut short would show.
    const bytes = Buffer.alloc(size);
    for (let i = 0; i < size; i++) bytes[i] = (i * 7919 + (i >> 20) * 13) & 0xff;
    const path = join(dir, `sha-${size}.bin`);
    writeFileSync(path, bytes);
    expect(await fileSha256(path)).toBe(createHash("sha256").update(bytes).digest("hex"));
  },
);
