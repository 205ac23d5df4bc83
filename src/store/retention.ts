import type { RetentionCutoffs } from "../cases/retention.ts";
import { attachmentRepository } from "./attachment-repository.ts";
import { RETENTION_KEYS, retentionFrom } from "./incident-merge.mjs";
import type { Store } from "./types.ts";

export interface RetentionResult {
  /** Incidents whose caller pseudonym / encrypted number were deleted. */
  readonly callersRemoved: number;
  /** Incidents whose narrative and feedback were deleted. */
  readonly narrativesRemoved: number;
  /** Case attachments whose file and name were deleted (their case closed or cancelled long ago). */
  readonly attachmentsRemoved: number;
}

/** Applies retention cutoffs to the incidents table in one transaction. */
export async function applyRetention(
  store: Store,
  cutoffs: RetentionCutoffs,
  now: number = Math.max(cutoffs.callerBefore, cutoffs.narrativeBefore),
): Promise<RetentionResult> {
  const attachmentsRemoved = await attachmentRepository(store).removeForClosedCasesBefore(
    cutoffs.attachmentsBefore,
    now,
  );
  const incidents = await store.db.transaction().execute(async (trx) => {
    const callers = await trx
      .updateTable("incidents")
      .set({ caller_pseudonym: null, caller_number_enc: null })
      .where("received_at", "<", cutoffs.callerBefore)
      .where((eb) => eb.or([eb("caller_pseudonym", "is not", null), eb("caller_number_enc", "is not", null)]))
      .executeTakeFirst();
    const narratives = await trx
      .updateTable("incidents")
      .set({ narrative: null, feedback: null })
      .where("received_at", "<", cutoffs.narrativeBefore)
      .where((eb) => eb.or([eb("narrative", "is not", null), eb("feedback", "is not", null)]))
      .executeTakeFirst();
    // A later export of these calls must not bring back what was removed (incident-merge.mjs),
    // so the cutoffs applied so far are kept, the latest of each.
    const applied = retentionFrom(
      await trx
        .selectFrom("settings")
        .select(["key", "value"])
        .where("key", "in", [RETENTION_KEYS.callerBefore, RETENTION_KEYS.narrativeBefore])
        .execute(),
    );
    const callerBefore = Math.max(applied.callerBefore, cutoffs.callerBefore);
    const narrativeBefore = Math.max(applied.narrativeBefore, cutoffs.narrativeBefore);
    for (const [key, value] of [
      [RETENTION_KEYS.callerBefore, callerBefore],
      [RETENTION_KEYS.narrativeBefore, narrativeBefore],
    ] as const)
      await trx
        .insertInto("settings")
        .values({ key, value: String(value) })
        .onConflict((oc) => oc.column("key").doUpdateSet({ value: String(value) }))
        .execute();
    // The values updates replaced (incident_revisions) lose the same fields.
    const revisions = await trx
      .selectFrom("incident_revisions as r")
      .innerJoin("incidents as i", "i.id", "r.incident_id")
      .select(["r.id as id", "r.previous as previous", "i.received_at as received_at"])
      .where("i.received_at", "<", Math.max(callerBefore, narrativeBefore))
      .execute();
    for (const r of revisions) {
      const previous = JSON.parse(r.previous) as Record<string, unknown>;
      const gone = [
        ...(Number(r.received_at) < callerBefore ? ["caller_pseudonym", "caller_number_enc"] : []),
        ...(Number(r.received_at) < narrativeBefore ? ["narrative", "feedback"] : []),
      ].filter((k) => previous[k] !== undefined && previous[k] !== null);
      if (gone.length === 0) continue;
      for (const k of gone) previous[k] = null;
      await trx
        .updateTable("incident_revisions")
        .set({ previous: JSON.stringify(previous) })
        .where("id", "=", r.id)
        .execute();
    }
    return {
      callersRemoved: Number(callers.numUpdatedRows),
      narrativesRemoved: Number(narratives.numUpdatedRows),
    };
  });
  return { ...incidents, attachmentsRemoved };
}
