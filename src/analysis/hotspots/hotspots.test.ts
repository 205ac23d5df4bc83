import { cellToLatLng, gridDisk, latLngToCell } from "h3-js";
import { describe, expect, test } from "vitest";
import { benjaminiHochberg, cellCounts, densityGrid, giStar, hotspotChange, normalCdf } from "./hotspots.ts";

const CENTRE = latLngToCell(31.23, 121.47, 9);
const AREA = gridDisk(CENTRE, 5); // 91 cells

/** Counts with a bump around one cell and a low background that varies. */
function bump(peak: string, height: number): Map<string, number> {
  const near = new Set(gridDisk(peak, 1));
  return new Map(AREA.map((c, i) => [c, (near.has(c) ? height : 0) + (i % 3)]));
}

describe("giStar", () => {
  test("a cluster of counts is a hot spot at 99% and the quiet edge is not", () => {
    const result = giStar(bump(CENTRE, 20), { studyArea: AREA });
    const byCell = new Map(result.map((g) => [g.cell, g]));
    expect(byCell.get(CENTRE)!.class).toBe("hot99");
    const edge = gridDisk(CENTRE, 3).filter((c) => !gridDisk(CENTRE, 2).includes(c));
    expect(edge.every((c) => !byCell.get(c)!.class.startsWith("hot"))).toBe(true);
  });

  test("Gi* equals the local sum standardised by its exact mean and variance under random relabelling", () => {
    const counts = bump(CENTRE, 6);
    const result = giStar(counts, { studyArea: AREA, fdr: false });
    const values = AREA.map((c) => counts.get(c) ?? 0);
    const n = values.length;
    // Independent: enumerate every W-subset is too many for W = 7 of 37; use the moments of a
    // sample without replacement computed from pairwise sums instead of the closed formula.
    for (const cell of [CENTRE, AREA[5]!, AREA[36]!]) {
      const neighbours = gridDisk(cell, 1).filter((c) => AREA.includes(c));
      const W = neighbours.length;
      const local = neighbours.reduce((s, c) => s + counts.get(c)!, 0);
      const mean = (W * values.reduce((a, b) => a + b, 0)) / n;
      let second = 0; // E[(sum)^2] = W E[x^2] + W (W - 1) E[x_i x_j], i != j
      let sq = 0;
      let cross = 0;
      for (let i = 0; i < n; i++) {
        sq += values[i]! ** 2;
        for (let j = 0; j < n; j++) if (i !== j) cross += values[i]! * values[j]!;
      }
      second = (W * sq) / n + (W * (W - 1) * cross) / (n * (n - 1));
      const z = (local - mean) / Math.sqrt(second - mean * mean);
      expect(result.find((g) => g.cell === cell)!.z).toBeCloseTo(z, 9);
    }
  });

  test("without a study area the empty ring around incidents counts as zeros", () => {
    const result = giStar(new Map([[CENTRE, 10]]));
    expect(result.length).toBe(19); // the cell, its ring and the ring of the ring
    expect(result.find((g) => g.cell === CENTRE)!.z).toBeGreaterThan(0);
  });

  test("normalCdf matches known quantiles", () => {
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-2.575829)).toBeCloseTo(0.005, 6);
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
  });

  test("Benjamini-Hochberg adjusts p-values by rank and keeps them monotone", () => {
    const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.5]);
    [0.04, 0.04 * (4 / 3), 0.04 * (4 / 3), 0.5].forEach((v, i) => {
      expect(q[i]).toBeCloseTo(v, 12);
    });
  });
});

describe("hotspotChange", () => {
  test("new, intensifying, persistent and diminishing hot spots", () => {
    const ring2 = new Set(gridDisk(CENTRE, 2));
    const east = gridDisk(CENTRE, 3).find((c) => !ring2.has(c))!;
    const before = bump(CENTRE, 20);
    const after = new Map(
      [...bump(CENTRE, 40)].map(([c, v]) => [c, v + (gridDisk(east, 1).includes(c) ? 30 : 0)]),
    );
    const change = hotspotChange(before, after, { studyArea: AREA });
    const trend = new Map(change.map((c) => [c.cell, c.trend]));
    expect(trend.get(CENTRE)).toBe("intensifying");
    expect(trend.get(east)).toBe("new");
    const calmer = hotspotChange(after, before, { studyArea: AREA });
    expect(new Map(calmer.map((c) => [c.cell, c.trend])).get(east)).toBe("diminishing");
    const same = hotspotChange(before, before, { studyArea: AREA });
    expect(same.every((c) => c.trend === "persistent")).toBe(true);
  });
});

describe("cellCounts and densityGrid", () => {
  const [lat0, lon0] = cellToLatLng(CENTRE);
  const lat = Float64Array.from({ length: 200 }, (_, i) => lat0 + ((i % 10) - 5) * 0.0005);
  const lon = Float64Array.from({ length: 200 }, (_, i) => lon0 + (Math.floor(i / 10) % 10) * 0.0005);

  test("points without coordinates are skipped and the rest counted once", () => {
    const counts = cellCounts(Float64Array.from([...lat, Number.NaN]), Float64Array.from([...lon, 121]), 9);
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(200);
  });

  test("the density integrates to the number of points", () => {
    const grid = densityGrid(lat, lon, { cellMeters: 20, bandwidthMeters: 200 });
    const km2 = (20 * 20) / 1e6;
    const total = grid.values.reduce((a, b) => a + b, 0) * km2;
    expect(total).toBeGreaterThan(198);
    expect(total).toBeLessThan(202);
  });
});
