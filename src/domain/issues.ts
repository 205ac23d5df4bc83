import type { Lang, Severity } from "./codes.ts";
import { fieldLabel, targetLabel } from "./labels.ts";

/**
 * A problem found in data: structured, so it can be stored, counted and filtered, and
 * rendered separately in Chinese or English. Processing goes on after an issue; only a
 * broken contract throws (see errors.ts).
 */
export interface Issue<C extends string = string> {
  readonly code: C;
  readonly severity: Severity;
  /** Model field the issue is about, when there is one (older stored issues: a source column). */
  readonly field?: string;
  /**
   * The file's column(s) the field was read from, as its header names them: what the user sees
   * in the file. Several for a field joined from columns or a template; none for a constant.
   */
  readonly column?: readonly string[];
  /** 1-based data row in the source file (the header is row 0), when there is one. */
  readonly row?: number;
  readonly file?: string;
  /** The offending value, truncated for display; never an unmasked identifier. */
  readonly value?: string;
  /** Extra values the message needs (limits, formats, expected codes). */
  readonly params?: Readonly<Record<string, string | number>>;
}

type Params = Readonly<Record<string, string | number>>;

/** The zh and en template of one issue code. */
export type MessageTemplate = Readonly<Record<Lang, string>> & {
  /**
   * Values for placeholders that an issue stored by an older version lacks (the quarantine
   * keeps issues as JSON): the issue's own params win.
   */
  readonly defaults?: (issue: Issue) => Params;
};

/**
 * Message templates per issue code: `{name}` is replaced by params, field or value;
 * `{name:label}` by the label of the field that value names (`{field:label}` → 到场时间),
 * `{name:category}` by the label of the taxonomy target it names (`fire` → 火灾).
 */
export type MessageCatalog<C extends string = string> = Readonly<Record<C, MessageTemplate>>;

/** Characters an issue quotes of a value; a longer value is cut there and ends with "…". */
export const ISSUE_VALUE_MAX_LENGTH = 80;

/** Shortens a value for an issue so that a huge cell does not flood a report. */
export function issueValue(value: unknown): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  return text.length > ISSUE_VALUE_MAX_LENGTH ? `${text.slice(0, ISSUE_VALUE_MAX_LENGTH)}…` : text;
}

/**
 * Renders the message of an issue, without location.
 * @example
 * renderMessage({ code: "bad_date", severity: "error", field: "receivedAt", value: "x" }, catalog, "en")
 */
export function renderMessage<C extends string>(
  issue: Issue<C>,
  catalog: MessageCatalog<C>,
  lang: Lang,
): string {
  const entry: MessageTemplate | undefined = catalog[issue.code];
  const template = entry?.[lang] ?? issue.code;
  const values: Params = {
    field: issue.field ?? "",
    value: issue.value ?? "",
    ...entry?.defaults?.(issue as Issue),
    ...issue.params,
  };
  return template.replace(/\{(\w+)(?::(label|category))?\}/g, (whole, name: string, filter?: string) => {
    const v = values[name];
    if (v === undefined) return whole;
    const text = String(v);
    if (filter === "label") return fieldLabel(text, lang) ?? text;
    if (filter === "category") return targetLabel(text, lang) ?? text;
    return text;
  });
}

/**
 * Where in a row an issue is, as the user reads the file: the column(s) the field came from,
 * with the field's meaning when the column's name does not say it; a field without a column (a
 * constant) by its label.
 * @example
 * whereInRow({ field: "arrivedAt", column: ["到达现场"] }, "zh") // "列“到达现场”（到场时间）"
 */
export function whereInRow(issue: Pick<Issue, "field" | "column">, lang: Lang): string | undefined {
  const { field, column } = issue;
  const label = field === undefined ? undefined : fieldLabel(field, lang);
  if (column && column.length > 0) {
    const said = label === undefined || (column.length === 1 && column[0] === label);
    if (lang === "zh") return `列${column.map((c) => `“${c}”`).join("")}${said ? "" : `（${label}）`}`;
    const names = column.map((c) => `"${c}"`).join(", ");
    return `${column.length > 1 ? "columns" : "column"} ${names}${said ? "" : ` (${label})`}`;
  }
  if (field === undefined || field === "") return undefined;
  if (lang === "zh") return `字段“${label ?? field}”`;
  return label === undefined ? `field ${field}` : `field ${field} (${label})`;
}

/** Renders "file, row, column: message" the way a user reads it in a report or terminal. */
export function renderIssue<C extends string>(
  issue: Issue<C>,
  catalog: MessageCatalog<C>,
  lang: Lang,
): string {
  const where: string[] = [];
  if (issue.file) where.push(issue.file);
  if (issue.row !== undefined) where.push(lang === "zh" ? `第${issue.row}行` : `row ${issue.row}`);
  const inRow = whereInRow(issue, lang);
  if (inRow) where.push(inRow);
  const message = renderMessage(issue, catalog, lang);
  if (where.length === 0) return message;
  return lang === "zh" ? `${where.join("，")}：${message}` : `${where.join(", ")}: ${message}`;
}
