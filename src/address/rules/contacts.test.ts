import { describe, expect, test } from "vitest";
import { MASK_TAGS } from "../../ingest/privacy/mask.ts";
import { createAddressLocator } from "../locator.ts";
import { contactNotes, MASKED_NUMBER_TOKENS } from "./contacts.ts";

const notes = (text: string) => contactNotes(text).map((n) => text.slice(n.start, n.end));

describe("contact notes", () => {
  test("the tokens are the ones masking writes", () => {
    expect([...MASKED_NUMBER_TOKENS].sort()).toEqual(Object.values(MASK_TAGS).sort());
  });

  test.each([
    ["红星路12号张先生〔手机号〕", ["张先生〔手机号〕"]],
    ["阳光小区3栋2单元501室 李女士 电话〔手机号〕", [" 李女士 电话〔手机号〕"]],
    [
      "阳光小区3栋2单元501室（报警人王师傅，联系电话：〔手机号〕）",
      ["（报警人王师傅，联系电话：〔手机号〕）"],
    ],
    ["阳光小区3栋〔手机号〕/〔固话〕", ["〔手机号〕/〔固话〕"]],
    ["红星路88号户主〔手机号〕身份证〔身份证号〕", ["户主〔手机号〕身份证〔身份证号〕"]],
  ])("%s", (text, expected) => {
    expect(notes(text)).toEqual(expected);
  });

  test("without a masked number there is no note, whoever the address names", () => {
    expect(notes("红星路12号张先生家")).toEqual([]);
    expect(notes("阳光小区王师傅修车铺")).toEqual([]);
  });

  test("a note never takes the place's last character (12号 stays whole before 张先生)", () => {
    expect(notes("红星路12号张先生〔手机号〕")[0]?.startsWith("张")).toBe(true);
  });
});

describe("contact notes in the parse and the keys", () => {
  const locator = createAddressLocator({});
  const PLACES = [
    "浙江省杭州市西湖区红星路12号",
    "浙江省杭州市西湖区阳光小区3栋2单元501室",
    "浙江省杭州市西湖区阳光小区3栋2单元501",
    "浙江省杭州市西湖区红星路与阳光路交叉口",
  ];
  const NOTES = [
    "张先生〔手机号〕",
    " 李女士 电话〔手机号〕",
    "（报警人王师傅，联系电话：〔手机号〕）",
    "〔固话〕",
    "，户主〔手机号〕",
  ];

  test.each(PLACES)("%s keeps its keys with any note after it", (place) => {
    const plain = locator.analyse(place);
    for (const note of NOTES) {
      const located = locator.analyse(place + note);
      expect(located.keys, note).toEqual(plain.keys);
      const entities = located.entities;
      // The note is one otherinfo entity at the end; the entities still cover the text in order.
      expect(entities.at(-1), note).toEqual({ label: "otherinfo", text: note });
      expect(entities.map((e) => e.text).join("")).toBe(place + note);
    }
  });

  test("a note between the flat and a later part is read around", () => {
    const located = locator.analyse("浙江省杭州市西湖区阳光小区3栋张先生〔手机号〕2单元501室");
    expect(located.keys).toEqual(locator.analyse("浙江省杭州市西湖区阳光小区3栋2单元501室").keys);
    expect(located.entities.map((e) => e.text).join("")).toBe(
      "浙江省杭州市西湖区阳光小区3栋张先生〔手机号〕2单元501室",
    );
  });
});
