import { createHash, randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import { type Jurisdictions, validLonLat } from "../address/geo.ts";
import { type FullAddressLocator, toWgs84 } from "../address/index.ts";
import {
  asBatchId,
  asEpochMs,
  asIncidentId,
  CATEGORIES,
  type CallerPseudonym,
  DATUMS,
  DEPARTMENTS,
  type Incident,
  type Lang,
  LOCATION_LEVELS,
  type LocationKeys,
  type UnitCode,
} from "../domain/index.ts";
import { incidentId } from "../ingest/pipeline.ts";
import { maskText, tryCallerPseudonym } from "../ingest/privacy/index.ts";
import { checkAtDispatch } from "../repeat/dispatch.ts";
import { storeJurisdictions } from "../store/area-boundaries.ts";
import { serverRepository } from "../store/server-repository.ts";
import type { Store } from "../store/types.ts";
import { inScope, scopeOf } from "./access.ts";
import { deploymentLocator } from "./deployment-locator.ts";
import { RepeatService } from "./repeat-service.ts";
import { langOf, sendError } from "./routes.ts";
import { deploymentSecret } from "./secret.ts";

const instant = z.union([
  z.number().int().min(0).describe("epoch milliseconds"),
  z.iso.datetime({ offset: true }).describe("ISO 8601 with offset, e.g. 2024-06-01T10:00:00+08:00"),
]);

/** POST /api/v1/checks: what the call-taker knows at dispatch. The caller number is never stored. */
export const CheckBody = z
  .object({
    address: z.string().max(512).optional(),
    lon: z.number().min(-180).max(180).optional(),
    lat: z.number().min(-90).max(90).optional(),
    datum: z.enum(DATUMS).default("wgs84"),
    category: z.enum(CATEGORIES),
    subtype: z.string().max(64).optional(),
    callerNumber: z.string().max(64).optional(),
    /** The instant of the check; default the newest call the index holds. */
    at: instant.optional(),
  })
  .strict()
  .refine((b) => (b.lon === undefined) === (b.lat === undefined), {
    message: "lon and lat go together",
    path: ["lat"],
  });

/** One incident as a dispatch system sends it; masked and pseudonymised like an import row. */
export const IncidentInput = z
  .object({
    sourceSystem: z.string().min(1).max(64).default("api"),
    sourceId: z.string().min(1).max(128),
    receivedAt: instant,
    acceptedAt: instant.nullable().optional(),
    dispatchedAt: instant.nullable().optional(),
    arrivedAt: instant.nullable().optional(),
    closedAt: instant.nullable().optional(),
    /** Minutes east of UTC at the call (China +480, the default). */
    utcOffsetMin: z.number().int().min(-840).max(840).default(480),
    category: z.enum(CATEGORIES),
    subtype: z.string().max(64).nullable().optional(),
    sourceCategory: z.string().max(256).nullable().optional(),
    department: z.enum(DEPARTMENTS).nullable().optional(),
    address: z.string().max(512).nullable().optional(),
    lon: z.number().min(-180).max(180).nullable().optional(),
    lat: z.number().min(-90).max(90).nullable().optional(),
    datum: z.enum(DATUMS).nullable().optional(),
    cityUnit: z.string().max(64).nullable().optional(),
    branchUnit: z.string().max(64).nullable().optional(),
    stationUnit: z.string().max(64).nullable().optional(),
    areaUnit: z.string().max(64).nullable().optional(),
    /** Turned into the keyed pseudonym and dropped. */
    callerNumber: z.string().max(64).nullable().optional(),
    narrative: z.string().max(8000).nullable().optional(),
    disposition: z.string().max(512).nullable().optional(),
    feedback: z.string().max(8000).nullable().optional(),
  })
  .strict();
export type IncidentInput = z.infer<typeof IncidentInput>;

export const MAX_INCIDENTS_PER_REQUEST = 1000;
export const IncidentsBody = z.union([
  z.object({ incidents: z.array(IncidentInput).min(1).max(MAX_INCIDENTS_PER_REQUEST) }).strict(),
  IncidentInput,
]);

const epoch = (v: number | string) => asEpochMs(typeof v === "number" ? v : Date.parse(v));
const epochOrNull = (v: number | string | null | undefined) => (v == null ? null : epoch(v));

export interface RepeatRouteOptions {
  readonly store: () => Store | undefined;
  /** Deployment secret file (pseudonym and encryption keys); default RECUR_SECRET or ./recur.secret. */
  readonly secretPath: string | undefined;
  /** The address locator; default createAddressLocator() built on first use. */
  readonly locator?: FullAddressLocator;
}

/** Zod issues as the API reports them: which incident (row), which field, why; values are not echoed. */
interface BodyIssue {
  readonly row: number | null;
  readonly field: string | null;
  readonly code: string;
  readonly message: string;
}

function issuesOf(error: z.ZodError, batch: boolean): BodyIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String);
    const row =
      batch && path[0] === "incidents" && path[1] !== undefined ? Number(path[1]) + 1 : batch ? null : 1;
    const field = (batch ? path.slice(2) : path).join(".") || null;
    // Zod quotes the names of unknown keys; a caller's number sent as one is masked too.
    return {
      row,
      field: field === null ? null : maskText(field),
      code: issue.code,
      message: maskText(issue.message),
    };
  });
}

function invalid(reply: FastifyReply, lang: Lang, issues: readonly BodyIssue[]) {
  const first = issues[0];
  const where = first ? `${first.row !== null ? `#${first.row} ` : ""}${first.field ?? ""}` : "";
  return reply.status(400).send({
    error: {
      code: "invalid_body",
      message:
        lang === "zh"
          ? `请求内容不符合要求（${issues.length} 处问题，首个：${where} ${first?.message ?? ""}）`
          : `The request is not valid (${issues.length} problem(s), first: ${where} ${first?.message ?? ""})`,
      issues,
    },
  });
}

/**
 * The repeat engine over HTTP: the dispatch-time check and incidents arriving one by one or in
 * small batches. The index loads in the background when the store becomes available.
 */
export function registerRepeatRoutes(
  app: FastifyInstance,
  options: RepeatRouteOptions,
): () => RepeatService | undefined {
  let service: RepeatService | undefined;
  let serviceStore: Store | undefined;
  const keys = deploymentSecret(options.secretPath);
  // The deployment's locator (its place dictionary and region, as the imports key), made again
  // after each import (the first may bring the region) and reload (a rekey, a new dictionary).
  let deployment: { readonly store: Store; readonly locator: Promise<FullAddressLocator> } | undefined;
  const locatorOf = (store: Store): Promise<FullAddressLocator> => {
    if (options.locator) return Promise.resolve(options.locator);
    if (deployment?.store !== store) {
      const made = deploymentLocator(store);
      deployment = { store, locator: made };
      // A failed read is not kept: the next request tries again.
      made.catch(() => {
        if (deployment?.locator === made) deployment = undefined;
      });
    }
    return deployment.locator;
  };
  const locateWith =
    (locator: FullAddressLocator) =>
    (address: string | null, lon: number | null, lat: number | null, datum: string | null) => {
      if (lon === null || lat === null || datum === null || datum === "wgs84")
        return locator.locate(address, lon, lat);
      const [x, y] = toWgs84(lon, lat, datum as (typeof DATUMS)[number]);
      return locator.locate(address, x, y);
    };
  /** The service for the current store, starting its background load on first use. */
  const current = (): RepeatService | undefined => {
    const store = options.store();
    if (!store) return undefined;
    if (serviceStore !== store) {
      serviceStore = store;
      const fresh = new RepeatService();
      service = fresh;
      next = undefined;
      // Batches committed while it loaded come after it, through the incremental path.
      void fresh.load(store).then(() => catchUp(fresh));
    }
    return service;
  };
  /**
   * A reload (after the rule settings change) builds a second index in the background while the
   * current one keeps answering; incidents posted meanwhile go to both. It starts only when no
   * posted batch is between `reserve` and `add`, so that no row is missed or read twice.
   */
  let next: RepeatService | undefined;
  let inFlight = 0;
  let reloadWanted = false;
  const reload = (): void => {
    deployment = undefined;
    const store = options.store();
    if (!store || store !== serviceStore) return; // a first load reads the stored rules anyway
    if (inFlight > 0) {
      reloadWanted = true;
      return;
    }
    const fresh = new RepeatService();
    next = fresh;
    void fresh.load(store).then(() => {
      if (next !== fresh) return; // superseded by a later reload or another store
      next = undefined;
      if (fresh.phase.kind === "ready" && serviceStore === store) {
        service = fresh;
        void catchUp(fresh);
      }
    });
  };
  reloaders.set(app, reload);
  /**
   * Feeds import batches committed since a service loaded through the incremental path; a batch
   * the incremental path cannot take exactly (older calls, or more than the headroom) starts a
   * rebuild instead. A reload under way catches up itself when it is ready.
   */
  const catchUp = async (s: RepeatService | undefined): Promise<void> => {
    const store = options.store();
    if (!s?.ready || !store || store !== serviceStore) return;
    try {
      for (const batchId of await s.unseenBatches(store)) {
        const fed = await s.addBatch(store, batchId);
        if (fed.kind === "rebuild") {
          if (s === service) reload();
          return;
        }
      }
      if (s === service && s.headroomLow && !next) reload();
    } catch {
      if (s === service) reload();
    }
  };
  importers.set(app, () => {
    deployment = undefined;
    void catchUp(current());
  });
  app.addHook("onReady", async () => {
    current();
  });

  const notReady = (reply: FastifyReply, lang: Lang, s: RepeatService | undefined) => {
    const phase = s?.phase;
    if (phase?.kind === "failed")
      return sendError(
        reply,
        503,
        "repeat_index_failed",
        `重复警情索引加载失败：${phase.message}`,
        `The repeat index failed to load: ${phase.message}`,
        lang,
      );
    const progress = phase?.kind === "loading" ? `${phase.loaded}/${phase.total}` : "0/0";
    reply.header("Retry-After", "5");
    return sendError(
      reply,
      503,
      "repeat_index_loading",
      `重复警情索引正在加载（已读 ${progress} 条警情），请稍后重试`,
      `The repeat index is still loading (${progress} incidents read); try again shortly`,
      lang,
    );
  };

  app.get("/api/v1/checks/status", { config: { permission: "checks.run" } }, async () => {
    const phase = current()?.phase ?? { kind: "loading", loaded: 0, total: 0 };
    return { index: phase };
  });

  app.post(
    "/api/v1/checks",
    { config: { permission: "checks.run", audit: "dispatch.check", body: CheckBody } },
    async (request, reply) => {
      const lang = langOf(request);
      const body = CheckBody.safeParse(request.body);
      if (!body.success) return invalid(reply, lang, issuesOf(body.error, false));
      const s = current();
      const index = s?.ready;
      if (!s || !index) return notReady(reply, lang, s);
      const q = body.data;
      const pseudonym = q.callerNumber
        ? tryCallerPseudonym(q.callerNumber, (await keys()).hmacKey, deploymentPhoneOptions())
        : null;
      const keysOfPlace: Partial<LocationKeys> =
        q.address !== undefined || q.lon !== undefined
          ? locateWith(await locatorOf(serviceStore!))(
              q.address ?? null,
              q.lon ?? null,
              q.lat ?? null,
              q.datum,
            )
          : {};
      const scope = scopeOf(request.principal!);
      const answer = checkAtDispatch(
        index,
        {
          keys: keysOfPlace,
          category: q.category,
          subtype: q.subtype ?? null,
          callerPseudonym: pseudonym,
          ...(q.lon !== undefined && q.lat !== undefined
            ? q.datum === "wgs84"
              ? { lon: q.lon, lat: q.lat }
              : (() => {
                  const [lon, lat] = toWgs84(q.lon, q.lat, q.datum);
                  return { lon, lat };
                })()
            : {}),
          ...(q.at !== undefined ? { at: epoch(q.at) } : {}),
        },
        { maxSeries: 50 },
      );
      // Series are city-wide; a unit user sees those with a call in their jurisdiction.
      const series = answer.series.filter((x) => s.seriesInScope(x.id, scope)).slice(0, 10);
      const repo = serverRepository(options.store()!);
      const cases = await repo.openCasesFor(scope, {
        seriesIds: series.map((x) => x.id),
        locationKeys: [
          ...new Set([
            ...series.flatMap((x) => (x.locationKey ? [x.locationKey] : [])),
            ...LOCATION_LEVELS.flatMap((l) => (keysOfPlace[l] ? [keysOfPlace[l]] : [])),
          ]),
        ],
        callers: pseudonym ? [pseudonym] : [],
      });
      const warning = series.reduce<string | null>(
        (w, x) => (w === null || RANK[x.warning]! > RANK[w]! ? x.warning : w),
        null,
      );
      return {
        keys: keysOfPlace,
        callerPseudonym: pseudonym,
        series: series.map((x) => ({ ...x, explanation: x.explanation[lang] })),
        cases: cases.map((c) => ({
          id: c.id,
          title: c.title,
          state: c.state,
          warning: c.warning,
          seriesId: c.subject.seriesId,
          deadline: c.deadline,
        })),
        recentAtPlace: answer.recentAtPlace,
        wouldFormSeries: answer.wouldFormSeries,
        warning,
        summary:
          series.length === answer.series.length
            ? answer.summary[lang]
            : lang === "zh"
              ? `本辖区内关联${series.length}个未结重复警情系列`
              : `${series.length} related open repeat series in your jurisdiction`,
      };
    },
  );

  app.post(
    "/api/v1/incidents",
    { config: { permission: "incidents.write", audit: "incidents.write", body: IncidentsBody } },
    async (request, reply) => {
      const lang = langOf(request);
      const store = options.store();
      if (!store)
        return sendError(
          reply,
          503,
          "loading",
          "服务正在准备，请稍候",
          "The server is still preparing",
          lang,
        );
      const parsed = IncidentsBody.safeParse(request.body);
      if (!parsed.success) {
        const batch =
          typeof request.body === "object" && request.body !== null && "incidents" in request.body;
        return invalid(reply, lang, issuesOf(parsed.error, batch));
      }
      const inputs = "incidents" in parsed.data ? parsed.data.incidents : [parsed.data];
      const scope = scopeOf(request.principal!);
      const problems: BodyIssue[] = [];
      const seen = new Set<string>();
      inputs.forEach((x, k) => {
        const key = `${x.sourceSystem}\u0000${x.sourceId}`;
        if (seen.has(key))
          problems.push({
            row: k + 1,
            field: "sourceId",
            code: "duplicate_in_request",
            message: "repeated in this request",
          });
        seen.add(key);
        if (
          !inScope(scope, {
            branchUnit: x.branchUnit ?? null,
            stationUnit: x.stationUnit ?? null,
            areaUnit: x.areaUnit ?? null,
          })
        )
          problems.push({
            row: k + 1,
            field: "branchUnit",
            code: "out_of_scope",
            message: "outside your jurisdiction",
          });
        for (const [field, v] of [
          ["receivedAt", x.receivedAt],
          ["closedAt", x.closedAt],
        ] as const)
          if (typeof v === "string" && !Number.isFinite(Date.parse(v)))
            problems.push({ row: k + 1, field, code: "invalid_date", message: "not a date" });
      });
      if (problems.length > 0) return invalid(reply, lang, problems);

      const { hmacKey } = await keys();
      const batchId = asBatchId(`api-${randomUUID()}`);
      const locate = locateWith(await locatorOf(store));
      // The store's community police area boundaries give a call without an area the one it lies in.
      const areas = (await storeJurisdictions(store))?.jurisdictions;
      const rows: Incident[] = inputs.map((x) => toIncident(x, batchId, hmacKey, locate, areas));
      const s = current();
      const n = next;
      s?.reserve(rows);
      n?.reserve(rows);
      inFlight++;
      try {
        const bodyHash = createHash("sha256").update(JSON.stringify(request.body)).digest("hex");
        return reply.status(201).send(await postBatch(store, s, n, rows, batchId, bodyHash));
      } finally {
        inFlight--;
        if (inFlight === 0 && reloadWanted) {
          reloadWanted = false;
          reload();
        }
      }
    },
  );

  /** Writes one posted batch as an import batch and feeds the rows it wrote to the index(es). */
  async function postBatch(
    store: Store,
    s: RepeatService | undefined,
    n: RepeatService | undefined,
    rows: Incident[],
    batchId: ReturnType<typeof asBatchId>,
    bodyHash: string,
  ) {
    const now = Date.now();
    const writer = await store.beginBatch({
      id: batchId,
      sourceSystem: rows[0]!.sourceSystem,
      profile: "api",
      fileName: "POST /api/v1/incidents",
      fileSha256: bodyHash,
      startedAt: now,
    });
    let imported: number;
    let updated = 0;
    let stale = 0;
    try {
      imported = await writer.insertIncidents(rows);
      // A re-sent incident with new values updates the stored one (docs/store.md, "Later exports").
      ({ updated, stale } = writer.updates ?? { updated: 0, stale: 0 });
      await writer.commit({
        rows: rows.length,
        imported,
        rejected: 0,
        duplicates: rows.length - imported - updated - stale,
        finishedAt: Date.now(),
      });
    } catch (error) {
      await writer.rollback().catch(() => undefined);
      throw error;
    }
    // Only the rows this batch wrote reach the index (a re-sent incident is not counted twice).
    const fresh =
      imported === rows.length
        ? rows
        : (await Promise.all(rows.map((r) => store.incidents.get(r.sourceSystem, r.sourceId)))).filter(
            (r): r is Incident => r?.batchId === batchId,
          );
    const changed = s?.add(fresh) ?? [];
    n?.add(fresh);
    // Live calls used most of the index's headroom: rebuild (with fresh headroom) before a copy;
    // calls the index holds were updated: their new values reach the series through a rebuild.
    if ((s?.headroomLow || updated > 0) && !next) reload();
    return {
      batchId,
      received: rows.length,
      imported,
      duplicates: rows.length - imported - updated - stale,
      updated,
      stale,
      indexed: s?.ready ? fresh.length : 0,
      seriesChanged: changed.map((x) => ({
        id: x.id,
        kind: x.kind,
        warning: x.warning,
        events: x.events.length,
      })),
    };
  }

  return current;
}

const reloaders = new WeakMap<FastifyInstance, () => void>();
const importers = new WeakMap<FastifyInstance, () => void>();

/**
 * Brings an import's incidents into the dispatch-time index, in the background: each import batch
 * committed since the index loaded goes through the incremental path that POST /api/v1/incidents
 * uses (no rebuild, the event loop yields every 20 ms); a batch reaching back before the index's
 * newest call, or larger than its headroom, rebuilds it instead (docs/repeat.md "Imports").
 * Called by the import routes after a batch commits.
 */
export function repeatIndexImported(app: FastifyInstance): void {
  importers.get(app)?.();
}

/**
 * Rebuilds the dispatch-time index with the stored rule settings, in the background: the current
 * index answers until the new one is ready. Called when the rules change (rules-routes.ts).
 */
export function reloadRepeatIndex(app: FastifyInstance): void {
  reloaders.get(app)?.();
}

/**
 * The city's telephone area code for numbers given over the API (`RECUR_AREA_CODE`, e.g. 0571): set
 * it to the `caller.areaCode` of the import profiles, so that a local landline given at dispatch
 * time links to the calls imported from it (docs/privacy.md). Ignored unless it looks like one.
 */
export function deploymentPhoneOptions(env: NodeJS.ProcessEnv = process.env): { areaCode?: string } {
  const code = env.RECUR_AREA_CODE?.trim();
  return code && /^0[1-9]\d{1,2}$/.test(code) ? { areaCode: code } : {};
}

const RANK: Readonly<Record<string, number>> = { blue: 0, yellow: 1, orange: 2, red: 3 };

function toIncident(
  x: IncidentInput,
  batchId: ReturnType<typeof asBatchId>,
  hmacKey: Uint8Array,
  locate: (
    address: string | null,
    lon: number | null,
    lat: number | null,
    datum: string | null,
  ) => LocationKeys,
  areas?: Jurisdictions,
): Incident {
  const unit = (v: string | null | undefined) => (v ?? null) as UnitCode | null;
  const lon = x.lon ?? null;
  const lat = x.lat ?? null;
  const datum = lon !== null && lat !== null ? (x.datum ?? "wgs84") : null;
  const areaUnit =
    x.areaUnit ??
    (areas && datum !== null && validLonLat(lon, lat)
      ? areas.locate(toWgs84(lon!, lat!, datum as (typeof DATUMS)[number]))
      : null);
  return {
    id: asIncidentId(incidentId(x.sourceSystem, x.sourceId)),
    sourceSystem: x.sourceSystem,
    sourceId: x.sourceId,
    batchId,
    receivedAt: epoch(x.receivedAt),
    acceptedAt: epochOrNull(x.acceptedAt),
    dispatchedAt: epochOrNull(x.dispatchedAt),
    arrivedAt: epochOrNull(x.arrivedAt),
    closedAt: epochOrNull(x.closedAt),
    utcOffsetMin: x.utcOffsetMin,
    category: x.category,
    subtype: x.subtype ?? null,
    // Free texts are masked as at import (src/ingest/pipeline.ts), the address before it is keyed.
    sourceCategory: x.sourceCategory == null ? null : maskText(x.sourceCategory),
    department: x.department ?? null,
    address: x.address == null ? null : maskText(x.address),
    lon,
    lat,
    datum,
    location: locate(x.address == null ? null : maskText(x.address), lon, lat, datum),
    cityUnit: unit(x.cityUnit),
    branchUnit: unit(x.branchUnit),
    stationUnit: unit(x.stationUnit),
    areaUnit: unit(areaUnit),
    callerPseudonym: (x.callerNumber
      ? tryCallerPseudonym(x.callerNumber, hmacKey, deploymentPhoneOptions())
      : null) as CallerPseudonym | null,
    // The number itself is not kept: the API has no profile asking for it.
    callerNumberEnc: null,
    narrative: x.narrative == null ? null : maskText(x.narrative),
    disposition: x.disposition == null ? null : maskText(x.disposition),
    feedback: x.feedback == null ? null : maskText(x.feedback),
  };
}
