import type { Random } from "../domain/index.ts";
import { PLATE_PREFIX } from "./names.ts";
import { between, chance } from "./rng.ts";

/**
 * Realistic personal identifiers for narratives, all with valid check digits, so that the
 * import's masking is tested on what real records contain: resident ID numbers (GB 11643-1999
 * checksum), mainland mobiles, licence plates (including new-energy), bank cards (Luhn).
 */

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK = "10X98765432";
/** Division codes: the city's own districts and some real ones (people move). */
const ID_AREAS = [
  "331202",
  "331203",
  "331204",
  "331205",
  "331221",
  "330102",
  "330106",
  "330302",
  "330681",
  "331002",
  "341202",
  "411326",
  "510722",
  "522121",
  "362329",
  "430524",
  "320382",
  "420116",
] as const;

/** The check character of the first 17 digits of a resident ID (GB 11643-1999). */
export function residentIdCheck(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11]!;
}

export function residentId(rng: Random): string {
  const year = between(rng, 1945, 2006);
  const month = between(rng, 1, 12);
  const day = between(rng, 1, 28);
  const first17 =
    rng.pick(ID_AREAS) +
    String(year) +
    String(month).padStart(2, "0") +
    String(day).padStart(2, "0") +
    String(between(rng, 1, 999)).padStart(3, "0");
  return first17 + residentIdCheck(first17);
}

const MOBILE_PREFIXES = [
  "130",
  "131",
  "132",
  "133",
  "135",
  "136",
  "137",
  "138",
  "139",
  "150",
  "151",
  "152",
  "153",
  "155",
  "157",
  "158",
  "159",
  "166",
  "173",
  "177",
  "180",
  "181",
  "182",
  "183",
  "185",
  "186",
  "187",
  "188",
  "189",
  "191",
  "198",
  "199",
] as const;

export function mobile(rng: Random): string {
  return rng.pick(MOBILE_PREFIXES) + String(rng.int(100_000_000)).padStart(8, "0");
}

/** A mobile number unique to one caller index (a bijection of the index into 8 digits). */
export function callerMobile(caller: number, salt: number): string {
  const prefix = MOBILE_PREFIXES[(caller * 7 + salt) % MOBILE_PREFIXES.length]!;
  const digits = (caller * 48_271 + salt * 7919) % 100_000_000;
  return prefix + String(digits).padStart(8, "0");
}

/** A landline of the city unique to one caller index. */
export function callerLandline(caller: number, salt: number): string {
  return `8${String((caller * 7_607 + salt) % 10_000_000).padStart(7, "0")}`;
}

const PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ";
const OTHER_REGIONS = ["浙A", "浙B", "浙D", "浙G", "沪A", "苏E", "皖A", "赣B"] as const;

export function plate(rng: Random): string {
  const region = chance(rng, 0.8) ? PLATE_PREFIX : rng.pick(OTHER_REGIONS);
  if (chance(rng, 0.2)) {
    // New-energy: D (battery) or F (hybrid) then 5 characters.
    return `${region}${chance(rng, 0.7) ? "D" : "F"}${rng.int(10)}${String(rng.int(10000)).padStart(4, "0")}`;
  }
  let tail = "";
  const letters = rng.int(3);
  for (let i = 0; i < 5; i++) {
    tail +=
      i < letters && chance(rng, 0.6) ? PLATE_LETTERS[rng.int(PLATE_LETTERS.length)]! : String(rng.int(10));
  }
  return region + tail;
}

/** The Luhn check digit of a digit string. */
export function luhnCheck(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

export function bankCard(rng: Random): string {
  const length = chance(rng, 0.6) ? 19 : 16;
  let body = rng.pick(["622202", "622848", "621700", "622588", "623058", "621226"]);
  while (body.length < length - 1) body += String(rng.int(10));
  return body + luhnCheck(body);
}

const SURNAMES =
  "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁沈任姚卢傅钟".split(
    "",
  );

/** "张某" or "张某某": records name people this way, and recur never profiles them. */
export function someone(rng: Random): string {
  return rng.pick(SURNAMES) + (chance(rng, 0.6) ? "某" : "某某");
}

const FULL_WIDTH_OFFSET = 0xff10 - 0x30;
/** Turns ASCII digits into full-width digits (３栋２单元５０１). */
export function fullWidthDigits(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += c >= 0x30 && c <= 0x39 ? String.fromCharCode(c + FULL_WIDTH_OFFSET) : text[i];
  }
  return out;
}

const DIGITS_ZH = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"] as const;
/** Chinese numeral for 1..99 (三, 十二, 二十三). */
export function chineseNumber(n: number): string {
  if (n < 10) return DIGITS_ZH[n]!;
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? "" : DIGITS_ZH[tens]}十${ones === 0 ? "" : DIGITS_ZH[ones]}`;
}

/** How call-takers write a caller's number: plain, +86, spaced, dashed. */
export function formatPhone(rng: Random, number: string, landline: boolean): string {
  if (landline) return chance(rng, 0.8) ? `0581-${number}` : `0581${number}`;
  const r = rng.next();
  if (r < 0.82) return number;
  if (r < 0.9) return `+86${number}`;
  if (r < 0.95) return `+86 ${number}`;
  if (r < 0.98) return `${number.slice(0, 3)} ${number.slice(3, 7)} ${number.slice(7)}`;
  return `${number.slice(0, 3)}-${number.slice(3, 7)}-${number.slice(7)}`;
}
