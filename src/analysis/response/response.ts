/**
 * Response times of the 110 chain: accepted (接警) -> dispatched (派警) -> arrived (到场).
 *
 * Definitions (docs/analysis.md):
 * - the chain starts at acceptedAt, or at receivedAt when the source has no accept time;
 * - an interval is measured only when both of its ends are known; a negative interval is a data
 *   error, counted apart and left out of the statistics;
 * - "within N minutes" means <= N minutes (a dispatch after exactly 60 s is within 1 minute);
 * - arrival on time: start -> arrived within 5 minutes in urban areas and 10 minutes in
 *   suburban or rural areas (the usual 城区5分钟、郊区10分钟 到场 norm; both configurable).
 */

const MINUTE = 60_000;

/** Times as columns of epoch milliseconds, NaN where unknown. */
export interface ResponseColumns {
  readonly receivedAt: Float64Array;
  readonly acceptedAt: Float64Array;
  readonly dispatchedAt: Float64Array;
  readonly arrivedAt: Float64Array;
  /** 1 where the incident is in a suburban or rural area (10-minute arrival norm), else 0. */
  readonly suburban?: Uint8Array;
}

export interface ResponseOptions {
  /** Thresholds for the "share within" figures, in minutes. */
  readonly withinMinutes?: readonly number[];
  readonly urbanArrivalMinutes?: number;
  readonly suburbanArrivalMinutes?: number;
}

export interface IntervalStats {
  /** Incidents where both ends are known and the interval is not negative. */
  readonly n: number;
  /** Incidents where one end is unknown. */
  readonly missing: number;
  /** Incidents where the later event is recorded before the earlier one (data error). */
  readonly negative: number;
  readonly meanMinutes: number | null;
  readonly medianMinutes: number | null;
  readonly p90Minutes: number | null;
  /** Share (0..1) of n within each threshold, keyed by minutes. */
  readonly within: Readonly<Record<number, number | null>>;
}

export interface ArrivalCompliance {
  readonly n: number;
  readonly onTime: number;
  readonly share: number | null;
  readonly limitMinutes: number;
}

export interface ResponseTimes {
  /** Start (accepted, else received) to dispatched. */
  readonly toDispatch: IntervalStats;
  /** Dispatched to arrived (travel). */
  readonly travel: IntervalStats;
  /** Start to arrived. */
  readonly toArrival: IntervalStats;
  readonly urbanArrival: ArrivalCompliance;
  readonly suburbanArrival: ArrivalCompliance;
}

const DEFAULTS = { withinMinutes: [1, 3, 5], urbanArrivalMinutes: 5, suburbanArrivalMinutes: 10 } as const;

/** Quantile with linear interpolation between order statistics (R's type 7, numpy's default). */
export function quantile(sorted: Float64Array, q: number): number | null {
  if (sorted.length === 0) return null;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

function intervalStats(
  from: Float64Array,
  to: Float64Array,
  index: ArrayLike<number> | null,
  thresholds: readonly number[],
): IntervalStats {
  const count = index ? index.length : from.length;
  const minutes = new Float64Array(count);
  let n = 0;
  let missing = 0;
  let negative = 0;
  let sum = 0;
  for (let k = 0; k < count; k++) {
    const i = index ? index[k]! : k;
    const d = to[i]! - from[i]!;
    if (Number.isNaN(d)) missing++;
    else if (d < 0) negative++;
    else {
      minutes[n++] = d / MINUTE;
      sum += d / MINUTE;
    }
  }
  const sorted = minutes.subarray(0, n).sort();
  const within: Record<number, number | null> = {};
  for (const limit of thresholds) {
    // Count of values <= limit by binary search on the sorted minutes.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! <= limit) lo = mid + 1;
      else hi = mid;
    }
    within[limit] = n > 0 ? lo / n : null;
  }
  return {
    n,
    missing,
    negative,
    meanMinutes: n > 0 ? sum / n : null,
    medianMinutes: quantile(sorted, 0.5),
    p90Minutes: quantile(sorted, 0.9),
    within,
  };
}

/** Start of the chain per incident: accepted, or received when the accept time is unknown. */
export function chainStart(columns: ResponseColumns): Float64Array {
  const out = new Float64Array(columns.receivedAt.length);
  for (let i = 0; i < out.length; i++) {
    const accepted = columns.acceptedAt[i]!;
    out[i] = Number.isNaN(accepted) ? columns.receivedAt[i]! : accepted;
  }
  return out;
}

/**
 * Response-time figures for all incidents, or for those listed in `index` (a unit, a month).
 * @example
 * const r = responseTimes(columns);
 * r.toDispatch.within[1]; // share dispatched within 1 minute
 */
export function responseTimes(
  columns: ResponseColumns,
  options: ResponseOptions = {},
  index: ArrayLike<number> | null = null,
): ResponseTimes {
  const thresholds = options.withinMinutes ?? DEFAULTS.withinMinutes;
  const urbanLimit = options.urbanArrivalMinutes ?? DEFAULTS.urbanArrivalMinutes;
  const suburbanLimit = options.suburbanArrivalMinutes ?? DEFAULTS.suburbanArrivalMinutes;
  const start = chainStart(columns);
  const count = index ? index.length : start.length;
  const compliance = [
    { n: 0, onTime: 0, limit: urbanLimit * MINUTE },
    { n: 0, onTime: 0, limit: suburbanLimit * MINUTE },
  ];
  for (let k = 0; k < count; k++) {
    const i = index ? index[k]! : k;
    const d = columns.arrivedAt[i]! - start[i]!;
    if (Number.isNaN(d) || d < 0) continue;
    const c = compliance[columns.suburban?.[i] === 1 ? 1 : 0]!;
    c.n++;
    if (d <= c.limit) c.onTime++;
  }
  const arrival = (c: (typeof compliance)[number], limitMinutes: number): ArrivalCompliance => ({
    n: c.n,
    onTime: c.onTime,
    share: c.n > 0 ? c.onTime / c.n : null,
    limitMinutes,
  });
  return {
    toDispatch: intervalStats(start, columns.dispatchedAt, index, thresholds),
    travel: intervalStats(columns.dispatchedAt, columns.arrivedAt, index, thresholds),
    toArrival: intervalStats(start, columns.arrivedAt, index, thresholds),
    urbanArrival: arrival(compliance[0]!, urbanLimit),
    suburbanArrival: arrival(compliance[1]!, suburbanLimit),
  };
}

const CLOCK = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/** Milliseconds since midnight of a clock time "HH:MM[:SS]", or NaN. */
export function clockMs(text: string | null | undefined): number {
  const m = CLOCK.exec((text ?? "").trim());
  if (!m) return Number.NaN;
  const [h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  return h > 23 || mi > 59 || s > 59 ? Number.NaN : ((h * 60 + mi) * 60 + s) * 1000;
}

/**
 * Turns clock-only times of one call (received, dispatched, arrived ... in order) into instants.
 * The first is on `dayMs` (midnight of the call's date); each later clock that reads more than
 * `rolloverHours` earlier than the one before it is taken to be on the next day (the call
 * crossed midnight). A smaller step back stays as it is, so the interval comes out negative
 * and is reported as a data error rather than silently becoming a day long.
 * @example
 * clockChain(day, ["23:58", "00:03"]); // [day + 23h58, day + 24h03]
 */
export function clockChain(
  dayMs: number,
  clocks: readonly (string | null)[],
  rolloverHours = 12,
): Float64Array {
  const out = new Float64Array(clocks.length).fill(Number.NaN);
  let offset = 0;
  let previous = Number.NaN;
  clocks.forEach((text, k) => {
    const ms = clockMs(text);
    if (Number.isNaN(ms)) return;
    if (!Number.isNaN(previous) && ms + offset < previous - rolloverHours * 3_600_000) offset += 86_400_000;
    out[k] = dayMs + ms + offset;
    previous = ms + offset;
  });
  return out;
}

/**
 * The same statistics from a histogram of interval lengths (as a database can group them):
 * `seconds[k]` occurs `counts[k]` times; `missing` incidents had no interval. Negative lengths
 * are counted as data errors, as in intervalStats.
 * @example
 * intervalStatsFromHistogram(Float64Array.from([30, 90]), Float64Array.from([3, 1]), 0, [1]).within[1]; // 0.75
 */
export function intervalStatsFromHistogram(
  seconds: Float64Array,
  counts: Float64Array,
  missing: number,
  thresholds: readonly number[],
): IntervalStats {
  const order = Array.from(seconds.keys())
    .filter((k) => seconds[k]! >= 0 && counts[k]! > 0)
    .sort((a, b) => seconds[a]! - seconds[b]!);
  let negative = 0;
  for (let k = 0; k < seconds.length; k++) if (seconds[k]! < 0) negative += counts[k]!;
  let n = 0;
  let sum = 0;
  for (const k of order) {
    n += counts[k]!;
    sum += (counts[k]! * seconds[k]!) / 60;
  }
  // Value at 0-based rank r of the expanded sorted list.
  const at = (r: number): number => {
    let seen = 0;
    for (const k of order) {
      seen += counts[k]!;
      if (r < seen) return seconds[k]! / 60;
    }
    return seconds[order[order.length - 1]!]! / 60;
  };
  const q = (p: number): number | null => {
    if (n === 0) return null;
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    const a = at(lo);
    return a + (h - lo) * (at(Math.min(n - 1, lo + 1)) - a);
  };
  const within: Record<number, number | null> = {};
  for (const limit of thresholds) {
    let c = 0;
    for (const k of order) if (seconds[k]! / 60 <= limit) c += counts[k]!;
    within[limit] = n > 0 ? c / n : null;
  }
  return {
    n,
    missing,
    negative,
    meanMinutes: n > 0 ? sum / n : null,
    medianMinutes: q(0.5),
    p90Minutes: q(0.9),
    within,
  };
}
