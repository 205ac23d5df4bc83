import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  CATEGORIES,
  CATEGORY_LABELS,
  DEFAULT_SUBTYPES,
  DEPARTMENT_LABELS,
  DEPARTMENTS,
  fixedClock,
  SUBTYPE_LABELS,
} from "../../domain/index.ts";
import { MemoryStore } from "../testing/fakes.ts";
import { importInto, SYNTH_HEADER, synthRow, tempDir, writeText } from "../testing/files.ts";
import { bundledProfileNames, loadProfile, parseProfile } from "./load.ts";

const dir = tempDir();
const DATA = join(import.meta.dirname, "..", "..", "..", "..", "shared", "data");
const hasData = existsSync(DATA);

const base = {
  name: "t",
  sourceSystem: "t",
  timezone: "Asia/Shanghai",
  sourceId: "id",
  fields: { receivedAt: "time" },
};

describe("profile validation", () => {
  test("all bundled profiles are valid", async () => {
    const names = bundledProfileNames();
    expect(names).toEqual([
      "chicago-assaults",
      "houston",
      "milwaukee",
      "san-luis-obispo",
      "synthetic",
      "vancouver",
    ]);
    for (const name of names) expect((await loadProfile(name)).name).toBe(name);
  });

  test.each([
    ["an unknown time zone", { ...base, timezone: "Asia/Peking" }, "timezone: unknown IANA time zone"],
    [
      "a bad time format",
      { ...base, fields: { receivedAt: { column: "time", format: "YYYY-MM" } } },
      "fields.receivedAt.format",
    ],
    [
      "an unknown category target",
      { ...base, category: { column: "c", exact: { X: "crime.theft" } } },
      'category.exact.X: unknown category "crime"',
    ],
    [
      "an unknown subtype",
      { ...base, category: { column: "c", prefix: { "01": "criminal.arson" } } },
      'category.prefix["01"]: unknown subtype "arson"',
    ],
    ["a misspelt key", { ...base, feilds: {} }, 'Unrecognized key: "feilds"'],
    [
      "a value with two sources",
      { ...base, fields: { receivedAt: { column: "a", const: "b" } } },
      "fields.receivedAt: takes only one of",
    ],
    [
      "a clock-only time without dateFrom",
      { ...base, fields: { receivedAt: "time", arrivedAt: { column: "a", format: "HH:mm" } } },
      "fields.arrivedAt.dateFrom: a clock-only format needs dateFrom",
    ],
    [
      "a bad regex",
      { ...base, category: { column: "c", regex: [{ pattern: "(", to: "other" }] } },
      "category.regex[0].pattern",
    ],
    ["a bad UTM zone", { ...base, coordinates: { x: "X", y: "Y", utm: "61N" } }, "coordinates.utm"],
    ["a missing receivedAt", { ...base, fields: {} }, "fields.receivedAt"],
  ])("%s is a ConfigError naming the path", (_, profile, message) => {
    let error: unknown;
    try {
      parseProfile(profile, "bad.json");
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: "ConfigError", code: "bad_profile" });
    const text = (error as { messages: { en: string; zh: string } }).messages;
    expect(text.en).toContain("bad.json");
    expect(text.en).toContain(message);
    expect(text.zh).toContain("配置文件 bad.json 无效");
  });

  test("an unknown bundled profile lists the available ones", async () => {
    await expect(loadProfile("nope")).rejects.toMatchObject({
      code: "unknown_profile",
      messages: { en: expect.stringContaining("milwaukee") },
    });
  });

  test("subtypes added under taxonomy become valid targets", () => {
    const profile = parseProfile(
      {
        ...base,
        taxonomy: { criminal: ["arson"] },
        category: { column: "c", exact: { A: "criminal.arson" } },
      },
      "ok.json",
    );
    expect(profile.taxonomy?.criminal).toEqual(["arson"]);
  });
});

/** Small fixtures in each real export's layout, written by us (not copied from the data). */
const FIXTURES: Record<string, string> = {
  milwaukee: [
    "id,time,location,latitude,longitude,district,nature,status",
    '900001,2018-05-01 00:10:28,"100 N MAIN ST,MKE",43.1,-87.9,4,TRBL W/SUBJ,Advised',
    '900002,2018-05-02 13:00:00,"200 W TEST AV,MKE",43.0,-87.95,5,BATTERY DV,Assignment Completed',
    '900003,2018-05-03 14:00:00,"300 S FAKE ST,MKE",,,7,ACC PDO,Advised',
  ].join("\n"),
  "san-luis-obispo": [
    "case_number,date,received,dispatched,arrived,cleared,type,grid_location,location,address,observed_crime,responsible_officer,units,description,call_comments,clearance_code",
    '990001,09/14/21,23:50,23:58,00:07,,Noise Party,PN9,J-14,100 TEST ST;,,"Doe, J","4267,4265\n",(MDC) Completed call,LOUD MUSIC,No Report',
    '990002,09/15/21,07:30,,07:31,,9-1-1 ABANDON,PN13,,,,"Roe, R","COM1\n",Completed call,OPEN LINE,',
  ].join("\r\n"),
  houston: [
    '"time","date","hour","premise","offense","beat","block","street","type","suffix","number","month","day","location","address","lon","lat"',
    '2010-01-01 06:00:00,"1/1/2010",0,"18A","murder","15E30","9600-9699","test","ln","-",1,"january","friday","apartment parking lot","9650 test ln",-95.43,29.67',
    '2010-07-04 19:00:00,"7/4/2010",14,"13R","theft","13D10","4700-4799","sample","rd","-",1,"july","sunday","road / street / sidewalk","4750 sample rd",NA,NA',
    '2010-07-04 19:00:00,"7/4/2010",14,"13R","theft","13D10","4700-4799","sample","rd","-",1,"july","sunday","road / street / sidewalk","4750 sample rd",NA,NA',
  ].join("\n"),
  vancouver: [
    "TYPE,YEAR,MONTH,DAY,HOUR,MINUTE,HUNDRED_BLOCK,NEIGHBOURHOOD,X,Y",
    "Break and Enter Commercial,2020,6,19,3,40,10XX TEST ST,West End,491059.4824,5459122.4178",
    "Offence Against a Person,2020,1,3,6,43,OFFSET TO PROTECT PRIVACY,,0,0",
    "Vehicle Collision or Pedestrian Struck (with Injury),2020,11,1,1,30,20XX SAMPLE AVE,Kitsilano,489000,5457000",
  ].join("\n"),
  "chicago-assaults": [
    "date,loc_cat,longitude,latitude,district",
    "2010-01-01 00:05,residence,-87.6277,41.7922,2",
    "2019-03-10 02:30,street,-87.6683,41.7513,6",
  ].join("\n"),
  synthetic: [
    SYNTH_HEADER,
    synthRow(),
    synthRow({ 接警单号: "J2", 警情类别: "非警务", 警情细类: "", 处置部门: "城管" }),
  ].join("\n"),
};

describe("each bundled profile imports a fixture in its export's layout", () => {
  test("milwaukee: nature codes to the taxonomy, districts as stations", async () => {
    const store = new MemoryStore();
    const s = await importInto(store, writeText(dir, "mke.csv", FIXTURES.milwaukee ?? ""), "milwaukee");
    expect(s).toMatchObject({ rows: 3, imported: 3, rejected: 0 });
    expect(store.bySourceId("900001")).toMatchObject({
      receivedAt: Date.UTC(2018, 4, 1, 5, 10, 28),
      category: "public_order",
      subtype: "disturbance",
      stationUnit: "District 4",
      disposition: "Advised",
    });
    expect(store.bySourceId("900002")).toMatchObject({ category: "criminal", subtype: "domestic_violence" });
    expect(store.bySourceId("900003")).toMatchObject({ category: "traffic", subtype: "accident", lon: null });
  });

  test("san-luis-obispo: clock-only times take the date and roll over midnight", async () => {
    const store = new MemoryStore();
    const s = await importInto(
      store,
      writeText(dir, "slo.csv", FIXTURES["san-luis-obispo"] ?? ""),
      "san-luis-obispo",
    );
    expect(s).toMatchObject({ rows: 2, imported: 2, rejected: 0 });
    const late = store.bySourceId("990001");
    // 23:50 PDT on 14 Sep = 06:50 UTC on 15 Sep; arrival 00:07 is the next day.
    expect(late?.receivedAt).toBe(Date.UTC(2021, 8, 15, 6, 50));
    expect(late?.dispatchedAt).toBe(Date.UTC(2021, 8, 15, 6, 58));
    expect(late?.arrivedAt).toBe(Date.UTC(2021, 8, 15, 7, 7));
    expect(late).toMatchObject({ category: "public_order", subtype: "noise", narrative: "LOUD MUSIC" });
    expect(store.bySourceId("990002")).toMatchObject({
      category: "invalid",
      subtype: "silent",
      dispatchedAt: null,
    });
    // The officer's name is not mapped and so not stored.
    expect(JSON.stringify([...store.incidents.values()])).not.toContain("Doe");
  });

  test("houston: local time from date + hour, identical rows stay two incidents", async () => {
    const store = new MemoryStore();
    const s = await importInto(store, writeText(dir, "hou.csv", FIXTURES.houston ?? ""), "houston");
    expect(s).toMatchObject({ rows: 3, imported: 3, rejected: 0 });
    const incidents = [...store.incidents.values()];
    expect(incidents[0]?.receivedAt).toBe(Date.UTC(2010, 0, 1, 6)); // = the file's UTC `time`
    expect(incidents[1]?.receivedAt).toBe(Date.UTC(2010, 6, 4, 19)); // CDT
    expect(incidents[0]).toMatchObject({ category: "criminal", subtype: "homicide", areaUnit: "15E30" });
    expect(incidents[1]?.lon).toBeNull();
    expect(new Set(incidents.map((i) => i.sourceId)).size).toBe(3);
  });

  test("vancouver: UTM 10N metres become WGS-84; 0,0 is 'not located'", async () => {
    const store = new MemoryStore();
    const s = await importInto(store, writeText(dir, "van.csv", FIXTURES.vancouver ?? ""), "vancouver");
    expect(s).toMatchObject({ rows: 3, imported: 3, rejected: 0, warned: 1 });
    const [bne, person, crash] = [...store.incidents.values()];
    expect(bne?.lon).toBeCloseTo(-123.1229, 3);
    expect(bne?.lat).toBeCloseTo(49.2848, 3);
    expect(bne).toMatchObject({
      datum: "wgs84",
      category: "criminal",
      subtype: "burglary",
      areaUnit: "West End",
    });
    expect(bne?.receivedAt).toBe(Date.UTC(2020, 5, 19, 10, 40)); // 03:40 PDT
    expect(person).toMatchObject({ lon: null, lat: null, category: "criminal", subtype: "assault" });
    expect(crash).toMatchObject({ category: "traffic", subtype: "accident" });
    expect(crash?.receivedAt).toBe(Date.UTC(2020, 10, 1, 8, 30)); // 01:30 on the fall-back day, first (PDT)
  });

  test("chicago-assaults: minute times, a spring-forward gap time moved forward", async () => {
    const store = new MemoryStore();
    const s = await importInto(
      store,
      writeText(dir, "chi.csv", FIXTURES["chicago-assaults"] ?? ""),
      "chicago-assaults",
    );
    expect(s).toMatchObject({ rows: 2, imported: 2 });
    const [first, gap] = [...store.incidents.values()];
    expect(first).toMatchObject({
      category: "criminal",
      subtype: "assault",
      stationUnit: "District 2",
      narrative: "residence",
    });
    expect(gap?.receivedAt).toBe(Date.UTC(2019, 2, 10, 8, 30)); // 02:30 does not exist: 03:30 CDT
  });

  test("synthetic: Chinese labels and departments", async () => {
    const store = new MemoryStore();
    const s = await importInto(
      store,
      writeText(dir, "syn.csv", FIXTURES.synthetic ?? "", "gbk"),
      "synthetic",
    );
    expect(s).toMatchObject({ rows: 2, imported: 2, encoding: "gb18030" });
    expect(store.bySourceId("J2")).toMatchObject({
      category: "non_police",
      subtype: null,
      department: "urban_management",
    });
  });
});

/** The head of each real export (fast); the full imports are in bench/real-imports.ts. */
const REAL: [string, string, number][] = [
  ["milwaukee", "cfs/milwaukee-2018-05.csv", 3000],
  ["san-luis-obispo", "cfs/san-luis-obispo-2021-22.csv", 3000],
  ["houston", "crime/houston-2010.csv", 3000],
  ["vancouver", "crime/vancouver-2020.csv", 3000],
  ["chicago-assaults", "crime/chicago-aggravated-assaults-2010-19.csv", 3000],
];

describe("the real exports in ../shared/data import with their bundled profiles", () => {
  if (!hasData) test.skip("../shared/data is absent: real-export tests skipped", () => {});
  test.skipIf(!hasData).each(REAL)("%s (%s, first %i rows)", async (profile, file, rows) => {
    const store = new MemoryStore();
    const summary = await importInto(store, join(DATA, file), profile, { maxRows: rows });
    expect(summary.rows).toBe(rows);
    // Nothing lost: every row is imported, a duplicate, or quarantined with a reason.
    expect(summary.imported + summary.duplicates + summary.rejected).toBe(rows);
    expect(summary.rejected).toBeLessThan(rows * 0.01);
    expect(summary.imported).toBeGreaterThan(rows * 0.9);
    const unmapped = summary.issueCounts.unmapped_category?.warnings ?? 0;
    expect(unmapped).toBeLessThan(rows * 0.01);
  });

  test.skipIf(!hasData)("houston: local date + hour agree with the file's UTC time column", async () => {
    const store = new MemoryStore();
    await importInto(store, join(DATA, "crime/houston-2010.csv"), "houston", { maxRows: 2000 });
    // Rows are in file order; compare with the `time` column read independently.
    const { readFileSync } = await import("node:fs");
    const utc = readFileSync(join(DATA, "crime/houston-2010.csv"), "utf8")
      .split("\n")
      .slice(1, 2001)
      .map((line) => Date.parse(`${line.slice(0, 19).replace(" ", "T")}Z`));
    expect([...store.incidents.values()].map((i) => i.receivedAt)).toEqual(utc);
  });
});

describe("docs/profiles.md", () => {
  test("its full example of a Chinese 110 profile is valid and imports a matching export", async () => {
    const { readFileSync } = await import("node:fs");
    const doc = readFileSync(join(import.meta.dirname, "..", "..", "..", "docs", "profiles.md"), "utf8");
    const block = /```jsonc\n([\s\S]*?)```/.exec(doc)?.[1] ?? "";
    const json = block.replace(/\s+\/\/.*$/gm, "");
    const profile = parseProfile(JSON.parse(json), "docs example");
    const header =
      "警情编号,报警时间,接警时间,派警时间,到达现场时间,反馈时间,报警人电话,报警人姓名,警情类别代码,警情类别名称,警情细类名称,处置部门,案发地址,经度,纬度,管辖分局,管辖派出所,警务区,简要警情,处理结果,反馈情况,接警员";
    const row =
      "A001,2024/5/1 8:05,2024/5/1 8:05:30,,,,138 1234 5678,张三,0402,纠纷,家庭纠纷,,西湖区文三路100号2单元301,120.1,30.2,西湖分局,文新派出所,文新一警务区,夫妻吵架,已调解,已调解,李四";
    const store = new MemoryStore();
    const summary = await importInto(
      store,
      writeText(dir, "doc-example.csv", `${header}\n${row}\n`, "gbk"),
      profile,
    );
    expect(summary).toMatchObject({ rows: 1, imported: 1, rejected: 0 });
    const incident = store.bySourceId("A001");
    expect(incident).toMatchObject({ category: "dispute", subtype: "family", cityUnit: "杭州市公安局" });
    expect(incident?.receivedAt).toBe(Date.UTC(2024, 4, 1, 0, 5));
    expect(JSON.stringify(incident)).not.toContain("张三");
    expect(JSON.stringify(incident)).not.toContain("李四");
  });
});

describe("docs/profiles.md, second example and tables", () => {
  const doc = readFileSync(join(import.meta.dirname, "..", "..", "..", "docs", "profiles.md"), "utf8");
  const section = doc.slice(doc.indexOf("## A second example"));

  test("its export and profile with category names import as its table says", async () => {
    const csv = /```csv\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
    const json = /```json\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
    const profile = parseProfile(JSON.parse(json), "my-110.json");
    const store = new MemoryStore();
    // "now" a day after the export, so that its times are not in the future
    const summary = await importInto(store, writeText(dir, "second-example.csv", csv, "gbk"), profile, {
      clock: fixedClock(Date.UTC(2026, 10, 26)),
    });
    expect(summary).toMatchObject({ rows: 4, imported: 3, rejected: 1 });
    const at = (h: number, m: number, day = 24) => Date.UTC(2026, 10, day, h - 8, m);

    const one = store.bySourceId("A20261124001");
    expect(one).toMatchObject({
      category: "dispute",
      subtype: "neighbour",
      sourceCategory: "纠纷/纠纷-邻里纠纷",
      receivedAt: at(8, 5),
      acceptedAt: at(8, 5) + 33_000,
      branchUnit: "西湖分局",
      stationUnit: "文新派出所",
      cityUnit: "杭州市公安局",
      lon: 120.102345,
      datum: "gcj02",
      narrative: "报警人称楼上漏水与邻居争吵，报警人手机〔手机号〕。",
      callerNumberEnc: null,
    });
    expect(one?.callerPseudonym).toMatch(/^c_/);

    const two = store.bySourceId("A20261124002");
    expect(two).toMatchObject({ category: "fire", subtype: null, callerPseudonym: null });
    expect(two?.arrivedAt).toBe(at(0, 7, 25) + 41_000);

    const three = store.bySourceId("A20261124003");
    expect(three).toMatchObject({
      category: "non_police",
      subtype: "municipal",
      department: "urban_management",
      lon: null,
      receivedAt: at(9, 15) + 7_000,
    });
    expect(three?.arrivedAt).toBe(at(9, 1));

    expect(store.quarantine.map((q) => q.row)).toEqual([4]);
    expect(summary.issueCounts).toEqual({
      unmapped_category: { errors: 0, warnings: 1 },
      time_order: { errors: 0, warnings: 1 },
      missing_value: { errors: 1, warnings: 0 },
    });
    expect(summary.sampleWarnings.map((w) => [w.row, w.code, w.field])).toEqual([
      [2, "unmapped_category", "category"],
      [3, "time_order", "arrivedAt"],
    ]);
    for (const name of ["张某", "李某", "JJ1024"])
      expect(JSON.stringify([...store.incidents.values()])).not.toContain(name);
  });

  test("the taxonomy table lists every category and subtype with recur's Chinese names", () => {
    const rows = new Map(
      [...doc.matchAll(/^\| `([a-z_]+)` \| ([^|]+) \| (.*) \|$/gm)].map(
        (m) => [m[1], [m[2]?.trim(), m[3]]] as const,
      ),
    );
    for (const category of CATEGORIES) {
      const [zh, subtypes] = rows.get(category) ?? [];
      expect(zh, category).toBe(CATEGORY_LABELS[category].zh);
      const listed = (subtypes ?? "").split(", ").map((s) => s.trim());
      expect(listed, category).toEqual(
        DEFAULT_SUBTYPES[category].map((sub) => {
          const label = SUBTYPE_LABELS[`${category}.${sub}`];
          return label ? `\`${sub}\` ${label.zh}` : `\`${sub}\``;
        }),
      );
    }
  });

  test("the department table lists every department with its Chinese name", () => {
    const table = doc.slice(doc.indexOf("| department | 中文 | department | 中文 |"));
    const cells = [...table.slice(0, table.indexOf("\n\n")).matchAll(/`([a-z_0-9]+)` \| ([^|]+) \|/g)];
    expect(new Map(cells.map((m) => [m[1], m[2]?.trim()]))).toEqual(
      new Map(DEPARTMENTS.map((d) => [d, DEPARTMENT_LABELS[d].zh])),
    );
  });
});

describe("column names in a profile", () => {
  test("spaces around a column name copied from the header do not hide the column", async () => {
    const profile = parseProfile(
      {
        name: "spaces",
        sourceSystem: "spaces",
        timezone: "Asia/Shanghai",
        sourceId: " 警情编号",
        fields: { receivedAt: { template: "{日期 } { 时间}", format: "YYYY-MM-DD HH:mm" } },
        units: { station: { columns: ["管辖单位 "] } },
      },
      "spaces.json",
    );
    const store = new MemoryStore();
    const file = writeText(
      dir,
      "spaces.csv",
      " 警情编号,日期,时间 ,管辖单位\nA1,2025-11-24,08:05,文新派出所\n",
    );
    const summary = await importInto(store, file, profile);
    expect(summary).toMatchObject({ rows: 1, imported: 1 });
    expect(store.bySourceId("A1")).toMatchObject({
      receivedAt: Date.UTC(2025, 10, 24, 0, 5),
      stationUnit: "文新派出所",
    });
  });
});

describe("clock-only times", () => {
  const profile = parseProfile(
    {
      name: "clock",
      sourceSystem: "clock",
      timezone: "America/Los_Angeles",
      sourceId: "id",
      fields: {
        receivedAt: { template: "{date} {received}", format: "MM/DD/YY HH:mm" },
        arrivedAt: { column: "arrived", format: "HH:mm", dateFrom: "receivedAt" },
      },
    },
    "clock.json",
  );
  test.each([
    ["23:50", "00:07", Date.UTC(2021, 8, 15, 7, 7), 0],
    ["07:30", "07:45", Date.UTC(2021, 8, 14, 14, 45), 0],
    ["07:30", "07:25", Date.UTC(2021, 8, 14, 14, 25), 1],
    ["14:00", "01:00", Date.UTC(2021, 8, 15, 8, 0), 0],
  ])("received %s, arrived %s", async (received, arrived, expected, warnings) => {
    const store = new MemoryStore();
    const file = writeText(
      dir,
      `clock-${received}-${arrived}.csv`.replace(/:/g, ""),
      `id,date,received,arrived\n1,09/14/21,${received},${arrived}\n`,
    );
    const summary = await importInto(store, file, profile);
    expect(store.bySourceId("1")?.arrivedAt).toBe(expected);
    expect(summary.warned).toBe(warnings);
  });
});
