import {
  CATEGORIES,
  CATEGORY_LABELS,
  type Category,
  DEFAULT_SUBTYPES,
  DEPARTMENT_LABELS,
  DEPARTMENTS,
  type Department,
  SUBTYPE_LABELS,
} from "../../domain/index.ts";

/** A source code or text mapped to the taxonomy: `matched` false means the default was used. */
export interface CodeMatch<T> {
  readonly target: T;
  readonly matched: boolean;
}

interface RuleSet<T> {
  readonly exact?: Readonly<Record<string, T>> | undefined;
  readonly prefix?: Readonly<Record<string, T>> | undefined;
  readonly regex?: readonly { pattern: string; flags?: string | undefined; to: T }[] | undefined;
  readonly ignoreCase?: boolean | undefined;
}

/** Most exports use a few hundred distinct codes: caching their lookups avoids repeated regexes. */
const CACHE_LIMIT = 20_000;

/**
 * Compiles code-map rules: exact match first, then the longest matching prefix, then regular
 * expressions in order, then the built-in labels (when given), else the default.
 * @example compileCodeMap({ exact: { THEFT: "criminal.theft" } }, new Map(), "other")("theft")
 */
export function compileCodeMap<T>(
  rules: RuleSet<T>,
  labels: ReadonlyMap<string, T> | undefined,
  fallback: T,
): (value: string) => CodeMatch<T> {
  const fold = rules.ignoreCase !== false;
  const norm = (s: string) => (fold ? s.trim().toLowerCase() : s.trim());
  const exact = new Map(Object.entries(rules.exact ?? {}).map(([k, v]) => [norm(k), v] as const));
  const prefixes = Object.entries(rules.prefix ?? {})
    .map(([k, v]) => [norm(k), v] as const)
    .sort((a, b) => b[0].length - a[0].length);
  const regexes = (rules.regex ?? []).map(
    (r) =>
      [new RegExp(r.pattern, fold && !r.flags?.includes("i") ? `${r.flags ?? ""}i` : r.flags), r.to] as const,
  );
  const cache = new Map<string, CodeMatch<T>>();
  const lookup = (raw: string): CodeMatch<T> => {
    const key = norm(raw);
    const hit = exact.get(key);
    if (hit !== undefined) return { target: hit, matched: true };
    for (const [p, v] of prefixes) if (key.startsWith(p)) return { target: v, matched: true };
    for (const [re, v] of regexes) if (re.test(raw.trim())) return { target: v, matched: true };
    const label = labels?.get(key.toLowerCase());
    if (label !== undefined) return { target: label, matched: true };
    return { target: fallback, matched: false };
  };
  return (raw) => {
    const cached = cache.get(raw);
    if (cached) return cached;
    const result = lookup(raw);
    if (cache.size < CACHE_LIMIT) cache.set(raw, result);
    return result;
  };
}

/**
 * recur's own names for categories and subtypes, as a lookup: codes ("traffic.accident"), zh and
 * en labels ("交通事故"), and "category/subtype" pairs ("纠纷/邻里纠纷", "Dispute/Family dispute").
 */
export function categoryLabels(
  extra: Partial<Record<Category, readonly string[]>> = {},
): Map<string, string> {
  const map = new Map<string, string>();
  const add = (key: string, target: string) => {
    const k = key.trim().toLowerCase();
    if (k !== "" && !map.has(k)) map.set(k, target);
  };
  for (const category of CATEGORIES) {
    const names = [category, CATEGORY_LABELS[category].zh, CATEGORY_LABELS[category].en];
    for (const n of names) add(n, category);
    for (const subtype of [...DEFAULT_SUBTYPES[category], ...(extra[category] ?? [])]) {
      const code = `${category}.${subtype}`;
      const label = SUBTYPE_LABELS[code];
      const subNames = [subtype, code, ...(label ? [label.zh, label.en] : [])];
      for (const s of subNames) for (const n of names) add(`${n}/${s}`, code);
      add(code, code);
      if (subtype === "other") for (const n of names) add(`${n}/其他`, code);
      if (label) {
        add(label.zh, code);
        add(label.en, code);
      }
    }
  }
  return map;
}

/** Departments by code, zh and en label. */
export function departmentLabels(): Map<string, Department> {
  const map = new Map<string, Department>();
  for (const d of DEPARTMENTS) {
    map.set(d, d);
    map.set(DEPARTMENT_LABELS[d].zh.toLowerCase(), d);
    map.set(DEPARTMENT_LABELS[d].en.toLowerCase(), d);
  }
  return map;
}
