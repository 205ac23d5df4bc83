import fc from "fast-check";
import { residentIdCheckChar } from "./validators.ts";

/**
 * fast-check generators of identifiers (valid by construction) and of ordinary numbers that must
 * stay readable, in the spellings found in 110 narratives. Used by the masking tests, the
 * redact benchmark and the quality checks; nothing here is real data.
 */

const PROVINCES = [
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61,
  62, 63, 64, 65,
] as const;
const pad = (n: number, width: number) => String(n).padStart(width, "0");
const digitString = (min: number, max = min) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((d) => d.join(""));

const toFullWidth = (s: string, mask: readonly boolean[]) =>
  [...s]
    .map((c, i) =>
      mask[i % mask.length] && /\d/.test(c) ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c,
    )
    .join("");

/** A calendar date with its parts, 1930-2023 for births. */
const birthDate = fc
  .date({ min: new Date(Date.UTC(1930, 0, 1)), max: new Date(Date.UTC(2023, 11, 31)), noInvalidDate: true })
  .map((d) => ({ y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, day: d.getUTCDate() }));

/** Six-digit division code: a real province prefix and arbitrary city/county digits. */
const regionCode = fc
  .tuple(fc.constantFrom(...PROVINCES), fc.integer({ min: 1, max: 9999 }))
  .map(([p, rest]) => `${p}${pad(rest, 4)}`);

/** An 18-digit resident ID with a correct GB 11643 check character (X written upper or lower case). */
export const residentId18 = fc
  .tuple(regionCode, birthDate, digitString(3), fc.boolean())
  .map(([region, { y, m, day }, seq, lower]) => {
    const body = `${region}${y}${pad(m, 2)}${pad(day, 2)}${seq}`;
    const check = residentIdCheckChar(body);
    return body + (lower && check === "X" ? "x" : check);
  });

/**
 * An 18-digit ID as written in a narrative: whole, in 6-8-4 groups (space or dash), in full-width
 * digits, or with an X check character typed as × or set apart by a space.
 */
export const residentId18Spelled = fc
  .tuple(
    residentId18,
    fc.constantFrom("whole", "6-8-4 space", "6-8-4 dash", "full-width", "× for X", "X apart"),
  )
  .map(([id, style]) => {
    const x = /[Xx]$/.test(id);
    if (style === "full-width") return toFullWidth(id, [true]);
    if (style === "6-8-4 space" || style === "6-8-4 dash")
      return [id.slice(0, 6), id.slice(6, 14), id.slice(14)].join(style === "6-8-4 space" ? " " : "-");
    if (style === "× for X" && x) return `${id.slice(0, 17)}×`;
    if (style === "X apart" && x) return `${id.slice(0, 17)} ${id.slice(17)}`;
    return id;
  });

/** A 15-digit legacy ID: region and 19YYMMDD birth date, no check digit. */
export const residentId15 = fc
  .tuple(
    regionCode,
    birthDate.filter((d) => d.y < 2000),
    digitString(3),
  )
  .map(([region, { y, m, day }, seq]) => `${region}${pad(y % 100, 2)}${pad(m, 2)}${pad(day, 2)}${seq}`);

/** An 18-digit number shaped like an ID (region, date) whose check character is wrong. */
export const badChecksumId18 = fc
  .tuple(regionCode, birthDate, digitString(3), fc.integer({ min: 1, max: 10 }))
  .map(([region, { y, m, day }, seq, shift]) => {
    const body = `${region}${y}${pad(m, 2)}${pad(day, 2)}${seq}`;
    const right = "0123456789X".indexOf(residentIdCheckChar(body));
    const wrong = "0123456789X"[(right + shift) % 11]!;
    return body + wrong;
  })
  .filter((s) => !s.endsWith("X")); // an X would make it a non-number; keep the test about digits

/** A mainland mobile number, plain digits. */
export const mobileDigits = fc
  .tuple(fc.integer({ min: 3, max: 9 }), digitString(9))
  .map(([second, rest]) => `1${second}${rest}`);

/** Mixes full-width digits into a spelling: none, all, or some. */
const widthMix = fc.oneof(
  fc.constant([false]),
  fc.constant([true]),
  fc.array(fc.boolean(), { minLength: 1, maxLength: 11 }),
);

/** A mobile number in one of the spellings call-takers use: +86/0086, spaces, dashes, full-width digits. */
export const mobileSpelled = fc
  .tuple(
    mobileDigits,
    fc.constantFrom("", "+86", "+86 ", "+86-", "0086", "0086 ", "0086-", "＋86 ", "86"),
    fc.constantFrom(
      "plain",
      "3-4-4 space",
      "3-4-4 dash",
      "3-8 space",
      "3-4-4 fullwidth space",
      "3-4-4 spaced dash",
      "3-4-4 dot",
    ),
    widthMix,
  )
  .map(([digits, prefix, style, widths]) => {
    const a = digits.slice(0, 3);
    const b = digits.slice(3, 7);
    const c = digits.slice(7);
    const body =
      style === "plain"
        ? digits
        : style === "3-4-4 space"
          ? `${a} ${b} ${c}`
          : style === "3-4-4 dash"
            ? `${a}-${b}-${c}`
            : style === "3-8 space"
              ? `${a} ${b}${c}`
              : style === "3-4-4 fullwidth space"
                ? `${a}\u3000${b}\u3000${c}`
                : style === "3-4-4 dot"
                  ? `${a}.${b}.${c}`
                  : `${a} - ${b} - ${c}`;
    return toFullWidth(prefix + body, widths);
  });

/** A landline with area code (010, 02x, 0xxx) or a 400/800 number, written with or without a dash. */
export const landlineSpelled = fc.oneof(
  fc
    .tuple(
      fc.oneof(
        fc.constant("010"),
        fc.integer({ min: 0, max: 9 }).map((d) => `02${d}`),
        fc.tuple(fc.integer({ min: 3, max: 9 }), digitString(2)).map(([a, b]) => `0${a}${b}`),
      ),
      fc.integer({ min: 2, max: 9 }),
      fc.boolean(),
      fc.constantFrom("", "-", " ", "－"),
      widthMix,
    )
    .chain(([area, first, eight, sep, widths]) =>
      digitString(eight && area.length === 3 ? 7 : eight ? 7 : 6).map((rest) =>
        toFullWidth(`${area}${sep}${first}${rest}`, widths),
      ),
    ),
  fc
    .tuple(fc.constantFrom("400", "800"), digitString(7), fc.constantFrom("plain", "3-3-4", "3-4-3"))
    .map(([p, d, style]) =>
      style === "plain"
        ? p + d
        : style === "3-3-4"
          ? `${p}-${d.slice(0, 3)}-${d.slice(3)}`
          : `${p}-${d.slice(0, 4)}-${d.slice(4)}`,
    ),
);

function luhnCheckDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = body.charCodeAt(body.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/** A Luhn-valid card number (UnionPay 62, Visa 4, Mastercard 5), 16-19 digits, whole or in groups of four. */
export const bankCardSpelled = fc
  .tuple(
    fc.constantFrom("62", "4", "5", "60", "9558"),
    fc.integer({ min: 16, max: 19 }),
    fc.constantFrom("", " ", "-"),
    fc.boolean(),
  )
  .chain(([prefix, length, sep, fullWidth]) =>
    digitString(length - prefix.length - 1).map((middle) => {
      const body = prefix + middle;
      const card = body + luhnCheckDigit(body);
      const spelled = sep === "" ? card : (card.match(/.{1,4}/g) ?? []).join(sep);
      return fullWidth ? toFullWidth(spelled, [true]) : spelled;
    }),
  );

const PROVINCE_CHARS = [..."京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"];
const PLATE_LETTERS = [..."ABCDEFGHJKLMNPQRSTUVWXYZ"];
const plateChar = fc.constantFrom(...PLATE_LETTERS, ..."0123456789");
const digit = fc.constantFrom(..."0123456789");

/** A licence plate: ordinary (5 characters), new-energy (6 with D/F), or special (4 + 警/学/挂/领). */
export const plateSpelled = fc
  .tuple(
    fc.constantFrom(...PROVINCE_CHARS),
    fc.constantFrom(...PLATE_LETTERS),
    fc.constantFrom("", "·", " ", "-"),
    fc.oneof(
      fc
        .tuple(fc.array(plateChar, { minLength: 4, maxLength: 4 }), digit)
        .map(([chars, d]) => [...chars, d].join("")),
      fc
        .tuple(fc.constantFrom("D", "F"), plateChar, fc.array(digit, { minLength: 4, maxLength: 4 }))
        .map(([df, c, ds]) => df + c + ds.join("")),
      fc
        .tuple(fc.array(digit, { minLength: 5, maxLength: 5 }), fc.constantFrom("D", "F"))
        .map(([ds, df]) => ds.join("") + df),
      fc
        .tuple(fc.array(digit, { minLength: 4, maxLength: 4 }), fc.constantFrom(..."警学挂领"))
        .map(([ds, s]) => ds.join("") + s),
    ),
  )
  .map(([province, letter, sep, body]) => province + letter + sep + body);

/** Numbers that must stay readable: house and room numbers, dates and times, amounts, ages, counts. */
export const ordinaryNumber = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 101, max: 3208 }),
    )
    .chain(([b, u, r]) =>
      fc.constantFrom(`${b}栋${u}单元${r}室`, `${b}-${u}-${r}`, `${b}号楼${u}单元${r}`, `${b}幢${r}号`),
    ),
  fc
    .tuple(
      fc.integer({ min: 2000, max: 2030 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 28 }),
      fc.integer({ min: 0, max: 23 }),
      fc.integer({ min: 0, max: 59 }),
      fc.integer({ min: 0, max: 59 }),
    )
    .chain(([y, m, d, h, mi, s]) =>
      fc.constantFrom(
        `${y}-${pad(m, 2)}-${pad(d, 2)} ${pad(h, 2)}:${pad(mi, 2)}`,
        `${y}-${pad(m, 2)}-${pad(d, 2)} ${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}`,
        `${y}${pad(m, 2)}${pad(d, 2)}`,
        `${y}${pad(m, 2)}${pad(d, 2)}${pad(h, 2)}${pad(mi, 2)}${pad(s, 2)}`,
        `${y}年${m}月${d}日${h}时${mi}分`,
        `${y}/${m}/${d} ${h}:${pad(mi, 2)}`,
      ),
    ),
  fc
    .tuple(fc.integer({ min: 1, max: 9_999_999 }), fc.integer({ min: 1, max: 99 }))
    .chain(([n, f]) =>
      fc.constantFrom(`${n}元`, `${f}.${f % 10}万`, `${n}块`, `￥${n}`, `${n}.${pad(f, 2)}元`),
    ),
  fc
    .integer({ min: 1, max: 99 })
    .chain((n) => fc.constantFrom(`${n}岁`, `${n}人`, `${n}辆`, `${n}次`, `第${n}次`)),
);

/** A 12-digit work-order number as dispatch systems print them (date prefix and a sequence). */
export const workOrder12 = fc
  .tuple(
    fc.integer({ min: 2015, max: 2030 }),
    fc.integer({ min: 1, max: 12 }),
    fc.integer({ min: 1, max: 28 }),
    digitString(4),
  )
  .map(([y, m, d, seq]) => `${y}${pad(m, 2)}${pad(d, 2)}${seq}`);

/** Any run of 12-20 digits (the caller decides which of them must stay readable). */
export const digitRun = fc.integer({ min: 12, max: 20 }).chain((n) => digitString(n));

/** Chinese filler that surrounds numbers in a narrative (no digits, no plate-starting province characters). */
export const filler = fc.constantFrom(
  "",
  "报警人称",
  "，",
  "。",
  "在家中",
  "电话",
  "联系人",
  "称其",
  "手机",
  "身份证",
  "车牌",
  "卡号",
  "到场后",
  " ",
  "，经调解双方达成一致",
  "报警称有人打架",
  "楼上噪音扰民",
);
