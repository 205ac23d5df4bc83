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

/**
 * Built-in names to match after the rules. `pairHeads`: a "category/subtype" pair recur does not
 * know ("火灾/火情") still names its category by its head ("火灾"): the target is that category,
 * reported as unmatched so that the summary lists the pair to add.
 */
export type LabelLookup<T> = ReadonlyMap<string, T> & { readonly pairHeads?: boolean };

/** Most exports use a few hundred distinct codes: caching their lookups avoids repeated regexes. */
const CACHE_LIMIT = 20_000;

/**
 * Compiles code-map rules: exact match first, then the longest matching prefix, then regular
 * expressions in order, then the built-in labels (when given), else the default.
 * @example compileCodeMap({ exact: { THEFT: "criminal.theft" } }, new Map(), "other")("theft")
 */
export function compileCodeMap<T>(
  rules: RuleSet<T>,
  labels: LabelLookup<T> | undefined,
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
    const slash = key.indexOf("/");
    if (labels?.pairHeads && slash > 0) {
      const head = labels.get(key.slice(0, slash).trim().toLowerCase());
      if (head !== undefined) return { target: head, matched: false };
    }
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
 * en labels ("交通事故"), and "category/subtype" pairs ("纠纷/邻里纠纷", "Dispute/Family dispute");
 * an unknown pair falls back to its head's category (`pairHeads`).
 */
export function categoryLabels(
  extra: Partial<Record<Category, readonly string[]>> = {},
): Map<string, string> & { readonly pairHeads: true } {
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
  return Object.assign(map, { pairHeads: true as const });
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
