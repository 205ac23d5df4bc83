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

test("a bounded edit distance is exact up to its bound and bound + 1 beyond", () => {
  const words = ["", "a", "ab", "abc", "abcd", "bcda", "xbcx", "aaaa", "abab", "dcba"];
  for (const a of words)
    for (const b of words)
      for (const max of [0, 1, 2, 3]) {
        const d = editDistance([...a], [...b]);
        expect(editDistanceWithin([...a], [...b], max), `${a} ${b} ${max}`).toBe(Math.min(d, max + 1));
      }
});
