import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { makeIncident } from "../../test/builders.ts";
import { asBatchId, asEpochMs, asIncidentId, asPseudonym, seededRandom } from "../domain/index.ts";
import { writeIncidentValues } from "./rows.ts";
import { BATCH_SQL, openSqliteStore } from "./sqlite.ts";
import { BatchExecutor, openConnection, type SqlValue } from "./sqlite-executor.mjs";

const dir = mkdtempSync(join(tmpdir(), "recur-executor-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("a bulk batch's indexes built by the threaded sorter in many runs hold every row, and the connection's settings come back", async () => {
  const path = join(dir, "sorted.db");
  await (await openSqliteStore(path)).close();
  const conn = openConnection(path);
  try {
    // Runs of 64 KiB: the 20,000 ids alone (~40 bytes a key) make a dozen runs, sorted and
    // merged by the helper threads, as the keys of a million rows are with 8 MiB runs.
    const executor = new BatchExecutor(conn, BATCH_SQL, { cacheKib: 1024, sorterRunKib: 64 });
    const random = seededRandom(16);
    const key = () => Math.floor(random.next() * 2 ** 48).toString(36);
    const batch = asBatchId("sorted");
    const values: SqlValue[] = [];
    let at = 0;
    for (let i = 0; i < 20_000; i++)
      at = writeIncidentValues(
        values,
        at,
        makeIncident({
          id: asIncidentId(`id-${key()}-${i}`),
          sourceId: `S${i}`,
          batchId: batch,
          receivedAt: asEpochMs(Date.UTC(2024, 0, 1) + i * 60_000),
          callerPseudonym: i % 7 === 0 ? null : asPseudonym(`p-${key()}`),
          location: { poi: `poi-${key()}`, road: `road-${i % 97}`, ...(i % 10 === 0 ? { room: key() } : {}) },
        }),
      );
    executor.begin([batch, "test", "synthetic", "sorted.csv", "ab".repeat(32), 1], 100_000);
    expect(executor.deferredIndexes).toBe(BATCH_SQL.bulk?.indexes.length);
    expect(executor.insert(values).inserted).toBe(20_000);
    executor.commit([2, 20_000, 20_000, 0, 0, 0, 0, batch]);

    expect(conn.pragma("integrity_check", { simple: true })).toBe("ok");
    const names = conn
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'incidents'")
      .pluck()
      .all();
    for (const name of BATCH_SQL.bulk?.indexes ?? []) {
      expect(names).toContain(name);
      // Every row is in the index (a partial build would pass integrity_check only if consistent).
      expect(conn.prepare(`SELECT count(*) FROM incidents INDEXED BY "${name}"`).pluck().get()).toBe(20_000);
    }
    expect(conn.pragma("cache_size", { simple: true })).toBe(-1024);
    expect(conn.pragma("threads", { simple: true })).toBe(0);
    // Statement journals in memory again (2), as the batch's inserts want them.
    expect(conn.pragma("temp_store", { simple: true })).toBe(2);
  } finally {
    conn.close();
  }
});
