import type { EpochMs } from "./ids.ts";

/** The only way the core learns the time: passed in, so tests can fix it. */
export interface Clock {
  now(): EpochMs;
}

/** A clock that always says the same instant (tests, reproducible reports). */
export function fixedClock(at: number): Clock {
  return { now: () => at as EpochMs };
}
