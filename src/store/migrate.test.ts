import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Kysely, sql } from "kysely";
import { afterAll, expect, test } from "vitest";
import { migrateToLatest } from "./migrate.ts";
import { openSqliteStore } from "./sqlite.ts";

const dir = mkdtempSync(join(tmpdir(), "recur-migrate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("on SQLite the pending migrations apply as one transaction: a failure half-way leaves none of them", async () => {
  const store = await openSqliteStore(join(dir, "m.db"), false);
  const db = store.db as unknown as Kysely<unknown>;
  try {
    const migrations = [
      [
        "0001_a",
        { up: async (k: Kysely<unknown>) => void (await sql`CREATE TABLE a (x INTEGER)`.execute(k)) },
      ],
      [
        "0002_b",
        {
          up: async (k: Kysely<unknown>) => {
            await sql`CREATE TABLE b (x INTEGER)`.execute(k);
            await sql`INSERT INTO b VALUES (1)`.execute(k);
            throw new Error("the process dies here");
          },
        },
      ],
    ] as const;
    await expect(migrateToLatest(db, { migrations })).rejects.toThrow(/0002_b/);
    const tables = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'`.execute(
      db,
    );
    const names = tables.rows.map((r) => r.name);
    expect(names).not.toContain("a");
    expect(names).not.toContain("b");
    // Run again with the fault gone: both apply.
    const fixed = [
      migrations[0],
      [
        "0002_b",
        { up: async (k: Kysely<unknown>) => void (await sql`CREATE TABLE b (x INTEGER)`.execute(k)) },
      ],
    ] as const;
    await migrateToLatest(db, { migrations: fixed });
    const after = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'`.execute(
      db,
    );
    expect(after.rows.map((r) => r.name)).toEqual(expect.arrayContaining(["a", "b"]));
  } finally {
    await store.close();
  }
});
