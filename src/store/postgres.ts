import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { Incident } from "../domain/index.ts";
import { BatchUpdates } from "./batch-updates.ts";
import { batchClosedError, batchExistsError, batchMismatchError, storeOpenError } from "./errors.ts";
import { IncidentMerger, RETENTION_KEYS, retentionFrom } from "./incident-merge.mjs";
import { BatchRollups, batchTx } from "./indicator-rollups.ts";
import { migrateToLatest } from "./migrate.ts";
import {
  batchRepository,
  incidentRepository,
  quarantineRepository,
  settingsRepository,
} from "./repositories.ts";
import { INCIDENT_COLUMN_NAMES, INCIDENT_COLUMNS, quarantineToRow } from "./rows.ts";
import type { Database } from "./schema.ts";
import type { InsertOutcome } from "./sqlite-executor.mjs";
import type {
  Batch,
  BatchSummary,
  BatchUpdateCounts,
  BatchWriter,
  NewBatch,
  QuarantinedRow,
  Store,
} from "./types.ts";

type Value = string | number | null;
type MutableOutcome = { -readonly [K in keyof InsertOutcome]: InsertOutcome[K] };

/** Rows per INSERT ... SELECT FROM unnest(...): 33 array parameters whatever the row count. */
const ROWS_PER_STATEMENT = 5000;
const INT8_OID = 20;

/**
 * pg returns int8 (bigint, count(*)) as strings to protect values above 2^53. Every int8 in
 * recur is an epoch-ms time or a count, far below that, so they are parsed to numbers here,
 * for this pool only (the global pg.types stay untouched).
 */
const parseInt8 = (value: string): number => Number(value);
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID
      ? parseInt8
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig["getTypeParser"],
};

const INSERT_INCIDENTS =
  `INSERT INTO incidents (${INCIDENT_COLUMN_NAMES.join(",")}) ` +
  `SELECT * FROM unnest(${INCIDENT_COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(",")}) ` +
  // The keys of the rows it inserted: the others of the statement are known one by one.
  "ON CONFLICT (source_system, source_id) DO NOTHING RETURNING source_system, source_id";
const INSERT_QUARANTINE =
  "INSERT INTO quarantine (batch_id, file, row, issues, record_enc) " +
  "SELECT * FROM unnest($1::text[], $2::text[], $3::int4[], $4::text[], $5::text[]) AS r(batch_id, file, row, issues, record_enc) " +
  // A row an earlier batch of the same file (same source system and SHA-256) quarantined stays once.
  "WHERE NOT EXISTS (SELECT 1 FROM quarantine q WHERE q.batch_id = ANY($6::text[]) AND q.row = r.row)";
/**
 * Stored incidents of earlier batches with the keys of a statement (the rows that may be merged),
 * locked in key order: a concurrent batch updating the same calls waits for this one, then reads
 * what it left, so that no merge works from a row version another batch has since replaced.
 */
const SELECT_STORED =
  `SELECT ${INCIDENT_COLUMN_NAMES.join(",")} FROM incidents ` +
  "WHERE (source_system, source_id) IN (SELECT * FROM unnest($1::text[], $2::text[])) AND batch_id <> $3 " +
  "ORDER BY source_system, source_id FOR UPDATE";
/** Incidents this batch inserted with some of a statement's keys (a key repeated in the file). */
const SELECT_OWN =
  `SELECT ${INCIDENT_COLUMN_NAMES.join(",")} FROM incidents ` +
  "WHERE (source_system, source_id) IN (SELECT * FROM unnest($1::text[], $2::text[])) AND batch_id = $3";
const INSERT_REVISIONS =
  "INSERT INTO incident_revisions (incident_id, batch_id, columns, previous) " +
  "SELECT r.incident_id, $2, r.columns, r.previous FROM unnest($1::text[], $3::text[], $4::text[]) AS r(incident_id, columns, previous)";
/**
 * The merged rows of a chunk's updates in one statement: every column but the key, the id and
 * the first batch is set to the merged value (PostgreSQL writes a whole new row version anyway).
 */
const UPDATE_MERGED =
  `UPDATE incidents AS i SET ${INCIDENT_COLUMN_NAMES.filter(
    (c) => !["id", "source_system", "source_id", "batch_id"].includes(c),
  )
    .map((c) => `${c} = v.${c}`)
    .join(", ")} ` +
  `FROM unnest(${INCIDENT_COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(",")}) AS v(${INCIDENT_COLUMN_NAMES.join(",")}) ` +
  "WHERE i.source_system = v.source_system AND i.source_id = v.source_id";
const SOURCE_SYSTEM = INCIDENT_COLUMN_NAMES.indexOf("source_system");
const SOURCE_ID = INCIDENT_COLUMN_NAMES.indexOf("source_id");
const BATCH_ID = INCIDENT_COLUMN_NAMES.indexOf("batch_id");

/** The URL with its password hidden, for messages. */
function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, "$1***@");
}

/**
 * The schema recur's tables go to: the first of the search_path. A deployment may name its own
 * (`?options=-c search_path=recur` in the URL); it is created when missing.
 */
async function currentSchema(pool: pg.Pool): Promise<string> {
  const current = (await pool.query<{ schema: string | null }>("SELECT current_schema() AS schema")).rows[0]
    ?.schema;
  if (current) return current;
  const path =
    (await pool.query<{ path: string }>("SELECT current_setting('search_path') AS path")).rows[0]?.path ?? "";
  const wanted = path
    .split(",")
    .map((s) => s.trim().replace(/^"(.*)"$/, "$1"))
    .find((s) => s !== "" && s !== "$user");
  if (!wanted) throw new Error("search_path names no schema");
  await pool.query(`CREATE SCHEMA IF NOT EXISTS "${wanted.replaceAll('"', '""')}"`);
  return wanted;
}

/** Opens the PostgreSQL store at `url` (a libpq URL) and migrates it. */
export async function openPostgresStore(url: string, migrate = true): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, types, max: 10 });
  // An idle client that loses its server must not crash the process (pg emits 'error').
  pool.on("error", () => {});
  let schema: string;
  try {
    schema = await currentSchema(pool);
  } catch (error) {
    await pool.end().catch(() => {});
    throw storeOpenError(redactUrl(url), error instanceof Error ? error.message : String(error));
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  if (migrate) {
    try {
      await migrateToLatest(db as Kysely<unknown>, { schema });
    } catch (error) {
      await db.destroy();
      throw error;
    }
  }
  const open = new Set<PgBatchWriter>();

  return {
    dialect: "postgres",
    db,
    incidents: incidentRepository(db),
    batches: batchRepository(db),
    quarantine: quarantineRepository(db),
    settings: settingsRepository(db),
    async beginBatch(batch) {
      const writer = await PgBatchWriter.begin(pool, batch, (w) => open.delete(w));
      open.add(writer);
      return writer;
    },
    async close() {
      for (const writer of [...open]) await writer.rollback();
      await db.destroy();
    },
  };
}

/**
 * One batch = one PostgreSQL transaction on a dedicated pooled client. If the process dies,
 * the server sees the connection drop and aborts the transaction: nothing of it remains.
 */
class PgBatchWriter implements BatchWriter {
  #open = true;
  /** Indicator rollups of the rows this batch inserts, written just before COMMIT. */
  readonly #rollups: BatchRollups;
  /** Stored incidents this batch updates (later exports of the same calls). */
  readonly #updates: BatchUpdates;
  /** The insertIncidents call before this one: calls apply in order (BatchWriter). */
  #previous: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly client: pg.PoolClient,
    readonly batch: NewBatch,
    private readonly onEnd: (writer: PgBatchWriter) => void,
    /** Earlier batches of the same file from the same source system (their quarantine is kept once). */
    private readonly sameFile: readonly string[],
    /** Merges later exports into stored calls, with the store's retention cutoffs. */
    private readonly merger: IncidentMerger,
  ) {
    this.#rollups = new BatchRollups(batch.id);
    this.#updates = new BatchUpdates(this.#rollups);
  }

  get updates(): BatchUpdateCounts {
    return { updated: this.#updates.updated, stale: this.#updates.stale };
  }

  static async begin(
    pool: pg.Pool,
    batch: NewBatch,
    onEnd: (w: PgBatchWriter) => void,
  ): Promise<PgBatchWriter> {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(
        "INSERT INTO import_batches (id, source_system, profile, file_name, file_sha256, started_at) VALUES ($1, $2, $3, $4, $5, $6)",
        [batch.id, batch.sourceSystem, batch.profile, batch.fileName, batch.fileSha256, batch.startedAt],
      );
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      client.release();
      throw (error as { code?: string }).code === "23505" ? batchExistsError(batch.id) : error;
    }
    let sameFile: string[];
    const merger = new IncidentMerger(INCIDENT_COLUMN_NAMES);
    try {
      sameFile = (
        await client.query<{ id: string }>(
          "SELECT id FROM import_batches WHERE source_system = $1 AND file_sha256 = $2 AND id <> $3",
          [batch.sourceSystem, batch.fileSha256, batch.id],
        )
      ).rows.map((r) => r.id);
      merger.retention = retentionFrom(
        (
          await client.query<{ key: string; value: string }>(
            "SELECT key, value FROM settings WHERE key IN ($1, $2)",
            [RETENTION_KEYS.callerBefore, RETENTION_KEYS.narrativeBefore],
          )
        ).rows,
      );
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      client.release();
      throw error;
    }
    return new PgBatchWriter(client, batch, onEnd, sameFile, merger);
  }

  insertIncidents(rows: readonly Incident[]): Promise<number> {
    // One call after the other: pg queues each query as it is sent, so a second chunk's insert
    // and read would otherwise run before the first chunk's update and merge into the old row.
    try {
      this.#ensureOpen();
    } catch (error) {
      return Promise.reject(error);
    }
    const outcome = this.#previous.then(() => this.#insertIncidents(rows));
    this.#previous = outcome.catch(() => {});
    return this.#rollups.track(
      rows,
      outcome.then((o) => this.#updates.add(o)),
    );
  }

  /**
   * Merges the rows of a statement that it did not insert into the incidents stored with their
   * keys, in file order (a key repeated in the statement merges into the result of the one
   * before). Stored already: by an earlier batch, or by this one (a key repeated in the file: an
   * earlier statement inserted it, or this one, from the key's first row). `inserted` holds the
   * keys the statement inserted (its RETURNING), so every row not inserted is known: `skipped`.
   */
  async #mergeStored(
    columns: readonly Value[][],
    n: number,
    inserted: ReadonlySet<string>,
    outcome: MutableOutcome,
    offset: number,
  ): Promise<void> {
    const stored = new Map<string, Value[]>();
    const read = async (text: string, systems: readonly Value[], ids: readonly Value[]) => {
      const result = await this.client.query({
        text,
        values: [systems, ids, this.batch.id],
        rowMode: "array",
      });
      for (const row of result.rows as Value[][])
        stored.set(`${row[SOURCE_SYSTEM]}\u0000${row[SOURCE_ID]}`, row);
    };
    await read(SELECT_STORED, columns[SOURCE_SYSTEM]!, columns[SOURCE_ID]!);
    // This batch's own rows to merge into: keys the statement did not insert and no earlier
    // batch holds (an earlier statement inserted them), and keys repeated in the statement.
    const first = new Map<string, number>();
    const own = new Set<string>();
    for (let r = 0; r < n; r++) {
      const key = `${columns[SOURCE_SYSTEM]![r]}\u0000${columns[SOURCE_ID]![r]}`;
      if (stored.has(key)) continue;
      if (!first.has(key)) {
        first.set(key, r);
        if (!inserted.has(key)) own.add(key);
      } else own.add(key);
    }
    if (own.size > 0) {
      const at = [...own].map((key) => first.get(key)!);
      await read(
        SELECT_OWN,
        at.map((r) => columns[SOURCE_SYSTEM]![r]!),
        at.map((r) => columns[SOURCE_ID]![r]!),
      );
    }
    const skipped: number[] = [];
    const revisions: [string[], string[], string[]] = [[], [], []];
    const updated = new Set<string>();
    const incoming: Value[] = new Array<Value>(this.merger.columns);
    for (let r = 0; r < n; r++) {
      const key = `${columns[SOURCE_SYSTEM]![r]}\u0000${columns[SOURCE_ID]![r]}`;
      const before = stored.get(key);
      // The row the statement inserted: its key's first row here.
      if (!before || (inserted.has(key) && first.get(key) === r)) continue;
      skipped.push(offset + r);
      for (let c = 0; c < this.merger.columns; c++) incoming[c] = columns[c]![r]!;
      const merge = this.merger.merge(incoming, 0, before, 0);
      if (merge.kind === "stale") outcome.stale++;
      if (merge.kind !== "update") continue;
      const { changed } = merge;
      const revision = this.merger.revision(before, 0, changed);
      revisions[0].push(String(before[0]));
      revisions[1].push(revision.columns);
      revisions[2].push(revision.previous);
      const after = this.merger.merged(incoming, 0, before, 0, changed);
      outcome.updated++;
      if (before[BATCH_ID] !== this.batch.id) {
        outcome.before.push(...before);
        outcome.after.push(...after);
      } else {
        outcome.ownBefore.push(...before);
        outcome.ownAfter.push(...after);
      }
      stored.set(key, after);
      updated.add(key);
    }
    // Every row is either inserted or skipped; a count that does not add up (which no statement
    // should give) leaves the rollups to read the batch's rows back.
    if (outcome.skipped !== null && skipped.length === n - inserted.size)
      for (const r of skipped) outcome.skipped.push(r);
    else outcome.skipped = null;
    if (updated.size === 0) return;
    // A key updated twice in the chunk is written once, with what its last merge left.
    const merged = INCIDENT_COLUMNS.map(() => new Array<Value>(updated.size));
    let k = 0;
    for (const key of updated) {
      const row = stored.get(key)!;
      for (let c = 0; c < merged.length; c++) merged[c]![k] = row[c]!;
      k++;
    }
    await this.client.query({ name: "recur_update_merged", text: UPDATE_MERGED, values: merged });
    await this.client.query(INSERT_REVISIONS, [revisions[0], this.batch.id, revisions[1], revisions[2]]);
  }

  async #insertIncidents(rows: readonly Incident[]): Promise<InsertOutcome> {
    const outcome: MutableOutcome = {
      inserted: 0,
      updated: 0,
      stale: 0,
      before: [],
      after: [],
      skipped: [],
      ownBefore: [],
      ownAfter: [],
    };
    let inserted = 0;
    for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
      const end = Math.min(start + ROWS_PER_STATEMENT, rows.length);
      const columns: Value[][] = INCIDENT_COLUMNS.map(() => new Array<Value>(end - start));
      for (let r = start; r < end; r++) {
        const incident = rows[r]!;
        if (incident.batchId !== this.batch.id) throw batchMismatchError(this.batch.id, incident.batchId);
        for (let c = 0; c < INCIDENT_COLUMNS.length; c++)
          columns[c]![r - start] = INCIDENT_COLUMNS[c]![2](incident);
      }
      const result = await this.client.query({
        name: "recur_insert_incidents",
        text: INSERT_INCIDENTS,
        values: columns,
        rowMode: "array",
      });
      const added = result.rows.length;
      inserted += added;
      if (added < end - start) {
        const keys = new Set<string>();
        for (const [system, id] of result.rows as [string, string][]) keys.add(`${system}\u0000${id}`);
        await this.#mergeStored(columns, end - start, keys, outcome, start);
      }
    }
    outcome.inserted = inserted;
    return outcome;
  }

  async insertQuarantine(rows: readonly QuarantinedRow[]): Promise<void> {
    this.#ensureOpen();
    for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
      const chunk = rows.slice(start, start + ROWS_PER_STATEMENT).map(quarantineToRow);
      await this.client.query(INSERT_QUARANTINE, [
        chunk.map((r) => r.batch_id),
        chunk.map((r) => r.file),
        chunk.map((r) => r.row),
        chunk.map((r) => r.issues),
        chunk.map((r) => r.record_enc),
        this.sameFile,
      ]);
    }
  }

  async commit(summary: BatchSummary): Promise<Batch> {
    this.#ensureOpen();
    this.#open = false;
    try {
      await this.#previous;
      const tx = batchTx(true, async (text, values, read) => {
        const result = await this.client.query(text, [...values]);
        return read ? result.rows : null;
      });
      await this.#rollups.flush(tx);
      await this.#updates.flush(tx);
      await this.client.query(
        "UPDATE import_batches SET finished_at = $1, rows = $2, imported = $3, rejected = $4, duplicates = $5, updated = $6, stale = $7 WHERE id = $8",
        [
          summary.finishedAt,
          summary.rows,
          summary.imported,
          summary.rejected,
          summary.duplicates,
          this.#updates.updated,
          this.#updates.stale,
          this.batch.id,
        ],
      );
      await this.client.query("COMMIT");
      this.#end();
    } catch (error) {
      await this.client.query("ROLLBACK").catch(() => {});
      this.#end(error);
      throw error;
    }
    return { ...this.batch, ...summary, ...this.updates };
  }

  async rollback(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    try {
      // An insert still running goes first: the client must not carry it past the release.
      await this.#previous;
      await this.client.query("ROLLBACK");
      this.#end();
    } catch (error) {
      this.#end(error);
    }
  }

  /** Returns the client to the pool; one that failed is destroyed instead of reused. */
  #end(error?: unknown): void {
    this.client.release(error instanceof Error ? error : undefined);
    this.onEnd(this);
  }

  #ensureOpen(): void {
    if (!this.#open) throw batchClosedError(this.batch.id);
  }
}
