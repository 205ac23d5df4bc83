import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { makeIncident } from "../../../test/builders.ts";
import { recur } from "../../../test/cli.ts";
import { applyCase, newCase } from "../../cases/case.ts";
import { asBatchId, asEpochMs, asUnitCode, fixedClock, type Incident } from "../../domain/index.ts";
import { openStore } from "../../store/index.ts";
import { serverRepository } from "../../store/server-repository.ts";

const dir = mkdtempSync(join(tmpdir(), "recur-cases-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const DAY = 86_400_000;
const RESOLVED = Date.UTC(2024, 5, 1);

const run = async (args: string[]) => {
  const { code, stdout, stderr } = await recur(args, { cwd: dir });
  return { code, out: stdout + stderr };
};

/** `n` noise calls at building `key` spread over the 30 days before (negative offset) or after. */
function calls(key: string, n: number, after: boolean): Incident[] {
  return Array.from({ length: n }, (_, i) =>
    makeIncident({
      sourceId: `${key}-${after ? "a" : "b"}${i}`,
      batchId: asBatchId("cases"),
      category: "public_order",
      subtype: "noise",
      stationUnit: asUnitCode("S1"),
      branchUnit: asUnitCode("B1"),
      receivedAt: asEpochMs(RESOLVED + (after ? 1 : -1) * (i + 0.5) * ((29 * DAY) / n)),
      location: { building: key },
    }),
  );
}

test("the sweep closes a case whose place went quiet while matched places did not, and reopens one that recurred", async () => {
  const db = join(dir, "sweep.db");
  const store = await openStore({ path: db });
  const writer = await store.beginBatch({
    id: asBatchId("cases"),
    sourceSystem: "test",
    profile: "p",
    fileName: "f",
    fileSha256: "0".repeat(64),
    startedAt: 0,
  });
  const rows = [
    ...calls("quiet", 9, false),
    ...calls("loud", 9, false),
    ...calls("loud", 4, true),
    ...Array.from({ length: 8 }, (_, c) => [
      ...calls(`control${c}`, 9, false),
      ...calls(`control${c}`, 9, true),
    ]).flat(),
  ];
  await writer.insertIncidents(rows);
  await writer.commit({
    rows: rows.length,
    imported: rows.length,
    rejected: 0,
    duplicates: 0,
    finishedAt: 0,
  });
  const repo = serverRepository(store);
  for (const key of ["quiet", "loud"]) {
    let c = newCase({
      id: key,
      title: key,
      subject: {
        kind: "place",
        seriesId: null,
        locationKey: key,
        locationLevel: "building",
        callerPseudonym: null,
        group: "noise",
        protective: false,
      },
      warning: "yellow",
      branchUnit: "B1",
      stationUnit: "S1",
      by: "u",
      clock: fixedClock(RESOLVED - DAY),
    });
    const clock = fixedClock(RESOLVED);
    for (const command of [
      { action: "assign", assignee: { kind: "unit", code: "S1" }, owner: "o" },
      { action: "start" },
      { action: "resolve", resolution: "mediated" },
      { action: "verify", days: 30 },
    ] as const)
      c = applyCase(c, c.version, command, "u", clock);
    await repo.createCase(c);
  }
  await store.close();

  const result = await run([
    "cases",
    "sweep",
    "--db",
    db,
    "--now",
    new Date(RESOLVED + 31 * DAY).toISOString(),
    "--json",
  ]);
  expect(result.code).toBe(0);
  expect(JSON.parse(result.out)).toMatchObject({ verifying: 2, reopened: 1, closedEffective: 1, applied: 2 });
  const after = await openStore({ path: db });
  const states = Object.fromEntries(
    (await serverRepository(after).listCases({ kind: "all" })).map((c) => [c.id, c.state]),
  );
  expect(states).toEqual({ quiet: "closed_effective", loud: "reopened" });
  await after.close();
  const summary = await run(["cases", "summary", "--db", db, "--json"]);
  expect(JSON.parse(summary.out).rows[0]).toMatchObject({
    assignee: "S1",
    closedEffective: 1,
    effectiveRate: 1,
  });
});
