import { RecurError } from "../domain/index.ts";

/**
 * What a case may carry as an attachment (docs/cases.md "Attachments"): photos of the place,
 * scanned agreements and letters, office documents. The type is decided by the file's first
 * bytes (its magic number), never by its name or the browser's word, so a renamed script or
 * executable is refused.
 */
export const ATTACHMENT_TYPES = [
  { kind: "image", ext: "jpg", mime: "image/jpeg" },
  { kind: "image", ext: "png", mime: "image/png" },
  { kind: "image", ext: "gif", mime: "image/gif" },
  { kind: "image", ext: "webp", mime: "image/webp" },
  { kind: "image", ext: "bmp", mime: "image/bmp" },
  { kind: "image", ext: "tif", mime: "image/tiff" },
  { kind: "image", ext: "heic", mime: "image/heic" },
  { kind: "pdf", ext: "pdf", mime: "application/pdf" },
  {
    kind: "office",
    ext: "docx",
    mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  },
  { kind: "office", ext: "xlsx", mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" },
  {
    kind: "office",
    ext: "pptx",
    mime: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  },
  { kind: "office", ext: "odt", mime: "application/vnd.oasis.opendocument.text" },
  { kind: "office", ext: "ods", mime: "application/vnd.oasis.opendocument.spreadsheet" },
  { kind: "office", ext: "odp", mime: "application/vnd.oasis.opendocument.presentation" },
  // Legacy Word/Excel/PowerPoint and WPS files share one container (OLE2 compound file, "cfb"):
  // accepted when the name says which of them it is.
  { kind: "office", ext: "doc", mime: "application/msword" },
  { kind: "office", ext: "xls", mime: "application/vnd.ms-excel" },
  { kind: "office", ext: "ppt", mime: "application/vnd.ms-powerpoint" },
  { kind: "office", ext: "wps", mime: "application/vnd.ms-works" },
  { kind: "office", ext: "et", mime: "application/vnd.ms-excel" },
] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

/** Largest attachment accepted, in bytes (a scanned multi-page agreement, a few photos). */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

/** Container types that hold several office formats; the file name decides among them. */
const OLE2_EXTS = ["doc", "xls", "ppt", "wps", "et"] as const;

export class AttachmentRejectedError extends RecurError {
  override readonly name = "AttachmentRejectedError";
}

/** The extension of a file name, lower case, or "" when it has none. */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
}

/**
 * A safe display name: no folders, no control characters, at most 120 characters, keeping the
 * extension.
 * @example safeFileName("C:\\tmp\\调解协议.pdf") // "调解协议.pdf"
 */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const clean = base.replace(/[\u0000-\u001f\u007f"<>|:*?]/g, "_").trim();
  if (clean.length <= 120) return clean || "attachment";
  const ext = extensionOf(clean);
  return `${clean.slice(0, 119 - ext.length)}.${ext}`;
}

/**
 * Decides whether an upload may be kept: its size and the type its magic bytes show
 * (`detected`, from a sniffer such as file-type; undefined when none was recognised).
 * Returns the accepted type or throws AttachmentRejectedError with a zh/en message.
 * @example
 * acceptAttachment({ ext: "pdf", mime: "application/pdf" }, "协议.pdf", 52_000).kind // "pdf"
 */
export function acceptAttachment(
  detected: { readonly ext: string; readonly mime: string } | undefined,
  name: string,
  size: number,
): AttachmentType {
  if (size === 0)
    throw new AttachmentRejectedError("empty_file", { zh: "文件为空", en: "The file is empty" });
  if (size > MAX_ATTACHMENT_BYTES)
    throw new AttachmentRejectedError("file_too_large", {
      zh: `文件过大（${mib(size)} MB），附件最大 ${mib(MAX_ATTACHMENT_BYTES)} MB`,
      en: `The file is too large (${mib(size)} MB); attachments may be at most ${mib(MAX_ATTACHMENT_BYTES)} MB`,
    });
  const named = extensionOf(name);
  let ext = detected?.ext;
  if (ext === "cfb") ext = (OLE2_EXTS as readonly string[]).includes(named) ? named : undefined;
  if (ext === "jpeg") ext = "jpg";
  if (ext === "tiff") ext = "tif";
  const type = ATTACHMENT_TYPES.find((t) => t.ext === ext);
  if (!type)
    throw new AttachmentRejectedError("type_not_allowed", {
      zh: `不支持的文件类型${detected ? `（文件内容为 ${detected.ext}）` : "（无法识别文件内容）"}：附件只能是图片（JPG/PNG/GIF/WebP/BMP/TIFF/HEIC）、PDF 或办公文档（Word/Excel/PowerPoint/WPS/ODF）`,
      en: `File type not allowed${detected ? ` (the content is ${detected.ext})` : " (content not recognised)"}: attachments must be images (JPG/PNG/GIF/WebP/BMP/TIFF/HEIC), PDF or office documents (Word/Excel/PowerPoint/WPS/ODF)`,
    });
  return type;
}

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, "");

/** One stored attachment of a case, as listed (never its bytes). */
export interface AttachmentInfo {
  readonly id: string;
  readonly caseId: string;
  /** Null once retention has removed the file (the name may carry personal data too). */
  readonly name: string | null;
  readonly ext: string;
  readonly mime: string;
  readonly size: number;
  /** SHA-256 of the bytes, hex: shows the file was not changed since upload. */
  readonly sha256: string;
  readonly uploadedBy: string;
  readonly uploadedAt: number;
  /** When retention removed the bytes (the record stays, so the case history stays whole). */
  readonly deletedAt: number | null;
}
