import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { FastifyInstance, FastifyRequest } from "fastify";
import gcoordModule from "gcoord";
import { cellToBoundary } from "h3-js";
import { describeLocationKey } from "../address/describe.ts";
import { createAddressLocator } from "../address/locator.ts";
import { cellCounts, giStar } from "../analysis/hotspots/index.ts";
import { knoxEventsFromIncidents, knoxTest } from "../analysis/knox/index.ts";
import { hourWeekHeatmap } from "../analysis/time/index.ts";
import {
  asBatchId,
  CATEGORIES,
  CATEGORY_LABELS,
  type Clock,
  type Incident,
  isRecurError,
  type Lang,
  renderIssue,
  SUBTYPE_LABELS,
} from "../domain/index.ts";
import {
  bundledProfileNames,
  INGEST_MESSAGES,
  importFile,
  loadProfile,
  withMaskedValue,
} from "../ingest/index.ts";
import { DEFAULT_SECRET_FILE, loadOrCreateSecret } from "../ingest/privacy/index.ts";
import { explainSeries, GROUP_LABELS } from "../repeat/explain.ts";
import { WARNING_LEVELS } from "../repeat/options.ts";
import { loadPlaceDictionary } from "../store/place-dictionary.ts";
import type { Store } from "../store/types.ts";
import { type Scope, scopeOf } from "./access.ts";
import {
  categoryOf,
  type DashboardData,
  loadDashboardData,
  MISSING_ADDRESS,
  MISSING_ARRIVAL,
  MISSING_COORDS,
  MISSING_DISPOSITION,
  MISSING_FEEDBACK,
  MISSING_UNIT,
  rowsIn,
  scopeFilter,
} from "./dashboard-data.ts";
import { repeatIndexImported } from "./repeat-routes.ts";
import { langOf, sendError } from "./routes.ts";

const DAY = 86_400_000;
// gcoord's CommonJS default export, typed as its namespace (as in src/address/geo.ts).
const gcoord = gcoordModule as unknown as (typeof gcoordModule)["default"];

/** Settings the start-up command may fill in (the demo knows where its secret lies). */
export const dashboardSettings: { secretPath?: string; tileUrl?: string } = {};

function secretPath(): string {
  if (dashboardSettings.secretPath) return dashboardSettings.secretPath;
  if (process.env.RECUR_SECRET) return resolve(process.env.RECUR_SECRET);
  return resolve(DEFAULT_SECRET_FILE);
}

/** Local calendar day number of an instant (days since 1970-01-01 on the caller's wall clock). */
const localDay = (t: number, offsetMin: number) => Math.floor((t + offsetMin * 60_000) / DAY);
const dayLabel = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);

/** Holds the in-memory columns for the current store and rebuilds them after an import. */
export class DashboardCache {
  private store: Store | undefined;
  private loading: Promise<DashboardData> | undefined;
  private data: DashboardData | undefined;
  private readonly memo = new Map<string, unknown>();

  /** The columns, loading them on first use; undefined while loading (callers answer 503). */
  get(store: Store): DashboardData | undefined {
    if (store !== this.store) {
      this.store = store;
      this.data = undefined;
      this.loading = undefined;
      this.memo.clear();
    }
    if (!this.loading) {
      this.loading = loadDashboardData(store);
      this.loading.then(
        (d) => {
          if (this.store === store) this.data = d;
        },
        () => {
          this.loading = undefined;
        },
      );
    }
    return this.data;
  }

  /** Waits for the columns (tests, benchmarks, the demo start). */
  async ready(store: Store): Promise<DashboardData> {
    this.get(store);
    return (await this.loading)!;
  }

  /** After an import: build new columns, keep serving the old ones meanwhile. */
  refresh(store: Store): void {
    const next = loadDashboardData(store);
    next.then(
      (d) => {
        if (this.store === store) {
          this.data = d;
          this.loading = next;
          this.memo.clear();
        }
      },
      () => undefined,
    );
  }

  cached<T>(key: string, compute: () => T): T {
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const value = compute();
    if (this.memo.size > 500) this.memo.clear();
    this.memo.set(key, value);
    return value;
  }
}

const caches = new WeakMap<FastifyInstance, DashboardCache>();

/** The app's dashboard cache, so a start-up command can warm it before the first visitor. */
export const dashboardCacheOf = (app: FastifyInstance) => caches.get(app);

const scopeKey = (scope: Scope) => JSON.stringify(scope);

/** Today / last 7 days / last 30 days against the period before, a daily trend, the mix. */
export function overview(data: DashboardData, scope: Scope, lang: Lang) {
  const keep = scopeFilter(data, scope);
  const lastDay = localDay(data.maxAt, 480);
  const firstDay = lastDay - 89;
  const daily = new Int32Array(90);
  const cats = new Int32Array(32);
  let total = 0;
  let arrivalSum = 0;
  let arrivalN = 0;
  const periods = [1, 7, 30];
  const cur = [0, 0, 0];
  const prev = [0, 0, 0];
  const { receivedAt, utcOffsetMin, branch, station, area, category, arrivalMin } = data;
  for (let i = 0; i < data.n; i++) {
    if (keep && !keep(branch[i]!, station[i]!, area[i]!)) continue;
    total++;
    const d = localDay(receivedAt[i]!, utcOffsetMin[i]!);
    const ago = lastDay - d;
    if (ago < 0 || ago >= 90) continue;
    daily[d - firstDay]!++;
    for (let p = 0; p < 3; p++) {
      const len = periods[p]!;
      if (ago < len) cur[p]!++;
      else if (ago < 2 * len) prev[p]!++;
    }
    if (ago < 30) {
      cats[category[i]!]!++;
      const a = arrivalMin[i]!;
      if (!Number.isNaN(a) && a >= 0 && a < 240) {
        arrivalSum += a;
        arrivalN++;
      }
    }
  }
  const warnings = { red: 0, orange: 0, yellow: 0, blue: 0 };
  let activeSeries = 0;
  for (const s of data.series) {
    if (keep && !keep(s.branch, s.station, s.area)) continue;
    warnings[s.warning]++;
    if (localDay(s.series.end, 480) > lastDay - 30) activeSeries++;
  }
  const categories = Array.from(cats, (count, i) => ({ code: categoryOf(i), count }))
    .filter((c) => c.count > 0)
    .sort((a, b) => b.count - a.count)
    .map((c) => ({ ...c, label: CATEGORY_LABELS[c.code]?.[lang] ?? c.code }));
  return {
    asOf: dayLabel(lastDay),
    total,
    figures: periods.map((days, p) => ({ days, current: cur[p]!, previous: prev[p]! })),
    daily: Array.from(daily, (count, k) => ({ date: dayLabel(firstDay + k), count })),
    categories,
    warnings,
    activeSeries,
    meanArrivalMin: arrivalN > 0 ? arrivalSum / arrivalN : null,
  };
}

export interface SeriesFilter {
  readonly kind?: string;
  readonly level?: string;
  readonly group?: string;
  readonly limit?: number;
}

/** The series a scope sees, most urgent first, as rows for the list. */
export function seriesList(data: DashboardData, scope: Scope, filter: SeriesFilter, lang: Lang) {
  const keep = scopeFilter(data, scope);
  const rows = [];
  let total = 0;
  const limit = filter.limit ?? 10_000;
  for (const s of data.series) {
    if (keep && !keep(s.branch, s.station, s.area)) continue;
    const x = s.series;
    if (filter.kind && x.kind !== filter.kind) continue;
    if (filter.level && s.warning !== filter.level) continue;
    if (filter.group && x.group !== filter.group) continue;
    total++;
    if (rows.length >= limit) continue;
    rows.push({
      id: x.id,
      kind: x.kind,
      level: s.warning,
      group: x.group,
      groupLabel: GROUP_LABELS[x.group]?.[lang] ?? x.group,
      place: x.kind === "caller" ? null : placeName(x.locationKey, lang),
      station: data.units[s.station] ?? "",
      start: x.start,
      end: x.end,
      events: x.events.length,
      calls: x.calls,
      escalation: x.escalation.severity || x.escalation.frequency,
      protective: x.protective,
    });
  }
  return { total, rows };
}

/** A location key as a place name in the user's language (src/address/describe.ts). */
function placeName(key: string | null, lang: Lang): string | null {
  return key ? describeLocationKey(key, lang) : null;
}

/** The datum of the map's basemap (RECUR_MAP_DATUM): a Chinese intranet/PGIS map is often GCJ-02. */
export function mapDatum(): "wgs84" | "gcj02" {
  return process.env.RECUR_MAP_DATUM === "gcj02" ? "gcj02" : "wgs84";
}

const GCOORD = { wgs84: gcoord.WGS84, gcj02: gcoord.GCJ02, bd09: gcoord.BD09 } as const;

const MAX_BOUNDARIES_BYTES = 50 * 2 ** 20;
let boundariesCache: { key: string; value: unknown } | undefined;

/**
 * The polygons of a GeoJSON boundaries file (RECUR_BOUNDARIES, in WGS-84 unless
 * RECUR_BOUNDARIES_DATUM says gcj02 or bd09) in the map's datum; other geometries are dropped.
 * Read once per file, size and datum.
 */
async function localBoundaries(path: string, datum: "wgs84" | "gcj02") {
  const from = (process.env.RECUR_BOUNDARIES_DATUM ?? "wgs84") as keyof typeof GCOORD;
  if (!(from in GCOORD)) throw new Error(`RECUR_BOUNDARIES_DATUM must be wgs84, gcj02 or bd09, not ${from}`);
  const info = await stat(path);
  if (info.size > MAX_BOUNDARIES_BYTES) throw new Error(`larger than ${MAX_BOUNDARIES_BYTES / 2 ** 20} MB`);
  const key = `${path}|${info.size}|${info.mtimeMs}|${from}|${datum}`;
  if (boundariesCache?.key === key) return boundariesCache.value;
  const parsed = JSON.parse(await readFile(path, "utf8")) as { type?: string; features?: unknown[] };
  if (parsed.type !== "FeatureCollection" || !Array.isArray(parsed.features))
    throw new Error("not a GeoJSON FeatureCollection");
  const convert = (ring: number[][]) =>
    from === datum
      ? ring
      : ring.map((p) => gcoord.transform(p as [number, number], GCOORD[from], GCOORD[datum]) as number[]);
  type Polygonal = {
    type: "Feature";
    properties: Record<string, unknown>;
    geometry:
      | { type: "Polygon"; coordinates: number[][][] }
      | { type: "MultiPolygon"; coordinates: number[][][][] };
  };
  const features = parsed.features.flatMap((raw): Polygonal[] => {
    const f = raw as {
      properties?: Record<string, unknown> | null;
      geometry?: { type?: string; coordinates?: unknown };
    };
    const g = f?.geometry;
    if (g?.type === "Polygon")
      return [
        {
          type: "Feature",
          properties: f.properties ?? {},
          geometry: { type: "Polygon", coordinates: (g.coordinates as number[][][]).map(convert) },
        },
      ];
    if (g?.type === "MultiPolygon")
      return [
        {
          type: "Feature",
          properties: f.properties ?? {},
          geometry: {
            type: "MultiPolygon",
            coordinates: (g.coordinates as number[][][][]).map((poly) => poly.map(convert)),
          },
        },
      ];
    return [];
  });
  const value = { type: "FeatureCollection", features };
  boundariesCache = { key, value };
  return value;
}

/** An incident for the browser: no caller link, coordinates converted into the map's datum. */
function publicIncident(x: Incident, datum: "wgs84" | "gcj02", lang: Lang) {
  const { callerNumberEnc: _never, callerPseudonym: _linkOnly, ...fields } = x;
  const label =
    (x.subtype ? SUBTYPE_LABELS[`${x.category}.${x.subtype}`] : undefined) ?? CATEGORY_LABELS[x.category];
  const rest = { ...fields, categoryLabel: label?.[lang] ?? null };
  if (x.lon === null || x.lat === null || !x.datum || x.datum === datum) return rest;
  const [lon, lat] = gcoord.transform([x.lon, x.lat], GCOORD[x.datum], GCOORD[datum]) as [number, number];
  return { ...rest, lon, lat, datum };
}

/** Heatmap and hot spots (H3 resolution 8, Gi* with FDR) over the last `days` days in scope. */
export function analysis(data: DashboardData, scope: Scope, days: number) {
  const rows = rowsIn(data, scope, data.maxAt - days * DAY, Infinity);
  const heatmap = Array.from(hourWeekHeatmap(data.receivedAt, null, data.utcOffsetMin, rows));
  const perCell = new Int32Array(data.cells.length);
  for (const i of rows) perCell[data.cell[i]!]!++;
  const counts = new Map<string, number>();
  for (let c = 1; c < perCell.length; c++) if (perCell[c]! > 0) counts.set(data.cells[c]!, perCell[c]!);
  const cells = giStar(counts)
    .filter((g) => g.class !== "none")
    .sort((a, b) => b.z - a.z)
    .slice(0, 400)
    .map((g) => ({
      cell: g.cell,
      count: g.count,
      z: Number(g.z.toFixed(2)),
      q: g.q,
      class: g.class,
      boundary: cellToBoundary(g.cell, true),
    }));
  return { days, incidents: rows.length, heatmap, cells };
}

const KNOX_CATEGORIES = ["criminal", "public_order", "dispute"] as const;

/**
 * Near-repeat (Knox) table of one category over the last `days` days in scope: Manhattan
 * distance bands of 0-100-200-400 m, time bands of a week up to four, 99 permutations (seed 1).
 */
export function knox(data: DashboardData, scope: Scope, category: string, days: number) {
  const cat = CATEGORIES.indexOf(category as (typeof CATEGORIES)[number]);
  const rows = rowsIn(data, scope, data.maxAt - days * DAY, Infinity).filter((i) => data.category[i] === cat);
  const read = knoxEventsFromIncidents(data, rows);
  const bands = { sbands: [0, 100, 200, 400], tbands: [0, 7, 14, 21, 28], distance: "manhattan" as const };
  if (read.events.x.length < 3) return { category, days, events: read.events.x.length, summary: null };
  const summary = knoxTest(read.events, { ...bands, sims: 99, seed: 1 });
  return { category, days, events: read.events.x.length, summary };
}

/** Six-element completeness per station over the last 30 days (share of records with each field). */
export function qualityScorecards(data: DashboardData, scope: Scope) {
  const rows = rowsIn(data, scope, data.maxAt - 30 * DAY, Infinity);
  const flags = [MISSING_ADDRESS, MISSING_COORDS, MISSING_ARRIVAL, MISSING_FEEDBACK, MISSING_DISPOSITION];
  const per = new Map<number, { n: number; missing: number[] }>();
  for (const i of rows) {
    const s = data.station[i]!;
    let e = per.get(s);
    if (!e) {
      e = { n: 0, missing: flags.map(() => 0) };
      per.set(s, e);
    }
    e.n++;
    const m = data.missing[i]!;
    flags.forEach((f, k) => {
      if (m & f) e.missing[k]!++;
    });
  }
  const fields = ["address", "coordinates", "arrival", "feedback", "disposition"];
  const units = [...per.entries()]
    .map(([s, e]) => {
      const complete = e.missing.map((m) => (e.n > 0 ? 1 - m / e.n : 1));
      return {
        unit: data.units[s] || "—",
        incidents: e.n,
        complete: Object.fromEntries(fields.map((f, k) => [f, complete[k]!])),
        score: Math.round((100 * complete.reduce((a, b) => a + b, 0)) / complete.length),
      };
    })
    .sort((a, b) => a.score - b.score);
  const noUnit = rows.reduce((n, i) => n + (data.missing[i]! & MISSING_UNIT ? 1 : 0), 0);
  return { fields, units, incidents: rows.length, noUnit };
}

/** Calls per ISO week of a series, for the timeline and the outcome chart. */
function weeklyCounts(times: readonly number[]) {
  const weeks = new Map<number, number>();
  for (const t of times) {
    const w = Math.floor((t / DAY + 3) / 7);
    weeks.set(w, (weeks.get(w) ?? 0) + 1);
  }
  const keys = [...weeks.keys()].sort((a, b) => a - b);
  if (keys.length === 0) return [];
  const out = [];
  for (let w = keys[0]!; w <= keys[keys.length - 1]!; w++)
    out.push({ week: dayLabel(w * 7 - 3), count: weeks.get(w) ?? 0 });
  return out;
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/**
 * Dashboard routes: every one declares its permission and audit name, so the hooks of
 * routes.ts authenticate, authorise and audit them like the rest of the API; the scope comes
 * from scopeOf(principal), never from the request.
 */
export function registerDashboardRoutes(
  app: FastifyInstance,
  storeOf: () => Store | undefined,
  clock: Clock,
): DashboardCache {
  const cache = new DashboardCache();
  caches.set(app, cache);
  const scopeFor = (request: FastifyRequest) => scopeOf(request.principal!);
  /** The columns, or undefined after sending 503 while they load. */
  const dataFor = (request: FastifyRequest, reply: import("fastify").FastifyReply) => {
    const store = storeOf();
    const data = store ? cache.get(store) : undefined;
    if (!data) {
      sendError(
        reply,
        503,
        "loading",
        "正在汇总数据，请稍候",
        "Summarising the data, one moment",
        langOf(request),
      );
      return undefined;
    }
    return data;
  };

  // Public: the map settings and the names of the bundled import profiles, nothing about data.
  app.get("/api/v1/dashboard/config", async () => ({
    tileUrl: dashboardSettings.tileUrl ?? process.env.RECUR_TILE_URL ?? null,
    mapDatum: mapDatum(),
    boundaries: Boolean(process.env.RECUR_BOUNDARIES),
    profiles: bundledProfileNames(),
  }));

  // The deployment's local boundaries (RECUR_BOUNDARIES, a GeoJSON file) for the offline map.
  app.get("/api/v1/dashboard/boundaries", { config: { session: true } }, async (request, reply) => {
    const lang = langOf(request);
    const path = process.env.RECUR_BOUNDARIES;
    if (!path)
      return sendError(
        reply,
        404,
        "no_boundaries",
        "未配置辖区边界（RECUR_BOUNDARIES）",
        "No boundaries are configured (RECUR_BOUNDARIES)",
        lang,
      );
    try {
      return await localBoundaries(path, mapDatum());
    } catch (error) {
      return sendError(
        reply,
        500,
        "bad_boundaries",
        `辖区边界文件无法读取：${path}：${(error as Error).message}`,
        `The boundaries file cannot be read: ${path}: ${(error as Error).message}`,
        lang,
      );
    }
  });

  app.get(
    "/api/v1/dashboard/overview",
    { config: { permission: "incidents.read", audit: "dashboard.overview" } },
    async (request, reply) => {
      const data = dataFor(request, reply);
      if (!data) return reply;
      const lang = langOf(request);
      const scope = scopeFor(request);
      return cache.cached(`overview:${lang}:${scopeKey(scope)}`, () => overview(data, scope, lang));
    },
  );

  app.get(
    "/api/v1/dashboard/series",
    { config: { permission: "series.read", audit: "series.list" } },
    async (request, reply) => {
      const data = dataFor(request, reply);
      if (!data) return reply;
      const q = request.query as Record<string, string | undefined>;
      const filter: SeriesFilter = {
        ...(q.kind && ["place", "caller", "matter"].includes(q.kind) ? { kind: q.kind } : {}),
        ...(q.level && (WARNING_LEVELS as readonly string[]).includes(q.level) ? { level: q.level } : {}),
        ...(q.group && q.group.length < 40 ? { group: q.group } : {}),
      };
      const lang = langOf(request);
      const scope = scopeFor(request);
      return cache.cached(`series:${lang}:${scopeKey(scope)}:${JSON.stringify(filter)}`, () =>
        seriesList(data, scope, filter, lang),
      );
    },
  );

  app.get(
    "/api/v1/dashboard/series/:id",
    { config: { permission: "series.read", audit: "series.view" } },
    async (request, reply) => {
      const data = dataFor(request, reply);
      if (!data) return reply;
      const lang = langOf(request);
      const id = (request.params as { id: string }).id;
      const row = data.seriesById.get(id);
      const keep = scopeFilter(data, scopeFor(request));
      if (!row || (keep && !keep(row.branch, row.station, row.area)))
        return sendError(
          reply,
          404,
          "not_found",
          "系列不存在或不在辖区内",
          "No such series in your scope",
          lang,
        );
      const s = row.series;
      const store = storeOf()!;
      const system = data.sourceSystems[data.sourceSystem[row.firstRow] ?? 0] ?? "";
      const ids = data.index.sourceIdsOf(s, 300);
      const incidents = (await Promise.all(ids.map((sid) => store.incidents.get(system, sid))))
        .filter((x): x is Incident => x !== undefined)
        .sort((a, b) => a.receivedAt - b.receivedAt);
      return {
        series: {
          id: s.id,
          kind: s.kind,
          level: row.warning,
          group: s.group,
          groupLabel: GROUP_LABELS[s.group]?.[lang] ?? s.group,
          place: placeName(s.locationKey, lang),
          locationKey: s.locationKey,
          protective: s.protective,
          start: s.start,
          end: s.end,
          events: s.events.length,
          calls: s.calls,
          escalation: s.escalation,
          surprise: {
            observed: s.surprise.observed,
            expected: s.surprise.expected,
            pValue: s.surprise.pValue,
          },
          explanation: explainSeries(data.index, s)[lang],
          branchUnit: data.units[row.branch] || null,
          stationUnit: data.units[row.station] || null,
        },
        incidents: incidents.map((x) => publicIncident(x, mapDatum(), lang)),
        weekly: weeklyCounts(incidents.map((x) => x.receivedAt)),
      };
    },
  );

  app.get(
    "/api/v1/dashboard/analysis",
    { config: { permission: "series.read", audit: "analysis.view" } },
    async (request, reply) => {
      const data = dataFor(request, reply);
      if (!data) return reply;
      const raw = Number((request.query as { days?: string }).days ?? 90);
      const days = [30, 90, 365].includes(raw) ? raw : 90;
      const scope = scopeFor(request);
      return cache.cached(`analysis:${days}:${scopeKey(scope)}`, () => analysis(data, scope, days));
    },
  );

  app.get(
    "/api/v1/dashboard/knox",
    { config: { permission: "series.read", audit: "analysis.knox" } },
    async (request, reply) => {
      const data = dataFor(request, reply);
      if (!data) return reply;
      const q = request.query as { category?: string; days?: string };
      const category = (KNOX_CATEGORIES as readonly string[]).includes(q.category ?? "")
        ? q.category!
        : "criminal";
      const days = [30, 90, 365].includes(Number(q.days)) ? Number(q.days) : 90;
      const scope = scopeFor(request);
      return cache.cached(`knox:${category}:${days}:${scopeKey(scope)}`, () =>
        knox(data, scope, category, days),
      );
    },
  );

  app.get(
    "/api/v1/dashboard/quality",
    { config: { permission: "incidents.read", audit: "quality.view" } },
    async (request, reply) => {
      const data = dataFor(request, reply);
      if (!data) return reply;
      const scope = scopeFor(request);
      const cards = cache.cached(`quality:${scopeKey(scope)}`, () => qualityScorecards(data, scope));
      const store = storeOf()!;
      const batches = (await store.batches.list()).slice(-20).reverse();
      return { ...cards, batches };
    },
  );

  app.get(
    "/api/v1/dashboard/indicators",
    { config: { permission: "reports.export", audit: "indicators.view" } },
    async (request, reply) => {
      const data = dataFor(request, reply);
      if (!data) return reply;
      const lang = langOf(request);
      const month = (request.query as { month?: string }).month;
      const scope = scopeFor(request);
      const last = new Date(data.maxAt + 8 * 3600_000).toISOString().slice(0, 7);
      const label = month && MONTH.test(month) ? month : last;
      const base = cache.cached(`ind:${label}:${scopeKey(scope)}`, () =>
        monthIndicators(data, scope, label, lang),
      );
      // The full monthly indicators of issue 7 (rollups, cases, quality), for the user's scope.
      const store = storeOf();
      const indicators =
        store && (scope.kind === "all" || scope.kind === "unit")
          ? await cache.cached(`indicators:${label}:${scopeKey(scope)}`, () =>
              import("../store/indicator-rollups.ts")
                .then((m) =>
                  m.storeIndicators(
                    store,
                    scope.kind === "unit"
                      ? { period: "month", label, level: scope.level, unit: scope.code }
                      : { period: "month", label },
                  ),
                )
                .catch(() => null),
            )
          : null;
      return { ...base, indicators };
    },
  );

  app.get(
    "/api/v1/dashboard/report",
    { config: { permission: "reports.export", audit: "report.export" } },
    async (request, reply) => {
      const lang = langOf(request);
      const q = request.query as { month?: string; format?: string };
      if (!q.month || !MONTH.test(q.month) || (q.format !== "xlsx" && q.format !== "pdf"))
        return sendError(
          reply,
          400,
          "invalid_query",
          "请选择月份和格式",
          "Choose a month and a format",
          lang,
        );
      const store = storeOf();
      if (!store)
        return sendError(reply, 503, "loading", "服务正在准备", "The server is still preparing", lang);
      const scope = scopeFor(request);
      if (scope.kind !== "all" && scope.kind !== "unit")
        return sendError(reply, 403, "forbidden", "无权导出", "Not allowed", lang);
      const bytes = await monthlyReportFile(store, q.month, q.format, scope, lang);
      if (bytes === "no-font")
        return sendError(
          reply,
          500,
          "no_font",
          "服务器缺少中文字体（fonts-noto-cjk），无法生成 PDF",
          "The server has no CJK font (fonts-noto-cjk) for the PDF",
          lang,
        );
      reply.header("Content-Disposition", `attachment; filename="recur-report-${q.month}.${q.format}"`);
      reply.type(
        q.format === "xlsx"
          ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          : "application/pdf",
      );
      return bytes;
    },
  );

  app.register(async (scoped) => {
    // Uploads: up to 200 MB of raw bytes, parsed by the import pipeline, not by fastify.
    scoped.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: 200 * 1024 * 1024 }, (_r, body, done) =>
      done(null, body),
    );
    scoped.post(
      "/api/v1/dashboard/import",
      { config: { permission: "data.import", audit: "data.import" }, bodyLimit: 200 * 1024 * 1024 },
      async (request, reply) => {
        const lang = langOf(request);
        const store = storeOf();
        if (!store)
          return sendError(reply, 503, "loading", "服务正在准备", "The server is still preparing", lang);
        const q = request.query as { profile?: string; name?: string };
        const profileName = q.profile ?? "";
        if (!bundledProfileNames().includes(profileName))
          return sendError(reply, 400, "unknown_profile", "请选择导入配置", "Choose an import profile", lang);
        const name = (q.name ?? "upload.csv").replace(/[^\w.\-\u4e00-\u9fa5]/g, "_").slice(-100);
        if (!/\.(csv|xlsx|jsonl|txt)$/i.test(name))
          return sendError(
            reply,
            400,
            "bad_file",
            "只支持 CSV、XLSX 或 JSONL 文件",
            "Only CSV, XLSX or JSONL files",
            lang,
          );
        const body = request.body;
        if (!Buffer.isBuffer(body) || body.length === 0)
          return sendError(reply, 400, "empty_file", "文件为空", "The file is empty", lang);
        const dir = await mkdtemp(join(tmpdir(), "recur-upload-"));
        const path = join(dir, name);
        try {
          await writeFile(path, body);
          const profile = await loadProfile(profileName);
          const keys = await loadOrCreateSecret(secretPath());
          const summary = await importFile({
            path,
            profile,
            profileRef: profileName,
            store,
            batchId: asBatchId(randomUUID()),
            keys,
            clock,
            locator: createAddressLocator({
              region: profile.region ?? null,
              datum: "wgs84",
              // The store's place dictionary, as every import keys with (src/store/place-dictionary.ts).
              dictionary: await loadPlaceDictionary(store),
            }),
          });
          cache.refresh(store);
          repeatIndexImported(app);
          const render = (issue: (typeof summary.sampleRejections)[number]) => ({
            ...issue,
            message: renderIssue(issue, INGEST_MESSAGES, lang),
          });
          return {
            ...summary,
            sampleRejections: summary.sampleRejections.map(render),
            sampleWarnings: summary.sampleWarnings.map(render),
          };
        } catch (error) {
          if (isRecurError(error))
            return reply.status(422).send({ error: { code: error.code, message: error.messages[lang] } });
          throw error;
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      },
    );
  });

  app.get(
    "/api/v1/dashboard/import/:id/rejected.csv",
    { config: { permission: "data.import", audit: "data.rejected.export" } },
    async (request, reply) => {
      const lang = langOf(request);
      const store = storeOf();
      if (!store)
        return sendError(reply, 503, "loading", "服务正在准备", "The server is still preparing", lang);
      const id = asBatchId((request.params as { id: string }).id);
      const rows = await store.quarantine.list(id, 100_000);
      // The rejected record itself stays encrypted in the quarantine; the file lists where and why.
      const head = lang === "zh" ? "文件,行,字段,代码,值,原因" : "file,row,field,code,value,reason";
      const cell = (v: unknown) => {
        const s = String(v ?? "");
        const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
        return /[",\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
      };
      const lines = [head];
      for (const r of rows)
        for (const stored of r.issues) {
          // Quoted values stored by an import before they were masked are masked here too.
          const issue = withMaskedValue(stored);
          lines.push(
            [
              r.file,
              r.row,
              issue.field,
              issue.code,
              issue.value,
              renderIssue(issue as never, INGEST_MESSAGES, lang),
            ]
              .map(cell)
              .join(","),
          );
        }
      reply.header("Content-Disposition", `attachment; filename="rejected-${id.slice(0, 8)}.csv"`);
      reply.type("text/csv; charset=utf-8");
      return `\ufeff${lines.join("\r\n")}\r\n`;
    },
  );

  return cache;
}

/** Per-unit figures of one month against the month before (counts, arrival, repeat series). */
export function monthIndicators(data: DashboardData, scope: Scope, label: string, lang: Lang) {
  const [y, m] = label.split("-").map(Number) as [number, number];
  const offset = 8 * 3600_000;
  const from = Date.UTC(y, m - 1, 1) - offset;
  const to = Date.UTC(y, m, 1) - offset;
  const prevFrom = Date.UTC(y, m - 2, 1) - offset;
  const keep = scopeFilter(data, scope);
  const per = new Map<
    number,
    { total: number; previous: number; arr: number; arrN: number; series: number }
  >();
  const entry = (s: number) => {
    let e = per.get(s);
    if (!e) {
      e = { total: 0, previous: 0, arr: 0, arrN: 0, series: 0 };
      per.set(s, e);
    }
    return e;
  };
  for (let i = 0; i < data.n; i++) {
    const t = data.receivedAt[i]!;
    if (t < prevFrom || t >= to) continue;
    if (keep && !keep(data.branch[i]!, data.station[i]!, data.area[i]!)) continue;
    const e = entry(data.station[i]!);
    if (t < from) e.previous++;
    else {
      e.total++;
      const a = data.arrivalMin[i]!;
      if (!Number.isNaN(a) && a >= 0 && a < 240) {
        e.arr += a;
        e.arrN++;
      }
    }
  }
  for (const s of data.series)
    if (s.series.end >= from && s.series.start < to && (!keep || keep(s.branch, s.station, s.area)))
      entry(s.station).series++;
  const units = [...per.entries()]
    .map(([s, e]) => ({
      unit: data.units[s] || (lang === "zh" ? "未分配" : "unassigned"),
      total: e.total,
      previous: e.previous,
      change: e.previous > 0 ? (e.total - e.previous) / e.previous : null,
      meanArrivalMin: e.arrN > 0 ? e.arr / e.arrN : null,
      series: e.series,
    }))
    .sort((a, b) => b.total - a.total);
  const months: string[] = [];
  for (let t = data.minAt; t <= data.maxAt + 31 * DAY; t += 28 * DAY) {
    const l = new Date(t + offset).toISOString().slice(0, 7);
    if (!months.includes(l) && t <= data.maxAt) months.push(l);
  }
  return { month: label, months, units };
}

/** The monthly report (analysis/report model) written as Excel or PDF, for the user's scope. */
async function monthlyReportFile(
  store: Store,
  month: string,
  format: "xlsx" | "pdf",
  scope: Scope,
  lang: Lang,
): Promise<Buffer | "no-font"> {
  const { indicatorRanges, loadIncidentColumns } = await import("../store/incident-columns.ts");
  const { periodIndex, periodIndicators, periodLabelIndex } = await import("../analysis/indicators/index.ts");
  const { monthlyReport } = await import("../analysis/report/model.ts");
  const { writeXlsx, writePdf, findCjkFont } = await import("../cli/commands/report.ts");
  const unit = scope.kind === "unit" ? scope.code : undefined;
  const level = scope.kind === "unit" && scope.level !== "station" ? scope.level : "station";
  const cols = await loadIncidentColumns(store, {
    ranges: indicatorRanges(month, "month"),
    level,
    ...(unit ? { unit } : {}),
  });
  const indicators = periodIndicators(cols, {
    period: "month",
    label: month,
    rankBy: "total",
    ...(unit ? { unit } : {}),
  });
  const index = periodIndex(cols, "month");
  const current = periodLabelIndex(month, "month");
  const members = Array.from(index.keys()).filter((i) => index[i] === current);
  const lat = Float64Array.from(members, (i) => cols.lat[i]!);
  const lon = Float64Array.from(members, (i) => cols.lon[i]!);
  const hot = giStar(cellCounts(lat, lon, 9))
    .filter((g) => g.class.startsWith("hot"))
    .sort((a, b) => b.z - a.z);
  const heatmap = hourWeekHeatmap(cols.receivedAt, null, cols.utcOffsetMin, members);
  const doc = monthlyReport({
    indicators,
    hotspots: hot,
    heatmap,
    scope: unit ?? (lang === "zh" ? "全部单位" : "all units"),
    lang,
  });
  const dir = await mkdtemp(join(tmpdir(), "recur-report-"));
  const out = join(dir, `report.${format}`);
  try {
    if (format === "xlsx") await writeXlsx(doc, out);
    else {
      const font = findCjkFont(process.env);
      if (!font && lang === "zh") return "no-font";
      await writePdf(doc, out, font);
    }
    return existsSync(out) ? await readFile(out) : Buffer.alloc(0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
