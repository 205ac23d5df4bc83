import { describe, expect, test } from "vitest";
import { makeIncident } from "../../test/builders.ts";
import { asPseudonym, type Incident, seededRandom } from "../domain/index.ts";
import { ColumnsBuilder, FILL_CHUNK, newDictionaries, nextCapacity, reservedCapacity } from "./columns.ts";
import { RepeatIndex } from "./engine.ts";

/**
 * Growth of the engine's columns (docs/repeat.md "Growth"): a batch reserves headroom, live calls
 * fill it without copying a column, and the index they give is the index a batch run gives.
 */

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);
const CODES = [
  ["public_order", "noise"],
  ["dispute", "neighbour"],
  ["dispute", "family"],
  ["criminal", "theft"],
  ["traffic", "accident"],
] as const;

/** `count` calls in time order at a few hundred flats, some of them duplicates minutes apart. */
function calls(count: number, seed: number): Incident[] {
  const rng = seededRandom(seed);
  const out: Incident[] = [];
  let t = T0;
  for (let k = 0; k < count; k++) {
    t += Math.floor(rng.next() * 90) * MIN;
    const room = Math.floor(400 * rng.next() ** 2);
    const [category, subtype] = CODES[Math.floor(rng.next() * CODES.length)]!;
    out.push(
      makeIncident({
        sourceId: `g${seed}-${k}`,
        receivedAt: t as Incident["receivedAt"],
        category,
        subtype,
        address: null,
        narrative: category === "dispute" ? "楼上邻居半夜吵闹多次协商未果" : null,
        callerPseudonym: rng.next() < 0.6 ? asPseudonym(`p${Math.floor(300 * rng.next() ** 2)}`) : null,
        location: {
          poi: `P${room >> 6}`,
          building: `P${room >> 6}/b${room >> 3}`,
          unit: `P${room >> 6}/b${room >> 3}/u${room >> 2}`,
          room: `P${room >> 6}/b${room >> 3}/u${room >> 2}/r${room}`,
        },
      }),
    );
  }
  return out;
}

/** What must not depend on how the calls arrived: every series' calls, and the duplicate groups. */
function view(index: RepeatIndex): { series: string[]; duplicates: string[][] } {
  return {
    series: index
      .allSeries()
      .map((s) => `${s.kind}:${s.group}:${index.sourceIdsOf(s).join(",")}`)
      .sort(),
    duplicates: index.duplicateGroups(),
  };
}

describe("capacity", () => {
  test("a batch reserves as many calls again, at least a million", () => {
    expect(reservedCapacity(10_000_000)).toBe(20_000_000);
    expect(reservedCapacity(1000)).toBe(1000 + (1 << 20));
  });

  test("past the reservation a column doubles while small, then reserves as a batch does", () => {
    expect(nextCapacity(1024, 1025)).toBe(2048);
    expect(nextCapacity(20_000_000, 20_000_001)).toBe(40_000_002);
  });

  test("columns keep every call when they are moved into a larger buffer", () => {
    const builder = new ColumnsBuilder(newDictionaries(), undefined, 16);
    const input = calls(100, 3);
    for (const c of input) builder.push(c);
    expect(builder.capacity).toBeGreaterThanOrEqual(100);
    const columns = builder.columns();
    expect(Array.from(columns.at)).toEqual(input.map((c) => c.receivedAt));
    expect(columns.sourceId).toEqual(input.map((c) => c.sourceId));
    const rooms = columns.keys[3]!;
    expect(new Set(rooms).size).toBe(new Set(input.map((c) => c.location.room)).size);
  });
});

describe("live calls after a batch", () => {
  test("calls added one by one after a batch give the series and duplicates of a batch over all of them", () => {
    const all = calls(3000, 7);
    const split = 1000;
    const live = RepeatIndex.build(all.slice(0, split));
    for (const c of all.slice(split)) live.add([c]);
    expect(view(live)).toEqual(view(RepeatIndex.build(all)));
  });

  test("more live calls than a chunk of written defaults (65,536) still give the batch's series", () => {
    const all = calls(FILL_CHUNK + 5000, 9);
    const split = 2000;
    const live = RepeatIndex.build(all.slice(0, split));
    // Added in pieces of 500, as an import is fed to the index.
    for (let k = split; k < all.length; k += 500) live.add(all.slice(k, k + 500));
    expect(live.calls.length).toBe(all.length);
    expect(view(live)).toEqual(view(RepeatIndex.build(all)));
  }, 60_000);

  test("an index built empty grows past its first capacities by copying and still equals the batch", () => {
    const all = calls(5000, 13);
    const live = RepeatIndex.empty();
    for (let k = 0; k < all.length; k += 7) live.add(all.slice(k, k + 7));
    expect(view(live)).toEqual(view(RepeatIndex.build(all)));
  });
});

describe("a batch built in steps", () => {
  test("yields at least once per 65,536 calls and gives exactly the index fromColumns gives", () => {
    const all = calls(70_000, 21);
    const builder = new ColumnsBuilder(newDictionaries());
    for (const c of all) builder.push(c);
    const steps = RepeatIndex.fromColumnsInSteps(builder.columns(), {}, builder);
    let yields = 0;
    let step = steps.next();
    for (; !step.done; step = steps.next()) yields++;
    expect(yields).toBeGreaterThanOrEqual(2);
    expect(view(step.value)).toEqual(view(RepeatIndex.build(all)));
  }, 60_000);
});
