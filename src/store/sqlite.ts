import { serialize } from "node:v8";
import { Worker } from "node:worker_threads";
import { Kysely, SqliteAdapter, SqliteDialect } from "kysely";
import type { RollupBlock } from "../analysis/indicators/rollups.ts";
import type { Incident } from "../domain/index.ts";
import { BatchUpdates } from "./batch-updates.ts";
import {
  batchClosedError,
  batchExistsError,
  batchMismatchError,
  storeBusyError,
  storeOpenError,
} from "./errors.ts";
import { BatchRollups, batchTx } from "./indicator-rollups.ts";
import { migrateToLatest } from "./migrate.ts";
import { Mutex } from "./mutex.ts";
import {
  batchRepository,
  incidentRepository,
  quarantineRepository,
  settingsRepository,
} from "./repositories.ts";
import { INCIDENT_COLUMN_NAMES, quarantineToRow, writeIncidentValues } from "./rows.ts";
import type { Database } from "./schema.ts";
import {
  BatchExecutor,
  type BatchSql,
  type InsertOutcome,
  type MultiRowSql,
  openConnection,
  type SqlValue,
} from "./sqlite-executor.mjs";
import type { Batch, BatchSummary, BatchWriter, NewBatch, QuarantinedRow, Store } from "./types.ts";
import { ValueEncoder } from "./value-codes.mjs";

/** Page cache of the batch connection (KiB): big batches touch many index pages. */
export const WRITER_CACHE_KIB = 128 * 1024;

/** How long a batch waits for another writer (e.g. a second import) to finish before giving up. */
const BATCH_BUSY_TIMEOUT_MS = 60_000;

/**
 * Smallest expected batch for bulk mode (see BatchExecutor.begin): below it, re-creating the
 * deferred indexes would cost more than inserting into them.
 */
export const BULK_MIN_ROWS = 50_000;

/**
 * Incident columns whose texts repeat from row to row (the batch, codes, units): they go to the
 * batch worker as small numbers (value-codes.mjs), which v8 serialises far faster than strings.
 */
const CODED_COLUMNS: readonly number[] = (
  [
    "source_system",
    "batch_id",
    "category",
    "subtype",
    "source_category",
    "department",
    "datum",
    "city_unit",
    "branch_unit",
    "station_unit",
    "area_unit",
    "disposition",
  ] as const
).map((name) => {
  const index = INCIDENT_COLUMN_NAMES.indexOf(name);
  if (index < 0) throw new Error(`coded column ${name} is not an incident column`);
  return index;
});

/** The batch statements, from the one row mapping (rows.ts); exported for bench/sqlite-floor.ts. */
export const BATCH_SQL: BatchSql = {
  insertBatch:
    "INSERT INTO import_batches (id, source_system, profile, file_name, file_sha256, started_at) VALUES (?, ?, ?, ?, ?, ?)",
  finishBatch:
    "UPDATE import_batches SET finished_at = ?, rows = ?, imported = ?, rejected = ?, duplicates = ?, updated = ?, stale = ? WHERE id = ?",
  insertQuarantine: "INSERT INTO quarantine (batch_id, file, row, issues, record_enc) VALUES (?, ?, ?, ?, ?)",
  insertHead: `INSERT INTO incidents (${INCIDENT_COLUMN_NAMES.join(",")}) VALUES`,
  tuple: `(${INCIDENT_COLUMN_NAMES.map(() => "?").join(",")})`,
  insertTail: "ON CONFLICT (source_system, source_id) DO NOTHING",
  columns: INCIDENT_COLUMN_NAMES.length,
  incidentColumns: INCIDENT_COLUMN_NAMES,
  keyIndexes: {
    sourceSystem: INCIDENT_COLUMN_NAMES.indexOf("source_system"),
    sourceId: INCIDENT_COLUMN_NAMES.indexOf("source_id"),
    batchId: INCIDENT_COLUMN_NAMES.indexOf("batch_id"),
  },
  // Rows per multi-row INSERT: amortises the per-call cost (33 columns x 200 = 6,600 parameters).
  rowsPerStatement: 200,
  bulk: {
    table: "incidents",
    minRows: BULK_MIN_ROWS,
    // Keys in random order (hashed ids, places and callers): each row lands on a random page of
    // each of them (the id index alone ~6 µs a row at 200,000 rows), against ~1 µs to sort and
    // build the index at commit. The indexes in time order (received_at, batch, unit + time) stay
    // incremental: 8.4 µs a row for the five at 1,000,000 rows against 5.2 µs to build them, but
    // the build would run after the last row, while the parser is idle, and the parser is the
    // slower thread (docs/store.md).
    indexes: [
      "incidents_id",
      "incidents_loc_poi",
      "incidents_loc_building",
      "incidents_loc_unit",
      "incidents_loc_room",
      "incidents_loc_road",
      "incidents_loc_cross",
      "incidents_caller_pseudonym",
    ],
  },
};

/**
 * The readers' connection. While another process's exclusive store has a batch open, setting WAL
 * fails at once (SQLite's busy handler does not wait there), so the open is retried every 50 ms:
 * for 5 s, or as long as a batch waits for another writer when this store is exclusive too (a
 * second `recur import` waits for the first, as it did in WAL). Then `store_busy`.
 */
async function connect(path: string, exclusive: boolean) {
  const deadline = Date.now() + (exclusive ? BATCH_BUSY_TIMEOUT_MS : 5000);
  for (;;) {
    try {
      return openConnection(path);
    } catch (error) {
      if (!(error as { code?: string }).code?.startsWith("SQLITE_BUSY"))
        throw storeOpenError(path, error instanceof Error ? error.message : String(error));
      if (Date.now() >= deadline) throw storeBusyError();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/**
 * An exclusive store's file leaves WAL for a rollback journal (DELETE) when no other connection
 * has it open in WAL — each WAL connection holds a shared lock on the file, so the switch then
 * fails at once (no busy wait) and the store stays in WAL. True when it switched.
 */
function leaveWal(conn: ReturnType<typeof openConnection>): boolean {
  conn.pragma("busy_timeout = 0");
  try {
    if (conn.pragma("journal_mode = DELETE", { simple: true }) !== "delete") return false;
    // synchronous=NORMAL is proven against power cuts with WAL only (see openConnection).
    conn.pragma("synchronous = FULL");
    return true;
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith("SQLITE_BUSY")) return false;
    throw error;
  } finally {
    conn.pragma("busy_timeout = 5000");
  }
}

/** Back to WAL when an exclusive store closes; if another connection holds the file, the next open does it. */
function returnToWal(conn: ReturnType<typeof openConnection>): void {
  try {
    conn.pragma("journal_mode = WAL");
    conn.pragma("synchronous = NORMAL");
  } catch (error) {
    if (!(error as { code?: string }).code?.startsWith("SQLITE_BUSY")) throw error;
  }
}

/**
 * SQLite runs DDL inside transactions, but Kysely's adapter says it does not, so its migrator would
 * apply each statement on its own: a kill -9 during the first open (a migration creating a table
 * and backfilling it) left a half-applied migration that failed the next open. With this adapter
 * the pending migrations run in one transaction: all of them or none.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class TransactionalDdlSqliteDialect extends SqliteDialect {
  override createAdapter(): SqliteAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

/**
 * Opens (creating if needed) the SQLite store at `path` and migrates it.
 *
 * Readers use one connection (Kysely's); batches are written on another, in a worker thread,
 * so readers never see uncommitted rows and the importing thread can parse the next chunk
 * while the previous one is being inserted. A ":memory:" database exists only on its one
 * connection, so there batches run in-process on the readers' connection.
 */
export async function openSqliteStore(path: string, migrate = true, exclusive = false): Promise<Store> {
  const memory = path === ":memory:";
  const main = await connect(path, exclusive);
  const db = new Kysely<Database>({ dialect: new TransactionalDdlSqliteDialect({ database: main }) });
  let rollbackJournal = false;
  try {
    if (migrate) await migrateToLatest(db as Kysely<unknown>);
    rollbackJournal = exclusive && !memory && leaveWal(main);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const batches = new Mutex();
  // An exclusive store is `recur import`'s, opened to write a batch: its batch worker starts now,
  // loading better-sqlite3 and opening its connection while the importer hashes the file and
  // reads the first rows, instead of when the first chunk is ready, while the importer waits.
  let executor: Executor | undefined =
    exclusive && !memory ? new WorkerExecutor(path, rollbackJournal) : undefined;
  let current: SqliteBatchWriter | undefined;

  return {
    dialect: "sqlite",
    db,
    incidents: incidentRepository(db),
    batches: batchRepository(db),
    quarantine: quarantineRepository(db),
    settings: settingsRepository(db),
    async beginBatch(batch) {
      const release = await batches.acquire();
      try {
        if (!executor || executor.dead)
          executor = memory ? new LocalExecutor(main) : new WorkerExecutor(path, rollbackJournal);
        const writer = new SqliteBatchWriter(executor, batch, () => {
          current = undefined;
          release();
        });
        await writer.begin();
        current = writer;
        return writer;
      } catch (error) {
        release();
        throw error;
      }
    },
    async close() {
      if (current) await current.rollback();
      await executor?.close();
      if (rollbackJournal) returnToWal(main);
      await db.destroy();
    },
  };
}

/** Where a batch's statements run: on this thread, or in the batch worker. */
interface Executor {
  readonly dead: boolean;
  begin(params: SqlValue[], expectedRows: number): Promise<void>;
  insert(values: SqlValue[]): Promise<InsertOutcome>;
  rows(spec: MultiRowSql, values: SqlValue[]): Promise<number>;
  block(spec: MultiRowSql, block: RollupBlock): Promise<number>;
  quarantine(values: SqlValue[]): Promise<void>;
  statement(sql: string, params: readonly unknown[], read: boolean): Promise<unknown>;
  commit(params: SqlValue[]): Promise<void>;
  rollback(): Promise<void>;
  close(): Promise<void>;
}

class LocalExecutor implements Executor {
  readonly dead = false;
  readonly #executor: BatchExecutor;
  constructor(conn: ReturnType<typeof openConnection>) {
    this.#executor = new BatchExecutor(conn, BATCH_SQL);
  }
  async begin(params: SqlValue[], expectedRows: number) {
    this.#executor.begin(params, expectedRows);
  }
  async insert(values: SqlValue[]) {
    return this.#executor.insert(values);
  }
  async rows(spec: MultiRowSql, values: SqlValue[]) {
    return this.#executor.rows(spec, values);
  }
  async block(spec: MultiRowSql, block: RollupBlock) {
    return this.#executor.block(spec, block.keys, block.numbers);
  }
  async quarantine(values: SqlValue[]) {
    this.#executor.quarantine(values);
  }
  async statement(sql: string, params: readonly unknown[], read: boolean) {
    return this.#executor.statement(sql, params, read);
  }
  async commit(params: SqlValue[]) {
    this.#executor.commit(params);
  }
  async rollback() {
    this.#executor.rollback();
  }
  async close() {}
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * The memory of a v8-serialised Buffer when the Buffer is all of it, so that postMessage can move
 * it to the worker instead of copying it (a pooled slice must be copied).
 */
function ownBuffer(data: Buffer): ArrayBuffer | undefined {
  const buffer = data.buffer;
  return buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === buffer.byteLength
    ? buffer
    : undefined;
}

/** Proxy of the worker in sqlite-worker.mjs; calls are answered in the order they are sent. */
class WorkerExecutor implements Executor {
  dead = false;
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #next = 1;
  /** Codes of repeated texts, kept in step with the worker's decoder (messages arrive in order). */
  readonly #encoder = new ValueEncoder(INCIDENT_COLUMN_NAMES.length, CODED_COLUMNS);

  /** `keepJournal`: the file is in the journal mode of an exclusive store (see openConnection). */
  constructor(path: string, keepJournal: boolean) {
    this.#worker = new Worker(new URL("./sqlite-worker.mjs", import.meta.url), {
      workerData: {
        path,
        sql: BATCH_SQL,
        cacheKib: WRITER_CACHE_KIB,
        busyTimeoutMs: BATCH_BUSY_TIMEOUT_MS,
        keepJournal,
        coded: CODED_COLUMNS,
      },
    });
    this.#worker.unref();
    this.#worker.on(
      "message",
      (message: { id: number; result?: unknown; error?: { message: string; code?: string } }) => {
        if (message.id === 0 && message.error) return this.#fail(storeOpenError(path, message.error.message));
        const pending = this.#pending.get(message.id);
        if (!pending) return;
        this.#pending.delete(message.id);
        if (message.error)
          pending.reject(Object.assign(new Error(message.error.message), { code: message.error.code }));
        else pending.resolve(message.result);
      },
    );
    this.#worker.on("error", (error) => this.#fail(error));
    this.#worker.on("exit", (code) => this.#fail(new Error(`SQLite batch worker exited (${code})`)));
  }

  #fail(error: unknown): void {
    this.dead = true;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }

  #call<T>(op: string, args?: unknown, transfer?: ArrayBuffer): Promise<T> {
    if (this.dead) return Promise.reject(new Error("SQLite batch worker is not running"));
    const id = this.#next++;
    // The worker keeps the process alive exactly while a call waits for its answer.
    if (this.#pending.size === 0) this.#worker.ref();
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#worker.postMessage({ id, op, args }, transfer ? [transfer] : undefined);
    });
  }

  begin(params: SqlValue[], expectedRows: number) {
    return this.#call<void>("begin", { params, expectedRows });
  }
  insert(values: SqlValue[]) {
    const added = this.#encoder.encode(values);
    const data = serialize(values);
    return this.#call<InsertOutcome>("insert", { data, added }, ownBuffer(data));
  }
  rows(spec: MultiRowSql, values: SqlValue[]) {
    const data = serialize(values);
    return this.#call<number>("rows", { spec, values: data }, ownBuffer(data));
  }
  block(spec: MultiRowSql, { keys, numbers }: RollupBlock) {
    // The numbers move to the worker (a block's array is its own buffer), the keys are copied.
    const own = numbers.byteOffset === 0 && numbers.byteLength === numbers.buffer.byteLength;
    return this.#call<number>(
      "block",
      { spec, keys, numbers },
      own && numbers.buffer instanceof ArrayBuffer ? numbers.buffer : undefined,
    );
  }
  quarantine(values: SqlValue[]) {
    return this.#call<void>("quarantine", values);
  }
  statement(sql: string, params: readonly unknown[], read: boolean) {
    return this.#call<unknown>("statement", { sql, params, read });
  }
  commit(params: SqlValue[]) {
    return this.#call<void>("commit", params);
  }
  rollback() {
    return this.#call<void>("rollback");
  }
  async close() {
    if (!this.dead) await this.#call("close").catch(() => {});
    this.dead = true;
    await this.#worker.terminate();
  }
}

/**
 * One batch = one SQLite transaction (see BatchExecutor). insertIncidents may be called again
 * before an earlier call has resolved: calls apply in order, so an importer can keep one chunk
 * in flight while it parses the next.
 */
class SqliteBatchWriter implements BatchWriter {
  #open = true;
  /** Indicator rollups of the rows this batch inserts, written just before COMMIT. */
  readonly #rollups: BatchRollups;
  /** Stored incidents this batch updates (later exports of the same calls). */
  readonly #updates: BatchUpdates;
  /** The flat values of the chunk being inserted (see insertIncidents). */
  readonly #values: SqlValue[] = [];

  constructor(
    private readonly executor: Executor,
    readonly batch: NewBatch,
    private readonly release: () => void,
  ) {
    this.#rollups = new BatchRollups(batch.id);
    this.#updates = new BatchUpdates(this.#rollups);
  }

  get updates() {
    return { updated: this.#updates.updated, stale: this.#updates.stale };
  }

  async begin(): Promise<void> {
    const { id, sourceSystem, profile, fileName, fileSha256, startedAt } = this.batch;
    try {
      await this.executor.begin(
        [id, sourceSystem, profile, fileName, fileSha256, startedAt],
        this.batch.expectedRows ?? 0,
      );
    } catch (error) {
      const code = (error as { code?: string }).code ?? "";
      if (code.startsWith("SQLITE_CONSTRAINT")) throw batchExistsError(id);
      if (code.startsWith("SQLITE_BUSY")) throw storeBusyError();
      throw error;
    }
  }

  insertIncidents(rows: readonly Incident[]): Promise<number> {
    try {
      this.#ensureOpen();
      // One array for every chunk: the executor has serialised (or run) the values before insert
      // returns, and a new array a chunk grew through copies of up to 68,000 elements.
      const values = this.#values;
      let at = 0;
      for (const incident of rows) {
        if (incident.batchId !== this.batch.id) throw batchMismatchError(this.batch.id, incident.batchId);
        at = writeIncidentValues(values, at, incident);
      }
      values.length = at;
      return rows.length === 0
        ? Promise.resolve(0)
        : this.#rollups.track(
            rows,
            this.executor.insert(values).then((outcome) => this.#updates.add(outcome)),
          );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async insertQuarantine(rows: readonly QuarantinedRow[]): Promise<void> {
    this.#ensureOpen();
    const values: SqlValue[] = [];
    for (const row of rows) {
      const r = quarantineToRow(row);
      values.push(r.batch_id, r.file, r.row, r.issues, r.record_enc);
    }
    if (values.length > 0) await this.executor.quarantine(values);
  }

  async commit(summary: BatchSummary): Promise<Batch> {
    this.#ensureOpen();
    this.#open = false;
    try {
      const { finishedAt, rows, imported, rejected, duplicates } = summary;
      const tx = batchTx(false, (sql, params, read) => this.executor.statement(sql, params, read), {
        rows: (spec, values) => this.executor.rows(spec, values as SqlValue[]),
        block: (spec, block) => this.executor.block(spec, block),
      });
      await this.#rollups.flush(tx);
      await this.#updates.flush(tx);
      const { updated, stale } = this.#updates;
      await this.executor.commit([
        finishedAt,
        rows,
        imported,
        rejected,
        duplicates,
        updated,
        stale,
        this.batch.id,
      ]);
    } catch (error) {
      await this.executor.rollback().catch(() => {});
      throw error;
    } finally {
      this.#end();
    }
    return { ...this.batch, ...summary, ...this.updates };
  }

  async rollback(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    try {
      await this.executor.rollback();
    } finally {
      this.#end();
    }
  }

  #end(): void {
    this.release();
  }

  #ensureOpen(): void {
    if (!this.#open) throw batchClosedError(this.batch.id);
  }
}
