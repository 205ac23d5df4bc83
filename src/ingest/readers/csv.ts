import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { InputError } from "../../domain/index.ts";
import { fileTooLarge, type ReadLimits } from "../limits.ts";
import { CsvParser, type ParsedRecord } from "./csv-parser.ts";
import {
  type ChunkDecoder,
  chunkDecoder,
  type Detected,
  detectEncoding,
  type EncodingName,
} from "./encoding.ts";
import { trimCell } from "./trim.ts";
import type { RecordSource, SourceRecord } from "./types.ts";

export interface CsvReadOptions {
  readonly encoding: EncodingName;
  readonly delimiter: string;
  readonly limits: ReadLimits;
  /** Bytes read per chunk; records are yielded per chunk. */
  readonly chunkBytes?: number;
}

const REPLACEMENT = "\uFFFD";

/** Text whose records need a look: undecodable bytes (U+FFFD) or NUL characters. */
function suspect(text: string): boolean {
  return text.includes(REPLACEMENT) || text.includes("\0");
}

/**
 * Removes NUL characters from the cells in place (PostgreSQL cannot store them in text, and in
 * an export they are debris); returns the index of the first cell that held one, or -1.
 */
export function removeNul(cells: string[]): number {
  let first = -1;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i] ?? "";
    if (!c.includes("\0")) continue;
    cells[i] = c.replaceAll("\0", "");
    if (first < 0) first = i;
  }
  return first;
}

/**
 * Opens a CSV file as a stream of records: detects the encoding, reads the header, then yields
 * the data records chunk by chunk. Memory stays bounded by the chunk size and the record limit.
 * @example
 * const source = await readCsv("calls.csv", { encoding: "auto", delimiter: ",", limits: DEFAULT_LIMITS });
 * for await (const batch of source.batches) for (const r of batch) console.log(r.row, r.cells);
 */
export async function readCsv(path: string, options: CsvReadOptions): Promise<RecordSource> {
  const size = (await stat(path)).size;
  const file = basename(path);
  if (size > options.limits.maxFileBytes) throw fileTooLarge(file, size, options.limits.maxFileBytes);

  const stream = createReadStream(path, { highWaterMark: options.chunkBytes ?? 1 << 20 });
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let bytesRead = 0;
  const parser = new CsvParser({
    delimiter: options.delimiter,
    maxCellChars: options.limits.maxCellChars,
    maxRecordChars: options.limits.maxRecordChars,
  });

  const first = await iterator.next();
  const firstBytes: Buffer = first.done ? Buffer.alloc(0) : first.value;
  bytesRead += firstBytes.length;
  const detected: Detected =
    options.encoding === "auto"
      ? detectEncoding(firstBytes)
      : {
          encoding: options.encoding,
          bomBytes:
            options.encoding === "utf8" &&
            firstBytes[0] === 0xef &&
            firstBytes[1] === 0xbb &&
            firstBytes[2] === 0xbf
              ? 3
              : 0,
        };
  const decoder = crLineEnds(chunkDecoder(detected.encoding));

  // Records parsed but not yet handed out (the header comes from the first of them).
  let pending: ParsedRecord[] = [];
  let pendingBad = false;
  let firstText = decoder.write(firstBytes.subarray(detected.bomBytes));
  if (firstText.charCodeAt(0) === 0xfeff) firstText = firstText.slice(1);
  parser.push(firstText, pending);
  pendingBad = suspect(firstText);
  let ended = first.done === true;

  // Read until the header record is complete: the first record with a cell that is not blank
  // (rows of empty cells above it, a blank row Excel saved as ",,,", are no header).
  const dropBlankLead = () => {
    while (pending.length > 0 && blankRecord(pending[0] as ParsedRecord, true)) pending.shift();
  };
  dropBlankLead();
  while (pending.length === 0 && !ended) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      const tail = decoder.end();
      parser.push(tail, pending);
      parser.end(pending);
      break;
    }
    bytesRead += next.value.length;
    const text = decoder.write(next.value);
    pendingBad ||= suspect(text);
    parser.push(text, pending);
    dropBlankLead();
  }
  if (ended && pending.length === 0) {
    parser.end(pending);
    dropBlankLead();
  }
  const headerRecord = pending.shift();
  if (headerRecord?.oversizeRecord && headerRecord.cells.length === 0) {
    stream.destroy();
    const limit = options.limits.maxRecordChars;
    throw new InputError("bad_header", {
      zh: `文件 ${file} 的表头行超过 ${limit} 个字符（不是 CSV 文件，或分隔符、引号不对？）`,
      en: `the header of file ${file} is longer than ${limit} characters (not a CSV file, or a wrong delimiter or quote?)`,
    });
  }
  if (headerRecord?.unclosedQuote) {
    stream.destroy();
    throw new InputError("bad_header", {
      zh: `文件 ${file} 的表头行中有引号没有闭合`,
      en: `the header of file ${file} has a quote that is never closed`,
    });
  }
  if (!headerRecord || headerRecord.cells.every((c) => trimCell(c) === "")) {
    stream.destroy();
    throw new InputError("empty_file", {
      zh: `文件 ${file} 没有表头行（空文件？）`,
      en: `file ${file} has no header row (empty file?)`,
    });
  }
  const header = headerRecord.cells.map(trimCell);

  let row = 0;
  const toRecords = (parsed: readonly ParsedRecord[], bad: boolean): SourceRecord[] =>
    parsed.map((p) => {
      row++;
      // A row of empty cells is no call, as in a workbook: marked, for the import to pass over.
      if (p.cells[0] === "" && blankRecord(p, false)) return { row, cells: p.cells, blank: true };
      const badEncoding = bad && p.cells.some((c) => c.includes(REPLACEMENT));
      const nulCell = bad ? removeNul(p.cells) : -1;
      // The usual record, without spreading: this runs once per row of every import.
      if (
        !badEncoding &&
        nulCell < 0 &&
        !p.oversizeRecord &&
        !p.unclosedQuote &&
        p.oversizeCell === undefined
      )
        return { row, cells: p.cells };
      const base = {
        row,
        cells: p.cells,
        ...(badEncoding ? { badEncoding } : {}),
        ...(nulCell >= 0 ? { nulCell } : {}),
        ...(p.raw !== undefined ? { raw: p.raw } : {}),
      };
      if (p.unclosedQuote) return { ...base, problem: { code: "unclosed_quote" } };
      if (p.oversizeRecord)
        return { ...base, problem: { code: "record_too_large", limit: options.limits.maxRecordChars } };
      if (p.oversizeCell !== undefined)
        return {
          ...base,
          problem: { code: "cell_too_large", cell: p.oversizeCell, limit: options.limits.maxCellChars },
        };
      return base;
    });

  async function* batches(): AsyncGenerator<readonly SourceRecord[]> {
    try {
      if (pending.length > 0) yield toRecords(pending, pendingBad);
      pending = [];
      while (!ended) {
        const next = await iterator.next();
        const out: ParsedRecord[] = [];
        let text: string;
        if (next.done) {
          ended = true;
          text = decoder.end();
          parser.push(text, out);
          parser.end(out);
        } else {
          bytesRead += next.value.length;
          text = decoder.write(next.value);
          parser.push(text, out);
        }
        if (out.length > 0) yield toRecords(out, suspect(text));
      }
    } finally {
      stream.destroy();
    }
  }

  return {
    header,
    encoding: detected.encoding,
    batches: batches(),
    bytesRead: () => bytesRead,
    totalBytes: size,
  };
}

/**
 * A record of empty cells (`,,,`: a blank row as Excel saves it); `trimmed` counts cells of spaces
 * as empty too (above the header). A record the parser could not split (no cells) is not blank.
 */
function blankRecord(p: ParsedRecord, trimmed: boolean): boolean {
  if (p.cells.length === 0) return false;
  for (const c of p.cells) if (c !== "" && !(trimmed && trimCell(c) === "")) return false;
  return true;
}

/**
 * Text with the file's line ends as the parser reads them: a file whose first line ends in a CR
 * alone (classic Mac OS, some old exporters) has every CR turned into LF, else it would be one
 * line (its header the whole file); CRLF and LF files pass unchanged. A CR at the end of a chunk
 * before the first line end waits for the next character to tell CR from CRLF.
 */
function crLineEnds(decoder: ChunkDecoder): ChunkDecoder {
  let mode: "unknown" | "cr" | "lf" = "unknown";
  let held = "";
  const pass = (text: string): string => {
    if (mode === "lf") return text;
    if (mode === "cr") return text.replaceAll("\r", "\n");
    const all = held + text;
    held = "";
    const cr = all.indexOf("\r");
    const lf = all.indexOf("\n");
    if (cr < 0 || (lf >= 0 && lf < cr)) {
      if (lf >= 0) mode = "lf";
      return all;
    }
    if (cr === all.length - 1) {
      held = "\r";
      return all.slice(0, -1);
    }
    mode = all.charCodeAt(cr + 1) === 10 ? "lf" : "cr";
    return mode === "cr" ? all.replaceAll("\r", "\n") : all;
  };
  return {
    write: (bytes) => pass(decoder.write(bytes)),
    end: () => {
      const text = pass(decoder.end());
      const rest = held === "" ? "" : "\n";
      held = "";
      return text + rest;
    },
  };
}
