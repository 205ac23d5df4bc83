/**
 * Import benchmark (issue 2 item 10): 1,000,000 generated rows, UTF-8 and GBK, end to end into
 * SQLite through `recur import`, measured as a child process: rows/s from the import's own
 * summary and from the wall clock of the whole command, peak RSS from /usr/bin/time -v.
 *
 *   npm run bench:import                  # 1,000,000 rows, utf8 and gbk
 *   ROWS=200000 ENCODINGS=utf8 npm run bench:import
 *
 * Generated files are cached in $TMPDIR/recur-bench-import (delete it to regenerate).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..");
const RECUR = join(ROOT, "bin", "recur");
const ROWS = Number(process.env.ROWS ?? 1_000_000);
const ENCODINGS = (process.env.ENCODINGS ?? "utf8,gbk").split(",");
const WORK = join(tmpdir(), "recur-bench-import");
mkdirSync(WORK, { recursive: true });

function generated(encoding: string): string {
  const file = join(WORK, `synthetic-${ROWS}-${encoding}.csv`);
  if (!existsSync(file)) {
    console.log(`generating ${ROWS} rows (${encoding}) ...`);
    execFileSync(
      RECUR,
      [
        "generate",
        "--incidents",
        String(ROWS),
        "--seed",
        "1",
        "--out",
        file,
        "--encoding",
        encoding,
        "--lang",
        "en",
      ],
      { stdio: ["ignore", "inherit", "inherit"] },
    );
  }
  return file;
}

interface Run {
  readonly encoding: string;
  readonly rows: number;
  readonly imported: number;
  readonly rejected: number;
  readonly duplicates: number;
  readonly importSeconds: number;
  readonly wallSeconds: number;
  readonly peakRssMb: number;
}

function run(encoding: string): Run {
  const file = generated(encoding);
  const db = join(WORK, `bench-${encoding}.db`);
  for (const suffix of ["", "-wal", "-shm"]) rmSync(db + suffix, { force: true });
  const started = performance.now();
  const child = spawnSync(
    "/usr/bin/time",
    [
      "-v",
      RECUR,
      "import",
      file,
      "--profile",
      "synthetic",
      "--db",
      db,
      "--secret",
      join(WORK, "bench.secret"),
      "--json",
      "--lang",
      "en",
    ],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  const wallSeconds = (performance.now() - started) / 1000;
  if (child.status !== 0) throw new Error(`import failed (${child.status}):\n${child.stderr}`);
  const summary = JSON.parse(child.stdout.trim().split("\n").pop() ?? "{}");
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(child.stderr);
  return {
    encoding,
    rows: summary.rows,
    imported: summary.imported,
    rejected: summary.rejected,
    duplicates: summary.duplicates,
    importSeconds: summary.seconds,
    wallSeconds,
    peakRssMb: rss ? Number(rss[1]) / 1024 : Number.NaN,
  };
}

console.log(
  `recur import benchmark: ${ROWS.toLocaleString("en")} synthetic rows into SQLite, ${ENCODINGS.join(" and ")}`,
);
for (const encoding of ENCODINGS) {
  const r = run(encoding);
  console.log(
    [
      `${r.encoding.padEnd(5)}`,
      `rows ${r.rows}`,
      `imported ${r.imported}`,
      `rejected ${r.rejected}`,
      `duplicates ${r.duplicates}`,
      `import ${r.importSeconds.toFixed(1)} s = ${Math.round(r.rows / r.importSeconds).toLocaleString("en")} rows/s`,
      `command ${r.wallSeconds.toFixed(1)} s = ${Math.round(r.rows / r.wallSeconds).toLocaleString("en")} rows/s`,
      `peak RSS ${r.peakRssMb.toFixed(0)} MB`,
    ].join(" | "),
  );
}
