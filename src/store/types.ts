import type { Kysely } from "kysely";
import type {
  AddressComponentsJson,
  BatchId,
  Category,
  Incident,
  IncidentId,
  Issue,
  LocationKeys,
  LocationLevel,
} from "../domain/index.ts";
import type { Database } from "./schema.ts";

/**
 * The store contract. SQLite (embedded default) and PostgreSQL (DATABASE_URL) implement it
 * through the same Kysely code and migrations; `store.contract.test.ts` runs against both.
 */
export type Dialect = "sqlite" | "postgres";

export interface NewBatch {
  readonly id: BatchId;
  readonly sourceSystem: string;
  /** Profile name or path used for the mapping. */
  readonly profile: string;
  readonly fileName: string;
  /** SHA-256 of the file's bytes, to recognise a re-import of the same file. */
  readonly fileSha256: string;
  readonly startedAt: number;
  /**
   * The importer's estimate of how many incidents the batch will insert (not stored). A large
   * batch into a smaller table lets SQLite build its random-order indexes once at commit.
   */
  readonly expectedRows?: number;
}

export interface BatchSummary {
  readonly rows: number;
  readonly imported: number;
  readonly rejected: number;
  /**
   * Rows whose (sourceSystem, sourceId) was already in the store or earlier in the file and
   * that changed nothing (equal, or a subset of the stored values).
   */
  readonly duplicates: number;
  readonly finishedAt: number;
}

/** What a batch did to incidents stored by earlier batches (docs/store.md, "Later exports"). */
export interface BatchUpdateCounts {
  /** Rows of a later export merged into the stored incident they repeat. */
  readonly updated: number;
  /** Rows of an older export (fewer times, disposition, feedback filled in): not applied. */
  readonly stale: number;
}

/**
 * A committed batch. The stores add their writer's update counts to the caller's summary (and
 * read them back); optional only for test doubles of a store that never updates.
 */
export interface Batch extends NewBatch, BatchSummary, Partial<BatchUpdateCounts> {}

/** A source row that could not be imported, kept with its reasons (never silently dropped). */
export interface QuarantinedRow {
  readonly batchId: BatchId;
  readonly file: string;
  /** 1-based data row in the file. */
  readonly row: number;
  readonly issues: readonly Issue[];
  /**
   * The source record, AES-256-GCM encrypted with the deployment key: nothing is lost, yet
   * identifiers in a rejected row are not readable without the key.
   */
  readonly recordEnc: string;
}

/**
 * Writes one import batch atomically: nothing is visible until commit, and a crash (even
 * kill -9) before commit leaves no trace, so re-running the import completes it.
 * Always end a batch with commit or rollback (try/finally): on SQLite an open batch holds
 * the database's single write lock.
 */
export interface BatchWriter {
  readonly batch: NewBatch;
  /**
   * Inserts incidents; a row whose (sourceSystem, sourceId) an earlier batch stored is merged
   * into that incident (see `updates`), one that repeats a row of this batch is skipped; returns
   * how many were new. Every row's batchId must be the batch's id.
   * It may be called again before an earlier call has resolved (calls apply in order): keeping
   * one chunk in flight lets an importer parse the next chunk while the store inserts the last
   * (on SQLite the insert runs in a worker thread).
   */
  insertIncidents(rows: readonly Incident[]): Promise<number>;
  /**
   * Rows of the insertIncidents calls resolved so far that repeated an incident stored by an
   * earlier batch and were merged into it (`updated`) or were older than it (`stale`); the other
   * rows that were not new are duplicates. See docs/store.md, "Later exports". Both stores
   * give it; a test double that never updates may leave it out (counts 0).
   */
  readonly updates?: BatchUpdateCounts;
  /**
   * Quarantines rejected rows; one that an earlier batch of the same file (same source system
   * and SHA-256) already quarantined, by its row number, is not added again.
   */
  insertQuarantine(rows: readonly QuarantinedRow[]): Promise<void>;
  commit(summary: BatchSummary): Promise<Batch>;
  rollback(): Promise<void>;
}

/** Jurisdiction levels with a unit column on incidents. */
export type UnitLevel = "city" | "branch" | "station" | "area";

/** Filters combine with AND; results come in (receivedAt, id) order. */
export interface IncidentQuery {
  readonly sourceSystem?: string;
  readonly batchId?: BatchId;
  /** receivedAt >= from (epoch ms). */
  readonly from?: number;
  /** receivedAt < to (epoch ms). */
  readonly to?: number;
  /** Incidents at one place: the location key at a level (served by that level's index). */
  readonly place?: { readonly level: LocationLevel; readonly key: string };
  /** Incidents of one unit at a level of the hierarchy. */
  readonly unit?: { readonly level: UnitLevel; readonly code: string };
  readonly callerPseudonym?: string;
  readonly category?: Category;
  readonly limit?: number;
  readonly offset?: number;
}

export interface IncidentRepository {
  count(query?: IncidentQuery): Promise<number>;
  list(query?: IncidentQuery): Promise<Incident[]>;
  get(sourceSystem: string, sourceId: string): Promise<Incident | undefined>;
  getById(id: IncidentId): Promise<Incident | undefined>;
  /** Streams all incidents in receivedAt order in pages, for batch analysis. */
  scan(pageSize?: number): AsyncIterable<readonly Incident[]>;
  /**
   * Replaces the location keys and address components of stored incidents, and the free texts a
   * change names (`texts`), in one transaction (`recur address rekey`, after the address rules
   * changed or for texts stored before they were masked); returns how many rows it updated.
   */
  relocate(changes: readonly Relocation[]): Promise<number>;
}

/**
 * The free texts of an incident that an import masks (docs/privacy.md §4), as Incident fields;
 * their columns in `MASKED_TEXT_COLUMNS`.
 */
export const MASKED_TEXT_FIELDS = [
  "address",
  "disposition",
  "sourceCategory",
  "narrative",
  "feedback",
] as const;
export type MaskedTextField = (typeof MASKED_TEXT_FIELDS)[number];

/** The incidents column of each masked text (also the column names `incident_revisions` uses). */
export const MASKED_TEXT_COLUMNS = {
  address: "address",
  disposition: "disposition",
  sourceCategory: "source_category",
  narrative: "narrative",
  feedback: "feedback",
} as const satisfies Record<MaskedTextField, string>;

/** The incidents column of each location key level (also the column names `incident_revisions` uses). */
export const LOCATION_KEY_COLUMNS = {
  poi: "loc_poi",
  building: "loc_building",
  unit: "loc_unit",
  room: "loc_room",
  road: "loc_road",
  cross: "loc_cross",
} as const satisfies Record<LocationLevel, string>;

/** New location keys and address components for one stored incident, and texts masked since. */
export interface Relocation {
  readonly id: IncidentId;
  readonly location: LocationKeys;
  readonly addressComponents: AddressComponentsJson | null;
  /**
   * Texts that replace the stored ones: their masked form (`recur address rekey` on a store
   * imported before these texts were masked). A text left out stays as stored. The values that
   * the incident's stored quality issues quote from a replaced text are replaced by the same
   * quote of the masked text.
   */
  readonly texts?: Readonly<Partial<Record<MaskedTextField, string>>>;
}

export interface BatchRepository {
  list(): Promise<Batch[]>;
  get(id: BatchId): Promise<Batch | undefined>;
}

export interface QuarantineRepository {
  list(batchId?: BatchId, limit?: number): Promise<QuarantinedRow[]>;
  count(batchId?: BatchId): Promise<number>;
}

/** Small deployment settings (key/value text), e.g. taxonomy choices or schema facts. */
export interface SettingsRepository {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

export interface StoreOptions {
  /** SQLite file; default "./recur.db"; ":memory:" for a throwaway store. Ignored with databaseUrl. */
  readonly path?: string;
  /** PostgreSQL connection URL (callers pass process.env.DATABASE_URL); selects PostgreSQL. */
  readonly databaseUrl?: string;
  /** Run pending migrations on open (default true). */
  readonly migrate?: boolean;
  /**
   * SQLite only: this process is the store's one user while it is open, and reads nothing while
   * a batch is open (`recur import`). If no other connection has the file open, the store then
   * leaves WAL for a rollback journal until it is closed: a batch writes each page once, into
   * the database, instead of into the WAL and again at the checkpoint. Another process opening
   * the file meanwhile waits for the batch. Default false. See docs/store.md, "Exclusive stores".
   */
  readonly exclusive?: boolean;
}

export interface Store {
  readonly dialect: Dialect;
  /**
   * The Kysely instance, for code that owns its own tables (added by a migration, see
   * docs/store.md): `store.db.withTables<{ my_table: MyRow }>()`.
   */
  readonly db: Kysely<Database>;
  readonly incidents: IncidentRepository;
  readonly batches: BatchRepository;
  readonly quarantine: QuarantineRepository;
  readonly settings: SettingsRepository;
  /**
   * Opens a batch transaction and writes the batch row in it. On SQLite, batches of one store
   * run one after another (a second beginBatch waits for the first to end).
   */
  beginBatch(batch: NewBatch): Promise<BatchWriter>;
  close(): Promise<void>;
}
