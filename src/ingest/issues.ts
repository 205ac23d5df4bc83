import type { Issue, MessageCatalog, Severity } from "../domain/index.ts";
import { maskedIssueValue, remaskedIssueValue } from "./privacy/mask.ts";

/**
 * Row-level problems the import finds. Errors reject the row into quarantine; warnings keep the
 * row (the offending value is dropped or repaired) and are counted in the summary.
 */
export const INGEST_ISSUE_CODES = [
  "cell_too_large",
  "record_too_large",
  "unclosed_quote",
  "row_width",
  "bad_json",
  "missing_value",
  "bad_time",
  "time_order",
  "future_time",
  "implausible_time",
  "bad_number",
  "coord_out_of_range",
  "coord_zero",
  "coord_datum",
  "unmapped_category",
  "unmapped_department",
  "bad_phone",
  "field_truncated",
  "bad_encoding",
  "nul_removed",
  "formula_uncalculated",
] as const;
export type IngestIssueCode = (typeof INGEST_ISSUE_CODES)[number];
export type IngestIssue = Issue<IngestIssueCode>;

/**
 * How a message ends, by severity, for a code that is an error for one field and a warning for
 * others: an error quarantines the whole row, so its value is not "left empty" or "truncated".
 * A default (not a param) so that issues already in the quarantine render the same way.
 */
const outcome =
  (warning: { readonly zh: string; readonly en: string }) =>
  (issue: Issue): Readonly<Record<string, string>> =>
    issue.severity === "error"
      ? { outcomeZh: "，整行隔离", outcomeEn: "; row quarantined" }
      : { outcomeZh: warning.zh, outcomeEn: warning.en };

/**
 * zh/en text of every ingest issue; `{field}`, `{value}` and params are filled in by renderIssue,
 * `{field:label}` with the field's label (到场时间). renderIssue puts "file, row, column" first.
 */
export const INGEST_MESSAGES: MessageCatalog<IngestIssueCode> = {
  cell_too_large: {
    zh: "单元格超过 {limit} 个字符，已截断，整行隔离",
    en: "cell longer than {limit} characters; truncated and the row quarantined",
  },
  record_too_large: {
    zh: "记录超过 {limit} 个字符（可能是引号未闭合），整行隔离",
    en: "record longer than {limit} characters (an unclosed quote?); row quarantined",
  },
  unclosed_quote: {
    zh: "该行的引号没有在本行闭合（到文件末尾或记录长度上限都没有闭合，或到后面某行的文字中才闭合），整行隔离（其后各行照常读取）",
    en: "a quote opened in this row is not closed in it (never, before the end of the file or the record size limit, or only inside a later row's text); row quarantined (the rows after it are read as usual)",
  },
  row_width: {
    zh: "该行有 {actual} 列，表头有 {expected} 列",
    en: "the row has {actual} columns, the header {expected}",
  },
  bad_json: { zh: "不是有效的 JSON 对象：{value}", en: "not a valid JSON object: {value}" },
  missing_value: { zh: "值为空", en: "the value is empty" },
  bad_time: {
    zh: "时间“{value}”不符合格式 {format}",
    en: 'time "{value}" does not match the format {format}',
  },
  time_order: {
    zh: "{field:label}早于{before:label}（{minutes} 分钟），已保留",
    en: "{field:label} is earlier than {before:label} ({minutes} min); kept",
    // Issues quarantined before `minutes` existed carry the gap as their value ("15 min").
    defaults: (issue) => ({ minutes: issue.value?.replace(/\s*min$/, "") ?? "" }),
  },
  future_time: { zh: "时间“{value}”在未来", en: 'time "{value}" lies in the future' },
  implausible_time: {
    zh: "时间“{value}”不可信（早于 {min} 年）{outcomeZh}",
    en: 'implausible time "{value}" (before {min}){outcomeEn}',
    defaults: outcome({ zh: "，已置空", en: "; left empty" }),
  },
  bad_number: { zh: "不是数字：“{value}”，已置空", en: 'not a number: "{value}"; left empty' },
  coord_out_of_range: {
    zh: "坐标超出范围：{value}，已置空",
    en: "coordinates out of range: {value}; left empty",
  },
  coord_zero: { zh: "坐标为 0,0（未定位），已置空", en: "coordinates are 0,0 (not geocoded); left empty" },
  coord_datum: {
    zh: "未知坐标系“{value}”，按 {datum} 处理",
    en: 'unknown coordinate datum "{value}"; taken as {datum}',
  },
  unmapped_category: {
    zh: "类别“{value}”不在代码映射中，归为“{target:category}”（{target}）",
    en: 'category "{value}" is not in the code map; filed as {target}',
  },
  unmapped_department: {
    zh: "部门“{value}”不在代码映射中，已置空",
    en: 'department "{value}" is not in the code map; left empty',
  },
  bad_phone: {
    zh: "电话号码无法识别（已丢弃，未保存号码）",
    en: "caller number not recognised (dropped, the number is not stored)",
  },
  field_truncated: {
    // An error only for the source id, whose row is quarantined rather than cut.
    zh: "超过 {limit} 个字符{outcomeZh}",
    en: "longer than {limit} characters{outcomeEn}",
    defaults: outcome({ zh: "，已截断", en: "; truncated" }),
  },
  nul_removed: {
    zh: "含有 NUL 控制字符，已删除",
    en: "contained NUL characters; removed",
  },
  formula_uncalculated: {
    zh: "是没有计算结果的公式（生成文件的程序没有计算公式），按空值读取；请用 Excel/WPS 打开并保存后再导入",
    en: "a formula without a calculated value (the program that wrote the file did not calculate it), read as empty; open and save the file in Excel/WPS, then import it again",
  },
  bad_encoding: {
    zh: "含有无法解码的字节（编码不对？可用 --encoding 指定）",
    en: "contains bytes that could not be decoded (wrong encoding? use --encoding)",
  },
};

/**
 * Builds an issue. The value it quotes is masked like a narrative, then shortened
 * (`maskedIssueValue`): the issue is stored readable in the quarantine and shown in reports, and
 * a shifted column can put a caller's number into any field. Times, codes and coordinates hold no
 * identifier and stay as written. A value of the caller's number is never quoted, masked or not:
 * a number the import could not read (a digit missing) is still the caller's and masking would
 * not recognise it (docs/privacy.md §5).
 * @example ingestIssue("bad_time", "error", { field: "receivedAt", value: "13800138000" }).value // "〔手机号〕"
 */
export function ingestIssue(
  code: IngestIssueCode,
  severity: Severity,
  details: {
    field?: string;
    /** The source column(s), when the issue is about cells rather than a mapped field. */
    column?: readonly string[];
    value?: unknown;
    params?: Readonly<Record<string, string | number>>;
  } = {},
): IngestIssue {
  return {
    code,
    severity,
    ...(details.field !== undefined ? { field: details.field } : {}),
    ...(details.column !== undefined ? { column: details.column } : {}),
    ...(details.value !== undefined && details.field !== "caller"
      ? { value: maskedIssueValue(details.value) }
      : {}),
    ...(details.params !== undefined ? { params: details.params } : {}),
  };
}

/**
 * An issue as it may be shown or kept: its quote masked (`remaskedIssueValue`), and none for the
 * caller's number. Issues an import makes are so already; those an import stored before quotes
 * were masked are not (docs/privacy.md §5), so everything that shows stored issues, and
 * `recur address rekey`, passes them through this. The same object when nothing changes.
 * @example withMaskedValue({ code: "bad_time", severity: "error", value: "13800138000" }).value // "〔手机号〕"
 */
export function withMaskedValue<I extends Issue>(issue: I): I {
  if (issue.value === undefined) return issue;
  if (issue.field === "caller") {
    const { value: _value, ...rest } = issue;
    return rest as I;
  }
  const value = remaskedIssueValue(issue.value);
  return value === issue.value ? issue : { ...issue, value };
}
