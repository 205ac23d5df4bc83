/**
 * The floor of recur's SQLite write side: the rows of an imported store inserted again, bare, the
 * way the batch worker inserts them (200-row multi-row INSERTs of the same 34 values, spread
 * arguments, one transaction, WAL, synchronous=NORMAL, 16 KiB pages) but into a table without
 * any index, key or conflict check. No import can write faster than this on one SQLite
 * connection; `npm run bench:import` prints it beside the import's own figures.
 *
 *   node --import tsx bench/sqlite-floor.ts path/to/store.db [rows]
 */
import { rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { INCIDENT_COLUMN_NAMES } from "../src/store/rows.ts";
import { openConnection, type SqlValue } from "../src/store/sqlite-executor.mjs";

const ROWS_PER_STATEMENT = 200;

interface Floor {
  readonly rows: number;
  /** CPU µs a row to bind the values alone (the statement stores nothing). */
  readonly bindUs: number;
  /** CPU µs a row to insert and commit (WAL frames written; no checkpoint). */
  readonly insertUs: number;
  /** Wall µs a row of the same. */
  readonly insertWallUs: number;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Measures the floor with the first `limit` incidents of the store at `source`. */
export function sqliteFloor(source: string, limit = 200_000): Floor {
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
    for (const suffix of ["", "-wal", "-shm"]) rmSync(path + suffix, { force: true });
  };
  clean();
  try {
    const conn = openConnection(path);
    conn.pragma("cache_size = -131072");
    conn.pragma("temp_store = MEMORY");
    // The checkpoint (copying the WAL into the database) comes after any import; not counted.
    conn.pragma("wal_autocheckpoint = 0");
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
    return { rows: full, bindUs, insertUs, insertWallUs };
  } finally {
    clean();
  }
}

/** Prints the floor in one line (see the module comment). */
export function printSqliteFloor(source: string, limit?: number): void {
  const f = sqliteFloor(source, limit);
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  console.log(
    [
      `floor (bare INSERT of ${f.rows.toLocaleString("en")} of these rows, ${INCIDENT_COLUMN_NAMES.length} columns, no index, one SQLite connection)`,
      `binding the values ${f.bindUs.toFixed(1)} µs/row CPU`,
      `insert + commit ${f.insertUs.toFixed(1)} µs/row CPU, ${f.insertWallUs.toFixed(1)} wall = at most ${Math.round(1e6 / f.insertUs).toLocaleString("en")} rows per CPU-second`,
      `load ${load}`,
    ].join(" | "),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [source, rows] = process.argv.slice(2);
  if (!source) throw new Error("usage: bench/sqlite-floor.ts STORE.db [rows]");
  printSqliteFloor(source, rows === undefined ? undefined : Number(rows));
}
