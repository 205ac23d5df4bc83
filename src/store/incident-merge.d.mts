import type { SqlValue } from "./sqlite-executor.mjs";

/** Settings keys of the retention cutoffs applied so far (retention.ts), read by every batch. */
export const RETENTION_KEYS: { readonly callerBefore: string; readonly narrativeBefore: string };

/** The retention cutoffs from the settings rows of RETENTION_KEYS (none: no cutoff). */
export function retentionFrom(rows: readonly { key: string; value: string }[]): {
  callerBefore: number;
  narrativeBefore: number;
};

/** The columns whose filled-in count is a row's progress (accepted ... feedback). */
export const PROGRESS_COLUMNS: readonly string[];

export type MergeOutcome =
  | { readonly kind: "duplicate" }
  | { readonly kind: "stale" }
  | { readonly kind: "update"; readonly changed: readonly number[] };

/** Merges a later export of a stored incident into it (see incident-merge.mjs). */
export class IncidentMerger {
  constructor(names: readonly string[]);
  readonly names: readonly string[];
  readonly columns: number;
  /** Retention cutoffs applied so far: the caller and texts they removed are never filled in again. */
  retention: { callerBefore: number; narrativeBefore: number };
  progress(values: readonly SqlValue[], offset: number, withoutText?: boolean): number;
  merge(
    incoming: readonly SqlValue[],
    inOffset: number,
    stored: readonly SqlValue[],
    stOffset: number,
  ): MergeOutcome;
  merged(
    incoming: readonly SqlValue[],
    inOffset: number,
    stored: readonly SqlValue[],
    stOffset: number,
    changed: readonly number[],
  ): SqlValue[];
  revision(
    stored: readonly SqlValue[],
    stOffset: number,
    changed: readonly number[],
  ): { columns: string; previous: string };
}
