// Plain JavaScript on purpose: this module also runs inside a worker thread (sqlite-worker.mjs),
// where no TypeScript loader is present (tsx, vitest and a built CLI all start workers alike).
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { IncidentMerger, RETENTION_KEYS, retentionFrom } from "./incident-merge.mjs";

/**
 * Opens a connection with the settings every recur connection uses: WAL (readers never wait
 * for the import), synchronous=NORMAL (durable against process crashes, which is what kill -9
 * is; a power cut may lose the last commits but never half of one), foreign keys, and a busy
 * timeout so that a second process waits for the write lock instead of failing at once
 * (`busyTimeoutMs`, 5 s by default). Setting WAL while an exclusive store of another process has
 * a batch open fails at once with SQLITE_BUSY (SQLite does not wait where waiting could
 * deadlock); the connection is then closed and the error thrown, for the caller to retry.
 *
 * `keepJournal`: the batch connection of a store opened `exclusive` (sqlite.ts) takes the
 * journal mode the database file is in — a rollback journal while that store has it alone, WAL
 * if another process switched it back — and with a rollback journal syncs fully at commit
 * (synchronous=NORMAL is proven against power cuts with WAL only).
 */
export function openConnection(path, { keepJournal = false, busyTimeoutMs = 5000 } = {}) {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const conn = new BetterSqlite3(path);
  try {
    conn.pragma(`busy_timeout = ${busyTimeoutMs}`);
    // SQLite's default 4 KiB pages: 16 KiB pages saved ~15% CPU replaying 200,000 rows but showed
    // no gain on 1,000,000 (docs/store.md, "SQLite pages").
    const wal = !keepJournal || conn.pragma("journal_mode", { simple: true }) === "wal";
    if (wal) conn.pragma("journal_mode = WAL");
    conn.pragma(wal ? "synchronous = NORMAL" : "synchronous = FULL");
    conn.pragma("foreign_keys = ON");
    // Let the WAL shrink back after a big batch has been checkpointed.
    conn.pragma("journal_size_limit = 67108864");
    return conn;
  } catch (error) {
    conn.close();
    throw error;
  }
}

/** Helper threads of SQLite's sorter while a bulk batch re-creates its indexes (PRAGMA threads). */
const SORTER_THREADS = 2;
/**
 * The sorter's run size (KiB) meanwhile: SQLite sizes it by the page cache, so the cache is this
 * small during the builds (they scan the table once each; a larger cache would not hold it).
 */
const SORTER_RUN_KIB = 8192;

/**
 * Runs import batches on one connection: one batch = one transaction taken with BEGIN IMMEDIATE
 * (the write lock up front, so a batch never fails half-way for want of it). Until COMMIT its
 * rows exist only as uncommitted WAL frames, which recovery discards: kill -9 leaves no trace.
 * `sql` (built in sqlite.ts from the row mapping) holds the statements; values arrive flat,
 * `columns` per row.
 */
export class BatchExecutor {
  #inserts = new Map();
  #statements = new Map();
  /** The incidents' multi-row insert, as a `rows` spec. */
  #incidents;
  /** DDL of the indexes dropped for this batch, re-created before COMMIT (bulk mode). */
  #deferred = [];
  /**
   * The open batch's id: a stored row carrying it was inserted by this batch (and may have been
   * merged into since), so its rollups are read back at commit rather than revised here.
   */
  #batchId = null;
  /** Earlier batches of the same file from the same source system: their quarantined rows are kept once. */
  #sameFile = [];
  #merger;
  #updates = new Map();
  #selects = new Map();

  /** The sorter's run size while the deferred indexes are built (KiB; see #buildDeferred). */
  #sorterRunKib;

  constructor(conn, sql, { cacheKib = 0, busyTimeoutMs = 0, sorterRunKib = SORTER_RUN_KIB } = {}) {
    this.conn = conn;
    this.#sorterRunKib = sorterRunKib;
    this.sql = sql;
    this.#incidents = {
      name: "incidents",
      head: sql.insertHead,
      tuple: sql.tuple,
      tail: sql.insertTail,
      columns: sql.columns,
      rowsPerStatement: sql.rowsPerStatement,
    };
    if (cacheKib > 0) conn.pragma(`cache_size = -${cacheKib}`);
    // Only BEGIN IMMEDIATE waits for the lock; off the main thread it may wait for another import.
    if (busyTimeoutMs > 0) conn.pragma(`busy_timeout = ${busyTimeoutMs}`);
    // Statement journals (a multi-row INSERT that may abort needs one) in memory, not in a
    // temp file: this removed ~4 µs of system time per inserted row.
    conn.pragma("temp_store = MEMORY");
    this.insertBatch = conn.prepare(sql.insertBatch);
    this.finishBatch = conn.prepare(sql.finishBatch);
    this.insertQuarantine = conn.prepare(sql.insertQuarantine);
    this.#merger = new IncidentMerger(sql.incidentColumns);
    this.insertRevision = conn.prepare(
      "INSERT INTO incident_revisions (incident_id, batch_id, columns, previous) VALUES (?, ?, ?, ?)",
    );
    this.sameFileBatches = conn
      .prepare("SELECT id FROM import_batches WHERE source_system = ? AND file_sha256 = ? AND id <> ?")
      .pluck(true);
  }

  /**
   * Opens the batch. `expectedRows` (an estimate, may be 0) selects bulk mode when the batch is
   * at least `sql.bulk.minRows` and no smaller than the table already is: the indexes named in
   * `sql.bulk.indexes` (random-order keys) are dropped inside the transaction and re-created at
   * commit, which sorts each key once instead of inserting it at a random page per row. DDL is
   * transactional, so a rollback or a kill -9 brings the indexes back with the old rows.
   */
  begin(params, expectedRows = 0) {
    this.#deferred = [];
    this.conn.exec("BEGIN IMMEDIATE");
    try {
      this.insertBatch.run(params);
      // params: id, source_system, profile, file_name, file_sha256, started_at (BATCH_SQL.insertBatch).
      this.#batchId = params[0];
      this.#sameFile = this.sameFileBatches.all(params[1], params[4], params[0]);
      this.#merger.retention = retentionFrom(
        this.conn
          .prepare("SELECT key, value FROM settings WHERE key IN (?, ?)")
          .all(RETENTION_KEYS.callerBefore, RETENTION_KEYS.narrativeBefore),
      );
      const bulk = this.sql.bulk;
      if (bulk && expectedRows >= bulk.minRows) {
        const existing = this.conn.prepare(`SELECT max(rowid) AS n FROM ${bulk.table}`).get().n ?? 0;
        if (expectedRows >= existing) {
          const list = bulk.indexes.map(() => "?").join(",");
          const found = this.conn
            .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN (${list})`)
            .all(bulk.indexes);
          for (const { name, sql } of found) {
            this.conn.exec(`DROP INDEX "${name}"`);
            this.#deferred.push(sql);
          }
        }
      }
    } catch (error) {
      this.#deferred = [];
      this.conn.exec("ROLLBACK");
      throw error;
    }
  }

  /** How many indexes this batch re-creates at commit (bulk mode), for tests and benchmarks. */
  get deferredIndexes() {
    return this.#deferred.length;
  }

  /**
   * Inserts `values.length / columns` incidents. A statement that inserted fewer rows than it
   * had met stored keys (of an earlier batch, or of this one: a key repeated in the file): only
   * then are its rows looked up one by one and merged into the stored incidents they repeat
   * (IncidentMerger), so a first import pays nothing for merging. Returns the new rows, the
   * updated and stale ones, and the values before and after each update of an incident an
   * earlier batch stored (`before`, `after`: flat, `columns` a row), for the rollups and quality
   * buckets.
   */
  insert(values) {
    const spec = this.#incidents;
    const { columns, rowsPerStatement } = spec;
    const rows = values.length / columns;
    const outcome = {
      inserted: 0,
      updated: 0,
      stale: 0,
      before: [],
      after: [],
      skipped: [],
      ownBefore: [],
      ownAfter: [],
    };
    for (let start = 0; start < rows; start += rowsPerStatement) {
      const n = Math.min(rowsPerStatement, rows - start);
      const slice = n === rows ? values : values.slice(start * columns, (start + n) * columns);
      const { changes, lastInsertRowid } = this.#multiRow(spec, n).run(...slice);
      outcome.inserted += changes;
      // The statement's new rows got the rowids after the table's last, one after the other
      // (last_insert_rowid is the connection's: without new rows it names another table's).
      const firstNew = changes > 0 ? Number(lastInsertRowid) - changes + 1 : Number.POSITIVE_INFINITY;
      if (changes < n) this.#mergeStored(slice, n, outcome, firstNew, start, n - changes);
    }
    return outcome;
  }

  /**
   * Merges each row of `slice` whose key is stored already into that incident, in file order:
   * the stored rows of the statement's keys are read in one query per source system, and a key
   * repeated in the statement merges into what the one before it left. A key is stored already
   * when an earlier batch stored it, or an earlier row of this batch: the row this statement
   * inserted (rowid from `firstNew` on) is the first of its key and is not merged into itself.
   */
  #mergeStored(slice, n, outcome, firstNew, start, notInserted) {
    const merger = this.#merger;
    const columns = merger.columns;
    const { sourceSystem, sourceId, batchId } = this.sql.keyIndexes;
    const bySystem = new Map();
    for (let r = 0; r < n; r++) {
      const system = slice[r * columns + sourceSystem];
      const ids = bySystem.get(system);
      if (ids) ids.push(slice[r * columns + sourceId]);
      else bySystem.set(system, [slice[r * columns + sourceId]]);
    }
    // Key -> [rowid, ...values] of the stored incidents; the keys this statement inserted, in
    // `fresh` until their first row (the inserted one) has gone by.
    const stored = new Map();
    const fresh = new Set();
    for (const [system, ids] of bySystem)
      for (const row of this.#selectStored(ids.length).all(system, ...ids)) {
        const key = `${row[1 + sourceSystem]}\u0000${row[1 + sourceId]}`;
        // Inserted now: only a later row of the same key in this statement merges into it.
        if (row[0] >= firstNew) fresh.add(key);
        stored.set(key, row);
      }
    const skipped = [];
    for (let r = 0; r < n; r++) {
      const at = r * columns;
      const key = `${slice[at + sourceSystem]}\u0000${slice[at + sourceId]}`;
      const before = stored.get(key);
      if (!before || fresh.delete(key)) continue;
      skipped.push(start + r);
      const result = merger.merge(slice, at, before, 1);
      if (result.kind === "stale") outcome.stale++;
      if (result.kind !== "update") continue;
      const { changed } = result;
      const signature = changed.join(",");
      let update = this.#updates.get(signature);
      if (!update) {
        if (this.#updates.size >= 64) this.#updates.clear();
        update = this.conn.prepare(
          `UPDATE incidents SET ${changed.map((c) => `${merger.names[c]} = ?`).join(", ")} WHERE rowid = ?`,
        );
        this.#updates.set(signature, update);
      }
      update.run(...changed.map((c) => slice[at + c]), before[0]);
      const revision = merger.revision(before, 1, changed);
      this.insertRevision.run(before[1], this.#batchId, revision.columns, revision.previous);
      const after = merger.merged(slice, at, before, 1, changed);
      outcome.updated++;
      const own = before[1 + batchId] === this.#batchId;
      for (let c = 1; c <= columns; c++) (own ? outcome.ownBefore : outcome.before).push(before[c]);
      for (const v of after) (own ? outcome.ownAfter : outcome.after).push(v);
      stored.set(key, [before[0], ...after]);
    }
    // Every row not inserted met its stored incident here; if the count says otherwise, the
    // rollups do not trust the list and read the batch's rows back.
    if (outcome.skipped !== null && skipped.length === notInserted)
      for (const r of skipped) outcome.skipped.push(r);
    else outcome.skipped = null;
  }

  /** The stored rows (rowid first, raw arrays) of one source system and `count` source ids. */
  #selectStored(count) {
    let statement = this.#selects.get(count);
    if (!statement) {
      if (this.#selects.size >= 8) this.#selects.clear();
      // rowid: the id index may be dropped during a bulk batch, the key index never is.
      statement = this.conn
        .prepare(
          `SELECT rowid, ${this.sql.incidentColumns.join(",")} FROM incidents WHERE source_system = ? AND source_id IN (${Array(count).fill("?").join(",")})`,
        )
        .raw(true);
      this.#selects.set(count, statement);
    }
    return statement;
  }

  /**
   * Runs `spec`'s multi-row statement over flat `values` (`spec.columns` per row, at most
   * `spec.rowsPerStatement` rows a statement): the incidents, or the indicator rollups' upsert,
   * whose thousands of rows then cost one message to this thread instead of one per statement.
   * Returns the statements' change count.
   */
  rows(spec, values) {
    const { columns, rowsPerStatement } = spec;
    const rows = values.length / columns;
    let changes = 0;
    for (let start = 0; start < rows; start += rowsPerStatement) {
      const n = Math.min(rowsPerStatement, rows - start);
      const slice = n === rows ? values : values.slice(start * columns, (start + n) * columns);
      // Spread, not an array: better-sqlite3 reads array elements through a generic property
      // lookup (measured: 0.8 of the 4 µs it takes to bind a row of 34 values).
      changes += this.#multiRow(spec, n).run(...slice).changes;
    }
    return changes;
  }

  /**
   * Runs `spec` over rows given as their keys (`spec.keyColumns` values a row) and their numbers
   * (the row's other columns) in a Float64Array: the indicator rollups, about 80 values a row,
   * which arrive without a JavaScript value a cell. Returns the statements' change count.
   */
  block(spec, keys, numbers) {
    const { columns, keyColumns, rowsPerStatement } = spec;
    const width = columns - keyColumns;
    const rows = keys.length / keyColumns;
    let changes = 0;
    for (let start = 0; start < rows; start += rowsPerStatement) {
      const n = Math.min(rowsPerStatement, rows - start);
      const args = new Array(n * columns);
      let a = 0;
      for (let r = start; r < start + n; r++) {
        for (let k = r * keyColumns; k < (r + 1) * keyColumns; k++) args[a++] = keys[k];
        for (let v = r * width; v < (r + 1) * width; v++) args[a++] = numbers[v];
      }
      changes += this.#multiRow(spec, n).run(...args).changes;
    }
    return changes;
  }

  /**
   * Quarantined rows, 5 values each (batch, file, row, issues, record). A row an earlier batch of
   * the same file (same source system and SHA-256) already quarantined is not added again.
   */
  quarantine(values) {
    let known;
    if (this.#sameFile.length > 0)
      known = this.conn
        .prepare(
          `SELECT 1 FROM quarantine WHERE batch_id IN (${this.#sameFile.map(() => "?").join(",")}) AND row = ? LIMIT 1`,
        )
        .pluck(true);
    for (let i = 0; i < values.length; i += 5) {
      if (known?.get(...this.#sameFile, values[i + 2]) !== undefined) continue;
      this.insertQuarantine.run(values.slice(i, i + 5));
    }
  }

  /** Another statement inside the open batch transaction (indicator rollups): rows when `read`. */
  statement(sql, params, read) {
    // The same few statements come back batch after batch (a 200-row upsert is ~100 kB of SQL).
    let statement = this.#statements.get(sql);
    if (!statement) {
      if (this.#statements.size >= 16) this.#statements.clear();
      statement = this.conn.prepare(sql);
      this.#statements.set(sql, statement);
    }
    if (read) return statement.all(params);
    statement.run(params);
    return null;
  }

  commit(params) {
    try {
      if (this.#deferred.length > 0) {
        this.#buildDeferred();
        this.#deferred = [];
      }
      this.finishBatch.run(params);
      this.conn.exec("COMMIT");
    } catch (error) {
      this.#deferred = [];
      if (this.conn.inTransaction) this.conn.exec("ROLLBACK");
      throw error;
    }
  }

  /**
   * Re-creates the indexes bulk mode dropped. The sorter of CREATE INDEX keeps its runs in temp
   * storage: in files here, so that a million keys cost disk, not memory (statement journals go
   * back to memory after). Its runs are as large as the page cache (128 MiB: the keys of a
   * million rows sorted in one piece, on this thread, after the table scan); with runs of
   * SORTER_RUN_KIB and SORTER_THREADS helper threads, each run is sorted and written by a helper
   * while this thread scans on, and the runs are merged in threads too. The import thread has
   * finished by then, so the helpers use the core it leaves idle. Measured on the eight indexes
   * of 1,000,000 imported rows (docs/store.md, session 16): 4.3–5.0 s wall as before, 3.2–3.7 s
   * so, the same CPU, where a core was to spare (load 2.5–3.5); no gain on a fully busy machine.
   */
  #buildDeferred() {
    const cacheSize = this.conn.pragma("cache_size", { simple: true });
    this.conn.pragma("temp_store = FILE");
    this.conn.pragma(`threads = ${SORTER_THREADS}`);
    this.conn.pragma(`cache_size = -${this.#sorterRunKib}`);
    try {
      for (const ddl of this.#deferred) this.conn.exec(ddl);
    } finally {
      this.conn.pragma(`cache_size = ${cacheSize}`);
      this.conn.pragma("threads = 0");
      this.conn.pragma("temp_store = MEMORY");
    }
  }

  rollback() {
    this.#deferred = [];
    if (this.conn.inTransaction) this.conn.exec("ROLLBACK");
  }

  /**
   * `spec`'s statement for `rows` rows: the full-size one stays prepared, and the last shorter
   * one (the tail of a chunk) until a different length is needed, so that the cache stays small
   * (a 200-row rollup upsert is ~40 kB of SQL and 15,800 parameters).
   */
  #multiRow(spec, rows) {
    const key = rows === spec.rowsPerStatement ? spec.name : `${spec.name}:rest`;
    let entry = this.#inserts.get(key);
    if (entry?.rows !== rows) {
      const { head, tuple, tail } = spec;
      entry = { rows, statement: this.conn.prepare(`${head} ${Array(rows).fill(tuple).join(",")} ${tail}`) };
      this.#inserts.set(key, entry);
    }
    return entry.statement;
  }
}
