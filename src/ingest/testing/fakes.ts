import type { BatchId, Incident } from "../../domain/index.ts";
import type { Batch, BatchSummary, BatchWriter, NewBatch, QuarantinedRow } from "../../store/types.ts";
import type { PrivacyKeys } from "../privacy-port.ts";

/**
 * An in-memory store with the BatchWriter semantics the pipeline relies on: nothing is visible
 * before commit, incidents with a known (sourceSystem, sourceId) are skipped.
 */
export class MemoryStore {
  readonly incidents = new Map<string, Incident>();
  readonly quarantine: QuarantinedRow[] = [];
  readonly batches: Batch[] = [];

  async beginBatch(batch: NewBatch): Promise<BatchWriter> {
    const pending = new Map<string, Incident>();
    const pendingQuarantine: QuarantinedRow[] = [];
    let open = true;
    const key = (i: Incident) => `${i.sourceSystem}\u0000${i.sourceId}`;
    return {
      batch,
      insertIncidents: async (rows) => {
        if (!open) throw new Error("batch closed");
        let added = 0;
        for (const row of rows) {
          const k = key(row);
          if (this.incidents.has(k) || pending.has(k)) continue;
          pending.set(k, row);
          added++;
        }
        return added;
      },
      insertQuarantine: async (rows) => {
        pendingQuarantine.push(...rows);
      },
      commit: async (summary: BatchSummary) => {
        open = false;
        for (const [k, v] of pending) this.incidents.set(k, v);
        this.quarantine.push(...pendingQuarantine);
        const done: Batch = { ...batch, ...summary };
        this.batches.push(done);
        return done;
      },
      rollback: async () => {
        open = false;
      },
    };
  }

  bySourceId(sourceId: string): Incident | undefined {
    return [...this.incidents.values()].find((i) => i.sourceId === sourceId);
  }
}

/** Fixed test keys (never a deployment's). */
export const TEST_KEYS: PrivacyKeys = {
  hmacKey: new Uint8Array(32).fill(1),
  encKey: new Uint8Array(32).fill(2),
};

export const TEST_BATCH = "batch-test" as BatchId;
