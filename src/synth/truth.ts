import {
  type CategoryGroup,
  groupOf,
  type KeyedEvent,
  type RepeatDefinitions,
  windowSeries,
} from "../repeat/definitions.ts";
import type { EventRecord } from "./world.ts";

/**
 * The truth file: repeat series and duplicate groups computed from the TRUE events, places and
 * callers (before any noise in the rendered rows), with the repeat engine's own definitions and
 * sliding-window rule (src/repeat/definitions.ts). Rules: docs/synthetic-city.md#truth.
 */

export interface TruthSeries {
  readonly kind: "place" | "caller" | "matter";
  /** Category group of the series (place and caller series); absent for matter series. */
  readonly group?: string;
  /** Location level of a place series. */
  readonly level?: string;
  /** Source ids (接警单号) of the calls that make up the series, in time order. */
  readonly incidents: readonly string[];
}

export interface SynthTruth {
  readonly series: readonly TruthSeries[];
  /** Calls of one true event, when there are two or more. */
  readonly duplicates: readonly (readonly string[])[];
  readonly defects: readonly { readonly incident: string; readonly code: string }[];
}

/** Collects, as rows are written, which event and caller each source id belongs to. */
export class TruthRecorder {
  readonly sourceIds: string[] = [];
  readonly events: number[] = [];
  readonly callers: number[] = [];
  readonly defects: { incident: string; code: string }[] = [];

  call(sourceId: string, event: number, caller: number): void {
    this.sourceIds.push(sourceId);
    this.events.push(event);
    this.callers.push(caller);
  }

  defect(sourceId: string, code: string): void {
    this.defects.push({ incident: sourceId, code });
  }
}

/** Calls of each event, in the order they were written (= time order). */
function callsByEvent(eventCount: number, recorder: TruthRecorder): { start: Int32Array; calls: Int32Array } {
  const start = new Int32Array(eventCount + 1);
  for (const e of recorder.events) start[e + 1]!++;
  for (let i = 0; i < eventCount; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, eventCount);
  const calls = new Int32Array(recorder.events.length);
  recorder.events.forEach((e, i) => {
    calls[fill[e]!++] = i;
  });
  return { start, calls };
}

const isTestCall = (event: EventRecord): boolean =>
  event.kind.category === "invalid" && event.kind.subtype === "test";

/**
 * Computes the truth from the true events.
 * @example
 * computeTruth(world.events, recorder, DEFAULT_DEFINITIONS).series.filter((s) => s.kind === "place")
 */
export function computeTruth(
  events: readonly EventRecord[],
  recorder: TruthRecorder,
  definitions: RepeatDefinitions,
): SynthTruth {
  const { start, calls } = callsByEvent(events.length, recorder);
  const ids = recorder.sourceIds;
  const written = (e: number): boolean => start[e + 1]! > start[e]!;
  const callsOf = (e: number): number[] => Array.from(calls.subarray(start[e]!, start[e + 1]!));
  const byTime = (a: number, b: number): number => a - b;

  const duplicates: string[][] = [];
  for (let e = 0; e < events.length; e++) {
    if (start[e + 1]! - start[e]! >= 2) duplicates.push(callsOf(e).map((c) => ids[c]!));
  }

  // Group per kind is fixed: cache by kind code instead of by event.
  const kindGroup = new Map<string, CategoryGroup | undefined>();
  const group = (e: number): CategoryGroup | undefined => {
    const k = events[e]!.kind;
    if (!kindGroup.has(k.code)) kindGroup.set(k.code, groupOf(definitions, k.category, k.subtype));
    return kindGroup.get(k.code);
  };

  const series: TruthSeries[] = [];

  // Place series: per group, the true key at the group's level; excluded places and tests never count.
  const placeEvents = new Map<CategoryGroup, KeyedEvent<number>[]>();
  for (let e = 0; e < events.length; e++) {
    const event = events[e]!;
    const g = group(e);
    const key = event.placeKey;
    if (!g || key === null || !written(e) || isTestCall(event)) continue;
    const list = placeEvents.get(g);
    if (list) list.push({ at: event.at, key, item: e });
    else placeEvents.set(g, [{ at: event.at, key, item: e }]);
  }
  for (const g of definitions.groups) {
    const list = placeEvents.get(g);
    if (!list) continue;
    for (const members of windowSeries(list, g.minEvents, g.windowDays)) {
      const callIdx = members.flatMap(callsOf).sort(byTime);
      series.push({ kind: "place", group: g.name, level: g.level, incidents: callIdx.map((c) => ids[c]!) });
    }
  }

  // Caller series: per caller and group, events (not calls) the caller called about. Most
  // callers call once: count first, and key only the callers who can reach minEvents.
  const groupPosition = new Map(definitions.groups.map((g, i) => [g, i]));
  const slots = definitions.groups.length;
  const pairs: number[] = [];
  const perKey = new Map<number, number>();
  for (let e = 0; e < events.length; e++) {
    const g = group(e);
    if (!g || g.noCallerSeries || isTestCall(events[e]!)) continue;
    const gi = groupPosition.get(g)!;
    for (let i = start[e]!; i < start[e + 1]!; i++) {
      const caller = recorder.callers[calls[i]!]!;
      if (caller < 0) continue;
      let repeated = false;
      for (let j = start[e]!; j < i; j++) if (recorder.callers[calls[j]!] === caller) repeated = true;
      if (repeated) continue;
      const key = caller * slots + gi;
      perKey.set(key, (perKey.get(key) ?? 0) + 1);
      pairs.push(key, e);
    }
  }
  const callerEvents: KeyedEvent<{ event: number; caller: number }>[] = [];
  for (let p = 0; p < pairs.length; p += 2) {
    const key = pairs[p]!;
    if (perKey.get(key)! < definitions.caller.minEvents) continue;
    const e = pairs[p + 1]!;
    callerEvents.push({
      at: events[e]!.at,
      key: String(key),
      item: { event: e, caller: Math.floor(key / slots) },
    });
  }
  for (const members of windowSeries(
    callerEvents,
    definitions.caller.minEvents,
    definitions.caller.windowDays,
  )) {
    const caller = members[0]!.caller;
    const callIdx = members
      .flatMap((m) => callsOf(m.event))
      .filter((c) => recorder.callers[c] === caller)
      .sort(byTime);
    series.push({
      kind: "caller",
      group: group(members[0]!.event)!.name,
      incidents: callIdx.map((c) => ids[c]!),
    });
  }

  // Matter series: one true dispute, enough events in the window, from enough places or callers.
  const matterEvents: KeyedEvent<number>[] = [];
  for (let e = 0; e < events.length; e++) {
    const event = events[e]!;
    if (event.matter >= 0 && written(e))
      matterEvents.push({ at: event.at, key: String(event.matter), item: e });
  }
  const m = definitions.matter;
  for (const members of windowSeries(matterEvents, m.minEvents, m.windowDays)) {
    const places = new Set(members.map((e) => events[e]!.placeId ?? "none"));
    const callIdx = members.flatMap(callsOf).sort(byTime);
    const callers = new Set(callIdx.map((c) => recorder.callers[c]).filter((c) => c !== undefined && c >= 0));
    if (Math.max(places.size, callers.size) < m.minPlacesOrCallers) continue;
    series.push({ kind: "matter", incidents: callIdx.map((c) => ids[c]!) });
  }

  return { series, duplicates, defects: recorder.defects };
}
