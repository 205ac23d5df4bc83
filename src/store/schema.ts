import type { Generated } from "kysely";

/**
 * Row types of the tables created by the core migrations, as Kysely sees them. Times are
 * bigint epoch milliseconds; PostgreSQL's int8 is parsed to a JS number at the driver
 * (see postgres.ts), so both dialects return numbers.
 *
 * Engineers who add tables in their own migration type them next to their code and reach
 * them with `store.db.withTables<{ my_table: MyTable }>()` (see docs/store.md).
 */
export interface IncidentTable {
  id: string;
  source_system: string;
  source_id: string;
  batch_id: string;
  received_at: number;
  accepted_at: number | null;
  dispatched_at: number | null;
  arrived_at: number | null;
  closed_at: number | null;
  utc_offset_min: number;
  category: string;
  subtype: string | null;
  source_category: string | null;
  department: string | null;
  address: string | null;
  lon: number | null;
  lat: number | null;
  datum: string | null;
  loc_poi: string | null;
  loc_building: string | null;
  loc_unit: string | null;
  loc_room: string | null;
  loc_road: string | null;
  loc_cross: string | null;
  city_unit: string | null;
  branch_unit: string | null;
  station_unit: string | null;
  area_unit: string | null;
  caller_pseudonym: string | null;
  caller_number_enc: string | null;
  narrative: string | null;
  disposition: string | null;
  feedback: string | null;
  /** JSON `[[label, text], ...]`: the address's parsed components (migration 0014). */
  address_components: string | null;
}

export interface ImportBatchTable {
  id: string;
  source_system: string;
  profile: string;
  file_name: string;
  file_sha256: string;
  started_at: number;
  /** null only inside the open transaction; a visible batch is always finished. */
  finished_at: number | null;
  rows: number;
  imported: number;
  rejected: number;
  duplicates: number;
  /** Rows merged into incidents stored by earlier batches (migration 0020). */
  updated: number;
  /** Rows of an older export, not applied (migration 0020). */
  stale: number;
}

/** One update of a stored incident by a later export (migration 0020), for auditors. */
export interface IncidentRevisionTable {
  id: Generated<number>;
  incident_id: string;
  batch_id: string;
  /** JSON array of the changed column names. */
  columns: string;
  /** JSON object of their values before the update, as stored (masked, encrypted). */
  previous: string;
}

export interface QuarantineTable {
  id: Generated<number>;
  batch_id: string;
  file: string;
  row: number;
  /** JSON array of Issue objects. */
  issues: string;
  record_enc: string;
}

export interface SettingTable {
  key: string;
  value: string;
}

export interface Database {
  incidents: IncidentTable;
  import_batches: ImportBatchTable;
  quarantine: QuarantineTable;
  settings: SettingTable;
  incident_revisions: IncidentRevisionTable;
}
