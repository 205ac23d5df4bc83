import { type Case, type CaseCommand, verificationEnds } from "./case.ts";
import { type History, type Outcome, verifyOutcome } from "./outcome.ts";

/** Options of the periodic sweep over verifying cases. */
export interface SweepOptions {
  readonly now: number;
  /** Events at the case's place or caller after resolution that count as a recurrence. */
  readonly reopenAfterEvents?: number;
}

export interface SweepChange {
  readonly caseId: string;
  readonly version: number;
  readonly command: CaseCommand;
  readonly outcome?: Outcome;
}

/**
 * What the data says about verifying cases: reopen the ones whose place or caller recurred
 * (at least `reopenAfterEvents` events since resolution, default 2: one call can be chance),
 * and close the ones whose window is over as effective or not, by outcome verification
 * against matched control places. Pure: the caller applies the commands.
 * @example
 * sweepVerifying(cases, (c) => histories.get(c.subject.locationKey!), (c) => stationPlaces(c), { now })
 */
export function sweepVerifying(
  cases: readonly Case[],
  subjectHistory: (c: Case) => History | undefined,
  controlCandidates: (c: Case) => readonly History[],
  options: SweepOptions,
): SweepChange[] {
  const reopenAfter = options.reopenAfterEvents ?? 2;
  const changes: SweepChange[] = [];
  for (const c of cases) {
    const ends = verificationEnds(c);
    if (ends === null || c.resolvedAt === null || c.verifyDays === null) continue;
    const history = subjectHistory(c);
    if (!history) continue;
    const since = history.times.filter((t) => t >= c.resolvedAt! && t < Math.min(ends, options.now)).length;
    if (since >= reopenAfter) {
      changes.push({
        caseId: c.id,
        version: c.version,
        command: {
          action: "reopen",
          reason: `自动重新打开：化解后又发生 ${since} 起警情 / reopened automatically: ${since} events since resolution`,
        },
      });
      continue;
    }
    if (options.now < ends) continue;
    const outcome = verifyOutcome(history, controlCandidates(c), {
      resolvedAt: c.resolvedAt,
      windowDays: c.verifyDays,
      now: options.now,
    });
    const note = `核验结论 ${outcome.verdict}：化解前 ${outcome.before} 起，化解后 ${outcome.after} 起，对照预期 ${outcome.expectedAfter.toFixed(1)} 起 / verdict ${outcome.verdict}: ${outcome.before} before, ${outcome.after} after, ${outcome.expectedAfter.toFixed(1)} expected from controls`;
    changes.push({
      caseId: c.id,
      version: c.version,
      command: { action: outcome.verdict === "effective" ? "close_effective" : "close_ineffective", note },
      outcome,
    });
  }
  return changes;
}

export interface OutcomeSummaryRow {
  readonly assignee: string;
  readonly kind: "unit" | "agency";
  readonly open: number;
  readonly verifying: number;
  readonly closedEffective: number;
  readonly closedIneffective: number;
  /** closedEffective / (closedEffective + closedIneffective), null before any case closed. */
  readonly effectiveRate: number | null;
  readonly overdue: number;
}

/**
 * Verified outcomes per unit and partner agency (考核: 化解率、核验有效率).
 * @example
 * outcomeSummary(cases, clock.now())
 */
export function outcomeSummary(cases: readonly Case[], now: number): OutcomeSummaryRow[] {
  const rows = new Map<string, { -readonly [K in keyof OutcomeSummaryRow]: OutcomeSummaryRow[K] }>();
  for (const c of cases) {
    if (!c.assignee) continue;
    const id = `${c.assignee.kind}:${c.assignee.code}`;
    let row = rows.get(id);
    if (!row) {
      row = {
        assignee: c.assignee.code,
        kind: c.assignee.kind,
        open: 0,
        verifying: 0,
        closedEffective: 0,
        closedIneffective: 0,
        effectiveRate: null,
        overdue: 0,
      };
      rows.set(id, row);
    }
    if (c.state === "verifying") row.verifying++;
    else if (c.state === "closed_effective") row.closedEffective++;
    else if (c.state === "closed_ineffective") row.closedIneffective++;
    else if (c.state !== "cancelled" && c.state !== "resolved") {
      row.open++;
      if (c.deadline !== null && c.deadline < now) row.overdue++;
    }
  }
  return [...rows.values()]
    .map((r) => {
      const closed = r.closedEffective + r.closedIneffective;
      return { ...r, effectiveRate: closed > 0 ? r.closedEffective / closed : null };
    })
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.assignee.localeCompare(b.assignee));
}
