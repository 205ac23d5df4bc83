import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { openStore } from "./index.ts";
import { repeatSeriesRepository, type StoredSeries } from "./repeat-repository.ts";

const dir = mkdtempSync(join(tmpdir(), "recur-repeat-repo-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const series = (id: string, incidents: string[]): StoredSeries => ({
  id,
  kind: "place",
  group: "noise",
  warning: "yellow",
  locationLevel: "room",
  locationKey: "Z::阳光小区/b3/u2/r501",
  callerPseudonym: null,
  start: 1,
  end: 2,
  events: incidents.length,
  protective: false,
  surprise: 2.5,
  explanation: { zh: "一地多报", en: "Place series" },
  incidents,
});

test("stored series come back with their calls in order, and a new run replaces the old", async () => {
  const store = await openStore({ path: join(dir, "r.db") });
  try {
    const repo = repeatSeriesRepository(store);
    await repo.replaceAll([series("P-1", ["c", "a", "b"]), series("P-2", ["d", "e", "f"])], 100);
    expect((await repo.list()).map((s) => [s.id, s.incidents])).toEqual([
      ["P-1", ["c", "a", "b"]],
      ["P-2", ["d", "e", "f"]],
    ]);
    expect((await repo.ofCall("e")).map((s) => s.id)).toEqual(["P-2"]);
    await repo.replaceAll([series("P-3", ["x", "y", "z"])], 200);
    expect((await repo.list()).map((s) => s.id)).toEqual(["P-3"]);
  } finally {
    await store.close();
  }
});
