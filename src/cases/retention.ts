import { RecurError } from "../domain/index.ts";

const DAY = 86_400_000;

/**
 * The personal-data retention schedule (docs/privacy.md). Places, times and categories are
 * kept for analysis; what links a record to a person is removed once it is no longer needed.
 */
export interface RetentionPolicy {
  /** After this many days the caller pseudonym and any encrypted caller number are deleted. */
  readonly callerDays: number;
  /** After this many days narrative and feedback text are deleted (category and place stay). */
  readonly narrativeDays: number;
  /** The audit log is kept at least this long; never below a year. */
  readonly auditDays: number;
  /**
   * Case attachments (photos, agreements: personal data) are deleted this many days after their
   * case was closed or cancelled; default: the narrative period.
   */
  readonly attachmentDays?: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = {
  callerDays: 365,
  narrativeDays: 3 * 365,
  auditDays: 3 * 365,
};

/** The audit log must be kept at least a year. */
export const MIN_AUDIT_DAYS = 365;

export interface RetentionCutoffs {
  /** Incidents received before this instant lose their caller link. */
  readonly callerBefore: number;
  /** Incidents received before this instant lose their narrative and feedback. */
  readonly narrativeBefore: number;
  /** Audit entries before this instant may be archived (never deleted by recur itself). */
  readonly auditBefore: number;
  /** Attachments of cases closed or cancelled (and unchanged) before this instant are deleted. */
  readonly attachmentsBefore: number;
}

/**
 * The cutoffs of a run at `now`; rejects a policy that would shorten the audit log below a year.
 * @example
 * retentionCutoffs(DEFAULT_RETENTION, clock.now())
 */
export function retentionCutoffs(policy: RetentionPolicy, now: number): RetentionCutoffs {
  for (const [name, days] of Object.entries(policy))
    if (days !== undefined && (!Number.isFinite(days) || days <= 0))
      throw new RecurError("invalid_retention", {
        zh: `保留期限 ${name} 必须为正数天`,
        en: `retention ${name} must be a positive number of days`,
      });
  if (policy.auditDays < MIN_AUDIT_DAYS)
    throw new RecurError("audit_retention_too_short", {
      zh: `审计日志至少保留 ${MIN_AUDIT_DAYS} 天`,
      en: `the audit log must be kept at least ${MIN_AUDIT_DAYS} days`,
    });
  return {
    callerBefore: now - policy.callerDays * DAY,
    narrativeBefore: now - policy.narrativeDays * DAY,
    auditBefore: now - policy.auditDays * DAY,
    attachmentsBefore: now - (policy.attachmentDays ?? policy.narrativeDays) * DAY,
  };
}
