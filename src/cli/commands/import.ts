import { randomUUID } from "node:crypto";
import { stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import type { PlaceDictionary } from "../../address/dictionary.ts";
import { createAddressLocator } from "../../address/locator.ts";
import {
  asBatchId,
  asEpochMs,
  type Clock,
  InputError,
  isRecurError,
  type Lang,
  RecurError,
  renderIssue,
} from "../../domain/index.ts";
import {
  type EncodingName,
  type ImportProgress,
  type ImportSummary,
  INGEST_MESSAGES,
  importFile,
  loadProfile,
  parseEncodingName,
} from "../../ingest/index.ts";
import { DEFAULT_SECRET_FILE, loadOrCreateSecret } from "../../ingest/privacy/index.ts";
import { DEFAULT_DB_PATH, openStore } from "../../store/index.ts";
import { type Command, type CommandContext, println, t } from "../command.ts";
import { progressBar } from "../progress.ts";
import { locatorOptionsFrom } from "./address.ts";

const wallClock: Clock = { now: () => asEpochMs(Date.now()) };

/** What the import thread needs; plain data, so it crosses to the worker. */
interface ImportJob {
  readonly recurImportJob: true;
  readonly path: string;
  readonly profileRef: string;
  readonly cwd: string;
  readonly dbPath: string;
  readonly secretPath: string;
  readonly databaseUrl?: string;
  readonly encoding?: EncodingName;
  readonly chunkRows?: number;
  readonly maxRows?: number;
  /** The deployment's place dictionary (--dict), already read and repaired. */
  readonly dictionary?: PlaceDictionary;
}

type WorkerMessage =
  | { readonly kind: "progress"; readonly progress: ImportProgress }
  | { readonly kind: "done"; readonly summary: ImportSummary }
  | { readonly kind: "recur-error"; readonly code: string; readonly messages: Record<Lang, string> }
  | { readonly kind: "crash"; readonly message: string; readonly stack?: string };

/** Opens the store and the secret, and imports: runs in the import thread. */
async function runJob(job: ImportJob, onProgress: (p: ImportProgress) => void): Promise<ImportSummary> {
  const profile = await loadProfile(job.profileRef, job.cwd);
  const keys = await loadOrCreateSecret(job.secretPath);
  const store = await openStore({
    path: job.dbPath,
    ...(job.databaseUrl ? { databaseUrl: job.databaseUrl } : {}),
  });
  try {
    return await importFile({
      path: job.path,
      profile,
      profileRef: job.profileRef,
      store,
      batchId: asBatchId(randomUUID()),
      keys,
      clock: wallClock,
      locator: createAddressLocator({
        region: profile.region ?? null,
        datum: "wgs84",
        ...(job.dictionary ? { dictionary: job.dictionary } : {}),
      }),
      ...(job.encoding ? { encoding: job.encoding } : {}),
      ...(job.chunkRows ? { chunkRows: job.chunkRows } : {}),
      ...(job.maxRows !== undefined ? { maxRows: job.maxRows } : {}),
      onProgress,
    });
  } finally {
    await store.close();
  }
}

// Import thread: this same file runs in a worker started by runInWorker.
if (!isMainThread && parentPort && (workerData as ImportJob | null)?.recurImportJob === true) {
  const port = parentPort;
  const post = (message: WorkerMessage) => port.postMessage(message);
  runJob(workerData as ImportJob, (progress) => post({ kind: "progress", progress })).then(
    (summary) => post({ kind: "done", summary }),
    (error: unknown) =>
      post(
        isRecurError(error)
          ? { kind: "recur-error", code: error.code, messages: { ...error.messages } }
          : {
              kind: "crash",
              message: String((error as Error)?.message ?? error),
              stack: (error as Error)?.stack ?? "",
            },
      ),
  );
}

/**
 * Heap limits of the import thread. Most objects of an import die young; a bounded old
 * generation makes V8 collect the promoted garbage early instead of growing the process past
 * 1 GB on a million rows (measured: 741 MB -> 563 MB peak RSS at 150,000 rows with a cap). A young
 * generation of 192 MB saved ~5% CPU in-process but raised the CLI's peak past 900 MB: kept at 96.
 */
const IMPORT_HEAP = { maxOldGenerationSizeMb: 384, maxYoungGenerationSizeMb: 96 };

/**
 * Runs the import in a worker thread: it gets its own heap limits, and this thread stays free
 * to draw the progress bar. tsx hooks are not inherited by workers, so it registers them first.
 */
function runInWorker(job: ImportJob, onProgress: (p: ImportProgress) => void): Promise<ImportSummary> {
  const api = createRequire(import.meta.url)
    .resolve("tsx/esm/api")
    .replace(/\.cjs$/, ".mjs");
  const code = `import { register } from ${JSON.stringify(pathToFileURL(api).href)}; register(); await import(${JSON.stringify(import.meta.url)});`;
  return new Promise((done, fail) => {
    const worker = new Worker(code, { eval: true, workerData: job, resourceLimits: IMPORT_HEAP });
    let settled = false;
    worker.on("message", (message: WorkerMessage) => {
      if (message.kind === "progress") onProgress(message.progress);
      else {
        settled = true;
        if (message.kind === "done") done(message.summary);
        else if (message.kind === "recur-error") fail(new RecurError(message.code, message.messages));
        else fail(Object.assign(new Error(message.message), { stack: message.stack }));
        void worker.terminate();
      }
    });
    worker.on("error", (error) => {
      if (!settled) fail(error);
    });
    worker.on("exit", (code) => {
      if (!settled) fail(new Error(`import thread exited with code ${code}`));
    });
  });
}

/** How many rejected rows the human summary lists. */
const SHOWN_REJECTIONS = 10;

function humanSummary(summary: ImportSummary, ctx: CommandContext): string {
  const lines = [
    t(
      ctx,
      `已导入 ${summary.file}（配置 ${summary.profile}，编码 ${summary.encoding}，批次 ${summary.batchId}）`,
      `Imported ${summary.file} (profile ${summary.profile}, encoding ${summary.encoding}, batch ${summary.batchId})`,
    ),
    t(
      ctx,
      `  行数 ${summary.rows}，新增 ${summary.imported}，隔离 ${summary.rejected}，重复 ${summary.duplicates}，有警告 ${summary.warned}，用时 ${summary.seconds.toFixed(1)} 秒`,
      `  rows ${summary.rows}, imported ${summary.imported}, rejected ${summary.rejected}, duplicates ${summary.duplicates}, with warnings ${summary.warned}, ${summary.seconds.toFixed(1)} s`,
    ),
  ];
  const counts = Object.entries(summary.issueCounts)
    .map(
      ([code, c]) =>
        `${code}: ${c.errors > 0 ? `${c.errors} ${t(ctx, "错误", "errors")}` : ""}${c.errors > 0 && c.warnings > 0 ? ", " : ""}${c.warnings > 0 ? `${c.warnings} ${t(ctx, "警告", "warnings")}` : ""}`,
    )
    .join("; ");
  if (counts) lines.push(`  ${t(ctx, "问题", "issues")}: ${counts}`);
  if (summary.sampleRejections.length > 0) {
    lines.push(t(ctx, "  被隔离的行（前几条）:", "  Rejected rows (first ones):"));
    for (const issue of summary.sampleRejections.slice(0, SHOWN_REJECTIONS))
      lines.push(`    ${renderIssue(issue, INGEST_MESSAGES, ctx.lang)}`);
    if (summary.rejected > 0)
      lines.push(
        t(
          ctx,
          `  全部 ${summary.rejected} 行已加密保存在隔离表中，原因一并保存。`,
          `  All ${summary.rejected} rejected rows are kept, encrypted, in the quarantine table with their reasons.`,
        ),
      );
  }
  return lines.join("\n");
}

export const importCommand: Command = {
  name: "import",
  summary: {
    zh: "按映射配置导入 110 接处警导出文件（CSV/XLSX/JSONL，UTF-8 或 GBK）",
    en: "Import a dispatch export (CSV/XLSX/JSONL, UTF-8 or GBK) with a mapping profile",
  },
  usage:
    "FILE --profile NAME|PATH [--db PATH] [--encoding auto|utf8|gbk] [--dict PATH] [--secret PATH] [--json] [--lang zh|en]",
  options: {
    profile: { type: "string", short: "p" },
    db: { type: "string" },
    encoding: { type: "string" },
    secret: { type: "string" },
    dict: { type: "string" },
    "chunk-rows": { type: "string" },
    limit: { type: "string" },
  },
  async run(args, ctx) {
    const file = args.positionals[0];
    const profileRef = args.values.profile;
    if (!file || typeof profileRef !== "string" || args.positionals.length > 1) {
      println(
        ctx.stderr,
        t(
          ctx,
          "用法: recur import 文件 --profile 名称|路径 [--db 路径] [--encoding auto|utf8|gbk] [--dict 地名词典] [--json]",
          "Usage: recur import FILE --profile NAME|PATH [--db PATH] [--encoding auto|utf8|gbk] [--dict PATH] [--json]",
        ),
      );
      return 2;
    }
    const encodingFlag = args.values.encoding;
    const encoding = typeof encodingFlag === "string" ? parseEncodingName(encodingFlag) : undefined;
    if (typeof encodingFlag === "string" && !encoding) {
      println(
        ctx.stderr,
        t(
          ctx,
          `未知编码: ${encodingFlag}（可用 auto、utf8、gbk）`,
          `Unknown encoding: ${encodingFlag} (use auto, utf8, gbk)`,
        ),
      );
      return 2;
    }
    const path = resolve(ctx.cwd, file);
    try {
      await stat(path);
    } catch {
      throw new InputError("file_not_found", { zh: `找不到文件 ${file}`, en: `file ${file} not found` });
    }
    // Checked here too, so a bad profile is reported before any thread starts.
    await loadProfile(profileRef, ctx.cwd);
    // The place dictionary (aliases, local places: src/address/dictionary.ts) is read here, so an
    // unreadable file stops the import before it starts and repaired entries are reported once.
    let dictionary: PlaceDictionary | undefined;
    if (typeof args.values.dict === "string") {
      const located = await locatorOptionsFrom({ dict: args.values.dict }, ctx);
      if (!located?.dictionary) return 1;
      dictionary = located.dictionary;
    }

    const databaseUrl = ctx.env.DATABASE_URL || undefined;
    const dbPath = resolve(ctx.cwd, typeof args.values.db === "string" ? args.values.db : DEFAULT_DB_PATH);
    // The deployment secret sits next to the database unless RECUR_SECRET or --secret says otherwise.
    const secretPath =
      typeof args.values.secret === "string"
        ? resolve(ctx.cwd, args.values.secret)
        : ctx.env.RECUR_SECRET
          ? resolve(ctx.cwd, ctx.env.RECUR_SECRET)
          : databaseUrl
            ? resolve(ctx.cwd, DEFAULT_SECRET_FILE)
            : join(dirname(dbPath), DEFAULT_SECRET_FILE);
    const limit = typeof args.values.limit === "string" ? Number(args.values.limit) : undefined;
    const chunkRows =
      typeof args.values["chunk-rows"] === "string" ? Number(args.values["chunk-rows"]) : undefined;
    const job: ImportJob = {
      recurImportJob: true,
      path,
      profileRef,
      cwd: ctx.cwd,
      dbPath,
      secretPath,
      ...(databaseUrl ? { databaseUrl } : {}),
      ...(encoding ? { encoding } : {}),
      ...(chunkRows && chunkRows > 0 ? { chunkRows } : {}),
      ...(limit !== undefined && limit >= 0 ? { maxRows: limit } : {}),
      ...(dictionary ? { dictionary } : {}),
    };

    const stderr = ctx.stderr as NodeJS.WritableStream & { isTTY?: boolean };
    const size = (await stat(path)).size;
    // Progress in bytes for text files; the XLSX reader cannot tell its position, so rows there.
    const byBytes = !/\.xlsx?$/i.test(path);
    const bar = progressBar(stderr, t(ctx, "导入", "Importing"), byBytes ? size : undefined, !ctx.json);
    try {
      const summary = await runInWorker(job, (p) => bar.update(byBytes ? p.bytesRead : p.rows));
      bar.done();
      if (ctx.json) {
        println(
          ctx.stdout,
          JSON.stringify({
            rows: summary.rows,
            imported: summary.imported,
            rejected: summary.rejected,
            duplicates: summary.duplicates,
            seconds: summary.seconds,
            warned: summary.warned,
            batchId: summary.batchId,
            file: summary.file,
            profile: summary.profile,
            sourceSystem: summary.sourceSystem,
            encoding: summary.encoding,
            issueCounts: summary.issueCounts,
            sampleRejections: summary.sampleRejections.map((issue) => ({
              ...issue,
              message: renderIssue(issue, INGEST_MESSAGES, ctx.lang),
            })),
            sampleWarnings: summary.sampleWarnings.slice(0, 5).map((issue) => ({
              ...issue,
              message: renderIssue(issue, INGEST_MESSAGES, ctx.lang),
            })),
          }),
        );
      } else println(ctx.stdout, humanSummary(summary, ctx));
      return 0;
    } finally {
      bar.done();
    }
  },
};
