import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import {
  CATEGORY_LABELS,
  type Incident,
  type IncidentId,
  isRecurError,
  type Lang,
  renderIssue,
  SUBTYPE_LABELS,
  type UnitLevel,
} from "../domain/index.ts";
import {
  branchQueue,
  bucketKey,
  citySample,
  cycleTimes,
  IllegalTransitionError,
  incidentScore,
  localDayOf,
  openReview,
  PERIODS,
  type Period,
  QUALITY_CODE_LABELS,
  QUALITY_MESSAGES,
  type QualityIssue,
  qualityConfig,
  qualityStream,
  REVIEW_LEVELS,
  REVIEW_STATUSES,
  type ReviewEvent,
  type ReviewItem,
  type ReviewLevel,
  reviewStats,
  ruleJudge,
  type Scorecard,
  type ScorecardBucket,
  STATUS_LABELS,
  scorecardAccumulator,
  stationCentreAccumulator,
  stationSelfCheck,
} from "../quality/index.ts";
import { refreshExtraDays } from "../store/indicator-rollups.ts";
import {
  type QualityRepository,
  qualityRepository,
  type ResultFilter,
  type UnitFilter,
} from "../store/quality-repository.ts";
import { registryRepository } from "../store/registry-repository.ts";
import type { Store } from "../store/types.ts";
import { ruleClassifier } from "../text/classify.ts";
import { inScope, type Principal, type Scope, scopeOf } from "./access.ts";
import { langOf, type Services, sendError } from "./routes.ts";

/**
 * The data-quality and review API (docs/quality.md, docs/server.md): scorecards per station,
 * branch and city with trends, an incident's issues, and the three-level review — the city's
 * seeded sample, the branch's full queue, the station's self-check, verdicts (pass, or rework
 * with a reason), resubmission after rework and cycle times. Permission and audit are declared
 * per route (`config`); the jurisdiction comes from `scopeOf(principal)` here, never from the
 * request. Verdicts are given at the user's own level: the city rules on city samples, a branch
 * on its queue, a station on its self-check; rework goes back to the station, which resubmits.
 */

const DAY = 86_400_000;
/** "2024-05-01" (the local day at UTC+8, as `recur review` reads it), ISO 8601 or epoch ms. */
const Instant = z.union([
  z.number().int(),
  z
    .string()
    .max(40)
    .refine((s) => instantOf(s) !== null, "a date (2024-05-01), an ISO 8601 time or epoch ms"),
]);

function instantOf(value: string | number): number | null {
  if (typeof value === "number") return value;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const [y, m, d] = value.split("-").map(Number) as [number, number, number];
    return Date.UTC(y, m - 1, d) - 8 * 3_600_000;
  }
  if (/^\d+$/.test(value)) return Number(value);
  const t = Date.parse(value);
  return Number.isFinite(t) ? t : null;
}

const ScorecardQuery = z.object({
  level: z.enum(["station", "branch", "city"]).default("station"),
  period: z.enum(PERIODS).default("week"),
  from: Instant.optional(),
  to: Instant.optional(),
  lang: z.string().optional(),
});
const ReviewListQuery = z.object({
  level: z.enum(REVIEW_LEVELS).optional(),
  status: z.enum(REVIEW_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
  lang: z.string().optional(),
});
const LangQuery = z.object({ lang: z.string().optional() });
const Range = { from: Instant, to: Instant };
const SampleBody = z
  .object({
    mode: z.enum(["random", "stratified"]),
    rate: z.number().gt(0).max(1).optional(),
    count: z.number().int().min(1).max(10_000).optional(),
    seed: z.number().int(),
    ...Range,
  })
  .refine((b) => (b.rate === undefined) !== (b.count === undefined), "give exactly one of rate or count");
const QueueBody = z.object({ branch: z.string().min(1).max(64).optional(), ...Range });
const SelfCheckBody = z.object({ station: z.string().min(1).max(64).optional(), ...Range });
const VerdictBody = z.discriminatedUnion("verdict", [
  z.object({ verdict: z.literal("pass"), note: z.string().trim().max(500).optional() }),
  z.object({ verdict: z.literal("rework"), reason: z.string().trim().min(2).max(500) }),
]);
const ResubmitBody = z.object({ note: z.string().trim().max(500).optional() });

/** At most a year per request: sampling and queues read every incident of the range. */
const MAX_RANGE = 366 * DAY;

/** The repository filter of a scope; null when the scope holds no incidents (agencies, none). */
function unitFilterOf(scope: Scope): UnitFilter | undefined | null {
  if (scope.kind === "all") return undefined;
  if (scope.kind === "unit") return { level: scope.level, code: scope.code };
  return null;
}

const LEVEL_RANK = { city: 0, branch: 1, station: 2, area: 3 } as const;

function issueView(issue: QualityIssue, lang: Lang) {
  return {
    code: issue.code,
    label: QUALITY_CODE_LABELS[issue.code][lang],
    severity: issue.severity,
    field: issue.field ?? null,
    value: issue.value ?? null,
    message: renderIssue(issue, QUALITY_MESSAGES, lang),
  };
}

/** What a reviewer sees of an incident: masked narrative and feedback, no caller link. */
function incidentView(incident: Incident, lang: Lang) {
  const subtype = incident.subtype
    ? SUBTYPE_LABELS[`${incident.category}.${incident.subtype}`]?.[lang]
    : null;
  return {
    categoryLabel: [
      CATEGORY_LABELS[incident.category]?.[lang] ?? incident.category,
      subtype ?? incident.subtype,
    ]
      .filter(Boolean)
      .join(" · "),
    id: incident.id,
    sourceId: incident.sourceId,
    receivedAt: incident.receivedAt,
    acceptedAt: incident.acceptedAt,
    dispatchedAt: incident.dispatchedAt,
    arrivedAt: incident.arrivedAt,
    closedAt: incident.closedAt,
    utcOffsetMin: incident.utcOffsetMin,
    category: incident.category,
    subtype: incident.subtype,
    department: incident.department,
    address: incident.address,
    branchUnit: incident.branchUnit,
    stationUnit: incident.stationUnit,
    narrative: incident.narrative,
    disposition: incident.disposition,
    feedback: incident.feedback,
  };
}

function itemView(item: ReviewItem, lang: Lang) {
  const last = item.events.at(-1);
  return {
    id: item.id,
    incidentId: item.incidentId,
    level: item.level,
    reviewer: item.reviewer,
    station: item.station,
    status: item.status,
    statusLabel: STATUS_LABELS[item.status][lang],
    round: item.round,
    queuedAt: item.events[0]?.at ?? null,
    updatedAt: last?.at ?? null,
    lastReason: [...item.events].reverse().find((e) => e.kind === "rework")?.reason ?? null,
    events: item.events,
    cycle: cycleTimes(item),
  };
}

/** Whether the user gives verdicts at this item's level (own level, own unit). */
function judgesLevel(principal: Principal, item: ReviewItem): boolean {
  switch (item.level) {
    case "city":
      return principal.unitLevel === "city";
    case "branch":
      return principal.unitLevel === "branch" && principal.unitCode === item.reviewer;
    case "station":
      return principal.unitLevel === "station" && principal.unitCode === item.station;
  }
}

function rangeOf(
  body: { from: string | number; to: string | number },
  reply: FastifyReply,
  lang: Lang,
): { from: number; to: number } | undefined {
  const from = instantOf(body.from)!;
  const to = instantOf(body.to)!;
  if (!(to > from) || to - from > MAX_RANGE) {
    sendError(
      reply,
      400,
      "bad_range",
      "时间范围须从早到晚且不超过一年",
      "The range must run forwards and span at most a year",
      lang,
    );
    return undefined;
  }
  return { from, to };
}

function invalid(reply: FastifyReply, error: z.ZodError, lang: Lang) {
  const first = error.issues[0];
  const where = first?.path.join(".") ?? "";
  return sendError(
    reply,
    400,
    "invalid_body",
    `请求格式错误：${where} ${first?.message ?? ""}`,
    `Malformed request: ${where} ${first?.message ?? ""}`,
    lang,
  );
}

/** Sorted, merged [start, end) windows. */
function mergedWindows(windows: readonly [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const [start, end] of [...windows].sort((a, b) => a[0] - b[0])) {
    const last = out[out.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else if (end > start) out.push([start, end]);
  }
  return out;
}

/**
 * Scorecards over everything in the filter and per period, from the materialised buckets (unit
 * cell x local day) that lie wholly in the range and, for the others (the days at the range's
 * ends), from their incidents one by one: the same sums as reading every incident.
 */
export async function materialisedScorecards(
  repo: QualityRepository,
  level: UnitLevel,
  period: Period,
  filter: ResultFilter,
) {
  const { from, to } = filter;
  const verdicts = await repo.verdicts();
  const overall = scorecardAccumulator({ level, verdicts });
  const byPeriod = scorecardAccumulator({ level, period, verdicts });
  const whole: ScorecardBucket[] = [];
  const partial = new Set<string>();
  const windows: [number, number][] = [];
  for (const b of await repo.scorecardBuckets(filter)) {
    if ((from === undefined || b.minAt >= from) && (to === undefined || b.maxAt < to)) whole.push(b);
    else {
      partial.add(bucketKey(b));
      windows.push([Math.max(from ?? b.minAt, b.minAt), Math.min(to ?? b.maxAt + 1, b.maxAt + 1)]);
    }
  }
  overall.addBuckets(whole);
  byPeriod.addBuckets(whole);
  for (const [start, end] of mergedWindows(windows))
    for await (const page of repo.scored({ ...filter, from: start, to: end })) {
      const edge = page.filter(({ incident }) =>
        partial.has(
          bucketKey({
            cityUnit: incident.cityUnit ?? "",
            branchUnit: incident.branchUnit ?? "",
            stationUnit: incident.stationUnit ?? "",
            areaUnit: (incident as { areaUnit?: string | null }).areaUnit ?? "",
            day: localDayOf(incident.receivedAt, incident.utcOffsetMin),
          }),
        ),
      );
      overall.add(edge);
      byPeriod.add(edge);
    }
  return { overall, byPeriod };
}

/** The state of the server's quality check run (one at a time). */
interface QualityRun {
  phase: "idle" | "running" | "done" | "failed";
  done: number;
  total: number;
  startedAt: number | null;
  finishedAt: number | null;
  error: string | null;
}

/**
 * Checks every incident of the store with the deployment's rules (the store setting
 * `quality-config`, as `recur quality` reads it) and keyword classification, page by page
 * (memory stays bounded), and stores the results the scorecards and queues read. `recur quality`
 * does the same from the command line, with a trained model when one is stored.
 */
async function runQualityCheck(store: Store, now: () => number, run: QualityRun): Promise<void> {
  const raw = await store.settings.get("quality-config");
  const config = qualityConfig(raw === undefined ? {} : (JSON.parse(raw) as unknown));
  const repo = qualityRepository(store);
  run.total = await store.incidents.count();
  const centres = stationCentreAccumulator();
  if (!config.jurisdiction.bbox) for await (const page of repo.stationPoints()) centres.add(page);
  const stream = qualityStream({
    config,
    clock: { now: () => now() as ReturnType<Services["clock"]["now"]> },
    judge: ruleJudge(ruleClassifier(), config),
    stationCentres: centres.result(config.jurisdiction.minStationPoints),
  });
  for await (const page of store.incidents.scan(5_000)) {
    const issues = stream.push(page);
    await repo.saveResults(
      page.map((incident, i) => ({
        incidentId: incident.id,
        score: incidentScore(issues[i]!).score,
        issues: issues[i]!,
      })),
      now(),
    );
    run.done += page.length;
  }
  // The daily quality totals of the indicators are remade now, not by the next report.
  await refreshExtraDays(store, "quality");
}

/** Starts the server's background quality check (the same run `POST /quality/run` starts). */
export interface QualityRunner {
  /**
   * Starts a check run unless one is running; resolves when it has finished (or failed: the
   * error is kept in the run state, as `GET /quality/run` shows it, not thrown).
   */
  start(): Promise<void>;
  /** Whether the store holds no check results yet (nothing to show on the scorecard page). */
  neverRun(): Promise<boolean>;
}

const runners = new WeakMap<FastifyInstance, QualityRunner>();

/** The quality runner of an app built with `registerQualityRoutes` (the demo starts a first check). */
export const qualityRunnerOf = (app: FastifyInstance): QualityRunner | undefined => runners.get(app);

export function registerQualityRoutes(app: FastifyInstance, services: () => Services | undefined): void {
  const scorecardMemo = new Map<string, { store: Store; value: unknown }>();
  const run: QualityRun = {
    phase: "idle",
    done: 0,
    total: 0,
    startedAt: null,
    finishedAt: null,
    error: null,
  };
  let running: Promise<void> = Promise.resolve();
  /** Starts a run unless one is running; the promise settles when the run has ended. */
  const startRun = (s: Services, lang: Lang): Promise<void> => {
    if (run.phase === "running") return running;
    Object.assign(run, {
      phase: "running",
      done: 0,
      total: 0,
      startedAt: s.clock.now(),
      finishedAt: null,
      error: null,
    });
    running = runQualityCheck(s.store, () => s.clock.now(), run).then(
      () => {
        Object.assign(run, { phase: "done", finishedAt: s.clock.now() });
      },
      (error: unknown) => {
        Object.assign(run, {
          phase: "failed",
          finishedAt: s.clock.now(),
          error: isRecurError(error) ? error.messages[lang] : String((error as Error).message ?? error),
        });
      },
    );
    return running;
  };
  runners.set(app, {
    start() {
      const s = services();
      return s ? startRun(s, "zh") : Promise.resolve();
    },
    async neverRun() {
      const s = services();
      return s ? (await qualityRepository(s.store).lastComputed()) === null : false;
    },
  });
  const ctx = (request: FastifyRequest) => {
    const s = services()!;
    const principal = request.principal!;
    const scope = scopeOf(principal);
    return { s, principal, scope, lang: langOf(request), repo: qualityRepository(s.store) };
  };
  const notFound = (reply: FastifyReply, lang: Lang) =>
    sendError(reply, 404, "not_found", "没有此记录或不在辖区内", "No such record in your jurisdiction", lang);
  /** The incident, when it exists and lies in the scope. */
  const incidentIn = async (s: Services, scope: Scope, id: string) => {
    const incident = await s.store.incidents.getById(id as IncidentId);
    return incident && inScope(scope, incident) ? incident : undefined;
  };
  const issuesOf = async (repo: ReturnType<typeof qualityRepository>, id: string, lang: Lang) => {
    const result = await repo.getResult(id);
    return {
      score: result?.score ?? null,
      issues: (result?.issues ?? []).map((i) => issueView(i, lang)),
    };
  };

  app.post(
    "/api/v1/quality/run",
    { config: { permission: "quality.sample", audit: "quality.run" } },
    async (request, reply) => {
      const { s, principal, lang } = ctx(request);
      if (principal.unitLevel !== "city")
        return sendError(
          reply,
          403,
          "not_your_level",
          "质量检查由市局发起",
          "The city runs the quality check",
          lang,
        );
      void startRun(s, lang);
      return reply.status(202).send(run);
    },
  );

  app.get("/api/v1/quality/run", { config: { permission: "quality.read" } }, async (request) => {
    const { repo } = ctx(request);
    return { ...run, computedAt: await repo.lastComputed() };
  });

  app.get(
    "/api/v1/quality/scorecards",
    { config: { permission: "quality.read", audit: "quality.scorecards", query: ScorecardQuery } },
    async (request, reply) => {
      const { s, principal, scope, lang, repo } = ctx(request);
      const query = ScorecardQuery.safeParse(request.query);
      if (!query.success) return invalid(reply, query.error, lang);
      const unit = unitFilterOf(scope);
      if (unit === null) return notFound(reply, lang);
      const { level, period } = query.data;
      // A unit sees itself and the units below it, never a level above (its "city" would be a part).
      if (principal.unitLevel && LEVEL_RANK[level] < LEVEL_RANK[principal.unitLevel])
        return sendError(
          reply,
          400,
          "level_above_scope",
          "只能查看本级及下级单位的成绩单",
          "Scorecards are available for your own level and below",
          lang,
        );
      const computedAt = await repo.lastComputed();
      let to = query.data.to === undefined ? undefined : instantOf(query.data.to)!;
      let from = query.data.from === undefined ? undefined : instantOf(query.data.from)!;
      if (from === undefined) {
        // Default: the 13 weeks (or 12 months) up to the latest checked call in scope.
        const latest = await repo.latestScored(unit ? { unit } : {});
        if (latest !== null) {
          to ??= latest + 1;
          from = to - (period === "week" ? 13 * 7 : 365) * DAY;
        }
      }
      // Scorecards change only with a new check run or a new verdict: memoised until then.
      const memoKey = JSON.stringify([
        unit,
        level,
        period,
        from,
        to,
        lang,
        computedAt,
        await repo.reviewVersion(),
      ]);
      const hit = scorecardMemo.get(memoKey);
      if (hit && hit.store === s.store) return hit.value;
      const filter = {
        ...(unit ? { unit } : {}),
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
      };
      const { overall, byPeriod } = await materialisedScorecards(repo, level, period, filter);
      const names = new Map((await registryRepository(s.store).units()).map((u) => [u.code, u.name]));
      const trend = byPeriod.result();
      const lastChange = new Map<string, number | null>();
      for (const card of trend) lastChange.set(card.unit, card.change);
      const view = (c: Scorecard) => ({
        unit: c.unit,
        name: names.get(c.unit) ?? null,
        period: c.period,
        incidents: c.incidents,
        meanScore: c.meanScore,
        completeness: c.completeness,
        timeliness: c.timeliness,
        consistency: c.consistency,
        labelAccuracy: c.labelAccuracy,
        reviewPassRate: c.reviewPassRate,
        reviewed: c.reviewed,
        errors: c.errors,
        warnings: c.warnings,
        topIssues: c.topIssues.map((t) => ({
          ...t,
          label: QUALITY_CODE_LABELS[t.code as QualityIssue["code"]]?.[lang] ?? t.code,
        })),
        change: c.change,
      });
      const value = {
        level,
        period,
        from: from ?? null,
        to: to ?? null,
        computedAt,
        units: overall
          .result()
          .sort((a, b) => a.meanScore - b.meanScore)
          .map((c) => ({ ...view(c), change: lastChange.get(c.unit) ?? null })),
        trend: trend.map(view),
        periods: [...new Set(trend.map((c) => c.period))].sort(),
      };
      if (scorecardMemo.size >= 64) scorecardMemo.delete(scorecardMemo.keys().next().value!);
      scorecardMemo.set(memoKey, { store: s.store, value });
      return value;
    },
  );

  app.get(
    "/api/v1/quality/incidents/:id",
    { config: { permission: "quality.read", audit: "quality.incident", query: LangQuery } },
    async (request, reply) => {
      const { s, scope, lang, repo } = ctx(request);
      const { id } = request.params as { id: string };
      const incident = await incidentIn(s, scope, id);
      if (!incident) return notFound(reply, lang);
      const reviews = (await repo.listReviews({ incidentId: id, limit: 100 })).map((r) => itemView(r, lang));
      return { incident: incidentView(incident, lang), ...(await issuesOf(repo, id, lang)), reviews };
    },
  );

  app.get(
    "/api/v1/quality/reviews",
    { config: { permission: "quality.read", audit: "review.list", query: ReviewListQuery } },
    async (request, reply) => {
      const { s, scope, lang, repo } = ctx(request);
      const query = ReviewListQuery.safeParse(request.query);
      if (!query.success) return invalid(reply, query.error, lang);
      const unit = unitFilterOf(scope);
      if (unit === null) return notFound(reply, lang);
      const items = await repo.listReviews({
        ...(query.data.level ? { level: query.data.level } : {}),
        ...(query.data.status ? { status: query.data.status } : {}),
        ...(unit ? { unit } : {}),
        limit: query.data.limit,
        offset: query.data.offset,
      });
      const rows = await Promise.all(
        items.map(async (item) => {
          const incident = await s.store.incidents.getById(item.incidentId as IncidentId);
          const result = await repo.getResult(item.incidentId);
          return {
            ...itemView(item, lang),
            incident: incident
              ? {
                  sourceId: incident.sourceId,
                  receivedAt: incident.receivedAt,
                  utcOffsetMin: incident.utcOffsetMin,
                  category: incident.category,
                  stationUnit: incident.stationUnit,
                }
              : null,
            score: result?.score ?? null,
            errors: result?.issues.filter((i) => i.severity === "error").length ?? 0,
          };
        }),
      );
      return { items: rows, offset: query.data.offset, limit: query.data.limit };
    },
  );

  app.get(
    "/api/v1/quality/reviews/stats",
    { config: { permission: "quality.read", audit: "review.stats", query: LangQuery } },
    async (request, reply) => {
      const { scope, lang, repo } = ctx(request);
      const unit = unitFilterOf(scope);
      if (unit === null) return notFound(reply, lang);
      const items = await repo.listReviews({ ...(unit ? { unit } : {}), limit: 100_000 });
      return {
        /** The latest checked call in scope: pages default their date ranges to it. */
        latestScored: await repo.latestScored(unit ? { unit } : {}),
        levels: reviewStats(items),
      };
    },
  );

  app.get(
    "/api/v1/quality/reviews/:id",
    { config: { permission: "quality.read", audit: "review.view", query: LangQuery } },
    async (request, reply) => {
      const { s, principal, scope, lang, repo } = ctx(request);
      const { id } = request.params as { id: string };
      const item = await repo.getReview(id);
      const incident = item ? await incidentIn(s, scope, item.incidentId) : undefined;
      if (!item || !incident) return notFound(reply, lang);
      return {
        item: itemView(item, lang),
        mayJudge: item.status === "pending" && judgesLevel(principal, item),
        mayResubmit:
          item.status === "rework" &&
          principal.unitLevel === "station" &&
          principal.unitCode === item.station,
        incident: incidentView(incident, lang),
        ...(await issuesOf(repo, item.incidentId, lang)),
      };
    },
  );

  /** Applies a review event after the scope and level checks; answers the new item. */
  const act = async (
    request: FastifyRequest,
    reply: FastifyReply,
    may: (principal: Principal, item: ReviewItem) => boolean,
    event: (at: number, by: string) => ReviewEvent,
  ) => {
    const { s, principal, scope, lang, repo } = ctx(request);
    const { id } = request.params as { id: string };
    const item = await repo.getReview(id);
    if (!item || !(await incidentIn(s, scope, item.incidentId))) return notFound(reply, lang);
    if (!may(principal, item))
      return sendError(
        reply,
        403,
        "not_your_level",
        "此复核项不由您这一级（或本单位）处理",
        "This review item is not for your level or unit",
        lang,
      );
    try {
      const next = await repo.appendEvent(id, event(s.clock.now(), principal.userId));
      if (!next) return notFound(reply, lang);
      return { item: itemView(next, lang) };
    } catch (error) {
      if (error instanceof IllegalTransitionError)
        return reply.status(409).send({ error: { code: error.code, message: error.messages[lang] } });
      if (isRecurError(error))
        return reply.status(422).send({ error: { code: error.code, message: error.messages[lang] } });
      throw error;
    }
  };

  app.post(
    "/api/v1/quality/reviews/:id/verdict",
    { config: { permission: "quality.review", audit: "review.verdict", body: VerdictBody } },
    async (request, reply) => {
      const lang = langOf(request);
      const body = VerdictBody.safeParse(request.body);
      if (!body.success) return invalid(reply, body.error, lang);
      const v = body.data;
      request.auditDetail = { verdict: v.verdict };
      return act(request, reply, judgesLevel, (at, by) =>
        v.verdict === "pass"
          ? { kind: "pass", at, by, ...(v.note ? { note: v.note } : {}) }
          : { kind: "rework", at, by, reason: v.reason },
      );
    },
  );

  app.post(
    "/api/v1/quality/reviews/:id/resubmit",
    { config: { permission: "quality.review", audit: "review.resubmit", body: ResubmitBody } },
    async (request, reply) => {
      const lang = langOf(request);
      const body = ResubmitBody.safeParse(request.body ?? {});
      if (!body.success) return invalid(reply, body.error, lang);
      const note = body.data.note;
      return act(
        request,
        reply,
        (p, item) => p.unitLevel === "station" && p.unitCode === item.station,
        (at, by) => ({ kind: "resubmitted", at, by, ...(note ? { note } : {}) }),
      );
    },
  );

  /** Opens review items for the chosen candidates; answers how many were chosen and added. */
  const open = async (
    request: FastifyRequest,
    level: ReviewLevel,
    reviewer: string,
    chosen: readonly { incidentId: string; stationUnit: string | null }[],
    sample?: string,
  ) => {
    const { s, principal, repo } = ctx(request);
    const now = s.clock.now();
    const items = chosen.map((c) =>
      openReview({
        id: `${level}:${c.incidentId}:${now}`,
        incidentId: c.incidentId,
        level,
        reviewer,
        station: c.stationUnit ?? "",
        at: now,
        by: principal.userId,
      }),
    );
    const added = await repo.openReviews(items, sample);
    request.auditDetail = { level, chosen: chosen.length, added };
    return { level, reviewer, chosen: chosen.length, added };
  };

  app.post(
    "/api/v1/quality/reviews/sample",
    { config: { permission: "quality.sample", audit: "review.sample", body: SampleBody } },
    async (request, reply) => {
      const { principal, scope, lang, repo } = ctx(request);
      const body = SampleBody.safeParse(request.body);
      if (!body.success) return invalid(reply, body.error, lang);
      if (scope.kind !== "all" || principal.unitLevel !== "city")
        return sendError(reply, 403, "not_your_level", "抽查由市局发起", "The city draws the sample", lang);
      const range = rangeOf(body.data, reply, lang);
      if (!range) return reply;
      const { mode, rate, count, seed } = body.data;
      const chosen = citySample(await repo.candidates(range), {
        mode,
        seed,
        ...(rate !== undefined ? { rate } : {}),
        ...(count !== undefined ? { count } : {}),
      });
      const sample = JSON.stringify({ mode, rate, count, seed, from: range.from, to: range.to });
      return reply
        .status(201)
        .send(await open(request, "city", principal.unitCode ?? "city", chosen, sample));
    },
  );

  app.post(
    "/api/v1/quality/reviews/branch-queue",
    { config: { permission: "quality.review", audit: "review.queue", body: QueueBody } },
    async (request, reply) => {
      const { principal, scope, lang, repo } = ctx(request);
      const body = QueueBody.safeParse(request.body);
      if (!body.success) return invalid(reply, body.error, lang);
      const branch = body.data.branch ?? (principal.unitLevel === "branch" ? principal.unitCode : null);
      const mayOpen =
        branch !== null &&
        ((principal.unitLevel === "city" && scope.kind === "all") ||
          (principal.unitLevel === "branch" && principal.unitCode === branch));
      if (!mayOpen)
        return sendError(
          reply,
          403,
          "not_your_level",
          "分局全量复核由本分局（或市局）发起",
          "A branch queue is opened by the branch itself (or the city)",
          lang,
        );
      const range = rangeOf(body.data, reply, lang);
      if (!range) return reply;
      const chosen = branchQueue(
        await repo.candidates({ ...range, unit: { level: "branch", code: branch! } }),
        branch!,
      );
      return reply.status(201).send(await open(request, "branch", branch!, chosen));
    },
  );

  app.post(
    "/api/v1/quality/reviews/self-check",
    { config: { permission: "quality.review", audit: "review.self_check", body: SelfCheckBody } },
    async (request, reply) => {
      const { principal, lang, repo } = ctx(request);
      const body = SelfCheckBody.safeParse(request.body);
      if (!body.success) return invalid(reply, body.error, lang);
      const station = body.data.station ?? principal.unitCode;
      if (principal.unitLevel !== "station" || !station || station !== principal.unitCode)
        return sendError(
          reply,
          403,
          "not_your_level",
          "自查由派出所对本所警情发起",
          "A self-check is opened by a station for its own records",
          lang,
        );
      const range = rangeOf(body.data, reply, lang);
      if (!range) return reply;
      const chosen = stationSelfCheck(
        await repo.candidates({ ...range, unit: { level: "station", code: station } }),
        station,
      );
      return reply.status(201).send(await open(request, "station", station, chosen));
    },
  );
}
