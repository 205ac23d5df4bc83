/**
 * Text normalisation for addresses: full-width forms, Chinese numerals, unit words and
 * filler words. The parser works on the original text (entities must cover the input); these
 * functions normalise entity texts when keys are built.
 */

/** Full-width ASCII (Ａ１－) → half-width, ideographic space → space. Length-preserving. */
export function toHalfWidth(text: string): string {
  // Most texts have no full-width form: they are returned as they are, not copied character by
  // character (keys normalise several names of every address).
  let i = 0;
  while (i < text.length && !fullWidthCode(text.charCodeAt(i))) i++;
  if (i === text.length) return text;
  let out = text.slice(0, i);
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xff01 && c <= 0xff5e) out += String.fromCharCode(c - 0xfee0);
    else if (c === 0x3000) out += " ";
    else out += text[i];
  }
  return out;
}

/** A full-width ASCII form or the ideographic space: what toHalfWidth changes. */
function fullWidthCode(c: number): boolean {
  return (c >= 0xff01 && c <= 0xff5e) || c === 0x3000;
}

const DIGIT: Readonly<Record<string, number>> = {
  零: 0,
  〇: 0,
  一: 1,
  壹: 1,
  二: 2,
  贰: 2,
  两: 2,
  三: 3,
  叁: 3,
  四: 4,
  肆: 4,
  五: 5,
  伍: 5,
  六: 6,
  陆: 6,
  七: 7,
  柒: 7,
  八: 8,
  捌: 8,
  九: 9,
  玖: 9,
};
const UNIT: Readonly<Record<string, number>> = { 十: 10, 拾: 10, 百: 100, 佰: 100, 千: 1000, 仟: 1000 };

/** DIGIT and UNIT by code unit: read by code unit, a numeral makes no one-character strings. */
const DIGIT_BY_CODE: ReadonlyMap<number, number> = new Map(
  Object.entries(DIGIT).map(([c, v]) => [c.charCodeAt(0), v]),
);
const UNIT_BY_CODE: ReadonlyMap<number, number> = new Map(
  Object.entries(UNIT).map(([c, v]) => [c.charCodeAt(0), v]),
);

/** Characters that may form a Chinese numeral. */
export const CHINESE_NUMERAL_CHARS = "零〇一壹二贰两三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟";

/**
 * Value of a Chinese numeral: 三 → 3, 十二 → 12, 二十 → 20, 一百零五 → 105, and digit-by-digit
 * forms 五零一 → 501. null when the text is not a numeral.
 * @example chineseNumeral("十二") // 12
 */
export function chineseNumeral(text: string): number | null {
  if (text.length === 0) return null;
  let hasUnit = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (UNIT_BY_CODE.has(c)) hasUnit = true;
    else if (!DIGIT_BY_CODE.has(c)) return null;
  }
  if (!hasUnit) {
    let v = 0;
    for (let i = 0; i < text.length; i++) v = v * 10 + (DIGIT_BY_CODE.get(text.charCodeAt(i)) as number);
    return v;
  }
  let total = 0;
  let digit = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const d = DIGIT_BY_CODE.get(c);
    if (d !== undefined) digit = d;
    else {
      const u = UNIT_BY_CODE.get(c) as number;
      total += (digit === 0 && u === 10 ? 1 : digit) * u;
      digit = 0;
    }
  }
  return total + digit;
}

/**
 * Replaces every maximal run of Chinese numerals with its Arabic value (a scan by code unit: a
 * global replace with a callback cost ~250 ns a name, and road names such as 文三路 take it).
 * @example arabise("三号楼二单元") // "3号楼2单元"
 */
export function arabise(text: string): string {
  let out = "";
  let copied = 0; // text before this index is in `out`
  for (let i = 0; i < text.length; i++) {
    if (NUMERAL_CODES[text.charCodeAt(i)] !== 1) continue;
    let end = i + 1;
    while (end < text.length && NUMERAL_CODES[text.charCodeAt(end)] === 1) end++;
    const run = text.slice(i, end);
    const v = chineseNumeral(run);
    out += text.slice(copied, i) + (v === null ? run : String(v));
    copied = end;
    i = end - 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** Filler words that say where near a place the caller was; they never change the place. */
export const FILLER_WORDS = [
  "门口",
  "附近",
  "对面",
  "旁边",
  "隔壁",
  "楼下",
  "楼上",
  "路口",
  "里面",
  "后面",
  "前面",
  "周边",
  "一带",
  "处",
  "旁",
  "边",
] as const;

/**
 * 1 at the code unit of each numeral: isPlain reads it for every Han character of every key (by
 * code unit, since `text[i]` would make a new string per Chinese character).
 */
const NUMERAL_CODES = new Uint8Array(0x10000);
for (const c of CHINESE_NUMERAL_CHARS) NUMERAL_CODES[c.charCodeAt(0)] = 1;

/**
 * True when text is already canonical: Han characters other than numerals, upper-case Latin,
 * digits not starting with 0 (a loop over code units: keys are built for every imported row).
 */
function isPlain(text: string): boolean {
  let prevDigit = false;
  for (let i = 0; i < text.length; i++) {
    const x = text.charCodeAt(i);
    if (x >= 48 && x <= 57) {
      if (x === 48 && !prevDigit) return false;
      prevDigit = true;
      continue;
    }
    prevDigit = false;
    if (x >= 65 && x <= 90) continue;
    if ((x >= 0x3400 && x <= 0x4dbf) || (x >= 0x4e00 && x <= 0x9fff)) {
      if (NUMERAL_CODES[x] === 1) return false;
      continue;
    }
    return false;
  }
  return true;
}

/**
 * The canonical form of a place-name for a key: half-width, upper-case Latin, no spaces or
 * punctuation, Chinese numerals to digits, leading zeros dropped.
 * @example canonicalText("阳光小区　三期") // "阳光小区3期"
 */
export function canonicalText(text: string): string {
  if (isPlain(text)) return text;
  let out = arabise(toHalfWidth(text));
  // The steps below are skipped where they would change nothing (they cost ~150 ns a name).
  if (!digitsCapitalsHan(out)) out = out.toUpperCase().replace(/[\s\p{P}\p{S}]+/gu, "");
  return out.includes("0") ? out.replace(/(^|\D)0+(\d)/g, "$1$2") : out;
}

/** True when text holds only ASCII digits, capitals and Han characters: no case, no punctuation. */
function digitsCapitalsHan(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const x = text.charCodeAt(i);
    if ((x >= 48 && x <= 57) || (x >= 65 && x <= 90)) continue;
    if ((x >= 0x3400 && x <= 0x4dbf) || (x >= 0x4e00 && x <= 0x9fff)) continue;
    return false;
  }
  return true;
}

/**
 * The number of a building/unit/floor/room component without its unit words: "3栋" → "3",
 * "三号楼" → "3", "3栋楼" → "3", "Ｃ座" → "C", "501室" → "501", "二单元" → "2". null when nothing
 * numeric is left.
 */
export function componentNumber(text: string): string | null {
  let t = canonicalText(text);
  // Each replace below runs only where its words can match (the first or last character tells):
  // keys read three to six numbers of every address.
  if (t.charCodeAt(0) === 0x7b2c) t = t.slice(1); // 第
  if (UNIT_WORD_LAST[t.charCodeAt(t.length - 1)] === 1) t = t.replace(UNIT_WORD, "");
  // Unit words may be doubled (3栋楼, as in 3栋楼下): strip the Chinese ones again while something
  // is left (not F: F栋 is building F).
  while (HAN_UNIT_WORD_LAST[t.charCodeAt(t.length - 1)] === 1) {
    const next = t.replace(HAN_UNIT_WORD, "");
    if (next === t || next.length === 0) break;
    t = next;
  }
  const first = t.charCodeAt(0);
  if (first === 0x23 || (first === 0x4e && t.charCodeAt(1) === 0x4f)) t = t.replace(/^(NO|#)/, ""); // # or NO
  // 5O1: the letter O typed for a zero between digits (rules/numbers.ts reads it as one number).
  if (t.includes("O")) t = t.replace(/(?<=[0-9])O{1,2}(?=[0-9])/g, (o) => "0".repeat(o.length));
  return t.length > 0 ? t : null;
}

const UNIT_WORDS =
  "号楼|号院|号门|号搂|号喽|号房|层楼|单元|房间|栋|幢|座|懂|憧|撞|楼|门|单|号|室|房|户|层|F|弄|区|期";
const HAN_UNIT_WORDS = "号楼|号院|号门|号房|层楼|单元|房间|栋|幢|座|楼|门|单|号|室|房|户|层";
const UNIT_WORD = new RegExp(`(${UNIT_WORDS})$`, "u");
const HAN_UNIT_WORD = new RegExp(`(${HAN_UNIT_WORDS})$`, "u");

/** 1 at the code unit that ends one of the words: a text ending otherwise has none to strip. */
function lastCodes(words: string): Uint8Array {
  const codes = new Uint8Array(0x10000);
  for (const w of words.split("|")) codes[w.charCodeAt(w.length - 1)] = 1;
  return codes;
}
const UNIT_WORD_LAST = lastCodes(UNIT_WORDS);
const HAN_UNIT_WORD_LAST = lastCodes(HAN_UNIT_WORDS);
