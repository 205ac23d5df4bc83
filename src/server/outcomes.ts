import type { Case } from "../cases/case.ts";
import type { History } from "../cases/outcome.ts";
import type { Incident, LocationLevel } from "../domain/index.ts";
import type { Store } from "../store/types.ts";

const DAY = 86_400_000;

function mixOf(incidents: readonly Incident[]): Record<string, number> {
  const mix: Record<string, number> = {};
  for (const i of incidents) mix[i.category] = (mix[i.category] ?? 0) + 1;
  return mix;
}

function levelOf(c: Case): LocationLevel {
  return c.subject.locationLevel ?? "building";
}

/** The event history of a case's subject: its place at the case's level, or its caller pseudonym. */
export async function subjectHistory(store: Store, c: Case): Promise<History | undefined> {
  const { locationKey, callerPseudonym } = c.subject;
  const incidents = locationKey
    ? await store.incidents.list({ place: { level: levelOf(c), key: locationKey }, limit: 100_000 })
    : callerPseudonym
      ? await store.incidents.list({ callerPseudonym, limit: 100_000 })
      : [];
  if (incidents.length === 0) return undefined;
  return {
    key: locationKey ?? callerPseudonym ?? c.id,
    times: incidents.map((i) => i.receivedAt),
    mix: mixOf(incidents),
  };
}

/**
 * Candidate control places for a case: every place of the same station (at the case's level)
 * with events around the verification period. Matching happens in verifyOutcome.
 */
export async function controlCandidates(store: Store, c: Case): Promise<History[]> {
  if (!c.stationUnit || c.resolvedAt === null) return [];
  const window = (c.verifyDays ?? 30) * DAY;
  const incidents = await store.incidents.list({
    unit: { level: "station", code: c.stationUnit },
    from: c.resolvedAt - window,
    to: c.resolvedAt + window,
    limit: 500_000,
  });
  const level = levelOf(c);
  const byKey = new Map<string, Incident[]>();
  for (const i of incidents) {
    const key = i.location[level];
    if (!key || key === c.subject.locationKey) continue;
    const list = byKey.get(key);
    if (list) list.push(i);
    else byKey.set(key, [i]);
  }
  return [...byKey].map(([key, list]) => ({ key, times: list.map((i) => i.receivedAt), mix: mixOf(list) }));
}
