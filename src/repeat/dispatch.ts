import {
  type AddressLocator,
  type Category,
  type Lang,
  LOCATION_LEVELS,
  type LocationKeys,
} from "../domain/index.ts";
import { keyId, LEVEL_COUNT } from "./columns.ts";
import { groupOf } from "./definitions.ts";
import type { RepeatIndex, RepeatSeries } from "./engine.ts";
import { explainSeries, GROUP_LABELS, WARNING_LABELS } from "./explain.ts";
import { WARNING_LEVELS, type WarningLevel } from "./options.ts";

const DAY = 86_400_000;

/** What the call-taker knows when dispatching (POST /api/v1/checks). */
export interface DispatchQuery {
  /** Location keys, when the caller already parsed the address. */
  readonly keys?: Partial<LocationKeys>;
  /** Raw address, parsed with the locator passed in the options. */
  readonly address?: string | null;
  readonly lon?: number | null;
  readonly lat?: number | null;
  readonly category: Category;
  readonly subtype?: string | null;
  readonly callerPseudonym?: string | null;
  /** The check's instant (epoch ms); default the newest call in the index. */
  readonly at?: number;
}

/** A case linked to a series (filled in by the cases module through `DispatchOptions.cases`). */
export interface CaseRef {
  readonly id: string;
  readonly seriesId: string;
  readonly state: string;
}

export interface DispatchOptions {
  readonly locator?: AddressLocator;
  /** Radius around the coordinates within which recent events count as "here", metres. */
  readonly radiusMeters?: number;
  readonly cases?: (seriesIds: readonly string[]) => readonly CaseRef[];
  readonly maxSeries?: number;
}

export interface DispatchSeries {
  readonly id: string;
  readonly kind: RepeatSeries["kind"];
  readonly group: string;
  readonly warning: WarningLevel;
  readonly locationLevel: string | null;
  readonly locationKey: string | null;
  readonly callerPseudonym: string | null;
  readonly events: number;
  readonly start: number;
  readonly end: number;
  /** Same kind of matter as the call being dispatched. */
  readonly sameGroup: boolean;
  /** How it was found: the address keys, the coordinates, the caller, or a linked matter. */
  readonly via: "address" | "coordinates" | "caller" | "matter";
  readonly explanation: Readonly<Record<Lang, string>>;
}

export interface DispatchAnswer {
  /** Open series related to this call, most serious first. */
  readonly series: readonly DispatchSeries[];
  /** Events of the call's group at its place within the group's window (before this call). */
  readonly recentAtPlace: number;
  /** This call would complete a place series (recentAtPlace + 1 reaches the rule's minimum). */
  readonly wouldFormSeries: boolean;
  readonly cases: readonly CaseRef[];
  /** Highest warning among the series, or null. */
  readonly warning: WarningLevel | null;
  readonly summary: Readonly<Record<Lang, string>>;
}

const RANK: Readonly<Record<WarningLevel, number>> = { blue: 0, yellow: 1, orange: 2, red: 3 };

/**
 * The dispatch-time check: related open series (place, caller, matter) and cases for a call
 * being dispatched. Only hash lookups and bounded chain walks: well under 10 ms at 10,000,000
 * calls (bench/repeat.ts measures it).
 * @example
 * checkAtDispatch(index, { keys: { room: "阳光小区3栋2单元501" }, category: "public_order", subtype: "noise" })
 */
export function checkAtDispatch(
  index: RepeatIndex,
  query: DispatchQuery,
  options: DispatchOptions = {},
): DispatchAnswer {
  const at = query.at ?? index.maxAt;
  const dict = index.calls.dict;
  const group = groupOf(index.options.definitions, query.category, query.subtype ?? null);
  const groupIdx = group ? index.options.definitions.groups.indexOf(group) : -1;
  let keys: Partial<LocationKeys> = query.keys ?? {};
  if (!query.keys && options.locator && (query.address || query.lon != null))
    keys = options.locator.locate(query.address ?? null, query.lon ?? null, query.lat ?? null);

  const found = new Map<string, { series: RepeatSeries; via: DispatchSeries["via"] }>();
  const isOpen = (s: RepeatSeries) => at - s.end <= s.windowDays * DAY && s.start <= at;
  const take = (bucket: string, via: DispatchSeries["via"]) => {
    const list = index.buckets.get(bucket);
    if (!list) return;
    for (const s of list) if (isOpen(s) && !found.has(s.id)) found.set(s.id, { series: s, via });
  };
  const groups = index.groupCount;

  // 1. The place: every group's series at each known key.
  let recentAtPlace = 0;
  let placeEvent = -1;
  for (let l = 0; l < LEVEL_COUNT; l++) {
    const text = keys[LOCATION_LEVELS[l]!];
    if (!text) continue;
    const key = keyId(dict, l, text);
    if (key < 0) continue;
    for (let g = 0; g < groups; g++)
      if (index.groupRule(g)!.level === l) take(`p:${l}:${key}:${g}`, "address");
    if (group && groupIdx >= 0 && index.groupRule(groupIdx)!.level === l) {
      const lo = at - group.windowDays * DAY;
      const prev = index.evPrev[l]!;
      for (let e = index.latestAt(l, key), steps = 0; e >= 0 && steps < 256; e = prev[e]!, steps++) {
        const t = index.evAt[e]!;
        if (t > at) continue;
        if (t < lo) break;
        if (index.eventGroup(e) === groupIdx) {
          recentAtPlace++;
          placeEvent = e;
        }
      }
    }
  }

  // 2. Coordinates: recent events within the radius, and the series at their places.
  const lon = query.lon;
  const lat = query.lat;
  if (lon != null && lat != null && index.cellHead.size > 0) {
    const radius = options.radiusMeters ?? index.options.definitions.duplicates.radiusMeters;
    const cell = index.cellSize;
    const [x, y] = index.projectPoint(lon, lat);
    const reach = Math.ceil(radius / cell);
    const cx = Math.floor(x / cell);
    const cy = Math.floor(y / cell);
    const lo = at - index.maxWindowMs;
    for (let dx = -reach; dx <= reach; dx++)
      for (let dy = -reach; dy <= reach; dy++) {
        let e = index.cellHead.get(cx + dx, cy + dy);
        for (let steps = 0; e >= 0 && steps < 64; steps++, e = index.evPrevCell[e]!) {
          const t = index.evAt[e]!;
          if (t > at) continue;
          if (t < lo) break;
          const ddx = index.evX[e]! - x;
          const ddy = index.evY[e]! - y;
          if (ddx * ddx + ddy * ddy > radius * radius) continue;
          const g = index.eventGroup(e);
          if (g < 0) continue;
          const l = index.groupRule(g)!.level;
          const key = index.evKeys[l]![e]!;
          if (key >= 0) take(`p:${l}:${key}:${g}`, "coordinates");
        }
      }
  }

  // 3. The caller (pseudonym only).
  if (query.callerPseudonym) {
    const c = dict.callers.get(query.callerPseudonym);
    if (c >= 0) for (let g = 0; g < groups; g++) take(`c:${c}:${g}`, "caller");
  }

  // 4. Matter series linked to what was found, or to the latest event of this group here.
  const anchors = [...found.values()].map((f) => f.series.events[f.series.events.length - 1]!);
  if (placeEvent >= 0) anchors.push(placeEvent);
  for (const e of anchors) take(`m:${index.matterRoot(e)}`, "matter");

  const maxSeries = options.maxSeries ?? 10;
  const rankOf = (s: RepeatSeries) => (s.group === group?.name ? 10 : 0) + RANK[s.warning];
  const series = [...found.values()]
    .sort((a, b) => rankOf(b.series) - rankOf(a.series) || b.series.end - a.series.end)
    .slice(0, maxSeries)
    .map(
      ({ series: s, via }): DispatchSeries => ({
        id: s.id,
        kind: s.kind,
        group: s.group,
        warning: s.warning,
        locationLevel: s.locationLevel,
        locationKey: s.locationKey,
        callerPseudonym: s.callerPseudonym,
        events: s.events.length,
        start: s.start,
        end: s.end,
        sameGroup: s.group === group?.name,
        via,
        explanation: explainSeries(index, s, 5),
      }),
    );
  const warning = series.reduce<WarningLevel | null>(
    (w, s) => (w === null || RANK[s.warning] > RANK[w] ? s.warning : w),
    null,
  );
  const wouldFormSeries = group !== undefined && recentAtPlace + 1 >= group.minEvents;
  const cases = options.cases ? options.cases(series.map((s) => s.id)) : [];
  return {
    series,
    recentAtPlace,
    wouldFormSeries,
    cases,
    warning,
    summary: summarize(series.length, warning, recentAtPlace, group?.name, wouldFormSeries),
  };
}

function summarize(
  count: number,
  warning: WarningLevel | null,
  recent: number,
  group: string | undefined,
  wouldForm: boolean,
): Readonly<Record<Lang, string>> {
  const g = group ? GROUP_LABELS[group] : undefined;
  const zh: string[] = [];
  const en: string[] = [];
  if (count > 0 && warning) {
    zh.push(`关联${count}个未结重复警情系列，最高${WARNING_LABELS[warning].zh}预警`);
    en.push(`${count} related open repeat series, highest ${WARNING_LABELS[warning].en}`);
  } else {
    zh.push("无关联的未结重复警情系列");
    en.push("no related open repeat series");
  }
  if (g && recent > 0) {
    zh.push(`该地点近期已有${recent}起${g.zh}事件${wouldForm ? "，本次报警将构成一地多报" : ""}`);
    en.push(
      `${recent} recent ${g.en} events at this place${wouldForm ? "; this call makes it a place series" : ""}`,
    );
  }
  return { zh: zh.join("；"), en: en.join("; ") };
}

/** Highest of two warning levels. */
export function maxWarning(a: WarningLevel, b: WarningLevel): WarningLevel {
  return WARNING_LEVELS[Math.max(RANK[a], RANK[b])]!;
}
