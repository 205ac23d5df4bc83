import { ISSUE_VALUE_MAX_LENGTH, issueValue } from "../../domain/index.ts";
import {
  areaCodeLength,
  isBankCard,
  isLandline,
  isLocalNumber,
  isMobile,
  isResidentId15,
  isResidentId18,
} from "./validators.ts";

/**
 * Masking of personal identifiers in free text (narratives, feedback). A single hand-written
 * scanner instead of a stack of regular expressions: it runs on the import hot path, once per
 * row, and most narratives hold only a date, a time and a house number.
 */

/**
 * What an identifier was; `resident_id` covers 18-digit and 15-digit IDs, `landline` also 400/800
 * numbers, `qq` and `wechat` the accounts written after their name (QQ 12345678, 微信：zhang_san88).
 */
export const IDENTIFIER_KINDS = [
  "resident_id",
  "mobile",
  "landline",
  "bank_card",
  "plate",
  "qq",
  "wechat",
] as const;
export type IdentifierKind = (typeof IDENTIFIER_KINDS)[number];

/** One identifier found in a text: UTF-16 offsets [start, end) into the original string. */
export interface IdentifierSpan {
  readonly kind: IdentifierKind;
  readonly start: number;
  readonly end: number;
}

/** The tag that replaces each kind of identifier; tags hold no digits, so masking twice changes nothing. */
export const MASK_TAGS: Readonly<Record<IdentifierKind, string>> = {
  resident_id: "〔身份证号〕",
  mobile: "〔手机号〕",
  landline: "〔固话〕",
  bank_card: "〔银行卡号〕",
  plate: "〔车牌号〕",
  qq: "〔QQ号〕",
  wechat: "〔微信号〕",
};

/**
 * A QQ or WeChat account, written after the name of its service: QQ numbers have 5 to 11 digits
 * (no leading 0); a WeChat ID 6 to 20 letters, digits, - and _ from a letter, or the digits of the
 * QQ number or phone it was made from. Only after the name: a bare 8-digit number is no account
 * (an order, an amount), and a QQ group (QQ群) is no person's; a name inside a word (SWX, AQQ)
 * is none.
 */
const ACCOUNT =
  /(?<![A-Za-z])(?:(QQ|qq|Qq|ＱＱ|扣扣)|(微信|威信|薇信|VX|vx|Vx|WX|wx|V信|v信|weixin|WeChat|wechat))(?:号码|号|账号|帐号|ID|id)?[\s:：]{0,3}(?:([1-9１-９][0-9０-９]{4,10})|([A-Za-z][-_A-Za-z0-9]{5,19}|[0-9０-９]{5,11}))(?![-_A-Za-z0-9０-９])/g;
/**
 * Adds the QQ and WeChat accounts of `text` that no other identifier covers, in order (called
 * only when the scan met a character a service's name begins with: most texts have none).
 */
function addAccounts(text: string, out: IdentifierSpan[]): void {
  const found: IdentifierSpan[] = [];
  for (const m of text.matchAll(ACCOUNT)) {
    const qq = m[1] !== undefined;
    // After QQ only its number; after WeChat an ID or digits.
    const account = qq ? m[3] : (m[3] ?? m[4]);
    if (account === undefined) continue;
    const end = (m.index ?? 0) + m[0].length;
    const start = end - account.length;
    if (!out.some((span) => span.start < end && start < span.end))
      found.push({ kind: qq ? "qq" : "wechat", start, end });
  }
  if (found.length === 0) return;
  out.push(...found);
  out.sort((a, b) => a.start - b.start);
}

// Character classes, looked up once per character.
const DIGIT = 1;
const FW_DIGIT = 2; // full-width ０-９, and Chinese numerals 零〇一幺二三四五六七八九 (一三八零零一三八零零零)
const SEP = 3; // may stand between the digit groups of one number
const PROVINCE = 4; // first character of a licence plate
const PLUS = 5;
const X = 6; // check character of an 18-digit ID: X, x, full-width, or the multiplication sign ×
const LETTER = 7;
const ACCOUNT_CJK = 8; // first character of 微信, 威信, 薇信, 扣扣: a QQ or WeChat account may follow

const CLASS = new Uint8Array(65536);
for (let c = 48; c <= 57; c++) CLASS[c] = DIGIT;
/** Value of every character that stands for a digit, -1 for the rest. */
const DIGIT_VALUE = new Int8Array(65536).fill(-1);
for (let c = 48; c <= 57; c++) DIGIT_VALUE[c] = c - 48;
for (let c = 0xff10; c <= 0xff19; c++) {
  CLASS[c] = FW_DIGIT;
  DIGIT_VALUE[c] = c - 0xff10;
}
for (const [chars, value] of [
  ["零〇", 0],
  ["一幺", 1],
  ["二", 2],
  ["三", 3],
  ["四", 4],
  ["五", 5],
  ["六", 6],
  ["七", 7],
  ["八", 8],
  ["九", 9],
] as const)
  for (const ch of chars) {
    CLASS[ch.charCodeAt(0)] = FW_DIGIT;
    DIGIT_VALUE[ch.charCodeAt(0)] = value;
  }
for (const s of [" ", "\t", "\u3000", "\u00a0", "-", "－", "‐", "‑", "–", "—", ")", "）", ".", "．"])
  CLASS[s.charCodeAt(0)] = SEP;
// A cell's text may wrap in the middle of a number (电话138\n1234 5678); redact reads line by line.
CLASS[10] = SEP;
CLASS[13] = SEP;
for (const s of "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼")
  CLASS[s.charCodeAt(0)] = PROVINCE;
CLASS["+".charCodeAt(0)] = PLUS;
CLASS["＋".charCodeAt(0)] = PLUS;
for (let c = 65; c <= 90; c++) CLASS[c] = LETTER;
for (let c = 97; c <= 122; c++) CLASS[c] = LETTER;
for (let c = 0xff21; c <= 0xff3a; c++) CLASS[c] = LETTER;
for (let c = 0xff41; c <= 0xff5a; c++) CLASS[c] = LETTER;
// × (U+00D7) is what an input method offers for "x" and is typed for the check character (…002×).
for (const s of "XxＸｘ×") CLASS[s.charCodeAt(0)] = X;
for (const s of "微威薇扣") CLASS[s.charCodeAt(0)] = ACCOUNT_CJK;
/** Letters that may begin the name of a service before an account: QQ, VX, WX, WeChat, weixin. */
const ACCOUNT_LATIN = new Set([..."QqＱｑVvWw"].map((s) => s.charCodeAt(0)));
/**
 * The names of ACCOUNT's services by their first character: the scan looks for accounts only
 * where one of them starts, not after every 微 (轻微), 扣 (扣留), 威 (威胁) or W of a plate.
 */
const SERVICE_NAMES = new Map<number, readonly string[]>();
for (const name of [
  "QQ",
  "qq",
  "Qq",
  "ＱＱ",
  "扣扣",
  "微信",
  "威信",
  "薇信",
  "VX",
  "vx",
  "Vx",
  "WX",
  "wx",
  "V信",
  "v信",
  "weixin",
  "WeChat",
  "wechat",
]) {
  const first = name.charCodeAt(0);
  SERVICE_NAMES.set(first, [...(SERVICE_NAMES.get(first) ?? []), name]);
}

/** Whether the name of a QQ or WeChat service starts at `i` (see SERVICE_NAMES). */
function serviceNameAt(text: string, i: number): boolean {
  const names = SERVICE_NAMES.get(text.charCodeAt(i));
  if (names === undefined) return false;
  for (const name of names) if (text.startsWith(name, i)) return true;
  return false;
}

/** Separators allowed inside a licence plate (京A·12345, 京A 12345, 京A-12345), also as full-width input writes them (京A．12345, 京A　12345). */
const PLATE_SEP = new Set([..."·•・･‧.． \u3000\u00a0-－"].map((s) => s.charCodeAt(0)));
/** Last character of special plates: police, driving school, trailer, consulate, HK/Macao, test, oversize. */
const PLATE_SUFFIX = new Set([..."警学挂领港澳试超"].map((s) => s.charCodeAt(0)));
/** Characters after a number that make it an amount or a count, not a phone number (电话费2000000元). */
const UNIT_AFTER = new Set(
  [...".．元块万千百亿岁人次米个件号室栋楼单层台辆分秒年月日时%"].map((s) => s.charCodeAt(0)),
);
/** Words that announce a phone number; a bare 7-8 digit local number is masked only after one of them. */
const PHONE_CONTEXT = /(电话|座机|固话|手机|联系方式|号码|热线|tel|phone)[ \t\u3000:：是为（(]{0,3}$/i;

const MAX_GROUPS = 32;
/** A number spelled across more groups than this (138 0013 8000 is three) is not one identifier. */
const MAX_GROUPS_PER_ID = 8;
const MAX_SEPARATORS = 3;

// Scratch buffers for the groups of the current digit run (reused: no allocation per run).
const groupStart = new Int32Array(MAX_GROUPS);
const groupEnd = new Int32Array(MAX_GROUPS);

function isDigitClass(k: number): boolean {
  return k === DIGIT || k === FW_DIGIT;
}

/** ASCII form of text[from, to): full-width digits and Chinese numerals folded, X/x/Ｘ/ｘ/× to X. */
function digitsOf(text: string, from: number, to: number): string {
  let plain = true;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c > 127 || c === 120) {
      plain = false; // full-width or Chinese digits, or a lower-case x check character
      break;
    }
  }
  if (plain) return text.slice(from, to);
  let out = "";
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    const k = CLASS[c];
    out += k === FW_DIGIT ? String.fromCharCode(DIGIT_VALUE[c]! + 48) : k === X ? "X" : text[i];
  }
  return out;
}

/** Plate body character: ASCII or full-width letter or digit, upper-cased; 0 when it is none. */
function plateChar(c: number): number {
  const k = CLASS[c];
  if (k === DIGIT) return c;
  if (k === FW_DIGIT) return c >= 0xff10 ? c - 0xff10 + 48 : 0; // no Chinese numerals in plates
  if (k === LETTER || (k === X && c !== 0xd7)) {
    if (c >= 0xff41) return c - 0xff41 + 65;
    if (c >= 0xff21) return c - 0xff21 + 65;
    return c >= 97 ? c - 32 : c;
  }
  return 0;
}

function isAsciiDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

const plateBody = new Int32Array(8);

/**
 * End of a licence plate starting with the province character at `i`, or -1. Plates (GA 36):
 * province + issuing-office letter + 5 characters; new-energy + 6 (D/F first or last);
 * special plates + 4 characters and 警/学/挂/领/港/澳/试/超. The body needs at least one digit so
 * that province + English word is not a plate.
 */
function plateEnd(text: string, i: number): number {
  const n = text.length;
  let p = i + 1;
  if (p < n && PLATE_SEP.has(text.charCodeAt(p))) p++;
  if (p >= n) return -1;
  const letter = plateChar(text.charCodeAt(p));
  if (letter === 0 || isAsciiDigitCode(letter)) return -1;
  p++;
  if (p < n && PLATE_SEP.has(text.charCodeAt(p))) p++;
  let k = 0;
  while (p + k < n && k < 7) {
    const c = plateChar(text.charCodeAt(p + k));
    if (c === 0) break;
    plateBody[k] = c;
    k++;
  }
  // k === 7: more characters follow. A plate glued to a number (京A1234513800138000) still ends
  // after its 5 or 6 characters when what follows is a digit.
  const newEnergy = k >= 6 && isNewEnergyBody(plateBody) && (k === 6 || isAsciiDigitCode(plateBody[6]!));
  if (newEnergy) return p + 6;
  if (k >= 5 && hasDigit(plateBody, 5) && (k === 5 || isAsciiDigitCode(plateBody[5]!))) {
    const end = p + 5;
    return k === 5 && end < n && PLATE_SUFFIX.has(text.charCodeAt(end)) ? end + 1 : end;
  }
  const end = p + k;
  if (k === 4 && hasDigit(plateBody, 4) && end < n && PLATE_SUFFIX.has(text.charCodeAt(end))) return end + 1;
  return -1;
}

/** New-energy body (GA 36-2018): D/F + letter or digit + 4 digits (small car), or 5 digits + D/F (large car). */
function isNewEnergyBody(body: Int32Array): boolean {
  const first = body[0]!;
  const last = body[5]!;
  return (
    ((first === 68 || first === 70) && allDigits(body, 2, 6)) ||
    ((last === 68 || last === 70) && allDigits(body, 0, 5))
  );
}

/** The body needs a digit, so that province + English word (新ABCDE) is not a plate. */
function hasDigit(body: Int32Array, count: number): boolean {
  for (let i = 0; i < count; i++) if (isAsciiDigitCode(body[i]!)) return true;
  return false;
}

function allDigits(body: Int32Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isAsciiDigitCode(body[i]!)) return false;
  return true;
}

/** Card numbers are written whole or in groups of four (Amex/Diners 4-6-5 and 4-6-4). */
function cardGrouping(first: number, last: number): boolean {
  if (first === last) return true;
  const len = (g: number) => groupEnd[g]! - groupStart[g]!;
  if (last - first === 2 && len(first) === 4 && len(first + 1) === 6) {
    const tail = len(last);
    return tail === 5 || tail === 4;
  }
  for (let g = first; g < last; g++) if (len(g) !== 4) return false;
  return true;
}

/** Kind of identifier that the digits `d` (groups first..last of the run) are, or undefined. */
function classify(
  text: string,
  d: string,
  first: number,
  last: number,
  plus: boolean,
): IdentifierKind | undefined {
  const len = d.length;
  if (d.charCodeAt(len - 1) === 88)
    return (len === 18 && isResidentId18(d)) || announcedId(text, len, first) ? "resident_id" : undefined;
  if (len === 18 && isResidentId18(d)) return "resident_id";
  if (len === 15 && isResidentId15(d)) return "resident_id";
  if (len === 11 && isMobile(d)) return "mobile";
  // A mobile dialled from a landline in another city (013812345678): 01x is no area code but 010.
  if (len === 12 && d.charCodeAt(0) === 48 && isMobile(d.slice(1))) return "mobile";
  if (len >= 12 && len <= 16) {
    // International spellings: +86 / 0086 / 86 before a mobile, +86 before a landline without its 0.
    const rest = d.startsWith("0086") ? d.slice(4) : d.startsWith("86") ? d.slice(2) : undefined;
    if (rest !== undefined) {
      const explicit = plus || d.startsWith("0086");
      if (isMobile(rest) && (explicit || len === 13)) return "mobile";
      if (explicit && (isLandline(rest) || isLandline(`0${rest}`))) return "landline";
    }
  }
  if (plus && isHkMacaoTaiwanMobile(d)) return "mobile";
  if (len >= 10 && len <= 12 && isLandline(d) && areaCodeFirst(d, first, last)) return "landline";
  if (len >= 13 && len <= 19 && cardGrouping(first, last) && isBankCard(d)) return "bank_card";
  if (
    (len === 7 || len === 8) &&
    isLocalNumber(d) &&
    !looksLikeDate(d) &&
    !UNIT_AFTER.has(text.charCodeAt(groupEnd[last]!))
  )
    return "landline"; // only reached when localPhoneContext held (see scanRun)
  return announcedId(text, len, first) ? "resident_id" : undefined;
}

/**
 * 身份证33010619900101123: 15 to 18 characters announced as an ID that are no other identifier
 * are one, mistyped (a digit left out, a wrong check character).
 */
function announcedId(text: string, len: number, first: number): boolean {
  return len >= 15 && len <= 18 && idWordBefore(text, groupStart[first]!);
}

/** +852/+853 and 8 digits starting 5, 6 or 9 (Hong Kong, Macao), +886 and 9 digits starting 9 (Taiwan). */
function isHkMacaoTaiwanMobile(d: string): boolean {
  const first = d.charCodeAt(3);
  if (d.length === 11 && (d.startsWith("852") || d.startsWith("853")))
    return (first === 53 || first === 54 || first === 57) && /^\d+$/.test(d);
  return d.length === 12 && d.startsWith("886") && first === 57 && /^\d+$/.test(d);
}

/**
 * A landline written in groups starts with its area code as a group of its own (0755-8888 6666,
 * 400-800-1234); "092821-102821" (two dates) and "070885 23152" (a birth date and a code) are
 * not landlines.
 */
function areaCodeFirst(d: string, first: number, last: number): boolean {
  if (first === last) return true;
  const head = groupEnd[first]! - groupStart[first]!;
  return d.charCodeAt(0) === 48 ? head === areaCodeLength(d) : head === 3;
}

/** YYYYMMDD between 1900 and 2099: a date, even after the word 电话. */
function looksLikeDate(d: string): boolean {
  if (d.length !== 8) return false;
  const year = Number(d.slice(0, 4));
  const month = Number(d.slice(4, 6));
  const day = Number(d.slice(6, 8));
  return year >= 1900 && year <= 2099 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/**
 * Start of the first valid 18-digit ID inside the long group [from, to) (an ID glued to other
 * digits: 2024050111010519491231002X, 11010519491231002X13800138000), or -1.
 */
function firstEmbeddedId(text: string, from: number, to: number): number {
  for (let k = from; k + 18 <= to; k++) {
    // Cheap filters first: a province code starts with 1-9, a birth year with 1 or 2.
    const head = DIGIT_VALUE[text.charCodeAt(k)]!;
    const century = DIGIT_VALUE[text.charCodeAt(k + 6)]!;
    if (head < 1 || (century !== 1 && century !== 2)) continue;
    if (CLASS[text.charCodeAt(k + 17)] === X && k + 18 !== to) continue;
    if (isResidentId18(digitsOf(text, k, k + 18))) return k;
  }
  return -1;
}

/** Mobiles glued together without separators (1380013800013900139000). */
function gluedMobiles(text: string, from: number, end: number, out: IdentifierSpan[]): void {
  const to = CLASS[text.charCodeAt(end - 1)] === X ? end - 1 : end;
  const len = to - from;
  if (len % 11 !== 0 || len > 44) return;
  const d = digitsOf(text, from, to);
  for (let k = 0; k < len; k += 11) if (!isMobile(d.slice(k, k + 11))) return;
  for (let k = 0; k < len; k += 11) out.push({ kind: "mobile", start: from + k, end: from + k + 11 });
}

/** Characters before a room number: 3单元501, 2号楼501, 70##2 (not 号: 编号, 单号 precede work orders). */
const ROOM_BEFORE = new Set([..."元室楼栋幢层座户#"].map((s) => s.charCodeAt(0)));

/**
 * A room number glued to a mobile ("三单元50113912345678" is room 501 and a phone): only after
 * a room word, so that 12-15 digit work-order numbers stay readable.
 */
function roomThenMobile(text: string, from: number, end: number, out: IdentifierSpan[]): void {
  if (from === 0 || !ROOM_BEFORE.has(text.charCodeAt(from - 1))) return;
  const to = CLASS[text.charCodeAt(end - 1)] === X ? end - 1 : end;
  if (isMobile(digitsOf(text, to - 11, to))) out.push({ kind: "mobile", start: to - 11, end: to });
}

/**
 * Index of the group that is the fraction of a decimal number at the start of the run
 * (43.0501234…, -87.91234569999995, 13800.50: "." after at most 4 digits), or -1. Such a
 * fraction is no number of its own; after a longer number the dot is punctuation.
 */
function decimalFractionGroup(text: string, groups: number, plus: boolean): number {
  if (plus || groups < 2 || groupEnd[0]! - groupStart[0]! > 4) return -1;
  const dot = text.charCodeAt(groupEnd[0]!);
  return (dot === 46 || dot === 0xff0e) && groupStart[1] === groupEnd[0]! + 1 ? 1 : -1;
}

/**
 * Classifies the groups [from, to) of the current run: the longest spelling first, so that
 * 138 0013 8000 is one mobile and not three numbers.
 */
function matchGroups(
  text: string,
  from: number,
  to: number,
  plus: boolean,
  runStart: number,
  fraction: number,
  out: IdentifierSpan[],
): void {
  let g = from;
  while (g < to) {
    if (g === fraction) {
      g++; // 43.0501234…: the digits after a decimal point are no number of their own
      continue;
    }
    let matched = false;
    let total = 0;
    let last = g;
    while (last + 1 < to && last + 1 - g < MAX_GROUPS_PER_ID) last++;
    for (let k = g; k <= last; k++) total += groupEnd[k]! - groupStart[k]!;
    for (; last >= g; last--) {
      if (
        (total >= 10
          ? total <= 19
          : total >= 7 && localPhoneContext(text, groupStart[g]!, groupEnd[last]!, out)) &&
        groupsSpellOneNumber(text, g, last)
      ) {
        const d = concatGroups(text, g, last);
        const lead = plus && g === from;
        const x = d.indexOf("X");
        let kind = x >= 0 && x !== d.length - 1 ? undefined : classify(text, d, g, last, lead);
        let end = groupEnd[last]!;
        // An X set apart is a check character or nothing: the groups before it are tried next.
        if (kind === undefined && x === d.length - 1 && !(last > g && isXGroup(text, last))) {
          // The X was not an ID's check character: the digits before it may still be a number.
          kind = classify(text, d.slice(0, -1), g, last, lead);
          end -= 1;
        }
        if (kind) {
          out.push({ kind, start: lead ? runStart : groupStart[g]!, end });
          g = last + 1;
          matched = true;
          break;
        }
      }
      total -= groupEnd[last]! - groupStart[last]!;
    }
    if (!matched) {
      const len = groupEnd[g]! - groupStart[g]!;
      if (len >= 19) gluedMobiles(text, groupStart[g]!, groupEnd[g]!, out);
      else if (len >= 12 && len <= 15) roomThenMobile(text, groupStart[g]!, groupEnd[g]!, out);
      g++;
    }
  }
}

/**
 * Finds the groups of one run of digits starting at `i` (digits joined by at most three
 * separators, optionally after a +), classifies them and returns the index after the run.
 */
function scanRun(text: string, i: number, out: IdentifierSpan[]): number {
  const n = text.length;
  const runStart = i;
  let p = i;
  let plus = false;
  if (CLASS[text.charCodeAt(p)] === PLUS) {
    plus = true;
    p++;
  }
  let groups = 0;
  let digits = 0;
  while (groups < MAX_GROUPS) {
    const start = p;
    while (p < n && isDigitClass(CLASS[text.charCodeAt(p)]!)) p++;
    digits += p - start;
    // An X after at least 17 digits of the run may be the check character (also "110105 19491231 002X").
    if (p < n && CLASS[text.charCodeAt(p)] === X && digits >= 17) p++;
    groupStart[groups] = start;
    groupEnd[groups] = p;
    groups++;
    if (p < n && isDigitClass(CLASS[text.charCodeAt(p)]!)) continue; // after an X
    let q = p;
    // +86 (571) 8888 6666, +86 (0)571 …: after a country prefix an opening bracket separates too.
    const bracket = groups === 1 && (plus || p - start === 4) && isCountryPrefix(text, start, p);
    while (
      q < n &&
      q - p < MAX_SEPARATORS &&
      (CLASS[text.charCodeAt(q)] === SEP || (bracket && OPEN_BRACKET.has(text.charCodeAt(q))))
    )
      q++;
    if (q > p && q < n && isDigitClass(CLASS[text.charCodeAt(q)]!)) {
      p = q;
      continue;
    }
    // "11010519491231002 X": the check character set apart by one separator is a group of its own.
    if (q === p + 1 && digits >= 17 && isLoneX(text, q) && groups < MAX_GROUPS) {
      groupStart[groups] = q;
      groupEnd[groups] = q + 1;
      groups++;
      p = q + 1;
    }
    break;
  }
  const runEnd = p;

  // A group of 19+ digits never joins its neighbours as it is; an ID glued inside it splits it
  // into head, ID and tail, and head and tail may then join the groups around them
  // ("138 0013 8000110105194912310038" is a mobile and an ID).
  let fraction = decimalFractionGroup(text, groups, plus);
  let from = 0;
  let lead = plus; // the + belongs to the first number of the run only
  for (let g = 0; g < groups; g++) {
    if (groupEnd[g]! - groupStart[g]! < 19) continue;
    const id = firstEmbeddedId(text, groupStart[g]!, groupEnd[g]!);
    if (id < 0) continue;
    if (g === fraction) fraction = -1; // 19+ digits after a dot are no decimal fraction
    const groupEndBefore = groupEnd[g]!;
    if (id > groupStart[g]!) {
      groupEnd[g] = id;
      matchGroups(text, from, g + 1, lead, runStart, fraction, out);
    } else matchGroups(text, from, g, lead, runStart, fraction, out);
    lead = false;
    out.push({ kind: "resident_id", start: id, end: id + 18 });
    groupStart[g] = id + 18;
    groupEnd[g] = groupEndBefore;
    from = groupStart[g]! < groupEndBefore ? g : g + 1;
    if (from === g) g--; // look at the tail again: it may hold another ID
  }
  matchGroups(text, from, groups, lead, runStart, fraction, out);
  return runEnd;
}

/** An X at i that stands alone (no letter or digit after it): a check character, not a word (Xiaomi). */
function isLoneX(text: string, i: number): boolean {
  if (i >= text.length || CLASS[text.charCodeAt(i)] !== X) return false;
  const next = CLASS[text.charCodeAt(i + 1)];
  return next !== LETTER && next !== X && !isDigitClass(next!);
}

/** Group g is an ID's check character set apart (11010519491231002 X). */
function isXGroup(text: string, g: number): boolean {
  return groupEnd[g]! - groupStart[g]! === 1 && CLASS[text.charCodeAt(groupStart[g]!)] === X;
}

/**
 * Whether groups first..last may be one number written with separators: every group has at
 * least 3 digits (138 0013 8000, 0755-8888 6666), except a country prefix (+86, 0086) and the
 * area code after it (+86 10 ...). This keeps "15-3-1201 2024" from reading as a mobile.
 */
function groupsSpellOneNumber(text: string, first: number, last: number): boolean {
  if (first === last) return true;
  let from = first;
  if (isCountryPrefix(text, groupStart[first]!, groupEnd[first]!)) {
    from = first + 1;
    // +86 (0)571 …: the trunk 0 an international caller leaves out, written in brackets.
    if (from < last && isBracketedZero(text, from)) from++;
    if (from <= last && groupEnd[from]! - groupStart[from]! === 2) from++;
  }
  let fours = true;
  for (let g = from; g <= last; g++) {
    const len = groupEnd[g]! - groupStart[g]!;
    if (g < last && len !== 4) fours = false;
    if (len < 3 && !(g === last && ((fours && from === first && last - first >= 3) || isXGroup(text, g))))
      return false;
  }
  return true;
}

/** Group g is a lone 0 in brackets: (0). */
function isBracketedZero(text: string, g: number): boolean {
  const start = groupStart[g]!;
  return (
    groupEnd[g]! - start === 1 &&
    digitValue(text, start) === 0 &&
    OPEN_BRACKET.has(text.charCodeAt(start - 1)) &&
    CLOSE_BRACKET.has(text.charCodeAt(start + 1))
  );
}

/** Digit value of the character at i (ASCII, full-width or Chinese numeral). */
function digitValue(text: string, i: number): number {
  return DIGIT_VALUE[text.charCodeAt(i)]!;
}

/** The group is "86" or "0086". */
function isCountryPrefix(text: string, start: number, end: number): boolean {
  const len = end - start;
  if (len === 4 && (digitValue(text, start) !== 0 || digitValue(text, start + 1) !== 0)) return false;
  if (len !== 2 && len !== 4) return false;
  return digitValue(text, end - 2) === 8 && digitValue(text, end - 1) === 6;
}

/** Last characters of the words in PHONE_CONTEXT: a cheap test before the regular expression. */
const PHONE_WORD_END = new Set([..."话机码式线lLeE"].map((s) => s.charCodeAt(0)));

/** Whether a phone word may end within the 4 characters before `start` (checked exactly later). */
function phoneWordBefore(text: string, start: number): boolean {
  for (let i = start - 1; i >= 0 && i >= start - 4; i--)
    if (PHONE_WORD_END.has(text.charCodeAt(i))) return true;
  return false;
}

/** Words before a number that say it is a resident ID: 身份证, 身份证号码：, 证件号是. */
const ID_CONTEXT = /(身份证|证件|身份)(号码|号)?[ \t\u3000:：是为（(]{0,3}$/;
/** Last characters of the words in ID_CONTEXT: a cheap test before the regular expression. */
const ID_WORD_END = new Set([..."证件份号码"].map((s) => s.charCodeAt(0)));

/** Whether the number at `start` is announced as a resident ID. */
function idWordBefore(text: string, start: number): boolean {
  for (let i = start - 1; i >= 0 && i >= start - 4; i--)
    if (ID_WORD_END.has(text.charCodeAt(i)))
      return ID_CONTEXT.test(text.slice(Math.max(0, start - 10), start));
  return false;
}

/** Words after a number that say it is a phone number: 5823716电联, 8805667联系. */
const PHONE_AFTER = /^[ \t\u3000)）]{0,2}(电联|联系|致电|打电话)/;
/** What may stand between two numbers of a list: 0730-8251931、8251932 or 8805667，8805668. */
const LIST_GAP = /^[ \t\u3000、，,/;；或及和]{1,3}$/;

/**
 * Whether a bare 7-8 digit number at [start, end) is announced as a phone number: a phone word
 * before it (电话：87654321), a phone word after it (5823716电联), or it continues a list right
 * after another phone number.
 */
function localPhoneContext(
  text: string,
  start: number,
  end: number,
  out: readonly IdentifierSpan[],
): boolean {
  if (phoneWordBefore(text, start) && PHONE_CONTEXT.test(text.slice(Math.max(0, start - 10), start)))
    return true;
  if (PHONE_AFTER.test(text.slice(end, end + 5))) return true;
  const previous = out[out.length - 1];
  return (
    previous !== undefined &&
    (previous.kind === "landline" || previous.kind === "mobile") &&
    start - previous.end <= 3 &&
    LIST_GAP.test(text.slice(previous.end, start))
  );
}

function concatGroups(text: string, first: number, last: number): string {
  if (first === last) return digitsOf(text, groupStart[first]!, groupEnd[first]!);
  let d = "";
  for (let g = first; g <= last; g++) d += digitsOf(text, groupStart[g]!, groupEnd[g]!);
  return d;
}

const OPEN_BRACKET = new Set([40, 0xff08]); // ( （
const CLOSE_BRACKET = new Set([41, 0xff09]); // ) ）

/** A landline written "(0755)8888 6666": the brackets around the area code belong to it. */
function includeAreaCodeBrackets(text: string, out: IdentifierSpan[], from: number): void {
  const span = out[from]!;
  if (span.start === 0 || !OPEN_BRACKET.has(text.charCodeAt(span.start - 1))) return;
  for (let i = span.start; i < span.end; i++)
    if (CLOSE_BRACKET.has(text.charCodeAt(i))) {
      out[from] = { kind: span.kind, start: span.start - 1, end: span.end };
      return;
    }
}

/**
 * All personal identifiers in a text, in order, without overlaps. A line break may stand between
 * the digit groups of one number, as a space may (a cell's text wrapped inside a mobile:
 * "138\n1234 5678"); `recur redact` masks line by line and so never sees such a number whole.
 * @example
 * findIdentifiers("报警人电话138 0013 8000，车牌京A12345")
 * // [{ kind: "mobile", start: 5, end: 18 }, { kind: "plate", start: 21, end: 28 }]
 */
export function findIdentifiers(text: string): IdentifierSpan[] {
  const out: IdentifierSpan[] = [];
  const n = text.length;
  /** Whether a service's name (QQ, 微信 …) may stand in the text: then its accounts are looked for. */
  let account = false;
  let i = 0;
  while (i < n) {
    const k = CLASS[text.charCodeAt(i)]!;
    if (k === 0 || k === SEP) {
      i++;
    } else if (k === DIGIT || k === FW_DIGIT) {
      const before = out.length;
      i = scanRun(text, i, out);
      if (out.length > before) includeAreaCodeBrackets(text, out, before);
    } else if (k === PLUS) {
      i = i + 1 < n && isDigitClass(CLASS[text.charCodeAt(i + 1)]!) ? scanRun(text, i, out) : i + 1;
    } else if (k === PROVINCE) {
      const end = plateEnd(text, i);
      if (end > 0) out.push({ kind: "plate", start: i, end });
      i = end > 0 ? end : i + 1;
    } else {
      // A letter: no number starts with one (plates start with their province); an account's
      // service may (QQ, VX), as it may with 微, 威, 薇, 扣.
      if (!account && (k === ACCOUNT_CJK || ACCOUNT_LATIN.has(text.charCodeAt(i))) && serviceNameAt(text, i))
        account = true;
      i++;
    }
  }
  if (account) addAccounts(text, out);
  return out;
}

/**
 * The text with every identifier replaced by its tag (MASK_TAGS); everything else byte for byte.
 * Returns the same string object when there is nothing to mask.
 * @example
 * maskText("身份证11010519491231002X，住3栋2单元501室，手机+86 138-0013-8000")
 * // "身份证〔身份证号〕，住3栋2单元501室，手机〔手机号〕"
 */
export function maskText(text: string): string {
  const spans = findIdentifiers(text);
  if (spans.length === 0) return text;
  let out = "";
  let at = 0;
  for (const span of spans) {
    out += text.slice(at, span.start) + MASK_TAGS[span.kind];
    at = span.end;
  }
  return out + text.slice(at);
}

/**
 * The value to quote in an issue: masked first, then shortened (domain `issueValue` rules), so
 * that shortening can never leave half of an identifier readable.
 * @example maskedIssueValue("来电13800138000") // "来电〔手机号〕"
 */
export function maskedIssueValue(value: unknown): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  return issueValue(maskText(text));
}

/**
 * A quote of an issue stored before imports masked them (docs/privacy.md §5), masked now. A
 * quote the import cut (80 characters and "…") may end in the first digits of an identifier,
 * which masking no longer recognises: those trailing digits (a run of two or more, with their
 * separators) are dropped before the "…", since a number cut there is no use to whoever fixes the
 * row either. Any other quote is masked as `maskedIssueValue` masks it. Idempotent.
 * @example remaskedIssueValue(`${"说明".repeat(35)}1101051949…`) // `${"说明".repeat(35)}…`
 */
export function remaskedIssueValue(value: string): string {
  const cut = value.length === ISSUE_VALUE_MAX_LENGTH + 1 && value.endsWith("…");
  if (!cut) return maskedIssueValue(value);
  const masked = maskText(value.slice(0, -1));
  let end = masked.length;
  let digits = 0;
  while (end > 0) {
    const k = CLASS[masked.charCodeAt(end - 1)];
    if (k === DIGIT || k === FW_DIGIT) digits++;
    else if (k !== SEP && k !== PLUS) break;
    end--;
  }
  return `${digits >= 2 ? masked.slice(0, end) : masked}…`;
}
