import type { CallerPseudonym } from "../domain/index.ts";
import type { NormalizePhoneOptions } from "./privacy/phone.ts";

/**
 * What the import needs from src/ingest/privacy (written separately): masking, phone
 * normalisation, keyed pseudonyms and field encryption. Passed in, so the pipeline can be tested
 * with a stand-in and the real implementation stays in one place.
 */
export interface PrivacyFunctions {
  maskText(text: string): string;
  normalizePhone(raw: string, options?: NormalizePhoneOptions): string | null;
  callerPseudonym(phone: string, hmacKey: Uint8Array): CallerPseudonym;
  encryptField(plain: string, encKey: Uint8Array): string;
}

/** The deployment secret: an HMAC key for pseudonyms and an AES-256-GCM key for encryption. */
export interface PrivacyKeys {
  readonly hmacKey: Uint8Array;
  readonly encKey: Uint8Array;
}
