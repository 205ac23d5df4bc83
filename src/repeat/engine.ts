import { type Category, ConfigError, LOCATION_LEVELS, type LocationLevel } from "../domain/index.ts";
import { CellHeads, denseCells } from "./cells.ts";
import {
  type CallColumns,
  ColumnsBuilder,
  FILL_CHUNK,
  FLAG_PLACE_EXCLUDED,
  FLAG_TEST,
  Interner,
  keyId,
  keyLabel,
  LEVEL_COUNT,
  levelIndex,
  newDictionaries,
  nextCapacity,
  type RepeatInput,
  reservedCapacity,
  TIME_ORDER_BYTES,
  timeOrderSteps,
} from "./columns.ts";
import { type CategoryGroup, groupOf } from "./definitions.ts";
import { IntTable } from "./int-table.ts";
import { type RepeatOptions, repeatOptions, type SeriesKind, type WarningLevel } from "./options.ts";
import { bigramSignature, jaccard } from "./similarity.ts";
import { type Surprise, surprise } from "./stats.ts";
import { siteKeysFromAddresses, unifyBuildingKeys } from "./unify.ts";
import { windowRuns } from "./window.ts";

const DAY = 86_400_000;
const MINUTE = 60_000;
const MENTION_SHIFT = 67_108_864;
const EMPTY_I32 = new Int32Array(0);
/** A batch built in steps yields after every 4,096 calls, callers or events (fromColumnsInSteps), … */
const STEP = 0xfff;
/** … after every 16,384 keys counted … */
const KEY_STEP = 0x3fff;
/** … and after every 32 keys or 1,024 callers whose series it forms (a busy key has hundreds). */
const SERIES_STEP = 0x1f;
const CALLER_SERIES_STEP = 0x3ff;
/** How far back each candidate chain of a matter link is walked. */
const MATTER_STEPS = 32;
const POI_LEVEL = levelIndex("poi");
/** Verdicts of `sameMatter`: no link, a link, or a guess that the first (E) or second (O) event names the other's place. */
const NO_LINK = 0;
const LINK = 1;
const GUESS_E = 2;
const GUESS_O = 3;
const ROAD_LEVEL = levelIndex("road");
const ROOM_LEVEL = levelIndex("room");
/** A mention code if it names a place at level l from a known place of one's own, else -1. */
function mentionAtLevel(m: number, own: number, l: number): number {
  return m >= 0 && own >= 0 && Math.floor(m / MENTION_SHIFT) === l ? m : -1;
}

/** Whether a mention code names one of these places. */
function names(m: number, room: number, poi: number): boolean {
  return m >= 0 && (m === room || m === poi);
}

/** A compound name without its generic suffix (世纪豪庭花园 → 世纪豪庭), when two or more characters are left. */
function nameBase(name: string): string {
  const base = name.replace(/(?:小区|花园|家园|公寓|新村|苑|华庭|华府|名苑|雅苑|山庄|佳园)$/u, "");
  return base.length >= 2 ? base : name;
}
/** A flat's numbers right after a compound name, the name's generic suffix between ("花园17栋2单元902室"). */
const FLAT_AFTER_NAME =
  /^(小区|花园|家园|公寓|新村|苑|华庭|华府|名苑|雅苑|山庄|佳园)?(\d+)(?:栋|幢|号楼|座|-)(\d+)(?:单元|-)(\d+)/u;

/** Escalation found in a series (docs/repeat.md "Escalation"). */
export interface Escalation {
  /** Severity rose over the series (dispute → threat → assault). */
  readonly severity: boolean;
  /** Codes at each new highest severity, in time order, e.g. ["dispute.family", "criminal.assault"]. */
  readonly steps: readonly string[];
  /** Calls came faster: the later half's mean gap is at most accelerationRatio of the earlier half's. */
  readonly frequency: boolean;
  /** Mean gap between events in days, earlier half and later half (NaN below 4 events). */
  readonly gapDaysBefore: number;
  readonly gapDaysAfter: number;
}

/** One repeat series: events (not calls) of one place, caller or matter within the rule's window. */
export interface RepeatSeries {
  readonly id: string;
  readonly kind: SeriesKind;
  readonly group: string;
  /** Location level of a place series; for caller and matter series the level of the shared place, if any. */
  readonly locationLevel: LocationLevel | null;
  readonly locationKey: string | null;
  /** Only for caller series: the pseudonym, never the number. */
  readonly callerPseudonym: string | null;
  /** Event ids in time order. */
  readonly events: Int32Array;
  readonly start: number;
  readonly end: number;
  readonly minEvents: number;
  readonly windowDays: number;
  /** Domestic violence / victim help: protective follow-up, never nuisance. */
  readonly protective: boolean;
  readonly escalation: Escalation;
  readonly surprise: Surprise;
  readonly warning: WarningLevel;
  /** Internal bucket the series was computed in (place key + group, caller + group, matter). */
  readonly bucket: string;
  /** Internal id of the series' key (place key, caller or matter root). */
  readonly keyId: number;
  /** Calls of the series (a caller series counts only that caller's own calls). */
  readonly calls: number;
}

interface GroupRule {
  readonly group: CategoryGroup;
  readonly level: number;
  readonly minEvents: number;
  readonly windowMs: number;
  readonly matter: boolean;
}

/** FNV-1a 32-bit, hex: short stable ids for series. */
function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

function growI32(a: Int32Array, cap: number, fill = 0): Int32Array<ArrayBuffer> {
  const b = new Int32Array(cap);
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}

/** Key chain slots (see RepeatIndex.heads) grown to `cap` keys: the new ones empty (-1) with none linked. */
function keySlots(a: Int32Array, cap: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(2 * cap);
  b.set(a);
  for (let k = a.length; k < b.length; k += 2) b[k] = -1;
  return b;
}

/** `callerLast` grown to `cap` callers: the new ones with no pair (-1) at no time (-Infinity). */
function callerSlots(a: Float64Array, cap: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(2 * cap);
  b.set(a);
  for (let k = a.length; k < b.length; k += 2) {
    b[k] = -1;
    b[k + 1] = Number.NEGATIVE_INFINITY;
  }
  return b;
}

/**
 * Largest buffer an arena allocates at once in a build in steps (see allocateAhead). A batch
 * (`fromColumns`) takes one buffer: each large allocation costs a full mark of the heap.
 */
const ARENA_PIECE = 512 * 2 ** 20;

/**
 * Typed arrays carved out of one ArrayBuffer. Every large ArrayBuffer counts as external memory,
 * and each 64 MB of it makes V8 mark the whole heap (millions of source-id strings at 10M calls):
 * one allocation for all event columns instead of thirty keeps a batch to one such collection.
 * Past 512 MB the arena takes several buffers: a single allocation past half the heap limit
 * makes V8 collect everything at once, blocking (seconds at 10M calls), where pieces allocated
 * between turns of the event loop are marked incrementally.
 */
class Arena {
  /** The buffer of the last slice taken (typed arrays are made on it right after `take`). */
  private buffer: ArrayBuffer;
  private offset: number;
  private end: number;
  /** Bytes planned but not yet allocated, and buffers allocated ahead of use (`allocateAhead`). */
  private planned: number;
  private readonly ahead: ArrayBuffer[] = [];

  /**
   * `bytes` in buffers of at most `piece` bytes each (allocated as slices are taken, or ahead), or
   * (with `region`) the zeroed region of another arena.
   */
  constructor(
    bytes: number,
    region?: ScratchRegion,
    private readonly piece = ARENA_PIECE,
  ) {
    if (region && region.bytes >= bytes) {
      this.buffer = region.buffer;
      this.offset = region.offset;
      this.end = region.offset + region.bytes;
      this.planned = 0;
      new Uint8Array(region.buffer, region.offset, bytes).fill(0);
    } else {
      this.buffer = new ArrayBuffer(0);
      this.offset = 0;
      this.end = 0;
      this.planned = bytes;
    }
  }

  /**
   * Allocates the next buffer of the plan now; false when all are. A build in steps yields
   * between these: one allocation past half the heap limit makes V8 collect all garbage at once.
   */
  allocateAhead(): boolean {
    if (this.planned <= 0) return false;
    const size = Math.min(this.planned, this.piece);
    this.ahead.push(new ArrayBuffer(size));
    this.planned -= size;
    return true;
  }

  /** The next `bytes` as a region for scratch use (timeOrder, then the series pass's CSR arrays). */
  region(bytes: number): ScratchRegion {
    const offset = this.take(bytes);
    return { buffer: this.buffer, offset, bytes: Math.ceil(bytes / 8) * 8 };
  }

  /** Bytes for arrays of these element sizes and length, each aligned to 8 bytes. */
  static bytes(length: number, sizes: readonly number[]): number {
    let total = 0;
    for (const size of sizes) total += Math.ceil((length * size) / 8) * 8;
    return total;
  }

  /** Offset of the next `bytes` in `this.buffer`, moving to the next buffer when they do not fit. */
  private take(bytes: number): number {
    const size = Math.ceil(bytes / 8) * 8;
    if (this.offset + size > this.end) {
      let next = this.ahead.shift();
      while (next && next.byteLength < size) next = this.ahead.shift();
      if (!next) {
        const piece = Math.max(size, Math.min(Math.max(this.planned, 0), this.piece));
        this.planned -= piece;
        next = new ArrayBuffer(piece);
      }
      this.buffer = next;
      this.offset = 0;
      this.end = next.byteLength;
    }
    const at = this.offset;
    this.offset += size;
    return at;
  }

  i32(length: number, from: Int32Array, fill = 0): Int32Array<ArrayBuffer> {
    const offset = this.take(length * 4);
    const a = new Int32Array(this.buffer, offset, length);
    a.set(from.subarray(0, Math.min(from.length, length)));
    if (fill !== 0) a.fill(fill, from.length);
    return a;
  }

  f64(length: number, from: Float64Array, fill = 0): Float64Array<ArrayBuffer> {
    const offset = this.take(length * 8);
    const a = new Float64Array(this.buffer, offset, length);
    a.set(from.subarray(0, Math.min(from.length, length)));
    if (fill !== 0) a.fill(fill, from.length);
    return a;
  }

  i16(length: number): Int16Array<ArrayBuffer> {
    const offset = this.take(length * 2);
    return new Int16Array(this.buffer, offset, length);
  }

  u8(length: number, from: Uint8Array): Uint8Array<ArrayBuffer> {
    const offset = this.take(length);
    const a = new Uint8Array(this.buffer, offset, length);
    a.set(from.subarray(0, Math.min(from.length, length)));
    return a;
  }
}

/** A part of an arena's buffer lent for scratch use. */
interface ScratchRegion {
  readonly buffer: ArrayBuffer;
  readonly offset: number;
  readonly bytes: number;
}

const FINEST_FIRST = (["room", "unit", "building", "poi", "road", "cross"] as const).map(levelIndex);

const PARENT: Readonly<Record<LocationLevel, LocationLevel | null>> = {
  room: "unit",
  unit: "building",
  building: "poi",
  poi: null,
  road: null,
  cross: null,
};

/**
 * The repeat engine's state: calls (columns), events (merged duplicate calls), key chains and
 * series. `RepeatIndex.build` detects everything over a batch; `add` updates it as calls arrive,
 * recomputing only the series of the keys, callers and matter the new call touches.
 *
 * Events are numbered in the order they are created, which is time order in a batch; per
 * location key and level, `evPrev` links each event to the previous event at that key (a
 * reverse-chronological chain), which serves duplicate merging, series and the dispatch check.
 */
export class RepeatIndex {
  readonly options: RepeatOptions;
  readonly calls: ColumnsBuilder;
  private readonly rules: GroupRule[];
  private readonly groupIndex = new Map<string, number>();
  private readonly matterGroupSet: Set<number>;
  private readonly dupLevel: number;
  private readonly dupWindowMs: number;
  private readonly radius: number;
  /** Longest window of any rule: how far back the dispatch check looks. */
  readonly maxWindowMs: number;
  private readonly levelsUsed: Set<number>;
  /** Levels whose events are chained per key. */
  private readonly chained = new Uint8Array(LEVEL_COUNT);

  // per code (interned "category.subtype")
  private codeGroup = new Int16Array(0);
  private codeSeverity = new Uint8Array(0);
  private codeAny = new Uint8Array(0);
  private codeInvalid = new Uint8Array(0);
  /** Codes whose calls join only the same caller's events (1, options.callerOnly) or none (2, ownEvent). */
  private codeCallerOnly = new Uint8Array(0);
  /** Duplicate window per code (ms): the rule's, or a shorter one for busy kinds (traffic). */
  private codeDupWindow = new Float64Array(0);
  private codeKnown = 0;
  private readonly compatCache = new Map<number, boolean>();

  // per call
  callEvent = new Int32Array(0);
  callNext = new Int32Array(0);

  // per event
  eventCount = 0;
  private evCap = 0;
  evAt = new Float64Array(0);
  evFirst = new Int32Array(0);
  evLast = new Int32Array(0);
  evCode = new Int32Array(0);
  evFlags = new Uint8Array(0);
  /** Group + 1 of each event's code (0: none), one byte beside nothing else: walks read it often. */
  private evGroup = new Uint8Array(0);
  evKeys: Int32Array[] = [];
  evPrev: Int32Array[] = [];
  evX = new Float64Array(0);
  evY = new Float64Array(0);
  evPrevCell = new Int32Array(0);
  private uf = new Int32Array(0);
  private ufSize = new Int32Array(0);
  /** Circular member lists of matter clusters (swapping two next pointers merges two lists). */
  private ufNext = new Int32Array(0);
  /** Roots absorbed by a union since the last `add`, whose matter buckets are stale. */
  private absorbed: number[] = [];
  /** Old groups of events whose code a join changed, since the last `add` step. */
  private recoded: number[] = [];

  /**
   * Key chains, per level and key side by side (one cache line): [2 * key] the latest event
   * linked at the key (or -1), [2 * key + 1] how many events were linked there so far (its rank).
   */
  private heads: Int32Array[] = [];
  /**
   * Chains of one matter group's events at one key (matterChain -> latest link): links of
   * [event, previous link, rank at the key] (see walkKey).
   */
  private readonly matterHead = new IntTable();
  private matterLink = new Int32Array(0);
  private matterLinks = 0;
  /** Per group + 1: 1 when matter series are formed in the group. */
  private matterGroups = new Uint8Array(0);
  readonly cellHead = new CellHeads();
  /** Road-number blocks (road, number / 10) -> latest event: nearby numbers on one road, one scene. */
  private readonly blockHead = new IntTable();
  private evPrevBlock = new Int32Array(0);
  private evRoadNo = new Int32Array(0);
  private evRoadName = new Int32Array(0);
  private readonly roadNames = new Interner();
  private roadNameOf = new Int32Array(0);
  private roadNoOf = new Int32Array(0);
  private roadsKnown = 0;
  /** Cells of events without a key at the duplicate level: a call with a key only looks there. */
  private readonly keylessCellHead = new CellHeads();
  private evPrevKeyless = new Int32Array(0);
  private refCos = Number.NaN;

  // caller chains over (caller, event) pairs
  pairCount = 0;
  pairEvent = new Int32Array(0);
  pairPrev = new Int32Array(0);
  pairCaller = new Int32Array(0);
  /**
   * Per caller c, side by side (one cache line per call): [2c] its latest pair or -1, [2c + 1] the
   * time of that pair's event (most callers have none within the hour).
   */
  private callerLast = new Float64Array(0);

  minAt = Number.POSITIVE_INFINITY;
  maxAt = Number.NEGATIVE_INFINITY;
  private ordered = true;
  /** Events were opened in time order (always in a batch): every chain is newest first. */
  private eventsSorted = true;
  /** Events below this one are older than the current call's duplicate window (see moveWindow); -1: unknown. */
  private stopBelow = -1;
  /** The first event within the matter window of the event being linked (see moveMatterWindow); -1: unknown. */
  private matterStop = -1;

  /** Series per bucket ("p:level:key:group", "c:caller:group", "m:root"). */
  readonly buckets = new Map<string, RepeatSeries[]>();
  private groupKeyCount: Float64Array;
  private groupEventCount: Float64Array;
  private groupCallerCount: Float64Array;
  private groupCallerEventCount: Float64Array;

  private constructor(calls: ColumnsBuilder, options: RepeatOptions) {
    this.options = options;
    this.calls = calls;
    const defs = options.definitions;
    if (defs.groups.length > 255)
      throw new ConfigError("repeat.too_many_groups", {
        en: `The repeat definitions have ${defs.groups.length} category groups; at most 255 are supported.`,
        zh: `重复警情定义有 ${defs.groups.length} 个类别组，最多支持 255 个。`,
      });
    this.rules = defs.groups.map((group, i) => {
      this.groupIndex.set(group.name, i);
      return {
        group,
        level: levelIndex(group.level),
        minEvents: group.minEvents,
        windowMs: group.windowDays * DAY,
        matter: options.matterGroups.includes(group.name),
      };
    });
    this.levelsUsed = new Set(this.rules.map((r) => r.level));
    for (const l of [...this.levelsUsed, levelIndex(defs.duplicates.level), POI_LEVEL, ROOM_LEVEL])
      this.chained[l] = 1;
    this.matterGroupSet = new Set(this.rules.flatMap((r, i) => (r.matter ? [i] : [])));
    this.matterGroups = Uint8Array.from([0, ...this.rules.map((r) => (r.matter ? 1 : 0))]);
    this.dupLevel = levelIndex(defs.duplicates.level);
    this.dupWindowMs = defs.duplicates.windowMinutes * MINUTE;
    this.radius = defs.duplicates.radiusMeters;
    this.maxWindowMs =
      Math.max(defs.matter.windowDays, defs.caller.windowDays, ...defs.groups.map((g) => g.windowDays)) * DAY;
    const g = this.rules.length;
    this.groupKeyCount = new Float64Array(g);
    this.groupEventCount = new Float64Array(g);
    this.groupCallerCount = new Float64Array(g);
    this.groupCallerEventCount = new Float64Array(g);
    for (let l = 0; l < LEVEL_COUNT; l++) {
      this.evKeys.push(new Int32Array(0));
      this.evPrev.push(new Int32Array(0));
      this.heads.push(new Int32Array(0));
    }
  }

  /**
   * Batch detection over all calls: merges duplicates into events, then forms every place,
   * caller and matter series.
   * @example
   * const index = RepeatIndex.build(incidents);
   * index.allSeries().filter((s) => s.warning === "red");
   */
  static build(inputs: Iterable<RepeatInput>, overrides: Partial<RepeatOptions> = {}): RepeatIndex {
    const options = repeatOptions(overrides);
    const builder = new ColumnsBuilder(newDictionaries(options.resolvePlaces), options.exclusions);
    for (const input of inputs) builder.push(input);
    return RepeatIndex.fromColumns(builder.columns(), overrides, builder);
  }

  /** Batch detection over call columns (the fast path: the store or a benchmark fills the columns). */
  static fromColumns(
    columns: CallColumns,
    overrides: Partial<RepeatOptions> = {},
    builder?: ColumnsBuilder,
  ): RepeatIndex {
    // One arena buffer: nothing yields between pieces here, and each costs a full heap mark.
    const steps = RepeatIndex.fromColumnsInSteps(columns, overrides, builder, Number.POSITIVE_INFINITY);
    for (let step = steps.next(); ; step = steps.next()) if (step.done) return step.value;
  }

  /**
   * `fromColumns` in steps of bounded work (4,096 calls or events, 16,384 keys, the series of 32
   * keys or 1,024 callers): a server runs a rebuild between its requests, yielding to the event loop
   * after each step (src/server/repeat-service.ts). Each step yields the name of its phase
   * (unify, arena, order, ingest, keys, counts, callers, series, caller series, matter); the
   * index is complete when the generator returns it. `arenaPiece`: the largest buffer allocated
   * at once (pieces are allocated between steps, so V8 marks the heap incrementally).
   */
  static *fromColumnsInSteps(
    columns: CallColumns,
    overrides: Partial<RepeatOptions> = {},
    builder?: ColumnsBuilder,
    arenaPiece = ARENA_PIECE,
  ): Generator<string, RepeatIndex, void> {
    const options = repeatOptions(overrides);
    const index = new RepeatIndex(builder ?? ColumnsBuilder.adopt(columns, options.exclusions), options);
    const n = columns.length;
    if (options.unifyPlaces) {
      siteKeysFromAddresses(index.calls.columns(), index.calls.address, index.calls.poiNames);
      unifyBuildingKeys(index.calls.columns());
    }
    yield "unify";
    const dict = index.calls.dict;
    for (let l = 0; l < LEVEL_COUNT; l++) {
      index.heads[l] = keySlots(new Int32Array(0), dict.keys[l]!.size);
    }
    index.callerLast = callerSlots(new Float64Array(0), dict.callers.size);
    // At most one (caller, event) pair per call with a caller.
    let withCaller = 0;
    for (let i = 0; i < n; i++) if (columns.caller[i]! >= 0) withCaller++;
    const calls = Math.max(16, n);
    const pairs = Math.max(1024, withCaller);
    // Calls, events and pairs in one buffer (see Arena), with a scratch region for the time order
    // and then the series pass: one external allocation for the whole batch. Calls, events and
    // pairs reserve headroom for live calls (reservedCapacity: address space, untouched until used).
    const scratchBytes = Math.max(TIME_ORDER_BYTES * n, index.seriesPassBytes(calls, pairs));
    const callCap = reservedCapacity(calls);
    const pairCap = reservedCapacity(pairs);
    const arena = new Arena(
      Arena.bytes(callCap, RepeatIndex.CALL_BYTES) +
        Arena.bytes(callCap, index.eventBytes()) +
        Arena.bytes(pairCap, RepeatIndex.PAIR_BYTES) +
        Math.ceil(scratchBytes / 8) * 8,
      undefined,
      arenaPiece,
    );
    while (arena.allocateAhead()) yield "arena";
    index.ensureCalls(calls, arena, callCap);
    // Event defaults are written a chunk at a time as ingest opens events, not all here.
    index.ensureEvents(1, arena, callCap);
    index.ensurePairs(pairs, arena, pairCap);
    yield "arena";
    const scratch = arena.region(scratchBytes);
    const order = yield* timeOrderSteps(columns.at, scratch);
    index.coverCells(order);
    index.deferGuesses = true;
    for (let j = 0; j < n; j++) {
      index.ingestCall(order[j]!);
      if ((j & STEP) === STEP) yield "ingest";
    }
    index.deferGuesses = false;
    // A batch recomputes every series: the old groups of recoded events are not needed.
    index.recoded.length = 0;
    index.applyGuesses();
    yield* index.computeAllSteps(scratch);
    return index;
  }

  /** An empty index that grows with `add`. */
  static empty(overrides: Partial<RepeatOptions> = {}): RepeatIndex {
    const options = repeatOptions(overrides);
    return new RepeatIndex(
      new ColumnsBuilder(newDictionaries(options.resolvePlaces), options.exclusions),
      options,
    );
  }

  // ---------------------------------------------------------------- capacity

  private static readonly CALL_BYTES = [4, 4];

  /** Calls and events whose -1 defaults are written: the capacity past them is untouched address space. */
  private callReady = 0;
  private evReady = 0;

  /** Capacity for n calls (`cap` of them in a batch's arena); -1 defaults written a chunk ahead. */
  private ensureCalls(n: number, shared?: Arena, cap = n): void {
    if (this.callReady >= n) return;
    if (this.callEvent.length < n) {
      const size = shared ? cap : nextCapacity(this.callEvent.length, n);
      const arena = shared ?? new Arena(Arena.bytes(size, RepeatIndex.CALL_BYTES));
      // Only the calls in use are copied: the new buffer's headroom stays untouched.
      this.callEvent = arena.i32(size, this.callEvent.subarray(0, this.callReady));
      this.callNext = arena.i32(size, this.callNext.subarray(0, this.callReady));
    }
    const to = Math.min(this.callEvent.length, Math.max(n, this.callReady + FILL_CHUNK));
    this.callEvent.fill(-1, this.callReady, to);
    this.callNext.fill(-1, this.callReady, to);
    this.callReady = to;
  }

  /** Element sizes of the event columns. */
  private eventBytes(): number[] {
    // Chains only at the levels something walks; the keyless-cell chain only when a key conflict
    // stops radius merging.
    const chainedLevels = this.chained.reduce((sum, c) => sum + c, 0);
    const keyless = this.options.radiusAcrossKeys ? 0 : 1;
    const i32 = 3 + LEVEL_COUNT + chainedLevels + 5 + keyless + 3 + 2;
    return [...Array(3).fill(8), ...Array(i32).fill(4), 1, 1];
  }

  /** Capacity for n events (`cap` of them in a batch's arena); -1 defaults written a chunk ahead. */
  private ensureEvents(n: number, shared?: Arena, cap = n): void {
    if (this.evReady >= n) return;
    const keyless = this.options.radiusAcrossKeys ? 0 : 1;
    if (this.evCap < n) {
      const size = shared ? cap : nextCapacity(this.evCap, n);
      const arena = shared ?? new Arena(Arena.bytes(size, this.eventBytes()));
      // Only the events in use are copied: the new buffer's headroom stays untouched.
      const used = this.evReady;
      const f64 = (a: Float64Array) => arena.f64(size, a.subarray(0, used));
      const i32 = (a: Int32Array) => arena.i32(size, a.subarray(0, used));
      this.evAt = f64(this.evAt);
      this.evX = f64(this.evX);
      this.evY = f64(this.evY);
      this.evFirst = i32(this.evFirst);
      this.evLast = i32(this.evLast);
      this.evCode = i32(this.evCode);
      this.evFlags = arena.u8(size, this.evFlags.subarray(0, used));
      this.evGroup = arena.u8(size, this.evGroup.subarray(0, used));
      for (let l = 0; l < LEVEL_COUNT; l++) {
        this.evKeys[l] = i32(this.evKeys[l]!);
        if (this.chained[l]) this.evPrev[l] = i32(this.evPrev[l]!);
      }
      this.evPrevCell = i32(this.evPrevCell);
      if (keyless) this.evPrevKeyless = i32(this.evPrevKeyless);
      this.evPrevBlock = i32(this.evPrevBlock);
      this.evRoadNo = i32(this.evRoadNo);
      this.evRoadName = i32(this.evRoadName);
      this.uf = i32(this.uf);
      this.ufSize = i32(this.ufSize);
      this.ufNext = i32(this.ufNext);
      this.evMention = i32(this.evMention);
      this.evPrevMention = i32(this.evPrevMention);
      this.evCap = size;
    }
    const from = this.evReady;
    const to = Math.min(this.evCap, Math.max(n, from + FILL_CHUNK));
    for (let l = 0; l < LEVEL_COUNT; l++) {
      this.evKeys[l]!.fill(-1, from, to);
      if (this.chained[l]) this.evPrev[l]!.fill(-1, from, to);
    }
    this.evPrevCell.fill(-1, from, to);
    if (keyless) this.evPrevKeyless.fill(-1, from, to);
    this.evPrevBlock.fill(-1, from, to);
    this.evRoadNo.fill(-1, from, to);
    this.evRoadName.fill(-1, from, to);
    this.evMention.fill(-1, from, to);
    this.evPrevMention.fill(-1, from, to);
    this.evReady = to;
  }

  private ensureHead(l: number, key: number): Int32Array {
    let heads = this.heads[l]!;
    if (2 * key >= heads.length) {
      heads = keySlots(heads, Math.max(key + 1, heads.length, 1024, this.calls.dict.keys[l]!.size));
      this.heads[l] = heads;
    }
    return heads;
  }

  /** The latest event linked at a key of level l (its chain's head), or -1. */
  latestAt(l: number, key: number): number {
    const heads = this.heads[l]!;
    return 2 * key < heads.length ? heads[2 * key]! : -1;
  }

  /** Callers with room in `callerLast`. */
  private get callerCapacity(): number {
    return this.callerLast.length >> 1;
  }

  /** The latest (caller, event) pair of caller c, or -1. */
  private callerHead(c: number): number {
    return c < this.callerCapacity ? this.callerLast[2 * c]! : -1;
  }

  private ensureCaller(c: number): void {
    if (c >= this.callerCapacity) {
      const cap = Math.max(c + 1, this.callerCapacity * 2, 1024, this.calls.dict.callers.size);
      this.callerLast = callerSlots(this.callerLast, cap);
    }
  }

  private static readonly PAIR_BYTES = [4, 4, 4];

  private ensurePairs(n: number, shared?: Arena, cap = n): void {
    if (this.pairEvent.length >= n) return;
    const size = shared ? cap : nextCapacity(this.pairEvent.length, Math.max(n, 1024));
    const arena = shared ?? new Arena(Arena.bytes(size, RepeatIndex.PAIR_BYTES));
    const used = this.pairCount;
    this.pairEvent = arena.i32(size, this.pairEvent.subarray(0, used));
    this.pairPrev = arena.i32(size, this.pairPrev.subarray(0, used));
    this.pairCaller = arena.i32(size, this.pairCaller.subarray(0, used));
  }

  private refreshCodes(): void {
    const codes = this.calls.dict.codes;
    if (this.codeKnown === codes.size) return;
    const n = codes.size;
    const group = new Int16Array(n);
    group.set(this.codeGroup);
    const severity = new Uint8Array(n);
    severity.set(this.codeSeverity);
    const any = new Uint8Array(n);
    any.set(this.codeAny);
    const invalid = new Uint8Array(n);
    invalid.set(this.codeInvalid);
    const callerOnly = new Uint8Array(n);
    callerOnly.set(this.codeCallerOnly);
    const dupWindow = new Float64Array(n);
    dupWindow.set(this.codeDupWindow);
    for (let c = this.codeKnown; c < n; c++) {
      const code = codes.values[c]!;
      const dot = code.indexOf(".");
      const category = (dot < 0 ? code : code.slice(0, dot)) as Category;
      const subtype = dot < 0 ? null : code.slice(dot + 1);
      const g = groupOf(this.options.definitions, category, subtype);
      group[c] = g ? this.groupIndex.get(g.name)! : -1;
      severity[c] = this.options.severity[code] ?? this.options.severity[category] ?? 0;
      any[c] =
        this.options.anyCompatible.includes(code) || this.options.anyCompatible.includes(category) ? 1 : 0;
      invalid[c] = category === "invalid" ? 1 : 0;
      const listed = (list: readonly string[]) => list.includes(code) || list.includes(category);
      callerOnly[c] = listed(this.options.ownEvent) ? 2 : listed(this.options.callerOnly) ? 1 : 0;
      const minutes = this.options.duplicateWindows[code] ?? this.options.duplicateWindows[category];
      dupWindow[c] = minutes === undefined ? this.dupWindowMs : Math.min(this.dupWindowMs, minutes * MINUTE);
    }
    this.codeGroup = group;
    this.codeSeverity = severity;
    this.codeAny = any;
    this.codeInvalid = invalid;
    this.codeCallerOnly = callerOnly;
    this.codeDupWindow = dupWindow;
    this.codeKnown = n;
  }

  /** Whether a call with `code` at time t may join an event with `eventCode` at time et (per-kind window). */
  private inDupWindow(eventCode: number, code: number, et: number, t: number): boolean {
    // A call the call-taker recorded as a repeat report of an earlier event (compatible with
    // anything, and invalid) is a duplicate by their judgement: the rule's window, whatever the kind.
    if (this.codeAny[code] && this.codeInvalid[code]) return Math.abs(t - et) <= this.dupWindowMs;
    return Math.abs(t - et) <= Math.min(this.codeDupWindow[eventCode]!, this.codeDupWindow[code]!);
  }

  /** Whether calls with these two codes may describe one event. */
  compatible(a: number, b: number): boolean {
    if (a === b) return true;
    const cacheKey = a < b ? a * 65536 + b : b * 65536 + a;
    let verdict = this.compatCache.get(cacheKey);
    if (verdict === undefined) {
      const codes = this.calls.dict.codes.values;
      const ca = codes[a]!;
      const cb = codes[b]!;
      // A category in a set stands for all its subtypes.
      const cat = (c: string) => (c.includes(".") ? c.slice(0, c.indexOf(".")) : c);
      const inSet = (set: readonly string[], c: string) => set.includes(c) || set.includes(cat(c));
      verdict =
        this.codeAny[a] === 1 ||
        this.codeAny[b] === 1 ||
        this.options.compatible.some((set) => inSet(set, ca) && inSet(set, cb));
      this.compatCache.set(cacheKey, verdict);
    }
    return verdict;
  }

  // ---------------------------------------------------------------- duplicates → events

  /** Grid cells are twice the radius wide, so a circle of the radius touches at most 2 x 2 cells. */
  get cellSize(): number {
    return 2 * this.radius;
  }

  /**
   * Before a batch's ingest: the projection's reference latitude from its first call with
   * coordinates, and the dense part of the cell grids over where most of its calls are.
   */
  private coverCells(order: Uint32Array): void {
    const { lon, lat } = this.calls;
    for (let j = 0; j < order.length && Number.isNaN(this.refCos); j++)
      if (!Number.isNaN(lon[order[j]!]!)) this.projectX(lon[order[j]!]!, lat[order[j]!]!);
    const size = this.cellSize;
    const box = denseCells(order.length, (i, out) => {
      if (Number.isNaN(lon[i]!)) return false;
      out[0] = Math.floor(this.projectX(lon[i]!, lat[i]!) / size);
      out[1] = Math.floor((lat[i]! * 110_574) / size);
      return true;
    });
    if (!box) return;
    this.cellHead.cover(...box);
    if (!this.options.radiusAcrossKeys) this.keylessCellHead.cover(...box);
  }

  /** Merges call i into an existing event or opens a new one; returns the event. */
  private ingestCall(i: number): number {
    this.refreshCodes();
    const calls = this.calls;
    const t = calls.at[i]!;
    if (t < this.minAt) this.minAt = t;
    if (t < this.maxAt - this.dupWindowMs) this.ordered = false;
    if (t > this.maxAt) this.maxAt = t;
    this.moveWindow(t);
    const code = calls.code[i]!;
    let e = -1;
    if (!(calls.flags[i]! & FLAG_TEST) && this.codeCallerOnly[code] !== 2) {
      // Calls that report nothing several people see join only their own caller's events.
      const byPlace = this.codeCallerOnly[code] === 0;
      const key = calls.keys[this.dupLevel]![i]!;
      if (byPlace && key >= 0) e = this.findByKey(i, key, t, code);
      const lon = calls.lon[i]!;
      if (byPlace && e < 0 && !Number.isNaN(lon)) e = this.findByRadius(i, key, t, code);
      if (byPlace && e < 0 && calls.keys[ROAD_LEVEL]![i]! >= 0) e = this.findByRoadNumber(i, t, code);
      if (e < 0 && calls.caller[i]! >= 0) e = this.findByCaller(i, t, code);
    }
    if (e >= 0) this.joinEvent(i, e);
    else e = this.openEvent(i);
    return e;
  }

  /**
   * Moves `stopBelow` to the first event opened within the duplicate window before t, when events
   * are opened in time order and calls arrive in order: chains walking back (newest first) stop
   * there without reading the older events' times (a cache miss each in a large index).
   */
  private moveWindow(t: number): void {
    this.stopBelow =
      this.eventsSorted && this.ordered ? this.firstAtOrAfter(this.stopBelow, t - this.dupWindowMs) : -1;
  }

  /** The first event at or after time lo (events numbered in time order), searched from event `from`. */
  private firstAtOrAfter(from: number, lo: number): number {
    const at = this.evAt;
    let w = Math.max(0, from);
    while (w < this.eventCount && at[w]! < lo) w++;
    while (w > 0 && at[w - 1]! >= lo) w--;
    return w;
  }

  private narrativeAgrees(i: number, e: number): boolean {
    const threshold = this.options.duplicateSimilarity;
    if (threshold <= 0) return true;
    const a = this.calls.narrative[i];
    const b = this.calls.narrative[this.evFirst[e]!];
    if (!a || !b) return true;
    return jaccard(bigramSignature(a), bigramSignature(b)) >= threshold;
  }

  private findByKey(i: number, key: number, t: number, code: number): number {
    let e = this.latestAt(this.dupLevel, key);
    const prev = this.evPrev[this.dupLevel]!;
    const lo = t - this.dupWindowMs;
    for (let steps = 0; e >= 0 && steps < this.options.maxChainSteps; steps++, e = prev[e]!) {
      if (e < this.stopBelow) break;
      const et = this.evAt[e]!;
      if (et < lo) {
        if (this.ordered) break;
        continue;
      }
      if (et > t + this.dupWindowMs) continue;
      if (this.evFlags[e]! & FLAG_TEST || this.codeCallerOnly[this.evCode[e]!]) continue;
      if (
        this.compatible(this.evCode[e]!, code) &&
        this.inDupWindow(this.evCode[e]!, code, et, t) &&
        this.narrativeAgrees(i, e)
      )
        return e;
    }
    return -1;
  }

  /** Road name id of a road key ("R:…/633"), cached per key id; -1 if none. Its number: `roadNoOf`. */
  private roadName(road: number): number {
    const values = this.calls.dict.keys[ROAD_LEVEL]!.values;
    if (this.roadNameOf.length < values.length) {
      this.roadNameOf = growI32(this.roadNameOf, Math.max(values.length, this.roadNameOf.length * 2), -2);
      this.roadNoOf = growI32(this.roadNoOf, this.roadNameOf.length, -1);
    }
    for (; this.roadsKnown < values.length; this.roadsKnown++) this.roadNameOf[this.roadsKnown] = -2;
    if (this.roadNameOf[road] === -2) {
      const m = /^(R:.*)\/(\d+)$/su.exec(values[road]!);
      this.roadNameOf[road] = m ? this.roadNames.intern(m[1]!) : -1;
      this.roadNoOf[road] = m ? Number(m[2]) : -1;
    }
    return this.roadNameOf[road]!;
  }

  private blockKey(name: number, no: number): number {
    return name * 8192 + (Math.floor(no / 10) & 8191);
  }

  /**
   * The same caller calling again about a compatible matter within the window ("why is nobody
   * here yet?"), when neither call places it elsewhere: one event.
   */
  private findByCaller(i: number, t: number, code: number): number {
    const c = this.calls.caller[i]!;
    if (c >= this.callerCapacity) return -1;
    // The walk below would stop at once: the caller's latest event is older than the window.
    if (this.callerLast[2 * c + 1]! < t - this.dupWindowMs) return -1;
    const key = this.calls.keys[this.dupLevel]![i]!;
    const keys = this.evKeys[this.dupLevel]!;
    for (let p = this.callerLast[2 * c]!, steps = 0; p >= 0 && steps < 4; p = this.pairPrev[p]!, steps++) {
      const e = this.pairEvent[p]!;
      const et = this.evAt[e]!;
      if (et < t - this.dupWindowMs) break;
      if (et > t + this.dupWindowMs || this.evFlags[e]! & FLAG_TEST) continue;
      if (this.codeCallerOnly[this.evCode[e]!] === 2) continue;
      if (key >= 0 && keys[e]! >= 0 && keys[e] !== key) continue;
      // A call-back ("nobody is here yet") belongs to its event within the rule's window, whatever the kind.
      if (this.compatible(this.evCode[e]!, code)) return e;
    }
    return -1;
  }

  /** A compatible event within the window at a house number at most 10 away on the same road. */
  private findByRoadNumber(i: number, t: number, code: number): number {
    const road = this.calls.keys[ROAD_LEVEL]![i]!;
    const name = this.roadName(road);
    const no = this.roadNoOf[road]!;
    if (name < 0) return -1;
    const lo = t - this.dupWindowMs;
    let best = -1;
    let bestAt = Number.NEGATIVE_INFINITY;
    for (let b = Math.floor(no / 10) - 1; b <= Math.floor(no / 10) + 1; b++) {
      let e = this.blockHead.get(name * 8192 + (b & 8191));
      for (let steps = 0; e >= 0 && steps < this.options.maxChainSteps; steps++, e = this.evPrevBlock[e]!) {
        if (e < this.stopBelow) break;
        const et = this.evAt[e]!;
        if (et < lo) {
          if (this.ordered) break;
          continue;
        }
        if (et <= bestAt && this.eventsSorted) break; // older still: none can be the latest
        if (et > t + this.dupWindowMs || et <= bestAt) continue;
        if (this.evRoadName[e] !== name || Math.abs(this.evRoadNo[e]! - no) > 10) continue;
        if (this.evFlags[e]! & FLAG_TEST || this.codeCallerOnly[this.evCode[e]!]) continue;
        if (!this.compatible(this.evCode[e]!, code)) continue;
        if (!this.inDupWindow(this.evCode[e]!, code, et, t)) continue;
        best = e;
        bestAt = et;
      }
    }
    return best;
  }

  private project(lon: number, lat: number): [number, number] {
    return [this.projectX(lon, lat), lat * 110_574];
  }

  /** Metric x of a point (equirectangular around the first latitude seen), without allocating. */
  private projectX(lon: number, lat: number): number {
    if (Number.isNaN(this.refCos)) this.refCos = Math.cos((lat * Math.PI) / 180);
    return lon * 111_320 * this.refCos;
  }

  private findByRadius(i: number, key: number, t: number, code: number): number {
    // With a key of its own, a call can only join a keyless event by radius (a key conflict wins).
    const keyless = key >= 0 && !this.options.radiusAcrossKeys;
    const cells = keyless ? this.keylessCellHead : this.cellHead;
    if (cells.size === 0) return -1;
    const chain = keyless ? this.evPrevKeyless : this.evPrevCell;
    const x = this.projectX(this.calls.lon[i]!, this.calls.lat[i]!);
    const y = this.calls.lat[i]! * 110_574;
    const size = this.cellSize;
    const cx = Math.floor(x / size);
    const cy = Math.floor(y / size);
    const x0 = x / size - cx < 0.5 ? cx - 1 : cx;
    const y0 = y / size - cy < 0.5 ? cy - 1 : cy;
    const r2 = this.radius * this.radius;
    const lo = t - this.dupWindowMs;
    const keys = this.evKeys[this.dupLevel]!;
    const home = this.calls.keys[ROOM_LEVEL]![i]! >= 0 && this.homeCode(code);
    let best = -1;
    let bestAt = Number.NEGATIVE_INFINITY;
    for (let gx = x0; gx <= x0 + 1; gx++) {
      for (let gy = y0; gy <= y0 + 1; gy++) {
        let e = cells.get(gx, gy);
        for (let steps = 0; e >= 0 && steps < this.options.maxChainSteps; steps++, e = chain[e]!) {
          if (e < this.stopBelow) break;
          const et = this.evAt[e]!;
          if (et < lo) {
            if (this.ordered) break;
            continue;
          }
          if (et <= bestAt && this.eventsSorted) break; // older still: none can be the latest
          if (et > t + this.dupWindowMs || et <= bestAt) continue;
          if (this.evFlags[e]! & FLAG_TEST || this.codeCallerOnly[this.evCode[e]!]) continue;
          const ddx = this.evX[e]! - x;
          const ddy = this.evY[e]! - y;
          if (ddx * ddx + ddy * ddy > r2) continue;
          if (!this.options.radiusAcrossKeys && key >= 0 && keys[e]! >= 0 && keys[e] !== key) continue;
          // What happens inside a home is told from that home: flats in two buildings, two events.
          if (home && key >= 0 && keys[e]! >= 0 && keys[e] !== key && this.homeEvent(e)) continue;
          if (!this.compatible(this.evCode[e]!, code) || !this.narrativeAgrees(i, e)) continue;
          if (!this.inDupWindow(this.evCode[e]!, code, et, t)) continue;
          best = e;
          bestAt = et;
        }
      }
    }
    return best;
  }

  /** Whether calls with this code tell of something inside a home (a group whose place series are per flat). */
  private homeCode(code: number): boolean {
    const g = this.codeGroup[code]!;
    return g >= 0 && this.rules[g]!.level === ROOM_LEVEL;
  }

  /** Whether event e is at a flat and of a kind that happens inside a home. */
  private homeEvent(e: number): boolean {
    return this.evKeys[ROOM_LEVEL]![e]! >= 0 && this.homeCode(this.evCode[e]!);
  }

  private linkKey(l: number, e: number, key: number): void {
    this.evKeys[l]![e] = key;
    // Chains only where something walks them (series levels, duplicates, matter); others keep the key.
    if (!this.chained[l]) return;
    const heads = this.ensureHead(l, key);
    this.evPrev[l]![e] = heads[2 * key]!;
    heads[2 * key] = e;
    heads[2 * key + 1]!++;
    const g = this.evGroup[e]! - 1;
    if (this.matterLevel(g, l)) this.linkMatterChain(g, l, e, key);
  }

  /** Whether events of group g are chained per group at level l (their rule's level, room, POI). */
  private matterLevel(g: number, l: number): boolean {
    return (
      this.matterGroups[g + 1] === 1 && (l === ROOM_LEVEL || l === POI_LEVEL || l === this.rules[g]!.level)
    );
  }

  /** The code of the chain of group g's events at one key. */
  private matterChain(g: number, l: number, key: number): number {
    return (l * this.rules.length + g) * 2 ** 31 + key;
  }

  /**
   * Links event e into the chain of its group's events at one key, with its rank in the chain of
   * all events there (the number of events linked at the key so far, itself included).
   */
  private linkMatterChain(g: number, l: number, e: number, key: number): void {
    const id = this.matterLinks;
    if (3 * id + 3 > this.matterLink.length)
      this.matterLink = growI32(this.matterLink, 2 * this.matterLink.length + 3 * 1024);
    const chain = this.matterChain(g, l, key);
    const link = this.matterLink;
    link[3 * id] = e;
    link[3 * id + 1] = this.matterHead.get(chain);
    link[3 * id + 2] = this.heads[l]![2 * key + 1]!;
    this.matterHead.set(chain, id);
    this.matterLinks++;
  }

  /** Links caller c to event e; `fresh` when e was just opened (no pair of it can exist yet). */
  private addPair(c: number, e: number, fresh: boolean): void {
    this.ensureCaller(c);
    const head = this.callerLast[2 * c]!;
    if (!fresh) {
      if (head >= 0 && this.pairEvent[head] === e) return;
      // The same caller calling twice about one event counts once (walk a few recent pairs).
      for (let p = head, steps = 0; p >= 0 && steps < 8; p = this.pairPrev[p]!, steps++)
        if (this.pairEvent[p] === e) return;
    }
    this.ensurePairs(this.pairCount + 1);
    this.callerLast[2 * c + 1] = this.evAt[e]!;
    const p = this.pairCount++;
    this.pairEvent[p] = e;
    this.pairPrev[p] = head;
    this.pairCaller[p] = c;
    this.callerLast[2 * c] = p;
  }

  private openEvent(i: number): number {
    this.ensureEvents(this.eventCount + 1);
    const e = this.eventCount++;
    const calls = this.calls;
    if (e > 0 && calls.at[i]! < this.evAt[e - 1]!) this.eventsSorted = false;
    this.evAt[e] = calls.at[i]!;
    this.evFirst[e] = i;
    this.evLast[e] = i;
    this.evCode[e] = calls.code[i]!;
    this.evGroup[e] = this.codeGroup[calls.code[i]!]! + 1;
    this.evFlags[e] = calls.flags[i]!;
    this.callEvent[i] = e;
    this.callNext[i] = -1;
    for (let l = 0; l < LEVEL_COUNT; l++) {
      const key = calls.keys[l]![i]!;
      if (key >= 0) this.linkKey(l, e, key);
      else {
        this.evKeys[l]![e] = -1;
        if (this.chained[l]) this.evPrev[l]![e] = -1;
      }
    }
    const lon = calls.lon[i]!;
    if (!Number.isNaN(lon)) {
      const x = this.projectX(lon, calls.lat[i]!);
      const y = calls.lat[i]! * 110_574;
      this.evX[e] = x;
      this.evY[e] = y;
      const cx = Math.floor(x / this.cellSize);
      const cy = Math.floor(y / this.cellSize);
      this.evPrevCell[e] = this.cellHead.push(cx, cy, e);
      if (!this.options.radiusAcrossKeys && this.evKeys[this.dupLevel]![e]! < 0)
        this.evPrevKeyless[e] = this.keylessCellHead.push(cx, cy, e);
    } else {
      this.evX[e] = Number.NaN;
      this.evY[e] = Number.NaN;
      this.evPrevCell[e] = -1;
    }
    const road = calls.keys[ROAD_LEVEL]![i]!;
    this.evRoadName[e] = -1;
    this.evPrevBlock[e] = -1;
    if (road >= 0) {
      const name = this.roadName(road);
      const no = this.roadNoOf[road]!;
      if (name >= 0) {
        const block = this.blockKey(name, no);
        this.evRoadName[e] = name;
        this.evRoadNo[e] = no;
        this.evPrevBlock[e] = this.blockHead.get(block);
        this.blockHead.set(block, e);
      }
    }
    this.uf[e] = e;
    this.ufSize[e] = 1;
    this.ufNext[e] = e;
    const caller = calls.caller[i]!;
    if (caller >= 0) this.addPair(caller, e, true);
    this.linkMatter(e);
    return e;
  }

  private joinEvent(i: number, e: number): void {
    const calls = this.calls;
    this.callNext[this.evLast[e]!] = i;
    this.callNext[i] = -1;
    this.evLast[e] = i;
    this.callEvent[i] = e;
    this.evFlags[e]! |= calls.flags[i]! & FLAG_PLACE_EXCLUDED;
    // An event first reported as "repeat report" or an invalid call takes the real call's code.
    const code = calls.code[i]!;
    const current = this.evCode[e]!;
    if (
      (this.codeAny[current] || this.codeInvalid[current]) &&
      !this.codeAny[code] &&
      !this.codeInvalid[code]
    ) {
      this.evCode[e] = code;
      const g = this.codeGroup[code]!;
      // The old group's series at the event's place change too (`add` recomputes them).
      if (this.evGroup[e]! > 0) this.recoded.push(this.evGroup[e]! - 1);
      this.evGroup[e] = g + 1;
      // Now of a matter group: in its chains at the keys it has (ranked as linked now).
      for (let l = 0; l < LEVEL_COUNT; l++) {
        const key = this.evKeys[l]![e]!;
        if (key >= 0 && this.chained[l] && this.matterLevel(g, l)) this.linkMatterChain(g, l, e, key);
      }
    }
    for (let l = 0; l < LEVEL_COUNT; l++) {
      const key = calls.keys[l]![i]!;
      if (key >= 0 && this.evKeys[l]![e]! < 0) this.linkKey(l, e, key);
    }
    const caller = calls.caller[i]!;
    if (caller >= 0) this.addPair(caller, e, false);
  }

  // ---------------------------------------------------------------- matter links

  private find(e: number): number {
    const uf = this.uf;
    while (uf[e] !== e) {
      uf[e] = uf[uf[e]!]!;
      e = uf[e]!;
    }
    return e;
  }

  /** Whether the clusters of two events name different pairs of places (site and company). */
  private partiesConflict(a: number, b: number): boolean {
    const pa = this.rootParties.get(this.find(a)) ?? -1;
    const pb = this.rootParties.get(this.find(b)) ?? -1;
    return pa >= 0 && pb >= 0 && pa !== pb;
  }

  /** Whether the clusters of two events state different collective claims (12名…60万 vs 16名…43万). */
  private claimsConflict(a: number, b: number): boolean {
    const ca = this.rootClaim.get(this.find(a));
    const cb = this.rootClaim.get(this.find(b));
    return ca !== undefined && cb !== undefined && ca !== cb;
  }

  private union(a: number, b: number): void {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return;
    if (this.ufSize[ra]! < this.ufSize[rb]!) [ra, rb] = [rb, ra];
    const parties = this.rootParties.get(rb);
    if (parties !== undefined && !this.rootParties.has(ra)) this.rootParties.set(ra, parties);
    const claim = this.rootClaim.get(rb);
    if (claim !== undefined && !this.rootClaim.has(ra)) this.rootClaim.set(ra, claim);
    this.uf[rb] = ra;
    this.ufSize[ra]! += this.ufSize[rb]!;
    const next = this.ufNext[ra]!;
    this.ufNext[ra] = this.ufNext[rb]!;
    this.ufNext[rb] = next;
    this.absorbed.push(rb);
  }

  /** Compound/POI names seen in keys, by their first two characters, for finding them in narratives. */
  private readonly namesByPrefix = new Map<string, string[]>();
  private namesKnown = 0;
  /** Per event, the place its narrative names (level * 2^26 + key id), or -1; chained like keys. */
  private evMention = new Int32Array(0);
  private evPrevMention = new Int32Array(0);
  private readonly mentionHead = new Map<number, number>();
  /** Per event, the two places its narrative names (a site and a company), as one code, or -1; chained. */
  private readonly evParties = new Map<number, number>();
  private readonly evPrevParties = new Map<number, number>();
  /** Per cluster root, the first pair of places its narratives name, or -1. */
  private readonly rootParties = new Map<number, number>();
  /** Guessed links (event naming a place, event there) held back until a batch has seen every event. */
  private guesses: number[] = [];
  private deferGuesses = false;
  /** Per cluster root (POI-level groups), the first collective claim its narratives state (`claimOf`). */
  private readonly rootClaim = new Map<number, string>();
  private readonly partiesHead = new Map<number, number>();

  private refreshNames(): void {
    const names = this.calls.poiNames;
    for (; this.namesKnown < names.length; this.namesKnown++) {
      const name = names[this.namesKnown]!;
      if (name.length < 2) continue;
      const prefix = name.slice(0, 2);
      const list = this.namesByPrefix.get(prefix);
      if (list) list.push(name);
      else this.namesByPrefix.set(prefix, [name]);
    }
  }

  /** Named places of the narrative last read by `mentionOf`: the first two distinct POI ids, or -1. */
  private namedA = -1;
  private namedB = -1;

  /**
   * The place a narrative names other than in passing: the first known compound or POI name, with
   * the building, entrance and room numbers that follow it when there are ("在新悦华庭4栋1单元2303室").
   * Returns level * 2^26 + key id, or -1. Also notes the first two distinct known places the text
   * names at all, its own included (`namedA`, `namedB`).
   */
  private mentionOf(text: string, ownAddress: string | null): number {
    this.refreshNames();
    this.namedA = -1;
    this.namedB = -1;
    if (this.namesByPrefix.size === 0) return -1;
    const dict = this.calls.dict;
    let mention = -1;
    for (let i = 0; i + 1 < text.length; i++) {
      const list = this.namesByPrefix.get(text.slice(i, i + 2));
      if (!list) continue;
      let best = "";
      for (const name of list) if (name.length > best.length && text.startsWith(name, i)) best = name;
      if (!best) continue;
      const poi = keyId(dict, POI_LEVEL, `Z::${best}`);
      if (poi >= 0 && this.namedB < 0 && poi !== this.namedA) {
        if (this.namedA < 0) this.namedA = poi;
        else this.namedB = poi;
      }
      i += best.length - 1;
      if (mention >= 0) {
        if (this.namedB >= 0) break;
        continue;
      }
      // Its own place, perhaps with another generic suffix (世纪豪庭花园 called from 世纪豪庭小区): not elsewhere.
      if (ownAddress && (ownAddress.includes(best) || ownAddress.includes(nameBase(best)))) continue;
      const after = text.slice(i + 1, i + 1 + 24);
      const m = FLAT_AFTER_NAME.exec(after);
      if (m) {
        // A flat named with its numbers is that flat or nothing, never the whole compound.
        const room = keyId(dict, ROOM_LEVEL, `Z::${best}${m[1] ?? ""}/b${m[2]}/u${m[3]}/r${m[4]}`);
        if (room < 0) return -1;
        mention = ROOM_LEVEL * MENTION_SHIFT + room;
      } else if (poi >= 0) mention = POI_LEVEL * MENTION_SHIFT + poi;
    }
    return mention;
  }

  /** The event's own place as a mention code at level l, or -1. */
  private placeCode(e: number, l: number): number {
    const key = this.evKeys[l]![e]!;
    return key >= 0 ? l * MENTION_SHIFT + key : -1;
  }

  private readonly facts = new Map<number, Uint32Array>();

  /** Bigram signature of a narrative that states figures (digits kept); empty without figures. */
  private factSignature(e: number): Uint32Array {
    let sig = this.facts.get(e);
    if (sig === undefined) {
      const text = this.calls.narrative[this.evFirst[e]!];
      sig = text ? bigramSignature(text, true) : new Uint32Array(0);
      if (this.facts.size >= 200_000) this.facts.clear();
      this.facts.set(e, sig);
    }
    return sig;
  }

  /** The figures a narrative states (people, amounts) with their units, sorted: "15名,24万" for 15名工人 24万元. */
  private figures(e: number): string {
    const text = this.calls.narrative[this.evFirst[e]!] ?? "";
    // Quantities only (6名, 54万元, 13200元), not numbers in names (1号地块).
    // With their units: "22名 … 29万元" and "29名 … 22万元" are different facts.
    return (text.match(/\d+(?:\.\d+)?(?:名|人|元|万|千|块|次|天|个月|年)/g) ?? []).sort().join(",");
  }

  /**
   * The collective claim a narrative states: how many people and how much in all ("拖欠12名工人
   * 工资共计60万元" → "12名,60万"), or "" when it does not state both (one worker's own wage).
   */
  private claimOf(e: number): string {
    const figures = this.figures(e);
    return /[名人]/u.test(figures) && /[元万千块]/u.test(figures) ? figures : "";
  }

  /**
   * Whether two events of one dispute group are one matter (docs/repeat.md "Matter series"):
   * at room level (a household), the same flat; at any level, one names the other's place, or
   * both name the same place elsewhere; at POI level, the same caller at the same POI.
   */
  private sameMatter(e: number, o: number, l: number): number {
    const pe = this.placeCode(e, l);
    const po = this.placeCode(o, l);
    const household = l === ROOM_LEVEL;
    if (household && pe >= 0 && pe === po) return LINK;
    // One site, another claim (another team of workers, another sum): another dispute.
    if (!household && this.claimsConflict(e, o)) return NO_LINK;
    const roomE = this.placeCode(e, ROOM_LEVEL);
    const roomO = this.placeCode(o, ROOM_LEVEL);
    const poiE = this.placeCode(e, POI_LEVEL);
    const poiO = this.placeCode(o, POI_LEVEL);
    // Only a place named at the group's own level links (a flat for households, a POI for sites),
    // and only from a known place of one's own (without one, the place named is likely one's own).
    const me = mentionAtLevel(this.evMention[e]!, pe, l);
    const mo = mentionAtLevel(this.evMention[o]!, po, l);
    // One event names the other's place from elsewhere: a household's matter by that alone,
    // a site's matter when the same person calls (one site has many disputes over a year).
    const crossE = names(me, roomO, poiO) && !names(me, roomE, poiE);
    const crossO = names(mo, roomE, poiE) && !names(mo, roomO, poiO);
    // Without a shared caller, a place named from elsewhere links to a matter already recognised
    // there (two or more events), unless the two tell of different parties (another company):
    // a guess, since the site may see another dispute later (see `consider`).
    let guess = NO_LINK;
    if ((crossE || crossO) && (household || !this.partiesConflict(e, o))) {
      if (household || this.clustersShareCaller(e, o)) return LINK;
      if (this.ufSize[this.find(crossE ? o : e)]! >= 2) guess = crossE ? GUESS_E : GUESS_O;
    }
    // Both narratives name the same two places (the site and the company that owes the wages,
    // the home and the refuge): one matter, wherever they call from.
    const parties = this.evParties.get(e);
    if (parties !== undefined && parties === this.evParties.get(o)) return LINK;
    // Both name the same place elsewhere (from the same place, unless a household's), and
    // do not name different parties (two wage disputes reported at one labour office).
    if (
      me >= 0 &&
      me === mo &&
      !names(me, roomE, poiE) &&
      !names(mo, roomO, poiO) &&
      (household || (pe === po && !this.partiesConflict(e, o)))
    )
      return LINK;
    if (!household && pe >= 0 && pe === po) {
      // The same facts (text and figures: people, amounts) told again at the same place.
      const figures = this.figures(e);
      if (figures !== "" && figures === this.figures(o)) {
        const a = this.factSignature(e);
        const b = this.factSignature(o);
        if (a.length > 0 && b.length > 0 && jaccard(a, b) >= this.options.matterFactSimilarity) return LINK;
      }
    }
    return guess;
  }

  private readonly clusterCallers = new Set<number>();

  /**
   * Whether the matter clusters of two events (as linked so far) share a caller: one worker calls
   * from the site, another from the office, a third from both. Clusters are walked up to 64 events.
   */
  private clustersShareCaller(e: number, o: number): boolean {
    if (this.sharesCaller(e, o)) return true;
    const seen = this.clusterCallers;
    seen.clear();
    let m = e;
    for (let k = 0; k < 64; k++) {
      for (let i = this.evFirst[m]!; i >= 0; i = this.callNext[i]!) {
        const c = this.calls.caller[i]!;
        if (c >= 0) seen.add(c);
      }
      m = this.ufNext[m]!;
      if (m === e) break;
    }
    if (seen.size === 0) return false;
    m = o;
    for (let k = 0; k < 64; k++) {
      for (let i = this.evFirst[m]!; i >= 0; i = this.callNext[i]!)
        if (seen.has(this.calls.caller[i]!)) return true;
      m = this.ufNext[m]!;
      if (m === o) break;
    }
    return false;
  }

  private sharesCaller(e: number, o: number): boolean {
    for (let i = this.evFirst[e]!; i >= 0; i = this.callNext[i]!) {
      const c = this.calls.caller[i]!;
      if (c < 0) continue;
      for (let j = this.evFirst[o]!; j >= 0; j = this.callNext[j]!)
        if (this.calls.caller[j] === c) return true;
    }
    return false;
  }

  private linkMatter(e: number): void {
    const g = this.eventGroup(e);
    if (!this.matterGroupSet.has(g) || this.evFlags[e]! & FLAG_TEST) return;
    const text = this.calls.narrative[this.evFirst[e]!];
    const mention = text ? this.mentionOf(text, this.calls.address[this.evFirst[e]!] ?? null) : -1;
    this.evMention[e] = mention;
    if (mention >= 0) {
      this.evPrevMention[e] = this.mentionHead.get(mention) ?? -1;
      this.mentionHead.set(mention, e);
    }
    const parties =
      this.namedB >= 0
        ? Math.min(this.namedA, this.namedB) * MENTION_SHIFT + Math.max(this.namedA, this.namedB)
        : -1;
    const l = this.rules[g]!.level;
    if (l !== ROOM_LEVEL) {
      const claim = this.claimOf(e);
      if (claim !== "") this.rootClaim.set(e, claim);
    }
    if (parties >= 0) {
      this.evParties.set(e, parties);
      this.rootParties.set(e, parties);
      this.evPrevParties.set(e, this.partiesHead.get(parties) ?? -1);
      this.partiesHead.set(parties, e);
    }
    const lo = this.evAt[e]! - this.options.definitions.matter.windowDays * DAY;
    this.moveMatterWindow(lo);
    // Candidates: events at my place, at the place I name, naming my place or the same place, of my callers.
    this.walkKey(e, g, l, lo, l, this.evKeys[l]![e]!);
    if (l !== ROOM_LEVEL) this.walkKey(e, g, l, lo, ROOM_LEVEL, this.evKeys[ROOM_LEVEL]![e]!);
    if (l !== POI_LEVEL) this.walkKey(e, g, l, lo, POI_LEVEL, this.evKeys[POI_LEVEL]![e]!);
    if (mention >= 0) this.walkKey(e, g, l, lo, Math.floor(mention / MENTION_SHIFT), mention % MENTION_SHIFT);
    this.walkMention(e, g, l, lo, mention);
    if (parties >= 0) {
      for (
        let o = this.evPrevParties.get(e) ?? -1, steps = 0;
        o >= 0 && steps < MATTER_STEPS;
        o = this.evPrevParties.get(o) ?? -1, steps++
      ) {
        if (this.older(o, lo)) break;
        this.consider(e, o, g, l);
      }
    }
    this.walkMention(e, g, l, lo, this.placeCode(e, ROOM_LEVEL));
    this.walkMention(e, g, l, lo, this.placeCode(e, POI_LEVEL));
    const caller = this.calls.caller[this.evFirst[e]!]!;
    if (caller >= 0) {
      let p = this.pairPrev[this.callerHead(caller)]!;
      for (let steps = 0; p >= 0 && steps < MATTER_STEPS; steps++, p = this.pairPrev[p]!) {
        const o = this.pairEvent[p]!;
        if (this.older(o, lo)) break;
        this.consider(e, o, g, l);
      }
    }
  }

  /**
   * Makes the guessed links held back during a batch, in the order they were found: an event that
   * names a place from elsewhere joins the matter there unless its own matter, on evidence found
   * later (a caller shared with the site, the same two parties), already holds an event at that
   * place, or the two matters now tell of different parties or claims.
   */
  private applyGuesses(): void {
    const guesses = this.guesses;
    this.guesses = [];
    for (let k = 0; k < guesses.length; k += 2) {
      const namer = guesses[k]!;
      const there = guesses[k + 1]!;
      if (this.find(namer) === this.find(there)) continue;
      if (this.partiesConflict(namer, there) || this.claimsConflict(namer, there)) continue;
      if (this.clusterHoldsPlace(namer, this.evMention[namer]!)) continue;
      this.union(namer, there);
    }
  }

  /** Whether the matter cluster of e (up to 64 events) holds an event at the place of a mention code. */
  private clusterHoldsPlace(e: number, mention: number): boolean {
    if (mention < 0) return false;
    const level = Math.floor(mention / MENTION_SHIFT);
    let m = e;
    for (let k = 0; k < 64; k++) {
      if (this.placeCode(m, level) === mention) return true;
      m = this.ufNext[m]!;
      if (m === e) break;
    }
    return false;
  }

  /** Links e with o when they are one matter of group g (place level l). */
  private consider(e: number, o: number, g: number, l: number): void {
    if (o === e || this.eventGroup(o) !== g) return;
    const verdict = this.sameMatter(e, o, l);
    if (verdict === LINK) this.union(e, o);
    else if (verdict !== NO_LINK) {
      // A guess (a place named from elsewhere, no shared caller): in a batch, made at the end, and
      // only if the event naming the place found no matter there on evidence in the meantime.
      if (this.deferGuesses) this.guesses.push(verdict === GUESS_E ? e : o, verdict === GUESS_E ? o : e);
      else this.union(e, o);
    }
  }

  /**
   * Moves `matterStop` to the first event at or after time lo when events are opened in time order
   * (-1 otherwise): the walks below then tell an event outside the matter window by its number,
   * without reading its time (a cache miss each in a large index).
   */
  private moveMatterWindow(lo: number): void {
    this.matterStop = this.eventsSorted ? this.firstAtOrAfter(this.matterStop, lo) : -1;
  }

  /** Whether event o is older than lo, the start of the current matter window. */
  private older(o: number, lo: number): boolean {
    return this.matterStop >= 0 ? o < this.matterStop : this.evAt[o]! < lo;
  }

  /**
   * Considers the events of group g among the MATTER_STEPS events linked last at one key, newest
   * first, back to time lo. They are read from the chain of the group's events there: events of
   * other groups (most at a busy key) are skipped by rank instead of one by one.
   */
  private walkKey(e: number, g: number, l: number, lo: number, level: number, key: number): void {
    if (key < 0) return;
    const heads = this.heads[level]!;
    if (2 * key >= heads.length) return;
    // The events linked last have ranks count, count - 1, ...
    const lowest = heads[2 * key + 1]! - MATTER_STEPS + 1;
    const link = this.matterLink;
    for (let id = this.matterHead.get(this.matterChain(g, level, key)); id >= 0; id = link[3 * id + 1]!) {
      if (link[3 * id + 2]! < lowest) break;
      const o = link[3 * id]!;
      if (this.older(o, lo)) break;
      this.consider(e, o, g, l);
    }
  }

  /** Considers the events whose narratives name one place, newest first, back to time lo. */
  private walkMention(e: number, g: number, l: number, lo: number, code: number): void {
    if (code < 0) return;
    for (
      let o = this.mentionHead.get(code) ?? -1, steps = 0;
      o >= 0 && steps < MATTER_STEPS;
      o = this.evPrevMention[o]!, steps++
    ) {
      if (this.older(o, lo)) break;
      this.consider(e, o, g, l);
    }
  }

  // ---------------------------------------------------------------- series

  private scratch = new Int32Array(1024);

  private pushScratch(m: number, e: number): void {
    if (m >= this.scratch.length) this.scratch = growI32(this.scratch, this.scratch.length * 2);
    this.scratch[m] = e;
  }

  /** Reverses scratch[0..m) (chains are newest first) and sorts it if arrivals were out of order. */
  private ascending(m: number): Int32Array {
    const list = this.scratch.subarray(0, m);
    list.reverse();
    const at = this.evAt;
    for (let i = 1; i < m; i++) {
      if (at[list[i]!]! < at[list[i - 1]!]!) {
        list.sort((a, b) => at[a]! - at[b]! || a - b);
        break;
      }
    }
    return list;
  }

  private collectCaller(c: number): Int32Array {
    let m = 0;
    for (let p = this.callerHead(c); p >= 0; p = this.pairPrev[p]!) {
      const e = this.pairEvent[p]!;
      if (this.evFlags[e]! & FLAG_TEST) continue;
      const g = this.eventGroup(e);
      if (g < 0 || this.rules[g]!.group.noCallerSeries) continue;
      this.pushScratch(m++, e);
    }
    return this.ascending(m);
  }

  /** All events at a key (any group, test calls left out), ascending, as a fresh array. */
  private collectAll(l: number, key: number): Int32Array {
    const prev = this.evPrev[l]!;
    let m = 0;
    for (let e = this.latestAt(l, key); e >= 0; e = prev[e]!) {
      if (this.evFlags[e]! & FLAG_TEST) continue;
      this.pushScratch(m++, e);
    }
    return this.ascending(m).slice();
  }

  /** Place series of every group at one key of level l, handed to the sink per bucket. */
  private countsScratch = new Int32Array(64);
  private membersScratch = new Int32Array(1024);
  private groupsScratch = new Int16Array(1024);

  /**
   * Place series of every group at one key of level l, handed to the sink per bucket; with
   * `emitEmpty` (incremental updates) buckets without series are handed over too, to clear them.
   */
  private placeKeySeries(
    l: number,
    key: number,
    sink: (bucket: string, series: RepeatSeries[]) => void,
    events?: Int32Array,
    emitEmpty = false,
    placeGroups?: Int16Array,
  ): void {
    const all = events ?? this.collectAll(l, key);
    const G = this.rules.length;
    if (this.countsScratch.length < G) this.countsScratch = new Int32Array(G);
    const counts = this.countsScratch;
    counts.fill(0, 0, G);
    if (this.groupsScratch.length < all.length) this.groupsScratch = new Int16Array(all.length * 2);
    const groups = placeGroups ?? this.groupsScratch;
    for (let i = 0; i < all.length; i++) {
      const g = placeGroups ? groups[i]! : this.placeGroup(all[i]!, l);
      if (!placeGroups) groups[i] = g;
      if (g >= 0) counts[g]!++;
    }
    for (let g = 0; g < G; g++) {
      const rule = this.rules[g]!;
      if (rule.level !== l) continue;
      const count = counts[g]!;
      let runs: Int32Array[] = [];
      let m = 0;
      if (count >= rule.minEvents) {
        if (this.membersScratch.length < count) this.membersScratch = new Int32Array(count * 2);
        const scratch = this.membersScratch;
        for (let i = 0; i < all.length; i++) if (groups[i] === g) scratch[m++] = all[i]!;
        runs = windowRuns(this.evAt, scratch, m, rule.minEvents, rule.windowMs);
      }
      if (runs.length === 0) {
        if (emitEmpty) sink(`p:${l}:${key}:${g}`, []);
        continue;
      }
      const bucket = `p:${l}:${key}:${g}`;
      const members = this.membersScratch.subarray(0, m);
      sink(
        bucket,
        runs.map((events) =>
          this.makeSeries("place", bucket, g, l, key, events, members, rule.minEvents, rule.windowMs, all),
        ),
      );
    }
  }

  /** Caller series of every group of one caller. */
  private callerCounts = new Int32Array(0);
  private callerMembers = new Int32Array(64);

  /** The group of event e for caller series: -1 for test calls and groups without caller series. */
  private callerGroup(e: number): number {
    if (this.evFlags[e]! & FLAG_TEST) return -1;
    const g = this.eventGroup(e);
    return g >= 0 && !this.rules[g]!.group.noCallerSeries ? g : -1;
  }

  private callerSeries(
    c: number,
    sink: (bucket: string, series: RepeatSeries[]) => void,
    events?: Int32Array,
    emitEmpty = false,
    eventGroups?: Int16Array,
  ): void {
    const list = events ?? this.collectCaller(c).slice();
    const G = this.rules.length;
    if (this.callerCounts.length < G) this.callerCounts = new Int32Array(G);
    const counts = this.callerCounts;
    counts.fill(0, 0, G);
    const groups = eventGroups ?? Int16Array.from(list, (e) => this.eventGroup(e));
    for (let i = 0; i < list.length; i++) if (groups[i]! >= 0) counts[groups[i]!]!++;
    const { minEvents, windowDays } = this.options.definitions.caller;
    const windowMs = windowDays * DAY;
    for (let g = 0; g < G; g++) {
      if (counts[g]! < minEvents) {
        if (emitEmpty) sink(`c:${c}:${g}`, []);
        continue;
      }
      const bucket = `c:${c}:${g}`;
      // Scratch: series keep their own event arrays (windowRuns), not the members.
      if (this.callerMembers.length < counts[g]!) this.callerMembers = new Int32Array(counts[g]! * 2);
      const members = this.callerMembers.subarray(0, counts[g]!);
      for (let i = 0, m = 0; i < list.length; i++) if (groups[i] === g) members[m++] = list[i]!;
      const runs = windowRuns(this.evAt, members, members.length, minEvents, windowMs);
      sink(
        bucket,
        runs.map((events) =>
          this.makeSeries("caller", bucket, g, -1, c, events, members, minEvents, windowMs, null),
        ),
      );
    }
  }

  /** The group of event e for place series at level l: -1 at an excluded place or another level. */
  private placeGroup(e: number, l: number): number {
    if (this.evFlags[e]! & FLAG_PLACE_EXCLUDED) return -1;
    const g = this.eventGroup(e);
    return g >= 0 && this.rules[g]!.level === l ? g : -1;
  }

  private keyCount(l: number): number {
    return Math.max(this.calls.dict.keys[l]!.size, this.heads[l]!.length >> 1);
  }

  /**
   * Events (test calls left out) grouped by their key at level l, in event order, as CSR arrays,
   * with each one's group for place series at this level (-1: none, or an excluded place) beside
   * it, so that later passes read groups in order instead of chasing event ids.
   */
  private *eventsByKeySteps(
    l: number,
    arena: Arena,
  ): Generator<string, { start: Int32Array; order: Int32Array; groups: Int16Array }, void> {
    const keys = this.evKeys[l]!;
    const flags = this.evFlags;
    const K = this.keyCount(l);
    const start = arena.i32(K + 1, EMPTY_I32);
    const E = this.eventCount;
    // Events per key: counted as they were linked (levels with series are chained), less the few
    // test calls, instead of counting again at random places.
    const heads = this.heads[l]!;
    for (let k = 0; 2 * k + 1 < heads.length && k < K; k++) start[k + 1] = heads[2 * k + 1]!;
    for (let e = 0; e < E; e++) {
      if (flags[e]! & FLAG_TEST && keys[e]! >= 0) start[keys[e]! + 1]!--;
      if ((e & KEY_STEP) === KEY_STEP) yield "keys";
    }
    for (let k = 0; k < K; k++) start[k + 1]! += start[k]!;
    const fill = arena.i32(K, start);
    const order = arena.i32(start[K]!, EMPTY_I32);
    const groups = arena.i16(start[K]!);
    for (let e = 0; e < E; e++) {
      const k = keys[e]!;
      if (k >= 0 && !(flags[e]! & FLAG_TEST)) {
        const j = fill[k]!++;
        order[j] = e;
        groups[j] = this.placeGroup(e, l);
      }
      if ((e & KEY_STEP) === KEY_STEP) yield "keys";
    }
    return { start, order, groups };
  }

  /** Neighbourhood aggregates per level: parent key * groups + group -> events, child keys. */
  private parentEvents: IntTable[] = [];
  private parentChildren: IntTable[] = [];

  /** Bytes of the series pass's CSR arrays for at most `events` events and `pairs` pairs. */
  private seriesPassBytes(events: number, pairs: number): number {
    let words = 0;
    for (const size of this.seriesPassSizes(events, pairs)) words += size + 1;
    return words * 4;
  }

  private seriesPassSizes(events: number, pairs: number): number[] {
    const C = this.callerCapacity;
    const sizes: number[] = [];
    for (const l of this.levelsUsed) {
      const K = this.keyCount(l);
      sizes.push(K + 1, K, events, Math.ceil(events / 2));
    }
    sizes.push(C + 1, C, pairs, Math.ceil(pairs / 2), Math.ceil(pairs / 2));
    return sizes;
  }

  private *computeAllSteps(scratch?: ScratchRegion): Generator<string, void, void> {
    this.buckets.clear();
    this.groupKeyCount.fill(0);
    this.groupEventCount.fill(0);
    this.groupCallerCount.fill(0);
    this.groupCallerEventCount.fill(0);
    const G = this.rules.length;
    const sink = (bucket: string, series: RepeatSeries[]) => {
      if (series.length > 0) this.buckets.set(bucket, series);
    };
    // Pass 1: counts per key and group (batch-wide priors); keys that may hold a series.
    const counts = new Int32Array(G);
    const pending: number[] = [];
    this.parentEvents = LOCATION_LEVELS.map(() => new IntTable());
    this.parentChildren = LOCATION_LEVELS.map(() => new IntTable());
    // Events per key as one sorted array per level (counting sort by key; event ids are in time
    // order in a batch): sequential passes instead of walking chains.
    const lists = new Map<number, { start: Int32Array; order: Int32Array; groups: Int16Array }>();
    // One buffer for every CSR array below (see Arena).
    const C = this.callerCapacity;
    const arena = new Arena(this.seriesPassBytes(this.eventCount, this.pairCount), scratch);
    for (const l of this.levelsUsed) {
      const csr = yield* this.eventsByKeySteps(l, arena);
      lists.set(l, csr);
      const { start, order, groups } = csr;
      const parent = PARENT[LOCATION_LEVELS[l]!];
      const pl = parent ? levelIndex(parent) : -1;
      const pEvents = this.parentEvents[l]!;
      const pChildren = this.parentChildren[l]!;
      for (let key = 0; key + 1 < start.length; key++) {
        const from = start[key]!;
        const to = start[key + 1]!;
        if (from === to) continue;
        const pk = pl >= 0 ? this.evKeys[pl]![order[to - 1]!]! : -1;
        let any = false;
        for (let j = from; j < to; j++) {
          const g = groups[j]!;
          if (g >= 0) {
            counts[g]!++;
            any = true;
          }
        }
        if (!any) continue;
        let candidate = false;
        for (let g = 0; g < G; g++) {
          const c = counts[g]!;
          if (c === 0) continue;
          this.groupKeyCount[g]!++;
          this.groupEventCount[g]! += c;
          if (pk >= 0) {
            const agg = pk * G + g;
            pEvents.add(agg, c);
            pChildren.add(agg, 1);
          }
          if (c >= this.rules[g]!.minEvents) candidate = true;
          counts[g] = 0;
        }
        if (candidate) pending.push(l * MENTION_SHIFT + key);
        if ((key & KEY_STEP) === KEY_STEP) yield "counts";
      }
    }
    // Callers: the events each caller called about that can form caller series (no test calls,
    // a group without noCallerSeries), as CSR arrays over (caller, event) pairs, each event's group
    // beside it; every pair's group is read once, in pair order.
    const cStart = arena.i32(C + 1, EMPTY_I32);
    const pairGroup = arena.i16(this.pairCount);
    for (let p = 0; p < this.pairCount; p++) {
      const g = this.callerGroup(this.pairEvent[p]!);
      pairGroup[p] = g;
      if (g >= 0) cStart[this.pairCaller[p]! + 1]!++;
      if ((p & KEY_STEP) === KEY_STEP) yield "callers";
    }
    yield "callers";
    for (let c = 0; c < C; c++) cStart[c + 1]! += cStart[c]!;
    const cFill = arena.i32(C, cStart);
    const cOrder = arena.i32(cStart[C]!, EMPTY_I32);
    const cGroup = arena.i16(cStart[C]!);
    for (let p = 0; p < this.pairCount; p++) {
      const g = pairGroup[p]!;
      if (g < 0) continue;
      const j = cFill[this.pairCaller[p]!]!++;
      cOrder[j] = this.pairEvent[p]!;
      cGroup[j] = g;
      if ((p & KEY_STEP) === KEY_STEP) yield "callers";
    }
    yield "callers";
    const touched: number[] = [];
    for (let c = 0; c < C; c++) {
      for (let j = cStart[c]!; j < cStart[c + 1]!; j++) {
        const g = cGroup[j]!;
        if (counts[g]!++ === 0) touched.push(g);
      }
      for (const g of touched) {
        this.groupCallerCount[g]!++;
        this.groupCallerEventCount[g]! += counts[g]!;
        counts[g] = 0;
      }
      touched.length = 0;
      if ((c & KEY_STEP) === KEY_STEP) yield "callers";
    }
    yield "callers";
    // Pass 2: series.
    for (let q = 0; q < pending.length; q++) {
      const code = pending[q]!;
      if ((q & SERIES_STEP) === SERIES_STEP) yield "series";
      const l = Math.floor(code / MENTION_SHIFT);
      const key = code % MENTION_SHIFT;
      const { start, order, groups } = lists.get(l)!;
      const from = start[key]!;
      const to = start[key + 1]!;
      this.placeKeySeries(l, key, sink, order.subarray(from, to), false, groups.subarray(from, to));
    }
    lists.clear();
    const callerK = this.options.definitions.caller.minEvents;
    for (let c = 0; c < C; c++) {
      const from = cStart[c]!;
      const to = cStart[c + 1]!;
      if (to - from < callerK) continue;
      const list = cOrder.subarray(from, to);
      const groups = cGroup.subarray(from, to);
      // Pairs of joined calls come after newer events: restore time order where needed (event
      // ids are in time order when events were opened in time order).
      for (let i = 1; i < list.length; i++) {
        const a = list[i - 1]!;
        const b = list[i]!;
        if (this.eventsSorted ? b < a : this.evAt[b]! < this.evAt[a]!) {
          if (this.eventsSorted) list.sort();
          else list.sort((x, y) => this.evAt[x]! - this.evAt[y]! || x - y);
          for (let k = 0; k < list.length; k++) groups[k] = this.callerGroup(list[k]!);
          break;
        }
      }
      this.callerSeries(c, sink, list, false, groups);
      if ((c & CALLER_SERIES_STEP) === CALLER_SERIES_STEP) yield "caller series";
    }
    yield* this.computeAllMatterSteps(sink);
  }

  private matterMembers(root: number): Int32Array {
    const out = new Int32Array(this.ufSize[root]!);
    let m = 0;
    let e = root;
    do {
      out[m++] = e;
      e = this.ufNext[e]!;
    } while (e !== root && m < out.length);
    return out;
  }

  private *computeAllMatterSteps(
    sink: (bucket: string, series: RepeatSeries[]) => void,
  ): Generator<string, void, void> {
    const k = this.options.definitions.matter.minEvents;
    const clusters = new Map<number, number[]>();
    for (let e = 0; e < this.eventCount; e++) {
      if ((e & STEP) === STEP) yield "matter";
      if (this.uf[e] === e && this.ufSize[e]! < 2) continue;
      const root = this.find(e);
      if (this.ufSize[root]! < k) continue;
      const list = clusters.get(root);
      if (list) list.push(e);
      else clusters.set(root, [e]);
    }
    for (const [root, members] of clusters)
      sink(`m:${root}`, this.matterSeries(root, Int32Array.from(members)));
  }

  private matterSeries(root: number, members: Int32Array): RepeatSeries[] {
    const rule = this.options.definitions.matter;
    members.sort((a, b) => this.evAt[a]! - this.evAt[b]! || a - b);
    const windowMs = rule.windowDays * DAY;
    const g = this.eventGroup(root);
    const level = this.rules[g]?.level ?? levelIndex("building");
    const out: RepeatSeries[] = [];
    for (const events of windowRuns(this.evAt, members, members.length, rule.minEvents, windowMs)) {
      const places = new Set<number>();
      const callers = new Set<number>();
      for (const e of events) {
        // The finest key known of each event's place (room, then entrance, building, POI).
        for (const l of FINEST_FIRST) {
          const key = this.evKeys[l]![e]!;
          if (key >= 0) {
            places.add(l * MENTION_SHIFT + key);
            break;
          }
        }
        for (let i = this.evFirst[e]!; i >= 0; i = this.callNext[i]!) {
          const c = this.calls.caller[i]!;
          if (c >= 0) callers.add(c);
        }
      }
      if (Math.max(places.size, callers.size) < rule.minPlacesOrCallers) continue;
      out.push(
        this.makeSeries(
          "matter",
          `m:${root}`,
          g,
          level,
          root,
          events,
          members,
          rule.minEvents,
          windowMs,
          null,
        ),
      );
    }
    return out;
  }

  // ---------------------------------------------------------------- analysis of one series

  private escalationOf(events: Int32Array, context: Int32Array | null): Escalation {
    const codes = this.calls.dict.codes.values;
    // Severity: the series' events plus, for place series, other events at the same key in its span.
    const path = context ?? events;
    const steps: string[] = [];
    let max = 0;
    let firstNonZero = 0;
    for (let i = 0; i < path.length; i++) {
      const code = this.evCode[path[i]!]!;
      const s = this.codeSeverity[code]!;
      if (s > 0 && firstNonZero === 0) firstNonZero = s;
      if (s > max) {
        max = s;
        steps.push(codes[code]!);
      }
    }
    const severity = steps.length >= 2 && max >= 2 && max > firstNonZero;
    const n = events.length;
    let before = Number.NaN;
    let after = Number.NaN;
    let frequency = false;
    if (n >= 4) {
      const half = Math.floor((n - 1) / 2);
      const at = this.evAt;
      before = (at[events[half]!]! - at[events[0]!]!) / half / DAY;
      after = (at[events[n - 1]!]! - at[events[half]!]!) / (n - 1 - half) / DAY;
      frequency = after <= before * this.options.accelerationRatio;
    }
    return { severity, steps: severity ? steps : [], frequency, gapDaysBefore: before, gapDaysAfter: after };
  }

  /**
   * The part of an ascending event list within [start, end] (its first `most` events at most).
   * `near`: an event of the list at time start (the first of a series): with events numbered in
   * time order, the search goes by number and reads times only around it.
   */
  private within(
    all: Int32Array,
    start: number,
    end: number,
    most = Number.POSITIVE_INFINITY,
    near = -1,
  ): Int32Array {
    const at = this.evAt;
    let lo = 0;
    let hi = all.length;
    if (near >= 0 && this.eventsSorted) {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (all[mid]! < near) lo = mid + 1;
        else hi = mid;
      }
      // Events at the same time just before it.
      while (lo > 0 && at[all[lo - 1]!]! >= start) lo--;
    } else {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (at[all[mid]!]! < start) lo = mid + 1;
        else hi = mid;
      }
    }
    let to = lo;
    const last = Math.min(all.length, lo + most);
    while (to < last && at[all[to]!]! <= end) to++;
    return all.subarray(lo, to);
  }

  /**
   * Neighbourhood rate per key per day of group g around a place key: events of the group at the
   * other child keys of its parent (room → entrance → building → compound), from the batch
   * aggregates; -1 when the parent has no other keys with such events.
   */
  private neighbourRate(level: number, g: number, sample: number, own: number): number {
    const parent = PARENT[LOCATION_LEVELS[level]!];
    if (!parent) return -1;
    const pk = this.evKeys[levelIndex(parent)]![sample]!;
    if (pk < 0) return -1;
    const agg = pk * this.rules.length + g;
    const events = Math.max(0, this.parentEvents[level]?.get(agg) ?? 0);
    const children = Math.max(0, this.parentChildren[level]?.get(agg) ?? 0);
    if (children < 2) return -1;
    return Math.max(0, events - own) / (children - 1) / this.spanDays();
  }

  private spanDays(): number {
    return Math.max(1, (this.maxAt - this.minAt) / DAY);
  }

  private makeSeries(
    kind: SeriesKind,
    bucket: string,
    g: number,
    level: number,
    key: number,
    events: Int32Array,
    bucketList: Int32Array,
    minEvents: number,
    windowMs: number,
    placeEvents: Int32Array | null,
  ): RepeatSeries {
    const rule = this.rules[g]!;
    const at = this.evAt;
    const start = at[events[0]!]!;
    const end = at[events[events.length - 1]!]!;
    const windowStart = end - windowMs;
    let observed = 0;
    for (let i = 0; i < events.length; i++) if (at[events[i]!]! >= windowStart) observed++;
    let history = 0;
    for (let i = 0; i < bucketList.length; i++) if (at[bucketList[i]!]! < windowStart) history++;
    const span = this.spanDays();
    let prior: number;
    if (kind === "caller") {
      prior = this.groupCallerEventCount[g]! / Math.max(1, this.groupCallerCount[g]!) / span;
    } else {
      prior = kind === "place" ? this.neighbourRate(level, g, events[0]!, bucketList.length) : -1;
      if (prior < 0) prior = this.groupEventCount[g]! / Math.max(1, this.groupKeyCount[g]!) / span;
    }
    const windowDays = windowMs / DAY;
    const s = surprise({
      observed,
      windowDays,
      historyEvents: history,
      historyDays: (windowStart - this.minAt) / DAY,
      priorRatePerDay: prior,
      priorDays: this.options.priorDays,
    });
    // Other events at the same key in the series' span; at very busy keys (a market's POI) that is
    // no longer "the same household or shop": then only the series' own events count.
    const most = 4 * events.length + 16;
    let context = placeEvents ? this.within(placeEvents, start, end, most + 1, events[0]!) : null;
    if (context && context.length > most) context = null;
    const escalation = this.escalationOf(events, context);
    const protective = rule.group.protective === true;
    const scores = this.options.surpriseScores;
    let warning: WarningLevel = "blue";
    const big = events.length >= 2 * minEvents;
    if (s.score >= scores.yellow || escalation.frequency || protective || events.length >= minEvents + 2)
      warning = "yellow";
    if (s.score >= scores.orange || escalation.severity || (escalation.frequency && big)) warning = "orange";
    if ((s.score >= scores.red && big) || (escalation.severity && this.maxSeverity(context ?? events) >= 3))
      warning = "red";
    const keyLevel = kind === "caller" ? -1 : level;
    let locationKey: string | null = null;
    if (kind === "place") locationKey = keyLabel(this.calls.dict, level, key);
    else if (kind === "matter") {
      const k = this.evKeys[level]![events[0]!]!;
      locationKey = k >= 0 ? keyLabel(this.calls.dict, level, k) : null;
    }
    const firstSource = this.calls.sourceId[this.evFirst[events[0]!]!]!;
    return {
      id: `${kind[0]!.toUpperCase()}-${fnv(`${kind}|${kind === "matter" ? "" : bucket}|${firstSource}`)}`,
      kind,
      group: rule.group.name,
      locationLevel: keyLevel >= 0 && locationKey !== null ? LOCATION_LEVELS[keyLevel]! : null,
      locationKey,
      callerPseudonym: kind === "caller" ? (this.calls.dict.callers.values[key] ?? null) : null,
      events,
      start,
      end,
      minEvents,
      windowDays,
      protective,
      escalation,
      surprise: s,
      warning,
      bucket,
      keyId: key,
      calls: this.countCalls(events, kind === "caller" ? key : -1),
    };
  }

  private maxSeverity(events: Int32Array): number {
    let max = 0;
    for (let i = 0; i < events.length; i++) max = Math.max(max, this.codeSeverity[this.evCode[events[i]!]!]!);
    return max;
  }

  // ---------------------------------------------------------------- incremental

  /**
   * Adds calls as they arrive and updates only the series they touch (their place keys,
   * callers and matter); returns the series that changed or appeared.
   * @example
   * const changed = index.add([incident]);
   */
  add(inputs: Iterable<RepeatInput>): RepeatSeries[] {
    const dirtyPlaces = new Set<string>();
    const dirtyCallers = new Set<number>();
    const touched = new Set<number>();
    this.absorbed = [];
    for (const input of inputs) {
      const i = this.calls.push(input);
      this.ensureCalls(i + 1);
      const e = this.ingestCall(i);
      // The event's place at its group's level (and at the old group's, if a join recoded it).
      for (const g of [this.eventGroup(e), ...this.recoded.splice(0)]) {
        if (g < 0) continue;
        const l = this.rules[g]!.level;
        const key = this.evKeys[l]![e]!;
        if (key >= 0) dirtyPlaces.add(`${l}:${key}`);
      }
      for (let j = this.evFirst[e]!; j >= 0; j = this.callNext[j]!) {
        const c = this.calls.caller[j]!;
        if (c >= 0) dirtyCallers.add(c);
      }
      touched.add(e);
    }
    const changed: RepeatSeries[] = [];
    const replace = (bucket: string, series: RepeatSeries[]) => {
      if (series.length > 0) this.buckets.set(bucket, series);
      else this.buckets.delete(bucket);
      changed.push(...series);
    };
    for (const place of dirtyPlaces) {
      const [l, key] = place.split(":").map(Number) as [number, number];
      this.placeKeySeries(l, key, replace, undefined, true);
    }
    for (const c of dirtyCallers) {
      this.callerSeries(c, replace, undefined, true);
    }
    for (const r of this.absorbed) this.buckets.delete(`m:${r}`);
    const k = this.options.definitions.matter.minEvents;
    const roots = new Set<number>();
    for (const e of touched) roots.add(this.find(e));
    for (const root of roots) {
      this.buckets.delete(`m:${root}`);
      if (this.ufSize[root]! >= k) replace(`m:${root}`, this.matterSeries(root, this.matterMembers(root)));
    }
    this.absorbed = [];
    return changed;
  }

  // ---------------------------------------------------------------- reading

  /** Every series, place first, then caller, then matter; each kind by start time. */
  allSeries(): RepeatSeries[] {
    const out: RepeatSeries[] = [];
    for (const list of this.buckets.values()) for (const s of list) out.push(s);
    const rank = { place: 0, caller: 1, matter: 2 } as const;
    return out.sort((a, b) => rank[a.kind] - rank[b.kind] || a.start - b.start || (a.id < b.id ? -1 : 1));
  }

  /** Call indexes of an event, in arrival order. */
  callsOf(e: number): number[] {
    const out: number[] = [];
    for (let i = this.evFirst[e]!; i >= 0; i = this.callNext[i]!) out.push(i);
    return out;
  }

  /** Source ids of all calls of a series, in time order of their events. */
  /**
   * Source ids of the calls of a series in event order: every call of its events, except in a
   * caller series, which holds only that caller's own calls.
   */
  sourceIdsOf(series: RepeatSeries, limit = Number.POSITIVE_INFINITY): string[] {
    const out: string[] = [];
    const only = series.kind === "caller" ? series.keyId : -1;
    for (const e of series.events) {
      for (let i = this.evFirst[e]!; i >= 0; i = this.callNext[i]!) {
        if (out.length >= limit) return out;
        if (only < 0 || this.calls.caller[i] === only) out.push(this.calls.sourceId[i]!);
      }
    }
    return out;
  }

  /** Number of calls of a series (as counted by sourceIdsOf). */
  callCount(series: RepeatSeries): number {
    return series.calls;
  }

  private countCalls(events: Int32Array, only: number): number {
    let n = 0;
    for (const e of events)
      for (let i = this.evFirst[e]!; i >= 0; i = this.callNext[i]!)
        if (only < 0 || this.calls.caller[i] === only) n++;
    return n;
  }

  /** Duplicate groups: source ids of the calls of every event with two or more calls. */
  duplicateGroups(): string[][] {
    const out: string[][] = [];
    for (let e = 0; e < this.eventCount; e++) {
      if (this.evFirst[e] === this.evLast[e]) continue;
      out.push(this.callsOf(e).map((i) => this.calls.sourceId[i]!));
    }
    return out;
  }

  /** Code ("category.subtype") of an event. */
  eventCode(e: number): string {
    return this.calls.dict.codes.values[this.evCode[e]!]!;
  }

  /** Root of the event's matter cluster (its matter series live in bucket `m:<root>`). */
  matterRoot(e: number): number {
    return this.find(e);
  }

  /** Group index of an event, or -1. */
  eventGroup(e: number): number {
    return this.evGroup[e]! - 1;
  }

  groupRule(g: number): GroupRule | undefined {
    return this.rules[g];
  }

  get groupCount(): number {
    return this.rules.length;
  }

  /** The reference cosine of the metric projection used for coordinates (NaN before the first). */
  projectPoint(lon: number, lat: number): [number, number] {
    return this.project(lon, lat);
  }
}
