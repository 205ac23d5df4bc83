import { describe, expect, test } from "vitest";
import { flatCalls, makeIncident } from "../../test/builders.ts";
import type { Incident } from "../domain/index.ts";
import { ColumnsBuilder, FILL_CHUNK, newDictionaries, nextCapacity, reservedCapacity } from "./columns.ts";
import { RepeatIndex } from "./engine.ts";

/**
 * Growth of the engine's columns (docs/repeat.md "Growth"): a batch reserves headroom, live calls
 * fill it without copying a column, and the index they give is the index a batch run gives.
 */

const T0 = Date.UTC(2024, 0, 1);

/** `count` calls in time order at a few hundred flats, some of them duplicates minutes apart. */
const calls = (count: number, seed: number): Incident[] =>
  flatCalls({ count, seed, start: T0, maxGapMinutes: 90, flats: 400, callers: 300, prefix: `g${seed}` });

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

  test("a live call that gives a repeat report its real code takes the event out of its old group's series", () => {
    const at = (day: number, minute = 0) => T0 + day * 86_400_000 + minute * 60_000;
    const place = { building: "B:阳光小区/3", room: "R:阳光小区/3/2/501" };
    const report = (day: number) =>
      makeIncident({
        receivedAt: at(day) as Incident["receivedAt"],
        category: "invalid",
        subtype: "repeat_report",
        location: place,
      });
    const batch = [report(1), report(5), report(10)];
    const noise = makeIncident({
      receivedAt: at(10, 20) as Incident["receivedAt"],
      category: "public_order",
      subtype: "noise",
      location: place,
    });
    const before = RepeatIndex.build(batch);
    expect(before.allSeries().map((s) => s.group)).toEqual(["invalid"]);
    const live = RepeatIndex.build(batch);
    live.add([noise]);
    expect(live.duplicateGroups()).toHaveLength(1);
    expect(view(live)).toEqual(view(RepeatIndex.build([...batch, noise])));
    expect(live.allSeries().some((s) => s.group === "invalid")).toBe(false);
  });

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
