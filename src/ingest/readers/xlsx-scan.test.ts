import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { tempDir } from "../testing/files.ts";
import { zip } from "../testing/zip.ts";
import {
  openXlsxZip,
  type SharedStrings,
  type SheetRow,
  saxesSharedStrings,
  saxesSheetRows,
  scanSharedStrings,
  scanSheetRows,
  sheetRows,
} from "./xlsx-parts.ts";
import { Unsupported } from "./xlsx-scan.ts";

/**
 * The byte scanner (xlsx-scan.ts) against saxes, the reader it replaced and still falls back to:
 * the same rows and the same shared strings, whatever the writer's spelling of the XML and
 * wherever the inflater cuts it.
 */

const dir = tempDir("recur-xlsx-scan-");
const MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

/** A seeded random source (mulberry32): the same documents on every run. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Random = ReturnType<typeof random>;

/** Bytes cut into pieces of 1 to `max` bytes (cuts inside tags, characters and entities). */
function* pieces(bytes: Buffer, rnd: Random, max: number): Generator<Buffer> {
  for (let i = 0; i < bytes.length; ) {
    const n = 1 + rnd.int(max);
    yield bytes.subarray(i, i + n);
    i += n;
  }
}

async function* chunksOf(parts: Iterable<Buffer>): AsyncGenerator<Buffer> {
  yield* parts;
}

async function rowsOf(rows: AsyncIterable<SheetRow[]>): Promise<SheetRow[]> {
  const out: SheetRow[] = [];
  for await (const chunk of rows) out.push(...chunk);
  return out;
}

const stringsOf = (table: SharedStrings) => Array.from({ length: table.size }, (_, i) => table.get(i));

/** Character data as writers escape it: CJK, emoji, entities, line ends, full-width punctuation. */
const TEXTS = [
  "阳光小区3栋",
  "红星路8号 A&amp;B 商行",
  "1200 N ELM ST",
  "&lt;b&gt; &quot;quoted&quot; &apos;x&apos;",
  "&#x4E2D;&#20013;&#x1F600;&#13;",
  "噪声扰民😀",
  "line one\r\nline two\rthree\n",
  "[[a]] ]>]] &gt;",
  "\t（全角，标点）",
  " ",
  "",
  "0",
  "13812345678",
  "J3312002024010100001",
];

function text(rnd: Random): string {
  let out = "";
  const n = rnd.int(4);
  for (let k = 0; k < n; k++) out += rnd.pick(TEXTS);
  if (rnd.chance(0.05)) out += "幸福里".repeat(1 + rnd.int(400));
  return out;
}

const space = (rnd: Random) => rnd.pick(["", "", "", " ", "\n", "\r\n  ", "\t"]);

/** Attributes in a random order, either quote, spaces around `=`. */
function attributes(rnd: Random, list: [string, string][]): string {
  const shuffled = [...list].sort(() => rnd.next() - 0.5);
  return shuffled
    .map(([name, value]) => {
      const q = rnd.pick(['"', "'"]);
      return ` ${rnd.chance(0.2) ? space(rnd) : ""}${name}${rnd.chance(0.1) ? " = " : "="}${q}${value}${q}`;
    })
    .join("");
}

const column = (n: number) => {
  let s = "";
  for (let c = n; c > 0; c = Math.floor((c - 1) / 26)) s = String.fromCharCode(65 + ((c - 1) % 26)) + s;
  return s;
};

/** One cell: every type a writer uses, with and without reference, style, value. */
function cell(rnd: Random, p: string, ref: string | null, strings: number): string {
  const attrs: [string, string][] = [];
  if (ref !== null) attrs.push(["r", ref]);
  if (rnd.chance(0.4)) attrs.push(["s", rnd.pick(["0", "1", "2", "3", "x", "", " 1"])]);
  const kind = rnd.int(11);
  let body = "";
  const v = (value: string) =>
    rnd.chance(0.1) ? `<${p}v>${value}${space(rnd)}</${p}v>` : `<${p}v>${value}</${p}v>`;
  switch (kind) {
    case 0:
    case 1:
    case 2:
      attrs.push(["t", "s"]);
      body = v(rnd.pick([String(rnd.int(strings + 2)), String(rnd.int(strings)), " 1", "1.5", "x", ""]));
      break;
    case 3:
      if (rnd.chance(0.5)) attrs.push(["t", "n"]);
      body = v(rnd.pick(["12", "3.5", "45413.5", "1e3", "-0", "abc", "", "0012", " 7 "]));
      break;
    case 4:
      attrs.push(["t", "b"]);
      body = v(rnd.pick(["0", "1", "x"]));
      break;
    case 5:
      attrs.push(["t", "e"]);
      body = v("#N/A");
      break;
    case 6:
      attrs.push(["t", "str"]);
      body = `<${p}f>CONCAT(&quot;J&quot;,1)</${p}f>${v(text(rnd))}`;
      break;
    case 7:
      attrs.push(["t", "inlineStr"]);
      body = `<${p}is><${p}t${rnd.chance(0.3) ? ' xml:space="preserve"' : ""}>${text(rnd)}</${p}t></${p}is>`;
      break;
    case 8:
      attrs.push(["t", "inlineStr"]);
      body = `<${p}is><${p}r><${p}rPr><${p}b/><${p}sz val="11"/></${p}rPr><${p}t>${text(rnd)}</${p}t></${p}r>${space(rnd)}<${p}r><${p}t xml:space="preserve">${text(rnd)}</${p}t></${p}r><${p}rPh sb="0" eb="1"><${p}t>ヨウコウ</${p}t></${p}rPh><${p}phoneticPr fontId="1"/></${p}is>`;
      break;
    case 9:
      attrs.push(["t", "d"]);
      body = v(rnd.pick(["2024-05-01T08:30:00", "2024-05-01T08:30", "2024-05-01", "junk"]));
      break;
    default:
      if (rnd.chance(0.3)) attrs.push(["t", rnd.pick(["", "inlineStr", "weird"])]);
      body = rnd.pick(["", `<${p}v/>`, `<${p}v></${p}v>`, v(text(rnd))]);
  }
  const open = `<${p}c${attributes(rnd, attrs)}`;
  if (body === "" && rnd.chance(0.6)) return `${open}${rnd.chance(0.3) ? " " : ""}/>`;
  return `${open}>${space(rnd)}${body}${space(rnd)}</${p}c>`;
}

/** A worksheet part: declaration or not, a prefix or not, rows with and without numbers. */
function sheetXml(rnd: Random, strings: number): Buffer {
  const p = rnd.chance(0.3) ? "x:" : "";
  const ns = p ? `xmlns:x="${MAIN}"` : `xmlns="${MAIN}"`;
  let rows = "";
  let rowNumber = 0;
  for (let r = rnd.int(8); r > 0; r--) {
    rowNumber += 1 + (rnd.chance(0.2) ? rnd.int(3) : 0);
    const attrs: [string, string][] = [];
    if (rnd.chance(0.8)) attrs.push(["r", rnd.chance(0.05) ? "" : String(rowNumber)]);
    if (rnd.chance(0.5)) attrs.push(["spans", "1:6"], ["x14ac:dyDescent", "0.25"]);
    let cells = "";
    let col = 0;
    for (let c = rnd.int(7); c > 0; c--) {
      col += 1 + (rnd.chance(0.2) ? rnd.int(3) : 0);
      const ref = rnd.chance(0.8)
        ? `${rnd.chance(0.05) ? column(col).toLowerCase() : column(col)}${rowNumber}`
        : null;
      cells += space(rnd) + cell(rnd, p, ref, strings);
    }
    rows +=
      cells === "" && rnd.chance(0.5)
        ? `<${p}row${attributes(rnd, attrs)}/>`
        : `<${p}row${attributes(rnd, attrs)}>${cells}${space(rnd)}</${p}row>${space(rnd)}`;
  }
  // A tag longer than a chunk (cut in two, it is completed from the next chunk's start).
  const longTag = rnd.chance(0.3) ? `<${p}sheetPr codeName="${"工作表".repeat(rnd.int(700))}"/>` : "";
  const before = rnd.chance(0.5)
    ? `${longTag}<${p}sheetViews><${p}sheetView workbookViewId="0"/></${p}sheetViews><${p}cols><${p}col min="1" max="2" width="10.5"/></${p}cols>`
    : "";
  const after = rnd.chance(0.5)
    ? `<${p}mergeCells count="1"><${p}mergeCell ref="A1:B1"/></${p}mergeCells><${p}conditionalFormatting sqref="A1"><${p}cfRule type="expression" priority="1"><${p}formula>A1&lt;&gt;""</${p}formula></${p}cfRule></${p}conditionalFormatting>`
    : "";
  const declaration = rnd.chance(0.7)
    ? `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>${space(rnd)}`
    : "";
  const bom = rnd.chance(0.1) ? "\ufeff" : "";
  return Buffer.from(
    `${bom}${declaration}<${p}worksheet ${ns}>${space(rnd)}${before}<${p}sheetData>${rows}</${p}sheetData>${after}</${p}worksheet>${space(rnd)}`,
  );
}

/** A shared-strings part: plain and rich strings, phonetic guides, empty ones. */
function sstXml(rnd: Random, count: number): Buffer {
  let items = "";
  for (let i = 0; i < count; i++) {
    const kind = rnd.int(5);
    if (kind === 0) items += `<si><t>${text(rnd)}</t></si>`;
    else if (kind === 1) items += `<si><t xml:space="preserve">${text(rnd)}</t></si>`;
    else if (kind === 2)
      items += `<si><r><t>${text(rnd)}</t></r><r><rPr><b/></rPr><t>${text(rnd)}</t></r><rPh sb="0" eb="2"><t>ヨウコウ</t></rPh><phoneticPr fontId="1" type="noConversion"/></si>`;
    else if (kind === 3) items += rnd.pick(["<si/>", "<si><t/></si>", "<si></si>"]);
    else items += `<si>${space(rnd)}<t>${text(rnd)}</t>${space(rnd)}</si>`;
    items += space(rnd);
  }
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="${MAIN}" count="${count}" uniqueCount="${count}">${items}</sst>`,
  );
}

const DATE_STYLES = [false, true, false, true];

describe("the byte scanner reads what saxes reads", () => {
  test("300 generated workbooks, cut into chunks at random: the same shared strings and the same rows", async () => {
    let read = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const rnd = random(seed);
      const count = rnd.int(12);
      const sst = sstXml(rnd, count);
      const sheet = sheetXml(rnd, count);
      const max = rnd.pick([Number.POSITIVE_INFINITY, 64 * 1024, 40, 3]);
      const chunk = rnd.pick([1, 7, 64, 300, 1000, 100_000]);
      const strings = await saxesSharedStrings(chunksOf([sst]), max);
      const scanned = await scanSharedStrings(chunksOf(pieces(sst, rnd, chunk)), max);
      expect(stringsOf(scanned), `seed ${seed}`).toEqual(stringsOf(strings));
      // The same rows, or the same error (a cell naming a shared string the table lacks).
      const expected = await outcome(() =>
        rowsOf(saxesSheetRows(chunksOf([sheet]), strings, DATE_STYLES, seed % 2 === 0, max)),
      );
      const actual = await outcome(() =>
        rowsOf(scanSheetRows(chunksOf(pieces(sheet, rnd, chunk)), scanned, DATE_STYLES, seed % 2 === 0, max)),
      );
      expect(actual, `seed ${seed}: ${sheet.toString()}`).toEqual(expected);
      if ("rows" in expected) read++;
    }
    // Most workbooks are read to the end, not refused.
    expect(read).toBeGreaterThan(100);
  });
});

/** The rows a read gives, or its error's message. */
const outcome = (read: () => Promise<SheetRow[]>) =>
  read().then(
    (rows) => ({ rows }),
    (error: Error) => ({ error: error.message }),
  );

/** The rows of a sheet part's `<sheetData>` content, through the scanner cut at every byte. */
async function scannedEverywhere(rowsXml: string, strings: SharedStrings, max = Number.POSITIVE_INFINITY) {
  const sheet = Buffer.from(`<worksheet xmlns="${MAIN}"><sheetData>${rowsXml}</sheetData></worksheet>`);
  const whole = await rowsOf(scanSheetRows(chunksOf([sheet]), strings, DATE_STYLES, false, max));
  for (let cut = 1; cut < sheet.length; cut++) {
    const split = await rowsOf(
      scanSheetRows(
        chunksOf([sheet.subarray(0, cut), sheet.subarray(cut)]),
        strings,
        DATE_STYLES,
        false,
        max,
      ),
    );
    expect(split, `cut at byte ${cut}`).toEqual(whole);
  }
  const bySaxes = await rowsOf(saxesSheetRows(chunksOf([sheet]), strings, DATE_STYLES, false, max));
  expect(whole).toEqual(bySaxes);
  return whole.map((r) => [r.number, ...r.cells]);
}

describe("the byte scanner, case by case (cut at every byte, and as saxes reads it)", () => {
  const noStrings = () => saxesSharedStrings(chunksOf([Buffer.from(`<sst><si><t>接警单号</t></si></sst>`)]));

  test.each([
    [
      "entities",
      `<row r="1"><c t="inlineStr"><is><t>A&amp;B &lt;&gt; &quot;&apos; &#x4E2D;&#20013;&#x1F600;</t></is></c></row>`,
      [[1, `A&B <> "' 中中😀`]],
    ],
    [
      "line ends as XML reads them",
      `<row r="1"><c t="inlineStr"><is><t>a\r\nb\rc&#13;</t></is></c></row>`,
      [[1, "a\nb\nc\r"]],
    ],
    [
      "a self-closing cell",
      `<row r="2"><c r="A2" t="inlineStr"><is><t>J1</t></is></c><c r="B2"/><c r="C2"><v>7</v></c></row>`,
      [[2, "J1", "", "7"]],
    ],
    [
      "attributes in any order and either quote",
      `<row r='3'><c t='s' s="1" r='B3'><v>0</v></c><c s='1' r="C3"><v>45413.5</v></c></row>`,
      [[3, "", "接警单号", "2024-05-01 12:00:00"]],
    ],
    [
      "a namespace prefix",
      `<x:row xmlns:x="${MAIN}" r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c></x:row>`,
      [[1, "接警单号"]],
    ],
    [
      "whitespace between tags and around =",
      `<row  r = "1" >\n  <c r="A1"\n t="s" >\r\n <v>0</v>\n </c >\n</row >`,
      [[1, "接警单号"]],
    ],
    [
      "Chinese text and a 4-byte character cut anywhere",
      `<row r="1"><c t="inlineStr"><is><t>阳光小区😀红星路（全角）</t></is></c></row>`,
      [[1, "阳光小区😀红星路（全角）"]],
    ],
    [
      "brackets and > that make no ]]>",
      `<row r="1"><c t="inlineStr"><is><t>a]]b]>c]] >d]]&gt;</t></is></c></row>`,
      [[1, "a]]b]>c]] >d]]>"]],
    ],
    [
      "rich text without its phonetic guide",
      `<row r="1"><c t="inlineStr"><is><r><t>阳光</t></r><r><rPr><b/></rPr><t>小区</t></r><rPh sb="0" eb="2"><t>ヨウコウ</t></rPh></is></c></row>`,
      [[1, "阳光小区"]],
    ],
  ])("%s", async (_, rowsXml, expected) => {
    expect(await scannedEverywhere(rowsXml, await noStrings())).toEqual(expected);
  });

  test("a very long cell stops at the cell limit plus one character, wherever it is cut", async () => {
    const long = "长".repeat(3000);
    const rows = await scannedEverywhere(
      `<row r="1"><c t="inlineStr"><is><t>${long}&amp;</t></is></c><c t="s"><v>0</v></c></row>`,
      await noStrings(),
      100,
    );
    expect(rows).toEqual([[1, "长".repeat(101), "接警单号"]]);
  });

  test("a long shared string stops at the limit plus one character; entities count as their character", async () => {
    const sst = Buffer.from(
      `<sst><si><t>${"&amp;".repeat(50)}${"长".repeat(80)}</t></si><si><t>短</t></si></sst>`,
    );
    const bySaxes = stringsOf(await saxesSharedStrings(chunksOf([sst]), 100));
    expect(bySaxes).toEqual([`${"&".repeat(50)}${"长".repeat(51)}`, "短"]);
    for (let cut = 1; cut < sst.length; cut += 7)
      expect(
        stringsOf(await scanSharedStrings(chunksOf([sst.subarray(0, cut), sst.subarray(cut)]), 100)),
      ).toEqual(bySaxes);
  });
});

describe("what the scanner leaves to saxes", () => {
  test.each([
    ["CDATA", `<row r="1"><c t="inlineStr"><is><t><![CDATA[a<b]]></t></is></c></row>`],
    ["a comment", `<row r="1"><!-- written by hand --><c><v>1</v></c></row>`],
    ["a processing instruction", `<row r="1"><?mso-application progid="Excel.Sheet"?><c><v>1</v></c></row>`],
    ["an entity XML does not define", `<row r="1"><c t="inlineStr"><is><t>&nbsp;</t></is></c></row>`],
    ["a control character", `<row r="1"><c t="inlineStr"><is><t>a\u0001b</t></is></c></row>`],
    ["a U+FFFF", `<row r="1"><c t="inlineStr"><is><t>a\uffffb</t></is></c></row>`],
    ["]]> in text", `<row r="1"><c t="inlineStr"><is><t>a]]]>b</t></is></c></row>`],
    ["an end tag that does not match", `<row r="1"><c><v>1</v></row>`],
    ["an attribute twice", `<row r="1"><c r="A1" r="B1"><v>1</v></c></row>`],
    ["an unquoted attribute", `<row r=1><c><v>1</v></c></row>`],
    ["no space between attributes", `<row r="1"><c r="A1"t="n"><v>1</v></c></row>`],
  ])("%s: the scanner stops, and the sheet reads as saxes reads it", async (_, rowsXml) => {
    const sheet = Buffer.from(`<worksheet xmlns="${MAIN}"><sheetData>${rowsXml}</sheetData></worksheet>`);
    const strings = await saxesSharedStrings(chunksOf([Buffer.from("<sst/>")]));
    await expect(rowsOf(scanSheetRows(chunksOf([sheet]), strings, [], false))).rejects.toBeInstanceOf(
      Unsupported,
    );
    const path = join(dir, "fallback.xlsx");
    writeFileSync(path, zip([{ name: "xl/worksheets/sheet1.xml", data: sheet }]));
    const parts = await openXlsxZip(path);
    try {
      const bySaxes = await outcome(() => rowsOf(saxesSheetRows(chunksOf([sheet]), strings, [], false)));
      expect(
        await outcome(() => rowsOf(sheetRows(parts, "xl/worksheets/sheet1.xml", strings, [], false))),
      ).toEqual(bySaxes);
    } finally {
      parts.zip.close();
    }
  });

  test("a sheet that needs saxes after its first chunks gives every row once, in order", async () => {
    // 4,000 rows (about 400 KB, more than one inflated chunk) before a comment the scanner leaves to saxes.
    const rows = Array.from(
      { length: 4000 },
      (_, i) =>
        `<row r="${i + 1}"><c t="inlineStr"><is><t>第${i}起：阳光小区噪声扰民，民警到场调解</t></is></c></row>`,
    ).join("");
    const sheet = Buffer.from(
      `<worksheet xmlns="${MAIN}"><sheetData>${rows}<!-- end --><row r="4001"><c><v>1</v></c></row></sheetData></worksheet>`,
    );
    const path = join(dir, "late-fallback.xlsx");
    writeFileSync(path, zip([{ name: "xl/worksheets/sheet1.xml", data: sheet }]));
    const strings = await saxesSharedStrings(chunksOf([Buffer.from("<sst/>")]));
    const parts = await openXlsxZip(path);
    try {
      let chunks = 0;
      const read: SheetRow[] = [];
      for await (const chunk of sheetRows(parts, "xl/worksheets/sheet1.xml", strings, [], false)) {
        chunks++;
        read.push(...chunk);
      }
      expect(chunks).toBeGreaterThan(1);
      expect(read.map((r) => r.number)).toEqual(Array.from({ length: 4001 }, (_, i) => i + 1));
      expect(read).toEqual(await rowsOf(saxesSheetRows(chunksOf([sheet]), strings, [], false)));
    } finally {
      parts.zip.close();
    }
  });
});
