import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Papa from "papaparse";
import { describe, expect, test } from "vitest";
import { clockChain, clockMs, type ResponseColumns, responseTimes } from "./response.ts";

const T0 = Date.UTC(2024, 4, 1, 2, 0, 0);
const min = (m: number) => T0 + m * 60_000;

function columns(rows: readonly (readonly (number | null)[])[], suburban?: number[]): ResponseColumns {
  const col = (k: number) => Float64Array.from(rows, (r) => r[k] ?? Number.NaN);
  return {
    receivedAt: col(0),
    acceptedAt: col(1),
    dispatchedAt: col(2),
    arrivedAt: col(3),
    ...(suburban ? { suburban: Uint8Array.from(suburban) } : {}),
  };
}

describe("responseTimes", () => {
  test("dispatch within 1 minute counts exactly 60 seconds and starts at the accept time", () => {
    const r = responseTimes(
      columns([
        [min(0), min(0.5), min(1.5), min(5.5)], // accepted +0.5, dispatched 1 min after, arrived at 5 min exactly
        [min(0), null, min(2), min(9)], // no accept time: starts at received
        [min(0), min(1), min(5), null], // not arrived
        [min(0), min(1), null, null], // not dispatched
      ]),
    );
    expect(r.toDispatch.n).toBe(3);
    expect(r.toDispatch.missing).toBe(1);
    expect(r.toDispatch.within).toEqual({ 1: 1 / 3, 3: 2 / 3, 5: 1 });
    expect(r.toDispatch.medianMinutes).toBe(2);
    expect(r.travel.n).toBe(2);
    expect(r.toArrival.within[5]).toBe(0.5);
    expect(r.urbanArrival).toEqual({ n: 2, onTime: 1, share: 0.5, limitMinutes: 5 });
  });

  test("suburban incidents are held to 10 minutes, urban ones to 5", () => {
    const r = responseTimes(
      columns(
        [
          [min(0), null, min(1), min(8)],
          [min(0), null, min(1), min(8)],
          [min(0), null, min(1), min(12)],
        ],
        [0, 1, 1],
      ),
    );
    expect(r.urbanArrival.share).toBe(0);
    expect(r.suburbanArrival).toEqual({ n: 2, onTime: 1, share: 0.5, limitMinutes: 10 });
  });

  test("an arrival recorded before the dispatch is a data error, not a fast response", () => {
    const r = responseTimes(columns([[min(0), null, min(5), min(3)]]));
    expect(r.travel).toMatchObject({ n: 0, negative: 1, medianMinutes: null });
    expect(r.travel.within[1]).toBeNull();
  });

  test("statistics can be restricted to a subset (a unit, a month)", () => {
    const c = columns([
      [min(0), null, min(1), min(2)],
      [min(0), null, min(9), min(20)],
    ]);
    expect(responseTimes(c, {}, [1]).toDispatch.medianMinutes).toBe(9);
  });
});

describe("clockChain", () => {
  test.each([
    [
      ["23:58", "00:03", "00:10"],
      [23 * 60 + 58, 24 * 60 + 3, 24 * 60 + 10],
    ],
    [
      ["07:08", null, "07:23"],
      [7 * 60 + 8, Number.NaN, 7 * 60 + 23],
    ],
    [
      ["10:00", "09:58", "10:05"],
      [600, 598, 605],
    ], // a small step back stays negative
    [
      ["22:00", "23:30", "01:00"],
      [1320, 1410, 1500],
    ],
  ])("%j becomes minutes %j after midnight of the call's day", (clocks, minutes) => {
    expect(Array.from(clockChain(0, clocks), (v) => v / 60_000)).toEqual(minutes);
  });

  test.each(["24:00", "7:60", "", "abc"])("%j is not a clock time", (text) => {
    expect(clockMs(text)).toBeNaN();
  });
});

// Real data: San Luis Obispo PD daily log, clock-only times that cross midnight.
const FILE = join(
  import.meta.dirname,
  "..",
  "..",
  "..",
  "..",
  "shared",
  "data",
  "cfs",
  "san-luis-obispo-2021-22.csv",
);

test.skipIf(!existsSync(FILE))(
  "San Luis Obispo: the figures equal an independent minute-of-day computation (skipped without ../shared/data)",
  () => {
    const rows = Papa.parse<Record<string, string>>(readFileSync(FILE, "utf8"), {
      header: true,
      skipEmptyLines: true,
    }).data;
    expect(rows.length).toBe(20_076);

    // System under test: clock chain to instants, then responseTimes.
    const n = rows.length;
    const cols = {
      receivedAt: new Float64Array(n),
      acceptedAt: new Float64Array(n).fill(Number.NaN),
      dispatchedAt: new Float64Array(n),
      arrivedAt: new Float64Array(n),
    };
    rows.forEach((row, i) => {
      const [mm, dd, yy] = (row.date ?? "").split("/").map(Number);
      const chain = clockChain(Date.UTC(2000 + yy!, mm! - 1, dd!), [
        row.received ?? "",
        row.dispatched ?? "",
        row.arrived ?? "",
      ]);
      cols.receivedAt[i] = chain[0]!;
      cols.dispatchedAt[i] = chain[1]!;
      cols.arrivedAt[i] = chain[2]!;
    });
    const ours = responseTimes(cols);

    // Independent: integer minutes of the day, a step back of more than 720 minutes wraps past midnight.
    const toMinutes = (s: string | undefined) => {
      const m = /^(\d\d):(\d\d)$/.exec(s ?? "");
      return m ? Number(m[1]) * 60 + Number(m[2]) : null;
    };
    const step = (a: number, b: number) => (b - a < -720 ? b - a + 1440 : b - a);
    const dispatch: number[] = [];
    const travel: number[] = [];
    const arrival: number[] = [];
    let negatives = 0;
    for (const row of rows) {
      const r = toMinutes(row.received);
      const d = toMinutes(row.dispatched);
      const a = toMinutes(row.arrived);
      if (r !== null && d !== null) {
        const v = step(r, d);
        if (v >= 0) dispatch.push(v);
        else negatives++;
      }
      if (d !== null && a !== null) travel.push(step(d, a));
      if (r !== null && a !== null) arrival.push(d !== null ? step(r, d) + step(d, a) : step(r, a));
    }
    const share = (list: number[], limit: number) => list.filter((v) => v <= limit).length / list.length;
    const median = (list: number[]) => {
      const s = [...list].sort((x, y) => x - y);
      return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
    };
    const valid = (list: number[]) => list.filter((v) => v >= 0);

    expect(ours.toDispatch.n).toBe(dispatch.length);
    expect(ours.toDispatch.negative).toBe(negatives);
    for (const limit of [1, 3, 5]) {
      expect(ours.toDispatch.within[limit]).toBeCloseTo(share(dispatch, limit), 12);
      expect(ours.travel.within[limit]).toBeCloseTo(share(valid(travel), limit), 12);
      expect(ours.toArrival.within[limit]).toBeCloseTo(share(valid(arrival), limit), 12);
    }
    expect(ours.toDispatch.medianMinutes).toBe(median(dispatch));
    expect(ours.travel.medianMinutes).toBe(median(valid(travel)));
    expect(ours.urbanArrival.n).toBe(valid(arrival).length);
    expect(ours.urbanArrival.share).toBeCloseTo(share(valid(arrival), 5), 12);
    // The file really has calls across midnight, so the wrap is exercised.
    expect(
      rows.some((row) => (toMinutes(row.dispatched) ?? 1e9) < (toMinutes(row.received) ?? -1) - 720),
    ).toBe(true);
  },
);
