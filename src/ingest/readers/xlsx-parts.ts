import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { createInflateRaw } from "node:zlib";
import { SaxesParser, type SaxesTagPlain } from "saxes";
import yauzl from "yauzl";
import { civilFromDays } from "../../domain/calendar.ts";
import { XlsxDamage } from "../limits.ts";
import { decodeXmlText, Unsupported, XmlScanner } from "./xlsx-scan.ts";

/**
 * The parts of an XLSX workbook a 110 export needs (ECMA-376 Part 1, SpreadsheetML): the sheets'
 * names and files, the shared strings, which cell styles are dates, and the rows of one sheet,
 * read through yauzl (the zip's central directory: any part in any order, no temporary files)
 * and saxes (XML), each part decoded as UTF-8 across chunk boundaries.
 *
 * Why not exceljs's streaming reader, as before: it decodes each inflated chunk on its own, so a
 * Chinese character cut by a chunk boundary became "��" (exceljs issues 2063 and 2084, open; one
 * cell in a thousand of a generated 30,000-row export), and it kept the shared strings as JS
 * strings, which overflowed the import thread's heap at 300,000 rows.
 */

export interface XlsxZip {
  readonly zip: yauzl.ZipFile;
  /** Entries by name, without a leading slash. */
  readonly entries: ReadonlyMap<string, yauzl.Entry>;
}

/** Opens a workbook and lists its parts (the central directory only: nothing is inflated yet). */
export function openXlsxZip(path: string): Promise<XlsxZip> {
  return new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (error, zip) => {
      if (error || !zip) return reject(error ?? new Error("cannot open"));
      const entries = new Map<string, yauzl.Entry>();
      zip.on("error", reject);
      zip.on("entry", (entry: yauzl.Entry) => {
        entries.set(entry.fileName.replace(/^\/+/, ""), entry);
        zip.readEntry();
      });
      zip.on("end", () => resolve({ zip, entries }));
      zip.readEntry();
    }),
  );
}

function openRawStream(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) =>
    zip.openReadStream(entry, { decodeFileData: false }, (error, stream) =>
      error || !stream ? reject(error) : resolve(stream as Readable),
    ),
  );
}

/** Bytes zlib gives back at a time: yauzl's default (16 KiB) cost a thread-pool round trip each. */
const INFLATE_CHUNK = 256 * 1024;

/**
 * An entry's bytes, inflated in chunks of 256 KiB, refused as soon as they pass the size the
 * archive declares (as yauzl's validateEntrySizes does, with its messages), so that a zip bomb
 * stops at the limit its declared sizes were checked against.
 */
export async function* inflatedChunks(zip: yauzl.ZipFile, entry: yauzl.Entry): AsyncGenerator<Buffer> {
  if (entry.isEncrypted()) throw new Error("entry is encrypted");
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8)
    throw new Error(`unsupported compression method: ${entry.compressionMethod}`);
  const raw = await openRawStream(zip, entry);
  const stream =
    entry.compressionMethod === 8 ? raw.pipe(createInflateRaw({ chunkSize: INFLATE_CHUNK })) : raw;
  if (stream !== raw) raw.on("error", (error) => stream.destroy(error));
  const expected = entry.uncompressedSize;
  let count = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      count += chunk.length;
      if (count > expected)
        throw new Error(`too many bytes in the stream. expected ${expected}. got at least ${count}`);
      yield chunk;
    }
  } finally {
    raw.destroy();
    stream.destroy();
  }
  if (count < expected)
    throw new Error(`not enough bytes in the stream. expected ${expected}. got only ${count}`);
}

/** Handlers of one part's XML: element names without their namespace prefix. */
interface XmlHandlers {
  open?(name: string, attributes: Record<string, string>): void;
  text?(text: string): void;
  close?(name: string): void;
}

const localName = (name: string) => {
  const colon = name.indexOf(":");
  return colon < 0 ? name : name.slice(colon + 1);
};

/**
 * Parses one part, yielding after each inflated chunk (so that a caller can hand on what the
 * handlers gathered); `onBytes` gets the inflated byte count so far, for progress.
 */
export function parsePart(
  parts: XlsxZip,
  name: string,
  handlers: XmlHandlers,
  onBytes?: (inflated: number) => void,
): AsyncGenerator<void> {
  return parts.entries.has(name) ? parseXml(partChunks(parts, name, onBytes), handlers) : nothing();
}

async function* nothing(): AsyncGenerator<void> {}

/** Parses XML given as UTF-8 chunks with saxes, yielding after each chunk. */
export async function* parseXml(chunks: AsyncIterable<Buffer>, handlers: XmlHandlers): AsyncGenerator<void> {
  const parser = new SaxesParser({ xmlns: false });
  let failure: Error | undefined;
  parser.on("error", (error) => {
    failure ??= error;
  });
  const { open, text, close } = handlers;
  if (open)
    parser.on("opentag", (tag: SaxesTagPlain) =>
      open(localName(tag.name), tag.attributes as Record<string, string>),
    );
  if (text) {
    parser.on("text", text);
    parser.on("cdata", text);
  }
  if (close) parser.on("closetag", (tag: SaxesTagPlain) => close(localName(tag.name)));
  // One decoder for the whole part: a character cut between two chunks is completed by the next.
  const decoder = new StringDecoder("utf8");
  for await (const chunk of chunks) {
    parser.write(decoder.write(chunk));
    if (failure) throw failure;
    yield;
  }
  parser.write(decoder.end());
  parser.close();
  if (failure) throw failure;
}

/** A part's inflated bytes, chunk by chunk; `onBytes` gets the inflated byte count so far. */
export async function* partChunks(
  parts: XlsxZip,
  name: string,
  onBytes?: (inflated: number) => void,
): AsyncGenerator<Buffer> {
  const entry = parts.entries.get(name);
  if (!entry) return;
  let inflated = 0;
  for await (const chunk of inflatedChunks(parts.zip, entry)) {
    inflated += chunk.length;
    onBytes?.(inflated);
    yield chunk;
  }
}

/**
 * The raw bytes of one text (a cell's value, a shared string) gathered from the scanner's pieces:
 * the first piece only referred to (most texts are one), more copied together. Stops growing once
 * it holds more than `max` + 1 characters, as `capped` does with strings.
 */
class ValueBytes {
  #first: Uint8Array | null = null;
  #firstStart = 0;
  #firstEnd = 0;
  #scratch = Buffer.allocUnsafe(256);
  #length = 0;
  #special = false;
  #frozen = false;
  #max = Number.POSITIVE_INFINITY;
  /** Bytes after which to check whether the text is already past `max` characters. */
  #checkAt = Number.POSITIVE_INFINITY;

  reset(max: number): void {
    this.#first = null;
    this.#length = 0;
    this.#special = false;
    this.#frozen = false;
    this.#max = max;
    // UTF-8 takes at most 4 bytes for 2 UTF-16 units, so 4 bytes a unit is past max for sure.
    this.#checkAt = 4 * (max + 2);
  }

  get empty(): boolean {
    return this.#first === null && this.#length === 0;
  }

  append(bytes: Uint8Array, start: number, end: number, special: boolean): void {
    if (this.#frozen) return;
    if (special) this.#special = true;
    if (this.#first === null && this.#length === 0 && end - start <= this.#checkAt) {
      this.#first = bytes;
      this.#firstStart = start;
      this.#firstEnd = end;
      return;
    }
    if (this.#first !== null) {
      const first = this.#first;
      this.#first = null;
      this.#copy(first, this.#firstStart, this.#firstEnd);
    }
    this.#copy(bytes, start, end);
    if (this.#length > this.#checkAt) {
      // Past max characters (one more for a character cut at the end): the rest is never kept.
      if (this.#decode(this.#scratch, 0, this.#length).length - 1 >= this.#max + 1) this.#frozen = true;
      else this.#checkAt *= 2;
    }
  }

  #copy(bytes: Uint8Array, start: number, end: number): void {
    const need = this.#length + end - start;
    if (need > this.#scratch.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.#scratch.length * 2));
      this.#scratch.copy(grown, 0, 0, this.#length);
      this.#scratch = grown;
    }
    this.#scratch.set(bytes.subarray(start, end), this.#length);
    this.#length = need;
  }

  #decode(bytes: Uint8Array, start: number, end: number): string {
    const raw = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("utf8", start, end);
    return this.#special ? decodeXmlText(raw) : raw;
  }

  /** The text, decoded, at most max + 1 characters. */
  text(): string {
    const text =
      this.#first !== null
        ? this.#decode(this.#first, this.#firstStart, this.#firstEnd)
        : this.#length === 0
          ? ""
          : this.#decode(this.#scratch, 0, this.#length);
    return text.length > this.#max + 1 ? text.slice(0, this.#max + 1) : text;
  }

  /** The text as a non-negative integer when it is 1 to 15 ASCII digits, else -1. */
  digits(): number {
    if (this.#first === null || this.#special) return -1;
    const bytes = this.#first;
    const start = this.#firstStart;
    const end = this.#firstEnd;
    if (end === start || end - start > 15) return -1;
    let n = 0;
    for (let i = start; i < end; i++) {
      const d = (bytes[i] as number) - 48;
      if (d < 0 || d > 9) return -1;
      n = n * 10 + d;
    }
    return n;
  }

  /** Adds the text to a shared-string table: its bytes as they are when they need no decoding. */
  addTo(table: SharedStrings): void {
    // Bytes are at least as many as UTF-16 units, so max + 1 bytes cannot be over the limit.
    const max = this.#max + 1;
    if (this.#special || this.#frozen) table.add(this.text());
    else if (this.#first !== null && this.#firstEnd - this.#firstStart <= max)
      table.addBytes(this.#first, this.#firstStart, this.#firstEnd);
    else if (this.#first === null && this.#length <= max) table.addBytes(this.#scratch, 0, this.#length);
    else table.add(this.text());
  }
}

/** Runs a part's handlers to the end. */
export async function readPart(parts: XlsxZip, name: string, handlers: XmlHandlers): Promise<void> {
  for await (const _ of parsePart(parts, name, handlers)) {
    // the handlers gather what the caller needs
  }
}

/** A worksheet as the workbook lists it: its tab name and its part. */
export interface SheetInfo {
  readonly name: string;
  readonly part: string | null;
  /** A tab Excel does not show (`state="hidden"` or `"veryHidden"`): a system's lookup lists. */
  readonly hidden: boolean;
}

/** The workbook's sheets in tab order, the date system, and where the shared strings and styles are. */
export interface WorkbookInfo {
  readonly sheets: readonly SheetInfo[];
  /** Serial dates count from 1904-01-01 (workbooks made by old Excel for Mac). */
  readonly date1904: boolean;
  readonly sharedStrings: string | null;
  readonly styles: string | null;
}

/** A relationship target relative to xl/ (or absolute from the package root) as a part name. */
function partName(target: string, base = "xl/"): string {
  if (target.startsWith("/")) return target.slice(1);
  const parts = `${base}${target}`.split("/");
  const out: string[] = [];
  for (const p of parts) {
    if (p === "..") out.pop();
    else if (p !== "." && p !== "") out.push(p);
  }
  return out.join("/");
}

export async function readWorkbookInfo(parts: XlsxZip): Promise<WorkbookInfo> {
  const targets = new Map<string, string>();
  let sharedStrings: string | null = null;
  let styles: string | null = null;
  await readPart(parts, "xl/_rels/workbook.xml.rels", {
    open(name, a) {
      if (name !== "Relationship" || !a.Target) return;
      const target = partName(a.Target);
      if (a.Id) targets.set(a.Id, target);
      if (a.Type?.endsWith("/sharedStrings")) sharedStrings = target;
      else if (a.Type?.endsWith("/styles")) styles = target;
    },
  });
  const sheets: SheetInfo[] = [];
  let date1904 = false;
  await readPart(parts, "xl/workbook.xml", {
    open(name, a) {
      if (name === "workbookPr") date1904 = a.date1904 === "1" || a.date1904 === "true";
      else if (name === "sheet") {
        const id = a["r:id"] ?? Object.entries(a).find(([k]) => k.endsWith(":id"))?.[1];
        sheets.push({
          name: a.name ?? String(sheets.length + 1),
          part: id ? (targets.get(id) ?? null) : null,
          hidden: a.state === "hidden" || a.state === "veryHidden",
        });
      }
    },
  });
  const has = (name: string) => (parts.entries.has(name) ? name : null);
  return {
    sheets,
    date1904,
    sharedStrings: sharedStrings ?? has("xl/sharedStrings.xml"),
    styles: styles ?? has("xl/styles.xml"),
  };
}

/**
 * A workbook's shared-string table, as UTF-8 in one growing buffer with an offset per string: a
 * few bytes of overhead per string, outside the JS heap, instead of a JS string each (a 300,000-row
 * export has millions: times, ids, addresses, narratives are mostly unique).
 */
export class SharedStrings {
  #bytes: Buffer;
  #used = 0;
  #ends = new Uint32Array(1 << 16);
  #count = 0;

  /**
   * @param capacity bytes to reserve: the part's uncompressed size bounds its text, so the buffer
   * never has to grow (growing would hold the old and the new copy at once); pages never written
   * are never resident.
   */
  constructor(capacity = 1 << 20) {
    this.#bytes = Buffer.allocUnsafe(Math.max(1024, capacity));
  }

  get size(): number {
    return this.#count;
  }

  /**
   * Lets go of the table's memory once the sheet has been read (a 1,000,000-row export's table is
   * some hundred MB, outside the JS heap): the import's commit then runs without it.
   */
  release(): void {
    this.#bytes = Buffer.alloc(0);
    this.#ends = new Uint32Array(0);
    this.#used = 0;
    this.#count = 0;
  }

  add(text: string): void {
    const need = Buffer.byteLength(text);
    if (this.#used + need > this.#bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.#bytes.length * 2, this.#used + need));
      this.#bytes.copy(grown, 0, 0, this.#used);
      this.#bytes = grown;
    }
    this.#used += this.#bytes.write(text, this.#used);
    this.#end();
  }

  /** Adds a string given as its UTF-8 bytes. */
  addBytes(bytes: Uint8Array, start: number, end: number): void {
    const need = end - start;
    if (this.#used + need > this.#bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.#bytes.length * 2, this.#used + need));
      this.#bytes.copy(grown, 0, 0, this.#used);
      this.#bytes = grown;
    }
    this.#bytes.set(bytes.subarray(start, end), this.#used);
    this.#used += need;
    this.#end();
  }

  #end(): void {
    if (this.#count === this.#ends.length) {
      const grown = new Uint32Array(this.#ends.length * 2);
      grown.set(this.#ends);
      this.#ends = grown;
    }
    this.#ends[this.#count++] = this.#used;
  }

  /** The string at `index`, or "" for an index the table does not have (a damaged file). */
  get(index: number): string {
    // Not an integer (<v>1.5</v>): "" too, where it gave the whole buffer, unwritten bytes and all.
    if (!(index >= 0 && index < this.#count && Number.isInteger(index))) return "";
    const start = index === 0 ? 0 : (this.#ends[index - 1] as number);
    return this.#bytes.toString("utf8", start, this.#ends[index]);
  }
}

/**
 * The shared strings: each `<si>` is its `<t>` texts joined (rich-text runs), phonetic guides
 * (`<rPh>`) left out. Read by the byte scanner, each string's bytes copied into the table as they
 * are (decoded only when they hold an entity or a CR, or may be over the limit); saxes reads a
 * part the scanner leaves to it.
 */
export async function readSharedStrings(
  parts: XlsxZip,
  name: string | null,
  maxChars = Number.POSITIVE_INFINITY,
): Promise<SharedStrings> {
  const capacity = name ? parts.entries.get(name)?.uncompressedSize : undefined;
  // A part the zip lacks is no string (as before: not an error).
  if (!name || !parts.entries.has(name)) return new SharedStrings(capacity);
  try {
    return await scanSharedStrings(partChunks(parts, name), maxChars, capacity);
  } catch (error) {
    if (!(error instanceof Unsupported)) throw error;
    return saxesSharedStrings(partChunks(parts, name), maxChars, capacity);
  }
}

const SI = 1;
const SST_T = 2;
const SST_RPH = 3;

/** The shared strings by the byte scanner; throws Unsupported where saxes must read the part. */
export async function scanSharedStrings(
  chunks: AsyncIterable<Buffer>,
  maxChars = Number.POSITIVE_INFINITY,
  capacity?: number,
): Promise<SharedStrings> {
  const table = new SharedStrings(capacity);
  const text = new ValueBytes();
  text.reset(maxChars);
  let inT = false;
  let inPhonetic = false;
  const scanner = new XmlScanner(["si", "t", "rPh"], [], {
    open(id) {
      if (id === SI) text.reset(maxChars);
      else if (id === SST_T) inT = true;
      else if (id === SST_RPH) inPhonetic = true;
    },
    text(bytes, start, end, special) {
      if (inT && !inPhonetic) text.append(bytes, start, end, special);
    },
    close(id) {
      if (id === SST_T) inT = false;
      else if (id === SST_RPH) inPhonetic = false;
      else if (id === SI) text.addTo(table);
    },
  });
  for await (const chunk of chunks) scanner.write(chunk);
  scanner.end();
  return table;
}

/** The shared strings read by saxes (the scanner's fallback, and its reference in tests). */
export async function saxesSharedStrings(
  chunks: AsyncIterable<Buffer>,
  maxChars = Number.POSITIVE_INFINITY,
  capacity?: number,
): Promise<SharedStrings> {
  const table = new SharedStrings(capacity);
  let text = "";
  let inT = false;
  let inPhonetic = false;
  for await (const _ of parseXml(chunks, {
    open(tag) {
      if (tag === "si") text = "";
      else if (tag === "t") inT = true;
      else if (tag === "rPh") inPhonetic = true;
    },
    text(t) {
      if (inT && !inPhonetic) text = capped(text, t, maxChars);
    },
    close(tag) {
      if (tag === "t") inT = false;
      else if (tag === "rPh") inPhonetic = false;
      else if (tag === "si") table.add(text);
    },
  })) {
    // the handlers fill the table
  }
  return table;
}

/**
 * Built-in number formats that show a date or time (ECMA-376 Part 1, 18.8.30): 14–22 and 45–47,
 * and the East Asian ones Chinese Excel writes (27–36, 50–58: yyyy"年"m"月"d"日" and the like).
 */
const BUILT_IN_DATES = new Set([
  14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54,
  55, 56, 57, 58,
]);

/** A custom format shows a date when, outside quotes and brackets, it has y, m, d, h or s (as exceljs judged it). */
export function isDateFormat(code: string): boolean {
  const bare = code
    .replace(/\[[^\]]*]/g, "")
    .replace(/"[^"]*"/g, "")
    .replace(/\\./g, "");
  return /[ymdhs]/i.test(bare);
}

/** For each cell style (`s` of a cell, the index into `cellXfs`): whether it shows a date. */
export async function readDateStyles(parts: XlsxZip, name: string | null): Promise<boolean[]> {
  const dates: boolean[] = [];
  if (!name) return dates;
  const custom = new Map<number, boolean>();
  let inCellXfs = false;
  await readPart(parts, name, {
    open(tag, a) {
      if (tag === "numFmt") custom.set(Number(a.numFmtId), isDateFormat(a.formatCode ?? ""));
      else if (tag === "cellXfs") inCellXfs = true;
      else if (tag === "xf" && inCellXfs) {
        const id = Number(a.numFmtId ?? 0);
        dates.push(custom.get(id) ?? BUILT_IN_DATES.has(id));
      }
    },
    close(tag) {
      if (tag === "cellXfs") inCellXfs = false;
    },
  });
  return dates;
}

/**
 * `text + more`, but no longer than one character past `max`: a cell's text stops growing once it
 * is too long (the reader then flags the row), so one cell of 300 MB cannot fill the heap (it
 * aborted the process). One character past keeps "too long" visible.
 */
function capped(text: string, more: string, max: number): string {
  if (text.length > max) return text;
  return text.length + more.length <= max + 1 ? text + more : text + more.slice(0, max + 1 - text.length);
}

/** Excel's last column, XFD (ECMA-376 Part 1, 18.3.1.4: at most 16,384 columns). */
const LAST_COLUMN = 16_384;

/** Columns up to which an empty cell widens its row; exports have tens of columns. */
const EMPTY_CELLS_COUNT_TO = 1_024;

/** Column number (1-based) of a cell reference such as "AB12"; 0 when there is none. */
export function columnOf(ref: string | undefined): number {
  if (!ref) return 0;
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c >= 65 && c <= 90) n = n * 26 + (c - 64);
    else if (c >= 97 && c <= 122) n = n * 26 + (c - 96);
    else break;
  }
  return n;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** A date as the wall-clock text Excel shows (Excel has no time zones), "YYYY-MM-DD HH:mm:ss". */
export function wallClockText(date: Date): string {
  if (Number.isNaN(date.getTime())) return "";
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}

/** "00" to "99": two-digit fields without padStart. */
const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, "0"));
const DAY_MS = 86_400_000;
/** 1000-01-01 and 10000-01-01 (ms since 1970): years of four digits, as wallClockText writes them. */
const FOUR_DIGIT_YEARS_FROM = -30_610_224_000_000;
const FOUR_DIGIT_YEARS_TO = 253_402_300_800_000;

/**
 * An Excel serial date (days since 1899-12-30, or 1904-01-01) as wall-clock text, to the
 * millisecond rounded. The calendar date by integer arithmetic (H. Hinnant, "chrono-Compatible
 * Low-Level Date Algorithms", civil_from_days: src/domain/calendar.ts) instead of a Date and six padStart calls a cell;
 * the same text as wallClockText (a test compares them).
 */
export function serialDateText(serial: number, date1904: boolean): string {
  const ms = Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * DAY_MS);
  if (!(ms >= FOUR_DIGIT_YEARS_FROM && ms < FOUR_DIGIT_YEARS_TO)) return wallClockText(new Date(ms));
  const days = Math.floor(ms / DAY_MS);
  const seconds = Math.floor((ms - days * DAY_MS) / 1000);
  const { year, month, day } = civilFromDays(days);
  const two = TWO_DIGITS;
  return `${year}-${two[month]}-${two[day]} ${two[Math.floor(seconds / 3600)]}:${two[Math.floor(seconds / 60) % 60]}:${two[seconds % 60]}`;
}

/** One row of a sheet: its number (1-based, as Excel shows) and its cells' text by column. */
export interface SheetRow {
  readonly number: number;
  readonly cells: string[];
  /**
   * Columns (0-based) of cells holding a formula without a calculated value (no `<v>`): a file
   * written by a program that does not calculate (Apache POI, openpyxl). Read as empty.
   */
  readonly uncalculated?: number[];
}

/**
 * Whether `text` is an integer as String(Number(text)) writes it: 1 to 15 digits (exact in a
 * double), no leading zero, an optional minus before a non-zero number.
 */
export function isPlainInteger(text: string): boolean {
  const start = text.charCodeAt(0) === 45 ? 1 : 0;
  const length = text.length - start;
  if (length < 1 || length > 15) return false;
  const first = text.charCodeAt(start);
  if (first === 48) return length === 1 && start === 0;
  if (first < 49 || first > 57) return false;
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A cell's text from its type (`t`), raw value and style (`s`), as the module's header says. */
function cellText(
  type: string,
  value: string,
  style: number,
  strings: SharedStrings,
  dateStyles: readonly boolean[],
  date1904: boolean,
  column: number,
  row: number,
): string {
  if (type === "s") return value === "" ? "" : sharedString(strings, Number(value), value, column, row);
  if (type === "b") return value === "1" ? "true" : value === "0" ? "false" : value;
  if (type === "n" && value !== "") {
    // Most numbers of an export (phones, ids, counts) are already as JavaScript writes them.
    if (!dateStyles[style] && isPlainInteger(value)) return value;
    const n = Number(value);
    if (Number.isNaN(n)) return value;
    // A serial past every date JavaScript holds (1e20) stays as written: the time's issue quotes it.
    return dateStyles[style] ? serialDateText(n, date1904) || value : String(n);
  }
  if (type === "d") {
    // An ISO 8601 date cell: its wall clock as written (no time zone to convert from).
    const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2})(?::(\d{2}))?)?/.exec(value);
    return m ? `${m[1]} ${m[2] ?? "00:00"}:${m[3] ?? "00"}` : value;
  }
  return value;
}

/**
 * The shared string a cell names. One the table lacks (an index past it, or no integer) is damage:
 * read as "", the cell's value was lost without a word; the file is refused, naming the cell.
 */
function sharedString(
  strings: SharedStrings,
  index: number,
  written: string,
  column: number,
  row: number,
): string {
  if (Number.isInteger(index) && index >= 0 && index < strings.size) return strings.get(index);
  const cell = `${columnLetters(column)}${row}`;
  throw new XlsxDamage(
    `单元格 ${cell} 引用的共享字符串 ${written} 不存在（工作簿共有 ${strings.size} 个），文件已损坏；请用 Excel/WPS 打开并另存为 .xlsx 或 CSV 后再导入`,
    `cell ${cell} names shared string ${written}, which the workbook does not have (it has ${strings.size}); open it in Excel/WPS and save it again as .xlsx or CSV`,
  );
}

/** Column letters of a 1-based column number: 1 → A, 28 → AB. */
export function columnLetters(column: number): string {
  let letters = "";
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26))
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

/** A cell past Excel's last column: damage (see sheetRows). */
function pastLastColumn(ref: string | undefined, column: number): Error {
  const cell = ref ?? `#${column}`;
  return new XlsxDamage(
    `单元格 ${cell} 超出了 Excel 的最后一列（XFD）`,
    `cell ${cell} lies past Excel's last column (XFD)`,
  );
}

/** Puts a cell's text in its row: see sheetRows for why an empty cell far right does not count. */
function place(cells: string[], column: number, text: string): void {
  if (text === "" && column > EMPTY_CELLS_COUNT_TO) return;
  while (cells.length < column - 1) cells.push("");
  cells[column - 1] = text;
}

/**
 * The rows of one sheet, a chunk at a time: each cell as text — shared and inline strings as
 * written, numbers as JavaScript writes them (13812345678, 3.5), date-styled numbers as wall-clock
 * text, booleans true/false, errors (#N/A) as written, a formula as its cached result (empty when
 * it was never calculated).
 *
 * Read by the byte scanner (xlsx-scan.ts); a sheet it leaves to saxes is read again from its start
 * by saxesSheetRows, which gives the same rows, and the rows already given are not given twice.
 */
export async function* sheetRows(
  parts: XlsxZip,
  part: string,
  strings: SharedStrings,
  dateStyles: readonly boolean[],
  date1904: boolean,
  onBytes?: (inflated: number) => void,
  maxCellChars = Number.POSITIVE_INFINITY,
): AsyncGenerator<SheetRow[]> {
  if (!parts.entries.has(part)) return;
  let given = 0;
  let inflated = 0;
  const progress = (n: number) => {
    // Read again from the start, the part's progress does not go back.
    inflated = Math.max(inflated, n);
    onBytes?.(inflated);
  };
  try {
    for await (const rows of scanSheetRows(
      partChunks(parts, part, progress),
      strings,
      dateStyles,
      date1904,
      maxCellChars,
    )) {
      given += rows.length;
      yield rows;
    }
    return;
  } catch (error) {
    if (!(error instanceof Unsupported)) throw error;
  }
  for await (const rows of saxesSheetRows(
    partChunks(parts, part, progress),
    strings,
    dateStyles,
    date1904,
    maxCellChars,
  )) {
    if (given >= rows.length) {
      given -= rows.length;
      continue;
    }
    yield given > 0 ? rows.slice(given) : rows;
    given = 0;
  }
}

const ROW = 1;
const C = 2;
const V = 3;
const IS = 4;
const T = 5;
const RPH = 6;
const F = 7;
/** Attributes read: r (of a row or a cell), t and s (of a cell). */
const A_R = 0;
const A_T = 1;
const A_S = 2;

/** The sheet's rows (its part's chunks) by the byte scanner; throws Unsupported where saxes must read the part. */
export async function* scanSheetRows(
  chunks: AsyncIterable<Buffer>,
  strings: SharedStrings,
  dateStyles: readonly boolean[],
  date1904: boolean,
  maxCellChars = Number.POSITIVE_INFINITY,
): AsyncGenerator<SheetRow[]> {
  let ready: SheetRow[] = [];
  let rowNumber = 0;
  let cells: string[] = [];
  let column = 0;
  let type = "n";
  let style = 0;
  const value = new ValueBytes();
  let inValue = false;
  let inInline = false;
  let inPhonetic = false;
  // The cell has a formula, and a <v> (its calculated value): see SheetRow.uncalculated.
  let formula = false;
  let calculated = false;
  let uncalculated: number[] | undefined;
  const scanner: XmlScanner = new XmlScanner(["row", "c", "v", "is", "t", "rPh", "f"], ["r", "t", "s"], {
    open(id) {
      switch (id) {
        case ROW: {
          const r = scanner.attributeDigits(A_R);
          if (r >= 0) rowNumber = r;
          else {
            const text = scanner.attribute(A_R);
            rowNumber = text ? Number(text) : rowNumber + 1;
          }
          cells = [];
          column = 0;
          uncalculated = undefined;
          break;
        }
        case C: {
          const start = scanner.attrStart[A_R] as number;
          let ref = 0;
          if (start >= 0) {
            if (scanner.attrSpecial[A_R]) ref = columnOf(scanner.attribute(A_R));
            else {
              const bytes = scanner.bytes;
              const end = scanner.attrEnd[A_R] as number;
              for (let i = start; i < end; i++) {
                const c = bytes[i] as number;
                if (c >= 65 && c <= 90) ref = ref * 26 + (c - 64);
                else if (c >= 97 && c <= 122) ref = ref * 26 + (c - 96);
                else break;
              }
            }
          }
          column = ref || column + 1;
          if (column > LAST_COLUMN) throw pastLastColumn(scanner.attribute(A_R), column);
          const t = scanner.attrStart[A_T] as number;
          if (t < 0) type = "n";
          else if (scanner.attrEnd[A_T] === t + 1 && (scanner.bytes[t] as number) < 0x80) {
            // One letter, the usual case (s, n, b, e): its string without decoding.
            const letter = scanner.bytes[t] as number;
            type =
              letter === 115 ? "s" : letter === 110 ? "n" : letter === 98 ? "b" : String.fromCharCode(letter);
          } else type = scanner.attribute(A_T) ?? "n";
          const s = scanner.attributeDigits(A_S);
          if (s >= 0) style = s;
          else {
            const text = scanner.attribute(A_S);
            style = text ? Number(text) : 0;
          }
          value.reset(maxCellChars);
          formula = false;
          calculated = false;
          break;
        }
        case V:
          inValue = true;
          calculated = true;
          break;
        case F:
          formula = true;
          break;
        case IS:
          inInline = true;
          break;
        case T:
          if (inInline) inValue = true;
          break;
        case RPH:
          inPhonetic = true;
          break;
      }
    },
    text(bytes, start, end, special) {
      if (inValue && !inPhonetic) value.append(bytes, start, end, special);
    },
    close(id) {
      switch (id) {
        case V:
        case T:
          inValue = false;
          break;
        case IS:
          inInline = false;
          break;
        case RPH:
          inPhonetic = false;
          break;
        case C: {
          // A shared string's index, the usual cell of an export, without a string for it.
          const index = type === "s" ? value.digits() : -1;
          const text =
            index >= 0 && index < strings.size
              ? strings.get(index)
              : cellText(
                  type,
                  value.empty ? "" : value.text(),
                  style,
                  strings,
                  dateStyles,
                  date1904,
                  column,
                  rowNumber,
                );
          place(cells, column, text);
          if (formula && !calculated) uncalculated = [...(uncalculated ?? []), column - 1];
          break;
        }
        case ROW:
          ready.push(
            uncalculated ? { number: rowNumber, cells, uncalculated } : { number: rowNumber, cells },
          );
          break;
      }
    },
  });
  for await (const chunk of chunks) {
    scanner.write(chunk);
    if (ready.length > 0) {
      yield ready;
      ready = [];
    }
  }
  scanner.end();
  if (ready.length > 0) yield ready;
}

/** The sheet's rows (its part's chunks) read by saxes: the scanner's fallback, and its reference in tests. */
export async function* saxesSheetRows(
  chunks: AsyncIterable<Buffer>,
  strings: SharedStrings,
  dateStyles: readonly boolean[],
  date1904: boolean,
  maxCellChars = Number.POSITIVE_INFINITY,
): AsyncGenerator<SheetRow[]> {
  let ready: SheetRow[] = [];
  let rowNumber = 0;
  let cells: string[] = [];
  let column = 0;
  let type = "n";
  let style = 0;
  let value = "";
  let inValue = false;
  let inInline = false;
  let inPhonetic = false;
  let formula = false;
  let calculated = false;
  let uncalculated: number[] | undefined;
  const handlers: XmlHandlers = {
    open(tag, a) {
      switch (tag) {
        case "row":
          rowNumber = a.r ? Number(a.r) : rowNumber + 1;
          cells = [];
          column = 0;
          uncalculated = undefined;
          break;
        case "c":
          column = columnOf(a.r) || column + 1;
          // A sheet has 16,384 columns (XFD): a reference past it is damage, and padding a row up
          // to it (ZZZZZZ3 is column 321,272,406) ran the import thread out of memory.
          if (column > LAST_COLUMN) throw pastLastColumn(a.r, column);
          type = a.t ?? "n";
          style = a.s ? Number(a.s) : 0;
          value = "";
          formula = false;
          calculated = false;
          break;
        case "v":
          inValue = true;
          calculated = true;
          break;
        case "f":
          formula = true;
          break;
        case "is":
          inInline = true;
          break;
        case "t":
          if (inInline) inValue = true;
          break;
        case "rPh":
          inPhonetic = true;
          break;
      }
    },
    text(t) {
      if (inValue && !inPhonetic) value = capped(value, t, maxCellChars);
    },
    close(tag) {
      switch (tag) {
        case "v":
        case "t":
          inValue = false;
          break;
        case "is":
          inInline = false;
          break;
        case "rPh":
          inPhonetic = false;
          break;
        case "c":
          // An empty cell (a style without a value) far to the right does not widen its row: a
          // range formatted out to XFD gave every row 16,384 cells (20,000 rows: out of memory).
          // Nearer, it still counts, so a styled blank header cell keeps its column as before.
          place(
            cells,
            column,
            cellText(type, value, style, strings, dateStyles, date1904, column, rowNumber),
          );
          if (formula && !calculated) uncalculated = [...(uncalculated ?? []), column - 1];
          break;
        case "row":
          ready.push(
            uncalculated ? { number: rowNumber, cells, uncalculated } : { number: rowNumber, cells },
          );
          break;
      }
    },
  };
  for await (const _ of parseXml(chunks, handlers)) {
    if (ready.length > 0) {
      yield ready;
      ready = [];
    }
  }
  if (ready.length > 0) yield ready;
}
