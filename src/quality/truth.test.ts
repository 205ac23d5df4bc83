import { expect, test } from "vitest";
import { defectReport } from "./truth.ts";

test("precision and recall count only the codes under judgement", () => {
  const found = new Map([
    ["A", ["empty_narrative", "missing_people"]],
    ["B", ["empty_narrative"]],
    ["C", ["future_time"]],
  ]);
  const truth = [
    { incident: "A", code: "empty_narrative" },
    { incident: "C", code: "late_feedback" },
  ];
  const report = defectReport(found, truth, ["empty_narrative", "late_feedback", "future_time"]);
  expect(report.overall).toMatchObject({ truePositives: 1, falsePositives: 2, falseNegatives: 1 });
  expect(report.perCode.find((s) => s.code === "empty_narrative")).toMatchObject({
    precision: 0.5,
    recall: 1,
  });
  expect(report.examples.late_feedback!.missed).toEqual(["C"]);
});
