import { stat } from "node:fs/promises";
import { basename } from "node:path";
import yauzl from "yauzl";
import { InputError, isRecurError } from "../../domain/index.ts";
import {
  fileTooLarge,
  notXlsx,
  type ReadLimits,
  xlsxRatio,
  xlsxStringsTooLarge,
  xlsxTooLarge,
} from "../limits.ts";
import { trimCell } from "./trim.ts";
import type { RecordSource, SourceRecord } from "./types.ts";
import {
  inflatedChunks,
  openXlsxZip,
  readDateStyles,
  readSharedStrings,
  readWorkbookInfo,
  type SharedStrings,
  type SheetRow,
  sheetRows,
  type WorkbookInfo,
  type XlsxZip,
} from "./xlsx-parts.ts";

const MiB = 1024 * 1024;

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (error, zip) =>
      error || !zip ? reject(error ?? new Error("cannot open")) : resolve(zip),
    ),
  );
}

/** Every entry of the central directory, in its order (duplicate names too). */
function listEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on("error", reject);
    zip.on("end", () => resolve(entries));
    zip.on("entry", (entry: yauzl.Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.readEntry();
  });
}

/** An archive's entries with their declared sizes and ratios checked (the central directory only). */
interface CheckedArchive {
  readonly zip: yauzl.ZipFile;
  readonly entries: readonly yauzl.Entry[];
}

/** Opens the archive and checks the declared size of every entry, and their sum, against the limits. */
async function openChecked(path: string, limits: ReadLimits): Promise<CheckedArchive> {
  const file = basename(path);
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(path);
  } catch (error) {
    throw notXlsx(file, error as Error);
  }
  try {
    let entries: yauzl.Entry[];
    try {
      entries = await listEntries(zip);
    } catch (error) {
      throw notXlsx(file, error as Error);
    }
    let declared = 0;
    for (const entry of entries) {
      declared += entry.uncompressedSize;
      if (declared > limits.maxXlsxUnpackedBytes)
        throw xlsxTooLarge(file, declared, limits.maxXlsxUnpackedBytes);
      const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
      if (entry.uncompressedSize > MiB && ratio > limits.maxXlsxRatio)
        throw xlsxRatio(file, entry.fileName, ratio, limits.maxXlsxRatio);
    }
    return { zip, entries };
  } catch (error) {
    zip.close();
    throw error;
  }
}

/**
 * Inflates every entry once, counting real bytes, so that a lying header cannot get past the
 * limit (an entry is also refused as soon as it passes its declared size); closes the archive.
 */
async function inflateAll(file: string, archive: CheckedArchive, limits: ReadLimits): Promise<void> {
  let inflated = 0;
  try {
    for (const entry of archive.entries) {
      if (entry.fileName.endsWith("/")) continue;
      for await (const chunk of inflatedChunks(archive.zip, entry)) {
        inflated += chunk.length;
        if (inflated > limits.maxXlsxUnpackedBytes)
          throw xlsxTooLarge(file, inflated, limits.maxXlsxUnpackedBytes);
      }
    }
  } catch (error) {
    throw isRecurError(error) ? error : notXlsx(file, error as Error);
  } finally {
    archive.zip.close();
  }
}

/**
 * Zip-bomb guard: checks the declared sizes and compression ratio of every entry before anything
 * is inflated, then inflates each entry once, counting real bytes.
 */
export async function checkXlsxArchive(path: string, limits: ReadLimits): Promise<void> {
  await inflateAll(basename(path), await openChecked(path, limits), limits);
}

/** The sheet to read is empty, or the workbook has no such sheet: say which, and how to choose. */
function noHeader(file: string, wanted: string | number, read: string | undefined, names: readonly string[]) {
  const which = typeof wanted === "number" ? `${wanted}` : `“${wanted}”`;
  if (read === undefined)
    return new InputError("xlsx_no_sheet", {
      zh: `Excel 文件 ${file} 没有工作表 ${which}（它的工作表: ${names.join(", ")}）；请改正配置的 input.sheet`,
      en: `Excel file ${file} has no sheet ${which} (its sheets: ${names.join(", ")}); correct the profile's input.sheet`,
    });
  return new InputError("xlsx_empty_sheet", {
    zh: `Excel 文件 ${file} 的工作表 ${which}（${read}）是空的，没有表头行；数据在别的工作表上时，请在配置的 input.sheet 中写上它的名称或序号`,
    en: `sheet ${which} (${read}) of Excel file ${file} is empty, without a header row; if the data is on another sheet, give its name or number as the profile's input.sheet`,
  });
}

export interface XlsxReadOptions {
  readonly limits: ReadLimits;
  /** Worksheet to read: its name or 1-based position; default the first. */
  readonly sheet?: string | number;
  readonly batchRows?: number;
}

/**
 * Opens the first (or the named) worksheet of an XLSX file as a stream of records, after the
 * zip-bomb guard. The first non-empty row is the header.
 */
export async function readXlsx(path: string, options: XlsxReadOptions): Promise<RecordSource> {
  const size = (await stat(path)).size;
  const file = basename(path);
  if (size > options.limits.maxFileBytes) throw fileTooLarge(file, size, options.limits.maxFileBytes);
  const { limits } = options;
  const batchRows = options.batchRows ?? 2000;
  // The zip-bomb guard: the declared sizes before anything is inflated; the real bytes counted
  // while the workbook's small parts and shared strings are read (on another core: it is zlib's
  // work), and no row read before the count has passed. Every part read is refused anyway as soon
  // as it passes its declared size.
  const inflating = inflateAll(file, await openChecked(path, limits), limits);
  inflating.catch(() => {}); // awaited below, its failure first

  let parts: XlsxZip | undefined;
  const wanted = options.sheet;
  let info: WorkbookInfo;
  let strings: SharedStrings;
  let dateStyles: boolean[];
  try {
    parts = await openXlsxZip(path);
    info = await readWorkbookInfo(parts);
    const stringBytes = info.sharedStrings
      ? (parts.entries.get(info.sharedStrings)?.uncompressedSize ?? 0)
      : 0;
    if (stringBytes > limits.maxXlsxSharedStringsBytes)
      throw xlsxStringsTooLarge(file, stringBytes, limits.maxXlsxSharedStringsBytes);
    strings = await readSharedStrings(parts, info.sharedStrings, limits.maxCellChars);
    dateStyles = await readDateStyles(parts, info.styles);
    await inflating;
  } catch (error) {
    parts?.zip.close();
    // A bomb or a lying header is the file's first problem, whatever the reading met meanwhile.
    await inflating;
    throw isRecurError(error) ? error : notXlsx(file, error as Error);
  }
  const names = info.sheets.map((s) => s.name);
  // Unless a sheet is asked for, the first one Excel shows: a hidden first tab is a system's
  // lookup list, not the calls the user sees on opening the file.
  const shown = info.sheets.findIndex((s) => !s.hidden);
  const index =
    wanted === undefined
      ? Math.max(0, shown)
      : typeof wanted === "number"
        ? wanted - 1
        : names.indexOf(wanted);
  // The sheet's name or number in messages: the one read when none was asked for.
  const asked = wanted ?? index + 1;
  const sheet = info.sheets[index];
  if (!sheet?.part || !parts.entries.has(sheet.part)) {
    parts.zip.close();
    throw noHeader(file, asked, undefined, names);
  }
  const sheetBytes = parts.entries.get(sheet.part)?.uncompressedSize ?? 0;
  let inflated = 0;
  const rowChunks = sheetRows(
    parts,
    sheet.part,
    strings,
    dateStyles,
    info.date1904,
    (n) => {
      inflated = n;
    },
    limits.maxCellChars,
  );
  const sheetIterator = (async function* (): AsyncGenerator<SheetRow> {
    try {
      for await (const rows of rowChunks) yield* rows;
    } catch (error) {
      throw notXlsx(file, error as Error);
    } finally {
      parts.zip.close();
      strings.release();
    }
  })();

  // The header: first row with any text.
  let header: string[] | undefined;
  let headerRow = 0;
  for (;;) {
    const next = await sheetIterator.next();
    if (next.done) break;
    if (next.value.cells.some((c) => trimCell(c) !== "")) {
      header = next.value.cells.map(trimCell);
      headerRow = next.value.number;
      break;
    }
  }
  if (!header) {
    await sheetIterator.return(undefined);
    throw noHeader(file, asked, sheet.name, names);
  }
  const width = header.length;

  async function* batches(): AsyncGenerator<readonly SourceRecord[]> {
    let out: SourceRecord[] = [];
    for await (const { number, cells, uncalculated } of sheetIterator) {
      if (cells.every((c) => c === "")) continue;
      // Excel stores no empty cells: a row ending in empty ones is shorter than the header.
      while (cells.length < width) cells.push("");
      // Data rows count from the header (row 0), like Excel's row numbers minus the header's.
      const rowsSeen = number - headerRow;
      const tooLong = cells.findIndex((c) => c.length > limits.maxCellChars);
      if (tooLong >= 0) {
        cells[tooLong] = (cells[tooLong] ?? "").slice(0, limits.maxCellChars);
        out.push({
          row: rowsSeen,
          cells,
          problem: { code: "cell_too_large", cell: tooLong, limit: limits.maxCellChars },
        });
      } else
        out.push(
          uncalculated ? { row: rowsSeen, cells, uncalculatedCells: uncalculated } : { row: rowsSeen, cells },
        );
      if (out.length >= batchRows) {
        yield out;
        out = [];
      }
    }
    if (out.length > 0) yield out;
  }

  return {
    header,
    encoding: "xlsx",
    batches: batches(),
    // The share of the sheet inflated so far, scaled to the file's size (the progress bar's unit).
    bytesRead: () => (sheetBytes > 0 ? Math.min(size, Math.round((size * inflated) / sheetBytes)) : 0),
    totalBytes: size,
  };
}
