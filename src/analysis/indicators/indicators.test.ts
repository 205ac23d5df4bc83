import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { makeIncident } from "../../../test/builders.ts";
import { asEpochMs, asUnitCode, CATEGORIES, type Category } from "../../domain/index.ts";
import { periodKey } from "../time/patterns.ts";
import { columnsFromIncidents, IncidentColumnsBuilder, withRepeatSeries } from "./columns.ts";
import {
  type IndicatorAggregates,
  periodIndexLabel,
  periodIndicators,
  periodIndicatorsFromAggregates,
  periodLabelIndex,
} from "./indicators.ts";
import { roundedMeans } from "./rollups-testing.ts";

/** An incident received at a Beijing wall-clock time. */
function at(local: string, extra: Parameters<typeof makeIncident>[0] = {}) {
  const ms = Date.parse(`${local}+08:00`);
  return makeIncident({ receivedAt: asEpochMs(ms), utcOffsetMin: 480, ...extra });
}
const station = (s: string) => ({ stationUnit: asUnitCode(s) });
const minutes = (base: string, m: number) => asEpochMs(Date.parse(`${base}+08:00`) + m * 60_000);

describe("periodIndicators", () => {
  const incidents = [
    // May 2024, station A: 3 incidents (one invalid), station B: 1
    at("2024-05-01T00:30:00", {
      ...station("A"),
      category: "dispute",
      acceptedAt: minutes("2024-05-01T00:30:00", 0),
      dispatchedAt: minutes("2024-05-01T00:30:00", 1),
      arrivedAt: minutes("2024-05-01T00:30:00", 4),
    }),
    at("2024-05-15T12:00:00", { ...station("A"), category: "invalid" }),
    at("2024-05-31T23:59:00", {
      ...station("A"),
      category: "criminal",
      acceptedAt: minutes("2024-05-31T23:59:00", 0),
      dispatchedAt: minutes("2024-05-31T23:59:00", 2),
      arrivedAt: minutes("2024-05-31T23:59:00", 12),
    }),
    at("2024-05-10T08:00:00", { ...station("B"), category: "traffic" }),
    // April 2024: A 1, B 2
    at("2024-04-30T23:00:00", { ...station("A"), category: "dispute" }),
    at("2024-04-02T10:00:00", { ...station("B"), category: "traffic" }),
    at("2024-04-03T10:00:00", { ...station("B"), category: "traffic" }),
    // May 2023: A 2
    at("2023-05-05T10:00:00", { ...station("A"), category: "dispute" }),
    at("2023-05-06T10:00:00", { ...station("A"), category: "dispute" }),
    // June 2024 (outside) and an incident without a unit in May
    at("2024-06-01T00:00:00", { ...station("A") }),
    at("2024-05-20T10:00:00", { category: "help" }),
  ];
  const cols = columnsFromIncidents(incidents, "station");
  const report = periodIndicators(cols, { period: "month", label: "2024-05" });
  const a = report.units.find((u) => u.unit === "A")!;
  const b = report.units.find((u) => u.unit === "B")!;

  test("counts the local month, month on month and year on year", () => {
    expect([report.previousLabel, report.lastYearLabel]).toEqual(["2024-04", "2023-05"]);
    expect([a.total, a.vsPrevious.previous, a.vsLastYear.previous]).toEqual([3, 1, 2]);
    expect(a.vsPrevious.changeShare).toBe(2);
    expect(a.vsLastYear.changeShare).toBe(0.5);
    expect(a.byCategory.dispute).toEqual({ count: 1, previous: 1, lastYear: 2, mom: 0, yoy: -0.5 });
    expect(b.vsPrevious.change).toBe(-1);
  });

  test("invalid share, response shares and arrival on time", () => {
    expect(a.invalidShare).toBeCloseTo(1 / 3, 12);
    expect(a.validShare).toBeCloseTo(2 / 3, 12);
    expect(a.dispatchWithin).toEqual({ 1: 0.5, 3: 1, 5: 1 });
    expect(a.arrivalOnTime).toBe(0.5);
    expect(a.repeatRate).toBeNull(); // series not computed
    expect(a.quality).toBeNull();
  });

  test("units are ranked and the whole includes incidents without a unit", () => {
    expect(report.units.map((u) => [u.unit, u.rank])).toEqual([
      ["A", 1],
      ["B", 2],
    ]);
    expect(report.all.total).toBe(5);
    const byChange = periodIndicators(cols, { period: "month", label: "2024-05", rankBy: "change" });
    expect(byChange.units[0]!.unit).toBe("A");
  });

  test("restricted to one unit", () => {
    const only = periodIndicators(cols, { period: "month", label: "2024-05", unit: "B" });
    expect(only.units.map((u) => u.unit)).toEqual(["B"]);
    expect(only.all.total).toBe(1);
  });
});

describe("periods", () => {
  test.each(["2024-W01", "2020-W53", "2021-W01", "2024-W18", "2025-W01"])("week %s round-trips", (label) => {
    expect(periodIndexLabel(periodLabelIndex(label, "week"), "week")).toBe(label);
  });

  test("weekly counts equal those of an independent ISO-week labelling", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: Date.UTC(2023, 0, 1), max: Date.UTC(2025, 0, 1) }),
            fc.constantFrom("A", "B"),
          ),
          {
            minLength: 1,
            maxLength: 60,
          },
        ),
        (rows) => {
          const list = rows.map(([ms, s]) =>
            makeIncident({ receivedAt: asEpochMs(ms), utcOffsetMin: 480, ...station(s) }),
          );
          const cols = columnsFromIncidents(list);
          const label = periodKey(rows[0]![0], 480, "week");
          const report = periodIndicators(cols, { period: "week", label });
          for (const unit of ["A", "B"]) {
            const expected = rows.filter(
              ([ms, s]) => s === unit && periodKey(ms, 480, "week") === label,
            ).length;
            expect(report.units.find((u) => u.unit === unit)?.total ?? 0).toBe(expected);
          }
        },
      ),
      { seed: 3, numRuns: 60 },
    );
  });

  test("a bad label is refused", () => {
    const cols = columnsFromIncidents([]);
    expect(() => periodIndicators(cols, { period: "month", label: "2024-13" })).toThrow(RangeError);
  });

  test("every category has a row even when empty", () => {
    const cols = columnsFromIncidents([at("2024-05-01T10:00:00", station("A"))]);
    const report = periodIndicators(cols, { period: "month", label: "2024-05" });
    expect(Object.keys(report.units[0]!.byCategory).sort()).toEqual([...CATEGORIES].sort() as Category[]);
  });
});

describe("repeat-incident rate", () => {
  test("is the share of the unit's incidents that belong to a repeat series", () => {
    const list = ["r1", "r2", "r3", "r4"].map((id) =>
      makeIncident({ sourceId: id, receivedAt: asEpochMs(Date.UTC(2024, 4, 10)), ...station("A") }),
    );
    const b = new IncidentColumnsBuilder(4);
    for (const x of list) b.add(x.receivedAt, null, null, null, 480, x.category, "A", null, null, x.sourceId);
    const cols = withRepeatSeries(b.build(), new Set(["r2", "r4", "other"]));
    expect(periodIndicators(cols, { period: "month", label: "2024-05" }).units[0]!.repeatRate).toBe(0.5);
    expect(() => withRepeatSeries(columnsFromIncidents(list), new Set())).toThrow(RangeError);
  });
});

describe("indicators from aggregates", () => {
  /** Independent grouping of columns into what a database returns: counts per day and second histograms. */
  function aggregate(
    cols: ReturnType<typeof columnsFromIncidents>,
    label: string,
    period: "month" | "week",
  ): IndicatorAggregates {
    const counts = new Map<string, number>();
    const intervals = new Map<string, number>();
    const current = periodLabelIndex(label, period);
    for (let i = 0; i < cols.n; i++) {
      const unit = cols.unit[i]! >= 0 ? cols.units[cols.unit[i]!]! : "";
      const localMs = cols.receivedAt[i]! + cols.utcOffsetMin[i]! * 60_000;
      const day = Math.floor(localMs / 86_400_000);
      const key = `${unit}\u0000${CATEGORIES[cols.category[i]!]}\u0000${day}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      const inCurrent =
        periodLabelIndex(periodKey(cols.receivedAt[i]!, cols.utcOffsetMin[i]!, period), period) === current;
      if (!inCurrent) continue;
      const start = Number.isNaN(cols.acceptedAt[i]!) ? cols.receivedAt[i]! : cols.acceptedAt[i]!;
      const pairs = [
        ["toDispatch", cols.dispatchedAt[i]! - start],
        ["travel", cols.arrivedAt[i]! - cols.dispatchedAt[i]!],
        ["toArrival", cols.arrivedAt[i]! - start],
      ] as const;
      for (const [kind, ms] of pairs) {
        if (Number.isNaN(ms)) continue;
        const k = `${unit}\u0000${kind}\u0000${Math.floor(ms / 1000)}`;
        intervals.set(k, (intervals.get(k) ?? 0) + 1);
      }
    }
    return {
      counts: [...counts].map(([k, n]) => {
        const [unit, category, day] = k.split("\u0000");
        return { unit: unit || null, category: category!, day: Number(day), n };
      }),
      intervals: [...intervals].map(([k, n]) => {
        const [unit, kind, seconds] = k.split("\u0000");
        return { unit: unit || null, kind: kind as "toDispatch", seconds: Number(seconds), n };
      }),
    };
  }

  test("give the same report as the incident columns when times are whole seconds", () => {
    const second = fc.integer({ min: -30, max: 900 }).map((s) => s * 1000);
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            at: fc
              .integer({ min: Date.UTC(2023, 3, 1) / 1000, max: Date.UTC(2024, 5, 1) / 1000 })
              .map((s) => s * 1000),
            unit: fc.constantFrom("A", "B", null),
            category: fc.constantFrom(...CATEGORIES),
            accept: fc.option(second),
            dispatch: fc.option(second),
            arrive: fc.option(second),
          }),
          { maxLength: 80 },
        ),
        fc.constantFrom(["month", "2024-05"] as const, ["week", "2024-W19"] as const),
        (rows, [period, label]) => {
          const list = rows.map((r) =>
            makeIncident({
              receivedAt: asEpochMs(r.at),
              acceptedAt: r.accept === null ? null : asEpochMs(r.at + Math.abs(r.accept)),
              dispatchedAt: r.dispatch === null ? null : asEpochMs(r.at + r.dispatch),
              arrivedAt:
                r.arrive === null || r.dispatch === null ? null : asEpochMs(r.at + r.dispatch + r.arrive),
              stationUnit: r.unit === null ? null : asUnitCode(r.unit),
              category: r.category,
              utcOffsetMin: 480,
            }),
          );
          const cols = columnsFromIncidents(list);
          const fromColumns = periodIndicators(cols, { period, label });
          const fromAggregates = periodIndicatorsFromAggregates(aggregate(cols, label, period), {
            period,
            label,
          });
          expect(roundedMeans(fromAggregates)).toEqual(roundedMeans(fromColumns));
        },
      ),
      { seed: 11, numRuns: 80 },
    );
  });
});
