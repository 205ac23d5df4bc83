import { writeFileSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import iconv from "iconv-lite";
import { describe, expect, test } from "vitest";
import { DEFAULT_LIMITS } from "../limits.ts";
import { tempDir, writeText } from "../testing/files.ts";
import { zip } from "../testing/zip.ts";
import { readCsv } from "./csv.ts";
import { chunkDecoder, detectEncoding, parseEncodingName } from "./encoding.ts";
import { readJsonl } from "./jsonl.ts";
import type { RecordSource, SourceRecord } from "./types.ts";
import { checkXlsxArchive, readXlsx } from "./xlsx.ts";

const dir = tempDir();

async function all(source: RecordSource): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const batch of source.batches) out.push(...batch);
  return out;
}

describe("encoding detection", () => {
  test.each([
    ["UTF-8 with BOM", Buffer.from([0xef, 0xbb, 0xbf, 0x61]), { encoding: "utf8", bomBytes: 3 }],
    ["UTF-8 Chinese", Buffer.from("报警时间,地址"), { encoding: "utf8", bomBytes: 0 }],
    ["GBK Chinese", Buffer.from([0xb1, 0xa8, 0xbe, 0xaf]), { encoding: "gb18030", bomBytes: 0 }],
    ["ASCII", Buffer.from("id,time"), { encoding: "utf8", bomBytes: 0 }],
    ["UTF-16LE with BOM", Buffer.from([0xff, 0xfe, 0x61, 0x00]), { encoding: "utf16le", bomBytes: 2 }],
    ["UTF-16BE with BOM", Buffer.from([0xfe, 0xff, 0x00, 0x61]), { encoding: "utf16be", bomBytes: 2 }],
  ])("%s", (_, bytes, expected) => {
    expect(detectEncoding(bytes)).toEqual(expected);
  });

  test("UTF-16LE without a BOM is told by the zero high bytes of its ASCII characters", () => {
    const bytes = Buffer.from("报警时间,地址,经度\r\n2024-05-01 08:00:00,阳光小区3栋,120.1\r\n", "utf16le");
    expect(detectEncoding(bytes)).toEqual({ encoding: "utf16le", bomBytes: 0 });
  });

  test("UTF-16BE without a BOM is told by the zero high bytes coming first", () => {
    const text = "报警时间,地址,经度\r\n2024-05-01 08:00:00,阳光小区3栋,120.1\r\n";
    const bytes = Buffer.from(text, "utf16le").swap16();
    expect(detectEncoding(bytes)).toEqual({ encoding: "utf16be", bomBytes: 0 });
    // One byte order is never taken for the other.
    expect(detectEncoding(Buffer.from(text, "utf16le")).encoding).toBe("utf16le");
  });

  test.each([
    ["GBK", "gbk"],
    ["cp936", "gbk"],
    ["UTF-8", "utf8"],
    ["Unicode", "utf16le"],
    ["UTF-16BE", "utf16be"],
    ["big5", "big5"],
    ["CP950", "big5"],
    ["latin1", undefined],
  ])("the encoding name %s reads as %s", (text, expected) => {
    expect(parseEncodingName(text)).toBe(expected);
  });

  test("a UTF-8 file with one GBK row stays UTF-8 (the row is flagged), not the whole file GBK", () => {
    const utf8 = Buffer.from(
      `报警时间,地址\n${"2024-05-01 08:00:00,浙江省杭州市西湖区阳光小区3栋2单元501\n".repeat(3)}`,
    );
    const gbkRow = iconv.encode("2024-05-01 08:00:00,山东省德州市陵城区边临镇红星村\n", "gbk");
    expect(detectEncoding(Buffer.concat([utf8, gbkRow, utf8])).encoding).toBe("utf8");
    // A GBK file with a few characters that happen to be valid UTF-8 is still GBK.
    const gbk = iconv.encode(
      `报警时间,地址\n${"2024-05-01 08:00:00,浙江省杭州市西湖区阳光小区3栋2单元501\n".repeat(20)}`,
      "gbk",
    );
    expect(detectEncoding(gbk).encoding).toBe("gb18030");
  });

  test("a UTF-8 character cut at the end of the sample does not make it GBK", () => {
    const bytes = Buffer.from("报警时间");
    expect(detectEncoding(bytes.subarray(0, bytes.length - 1)).encoding).toBe("utf8");
  });
});

describe("GBK decoding", () => {
  const text = "报警人称阳光小区３栋2单元501室噪音扰民，民警到场调解。€ḿ";
  const bytes = iconv.encode(text, "gbk");

  test("split at every byte, the stream decodes to the text", () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      const decoder = chunkDecoder("gbk");
      const out = decoder.write(bytes.subarray(0, cut)) + decoder.write(bytes.subarray(cut)) + decoder.end();
      expect(out).toBe(text);
    }
  });

  test("the GB18030-2022 mapping: A6D9 is U+FE10, not a private-use character", () => {
    const decoder = chunkDecoder("gb18030");
    expect(decoder.write(Buffer.from([0xa6, 0xd9])) + decoder.end()).toBe("\ufe10");
  });

  test("bytes that are not GBK become U+FFFD and the rest of the line survives", () => {
    const decoder = chunkDecoder("gbk");
    const out =
      decoder.write(Buffer.concat([Buffer.from([0xff]), iconv.encode("阳光", "gbk")])) + decoder.end();
    expect(out).toBe("\ufffd阳光");
  });
});

describe("CSV reader", () => {
  test("reads a GBK file in small chunks: multi-byte characters split across chunks survive", async () => {
    const text = `编号,地址\n1,"阳光花园3栋\n2单元"\n2,春华路88号\n`;
    const path = writeText(dir, "gbk.csv", text, "gbk");
    const source = await readCsv(path, {
      encoding: "auto",
      delimiter: ",",
      limits: DEFAULT_LIMITS,
      chunkBytes: 7,
    });
    expect(source.encoding).toBe("gb18030");
    expect(source.header).toEqual(["编号", "地址"]);
    expect((await all(source)).map((r) => [r.row, ...r.cells])).toEqual([
      [1, "1", "阳光花园3栋\n2单元"],
      [2, "2", "春华路88号"],
    ]);
  });

  test("a row of delimiters only (a blank row Excel saved as CSV) is marked blank, for the import to pass over as XLSX does", async () => {
    // Each was a rejected call ("incident number: the value is empty") in the quarantine, though
    // the same export saved as XLSX had none.
    const path = writeText(
      dir,
      "blank-rows.csv",
      `编号,地址,经度\n1,阳光小区,120.1\n,,\n,,\r\n2,,\n,"",\n, ,\n`,
    );
    const source = await readCsv(path, {
      encoding: "auto",
      delimiter: ",",
      limits: DEFAULT_LIMITS,
      chunkBytes: 5,
    });
    const records = await all(source);
    // Marked for the import to pass over (the wizard still shows them), numbered as Excel shows them.
    expect(records.filter((r) => !r.blank).map((r) => [r.row, ...r.cells])).toEqual([
      [1, "1", "阳光小区", "120.1"],
      [4, "2", "", ""],
      // A space is text: the mapper says what is missing.
      [6, "", " ", ""],
    ]);
    expect(records.filter((r) => r.blank).map((r) => r.row)).toEqual([2, 3, 5]);
    // Above the header too: the file was "empty, without a header row".
    const lead = writeText(dir, "blank-lead.csv", `,,\n , ,\r\n编号,地址,经度\n1,阳光小区,120.1\n`);
    const led = await readCsv(lead, {
      encoding: "auto",
      delimiter: ",",
      limits: DEFAULT_LIMITS,
      chunkBytes: 3,
    });
    expect(led.header).toEqual(["编号", "地址", "经度"]);
    expect((await all(led)).map((r) => [r.row, ...r.cells])).toEqual([[1, "1", "阳光小区", "120.1"]]);
  });

  test.each([
    ["with", true],
    ["without", false],
  ])("reads a UTF-16BE file %s a BOM, characters split across chunks", async (_, bom) => {
    const text = `编号,地址\r\n1,"阳光花园3栋\n2单元"\r\n2,春华路88号\r\n`;
    const body = Buffer.from(text, "utf16le").swap16();
    const path = join(dir, `be-${bom}.csv`);
    writeFileSync(path, bom ? Buffer.concat([Buffer.from([0xfe, 0xff]), body]) : body);
    // Without a BOM the first chunk must hold a few ASCII characters to tell; 41 bytes still cuts one.
    const source = await readCsv(path, {
      encoding: "auto",
      delimiter: ",",
      limits: DEFAULT_LIMITS,
      chunkBytes: bom ? 7 : 41,
    });
    expect(source.encoding).toBe("utf16be");
    expect(source.header).toEqual(["编号", "地址"]);
    expect((await all(source)).map((r) => [r.row, ...r.cells])).toEqual([
      [1, "1", "阳光花园3栋\n2单元"],
      [2, "2", "春华路88号"],
    ]);
  });

  test("reads Big5 when asked (auto-detection would take it for GB18030)", async () => {
    const path = join(dir, "big5.csv");
    writeFileSync(path, iconv.encode("編號,地址\n1,陽光社區3棟2單元501\n", "big5"));
    const source = await readCsv(path, {
      encoding: "big5",
      delimiter: ",",
      limits: DEFAULT_LIMITS,
      chunkBytes: 5,
    });
    expect(source.header).toEqual(["編號", "地址"]);
    const records = await all(source);
    expect(records.map((r) => [r.cells, r.badEncoding ?? false])).toEqual([
      [["1", "陽光社區3棟2單元501"], false],
    ]);
  });

  test("the BOM is not part of the first column name", async () => {
    const source = await readCsv(writeText(dir, "bom.csv", "id,time\n1,2\n", "utf8bom"), {
      encoding: "auto",
      delimiter: ",",
      limits: DEFAULT_LIMITS,
    });
    expect(source.header).toEqual(["id", "time"]);
  });

  test("bytes that are not UTF-8 in a file detected as UTF-8 are flagged on their row", async () => {
    const path = join(dir, "mixed.csv");
    writeFileSync(
      path,
      Buffer.concat([Buffer.from("a,b\n1,ok\n2,"), Buffer.from([0xff, 0xfe, 0x41]), Buffer.from("\n")]),
    );
    const source = await readCsv(path, { encoding: "utf8", delimiter: ",", limits: DEFAULT_LIMITS });
    const records = await all(source);
    expect(records.map((r) => r.badEncoding ?? false)).toEqual([false, true]);
  });

  test("the encoding is decided on the first chunk: a GBK row past it is flagged, not the whole file re-read (docs/profiles.md)", async () => {
    // Plain ASCII first (UTF-8 by detection), then a Chinese row in GBK.
    const head = Buffer.from(`id,addr\n${"1,No. 5 Red Star Road\n".repeat(4)}`);
    const path = join(dir, "ascii-then-gbk.csv");
    writeFileSync(path, Buffer.concat([head, iconv.encode("2,山东省德州市陵城区边临镇红星村\n", "gbk")]));
    const source = await readCsv(path, {
      encoding: "auto",
      delimiter: ",",
      limits: DEFAULT_LIMITS,
      chunkBytes: head.length,
    });
    expect(source.encoding).toBe("utf8");
    const records = await all(source);
    expect(records.map((r) => r.badEncoding ?? false)).toEqual([false, false, false, false, true]);
    expect(records[4]?.cells[1]).toContain("\ufffd");
  });

  test.each([1, 5, 1 << 20])(
    "a file with old Mac line ends (CR only) is read line by line (chunks of %i bytes)",
    async (chunkBytes) => {
      const path = writeText(dir, `cr-${chunkBytes}.csv`, 'id,time\r1,"a\rb"\r2,3\r');
      const source = await readCsv(path, {
        encoding: "auto",
        delimiter: ",",
        limits: DEFAULT_LIMITS,
        chunkBytes,
      });
      expect(source.header).toEqual(["id", "time"]);
      expect((await all(source)).map((r) => r.cells)).toEqual([
        ["1", "a\nb"],
        ["2", "3"],
      ]);
    },
  );

  test("CR inside a quoted cell of a file with CRLF line ends stays a CR", async () => {
    const path = writeText(dir, "crlf-cr.csv", 'id,time\r\n1,"a\rb"\r\n');
    const source = await readCsv(path, {
      encoding: "auto",
      delimiter: ",",
      limits: DEFAULT_LIMITS,
      chunkBytes: 3,
    });
    expect((await all(source)).map((r) => r.cells)).toEqual([["1", "a\rb"]]);
  });

  test.each([
    ["longer than the record limit", `${"c,".repeat(600)}c\n1\n`, /header.*longer than 1000 characters/],
    ["with a quote never closed", 'id,"time\n1,2\n', /header.*quote/],
  ])("a header %s is refused as such, not as an empty file", async (_, text, message) => {
    const path = writeText(dir, "bad-header.csv", text);
    await expect(
      readCsv(path, {
        encoding: "auto",
        delimiter: ",",
        limits: { ...DEFAULT_LIMITS, maxRecordChars: 1000 },
        chunkBytes: 64,
      }),
    ).rejects.toMatchObject({ code: "bad_header", messages: { en: expect.stringMatching(message) } });
  });

  test("an empty file is refused with a clear error", async () => {
    await expect(
      readCsv(writeText(dir, "empty.csv", ""), { encoding: "auto", delimiter: ",", limits: DEFAULT_LIMITS }),
    ).rejects.toMatchObject({ code: "empty_file" });
  });
});

describe("JSONL reader", () => {
  test("projects objects onto the columns, keeps bad lines as rejected records", async () => {
    const path = writeText(
      dir,
      "calls.jsonl",
      [
        '{"id":"1","time":"2024-05-01 08:00:00","geo":{"lon":120.1}}',
        "not json",
        "[1,2]",
        "",
        '{"id":2,"time":null}',
      ].join("\n"),
    );
    const source = await readJsonl(path, {
      encoding: "auto",
      limits: DEFAULT_LIMITS,
      columns: ["id", "time", "geo.lon"],
    });
    const records = await all(source);
    expect(records.map((r) => [r.row, r.problem?.code ?? "ok", ...r.cells])).toEqual([
      [1, "ok", "1", "2024-05-01 08:00:00", "120.1"],
      [2, "bad_json"],
      [3, "bad_json"],
      [4, "ok", "2", "", ""],
    ]);
    expect(records[1]?.raw).toBe("not json");
  });
});

test("a JSONL line without a key named like an Object member (constructor, toString) has that cell empty, not a crash", async () => {
  // The prototype's constructor was read as the cell: JSON.stringify of a function is undefined,
  // and the import stopped with a TypeError and a stack.
  const path = writeText(
    dir,
    "members.jsonl",
    '{"id":"1"}\n{"id":"2","constructor":"红星路1号","toString":{"a":1},"p":{"valueOf":"x"}}\n',
  );
  const columns = ["id", "constructor", "toString", "hasOwnProperty", "p.valueOf", "p.toString", "id.length"];
  const source = await readJsonl(path, { encoding: "auto", limits: DEFAULT_LIMITS, columns });
  expect((await all(source)).map((r) => [r.problem?.code ?? "ok", ...r.cells])).toEqual([
    ["ok", "1", "", "", "", "", "", ""],
    ["ok", "2", "红星路1号", '{"a":1}', "", "x", "", ""],
  ]);
});

test("a JSONL value nested too deeply to print is a bad_json record, not a crash", async () => {
  const deep = `${"[".repeat(200_000)}${"]".repeat(200_000)}`;
  const path = writeText(dir, "deep.jsonl", `{"id":"1","text":${deep}}\n{"id":"2","text":"ok"}\n`);
  const source = await readJsonl(path, { encoding: "auto", limits: DEFAULT_LIMITS, columns: ["id", "text"] });
  const records = await all(source);
  expect(records.map((r) => [r.row, r.problem?.code ?? "ok"])).toEqual([
    [1, "bad_json"],
    [2, "ok"],
  ]);
  expect(records[0]?.raw).toHaveLength(deep.length + 18);
  expect(records[0]?.problem).toEqual({ code: "bad_json", detail: "nested too deeply" });
});

test("a JSONL string with \\u0000 comes without the NUL and flagged", async () => {
  const path = writeText(dir, "nul.jsonl", '{"id":"1","text":"a\\u0000b"}\n{"id":"2","text":"ok"}\n');
  const source = await readJsonl(path, { encoding: "auto", limits: DEFAULT_LIMITS, columns: ["id", "text"] });
  expect((await all(source)).map((r) => [r.cells, r.nulCell])).toEqual([
    [["1", "ab"], 1],
    [["2", "ok"], undefined],
  ]);
});

describe("JSONL long integers", () => {
  test("ids of 16 digits and more keep their digits (a double would round them into one id)", async () => {
    const path = writeText(
      dir,
      "long-ids.jsonl",
      [
        '{"id":20261124000000000001,"note":"x 20261124000000000001 \\" 30261124000000000001","n":-12345678901234567,"f":1.5}',
        '{"id":20261124000000000002,"note":null,"n":0.12345678901234567,"f":12345678901234567.5}',
      ].join("\n"),
    );
    const source = await readJsonl(path, {
      encoding: "auto",
      limits: DEFAULT_LIMITS,
      columns: ["id", "note", "n", "f"],
    });
    expect((await all(source)).map((r) => r.cells)).toEqual([
      ["20261124000000000001", 'x 20261124000000000001 " 30261124000000000001', "-12345678901234567", "1.5"],
      ["20261124000000000002", "", "0.12345678901234566", "12345678901234568"],
    ]);
  });
});

describe("XLSX reader", () => {
  test("reads the first sheet, dates as wall-clock text, formulas as their results", async () => {
    const path = join(dir, "calls.xlsx");
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet("警情");
    sheet.addRow(["接警单号", "报警时间", "金额"]);
    sheet.addRow(["J1", new Date(Date.UTC(2024, 4, 1, 8, 30, 0)), { formula: "1+1", result: 2 }]);
    sheet.addRow(["J2", "2024-05-02 09:00:00", 3.5]);
    await workbook.xlsx.writeFile(path);
    const source = await readXlsx(path, { limits: DEFAULT_LIMITS });
    expect(source.header).toEqual(["接警单号", "报警时间", "金额"]);
    expect((await all(source)).map((r) => [r.row, ...r.cells])).toEqual([
      [1, "J1", "2024-05-01 08:30:00", "2"],
      [2, "J2", "2024-05-02 09:00:00", "3.5"],
    ]);
  });

  test("a zip bomb is refused by its compression ratio before parsing", async () => {
    const path = join(dir, "bomb.xlsx");
    writeFileSync(path, zip([{ name: "xl/worksheets/sheet1.xml", data: Buffer.alloc(20 * 1024 * 1024) }]));
    await expect(checkXlsxArchive(path, DEFAULT_LIMITS)).rejects.toMatchObject({ code: "xlsx_ratio" });
  });

  test("an archive that unpacks beyond the limit is refused", async () => {
    const path = join(dir, "large.xlsx");
    const noise = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251));
    writeFileSync(
      path,
      zip([
        { name: "a.xml", data: noise },
        { name: "b.xml", data: noise },
      ]),
    );
    await expect(
      checkXlsxArchive(path, { ...DEFAULT_LIMITS, maxXlsxUnpackedBytes: 400_000 }),
    ).rejects.toMatchObject({
      code: "xlsx_too_large",
      messages: { zh: expect.stringContaining("压缩炸弹") },
    });
  });

  test("an entry that lies about its size is caught while inflating", async () => {
    const path = join(dir, "liar.xlsx");
    writeFileSync(path, zip([{ name: "a.xml", data: Buffer.alloc(2_000_000), declaredSize: 1000 }]));
    await expect(checkXlsxArchive(path, DEFAULT_LIMITS)).rejects.toMatchObject({ code: "xlsx_invalid" });
  });

  test("a row whose last cells are empty has a cell for every column (Excel stores no empty cells)", async () => {
    const path = join(dir, "trailing.xlsx");
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet("警情");
    sheet.addRow(["接警单号", "报警时间", "反馈内容"]);
    sheet.addRow(["J1", "2024-05-01 08:30:00"]);
    sheet.addRow(["J2", "2024-05-01 08:40:00", "已调解"]);
    await workbook.xlsx.writeFile(path);
    const records = await all(await readXlsx(path, { limits: DEFAULT_LIMITS }));
    expect(records.map((r) => r.cells)).toEqual([
      ["J1", "2024-05-01 08:30:00", ""],
      ["J2", "2024-05-01 08:40:00", "已调解"],
    ]);
  });

  test("a formula without a cached result is an empty cell, not [object Object]", async () => {
    const path = join(dir, "no-result.xlsx");
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet("警情");
    sheet.addRow(["接警单号", "报警时间"]);
    sheet.addRow(["J1", { formula: "NOW()" }]);
    await workbook.xlsx.writeFile(path);
    const records = await all(await readXlsx(path, { limits: DEFAULT_LIMITS }));
    expect(records.map((r) => r.cells)).toEqual([["J1", ""]]);
  });

  test("an empty first sheet, or a sheet the workbook lacks, is named in the error with the way out", async () => {
    const path = join(dir, "cover.xlsx");
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet("说明");
    workbook.addWorksheet("警情").addRow(["接警单号", "报警时间"]);
    await workbook.xlsx.writeFile(path);
    await expect(readXlsx(path, { limits: DEFAULT_LIMITS })).rejects.toMatchObject({
      code: "xlsx_empty_sheet",
      messages: {
        zh: expect.stringMatching(/工作表 1（说明）.*input\.sheet/),
        en: expect.stringMatching(/sheet 1 \(说明\).*input\.sheet/),
      },
    });
    await expect(readXlsx(path, { limits: DEFAULT_LIMITS, sheet: "数据" })).rejects.toMatchObject({
      code: "xlsx_no_sheet",
      messages: { zh: expect.stringContaining("说明, 警情"), en: expect.stringContaining("说明, 警情") },
    });
    expect((await readXlsx(path, { limits: DEFAULT_LIMITS, sheet: "警情" })).header).toEqual([
      "接警单号",
      "报警时间",
    ]);
  });

  test("a file that is not a zip is refused as not an Excel file", async () => {
    const path = writeText(dir, "fake.xlsx", "id,time\n1,2\n");
    await expect(readXlsx(path, { limits: DEFAULT_LIMITS })).rejects.toMatchObject({ code: "xlsx_invalid" });
  });
});
