/**
 * Synthetic city generation speed: `recur generate` end to end (generation, CSV text, encoding,
 * writing the file and the truth file), UTF-8 and GBK.
 * Run: node --import tsx bench/generate.ts [incidents=1000000] [seed=1]
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { main } from "../src/cli/main.ts";

const incidents = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 1);
const dir = mkdtempSync(join(tmpdir(), "recur-bench-generate-"));
const sink = (): Writable & { text: string } => {
  const w = new Writable({
    write(chunk, _enc, done) {
      w.text += String(chunk);
      done();
    },
  }) as Writable & { text: string };
  w.text = "";
  return w;
};

console.log(
  `recur generate: ${incidents.toLocaleString("en")} incidents, seed ${seed}, load average ${loadavg()[0]!.toFixed(1)}`,
);
try {
  for (const encoding of ["utf8", "gbk"] as const) {
    const out = join(dir, `city-${encoding}.csv`);
    const stdout = sink();
    const cpu = process.cpuUsage();
    const started = performance.now();
    const code = await main(
      [
        "generate",
        "--incidents",
        String(incidents),
        "--seed",
        String(seed),
        "--out",
        out,
        "--encoding",
        encoding,
        "--json",
      ],
      { stdout, stderr: sink() },
    );
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    if (code !== 0) throw new Error(`generate failed: ${stdout.text}`);
    const summary = JSON.parse(stdout.text) as {
      rows: number;
      series: Record<string, number>;
      duplicates: number;
    };
    console.log(
      `${encoding.padEnd(4)}  ${seconds.toFixed(1)} s wall, ${((used.user + used.system) / 1e6).toFixed(1)} s CPU, ` +
        `${Math.round(summary.rows / seconds).toLocaleString("en")} rows/s, ${(statSync(out).size / 1e6).toFixed(0)} MB, ` +
        `series ${JSON.stringify(summary.series)}, ${summary.duplicates} duplicate groups, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
