import type { Incident } from "../domain/index.ts";
import { ColumnsBuilder, newDictionaries } from "../repeat/columns.ts";
import { RepeatIndex, type RepeatSeries } from "../repeat/engine.ts";
import { DEFAULT_OPTIONS } from "../repeat/options.ts";
import type { Store } from "../store/types.ts";
import type { Scope } from "./access.ts";
import { deploymentRepeatOverrides } from "./rules.ts";

/** Where the server's repeat index is: loading from the store, ready, or failed to load. */
export type RepeatPhase =
  | { readonly kind: "loading"; readonly loaded: number; readonly total: number }
  | { readonly kind: "ready"; readonly incidents: number; readonly loadSeconds: number }
  | { readonly kind: "failed"; readonly message: string };

/** Interned unit codes per call index: the jurisdiction of each call, for scoping series. */
class CallUnits {
  private readonly codes = new Map<string, number>();
  branch = new Int32Array(1024).fill(-1);
  station = new Int32Array(1024).fill(-1);
  area = new Int32Array(1024).fill(-1);

  private id(code: string | null): number {
    if (code === null) return -1;
    let id = this.codes.get(code);
    if (id === undefined) {
      id = this.codes.size;
      this.codes.set(code, id);
    }
    return id;
  }

  codeId(code: string): number {
    return this.codes.get(code) ?? -2;
  }

  set(i: number, incident: Pick<Incident, "branchUnit" | "stationUnit" | "areaUnit">): void {
    if (i >= this.branch.length) {
      const cap = Math.max(i + 1, this.branch.length * 2);
      const grow = (a: Int32Array) => {
        const b = new Int32Array(cap).fill(-1);
        b.set(a);
        return b;
      };
      this.branch = grow(this.branch);
      this.station = grow(this.station);
      this.area = grow(this.area);
    }
    this.branch[i] = this.id(incident.branchUnit);
    this.station[i] = this.id(incident.stationUnit);
    this.area[i] = this.id(incident.areaUnit);
  }
}

/** Key of a row written over the API, so that the background load does not take it twice. */
const rowKey = (i: Pick<Incident, "sourceSystem" | "sourceId" | "batchId">) =>
  `${i.batchId}\u0000${i.sourceSystem}\u0000${i.sourceId}`;

/**
 * The server's repeat index: loaded from the store in the background when the server starts
 * (until then the check answers 503), then kept current by `add` as incidents arrive over the
 * API, without a full recompute (RepeatIndex.add recomputes only the touched keys and callers).
 */
export class RepeatService {
  private index: RepeatIndex | undefined;
  private readonly units = new CallUnits();
  private phaseNow: RepeatPhase = { kind: "loading", loaded: 0, total: 0 };
  /** Rows committed over the API while the load runs: the scan skips them, `add` takes them after. */
  private pending: Incident[] | undefined = [];
  private readonly pendingKeys = new Set<string>();
  /** Current series by id (the dispatch answer names series by id only). */
  private readonly byId = new Map<string, RepeatSeries>();

  get phase(): RepeatPhase {
    const p = this.phaseNow;
    return p.kind === "ready" && this.index ? { ...p, incidents: this.index.calls.length } : p;
  }

  /** The index once loaded. */
  get ready(): RepeatIndex | undefined {
    return this.index;
  }

  /** Reads every incident of the store into columns and runs batch detection. */
  async load(store: Store): Promise<void> {
    const t0 = performance.now();
    try {
      const total = await store.incidents.count();
      this.phaseNow = { kind: "loading", loaded: 0, total };
      const builder = new ColumnsBuilder(
        newDictionaries(),
        DEFAULT_OPTIONS.exclusions,
        Math.max(1024, total),
      );
      for await (const page of store.incidents.scan(20_000)) {
        for (const incident of page) {
          if (this.pendingKeys.has(rowKey(incident))) continue;
          this.units.set(builder.push(incident), incident);
        }
        this.phaseNow = { kind: "loading", loaded: builder.length, total };
      }
      const index = RepeatIndex.fromColumns(
        builder.columns(),
        await deploymentRepeatOverrides(store),
        builder,
      );
      this.index = index;
      for (const list of index.buckets.values()) for (const series of list) this.byId.set(series.id, series);
      const queued = this.pending ?? [];
      this.pending = undefined;
      this.pendingKeys.clear();
      if (queued.length > 0) this.add(queued);
      this.phaseNow = {
        kind: "ready",
        incidents: index.calls.length,
        loadSeconds: (performance.now() - t0) / 1000,
      };
    } catch (error) {
      this.phaseNow = { kind: "failed", message: (error as Error).message };
    }
  }

  /** Marks rows about to be committed, so that a load running meanwhile leaves them to `add`. */
  reserve(rows: readonly Incident[]): void {
    if (this.pending) for (const r of rows) this.pendingKeys.add(rowKey(r));
  }

  /** Feeds newly committed incidents to the index; returns the series that changed or appeared. */
  add(rows: readonly Incident[]): RepeatSeries[] {
    if (this.pending) {
      this.pending.push(...rows);
      return [];
    }
    const index = this.index;
    if (!index || rows.length === 0) return [];
    const first = index.calls.length;
    const changed = index.add(rows);
    // Calls are appended in order: call first + k is rows[k].
    rows.forEach((row, k) => {
      this.units.set(first + k, row);
    });
    for (const series of changed) this.byId.set(series.id, series);
    return changed;
  }

  /**
   * Whether a series lies in a user's jurisdiction: one of its calls (newest events first)
   * belongs to the user's unit. A series spanning two stations is visible to both.
   */
  seriesInScope(seriesId: string, scope: Scope): boolean {
    if (scope.kind === "all") return true;
    if (scope.kind !== "unit") return false;
    const index = this.index;
    const series = this.byId.get(seriesId);
    if (!index || !series) return false;
    const id = this.units.codeId(scope.code);
    if (id < 0) return false;
    const column =
      scope.level === "branch"
        ? this.units.branch
        : scope.level === "station"
          ? this.units.station
          : this.units.area;
    for (let k = series.events.length - 1; k >= 0; k--)
      for (const call of index.callsOf(series.events[k]!)) if (column[call] === id) return true;
    return false;
  }
}
