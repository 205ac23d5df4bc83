import type { Generated, Kysely } from "kysely";
import type { QualityIssue } from "../quality/codes.ts";
import {
  applyReviewEvent,
  type ReviewCandidate,
  type ReviewEvent,
  type ReviewItem,
  type ReviewLevel,
  type ReviewStatus,
  replayReview,
} from "../quality/review.ts";
import {
  addToBucket,
  bucketKey,
  emptyBucket,
  localDayOf,
  type ScorecardBucket,
  type ScoredIncident,
  type VerdictRecord,
} from "../quality/score.ts";
import type { TxSql } from "./indicator-rollups.ts";
import type { Store } from "./types.ts";

/** Tables of migration 0004_quality_review. */
type QualityTables = {
  /** Read only here: the columns the centres, scorecards and review queues need. */
  incidents: {
    id: string;
    received_at: number;
    utc_offset_min: number;
    category: string;
    city_unit: string | null;
    branch_unit: string | null;
    station_unit: string | null;
    area_unit: string | null;
    lon: number | null;
    lat: number | null;
  };
  quality_results: {
    incident_id: string;
    score: number;
    errors: number;
    warnings: number;
    issues: string;
    computed_at: number;
  };
  review_items: {
    id: string;
    incident_id: string;
    level: string;
    reviewer: string;
    station: string;
    status: string;
    round: number;
    created_at: number;
    updated_at: number;
    sample: string | null;
  };
  /** Migration 0018: materialised scorecard sums per unit cell and local day. */
  quality_buckets: {
    day: number;
    city_unit: string;
    branch_unit: string;
    station_unit: string;
    area_unit: string;
    incidents: number;
    score_tenths: number;
    clean_completeness: number;
    clean_timeliness: number;
    clean_consistency: number;
    clean_labels: number;
    errors: number;
    warnings: number;
    reviewed: number;
    passed: number;
    codes: string;
    min_at: number;
    max_at: number;
  };
  review_events: {
    id: Generated<number>;
    item_id: string;
    kind: string;
    at: number;
    actor: string;
    reason: string | null;
    note: string | null;
  };
};

export interface QualityResult {
  readonly incidentId: string;
  readonly score: number;
  readonly issues: readonly QualityIssue[];
}

/** Incidents of one unit subtree (a user's jurisdiction below the city). */
export interface UnitFilter {
  readonly level: "branch" | "station" | "area";
  readonly code: string;
}

export interface ReviewFilter {
  readonly level?: ReviewLevel;
  readonly status?: ReviewStatus;
  readonly station?: string;
  readonly reviewer?: string;
  readonly incidentId?: string;
  /** Only items whose incident lies in this unit. */
  readonly unit?: UnitFilter;
  readonly limit?: number;
  readonly offset?: number;
}

/** Which stored results a scorecard or queue reads: a unit subtree and a receivedAt range. */
export interface ResultFilter {
  readonly unit?: UnitFilter;
  /** receivedAt >= from. */
  readonly from?: number;
  /** receivedAt < to. */
  readonly to?: number;
}

const UNIT_COLUMN = { branch: "branch_unit", station: "station_unit", area: "area_unit" } as const;

/** Stored quality results and the review workflow, on SQLite and PostgreSQL alike. */
export interface QualityRepository {
  /** Replaces the stored results of these incidents. */
  saveResults(results: readonly QualityResult[], computedAt: number): Promise<void>;
  getResult(incidentId: string): Promise<QualityResult | undefined>;
  /** Rule errors per incident from the stored results (for review queues). */
  errorCounts(): Promise<Map<string, number>>;
  /** Adds review items; an incident already open (not passed) at the same level is skipped. Returns how many were added. */
  openReviews(items: readonly ReviewItem[], sample?: string): Promise<number>;
  getReview(id: string): Promise<ReviewItem | undefined>;
  /** Applies an event through the state machine (throws IllegalTransitionError) and stores it. */
  appendEvent(id: string, event: ReviewEvent): Promise<ReviewItem | undefined>;
  listReviews(filter?: ReviewFilter): Promise<ReviewItem[]>;
  /** Every verdict given, for review pass rates. */
  verdicts(): Promise<VerdictRecord[]>;
  /** Incidents with stored results, in pages (receivedAt, id order), for scorecards. */
  scored(filter?: ResultFilter, pageSize?: number): AsyncIterable<readonly ScoredIncident[]>;
  /** Review candidates (every incident of the filter, with its stored rule errors or 0). */
  candidates(filter: ResultFilter): Promise<ReviewCandidate[]>;
  /** The latest receivedAt among incidents with stored results in the filter, or null. */
  latestScored(filter?: ResultFilter): Promise<number | null>;
  /** Changes whenever a review event is added (for caches of scorecards with pass rates). */
  reviewVersion(): Promise<string>;
  /**
   * The materialised scorecard buckets (migration 0018) of the unit subtree whose incidents may
   * fall in [from, to), each with the receivedAt bounds of its incidents: a bucket inside the
   * range counts whole, the others (at most the days at the range's ends) are read incident by
   * incident (`scored`).
   */
  scorecardBuckets(
    filter?: ResultFilter,
  ): Promise<(ScorecardBucket & { readonly minAt: number; readonly maxAt: number })[]>;
  /** The latest `computed_at` of the stored results (null before any `recur quality` run). */
  lastComputed(): Promise<number | null>;
  /**
   * Station and coordinates of every located incident, in pages (a narrow first pass for the
   * station centres of the streaming quality check, without reading whole incidents).
   */
  stationPoints(pageSize?: number): AsyncIterable<
    readonly {
      readonly stationUnit: string | null;
      readonly lon: number | null;
      readonly lat: number | null;
    }[]
  >;
}

type Db = Kysely<QualityTables>;

function eventRow(itemId: string, e: ReviewEvent) {
  return {
    item_id: itemId,
    kind: e.kind,
    at: e.at,
    actor: e.by,
    reason: e.kind === "rework" ? e.reason : null,
    note: (e.kind === "pass" || e.kind === "resubmitted") && e.note !== undefined ? e.note : null,
  };
}

function rowEvent(
  r: Pick<QualityTables["review_events"], "kind" | "at" | "actor" | "reason" | "note">,
): ReviewEvent {
  const note = r.note === null ? {} : { note: r.note };
  switch (r.kind) {
    case "rework":
      return { kind: "rework", at: r.at, by: r.actor, reason: r.reason ?? "" };
    case "pass":
      return { kind: "pass", at: r.at, by: r.actor, ...note };
    case "resubmitted":
      return { kind: "resubmitted", at: r.at, by: r.actor, ...note };
    default:
      return { kind: "queued", at: r.at, by: r.actor };
  }
}

async function loadItems(db: Db, rows: QualityTables["review_items"][]): Promise<ReviewItem[]> {
  if (rows.length === 0) return [];
  const events = await db
    .selectFrom("review_events")
    .select(["item_id", "kind", "at", "actor", "reason", "note"])
    .where(
      "item_id",
      "in",
      rows.map((r) => r.id),
    )
    .orderBy("id")
    .execute();
  const byItem = new Map<string, ReviewEvent[]>();
  for (const e of events) {
    const list = byItem.get(e.item_id);
    if (list) list.push(rowEvent(e));
    else byItem.set(e.item_id, [rowEvent(e)]);
  }
  return rows.map((r) =>
    replayReview(
      {
        id: r.id,
        incidentId: r.incident_id,
        level: r.level as ReviewLevel,
        reviewer: r.reviewer,
        station: r.station,
      },
      byItem.get(r.id) ?? [],
    ),
  );
}

type BucketRow = QualityTables["quality_buckets"];

function bucketOfRow(r: BucketRow): ScorecardBucket & { minAt: number; maxAt: number } {
  return {
    cityUnit: r.city_unit,
    branchUnit: r.branch_unit,
    stationUnit: r.station_unit,
    areaUnit: r.area_unit,
    day: Number(r.day),
    incidents: Number(r.incidents),
    scoreTenths: Number(r.score_tenths),
    clean: {
      completeness: Number(r.clean_completeness),
      timeliness: Number(r.clean_timeliness),
      consistency: Number(r.clean_consistency),
      labels: Number(r.clean_labels),
    },
    errors: Number(r.errors),
    warnings: Number(r.warnings),
    reviewed: Number(r.reviewed),
    passed: Number(r.passed),
    codes: JSON.parse(r.codes) as Record<string, number>,
    minAt: Number(r.min_at),
    maxAt: Number(r.max_at),
  };
}

function rowOfBucket(b: ScorecardBucket, minAt: number, maxAt: number): BucketRow {
  return {
    day: b.day,
    city_unit: b.cityUnit,
    branch_unit: b.branchUnit,
    station_unit: b.stationUnit,
    area_unit: b.areaUnit,
    incidents: b.incidents,
    score_tenths: b.scoreTenths,
    clean_completeness: b.clean.completeness,
    clean_timeliness: b.clean.timeliness,
    clean_consistency: b.clean.consistency,
    clean_labels: b.clean.labels,
    errors: b.errors,
    warnings: b.warnings,
    reviewed: b.reviewed,
    passed: b.passed,
    codes: JSON.stringify(b.codes),
    min_at: minAt,
    max_at: maxAt,
  };
}

interface BucketIncident {
  readonly id: string;
  readonly received_at: number;
  readonly utc_offset_min: number;
  readonly city_unit: string | null;
  readonly branch_unit: string | null;
  readonly station_unit: string | null;
  readonly area_unit: string | null;
}

const cellOf = (r: BucketIncident) => ({
  cityUnit: r.city_unit ?? "",
  branchUnit: r.branch_unit ?? "",
  stationUnit: r.station_unit ?? "",
  areaUnit: r.area_unit ?? "",
  day: localDayOf(Number(r.received_at), Number(r.utc_offset_min)),
});

/** Verdicts per incident of these incidents (pass/rework events, in order). */
async function verdictsOf(db: Db, ids: readonly string[]): Promise<Map<string, ("pass" | "rework")[]>> {
  const out = new Map<string, ("pass" | "rework")[]>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom("review_events")
      .innerJoin("review_items", "review_items.id", "review_events.item_id")
      .select(["review_items.incident_id as incident_id", "review_events.kind as kind"])
      .where("review_events.kind", "in", ["pass", "rework"])
      .where("review_items.incident_id", "in", ids.slice(i, i + 500))
      .orderBy("review_events.id")
      .execute();
    for (const r of rows) {
      const v = r.kind === "pass" ? "pass" : "rework";
      const list = out.get(r.incident_id);
      if (list) list.push(v);
      else out.set(r.incident_id, [v]);
    }
  }
  return out;
}

/**
 * Applies changes to the stored buckets: `change(bucket)` per touched cell and day, read,
 * changed and written back (in the caller's transaction).
 */
async function updateBuckets(
  db: Db,
  touched: ReadonlyMap<
    string,
    {
      cell: ReturnType<typeof cellOf>;
      at: readonly number[];
      change: (b: ScorecardBucket) => ScorecardBucket;
    }
  >,
): Promise<void> {
  if (touched.size === 0) return;
  const days = [...new Set([...touched.values()].map((t) => t.cell.day))];
  const stations = [...new Set([...touched.values()].map((t) => t.cell.stationUnit))];
  const existing = new Map<string, ReturnType<typeof bucketOfRow>>();
  for (let i = 0; i < days.length; i += 500) {
    const rows = await db
      .selectFrom("quality_buckets")
      .selectAll()
      .where("day", "in", days.slice(i, i + 500))
      .where("station_unit", "in", stations)
      .execute();
    for (const r of rows) {
      const b = bucketOfRow(r);
      existing.set(bucketKey(b), b);
    }
  }
  const rows: BucketRow[] = [];
  for (const [key, t] of touched) {
    const old = existing.get(key);
    const next = t.change(old ?? emptyBucket(t.cell));
    const minAt = Math.min(old?.minAt ?? Number.POSITIVE_INFINITY, ...t.at);
    const maxAt = Math.max(old?.maxAt ?? Number.NEGATIVE_INFINITY, ...t.at);
    rows.push(rowOfBucket(next, minAt, maxAt));
  }
  for (let i = 0; i < rows.length; i += 200) {
    await db
      .insertInto("quality_buckets")
      .values(rows.slice(i, i + 200))
      .onConflict((oc) =>
        oc.columns(["day", "city_unit", "branch_unit", "station_unit", "area_unit"]).doUpdateSet((eb) => ({
          incidents: eb.ref("excluded.incidents"),
          score_tenths: eb.ref("excluded.score_tenths"),
          clean_completeness: eb.ref("excluded.clean_completeness"),
          clean_timeliness: eb.ref("excluded.clean_timeliness"),
          clean_consistency: eb.ref("excluded.clean_consistency"),
          clean_labels: eb.ref("excluded.clean_labels"),
          errors: eb.ref("excluded.errors"),
          warnings: eb.ref("excluded.warnings"),
          reviewed: eb.ref("excluded.reviewed"),
          passed: eb.ref("excluded.passed"),
          codes: eb.ref("excluded.codes"),
          min_at: eb.ref("excluded.min_at"),
          max_at: eb.ref("excluded.max_at"),
        })),
      )
      .execute();
  }
}

/** The incident columns a scorecard bucket is keyed on (its units and local day). */
const BUCKET_INCIDENT_COLUMNS = [
  "incidents.id as id",
  "incidents.received_at as received_at",
  "incidents.utc_offset_min as utc_offset_min",
  "incidents.city_unit as city_unit",
  "incidents.branch_unit as branch_unit",
  "incidents.station_unit as station_unit",
  "incidents.area_unit as area_unit",
] as const;

/** Adds the verdicts of one review item's new events to its incident's bucket (when the incident has results). */
async function addVerdictsToBucket(db: Db, incidentId: string, verdicts: readonly ("pass" | "rework")[]) {
  if (verdicts.length === 0) return;
  const row = await db
    .selectFrom("incidents")
    .innerJoin("quality_results", "quality_results.incident_id", "incidents.id")
    .select(BUCKET_INCIDENT_COLUMNS)
    .where("incidents.id", "=", incidentId)
    .executeTakeFirst();
  if (!row) return;
  const cell = cellOf(row);
  await updateBuckets(
    db,
    new Map([
      [
        bucketKey(cell),
        {
          cell,
          at: [Number(row.received_at)],
          change: (b: ScorecardBucket) => addToBucket(b, null, verdicts, 1),
        },
      ],
    ]),
  );
}

const verdictOf = (e: ReviewEvent): ("pass" | "rework")[] =>
  e.kind === "pass" ? ["pass"] : e.kind === "rework" ? ["rework"] : [];

/**
 * Remakes every materialised scorecard bucket from the stored results and verdicts (migration
 * 0018 on a store that already holds results; the same sums the writes keep up to date).
 */
export async function rebuildScorecardBuckets(database: Kysely<unknown>): Promise<void> {
  const db = database as unknown as Db;
  await db.deleteFrom("quality_buckets").execute();
  const verdicts = new Map<string, ("pass" | "rework")[]>();
  const all = await db
    .selectFrom("review_events")
    .innerJoin("review_items", "review_items.id", "review_events.item_id")
    .select(["review_items.incident_id as incident_id", "review_events.kind as kind"])
    .where("review_events.kind", "in", ["pass", "rework"])
    .orderBy("review_events.id")
    .execute();
  for (const r of all) {
    const list = verdicts.get(r.incident_id) ?? [];
    list.push(r.kind === "pass" ? "pass" : "rework");
    verdicts.set(r.incident_id, list);
  }
  const buckets = new Map<string, { bucket: ScorecardBucket; minAt: number; maxAt: number }>();
  let after: string | undefined;
  for (;;) {
    let q = db
      .selectFrom("incidents")
      .innerJoin("quality_results", "quality_results.incident_id", "incidents.id")
      .select([
        "incidents.id as id",
        "incidents.received_at as received_at",
        "incidents.utc_offset_min as utc_offset_min",
        "incidents.city_unit as city_unit",
        "incidents.branch_unit as branch_unit",
        "incidents.station_unit as station_unit",
        "incidents.area_unit as area_unit",
        "quality_results.issues as issues",
      ])
      .orderBy("incidents.id")
      .limit(20_000);
    if (after !== undefined) q = q.where("incidents.id", ">", after);
    const rows = await q.execute();
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.id;
    for (const r of rows) {
      const cell = cellOf(r);
      const key = bucketKey(cell);
      const at = Number(r.received_at);
      const entry = buckets.get(key) ?? { bucket: emptyBucket(cell), minAt: at, maxAt: at };
      entry.bucket = addToBucket(
        entry.bucket,
        JSON.parse(r.issues) as QualityIssue[],
        verdicts.get(r.id) ?? [],
        1,
      );
      entry.minAt = Math.min(entry.minAt, at);
      entry.maxAt = Math.max(entry.maxAt, at);
      buckets.set(key, entry);
    }
    if (rows.length < 20_000) break;
  }
  const rows = [...buckets.values()].map((e) => rowOfBucket(e.bucket, e.minAt, e.maxAt));
  for (let i = 0; i < rows.length; i += 200)
    await db
      .insertInto("quality_buckets")
      .values(rows.slice(i, i + 200))
      .execute();
}

/** An incident as stored before a later export updated it: the cell its stored result was counted in. */
export type RevisedIncident = BucketIncident;

/**
 * Drops the stored quality results of incidents a later export just updated, in the batch's
 * transaction: a result scored the old values, so it goes, with its contribution (issues and
 * verdicts) to the scorecard bucket of the incident's old cell and day, and the next `recur
 * quality` run scores the incident afresh. A bucket left without an incident goes; the others
 * get the receivedAt bounds of the incidents they still hold, so the table stays what
 * `rebuildScorecardBuckets` would make. Returns how many results went.
 */
export async function dropRevisedResults(tx: TxSql, before: readonly RevisedIncident[]): Promise<number> {
  const byId = new Map(before.map((r) => [r.id, r]));
  const ids = [...byId.keys()];
  const results = new Map<string, QualityIssue[]>();
  const verdicts = new Map<string, ("pass" | "rework")[]>();
  for (let i = 0; i < ids.length; i += 500) {
    const part = ids.slice(i, i + 500);
    const list = part.map(() => "?").join(",");
    for (const r of await tx.all(
      `SELECT incident_id, issues FROM quality_results WHERE incident_id IN (${list})`,
      part,
    ))
      results.set(String(r.incident_id), JSON.parse(String(r.issues)) as QualityIssue[]);
    for (const r of await tx.all(
      `SELECT ri.incident_id AS incident_id, e.kind AS kind FROM review_events e JOIN review_items ri ON ri.id = e.item_id WHERE e.kind IN ('pass', 'rework') AND ri.incident_id IN (${list}) ORDER BY e.id`,
      part,
    )) {
      const v = r.kind === "pass" ? "pass" : "rework";
      const k = String(r.incident_id);
      const l = verdicts.get(k);
      if (l) l.push(v);
      else verdicts.set(k, [v]);
    }
  }
  if (results.size === 0) return 0;
  const dropped = [...results.keys()];
  for (let i = 0; i < dropped.length; i += 500) {
    const part = dropped.slice(i, i + 500);
    await tx.run(`DELETE FROM quality_results WHERE incident_id IN (${part.map(() => "?").join(",")})`, part);
  }
  const touched = new Map<
    string,
    { cell: ReturnType<typeof cellOf>; out: [QualityIssue[], ("pass" | "rework")[]][] }
  >();
  for (const [id, issues] of results) {
    const cell = cellOf(byId.get(id)!);
    const key = bucketKey(cell);
    const entry = touched.get(key) ?? { cell, out: [] };
    entry.out.push([issues, verdicts.get(id) ?? []]);
    touched.set(key, entry);
  }
  const CELL = "day = ? AND city_unit = ? AND branch_unit = ? AND station_unit = ? AND area_unit = ?";
  for (const { cell, out } of touched.values()) {
    const where = [cell.day, cell.cityUnit, cell.branchUnit, cell.stationUnit, cell.areaUnit];
    const [row] = await tx.all(`SELECT * FROM quality_buckets WHERE ${CELL}`, where);
    if (!row) continue;
    const stored = bucketOfRow(row as unknown as BucketRow);
    let bucket: ScorecardBucket = stored;
    for (const [issues, v] of out) bucket = addToBucket(bucket, issues, v, -1);
    if (bucket.incidents <= 0) {
      await tx.run(`DELETE FROM quality_buckets WHERE ${CELL}`, where);
      continue;
    }
    // The bounds of the scored incidents left in the cell (all within the old bounds).
    const [bounds] = await tx.all(
      "SELECT MIN(i.received_at) AS lo, MAX(i.received_at) AS hi FROM incidents i JOIN quality_results q ON q.incident_id = i.id WHERE i.received_at >= ? AND i.received_at <= ? AND (i.received_at + i.utc_offset_min * 60000) / 86400000 = ? AND COALESCE(i.city_unit, '') = ? AND COALESCE(i.branch_unit, '') = ? AND COALESCE(i.station_unit, '') = ? AND COALESCE(i.area_unit, '') = ?",
      [stored.minAt, stored.maxAt, ...where],
    );
    const next = rowOfBucket(bucket, Number(bounds?.lo ?? stored.minAt), Number(bounds?.hi ?? stored.maxAt));
    const { day: _d, city_unit: _c, branch_unit: _b, station_unit: _s, area_unit: _a, ...values } = next;
    const names = Object.keys(values);
    await tx.run(`UPDATE quality_buckets SET ${names.map((n) => `${n} = ?`).join(", ")} WHERE ${CELL}`, [
      ...Object.values(values),
      ...where,
    ]);
  }
  return dropped.length;
}

/**
 * @example
 * const repo = qualityRepository(store);
 * await repo.appendEvent("r1", { kind: "pass", at: clock.now(), by: "analyst" });
 */
export function qualityRepository(store: Store): QualityRepository {
  const db = store.db.withTables<QualityTables>() as unknown as Db;
  return {
    async saveResults(results, computedAt) {
      for (let i = 0; i < results.length; i += 500) {
        const chunk = results.slice(i, i + 500).map((r) => ({
          incident_id: r.incidentId,
          score: r.score,
          errors: r.issues.filter((x) => x.severity === "error").length,
          warnings: r.issues.filter((x) => x.severity === "warning").length,
          issues: JSON.stringify(r.issues),
          computed_at: computedAt,
        }));
        await db.transaction().execute(async (trx) => {
          // The scorecard buckets (migration 0018) lose each incident's old result and gain the
          // new one; an incident scored for the first time brings its verdicts along.
          const ids = chunk.map((r) => r.incident_id);
          const before = await trx
            .selectFrom("incidents")
            .leftJoin("quality_results", "quality_results.incident_id", "incidents.id")
            .select([...BUCKET_INCIDENT_COLUMNS, "quality_results.issues as issues"])
            .where("incidents.id", "in", ids)
            .execute();
          const verdicts = await verdictsOf(
            trx,
            before.filter((r) => r.issues === null).map((r) => r.id),
          );
          const next = new Map(results.slice(i, i + 500).map((r) => [r.incidentId, r.issues]));
          const touched = new Map<
            string,
            { cell: ReturnType<typeof cellOf>; at: number[]; change: (b: ScorecardBucket) => ScorecardBucket }
          >();
          for (const r of before) {
            const cell = cellOf(r);
            const key = bucketKey(cell);
            const entry = touched.get(key) ?? { cell, at: [], change: (b: ScorecardBucket) => b };
            const previous = entry.change;
            const old = r.issues === null ? null : (JSON.parse(r.issues) as QualityIssue[]);
            const issues = next.get(r.id) ?? [];
            const gained = verdicts.get(r.id) ?? [];
            entry.change = (b) => {
              let out = previous(b);
              if (old) out = addToBucket(out, old, [], -1);
              return addToBucket(out, issues, old ? [] : gained, 1);
            };
            entry.at.push(Number(r.received_at));
            touched.set(key, entry);
          }
          await updateBuckets(trx, touched);
          await trx
            .insertInto("quality_results")
            .values(chunk)
            .onConflict((oc) =>
              oc.column("incident_id").doUpdateSet((eb) => ({
                score: eb.ref("excluded.score"),
                errors: eb.ref("excluded.errors"),
                warnings: eb.ref("excluded.warnings"),
                issues: eb.ref("excluded.issues"),
                computed_at: eb.ref("excluded.computed_at"),
              })),
            )
            .execute();
        });
      }
    },
    async getResult(incidentId) {
      const row = await db
        .selectFrom("quality_results")
        .selectAll()
        .where("incident_id", "=", incidentId)
        .executeTakeFirst();
      return row
        ? { incidentId: row.incident_id, score: row.score, issues: JSON.parse(row.issues) as QualityIssue[] }
        : undefined;
    },
    async errorCounts() {
      const rows = await db.selectFrom("quality_results").select(["incident_id", "errors"]).execute();
      return new Map(rows.map((r) => [r.incident_id, r.errors]));
    },
    async openReviews(items, sample) {
      let added = 0;
      await db.transaction().execute(async (trx) => {
        for (const item of items) {
          const open = await trx
            .selectFrom("review_items")
            .select("id")
            .where("incident_id", "=", item.incidentId)
            .where("level", "=", item.level)
            .where("status", "!=", "passed")
            .executeTakeFirst();
          const exists = await trx
            .selectFrom("review_items")
            .select("id")
            .where("id", "=", item.id)
            .executeTakeFirst();
          if (open || exists) continue;
          const at = item.events[0]?.at ?? 0;
          await trx
            .insertInto("review_items")
            .values({
              id: item.id,
              incident_id: item.incidentId,
              level: item.level,
              reviewer: item.reviewer,
              station: item.station,
              status: item.status,
              round: item.round,
              created_at: at,
              updated_at: item.events.at(-1)?.at ?? at,
              sample: sample ?? null,
            })
            .execute();
          for (const e of item.events)
            await trx.insertInto("review_events").values(eventRow(item.id, e)).execute();
          await addVerdictsToBucket(trx, item.incidentId, item.events.flatMap(verdictOf));
          added++;
        }
      });
      return added;
    },
    async getReview(id) {
      const rows = await db.selectFrom("review_items").selectAll().where("id", "=", id).execute();
      return (await loadItems(db, rows))[0];
    },
    async appendEvent(id, event) {
      return db.transaction().execute(async (trx) => {
        const rows = await trx.selectFrom("review_items").selectAll().where("id", "=", id).execute();
        const [item] = await loadItems(trx, rows);
        if (!item) return undefined;
        const next = applyReviewEvent(item, event);
        await trx.insertInto("review_events").values(eventRow(id, event)).execute();
        await addVerdictsToBucket(trx, item.incidentId, verdictOf(event));
        await trx
          .updateTable("review_items")
          .set({ status: next.status, round: next.round, updated_at: event.at })
          .where("id", "=", id)
          .execute();
        return next;
      });
    },
    async listReviews(filter = {}) {
      let q = db.selectFrom("review_items").selectAll("review_items");
      if (filter.level) q = q.where("review_items.level", "=", filter.level);
      if (filter.status) q = q.where("review_items.status", "=", filter.status);
      if (filter.station) q = q.where("review_items.station", "=", filter.station);
      if (filter.reviewer) q = q.where("review_items.reviewer", "=", filter.reviewer);
      if (filter.incidentId) q = q.where("review_items.incident_id", "=", filter.incidentId);
      if (filter.unit) {
        const column = UNIT_COLUMN[filter.unit.level];
        const code = filter.unit.code;
        q = q.where("review_items.incident_id", "in", (eb) =>
          eb.selectFrom("incidents").select("incidents.id").where(`incidents.${column}`, "=", code),
        );
      }
      const rows = await q
        .orderBy("review_items.created_at")
        .orderBy("review_items.id")
        .limit(filter.limit ?? 1000)
        .offset(filter.offset ?? 0)
        .execute();
      return loadItems(db, rows);
    },
    async *scored(filter = {}, pageSize = 20_000) {
      let after: readonly [number, string] | undefined;
      for (;;) {
        let q = db
          .selectFrom("incidents")
          .innerJoin("quality_results", "quality_results.incident_id", "incidents.id")
          .select([
            "incidents.id as id",
            "incidents.received_at as received_at",
            "incidents.utc_offset_min as utc_offset_min",
            "incidents.category as category",
            "incidents.city_unit as city_unit",
            "incidents.branch_unit as branch_unit",
            "incidents.station_unit as station_unit",
            "incidents.area_unit as area_unit",
            "quality_results.issues as issues",
          ])
          .orderBy("incidents.received_at")
          .orderBy("incidents.id")
          .limit(pageSize);
        if (filter.unit) q = q.where(`incidents.${UNIT_COLUMN[filter.unit.level]}`, "=", filter.unit.code);
        if (filter.from !== undefined) q = q.where("incidents.received_at", ">=", filter.from);
        if (filter.to !== undefined) q = q.where("incidents.received_at", "<", filter.to);
        if (after) {
          const [at, id] = after;
          q = q.where(({ eb, refTuple, tuple }) =>
            eb(refTuple("incidents.received_at", "incidents.id"), ">", tuple(at, id)),
          );
        }
        const rows = await q.execute();
        if (rows.length === 0) return;
        const last = rows[rows.length - 1]!;
        after = [last.received_at, last.id];
        yield rows.map(
          (r) =>
            ({
              incident: {
                id: r.id,
                receivedAt: r.received_at,
                utcOffsetMin: r.utc_offset_min,
                category: r.category,
                cityUnit: r.city_unit,
                branchUnit: r.branch_unit,
                stationUnit: r.station_unit,
                // Beside the scorecard fields: the cell of the materialised bucket (migration 0018).
                areaUnit: r.area_unit,
              },
              issues: r.issues === "[]" ? [] : (JSON.parse(r.issues) as QualityIssue[]),
            }) as unknown as ScoredIncident,
        );
        if (rows.length < pageSize) return;
      }
    },
    async candidates(filter) {
      let q = db
        .selectFrom("incidents")
        .leftJoin("quality_results", "quality_results.incident_id", "incidents.id")
        .select([
          "incidents.id as id",
          "incidents.received_at as received_at",
          "incidents.utc_offset_min as utc_offset_min",
          "incidents.branch_unit as branch_unit",
          "incidents.station_unit as station_unit",
          "quality_results.errors as errors",
        ]);
      if (filter.unit) q = q.where(`incidents.${UNIT_COLUMN[filter.unit.level]}`, "=", filter.unit.code);
      if (filter.from !== undefined) q = q.where("incidents.received_at", ">=", filter.from);
      if (filter.to !== undefined) q = q.where("incidents.received_at", "<", filter.to);
      const rows = await q.execute();
      return rows.map((r) => ({
        incidentId: r.id,
        receivedAt: r.received_at,
        utcOffsetMin: r.utc_offset_min,
        stationUnit: r.station_unit,
        branchUnit: r.branch_unit,
        errors: r.errors ?? 0,
      }));
    },
    async latestScored(filter = {}) {
      let q = db
        .selectFrom("incidents")
        .innerJoin("quality_results", "quality_results.incident_id", "incidents.id")
        .select((eb) => eb.fn.max("incidents.received_at").as("at"));
      if (filter.unit) q = q.where(`incidents.${UNIT_COLUMN[filter.unit.level]}`, "=", filter.unit.code);
      const row = await q.executeTakeFirst();
      return row?.at === null || row?.at === undefined ? null : Number(row.at);
    },
    async reviewVersion() {
      const row = await db
        .selectFrom("review_events")
        .select((eb) => [eb.fn.countAll().as("n"), eb.fn.max("id").as("last")])
        .executeTakeFirst();
      return `${Number(row?.n ?? 0)}:${Number(row?.last ?? 0)}`;
    },
    async scorecardBuckets(filter = {}) {
      let q = db.selectFrom("quality_buckets").selectAll();
      if (filter.unit) q = q.where(UNIT_COLUMN[filter.unit.level], "=", filter.unit.code);
      // A local day lies within 14 hours of its UTC day: wide day bounds, then exact instants.
      if (filter.from !== undefined)
        q = q.where("day", ">=", Math.floor(filter.from / 86_400_000) - 1).where("max_at", ">=", filter.from);
      if (filter.to !== undefined)
        q = q.where("day", "<=", Math.floor(filter.to / 86_400_000) + 1).where("min_at", "<", filter.to);
      return (await q.execute()).map(bucketOfRow);
    },
    async lastComputed() {
      const row = await db
        .selectFrom("quality_results")
        .select((eb) => eb.fn.max("computed_at").as("at"))
        .executeTakeFirst();
      return row?.at === null || row?.at === undefined ? null : Number(row.at);
    },
    async verdicts() {
      const rows = await db
        .selectFrom("review_events")
        .innerJoin("review_items", "review_items.id", "review_events.item_id")
        .select(["review_items.incident_id as incident_id", "review_events.kind as kind"])
        .where("review_events.kind", "in", ["pass", "rework"])
        .orderBy("review_events.id")
        .execute();
      return rows.map((r) => ({ incidentId: r.incident_id, verdict: r.kind === "pass" ? "pass" : "rework" }));
    },
    async *stationPoints(pageSize = 50_000) {
      let after: string | undefined;
      for (;;) {
        let q = db
          .selectFrom("incidents")
          .select(["id", "station_unit", "lon", "lat"])
          .where("lon", "is not", null)
          .orderBy("id")
          .limit(pageSize);
        if (after !== undefined) q = q.where("id", ">", after);
        const rows = await q.execute();
        if (rows.length === 0) return;
        after = rows[rows.length - 1]!.id;
        yield rows.map((r) => ({ stationUnit: r.station_unit, lon: r.lon, lat: r.lat }));
        if (rows.length < pageSize) return;
      }
    },
  };
}
