import gcoordModule from "gcoord";
import {
  type Category,
  type Datum,
  LOCATION_LEVELS,
  type LocationKeys,
  type LocationLevel,
} from "../domain/index.ts";
import {
  crossKeyFromAddress,
  hasGenericName,
  isPlaceless,
  PlaceResolver,
  poiNameFromAddress,
} from "./places.ts";

/** gcoord is CommonJS: under NodeNext its default import is typed as the module namespace. */
const gcoord = gcoordModule as unknown as (typeof gcoordModule)["default"];

/**
 * Column-oriented call data for the repeat engine: one typed array per field, strings interned
 * to dense integer ids (Plot's "index plus typed arrays"). 10,000,000 calls fit in about 1 GB
 * and every pass of the engine is a loop over integers.
 */

/**
 * Entries a column's defaults (-1 ids) are written ahead of use, and the least headroom a batch
 * reserves: 65,536 calls are a day or two of a large city's calls.
 */
export const FILL_CHUNK = 1 << 16;

/**
 * Capacity for n entries plus as many again for live calls (at least a million). The headroom is
 * address space only: a large ArrayBuffer is mapped zero pages, resident only once written, so
 * an index of 10,000,000 calls takes on live calls without copying a column while resident
 * memory grows page by page with the calls actually added (docs/repeat.md "Growth").
 * @example
 * reservedCapacity(10_000_000) // 20_000_000
 */
export function reservedCapacity(n: number): number {
  return n + Math.max(n, 1 << 20);
}

/**
 * The next capacity of a growing column: doubling while small (cheap), then the same reservation
 * as a batch, so that past the headroom a column is copied once per as many calls again, not on
 * every chunk.
 */
export function nextCapacity(current: number, needed: number): number {
  if (current < 1 << 20) return Math.max(needed, current * 2, 16);
  return reservedCapacity(Math.max(needed, current));
}

/** Interns strings to dense ids 0..size-1 so that keys compare as integers. */
export class Interner {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [];

  /** Id of the string, added when new. */
  intern(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(value, id);
      this.values.push(value);
    }
    return id;
  }

  /** Id of a known string, or -1. */
  get(value: string): number {
    return this.ids.get(value) ?? -1;
  }

  get size(): number {
    return this.values.length;
  }
}

/** Number of location levels (poi, building, unit, room, road, cross) in LOCATION_LEVELS order. */
export const LEVEL_COUNT = LOCATION_LEVELS.length;
const CROSS_LEVEL = LOCATION_LEVELS.indexOf("cross");
export const levelIndex = (level: LocationLevel): number => LOCATION_LEVELS.indexOf(level);

/** Call flags. */
export const FLAG_PLACE_EXCLUDED = 1; // police station, hospital, configured address: no place series
export const FLAG_TEST = 2; // test call: excluded from everything

/** What the engine needs of one call; an `Incident` has all of it. */
export interface RepeatInput {
  readonly sourceId: string;
  readonly receivedAt: number;
  readonly utcOffsetMin?: number;
  readonly category: Category;
  readonly subtype: string | null;
  readonly address?: string | null;
  readonly lon?: number | null;
  readonly lat?: number | null;
  /** Datum of lon/lat; GCJ-02 and BD-09 are converted to WGS-84 so that distances agree. */
  readonly datum?: Datum | null;
  readonly location: LocationKeys;
  readonly callerPseudonym?: string | null;
  readonly narrative?: string | null;
}

/** The interned dictionaries shared by the call columns and the engine. */
export interface Dictionaries {
  /** "category.subtype" (or "category") codes. */
  readonly codes: Interner;
  /** One interner per location level, in LOCATION_LEVELS order. */
  readonly keys: readonly Interner[];
  readonly callers: Interner;
  /** Per level, the key as first written for each interned (matching-form) key: what users see. */
  readonly labels: readonly string[][];
  /** Turns a key into the form keys are compared in (places.ts), or null to compare as written. */
  readonly resolver: PlaceResolver | null;
}

/**
 * @param resolvePlaces compare location keys in their matching form (places.ts); default on.
 */
export function newDictionaries(resolvePlaces = true): Dictionaries {
  return {
    codes: new Interner(),
    keys: LOCATION_LEVELS.map(() => new Interner()),
    callers: new Interner(),
    labels: LOCATION_LEVELS.map(() => []),
    resolver: resolvePlaces ? new PlaceResolver() : null,
  };
}

/** Id of a location key as written (resolved like the calls' keys), or -1 when unknown. */
export function keyId(dict: Dictionaries, level: number, key: string): number {
  return dict.keys[level]!.get(dict.resolver ? dict.resolver.resolve(key) : key);
}

/** The key of an id as users know it (first spelling seen). */
export function keyLabel(dict: Dictionaries, level: number, id: number): string {
  return dict.labels[level]![id] ?? dict.keys[level]!.values[id]!;
}

/** The columns of n calls. Missing values: -1 for ids, NaN for coordinates. */
export interface CallColumns {
  readonly length: number;
  /** receivedAt, epoch ms. */
  readonly at: Float64Array;
  readonly offsetMin: Int16Array;
  readonly code: Int32Array;
  /** Key ids per level, in LOCATION_LEVELS order. */
  readonly keys: readonly Int32Array[];
  readonly lon: Float64Array;
  readonly lat: Float64Array;
  readonly caller: Int32Array;
  readonly flags: Uint8Array;
  readonly sourceId: readonly string[];
  readonly narrative: readonly (string | null)[];
  readonly dict: Dictionaries;
}

/** Which calls are excluded, and why (docs/repeat.md "Exclusions"). */
export interface ExclusionOptions {
  /** Address patterns of places whose calls never form place series (police stations, hospitals). */
  readonly addressPatterns: readonly RegExp[];
  /** Configured location keys (any level) excluded from place series. */
  readonly keys: readonly string[];
  /** Configured raw addresses (trimmed, exact) excluded from place series. */
  readonly addresses: readonly string[];
  /** Codes ("category.subtype" or "category") of calls excluded from everything (test calls). */
  readonly testCodes: readonly string[];
}

/**
 * Police stations and hospitals: people walk in or are brought there, so calls "from" them say
 * nothing about a problem at the place (Milwaukee's and Vancouver's top "repeat" addresses are
 * police buildings).
 */
export const DEFAULT_EXCLUSIONS: ExclusionOptions = {
  addressPatterns: [
    /派出所|公安局|公安分局|警务站|警务室|交警大队|交警中队|看守所|拘留所/,
    /医院|卫生院|急救中心|卫生服务中心/,
    /\bpolice\b|\bsheriff\b|\bhospital\b|\bmedical cent(er|re)\b|\bemergency room\b/i,
  ],
  keys: [],
  addresses: [],
  testCodes: ["invalid.test"],
};

/** Builds call columns one call at a time (import order need not be time order). */
export class ColumnsBuilder {
  private n = 0;
  private cap: number;
  at: Float64Array;
  offsetMin: Int16Array;
  code: Int32Array;
  keys: Int32Array[];
  lon: Float64Array;
  lat: Float64Array;
  caller: Int32Array;
  flags: Uint8Array;
  sourceId: string[] = [];
  narrative: (string | null)[] = [];
  /** Raw addresses (a place named in a narrative is "elsewhere" only if the address does not name it). */
  address: (string | null)[] = [];
  /** Compound and POI names as written in the poi keys (for finding places named in narratives). */
  readonly poiNames: string[] = [];
  private readonly poiNameSet = new Set<string>();
  readonly dict: Dictionaries;
  private readonly exclusions: ExclusionOptions;
  private readonly excludedKeys: Set<string>;
  private readonly excludedAddresses: Set<string>;
  private readonly testCodes: Set<string>;
  private readonly addressVerdicts = new Map<string, boolean>();

  constructor(
    dict: Dictionaries = newDictionaries(),
    exclusions: ExclusionOptions = DEFAULT_EXCLUSIONS,
    capacity = 1024,
  ) {
    this.dict = dict;
    this.exclusions = exclusions;
    this.excludedKeys = new Set(exclusions.keys);
    this.excludedAddresses = new Set(exclusions.addresses.map((a) => a.trim()));
    this.testCodes = new Set(exclusions.testCodes);
    this.cap = 0;
    this.at = new Float64Array(0);
    this.offsetMin = new Int16Array(0);
    this.code = new Int32Array(0);
    this.keys = LOCATION_LEVELS.map(() => new Int32Array(0));
    this.lon = new Float64Array(0);
    this.lat = new Float64Array(0);
    this.caller = new Int32Array(0);
    this.flags = new Uint8Array(0);
    this.reallocate(Math.max(16, capacity));
  }

  get length(): number {
    return this.n;
  }

  /** Calls the columns hold without copying (the rest of the reservation is untouched address space). */
  get capacity(): number {
    return this.cap;
  }

  /**
   * Takes the first `count` rows as written directly into the columns (a generator filling the
   * typed arrays in place; sourceId and narrative pushed alongside).
   */
  claim(count: number): void {
    if (count > this.cap || count < this.n || this.sourceId.length !== count)
      throw new RangeError(`claim(${count}): capacity ${this.cap}, ${this.sourceId.length} source ids`);
    this.n = count;
  }

  /** A builder that continues existing columns (adopts their arrays; grows by copying on push). */
  static adopt(columns: CallColumns, exclusions: ExclusionOptions = DEFAULT_EXCLUSIONS): ColumnsBuilder {
    const b = new ColumnsBuilder(columns.dict, exclusions, 16);
    b.n = columns.length;
    b.cap = columns.length;
    b.at = columns.at;
    b.offsetMin = columns.offsetMin;
    b.code = columns.code;
    b.keys = [...columns.keys];
    b.lon = columns.lon;
    b.lat = columns.lat;
    b.caller = columns.caller;
    b.flags = columns.flags;
    // Shared until the first push (copy on write): 10,000,000 ids and narratives are 160 MB of arrays.
    b.sourceId = columns.sourceId as string[];
    b.narrative = columns.narrative as (string | null)[];
    b.shared = true;
    // No addresses: read as null beyond the end.
    b.address = [];
    return b;
  }

  /** Whether sourceId and narrative are still the adopted columns' arrays. */
  private shared = false;

  private grow(): void {
    this.reallocate(nextCapacity(this.cap, this.cap + 1));
  }

  /**
   * Moves the columns into one new buffer of `cap` calls (one external allocation: see Arena in
   * engine.ts). Only the calls written are copied: the rest of the buffer stays untouched.
   */
  private reallocate(cap: number): void {
    const n = this.n;
    const pad = (bytes: number) => Math.ceil(bytes / 8) * 8;
    const buffer = new ArrayBuffer(
      pad(cap * 8) * 3 + pad(cap * 2) + pad(cap * 4) * (2 + this.keys.length) + pad(cap),
    );
    let offset = 0;
    const take = (bytes: number) => {
      const at = offset;
      offset += pad(bytes);
      return at;
    };
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(buffer, take(cap * 8), cap);
      b.set(a.subarray(0, n));
      return b;
    };
    const i32 = (a: Int32Array) => {
      const b = new Int32Array(buffer, take(cap * 4), cap);
      b.set(a.subarray(0, n));
      return b;
    };
    this.at = f64(this.at);
    const off = new Int16Array(buffer, take(cap * 2), cap);
    off.set(this.offsetMin.subarray(0, n));
    this.offsetMin = off;
    this.code = i32(this.code);
    this.keys = this.keys.map(i32);
    this.lon = f64(this.lon);
    this.lat = f64(this.lat);
    this.caller = i32(this.caller);
    const fl = new Uint8Array(buffer, take(cap), cap);
    fl.set(this.flags.subarray(0, n));
    this.flags = fl;
    this.cap = cap;
  }

  private addressExcluded(address: string): boolean {
    let verdict = this.addressVerdicts.get(address);
    if (verdict === undefined) {
      verdict =
        this.excludedAddresses.has(address.trim()) ||
        this.exclusions.addressPatterns.some((pattern) => pattern.test(address));
      if (this.addressVerdicts.size < 1_000_000) this.addressVerdicts.set(address, verdict);
    }
    return verdict;
  }

  private notePoiName(key: string): void {
    const colon = key.indexOf(":", 2);
    const slash = key.indexOf("/", colon);
    const name = key.slice(colon + 1, slash < 0 ? undefined : slash);
    if (!this.poiNameSet.has(name)) {
      this.poiNameSet.add(name);
      this.poiNames.push(name);
    }
  }

  /** Appends one call; returns its index. */
  push(input: RepeatInput): number {
    if (this.n === this.cap) this.grow();
    if (this.shared) {
      this.sourceId = this.sourceId.slice();
      this.narrative = this.narrative.slice();
      this.shared = false;
    }
    const i = this.n++;
    const code = input.subtype ? `${input.category}.${input.subtype}` : input.category;
    this.at[i] = input.receivedAt;
    this.offsetMin[i] = input.utcOffsetMin ?? 0;
    this.code[i] = this.dict.codes.intern(code);
    let flags = 0;
    if (this.testCodes.has(code) || this.testCodes.has(input.category)) flags |= FLAG_TEST;
    for (let l = 0; l < LEVEL_COUNT; l++) {
      let key = input.location[LOCATION_LEVELS[l]!];
      // A generic POI name (the parser ate the distinctive part): read the name from the address.
      if (l === 0 && key && this.dict.resolver && input.address && hasGenericName(key)) {
        const name = poiNameFromAddress(input.address);
        if (name) key = `Z::${name}`;
      }
      // An intersection the parser missed ("…与…交叉口").
      if (l === CROSS_LEVEL && !key && this.dict.resolver && input.address && !input.location.road)
        key = crossKeyFromAddress(input.address);
      if (key && !(this.dict.resolver && isPlaceless(key))) {
        const resolver = this.dict.resolver;
        const id = this.dict.keys[l]!.intern(resolver ? resolver.resolve(key) : key);
        const labels = this.dict.labels[l]!;
        if (id >= labels.length) labels.push(key);
        if (l === 0 && key.startsWith("Z:")) this.notePoiName(key);
        this.keys[l]![i] = id;
        if (this.excludedKeys.size > 0 && this.excludedKeys.has(key)) flags |= FLAG_PLACE_EXCLUDED;
      } else this.keys[l]![i] = -1;
    }
    if (input.address && this.addressExcluded(input.address)) flags |= FLAG_PLACE_EXCLUDED;
    let lon = input.lon ?? Number.NaN;
    let lat = input.lat ?? Number.NaN;
    if ((input.datum === "gcj02" || input.datum === "bd09") && !Number.isNaN(lon) && !Number.isNaN(lat)) {
      [lon, lat] = gcoord.transform(
        [lon, lat],
        input.datum === "gcj02" ? gcoord.GCJ02 : gcoord.BD09,
        gcoord.WGS84,
      ) as [number, number];
    }
    this.lon[i] = lon;
    this.lat[i] = lat;
    this.caller[i] = input.callerPseudonym ? this.dict.callers.intern(input.callerPseudonym) : -1;
    this.flags[i] = flags;
    this.sourceId.push(input.sourceId);
    this.narrative.push(input.narrative ?? null);
    if (input.address) this.address[i] = input.address;
    return i;
  }

  /** The columns built so far (views, no copy). */
  columns(): CallColumns {
    const n = this.n;
    return {
      length: n,
      at: this.at.subarray(0, n),
      offsetMin: this.offsetMin.subarray(0, n),
      code: this.code.subarray(0, n),
      keys: this.keys.map((k) => k.subarray(0, n)),
      lon: this.lon.subarray(0, n),
      lat: this.lat.subarray(0, n),
      caller: this.caller.subarray(0, n),
      flags: this.flags.subarray(0, n),
      sourceId: this.sourceId,
      narrative: this.narrative,
      dict: this.dict,
    };
  }
}

/**
 * Columns from call records.
 * @example
 * const columns = toColumns(incidents);
 */
export function toColumns(
  inputs: Iterable<RepeatInput>,
  exclusions: ExclusionOptions = DEFAULT_EXCLUSIONS,
): CallColumns {
  const builder = new ColumnsBuilder(newDictionaries(), exclusions);
  for (const input of inputs) builder.push(input);
  return builder.columns();
}

/** Scratch bytes per call of `timeOrder` (order, seconds, a pass's order and upper bits). */
export const TIME_ORDER_BYTES = 14;

/** Elements between two yields of `timeOrderSteps`. */
const ORDER_STEP = 0xffff;

/**
 * Sorts `order` (stable, by time then index) by insertion while it takes at most `budget` moves;
 * false (order left unspecified) when it would take more.
 */
function* insertionSorted(
  at: Float64Array,
  order: Uint32Array,
  budget: number,
): Generator<string, boolean, void> {
  let moves = 0;
  for (let i = 1; i < order.length; i++) {
    if ((i & ORDER_STEP) === ORDER_STEP) yield "order";
    const v = order[i]!;
    const t = at[v]!;
    let j = i - 1;
    while (j >= 0 && (at[order[j]!]! > t || (at[order[j]!]! === t && order[j]! > v))) {
      order[j + 1] = order[j]!;
      j--;
      if (++moves > budget) return false;
    }
    order[j + 1] = v;
  }
  return true;
}

/**
 * The order of calls by time (stable): an insertion sort when the calls are nearly in time order
 * (at most one call in 64 earlier than the one before it, at most 4 moves per call), else an LSD radix sort on seconds since the first call, O(n) where a
 * comparison sort of 10,000,000 calls would take seconds.
 */
export function timeOrder(
  at: Float64Array,
  scratch?: { readonly buffer: ArrayBuffer; readonly offset: number; readonly bytes: number },
): Uint32Array {
  const steps = timeOrderSteps(at, scratch);
  for (let step = steps.next(); ; step = steps.next()) if (step.done) return step.value;
}

/** `timeOrder` in steps of 65,536 calls (RepeatIndex.fromColumnsInSteps). */
export function* timeOrderSteps(
  at: Float64Array,
  scratch?: { readonly buffer: ArrayBuffer; readonly offset: number; readonly bytes: number },
): Generator<string, Uint32Array, void> {
  const n = at.length;
  // One buffer for the order and the radix sort's two scratch arrays (one external allocation),
  // or the caller's scratch region when it is large enough.
  const own = !scratch || scratch.bytes < TIME_ORDER_BYTES * n;
  const buffer = own ? new ArrayBuffer(TIME_ORDER_BYTES * n) : scratch.buffer;
  const base = own ? 0 : scratch.offset;
  const order = new Uint32Array(buffer, base, n);
  let descents = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    order[i] = i;
    const t = at[i]!;
    if (t < min) min = t;
    if (t > max) max = t;
    if (i > 0 && t < at[i - 1]!) descents++;
    if ((i & ORDER_STEP) === ORDER_STEP) yield "order";
  }
  if (descents === 0 || n < 2) return order;
  // Nearly sorted (exports in time order, a few late rows): insertion sort while it stays cheap.
  // With a late row in every 64 or more, the radix sort at once.
  if (descents <= n / 64 && (yield* insertionSorted(at, order, 4 * n))) return order;
  for (let i = 0; i < n; i++) order[i] = i;
  const spanMs = max - min;
  if (n < 50_000 || spanMs / 1000 >= 2 ** 32 || !Number.isFinite(spanMs)) {
    return order.sort((a, b) => at[a]! - at[b]! || a - b);
  }
  // Sort by whole seconds with a radix sort, then fix ties within a second by insertion.
  const sec = new Uint32Array(buffer, base + n * 4, n);
  for (let i = 0; i < n; i++) {
    sec[i] = Math.floor((at[i]! - min) / 1000);
    if ((i & ORDER_STEP) === ORDER_STEP) yield "order";
  }
  // Two passes of 16 bits; the first carries each call's upper 16 bits beside it, so that the
  // second reads its keys in order rather than at random.
  const low = new Uint32Array(buffer, base + n * 8, n);
  const high = new Uint16Array(buffer, base + n * 12, n);
  const count = new Uint32Array(65537);
  for (let i = 0; i < n; i++) {
    count[(sec[i]! & 0xffff) + 1]!++;
    if ((i & ORDER_STEP) === ORDER_STEP) yield "order";
  }
  for (let d = 0; d < 65536; d++) count[d + 1]! += count[d]!;
  for (let i = 0; i < n; i++) {
    const j = count[sec[i]! & 0xffff]!++;
    low[j] = i;
    high[j] = sec[i]! >>> 16;
    if ((i & ORDER_STEP) === ORDER_STEP) yield "order";
  }
  count.fill(0);
  for (let i = 0; i < n; i++) {
    count[high[i]! + 1]!++;
    if ((i & ORDER_STEP) === ORDER_STEP) yield "order";
  }
  for (let d = 0; d < 65536; d++) count[d + 1]! += count[d]!;
  for (let i = 0; i < n; i++) {
    order[count[high[i]!]!++] = low[i]!;
    if ((i & ORDER_STEP) === ORDER_STEP) yield "order";
  }
  const src = order;
  for (let i = 1; i < n; i++) {
    const v = src[i]!;
    const t = at[v]!;
    let j = i - 1;
    while (j >= 0 && (at[src[j]!]! > t || (at[src[j]!]! === t && src[j]! > v))) {
      src[j + 1] = src[j]!;
      j--;
    }
    src[j + 1] = v;
    if ((i & ORDER_STEP) === ORDER_STEP) yield "order";
  }
  return src;
}
