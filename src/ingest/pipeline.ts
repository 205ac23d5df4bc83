import { createHash, hash } from "node:crypto";
import { open } from "node:fs/promises";
import { basename } from "node:path";
import { type Datum, type Jurisdictions, toWgs84, validLonLat } from "../address/geo.ts";
import {
  type AddressComponent,
  type AddressComponentsJson,
  type AddressLocator,
  addressComponentsJson,
  asEpochMs,
  asIncidentId,
  asUnitCode,
  type BatchId,
  type CallerPseudonym,
  type Clock,
  type Incident,
  type LocationKeys,
  NO_LOCATION,
  NULL_LOCATOR,
} from "../domain/index.ts";
import type { BatchWriter, NewBatch, QuarantinedRow } from "../store/types.ts";
import { type IngestIssue, type IngestIssueCode, ingestIssue } from "./issues.ts";
import { DEFAULT_LIMITS, type ReadLimits } from "./limits.ts";
import { fileAccessError, openSource } from "./open.ts";
import { callerPseudonym, encryptField, maskText, normalizePhone } from "./privacy/index.ts";
import type { PrivacyFunctions, PrivacyKeys } from "./privacy-port.ts";
import { compileMapper, fieldColumns, type MappedRow } from "./profile/mapper.ts";
import type { Profile } from "./profile/schema.ts";
import type { EncodingName } from "./readers/encoding.ts";
import type { SourceRecord } from "./readers/types.ts";

export interface ImportOptions {
  /** File to import (CSV, XLSX or JSONL). */
  readonly path: string;
  readonly profile: Profile;
  /** How the profile was named on the command line (recorded with the batch). */
  readonly profileRef?: string;
  /** Opens the batch transaction: the Store, or a test double. */
  readonly store: { beginBatch(batch: NewBatch): Promise<BatchWriter> };
  readonly batchId: BatchId;
  /** Masking, pseudonyms, encryption; default the real ones of src/ingest/privacy. */
  readonly privacy?: PrivacyFunctions;
  readonly keys: PrivacyKeys;
  readonly clock: Clock;
  /** Turns addresses (and WGS-84 coordinates) into location keys (src/address); default knows nothing. */
  readonly locator?: AddressLocator;
  /** Overrides the profile's and the detected encoding (--encoding). */
  readonly encoding?: EncodingName;
  readonly limits?: Partial<ReadLimits>;
  /** Incidents per insert call. */
  readonly chunkRows?: number;
  /** How many rejected rows' issues the summary lists. */
  readonly sampleSize?: number;
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Stop after this many data rows (to try a profile on the head of a file). */
  readonly maxRows?: number;
  /**
   * Boundaries of the community police areas (警务区, src/address/geo.ts `jurisdictions`): a row
   * whose export names no area gets the one its coordinates fall in (`--areas FILE.geojson`).
   */
  readonly areas?: Jurisdictions;
}

const asUnitCodeOrNull = (code: string | null) => (code === null ? null : asUnitCode(code));

export interface ImportProgress {
  readonly rows: number;
  readonly bytesRead: number;
  readonly totalBytes: number;
  /** Every row is read and the batch is committing (a big one builds indexes for seconds). */
  readonly committing?: boolean;
}

export interface ImportSummary {
  readonly batchId: BatchId;
  readonly file: string;
  readonly profile: string;
  readonly sourceSystem: string;
  readonly encoding: string;
  /** Rows above the header that were not read as data (a title, the export's query); absent when none. */
  readonly titleRows?: number;
  /** Incidents whose area came from the boundaries (`areas`), their export naming none; absent without them. */
  readonly areasFromBoundaries?: number;
  /** Data rows read. */
  readonly rows: number;
  /** New incidents stored. */
  readonly imported: number;
  /** Rows quarantined with an error. */
  readonly rejected: number;
  /**
   * Valid rows already in the store (or earlier in the file) under the same source id that
   * changed nothing: equal to the stored incident, or a subset of it.
   */
  readonly duplicates: number;
  /**
   * Valid rows of a later export of a stored incident that filled in or corrected its values
   * (docs/store.md, "Later exports"): merged into it, never clearing a stored value.
   */
  readonly updated: number;
  /** Valid rows of an older export of a stored incident (fewer times and results filled in): not applied. */
  readonly stale: number;
  /** Rows kept with at least one warning. */
  readonly warned: number;
  readonly seconds: number;
  readonly issueCounts: Readonly<Partial<Record<IngestIssueCode, { errors: number; warnings: number }>>>;
  /**
   * Every distinct value that no line of the code map matched (unmapped_category,
   * unmapped_department), with its count, most frequent first (at most 100 each), masked: a
   * profile writer adds them all to the map in one go.
   */
  readonly unmappedValues: {
    readonly category: readonly ValueCount[];
    readonly department: readonly ValueCount[];
  };
  /** The first rejections, one entry per issue (file, row, field, code, value). */
  readonly sampleRejections: readonly IngestIssue[];
  readonly sampleWarnings: readonly IngestIssue[];
}

export interface ValueCount {
  readonly value: string;
  readonly count: number;
}

/** Unmapped values a summary lists per code map. */
const UNMAPPED_SHOWN = 100;
/**
 * Distinct unmapped values counted per code map: bounded memory when a free-text column is
 * mapped as a category (values first seen after this many are not counted).
 */
const UNMAPPED_TRACKED = 10_000;

/** Counts values, up to UNMAPPED_TRACKED distinct ones. */
function countValue(counts: Map<string, number>, value: string): void {
  const n = counts.get(value);
  if (n !== undefined) counts.set(value, n + 1);
  else if (counts.size < UNMAPPED_TRACKED) counts.set(detached(value), 1);
}

/** The most frequent values, masked (two values that mask alike are one), ties in order of first sight. */
function topValues(counts: ReadonlyMap<string, number>, mask: (text: string) => string): ValueCount[] {
  const masked = new Map<string, number>();
  for (const [value, count] of counts) {
    const shown = mask(value);
    masked.set(shown, (masked.get(shown) ?? 0) + count);
  }
  return [...masked]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count)
    .slice(0, UNMAPPED_SHOWN);
}

/**
 * Addresses per generation of the location-key memo (two generations: bounded memory). Small on
 * purpose: it catches an address written again within minutes (several calls about one event, a
 * dispute that flares up twice in an evening) and keeps little alive. With 2 × 50,000 it hit 39%
 * of the generated city's addresses, but every entry kept (keys, components, the address) was
 * marked again by each full collection, and the import cost more CPU, not less (docs/store.md,
 * "Memos", session 7). With 2 × 5,000 (23%) an entry still outlived the import thread's
 * young-generation collections and was promoted to the old heap as garbage; with 2 × 1,000 (16%)
 * most die young: 200,000 rows promote 143 MB instead of 190 MB and cost 4–7% less CPU in-process
 * (docs/store.md, session 16).
 */
const LOCATE_MEMO_GENERATION = 1_000;

/**
 * Characters of encrypted records the quarantine holds before it goes to the store. Rows are
 * flushed every chunkRows, but a rejected record is kept whole (up to the 1 MiB record limit), so
 * 2,000 of them could hold gigabytes: 400 rejected rows of 900 kB ran the import thread out of
 * its heap. With this budget the quarantine holds a few megabytes, as the incidents do.
 */
const QUARANTINE_FLUSH_CHARS = 8 * 1024 * 1024;

/**
 * A locator that also gives the parsed components of an address with its keys, in one parse
 * (createAddressLocator's `analyse`); with a plain AddressLocator incidents get keys only.
 */
interface AnalysingLocator extends AddressLocator {
  analyse(address: string | null): {
    readonly keys: LocationKeys;
    readonly entities: readonly AddressComponent[];
  };
}

function isAnalysing(locator: AddressLocator): locator is AnalysingLocator {
  return typeof (locator as Partial<AnalysingLocator>).analyse === "function";
}

/** What an address turns into: its keys and, when the locator parses, its components. */
interface Located {
  /** The address as stored: masked (a caller's number written into it, 0.35% of a real corpus). */
  readonly address: string | null;
  readonly keys: LocationKeys;
  /** JSON text: one string per distinct address is all the memo keeps (see AddressComponentsJson). */
  readonly components: AddressComponentsJson | null;
}

const NOWHERE: Located = { address: null, keys: NO_LOCATION, components: null };

/**
 * The string as a copy of its own. A cell is cut from the text of a whole read chunk, and V8
 * keeps that text (about 1 MB) alive as long as any piece of 13 characters or more is: a memo
 * key must not hold a chunk for the rest of the import. (Concatenating and cutting again makes
 * V8 flatten the string into fresh memory of the key's own length.)
 */
function detached(s: string): string {
  return s.length < 13 ? s : ` ${s}`.slice(1);
}

/**
 * A map of bounded size that keeps recently used entries: two generations, the older one
 * dropped when the newer fills up (an approximate LRU without per-entry bookkeeping).
 */
class TwoGenerationMemo<V> {
  #recent = new Map<string, V>();
  #older = new Map<string, V>();
  constructor(private readonly generation: number) {}

  get(key: string, compute: (key: string) => V): V {
    let value = this.#recent.get(key);
    if (value !== undefined) return value;
    value = this.#older.get(key);
    let kept = key;
    if (value === undefined) {
      value = compute(key);
      kept = detached(key);
    }
    if (this.#recent.size >= this.generation) {
      this.#older = this.#recent;
      this.#recent = new Map();
    }
    this.#recent.set(kept, value);
    return value;
  }
}

const PRIVACY: PrivacyFunctions = { maskText, normalizePhone, callerPseudonym, encryptField };

/** recur's incident id: a hash of source system and source id, stable across imports. */
export function incidentId(sourceSystem: string, sourceId: string): string {
  return hash("sha256", `${sourceSystem}\u0000${sourceId}`, "base64url").slice(0, 22);
}

/** incidentId for one source system, hashing from a reused buffer (one per row of an import). */
export class IncidentIds {
  readonly #buffer: Buffer;
  readonly #prefix: number;
  /** Views of #buffer's first `length` bytes, by length (a view per row cost as much as the writing). */
  readonly #views: Buffer[] = [];
  constructor(readonly sourceSystem: string) {
    const prefix = Buffer.from(`${sourceSystem}\u0000`, "utf8");
    this.#prefix = prefix.length;
    this.#buffer = Buffer.alloc(prefix.length + 4 * 128);
    prefix.copy(this.#buffer);
  }
  of(sourceId: string): string {
    // A source id is at most 128 characters (the mapper rejects longer ones): 4 bytes each at most.
    const n = sourceId.length;
    if (n > 128) return incidentId(this.sourceSystem, sourceId);
    // Most ids are ASCII: their bytes are their character codes, set one by one (cheaper than
    // Buffer#write for a short id); any other character and the id is written as UTF-8.
    const buffer = this.#buffer;
    const prefix = this.#prefix;
    let length = n;
    for (let i = 0; i < n; i++) {
      const c = sourceId.charCodeAt(i);
      if (c > 0x7f) {
        length = buffer.write(sourceId, prefix, "utf8");
        break;
      }
      buffer[prefix + i] = c;
    }
    let view = this.#views[prefix + length];
    if (view === undefined) {
      view = buffer.subarray(0, prefix + length);
      this.#views[prefix + length] = view;
    }
    return hash("sha256", view, "base64url").slice(0, 22);
  }
}

/**
 * The file's SHA-256, read 1 MiB at a time into one buffer: a read stream allocated a new buffer
 * a chunk (the 314 MB bench file: 330–380 ms of CPU that way, 297–374 ms so; docs/store.md,
 * session 16). It runs before the batch begins, on the import thread.
 */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  const file = await open(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead));
    }
  } finally {
    await file.close();
  }
  return hash.digest("hex");
}

/** The source record as JSON, for the (encrypted) quarantine: nothing of a rejected row is lost. */
function recordJson(header: readonly string[], record: SourceRecord): string {
  if (record.raw !== undefined) return record.raw;
  // No prototype: a column named __proto__ is a key like any other.
  const object: Record<string, string | string[]> = Object.create(null);
  header.forEach((name, i) => {
    // A blank name, or one the header has twice, is keyed by the column's number: no cell lost.
    const key = name === "" || Object.hasOwn(object, name) ? `${name}#${i + 1}` : name;
    object[key] = record.cells[i] ?? "";
  });
  if (record.cells.length > header.length) object["#extra"] = record.cells.slice(header.length);
  return JSON.stringify(object);
}

/**
 * Imports one file as one atomic batch: read → map → validate → privacy → locate → store.
 * Rejected rows go to quarantine with their issues and the record encrypted; nothing crashes on
 * bad data. Re-importing the same or an overlapping file adds no duplicates (source ids); a
 * later export of a stored call fills in and corrects it (docs/store.md, "Later exports").
 * @example
 * const summary = await importFile({ path: "calls.csv", profile, store, batchId, privacy, keys, clock });
 */
export async function importFile(options: ImportOptions): Promise<ImportSummary> {
  const limits: ReadLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const { profile, keys, clock } = options;
  const privacy = options.privacy ?? PRIVACY;
  const locator = options.locator ?? NULL_LOCATOR;
  // Rows wait in memory until their chunk goes to the store: with 5,000 the first rows of a chunk
  // outlived two young-generation collections and were copied to the old heap (30% more promoted
  // bytes than with 1,000-2,000 in-process); the store's cost per call is small at 2,000.
  const chunkRows = options.chunkRows ?? 2000;
  const sampleSize = options.sampleSize ?? 20;
  const maxRows = options.maxRows ?? Number.POSITIVE_INFINITY;
  const file = basename(options.path);
  const started = clock.now();

  // A file moved, replaced by a folder or locked since the caller checked it is the user's error,
  // named (fileAccessError); a command importing several goes on to the next file.
  const source = await openSource(options.path, profile, limits, options.encoding).catch((error: unknown) => {
    throw fileAccessError(error, file);
  });
  const mapper = compileMapper(
    profile,
    source.header,
    { now: started, workbook: source.encoding === "xlsx" },
    file,
  );
  const sha = await fileSha256(options.path).catch((error: unknown) => {
    throw fileAccessError(error, file);
  });
  // The batch opens with the first chunk (or at the end of a small file), when the importer can
  // tell the store roughly how many rows are coming: a big batch lets SQLite build its
  // random-order indexes once at commit (docs/store.md).
  let writer: BatchWriter | undefined;
  const begin = async (): Promise<BatchWriter> => {
    if (writer) return writer;
    const bytes = source.bytesRead();
    const expectedRows =
      bytes > 0 && bytes < source.totalBytes ? Math.round((rows * source.totalBytes) / bytes) : rows;
    writer = await options.store.beginBatch({
      id: options.batchId,
      sourceSystem: profile.sourceSystem,
      profile: options.profileRef ?? profile.name,
      fileName: file,
      fileSha256: sha,
      startedAt: started,
      expectedRows: Math.min(expectedRows, maxRows),
    });
    return writer;
  };

  let rows = 0;
  let accepted = 0;
  let inserted = 0;
  let rejected = 0;
  let warned = 0;
  const issueCounts: Partial<Record<IngestIssueCode, { errors: number; warnings: number }>> = {};
  const sampleRejections: IngestIssue[] = [];
  const sampleWarnings: IngestIssue[] = [];
  let incidents: Incident[] = [];
  let quarantine: QuarantinedRow[] = [];
  let quarantineChars = 0;
  const keepNumber = profile.caller?.keepNumber === true;
  const phoneOptions = profile.caller?.areaCode ? { areaCode: profile.caller.areaCode } : {};

  const unmappedCategories = new Map<string, number>();
  const unmappedDepartments = new Map<string, number>();
  // An issue names the field; the user knows the file by its columns, so they are named too.
  const columnsOf = fieldColumns(profile);
  const note = (issue: IngestIssue, row: number): IngestIssue => {
    let counts = issueCounts[issue.code];
    if (!counts) {
      counts = { errors: 0, warnings: 0 };
      issueCounts[issue.code] = counts;
    }
    if (issue.severity === "error") counts.errors++;
    else counts.warnings++;
    if (issue.value !== undefined) {
      if (issue.code === "unmapped_category") countValue(unmappedCategories, issue.value);
      else if (issue.code === "unmapped_department") countValue(unmappedDepartments, issue.value);
    }
    const column = issue.column ?? (issue.field === undefined ? undefined : columnsOf.get(issue.field));
    return column && column.length > 0 ? { ...issue, file, row, column } : { ...issue, file, row };
  };

  // Repeat places repeat their address text, and parsing an address is the dearest step of an
  // import, so keys and components are memoised by address (recently seen ones): they are a function of the text
  // alone (docs/address.md), which is also why the coordinates are not passed to the locator.
  const places = new TwoGenerationMemo<Located>(LOCATE_MEMO_GENERATION);
  // The address is masked first (a phone or ID number written into it), and keyed masked, so
  // that no number reaches a location key or a component either.
  const analyse: (raw: string) => Located =
    locator === NULL_LOCATOR
      ? (raw) => ({ ...NOWHERE, address: privacy.maskText(raw) })
      : isAnalysing(locator)
        ? (raw) => {
            const address = privacy.maskText(raw);
            const a = locator.analyse(address);
            return {
              address,
              keys: a.keys,
              components: a.entities.length > 0 ? addressComponentsJson(a.entities) : null,
            };
          }
        : (raw) => {
            const address = privacy.maskText(raw);
            return { address, keys: locator.locate(address), components: null };
          };
  const locate = (address: string | null): Located =>
    address === null ? NOWHERE : places.get(address, analyse);

  // A caller's pseudonym (an HMAC, ~1.3 µs) is computed on every row and not memoised: most
  // numbers of an export are seen once, and a memo of them cost more than it saved (keeping 100,000
  // numbers alive made the collector promote and mark them; in-process, 500,000 rows, alternating:
  // 21.0 µs a row without the memo against 23.1 µs with it; docs/store.md).
  const pseudonymOf = (raw: string): CallerPseudonym | null => {
    const phone = privacy.normalizePhone(raw, phoneOptions);
    return phone === null ? null : privacy.callerPseudonym(phone, keys.hmacKey);
  };

  // The area a row's coordinates fall in, for rows whose export names none (0,0 and values out of
  // range are no position, as in the locator).
  const areas = options.areas;
  let areasFromBoundaries = 0;
  const areaOf = (m: MappedRow): string | null => {
    if (m.areaUnit !== null) return m.areaUnit;
    const { lon, lat } = m;
    if (!areas || !validLonLat(lon, lat)) return null;
    const area = areas.locate(toWgs84(lon!, lat!, (m.datum ?? "wgs84") as Datum));
    if (area !== null) areasFromBoundaries++;
    return area;
  };

  const ids = new IncidentIds(profile.sourceSystem);
  const toIncident = (m: MappedRow, issues: IngestIssue[]): Incident => {
    let pseudonym: CallerPseudonym | null = null;
    let numberEnc: string | null = null;
    if (m.callerRaw !== null) {
      pseudonym = pseudonymOf(m.callerRaw);
      if (pseudonym === null) issues.push(ingestIssue("bad_phone", "warning", { field: "caller" }));
      else if (keepNumber)
        numberEnc = privacy.encryptField(privacy.normalizePhone(m.callerRaw, phoneOptions)!, keys.encKey);
    }
    const place = locate(m.address);
    return {
      id: asIncidentId(ids.of(m.sourceId)),
      sourceSystem: profile.sourceSystem,
      sourceId: m.sourceId,
      batchId: options.batchId,
      receivedAt: asEpochMs(m.receivedAt),
      acceptedAt: m.acceptedAt === null ? null : asEpochMs(m.acceptedAt),
      dispatchedAt: m.dispatchedAt === null ? null : asEpochMs(m.dispatchedAt),
      arrivedAt: m.arrivedAt === null ? null : asEpochMs(m.arrivedAt),
      closedAt: m.closedAt === null ? null : asEpochMs(m.closedAt),
      utcOffsetMin: m.utcOffsetMin,
      category: m.category,
      subtype: m.subtype,
      // Free texts are masked as the narrative is: a number may stand in any of them (a shifted
      // column, a call-taker's habit).
      sourceCategory: m.sourceCategory === null ? null : privacy.maskText(m.sourceCategory),
      department: m.department,
      address: place.address,
      lon: m.lon,
      lat: m.lat,
      datum: m.datum,
      location: place.keys,
      addressComponents: place.components,
      cityUnit: m.cityUnit === null ? null : asUnitCode(m.cityUnit),
      branchUnit: m.branchUnit === null ? null : asUnitCode(m.branchUnit),
      stationUnit: m.stationUnit === null ? null : asUnitCode(m.stationUnit),
      areaUnit: asUnitCodeOrNull(areaOf(m)),
      callerPseudonym: pseudonym,
      callerNumberEnc: numberEnc,
      narrative: m.narrative === null ? null : privacy.maskText(m.narrative),
      disposition: m.disposition === null ? null : privacy.maskText(m.disposition),
      feedback: m.feedback === null ? null : privacy.maskText(m.feedback),
    };
  };

  // Writing overlaps parsing: the store may insert one chunk (the SQLite store does it in a
  // worker thread) while the next is mapped. At most one write is in flight, in file order.
  let writing: Promise<void> = Promise.resolve();
  const flush = async () => {
    const rowsToInsert = incidents;
    const rowsToQuarantine = quarantine;
    incidents = [];
    quarantine = [];
    quarantineChars = 0;
    await writing;
    const batch = await begin();
    // The insert starts here and nothing below holds the rows: once the store has taken them
    // (the SQLite store serialises them at once) they are garbage, not promoted to the old heap.
    const inserting = rowsToInsert.length > 0 ? batch.insertIncidents(rowsToInsert) : undefined;
    const write = async () => {
      if (inserting) inserted += await inserting;
      if (rowsToQuarantine.length > 0) await batch.insertQuarantine(rowsToQuarantine);
    };
    writing = write();
    // A failed write surfaces at the next flush or at the end; never as an unhandled rejection.
    writing.catch(() => {});
  };

  /** Issues of privacy and location for the current row (reused: the row's issues are copied out). */
  const extra: IngestIssue[] = [];
  try {
    for await (const batch of source.batches) {
      for (const record of batch) {
        if (rows >= maxRows) break;
        if (record.blank) continue; // a row of empty cells: no call, as in a workbook
        rows++;
        const result = mapper.map(record);
        const issues = result.issues as IngestIssue[];
        if (result.row) {
          extra.length = 0;
          incidents.push(toIncident(result.row, extra));
          accepted++;
          const all = extra.length > 0 ? [...issues, ...extra] : issues;
          if (all.length > 0) {
            warned++;
            for (const issue of all) {
              const located = note(issue, record.row);
              if (sampleWarnings.length < sampleSize) sampleWarnings.push(located);
            }
          }
        } else {
          rejected++;
          const located = issues.map((i) => note(i, record.row));
          for (const issue of located)
            if (issue.severity === "error" && sampleRejections.length < sampleSize)
              sampleRejections.push(issue);
          const recordEnc = privacy.encryptField(recordJson(source.header, record), keys.encKey);
          quarantineChars += recordEnc.length;
          quarantine.push({ batchId: options.batchId, file, row: record.row, issues: located, recordEnc });
          if (quarantineChars >= QUARANTINE_FLUSH_CHARS) await flush();
        }
      }
      if (incidents.length >= chunkRows || quarantine.length >= chunkRows) await flush();
      options.onProgress?.({ rows, bytesRead: source.bytesRead(), totalBytes: source.totalBytes });
      if (rows >= maxRows) break;
    }
    await flush();
    await writing;
    const finishedAt = clock.now();
    const { updated, stale } = (await begin()).updates ?? { updated: 0, stale: 0 };
    const duplicates = accepted - inserted - updated - stale;
    options.onProgress?.({
      rows,
      bytesRead: source.bytesRead(),
      totalBytes: source.totalBytes,
      committing: true,
    });
    await (await begin()).commit({ rows, imported: inserted, rejected, duplicates, finishedAt });
    return {
      batchId: options.batchId,
      file,
      profile: options.profileRef ?? profile.name,
      sourceSystem: profile.sourceSystem,
      encoding: source.encoding,
      ...(source.titleRows ? { titleRows: source.titleRows } : {}),
      ...(areas ? { areasFromBoundaries } : {}),
      rows,
      imported: inserted,
      rejected,
      duplicates,
      updated,
      stale,
      warned,
      seconds: (finishedAt - started) / 1000,
      issueCounts,
      unmappedValues: {
        category: topValues(unmappedCategories, privacy.maskText),
        department: topValues(unmappedDepartments, privacy.maskText),
      },
      sampleRejections,
      sampleWarnings,
    };
  } catch (error) {
    await writing.catch(() => {});
    await writer?.rollback().catch(() => {});
    throw error;
  }
}
