import fc from "fast-check";
import { expect, test } from "vitest";
import { keywordMatcher } from "./keywords.ts";

test("every keyword occurrence is found, including overlapping ones", () => {
  const m = keywordMatcher([
    ["噪音", "a"],
    ["扰民", "b"],
    ["噪音扰民", "c"],
    ["音扰", "d"],
  ]);
  const hits = m.find("楼上噪音扰民").map((h) => `${h.keyword}@${h.start}`);
  expect(hits.sort()).toEqual(["噪音@2", "噪音扰民@2", "扰民@4", "音扰@3"].sort());
});

test("the matcher agrees with naive indexOf search on random texts", () => {
  const alphabet = ["甲", "乙", "丙", "丁"];
  const word = fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 3 }).map((a) => a.join(""));
  fc.assert(
    fc.property(fc.uniqueArray(word, { minLength: 1, maxLength: 6 }), word, (keywords, _) => {
      const text = keywords.join("乙") + "甲乙丙丁甲甲";
      const m = keywordMatcher(keywords.map((k) => [k, k] as const));
      const found = m.find(text).map((h) => `${h.keyword}@${h.start}`);
      const expected: string[] = [];
      for (const k of keywords)
        for (let i = text.indexOf(k); i >= 0; i = text.indexOf(k, i + 1)) expected.push(`${k}@${i}`);
      expect(found.sort()).toEqual(expected.sort());
    }),
    { seed: 6, numRuns: 200 },
  );
});
