import { describe, expect, test } from "vitest";
import {
  crossKeyFromAddress,
  isPlaceless,
  matchingKey,
  poiNameFromAddress,
  siteNameFromAddress,
} from "./places.ts";

describe("matching form of location keys", () => {
  test.each([
    ["Z:浙江省:澜江市澜西区兰阁公寓/b25/u4/r103", "Z::兰阁小区/b25/u4/r103"],
    ["Z::西全公寓/b13/u3/r202", "Z::鹭洲区西泉公寓/b13/u3/r202"],
    ["Z::澜江市望潮区阳邦家园/下/b7栋", "Z::阳邦花园/b7"],
    ["R:浙江省:延安街/120", "R::延安街/120"],
    ["X::丝绸街&昆仑路", "X:浙江省:昆仑路&丝绸街"],
    // The parser cut the compound's suffix off its name, or its name at a strong ending (城).
    ["Z::彩虹锦城/花园/b17/u2/r902", "Z::彩虹锦城/小区/b17/u2/r902"],
    ["Z::彩虹锦城/花园/b17/u2/r902", "Z::彩虹锦城家园/b17/u2/r902"],
    ["Z::澜江市望潮区城/市领寓花园/b11/u1/r1201", "Z::城市领寓小区/b11/u1/r1201"],
    // 小区 is no district, and a city's name holds no district (鹭洲区城市公馆 is not a city 鹭洲区城).
    ["Z::澜江市阳光小区/b1", "Z::阳光小区/b1"],
    ["Z::鹭洲区城市公馆/b3", "Z::城市公馆/b3"],
  ])("%s and %s are the same place", (a, b) => {
    expect(matchingKey(a)).toBe(matchingKey(b));
  });

  test.each([
    ["Z::兰阁公寓/b25/u4/r103", "Z::兰阁公寓/b25/u4/r104"],
    ["Z::兰阁公寓/b25", "Z::兰阁公寓/b26"],
    ["Z::城市花园/b1", "Z::花园/b1"],
    ["R::延安街/120", "R::延安街/12"],
    ["Z::阳光小区/东区/b3", "Z::阳光小区/西区/b3"],
    ["Z::彩虹锦城/花园/b17/u2/r902", "Z::彩虹锦城/花园/b17/u2/r903"],
  ])("%s and %s stay different places", (a, b) => {
    expect(matchingKey(a)).not.toBe(matchingKey(b));
  });

  test("US block keys are left as written", () => {
    expect(matchingKey("2600 N CANAL ST")).toBe("2600 N CANAL ST");
  });

  test("不详 and 路口 are no place", () => {
    expect(isPlaceless("Z::不详")).toBe(true);
    expect(isPlaceless("Z:天津市:路口")).toBe(true);
    expect(isPlaceless("Z::阳光小区")).toBe(false);
  });
});

describe("intersections read from the address", () => {
  test.each([
    ["澜江市澜东区物流街与民主路交叉口", "民主路和物流街路口"],
    ["青岚县岚城镇友谊大道与南站路路口", "友谊大道南站路交叉路口"],
  ])("%s and %s are one crossing", (a, b) => {
    expect(crossKeyFromAddress(a)).not.toBeNull();
    expect(crossKeyFromAddress(a)).toBe(crossKeyFromAddress(b));
  });

  test("a street number is no crossing", () => {
    expect(crossKeyFromAddress("延安街120号")).toBeNull();
  });

  test("a POI name is read from the address when the parser kept only a generic one", () => {
    expect(poiNameFromAddress("澜东区劳动路668号北关农贸市场对面")).toBe("北关农贸市场");
    expect(poiNameFromAddress("农贸市场")).toBeNull();
  });
});

describe("building sites read from the address", () => {
  test.each([
    ["澜江市澜东区泰山路193号春华1号地块项目工地门口", "春华1号地块项目工地"],
    ["健康路635号白沙1号地块项目工地", "白沙1号地块项目工地"],
    ["澜江市昆仑路３９０号东湖１号地块项目工地附近", "东湖1号地块项目工地"],
    ["紫金半岛广场项目工地（建设路）", "紫金半岛广场项目工地"],
    ["望潮区潮音街道紫金半岛广场项目工地附近", "紫金半岛广场项目工地"],
    ["澜西区珠江街凤鸣1号地块项目工地", "凤鸣1号地块项目工地"],
    ["鹭洲区城市公馆中心项目工地", "城市公馆中心项目工地"],
  ])("%s names the site %s", (address, name) => {
    expect(siteNameFromAddress(address)).toBe(name);
  });

  test.each([["阳光小区3栋2单元501"], ["项目工地"], ["澜东区工地"], ["人民路128号工地附近"]])(
    "%s names no particular site",
    (address) => {
      expect(siteNameFromAddress(address)).toBeNull();
    },
  );
});
