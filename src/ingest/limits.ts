import { InputError } from "../domain/index.ts";

/**
 * Size limits that keep a hostile or broken file from exhausting memory or disk. Each one
 * produces a clear error (whole file) or a quarantined row (one record), never a crash.
 */
export interface ReadLimits {
  /** Largest input file accepted, in bytes. */
  readonly maxFileBytes: number;
  /** Longest cell kept, in characters; a longer cell quarantines its row. */
  readonly maxCellChars: number;
  /** Longest record (all cells, quotes included); guards against an unclosed quote. */
  readonly maxRecordChars: number;
  /** Total uncompressed size of all entries of an XLSX file (zip-bomb guard). */
  readonly maxXlsxUnpackedBytes: number;
  /** Largest uncompressed/compressed ratio of an XLSX entry bigger than 1 MiB. */
  readonly maxXlsxRatio: number;
  /** Largest shared-string part of an XLSX file, uncompressed: the one part held in memory while rows are read. */
  readonly maxXlsxSharedStringsBytes: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: ReadLimits = {
  maxFileBytes: 4096 * MiB,
  maxCellChars: 64 * 1024,
  maxRecordChars: 1 * MiB,
  // A full worksheet (1,048,576 rows) of a 20-column export unpacks to about 1.1 GiB.
  maxXlsxUnpackedBytes: 4096 * MiB,
  maxXlsxRatio: 200,
  maxXlsxSharedStringsBytes: 1024 * MiB,
};

const mb = (bytes: number) => (bytes / MiB).toFixed(1);

export function fileTooLarge(file: string, size: number, limit: number): InputError {
  return new InputError("file_too_large", {
    zh: `文件 ${file} 大小 ${mb(size)} MB，超过上限 ${mb(limit)} MB`,
    en: `file ${file} is ${mb(size)} MB, more than the limit of ${mb(limit)} MB`,
  });
}

export function xlsxTooLarge(file: string, size: number, limit: number): InputError {
  return new InputError("xlsx_too_large", {
    zh: `Excel 文件 ${file} 解压后至少 ${mb(size)} MB，超过上限 ${mb(limit)} MB（疑似压缩炸弹）`,
    en: `Excel file ${file} unpacks to at least ${mb(size)} MB, more than the limit of ${mb(limit)} MB (zip bomb?)`,
  });
}

export function xlsxStringsTooLarge(file: string, size: number, limit: number): InputError {
  return new InputError("xlsx_too_large", {
    zh: `Excel 文件 ${file} 的共享字符串表解压后 ${mb(size)} MB，超过上限 ${mb(limit)} MB；请把文件拆成几份，或另存为 CSV 后导入`,
    en: `the shared strings of Excel file ${file} unpack to ${mb(size)} MB, more than the limit of ${mb(limit)} MB; split the file, or save it as CSV and import that`,
  });
}

export function xlsxRatio(file: string, entry: string, ratio: number, limit: number): InputError {
  return new InputError("xlsx_ratio", {
    zh: `Excel 文件 ${file} 中的 ${entry} 压缩比 ${ratio.toFixed(0)}:1，超过上限 ${limit}:1（疑似压缩炸弹）`,
    en: `entry ${entry} of Excel file ${file} has a compression ratio of ${ratio.toFixed(0)}:1, more than ${limit}:1 (zip bomb?)`,
  });
}

/** Damage inside a workbook's parts, said in both languages; notXlsx names the file. */
export class XlsxDamage extends Error {
  constructor(
    readonly zh: string,
    en: string,
  ) {
    super(en);
  }
}

/** The file is no readable workbook: why, as the zip or XML reader said it (or an XlsxDamage). */
export function notXlsx(file: string, error: Error): InputError {
  const zh = error instanceof XlsxDamage ? error.zh : error.message;
  return new InputError("xlsx_invalid", {
    zh: `${file} 不是有效的 Excel (xlsx) 文件: ${zh}`,
    en: `${file} is not a valid Excel (xlsx) file: ${error.message}`,
  });
}
