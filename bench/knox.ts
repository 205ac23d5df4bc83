/**
 * Knox test benchmark (issue 7). Prints, for each goal, the measured figure:
 *  1. 11,701 events x 999 simulations end to end from the CLI (wall time, peak RSS) on
 *     ../shared/data/nearrepeat/chicago_be.csv, and the same run of the plain vectorised numpy
 *     reference (bench/knox_numpy.py) side by side; goal <= 1.5 s, <= 1 GB, >= 2x faster.
 *  2. 100,000 events x 999 simulations from the CLI; goal < 60 s.
 *  3. 1,000,000 events: observed counts and exact permutation expectation (--sims 0 --exact); goal < 60 s.
 * Larger inputs tile the Chicago burglaries side by side (same density per km2, so candidate
 * pairs grow linearly); without ../shared/data a seeded synthetic city is used instead.
 * Temporary CSV files go to the OS temp folder and are deleted; nothing derived is kept.
 *
 * usage: node --import tsx bench/knox.ts [--quick]   (--quick: 99 simulations, skips 1M)
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seededRandom } from "../src/domain/index.ts";

const ROOT = join(import.meta.dirname, "..");
const DATA = join(ROOT, "..", "shared", "data", "nearrepeat", "chicago_be.csv");
const quick = process.argv.includes("--quick");
const SIMS = quick ? 99 : 999;
const BANDS = ["--sbands", "0,0.1,200,400,600", "--tbands", "0,7,14,21"];
const tmp = mkdtempSync(join(tmpdir(), "recur-bench-knox-"));
const hasTime = existsSync("/usr/bin/time");

interface Run {
  readonly seconds: number;
  readonly maxRssMb: number | null;
  /** User + system CPU seconds of the process (all threads), when /usr/bin/time is present. */
  readonly cpuSeconds: number | null;
  readonly stdout: string;
}

/** Runs a command, returning wall time and peak RSS (via /usr/bin/time when present). */
function timed(cmd: string, args: readonly string[]): Run {
  const started = performance.now();
  const result = hasTime
    ? spawnSync("/usr/bin/time", ["-f", "RSSKB=%M CPU=%U+%S", cmd, ...args], {
        cwd: ROOT,
        encoding: "utf8",
        maxBuffer: 1 << 28,
      })
    : spawnSync(cmd, [...args], { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 28 });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${result.stderr}`);
  const rss = /RSSKB=(\d+) CPU=([\d.]+)\+([\d.]+)/.exec(result.stderr ?? "");
  return {
    seconds,
    maxRssMb: rss ? Number(rss[1]) / 1024 : null,
    cpuSeconds: rss ? Number(rss[2]) + Number(rss[3]) : null,
    stdout: result.stdout,
  };
}

interface Event {
  x: number;
  y: number;
  date: string;
}

function readChicago(): Event[] | null {
  if (!existsSync(DATA)) return null;
  return readFileSync(DATA, "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => line.split(","))
    .filter((cells) => cells[2] !== "NA")
    .map((cells) => ({ x: Number(cells[0]), y: Number(cells[1]), date: cells[2]!.replaceAll('"', "") }));
}

const dayString = (day: number) =>
  new Date(Date.UTC(2016, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);

/** A seeded synthetic city tile: 11,700 events over 30 km x 30 km and a year, a tenth of them near repeats. */
function syntheticTile(seed: number): Event[] {
  const rng = seededRandom(seed);
  const out: { x: number; y: number; day: number }[] = [];
  for (let k = 0; k < 11_700; k++) {
    const prev = out.length > 0 && rng.next() < 0.1 ? out[rng.int(out.length)]! : null;
    out.push(
      prev
        ? {
            x: prev.x + rng.int(301) - 150,
            y: prev.y + rng.int(301) - 150,
            day: Math.min(365, prev.day + rng.int(15)),
          }
        : { x: rng.int(30_000), y: rng.int(30_000), day: rng.int(366) },
    );
  }
  return out.map((e) => ({ x: e.x, y: e.y, date: dayString(e.day) }));
}

/** n events: tiles of the base data placed side by side, 40 km apart. */
function tiled(base: readonly Event[] | null, n: number): Event[] {
  const out: Event[] = [];
  for (let tile = 0; out.length < n; tile++) {
    const source = base ?? syntheticTile(tile + 1);
    const dx = (tile % 32) * 40_000;
    const dy = Math.floor(tile / 32) * 40_000;
    for (const e of source) {
      if (out.length >= n) break;
      out.push({ x: e.x + dx, y: e.y + dy, date: e.date });
    }
  }
  return out;
}

function writeCsv(name: string, events: readonly Event[]): string {
  const path = join(tmp, name);
  writeFileSync(path, `X,Y,date\n${events.map((e) => `${e.x},${e.y},${e.date}`).join("\n")}\n`);
  return path;
}

const recur = (file: string, extra: readonly string[]) =>
  timed("node", [
    "bin/recur",
    "knox",
    "--input",
    file,
    "--x-col",
    "1",
    "--y-col",
    "2",
    "--time-col",
    "3",
    ...BANDS,
    "--seed",
    "9489",
    "--json",
    ...extra,
  ]);

const fmt = (run: Run) =>
  `${run.seconds.toFixed(2)} s wall${run.cpuSeconds !== null ? `, ${run.cpuSeconds.toFixed(2)} s CPU` : ""}${run.maxRssMb !== null ? `, peak RSS ${run.maxRssMb.toFixed(0)} MB` : ""}`;

try {
  const chicago = readChicago();
  console.log(`cores: ${execFileSync("nproc", { encoding: "utf8" }).trim()}, simulations: ${SIMS}`);
  console.log(
    chicago
      ? "data: ../shared/data/nearrepeat/chicago_be.csv"
      : "data: absent, using a seeded synthetic city",
  );

  // 0. What any recur command costs before it does anything (loading the CLI and its modules).
  const startup = timed("node", ["bin/recur", "knox", "--help"]);
  console.log(`\n[0] CLI start-up alone (recur knox --help): ${fmt(startup)}`);

  // 1. 11,701 events (11,700 with a date) from the CLI, and numpy side by side.
  const file11k = chicago ? DATA : writeCsv("synthetic-11k.csv", syntheticTile(1));
  const ours = recur(file11k, ["--sims", String(SIMS)]);
  const oursOut = JSON.parse(ours.stdout);
  console.log(
    `\n[1] ${oursOut.events} events x ${SIMS} simulations, recur knox (CLI, end to end): ${fmt(ours)}`,
  );
  console.log(`    candidate pairs: ${oursOut.candidatePairs}; observed ${JSON.stringify(oursOut.observed)}`);
  const hasNumpy = spawnSync("python3", ["-c", "import numpy"]).status === 0;
  if (hasNumpy) {
    const numpy = timed("python3", ["bench/knox_numpy.py", file11k, "--header", String(SIMS), "9489"]);
    const numpyOut = JSON.parse(numpy.stdout);
    console.log(
      `    numpy reference (process end to end): ${fmt(numpy)}; inside: pairs ${numpyOut.seconds.pairs.toFixed(2)} s, simulations ${numpyOut.seconds.simulations.toFixed(2)} s`,
    );
    console.log(
      `    same observed table: ${JSON.stringify(numpyOut.observed) === JSON.stringify(oursOut.observed)}`,
    );
    console.log(
      `    speed-up vs numpy: ${(numpy.seconds / ours.seconds).toFixed(2)}x wall (goal >= 2x); goal <= 1.5 s: ${ours.seconds <= 1.5 ? "met" : "NOT met"}`,
    );
    if (ours.cpuSeconds !== null && numpy.cpuSeconds !== null && startup.cpuSeconds !== null)
      console.log(
        `    CPU: recur ${ours.cpuSeconds.toFixed(2)} s (of which CLI start-up ~${startup.cpuSeconds.toFixed(2)} s), numpy ${numpy.cpuSeconds.toFixed(2)} s; Knox work alone ${(ours.cpuSeconds - startup.cpuSeconds).toFixed(2)} s CPU`,
      );
  } else console.log("    numpy not installed (apt install python3-numpy): no side-by-side figure");

  // 2. 100,000 events x SIMS.
  const file100k = writeCsv("tiled-100k.csv", tiled(chicago, 100_000));
  const big = recur(file100k, ["--sims", String(SIMS)]);
  const bigOut = JSON.parse(big.stdout);
  console.log(
    `\n[2] ${bigOut.events} events x ${SIMS} simulations (CLI): ${fmt(big)}; candidate pairs ${bigOut.candidatePairs}; goal < 60 s: ${big.seconds < 60 ? "met" : "NOT met"}`,
  );

  // 3. 1,000,000 events, exact expectation.
  if (!quick) {
    const file1m = writeCsv("tiled-1m.csv", tiled(chicago, 1_000_000));
    const huge = recur(file1m, ["--sims", "0", "--exact"]);
    const hugeOut = JSON.parse(huge.stdout);
    console.log(
      `\n[3] ${hugeOut.events} events, observed + exact expectation (CLI): ${fmt(huge)}; candidate pairs ${hugeOut.candidatePairs}; goal < 60 s: ${huge.seconds < 60 ? "met" : "NOT met"}`,
    );
    console.log(`    observed ${JSON.stringify(hugeOut.observed)}`);
  }
  console.log(
    `\nload average at the end: ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")} (other work on the machine slows every figure)`,
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
