import { StringDecoder } from "node:string_decoder";
import { SaxesParser, type SaxesTagPlain } from "saxes";
import yauzl from "yauzl";

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

function openStream(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) =>
    zip.openReadStream(entry, (error, stream) => (error || !stream ? reject(error) : resolve(stream))),
  );
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
export async function* parsePart(
  parts: XlsxZip,
  name: string,
  handlers: XmlHandlers,
  onBytes?: (inflated: number) => void,
): AsyncGenerator<void> {
  const entry = parts.entries.get(name);
  if (!entry) return;
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
  let inflated = 0;
  for await (const chunk of (await openStream(parts.zip, entry)) as AsyncIterable<Buffer>) {
    inflated += chunk.length;
    parser.write(decoder.write(chunk));
    if (failure) throw failure;
    onBytes?.(inflated);
    yield;
  }
  parser.write(decoder.end());
  parser.close();
  if (failure) throw failure;
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

  add(text: string): void {
    const need = Buffer.byteLength(text);
    if (this.#used + need > this.#bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.#bytes.length * 2, this.#used + need));
      this.#bytes.copy(grown, 0, 0, this.#used);
      this.#bytes = grown;
    }
    this.#used += this.#bytes.write(text, this.#used);
    if (this.#count === this.#ends.length) {
      const grown = new Uint32Array(this.#ends.length * 2);
      grown.set(this.#ends);
      this.#ends = grown;
    }
    this.#ends[this.#count++] = this.#used;
  }

  /** The string at `index`, or "" for an index the table does not have (a damaged file). */
  get(index: number): string {
    if (!(index >= 0 && index < this.#count)) return "";
    const start = index === 0 ? 0 : (this.#ends[index - 1] as number);
    return this.#bytes.toString("utf8", start, this.#ends[index]);
  }
}

/** The shared strings: each `<si>` is its `<t>` texts joined (rich-text runs), phonetic guides (`<rPh>`) left out. */
export async function readSharedStrings(
  parts: XlsxZip,
  name: string | null,
  maxChars = Number.POSITIVE_INFINITY,
): Promise<SharedStrings> {
  const table = new SharedStrings(name ? parts.entries.get(name)?.uncompressedSize : undefined);
  if (!name) return table;
  let text = "";
  let inT = false;
  let inPhonetic = false;
  await readPart(parts, name, {
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
  });
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

/** An Excel serial date (days since 1899-12-30, or 1904-01-01) as wall-clock text, to the millisecond rounded. */
export function serialDateText(serial: number, date1904: boolean): string {
  return wallClockText(new Date(Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * 86_400_000)));
}

/** One row of a sheet: its number (1-based, as Excel shows) and its cells' text by column. */
export interface SheetRow {
  readonly number: number;
  readonly cells: string[];
}

/**
 * The rows of one sheet, a chunk at a time: each cell as text — shared and inline strings as
 * written, numbers as JavaScript writes them (13812345678, 3.5), date-styled numbers as wall-clock
 * text, booleans true/false, errors (#N/A) as written, a formula as its cached result (empty when
 * it was never calculated).
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
  const handlers: XmlHandlers = {
    open(tag, a) {
      switch (tag) {
        case "row":
          rowNumber = a.r ? Number(a.r) : rowNumber + 1;
          cells = [];
          column = 0;
          break;
        case "c":
          column = columnOf(a.r) || column + 1;
          // A sheet has 16,384 columns (XFD): a reference past it is damage, and padding a row up
          // to it (ZZZZZZ3 is column 321,272,406) ran the import thread out of memory.
          if (column > LAST_COLUMN)
            throw new Error(`cell ${a.r ?? `#${column}`} lies past Excel's last column (XFD)`);
          type = a.t ?? "n";
          style = a.s ? Number(a.s) : 0;
          value = "";
          break;
        case "v":
          inValue = true;
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
        case "c": {
          let text = value;
          if (type === "s") text = strings.get(Number(value));
          else if (type === "b") text = value === "1" ? "true" : value === "0" ? "false" : value;
          else if (type === "n" && value !== "") {
            const n = Number(value);
            text = Number.isNaN(n) ? value : dateStyles[style] ? serialDateText(n, date1904) : String(n);
          } else if (type === "d") {
            // An ISO 8601 date cell: its wall clock as written (no time zone to convert from).
            const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2})(?::(\d{2}))?)?/.exec(value);
            text = m ? `${m[1]} ${m[2] ?? "00:00"}:${m[3] ?? "00"}` : value;
          }
          // An empty cell (a style without a value) far to the right does not widen its row: a
          // range formatted out to XFD gave every row 16,384 cells (20,000 rows: out of memory).
          // Nearer, it still counts, so a styled blank header cell keeps its column as before.
          if (text === "" && column > EMPTY_CELLS_COUNT_TO) break;
          while (cells.length < column - 1) cells.push("");
          cells[column - 1] = text;
          break;
        }
        case "row":
          ready.push({ number: rowNumber, cells });
          break;
      }
    },
  };
  for await (const _ of parsePart(parts, part, handlers, onBytes)) {
    if (ready.length > 0) {
      yield ready;
      ready = [];
    }
  }
  if (ready.length > 0) yield ready;
}
