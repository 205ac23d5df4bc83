import { createReadStream, createWriteStream, rmSync } from "node:fs";
import { mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import iconv from "iconv-lite";
import yauzl from "yauzl";
import { chineseNumeral } from "../address/normalize.ts";
import { InputError } from "../domain/index.ts";
import { DEFAULT_LIMITS, type ReadLimits } from "./limits.ts";

/**
 * Compressed exports: a `.zip` of monthly files, or one `.csv.gz`. `recur import` unpacks them
 * into a temporary folder (TMPDIR) and imports what they hold as files, one batch each, so a
 * batch's checksum, its quarantine and its summary are those of the file inside (importing the
 * unpacked CSV later adds nothing twice). I/O at the edge: nothing here parses a row.
 *
 * Guards, each a clear error before the import reads a row: an encrypted entry; an entry or the
 * whole archive unpacking to more than the limits (`maxFileBytes` an entry, `maxXlsxUnpackedBytes`
 * in all — the bytes written are counted, not the sizes the archive declares); a compression
 * ratio past `maxXlsxRatio` (a zip bomb); an archive holding no export. The folder goes when its
 * owner removes it, or when a signal (Ctrl-C) or the exit ends the process first.
 */

/** The kind of archive a path names, by its extension; null for a plain export. */
export function archiveKind(path: string): "zip" | "gzip" | null {
  if (/\.zip$/i.test(path)) return "zip";
  if (/\.gz$/i.test(path)) return "gzip";
  return null;
}

/** Extensions of the exports taken from an archive or a directory (.xls only to say it cannot be read). */
export const IMPORTABLE = /\.(csv|tsv|txt|xlsx|xlsm|xls|jsonl|ndjson)$/i;

/** One export unpacked from an archive. */
export interface UnpackedFile {
  /** Where it was written (in the temporary folder). */
  readonly path: string;
  /** How the user knows it: `2024.zip:2024-05.csv`. */
  readonly name: string;
}

export interface Unpacked {
  /** The exports, in name order (numbers compared as numbers). */
  readonly files: readonly UnpackedFile[];
  /** Entries passed over: folders aside, hidden files, files of other kinds (a README). */
  readonly skipped: readonly string[];
  /** Removes the temporary folder. */
  remove(): Promise<void>;
}

const MiB = 1024 * 1024;
const mb = (bytes: number) => (bytes / MiB).toFixed(1);

/**
 * Name order with numbers compared as numbers, in Arabic or Chinese numerals: 2024-9.csv before
 * 2024-10.csv, 九月.csv before 十月.csv before 十二月.csv (by collation alone 十二月 came before 十月
 * and 一月 last). Names equal as numbers (2024-1, 2024-01) keep one order, by their characters.
 */
export function byName(a: string, b: string): number {
  const x = nameParts(a);
  const y = nameParts(b);
  for (let k = 0; k < Math.min(x.length, y.length); k++) {
    const p = x[k] as string | number;
    const q = y[k] as string | number;
    if (typeof p === "number" && typeof q === "number") {
      if (p !== q) return p - q;
    } else if (typeof p === "number" || typeof q === "number") {
      return typeof p === "number" ? -1 : 1; // a number before text, as numeric collation has it
    } else {
      const c = p.localeCompare(q, "en");
      if (c !== 0) return c;
    }
  }
  return x.length - y.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** A name as runs of text and numbers (Arabic or Chinese numerals, each run its own). */
function nameParts(name: string): (string | number)[] {
  return (
    name.match(/[0-9]+|[〇零一二两三四五六七八九十百]+|[^0-9〇零一二两三四五六七八九十百]+/gu) ?? []
  ).map((part) =>
    /^[0-9]+$/.test(part)
      ? Number(part)
      : /^[^〇零一二两三四五六七八九十百]/u.test(part)
        ? part
        : (chineseNumeral(part) ?? 0),
  );
}

function archiveError(code: string, zh: string, en: string): InputError {
  return new InputError(code, { zh, en });
}

/**
 * An entry's name. Zip tools on Chinese Windows write names in GBK without the UTF-8 flag;
 * without this, 五月警情.csv would come out as CP437 mojibake.
 */
function entryName(entry: yauzl.Entry): string {
  const raw = entry.fileName as unknown as Buffer;
  if (entry.generalPurposeBitFlag & 0x800) return raw.toString("utf8");
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(raw);
  } catch {
    return iconv.decode(raw, "gb18030");
  }
}

/** Counts the bytes going through and stops past `limit` (the archive's declared sizes may lie). */
function counter(limit: number, tooLarge: (bytes: number) => InputError): Transform & { bytes: number } {
  const t = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      t.bytes += chunk.length;
      if (t.bytes > limit) done(tooLarge(t.bytes));
      else done(null, chunk);
    },
  }) as Transform & { bytes: number };
  t.bytes = 0;
  return t;
}

/**
 * Temporary folders of this process not removed yet. They hold the exports unpacked, in the clear
 * (callers' numbers, narratives before masking): Ctrl-C, a kill or the process ending before their
 * owner removes them must not leave them in TMPDIR.
 */
const liveFolders = new Set<string>();
const ENDING_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

function removeLiveFolders(): void {
  for (const dir of liveFolders) rmSync(dir, { recursive: true, force: true });
  liveFolders.clear();
}

function onEndingSignal(signal: NodeJS.Signals): void {
  // Counted first: this listener runs before the others (prepended), a `once` one still counts.
  const others = process.listenerCount(signal) - 1;
  removeLiveFolders();
  unwatchSignals();
  // No one else handles it (`recur serve` does): end the process as the signal would have.
  if (others === 0) process.kill(process.pid, signal);
}

function unwatchSignals(): void {
  for (const signal of ENDING_SIGNALS) process.off(signal, onEndingSignal);
  process.off("exit", removeLiveFolders);
}

function keepTrackOf(dir: string): () => void {
  if (liveFolders.size === 0) {
    for (const signal of ENDING_SIGNALS) process.prependListener(signal, onEndingSignal);
    process.on("exit", removeLiveFolders);
  }
  liveFolders.add(dir);
  return () => {
    liveFolders.delete(dir);
    if (liveFolders.size === 0) unwatchSignals();
  };
}

/** How many unpacked folders this process has not removed yet (for tests). */
export function liveUnpackFolders(): number {
  return liveFolders.size;
}

/**
 * Unpacks the exports of `path` (a .zip or a .gz) into a new temporary folder. Throws an
 * InputError (nothing left behind) when the archive is damaged, encrypted, too large, a zip bomb,
 * or holds no export.
 */
export async function unpackArchive(path: string, limits: ReadLimits = DEFAULT_LIMITS): Promise<Unpacked> {
  const kind = archiveKind(path);
  const file = basename(path);
  const dir = await mkdtemp(join(tmpdir(), "recur-unpack-"));
  const forget = keepTrackOf(dir);
  const remove = async () => {
    await rm(dir, { recursive: true, force: true });
    forget();
  };
  try {
    const unpacked =
      kind === "gzip" ? await gunzipTo(path, file, dir, limits) : await unzipTo(path, file, dir, limits);
    if (unpacked.files.length === 0)
      throw archiveError(
        "no_files_in_archive",
        `压缩包 ${file} 中没有可导入的文件（.csv、.tsv、.txt、.xlsx、.jsonl）${unpacked.skipped.length > 0 ? `；其中有：${unpacked.skipped.slice(0, 5).join("、")}` : ""}`,
        `the archive ${file} holds no file to import (.csv, .tsv, .txt, .xlsx, .jsonl)${unpacked.skipped.length > 0 ? `; it holds: ${unpacked.skipped.slice(0, 5).join(", ")}` : ""}`,
      );
    return { ...unpacked, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

async function gunzipTo(
  path: string,
  file: string,
  dir: string,
  limits: ReadLimits,
): Promise<Omit<Unpacked, "remove">> {
  const inner = file.replace(/\.gz$/i, "");
  if (!IMPORTABLE.test(inner)) return { files: [], skipped: [inner] };
  const packed = (await stat(path)).size;
  const limit = Math.min(limits.maxFileBytes, Math.max(MiB, packed * limits.maxXlsxRatio));
  const out = join(dir, inner);
  const count = counter(limit, (bytes) => tooLargeError(file, inner, bytes, limit, packed));
  await writeOut([createReadStream(path), createGunzip(), count], out, file, inner);
  return { files: [{ path: out, name: `${file}:${inner}` }], skipped: [] };
}

function tooLargeError(
  file: string,
  entry: string,
  bytes: number,
  limit: number,
  packed: number,
): InputError {
  return archiveError(
    "archive_too_large",
    `压缩包 ${file} 中的 ${entry} 解压后超过 ${mb(limit)} MB（已到 ${mb(bytes)} MB，压缩前 ${mb(packed)} MB；疑似压缩炸弹，或文件超过上限）`,
    `${entry} in the archive ${file} unpacks to more than ${mb(limit)} MB (${mb(bytes)} MB so far, ${mb(packed)} MB packed; a zip bomb, or a file past the limit)`,
  );
}

/** The temporary folder could not take an unpacked file (full, a quota, a size limit, no access). */
function unpackFailed(file: string, entry: string, why: string): InputError {
  return archiveError(
    "archive_unpack_failed",
    `无法把压缩包 ${file} 中的 ${entry} 解压到临时目录 ${tmpdir()}：${why}（临时目录须有空间放下解压后的文件；可用环境变量 TMPDIR 指定其他目录）`,
    `could not unpack ${entry} of the archive ${file} into the temporary folder ${tmpdir()}: ${why} (it needs room for the unpacked files; set TMPDIR to use another folder)`,
  );
}

/**
 * Writes `from` to the file `out`: an error of the archive (damaged, too large) as it comes, one
 * of writing (the folder full or out of reach) as unpackFailed, not as a damaged archive.
 */
async function writeOut(from: Readable[], out: string, file: string, entry: string): Promise<void> {
  let writing: Error | undefined;
  try {
    // Inside: a name the file system refuses (a NUL in it) throws here.
    const to = createWriteStream(out);
    to.on("error", (error) => {
      writing = error;
    });
    await pipeline([...from, to]);
  } catch (error) {
    if (error instanceof InputError) throw error;
    if (writing) throw unpackFailed(file, entry, writing.message);
    throw damaged(file, (error as Error).message);
  }
}

function damaged(file: string, why: string): InputError {
  return archiveError(
    "archive_invalid",
    `压缩包 ${file} 已损坏或不是压缩包：${why}`,
    `the archive ${file} is damaged or not an archive: ${why}`,
  );
}

async function unzipTo(
  path: string,
  file: string,
  dir: string,
  limits: ReadLimits,
): Promise<Omit<Unpacked, "remove">> {
  let zip: yauzl.ZipFile;
  try {
    zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.open(
        path,
        { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true },
        (error, z) => (error || !z ? reject(error ?? new Error("cannot open")) : resolve(z)),
      ),
    );
  } catch (error) {
    throw damaged(file, (error as Error).message);
  }
  try {
    const entries = await new Promise<yauzl.Entry[]>((resolve, reject) => {
      const all: yauzl.Entry[] = [];
      zip.on("error", reject);
      zip.on("entry", (entry: yauzl.Entry) => {
        all.push(entry);
        zip.readEntry();
      });
      zip.on("end", () => resolve(all));
      zip.readEntry();
    }).catch((error: Error) => {
      throw damaged(file, error.message);
    });
    const skipped: string[] = [];
    const chosen: { entry: yauzl.Entry; name: string }[] = [];
    for (const entry of entries) {
      const name = entryName(entry);
      if (name.endsWith("/")) continue;
      const base = basename(name);
      if (name.startsWith("__MACOSX/") || base.startsWith(".") || !IMPORTABLE.test(base)) {
        skipped.push(name);
        continue;
      }
      if (entry.generalPurposeBitFlag & 0x1)
        throw archiveError(
          "archive_encrypted",
          `压缩包 ${file} 中的 ${name} 已加密；请先用压缩软件输入密码解压，再导入解出的文件`,
          `${name} in the archive ${file} is encrypted; unpack it with its password first and import the files`,
        );
      chosen.push({ entry, name });
    }
    chosen.sort((a, b) => byName(a.name, b.name));
    const files: UnpackedFile[] = [];
    let total = 0;
    for (const [i, { entry, name }] of chosen.entries()) {
      // One folder per entry: a.zip may hold 1月/警情.csv and 2月/警情.csv.
      const folder = join(dir, String(i));
      await mkdir(folder).catch((error: Error) => {
        throw unpackFailed(file, name, error.message);
      });
      const out = join(folder, basename(name));
      const packed = entry.compressedSize;
      const limit = Math.min(
        limits.maxFileBytes,
        limits.maxXlsxUnpackedBytes - total,
        Math.max(MiB, packed * limits.maxXlsxRatio),
      );
      const count = counter(limit, (bytes) => tooLargeError(file, name, bytes, limit, packed));
      const stream = await new Promise<Readable>((resolve, reject) =>
        zip.openReadStream(entry, (error, s) =>
          error || !s ? reject(error ?? new Error("cannot read")) : resolve(s),
        ),
      ).catch((error: Error) => {
        throw damaged(file, error.message);
      });
      await writeOut([stream, count], out, file, name);
      total += count.bytes;
      files.push({ path: out, name: `${file}:${name}` });
    }
    return { files, skipped };
  } finally {
    zip.close();
  }
}
