import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { DEFAULT_DEFINITIONS, groupOf, windowSeries } from "./definitions.ts";

const DAY = 86_400_000;
const at = (days: number, key = "a", item = days) => ({ at: days * DAY, key, item });

describe("windowSeries", () => {
  test("three events within 30 days at one key are one series", () => {
    expect(windowSeries([at(0), at(10), at(29)], 3, 30)).toEqual([[0, 10, 29]]);
  });

  test("three events spread over more than the window are no series", () => {
    expect(windowSeries([at(0), at(20), at(40)], 3, 30)).toEqual([]);
  });

  test("a long run of dense events stays one series, a gap longer than the window splits it", () => {
    const days = [0, 5, 10, 15, 20, 25, 100, 101, 102];
    expect(
      windowSeries(
        days.map((d) => at(d)),
        3,
        30,
      ),
    ).toEqual([
      [0, 5, 10, 15, 20, 25],
      [100, 101, 102],
    ]);
  });

  test("events at different keys never form one series", () => {
    expect(windowSeries([at(0, "a"), at(1, "b"), at(2, "a"), at(3, "b")], 3, 30)).toEqual([]);
  });

  test("series never overlap, each has at least k events and keeps one key", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ day: fc.integer({ min: 0, max: 365 }), key: fc.constantFrom("a", "b", "c") }), {
          maxLength: 200,
        }),
        fc.integer({ min: 2, max: 5 }),
        (rows, k) => {
          const events = rows.map((r, i) => ({ at: r.day * DAY, key: r.key, item: i }));
          const series = windowSeries(events, k, 30);
          const seen = new Set<number>();
          for (const s of series) {
            expect(s.length).toBeGreaterThanOrEqual(k);
            expect(new Set(s.map((i) => rows[i]!.key)).size).toBe(1);
            for (const i of s) {
              expect(seen.has(i)).toBe(false);
              seen.add(i);
            }
          }
        },
      ),
      { seed: 42 },
    );
  });
});

describe("groupOf", () => {
  test.each([
    ["public_order", "noise", "noise"],
    ["public_order", "gambling", "disorder"],
    ["dispute", "family", "domestic"],
    ["criminal", "domestic_violence", "domestic"],
    ["complaint", "police", "complaint"],
    ["traffic", "accident", undefined],
  ] as const)("%s.%s belongs to group %s", (category, subtype, name) => {
    expect(groupOf(DEFAULT_DEFINITIONS, category, subtype)?.name).toBe(name);
  });
});
