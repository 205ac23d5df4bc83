import type { Issue, MessageCatalog } from "../../domain/index.ts";
import type { KnoxEvents } from "./knox.ts";

/** Codes of the problems found while reading Knox events from a table. */
export const KNOX_INPUT_CODES = [
  "missing_value",
  "bad_number",
  "bad_time",
  "header_looks_like_data",
] as const;
export type KnoxInputCode = (typeof KNOX_INPUT_CODES)[number];

export const KNOX_INPUT_MESSAGES: MessageCatalog<KnoxInputCode> = {
  missing_value: {
    zh: "缺少 {field}，该事件不参与计算（与 NearRepeat 一致）",
    en: "missing {field}; the event is left out (as NearRepeat does)",
  },
  bad_number: {
    zh: "{field} 不是数字: {value}，该事件不参与计算",
    en: "{field} is not a number: {value}; the event is left out",
  },
  bad_time: {
    zh: "时间无法识别: {value}（应为天数或 YYYY-MM-DD[ HH:MM[:SS]]），该事件不参与计算",
    en: "time not understood: {value} (expected days or YYYY-MM-DD[ HH:MM[:SS]]); the event is left out",
  },
  header_looks_like_data: {
    zh: "首行看起来是数据而不是表头；如果文件没有表头，请加 --no-header",
    en: "the first row looks like data, not a header; pass --no-header if the file has none",
  },
};

/** Values R's complete.cases treats as missing once a CSV is read: empty cells and NA. */
const MISSING = new Set(["", "NA", "NaN", "N/A", "NULL", "null"]);

const DATE_TIME = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?)?(Z)?$/;

/**
 * Parses a time as days: a plain number is taken as days already; a date or date-time
 * (YYYY-MM-DD, optional HH:MM[:SS]) becomes days since 1970-01-01 on the clock it is written in,
 * so two dates differ by whole days as in R's dist() on Date values.
 * @example
 * timeInDays("2016-01-08") - timeInDays("2016-01-01"); // 7
 */
export function timeInDays(text: string): number | null {
  const s = text.trim();
  if (s === "") return null;
  const m = DATE_TIME.exec(s);
  if (m) {
    const [, y, mo, d, h, mi, sec] = m;
    const month = Number(mo);
    const day = Number(d);
    const year = Number(y);
    const daysInMonth = (Date.UTC(year, month, 1) - Date.UTC(year, month - 1, 1)) / 86_400_000;
    // Reject dates that would roll over (2016-02-31) and impossible clock times.
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return null;
    if (Number(h ?? 0) > 23 || Number(mi ?? 0) > 59 || Number(sec ?? 0) >= 61) return null;
    const ms = Date.UTC(year, month - 1, day, Number(h ?? 0), Number(mi ?? 0), 0) + Number(sec ?? 0) * 1000;
    return ms / 86_400_000;
  }
  const n = Number(s);
  return Number.isFinite(n) && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s) ? n : null;
}

function numberOf(text: string): number | null {
  const s = text.trim();
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return null;
  return Number(s);
}

export interface KnoxColumns {
  /** 0-based column positions. */
  readonly x: number;
  readonly y: number;
  readonly t: number;
  /** Whether the first row is a header (the default of the CLI). */
  readonly header: boolean;
  /** File name for issues. */
  readonly file?: string;
}

export interface KnoxRead {
  readonly events: KnoxEvents;
  /** Data row (1-based, header excluded) of each kept event, for reports. */
  readonly rows: Int32Array;
  readonly issues: readonly Issue<KnoxInputCode>[];
  /** Number of data rows left out. */
  readonly skipped: number;
}

/**
 * Turns parsed CSV rows into Knox event columns. Rows with a missing or unreadable x, y or time
 * are left out and reported, one issue each, as NearRepeat drops incomplete cases.
 * @example
 * knoxEventsFromRows([["1", "2", "2016-01-01"]], { x: 0, y: 1, t: 2, header: false }).events.t; // [16801]
 */
export function knoxEventsFromRows(rows: readonly (readonly string[])[], columns: KnoxColumns): KnoxRead {
  const issues: Issue<KnoxInputCode>[] = [];
  const file = columns.file !== undefined ? { file: columns.file } : {};
  const first = columns.header ? 1 : 0;
  if (columns.header && rows.length > 0) {
    const head = rows[0]!;
    if (numberOf(head[columns.x] ?? "") !== null && numberOf(head[columns.y] ?? "") !== null)
      issues.push({ code: "header_looks_like_data", severity: "warning", row: 0, ...file });
  }
  const n = Math.max(0, rows.length - first);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const t = new Float64Array(n);
  const kept = new Int32Array(n);
  const names = columns.header ? rows[0] : undefined;
  const fieldName = (col: number, fallback: string): string => names?.[col] ?? fallback;
  let count = 0;
  let skipped = 0;
  for (let r = first; r < rows.length; r++) {
    const row = rows[r]!;
    const dataRow = r - first + 1;
    let problem: Issue<KnoxInputCode> | null = null;
    const read = (col: number, fallback: string, parse: (s: string) => number | null, bad: KnoxInputCode) => {
      const raw = row[col];
      if (raw === undefined || MISSING.has(raw.trim())) {
        problem ??= {
          code: "missing_value",
          severity: "warning",
          row: dataRow,
          field: fieldName(col, fallback),
          ...file,
        };
        return Number.NaN;
      }
      const v = parse(raw);
      if (v === null) {
        problem ??= {
          code: bad,
          severity: "warning",
          row: dataRow,
          field: fieldName(col, fallback),
          value: raw,
          ...file,
        };
        return Number.NaN;
      }
      return v;
    };
    const vx = read(columns.x, "x", numberOf, "bad_number");
    const vy = read(columns.y, "y", numberOf, "bad_number");
    const vt = read(columns.t, "time", timeInDays, "bad_time");
    if (problem) {
      issues.push(problem);
      skipped++;
      continue;
    }
    x[count] = vx;
    y[count] = vy;
    t[count] = vt;
    kept[count] = dataRow;
    count++;
  }
  return {
    events: { x: x.slice(0, count), y: y.slice(0, count), t: t.slice(0, count) },
    rows: kept.slice(0, count),
    issues,
    skipped,
  };
}

/** Incident columns as the store loads them (see src/analysis/indicators/columns.ts). */
export interface KnoxIncidentColumns {
  readonly n: number;
  readonly receivedAt: Float64Array;
  readonly utcOffsetMin: Int16Array;
  readonly lat: Float64Array;
  readonly lon: Float64Array;
}

/**
 * Knox events from stored incidents: coordinates projected to metres (equirectangular around the
 * mean latitude, within 0.1% over a city; GCJ-02 or BD-09 offsets are smooth and cancel in
 * distances of a few hundred metres) and times as local calendar days, like dates in the package.
 * Incidents without coordinates are left out and counted in one issue.
 * @example
 * knoxEventsFromIncidents(cols).events.x; // metres east of the westernmost incident
 */
export function knoxEventsFromIncidents(
  cols: KnoxIncidentColumns,
  index: ArrayLike<number> | null = null,
): KnoxRead {
  const count = index ? index.length : cols.n;
  let latSum = 0;
  let usable = 0;
  let minLon = Infinity;
  let minLat = Infinity;
  for (let k = 0; k < count; k++) {
    const i = index ? index[k]! : k;
    const la = cols.lat[i]!;
    const lo = cols.lon[i]!;
    if (!Number.isFinite(la) || !Number.isFinite(lo)) continue;
    latSum += la;
    usable++;
    if (lo < minLon) minLon = lo;
    if (la < minLat) minLat = la;
  }
  const metresPerDegLat = 110_574;
  const metresPerDegLon = 111_320 * Math.cos(((usable ? latSum / usable : 0) * Math.PI) / 180);
  const x = new Float64Array(usable);
  const y = new Float64Array(usable);
  const t = new Float64Array(usable);
  const rows = new Int32Array(usable);
  let m = 0;
  for (let k = 0; k < count; k++) {
    const i = index ? index[k]! : k;
    const la = cols.lat[i]!;
    const lo = cols.lon[i]!;
    if (!Number.isFinite(la) || !Number.isFinite(lo)) continue;
    x[m] = (lo - minLon) * metresPerDegLon;
    y[m] = (la - minLat) * metresPerDegLat;
    t[m] = Math.floor((cols.receivedAt[i]! + cols.utcOffsetMin[i]! * 60_000) / 86_400_000);
    rows[m] = i;
    m++;
  }
  const skipped = count - usable;
  return {
    events: { x, y, t },
    rows,
    issues:
      skipped > 0
        ? [{ code: "missing_value", severity: "warning", field: "lat/lon", params: { count: skipped } }]
        : [],
    skipped,
  };
}
