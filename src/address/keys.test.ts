import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { createAddressLocator } from "./locator.ts";

/**
 * Key stability: variant spellings generated from the variant rules of docs/address.md
 * (numerals, unit words, dashes, filler words, full-width digits, district aliases and omitted
 * upper levels) must share one key per place, and different places must keep different keys.
 */
const locator = createAddressLocator({
  region: "内蒙古自治区包头市",
  dictionary: {
    kind: "recur-place-dictionary",
    version: 1,
    aliases: { 阳光花园: "阳光小区" },
    places: [{ name: "阳光小区", kind: "poi", count: 40 }],
  },
});

const COMPOUNDS = [
  "阳光小区",
  "幸福家园",
  "青山花园",
  "钢铁大厦",
  "明珠公寓",
  "友谊新村",
  "富强苑小区",
  "万达广场",
];
const PREFIXES = ["", "包头市", "昆区", "昆都仑区", "包头市昆都仑区", "内蒙古自治区包头市昆都仑区"];
const CN = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"];
const fullWidth = (s: string) => s.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));

interface Place {
  readonly compound: string;
  readonly building: number;
  readonly unit: number;
  readonly room: number;
}

/** Every spelling of one flat the variant rules allow. */
function variants(p: Place): string[] {
  const b = [
    `${p.building}栋`,
    `${p.building}幢`,
    `${p.building}号楼`,
    `${CN[p.building]}号楼`,
    `${CN[p.building]}栋`,
    `${p.building}座`,
  ];
  const u = [`${p.unit}单元`, `${CN[p.unit]}单元`, `${p.unit}门`];
  const r = [`${p.room}`, `${p.room}室`, `${p.room}房`, `${p.room}号`];
  const out: string[] = [];
  PREFIXES.forEach((prefix, i) => {
    const bi = b[i % b.length] as string;
    const ui = u[i % u.length] as string;
    const ri = r[i % r.length] as string;
    out.push(`${prefix}${p.compound}${bi}${ui}${ri}`);
  });
  out.push(`${p.compound}${p.building}-${p.unit}-${p.room}`);
  out.push(
    `${p.compound}${fullWidth(`${p.building}`)}栋${fullWidth(`${p.unit}`)}单元${fullWidth(`${p.room}`)}`,
  );
  out.push(`${p.compound}${p.building}栋${p.unit}单元${p.room}室门口`);
  out.push(`昆区${p.compound}${p.building}号楼${p.unit}单元${p.room}附近`);
  if (p.compound === "阳光小区") out.push(`阳光花园${p.building}-${p.unit}-${p.room}`);
  return out;
}

function groups(): Place[] {
  const out: Place[] = [];
  for (const compound of COMPOUNDS)
    for (const building of [1, 3, 12])
      for (const unit of [1, 2, 5])
        for (const room of [101, 501, 1203]) out.push({ compound, building, unit, room });
  return out;
}

describe("location keys", () => {
  const places = groups();

  test(`each of ${places.length} groups of variant spellings maps to one room key`, () => {
    const bad: string[] = [];
    for (const p of places) {
      const keys = new Set(variants(p).map((v) => locator.locate(v).room));
      if (keys.size !== 1 || keys.has(null)) bad.push(`${JSON.stringify(p)} → ${[...keys].join(" | ")}`);
    }
    expect(bad).toEqual([]);
    expect(places.length).toBeGreaterThanOrEqual(200);
  });

  test("different places keep different room keys", () => {
    const byKey = new Map<string, string>();
    for (const p of places) {
      const key = locator.locate(variants(p)[0] as string).room as string;
      const id = JSON.stringify(p);
      expect(byKey.get(key) ?? id).toBe(id);
      byKey.set(key, id);
    }
    expect(byKey.size).toBe(places.length);
  });

  test("building and unit keys are shared by the flats they contain, and differ across numbers", () => {
    const a = locator.locate("阳光小区3栋2单元501");
    const b = locator.locate("阳光小区三号楼二单元602室");
    const c = locator.locate("阳光小区3栋1单元501");
    expect(a.building).toBe(b.building);
    expect(a.unit).toBe(b.unit);
    expect(a.unit).not.toBe(c.unit);
    expect(a.room).not.toBe(c.room);
    expect(locator.locate("阳光小区13栋2单元501").building).not.toBe(a.building);
  });

  test("a compound spelt differently is merged only through a known alias", () => {
    expect(locator.locate("阳光花园3-2-501").room).toBe(locator.locate("阳光小区3栋2单元501").room);
    expect(createAddressLocator({ region: "包头市" }).locate("阳光花园3-2-501").room).not.toBe(
      createAddressLocator({ region: "包头市" }).locate("阳光小区3栋2单元501").room,
    );
  });

  test("a homophone typo of a dictionary compound is matched above the threshold, an unrelated name is not", () => {
    const typo = locator.analyse("阳光晓区3栋2单元501");
    expect(typo.keys.room).toBe(locator.locate("阳光小区3栋2单元501").room);
    expect(typo.fuzzy?.confidence).toBeGreaterThanOrEqual(0.85);
    expect(locator.locate("月光小区3栋2单元501").room).not.toBe(typo.keys.room);
    const strict = createAddressLocator({
      region: "包头市",
      dictionary: {
        kind: "recur-place-dictionary",
        version: 1,
        aliases: {},
        places: [{ name: "阳光小区", kind: "poi", count: 9 }],
      },
      fuzzyThreshold: 0.95,
    });
    expect(strict.analyse("阳光晓区3栋").fuzzy).toBeNull();
  });

  test("street addresses: each of 60 groups of variant spellings shares one road key, numbers stay apart", () => {
    const roads = ["钢铁大街", "阿尔丁大街", "民族东路", "文化路", "青年路"];
    const numbers: [number, string][] = [
      [1, "一"],
      [12, "十二"],
      [108, "一百零八"],
      [7, "七"],
      [25, "二十五"],
      [230, "二百三十"],
      [9, "九"],
      [15, "十五"],
      [46, "四十六"],
      [301, "三百零一"],
      [88, "八十八"],
      [120, "一百二十"],
    ];
    const seen = new Map<string, string>();
    for (const road of roads)
      for (const [n, cn] of numbers) {
        const spellings = [
          `${road}${n}号`,
          `包头市${road}${cn}号`,
          `昆区${road}${fullWidth(String(n))}号`,
          `${road}${n}号门口`,
          `内蒙古自治区包头市昆都仑区${road}${n}号附近`,
        ];
        const keys = new Set(spellings.map((x) => locator.locate(x).road));
        expect([...keys], spellings.join(" / ")).toHaveLength(1);
        const key = [...keys][0] as string;
        expect(key).not.toBeNull();
        expect(seen.get(key) ?? `${road}${n}`).toBe(`${road}${n}`);
        seen.set(key, `${road}${n}`);
      }
    expect(seen.size).toBe(60);
  });

  test("road addresses and intersections have order-independent keys", () => {
    expect(locator.locate("中山路与解放路交叉口").cross).toBe(
      locator.locate("解放路和中山路交叉口附近").cross,
    );
    expect(locator.locate("钢铁大街12号").road).toBe(locator.locate("包头市钢铁大街十二号").road);
    expect(locator.locate("钢铁大街12号").road).not.toBe(locator.locate("钢铁大街14号").road);
  });

  test("a number on a road written with a dash is not the number its digits spell", () => {
    expect(locator.locate("钢铁大街27-4红星超市").road).not.toBe(locator.locate("钢铁大街274号").road);
    expect(locator.locate("钢铁大街8-12号").road).not.toBe(locator.locate("钢铁大街812号").road);
    expect(locator.locate("钢铁大街806-808号").road).toBe(locator.locate("钢铁大街806-808").road);
  });

  test.each([
    ["漓江一号3栋502", "漓江1号3栋502"],
    ["万科·城市之光2幢301", "万科城市之光2幢301"],
    ["昆区高新区钢铁大街12号", "昆区钢铁大街12号"],
    ["下宅村107号", "下宅村一零七号"],
    ["阳光小区3栋东门", "阳光小区3栋"],
    ["阳光小区东区3栋2单元501室前台", "阳光小区东区3栋2单元501"],
  ])("%s and %s share their most precise key", (a, b) => {
    const ka = locator.locate(a);
    const kb = locator.locate(b);
    expect(ka.room ?? ka.building ?? ka.road).not.toBeNull();
    expect(ka).toEqual(kb);
  });

  test("random building, unit and room numbers never collide (property)", () => {
    fc.assert(
      fc.property(
        fc.record({
          b: fc.integer({ min: 1, max: 40 }),
          u: fc.integer({ min: 1, max: 9 }),
          r: fc.integer({ min: 101, max: 3299 }),
        }),
        fc.record({
          b: fc.integer({ min: 1, max: 40 }),
          u: fc.integer({ min: 1, max: 9 }),
          r: fc.integer({ min: 101, max: 3299 }),
        }),
        (x, y) => {
          const kx = locator.locate(`幸福家园${x.b}栋${x.u}单元${x.r}`).room;
          const ky = locator.locate(`幸福家园${y.b}号楼${y.u}单元${y.r}室`).room;
          return (kx === ky) === (x.b === y.b && x.u === y.u && x.r === y.r);
        },
      ),
      { seed: 3, numRuns: 300 },
    );
  });
});

describe("a dictionary compound named with a numbered section (翠苑一区)", () => {
  const dict = createAddressLocator({
    region: "浙江省杭州市",
    dictionary: {
      kind: "recur-place-dictionary",
      version: 1,
      aliases: { 翠苑小区: "翠苑一区" },
      places: [{ name: "翠苑一区", kind: "poi", count: 30 }],
    },
  });
  const building = (t: string) => dict.locate(t).building;

  test("its typo is matched above the threshold and its alias joins it, as for any dictionary compound", () => {
    const key = building("翠苑一区3栋");
    expect(key).not.toBeNull();
    expect(building("西湖区翠苑一区三栋")).toBe(key);
    expect(building("翠院一区3栋")).toBe(key);
    expect(dict.analyse("翠院一区3栋").fuzzy?.confidence).toBeGreaterThanOrEqual(0.85);
    expect(building("翠苑小区3栋")).toBe(key);
  });

  test("another section, building or compound stays apart", () => {
    const key = building("翠苑一区3栋");
    for (const t of ["翠苑二区3栋", "翠院二区3栋", "翠苑一区4栋", "翠苑3栋", "月光一区3栋"])
      expect(building(t), t).not.toBe(key);
  });
});

describe("sub-rooms of a flat (群租房)", () => {
  const locator = createAddressLocator({ region: "浙江省杭州市" });
  const spellings = [
    (r: number, s: number) => `${r}-${s}`,
    (r: number, s: number) => `${r}室${s}号房`,
    (r: number, s: number) => `${r}室-${s}`,
  ];
  type Flat = { b: number; r: number; s: number };
  const key = (p: Flat, w: number) =>
    locator.locate(
      `浙江省杭州市西湖区幸福家园${p.b}栋2单元${(spellings[w] as (r: number, s: number) => string)(p.r, p.s)}`,
    ).room;

  test("a sub-room keeps one key however it is written, and another building, flat or sub-room another (property)", () => {
    fc.assert(
      fc.property(
        fc.record({
          b: fc.integer({ min: 1, max: 40 }),
          r: fc.integer({ min: 101, max: 3299 }),
          s: fc.integer({ min: 1, max: 9 }),
        }),
        fc.integer({ min: 0, max: spellings.length - 1 }),
        fc.integer({ min: 0, max: spellings.length - 1 }),
        // What the second address changes: nothing, the building, the flat (by 100: the floor
        // above, the same last digits), or the sub-room.
        fc.constantFrom("none", "b", "r", "s"),
        (x, w1, w2, change) => {
          const y: Flat = {
            b: change === "b" ? x.b + 1 : x.b,
            r: change === "r" ? x.r + 100 : x.r,
            s: change === "s" ? (x.s % 9) + 1 : x.s,
          };
          const kx = key(x, w1);
          return kx !== null && (kx === key(y, w2)) === (change === "none");
        },
      ),
      { seed: 7, numRuns: 400 },
    );
  });
});

/**
 * Groups of spellings call-takers write for one place, in an invented compound and road of a
 * district of Hangzhou (docs/address.md "Keys and levels"): each group shares its key at the
 * level named, never null; the places of `apart` keep different keys at that level.
 */
describe("variant spellings of call-takers (浙江省杭州市西湖区)", () => {
  const hz = createAddressLocator({ region: "浙江省杭州市" });
  const at = (level: keyof ReturnType<typeof hz.locate>, text: string) =>
    hz.locate(`浙江省杭州市西湖区${text}`)[level];
  type Level = "building" | "unit" | "room" | "road";
  const groups: [string, Level, string[], string[]][] = [
    [
      "附1号 on a road",
      "road",
      ["红星路12号附1号", "红星路12号附一号", "红星路12号附1"],
      ["红星路12号", "红星路12号附2号"],
    ],
    [
      "之一 on a road",
      "building",
      ["红星路12号之1", "红星路12号之1号", "红星路12号之一", "红星路12号之一号"],
      ["红星路12号", "红星路12号1栋", "红星路12号之2", "红星路12号附1号"],
    ],
    [
      "A座 / A栋 / A幢",
      "room",
      ["阳光小区A座1201", "阳光小区Ａ座1201室", "阳光小区A栋1201", "阳光小区a幢1201号房"],
      ["阳光小区B座1201", "阳光小区A座1202"],
    ],
    [
      "floors: 一楼 / 1楼 / 1F / 1层",
      "building",
      ["阳光小区3栋一楼", "阳光小区3栋1楼", "阳光小区3栋1F", "阳光小区3栋1层", "阳光小区三栋1楼"],
      ["阳光小区4栋1楼"],
    ],
    [
      "a floor before the flat",
      "room",
      [
        "阳光小区3栋2单元5楼501",
        "阳光小区3栋2单元五楼501室",
        "阳光小区3栋2单元5F501",
        "阳光小区3栋2单元5层501",
      ],
      ["阳光小区3栋2单元5楼502"],
    ],
    [
      "basement: 负一层 / 地下一层 / -1层",
      "building",
      ["阳光小区3栋负一层", "阳光小区3栋地下一层", "阳光小区3栋-1层", "阳光小区3栋"],
      ["阳光小区13栋负一层"],
    ],
    [
      "号院 before a building",
      "building",
      ["阳光小区3号院5号楼", "阳光小区三号院五号楼", "阳光小区3号院5栋"],
      ["阳光小区5号楼", "阳光小区4号院5号楼"],
    ],
    [
      "东单元 is not 1单元",
      "unit",
      ["阳光小区3号楼东单元", "阳光小区三号楼东单元"],
      ["阳光小区3号楼1单元", "阳光小区3号楼西单元"],
    ],
    [
      "an attic is in its building",
      "building",
      ["阳光小区3栋阁楼", "阳光小区三栋阁楼", "阳光小区3栋"],
      ["阳光小区8栋阁楼"],
    ],
    [
      "a shop front is its door on the road",
      "building",
      [
        "红星路12号门面",
        "红星路12号商铺",
        "红星路12号底商",
        "红星路12号门市",
        "红星路12号店面",
        "红星路12号",
      ],
      ["红星路14号门面", "红星路12号附1号"],
    ],
    [
      "dashed flats",
      "room",
      ["阳光小区3-2-501", "阳光小区3栋2单元501", "阳光小区三号楼二单元501室"],
      ["阳光小区3-2-502", "阳光小区3-1-501", "阳光小区2-2-501"],
    ],
    [
      "室 / 房 / 号房 / 房间",
      "room",
      [
        "阳光小区3栋2单元501室",
        "阳光小区3栋2单元501房",
        "阳光小区3栋2单元501号房",
        "阳光小区3栋2单元501房间",
        "阳光小区3栋2单元501",
      ],
      ["阳光小区3栋2单元510"],
    ],
    [
      "单元 written as 门",
      "room",
      ["阳光小区3栋2门501", "阳光小区3栋2单元501", "阳光小区3栋二门501室"],
      ["阳光小区3栋3门501"],
    ],
    [
      "栋 after a letter",
      "room",
      ["阳光小区B栋2单元501", "阳光小区B座2单元501", "阳光小区b栋2单元501", "阳光小区Ｂ栋2单元501"],
      ["阳光小区B栋3单元501", "阳光小区A栋2单元501"],
    ],
    [
      "一期 / 1期 (二期 is another place)",
      "room",
      ["阳光小区一期3栋2单元501", "阳光小区1期3栋2单元501"],
      ["阳光小区二期3栋2单元501", "阳光小区3栋2单元501"],
    ],
    [
      "F栋 is building F, not a floor",
      "room",
      ["阳光小区F栋2单元501", "阳光小区F座2单元501", "阳光小区ｆ栋2单元501"],
      ["阳光小区E栋2单元501"],
    ],
    [
      "fillers after a building",
      "building",
      [
        "阳光小区3栋门口",
        "阳光小区3栋附近",
        "阳光小区3栋旁边",
        "阳光小区3栋楼下",
        "阳光小区3栋楼上",
        "阳光小区3栋后面",
        "阳光小区3号楼楼下",
        "阳光小区3栋",
      ],
      ["阳光小区4栋楼下", "阳光小区3栋对面"],
    ],
    [
      "fillers after a flat",
      "room",
      [
        "阳光小区3栋2单元501室门口",
        "阳光小区3栋2单元501附近",
        "阳光小区3栋2单元501旁边",
        "阳光小区3栋2单元501后面",
        "阳光小区3栋2单元501室楼下",
      ],
      ["阳光小区3栋2单元502室门口", "阳光小区3栋2单元501对面"],
    ],
    [
      "fillers after a road number",
      "road",
      [
        "红星路12号门口",
        "红星路12号附近",
        "红星路12号对面",
        "红星路12号旁边",
        "红星路12号后面",
        "红星路十二号",
      ],
      ["红星路21号门口"],
    ],
    [
      "a building and unit written after the flat (501室(3栋2单元)) are the flat's building and unit",
      "room",
      ["阳光小区3栋2单元501室", "阳光小区501室(3栋2单元)", "阳光小区501室，3栋2单元"],
      ["阳光小区501室(4栋2单元)", "阳光小区501室(3栋1单元)", "阳光小区501室1号房(3栋2单元)"],
    ],
    [
      "a sub-room written apart from its flat (a space, a bracket, 之 or 室 between) is still the flat's sub-room",
      "room",
      [
        "阳光小区3栋2单元501-1",
        "阳光小区三栋二单元五零一室一号房",
        "阳光小区3栋2单元501室之1",
        "阳光小区3栋2单元501(1号房)",
        "阳光小区3栋2单元501室 1号房间",
      ],
      [
        "阳光小区3栋2单元501室",
        "阳光小区3栋2单元501室 2号房间",
        "阳光小区3栋2单元501室(送货提前1小时电联)",
        "阳光小区3栋2单元501(1点以后配送)",
        "阳光小区3栋2单元601(1号房)",
      ],
    ],
    [
      "a building in a note after the flat is not the flat's (1栋1单元603室(不要放15栋丰巢柜))",
      "room",
      [
        "阳光小区1栋1单元603室",
        "阳光小区1栋1单元603室(不要放15栋丰巢柜)",
        "阳光小区1-1单元603室(不要放15栋丰巢柜和1快递超市)",
        "阳光小区1栋603室(1单元)",
      ],
      ["阳光小区15栋1单元603室", "阳光小区1栋2单元603室(不要放15栋丰巢柜)"],
    ],
    [
      "a sub-room with its building and unit written after it (501室1号房(3栋2单元))",
      "room",
      ["阳光小区3栋2单元501室1号房", "阳光小区501室1号房(3栋2单元)", "阳光小区3栋2单元501-1"],
      ["阳光小区501室1号房(4栋2单元)", "阳光小区501室2号房(3栋2单元)", "阳光小区501室(3栋2单元)"],
    ],
  ];

  // Defects from the audit of the rule parser's keys (each group failed before its fix).
  const audited: [string, Level | "poi", string[], string[]][] = [
    [
      "a stem after a building number is part of the building (3栋甲 is not 3栋)",
      "building",
      ["阳光小区3栋甲501", "阳光小区3幢甲501", "阳光小区三号楼甲501", "阳光小区3栋甲"],
      ["阳光小区3栋501", "阳光小区3栋乙501", "阳光小区4栋甲501"],
    ],
    [
      "a stem before a building number is part of the building, 甲3栋 = 3栋甲",
      "building",
      ["阳光小区甲3栋", "阳光小区甲3幢501", "阳光小区甲三号楼", "阳光小区3栋甲"],
      ["阳光小区3栋", "阳光小区乙3栋", "阳光小区甲4栋"],
    ],
    [
      "a stem before a building number is not part of the compound",
      "poi",
      ["阳光小区甲3栋", "阳光小区3栋"],
      [],
    ],
    [
      "附1号 in a compound is not part of its name",
      "poi",
      ["阳光小区附1号", "阳光小区附1号楼", "阳光小区"],
      [],
    ],
    [
      "附1号 in a compound is a sub-number, not number 1",
      "building",
      ["阳光小区附1号", "阳光小区附一号"],
      ["阳光小区1号", "阳光小区附2号", "阳光小区1栋"],
    ],
    [
      "# written for 号",
      "building",
      ["阳光小区3#楼", "阳光小区3号楼", "阳光小区3栋"],
      ["阳光小区4#楼", "阳光小区3#楼甲"],
    ],
    [
      "# written for 号 before a unit",
      "room",
      ["阳光小区3#2单元501", "阳光小区3栋2单元501"],
      ["阳光小区3#2单元502", "阳光小区3#1单元501", "阳光小区4#2单元501"],
    ],
    [
      "B1 is a basement floor of the building",
      "building",
      ["阳光小区3栋B1", "阳光小区3栋B1层", "阳光小区3栋负一层", "阳光小区3栋地下一层", "阳光小区3栋"],
      ["阳光小区4栋B1"],
    ],
    [
      "a flat number read digit by digit (五零一)",
      "room",
      ["阳光小区3栋2单元五零一", "阳光小区3栋2单元501", "阳光小区3栋2单元五〇一室"],
      ["阳光小区3栋2单元五零二", "阳光小区3栋1单元五零一"],
    ],
    [
      "a filler after a bare flat number keeps the flat",
      "room",
      [
        "阳光小区3栋2单元501门口",
        "阳光小区3栋2单元501号门口",
        "阳光小区3栋2单元501楼下",
        "阳光小区3栋2单元501楼下面",
        "阳光小区3栋2单元501",
      ],
      ["阳光小区3栋2单元502门口", "阳光小区3栋2单元502楼下"],
    ],
    [
      "楼下 after a road number is a filler",
      "building",
      ["红星路12号楼下", "红星路12号楼上", "红星路12号楼下面", "红星路12号"],
      ["红星路13号楼下", "红星路12号附1号"],
    ],
    [
      "a dashed sub-number of a road number",
      "building",
      ["红星路27之3-6号", "红星路27号之3-6号"],
      ["红星路27之3号", "红星路27之6号", "红星路27号", "红星路27之36号"],
    ],
    // Round 2: more of the ways call-takers write one place.
    [
      "号楼 right after a road (no filler) is the number on the road",
      "building",
      ["红星路12号楼", "红星路12号楼后", "红星路12号楼下", "红星路12号"],
      ["红星路13号楼", "红星路12号附1号", "红星路12号3号楼"],
    ],
    [
      "a phase written 2期, 二期 or 第二期 is one phase",
      "building",
      ["阳光小区2期3栋", "阳光小区二期3栋", "阳光小区第二期3栋", "阳光小区第2期3号楼"],
      ["阳光小区3栋", "阳光小区3期3栋", "阳光小区二期4栋", "阳光小区东区3栋"],
    ],
    [
      "a village group is part of the house's place (3组12号 is not 4组12号)",
      "building",
      ["红星村3组12号", "红星村三组12号", "红星村3组12号院", "红星村第三组12号", "红星村第3组12号"],
      ["红星村4组12号", "红星村3组13号", "红星村12号"],
    ],
    [
      "a courtyard number on a road: 8号院3号楼 = 8号院3栋 = 8号3号楼",
      "building",
      ["阳光路8号院3号楼", "阳光路8号院3栋", "阳光路8号3号楼"],
      ["阳光路8号院4号楼", "阳光路9号院3号楼", "阳光路8号"],
    ],
    [
      "building numbers in every spelling",
      "building",
      ["阳光小区3号楼", "阳光小区3幢", "阳光小区三号楼", "阳光小区3栋楼", "阳光小区3#楼", "阳光小区3#"],
      ["阳光小区4号楼", "阳光小区二期3号楼"],
    ],
    [
      "a flat: dashes, a leading zero, a floor and full-width digits",
      "room",
      ["阳光小区12-3-501", "阳光小区12栋3单元0501", "阳光小区12栋3单元5楼501", "阳光小区１２栋３单元５０１"],
      ["阳光小区12-3-502", "阳光小区12-2-501", "阳光小区13-3-501"],
    ],
    [
      "a lane (弄) on a road keeps its houses",
      "building",
      ["红星路88弄12号", "红星路88弄12号楼"],
      ["红星路88号", "红星路88号12号楼", "红星路88弄13号", "红星路89弄12号"],
    ],
    [
      "a gate, the door, a side, across the road: the compound itself",
      "poi",
      ["阳光小区东门", "阳光小区门口", "阳光小区北侧", "阳光小区对面", "阳光小区"],
      ["幸福家园"],
    ],
    [
      "a gate written before the building is no part of the compound",
      "building",
      ["阳光小区东门3栋", "阳光小区南大门3栋", "阳光小区北门3号楼", "阳光小区3栋"],
      ["阳光小区东区3栋", "阳光小区东门4栋", "阳光小区二期东门3栋"],
    ],
    [
      "a numbered cluster (组团) of a compound is a part of it, in digits or numerals",
      "building",
      ["阳光小区3组团12幢", "阳光小区三组团12幢", "阳光小区3组团12号楼"],
      ["阳光小区4组团12幢", "阳光小区十三组团12幢", "阳光小区12幢", "阳光小区3组团13幢"],
    ],
    [
      "a numbered cluster of a village is the village's",
      "building",
      ["红星村3组团12号", "红星村三组团12号"],
      ["阳光村3组团12号", "红星村4组团12号", "红星村3组12号"],
    ],
    [
      "a villagers' group after a compound is a part of it (3组12号 is not 4组12号)",
      "building",
      ["阳光新村3组12号", "阳光新村三组12号", "阳光新村第3组12号"],
      ["阳光新村4组12号", "阳光新村12号", "阳光新村3组13号"],
    ],
    [
      "a flat in a tower without building numbers: the tower is the building",
      "room",
      ["红星大厦1201室", "红星大厦12楼1201", "红星路88号红星大厦1201", "红星大厦１２０１"],
      ["红星大厦1202室", "红星大厦A座1201", "红星大厦2单元1201", "幸福大厦1201室", "红星公寓1201"],
    ],
    [
      "a hotel room",
      "room",
      ["红星宾馆305房", "红星宾馆305", "红星宾馆3楼305房间"],
      ["红星宾馆306房", "红星酒店305房"],
    ],
    [
      "the letter O typed for a zero in a flat or road number",
      "room",
      ["阳光小区3栋2单元5O1", "阳光小区3栋2单元5o1", "阳光小区3栋2单元501"],
      ["阳光小区3栋2单元51", "阳光小区3栋2单元5", "阳光小区3栋2单元511"],
    ],
    [
      "a flat named by its side is the flat of its floor (一楼东户 is not 二楼东户)",
      "room",
      ["阳光小区3栋1单元一楼东户", "阳光小区3栋1单元1楼东户", "阳光小区3栋1单元1层东户"],
      [
        "阳光小区3栋1单元二楼东户",
        "阳光小区3栋1单元1楼西户",
        "阳光小区3栋1单元东户",
        "阳光小区3栋2单元1楼东户",
      ],
    ],
    [
      "a facility named by its kind alone is the village's, the road's or the township's",
      "poi",
      ["红星镇阳光村小卖部", "阳光村小卖部", "阳光村委会小卖部"],
      ["红星镇幸福村小卖部", "红星镇小卖部", "阳光村小学", "小卖部"],
    ],
    [
      "a township's police station or health centre is its own",
      "poi",
      ["红星镇派出所"],
      ["幸福镇派出所", "派出所", "红星镇卫生院"],
    ],
    [
      "a road's bus stop or market",
      "poi",
      ["红星路公交站", "红星路88号公交站"],
      ["幸福路公交站", "公交站", "红星路菜市场"],
    ],
    [
      "a village named with its committee is the village (阳光村委会 = 阳光村)",
      "building",
      ["阳光村委会3组12号", "阳光村3组12号", "阳光村村委会3组12号"],
      ["幸福村3组12号", "阳光社区3组12号"],
    ],
    [
      "a sub-room of a flat let room by room (群租房): 501-1 = 501室1号房 = 501之一",
      "room",
      [
        "阳光小区3栋2单元501-1",
        "阳光小区3-2-501-1",
        "阳光小区3栋2单元501室1号房",
        "阳光小区3栋2单元501室-1",
        "阳光小区3栋2单元501-1室",
        "阳光小区3栋2单元501之一",
        "阳光小区3栋2单元5楼501-1",
        "阳光小区三号楼二单元五零一-1",
      ],
      [
        "阳光小区3栋2单元501",
        "阳光小区3栋2单元501-2",
        "阳光小区3栋2单元601-1",
        "阳光小区3栋2单元1",
        "阳光小区3栋1单元501-1",
        "阳光小区4栋2单元501-1",
        "阳光小区3栋2单元501室2号房间",
      ],
    ],
    [
      "a lettered room of a flat: 501A = 501-A = 501室A",
      "room",
      ["阳光小区3栋2单元501A", "阳光小区3栋2单元501-A", "阳光小区3栋2单元501室A"],
      ["阳光小区3栋2单元501B", "阳光小区3栋2单元501", "阳光小区3栋2单元A"],
    ],
    [
      "a number after a flat belongs to the flat, never the building (501室2号房间 is in 3栋)",
      "building",
      ["阳光小区3栋2单元501室2号房间", "阳光小区3栋2单元501室-1", "阳光小区3栋"],
      ["阳光小区2栋", "阳光小区1栋"],
    ],
    [
      "a sub-room on a road number (红星路88号501-1)",
      "room",
      ["红星路88号501-1", "红星路88号501室1号房", "红星路88号501室-1"],
      ["红星路88号501-2", "红星路88号601-1", "红星路88号501", "红星路88号1"],
    ],
    [
      "附近 after a road number is the road number",
      "building",
      ["红星路88号附近", "红星路88号"],
      ["红星路87号附近"],
    ],
  ];

  // Round 3: defects found by the generated variants (test/address-variants.ts).
  const generated: [string, Level | "poi", string[], string[]][] = [
    [
      "a filler after a dashed flat (3-2-501门口, 3-2-501楼下) keeps the building, unit and room",
      "room",
      ["阳光小区3-2-501门口", "阳光小区3-2-501楼下", "阳光小区3-2-501", "阳光小区3栋2单元501门口"],
      ["阳光小区2栋", "阳光小区2-501", "阳光小区3-2-502门口", "阳光小区3-1-501楼下"],
    ],
    [
      "a filler after a dashed flat is not building 2 (3-2-501门口)",
      "building",
      ["阳光小区3-2-501门口", "阳光小区3-2-501楼下", "阳光小区3栋"],
      ["阳光小区2栋", "阳光小区501栋"],
    ],
    [
      "楼下 after a flat numbered with 号 is a filler, not building 502 (2单元502号楼下)",
      "room",
      ["阳光小区3栋2单元502号楼下", "阳光小区3栋2单元502号", "阳光小区3栋2单元5楼502号楼下"],
      ["阳光小区502号楼", "阳光小区3栋2单元503号楼下", "阳光小区3栋1单元502号楼下"],
    ],
    [
      "楼下 after a flat read digit by digit (五零一楼下)",
      "room",
      ["阳光小区3栋2单元五零一楼下", "阳光小区3栋2单元五〇一楼下", "阳光小区3栋2单元501"],
      ["阳光小区3栋2单元五零二楼下", "阳光小区3栋1单元五零一楼下"],
    ],
    [
      "门口 after a village house (红星村3组12号门口)",
      "building",
      ["红星村3组12号门口", "红星村三组12号门口", "红星村3组12号"],
      ["红星村3组13号门口", "红星村4组12号门口"],
    ],
    [
      "a note about the caller after a door ((报警人在楼下)) is no place: the door keeps its keys",
      "building",
      [
        "红星路12号（报警人在楼下）",
        "红星路12号(报警人在楼下)",
        "红星路12号，报警人在楼下",
        "红星路12号旁边（报警人在门口）",
        "红星路12号",
      ],
      ["红星路13号（报警人在楼下）", "红星路12号附1号（报警人在楼下）"],
    ],
    [
      "a note about the caller after a flat",
      "room",
      [
        "阳光小区3栋2单元501（报警人在楼下）",
        "阳光小区3-2-501，报警人在楼下",
        "阳光小区3栋2单元501室（来电人在小区门口）",
        "阳光小区3-2-501",
      ],
      ["阳光小区3栋2单元502（报警人在楼下）"],
    ],
    [
      "a compound numbered 一区 after a township's name (翠苑一区) with or without the divisions",
      "building",
      [
        "翠苑一区3栋",
        "西湖区翠苑一区3栋",
        "杭州市翠苑一区3栋",
        "浙江省杭州市翠苑一区三号楼",
        "杭州西湖区翠苑1区3幢",
      ],
      ["翠苑二区3栋", "西湖区翠苑二区3栋", "西湖区文新一区3栋", "杭州市翠苑一区4栋"],
    ],
    [
      "a compound numbered 一区 after a city is no district (杭州市阳光一区)",
      "building",
      ["阳光一区3栋", "杭州市阳光一区3栋", "浙江省杭州市西湖区阳光一区3栋"],
      ["阳光二区3栋", "杭州市阳光二区3栋"],
    ],
    [
      "a flat written by its floor and its number on the floor (5楼01 = 501)",
      "room",
      [
        "阳光小区3栋2单元5楼01",
        "阳光小区3栋2单元5楼01室",
        "阳光小区3栋2单元5楼01楼下",
        "阳光小区3栋2单元五楼01",
        "阳光小区3栋2单元501",
        "阳光小区3-2-501",
      ],
      ["阳光小区3栋2单元6楼01", "阳光小区3栋2单元5楼02", "阳光小区3栋2单元1", "阳光小区3栋2单元01"],
    ],
    [
      "a flat written by its floor and its number on the floor, two-digit floors (12楼03 = 1203)",
      "room",
      ["阳光小区3栋2单元12楼03", "阳光小区3栋2单元12层03室", "阳光小区3栋2单元1203"],
      ["阳光小区3栋2单元13楼03", "阳光小区3栋2单元3"],
    ],
    [
      "spaces typed between a number and its word (3 栋 2 单元 501) are the same flat, not building 2",
      "room",
      [
        "阳光小区 3 栋 2 单元 501",
        "阳光小区3 栋2 单元501 室",
        "阳光小区 3 号楼 2 单元 5 层 501",
        "阳光小区3栋2单元501",
      ],
      ["阳光小区 2 栋 501", "阳光小区 3 栋 1 单元 501", "阳光小区2栋501"],
    ],
    [
      "spaces typed between a number on a road and 号 (红星路 12 号)",
      "building",
      ["红星路 12 号", "红星路12 号", "红星路12号"],
      ["红星路 13 号", "红星路 12 号附1号"],
    ],
    [
      "spaces typed between a number and its word: the building",
      "building",
      ["阳光小区 3 栋 2 单元 501", "阳光小区 3 幢", "阳光小区3栋"],
      ["阳光小区2栋", "阳光小区 2 栋"],
    ],
    [
      "a numbered works building of a park is a building (3号厂房 = 三号厂房, not 4号厂房)",
      "building",
      ["红星工业园区3号厂房", "红星工业园区三号厂房", "西湖区红星工业园区3号厂房门口"],
      ["红星工业园区4号厂房", "阳光工业园区3号厂房", "红星工业园区3号仓库"],
    ],
    [
      "a production team is the villagers' group of the same number (3队12号 = 3组12号)",
      "building",
      ["红星村3组12号", "红星村3队12号", "红星村三队12号", "红星村3社12号"],
      ["红星村4队12号", "红星村3队13号", "阳光村三队12号", "阳光村3组12号"],
    ],
    [
      "a flat written with dots or underscores for dashes (3.2.501, 3_2_501)",
      "room",
      ["阳光小区3.2.501", "阳光小区3_2_501", "阳光小区3-2-501", "阳光小区3．2．501"],
      ["阳光小区3.2.502", "阳光小区3_2_502", "阳光小区3.1.501", "阳光小区2.2.501"],
    ],
  ];

  test.each(generated)("%s: one %s key", (_name, level, same, apart) => {
    const keys = new Set(same.map((t) => at(level, t)));
    expect([...keys], same.join(" / ")).toHaveLength(1);
    const key = [...keys][0];
    expect(key).not.toBeNull();
    for (const other of apart) expect(at(level, other), other).not.toBe(key);
  });

  test.each([
    [
      "红星路与阳光路交叉口",
      "阳光路红星路口",
      "阳光路与红星路口",
      "阳光路红星路交界处",
      "红星路阳光路交界处",
      "红星路/阳光路",
      "红星路、阳光路路口",
      "红星路与阳光路交叉口东北角",
      "红星路与阳光路交叉口往东50米",
      "红星路跟阳光路交叉口",
      "阳光路跟红星路交叉口",
      "红星路和阳光路十字路口",
    ],
  ])("one crossing in every spelling (%s ...)", (...same) => {
    const keys = new Set(same.map((t) => hz.locate(`浙江省杭州市西湖区${t}`).cross));
    expect([...keys], same.join(" / ")).toHaveLength(1);
    expect([...keys][0]).not.toBeNull();
    expect(hz.locate("浙江省杭州市西湖区红星路与幸福路交叉口").cross).not.toBe([...keys][0]);
  });

  test.each(audited)("%s: one %s key", (_name, level, same, apart) => {
    const keys = new Set(same.map((t) => at(level, t)));
    expect([...keys], same.join(" / ")).toHaveLength(1);
    const key = [...keys][0];
    expect(key).not.toBeNull();
    for (const other of apart) expect(at(level, other), other).not.toBe(key);
  });

  test("a note about the caller names no compound: no POI key that would join every such call of the city", () => {
    for (const t of ["红星路12号（报警人在楼下）", "红星路12号，报警人在楼下", "学院路8号(报警人称在门口等)"])
      expect(at("poi", t), t).toBeNull();
    expect(at("poi", "阳光小区3栋（报警人在楼下）")).toBe(at("poi", "阳光小区"));
  });

  test("a flat named by its side without its floor has no room key (which floor's cannot be told)", () => {
    expect(at("room", "阳光小区3栋1单元东户")).toBeNull();
    expect(at("unit", "阳光小区3栋1单元东户")).toBe(at("unit", "阳光小区3栋1单元1楼东户"));
  });

  test("a road number with the letter O typed for a zero", () => {
    expect(at("road", "红星路1O8号")).toBe(at("road", "红星路108号"));
  });

  test("a room of a compound of several buildings, named without its building, has no room key", () => {
    for (const text of ["阳光小区501", "红星公寓501", "阳光小区二期501"])
      expect(at("room", text), text).toBeNull();
  });

  test("a basement level is a floor, never a room", () => {
    for (const t of ["阳光小区3栋B1", "阳光小区3栋2单元B2", "阳光小区3栋负一层"])
      expect(at("room", t), t).toBeNull();
  });

  test("a filler after a flat never invents a room or a unit", () => {
    expect(at("unit", "阳光小区3栋2单元501门口")).toBe(at("unit", "阳光小区3栋2单元"));
    expect(at("room", "阳光小区3栋2单元门口")).toBeNull();
    expect(at("room", "阳光小区3栋楼下")).toBeNull();
  });

  test.each(groups)("%s: one %s key", (_name, level, same, apart) => {
    const keys = new Set(same.map((t) => at(level, t)));
    expect([...keys], same.join(" / ")).toHaveLength(1);
    const key = [...keys][0];
    expect(key).not.toBeNull();
    for (const other of apart) expect(at(level, other), other).not.toBe(key);
  });

  test("across from (对面) a building or a door is not that building: only the compound's or road's key", () => {
    for (const [t, named] of [
      ["阳光小区3栋对面", "阳光小区3栋"],
      ["红星路88号对面", "红星路88号"],
      ["红星路88号斜对面", "红星路88号"],
    ] as const) {
      expect(at("building", t), t).toBeNull();
      expect(at("building", named), named).not.toBeNull();
    }
    expect(at("poi", "阳光小区3栋对面")).toBe(at("poi", "阳光小区"));
    expect(at("road", "红星路88号对面")).toBe(at("road", "红星路88号"));
  });

  test("对门 is across from, as 对面 is: not the flat, the building or the door, and no compound 对门", () => {
    for (const [t, named] of [
      ["阳光小区3栋2单元501对门", "阳光小区3栋2单元501"],
      ["阳光小区3栋2单元501室对门", "阳光小区3栋2单元501"],
      ["阳光小区3栋对门", "阳光小区3栋"],
      ["红星路12号对门", "红星路12号"],
    ] as const) {
      expect(at("room", t), t).toBeNull();
      expect(at("building", t), t).toBeNull();
      expect(at("building", named), named).not.toBeNull();
    }
    expect(at("poi", "阳光小区3栋2单元501对门")).toBe(at("poi", "阳光小区"));
    expect(at("poi", "红星路12号对门")).toBeNull();
    expect(at("road", "红星路12号对门")).toBe(at("road", "红星路12号"));
    // A landmark's 对门 before the numbers says where the compound is, and is no part of it.
    expect(at("room", "阳光小区二期(红星超市对门)3栋2单元501")).toBe(at("room", "阳光小区二期3栋2单元501"));
  });

  test("a shop front word is not a compound: no POI key that would join the shops of a city", () => {
    expect(at("poi", "红星路12号门面")).toBeNull();
    expect(at("poi", "解放路8号商铺")).toBeNull();
  });

  test("a filler or a word of position is no compound either (12号楼后 → 后, 12号楼下面)", () => {
    for (const t of [
      "红星路12号楼下",
      "红星路12号楼上",
      "解放路8号楼下",
      "红星路12号楼后",
      "红星路12号楼下面",
      "阳光路红星路口东北角",
    ])
      expect(at("poi", t), t).toBeNull();
    // 楼下 is a filler: the address keeps the key of its road number (红星路12号).
    expect(at("building", "红星路12号楼下")).toBe(at("building", "红星路12号"));
  });
});
