import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { IntTable } from "./int-table.ts";

describe("IntTable", () => {
  test("answers like a Map for any keys below 2^53, through growth", () => {
    const key = fc.oneof(
      fc.integer({ min: 0, max: 2_000 }),
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(key, fc.integer({ min: 0, max: 2 ** 31 - 1 })), { maxLength: 3_000 }),
        (writes) => {
          const table = new IntTable();
          const map = new Map<number, number>();
          for (const [k, v] of writes) {
            table.set(k, v);
            map.set(k, v);
          }
          expect(table.size).toBe(map.size);
          for (const [k, v] of map) expect(table.get(k)).toBe(v);
          // Keys that differ only above bit 32 stay apart.
          for (const [k] of writes) if (!map.has(k + 2 ** 32)) expect(table.get(k + 2 ** 32)).toBe(-1);
        },
      ),
      { seed: 11, numRuns: 60 },
    );
  });

  test("add counts from zero at a new key and adds to an existing one", () => {
    const table = new IntTable();
    const map = new Map<number, number>();
    for (let k = 0; k < 5_000; k++) {
      const key = (k * 7_919) % 1_013;
      table.add(key, k % 3);
      map.set(key, (map.get(key) ?? 0) + (k % 3));
    }
    for (const [key, value] of map) expect(table.get(key)).toBe(value);
    expect(table.size).toBe(map.size);
  });

  test("an absent key reads -1, a presized table grows past its estimate", () => {
    const table = new IntTable(4);
    expect(table.get(7)).toBe(-1);
    for (let k = 0; k < 50_000; k++) table.set(k * 7919, k);
    expect(table.size).toBe(50_000);
    expect(table.get(49_999 * 7919)).toBe(49_999);
    expect(table.get(3)).toBe(-1);
  });
});
