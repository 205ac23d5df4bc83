/**
 * Multi-pattern substring search (Aho–Corasick): finds every keyword of a lexicon in one pass
 * over the text, whatever the number of keywords. Classification of a million narratives is a
 * million passes, so this is the hot loop of the quality benchmark.
 */
export interface KeywordHit<T> {
  readonly keyword: string;
  readonly value: T;
  /** Index in the text of the keyword's first character. */
  readonly start: number;
}

interface Node {
  /** Transitions by UTF-16 code unit. */
  readonly next: Map<number, number>;
  fail: number;
  /** Output: indexes into `entries` that end at this node (own and via fail links). */
  out: number[];
}

export interface KeywordMatcher<T> {
  /** All hits, in the order their last character appears. */
  find(text: string): KeywordHit<T>[];
  /** Calls `onHit` for every hit, in the same order, without allocating hit objects. */
  forEach(text: string, onHit: (value: T, keyword: string, start: number) => void): void;
}

/**
 * @example
 * const m = keywordMatcher([["噪音", "noise"], ["装修", "noise"]]);
 * m.find("楼上装修噪音").map((h) => h.keyword) // ["装修", "噪音"]
 */
export function keywordMatcher<T>(entries: readonly (readonly [string, T])[]): KeywordMatcher<T> {
  const nodes: Node[] = [{ next: new Map(), fail: 0, out: [] }];
  entries.forEach(([keyword], index) => {
    let at = 0;
    for (let i = 0; i < keyword.length; i++) {
      const ch = keyword.charCodeAt(i);
      let to = nodes[at]!.next.get(ch);
      if (to === undefined) {
        to = nodes.length;
        nodes.push({ next: new Map(), fail: 0, out: [] });
        nodes[at]!.next.set(ch, to);
      }
      at = to;
    }
    if (keyword.length > 0) nodes[at]!.out.push(index);
  });
  // Breadth-first failure links.
  const queue: number[] = [];
  for (const child of nodes[0]!.next.values()) queue.push(child);
  for (let q = 0; q < queue.length; q++) {
    const from = queue[q]!;
    for (const [ch, to] of nodes[from]!.next) {
      let f = nodes[from]!.fail;
      while (f !== 0 && !nodes[f]!.next.has(ch)) f = nodes[f]!.fail;
      const target = nodes[f]!.next.get(ch);
      nodes[to]!.fail = target !== undefined && target !== to ? target : 0;
      nodes[to]!.out = nodes[to]!.out.concat(nodes[nodes[to]!.fail]!.out);
      queue.push(to);
    }
  }
  const lengths = entries.map(([k]) => k.length);
  const next = nodes.map((n) => n.next);
  const fail = Int32Array.from(nodes, (n) => n.fail);
  const outputs = nodes.map((n) => n.out);
  const forEach = (text: string, onHit: (value: T, keyword: string, start: number) => void): void => {
    let at = 0;
    // UTF-16 units on both sides: the Han characters of the lexicon are all in the BMP.
    for (let position = 0; position < text.length; position++) {
      const ch = text.charCodeAt(position);
      let to = next[at]!.get(ch);
      while (to === undefined && at !== 0) {
        at = fail[at]!;
        to = next[at]!.get(ch);
      }
      at = to ?? 0;
      const out = outputs[at]!;
      for (let o = 0; o < out.length; o++) {
        const index = out[o]!;
        const entry = entries[index]!;
        onHit(entry[1], entry[0], position - lengths[index]! + 1);
      }
    }
  };
  return {
    forEach,
    find(text) {
      const hits: KeywordHit<T>[] = [];
      forEach(text, (value, keyword, start) => hits.push({ keyword, value, start }));
      return hits;
    },
  };
}
