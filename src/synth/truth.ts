import {
  type CategoryGroup,
  groupOf,
  type KeyedEvent,
  type RepeatDefinitions,
  windowSeries,
} from "../repeat/definitions.ts";
import type { EventTable } from "./world.ts";

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

/**
 * Collects, as rows are written, which event and caller each call belongs to. Source ids are
 * kept packed as numbers (a million strings would cost far more) and spelt out by `sourceId`.
 */
export class TruthRecorder {
  readonly packedIds: number[] = [];
  readonly events: number[] = [];
  readonly callers: number[] = [];
  readonly defects: { incident: string; code: string }[] = [];

  constructor(readonly sourceId: (packed: number) => string) {}

  call(packedId: number, event: number, caller: number): void {
    this.packedIds.push(packedId);
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

const isTestCall = (events: EventTable, e: number): boolean =>
  events.kind[e]!.category === "invalid" && events.kind[e]!.subtype === "test";

/**
 * Computes the truth from the true events.
 * @example
 * computeTruth(world.events, recorder, DEFAULT_DEFINITIONS).series.filter((s) => s.kind === "place")
 */
export function computeTruth(
  events: EventTable,
  recorder: TruthRecorder,
  definitions: RepeatDefinitions,
): SynthTruth {
  const { start, calls } = callsByEvent(events.length, recorder);
  const ids = { packed: recorder.packedIds, spell: recorder.sourceId };
  const idOf = (c: number): string => ids.spell(ids.packed[c]!);
  const written = (e: number): boolean => start[e + 1]! > start[e]!;
  const callsOf = (e: number): number[] => Array.from(calls.subarray(start[e]!, start[e + 1]!));
  const byTime = (a: number, b: number): number => a - b;

  const duplicates: string[][] = [];
  for (let e = 0; e < events.length; e++) {
    if (start[e + 1]! - start[e]! >= 2) duplicates.push(callsOf(e).map(idOf));
  }

  // Group per kind is fixed: cache by kind code instead of by event.
  const kindGroup = new Map<string, CategoryGroup | undefined>();
  const group = (e: number): CategoryGroup | undefined => {
    const k = events.kind[e]!;
    if (!kindGroup.has(k.code)) kindGroup.set(k.code, groupOf(definitions, k.category, k.subtype));
    return kindGroup.get(k.code);
  };

  const series: TruthSeries[] = [];

  // Place series: per group, the true key at the group's level; excluded places and tests never count.
  const placeEvents = new Map<CategoryGroup, KeyedEvent<number>[]>();
  for (let e = 0; e < events.length; e++) {
    const g = group(e);
    const key = events.placeKey[e]!;
    if (!g || key === null || !written(e) || isTestCall(events, e)) continue;
    const list = placeEvents.get(g);
    if (list) list.push({ at: events.at[e]!, key, item: e });
    else placeEvents.set(g, [{ at: events.at[e]!, key, item: e }]);
  }
  for (const g of definitions.groups) {
    const list = placeEvents.get(g);
    if (!list) continue;
    for (const members of windowSeries(list, g.minEvents, g.windowDays)) {
      const callIdx = members.flatMap(callsOf).sort(byTime);
      series.push({ kind: "place", group: g.name, level: g.level, incidents: callIdx.map(idOf) });
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
    if (!g || g.noCallerSeries || isTestCall(events, e)) continue;
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
      at: events.at[e]!,
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
      incidents: callIdx.map(idOf),
    });
  }

  // Matter series: one true dispute, enough events in the window, from enough places or callers.
  const matterEvents: KeyedEvent<number>[] = [];
  for (let e = 0; e < events.length; e++) {
    const matter = events.matter[e]!;
    if (matter >= 0 && written(e)) matterEvents.push({ at: events.at[e]!, key: String(matter), item: e });
  }
  const m = definitions.matter;
  for (const members of windowSeries(matterEvents, m.minEvents, m.windowDays)) {
    const places = new Set(members.map((e) => events.placeId.get(e) ?? "none"));
    const callIdx = members.flatMap(callsOf).sort(byTime);
    const callers = new Set(callIdx.map((c) => recorder.callers[c]).filter((c) => c !== undefined && c >= 0));
    if (Math.max(places.size, callers.size) < m.minPlacesOrCallers) continue;
    series.push({ kind: "matter", incidents: callIdx.map(idOf) });
  }

  return { series, duplicates, defects: recorder.defects };
}
