import { CATEGORIES, type Category, type Incident } from "../../domain/index.ts";

/**
 * Incidents as columns (an index plus typed arrays), the form the heavy statistics read:
 * one million incidents take about 60 MB and a pass over them a few milliseconds.
 * Unknown times are NaN; unknown units are -1.
 */
export interface IncidentColumns {
  readonly n: number;
  readonly receivedAt: Float64Array;
  readonly acceptedAt: Float64Array;
  readonly dispatchedAt: Float64Array;
  readonly arrivedAt: Float64Array;
  readonly utcOffsetMin: Int16Array;
  /** Index into CATEGORIES. */
  readonly category: Uint8Array;
  /** Index into `units`, -1 when the incident has no unit at the chosen level. */
  readonly unit: Int32Array;
  readonly units: readonly string[];
  readonly lat: Float64Array;
  readonly lon: Float64Array;
  /** 1 where the area is suburban or rural (10-minute arrival norm); absent = all urban. */
  readonly suburban?: Uint8Array;
  /** 1 where the incident belongs to a repeat series (src/repeat); absent = not computed. */
  readonly inRepeatSeries?: Uint8Array;
  /** Source ids, when loaded (to join results of other engines such as repeat series). */
  readonly sourceId?: readonly string[];
  /** Data-quality score 0..100 per incident (src/quality); NaN or absent = not computed. */
  readonly qualityScore?: Float64Array;
}

export const UNIT_LEVELS = ["city", "branch", "station", "area"] as const;
export type UnitLevel = (typeof UNIT_LEVELS)[number];

const CATEGORY_INDEX = new Map<string, number>(CATEGORIES.map((c, i) => [c, i]));

/** Index of a category code in CATEGORIES ("other" for unknown codes). */
export function categoryIndex(code: string): number {
  return CATEGORY_INDEX.get(code) ?? CATEGORY_INDEX.get("other")!;
}

/** Builds columns row by row (from a store scan or a list), growing as needed. */
export class IncidentColumnsBuilder {
  private size = 0;
  private capacity: number;
  private receivedAt: Float64Array;
  private acceptedAt: Float64Array;
  private dispatchedAt: Float64Array;
  private arrivedAt: Float64Array;
  private utcOffsetMin: Int16Array;
  private category: Uint8Array;
  private unit: Int32Array;
  private lat: Float64Array;
  private lon: Float64Array;
  private readonly sourceIds: string[] = [];
  private readonly unitIndex = new Map<string, number>();
  private readonly units: string[] = [];

  constructor(expected = 1024) {
    this.capacity = Math.max(16, expected);
    this.receivedAt = new Float64Array(this.capacity);
    this.acceptedAt = new Float64Array(this.capacity);
    this.dispatchedAt = new Float64Array(this.capacity);
    this.arrivedAt = new Float64Array(this.capacity);
    this.utcOffsetMin = new Int16Array(this.capacity);
    this.category = new Uint8Array(this.capacity);
    this.unit = new Int32Array(this.capacity);
    this.lat = new Float64Array(this.capacity);
    this.lon = new Float64Array(this.capacity);
  }

  private grow(): void {
    this.capacity *= 2;
    const grow = <A extends Float64Array | Int16Array | Uint8Array | Int32Array>(
      old: A,
      make: (n: number) => A,
    ): A => {
      const next = make(this.capacity);
      next.set(old);
      return next;
    };
    this.receivedAt = grow(this.receivedAt, (n) => new Float64Array(n));
    this.acceptedAt = grow(this.acceptedAt, (n) => new Float64Array(n));
    this.dispatchedAt = grow(this.dispatchedAt, (n) => new Float64Array(n));
    this.arrivedAt = grow(this.arrivedAt, (n) => new Float64Array(n));
    this.utcOffsetMin = grow(this.utcOffsetMin, (n) => new Int16Array(n));
    this.category = grow(this.category, (n) => new Uint8Array(n));
    this.unit = grow(this.unit, (n) => new Int32Array(n));
    this.lat = grow(this.lat, (n) => new Float64Array(n));
    this.lon = grow(this.lon, (n) => new Float64Array(n));
  }

  /** Adds one incident given as plain values (null = unknown). */
  add(
    receivedAt: number,
    acceptedAt: number | null,
    dispatchedAt: number | null,
    arrivedAt: number | null,
    utcOffsetMin: number,
    category: string,
    unit: string | null,
    lat: number | null = null,
    lon: number | null = null,
    sourceId: string | null = null,
  ): void {
    if (sourceId !== null) this.sourceIds.push(sourceId);
    if (this.size === this.capacity) this.grow();
    const i = this.size++;
    this.receivedAt[i] = receivedAt;
    this.acceptedAt[i] = acceptedAt ?? Number.NaN;
    this.dispatchedAt[i] = dispatchedAt ?? Number.NaN;
    this.arrivedAt[i] = arrivedAt ?? Number.NaN;
    this.utcOffsetMin[i] = utcOffsetMin;
    this.category[i] = categoryIndex(category);
    let u = -1;
    if (unit !== null) {
      const known = this.unitIndex.get(unit);
      if (known !== undefined) u = known;
      else {
        u = this.units.length;
        this.units.push(unit);
        this.unitIndex.set(unit, u);
      }
    }
    this.unit[i] = u;
    this.lat[i] = lat ?? Number.NaN;
    this.lon[i] = lon ?? Number.NaN;
  }

  build(): IncidentColumns {
    const n = this.size;
    return {
      n,
      receivedAt: this.receivedAt.slice(0, n),
      acceptedAt: this.acceptedAt.slice(0, n),
      dispatchedAt: this.dispatchedAt.slice(0, n),
      arrivedAt: this.arrivedAt.slice(0, n),
      utcOffsetMin: this.utcOffsetMin.slice(0, n),
      category: this.category.slice(0, n),
      unit: this.unit.slice(0, n),
      units: [...this.units],
      lat: this.lat.slice(0, n),
      lon: this.lon.slice(0, n),
      ...(this.sourceIds.length === n && n > 0 ? { sourceId: [...this.sourceIds] } : {}),
    };
  }
}

/**
 * Marks the incidents whose source id is in a repeat series (from src/repeat), for the
 * repeat-incident rate of the indicators. Needs columns loaded with source ids.
 */
export function withRepeatSeries(cols: IncidentColumns, inSeries: ReadonlySet<string>): IncidentColumns {
  if (!cols.sourceId) throw new RangeError("columns were loaded without source ids");
  const flags = new Uint8Array(cols.n);
  cols.sourceId.forEach((id, i) => {
    if (inSeries.has(id)) flags[i] = 1;
  });
  return { ...cols, inRepeatSeries: flags };
}

/** The unit of an incident at a level of the hierarchy (市局/分局/派出所/警务区). */
export function unitAt(incident: Incident, level: UnitLevel): string | null {
  switch (level) {
    case "city":
      return incident.cityUnit;
    case "branch":
      return incident.branchUnit;
    case "station":
      return incident.stationUnit;
    case "area":
      return incident.areaUnit;
  }
}

/**
 * Columns from incident objects.
 * @example
 * const cols = columnsFromIncidents(incidents, "station");
 */
export function columnsFromIncidents(
  incidents: readonly Incident[],
  level: UnitLevel = "station",
): IncidentColumns {
  const b = new IncidentColumnsBuilder(incidents.length);
  for (const x of incidents)
    b.add(
      x.receivedAt,
      x.acceptedAt,
      x.dispatchedAt,
      x.arrivedAt,
      x.utcOffsetMin,
      x.category,
      unitAt(x, level),
      x.lat,
      x.lon,
    );
  return b.build();
}

/** Category code of a column value. */
export function categoryOf(index: number): Category {
  return CATEGORIES[index] ?? "other";
}
