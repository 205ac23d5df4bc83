/**
 * Monthly indicators from the store (issue 7 goal: 1,000,000 incidents < 1 s).
 * Fills a temporary SQLite store with 1,000,000 generated incidents, all inside the three
 * months a May 2024 report reads (May 2024, April 2024, May 2023: the worst case, every row
 * counts), over 60 stations, through the
 * normal import batch, which maintains the daily rollups. Then times storeIndicators (rollups +
 * grouped repeat/quality/case queries + indicators), monthly and weekly, three runs each, and
 * what the rollups cost the import (JS aggregation per row, the commit-time upsert).
 *
 * --full-scan also times the two earlier formulations that read every incident
 * (loadIndicatorAggregates, loadIncidentColumns) and checks that the rollup report equals the
 * full-scan one (medians aside, estimated within their bin). --rebuild times
 * `recur indicators rebuild` (the one-off backfill). --extras first stores a quality score for
 * every incident, repeat-series calls for 10% of them and a case per 500, so that the grouped
 * repeat/quality/case queries have work to do. --covering-index: see --full-scan, after
 * adding an index covering the loaded columns (bench database only).
 *
 * --pg URL runs it on PostgreSQL (a throwaway schema in that database) instead of SQLite.
 *
 *   node --import tsx bench/indicators.ts [--rows 1000000] [--extras] [--full-scan] [--rebuild] [--covering-index] [--pg URL]
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { sql } from "kysely";
import pg from "pg";
import { periodIndicators, periodIndicatorsFromAggregates } from "../src/analysis/indicators/index.ts";
import { RollupAccumulator } from "../src/analysis/indicators/rollups.ts";
import { comparable } from "../src/analysis/indicators/rollups-testing.ts";
import {
  asBatchId,
  asEpochMs,
  asUnitCode,
  CATEGORIES,
  type Incident,
  seededRandom,
} from "../src/domain/index.ts";
import { indicatorRanges, loadIncidentColumns } from "../src/store/incident-columns.ts";
import { openStore } from "../src/store/index.ts";
import { loadIndicatorAggregates } from "../src/store/indicator-aggregates.ts";
import {
  kyselyTx,
  loadIndicatorExtras,
  rebuildIndicatorRollups,
  refreshExtraDays,
  storeIndicators,
  upsertRollups,
} from "../src/store/indicator-rollups.ts";
import { makeIncident } from "../test/builders.ts";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    "covering-index": { type: "boolean", default: false },
    "full-scan": { type: "boolean", default: false },
    rebuild: { type: "boolean", default: false },
    extras: { type: "boolean", default: false },
    pg: { type: "string" },
  },
});
const ROWS = Number(values.rows);
const CHUNK = 20_000;
const BATCH = asBatchId("bench-indicators");
const dir = mkdtempSync(join(tmpdir(), "recur-bench-indicators-"));
const rng = seededRandom(7);
const MONTHS = [Date.UTC(2024, 3, 1), Date.UTC(2024, 4, 1), Date.UTC(2023, 4, 1)] as const;
const DAY = 86_400_000;

function chunk(start: number): Incident[] {
  const out: Incident[] = [];
  for (let n = start; n < Math.min(start + CHUNK, ROWS); n++) {
    const received = MONTHS[n % 3]! + rng.int(30 * DAY) - 8 * 3_600_000 + 3_600_000;
    const dispatched = rng.next() < 0.9 ? received + rng.int(300_000) : null;
    const arrived = dispatched !== null && rng.next() < 0.9 ? dispatched + rng.int(900_000) : null;
    out.push(
      makeIncident({
        sourceId: `B${n}`,
        batchId: BATCH,
        receivedAt: asEpochMs(received),
        acceptedAt: asEpochMs(received + rng.int(30_000)),
        dispatchedAt: dispatched === null ? null : asEpochMs(dispatched),
        arrivedAt: arrived === null ? null : asEpochMs(arrived),
        category: CATEGORIES[rng.int(CATEGORIES.length)]!,
        stationUnit: asUnitCode(`S${String(rng.int(60)).padStart(2, "0")}`),
        lat: 31 + rng.next() * 0.3,
        lon: 121 + rng.next() * 0.3,
        narrative: null,
      }),
    );
  }
  return out;
}

// --pg URL: the same on PostgreSQL, in a schema of its own (dropped afterwards).
const schema = `recur_bench_indicators_${process.pid}`;
const pgUrl = values.pg
  ? `${values.pg}${values.pg.includes("?") ? "&" : "?"}options=-c%20search_path%3D${schema}`
  : undefined;
if (pgUrl && (values.extras || values["covering-index"]))
  throw new Error("--extras and --covering-index are SQLite only");
const store = await openStore(pgUrl ? { databaseUrl: pgUrl } : { path: join(dir, "bench.db") });
const load = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const cpuMs = (u: NodeJS.CpuUsage) => ((u.user + u.system) / 1000).toFixed(0);
try {
  const fillStart = performance.now();
  const writer = await store.beginBatch({
    id: BATCH,
    sourceSystem: "test",
    profile: "bench",
    fileName: "bench.csv",
    fileSha256: "ef".repeat(32),
    startedAt: 0,
  });
  // What the rollups cost the import: the same JS aggregation the batch writer does per chunk.
  let aggregateMs = 0;
  const probe = new RollupAccumulator();
  for (let start = 0; start < ROWS; start += CHUNK) {
    const rows = chunk(start);
    // The previous chunk's insert was awaited: the worker is idle, this CPU is the aggregation's.
    const cpu = process.cpuUsage();
    probe.addAll(rows);
    const used = process.cpuUsage(cpu);
    aggregateMs += (used.user + used.system) / 1000;
    await writer.insertIncidents(rows);
  }
  const probeRows = probe.rows();
  const commitStart = performance.now();
  await writer.commit({ rows: ROWS, imported: ROWS, rejected: 0, duplicates: 0, finishedAt: 1 });
  const commitMs = performance.now() - commitStart;
  console.log(
    `filled ${ROWS.toLocaleString("en")} incidents in ${((performance.now() - fillStart) / 1000).toFixed(1)} s through one import batch (not part of the figure); load ${load()}`,
  );
  console.log(
    `rollup cost at import: JS aggregation ${((aggregateMs * 1000) / ROWS).toFixed(2)} µs CPU per row (${aggregateMs.toFixed(0)} ms CPU in all, main thread); ` +
      `${probeRows.length.toLocaleString("en")} rollup rows upserted at commit, commit incl. upsert ${commitMs.toFixed(0)} ms`,
  );

  // The upsert alone (the commit above also writes the whole batch's pages to the WAL): the same
  // rows again, into an emptied table, in one transaction on the readers' connection.
  {
    await kyselyTx(store.db as never).run("DELETE FROM indicator_days", []);
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    await store.db.transaction().execute((trx) => upsertRollups(kyselyTx(trx as never), probeRows));
    console.log(
      `  of which the rollup upsert: ${(performance.now() - t0).toFixed(0)} ms wall, ${cpuMs(process.cpuUsage(cpu))} ms CPU for ${probeRows.length.toLocaleString("en")} rows`,
    );
  }
  if (values.extras) {
    // Figures of the other engines, so that their grouped queries have work to do: a quality
    // score for every incident, 10% of them in stored repeat series, one case per 500 incidents.
    const t0 = performance.now();
    const tx = kyselyTx(store.db as never);
    await tx.run(
      "INSERT INTO quality_results (incident_id, score, errors, warnings, issues, computed_at) SELECT id, 50 + rowid % 50, 0, 0, '[]', 0 FROM incidents",
      [],
    );
    await tx.run(
      "WITH RECURSIVE s(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM s WHERE k < 4999) INSERT INTO repeat_series (id, kind, grp, warning, start_at, end_at, events, calls, protective, surprise, explanation_zh, explanation_en, computed_at) SELECT 'S' || k, 'place', 'g', 'yellow', 0, 1, 3, 3, 0, 1, '', '', 7 FROM s",
      [],
    );
    await tx.run(
      "INSERT INTO repeat_series_calls (series_id, source_id, position) SELECT 'S' || (rowid % 5000), source_id, rowid FROM incidents WHERE rowid % 10 = 0",
      [],
    );
    await tx.run(
      "INSERT INTO cases (id, version, state, branch_unit, station_unit, created_at, updated_at, doc) SELECT 'c' || rowid, 1, CASE rowid % 5 WHEN 0 THEN 'closed_effective' WHEN 1 THEN 'closed_ineffective' WHEN 2 THEN 'verifying' WHEN 3 THEN 'in_progress' ELSE 'assigned' END, branch_unit, station_unit, received_at, received_at, '{}' FROM incidents WHERE rowid % 500 = 0",
      [],
    );
    console.log(
      `--extras: quality scores for every incident, repeat-series calls for 10%, a case per 500 incidents, added in ${((performance.now() - t0) / 1000).toFixed(1)} s (not part of the figure)`,
    );
    // What `recur quality` and `recur detect` do at the end of their runs: remake the daily totals.
    const t1 = performance.now();
    const cpu = process.cpuUsage();
    await refreshExtraDays(store, "quality");
    await refreshExtraDays(store, "repeat");
    const used = process.cpuUsage(cpu);
    console.log(
      `  daily quality and repeat totals remade by the writers: ${((performance.now() - t1) / 1000).toFixed(2)} s wall, ${((used.user + used.system) / 1000).toFixed(0)} ms CPU (part of those runs, not of the report)`,
    );
  }
  console.log("rollups (storeIndicators: daily rollups + repeat/quality/case queries + indicators):");
  for (const [period, label] of [
    ["month", "2024-05"],
    ["week", "2024-W20"],
  ] as const) {
    // With --extras the daily quality and repeat totals were remade above, as their writers do.
    const times: string[] = [];
    let best = Number.POSITIVE_INFINITY;
    let report: Awaited<ReturnType<typeof storeIndicators>> | undefined;
    for (let run = 0; run < 3; run++) {
      const cpu = process.cpuUsage();
      const t0 = performance.now();
      report = await storeIndicators(store, { period, label, level: "station" });
      const wall = performance.now() - t0;
      const used = process.cpuUsage(cpu);
      best = Math.min(best, wall);
      times.push(`${(wall / 1000).toFixed(3)} s (CPU ${cpuMs(used)} ms)`);
    }
    const a = report!.all;
    console.log(
      `  ${period} ${label}: ${(a.total + a.vsPrevious.previous + a.vsLastYear.previous).toLocaleString("en")} incidents counted in the three periods, ${report!.units.length} units; ` +
        `wall per run ${times.join(", ")}; best ${(best / 1000).toFixed(3)} s (goal < 1 s); load ${load()}`,
    );
  }

  if (values.rebuild) {
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    const result = await store.db
      .transaction()
      .execute((trx) =>
        rebuildIndicatorRollups(trx as unknown as Parameters<typeof rebuildIndicatorRollups>[0]),
      );
    console.log(
      `rebuild (recur indicators rebuild): ${result.incidents.toLocaleString("en")} incidents -> ${result.rows.toLocaleString("en")} rollup rows in ${((performance.now() - t0) / 1000).toFixed(1)} s, CPU of this process ${cpuMs(process.cpuUsage(cpu))} ms; load ${load()}`,
    );
  }
  if (!values["full-scan"] && !values["covering-index"]) {
    const [tables] = await kyselyTx(store.db as never).all("SELECT COUNT(*) AS c FROM indicator_days", []);
    console.log(`rollup table: ${tables?.c} rows (indicator_days)`);
    console.log(`load average: ${load()}`);
  } else {
    const aggregateRuns = async (note: string) => {
      console.log(note);
      for (const [period, label] of [
        ["month", "2024-05"],
        ["week", "2024-W20"],
      ] as const) {
        const times: number[] = [];
        for (let run = 0; run < 3; run++) {
          const cpu = process.cpuUsage();
          const t0 = performance.now();
          const agg = await loadIndicatorAggregates(store, label, period);
          const t1 = performance.now();
          const report = periodIndicatorsFromAggregates(agg, { period, label });
          const t2 = performance.now();
          const used = process.cpuUsage(cpu);
          times.push(t2 - t0);
          if (run === 2)
            console.log(
              `${period} ${label}: ${report.all.total + report.all.vsPrevious.previous + report.all.vsLastYear.previous} incidents counted, ${agg.counts.length + agg.intervals.length} grouped rows, ${report.units.length} units; SQL ${(t1 - t0).toFixed(0)} ms + indicators ${(t2 - t1).toFixed(0)} ms; CPU of this process ${((used.user + used.system) / 1000).toFixed(0)} ms`,
            );
        }
        console.log(
          `  wall per run: ${times.map((t) => `${(t / 1000).toFixed(2)} s`).join(", ")}; best ${(Math.min(...times) / 1000).toFixed(2)} s (goal < 1 s)`,
        );
      }
    };
    await aggregateRuns(
      "aggregates grouped by the database (loadIndicatorAggregates + periodIndicatorsFromAggregates):",
    );

    const runs = async (note: string) => {
      console.log(note);
      for (const [period, label] of [
        ["month", "2024-05"],
        ["week", "2024-W20"],
      ] as const) {
        const times: number[] = [];
        let rowsRead = 0;
        let units = 0;
        let loadMs = 0;
        for (let run = 0; run < 3; run++) {
          const cpu = process.cpuUsage();
          const t0 = performance.now();
          const cols = await loadIncidentColumns(store, { ranges: indicatorRanges(label, period) });
          const t1 = performance.now();
          const report = periodIndicators(cols, { period, label });
          const t2 = performance.now();
          const used = process.cpuUsage(cpu);
          times.push(t2 - t0);
          loadMs = t1 - t0;
          rowsRead = cols.n;
          units = report.units.length;
          if (run === 2)
            console.log(
              `${period} ${label}: ${rowsRead.toLocaleString("en")} incidents read, ${units} units; load ${loadMs.toFixed(0)} ms + indicators ${(t2 - t1).toFixed(0)} ms; CPU ${((used.user + used.system) / 1000).toFixed(0)} ms`,
            );
        }
        console.log(
          `  wall per run: ${times.map((t) => `${(t / 1000).toFixed(2)} s`).join(", ")}; best ${(Math.min(...times) / 1000).toFixed(2)} s (goal < 1 s)`,
        );
      }
    };
    await runs("every incident row loaded into columns (loadIncidentColumns + periodIndicators):");
    for (const [period, label] of [
      ["month", "2024-05"],
      ["week", "2024-W20"],
    ] as const) {
      const cols = await loadIncidentColumns(store, { ranges: indicatorRanges(label, period) });
      // The same case figures on both sides (the column formulation takes them as given).
      const extras = await loadIndicatorExtras(store, label, period, "station");
      const same =
        JSON.stringify(comparable(periodIndicators(cols, { period, label, extras }))) ===
        JSON.stringify(comparable(await storeIndicators(store, { period, label, level: "station" })));
      console.log(`  ${period} ${label}: rollup report equals the full scan (medians aside): ${same}`);
    }
    if (values["covering-index"]) {
      await sql`CREATE INDEX bench_covering ON incidents (received_at, utc_offset_min, category, station_unit, accepted_at, dispatched_at, arrived_at, lat, lon)`.execute(
        store.db,
      );
      await aggregateRuns("aggregates, with a covering index on the grouped columns (bench database only):");
      await runs("columns, with a covering index on the loaded columns (bench database only):");
    }
    console.log(`load average: ${load()}`);
  }
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  if (values.pg) {
    const client = new pg.Client({ connectionString: values.pg });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
}
