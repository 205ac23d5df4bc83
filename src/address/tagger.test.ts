import { expect, test } from "vitest";
import { nationalVillages } from "../cli/village-register.ts";
import { seededRandom } from "../domain/random.ts";
import { learnCharClusters } from "./clusters.ts";
import { nationalGazetteer } from "./gazetteer.ts";
import { allowedTransitions, tagMarginals } from "./lattice.ts";
import { jackknifeLexicons, LexiconMatcher, learnLexicon } from "./lexicon.ts";
import { restoreTaggerModel, Tagger, trainTagger } from "./tagger.ts";

const g = nationalGazetteer();
/** A tiny labelled corpus from a builder: compound + building + room, with an unusual label set. */
const example = (compound: string, b: number, r: number) => ({
  text: `${compound}${b}幢${r}`,
  entities: [
    { label: "poi", text: compound },
    { label: "houseno", text: `${b}幢` },
    { label: "roomno", text: `${r}` },
  ],
});

test("the tagger learns its labels from the deployment's own examples and round-trips as JSON", () => {
  const names = ["青枫公寓", "望江家园", "金色港湾", "翠苑一区", "云栖山庄", "白马湖畔"];
  const train = names.flatMap((n, i) => [example(n, i + 1, 101 + i), example(n, i + 7, 1203 - i)]);
  const model = restoreTaggerModel(JSON.parse(JSON.stringify(trainTagger(train, g, { epochs: 8, seed: 2 }))));
  const tagger = new Tagger(model, g);
  const spans = tagger.spans("望江家园5幢302");
  expect(spans.map((s) => s.label)).toEqual(["poi", "houseno", "roomno"]);
  expect(spans.map((s) => [s.start, s.end])).toEqual([
    [0, 4],
    [4, 6],
    [6, 9],
  ]);
});

test("a file that is not a model is refused with a bilingual message", () => {
  expect(() => restoreTaggerModel({ kind: "other" })).toThrow(/not a recur address model/);
  expect(() => trainTagger([{ text: "abc", entities: [{ label: "poi", text: "ab" }] }], g)).toThrow(
    /no usable/,
  );
});

test("a model of the first version (B-/I- tags only) is still read and decoded", () => {
  const v1 = {
    kind: "recur-address-tagger",
    version: 1,
    tags: ["B-poi", "I-poi"],
    transitions: [0, 0, 0, 0, 0, 0],
    // "s0": first character; "b": every character. B at the start, I after it.
    features: { s0: [0, 5], b: [1, 1] },
    trainedOn: 1,
  };
  const spans = new Tagger(restoreTaggerModel(v1), g).spans("阳光小区");
  expect(spans).toEqual([{ label: "poi", start: 0, end: 4 }]);
});

test("features seen fewer times than minCount get no weight", () => {
  const names = ["青枫公寓", "望江家园", "金色港湾"];
  const train = names.flatMap((n, i) => [example(n, i + 1, 101 + i), example(n, i + 7, 1203 - i)]);
  const all = trainTagger(train, g, { epochs: 4, seed: 1, minCount: 1, prune: 0 });
  const common = trainTagger(train, g, { epochs: 4, seed: 1, minCount: 2, prune: 0 });
  // The name 金色港湾 occurs twice: its features are kept.
  expect(Object.keys(all.features).some((f) => f.startsWith("pcn") && f.includes("港湾"))).toBe(true);
  expect(Object.keys(common.features).length).toBeLessThan(Object.keys(all.features).length);
  const once = Object.keys(all.features).filter((f) => !(f in common.features));
  expect(once.length).toBeGreaterThan(0);
  // What was dropped was seen once only: the digit 7 (building 7 of 青枫公寓).
  expect(once).toContain("c7");
  expect(common.features).toHaveProperty("c1");
});

test("a name of the lexicon gives its first, inner and last characters features", () => {
  const matcher = new LexiconMatcher(
    new Map([
      ["阳光小区", "poi"],
      ["东区", "subpoi"],
    ]),
  );
  const text = "阳光小区东区3幢";
  const out: string[][] = Array.from(text, () => []);
  matcher.addFeatures(text, out);
  expect(out[0]).toEqual(["xBpoi4"]);
  expect(out[1]).toEqual(["xMpoi"]);
  expect(out[3]).toEqual(["xEpoi4"]);
  expect(out[4]).toEqual(["xBsubpoi2"]);
  expect(out[5]).toEqual(["xEsubpoi2"]);
  expect(out[6]).toEqual([]);
});

test("the lexicon keeps names seen twice with a clear label", () => {
  const lex = learnLexicon([
    {
      entities: [
        { label: "poi", text: "阳光小区" },
        { label: "subpoi", text: "东区" },
      ],
    },
    {
      entities: [
        { label: "poi", text: "阳光小区" },
        { label: "poi", text: "东区" },
      ],
    },
    {
      entities: [
        { label: "devZone", text: "经济技术开发区" },
        { label: "community", text: "和平村" },
      ],
    },
    { entities: [{ label: "devZone", text: "经济技术开发区" }] },
  ]);
  // 东区 is labelled two ways (purity 0.5 < 0.6), 和平村 once; labels are normalised.
  expect([...lex]).toEqual([
    ["阳光小区", "poi"],
    ["经济技术开发区", "devzone"],
  ]);
});

test("a jackknife fold's lexicon leaves out the names of its own addresses", () => {
  const examples = [0, 1, 2, 3, 4, 5].map((k) => ({
    entities: [
      { label: "poi", text: k < 3 ? "青枫公寓" : k < 5 ? "望江家园" : "金色港湾" },
      { label: "subpoi", text: `${k}号院` },
    ],
  }));
  // Folds by position mod 3: fold 0 = addresses 0 and 3, fold 1 = 1 and 4, fold 2 = 2 and 5.
  const lexicons = jackknifeLexicons(examples, 3, { minCount: 1 });
  expect(lexicons).toHaveLength(3);
  for (const [f, lex] of lexicons.entries()) {
    expect(lex.has(`${f}号院`)).toBe(false);
    expect(lex.has(`${f + 3}号院`)).toBe(false);
    expect(lex.has(`${(f + 1) % 3}号院`)).toBe(true);
    expect(lex.get("青枫公寓")).toBe("poi");
  }
  // 望江家园 (addresses 3 and 4) is seen once outside fold 0 and fold 1, twice outside fold 2.
  const twice = jackknifeLexicons(examples, 3);
  expect(twice.map((lex) => lex.has("望江家园"))).toEqual([false, false, true]);
});

test("a trained model keeps the whole corpus' lexicon and uses its features; without one it is version 2", () => {
  const names = ["青枫公寓", "望江家园", "金色港湾", "翠苑一区", "云栖山庄", "白马湖畔"];
  // Three addresses per name: out of its own fold, an address still sees its name twice.
  const train = names.flatMap((n, i) => [
    example(n, i + 1, 101 + i),
    example(n, i + 7, 1203 - i),
    example(n, i + 2, 502),
  ]);
  const model = restoreTaggerModel(
    JSON.parse(JSON.stringify(trainTagger(train, g, { epochs: 8, seed: 2, clusters: false }))),
  );
  expect(model.version).toBe(3);
  expect(model.lexicon?.望江家园).toBe("poi");
  expect(Object.keys(model.features).some((f) => f.startsWith("xBpoi4"))).toBe(true);
  const plain = trainTagger(train, g, {
    epochs: 8,
    seed: 2,
    lexicon: false,
    clusters: false,
  });
  expect(plain.version).toBe(2);
  expect(plain.lexicon).toBeUndefined();
  expect(Object.keys(plain.features).some((f) => f.startsWith("x"))).toBe(false);
});

test("a version 2 model without a lexicon still loads and decodes", () => {
  const v2 = {
    kind: "recur-address-tagger",
    version: 2,
    tags: ["B-poi", "E-poi", "I-poi"],
    transitions: new Array(12).fill(0),
    // First character B, last E, the rest I.
    features: { s0: [0, 5], e0: [1, 5], b: [2, 1] },
    trainedOn: 1,
  };
  const spans = new Tagger(restoreTaggerModel(v2), g).spans("阳光小区");
  expect(spans).toEqual([{ label: "poi", start: 0, end: 4 }]);
  expect(() => restoreTaggerModel({ ...v2, version: 3, lexicon: { 阳光小区: 1 } })).toThrow(
    /not a recur address model/,
  );
});

test("a loaded model matches its lexicon's names in the text it decodes", () => {
  const v3 = {
    kind: "recur-address-tagger",
    version: 3,
    tags: ["B-poi", "E-poi", "I-poi", "S-x"],
    transitions: new Array(20).fill(0),
    // Every character is S-x unless a lexicon name starts, covers or ends at it.
    features: { b: [3, 1], xBpoi4: [0, 5], xMpoi: [2, 5], xEpoi4: [1, 5] },
    trainedOn: 1,
    lexicon: { 阳光小区: "poi" },
  };
  const tagger = new Tagger(restoreTaggerModel(v3), g);
  expect(tagger.spans("阳光小区3")).toEqual([
    { label: "poi", start: 0, end: 4 },
    { label: "x", start: 4, end: 5 },
  ]);
  expect(tagger.spans("月光小区3").map((s) => s.label)).toEqual(["x", "x", "x", "x", "x"]);
});

test("the CRF's tag marginals and log Z are those of every allowed tag sequence enumerated", () => {
  const tags = ["B-a", "E-a", "I-a", "S-a", "S-b"];
  const T = tags.length;
  const emissions = [
    [0.3, -1, 0.2, 0.5, -0.4],
    [-0.2, 0.7, 0.1, -0.3, 0.9],
    [0.4, 0.2, -0.6, 0.1, 0.3],
    [1.2, -0.5, 0.3, 0.8, -1.1],
  ];
  const transitions = Array.from({ length: (T + 1) * T }, (_, k) => Math.sin(k) / 2);
  // Well-formed: I-a and E-a only after B-a or I-a; B-a and S-x at the start or after E-a or S-x.
  const ok = (prev: string | null, tag: string) =>
    tag === "I-a" || tag === "E-a"
      ? prev === "B-a" || prev === "I-a"
      : prev === null || prev === "E-a" || prev.startsWith("S-");
  let z = 0;
  const mass = emissions.map(() => new Array<number>(T).fill(0));
  const visit = (seq: number[]) => {
    if (seq.length === emissions.length) {
      let score = 0;
      for (const [i, t] of seq.entries()) {
        const p = i === 0 ? T : (seq[i - 1] as number);
        score += (transitions[p * T + t] as number) + (emissions[i]?.[t] as number);
      }
      const e = Math.exp(score);
      z += e;
      for (const [i, t] of seq.entries()) (mass[i] as number[])[t] = ((mass[i] as number[])[t] as number) + e;
      return;
    }
    for (let t = 0; t < T; t++) {
      const prev = seq.length === 0 ? null : (tags[seq.at(-1) as number] as string);
      if (ok(prev, tags[t] as string)) visit([...seq, t]);
    }
  };
  visit([]);
  const { marginals, logZ } = tagMarginals(tags, emissions, transitions);
  expect(logZ).toBeCloseTo(Math.log(z), 10);
  for (const [i, row] of marginals.entries())
    for (const [t, m] of row.entries()) expect(m).toBeCloseTo(((mass[i] as number[])[t] as number) / z, 10);
  // I-a and E-a cannot start an address.
  expect(marginals[0]?.[1]).toBe(0);
  expect(marginals[0]?.[2]).toBe(0);
});

test("the CRF is the default trainer, the perceptron stays an option, and both are recorded in the model", () => {
  const names = ["青枫公寓", "望江家园", "金色港湾", "翠苑一区", "云栖山庄", "白马湖畔"];
  const train = names.flatMap((n, i) => [example(n, i + 1, 101 + i), example(n, i + 7, 1203 - i)]);
  for (const trainer of ["crf", "perceptron"] as const) {
    const options = trainer === "crf" ? { epochs: 8, seed: 2 } : { epochs: 8, seed: 2, trainer };
    const model = restoreTaggerModel(JSON.parse(JSON.stringify(trainTagger(train, g, options))));
    expect(model.trainer).toBe(trainer);
    const spans = new Tagger(model, g).spans("云栖山庄12幢1501");
    expect(spans.map((s) => [s.label, s.start, s.end])).toEqual([
      ["poi", 0, 4],
      ["houseno", 4, 7],
      ["roomno", 7, 11],
    ]);
  }
  expect(() => restoreTaggerModel({ ...trainTagger(train, g, { epochs: 1 }), trainer: "svm" })).toThrow(
    /not a recur address model/,
  );
});

test("where the corpus labels one name two ways, the CRF follows the more frequent label", () => {
  // 东区 after a compound: a sub-POI three times, a POI once.
  const names = ["青枫公寓", "望江家园", "金色港湾", "云栖山庄"];
  const train = names.flatMap((n, i) => [
    {
      text: `${n}东区${i + 2}幢`,
      entities: [
        { label: "poi", text: n },
        { label: i === 3 ? "poi" : "subpoi", text: "东区" },
        { label: "houseno", text: `${i + 2}幢` },
      ],
    },
    example(n, i + 5, 301),
  ]);
  const tagger = new Tagger(trainTagger(train, g, { epochs: 10, seed: 1 }), g);
  expect(tagger.spans("望江家园东区9幢").map((s) => s.label)).toEqual(["poi", "subpoi", "houseno"]);
});

test("characters written in the same places fall into one learned class", () => {
  const names = ["阳光小区", "望江家园", "金色港湾", "青枫公寓"];
  const texts = names.flatMap((n, i) => [
    `${n}${i + 1}幢${i + 2}0${i + 1}`,
    `${n}${i + 5}栋${i + 1}0${i + 3}`,
  ]);
  const classes = learnCharClusters(texts, { classes: 8 });
  expect(learnCharClusters(texts, { classes: 8 })).toEqual(classes);
  // The characters seen at least twice, each in one of the 8 classes.
  const all = [...texts.join("")];
  const twice = new Set(all.filter((c) => all.indexOf(c) !== all.lastIndexOf(c)));
  expect(new Set(classes.keys())).toEqual(twice);
  expect(Math.max(...classes.values())).toBeLessThan(8);
  // Digits between a building word and the end; first characters of names after the start.
  expect(classes.get("3")).toBe(classes.get("4"));
  expect(classes.get("阳")).toBe(classes.get("望"));
  expect(classes.get("阳")).not.toBe(classes.get("3"));
  // A character seen once gets no class.
  expect(learnCharClusters(["阳光小区", "阳光花园"]).has("小")).toBe(false);
});

test("a trained model keeps its classes of characters; a loaded one uses them (version 4)", () => {
  const names = ["青枫公寓", "望江家园", "金色港湾", "翠苑一区", "云栖山庄", "白马湖畔"];
  const train = names.flatMap((n, i) => [example(n, i + 1, 101 + i), example(n, i + 7, 1203 - i)]);
  const model = restoreTaggerModel(JSON.parse(JSON.stringify(trainTagger(train, g, { epochs: 8, seed: 2 }))));
  expect(model.version).toBe(4);
  expect(model.clusters?.幢).toBeTypeOf("number");
  expect(Object.keys(model.features).some((f) => f.startsWith("qpc"))).toBe(true);
  const v4 = {
    kind: "recur-address-tagger",
    version: 4,
    tags: ["S-x", "S-y"],
    transitions: new Array(6).fill(0),
    // A character of class 1 is S-y, any other S-x.
    features: { b: [0, 1], qc1: [1, 5] },
    trainedOn: 1,
    clusters: { 幢: 1, 栋: 1, 阳: 0 },
  };
  const tagger = new Tagger(restoreTaggerModel(v4), g);
  expect(tagger.spans("阳栋光幢").map((s) => s.label)).toEqual(["x", "y", "x", "y"]);
  expect(() => restoreTaggerModel({ ...v4, clusters: { 幢: "1" } })).toThrow(/not a recur address model/);
});

test("a model trained with the register of committees tells a committee of the township from a village that is none (version 5)", () => {
  // 东华门街道 (Beijing, 110101001) has the committees 多福巷, 银闸, 东厂 and 智德 in the register;
  // 枫林晚, 锦绣湾, 梧桐语 and 月光林 are no committee anywhere. A corpus that labels committees
  // `community` and the rest `village` is learned from the register, not from the names.
  const address = (name: string, label: string, n: number) => ({
    text: `东华门街道${name}社区${n}号`,
    entities: [
      { label: "town", text: "东华门街道" },
      { label, text: `${name}社区` },
      { label: "houseno", text: `${n}号` },
    ],
  });
  const three = (names: string[], label: string) =>
    names.flatMap((name, i) => [
      address(name, label, i + 1),
      address(name, label, i + 9),
      address(name, label, 20 + i),
    ]);
  const train = [
    ...three(["多福巷", "银闸", "东厂"], "community"),
    ...three(["枫林晚", "锦绣湾", "梧桐语"], "village"),
  ];
  const villages = nationalVillages();
  const model = restoreTaggerModel(
    JSON.parse(JSON.stringify(trainTagger(train, g, { epochs: 8, seed: 2, villages }))),
  );
  expect(model.version).toBe(5);
  expect(model.villages).toBe(true);
  expect(() => new Tagger(model, g)).toThrow(/needs it to decode/);
  const tagger = new Tagger(model, g, villages);
  const labelOf = (name: string) =>
    tagger.spans(`东华门街道${name}社区7号`).find((s) => s.start === 5)?.label;
  expect([labelOf("智德"), labelOf("月光林")]).toEqual(["community", "village"]);
  expect(() => restoreTaggerModel({ ...model, villages: "yes" })).toThrow(/not a recur address model/);
  const without = trainTagger(train, g, { epochs: 8, seed: 2 });
  expect(without.villages).toBeUndefined();
  expect(Object.keys(without.features).some((f) => f.startsWith("gv"))).toBe(false);
});

test("decoding finds the best-scoring tag sequence, as trying every allowed sequence does", () => {
  const rng = seededRandom(7);
  const labels = ["poi", "road", "roomno", "town"];
  const tags = labels.flatMap((l) => ["B-", "I-", "E-", "S-"].map((p) => `${p}${l}`));
  const T = tags.length;
  const allowed = allowedTransitions(tags);
  const alphabet = "阳光路号室镇东";
  const random = () => rng.next() * 4 - 2;
  for (let round = 0; round < 60; round++) {
    const n = 1 + (round % 5);
    const text = Array.from({ length: n }, () => alphabet[Math.floor(rng.next() * alphabet.length)]).join("");
    // Weights on the bias and on each character only: the other features of a position are
    // unknown to this model and add nothing, so a sequence's score is easy to compute here.
    const weights = new Map<string, number[]>();
    for (const f of ["b", ...[...alphabet].map((c) => `c${c}`)]) weights.set(f, tags.map(random));
    const transitions = Array.from({ length: (T + 1) * T }, random);
    const model = restoreTaggerModel({
      kind: "recur-address-tagger",
      version: 2,
      tags,
      transitions,
      features: Object.fromEntries([...weights].map(([f, w]) => [f, w.flatMap((v, t) => [t, v])])),
      trainedOn: 0,
    });
    const emit = (i: number, t: number) =>
      (weights.get("b")?.[t] as number) + (weights.get(`c${text[i]}`)?.[t] as number);
    // Every allowed sequence, depth first (the start row of the transitions is the last).
    let best = Number.NEGATIVE_INFINITY;
    let bestTags: number[] = [];
    const walk = (i: number, prev: number, sum: number, path: number[]) => {
      if (i === n) {
        if (sum > best) {
          best = sum;
          bestTags = [...path];
        }
        return;
      }
      for (let t = 0; t < T; t++) {
        if (!allowed[prev * T + t]) continue;
        const from = i === 0 ? T : prev;
        path.push(t);
        walk(i + 1, t, sum + (transitions[from * T + t] as number) + emit(i, t), path);
        path.pop();
      }
    };
    walk(0, T, 0, []);
    const expected: { label: string; start: number; end: number }[] = [];
    let start = 0;
    for (let i = 1; i <= n; i++) {
      const tag = tags[bestTags[i] as number];
      const first = tags[bestTags[start] as number] as string;
      if (i === n || tag?.startsWith("B-") || tag?.startsWith("S-") || tag?.slice(2) !== first.slice(2)) {
        expected.push({ label: first.slice(2), start, end: i });
        start = i;
      }
    }
    expect(new Tagger(model, g).spans(text)).toEqual(expected);
  }
});
