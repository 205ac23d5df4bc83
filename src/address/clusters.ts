/**
 * Classes of characters learned from a deployment's own addresses at training time, by the
 * exchange algorithm (Kneser and Ney 1993; Martin, Liermann and Ney 1998, "Algorithms for bigram
 * and trigram word clustering"): each character is moved to the class that most raises the
 * likelihood of a class bigram model, so that characters written in the same places share a
 * class (幢 栋 撞 懂; the digits; 杭 温 台, first characters of cities) and the tagger's features
 * on a rare character of a name get the weight of its class. Nothing is shipped: the classes are
 * learned with the model and kept in it.
 */

export interface ClusterOptions {
  /** Number of classes; default 64. */
  readonly classes?: number;
  /** Characters seen fewer times than this get no class; default 2. */
  readonly minCount?: number;
  /** Passes over the characters at most (it stops earlier when none moves); default 8. */
  readonly passes?: number;
}

/** x log x, with 0 log 0 = 0. */
const xlogx = (x: number): number => (x > 0 ? x * Math.log(x) : 0);

/**
 * Character → class (0 .. classes - 1) of the characters seen at least `minCount` times in
 * `texts`; the start and end of a text and the rarer characters count as one boundary word.
 * Deterministic: characters start in classes by frequency rank.
 * @example learnCharClusters(["阳光小区3幢", "月光小区5栋"], { classes: 4, minCount: 1 }).get("幢")
 */
export function learnCharClusters(
  texts: Iterable<string>,
  options: ClusterOptions = {},
): Map<string, number> {
  const K = Math.max(1, options.classes ?? 64);
  const minCount = options.minCount ?? 2;
  const passes = options.passes ?? 8;
  const list = [...texts];
  const count = new Map<string, number>();
  for (const t of list) for (const c of t) count.set(c, (count.get(c) ?? 0) + 1);
  // Most frequent first (ties in order of first appearance); word 0 is the boundary.
  const vocab = [...count]
    .filter(([, n]) => n >= minCount)
    .sort((a, b) => b[1] - a[1])
    .map(([c]) => c);
  const index = new Map<string, number>();
  for (const [i, c] of vocab.entries()) index.set(c, i + 1);
  const V = vocab.length + 1;
  const pairs = new Map<number, number>();
  const unigram = new Float64Array(V);
  const addPair = (a: number, b: number) => pairs.set(a * V + b, (pairs.get(a * V + b) ?? 0) + 1);
  for (const t of list) {
    let prev = 0;
    unigram[0] = (unigram[0] as number) + 1;
    for (const c of t) {
      const w = index.get(c) ?? 0;
      unigram[w] = (unigram[w] as number) + 1;
      addPair(prev, w);
      prev = w;
    }
    addPair(prev, 0);
  }
  // Each word's followers and predecessors (other words) with counts, and its count after itself.
  const after: number[][] = Array.from({ length: V }, () => []);
  const before: number[][] = Array.from({ length: V }, () => []);
  const self = new Float64Array(V);
  for (const [key, n] of pairs) {
    const a = Math.floor(key / V);
    const b = key % V;
    if (a === b) self[a] = n;
    else {
      (after[a] as number[]).push(b, n);
      (before[b] as number[]).push(a, n);
    }
  }
  const cls = new Int32Array(V);
  for (let w = 0; w < V; w++) cls[w] = w % K;
  // Class bigram counts (K × K) and class counts.
  const N = new Float64Array(K * K);
  const size = new Float64Array(K);
  for (const [key, n] of pairs) {
    const q = (cls[Math.floor(key / V)] as number) * K + (cls[key % V] as number);
    N[q] = (N[q] as number) + n;
  }
  for (let w = 0; w < V; w++)
    size[cls[w] as number] = (size[cls[w] as number] as number) + (unigram[w] as number);
  const right = new Float64Array(K);
  const left = new Float64Array(K);
  for (let pass = 0; pass < passes; pass++) {
    let moved = 0;
    for (let w = 1; w < V; w++) {
      const from = cls[w] as number;
      // Counts of w before and after each class, then w taken out of its class.
      const rs = classCounts(after[w] as number[], cls, right);
      const ls = classCounts(before[w] as number[], cls, left);
      const s = self[w] as number;
      const n = unigram[w] as number;
      move(N, K, from, rs, right, ls, left, -1, s);
      size[from] = (size[from] as number) - n;
      let best = from;
      let bestGain = Number.NEGATIVE_INFINITY;
      for (let b = 0; b < K; b++) {
        // Change of Σ N(c1,c2) log N(c1,c2) − 2 Σ N(c) log N(c) if w joins class b.
        let gain = 0;
        for (const c of rs) {
          if (c === b) continue;
          const x = N[b * K + c] as number;
          gain += xlogx(x + (right[c] as number)) - xlogx(x);
        }
        for (const c of ls) {
          if (c === b) continue;
          const x = N[c * K + b] as number;
          gain += xlogx(x + (left[c] as number)) - xlogx(x);
        }
        const bb = N[b * K + b] as number;
        gain += xlogx(bb + (right[b] as number) + (left[b] as number) + s) - xlogx(bb);
        gain -= 2 * (xlogx((size[b] as number) + n) - xlogx(size[b] as number));
        if (gain > bestGain + 1e-9) {
          bestGain = gain;
          best = b;
        }
      }
      move(N, K, best, rs, right, ls, left, 1, s);
      size[best] = (size[best] as number) + n;
      if (best !== from) moved++;
      cls[w] = best;
    }
    if (moved === 0) break;
  }
  const out = new Map<string, number>();
  for (const [i, c] of vocab.entries()) out.set(c, cls[i + 1] as number);
  return out;
}

/** Sums a word's neighbour counts (pairs word, count) per class into `into`; returns the classes. */
function classCounts(neighbours: readonly number[], cls: Int32Array, into: Float64Array): number[] {
  into.fill(0);
  const touched: number[] = [];
  for (let j = 0; j + 1 < neighbours.length; j += 2) {
    const c = cls[neighbours[j] as number] as number;
    if (into[c] === 0) touched.push(c);
    into[c] = (into[c] as number) + (neighbours[j + 1] as number);
  }
  return touched;
}

/** Adds (sign 1) or removes (−1) a word's bigram counts to or from class k's row and column. */
function move(
  N: Float64Array,
  K: number,
  k: number,
  rs: readonly number[],
  right: Float64Array,
  ls: readonly number[],
  left: Float64Array,
  sign: 1 | -1,
  self: number,
): void {
  for (const c of rs) N[k * K + c] = (N[k * K + c] as number) + sign * (right[c] as number);
  for (const c of ls) N[c * K + k] = (N[c * K + k] as number) + sign * (left[c] as number);
  N[k * K + k] = (N[k * K + k] as number) + sign * self;
}
