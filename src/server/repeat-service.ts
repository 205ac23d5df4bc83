import { constants, PerformanceObserver } from "node:perf_hooks";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { BatchId, Incident } from "../domain/index.ts";
import { ColumnsBuilder, FILL_CHUNK, newDictionaries, reservedCapacity } from "../repeat/columns.ts";
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

/**
 * Interned unit codes per call index: the jurisdiction of each call, for scoping series. Sized
 * like the index's columns (reservedCapacity: headroom is untouched address space), -1 defaults
 * written a chunk ahead of use.
 */
class CallUnits {
  private readonly codes = new Map<string, number>();
  branch = new Int32Array(0);
  station = new Int32Array(0);
  area = new Int32Array(0);
  private ready = 0;

  constructor(capacity = 1024) {
    this.allocate(capacity);
  }

  private allocate(cap: number): void {
    const buffer = new ArrayBuffer(cap * 12);
    const move = (a: Int32Array, k: number) => {
      const b = new Int32Array(buffer, k * cap * 4, cap);
      b.set(a.subarray(0, this.ready));
      return b;
    };
    this.branch = move(this.branch, 0);
    this.station = move(this.station, 1);
    this.area = move(this.area, 2);
  }

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
    if (i >= this.ready) {
      if (i >= this.branch.length) this.allocate(reservedCapacity(i + 1));
      const to = Math.min(this.branch.length, Math.max(i + 1, this.ready + FILL_CHUNK));
      this.branch.fill(-1, this.ready, to);
      this.station.fill(-1, this.ready, to);
      this.area.fill(-1, this.ready, to);
      this.ready = to;
    }
    this.branch[i] = this.id(incident.branchUnit);
    this.station[i] = this.id(incident.stationUnit);
    this.area[i] = this.id(incident.areaUnit);
  }
}

/** Longest stretch of index work between two turns of the event loop, in milliseconds. */
const SLICE_MS = 20;

/** Runs `work` on, yielding to the event loop whenever it has held it for SLICE_MS. */
class Slicer {
  private since = performance.now();

  /** Call between units of work: awaits the next turn of the event loop when the slice is spent. */
  async pause(): Promise<void> {
    if (performance.now() - this.since < SLICE_MS) return;
    await nextTurn();
    this.since = performance.now();
  }
}

/**
 * Waits (at most `ms`) for V8's next full collection to end. A batch's buffers count as external
 * memory, and each one sets off a collection; allocating the next before it has ended makes V8
 * finish it at once, blocking the event loop (2.1 s at 10,000,000 calls).
 */
export function afterFullCollection(ms = 2000): Promise<void> {
  return new Promise((resolve) => {
    const observer = new PerformanceObserver((list) => {
      // Node 20 puts the kind of a gc entry in `detail` (its types do not declare it).
      const full = list
        .getEntries()
        .some(
          (e) =>
            (e as unknown as { detail?: { kind?: number } }).detail?.kind ===
            constants.NODE_PERFORMANCE_GC_MAJOR,
        );
      if (full) done();
    });
    const timer = setTimeout(done, ms);
    observer.observe({ entryTypes: ["gc"] });
    function done() {
      clearTimeout(timer);
      observer.disconnect();
      resolve();
    }
  });
}

/** Calls from which a build waits for V8's collections between its buffers (afterFullCollection). */
const LARGE_BUILD = 2_000_000;

/**
 * Batch detection in steps (RepeatIndex.fromColumnsInSteps) between turns of the event loop, at
 * most about 20 ms of work at a time: a server keeps answering while a 10,000,000-call index builds.
 * @example
 * const index = await buildInSlices(builder.columns(), overrides, builder);
 */
export async function buildInSlices(
  ...args: Parameters<typeof RepeatIndex.fromColumnsInSteps>
): Promise<RepeatIndex> {
  const slicer = new Slicer();
  const large = args[0].length >= LARGE_BUILD;
  const steps = RepeatIndex.fromColumnsInSteps(...args);
  for (let step = steps.next(); ; step = steps.next()) {
    if (step.done) return step.value;
    if (large && step.value === "arena") await afterFullCollection();
    else await slicer.pause();
  }
}

/** Rows per page when an import batch is read back from the store for the index. */
const BATCH_PAGE = 5_000;

/** What `addBatch` did with an import batch. */
export type BatchFeed =
  | { readonly kind: "added"; readonly incidents: number }
  /** The batch was already in the index (loaded, posted or fed before). */
  | { readonly kind: "known" }
  /**
   * The batch reaches back before the index's newest call, is larger than the index's headroom,
   * or updated calls the index holds: only a rebuild gives the batch result (docs/repeat.md "Imports").
   */
  | { readonly kind: "rebuild"; readonly reason: "out_of_order" | "headroom" | "updated" }
  | { readonly kind: "not_ready" };

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
  private units = new CallUnits();
  /** Import batches whose incidents the index holds (or is loading): an import is fed once. */
  private readonly batches = new Set<string>();
  /** Import batches are fed one at a time, in the order they were asked for. */
  private feeding: Promise<unknown> = Promise.resolve();
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

  /**
   * Reads every incident of the store into columns and runs batch detection, in slices of about
   * 20 ms between turns of the event loop (RepeatIndex.fromColumnsInSteps): the server keeps
   * answering while a 10,000,000-call index builds. Batches committed after the load started are
   * left to `addBatch`.
   */
  async load(store: Store): Promise<void> {
    const t0 = performance.now();
    try {
      const slicer = new Slicer();
      const committed = await store.batches.list();
      for (const b of committed) this.batches.add(b.id);
      const total = await store.incidents.count();
      this.phaseNow = { kind: "loading", loaded: 0, total };
      // Headroom for live calls and imports without copying a column (reservedCapacity).
      const capacity = reservedCapacity(Math.max(1024, total));
      const builder = new ColumnsBuilder(newDictionaries(), DEFAULT_OPTIONS.exclusions, capacity);
      this.units = new CallUnits(capacity);
      for await (const page of store.incidents.scan(20_000)) {
        for (let k = 0; k < page.length; k++) {
          const incident = page[k]!;
          if (this.pendingKeys.has(rowKey(incident)) || !this.batches.has(incident.batchId)) continue;
          this.units.set(builder.push(incident), incident);
          if ((k & 1023) === 1023) await slicer.pause();
        }
        this.phaseNow = { kind: "loading", loaded: builder.length, total };
      }
      const index = await buildInSlices(builder.columns(), await deploymentRepeatOverrides(store), builder);
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
    for (const row of rows) this.batches.add(row.batchId);
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

  /** Calls the index takes before its columns must be copied into larger ones (0 while loading). */
  get headroom(): number {
    const calls = this.index?.calls;
    return calls ? calls.capacity - calls.length : 0;
  }

  /** Whether live calls have used most of the headroom: a rebuild (with fresh headroom) is due. */
  get headroomLow(): boolean {
    const calls = this.index?.calls;
    return calls !== undefined && this.headroom < calls.capacity / 8;
  }

  /** Import batches committed in the store that the index does not hold yet, oldest first. */
  async unseenBatches(store: Store): Promise<BatchId[]> {
    const all = await store.batches.list();
    return all
      .filter((b) => !this.batches.has(b.id))
      .sort((a, b) => a.startedAt - b.startedAt)
      .map((b) => b.id);
  }

  /**
   * Feeds one committed import batch to the index through the incremental path (the one
   * POST /api/v1/incidents uses), in pages, yielding to the event loop between slices. Refuses
   * (kind "rebuild") a batch reaching back to or before the index's newest call or larger than its
   * headroom: appended in time order, `add` gives exactly the series of a batch run over all the
   * calls; earlier calls would need a rebuild. Batches are fed one at a time.
   */
  addBatch(store: Store, batchId: BatchId): Promise<BatchFeed> {
    const run = this.feeding.then(() => this.feedBatch(store, batchId));
    this.feeding = run.catch(() => undefined);
    return run;
  }

  private async feedBatch(store: Store, batchId: BatchId): Promise<BatchFeed> {
    const index = this.index;
    if (!index || this.pending) return { kind: "not_ready" };
    if (this.batches.has(batchId)) return { kind: "known" };
    const batch = await store.batches.get(batchId);
    if (!batch) return { kind: "known" };
    if (batch.imported > this.headroom) return { kind: "rebuild", reason: "headroom" };
    // A later export merged into calls the index already holds (docs/store.md, "Later exports"):
    // their new times, category or address reach the series only through a rebuild.
    if ((batch.updated ?? 0) > 0) return { kind: "rebuild", reason: "updated" };
    const [first] = await store.incidents.list({ batchId, limit: 1 });
    if (first && first.receivedAt <= index.maxAt) return { kind: "rebuild", reason: "out_of_order" };
    this.batches.add(batchId);
    const slicer = new Slicer();
    let added = 0;
    for (let offset = 0; ; offset += BATCH_PAGE) {
      const page = await store.incidents.list({ batchId, limit: BATCH_PAGE, offset });
      if (page.length === 0) break;
      for (let k = 0; k < page.length; k += 500) {
        // A call posted meanwhile reached past this batch: the rest would arrive out of order.
        if (page[k]!.receivedAt < index.maxAt || this.index !== index)
          return { kind: "rebuild", reason: "out_of_order" };
        this.add(page.slice(k, k + 500));
        await slicer.pause();
      }
      added += page.length;
      if (page.length < BATCH_PAGE) break;
    }
    return { kind: "added", incidents: added };
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
