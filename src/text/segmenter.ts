/**
 * Word segmentation is an injected capability: the pure text code asks a `Segmenter`, the
 * jieba-wasm adapter (jieba.ts) provides the real one, and a character-bigram fallback keeps
 * everything working (more coarsely) where the WASM module cannot load.
 */
export interface Segmenter {
  /** Splits a text into words, in order; punctuation may be returned and is filtered later. */
  cut(text: string): readonly string[];
}

const HAN = /\p{Script=Han}/u;

/**
 * Normalises full-width letters and digits (ＡＢＣ１２３) to half-width and collapses white
 * space, so keyword rules and n-grams see one spelling. Chinese punctuation (，。（）) stays.
 * @example normalizeText("１２３ 元") // "123 元"
 */
const FULL_WIDTH_ALNUM = /[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]/g;
const ODD_SPACE = /[\u3000\t\n\r\f\v]| {2}|^\s|\s$/;

export function normalizeText(text: string): string {
  // Most narratives need nothing (hot path of the quality benchmark).
  let out = text;
  FULL_WIDTH_ALNUM.lastIndex = 0;
  if (FULL_WIDTH_ALNUM.test(out))
    out = out.replace(FULL_WIDTH_ALNUM, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0));
  if (ODD_SPACE.test(out)) out = out.replace(/[\s\u3000]+/g, " ").trim();
  return out;
}

/**
 * A segmenter that needs no dictionary: Han runs become overlapping character bigrams, Latin
 * letters and digits become whole words.
 * @example bigramSegmenter.cut("噪音扰民") // ["噪音", "音扰", "扰民"]
 */
export const bigramSegmenter: Segmenter = {
  cut(text) {
    const out: string[] = [];
    let han = "";
    const flushHan = () => {
      if (han.length === 1) out.push(han);
      for (let i = 0; i + 1 < han.length; i++) out.push(han.slice(i, i + 2));
      han = "";
    };
    let word = "";
    for (const ch of text) {
      if (HAN.test(ch)) {
        if (word) {
          out.push(word);
          word = "";
        }
        han += ch;
      } else if (/[A-Za-z0-9]/.test(ch)) {
        if (han) flushHan();
        word += ch;
      } else {
        if (han) flushHan();
        if (word) {
          out.push(word);
          word = "";
        }
      }
    }
    if (han) flushHan();
    if (word) out.push(word);
    return out;
  },
};

/** True for tokens that carry meaning: at least one Han character or letter, not a lone digit run. */
export function isContentToken(token: string): boolean {
  return /[\p{Script=Han}A-Za-z]/u.test(token);
}
