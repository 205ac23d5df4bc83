import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { recur } from "../../../test/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "recur-knox-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, "events.csv");
writeFileSync(
  file,
  [
    '"X","Y","date"',
    "0,0,2016-01-01",
    "0,0,2016-01-03",
    "150,0,2016-01-09",
    "500,0,2016-01-02",
    "0,NA,2016-01-02",
    "900,900,2016-03-01",
  ].join("\n"),
);
const BASE = ["knox", "--input", file, "--x-col", "1", "--y-col", "2", "--time-col", "3"];
const BANDS = ["--sbands", "0,0.1,200,400,600", "--tbands", "0,7,14,21"];

test("recur knox --json prints the tables with rows = space bands and columns = time bands", async () => {
  const { code, stdout, stderr } = await recur([...BASE, ...BANDS, "--sims", "99", "--seed", "3", "--json"]);
  expect(code).toBe(0);
  const out = JSON.parse(stdout);
  expect(Object.keys(out).slice(0, 6)).toEqual([
    "sbands",
    "tbands",
    "observed",
    "expectedMean",
    "knoxRatio",
    "pValue",
  ]);
  // (1,2) same place 2 days; (1,3) 150 m 8 days; (2,3) 150 m 6 days; (1,4) 500 m 1 day; (2,4) 500 m 1 day; (3,4) 350 m 7 days
  expect(out.observed).toEqual([
    [1, 0, 0],
    [1, 1, 0],
    [0, 1, 0],
    [2, 0, 0],
  ]);
  expect(out.pValue.flat().every((p: number) => p >= 0.01 && p <= 1)).toBe(true);
  expect(out.events).toBe(5);
  expect(out.skipped).toEqual([expect.objectContaining({ code: "missing_value", row: 5, field: "Y" })]);
  expect(stderr).toContain("1 events are removed");
});

test("the same seed gives the same answer whatever the number of threads", async () => {
  const one = await recur([...BASE, ...BANDS, "--sims", "120", "--seed", "9", "--json", "--threads", "1"]);
  const two = await recur([...BASE, ...BANDS, "--sims", "120", "--seed", "9", "--json", "--threads", "2"]);
  expect(JSON.parse(two.stdout).expectedMean).toEqual(JSON.parse(one.stdout).expectedMean);
});

test("--exact with --sims 0 gives the permutation expectation without simulating", async () => {
  const { code, stdout } = await recur([...BASE, ...BANDS, "--sims", "0", "--exact", "--json"]);
  expect(code).toBe(0);
  const out = JSON.parse(stdout);
  expect(out.knoxRatio).toBeNull();
  expect(out.expectedExact.flat().every((v: number) => v >= 0)).toBe(true);
});

test.each([
  [["knox", "--input", file, ...BANDS], "column numbers"],
  [[...BASE, "--sbands", "0,abc", "--tbands", "0,7"], "comma-separated"],
  [[...BASE, "--sbands", "0,200,100", "--tbands", "0,7"], "strictly increasing"],
  [[...BASE, ...BANDS, "--distance", "chebyshev"], "manhattan or euclidean"],
  [[...BASE.map((a) => (a === "1" ? "0" : a)), ...BANDS], "starting at 1"],
])("a usage mistake exits with 2 and says why (%#)", async (args, message) => {
  const { code, stderr } = await recur(args);
  expect(code).toBe(2);
  expect(stderr).toContain(message);
});

test("a file that cannot be read exits with 1", async () => {
  const { code, stderr } = await recur([
    "knox",
    "--input",
    join(dir, "nope.csv"),
    "--x-col",
    "1",
    "--y-col",
    "2",
    "--time-col",
    "3",
    ...BANDS,
  ]);
  expect(code).toBe(1);
  expect(stderr).toContain("ENOENT");
});

test("recur knox --from-store tests stored incidents with coordinates in a date range and category", async () => {
  const { openStore } = await import("../../store/index.ts");
  const { makeIncident } = await import("../../../test/builders.ts");
  const { asBatchId, asEpochMs } = await import("../../domain/index.ts");
  const db = join(dir, "k.db");
  const store = await openStore({ path: db });
  const batch = asBatchId("knox-batch");
  const writer = await store.beginBatch({
    id: batch,
    sourceSystem: "test",
    profile: "t",
    fileName: "t",
    fileSha256: "cc".repeat(32),
    startedAt: 0,
  });
  const day = Date.UTC(2024, 4, 1, 2);
  await writer.insertIncidents([
    makeIncident({
      sourceId: "k1",
      batchId: batch,
      receivedAt: asEpochMs(day),
      lat: 31.2,
      lon: 121.4,
      category: "criminal",
    }),
    makeIncident({
      sourceId: "k2",
      batchId: batch,
      receivedAt: asEpochMs(day + 2 * 86_400_000),
      lat: 31.2,
      lon: 121.4,
      category: "criminal",
    }),
    makeIncident({
      sourceId: "k3",
      batchId: batch,
      receivedAt: asEpochMs(day + 3 * 86_400_000),
      lat: 31.2005,
      lon: 121.4,
      category: "criminal",
    }),
    makeIncident({
      sourceId: "k4",
      batchId: batch,
      receivedAt: asEpochMs(day),
      lat: 31.2,
      lon: 121.4,
      category: "traffic",
    }),
    makeIncident({ sourceId: "k5", batchId: batch, receivedAt: asEpochMs(day), category: "criminal" }), // no coordinates
    makeIncident({
      sourceId: "k6",
      batchId: batch,
      receivedAt: asEpochMs(day + 40 * 86_400_000),
      lat: 31.2,
      lon: 121.4,
      category: "criminal",
    }),
  ]);
  await writer.commit({ rows: 6, imported: 6, rejected: 0, duplicates: 0, finishedAt: 1 });
  await store.close();
  const { code, stdout, stderr } = await recur([
    "knox",
    "--from-store",
    "--db",
    db,
    "--from",
    "2024-05-01",
    "--to",
    "2024-05-31",
    "--category",
    "criminal",
    "--sbands",
    "0,0.1,100",
    "--tbands",
    "0,7",
    "--sims",
    "19",
    "--json",
  ]);
  expect(code).toBe(0);
  const out = JSON.parse(stdout);
  expect(out.events).toBe(3); // k1, k2, k3: k4 is traffic, k5 has no coordinates, k6 is in June
  // (k1,k2) same place 2 days; (k1,k3) and (k2,k3) about 55 m, 3 and 1 days.
  expect(out.observed).toEqual([[1], [2]]);
  expect(stderr).toContain("1 incidents without coordinates");
});
