/**
 * Load on the API over loopback: 50 concurrent users (station officers, branch supervisors and
 * city analysts, each with a session) mixing case reads and writes on a store of N incidents
 * (default 1,000,000). The server runs in a child process so that the load generator does not
 * share its event loop. Prints throughput and latency percentiles.
 *
 *   node --import tsx bench/api-load.ts [--incidents 1000000] [--seconds 20] [--connections 50]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { applyCase, newCase } from "../src/cases/case.ts";
import { asBatchId, asEpochMs, asUnitCode, fixedClock, seededRandom } from "../src/domain/index.ts";
import { Auth } from "../src/server/auth.ts";
import { openStore } from "../src/store/index.ts";
import { serverRepository } from "../src/store/server-repository.ts";
import { makeIncident } from "../test/builders.ts";

const { values } = parseArgs({
  options: {
    incidents: { type: "string", default: "1000000" },
    seconds: { type: "string", default: "20" },
    connections: { type: "string", default: "50" },
  },
});
const INCIDENTS = Number(values.incidents);
const BRANCHES = 4;
const STATIONS_PER_BRANCH = 5;
const PASSWORD = "Bench-Password-2024";
const dir = mkdtempSync(join(tmpdir(), "recur-api-load-"));
const db = join(dir, "load.db");
const rng = seededRandom(5);
const station = (i: number) => `S${i}`;
const branchOf = (s: number) => `B${Math.floor(s / STATIONS_PER_BRANCH)}`;

async function seed() {
  const store = await openStore({ path: db });
  const t0 = performance.now();
  const writer = await store.beginBatch({
    id: asBatchId("load"),
    sourceSystem: "bench",
    profile: "bench",
    fileName: "-",
    fileSha256: "0".repeat(64),
    startedAt: 0,
  });
  const start = Date.UTC(2024, 0, 1);
  for (let from = 0; from < INCIDENTS; from += 10_000) {
    const chunk = [];
    for (let n = from; n < Math.min(INCIDENTS, from + 10_000); n++) {
      const s = rng.int(BRANCHES * STATIONS_PER_BRANCH);
      chunk.push(
        makeIncident({
          sourceId: `L${n}`,
          sourceSystem: "bench",
          batchId: asBatchId("load"),
          receivedAt: asEpochMs(start + Math.floor((n / INCIDENTS) * 365 * 86_400_000)),
          stationUnit: asUnitCode(station(s)),
          branchUnit: asUnitCode(branchOf(s)),
          location: { building: `b${rng.int(20_000)}` },
        }),
      );
    }
    await writer.insertIncidents(chunk);
  }
  await writer.commit({ rows: INCIDENTS, imported: INCIDENTS, rejected: 0, duplicates: 0, finishedAt: 0 });
  const seeded = (performance.now() - t0) / 1000;

  const repo = serverRepository(store);
  const clock = fixedClock(Date.UTC(2024, 11, 1));
  const auth = new Auth(repo, clock);
  const users: string[] = [];
  for (let u = 0; u < 50; u++) {
    const s = u % (BRANCHES * STATIONS_PER_BRANCH);
    const role = u < 40 ? "station_officer" : u < 46 ? "branch_supervisor" : "city_analyst";
    const [unitLevel, unitCode] =
      role === "station_officer"
        ? (["station", station(s)] as const)
        : role === "branch_supervisor"
          ? (["branch", branchOf(s)] as const)
          : (["city", "C"] as const);
    await auth.createUser({
      username: `user${u}`,
      displayName: `user${u}`,
      password: PASSWORD,
      role,
      unitLevel,
      unitCode,
      agencyCode: null,
      mustChangePassword: false,
    });
    users.push(`user${u}`);
  }
  for (let c = 0; c < 2_000; c++) {
    const s = c % (BRANCHES * STATIONS_PER_BRANCH);
    let k = newCase({
      id: `case${c}`,
      title: `case ${c}`,
      subject: {
        kind: "place",
        seriesId: null,
        locationKey: `b${c}`,
        locationLevel: "building",
        callerPseudonym: null,
        group: "noise",
        protective: false,
      },
      warning: "yellow",
      branchUnit: branchOf(s),
      stationUnit: station(s),
      by: "seed",
      clock,
    });
    k = applyCase(
      k,
      1,
      { action: "assign", assignee: { kind: "unit", code: station(s) }, owner: "o" },
      "seed",
      clock,
    );
    await repo.createCase(k);
  }
  await store.close();
  return { seeded, users };
}

async function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ["bin/recur", "serve", "--db", db, "--port", "0", "--host", "127.0.0.1", "--lang", "en"],
    {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, RECUR_LOGINS_PER_MINUTE: "100000" },
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      const match = /http:\/\/[\d.]+:\d+/.exec(String(chunk));
      if (match) resolve(match[0]);
    });
    child.once("exit", (code) => reject(new Error(`server exited ${code}`)));
  });
  return { child, url };
}

const { seeded, users } = await seed();
console.log(
  `seeded ${INCIDENTS.toLocaleString("en")} incidents, 50 users, 2,000 cases in ${seeded.toFixed(1)} s`,
);
const { child, url } = await startServer();
try {
  const cookies: string[] = [];
  for (const username of users) {
    const response = await fetch(`${url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, password: PASSWORD }),
    });
    cookies.push(String(response.headers.get("set-cookie")).split(";")[0]!);
  }
  // The server loads its repeat index in the background at start: measure after it is ready.
  const tIndex = performance.now();
  for (;;) {
    const response = await fetch(`${url}/api/v1/checks/status`, { headers: { cookie: cookies.at(-1)! } });
    const phase = ((await response.json()) as { index: { kind: string } }).index.kind;
    if (phase !== "loading") break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  console.log(
    `repeat index ready ${((performance.now() - tIndex) / 1000).toFixed(1)} s after the first login`,
  );
  let n = 0;
  const times: number[] = [];
  let finished!: (result: autocannon.Result) => void;
  const done = new Promise<autocannon.Result>((resolve) => {
    finished = resolve;
  });
  const instance = autocannon(
    {
      url,
      connections: Number(values.connections),
      duration: Number(values.seconds),
      requests: [
        {
          setupRequest: (request) => {
            n++;
            const cookie = cookies[n % cookies.length]!;
            const r = n % 20;
            // 60% case lists, 25% incident pages, 15% case creation (writes).
            if (r < 12)
              return { ...request, method: "GET", path: "/api/v1/cases?state=assigned", headers: { cookie } };
            if (r < 17)
              return {
                ...request,
                method: "GET",
                path: `/api/v1/incidents?limit=50&offset=${(n * 37) % 5000}`,
                headers: { cookie },
              };
            const user = n % cookies.length;
            const s = user % (BRANCHES * STATIONS_PER_BRANCH);
            const body = {
              title: `load ${n}`,
              subject: {
                kind: "place",
                seriesId: null,
                locationKey: `b${n}`,
                callerPseudonym: null,
                group: "noise",
                protective: false,
              },
              warning: "blue",
              branchUnit: user >= 46 ? "B0" : branchOf(s),
              stationUnit: user >= 46 ? "S0" : station(s),
            };
            return {
              ...request,
              method: "POST",
              path: "/api/v1/cases",
              headers: { cookie, "content-type": "application/json" },
              body: JSON.stringify(body),
            };
          },
        },
      ],
    },
    (error, result) => {
      if (error) throw error;
      finished(result);
    },
  );
  instance.on("response", (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    times.push(responseTime);
  });
  const result = await done;
  times.sort((a, b) => a - b);
  const pct = (p: number) =>
    times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]!.toFixed(1);
  const codes = {
    "2xx": result["2xx"],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
  console.log(
    `load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")} (2 cores, shared machine)`,
  );
  console.log(
    `API load: ${Number(values.connections)} connections, ${values.seconds} s on ${INCIDENTS.toLocaleString("en")} incidents (SQLite)`,
  );
  console.log(
    `  throughput ${result.requests.average.toFixed(0)} req/s, ${result.requests.total} requests`,
    codes,
  );
  console.log(
    `  latency p50 ${pct(50)} ms, p95 ${pct(95)} ms, p99 ${pct(99)} ms, max ${result.latency.max} ms (goal p95 < 100 ms)`,
  );
} finally {
  child.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}
