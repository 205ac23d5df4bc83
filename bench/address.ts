/**
 * Address benchmark: gazetteer start-up time and memory, and throughput of the locator
 * (parse + gazetteer completion + keys) on one core.
 * Run: npm run bench:address   (uses ../shared/data/address dev sets and cfs exports when present,
 * generated addresses otherwise)
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const rssBefore = process.memoryUsage().rss;
const cpuStart = process.cpuUsage();
let t = performance.now();
const gazetteerModule = await import("../src/address/gazetteer.ts");
const loaded = performance.now() - t;
t = performance.now();
const gazetteer = gazetteerModule.nationalGazetteer();
const built = performance.now() - t;
const cpuMs = (process.cpuUsage(cpuStart).user / 1000).toFixed(0);
gc?.();
const heap = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
const rss = (process.memoryUsage().rss - rssBefore) / 1e6;
console.log(
  `gazetteer: ${gazetteer.size} divisions, start-up ${(loaded + built).toFixed(0)} ms ` +
    `(module + JSON load ${loaded.toFixed(0)} ms, index build ${built.toFixed(0)} ms; ${cpuMs} ms CPU), ` +
    `retained heap +${heap.toFixed(1)} MB, rss +${rss.toFixed(1)} MB${gc ? "" : " (run with --expose-gc for exact heap)"}`,
);
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
