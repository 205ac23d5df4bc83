import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { fileTooLarge, type ReadLimits } from "../limits.ts";
import { removeNul } from "./csv.ts";
import { chunkDecoder, detectEncoding, type EncodingName } from "./encoding.ts";
import type { RecordSource, SourceRecord } from "./types.ts";

export interface JsonlReadOptions {
  readonly encoding: EncodingName;
  readonly limits: ReadLimits;
  /** Keys to project each object onto (the columns the profile reads); dotted paths reach nested objects. */
  readonly columns: readonly string[];
  readonly chunkBytes?: number;
}

/** Text of one JSON value as a cell: strings as they are, numbers and booleans printed, null empty. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** A run of 16 digits or more: an integer a double may not hold exactly (2^53 has 16 digits). */
const LONG_DIGITS = /\d{16}/;

/**
 * The line with every integer literal of 16 digits or more written as a string, so that its
 * digits survive JSON.parse: ids of 19 digits as numbers (20261124000000000001) would otherwise
 * round to one double, and the second call count as a duplicate of the first. Digits inside
 * strings, fractions, exponents and literals with a leading zero (invalid JSON) stay as they are.
 */
function quoteLongIntegers(text: string): string {
  let out = "";
  let last = 0;
  let inString = false;
  const isDigit = (c: number) => c >= 48 && c <= 57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) {
      inString = true;
      continue;
    }
    if (!isDigit(c) && c !== 45) continue;
    // A literal starts a value (after : [ , or a space), not a fraction or an exponent.
    const before = i === 0 ? 32 : text.charCodeAt(i - 1);
    const starts = before === 58 || before === 91 || before === 44 || before <= 32;
    const first = c === 45 ? i + 1 : i;
    let j = first;
    while (j < text.length && isDigit(text.charCodeAt(j))) j++;
    const next = text.charCodeAt(j);
    const integer = next !== 46 && next !== 101 && next !== 69; // not . e E
    if (starts && j - first >= 16 && text.charCodeAt(first) !== 48 && integer) {
      out += `${text.slice(last, i)}"${text.slice(i, j)}"`;
      last = j;
    }
    i = Math.max(i, j - 1);
  }
  return last === 0 ? text : out + text.slice(last);
}

/**
 * The value at `key`, or at its dotted path. Own keys only: `in` also found Object's members, so a
 * line without a `constructor` or `toString` key gave a function as the cell, and a crash.
 */
function lookup(object: Record<string, unknown>, key: string): unknown {
  if (Object.hasOwn(object, key)) return object[key];
  if (!key.includes(".")) return undefined;
  let at: unknown = object;
  for (const part of key.split(".")) {
    if (at === null || typeof at !== "object" || !Object.hasOwn(at, part)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

/**
 * Opens a JSON Lines file (one JSON object per line) as records projected onto `columns`.
 * A line that is not a JSON object becomes a rejected record with its text kept for quarantine.
 */
export async function readJsonl(path: string, options: JsonlReadOptions): Promise<RecordSource> {
  const size = (await stat(path)).size;
  if (size > options.limits.maxFileBytes)
    throw fileTooLarge(basename(path), size, options.limits.maxFileBytes);
  const { columns, limits } = options;
  let bytesRead = 0;
  let encoding = options.encoding === "auto" ? "utf8" : options.encoding;

  async function* batches(): AsyncGenerator<readonly SourceRecord[]> {
    const stream = createReadStream(path, { highWaterMark: options.chunkBytes ?? 1 << 20 });
    let decoder: ReturnType<typeof chunkDecoder> | undefined;
    let rest = "";
    let row = 0;
    let skippingLongLine = false;
    const toRecord = (line: string): SourceRecord | undefined => {
      const text = line.endsWith("\r") ? line.slice(0, -1) : line;
      if (text.trim() === "") return undefined;
      row++;
      if (text.length > limits.maxRecordChars)
        return {
          row,
          cells: [],
          raw: text.slice(0, limits.maxRecordChars),
          problem: { code: "record_too_large", limit: limits.maxRecordChars },
        };
      let parsed: unknown;
      try {
        parsed = JSON.parse(LONG_DIGITS.test(text) ? quoteLongIntegers(text) : text);
      } catch (error) {
        return { row, cells: [], raw: text, problem: { code: "bad_json", detail: (error as Error).message } };
      }
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
        return { row, cells: [], raw: text, problem: { code: "bad_json", detail: "not an object" } };
      let cells: string[];
      try {
        cells = columns.map((c) => cellText(lookup(parsed as Record<string, unknown>, c)));
      } catch {
        // JSON.stringify of a value nested some 100,000 deep runs out of stack.
        return { row, cells: [], raw: text, problem: { code: "bad_json", detail: "nested too deeply" } };
      }
      // JSON writes NUL as \u0000; a raw NUL byte is invalid JSON and already bad_json.
      const nulCell = text.includes("\\u0000") ? removeNul(cells) : -1;
      const tooLong = cells.findIndex((c) => c.length > limits.maxCellChars);
      if (tooLong >= 0) {
        cells[tooLong] = (cells[tooLong] ?? "").slice(0, limits.maxCellChars);
        return {
          row,
          cells,
          raw: text,
          problem: { code: "cell_too_large", cell: tooLong, limit: limits.maxCellChars },
        };
      }
      return nulCell >= 0 ? { row, cells, raw: text, nulCell } : { row, cells, raw: text };
    };
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        bytesRead += chunk.length;
        let bytes: Uint8Array = chunk;
        if (!decoder) {
          const detected = options.encoding === "auto" ? detectEncoding(chunk) : { encoding, bomBytes: 0 };
          encoding = detected.encoding;
          decoder = chunkDecoder(detected.encoding);
          bytes = chunk.subarray(detected.bomBytes);
        }
        let text = rest + decoder.write(bytes);
        if (skippingLongLine) {
          // Drop the rest of a line already reported as too long.
          const nl = text.indexOf("\n");
          rest = "";
          if (nl < 0) continue;
          text = text.slice(nl + 1);
          skippingLongLine = false;
        }
        const lines = text.split("\n");
        rest = lines.pop() ?? "";
        const out: SourceRecord[] = [];
        for (const line of lines) {
          const record = toRecord(line);
          if (record) out.push(record);
        }
        if (rest.length > limits.maxRecordChars) {
          const record = toRecord(rest);
          if (record) out.push(record);
          rest = "";
          skippingLongLine = true;
        }
        if (out.length > 0) yield out;
      }
      const tail = rest + (decoder?.end() ?? "");
      if (!skippingLongLine) {
        const record = toRecord(tail);
        if (record) yield [record];
      }
    } finally {
      stream.destroy();
    }
  }

  return {
    header: columns,
    get encoding() {
      return encoding;
    },
    batches: batches(),
    bytesRead: () => bytesRead,
    totalBytes: size,
  };
}
