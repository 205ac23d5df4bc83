/**
 * The import thread of `recur import` (import.ts starts it). It loads only what an import needs
 * (ingest, the address locator, the store), not the CLI, and it starts loading while the command
 * still checks its arguments: module loading through tsx is most of the command's fixed cost.
 */
import { randomUUID } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import { inspect } from "node:util";
import { isMainThread, parentPort } from "node:worker_threads";
import type { PlaceDictionary } from "../../address/dictionary.ts";
import { jurisdictions } from "../../address/geo.ts";
import { createAddressLocator } from "../../address/locator.ts";
import type { TaggerModel } from "../../address/tagger.ts";
import { asBatchId, asEpochMs, type Clock, isRecurError, type Lang } from "../../domain/index.ts";
import { type ImportProgress, type ImportSummary, importFile } from "../../ingest/pipeline.ts";
import { DEFAULT_SECRET_FILE, loadOrCreateSecret } from "../../ingest/privacy/secret.ts";
import { loadProfile } from "../../ingest/profile/load.ts";
import type { EncodingName } from "../../ingest/readers/encoding.ts";
import { loadJurisdictions } from "../../store/area-boundaries.ts";
import { addressKeysStale, DEFAULT_DB_PATH, openStore, recordAddressRules } from "../../store/index.ts";
import { loadPlaceDictionary, savePlaceDictionary } from "../../store/place-dictionary.ts";
import { useGazetteerCache } from "../gazetteer-cache.ts";
import { nationalVillages } from "../village-register.ts";

const wallClock: Clock = { now: () => asEpochMs(Date.now()) };

/** What the import thread needs; plain data, so it crosses to the worker. */
export interface ImportJob {
  readonly path: string;
  readonly profileRef: string;
  readonly cwd: string;
  /** --db as given (default ./recur.db), resolved against cwd here. */
  readonly db?: string;
  /** --secret as given. */
  readonly secret?: string;
  /** RECUR_SECRET as given. */
  readonly envSecret?: string;
  readonly databaseUrl?: string;
  readonly encoding?: EncodingName;
  readonly chunkRows?: number;
  readonly maxRows?: number;
  /** A place dictionary file (--dict), already read and repaired: it becomes the store's. */
  readonly dictionary?: PlaceDictionary;
  /** The deployment's address tagger (--model), already read and checked; else the rule parser. */
  readonly model?: TaggerModel;
  /**
   * Community police area boundaries of --areas (GeoJSON already read, checked and in WGS-84) and
   * their id property, for this import only; without them the store's boundaries are used.
   */
  readonly areas?: {
    readonly geojson: { readonly features: readonly unknown[] };
    readonly idProperty: string;
  };
}

/** From the main thread: a job (one file; several follow one another), or the end ("cancel"). */
export type JobMessage = { readonly kind: "job"; readonly job: ImportJob } | { readonly kind: "cancel" };

export type WorkerMessage =
  | { readonly kind: "progress"; readonly progress: ImportProgress }
  | {
      readonly kind: "done";
      readonly summary: ImportSummary & {
        readonly addressKeysStale: boolean;
        /** --dict FILE replaced the store's place dictionary. */
        readonly dictionaryReplaced?: boolean;
      };
    }
  | { readonly kind: "recur-error"; readonly code: string; readonly messages: Record<Lang, string> }
  | {
      readonly kind: "crash";
      readonly message: string;
      readonly stack?: string;
      /** The error's cause as `util.inspect` shows it (a thread passes no Error across intact). */
      readonly cause?: string;
      /** A system error's code (`EISDIR`, `SQLITE_FULL` …). */
      readonly code?: string;
    };

/** The secret sits next to the database unless --secret or RECUR_SECRET says otherwise. */
function secretPath(job: ImportJob, dbPath: string): string {
  if (job.secret !== undefined) return resolve(job.cwd, job.secret);
  if (job.envSecret) return resolve(job.cwd, job.envSecret);
  return job.databaseUrl ? resolve(job.cwd, DEFAULT_SECRET_FILE) : join(dirname(dbPath), DEFAULT_SECRET_FILE);
}

/** Opens the store and the secret, and imports. */
async function runJob(
  job: ImportJob,
  onProgress: (p: ImportProgress) => void,
): Promise<ImportSummary & { readonly addressKeysStale: boolean; readonly dictionaryReplaced?: boolean }> {
  const dbPath = resolve(job.cwd, job.db ?? DEFAULT_DB_PATH);
  const profile = await loadProfile(job.profileRef, job.cwd);
  const keys = await loadOrCreateSecret(secretPath(job, dbPath));
  // The command reads nothing while its batch is open: when no one else has the SQLite file
  // open, the batch skips the WAL (docs/store.md, "Exclusive stores").
  const store = await openStore({
    path: dbPath,
    exclusive: true,
    ...(job.databaseUrl ? { databaseUrl: job.databaseUrl } : {}),
  });
  try {
    // --dict FILE makes the file the store's place dictionary; without it the store's is used, the
    // one every import, rekey and dispatch check keys with (src/store/place-dictionary.ts).
    const dictionaryReplaced = job.dictionary
      ? (await savePlaceDictionary(store, job.dictionary)).changed
      : false;
    const dictionary = job.dictionary ?? (await loadPlaceDictionary(store));
    // Community police area boundaries: --areas FILE for this import, else the store's (`recur
    // areas set`, src/store/area-boundaries.ts), as the dashboard's imports and the API use them.
    const areas = job.areas
      ? jurisdictions(job.areas.geojson, job.areas.idProperty)
      : await loadJurisdictions(store);
    // A store keyed by other address rules (or another dictionary) stays marked so until
    // `recur address rekey` runs over it.
    const stale = await addressKeysStale(store);
    const summary = await importFile({
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
        dictionary,
        ...(job.model ? { model: job.model } : {}),
        ...(job.model?.villages ? { villages: nationalVillages() } : {}),
      }),
      ...(job.encoding ? { encoding: job.encoding } : {}),
      ...(job.chunkRows ? { chunkRows: job.chunkRows } : {}),
      ...(job.maxRows !== undefined ? { maxRows: job.maxRows } : {}),
      ...(areas ? { areas } : {}),
      onProgress,
    });
    if (!stale) await recordAddressRules(store);
    return { ...summary, addressKeysStale: stale, ...(dictionaryReplaced ? { dictionaryReplaced } : {}) };
  } finally {
    await store.close();
  }
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  // The thread's own gazetteers (modules are per thread) read and keep snapshots as the command's do.
  useGazetteerCache();
  const post = (message: WorkerMessage) => port.postMessage(message);
  // One job at a time, as many as the command sends (`recur import` of several files: one batch
  // each, in order, in this thread with its modules loaded once); "cancel" ends the thread.
  let running: Promise<void> = Promise.resolve();
  port.on("message", (message: JobMessage) => {
    if (message.kind !== "job") {
      port.close();
      return;
    }
    running = running.then(() =>
      runJob(message.job, (progress) => post({ kind: "progress", progress })).then(
        (summary) => post({ kind: "done", summary }),
        (error: unknown) =>
          post(
            isRecurError(error)
              ? { kind: "recur-error", code: error.code, messages: { ...error.messages } }
              : {
                  kind: "crash",
                  message: String((error as Error)?.message ?? error),
                  stack: (error as Error)?.stack ?? "",
                  ...(typeof (error as { code?: unknown } | null)?.code === "string"
                    ? { code: (error as { code: string }).code }
                    : {}),
                  ...((error as Error)?.cause !== undefined
                    ? { cause: inspect((error as Error).cause) }
                    : {}),
                },
          ),
      ),
    );
  });
}
