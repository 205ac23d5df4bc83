import { createHmac, hash } from "node:crypto";
import { asPseudonym, type CallerPseudonym, RecurError } from "../../domain/index.ts";
import { type NormalizePhoneOptions, normalizePhone } from "./phone.ts";

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
  // Character codes first, one string at the end: no intermediate string per character.
  const codes = new Array<number>(Math.ceil((bytes.length * 8) / 5));
  let n = 0;
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      codes[n++] = BASE32_CODES[(buffer >>> (bits - 5)) & 31]!;
      bits -= 5;
    }
  }
  if (bits > 0) codes[n++] = BASE32_CODES[(buffer << (5 - bits)) & 31]!;
  let out = "";
  for (let i = 0; i < n; i += 4096) out += String.fromCharCode(...codes.slice(i, Math.min(n, i + 4096)));
  return out;
}

const BASE32_CODES = Uint8Array.from(BASE32, (c) => c.charCodeAt(0));

function checkKey(hmacKey: Uint8Array): void {
  if (hmacKey.length < MIN_KEY_BYTES)
    throw new RecurError("weak_hmac_key", {
      zh: `假名密钥太短（${hmacKey.length} 字节，至少 ${MIN_KEY_BYTES} 字节）`,
      en: `pseudonym key too short (${hmacKey.length} bytes, at least ${MIN_KEY_BYTES})`,
    });
}

/**
 * HMAC-SHA256 with the key's pads computed once (RFC 2104): H(K^opad || H(K^ipad || m)) as two
 * one-shot hashes, which costs the import ~1 µs a row less than a createHmac object per number.
 * The message is the caller context and the number; the value is exactly createHmac's.
 */
class CallerMac {
  readonly #key: Uint8Array;
  /** K^ipad, the caller context, then room for the number. */
  readonly #inner: Buffer;
  /** K^opad, then the inner digest. */
  readonly #outer: Buffer;

  /** Views of #inner's first `length` bytes, by length: a Buffer view per number cost as much as writing it. */
  readonly #views: Buffer[] = [];
  readonly #fixed: number;

  constructor(key: Uint8Array) {
    this.#key = Uint8Array.from(key);
    const block = Buffer.alloc(BLOCK_BYTES);
    block.set(key.length > BLOCK_BYTES ? hash("sha256", key, "buffer") : key);
    const context = Buffer.from(CALLER_CONTEXT, "utf8");
    this.#inner = Buffer.alloc(BLOCK_BYTES + context.length + MAX_NUMBER_BYTES);
    this.#outer = Buffer.alloc(BLOCK_BYTES + 32);
    for (let i = 0; i < BLOCK_BYTES; i++) {
      this.#inner[i] = (block[i] ?? 0) ^ 0x36;
      this.#outer[i] = (block[i] ?? 0) ^ 0x5c;
    }
    context.copy(this.#inner, BLOCK_BYTES);
    this.#fixed = BLOCK_BYTES + context.length;
  }

  /** Whether this MAC was made from these key bytes (a key array could be refilled). */
  hasKey(key: Uint8Array): boolean {
    if (key.length !== this.#key.length) return false;
    for (let i = 0; i < key.length; i++) if (key[i] !== this.#key[i]) return false;
    return true;
  }

  /**
   * The MAC of `normalised` (ASCII: digits and a leading +) as a latin1 string, one character
   * per byte. Digests come out as strings, not Buffers: a Buffer from C++ costs a backing store
   * of its own (measured: two hashes 1.64 µs as Buffers, 0.62 µs as latin1 strings).
   */
  digestLatin1(normalised: string): string {
    const fixed = this.#fixed;
    const n = normalised.length;
    if (n > MAX_NUMBER_BYTES) return macWithObject(normalised, this.#key).toString("latin1");
    // A normalised number is ASCII: its bytes are its character codes, set one by one (cheaper
    // than Buffer#write and a view per number: 3.3 → 1.7-2.3 µs a pseudonym in a loop).
    const bytes = this.#inner;
    for (let i = 0; i < n; i++) {
      const c = normalised.charCodeAt(i);
      if (c > 0x7f) return macWithObject(normalised, this.#key).toString("latin1");
      bytes[fixed + i] = c;
    }
    const inner = hash("sha256", this.#view(fixed + n), "binary");
    const outer = this.#outer;
    for (let i = 0; i < 32; i++) outer[BLOCK_BYTES + i] = inner.charCodeAt(i);
    return hash("sha256", outer, "binary");
  }

  /** #inner's first `length` bytes (a view made once per length). */
  #view(length: number): Buffer {
    let view = this.#views[length];
    if (view === undefined) {
      view = this.#inner.subarray(0, length);
      this.#views[length] = view;
    }
    return view;
  }
}

/** RFC 4648 base32 (lower case, no padding) of the first PSEUDONYM_BYTES characters of `latin1`. */
function base32Latin1(latin1: string): string {
  const codes = PSEUDONYM_CODES;
  let n = 0;
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < PSEUDONYM_BYTES; i++) {
    buffer = ((buffer << 8) | latin1.charCodeAt(i)) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      codes[n++] = BASE32_CODES[(buffer >>> (bits - 5)) & 31]!;
      bits -= 5;
    }
  }
  if (bits > 0) codes[n++] = BASE32_CODES[(buffer << (5 - bits)) & 31]!;
  return String.fromCharCode(...codes);
}

/** Scratch of base32Latin1: the character codes of one pseudonym (16 bytes = 26 characters). */
const PSEUDONYM_CODES = new Array<number>(Math.ceil((PSEUDONYM_BYTES * 8) / 5)).fill(0);

const BLOCK_BYTES = 64;
/** Room for the number in the inner message; longer texts take the createHmac path. */
const MAX_NUMBER_BYTES = 192;

function macWithObject(normalised: string, key: Uint8Array): Buffer {
  return createHmac("sha256", key).update(CALLER_CONTEXT).update(normalised).digest();
}

/** The MAC of the last key used: an import uses one key for every row. */
let lastMac: CallerMac | undefined;

/** Pseudonym of an already normalised number. */
function pseudonymOf(normalised: string, hmacKey: Uint8Array): CallerPseudonym {
  if (!lastMac?.hasKey(hmacKey)) lastMac = new CallerMac(hmacKey);
  return asPseudonym(`c_${base32Latin1(lastMac.digestLatin1(normalised))}`);
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
export function tryCallerPseudonym(
  phone: string,
  hmacKey: Uint8Array,
  options: NormalizePhoneOptions = {},
): CallerPseudonym | null {
  checkKey(hmacKey);
  const normalised = normalizePhone(phone, options);
  return normalised === null ? null : pseudonymOf(normalised, hmacKey);
}
