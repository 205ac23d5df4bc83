import { latLngToCell } from "h3-js";
import { CATEGORIES, type Category, type Incident } from "../domain/index.ts";
import { ColumnsBuilder, newDictionaries } from "../repeat/columns.ts";
import type { RepeatIndex, RepeatSeries } from "../repeat/engine.ts";
import { DEFAULT_OPTIONS, type WarningLevel } from "../repeat/options.ts";
import type { Store } from "../store/types.ts";
import type { Scope } from "./access.ts";
import { buildInSlices } from "./repeat-service.ts";
import { deploymentRepeatOverrides } from "./rules.ts";

/**
 * What the dashboard reads, held in memory as columns: one pass over the store at start-up
 * (and after each import), then every dashboard query is a scan of typed arrays (a few
 * milliseconds on a million incidents) instead of a database aggregate.
 */
export interface DashboardData {
  readonly n: number;
  readonly receivedAt: Float64Array;
  readonly utcOffsetMin: Int16Array;
  /** Index into CATEGORIES. */
  readonly category: Uint8Array;
  /** Index into `units` for each level (0 = none). */
  readonly branch: Uint16Array;
  readonly station: Uint16Array;
  readonly area: Uint16Array;
  readonly units: readonly string[];
  readonly lat: Float64Array;
  readonly lon: Float64Array;
  /** H3 cell (resolution HOTSPOT_RESOLUTION) of each row, as an index into `cells` (0 = none). */
  readonly cell: Uint32Array;
  readonly cells: readonly string[];
  /** Minutes from call to arrival (NaN when unknown). */
  readonly arrivalMin: Float32Array;
  /** Bit flags of missing "six elements" fields (see MISSING_*). */
  readonly missing: Uint8Array;
  readonly sourceSystems: readonly string[];
  readonly sourceSystem: Uint8Array;
  readonly index: RepeatIndex;
  readonly series: readonly SeriesRow[];
  readonly seriesById: ReadonlyMap<string, SeriesRow>;
  readonly minAt: number;
  readonly maxAt: number;
  readonly builtMs: number;
}

/** H3 resolution of the hot-spot map (about 0.74 km² cells, a few blocks). */
export const HOTSPOT_RESOLUTION = 8;

export const MISSING_ADDRESS = 1;
export const MISSING_COORDS = 2;
export const MISSING_ARRIVAL = 4;
export const MISSING_FEEDBACK = 8;
export const MISSING_DISPOSITION = 16;
export const MISSING_UNIT = 32;

/** A series with the jurisdiction of its first call, for scoped lists. */
export interface SeriesRow {
  readonly series: RepeatSeries;
  readonly firstRow: number;
  readonly branch: number;
  readonly station: number;
  readonly area: number;
  readonly warning: WarningLevel;
}

class Interner {
  readonly values: string[] = [""];
  private readonly ids = new Map<string, number>([["", 0]]);
  id(value: string | null): number {
    if (!value) return 0;
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.ids.set(value, id);
    }
    return id;
  }
  lookup(value: string): number | undefined {
    return this.ids.get(value);
  }
}

function grow<T extends Float64Array | Float32Array | Int16Array | Uint8Array | Uint16Array>(
  a: T,
  make: (n: number) => T,
  need: number,
): T {
  if (need <= a.length) return a;
  const b = make(Math.max(need, a.length * 2));
  b.set(a as never);
  return b;
}

const CATEGORY_INDEX = new Map<string, number>(CATEGORIES.map((c, i) => [c, i]));

/** Reads every incident once into columns and runs the repeat engine over them. */
export async function loadDashboardData(store: Store): Promise<DashboardData> {
  const t0 = performance.now();
  const total = await store.incidents.count();
  const cap = Math.max(1024, total);
  let receivedAt = new Float64Array(cap);
  let utcOffsetMin = new Int16Array(cap);
  let category = new Uint8Array(cap);
  let branch = new Uint16Array(cap);
  let station = new Uint16Array(cap);
  let area = new Uint16Array(cap);
  let lat = new Float64Array(cap);
  let lon = new Float64Array(cap);
  let arrivalMin = new Float32Array(cap);
  let missing = new Uint8Array(cap);
  let sourceSystem = new Uint8Array(cap);
  const units = new Interner();
  const systems = new Interner();
  const builder = new ColumnsBuilder(newDictionaries(), DEFAULT_OPTIONS.exclusions, cap);
  let n = 0;
  let minAt = Number.POSITIVE_INFINITY;
  let maxAt = Number.NEGATIVE_INFINITY;
  const push = (x: Incident) => {
    const need = n + 1;
    receivedAt = grow(receivedAt, (k) => new Float64Array(k), need);
    utcOffsetMin = grow(utcOffsetMin, (k) => new Int16Array(k), need);
    category = grow(category, (k) => new Uint8Array(k), need);
    branch = grow(branch, (k) => new Uint16Array(k), need);
    station = grow(station, (k) => new Uint16Array(k), need);
    area = grow(area, (k) => new Uint16Array(k), need);
    lat = grow(lat, (k) => new Float64Array(k), need);
    lon = grow(lon, (k) => new Float64Array(k), need);
    arrivalMin = grow(arrivalMin, (k) => new Float32Array(k), need);
    missing = grow(missing, (k) => new Uint8Array(k), need);
    sourceSystem = grow(sourceSystem, (k) => new Uint8Array(k), need);
    receivedAt[n] = x.receivedAt;
    utcOffsetMin[n] = x.utcOffsetMin;
    category[n] = CATEGORY_INDEX.get(x.category) ?? 0;
    branch[n] = units.id(x.branchUnit);
    station[n] = units.id(x.stationUnit);
    area[n] = units.id(x.areaUnit);
    lat[n] = x.lat ?? Number.NaN;
    lon[n] = x.lon ?? Number.NaN;
    arrivalMin[n] = x.arrivedAt === null ? Number.NaN : (x.arrivedAt - x.receivedAt) / 60_000;
    missing[n] =
      (x.address ? 0 : MISSING_ADDRESS) |
      (x.lat === null || x.lon === null ? MISSING_COORDS : 0) |
      (x.arrivedAt === null ? MISSING_ARRIVAL : 0) |
      (x.feedback ? 0 : MISSING_FEEDBACK) |
      (x.disposition ? 0 : MISSING_DISPOSITION) |
      (x.stationUnit ? 0 : MISSING_UNIT);
    sourceSystem[n] = systems.id(x.sourceSystem);
    if (x.receivedAt < minAt) minAt = x.receivedAt;
    if (x.receivedAt > maxAt) maxAt = x.receivedAt;
    builder.push(x);
    n++;
  };
  for await (const page of store.incidents.scan(20_000)) for (const x of page) push(x);
  // In slices between turns of the event loop: a refresh after an import must not stall the server.
  const index = await buildInSlices(builder.columns(), await deploymentRepeatOverrides(store), builder);
  // Cells once here, so that a hot-spot query only counts (latLngToCell is the costly part).
  const cellNames = new Interner();
  const cell = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const la = lat[i]!;
    const lo = lon[i]!;
    if (Number.isFinite(la) && Number.isFinite(lo))
      cell[i] = cellNames.id(latLngToCell(la, lo, HOTSPOT_RESOLUTION));
  }
  const series: SeriesRow[] = [];
  for (const s of index.allSeries()) {
    const first = s.events[0];
    const row = first === undefined ? -1 : (index.evFirst[first] ?? -1);
    series.push({
      series: s,
      firstRow: row,
      branch: row >= 0 ? branch[row]! : 0,
      station: row >= 0 ? station[row]! : 0,
      area: row >= 0 ? area[row]! : 0,
      warning: s.warning,
    });
  }
  const rank: Record<WarningLevel, number> = { red: 0, orange: 1, yellow: 2, blue: 3 };
  series.sort((a, b) => rank[a.warning] - rank[b.warning] || b.series.end - a.series.end);
  return {
    n,
    receivedAt,
    utcOffsetMin,
    category,
    branch,
    station,
    area,
    units: units.values,
    lat,
    lon,
    cell,
    cells: cellNames.values,
    arrivalMin,
    missing,
    sourceSystems: systems.values,
    sourceSystem,
    index,
    series,
    seriesById: new Map(series.map((s) => [s.series.id, s])),
    minAt,
    maxAt,
    builtMs: performance.now() - t0,
  };
}

/**
 * A row filter for a user's jurisdiction: null = everything, otherwise a predicate on a row's
 * unit ids. Partner agencies and users without a unit see no incidents.
 */
export function scopeFilter(
  data: Pick<DashboardData, "units" | "branch" | "station" | "area">,
  scope: Scope,
): ((branch: number, station: number, area: number) => boolean) | null {
  switch (scope.kind) {
    case "all":
      return null;
    case "unit": {
      const id = data.units.indexOf(scope.code);
      if (id <= 0) return () => false;
      if (scope.level === "branch") return (b) => b === id;
      if (scope.level === "station") return (_b, s) => s === id;
      return (_b, _s, a) => a === id;
    }
    default:
      return () => false;
  }
}

/** Rows in scope, received in [from, to). */
export function rowsIn(data: DashboardData, scope: Scope, from = -Infinity, to = Infinity): Int32Array {
  const keep = scopeFilter(data, scope);
  const out = new Int32Array(data.n);
  let k = 0;
  const { receivedAt, branch, station, area } = data;
  for (let i = 0; i < data.n; i++) {
    const t = receivedAt[i]!;
    if (t < from || t >= to) continue;
    if (keep && !keep(branch[i]!, station[i]!, area[i]!)) continue;
    out[k++] = i;
  }
  return out.subarray(0, k);
}

export const categoryOf = (i: number): Category => CATEGORIES[i] ?? "other";
