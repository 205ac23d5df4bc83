import { pinyin } from "pinyin-pro";
import { expect, test } from "vitest";
import {
  EMPTY_DICTIONARY,
  editDistance,
  editDistanceWithin,
  learnPlaces,
  mergePlaces,
  PlaceIndex,
  restoreDictionary,
} from "./dictionary.ts";

test("a dictionary read from JSON keeps the valid entries and reports the others", () => {
  const { dictionary, issues } = restoreDictionary({
    aliases: { 昆区: "昆都仑区", bad: 3 },
    places: [
      { name: "阳光小区", kind: "poi", count: 4 },
      { name: "x", kind: "poi" },
      { name: "某某", kind: "person" },
    ],
  });
  expect(dictionary.aliases).toEqual({ 昆区: "昆都仑区" });
  expect(dictionary.places).toEqual([{ name: "阳光小区", kind: "poi", count: 4 }]);
  expect(issues.map((i) => i.code)).toEqual([
    "dictionary_bad_alias",
    "dictionary_bad_place",
    "dictionary_bad_place",
  ]);
  expect(restoreDictionary([1, 2]).issues[0]?.code).toBe("dictionary_not_object");
});

test("frequent names are learned, rare ones are not, and user entries survive a merge", () => {
  const seen = [
    ...Array.from({ length: 5 }, () => [{ name: "幸福家园", kind: "poi" as const }]),
    [{ name: "偶然小区", kind: "poi" as const }],
  ];
  const learned = learnPlaces(seen, { minCount: 3 });
  expect(learned).toEqual([{ name: "幸福家园", kind: "poi", count: 5 }]);
  const user = {
    ...EMPTY_DICTIONARY,
    aliases: { 幸福小区: "幸福家园" },
    places: [{ name: "市场", kind: "poi" as const, count: 0 }],
  };
  const merged = mergePlaces(user, learned);
  expect(merged.aliases).toEqual({ 幸福小区: "幸福家园" });
  expect(merged.places.map((p) => p.name).sort()).toEqual(["市场", "幸福家园"]);
});

test("fuzzy matching scores homophones above other typos and never crosses numbers", () => {
  const index = new PlaceIndex({
    ...EMPTY_DICTIONARY,
    places: [
      { name: "阳光小区", kind: "poi", count: 9 },
      { name: "明珠花园二期", kind: "poi", count: 9 },
    ],
  });
  expect(index.fuzzy("阳光晓区")).toEqual({ name: "阳光小区", confidence: 0.875 });
  expect(index.fuzzy("月光小区")?.confidence).toBeLessThan(0.85);
  expect(index.fuzzy("明珠花园三期")).toBeNull();
  expect(editDistance([..."abc"], [..."abd"])).toBe(1);
});

test("fuzzy matching with a minimum confidence returns the same best match, or none below it", () => {
  const places = [
    "阳光小区",
    "阳光花园",
    "红星小区",
    "月光小区",
    "阳光家园",
    "星光小区",
    "阳光新村",
    "东湖小区",
  ];
  const index = new PlaceIndex({
    ...EMPTY_DICTIONARY,
    places: places.map((name) => ({ name, kind: "poi" as const, count: 3 })),
  });
  const queries = [
    "阳光晓区",
    "阳光小",
    "阳光花圆",
    "洋光小区",
    "红心小区",
    "东湖晓区园",
    "星光小区",
    "月亮小区",
    "阳光新春",
  ];
  for (const query of queries) {
    const best = new PlaceIndex(index.dictionary).fuzzy(query);
    for (const min of [0, 0.6, 0.75, 0.85, 0.875, 0.9]) {
      const expected = best && best.confidence >= min ? best : null;
      expect(index.fuzzy(query, "poi", min), `${query} ≥ ${min}`).toEqual(expected);
    }
  }
  expect(index.fuzzy("阳光晓区", "poi", 0.85)).toEqual({ name: "阳光小区", confidence: 0.875 });
  expect(index.fuzzy("阳光晓区", "poi", 0.9)).toBeNull();
  expect(index.fuzzy("阳光晓区", "road", 0)).toBeNull();
});

/** The fuzzy match by its definition: every place of the kind compared, none skipped. */
function bruteFuzzy(names: readonly string[], query: string, minConfidence: number) {
  const py = (text: string) => pinyin(text, { toneType: "none", type: "array" });
  const digits = (text: string) => text.replace(/[^0-9A-Z]/g, "");
  const grams = (text: string) => [...text].slice(1).map((c, i) => [...text][i] + c);
  let best: { name: string; confidence: number } | null = null;
  for (const name of names) {
    const [a, b] = [[...query], [...name]];
    if (name === query || Math.abs(a.length - b.length) > 1 || digits(name) !== digits(query)) continue;
    if (!grams(query).some((g) => name.includes(g))) continue;
    const charSim = 1 - editDistance(a, b) / Math.max(a.length, b.length);
    if (charSim < 0.5) continue;
    const [pa, pb] = [py(query), py(name)];
    const pySim = 1 - editDistance(pa, pb) / Math.max(pa.length, pb.length);
    const confidence = Math.round(((charSim + pySim) / 2) * 1000) / 1000;
    if (confidence >= minConfidence && (!best || confidence > best.confidence)) best = { name, confidence };
  }
  return best;
}

test("fuzzy matching finds the best place of its definition, however many places share a suffix", () => {
  // A seeded dictionary of names from few characters, so that most names share most characters.
  let seed = 7;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const heads = [..."阳光明珠红星东湖春华金桂"];
  const tails = ["小区", "花园", "家园", "东苑", "新村", "公寓", "苑", "2期"];
  const name = () =>
    Array.from({ length: 1 + next(4) }, () => heads[next(heads.length)]).join("") + tails[next(tails.length)];
  const names = [...new Set(Array.from({ length: 400 }, name))];
  const index = new PlaceIndex({
    ...EMPTY_DICTIONARY,
    places: names.map((n) => ({ name: n, kind: "poi", count: 3 })),
  });
  const queries = [...names.slice(0, 60), ...Array.from({ length: 140 }, name)];
  const typo = (q: string) =>
    q.replace(heads[next(heads.length)] as string, heads[next(heads.length)] as string);
  // A homophone typed at each position of a name: the misspelt character is in no place, so the
  // place is found only through the name's other characters.
  const homophones: Record<string, string> = { 阳: "洋", 光: "广", 明: "鸣", 珠: "朱", 红: "宏", 星: "兴" };
  const misspelt = names.slice(0, 80).flatMap((n) =>
    [...n].flatMap((c, i) => {
      const h = homophones[c];
      return h ? [[...n.slice(0, i), h, ...n.slice(i + 1)].join("")] : [];
    }),
  );
  let matched = 0;
  for (const query of [...queries, ...queries.map(typo), ...misspelt]) {
    for (const min of [0, 0.7, 0.85]) {
      const expected = bruteFuzzy(names, query, min);
      const got = index.fuzzy(query, "poi", min);
      expect(got, `${query} ≥ ${min}`).toEqual(expected);
      if (got) matched++;
    }
  }
  expect(matched).toBeGreaterThan(300);
});

test("a bounded edit distance is exact up to its bound and bound + 1 beyond", () => {
  const words = ["", "a", "ab", "abc", "abcd", "bcda", "xbcx", "aaaa", "abab", "dcba"];
  for (const a of words)
    for (const b of words)
      for (const max of [0, 1, 2, 3]) {
        const d = editDistance([...a], [...b]);
        expect(editDistanceWithin([...a], [...b], max), `${a} ${b} ${max}`).toBe(Math.min(d, max + 1));
      }
});
