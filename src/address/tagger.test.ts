import { expect, test } from "vitest";
import { nationalGazetteer } from "./gazetteer.ts";
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
  const all = trainTagger(train, g, { epochs: 4, seed: 1, minCount: 1 });
  const common = trainTagger(train, g, { epochs: 4, seed: 1, minCount: 2 });
  // The name 金色港湾 occurs twice: its features are kept.
  expect(Object.keys(all.features).some((f) => f.startsWith("pcn") && f.includes("港湾"))).toBe(true);
  expect(Object.keys(common.features).length).toBeLessThan(Object.keys(all.features).length);
  const once = Object.keys(all.features).filter((f) => !(f in common.features));
  expect(once.length).toBeGreaterThan(0);
  // What was dropped was seen once only: the digit 7 (building 7 of 青枫公寓).
  expect(once).toContain("c7");
  expect(common.features).toHaveProperty("c1");
});
