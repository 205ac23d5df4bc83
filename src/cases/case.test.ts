import { describe, expect, test } from "vitest";
import { fixedClock } from "../domain/index.ts";
import {
  applyCase,
  type Case,
  type CaseCommand,
  DEFAULT_SLA_HOURS,
  newCase,
  overdueCases,
  verificationEnds,
} from "./case.ts";
import {
  CASE_ACTIONS,
  CASE_STATES,
  ConflictError,
  IllegalTransitionError,
  nextState,
  TRANSITIONS,
} from "./lifecycle.ts";

const T0 = Date.UTC(2024, 4, 1);
const HOUR = 3_600_000;

function makeCase(overrides: Partial<Case> = {}): Case {
  return {
    ...newCase({
      id: "case-1",
      title: "阳光小区3栋2单元501 噪音扰民",
      subject: {
        kind: "place",
        seriesId: "s1",
        locationKey: "k1",
        callerPseudonym: null,
        group: "noise",
        protective: false,
      },
      warning: "orange",
      branchUnit: "B1",
      stationUnit: "S1",
      by: "analyst",
      clock: fixedClock(T0),
    }),
    ...overrides,
  };
}

const commands: Record<string, CaseCommand> = {
  assign: { action: "assign", assignee: { kind: "unit", code: "S1" }, owner: "officer-1" },
  start: { action: "start" },
  record: { action: "record", kind: "visit", text: "上门走访，双方同意调解" },
  resolve: { action: "resolve", resolution: "mediated" },
  verify: { action: "verify", days: 30 },
  close_effective: { action: "close_effective" },
  close_ineffective: { action: "close_ineffective" },
  reopen: { action: "reopen", reason: "同一地点再次报警" },
  cancel: { action: "cancel", reason: "误建" },
};

describe("the case lifecycle", () => {
  test("a case goes draft → assigned → in progress → resolved → verifying → closed effective", () => {
    let c = makeCase();
    const clock = fixedClock(T0 + HOUR);
    for (const action of ["assign", "start", "record", "resolve", "verify", "close_effective"] as const) {
      c = applyCase(c, c.version, commands[action]!, "officer-1", clock);
    }
    expect(c.state).toBe("closed_effective");
    expect(c.version).toBe(7);
    expect(c.history.map((e) => e.to)).toEqual([
      "assigned",
      "in_progress",
      "in_progress",
      "resolved",
      "verifying",
      "closed_effective",
    ]);
    expect(c.history[2]?.work).toEqual({ kind: "visit", text: "上门走访，双方同意调解" });
  });

  test("assignment sets the deadline from the warning level's SLA", () => {
    const c = applyCase(makeCase({ warning: "red" }), 1, commands.assign!, "a", fixedClock(T0));
    expect(c.deadline).toBe(T0 + DEFAULT_SLA_HOURS.red * HOUR);
    expect(c.assignee).toEqual({ kind: "unit", code: "S1" });
  });

  test.each(
    CASE_STATES.flatMap((state) =>
      CASE_ACTIONS.filter((action) => !TRANSITIONS[state][action]).map((action) => [state, action] as const),
    ),
  )("from %s the action %s is rejected with a clear message", (state, action) => {
    expect(() => nextState(state, action)).toThrow(IllegalTransitionError);
    try {
      nextState(state, action);
    } catch (error) {
      expect((error as IllegalTransitionError).messages.zh).toContain("不能执行");
      expect((error as IllegalTransitionError).messages.en).toContain(`cannot "${action}"`);
    }
  });

  test("of two changes made on the same version, the second gets a conflict", () => {
    const c = makeCase();
    const first = applyCase(c, 1, commands.assign!, "a", fixedClock(T0));
    expect(first.version).toBe(2);
    expect(() => applyCase(first, 1, commands.cancel!, "b", fixedClock(T0))).toThrow(ConflictError);
  });

  test("reopening clears the resolution and needs a reason", () => {
    let c = makeCase();
    for (const action of ["assign", "start", "resolve", "verify"] as const)
      c = applyCase(c, c.version, commands[action]!, "u", fixedClock(T0));
    expect(() => applyCase(c, c.version, { action: "reopen", reason: " " }, "u", fixedClock(T0))).toThrow(
      /reason/,
    );
    const reopened = applyCase(c, c.version, commands.reopen!, "system", fixedClock(T0));
    expect(reopened).toMatchObject({
      state: "reopened",
      resolution: null,
      resolvedAt: null,
      verifyDays: null,
    });
  });

  test("open cases past their deadline are overdue, most overdue first; closed ones never", () => {
    const a = applyCase(makeCase({ id: "a", warning: "red" }), 1, commands.assign!, "u", fixedClock(T0));
    const b = applyCase(makeCase({ id: "b", warning: "blue" }), 1, commands.assign!, "u", fixedClock(T0));
    const closed = { ...a, id: "c", state: "closed_effective" as const };
    expect(overdueCases([b, closed, a], fixedClock(T0 + 25 * HOUR)).map((c) => c.id)).toEqual(["a"]);
    expect(overdueCases([b, a], fixedClock(T0 + 16 * 24 * HOUR)).map((c) => c.id)).toEqual(["a", "b"]);
  });

  test("a verifying case's window ends verifyDays after it was resolved", () => {
    let c = makeCase();
    for (const action of ["assign", "start", "resolve", "verify"] as const)
      c = applyCase(c, c.version, commands[action]!, "u", fixedClock(T0));
    expect(verificationEnds(c)).toBe(T0 + 30 * 24 * HOUR);
  });
});
