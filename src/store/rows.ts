import type { Selectable } from "kysely";
import type {
  AddressComponent,
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
  ["address_components", "text", (i) => componentsJson(i.addressComponents)],
];

/**
 * JSON of an address's components, `[[label, text], ...]`, cached per components array: an import
 * hands the same (memoised) array to every incident at one address, so each is encoded once.
 */
const componentsText = new WeakMap<readonly AddressComponent[], string>();
function componentsJson(components: readonly AddressComponent[] | null | undefined): string | null {
  if (!components || components.length === 0) return null;
  let json = componentsText.get(components);
  if (json === undefined) {
    json = JSON.stringify(components.map((c) => [c.label, c.text]));
    componentsText.set(components, json);
  }
  return json;
}

/** Components back from their JSON; a value this code did not write gives null, not an error. */
export function parseComponents(json: string | null): AddressComponent[] | null {
  if (json === null) return null;
  try {
    const pairs: unknown = JSON.parse(json);
    if (!Array.isArray(pairs)) return null;
    return pairs.flatMap((p: unknown) =>
      Array.isArray(p) && typeof p[0] === "string" && typeof p[1] === "string"
        ? [{ label: p[0], text: p[1] }]
        : [],
    );
  } catch {
    return null;
  }
}

export const INCIDENT_COLUMN_NAMES: readonly (keyof IncidentTable)[] = INCIDENT_COLUMNS.map(([name]) => name);

/** Appends the column values of `incident` to `out` in INCIDENT_COLUMNS order (hot path). */
export function pushIncidentValues(out: Value[], incident: Incident): void {
  for (const [, , get] of INCIDENT_COLUMNS) out.push(get(incident));
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
  const components = parseComponents(row.address_components ?? null);
  return components ? { ...incident, addressComponents: components } : incident;
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
