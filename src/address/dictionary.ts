import { pinyin } from "pinyin-pro";
import type { Issue } from "../domain/issues.ts";
import type { DivisionNode } from "./gazetteer.ts";
import { canonicalText } from "./normalize.ts";

/**
 * The per-deployment dictionary of place names: aliases a user writes by hand (昆区 → 昆都仑区,
 * 阳光花园 → 阳光小区) and local places (compounds, markets, schools, roads) learned from the
 * deployment's own imported addresses. It is plain JSON so that a user can edit it and the store
 * can persist it (`restoreDictionary` repairs what it reads and reports what it changed).
 */

export const PLACE_KINDS = ["poi", "road", "community"] as const;
export type PlaceKind = (typeof PLACE_KINDS)[number];

export interface Place {
  readonly name: string;
  readonly kind: PlaceKind;
  /** How many imported addresses named it (0 for places a user added). */
  readonly count: number;
}

export interface PlaceDictionary {
  readonly kind: "recur-place-dictionary";
  readonly version: 1;
  /** Variant spelling → canonical name, at any level (district aliases, compound aliases). */
  readonly aliases: Readonly<Record<string, string>>;
  readonly places: readonly Place[];
  /**
   * The deployment's own administrative divisions, added to the national gazetteer (a district or
   * township newer than the data, a development zone run as a district, a city it does not know):
   * `[{ "code": "33", "name": "浙江省", "children": [{ "code": "3312", "name": "澜江市", "children": [...] }] }]`.
   */
  readonly divisions?: readonly DivisionNode[];
}

export const EMPTY_DICTIONARY: PlaceDictionary = {
  kind: "recur-place-dictionary",
  version: 1,
  aliases: {},
  places: [],
};

/**
 * Confidence above which a fuzzy match replaces a name in a key (docs/address.md): a homophone
 * typo of one character in a four-character name (阳光晓区 → 阳光小区) scores 0.875, an unrelated
 * one-character change (月光小区) 0.75 and stays apart.
 */
export const DEFAULT_FUZZY_THRESHOLD = 0.85;

export type DictionaryIssueCode =
  | "dictionary_not_object"
  | "dictionary_bad_alias"
  | "dictionary_bad_place"
  | "dictionary_bad_division";

/**
 * Reads a dictionary from unknown JSON, keeping every valid entry and reporting the others.
 * @example restoreDictionary({ aliases: { 昆区: "昆都仑区" } }).dictionary.aliases.昆区 // "昆都仑区"
 */
export function restoreDictionary(json: unknown): {
  dictionary: PlaceDictionary;
  issues: Issue<DictionaryIssueCode>[];
} {
  const issues: Issue<DictionaryIssueCode>[] = [];
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    issues.push({ code: "dictionary_not_object", severity: "error", value: String(json).slice(0, 80) });
    return { dictionary: EMPTY_DICTIONARY, issues };
  }
  const raw = json as { aliases?: unknown; places?: unknown; divisions?: unknown };
  const aliases: Record<string, string> = {};
  if (raw.aliases && typeof raw.aliases === "object") {
    for (const [k, v] of Object.entries(raw.aliases as Record<string, unknown>)) {
      if (typeof v === "string" && k.trim() && v.trim() && k !== v) aliases[k.trim()] = v.trim();
      else issues.push({ code: "dictionary_bad_alias", severity: "warning", field: "aliases", value: k });
    }
  }
  const places: Place[] = [];
  if (Array.isArray(raw.places)) {
    raw.places.forEach((p: unknown, row) => {
      const o = p as Partial<Place> | null;
      if (
        o &&
        typeof o.name === "string" &&
        o.name.trim().length >= 2 &&
        (PLACE_KINDS as readonly string[]).includes(String(o.kind))
      ) {
        const count =
          typeof o.count === "number" && Number.isFinite(o.count) && o.count >= 0 ? Math.floor(o.count) : 0;
        places.push({ name: o.name.trim(), kind: o.kind as PlaceKind, count });
      } else
        issues.push({
          code: "dictionary_bad_place",
          severity: "warning",
          field: "places",
          row: row + 1,
          value: JSON.stringify(p)?.slice(0, 80) ?? "",
        });
    });
  }
  const divisions = raw.divisions === undefined ? [] : restoreDivisions(raw.divisions, "divisions", issues);
  return {
    dictionary: {
      kind: "recur-place-dictionary",
      version: 1,
      aliases,
      places,
      ...(divisions.length > 0 ? { divisions } : {}),
    },
    issues,
  };
}

/** Valid division nodes of `json` (four levels at most); each invalid one is reported with its path. */
function restoreDivisions(
  json: unknown,
  path: string,
  issues: Issue<DictionaryIssueCode>[],
  depth = 0,
): DivisionNode[] {
  const bad = (at: string, value: unknown) =>
    issues.push({
      code: "dictionary_bad_division",
      severity: "warning",
      field: at,
      value: JSON.stringify(value)?.slice(0, 80) ?? "",
    });
  if (!Array.isArray(json) || depth > 3) {
    bad(path, json);
    return [];
  }
  const out: DivisionNode[] = [];
  json.forEach((node: unknown, i) => {
    const at = `${path}[${i}]`;
    const o = node as { code?: unknown; name?: unknown; children?: unknown } | null;
    if (
      !o ||
      typeof o !== "object" ||
      typeof o.code !== "string" ||
      !/^[0-9]{2,12}$/.test(o.code) ||
      typeof o.name !== "string" ||
      o.name.trim().length < 2
    ) {
      bad(at, node);
      return;
    }
    const children =
      o.children === undefined ? [] : restoreDivisions(o.children, `${at}.children`, issues, depth + 1);
    out.push({ code: o.code, name: o.name.trim(), ...(children.length > 0 ? { children } : {}) });
  });
  return out;
}

export const DICTIONARY_MESSAGES = {
  dictionary_not_object: {
    zh: "地名词典必须是 JSON 对象：{value}",
    en: "the place dictionary must be a JSON object: {value}",
  },
  dictionary_bad_alias: { zh: "别名“{value}”无效，已忽略", en: 'alias "{value}" is invalid and was skipped' },
  dictionary_bad_place: {
    zh: "地点条目无效，已忽略：{value}",
    en: "place entry is invalid and was skipped: {value}",
  },
  dictionary_bad_division: {
    zh: "行政区划条目无效（需要 code 为数字、name 至少两个字，children 为列表，至多四级），已忽略：{value}",
    en: "division entry is invalid (code must be digits, name at least two characters, children a list, four levels at most) and was skipped: {value}",
  },
} as const;

/** Counts of what a dictionary holds. */
export interface DictionaryCounts {
  readonly aliases: number;
  readonly places: number;
  readonly divisions: number;
}

export function dictionaryCounts(dictionary: PlaceDictionary): DictionaryCounts {
  let divisions = 0;
  const count = (nodes: PlaceDictionary["divisions"]) => {
    for (const node of nodes ?? []) {
      divisions++;
      count(node.children);
    }
  };
  count(dictionary.divisions);
  return { aliases: Object.keys(dictionary.aliases).length, places: dictionary.places.length, divisions };
}

/**
 * Counts place names in parsed addresses and keeps the frequent ones. `names` yields, per
 * address, the POI / road / community names the parser found.
 * @example learnPlaces([[{ name: "阳光小区", kind: "poi" }], ...], { minCount: 3 })
 */
export function learnPlaces(
  names: Iterable<readonly { readonly name: string; readonly kind: PlaceKind }[]>,
  options: { readonly minCount?: number } = {},
): Place[] {
  const minCount = options.minCount ?? 3;
  const counts = new Map<string, Place>();
  for (const list of names) {
    for (const { name, kind } of list) {
      if (name.length < 2 || /^\d+$/.test(name)) continue;
      const key = `${kind}\u0000${name}`;
      const prev = counts.get(key);
      counts.set(key, { name, kind, count: (prev?.count ?? 0) + 1 });
    }
  }
  return [...counts.values()]
    .filter((p) => p.count >= minCount)
    .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1));
}

/**
 * Adds learned places to a dictionary: counts are replaced by the new ones, places a user added
 * (count 0) and aliases are kept.
 */
export function mergePlaces(dictionary: PlaceDictionary, learned: readonly Place[]): PlaceDictionary {
  const byKey = new Map(dictionary.places.map((p) => [`${p.kind}\u0000${p.name}`, p]));
  for (const p of learned) {
    const prev = byKey.get(`${p.kind}\u0000${p.name}`);
    byKey.set(`${p.kind}\u0000${p.name}`, { ...p, count: Math.max(p.count, prev?.count ?? 0) });
  }
  return { ...dictionary, places: [...byKey.values()] };
}

/** Levenshtein distance over arrays of tokens (characters or pinyin syllables). */
export function editDistance(a: readonly string[], b: readonly string[]): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j] as number;
      prev[j] = Math.min(
        (prev[j] as number) + 1,
        (prev[j - 1] as number) + 1,
        diag + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      diag = tmp;
    }
  }
  return prev[b.length] as number;
}

/**
 * The Levenshtein distance of `a` and `b` when it is at most `max`, otherwise `max + 1`: stops
 * as soon as a whole row of the table exceeds `max`.
 */
export function editDistanceWithin(a: readonly string[], b: readonly string[], max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j] as number;
      const d = Math.min(tmp + 1, (prev[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev[j] = d;
      if (d < rowMin) rowMin = d;
      diag = tmp;
    }
    if (rowMin > max) return max + 1;
  }
  return Math.min(prev[b.length] as number, max + 1);
}

const syllables = (text: string): string[] => pinyin(text, { toneType: "none", type: "array" });

export interface FuzzyMatch {
  readonly name: string;
  readonly confidence: number;
}

/**
 * Names and aliases of a dictionary, indexed for exact and fuzzy look-up. Fuzzy matching
 * compares characters and pinyin (so homophone typos score high) and never matches names that
 * differ in a digit or a Latin letter: those are different buildings, sections or phases.
 */
export class PlaceIndex {
  private readonly aliases: Map<string, string>;
  private readonly canonical = new Map<string, Place>();
  /** Entry ids by kind, length in characters and character: a query reads its own kind and lengths only. */
  private readonly byChar = new Map<string, number[]>();
  private readonly entries: FuzzyEntry[] = [];
  private readonly cache = new Map<string, FuzzyMatch | null>();
  private visited = new Uint32Array(0);
  private queries = 0;

  constructor(readonly dictionary: PlaceDictionary) {
    this.aliases = new Map(Object.entries(dictionary.aliases).map(([k, v]) => [canonicalText(k), v]));
    for (const place of dictionary.places) {
      const name = canonicalText(place.name);
      if (this.canonical.has(name)) continue;
      this.canonical.set(name, place);
      const id = this.entries.length;
      const chars = [...name];
      this.entries.push({ place, text: name, chars, pinyin: null, guard: numberGuard(name) });
      for (const char of new Set(chars)) {
        const key = charKey(place.kind, chars.length, char);
        const ids = this.byChar.get(key);
        if (ids) ids.push(id);
        else this.byChar.set(key, [id]);
      }
    }
    this.visited = new Uint32Array(this.entries.length);
  }

  /** The canonical name an alias stands for, or null. */
  alias(name: string): string | null {
    // Without aliases (most deployments' keys, every address's divisions) nothing to normalise.
    if (this.aliases.size === 0) return null;
    return this.aliases.get(canonicalText(name)) ?? null;
  }

  has(name: string): boolean {
    if (this.canonical.size === 0) return false;
    return this.canonical.has(canonicalText(name));
  }

  /** Raw alias table (text → canonical), e.g. for district aliases. */
  aliasEntries(): IterableIterator<[string, string]> {
    return this.aliases.entries();
  }

  /**
   * The best dictionary place for a possibly misspelt name, with a confidence in [0, 1]: the
   * place of the same kind, at most one character longer or shorter and sharing a bigram, with
   * the highest confidence (on a tie, the one listed first in the dictionary), or null when none
   * reaches `minConfidence` (a caller's threshold lets it skip the hopeless candidates early).
   * @example index.fuzzy("阳光晓区") // { name: "阳光小区", confidence: 0.875 }
   */
  fuzzy(name: string, kind: PlaceKind = "poi", minConfidence = 0): FuzzyMatch | null {
    if (this.entries.length === 0) return null;
    const text = canonicalText(name);
    const cacheKey = `${kind}\u0000${minConfidence}\u0000${text}`;
    const hit = this.cache.get(cacheKey);
    if (hit !== undefined) return hit;
    const best = text.length >= 3 ? this.closest(text, kind, minConfidence) : null;
    if (this.cache.size > 100_000) this.cache.clear();
    this.cache.set(cacheKey, best);
    return best;
  }

  /**
   * A candidate within `max` edits keeps at least n - max of the query's n characters, so it
   * holds one of any max + 1 of them: only the lists of the max + 1 rarest are read (with a
   * large dictionary, most names share their suffix: 小区, 花园, 东苑).
   */
  private closest(text: string, kind: PlaceKind, minConfidence: number): FuzzyMatch | null {
    const chars = [...text];
    // The most characters a candidate of each length may differ in and still reach both the
    // character similarity of 0.5 and, with identical pinyin, `minConfidence`.
    const edits: number[] = [];
    const maxEdits = (len: number): number => {
      const known = edits[len];
      if (known !== undefined) return known;
      let d = 0;
      while (d + 1 <= len && 1 - (d + 1) / len >= 0.5 && confidenceOf(1 - (d + 1) / len, 1) >= minConfidence)
        d++;
      edits[len] = d;
      return d;
    };
    const lengths = [chars.length - 1, chars.length, chars.length + 1];
    const lists = chars.map((char) =>
      lengths.map((length) => this.byChar.get(charKey(kind, length, char)) ?? []),
    );
    const size = (list: number[][]) => list.reduce((sum, ids) => sum + ids.length, 0);
    const rarest = lists.sort((a, b) => size(a) - size(b)).slice(0, maxEdits(chars.length + 1) + 1);
    const guard = numberGuard(text);
    const grams = bigrams(text);
    const query = ++this.queries;
    let py: string[] | null = null;
    let best: FuzzyMatch | null = null;
    let bestId = -1;
    for (const ids of rarest.flat()) {
      for (const id of ids) {
        // Each candidate once: `visited` holds the number of the last query that compared it.
        if (this.visited[id] === query) continue;
        this.visited[id] = query;
        const e = this.entries[id] as FuzzyEntry;
        if (e.text === text || e.guard !== guard) continue;
        const len = Math.max(chars.length, e.chars.length);
        const max = maxEdits(len);
        const distance = editDistanceWithin(chars, e.chars, max);
        if (distance > max || !grams.some((bg) => e.text.includes(bg))) continue;
        const charSim = 1 - distance / len;
        py ??= syllables(text);
        e.pinyin ??= syllables(e.text);
        const pyLen = Math.max(py.length, e.pinyin.length);
        const pySim = 1 - editDistance(py, e.pinyin) / pyLen;
        const confidence = confidenceOf(charSim, pySim);
        if (confidence < minConfidence) continue;
        if (!best || confidence > best.confidence || (confidence === best.confidence && id < bestId)) {
          best = { name: e.place.name, confidence };
          bestId = id;
        }
      }
    }
    return best;
  }
}

interface FuzzyEntry {
  readonly place: Place;
  /** The canonical name, its characters and their pinyin (worked out when first compared). */
  readonly text: string;
  readonly chars: readonly string[];
  pinyin: readonly string[] | null;
  /** Its digits and Latin letters: names that differ in them never match. */
  readonly guard: string;
}

/** The mean of the character and pinyin similarities, to three decimals. */
const confidenceOf = (charSim: number, pySim: number): number =>
  Math.round(((charSim + pySim) / 2) * 1000) / 1000;

const numberGuard = (text: string): string => text.replace(/[^0-9A-Z]/g, "");

const charKey = (kind: PlaceKind, length: number, char: string): string =>
  `${kind}\u0000${length}\u0000${char}`;

function bigrams(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < text.length; i++) out.push(text.slice(i, i + 2));
  return out;
}
