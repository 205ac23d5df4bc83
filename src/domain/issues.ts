import type { Lang, Severity } from "./codes.ts";

/**
 * A problem found in data: structured, so it can be stored, counted and filtered, and
 * rendered separately in Chinese or English. Processing goes on after an issue; only a
 * broken contract throws (see errors.ts).
 */
export interface Issue<C extends string = string> {
  readonly code: C;
  readonly severity: Severity;
  /** Model field or source column the issue is about, when there is one. */
  readonly field?: string;
  /** 1-based data row in the source file (the header is row 0), when there is one. */
  readonly row?: number;
  readonly file?: string;
  /** The offending value, truncated for display; never an unmasked identifier. */
  readonly value?: string;
  /** Extra values the message needs (limits, formats, expected codes). */
  readonly params?: Readonly<Record<string, string | number>>;
}

type Params = Readonly<Record<string, string | number>>;
/** Message templates per issue code: `{name}` is replaced by params, field or value. */
export type MessageCatalog<C extends string = string> = Readonly<Record<C, Readonly<Record<Lang, string>>>>;

const MAX_VALUE_LENGTH = 80;

/** Shortens a value for an issue so that a huge cell does not flood a report. */
export function issueValue(value: unknown): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH)}…` : text;
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
  const template = catalog[issue.code]?.[lang] ?? issue.code;
  const values: Params = { field: issue.field ?? "", value: issue.value ?? "", ...issue.params };
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => String(values[name] ?? whole));
}

/** Renders "file, row, field: message" the way a user reads it in a report or terminal. */
export function renderIssue<C extends string>(
  issue: Issue<C>,
  catalog: MessageCatalog<C>,
  lang: Lang,
): string {
  const where: string[] = [];
  if (issue.file) where.push(issue.file);
  if (issue.row !== undefined) where.push(lang === "zh" ? `第${issue.row}行` : `row ${issue.row}`);
  if (issue.field) where.push(lang === "zh" ? `字段 ${issue.field}` : `field ${issue.field}`);
  const message = renderMessage(issue, catalog, lang);
  return where.length > 0 ? `${where.join(lang === "zh" ? "，" : ", ")}: ${message}` : message;
}
