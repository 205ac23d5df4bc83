/**
 * The floor of recur's SQLite write side: the rows of an imported store inserted again, bare, the
 * way the batch worker of `recur import` inserts them (200-row multi-row INSERTs of the same 34
 * values, spread arguments, one transaction, the rollback journal and synchronous=FULL of an
 * exclusive store: docs/store.md, "Exclusive stores") but into a table without any index, key or
 * conflict check. No import can write faster than this on one SQLite connection;
 * `npm run bench:import` prints it beside the import's own figures. For comparison the same rows
 * also go through recur's own batch (BatchExecutor, bulk mode, every index), in this thread: its
 * insert and its commit (index builds, COMMIT) per row.
 *
 *   node --import tsx bench/sqlite-floor.ts path/to/store.db [rows]
 */
import { rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { INCIDENT_COLUMN_NAMES } from "../src/store/rows.ts";
import { BATCH_SQL, openSqliteStore, WRITER_CACHE_KIB } from "../src/store/sqlite.ts";
import { BatchExecutor, openConnection, type SqlValue } from "../src/store/sqlite-executor.mjs";

const ROWS_PER_STATEMENT = 200;

interface Floor {
  readonly rows: number;
  /** CPU µs a row to bind the values alone (the statement stores nothing). */
  readonly bindUs: number;
  /** CPU µs a row to insert and commit. */
  readonly insertUs: number;
  /** Wall µs a row of the same. */
  readonly insertWallUs: number;
  /** recur's batch on the same rows: CPU µs a row of the inserts, and of the commit. */
  readonly batchInsertUs: number;
  readonly batchCommitUs: number;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Measures the floor with the first `limit` incidents of the store at `source`. */
export async function sqliteFloor(source: string, limit = 200_000): Promise<Floor> {
  const columns = INCIDENT_COLUMN_NAMES.length;
  const from = new BetterSqlite3(source, { readonly: true });
  const statements: SqlValue[][] = [];
  let current: SqlValue[] = [];
  const read = from
    .prepare(`SELECT ${INCIDENT_COLUMN_NAMES.join(",")} FROM incidents ORDER BY rowid LIMIT ?`)
    .raw();
  for (const row of read.iterate(limit) as Iterable<SqlValue[]>) {
    for (const value of row) current.push(value);
    if (current.length === ROWS_PER_STATEMENT * columns) {
      statements.push(current);
      current = [];
    }
  }
  from.close();
  const full = statements.length * ROWS_PER_STATEMENT;
  if (full === 0) throw new Error(`${source}: fewer than ${ROWS_PER_STATEMENT} incidents`);

  const path = join(tmpdir(), `recur-floor-${process.pid}.db`);
  const clean = () => {
    for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(path + suffix, { force: true });
  };
  clean();
  try {
    // recur's batch first, so that neither run follows the other's gigabyte of writes.
    const { batchInsertUs, batchCommitUs } = await batchCosts(path, statements);
    clean();
    const conn = exclusiveConnection(path);
    conn.pragma("cache_size = -131072");
    conn.pragma("temp_store = MEMORY");
    conn.exec(`CREATE TABLE bare (${INCIDENT_COLUMN_NAMES.join(",")})`);
    const tuples = Array(ROWS_PER_STATEMENT)
      .fill(`(${Array(columns).fill("?").join(",")})`)
      .join(",");
    // Binding alone: the VALUES are bound and the statement runs, but WHERE 0 stores nothing.
    const bindOnly = conn.prepare(`INSERT INTO bare SELECT * FROM (VALUES ${tuples}) WHERE 0`);
    const insert = conn.prepare(`INSERT INTO bare VALUES ${tuples}`);

    let t = cpuMs();
    for (const values of statements) bindOnly.run(...values);
    const bindUs = ((cpuMs() - t) * 1000) / full;

    const wall = performance.now();
    t = cpuMs();
    conn.exec("BEGIN IMMEDIATE");
    for (const values of statements) insert.run(...values);
    conn.exec("COMMIT");
    const insertUs = ((cpuMs() - t) * 1000) / full;
    const insertWallUs = ((performance.now() - wall) * 1000) / full;
    conn.close();
    return { rows: full, bindUs, insertUs, insertWallUs, batchInsertUs, batchCommitUs };
  } finally {
    clean();
  }
}

/** A connection as an exclusive store's batch worker has it: rollback journal, full syncs. */
function exclusiveConnection(path: string): BetterSqlite3.Database {
  const setup = openConnection(path);
  setup.pragma("journal_mode = DELETE");
  setup.close();
  return openConnection(path, { keepJournal: true });
}

/** recur's own batch over the same rows, into a new store at `path` (bulk mode, every index). */
async function batchCosts(
  path: string,
  statements: readonly SqlValue[][],
): Promise<{ batchInsertUs: number; batchCommitUs: number }> {
  await (await openSqliteStore(path)).close();
  const conn = exclusiveConnection(path);
  const executor = new BatchExecutor(conn, BATCH_SQL, { cacheKib: WRITER_CACHE_KIB });
  const rows = statements.length * ROWS_PER_STATEMENT;
  const batchId = String(statements[0]?.[INCIDENT_COLUMN_NAMES.indexOf("batch_id")]);
  let t = cpuMs();
  executor.begin([batchId, "floor", "floor", "floor.csv", "0".repeat(64), 0], rows);
  // Chunks of 5,000 rows, as the importer sends them.
  for (let i = 0; i < statements.length; i += 25) executor.insert(statements.slice(i, i + 25).flat());
  const batchInsertUs = ((cpuMs() - t) * 1000) / rows;
  t = cpuMs();
  executor.commit([1, rows, rows, 0, 0, 0, 0, batchId]);
  const batchCommitUs = ((cpuMs() - t) * 1000) / rows;
  conn.close();
  return { batchInsertUs, batchCommitUs };
}

/** Prints the floor in one line (see the module comment). */
export async function printSqliteFloor(source: string, limit?: number): Promise<void> {
  const f = await sqliteFloor(source, limit);
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  console.log(
    [
      `floor (bare INSERT of ${f.rows.toLocaleString("en")} of these rows, ${INCIDENT_COLUMN_NAMES.length} columns, no index, one SQLite connection)`,
      `binding the values ${f.bindUs.toFixed(1)} µs/row CPU`,
      `insert + commit ${f.insertUs.toFixed(1)} µs/row CPU, ${f.insertWallUs.toFixed(1)} wall = at most ${Math.round(1e6 / f.insertUs).toLocaleString("en")} rows per CPU-second`,
      `recur's batch on the same rows (bulk mode, every index): insert ${f.batchInsertUs.toFixed(1)} + commit ${f.batchCommitUs.toFixed(1)} µs/row CPU`,
      `load ${load}`,
    ].join(" | "),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [source, rows] = process.argv.slice(2);
  if (!source) throw new Error("usage: bench/sqlite-floor.ts STORE.db [rows]");
  await printSqliteFloor(source, rows === undefined ? undefined : Number(rows));
}
