import { cellToLatLng, gridDisk, isValidCell, latLngToCell } from "h3-js";
import { normalCdf } from "../stats.ts";

export { normalCdf } from "../stats.ts";

/**
 * Hot spots on H3 cells: counts per cell, the Getis-Ord Gi* statistic with z-scores and p-values
 * (Getis & Ord 1992; Ord & Getis 1995), change between two periods, and a kernel density grid
 * for the map. Places only: cells count incidents, never people.
 */

/** Count per H3 cell of points (WGS-84 lat/lon); points without coordinates are skipped. */
export function cellCounts(lat: Float64Array, lon: Float64Array, resolution: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < lat.length; i++) {
    const la = lat[i]!;
    const lo = lon[i]!;
    if (!Number.isFinite(la) || !Number.isFinite(lo) || Math.abs(la) > 90 || Math.abs(lo) > 180) continue;
    const cell = latLngToCell(la, lo, resolution);
    counts.set(cell, (counts.get(cell) ?? 0) + 1);
  }
  return counts;
}

export const HOTSPOT_CLASSES = ["hot99", "hot95", "hot90", "none", "cold90", "cold95", "cold99"] as const;
export type HotspotClass = (typeof HOTSPOT_CLASSES)[number];

export interface GiStar {
  readonly cell: string;
  readonly count: number;
  /** Gi* is itself a z-score. */
  readonly z: number;
  /** Two-sided p-value from the normal approximation. */
  readonly p: number;
  /** Benjamini-Hochberg adjusted p-value over all cells tested (false discovery rate). */
  readonly q: number;
  readonly class: HotspotClass;
}

export interface GiOptions {
  /** Neighbourhood: cells within k rings (the cell itself included, as Gi* requires). Default 1. */
  readonly rings?: number;
  /**
   * Cells of the study area. Default: every cell with a count and the cells within 2 x `rings`
   * of it, so that empty cells around incidents count as zeros instead of being left out.
   */
  readonly studyArea?: readonly string[];
  /** Classify by FDR-adjusted q instead of raw p (ArcGIS "Apply False Discovery Rate correction"). Default true. */
  readonly fdr?: boolean;
}

function classify(z: number, p: number): HotspotClass {
  if (p < 0.01) return z > 0 ? "hot99" : "cold99";
  if (p < 0.05) return z > 0 ? "hot95" : "cold95";
  if (p < 0.1) return z > 0 ? "hot90" : "cold90";
  return "none";
}

/** Benjamini-Hochberg step-up adjusted p-values, in the input order. */
export function benjaminiHochberg(p: readonly number[]): number[] {
  const m = p.length;
  const order = p.map((_, i) => i).sort((a, b) => p[b]! - p[a]!);
  const q = new Array<number>(m);
  let running = 1;
  order.forEach((i, rankFromTop) => {
    const rank = m - rankFromTop;
    running = Math.min(running, (p[i]! * m) / rank);
    q[i] = running;
  });
  return q;
}

/**
 * Getis-Ord Gi* over H3 cells with binary weights (cells within `rings` of each other).
 * Gi* = (sum_j w_ij x_j - mean * W_i) / (s * sqrt((n * W_i - W_i^2) / (n - 1))) with W_i the
 * number of neighbours in the study area (binary weights, so sum w^2 = W_i).
 * @example
 * giStar(cellCounts(lat, lon, 9)).filter((c) => c.class.startsWith("hot"));
 */
export function giStar(counts: ReadonlyMap<string, number>, options: GiOptions = {}): GiStar[] {
  const rings = options.rings ?? 1;
  const fdr = options.fdr ?? true;
  let area: string[];
  if (options.studyArea) area = options.studyArea.filter((c) => isValidCell(c));
  else {
    const set = new Set<string>();
    for (const cell of counts.keys()) for (const n of gridDisk(cell, 2 * rings)) set.add(n);
    area = [...set];
  }
  const n = area.length;
  if (n < 3) return [];
  const x = area.map((c) => counts.get(c) ?? 0);
  const mean = x.reduce((a, b) => a + b, 0) / n;
  const s = Math.sqrt(x.reduce((a, b) => a + b * b, 0) / n - mean * mean);
  const index = new Map(area.map((c, i) => [c, i]));
  const z = area.map((cell) => {
    let sum = 0;
    let w = 0;
    for (const nb of gridDisk(cell, rings)) {
      const j = index.get(nb);
      if (j === undefined) continue;
      sum += x[j]!;
      w++;
    }
    const denom = s * Math.sqrt((n * w - w * w) / (n - 1));
    return denom > 0 ? (sum - mean * w) / denom : 0;
  });
  const p = z.map((v) => 2 * (1 - normalCdf(Math.abs(v))));
  const q = benjaminiHochberg(p);
  return area.map((cell, i) => ({
    cell,
    count: x[i]!,
    z: z[i]!,
    p: p[i]!,
    q: q[i]!,
    class: classify(z[i]!, fdr ? q[i]! : p[i]!),
  }));
}

export const HOTSPOT_TRENDS = ["new", "intensifying", "persistent", "diminishing"] as const;
export type HotspotTrend = (typeof HOTSPOT_TRENDS)[number];

export interface HotspotChange {
  readonly cell: string;
  readonly trend: HotspotTrend;
  readonly before: number;
  readonly after: number;
  readonly zBefore: number;
  readonly zAfter: number;
}

export interface ChangeOptions extends GiOptions {
  /** Count ratio after/before (durations equal) that makes a persistent hot spot intensifying. Default 1.25. */
  readonly rise?: number;
  /** Length of the current period over the baseline period, to compare rates. Default 1. */
  readonly durationRatio?: number;
}

/**
 * Change of hot spots between a baseline and a current period, over the union of both study areas:
 * new = hot now, not before; intensifying = hot in both and the rate rose by `rise` or more;
 * persistent = hot in both otherwise; diminishing = hot before and not hot now, or its rate fell
 * below 1/`rise`. Cells hot in neither period are not listed.
 */
export function hotspotChange(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
  options: ChangeOptions = {},
): HotspotChange[] {
  const rings = options.rings ?? 1;
  const rise = options.rise ?? 1.25;
  const ratio = options.durationRatio ?? 1;
  const area = options.studyArea ?? [
    ...new Set([...before.keys(), ...after.keys()].flatMap((c) => gridDisk(c, rings))),
  ];
  const a = new Map(giStar(before, { ...options, studyArea: area }).map((g) => [g.cell, g]));
  const b = new Map(giStar(after, { ...options, studyArea: area }).map((g) => [g.cell, g]));
  const out: HotspotChange[] = [];
  for (const cell of area) {
    const ga = a.get(cell);
    const gb = b.get(cell);
    if (!ga || !gb) continue;
    const hotA = ga.class.startsWith("hot");
    const hotB = gb.class.startsWith("hot");
    if (!hotA && !hotB) continue;
    const rateA = ga.count;
    const rateB = gb.count / ratio;
    let trend: HotspotTrend;
    if (hotB && !hotA) trend = "new";
    else if (hotA && !hotB) trend = "diminishing";
    else if (rateB >= rateA * rise) trend = "intensifying";
    else if (rateB * rise <= rateA) trend = "diminishing";
    else trend = "persistent";
    out.push({ cell, trend, before: ga.count, after: gb.count, zBefore: ga.z, zAfter: gb.z });
  }
  return out.sort((x, y) => y.zAfter - x.zAfter);
}

export interface DensityGrid {
  readonly west: number;
  readonly south: number;
  /** Cell size in degrees of longitude and latitude. */
  readonly dLon: number;
  readonly dLat: number;
  readonly columns: number;
  readonly rows: number;
  /** Density per km2, row-major from the south-west corner. */
  readonly values: Float64Array;
  readonly max: number;
}

/**
 * Kernel density on a regular grid with the quartic (biweight) kernel, the usual choice of crime
 * mapping (e.g. ArcGIS Kernel Density, Silverman 1986 eq. 4.5), in an equirectangular projection
 * around the points' mean latitude (good to well under 1% across a city).
 * @example
 * densityGrid(lat, lon, { cellMeters: 100, bandwidthMeters: 300 });
 */
export function densityGrid(
  lat: Float64Array,
  lon: Float64Array,
  options: { readonly cellMeters: number; readonly bandwidthMeters: number; readonly maxCells?: number },
): DensityGrid {
  const { cellMeters, bandwidthMeters } = options;
  const maxCells = options.maxCells ?? 4_000_000;
  let west = Infinity;
  let east = -Infinity;
  let south = Infinity;
  let north = -Infinity;
  let latSum = 0;
  let m = 0;
  for (let i = 0; i < lat.length; i++) {
    if (!Number.isFinite(lat[i]!) || !Number.isFinite(lon[i]!)) continue;
    west = Math.min(west, lon[i]!);
    east = Math.max(east, lon[i]!);
    south = Math.min(south, lat[i]!);
    north = Math.max(north, lat[i]!);
    latSum += lat[i]!;
    m++;
  }
  if (m === 0)
    return { west: 0, south: 0, dLon: 0, dLat: 0, columns: 0, rows: 0, values: new Float64Array(0), max: 0 };
  const metresPerDegLat = 111_320;
  const metresPerDegLon = 111_320 * Math.cos(((latSum / m) * Math.PI) / 180);
  const dLat = cellMeters / metresPerDegLat;
  const dLon = cellMeters / metresPerDegLon;
  const pad = bandwidthMeters;
  west -= pad / metresPerDegLon;
  south -= pad / metresPerDegLat;
  const columns = Math.ceil((east - west + pad / metresPerDegLon) / dLon) + 1;
  const rows = Math.ceil((north - south + pad / metresPerDegLat) / dLat) + 1;
  if (columns * rows > maxCells)
    throw new RangeError(`density grid of ${columns}x${rows} cells is over ${maxCells}`);
  const values = new Float64Array(columns * rows);
  const h = bandwidthMeters;
  const reach = Math.ceil(h / cellMeters);
  // Quartic kernel 3/(pi h^2) (1 - d^2/h^2)^2, in points per km2.
  const norm = (3 / (Math.PI * h * h)) * 1e6;
  for (let i = 0; i < lat.length; i++) {
    if (!Number.isFinite(lat[i]!) || !Number.isFinite(lon[i]!)) continue;
    const px = (lon[i]! - west) * metresPerDegLon;
    const py = (lat[i]! - south) * metresPerDegLat;
    const cx = Math.floor(px / cellMeters);
    const cy = Math.floor(py / cellMeters);
    for (let r = Math.max(0, cy - reach); r <= Math.min(rows - 1, cy + reach); r++) {
      const dy = (r + 0.5) * cellMeters - py;
      for (let c = Math.max(0, cx - reach); c <= Math.min(columns - 1, cx + reach); c++) {
        const dx = (c + 0.5) * cellMeters - px;
        const u = (dx * dx + dy * dy) / (h * h);
        if (u < 1) values[r * columns + c]! += norm * (1 - u) * (1 - u);
      }
    }
  }
  let max = 0;
  for (let k = 0; k < values.length; k++) if (values[k]! > max) max = values[k]!;
  return { west, south, dLon, dLat, columns, rows, values, max };
}

/** Centre of an H3 cell as [lat, lon], for labels and maps. */
export function cellCentre(cell: string): readonly [number, number] {
  const [la, lo] = cellToLatLng(cell);
  return [la, lo];
}
