/**
 * Repeat engine benchmark: batch detection at 1,000,000 and 10,000,000 calls (columnar synthetic
 * calls generated directly: places, callers, duplicate calls, planted repeats), the SQL
 * formulation of the place-series rule in SQLite on the same events, and the dispatch-time check
 * latency at the largest size.
 *
 *   npm run bench:repeat                 # 1M and 10M, each size in a process of its own
 *   npm run bench:repeat -- 1000000      # chosen sizes
 *   npm run bench:repeat -- 1000000 --sql-max 1000000
 *   npm run bench:repeat -- 10000000 --live 10000   # live calls after the batch (default 10,000, at least 1)
 *
 * At the largest size: the dispatch-time check, live calls one by one (each timed), then a rebuild
 * in steps as the server runs one (event-loop delay measured; --no-rebuild skips it).
 * `--phases` prints the wall time of each phase of the batch; every batch line ends with a digest
 * of the series and duplicate groups found (a change meant only to be faster must keep it).
 *
 * Accuracy against a generated city's truth file (recur generate + recur import):
 *   npm run bench:repeat -- --accuracy --db city.db --truth city.truth.json
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { setImmediate as nextTurn } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import type { Category } from "../src/domain/index.ts";
import { seededRandom } from "../src/domain/index.ts";
import {
  ColumnsBuilder,
  checkAtDispatch,
  DEFAULT_EXCLUSIONS,
  enginePlaceSeries,
  newDictionaries,
  placeSeriesRows,
  placeSeriesRules,
  placeSeriesSql,
  REPEAT_EVENTS_DDL,
  RepeatIndex,
  type RepeatInput,
  reservedCapacity,
  scoreDuplicatePairs,
  scoreSeries,
  seriesFromSqlRows,
} from "../src/repeat/index.ts";
import { afterFullCollection } from "../src/server/repeat-service.ts";
import { openStore } from "../src/store/index.ts";

const DAY = 86_400_000;
const CODES = [
  ["traffic.accident", 22],
  ["traffic.congestion", 8],
  ["criminal.theft", 5],
  ["criminal.assault", 2],
  ["public_order.fight", 2],
  ["public_order.noise", 6],
  ["public_order.threat", 1],
  ["dispute.neighbour", 4],
  ["dispute.family", 3],
  ["dispute.labour", 1],
  ["dispute.consumer", 2],
  ["help.elderly", 2],
  ["help.locked_out", 2],
  ["non_police.municipal", 15],
  ["invalid.silent", 15],
  ["invalid.prank", 5],
  ["other.other", 5],
] as const;

/**
 * n synthetic calls written straight into a ColumnsBuilder reserved as the server's load does
 * (reservedCapacity: headroom for live calls), plus a source of live calls from the same city.
 */
function generate(
  n: number,
  seed: number,
): { builder: ColumnsBuilder; live: (count: number) => RepeatInput[] } {
  const rng = seededRandom(seed);
  const dict = newDictionaries();
  const cumulative: number[] = [];
  let total = 0;
  for (const [code, weight] of CODES) {
    dict.codes.intern(code);
    total += weight;
    cumulative.push(total);
  }
  const rooms = Math.max(100, Math.floor(n / 6));
  const callers = Math.max(100, Math.floor(n / 4));
  // Location keys: room r lies in unit r/6, building r/24, compound r/480; roads per building.
  const [poi, building, unit, room, road] = [0, 1, 2, 3, 4].map((l) => dict.keys[l]!);
  for (let r = 0; r < rooms; r++) room!.intern(`R${r}`);
  for (let u = 0; u * 6 < rooms; u++) unit!.intern(`U${u}`);
  for (let b = 0; b * 24 < rooms; b++) {
    building!.intern(`B${b}`);
    road!.intern(`RD${b}`);
  }
  for (let p = 0; p * 480 < rooms; p++) poi!.intern(`P${p}`);
  for (let c = 0; c < callers; c++) dict.callers.intern(`caller-${c}`);
  const builder = new ColumnsBuilder(dict, DEFAULT_EXCLUSIONS, reservedCapacity(n));
  const { at, code, lon, lat, caller, offsetMin } = builder;
  const keys = builder.keys;
  for (const k of keys) k.fill(-1, 0, n);
  caller.fill(-1, 0, n);
  offsetMin.fill(480, 0, n);
  const sourceId = builder.sourceId;
  const narrative = builder.narrative;
  const templates = [
    "楼上邻居装修噪音扰民多次协商未果",
    "工地拖欠工资工人聚集讨薪",
    "商家拒绝退款发生消费纠纷",
  ];
  const start = Date.UTC(2024, 0, 1);
  const span = 365 * DAY;
  let t = start;
  let i = 0;
  // Zipf-like place choice: hot rooms get many more calls (repeat places are common).
  const pickRoom = () => Math.floor(rooms * rng.next() ** 2);
  while (i < n) {
    t += (span / n) * 2 * rng.next();
    const r = pickRoom();
    const u = rng.next();
    let c = 0;
    while (cumulative[c]! < u * total) c++;
    const copies = rng.next() < 0.1 ? 1 + rng.int(3) : 0;
    const x = 120.1 + (r % 1000) * 0.0005;
    const y = 30.2 + Math.floor(r / 1000) * 0.0005;
    for (let d = 0; d <= copies && i < n; d++, i++) {
      at[i] = t + d * 3 * 60_000;
      code[i] = c;
      keys[3]![i] = r;
      keys[2]![i] = Math.floor(r / 6);
      keys[1]![i] = Math.floor(r / 24);
      keys[0]![i] = Math.floor(r / 480);
      keys[4]![i] = rng.next() < 0.3 ? Math.floor(r / 24) : -1;
      const hasXY = rng.next() < 0.6;
      lon[i] = hasXY ? x : Number.NaN;
      lat[i] = hasXY ? y : Number.NaN;
      caller[i] = rng.next() < 0.7 ? Math.floor(callers * rng.next() ** 2) : -1;
      sourceId.push(`S${i}`);
      narrative.push(c >= 7 && c <= 10 ? templates[r % templates.length]! : null);
    }
  }
  builder.claim(n);
  /** Live calls after the batch: the same places, callers and mix, a minute or so apart. */
  let liveNo = 0;
  const live = (count: number): RepeatInput[] =>
    Array.from({ length: count }, () => {
      t += 60_000 * 2 * rng.next();
      const r = pickRoom();
      const u = rng.next();
      let c = 0;
      while (cumulative[c]! < u * total) c++;
      const [category, subtype] = CODES[c]![0].split(".") as [Category, string];
      const hasXY = rng.next() < 0.6;
      return {
        sourceId: `L${liveNo++}`,
        receivedAt: t,
        utcOffsetMin: 480,
        category,
        subtype,
        lon: hasXY ? 120.1 + (r % 1000) * 0.0005 : null,
        lat: hasXY ? 30.2 + Math.floor(r / 1000) * 0.0005 : null,
        location: {
          poi: `P${Math.floor(r / 480)}`,
          building: `B${Math.floor(r / 24)}`,
          unit: `U${Math.floor(r / 6)}`,
          room: `R${r}`,
          road: rng.next() < 0.3 ? `RD${Math.floor(r / 24)}` : null,
          cross: null,
        },
        callerPseudonym: rng.next() < 0.7 ? `caller-${Math.floor(callers * rng.next() ** 2)}` : null,
        narrative: c >= 7 && c <= 10 ? templates[r % templates.length]! : null,
      };
    });
  return { builder, live };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

const args = process.argv.slice(2);

/** What a run found, as one short digest: a change meant only to be faster must print the same. */
function digestOf(index: RepeatIndex): string {
  const digest = createHash("sha256");
  for (const s of index.allSeries()) digest.update(`${s.id} ${s.warning} ${s.events.join(",")}\n`);
  for (const group of index.duplicateGroups()) digest.update(`${group.join(",")}\n`);
  return digest.digest("hex").slice(0, 12);
}

/** Scores the store's incidents against a truth file and exits. */
async function accuracy(db: string, truthPath: string): Promise<void> {
  // Read only: the schema is left as it is.
  const store = await openStore({ path: db, migrate: false });
  const builder = new ColumnsBuilder(newDictionaries());
  for await (const page of store.incidents.scan(20_000)) for (const incident of page) builder.push(incident);
  await store.close();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const index = RepeatIndex.fromColumns(builder.columns(), {}, builder);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const truth = JSON.parse(readFileSync(truthPath, "utf8")) as {
    series: { kind: "place" | "caller" | "matter"; incidents: string[] }[];
    duplicates: string[][];
  };
  const found = index.allSeries().map((s) => ({ kind: s.kind, incidents: index.sourceIdsOf(s) }));
  const series = scoreSeries(found, truth.series);
  const duplicates = scoreDuplicatePairs(index.duplicateGroups(), truth.duplicates);
  const f = (x: number) => x.toFixed(3);
  console.log(
    `${db}: ${builder.length.toLocaleString("en")} calls, detection ${seconds.toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU, digest ${digestOf(index)}`,
  );
  for (const kind of ["place", "caller", "matter"] as const) {
    const k = series[kind];
    console.log(
      `  ${kind.padEnd(6)} truth ${k.truth} found ${k.found} recall ${f(k.recall)} precision ${f(k.precision)}`,
    );
  }
  console.log(
    `  duplicate pairs: true ${duplicates.truePairs} found ${duplicates.foundPairs} precision ${f(duplicates.precision)} recall ${f(duplicates.recall)} F1 ${f(duplicates.f1)}`,
  );
}

if (args.includes("--accuracy")) {
  const at = (flag: string) => args[args.indexOf(flag) + 1];
  await accuracy(at("--db")!, at("--truth")!);
  process.exit(0);
}
const liveIndex = args.indexOf("--live");
const liveCount = liveIndex >= 0 ? Number(args[liveIndex + 1]) : 10_000;
const sqlMaxIndex = args.indexOf("--sql-max");
const sqlMax = sqlMaxIndex >= 0 ? Number(args[sqlMaxIndex + 1]) : 1_000_000;
const valued = ["--sql-max", "--live", "--largest"];
const sizes = args.filter((a, k) => /^\d+$/.test(a) && !valued.includes(args[k - 1]!)).map(Number);
if (sizes.length === 0) sizes.push(1_000_000, 10_000_000);
const largestIndex = args.indexOf("--largest");
const largest = largestIndex >= 0 ? Number(args[largestIndex + 1]) : Math.max(...sizes);
if (sizes.length > 1) {
  // Each size in a process of its own: memory left by a smaller run does not count in the peak
  // RSS of a larger one (a server loads its calls once).
  const flags = args.filter((a, k) => !/^\d+$/.test(a) || valued.includes(args[k - 1]!));
  for (const n of sizes) {
    const run = spawnSync(
      process.execPath,
      [
        ...process.execArgv,
        fileURLToPath(import.meta.url),
        String(n),
        ...flags,
        "--largest",
        String(largest),
      ],
      { stdio: "inherit" },
    );
    if (run.status !== 0) process.exit(run.status ?? 1);
  }
  process.exit(0);
}

/**
 * `--phases`: the batch run as a build in steps with no step limit, the wall time of each phase
 * printed (step names of RepeatIndex.fromColumnsInSteps).
 */
function timedPhases(builder: ColumnsBuilder): RepeatIndex {
  const steps = RepeatIndex.fromColumnsInSteps(builder.columns(), {}, builder, Number.POSITIVE_INFINITY);
  const spent = new Map<string, number>();
  let t = performance.now();
  for (let step = steps.next(); ; step = steps.next()) {
    const now = performance.now();
    const phase = step.done ? "finish" : step.value;
    spent.set(phase, (spent.get(phase) ?? 0) + now - t);
    t = now;
    if (step.done) {
      console.log(`  phases: ${[...spent].map(([p, ms]) => `${p} ${(ms / 1000).toFixed(2)} s`).join(", ")}`);
      return step.value;
    }
  }
}

/** The builder of the largest index, for the rebuild measured after it. */
let rebuildFrom: ColumnsBuilder | undefined;
for (const n of sizes) {
  const g0 = performance.now();
  const { builder, live } = generate(n, 42);
  const genS = (performance.now() - g0) / 1000;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const r0 = process.resourceUsage();
  const index = args.includes("--phases")
    ? timedPhases(builder)
    : RepeatIndex.fromColumns(builder.columns(), {}, builder);
  const detectS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  // CPU time of this process too: on a shared machine, wall time includes waiting for a core.
  const detectCpuS = (cpu.user + cpu.system) / 1e6;
  const faults = process.resourceUsage().minorPageFault - r0.minorPageFault;
  const series = index.allSeries();
  const kinds = { place: 0, caller: 0, matter: 0 };
  for (const s of series) kinds[s.kind]++;
  console.log(
    `n=${n.toLocaleString("en")} generate ${genS.toFixed(2)} s | batch detection ${detectS.toFixed(2)} s wall, ${detectCpuS.toFixed(2)} s CPU (${(cpu.system / 1e6).toFixed(2)} s system, ${(faults / 1e6).toFixed(2)}M page faults) | load ${loadavg()[0]!.toFixed(1)} | events ${index.eventCount.toLocaleString("en")} duplicate groups ${index.duplicateGroups().length.toLocaleString("en")} | series place ${kinds.place} caller ${kinds.caller} matter ${kinds.matter} (digest ${digestOf(index)}) | peak RSS ${mb(process.resourceUsage().maxRSS * 1024)}`,
  );

  if (n <= sqlMax) {
    const rows = placeSeriesRows(index);
    const db = new Database(":memory:");
    db.exec(REPEAT_EVENTS_DDL);
    const insert = db.prepare("INSERT INTO repeat_events (id, grp, key, at) VALUES (?, ?, ?, ?)");
    db.transaction(() => {
      for (const r of rows) insert.run(r.id, r.grp, r.key, r.at);
    })();
    const s0 = performance.now();
    db.exec("CREATE INDEX repeat_events_grp ON repeat_events (grp, key, at, id)");
    const result = db.prepare(placeSeriesSql(placeSeriesRules(index))).all() as Parameters<
      typeof seriesFromSqlRows
    >[0];
    const sqlS = (performance.now() - s0) / 1000;
    const fromSql = seriesFromSqlRows(result);
    const fromEngine = enginePlaceSeries(index);
    const same = fromSql.length === fromEngine.length && fromSql.every((s, k) => s === fromEngine[k]);
    console.log(
      `  SQL formulation (SQLite, window functions) over ${rows.length.toLocaleString("en")} eligible events: ${sqlS.toFixed(2)} s (index + query) | place series ${fromSql.length} | identical to engine: ${same}`,
    );
    db.close();
  }

  if (n === largest) {
    const rng = seededRandom(7);
    const rooms = index.calls.dict.keys[3]!.values;
    const queries = Array.from({ length: 20_000 }, (_, k) => {
      const r = Math.floor(rooms.length * rng.next() ** 2);
      return {
        keys: { room: rooms[r]!, building: `B${Math.floor(r / 24)}` },
        lon: k % 2 === 0 ? 120.1 + (r % 1000) * 0.0005 : null,
        lat: k % 2 === 0 ? 30.2 + Math.floor(r / 1000) * 0.0005 : null,
        category: "public_order" as const,
        subtype: "noise",
        callerPseudonym: k % 3 === 0 ? `caller-${Math.floor(1000 * rng.next())}` : null,
      };
    });
    for (let k = 0; k < 2000; k++) checkAtDispatch(index, queries[k]!);
    const times: number[] = [];
    const cpuTimes: number[] = [];
    let related = 0;
    for (const q of queries) {
      const c0 = process.cpuUsage();
      const q0 = performance.now();
      const answer = checkAtDispatch(index, q);
      times.push(performance.now() - q0);
      const c = process.cpuUsage(c0);
      cpuTimes.push((c.user + c.system) / 1000);
      related += answer.series.length;
    }
    times.sort((a, b) => a - b);
    cpuTimes.sort((a, b) => a - b);
    console.log(
      `  dispatch check at n=${n.toLocaleString("en")}: p50 ${percentile(times, 50).toFixed(3)} ms p99 ${percentile(times, 99).toFixed(3)} ms max ${times.at(-1)!.toFixed(2)} ms wall; CPU p50 ${percentile(cpuTimes, 50).toFixed(3)} ms p99 ${percentile(cpuTimes, 99).toFixed(3)} ms | load ${loadavg()[0]!.toFixed(1)} (${queries.length} queries, ${(related / queries.length).toFixed(1)} series each)`,
    );
    // Live calls one by one after the batch, as POST /api/v1/incidents feeds them: every call
    // timed (the first used to grow every column), resident memory after them.
    const extra = Math.max(1, liveCount);
    const inputs = live(extra);
    const callMs: number[] = [];
    const callCpuMs: number[] = [];
    const l0 = performance.now();
    const lc0 = process.cpuUsage();
    for (const input of inputs) {
      const qc0 = process.cpuUsage();
      const q0 = performance.now();
      index.add([input]);
      callMs.push(performance.now() - q0);
      const qc = process.cpuUsage(qc0);
      callCpuMs.push((qc.user + qc.system) / 1000);
    }
    const lcpu = process.cpuUsage(lc0);
    const first = callMs[0]!;
    callMs.sort((a, b) => a - b);
    callCpuMs.sort((a, b) => a - b);
    console.log(
      `  incremental at n=${n.toLocaleString("en")}: ${extra.toLocaleString("en")} live calls one by one in ${(performance.now() - l0).toFixed(0)} ms wall, ${((lcpu.user + lcpu.system) / 1000).toFixed(0)} ms CPU | per call first ${first.toFixed(2)} ms p50 ${percentile(callMs, 50).toFixed(3)} ms p99 ${percentile(callMs, 99).toFixed(3)} ms max ${callMs.at(-1)!.toFixed(2)} ms wall, CPU p99 ${percentile(callCpuMs, 99).toFixed(3)} ms max ${callCpuMs.at(-1)!.toFixed(2)} ms | headroom ${(index.calls.capacity - index.calls.length).toLocaleString("en")} calls | RSS now ${mb(process.memoryUsage().rss)} peak ${mb(process.resourceUsage().maxRSS * 1024)} | load ${loadavg()[0]!.toFixed(1)}`,
    );
    rebuildFrom = builder;
  }
}

// A rebuild (rule settings changed) of the largest index with its live calls, in steps as the
// server runs it: the old index is dropped first, as the server drops it once the new one serves.
if (rebuildFrom && !args.includes("--no-rebuild")) {
  const builder = rebuildFrom;
  rebuildFrom = undefined;
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const r0 = performance.now();
  const rc0 = process.cpuUsage();
  const steps = RepeatIndex.fromColumnsInSteps(builder.columns(), {}, builder);
  let since = performance.now();
  let turns = 0;
  /** Longest single step of each phase (ms): what the 20 ms slices cannot split. */
  const longest = new Map<string, number>();
  let s0 = performance.now();
  let step = steps.next();
  for (; !step.done; step = steps.next()) {
    const now = performance.now();
    longest.set(step.value, Math.max(longest.get(step.value) ?? 0, now - s0));
    // As RepeatService.load (buildInSlices): after each arena buffer of a large build, wait for
    // V8's collection to end; otherwise back to the event loop whenever the build held it 20 ms.
    if (step.value === "arena" && builder.length >= 2_000_000) {
      await afterFullCollection();
      since = performance.now();
      turns++;
    } else if (now - since >= 20) {
      await nextTurn();
      since = performance.now();
      turns++;
    }
    s0 = performance.now();
  }
  delay.disable();
  const steps5 = [...longest]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([phase, t]) => `${phase} ${t.toFixed(0)}`)
    .join(", ");
  const rcpu = process.cpuUsage(rc0);
  const ms = (ns: number) => (ns / 1e6).toFixed(1);
  console.log(
    `  rebuild in steps at n=${builder.length.toLocaleString("en")}: ${((performance.now() - r0) / 1000).toFixed(2)} s wall, ${((rcpu.user + rcpu.system) / 1e6).toFixed(2)} s CPU, ${turns.toLocaleString("en")} turns of the event loop | event-loop delay p50 ${ms(delay.percentile(50))} ms p99 ${ms(delay.percentile(99))} ms max ${ms(delay.max)} ms (longest steps, ms wall: ${steps5}) | series ${step.value.allSeries().length.toLocaleString("en")} | peak RSS ${mb(process.resourceUsage().maxRSS * 1024)} | load ${loadavg()[0]!.toFixed(1)}`,
  );
}
