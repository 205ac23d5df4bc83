/**
 * Privacy at ingest: masking identifiers in free text, caller pseudonyms, field encryption and
 * the per-deployment secret. See docs/privacy.md for the model.
 */
export { decryptField, encryptField, FieldDecryptError } from "./crypt.ts";
export {
  findIdentifiers,
  IDENTIFIER_KINDS,
  type IdentifierKind,
  type IdentifierSpan,
  MASK_TAGS,
  maskedIssueValue,
  maskText,
  remaskedIssueValue,
} from "./mask.ts";
export { type NormalizePhoneOptions, normalizePhone } from "./phone.ts";
export { callerPseudonym, InvalidPhoneError, tryCallerPseudonym } from "./pseudonym.ts";
export { DEFAULT_SECRET_FILE, type DeploymentSecret, loadOrCreateSecret } from "./secret.ts";
export {
  isBankCard,
  isLandline,
  isMobile,
  isResidentId15,
  isResidentId18,
  luhnValid,
  residentIdCheckChar,
} from "./validators.ts";
