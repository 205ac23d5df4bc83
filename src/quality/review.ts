import { type Random, RecurError, seededRandom } from "../domain/index.ts";
import { periodOf } from "./score.ts";

/**
 * The three-level review of 110 feedback records (市局抽查 / 分局全量 / 派出所自查) as a pure
 * state machine: an item is queued, reviewed (pass, or rework with a reason), reworked by the
 * station and resubmitted, and reviewed again until it passes. The store keeps the events;
 * the state is always the fold of the events, so history and state cannot disagree.
 */
export const REVIEW_LEVELS = ["city", "branch", "station"] as const;
export type ReviewLevel = (typeof REVIEW_LEVELS)[number];

export const REVIEW_STATUSES = ["pending", "rework", "passed"] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

export type ReviewEvent =
  | { readonly kind: "queued"; readonly at: number; readonly by: string }
  | { readonly kind: "pass"; readonly at: number; readonly by: string; readonly note?: string }
  | { readonly kind: "rework"; readonly at: number; readonly by: string; readonly reason: string }
  | { readonly kind: "resubmitted"; readonly at: number; readonly by: string; readonly note?: string };

export interface ReviewItem {
  readonly id: string;
  readonly incidentId: string;
  readonly level: ReviewLevel;
  /** The reviewing unit (city, branch) or the station checking itself. */
  readonly reviewer: string;
  /** The station that answers for the record (receives rework). */
  readonly station: string;
  readonly status: ReviewStatus;
  /** 1 for the first review; +1 after each resubmission. */
  readonly round: number;
  readonly events: readonly ReviewEvent[];
}

/** Thrown when an event does not fit the item's state (a pass on a passed item, ...). */
export class IllegalTransitionError extends RecurError {
  override readonly name = "IllegalTransitionError";
}

function illegal(item: ReviewItem, kind: string): never {
  throw new IllegalTransitionError("illegal_transition", {
    zh: `复核项 ${item.id} 当前状态为“${STATUS_LABELS[item.status].zh}”，不能执行“${EVENT_LABELS[kind]?.zh ?? kind}”`,
    en: `Review item ${item.id} is ${STATUS_LABELS[item.status].en}; cannot ${EVENT_LABELS[kind]?.en ?? kind}`,
  });
}

export const STATUS_LABELS: Readonly<Record<ReviewStatus, { zh: string; en: string }>> = {
  pending: { zh: "待复核", en: "pending review" },
  rework: { zh: "退回整改", en: "returned for rework" },
  passed: { zh: "已通过", en: "passed" },
};

const EVENT_LABELS: Readonly<Record<string, { zh: string; en: string }>> = {
  queued: { zh: "入队", en: "queue" },
  pass: { zh: "通过", en: "pass" },
  rework: { zh: "退回整改", en: "return for rework" },
  resubmitted: { zh: "重新提交", en: "resubmit" },
};

/**
 * Opens a review item.
 * @example openReview({ id: "r1", incidentId: "i1", level: "city", reviewer: "C", station: "S1", at: 0, by: "u" })
 */
export function openReview(input: {
  readonly id: string;
  readonly incidentId: string;
  readonly level: ReviewLevel;
  readonly reviewer: string;
  readonly station: string;
  readonly at: number;
  readonly by: string;
}): ReviewItem {
  return {
    id: input.id,
    incidentId: input.incidentId,
    level: input.level,
    reviewer: input.reviewer,
    station: input.station,
    status: "pending",
    round: 1,
    events: [{ kind: "queued", at: input.at, by: input.by }],
  };
}

/**
 * Applies one event; throws IllegalTransitionError when it does not fit.
 * pending --pass--> passed; pending --rework(reason)--> rework; rework --resubmitted--> pending.
 */
export function applyReviewEvent(item: ReviewItem, event: ReviewEvent): ReviewItem {
  const last = item.events.at(-1);
  if (last && event.at < last.at) illegal(item, event.kind);
  const events = [...item.events, event];
  switch (event.kind) {
    case "pass":
      if (item.status !== "pending") illegal(item, event.kind);
      return { ...item, status: "passed", events };
    case "rework":
      if (item.status !== "pending") illegal(item, event.kind);
      if (event.reason.trim() === "")
        throw new IllegalTransitionError("rework_needs_reason", {
          zh: "退回整改须写明原因",
          en: "A rework verdict needs a reason",
        });
      return { ...item, status: "rework", events };
    case "resubmitted":
      if (item.status !== "rework") illegal(item, event.kind);
      return { ...item, status: "pending", round: item.round + 1, events };
    case "queued":
      return illegal(item, event.kind);
  }
}

/** Rebuilds an item from its stored events (the first must be "queued"). */
export function replayReview(
  base: Omit<ReviewItem, "status" | "round" | "events">,
  events: readonly ReviewEvent[],
): ReviewItem {
  const [first, ...rest] = events;
  if (first?.kind !== "queued")
    throw new IllegalTransitionError("bad_history", {
      zh: "复核记录须以入队开始",
      en: "A review history starts with queued",
    });
  let item: ReviewItem = { ...base, status: "pending", round: 1, events: [first] };
  for (const e of rest) item = applyReviewEvent(item, e);
  return item;
}

export interface CycleTimes {
  /** Queued to final pass, in hours; null while not passed. */
  readonly totalHours: number | null;
  /** Each review's wait: from queued/resubmitted to the verdict, in hours. */
  readonly reviewHours: readonly number[];
  /** Each rework's turnaround at the station: from rework to resubmission, in hours. */
  readonly reworkHours: readonly number[];
}

/** Cycle times of an item, from its events. */
export function cycleTimes(item: ReviewItem): CycleTimes {
  const h = (ms: number) => ms / 3_600_000;
  const reviewHours: number[] = [];
  const reworkHours: number[] = [];
  let waitingSince: number | null = null;
  let reworkSince: number | null = null;
  for (const e of item.events) {
    if (e.kind === "queued" || e.kind === "resubmitted") {
      if (e.kind === "resubmitted" && reworkSince !== null) reworkHours.push(h(e.at - reworkSince));
      waitingSince = e.at;
    } else {
      if (waitingSince !== null) reviewHours.push(h(e.at - waitingSince));
      if (e.kind === "rework") reworkSince = e.at;
    }
  }
  const first = item.events[0]!;
  const last = item.events.at(-1)!;
  return { totalHours: item.status === "passed" ? h(last.at - first.at) : null, reviewHours, reworkHours };
}

const median = (xs: readonly number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** The review workload and cycle times of one level (city sampling, branch queue, station self-check). */
export interface LevelReviewStats {
  readonly level: (typeof REVIEW_LEVELS)[number];
  readonly items: number;
  readonly pending: number;
  readonly rework: number;
  readonly passed: number;
  /** Passes among all verdicts given (pass or rework); null before any verdict. */
  readonly passRate: number | null;
  readonly medianTotalHours: number | null;
  readonly medianReviewHours: number | null;
  readonly medianReworkHours: number | null;
}

/**
 * Counts and median cycle times per review level, over the given items.
 * @example
 * reviewStats(items)[0]; // { level: "city", items: 12, pending: 3, ..., passRate: 0.8, ... }
 */
export function reviewStats(items: readonly ReviewItem[]): LevelReviewStats[] {
  return REVIEW_LEVELS.map((level) => {
    const mine = items.filter((i) => i.level === level);
    const times = mine.map(cycleTimes);
    const verdicts = mine.flatMap((i) => i.events.filter((e) => e.kind === "pass" || e.kind === "rework"));
    return {
      level,
      items: mine.length,
      pending: mine.filter((i) => i.status === "pending").length,
      rework: mine.filter((i) => i.status === "rework").length,
      passed: mine.filter((i) => i.status === "passed").length,
      passRate:
        verdicts.length === 0 ? null : verdicts.filter((e) => e.kind === "pass").length / verdicts.length,
      medianTotalHours: median(times.flatMap((x) => (x.totalHours === null ? [] : [x.totalHours]))),
      medianReviewHours: median(times.flatMap((x) => x.reviewHours)),
      medianReworkHours: median(times.flatMap((x) => x.reworkHours)),
    };
  });
}

/** A candidate record for review queues. */
export interface ReviewCandidate {
  readonly incidentId: string;
  readonly receivedAt: number;
  readonly utcOffsetMin: number;
  readonly stationUnit: string | null;
  readonly branchUnit: string | null;
  /** Errors found by the rules: branch queues and station self-checks put these first. */
  readonly errors: number;
}

export interface SamplingOptions {
  /** random: a simple random sample of the whole; stratified: per station and per week. */
  readonly mode: "random" | "stratified";
  /** Share to draw, 0..1 (N%). */
  readonly rate?: number;
  /** Or a number to draw per station per week (stratified) or in total (random). */
  readonly count?: number;
  readonly seed: number;
}

function shuffleInPlace<T>(items: T[], rng: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

function take(n: number, options: SamplingOptions): number {
  if (options.count !== undefined) return Math.min(n, options.count);
  return Math.min(n, Math.ceil(n * (options.rate ?? 0)));
}

/**
 * The city's sample (市局抽查): reproducible from the seed; the same candidates and seed give
 * the same sample whatever their order.
 * @example citySample(candidates, { mode: "stratified", count: 5, seed: 2024 }) // 5 per station per week
 */
export function citySample(
  candidates: readonly ReviewCandidate[],
  options: SamplingOptions,
): ReviewCandidate[] {
  if ((options.rate === undefined) === (options.count === undefined))
    throw new IllegalTransitionError("bad_sampling", {
      zh: "抽样须且只须指定比例或数量之一",
      en: "Give exactly one of a sampling rate or a count",
    });
  // Sort first so that the input order cannot change the sample.
  const sorted = [...candidates].sort((a, b) =>
    a.incidentId < b.incidentId ? -1 : a.incidentId > b.incidentId ? 1 : 0,
  );
  const rng = seededRandom(options.seed);
  if (options.mode === "random") return shuffleInPlace(sorted, rng).slice(0, take(sorted.length, options));
  const strata = new Map<string, ReviewCandidate[]>();
  for (const c of sorted) {
    const key = `${c.stationUnit ?? ""}\u0000${periodOf(c.receivedAt, c.utcOffsetMin, "week")}`;
    const list = strata.get(key);
    if (list) list.push(c);
    else strata.set(key, [c]);
  }
  const out: ReviewCandidate[] = [];
  for (const key of [...strata.keys()].sort()) {
    const list = strata.get(key)!;
    out.push(...shuffleInPlace(list, rng).slice(0, take(list.length, options)));
  }
  return out;
}

/** A branch's full-review queue (分局全量): every record of its stations, errors first. */
export function branchQueue(candidates: readonly ReviewCandidate[], branch: string): ReviewCandidate[] {
  return candidates
    .filter((c) => c.branchUnit === branch)
    .sort((a, b) => b.errors - a.errors || a.receivedAt - b.receivedAt);
}

/** A station's self-check list (派出所自查): its records with rule errors, most errors first. */
export function stationSelfCheck(candidates: readonly ReviewCandidate[], station: string): ReviewCandidate[] {
  return candidates
    .filter((c) => c.stationUnit === station && c.errors > 0)
    .sort((a, b) => b.errors - a.errors || a.receivedAt - b.receivedAt);
}
