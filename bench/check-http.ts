/**
 * What the HTTP path adds to the dispatch-time check: the same checks run (a) in-process with
 * checkAtDispatch on keys already parsed, (b) through the whole API in-process with app.inject
 * (session lookup, permission, zod, address parsing, pseudonym, scope filter, open cases query,
 * one hash-chained audit row), on a SQLite store of N incidents (default 1,000,000). The
 * in-process figure at 10,000,000 calls is bench/repeat.ts's.
 *
 *   node --import tsx bench/check-http.ts [--incidents 1000000] [--checks 2000]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createAddressLocator } from "../src/address/index.ts";
import { asBatchId, asEpochMs, asUnitCode, seededRandom } from "../src/domain/index.ts";
import { checkAtDispatch } from "../src/repeat/dispatch.ts";
import { buildApp } from "../src/server/app.ts";
import { Auth } from "../src/server/auth.ts";
import { RepeatService } from "../src/server/repeat-service.ts";
import { openStore } from "../src/store/index.ts";
import { serverRepository } from "../src/store/server-repository.ts";
import { makeIncident } from "../test/builders.ts";

const { values } = parseArgs({
  options: {
    incidents: { type: "string", default: "1000000" },
    checks: { type: "string", default: "2000" },
  },
});
const N = Number(values.incidents);
const CHECKS = Number(values.checks);
const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);
const PASSWORD = "Bench-Password-2024";
const COMPOUNDS = Array.from(
  { length: 400 },
  (_, i) => `${"阳光幸福和平建设文化锦绣"[i % 12]}${"苑园城府居庭"[i % 6]}${i}号小区`,
);
const dir = mkdtempSync(join(tmpdir(), "recur-check-http-"));
const db = join(dir, "check.db");
const rng = seededRandom(11);
const locator = createAddressLocator();

const address = (k: number) =>
  `浙江省临江市滨江区${COMPOUNDS[k % COMPOUNDS.length]}${1 + (Math.floor(k / 400) % 20)}栋${1 + (k % 4)}单元${101 + (k % 17)}室`;
const ADDRESSES = 8_000;
const t0 = performance.now();
const keys = Array.from({ length: ADDRESSES }, (_, k) => locator.locate(address(k), null, null));
const parseSeconds = (performance.now() - t0) / 1000;

const store = await openStore({ path: db });
const writer = await store.beginBatch({
  id: asBatchId("seed"),
  sourceSystem: "bench",
  profile: "bench",
  fileName: "-",
  fileSha256: "0".repeat(64),
  startedAt: 0,
});
const codes = [
  ["public_order", "noise"],
  ["dispute", "neighbour"],
  ["dispute", "family"],
  ["criminal", "theft"],
  ["traffic", "accident"],
  ["help", "elderly"],
] as const;
for (let from = 0; from < N; from += 10_000) {
  const chunk = [];
  for (let n = from; n < Math.min(N, from + 10_000); n++) {
    // A skewed place distribution: a few hundred places call often (repeat series).
    const k = rng.next() < 0.3 ? rng.int(300) : rng.int(ADDRESSES);
    const [category, subtype] = codes[rng.int(codes.length)]!;
    const s = k % 20;
    chunk.push(
      makeIncident({
        sourceId: `L${n}`,
        sourceSystem: "bench",
        batchId: asBatchId("seed"),
        receivedAt: asEpochMs(START + Math.floor((n / N) * 365 * DAY)),
        category,
        subtype,
        address: address(k),
        location: keys[k]!,
        stationUnit: asUnitCode(`S${s}`),
        branchUnit: asUnitCode(`B${s % 4}`),
      }),
    );
  }
  await writer.insertIncidents(chunk);
}
await writer.commit({ rows: N, imported: N, rejected: 0, duplicates: 0, finishedAt: 0 });
const auth = new Auth(serverRepository(store), { now: () => asEpochMs(Date.now()) });
for (const [username, role, unitLevel, unitCode] of [
  ["city", "city_analyst", "city", "C"],
  ["station", "station_officer", "station", "S3"],
] as const)
  await auth.createUser({
    username,
    displayName: username,
    password: PASSWORD,
    role,
    unitLevel,
    unitCode,
    agencyCode: null,
    mustChangePassword: false,
  });

const app = buildApp({
  store: () => store,
  status: () => ({ phase: "ready", detail: { zh: "", en: "" } }),
  version: "bench",
  loginsPerMinute: 1_000_000,
  secretPath: join(dir, "recur.secret"),
});
await app.ready();
const cookies: Record<string, string> = {};
for (const u of ["city", "station"]) {
  const r = await app.inject({
    method: "POST",
    url: "/api/v1/auth/login",
    payload: { username: u, password: PASSWORD },
  });
  cookies[u] = String(r.headers["set-cookie"]).split(";")[0]!;
}
const tLoad = performance.now();
for (;;) {
  const r = await app.inject({
    method: "GET",
    url: "/api/v1/checks/status",
    headers: { cookie: cookies.city! },
  });
  if (r.json().index.kind !== "loading") break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}
const loadSeconds = (performance.now() - tLoad) / 1000;

// The same index, loaded beside the server's, for the in-process figure.
const direct = new RepeatService();
await direct.load(store);
const index = direct.ready!;

const at = START + 365 * DAY;
const queries = Array.from({ length: CHECKS }, (_, q) => {
  const k = q % 2 === 0 ? rng.int(300) : rng.int(ADDRESSES);
  const [category, subtype] = codes[rng.int(codes.length)]!;
  return { k, category, subtype };
});
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

function measure(run: (q: (typeof queries)[number]) => unknown) {
  const times: number[] = [];
  for (const q of queries) {
    const s = performance.now();
    run(q);
    times.push(performance.now() - s);
  }
  return times.sort((a, b) => a - b);
}
async function measureAsync(run: (q: (typeof queries)[number]) => Promise<unknown>) {
  const times: number[] = [];
  for (const q of queries) {
    const s = performance.now();
    await run(q);
    times.push(performance.now() - s);
  }
  return times.sort((a, b) => a - b);
}

// Warm-up of every path.
for (const q of queries.slice(0, 200)) {
  checkAtDispatch(index, { keys: keys[q.k]!, category: q.category, subtype: q.subtype, at });
  locator.locate(address(q.k), null, null);
}
const inProcess = measure((q) =>
  checkAtDispatch(index, { keys: keys[q.k]!, category: q.category, subtype: q.subtype, at }),
);
const parse = measure((q) => locator.locate(address(q.k), null, null));
let series = 0;
const viaApi = async (who: string) =>
  measureAsync(async (q) => {
    const r = await app.inject({
      method: "POST",
      url: "/api/v1/checks",
      headers: { cookie: cookies[who]!, "content-type": "application/json" },
      payload: {
        address: address(q.k),
        category: q.category,
        subtype: q.subtype,
        at,
        callerNumber: "13800138000",
      },
    });
    if (r.statusCode !== 200) throw new Error(`check answered ${r.statusCode}: ${r.body}`);
    series += (r.json() as { series: unknown[] }).series.length;
  });
const api = await viaApi("city");
const apiStation = await viaApi("station");
const line = (name: string, t: number[]) =>
  `  ${name.padEnd(44)} p50 ${percentile(t, 50).toFixed(3)} ms  p99 ${percentile(t, 99).toFixed(3)} ms`;
console.log(
  `dispatch check over HTTP on ${N.toLocaleString("en")} incidents (SQLite), ${CHECKS} checks each; load ${loadavg()
    .map((x) => x.toFixed(1))
    .join(" ")}`,
);
console.log(
  `  ${ADDRESSES} addresses parsed in ${parseSeconds.toFixed(1)} s; server index ready ${loadSeconds.toFixed(1)} s after start`,
);
console.log(line("in-process checkAtDispatch (keys given)", inProcess));
console.log(line("address parsing alone (locator.locate)", parse));
console.log(line("POST /api/v1/checks via app.inject (city)", api));
console.log(line("POST /api/v1/checks via app.inject (station)", apiStation));
console.log(
  `  HTTP path adds p50 ${(percentile(api, 50) - percentile(inProcess, 50)).toFixed(3)} ms, p99 ${(percentile(api, 99) - percentile(inProcess, 99)).toFixed(3)} ms (city); ${(series / (2 * CHECKS)).toFixed(1)} series per answer`,
);
await app.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
