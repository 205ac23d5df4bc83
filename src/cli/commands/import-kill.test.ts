import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { expect, test } from "vitest";
import { SYNTH_HEADER, synthRow, tempDir, writeText } from "../../ingest/testing/files.ts";
import { openStore } from "../../store/index.ts";

const RECUR = join(import.meta.dirname, "..", "..", "..", "bin", "recur");
const ROWS = 20_000;

function start(file: string, db: string): ChildProcess {
  return spawn(RECUR, ["import", file, "--profile", "synthetic", "--db", db, "--json"], { stdio: "ignore" });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done(child.exitCode);
    else child.once("exit", (code) => done(code));
  });

async function counts(db: string) {
  const store = await openStore({ path: db });
  try {
    return { incidents: await store.incidents.count(), batches: (await store.batches.list()).length };
  } finally {
    await store.close();
  }
}

test("recur import killed with SIGKILL mid-batch leaves nothing, and running it again completes it", async () => {
  const dir = tempDir("recur-import-kill-");
  const rows = Array.from({ length: ROWS }, (_, i) => synthRow({ 接警单号: `K${i}` }));
  const file = writeText(dir, "calls.csv", `${[SYNTH_HEADER, ...rows].join("\n")}\n`);

  // How long a whole import takes here, to kill the next one in the middle of its batch.
  const t0 = performance.now();
  expect(await exited(start(file, join(dir, "timing.db")))).toBe(0);
  const full = performance.now() - t0;

  const db = join(dir, "killed.db");
  let killedMidway = false;
  for (const share of [0.6, 0.4, 0.25]) {
    const child = start(file, db);
    await new Promise((r) => setTimeout(r, full * share));
    if (child.exitCode === null) {
      child.kill("SIGKILL");
      killedMidway = true;
    }
    await exited(child);
    if (killedMidway) break;
  }
  expect(killedMidway).toBe(true);
  expect(await counts(db)).toEqual({ incidents: 0, batches: 0 });

  expect(await exited(start(file, db))).toBe(0);
  expect(await counts(db)).toEqual({ incidents: ROWS, batches: 1 });
}, 300_000);
