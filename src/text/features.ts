import { keywordMatcher } from "./keywords.ts";
import { DEPARTMENT_KEYWORDS, SUBTYPE_KEYWORDS, type WeightedKeyword } from "./lexicon.ts";
import { isContentToken, normalizeText, type Segmenter } from "./segmenter.ts";

/** How a text becomes features: segmenter words plus character n-grams of the Han runs. */
export interface FeatureOptions {
  /** Use the segmenter's words ("w:" features). */
  readonly words: boolean;
  /** Character n-gram sizes over Han runs ("c:" features), e.g. [2] or [2, 3]. */
  readonly charNgrams: readonly number[];
  /**
   * Add the keyword lexicon's verdicts as features ("k:dept:labour" per matched cue, weighted):
   * the hand-written rules become prior knowledge the model learns to trust or not.
   */
  readonly lexicon: boolean;
  /**
   * Words ("h:") and Han character bigrams ("H:") of the opening sentence (up to the first 。！？
   * or line break) once more, in their own namespace: a title (留言主题), or the first clause of a
   * narrative, usually names the matter, so its terms get their own weights beside the body's.
   */
  readonly head?: boolean | undefined;
  /**
   * Pairs of adjacent segmenter words ("b:拖欠|工资"): short phrases that neither word nor
   * character n-grams spell out when the words are apart in the character stream.
   */
  readonly wordBigrams?: boolean | undefined;
}

export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = {
  words: true,
  charNgrams: [1, 2],
  lexicon: true,
  head: true,
};

const SENTENCE_END = /[。！？!?\n]/;

const weighted = (k: WeightedKeyword): [string, number] => (typeof k === "string" ? [k, 1] : [k[0], k[1]]);
let lexiconMatcher: ReturnType<typeof keywordMatcher<readonly [string, number]>> | undefined;
function lexiconFeatures() {
  lexiconMatcher ??= keywordMatcher<readonly [string, number]>([
    ...SUBTYPE_KEYWORDS.flatMap((rule) =>
      rule.keywords.map((k) => {
        const [word, weight] = weighted(k);
        return [word, [`k:cat:${rule.category}`, weight]] as const;
      }),
    ),
    ...Object.entries(DEPARTMENT_KEYWORDS).flatMap(([department, list]) =>
      list.map((k) => {
        const [word, weight] = weighted(k);
        return [word, [`k:dept:${department}`, weight]] as const;
      }),
    ),
  ]);
  return lexiconMatcher;
}

const HAN_RUN = /\p{Script=Han}+/gu;

/**
 * Feature counts of one text: "w:噪音" for a word, "c:扰民" for a character bigram.
 * @example textFeatures("噪音扰民", bigramSegmenter, { words: false, charNgrams: [2] }).get("c:扰民") // 1
 */
export function textFeatures(
  text: string,
  segmenter: Segmenter,
  options: FeatureOptions,
): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (f: string) => counts.set(f, (counts.get(f) ?? 0) + 1);
  const normal = normalizeText(text);
  if (options.words || options.wordBigrams) {
    let previous: string | undefined;
    for (const token of segmenter.cut(normal)) {
      if (!isContentToken(token)) {
        // Punctuation ends a phrase; spaces and digits do not.
        if (/[^\s\d]/u.test(token)) previous = undefined;
        continue;
      }
      const word = token.toLowerCase();
      if (options.words) add(`w:${word}`);
      if (options.wordBigrams && previous !== undefined) add(`b:${previous}|${word}`);
      previous = word;
    }
  }
  if (options.head) {
    const end = normal.search(SENTENCE_END);
    const head = end < 0 ? normal : normal.slice(0, end);
    for (const token of segmenter.cut(head)) if (isContentToken(token)) add(`h:${token.toLowerCase()}`);
    for (const match of head.matchAll(HAN_RUN))
      for (let i = 0; i + 2 <= match[0].length; i++) add(`H:${match[0].slice(i, i + 2)}`);
  }
  if (options.lexicon) {
    for (const hit of lexiconFeatures().find(normal)) {
      const [feature, weight] = hit.value;
      counts.set(feature, (counts.get(feature) ?? 0) + weight);
    }
  }
  if (options.charNgrams.length > 0) {
    for (const match of normal.matchAll(HAN_RUN)) {
      const run = match[0];
      for (const n of options.charNgrams)
        for (let i = 0; i + n <= run.length; i++) add(`c:${run.slice(i, i + n)}`);
    }
  }
  return counts;
}
