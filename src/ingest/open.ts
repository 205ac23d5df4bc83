import { open } from "node:fs/promises";
import { extname } from "node:path";
import { InputError } from "../domain/index.ts";
import type { ReadLimits } from "./limits.ts";
import { profileColumns } from "./profile/mapper.ts";
import type { Profile } from "./profile/schema.ts";
import { readCsv } from "./readers/csv.ts";
import { chunkDecoder, detectEncoding, type EncodingName } from "./readers/encoding.ts";
import { readJsonl } from "./readers/jsonl.ts";
import { trimCell } from "./readers/trim.ts";
import type { RecordSource, SourceRecord } from "./readers/types.ts";

export type InputFormat = "csv" | "xlsx" | "jsonl";

/** The format of a file: the profile's choice, else its extension (CSV for anything unknown). */
export function inputFormat(path: string, profile: Profile): InputFormat {
  const chosen = profile.input?.format;
  if (chosen && chosen !== "auto") return chosen;
  const ext = extname(path).toLowerCase();
  if (ext === ".xlsx" || ext === ".xlsm") return "xlsx";
  if (ext === ".xls")
    throw new InputError("xls_unsupported", {
      zh: "不支持旧版 .xls 文件，请在 Excel/WPS 中另存为 .xlsx 或 CSV",
      en: "legacy .xls files are not supported; save as .xlsx or CSV in Excel/WPS",
    });
  if (ext === ".jsonl" || ext === ".ndjson") return "jsonl";
  return "csv";
}

/** A file that is text: CSV or JSONL as its profile says, else by its name (CSV for an Excel name). */
function textFormat(path: string, profile: Profile): "csv" | "jsonl" {
  const chosen = profile.input?.format;
  if (chosen === "csv" || chosen === "jsonl") return chosen;
  const ext = extname(path).toLowerCase();
  return ext === ".jsonl" || ext === ".ndjson" ? "jsonl" : "csv";
}

/** First bytes of a ZIP archive (an XLSX workbook) and of an OLE2 compound file (a legacy .xls). */
const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE2 = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

/**
 * What the file's first bytes say it is, whatever its name and the profile: a workbook saved as
 * XLSX or as legacy XLS is never text, so a profile written for a system's CSV export still reads
 * the same export saved from Excel, and a renamed .xls gets its own message instead of garbled
 * columns; text is read as text even when named .xls or .xlsx (dispatch systems often give their
 * CSV or tab-separated exports an Excel name), and an HTML table saved as .xls is named as such.
 * Null for an empty or unreadable file (the readers report those in their own words).
 */
async function sniffedFormat(path: string): Promise<"xlsx" | "xls" | "html" | "text" | null> {
  let head: Buffer;
  try {
    const file = await open(path, "r");
    try {
      head = Buffer.alloc(512);
      const { bytesRead } = await file.read(head, 0, head.length, 0);
      head = head.subarray(0, bytesRead);
    } finally {
      await file.close();
    }
  } catch {
    return null;
  }
  if (head.length === 0) return null;
  const starts = (magic: readonly number[]) =>
    head.length >= magic.length && magic.every((byte, i) => head[i] === byte);
  if (starts(ZIP)) return "xlsx";
  if (starts(OLE2)) return "xls";
  const ascii = head
    .toString("latin1")
    .replace(/^\xef\xbb\xbf/, "")
    .trimStart()
    .toLowerCase();
  if (ascii.startsWith("<") && /<(html|table|!doctype html)[\s>]/.test(ascii)) return "html";
  return "text";
}

/**
 * An error of the file system while the file to import is opened, as the user's error it is:
 * the file gone (ENOENT, or ENOTDIR: a folder on its path is a file now), a folder now (EISDIR),
 * or not readable any more (EACCES, EPERM). A command checks its files before the first is
 * imported, so these happen when a file is moved, replaced or locked during a long import of
 * several; each is an InputError naming the file (as the up-front checks name theirs), so that
 * the command reports the file and goes on to the next. Any other error is given back as it is.
 * @example fileAccessError(Object.assign(new Error("EISDIR"), { code: "EISDIR" }), "2024-05.csv") // InputError not_a_file
 */
export function fileAccessError(error: unknown, file: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "ENOENT" || code === "ENOTDIR")
    return new InputError("file_not_found", {
      zh: `文件 ${file} 已不存在（导入开始后被移走、改名或删除？${code}）`,
      en: `the file ${file} is no longer there (moved, renamed or deleted after the import started? ${code})`,
    });
  if (code === "EISDIR")
    return new InputError("not_a_file", {
      zh: `${file} 现在是一个目录，不是文件（导入开始后被替换？${code}）`,
      en: `${file} is a directory now, not a file (replaced after the import started? ${code})`,
    });
  if (code === "EACCES" || code === "EPERM")
    return new InputError("file_unreadable", {
      zh: `无权读取文件 ${file}（导入开始后权限被改？${code}）`,
      en: `no permission to read the file ${file} (its permissions changed after the import started? ${code})`,
    });
  return error;
}

/** Opens a file with the reader its format needs. `encoding` (the --encoding flag) wins over the profile. */
export async function openSource(
  path: string,
  profile: Profile,
  limits: ReadLimits,
  encoding?: EncodingName,
): Promise<RecordSource> {
  const sniffed = await sniffedFormat(path);
  if (sniffed === "xls")
    throw new InputError("xls_unsupported", {
      zh: "这是旧版 Excel（.xls）文件，不支持；请在 Excel/WPS 中另存为 .xlsx 或 CSV",
      en: "this is a legacy Excel (.xls) file, which is not supported; save it as .xlsx or CSV in Excel/WPS",
    });
  if (sniffed === "html")
    throw new InputError("html_unsupported", {
      zh: "这是网页（HTML 表格）文件，只是用了 Excel 的扩展名；请在 Excel/WPS 中打开，另存为 .xlsx 或 CSV 后导入",
      en: "this is a web page (an HTML table) with an Excel name; open it in Excel/WPS, save it as .xlsx or CSV and import that",
    });
  const format =
    sniffed === "xlsx" ? "xlsx" : sniffed === "text" ? textFormat(path, profile) : inputFormat(path, profile);
  const enc = encoding ?? profile.input?.encoding ?? "auto";
  // The import wizard's preview opens files with an input-only stand-in that names no columns.
  const columns = profile.sourceId === undefined ? [] : profileColumns(profile);
  // The XLSX reader is loaded only for XLSX files.
  if (format === "xlsx")
    return withHeaderRow(
      await (await import("./readers/xlsx.ts")).readXlsx(path, {
        limits,
        ...(profile.input?.sheet !== undefined ? { sheet: profile.input.sheet } : {}),
      }),
      columns,
    );
  if (format === "jsonl") return readJsonl(path, { encoding: enc, limits, columns });
  const delimiter = profile.input?.delimiter ?? ",";
  return withHeaderRow(
    await readCsv(path, {
      encoding: enc,
      delimiter: (await headerDelimiter(path, enc, delimiter, columns)) ?? delimiter,
      limits,
    }),
    columns,
  );
}

/** How many rows above the header (a title, a date range, notes, blank rows) are looked through. */
const TITLE_ROWS = 30;

/**
 * The source with its header found: when the first row does not hold the profile's columns but a
 * row among the next 30 does (Chinese exports often start with a title such as "2024年5月警情登记表"
 * over the whole width, or the query that made them), that row is the header, the rows above it
 * are left out and counted (`titleRows`), and data rows count from it. Otherwise the source as it
 * is, so that the mapper names the missing columns.
 */
async function withHeaderRow(source: RecordSource, columns: readonly string[]): Promise<RecordSource> {
  const holds = (cells: readonly string[]) => {
    const names = new Set(cells.map(trimCell));
    return columns.every((c) => names.has(c));
  };
  if (columns.length === 0 || holds(source.header)) return source;
  const iterator = source.batches[Symbol.asyncIterator]();
  const looked: SourceRecord[] = [];
  let found: SourceRecord | undefined;
  let rest: readonly SourceRecord[] = [];
  while (found === undefined && looked.length < TITLE_ROWS) {
    const next = await iterator.next();
    if (next.done) break;
    const batch = next.value;
    let k = 0;
    while (k < batch.length && looked.length < TITLE_ROWS) {
      const record = batch[k] as SourceRecord;
      k++;
      if (record.problem === undefined && holds(record.cells)) {
        found = record;
        break;
      }
      looked.push(record);
    }
    rest = batch.slice(k);
    if (found === undefined && rest.length > 0) break; // looked through TITLE_ROWS rows
  }
  const remaining = async function* (
    first: readonly SourceRecord[],
    shift: (r: SourceRecord) => SourceRecord,
  ) {
    if (first.length > 0) yield first.map(shift);
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value.map(shift);
    }
  };
  if (found === undefined) return { ...source, batches: remaining([...looked, ...rest], (r) => r) };
  const header = found.cells.map(trimCell);
  const offset = found.row;
  // An XLSX row is as long as its last cell (Excel stores no empty cells): pad it to the new header.
  const pad = source.encoding === "xlsx";
  const shift = (r: SourceRecord): SourceRecord => ({
    ...r,
    row: r.row - offset,
    cells:
      pad && r.cells.length < header.length
        ? [...r.cells, ...Array(header.length - r.cells.length).fill("")]
        : r.cells,
  });
  return { ...source, header, batches: remaining(rest, shift), titleRows: offset };
}

/** Delimiters a text export may use besides the profile's: Excel's "Unicode text" is tab-separated. */
const DELIMITERS = [",", "\t", ";", "|"];

/**
 * Another delimiter, when the header does not hold the profile's columns split by its own but does
 * split by that one: the same system's export saved as tab-separated text (Excel's "Unicode text",
 * UTF-16) or with semicolons (a European locale's CSV) then reads with the profile unchanged.
 * Null when the profile's delimiter fits, or no other does (the mapper then names the missing columns).
 */
async function headerDelimiter(
  path: string,
  encoding: EncodingName,
  delimiter: string,
  columns: readonly string[],
): Promise<string | null> {
  if (columns.length === 0) return null;
  let sample: Buffer;
  try {
    const file = await open(path, "r");
    try {
      const buffer = Buffer.alloc(64 * 1024);
      const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
      sample = buffer.subarray(0, bytesRead);
    } finally {
      await file.close();
    }
  } catch {
    return null; // The reader reports a missing or unreadable file in its own words.
  }
  const detected = encoding === "auto" ? detectEncoding(sample) : { encoding, bomBytes: 0 };
  const text = chunkDecoder(detected.encoding)
    .write(sample.subarray(detected.bomBytes))
    .replace(/^\uFEFF/, "");
  const line = text.split(/\r\n|\n|\r/, 1)[0] ?? "";
  const fits = (d: string) => {
    const names = new Set(line.split(d).map((cell) => trimCell(trimCell(cell).replace(/^"(.*)"$/, "$1"))));
    return columns.every((c) => names.has(c));
  };
  if (fits(delimiter)) return null;
  return DELIMITERS.find((d) => d !== delimiter && fits(d)) ?? null;
}
