import { describe, expect, test } from "vitest";
import {
  type DivisionNode,
  Gazetteer,
  type GazetteerSnapshots,
  type GazetteerTables,
  gazetteerFrom,
  nationalGazetteer,
} from "./gazetteer.ts";
import { decodeSnapshot, encodeSnapshot } from "./gazetteer-snapshot.ts";

/** An invented province: two cities, districts with abbreviations, townships, a one-character name. */
const TREE: readonly DivisionNode[] = [
  {
    code: "91",
    name: "云岭省",
    children: [
      {
        code: "9101",
        name: "青禾市",
        children: [
          {
            code: "910101",
            name: "昆都泽区",
            children: [
              { code: "910101001", name: "望江街道" },
              { code: "910101002", name: "横塘镇" },
            ],
          },
          { code: "910102", name: "东湖区", children: [{ code: "910102001", name: "东湖街道" }] },
        ],
      },
      {
        code: "9102",
        name: "白石市",
        children: [
          { code: "910201", name: "东湖区", children: [{ code: "910201001", name: "望江街道" }] },
          { code: "910202", name: "丘", children: [] },
        ],
      },
    ],
  },
];

/** Everything a reader of the gazetteer can ask, as one value to compare (of the last 40 divisions at most). */
function answers(g: Gazetteer, texts: readonly string[]): unknown {
  const from = Math.max(0, g.size - 40);
  const divisions = Array.from({ length: g.size - from }, (_, i) => from + i).map((id) => ({
    ...g.division(id),
    children: [...g.children(id)],
    byName: g.lookup(g.nameOf(id)),
    found: g.find(g.codeOf(id)),
  }));
  const scans = texts.map((text) =>
    Array.from({ length: text.length }, (_, pos) => ({
      names: g.namesAt(text, pos),
      entries: g.entriesAt(text, pos).map((e) => [e.name, e.hits]),
    })),
  );
  const names = ["云岭", "青禾", "昆区", "东湖", "丘", "不存在", "望江街道", "白石"].map((n) => g.lookup(n));
  return { divisions, scans, names, max: g.maxNameLength, region: g.resolveRegion("云岭省青禾市昆区") };
}

const TEXTS = ["云岭省青禾市昆区望江街道阳光小区3栋", "白石东湖区望江街道", "青禾市东湖东湖街道", "丘"];

const memoryStore = () => {
  const files = new Map<string, Uint8Array>();
  const log: string[] = [];
  const store: GazetteerSnapshots = {
    read(key) {
      log.push(`read ${files.has(key) ? "hit" : "miss"}`);
      return files.get(key) ?? null;
    },
    write(key, bytes) {
      log.push("write");
      files.set(key, bytes);
    },
  };
  return { store, files, log };
};

describe("a gazetteer read back from its snapshot", () => {
  test("answers every question as the gazetteer it was made from", () => {
    const built = new Gazetteer(TREE);
    const bytes = encodeSnapshot(built.tables(), "k1");
    expect(bytes).not.toBeNull();
    const tables = decodeSnapshot(bytes as Uint8Array, "k1");
    expect(tables).not.toBeNull();
    const read = new Gazetteer(tables as GazetteerTables);
    expect(answers(read, TEXTS)).toEqual(answers(built, TEXTS));
    // The abbreviation and the one-character county are there to be compared at all.
    expect(read.lookup("昆区").map((h) => h.kind)).toEqual(["abbrev"]);
    expect(read.lookup("丘")).toHaveLength(1);
  });

  test("of the national divisions gives the same divisions and names", () => {
    const built = nationalGazetteer();
    const read = new Gazetteer(
      decodeSnapshot(encodeSnapshot(built.tables(), "n") as Uint8Array, "n") as GazetteerTables,
    );
    expect(read.size).toBe(built.size);
    for (let id = 0; id < built.size; id += 7) {
      expect(read.division(id)).toEqual(built.division(id));
      expect(read.lookup(read.nameOf(id))).toEqual(built.lookup(built.nameOf(id)));
    }
    const text = "浙江省杭州市西湖区文三路100号内蒙古包头市昆区";
    for (let pos = 0; pos < text.length; pos++)
      expect(read.namesAt(text, pos)).toEqual(built.namesAt(text, pos));
  });

  test.each([
    ["another key", (b: Uint8Array) => b, "other"],
    ["cut short", (b: Uint8Array) => b.subarray(0, b.length - 100), "k"],
    ["cut inside its header", (b: Uint8Array) => b.subarray(0, 20), "k"],
    ["empty", () => new Uint8Array(0), "k"],
    ["another magic", (b: Uint8Array) => Uint8Array.from(b, (x, i) => (i === 0 ? x ^ 1 : x)), "k"],
    ["a hit past the last division", (b: Uint8Array) => withLastInt(b, 0x7ffffff0), "k"],
  ])("is refused when %s", (_, damage, key) => {
    const bytes = encodeSnapshot(new Gazetteer(TREE).tables(), "k") as Uint8Array;
    expect(decodeSnapshot(damage(bytes), key)).toBeNull();
  });

  test("is not made when a name holds the separator of its lists", () => {
    const tree = [{ code: "92", name: "云\n岭省" }];
    expect(encodeSnapshot(new Gazetteer(tree).tables(), "k")).toBeNull();
  });
});

describe("gazetteerFrom", () => {
  test("builds and keeps a snapshot the first time, reads it the second", () => {
    const { store, log } = memoryStore();
    const first = gazetteerFrom(TREE, store);
    const second = gazetteerFrom(TREE, store);
    expect(log).toEqual(["read miss", "write", "read hit"]);
    expect(answers(second, TEXTS)).toEqual(answers(first, TEXTS));
    expect(second.lookup("昆区")).toEqual(first.lookup("昆区"));
  });

  test("keeps one snapshot per set of a deployment's divisions", () => {
    const { store, files } = memoryStore();
    gazetteerFrom(TREE, store);
    gazetteerFrom([{ code: "91", name: "云岭省", children: [{ code: "9103", name: "红石市" }] }], store);
    expect(files.size).toBe(2);
  });

  test("builds again, and replaces, a snapshot it cannot read", () => {
    const { store, files, log } = memoryStore();
    gazetteerFrom(TREE, store);
    const [key] = [...files.keys()];
    files.set(key as string, new Uint8Array([1, 2, 3]));
    const again = gazetteerFrom(TREE, store);
    expect(log).toEqual(["read miss", "write", "read hit", "write"]);
    expect(again.lookup("昆区")).toHaveLength(1);
    expect((files.get(key as string) as Uint8Array).length).toBeGreaterThan(100);
  });

  test("without a store builds each time and keeps nothing", () => {
    const a = gazetteerFrom(TREE, null);
    expect(a.find("910101")).toHaveLength(1);
  });
});

/** The bytes with the last 32-bit number (the last hit) set to `value`. */
function withLastInt(bytes: Uint8Array, value: number): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setInt32(out.length - 4, value, true);
  return out;
}
