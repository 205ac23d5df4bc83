import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { sql } from "kysely";
import { afterAll, describe, expect, test } from "vitest";
import { asBatchId, seededRandom } from "../domain/index.ts";
import { readAllRollups, rebuildIndicatorRollups } from "./indicator-rollups.ts";
import {
  PG_URL,
  pgUnreachable,
  postgresTarget,
  REQUIRE_PG,
  type StoreLocation,
  type StoreTarget,
  sqliteTarget,
} from "./testing/stores.ts";
import type { Store } from "./types.ts";

/**
 * Issue 2, item 4: a batch is atomic under kill -9. A child process writes one batch in chunks
 * and the parent SIGKILLs it at seeded points — between chunks, inside a chunk, and during the
 * commit — then checks that the store holds all of the batch or nothing, and that running the
 * import again completes it.
 */

const ROOT = join(import.meta.dirname, "..", "..");
const CHILD = join(import.meta.dirname, "testing", "batch-child.ts");
const ROWS = 4000;
const CHUNK = 400;
const CHUNKS = ROWS / CHUNK;

/** Where to kill: after a step line (child waiting), just after letting it run on, or at commit. */
type KillPoint = { readonly at: string; readonly running: boolean };

interface Run {
  readonly lines: readonly string[];
  readonly signal: NodeJS.Signals | null;
  readonly code: number | null;
}

/** Runs the child; kills it when it reports `kill.at` (after sending go if `kill.running`). */
function runChild(
  location: StoreLocation,
  batchId: string,
  kill?: KillPoint,
  expected = 0,
  feedback?: string,
  repeat = false,
): Promise<Run> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      CHILD,
      JSON.stringify(location),
      batchId,
      String(ROWS),
      String(CHUNK),
      ...(expected > 0 || feedback || repeat ? [String(expected)] : []),
      ...(feedback || repeat ? [feedback ?? ""] : []),
      ...(repeat ? ["repeat"] : []),
    ],
    { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] },
  );
  const lines: string[] = [];
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  createInterface({ input: child.stdout! }).on("line", (line) => {
    lines.push(line);
    if (kill && line === kill.at) {
      if (kill.running) child.stdin!.write("go\n");
      child.kill("SIGKILL");
    } else if (line !== "committing" && !line.startsWith("committed")) {
      child.stdin!.write("go\n");
    }
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (code !== 0 && signal === null) reject(new Error(`child failed (${code}): ${stderr}`));
      else resolve({ lines, signal, code });
    });
  });
}

/** Seeded kill points: two between/inside chunks, then one racing with the commit. */
function killPoints(seed: number): KillPoint[] {
  const random = seededRandom(seed);
  const steps = ["begun", ...Array.from({ length: CHUNKS - 1 }, (_, k) => `chunk ${k + 1}`)];
  const first = random.int(steps.length);
  let second = random.int(steps.length - 1);
  if (second >= first) second += 1;
  return [
    { at: steps[first]!, running: random.next() < 0.5 },
    { at: steps[second]!, running: random.next() < 0.5 },
    { at: "committing", running: false },
  ];
}

/** Names of the SQLite store's indexes (none for PostgreSQL, which has no bulk mode). */
async function indexNames(store: Store): Promise<string[]> {
  if (store.dialect !== "sqlite") return [];
  const result = await sql<{
    name: string;
  }>`SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name`.execute(store.db);
  return result.rows.map((r) => r.name);
}

/** Incidents counted by the indicator rollups (station level: each incident once). */
async function rollupTotal(store: Store): Promise<number> {
  return (await readAllRollups(store)).reduce((n, r) => n + (r.level === "station" ? r.incidents : 0), 0);
}

/**
 * `expected` > 0 announces a batch that big: on SQLite the place indexes are then dropped inside
 * the transaction and re-created at commit, and a kill must bring them back with the old rows.
 * `exclusive` (SQLite): the child opens the store as `recur import` does, and the parent closes
 * its own connection while the child runs, so the child's batch goes through a rollback journal
 * (checked: the killed child leaves a hot journal, no WAL) that the parent's next open rolls back.
 */
async function killAndRerun(
  target: StoreTarget,
  seed: number,
  expected = 0,
  exclusive = false,
): Promise<void> {
  const fresh = await target.fresh();
  let store = fresh.store;
  const location = exclusive ? { ...fresh.location, exclusive } : fresh.location;
  const path = "path" in location ? location.path : "";
  /** Runs the child; an exclusive run with the parent's store closed, reopened (and recovered) after. */
  const childRun = async (batchId: string, kill?: KillPoint): Promise<Run> => {
    if (!exclusive) return runChild(location, batchId, kill, expected);
    await store.close();
    try {
      const result = await runChild(location, batchId, kill, expected);
      if (kill && !result.lines.includes("committing")) {
        expect(existsSync(`${path}-journal`), `hot journal after a kill at ${kill.at}`).toBe(true);
        expect(existsSync(`${path}-wal`), `no WAL after a kill at ${kill.at}`).toBe(false);
      }
      return result;
    } finally {
      store = await target.open(fresh.location);
    }
  };
  try {
    const kills = killPoints(seed);
    const indexes = await indexNames(store);
    let committed = 0;
    for (const [attempt, kill] of kills.entries()) {
      const batchId = `kill-${attempt}`;
      const run = await childRun(batchId, kill);
      const count = await store.incidents.count({ sourceSystem: "kill-test" });
      const batch = await store.batches.get(asBatchId(batchId));
      const quarantined = await store.quarantine.count(asBatchId(batchId));
      const context = `${target.dialect}${exclusive ? " exclusive" : ""}, kill at ${kill.at}${kill.running ? " (running)" : ""}: ${run.lines.join("|")}`;
      expect(run.signal, context).toBe("SIGKILL");
      // All or nothing: the rows, the batch row and its quarantine appear together.
      expect([0, ROWS], context).toContain(count - committed);
      expect(batch === undefined ? 0 : ROWS, context).toBe(count - committed);
      expect(quarantined, context).toBe(batch === undefined ? 0 : 1);
      // Before the child reached its commit, nothing at all may be visible.
      if (!run.lines.includes("committing")) expect(count, context).toBe(committed);
      expect(await indexNames(store), context).toEqual(indexes);
      // The indicator rollups are written in the same transaction: they count exactly the stored rows.
      expect(await rollupTotal(store), context).toBe(count);
      committed = count;
    }
    const rerun = await childRun("kill-rerun");
    expect(rerun.code).toBe(0);
    expect(rerun.lines.at(-1)).toBe(`committed ${ROWS - committed}`);
    expect(await store.incidents.count({ sourceSystem: "kill-test" })).toBe(ROWS);
    expect((await store.batches.get(asBatchId("kill-rerun")))?.imported).toBe(ROWS - committed);
    expect(await rollupTotal(store)).toBe(ROWS);
  } finally {
    await store.close();
  }
}

/**
 * A later export of stored calls (every row gains an arrival and a feedback) killed at seeded
 * points: the store holds all of its updates, their revisions and the moved rollups, or none.
 */
async function killUpdates(target: StoreTarget, seed: number): Promise<void> {
  const { store, location } = await target.fresh();
  const FEEDBACK = "已处理";
  const updatedRows = async () =>
    Number(
      (
        await sql<{
          n: number | string;
        }>`SELECT COUNT(*) AS n FROM incidents WHERE feedback = ${FEEDBACK}`.execute(store.db)
      ).rows[0]?.n,
    );
  const revisionRows = async () =>
    Number(
      (await sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM incident_revisions`.execute(store.db))
        .rows[0]?.n,
    );
  /** The rollups as stored, then checked against a rebuild (which leaves them as they should be). */
  const rollupsMatchRebuild = async (context: string) => {
    const stored = await readAllRollups(store);
    await store.db.transaction().execute((trx) => rebuildIndicatorRollups(trx as never));
    expect(stored, context).toEqual(await readAllRollups(store));
  };
  try {
    expect((await runChild(location, "first")).code).toBe(0);
    let applied = 0;
    for (const [attempt, kill] of killPoints(seed).entries()) {
      const batchId = `update-${attempt}`;
      const run = await runChild(location, batchId, kill, 0, FEEDBACK);
      const context = `${target.dialect} updates, kill at ${kill.at}${kill.running ? " (running)" : ""}: ${run.lines.join("|")}`;
      expect(run.signal, context).toBe("SIGKILL");
      const updated = await updatedRows();
      const batch = await store.batches.get(asBatchId(batchId));
      expect([applied, ROWS], context).toContain(updated);
      if (updated > applied) expect(batch?.updated, context).toBe(ROWS);
      else expect(batch, context).toBeUndefined();
      if (!run.lines.includes("committing")) expect(updated, context).toBe(applied);
      expect(await revisionRows(), context).toBe(updated);
      await rollupsMatchRebuild(context);
      applied = updated;
    }
    const rerun = await runChild(location, "update-rerun", undefined, 0, FEEDBACK);
    expect(rerun.code).toBe(0);
    expect(await updatedRows()).toBe(ROWS);
    expect((await store.batches.get(asBatchId("update-rerun")))?.updated).toBe(ROWS - applied);
    expect(await revisionRows()).toBe(ROWS);
    expect(await store.incidents.count({ sourceSystem: "kill-test" })).toBe(ROWS);
  } finally {
    await store.close();
  }
}

/** The feedback of the calls batch-child.ts writes twice in one file (`repeat`). */
const REPEAT_FEEDBACK = "再次导出：已处理";
/** Calls written twice in the child's file: every 20th of each chunk but the last. */
const REPEATED = (ROWS - CHUNK) / 20;

/**
 * A first import whose file repeats calls with more progress (a key repeated in the file, merged
 * into the row before it, across chunks), killed at seeded points: the store holds all of its
 * rows, merges, revisions and rollups, or none.
 */
async function killInFileRepeats(target: StoreTarget, seed: number, expected = 0): Promise<void> {
  const { store, location } = await target.fresh();
  const count = async (query: ReturnType<typeof sql<{ n: number | string }>>) =>
    Number((await query.execute(store.db)).rows[0]?.n);
  const merged = () =>
    count(
      sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM incidents WHERE feedback = ${REPEAT_FEEDBACK}`,
    );
  const revisions = () => count(sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM incident_revisions`);
  try {
    let committed = false;
    for (const [attempt, kill] of killPoints(seed).entries()) {
      const batchId = `repeat-${attempt}`;
      const run = await runChild(location, batchId, kill, expected, undefined, true);
      const context = `${target.dialect} in-file repeats, kill at ${kill.at}${kill.running ? " (running)" : ""}: ${run.lines.join("|")}`;
      expect(run.signal, context).toBe("SIGKILL");
      const stored = await store.incidents.count({ sourceSystem: "kill-test" });
      const batch = await store.batches.get(asBatchId(batchId));
      if (!committed) {
        expect([0, ROWS], context).toContain(stored);
        expect(await merged(), context).toBe(stored === 0 ? 0 : REPEATED);
        expect(await revisions(), context).toBe(stored === 0 ? 0 : REPEATED);
        if (stored > 0) expect(batch, context).toMatchObject({ imported: ROWS, updated: REPEATED });
        else expect(batch, context).toBeUndefined();
        if (!run.lines.includes("committing")) expect(stored, context).toBe(0);
        committed = stored > 0;
      }
      const rollups = await readAllRollups(store);
      await store.db.transaction().execute((trx) => rebuildIndicatorRollups(trx as never));
      expect(rollups, context).toEqual(await readAllRollups(store));
    }
    const rerun = await runChild(location, "repeat-rerun", undefined, expected, undefined, true);
    expect(rerun.code).toBe(0);
    expect(await merged()).toBe(REPEATED);
    expect(await revisions()).toBe(REPEATED);
    expect(await store.batches.get(asBatchId("repeat-rerun"))).toMatchObject(
      committed
        ? { imported: 0, updated: 0, duplicates: ROWS + REPEATED }
        : { imported: ROWS, updated: REPEATED, duplicates: 0 },
    );
  } finally {
    await store.close();
  }
}

const targets: StoreTarget[] = [];
afterAll(async () => {
  for (const target of targets) await target.dispose();
});

const pgProblem = await pgUnreachable();

describe("a batch killed with SIGKILL leaves all of its rows or none, and a re-run completes it", () => {
  // Eight node processes start here (~8 CPU-seconds, ~6 s on two idle cores); a shared machine is slower.
  test("on SQLite and PostgreSQL", async () => {
    const sqlite = sqliteTarget();
    targets.push(sqlite);
    const runs = [
      killAndRerun(sqlite, 2024),
      killAndRerun(sqlite, 2026, 1_000_000),
      killAndRerun(sqlite, 2027, 1_000_000, true),
    ];
    if (pgProblem === undefined) {
      const postgres = await postgresTarget();
      targets.push(postgres);
      runs.push(killAndRerun(postgres, 2025));
    } else if (REQUIRE_PG) {
      throw new Error(`PostgreSQL unreachable at ${PG_URL} (RECUR_REQUIRE_PG=1): ${pgProblem}`);
    } else {
      console.warn(`kill -9 test on PostgreSQL SKIPPED: ${PG_URL} unreachable (${pgProblem})`);
    }
    await Promise.all(runs);
  }, 120_000);
});

describe("a later export killed with SIGKILL applies all of its updates or none", () => {
  test("on SQLite and PostgreSQL", async () => {
    const sqlite = sqliteTarget();
    targets.push(sqlite);
    const runs = [killUpdates(sqlite, 2031)];
    if (pgProblem === undefined) {
      const postgres = await postgresTarget();
      targets.push(postgres);
      runs.push(killUpdates(postgres, 2032));
    } else if (REQUIRE_PG) {
      throw new Error(`PostgreSQL unreachable at ${PG_URL} (RECUR_REQUIRE_PG=1): ${pgProblem}`);
    }
    await Promise.all(runs);
  }, 120_000);
});

describe("a first import repeating calls in its file, killed with SIGKILL, applies all of its merges or none", () => {
  test("on SQLite and PostgreSQL", async () => {
    const sqlite = sqliteTarget();
    targets.push(sqlite);
    const runs = [killInFileRepeats(sqlite, 2041), killInFileRepeats(sqlite, 2042, 1_000_000)];
    if (pgProblem === undefined) {
      const postgres = await postgresTarget();
      targets.push(postgres);
      runs.push(killInFileRepeats(postgres, 2043));
    } else if (REQUIRE_PG) {
      throw new Error(`PostgreSQL unreachable at ${PG_URL} (RECUR_REQUIRE_PG=1): ${pgProblem}`);
    }
    await Promise.all(runs);
  }, 120_000);
});
