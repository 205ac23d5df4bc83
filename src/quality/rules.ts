import {
  CATEGORY_LABELS,
  type Clock,
  DEPARTMENT_LABELS,
  type Incident,
  issueValue,
  SUBTYPE_LABELS,
} from "../domain/index.ts";
import { dispositionOutcome, placeMentions, sixElementCues } from "../text/extract.ts";
import { DEFAULT_SEVERITY, type QualityCode, type QualityIssue } from "./codes.ts";
import type { QualityConfig } from "./config.ts";
import type { NarrativeJudge } from "./judge.ts";

type CategoryVerdict = ReturnType<NarrativeJudge["category"]>;

/** Everything the per-incident rules need besides the incident. */
export interface RuleContext {
  readonly config: QualityConfig;
  readonly clock: Clock;
  /** null = no narrative classification (label consistency rules off). */
  readonly judge: NarrativeJudge | null;
  /**
   * A judge per incident, overriding `judge` when it returns one: e.g. a trained model only for
   * incidents after its training data, the rules for the rest.
   */
  readonly judgeOf?: (incident: Incident) => NarrativeJudge | null;
  /** Median point per station (batch rule, see batch.ts), for the jurisdiction check without a bbox. */
  readonly stationCentres?: ReadonlyMap<string, readonly [number, number]>;
}

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** Builds issues with the configured severity; "off" codes are dropped. */
class IssueList {
  readonly items: QualityIssue[] = [];
  constructor(private readonly config: QualityConfig) {}
  add(
    code: QualityCode,
    field?: string,
    value?: unknown,
    params?: Readonly<Record<string, string | number>>,
  ): void {
    const severity = this.config.severity[code] ?? DEFAULT_SEVERITY[code];
    if (severity === "off") return;
    this.items.push({
      code,
      severity,
      ...(field === undefined ? {} : { field }),
      ...(value === undefined || value === null ? {} : { value: issueValue(value) }),
      ...(params === undefined ? {} : { params }),
    });
  }
}

/** True when a rule list ("invalid", "non_police.consultation", "labour") covers the incident. */
export function matchesScope(
  incident: Pick<Incident, "category" | "subtype" | "department">,
  scope: readonly string[],
): boolean {
  const full = incident.subtype === null ? null : `${incident.category}.${incident.subtype}`;
  for (const s of scope) {
    if (s === incident.category || s === full || (incident.department !== null && s === incident.department))
      return true;
  }
  return false;
}

function blank(text: string | null, placeholders: readonly string[] = []): boolean {
  if (text === null) return true;
  const t = text.trim();
  return t === "" || placeholders.includes(t);
}

function hasCoordinates(incident: Incident): boolean {
  return incident.lon !== null && incident.lat !== null;
}

/** Great-circle distance in km (haversine); datum differences (< 1 km) do not matter here. */
export function distanceKm(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 12_742 * Math.asin(Math.min(1, Math.sqrt(a)));
}

const TIME_FIELDS = ["receivedAt", "acceptedAt", "dispatchedAt", "arrivedAt", "closedAt"] as const;
const ORDER_CODE: Readonly<Record<(typeof TIME_FIELDS)[number], QualityCode | null>> = {
  receivedAt: null,
  acceptedAt: "accept_before_receive",
  dispatchedAt: "dispatch_before_accept",
  arrivedAt: "arrival_before_dispatch",
  closedAt: "close_before_arrival",
};

function localTime(ms: number, offsetMin: number): string {
  return new Date(ms + offsetMin * MINUTE).toISOString().slice(0, 16).replace("T", " ");
}

function categoryName(category: string, subtype: string | null): string {
  const c = CATEGORY_LABELS[category as keyof typeof CATEGORY_LABELS]?.zh ?? category;
  const s = subtype ? (SUBTYPE_LABELS[`${category}.${subtype}`]?.zh ?? subtype) : "";
  return s ? `${c}/${s}` : c;
}

/** Time rules: order of the five times, the future, and the policy limits. */
function timeIssues(incident: Incident, ctx: RuleContext, out: IssueList): void {
  const { config, clock } = ctx;
  const now = clock.now();
  const futureLimit = now + config.futureToleranceMin * MINUTE;
  let inFuture = false;
  for (const field of TIME_FIELDS) {
    const at = incident[field];
    if (at !== null && at > futureLimit) {
      out.add("future_time", field, localTime(at, incident.utcOffsetMin));
      inFuture = true;
    }
  }
  if (!Number.isFinite(incident.receivedAt) || incident.receivedAt <= 0)
    out.add("missing_time", "receivedAt");
  // Each present time against the latest earlier present one: one defect, one issue.
  let previous: (typeof TIME_FIELDS)[number] = "receivedAt";
  for (const field of TIME_FIELDS.slice(1)) {
    const at = incident[field];
    if (at === null) continue;
    const before = incident[previous]!;
    if (at < before)
      out.add(ORDER_CODE[field]!, field, localTime(at, incident.utcOffsetMin), {
        // The field, rendered by its label in the reader's language (`{earlier:label}`).
        earlier: previous,
      });
    previous = field;
  }
  const t = config.timeliness;
  if (!inFuture) {
    if (incident.closedAt !== null) {
      const hours = (incident.closedAt - incident.receivedAt) / HOUR;
      if (hours > t.feedbackWithinHours)
        out.add("late_feedback", "closedAt", localTime(incident.closedAt, incident.utcOffsetMin), {
          hours: Math.round(hours * 10) / 10,
          limit: t.feedbackWithinHours,
        });
    } else if (now - incident.receivedAt > t.feedbackWithinHours * HOUR) {
      out.add("missing_feedback", "closedAt", undefined, { limit: t.feedbackWithinHours });
    }
  }
  const accepted = incident.acceptedAt ?? incident.receivedAt;
  if (incident.dispatchedAt !== null && incident.dispatchedAt >= accepted) {
    const minutes = (incident.dispatchedAt - accepted) / MINUTE;
    if (minutes > t.dispatchWithinMin)
      out.add("slow_dispatch", "dispatchedAt", undefined, {
        minutes: Math.round(minutes),
        limit: t.dispatchWithinMin,
      });
  }
  if (
    incident.arrivedAt !== null &&
    incident.dispatchedAt !== null &&
    incident.arrivedAt >= incident.dispatchedAt
  ) {
    const minutes = (incident.arrivedAt - incident.dispatchedAt) / MINUTE;
    if (minutes > t.arriveWithinMin)
      out.add("slow_arrival", "arrivedAt", undefined, {
        minutes: Math.round(minutes),
        limit: t.arriveWithinMin,
      });
  }
}

function placeIssues(
  incident: Incident,
  ctx: RuleContext,
  out: IssueList,
  placeText: string,
  verdict: CategoryVerdict | null,
): void {
  const { config } = ctx;
  const noAddress = blank(incident.address, config.place.placeholders);
  // When the narrative surely describes a call that needs no place (a silent call recorded as
  // an assault), the label is the defect, not the address.
  const read = verdict?.confident ? verdict.value : null;
  let optional = matchesScope(incident, config.place.optionalFor);
  if (!optional && noAddress && read !== null && read.category !== incident.category) {
    // Judge the need for a place by what the call really is, department included for 非警务.
    const department =
      read.category === "non_police" && ctx.judge
        ? ctx.judge.department(placeText).value
        : incident.department;
    optional = matchesScope(
      { ...incident, category: read.category, subtype: read.subtype, department },
      config.place.optionalFor,
    );
  }
  if (noAddress && !optional) {
    out.add("missing_address", "address", incident.address ?? "");
    if (!hasCoordinates(incident) && placeMentions(placeText).length === 0)
      out.add("missing_place", "address");
  }
  if (incident.lon === null || incident.lat === null) return;
  const { lon, lat } = incident;
  if (
    !Number.isFinite(lon) ||
    !Number.isFinite(lat) ||
    Math.abs(lon) > 180 ||
    Math.abs(lat) > 90 ||
    (lon === 0 && lat === 0)
  ) {
    out.add("coords_invalid", "lon", `${lon},${lat}`);
    return;
  }
  const bbox = config.jurisdiction.bbox;
  if (bbox) {
    if (lon < bbox[0] || lat < bbox[1] || lon > bbox[2] || lat > bbox[3])
      out.add("coords_outside", "lon", `${lon.toFixed(5)},${lat.toFixed(5)}`, { reason: "bbox" });
    return;
  }
  const centre = incident.stationUnit ? ctx.stationCentres?.get(incident.stationUnit) : undefined;
  if (centre) {
    const km = distanceKm(lon, lat, centre[0], centre[1]);
    if (km > config.jurisdiction.maxKmFromStation)
      out.add("coords_outside", "lon", `${lon.toFixed(5)},${lat.toFixed(5)}`, {
        reason: `${Math.round(km)} km`,
      });
  }
}

function labelIssues(
  incident: Incident,
  ctx: RuleContext,
  out: IssueList,
  text: string,
  verdict: CategoryVerdict | null,
): void {
  const { config, judge } = ctx;
  const allowed = config.taxonomy[incident.category] ?? [];
  if (incident.subtype === null || incident.subtype === "") {
    if (!matchesScope(incident, config.labels.subtypeOptionalFor)) out.add("missing_subtype", "subtype");
  } else if (!allowed.includes(incident.subtype)) {
    out.add("unknown_subtype", "subtype", incident.subtype);
  }
  if (incident.category === "non_police" && incident.department === null)
    out.add("missing_department", "department");
  if (incident.category !== "non_police" && incident.department !== null && incident.category !== "complaint")
    out.add("unexpected_department", "department", incident.department);
  if (!judge || !verdict || text === "") return;
  const v = verdict.value;
  if (v && verdict.confident) {
    if (v.category !== incident.category) {
      // A repeat report reads like the event it repeats: its label is right by definition.
      const repeat = incident.category === "invalid" && incident.subtype === "repeat_report";
      if (!repeat) {
        out.add("wrong_category", "category", incident.category, {
          recorded: categoryName(incident.category, incident.subtype),
          suggested: categoryName(v.category, v.subtype),
          evidence: verdict.evidence,
        });
        if (v.category === "invalid")
          out.add("suspected_invalid", "category", incident.category, { reason: verdict.evidence });
      }
    } else if (
      verdict.subtypeConfident &&
      v.subtype &&
      incident.subtype &&
      v.subtype !== incident.subtype &&
      v.subtype !== "other"
    ) {
      out.add("wrong_subtype", "subtype", incident.subtype, {
        recorded: categoryName(incident.category, incident.subtype),
        suggested: categoryName(v.category, v.subtype),
      });
    }
  }
  if (incident.category === "non_police" && incident.department !== null) {
    const d = judge.department(text);
    if (d.value && d.confident && d.value !== incident.department && d.value !== "other")
      out.add("department_mismatch", "department", incident.department, {
        recorded: DEPARTMENT_LABELS[incident.department].zh,
        suggested: DEPARTMENT_LABELS[d.value].zh,
      });
  }
}

/**
 * The issues of one incident: six elements, timeliness, time order, the future, jurisdiction,
 * labels against the taxonomy and against the narrative. Batch rules (duplicates with
 * conflicting categories, station centres) are in batch.ts.
 * @example
 * incidentIssues(makeIncident({ narrative: "" }), { config: DEFAULT_QUALITY_CONFIG, clock, judge: null })
 * // [{ code: "empty_narrative", severity: "error", field: "narrative" }, ...]
 */
export function incidentIssues(incident: Incident, context: RuleContext): QualityIssue[] {
  const judge = context.judgeOf?.(incident) ?? context.judge;
  const ctx = judge === context.judge ? context : { ...context, judge };
  const { config } = ctx;
  const out = new IssueList(config);
  const narrative = incident.narrative?.trim() ?? "";
  const feedback = incident.feedback?.trim() ?? "";
  const both = narrative && feedback ? `${narrative}。${feedback}` : narrative || feedback;
  const text = narrative || feedback;
  const verdict = judge && text ? judge.category(text) : null;

  timeIssues(incident, ctx, out);
  placeIssues(incident, ctx, out, both, verdict);

  // Six elements: time and place above; people, cause, process and result here.
  if (narrative === "") out.add("empty_narrative", "narrative");
  if (blank(incident.disposition)) out.add("missing_disposition", "disposition");
  if (blank(incident.stationUnit)) out.add("missing_station", "stationUnit");
  const exempt = matchesScope(incident, config.sixElements.exempt);
  if (!exempt) {
    if (feedback === "") out.add("missing_feedback_text", "feedback");
    const facts = config.sixElements.textChecks && both ? sixElementCues(both) : null;
    if (facts) {
      if (!facts.mentionsPeople) out.add("missing_people", "narrative");
      if (narrative !== "" && !facts.statesCause && !verdict?.value) out.add("missing_cause", "narrative");
      if (!facts.statesProcess && feedback !== "" && facts.outcome === null)
        out.add("missing_process", "feedback");
    }
    const recordedOutcome = dispositionOutcome(incident.disposition);
    const feedbackOutcome = dispositionOutcome(feedback);
    // Only a flat contradiction counts: "invalid call" on one side, a real outcome on the other
    // (a case opened and then mediated is normal 治安 practice, not a contradiction).
    if (
      recordedOutcome !== null &&
      feedbackOutcome !== null &&
      recordedOutcome !== "handled" &&
      feedbackOutcome !== "handled" &&
      (recordedOutcome === "invalid") !== (feedbackOutcome === "invalid")
    )
      out.add("outcome_mismatch", "disposition", incident.disposition, { outcome: feedbackOutcome });
  }
  labelIssues(incident, ctx, out, text, verdict);
  return out.items;
}
