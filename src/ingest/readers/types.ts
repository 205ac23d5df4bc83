/**
 * What every reader (CSV, XLSX, JSONL) yields: the column names once, then records in batches.
 * Readers stream: they hold one batch at a time, whatever the size of the file.
 */
export interface SourceRecord {
  /** 1-based data row (the header is row 0), as the Issue contract counts. */
  readonly row: number;
  /** Cell texts in header order; JSONL objects are projected onto the header. */
  readonly cells: readonly string[];
  /** A problem the reader found that rejects this row (too large, bad JSON ...). */
  readonly problem?: ReaderProblem;
  /** The original line, when the format has one (JSONL) or the record has no cells (CSV), for the quarantine. */
  readonly raw?: string;
  /** Some bytes of the row could not be decoded in the detected encoding. */
  readonly badEncoding?: boolean;
  /** The first cell that held NUL characters, which the reader removed. */
  readonly nulCell?: number;
  /**
   * A row of empty cells (CSV `,,,`: a blank row as Excel saves it). The import passes it over, as
   * the XLSX reader passes over an empty row; it keeps its number, and the wizard still shows it.
   */
  readonly blank?: true;
  /** Cells (XLSX) holding a formula the writing program never calculated: read as empty. */
  readonly uncalculatedCells?: readonly number[];
}

export type ReaderProblem =
  | { readonly code: "cell_too_large"; readonly cell: number; readonly limit: number }
  | { readonly code: "record_too_large"; readonly limit: number }
  | { readonly code: "unclosed_quote" }
  | { readonly code: "bad_json"; readonly detail: string };

export interface RecordSource {
  /** Column names (trimmed); for JSONL the keys the profile asks for. */
  readonly header: readonly string[];
  /** Text encoding used (CSV/JSONL), e.g. "utf8", "gb18030". */
  readonly encoding: string;
  /** Batches of records in file order. */
  readonly batches: AsyncIterable<readonly SourceRecord[]>;
  /** Bytes of the file consumed so far (for progress). */
  bytesRead(): number;
  readonly totalBytes: number;
  /**
   * Rows above the header that were not read as data: a report's title, a date range, notes
   * (src/ingest/open.ts finds the header among the first rows). 0 or absent when the header is first.
   */
  readonly titleRows?: number;
}
