/**
 * A generator of the spellings call-takers write for one place, and a measure of how the location
 * keys hold them together (docs/address.md "Keys and levels"). Invented places only (浙江省杭州市西湖区,
 * 阳光小区, 红星路, 翠苑一区 …); randomness comes from a seed.
 *
 * Each group is one place, with the identity it has at each key level it should have (`ids`): every
 * spelling of a group must give one non-null key at each of those levels, and two groups whose
 * identities differ at a level must never share a key there (a building, unit, room, road number or
 * crossing merged with another).
 *
 * It lives in test/, not src/address: the store's fingerprint of the address rules reads every
 * source of src/address but its tests, and a test helper changes no key.
 */
import type { LocationKeys } from "../src/domain/location.ts";

export type KeyLevel = keyof LocationKeys;

export interface VariantGroup {
  /** What the place is, for a reader of a failure (阳光小区 b3 u2 r501). */
  readonly name: string;
  /** The place's identity at each level it must have a key at. */
  readonly ids: Partial<Record<KeyLevel, string>>;
  /** Levels that must have no key in any spelling (a building across the road, 对面). */
  readonly none?: readonly KeyLevel[];
  readonly spellings: readonly string[];
}

/** A seeded random source (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CN_DIGITS = "零一二三四五六七八九";
const UPPER_DIGITS = "零壹贰叁肆伍陆柒捌玖";

/** 3 → 三, 12 → 十二, 23 → 二十三 (as a building or unit is said). */
export function spoken(n: number, digits = CN_DIGITS, ten = "十"): string {
  if (n < 10) return digits[n] as string;
  if (n < 20) return `${ten}${n % 10 ? digits[n % 10] : ""}`;
  if (n < 100) return `${digits[Math.floor(n / 10)]}${ten}${n % 10 ? digits[n % 10] : ""}`;
  return digitByDigit(n);
}

/** 501 → 五零一 (or 五〇一): a flat's number read digit by digit. */
export function digitByDigit(n: number, zero = "零"): string {
  return [...String(n)].map((d) => (d === "0" ? zero : CN_DIGITS[Number(d)])).join("");
}

export const fullWidth = (s: string): string =>
  s.replace(/[0-9A-Za-z]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));

/** Upper divisions written before the place, or not (the region is 浙江省杭州市). */
export const PREFIXES = [
  "",
  "浙江省杭州市西湖区",
  "杭州市西湖区",
  "西湖区",
  "杭州西湖区",
  "浙江杭州西湖区",
  "浙江省杭州市",
  "杭州市",
  "浙江省杭州市西湖区 ",
];

/** Proximity fillers: the place itself (对面 is another place, see `acrossFrom`). */
export const FILLERS = ["", "", "", "门口", "附近", "旁边", "楼下"];
/** A note the call-taker adds after the place. */
export const NOTES = ["", "", "", "（报警人在楼下）", "(报警人在楼下)", "，报警人在楼下"];

const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;

function buildingSpellings(b: number): string[] {
  return [
    `${b}栋`,
    `${b}幢`,
    `${b}号楼`,
    `${spoken(b)}栋`,
    `${spoken(b)}号楼`,
    `${spoken(b, UPPER_DIGITS, "拾")}栋`,
    `${fullWidth(String(b))}栋`,
    `${b}座`,
    `${b}#楼`,
  ];
}

const unitSpellings = (u: number): string[] => [
  `${u}单元`,
  `${spoken(u)}单元`,
  `${u}门`,
  `${fullWidth(String(u))}单元`,
];

function roomSpellings(r: number): string[] {
  const floor = Math.floor(r / 100);
  return [
    `${r}`,
    `${r}室`,
    `${r}号`,
    `${r}房`,
    `${r}号房`,
    digitByDigit(r),
    digitByDigit(r, "〇"),
    `${floor}楼${r}`,
    `${floor}楼${r}室`,
    `${spoken(floor)}楼${r}室`,
    `${floor}层${r}`,
    fullWidth(String(r)),
    // 5楼01: the flat's number on its floor
    `${floor}楼${String(r % 100).padStart(2, "0")}`,
  ];
}

/** Joins parts with nothing, spaces, or a full-width comma after the compound. */
function join(rand: () => number, parts: readonly string[]): string {
  const style = rand();
  if (style < 0.65) return parts.join("");
  if (style < 0.8) return parts.join(" ");
  // 3 栋 2 单元: a space between each number and its word too
  if (style < 0.88) return parts.map((x) => x.replace(/^([0-9]+)(?=[栋幢座单号室层])/u, "$1 ")).join(" ");
  const [first, ...rest] = parts;
  return `${first}，${rest.join("")}`;
}

function decorate(rand: () => number, prefix: string, body: string): string {
  return `${prefix}${body}${pick(rand, FILLERS)}${pick(rand, NOTES)}`;
}

export interface VariantOptions {
  readonly seed?: number;
  /** Random spellings per group, besides the fixed ones. */
  readonly perGroup?: number;
}

/** The compounds of the corpus (翠苑一区 has a numeral in its name). */
export const COMPOUNDS = ["阳光小区", "翠苑一区", "幸福家园", "红星花园", "金桂苑", "绿城桂花园"];
export const ROADS = ["红星路", "阳光路", "文一西路", "幸福大街", "学院路"];

/** Flats: compound, building, unit, room, in every spelling. */
function flats(rand: () => number, per: number): VariantGroup[] {
  const out: VariantGroup[] = [];
  for (const compound of COMPOUNDS)
    for (const b of [1, 3, 12])
      for (const u of [1, 2])
        for (const r of [101, 501, 502, 1203]) {
          const ids = {
            poi: compound,
            building: `${compound}/b${b}`,
            unit: `${compound}/b${b}/u${u}`,
            room: `${compound}/b${b}/u${u}/r${r}`,
          };
          const spellings = new Set<string>([
            `${compound}${b}栋${u}单元${r}室`,
            `浙江省杭州市西湖区${compound}${b}-${u}-${r}`,
            `${compound}${b}-${u}-${r}室`,
            `${compound}${b}号楼${u}单元${Math.floor(r / 100)}楼${r}`,
          ]);
          for (let i = 0; i < per; i++) {
            const dash = pick(rand, ["-", "-", "-", "－", "—", ".", "_"]);
            const body =
              rand() < 0.15
                ? `${compound}${b}${dash}${u}${dash}${r}`
                : join(rand, [
                    compound,
                    pick(rand, buildingSpellings(b)),
                    pick(rand, unitSpellings(u)),
                    pick(rand, roomSpellings(r)),
                  ]);
            spellings.add(decorate(rand, pick(rand, PREFIXES), body));
          }
          out.push({ name: `${compound} b${b} u${u} r${r}`, ids, spellings: [...spellings] });
        }
  return out;
}

/** Buildings alone (no unit or flat), with fillers. */
function buildings(rand: () => number, per: number): VariantGroup[] {
  const out: VariantGroup[] = [];
  for (const compound of COMPOUNDS)
    for (const b of [1, 2, 3, 5, 12, 21]) {
      const spellings = new Set<string>([`${compound}${b}栋`]);
      for (let i = 0; i < per; i++)
        spellings.add(
          decorate(rand, pick(rand, PREFIXES), join(rand, [compound, pick(rand, buildingSpellings(b))])),
        );
      out.push({
        name: `${compound} b${b}`,
        ids: { poi: compound, building: `${compound}/b${b}` },
        spellings: [...spellings],
      });
    }
  return out;
}

/** Numbers on a road: 12号, 十二号, 12-1号 (another door), 12号附1 (another door). */
function roadNumbers(rand: () => number, per: number): VariantGroup[] {
  const out: VariantGroup[] = [];
  for (const road of ROADS)
    for (const n of [1, 8, 12, 21, 108]) {
      const forms = [`${n}号`, `${spoken(n)}号`, `${fullWidth(String(n))}号`, `${n}号门口`, `${n}号附近`];
      const spellings = new Set<string>([`${road}${n}号`]);
      for (let i = 0; i < per; i++) {
        const prefix = pick(rand, PREFIXES);
        spellings.add(
          `${prefix}${road}${pick(rand, forms)}${pick(rand, ["", "", "旁边", "楼下"])}${pick(rand, NOTES)}`,
        );
      }
      const id = `${road}/${n}`;
      out.push({ name: `${road} ${n}号`, ids: { road: id, building: id }, spellings: [...spellings] });
      // 12-1号 is house 1 behind door 12 (docs/address.md): the door's road key, a building of its own.
      const dashed = new Set<string>([
        `${road}${n}-1号`,
        `${road}${n}-1`,
        `杭州市${road}${n}-1号`,
        `${road}${n}号1栋`,
      ]);
      out.push({ name: `${road} ${n}-1号`, ids: { road: id, building: `${id}-1` }, spellings: [...dashed] });
      const annex = new Set<string>([
        `${road}${n}号附1`,
        `${road}${n}号附1号`,
        `${road}${n}号附一号`,
        `西湖区${road}${n}附1号`,
      ]);
      out.push({
        name: `${road} ${n}号附1`,
        ids: { road: `${id}附1`, building: `${id}附1` },
        spellings: [...annex],
      });
    }
  return out;
}

/** Crossings of two roads, in every order and word. */
function crossings(rand: () => number): VariantGroup[] {
  const out: VariantGroup[] = [];
  for (let i = 0; i < ROADS.length; i++)
    for (let j = i + 1; j < ROADS.length; j++) {
      const a = ROADS[i] as string;
      const c = ROADS[j] as string;
      const forms = (x: string, y: string) => [
        `${x}与${y}交叉口`,
        `${x}和${y}交叉口`,
        `${x}${y}口`,
        `${x}${y}路口`,
        `${x}/${y}`,
        `${x}与${y}路口`,
        `${x}、${y}交叉口`,
        `${x}${y}交界处`,
        `${x}与${y}交叉口附近`,
        `${x}跟${y}交叉口`,
        `${x}和${y}十字路口`,
      ];
      const spellings = new Set<string>();
      for (const f of [...forms(a, c), ...forms(c, a)]) spellings.add(`${pick(rand, PREFIXES)}${f}`);
      out.push({ name: `${a} & ${c}`, ids: { cross: [a, c].sort().join("&") }, spellings: [...spellings] });
    }
  return out;
}

/** Village houses: 红星村3组12号 (the group is part of the house). */
function villages(rand: () => number, per: number): VariantGroup[] {
  const out: VariantGroup[] = [];
  for (const village of ["红星村", "阳光村"])
    for (const g of [3, 4])
      for (const n of [12, 15]) {
        const forms = [
          `${g}组${n}号`,
          `${spoken(g)}组${n}号`,
          `第${spoken(g)}组${n}号`,
          `${g}组${n}号院`,
          `${g}组${spoken(n)}号`,
          `${g}队${n}号`,
          `${spoken(g)}队${n}号`,
          `${g}社${n}号`,
        ];
        const spellings = new Set<string>([`${village}${g}组${n}号`]);
        for (let i = 0; i < per; i++)
          spellings.add(
            `${pick(rand, ["", "西湖区", "杭州市西湖区", "浙江省杭州市西湖区"])}${village}${pick(rand, forms)}${pick(rand, ["", "门口", "附近"])}`,
          );
        out.push({
          name: `${village} ${g}组 ${n}号`,
          ids: { building: `${village}/${g}/${n}` },
          spellings: [...spellings],
        });
      }
  return out;
}

/** A building across from (对面) another: no building, unit or room key. */
function acrossFrom(): VariantGroup[] {
  return COMPOUNDS.slice(0, 3).map((compound) => ({
    name: `across from ${compound} b3`,
    ids: { poi: compound },
    none: ["building", "unit", "room"],
    spellings: [
      `${compound}3栋对面`,
      `${compound}3号楼对面`,
      `${compound}三栋对面`,
      `${compound}3栋2单元501对面`,
      `${compound}3栋2单元501对门`,
      `${compound}3栋2单元501室对门`,
    ],
  }));
}

/** Rooms that are not the bare flat: A501 and 501A, 501号 as a room, basements, shops in a compound. */
function edges(): VariantGroup[] {
  const c = "阳光小区";
  const flat = (b: number, u: number, r: string) => ({
    poi: c,
    building: `${c}/b${b}`,
    unit: `${c}/b${b}/u${u}`,
    room: `${c}/b${b}/u${u}/r${r}`,
  });
  return [
    {
      name: "501号 is a room after a unit",
      ids: flat(5, 2, "501"),
      spellings: [`${c}5号楼2单元501号`, `${c}5栋2单元501室`, `${c}5号2单元501`],
    },
    {
      name: "501A is a lettered room of flat 501",
      ids: flat(3, 2, "501A"),
      spellings: [`${c}3栋2单元501A`, `${c}3栋2单元501a`, `${c}3栋2单元５０１Ａ`, `${c}3栋2单元501-A`],
    },
    {
      name: "A501 is another room than 501",
      ids: { poi: c, building: `${c}/b3`, unit: `${c}/b3/u2`, room: `${c}/b3/u2/rA501` },
      spellings: [`${c}3栋2单元A501`, `${c}3栋2单元A501室`, `${c}3栋2单元ａ501`],
    },
    {
      name: "basement of building 3",
      ids: { poi: c, building: `${c}/b3` },
      none: ["room"],
      spellings: [`${c}3栋负一层`, `${c}3栋地下一层`, `${c}3栋B1`, `${c}3号楼负1层`, `${c}三栋地下室`],
    },
    {
      name: "building A, flat 501 (A座501 is not A501 of building 3)",
      ids: { poi: c, building: `${c}/bA`, room: `${c}/bA/r501` },
      spellings: [`${c}A座501`, `${c}A栋501室`, `${c}a座501`, `${c}Ａ座５０１`, `西湖区${c}A幢501号`],
    },
    {
      name: "flat A501 of building 3",
      ids: { poi: c, building: `${c}/b3`, room: `${c}/b3/rA501` },
      spellings: [`${c}3栋A501`, `${c}3栋A501室`, `${c}三号楼A501`],
    },
    {
      name: "building 5 (5号 after a compound)",
      ids: { poi: c, building: `${c}/b5` },
      spellings: [`${c}5号`, `${c}五号`, `${c}5号楼`, `${c}5栋`, `${c}5号楼下`],
    },
    {
      name: "flat 501 of building 5 (501号 after a building)",
      ids: { poi: c, building: `${c}/b5`, room: `${c}/b5/r501` },
      spellings: [`${c}5栋501号`, `${c}5号501号`, `${c}5号楼501室`, `${c}五号楼501`],
    },
    {
      name: "a shop in a compound",
      ids: { poi: c },
      spellings: [`${c}百草药房`, `西湖区${c}百草药房`, `${c}内百草药房`],
    },
  ];
}

/** Numbered works buildings of an industrial park (3号厂房 = 三号厂房). */
function parks(): VariantGroup[] {
  const out: VariantGroup[] = [];
  for (const park of ["红星工业园区", "阳光科技园"])
    for (const n of [1, 3, 12]) {
      const spellings = [
        `${park}${n}号厂房`,
        `${park}${spoken(n)}号厂房`,
        `西湖区${park}${n}号厂房门口`,
        `杭州市${park}${fullWidth(String(n))}号厂房`,
      ];
      out.push({
        name: `${park} ${n}号厂房`,
        ids: { poi: park, building: `${park}/${n}号厂房` },
        spellings,
      });
    }
  return out;
}

/** The whole corpus: groups of spellings of one place each. */
export function variantCorpus(options: VariantOptions = {}): VariantGroup[] {
  const rand = seeded(options.seed ?? 1);
  const per = options.perGroup ?? 24;
  return [
    ...flats(rand, per),
    ...buildings(rand, Math.ceil(per / 2)),
    ...roadNumbers(rand, Math.ceil(per / 2)),
    ...crossings(rand),
    ...villages(rand, Math.ceil(per / 2)),
    ...acrossFrom(),
    ...edges(),
    ...parks(),
  ];
}

export interface VariantFailure {
  readonly kind: "split" | "missing" | "merged" | "unexpected";
  readonly level: KeyLevel;
  readonly detail: string;
}

export interface VariantReport {
  readonly groups: number;
  readonly spellings: number;
  /** Groups whose spellings give one non-null key at every level they name. */
  readonly groupsWithOneKey: number;
  /** Pairs of groups of different identity at a level that share a key there. */
  readonly mergedPairs: number;
  readonly failures: readonly VariantFailure[];
}

/** Keys every spelling through `locate` and counts splits, missing keys and merged places. */
export function measureVariants(
  locate: (text: string) => LocationKeys,
  groups: readonly VariantGroup[],
): VariantReport {
  const failures: VariantFailure[] = [];
  // level → key → identities holding it
  const owners = new Map<KeyLevel, Map<string, Set<string>>>();
  let spellings = 0;
  let oneKey = 0;
  for (const g of groups) {
    const keysOf = g.spellings.map((s) => [s, locate(s)] as const);
    spellings += keysOf.length;
    let ok = true;
    for (const [level, id] of Object.entries(g.ids) as [KeyLevel, string][]) {
      const byKey = new Map<string | null, string[]>();
      for (const [s, k] of keysOf) byKey.set(k[level], [...(byKey.get(k[level]) ?? []), s]);
      if (byKey.has(null)) {
        ok = false;
        failures.push({
          kind: "missing",
          level,
          detail: `${g.name}: ${(byKey.get(null) ?? []).join(" / ")}`,
        });
      }
      if (byKey.size > 1) {
        ok = false;
        failures.push({
          kind: "split",
          level,
          detail: `${g.name}: ${[...byKey].map(([k, ss]) => `${k} ← ${ss.slice(0, 3).join(" / ")}`).join(" | ")}`,
        });
      }
      const m = owners.get(level) ?? new Map<string, Set<string>>();
      owners.set(level, m);
      for (const k of byKey.keys()) if (k !== null) m.set(k, (m.get(k) ?? new Set()).add(id));
    }
    for (const level of g.none ?? [])
      for (const [s, k] of keysOf)
        if (k[level] !== null) {
          ok = false;
          failures.push({ kind: "unexpected", level, detail: `${g.name}: ${s} → ${k[level]}` });
        }
    if (ok) oneKey++;
  }
  let merged = 0;
  for (const [level, m] of owners)
    for (const [key, ids] of m)
      if (ids.size > 1) {
        merged += (ids.size * (ids.size - 1)) / 2;
        failures.push({ kind: "merged", level, detail: `${key} ← ${[...ids].join(" | ")}` });
      }
  return { groups: groups.length, spellings, groupsWithOneKey: oneKey, mergedPairs: merged, failures };
}
