import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { sql } from "kysely";
import { beforeAll, expect, test } from "vitest";
import { makeIncident } from "../../../test/builders.ts";
import { asBatchId, asEpochMs, asUnitCode } from "../../domain/index.ts";
import { openStore } from "../../store/index.ts";
import { main } from "../main.ts";

function capture() {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk) => {
    text += chunk;
  });
  return { stream, text: () => text };
}

async function recur(args: string[]) {
  const out = capture();
  const err = capture();
  const code = await main(args, { stdout: out.stream, stderr: err.stream, env: {}, lang: "en" });
  return { code, stdout: out.text(), stderr: err.text() };
}

const dir = mkdtempSync(join(tmpdir(), "recur-quality-"));
const db = join(dir, "q.db");
const T0 = Date.UTC(2024, 4, 1, 2);

beforeAll(async () => {
  const store = await openStore({ path: db });
  const batch = asBatchId("b1");
  const writer = await store.beginBatch({
    id: batch,
    sourceSystem: "test",
    profile: "test",
    fileName: "t.csv",
    fileSha256: "00".repeat(32),
    startedAt: 0,
  });
  const base = {
    batchId: batch,
    category: "public_order" as const,
    subtype: "noise",
    closedAt: asEpochMs(T0 + 3_600_000),
    stationUnit: asUnitCode("东湖派出所"),
    branchUnit: asUnitCode("澜西分局"),
    disposition: "已调解",
    feedback: "民警到场调解，双方达成一致。",
  };
  await writer.insertIncidents([
    makeIncident({ ...base, sourceId: "A1", narrative: "报警人称楼下KTV唱歌噪音扰民。" }),
    makeIncident({ ...base, sourceId: "A2", narrative: "" }),
    makeIncident({ ...base, sourceId: "A3", narrative: "报警人称其电动车被盗。" }),
  ]);
  await writer.commit({ rows: 3, imported: 3, rejected: 0, duplicates: 0, finishedAt: 1 });
  await store.close();
  writeFileSync(
    join(dir, "truth.json"),
    JSON.stringify({ defects: [{ incident: "A2", code: "empty_narrative" }] }),
  );
});

test("recur quality reports issues, scorecards and the truth comparison as JSON", async () => {
  const r = await recur(["quality", "--db", db, "--truth", join(dir, "truth.json"), "--json"]);
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out.incidents).toBe(3);
  expect(out.issues.empty_narrative).toBe(1);
  expect(out.issues.wrong_category).toBe(1);
  expect(out.scorecards).toHaveLength(1);
  expect(out.scorecards[0].unit).toBe("东湖派出所");
  expect(out.truth.overall).toMatchObject({ truePositives: 1, falsePositives: 0, falseNegatives: 0 });
  // The indicators' daily quality totals are remade by the run itself, not by the next report.
  const store = await openStore({ path: db });
  try {
    const days = await sql<{ n: number; total: number }>`
      SELECT SUM(n) AS n, SUM(total) AS total FROM indicator_extra_days WHERE kind = 'quality' AND level = 'city'`.execute(
      store.db,
    );
    expect(Number(days.rows[0]?.n)).toBe(3);
    expect(Number(days.rows[0]?.total)).toBeGreaterThan(0);
  } finally {
    await store.close();
  }
});

test("a review is sampled, returned for rework, resubmitted and passed through the CLI", async () => {
  await recur(["quality", "--db", db, "--json"]);
  const sampled = JSON.parse(
    (
      await recur([
        "review",
        "sample",
        "--mode",
        "random",
        "--count",
        "1",
        "--seed",
        "3",
        "--db",
        db,
        "--json",
      ])
    ).stdout,
  );
  expect(sampled).toEqual({ level: "city", chosen: 1, added: 1 });
  const [item] = JSON.parse((await recur(["review", "list", "--db", db, "--json"])).stdout);
  expect((await recur(["review", "rework", item.id, "--reason", "地址不全", "--db", db])).code).toBe(0);
  const early = await recur(["review", "pass", item.id, "--db", db]);
  expect(early.code).toBe(1);
  expect(early.stderr).toMatch(/returned for rework/);
  expect((await recur(["review", "resubmit", item.id, "--db", db])).code).toBe(0);
  const passed = JSON.parse((await recur(["review", "pass", item.id, "--db", db, "--json"])).stdout);
  expect(passed).toMatchObject({ status: "passed", round: 2 });
  const self = JSON.parse(
    (await recur(["review", "self-check", "--station", "东湖派出所", "--db", db, "--json"])).stdout,
  );
  // A2 (empty narrative) and A3 (theft recorded as noise) carry rule errors.
  expect(self.chosen).toBe(2);
});

test("bad usage exits with 2 and a message in the user's language", async () => {
  expect((await recur(["quality", "--level", "galaxy", "--db", db])).code).toBe(2);
  expect((await recur(["review", "sample", "--mode", "random", "--db", db])).code).toBe(2);
  expect((await recur(["review", "dance", "--db", db])).code).toBe(2);
});
