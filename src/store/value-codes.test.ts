import { describe, expect, it } from "vitest";
import { MAX_CODES, ValueDecoder, ValueEncoder } from "./value-codes.mjs";

type Value = string | number | null;

/** Chunks of rows (3 columns; columns 0 and 2 coded) through encoder and decoder, as the worker sees them. */
function roundTrip(chunks: Value[][]): { sent: Value[][]; received: Value[][] } {
  const encoder = new ValueEncoder(3, [0, 2]);
  const decoder = new ValueDecoder(3, [0, 2]);
  const sent: Value[][] = [];
  const received: Value[][] = [];
  for (const chunk of chunks) {
    const values = [...chunk];
    const added = encoder.encode(values);
    sent.push([...values]);
    // What structured cloning does to the message: a copy.
    received.push(decoder.decode(structuredClone(values), structuredClone(added)));
  }
  return { sent, received };
}

describe("value codes of the hand-over to the SQLite worker", () => {
  it("gives the worker back every value, over several chunks", () => {
    const chunks: Value[][] = [
      ["澜东分局", 1, "交通", "澜东分局", 2, null],
      ["澜西分局", "free text", "交通", null, 3.5, "治安"],
      ["澜东分局", "澜东分局", "治安", "", 0, ""],
    ];
    const { sent, received } = roundTrip(chunks);
    expect(received).toEqual(chunks);
    // Coded columns travel as numbers, the others as they are.
    expect(sent[0]).toEqual([0, 1, 1, 0, 2, null]);
    expect(sent[1]).toEqual([2, "free text", 1, null, 3.5, 3]);
    expect(sent[2]).toEqual([0, "澜东分局", 3, 4, 0, 4]);
  });

  it("sends each text once, in the chunk where it first appears", () => {
    const encoder = new ValueEncoder(1, [0]);
    expect(encoder.encode(["a", "b", "a"])).toEqual(["a", "b"]);
    expect(encoder.encode(["b", "c"])).toEqual(["c"]);
    expect(encoder.encode(["a"])).toEqual([]);
  });

  it("stops coding new texts at the cap and sends them as they are", () => {
    const encoder = new ValueEncoder(1, [0]);
    const decoder = new ValueDecoder(1, [0]);
    const texts = Array.from({ length: MAX_CODES + 10 }, (_, i) => `t${i}`);
    const values: Value[] = [...texts, "t0", `t${MAX_CODES + 5}`];
    const added = encoder.encode(values);
    expect(added).toHaveLength(MAX_CODES);
    expect(values[MAX_CODES - 1]).toBe(MAX_CODES - 1);
    expect(values[MAX_CODES]).toBe(`t${MAX_CODES}`);
    expect(values.at(-2)).toBe(0);
    expect(decoder.decode(values, added)).toEqual([...texts, "t0", `t${MAX_CODES + 5}`]);
  });
});
