/**
 * Monthly indicators from the store (issue 7 goal: 1,000,000 incidents < 1 s).
 * Fills a temporary SQLite store with 1,000,000 generated incidents, all inside the three months
 * a May 2024 report reads (May 2024, April 2024, May 2023: the worst case, every row is read),
 * over 60 stations, then times loadIncidentColumns + periodIndicators (monthly) and the weekly
 * report, each a few times. Prints the figures; the store is deleted afterwards.
 *
 * --covering-index also times the same after adding an index that covers the loaded columns
 * (bench database only: it measures what such a store migration would bring).
 *
 *   node --import tsx bench/indicators.ts [--rows 1000000] [--covering-index]
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { sql } from "kysely";
import { periodIndicators, periodIndicatorsFromAggregates } from "../src/analysis/indicators/index.ts";
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
import { makeIncident } from "../test/builders.ts";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    "covering-index": { type: "boolean", default: false },
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

const store = await openStore({ path: join(dir, "bench.db") });
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
  for (let start = 0; start < ROWS; start += CHUNK) await writer.insertIncidents(chunk(start));
  await writer.commit({ rows: ROWS, imported: ROWS, rejected: 0, duplicates: 0, finishedAt: 1 });
  console.log(
    `filled ${ROWS.toLocaleString("en")} incidents in ${((performance.now() - fillStart) / 1000).toFixed(1)} s (not part of the figure)`,
  );

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
  if (values["covering-index"]) {
    await sql`CREATE INDEX bench_covering ON incidents (received_at, utc_offset_min, category, station_unit, accepted_at, dispatched_at, arrived_at, lat, lon)`.execute(
      store.db,
    );
    await aggregateRuns("aggregates, with a covering index on the grouped columns (bench database only):");
    await runs("columns, with a covering index on the loaded columns (bench database only):");
  }
  console.log(`load average: ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
