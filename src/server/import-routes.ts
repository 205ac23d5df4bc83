import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, open, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { createAddressLocator } from "../address/locator.ts";
import {
  asBatchId,
  CATEGORY_LABELS,
  type Category,
  type Clock,
  type Incident,
  InputError,
  isRecurError,
  LANGS,
  type Lang,
  renderIssue,
  SUBTYPE_LABELS,
} from "../domain/index.ts";
import { archiveKind, byName, unpackArchive } from "../ingest/archives.ts";
import {
  bundledProfileNames,
  DEFAULT_LIMITS,
  type ImportSummary,
  INGEST_MESSAGES,
  type IngestIssue,
  importFile,
  loadProfile,
  openSource,
  type Profile,
  parseProfile,
  withMaskedValue,
} from "../ingest/index.ts";
import { decryptField, maskText } from "../ingest/privacy/index.ts";
import { BUNDLED_PROFILES_DIR, profileIssueLines } from "../ingest/profile/load.ts";
import { ProfileSchema } from "../ingest/profile/schema.ts";
import {
  categoryTargets,
  distinctValues,
  FORMAT_TARGETS,
  MAPPING_TARGETS,
  suggestCategoryMap,
  suggestMapping,
  timeFormatOf,
  wizardProfile,
} from "../ingest/profile/suggest.ts";
import { ENCODINGS, type EncodingName } from "../ingest/readers/encoding.ts";
import { trimCell } from "../ingest/readers/trim.ts";
import { openXlsxZip, readWorkbookInfo } from "../ingest/readers/xlsx-parts.ts";
import { addressKeysStale, recordAddressRules } from "../store/address-rules.ts";
import { storeJurisdictions } from "../store/area-boundaries.ts";
import { IncidentMerger, RETENTION_KEYS, retentionFrom } from "../store/incident-merge.mjs";
import { dictionaryDigest, loadPlaceDictionary } from "../store/place-dictionary.ts";
import { profileRepository } from "../store/profile-repository.ts";
import { INCIDENT_COLUMN_NAMES, pushIncidentValues } from "../store/rows.ts";
import type { SqlValue } from "../store/sqlite-executor.mjs";
import type { BatchWriter, NewBatch, QuarantinedRow, Store } from "../store/types.ts";
import { dashboardSettings } from "./dashboard-routes.ts";
import { langOf, sendError } from "./routes.ts";
import { deploymentSecret } from "./secret.ts";

/**
 * The import wizard's API (docs/dashboard.md, "Import"): upload a file once, see its columns and
 * a masked preview with suggested mappings, try a draft profile on the first rows with the real
 * pipeline (nothing stored), import with a bundled, saved or draft profile while the browser
 * polls the progress, and download the rejected rows. Saved profiles live in the store.
 * Permission, audit and the login check are declared in each route's config and enforced by the
 * hooks of routes.ts.
 */

export interface ImportRouteOptions {
  readonly store: () => Store | undefined;
  readonly clock: Clock;
  /** Deployment secret file (pseudonym and encryption keys); else the dashboard's or RECUR_SECRET. */
  readonly secretPath?: string | undefined;
  /** Called after an import committed (the dashboard rebuilds its columns). */
  readonly imported?: (store: Store) => void;
  /** Largest upload in bytes (default 200 MiB, or RECUR_UPLOAD_MAX_MB). */
  readonly maxUploadBytes?: number;
  /** How long an uploaded file waits for its import (default 2 hours). */
  readonly uploadTtlMs?: number;
}

/** Rows shown in the preview and in the dry run's mapped-row table. */
export const PREVIEW_ROWS = 20;
/** Rows looked through for the header (as src/ingest/open.ts does for a profile's columns). */
const HEADER_ROWS = 30;
/** Rows read to suggest a mapping and to list a column's distinct values. */
const SAMPLE_ROWS = 5000;
/** Rows a dry run validates by default (and at most). */
const DRY_RUN_ROWS = 500;
const MAX_DRY_RUN_ROWS = 5000;
/** Staged uploads kept per user: the oldest goes when a new one arrives. */
const UPLOADS_PER_USER = 3;
/** Files one upload may hold (a year of daily exports fits). */
const MAX_FILES = 400;
/** What the wizard reads; an archive may also hold other exports (.jsonl, .xls), listed as passed over. */
const READABLE = /\.(csv|txt|tsv|xlsx|xlsm)$/i;

/** One file of an upload: sent as it is, or unpacked from a .zip or .gz sent. */
interface UploadFile {
  readonly path: string;
  /** As the user knows it: `2024-05.csv`, or `2024.zip:2024-05.csv` from an archive. */
  readonly name: string;
  readonly size: number;
  readonly format: "csv" | "xlsx";
  /** Sniffed from its own first lines; a delimiter the user picks applies to every file. */
  readonly delimiter: string;
}

interface Upload {
  readonly id: string;
  readonly owner: string;
  readonly dir: string;
  /** 1..n files in name order (numbers as numbers: 2024-9 before 2024-10); the first is previewed. */
  files: UploadFile[];
  /** Entries of an archive passed over (a README, a .jsonl, hidden files). */
  skipped: string[];
  /** Bytes received, archives counted packed: the upload's size limit applies to their sum. */
  received: number;
  /** Removes the folders archives were unpacked into (they live as long as the upload). */
  readonly removers: (() => Promise<void>)[];
  readonly at: number;
  /** A delimiter chosen by the user in the wizard, for every CSV file; else each file's sniffed one. */
  delimiter?: string;
  encoding: EncodingName;
  /** XLSX: the worksheet chosen in the wizard (default the first). */
  sheet?: string;
  /** The header's position (1 = the first row read) chosen in the wizard; else detected. */
  headerRow?: number;
  job?: ImportJob;
}

interface ImportJob {
  /** done when at least one file was imported; failed when none was (it may be tried again). */
  state: "running" | "done" | "failed";
  rows: number;
  bytesRead: number;
  totalBytes: number;
  /** The file being imported, 0-based. */
  current: number;
  readonly files: JobFile[];
  error?: { code: string; message: Record<Lang, string> };
}

/** One file of an import job: its own batch, report or error. */
interface JobFile {
  readonly name: string;
  readonly size: number;
  readonly batchId: string;
  state: "waiting" | "running" | "done" | "failed";
  summary?: ImportSummary;
  error?: { code: string; message: Record<Lang, string> };
}

const ProfileRef = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("bundled"), name: z.string().min(1).max(64) }),
  z.object({ kind: z.literal("saved"), id: z.string().min(1).max(64) }),
  z.object({
    kind: z.literal("mapping"),
    mapping: z.object({
      name: z.string().max(64),
      description: z.string().max(200).optional(),
      sourceSystem: z.string().max(64),
      timezone: z.string().max(64),
      region: z.string().max(64).optional(),
      columns: z.record(z.string().max(256), z.enum(MAPPING_TARGETS)),
      formats: z
        .record(z.string().max(256), z.union([z.string().max(64), z.array(z.string().max(64)).max(8)]))
        .optional(),
      categoryMap: z.record(z.string().max(256), z.string().max(64)).optional(),
      defaultCategory: z.string().max(64).optional(),
      cityName: z.string().max(64).optional(),
      datum: z.enum(["wgs84", "gcj02", "bd09"]).optional(),
      keepCallerNumber: z.boolean().optional(),
      encoding: z.enum(ENCODINGS).optional(),
      delimiter: z.string().length(1).optional(),
    }),
  }),
  z.object({ kind: z.literal("profile"), profile: z.record(z.string(), z.unknown()) }),
]);
type ProfileRefT = z.infer<typeof ProfileRef>;

const ValidateBody = z.object({
  source: ProfileRef,
  rows: z.number().int().min(1).max(MAX_DRY_RUN_ROWS).optional(),
});
const ImportBody = z.object({ source: ProfileRef });
const DistinctBody = z.object({
  columns: z.array(z.string().min(1).max(256)).min(1).max(3),
  separator: z.string().max(4).optional(),
});
/** Reading the staged file again with an encoding or delimiter the user picked. */
const RereadBody = z.object({
  encoding: z.enum(ENCODINGS).optional(),
  delimiter: z.enum([",", ";", "\t", "|"]).optional(),
  sheet: z.string().min(1).max(64).optional(),
  headerRow: z.number().int().min(1).max(HEADER_ROWS).optional(),
});
const SaveProfileBody = z.object({
  profile: z.record(z.string(), z.unknown()),
  /** Required when replacing: the version the editor started from. */
  version: z.number().int().positive().optional(),
});
const UploadQuery = z.object({ name: z.string().min(1).max(200), lang: z.enum(LANGS).optional() });

/** A CSV cell made safe for Excel/WPS: formulas (= + - @, tab, CR) are escaped with a quote (OWASP). */
export function csvCell(value: unknown): string {
  const s = String(value ?? "");
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The likeliest delimiter of a CSV from its first line: comma, semicolon, tab or bar. */
export function sniffDelimiter(firstLine: string): string {
  let best = ",";
  let most = 0;
  for (const d of [",", ";", "\t", "|"]) {
    const n = firstLine.split(d).length - 1;
    if (n > most) {
      most = n;
      best = d;
    }
  }
  return best;
}

/** A preview cell as the browser may see it: identifiers masked, names of persons cut to one character. */
function maskCell(value: string, personal: boolean): string {
  if (value === "") return value;
  if (personal) return `${[...value][0]}＊＊`;
  // Times and plain dates are shown as they are (masking would mistake digit runs for numbers).
  if (/^[\d\s\-/:.T年月日时分秒+Z]+$/.test(value) && timeFormatOf([value]) !== null) return value;
  return maskText(value);
}

/** Bilingual rendering of an issue, its value masked (also in the message). */
function issueOut(issue: IngestIssue) {
  const { file: _file, ...plain } = withMaskedValue(issue);
  return {
    row: issue.row ?? null,
    field: issue.field ?? null,
    /** The file's column(s) the field was read from; null for a constant or an older stored issue. */
    column: issue.column ?? null,
    code: issue.code,
    severity: issue.severity,
    value: plain.value ?? null,
    message: {
      zh: renderIssue(plain, INGEST_MESSAGES, "zh"),
      en: renderIssue(plain, INGEST_MESSAGES, "en"),
    },
  };
}

/** A mapped incident for the dry-run table: no pseudonym, no encrypted fields; texts already masked. */
function mappedRow(incident: Incident) {
  return {
    sourceId: incident.sourceId,
    receivedAt: incident.receivedAt,
    utcOffsetMin: incident.utcOffsetMin,
    acceptedAt: incident.acceptedAt,
    dispatchedAt: incident.dispatchedAt,
    arrivedAt: incident.arrivedAt,
    closedAt: incident.closedAt,
    category: incident.category,
    subtype: incident.subtype,
    sourceCategory: incident.sourceCategory === null ? null : maskText(incident.sourceCategory),
    department: incident.department,
    address: incident.address === null ? null : maskText(incident.address),
    narrative: incident.narrative,
    disposition: incident.disposition === null ? null : maskText(incident.disposition),
    station: incident.stationUnit,
    branch: incident.branchUnit,
    caller: incident.callerPseudonym ? "✓" : null,
    /** The finest location key found: what repeat detection will group this call by. */
    place:
      incident.location.room ??
      incident.location.unit ??
      incident.location.building ??
      incident.location.road ??
      incident.location.poi ??
      incident.location.cross,
  };
}

/** The import's figures with issues grouped by code (counts from the whole file, examples from the first rows). */
export function importReport(summary: ImportSummary) {
  const samples = [...summary.sampleRejections, ...summary.sampleWarnings];
  const groups = Object.entries(summary.issueCounts)
    .map(([code, counts]) => {
      const examples = samples.filter((i) => i.code === code).slice(0, 5);
      return {
        code,
        errors: counts?.errors ?? 0,
        warnings: counts?.warnings ?? 0,
        fields: [...new Set(examples.map((i) => i.field).filter((f): f is string => !!f))],
        examples: examples.map(issueOut),
      };
    })
    .sort((a, b) => b.errors - a.errors || b.warnings - a.warnings);
  return {
    batchId: summary.batchId,
    file: summary.file,
    profile: summary.profile,
    sourceSystem: summary.sourceSystem,
    encoding: summary.encoding,
    rows: summary.rows,
    imported: summary.imported,
    rejected: summary.rejected,
    duplicates: summary.duplicates,
    /** Rows merged into stored calls (a later export) and rows of an older export not applied. */
    updated: summary.updated,
    stale: summary.stale,
    warned: summary.warned,
    seconds: summary.seconds,
    groups,
    unmappedValues: summary.unmappedValues,
    /** Rows above the header (a title, the export's query) that were not read as data; 0 when none. */
    titleRows: summary.titleRows ?? 0,
    /** Calls whose area came from the store's area boundaries (their export named none); null without boundaries. */
    areasFromBoundaries: summary.areasFromBoundaries ?? null,
  };
}

/** One file's figures in a dry run, or why it cannot be read (the rest of the upload is still checked). */
interface DryRunFile {
  readonly name: string;
  readonly size: number;
  readonly rows: number;
  readonly valid: number;
  readonly rejected: number;
  readonly warned: number;
  readonly duplicates: number;
  readonly updated: number;
  readonly stale: number;
  readonly error: { code: string; message: string } | null;
}

/** A failed file's reason, in both languages (the job is read later, in the reader's language). */
function jobError(error: unknown): { code: string; message: Record<Lang, string> } {
  return isRecurError(error)
    ? { code: error.code, message: { ...error.messages } }
    : { code: "internal", message: { zh: "导入失败", en: "The import failed" } };
}

/**
 * A batch writer that keeps what it is given: the dry run goes through the pipeline and stores
 * nothing. A row of a call already stored is told apart as the import would (IncidentMerger):
 * it would update the call, be stale, or be a duplicate.
 */
function collectingWriter(
  batch: NewBatch,
  store: Store | undefined,
  // Shared by the files of one upload: a call of the first file seen again in a later one merges
  // into it, as the later file's batch would merge into the stored call.
  seen = new Map<string, SqlValue[]>(),
) {
  const merger = new IncidentMerger(INCIDENT_COLUMN_NAMES);
  // The store's retention cutoffs, read at the first stored call (as a batch reads them at begin).
  let retention: Promise<void> | undefined;
  const readRetention = (s: Store) =>
    (retention ??= (async () => {
      const rows: { key: string; value: string }[] = [];
      for (const key of [RETENTION_KEYS.callerBefore, RETENTION_KEYS.narrativeBefore]) {
        const value = await s.settings.get(key);
        if (value !== undefined) rows.push({ key, value });
      }
      merger.retention = retentionFrom(rows);
    })());
  const incidents: Incident[] = [];
  const quarantine: QuarantinedRow[] = [];
  let duplicates = 0;
  const updates = { updated: 0, stale: 0 };
  // Per id seen in this file (and the upload's files before it): the values its call has after the
  // rows so far — the stored call's merged with them, or the first row of a call new in this file —
  // so that a repeat merges into it (updated, stale or duplicate), as the batch does.
  const writer: BatchWriter = {
    batch,
    updates,
    async insertIncidents(rows) {
      let fresh = 0;
      for (const r of rows) {
        const incoming: SqlValue[] = [];
        pushIncidentValues(incoming, r);
        let before = seen.get(r.id);
        if (before === undefined) {
          const stored = store ? await store.incidents.get(r.sourceSystem, r.sourceId) : undefined;
          if (stored) {
            before = [];
            pushIncidentValues(before, stored);
          }
        }
        if (before === undefined) {
          fresh++;
          seen.set(r.id, incoming);
        } else {
          if (store) await readRetention(store);
          const outcome = merger.merge(incoming, 0, before, 0);
          if (outcome.kind === "update") {
            updates.updated++;
            before = merger.merged(incoming, 0, before, 0, outcome.changed);
          } else if (outcome.kind === "stale") updates.stale++;
          else duplicates++;
          seen.set(r.id, before);
        }
        incidents.push(r);
      }
      return fresh;
    },
    async insertQuarantine(rows) {
      quarantine.push(...rows);
    },
    async commit(summary) {
      return { ...batch, ...summary };
    },
    async rollback() {},
  };
  return { writer, incidents, quarantine, duplicates: () => duplicates, seen };
}

export function registerImportRoutes(app: FastifyInstance, options: ImportRouteOptions): void {
  const uploads = new Map<string, Upload>();
  const maxBytes = Math.max(
    1,
    Math.round(options.maxUploadBytes ?? (Number(process.env.RECUR_UPLOAD_MAX_MB) || 200) * 1024 * 1024),
  );
  const ttl = options.uploadTtlMs ?? 2 * 3600_000;
  const secret = () =>
    deploymentSecret(
      options.secretPath ??
        dashboardSettings.secretPath ??
        (process.env.RECUR_SECRET ? resolve(process.env.RECUR_SECRET) : undefined),
    )();
  // Per region and place dictionary: the store's dictionary, as every import keys with
  // (src/store/place-dictionary.ts); a new one from the rules page makes new locators.
  const locators = new Map<string, ReturnType<typeof createAddressLocator>>();
  const locatorFor = async (store: Store, profile: Profile) => {
    const dictionary = await loadPlaceDictionary(store);
    const key = `${profile.region ?? ""}\u0000${dictionaryDigest(dictionary)}`;
    let locator = locators.get(key);
    if (!locator) {
      if (locators.size >= 8) locators.clear();
      locator = createAddressLocator({ region: profile.region ?? null, datum: "wgs84", dictionary });
      locators.set(key, locator);
    }
    return locator;
  };

  // The store's community police area boundaries (`recur areas set`, the rules page): a call whose
  // export names no area gets the one its coordinates fall in, as in `recur import`.
  const areasOf = async (store: Store) => {
    const areas = (await storeJurisdictions(store))?.jurisdictions;
    return areas ? { areas } : {};
  };

  /** Removes an upload's staged files: the folder of what was sent and those archives were unpacked into. */
  const removeFiles = async (upload: Upload) => {
    await rm(upload.dir, { recursive: true, force: true });
    await Promise.all(upload.removers.splice(0).map((remove) => remove().catch(() => undefined)));
  };
  const drop = async (upload: Upload) => {
    uploads.delete(upload.id);
    await removeFiles(upload);
  };
  /** Removes staged files past their time (a running import keeps its file). */
  const sweep = async () => {
    const now = options.clock.now();
    for (const u of [...uploads.values()]) if (now - u.at > ttl && u.job?.state !== "running") await drop(u);
  };
  const uploadOf = (request: FastifyRequest, reply: FastifyReply): Upload | undefined => {
    const id = (request.params as { id: string }).id;
    const upload = uploads.get(id);
    // Only the uploader sees a staged file; anyone else is told it does not exist.
    if (!upload || upload.owner !== request.principal!.userId) {
      sendError(
        reply,
        404,
        "upload_not_found",
        "上传的文件不存在或已过期，请重新上传",
        "The uploaded file is gone or expired; upload it again",
        langOf(request),
      );
      return undefined;
    }
    return upload;
  };
  const storeOr503 = (request: FastifyRequest, reply: FastifyReply) => {
    const store = options.store();
    if (!store)
      sendError(reply, 503, "loading", "服务正在准备", "The server is still preparing", langOf(request));
    return store;
  };
  const recurError = (reply: FastifyReply, lang: Lang, error: unknown) => {
    if (isRecurError(error))
      return reply.status(422).send({ error: { code: error.code, message: error.messages[lang] } });
    throw error;
  };

  /** The profile a request names: bundled, saved in the store, built from a wizard mapping, or given. */
  const resolveProfile = async (
    store: Store,
    ref: ProfileRefT,
  ): Promise<{ profile: Profile; label: string }> => {
    switch (ref.kind) {
      case "bundled":
        if (!bundledProfileNames().includes(ref.name))
          throw Object.assign(new Error("unknown bundled profile"), { statusCode: 404 });
        return { profile: await loadProfile(ref.name), label: ref.name };
      case "saved": {
        const saved = await profileRepository(store).get(ref.id);
        if (!saved) throw Object.assign(new Error("unknown saved profile"), { statusCode: 404 });
        return { profile: parseProfile(JSON.parse(saved.json), saved.name), label: `saved:${saved.name}` };
      }
      case "mapping": {
        const profile = parseProfile(wizardProfile(ref.mapping), ref.mapping.name || "wizard");
        return { profile, label: `draft:${profile.name}` };
      }
      case "profile": {
        const profile = parseProfile(ref.profile, "draft");
        return { profile, label: `draft:${profile.name}` };
      }
    }
  };

  /** Errors of the files an upload receives, as 400s with their code (an archive's own errors too). */
  const fileError = (code: string, zh: string, en: string) => new InputError(code, { zh, en });

  /**
   * Streams one request body into `folder` of the upload, counting it against what the upload may
   * still receive. Past the limit the rest of the body is read and dropped (ending the request cleanly).
   */
  const receive = async (request: FastifyRequest, folder: string, name: string, budget: number) => {
    const stream = request.body as Readable | undefined;
    if (!stream || typeof (stream as Readable).pipe !== "function") return { kind: "empty" as const };
    await mkdir(folder, { recursive: true });
    const path = join(folder, name);
    let size = 0;
    let over = false;
    await pipeline(
      stream,
      new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          size += chunk.length;
          if (size > budget) over = true;
          if (over) return callback();
          callback(null, chunk);
        },
      }),
      createWriteStream(path, { mode: 0o600 }),
    );
    if (over) return { kind: "too_large" as const };
    if (size === 0) return { kind: "empty" as const };
    return { kind: "ok" as const, path, size };
  };

  /** A file the wizard reads: its format, size, and delimiter sniffed from its first 64 KiB. */
  const stagedFile = async (path: string, name: string): Promise<UploadFile> => {
    const handle = await open(path, "r");
    try {
      const { size } = await handle.stat();
      const head = Buffer.alloc(Math.min(size, 65_536));
      await handle.read(head, 0, head.length, 0);
      const format = /\.(xlsx|xlsm)$/i.test(name) ? "xlsx" : "csv";
      return {
        path,
        name,
        size,
        format,
        delimiter: format === "csv" ? sniffDelimiter(headerLine(head)) : ",",
      };
    } finally {
      await handle.close();
    }
  };

  /**
   * The files a received body adds to an upload: itself, or what a .zip or .gz holds (unpacked with
   * the limits of `recur import`; their folder is removed with the upload).
   */
  const filesOf = async (upload: Upload, path: string, name: string) => {
    if (archiveKind(name) === null) return [await stagedFile(path, name)];
    const unpacked = await unpackArchive(path, DEFAULT_LIMITS);
    upload.removers.push(unpacked.remove);
    // The archive itself is not needed any more: its files are.
    await rm(path, { force: true });
    const files: UploadFile[] = [];
    for (const f of unpacked.files) {
      if (READABLE.test(f.name)) files.push(await stagedFile(f.path, f.name));
      else upload.skipped.push(f.name);
    }
    upload.skipped.push(...unpacked.skipped.map((entry) => `${name}:${entry}`));
    if (files.length === 0)
      throw fileError(
        "no_files_in_archive",
        `压缩包 ${name} 中没有向导可读的文件（.csv、.tsv、.txt、.xlsx）；.jsonl 与 .xls 请用 recur import 导入或另存为 CSV`,
        `the archive ${name} holds no file the wizard reads (.csv, .tsv, .txt, .xlsx); import .jsonl or .xls with recur import, or save them as CSV`,
      );
    return files;
  };

  /** Adds a received body's files to the upload, in name order; a new first file is detected afresh. */
  const addFiles = async (upload: Upload, path: string, name: string) => {
    const added = await filesOf(upload, path, name);
    const first = upload.files[0];
    const files = [...upload.files, ...added].sort((a, b) => byName(a.name, b.name));
    if (files.length > MAX_FILES)
      throw fileError(
        "too_many_files",
        `一次上传最多 ${MAX_FILES} 个文件（本次 ${files.length} 个）；请分几次导入`,
        `An upload holds at most ${MAX_FILES} files (this one ${files.length}); import them in parts`,
      );
    upload.files = files;
    if (first !== undefined && files[0] !== first) {
      delete upload.headerRow;
      delete upload.sheet;
    }
  };

  const acceptedName = (raw: string) => {
    const name = raw.replace(/[^\w.\-\u4e00-\u9fa5]/g, "_").slice(-100);
    return /\.(csv|txt|tsv|xlsx|xlsm|zip|gz)$/i.test(name) ? name : undefined;
  };
  const notAccepted = (reply: FastifyReply, lang: Lang) =>
    sendError(
      reply,
      400,
      "bad_file",
      "只支持 CSV、XLSX 文件，或装有它们的 .zip、.gz 压缩包",
      "Only CSV or XLSX files, or a .zip or .gz archive of them",
      lang,
    );
  const tooLarge = (reply: FastifyReply, lang: Lang) =>
    sendError(
      reply,
      413,
      "file_too_large",
      `上传超过上限 ${Math.round(maxBytes / 1048576)} MB（一次上传的所有文件合计，压缩包按压缩后大小计）`,
      `The upload exceeds the limit of ${Math.round(maxBytes / 1048576)} MB (all files of one upload together, archives as packed)`,
      lang,
    );
  /** An archive's or a file's own error (encrypted, damaged, no export, too many files) as a 400 with its code. */
  const inputError = (reply: FastifyReply, lang: Lang, error: unknown) => {
    if (error instanceof InputError)
      return reply.status(400).send({ error: { code: error.code, message: error.messages[lang] } });
    throw error;
  };

  app.register(async (scoped) => {
    // Raw bytes up to the limit, read by the import readers, not by fastify.
    // The body stays a stream until the route runs: the login and permission hooks come first, so
    // nobody can make the server hold a large upload in memory; the route streams it to disk.
    scoped.addContentTypeParser("*", (_request, payload, done) => done(null, payload));
    scoped.post(
      "/api/v1/import/uploads",
      { config: { permission: "data.import", audit: "import.upload", query: UploadQuery } },
      async (request, reply) => {
        const lang = langOf(request);
        const q = UploadQuery.safeParse(request.query);
        if (!q.success)
          return sendError(reply, 400, "bad_query", "缺少文件名", "The file name is missing", lang);
        const name = acceptedName(q.data.name);
        if (!name) return notAccepted(reply, lang);
        if (Number(request.headers["content-length"] ?? 0) > maxBytes) return tooLarge(reply, lang);
        await sweep();
        const owner = request.principal!.userId;
        const id = randomUUID();
        const dir = await mkdtemp(join(tmpdir(), "recur-wizard-"));
        const upload: Upload = {
          id,
          owner,
          dir,
          files: [],
          skipped: [],
          received: 0,
          removers: [],
          at: options.clock.now(),
          encoding: "auto",
        };
        let got: Awaited<ReturnType<typeof receive>>;
        try {
          got = await receive(request, join(dir, "0"), name, maxBytes);
        } catch (error) {
          await removeFiles(upload);
          throw error;
        }
        if (got.kind !== "ok") {
          await removeFiles(upload);
          return got.kind === "too_large"
            ? tooLarge(reply, lang)
            : sendError(reply, 400, "empty_file", "文件为空", "The file is empty", lang);
        }
        upload.received = got.size;
        try {
          await addFiles(upload, got.path, name);
        } catch (error) {
          await removeFiles(upload);
          return inputError(reply, lang, error);
        }
        const mine = [...uploads.values()].filter((u) => u.owner === owner && u.job?.state !== "running");
        for (const old of mine.slice(0, Math.max(0, mine.length - UPLOADS_PER_USER + 1))) await drop(old);
        request.auditDetail = {
          upload: id,
          bytes: got.size,
          format: upload.files[0]!.format,
          files: upload.files.length,
          ...(archiveKind(name) ? { archive: name } : {}),
        };
        try {
          const preview = await previewOf(upload);
          uploads.set(id, upload);
          return reply.status(201).send(preview);
        } catch (error) {
          await removeFiles(upload);
          return recurError(reply, lang, error);
        }
      },
    );
    // Several files picked at once: the first makes the upload, each further one is added to it.
    scoped.post(
      "/api/v1/import/uploads/:id/files",
      { config: { permission: "data.import", audit: "import.upload", query: UploadQuery } },
      async (request, reply) => {
        const lang = langOf(request);
        const upload = uploadOf(request, reply);
        if (!upload) return;
        const q = UploadQuery.safeParse(request.query);
        if (!q.success)
          return sendError(reply, 400, "bad_query", "缺少文件名", "The file name is missing", lang);
        const name = acceptedName(q.data.name);
        if (!name) return notAccepted(reply, lang);
        if (upload.job)
          return sendError(
            reply,
            409,
            "already_imported",
            "该上传已经导入或正在导入，不能再添加文件",
            "This upload is being or has been imported; no file can be added",
            lang,
          );
        const budget = maxBytes - upload.received;
        if (Number(request.headers["content-length"] ?? 0) > budget) return tooLarge(reply, lang);
        const folder = join(upload.dir, randomUUID());
        let got: Awaited<ReturnType<typeof receive>>;
        try {
          got = await receive(request, folder, name, budget);
        } catch (error) {
          await rm(folder, { recursive: true, force: true });
          throw error;
        }
        if (got.kind !== "ok") {
          await rm(folder, { recursive: true, force: true });
          return got.kind === "too_large"
            ? tooLarge(reply, lang)
            : sendError(reply, 400, "empty_file", "文件为空", "The file is empty", lang);
        }
        const before = {
          files: upload.files,
          skipped: [...upload.skipped],
          sheet: upload.sheet,
          headerRow: upload.headerRow,
        };
        try {
          await addFiles(upload, got.path, name);
        } catch (error) {
          await rm(folder, { recursive: true, force: true });
          Object.assign(upload, before);
          return inputError(reply, lang, error);
        }
        upload.received += got.size;
        request.auditDetail = { upload: upload.id, bytes: got.size, files: upload.files.length };
        try {
          return await previewOf(upload);
        } catch (error) {
          return recurError(reply, lang, error);
        }
      },
    );
  });

  /** Header, the first rows masked, suggestions, and the distinct values of code-list columns. */
  const previewOf = async (upload: Upload) => {
    const first = upload.files[0]!;
    const { source, header, headerRow, candidates, rows, problems } = await readUpload(upload, SAMPLE_ROWS);
    const widthProblems = problems;
    const suggestion = suggestMapping(header, rows);
    const personal = suggestion.columns.map((c) => c.personal === true);
    const codeLists: Record<string, { value: string; count: number }[]> = {};
    header.forEach((column, i) => {
      const target = suggestion.columns[i]?.target;
      if (personal[i] || target === "caller" || target === "narrative" || target === "feedback") return;
      const values = distinctValues(rows, i, 60);
      if (values && values.length > 0 && values.length < Math.max(2, rows.length))
        codeLists[column] = values.map((v) => ({ value: maskText(v.value), count: v.count }));
    });
    return {
      uploadId: upload.id,
      /** The first file: the preview, header, encoding and suggestions are read from it. */
      file: first.name,
      size: first.size,
      format: first.format,
      /** Every file, in the order they will be imported (one batch each). */
      files: upload.files.map((f) => ({ name: f.name, size: f.size, format: f.format })),
      /** Entries of an archive passed over (not an export the wizard reads). */
      skipped: upload.skipped,
      encoding: source.encoding,
      /** "auto" unless the user chose one. */
      encodingChoice: upload.encoding,
      sheets: first.format === "xlsx" ? await xlsxSheetNames(first.path).catch(() => []) : [],
      sheet: upload.sheet ?? null,
      delimiter: upload.delimiter ?? first.delimiter,
      /** 1 = the first row read; detected unless the user chose it. */
      headerRow,
      headerRowChoice: upload.headerRow ?? null,
      /** The first rows as header choices: their position and first cells. */
      headerCandidates: candidates,
      header,
      sampledRows: rows.length,
      unreadableRows: widthProblems,
      rows: rows.slice(0, PREVIEW_ROWS).map((r) => header.map((_, i) => maskCell(r[i] ?? "", personal[i]!))),
      suggestion,
      codeLists,
      /** The fields a column can be mapped to, and those that take a time format (one list, here). */
      targets: MAPPING_TARGETS,
      formatTargets: FORMAT_TARGETS,
      bundled: bundledProfileNames(),
      // The wizard's category dropdowns: every target with its names in both languages.
      categoryTargets: categoryTargets().map((code) => {
        const [category, subtype] = code.split(".") as [Category, string | undefined];
        const label = subtype ? SUBTYPE_LABELS[code] : CATEGORY_LABELS[category];
        const parent = CATEGORY_LABELS[category];
        return {
          code,
          zh: subtype ? `${parent.zh}/${label?.zh ?? subtype}` : parent.zh,
          en: subtype ? `${parent.en}/${label?.en ?? subtype}` : parent.en,
        };
      }),
    };
  };

  app.post(
    "/api/v1/import/uploads/:id/preview",
    { config: { permission: "data.import", audit: "import.preview", body: RereadBody } },
    async (request, reply) => {
      const lang = langOf(request);
      const upload = uploadOf(request, reply);
      if (!upload) return;
      const body = RereadBody.safeParse(request.body);
      if (!body.success)
        return sendError(reply, 400, "invalid_body", "请求格式错误", "Malformed request", lang);
      const before = {
        encoding: upload.encoding,
        delimiter: upload.delimiter,
        sheet: upload.sheet,
        headerRow: upload.headerRow,
      } as Partial<Upload>;
      // Another encoding, delimiter or sheet makes other rows: the header is detected again.
      if (body.data.encoding || body.data.delimiter || body.data.sheet) delete upload.headerRow;
      if (body.data.encoding) upload.encoding = body.data.encoding;
      if (body.data.delimiter) upload.delimiter = body.data.delimiter;
      if (body.data.sheet) upload.sheet = body.data.sheet;
      if (body.data.headerRow) upload.headerRow = body.data.headerRow;
      try {
        return await previewOf(upload);
      } catch (error) {
        Object.assign(upload, before);
        return recurError(reply, lang, error);
      }
    },
  );

  app.post(
    "/api/v1/import/uploads/:id/distinct",
    { config: { permission: "data.import", audit: "import.preview", body: DistinctBody } },
    async (request, reply) => {
      const lang = langOf(request);
      const upload = uploadOf(request, reply);
      if (!upload) return;
      const body = DistinctBody.safeParse(request.body);
      if (!body.success)
        return sendError(reply, 400, "invalid_body", "请求格式错误", "Malformed request", lang);
      try {
        const { header, rows } = await readUpload(upload, SAMPLE_ROWS * 4);
        const idx = body.data.columns.map((c) => header.indexOf(c));
        if (idx.some((i) => i < 0))
          return sendError(
            reply,
            400,
            "unknown_column",
            "文件中没有该列",
            "No such column in the file",
            lang,
          );
        const joined = rows.map((cells) => [
          idx
            .map((i) => (cells[i] ?? "").trim())
            .filter((p) => p !== "")
            .join(body.data.separator ?? "/"),
        ]);
        const values = distinctValues(joined, 0, 300);
        if (!values)
          return {
            tooMany: true,
            values: [],
          };
        return {
          tooMany: false,
          values: suggestCategoryMap(values).map((v) => ({ ...v, value: maskText(v.value) })),
        };
      } catch (error) {
        return recurError(reply, lang, error);
      }
    },
  );

  app.post(
    "/api/v1/import/uploads/:id/validate",
    { config: { permission: "data.import", audit: "import.validate", body: ValidateBody } },
    async (request, reply) => {
      const lang = langOf(request);
      const store = storeOr503(request, reply);
      if (!store) return;
      const upload = uploadOf(request, reply);
      if (!upload) return;
      const body = ValidateBody.safeParse(request.body);
      if (!body.success)
        return sendError(reply, 400, "invalid_body", "请求格式错误", "Malformed request", lang);
      let resolved: { profile: Profile; label: string };
      try {
        resolved = await resolveProfile(store, body.data.source);
      } catch (error) {
        return profileError(reply, lang, error);
      }
      // The first rows of every file (not the whole of each): a dry run answers in seconds however
      // large the upload, and a file that cannot be read fails on its first rows (docs/dashboard.md).
      const limit = body.data.rows ?? DRY_RUN_ROWS;
      const keys = await secret();
      const locator = await locatorFor(store, resolved.profile);
      const areas = await areasOf(store);
      const several = upload.files.length > 1;
      let seen: Map<string, SqlValue[]> | undefined;
      const files: DryRunFile[] = [];
      const issues: (ReturnType<typeof issueOut> & { file: string })[] = [];
      let mapped: Incident[] = [];
      const issueCounts: Record<string, { errors: number; warnings: number }> = {};
      const unmapped = { category: new Map<string, number>(), department: new Map<string, number>() };
      let areasFromBoundaries: number | null = null;
      for (const file of upload.files) {
        const batchId = asBatchId(`dry-${randomUUID()}`);
        const sink = collectingWriter(
          {
            id: batchId,
            sourceSystem: resolved.profile.sourceSystem,
            profile: resolved.label,
            fileName: file.name,
            fileSha256: "",
            startedAt: options.clock.now(),
          },
          store,
          seen,
        );
        seen = sink.seen;
        try {
          const summary = await importFile({
            path: file.path,
            profile: withDetectedInput(resolved.profile, upload, file),
            profileRef: resolved.label,
            store: { beginBatch: async () => sink.writer },
            batchId,
            keys,
            clock: options.clock,
            locator,
            ...areas,
            maxRows: limit,
            sampleSize: limit * 4,
          });
          const named = (i: IngestIssue) => ({ ...issueOut(i), file: file.name });
          const mine: ReturnType<typeof named>[] = [];
          for (const q of sink.quarantine) for (const i of q.issues) mine.push(named(i as IngestIssue));
          for (const w of summary.sampleWarnings) mine.push(named(w));
          mine.sort((a, b) => (a.row ?? 0) - (b.row ?? 0) || (a.severity === "error" ? -1 : 1));
          issues.push(...mine.slice(0, Math.max(0, 2000 - issues.length)));
          if (mapped.length === 0) mapped = sink.incidents.slice(0, PREVIEW_ROWS);
          for (const [code, counts] of Object.entries(summary.issueCounts)) {
            const sum = issueCounts[code] ?? { errors: 0, warnings: 0 };
            sum.errors += counts?.errors ?? 0;
            sum.warnings += counts?.warnings ?? 0;
            issueCounts[code] = sum;
          }
          for (const key of ["category", "department"] as const)
            for (const v of summary.unmappedValues[key])
              unmapped[key].set(v.value, (unmapped[key].get(v.value) ?? 0) + v.count);
          if (summary.areasFromBoundaries !== undefined)
            areasFromBoundaries = (areasFromBoundaries ?? 0) + summary.areasFromBoundaries;
          files.push({
            name: file.name,
            size: file.size,
            rows: summary.rows,
            valid: summary.rows - summary.rejected,
            rejected: summary.rejected,
            warned: summary.warned,
            duplicates: sink.duplicates(),
            updated: summary.updated,
            stale: summary.stale,
            error: null,
          });
        } catch (error) {
          // One file: its error is the answer, as before. Several: the file is listed with its
          // reason and the others are checked (the import goes on past it too).
          if (!several || !isRecurError(error)) return recurError(reply, lang, error);
          files.push({
            name: file.name,
            size: file.size,
            rows: 0,
            valid: 0,
            rejected: 0,
            warned: 0,
            duplicates: 0,
            updated: 0,
            stale: 0,
            error: { code: error.code, message: error.messages[lang] },
          });
        }
      }
      const total = (key: "rows" | "valid" | "rejected" | "warned" | "duplicates" | "updated" | "stale") =>
        files.reduce((n, f) => n + f[key], 0);
      const valueCounts = (m: Map<string, number>) =>
        [...m].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count);
      return {
        profile: profileJsonOf(body.data.source, resolved.profile),
        label: resolved.label,
        /** Rows tried in each file (at most): the first `rowsPerFile` rows of every file. */
        rowsPerFile: limit,
        // Totals over the files; `files` has each file's figures, or why it cannot be read.
        rows: total("rows"),
        valid: total("valid"),
        rejected: total("rejected"),
        warned: total("warned"),
        duplicates: total("duplicates"),
        updated: total("updated"),
        stale: total("stale"),
        files,
        failedFiles: files.filter((f) => f.error !== null).length,
        issueCounts,
        issues,
        mapped: mapped.map(mappedRow),
        // Every unmapped value of the rows tried (masked by the pipeline), not only those sampled.
        unmappedCategories: valueCounts(unmapped.category),
        unmappedDepartments: valueCounts(unmapped.department),
        // Rows whose area would come from the store's area boundaries; null without boundaries.
        areasFromBoundaries,
      };
    },
  );

  app.post(
    "/api/v1/import/uploads/:id/import",
    { config: { permission: "data.import", audit: "data.import", body: ImportBody } },
    async (request, reply) => {
      const lang = langOf(request);
      const store = storeOr503(request, reply);
      if (!store) return;
      const upload = uploadOf(request, reply);
      if (!upload) return;
      // A failed import may be tried again (with a corrected profile); a running or finished one not.
      if (upload.job && upload.job.state !== "failed")
        return sendError(
          reply,
          409,
          "already_imported",
          "该文件已经导入或正在导入",
          "This file is being or has been imported",
          lang,
        );
      const body = ImportBody.safeParse(request.body);
      if (!body.success)
        return sendError(reply, 400, "invalid_body", "请求格式错误", "Malformed request", lang);
      let resolved: { profile: Profile; label: string };
      try {
        resolved = await resolveProfile(store, body.data.source);
      } catch (error) {
        return profileError(reply, lang, error);
      }
      // One batch per file, as `recur import` makes them: each its own checksum, quarantine and report.
      const files: JobFile[] = upload.files.map((f) => ({
        name: f.name,
        size: f.size,
        batchId: randomUUID(),
        state: "waiting",
      }));
      request.auditDetail = {
        upload: upload.id,
        batch: files[0]!.batchId,
        ...(files.length > 1 ? { batches: files.map((f) => f.batchId).join(","), files: files.length } : {}),
        profile: resolved.label,
      };
      const job: ImportJob = {
        state: "running",
        rows: 0,
        bytesRead: 0,
        totalBytes: files.reduce((n, f) => n + f.size, 0),
        current: 0,
        files,
      };
      upload.job = job;
      const keys = await secret();
      // Checked before the batch: a store keyed by other address rules stays marked until a rekey.
      const staleKeys = await addressKeysStale(store);
      const locator = await locatorFor(store, resolved.profile);
      const areas = await areasOf(store);
      // The import runs on; the browser polls GET /api/v1/import/jobs/:id for progress and the report.
      void (async () => {
        let rowsBefore = 0;
        let bytesBefore = 0;
        for (const [index, file] of upload.files.entries()) {
          const jobFile = files[index]!;
          job.current = index;
          jobFile.state = "running";
          try {
            const summary = await importFile({
              path: file.path,
              profile: withDetectedInput(resolved.profile, upload, file),
              profileRef: resolved.label,
              store,
              batchId: asBatchId(jobFile.batchId),
              keys,
              clock: options.clock,
              locator,
              ...areas,
              sampleSize: 200,
              onProgress: (p) => {
                job.rows = rowsBefore + p.rows;
                job.bytesRead = bytesBefore + Math.min(file.size, p.bytesRead);
              },
            });
            jobFile.state = "done";
            jobFile.summary = summary;
            rowsBefore += summary.rows;
          } catch (error) {
            // A file that fails is reported and the next one imported, as `recur import` does.
            jobFile.state = "failed";
            jobFile.error = jobError(error);
          }
          bytesBefore += file.size;
          job.rows = rowsBefore;
          job.bytesRead = bytesBefore;
        }
        const done = files.filter((f) => f.state === "done").length;
        if (done === 0) {
          job.state = "failed";
          job.error =
            files.length === 1
              ? files[0]!.error!
              : {
                  code: "all_files_failed",
                  message: {
                    zh: `${files.length} 个文件都未能导入（各文件原因见报告）`,
                    en: `None of the ${files.length} files could be imported (each file's reason is in the report)`,
                  },
                };
          return;
        }
        if (!staleKeys) await recordAddressRules(store).catch(() => undefined);
        job.state = "done";
        options.imported?.(store);
        // The staged files are not needed any more (rejected rows are in the quarantine); a file
        // that failed is sent again in a new upload.
        void removeFiles(upload);
      })();
      return reply.status(202).send({ jobId: upload.id, batchId: files[0]!.batchId });
    },
  );

  app.get("/api/v1/import/jobs/:id", { config: { permission: "data.import" } }, async (request, reply) => {
    const lang = langOf(request);
    const upload = uploadOf(request, reply);
    if (!upload) return;
    const job = upload.job;
    if (!job)
      return sendError(reply, 404, "no_job", "该文件尚未开始导入", "This file is not being imported", lang);
    const reports = job.files.map((f) => (f.summary ? importReport(f.summary) : null));
    const sum = (key: "rows" | "imported" | "rejected" | "duplicates" | "updated" | "stale" | "warned") =>
      reports.reduce((n, r) => n + (r?.[key] ?? 0), 0);
    const current = job.files[job.current];
    return {
      state: job.state,
      rows: job.rows,
      bytesRead: job.bytesRead,
      totalBytes: job.totalBytes,
      /** The file being imported (1-based) of `fileCount`, and its name: "2/12". */
      file: job.current + 1,
      fileCount: job.files.length,
      fileName: current?.name ?? null,
      // An upload of one file: its report, as before; several: each in `files`, and `totals`.
      report: job.files.length === 1 && reports[0] ? reports[0] : null,
      files: job.files.map((f, i) => ({
        name: f.name,
        size: f.size,
        batchId: f.batchId,
        state: f.state,
        report: reports[i] ?? null,
        error: f.error ? { code: f.error.code, message: f.error.message[lang] } : null,
      })),
      totals: {
        files: job.files.length,
        doneFiles: job.files.filter((f) => f.state === "done").length,
        failedFiles: job.files.filter((f) => f.state === "failed").length,
        rows: sum("rows"),
        imported: sum("imported"),
        rejected: sum("rejected"),
        duplicates: sum("duplicates"),
        updated: sum("updated"),
        stale: sum("stale"),
        warned: sum("warned"),
        seconds: reports.reduce((n, r) => n + (r?.seconds ?? 0), 0),
      },
      error: job.error ? { code: job.error.code, message: job.error.message[lang] } : null,
    };
  });

  app.get(
    "/api/v1/import/batches/:id/rejected.csv",
    { config: { permission: "data.import", audit: "import.rejected.export" } },
    async (request, reply) => {
      const lang = langOf(request);
      const store = storeOr503(request, reply);
      if (!store) return;
      const id = asBatchId((request.params as { id: string }).id);
      const batch = (await store.batches.list()).find((b) => b.id === id);
      if (!batch)
        return sendError(reply, 404, "batch_not_found", "找不到该导入批次", "No such import batch", lang);
      const rows = await store.quarantine.list(id, 100_000);
      const { encKey } = await secret();
      // The rejected records are decrypted for the person who imported them, to fix and import again.
      const records = rows.map((r) => {
        try {
          const parsed = JSON.parse(decryptField(r.recordEnc, encKey)) as Record<string, unknown>;
          return parsed && typeof parsed === "object" ? parsed : {};
        } catch {
          return {};
        }
      });
      const columns: string[] = [];
      for (const rec of records) for (const k of Object.keys(rec)) if (!columns.includes(k)) columns.push(k);
      const head =
        lang === "zh"
          ? ["文件", "行号", "字段", "问题代码", "原因"]
          : ["file", "row", "field", "code", "reason"];
      const lines = [[...head, ...columns].map(csvCell).join(",")];
      rows.forEach((r, i) => {
        const issues = r.issues as IngestIssue[];
        const errors = issues.filter((x) => x.severity === "error");
        const shown = errors.length > 0 ? errors : issues;
        const rec = records[i]!;
        lines.push(
          [
            r.file,
            r.row,
            [...new Set(shown.map((x) => x.field ?? ""))].join("; "),
            [...new Set(shown.map((x) => x.code))].join("; "),
            shown.map((x) => renderIssue(withoutFile(withMaskedValue(x)), INGEST_MESSAGES, lang)).join("; "),
            ...columns.map((c) => {
              const v = rec[c];
              return Array.isArray(v) ? v.join(" ") : (v ?? "");
            }),
          ]
            .map(csvCell)
            .join(","),
        );
      });
      request.auditDetail = { batch: id, rows: rows.length };
      reply.header("Content-Disposition", `attachment; filename="rejected-${id.slice(0, 8)}.csv"`);
      reply.header("Cache-Control", "no-store");
      reply.type("text/csv; charset=utf-8");
      return `\ufeff${lines.join("\r\n")}\r\n`;
    },
  );

  // ---- saved profiles (admin page and the wizard's "save") ----
  app.get(
    "/api/v1/profiles",
    { config: { permission: "profiles.manage", audit: "profiles.list" } },
    async (request, reply) => {
      const store = storeOr503(request, reply);
      if (!store) return;
      const bundled = await Promise.all(
        bundledProfileNames().map(async (name) => {
          const p = await loadProfile(name);
          return { name, description: p.description ?? null, sourceSystem: p.sourceSystem };
        }),
      );
      return { bundled, saved: await profileRepository(store).list() };
    },
  );

  app.get(
    "/api/v1/profiles/bundled/:name",
    { config: { permission: "profiles.manage" } },
    async (request, reply) => {
      const name = (request.params as { name: string }).name;
      if (!bundledProfileNames().includes(name))
        return sendError(
          reply,
          404,
          "profile_not_found",
          "没有该内置配置",
          "No such bundled profile",
          langOf(request),
        );
      return {
        name,
        profile: JSON.parse(await readFile(join(BUNDLED_PROFILES_DIR, `${name}.json`), "utf8")),
      };
    },
  );

  app.get(
    "/api/v1/profiles/:id",
    { config: { permission: "profiles.manage", audit: "profile.view" } },
    async (request, reply) => {
      const store = storeOr503(request, reply);
      if (!store) return;
      const saved = await profileRepository(store).get((request.params as { id: string }).id);
      if (!saved)
        return sendError(reply, 404, "profile_not_found", "找不到该配置", "No such profile", langOf(request));
      const { json, ...rest } = saved;
      return { ...rest, profile: JSON.parse(json) };
    },
  );

  const saveProfile = async (request: FastifyRequest, reply: FastifyReply, id: string | undefined) => {
    const lang = langOf(request);
    const store = storeOr503(request, reply);
    if (!store) return;
    const body = SaveProfileBody.safeParse(request.body);
    if (!body.success)
      return sendError(reply, 400, "invalid_body", "请求格式错误", "Malformed request", lang);
    const checked = ProfileSchema.safeParse(body.data.profile);
    if (!checked.success) {
      const lines = profileIssueLines(checked.error);
      return reply.status(400).send({
        error: {
          code: "bad_profile",
          message: `${lang === "zh" ? "配置无效" : "The profile is invalid"}: ${lines.join("; ")}`,
          issues: lines.map((line) => ({
            row: null,
            field: line.split(":")[0] ?? null,
            code: "bad_profile",
            message: line,
          })),
        },
      });
    }
    const name = checked.data.name;
    if (bundledProfileNames().includes(name))
      return sendError(
        reply,
        409,
        "name_taken",
        `名称 ${name} 已被内置配置使用`,
        `The name ${name} belongs to a bundled profile`,
        lang,
      );
    const description =
      typeof checked.data.description === "string"
        ? checked.data.description
        : (checked.data.description?.[lang] ?? null);
    const change = {
      name,
      description,
      json: JSON.stringify(body.data.profile, null, 2),
      by: request.principal!.userId,
      at: options.clock.now(),
    };
    const repo = profileRepository(store);
    const result =
      id === undefined
        ? await repo.create({ id: randomUUID(), ...change })
        : await repo.update(id, body.data.version ?? 0, change);
    if (!result.ok) {
      const [status, zh, en] = {
        name_taken: [409, `已有名为 ${name} 的配置`, `A profile named ${name} exists`],
        not_found: [404, "找不到该配置", "No such profile"],
        version_conflict: [
          409,
          "该配置已被他人修改，请重新打开后再保存",
          "Someone changed this profile meanwhile; reopen it and save again",
        ],
      }[result.reason] as [number, string, string];
      return sendError(reply, status, result.reason, zh, en, lang);
    }
    const { json, ...rest } = result.value;
    request.auditDetail = { profile: rest.id, name };
    return reply.status(id === undefined ? 201 : 200).send({ ...rest, profile: JSON.parse(json) });
  };

  app.post(
    "/api/v1/profiles",
    { config: { permission: "profiles.manage", audit: "profile.create", body: SaveProfileBody } },
    (request, reply) => saveProfile(request, reply, undefined),
  );
  app.put(
    "/api/v1/profiles/:id",
    { config: { permission: "profiles.manage", audit: "profile.update", body: SaveProfileBody } },
    (request, reply) => saveProfile(request, reply, (request.params as { id: string }).id),
  );
  app.delete(
    "/api/v1/profiles/:id",
    { config: { permission: "profiles.manage", audit: "profile.delete" } },
    async (request, reply) => {
      const store = storeOr503(request, reply);
      if (!store) return;
      const removed = await profileRepository(store).remove((request.params as { id: string }).id);
      if (!removed)
        return sendError(reply, 404, "profile_not_found", "找不到该配置", "No such profile", langOf(request));
      return { ok: true };
    },
  );
}

/** A profile error as 400/404 with the path of each bad key, in the user's language. */
function profileError(reply: FastifyReply, lang: Lang, error: unknown) {
  const e = error as { statusCode?: number; code?: string };
  if (e.statusCode === 404)
    return sendError(reply, 404, "profile_not_found", "找不到该配置", "No such profile", lang);
  if (isRecurError(error))
    return reply.status(400).send({ error: { code: error.code, message: error.messages[lang] } });
  throw error;
}

/** The profile JSON to show and save: the draft as given, or the one built from the wizard's mapping. */
function profileJsonOf(ref: ProfileRefT, profile: Profile): unknown {
  if (ref.kind === "mapping") return wizardProfile(ref.mapping);
  if (ref.kind === "profile") return ref.profile;
  return profile;
}

/** The wizard's upload knows its format and delimiter; a profile that says "auto" takes them. */
/**
 * The staged file's rows as the wizard sees them: read with an input-only stand-in profile (no
 * columns, so the reader takes the first row as the header), then the header row the user chose,
 * or the detected one, with the rows above it left out. At most `max` data rows.
 */
async function readUpload(upload: Upload, max: number) {
  // The first file stands for all: the mapping made on it applies to every file of the upload.
  const file = upload.files[0]!;
  const probe = {
    input: {
      format: file.format,
      encoding: upload.encoding,
      delimiter: upload.delimiter ?? file.delimiter,
      ...(upload.sheet ? { sheet: upload.sheet } : {}),
    },
  } as unknown as Profile;
  const source = await openSource(file.path, probe, DEFAULT_LIMITS);
  const all: string[][] = [[...source.header]];
  let problems = 0;
  outer: for await (const batch of source.batches)
    for (const record of batch) {
      if (record.problem) problems++;
      all.push([...record.cells]);
      if (all.length >= max + HEADER_ROWS) break outer;
    }
  const detected = headerRowOf(all);
  const chosen =
    upload.headerRow !== undefined && upload.headerRow <= all.length ? upload.headerRow - 1 : null;
  const at = chosen ?? detected;
  // Trimmed as the readers trim a header (zero-width spaces too), so a mapping made on it fits the import.
  const header = (all[at] ?? []).map(trimCell);
  const rows = all.slice(at + 1, at + 1 + max);
  const candidates = all.slice(0, HEADER_ROWS).map((cells, i) => ({
    row: i + 1,
    cells: cells.filter((c) => c.trim() !== "").length,
    text: cells
      .map((c) => c.trim())
      .filter((c) => c !== "")
      .slice(0, 4)
      .map((c) => maskText(c).slice(0, 24))
      .join(" | "),
  }));
  return { source, header, headerRow: at + 1, candidates, rows, problems };
}

/** A cell that is a number, a date or a time (data, not a column name). */
const NUMERIC_CELL = /^[\d\s\-+/:.,年月日时分秒TZ]+$/;

/**
 * The index of the header among the first rows (30, as src/ingest/open.ts looks through): the
 * first row with at least two non-empty cells, at least as many as the median of the 30 rows after
 * it, all distinct, and fewer than half of them numbers, dates or times. A title row ("2024年5月
 * 警情登记表" over the whole width) or the export's query has one cell; a data row repeats or holds
 * numbers and times. 0 (the first row) when no row qualifies.
 *
 * @example headerRowOf([["2024年5月警情登记表"], ["编号", "时间"], ["A1", "2024/5/1 8:00"]]) // 1
 */
export function headerRowOf(rows: readonly (readonly string[])[]): number {
  const filled = rows.map((cells) => cells.map((c) => c.trim()).filter((c) => c !== ""));
  for (let i = 0; i < Math.min(HEADER_ROWS, rows.length); i++) {
    const cells = filled[i] ?? [];
    if (cells.length < 2 || new Set(cells).size < cells.length) continue;
    if (cells.filter((c) => NUMERIC_CELL.test(c)).length * 2 >= cells.length) continue;
    const later = filled
      .slice(i + 1, i + 1 + HEADER_ROWS)
      .map((c) => c.length)
      .sort((a, b) => a - b);
    const median = later.length === 0 ? 0 : (later[Math.floor((later.length - 1) / 2)] ?? 0);
    if (cells.length >= median) return i;
  }
  return 0;
}

function withDetectedInput(profile: Profile, upload: Upload, file: UploadFile): Profile {
  const input = profile.input ?? {};
  return {
    ...profile,
    input: {
      ...input,
      // The wizard takes CSV and XLSX only and knows which one this file is.
      format: file.format,
      ...(file.format === "csv" && !input.delimiter ? { delimiter: upload.delimiter ?? file.delimiter } : {}),
      ...(upload.sheet && input.sheet === undefined ? { sheet: upload.sheet } : {}),
      // An encoding the user chose in the wizard wins over the profile's "auto".
      ...(upload.encoding !== "auto" && (input.encoding ?? "auto") === "auto"
        ? { encoding: upload.encoding }
        : {}),
    },
  };
}

/**
 * The line to sniff the delimiter on: of the first 30, the one with the most delimiters, so that a
 * title line above the header ("2024年5月警情登记表", no delimiter) does not decide it.
 */
function headerLine(bytes: Buffer): string {
  const lines = bytes
    .subarray(0, 64 * 1024)
    .toString("latin1")
    .split(/\r?\n/)
    .slice(0, HEADER_ROWS);
  const delimiters = (line: string) => line.split(/[,;\t|]/).length - 1;
  return lines.reduce((best, line) => (delimiters(line) > delimiters(best) ? line : best), lines[0] ?? "");
}

/** An issue without its file name (the report names the file once). */
function withoutFile(issue: IngestIssue): IngestIssue {
  const { file: _file, ...rest } = issue;
  return rest;
}

/**
 * The worksheet names of an XLSX file, in the order of its tabs (the same reading as the import's,
 * src/ingest/readers/xlsx-parts.ts), after the zip-bomb guard of the upload's first preview. Tabs
 * Excel does not show are left out (unless all are hidden), so that the first listed is the sheet
 * the import reads when none is chosen.
 */
export async function xlsxSheetNames(path: string): Promise<string[]> {
  const parts = await openXlsxZip(path);
  try {
    const { sheets } = await readWorkbookInfo(parts);
    const shown = sheets.filter((sheet) => !sheet.hidden);
    return (shown.length > 0 ? shown : sheets).map((sheet) => sheet.name);
  } finally {
    parts.zip.close();
  }
}
