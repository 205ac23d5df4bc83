import { expect, test } from "vitest";
import { dispositionOutcome, extractFacts } from "./extract.ts";

test("a typical feedback yields time, place, parties, no injuries and a mediated outcome", () => {
  const facts = extractFacts(
    "5月1日22时30分许，报警人称阳光小区3栋2单元501室楼上装修噪音扰民，双方发生口角。民警到场后经调解双方达成一致，无人受伤。",
  );
  expect(facts.times).toEqual(expect.arrayContaining(["5月1日", "22时30分"]));
  expect(facts.places.some((p) => p.includes("阳光小区3栋2单元501室"))).toBe(true);
  expect(facts.parties).toBe(2);
  expect(facts.injuries).toBe(false);
  expect(facts.outcome).toBe("mediated");
  expect(facts.statesCause).toBe(true);
  expect(facts.statesProcess).toBe(true);
});

test("counts of people, weapons and money are read", () => {
  const facts = extractFacts("三名男子持菜刀和钢管在解放路口斗殴，一人受伤送医，损失约2.5万元及现金300元");
  expect(facts.parties).toBe(3);
  expect([...facts.weapons].sort()).toEqual(["菜刀", "钢管"]);
  expect(facts.injuries).toBe(true);
  expect(facts.amounts).toEqual([25000, 300]);
});

test.each([
  ["已立案侦查", "case_opened"],
  ["已移交城管处理", "referred"],
  ["告知其拨打12345反映", "referred"],
  ["民警到场后将围观人员劝离", "dispersed"],
  ["经调解双方和解", "mediated"],
  ["已处置", "handled"],
  ["情况已了解", null],
])("the outcome of %s is %s", (text, outcome) => {
  expect(extractFacts(text).outcome).toBe(outcome);
});

test("dispositions map to outcomes", () => {
  expect(dispositionOutcome("已驱散")).toBe("dispersed");
  expect(dispositionOutcome(null)).toBeNull();
});

test("a narrative that states nothing yields empty facts", () => {
  const facts = extractFacts("无");
  expect(facts).toMatchObject({
    times: [],
    parties: null,
    injuries: null,
    weapons: [],
    amounts: [],
    outcome: null,
  });
});
