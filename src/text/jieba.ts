import { add_word, cut } from "jieba-wasm";
import { allLexiconWords } from "./lexicon.ts";
import type { Segmenter } from "./segmenter.ts";

/**
 * The jieba-wasm segmenter (jieba-rs compiled to WebAssembly, dictionary bundled, no network).
 * It is the one file of src/text that loads a module with a side effect (the WASM binary is
 * read when the package is imported), so pure code receives it as a `Segmenter` argument.
 * The 110 vocabulary of the keyword lexicon is added once so that "噪音扰民" or "欠薪" stay whole.
 */
let prepared = false;

export function jiebaSegmenter(extraWords: readonly string[] = []): Segmenter {
  if (!prepared) {
    for (const word of allLexiconWords()) if (word.length >= 2) add_word(word, 2000);
    prepared = true;
  }
  for (const word of extraWords) add_word(word, 2000);
  return { cut: (text) => cut(text, true) };
}
