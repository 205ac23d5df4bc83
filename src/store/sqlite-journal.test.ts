import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, describe, expect, test } from "vitest";
import { makeIncident } from "../../test/builders.ts";
import { asBatchId, asEpochMs } from "../domain/index.ts";
import { openStore } from "./index.ts";
import { newBatch } from "./testing/stores.ts";
import type { Store } from "./types.ts";

/**
 * Exclusive SQLite stores (`recur import`): a rollback journal while the store has the file alone,
 * WAL otherwise, and WAL again once it is closed. The kill -9 test (batch-atomicity.test.ts) checks
 * that a batch through the rollback journal is atomic.
 */

const dir = mkdtempSync(join(tmpdir(), "recur-journal-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(dir, `store-${++n}.db`);

/** The journal mode the file is in, as a new connection finds it (without setting one). */
function fileJournalMode(path: string): string {
  const conn = new BetterSqlite3(path, { readonly: true });
  try {
    return String(conn.pragma("journal_mode", { simple: true }));
  } finally {
    conn.close();
  }
}

async function importRows(store: Store, batch: string, count: number): Promise<number> {
  const rows = Array.from({ length: count }, (_, k) =>
    makeIncident({
      sourceId: `${batch}-${k}`,
      batchId: asBatchId(batch),
      receivedAt: asEpochMs(Date.UTC(2024, 0, 1) + k * 60_000),
    }),
  );
  const writer = await store.beginBatch(newBatch(batch));
  const inserted = await writer.insertIncidents(rows);
  await writer.commit({ rows: count, imported: inserted, rejected: 0, duplicates: 0, finishedAt: 1 });
  return inserted;
}

describe("an exclusive SQLite store", () => {
  test("writes through a rollback journal while it has the file alone, and leaves it in WAL", async () => {
    const path = freshPath();
    await (await openStore({ path })).close();
    expect(fileJournalMode(path)).toBe("wal");
    const store = await openStore({ path, exclusive: true });
    try {
      expect(fileJournalMode(path)).toBe("delete");
      expect(await importRows(store, "alone", 300)).toBe(300);
      expect(await store.incidents.count()).toBe(300);
    } finally {
      await store.close();
    }
    expect(fileJournalMode(path)).toBe("wal");
    const again = await openStore({ path });
    try {
      expect(await again.incidents.count()).toBe(300);
    } finally {
      await again.close();
    }
  });

  test("makes a program that opens the file during its batch wait: an import until the batch ends, others 5 s", async () => {
    const path = freshPath();
    const store = await openStore({ path, exclusive: true });
    try {
      const writer = await store.beginBatch(newBatch("held"));
      await writer.insertIncidents([makeIncident({ sourceId: "held-1", batchId: asBatchId("held") })]);
      const waitedFrom = Date.now();
      await expect(openStore({ path })).rejects.toMatchObject({ code: "store_busy" });
      expect(Date.now() - waitedFrom).toBeGreaterThanOrEqual(4_500);
      // The commit goes to the batch thread now; opening blocks this thread until it has landed.
      const committing = writer.commit({ rows: 1, imported: 1, rejected: 0, duplicates: 0, finishedAt: 1 });
      const second = await openStore({ path, exclusive: true });
      await committing;
      try {
        expect(await second.incidents.count()).toBe(1);
      } finally {
        await second.close();
      }
    } finally {
      await store.close();
    }
    expect(fileJournalMode(path)).toBe("wal");
  }, 30_000);

  test("stays in WAL when another connection has the file open, which reads on during the batch", async () => {
    const path = freshPath();
    const other = await openStore({ path });
    try {
      expect(await importRows(other, "before", 10)).toBe(10);
      const store = await openStore({ path, exclusive: true });
      try {
        expect(fileJournalMode(path)).toBe("wal");
        const writer = await store.beginBatch(newBatch("beside"));
        const rows = [makeIncident({ sourceId: "beside-1", batchId: asBatchId("beside") })];
        expect(await writer.insertIncidents(rows)).toBe(1);
        // WAL: the other connection reads the committed rows while the batch is open.
        expect(await other.incidents.count()).toBe(10);
        await writer.commit({ rows: 1, imported: 1, rejected: 0, duplicates: 0, finishedAt: 1 });
        expect(await other.incidents.count()).toBe(11);
      } finally {
        await store.close();
      }
      expect(fileJournalMode(path)).toBe("wal");
    } finally {
      await other.close();
    }
  });
});
