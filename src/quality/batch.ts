import type { Incident } from "../domain/index.ts";
import type { QualityIssue } from "./codes.ts";
import type { RuleContext } from "./rules.ts";
import { duplicateDetector, qualityStream } from "./stream.ts";

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

/**
 * Pairs of calls that are one event (same place key or same caller within the window) yet
 * carry different categories, by index: the later call and the earlier one it conflicts with.
 * Repeat reports and invalid calls are left out: their category differs from the event's by
 * definition. Same detector as the streaming check (stream.ts).
 */
export function conflictingDuplicates(
  incidents: readonly Incident[],
  windowMin: number,
): Map<number, { readonly other: number }> {
  const indexOf = new Map(incidents.map((i, index) => [i, index]));
  const detector = duplicateDetector(windowMin);
  const out = new Map<number, { readonly other: number }>();
  for (const index of timeOrder(incidents)) {
    const other = detector.check(incidents[index]!);
    if (other) out.set(index, { other: indexOf.get(other.incident)! });
  }
  return out;
}

/** Indexes in receivedAt order (stable for equal times). */
function timeOrder(incidents: readonly Incident[]): number[] {
  return incidents
    .map((_, i) => i)
    .sort((a, b) => incidents[a]!.receivedAt - incidents[b]!.receivedAt || a - b);
}

/**
 * All issues of a batch of incidents held in memory, aligned with the input (any order). For
 * more incidents than fit in memory, `qualityStream` checks them page by page.
 * @example const issues = batchIssues(incidents, { config, clock, judge });
 */
export function batchIssues(incidents: readonly Incident[], ctx: RuleContext): QualityIssue[][] {
  const centres = ctx.stationCentres ?? stationCentres(incidents, ctx.config.jurisdiction.minStationPoints);
  const stream = qualityStream({ ...ctx, stationCentres: centres });
  const order = timeOrder(incidents);
  const issues = stream.push(order.map((i) => incidents[i]!));
  const out = new Array<QualityIssue[]>(incidents.length);
  order.forEach((index, k) => {
    out[index] = issues[k]!;
  });
  return out;
}
