import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  badChecksumId18,
  bankCardSpelled,
  digitRun,
  filler,
  landlineSpelled,
  mobileSpelled,
  ordinaryNumber,
  plateSpelled,
  residentId15,
  residentId18,
  residentId18Spelled,
  workOrder12,
} from "./arbitraries.ts";
import {
  findIdentifiers,
  type IdentifierKind,
  MASK_TAGS,
  maskedIssueValue,
  maskText,
  remaskedIssueValue,
} from "./mask.ts";
import {
  isBankCard,
  isLandline,
  isMobile,
  isResidentId15,
  isResidentId18,
  residentIdCheckChar,
} from "./validators.ts";

const SEED = 20240501;
const RUNS = 300;

/** Digits of a text as a reader would see them: full-width folded, separators dropped, X kept. */
function visibleDigits(text: string): string {
  return text
    .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[ｘＸx×]/g, "X")
    .replace(/[\s\u3000\-－()（）]/g, "");
}

/** Canonical digits of a spelled identifier, as they would be read back out of a text. */
function canonical(spelled: string): string {
  return visibleDigits(spelled).replace(/^\+|^＋/, "");
}

const identifiers: [IdentifierKind, fc.Arbitrary<string>][] = [
  ["resident_id", residentId18],
  ["resident_id", residentId18Spelled],
  ["resident_id", residentId15],
  ["mobile", mobileSpelled],
  ["landline", landlineSpelled],
  ["bank_card", bankCardSpelled],
  ["plate", plateSpelled],
];

/** A generated card can by chance also be a valid 18-digit ID; the ID tag wins then, and that is fine. */
function kindOf(kind: IdentifierKind, spelled: string): IdentifierKind {
  return kind === "bank_card" && isResidentId18(canonical(spelled)) ? "resident_id" : kind;
}

describe.each(identifiers)("a generated %s", (generated, arbitrary) => {
  test("is replaced by its tag, and re-scanning the output finds no identifier left", () => {
    fc.assert(
      fc.property(filler, arbitrary, filler, (before, id, after) => {
        const text = `${before}${id}${after}`;
        const masked = maskText(text);
        expect(masked).toBe(`${before}${MASK_TAGS[kindOf(generated, id)]}${after}`);
        expect(findIdentifiers(masked)).toEqual([]);
        const digits = canonical(id).replace(/^(0086|86)/, "");
        if (generated !== "plate") expect(visibleDigits(masked)).not.toContain(digits.slice(-10));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  test("is found with its kind and exact span", () => {
    fc.assert(
      fc.property(filler, arbitrary, (before, id) => {
        expect(findIdentifiers(`${before}${id}。`)).toEqual([
          { kind: kindOf(generated, id), start: before.length, end: before.length + id.length },
        ]);
      }),
      { seed: SEED + 1, numRuns: RUNS },
    );
  });
});

test("in a mixed narrative every identifier becomes its tag and every ordinary number stays in place", () => {
  const part = fc.oneof(
    ...identifiers.map(([kind, arbitrary]) =>
      arbitrary.map((value) => ({ value, kind: kindOf(kind, value) })),
    ),
    ordinaryNumber.map((value) => ({ value, kind: undefined })),
  );
  fc.assert(
    fc.property(fc.array(fc.tuple(filler, part), { minLength: 1, maxLength: 8 }), (parts) => {
      const text = parts.map(([f, p]) => `${f}${p.value}`).join("，");
      const expected = parts.map(([f, p]) => `${f}${p.kind ? MASK_TAGS[p.kind] : p.value}`).join("，");
      const masked = maskText(text);
      expect(masked).toBe(expected);
      expect(findIdentifiers(masked)).toEqual([]);
    }),
    { seed: SEED + 8, numRuns: RUNS * 2 },
  );
});

test("masking twice gives the same text as masking once", () => {
  const anything = fc.oneof(
    residentId18,
    mobileSpelled,
    landlineSpelled,
    bankCardSpelled,
    plateSpelled,
    ordinaryNumber,
  );
  fc.assert(
    fc.property(fc.array(fc.tuple(filler, anything), { maxLength: 6 }), (parts) => {
      const text = parts.map(([f, x]) => f + x).join("，");
      const once = maskText(text);
      expect(maskText(once)).toBe(once);
    }),
    { seed: SEED + 2, numRuns: RUNS },
  );
});

describe("ordinary numbers stay byte for byte", () => {
  test("house and room numbers, dates and times, amounts, ages and counts", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(filler, ordinaryNumber), { minLength: 1, maxLength: 6 }), (parts) => {
        const text = parts.map(([f, x]) => f + x).join("，");
        expect(maskText(text)).toBe(text);
      }),
      { seed: SEED + 3, numRuns: RUNS * 3 },
    );
  });

  test("12-digit work-order numbers", () => {
    fc.assert(
      fc.property(filler, workOrder12, (before, order) => {
        const text = `${before}工单号${order}。`;
        expect(maskText(text)).toBe(text);
      }),
      { seed: SEED + 4, numRuns: RUNS },
    );
  });

  test("18-digit numbers shaped like an ID with a wrong check digit (unless they pass as a card), masked only when announced as an ID", () => {
    fc.assert(
      fc.property(
        filler,
        badChecksumId18.filter((n) => !isBankCard(n)),
        (before, number) => {
          const text = `${before}${number}。`;
          expect(maskText(text)).toBe(before === "身份证" ? `${before}〔身份证号〕。` : text);
        },
      ),
      { seed: SEED + 5, numRuns: RUNS },
    );
  });

  test("any 12-20 digit number that is not an ID, card or phone", () => {
    const notIdentifier = (d: string) =>
      !isResidentId18(d) &&
      !isResidentId15(d) &&
      !isMobile(d) &&
      !isLandline(d) &&
      !isBankCard(d) &&
      !(d.length === 13 && d.startsWith("86") && isMobile(d.slice(2))) &&
      !(d.length === 12 && d.startsWith("0") && isMobile(d.slice(1))) && // a trunk 0 before a mobile
      !d.startsWith("0086") && // an international spelling, masked when a valid number follows
      !Array.from({ length: Math.max(0, d.length - 17) }, (_, k) => d.slice(k, k + 18)).some(isResidentId18);
    fc.assert(
      fc.property(digitRun.filter(notIdentifier), (number) => {
        const text = `编号${number}。`;
        expect(maskText(text)).toBe(text);
      }),
      { seed: SEED + 6, numRuns: RUNS * 3 },
    );
  });

  test("ordinary numbers next to an identifier survive while the identifier goes", () => {
    fc.assert(
      fc.property(ordinaryNumber, mobileSpelled, ordinaryNumber, (a, phone, b) => {
        const masked = maskText(`${a}，电话${phone}，${b}`);
        expect(masked).toBe(`${a}，电话${MASK_TAGS.mobile}，${b}`);
      }),
      { seed: SEED + 7, numRuns: RUNS },
    );
  });
});

test.each([
  ["ID glued after a date", "工单2024050111010519491231002X", "工单20240501〔身份证号〕"],
  ["ID glued before a phone", "身份证11010519491231002X13800138000", "身份证〔身份证号〕〔手机号〕"],
  ["ID inside a longer run", "编号9911010519491231002X", "编号99〔身份证号〕"],
  ["ID between other digits and a phone", "9911010519491231002X13800138000", "99〔身份证号〕〔手机号〕"],
  ["two IDs glued", "11010519491231003811010519491231002X", "〔身份证号〕〔身份证号〕"],
  ["spaced phone glued before an ID", "138 0013 8000110105194912310038", "〔手机号〕〔身份证号〕"],
  ["ID glued before a spaced phone", "110105194912310038138 0013 8000", "〔身份证号〕〔手机号〕"],
  [
    "ID glued before a card in groups",
    "1101051949123100386222 0212 3456 7890 128",
    "〔身份证号〕〔银行卡号〕",
  ],
  ["phone with a stray X after an ID", "11010519491231003813800138000x", "〔身份证号〕〔手机号〕x"],
  ["plate glued to a phone", "京A1234513800138000", "〔车牌号〕〔手机号〕"],
  ["Hong Kong mobile", "香港号码+852 9123 4567", "香港号码〔手机号〕"],
  ["Taiwan mobile", "+886 912 345 678", "〔手机号〕"],
  ["852 without a plus is an ordinary number", "编号85291234567", "编号85291234567"],
  [
    "coordinates with long fractions",
    "43.0501234123456,-87.9123456343434",
    "43.0501234123456,-87.9123456343434",
  ],
  ["two dates joined by a dash", "车位092821-102821可用", "车位092821-102821可用"],
  ["a birth date and a code", "出生070885 23152号", "出生070885 23152号"],
  ["two phones glued together", "1380013800013900139000", "〔手机号〕〔手机号〕"],
  ["phone right next to Chinese text", "王某电话13800138000报警称", "王某电话〔手机号〕报警称"],
  ["full-width phone", "手机１３８００１３８０００", "手机〔手机号〕"],
  ["full-width and ASCII mixed", "手机1３8 ００13 8000", "手机〔手机号〕"],
  ["ID written in groups", "身份证110105 19491231 002X。", "身份证〔身份证号〕。"],
  ["ID written with dashes", "110105-19491231-0038", "〔身份证号〕"],
  ["ID-shaped with a wrong check digit in groups", "110105-19491231-0021", "110105-19491231-0021"],
  ["ID in groups with digit check", "身份证 110105 19491231 0038", "身份证 〔身份证号〕"],
  ["legacy 15-digit ID", "老身份证110105491231002", "老身份证〔身份证号〕"],
  ["landline with extension", "电话010-62345678-123", "电话〔固话〕-123"],
  ["two phones with a slash", "13800138000/13900139000", "〔手机号〕/〔手机号〕"],
  ["mobile in 4-4-3", "1380 0138 000", "〔手机号〕"],
  [
    "room number glued to a mobile",
    "阳光小区24号楼三单元50113912345678",
    "阳光小区24号楼三单元501〔手机号〕",
  ],
  ["work order that ends like a mobile", "工单50113912345678", "工单50113912345678"],
  ["local number with 电联 after it", "滨江区阳光城5823716电联", "滨江区阳光城〔固话〕电联"],
  ["list of local numbers", "联系电话：8805667，8805668。", "联系电话：〔固话〕，〔固话〕。"],
  ["landline then a local number", "0735-2178591、2178592", "〔固话〕、〔固话〕"],
  ["amount after a phone is not a phone", "电话13800138000，3000000元", "电话〔手机号〕，3000000元"],
  ["mobile with dots", "手机138.0013.8000", "手机〔手机号〕"],
  ["amount with decimals", "损失13800.50元，1380.5万", "损失13800.50元，1380.5万"],
  ["IP address", "IP 192.168.100.200", "IP 192.168.100.200"],
  ["coordinates", "116.397128,39.916527", "116.397128,39.916527"],
  ["dotted date and time", "2024.05.01 20.30", "2024.05.01 20.30"],
  ["mobile in Chinese numerals", "手机一三八零零一三八零零零", "手机〔手机号〕"],
  ["mobile read out with 幺", "电话幺三八 零零幺三 八零零零", "电话〔手机号〕"],
  [
    "Chinese numerals in ordinary text",
    "一名男子在三栋二单元五零一室，二零二四年五月一日",
    "一名男子在三栋二单元五零一室，二零二四年五月一日",
  ],
  ["lower-case x in an ID", "11010519491231002x号", "〔身份证号〕号"],
  ["ID with its X set apart by a space", "身份证11010519491231002 X，", "身份证〔身份证号〕，"],
  ["ID in groups with its x set apart", "110105 19491231 002 x", "〔身份证号〕"],
  [
    "a word after 17 digits is no check character",
    "编号11010519491231002 Xiaomi",
    "编号11010519491231002 Xiaomi",
  ],
  ["an X after two mobiles stays with its space", "13800138000 13900139000 X", "〔手机号〕 〔手机号〕 X"],
  ["multiplication sign typed for the X of an ID", "身份证11010519491231002×", "身份证〔身份证号〕"],
  ["× after an ID in groups", "身份证号：110105 1949 1231 002×", "身份证号：〔身份证号〕"],
  ["a size with × stays", "面积3×4米，13812345678×2", "面积3×4米，〔手机号〕×2"],
  ["+86 with spaces", "来电+86 138 0013 8000。", "来电〔手机号〕。"],
  ["mobile dialled with a trunk 0", "电话：013812345678", "电话：〔手机号〕"],
  ["mobile with a trunk 0 in groups", "0138-1234-5678转", "〔手机号〕转"],
  ["12 digits starting 0 that are no mobile", "编号012812345678", "编号012812345678"],
  ["0086 with dashes", "0086-138-0013-8000", "〔手机号〕"],
  ["+86 and an area code in brackets", "电话+86 (571) 8888 6666称", "电话〔固话〕称"],
  ["+86 and the trunk 0 in brackets", "报警人电话+86 (0)571 8888 6666称", "报警人电话〔固话〕称"],
  ["+86 and a full-width bracketed trunk 0", "电话+86（0）10-6552 8888", "电话〔固话〕"],
  ["0086 and a two-digit area code in brackets", "0086 (10) 6552 8888", "〔固话〕"],
  ["86 and a bracketed class number stay", "他86(3)班，价格86（2）元", "他86(3)班，价格86（2）元"],
  ["a bracketed number after +86 that spells no phone stays", "房号+86 (12) 3", "房号+86 (12) 3"],
  ["landline with dash", "座机010-62345678", "座机〔固话〕"],
  ["landline in brackets", "电话（0755）88886666", "电话〔固话〕"],
  ["landline without dash", "075588886666", "〔固话〕"],
  ["local number after 电话", "联系电话：87654321", "联系电话：〔固话〕"],
  ["400 number", "客服400-800-1234", "客服〔固话〕"],
  ["bank card in groups of four", "卡号6222 0212 3456 7890 128", `卡号${maskIfCard("6222021234567890128")}`],
  ["new-energy plate, small car", "粤B·D12345撞车", "〔车牌号〕撞车"],
  ["new-energy plate, big car", "苏E12345F", "〔车牌号〕"],
  ["police plate", "京A1234警", "〔车牌号〕"],
  ["lower-case plate", "京a12345", "〔车牌号〕"],
  ["plate with a full-width space", "车牌浙A\u300012345，", "车牌〔车牌号〕，"],
  ["plate with a full-width full stop", "浙A．12345", "〔车牌号〕"],
  ["plate with a half-width katakana middle dot", "浙A･12345", "〔车牌号〕"],
  ["plate with a hyphenation point", "浙A‧12345", "〔车牌号〕"],
  ["amount that starts like a phone", "借款13800元", "借款13800元"],
  ["12 digits starting 138", "单号138001380001", "单号138001380001"],
  ["date and time", "2024-05-01 20:30:15报警", "2024-05-01 20:30:15报警"],
  ["compact date after 电话", "电话20240501打来", "电话20240501打来"],
  ["house number then year", "15-3-1201 2024年", "15-3-1201 2024年"],
  ["8-digit number without a phone word", "房款87654321元", "房款87654321元"],
  ["plate with too few characters", "京A1234", "京A1234"],
  ["province word followed by letters", "新ABCDE", "新ABCDE"],
  ["invalid check digit", "110105194912310021", "110105194912310021"],
  ["an ID announced but mistyped: a digit left out", "身份证33010619900101123，", "身份证〔身份证号〕，"],
  [
    "an ID announced, with a wrong check character",
    "身份证号码是 110105194912310021",
    "身份证号码是 〔身份证号〕",
  ],
  ["an ID announced, in groups", "证件号：110105 19491231 002", "证件号：〔身份证号〕"],
  ["digits of an ID announced but too few stay", "身份证后四位1234", "身份证后四位1234"],
  [
    "an ID announced in brackets, mistyped",
    "包内有身份证（33010619900101123）",
    "包内有身份证（〔身份证号〕）",
  ],
  ["impossible birth date", "110105194902300026", "110105194902300026"],
  ["Luhn-invalid 16 digits", "6222021234567891", "6222021234567891"],
])("%s: %s", (_, input, expected) => {
  expect(maskText(input)).toBe(expected);
});

/** Test helper: the card tag if the number is Luhn-valid, so the table states its premise. */
function maskIfCard(card: string): string {
  if (!isBankCard(card)) throw new Error(`test premise: ${card} must be a valid card`);
  return MASK_TAGS.bank_card;
}

test("the GB 11643 check character matches the standard's example", () => {
  expect(residentIdCheckChar("11010519491231002")).toBe("X");
  expect(isResidentId18("11010519491231002X")).toBe(true);
  expect(isResidentId18("110105194912310021")).toBe(false);
});

test("a text without identifiers comes back as the very same string", () => {
  const text = "报警人称在3栋2单元501室门口与邻居发生纠纷，2024-05-01 20:30到场调解。";
  expect(maskText(text)).toBe(text);
});

test("an issue value is masked before it is shortened, so no half identifier is left", () => {
  const long = `${"说明".repeat(35)}11010519491231002X`; // cut at 80 characters: 10 digits would show
  expect(maskedIssueValue(long)).not.toMatch(/\d{6,}/);
  expect(maskedIssueValue({ phone: "13800138000" })).toBe('{"phone":"〔手机号〕"}');
});

describe("remaskedIssueValue: a quote stored unmasked by an older import", () => {
  /** A quote as an older import stored it: the value cut at 80 characters, ending in `tail`. */
  const cut = (tail: string) => `${"说明".repeat(40).slice(0, 80 - tail.length)}${tail}…`;
  const head = (tail: string) => cut(tail).slice(0, 80 - tail.length);
  test.each([
    ["a quote cut inside an ID", "1101051949", ""],
    ["a quote cut inside a mobile written in groups", "手机 138 0013 8", "手机"],
    ["a quote cut inside full-width digits", "１３８１２３４５６７", ""],
    ["a whole number, then a cut one", "13812345678 13912", "〔手机号〕"],
    ["a cut quote ending in one digit", "再说明1", "再说明1"],
  ])("%s", (_, tail, shownTail) => {
    expect(cut(tail)).toHaveLength(81);
    const shown = remaskedIssueValue(cut(tail));
    expect(shown).toBe(`${head(tail)}${shownTail}…`);
    // Idempotent: a second rekey, or showing a rekeyed quote, changes nothing.
    expect(remaskedIssueValue(shown)).toBe(shown);
  });

  test.each([
    ["来电13812345678", "来电〔手机号〕"],
    ["2024-13-45 08:00", "2024-13-45 08:00"],
    ["东经120.21,北纬30.21", "东经120.21,北纬30.21"],
  ])("a quote that was not cut is masked as an import masks it: %s", (stored, shown) => {
    expect(remaskedIssueValue(stored)).toBe(shown);
  });

  test("whatever an older import cut, no two digits are left before the ellipsis, and twice is once", () => {
    const unit = fc.constantFrom("说", "明", "1", "3", "8", "5", " ", "-", "Ｘ");
    fc.assert(
      fc.property(fc.string({ unit, minLength: 81, maxLength: 120 }), (text) => {
        const stored = `${text.slice(0, 80)}…`;
        const once = remaskedIssueValue(stored);
        expect(once).not.toMatch(/[0-9][\s-]*[0-9][\s-]*…$/);
        expect(remaskedIssueValue(once)).toBe(once);
      }),
    );
  });
});

test("thousands of glued identifiers on one line neither overflow the stack nor survive", () => {
  const line = "110105194912310038".repeat(20_000);
  expect(maskText(line)).toBe(MASK_TAGS.resident_id.repeat(20_000));
  const digits = "7".repeat(1_000_000);
  expect(maskText(digits)).toBe(digits);
});

test("masking a block of lines hides everything that masking each line hides", () => {
  const lines = fc.array(
    fc.tuple(filler, fc.oneof(mobileSpelled, landlineSpelled, ordinaryNumber, residentId18Spelled), filler),
    { minLength: 1, maxLength: 6 },
  );
  fc.assert(
    fc.property(lines, fc.constantFrom("\n", "\r\n"), (parts, newline) => {
      const texts = parts.map(([a, x, b]) => a + x + b);
      const block = texts.join(newline);
      const spans = findIdentifiers(block);
      let offset = 0;
      for (const line of texts) {
        for (const span of findIdentifiers(line)) {
          const start = offset + span.start;
          const end = offset + span.end;
          expect(spans.some((s) => s.start <= start && end <= s.end)).toBe(true);
        }
        offset += line.length + newline.length;
      }
      expect(findIdentifiers(maskText(block))).toEqual([]);
    }),
    { seed: SEED + 9, numRuns: RUNS },
  );
  expect(maskText("电话\n87654321")).toBe("电话\n87654321");
  expect(maskText("0735-2178591\n2178592")).toBe("〔固话〕\n2178592");
});

test.each([
  ["a mobile wrapped inside one cell", "报警人电话138\n1234 5678，称", "报警人电话〔手机号〕，称"],
  ["a mobile wrapped with CRLF", "电话1381234\r\n5678", "电话〔手机号〕"],
  ["an ID wrapped inside one cell", "身份证110105\n19491231002X", "身份证〔身份证号〕"],
  ["numbers on lines of their own stay", "3栋\n501室\n20240501\n3000元", "3栋\n501室\n20240501\n3000元"],
  ["a QQ number after its name", "报警人QQ：123456789，称被骗", "报警人QQ：〔QQ号〕，称被骗"],
  ["QQ号 with a space", "对方QQ号 2345678 已拉黑", "对方QQ号 〔QQ号〕 已拉黑"],
  ["a WeChat ID", "微信：zhang_san88，转账3000元", "微信：〔微信号〕，转账3000元"],
  ["a WeChat ID written after vx", "加vx: wxid_abc123def", "加vx: 〔微信号〕"],
  ["a WeChat account of digits", "微信号88776655", "微信号〔微信号〕"],
  ["WeChat made from a mobile: the mobile's tag", "微信13812345678", "微信〔手机号〕"],
  ["a QQ group is no person's", "QQ群123456789", "QQ群123456789"],
  ["a number too long for QQ stays", "QQ123456789012", "QQ123456789012"],
  ["a number with a leading 0 after QQ stays", "QQ 0123456", "QQ 0123456"],
  ["a bare 8-digit number stays", "订单号12345678，金额88776655元", "订单号12345678，金额88776655元"],
  ["轻微 is no WeChat", "轻微伤2人，3栋501", "轻微伤2人，3栋501"],
  [
    "a service name inside a word is none",
    "2600 N SWX ABCDEF1 RD, AQQ 1234567",
    "2600 N SWX ABCDEF1 RD, AQQ 1234567",
  ],
])("%s: %j", (_, input, expected) => {
  expect(maskText(input)).toBe(expected);
  expect(maskText(maskText(input))).toBe(maskText(input));
});

test.each([
  ["a WeChat ID after 威胁 and 轻微", "威胁后轻微伤，加微信zhang_san88", "威胁后轻微伤，加微信〔微信号〕"],
  [
    "a QQ number after a plate with a W and a Q",
    "浙MW2214、浙MQG694车主QQ 23456789",
    "〔车牌号〕、〔车牌号〕车主QQ 〔QQ号〕",
  ],
  ["扣留 then 扣扣", "车辆已扣留，扣扣号：34567890", "车辆已扣留，扣扣号：〔QQ号〕"],
  ["VIP and WiFi are no service", "VIP会员，WiFi密码abcdef123", "VIP会员，WiFi密码abcdef123"],
  ["WeChat spelled out", "WeChat: li_si_2024 weixin wx_abc1234", "WeChat: 〔微信号〕 weixin 〔微信号〕"],
])("accounts are looked for where a service's name starts: %s", (_, input, expected) => {
  expect(maskText(input)).toBe(expected);
});

test("the account scan finds what it finds when a service's name is forced into the text", () => {
  // " QQ" at the end names a service (with no account after it): the scan for accounts runs
  // whatever the text holds, so the spans must be those found when it ran only where a name starts.
  const alphabet = fc.constantFrom(..."微信威薇扣QqＱVvWwXxeChatin号码ID：: 12345678９0_-浙M轻留胁，");
  fc.assert(
    fc.property(
      fc.array(alphabet, { maxLength: 40 }).map((cs) => cs.join("")),
      (text) => {
        const forced = findIdentifiers(`${text} QQ`).filter((span) => span.start < text.length);
        expect(findIdentifiers(text)).toEqual(forced);
      },
    ),
    { seed: 13, numRuns: 3000 },
  );
});

describe("on arbitrary text made of digits, separators and plate characters", () => {
  const alphabet = fc.constantFrom(
    ..."0123456789０１２３４５６７８９ -.+()（）XxＸ京粤苏ADFa警学电话号元室单，。\n一三八零幺",
  );
  const messy = fc.oneof(
    fc.array(alphabet, { maxLength: 80 }).map((cs) => cs.join("")),
    fc
      .array(
        fc.oneof(
          alphabet.map((c) => c),
          mobileSpelled,
          residentId18,
          plateSpelled,
          bankCardSpelled,
        ),
        {
          maxLength: 12,
        },
      )
      .map((cs) => cs.join("")),
  );

  test("spans are in order, within the text and never overlap", () => {
    fc.assert(
      fc.property(messy, (text) => {
        let at = 0;
        for (const span of findIdentifiers(text)) {
          expect(span.start).toBeGreaterThanOrEqual(at);
          expect(span.end).toBeGreaterThan(span.start);
          expect(span.end).toBeLessThanOrEqual(text.length);
          at = span.end;
        }
      }),
      { seed: SEED + 10, numRuns: RUNS * 3 },
    );
  });

  test("masked text is stable and shows no identifier", () => {
    fc.assert(
      fc.property(messy, (text) => {
        const masked = maskText(text);
        expect(maskText(masked)).toBe(masked);
        expect(findIdentifiers(masked)).toEqual([]);
      }),
      { seed: SEED + 11, numRuns: RUNS * 3 },
    );
  });
});
