/**
 * Imports each real export of ../shared/data with its bundled profile through `recur import`
 * into a fresh SQLite store and prints the summary, issue counts and a sample of rejected rows
 * and warnings (for the issue notes). Skips with a message when ../shared/data is absent.
 *
 *   node --import tsx bench/real-imports.ts
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..");
const DATA = join(ROOT, "..", "shared", "data");
const EXPORTS: [string, string][] = [
  ["milwaukee", "cfs/milwaukee-2018-05.csv"],
  ["san-luis-obispo", "cfs/san-luis-obispo-2021-22.csv"],
  ["houston", "crime/houston-2010.csv"],
  ["vancouver", "crime/vancouver-2020.csv"],
  ["chicago-assaults", "crime/chicago-aggravated-assaults-2010-19.csv"],
];

if (!existsSync(DATA)) {
  console.log("../shared/data is absent: nothing to import");
  process.exit(0);
}
const work = mkdtempSync(join(tmpdir(), "recur-real-"));
for (const [profile, file] of EXPORTS) {
  const args = [
    "import",
    join(DATA, file),
    "--profile",
    profile,
    "--db",
    join(work, "real.db"),
    "--json",
    "--lang",
    "en",
  ];
  const child = spawnSync(join(ROOT, "bin", "recur"), args, { encoding: "utf8", maxBuffer: 64 << 20 });
  if (child.status !== 0) {
    console.log(`${profile}: exit ${child.status}\n${child.stderr}${child.stdout}`);
    continue;
  }
  const s = JSON.parse(child.stdout);
  console.log(
    `${profile} (${file}): rows ${s.rows}, imported ${s.imported}, rejected ${s.rejected}, duplicates ${s.duplicates}, with warnings ${s.warned}, ${s.seconds.toFixed(1)} s`,
  );
  const counts = Object.entries(s.issueCounts as Record<string, { errors: number; warnings: number }>)
    .map(([code, c]) => `${code} ${c.errors}E/${c.warnings}W`)
    .join(", ");
  if (counts) console.log(`  issues: ${counts}`);
  for (const r of (s.sampleRejections as { message: string }[]).slice(0, 5))
    console.log(`  rejected: ${r.message}`);
  for (const w of (s.sampleWarnings as { message: string }[]).slice(0, 3))
    console.log(`  warning: ${w.message}`);
}
