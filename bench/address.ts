/**
 * Address benchmark: gazetteer start-up time and memory, and throughput of the locator
 * (parse + gazetteer completion + keys) on one core.
 * Run: npm run bench:address   (uses ../shared/data/address dev sets and cfs exports when present,
 * generated addresses otherwise)
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Gazetteer start-up, each in a fresh process as a command makes it (bench/gazetteer-start.ts):
// built from the data package (no snapshot kept), the first run with a cache folder (built and its
// snapshot written), and a later run (read from the snapshot).
interface Start {
  divisions: number;
  ms: number;
  moduleMs: number;
  cpuMs: number;
  heapMB: number;
  rssMB: number;
  exactHeap: boolean;
}
const startOnce = (folder?: string): Start =>
  JSON.parse(
    execFileSync(
      process.execPath,
      [
        "--expose-gc",
        "--import",
        "tsx",
        join(import.meta.dirname, "gazetteer-start.ts"),
        ...(folder ? [folder] : []),
      ],
      { encoding: "utf8" },
    ),
  ) as Start;
const cacheFolder = mkdtempSync(join(tmpdir(), "recur-bench-gazetteer-"));
const starts: [string, Start][] = [
  ["built from the data package", startOnce()],
  ["first run (built, snapshot written)", startOnce(cacheFolder)],
  ["from the snapshot", startOnce(cacheFolder)],
  ["from the snapshot", startOnce(cacheFolder)],
];
rmSync(cacheFolder, { recursive: true, force: true });
for (const [what, s] of starts) {
  console.log(
    `gazetteer start-up, ${what}: ${s.divisions} divisions, ${s.ms.toFixed(0)} ms (module ${s.moduleMs.toFixed(0)} ms; ` +
      `${s.cpuMs.toFixed(0)} ms CPU), retained heap +${s.heapMB.toFixed(1)} MB, rss +${s.rssMB.toFixed(1)} MB` +
      `${s.exactHeap ? "" : " (run with --expose-gc for exact heap)"}`,
  );
}
let t = performance.now();
const address = await import("../src/address/index.ts");
console.log(
  `machine load average: ${(await import("node:os")).loadavg()[0]?.toFixed(1)} on ${(await import("node:os")).availableParallelism()} cores`,
);

const data = join(import.meta.dirname, "..", "..", "shared", "data");
const texts: string[] = [];
for (const corpus of ["leodotnet", "swei412"]) {
  const f = join(data, "address", corpus, "dev.jsonl");
  if (existsSync(f))
    for (const l of readFileSync(f, "utf8").split("\n"))
      if (l) texts.push((JSON.parse(l) as { text: string }).text);
}
const slo = join(data, "cfs", "milwaukee-2018-05.csv");
if (existsSync(slo)) {
  for (const line of readFileSync(slo, "utf8").split("\n").slice(1, 5001)) {
    const m = /"([^"]+)"/.exec(line);
    if (m?.[1]) texts.push(m[1]);
  }
}
if (texts.length === 0) {
  for (let i = 0; i < 20000; i++)
    texts.push(`包头市昆区阳光小区${(i % 30) + 1}栋${(i % 6) + 1}单元${100 + (i % 1200)}`);
}
console.log(
  `addresses: ${texts.length} (${existsSync(data) ? "real: dev sets + Milwaukee exports" : "generated"})`,
);

const chinese = texts.filter((x) => !address.isLatinAddress(x));
const locator = address.createAddressLocator({ region: "浙江省" });
const os = await import("node:os");
const fmt = (v: number) => Math.round(v).toLocaleString("en");
// Warm-up: two passes over every address, so that the rounds below measure the steady state of a
// long import (compiled code, the gazetteer's township indexes built per county on first use);
// the first pass, from cold, is printed too. Until 2026-11-25 the warm-up was 2,000 addresses, and
// the Chinese rounds still ran partly cold (on one machine: 37,000-64,000 per CPU-second across
// runs, against about 69,000 once warm).
{
  const cpu = process.cpuUsage();
  for (const x of texts) locator.locate(x);
  const used = process.cpuUsage(cpu);
  console.log(
    `first pass from cold (${texts.length}), locate: ${fmt(texts.length / ((used.user + used.system) / 1e6))} per CPU-second`,
  );
  for (const x of texts) locator.locate(x);
}
for (const [set, input] of [
  [`Chinese only (${chinese.length})`, chinese],
  [`mixed (${texts.length})`, texts],
] as const) {
  for (const [name, fn] of [
    ["locate (parse + keys)", (x: string) => locator.locate(x)],
    ["parse only", (x: string) => locator.entities(x)],
  ] as const) {
    let best = 0;
    let bestCpu = 0;
    for (let round = 0; round < 3; round++) {
      const cpu = process.cpuUsage();
      t = performance.now();
      for (const x of input) fn(x);
      best = Math.max(best, input.length / ((performance.now() - t) / 1000));
      const used = process.cpuUsage(cpu);
      bestCpu = Math.max(bestCpu, input.length / ((used.user + used.system) / 1e6));
    }
    console.log(
      `${set}, ${name}: ${fmt(best)} addresses/s wall clock, ${fmt(bestCpu)} per CPU-second (user+sys; one thread, best of 3; load ${os.loadavg()[0]?.toFixed(1)})`,
    );
  }
}
