import { describe, expect, test } from "vitest";
import { makeIncident } from "../../test/builders.ts";
import { asEpochMs, asUnitCode, fixedClock, renderIssue } from "../domain/index.ts";
import { ruleClassifier } from "../text/classify.ts";
import { batchIssues, conflictingDuplicates, stationCentres } from "./batch.ts";
import { QUALITY_CODES, QUALITY_MESSAGES } from "./codes.ts";
import { DEFAULT_QUALITY_CONFIG, qualityConfig } from "./config.ts";
import { ruleJudge } from "./judge.ts";
import { incidentIssues, type RuleContext } from "./rules.ts";

const T0 = Date.UTC(2024, 4, 1, 2, 0, 0);
const MIN = 60_000;
const ctx: RuleContext = {
  config: DEFAULT_QUALITY_CONFIG,
  clock: fixedClock(Date.UTC(2024, 5, 1)),
  judge: ruleJudge(ruleClassifier(), DEFAULT_QUALITY_CONFIG),
};

/** A complete, timely, consistent record: the baseline every test changes one thing of. */
const good = (over: Parameters<typeof makeIncident>[0] = {}) =>
  makeIncident({
    category: "public_order",
    subtype: "noise",
    acceptedAt: asEpochMs(T0 + 0.5 * MIN),
    dispatchedAt: asEpochMs(T0 + 2 * MIN),
    arrivedAt: asEpochMs(T0 + 12 * MIN),
    closedAt: asEpochMs(T0 + 60 * MIN),
    stationUnit: asUnitCode("S1"),
    narrative: "报警人称阳光小区3栋有人深夜唱歌，噪音扰民。",
    disposition: "已调解",
    feedback: "民警到场后对双方进行调解，楼上住户停止施工，双方达成一致。",
    ...over,
  });

const codes = (over: Parameters<typeof makeIncident>[0] = {}, c: RuleContext = ctx) =>
  incidentIssues(good(over), c).map((i) => i.code);

test("a complete, timely and consistent record has no issue", () => {
  expect(codes()).toEqual([]);
});

test.each([
  [{ narrative: "" }, "empty_narrative"],
  [{ disposition: "" }, "missing_disposition"],
  [{ address: "不详" }, "missing_address"],
  [{ stationUnit: null }, "missing_station"],
  [{ arrivedAt: asEpochMs(T0 + 1 * MIN) }, "arrival_before_dispatch"],
  [{ acceptedAt: asEpochMs(T0 - 1 * MIN) }, "accept_before_receive"],
  [{ closedAt: asEpochMs(T0 + 5 * MIN) }, "close_before_arrival"],
  [{ closedAt: asEpochMs(T0 + 3 * 24 * 60 * MIN) }, "late_feedback"],
  [{ closedAt: asEpochMs(Date.UTC(2030, 0, 1)) }, "future_time"],
  [{ dispatchedAt: asEpochMs(T0 + 20 * MIN) }, "slow_dispatch"],
  [{ arrivedAt: asEpochMs(T0 + 50 * MIN) }, "slow_arrival"],
  [{ category: "criminal", subtype: "theft" }, "wrong_category"],
  [{ subtype: "fight" }, "wrong_subtype"],
  [{ subtype: "karaoke" }, "unknown_subtype"],
  [{ department: "environment" }, "unexpected_department"],
  [{ lon: 0, lat: 0 }, "coords_invalid"],
] as const)("%o raises %s", (over, code) => {
  expect(codes(over)).toContain(code);
});

test("a time in the future is not also reported as late feedback", () => {
  expect(codes({ closedAt: asEpochMs(Date.UTC(2030, 0, 1)) })).not.toContain("late_feedback");
});

test("an open call past the feedback limit is missing its feedback", () => {
  expect(codes({ closedAt: null })).toContain("missing_feedback");
  const early: RuleContext = { ...ctx, clock: fixedClock(T0 + 60 * MIN) };
  expect(codes({ closedAt: null }, early)).not.toContain("missing_feedback");
});

test("only one order issue is raised for one misplaced time", () => {
  const found = codes({ arrivedAt: asEpochMs(T0 - 5 * MIN) });
  expect(found.filter((c) => c.endsWith("_before_dispatch") || c.includes("before"))).toEqual([
    "arrival_before_dispatch",
  ]);
});

test("a silent call needs no address, but a repeat report does", () => {
  const silent = {
    category: "invalid",
    subtype: "silent",
    address: "",
    narrative: "无声电话，回拨无人接听。",
  } as const;
  expect(codes(silent)).not.toContain("missing_address");
  const repeat = {
    category: "invalid",
    subtype: "repeat_report",
    address: "",
    narrative: "重复报警：同一事件",
  } as const;
  expect(codes(repeat)).toContain("missing_address");
});

test("an address is not blamed when the label is wrong for a call that needs none", () => {
  const found = codes({
    category: "criminal",
    subtype: "assault",
    address: "",
    narrative: "无声电话，回拨提示关机。",
  });
  expect(found).toContain("wrong_category");
  expect(found).toContain("suspected_invalid");
  expect(found).not.toContain("missing_address");
});

test("a 12345 consultation recorded as an accident is a label defect, not a missing address", () => {
  const found = codes({
    category: "traffic",
    subtype: "accident",
    address: "",
    narrative: "报警人咨询公积金提取事宜，非警务，已告知拨打12345。",
  });
  expect(found).toContain("wrong_category");
  expect(found).not.toContain("missing_address");
});

test("a repeat report is not flagged although it reads like the event it repeats", () => {
  const found = codes({
    category: "invalid",
    subtype: "repeat_report",
    narrative: "重复报警：报警人称解放路发生交通事故，与前警系同一事件，前警已派警处置。",
  });
  expect(found).not.toContain("wrong_category");
});

test("a non-police call needs a department, and a suspicious one is questioned", () => {
  expect(codes({ category: "non_police", subtype: "other", narrative: "路灯不亮" })).toContain(
    "missing_department",
  );
  const wrong = codes({
    category: "non_police",
    subtype: "other",
    department: "education",
    narrative: "公司拖欠工资三个月，已告知向人社劳动监察部门反映。",
  });
  expect(wrong).toContain("department_mismatch");
});

test("a per-incident judge overrides the default one", () => {
  const silentJudge: RuleContext["judge"] = {
    category: () => ({
      value: { category: "invalid", subtype: "silent" },
      confident: true,
      evidence: "model",
    }),
    department: () => ({ value: null, confident: false, evidence: "" }),
  };
  const late = good({ receivedAt: asEpochMs(T0 + 60 * MIN), closedAt: asEpochMs(T0 + 90 * MIN) });
  const c: RuleContext = { ...ctx, judgeOf: (i) => (i.receivedAt > T0 ? silentJudge : null) };
  expect(incidentIssues(late, c).map((i) => i.code)).toContain("wrong_category");
  expect(incidentIssues(good(), c).map((i) => i.code)).not.toContain("wrong_category");
});

test("switched-off codes disappear and severities can be changed", () => {
  const config = qualityConfig({ severity: { slow_arrival: "off", missing_disposition: "warning" } });
  const c: RuleContext = { ...ctx, config };
  const found = incidentIssues(good({ arrivedAt: asEpochMs(T0 + 50 * MIN), disposition: "" }), c);
  expect(found.map((i) => i.code)).not.toContain("slow_arrival");
  expect(found.find((i) => i.code === "missing_disposition")?.severity).toBe("warning");
});

test("a bounding box decides the jurisdiction when configured", () => {
  const config = qualityConfig({ jurisdiction: { bbox: [120, 30, 121, 31] } });
  const c: RuleContext = { ...ctx, config };
  expect(codes({ lon: 120.5, lat: 30.5 }, c)).not.toContain("coords_outside");
  expect(codes({ lon: 116.4, lat: 39.9 }, c)).toContain("coords_outside");
});

describe("batch rules", () => {
  const station = asUnitCode("S1");
  const located = Array.from({ length: 30 }, (_, i) =>
    good({ lon: 120.1 + (i % 5) * 0.002, lat: 30.2 + (i % 7) * 0.002, stationUnit: station }),
  );

  test("a point far from its station's other calls is outside the jurisdiction", () => {
    const far = good({ lon: 116.397, lat: 39.909, stationUnit: station });
    const issues = batchIssues([...located, far], ctx);
    expect(issues.at(-1)!.map((i) => i.code)).toContain("coords_outside");
    expect(
      issues
        .slice(0, -1)
        .flat()
        .map((i) => i.code),
    ).not.toContain("coords_outside");
  });

  test("the station centre is the median, robust to a few wild points", () => {
    const centres = stationCentres([...located, good({ lon: 0.1, lat: 0.1, stationUnit: station })], 20);
    const [lon, lat] = centres.get(station)!;
    expect(lon).toBeCloseTo(120.104, 2);
    expect(lat).toBeCloseTo(30.206, 2);
  });

  test("two calls at one door within the window with different categories conflict", () => {
    const a = good({ location: { room: "R1" } });
    const b = good({
      location: { room: "R1" },
      receivedAt: asEpochMs(T0 + 10 * MIN),
      category: "dispute",
      subtype: "neighbour",
    });
    const c = good({ location: { room: "R1" }, receivedAt: asEpochMs(T0 + 90 * MIN), category: "traffic" });
    const conflicts = conflictingDuplicates([a, b, c], 30);
    expect([...conflicts.keys()]).toEqual([1]);
    expect(batchIssues([a, b], ctx)[1]!.map((i) => i.code)).toContain("conflicting_duplicate");
  });
});

test("every code has a message in both languages and renders its parameters", () => {
  for (const code of QUALITY_CODES) {
    expect(QUALITY_MESSAGES[code].zh.length).toBeGreaterThan(0);
    expect(QUALITY_MESSAGES[code].en.length).toBeGreaterThan(0);
  }
  const [late] = incidentIssues(good({ closedAt: asEpochMs(T0 + 30 * 60 * MIN) }), ctx);
  expect(renderIssue(late!, QUALITY_MESSAGES, "zh")).toContain("规定 24 小时内");
  expect(renderIssue(late!, QUALITY_MESSAGES, "en")).toContain("within 24 h");
  // Field names read as words of the reader's language, not as the model's keys.
  const order = incidentIssues(
    good({ dispatchedAt: asEpochMs(T0 + 10 * MIN), arrivedAt: asEpochMs(T0 + 5 * MIN) }),
    ctx,
  ).find((i) => i.code === "arrival_before_dispatch");
  expect(renderIssue(order!, QUALITY_MESSAGES, "zh")).toContain("到场时间早于派警时间");
  expect(renderIssue(order!, QUALITY_MESSAGES, "en")).toContain("Arrived before the time dispatched");
  const future = incidentIssues(good({ closedAt: asEpochMs(Date.UTC(2030, 0, 1)) }), ctx).find(
    (i) => i.code === "future_time",
  );
  expect(renderIssue(future!, QUALITY_MESSAGES, "zh")).not.toMatch(/[a-z]At\b/);
  expect(renderIssue(future!, QUALITY_MESSAGES, "en")).toContain("time closed lies in the future");
});

test("a bad config is refused in both languages", () => {
  expect(() => qualityConfig({ timeliness: { feedbackWithinHours: -1 } })).toThrow(/timeliness/);
  expect(() => qualityConfig({ nonsense: 1 })).toThrow();
});
