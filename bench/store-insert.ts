/**
 * Insert throughput of the store's batch writer (no CSV parsing): generated incidents in chunks
 * of 10,000 into one batch. First the insert alone (beginBatch..commit timed, each chunk awaited),
 * then generation and insertion overlapped with one chunk in flight, as an importer can do.
 * Runs SQLite (temp file) and, when reachable, PostgreSQL (a throwaway database on
 * RECUR_TEST_PG_URL).
 *
 *   node --import tsx bench/store-insert.ts [--rows 500000] [--no-pg] [--no-sqlite]
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import {
  asBatchId,
  asEpochMs,
  asIncidentId,
  asPseudonym,
  asUnitCode,
  CATEGORIES,
  type Incident,
  seededRandom,
} from "../src/domain/index.ts";
import { openStore, type Store } from "../src/store/index.ts";
import { makeIncident } from "../test/builders.ts";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "500000" },
    "no-pg": { type: "boolean", default: false },
    "no-sqlite": { type: "boolean", default: false },
  },
});
const ROWS = Number(values.rows);
const CHUNK = 10_000;
const BATCH = asBatchId("bench-batch");
const PG_URL = process.env.RECUR_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/**
 * A chunk of plausible incidents in export order: hashed ids, 3,000 compounds, sparse room and
 * road keys, repeat callers, 40 stations.
 */
function chunk(start: number, random: () => number): Incident[] {
  const out: Incident[] = [];
  for (let n = start; n < Math.min(start + CHUNK, ROWS); n++) {
    const sourceId = `JJ2024${String(n).padStart(10, "0")}`;
    const compound = Math.floor(random() * 3000);
    const building = 1 + Math.floor(random() * 30);
    const hasPlace = random() < 0.7;
    // A dispatch export runs in call order: times rise through the year, a few minutes out of order.
    const received = Date.UTC(2024, 0, 1) + Math.floor((n / ROWS) * 365 * 86_400_000 + random() * 600_000);
    out.push(
      makeIncident({
        id: asIncidentId(createHash("sha1").update(`bench:${sourceId}`).digest("hex").slice(0, 20)),
        sourceSystem: "bench",
        sourceId,
        batchId: BATCH,
        receivedAt: asEpochMs(received),
        acceptedAt: asEpochMs(received + 20_000),
        dispatchedAt: asEpochMs(received + 90_000),
        arrivedAt: random() < 0.8 ? asEpochMs(received + 600_000) : null,
        closedAt: asEpochMs(received + 3_600_000),
        category: CATEGORIES[Math.floor(random() * CATEGORIES.length)]!,
        subtype: "other",
        sourceCategory: "010101",
        address: `临江市滨江区第${compound}小区${building}栋2单元${100 + Math.floor(random() * 2000)}室`,
        lon: 120 + random(),
        lat: 30 + random(),
        datum: "gcj02",
        location: hasPlace
          ? {
              poi: `p${compound}`,
              building: `p${compound}/b${building}`,
              unit: `p${compound}/b${building}/u2`,
              room: random() < 0.5 ? `p${compound}/b${building}/u2/r${Math.floor(random() * 2000)}` : null,
            }
          : { road: `r${Math.floor(random() * 500)}/${Math.floor(random() * 300)}` },
        cityUnit: asUnitCode("330100"),
        branchUnit: asUnitCode(`3301${String(Math.floor(random() * 8)).padStart(2, "0")}`),
        stationUnit: asUnitCode(`s${Math.floor(random() * 40)}`),
        callerPseudonym: asPseudonym(`c${Math.floor(random() * ROWS * 0.6)}`),
        narrative: "报警人称楼上邻居深夜噪音扰民，多次协商无果，请求民警到场处理。",
        disposition: "已调解",
        feedback: "民警到场后双方达成和解。",
      }),
    );
  }
  return out;
}

function cpuOf(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return d.user + d.system;
}

const NEW_BATCH = {
  id: BATCH,
  sourceSystem: "bench",
  profile: "bench",
  fileName: "bench.csv",
  fileSha256: "0".repeat(64),
  startedAt: 0,
  // As `recur import` announces its batch: a big first import is a bulk batch on SQLite.
  expectedRows: ROWS,
};

/**
 * The insert alone: each chunk is generated, then inserted and awaited (as an importer that
 * waits for every chunk does); only beginBatch, insertIncidents and commit are timed.
 */
async function serial(name: string, store: Store): Promise<number> {
  const rng = seededRandom(42);
  const random = () => rng.next();
  let insertMs = 0;
  let generateMs = 0;
  let cpuUs = 0;
  let inserted = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const writer = await store.beginBatch(NEW_BATCH);
  insertMs += performance.now() - t0;
  cpuUs += cpuOf(cpu0);
  for (let start = 0; start < ROWS; start += CHUNK) {
    const g = performance.now();
    const rows = chunk(start, random);
    generateMs += performance.now() - g;
    const c = process.cpuUsage();
    const t = performance.now();
    inserted += await writer.insertIncidents(rows);
    insertMs += performance.now() - t;
    cpuUs += cpuOf(c);
  }
  const c1 = process.cpuUsage();
  const t1 = performance.now();
  await writer.commit({
    rows: ROWS,
    imported: inserted,
    rejected: 0,
    duplicates: ROWS - inserted,
    finishedAt: 1,
  });
  const commitMs = performance.now() - t1;
  cpuUs += cpuOf(c1);
  insertMs += commitMs;
  // On a shared machine the wall clock includes waiting for a core; the CPU figure does not
  // (for PostgreSQL most of the work is in the server process and is not counted here).
  console.log(
    `${name} insert alone: ${ROWS.toLocaleString("en")} rows (${inserted.toLocaleString("en")} new) in ${(insertMs / 1000).toFixed(2)} s ` +
      `(commit ${(commitMs / 1000).toFixed(2)} s) = ${rate(insertMs).toLocaleString("en")} rows/s wall; ` +
      `process CPU ${(cpuUs / 1e6).toFixed(2)} s = ${Math.round(ROWS / (cpuUs / 1e6)).toLocaleString("en")} rows per CPU-second`,
  );
  console.log(
    `${name} generate + insert, waiting for each chunk: ${((generateMs + insertMs) / 1000).toFixed(2)} s = ${rate(generateMs + insertMs).toLocaleString("en")} rows/s`,
  );
  return generateMs;
}

/** Generation and insertion overlapped: one chunk in flight while the next is generated. */
async function pipelined(name: string, store: Store): Promise<void> {
  const rng = seededRandom(42);
  const random = () => rng.next();
  let callMs = 0;
  let inserted = 0;
  const t0 = performance.now();
  const writer = await store.beginBatch(NEW_BATCH);
  let inFlight: Promise<number> | undefined;
  for (let start = 0; start < ROWS; start += CHUNK) {
    const rows = chunk(start, random);
    if (inFlight) inserted += await inFlight;
    const c = performance.now();
    inFlight = writer.insertIncidents(rows);
    callMs += performance.now() - c;
  }
  if (inFlight) inserted += await inFlight;
  await writer.commit({
    rows: ROWS,
    imported: inserted,
    rejected: 0,
    duplicates: ROWS - inserted,
    finishedAt: 1,
  });
  const totalMs = performance.now() - t0;
  console.log(
    `${name} generate + insert, one chunk in flight: ${(totalMs / 1000).toFixed(2)} s = ${rate(totalMs).toLocaleString("en")} rows/s; ` +
      `importing thread spent ${((callMs * 1000) / ROWS).toFixed(2)} µs/row handing rows to the store`,
  );
}

/** Reading everything back in receivedAt order, as the analyses do. */
async function scan(name: string, store: Store): Promise<void> {
  const t0 = performance.now();
  let n = 0;
  for await (const page of store.incidents.scan(5000)) n += page.length;
  const ms = performance.now() - t0;
  console.log(
    `${name} scan: ${n.toLocaleString("en")} incidents read back in ${(ms / 1000).toFixed(2)} s = ${rate(ms).toLocaleString("en")} rows/s`,
  );
}

function rate(ms: number): number {
  return Math.round(ROWS / (ms / 1000));
}

async function run(name: string, open: () => Promise<Store>): Promise<void> {
  const first = await open();
  const generateMs = await serial(name, first);
  await scan(name, first);
  await first.close();
  console.log(`${name} generation alone: ${rate(generateMs).toLocaleString("en")} rows/s`);
  const second = await open();
  await pipelined(name, second);
  await second.close();
}

if (!values["no-sqlite"]) {
  const dir = mkdtempSync(join(tmpdir(), "recur-bench-"));
  try {
    let n = 0;
    await run("sqlite", () => openStore({ path: join(dir, `bench-${++n}.db`) }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!values["no-pg"]) {
  const admin = new pg.Client({ connectionString: PG_URL });
  const name = `recur_bench_${process.pid}`;
  try {
    await admin.connect();
  } catch (error) {
    console.log(`postgres: skipped, ${PG_URL} unreachable (${(error as Error).message})`);
    process.exit(0);
  }
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    const url = new URL(PG_URL);
    url.pathname = `/${name}`;
    let n = 0;
    await run("postgres", () => {
      url.searchParams.set("options", `-c search_path=run${++n}`);
      return openStore({ databaseUrl: url.toString() });
    });
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
