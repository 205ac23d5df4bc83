import { describe, expect, test } from "vitest";
import { seededRandom } from "../domain/index.ts";
import { type History, outcomeWeeks, verifyOutcome } from "./outcome.ts";

const DAY = 86_400_000;
const RESOLVED = Date.UTC(2024, 5, 1);

/** A place with `before` events in the 30 days before resolution and `after` in the 30 days after. */
function place(
  key: string,
  before: number,
  after: number,
  mix: Record<string, number> = { noise: 1 },
): History {
  const times: number[] = [];
  for (let i = 0; i < before; i++) times.push(RESOLVED - ((i + 0.5) * 30 * DAY) / before);
  for (let i = 0; i < after; i++) times.push(RESOLVED + ((i + 0.5) * 30 * DAY) / after);
  return { key, times, mix };
}

const options = { resolvedAt: RESOLVED, windowDays: 30, now: RESOLVED + 31 * DAY };

describe("outcome verification", () => {
  test("calls that stop while comparable places go on are an effective outcome", () => {
    const controls = Array.from({ length: 10 }, (_, i) => place(`c${i}`, 8, 8));
    const outcome = verifyOutcome(place("case", 8, 0), controls, options);
    expect(outcome.verdict).toBe("effective");
    expect(outcome.expectedAfter).toBeCloseTo(8 * (80.5 / 80.5));
    expect(outcome.pValue).toBeLessThan(0.001);
  });

  test("a drop that comparable places show too is regression to the mean, not an effect", () => {
    const controls = Array.from({ length: 10 }, (_, i) => place(`c${i}`, 8, 2));
    const outcome = verifyOutcome(place("case", 8, 2), controls, options);
    expect(outcome.verdict).toBe("fell_like_controls");
  });

  test("calls going on as before are not effective", () => {
    const controls = Array.from({ length: 10 }, (_, i) => place(`c${i}`, 8, 8));
    expect(verifyOutcome(place("case", 8, 9), controls, options).verdict).toBe("not_effective");
  });

  test("controls must resemble the place: other category mixes and other rates are not used", () => {
    const unlike = [
      ...Array.from({ length: 10 }, (_, i) => place(`traffic${i}`, 8, 8, { traffic: 1 })),
      ...Array.from({ length: 10 }, (_, i) => place(`quiet${i}`, 1, 1)),
    ];
    const outcome = verifyOutcome(place("case", 8, 0), unlike, options);
    expect(outcome.controls).toEqual([]);
    expect(outcome.verdict).toBe("insufficient_controls");
  });

  test("before the window is over the verdict is pending", () => {
    const controls = Array.from({ length: 10 }, (_, i) => place(`c${i}`, 8, 8));
    expect(
      verifyOutcome(place("case", 8, 0), controls, { ...options, now: RESOLVED + 10 * DAY }).verdict,
    ).toBe("pending");
  });

  test("with no true effect, 'effective' is rare among busy places chosen for their high counts", () => {
    // Every place has the same true rate; the "case" places are the ones that happened to be
    // busiest before. Their fall afterwards is regression to the mean and must not pass as an effect.
    const rng = seededRandom(11);
    const poisson = (mean: number) => {
      let k = 0;
      let p = Math.exp(-mean);
      let s = p;
      const u = rng.next();
      while (u > s) {
        k++;
        p *= mean / k;
        s += p;
      }
      return k;
    };
    const places = Array.from({ length: 400 }, (_, i) => place(`p${i}`, poisson(4), poisson(4)));
    const busiest = [...places].sort((a, b) => countBefore(b) - countBefore(a)).slice(0, 40);
    const effective = busiest.filter((p) => verifyOutcome(p, places, options).verdict === "effective").length;
    expect(effective / busiest.length).toBeLessThanOrEqual(0.1);
  });
});

function countBefore(h: History): number {
  return h.times.filter((t) => t < RESOLVED && t >= RESOLVED - 30 * DAY).length;
}

describe("the outcome chart", () => {
  test("the weekly chart splits at the resolution and adds up to the before and after counts", () => {
    const controls = Array.from({ length: 6 }, (_, i) => place(`c${i}`, 10, 6));
    const subject = place("case", 12, 2);
    const outcome = verifyOutcome(subject, controls, options);
    const weeks = outcomeWeeks(subject, [...controls, place("unmatched", 1, 40, { theft: 1 })], outcome);
    const before = weeks.filter((w) => w.from < RESOLVED);
    const after = weeks.filter((w) => w.from >= RESOLVED);
    expect(after[0]?.from).toBe(RESOLVED);
    expect(before.reduce((s, w) => s + w.place, 0)).toBe(outcome.before);
    expect(after.reduce((s, w) => s + w.place, 0)).toBe(outcome.after);
    // The mean of the matched controls only (the unmatched place with 40 after-events is left out).
    expect(after.reduce((s, w) => s + (w.controlsMean ?? 0), 0)).toBeCloseTo(6);
    expect(before.reduce((s, w) => s + (w.controlsMean ?? 0), 0)).toBeCloseTo(10);
  });
});
