import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { asUnitCode, CATEGORIES } from "../../domain/index.ts";
import { columnsFromIncidents } from "./columns.ts";
import { periodIndicators, periodIndicatorsFromRollups } from "./indicators.ts";
import {
  type DayRollup,
  RESPONSE_BIN_EDGES_S,
  RESPONSE_BINS,
  ROLLUP_LEVELS,
  ROLLUP_NUMBERS,
  RollupAccumulator,
  type RollupIncident,
  responseBin,
  rollupIncidents,
} from "./rollups.ts";
import { binWidthAt, comparable, incidentOf, incidentsArbitrary } from "./rollups-testing.ts";

describe("rollups", () => {
  test.each([
    [0, 0],
    [30_000, 0],
    [30_001, 1],
    [60_000, 1],
    [180_000, 4],
    [300_000, 6],
    [600_000, 9],
    [7_200_000, 16],
    [7_200_001, 17],
  ])("an interval of %i ms falls in bin %i (edges inclusive: within N minutes is <= N)", (ms, bin) => {
    expect(responseBin(ms)).toBe(bin);
  });

  test("bins are the 18 columns of migration 0016 and hold every threshold edge", () => {
    expect(RESPONSE_BINS).toBe(18);
    for (const minutes of [1, 3, 5, 10]) expect(RESPONSE_BIN_EDGES_S).toContain(minutes * 60);
  });

  test("rolling up two halves and merging equals rolling up the whole", () => {
    fc.assert(
      fc.property(incidentsArbitrary(), fc.nat(), (rows, cut) => {
        const list = rows.map((r) => incidentOf(r));
        const k = list.length === 0 ? 0 : cut % (list.length + 1);
        const merged = new RollupAccumulator()
          .merge(rollupIncidents(list.slice(0, k)))
          .merge(rollupIncidents(list.slice(k)))
          .rows();
        expect(merged).toEqual(rollupIncidents(list));
      }),
      { seed: 5, numRuns: 50 },
    );
  });

  test("equals a plain per-incident count at every level, in key order, whole or in chunks", () => {
    // Units drawn independently, so one area appears under several stations and branches, and
    // any level may be missing; the reference counts each incident into four plain objects.
    // A name of 13 characters or more is kept as a copy of its own (rollups.ts `own`).
    const unit = (prefix: string) =>
      fc.option(
        fc.constantFrom(
          `${prefix}1`,
          `${prefix}2`,
          `${prefix}3`,
          `${prefix}澜江市公安局澜东分局望江门派出所`,
        ),
        {
          nil: null,
        },
      );
    const incident = fc.record({
      at: fc.integer({ min: Date.UTC(2023, 11, 28), max: Date.UTC(2024, 0, 4) }),
      offset: fc.constantFrom(480, -300, 0),
      city: unit("C"),
      branch: unit("B"),
      station: unit("S"),
      area: unit("A"),
      category: fc.constantFrom(...CATEGORIES, "not-a-code"),
      accept: fc.option(fc.integer({ min: 0, max: 60_000 }), { nil: null }),
      dispatch: fc.option(fc.integer({ min: -90_000, max: 9_000_000 }), { nil: null }),
      travel: fc.option(fc.integer({ min: -90_000, max: 9_000_000 }), { nil: null }),
    });
    fc.assert(
      fc.property(fc.array(incident, { maxLength: 300 }), fc.integer({ min: 1, max: 40 }), (list, size) => {
        const rows = list.map((r) => {
          const start = r.at + (r.accept ?? 0);
          const dispatchedAt = r.dispatch === null ? null : start + r.dispatch;
          return {
            receivedAt: r.at,
            acceptedAt: r.accept === null ? null : start,
            dispatchedAt,
            arrivedAt: dispatchedAt === null || r.travel === null ? null : dispatchedAt + r.travel,
            utcOffsetMin: r.offset,
            category: r.category,
            cityUnit: r.city,
            branchUnit: r.branch,
            stationUnit: r.station,
            areaUnit: r.area,
          };
        });
        const expected = referenceRollups(rows);
        const acc = new RollupAccumulator().addAll(rows);
        expect(acc.rows()).toEqual(expected);
        expect([...acc.chunks(size)].flat()).toEqual(expected);
        expect([...acc.chunks(size)].every((c) => c.length > 0 && c.length <= size)).toBe(true);
        expect(acc.rowCount).toBe(expected.length);
        expect(acc.size).toBe(rows.length);
      }),
      { seed: 11, numRuns: 200 },
    );
  });

  test("blocks hold the rows of chunks, keys and numbers in column order; skipZero drops emptied rows", () => {
    const flat = (rows: readonly DayRollup[]) => ({
      keys: rows.flatMap((r) => [r.level, r.unit, r.station, r.day]),
      numbers: rows.flatMap((r) => [
        r.incidents,
        ...r.categories,
        ...[0, 1, 2].flatMap((k) => [
          r.negative[k]!,
          r.sumMs[k]!,
          ...r.bins.slice(k * RESPONSE_BINS, (k + 1) * RESPONSE_BINS),
        ]),
      ]),
    });
    const negated = (r: DayRollup): DayRollup => ({
      ...r,
      incidents: -r.incidents,
      categories: r.categories.map((x) => -x),
      negative: r.negative.map((x) => -x),
      sumMs: r.sumMs.map((x) => -x),
      bins: r.bins.map((x) => -x),
    });
    const joined = (acc: RollupAccumulator, size: number, skipZero: boolean) => {
      const blocks = [...acc.blocks(size, skipZero)];
      expect(blocks.every((b) => b.rows > 0 && b.rows <= size)).toBe(true);
      expect(
        blocks.every((b) => b.keys.length === 4 * b.rows && b.numbers.length === ROLLUP_NUMBERS * b.rows),
      ).toBe(true);
      return { keys: blocks.flatMap((b) => b.keys), numbers: blocks.flatMap((b) => [...b.numbers]) };
    };
    fc.assert(
      fc.property(incidentsArbitrary(), fc.nat(), fc.integer({ min: 1, max: 30 }), (rows, cut, size) => {
        const list = rows.map((r) => incidentOf(r));
        const acc = new RollupAccumulator().addAll(list);
        expect(joined(acc, size, false)).toEqual(flat(acc.rows()));
        // Take a part away again: rows of only that part are left all zero.
        const k = list.length === 0 ? 0 : cut % (list.length + 1);
        const taken = acc.merge(rollupIncidents(list.slice(0, k)).map(negated));
        const all = taken.rows();
        expect(joined(taken, size, false)).toEqual(flat(all));
        const kept = all.filter((r) => flat([r]).numbers.some((x) => x !== 0));
        expect(joined(taken, size, true)).toEqual(flat(kept));
        expect(kept).toEqual(rollupIncidents(list.slice(k)));
      }),
      { seed: 17, numRuns: 100 },
    );
  });

  test("a row past 255 incidents (a byte's worth) counts on, merged or not", () => {
    const rows = Array.from({ length: 1_300 }, (_, i) =>
      incidentOf({
        at: Date.UTC(2024, 4, 10 + (i % 2), 3),
        offset: 480,
        station: i % 3 === 0 ? "S1" : "S2",
        category: i % 5 === 0 ? "dispute" : "traffic",
        accept: 1_000,
        dispatch: (i % 7) * 50_000 - 60_000,
        travel: (i % 11) * 100_000,
      }),
    );
    const expected = referenceRollups(rows);
    expect(Math.max(...expected.map((r) => r.incidents))).toBe(433);
    expect(expected.some((r) => r.categories.some((c) => c > 255))).toBe(true);
    expect(new RollupAccumulator().addAll(rows).rows()).toEqual(expected);
    const half = new RollupAccumulator().addAll(rows.slice(0, 400));
    expect(half.merge(rollupIncidents(rows.slice(400))).rows()).toEqual(expected);
    expect(half.addAll([]).rows()).toEqual(expected);
  });

  test("each incident counts once per level, with its intervals binned once per kind", () => {
    const x = incidentOf({
      at: Date.UTC(2024, 4, 10, 3),
      offset: 480,
      station: "S1",
      category: "dispute",
      accept: 10_000,
      dispatch: 50_000,
      travel: 200_000,
    });
    const r = rollupIncidents([x]);
    expect(
      r.map((c) => [c.level, c.unit, c.station, c.incidents, c.categories[CATEGORIES.indexOf("dispute")]]),
    ).toEqual([
      ["area", "S1-A", "S1", 1, 1],
      ["branch", "B1", "S1", 1, 1],
      ["city", "C", "S1", 1, 1],
      ["station", "S1", "S1", 1, 1],
    ]);
    const station = r.find((c) => c.level === "station")!;
    expect(station.sumMs).toEqual([50_000, 200_000, 250_000]);
    expect(station.bins[responseBin(50_000)]).toBe(1);
    expect(station.bins[RESPONSE_BINS + responseBin(200_000)]).toBe(1);
    expect(station.bins[2 * RESPONSE_BINS + responseBin(250_000)]).toBe(1);
  });
});

describe("periodIndicatorsFromRollups", () => {
  test("equals the column formulation (medians within their bin), at every level, with suburban stations", () => {
    fc.assert(
      fc.property(
        incidentsArbitrary(80),
        fc.constantFrom(["month", "2024-05"] as const, ["week", "2024-W19"] as const),
        fc.constantFrom("city" as const, "branch" as const, "station" as const, "area" as const),
        fc.boolean(),
        (rows, [period, label], level, oneUnit) => {
          const list = rows.map((r) => incidentOf(r));
          const suburban = new Set(["S3"]);
          const cols = columnsFromIncidents(list, level);
          const flagged = {
            ...cols,
            suburban: Uint8Array.from(list, (x) => (suburban.has(x.stationUnit ?? "") ? 1 : 0)),
          };
          const unit = oneUnit ? { unit: level === "station" ? "S1" : level === "branch" ? "B1" : "C" } : {};
          const fromColumns = periodIndicators(flagged, { period, label, ...unit });
          const fromRollups = periodIndicatorsFromRollups(rollupIncidents(list), {
            period,
            label,
            suburbanStations: suburban,
            level,
            ...unit,
          });
          expect(comparable(fromRollups)).toEqual(comparable(fromColumns));
          const pairs = [[fromRollups.all, fromColumns.all] as const].concat(
            fromRollups.units.map((u, i) => [u, fromColumns.units[i]!] as const),
          );
          for (const [r, c] of pairs)
            for (const kind of ["toDispatch", "travel", "toArrival"] as const)
              for (const q of ["medianMinutes", "p90Minutes"] as const) {
                const a = r.response[kind][q];
                const b = c.response[kind][q];
                expect(a === null).toBe(b === null);
                if (a !== null && b !== null)
                  expect(Math.abs(a - b)).toBeLessThanOrEqual(binWidthAt(Math.max(a, b, 12)) + 1e-9);
              }
        },
      ),
      { seed: 17, numRuns: 120 },
    );
  });

  test("a threshold that is not a bin edge is refused", () => {
    expect(() =>
      periodIndicatorsFromRollups(rollupIncidents([]), {
        period: "month",
        label: "2024-05",
        response: { withinMinutes: [2.5] },
      }),
    ).toThrow(RangeError);
  });

  test("cases, repeats and quality from the store's tables fill their columns", () => {
    const x = incidentOf({
      at: Date.UTC(2024, 4, 10, 3),
      offset: 480,
      station: "S1",
      category: "dispute",
      accept: null,
      dispatch: null,
      travel: null,
    });
    const report = periodIndicatorsFromRollups(
      rollupIncidents([x, { ...x, stationUnit: asUnitCode("S2") }]),
      {
        period: "month",
        label: "2024-05",
        extras: {
          repeats: new Map([["S1", 1]]),
          quality: new Map([
            ["S1", { sum: 80, n: 1 }],
            ["S2", { sum: 60, n: 1 }],
          ]),
          cases: {
            byUnit: new Map([["S1", { cases: 4, resolved: 3, closedEffective: 1, closedIneffective: 1 }]]),
            all: { cases: 5, resolved: 3, closedEffective: 1, closedIneffective: 1 },
          },
        },
      },
    );
    const s1 = report.units.find((u) => u.unit === "S1")!;
    const s2 = report.units.find((u) => u.unit === "S2")!;
    expect([s1.repeatRate, s1.quality, s1.caseResolutionRate, s1.verifiedEffectiveRate]).toEqual([
      1, 80, 0.75, 0.5,
    ]);
    expect([s2.repeatRate, s2.quality, s2.caseResolutionRate, s2.verifiedEffectiveRate]).toEqual([
      0,
      60,
      null,
      null,
    ]);
    expect([report.all.repeatRate, report.all.quality, report.all.caseResolutionRate]).toEqual([
      0.5, 70, 0.6,
    ]);
  });
});

/** Rollups counted the plain way: four objects per incident, merged by key, sorted. */
function referenceRollups(rows: readonly RollupIncident[]): DayRollup[] {
  const byKey = new Map<
    string,
    DayRollup & {
      categories: number[];
      negative: number[];
      sumMs: number[];
      bins: number[];
      incidents: number;
    }
  >();
  for (const x of rows) {
    const day = Math.floor((x.receivedAt + x.utcOffsetMin * 60_000) / 86_400_000);
    const station = x.stationUnit ?? "";
    const units = [x.cityUnit ?? "", x.branchUnit ?? "", station, x.areaUnit ?? ""];
    const start = x.acceptedAt ?? x.receivedAt;
    const intervals = [
      x.dispatchedAt === null ? null : x.dispatchedAt - start,
      x.arrivedAt === null || x.dispatchedAt === null ? null : x.arrivedAt - x.dispatchedAt,
      x.arrivedAt === null ? null : x.arrivedAt - start,
    ];
    ROLLUP_LEVELS.forEach((level, l) => {
      const key = JSON.stringify([level, units[l], station, day]);
      let r = byKey.get(key);
      if (!r) {
        r = {
          level,
          unit: units[l]!,
          station,
          day,
          incidents: 0,
          categories: CATEGORIES.map(() => 0),
          negative: [0, 0, 0],
          sumMs: [0, 0, 0],
          bins: new Array<number>(3 * RESPONSE_BINS).fill(0),
        };
        byKey.set(key, r);
      }
      r.incidents++;
      const c = CATEGORIES.indexOf(x.category as (typeof CATEGORIES)[number]);
      r.categories[c < 0 ? CATEGORIES.indexOf("other") : c]!++;
      intervals.forEach((ms, k) => {
        if (ms === null) return;
        if (ms < 0) r.negative[k]!++;
        else {
          r.sumMs[k]! += ms;
          r.bins[k * RESPONSE_BINS + responseBin(ms)]!++;
        }
      });
    });
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...byKey.values()].sort(
    (a, b) => cmp(a.level, b.level) || a.day - b.day || cmp(a.unit, b.unit) || cmp(a.station, b.station),
  );
}
