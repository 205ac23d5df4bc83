import { CHINESE_NUMERAL_CHARS } from "../normalize.ts";

/** Character classes of the rule parser, tested by UTF-16 code unit (no string per character). */

/**
 * Membership of each character in the sets below, one bit per set, indexed by code unit (a
 * ctype-like table): a test is one array read. Tests go by code unit because `text[i]` makes a
 * new string for every Chinese character (V8 caches only one-byte ones), which a set of strings
 * must then hash; this runs for every character of every imported address.
 */
const CHAR_BITS = new Uint32Array(0x10000);
let charSets = 0;

/** A set of characters (each one UTF-16 code unit) tested by code unit. */
export class CharSet {
  private readonly bit: number;
  constructor(chars: string) {
    if (charSets === 32) throw new Error("CharSet: more than 32 character sets");
    this.bit = 1 << charSets++;
    for (const c of chars) CHAR_BITS[c.charCodeAt(0)] = (CHAR_BITS[c.charCodeAt(0)] as number) | this.bit;
  }
  /** True when `code` (a code unit, NaN past the end of a text) is in the set. */
  has(code: number): boolean {
    // NaN fails the bound test: reading a typed array at NaN takes V8's slow generic path.
    return code < 0x10000 && ((CHAR_BITS[code] as number) & this.bit) !== 0;
  }
  /** True when the character at `i` of `text` is in the set (false past either end). */
  hasAt(text: string, i: number): boolean {
    return inText(text, i) && this.has(text.charCodeAt(i));
  }
}

/**
 * True when `i` indexes a character of `text`. Tests check it before charCodeAt: an optimised
 * charCodeAt past the end deoptimises its function (V8 "out of bounds"), and the parser's big
 * functions then take longer to warm up.
 */
function inText(text: string, i: number): boolean {
  return i >= 0 && i < text.length;
}

/**
 * The first characters of the words of a `^(word|word|…)` regex of plain words, to skip the
 * regex where none can start (derived from the regex, so the two never disagree).
 */
export function firstCharsOf(words: RegExp): CharSet {
  const list = /^\^\((.+)\)$/.exec(words.source)?.[1]?.split("|");
  if (!list || list.some((w) => /[\\[\](){}.*+?^$]/.test(w)))
    throw new Error(`not a list of plain words: ${words}`);
  return new CharSet(list.map((w) => w[0]).join(""));
}

// Character classes by code unit (false past either end of the text).

/** ASCII or full-width digit at `i`. */
export function digitAt(text: string, i: number): boolean {
  if (!inText(text, i)) return false;
  const x = text.charCodeAt(i);
  return (x >= 48 && x <= 57) || (x >= 0xff10 && x <= 0xff19);
}
/** ASCII or full-width Latin letter at `i`. */
export function latinAt(text: string, i: number): boolean {
  if (!inText(text, i)) return false;
  const x = text.charCodeAt(i);
  return (
    (x >= 65 && x <= 90) ||
    (x >= 97 && x <= 122) ||
    (x >= 0xff21 && x <= 0xff3a) ||
    (x >= 0xff41 && x <= 0xff5a)
  );
}
/** Han character (CJK extension A and the unified block) at `i`. */
export function hanAt(text: string, i: number): boolean {
  if (!inText(text, i)) return false;
  const x = text.charCodeAt(i);
  return x >= 0x3400 && x <= 0x9fff;
}
const NUMERALS = new CharSet(CHINESE_NUMERAL_CHARS);
/** Chinese numeral character (一, 十, 百, 两…) at `i`. */
export function numeralAt(text: string, i: number): boolean {
  return NUMERALS.hasAt(text, i);
}

/** The four compass sides. */
export const COMPASS = new CharSet("东西南北");
/** Dashes and tildes between numbers (3-2-501), ASCII and full-width. */
export const DASHES = new CharSet("-－—~～");
/** Last characters of road names. */
export const ROAD_END_CHARS = new CharSet("路街道巷弄");
