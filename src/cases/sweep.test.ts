import { expect, test } from "vitest";
import { fixedClock } from "../domain/index.ts";
import { applyCase, type Case, newCase } from "./case.ts";
import type { History } from "./outcome.ts";
import { sweepVerifying } from "./sweep.ts";

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 5, 1);

function verifyingCase(id: string): Case {
  let c = newCase({
    id,
    title: id,
    subject: {
      kind: "place",
      seriesId: null,
      locationKey: `k-${id}`,
      callerPseudonym: null,
      group: "noise",
      protective: false,
    },
    warning: "yellow",
    branchUnit: "B",
    stationUnit: "S",
    by: "u",
    clock: fixedClock(T0 - DAY),
  });
  const clock = fixedClock(T0);
  c = applyCase(
    c,
    c.version,
    { action: "assign", assignee: { kind: "unit", code: "S" }, owner: "o" },
    "u",
    clock,
  );
  c = applyCase(c, c.version, { action: "start" }, "u", clock);
  c = applyCase(c, c.version, { action: "resolve", resolution: "mediated" }, "u", clock);
  return applyCase(c, c.version, { action: "verify", days: 30 }, "u", clock);
}

const spread = (key: string, before: number, after: number): History => ({
  key,
  mix: { noise: 1 },
  times: [
    ...Array.from({ length: before }, (_, i) => T0 - (i + 1) * DAY),
    ...Array.from({ length: after }, (_, i) => T0 + (i + 1) * 3 * DAY),
  ],
});

const controls = Array.from({ length: 8 }, (_, i) => spread(`c${i}`, 10, 10));

test("a place that calls again twice after resolution is reopened automatically, even mid-window", () => {
  const c = verifyingCase("a");
  const changes = sweepVerifying(
    [c],
    () => spread("k-a", 10, 2),
    () => controls,
    { now: T0 + 10 * DAY },
  );
  expect(changes).toHaveLength(1);
  expect(changes[0]!.command.action).toBe("reopen");
});

test("a quiet place is closed as effective when its window ends, with the verdict in the note", () => {
  const c = verifyingCase("b");
  expect(
    sweepVerifying(
      [c],
      () => spread("k-b", 10, 0),
      () => controls,
      { now: T0 + 10 * DAY },
    ),
  ).toEqual([]);
  const [change] = sweepVerifying(
    [c],
    () => spread("k-b", 10, 0),
    () => controls,
    { now: T0 + 31 * DAY },
  );
  expect(change?.command).toMatchObject({ action: "close_effective" });
  expect(change?.outcome?.verdict).toBe("effective");
});

test("one stray call neither reopens a case nor, with too few controls, counts as an effect", () => {
  const c = verifyingCase("c");
  const [change] = sweepVerifying(
    [c],
    () => spread("k-c", 10, 1),
    () => controls.slice(0, 2),
    { now: T0 + 31 * DAY },
  );
  expect(change?.command.action).toBe("close_ineffective");
  expect(change?.outcome?.verdict).toBe("insufficient_controls");
});

test("outcomes are summarised per assignee with the effective rate over closed cases", async () => {
  const { outcomeSummary } = await import("./sweep.ts");
  const base = verifyingCase("x");
  const cases: Case[] = [
    { ...base, id: "1", state: "closed_effective" },
    { ...base, id: "2", state: "closed_effective" },
    { ...base, id: "3", state: "closed_ineffective" },
    { ...base, id: "4", state: "verifying" },
    { ...base, id: "5", state: "in_progress", deadline: T0 + DAY },
    { ...base, id: "6", state: "in_progress", deadline: T0 - DAY },
  ];
  expect(outcomeSummary(cases, T0)).toEqual([
    {
      assignee: "S",
      kind: "unit",
      open: 2,
      verifying: 1,
      closedEffective: 2,
      closedIneffective: 1,
      effectiveRate: 2 / 3,
      overdue: 1,
    },
  ]);
});
