import { CompiledQuery, type Kysely } from "kysely";
import type { UnitLevel } from "../analysis/indicators/columns.ts";
import {
  type CaseTally,
  type IndicatorExtras,
  type IndicatorOptions,
  type IndicatorPeriod,
  type IndicatorReport,
  periodIndicatorsFromRollups,
  periodLabelIndex,
} from "../analysis/indicators/indicators.ts";
import {
  type DailyRollups,
  type DayRollup,
  RESPONSE_BINS,
  RESPONSE_KINDS,
  ROLLUP_LEVELS,
  ROLLUP_NUMBERS,
  RollupAccumulator,
  type RollupBlock,
  type RollupIncident,
} from "../analysis/indicators/rollups.ts";
import { CATEGORIES } from "../domain/index.ts";
import { isPostgres } from "./migrations/helpers.ts";
import type { InsertOutcome, MultiRowSql } from "./sqlite-executor.mjs";
import type { Store } from "./types.ts";

/**
 * Daily indicator rollups in the store (table indicator_days, migration 0016_indicator_days): written by
 * every import batch inside its own transaction (BatchRollups), rebuilt from the incidents on
 * demand (rebuildIndicatorRollups), read by the monthly and weekly indicators (loadRollups).
 */

const DAY = 86_400_000;

/** Statements inside an open transaction: the batch's connection, or a Kysely transaction. */
export interface TxSql {
  readonly postgres: boolean;
  run(text: string, params: readonly unknown[]): Promise<void>;
  all(text: string, params: readonly unknown[]): Promise<Record<string, unknown>[]>;
  /**
   * Runs `spec` over many rows of flat values at once, where the connection offers it (the SQLite
   * batch worker: one message for all the statements instead of a round trip per statement).
   */
  runRows?(spec: MultiRowSql, values: unknown[]): Promise<void>;
  /** Runs `spec` over a block of rollup rows (their keys, then their numbers) where offered. */
  runBlock?(spec: MultiRowSql, block: RollupBlock): Promise<void>;
}

/** `?` placeholders as PostgreSQL's `$1, $2, ...` (recur's rollup SQL has no other `?`). */
export function numberedParams(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

/** A TxSql over a Kysely instance or transaction. */
export function kyselyTx(db: Kysely<unknown>): TxSql {
  const postgres = isPostgres(db);
  const compile = (text: string, params: readonly unknown[]) =>
    CompiledQuery.raw(postgres ? numberedParams(text) : text, [...params]);
  return {
    postgres,
    async run(text, params) {
      await db.executeQuery(compile(text, params));
    },
    async all(text, params) {
      return (await db.executeQuery<Record<string, unknown>>(compile(text, params))).rows;
    },
  };
}

/**
 * A TxSql over a batch writer's own connection: `exec` runs one statement in the batch's open
 * transaction (SQLite worker or PostgreSQL client) and returns its rows when `read`.
 */
export function batchTx(
  postgres: boolean,
  exec: (text: string, params: readonly unknown[], read: boolean) => Promise<unknown>,
  multi?: {
    rows(spec: MultiRowSql, values: unknown[]): Promise<unknown>;
    block(spec: MultiRowSql, block: RollupBlock): Promise<unknown>;
  },
): TxSql {
  const q = (text: string) => (postgres ? numberedParams(text) : text);
  return {
    postgres,
    ...(multi && {
      async runRows(spec: MultiRowSql, values: unknown[]) {
        await multi.rows(spec, values);
      },
      async runBlock(spec: MultiRowSql, block: RollupBlock) {
        await multi.block(spec, block);
      },
    }),
    async run(text, params) {
      await exec(q(text), params, false);
    },
    async all(text, params) {
      return (await exec(q(text), params, true)) as Record<string, unknown>[];
    },
  };
}

const bin = (b: number) => String(b).padStart(2, "0");
const TABLE = "indicator_days";
const KEYS = ["level", "unit", "station", "day"] as const;
/** Count columns of indicator_days: all incidents, then one per category (CATEGORIES order). */
export const COUNT_COLUMNS: readonly string[] = ["incidents", ...CATEGORIES.map((c) => `c_${c}`)];
/** Response columns of indicator_days, per kind: negatives, sum of milliseconds, the bins. */
export const RESPONSE_COLUMNS: readonly string[] = RESPONSE_KINDS.flatMap((k) => [
  `${k}_neg`,
  `${k}_sum_ms`,
  ...Array.from({ length: RESPONSE_BINS }, (_, b) => `${k}_b${bin(b)}`),
]);
const VALUE_COLUMNS = [...COUNT_COLUMNS, ...RESPONSE_COLUMNS];

function rowValues(r: DayRollup): (string | number)[] {
  const out: (string | number)[] = [];
  pushRowValues(out, r);
  return out;
}

/** Appends the values of `r` in the column order of indicator_days' upsert. */
function pushRowValues(out: (string | number)[], r: DayRollup): void {
  out.push(r.level, r.unit, r.station, r.day, r.incidents, ...r.categories);
  for (let k = 0; k < RESPONSE_KINDS.length; k++) {
    out.push(r.negative[k]!, r.sumMs[k]!);
    for (let b = 0; b < RESPONSE_BINS; b++) out.push(r.bins[k * RESPONSE_BINS + b]!);
  }
}

/** 200 rows x 79 values: under SQLite's and PostgreSQL's parameter limits. */
const ROWS_PER_STATEMENT = 200;

/** The rollups' upsert as a multi-row statement (existing rows grow by the new counts). */
const UPSERT: MultiRowSql = {
  name: TABLE,
  head: `INSERT INTO ${TABLE} (${[...KEYS, ...VALUE_COLUMNS].join(",")}) VALUES`,
  tuple: `(${[...KEYS, ...VALUE_COLUMNS].map(() => "?").join(",")})`,
  tail: `ON CONFLICT (${KEYS.join(",")}) DO UPDATE SET ${VALUE_COLUMNS.map((c) => `${c} = ${TABLE}.${c} + excluded.${c}`).join(", ")}`,
  columns: KEYS.length + VALUE_COLUMNS.length,
  keyColumns: KEYS.length,
  rowsPerStatement: ROWS_PER_STATEMENT,
};
if (VALUE_COLUMNS.length !== ROLLUP_NUMBERS)
  throw new Error(`indicator_days has ${VALUE_COLUMNS.length} value columns, a rollup row ${ROLLUP_NUMBERS}`);

const UPSERT_COLUMNS = [...KEYS, ...VALUE_COLUMNS];

/** Rollup rows per statement on PostgreSQL, as arrays: one statement for most batches. */
const PG_ROWS_PER_STATEMENT = 10_000;

/** The upsert on PostgreSQL: the rows as one array a column (its `$n`, no `?` to renumber). */
const PG_UPSERT =
  `INSERT INTO ${TABLE} (${UPSERT_COLUMNS.join(",")}) SELECT * FROM unnest(` +
  UPSERT_COLUMNS.map((_, i) => `$${i + 1}::${i < 3 ? "text" : i === 3 ? "int4" : "int8"}[]`).join(",") +
  `) ${UPSERT.tail}`;

function upsertSql(rows: number): string {
  return `${UPSERT.head} ${Array(rows).fill(UPSERT.tuple).join(",")} ${UPSERT.tail}`;
}

/** Rollup rows per runRows call: bounds the flat array (79 values a row) the caller builds. */
const ROWS_PER_CALL = 10_000;

/**
 * Adds an accumulator's rows to the table a chunk at a time, in key order (a large batch's rows
 * never exist as objects all together); `skipZero` leaves out rows whose counts are all zero.
 * Where the connection takes blocks (the SQLite batch worker), the rows go as RollupBlocks, with
 * no object a row. Resolves to the number of rows the accumulator holds.
 */
export async function upsertAccumulated(
  tx: TxSql,
  acc: RollupAccumulator,
  skipZero = false,
): Promise<number> {
  if (tx.runBlock) {
    // The next block is made while the worker writes this one: two in flight at most.
    const runBlock = tx.runBlock.bind(tx);
    const sent: Promise<void>[] = [];
    try {
      for (const block of acc.blocks(ROWS_PER_CALL, skipZero)) {
        sent.push(runBlock(UPSERT, block));
        if (sent.length > 1) await sent[sent.length - 2];
      }
    } finally {
      // Every write settled before the caller goes on (or rolls back): none is left unhandled.
      await Promise.allSettled(sent);
    }
    await Promise.all(sent);
  } else
    for (const chunk of acc.chunks(ROWS_PER_CALL))
      await upsertRollups(tx, skipZero ? chunk.filter((r) => !isZero(r)) : chunk);
  return acc.rowCount;
}

/**
 * Adds rollup rows to the table (upsert: existing rows grow by the new counts). Rows go in key
 * order, so concurrent batches on PostgreSQL lock shared rows in the same order.
 */
export async function upsertRollups(tx: TxSql, rollups: DailyRollups): Promise<void> {
  if (tx.postgres) {
    // One array a column (unnest): a multi-row VALUES of 200 rows is 15,800 parameters, and
    // PostgreSQL took ~100 µs a rollup row that way (25 s for a large city's 215,000 rows).
    for (let start = 0; start < rollups.length; start += PG_ROWS_PER_STATEMENT) {
      const part = rollups.slice(start, start + PG_ROWS_PER_STATEMENT);
      const columns = UPSERT_COLUMNS.map(() => new Array<string | number>(part.length));
      const values: (string | number)[] = [];
      for (let r = 0; r < part.length; r++) {
        values.length = 0;
        pushRowValues(values, part[r]!);
        for (let c = 0; c < columns.length; c++) columns[c]![r] = values[c]!;
      }
      await tx.run(PG_UPSERT, columns);
    }
    return;
  }
  if (tx.runRows) {
    // 56,800 rollup rows of 200,000 imported incidents were 284 round trips to the SQLite
    // worker, 3.6 s of the commit on a loaded machine; ten thousand rows a call are a few.
    for (let start = 0; start < rollups.length; start += ROWS_PER_CALL) {
      const values: (string | number)[] = [];
      for (const r of rollups.slice(start, start + ROWS_PER_CALL)) pushRowValues(values, r);
      await tx.runRows(UPSERT, values);
    }
    return;
  }
  for (let start = 0; start < rollups.length; start += ROWS_PER_STATEMENT) {
    const part = rollups.slice(start, start + ROWS_PER_STATEMENT);
    await tx.run(upsertSql(part.length), part.flatMap(rowValues));
  }
}

/** A stored row as a DayRollup; without response columns (earlier periods) the histograms are empty. */
function toDayRollup(row: Record<string, unknown>, level: UnitLevel): DayRollup {
  const hasResponse = row.dispatch_neg !== undefined;
  return {
    level,
    unit: String(row.unit),
    station: String(row.station),
    day: num(row.day),
    incidents: num(row.incidents),
    categories: CATEGORIES.map((c) => num(row[`c_${c}`])),
    negative: RESPONSE_KINDS.map((k) => (hasResponse ? num(row[`${k}_neg`]) : 0)),
    sumMs: RESPONSE_KINDS.map((k) => (hasResponse ? num(row[`${k}_sum_ms`]) : 0)),
    bins: hasResponse
      ? RESPONSE_KINDS.flatMap((k) =>
          Array.from({ length: RESPONSE_BINS }, (_, b) => num(row[`${k}_b${bin(b)}`])),
        )
      : EMPTY_BINS,
  };
}
const EMPTY_BINS: readonly number[] = new Array<number>(3 * RESPONSE_BINS).fill(0);

const INCIDENT_ROLLUP_COLUMNS =
  "received_at, accepted_at, dispatched_at, arrived_at, utc_offset_min, category, city_unit, branch_unit, station_unit, area_unit";

const num = (v: unknown): number => (typeof v === "number" ? v : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function rowToRollupIncident(r: Record<string, unknown>): RollupIncident {
  return {
    receivedAt: num(r.received_at),
    acceptedAt: numOrNull(r.accepted_at),
    dispatchedAt: numOrNull(r.dispatched_at),
    arrivedAt: numOrNull(r.arrived_at),
    utcOffsetMin: num(r.utc_offset_min),
    category: String(r.category),
    cityUnit: text(r.city_unit),
    branchUnit: text(r.branch_unit),
    stationUnit: text(r.station_unit),
    areaUnit: text(r.area_unit),
  };
}

/** Numbers a row of RollupFields keeps: the three times that may be missing, and two that may not. */
const KEPT_NUMBERS = 5;
/** Texts it keeps: the category and the four units. */
const KEPT_TEXTS = 5;

/**
 * The rollup fields of a chunk's incidents, kept while the store inserts the chunk, so that the
 * rows it did not insert can be taken away again (BatchRollups.track). Holding the incidents
 * themselves until then kept every row of the chunk in flight alive with its narrative, address
 * and components through the import thread's young-generation collections: copied, then promoted
 * to the old heap as garbage (a 200,000-row import promoted 250 MB instead of 189 MB; docs/store.md,
 * session 16). The numbers go into one typed array (a bit a row says which times are missing),
 * the texts into one array: two objects a chunk instead of its rows.
 * @example new RollupFields([incident]).row(0) // incident's rollup fields, as a RollupIncident
 */
export class RollupFields {
  readonly #numbers: Float64Array;
  readonly #missing: Uint8Array;
  readonly #texts: (string | null)[];

  constructor(rows: readonly RollupIncident[]) {
    const n = rows.length;
    const numbers = new Float64Array(n * KEPT_NUMBERS);
    const missing = new Uint8Array(n);
    const texts = new Array<string | null>(n * KEPT_TEXTS);
    for (let i = 0; i < n; i++) {
      const x = rows[i]!;
      const at = i * KEPT_NUMBERS;
      numbers[at] = x.receivedAt;
      numbers[at + 1] = x.utcOffsetMin;
      numbers[at + 2] = x.acceptedAt ?? 0;
      numbers[at + 3] = x.dispatchedAt ?? 0;
      numbers[at + 4] = x.arrivedAt ?? 0;
      missing[i] =
        (x.acceptedAt === null ? 1 : 0) | (x.dispatchedAt === null ? 2 : 0) | (x.arrivedAt === null ? 4 : 0);
      const t = i * KEPT_TEXTS;
      texts[t] = x.category;
      texts[t + 1] = x.cityUnit;
      texts[t + 2] = x.branchUnit;
      texts[t + 3] = x.stationUnit;
      texts[t + 4] = x.areaUnit;
    }
    this.#numbers = numbers;
    this.#missing = missing;
    this.#texts = texts;
  }

  /** Row `i`'s rollup fields, equal to those of the row given. */
  row(i: number): RollupIncident {
    const numbers = this.#numbers;
    const at = i * KEPT_NUMBERS;
    const missing = this.#missing[i]!;
    const t = i * KEPT_TEXTS;
    return {
      receivedAt: numbers[at]!,
      utcOffsetMin: numbers[at + 1]!,
      acceptedAt: missing & 1 ? null : numbers[at + 2]!,
      dispatchedAt: missing & 2 ? null : numbers[at + 3]!,
      arrivedAt: missing & 4 ? null : numbers[at + 4]!,
      category: this.#texts[t] as string,
      cityUnit: this.#texts[t + 1] ?? null,
      branchUnit: this.#texts[t + 2] ?? null,
      stationUnit: this.#texts[t + 3] ?? null,
      areaUnit: this.#texts[t + 4] ?? null,
    };
  }
}

/**
 * The rollups of one import batch, for the batch writers (sqlite.ts, postgres.ts): `track` each
 * insertIncidents call, `flush` in the batch's transaction just before COMMIT. Only rows the
 * batch actually inserted count, with the values later rows of the file merged into them. The
 * rows are aggregated in JS as they go by; a row the store did not insert (a duplicate, an update
 * or an older version of a stored call: the insert's `skipped`) is taken away again, and an
 * update of a row this batch inserted (a key repeated in the file: `ownBefore`, `ownAfter`) moves
 * its contribution. When the store cannot tell which rows it did not insert (`skipped` null, or
 * counts that do not add up), the rollup is made again from the rows that carry this batch's id
 * (exactly the rows it inserted: a later import never moves a row to its own batch), read back a
 * page at a time. A rolled-back or killed batch leaves no rollup.
 */
export class BatchRollups {
  readonly #acc = new RollupAccumulator();
  #offered = 0;
  #inserted = 0;
  /** Offered rows the store did not insert, and whether every one of them is known. */
  readonly #skipped = new RollupAccumulator();
  #skippedKnown = true;
  /** Rows of this batch that later rows of the file updated: before and after, in update order. */
  readonly #ownBefore = new RollupAccumulator();
  readonly #ownAfter = new RollupAccumulator();
  /** Stored incidents this batch updated (a later export): before and after, in update order. */
  readonly #before = new RollupAccumulator();
  readonly #after = new RollupAccumulator();

  constructor(readonly batchId: string) {}

  /**
   * A stored incident of an earlier batch that this batch updated: its rollup contribution moves
   * from `before` to `after` (it keeps its first batch's id, so the rows carrying this batch's id
   * stay the ones it inserted).
   */
  revise(before: RollupIncident, after: RollupIncident): void {
    this.#before.add(before);
    this.#after.add(after);
  }

  /** An incident this batch inserted, updated by a later row of the file. */
  reviseOwn(before: RollupIncident, after: RollupIncident): void {
    this.#ownBefore.add(before);
    this.#ownAfter.add(after);
  }

  /**
   * Aggregates `rows` while the store inserts them; resolves to the insert's count. Only their
   * rollup fields wait for the insert's outcome (RollupFields), not the rows themselves.
   */
  track(rows: readonly RollupIncident[], insert: Promise<InsertOutcome>): Promise<number> {
    this.#offered += rows.length;
    this.#acc.addAll(rows);
    const kept = new RollupFields(rows);
    return insert.then((outcome) => {
      this.#inserted += outcome.inserted;
      if (outcome.skipped === null) this.#skippedKnown = false;
      else for (const r of outcome.skipped) this.#skipped.add(kept.row(r));
      return outcome.inserted;
    });
  }

  async flush(tx: TxSql): Promise<void> {
    await this.#flushInserted(tx);
    if (this.#before.size === 0) return;
    // Updates: add the updated rows' new contribution, take their old one away; a row left with
    // no incident goes, as a rebuild would not make it.
    const diff = new RollupAccumulator()
      .merge(this.#after.rows())
      .merge(this.#before.rows().map(negated))
      .rows()
      .filter((r) => !isZero(r));
    if (diff.length === 0) return;
    await upsertRollups(tx, diff);
    await tx.run(`DELETE FROM ${TABLE} WHERE incidents = 0`, []);
  }

  async #flushInserted(tx: TxSql): Promise<void> {
    if (this.#inserted === 0) return;
    if (this.#inserted === this.#offered) {
      await upsertAccumulated(tx, this.#acc);
      return;
    }
    if (this.#skippedKnown && this.#inserted + this.#skipped.size === this.#offered) {
      // What was offered, less what was not inserted, with the merges into this batch's rows.
      this.#acc
        .merge(this.#skipped.rows().map(negated))
        .merge(this.#ownBefore.rows().map(negated))
        .merge(this.#ownAfter.rows());
      await upsertAccumulated(tx, this.#acc, true);
      return;
    }
    // Read back a page at a time: a 1,000,000-row file with a single repeated call read them
    // all into one result and ran the import thread out of memory.
    rollupTesting.readBacks++;
    const acc = new RollupAccumulator();
    await forEachBatchRow(tx, this.batchId, (row) => acc.add(rowToRollupIncident(row)));
    await upsertAccumulated(tx, acc);
  }
}

/**
 * A test seam: how many batches made their rollups by reading their rows back (neither store
 * should need to: each names the rows it did not insert).
 */
export const rollupTesting = { readBacks: 0 };

/** Rows a page of the read-back holds. */
export const READ_BACK_PAGE = 20_000;

/**
 * Calls `each` for every incident of a batch, `READ_BACK_PAGE` rows a query, in key order: by
 * rowid on SQLite (the batch_id index holds it: each page starts where the last ended), by id on
 * PostgreSQL.
 */
async function forEachBatchRow(
  tx: TxSql,
  batchId: string,
  each: (row: Record<string, unknown>) => void,
): Promise<void> {
  const key = tx.postgres ? "id" : "rowid";
  let after: unknown = tx.postgres ? "" : -1;
  for (;;) {
    const rows = await tx.all(
      `SELECT ${key} AS page_key, ${INCIDENT_ROLLUP_COLUMNS} FROM incidents WHERE batch_id = ? AND ${key} > ? ORDER BY ${key} LIMIT ${READ_BACK_PAGE}`,
      [batchId, after],
    );
    for (const row of rows) each(row);
    if (rows.length < READ_BACK_PAGE) return;
    after = (rows[rows.length - 1] as Record<string, unknown>).page_key;
  }
}

function negated(r: DayRollup): DayRollup {
  const minus = (xs: readonly number[]) => xs.map((x) => -x);
  return {
    ...r,
    incidents: -r.incidents,
    categories: minus(r.categories),
    negative: minus(r.negative),
    sumMs: minus(r.sumMs),
    bins: minus(r.bins),
  };
}

function isZero(r: DayRollup): boolean {
  const zero = (xs: readonly number[]) => xs.every((x) => x === 0);
  return r.incidents === 0 && zero(r.categories) && zero(r.negative) && zero(r.sumMs) && zero(r.bins);
}

/**
 * Rebuilds the rollups from every stored incident, in the caller's transaction (the migration's,
 * or `recur indicators rebuild`'s). On PostgreSQL the rollup tables are locked first, so a batch
 * committing meanwhile adds its rows after the rebuild instead of being counted twice.
 * @example
 * await store.db.transaction().execute((trx) => rebuildIndicatorRollups(trx));
 */
export async function rebuildIndicatorRollups(
  db: Kysely<unknown>,
): Promise<{ incidents: number; rows: number }> {
  const tx = kyselyTx(db);
  if (tx.postgres) await tx.run(`LOCK TABLE ${TABLE} IN EXCLUSIVE MODE`, []);
  await tx.run(`DELETE FROM ${TABLE}`, []);
  const [bounds] = await tx.all("SELECT MIN(received_at) AS lo, MAX(received_at) AS hi FROM incidents", []);
  if (!bounds || bounds.lo === null || bounds.lo === undefined) return { incidents: 0, rows: 0 };
  // A week at a time over the received_at index, and written a week at a time: memory stays
  // bounded whatever the store's size. A local day that straddles two weeks (received_at is UTC)
  // is written twice, and the upsert adds the second part to the first.
  let incidents = 0;
  for (let from = num(bounds.lo); from <= num(bounds.hi); from += 7 * DAY) {
    const rows = await tx.all(
      `SELECT ${INCIDENT_ROLLUP_COLUMNS} FROM incidents WHERE received_at >= ? AND received_at < ?`,
      [from, from + 7 * DAY],
    );
    const acc = new RollupAccumulator();
    for (const r of rows) acc.add(rowToRollupIncident(r));
    incidents += acc.size;
    await upsertAccumulated(tx, acc);
  }
  const [count] = await tx.all(`SELECT COUNT(*) AS n FROM ${TABLE}`, []);
  return { incidents, rows: num(count?.n) };
}

/** Local days [from, to) of a period index. */
export function periodDays(index: number, period: IndicatorPeriod): { from: number; to: number } {
  if (period === "month") {
    const y = Math.floor(index / 12);
    const m = index % 12;
    return { from: Date.UTC(y, m, 1) / DAY, to: Date.UTC(y, m + 1, 1) / DAY };
  }
  const monday = index * 7 - 3;
  return { from: monday, to: monday + 7 };
}

/**
 * The rollup rows a report of `label` reads: counts of the period, the one before and the same
 * period a year earlier, response histograms of the period, at one level (and unit).
 * @example
 * const rollups = await loadRollups(store, "2024-05", "month", "station");
 */
export async function loadRollups(
  store: Store,
  label: string,
  period: IndicatorPeriod,
  level: UnitLevel = "station",
  unit?: string,
): Promise<DailyRollups> {
  const tx = kyselyTx(store.db as unknown as Kysely<unknown>);
  const current = periodLabelIndex(label, period);
  const ranges = [current, current - 1, current - (period === "month" ? 12 : 52)].map((i) =>
    periodDays(i, period),
  );
  const unitWhere = unit === undefined ? "" : " AND unit = ?";
  const unitParam = unit === undefined ? [] : [unit];
  const out: DayRollup[] = [];
  for (const [k, r] of ranges.entries()) {
    // The earlier periods need only the counts; the current one also the histograms.
    const columns = k === 0 ? VALUE_COLUMNS : COUNT_COLUMNS;
    const rows = await tx.all(
      `SELECT unit, station, day, ${columns.join(", ")} FROM ${TABLE} WHERE level = ? AND day >= ? AND day < ?${unitWhere}`,
      [level, r.from, r.to, ...unitParam],
    );
    for (const row of rows) out.push(toDayRollup(row, level));
  }
  return out;
}

/** Incidents of one unit ("" = none), category and local day (for trends). */
export interface DayCount {
  readonly unit: string;
  readonly category: string;
  readonly day: number;
  readonly n: number;
}

/** Counts per unit, category and local day over [fromDay, toDay) from the rollups (trends). */
export async function loadRollupCounts(
  store: Store,
  fromDay: number,
  toDay: number,
  level: UnitLevel = "station",
): Promise<DayCount[]> {
  const rows = await kyselyTx(store.db as unknown as Kysely<unknown>).all(
    `SELECT unit, day, ${CATEGORIES.map((c) => `SUM(c_${c}) AS c_${c}`).join(", ")} FROM ${TABLE} WHERE level = ? AND day >= ? AND day < ? GROUP BY unit, day`,
    [level, fromDay, toDay],
  );
  const out: DayCount[] = [];
  for (const r of rows)
    for (const c of CATEGORIES) {
      const n = num(r[`c_${c}`]);
      if (n > 0) out.push({ unit: String(r.unit), category: c, day: num(r.day), n });
    }
  return out;
}

/**
 * Stations registered as suburban (units.setting, settable by admins; unset = urban), whose
 * incidents are held to the 10-minute arrival norm.
 */
export async function suburbanStations(store: Store): Promise<Set<string>> {
  try {
    const rows = await kyselyTx(store.db as unknown as Kysely<unknown>).all(
      "SELECT code FROM units WHERE setting = ?",
      ["suburban"],
    );
    return new Set(rows.map((r) => String(r.code)));
  } catch {
    // A store from before the unit setting existed: every station is urban.
    return new Set();
  }
}

/** The local day of an incident row `i`, in SQL (integer division, as Math.floor for recur's times). */
const LOCAL_DAY = "(i.received_at + i.utc_offset_min * 60000) / 86400000";
const PATH = `i.city_unit AS city, i.branch_unit AS branch, i.station_unit AS station, i.area_unit AS area, ${LOCAL_DAY} AS day`;

/**
 * Where the daily quality and repeat totals come from: a cheap generation that changes when the
 * source table does (a new `recur quality` run stamps its scores with a later computed_at, which
 * is indexed; `recur detect` replaces every series), and one grouped pass over the source.
 */
/** Coarse bounds on received_at (index, a day of margin for any offset), then the local day. */
const PERIOD_WHERE =
  "i.received_at >= ? AND i.received_at < ? AND i.received_at + i.utc_offset_min * 60000 >= ? AND i.received_at + i.utc_offset_min * 60000 < ?";

const UNIT_COLUMN = {
  city: "city_unit",
  branch: "branch_unit",
  station: "station_unit",
  area: "area_unit",
} as const satisfies Record<UnitLevel, string>;

const EXTRA_SOURCES = {
  quality: {
    /** The same totals for one period and level straight from the source (fallback). */
    period: (unit: string) =>
      `SELECT COALESCE(i.${unit}, '') AS unit, SUM(q.score) AS total, COUNT(*) AS n FROM incidents i JOIN quality_results q ON q.incident_id = i.id WHERE ${PERIOD_WHERE} GROUP BY i.${unit}`,
    generation: "SELECT MAX(computed_at) AS g, NULL AS n FROM quality_results",
    rows: `SELECT ${PATH}, SUM(q.score) AS total, COUNT(*) AS n FROM quality_results q JOIN incidents i ON i.id = q.incident_id GROUP BY 1, 2, 3, 4, 5`,
  },
  repeat: {
    period: (unit: string) =>
      `SELECT COALESCE(i.${unit}, '') AS unit, COUNT(*) AS total, COUNT(*) AS n FROM incidents i WHERE ${PERIOD_WHERE} AND EXISTS (SELECT 1 FROM repeat_series_calls c WHERE c.source_id = i.source_id) GROUP BY i.${unit}`,
    generation: "SELECT MAX(computed_at) AS g, COUNT(*) AS n FROM repeat_series",
    rows: `SELECT ${PATH}, COUNT(*) AS total, COUNT(*) AS n FROM incidents i WHERE EXISTS (SELECT 1 FROM repeat_series_calls c WHERE c.source_id = i.source_id) GROUP BY 1, 2, 3, 4, 5`,
  },
} as const;

/**
 * Brings the daily totals of `kind` up to date with their source (remade when its generation
 * changed, e.g. after `recur quality` or `recur detect`); false when the source is empty.
 * The first report after such a run pays one grouped pass over the source; later ones read
 * indicator_extra_days only.
 */
export async function refreshExtraDays(
  store: Store,
  kind: keyof typeof EXTRA_SOURCES,
  force = false,
): Promise<boolean> {
  const source = EXTRA_SOURCES[kind];
  const key = `indicators.extra_days.${kind}`;
  const generationOf = async (tx: TxSql) => {
    const [row] = await tx.all(source.generation, []);
    return row?.g === null || row?.g === undefined ? null : `${num(row.g)}:${row.n ?? ""}`;
  };
  const storedOf = async (tx: TxSql) =>
    text((await tx.all("SELECT value FROM settings WHERE key = ?", [key]))[0]?.value);
  const outside = kyselyTx(store.db as unknown as Kysely<unknown>);
  const generation = await generationOf(outside);
  if (generation === null) return false;
  if (!force && (await storedOf(outside)) === generation) return true;
  await store.db.transaction().execute(async (trx) => {
    const tx = kyselyTx(trx as unknown as Kysely<unknown>);
    // One refresh at a time; another reader may have done it meanwhile.
    if (tx.postgres) await tx.run("LOCK TABLE indicator_extra_days IN EXCLUSIVE MODE", []);
    const current = await generationOf(tx);
    if (!force && (await storedOf(tx)) === current) return;
    await tx.run("DELETE FROM indicator_extra_days WHERE kind = ?", [kind]);
    const totals = new Map<
      string,
      { level: UnitLevel; unit: string; day: number; total: number; n: number }
    >();
    for (const r of await tx.all(source.rows, [])) {
      const day = num(r.day);
      for (const level of ROLLUP_LEVELS) {
        const unit = text(r[level === "city" ? "city" : level]) ?? "";
        const k = `${level}\u0001${unit}\u0001${day}`;
        const t = totals.get(k) ?? { level, unit, day, total: 0, n: 0 };
        t.total += num(r.total);
        t.n += num(r.n);
        totals.set(k, t);
      }
    }
    const list = [...totals.values()];
    for (let start = 0; start < list.length; start += 500) {
      const part = list.slice(start, start + 500);
      await tx.run(
        `INSERT INTO indicator_extra_days (kind, level, unit, day, total, n) VALUES ${part.map(() => "(?, ?, ?, ?, ?, ?)").join(",")}`,
        part.flatMap((t) => [kind, t.level, t.unit, t.day, t.total, t.n]),
      );
    }
    await tx.run(
      "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      [key, current ?? ""],
    );
  });
  return true;
}

/** States of a case that count as resolved (化解): resolved, under verification, closed. */
const RESOLVED_STATES = new Set(["resolved", "verifying", "closed_effective", "closed_ineffective"]);

/**
 * Repeat, quality and case figures of a period:
 * - repeats: current-period incidents whose source id is in a stored repeat series (`recur
 *   detect`), from their daily totals (refreshExtraDays); absent when no series are stored;
 * - quality: sum and count of stored data-quality scores (`recur quality`) of those incidents,
 *   from their daily totals; absent when none are stored;
 * - cases: created before the end of the period, by state at the time the report runs, per
 *   station or branch (cases carry those two units) and in all.
 */
export async function loadIndicatorExtras(
  store: Store,
  label: string,
  period: IndicatorPeriod,
  level: UnitLevel = "station",
): Promise<IndicatorExtras> {
  const tx = kyselyTx(store.db as unknown as Kysely<unknown>);
  const days = periodDays(periodLabelIndex(label, period), period);
  const localTo = days.to * DAY;
  const extras: { -readonly [K in keyof IndicatorExtras]: IndicatorExtras[K] } = {};

  for (const kind of ["repeat", "quality"] as const) {
    let fresh: boolean | "unavailable";
    try {
      fresh = await refreshExtraDays(store, kind);
    } catch {
      // The daily totals could not be remade now (e.g. an import holds SQLite's write lock):
      // group the period's incidents directly instead; the report must not wait for the import.
      fresh = "unavailable";
    }
    if (fresh === false) continue;
    const rows =
      fresh === true
        ? await tx.all(
            "SELECT unit, SUM(total) AS total, SUM(n) AS n FROM indicator_extra_days WHERE kind = ? AND level = ? AND day >= ? AND day < ? GROUP BY unit",
            [kind, level, days.from, days.to],
          )
        : await tx.all(EXTRA_SOURCES[kind].period(UNIT_COLUMN[level]), [
            days.from * DAY - DAY,
            days.to * DAY + DAY,
            days.from * DAY,
            days.to * DAY,
          ]);
    if (kind === "repeat") extras.repeats = new Map(rows.map((r) => [String(r.unit), num(r.n)]));
    else extras.quality = new Map(rows.map((r) => [String(r.unit), { sum: num(r.total), n: num(r.n) }]));
  }

  const caseUnit = level === "station" ? "station_unit" : level === "branch" ? "branch_unit" : null;
  const caseRows = await tx.all(
    `SELECT ${caseUnit ?? "NULL"} AS unit, state, COUNT(*) AS n FROM cases WHERE created_at < ? GROUP BY 1, 2`,
    [localTo],
  );
  const tally = () => ({ cases: 0, resolved: 0, closedEffective: 0, closedIneffective: 0 });
  const all = tally();
  const perUnit = new Map<string, ReturnType<typeof tally>>();
  for (const r of caseRows) {
    const state = String(r.state);
    if (state === "draft" || state === "cancelled") continue;
    const n = num(r.n);
    const key = text(r.unit) ?? "";
    let t = perUnit.get(key);
    if (!t) {
      t = tally();
      perUnit.set(key, t);
    }
    for (const target of [t, all]) {
      target.cases += n;
      if (RESOLVED_STATES.has(state)) target.resolved += n;
      if (state === "closed_effective") target.closedEffective += n;
      if (state === "closed_ineffective") target.closedIneffective += n;
    }
  }
  extras.cases = { byUnit: caseUnit ? (perUnit as Map<string, CaseTally>) : null, all };
  return extras;
}

/** The whole rollup table, in key order (tests, checks). */
export async function readAllRollups(store: Store): Promise<DailyRollups> {
  const rows = await kyselyTx(store.db as unknown as Kysely<unknown>).all(`SELECT * FROM ${TABLE}`, []);
  return new RollupAccumulator().merge(rows.map((r) => toDayRollup(r, String(r.level) as UnitLevel))).rows();
}

/**
 * Monthly or weekly indicators of the store from its rollups and the grouped repeat, quality and
 * case queries: what `recur report`, `recur indicators` and the dashboard show.
 * @example
 * const report = await storeIndicators(store, { period: "month", label: "2024-05", level: "station" });
 */
export async function storeIndicators(
  store: Store,
  options: Omit<IndicatorOptions, "extras" | "suburbanStations"> & { readonly level?: UnitLevel },
  /** Repeat counts per unit computed by the caller (e.g. the repeat engine run now), instead of the stored series. */
  repeats?: ReadonlyMap<string, number>,
): Promise<IndicatorReport> {
  const level = options.level ?? "station";
  const [rollups, stored, suburban] = await Promise.all([
    loadRollups(store, options.label, options.period, level, options.unit),
    loadIndicatorExtras(store, options.label, options.period, level),
    suburbanStations(store),
  ]);
  const extras = repeats ? { ...stored, repeats } : stored;
  return periodIndicatorsFromRollups(rollups, { ...options, level, extras, suburbanStations: suburban });
}
