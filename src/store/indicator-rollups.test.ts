import BetterSqlite3 from "better-sqlite3";
import fc from "fast-check";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, expect, test } from "vitest";
import { columnsFromIncidents } from "../analysis/indicators/columns.ts";
import { periodIndicators, periodIndicatorsFromRollups } from "../analysis/indicators/indicators.ts";
import { RESPONSE_BINS, rollupIncidents } from "../analysis/indicators/rollups.ts";
import {
  binWidthAt,
  comparable,
  incidentOf,
  incidentsArbitrary,
  type RandomRow,
} from "../analysis/indicators/rollups-testing.ts";
import { asBatchId, CATEGORIES, type Incident } from "../domain/index.ts";
import {
  COUNT_COLUMNS,
  kyselyTx,
  loadRollups,
  RESPONSE_COLUMNS,
  RollupFields,
  readAllRollups,
  rebuildIndicatorRollups,
  storeIndicators,
} from "./indicator-rollups.ts";
import { describeOnEveryStore } from "./testing/every-store.ts";
import type { StoreTarget } from "./testing/stores.ts";
import type { Store } from "./types.ts";

test("the rollup fields a chunk keeps while it is inserted are those of its rows, missing times and units included", () => {
  const time = fc.oneof(fc.constant(null), fc.integer({ min: -2e12, max: 4e12 }));
  const unit = fc.oneof(fc.constant(null), fc.constant(""), fc.string({ maxLength: 20 }));
  const row = fc.record({
    receivedAt: fc.integer({ min: -2e12, max: 4e12 }),
    acceptedAt: time,
    dispatchedAt: time,
    arrivedAt: time,
    utcOffsetMin: fc.integer({ min: -720, max: 840 }),
    category: fc.constantFrom(...CATEGORIES),
    cityUnit: unit,
    branchUnit: unit,
    stationUnit: unit,
    areaUnit: unit,
  });
  fc.assert(
    fc.property(fc.array(row, { maxLength: 60 }), (rows) => {
      const kept = new RollupFields(rows);
      // Only the rollup fields: an Incident carries more, which must not be kept.
      for (const [i, x] of rows.entries()) expect(kept.row(i)).toStrictEqual({ ...x });
    }),
  );
});

async function allIncidents(store: Store): Promise<Incident[]> {
  const out: Incident[] = [];
  for await (const page of store.incidents.scan()) out.push(...page);
  return out;
}

let batchNo = 0;
/** One import batch of `rows` in chunks of `chunk`; committed unless `rollback`. */
async function importBatch(store: Store, rows: readonly Incident[], chunk: number, rollback = false) {
  const id = asBatchId(`b${++batchNo}`);
  const writer = await store.beginBatch({
    id,
    sourceSystem: "test",
    profile: "t",
    fileName: "t.csv",
    fileSha256: "ab".repeat(32),
    startedAt: 0,
  });
  let inserted = 0;
  for (let i = 0; i < rows.length; i += chunk)
    inserted += await writer.insertIncidents(rows.slice(i, i + chunk).map((x) => ({ ...x, batchId: id })));
  if (rollback) await writer.rollback();
  else
    await writer.commit({
      rows: rows.length,
      imported: inserted,
      rejected: 0,
      duplicates: rows.length - inserted,
      finishedAt: 1,
    });
  return inserted;
}

await describeOnEveryStore("indicator rollups", (makeTarget) => {
  let target: StoreTarget;
  beforeAll(async () => {
    target = await makeTarget();
  });
  afterAll(async () => {
    await target.dispose();
  });

  test("rollups maintained at import hold exactly the stored incidents: overlapping and repeated imports, duplicates inside a batch, a rolled-back batch", async () => {
    await fc.assert(
      fc.asyncProperty(
        incidentsArbitrary(40),
        fc.array(fc.tuple(fc.nat(39), fc.nat(39)), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 15 }),
        async (rows: RandomRow[], slices, chunk) => {
          const { store } = await target.fresh();
          try {
            const pool = rows.map((r, k) => incidentOf(r, { sourceId: `R${k}` }));
            // The first slice is rolled back; the others overlap each other and repeat rows inside.
            for (const [s, [a, b]] of slices.entries()) {
              const part = pool.slice(Math.min(a, b), Math.max(a, b) + 1);
              await importBatch(store, [...part, ...part.slice(0, 2)], chunk, s === 0 && slices.length > 1);
            }
            const stored = await allIncidents(store);
            expect(await readAllRollups(store)).toEqual(rollupIncidents(stored));
            await store.db
              .transaction()
              .execute((trx) => rebuildIndicatorRollups(trx as unknown as Kysely<unknown>));
            expect(await readAllRollups(store)).toEqual(rollupIncidents(stored));
          } finally {
            await store.close();
          }
        },
      ),
      { seed: 23, numRuns: 6 },
    );
  }, 120_000);

  test("monthly and weekly indicators from the rollups equal the full scan of the incidents (medians within their bin)", async () => {
    await fc.assert(
      fc.asyncProperty(
        incidentsArbitrary(120),
        fc.constantFrom(["month", "2024-05"] as const, ["week", "2024-W19"] as const),
        fc.constantFrom("city" as const, "branch" as const, "station" as const, "area" as const),
        async (rows: RandomRow[], [period, label], level) => {
          const { store } = await target.fresh();
          try {
            await importBatch(
              store,
              rows.map((r, k) => incidentOf(r, { sourceId: `P${k}` })),
              25,
            );
            const suburban = new Set(["S3"]);
            const stored = await allIncidents(store);
            const cols = columnsFromIncidents(stored, level);
            const fullScan = periodIndicators(
              {
                ...cols,
                suburban: Uint8Array.from(stored, (x) => (suburban.has(x.stationUnit ?? "") ? 1 : 0)),
              },
              { period, label },
            );
            const fromRollups = periodIndicatorsFromRollups(await loadRollups(store, label, period, level), {
              period,
              label,
              level,
              suburbanStations: suburban,
            });
            expect(comparable(fromRollups)).toEqual(comparable(fullScan));
            const a = fromRollups.all.response.toArrival.medianMinutes;
            const b = fullScan.all.response.toArrival.medianMinutes;
            if (a !== null && b !== null)
              expect(Math.abs(a - b)).toBeLessThanOrEqual(binWidthAt(Math.max(a, b, 12)));
          } finally {
            await store.close();
          }
        },
      ),
      { seed: 29, numRuns: 8 },
    );
  }, 120_000);

  test("repeat, quality and case figures come from grouped queries on their tables", async () => {
    const { store } = await target.fresh();
    try {
      const at = (day: number, hour: number) => Date.UTC(2024, 4, day, hour) - 8 * 3_600_000;
      const base = { offset: 480, category: "dispute" as const, accept: null, dispatch: null, travel: null };
      const rows = [
        incidentOf({ ...base, at: at(2, 10), station: "S1" }, { sourceId: "Q1" }),
        incidentOf({ ...base, at: at(3, 10), station: "S1" }, { sourceId: "Q2" }),
        incidentOf({ ...base, at: at(4, 10), station: "S2" }, { sourceId: "Q3" }),
        // 1 May 00:30 in Beijing is still April in UTC: it counts for May.
        incidentOf({ ...base, at: at(1, 0) + 30 * 60_000, station: "S2" }, { sourceId: "Q4" }),
        // April: outside the period.
        incidentOf({ ...base, at: at(1, 0) - 3_600_000, station: "S1" }, { sourceId: "Q5" }),
      ];
      await importBatch(store, rows, 10);
      const tx = kyselyTx(store.db as unknown as Kysely<unknown>);
      for (const [id, score] of [
        ["test:Q1", 80],
        ["test:Q2", 60],
        ["test:Q4", 90],
        ["test:Q5", 10],
      ] as const)
        await tx.run(
          "INSERT INTO quality_results (incident_id, score, errors, warnings, issues, computed_at) VALUES (?, ?, 0, 0, '[]', 0)",
          [id, score],
        );
      await tx.run(
        "INSERT INTO repeat_series (id, kind, grp, warning, start_at, end_at, events, calls, protective, surprise, explanation_zh, explanation_en, computed_at) VALUES ('s1', 'place', 'g', 'yellow', 0, 1, 3, 3, 0, 1, '', '', 7)",
        [],
      );
      for (const [k, id] of ["Q1", "Q4", "Q5"].entries())
        await tx.run("INSERT INTO repeat_series_calls (series_id, source_id, position) VALUES (?, ?, ?)", [
          "s1",
          id,
          k,
        ]);
      const cases = [
        ["c1", "closed_effective", "S1", at(1, 1)],
        ["c2", "verifying", "S1", at(20, 1)],
        ["c3", "in_progress", "S1", at(10, 1)],
        ["c4", "cancelled", "S1", at(10, 1)],
        ["c5", "closed_ineffective", "S2", Date.UTC(2024, 0, 1)],
        ["c6", "closed_effective", "S2", Date.UTC(2024, 6, 1)],
      ] as const;
      for (const [id, state, station, created] of cases)
        await tx.run(
          "INSERT INTO cases (id, version, state, branch_unit, station_unit, created_at, updated_at, doc) VALUES (?, 1, ?, ?, ?, ?, ?, '{}')",
          [id, state, station === "S1" ? "B1" : "B1", station, created, created],
        );
      const report = await storeIndicators(store, { period: "month", label: "2024-05", level: "station" });
      const s1 = report.units.find((u) => u.unit === "S1")!;
      const s2 = report.units.find((u) => u.unit === "S2")!;
      expect([s1.total, s2.total]).toEqual([2, 2]);
      expect([s1.repeatRate, s2.repeatRate, report.all.repeatRate]).toEqual([0.5, 0.5, 0.5]);
      expect([s1.quality, s2.quality, report.all.quality]).toEqual([70, 90, 230 / 3]);
      expect(s1.cases).toEqual({ cases: 3, resolved: 2, closedEffective: 1, closedIneffective: 0 });
      expect([s1.caseResolutionRate, s1.verifiedEffectiveRate]).toEqual([2 / 3, 1]);
      expect([s2.caseResolutionRate, s2.verifiedEffectiveRate]).toEqual([1, 0]);
      expect([report.all.caseResolutionRate, report.all.verifiedEffectiveRate]).toEqual([3 / 4, 0.5]);
      const branch = await storeIndicators(store, { period: "month", label: "2024-05", level: "branch" });
      expect(branch.units.find((u) => u.unit === "B1")?.cases?.cases).toBe(4);
      const area = await storeIndicators(store, { period: "month", label: "2024-05", level: "area" });
      expect(area.units[0]?.cases).toBeNull();
      expect(area.all.cases?.cases).toBe(4);
      // A later quality run (a later computed_at) is picked up: the daily totals are remade.
      await tx.run(
        "INSERT INTO quality_results (incident_id, score, errors, warnings, issues, computed_at) VALUES (?, ?, 0, 0, '[]', 5)",
        ["test:Q3", 40],
      );
      const again = await storeIndicators(store, { period: "month", label: "2024-05", level: "station" });
      expect(again.units.find((u) => u.unit === "S2")?.quality).toBe(65);
    } finally {
      await store.close();
    }
  });

  test("while an import holds SQLite's write lock, a report groups the period directly instead of waiting", async (ctx) => {
    if (target.dialect !== "sqlite") ctx.skip();
    const { store, location } = await target.fresh();
    const other = new BetterSqlite3((location as { path: string }).path);
    try {
      const base = { offset: 480, category: "dispute" as const, accept: null, dispatch: null, travel: null };
      await importBatch(
        store,
        [incidentOf({ ...base, at: Date.UTC(2024, 4, 5), station: "S1" }, { sourceId: "L1" })],
        1,
      );
      const tx = kyselyTx(store.db as unknown as Kysely<unknown>);
      await tx.run(
        "INSERT INTO quality_results (incident_id, score, errors, warnings, issues, computed_at) VALUES ('test:L1', 55, 0, 0, '[]', 1)",
        [],
      );
      other.exec("BEGIN IMMEDIATE");
      const report = await storeIndicators(store, { period: "month", label: "2024-05", level: "station" });
      expect(report.units[0]?.quality).toBe(55);
      other.exec("ROLLBACK");
      // The figure came from the direct grouping: the daily totals were not (could not be) remade.
      expect(await store.settings.get("indicators.extra_days.quality")).toBeUndefined();
      await storeIndicators(store, { period: "month", label: "2024-05", level: "station" });
      expect(await store.settings.get("indicators.extra_days.quality")).toBe("1:");
    } finally {
      other.close();
      await store.close();
    }
  }, 30_000);

  test("the migration's frozen columns are the categories and bins of the code", async () => {
    const { store } = await target.fresh();
    try {
      const [row] = await kyselyTx(store.db as unknown as Kysely<unknown>).all(
        `SELECT ${[...COUNT_COLUMNS, ...RESPONSE_COLUMNS].join(", ")} FROM indicator_days`,
        [],
      );
      expect(row).toBeUndefined();
      expect(COUNT_COLUMNS.length).toBe(1 + CATEGORIES.length);
    } finally {
      await store.close();
    }
  });

  test("a store that held incidents before the rollups existed is filled by the migration", async () => {
    const { store, location } = await target.fresh();
    try {
      await importBatch(
        store,
        [0, 1, 2].map((k) =>
          incidentOf(
            {
              at: Date.UTC(2024, 4, 3, k),
              offset: 480,
              station: "S1",
              category: "dispute",
              accept: 5000,
              dispatch: 40_000,
              travel: 100_000,
            },
            { sourceId: `M${k}` },
          ),
        ),
        2,
      );
      const expected = await readAllRollups(store);
      expect(expected.length).toBe(4);
      // Undo the migration (drop its table and its record), then open again: it runs and backfills.
      await store.db.schema.dropTable("indicator_days").execute();
      await store.db
        .withTables<{ kysely_migration: { name: string } }>()
        .deleteFrom("kysely_migration")
        .where("name", "=", "0016_indicator_days")
        .execute();
      await store.close();
      const reopened = await target.open(location);
      try {
        expect(await readAllRollups(reopened)).toEqual(expected);
        expect(expected[0]!.bins.length).toBe(3 * RESPONSE_BINS);
      } finally {
        await reopened.close();
      }
    } catch (error) {
      await store.close().catch(() => {});
      throw error;
    }
  });
});
