import { IntTable } from "./int-table.ts";

/** Largest dense grid a batch lays out (4 bytes a cell: 16 MB). */
const MAX_GRID_CELLS = 1 << 22;

/**
 * The latest event in each grid cell (cell coordinates cx, cy of a metric projection). A batch
 * lays a dense array over the cells where most of its calls are (`cover`): a lookup there is one
 * array read. Cells outside it, and every cell of an index that grows call by call, are kept in
 * an IntTable under a small-integer key: cell coordinates modulo 32,768 (4,900 km at 150 m; cells
 * that far apart share a chain, and distances are checked anyway).
 */
export class CellHeads {
  private grid = new Int32Array(0);
  private x0 = 0;
  private y0 = 0;
  private width = 0;
  private height = 0;
  private readonly table = new IntTable();
  private count = 0;

  /** Cells holding at least one event. */
  get size(): number {
    return this.count;
  }

  /**
   * Lays the dense grid over the cells from (x0, y0) to (x1, y1), both included, when that is at
   * most MAX_GRID_CELLS cells; only while the index is empty.
   */
  cover(x0: number, y0: number, x1: number, y1: number): void {
    if (this.count > 0 || x1 < x0 || y1 < y0) return;
    const width = x1 - x0 + 1;
    const height = y1 - y0 + 1;
    if (width * height > MAX_GRID_CELLS) return;
    this.grid = new Int32Array(width * height).fill(-1);
    this.x0 = x0;
    this.y0 = y0;
    this.width = width;
    this.height = height;
  }

  /** The latest event in cell (cx, cy), or -1. */
  get(cx: number, cy: number): number {
    const gx = cx - this.x0;
    const gy = cy - this.y0;
    if (gx >= 0 && gy >= 0 && gx < this.width && gy < this.height) return this.grid[gy * this.width + gx]!;
    return this.table.get(cellKey(cx, cy));
  }

  /** Makes e the latest event in cell (cx, cy); returns the one it follows (or -1). */
  push(cx: number, cy: number, e: number): number {
    const gx = cx - this.x0;
    const gy = cy - this.y0;
    let previous: number;
    if (gx >= 0 && gy >= 0 && gx < this.width && gy < this.height) {
      const at = gy * this.width + gx;
      previous = this.grid[at]!;
      this.grid[at] = e;
    } else {
      const key = cellKey(cx, cy);
      previous = this.table.get(key);
      this.table.set(key, e);
    }
    if (previous < 0) this.count++;
    return previous;
  }
}

function cellKey(cx: number, cy: number): number {
  return (cx & 0x7fff) * 32768 + (cy & 0x7fff);
}

/**
 * The cells between the 0.5th and the 99.5th percentile of the calls' cell coordinates, from a
 * sample of at most 65,536 calls (a few calls far away, such as coordinates 0, 0, do not stretch
 * the grid); null without coordinates.
 */
export function denseCells(
  count: number,
  cellAt: (i: number, out: Float64Array) => boolean,
): [x0: number, y0: number, x1: number, y1: number] | null {
  const step = Math.max(1, Math.floor(count / 65_536));
  const xs: number[] = [];
  const ys: number[] = [];
  const cell = new Float64Array(2);
  for (let i = 0; i < count; i += step) {
    if (!cellAt(i, cell)) continue;
    xs.push(cell[0]!);
    ys.push(cell[1]!);
  }
  if (xs.length === 0) return null;
  const sorted = (a: number[]) => Float64Array.from(a).sort();
  const sx = sorted(xs);
  const sy = sorted(ys);
  const at = (a: Float64Array, q: number) => a[Math.min(a.length - 1, Math.floor(q * a.length))]!;
  // A margin of two cells: a radius search reaches one cell beyond its own.
  return [at(sx, 0.005) - 2, at(sy, 0.005) - 2, at(sx, 0.995) + 2, at(sy, 0.995) + 2];
}
