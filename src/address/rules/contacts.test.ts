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
    ["阳光小区3栋张先生微信〔微信号〕", ["张先生微信〔微信号〕"]],
    ["红星路12号 QQ〔QQ号〕", [" QQ〔QQ号〕"]],
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

  test.each([
    // After a division, a separator, the start, a number's end, a role.
    ["浙江省杭州市西湖区李明华〔手机号〕阳光小区9号楼", ["李明华〔手机号〕"]],
    ["浙江省杭州市西湖区阳光小区王建国〔手机号〕收", ["王建国〔手机号〕收"]],
    ["阳光小区3栋2单元501，赵晓红，〔手机号〕", ["，赵晓红，〔手机号〕"]],
    ["陈晓东〔手机号〕红星路12号", ["陈晓东〔手机号〕"]],
    ["红星路12号周文静收〔手机号〕", ["周文静收〔手机号〕"]],
    ["阳光小区3栋2单元501刘思远 电话〔手机号〕", ["刘思远 电话〔手机号〕"]],
    ["阳光小区9号楼欧阳明〔手机号〕", ["欧阳明〔手机号〕"]],
    ["红星路12号报警人许嘉言〔手机号〕", ["报警人许嘉言〔手机号〕"]],
    ["红星路12号〔手机号〕，李明华〔固话〕", ["〔手机号〕，", "李明华〔固话〕"]],
    // After the last number, at the end.
    ["浙江省杭州市西湖区阳光小区〔手机号〕孙一鸣", ["〔手机号〕孙一鸣"]],
    ["浙江省杭州市西湖区阳光小区〔手机号〕孙一鸣收。", ["〔手机号〕孙一鸣收。"]],
    ["浙江省杭州市西湖区阳光小区〔手机号〕收", ["〔手机号〕收"]],
  ])("a full name without a form of address: %s", (text, expected) => {
    expect(notes(text)).toEqual(expected);
  });

  test.each([
    // No boundary before the name: 路 ends no division and no number.
    ["浙江省杭州市西湖区红星路王明华〔手机号〕", ["〔手机号〕"]],
    // Not a common surname.
    ["浙江省杭州市西湖区那小云〔手机号〕", ["〔手机号〕"]],
    // Ends like a place (港, 村, 店, 家, 山).
    ["浙江省杭州市西湖区金沙港〔手机号〕", ["〔手机号〕"]],
    ["浙江省杭州市西湖区王家村〔手机号〕", ["〔手机号〕"]],
    ["红星路12号金福店〔手机号〕", ["〔手机号〕"]],
    ["浙江省杭州市西湖区李家〔手机号〕", ["〔手机号〕"]],
    ["浙江省杭州市西湖区马鞍山〔手机号〕", ["〔手机号〕"]],
    // A name after the number is a note only at the end of the text.
    ["浙江省杭州市西湖区〔手机号〕李明华阳光小区9号楼", ["〔手机号〕"]],
    // One character is no name.
    ["浙江省杭州市西湖区李〔手机号〕", ["〔手机号〕"]],
  ])("no place taken for a person: %s", (text, expected) => {
    expect(notes(text)).toEqual(expected);
  });

  test("a full name never takes a character of a road, building or room number", () => {
    for (const [text, place] of [
      ["红星路12号李明华〔手机号〕", "红星路12号"],
      ["阳光小区3栋2单元501室王建国〔手机号〕", "阳光小区3栋2单元501室"],
      ["阳光小区9号楼2单元501赵晓红〔手机号〕", "阳光小区9号楼2单元501"],
    ] as const)
      expect(text.slice(0, contactNotes(text)[0]?.start)).toBe(place);
  });

  test("without a masked number a full name stays in the address", () => {
    expect(notes("浙江省杭州市西湖区李明华阳光小区9号楼")).toEqual([]);
    expect(notes("浙江省杭州市西湖区阳光小区王建国收")).toEqual([]);
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

  test.each([
    ["浙江省杭州市西湖区李明华〔手机号〕阳光小区9号楼", "浙江省杭州市西湖区阳光小区9号楼"],
    ["浙江省杭州市西湖区红星路12号王建国〔手机号〕收", "浙江省杭州市西湖区红星路12号"],
    ["浙江省杭州市西湖区红星路12号〔手机号〕孙一鸣", "浙江省杭州市西湖区红星路12号"],
    ["浙江省杭州市西湖区红星路12号〔手机号〕收", "浙江省杭州市西湖区红星路12号"],
    ["浙江省杭州市西湖区红星路12号，周文静收，〔手机号〕", "浙江省杭州市西湖区红星路12号"],
  ])("%s keeps the keys of %s", (text, place) => {
    const located = locator.analyse(text);
    expect(located.keys).toEqual(locator.analyse(place).keys);
    expect(located.entities.map((e) => e.text).join("")).toBe(text);
  });

  test("a note between the flat and a later part is read around", () => {
    const located = locator.analyse("浙江省杭州市西湖区阳光小区3栋张先生〔手机号〕2单元501室");
    expect(located.keys).toEqual(locator.analyse("浙江省杭州市西湖区阳光小区3栋2单元501室").keys);
    expect(located.entities.map((e) => e.text).join("")).toBe(
      "浙江省杭州市西湖区阳光小区3栋张先生〔手机号〕2单元501室",
    );
  });
});
