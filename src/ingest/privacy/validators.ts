/**
 * Validators for the identifiers recur masks. Each takes plain ASCII digits (the scanner has
 * already folded full-width digits and dropped separators) and says whether they can be that
 * identifier. They are strict on purpose: a check digit, a plausible date or a real prefix is
 * what lets ordinary numbers (work orders, dates, amounts) stay readable.
 */

/** First two digits of a resident ID: province-level division codes of GB/T 2260 (plus 71/81/82 for Taiwan, Hong Kong, Macao, 83 for the 2017 residence permits, 91 for foreigners' permanent residence). */
const PROVINCE_CODES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61,
  62, 63, 64, 65, 71, 81, 82, 83, 91,
]);

/** GB 11643-1999 weights for the 17 body digits; check = (12 - sum mod 11) mod 11, 10 written X. */
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK = "10X98765432";

/** Oldest and youngest birth year recur accepts as plausible in an 18-digit ID. */
const MIN_BIRTH_YEAR = 1900;
const MAX_BIRTH_YEAR = 2099;

function digitAt(s: string, i: number): number {
  return s.charCodeAt(i) - 48;
}

function isAsciiDigits(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function isValidDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days =
    month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return day <= days;
}

function hasProvinceCode(s: string): boolean {
  return PROVINCE_CODES.has(digitAt(s, 0) * 10 + digitAt(s, 1));
}

/**
 * The GB 11643 check character for 17 body digits.
 * @example residentIdCheckChar("11010519491231002") // "X"
 */
export function residentIdCheckChar(body17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += digitAt(body17, i) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11]!;
}

/**
 * An 18-digit resident ID (GB 11643-1999): province code, plausible birth date, check digit.
 * @example isResidentId18("11010519491231002X") // true
 */
export function isResidentId18(s: string): boolean {
  if (s.length !== 18 || !isAsciiDigits(s, 0, 17)) return false;
  if (!hasProvinceCode(s)) return false;
  const year = digitAt(s, 6) * 1000 + digitAt(s, 7) * 100 + digitAt(s, 8) * 10 + digitAt(s, 9);
  if (year < MIN_BIRTH_YEAR || year > MAX_BIRTH_YEAR) return false;
  if (!isValidDate(year, digitAt(s, 10) * 10 + digitAt(s, 11), digitAt(s, 12) * 10 + digitAt(s, 13)))
    return false;
  const last = s.charCodeAt(17);
  const check = residentIdCheckChar(s);
  return check === "X" ? last === 88 || last === 120 : last === check.charCodeAt(0);
}

/**
 * A 15-digit first-generation ID (issued until 2004): province code and a valid 19YYMMDD birth date;
 * it has no check digit, so the date and the region are all there is.
 * @example isResidentId15("110105491231002") // true
 */
export function isResidentId15(s: string): boolean {
  if (s.length !== 15 || !isAsciiDigits(s, 0, 15) || !hasProvinceCode(s)) return false;
  const year = 1900 + digitAt(s, 6) * 10 + digitAt(s, 7);
  return isValidDate(year, digitAt(s, 8) * 10 + digitAt(s, 9), digitAt(s, 10) * 10 + digitAt(s, 11));
}

/**
 * A mainland mobile number: 11 digits, 1 then 3-9 (MIIT numbering plan).
 * @example isMobile("13800138000") // true
 */
export function isMobile(s: string): boolean {
  if (s.length !== 11 || s.charCodeAt(0) !== 49) return false;
  const second = s.charCodeAt(1);
  return second >= 51 && second <= 57 && isAsciiDigits(s, 2, 11);
}

/**
 * Length of the area code at the start of a landline written with its trunk 0: 010 and 02x are
 * three digits, all others (03xx-09xx) four; 0 when there is none.
 * @example areaCodeLength("075588886666") // 4
 */
export function areaCodeLength(s: string): number {
  if (s.charCodeAt(0) !== 48) return 0;
  const second = s.charCodeAt(1);
  if (second === 49) return s.charCodeAt(2) === 48 ? 3 : 0; // 010 only; 01x otherwise unassigned
  if (second === 50) return 3; // 020-029
  if (second >= 51 && second <= 57) return 4;
  return 0;
}

/**
 * A landline with area code: 0 + area code + a 7-8 digit local number that does not start with
 * 0 or 1; or a 400/800 business number (10 digits).
 * @example isLandline("01012345678") // true
 * @example isLandline("4008001234") // true
 */
export function isLandline(s: string): boolean {
  if (!isAsciiDigits(s, 0, s.length)) return false;
  if (s.length === 10 && (s.startsWith("400") || s.startsWith("800"))) return true;
  const area = areaCodeLength(s);
  if (area === 0) return false;
  const local = s.length - area;
  if (local < 7 || local > 8) return false;
  const first = s.charCodeAt(area);
  return first >= 50 && first <= 57;
}

/**
 * A local landline number without area code: 7-8 digits, not starting with 0 or 1.
 * @example isLocalNumber("87654321") // true
 */
export function isLocalNumber(s: string): boolean {
  if (s.length < 7 || s.length > 8 || !isAsciiDigits(s, 0, s.length)) return false;
  const first = s.charCodeAt(0);
  return first >= 50 && first <= 57;
}

/**
 * Luhn (ISO/IEC 7812-1) check over all digits.
 * @example luhnValid("79927398713") // true
 */
export function luhnValid(s: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = s.length - 1; i >= 0; i--) {
    let d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * A payment card number: 13-19 digits passing Luhn, with an issuer prefix a bank uses (ISO/IEC
 * 7812 major industry 3-6 or 9, or the Mastercard 2221-2720 range). Prefixes 0, 1, 7, 8 and the
 * rest of 2 are not bank cards; this keeps date-prefixed work orders (2024...) readable.
 * @example isBankCard("6222021234567890128") // true
 * @example isBankCard("2024050112345678") // false: no bank issues cards starting 2024
 */
export function isBankCard(s: string): boolean {
  if (s.length < 13 || s.length > 19) return false;
  const first = s.charCodeAt(0) - 48;
  if (first === 2) {
    const prefix = Number(s.slice(0, 4));
    if (prefix < 2221 || prefix > 2720) return false;
  } else if (first < 3 || first === 7 || first === 8) return false;
  return luhnValid(s);
}
