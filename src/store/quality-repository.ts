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
import type { ScoredIncident, VerdictRecord } from "../quality/score.ts";
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
        await db
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
