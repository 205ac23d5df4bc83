import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { makeIncident } from "../../../test/builders.ts";
import { recur } from "../../../test/cli.ts";
import { asBatchId, asEpochMs, asPseudonym } from "../../domain/index.ts";
import { openStore } from "../../store/index.ts";
import { registryRepository } from "../../store/registry-repository.ts";

const dir = mkdtempSync(join(tmpdir(), "recur-admin-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = async (args: string[]) => {
  const { code, stdout, stderr } = await recur(args, { cwd: dir });
  return { code, out: stdout + stderr };
};

test("users are created with a generated password that must be changed, and listed", async () => {
  const db = join(dir, "users.db");
  const added = await run([
    "users",
    "add",
    "--username",
    "li.ming",
    "--role",
    "station_officer",
    "--unit-level",
    "station",
    "--unit-code",
    "S1",
    "--db",
    db,
    "--json",
  ]);
  expect(added.code).toBe(0);
  const { initialPassword } = JSON.parse(added.out) as { initialPassword: string };
  expect(initialPassword).toMatch(/^[A-Za-z0-9]{4}(-[A-Za-z0-9]{4}){3}$/);
  expect((await run(["users", "add", "--username", "li.ming", "--role", "auditor", "--db", db])).code).toBe(
    1,
  );
  const listed = await run(["users", "list", "--db", db, "--json"]);
  expect(JSON.parse(listed.out).users).toEqual([
    { username: "li.ming", role: "station_officer", unit: "S1", disabled: false, locked: false },
  ]);
});

test("once units are registered, a new user's unit must be registered, active and of the stated level", async () => {
  const db = join(dir, "registry.db");
  const store = await openStore({ path: db });
  try {
    const registry = registryRepository(store);
    await registry.saveUnit({ code: "C", name: "澜江市公安局", level: "city", parentCode: null }, 0);
    await registry.saveUnit({ code: "S1", name: "东湖派出所", level: "station", parentCode: "C" }, 0);
  } finally {
    await store.close();
  }
  const officer = (code: string, level = "station") =>
    run([
      "users",
      "add",
      "--username",
      `u-${code}-${level}`,
      "--role",
      "station_officer",
      "--unit-level",
      level,
      "--unit-code",
      code,
      "--db",
      db,
      "--lang",
      "en",
    ]);
  const unknown = await officer("S9");
  expect(unknown.code).toBe(1);
  expect(unknown.out).toContain("Unit S9 is not registered");
  const wrongLevel = await officer("S1", "branch");
  expect(wrongLevel.code).toBe(1);
  expect(wrongLevel.out).toContain("registered as a station unit");
  expect((await officer("S1")).code).toBe(0);
});

test("audit verify passes on an intact log and fails once a row is edited", async () => {
  const db = join(dir, "audit.db");
  await run(["users", "add", "--username", "a", "--role", "auditor", "--db", db]);
  await run(["users", "disable", "a", "--db", db]);
  expect(await run(["audit", "verify", "--db", db])).toMatchObject({ code: 0 });
  const store = await openStore({ path: db });
  await store.db
    .withTables<{ audit_log: { seq: number; action: string } }>()
    .updateTable("audit_log")
    .set({ action: "nothing" })
    .where("seq", "=", 1)
    .execute();
  await store.close();
  const verdict = await run(["audit", "verify", "--db", db]);
  expect(verdict.code).toBe(1);
  expect(verdict.out).toContain("tampered");
});

test("retention removes caller links and narratives of old incidents only, with a simulated now", async () => {
  const db = join(dir, "retention.db");
  const store = await openStore({ path: db });
  const day = 86_400_000;
  const now = Date.UTC(2026, 0, 1);
  const writer = await store.beginBatch({
    id: asBatchId("r"),
    sourceSystem: "test",
    profile: "p",
    fileName: "f",
    fileSha256: "0".repeat(64),
    startedAt: 0,
  });
  const at = (daysAgo: number, id: string) =>
    makeIncident({
      sourceId: id,
      batchId: asBatchId("r"),
      receivedAt: asEpochMs(now - daysAgo * day),
      callerPseudonym: asPseudonym(`c-${id}`),
      narrative: "楼上噪音",
      feedback: "已劝离",
    });
  await writer.insertIncidents([at(10, "new"), at(400, "old"), at(1200, "ancient")]);
  await writer.commit({ rows: 3, imported: 3, rejected: 0, duplicates: 0, finishedAt: now });
  await store.close();

  const result = await run(["retention", "--db", db, "--now", new Date(now).toISOString(), "--json"]);
  expect(JSON.parse(result.out)).toMatchObject({ callersRemoved: 2, narrativesRemoved: 1 });
  const after = await openStore({ path: db });
  const byId = async (id: string) => after.incidents.get("test", id);
  expect(await byId("new")).toMatchObject({ callerPseudonym: "c-new", narrative: "楼上噪音" });
  expect(await byId("old")).toMatchObject({
    callerPseudonym: null,
    narrative: "楼上噪音",
    category: "dispute",
  });
  expect(await byId("ancient")).toMatchObject({ callerPseudonym: null, narrative: null, feedback: null });
  await after.close();
  expect((await run(["retention", "--db", db, "--audit-days", "30"])).code).toBe(1);
});
