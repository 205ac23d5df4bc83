import { writeFileSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { describe, expect, test } from "vitest";
import { DEFAULT_LIMITS } from "../limits.ts";
import { tempDir } from "../testing/files.ts";
import { zip } from "../testing/zip.ts";
import type { RecordSource, SourceRecord } from "./types.ts";
import { readXlsx } from "./xlsx.ts";
import {
  columnOf,
  isDateFormat,
  isPlainInteger,
  openXlsxZip,
  readSharedStrings,
  SharedStrings,
  type SheetRow,
  serialDateText,
  sheetRows,
  wallClockText,
} from "./xlsx-parts.ts";

const dir = tempDir("recur-xlsx-");

async function all(source: RecordSource): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const batch of source.batches) out.push(...batch);
  return out;
}

const xml = (s: string) => Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${s}`);
const MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/**
 * A workbook written by hand as another producer might: the second tab's part first in the zip,
 * sheet XML with a namespace prefix, a Chinese built-in date format (31) and a custom one, a style
 * of the cell-style list that must not count, rich text with a phonetic guide, inline strings, an
 * entity, booleans, errors, a formula's cached result, and cells without references.
 */
function handWritten(date1904 = false): Buffer {
  return zip([
    {
      name: "xl/worksheets/sheet1.xml",
      data: xml(`<x:worksheet xmlns:x="${MAIN}"><x:sheetData>
<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c><x:c r="C1" t="s"><x:v>2</x:v></x:c><x:c r="D1" t="inlineStr"><x:is><x:t>报警电话</x:t></x:is></x:c><x:c r="E1" t="inlineStr"><x:is><x:t>已处置</x:t></x:is></x:c><x:c r="F1" t="inlineStr"><x:is><x:t>备注</x:t></x:is></x:c></x:row>
<x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:t>J1</x:t></x:is></x:c><x:c r="B2" s="1"><x:v>45413.5</x:v></x:c><x:c r="C2" t="s"><x:v>3</x:v></x:c><x:c r="D2"><x:v>13812345678</x:v></x:c><x:c r="E2" t="b"><x:v>1</x:v></x:c><x:c r="F2" t="e"><x:v>#N/A</x:v></x:c></x:row>
<x:row r="4"><x:c t="str"><x:f>CONCAT("J","2")</x:f><x:v>J2</x:v></x:c><x:c s="2"><x:v>45414.25</x:v></x:c><x:c t="inlineStr"><x:is><x:t>红星路8号 A&amp;B 商行</x:t></x:is></x:c><x:c s="3"><x:v>3.5</x:v></x:c><x:c t="b"><x:v>0</x:v></x:c><x:c r="F4" s="4"><x:v>45414</x:v></x:c></x:row>
</x:sheetData></x:worksheet>`),
    },
    {
      name: "xl/worksheets/sheet2.xml",
      data: xml(
        `<worksheet xmlns="${MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>本表为演示说明</t></is></c></row></sheetData></worksheet>`,
      ),
    },
    {
      name: "xl/workbook.xml",
      data: xml(
        `<workbook xmlns="${MAIN}" xmlns:r="${REL}"><workbookPr date1904="${date1904 ? 1 : 0}"/><sheets><sheet name="说明" sheetId="2" r:id="rId2"/><sheet name="警情" sheetId="1" r:id="rId1"/></sheets></workbook>`,
      ),
    },
    {
      name: "xl/_rels/workbook.xml.rels",
      data: xml(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="${REL}/worksheet" Target="/xl/worksheets/sheet2.xml"/>
<Relationship Id="rId3" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>
<Relationship Id="rId4" Type="${REL}/styles" Target="styles.xml"/>
</Relationships>`),
    },
    {
      name: "xl/sharedStrings.xml",
      data: xml(`<sst xmlns="${MAIN}" count="4" uniqueCount="4"><si><t>接警单号</t></si><si><t>报警时间</t></si><si><t xml:space="preserve">发生地址 </t></si>
<si><r><t>阳光</t></r><r><rPr><b/></rPr><t>小区3栋</t></r><rPh sb="0" eb="2"><t>ヨウコウ</t></rPh></si></sst>`),
    },
    {
      name: "xl/styles.xml",
      data: xml(`<styleSheet xmlns="${MAIN}"><numFmts count="2"><numFmt numFmtId="176" formatCode="[$-F800]yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot; h:mm"/><numFmt numFmtId="177" formatCode="0.00&quot;元&quot;"/></numFmts>
<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>
<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="31"/><xf numFmtId="176"/><xf numFmtId="177"/><xf numFmtId="58"/></cellXfs></styleSheet>`),
    },
  ]);
}

describe("XLSX parts", () => {
  test.each([
    ["yyyy-mm-dd hh:mm:ss", true],
    ['[$-F800]yyyy"年"m"月"d"日"', true],
    ["h:mm AM/PM", true],
    ['0.00"元"', false],
    ["[Red]#,##0.00", false],
    ["General", false],
    ["0.00E+00", false],
    ["@", false],
  ])("%s shows a date: %s", (code, date) => {
    expect(isDateFormat(code)).toBe(date);
  });

  test("cell references give their column", () => {
    expect([
      columnOf("A1"),
      columnOf("Z9"),
      columnOf("AA10"),
      columnOf("XFD1048576"),
      columnOf(undefined),
    ]).toEqual([1, 26, 27, 16384, 0]);
  });

  test("serial dates read as the wall clock Excel shows, in both date systems", () => {
    expect(serialDateText(45413.5, false)).toBe("2024-05-01 12:00:00");
    expect(serialDateText(45413.5 - 1462, true)).toBe("2024-05-01 12:00:00");
    expect(serialDateText(45414.000005787, false)).toBe("2024-05-02 00:00:00");
  });

  test("serial dates read by integer arithmetic as the Date-based text gives them, across four-digit years and beyond", () => {
    // A seeded linear congruential walk over serials from year 1000 (-328,716) to past 9999 (2,958,466).
    let x = 20261125;
    const serials = [
      0, 0.5, 1, 59, 60, 61, -328_716, -328_716.00001, 2_958_465.99999, 2_958_466, 45413.999994,
    ];
    for (let i = 0; i < 20_000; i++) {
      x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
      serials.push((x / 2 ** 32) * 3_400_000 - 400_000);
    }
    for (const serial of serials)
      for (const date1904 of [false, true]) {
        const reference = wallClockText(
          new Date(Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * 86_400_000)),
        );
        expect(serialDateText(serial, date1904), `${serial} ${date1904}`).toBe(reference);
      }
  });

  test("a number written as JavaScript writes it is kept as it is; any other goes through Number", () => {
    const texts = [
      "0",
      "-0",
      "7",
      "-7",
      "007",
      "13812345678",
      "123456789012345",
      "1234567890123456",
      "-",
      "",
      "1.5",
      "1e3",
      " 7",
      "+7",
      "０",
    ];
    let x = 7;
    for (let i = 0; i < 5000; i++) {
      x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
      texts.push(
        (x % 3 === 0 ? "-" : "") +
          String(x)
            .slice(0, 1 + (x % 17))
            .padStart(1 + (x % 4), "0"),
      );
    }
    // Kept as it is only where Number and back gives the same text (16 digits and more go through Number).
    for (const text of texts) if (isPlainInteger(text)) expect(String(Number(text)), text).toBe(text);
    expect(texts.slice(0, 15).map(isPlainInteger)).toEqual([
      true,
      false,
      true,
      true,
      false,
      true,
      true,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(texts.filter(isPlainInteger).length).toBeGreaterThan(2000);
  });

  test("the shared-string table gives back every string, across its growth", () => {
    const table = new SharedStrings();
    const texts = Array.from({ length: 100_000 }, (_, i) =>
      i % 3 === 0 ? "" : `阳光小区${i}栋${"噪声扰民".repeat(i % 7)}😀`,
    );
    for (const t of texts) table.add(t);
    expect(table.size).toBe(texts.length);
    expect(texts.every((t, i) => table.get(i) === t)).toBe(true);
    expect(table.get(-1)).toBe("");
    expect(table.get(texts.length)).toBe("");
    // A damaged cell's index such as 1.5 gave the whole buffer, bytes never written included.
    expect(table.get(1.5)).toBe("");
  });
});

/** A one-sheet workbook around the given <sheetData> rows (inline strings only), and any other parts. */
function oneSheet(rows: string, others: Parameters<typeof zip>[0] = []): Buffer {
  return zip([
    ...others,
    {
      name: "xl/worksheets/sheet1.xml",
      data: xml(`<worksheet xmlns="${MAIN}"><sheetData>${rows}</sheetData></worksheet>`),
    },
    {
      name: "xl/workbook.xml",
      data: xml(
        `<workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets><sheet name="警情" sheetId="1" r:id="rId1"/></sheets></workbook>`,
      ),
    },
    {
      name: "xl/_rels/workbook.xml.rels",
      data: xml(
        `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
      ),
    },
  ]);
}

const inline = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;

test("a cell reference past Excel's last column (XFD) makes the file invalid, instead of a row of millions of cells", async () => {
  // ZZZZZZ3 (column 321,272,406) ran the import out of memory and aborted the process.
  const path = join(dir, "far-column.xlsx");
  writeFileSync(
    path,
    oneSheet(
      `<row r="1">${inline("A1", "接警单号")}</row><row r="2">${inline("A2", "J1")}${inline("AAAA2", "远")}</row>`,
    ),
  );
  await expect(readXlsx(path, { limits: DEFAULT_LIMITS }).then(all)).rejects.toMatchObject({
    code: "xlsx_invalid",
    messages: { en: expect.stringContaining("AAAA2") },
  });
});

test.each([
  ["a part it never reads", true],
  ["its sheet", false],
])(
  "a workbook is refused before any row when %s inflates past its declared size (the guard runs beside the reading)",
  async (_, other) => {
    const path = join(dir, `liar-${other}.xlsx`);
    const rows = `<row r="1">${inline("A1", "接警单号")}</row><row r="2">${inline("A2", "J1")}</row>`;
    // Incompressible bytes, so that the ratio check lets them through to the count of real bytes.
    const noise = Buffer.from(Array.from({ length: 3_000_000 }, (_, i) => (i * 7919 + (i >> 9)) % 251));
    const bytes = other
      ? oneSheet(rows, [{ name: "xl/media/image1.png", data: noise, declaredSize: 2_000_000 }])
      : zip([
          {
            name: "xl/worksheets/sheet1.xml",
            data: xml(
              `<worksheet xmlns="${MAIN}"><sheetData>${rows}${"<row/>".repeat(400_000)}</sheetData></worksheet>`,
            ),
            declaredSize: 1000,
          },
        ]);
    writeFileSync(path, bytes);
    await expect(readXlsx(path, { limits: DEFAULT_LIMITS }).then(all)).rejects.toMatchObject({
      code: "xlsx_invalid",
      messages: { en: expect.stringContaining("too many bytes") },
    });
  },
);

test.each([
  ["an index past the table", "7", "byte scanner"],
  ["an index past the table", "7", "saxes fallback"],
  ["an index that is no integer", "1.5", "byte scanner"],
  ["an index that is no integer", "1.5", "saxes fallback"],
])(
  "a cell naming a shared string the workbook lacks (%s, %s, read by the %s) makes the file invalid, naming the cell, instead of an empty cell",
  async (_, index, reader) => {
    // The address of J1 was read as "" without a word: a value lost in silence.
    const path = join(dir, `missing-string-${index}-${reader}.xlsx`);
    // A comment sends the sheet to saxes (the scanner's fallback), which must say the same.
    const comment = reader === "saxes fallback" ? "<!-- 导出 -->" : "";
    const rows = `${comment}<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2">${inline("A2", "J1")}<c r="B2" t="s"><v>${index}</v></c></row>`;
    const strings = {
      name: "xl/sharedStrings.xml",
      data: xml(
        `<sst xmlns="${MAIN}" count="2" uniqueCount="2"><si><t>接警单号</t></si><si><t>发生地址</t></si></sst>`,
      ),
    };
    writeFileSync(path, oneSheet(rows, [strings]));
    await expect(readXlsx(path, { limits: DEFAULT_LIMITS }).then(all)).rejects.toMatchObject({
      code: "xlsx_invalid",
      messages: {
        en: expect.stringContaining("cell B2 names shared string"),
        zh: expect.stringContaining("单元格 B2 引用的共享字符串"),
      },
    });
  },
);

test("a date-styled number past every date (1e20) keeps its text, so that the time's issue quotes it, instead of reading as empty", async () => {
  // The row was rejected as "报警时间: the value is empty" and the quarantined record lost the number.
  const path = join(dir, "far-date.xlsx");
  const styles = {
    name: "xl/styles.xml",
    data: xml(
      `<styleSheet xmlns="${MAIN}"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="22"/></cellXfs></styleSheet>`,
    ),
  };
  const rows = `<row r="1">${inline("A1", "接警单号")}${inline("B1", "报警时间")}</row><row r="2">${inline("A2", "J1")}<c r="B2" s="1"><v>1e20</v></c></row><row r="3">${inline("A3", "J2")}<c r="B3" s="1"><v>45413.5</v></c></row>`;
  writeFileSync(path, oneSheet(rows, [styles]));
  const records = await all(await readXlsx(path, { limits: DEFAULT_LIMITS }));
  expect(records.map((r) => r.cells)).toEqual([
    ["J1", "1e20"],
    ["J2", "2024-05-01 12:00:00"],
  ]);
});

test.each([
  ["byte scanner", ""],
  ["saxes fallback", "<!-- 导出 -->"],
])(
  "formula cells without a calculated value are named on their row (read by the %s), those with one are not",
  async (reader, comment) => {
    // A workbook written by a program that does not calculate (Apache POI, openpyxl): the cell
    // read as empty, and a formula-made id or address was lost without a word. A formula whose
    // calculated value is the empty text (<v></v>) is calculated.
    const path = join(dir, `uncalculated-${reader}.xlsx`);
    const rows = `${comment}<row r="1">${inline("A1", "接警单号")}${inline("B1", "发生地址")}${inline("C1", "备注")}</row>
<row r="2"><c r="A2" t="str"><f>CONCAT("J","1")</f></c><c r="B2"><f>1+1</f></c>${inline("C2", "x")}</row>
<row r="3"><c r="A3" t="str"><f>CONCAT("J","2")</f><v>J2</v></c><c r="B3"><f t="shared" si="0"/></c><c r="C3" t="str"><f t="shared" ref="C3:C4" si="1">C2</f><v>x</v></c></row>
<row r="4">${inline("A4", "J4")}${inline("B4", "红星路1号")}<c r="C4" t="str"><f>""</f><v></v></c></row>`;
    writeFileSync(path, oneSheet(rows));
    const records = await all(await readXlsx(path, { limits: DEFAULT_LIMITS }));
    expect(records.map((r) => [r.cells, r.uncalculatedCells])).toEqual([
      [
        ["", "", "x"],
        [0, 1],
      ],
      [["J2", "", "x"], [1]],
      [["J4", "红星路1号", ""], undefined],
    ]);
  },
);

test("an empty cell (a style, no value) far to the right does not widen its row; a near one does", async () => {
  // 20,000 rows with an empty styled cell at XFD (a range formatted to the last column) ran the
  // import out of memory: 16,384 cells a row.
  const path = join(dir, "styled-far.xlsx");
  writeFileSync(
    path,
    oneSheet(
      `<row r="1">${inline("A1", "接警单号")}${inline("B1", "报警时间")}<c r="D1" s="0"/></row><row r="2">${inline("A2", "J1")}${inline("D2", "备注")}<c r="XFD2" s="0"/></row>`,
    ),
  );
  const source = await readXlsx(path, { limits: DEFAULT_LIMITS });
  // The styled blank header cell D1 keeps its column, so the note under it is an unnamed column's cell.
  expect(source.header).toEqual(["接警单号", "报警时间", "", ""]);
  expect((await all(source)).map((r) => r.cells)).toEqual([["J1", "", "", "备注"]]);
});

test("a cell's text stops growing past the cell limit while it is read (a 300 MB cell aborted the process)", async () => {
  const path = join(dir, "huge-cell.xlsx");
  const long = "长".repeat(5000);
  writeFileSync(
    path,
    zip([
      {
        name: "xl/worksheets/sheet1.xml",
        data: xml(
          `<worksheet xmlns="${MAIN}"><sheetData><row r="1">${inline("A1", long)}<c r="B1" t="s"><v>0</v></c></row></sheetData></worksheet>`,
        ),
      },
      { name: "xl/sharedStrings.xml", data: xml(`<sst xmlns="${MAIN}"><si><t>${long}</t></si></sst>`) },
    ]),
  );
  const parts = await openXlsxZip(path);
  try {
    const strings = await readSharedStrings(parts, "xl/sharedStrings.xml", 100);
    expect(strings.get(0)).toHaveLength(101);
    const rows: SheetRow[] = [];
    for await (const chunk of sheetRows(
      parts,
      "xl/worksheets/sheet1.xml",
      strings,
      [],
      false,
      undefined,
      100,
    ))
      rows.push(...chunk);
    expect(rows[0]?.cells.map((c) => c.length)).toEqual([101, 101]);
  } finally {
    parts.zip.close();
  }
});

test.each([
  ["hidden", "警情"],
  ["veryHidden", "警情"],
  ["visible", "代码表"],
])(
  "with no sheet chosen, a %s first tab gives the sheet %s (a lookup list the system hides is passed over)",
  async (state, first) => {
    // The hidden tab was read: "the file has: 代码, 名称", though the user saw only 警情 in Excel.
    const path = join(dir, `hidden-first-${state}.xlsx`);
    const sheet = (cells: string) =>
      xml(`<worksheet xmlns="${MAIN}"><sheetData><row r="1">${cells}</row></sheetData></worksheet>`);
    writeFileSync(
      path,
      zip([
        { name: "xl/worksheets/sheet1.xml", data: sheet(inline("A1", "代码") + inline("B1", "名称")) },
        { name: "xl/worksheets/sheet2.xml", data: sheet(inline("A1", "接警单号")) },
        {
          name: "xl/workbook.xml",
          data: xml(
            `<workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets><sheet name="代码表" sheetId="1" state="${state}" r:id="rId1"/><sheet name="警情" sheetId="2" r:id="rId2"/></sheets></workbook>`,
          ),
        },
        {
          name: "xl/_rels/workbook.xml.rels",
          data: xml(
            `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${REL}/worksheet" Target="worksheets/sheet2.xml"/></Relationships>`,
          ),
        },
      ]),
    );
    const source = await readXlsx(path, { limits: DEFAULT_LIMITS });
    expect(source.header).toEqual(first === "警情" ? ["接警单号"] : ["代码", "名称"]);
    await all(source);
    // Chosen by name or number, a hidden sheet is read as asked.
    const asked = await readXlsx(path, { limits: DEFAULT_LIMITS, sheet: 1 });
    expect(asked.header).toEqual(["代码", "名称"]);
    await all(asked);
  },
);

describe("XLSX reader, SpreadsheetML as other programs write it", () => {
  const path = join(dir, "hand.xlsx");
  writeFileSync(path, handWritten());

  test("the first tab is the first sheet, whatever the order of the parts in the zip", async () => {
    const source = await readXlsx(path, { limits: DEFAULT_LIMITS });
    expect(source.header).toEqual(["本表为演示说明"]);
    expect(await all(source)).toEqual([]);
  });

  test("cells read as Excel shows them: dates in Chinese formats, rich text without its phonetic guide, numbers, booleans, errors, formula results", async () => {
    const source = await readXlsx(path, { limits: DEFAULT_LIMITS, sheet: "警情" });
    expect(source.header).toEqual(["接警单号", "报警时间", "发生地址", "报警电话", "已处置", "备注"]);
    expect((await all(source)).map((r) => [r.row, ...r.cells])).toEqual([
      [1, "J1", "2024-05-01 12:00:00", "阳光小区3栋", "13812345678", "true", "#N/A"],
      [3, "J2", "2024-05-02 06:00:00", "红星路8号 A&B 商行", "3.5", "false", "2024-05-02 00:00:00"],
    ]);
    expect(source.bytesRead()).toBe(source.totalBytes);
  });

  test("shared strings beyond their limit (held in memory while rows are read) are refused with the way out", async () => {
    await expect(
      readXlsx(path, { limits: { ...DEFAULT_LIMITS, maxXlsxSharedStringsBytes: 100 }, sheet: "警情" }),
    ).rejects.toMatchObject({
      code: "xlsx_too_large",
      messages: {
        zh: expect.stringContaining("共享字符串表"),
        en: expect.stringContaining("save it as CSV"),
      },
    });
  });

  test("a workbook in the 1904 date system reads the same dates", async () => {
    const path1904 = join(dir, "hand-1904.xlsx");
    // The same serials in the 1904 system are 1,462 days later: 45413.5 reads as 2028-05-02.
    writeFileSync(path1904, handWritten(true));
    const records = await all(await readXlsx(path1904, { limits: DEFAULT_LIMITS, sheet: 2 }));
    expect(records[0]?.cells[1]).toBe("2028-05-02 12:00:00");
  });

  test("Chinese text cut by the inflater's chunk boundaries reads back whole (exceljs's reader made such characters ��)", async () => {
    const cjk = join(dir, "cjk.xlsx");
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet("警情");
    sheet.addRow(["接警单号", "简要案情"]);
    const texts = Array.from(
      { length: 3000 },
      (_, i) =>
        `第${i}起：报警人称楼上邻居深夜噪声扰民，民警到场调解，双方${i % 2 ? "和解" : "约定次日到社区调解"}`,
    );
    for (const [i, t] of texts.entries()) sheet.addRow([`J${i}`, t]);
    await workbook.xlsx.writeFile(cjk);
    const cells = (await all(await readXlsx(cjk, { limits: DEFAULT_LIMITS }))).map((r) => r.cells[1]);
    expect(cells).toEqual(texts);
  });
});
