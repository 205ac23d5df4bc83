import type { RetentionCutoffs } from "../cases/retention.ts";
import { attachmentRepository } from "./attachment-repository.ts";
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
    return {
      callersRemoved: Number(callers.numUpdatedRows),
      narrativesRemoved: Number(narratives.numUpdatedRows),
    };
  });
  return { ...incidents, attachmentsRemoved };
}
