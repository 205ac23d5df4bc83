import { stat } from "node:fs/promises";
import { basename } from "node:path";
import ExcelJS from "exceljs";
import yauzl from "yauzl";
import { InputError } from "../../domain/index.ts";
import { fileTooLarge, notXlsx, type ReadLimits, xlsxRatio, xlsxTooLarge } from "../limits.ts";
import type { RecordSource, SourceRecord } from "./types.ts";

const MiB = 1024 * 1024;

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, validateEntrySizes: true }, (error, zip) =>
      error || !zip ? reject(error ?? new Error("cannot open")) : resolve(zip),
    ),
  );
}

/**
 * Zip-bomb guard, run before the XLSX parser sees the file: checks the declared sizes and
 * compression ratio of every entry, then inflates each entry once, counting real bytes, so a
 * lying header cannot get past either (yauzl also refuses entries larger than declared).
 */
export async function checkXlsxArchive(path: string, limits: ReadLimits): Promise<void> {
  const file = basename(path);
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(path);
  } catch (error) {
    throw notXlsx(file, (error as Error).message);
  }
  let declared = 0;
  let inflated = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on("error", reject);
      zip.on("end", () => resolve());
      zip.on("entry", (entry: yauzl.Entry) => {
        declared += entry.uncompressedSize;
        if (declared > limits.maxXlsxUnpackedBytes)
          return reject(xlsxTooLarge(file, declared, limits.maxXlsxUnpackedBytes));
        const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
        if (entry.uncompressedSize > MiB && ratio > limits.maxXlsxRatio)
          return reject(xlsxRatio(file, entry.fileName, ratio, limits.maxXlsxRatio));
        if (entry.fileName.endsWith("/")) return zip.readEntry();
        zip.openReadStream(entry, (error, stream) => {
          if (error || !stream) return reject(notXlsx(file, error?.message ?? "unreadable entry"));
          stream.on("data", (chunk: Buffer) => {
            inflated += chunk.length;
            if (inflated > limits.maxXlsxUnpackedBytes) {
              stream.destroy();
              reject(xlsxTooLarge(file, inflated, limits.maxXlsxUnpackedBytes));
            }
          });
          stream.on("error", (e) => reject(notXlsx(file, e.message)));
          stream.on("end", () => zip.readEntry());
        });
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/**
 * Text of an Excel cell value. Dates come out as "YYYY-MM-DD HH:mm:ss" of the wall clock Excel
 * shows (Excel has no time zones; exceljs hands them over as UTC), so profile formats apply.
 */
export function xlsxCellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return "";
    return `${value.getUTCFullYear()}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())} ${pad(value.getUTCHours())}:${pad(value.getUTCMinutes())}:${pad(value.getUTCSeconds())}`;
  }
  if (typeof value === "object") {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText)) return v.richText.map((p: { text?: string }) => p.text ?? "").join("");
    if ("result" in v) return xlsxCellText(v.result); // formula: its cached result
    if ("formula" in v || "sharedFormula" in v) return ""; // a formula never calculated: no value
    if (typeof v.text === "string") return v.text; // hyperlink
    if ("error" in v) return String(v.error);
  }
  return String(value);
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
  await checkXlsxArchive(path, options.limits);
  const { limits } = options;
  const batchRows = options.batchRows ?? 2000;

  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
    sharedStrings: "cache",
    worksheets: "emit",
    hyperlinks: "ignore",
    styles: "cache", // needed to tell date cells from numbers
    entries: "emit",
  });

  let header: string[] | undefined;
  let headerRow = 0;
  const wanted = options.sheet ?? 1;
  // Names of the sheets seen, and the one read (for the message when it has no header row).
  const sheetNames: string[] = [];
  let readName: string | undefined;
  const sheetIterator = (async function* (): AsyncGenerator<{ number: number; cells: string[] }> {
    let index = 0;
    for await (const worksheet of reader) {
      index++;
      const ws = worksheet as unknown as { name?: string } & AsyncIterable<ExcelJS.Row>;
      sheetNames.push(ws.name ?? String(index));
      if (typeof wanted === "number" ? index !== wanted : ws.name !== wanted) {
        for await (const _ of ws) {
          // drain a sheet we do not read
        }
        continue;
      }
      readName = ws.name ?? String(index);
      for await (const row of ws) {
        const values = row.values as unknown[];
        const cells: string[] = [];
        for (let c = 1; c < values.length; c++) cells.push(xlsxCellText(values[c]));
        yield { number: row.number, cells };
      }
      return;
    }
  })();

  // The header: first row with any text.
  for (;;) {
    const next = await sheetIterator.next();
    if (next.done) break;
    if (next.value.cells.some((c) => c.trim() !== "")) {
      header = next.value.cells.map((c) => c.trim());
      headerRow = next.value.number;
      break;
    }
  }
  if (!header) throw noHeader(file, wanted, readName, sheetNames);
  const width = header.length;

  async function* batches(): AsyncGenerator<readonly SourceRecord[]> {
    let out: SourceRecord[] = [];
    for await (const { number, cells } of sheetIterator) {
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
      } else out.push({ row: rowsSeen, cells });
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
    // exceljs does not expose its byte position; estimate progress from rows is not possible either.
    bytesRead: () => 0,
    totalBytes: size,
  };
}
