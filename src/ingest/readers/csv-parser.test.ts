import fc from "fast-check";
import { describe, expect, test, vi } from "vitest";
import { CsvParser, type ParsedRecord } from "./csv-parser.ts";

const options = { delimiter: ",", maxCellChars: 1000, maxRecordChars: 10_000 };

function parseChunks(chunks: readonly string[], opts = options): ParsedRecord[] {
  const parser = new CsvParser(opts);
  const out: ParsedRecord[] = [];
  for (const chunk of chunks) parser.push(chunk, out);
  parser.end(out);
  return out;
}

const cells = (text: string, opts = options) => parseChunks([text], opts).map((r) => r.cells);

/** RFC 4180 writer, the reference the parser is checked against. */
function toCsv(records: readonly (readonly string[])[], eol: string): string {
  const quote = (c: string) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
  return records.map((r) => r.map(quote).join(",")).join(eol) + eol;
}

describe("CsvParser", () => {
  test.each([
    [
      "plain fields",
      "a,b,c\n1,2,3\n",
      [
        ["a", "b", "c"],
        ["1", "2", "3"],
      ],
    ],
    [
      "CRLF line ends",
      "a,b\r\n1,2\r\n",
      [
        ["a", "b"],
        ["1", "2"],
      ],
    ],
    [
      "no line break at the end",
      "a,b\n1,2",
      [
        ["a", "b"],
        ["1", "2"],
      ],
    ],
    ["a delimiter inside quotes", 'a,"b,c"\n', [["a", "b,c"]]],
    ["doubled quotes", '"say ""hi""",x\n', [['say "hi"', "x"]]],
    [
      "a newline inside quotes",
      '1,"4267,4265\n",z\n2,y,z\n',
      [
        ["1", "4267,4265\n", "z"],
        ["2", "y", "z"],
      ],
    ],
    ["a CRLF inside quotes", '1,"a\r\nb"\r\n', [["1", "a\r\nb"]]],
    ["empty fields", ",,\n", [["", "", ""]]],
    ["empty quoted field at the end", 'a,""\n', [["a", ""]]],
    ["blank lines are skipped", "a\n\nb\n\r\n", [["a"], ["b"]]],
    ["a quote inside an unquoted field is text", 'ab"c,d\n', [['ab"c', "d"]]],
    ["text after a closing quote is kept", '"ab"c,d\n', [["abc", "d"]]],
    [
      "Chinese text",
      "报警时间,地址\n2024-05-01 08:00:00,阳光花园3栋\n",
      [
        ["报警时间", "地址"],
        ["2024-05-01 08:00:00", "阳光花园3栋"],
      ],
    ],
  ])("%s", (_, text, expected) => {
    expect(cells(text)).toEqual(expected);
  });

  test("any other one-character delimiter works (tab, semicolon)", () => {
    expect(cells("a\tb\n1\t2\n", { ...options, delimiter: "\t" })).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
    expect(cells('a;"b;c"\n', { ...options, delimiter: ";" })).toEqual([["a", "b;c"]]);
  });

  test("records come out the same whatever the chunk boundaries (property)", () => {
    const cell = fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.constantFrom('"', ",", "\n", "\r\n", '""', "报警", "a,b", ' "x" '),
    );
    const record = fc.array(cell, { minLength: 2, maxLength: 5 });
    fc.assert(
      fc.property(
        fc.array(record, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(60), { maxLength: 6 }),
        fc.constantFrom("\n", "\r\n"),
        (records, cuts, eol) => {
          // A record of one empty cell is a blank line, which the parser skips by design.
          const data = records.map((r) => (r.every((c) => c === "") ? ["x", ...r] : r));
          const text = toCsv(data, eol);
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const chunks: string[] = [];
          let last = 0;
          for (const p of points) {
            chunks.push(text.slice(last, p));
            last = p;
          }
          chunks.push(text.slice(last));
          expect(parseChunks(chunks).map((r) => r.cells)).toEqual(data);
        },
      ),
      { seed: 42, numRuns: 400 },
    );
  });

  test("a cell longer than the limit is truncated and flagged; the next record is intact", () => {
    const long = "x".repeat(50);
    const out = parseChunks([`a,${long}\nb,c\n`], { ...options, maxCellChars: 10 });
    expect(out[0]?.oversizeCell).toBe(1);
    expect(out[0]?.cells[1]).toHaveLength(10);
    expect(out[1]).toEqual({ cells: ["b", "c"] });
  });

  test("an unclosed quote cannot swallow memory or the lines after it: its line is flagged, the rest read", () => {
    const opts = { ...options, maxRecordChars: 100 };
    const parser = new CsvParser(opts);
    const out: ParsedRecord[] = [];
    parser.push('1,"never closed\r\n', out);
    for (let i = 0; i < 50; i++) parser.push("filler line, more text\n".repeat(10), out);
    parser.end(out);
    expect(out).toHaveLength(501);
    expect(out[0]).toEqual({ cells: [], oversizeRecord: true, raw: '1,"never closed' });
    expect(out.slice(1).every((r) => r.cells.join("|") === "filler line| more text")).toBe(true);
  });

  test("a quote still open at the end of the file flags its line; the lines after are records", () => {
    expect(parseChunks(['a,b\n1,"open\n2,x\n3,', "y\n"])).toEqual([
      { cells: ["a", "b"] },
      { cells: [], unclosedQuote: true, raw: '1,"open' },
      { cells: ["2", "x"] },
      { cells: ["3", "y"] },
    ]);
    // Opened on the last line, the quote takes the rest of that line, as before.
    expect(cells('a,"b')).toEqual([["a", "b"]]);
  });

  test("a quote left open that a later line's quote closes, text following it, flags its line; the lines after are records", () => {
    // The stray quote of row 1 paired with the quote in row 3's narrative: rows 1-3 were one
    // record, as wide as the header, imported as one call; rows 2 and 3 were gone without a word.
    const text = 'a,b,c\n1,"open,c1\n2,x,y\n3,say "hi" there,z\n4,p,q\n';
    const expected = [
      { cells: ["a", "b", "c"] },
      { cells: [], unclosedQuote: true, raw: '1,"open,c1' },
      { cells: ["2", "x", "y"] },
      { cells: ["3", 'say "hi" there', "z"] },
      { cells: ["4", "p", "q"] },
    ];
    expect(parseChunks([text])).toEqual(expected);
    for (let cut = 1; cut < text.length; cut++)
      expect(parseChunks([text.slice(0, cut), text.slice(cut)]), `cut at ${cut}`).toEqual(expected);
    // A quoted line break closed before a delimiter or a line end is a cell, as RFC 4180 has it.
    expect(cells('1,"a\nb",c\n2,"x\r\ny"\r\n')).toEqual([
      ["1", "a\nb", "c"],
      ["2", "x\r\ny"],
    ]);
  });

  test("text made to keep a record open past the limit line after line is read in one more pass, not one per line", () => {
    // Every line shifts the quotes: "x⏎""y","z⏎""y","z⏎ ... is one record for as long as it goes.
    const text = `P1,"x${'\n""y","z'.repeat(5000)}\nP2,ok\n`;
    const parser = new CsvParser({ ...options, maxRecordChars: 1000 });
    const passes = vi.spyOn(parser as unknown as { parseOnce: () => unknown }, "parseOnce");
    const out: ParsedRecord[] = [];
    parser.push(text, out);
    parser.end(out);
    expect(passes.mock.calls.length).toBeLessThanOrEqual(3);
    expect(out[0]).toMatchObject({ oversizeRecord: true, raw: 'P1,"x' });
    expect(out.at(-1)).toEqual({ cells: ["P2", "ok"] });
    expect(out).toHaveLength(5002);
  });

  test("an oversize record ends at its closing quote and parsing resumes", () => {
    const opts = { ...options, maxRecordChars: 30 };
    const big = `1,"${"y".repeat(100)}"\n2,ok\n`;
    const out = parseChunks([big.slice(0, 40), big.slice(40)], opts);
    expect(out.map((r) => (r.oversizeRecord ? "oversize" : r.cells.join("|")))).toEqual(["oversize", "2|ok"]);
  });
});
