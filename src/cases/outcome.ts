import { poissonTail } from "../repeat/stats.ts";

const DAY = 86_400_000;

/** The event history of one place (or caller): what verification compares. */
export interface History {
  readonly key: string;
  /** Event times (epoch ms), any order. */
  readonly times: readonly number[];
  /** Events per category group over the whole history: the place's "category mix". */
  readonly mix: Readonly<Record<string, number>>;
}

export interface OutcomeOptions {
  /** The case was resolved at this instant; before = [t - W, t), after = [t, t + W). */
  readonly resolvedAt: number;
  readonly windowDays: number;
  /** Evaluation instant: before resolvedAt + W the verdict is "pending". */
  readonly now: number;
  readonly maxControls?: number;
  readonly minControls?: number;
  /** Controls need a category mix at least this similar (cosine). */
  readonly minMixSimilarity?: number;
  /** Significance level of "fewer calls than the controls predict". */
  readonly alpha?: number;
}

export const OUTCOME_VERDICTS = [
  "pending", // window not over yet
  "insufficient_controls", // too few comparable places to tell an effect from the trend
  "effective", // significantly fewer calls after than the controls' trend predicts
  "fell_like_controls", // fewer calls, but no more than comparable places (regression to the mean)
  "not_effective", // calls went on at least as before
] as const;
export type OutcomeVerdict = (typeof OUTCOME_VERDICTS)[number];

export interface Outcome {
  readonly verdict: OutcomeVerdict;
  readonly before: number;
  readonly after: number;
  readonly controls: readonly { readonly key: string; readonly before: number; readonly after: number }[];
  /** After-count the case place would have had if it had followed its controls. */
  readonly expectedAfter: number;
  /** P(after <= observed | Poisson(expectedAfter)): small = a real drop. */
  readonly pValue: number;
  /** Window bounds, for the before/after chart. */
  readonly beforeFrom: number;
  readonly afterTo: number;
}

function countIn(times: readonly number[], from: number, to: number): number {
  let n = 0;
  for (const t of times) if (t >= from && t < to) n++;
  return n;
}

function cosine(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [k, v] of Object.entries(a)) {
    na += v * v;
    dot += v * (b[k] ?? 0);
  }
  for (const v of Object.values(b)) nb += v * v;
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/**
 * Before/after event counts of the case's place against matched control places from the same
 * area (similar category mix and prior rate), so that a real effect is told apart from
 * regression to the mean: places picked because they were busy tend to calm down anyway.
 * The controls' after/before ratio gives the expected after-count; a one-sided Poisson test
 * says whether the case place fell significantly further. (Design: docs/cases.md; the idea of
 * matched comparison places follows Eck & Guerette's place-based evaluation guides.)
 * @example
 * verifyOutcome(subject, sameStationPlaces, { resolvedAt, windowDays: 30, now })
 */
export function verifyOutcome(
  subject: History,
  candidates: readonly History[],
  options: OutcomeOptions,
): Outcome {
  const window = options.windowDays * DAY;
  const beforeFrom = options.resolvedAt - window;
  const afterTo = options.resolvedAt + window;
  const before = countIn(subject.times, beforeFrom, options.resolvedAt);
  const after = countIn(subject.times, options.resolvedAt, afterTo);
  const maxControls = options.maxControls ?? 20;
  const minControls = options.minControls ?? 5;
  const minSimilarity = options.minMixSimilarity ?? 0.5;
  const alpha = options.alpha ?? 0.05;

  const scored = candidates
    .filter((c) => c.key !== subject.key)
    .map((c) => {
      const cBefore = countIn(c.times, beforeFrom, options.resolvedAt);
      const similarity = cosine(subject.mix, c.mix);
      const rateGap = Math.abs(Math.log1p(cBefore) - Math.log1p(before));
      return {
        key: c.key,
        before: cBefore,
        after: countIn(c.times, options.resolvedAt, afterTo),
        similarity,
        rateGap,
      };
    })
    .filter((c) => c.before > 0 && c.similarity >= minSimilarity && c.rateGap <= Math.log(2) + 1e-9)
    .sort(
      (a, b) =>
        a.rateGap + (1 - a.similarity) - (b.rateGap + (1 - b.similarity)) || a.key.localeCompare(b.key),
    )
    .slice(0, maxControls);
  const controls = scored.map(({ key, before: b, after: a }) => ({ key, before: b, after: a }));

  const sumBefore = controls.reduce((s, c) => s + c.before, 0);
  const sumAfter = controls.reduce((s, c) => s + c.after, 0);
  // +0.5 keeps the ratio finite and shrinks it towards 1 when the controls are quiet.
  const expectedAfter = before * ((sumAfter + 0.5) / (sumBefore + 0.5));
  const pValue = after === 0 ? Math.exp(-expectedAfter) : 1 - poissonTail(after + 1, expectedAfter);
  const verdict: OutcomeVerdict =
    options.now < afterTo
      ? "pending"
      : controls.length < minControls
        ? "insufficient_controls"
        : pValue < alpha
          ? "effective"
          : after < before
            ? "fell_like_controls"
            : "not_effective";
  return { verdict, before, after, controls, expectedAfter, pValue, beforeFrom, afterTo };
}

/** One week of the verification chart: events at the case's place and the mean of its controls. */
export interface OutcomeWeek {
  /** Start of the week (epoch ms); weeks run from the start of the before-window. */
  readonly from: number;
  readonly place: number;
  /** Mean events per matched control place that week (null without controls). */
  readonly controlsMean: number | null;
}

/**
 * Week by week over both windows (weeks counted back and forth from the resolution, so that it
 * falls on a week boundary; the outermost weeks may be shorter): the case's place against the
 * mean of the controls that verifyOutcome matched, for the before/after chart on the case page.
 * @example
 * outcomeWeeks(subject, candidates, verifyOutcome(subject, candidates, options))
 */
export function outcomeWeeks(
  subject: History,
  candidates: readonly History[],
  outcome: Pick<Outcome, "beforeFrom" | "afterTo" | "controls">,
): OutcomeWeek[] {
  const matched = new Set(outcome.controls.map((c) => c.key));
  const controls = candidates.filter((c) => matched.has(c.key));
  const resolvedAt = (outcome.beforeFrom + outcome.afterTo) / 2;
  const bounds: number[] = [];
  for (let t = resolvedAt; t > outcome.beforeFrom; t -= 7 * DAY) bounds.unshift(t);
  bounds.unshift(outcome.beforeFrom);
  for (let t = resolvedAt + 7 * DAY; t < outcome.afterTo; t += 7 * DAY) bounds.push(t);
  bounds.push(outcome.afterTo);
  const weeks: OutcomeWeek[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const from = bounds[i]!;
    const to = bounds[i + 1]!;
    if (to <= from) continue;
    const total = controls.reduce((s, c) => s + countIn(c.times, from, to), 0);
    weeks.push({
      from,
      place: countIn(subject.times, from, to),
      controlsMean: controls.length ? total / controls.length : null,
    });
  }
  return weeks;
}
