/**
 * Text normalisation for addresses: full-width forms, Chinese numerals, unit words and
 * filler words. The parser works on the original text (entities must cover the input); these
 * functions normalise entity texts when keys are built.
 */

/** Full-width ASCII (Ａ１－) → half-width, ideographic space → space. Length-preserving. */
export function toHalfWidth(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xff01 && c <= 0xff5e) out += String.fromCharCode(c - 0xfee0);
    else if (c === 0x3000) out += " ";
    else out += text[i];
  }
  return out;
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
  for (const ch of text) {
    if (UNIT[ch] !== undefined) hasUnit = true;
    else if (DIGIT[ch] === undefined) return null;
  }
  if (!hasUnit) {
    let v = 0;
    for (const ch of text) v = v * 10 + (DIGIT[ch] as number);
    return v;
  }
  let total = 0;
  let digit = 0;
  for (const ch of text) {
    const d = DIGIT[ch];
    if (d !== undefined) digit = d;
    else {
      const u = UNIT[ch] as number;
      total += (digit === 0 && u === 10 ? 1 : digit) * u;
      digit = 0;
    }
  }
  return total + digit;
}

/** Replaces every maximal run of Chinese numerals with its Arabic value. */
export function arabise(text: string): string {
  return text.replace(/[零〇一壹二贰两三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟]+/g, (run) => {
    const v = chineseNumeral(run);
    return v === null ? run : String(v);
  });
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
  return arabise(toHalfWidth(text))
    .toUpperCase()
    .replace(/[\s\p{P}\p{S}]+/gu, "")
    .replace(/(^|\D)0+(\d)/g, "$1$2");
}

/**
 * The number of a building/unit/floor/room component without its unit word: "3栋" → "3",
 * "三号楼" → "3", "Ｃ座" → "C", "501室" → "501", "二单元" → "2". null when nothing numeric is left.
 */
export function componentNumber(text: string): string | null {
  const t = canonicalText(text)
    .replace(/^第/, "")
    .replace(
      /(号楼|号院|号门|号搂|号喽|单元|房间|栋|幢|座|懂|憧|撞|楼|门|单|号|室|房|户|层|F|弄|区|期)$/u,
      "",
    )
    .replace(/^(NO|#)/, "");
  return t.length > 0 ? t : null;
}
