import { expect, test } from "vitest";
import { describeLocationKey } from "./describe.ts";
import { createAddressLocator } from "./locator.ts";

test.each([
  [
    "Z:澜江市:阳光小区/b3/u2/r501",
    "澜江市阳光小区3栋2单元501室",
    "阳光小区, bldg 3, unit 2, room 501, 澜江市",
  ],
  ["Z::隆都新村/b8/u1/r202", "隆都新村8栋1单元202室", "隆都新村, bldg 8, unit 1, room 202"],
  ["Z:澜江市:工业园/A区/f5/r3", "澜江市工业园A区5层3室", "工业园 A区, floor 5, room 3, 澜江市"],
  ["R:澜东区:衡山街/423", "澜东区衡山街423号", "衡山街 No. 423, 澜东区"],
  ["X:澜江市:衡山街&解放路", "澜江市衡山街与解放路交叉口", "衡山街 & 解放路, 澜江市"],
  ["C:澜江市:下宅村/b107", "澜江市下宅村107号", "下宅村, No. 107, 澜江市"],
  ["US:MKE:X:CANAL ST & MARSH ST", "CANAL ST & MARSH ST, MKE", "CANAL ST & MARSH ST, MKE"],
  ["US:2600 CANAL ST", "2600 CANAL ST", "2600 CANAL ST"],
  ["something else", "something else", "something else"],
])("%s reads as a place name", (key, zh, en) => {
  expect(describeLocationKey(key, "zh")).toBe(zh);
  expect(describeLocationKey(key, "en")).toBe(en);
});

test("the label of a parsed address's room key keeps every number of the address", () => {
  const keys = createAddressLocator().locate("阳光小区三号楼二单元501室", null, null);
  expect(keys.room).not.toBeNull();
  const label = describeLocationKey(keys.room!, "zh");
  expect(label).toContain("阳光");
  expect(label).toMatch(/3栋2单元501室$/);
});
