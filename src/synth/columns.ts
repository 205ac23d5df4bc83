/** The export's columns, in order (contract: docs/synthetic-city.md, profiles/synthetic.json). */
export const SYNTH_COLUMNS = [
  "接警单号",
  "报警时间",
  "接警时间",
  "派警时间",
  "到场时间",
  "反馈时间",
  "报警电话",
  "警情类别",
  "警情细类",
  "处置部门",
  "发生地址",
  "经度",
  "纬度",
  "坐标系",
  "所属分局",
  "所属派出所",
  "所属警务区",
  "简要案情",
  "处警结果",
  "反馈内容",
] as const;

export type SynthRow = string[];

/** Column positions, so code reads `row[COL.address]`. */
export const COL = {
  sourceId: 0,
  received: 1,
  accepted: 2,
  dispatched: 3,
  arrived: 4,
  feedbackAt: 5,
  phone: 6,
  category: 7,
  subtype: 8,
  department: 9,
  address: 10,
  lon: 11,
  lat: 12,
  datum: 13,
  branch: 14,
  station: 15,
  area: 16,
  narrative: 17,
  disposition: 18,
  feedback: 19,
} as const;

const NEEDS_QUOTES = /[",\r\n]/;

const NEEDS_QUOTES_FAST = /["\r\n]/;

function commas(text: string): number {
  let n = 0;
  for (let i = text.indexOf(","); i >= 0; i = text.indexOf(",", i + 1)) n++;
  return n;
}

function field(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** RFC 4180 text of rows, each line ending in CRLF. */
export function csvText(rows: readonly SynthRow[]): string {
  let out = "";
  for (const row of rows) {
    const line = row.join(",");
    // Fast path: no quote or line break, and no comma inside a field.
    if (!NEEDS_QUOTES_FAST.test(line) && commas(line) === row.length - 1) out += `${line}\r\n`;
    else out += `${row.map(field).join(",")}\r\n`;
  }
  return out;
}

export function csvHeader(): string {
  return csvText([[...SYNTH_COLUMNS]]);
}
