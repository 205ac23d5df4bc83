/**
 * Child process of the kill -9 test (batch-atomicity.test.ts): opens the store given as JSON
 * in argv[2], writes one batch of generated incidents in chunks and reports each step on
 * stdout, so that the parent can kill it at a chosen point. After each step up to the commit
 * it waits for a line on stdin, so a kill between steps lands exactly where the parent chose;
 * the commit itself is not held back, so a kill right after "committing" races with it.
 *
 *   node --import tsx src/store/testing/batch-child.ts '{"path":"x.db"}' BATCH_ID ROWS CHUNK [EXPECTED] [FEEDBACK] [repeat]
 *
 * EXPECTED is the batch size announced to beginBatch (a large one selects SQLite's bulk mode;
 * 0: none). FEEDBACK makes the batch a later export of the same calls: each row has an arrival
 * time and this feedback, so over an earlier run's rows it updates every one (an empty FEEDBACK:
 * none). `repeat`: every chunk after the first ends with every 20th call of the chunk before
 * written again with an arrival and a feedback (REPEAT_FEEDBACK), merged into it (a key repeated
 * in the file); the batch then has ROWS / 20 more rows, less the last chunk's share.
 */
import { createInterface } from "node:readline";
// Types only: the child starts faster without loading the domain module (and zod).
import type { BatchId, CallerPseudonym, EpochMs, Incident } from "../../domain/index.ts";
import { openStore } from "../index.ts";
import type { StoreLocation } from "./stores.ts";

const [locationJson, batchArg, rowsArg, chunkArg, expectedArg, feedbackArg, repeatArg] =
  process.argv.slice(2);
/** The feedback of a call's second row in the same file (`repeat`; batch-atomicity.test.ts counts it). */
const REPEAT_FEEDBACK = "再次导出：已处理";
const location = JSON.parse(locationJson ?? "{}") as StoreLocation;
const batchId = (batchArg ?? "kill") as BatchId;
const rows = Number(rowsArg ?? 1000);
const chunk = Number(chunkArg ?? 100);

function incident(n: number): Incident {
  const sourceId = `K${String(n).padStart(7, "0")}`;
  return {
    id: `kill:${sourceId}` as Incident["id"],
    sourceSystem: "kill-test",
    sourceId,
    batchId,
    receivedAt: (1_714_500_000_000 + n * 1000) as EpochMs,
    acceptedAt: null,
    dispatchedAt: null,
    arrivedAt: feedbackArg ? ((1_714_500_000_000 + n * 1000 + 600_000) as EpochMs) : null,
    closedAt: null,
    utcOffsetMin: 480,
    category: "dispute",
    subtype: "neighbour",
    sourceCategory: null,
    department: null,
    address: `临江市滨江区阳光小区${n % 40}栋2单元${n % 900}室`,
    lon: null,
    lat: null,
    datum: null,
    location: {
      poi: "阳光小区",
      building: `阳光小区:${n % 40}`,
      unit: null,
      room: null,
      road: null,
      cross: null,
    },
    cityUnit: null,
    branchUnit: null,
    stationUnit: null,
    areaUnit: null,
    callerPseudonym: `c${n % 97}` as CallerPseudonym,
    callerNumberEnc: null,
    narrative: "楼上噪音扰民，请求处理。",
    disposition: null,
    feedback: feedbackArg ?? null,
  };
}

const say = (line: string) => process.stdout.write(`${line}\n`);
const lines = createInterface({ input: process.stdin });
const input = lines[Symbol.asyncIterator]();
/** Reports a step and waits for the parent's go-ahead. */
async function step(line: string): Promise<void> {
  say(line);
  if ((await input.next()).done) process.exit(3);
}

const store = await openStore(location);
const writer = await store.beginBatch({
  id: batchId,
  sourceSystem: "kill-test",
  profile: "synthetic",
  fileName: "kill.csv",
  fileSha256: "0".repeat(64),
  startedAt: 0,
  ...(expectedArg && expectedArg !== "0" ? { expectedRows: Number(expectedArg) } : {}),
});
await writer.insertQuarantine([{ batchId, file: "kill.csv", row: 1, issues: [], recordEnc: "x" }]);
await step("begun");
let inserted = 0;
let written = 0;
for (let start = 0, k = 1; start < rows; start += chunk, k++) {
  const part: Incident[] = [];
  for (let n = start; n < Math.min(start + chunk, rows); n++) part.push(incident(n));
  if (repeatArg === "repeat")
    for (let n = start - chunk; n >= 0 && n < start; n += 20)
      part.push({
        ...incident(n),
        arrivedAt: (1_714_500_000_000 + n * 1000 + 540_000) as EpochMs,
        feedback: REPEAT_FEEDBACK,
      });
  written += part.length;
  inserted += await writer.insertIncidents(part);
  await step(`chunk ${k}`);
}
say("committing");
const { updated, stale } = writer.updates ?? { updated: 0, stale: 0 };
await writer.commit({
  rows: written,
  imported: inserted,
  rejected: 1,
  duplicates: written - inserted - updated - stale,
  finishedAt: 1,
});
// Reported only once close() has finished, and the process must then end by itself: a store that
// let the process exit early, or kept it alive after close, fails the parent's test.
await store.close();
lines.close();
say(`committed ${inserted}`);
