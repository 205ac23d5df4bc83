import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { RecurError } from "../../domain/index.ts";

/**
 * Field encryption for the few values kept in clear only when a profile asks (the raw caller
 * number): AES-256-GCM, a fresh random 96-bit IV per value (NIST SP 800-38D), 128-bit tag.
 * Format: "v1.<iv>.<tag>.<ciphertext>", each part base64url; the version lets keys or
 * algorithms change later without guessing.
 */
const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
/** Bound to every ciphertext, so a value encrypted for another purpose does not decrypt here. */
const AAD = Buffer.from("recur/field/v1");

/** Thrown when a ciphertext is malformed, tampered with, or was made with another key. */
export class FieldDecryptError extends RecurError {
  override readonly name = "FieldDecryptError";
}

function checkKey(encKey: Uint8Array): void {
  if (encKey.length !== KEY_BYTES)
    throw new RecurError("bad_enc_key", {
      zh: `加密密钥长度应为 ${KEY_BYTES} 字节，实际 ${encKey.length} 字节`,
      en: `encryption key must be ${KEY_BYTES} bytes, got ${encKey.length}`,
    });
}

/**
 * Encrypts one field value.
 * @example decryptField(encryptField("13800138000", key), key) // "13800138000"
 */
export function encryptField(plain: string, encKey: Uint8Array): string {
  checkKey(encKey);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", encKey, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(AAD);
  const ct = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return `${VERSION}.${iv.toString("base64url")}.${tag.toString("base64url")}.${ct.toString("base64url")}`;
}

function corrupt(why: { zh: string; en: string }): FieldDecryptError {
  return new FieldDecryptError("field_decrypt_failed", {
    zh: `无法解密字段：${why.zh}`,
    en: `cannot decrypt field: ${why.en}`,
  });
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Decrypts a value made by encryptField. Throws FieldDecryptError when it was altered, is
 * malformed, or the key is not the one it was encrypted with.
 * @example decryptField("v1.gPXfPYNW8D90aH5i.EVEzOAYmM9AMB_eyBpqUeA.nmlzAJZHaaw2dzU", encKey) // "13800138000"
 */
export function decryptField(enc: string, encKey: Uint8Array): string {
  checkKey(encKey);
  const parts = enc.split(".");
  if (parts.length !== 4 || parts.some((p) => !BASE64URL.test(p)))
    throw corrupt({
      zh: "格式不对（应为 v1.<iv>.<tag>.<密文>）",
      en: "malformed (expected v1.<iv>.<tag>.<ciphertext>)",
    });
  const [version, ivText, tagText, ctText] = parts as [string, string, string, string];
  if (version !== VERSION)
    throw corrupt({ zh: `不支持的版本 ${version}`, en: `unsupported version ${version}` });
  const iv = Buffer.from(ivText, "base64url");
  const tag = Buffer.from(tagText, "base64url");
  const ct = Buffer.from(ctText, "base64url");
  // Only the canonical encoding is accepted: otherwise spare bits of the last character could change unnoticed.
  if (
    iv.toString("base64url") !== ivText ||
    tag.toString("base64url") !== tagText ||
    ct.toString("base64url") !== ctText
  )
    throw corrupt({ zh: "base64url 编码不规范", en: "non-canonical base64url" });
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES)
    throw corrupt({ zh: "IV 或认证标签长度不对", en: "wrong IV or tag length" });
  const decipher = createDecipheriv("aes-256-gcm", encKey, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(AAD);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ct), decipher.final()]).toString("utf8");
  } catch {
    throw corrupt({
      zh: "认证失败：密文被篡改，或密钥与加密时不同",
      en: "authentication failed: the ciphertext was altered or the key differs from the one used to encrypt",
    });
  }
}
