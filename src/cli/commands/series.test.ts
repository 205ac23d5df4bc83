import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openStore } from "../../store/index.ts";
import { repeatSeriesRepository } from "../../store/repeat-repository.ts";
import { runCli } from "../testing.ts";

/** Runs the CLI in-process and returns its exit code and stdout. */
function run(args: string[], cwd: string) {
  return runCli(args, { cwd, env: { ...process.env, DATABASE_URL: "" } });
}

describe("recur detect and recur series on a generated city", () => {
  const dir = mkdtempSync(join(tmpdir(), "recur-series-"));
  const db = join(dir, "city.db");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    const csv = join(dir, "city.csv");
    expect(
      (await run(["generate", "--incidents", "4000", "--seed", "5", "--out", csv, "--json"], dir)).code,
    ).toBe(0);
    expect((await run(["import", csv, "--profile", "synthetic", "--db", db, "--json"], dir)).code).toBe(0);
  }, 120_000);

  test("series --json prints every series with source ids and an explanation, and the duplicate groups", async () => {
    const { code, out } = await run(["series", "--db", db, "--json", "--lang", "en"], dir);
    expect(code).toBe(0);
    const json = JSON.parse(out) as {
      series: {
        id: string;
        kind: string;
        level: string;
        locationKey: string | null;
        incidents: string[];
        explanation: string;
      }[];
      duplicates: string[][];
    };
    expect(json.series.length).toBeGreaterThan(0);
    for (const s of json.series) {
      expect(["place", "caller", "matter"]).toContain(s.kind);
      expect(["blue", "yellow", "orange", "red"]).toContain(s.level);
      expect(s.incidents.length).toBeGreaterThanOrEqual(2);
      expect(s.explanation.length).toBeGreaterThan(20);
      if (s.kind === "place") expect(s.locationKey).not.toBeNull();
    }
    expect(json.duplicates.length).toBeGreaterThan(0);
    for (const group of json.duplicates) expect(group.length).toBeGreaterThanOrEqual(2);
  });

  test("detect speaks Chinese by default and summarises events, series and warnings", async () => {
    const { code, out } = await run(["detect", "--db", db, "--lang", "zh", "--top", "2"], dir);
    expect(code).toBe(0);
    expect(out).toContain("重复警情系列");
    expect(out).toContain("起事件");
    // detect stores the series it found for the dashboard, cases and the API
    const store = await openStore({ path: db });
    try {
      const stored = await repeatSeriesRepository(store).list();
      expect(stored.length).toBeGreaterThan(0);
      expect(stored[0]!.explanation.zh.length).toBeGreaterThan(0);
      // ... and remakes the indicators' daily repeat totals at once, not at the next report.
      const days = await sql<{ n: number }>`
        SELECT SUM(n) AS n FROM indicator_extra_days WHERE kind = 'repeat' AND level = 'city'`.execute(
        store.db,
      );
      expect(Number(days.rows[0]?.n)).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });

  test("a bad --kind is a usage error", async () => {
    const { code, err } = await run(["series", "--db", db, "--kind", "person", "--lang", "en"], dir);
    expect(code).toBe(2);
    expect(err).toContain("--kind must be place, caller or matter");
  });
});
