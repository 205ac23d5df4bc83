import type { Incident } from "../domain/index.ts";
import { DEFAULT_SEVERITY, type QualityIssue } from "./codes.ts";
import { incidentIssues, type RuleContext } from "./rules.ts";

/**
 * Quality checks over a stream of incidents in receivedAt order (as `store.incidents.scan`
 * yields them), chunk by chunk, so that memory stays bounded whatever the number of incidents:
 * the only state carried between chunks is the station centres (computed in a first pass from
 * coordinates alone) and the calls of the last `duplicates.windowMin` minutes.
 */

/** Resolution of the centre histograms: 1e-5 degrees, about one metre. */
const BIN = 1e5;

/**
 * The median point of each station's located calls, from a stream, in memory that grows with
 * the area a station covers (one counter per metre of longitude or latitude seen), not with the
 * number of calls. The median is exact to about a metre.
 * @example
 * const centres = stationCentreAccumulator();
 * for (const chunk of chunks) centres.add(chunk);
 * centres.result(20).get("S01") // [120.1, 30.2]
 */
export function stationCentreAccumulator() {
  const stations = new Map<string, { n: number; lon: Map<number, number>; lat: Map<number, number> }>();
  const bump = (m: Map<number, number>, v: number) => {
    const key = Math.round(v * BIN);
    m.set(key, (m.get(key) ?? 0) + 1);
  };
  const median = (m: Map<number, number>, n: number): number => {
    const keys = [...m.keys()].sort((a, b) => a - b);
    // The two middle ranks (equal when n is odd), as the exact median of the values would use.
    const lowRank = (n - 1) >> 1;
    const highRank = n >> 1;
    let seen = 0;
    let low: number | undefined;
    for (const key of keys) {
      seen += m.get(key)!;
      if (low === undefined && seen > lowRank) low = key;
      if (seen > highRank) return (low! + key) / 2 / BIN;
    }
    return (low ?? 0) / BIN;
  };
  return {
    add(
      points: readonly {
        readonly stationUnit: string | null;
        readonly lon: number | null;
        readonly lat: number | null;
      }[],
    ): void {
      for (const p of points) {
        if (p.stationUnit === null || p.lon === null || p.lat === null) continue;
        let s = stations.get(p.stationUnit);
        if (!s) {
          s = { n: 0, lon: new Map(), lat: new Map() };
          stations.set(p.stationUnit, s);
        }
        s.n++;
        bump(s.lon, p.lon);
        bump(s.lat, p.lat);
      }
    },
    /** Centres of the stations with at least `minPoints` located calls. */
    result(minPoints: number): Map<string, readonly [number, number]> {
      const out = new Map<string, readonly [number, number]>();
      for (const [station, s] of stations)
        if (s.n >= minPoints) out.set(station, [median(s.lon, s.n), median(s.lat, s.n)]);
      return out;
    },
  };
}

/** The finest location key of an incident, or null. */
function placeKey(i: Incident): string | null {
  const l = i.location;
  const key = l.room ?? l.unit ?? l.building ?? l.road ?? l.cross ?? l.poi;
  return key === null ? null : `p:${key}`;
}

interface RecentCall {
  readonly at: number;
  readonly category: string;
  readonly incident: Incident;
}

/**
 * Calls about one event (same place key or same caller within the window) that carry another
 * category than an earlier one, fed in receivedAt order. Repeat reports and invalid calls are
 * left out: their category differs from the event's by definition. Keeps only the calls of
 * the last window.
 * @example const d = duplicateDetector(30); d.check(call) // { other: "A12" } or null
 */
export function duplicateDetector(windowMin: number) {
  const window = windowMin * 60_000;
  const recent = new Map<string, RecentCall[]>();
  let sweptAt = Number.NEGATIVE_INFINITY;
  return {
    /** The earlier call this one conflicts with (the latest such), or null; then remembers it. */
    check(incident: Incident): RecentCall | null {
      if (incident.category === "invalid") return null;
      const at = incident.receivedAt;
      // Forget keys whose calls all lie outside the window, now and then (bounded memory).
      if (at - sweptAt > window) {
        for (const [key, list] of recent) if (at - list[list.length - 1]!.at > window) recent.delete(key);
        sweptAt = at;
      }
      let conflict: RecentCall | null = null;
      const self: RecentCall = { at, category: incident.category, incident };
      for (const key of [
        placeKey(incident),
        incident.callerPseudonym ? `c:${incident.callerPseudonym}` : null,
      ]) {
        if (key === null) continue;
        let list = recent.get(key);
        if (!list) {
          list = [];
          recent.set(key, list);
        }
        let drop = 0;
        while (drop < list.length && at - list[drop]!.at > window) drop++;
        if (drop > 0) list.splice(0, drop);
        if (conflict === null)
          for (let j = list.length - 1; j >= 0; j--)
            if (list[j]!.category !== incident.category) {
              conflict = list[j]!;
              break;
            }
        list.push(self);
      }
      return conflict;
    },
  };
}

/** A running quality check: `push` each chunk (in receivedAt order), get its issues back. */
export interface QualityStream {
  push(chunk: readonly Incident[]): QualityIssue[][];
}

/**
 * Issues of incidents fed in receivedAt order, chunk by chunk; the same rules as `batchIssues`.
 * Give `stationCentres` (from `stationCentreAccumulator` over the same incidents) unless the
 * configuration has a jurisdiction box.
 * @example
 * const stream = qualityStream({ config, clock, judge, stationCentres });
 * for await (const page of store.incidents.scan(10_000)) save(stream.push(page));
 */
export function qualityStream(ctx: RuleContext): QualityStream {
  const severity = ctx.config.severity.conflicting_duplicate ?? DEFAULT_SEVERITY.conflicting_duplicate;
  const duplicates = duplicateDetector(ctx.config.duplicates.windowMin);
  return {
    push(chunk) {
      return chunk.map((incident) => {
        const issues = incidentIssues(incident, ctx);
        if (severity === "off") return issues;
        const other = duplicates.check(incident);
        if (other)
          issues.push({
            code: "conflicting_duplicate",
            severity,
            field: "category",
            value: incident.category,
            params: {
              other: other.incident.sourceId,
              recorded: incident.category,
              otherCategory: other.category,
            },
          });
        return issues;
      });
    },
  };
}
