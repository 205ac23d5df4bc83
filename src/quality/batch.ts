import type { Incident } from "../domain/index.ts";
import { DEFAULT_SEVERITY, type QualityIssue } from "./codes.ts";
import { incidentIssues, type RuleContext } from "./rules.ts";

/**
 * Rules that need more than one incident: the median point of each station (to judge
 * coordinates when no boundary is configured) and calls about one event that carry
 * conflicting categories.
 */

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  const mid = values.length >> 1;
  return values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

/**
 * Median longitude and latitude of the located calls of each station with enough of them. The
 * median ignores a few far-off points, so a handful of wrong coordinates cannot drag the centre.
 */
export function stationCentres(
  incidents: readonly Incident[],
  minPoints: number,
): Map<string, readonly [number, number]> {
  const lons = new Map<string, number[]>();
  const lats = new Map<string, number[]>();
  for (const i of incidents) {
    if (i.stationUnit === null || i.lon === null || i.lat === null) continue;
    let lo = lons.get(i.stationUnit);
    if (!lo) {
      lo = [];
      lons.set(i.stationUnit, lo);
      lats.set(i.stationUnit, []);
    }
    lo.push(i.lon);
    lats.get(i.stationUnit)!.push(i.lat);
  }
  const out = new Map<string, readonly [number, number]>();
  for (const [station, lo] of lons) {
    if (lo.length < minPoints) continue;
    out.set(station, [median(lo), median(lats.get(station)!)]);
  }
  return out;
}

/** The finest location key of an incident, or null. */
function placeKey(i: Incident): string | null {
  const l = i.location;
  const key = l.room ?? l.unit ?? l.building ?? l.road ?? l.cross ?? l.poi;
  return key === null ? null : `p:${key}`;
}

/**
 * Pairs of calls that are one event (same place key or same caller within the window) yet
 * carry different categories. Repeat reports and invalid calls are left out: their category
 * differs from the event's by definition.
 */
export function conflictingDuplicates(
  incidents: readonly Incident[],
  windowMin: number,
): Map<number, { readonly other: number }> {
  const window = windowMin * 60_000;
  const byKey = new Map<string, number[]>();
  incidents.forEach((i, index) => {
    if (i.category === "invalid") return;
    for (const key of [placeKey(i), i.callerPseudonym ? `c:${i.callerPseudonym}` : null]) {
      if (key === null) continue;
      const list = byKey.get(key);
      if (list) list.push(index);
      else byKey.set(key, [index]);
    }
  });
  const out = new Map<number, { readonly other: number }>();
  for (const list of byKey.values()) {
    if (list.length < 2) continue;
    list.sort((a, b) => incidents[a]!.receivedAt - incidents[b]!.receivedAt);
    for (let k = 1; k < list.length; k++) {
      const later = incidents[list[k]!]!;
      for (let j = k - 1; j >= 0; j--) {
        const earlier = incidents[list[j]!]!;
        if (later.receivedAt - earlier.receivedAt > window) break;
        if (earlier.category !== later.category && !out.has(list[k]!)) {
          out.set(list[k]!, { other: list[j]! });
          break;
        }
      }
    }
  }
  return out;
}

/**
 * All issues of a batch of incidents, aligned with the input.
 * @example const issues = batchIssues(incidents, { config, clock, judge });
 */
export function batchIssues(incidents: readonly Incident[], ctx: RuleContext): QualityIssue[][] {
  const centres = ctx.stationCentres ?? stationCentres(incidents, ctx.config.jurisdiction.minStationPoints);
  const full: RuleContext = { ...ctx, stationCentres: centres };
  const out = incidents.map((i) => incidentIssues(i, full));
  const severity = ctx.config.severity.conflicting_duplicate ?? DEFAULT_SEVERITY.conflicting_duplicate;
  if (severity !== "off") {
    for (const [index, { other }] of conflictingDuplicates(incidents, ctx.config.duplicates.windowMin)) {
      const a = incidents[index]!;
      const b = incidents[other]!;
      out[index]!.push({
        code: "conflicting_duplicate",
        severity,
        field: "category",
        value: a.category,
        params: { other: b.sourceId, recorded: a.category, otherCategory: b.category },
      });
    }
  }
  return out;
}
