import fc from "fast-check";
import { makeIncident } from "../../../test/builders.ts";
import { asEpochMs, asUnitCode, CATEGORIES, type Incident } from "../../domain/index.ts";
import type { IndicatorReport } from "./indicators.ts";
import { RESPONSE_BIN_EDGES_S, responseBin } from "./rollups.ts";

/** Test support for the rollup suites (pure and store): random incidents and report comparison. */

/** Random incidents over three units per level, with intervals from -1 to 12 minutes (ms precision). */
export const incidentsArbitrary = (maxLength = 60) => {
  const interval = fc.option(fc.integer({ min: -60_000, max: 720_000 }), { nil: null });
  return fc.array(
    fc.record({
      at: fc.integer({ min: Date.UTC(2023, 3, 20), max: Date.UTC(2024, 5, 10) }),
      offset: fc.constantFrom(480, 480, -300, 0),
      station: fc.constantFrom("S1", "S2", "S3", null),
      category: fc.constantFrom(...CATEGORIES),
      accept: interval,
      dispatch: interval,
      travel: interval,
    }),
    { maxLength },
  );
};

export type RandomRow = {
  at: number;
  offset: number;
  station: string | null;
  category: (typeof CATEGORIES)[number];
  accept: number | null;
  dispatch: number | null;
  travel: number | null;
};

/** Stations S1, S2 in branch B1, S3 in B2; areas per station. */
export function incidentOf(r: RandomRow, extra: Partial<Incident> = {}): Incident {
  const start = r.at + Math.abs(r.accept ?? 0);
  const dispatched = r.dispatch === null ? null : start + r.dispatch;
  return makeIncident({
    receivedAt: asEpochMs(r.at),
    utcOffsetMin: r.offset,
    acceptedAt: r.accept === null ? null : asEpochMs(start),
    dispatchedAt: dispatched === null ? null : asEpochMs(dispatched),
    arrivedAt: dispatched === null || r.travel === null ? null : asEpochMs(dispatched + r.travel),
    category: r.category,
    cityUnit: asUnitCode("C"),
    branchUnit: r.station === null ? null : asUnitCode(r.station === "S3" ? "B2" : "B1"),
    stationUnit: r.station === null ? null : asUnitCode(r.station),
    areaUnit: r.station === null ? null : asUnitCode(`${r.station}-A`),
    ...extra,
  });
}

/** A report with medians and 90th percentiles removed and means rounded, for comparison. */
export function comparable(report: IndicatorReport): unknown {
  return JSON.parse(
    JSON.stringify(report, (key, value) =>
      key === "medianMinutes" || key === "p90Minutes" || key === "medianToArrivalMinutes"
        ? null
        : key === "meanMinutes" && typeof value === "number"
          ? Number(value.toFixed(9))
          : value,
    ),
  );
}

/** Width in minutes of the widest bin holding a value up to `minutes` (an estimate's error bound). */
export const binWidthAt = (minutes: number): number => {
  const k = responseBin(minutes * 60_000);
  const lower = k === 0 ? 0 : RESPONSE_BIN_EDGES_S[k - 1]!;
  return ((RESPONSE_BIN_EDGES_S[k] ?? lower) - lower) / 60;
};

/** A report with means rounded to 9 decimals (sums in another order differ in the last bits). */
export function roundedMeans(report: IndicatorReport): unknown {
  return JSON.parse(
    JSON.stringify(report, (key, value) =>
      key === "meanMinutes" && typeof value === "number" ? Number(value.toFixed(9)) : value,
    ),
  );
}
