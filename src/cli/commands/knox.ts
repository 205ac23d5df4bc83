import { readFile, stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { isAbsolute, resolve } from "node:path";
import { Worker } from "node:worker_threads";
import Papa from "papaparse";
import {
  type CandidatePairs,
  candidatePairs,
  checkBands,
  exactExpectation,
  gridTimes,
  integerKernelInput,
  KNOX_DISTANCES,
  KNOX_INPUT_MESSAGES,
  type KnoxBands,
  KnoxBandsError,
  type KnoxDistance,
  type KnoxRead,
  type KnoxSummary,
  knoxEventsFromIncidents,
  knoxEventsFromRows,
  knoxSimulator,
  knoxSummary,
  observedCounts,
} from "../../analysis/knox/index.ts";
import { CATEGORIES, renderIssue } from "../../domain/index.ts";
import { type Command, type CommandContext, type ParsedArgs, println, t } from "../command.ts";
import { workOn } from "./knox-worker.mjs";

/** Simulations a thread claims at a time from the shared counter. */
const CHUNK = 16;
/** How long the main thread waits for a silent worker before redoing its chunks. */
const STALL_MS = 30_000;

/**
 * Worker threads for the simulations, started before the input is read so that their start-up
 * overlaps with reading and pair finding. They run knox-worker.mjs, plain JavaScript, because a
 * worker does not inherit the tsx loader. Threads claim chunks of simulations from a shared
 * counter, so a late worker simply takes fewer; each simulation has its own seed, so the result
 * never depends on who ran it. Non-integer times run on this thread only.
 */
export class SimulationPool {
  private readonly workers: Worker[] = [];

  constructor(extraThreads: number) {
    for (let k = 0; k < extraThreads; k++) {
      const worker = new Worker(new URL("./knox-worker.mjs", import.meta.url), {
        workerData: { recurKnoxWorker: true },
      });
      worker.on("error", () => {
        // A worker that fails leaves its unclaimed simulations to the others (see run).
      });
      this.workers.push(worker);
    }
  }

  /** Runs simulations [0, sims) on this thread and the workers; returns sims x cells tables. */
  run(
    pairs: CandidatePairs,
    times: Float64Array,
    tbands: readonly number[],
    seed: number,
    sims: number,
  ): Int32Array {
    const sim = knoxSimulator(pairs, times, tbands, seed);
    const kernel = integerKernelInput(pairs, times, tbands);
    const job = {
      ...kernel,
      seed,
      sims,
      chunk: CHUNK,
      progress: new SharedArrayBuffer(8),
      finished: new SharedArrayBuffer(Math.max(1, Math.ceil(sims / CHUNK)) * 4),
      tables: new SharedArrayBuffer(Math.max(1, sims * sim.cells) * 4),
    };
    if (kernel) for (const worker of this.workers) worker.postMessage(job);
    workOn(job, CHUNK, (from, to, out) => sim.run(from, to, out, 0));
    // Wait for chunks other threads claimed but have not finished; if a worker stalls for
    // STALL_MS (it died), redo its chunks here: same seeds, same tables.
    const progress = new Int32Array(job.progress);
    const finished = new Int32Array(job.finished);
    let last = Atomics.load(progress, 1);
    let since = performance.now();
    while (last < sims) {
      Atomics.wait(progress, 1, last, 50);
      const now = Atomics.load(progress, 1);
      if (now !== last) {
        last = now;
        since = performance.now();
      } else if (performance.now() - since > STALL_MS) {
        const out = new Int32Array(job.tables);
        for (let c = 0; c < finished.length; c++)
          if (Atomics.load(finished, c) === 0) sim.run(c * CHUNK, Math.min(sims, (c + 1) * CHUNK), out, 0);
        break;
      }
    }
    return new Int32Array(job.tables).slice(0, sims * sim.cells);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function parseBreaks(text: string): number[] | null {
  const parts = text.split(",").map((s) => s.trim());
  const values = parts.map((s) => (/^(inf|infinity)$/i.test(s) ? Number.POSITIVE_INFINITY : Number(s)));
  return parts.some((s) => s === "") || values.some((v) => Number.isNaN(v)) ? null : values;
}

function columnIndex(text: unknown): number | null {
  if (typeof text !== "string" || !/^\d+$/.test(text)) return null;
  const n = Number(text);
  return n >= 1 ? n - 1 : null;
}

/** JSON cannot hold Infinity: an open last band is written as the string "Inf". */
const jsonBreaks = (list: readonly number[]): (number | string)[] =>
  list.map((v) => (Number.isFinite(v) ? v : "Inf"));

function formatTable(
  label: string,
  summary: KnoxSummary,
  rows: readonly (readonly (number | null)[])[],
  digits: number,
): string {
  const band = (list: readonly number[], k: number) =>
    `[${list[k]},${Number.isFinite(list[k + 1]!) ? list[k + 1] : "Inf"})`;
  const head = summary.tbands.slice(0, -1).map((_, k) => band(summary.tbands, k).padStart(12));
  const lines = [`${label}`, `${"".padEnd(14)}${head.join("")}`];
  rows.forEach((row, s) => {
    lines.push(
      `${band(summary.sbands, s).padEnd(14)}${row.map((v) => (v === null ? "NA" : v.toFixed(digits)).padStart(12)).join("")}`,
    );
  });
  return lines.join("\n");
}

async function readCsv(
  path: string,
  input: string,
  cols: { x: number; y: number; t: number },
  header: boolean,
  ctx: CommandContext,
): Promise<KnoxRead | number> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    println(
      ctx.stderr,
      t(ctx, `无法读取文件 ${input}: `, `cannot read ${input}: `) + (error as NodeJS.ErrnoException).code,
    );
    return 1;
  }
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ""), { skipEmptyLines: true });
  return knoxEventsFromRows(parsed.data, { ...cols, header, file: input });
}

const DAY = 86_400_000;

/** Incidents from the store (optionally a date range and a category) with coordinates in metres. */
async function readStore(v: ParsedArgs["values"], ctx: CommandContext): Promise<KnoxRead | number> {
  const day = (text: unknown): number | null | undefined => {
    if (typeof text !== "string") return undefined;
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
  };
  const from = day(v.from);
  const to = day(v.to);
  if (from === null || to === null) {
    println(ctx.stderr, t(ctx, "--from/--to 格式应为 YYYY-MM-DD", "--from/--to must be YYYY-MM-DD"));
    return 2;
  }
  const category = typeof v.category === "string" ? v.category : undefined;
  if (category !== undefined && !(CATEGORIES as readonly string[]).includes(category)) {
    println(
      ctx.stderr,
      t(
        ctx,
        `未知类别 ${category}，可选: ${CATEGORIES.join(", ")}`,
        `unknown category ${category}; one of: ${CATEGORIES.join(", ")}`,
      ),
    );
    return 2;
  }
  const { openStoreFor } = await import("./report.ts");
  const { loadIncidentColumns } = await import("../../store/incident-columns.ts");
  const store = await openStoreFor(v.db, ctx);
  try {
    // A day of margin on both sides for local offsets; the exact local range is applied below.
    const cols = await loadIncidentColumns(store, {
      ranges: [{ from: (from ?? -8.64e15 + DAY) - DAY, to: (to ?? 8.64e15 - 2 * DAY) + 2 * DAY }],
    });
    const wanted = category === undefined ? -1 : CATEGORIES.indexOf(category as (typeof CATEGORIES)[number]);
    const index: number[] = [];
    for (let i = 0; i < cols.n; i++) {
      const local = cols.receivedAt[i]! + cols.utcOffsetMin[i]! * 60_000;
      if (from !== undefined && local < from) continue;
      if (to !== undefined && local >= to + DAY) continue;
      if (wanted >= 0 && cols.category[i] !== wanted) continue;
      index.push(i);
    }
    const read = knoxEventsFromIncidents(cols, index);
    if (read.skipped > 0)
      println(
        ctx.stderr,
        t(
          ctx,
          `${read.skipped} 起警情没有坐标，未参与计算`,
          `${read.skipped} incidents without coordinates are left out`,
        ),
      );
    return { ...read, issues: [] };
  } finally {
    await store.close();
  }
}

export const knoxCommand: Command = {
  name: "knox",
  summary: {
    zh: "近重复（Knox）检验：按空间与时间距离分段统计事件对，置换检验给出 Knox 比与 p 值",
    en: "Near-repeat Knox test: event pairs by space and time bands, Knox ratios and permutation p-values",
  },
  usage:
    "--input FILE [--no-header] --x-col I --y-col J --time-col K | --from-store [--db PATH] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--category C]; " +
    "[--distance manhattan|euclidean] " +
    "--sbands 0,0.1,200,400,600 --tbands 0,7,14,21 [--sims 999] [--seed S] [--exact] [--threads N] [--json]",
  options: {
    input: { type: "string" },
    "no-header": { type: "boolean", default: false },
    "x-col": { type: "string" },
    "y-col": { type: "string" },
    "time-col": { type: "string" },
    distance: { type: "string", default: "manhattan" },
    sbands: { type: "string" },
    tbands: { type: "string" },
    sims: { type: "string", default: "999" },
    seed: { type: "string", default: "1" },
    exact: { type: "boolean", default: false },
    threads: { type: "string" },
    "from-store": { type: "boolean", default: false },
    db: { type: "string" },
    from: { type: "string" },
    to: { type: "string" },
    category: { type: "string" },
  },
  async run(args, ctx) {
    const v = args.values;
    const usageError = (zh: string, en: string): number => {
      println(ctx.stderr, t(ctx, zh, en));
      return 2;
    };
    const fromStore = v["from-store"] === true;
    if (!fromStore && typeof v.input !== "string")
      return usageError(
        "缺少 --input 文件（或用 --from-store 读数据库）",
        "--input FILE is required (or --from-store)",
      );
    const xCol = fromStore ? 0 : columnIndex(v["x-col"]);
    const yCol = fromStore ? 1 : columnIndex(v["y-col"]);
    const tCol = fromStore ? 2 : columnIndex(v["time-col"]);
    if (xCol === null || yCol === null || tCol === null)
      return usageError(
        "--x-col、--y-col、--time-col 须为从 1 开始的列号",
        "--x-col, --y-col and --time-col must be column numbers starting at 1",
      );
    const distance = String(v.distance) as KnoxDistance;
    if (!KNOX_DISTANCES.includes(distance))
      return usageError(
        "--distance 只能是 manhattan 或 euclidean",
        "--distance must be manhattan or euclidean",
      );
    const sbands = typeof v.sbands === "string" ? parseBreaks(v.sbands) : null;
    const tbands = typeof v.tbands === "string" ? parseBreaks(v.tbands) : null;
    if (!sbands || !tbands)
      return usageError(
        "--sbands 和 --tbands 须为逗号分隔的数字，如 0,0.1,200,400,600",
        "--sbands and --tbands must be comma-separated numbers, e.g. 0,0.1,200,400,600",
      );
    const sims = Number(v.sims);
    const seed = Number(v.seed);
    if (!Number.isInteger(sims) || sims < 0 || sims > 1_000_000)
      return usageError("--sims 须为 0 到 1000000 的整数", "--sims must be an integer from 0 to 1000000");
    if (!Number.isInteger(seed)) return usageError("--seed 须为整数", "--seed must be an integer");
    const threads =
      typeof v.threads === "string" ? Number(v.threads) : Math.min(2, Math.max(1, availableParallelism()));
    if (!Number.isInteger(threads) || threads < 1)
      return usageError("--threads 须为正整数", "--threads must be a positive integer");
    const bands: KnoxBands = { sbands, tbands, distance };
    try {
      checkBands(bands);
    } catch (error) {
      if (error instanceof KnoxBandsError)
        return usageError(`分段无效: ${error.message}`, `invalid bands: ${error.message}`);
      throw error;
    }
    if (sims === 0 && !v.exact)
      return usageError("--sims 0 时请加 --exact", "with --sims 0 pass --exact for the exact expectation");

    const input = typeof v.input === "string" ? v.input : "";
    const path = isAbsolute(input) ? input : resolve(ctx.cwd, input);
    // Workers start now so that their start-up overlaps with reading the file; small files
    // (under 256 KB) are simulated on this thread unless --threads asks otherwise.
    const size = await (fromStore ? Promise.reject() : stat(path)).then(
      (s) => s.size,
      () => 0,
    );
    const extra =
      sims > 0 && threads > 1 && (typeof v.threads === "string" || size >= 256 * 1024) ? threads - 1 : 0;
    const pool = new SimulationPool(extra);
    try {
      const read = fromStore
        ? await readStore(v, ctx)
        : await readCsv(path, input, { x: xCol, y: yCol, t: tCol }, v["no-header"] !== true, ctx);
      if (typeof read === "number") return read;
      const n = read.events.x.length;
      if (read.skipped > 0)
        println(
          ctx.stderr,
          t(
            ctx,
            `${read.skipped} 个事件因缺少或无法识别 x、y 或时间而未参与计算`,
            `${read.skipped} events are removed due to missing or unreadable x or y or time`,
          ),
        );
      for (const issue of read.issues.slice(0, 20))
        println(ctx.stderr, renderIssue(issue, KNOX_INPUT_MESSAGES, ctx.lang));
      if (read.issues.length > 20)
        println(
          ctx.stderr,
          t(ctx, `……另有 ${read.issues.length - 20} 条`, `... and ${read.issues.length - 20} more`),
        );
      if (n < 2) {
        println(
          ctx.stderr,
          t(ctx, "有效事件少于 2 个，无法检验", "fewer than 2 usable events: nothing to test"),
        );
        return 1;
      }

      const pairs = candidatePairs(read.events.x, read.events.y, bands);
      const times = gridTimes(pairs, read.events.t);
      const observed = observedCounts(pairs, times, tbands);
      const tables = sims > 0 ? pool.run(pairs, times, tbands, seed, sims) : new Int32Array(0);
      const summary = knoxSummary(bands, observed, tables, sims);
      const T = tbands.length - 1;
      const exact = v.exact ? exactExpectation(pairs, read.events.t, tbands) : null;
      const exactRows = exact ? summary.observed.map((row, s) => row.map((_, b) => exact[s * T + b]!)) : null;

      if (ctx.json) {
        const out: Record<string, unknown> = {
          sbands: jsonBreaks(sbands),
          tbands: jsonBreaks(tbands),
          observed: summary.observed,
          expectedMean: sims > 0 ? summary.expectedMean : null,
          knoxRatio: sims > 0 ? summary.knoxRatio : null,
          pValue: sims > 0 ? summary.pValue : null,
          knoxRatioMedian: sims > 0 ? summary.knoxRatioMedian : null,
          expectedExact: exactRows,
          knoxRatioExact: exactRows
            ? summary.observed.map((row, s) =>
                row.map((o, b) => (exactRows[s]![b]! > 0 ? o / exactRows[s]![b]! : null)),
              )
            : null,
          events: n,
          skipped: read.issues.filter((i) => i.code !== "header_looks_like_data"),
          candidatePairs: pairs.a.length,
          distance,
          sims,
          seed,
        };
        println(ctx.stdout, JSON.stringify(out));
        return 0;
      }
      printSummary(ctx, summary, exactRows, n, pairs.a.length, seed);
      return 0;
    } finally {
      await pool.close();
    }
  },
};

function printSummary(
  ctx: CommandContext,
  summary: KnoxSummary,
  exactRows: number[][] | null,
  n: number,
  pairCount: number,
  seed: number,
): void {
  println(
    ctx.stdout,
    t(
      ctx,
      `事件 ${n} 个，最大空间段内的事件对 ${pairCount} 个，模拟 ${summary.sims} 次（种子 ${seed}）`,
      `${n} events, ${pairCount} pairs within the largest space band, ${summary.sims} simulations (seed ${seed})`,
    ),
  );
  println(ctx.stdout, formatTable(t(ctx, "观测事件对数", "Observed pairs"), summary, summary.observed, 0));
  if (summary.sims > 0) {
    println(
      ctx.stdout,
      formatTable(t(ctx, "Knox 比（均值）", "Knox ratio (mean)"), summary, summary.knoxRatio, 3),
    );
    println(ctx.stdout, formatTable(t(ctx, "p 值", "p-values"), summary, summary.pValue, 3));
  }
  if (exactRows)
    println(
      ctx.stdout,
      formatTable(t(ctx, "精确期望（置换）", "Exact expectation (permutation)"), summary, exactRows, 2),
    );
}
