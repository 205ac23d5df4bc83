import { writeFileSync } from "node:fs";
import { join } from "node:path";
import iconv from "iconv-lite";
import { describe, expect, test } from "vitest";
import { tempDir } from "../testing/files.ts";
import { loadProfileFile, parseProfile } from "./load.ts";

const dir = tempDir("recur-profile-load-");

const base = {
  name: "t",
  sourceSystem: "t",
  timezone: "Asia/Shanghai",
  sourceId: "id",
  fields: { receivedAt: "time" },
};

/** Both texts of the ConfigError a bad profile throws. */
function messagesOf(profile: unknown): { zh: string; en: string } {
  try {
    parseProfile(profile, "bad.json");
  } catch (error) {
    return (error as { messages: { zh: string; en: string } }).messages;
  }
  throw new Error("the profile was accepted");
}

async function fileMessages(name: string, text: string): Promise<{ zh: string; en: string }> {
  const path = join(dir, name);
  writeFileSync(path, text);
  try {
    await loadProfileFile(path);
  } catch (error) {
    return (error as { messages: { zh: string; en: string } }).messages;
  }
  throw new Error("the profile was accepted");
}

describe("a bad profile is explained in the user's language", () => {
  test.each([
    [
      "an unknown subtype",
      { ...base, category: { column: "c", exact: { 开锁: "help.unlock" } } },
      'category.exact["开锁"]: 未知的细类 "unlock"（help 的细类: lost_person',
      'category.exact["开锁"]: unknown subtype "unlock" of help (lost_person',
    ],
    [
      "an unknown category",
      { ...base, category: { column: "c", exact: { X: "crime.theft" } } },
      'category.exact.X: 未知的类别 "crime"（可用: criminal, public_order',
      'category.exact.X: unknown category "crime" (criminal, public_order',
    ],
    [
      "a time format without a day",
      { ...base, fields: { receivedAt: { column: "time", format: "YYYY年MM月" } } },
      "fields.receivedAt.format: 格式 YYYY年MM月 须含年、月、日",
      "fields.receivedAt.format: format YYYY年MM月 needs a year, a month and a day",
    ],
    [
      "an unknown time zone",
      { ...base, timezone: "Asia/Peking" },
      'timezone: 未知的 IANA 时区 "Asia/Peking"',
      'timezone: unknown IANA time zone "Asia/Peking"',
    ],
    [
      "a value with two sources",
      { ...base, fields: { receivedAt: { column: "a", const: "b" } } },
      "fields.receivedAt: 只能有 column、columns、const、template 之一（现有 column, const）",
      "fields.receivedAt: takes only one of column, columns, const, template (found column, const)",
    ],
    [
      "a clock-only time without dateFrom",
      { ...base, fields: { receivedAt: "time", arrivedAt: { column: "a", format: "HH:mm" } } },
      "fields.arrivedAt.dateFrom: 只有时刻的格式须用 dateFrom",
      "fields.arrivedAt.dateFrom: a clock-only format needs dateFrom",
    ],
    [
      "an upper-case name",
      { ...base, name: "My110" },
      "name: 只能用小写字母、数字和 . _ -",
      "name: lower-case letters, digits, . _ -",
    ],
    [
      "a number where text is expected",
      { ...base, sourceSystem: 110 },
      "sourceSystem: 应为文本（string），实际是数字（number）",
      "sourceSystem: Invalid input: expected string, received number",
    ],
  ])("%s", (_, profile, zh, en) => {
    const messages = messagesOf(profile);
    expect(messages.zh).toContain(zh);
    expect(messages.en).toContain(en);
  });

  test("a required key left out is called missing, not 'received undefined'", () => {
    const messages = messagesOf({ ...base, fields: { acceptedAt: "接警时间" } });
    expect(messages.zh).toContain("fields.receivedAt: 缺少这个必填的键（应为");
    expect(messages.en).toContain("fields.receivedAt: required key missing");
    expect(messages.en).not.toContain("received undefined");
  });

  test("no line of the Chinese message is the English one", () => {
    const messages = messagesOf({
      ...base,
      timezone: "Asia/Peking",
      category: { column: "c", exact: { A: "help.unlock" } },
    });
    expect(messages.zh).not.toMatch(/unknown|needs|Invalid/);
  });
});

describe("a misspelt key", () => {
  test("names the keys allowed where it stands", () => {
    const messages = messagesOf({ ...base, caller: { column: "报警电话", lineType: "landline" } });
    expect(messages.en).toContain(
      'caller: Unrecognized key: "lineType"; allowed here: column, columns, separator, const, template, keepNumber, areaCode',
    );
    expect(messages.zh).toContain(
      'caller: 未知的键 "lineType"；此处可用: column, columns, separator, const, template, keepNumber, areaCode',
    );
  });

  test("suggests the key it was probably meant to be", () => {
    const messages = messagesOf({ ...base, feilds: {} });
    expect(messages.en).toContain('Unrecognized key: "feilds"');
    expect(messages.en).toContain('did you mean "fields"?');
    expect(messages.zh).toContain('是否应为 "fields"？');
  });

  test("inside a time field lists the time keys", () => {
    const messages = messagesOf({ ...base, fields: { receivedAt: { column: "t", formats: ["HH:mm"] } } });
    expect(messages.en).toMatch(
      /fields\.receivedAt: .*allowed here: .*format, dateFrom, rollover, rolloverHours/,
    );
    expect(messages.en).toContain('did you mean "format"?');
  });

  test("in the coordinates lists the keys of every form", () => {
    const messages = messagesOf({ ...base, coordinates: { lng: "经度", lat: "纬度", datum: "gcj02" } });
    expect(messages.en).toMatch(/coordinates: .*"lng".*allowed here: lon, lat, datum, x, y, utm, proj4/);
    expect(messages.en).toContain('did you mean "lon"?');
  });
});

describe("a profile file that is not JSON", () => {
  test("a // comment copied from the docs gives its line and says JSON has no comments", async () => {
    const messages = await fileMessages(
      "commented.json",
      '{\n  "name": "x",\n  "sourceSystem": "x", // never change\n  "timezone": "Asia/Shanghai"\n}\n',
    );
    expect(messages.zh).toContain("commented.json 不是有效的 JSON（第 3 行第 24 列）");
    expect(messages.zh).toContain("JSON 不能有注释");
    expect(messages.en).toContain("commented.json is not valid JSON (line 3, column 24)");
    expect(messages.en).toContain("JSON has no comments");
  });

  test("a trailing comma is named as such", async () => {
    const messages = await fileMessages(
      "trailing.json",
      '{\n  "name": "x",\n  "timezone": "Asia/Shanghai",\n}\n',
    );
    expect(messages.zh).toContain("第 4 行第 1 列");
    expect(messages.zh).toContain("最后一项之后不能有逗号");
    expect(messages.en).toContain("no comma after the last item");
  });

  test("an error without either gets the position only", async () => {
    const messages = await fileMessages("unclosed.json", '{\n  "name": "x"\n');
    expect(messages.en).toMatch(/unclosed\.json is not valid JSON \(line 3, column 1\)/);
    expect(messages.en).not.toContain("comment");
    expect(messages.en).not.toContain("comma after");
  });
});

describe("the encoding of a profile file", () => {
  const profile = {
    ...base,
    sourceId: "警情编号",
    fields: { receivedAt: "报警时间" },
    units: { station: "管辖单位" },
  };
  const text = JSON.stringify(profile, null, 2);
  test.each([
    ["UTF-8", Buffer.from(text)],
    ["UTF-8 with BOM", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])],
    ["GBK (Notepad's ANSI on Chinese Windows)", iconv.encode(text, "gbk")],
    [
      "UTF-16LE with BOM (Notepad's Unicode)",
      Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, "utf16le")]),
    ],
  ])("a profile saved as %s reads the same", async (_, bytes) => {
    const path = join(dir, "encoded.json");
    writeFileSync(path, bytes);
    const loaded = await loadProfileFile(path);
    expect(loaded.sourceId).toEqual({ column: "警情编号" });
    expect(loaded.fields.receivedAt).toEqual({ column: "报警时间" });
    expect(loaded.units?.station).toEqual({ column: "管辖单位" });
  });
});
