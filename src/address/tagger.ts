import { ConfigError } from "../domain/errors.ts";
import { type Random, seededRandom } from "../domain/random.ts";
import { type ClusterOptions, learnCharClusters } from "./clusters.ts";
import type { Gazetteer } from "./gazetteer.ts";
import { allowedTransitions, Lattice } from "./lattice.ts";
import { jackknifeLexicons, LexiconMatcher, type LexiconOptions, learnLexicon } from "./lexicon.ts";
import { type AdminMatch, type Entity, parseRules, type Span } from "./parse.ts";
import { normaliseLabel } from "./score.ts";
import { type VillageRegister, villagesIn } from "./villages.ts";

/**
 * A character-level sequence labeller (a linear-chain CRF, Lafferty et al. 2001, or a structured
 * averaged perceptron, Collins 2002; first-order Viterbi decoding either way) over character
 * n-grams, the rule parser's labels, gazetteer matches, address words and the names of its own
 * training corpus (a lexicon, src/address/lexicon.ts).
 * It is never shipped trained: a deployment trains it at run time on its own
 * labelled addresses (`recur address train --corpus FILE.jsonl --out MODEL.json`).
 */

export interface LabelledAddress {
  readonly text: string;
  readonly entities: readonly Entity[];
}

/** How the weights are learned; both give the same kind of model, decoded the same way. */
export const TRAINERS = ["crf", "perceptron"] as const;
export type Trainer = (typeof TRAINERS)[number];

export interface TrainOptions {
  /**
   * "crf" (default): a linear-chain CRF, trained by SGD on the log-likelihood with L2
   * regularisation; "perceptron": the structured averaged perceptron of earlier versions.
   */
  readonly trainer?: Trainer;
  readonly epochs?: number;
  readonly seed?: number;
  /** Weights whose absolute averaged value is below this are dropped from the saved model. */
  readonly prune?: number;
  /**
   * Features seen fewer times than this in the corpus get no weight: the perceptron otherwise
   * memorises one-off names (train fit 0.98, held-out 0.90); default 2.
   */
  readonly minCount?: number;
  /**
   * Names of the corpus as features (src/address/lexicon.ts), or false for none. In training an
   * address sees the lexicon of the other `folds` - 1 folds only; the saved model keeps the whole
   * corpus' lexicon. Default: 5 folds, names seen twice.
   */
  readonly lexicon?: false | (LexiconOptions & { readonly folds?: number });
  /**
   * Classes of characters learned from the corpus' texts (src/address/clusters.ts) as features,
   * or false for none; default 64 classes of the characters seen twice.
   */
  readonly clusters?: false | ClusterOptions;
  /**
   * The register of village committees (src/address/villages.ts; the CLI passes the national
   * one): whether a village or community named in the address is a committee of its township
   * becomes a feature, and the model needs the register to decode. Default: none.
   */
  readonly villages?: VillageRegister | null;
  /** CRF: L2 penalty on the whole corpus (λ = l2 / addresses per address); default 1. */
  readonly l2?: number;
  /** CRF: initial learning rate, decaying as rate / (1 + λ·rate·step); default 0.03. */
  readonly rate?: number;
}

/** The serialisable model: tags, transition weights, and per-feature sparse weights. */
export interface TaggerModel {
  readonly kind: "recur-address-tagger";
  /**
   * 1: B-/I- tags; 2: B-/I-/E-/S- tags; 3: version 2 with a lexicon; 4: with classes of
   * characters (and a lexicon unless trained without); 5: version 4 with the register of village
   * committees. All are read.
   */
  readonly version: 1 | 2 | 3 | 4 | 5;
  readonly tags: readonly string[];
  /** tags × tags transition weights, row = previous tag (last row = start). */
  readonly transitions: readonly number[];
  /** feature → [tagIndex, weight, tagIndex, weight, ...]. */
  readonly features: Readonly<Record<string, readonly number[]>>;
  readonly trainedOn: number;
  /** How it was trained (absent in models before the CRF: the perceptron). */
  readonly trainer?: Trainer;
  /** Names of the training corpus → label (version 3), matched in the text as features. */
  readonly lexicon?: Readonly<Record<string, string>>;
  /** Character → class learned from the training texts (version 4), the classes as features. */
  readonly clusters?: Readonly<Record<string, number>>;
  /** Trained with the register of village committees as features (version 5). */
  readonly villages?: true;
}

/** Character class: digit, Latin letter, Chinese numeral, other Han, anything else (sentinels too). */
function charClass(c: string): string {
  const x = c.charCodeAt(0);
  if ((x >= 48 && x <= 57) || (x >= 0xff10 && x <= 0xff19)) return "D";
  if (
    (x >= 65 && x <= 90) ||
    (x >= 97 && x <= 122) ||
    (x >= 0xff21 && x <= 0xff3a) ||
    (x >= 0xff41 && x <= 0xff5a)
  )
    return "L";
  if (NUMERAL_CLASS.has(c)) return "N";
  if (x >= 0x3400 && x <= 0x9fff) return "H";
  return "P";
}
const NUMERAL_CLASS = new Set("零〇一二三四五六七八九十百千两");

/** Rule-parser tag and gazetteer levels per character, shared by training and decoding. */
function contextTags(
  text: string,
  gazetteer: Gazetteer,
  villages: VillageRegister | null,
): { rule: string[]; gaz: string[]; span: string[][] } {
  const n = text.length;
  const rule = new Array<string>(n).fill("O");
  const span: string[][] = [];
  const { spans, admin } = parseRules(text, gazetteer);
  // Plain loops, no closures: tsx (esbuild keepNames) wraps every closure made per call.
  for (let k = 0; k < spans.length; k++) {
    const s = spans[k] as Span;
    const word = text.slice(s.start, s.end);
    const tail = word.slice(-2);
    const prev = spans[k - 1]?.label ?? "<";
    const next = spans[k + 1]?.label ?? ">";
    for (let i = s.start; i < s.end; i++) {
      rule[i] = (i === s.start ? "B" : "I") + s.label;
      const at = s.end - s.start === 1 ? "S" : i === s.start ? "B" : i === s.end - 1 ? "E" : "M";
      span[i] = [
        `ra${s.label}${at}`,
        `rx${s.label}|${tail}|${at}`,
        `rP${prev}|${s.label}|${at}`,
        `rN${s.label}|${next}|${at}`,
      ];
      if (word.length <= 6) (span[i] as string[]).push(`rw${word}|${at}`);
    }
  }
  const gaz = new Array<string>(n).fill("");
  for (let i = 0; i < n; i++) {
    for (const name of gazetteer.namesAt(text, i, 10)) {
      const len = name.length;
      const hits = gazetteer.lookup(name);
      if (hits.length === 0) continue;
      const lv = gazetteer.levelOf((hits[0] as { id: number }).id);
      gaz[i] += `B${lv}${len > 3 ? "+" : ""}|`;
      gaz[i + len - 1] += `E${lv}|`;
      for (let k = i + 1; k < i + len - 1; k++) gaz[k] += `I${lv}|`;
      break;
    }
  }
  if (villages) addVillageTags(text, gazetteer, villages, admin, gaz);
  return { rule, gaz, span };
}

/**
 * Village and community names checked against the register of committees: `vtown`, `vcounty`
 * or `velsewhere` (+ B/I/E) where the name is a committee of the address's township, of another
 * township of its county, or only elsewhere; `vU` (+ B/I/E) on a name and its 村/社区 that is no
 * committee while the address names its township or county (a natural village, or a compound).
 */
function addVillageTags(
  text: string,
  gazetteer: Gazetteer,
  villages: VillageRegister,
  admin: readonly AdminMatch[],
  gaz: string[],
): void {
  const towns: string[] = [];
  const counties: string[] = [];
  let from = 0;
  for (const a of admin) {
    from = Math.max(from, a.end);
    const level = gazetteer.levelOf(a.id);
    if (level === "town") {
      towns.push(gazetteer.codeOf(a.id));
      counties.push(gazetteer.codeOf(gazetteer.parentOf(a.id)));
    } else if (level === "district") counties.push(gazetteer.codeOf(a.id));
  }
  const { matches, unlisted } = villagesIn(text, villages, towns, counties, from);
  for (const m of matches) {
    for (let i = m.start; i < m.end; i++)
      gaz[i] += `v${m.place}${i === m.start ? "B" : i === m.end - 1 ? "E" : "I"}|`;
  }
  if (counties.length === 0) return;
  for (const u of unlisted)
    for (let i = u.start; i < u.end; i++) gaz[i] += `vU${i === u.start ? "B" : i === u.end - 1 ? "E" : "I"}|`;
}

/**
 * Address words (suffixes of divisions, roads, compounds, shops and numbered parts, and words of
 * direction): where one of them ends, starts or lies around a character is a feature, so that
 * the model sees words longer than its character n-grams (街道办事处, 工业园区).
 */
const KEYWORDS = (
  "街道办事处 街道 镇 乡 村 社区 居委会 村委会 开发区 高新区 新区 工业园区 " +
  "工业园 工业区 产业园 园区 路 街 大街 大道 巷 弄 胡同 道 公路 国道 环 " +
  "小区 花园 家园 公寓 大厦 广场 市场 中心 大楼 商城 新村 新城 苑 园 府 庭 " +
  "城 湾 居 阁 轩 里 庄 坊 院 公司 厂 店 酒店 宾馆 超市 学校 小学 中学 " +
  "大学 学院 医院 幼儿园 银行 公园 车站 站 局 所 部 号 号楼 栋 幢 座 单元 " +
  "门 梯 层 楼 室 房 户 期 区 组 排 东 西 南 北 侧 旁 对面 附近 米 " +
  "交叉口 路口"
).split(" ");
/** The keywords by their last character, to find the ones ending at a position. */
const KW_BY_LAST = new Map<string, string[]>();
for (const w of KEYWORDS) {
  const l = w.slice(-1);
  const a = KW_BY_LAST.get(l) ?? [];
  a.push(w);
  KW_BY_LAST.set(l, a);
}

/** Feature strings of every position. */
function featuresOf(
  text: string,
  gazetteer: Gazetteer,
  lexicon: LexiconMatcher | null,
  clusters: ReadonlyMap<string, number> | null,
  villages: VillageRegister | null,
): string[][] {
  const n = text.length;
  const { rule, gaz, span } = contextTags(text, gazetteer, villages);
  // The characters with three sentinels on each side: padded[i + 3] is text[i].
  const padded = ["<", "<", "<"];
  for (let i = 0; i < n; i++) padded.push(text[i] as string);
  padded.push(">", ">", ">");
  const out: string[][] = [];
  for (let i = 0; i < n; i++) {
    const c = padded[i + 3] as string;
    const p1 = padded[i + 2] as string;
    const p2 = padded[i + 1] as string;
    const p3 = padded[i] as string;
    const n1 = padded[i + 4] as string;
    const n2 = padded[i + 5] as string;
    const n3 = padded[i + 6] as string;
    const f = [
      "b",
      `c${c}`,
      `p${p1}`,
      `n${n1}`,
      `pp${p2}`,
      `nn${n2}`,
      `pc${p1}${c}`,
      `cn${c}${n1}`,
      `ppp${p2}${p1}`,
      `nnn${n1}${n2}`,
      `pcn${p1}${c}${n1}`,
      `k${charClass(p1)}${charClass(c)}${charClass(n1)}`,
      `r${rule[i]}`,
      `rp${rule[i - 1] ?? "<"}`,
      `rn${rule[i + 1] ?? ">"}`,
      `rc${rule[i]}${c}`,
      `e${Math.min(n - 1 - i, 4)}`,
      `s${Math.min(i, 4)}`,
    ];
    const sp = span[i];
    if (sp) for (const x of sp) f.push(x);
    f.push(`l3${p3}${p2}${p1}`, `r3${n1}${n2}${n3}`);
    const g = gaz[i];
    if (g) for (const part of g.split("|")) if (part) f.push(`g${part}`);
    if (clusters) {
      const qc = classOf(clusters, c);
      const qp = classOf(clusters, p1);
      const qn = classOf(clusters, n1);
      f.push(`qc${qc}`, `qp${qp}`, `qn${qn}`, `qpc${qp}_${qc}`, `qcn${qc}_${qn}`);
    }
    out.push(f);
  }
  addWordFeatures(text, out);
  if (lexicon) lexicon.addFeatures(text, out);
  return out;
}

/** A character's learned class; the sentinels stand for themselves, an unseen character is "?". */
function classOf(clusters: ReadonlyMap<string, number>, c: string): string {
  if (c === "<" || c === ">") return c;
  const k = clusters.get(c);
  return k === undefined ? "?" : String(k);
}

/**
 * Distance to the previous and next character that is not Han (a digit, letter or separator:
 * names end before numbers), and the keywords ending at, covering, following and preceding
 * each position.
 */
function addWordFeatures(text: string, out: string[][]): void {
  const n = text.length;
  const nameChar = new Array<boolean>(n);
  for (let i = 0; i < n; i++) {
    const k = charClass(text[i] as string);
    nameChar[i] = k === "H" || k === "N";
  }
  const toNext = new Array<number>(n);
  for (let i = n - 1, next = n; i >= 0; i--) {
    if (!nameChar[i]) next = i;
    toNext[i] = next - i;
  }
  for (let i = 0, prev = -1; i < n; i++) {
    const f = out[i] as string[];
    f.push(`dn${Math.min(toNext[i] as number, 8)}`, `dp${Math.min(i - prev, 8)}`);
    if (!nameChar[i]) prev = i;
    const words = KW_BY_LAST.get(text[i] as string);
    if (!words) continue;
    for (const w of words) {
      const s0 = i - w.length + 1;
      if (s0 < 0 || !text.startsWith(w, s0)) continue;
      f.push(`kwE${w}`);
      for (let k = s0; k < i; k++) (out[k] as string[]).push(`kwI${w}`);
      if (i + 1 < n) (out[i + 1] as string[]).push(`kwA${w}`);
      if (s0 > 0) (out[s0 - 1] as string[]).push(`kwB${w}`);
    }
  }
}

/**
 * Character tags of a labelled address: B-/I-/E- (begin, inside, end) and S- (single character)
 * per label, so that the decoder knows where a name ends, not only where it starts. null when the
 * entities do not cover the text.
 */
function goldTags(example: LabelledAddress): string[] | null {
  const tags: string[] = [];
  for (const e of example.entities) {
    const label = normaliseLabel(e.label);
    const n = e.text.length;
    for (let k = 0; k < n; k++)
      tags.push((n === 1 ? "S-" : k === 0 ? "B-" : k === n - 1 ? "E-" : "I-") + label);
  }
  return tags.length === example.text.length && example.entities.map((e) => e.text).join("") === example.text
    ? tags
    : null;
}

/** A tag with at most this many predecessors reads them all (an I- or E- tag has two). */
const FEW_PREDECESSORS = 4;

/**
 * `tags` into `order` by their score in `score` at `row`, highest first, ties in ascending tag
 * order (insertion sort: a few dozen tags, mostly in order from one position to the next).
 */
function sortByScore(tags: Int32Array, score: Float64Array, row: number, order: Int32Array): void {
  for (let k = 0; k < tags.length; k++) {
    const tag = tags[k] as number;
    const v = score[row + tag] as number;
    let j = k;
    // Strictly lower scores move down; NaN never occurs (scores are sums of finite weights or -∞).
    while (j > 0 && (score[row + (order[j - 1] as number)] as number) < v) {
      order[j] = order[j - 1] as number;
      j--;
    }
    order[j] = tag;
  }
}

/** The trainable and decodable form: feature ids and dense weight rows. */
class Weights {
  readonly tagIndex = new Map<string, number>();
  readonly featureIndex = new Map<string, number>();
  w: Float32Array;
  trans: Float32Array;
  /** Previous tag → tags it may precede (allowedTransitions in lattice.ts). */
  allowed: boolean[];

  constructor(
    readonly tags: readonly string[],
    featureCapacity: number,
  ) {
    for (const [i, t] of tags.entries()) this.tagIndex.set(t, i);
    this.w = new Float32Array(featureCapacity * tags.length);
    const T = tags.length;
    this.trans = new Float32Array((T + 1) * T);
    this.allowed = allowedTransitions(tags);
  }

  featureIds(feats: readonly string[], grow: boolean): number[] {
    const ids: number[] = [];
    for (const f of feats) {
      let id = this.featureIndex.get(f);
      if (id === undefined && grow) {
        id = this.featureIndex.size;
        this.featureIndex.set(f, id);
        const T = this.tags.length;
        if ((id + 1) * T > this.w.length) {
          const bigger = new Float32Array(this.w.length * 2);
          bigger.set(this.w);
          this.w = bigger;
        }
      }
      if (id !== undefined) ids.push(id);
    }
    return ids;
  }

  /** Allowed previous tags of each tag (index T = sentence start), computed once. */
  private predecessors(): Int32Array[] {
    if (this.preds) return this.preds;
    const T = this.tags.length;
    const out: Int32Array[] = [];
    for (let t = 0; t < T; t++) {
      const list: number[] = [];
      for (let p = 0; p < T; p++) if (this.allowed[p * T + t]) list.push(p);
      out.push(Int32Array.from(list));
    }
    this.preds = out;
    return out;
  }
  private preds: Int32Array[] | null = null;

  /** The tags that some tag with more than FEW_PREDECESSORS predecessors may follow, ascending. */
  private manyPredecessors(): Int32Array {
    if (this.many) return this.many;
    const seen = new Set<number>();
    for (const ps of this.predecessors()) if (ps.length > FEW_PREDECESSORS) for (const p of ps) seen.add(p);
    this.many = Int32Array.from([...seen].sort((a, b) => a - b));
    return this.many;
  }
  private many: Int32Array | null = null;
  /** Row-compressed weights of a loaded model (feature f: entries start[f] .. start[f + 1]). */
  sparse: { start: Int32Array; tag: Int32Array; value: Float32Array } | null = null;

  /**
   * Viterbi decoding of the best tag sequence. A tag that may follow many others (a B- or S- tag:
   * after any E- or S-) reads them in the order of their scores, best first, and stops where even
   * the best transition into the tag cannot reach the best path found (branch and bound: the same
   * path as reading them all, ties to the lowest tag as before, at a fraction of the additions).
   */
  decode(ids: readonly number[][]): number[] {
    const T = this.tags.length;
    const n = ids.length;
    if (n === 0) return [];
    const w = this.w;
    const trans = this.trans;
    const preds = this.predecessors();
    const score = new Float64Array(n * T);
    const back = new Int32Array(n * T);
    const emit = new Float64Array(T);
    // Best transition into each tag from an allowed predecessor (the bound), and the tags that
    // some tag with many predecessors may follow (sorted by score at each position).
    const bestIn = new Float64Array(T);
    for (let t = 0; t < T; t++) {
      let b = Number.NEGATIVE_INFINITY;
      const ps = preds[t] as Int32Array;
      for (let k = 0; k < ps.length; k++) b = Math.max(b, trans[(ps[k] as number) * T + t] as number);
      bestIn[t] = b;
    }
    const many = this.manyPredecessors();
    const order = new Int32Array(many.length);
    const allowed = this.allowed;
    for (let i = 0; i < n; i++) {
      emit.fill(0);
      const csr = this.sparse;
      if (csr) {
        // A loaded model keeps only the weights that survived pruning: add those, not all T.
        for (const f of ids[i] as number[])
          for (let k = csr.start[f] as number, end = csr.start[f + 1] as number; k < end; k++) {
            const t = csr.tag[k] as number;
            emit[t] = (emit[t] as number) + (csr.value[k] as number);
          }
      } else {
        for (const f of ids[i] as number[]) {
          const base = f * T;
          for (let t = 0; t < T; t++) emit[t] = (emit[t] as number) + (w[base + t] as number);
        }
      }
      const row = i * T;
      const prevRow = row - T;
      if (i > 0) sortByScore(many, score, prevRow, order);
      for (let t = 0; t < T; t++) {
        let best = Number.NEGATIVE_INFINITY;
        let arg = 0;
        if (i === 0) {
          if (allowed[T * T + t]) best = trans[T * T + t] as number;
        } else {
          const ps = preds[t] as Int32Array;
          if (ps.length <= FEW_PREDECESSORS) {
            for (let k = 0; k < ps.length; k++) {
              const p = ps[k] as number;
              const s = (score[prevRow + p] as number) + (trans[p * T + t] as number);
              if (s > best) {
                best = s;
                arg = p;
              }
            }
          } else {
            const bound = bestIn[t] as number;
            for (let k = 0; k < order.length; k++) {
              const p = order[k] as number;
              const from = score[prevRow + p] as number;
              // No later tag can reach `best` (they score no more than this one): stop.
              if (from + bound < best) break;
              if (!allowed[p * T + t]) continue;
              const s = from + (trans[p * T + t] as number);
              if (s > best || (s === best && p < arg)) {
                best = s;
                arg = p;
              }
            }
          }
        }
        score[row + t] = best + (emit[t] as number);
        back[row + t] = arg;
      }
    }
    let bestT = 0;
    for (let t = 1; t < T; t++)
      if ((score[(n - 1) * T + t] as number) > (score[(n - 1) * T + bestT] as number)) bestT = t;
    const out = new Array<number>(n);
    for (let i = n - 1; i >= 0; i--) {
      out[i] = bestT;
      bestT = back[i * T + bestT] as number;
    }
    return out;
  }
}

/**
 * Trains a tagger on labelled addresses (`{text, entities}` covering the text).
 * @example const model = trainTagger(examples, nationalGazetteer(), { epochs: 5, seed: 1 });
 */
export function trainTagger(
  examples: readonly LabelledAddress[],
  gazetteer: Gazetteer,
  options: TrainOptions = {},
): TaggerModel {
  // Gold tags first (cheap), so that feature strings can become ids one address at a time:
  // keeping every address's strings costs gigabytes on a large corpus.
  const prepared: { text: string; gold: string[]; entities: readonly Entity[] }[] = [];
  const tagSet = new Set<string>();
  for (const ex of examples) {
    const gold = goldTags(ex);
    if (!gold || gold.length === 0) continue;
    for (const t of gold) tagSet.add(t);
    prepared.push({ text: ex.text, gold, entities: ex.entities });
  }
  if (prepared.length === 0) {
    throw new ConfigError("address_train_empty", {
      zh: "训练语料中没有可用的标注地址（实体须按顺序覆盖全文）",
      en: "the training corpus has no usable labelled address (entities must cover the text in order)",
    });
  }
  const tags = [...tagSet].sort();
  const W = new Weights(tags, 1 << 16);
  const T = tags.length;
  const lexOptions = options.lexicon === false ? null : (options.lexicon ?? {});
  const folds = lexOptions ? Math.max(2, lexOptions.folds ?? 5) : 0;
  const foldMatchers = lexOptions
    ? jackknifeLexicons(prepared, folds, lexOptions).map((l) => new LexiconMatcher(l))
    : [];
  const clusters =
    options.clusters === false
      ? null
      : learnCharClusters(
          prepared.map((p) => p.text),
          options.clusters,
        );
  const villages = options.villages ?? null;
  const ids = featureIdsOf(
    prepared,
    gazetteer,
    W,
    options.minCount ?? 2,
    (k) => foldMatchers[k % folds] ?? null,
    clusters,
    villages,
  );
  const golds = prepared.map((p) => p.gold.map((t) => W.tagIndex.get(t) as number));
  const trainer = options.trainer ?? "crf";
  const order = { epochs: options.epochs ?? 6, rng: seededRandom(options.seed ?? 1) };
  const learned =
    trainer === "crf"
      ? trainCrf(W, ids, golds, { ...order, l2: options.l2 ?? 1, rate: options.rate ?? 0.03 })
      : trainPerceptron(W, ids, golds, order);
  const prune = options.prune ?? 0.05;
  const features: Record<string, number[]> = {};
  for (const [name, f] of W.featureIndex) {
    const row: number[] = [];
    for (let t = 0; t < T; t++) {
      const v = learned.w[f * T + t] as number;
      if (Math.abs(v) >= prune) row.push(t, Math.round(v * 1000) / 1000);
    }
    if (row.length > 0) features[name] = row;
  }
  const transitions = Array.from(learned.trans, (v) => Math.round(v * 1000) / 1000);
  return {
    kind: "recur-address-tagger",
    version: villages ? 5 : clusters ? 4 : lexOptions ? 3 : 2,
    tags,
    transitions,
    features,
    trainedOn: prepared.length,
    trainer,
    ...(lexOptions ? { lexicon: Object.fromEntries(learnLexicon(prepared, lexOptions)) } : {}),
    ...(clusters ? { clusters: Object.fromEntries(clusters) } : {}),
    ...(villages ? { villages: true as const } : {}),
  };
}

/** Final weights of a trainer: feature × tag rows, and (tags + 1) × tags transitions. */
interface Learned {
  readonly w: Float32Array;
  readonly trans: Float32Array;
}

interface Pass {
  readonly epochs: number;
  readonly rng: Random;
}

/** Visits the addresses in a new seeded order each epoch. */
function shuffle(order: number[], rng: Random): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
}

/** Structured perceptron (Collins 2002) with averaged weights (lazy: acc holds step × update). */
function trainPerceptron(W: Weights, ids: number[][][], golds: number[][], pass: Pass): Learned {
  const T = W.tags.length;
  const acc = new Float32Array(W.w.length);
  const accTrans = new Float32Array(W.trans.length);
  let step = 1;
  const order = ids.map((_, i) => i);
  for (let epoch = 0; epoch < pass.epochs; epoch++) {
    shuffle(order, pass.rng);
    for (const k of order) {
      const x = ids[k] as number[][];
      const y = golds[k] as number[];
      const z = W.decode(x);
      for (let i = 0; i < y.length; i++) {
        const g = y[i] as number;
        const p = z[i] as number;
        const gPrev = i === 0 ? T : (y[i - 1] as number);
        const pPrev = i === 0 ? T : (z[i - 1] as number);
        if (g !== p) {
          for (const f of x[i] as number[]) {
            W.w[f * T + g] = (W.w[f * T + g] as number) + 1;
            acc[f * T + g] = (acc[f * T + g] as number) + step;
            W.w[f * T + p] = (W.w[f * T + p] as number) - 1;
            acc[f * T + p] = (acc[f * T + p] as number) - step;
          }
        }
        if (g !== p || gPrev !== pPrev) {
          W.trans[gPrev * T + g] = (W.trans[gPrev * T + g] as number) + 1;
          accTrans[gPrev * T + g] = (accTrans[gPrev * T + g] as number) + step;
          W.trans[pPrev * T + p] = (W.trans[pPrev * T + p] as number) - 1;
          accTrans[pPrev * T + p] = (accTrans[pPrev * T + p] as number) - step;
        }
      }
      step++;
    }
  }
  // Averaged w = w - acc / step, in place (the dense rows are large on a big corpus).
  for (let i = 0; i < acc.length; i++) acc[i] = (W.w[i] as number) - (acc[i] as number) / step;
  for (let i = 0; i < accTrans.length; i++)
    accTrans[i] = (W.trans[i] as number) - (accTrans[i] as number) / step;
  return { w: acc, trans: accTrans };
}

/** The CRF's weights are averaged over this many snapshots per epoch (less seed-to-seed spread). */
const SNAPSHOTS_PER_EPOCH = 4;

/**
 * Linear-chain CRF (Lafferty et al. 2001) on the perceptron's features and allowed transitions:
 * SGD on the log-likelihood with an L2 penalty and a decaying rate, the weights kept as
 * scale × v so that the penalty costs one multiplication per address (Bottou 2012, "Stochastic
 * gradient descent tricks"), and the weights at four points of each epoch averaged (Polyak and
 * Juditsky 1992; docs/address.md has the held-out figures against the perceptron).
 */
function trainCrf(
  W: Weights,
  ids: number[][][],
  golds: number[][],
  pass: Pass & { readonly l2: number; readonly rate: number },
): Learned {
  const T = W.tags.length;
  const lambda = pass.l2 / ids.length;
  const v = W.w;
  const vt = W.trans;
  let scale = 1;
  const avg = new Float32Array(v.length);
  const avgTrans = new Float32Array(vt.length);
  const lattice = new Lattice(T, W.allowed);
  const { et } = lattice;
  const gradTrans = new Float64Array(vt.length);
  const order = ids.map((_, i) => i);
  // Snapshots averaged: four per epoch (each quarter's end), 24 in all for 6 epochs.
  const every = Math.ceil(ids.length / SNAPSHOTS_PER_EPOCH);
  const share = 1 / (pass.epochs * Math.ceil(ids.length / every));
  let step = 0;
  for (let epoch = 0; epoch < pass.epochs; epoch++) {
    shuffle(order, pass.rng);
    for (const [j, k] of order.entries()) {
      const x = ids[k] as number[][];
      const y = golds[k] as number[];
      const n = x.length;
      const eta = pass.rate / (1 + lambda * pass.rate * step);
      step++;
      lattice.reserve(n);
      const { em } = lattice;
      for (let i = 0; i < n; i++) {
        const row = i * T;
        for (let t = 0; t < T; t++) em[row + t] = 0;
        for (const f of x[i] as number[]) {
          const base = f * T;
          for (let t = 0; t < T; t++) em[row + t] = (em[row + t] as number) + (v[base + t] as number);
        }
        for (let t = 0; t < T; t++) em[row + t] = scale * (em[row + t] as number);
      }
      lattice.setTransitions(vt, scale);
      lattice.run(n);
      const { alpha, beta, c } = lattice;
      // The penalty shrinks every weight; then the gradient (gold minus expected counts) is added.
      scale *= 1 - eta * lambda;
      if (scale < 1e-6) {
        for (let q = 0; q < v.length; q++) v[q] = (v[q] as number) * scale;
        for (let q = 0; q < vt.length; q++) vt[q] = (vt[q] as number) * scale;
        scale = 1;
      }
      gradTrans.fill(0);
      for (let i = 0; i < n; i++) {
        const row = i * T;
        const g = y[i] as number;
        const feats = x[i] as number[];
        for (let t = 0; t < T; t++) {
          const d = (t === g ? 1 : 0) - (alpha[row + t] as number) * (beta[row + t] as number);
          // Tags the model already rules out or is sure of: nothing worth adding.
          if (d > -1e-4 && d < 1e-4) continue;
          const u = (eta * d) / scale;
          for (const f of feats) v[f * T + t] = (v[f * T + t] as number) + u;
        }
        const gp = i === 0 ? T : (y[i - 1] as number);
        gradTrans[gp * T + g] = (gradTrans[gp * T + g] as number) + 1;
        if (i === 0) {
          for (let t = 0; t < T; t++)
            gradTrans[T * T + t] =
              (gradTrans[T * T + t] as number) - (alpha[t] as number) * (beta[t] as number);
          continue;
        }
        const prow = row - T;
        const ci = c[i] as number;
        for (let t = 0; t < T; t++) {
          const right = ((em[row + t] as number) * (beta[row + t] as number)) / ci;
          if (right === 0) continue;
          const ps = lattice.preds[t] as Int32Array;
          for (let j = 0; j < ps.length; j++) {
            const p = ps[j] as number;
            const q = p * T + t;
            gradTrans[q] = (gradTrans[q] as number) - (alpha[prow + p] as number) * (et[q] as number) * right;
          }
        }
      }
      for (let q = 0; q < gradTrans.length; q++) {
        const d = gradTrans[q] as number;
        if (d !== 0) vt[q] = (vt[q] as number) + (eta * d) / scale;
      }
      if ((j + 1) % every !== 0 && j + 1 !== order.length) continue;
      const f = share * scale;
      for (let q = 0; q < v.length; q++) avg[q] = (avg[q] as number) + f * (v[q] as number);
      for (let q = 0; q < vt.length; q++) avgTrans[q] = (avgTrans[q] as number) + f * (vt[q] as number);
    }
  }
  return { w: avg, trans: avgTrans };
}

/**
 * Feature ids of every position of every address, keeping only the features seen at least
 * `minCount` times: ids are counted in one pass (the strings are not kept: on a large corpus
 * they cost gigabytes), then renumbered into `W`.
 */
function featureIdsOf(
  prepared: readonly { text: string }[],
  gazetteer: Gazetteer,
  W: Weights,
  minCount: number,
  lexiconOf: (k: number) => LexiconMatcher | null,
  clusters: ReadonlyMap<string, number> | null,
  villages: VillageRegister | null,
): number[][][] {
  const all = new Map<string, number>();
  let counts = new Int32Array(1 << 16);
  const raw: number[][][] = [];
  for (let k = 0; k < prepared.length; k++) {
    const row: number[][] = [];
    for (const fs of featuresOf(
      (prepared[k] as { text: string }).text,
      gazetteer,
      lexiconOf(k),
      clusters,
      villages,
    )) {
      const r: number[] = [];
      for (const f of fs) {
        let id = all.get(f);
        if (id === undefined) {
          id = all.size;
          all.set(f, id);
          if (id >= counts.length) {
            const bigger = new Int32Array(counts.length * 2);
            bigger.set(counts);
            counts = bigger;
          }
        }
        counts[id] = (counts[id] as number) + 1;
        r.push(id);
      }
      row.push(r);
    }
    raw.push(row);
  }
  const kept: string[] = [];
  for (const [f, id] of all) if ((counts[id] as number) >= minCount) kept.push(f);
  const newId = new Int32Array(all.size).fill(-1);
  for (const f of kept) newId[all.get(f) as number] = W.featureIds([f], true)[0] as number;
  for (const row of raw)
    for (let i = 0; i < row.length; i++) {
      const out: number[] = [];
      for (const id of row[i] as number[]) {
        const k = newId[id] as number;
        if (k >= 0) out.push(k);
      }
      row[i] = out;
    }
  return raw;
}

/** A trained model ready to label addresses. */
export class Tagger {
  private readonly weights: Weights;
  private readonly lexicon: LexiconMatcher | null;
  private readonly clusters: ReadonlyMap<string, number> | null;
  private readonly villages: VillageRegister | null;

  /** `villages`: the register a model trained with it (`model.villages`) needs; else ignored. */
  constructor(
    readonly model: TaggerModel,
    private readonly gazetteer: Gazetteer,
    villages: VillageRegister | null = null,
  ) {
    if (model.villages && !villages) {
      throw new ConfigError("address_model_needs_villages", {
        zh: "该地址模型训练时使用了村（居）委会名录，解码时也需要它",
        en: "this address model was trained with the register of village committees and needs it to decode",
      });
    }
    const names = Object.keys(model.features);
    // Dense rows are only needed for training: a loaded model decodes from its sparse rows.
    const W = new Weights(model.tags, 1);
    let entries = 0;
    for (const name of names) entries += ((model.features[name] as readonly number[]).length / 2) | 0;
    const start = new Int32Array(names.length + 1);
    const tag = new Int32Array(entries);
    const value = new Float32Array(entries);
    let k = 0;
    for (let id = 0; id < names.length; id++) {
      const name = names[id] as string;
      W.featureIndex.set(name, id);
      const row = model.features[name] as readonly number[];
      for (let j = 0; j + 1 < row.length; j += 2) {
        tag[k] = row[j] as number;
        value[k] = row[j + 1] as number;
        k++;
      }
      start[id + 1] = k;
    }
    W.sparse = { start, tag, value };
    W.trans.set(model.transitions.slice(0, W.trans.length));
    this.weights = W;
    this.lexicon = model.lexicon ? new LexiconMatcher(new Map(Object.entries(model.lexicon))) : null;
    this.clusters = model.clusters ? new Map(Object.entries(model.clusters)) : null;
    this.villages = model.villages ? villages : null;
  }

  /** Labelled spans covering the text. */
  spans(text: string): Span[] {
    if (text.length === 0) return [];
    const feats = featuresOf(text, this.gazetteer, this.lexicon, this.clusters, this.villages);
    const ids: number[][] = [];
    for (const f of feats) ids.push(this.weights.featureIds(f, false));
    const tags = this.weights.decode(ids).map((t) => this.model.tags[t] as string);
    const spans: Span[] = [];
    let start = 0;
    for (let i = 1; i <= tags.length; i++) {
      const tag = tags[i];
      if (
        i === tags.length ||
        tag?.startsWith("B-") ||
        tag?.startsWith("S-") ||
        tag?.slice(2) !== (tags[start] as string).slice(2)
      ) {
        spans.push({ label: (tags[start] as string).slice(2), start, end: i });
        start = i;
      }
    }
    return spans;
  }
}

/**
 * Checks a model read from a file (unknown JSON) and returns it typed; throws ConfigError
 * with a bilingual message when it is not a recur address model.
 */
export function restoreTaggerModel(json: unknown): TaggerModel {
  const m = json as Partial<TaggerModel> | null;
  const ok =
    m !== null &&
    typeof m === "object" &&
    m.kind === "recur-address-tagger" &&
    (m.version === 1 || m.version === 2 || m.version === 3 || m.version === 4 || m.version === 5) &&
    Array.isArray(m.tags) &&
    m.tags.every((t) => typeof t === "string" && /^[BIES]-/.test(t)) &&
    Array.isArray(m.transitions) &&
    m.transitions.length === (m.tags.length + 1) * m.tags.length &&
    typeof m.features === "object" &&
    m.features !== null &&
    (m.trainer === undefined || (TRAINERS as readonly string[]).includes(m.trainer)) &&
    (m.lexicon === undefined ||
      (typeof m.lexicon === "object" &&
        m.lexicon !== null &&
        !Array.isArray(m.lexicon) &&
        Object.values(m.lexicon).every((l) => typeof l === "string"))) &&
    (m.clusters === undefined ||
      (typeof m.clusters === "object" &&
        m.clusters !== null &&
        !Array.isArray(m.clusters) &&
        Object.values(m.clusters).every((k) => Number.isInteger(k) && k >= 0))) &&
    (m.villages === undefined || m.villages === true);
  if (!ok) {
    throw new ConfigError("address_model_invalid", {
      zh: "不是 recur 地址模型文件（请用 recur address train 生成）",
      en: "not a recur address model (create one with recur address train)",
    });
  }
  return m as TaggerModel;
}
