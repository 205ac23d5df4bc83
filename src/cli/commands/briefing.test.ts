import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { makeIncident } from "../../../test/builders.ts";
import { asBatchId, asEpochMs, asUnitCode } from "../../domain/index.ts";
import { openStore } from "../../store/index.ts";
import { runCli } from "../testing.ts";

const dir = mkdtempSync(join(tmpdir(), "recur-briefing-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const db = join(dir, "b.db");
const BATCH = asBatchId("briefing-batch");

beforeAll(async () => {
  const store = await openStore({ path: db });
  const writer = await store.beginBatch({
    id: BATCH,
    sourceSystem: "test",
    profile: "t",
    fileName: "t",
    fileSha256: "bb".repeat(32),
    startedAt: 0,
  });
  await writer.insertIncidents(
    Array.from({ length: 12 }, (_, k) =>
      makeIncident({
        sourceId: `B${k}`,
        batchId: BATCH,
        receivedAt: asEpochMs(Date.UTC(2024, 5, 19, k)),
        areaUnit: asUnitCode(k < 10 ? "A1" : "A2"),
        category: "dispute",
      }),
    ),
  );
  await writer.commit({ rows: 12, imported: 12, rejected: 0, duplicates: 0, finishedAt: 1 });
  await store.close();
});

async function recur(args: string[]) {
  const { code, out, err } = await runCli(args, { cwd: dir, lang: "en" });
  return { code, stdout: out, stderr: err };
}

test("recur briefing prints the area's last 24 hours and the slots of the shift", async () => {
  const { code, stdout } = await recur([
    "briefing",
    "--area",
    "A1",
    "--at",
    "2024-06-20 08:00",
    "--db",
    db,
    "--lang",
    "en",
  ]);
  expect(code).toBe(0);
  expect(stdout).toContain("Pre-shift briefing A1");
  expect(stdout).toContain("Last 24 hours: 10 (Dispute 10).");
  expect(stdout).toContain("08:00–10:00");
});

test("a shift start that is not a local date and time is a usage error", async () => {
  const { code, stderr } = await recur([
    "briefing",
    "--area",
    "A1",
    "--at",
    "tomorrow",
    "--db",
    db,
    "--lang",
    "en",
  ]);
  expect(code).toBe(2);
  expect(stderr).toContain("YYYY-MM-DD HH:MM");
});
