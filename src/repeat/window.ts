/**
 * The sliding-window series rule of `windowSeries` (definitions.ts) on a time-ordered list of
 * event ids with their times in a typed array: no objects, no sort, reusable scratch.
 * Must give exactly the series of `windowSeries` (window.test.ts checks it on random input).
 */
let scratch = new Uint8Array(1024);

/**
 * Series (lists of event ids, time order) among `list[0..m)`, whose times `at[list[i]]` are
 * non-decreasing: at least `minEvents` events within `windowMs`.
 * @example
 * windowRuns(Float64Array.of(0, 1, 2), Int32Array.of(0, 1, 2), 3, 3, 30 * 86_400_000) // [Int32Array[0, 1, 2]]
 */
export function windowRuns(
  at: Float64Array,
  list: Int32Array,
  m: number,
  minEvents: number,
  windowMs: number,
): Int32Array[] {
  if (m < minEvents) return [];
  if (scratch.length < m) scratch = new Uint8Array(Math.max(m, scratch.length * 2));
  const member = scratch;
  member.fill(0, 0, m);
  let end = 0;
  let any = false;
  // Members are marked once each: windows overlap, so each marks only past the one before.
  let marked = 0;
  for (let i = 0; i < m; i++) {
    const start = at[list[i]!]!;
    if (end < i) end = i;
    while (end + 1 < m && at[list[end + 1]!]! <= start + windowMs) end++;
    if (end - i + 1 >= minEvents) {
      member.fill(1, Math.max(i, marked), end + 1);
      marked = end + 1;
      any = true;
    }
  }
  if (!any) return [];
  const series: Int32Array[] = [];
  let current: number[] = [];
  let lastAt = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < m; i++) {
    if (!member[i]) continue;
    const e = list[i]!;
    const t = at[e]!;
    if (current.length > 0 && t - lastAt > windowMs) {
      series.push(Int32Array.from(current));
      current = [];
    }
    current.push(e);
    lastAt = t;
  }
  if (current.length > 0) series.push(Int32Array.from(current));
  return series;
}
