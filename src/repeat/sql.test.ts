import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import Database from "better-sqlite3";
import fc from "fast-check";
import pg from "pg";
import { afterAll, describe, expect, test } from "vitest";
import { makeIncident } from "../../test/builders.ts";
import { main } from "../cli/main.ts";
import type { Incident } from "../domain/index.ts";
import { openStore } from "../store/index.ts";
import { PG_URL } from "../store/testing/stores.ts";
import { ColumnsBuilder, newDictionaries } from "./columns.ts";
import { RepeatIndex } from "./engine.ts";
import {
  enginePlaceSeries,
  type PlaceSeriesRow,
  placeSeriesRows,
  placeSeriesRules,
  placeSeriesSql,
  REPEAT_EVENTS_DDL,
  seriesFromSqlRows,
} from "./sql.ts";

const DATA = join(import.meta.dirname, "..", "..", "..", "shared", "data");
const MILWAUKEE = join(DATA, "cfs", "milwaukee-2018-05.csv");
const DAY = 86_400_000;

/** Runs the SQL formulation in an in-memory SQLite database. */
function sqliteSeries(index: RepeatIndex, rows: readonly PlaceSeriesRow[]): string[] {
  const db = new Database(":memory:");
  try {
    db.exec(REPEAT_EVENTS_DDL);
    const insert = db.prepare("INSERT INTO repeat_events (id, grp, key, at) VALUES (?, ?, ?, ?)");
    db.transaction(() => {
      for (const r of rows) insert.run(r.id, r.grp, r.key, r.at);
    })();
    return seriesFromSqlRows(db.prepare(placeSeriesSql(placeSeriesRules(index))).all() as never);
  } finally {
    db.close();
  }
}

/** Runs it in PostgreSQL, in a temporary table of a fresh session. */
async function postgresSeries(url: string, index: RepeatIndex, rows: readonly PlaceSeriesRow[]) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(REPEAT_EVENTS_DDL.replace("CREATE TABLE", "CREATE TEMP TABLE"));
    for (let i = 0; i < rows.length; i += 1000) {
      const chunk = rows.slice(i, i + 1000);
      const values = chunk.map((_, k) => `($${4 * k + 1}, $${4 * k + 2}, $${4 * k + 3}, $${4 * k + 4})`);
      await client.query(
        `INSERT INTO repeat_events (id, grp, key, at) VALUES ${values.join(",")}`,
        chunk.flatMap((r) => [r.id, r.grp, r.key, r.at]),
      );
    }
    const result = await client.query(placeSeriesSql(placeSeriesRules(index)));
    return seriesFromSqlRows(result.rows);
  } finally {
    await client.end();
  }
}

async function reachable(url: string | undefined): Promise<boolean> {
  if (!url) return false;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}
const pgReachable = await reachable(PG_URL);

describe("the SQL formulation of the place-series rule", () => {
  test("gives exactly the engine's place series on random calls (property, SQLite)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            minute: fc.integer({ min: 0, max: 60 * 24 * 200 }),
            room: fc.constantFrom("r1", "r2", "r3"),
            code: fc.constantFrom(
              "public_order.noise",
              "dispute.neighbour",
              "dispute.family",
              "criminal.theft",
            ),
          }),
          { maxLength: 80 },
        ),
        (rows) => {
          const calls: Incident[] = rows.map((r, k) => {
            const [category, subtype] = r.code.split(".") as [Incident["category"], string];
            return makeIncident({
              sourceId: `s${k}`,
              receivedAt: (Date.UTC(2024, 0, 1) + r.minute * 60_000) as Incident["receivedAt"],
              category,
              subtype,
              location: { room: r.room, building: `b-${r.room}` },
            });
          });
          const index = RepeatIndex.build(calls);
          const rowsSql = placeSeriesRows(index);
          expect(sqliteSeries(index, rowsSql)).toEqual(enginePlaceSeries(index));
        },
      ),
      { seed: 3, numRuns: 60 },
    );
  });

  test("treats events exactly W apart the same way as the engine", () => {
    const at = (d: number) => (Date.UTC(2024, 0, 1) + d * DAY) as Incident["receivedAt"];
    const calls = [0, 15, 30, 60, 61, 91, 121, 122, 152].map((d, k) =>
      makeIncident({
        sourceId: `t${k}`,
        receivedAt: at(d),
        category: "public_order",
        subtype: "noise",
        location: { room: "r", building: "b" },
        lon: 120 + k,
        lat: 30,
      }),
    );
    const index = RepeatIndex.build(calls);
    expect(sqliteSeries(index, placeSeriesRows(index))).toEqual(enginePlaceSeries(index));
    expect(enginePlaceSeries(index).length).toBeGreaterThan(0);
  });
});

describe.skipIf(!existsSync(MILWAUKEE))("on the real Milwaukee export (../shared/data)", () => {
  const dir = mkdtempSync(join(tmpdir(), "recur-repeat-sql-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let index: RepeatIndex | undefined;
  let rows: PlaceSeriesRow[] = [];

  test("imports with its bundled profile and runs the engine", async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on("data", (c: Buffer) => chunks.push(c));
    const db = join(dir, "mke.db");
    const code = await main(["import", MILWAUKEE, "--profile", "milwaukee", "--db", db, "--json"], {
      stdout: out,
      stderr: new PassThrough(),
      env: { ...process.env, DATABASE_URL: "" },
    });
    expect(code).toBe(0);
    const store = await openStore({ path: db });
    const builder = new ColumnsBuilder(newDictionaries());
    for await (const page of store.incidents.scan(10_000))
      for (const incident of page) builder.push(incident);
    await store.close();
    index = RepeatIndex.fromColumns(builder.columns(), {}, builder);
    rows = placeSeriesRows(index);
    expect(builder.length).toBeGreaterThan(30_000);
    expect(enginePlaceSeries(index).length).toBeGreaterThan(10);
  }, 120_000);

  test("SQLite window functions give identical place series on the same keys", () => {
    expect(index).toBeDefined();
    expect(sqliteSeries(index!, rows)).toEqual(enginePlaceSeries(index!));
  });

  test.skipIf(!pgReachable)(
    "PostgreSQL window functions give identical place series (RECUR_TEST_PG_URL)",
    async () => {
      expect(index).toBeDefined();
      expect(await postgresSeries(PG_URL!, index!, rows)).toEqual(enginePlaceSeries(index!));
    },
    60_000,
  );
});
