import { booleanPointInPolygon } from "@turf/boolean-point-in-polygon";
import gcoordModule from "gcoord";
import { latLngToCell } from "h3-js";

/**
 * Coordinates: WGS-84 (GPS), GCJ-02 (the "Mars" datum of Chinese web maps, AMap/Tencent) and
 * BD-09 (Baidu) via gcoord; H3 cells (Uber's hexagonal grid) via h3-js; jurisdiction by
 * point-in-polygon (@turf/boolean-point-in-polygon) over user-supplied GeoJSON boundaries.
 */

export const DATUMS = ["wgs84", "gcj02", "bd09"] as const;
export type Datum = (typeof DATUMS)[number];

declare const wgs84Brand: unique symbol;
/** A longitude/latitude pair known to be WGS-84: must not be mixed with GCJ-02 or BD-09 points. */
export type Wgs84Point = readonly [lon: number, lat: number] & { readonly [wgs84Brand]: true };

/** gcoord is CommonJS: under NodeNext its default import is typed as the module namespace. */
const gcoord = gcoordModule as unknown as (typeof gcoordModule)["default"];
const CRS = { wgs84: gcoord.WGS84, gcj02: gcoord.GCJ02, bd09: gcoord.BD09 } as const;

/** True for a finite longitude/latitude pair that is not the 0,0 placeholder of many exports. */
export function validLonLat(lon: number | null | undefined, lat: number | null | undefined): boolean {
  return (
    typeof lon === "number" &&
    typeof lat === "number" &&
    Number.isFinite(lon) &&
    Number.isFinite(lat) &&
    Math.abs(lon) <= 180 &&
    Math.abs(lat) <= 90 &&
    !(lon === 0 && lat === 0)
  );
}

/**
 * Converts a point between datums. Outside China GCJ-02 and BD-09 equal WGS-84 (gcoord leaves
 * such points as they are).
 * @example convertPoint([116.404, 39.915], "bd09", "wgs84")
 */
export function convertPoint(point: readonly [number, number], from: Datum, to: Datum): [number, number] {
  if (from === to) return [point[0], point[1]];
  const [lon, lat] = gcoord.transform([point[0], point[1]], CRS[from], CRS[to]) as [number, number];
  return [lon, lat];
}

/** A point in any datum, as WGS-84. */
export function toWgs84(lon: number, lat: number, datum: Datum): Wgs84Point {
  return convertPoint([lon, lat], datum, "wgs84") as unknown as Wgs84Point;
}

/**
 * The H3 cell of a WGS-84 point at a resolution (0 coarse … 15 fine; 9 ≈ 0.1 km², a block).
 * @example h3Cell(toWgs84(-87.95, 43.11, "wgs84"), 9)
 */
export function h3Cell(point: Wgs84Point, resolution = 9): string {
  if (!Number.isInteger(resolution) || resolution < 0 || resolution > 15) {
    throw new RangeError(`H3 resolution must be an integer 0..15, got ${resolution}`);
  }
  return latLngToCell(point[1], point[0], resolution);
}

/** A GeoJSON boundary feature (Polygon or MultiPolygon) with an identifying property. */
export interface BoundaryFeature {
  readonly type: "Feature";
  readonly properties: Readonly<Record<string, unknown>> | null;
  readonly geometry:
    | { readonly type: "Polygon"; readonly coordinates: number[][][] }
    | { readonly type: "MultiPolygon"; readonly coordinates: number[][][][] };
}

export interface Jurisdictions {
  /** Finds the unit whose boundary contains the point, or null. */
  locate(point: Wgs84Point): string | null;
  readonly size: number;
}

/**
 * Indexes jurisdiction boundaries (e.g. station areas) from a GeoJSON FeatureCollection, with
 * the unit id read from `idProperty`. Features without polygon geometry or id are skipped and
 * counted. A bounding-box test runs before the exact point-in-polygon test.
 */
export function jurisdictions(
  collection: { readonly features: readonly unknown[] },
  idProperty = "id",
): Jurisdictions & { readonly skipped: number } {
  const units: { id: string; bbox: [number, number, number, number]; feature: BoundaryFeature }[] = [];
  let skipped = 0;
  for (const raw of collection.features) {
    const f = raw as Partial<BoundaryFeature> | null;
    const geom = f?.geometry;
    const id = f?.properties?.[idProperty];
    if (
      !geom ||
      (geom.type !== "Polygon" && geom.type !== "MultiPolygon") ||
      (typeof id !== "string" && typeof id !== "number")
    ) {
      skipped++;
      continue;
    }
    const bbox: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
    const rings = geom.type === "Polygon" ? geom.coordinates : geom.coordinates.flat();
    for (const ring of rings)
      for (const [x, y] of ring as [number, number][]) {
        bbox[0] = Math.min(bbox[0], x);
        bbox[1] = Math.min(bbox[1], y);
        bbox[2] = Math.max(bbox[2], x);
        bbox[3] = Math.max(bbox[3], y);
      }
    units.push({ id: String(id), bbox, feature: f as BoundaryFeature });
  }
  return {
    size: units.length,
    skipped,
    locate(point) {
      const [x, y] = point;
      for (const u of units) {
        if (x < u.bbox[0] || y < u.bbox[1] || x > u.bbox[2] || y > u.bbox[3]) continue;
        // biome-ignore lint/suspicious/noExplicitAny: turf's GeoJSON typings are structurally equal to ours
        if (booleanPointInPolygon([x, y], u.feature as any)) return u.id;
      }
      return null;
    },
  };
}
