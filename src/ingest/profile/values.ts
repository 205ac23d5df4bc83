import { isEdgeSpace, trimCell } from "../readers/trim.ts";
import type { ValueSource } from "./schema.ts";

/** Reads one value from a row's cells; "" means no value. */
export type ValueGetter = (cells: readonly string[]) => string;

export interface ColumnIndex {
  /** Index of a column, or -1; records a column the file lacks. */
  indexOf(column: string): number;
}

/** The columns a value source reads. */
export function sourceColumns(source: ValueSource): string[] {
  if (source.column !== undefined) return [source.column];
  if (source.columns !== undefined) return [...source.columns];
  if (source.template !== undefined)
    return templateParts(source.template).flatMap((p) => (p.column ? [p.column] : []));
  return [];
}

interface TemplatePart {
  readonly text?: string;
  readonly column?: string;
}

function templateParts(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  const re = /\{([^}]+)\}/g;
  let last = 0;
  for (let m = re.exec(template); m; m = re.exec(template)) {
    if (m.index > last) parts.push({ text: template.slice(last, m.index) });
    parts.push({ column: trimCell(m[1] ?? "") }); // as the header, which the readers trim
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push({ text: template.slice(last) });
  return parts;
}

/**
 * The columns a template or a `columns` list joins and the texts around them (one more than the
 * columns: before the first, between, after the last); undefined for a column or a constant.
 * @example joinedColumns({ template: "{日期} {时间}" }) // { columns: ["日期", "时间"], texts: ["", " ", ""] }
 */
export function joinedColumns(
  source: ValueSource,
): { readonly columns: readonly string[]; readonly texts: readonly string[] } | undefined {
  if (source.columns !== undefined) {
    const separator = source.separator ?? " ";
    return {
      columns: source.columns,
      texts: source.columns.map((_, i) => (i === 0 ? "" : separator)).concat(""),
    };
  }
  if (source.template === undefined) return undefined;
  const columns: string[] = [];
  const texts = [""];
  for (const part of templateParts(source.template)) {
    if (part.column !== undefined) {
      columns.push(part.column);
      texts.push("");
    } else texts[texts.length - 1] += part.text ?? "";
  }
  return { columns, texts };
}

/**
 * Compiles a value source into a getter. Cells are trimmed; cells equal to a null marker are
 * empty. A template whose columns are all empty is empty; otherwise it is filled and trimmed.
 */
export function compileValue(
  source: ValueSource,
  columns: ColumnIndex,
  nulls: ReadonlySet<string>,
): ValueGetter {
  // Null markers are short ("NULL", "#N/A"): a longer cell skips the set (hashing every cell
  // of every row was a visible share of an import).
  let longestNull = 0;
  for (const marker of nulls) longestNull = Math.max(longestNull, marker.length);
  const cell = (index: number): ValueGetter => {
    if (index < 0) return () => "";
    return (cells) => {
      const raw = cells[index];
      if (raw === undefined) return "";
      const v =
        raw.length > 0 && (isEdgeSpace(raw.charCodeAt(0)) || isEdgeSpace(raw.charCodeAt(raw.length - 1)))
          ? trimCell(raw)
          : raw;
      return v.length <= longestNull && nulls.has(v) ? "" : v;
    };
  };
  if (source.const !== undefined) {
    const value = source.const;
    return () => value;
  }
  if (source.column !== undefined) return cell(columns.indexOf(source.column));
  if (source.columns !== undefined) {
    const getters = source.columns.map((c) => cell(columns.indexOf(c)));
    const separator = source.separator ?? " ";
    return (cells) => {
      let out = "";
      for (const get of getters) {
        const v = get(cells);
        if (v === "") continue;
        out = out === "" ? v : out + separator + v;
      }
      return out;
    };
  }
  const parts = templateParts(source.template ?? "").map((p) =>
    p.column !== undefined ? { get: cell(columns.indexOf(p.column)) } : { text: p.text ?? "" },
  );
  return (cells) => {
    let out = "";
    let any = false;
    for (const p of parts) {
      if ("get" in p) {
        const v = p.get(cells);
        if (v !== "") any = true;
        out += v;
      } else out += p.text;
    }
    return any ? trimCell(out) : "";
  };
}
