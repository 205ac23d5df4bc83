/**
 * Dashboard API queries on a generated city of N incidents (default 1,000,000): the time to
 * build the in-memory columns once, then p50/p95 of every dashboard query, computed WITHOUT the
 * per-scope result memo (each call does the full scan), for the whole city, each branch and
 * several stations; and p50/p95 of series detail and the overview over HTTP (app.inject, with
 * a logged-in session: authentication, permission, scope and audit included).
 *
 *   node --import tsx bench/dashboard.ts [--incidents 1000000] [--rounds 20]
 *
 * The generated CSV and the store are kept in $TMPDIR/recur-bench-dashboard-N to rerun quickly.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { asEpochMs } from "../src/domain/index.ts";
import type { Scope } from "../src/server/access.ts";
import { buildApp } from "../src/server/app.ts";
import { Auth } from "../src/server/auth.ts";
import { loadDashboardData } from "../src/server/dashboard-data.ts";
import {
  analysis,
  dashboardCacheOf,
  knox,
  monthIndicators,
  overview,
  qualityScorecards,
  seriesList,
} from "../src/server/dashboard-routes.ts";
import { generatedPassword } from "../src/server/demo-accounts.ts";
import { openStore } from "../src/store/index.ts";
import { serverRepository } from "../src/store/server-repository.ts";

const { values } = parseArgs({
  options: { incidents: { type: "string", default: "1000000" }, rounds: { type: "string", default: "20" } },
});
const N = Number(values.incidents);
const ROUNDS = Number(values.rounds);
const root = join(import.meta.dirname, "..");
const dir = join(tmpdir(), `recur-bench-dashboard-${N}`);
mkdirSync(dir, { recursive: true });
const csv = join(dir, "city.csv");
const db = join(dir, "city.db");
const recur = join(root, "bin", "recur");

if (!existsSync(db)) {
  const t0 = performance.now();
  if (!existsSync(csv))
    execFileSync(
      recur,
      ["generate", "--incidents", String(N), "--seed", "11", "--out", csv, "--days", "365"],
      {
        stdio: "inherit",
      },
    );
  execFileSync(recur, ["import", "--profile", "synthetic", "--db", db, csv], { stdio: "inherit" });
  console.log(`prepared ${N} incidents in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

const store = await openStore({ path: db });
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const data = await loadDashboardData(store);
const cpu = process.cpuUsage(cpu0);
console.log(
  `columns + repeat series for ${data.n.toLocaleString("en")} incidents: ${((performance.now() - t0) / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU; ${data.series.length} series; heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`,
);

const branches = [...new Set(Array.from(data.branch))].filter((b) => b > 0).map((b) => data.units[b]!);
const stations = [...new Set(Array.from(data.station))]
  .filter((s) => s > 0)
  .slice(0, 6)
  .map((s) => data.units[s]!);
const scopes: Scope[] = [
  { kind: "all" },
  ...branches.map((code) => ({ kind: "unit", level: "branch", code }) as const),
  ...stations.map((code) => ({ kind: "unit", level: "station", code }) as const),
];
const month = new Date(data.maxAt + 8 * 3600_000).toISOString().slice(0, 7);

function percentiles(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { p50: at(0.5), p95: at(0.95), max: s[s.length - 1]! };
}
const rows: [string, ReturnType<typeof percentiles>, number][] = [];
function time(name: string, run: (scope: Scope) => unknown) {
  const ms: number[] = [];
  for (const scope of scopes) run(scope); // warm-up (JIT), not counted
  for (let r = 0; r < ROUNDS; r++)
    for (const scope of scopes) {
      const t = performance.now();
      run(scope);
      ms.push(performance.now() - t);
    }
  rows.push([name, percentiles(ms), ms.length]);
}
time("overview", (s) => overview(data, s, "zh"));
time("series list (all)", (s) => seriesList(data, s, {}, "zh"));
time("series list (red)", (s) => seriesList(data, s, { level: "red" }, "zh"));
time("analysis 90 days", (s) => analysis(data, s, 90));
time("knox (criminal, 90 d)", (s) => knox(data, s, "criminal", 90));
time("quality scorecards", (s) => qualityScorecards(data, s));
time("monthly indicators", (s) => monthIndicators(data, s, month, "zh"));

// Over HTTP: the hooks (session, permission, scope, audit) and, for series detail, the store.
let ready = false;
const app = buildApp({
  store: () => store,
  status: () => ({ phase: ready ? "ready" : "loading", detail: { zh: "", en: "" } }),
  version: "bench",
});
await app.ready();
const clock = { now: () => asEpochMs(Date.now()) };
const username = `bench${Date.now()}`;
const password = generatedPassword();
await new Auth(serverRepository(store), clock).createUser({
  username,
  displayName: "bench",
  password,
  role: "city_analyst",
  unitLevel: "city",
  unitCode: "city",
  agencyCode: null,
  mustChangePassword: false,
});
await dashboardCacheOf(app)!.ready(store);
ready = true;
const login = await app.inject({
  method: "POST",
  url: "/api/v1/auth/login",
  payload: { username, password },
});
const cookie = String(login.headers["set-cookie"]).split(";")[0]!;
const ids = data.series.slice(0, ROUNDS * 5).map((s) => s.series.id);
const http = async (name: string, urls: string[]) => {
  const ms: number[] = [];
  for (const url of urls) {
    const t = performance.now();
    const res = await app.inject({ url, headers: { cookie } });
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
    ms.push(performance.now() - t);
  }
  rows.push([name, percentiles(ms), ms.length]);
};
await http(
  "HTTP series detail",
  ids.map((id) => `/api/v1/dashboard/series/${id}`),
);
await http(
  "HTTP overview (memoised)",
  Array.from({ length: ROUNDS * 5 }, () => "/api/v1/dashboard/overview"),
);

console.log(
  `\nquery                      calls     p50 ms   p95 ms   max ms   (${scopes.length} scopes × ${ROUNDS} rounds)`,
);
for (const [name, p, n] of rows)
  console.log(
    `${name.padEnd(26)} ${String(n).padStart(5)} ${p.p50.toFixed(1).padStart(10)} ${p.p95.toFixed(1).padStart(8)} ${p.max.toFixed(1).padStart(8)}`,
  );
await app.close();
await store.close();
