import type { Category, LocationLevel } from "../domain/index.ts";

/**
 * The rule definitions of repeat incidents (docs/repeat.md). Both the synthetic city's truth
 * file and the repeat engine use these same definitions, so that recur is scored against the
 * rule it claims to implement.
 */

/** A group of categories/subtypes that count as "the same kind of matter" for series. */
export interface CategoryGroup {
  readonly name: string;
  /** Members as "category" (every subtype) or "category.subtype". */
  readonly members: readonly string[];
  /** Location level at which place series of this group are formed. */
  readonly level: LocationLevel;
  /** Minimum number of events (not calls) in a series. */
  readonly minEvents: number;
  /** Sliding window in days: at least minEvents events within this many days. */
  readonly windowDays: number;
  /** Protective groups (domestic violence, victim help) are flagged for protective follow-up, never nuisance. */
  readonly protective?: boolean;
  /** Groups that never form caller series (complaints about police or other authorities). */
  readonly noCallerSeries?: boolean;
}

export interface DuplicateRule {
  /** Calls within this many minutes of the event's first call can be the same event. */
  readonly windowMinutes: number;
  /** ... and within this distance in metres when both have coordinates. */
  readonly radiusMeters: number;
  /** Location level whose equal keys make two calls "the same place" for one event. */
  readonly level: LocationLevel;
}

export interface RepeatDefinitions {
  readonly groups: readonly CategoryGroup[];
  readonly duplicates: DuplicateRule;
  /** Caller series: same pseudonym, same group, at least minEvents within windowDays. */
  readonly caller: { readonly minEvents: number; readonly windowDays: number };
  /** Matter series: one dispute reported from at least minPlacesOrCallers places or callers. */
  readonly matter: {
    readonly minEvents: number;
    readonly windowDays: number;
    readonly minPlacesOrCallers: number;
  };
}

/**
 * Defaults. Sources: many chronic-nuisance ordinances count 3 calls within 30 to 180 days
 * (e.g. Milwaukee's ordinance 80-10: 3 nuisance activities in 30 days); the POP Center guide
 * "Analyzing Repeat Victimization" (Weisel 2005) shows most repeats come within a month.
 */
export const DEFAULT_DEFINITIONS: RepeatDefinitions = {
  groups: [
    { name: "noise", members: ["public_order.noise"], level: "room", minEvents: 3, windowDays: 30 },
    { name: "neighbour", members: ["dispute.neighbour"], level: "room", minEvents: 3, windowDays: 60 },
    {
      name: "domestic",
      members: ["dispute.family", "criminal.domestic_violence", "help.victim_help"],
      level: "room",
      minEvents: 2,
      windowDays: 90,
      protective: true,
    },
    { name: "labour", members: ["dispute.labour"], level: "poi", minEvents: 3, windowDays: 60 },
    { name: "consumer", members: ["dispute.consumer"], level: "poi", minEvents: 3, windowDays: 60 },
    { name: "property", members: ["dispute.property_mgmt"], level: "poi", minEvents: 3, windowDays: 60 },
    { name: "debt", members: ["dispute.debt"], level: "room", minEvents: 3, windowDays: 60 },
    {
      name: "violence",
      members: ["criminal.assault", "criminal.homicide", "public_order.fight", "public_order.threat"],
      level: "building",
      minEvents: 3,
      windowDays: 30,
    },
    {
      name: "property_crime",
      members: ["criminal.theft", "criminal.burglary", "criminal.robbery", "criminal.vandalism"],
      level: "building",
      minEvents: 3,
      windowDays: 30,
    },
    { name: "disorder", members: ["public_order"], level: "building", minEvents: 3, windowDays: 30 },
    { name: "help", members: ["help"], level: "room", minEvents: 3, windowDays: 30 },
    {
      name: "complaint",
      members: ["complaint"],
      level: "building",
      minEvents: 3,
      windowDays: 30,
      noCallerSeries: true,
    },
    { name: "invalid", members: ["invalid"], level: "building", minEvents: 3, windowDays: 30 },
  ],
  duplicates: { windowMinutes: 60, radiusMeters: 150, level: "building" },
  caller: { minEvents: 3, windowDays: 30 },
  matter: { minEvents: 3, windowDays: 60, minPlacesOrCallers: 2 },
};

/**
 * The group of a category/subtype: the most specific matching member wins ("dispute.family"
 * before "dispute"); first group in order on a tie. undefined = not part of any group.
 * @example
 * groupOf(DEFAULT_DEFINITIONS, "public_order", "noise")?.name // "noise"
 */
export function groupOf(
  definitions: RepeatDefinitions,
  category: Category,
  subtype: string | null,
): CategoryGroup | undefined {
  const specific = subtype ? `${category}.${subtype}` : undefined;
  let broad: CategoryGroup | undefined;
  for (const group of definitions.groups) {
    if (specific && group.members.includes(specific)) return group;
    if (!broad && group.members.includes(category)) broad = group;
  }
  return broad;
}

/** One event to be grouped: its time and the key it is grouped by (place, caller or matter). */
export interface KeyedEvent<T> {
  readonly at: number;
  readonly key: string;
  readonly item: T;
}

const DAY_MS = 86_400_000;

/**
 * The sliding-window series rule, shared by place, caller and matter series and by the
 * generator's truth:
 * 1. per key, sort events by time;
 * 2. event i opens a dense window when [t_i, t_i + W] holds at least k events;
 * 3. every event inside a dense window is a member;
 * 4. members with consecutive gaps <= W form one series (maximal runs).
 * Series never overlap and each has at least k events. SQL form: docs/repeat.md.
 * @example
 * windowSeries([{ at: 0, key: "a", item: 1 }, { at: DAY, key: "a", item: 2 }, { at: 2 * DAY, key: "a", item: 3 }], 3, 30)
 * // [[1, 2, 3]]
 */
export function windowSeries<T>(
  events: readonly KeyedEvent<T>[],
  minEvents: number,
  windowDays: number,
): T[][] {
  const window = windowDays * DAY_MS;
  const byKey = new Map<string, KeyedEvent<T>[]>();
  for (const event of events) {
    const list = byKey.get(event.key);
    if (list) list.push(event);
    else byKey.set(event.key, [event]);
  }
  const series: T[][] = [];
  for (const list of byKey.values()) {
    if (list.length < minEvents) continue;
    list.sort((a, b) => a.at - b.at);
    const member = new Uint8Array(list.length);
    let end = 0;
    for (let i = 0; i < list.length; i++) {
      const start = list[i]!.at;
      if (end < i) end = i;
      while (end + 1 < list.length && list[end + 1]!.at <= start + window) end++;
      if (end - i + 1 >= minEvents) member.fill(1, i, end + 1);
    }
    let current: T[] = [];
    let lastAt = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < list.length; i++) {
      if (!member[i]) continue;
      const event = list[i]!;
      if (current.length > 0 && event.at - lastAt > window) {
        series.push(current);
        current = [];
      }
      current.push(event.item);
      lastAt = event.at;
    }
    if (current.length > 0) series.push(current);
  }
  return series;
}
