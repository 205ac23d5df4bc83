import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { knoxEventsFromRows } from "./input.ts";
import {
  candidatePairs,
  exactExpectation,
  gridTimes,
  type KnoxBands,
  knoxSummary,
  knoxTest,
  observedCounts,
  simulateTables,
  timeBandProbabilities,
} from "./knox.ts";

const BANDS: KnoxBands = { sbands: [0, 0.1, 200, 400, 600], tbands: [0, 7, 14, 21], distance: "manhattan" };

function events(rows: readonly (readonly [number, number, number])[]) {
  return {
    x: Float64Array.from(rows, (r) => r[0]),
    y: Float64Array.from(rows, (r) => r[1]),
    t: Float64Array.from(rows, (r) => r[2]),
  };
}

/** Independent formulation: every pair, bands found with findLastIndex (as R's cut with right = FALSE). */
function bruteForceObserved(
  e: { x: Float64Array; y: Float64Array; t: Float64Array },
  bands: KnoxBands,
): number[][] {
  const S = bands.sbands.length - 1;
  const T = bands.tbands.length - 1;
  const table = Array.from({ length: S }, () => new Array<number>(T).fill(0));
  const cut = (v: number, breaks: readonly number[]) => {
    const k = breaks.findLastIndex((b) => b <= v);
    return k >= 0 && k < breaks.length - 1 ? k : -1;
  };
  for (let i = 0; i < e.x.length; i++)
    for (let j = 0; j < i; j++) {
      const dx = Math.abs(e.x[i]! - e.x[j]!);
      const dy = Math.abs(e.y[i]! - e.y[j]!);
      const ds = bands.distance === "manhattan" ? dx + dy : Math.hypot(dx, dy);
      const s = cut(ds, bands.sbands);
      const b = cut(Math.abs(e.t[i]! - e.t[j]!), bands.tbands);
      if (s >= 0 && b >= 0) table[s]![b]!++;
    }
  return table;
}

function observedTable(
  e: { x: Float64Array; y: Float64Array; t: Float64Array },
  bands: KnoxBands,
): number[][] {
  const pairs = candidatePairs(e.x, e.y, bands);
  const obs = observedCounts(pairs, gridTimes(pairs, e.t), bands.tbands);
  const T = bands.tbands.length - 1;
  return Array.from({ length: bands.sbands.length - 1 }, (_, s) =>
    Array.from(obs.subarray(s * T, s * T + T)),
  );
}

describe("observed pairs", () => {
  test("bands are left-closed and right-open: 200 m and 7 days fall in the next band", () => {
    const e = events([
      [0, 0, 0],
      [200, 0, 7], // 200 m, 7 days from the first
      [0, 0, 3], // same place, 3 days from the first
      [100, 100, 10], // 200 m Manhattan from the first, 141 m Euclidean
    ]);
    // pairs: (0,1) 200m/7d, (0,2) 0m/3d, (0,3) 200m/10d, (1,2) 200m/4d, (1,3) 200m/3d, (2,3) 200m/7d
    expect(observedTable(e, BANDS)).toEqual([
      [1, 0, 0],
      [0, 0, 0],
      [2, 3, 0],
      [0, 0, 0],
    ]);
    expect(observedTable(e, { ...BANDS, distance: "euclidean" })).toEqual([
      [1, 0, 0],
      [1, 2, 0],
      [1, 1, 0],
      [0, 0, 0],
    ]);
  });

  test("pairs beyond the last break in space or time are not counted", () => {
    const e = events([
      [0, 0, 0],
      [600, 0, 1],
      [0, 0, 21],
    ]);
    expect(
      observedTable(e, BANDS)
        .flat()
        .reduce((a, b) => a + b, 0),
    ).toBe(0);
  });

  test("an open last band (Inf) counts every pair", () => {
    const e = events([
      [0, 0, 0],
      [1e6, 0, 1],
      [0, 5e5, 2],
    ]);
    expect(
      observedTable(e, { sbands: [0, 100, Number.POSITIVE_INFINITY], tbands: [0, 7], distance: "manhattan" }),
    ).toEqual([[0], [3]]);
  });

  test("the grid finds exactly the pairs an all-pairs loop finds", () => {
    const point = fc.tuple(
      fc.integer({ min: 0, max: 40 }).map((v) => v * 25),
      fc.integer({ min: 0, max: 40 }).map((v) => v * 25),
      fc.integer({ min: 0, max: 40 }),
    );
    fc.assert(
      fc.property(
        fc.array(point, { minLength: 2, maxLength: 120 }),
        fc.constantFrom("manhattan", "euclidean"),
        (rows, d) => {
          const e = events(rows);
          const bands = { ...BANDS, distance: d as "manhattan" | "euclidean" };
          expect(observedTable(e, bands)).toEqual(bruteForceObserved(e, bands));
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });
});

describe("permutation null", () => {
  test("the exact expectation equals the average over every permutation of the times", () => {
    const e = events([
      [0, 0, 0],
      [50, 0, 3],
      [0, 150, 3],
      [300, 0, 9],
      [10, 10, 15],
    ]);
    const pairs = candidatePairs(e.x, e.y, BANDS);
    const exact = exactExpectation(pairs, e.t, BANDS.tbands);
    const permutations = (items: number[]): number[][] =>
      items.length <= 1
        ? [items]
        : items.flatMap((v, i) => permutations(items.filter((_, j) => j !== i)).map((p) => [v, ...p]));
    const perms = permutations([0, 1, 2, 3, 4]);
    const sum = new Array<number>(12).fill(0);
    for (const p of perms) {
      const permuted = { ...e, t: Float64Array.from(p, (k) => e.t[k]!) };
      bruteForceObserved(permuted, BANDS)
        .flat()
        .forEach((v, c) => {
          sum[c]! += v;
        });
    }
    Array.from(exact).forEach((v, c) => {
      expect(v).toBeCloseTo(sum[c]! / perms.length, 10);
    });
  });

  test("time band probabilities sum to the share of pairs closer than the last break", () => {
    const t = Float64Array.from([0, 1, 1, 5, 8, 30]);
    const q = timeBandProbabilities(t, [0, 7, 14, 21]);
    // 15 pairs; |dt| < 21: all but the 5 involving 30 except (30,... none) -> 10
    expect(q.reduce((a, b) => a + b, 0)).toBeCloseTo(10 / 15, 12);
  });

  test("the mean of many simulations approaches the exact expectation", () => {
    const rng = (k: number) => ((k * 2654435761) % 1000) / 1000;
    const rows = Array.from(
      { length: 300 },
      (_, k) => [rng(k) * 2000, rng(k + 7919) * 2000, Math.floor(rng(k + 104729) * 120)] as const,
    );
    const e = events(rows);
    const pairs = candidatePairs(e.x, e.y, BANDS);
    const times = gridTimes(pairs, e.t);
    const sims = 2000;
    const summary = knoxSummary(
      BANDS,
      observedCounts(pairs, times, BANDS.tbands),
      simulateTables(pairs, times, BANDS.tbands, 3, 0, sims),
      sims,
    );
    const exact = exactExpectation(pairs, e.t, BANDS.tbands);
    summary.expectedMean.flat().forEach((mean, c) => {
      // Standard error of a mean of counts, bounded by the Poisson-like sd of one count.
      expect(Math.abs(mean - exact[c]!)).toBeLessThan(5 * Math.sqrt(Math.max(exact[c]!, 1) / sims) + 1e-9);
    });
  });

  test("simulations do not depend on how they are split (workers)", () => {
    const e = events(
      Array.from({ length: 80 }, (_, k) => [(k * 37) % 500, (k * 91) % 500, (k * 13) % 40] as const),
    );
    const pairs = candidatePairs(e.x, e.y, BANDS);
    const times = gridTimes(pairs, e.t);
    const whole = simulateTables(pairs, times, BANDS.tbands, 11, 0, 10);
    const split = [
      ...simulateTables(pairs, times, BANDS.tbands, 11, 0, 4),
      ...simulateTables(pairs, times, BANDS.tbands, 11, 4, 10),
    ];
    expect(Array.from(whole)).toEqual(split);
    expect(Array.from(simulateTables(pairs, times, BANDS.tbands, 12, 0, 10))).not.toEqual(Array.from(whole));
  });

  test("p-values are (simulations >= observed + 1) / (simulations + 1)", () => {
    const bands: KnoxBands = { sbands: [0, 10], tbands: [0, 1, 2], distance: "manhattan" };
    const observed = Int32Array.from([5, 0]);
    const tables = Int32Array.from([5, 1, 4, 0, 6, 2, 1, 0]); // 4 simulations of 2 cells
    const summary = knoxSummary(bands, observed, tables, 4);
    expect(summary.pValue).toEqual([[(2 + 1) / 5, (4 + 1) / 5]]);
    expect(summary.expectedMean).toEqual([[4, 0.75]]);
    expect(summary.knoxRatio).toEqual([[5 / 4, 0]]);
    expect(summary.expectedMedian).toEqual([[4.5, 0.5]]);
  });

  test("a cluster in space and time stands out with the smallest p-value", () => {
    const rows: [number, number, number][] = [];
    for (let k = 0; k < 200; k++) rows.push([(k * 7919) % 5000, (k * 104729) % 5000, (k * 31) % 365]);
    for (let k = 0; k < 8; k++) rows.push([2500, 2500, 100 + (k % 3)]); // 8 events, same door, 3 days
    const result = knoxTest(events(rows), { ...BANDS, sims: 99, seed: 5 });
    expect(result.pValue[0]![0]).toBe(0.01);
    expect(result.knoxRatio[0]![0]!).toBeGreaterThan(5);
  });
});

// Reference: the R package NearRepeat's published output (../shared/data/nearrepeat/REFERENCE_RESULTS.md).
const DATA = join(import.meta.dirname, "..", "..", "..", "..", "shared", "data", "nearrepeat");
const hasData = existsSync(join(DATA, "chicago_be_month1.csv"));

function readReference(file: string, header: boolean) {
  const rows = readFileSync(join(DATA, file), "utf8")
    .trim()
    .split("\n")
    .map((line) => line.split(",").map((cell) => cell.replaceAll('"', "")));
  return knoxEventsFromRows(rows, { x: 0, y: 1, t: 2, header });
}

describe("against the NearRepeat package", () => {
  test.skipIf(!hasData)(
    "chicago_be_month1: observed table equal, Knox ratios within Monte Carlo noise (skipped without ../shared/data)",
    () => {
      const read = readReference("chicago_be_month1.csv", false);
      expect(read.events.x.length).toBe(970);
      const sims = 999;
      const pairs = candidatePairs(read.events.x, read.events.y, BANDS);
      const times = gridTimes(pairs, read.events.t);
      const observed = observedCounts(pairs, times, BANDS.tbands);
      const tables = simulateTables(pairs, times, BANDS.tbands, 9489, 0, sims);
      const summary = knoxSummary(BANDS, observed, tables, sims);
      expect(summary.observed).toEqual([
        [28, 5, 5],
        [141, 69, 27],
        [186, 140, 100],
        [237, 192, 128],
      ]);
      const published = [
        [1.8027842, 0.4043552, 0.6128082],
        [1.4121203, 0.8621871, 0.5170609],
        [1.014407, 0.9499294, 1.0511474],
        [0.9754211, 0.9806536, 1.0071754],
      ];
      const cells = 12;
      summary.expectedMean.flat().forEach((mean, c) => {
        let ss = 0;
        for (let k = 0; k < sims; k++) ss += (tables[k * cells + c]! - mean) ** 2;
        const se = Math.sqrt(ss / (sims - 1) / sims);
        const theirs = observed[c]! / published[Math.floor(c / 3)]![c % 3]!;
        // Two independent means of 999 simulations: their difference has sd sqrt(2) * se.
        expect(Math.abs(mean - theirs)).toBeLessThan(4 * Math.SQRT2 * se);
      });
      // Significance agrees wherever the package is clear-cut.
      const publishedP = [
        [0.001, 1.0, 0.943],
        [0.001, 0.929, 1.0],
        [0.435, 0.785, 0.312],
        [0.696, 0.635, 0.479],
      ];
      summary.pValue.flat().forEach((p, c) => {
        expect(p < 0.05).toBe(publishedP[Math.floor(c / 3)]![c % 3]! < 0.05);
      });
    },
  );

  test.skipIf(!hasData)(
    "chicago_be (11,701 events, one without a date): observed table equal (skipped without ../shared/data)",
    () => {
      const read = readReference("chicago_be.csv", true);
      expect(read.skipped).toBe(1);
      expect(read.issues).toEqual([
        expect.objectContaining({ code: "missing_value", row: 2363, field: "date" }),
      ]);
      expect(read.events.x.length).toBe(11_700);
      expect(observedTable(read.events, BANDS)).toEqual([
        [320, 104, 63],
        [1308, 1194, 1063],
        [2451, 2413, 2436],
        [3446, 3548, 3449],
      ]);
      expect(
        observedTable(read.events, {
          ...BANDS,
          sbands: [0, 200, 400, 600, 800, 1000],
          tbands: [0, 7, 14, 21, 28],
        }),
      ).toEqual([
        [1628, 1298, 1126, 1056],
        [2451, 2413, 2436, 2269],
        [3446, 3548, 3449, 3340],
        [4336, 4545, 4201, 4186],
        [4970, 5065, 4985, 5012],
      ]);
    },
  );
});
