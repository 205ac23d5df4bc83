import { areaCodeLength, isLandline, isLocalNumber, isMobile } from "./validators.ts";

/** Per-deployment normalisation options. */
export interface NormalizePhoneOptions {
  /**
   * Area code of the deployment's city with its trunk 0 ("0755"): a 7-8 digit local number gets
   * it, so that 87654321 and 0755-87654321 are one caller.
   */
  readonly areaCode?: string;
}

/** Characters a call-taker or a dispatch system may put inside a number: spaces, dashes, dots, brackets. */
const NOISE = /[\s\u3000\u00a0\-－‐‑–—_.·()（）[\]【】]/g;
const FULL_WIDTH_DIGIT = /[０-９]/g;

function onlyAsciiDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * The canonical form of a caller number, or null when it is not a phone number.
 *
 * - mainland mobile: 11 digits (`13800138000`), whatever the spelling (+86, 0086, 86, spaces,
 *   dashes, full-width digits);
 * - landline with area code: trunk 0 + area code + local number as digits (`01012345678`,
 *   `075588886666`), also from `+86 10 1234 5678`;
 * - 400/800 business numbers: their digits; 7-8 digit local numbers without area code: their
 *   digits, or the deployment's area code + digits when `options.areaCode` is given;
 * - short service numbers (110, 12345, 95555): their digits;
 * - other countries: `+` and the digits (`+14155550100`).
 *
 * Placeholders (`无`, `unknown`, `-`, all zeros) give null.
 * @example normalizePhone("+86 138-0013-8000") // "13800138000"
 * @example normalizePhone("（0755）8888 6666") // "075588886666"
 * @example normalizePhone("未知") // null
 */
export function normalizePhone(raw: string, options: NormalizePhoneOptions = {}): string | null {
  // Most exports write a mobile as its 11 digits: that is already the canonical form.
  if (isMobile(raw)) return raw;
  // ASCII digits alone (a landline as the export or an earlier call wrote it: 058188886666) have
  // nothing to trim, fold or drop: the three scans below would give them back unchanged.
  let s = onlyAsciiDigits(raw)
    ? raw
    : raw
        .trim()
        .replace(FULL_WIDTH_DIGIT, (c) => String.fromCharCode(c.charCodeAt(0) - 0xff10 + 48))
        .replace(NOISE, "");
  let plus = false;
  if (s.startsWith("+") || s.startsWith("＋")) {
    plus = true;
    s = s.slice(1);
  }
  if (!/^\d{3,20}$/.test(s) || /^0+$/.test(s)) return null;

  let national: string | undefined;
  if (s.startsWith("0086")) national = s.slice(4);
  else if (plus && s.startsWith("86")) national = s.slice(2);
  else if (plus)
    return s.length >= 8 && s.length <= 15 ? `+${s}` : null; // E.164 allows 15 digits
  else if (s.length === 13 && s.startsWith("86") && isMobile(s.slice(2))) national = s.slice(2);
  else if (s.startsWith("00")) {
    const intl = s.slice(2);
    return intl.length >= 8 && intl.length <= 15 ? `+${intl}` : null;
  }

  if (national !== undefined) {
    if (isMobile(national)) return national;
    if (isLandline(national)) return national;
    const withTrunk = `0${national}`;
    return isLandline(withTrunk) && areaCodeLength(withTrunk) > 0 ? withTrunk : null;
  }
  if (isMobile(s) || isLandline(s)) return s;
  if (isLocalNumber(s)) {
    const area = options.areaCode;
    return area !== undefined && areaCodeLength(`${area}${s}`) === area.length && isLandline(area + s)
      ? area + s
      : s;
  }
  // Short service numbers: 110, 119, 120, 122, 12345, 955xx bank lines.
  if (s.length >= 3 && s.length <= 6 && s.charCodeAt(0) !== 48) return s;
  return null;
}
