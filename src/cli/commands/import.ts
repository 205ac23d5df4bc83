import { open, readdir, realpath, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";
import type { PlaceDictionary } from "../../address/dictionary.ts";
import type { TaggerModel } from "../../address/tagger.ts";
import { InputError, RecurError, renderIssue } from "../../domain/index.ts";
import { archiveKind, byName, IMPORTABLE, type Unpacked, unpackArchive } from "../../ingest/archives.ts";
import { INGEST_MESSAGES } from "../../ingest/issues.ts";
import type { ImportProgress, ImportSummary } from "../../ingest/pipeline.ts";
import { loadProfile } from "../../ingest/profile/load.ts";
import { parseEncodingName } from "../../ingest/readers/encoding.ts";
import { type Command, type CommandContext, println, t } from "../command.ts";
import { progressBar } from "../progress.ts";
import type { ImportJob, JobMessage, WorkerMessage } from "./import-worker.ts";

/**
 * Heap limits of the import thread. Most objects of an import die young; a bounded old
 * generation makes V8 collect the promoted garbage early instead of growing the process past
 * 1 GB on a million rows (measured: 741 MB -> 563 MB peak RSS at 150,000 rows with a cap). The
 * young generation is 192 MB (semi-spaces of 64 MB): fewer scavenges, and fewer short-lived
 * rows promoted. It once raised the peak past 900 MB, while the address memo kept 100,000
 * entries; with the memo of 2 × 5,000 (pipeline.ts) the 1,000,000-row import, three alternating
 * pairs at load 2.7–3.4, took 40.1, 40.2, 41.3 s CPU against 43.8, 44.6, 43.3 s with 96 MB, peak
 * RSS 759–806 MB against 695–769 MB (in-process, 500,000 rows: 15.5–16.2 µs a row against
 * 17.8–18.6; semi-spaces of 96 MB gave no more and 110 MB more memory).
 */
const IMPORT_HEAP = { maxOldGenerationSizeMb: 384, maxYoungGenerationSizeMb: 192 };

/**
 * How far V8 lets an old generation grow past its live size before the next full collection:
 * 2× here instead of V8's own factor, which near this thread's cap is small. The import thread
 * kept ~130 MB alive (the address memo, a caller memo since dropped, the gazetteer) and promoted ~75 MB of
 * garbage between full collections, so V8 marked those 130 MB some 110 times per 1,000,000 rows
 * (22 full collections per 200,000 rows; 10 with this flag). Measured on the 1,000,000-row file
 * of `npm run bench:import`, alternating at load 2–2.7: 84.8 and 93.4 s CPU, 57.0 and 61.4 s wall
 * without; 72.9 and 81.8 s CPU, 49.6 and 54.5 s wall with it; peak RSS 806–843 MB either way.
 * (A young generation of 160 MB or an old one of 512 MB on top of it gained nothing measurable.)
 * V8 flags belong to the process, so this is set only here, in the one command that imports.
 */
const IMPORT_GC_FLAGS = "--heap-growing-percent=100";

/**
 * The import thread (import-worker.ts), started before the command has checked its arguments:
 * loading its modules through tsx takes a second or more, which then overlaps the checks. It
 * gets its own heap limits, and this thread stays free to draw the progress bar. tsx hooks are
 * not inherited by workers, so it registers them first. Send it the job, or cancel it.
 */
class ImportThread {
  readonly #worker: Worker;
  #closed = false;

  constructor() {
    const api = createRequire(import.meta.url)
      .resolve("tsx/esm/api")
      .replace(/\.cjs$/, ".mjs");
    const entry = new URL("./import-worker.ts", import.meta.url).href;
    const code = `import { register } from ${JSON.stringify(pathToFileURL(api).href)}; register(); await import(${JSON.stringify(entry)});`;
    setFlagsFromString(IMPORT_GC_FLAGS);
    this.#worker = new Worker(code, { eval: true, resourceLimits: IMPORT_HEAP });
    // Until the job is sent, an early failure (it cannot start) surfaces when run() listens.
    this.#worker.on("error", () => {});
  }

  /** Ends the thread: before a job (its checks failed) or after the last one. */
  cancel(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#worker.postMessage({ kind: "cancel" } satisfies JobMessage);
    void this.#worker.terminate();
  }

  /** Imports one file; the thread stays for the next until `cancel`. */
  run(
    job: ImportJob,
    onProgress: (p: ImportProgress) => void,
  ): Promise<ImportSummary & { readonly addressKeysStale: boolean; readonly dictionaryReplaced?: boolean }> {
    const worker = this.#worker;
    return new Promise((done, fail) => {
      const settle = (): void => {
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
      };
      const onMessage = (message: WorkerMessage): void => {
        if (message.kind === "progress") {
          onProgress(message.progress);
          return;
        }
        settle();
        if (message.kind === "done") done(message.summary);
        else if (message.kind === "recur-error") fail(new RecurError(message.code, message.messages));
        else
          fail(
            Object.assign(
              new Error(message.message, message.cause !== undefined ? { cause: message.cause } : undefined),
              { stack: message.stack, ...(message.code !== undefined ? { code: message.code } : {}) },
            ),
          );
      };
      const onError = (error: unknown): void => {
        settle();
        this.#closed = true;
        fail(importThreadFailure(error));
      };
      const onExit = (code: number): void => {
        settle();
        this.#closed = true;
        fail(new Error(`import thread exited with code ${code}`));
      };
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
      worker.postMessage({ kind: "job", job } satisfies JobMessage);
    });
  }
}

/**
 * What the user is told when the import thread dies: running out of its heap (a file with huge
 * cells, or more distinct values than the memos were sized for) is a clear error, not a stack
 * trace. Nothing of the batch is stored then: its transaction never committed.
 */
export function importThreadFailure(error: unknown): Error {
  if ((error as { code?: string } | null)?.code === "ERR_WORKER_OUT_OF_MEMORY")
    return new RecurError("import_out_of_memory", {
      zh: `导入线程内存不足（堆上限 ${IMPORT_HEAP.maxOldGenerationSizeMb} MB），本批次未写入任何数据。请把文件拆分后分别导入（重复导入不会产生重复警情），或检查文件中是否有异常巨大的单元格。`,
      en: `The import ran out of memory (its heap is capped at ${IMPORT_HEAP.maxOldGenerationSizeMb} MB); nothing of this batch was stored. Split the file and import the parts (importing again adds no duplicate incidents), or look for abnormally large cells in it.`,
    });
  return error instanceof Error ? error : new Error(String(error));
}

/** How many rejected rows the human summary lists. */
const SHOWN_REJECTIONS = 10;
/** How many warnings the summaries list (the counts per code cover them all). */
const SHOWN_WARNINGS = 5;

/**
 * Exit code of an import that read rows and stored none: every row was rejected, so a script
 * notices that nothing was imported (partial success is 0; 1 is a failure, 2 a usage error).
 */
export const EXIT_ALL_REJECTED = 3;

/** Every row the file had went to the quarantine. */
function allRejected(summary: ImportSummary): boolean {
  return summary.rows > 0 && summary.rejected === summary.rows;
}

function humanSummary(summary: ImportSummary, ctx: CommandContext): string {
  const lines = [
    t(
      ctx,
      `已导入 ${summary.file}（配置 ${summary.profile}，编码 ${summary.encoding}，批次 ${summary.batchId}）`,
      `Imported ${summary.file} (profile ${summary.profile}, encoding ${summary.encoding}, batch ${summary.batchId})`,
    ),
    t(
      ctx,
      `  行数 ${summary.rows}，新增 ${summary.imported}，隔离 ${summary.rejected}，重复 ${summary.duplicates}，更新 ${summary.updated}，有警告 ${summary.warned}，用时 ${summary.seconds.toFixed(1)} 秒`,
      `  rows ${summary.rows}, imported ${summary.imported}, rejected ${summary.rejected}, duplicates ${summary.duplicates}, updated ${summary.updated}, with warnings ${summary.warned}, ${summary.seconds.toFixed(1)} s`,
    ),
  ];
  if (summary.stale > 0)
    lines.push(
      t(
        ctx,
        `  ${summary.stale} 行比已存警情（或文件中同一警情的前一行）更早：时间、处警结果、反馈填得更少，未应用`,
        `  ${summary.stale} row(s) were older than the stored call (or an earlier row of the same call in the file): fewer of its times, disposition, feedback filled in; not applied`,
      ),
    );
  if (summary.areasFromBoundaries !== undefined)
    lines.push(
      t(
        ctx,
        `  ${summary.areasFromBoundaries} 条警情的警务区按坐标落入的辖区边界补全（导出中未填）`,
        `  ${summary.areasFromBoundaries} incident(s) got their area from the boundaries their coordinates fall in (the export named none)`,
      ),
    );
  if (summary.titleRows)
    lines.push(
      t(
        ctx,
        `  表头之上的 ${summary.titleRows} 行（标题、查询条件等，空行不计）未作为数据读取，数据行号从表头算起`,
        `  the ${summary.titleRows} row(s) above the header (a title, the export's query …; blank rows not counted) were not read as data; data rows count from the header`,
      ),
    );
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
  if (summary.sampleWarnings.length > 0) {
    lines.push(t(ctx, "  有警告的行（前几条）:", "  Rows with warnings (first ones):"));
    for (const issue of summary.sampleWarnings.slice(0, SHOWN_WARNINGS))
      lines.push(`    ${renderIssue(issue, INGEST_MESSAGES, ctx.lang)}`);
  }
  const maps = [
    ["category", "类别", summary.unmappedValues.category],
    ["department", "部门", summary.unmappedValues.department],
  ] as const;
  for (const [en, zh, values] of maps) {
    if (values.length === 0) continue;
    lines.push(
      t(
        ctx,
        `  不在${zh}代码映射中的值（${values.length} 种，按次数从多到少）:`,
        `  Values not in the ${en} code map (${values.length}, most frequent first):`,
      ),
    );
    const width = String(values[0]?.count ?? 0).length;
    for (const { value, count } of values) lines.push(`    ${String(count).padStart(width)}  ${value}`);
  }
  return lines.join("\n");
}

export const importCommand: Command = {
  name: "import",
  summary: {
    zh: "按映射配置导入 110 接处警导出文件（CSV/XLSX/JSONL，UTF-8 或 GBK；可多个文件或目录，逐个成批）",
    en: "Import dispatch exports (CSV/XLSX/JSONL, UTF-8 or GBK; several files or a directory, one batch each) with a mapping profile",
  },
  usage:
    "FILE|DIR... --profile NAME|PATH [--db PATH] [--encoding auto|utf8|gbk|gb18030|utf16le|utf16be|big5] [--dict PATH] [--model PATH] [--areas FILE.geojson [--area-id PROP]] [--secret PATH] [--json] [--lang zh|en]",
  options: {
    profile: { type: "string", short: "p" },
    db: { type: "string" },
    encoding: { type: "string" },
    secret: { type: "string" },
    dict: { type: "string" },
    model: { type: "string" },
    "chunk-rows": { type: "string" },
    limit: { type: "string" },
    areas: { type: "string" },
    "area-id": { type: "string" },
  },
  async run(args, ctx) {
    const files = args.positionals;
    const profileRef = args.values.profile;
    if (files.length === 0 || typeof profileRef !== "string") {
      println(
        ctx.stderr,
        t(
          ctx,
          "用法: recur import 文件|目录... --profile 名称|路径 [--db 路径] [--encoding auto|utf8|gbk|gb18030|utf16le|utf16be|big5] [--dict 地名词典] [--model 地址模型] [--json]",
          "Usage: recur import FILE|DIR... --profile NAME|PATH [--db PATH] [--encoding auto|utf8|gbk|gb18030|utf16le|utf16be|big5] [--dict PATH] [--model PATH] [--json]",
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
          `未知编码: ${encodingFlag}（可用 auto、utf8、gbk、gb18030、utf16le、utf16be、big5）`,
          `Unknown encoding: ${encodingFlag} (use auto, utf8, gbk, gb18030, utf16le, utf16be, big5)`,
        ),
      );
      return 2;
    }
    // A --limit that is not a number must not import the whole file into the store.
    const limit = wholeNumber(args.values.limit, 0);
    const chunkRows = wholeNumber(args.values["chunk-rows"], 1);
    if (limit === null || chunkRows === null) {
      const [flag, min] = limit === null ? (["limit", 0] as const) : (["chunk-rows", 1] as const);
      const given = String(args.values[flag]);
      println(
        ctx.stderr,
        t(
          ctx,
          `--${flag} 须为不小于 ${min} 的整数（给出的是 ${given}）`,
          `--${flag} takes a whole number of ${min} or more (given: ${given})`,
        ),
      );
      return 2;
    }
    const thread = new ImportThread();
    let cleanup = async (): Promise<void> => {};
    try {
      // Every file is checked before the first is imported: a typo in the twelfth name should not
      // leave eleven batches stored and the command failed.
      const { targets, remove } = await importTargets(files, ctx.cwd);
      cleanup = remove;
      // Checked here too, so a bad profile is reported before the import starts.
      await loadProfile(profileRef, ctx.cwd);
      // The place dictionary (aliases, local places: src/address/dictionary.ts) and the address
      // tagger (`recur address train`) are read here, so an unreadable file stops the import
      // before it starts and repaired dictionary entries are reported once.
      let dictionary: PlaceDictionary | undefined;
      let model: TaggerModel | undefined;
      const { dict, model: modelPath } = args.values;
      if (typeof dict === "string" || typeof modelPath === "string") {
        const { locatorOptionsFrom } = await import("./address.ts");
        const located = await locatorOptionsFrom(
          {
            ...(typeof dict === "string" ? { dict } : {}),
            ...(typeof modelPath === "string" ? { model: modelPath } : {}),
          },
          ctx,
        );
        if (!located) {
          thread.cancel();
          return 1;
        }
        if (typeof dict === "string" && located.dictionary) dictionary = located.dictionary;
        if (located.model) model = located.model;
      }

      // Community police area boundaries for this import (--areas; without it the store's, `recur
      // areas set`): read and checked here as `recur areas set` checks them, so a bad file stops
      // the import before it starts (docs/address.md, "Coordinates").
      let areas: ImportJob["areas"];
      if (typeof args.values.areas === "string") {
        const { readImportAreas } = await import("./areas.ts");
        areas = await readImportAreas(args.values.areas, String(args.values["area-id"] ?? "id"), ctx);
        if (!areas) {
          thread.cancel();
          return 1;
        }
      }

      const databaseUrl = ctx.env.DATABASE_URL || undefined;
      const job: Omit<ImportJob, "path"> = {
        profileRef,
        cwd: ctx.cwd,
        ...(typeof args.values.db === "string" ? { db: args.values.db } : {}),
        ...(typeof args.values.secret === "string" ? { secret: args.values.secret } : {}),
        ...(ctx.env.RECUR_SECRET ? { envSecret: ctx.env.RECUR_SECRET } : {}),
        ...(databaseUrl ? { databaseUrl } : {}),
        ...(encoding ? { encoding } : {}),
        ...(chunkRows !== undefined ? { chunkRows } : {}),
        ...(limit !== undefined ? { maxRows: limit } : {}),
        ...(model ? { model } : {}),
        ...(areas ? { areas } : {}),
      };
      const [first] = targets;
      if (targets.length === 1 && first !== undefined)
        return await reportOne(
          thread,
          { ...job, path: first.path, ...(dictionary ? { dictionary } : {}) },
          ctx,
        );
      return await reportMany(thread, targets, job, dictionary, ctx);
    } finally {
      thread.cancel();
      await cleanup();
    }
  },
};

/** One file to import, and how the user knows it (its path, or `2024.zip:2024-05.csv`). */
export interface ImportTarget {
  readonly path: string;
  readonly name: string;
}

/**
 * The files to import, in order: each FILE as given, each DIR's importable files (not its
 * subdirectories, not hidden files) in name order, so that monthly exports named by date go in
 * month by month, and the exports in each .zip or .gz (unpacked into a temporary folder,
 * src/ingest/archives.ts; `remove` deletes it). Throws before anything is imported when one is
 * missing, not a file, or an archive that cannot be unpacked.
 */
export async function importTargets(
  files: readonly string[],
  cwd: string,
): Promise<{ readonly targets: ImportTarget[]; remove(): Promise<void> }> {
  const targets: ImportTarget[] = [];
  const unpacked: Unpacked[] = [];
  const remove = async () => {
    await Promise.all(unpacked.map((u) => u.remove()));
  };
  // The same file named twice, by a name and its directory, or through a link, is imported once.
  const seen = new Set<string>();
  const add = async (path: string) => {
    const real = await realpath(path);
    if (seen.has(real)) return;
    seen.add(real);
    await readable(path, relative(cwd, path).startsWith("..") ? path : relative(cwd, path) || path);
    if (archiveKind(path) === null) {
      targets.push({ path, name: relative(cwd, path) || path });
      return;
    }
    const archive = await unpackArchive(path);
    unpacked.push(archive);
    targets.push(...archive.files);
  };
  try {
    for (const file of files) {
      const path = resolve(cwd, file);
      let info: Awaited<ReturnType<typeof stat>>;
      try {
        info = await stat(path);
      } catch {
        throw new InputError("file_not_found", { zh: `找不到文件 ${file}`, en: `file ${file} not found` });
      }
      if (info.isDirectory()) {
        const names: string[] = [];
        for (const entry of await readdir(path, { withFileTypes: true }))
          if (
            !entry.name.startsWith(".") &&
            (IMPORTABLE.test(entry.name) || archiveKind(entry.name) !== null) &&
            // A link is followed to a file; one to a folder or to nothing is passed over.
            (entry.isFile() || (entry.isSymbolicLink() && (await isFile(join(path, entry.name)))))
          )
            names.push(entry.name);
        names.sort(byName);
        if (names.length === 0)
          throw new InputError("no_files_in_directory", {
            zh: `目录 ${file} 中没有可导入的文件（.csv、.tsv、.txt、.xlsx、.jsonl，或其 .zip、.gz 压缩包）`,
            en: `the directory ${file} holds no file to import (.csv, .tsv, .txt, .xlsx, .jsonl, or a .zip or .gz of them)`,
          });
        for (const name of names) await add(join(path, name));
        continue;
      }
      // A pipe cannot be read twice (the batch's checksum).
      if (!info.isFile())
        throw new InputError("not_a_file", {
          zh: `${file} 不是普通文件或目录（是管道？），请给出要导入的文件`,
          en: `${file} is neither a regular file nor a directory (a pipe?); give the file to import`,
        });
      await add(path);
    }
  } catch (error) {
    await remove();
    throw error;
  }
  return { targets, remove };
}

/**
 * Reads the first byte of `path`: a file of another user (EACCES) or a failing disk (EIO) is an
 * error naming it before anything is imported, not a stack trace after the files before it.
 */
async function readable(path: string, file: string): Promise<void> {
  try {
    const handle = await open(path, "r");
    try {
      await handle.read(Buffer.alloc(1), 0, 1, 0);
    } finally {
      await handle.close();
    }
  } catch (error) {
    const why = (error as Error).message;
    throw new InputError("file_unreadable", {
      zh: `无法读取文件 ${file}：${why}`,
      en: `cannot read the file ${file}: ${why}`,
    });
  }
}

const isFile = (path: string) =>
  stat(path).then(
    (info) => info.isFile(),
    () => false,
  );

/** A whole-number option: undefined when not given, null when not a whole number of at least `min`. */
function wholeNumber(value: unknown, min: number): number | undefined | null {
  if (typeof value !== "string") return undefined;
  const n = Number(value);
  return /^\s*\d+\s*$/.test(value) && n >= min ? n : null;
}

type ThreadSummary = Awaited<ReturnType<ImportThread["run"]>>;

/** Runs one job in the import thread with a progress bar (`label` names the file among several). */
async function importWithBar(
  thread: ImportThread,
  job: ImportJob,
  ctx: CommandContext,
  label = t(ctx, "导入", "Importing"),
): Promise<ThreadSummary> {
  const path = job.path;
  const stderr = ctx.stderr as NodeJS.WritableStream & { isTTY?: boolean };
  // Only for the bar: a file gone since the checks is reported by the import thread, in words.
  const size = await stat(path).then(
    (info) => info.size,
    () => undefined,
  );
  // Progress in bytes for text files; the XLSX reader cannot tell its position, so rows there.
  const byBytes = size !== undefined && !/\.xlsx?$/i.test(path);
  const bar = progressBar(stderr, label, byBytes ? size : undefined, !ctx.json);
  try {
    return await thread.run(job, (p) => {
      if (p.committing)
        bar.status(
          t(
            ctx,
            `${p.rows.toLocaleString("en")} 行已读完，正在提交（建立索引、日汇总）…`,
            `${p.rows.toLocaleString("en")} rows read; committing (indexes, daily rollups) ...`,
          ),
        );
      // The bar by bytes read (rows to come are unknown), the count and rate in rows.
      else bar.update(byBytes ? p.bytesRead : p.rows, p.rows);
    });
  } finally {
    bar.done();
  }
}

/** The `--json` summary of one file. */
function jsonSummary(summary: ThreadSummary, ctx: CommandContext): Record<string, unknown> {
  return {
    rows: summary.rows,
    imported: summary.imported,
    rejected: summary.rejected,
    duplicates: summary.duplicates,
    updated: summary.updated,
    stale: summary.stale,
    seconds: summary.seconds,
    warned: summary.warned,
    batchId: summary.batchId,
    file: summary.file,
    profile: summary.profile,
    sourceSystem: summary.sourceSystem,
    encoding: summary.encoding,
    ...(summary.titleRows ? { titleRows: summary.titleRows } : {}),
    ...(summary.addressKeysStale ? { addressKeysStale: true } : {}),
    ...(summary.dictionaryReplaced ? { dictionaryReplaced: true } : {}),
    ...(summary.areasFromBoundaries !== undefined
      ? { areasFromBoundaries: summary.areasFromBoundaries }
      : {}),
    issueCounts: summary.issueCounts,
    unmappedValues: summary.unmappedValues,
    sampleRejections: summary.sampleRejections.map((issue) => ({
      ...issue,
      message: renderIssue(issue, INGEST_MESSAGES, ctx.lang),
    })),
    sampleWarnings: summary.sampleWarnings.slice(0, SHOWN_WARNINGS).map((issue) => ({
      ...issue,
      message: renderIssue(issue, INGEST_MESSAGES, ctx.lang),
    })),
  };
}

/** What the user should know after the imports: a replaced dictionary, keys of other rules. */
function printNotices(
  notices: { readonly dictionaryReplaced: boolean; readonly addressKeysStale: boolean },
  ctx: CommandContext,
): void {
  if (notices.dictionaryReplaced)
    println(
      ctx.stderr,
      t(
        ctx,
        "库的地名词典已换为 --dict 给出的文件（以后的导入、看板和出警核查都用它；recur address dict 查看）",
        "the store's place dictionary is now the --dict file (later imports, the dashboard and the dispatch check use it; see recur address dict)",
      ),
    );
  if (notices.addressKeysStale)
    println(
      ctx.stderr,
      t(
        ctx,
        "注意：库中已有警情的位置键是按其他（较早的）地址规则或原地名词典生成的，新旧警情可能把同一地点算作两处；请运行 recur address rekey 重算（docs/address.md）",
        "note: the incidents already in this store were keyed by other (earlier) address rules or another place dictionary, so old and new calls may key one place as two; run recur address rekey (docs/address.md)",
      ),
    );
}

/** Says that nothing was imported because every row was rejected. */
function printAllRejected(rows: number, ctx: CommandContext): void {
  println(
    ctx.stderr,
    t(
      ctx,
      `没有导入任何警情：全部 ${rows} 行都被隔离（原因见上；配置与文件是否相符？）`,
      `nothing was imported: all ${rows} rows were rejected (reasons above; does the profile fit the file?)`,
    ),
  );
}

/** One file: its summary, as it always was. */
async function reportOne(thread: ImportThread, job: ImportJob, ctx: CommandContext): Promise<number> {
  const summary = await importWithBar(thread, job, ctx);
  println(ctx.stdout, ctx.json ? JSON.stringify(jsonSummary(summary, ctx)) : humanSummary(summary, ctx));
  printNotices(
    { dictionaryReplaced: summary.dictionaryReplaced === true, addressKeysStale: summary.addressKeysStale },
    ctx,
  );
  if (allRejected(summary)) {
    printAllRejected(summary.rows, ctx);
    return EXIT_ALL_REJECTED;
  }
  return 0;
}

/** The counts `--json` and the last line add up over several files. */
const TOTALS = ["rows", "imported", "rejected", "duplicates", "updated", "stale", "warned"] as const;

/**
 * A test seam of `reportMany`: called before each file is imported, with its target and place in
 * the list. Tests use it to change the file system between the files (a file gone or replaced
 * after the checks, as a user moving an export folder mid-import does), or return changes to the
 * job the import thread gets for that file (one the command never sends, to make the thread fail
 * as a bug would); undefined otherwise.
 */
export const importTesting: {
  beforeFile?:
    | ((
        target: ImportTarget,
        index: number,
      ) => Partial<ImportJob> | undefined | Promise<Partial<ImportJob> | undefined>)
    | undefined;
} = {};

/**
 * Several files, one batch each, in the order given: a file that fails (its header does not fit
 * the profile, it cannot be decoded …) is reported and the next one is imported; what a failed
 * file's batch had read is not stored (each batch is atomic). The exit code is 1 when a file
 * failed, 3 when every row of every file was rejected, else 0. `--json` prints one object: the
 * totals at the top (the keys of one file's summary), `files` (each file's summary) and `failed`.
 *
 * A file moved, replaced by a folder or made unreadable after the checks is the user's doing and
 * fails like any other file (src/ingest/open.ts, `fileAccessError`). An unexpected error (not a
 * RecurError: a bug, a damaged store) stops the command at that file: what was imported before it is still printed, with `crashed` (the file
 * and the error's message) and `notImported` (the files after it) in `--json`, and the error is
 * then thrown on as it was, so that `recur` shows its stack and cause and exits non-zero.
 */
async function reportMany(
  initial: ImportThread,
  targets: readonly ImportTarget[],
  job: Omit<ImportJob, "path">,
  dictionary: PlaceDictionary | undefined,
  ctx: CommandContext,
): Promise<number> {
  let thread = initial;
  const started = performance.now();
  const summaries: ThreadSummary[] = [];
  const failed: { file: string; code: string; message: string }[] = [];
  let crashed: { readonly index: number; readonly file: string; readonly error: unknown } | undefined;
  try {
    for (const [i, target] of targets.entries()) {
      const { path, name } = target;
      // --dict is saved by the first file's batch; the later ones key with the store's (the same).
      const fileJob: ImportJob = { ...job, path, ...(i === 0 && dictionary ? { dictionary } : {}) };
      try {
        const changed = await importTesting.beforeFile?.(target, i);
        const summary = await importWithBar(
          thread,
          changed ? { ...fileJob, ...changed } : fileJob,
          ctx,
          t(ctx, `导入 ${i + 1}/${targets.length} ${name}`, `Importing ${i + 1}/${targets.length} ${name}`),
        );
        summaries.push(summary);
        if (!ctx.json) println(ctx.stdout, humanSummary(summary, ctx));
      } catch (error) {
        if (!(error instanceof RecurError)) {
          // Not a failure of the file's data: nothing says the next file would fare better, so
          // the command stops here, after saying what it imported.
          crashed = { index: i, file: name, error };
          break;
        }
        const message = error.messages[ctx.lang];
        failed.push({ file: name, code: error.code, message });
        if (!ctx.json)
          println(ctx.stderr, t(ctx, `${name} 未能导入：${message}`, `${name} was not imported: ${message}`));
        // A thread that ran out of memory is gone; the next file gets a new one.
        if (error.code === "import_out_of_memory") {
          thread.cancel();
          thread = new ImportThread();
        }
      }
    }
  } finally {
    if (thread !== initial) thread.cancel();
  }
  const totals = Object.fromEntries(
    TOTALS.map((key) => [key, summaries.reduce((n, s) => n + s[key], 0)]),
  ) as Record<(typeof TOTALS)[number], number>;
  const seconds = (performance.now() - started) / 1000;
  const notImported = crashed ? targets.slice(crashed.index + 1).map((target) => target.name) : [];
  const crashMessage = crashed
    ? crashed.error instanceof Error
      ? crashed.error.message
      : String(crashed.error)
    : "";
  if (ctx.json)
    println(
      ctx.stdout,
      JSON.stringify({
        ...totals,
        seconds,
        files: summaries.map((summary) => jsonSummary(summary, ctx)),
        failed,
        ...(crashed ? { crashed: { file: crashed.file, message: crashMessage }, notImported } : {}),
      }),
    );
  else
    println(
      ctx.stdout,
      t(
        ctx,
        `共 ${targets.length} 个文件（${summaries.length} 个已导入${failed.length > 0 ? `，${failed.length} 个失败` : ""}${crashed ? `，${crashed.file} 出现内部错误，其后 ${notImported.length} 个未导入` : ""}）：行数 ${totals.rows}，新增 ${totals.imported}，隔离 ${totals.rejected}，重复 ${totals.duplicates}，更新 ${totals.updated}${totals.stale > 0 ? `，较早导出未应用 ${totals.stale}` : ""}，用时 ${seconds.toFixed(1)} 秒`,
        `${targets.length} files (${summaries.length} imported${failed.length > 0 ? `, ${failed.length} failed` : ""}${crashed ? `, an internal error in ${crashed.file}, ${notImported.length} after it not imported` : ""}): rows ${totals.rows}, imported ${totals.imported}, rejected ${totals.rejected}, duplicates ${totals.duplicates}, updated ${totals.updated}${totals.stale > 0 ? `, stale ${totals.stale}` : ""}, ${seconds.toFixed(1)} s`,
      ),
    );
  printNotices(
    {
      dictionaryReplaced: summaries.some((s) => s.dictionaryReplaced === true),
      addressKeysStale: summaries.some((s) => s.addressKeysStale),
    },
    ctx,
  );
  if (ctx.json && failed.length > 0)
    for (const f of failed)
      println(
        ctx.stderr,
        t(ctx, `${f.file} 未能导入：${f.message}`, `${f.file} was not imported: ${f.message}`),
      );
  if (crashed) {
    println(
      ctx.stderr,
      t(
        ctx,
        `导入在 ${crashed.file} 处因内部错误停止（此前已导入 ${summaries.length} 个文件，见上${notImported.length > 0 ? `；其后未导入：${notImported.join("、")}` : ""}）。错误详情如下，请报告：`,
        `the import stopped at ${crashed.file} on an internal error (files imported before it: ${summaries.length}, see above${notImported.length > 0 ? `; not imported after it: ${notImported.join(", ")}` : ""}). The error follows; please report it:`,
      ),
    );
    // Thrown on as it came, stack and cause: src/cli/main.ts passes it to bin/recur, which
    // prints it and exits non-zero.
    throw crashed.error;
  }
  if (failed.length > 0) return 1;
  if (totals.rows > 0 && totals.rejected === totals.rows) {
    printAllRejected(totals.rows, ctx);
    return EXIT_ALL_REJECTED;
  }
  return 0;
}
