import gcoordModule from "gcoord";
import { latLngToCell } from "h3-js";

/**
 * Coordinates: WGS-84 (GPS), GCJ-02 (the "Mars" datum of Chinese web maps, AMap/Tencent) and
 * BD-09 (Baidu) via gcoord; H3 cells (Uber's hexagonal grid) via h3-js; jurisdiction by
 * point-in-polygon over user-supplied GeoJSON boundaries (src/address/boundaries.ts).
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

/** One polygon of a boundary: its rings as flat x,y arrays and their bounding box. */
interface IndexedPolygon {
  readonly rings: readonly Float64Array[];
  readonly bbox: readonly [number, number, number, number];
}

/**
 * Even-odd ray casting over all rings of a polygon (outer and holes): inside when a ray from the
 * point crosses its edges an odd number of times (a point exactly on an edge may go either way).
 */
function inPolygon(x: number, y: number, polygon: IndexedPolygon): boolean {
  let inside = false;
  for (const ring of polygon.rings) {
    const n = ring.length;
    for (let i = 0, j = n - 2; i < n; j = i, i += 2) {
      const yi = ring[i + 1]!;
      const yj = ring[j + 1]!;
      if (yi > y !== yj > y) {
        const xi = ring[i]!;
        const xj = ring[j]!;
        if (x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
    }
  }
  return inside;
}

/** Cells per side of the coarse grid that narrows a point down to the boundaries whose box covers its cell. */
const GRID = 64;

/**
 * Indexes jurisdiction boundaries (e.g. station areas) from a GeoJSON FeatureCollection, with
 * the unit id read from `idProperty`. Features without polygon geometry or id are skipped and
 * counted. Where boundaries overlap, the first in the collection wins.
 *
 * Two grids over the boundaries' extent make a point cheap: a fine one (up to 1024² cells) knows,
 * for every cell no boundary edge crosses, which unit (if any) holds the whole cell, filled by
 * scanlines when the index is built; a point in such a cell is answered without a polygon test.
 * A point in a cell an edge crosses takes the units of its coarse cell, a bounding-box test and
 * even-odd ray casting. 500 invented areas of 200 vertices, 200,000 points, one after the other:
 * 3.5 µs a point with a scan of every box and @turf/boolean-point-in-polygon (before), 0.54 µs
 * (docs/address.md, "Coordinates").
 */
export function jurisdictions(
  collection: { readonly features: readonly unknown[] },
  idProperty = "id",
): Jurisdictions & { readonly skipped: number } {
  const units: { id: string; bbox: [number, number, number, number]; polygons: IndexedPolygon[] }[] = [];
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
    const parts = geom.type === "Polygon" ? [geom.coordinates] : geom.coordinates;
    const bbox: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
    const polygons: IndexedPolygon[] = [];
    for (const part of parts) {
      const box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
      const rings = part.map((ring) => {
        const flat = new Float64Array(ring.length * 2);
        ring.forEach(([x, y], k) => {
          flat[2 * k] = x!;
          flat[2 * k + 1] = y!;
          box[0] = Math.min(box[0], x!);
          box[1] = Math.min(box[1], y!);
          box[2] = Math.max(box[2], x!);
          box[3] = Math.max(box[3], y!);
        });
        return flat;
      });
      if (rings.length === 0 || !(box[0] <= box[2])) continue;
      polygons.push({ rings, bbox: box });
      bbox[0] = Math.min(bbox[0], box[0]);
      bbox[1] = Math.min(bbox[1], box[1]);
      bbox[2] = Math.max(bbox[2], box[2]);
      bbox[3] = Math.max(bbox[3], box[3]);
    }
    if (polygons.length === 0) {
      skipped++;
      continue;
    }
    units.push({ id: String(id), bbox, polygons });
  }
  const extent = units.reduce<[number, number, number, number]>(
    (e, u) => [
      Math.min(e[0], u.bbox[0]),
      Math.min(e[1], u.bbox[1]),
      Math.max(e[2], u.bbox[2]),
      Math.max(e[3], u.bbox[3]),
    ],
    [Infinity, Infinity, -Infinity, -Infinity],
  );
  const gridOf = (side: number) => {
    const w = (extent[2] - extent[0]) / side || 1;
    const h = (extent[3] - extent[1]) / side || 1;
    const col = (x: number) => Math.min(side - 1, Math.max(0, Math.floor((x - extent[0]) / w)));
    const row = (y: number) => Math.min(side - 1, Math.max(0, Math.floor((y - extent[1]) / h)));
    return { side, w, h, col, row };
  };

  // The coarse grid: per cell, the indexes (in collection order) of the units whose box overlaps it.
  const coarse = gridOf(GRID);
  const cells: number[][] = Array.from({ length: GRID * GRID }, () => []);
  units.forEach((u, k) => {
    for (let cx = coarse.col(u.bbox[0]); cx <= coarse.col(u.bbox[2]); cx++)
      for (let cy = coarse.row(u.bbox[1]); cy <= coarse.row(u.bbox[3]); cy++) cells[cy * GRID + cx]!.push(k);
  });

  // The fine grid: cells crossed by an edge (its bounding box, conservatively), and for the others
  // the first unit whose polygon holds the cell's centre (then the whole cell), -1 for none.
  const fine = gridOf(Math.min(1024, Math.max(64, Math.ceil(Math.sqrt(units.length)) * 32)));
  const crossed = new Uint8Array(fine.side * fine.side);
  const owner = new Int32Array(fine.side * fine.side).fill(-1);
  const xs: number[] = [];
  units.forEach((u, k) => {
    for (const p of u.polygons) {
      for (const ring of p.rings)
        for (let i = 2; i < ring.length; i += 2) {
          const [x0, y0, x1, y1] = [ring[i - 2]!, ring[i - 1]!, ring[i]!, ring[i + 1]!];
          const c1 = fine.col(Math.max(x0, x1));
          const r1 = fine.row(Math.max(y0, y1));
          for (let r = fine.row(Math.min(y0, y1)); r <= r1; r++)
            for (let c = fine.col(Math.min(x0, x1)); c <= c1; c++) crossed[r * fine.side + c] = 1;
        }
      // Scanlines through the centres of the rows the polygon spans: the cells whose centre lies
      // between a pair of crossings are inside it.
      for (let r = fine.row(p.bbox[1]); r <= fine.row(p.bbox[3]); r++) {
        const y = extent[1] + (r + 0.5) * fine.h;
        xs.length = 0;
        for (const ring of p.rings)
          for (let i = 0, j = ring.length - 2; i < ring.length; j = i, i += 2) {
            const yi = ring[i + 1]!;
            const yj = ring[j + 1]!;
            if (yi > y !== yj > y) xs.push(((ring[j]! - ring[i]!) * (y - yi)) / (yj - yi) + ring[i]!);
          }
        xs.sort((a, b) => a - b);
        for (let m = 0; m + 1 < xs.length; m += 2) {
          const from = Math.ceil((xs[m]! - extent[0]) / fine.w - 0.5);
          const to = Math.floor((xs[m + 1]! - extent[0]) / fine.w - 0.5);
          for (let c = Math.max(0, from); c <= Math.min(fine.side - 1, to); c++)
            if (owner[r * fine.side + c] === -1) owner[r * fine.side + c] = k;
        }
      }
    }
  });

  return {
    size: units.length,
    skipped,
    locate(point) {
      const [x, y] = point;
      if (!(x >= extent[0] && y >= extent[1] && x <= extent[2] && y <= extent[3])) return null;
      const f = fine.row(y) * fine.side + fine.col(x);
      if (crossed[f] === 0) {
        const k = owner[f]!;
        return k === -1 ? null : units[k]!.id;
      }
      for (const k of cells[coarse.row(y) * GRID + coarse.col(x)]!) {
        const u = units[k]!;
        if (x < u.bbox[0] || y < u.bbox[1] || x > u.bbox[2] || y > u.bbox[3]) continue;
        for (const p of u.polygons) {
          if (x < p.bbox[0] || y < p.bbox[1] || x > p.bbox[2] || y > p.bbox[3]) continue;
          if (inPolygon(x, y, p)) return u.id;
        }
      }
      return null;
    },
  };
}
