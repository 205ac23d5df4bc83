/**
 * Surprise of a count: how unlikely it is to see at least `observed` events in a window when the
 * place's rate is only known from its own history and its neighbourhood. A gamma prior on the
 * rate (the neighbourhood's rate, worth `priorDays` of exposure) updated with the place's own
 * history gives a negative-binomial predictive count (the gamma-Poisson mixture; Gelman et al.,
 * Bayesian Data Analysis, 3rd ed., section 2.6), whose upper tail is the surprise.
 */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** log Γ(x) for x > 0 (Lanczos, g = 7). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * P(X >= k) for X ~ NegBin(shape r, success probability p): pmf(x) = Γ(x+r)/(Γ(r) x!) p^r (1-p)^x.
 * @example
 * negBinTail(3, 2, 0.5) // P(X >= 3) = 0.3125
 */
export function negBinTail(k: number, r: number, p: number): number {
  if (k <= 0) return 1;
  if (p >= 1) return 0;
  if (p <= 0) return 1;
  // Sum the upper tail from k while terms matter (stable for tiny tails), or 1 - lower sum.
  const logPmf = (x: number) =>
    logGamma(x + r) - logGamma(r) - logGamma(x + 1) + r * Math.log(p) + x * Math.log1p(-p);
  const mean = (r * (1 - p)) / p;
  if (k > mean) {
    let term = Math.exp(logPmf(k));
    let sum = term;
    for (let x = k; x < k + 100_000; x++) {
      term *= ((x + r) / (x + 1)) * (1 - p);
      sum += term;
      if (term < sum * 1e-15) break;
    }
    return Math.min(1, sum);
  }
  let term = Math.exp(logPmf(0));
  let lower = term;
  for (let x = 0; x < k - 1; x++) {
    term *= ((x + r) / (x + 1)) * (1 - p);
    lower += term;
  }
  return Math.max(0, Math.min(1, 1 - lower));
}

/** P(X >= k) for X ~ Poisson(mean). */
export function poissonTail(k: number, mean: number): number {
  if (k <= 0) return 1;
  if (mean <= 0) return 0;
  if (k > mean) {
    let term = Math.exp(-mean + k * Math.log(mean) - logGamma(k + 1));
    let sum = term;
    for (let x = k + 1; x < k + 100_000; x++) {
      term *= mean / x;
      sum += term;
      if (term < sum * 1e-15) break;
    }
    return Math.min(1, sum);
  }
  let term = Math.exp(-mean);
  let lower = term;
  for (let x = 1; x < k; x++) {
    term *= mean / x;
    lower += term;
  }
  return Math.max(0, 1 - lower);
}

export interface Surprise {
  /** Events observed in the window. */
  readonly observed: number;
  /** Events expected in a window of that length from history and neighbourhood. */
  readonly expected: number;
  /** P(at least `observed`) under the expectation. */
  readonly pValue: number;
  /** -log10(pValue), capped at 20: 2 = one in a hundred, 4 = one in ten thousand. */
  readonly score: number;
}

/**
 * Surprise of `observed` events in `windowDays`, for a place with `historyEvents` in
 * `historyDays` before the window and a neighbourhood rate `priorRatePerDay` worth `priorDays`.
 * @example
 * surprise({ observed: 5, windowDays: 30, historyEvents: 0, historyDays: 300, priorRatePerDay: 0.001, priorDays: 60 }).score // > 6
 */
export function surprise(input: {
  readonly observed: number;
  readonly windowDays: number;
  readonly historyEvents: number;
  readonly historyDays: number;
  readonly priorRatePerDay: number;
  readonly priorDays: number;
}): Surprise {
  const shape = input.historyEvents + Math.max(1e-6, input.priorRatePerDay) * input.priorDays;
  const exposure = Math.max(0, input.historyDays) + input.priorDays;
  const expected = (shape / exposure) * input.windowDays;
  const pValue = negBinTail(input.observed, shape, exposure / (exposure + input.windowDays));
  const score = Math.min(20, pValue > 0 ? -Math.log10(pValue) : 20);
  return { observed: input.observed, expected, pValue, score };
}
