import iconv from "iconv-lite";

/**
 * Text encodings the readers accept; "auto" detects UTF-8 (with or without BOM), UTF-16 (either
 * byte order) or GB18030. Big5 (traditional Chinese) is read only when asked for.
 */
export const ENCODINGS = ["auto", "utf8", "gbk", "gb18030", "utf16le", "utf16be", "big5"] as const;
export type EncodingName = (typeof ENCODINGS)[number];

/** Normalises what a user types (`--encoding GBK`, `utf-8`, `cp936`) to an encoding name. */
export function parseEncodingName(text: string): EncodingName | undefined {
  const t = text.toLowerCase().replace(/[-_]/g, "");
  if (t === "auto") return "auto";
  if (t === "utf8" || t === "utf8bom") return "utf8";
  if (t === "gbk" || t === "cp936" || t === "gb2312") return "gbk";
  if (t === "gb18030") return "gb18030";
  if (t === "utf16le" || t === "utf16" || t === "unicode") return "utf16le";
  if (t === "utf16be" || t === "unicodebigendian") return "utf16be";
  if (t === "big5" || t === "cp950" || t === "big5hkscs") return "big5";
  return undefined;
}

export interface Detected {
  readonly encoding: Exclude<EncodingName, "auto">;
  /** Bytes of byte-order mark to skip. */
  readonly bomBytes: number;
}

/**
 * Detects the encoding from the first bytes: a BOM decides; otherwise a sample that is valid
 * UTF-8 is UTF-8, and anything else is taken as GB18030 (a superset of GBK and GB2312, what
 * Chinese Windows and most 110 systems export).
 * @example detectEncoding(Buffer.from("报警时间", "utf8")) // { encoding: "utf8", bomBytes: 0 }
 */
export function detectEncoding(sample: Uint8Array): Detected {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf)
    return { encoding: "utf8", bomBytes: 3 };
  if (sample[0] === 0xff && sample[1] === 0xfe) return { encoding: "utf16le", bomBytes: 2 };
  if (sample[0] === 0xfe && sample[1] === 0xff) return { encoding: "utf16be", bomBytes: 2 };
  if (looksUtf16(sample, 1)) return { encoding: "utf16le", bomBytes: 0 };
  if (looksUtf16(sample, 0)) return { encoding: "utf16be", bomBytes: 0 };
  try {
    // stream: true tolerates a multi-byte character cut at the end of the sample.
    new TextDecoder("utf-8", { fatal: true }).decode(sample, { stream: true });
    return { encoding: "utf8", bomBytes: 0 };
  } catch {
    return mostlyUtf8(sample) ? { encoding: "utf8", bomBytes: 0 } : { encoding: "gb18030", bomBytes: 0 };
  }
}

/**
 * UTF-16 without a BOM: the digits, commas and line breaks of an export have a zero high byte,
 * which UTF-8 and GBK text never has; the high byte comes second in UTF-16LE (odd offsets,
 * `high` = 1) and first in UTF-16BE (even offsets, `high` = 0). Some CJK characters (U+4E00 一)
 * have a zero low byte, so zeros at the other offsets are allowed, fewer.
 */
function looksUtf16(sample: Uint8Array, high: 0 | 1): boolean {
  const n = Math.min(sample.length, 4096) & ~1;
  let highZeros = 0;
  let lowZeros = 0;
  for (let i = 0; i < n; i += 2) {
    if (sample[i + high] === 0) highZeros++;
    if (sample[i + 1 - high] === 0) lowZeros++;
  }
  return highZeros >= Math.max(4, n / 40) && lowZeros * 4 < highZeros;
}

/**
 * Mostly UTF-8 with a few undecodable bytes (one row pasted in from a GBK file): UTF-8, so the
 * bad row is flagged instead of the whole file read as GBK. GBK text read as UTF-8 gives few
 * valid non-ASCII characters (about one common hanzi in five by chance) against many U+FFFD;
 * UTF-8 text gives many.
 */
function mostlyUtf8(sample: Uint8Array): boolean {
  const text = new TextDecoder("utf-8").decode(sample, { stream: true });
  let good = 0;
  let bad = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xfffd) bad++;
    else if (c > 0x7f) good++;
  }
  return good >= 2 * bad;
}

/** A streaming decoder: bytes in, text out, multi-byte characters split across chunks handled. */
export interface ChunkDecoder {
  write(bytes: Uint8Array): string;
  end(): string;
}

export function chunkDecoder(encoding: Exclude<EncodingName, "auto">): ChunkDecoder {
  if (encoding === "gbk" || encoding === "gb18030") {
    // GB18030 decodes every GBK byte sequence the same way, and more.
    const native = nativeGb18030();
    if (native) return streaming(native);
    const decoder = iconv.getDecoder("gb18030");
    return {
      write: (b) => decoder.write(Buffer.from(b.buffer, b.byteOffset, b.byteLength)),
      end: () => decoder.end() ?? "",
    };
  }
  return streaming(new TextDecoder(WHATWG_LABEL[encoding], { ignoreBOM: true }));
}

const WHATWG_LABEL = {
  utf8: "utf-8",
  utf16le: "utf-16le",
  utf16be: "utf-16be",
  big5: "big5",
} as const;

function streaming(decoder: TextDecoder): ChunkDecoder {
  return { write: (b) => decoder.decode(b, { stream: true }), end: () => decoder.decode() };
}

/**
 * Node's own GB18030 decoder (ICU, the WHATWG mapping of GB18030-2022), or null when this Node
 * was built without it. It decodes 2.3 times as fast as iconv-lite (0.85 against 1.95 s CPU for
 * the 314 MB GBK file of `npm run bench:import`, the same text), and it also maps the 18
 * two-byte codes that GB18030-2005 left in the private use area (A6D9 is U+FE10) and refuses
 * four-byte codes past the last assigned one, which iconv-lite turns into U+10000 and up.
 */
function nativeGb18030(): TextDecoder | null {
  try {
    return new TextDecoder("gb18030", { ignoreBOM: true });
  } catch {
    return null;
  }
}
