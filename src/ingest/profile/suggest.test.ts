import { describe, expect, test } from "vitest";
import { parseProfile } from "./load.ts";
import { compileMapper } from "./mapper.ts";
import {
  distinctValues,
  isPersonalColumn,
  suggestCategoryMap,
  suggestMapping,
  timeFormatOf,
  wizardProfile,
} from "./suggest.ts";

const targetOf = (header: string[], rows: string[][]) =>
  Object.fromEntries(suggestMapping(header, rows).columns.map((c) => [c.column, c.target]));

describe("suggestMapping", () => {
  test("a Chinese 110 export with unusual headers maps by name and sample values", () => {
    const header = [
      "警情编码",
      "来电时间",
      "派单时间",
      "到达现场时间",
      "处结时间",
      "警情分类",
      "事发地点",
      "主叫号码",
      "报警内容",
      "管辖单位",
      "报警人姓名",
      "备注X",
    ];
    const rows = [
      [
        "A001",
        "2024/5/1 8:03",
        "2024/5/1 8:05",
        "2024/5/1 8:20",
        "2024/5/1 9:00",
        "邻里纠纷",
        "幸福路1号3栋",
        "13800138000",
        "邻居装修噪音太大，要求处理",
        "城东派出所",
        "张三",
        "x",
      ],
      [
        "A002",
        "2024/5/2 23:59",
        "2024/5/3 0:05",
        "2024/5/3 0:20",
        "2024/5/3 1:00",
        "盗窃",
        "人民路8号",
        "0571-88886666",
        "电动车被盗，停在楼下",
        "城西派出所",
        "李四",
        "y",
      ],
    ];
    const map = targetOf(header, rows);
    expect(map).toEqual({
      警情编码: "sourceId",
      来电时间: "receivedAt",
      派单时间: "dispatchedAt",
      到达现场时间: "arrivedAt",
      处结时间: "closedAt",
      警情分类: "category",
      事发地点: "address",
      主叫号码: "caller",
      报警内容: "narrative",
      管辖单位: "station",
      报警人姓名: null,
      备注X: null,
    });
    const s = suggestMapping(header, rows);
    expect(s.columns[1]!.format).toBe("YYYY/M/D H:mm");
    expect(s.columns[10]!.personal).toBe(true);
    expect(s.hashSourceId).toBe(false);
  });

  test("both 报警时间 and 接警时间: received and accepted; only 接警时间: it is the received time", () => {
    const rows = [["2024-05-01 08:00:00", "2024-05-01 08:00:30"]];
    expect(targetOf(["报警时间", "接警时间"], rows)).toEqual({
      报警时间: "receivedAt",
      接警时间: "acceptedAt",
    });
    expect(targetOf(["接警时间", "发生地址"], [["2024-05-01 08:00:00", "幸福路"]])).toEqual({
      接警时间: "receivedAt",
      发生地址: "address",
    });
  });

  test("English CAD headers and a source id made from the content when there is none", () => {
    const header = ["Call Type", "Date Time", "Block Address", "Latitude", "Longitude"];
    const rows = [["THEFT", "05/01/2024 08:03:00", "100 BLOCK MAIN ST", "43.0389", "-87.9065"]];
    const s = suggestMapping(header, rows);
    expect(Object.fromEntries(s.columns.map((c) => [c.column, c.target]))).toEqual({
      "Call Type": "category",
      "Date Time": "receivedAt",
      "Block Address": "address",
      Latitude: "lat",
      Longitude: "lon",
    });
    expect(s.columns[1]!.format).toBe("M/D/YYYY H:mm:ss");
    expect(s.hashSourceId).toBe(true);
  });

  test("a date column and clock-only times: the date joins the received time, later times take its date", () => {
    const header = ["日期", "报警时间", "到场时间", "发生地址"];
    const rows = [
      ["2024-05-01", "23:50", "00:07", "幸福路1号"],
      ["2024-05-02", "08:00", "08:20", "人民路2号"],
    ];
    const s = suggestMapping(header, rows);
    expect(s.columns.map((c) => [c.target, c.format ?? null])).toEqual([
      ["receivedDate", "YYYY-MM-DD"],
      ["receivedAt", "H:mm"],
      ["arrivedAt", "H:mm"],
      ["address", null],
    ]);
    const columns = Object.fromEntries(s.columns.map((c) => [c.column, c.target!]));
    const formats = Object.fromEntries(s.columns.filter((c) => c.format).map((c) => [c.column, c.format!]));
    const profile = parseProfile(
      wizardProfile({ name: "log", sourceSystem: "log", timezone: "Asia/Shanghai", columns, formats }),
      "w",
    );
    const mapper = compileMapper(profile, header, { now: Date.UTC(2025, 0, 1) }, "x.csv");
    const row = mapper.map({ row: 1, cells: rows[0]! }).row!;
    expect(row.receivedAt).toBe(Date.UTC(2024, 4, 1, 15, 50));
    expect(row.arrivedAt).toBe(Date.UTC(2024, 4, 1, 16, 7));
  });

  test("a date column beside full date-times is not joined to them", () => {
    const s = suggestMapping(["date", "time"], [["1/1/2010", "2010-01-01 06:00:00"]]);
    expect(s.columns.map((c) => c.target)).toEqual([null, "receivedAt"]);
  });

  test("a time header whose values are not times is not trusted over a column that has times", () => {
    const s = suggestMapping(
      ["报警时间", "时间戳"],
      [
        ["待定", "2024-05-01 08:00:00"],
        ["不详", "2024-05-01 09:00:00"],
      ],
    );
    expect(s.columns[0]!.confidence).toBeLessThan(0.5);
  });
});

test.each([
  ["报警人姓名", true],
  ["报警人", true],
  ["身份证号码", true],
  ["主叫号码", false],
  ["当事人身份证", true],
  ["Caller Name", true],
  ["NAME", true],
  ["Street Name", false],
  ["Unit Name", false],
  ["报警人电话", false],
  ["报警人地址", false],
])("is %s a person's name or id? %s", (header, personal) => {
  expect(isPersonalColumn(header)).toBe(personal);
});

describe("time formats and code lists", () => {
  test.each([
    [["2024-05-01 08:00:00"], "YYYY-MM-DD HH:mm:ss"],
    [["2024年5月1日 8时3分"], "YYYY年M月D日 H时m分"],
    [["20240501080000"], "YYYYMMDDHHmmss"],
    [["13/05/2024 08:00"], "D/M/YYYY H:mm"],
    [["2024-05-01T08:00:00+08:00"], "iso"],
    [["hello"], null],
  ])("%j is read as %s", (values, format) => {
    expect(timeFormatOf(values)).toBe(format);
  });

  test("category values: recur's labels, keyword guesses, unknown codes left to the user", () => {
    const s = suggestCategoryMap([
      { value: "交通事故", count: 4 },
      { value: "家庭纠纷（夫妻）", count: 2 },
      { value: "Z99", count: 1 },
    ]);
    expect(s.map((x) => [x.target, x.via])).toEqual([
      ["traffic.accident", "label"],
      ["dispute.family", "keyword"],
      [null, null],
    ]);
  });

  test("distinct values are counted, and a column with too many is not a code list", () => {
    expect(distinctValues([["a"], ["b"], ["a"], [""]], 0)).toEqual([
      { value: "a", count: 2 },
      { value: "b", count: 1 },
    ]);
    expect(distinctValues([["a"], ["b"], ["c"]], 0, 2)).toBeNull();
  });
});

describe("wizardProfile", () => {
  test("a wizard mapping becomes a valid profile that maps a row", () => {
    const header = ["警情编码", "来电时间", "警情分类", "事发地点", "主叫号码", "经度", "纬度", "管辖单位"];
    const json = wizardProfile({
      name: "my-110",
      sourceSystem: "my-110",
      timezone: "Asia/Shanghai",
      columns: {
        警情编码: "sourceId",
        来电时间: "receivedAt",
        警情分类: "category",
        事发地点: "address",
        主叫号码: "caller",
        经度: "lon",
        纬度: "lat",
        管辖单位: "station",
      },
      formats: { 来电时间: "YYYY/M/D H:mm" },
      categoryMap: { 吵架: "dispute.neighbour", 空: "" },
      cityName: "示例市公安局",
      datum: "gcj02",
    });
    const profile = parseProfile(json, "wizard");
    const mapper = compileMapper(profile, header, { now: Date.UTC(2025, 0, 1) }, "x.csv");
    const result = mapper.map({
      row: 1,
      cells: ["A1", "2024/5/1 8:03", "吵架", "幸福路1号", "13800138000", "120.1", "30.2", "城东派出所"],
    });
    expect(result.row).toMatchObject({
      sourceId: "A1",
      receivedAt: Date.UTC(2024, 4, 1, 0, 3),
      category: "dispute",
      subtype: "neighbour",
      address: "幸福路1号",
      stationUnit: "城东派出所",
      cityUnit: "示例市公安局",
      datum: "gcj02",
    });
    expect(profile.category).not.toHaveProperty("exact.空");
  });
});
