/**
 * What reading an XLSX workbook costs, in-process, without the import: the zip-bomb guard, the
 * shared strings, the sheet's rows (the reader's own phases), then the whole reader (readXlsx) as
 * the import uses it. Microseconds a row of wall and CPU time, and the rows' digest, so that two
 * versions of the reader can be compared on the same file.
 *
 *   npm run bench:xlsx-read -- /tmp/recur-bench-import/synthetic-300000.xlsx
 *   REPEAT=3 npm run bench:xlsx-read -- file.xlsx       # best of three runs of each phase
 *
 * `npm run bench:import` with ENCODINGS=xlsx writes such a workbook (exceljs, shared strings).
 */
import { createHash } from "node:crypto";
import { loadavg } from "node:os";
import { DEFAULT_LIMITS } from "../src/ingest/limits.ts";
import { checkXlsxArchive, readXlsx } from "../src/ingest/readers/xlsx.ts";
import {
  openXlsxZip,
  readDateStyles,
  readSharedStrings,
  readWorkbookInfo,
  sheetRows,
} from "../src/ingest/readers/xlsx-parts.ts";

const file = process.argv[2];
if (!file) {
  console.error("usage: npm run bench:xlsx-read -- <file.xlsx>");
  process.exit(2);
}
const REPEAT = Number(process.env.REPEAT ?? 1);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface Timing {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** The best (least wall time) of REPEAT runs of `work`. */
async function best<T>(work: () => Promise<T>): Promise<{ value: T } & Timing> {
  let out: ({ value: T } & Timing) | undefined;
  for (let i = 0; i < REPEAT; i++) {
    const wall = performance.now();
    const cpu = cpuMs();
    const value = await work();
    const t = { value, wallMs: performance.now() - wall, cpuMs: cpuMs() - cpu };
    if (!out || t.wallMs < out.wallMs) out = t;
  }
  return out as { value: T } & Timing;
}

const show = (phase: string, t: Timing, rows?: number) =>
  console.log(
    `  ${phase.padEnd(26)} ${(t.wallMs / 1000).toFixed(2).padStart(6)} s wall ${(t.cpuMs / 1000).toFixed(2).padStart(6)} s CPU${
      rows
        ? ` = ${((t.wallMs * 1000) / rows).toFixed(2)} µs/row wall, ${((t.cpuMs * 1000) / rows).toFixed(2)} µs/row CPU, ${Math.round((rows * 1000) / t.wallMs).toLocaleString("en")} rows/s`
        : ""
    }`,
  );

console.log(`xlsx read benchmark: ${file}, best of ${REPEAT}, load ${load()}`);

const guard = await best(() => checkXlsxArchive(file, DEFAULT_LIMITS));
show("zip-bomb guard", guard);

const parts = await openXlsxZip(file);
try {
  const info = await readWorkbookInfo(parts);
  const strings = await best(() => readSharedStrings(parts, info.sharedStrings, DEFAULT_LIMITS.maxCellChars));
  show(`shared strings (${strings.value.size.toLocaleString("en")})`, strings);
  const dates = await readDateStyles(parts, info.styles);
  const part = info.sheets[0]?.part;
  if (!part) throw new Error("no first sheet");
  const rows = await best(async () => {
    const hash = createHash("sha256");
    let n = 0;
    for await (const chunk of sheetRows(
      parts,
      part,
      strings.value,
      dates,
      info.date1904,
      undefined,
      DEFAULT_LIMITS.maxCellChars,
    ))
      for (const row of chunk) {
        hash.update(`${row.number}\t${row.cells.join("\t")}\n`);
        n++;
      }
    return { n, digest: hash.digest("hex").slice(0, 16) };
  });
  show(`sheet rows (${rows.value.n.toLocaleString("en")})`, rows, rows.value.n);
  console.log(`  rows digest ${rows.value.digest}`);
} finally {
  parts.zip.close();
}

const whole = await best(async () => {
  const source = await readXlsx(file, { limits: DEFAULT_LIMITS });
  let n = 0;
  for await (const batch of source.batches) n += batch.length;
  return n;
});
show("readXlsx (all of it)", whole, whole.value);
console.log(`load ${load()}`);
