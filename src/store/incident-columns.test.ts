import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { makeIncident } from "../../test/builders.ts";
import { columnsFromIncidents } from "../analysis/indicators/columns.ts";
import { periodIndicators, periodIndicatorsFromAggregates } from "../analysis/indicators/indicators.ts";
import { roundedMeans } from "../analysis/indicators/rollups-testing.ts";
import { asBatchId, asEpochMs, asUnitCode, type Incident } from "../domain/index.ts";
import { indicatorRanges, loadIncidentColumns } from "./incident-columns.ts";
import { loadIndicatorAggregates } from "./indicator-aggregates.ts";
import {
  memoryTarget,
  PG_URL,
  pgUnreachable,
  postgresTarget,
  REQUIRE_PG,
  type StoreTarget,
} from "./testing/stores.ts";
import type { Store } from "./types.ts";

const BATCH = asBatchId("cols-batch");

function incidents(): Incident[] {
  const out: Incident[] = [];
  const months = [Date.UTC(2023, 4, 10), Date.UTC(2024, 2, 10), Date.UTC(2024, 3, 10), Date.UTC(2024, 4, 10)];
  months.forEach((base, m) => {
    for (let k = 0; k < 5 + m; k++)
      out.push(
        makeIncident({
          sourceId: `C${m}-${k}`,
          batchId: BATCH,
          receivedAt: asEpochMs(base + k * 3_600_000),
          acceptedAt: k % 2 ? asEpochMs(base + k * 3_600_000 + 10_000) : null,
          dispatchedAt: asEpochMs(base + k * 3_600_000 + 90_000),
          arrivedAt: k % 3 ? asEpochMs(base + k * 3_600_000 + 90_000 + k * 61_000) : null,
          stationUnit: asUnitCode(k % 2 ? "S1" : "S2"),
          category: k % 3 ? "dispute" : "invalid",
          lat: 31.2,
          lon: 121.4,
        }),
      );
  });
  return out;
}

async function fill(store: Store, rows: Incident[]) {
  const writer = await store.beginBatch({
    id: BATCH,
    sourceSystem: "test",
    profile: "t",
    fileName: "t.csv",
    fileSha256: "cd".repeat(32),
    startedAt: 0,
  });
  await writer.insertIncidents(rows);
  await writer.commit({
    rows: rows.length,
    imported: rows.length,
    rejected: 0,
    duplicates: 0,
    finishedAt: 1,
  });
}

const targets: [string, () => Promise<StoreTarget>, () => Promise<string | undefined>][] = [
  ["sqlite", async () => memoryTarget(), async () => undefined],
  [
    "postgres",
    () => postgresTarget(PG_URL),
    () => (REQUIRE_PG ? Promise.resolve(undefined) : pgUnreachable()),
  ],
];

describe.each(targets)("loadIncidentColumns on %s", (_name, makeTarget, unreachable) => {
  let target: StoreTarget | undefined;
  let store: Store | undefined;
  let skip: string | undefined;
  beforeAll(async () => {
    skip = await unreachable();
    if (skip) return;
    target = await makeTarget();
    store = (await target.fresh()).store;
    await fill(store, incidents());
  });
  afterAll(async () => {
    await store?.close();
    await target?.dispose();
  });

  test("the indicators from the store equal those from the incidents in memory", async (ctx) => {
    if (skip) ctx.skip();
    const cols = await loadIncidentColumns(store!, { ranges: indicatorRanges("2024-05", "month") });
    expect(cols.n).toBe(5 + 7 + 8); // May 2023, April and May 2024; March is not read
    const fromStore = periodIndicators(cols, { period: "month", label: "2024-05" });
    const inMemory = periodIndicators(columnsFromIncidents(incidents()), {
      period: "month",
      label: "2024-05",
    });
    expect(fromStore).toEqual(inMemory);
  });

  test("one unit only", async (ctx) => {
    if (skip) ctx.skip();
    const cols = await loadIncidentColumns(store!, { unit: "S1" });
    expect(cols.units).toEqual(["S1"]);
    expect(Array.from(cols.dispatchedAt).every((v, i) => v - cols.receivedAt[i]! === 90_000)).toBe(true);
  });
});

test("weekly ranges cover the week, the week before and 52 weeks back", () => {
  const [yearBack, recent] = indicatorRanges("2024-W18", "week");
  const monday = Date.UTC(2024, 3, 29);
  expect(recent!.from).toBe(monday - 8 * 86_400_000);
  expect(recent!.to).toBe(monday + 8 * 86_400_000);
  expect(yearBack!.from).toBe(monday - 52 * 7 * 86_400_000 - 86_400_000);
});

describe.each(targets)("loadIndicatorAggregates on %s", (_name, makeTarget, unreachable) => {
  let target: StoreTarget | undefined;
  let store: Store | undefined;
  let skip: string | undefined;
  beforeAll(async () => {
    skip = await unreachable();
    if (skip) return;
    target = await makeTarget();
    store = (await target.fresh()).store;
    await fill(store, incidents());
  });
  afterAll(async () => {
    await store?.close();
    await target?.dispose();
  });

  test("indicators from database aggregates equal those from the incident columns", async (ctx) => {
    if (skip) ctx.skip();
    for (const [period, label] of [
      ["month", "2024-05"],
      ["week", "2024-W19"],
    ] as const) {
      const agg = await loadIndicatorAggregates(store!, label, period);
      const fromColumns = periodIndicators(columnsFromIncidents(incidents()), { period, label });
      expect(roundedMeans(periodIndicatorsFromAggregates(agg, { period, label }))).toEqual(
        roundedMeans(fromColumns),
      );
    }
  });
});
