/**
 * An incremental RFC 4180 parser: feed decoded text in chunks of any size, get complete records
 * out. Quoted fields may hold delimiters, doubled quotes and line breaks (CRLF or LF). It scans
 * with indexOf rather than char by char, which keeps it within a small factor of the fastest
 * parsers while letting us bound every cell and record (an unclosed quote cannot swallow memory).
 */
export interface ParsedRecord {
  readonly cells: string[];
  /** Index of the first cell longer than maxCellChars (the cell is truncated). */
  readonly oversizeCell?: number;
  /** The record was longer than maxRecordChars and was skipped to the end of its first line. */
  readonly oversizeRecord?: boolean;
  /** A quote opened in the record is never closed: the record is its first line, given in `raw`. */
  readonly unclosedQuote?: boolean;
  /** The record's text as it stands in the file (first line only), when it could not be split into cells. */
  readonly raw?: string;
}

export interface CsvParserOptions {
  readonly delimiter: string;
  readonly maxCellChars: number;
  readonly maxRecordChars: number;
}

const QUOTE = 34;
const CR = 13;
const LF = 10;

export class CsvParser {
  private buf = "";
  /** Skipping the rest of an oversize record's line. */
  private skipping = false;
  private readonly delim: string;
  private readonly delimCode: number;

  constructor(private readonly options: CsvParserOptions) {
    if (options.delimiter.length !== 1) throw new RangeError("delimiter must be one character");
    this.delim = options.delimiter;
    this.delimCode = options.delimiter.charCodeAt(0);
  }

  /** Parses a chunk; complete records are appended to `out`. */
  push(chunk: string, out: ParsedRecord[]): void {
    let text = chunk;
    if (this.skipping) {
      const end = this.skipTo(text, 0);
      if (end < 0) return;
      text = text.slice(end);
    }
    if (this.buf.length > 0) {
      // The record begun in the last chunk is finished on its own, up to the chunk's first line
      // break: parsing `buf + text` made V8 flatten the rope, a copy of every chunk (~400 bytes
      // a row of a typical export). Only a record whose quoted text spans that line break still
      // costs the copy.
      const lf = text.indexOf("\n");
      if (lf < 0) {
        this.parse(this.buf + text, false, out);
        return;
      }
      const head = this.buf + text.slice(0, lf + 1);
      this.buf = "";
      this.parse(head, false, out);
      text = text.slice(lf + 1);
      if (this.skipping) {
        this.push(text, out);
        return;
      }
      if (this.buf.length > 0) text = this.buf + text;
    }
    this.parse(text, false, out);
  }

  /** Flushes the last record (a file need not end with a line break). */
  end(out: ParsedRecord[]): void {
    if (this.skipping) {
      this.skipping = false;
      this.buf = "";
      return;
    }
    const rest = this.buf;
    this.buf = "";
    if (rest.length > 0) this.parse(rest, true, out);
  }

  /**
   * Skips the rest of an oversize record's line; returns the index after it, or -1 if the chunk
   * ends first. By line, not by quotes: an unclosed quote would make the skip swallow the file.
   */
  private skipTo(s: string, from: number): number {
    const lf = s.indexOf("\n", from);
    if (lf < 0) return -1;
    this.skipping = false;
    return lf + 1;
  }

  private parse(text: string, final: boolean, out: ParsedRecord[]): void {
    let again = this.parseOnce(text, final, out, false);
    // The text after an oversize record's first line is parsed once more, by lines (see lineMode).
    while (again !== undefined) again = this.parseOnce(again, final, out, true);
  }

  /**
   * Parses s; returns text to parse again after an oversize record. In `lineMode` (that text) a
   * quote does not reach past its line: else text built to shift every quote's role (a quoted
   * line break in each line) made one oversize record after another, each parse dropping one
   * line of a megabyte: quadratic, minutes for a 1.6 MB file.
   */
  private parseOnce(s: string, final: boolean, out: ParsedRecord[], lineMode: boolean): string | undefined {
    const { maxCellChars, maxRecordChars } = this.options;
    const delim = this.delim;
    const delimCode = this.delimCode;
    const n = s.length;
    let i = 0;
    let start = 0;
    let nl = s.indexOf("\n");
    records: while (i < n) {
      start = i;
      const cells: string[] = [];
      let oversizeCell = -1;
      for (;;) {
        let value: string;
        if (i < n && s.charCodeAt(i) === QUOTE) {
          value = "";
          const open = i;
          let j = i + 1;
          const lineEnd = lineMode ? s.indexOf("\n", j) : -1;
          for (;;) {
            const q = s.indexOf('"', j);
            if (lineEnd >= 0 && (q < 0 || q > lineEnd)) {
              out.push({ cells: [], unclosedQuote: true, raw: lineText(s, start, lineEnd) });
              i = lineEnd + 1;
              continue records;
            }
            if (q < 0 && final) {
              // A quote never closed would swallow every line after it: the record ends with its
              // line instead, and the lines after are read as records again.
              const lf = s.indexOf("\n", j);
              if (lf >= 0) {
                out.push({ cells: [], unclosedQuote: true, raw: lineText(s, start, lf) });
                i = lf + 1;
                continue records;
              }
              value += s.slice(j); // opened on the last line: keep the text
              i = n;
              break;
            }
            if (q < 0 || (q + 1 >= n && !final)) break records; // need more text
            if (s.charCodeAt(q + 1) === QUOTE) {
              value += s.slice(j, q + 1);
              j = q + 2;
              continue;
            }
            value += s.slice(j, q);
            i = q + 1;
            break;
          }
          if (nl !== -1 && nl < i) nl = s.indexOf("\n", i);
          if (i < n && textAfterQuote(s, i, delimCode)) {
            // Closed on a later line and text follows: a stray quote that paired with a quote in a
            // later row (a narrative's 报警人称"楼上漏水"), not a quoted line break. Read as a cell,
            // the rows between vanished into it, without a word when it came out as wide as the
            // header. The record ends with its line, as an unclosed quote's does.
            const lf = s.indexOf("\n", start);
            if (lf >= 0 && lf < i && s.indexOf("\n", open) < i) {
              out.push({ cells: [], unclosedQuote: true, raw: lineText(s, start, lf) });
              i = lf + 1;
              nl = s.indexOf("\n", i); // it was found past the closing quote, lines further on
              continue records;
            }
          }
          // Lenient: text between the closing quote and the next delimiter is kept.
          if (i < n && s.charCodeAt(i) !== delimCode && s.charCodeAt(i) !== LF) {
            const d = s.indexOf(delim, i);
            const stop = d !== -1 && (nl === -1 || d < nl) ? d : nl;
            if (stop === -1) {
              if (!final) break records;
              value += s.slice(i);
              i = n;
            } else {
              let e = stop;
              if (stop === nl && e > i && s.charCodeAt(e - 1) === CR) e--;
              value += s.slice(i, e);
              i = stop;
            }
          }
          if (oversizeCell < 0 && value.length > maxCellChars) {
            oversizeCell = cells.length;
            value = value.slice(0, maxCellChars);
          }
          cells.push(value);
          if (i >= n) {
            if (!final) break records;
            break;
          }
          const c = s.charCodeAt(i);
          i++;
          if (c === delimCode) continue;
          break; // LF
        }
        if (nl !== -1 && nl < i) nl = s.indexOf("\n", i);
        const d = s.indexOf(delim, i);
        if (d !== -1 && (nl === -1 || d < nl)) {
          value = s.slice(i, d);
          i = d + 1;
          if (oversizeCell < 0 && value.length > maxCellChars) {
            oversizeCell = cells.length;
            value = value.slice(0, maxCellChars);
          }
          cells.push(value);
          continue;
        }
        if (nl === -1) {
          if (!final) break records;
          let e = n;
          if (e > i && s.charCodeAt(e - 1) === CR) e--;
          value = s.slice(i, e);
          i = n;
        } else {
          let e = nl;
          if (e > i && s.charCodeAt(e - 1) === CR) e--;
          value = s.slice(i, e);
          i = nl + 1;
        }
        if (oversizeCell < 0 && value.length > maxCellChars) {
          oversizeCell = cells.length;
          value = value.slice(0, maxCellChars);
        }
        cells.push(value);
        break;
      }
      // A blank line is not a record.
      if (cells.length === 1 && cells[0] === "") continue;
      out.push(oversizeCell >= 0 ? { cells, oversizeCell } : { cells });
      if (i - start > maxRecordChars && oversizeCell < 0) {
        out[out.length - 1] = { cells, oversizeRecord: true };
      }
      start = i;
    }
    // Incomplete record at the end of the text: keep it for the next chunk, unless it is too long.
    const rest = start < n ? s.slice(start) : "";
    if (rest.length > maxRecordChars) {
      this.buf = "";
      // Past the limit across a line break, a record is inside a quote (an unclosed one, most
      // likely): it ends with its first line, and the lines after are read as records again, so
      // an open quote loses one row, not the rest of the file. On one long line: skip the line.
      const lf = rest.indexOf("\n");
      out.push({
        cells: [],
        oversizeRecord: true,
        raw: lineText(rest, 0, lf >= 0 ? Math.min(lf, maxRecordChars) : maxRecordChars),
      });
      if (lf >= 0) return rest.slice(lf + 1);
      this.skipping = true;
      return undefined;
    }
    this.buf = rest;
    return undefined;
  }
}

/** Whether text other than a delimiter or a line end follows a closing quote at `i`. */
function textAfterQuote(s: string, i: number, delimCode: number): boolean {
  const c = s.charCodeAt(i);
  if (c === delimCode || c === LF) return false;
  // CRLF; a CR last in the text is taken for one (the next chunk decides nothing here).
  return !(c === CR && (i + 1 >= s.length || s.charCodeAt(i + 1) === LF));
}

/** The text of s from `start` to `end` (a line break), without a CR before it. */
function lineText(s: string, start: number, end: number): string {
  return s.slice(start, end > start && s.charCodeAt(end - 1) === CR ? end - 1 : end);
}
