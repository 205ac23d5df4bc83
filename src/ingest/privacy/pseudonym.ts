import { createHmac } from "node:crypto";
import { asPseudonym, type CallerPseudonym, RecurError } from "../../domain/index.ts";
import { normalizePhone } from "./phone.ts";

/** Domain separation: the same key could be used for other HMACs later without collisions. */
const CALLER_CONTEXT = "recur/caller/v1\u0000";
const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
/** 128 bits: collisions are negligible for any city (birthday bound ~2^64 numbers). */
const PSEUDONYM_BYTES = 16;
const MIN_KEY_BYTES = 32;

/** Thrown when a caller number cannot be normalised; the caller field is then left empty, not linked. */
export class InvalidPhoneError extends RecurError {
  override readonly name = "InvalidPhoneError";
}

/**
 * RFC 4648 base32, lower case, without padding.
 * @example base32(new TextEncoder().encode("foobar")) // "mzxw6ytboi"
 */
export function base32(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

function checkKey(hmacKey: Uint8Array): void {
  if (hmacKey.length < MIN_KEY_BYTES)
    throw new RecurError("weak_hmac_key", {
      zh: `假名密钥太短（${hmacKey.length} 字节，至少 ${MIN_KEY_BYTES} 字节）`,
      en: `pseudonym key too short (${hmacKey.length} bytes, at least ${MIN_KEY_BYTES})`,
    });
}

/** Pseudonym of an already normalised number. */
function pseudonymOf(normalised: string, hmacKey: Uint8Array): CallerPseudonym {
  const mac = createHmac("sha256", hmacKey).update(CALLER_CONTEXT).update(normalised).digest();
  return asPseudonym(`c_${base32(mac.subarray(0, PSEUDONYM_BYTES))}`);
}

/**
 * Keyed pseudonym of a caller number: "c_" + base32 of the first 16 bytes of
 * HMAC-SHA256(key, "recur/caller/v1\0" + normalizePhone(phone)). The same number in any spelling
 * gives the same pseudonym; without the deployment key it cannot be reversed by trying all
 * numbers. Throws InvalidPhoneError when `phone` is not a number (use tryCallerPseudonym to get
 * null instead): placeholders such as "未知" must not link unrelated calls.
 * @example callerPseudonym("+86 138 0013 8000", key) === callerPseudonym("13800138000", key)
 */
export function callerPseudonym(phone: string, hmacKey: Uint8Array): CallerPseudonym {
  checkKey(hmacKey);
  const normalised = normalizePhone(phone);
  if (normalised === null)
    throw new InvalidPhoneError("invalid_phone", {
      zh: "来电号码无法识别，不生成假名",
      en: "the caller number is not a phone number; no pseudonym made",
    });
  return pseudonymOf(normalised, hmacKey);
}

/**
 * Like callerPseudonym, but null when `phone` is empty or not a number.
 * @example tryCallerPseudonym("未知", key) // null
 */
export function tryCallerPseudonym(phone: string, hmacKey: Uint8Array): CallerPseudonym | null {
  checkKey(hmacKey);
  const normalised = normalizePhone(phone);
  return normalised === null ? null : pseudonymOf(normalised, hmacKey);
}
