/**
 * Import benchmark (issue 2 item 10): 1,000,000 generated rows, UTF-8 and GBK, end to end into
 * SQLite through `recur import`, measured as a child process: rows/s from the import's own
 * summary and from the wall clock of the whole command, peak RSS from /usr/bin/time -v.
 *
 *   npm run bench:import                  # 1,000,000 rows, utf8 and gbk
 *   ROWS=200000 ENCODINGS=utf8 npm run bench:import
 *   ROWS=300000 ENCODINGS=utf8,xlsx npm run bench:import   # the same rows as an XLSX workbook too
 *   STAGES=100000 npm run bench:import    # also: CPU cost per row of each stage, in-process,
 *                                         # and the fixed cost of the command (a 100-row import)
 *   FLOOR=0 npm run bench:import          # without the floor of a bare SQLite insert (bench/sqlite-floor.ts)
 *   DIGEST=0 npm run bench:import         # without the digest of what each import stored (storeDigest)
 *   ENCODINGS=areas npm run bench:import  # the UTF-8 rows over a large city's community police areas:
 *                                         # AREAS (default 1,560) areas, 13 a station, 12 branches
 *   STORE=postgres npm run bench:import   # into PostgreSQL (a fresh database recur_bench_import on
 *                                         # PG_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres)
 *                                         # instead of SQLite; also prints the server's CPU seconds
 *
 * Generated files are cached in $TMPDIR/recur-bench-import (delete it to regenerate).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import ExcelJS from "exceljs";
import pg from "pg";
import { createAddressLocator } from "../src/address/locator.ts";
import { type BatchId, fixedClock } from "../src/domain/index.ts";
import { compileMapper, DEFAULT_LIMITS, importFile, loadProfile, openSource } from "../src/ingest/index.ts";
import type { ImportOptions } from "../src/ingest/pipeline.ts";
import { openStore } from "../src/store/index.ts";
import { printSqliteFloor } from "./sqlite-floor.ts";

const ROOT = join(import.meta.dirname, "..");
const RECUR = join(ROOT, "bin", "recur");
const ROWS = Number(process.env.ROWS ?? 1_000_000);
const ENCODINGS = (process.env.ENCODINGS ?? "utf8,gbk").split(",").filter((e) => e !== "" && e !== "none");
const WORK = join(tmpdir(), "recur-bench-import");
mkdirSync(WORK, { recursive: true });
const POSTGRES = process.env.STORE === "postgres";
const PG_ADMIN_URL = process.env.PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const PG_DATABASE = "recur_bench_import";

function generated(encoding: string): string {
  const file = join(WORK, `synthetic-${ROWS}-${encoding}.csv`);
  if (!existsSync(file)) {
    console.log(`generating ${ROWS} rows (${encoding}) ...`);
    execFileSync(
      RECUR,
      [
        "generate",
        "--incidents",
        String(ROWS),
        "--seed",
        "1",
        "--out",
        file,
        "--encoding",
        encoding,
        "--lang",
        "en",
      ],
      { stdio: ["ignore", "inherit", "inherit"] },
    );
  }
  return file;
}

/**
 * The UTF-8 file as an XLSX workbook, as Excel writes exports: one sheet, every cell a shared
 * string (exceljs's streaming writer; its parts come in another order than Excel's, which the
 * reader must not mind). Read with recur's own CSV reader, so the rows are the same.
 */
async function workbook(): Promise<string> {
  const file = join(WORK, `synthetic-${ROWS}.xlsx`);
  if (existsSync(file)) return file;
  const csv = generated("utf8");
  console.log(`writing ${ROWS} rows as XLSX ...`);
  const out = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: `${file}.part`, useSharedStrings: true });
  const sheet = out.addWorksheet("警情");
  const source = await openSource(csv, await loadProfile("synthetic"), DEFAULT_LIMITS);
  sheet.addRow([...source.header]).commit();
  for await (const batch of source.batches) for (const record of batch) sheet.addRow(record.cells).commit();
  sheet.commit();
  await out.commit();
  renameSync(`${file}.part`, file);
  return file;
}

const AREAS = Number(process.env.AREAS ?? 1560);

/**
 * The UTF-8 file with its branch, station and area columns rewritten to AREAS community police
 * areas (13 a station, 12 branches; the area drawn by a hash of the row number): the daily
 * rollups of a year of a city with many areas (docs/store.md, session 13). Rows are read with
 * recur's own CSV reader and written back quoted where a cell needs it, so only those three
 * columns change.
 */
async function manyAreas(): Promise<string> {
  const file = join(WORK, `synthetic-${ROWS}-areas-${AREAS}.csv`);
  if (existsSync(file)) return file;
  const csv = generated("utf8");
  console.log(`rewriting ${ROWS} rows over ${AREAS} areas ...`);
  const source = await openSource(csv, await loadProfile("synthetic"), DEFAULT_LIMITS);
  const column = (name: string) => {
    const i = source.header.indexOf(name);
    if (i < 0) throw new Error(`the synthetic export has no column ${name}`);
    return i;
  };
  const [branch, station, area] = ["所属分局", "所属派出所", "所属警务区"].map(column) as [
    number,
    number,
    number,
  ];
  const quoted = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);
  const fd = openSync(`${file}.part`, "w");
  writeSync(fd, `${source.header.map(quoted).join(",")}\n`);
  let n = 0;
  for await (const batch of source.batches) {
    const lines: string[] = [];
    for (const record of batch) {
      const cells = [...record.cells];
      const h = (Math.imul(++n, 2654435761) >>> 0) % AREAS;
      const s = Math.floor(h / 13);
      cells[branch] = `第${(s % 12) + 1}分局`;
      cells[station] = `第${s + 1}派出所`;
      cells[area] = `第${s + 1}派出所第${(h % 13) + 1}警务区`;
      lines.push(cells.map(quoted).join(","));
    }
    writeSync(fd, `${lines.join("\n")}\n`);
  }
  closeSync(fd);
  renameSync(`${file}.part`, file);
  return file;
}

interface Run {
  readonly encoding: string;
  readonly rows: number;
  readonly imported: number;
  readonly rejected: number;
  readonly duplicates: number;
  readonly importSeconds: number;
  readonly wallSeconds: number;
  readonly peakRssMb: number;
  /** User + system CPU seconds of the command (all threads): less sensitive to a busy machine. */
  readonly cpuSeconds: number;
  /** The same of the PostgreSQL server while the command ran (STORE=postgres), else NaN. */
  readonly serverCpuSeconds: number;
}

/** A fresh PostgreSQL database for one run; resolves to its URL. */
async function freshPostgres(): Promise<string> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${PG_DATABASE}`);
    await admin.query(`CREATE DATABASE ${PG_DATABASE}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${PG_DATABASE}`;
  return url.toString();
}

/**
 * CPU seconds (user + system) of the local PostgreSQL server's processes so far: every process
 * named postgres, with the ended children the postmaster has reaped (a connection's backend ends
 * with it). NaN where /proc cannot tell (not Linux, another user's server).
 */
function postgresCpuSeconds(): number {
  try {
    const tick = 100; // USER_HZ on Linux
    let ticks = 0;
    let found = false;
    for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      } catch {
        continue; // ended meanwhile
      }
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (comm !== "postgres") continue;
      found = true;
      // Fields after the command: state ppid ... utime(14) stime(15) cutime(16) cstime(17).
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
      const parent = readFileSync(`/proc/${fields[1]}/stat`, "utf8");
      const parentComm = parent.slice(parent.indexOf("(") + 1, parent.lastIndexOf(")"));
      if (parentComm !== "postgres") ticks += Number(fields[13]) + Number(fields[14]);
    }
    return found ? ticks / tick : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

async function run(encoding: string, file = generated(encoding)): Promise<Run> {
  const db = join(WORK, `bench-${encoding}.db`);
  for (const suffix of ["", "-wal", "-shm"]) rmSync(db + suffix, { force: true });
  const databaseUrl = POSTGRES ? await freshPostgres() : undefined;
  const serverCpuBefore = POSTGRES ? postgresCpuSeconds() : Number.NaN;
  const started = performance.now();
  const child = spawnSync(
    "/usr/bin/time",
    [
      "-v",
      RECUR,
      "import",
      file,
      "--profile",
      "synthetic",
      ...(databaseUrl ? [] : ["--db", db]),
      "--secret",
      join(WORK, "bench.secret"),
      "--json",
      "--lang",
      "en",
    ],
    {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      env: databaseUrl ? { ...process.env, DATABASE_URL: databaseUrl } : process.env,
    },
  );
  const wallSeconds = (performance.now() - started) / 1000;
  if (child.status !== 0) throw new Error(`import failed (${child.status}):\n${child.stderr}`);
  const summary = JSON.parse(child.stdout.trim().split("\n").pop() ?? "{}");
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(child.stderr);
  const user = /User time \(seconds\): ([\d.]+)/.exec(child.stderr);
  const system = /System time \(seconds\): ([\d.]+)/.exec(child.stderr);
  return {
    encoding,
    rows: summary.rows,
    imported: summary.imported,
    rejected: summary.rejected,
    duplicates: summary.duplicates,
    importSeconds: summary.seconds,
    wallSeconds,
    peakRssMb: rss ? Number(rss[1]) / 1024 : Number.NaN,
    cpuSeconds: Number(user?.[1] ?? Number.NaN) + Number(system?.[1] ?? Number.NaN),
    serverCpuSeconds: POSTGRES ? postgresCpuSeconds() - serverCpuBefore : Number.NaN,
  };
}

/**
 * What an import left in the store, as short SHA-256 digests that do not depend on the batch's
 * random id: every incident column but `batch_id` (rows in source-id order), the quarantine (file,
 * row, issues), the indicator rollups, and the incidents' index definitions. A change that makes
 * the import faster must leave all four equal (same file, same secret).
 */
function storeDigest(path: string): string {
  const db = new BetterSqlite3(path, { readonly: true });
  try {
    const digest = (sql: string) => {
      const hash = createHash("sha256");
      let rows = 0;
      for (const row of db.prepare(sql).raw().iterate() as Iterable<unknown[]>) {
        hash.update(JSON.stringify(row));
        hash.update("\n");
        rows++;
      }
      return `${rows}:${hash.digest("hex").slice(0, 16)}`;
    };
    const columns = (table: string) =>
      (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
    const incidentColumns = columns("incidents").filter((c) => c !== "batch_id");
    const rollupColumns = columns("indicator_days");
    return [
      `incidents ${digest(`SELECT ${incidentColumns.join(",")} FROM incidents ORDER BY source_system, source_id`)}`,
      `quarantine ${digest("SELECT file, row, issues FROM quarantine ORDER BY file, row")}`,
      `rollups ${digest(`SELECT ${rollupColumns.join(",")} FROM indicator_days ORDER BY level, unit, station, day`)}`,
      `indexes ${digest("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'incidents' ORDER BY name")}`,
    ].join(", ");
  } finally {
    db.close();
  }
}

console.log(
  `recur import benchmark: ${ROWS.toLocaleString("en")} synthetic rows into ${POSTGRES ? `PostgreSQL (${PG_ADMIN_URL.replace(/\/[^/]*$/, `/${PG_DATABASE}`)})` : "SQLite"}, ${ENCODINGS.join(" and ")}`,
);
/** Load averages (1, 5, 15 min): on a shared machine the wall-clock figures depend on them. */
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
for (const encoding of ENCODINGS) {
  const loadBefore = load();
  const r =
    encoding === "xlsx"
      ? await run(encoding, await workbook())
      : encoding === "areas"
        ? await run(encoding, await manyAreas())
        : await run(encoding);
  console.log(
    [
      `${r.encoding.padEnd(5)}`,
      `rows ${r.rows}`,
      `imported ${r.imported}`,
      `rejected ${r.rejected}`,
      `duplicates ${r.duplicates}`,
      `import ${r.importSeconds.toFixed(1)} s = ${Math.round(r.rows / r.importSeconds).toLocaleString("en")} rows/s`,
      `command ${r.wallSeconds.toFixed(1)} s = ${Math.round(r.rows / r.wallSeconds).toLocaleString("en")} rows/s`,
      `CPU ${r.cpuSeconds.toFixed(1)} s = ${Math.round(r.rows / r.cpuSeconds).toLocaleString("en")} rows per CPU-second`,
      ...(POSTGRES
        ? [
            `server CPU ${r.serverCpuSeconds.toFixed(1)} s (command + server ${Math.round(r.rows / (r.cpuSeconds + r.serverCpuSeconds)).toLocaleString("en")} rows per CPU-second)`,
          ]
        : []),
      `peak RSS ${r.peakRssMb.toFixed(0)} MB`,
      `load ${loadBefore} -> ${load()}`,
    ].join(" | "),
  );
  if (process.env.DIGEST !== "0" && !POSTGRES)
    console.log(`      store digest: ${storeDigest(join(WORK, `bench-${encoding}.db`))}`);
}

// The floor of the SQLite write side (docs/store.md): the same rows inserted bare, no index.
if (ENCODINGS.length > 0 && process.env.FLOOR !== "0" && !POSTGRES)
  await printSqliteFloor(join(WORK, `bench-${ENCODINGS[0]}.db`), Math.min(ROWS, 200_000));

/** CPU microseconds per row of each pipeline stage (cumulative), measured in this process. */
async function stageCosts(rows: number): Promise<void> {
  const file = generated("utf8");
  const profile = await loadProfile("synthetic");
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const report = (stage: string, startedMs: number) =>
    console.log(
      `  ${stage.padEnd(44)} ${(((cpu() - startedMs) * 1000) / rows).toFixed(1).padStart(6)} µs/row`,
    );
  console.log(
    `stage costs on the first ${rows.toLocaleString("en")} rows (CPU time of all threads, cumulative):`,
  );

  let t = cpu();
  let source = await openSource(file, profile, DEFAULT_LIMITS);
  let n = 0;
  for await (const batch of source.batches) {
    n += batch.length;
    if (n >= rows) break;
  }
  report("read + decode + CSV parse", t);

  t = cpu();
  source = await openSource(file, profile, DEFAULT_LIMITS);
  const mapper = compileMapper(profile, source.header, { now: Date.now() });
  n = 0;
  for await (const batch of source.batches) {
    for (const record of batch) mapper.map(record);
    n += batch.length;
    if (n >= rows) break;
  }
  report("+ map and validate", t);

  const nullStore: ImportOptions["store"] = {
    beginBatch: async (batch) => ({
      batch,
      insertIncidents: async (r) => r.length,
      insertQuarantine: async () => {},
      commit: async (summary) => ({ ...batch, ...summary }),
      rollback: async () => {},
    }),
  };
  const keys = { hmacKey: new Uint8Array(32).fill(1), encKey: new Uint8Array(32).fill(2) };
  const base = { path: file, profile, keys, clock: fixedClock(Date.now()), maxRows: rows };
  t = cpu();
  await importFile({ ...base, store: nullStore, batchId: "stage-1" as BatchId });
  report("+ privacy (pseudonyms, masking), no store", t);

  const locator = createAddressLocator({ datum: "wgs84" });
  t = cpu();
  await importFile({ ...base, store: nullStore, batchId: "stage-2" as BatchId, locator });
  report("+ address location keys", t);

  const db = join(WORK, "stages.db");
  for (const suffix of ["", "-wal", "-shm"]) rmSync(db + suffix, { force: true });
  const store = await openStore({ path: db });
  t = cpu();
  await importFile({ ...base, store, batchId: "stage-3" as BatchId, locator });
  await store.close();
  report("+ SQLite store (= the whole import)", t);
}

/**
 * What the command costs besides its rows: start-up (Node, tsx, module loading in the command
 * and the import thread, opening the store) and teardown, measured on the first 100 rows.
 */
async function fixedCost(): Promise<void> {
  const head = join(WORK, "head-100.csv");
  const fd = openSync(generated("utf8"), "r");
  const buffer = Buffer.alloc(1 << 20);
  const bytes = readSync(fd, buffer, 0, buffer.length, 0);
  closeSync(fd);
  const lines = buffer.subarray(0, bytes).toString("utf8").split("\n").slice(0, 101);
  writeFileSync(head, `${lines.join("\n")}\n`);
  const r = await run("head", head);
  console.log(
    `fixed cost of the command (a ${r.rows}-row import): ${r.wallSeconds.toFixed(2)} s wall, ${r.cpuSeconds.toFixed(2)} s CPU, peak RSS ${r.peakRssMb.toFixed(0)} MB, load ${load()}`,
  );
}

if (process.env.STAGES) {
  await stageCosts(Number(process.env.STAGES));
  await fixedCost();
}
