import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  civilFromDays,
  comparePeriods,
  countsByPeriod,
  hourWeekHeatmap,
  linearTrend,
  periodKey,
  periodTrends,
  previousPeriods,
  weekday,
} from "./patterns.ts";

const at = (iso: string) => Date.parse(iso);

describe("hourWeekHeatmap", () => {
  test("an exact time puts its whole weight on its local hour and weekday", () => {
    // 2024-05-01 02:00 UTC is Wednesday 10:00 in Beijing (+08:00).
    const map = hourWeekHeatmap(Float64Array.from([at("2024-05-01T02:00:00Z")]), null, 480);
    expect(map[2 * 24 + 10]).toBe(1);
    expect(map.reduce((a, b) => a + b, 0)).toBe(1);
  });

  test("a span from 09:30 to 11:30 is spread a quarter, a half and a quarter (aoristic)", () => {
    const map = hourWeekHeatmap(
      Float64Array.from([at("2024-05-06T09:30:00Z")]), // a Monday
      Float64Array.from([at("2024-05-06T11:30:00Z")]),
      0,
    );
    expect([map[9], map[10], map[11]]).toEqual([0.25, 0.5, 0.25]);
  });

  test("a span across midnight on Sunday continues on Monday", () => {
    const map = hourWeekHeatmap(
      Float64Array.from([at("2024-05-05T23:00:00Z")]),
      Float64Array.from([at("2024-05-06T01:00:00Z")]),
      0,
    );
    expect(map[6 * 24 + 23]).toBe(0.5);
    expect(map[0]).toBe(0.5);
  });

  test("every incident adds a total weight of one, whatever its span", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 2e12 }), fc.integer({ min: -1e8, max: 40 * 86_400_000 })),
          {
            minLength: 1,
            maxLength: 30,
          },
        ),
        (rows) => {
          const start = Float64Array.from(rows, (r) => r[0]);
          const end = Float64Array.from(rows, (r) => r[0] + r[1]);
          const total = hourWeekHeatmap(start, end, 480).reduce((a, b) => a + b, 0);
          expect(total).toBeCloseTo(rows.length, 9);
        },
      ),
      { seed: 42, numRuns: 100 },
    );
  });

  test("incidents without a time are skipped", () => {
    expect(hourWeekHeatmap(Float64Array.from([Number.NaN]), null, 0).reduce((a, b) => a + b, 0)).toBe(0);
  });
});

describe("periods", () => {
  test.each([
    ["2021-01-03T12:00:00Z", "2020-W53"],
    ["2021-01-04T12:00:00Z", "2021-W01"],
    ["2024-12-30T12:00:00Z", "2025-W01"],
    ["2024-05-01T12:00:00Z", "2024-W18"],
  ])("%s is in ISO week %s", (iso, week) => {
    expect(periodKey(at(iso), 0, "week")).toBe(week);
  });

  test("the local day and month follow the offset", () => {
    const t = at("2024-04-30T18:00:00Z"); // 02:00 on 1 May in Beijing
    expect(periodKey(t, 480, "day")).toBe("2024-05-01");
    expect(periodKey(t, 480, "month")).toBe("2024-05");
    expect(periodKey(t, 0, "month")).toBe("2024-04");
  });

  test("civil dates agree with the JavaScript Date on any day", () => {
    fc.assert(
      fc.property(fc.integer({ min: -50_000, max: 80_000 }), (days) => {
        const d = civilFromDays(days);
        const iso = new Date(days * 86_400_000).toISOString().slice(0, 10);
        expect(
          `${String(d.year).padStart(4, "0")}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`,
        ).toBe(iso);
        expect(weekday(days * 86_400_000)).toBe((new Date(days * 86_400_000).getUTCDay() + 6) % 7);
      }),
      { seed: 1, numRuns: 300 },
    );
  });

  test.each([
    ["2024-02", 3, "month", ["2023-12", "2024-01", "2024-02"]],
    ["2024-03-01", 2, "day", ["2024-02-29", "2024-03-01"]],
    ["2021-W01", 2, "week", ["2020-W53", "2021-W01"]],
  ] as const)("previousPeriods(%s, %d, %s)", (last, n, period, expected) => {
    expect(previousPeriods(last, n, period)).toEqual(expected);
  });

  test("counts per group and period skip incidents without a group", () => {
    const times = Float64Array.from([
      at("2024-05-01T02:00:00Z"),
      at("2024-05-20T02:00:00Z"),
      at("2024-06-01T02:00:00Z"),
      at("2024-06-01T02:00:00Z"),
    ]);
    const counts = countsByPeriod(times, 480, ["A", "A", "A", null], "month");
    expect([...counts.get("A")!]).toEqual([
      ["2024-05", 2],
      ["2024-06", 1],
    ]);
    expect(counts.size).toBe(1);
  });
});

describe("comparison and trend", () => {
  test("comparePeriods gives the change, its share and whether it is more than chance", () => {
    expect(comparePeriods(60, 40)).toMatchObject({ change: 20, changeShare: 0.5 });
    expect(comparePeriods(60, 40).p!).toBeGreaterThan(0.04);
    expect(comparePeriods(200, 100).p!).toBeLessThan(0.001);
    expect(comparePeriods(5, 0).changeShare).toBeNull();
  });

  test.each([
    [[10, 12, 14, 16], "rising"],
    [[16, 14, 12, 10], "falling"],
    [[10, 11, 10, 10], "flat"],
  ] as const)("%j is %s", (series, direction) => {
    expect(linearTrend(series).direction).toBe(direction);
  });
});

describe("periodTrends", () => {
  test("fills empty periods with zeros and puts the fastest-rising group first", () => {
    const rows: [string, string][] = [
      ["2024-03-10T04:00:00Z", "A|dispute"],
      ["2024-04-10T04:00:00Z", "A|dispute"],
      ["2024-04-11T04:00:00Z", "A|dispute"],
      ["2024-05-10T04:00:00Z", "A|dispute"],
      ["2024-05-11T04:00:00Z", "A|dispute"],
      ["2024-05-12T04:00:00Z", "A|dispute"],
      ["2024-03-10T04:00:00Z", "B|traffic"],
      ["2024-03-11T04:00:00Z", "B|traffic"],
      ["2023-01-01T04:00:00Z", "C|help"], // outside the window: no series
    ];
    const trends = periodTrends(
      Float64Array.from(rows, (r) => at(r[0])),
      480,
      rows.map((r) => r[1]),
      "month",
      "2024-05",
      3,
    );
    expect(trends.map((t) => [t.group, t.counts, t.trend.direction])).toEqual([
      ["A|dispute", [1, 2, 3], "rising"],
      ["B|traffic", [2, 0, 0], "falling"],
    ]);
    expect(trends[0]!.periods).toEqual(["2024-03", "2024-04", "2024-05"]);
    expect(trends[0]!.vsPrevious.change).toBe(1);
  });
});
