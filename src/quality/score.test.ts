import { expect, test } from "vitest";
import { makeIncident } from "../../test/builders.ts";
import { asEpochMs, asUnitCode } from "../domain/index.ts";
import type { QualityIssue } from "./codes.ts";
import { incidentScore, periodOf, type ScoredIncident, scorecards } from "./score.ts";

const issue = (code: QualityIssue["code"], severity: QualityIssue["severity"] = "error"): QualityIssue => ({
  code,
  severity,
});

test("an incident without issues scores 100 and each issue takes off its dimension", () => {
  expect(incidentScore([]).score).toBe(100);
  const s = incidentScore([issue("empty_narrative"), issue("late_feedback", "warning")]);
  expect(s.dimensions).toEqual({ completeness: 0.5, timeliness: 0.8, consistency: 1, labels: 1 });
  expect(s.score).toBeCloseTo(100 * (0.3 * 0.5 + 0.25 * 0.8 + 0.25 + 0.2), 5);
});

test("a dimension never drops below zero", () => {
  const s = incidentScore([issue("empty_narrative"), issue("missing_address"), issue("missing_disposition")]);
  expect(s.dimensions.completeness).toBe(0);
});

test.each([
  [Date.UTC(2024, 0, 1, 12), "2024-W01"],
  [Date.UTC(2023, 0, 1, 12), "2022-W52"],
  [Date.UTC(2020, 11, 31, 12), "2020-W53"],
])("instant %s lies in ISO week %s", (at, week) => {
  expect(periodOf(at, 0, "week")).toBe(week);
});

test("the local wall clock decides the period", () => {
  // 2024-01-31 20:00 UTC is 2024-02-01 04:00 in China.
  expect(periodOf(Date.UTC(2024, 0, 31, 20), 480, "month")).toBe("2024-02");
});

test("scorecards give shares per station and period, review pass rates and trends", () => {
  const s1 = asUnitCode("S1");
  const s2 = asUnitCode("S2");
  const mk = (station: typeof s1, month: number, issues: QualityIssue[]): ScoredIncident => ({
    incident: makeIncident({ stationUnit: station, receivedAt: asEpochMs(Date.UTC(2024, month, 10)) }),
    issues,
  });
  const scored = [
    mk(s1, 0, []),
    mk(s1, 0, [issue("empty_narrative")]),
    mk(s1, 1, []),
    mk(s2, 0, [issue("wrong_category")]),
  ];
  const verdicts = [
    { incidentId: scored[0]!.incident.id, verdict: "pass" as const },
    { incidentId: scored[1]!.incident.id, verdict: "rework" as const },
    { incidentId: scored[1]!.incident.id, verdict: "pass" as const },
  ];
  const cards = scorecards(scored, { level: "station", period: "month", verdicts });
  expect(cards.map((c) => `${c.unit} ${c.period} ${c.incidents}`)).toEqual([
    "S1 2024-01 2",
    "S1 2024-02 1",
    "S2 2024-01 1",
  ]);
  const jan = cards[0]!;
  expect(jan.completeness).toBe(0.5);
  expect(jan.labelAccuracy).toBe(1);
  expect(jan.reviewPassRate).toBeCloseTo(2 / 3);
  expect(cards[1]!.change).toBeCloseTo(100 - jan.meanScore);
  expect(cards[2]!.labelAccuracy).toBe(0);
  expect(cards[2]!.reviewPassRate).toBeNull();
});
