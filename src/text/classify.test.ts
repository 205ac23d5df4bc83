import { expect, test } from "vitest";
import { ruleClassifier } from "./classify.ts";

const rules = ruleClassifier();

test.each([
  ["楼上邻居深夜装修噪音很大，严重扰民", "public_order", "noise"],
  ["报警人称其电动车在楼下被盗", "criminal", "theft"],
  ["两车追尾，无人受伤，双方对责任有争议", "traffic", "accident"],
  ["报警人称老板拖欠其三个月工资不给", "dispute", "labour"],
  ["夫妻二人因家务事争吵", "dispute", "family"],
  ["接通后无人说话，系无声电话", "invalid", "silent"],
  ["报警人称家中老人走失，至今联系不上", "help", "lost_person"],
  ["小区门口有人占道经营，堵塞通行", "non_police", "municipal"],
  ["报警人称在网上刷单被骗5000元", "criminal", "fraud"],
  ["厨房着火冒出浓烟", "fire", "building"],
])("%s is classified as %s.%s", (text, category, subtype) => {
  const result = ruleClassifier().classify(text);
  expect([result.category, result.subtype]).toEqual([category, subtype]);
  expect(result.evidence.length).toBeGreaterThan(0);
});

test("a negated cue does not count", () => {
  expect(rules.classify("现场未发现可疑人员").category).toBeNull();
  expect(rules.classify("双方没有打架").subtype).not.toBe("fight");
});

test("what a prank caller falsely claims is not evidence of the claimed crime", () => {
  const result = rules.classify("报警人谎称有人持枪抢劫，经核实为恶作剧");
  expect([result.category, result.subtype]).toEqual(["invalid", "prank"]);
  expect(result.evidence).not.toContain("抢劫");
});

test("a narrative without any cue gets no opinion rather than a guess", () => {
  const result = rules.classify("情况已了解");
  expect(result).toMatchObject({ category: null, subtype: null, confidence: 0 });
});

test.each([
  ["小区旁工地夜间施工，渣土车扬尘", "urban_management"],
  ["公司拖欠工资半年，要求劳动监察介入", "labour"],
  ["孩子上学学位紧张，幼儿园收费高", "education"],
  ["家中停水两天了", "utilities"],
  ["化工厂排放废气，臭味刺鼻", "environment"],
  ["超市卖过期食品，食品安全问题", "market_regulation"],
  ["公交线路调整后站点太远", "transport"],
  ["医院看病收费不合理", "health"],
])("a non-police call about %s goes to %s", (text, department) => {
  expect(rules.department(text).department).toBe(department);
});

test("deployment keywords extend the defaults", () => {
  const custom = ruleClassifier({
    subtypeKeywords: [{ category: "public_order", subtype: "gambling", keywords: [["斗地主赢钱", 5]] }],
    departmentKeywords: { culture_tourism: [["非遗", 5]] },
  });
  expect(custom.classify("有人在棋牌室斗地主赢钱").subtype).toBe("gambling");
  expect(custom.department("非遗展馆开放时间").department).toBe("culture_tourism");
});
