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
/** Addresses of the labelled corpora's `split` and Milwaukee's export lines `from` to `to`. */
function realAddresses(split: string, from: number, to: number): string[] {
  const out: string[] = [];
  for (const corpus of ["leodotnet", "swei412"]) {
    const f = join(data, "address", corpus, `${split}.jsonl`);
    if (existsSync(f))
      for (const l of readFileSync(f, "utf8").split("\n"))
        if (l) out.push((JSON.parse(l) as { text: string }).text);
  }
  const mke = join(data, "cfs", "milwaukee-2018-05.csv");
  if (existsSync(mke)) {
    for (const line of readFileSync(mke, "utf8").split("\n").slice(from, to)) {
      const m = /"([^"]+)"/.exec(line);
      if (m?.[1]) out.push(m[1]);
    }
  }
  return out;
}
/** Invented addresses when the data is absent; `seed` makes another set. */
const generated = (seed: number) =>
  Array.from(
    { length: 20000 },
    (_, i) =>
      `包头市昆区阳光${seed === 0 ? "" : "花园"}小区${(i % 30) + 1}栋${(i % 6) + 1}单元${100 + ((i + seed) % 1200)}`,
  );
// The measured addresses (dev sets + 5,000 Milwaukee calls), and others of the same kind for the
// warm-up (train sets + the next 10,000 calls), so that "first sight" measures addresses the
// process has never read, as an import reads most of its addresses.
let texts = realAddresses("dev", 1, 5001);
let warm = realAddresses("train", 5001, 15001);
if (texts.length === 0) {
  texts = generated(0);
  warm = generated(1);
}
console.log(
  `addresses: ${texts.length} measured, ${warm.length} for the warm-up (${existsSync(data) ? "real: dev sets + Milwaukee exports; train sets + other Milwaukee calls" : "generated"})`,
);

const chinese = texts.filter((x) => !address.isLatinAddress(x));
const latin = texts.filter((x) => address.isLatinAddress(x));
const locator = address.createAddressLocator({ region: "浙江省" });
const os = await import("node:os");
const fmt = (v: number) => Math.round(v).toLocaleString("en");
const cpuSeconds = (from: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1e6;
};
// From cold: the warm-up addresses' first pass (compiled code and the gazetteer's township
// indexes are made as they are needed). Then a second pass over them.
{
  const cpu = process.cpuUsage();
  for (const x of warm) locator.locate(x);
  console.log(
    `first pass from cold (${warm.length}), locate: ${fmt(warm.length / cpuSeconds(cpu))} per CPU-second`,
  );
  for (const x of warm) locator.locate(x);
}
// First sight: each measured address once, never read before by this process. V8 optimises for
// the code paths it has seen; a new address takes some it has not, and the functions it
// deoptimises run slower until they are optimised again, so this is below the steady state.
{
  let cpu = process.cpuUsage();
  for (const x of chinese) locator.locate(x);
  const zh = cpuSeconds(cpu);
  cpu = process.cpuUsage();
  for (const x of latin) locator.locate(x);
  const us = cpuSeconds(cpu);
  console.log(
    `first sight after the warm-up, locate: Chinese (${chinese.length}) ${fmt(chinese.length / zh)} per CPU-second, ` +
      `mixed (${texts.length}) ${fmt(texts.length / (zh + us))} (load ${os.loadavg()[0]?.toFixed(1)})`,
  );
}
// Steady state: two more passes over the measured addresses, then the best of three rounds of
// each (the figures of earlier sessions: the same addresses read again).
for (let pass = 0; pass < 2; pass++) for (const x of texts) locator.locate(x);
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
      `steady state, ${set}, ${name}: ${fmt(best)} addresses/s wall clock, ${fmt(bestCpu)} per CPU-second (user+sys; one thread, best of 3; load ${os.loadavg()[0]?.toFixed(1)})`,
    );
  }
}
