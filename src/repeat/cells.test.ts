import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { CellHeads, denseCells } from "./cells.ts";

describe("CellHeads", () => {
  test("a covered grid and the table outside it keep the same chains as a Map", () => {
    const cell = fc.tuple(fc.integer({ min: -40, max: 40 }), fc.integer({ min: -40, max: 40 }));
    fc.assert(
      fc.property(fc.array(cell, { maxLength: 400 }), fc.boolean(), (cells, covered) => {
        const heads = new CellHeads();
        if (covered) heads.cover(-10, -5, 10, 20);
        const map = new Map<string, number>();
        cells.forEach(([cx, cy], e) => {
          const key = `${cx},${cy}`;
          expect(heads.push(cx, cy, e)).toBe(map.get(key) ?? -1);
          map.set(key, e);
        });
        expect(heads.size).toBe(map.size);
        for (const [key, e] of map) {
          const [cx, cy] = key.split(",").map(Number) as [number, number];
          expect(heads.get(cx, cy)).toBe(e);
        }
        expect(heads.get(1_000, 1_000)).toBe(-1);
      }),
      { seed: 5, numRuns: 80 },
    );
  });

  test("the grid covers where most calls are, not a far outlier", () => {
    const cells: [number, number][] = [];
    for (let i = 0; i < 10_000; i++) cells.push([100 + (i % 50), 200 + Math.floor(i / 200)]);
    cells[17] = [0, 0];
    const box = denseCells(cells.length, (i, out) => {
      out[0] = cells[i]![0];
      out[1] = cells[i]![1];
      return true;
    });
    expect(box).toEqual([98, 198, 151, 251]);
    expect(denseCells(10, () => false)).toBeNull();
  });
});
