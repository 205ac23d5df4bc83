import type BetterSqlite3 from "better-sqlite3";

export type SqlValue = string | number | null;

/** The statements of a batch, built in sqlite.ts from the row mapping. */
export interface BatchSql {
  readonly insertBatch: string;
  readonly finishBatch: string;
  readonly insertQuarantine: string;
  /** `INSERT INTO incidents (...) VALUES` */
  readonly insertHead: string;
  /** `(?, ?, ...)` for one row */
  readonly tuple: string;
  /** `ON CONFLICT (...) DO NOTHING` */
  readonly insertTail: string;
  readonly columns: number;
  readonly rowsPerStatement: number;
  /** The incidents' column names, in the order of the insert's values (merges read and write them). */
  readonly incidentColumns: readonly string[];
  /** Where the key and the batch id sit in a row of values. */
  readonly keyIndexes: { readonly sourceSystem: number; readonly sourceId: number; readonly batchId: number };
  /** Bulk mode: indexes of `table` dropped for a big batch and re-created at commit. */
  readonly bulk?: { readonly table: string; readonly minRows: number; readonly indexes: readonly string[] };
}

/** A multi-row statement: `head`, then `tuple` once per row (comma-separated), then `tail`. */
export interface MultiRowSql {
  /** Names the prepared statements (one per row count) in the executor's cache. */
  readonly name: string;
  readonly head: string;
  readonly tuple: string;
  readonly tail: string;
  readonly columns: number;
  /** Values of a row that are keys (texts or numbers) before its numbers: `block` needs it. */
  readonly keyColumns?: number;
  readonly rowsPerStatement: number;
}

/**
 * `keepJournal`: take the database's journal mode instead of WAL (an exclusive store's batches);
 * `busyTimeoutMs`: how long to wait for another connection's lock (default 5,000).
 */
export function openConnection(
  path: string,
  options?: { keepJournal?: boolean; busyTimeoutMs?: number },
): BetterSqlite3.Database;

/** What one insert did: new rows, stored incidents updated or found stale, and the updated rows before and after (flat). */
export interface InsertOutcome {
  readonly inserted: number;
  /** Rows merged into a stored incident: of an earlier batch, or of this one (a key repeated in the file). */
  readonly updated: number;
  readonly stale: number;
  /** Values before and after each update of an incident an earlier batch stored (flat, a row of columns each). */
  readonly before: SqlValue[];
  readonly after: SqlValue[];
  /**
   * The rows of the call that were not inserted (their offsets in it): each was merged into, or
   * equal to, or older than, a stored incident. Null when the store could not tell them apart
   * (the rollups then read the batch's rows back).
   */
  skipped: number[] | null;
  /** Values before and after each update of an incident this batch stored (a key repeated in the file). */
  readonly ownBefore: SqlValue[];
  readonly ownAfter: SqlValue[];
}

export class BatchExecutor {
  constructor(
    conn: BetterSqlite3.Database,
    sql: BatchSql,
    /** `sorterRunKib`: the sorter's run size while a bulk batch re-creates its indexes (tests make it small). */
    options?: { cacheKib?: number; busyTimeoutMs?: number; sorterRunKib?: number },
  );
  readonly conn: BetterSqlite3.Database;
  /** `expectedRows`: the importer's estimate of the batch size (bulk mode when large). */
  begin(params: readonly SqlValue[], expectedRows?: number): void;
  /** How many indexes the open batch re-creates at commit (bulk mode). */
  readonly deferredIndexes: number;
  insert(values: readonly SqlValue[]): InsertOutcome;
  /** Runs `spec` over flat values (`spec.columns` per row) in the open batch; returns the changes. */
  rows(spec: MultiRowSql, values: readonly SqlValue[]): number;
  /**
   * Runs `spec` over rows given as their keys (`spec.keyColumns` a row) and their numbers (the
   * rest of the row's columns) in the open batch; returns the changes.
   */
  block(spec: MultiRowSql, keys: readonly SqlValue[], numbers: Float64Array): number;
  quarantine(values: readonly SqlValue[]): void;
  /** Another statement in the open batch transaction (indicator rollups); rows when `read`. */
  statement(sql: string, params: readonly unknown[], read: boolean): unknown[] | null;
  commit(params: readonly SqlValue[]): void;
  rollback(): void;
}
