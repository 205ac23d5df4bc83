import { hash } from "node:crypto";
import proj4 from "proj4";
import { type Category, DATUMS, type Datum, type Department, InputError } from "../../domain/index.ts";
import { type IngestIssue, ingestIssue } from "../issues.ts";
import { trimCell, visibleName } from "../readers/trim.ts";
import type { SourceRecord } from "../readers/types.ts";
import { compileTimeFormat, splitPattern, type TimeFormat, ZoneConverter } from "../time.ts";
import { categoryLabels, compileCodeMap, departmentLabels } from "./codemap.ts";
import { type Profile, TIME_FIELDS, type TimeField, type ValueSource } from "./schema.ts";
import { type ColumnIndex, compileValue, joinedColumns, sourceColumns, type ValueGetter } from "./values.ts";

/** A row mapped onto the incident model, before privacy and location (see pipeline.ts). */
export interface MappedRow {
  sourceId: string;
  receivedAt: number;
  acceptedAt: number | null;
  dispatchedAt: number | null;
  arrivedAt: number | null;
  closedAt: number | null;
  utcOffsetMin: number;
  category: Category;
  subtype: string | null;
  sourceCategory: string | null;
  department: Department | null;
  address: string | null;
  lon: number | null;
  lat: number | null;
  datum: Datum | null;
  cityUnit: string | null;
  branchUnit: string | null;
  stationUnit: string | null;
  areaUnit: string | null;
  /** The caller's number as exported; the pipeline turns it into a pseudonym and drops it. */
  callerRaw: string | null;
  narrative: string | null;
  disposition: string | null;
  feedback: string | null;
}

export interface MapResult {
  /** null when an error rejects the row. */
  readonly row: MappedRow | null;
  /** Errors and warnings, without file and row (the pipeline adds them). */
  readonly issues: readonly IngestIssue[];
}

export interface Mapper {
  map(record: SourceRecord): MapResult;
  /** Columns of the file the profile reads (the only ones stored, in quarantine too). */
  readonly usedColumns: readonly string[];
}

export interface MapperOptions {
  /** "Now" for the future-time check (injected: the core never reads the clock). */
  readonly now: number;
  /**
   * The file is a workbook: a date cell arrives as `YYYY-MM-DD HH:mm:ss` of its wall clock
   * (readers/xlsx-parts.ts), a time-only one on Excel's day 0, whatever format the system's text
   * export had. Such text is read when the profile's formats do not fit, so that a CSV export
   * saved from Excel reads with the CSV's profile.
   */
  readonly workbook?: boolean;
}

/** How a workbook's date cells read (xlsx-parts.ts serialDateText): with a date, time-only (day 0 in either date system). */
const WORKBOOK_DATE = compileTimeFormat("YYYY-MM-DD HH:mm:ss");
const WORKBOOK_CLOCK = ["[1899-12-30] HH:mm:ss", "[1904-01-01] HH:mm:ss"].map(compileTimeFormat);

/** A workbook's date-cell text as a wall clock; a time-only cell (day 0) as ms of the day, undated. */
function workbookDate(text: string): { wall: number; dated: boolean } | undefined {
  if (text.length !== 19) return undefined;
  const wall = WORKBOOK_DATE.parse(text);
  if (Number.isNaN(wall)) return undefined;
  const dayZero = text.startsWith("1899-12-30") || text.startsWith("1904-01-01");
  return dayZero ? { wall: wall - Math.floor(wall / DAY) * DAY, dated: false } : { wall, dated: true };
}

/** A time read from a row: the value and the profile's format that read it. */
type ReadTime = { readonly parsed: number; readonly format: TimeFormat };

/**
 * For a workbook, a time joined from several columns (`{date} {time}`): Excel made the date
 * column date cells and the time column time-only cells, whose text (2024-05-01 00:00:00,
 * 1899-12-30 08:15:00) the joined format does not fit. Each such cell is written back as its
 * piece of the format (05/01/24, 08:15) and the joined text read with the profile's format, so a
 * CSV export saved from Excel gives the CSV's instants. A cell the piece cannot hold without
 * loss (a date cell with a time, for a date-only piece) is not rewritten: its row keeps bad_time.
 */
function workbookRejoin(
  joined: { readonly columns: readonly string[]; readonly texts: readonly string[] },
  formats: readonly TimeFormat[],
  columns: ColumnIndex,
  nulls: ReadonlySet<string>,
): ((cells: readonly string[]) => ReadTime | undefined) | undefined {
  const ways = formats.flatMap((format) =>
    splitPattern(format.source, joined.texts).map((writers) => ({ format, writers })),
  );
  if (ways.length === 0) return undefined;
  const getters = joined.columns.map((column) => compileValue({ column }, columns, nulls));
  return (cells) => {
    const values = getters.map((get) => get(cells));
    const dates = values.map(workbookDate);
    if (dates.every((d) => d === undefined)) return undefined;
    for (const { format, writers } of ways) {
      let text = joined.texts[0] ?? "";
      for (const [i, value] of values.entries()) {
        const date = dates[i];
        const piece = date ? writers[i]?.(date.wall, date.dated) : value;
        if (piece === undefined) {
          text = "";
          break;
        }
        text += piece + (joined.texts[i + 1] ?? "");
      }
      const parsed = text === "" ? Number.NaN : format.parse(trimCell(text));
      if (!Number.isNaN(parsed)) return { parsed, format };
    }
    return undefined;
  };
}

export const DEFAULT_NULL_VALUES = ["", "NULL", "null", "NA", "N/A", "#N/A", "-"] as const;
const DEFAULT_TIME_FORMAT = "YYYY-MM-DD HH:mm:ss";
const DAY = 86_400_000;

/** Field length limits of the incident model (IncidentSchema). */
const MAX = {
  sourceId: 128,
  sourceCategory: 256,
  address: 512,
  narrative: 8000,
  disposition: 512,
  feedback: 8000,
  unit: 64,
} as const;

const NO_ISSUES: readonly IngestIssue[] = Object.freeze([]);

function instantOrNull(t: number): number | null {
  return Number.isNaN(t) ? null : t;
}

function get(getter: ValueGetter | undefined, cells: readonly string[]): string {
  return getter ? getter(cells) : "";
}

/** The value, or null when empty; longer than the model allows: truncated with a warning. */
function limited(issues: IngestIssue[], field: string, v: string, limit: number): string | null {
  if (v === "") return null;
  if (v.length <= limit) return v;
  // No value in the issue: a narrative may hold identifiers that are masked only later.
  issues.push(ingestIssue("field_truncated", "warning", { field, params: { limit } }));
  return v.slice(0, limit);
}

/**
 * The file's columns each field of an issue is read from, as the profile maps them (issues name
 * fields: `coordinates`, `cityUnit`, `sourceCategory` ...); a field from a constant has none.
 * In the order the profile's columns are first used (see profileColumns).
 * @example fieldColumns(profile).get("receivedAt") // ["日期", "时间"] for "{日期} {时间}"
 */
export function fieldColumns(profile: Profile): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  const add = (field: string, ...sources: (ValueSource | undefined)[]) => {
    const columns = [...new Set(sources.flatMap((s) => (s ? sourceColumns(s) : [])))];
    if (sources.some((s) => s !== undefined)) fields.set(field, columns);
  };
  if (!("hash" in profile.sourceId)) add("sourceId", profile.sourceId);
  for (const f of TIME_FIELDS) add(f, profile.fields[f]);
  add("address", profile.fields.address);
  add("narrative", profile.fields.narrative);
  add("disposition", profile.fields.disposition);
  add("feedback", profile.fields.feedback);
  add("category", profile.category);
  add("sourceCategory", profile.category);
  add("department", profile.department);
  add("cityUnit", profile.units?.city);
  add("branchUnit", profile.units?.branch);
  add("stationUnit", profile.units?.station);
  add("areaUnit", profile.units?.area);
  add("caller", profile.caller);
  const c = profile.coordinates;
  if (c) {
    if ("lon" in c) {
      add("coordinates", c.lon, c.lat);
      if (typeof c.datum === "object") add("datum", c.datum);
    } else add("coordinates", c.x, c.y);
  }
  return fields;
}

/** Every column a profile reads, in order of first use. */
export function profileColumns(profile: Profile): string[] {
  return [...new Set([...fieldColumns(profile).values()].flat())];
}

/** Distinct datum texts whose datum the mapper keeps (a free-text column would hold more). */
const DATUM_TEXTS_KEPT = 256;

function datumOf(text: string): Datum | undefined {
  const t = text.toLowerCase().replace(/[^a-z0-9\u4e00-\u9fff]/g, "");
  if ((DATUMS as readonly string[]).includes(t)) return t as Datum;
  if (t === "gps" || t === "wgs" || t === "cgcs2000" || t === "epsg4326") return "wgs84";
  if (t === "gcj" || t === "火星坐标" || t === "火星" || t === "国测局") return "gcj02";
  if (t === "bd" || t === "baidu" || t === "百度" || t === "bd09ll") return "bd09";
  return undefined;
}

/**
 * Compiles a profile against a file's header into a fast row mapper. Throws InputError when the
 * file lacks columns the profile reads.
 * @example
 * const mapper = compileMapper(profile, ["id", "time", "nature"], { now: Date.UTC(2026, 0, 1) });
 * mapper.map({ row: 1, cells: ["1", "2018-05-01 00:10:28", "THEFT"] });
 */
export function compileMapper(
  profile: Profile,
  header: readonly string[],
  options: MapperOptions,
  file = "",
): Mapper {
  const columnsOfField = fieldColumns(profile);
  const usedColumns = [...new Set([...columnsOfField.values()].flat())];
  // The field a column is read for, so that a problem of a cell names both.
  const fieldOfColumn = new Map<string, string>();
  for (const [field, columns] of columnsOfField)
    for (const column of columns) if (!fieldOfColumn.has(column)) fieldOfColumn.set(column, field);
  const cellIssue = (cell: number): { field?: string; column: string[] } => {
    // A cell past the header has no name: its position, as the quarantined record keys it.
    const column = header[cell] ?? `#${cell + 1}`;
    const field = fieldOfColumn.get(column);
    return field === undefined ? { column: [column] } : { field, column: [column] };
  };
  const positions = new Map<string, number>();
  header.forEach((name, i) => {
    if (!positions.has(name)) positions.set(name, i);
  });
  const missing = usedColumns.filter((c) => !positions.has(c));
  // Names with characters that did not decode (�): the file was read in another encoding than its own.
  const garbled = header.some((name) => name.includes("\uFFFD"));
  if (missing.length > 0)
    throw new InputError("missing_columns", {
      zh: `文件 ${file} 缺少配置 ${profile.name} 需要的列: ${missing.map(visibleName).join(", ")}（文件的列: ${header.map(visibleName).join(", ")}）${garbled ? "。表头中有无法解码的字符（�），文件的编码可能不是读取时所用的编码：请用 --encoding gbk（或 --encoding utf8）再试" : ""}`,
      en: `file ${file} lacks columns that profile ${profile.name} reads: ${missing.map(visibleName).join(", ")} (the file has: ${header.map(visibleName).join(", ")})${garbled ? ". The header has characters that could not be decoded (�): the file is probably in another encoding than the one it was read in; try --encoding gbk (or --encoding utf8)" : ""}`,
    });
  // A column read by the profile that the header names twice: which one holds the field only the
  // export's maker knows, and reading the first passed the other over without a word.
  const twice = usedColumns.flatMap((c) => {
    const at = header.flatMap((name, i) => (name === c ? [i + 1] : []));
    return at.length > 1 ? [{ column: c, at }] : [];
  });
  if (twice.length > 0)
    throw new InputError("ambiguous_columns", {
      zh: `文件 ${file} 的表头中，配置 ${profile.name} 要读的列出现了不止一次: ${twice.map((t) => `${t.column}（第 ${t.at.join("、")} 列）`).join("，")}；请在文件中改掉多余列的列名，或删去它`,
      en: `the header of file ${file} names columns that profile ${profile.name} reads more than once: ${twice.map((t) => `${t.column} (columns ${t.at.join(" and ")})`).join(", ")}; rename or remove the extra column in the file`,
    });
  const columns = { indexOf: (c: string) => positions.get(c) ?? -1 };
  const nulls = new Set(profile.nullValues ?? DEFAULT_NULL_VALUES);
  const value = (s: ValueSource | undefined): ValueGetter | undefined =>
    s ? compileValue(s, columns, nulls) : undefined;

  // Source id: a column, or a hash of the mapped content plus its occurrence in the file.
  const usedIndexes = usedColumns.map((c) => positions.get(c) ?? -1);
  const hashCounts = new Map<string, number>();
  const sourceIdGetter: ValueGetter =
    "hash" in profile.sourceId
      ? (cells) => {
          const content = usedIndexes.map((i) => (cells[i] ?? "").trim()).join("\u001f");
          const digest = hash("sha256", content, "base64url").slice(0, 22);
          const n = (hashCounts.get(digest) ?? 0) + 1;
          hashCounts.set(digest, n);
          return `h:${digest}:${n}`;
        }
      : compileValue(profile.sourceId, columns, nulls);

  // Times: fields with a full date first, then clock-only ones that take their date.
  const zone = new ZoneConverter(profile.timezone);
  const minInstant = Date.UTC(profile.minYear ?? 1990, 0, 1);
  const futureLimit = options.now + (profile.futureToleranceMinutes ?? 60) * 60_000;
  interface TimeRule {
    field: TimeField;
    index: number;
    get: ValueGetter;
    formats: TimeFormat[];
    /** Tried after `formats` (not named in messages): a workbook's date cells. */
    fallback: TimeFormat[];
    /** Tried last (not named in messages): a workbook's date and time cells joined by a template. */
    rejoin: ((cells: readonly string[]) => ReadTime | undefined) | undefined;
    dateFrom: number;
    rollover: boolean;
    rolloverMs: number;
  }
  const timeRules: TimeRule[] = [];
  for (const [index, field] of TIME_FIELDS.entries()) {
    const spec = profile.fields[field];
    if (!spec) continue;
    const formats = [spec.format ?? profile.timeFormat ?? DEFAULT_TIME_FORMAT].flat().map(compileTimeFormat);
    const dated = formats.some((f) => f.hasDate);
    const fallback = !options.workbook
      ? []
      : dated
        ? formats.some((f) => f.source === WORKBOOK_DATE.source)
          ? []
          : [WORKBOOK_DATE]
        : WORKBOOK_CLOCK;
    const joined = options.workbook ? joinedColumns(spec) : undefined;
    timeRules.push({
      field,
      index,
      get: compileValue(spec, columns, nulls),
      formats,
      fallback,
      rejoin: joined && workbookRejoin(joined, formats, columns, nulls),
      dateFrom: spec.dateFrom ? TIME_FIELDS.indexOf(spec.dateFrom) : -1,
      rollover: spec.rollover ?? true,
      rolloverMs: (spec.rolloverHours ?? 12) * 3_600_000,
    });
  }
  timeRules.sort((a, b) => Number(a.dateFrom >= 0) - Number(b.dateFrom >= 0));
  const formatText = (rule: TimeRule) => rule.formats.map((f) => f.source).join(" | ");

  // Codes.
  const categoryMap = profile.category;
  const categoryGet = value(categoryMap);
  const categoryLookup = categoryMap
    ? compileCodeMap<string>(
        categoryMap,
        categoryMap.labels ? categoryLabels(profile.taxonomy ?? {}) : undefined,
        categoryMap.default ?? "other",
      )
    : undefined;
  const departmentMap = profile.department;
  const departmentGet = value(departmentMap);
  const departmentLookup = departmentMap
    ? compileCodeMap<Department | null>(
        departmentMap,
        departmentMap.labels ? departmentLabels() : undefined,
        departmentMap.default ?? null,
      )
    : undefined;

  const text = {
    address: value(profile.fields.address),
    narrative: value(profile.fields.narrative),
    disposition: value(profile.fields.disposition),
    feedback: value(profile.fields.feedback),
    city: value(profile.units?.city),
    branch: value(profile.units?.branch),
    station: value(profile.units?.station),
    area: value(profile.units?.area),
    caller: value(profile.caller),
  };

  // Coordinates.
  const coords = profile.coordinates;
  const lonGet = coords ? value("lon" in coords ? coords.lon : coords.x) : undefined;
  const latGet = coords ? value("lon" in coords ? coords.lat : coords.y) : undefined;
  let datumFixed: Datum | undefined;
  let datumGet: ValueGetter | undefined;
  let datumMap: ReadonlyMap<string, Datum> = new Map();
  let datumDefault: Datum = "wgs84";
  let project: ((x: number, y: number) => [number, number]) | undefined;
  if (coords && "lon" in coords) {
    if (typeof coords.datum === "string") datumFixed = coords.datum;
    else {
      datumGet = compileValue(coords.datum, columns, nulls);
      datumMap = new Map(Object.entries(coords.datum.map ?? {}).map(([k, v]) => [k.trim().toLowerCase(), v]));
      datumDefault = coords.datum.default;
    }
  } else if (coords) {
    const definition =
      "utm" in coords
        ? `+proj=utm +zone=${Number.parseInt(coords.utm, 10)}${/s$/i.test(coords.utm) ? " +south" : ""} +datum=WGS84 +units=m +no_defs`
        : coords.proj4;
    const converter = proj4(definition, "WGS84");
    project = (x, y) => converter.forward([x, y]) as [number, number];
  }

  // The datum a column's text names, looked up once per distinct text (a handful in an export:
  // lower-casing and cleaning every row's "GCJ02" was a visible share of mapping).
  const datumTexts = new Map<string, Datum | undefined>();
  const datumKnown = (raw: string): Datum | undefined => {
    if (datumTexts.has(raw)) return datumTexts.get(raw);
    const known = datumMap.get(raw.toLowerCase()) ?? datumOf(raw);
    if (datumTexts.size < DATUM_TEXTS_KEPT) datumTexts.set(raw, known);
    return known;
  };

  const number = (raw: string): number =>
    raw === "" ? Number.NaN : Number(raw.includes(",") ? raw.replace(/,/g, ".") : raw);

  // Category and subtype of each target ("dispute.family"), split once per distinct target.
  const targetParts = new Map<string, { category: Category; subtype: string | null }>();
  const partsOf = (target: string) => {
    let parts = targetParts.get(target);
    if (!parts) {
      const [c, sub] = target.split(".");
      parts = { category: c as Category, subtype: sub ?? null };
      targetParts.set(target, parts);
    }
    return parts;
  };

  // Per-row scratch, reused: map() is synchronous and hands out copies only.
  const walls = new Float64Array(TIME_FIELDS.length);
  const instants = new Float64Array(TIME_FIELDS.length);
  const scratch: IngestIssue[] = [];

  function map(record: SourceRecord): MapResult {
    scratch.length = 0;
    const result = mapInto(record, scratch);
    return { row: result, issues: scratch.length === 0 ? NO_ISSUES : scratch.slice() };
  }

  function mapInto(record: SourceRecord, issues: IngestIssue[]): MappedRow | null {
    const cells = record.cells;
    if (record.problem) {
      const p = record.problem;
      if (p.code === "cell_too_large")
        issues.push(
          ingestIssue("cell_too_large", "error", { ...cellIssue(p.cell), params: { limit: p.limit } }),
        );
      else if (p.code === "record_too_large")
        issues.push(ingestIssue("record_too_large", "error", { params: { limit: p.limit } }));
      else if (p.code === "unclosed_quote") issues.push(ingestIssue("unclosed_quote", "error"));
      else issues.push(ingestIssue("bad_json", "error", { value: p.detail }));
      return null;
    }
    if (
      cells.length < header.length ||
      (cells.length > header.length && cells.slice(header.length).some((c) => c.trim() !== ""))
    )
      issues.push(
        ingestIssue("row_width", "error", { params: { actual: cells.length, expected: header.length } }),
      );
    if (record.badEncoding) issues.push(ingestIssue("bad_encoding", "warning"));
    if (record.nulCell !== undefined)
      issues.push(ingestIssue("nul_removed", "warning", cellIssue(record.nulCell)));
    // A formula the writing program never calculated reads as empty: said where the profile reads it.
    if (record.uncalculatedCells !== undefined)
      for (const cell of record.uncalculatedCells) {
        const where = cellIssue(cell);
        if (where.field !== undefined) issues.push(ingestIssue("formula_uncalculated", "warning", where));
      }

    // Source id.
    let sourceId = sourceIdGetter(cells);
    if (sourceId === "") issues.push(ingestIssue("missing_value", "error", { field: "sourceId" }));
    else if (sourceId.length > MAX.sourceId) {
      issues.push(
        ingestIssue("field_truncated", "error", {
          field: "sourceId",
          value: sourceId,
          params: { limit: MAX.sourceId },
        }),
      );
      sourceId = "";
    }

    // Times.
    // NaN = no value (yet).
    walls.fill(Number.NaN);
    instants.fill(Number.NaN);
    for (const rule of timeRules) {
      const raw = rule.get(cells);
      const required = rule.field === "receivedAt";
      if (raw === "") {
        if (required) issues.push(ingestIssue("missing_value", "error", { field: rule.field }));
        continue;
      }
      let parsed = Number.NaN;
      let format: TimeFormat | undefined;
      for (const f of rule.formats) {
        parsed = f.parse(raw);
        if (!Number.isNaN(parsed)) {
          format = f;
          break;
        }
      }
      if (!format)
        for (const f of rule.fallback) {
          parsed = f.parse(raw);
          if (!Number.isNaN(parsed)) {
            format = f;
            break;
          }
        }
      if (!format && rule.rejoin) {
        const read = rule.rejoin(cells);
        if (read) ({ parsed, format } = read);
      }
      if (!format) {
        issues.push(
          ingestIssue("bad_time", required ? "error" : "warning", {
            field: rule.field,
            value: raw,
            params: { format: formatText(rule) },
          }),
        );
        continue;
      }
      let instant: number;
      let wall: number;
      if (format.absolute || format.lastWasInstant) {
        instant = parsed;
        wall = instant + zone.offsetAt(instant) * 60_000;
      } else if (!format.hasDate) {
        const base = walls[rule.dateFrom] ?? Number.NaN;
        if (Number.isNaN(base)) continue; // the date field is missing or bad and already reported
        wall = Math.floor(base / DAY) * DAY + parsed;
        if (rule.rollover && base - wall > rule.rolloverMs) wall += DAY;
        instant = zone.toInstant(wall);
      } else {
        wall = parsed;
        instant = zone.toInstant(wall);
      }
      if (instant < minInstant) {
        issues.push(
          ingestIssue("implausible_time", required ? "error" : "warning", {
            field: rule.field,
            value: raw,
            params: { min: profile.minYear ?? 1990 },
          }),
        );
        continue;
      }
      if (instant > futureLimit)
        issues.push(ingestIssue("future_time", "warning", { field: rule.field, value: raw }));
      walls[rule.index] = wall;
      instants[rule.index] = instant;
    }
    // Order of the steps: each one not before the latest earlier one.
    let latest = instants[0]!;
    let latestField: TimeField = "receivedAt";
    for (let i = 1; i < TIME_FIELDS.length; i++) {
      const t = instants[i]!;
      if (Number.isNaN(t)) continue;
      if (!Number.isNaN(latest) && t < latest)
        issues.push(
          ingestIssue("time_order", "warning", {
            field: TIME_FIELDS[i] ?? "",
            value: `${Math.round((latest - t) / 60_000)} min`,
            params: { before: latestField, minutes: Math.round((latest - t) / 60_000) },
          }),
        );
      else {
        latest = t;
        latestField = TIME_FIELDS[i] ?? "receivedAt";
      }
    }

    // Category and department.
    let category: Category = "other";
    let subtype: string | null = null;
    let sourceCategory: string | null = null;
    if (categoryGet && categoryLookup) {
      const raw = categoryGet(cells);
      sourceCategory = limited(issues, "sourceCategory", raw, MAX.sourceCategory);
      const match = categoryLookup(raw);
      const parts = partsOf(match.target);
      category = parts.category;
      subtype = parts.subtype;
      if (raw === "") issues.push(ingestIssue("missing_value", "warning", { field: "category" }));
      else if (!match.matched)
        issues.push(
          ingestIssue("unmapped_category", "warning", {
            field: "category",
            value: raw,
            params: { target: match.target },
          }),
        );
    }
    let department: Department | null = null;
    if (departmentGet && departmentLookup) {
      const raw = departmentGet(cells);
      if (raw !== "") {
        const match = departmentLookup(raw);
        department = match.target;
        if (!match.matched && match.target === null)
          issues.push(ingestIssue("unmapped_department", "warning", { field: "department", value: raw }));
      }
    }

    // Coordinates.
    let lon: number | null = null;
    let lat: number | null = null;
    let datum: Datum | null = null;
    if (lonGet && latGet) {
      const rawX = lonGet(cells);
      const rawY = latGet(cells);
      if (rawX !== "" || rawY !== "") {
        const x = number(rawX);
        const y = number(rawY);
        const shown = `${rawX},${rawY}`;
        if (!Number.isFinite(x) || !Number.isFinite(y))
          issues.push(ingestIssue("bad_number", "warning", { field: "coordinates", value: shown }));
        else if (x === 0 && y === 0)
          issues.push(ingestIssue("coord_zero", "warning", { field: "coordinates" }));
        else {
          let lo = x;
          let la = y;
          let d: Datum = "wgs84";
          if (project) [lo, la] = project(x, y);
          else if (datumFixed) d = datumFixed;
          else if (datumGet) {
            const rawDatum = datumGet(cells);
            const known = datumKnown(rawDatum);
            if (known) d = known;
            else {
              d = datumDefault;
              if (rawDatum !== "")
                issues.push(
                  ingestIssue("coord_datum", "warning", {
                    field: "datum",
                    value: rawDatum,
                    params: { datum: d },
                  }),
                );
            }
          }
          if (!Number.isFinite(lo) || !Number.isFinite(la) || Math.abs(lo) > 180 || Math.abs(la) > 90)
            issues.push(ingestIssue("coord_out_of_range", "warning", { field: "coordinates", value: shown }));
          else {
            lon = lo;
            lat = la;
            datum = d;
          }
        }
      }
    }

    for (const issue of issues) if (issue.severity === "error") return null;
    const received = instants[0]!;
    return {
      sourceId,
      receivedAt: received,
      acceptedAt: instantOrNull(instants[1]!),
      dispatchedAt: instantOrNull(instants[2]!),
      arrivedAt: instantOrNull(instants[3]!),
      closedAt: instantOrNull(instants[4]!),
      utcOffsetMin: zone.offsetAt(received),
      category,
      subtype,
      sourceCategory,
      department,
      address: limited(issues, "address", get(text.address, cells), MAX.address),
      lon,
      lat,
      datum,
      cityUnit: limited(issues, "cityUnit", get(text.city, cells), MAX.unit),
      branchUnit: limited(issues, "branchUnit", get(text.branch, cells), MAX.unit),
      stationUnit: limited(issues, "stationUnit", get(text.station, cells), MAX.unit),
      areaUnit: limited(issues, "areaUnit", get(text.area, cells), MAX.unit),
      callerRaw: get(text.caller, cells) || null,
      narrative: limited(issues, "narrative", get(text.narrative, cells), MAX.narrative),
      disposition: limited(issues, "disposition", get(text.disposition, cells), MAX.disposition),
      feedback: limited(issues, "feedback", get(text.feedback, cells), MAX.feedback),
    };
  }

  return { map, usedColumns };
}
