import type { Selectable } from "kysely";
import type {
  AddressComponentsJson,
  BatchId,
  CallerPseudonym,
  Category,
  Datum,
  Department,
  EpochMs,
  Incident,
  IncidentId,
  Issue,
  UnitCode,
} from "../domain/index.ts";
import type { ImportBatchTable, IncidentTable, QuarantineTable } from "./schema.ts";
import type { Batch, QuarantinedRow } from "./types.ts";

/**
 * The one place where store rows and domain objects meet. The insert fast paths (sqlite.ts,
 * postgres.ts) use INCIDENT_COLUMNS and `incidentValues`, the repositories `rowToIncident`,
 * so a new Incident field is added here once.
 */

type IncidentRow = Selectable<IncidentTable>;
type Value = string | number | null;

/** PostgreSQL type of a column, for the typed arrays of the unnest() insert. */
export type PgType = "text" | "int8" | "int4" | "float8";

/** Incident columns in insert order: name, PostgreSQL type, and how to read it from an Incident. */
export const INCIDENT_COLUMNS: readonly (readonly [keyof IncidentTable, PgType, (i: Incident) => Value])[] = [
  ["id", "text", (i) => i.id],
  ["source_system", "text", (i) => i.sourceSystem],
  ["source_id", "text", (i) => i.sourceId],
  ["batch_id", "text", (i) => i.batchId],
  ["received_at", "int8", (i) => i.receivedAt],
  ["accepted_at", "int8", (i) => i.acceptedAt],
  ["dispatched_at", "int8", (i) => i.dispatchedAt],
  ["arrived_at", "int8", (i) => i.arrivedAt],
  ["closed_at", "int8", (i) => i.closedAt],
  ["utc_offset_min", "int4", (i) => i.utcOffsetMin],
  ["category", "text", (i) => i.category],
  ["subtype", "text", (i) => i.subtype],
  ["source_category", "text", (i) => i.sourceCategory],
  ["department", "text", (i) => i.department],
  ["address", "text", (i) => i.address],
  ["lon", "float8", (i) => i.lon],
  ["lat", "float8", (i) => i.lat],
  ["datum", "text", (i) => i.datum],
  ["loc_poi", "text", (i) => i.location.poi],
  ["loc_building", "text", (i) => i.location.building],
  ["loc_unit", "text", (i) => i.location.unit],
  ["loc_room", "text", (i) => i.location.room],
  ["loc_road", "text", (i) => i.location.road],
  ["loc_cross", "text", (i) => i.location.cross],
  ["city_unit", "text", (i) => i.cityUnit],
  ["branch_unit", "text", (i) => i.branchUnit],
  ["station_unit", "text", (i) => i.stationUnit],
  ["area_unit", "text", (i) => i.areaUnit],
  ["caller_pseudonym", "text", (i) => i.callerPseudonym],
  ["caller_number_enc", "text", (i) => i.callerNumberEnc],
  ["narrative", "text", (i) => i.narrative],
  ["disposition", "text", (i) => i.disposition],
  ["feedback", "text", (i) => i.feedback],
  ["address_components", "text", (i) => i.addressComponents ?? null],
];

export const INCIDENT_COLUMN_NAMES: readonly (keyof IncidentTable)[] = INCIDENT_COLUMNS.map(([name]) => name);

/**
 * Appends the column values of `incident` to `out` in INCIDENT_COLUMNS order (hot path: one
 * straight function instead of 34 getter calls; incident-columns order is checked by a test).
 */
export function pushIncidentValues(out: Value[], i: Incident): void {
  writeIncidentValues(out, out.length, i);
}

/**
 * Writes the column values of `incident` into `out` from index `at` (overwriting what stands
 * there, appending past the end) and returns the index after them: the SQLite writer reuses one
 * array for every chunk, which stays packed as it is written in order.
 */
export function writeIncidentValues(out: Value[], at: number, i: Incident): number {
  const l = i.location;
  out[at] = i.id;
  out[at + 1] = i.sourceSystem;
  out[at + 2] = i.sourceId;
  out[at + 3] = i.batchId;
  out[at + 4] = i.receivedAt;
  out[at + 5] = i.acceptedAt;
  out[at + 6] = i.dispatchedAt;
  out[at + 7] = i.arrivedAt;
  out[at + 8] = i.closedAt;
  out[at + 9] = i.utcOffsetMin;
  out[at + 10] = i.category;
  out[at + 11] = i.subtype;
  out[at + 12] = i.sourceCategory;
  out[at + 13] = i.department;
  out[at + 14] = i.address;
  out[at + 15] = i.lon;
  out[at + 16] = i.lat;
  out[at + 17] = i.datum;
  out[at + 18] = l.poi;
  out[at + 19] = l.building;
  out[at + 20] = l.unit;
  out[at + 21] = l.room;
  out[at + 22] = l.road;
  out[at + 23] = l.cross;
  out[at + 24] = i.cityUnit;
  out[at + 25] = i.branchUnit;
  out[at + 26] = i.stationUnit;
  out[at + 27] = i.areaUnit;
  out[at + 28] = i.callerPseudonym;
  out[at + 29] = i.callerNumberEnc;
  out[at + 30] = i.narrative;
  out[at + 31] = i.disposition;
  out[at + 32] = i.feedback;
  out[at + 33] = i.addressComponents ?? null;
  return at + 34;
}

/** PostgreSQL int8 and numeric may arrive as strings; the store's integers all fit a double. */
function num(value: unknown): number {
  return typeof value === "number" ? value : Number(value);
}
function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : num(value);
}

export function rowToIncident(row: IncidentRow): Incident {
  const incident: Incident = {
    id: row.id as IncidentId,
    sourceSystem: row.source_system,
    sourceId: row.source_id,
    batchId: row.batch_id as BatchId,
    receivedAt: num(row.received_at) as EpochMs,
    acceptedAt: numOrNull(row.accepted_at) as EpochMs | null,
    dispatchedAt: numOrNull(row.dispatched_at) as EpochMs | null,
    arrivedAt: numOrNull(row.arrived_at) as EpochMs | null,
    closedAt: numOrNull(row.closed_at) as EpochMs | null,
    utcOffsetMin: num(row.utc_offset_min),
    category: row.category as Category,
    subtype: row.subtype,
    sourceCategory: row.source_category,
    department: row.department as Department | null,
    address: row.address,
    lon: numOrNull(row.lon),
    lat: numOrNull(row.lat),
    datum: row.datum as Datum | null,
    location: {
      poi: row.loc_poi,
      building: row.loc_building,
      unit: row.loc_unit,
      room: row.loc_room,
      road: row.loc_road,
      cross: row.loc_cross,
    },
    cityUnit: row.city_unit as UnitCode | null,
    branchUnit: row.branch_unit as UnitCode | null,
    stationUnit: row.station_unit as UnitCode | null,
    areaUnit: row.area_unit as UnitCode | null,
    callerPseudonym: row.caller_pseudonym as CallerPseudonym | null,
    callerNumberEnc: row.caller_number_enc,
    narrative: row.narrative,
    disposition: row.disposition,
    feedback: row.feedback,
  };
  // Set only when known, so incidents built without it (tests, other sources) read back equal.
  const components = row.address_components ?? null;
  return components === null
    ? incident
    : { ...incident, addressComponents: components as AddressComponentsJson };
}

export function rowToBatch(row: Selectable<ImportBatchTable>): Batch {
  return {
    id: row.id as BatchId,
    sourceSystem: row.source_system,
    profile: row.profile,
    fileName: row.file_name,
    fileSha256: row.file_sha256,
    startedAt: num(row.started_at),
    finishedAt: num(row.finished_at ?? row.started_at),
    rows: num(row.rows),
    imported: num(row.imported),
    rejected: num(row.rejected),
    duplicates: num(row.duplicates),
    updated: num(row.updated ?? 0),
    stale: num(row.stale ?? 0),
  };
}

export function quarantineToRow(row: QuarantinedRow): Omit<Selectable<QuarantineTable>, "id"> {
  return {
    batch_id: row.batchId,
    file: row.file,
    row: row.row,
    issues: JSON.stringify(row.issues),
    record_enc: row.recordEnc,
  };
}

export function rowToQuarantined(row: Omit<Selectable<QuarantineTable>, "id">): QuarantinedRow {
  return {
    batchId: row.batch_id as BatchId,
    file: row.file,
    row: num(row.row),
    issues: JSON.parse(row.issues) as Issue[],
    recordEnc: row.record_enc,
  };
}
