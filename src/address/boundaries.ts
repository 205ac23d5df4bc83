import type { Issue, MessageCatalog } from "../domain/issues.ts";
import { issueValue } from "../domain/issues.ts";
import { convertPoint, DATUMS, type Datum } from "./geo.ts";

/**
 * Community police area boundaries (警务区边界): a GeoJSON FeatureCollection of Polygon and
 * MultiPolygon features, each naming its area's code in one property. The deployment keeps one
 * set (src/store/area-boundaries.ts); an import gives a call whose export names no area the one
 * its coordinates fall in (geo.ts `jurisdictions`), and the dashboard's map outlines them.
 * `restoreAreaBoundaries` checks a file (RFC 7946 structure, one feature per area) and converts
 * GCJ-02 / BD-09 coordinates to WGS-84, the datum everything is stored in.
 */

/** What one stored set of boundaries may hold: a city's areas, with room to spare. */
export const AREA_BOUNDARY_LIMITS = {
  /** The GeoJSON text (the dashboard's upload and the stored setting). */
  maxBytes: 32 * 1024 * 1024,
  maxFeatures: 20_000,
} as const;

/** The property that names the area when none is given (`--area-id`). */
export const DEFAULT_AREA_ID_PROPERTY = "id";

/** A polygon feature of the stored boundaries: WGS-84, its area code in `id` and in the id property. */
export interface AreaFeature {
  readonly type: "Feature";
  /** The area's code, as a string (also in `properties[idProperty]`). */
  readonly id: string;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly geometry:
    | { readonly type: "Polygon"; readonly coordinates: number[][][] }
    | { readonly type: "MultiPolygon"; readonly coordinates: number[][][][] };
}

/** The deployment's area boundaries, as stored: coordinates in WGS-84 whatever the file's datum. */
export interface AreaBoundaries {
  readonly kind: "recur-area-boundaries";
  readonly version: 1;
  /** The property of the file's features that held the area code. */
  readonly idProperty: string;
  /** The datum of the file as given (its coordinates were converted to WGS-84 when it was not). */
  readonly sourceDatum: Datum;
  readonly features: readonly AreaFeature[];
}

export type AreaBoundaryIssueCode =
  | "boundaries_not_collection"
  | "boundaries_empty"
  | "boundaries_too_large"
  | "boundaries_too_many"
  | "boundaries_bad_id_property"
  | "boundaries_bad_datum"
  | "boundary_not_feature"
  | "boundary_not_polygon"
  | "boundary_no_id"
  | "boundary_duplicate_id"
  | "boundary_bad_coordinates"
  | "boundary_ring_too_short"
  | "boundary_bad_position"
  | "boundary_ring_flat"
  | "boundary_ring_closed"
  | "boundary_unknown_area";

/** Messages of the issues (`renderIssue(issue, AREA_BOUNDARY_MESSAGES, lang)`). */
export const AREA_BOUNDARY_MESSAGES: MessageCatalog<AreaBoundaryIssueCode> = {
  boundaries_not_collection: {
    zh: '边界文件须为 GeoJSON FeatureCollection（{"type": "FeatureCollection", "features": [...]}），而不是 {value}',
    en: 'the boundaries must be a GeoJSON FeatureCollection ({"type": "FeatureCollection", "features": [...]}), not {value}',
  },
  boundaries_empty: {
    zh: "边界文件中没有任何要素",
    en: "the boundaries file holds no features",
  },
  boundaries_too_large: {
    zh: "边界文件有 {mb} MB，超过上限 {limit} MB：请简化边界（如用 mapshaper 抽稀）后再保存",
    en: "the boundaries file is {mb} MB, over the limit of {limit} MB: simplify the boundaries (e.g. with mapshaper) and save again",
  },
  boundaries_too_many: {
    zh: "边界文件有 {count} 个要素，超过上限 {limit} 个",
    en: "the boundaries file has {count} features, more than the limit of {limit}",
  },
  boundaries_bad_id_property: {
    zh: "警务区编码属性名无效：{value}",
    en: "invalid name of the area code property: {value}",
  },
  boundaries_bad_datum: {
    zh: "未知坐标系 {value}（可用 wgs84、gcj02、bd09）",
    en: "unknown datum {value} (use wgs84, gcj02 or bd09)",
  },
  boundary_not_feature: {
    zh: "第 {n} 个要素不是 GeoJSON Feature 对象：{value}",
    en: "feature {n} is not a GeoJSON Feature object: {value}",
  },
  boundary_not_polygon: {
    zh: "第 {n} 个要素（{id}）的几何类型是 {value}，警务区边界须为 Polygon 或 MultiPolygon",
    en: "feature {n} ({id}) is a {value}; area boundaries must be Polygon or MultiPolygon",
  },
  boundary_no_id: {
    zh: "第 {n} 个要素没有属性“{property}”（警务区编码）：用 --area-id 或“编码属性”指明编码所在的属性",
    en: 'feature {n} has no property "{property}" (the area code): name the property holding the code with --area-id or "code property"',
  },
  boundary_duplicate_id: {
    zh: "第 {n} 个要素的编码 {value} 与第 {first} 个要素重复：同一警务区的多块区域请合并为一个 MultiPolygon",
    en: "feature {n} repeats the code {value} of feature {first}: join the parts of one area into one MultiPolygon",
  },
  boundary_bad_coordinates: {
    zh: "第 {n} 个要素（{id}）的坐标结构不符合 {value}（{path}）",
    en: "feature {n} ({id}): the coordinates are not those of a {value} ({path})",
  },
  boundary_ring_too_short: {
    zh: "第 {n} 个要素（{id}）的环 {path} 只有 {count} 个点，闭合的环至少需要 4 个点",
    en: "feature {n} ({id}): ring {path} has {count} positions; a closed ring needs at least 4",
  },
  boundary_bad_position: {
    zh: "第 {n} 个要素（{id}）的坐标 {path} 无效（须为 [经度, 纬度]，经度 −180…180，纬度 −90…90）：{value}",
    en: "feature {n} ({id}): position {path} is invalid (it must be [longitude, latitude], longitude −180…180, latitude −90…90): {value}",
  },
  boundary_ring_flat: {
    zh: "第 {n} 个要素（{id}）的环 {path} 面积为零（各点共线或重合）",
    en: "feature {n} ({id}): ring {path} has no area (its positions are on one line or the same)",
  },
  boundary_ring_closed: {
    zh: "第 {n} 个要素（{id}）的环 {path} 首尾不闭合，已补上终点",
    en: "feature {n} ({id}): ring {path} was not closed; its first position was added at the end",
  },
  boundary_unknown_area: {
    zh: "编码 {value}（第 {n} 个要素）不是本库已知的警务区（单位登记或已导入警情中的警务区）；仍已保存",
    en: "the code {value} (feature {n}) is not an area this store knows (unit registry or imported calls); saved all the same",
  },
};

export interface RestoreAreaBoundariesOptions {
  /** The property holding the area code (default "id"; the feature's own `id` is used when the property is absent). */
  readonly idProperty?: string;
  /** The datum of the file's coordinates (default WGS-84). */
  readonly datum?: Datum;
  /** Codes of the areas the store knows: ids outside it are warned about. Empty or absent: no check. */
  readonly knownAreas?: ReadonlySet<string>;
  /** The size of the file's text in bytes, when the caller read it as text (checked against the limit). */
  readonly bytes?: number;
}

export type AreaBoundariesResult =
  | {
      readonly ok: true;
      readonly boundaries: AreaBoundaries;
      readonly issues: Issue<AreaBoundaryIssueCode>[];
    }
  | {
      readonly ok: false;
      /** The first errors (and any warnings); `errors` counts them all. */
      readonly issues: Issue<AreaBoundaryIssueCode>[];
      readonly errors: number;
    };

/** How many errors are listed before the rest are only counted (a broken export repeats one fault). */
const MAX_LISTED_ERRORS = 50;

type Position = [number, number];

const isDatum = (x: unknown): x is Datum => (DATUMS as readonly unknown[]).includes(x);

/** Twice the signed area of a ring in degrees² (shoelace, relative to its first position to keep precision). */
function ringArea2(ring: readonly Position[]): number {
  const y0 = ring[0]?.[1] ?? 0;
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const p = ring[i]!;
    const q = ring[j]!;
    a += (q[0] - p[0]) * (q[1] - y0 + (p[1] - y0));
  }
  return a;
}

/** Below this (degrees², about 0.01 m²) a ring has no area: its positions are on one line. */
const FLAT = 1e-12;

/**
 * Checks boundaries read from unknown JSON and returns them as stored: WGS-84, one feature per
 * area, every error listed (feature number, what, where). Any error: nothing is returned (a set
 * of boundaries with holes would give calls the wrong area). An unclosed ring is closed and an id
 * not among `knownAreas` is kept, both with a warning.
 * @example
 * restoreAreaBoundaries({ type: "FeatureCollection", features: [square] }, { idProperty: "code", datum: "gcj02" })
 */
export function restoreAreaBoundaries(
  json: unknown,
  options: RestoreAreaBoundariesOptions = {},
): AreaBoundariesResult {
  const idProperty = options.idProperty ?? DEFAULT_AREA_ID_PROPERTY;
  const datum = options.datum ?? "wgs84";
  const issues: Issue<AreaBoundaryIssueCode>[] = [];
  let errors = 0;
  const error = (code: AreaBoundaryIssueCode, params: Record<string, string | number>, value?: unknown) => {
    errors++;
    if (errors <= MAX_LISTED_ERRORS)
      issues.push({
        code,
        severity: "error",
        params,
        ...(value !== undefined ? { value: issueValue(value) } : {}),
      });
  };
  const fail = () => ({ ok: false as const, issues, errors });

  if (typeof idProperty !== "string" || idProperty.trim() === "" || idProperty.length > 64) {
    error("boundaries_bad_id_property", {}, idProperty);
    return fail();
  }
  if (!isDatum(datum)) {
    error("boundaries_bad_datum", {}, datum);
    return fail();
  }
  if (options.bytes !== undefined && options.bytes > AREA_BOUNDARY_LIMITS.maxBytes) {
    error("boundaries_too_large", {
      mb: (options.bytes / 2 ** 20).toFixed(1),
      limit: AREA_BOUNDARY_LIMITS.maxBytes / 2 ** 20,
    });
    return fail();
  }
  const collection = json as { type?: unknown; features?: unknown } | null;
  if (
    collection === null ||
    typeof collection !== "object" ||
    collection.type !== "FeatureCollection" ||
    !Array.isArray(collection.features)
  ) {
    const what =
      collection !== null && typeof collection === "object" && !Array.isArray(collection)
        ? `"type": ${JSON.stringify(collection.type ?? null)}`
        : Array.isArray(collection)
          ? "an array"
          : String(json);
    error("boundaries_not_collection", {}, what);
    return fail();
  }
  const raw = collection.features as unknown[];
  if (raw.length === 0) {
    error("boundaries_empty", {});
    return fail();
  }
  if (raw.length > AREA_BOUNDARY_LIMITS.maxFeatures) {
    error("boundaries_too_many", { count: raw.length, limit: AREA_BOUNDARY_LIMITS.maxFeatures });
    return fail();
  }

  const convert =
    datum === "wgs84"
      ? (p: Position): Position => [p[0], p[1]]
      : (p: Position): Position => {
          const [x, y] = convertPoint(p, datum, "wgs84");
          // 7 decimals: about a centimetre, far below the conversion's own error.
          return [Math.round(x * 1e7) / 1e7, Math.round(y * 1e7) / 1e7];
        };

  const firstOf = new Map<string, number>();
  const features: AreaFeature[] = [];
  raw.forEach((f, index) => {
    const n = index + 1;
    if (
      f === null ||
      typeof f !== "object" ||
      Array.isArray(f) ||
      (f as { type?: unknown }).type !== "Feature"
    ) {
      error("boundary_not_feature", { n }, f);
      return;
    }
    const feature = f as { id?: unknown; properties?: unknown; geometry?: unknown };
    const properties =
      feature.properties !== null &&
      typeof feature.properties === "object" &&
      !Array.isArray(feature.properties)
        ? (feature.properties as Record<string, unknown>)
        : {};
    const rawId = idProperty in properties ? properties[idProperty] : feature.id;
    const id =
      (typeof rawId === "string" && rawId.trim() !== "") ||
      (typeof rawId === "number" && Number.isFinite(rawId))
        ? String(rawId).trim()
        : null;
    const label = id ?? "?";
    const geometry = feature.geometry as { type?: unknown; coordinates?: unknown } | null | undefined;
    if (id === null) error("boundary_no_id", { n, property: idProperty });
    if (!geometry || (geometry.type !== "Polygon" && geometry.type !== "MultiPolygon")) {
      error("boundary_not_polygon", { n, id: label }, geometry?.type ?? "null");
      return;
    }
    if (id !== null) {
      const first = firstOf.get(id);
      if (first !== undefined) error("boundary_duplicate_id", { n, first }, id);
      else firstOf.set(id, n);
    }
    const polygons =
      geometry.type === "Polygon" ? [geometry.coordinates] : (geometry.coordinates as unknown[] | undefined);
    if (!Array.isArray(polygons) || polygons.length === 0) {
      error("boundary_bad_coordinates", { n, id: label, path: "coordinates" }, geometry.type);
      return;
    }
    const out: Position[][][] = [];
    let broken = false;
    polygons.forEach((polygon, pi) => {
      const where = geometry.type === "Polygon" ? "" : `[${pi}]`;
      if (!Array.isArray(polygon) || polygon.length === 0) {
        error("boundary_bad_coordinates", { n, id: label, path: `coordinates${where}` }, geometry.type);
        broken = true;
        return;
      }
      const rings: Position[][] = [];
      polygon.forEach((ring: unknown, ri) => {
        const path = `coordinates${where}[${ri}]`;
        if (!Array.isArray(ring)) {
          error("boundary_bad_coordinates", { n, id: label, path }, geometry.type);
          broken = true;
          return;
        }
        const positions: Position[] = [];
        for (const [k, p] of ring.entries()) {
          const ok =
            Array.isArray(p) &&
            p.length >= 2 &&
            typeof p[0] === "number" &&
            typeof p[1] === "number" &&
            Number.isFinite(p[0]) &&
            Number.isFinite(p[1]) &&
            Math.abs(p[0]) <= 180 &&
            Math.abs(p[1]) <= 90;
          if (!ok) {
            error("boundary_bad_position", { n, id: label, path: `${path}[${k}]` }, p);
            broken = true;
            return;
          }
          positions.push([p[0] as number, p[1] as number]);
        }
        const first = positions[0];
        const last = positions[positions.length - 1];
        if (first && last && (first[0] !== last[0] || first[1] !== last[1]) && positions.length >= 3) {
          positions.push([first[0], first[1]]);
          issues.push({ code: "boundary_ring_closed", severity: "warning", params: { n, id: label, path } });
        }
        if (positions.length < 4) {
          error("boundary_ring_too_short", { n, id: label, path, count: ring.length });
          broken = true;
          return;
        }
        if (Math.abs(ringArea2(positions)) < FLAT) {
          error("boundary_ring_flat", { n, id: label, path });
          broken = true;
          return;
        }
        rings.push(positions.map(convert));
      });
      out.push(rings);
    });
    if (broken || id === null) return;
    features.push({
      type: "Feature",
      id,
      properties: { ...properties, [idProperty]: id },
      geometry:
        geometry.type === "Polygon"
          ? { type: "Polygon", coordinates: out[0]! }
          : { type: "MultiPolygon", coordinates: out },
    });
  });
  if (errors > 0) return fail();
  const known = options.knownAreas;
  if (known && known.size > 0)
    features.forEach((f, i) => {
      if (!known.has(f.id))
        issues.push({
          code: "boundary_unknown_area",
          severity: "warning",
          value: f.id,
          params: { n: i + 1 },
        });
    });
  return {
    ok: true,
    boundaries: { kind: "recur-area-boundaries", version: 1, idProperty, sourceDatum: datum, features },
    issues,
  };
}

/** What a set of boundaries holds, for the CLI and the dashboard. */
export interface AreaBoundaryCounts {
  readonly areas: number;
  /** Polygons (the parts of MultiPolygons counted one by one). */
  readonly polygons: number;
  readonly vertices: number;
}

export function areaBoundaryCounts(boundaries: Pick<AreaBoundaries, "features">): AreaBoundaryCounts {
  let polygons = 0;
  let vertices = 0;
  for (const f of boundaries.features) {
    const parts = f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates;
    polygons += parts.length;
    for (const rings of parts) for (const ring of rings) vertices += ring.length;
  }
  return { areas: boundaries.features.length, polygons, vertices };
}

/**
 * A point inside an area to put its label on: on the horizontal line through the middle of its
 * largest polygon's outer ring, the midpoint of the widest stretch inside it (a centroid can fall
 * outside a concave area).
 * @example areaLabelPoint(feature) // [120.105, 30.205]
 */
export function areaLabelPoint(feature: Pick<AreaFeature, "geometry">): [number, number] {
  const parts =
    feature.geometry.type === "Polygon" ? [feature.geometry.coordinates] : feature.geometry.coordinates;
  let outer: number[][] = parts[0]?.[0] ?? [];
  let best = -1;
  for (const rings of parts) {
    const ring = rings[0] ?? [];
    const a = Math.abs(ringArea2(ring as Position[]));
    if (a > best) {
      best = a;
      outer = ring;
    }
  }
  let [y0, y1] = [Infinity, -Infinity];
  for (const p of outer) {
    y0 = Math.min(y0, p[1]!);
    y1 = Math.max(y1, p[1]!);
  }
  const y = (y0 + y1) / 2;
  const xs: number[] = [];
  for (let i = 0, j = outer.length - 1; i < outer.length; j = i++) {
    const [xi, yi] = outer[i] as Position;
    const [xj, yj] = outer[j] as Position;
    if (yi > y !== yj > y) xs.push(xi + ((y - yi) / (yj - yi)) * (xj - xi));
  }
  xs.sort((a, b) => a - b);
  let label: [number, number] = [outer[0]?.[0] ?? 0, y];
  let widest = -1;
  for (let k = 0; k + 1 < xs.length; k += 2) {
    const w = xs[k + 1]! - xs[k]!;
    if (w > widest) {
      widest = w;
      label = [(xs[k]! + xs[k + 1]!) / 2, y];
    }
  }
  return label;
}
