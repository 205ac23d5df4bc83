import { CATEGORIES, type Category, DEFAULT_SUBTYPES } from "../../domain/index.ts";
import { normalizePhone } from "../privacy/index.ts";
import type { EncodingName } from "../readers/encoding.ts";
import { compileTimeFormat } from "../time.ts";
import { categoryLabels } from "./codemap.ts";

/**
 * Mapping suggestions for the import wizard: which incident field each column of an unknown
 * export probably holds, from its header (Chinese or English) and its sample values. Pure: it
 * takes the header and some rows and returns data; the user confirms or changes every choice.
 */

/** The incident fields a column can be mapped to in the wizard. */
export const MAPPING_TARGETS = [
  "sourceId",
  "receivedAt",
  /** The call's date when the received time is a clock time in a column of its own. */
  "receivedDate",
  "acceptedAt",
  "dispatchedAt",
  "arrivedAt",
  "closedAt",
  "category",
  "subtype",
  "department",
  "address",
  "narrative",
  "disposition",
  "feedback",
  "caller",
  "city",
  "branch",
  "station",
  "area",
  "lon",
  "lat",
  "datum",
] as const;
export type MappingTarget = (typeof MAPPING_TARGETS)[number];

export const TIME_TARGETS = ["receivedAt", "acceptedAt", "dispatchedAt", "arrivedAt", "closedAt"] as const;
/** Targets whose column takes a time format in the wizard: the times and the call's date. */
export const FORMAT_TARGETS = ["receivedDate", ...TIME_TARGETS] as const;

/** Time formats tried on sample values, most common in Chinese 110 exports first. */
export const CANDIDATE_TIME_FORMATS = [
  "YYYY-MM-DD HH:mm:ss",
  "YYYY-MM-DD HH:mm",
  "YYYY/M/D H:mm:ss",
  "YYYY/M/D H:mm",
  "YYYY-M-D H:mm:ss",
  "YYYY-M-D H:mm",
  "YYYYMMDDHHmmss",
  "YYYY年M月D日 H时m分s秒",
  "YYYY年M月D日 H时m分",
  "YYYY年M月D日 H:mm:ss",
  "YYYY年M月D日 H:mm",
  "YYYY.M.D H:mm:ss",
  "YYYY.M.D H:mm",
  "M/D/YYYY h:mm:ss A",
  "M/D/YYYY h:mm A",
  "M/D/YYYY H:mm:ss",
  "M/D/YYYY H:mm",
  "D/M/YYYY H:mm:ss",
  "D/M/YYYY H:mm",
  "MM/DD/YY HH:mm",
  "YYYY-MM-DD",
  "YYYY/M/D",
  "M/D/YYYY",
  "MM/DD/YY",
  // After the plain dates: "iso" also reads "2024-05-01", which is a date column, not an instant.
  "iso",
  // Clock-only times (a log with one date column): other times take the received date.
  "H:mm:ss",
  "H:mm",
] as const;

/** A format with a date but no time of day ("YYYY-MM-DD", "M/D/YYYY"). */
export const isDateOnlyFormat = (format: string) =>
  /[YD]/.test(format) && !/[Hhms]/.test(format) && format !== "iso";
/** A format with a time of day but no date ("H:mm"): needs the date of another field. */
export const isClockOnlyFormat = (format: string) => !/[YMD]/.test(format) && /[Hh]/.test(format);

/**
 * Header words per target, strongest first. A header equal to a word scores highest, one
 * containing it less; the lists come from the exports of 接处警 systems (警综平台, 110 接警台)
 * and US/Canadian CAD open data.
 */
const HEADER_WORDS: Readonly<Record<MappingTarget, readonly string[]>> = {
  sourceId: [
    "接警单号",
    "警情编号",
    "警情编码",
    "警情单号",
    "接警编号",
    "事件编号",
    "案件编号",
    "流水号",
    "单号",
    "编号",
    "incident number",
    "incident id",
    "call number",
    "event number",
    "event id",
    "cad number",
    "case number",
    "report number",
    "record id",
    "id",
  ],
  receivedAt: [
    "报警时间",
    "来电时间",
    "呼入时间",
    "报案时间",
    "接报时间",
    "received",
    "call time",
    "time received",
    "date time",
    "datetime",
    "call date",
    // Generic words last: an export's only time column is usually when the call came in.
    "time",
    "date",
  ],
  receivedDate: ["报警日期", "接警日期", "来电日期", "发生日期", "日期", "call date", "date"],
  acceptedAt: ["接警时间", "受理时间", "接听时间", "accepted", "answer time", "entry time"],
  dispatchedAt: ["派警时间", "派单时间", "调派时间", "指派时间", "出警时间", "dispatched", "dispatch time"],
  arrivedAt: [
    "到场时间",
    "到达现场时间",
    "到达时间",
    "抵达时间",
    "到现场时间",
    "arrived",
    "on scene",
    "arrival",
  ],
  closedAt: [
    "反馈时间",
    "结警时间",
    "处结时间",
    "办结时间",
    "结束时间",
    "完成时间",
    "closed",
    "cleared",
    "close time",
  ],
  category: [
    "警情类别",
    "警情类型",
    "警情分类",
    "报警类别",
    "报警类型",
    "案件类别",
    "事件类型",
    "类别",
    "类型",
    "category",
    "call type",
    "incident type",
    "crime type",
    "offense",
    "offence",
    "nature",
    "type",
  ],
  subtype: ["警情细类", "警情子类", "警情小类", "细类", "子类", "小类", "subtype", "sub type"],
  department: ["处置部门", "分流部门", "移交部门", "转办部门", "承办部门", "department", "agency"],
  address: [
    "发生地址",
    "案发地点",
    "案发地址",
    "事发地点",
    "事发地址",
    "发生地点",
    "报警地址",
    "地址",
    "地点",
    "address",
    "location",
    "block",
  ],
  narrative: [
    "简要警情",
    "报警内容",
    "简要案情",
    "警情内容",
    "警情描述",
    "案情",
    "事件描述",
    "内容",
    "narrative",
    "comments",
    "description",
    "summary",
    "remarks",
  ],
  disposition: [
    "处警结果",
    "处理结果",
    "处置结果",
    "处警情况",
    "处理情况",
    "disposition",
    "clearance",
    "outcome",
    "result",
    "status",
  ],
  feedback: ["反馈内容", "反馈情况", "处警反馈", "反馈", "feedback"],
  caller: [
    "报警电话",
    "主叫号码",
    "报警人电话",
    "报警人联系电话",
    "来电号码",
    "联系电话",
    "电话",
    "caller number",
    "phone",
  ],
  city: ["市局", "所属市局", "city"],
  branch: ["所属分局", "管辖分局", "分局", "branch"],
  station: [
    "处警单位",
    "管辖单位",
    "所属派出所",
    "管辖派出所",
    "责任单位",
    "派出所",
    "station",
    "precinct",
    // A US patrol district is a station's area (Milwaukee, Chicago).
    "district",
  ],
  area: [
    "所属警务区",
    "警务区",
    "责任区",
    "社区警务室",
    "beat",
    "neighbourhood",
    "neighborhood",
    "grid",
    "area",
    "zone",
  ],
  lon: ["经度", "lon", "lng", "longitude", "x"],
  lat: ["纬度", "lat", "latitude", "y"],
  datum: ["坐标系", "坐标类型", "datum", "crs"],
};

/** Columns the wizard never maps: a person's name or identity is not part of the incident model. */
const NEVER_MAP_ZH = ["姓名", "报警人", "身份证", "证件号", "接警员", "当事人", "联系人"];
/** English names of persons: "Name", "Caller Name", "RP Name", not "Street Name" or "Unit Name". */
const NEVER_MAP_EN =
  /^(caller|complainant|reporting party|rp|person|full|first|last|officer|operator|dispatcher)?\s*(name|id number|ssn)$|^operator$/;

/** Whether a header names a person (or their id): such columns are left out of the mapping. */
export function isPersonalColumn(header: string): boolean {
  // The caller's number is mapped (and pseudonymised at import); addresses are places.
  if (/电话|手机|主叫|来电|phone|地址|地点/i.test(header)) return false;
  const h = norm(header);
  return NEVER_MAP_ZH.some((w) => h.includes(w)) || NEVER_MAP_EN.test(h);
}

export interface ColumnSuggestion {
  readonly column: string;
  /** The suggested target, or null when nothing fits (the column will not be stored). */
  readonly target: MappingTarget | null;
  /** 0..1: how sure the suggestion is (header match and sample values). */
  readonly confidence: number;
  /** Why, in both languages. */
  readonly reason: { readonly zh: string; readonly en: string };
  /** For time targets: the format matching the sample values. */
  readonly format?: string;
  /** The column looks like a person's name or id: left out on purpose. */
  readonly personal?: boolean;
}

export interface MappingSuggestion {
  readonly columns: readonly ColumnSuggestion[];
  /** When no column can be the source id: make one from the row's content. */
  readonly hashSourceId: boolean;
}

const norm = (s: string) =>
  s
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\s_\-./()（）:：]+/g, " ")
    .trim();

/** 1 for an exact header, 0.8 for a header containing the word, less for later words in the list. */
function headerScore(header: string, target: MappingTarget): number {
  const h = norm(header);
  const words = HEADER_WORDS[target];
  let best = 0;
  words.forEach((word, i) => {
    const w = norm(word);
    const rank = 1 - Math.min(i, 10) * 0.02;
    const ascii = /^[a-z ]+$/.test(w);
    let score = 0;
    if (h === w) score = 1;
    else if (ascii ? new RegExp(`(^| )${w}( |$)`).test(h) : h.includes(w)) score = 0.8;
    best = Math.max(best, score * rank);
  });
  return best;
}

/**
 * The first format that reads at least 80 % of the non-empty values (exports write 不详 or 无 in some) (null when none does).
 * Day-first and month-first US dates are told apart by a value with a first part above 12.
 * @example timeFormatOf(["2024-05-01 08:00:00", "2024-05-02 09:10:11"]) // "YYYY-MM-DD HH:mm:ss"
 */
export function timeFormatOf(values: readonly string[]): string | null {
  const sample = values.map((v) => v.trim()).filter((v) => v !== "");
  if (sample.length === 0) return null;
  for (const format of CANDIDATE_TIME_FORMATS) {
    const parser = compileTimeFormat(format);
    let ok = 0;
    for (const v of sample) {
      const t = parser.parse(v);
      if (Number.isFinite(t) && (parser.absolute || !parser.hasDate || plausibleWall(t))) ok++;
    }
    if (ok >= Math.max(1, Math.ceil(sample.length * 0.8))) return format;
  }
  return null;
}

/** A wall time between 1990 and 2100: rules out digit runs that merely fit a pattern. */
const plausibleWall = (t: number) => t >= Date.UTC(1990, 0, 1) && t < Date.UTC(2100, 0, 1);

interface ValueTraits {
  readonly filled: number;
  readonly distinct: number;
  readonly timeFormat: string | null;
  readonly phoneShare: number;
  readonly meanLength: number;
  readonly numericShare: number;
  readonly lonLike: number;
  readonly latLike: number;
  readonly categoryShare: number;
  readonly unique: boolean;
}

function traitsOf(values: readonly string[], labels: Map<string, string>): ValueTraits {
  const filled = values.map((v) => v.trim()).filter((v) => v !== "");
  const n = Math.max(1, filled.length);
  const distinct = new Set(filled).size;
  let phones = 0;
  let length = 0;
  let numeric = 0;
  let lon = 0;
  let lat = 0;
  let labelled = 0;
  for (const v of filled) {
    length += [...v].length;
    if (/^[+\d\s()-]{7,20}$/.test(v) && !/^\d{4}-\d{1,2}-\d{1,2}$/.test(v) && normalizePhone(v) !== null)
      phones++;
    const x = Number(v);
    if (v !== "" && Number.isFinite(x) && /^-?\d+(\.\d+)?$/.test(v)) {
      numeric++;
      if (Math.abs(x) <= 180 && /\.\d{3,}/.test(v)) lon++;
      if (Math.abs(x) <= 90 && /\.\d{3,}/.test(v)) lat++;
    }
    if (labels.has(v.toLowerCase())) labelled++;
  }
  return {
    filled: filled.length,
    distinct,
    timeFormat: timeFormatOf(filled.slice(0, 200)),
    phoneShare: phones / n,
    meanLength: length / n,
    numericShare: numeric / n,
    lonLike: lon / n,
    latLike: lat / n,
    categoryShare: labelled / n,
    unique: filled.length > 1 && distinct === filled.length,
  };
}

/** How well the sample values fit a target: a multiplier for the header score, or a score alone. */
function valueFit(target: MappingTarget, t: ValueTraits): number {
  if (t.filled === 0) return 0.5;
  if (target === "receivedDate") return t.timeFormat && isDateOnlyFormat(t.timeFormat) ? 1 : 0.2;
  const isTime = (TIME_TARGETS as readonly string[]).includes(target);
  // A clock-only column is a time of the call only with a date column beside it: a little less sure.
  if (isTime) return t.timeFormat ? (isClockOnlyFormat(t.timeFormat) ? 0.9 : 1) : 0.2;
  if (t.timeFormat && target !== "sourceId") return 0.3;
  switch (target) {
    case "caller":
      return t.phoneShare >= 0.6 ? 1 : 0.4;
    case "narrative":
    case "feedback":
      return t.meanLength >= 8 ? 1 : 0.6;
    case "sourceId":
      return t.unique ? 1 : 0.5;
    // Numbers that are not degrees (projected metres, counts) are not longitudes or latitudes.
    case "lon":
      return t.lonLike >= 0.8 ? 1 : t.numericShare >= 0.5 ? 0 : 0.3;
    case "lat":
      return t.latLike >= 0.8 ? 1 : t.numericShare >= 0.5 ? 0 : 0.3;
    case "category":
    case "subtype":
    case "branch":
    case "station":
    case "area":
    case "department":
    case "datum":
      return t.filled > 4 && t.distinct === t.filled && t.meanLength > 12 ? 0.5 : 1;
    default:
      return 1;
  }
}

const REASONS = {
  header: { zh: "表头名称匹配", en: "header name matches" },
  values: { zh: "样本值符合", en: "sample values fit" },
  time: (f: string) => ({ zh: `时间格式 ${f}`, en: `time format ${f}` }),
  phone: { zh: "样本值像电话号码", en: "sample values look like phone numbers" },
  none: { zh: "未识别，不导入", en: "not recognised; not imported" },
  personal: { zh: "个人身份信息，不导入", en: "personal identity; not imported" },
} as const;

/**
 * Suggests a target for every column from its header and sample values. Each target is given to
 * at most one column (the best scoring); a receivedAt is always found if any column holds times.
 * @example
 * suggestMapping(["报警时间", "案发地点"], [["2024-05-01 08:00:00", "幸福路1号"]]).columns[0]
 * // { column: "报警时间", target: "receivedAt", format: "YYYY-MM-DD HH:mm:ss", ... }
 */
export function suggestMapping(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): MappingSuggestion {
  const labels = categoryLabels();
  const traits = header.map((_, i) =>
    traitsOf(
      rows.map((r) => r[i] ?? ""),
      labels,
    ),
  );
  const personal = header.map((h) => isPersonalColumn(h));
  // Every (column, target) pair with a score; the best pairs are taken first.
  const pairs: { col: number; target: MappingTarget; score: number; byHeader: boolean }[] = [];
  header.forEach((h, col) => {
    if (personal[col]) return;
    const t = traits[col]!;
    for (const target of MAPPING_TARGETS) {
      const byHeader = headerScore(h, target);
      let score = byHeader * valueFit(target, t);
      // Values alone can still point at a target when the header says nothing.
      if (byHeader === 0) {
        if (target === "caller" && t.phoneShare >= 0.8) score = 0.45;
        else if (target === "category" && t.categoryShare >= 0.6) score = 0.45;
        else if (target === "narrative" && t.meanLength >= 20) score = 0.3;
      }
      if (score >= 0.25) pairs.push({ col, target, score, byHeader: byHeader > 0 });
    }
  });
  pairs.sort((a, b) => b.score - a.score || a.col - b.col);
  const chosen = new Map<number, (typeof pairs)[number]>();
  const used = new Set<MappingTarget>();
  for (const p of pairs) {
    if (chosen.has(p.col) || used.has(p.target)) continue;
    chosen.set(p.col, p);
    used.add(p.target);
  }
  // One time column named 接警时间 and no 报警时间: it is the received time (the only one required).
  if (!used.has("receivedAt")) {
    const fallback = [...chosen.values()].find((p) => p.target === "acceptedAt");
    if (fallback) {
      used.delete(fallback.target);
      fallback.target = "receivedAt";
      used.add("receivedAt");
    }
  }
  // A date column is only needed beside a clock-only received time.
  const received = [...chosen.values()].find((p) => p.target === "receivedAt");
  const receivedFormat = received ? traits[received.col]!.timeFormat : null;
  if (!receivedFormat || !isClockOnlyFormat(receivedFormat))
    for (const [col, p] of chosen) if (p.target === "receivedDate") chosen.delete(col);
  const columns = header.map((column, col): ColumnSuggestion => {
    if (personal[col])
      return { column, target: null, confidence: 1, reason: REASONS.personal, personal: true };
    const p = chosen.get(col);
    if (!p) return { column, target: null, confidence: 0, reason: REASONS.none };
    const t = traits[col]!;
    const isTime = (FORMAT_TARGETS as readonly string[]).includes(p.target);
    const reason =
      isTime && t.timeFormat
        ? {
            zh: `${p.byHeader ? REASONS.header.zh + "；" : ""}${REASONS.time(t.timeFormat).zh}`,
            en: `${p.byHeader ? `${REASONS.header.en}; ` : ""}${REASONS.time(t.timeFormat).en}`,
          }
        : p.target === "caller" && t.phoneShare >= 0.6
          ? REASONS.phone
          : p.byHeader
            ? REASONS.header
            : REASONS.values;
    return {
      column,
      target: p.target,
      confidence: Math.round(Math.min(1, p.score) * 100) / 100,
      reason,
      ...(isTime && t.timeFormat ? { format: t.timeFormat } : {}),
    };
  });
  return { columns, hashSourceId: !used.has("sourceId") };
}

/** Keywords of common Chinese and English category names, for values recur's labels do not know. */
const CATEGORY_KEYWORDS: readonly (readonly [RegExp, string])[] = [
  [/邻里|邻居|neighbo/i, "dispute.neighbour"],
  [/家庭|家暴|夫妻|domestic/i, "dispute.family"],
  [/劳资|欠薪|工资|labou?r/i, "dispute.labour"],
  [/债|借款|debt/i, "dispute.debt"],
  [/物业/i, "dispute.property_mgmt"],
  [/消费|consumer/i, "dispute.consumer"],
  [/纠纷|dispute/i, "dispute"],
  [/噪|扰民|noise/i, "public_order.noise"],
  [/打架|斗殴|fight/i, "public_order.fight"],
  [/赌|gambl/i, "public_order.gambling"],
  [/可疑|suspicious/i, "public_order.suspicious"],
  [/治安|disturb/i, "public_order"],
  [/入室|burglar/i, "criminal.burglary"],
  [/盗|偷|theft|larceny|steal/i, "criminal.theft"],
  [/抢|robber/i, "criminal.robbery"],
  [/诈骗|fraud|scam/i, "criminal.fraud"],
  [/伤害|殴打|assault|battery/i, "criminal.assault"],
  [/毒|drug|narcotic/i, "criminal.drugs"],
  [/刑事|crim/i, "criminal"],
  [/酒驾|醉驾|dui|drunk/i, "traffic.drunk_driving"],
  [/交通事故|车祸|collision|crash|accident/i, "traffic.accident"],
  [/交通|堵|traffic/i, "traffic"],
  [/火|fire/i, "fire"],
  [/走失|失踪|missing/i, "help.lost_person"],
  [/急救|受伤|medical/i, "help.medical"],
  [/开锁|locked out/i, "help.locked_out"],
  [/求助|help|assist/i, "help"],
  [/投诉|complain/i, "complaint"],
  [/咨询|非警务|12345|non.?police/i, "non_police"],
  [/骚扰|harass/i, "invalid.harassment"],
  [/无声|silent/i, "invalid.silent"],
  [/恶作剧|prank/i, "invalid.prank"],
  [/重复报警|repeat/i, "invalid.repeat_report"],
  [/误拨|misdial/i, "invalid.misdial"],
  [/无效|invalid/i, "invalid"],
];

/** Every target the category map accepts: categories and category.subtype codes. */
export function categoryTargets(): string[] {
  return CATEGORIES.flatMap((c: Category) => [c, ...DEFAULT_SUBTYPES[c].map((s) => `${c}.${s}`)]);
}

export interface CategorySuggestion {
  readonly value: string;
  readonly count: number;
  /** A category or category.subtype, or null when nothing is known (the user picks). */
  readonly target: string | null;
  /** "label": recur's own names match it (no entry needed); "keyword": a guess to confirm. */
  readonly via: "label" | "keyword" | null;
}

/**
 * Suggested 110 categories for the distinct source values of a category column.
 * @example suggestCategoryMap([{ value: "邻里纠纷", count: 3 }])[0].target // "dispute.neighbour"
 */
export function suggestCategoryMap(
  values: readonly { readonly value: string; readonly count: number }[],
): CategorySuggestion[] {
  const labels = categoryLabels();
  return values.map(({ value, count }) => {
    const label = labels.get(value.trim().toLowerCase());
    if (label) return { value, count, target: label, via: "label" as const };
    const hit = CATEGORY_KEYWORDS.find(([re]) => re.test(value));
    return hit
      ? { value, count, target: hit[1], via: "keyword" as const }
      : { value, count, target: null, via: null };
  });
}

/**
 * Distinct values of one column with their counts, most frequent first; null when the column
 * has more than `limit` (then it is not a code list).
 */
export function distinctValues(
  rows: readonly (readonly string[])[],
  col: number,
  limit = 200,
): { value: string; count: number }[] | null {
  const counts = new Map<string, number>();
  for (const r of rows) {
    const v = (r[col] ?? "").trim();
    if (v === "") continue;
    counts.set(v, (counts.get(v) ?? 0) + 1);
    if (counts.size > limit) return null;
  }
  return [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count);
}

/** What the wizard sends to build a profile: one target per column plus the settings. */
export interface WizardMapping {
  readonly name: string;
  readonly description?: string | undefined;
  readonly sourceSystem: string;
  readonly timezone: string;
  readonly region?: string | undefined;
  /** column → target; columns not listed are not imported. */
  readonly columns: Readonly<Record<string, MappingTarget>>;
  /** column → time format (one or a list tried in order). */
  readonly formats?: Readonly<Record<string, string | readonly string[]>> | undefined;
  /** Source category value → category or category.subtype. */
  readonly categoryMap?: Readonly<Record<string, string>> | undefined;
  readonly defaultCategory?: string | undefined;
  readonly cityName?: string | undefined;
  readonly datum?: "wgs84" | "gcj02" | "bd09" | undefined;
  readonly keepCallerNumber?: boolean | undefined;
  readonly encoding?: EncodingName | undefined;
  /** CSV delimiter when not a comma. */
  readonly delimiter?: string | undefined;
}

/**
 * The profile JSON (docs/profiles.md) of a wizard mapping. The result is checked by
 * `parseProfile` like any profile file; this function only arranges it.
 * @example
 * wizardProfile({ name: "x", sourceSystem: "x-110", timezone: "Asia/Shanghai",
 *   columns: { 报警时间: "receivedAt" } }).fields // { receivedAt: { column: "报警时间" } }
 */
export function wizardProfile(m: WizardMapping): Record<string, unknown> {
  const byTarget = new Map<MappingTarget, string>();
  for (const [column, target] of Object.entries(m.columns))
    if (!byTarget.has(target)) byTarget.set(target, column);
  const col = (t: MappingTarget) => byTarget.get(t);
  const fields: Record<string, unknown> = {};
  const first = (f: string | readonly string[] | undefined) => (typeof f === "string" ? f : f?.[0]);
  const dateColumn = col("receivedDate");
  for (const t of TIME_TARGETS) {
    const c = col(t);
    if (!c) continue;
    const format = m.formats?.[c];
    const single = first(format);
    if (t === "receivedAt" && dateColumn && (!single || isClockOnlyFormat(single))) {
      // Date and clock time in two columns: joined by a template (docs/profiles.md, "Times").
      fields[t] = {
        template: `{${dateColumn}} {${c}}`,
        format: `${first(m.formats?.[dateColumn]) ?? "YYYY-MM-DD"} ${single ?? "HH:mm:ss"}`,
      };
    } else if (t !== "receivedAt" && single && isClockOnlyFormat(single))
      fields[t] = { column: c, format, dateFrom: "receivedAt" };
    else fields[t] = format ? { column: c, format } : { column: c };
  }
  for (const t of ["address", "narrative", "disposition", "feedback"] as const) {
    const c = col(t);
    if (c) fields[t] = { column: c };
  }
  const profile: Record<string, unknown> = {
    name: m.name,
    ...(m.description ? { description: m.description } : {}),
    sourceSystem: m.sourceSystem,
    timezone: m.timezone,
    ...(m.region ? { region: m.region } : {}),
    input: {
      format: "auto",
      encoding: m.encoding ?? "auto",
      ...(m.delimiter && m.delimiter !== "," ? { delimiter: m.delimiter } : {}),
    },
    sourceId: col("sourceId") ? { column: col("sourceId") } : { hash: true },
    fields,
  };
  const category = col("category");
  const subtype = col("subtype");
  if (category) {
    const exact = Object.fromEntries(Object.entries(m.categoryMap ?? {}).filter(([, to]) => to !== ""));
    profile.category = {
      ...(subtype ? { columns: [category, subtype], separator: "/" } : { column: category }),
      ...(Object.keys(exact).length > 0 ? { exact } : {}),
      labels: true,
      default: m.defaultCategory ?? "other",
    };
  }
  const department = col("department");
  if (department) profile.department = { column: department, labels: true };
  const units: Record<string, unknown> = {};
  if (col("city")) units.city = { column: col("city") };
  else if (m.cityName) units.city = { const: m.cityName };
  for (const level of ["branch", "station", "area"] as const) {
    const c = col(level);
    if (c) units[level] = { column: c };
  }
  if (Object.keys(units).length > 0) profile.units = units;
  const caller = col("caller");
  if (caller) profile.caller = { column: caller, keepNumber: m.keepCallerNumber === true };
  const lon = col("lon");
  const lat = col("lat");
  if (lon && lat) {
    const datumColumn = col("datum");
    profile.coordinates = {
      lon: { column: lon },
      lat: { column: lat },
      datum: datumColumn ? { column: datumColumn, default: m.datum ?? "wgs84" } : (m.datum ?? "wgs84"),
    };
  }
  return profile;
}
