/**
 * Date and time parsing for import profiles: formats like "YYYY-MM-DD HH:mm:ss", "M/D/YYYY",
 * "MM/DD/YY HH:mm" or "YYYY年M月D日 H时m分" compile once to a fast parser returning the local
 * wall-clock time; a ZoneConverter turns that into an instant in an IANA time zone, correct across
 * daylight-saving changes and fast (offsets are cached per quarter hour).
 */

/** Local wall-clock time as if it were UTC (Date.UTC of the fields), or milliseconds of the day. */
export type WallMs = number;

export interface TimeFormat {
  readonly source: string;
  /** false for clock-only formats ("HH:mm"): the value is milliseconds since local midnight. */
  readonly hasDate: boolean;
  /** Absolute instants (epoch): no time zone conversion. */
  readonly absolute: boolean;
  /** Parses text; NaN when it does not match. */
  parse(text: string): number;
  /** For "iso": whether the last parsed value carried an offset (and is therefore an instant). */
  readonly lastWasInstant?: boolean;
}

type Token =
  | { kind: "num"; field: "Y" | "y" | "M" | "D" | "H" | "h" | "m" | "s" | "S"; min: number; max: number }
  | { kind: "ampm" }
  | { kind: "space" }
  | { kind: "lit"; text: string };

const NUMERIC: Record<string, Token> = {
  YYYY: { kind: "num", field: "Y", min: 4, max: 4 },
  YY: { kind: "num", field: "y", min: 2, max: 2 },
  MM: { kind: "num", field: "M", min: 2, max: 2 },
  M: { kind: "num", field: "M", min: 1, max: 2 },
  DD: { kind: "num", field: "D", min: 2, max: 2 },
  D: { kind: "num", field: "D", min: 1, max: 2 },
  HH: { kind: "num", field: "H", min: 2, max: 2 },
  H: { kind: "num", field: "H", min: 1, max: 2 },
  hh: { kind: "num", field: "h", min: 2, max: 2 },
  h: { kind: "num", field: "h", min: 1, max: 2 },
  mm: { kind: "num", field: "m", min: 2, max: 2 },
  m: { kind: "num", field: "m", min: 1, max: 2 },
  ss: { kind: "num", field: "s", min: 2, max: 2 },
  s: { kind: "num", field: "s", min: 1, max: 2 },
  SSS: { kind: "num", field: "S", min: 1, max: 9 },
};
const TOKEN_NAMES = ["YYYY", "SSS", "YY", "MM", "DD", "HH", "hh", "mm", "ss", "M", "D", "H", "h", "m", "s"];

/** Two-digit years: 00-69 are 2000-2069, 70-99 are 1970-1999 (the POSIX strptime pivot). */
export function expandYear(yy: number): number {
  return yy < 70 ? 2000 + yy : 1900 + yy;
}

function tokenize(format: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < format.length) {
    const ch = format[i] ?? "";
    if (ch === "[") {
      const end = format.indexOf("]", i);
      if (end < 0) throw new SyntaxError(`unclosed [ in ${format}`);
      tokens.push({ kind: "lit", text: format.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    if (ch === "A" || ch === "a") {
      tokens.push({ kind: "ampm" });
      i++;
      continue;
    }
    if (/\s/.test(ch)) {
      while (i < format.length && /\s/.test(format[i] ?? "")) i++;
      tokens.push({ kind: "space" });
      continue;
    }
    const name = TOKEN_NAMES.find((t) => format.startsWith(t, i));
    if (name) {
      tokens.push(NUMERIC[name]!);
      i += name.length;
      continue;
    }
    const last = tokens[tokens.length - 1];
    if (last?.kind === "lit") tokens[tokens.length - 1] = { kind: "lit", text: last.text + ch };
    else tokens.push({ kind: "lit", text: ch });
    i++;
  }
  return tokens;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function daysInMonth(year: number, month: number): number {
  if (month === 2 && ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 0;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

const FULL_WIDTH = /[\uFF10-\uFF19\uFF1A\u3000]/g;
const HAS_FULL_WIDTH = /[\uFF10-\uFF19\uFF1A\u3000]/;

/** Full-width digits (０-９), colon and space, as Chinese input methods produce them, to ASCII. */
function asciiDigits(text: string): string {
  return text.replace(FULL_WIDTH, (c) =>
    c === "\u3000" ? " " : String.fromCharCode(c.charCodeAt(0) - 0xfee0),
  );
}

function compilePattern(format: string): TimeFormat {
  const tokens = tokenize(format);
  const fields = new Set(tokens.flatMap((t) => (t.kind === "num" ? [t.field] : [])));
  const hasDate = fields.has("Y") || fields.has("y") || fields.has("M") || fields.has("D");
  if (hasDate && !((fields.has("Y") || fields.has("y")) && fields.has("M") && fields.has("D")))
    throw new SyntaxError(`format ${format} needs a year, a month and a day`);
  const twelveHour = fields.has("h");
  if (twelveHour !== tokens.some((t) => t.kind === "ampm"))
    throw new SyntaxError(`format ${format}: 12-hour h/hh goes with A (AM/PM), 24-hour H/HH without`);
  const fixed = fixedParser(tokens, hasDate);
  const parse = (raw: string): number => {
    if (fixed && raw.length === fixed.length) {
      const fast = fixed.parse(raw);
      if (fast !== FALL_BACK) return fast;
    }
    const s = raw.trim();
    const value = general(s);
    // Full-width characters anywhere in the text, not only at its end (２０２４年５月１日 8时5分): looked
    // for only when the text does not parse, so the usual ASCII time pays nothing.
    return Number.isNaN(value) && HAS_FULL_WIDTH.test(s) ? general(asciiDigits(s)) : value;
  };
  const general = (s: string): number => {
    let Y = 1970;
    let M = 1;
    let D = 1;
    let H = 0;
    let m = 0;
    let sec = 0;
    let ms = 0;
    let pm = -1;
    let i = 0;
    const n = s.length;
    for (const t of tokens) {
      if (t.kind === "num") {
        let v = 0;
        let k = 0;
        const start = i;
        while (k < t.max && i < n && isDigit(s.charCodeAt(i))) {
          v = v * 10 + s.charCodeAt(i) - 48;
          i++;
          k++;
        }
        if (k < t.min) return Number.NaN;
        switch (t.field) {
          case "Y":
            Y = v;
            break;
          case "y":
            Y = expandYear(v);
            break;
          case "M":
            M = v;
            break;
          case "D":
            D = v;
            break;
          case "H":
          case "h":
            H = v;
            break;
          case "m":
            m = v;
            break;
          case "s":
            sec = v;
            break;
          case "S":
            ms = Math.round(v / 10 ** (i - start - 3));
            break;
        }
      } else if (t.kind === "space") {
        if (i >= n || s.charCodeAt(i) > 32) return Number.NaN;
        while (i < n && s.charCodeAt(i) <= 32) i++;
      } else if (t.kind === "ampm") {
        const two = s.slice(i, i + 2).toUpperCase();
        if (two === "AM" || two === "PM") {
          pm = two === "PM" ? 1 : 0;
          i += 2;
        } else if (s.startsWith("上午", i) || s.startsWith("下午", i)) {
          pm = s.startsWith("下午", i) ? 1 : 0;
          i += 2;
        } else return Number.NaN;
      } else {
        if (!s.startsWith(t.text, i)) return Number.NaN;
        i += t.text.length;
      }
    }
    if (i !== n) return Number.NaN;
    if (twelveHour) {
      if (H < 1 || H > 12 || pm < 0) return Number.NaN;
      H = (H % 12) + (pm === 1 ? 12 : 0);
    }
    if (H > 23 || m > 59 || sec > 59) return Number.NaN;
    const msOfDay = ((H * 60 + m) * 60 + sec) * 1000 + ms;
    if (!hasDate) return msOfDay;
    if (M < 1 || M > 12 || D < 1 || D > daysInMonth(Y, M)) return Number.NaN;
    return utcDay(Y, M, D) + msOfDay;
  };
  return { source: format, hasDate, absolute: false, parse };
}

/**
 * A parser of a fixed-width format's usual spelling (YYYY-MM-DD HH:mm:ss: digits at 0-3, "-" at
 * 4 ...), read by position in one pass; anything else (more spaces, full-width digits, one-digit
 * fields) gives FALL_BACK and takes the general parser, which gives the same values. The day of
 * the last date read is kept: an export's times come day by day, five to a row.
 */
interface FixedParser {
  readonly length: number;
  parse(s: string): number;
}

/** Sentinel of a FixedParser: not in the fixed layout, use the general parser. */
const FALL_BACK = -1e300;

/** Field letters of a fixed layout as numbers (FIELD_CODE[letter]), for a switch without string compares. */
const FIELD_CODE: Readonly<Record<string, number>> = { Y: 0, y: 1, M: 2, D: 3, H: 4, m: 5, s: 6 };

function fixedParser(tokens: readonly Token[], hasDate: boolean): FixedParser | undefined {
  const expect: number[] = [];
  /** Per position: the numeric field it belongs to (its index among the fields), or -1 for a literal. */
  const slot: number[] = [];
  const codes: number[] = [];
  for (const t of tokens) {
    if (t.kind === "num") {
      if (t.min !== t.max || t.field === "S" || t.field === "h") return undefined;
      for (let k = 0; k < t.max; k++) {
        expect.push(-1);
        slot.push(codes.length);
      }
      codes.push(FIELD_CODE[t.field]!);
    } else if (t.kind === "space") {
      expect.push(32);
      slot.push(-1);
    } else if (t.kind === "lit")
      for (let k = 0; k < t.text.length; k++) {
        expect.push(t.text.charCodeAt(k));
        slot.push(-1);
      }
    else return undefined;
  }
  const length = expect.length;
  const expected = Int32Array.from(expect);
  const slots = Int32Array.from(slot);
  const fieldCodes = Int32Array.from(codes);
  const values = new Int32Array(codes.length);
  let lastDate = -1;
  let lastDay = 0;
  const parse = (s: string): number => {
    values.fill(0);
    for (let i = 0; i < length; i++) {
      const c = s.charCodeAt(i);
      const f = slots[i]!;
      if (f < 0) {
        if (c !== expected[i]) return FALL_BACK;
      } else if (c >= 48 && c <= 57) values[f] = values[f]! * 10 + c - 48;
      else return FALL_BACK;
    }
    let Y = 1970;
    let M = 1;
    let D = 1;
    let H = 0;
    let m = 0;
    let sec = 0;
    // In the format's order: a field written twice takes its last value, as in the general parser.
    for (let f = 0; f < fieldCodes.length; f++) {
      const v = values[f]!;
      switch (fieldCodes[f]) {
        case 0:
          Y = v;
          break;
        case 1:
          Y = expandYear(v);
          break;
        case 2:
          M = v;
          break;
        case 3:
          D = v;
          break;
        case 4:
          H = v;
          break;
        case 5:
          m = v;
          break;
        default:
          sec = v;
      }
    }
    if (H > 23 || m > 59 || sec > 59) return Number.NaN;
    const msOfDay = ((H * 60 + m) * 60 + sec) * 1000;
    if (!hasDate) return msOfDay;
    // Month and day have at most two digits each here: the key is unique.
    const date = Y * 10_000 + M * 100 + D;
    if (date !== lastDate) {
      if (M < 1 || M > 12 || D < 1 || D > daysInMonth(Y, M)) return Number.NaN;
      lastDay = utcDay(Y, M, D);
      lastDate = date;
    }
    return lastDay + msOfDay;
  };
  return { length, parse };
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/** ISO 8601; values with an offset or Z are instants, values without are local times. */
function isoFormat(): TimeFormat {
  const format = {
    source: "iso",
    hasDate: true,
    absolute: false,
    lastWasInstant: false,
    parse(text: string): number {
      format.lastWasInstant = false;
      const m = ISO.exec(text.trim());
      if (!m) return Number.NaN;
      const [, y, mo, d, h, mi, s, frac, zone] = m;
      const month = Number(mo);
      const day = Number(d);
      if (month < 1 || month > 12 || day < 1 || day > daysInMonth(Number(y), month)) return Number.NaN;
      if (Number(h ?? 0) > 23 || Number(mi ?? 0) > 59 || Number(s ?? 0) > 59) return Number.NaN;
      const wall =
        utcDay(Number(y), month, day) +
        ((Number(h ?? 0) * 60 + Number(mi ?? 0)) * 60 + Number(s ?? 0)) * 1000 +
        Math.round(Number(`0.${frac ?? "0"}`) * 1000);
      if (!zone) return wall;
      format.lastWasInstant = true;
      if (zone === "Z") return wall;
      const sign = zone.startsWith("-") ? -1 : 1;
      const digits = zone.replace(/[^0-9]/g, "");
      const hours = Number(digits.slice(0, 2));
      const minutes = Number(digits.slice(2));
      // UTC-12:00 to UTC+14:00 are the offsets in use (ISO 8601 allows no minute past 59).
      if (minutes > 59 || hours * 60 + minutes > (sign < 0 ? 12 : 14) * 60) return Number.NaN;
      return wall - sign * (hours * 60 + minutes) * 60000;
    },
  };
  return format;
}

/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: the years a pattern's YYYY can write. */
const FIRST_MS = -62_135_596_800_000;
const LAST_MS = 253_402_300_799_999;

/**
 * The time, or NaN past the years 1–9999 (Excel's own last day is 9999-12-31): a number read as
 * a time can be anything, and one beyond JavaScript's dates made the time-zone step throw.
 */
function fourDigitYear(ms: number): number {
  return ms >= FIRST_MS && ms <= LAST_MS ? ms : Number.NaN;
}

/**
 * Midnight (UTC) of a calendar day. Date.UTC reads the years 0–99 as 1900–1999, so a date written
 * 0099-05-01 would pass as 1999-05-01; those years are set as written.
 */
function utcDay(year: number, month: number, day: number): number {
  if (year < 0 || year > 99) return Date.UTC(year, month - 1, day);
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return date.getTime();
}

function epochFormat(unit: "s" | "ms"): TimeFormat {
  return {
    source: `epoch_${unit}`,
    hasDate: true,
    absolute: true,
    parse(text) {
      const t = text.trim();
      if (!/^-?\d+(\.\d+)?$/.test(t)) return Number.NaN;
      return fourDigitYear(Math.round(Number(t) * (unit === "s" ? 1000 : 1)));
    },
  };
}

/** Excel serial day numbers (1900 date system), e.g. 45413.5 = 2024-05-01 12:00, as local time. */
function excelFormat(): TimeFormat {
  return {
    source: "excel",
    hasDate: true,
    absolute: false,
    parse(text) {
      const t = text.trim();
      if (!/^\d+(\.\d+)?$/.test(t)) return Number.NaN;
      return fourDigitYear(Math.round((Number(t) - 25569) * 86400000));
    },
  };
}

/**
 * Compiles a format. Besides patterns, "iso", "epoch_s", "epoch_ms" and "excel" are accepted.
 * Throws SyntaxError for a format that cannot work (the profile loader reports it).
 * @example compileTimeFormat("MM/DD/YY HH:mm").parse("09/14/21 07:08") // Date.UTC(2021, 8, 14, 7, 8)
 */
export function compileTimeFormat(format: string): TimeFormat {
  if (format === "iso") return isoFormat();
  if (format === "epoch_s" || format === "epoch_ms") return epochFormat(format === "epoch_s" ? "s" : "ms");
  if (format === "excel") return excelFormat();
  if (!/[YMDHhms]/.test(format)) throw new SyntaxError(`format ${format} has no date or time token`);
  return compilePattern(format);
}

const QUARTER = 15 * 60_000;
const DAY = 86_400_000;

/**
 * Converts local wall-clock times of one IANA zone to instants. Ambiguous times (the repeated
 * hour when clocks go back) take the earlier instant; times in the gap when clocks go forward
 * are moved forward by the gap, like Temporal's "compatible" disambiguation.
 *
 * Speed: Intl is slow (~10 µs a call), so offsets are cached per UTC day when a day has one
 * offset (all but a few days a year), and per quarter hour on the days with a transition.
 */
export class ZoneConverter {
  private readonly dtf: Intl.DateTimeFormat;
  /** UTC day → its offset, or NaN when the offset changes during that day. */
  private readonly dayCache = new Map<number, number>();
  private readonly quarterCache = new Map<number, number>();
  /** Local wall day → its offset, or NaN when a transition is near. */
  private readonly wallDayCache = new Map<number, number>();
  private readonly wallQuarterCache = new Map<number, number>();
  /** The last day looked up and its whole-day offset: rows of an export come day by day. */
  private lastDay = Number.NaN;
  private lastDayOffset = Number.NaN;
  private lastWallDay = Number.NaN;
  private lastWallDayOffset = Number.NaN;

  constructor(readonly timeZone: string) {
    this.dtf = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
  }

  private exactOffset(at: number): number {
    const minute = Math.floor(at / 60_000) * 60_000;
    const parts = this.dtf.formatToParts(minute);
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
    const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"));
    return Math.round((wall - minute) / 60000);
  }

  private dayOffset(day: number): number {
    let offset = this.dayCache.get(day);
    if (offset === undefined) {
      const first = this.exactOffset(day * DAY);
      offset = first === this.exactOffset(day * DAY + DAY - 60_000) ? first : Number.NaN;
      this.dayCache.set(day, offset);
    }
    return offset;
  }

  /** Offset from UTC in minutes at an instant. */
  offsetAt(instant: number): number {
    const day = Math.floor(instant / DAY);
    if (day === this.lastDay) return this.lastDayOffset;
    const whole = this.dayOffset(day);
    if (!Number.isNaN(whole)) {
      this.lastDay = day;
      this.lastDayOffset = whole;
      return whole;
    }
    const key = Math.floor(instant / QUARTER);
    let offset = this.quarterCache.get(key);
    if (offset === undefined) {
      offset = this.exactOffset(key * QUARTER);
      this.quarterCache.set(key, offset);
    }
    return offset;
  }

  /** Offset (minutes) that applies to a local wall-clock time. */
  offsetForWall(wall: WallMs): number {
    const day = Math.floor(wall / DAY);
    if (day === this.lastWallDay) return this.lastWallDayOffset;
    let whole = this.wallDayCache.get(day);
    if (whole === undefined) {
      // A wall day spans at most the UTC days before, of and after it (offsets are within ±14 h).
      const a = this.dayOffset(day - 1);
      whole = a === this.dayOffset(day) && a === this.dayOffset(day + 1) ? a : Number.NaN;
      this.wallDayCache.set(day, whole);
    }
    if (!Number.isNaN(whole)) {
      this.lastWallDay = day;
      this.lastWallDayOffset = whole;
      return whole;
    }
    const key = Math.floor(wall / QUARTER);
    const cached = this.wallQuarterCache.get(key);
    if (cached !== undefined) return cached;
    const probe = key * QUARTER;
    const before = this.offsetAt(probe - DAY);
    const after = this.offsetAt(probe + DAY);
    const fits = (o: number) => this.offsetAt(probe - o * 60000) === o;
    let offset: number;
    if (fits(before) && fits(after)) offset = Math.max(before, after);
    else if (fits(before)) offset = before;
    else if (fits(after)) offset = after;
    else offset = before; // in the gap: keep the offset in force before it, which moves the time forward
    this.wallQuarterCache.set(key, offset);
    return offset;
  }

  /** Instant of a local wall-clock time. */
  toInstant(wall: WallMs): number {
    return wall - this.offsetForWall(wall) * 60000;
  }
}

/** Throws RangeError when the zone is not a valid IANA time zone. */
export function assertTimeZone(timeZone: string): void {
  new Intl.DateTimeFormat("en-US", { timeZone });
}

/**
 * Writes a wall-clock time as one piece of a format, or undefined when the piece cannot hold it
 * without loss. `dated` is false for a time of day alone (ms since midnight).
 */
export type PieceWriter = (wall: WallMs, dated: boolean) => string | undefined;

/** The text a token stands for when it is a separator (a literal or a space), else undefined. */
function separatorText(token: Token): string | undefined {
  return token.kind === "lit" ? token.text : token.kind === "space" ? " " : undefined;
}

function pieceWriter(tokens: readonly Token[]): PieceWriter {
  const fields = new Set(tokens.flatMap((t) => (t.kind === "num" ? [t.field] : [])));
  const dateFields =
    Number(fields.has("Y") || fields.has("y")) + Number(fields.has("M")) + Number(fields.has("D"));
  const pad = (n: number, width: number) => String(n).padStart(width, "0");
  return (wall, dated) => {
    // A piece with part of a date (a year column alone) never reads a whole date cell.
    if (dateFields !== (dated ? 3 : 0)) return undefined;
    const d = new Date(wall);
    const year = d.getUTCFullYear();
    const hour = d.getUTCHours();
    const value = {
      Y: year,
      y: year % 100,
      M: d.getUTCMonth() + 1,
      D: d.getUTCDate(),
      H: hour,
      h: hour % 12 || 12,
    };
    const clock = { m: d.getUTCMinutes(), s: d.getUTCSeconds(), S: d.getUTCMilliseconds() };
    // What the piece does not show must be zero: a clock piece never drops a date cell's hours.
    if (!fields.has("H") && !fields.has("h") && hour !== 0) return undefined;
    if (
      (!fields.has("m") && clock.m !== 0) ||
      (!fields.has("s") && clock.s !== 0) ||
      (!fields.has("S") && clock.S !== 0)
    )
      return undefined;
    if (fields.has("y") && expandYear(value.y) !== year) return undefined;
    let out = "";
    for (const t of tokens) {
      if (t.kind === "lit") out += t.text;
      else if (t.kind === "space") out += " ";
      else if (t.kind === "ampm") out += hour < 12 ? "AM" : "PM";
      else if (t.field === "S") out += pad(clock.S, 3);
      else if (t.field === "m" || t.field === "s") out += pad(clock[t.field], t.min);
      else out += pad(value[t.field], t.field === "Y" ? 4 : t.min);
    }
    return out;
  };
}

/**
 * The ways a pattern splits into the pieces that a template joins: `texts` are the template's
 * texts around its columns (one more than the columns), each matched by the format's literals
 * and spaces; every split gives one writer per column. Used to write a workbook's date cell
 * (2024-05-01 00:00:00) and time-only cell as the text its column had in the system's CSV
 * export (05/01/24, 08:15), so that the template's format reads the joined text as it would the
 * CSV's. Special formats (iso, epoch, excel) do not split.
 * @example splitPattern("MM/DD/YY HH:mm", ["", " ", ""]).length // 1: MM/DD/YY and HH:mm
 */
export function splitPattern(format: string, texts: readonly string[]): PieceWriter[][] {
  if (["iso", "epoch_s", "epoch_ms", "excel"].includes(format) || texts.length < 2) return [];
  // One token per literal character, so that a separator can end inside a run of literals.
  const tokens = tokenize(format).flatMap((t): Token[] =>
    t.kind === "lit" ? [...t.text].map((c) => ({ kind: "lit", text: c })) : [t],
  );
  const wanted = texts.map((t) => t.replace(/\s+/g, " "));
  /** Where `text` ends when it starts at token `at`, or -1. */
  const after = (text: string, at: number): number => {
    let i = at;
    let seen = "";
    while (seen.length < text.length) {
      const t = tokens[i];
      const s = t && separatorText(t);
      if (s === undefined) return -1;
      seen += s;
      i++;
    }
    return seen === text ? i : -1;
  };
  const splits: Token[][][] = [];
  const search = (at: number, pieces: Token[][]) => {
    if (splits.length >= 8) return; // a format that splits more ways than this is not a join of columns
    const next = pieces.length + 1;
    if (next === wanted.length) {
      if (at === tokens.length) splits.push(pieces);
      return;
    }
    for (let end = at + 1; end <= tokens.length; end++) {
      const resume = after(wanted[next] ?? "", end);
      if (resume >= 0) search(resume, [...pieces, tokens.slice(at, end)]);
    }
  };
  const start = after(wanted[0] ?? "", 0);
  if (start >= 0) search(start, []);
  return splits.map((pieces) => pieces.map(pieceWriter));
}
