import type { Category, Department } from "../domain/index.ts";
import { type KeywordMatcher, keywordMatcher } from "./keywords.ts";
import {
  DEPARTMENT_KEYWORDS,
  SUBTYPE_KEYWORDS,
  type SubtypeKeywords,
  type WeightedKeyword,
} from "./lexicon.ts";
import { normalizeText } from "./segmenter.ts";

/** What the keyword rules make of a narrative. */
export interface NarrativeClass {
  /** null when no keyword of the lexicon occurs: the rules have no opinion. */
  readonly category: Category | null;
  readonly subtype: string | null;
  /** Share of the category's weight that went to the winning subtype, 0..1. */
  readonly subtypeShare: number;
  /** Sum of the weights of the matched keywords of the winning category. */
  readonly score: number;
  /** Share of the winning category in all matched weight, 0..1. */
  readonly confidence: number;
  /** The keywords that decided, for the reviewer ("因含'噪音''楼上'"). */
  readonly evidence: readonly string[];
}

export interface DepartmentSuggestion {
  readonly department: Department | null;
  readonly score: number;
  readonly confidence: number;
  readonly evidence: readonly string[];
}

export interface RuleClassifierOptions {
  /** Extra subtype keywords of the deployment, added to the defaults. */
  readonly subtypeKeywords?: readonly SubtypeKeywords[];
  /** Extra department keywords of the deployment, added to the defaults. */
  readonly departmentKeywords?: Readonly<Partial<Record<Department, readonly WeightedKeyword[]>>>;
}

export interface RuleClassifier {
  classify(text: string): NarrativeClass;
  department(text: string): DepartmentSuggestion;
}

interface Target<K> {
  readonly key: K;
  readonly weight: number;
}

// A cue right after a negation ("未发现可疑", "无人受伤", "没有打架") does not count.
const NEGATIONS = ["未", "没", "无", "不", "非", "否认"];

const NEGATION_CHARS = /[未没无不非否]/;

function negated(text: string, start: number): boolean {
  if (start === 0 || !NEGATION_CHARS.test(text.slice(Math.max(0, start - 4), start))) return false;
  for (const neg of NEGATIONS) {
    const at = start - neg.length;
    if (at >= 0 && text.startsWith(neg, at)) return true;
    // "没有打架", "未发现可疑人员": one word between the negation and the cue.
    const at2 = start - neg.length - 1;
    const between = text.slice(at2 + neg.length, start);
    if (at2 >= 0 && text.startsWith(neg, at2) && /^[有见发]$/.test(between)) return true;
    const at3 = start - neg.length - 2;
    if (
      at3 >= 0 &&
      text.startsWith(neg, at3) &&
      /^(发现|见到|看到|出现)$/.test(text.slice(at3 + neg.length, start))
    )
      return true;
  }
  return false;
}

// What follows "谎称" (claimed falsely) up to the end of the clause is not a cue of the event.
const FALSE_CLAIM = /(谎称|假称|谎报|虚构)[^，。；,;！!？?]*/g;

function falseClaimSpans(text: string): (readonly [number, number])[] {
  const spans: (readonly [number, number])[] = [];
  for (const m of text.matchAll(FALSE_CLAIM)) {
    const at = m.index ?? 0;
    spans.push([at + m[1]!.length, at + m[0].length]);
  }
  return spans;
}

function entries<K>(key: K, keywords: readonly WeightedKeyword[]): [string, Target<K>][] {
  return keywords.map((k) =>
    typeof k === "string" ? [k, { key, weight: 1 }] : [k[0], { key, weight: k[1] }],
  );
}

interface Scored<K> {
  readonly best: K | null;
  readonly score: number;
  readonly total: number;
  readonly evidence: string[];
  readonly scores: Map<K, number>;
  readonly evidenceOf: Map<K, string[]>;
}

function score<K>(matcher: KeywordMatcher<Target<K>>, text: string): Scored<K> {
  const scores = new Map<K, number>();
  const seen = new Set<Target<K>>();
  const evidenceOf = new Map<K, string[]>();
  let total = 0;
  const spans =
    text.includes("谎") || text.includes("假称") || text.includes("虚构") ? falseClaimSpans(text) : [];
  matcher.forEach(text, (target, keyword, start) => {
    // Each (keyword, key) entry has its own target object: a repeated cue counts once.
    if (seen.has(target) || negated(text, start)) return;
    if (spans.length > 0 && spans.some(([a, b]) => start >= a && start < b)) return;
    seen.add(target);
    scores.set(target.key, (scores.get(target.key) ?? 0) + target.weight);
    total += target.weight;
    const ev = evidenceOf.get(target.key);
    if (ev) ev.push(keyword);
    else evidenceOf.set(target.key, [keyword]);
  });
  let best: K | null = null;
  let bestScore = 0;
  // Map iteration follows first occurrence; ties go to the cue that appears first in the text.
  for (const [key, s] of scores) {
    if (s > bestScore) {
      best = key;
      bestScore = s;
    }
  }
  return {
    best,
    score: bestScore,
    total,
    evidence: best === null ? [] : (evidenceOf.get(best) ?? []),
    scores,
    evidenceOf,
  };
}

/**
 * The default narrative classifier: keyword rules over the taxonomy and the 12345 departments,
 * working with no training. The category is the one whose subtypes gather most keyword weight;
 * the subtype is the best of that category.
 * @example
 * const rules = ruleClassifier();
 * rules.classify("楼上邻居装修噪音扰民").subtype // "noise"
 */
export function ruleClassifier(options: RuleClassifierOptions = {}): RuleClassifier {
  const subtypeRules = [...SUBTYPE_KEYWORDS, ...(options.subtypeKeywords ?? [])];
  const subtypeMatcher = keywordMatcher(
    subtypeRules.flatMap((rule) => entries(`${rule.category}.${rule.subtype}`, rule.keywords)),
  );
  const departmentEntries: [string, Target<Department>][] = [];
  for (const [department, list] of Object.entries(DEPARTMENT_KEYWORDS) as [Department, WeightedKeyword[]][])
    departmentEntries.push(...entries(department, list));
  for (const [department, list] of Object.entries(options.departmentKeywords ?? {}) as [
    Department,
    WeightedKeyword[],
  ][])
    departmentEntries.push(...entries(department, list));
  const departmentMatcher = keywordMatcher(departmentEntries);

  return {
    classify(raw) {
      const text = normalizeText(raw);
      const s = score(subtypeMatcher, text);
      if (s.best === null)
        return { category: null, subtype: null, subtypeShare: 0, score: 0, confidence: 0, evidence: [] };
      const byCategory = new Map<string, number>();
      for (const [key, v] of s.scores) {
        const category = key.slice(0, key.indexOf("."));
        byCategory.set(category, (byCategory.get(category) ?? 0) + v);
      }
      let category = "";
      let categoryScore = 0;
      for (const [c, v] of byCategory) {
        if (v > categoryScore) {
          category = c;
          categoryScore = v;
        }
      }
      let subtype = "";
      let subtypeScore = 0;
      const evidence: string[] = [];
      for (const [key, v] of s.scores) {
        if (!key.startsWith(`${category}.`)) continue;
        evidence.push(...(s.evidenceOf.get(key) ?? []));
        if (v > subtypeScore) {
          subtype = key.slice(category.length + 1);
          subtypeScore = v;
        }
      }
      return {
        category: category as Category,
        subtype,
        subtypeShare: subtypeScore / categoryScore,
        score: categoryScore,
        confidence: categoryScore / s.total,
        evidence,
      };
    },
    department(raw) {
      const text = normalizeText(raw);
      const s = score(departmentMatcher, text);
      return {
        department: s.best,
        score: s.score,
        confidence: s.total === 0 ? 0 : s.score / s.total,
        evidence: s.evidence,
      };
    },
  };
}
