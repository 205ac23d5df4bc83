import type { Entity } from "./parse.ts";
import { normaliseLabel } from "./score.ts";

/**
 * A lexicon of entity names learned from a deployment's labelled addresses (阳光小区 → poi,
 * 经济技术开发区 → devzone), used by the tagger as features of the characters a known name starts
 * at, covers or ends at (SoftLexicon: Ma et al. 2020, "Simplify the Usage of Lexicon in Chinese
 * NER"). Nothing is shipped: it is learned with the model at run time.
 */

export interface LexiconOptions {
  /** A name must be labelled at least this many times in the corpus; default 2. */
  readonly minCount?: number;
  /** Share of its occurrences the name's most frequent label must have; default 0.6. */
  readonly purity?: number;
  /** Names shorter or longer than these are left out; defaults 2 and 16. */
  readonly minLength?: number;
  readonly maxLength?: number;
}

/** word → label, in a form that is kept in the saved model. */
export type Lexicon = ReadonlyMap<string, string>;

interface Normalised {
  readonly minCount: number;
  readonly purity: number;
  readonly minLength: number;
  readonly maxLength: number;
}

function normalise(o: LexiconOptions): Normalised {
  return {
    minCount: o.minCount ?? 2,
    purity: o.purity ?? 0.6,
    minLength: o.minLength ?? 2,
    maxLength: o.maxLength ?? 16,
  };
}

/** Label counts per name, adding and subtracting whole addresses (for the jackknife). */
class NameCounts {
  readonly byName = new Map<string, Map<string, number>>();

  constructor(private readonly o: Normalised) {}

  add(entities: readonly Entity[], sign: 1 | -1): void {
    for (const e of entities) {
      const n = e.text.length;
      if (n < this.o.minLength || n > this.o.maxLength) continue;
      let labels = this.byName.get(e.text);
      if (!labels) {
        labels = new Map();
        this.byName.set(e.text, labels);
      }
      const label = normaliseLabel(e.label);
      labels.set(label, (labels.get(label) ?? 0) + sign);
    }
  }

  lexicon(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [name, labels] of this.byName) {
      let total = 0;
      let best = "";
      let bestCount = 0;
      for (const [label, c] of labels) {
        total += c;
        if (c > bestCount || (c === bestCount && label < best)) {
          best = label;
          bestCount = c;
        }
      }
      if (total >= this.o.minCount && bestCount >= this.o.purity * total) out.set(name, best);
    }
    return out;
  }
}

/**
 * The names of a labelled corpus seen at least `minCount` times, each with its most frequent
 * label when that label is pure enough.
 * @example learnLexicon([{ entities: [{ label: "poi", text: "阳光小区" }] }], { minCount: 1 }).get("阳光小区") // "poi"
 */
export function learnLexicon(
  examples: readonly { readonly entities: readonly Entity[] }[],
  options: LexiconOptions = {},
): Map<string, string> {
  const counts = new NameCounts(normalise(options));
  for (const ex of examples) counts.add(ex.entities, 1);
  return counts.lexicon();
}

/**
 * One lexicon per fold, each learned from the addresses of the other folds (address k is in fold
 * k mod `folds`): in training, an address's lexicon features must come from names learned without
 * it, or every gold name matches and the model trusts the feature more than it deserves at decoding.
 * @example jackknifeLexicons(examples, 5)[2] // learned from the addresses not in fold 2
 */
export function jackknifeLexicons(
  examples: readonly { readonly entities: readonly Entity[] }[],
  folds: number,
  options: LexiconOptions = {},
): Map<string, string>[] {
  const counts = new NameCounts(normalise(options));
  for (const ex of examples) counts.add(ex.entities, 1);
  const out: Map<string, string>[] = [];
  for (let f = 0; f < folds; f++) {
    for (let k = f; k < examples.length; k += folds)
      counts.add((examples[k] as { entities: Entity[] }).entities, -1);
    out.push(counts.lexicon());
    for (let k = f; k < examples.length; k += folds)
      counts.add((examples[k] as { entities: Entity[] }).entities, 1);
  }
  return out;
}

interface TrieNode {
  next: Map<string, TrieNode> | null;
  /** The label of the name ending at this node, or null. */
  label: string | null;
}

/** Finds the lexicon's names in a text: a character trie, one walk from each position. */
export class LexiconMatcher {
  private readonly root: TrieNode = { next: null, label: null };

  constructor(lexicon: Lexicon) {
    for (const [word, label] of lexicon) {
      let node = this.root;
      // By UTF-16 unit, as the texts are read.
      for (let i = 0; i < word.length; i++) {
        const c = word[i] as string;
        if (!node.next) node.next = new Map();
        let child = node.next.get(c);
        if (!child) {
          child = { next: null, label: null };
          node.next.set(c, child);
        }
        node = child;
      }
      node.label = label;
    }
  }

  /**
   * Adds to `out[i]` the features of the names starting at (`xB<label><length>`), inside
   * (`xM<label>`) and ending at (`xE<label><length>`) character i; lengths 2, 3, 4, 5 (5–6), 7 (7+).
   */
  addFeatures(text: string, out: string[][]): void {
    const n = text.length;
    for (let s = 0; s < n; s++) {
      let node = this.root.next?.get(text[s] as string);
      for (let e = s + 1; node; e++) {
        const label = node.label;
        if (label !== null && e - s >= 2) {
          const len = e - s;
          const b = len <= 4 ? len : len <= 6 ? 5 : 7;
          (out[s] as string[]).push(`xB${label}${b}`);
          (out[e - 1] as string[]).push(`xE${label}${b}`);
          for (let k = s + 1; k < e - 1; k++) (out[k] as string[]).push(`xM${label}`);
        }
        if (e >= n) break;
        node = node.next?.get(text[e] as string);
      }
    }
  }
}
