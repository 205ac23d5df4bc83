import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import {
  AREA_BOUNDARY_LIMITS,
  AREA_BOUNDARY_MESSAGES,
  type AreaBoundaries,
  type AreaBoundaryIssueCode,
  areaLabelPoint,
} from "../address/boundaries.ts";
import { convertPoint, DATUMS } from "../address/geo.ts";
import { type Issue, type Lang, renderIssue } from "../domain/index.ts";
import {
  areaBoundariesInfo,
  clearAreaBoundaries,
  loadAreaBoundaries,
  saveAreaBoundaries,
  storeJurisdictions,
} from "../store/area-boundaries.ts";
import { registryRepository } from "../store/registry-repository.ts";
import type { Store } from "../store/types.ts";
import { can } from "./access.ts";
import { mapDatum } from "./dashboard-routes.ts";
import { langOf, type Services, sendError } from "./routes.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Who may call a route that decides in its handler (several permissions), for the OpenAPI document. */
    summary?: string;
  }
}

/**
 * The store's community police area boundaries over HTTP (src/store/area-boundaries.ts): read by
 * whoever sees incidents or manages the rules, replaced and cleared by the holders of
 * `rules.manage` (audited), and served to the dashboard's map in its datum with a label point and
 * name per area. Imports (the wizard, POST /api/v1/incidents) read them from the store themselves.
 */

const PutBody = z
  .object({
    boundaries: z
      .unknown()
      .describe(
        "a GeoJSON FeatureCollection of Polygon/MultiPolygon features, one per community police area, its code in the property `idProperty` (checked: errors answer 400 with `issues`)",
      ),
    idProperty: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe('the property holding the area code (default "id")'),
    datum: z
      .enum(DATUMS)
      .optional()
      .describe("the datum of the coordinates (default wgs84); stored as WGS-84"),
  })
  .strict();

const GetQuery = z
  .object({
    geometry: z.enum(["true", "false"]).optional().describe("false: the summary only (default true)"),
  })
  .strict();

/** Who may read the boundaries: they are geography, not personal data, for every map user and the admins. */
const mayRead = (request: FastifyRequest) =>
  request.principal !== undefined &&
  (can(request.principal.role, "incidents.read") || can(request.principal.role, "rules.manage"));

/** An issue as the API gives it: the shape of the other routes' issues, with the feature's number. */
const issueOut = (issue: Issue<AreaBoundaryIssueCode>, lang: Lang) => ({
  row: null,
  field: null,
  feature: typeof issue.params?.n === "number" ? issue.params.n : null,
  code: issue.code,
  severity: issue.severity,
  message: renderIssue(issue, AREA_BOUNDARY_MESSAGES, lang),
});

/** Names of the areas: the unit registry's, else the feature's own name property, else the code. */
async function areaNames(store: Store, boundaries: AreaBoundaries): Promise<Map<string, string>> {
  const registry = new Map(
    (await registryRepository(store).units()).filter((u) => u.level === "area").map((u) => [u.code, u.name]),
  );
  const names = new Map<string, string>();
  for (const f of boundaries.features) {
    const own = [f.properties.name, f.properties.名称, f.properties.NAME].find(
      (v): v is string => typeof v === "string" && v.trim() !== "",
    );
    names.set(f.id, registry.get(f.id) ?? own?.trim() ?? f.id);
  }
  return names;
}

/** The map's view of the boundaries: outlines in the map's datum, and one labelled point per area. */
async function mapView(store: Store, boundaries: AreaBoundaries, datum: "wgs84" | "gcj02") {
  const names = await areaNames(store, boundaries);
  const convert = (ring: number[][]) =>
    datum === "wgs84" ? ring : ring.map((p) => convertPoint(p as [number, number], "wgs84", datum));
  return {
    type: "FeatureCollection" as const,
    features: boundaries.features.map((f) => ({
      type: "Feature" as const,
      id: f.id,
      properties: { id: f.id, name: names.get(f.id) ?? f.id },
      geometry:
        f.geometry.type === "Polygon"
          ? { type: "Polygon" as const, coordinates: f.geometry.coordinates.map(convert) }
          : { type: "MultiPolygon" as const, coordinates: f.geometry.coordinates.map((p) => p.map(convert)) },
    })),
    labels: boundaries.features.map((f) => {
      const [x, y] = areaLabelPoint(f);
      const [lon, lat] = datum === "wgs84" ? [x, y] : convertPoint([x, y], "wgs84", datum);
      return { id: f.id, name: names.get(f.id) ?? f.id, lon, lat };
    }),
  };
}

export function registerAreaBoundaryRoutes(app: FastifyInstance, services: () => Services | undefined): void {
  // The map's view, made again only when the boundaries (their digest), the datum or the store change.
  let mapCache: { store: Store; key: string; value: Promise<unknown> } | undefined;

  const forbidden = (reply: FastifyReply, lang: Lang) =>
    sendError(reply, 403, "forbidden", "无权执行此操作", "Not allowed", lang);

  app.get(
    "/api/v1/area-boundaries",
    {
      config: {
        session: true,
        query: GetQuery,
        summary:
          "Needs incidents.read or rules.manage: the summary (`info`, null when none) and the GeoJSON (WGS-84)",
      },
    },
    async (request, reply) => {
      const lang = langOf(request);
      if (!mayRead(request)) return forbidden(reply, lang);
      const { store } = services()!;
      const query = GetQuery.safeParse(request.query ?? {});
      const info = (await areaBoundariesInfo(store)) ?? null;
      if (query.success && query.data.geometry === "false") return { info };
      const boundaries = info ? await loadAreaBoundaries(store) : undefined;
      return {
        info,
        boundaries: boundaries
          ? {
              type: "FeatureCollection",
              features: boundaries.features,
            }
          : null,
      };
    },
  );

  app.get(
    "/api/v1/area-boundaries/map",
    {
      config: {
        session: true,
        summary:
          "Needs incidents.read or rules.manage: the outlines in the map's datum (RECUR_MAP_DATUM) with `id` and `name`, and `labels` (a point inside each area); no features when there are none",
      },
    },
    async (request, reply) => {
      const lang = langOf(request);
      if (!mayRead(request)) return forbidden(reply, lang);
      const { store } = services()!;
      const index = await storeJurisdictions(store);
      if (!index) return { type: "FeatureCollection", features: [], labels: [] };
      const datum = mapDatum();
      const key = `${index.info.digest}|${datum}`;
      if (mapCache?.store !== store || mapCache.key !== key) {
        const value = mapView(store, index.boundaries, datum);
        mapCache = { store, key, value };
        value.catch(() => {
          if (mapCache?.value === value) mapCache = undefined;
        });
      }
      return mapCache.value;
    },
  );

  app.put(
    "/api/v1/area-boundaries",
    {
      // A city's boundaries may be tens of MB before they are checked against the limit.
      bodyLimit: AREA_BOUNDARY_LIMITS.maxBytes + 1024 * 1024,
      config: { permission: "rules.manage", audit: "area_boundaries.save", body: PutBody },
    },
    async (request, reply) => {
      const lang = langOf(request);
      const body = PutBody.safeParse(request.body);
      if (!body.success)
        return sendError(
          reply,
          400,
          "invalid_body",
          "请求须为 {boundaries: GeoJSON FeatureCollection, idProperty?, datum?: wgs84|gcj02|bd09}",
          "The body must be {boundaries: a GeoJSON FeatureCollection, idProperty?, datum?: wgs84|gcj02|bd09}",
          lang,
        );
      const { store, clock } = services()!;
      const length = Number(request.headers["content-length"]);
      const saved = await saveAreaBoundaries(store, body.data.boundaries, {
        ...(body.data.idProperty !== undefined ? { idProperty: body.data.idProperty } : {}),
        ...(body.data.datum !== undefined ? { datum: body.data.datum } : {}),
        ...(Number.isFinite(length) ? { bytes: length } : {}),
        at: clock.now(),
      });
      if (!saved.ok) {
        request.auditDetail = { saved: false, errors: saved.errors };
        const first = saved.issues.find((i) => i.severity === "error");
        const more =
          saved.errors > 1
            ? lang === "zh"
              ? `（共 ${saved.errors} 处错误）`
              : ` (${saved.errors} errors in all)`
            : "";
        return reply.status(400).send({
          error: {
            code: "invalid_boundaries",
            message: (first ? renderIssue(first, AREA_BOUNDARY_MESSAGES, lang) : "") + more,
            errors: saved.errors,
            issues: saved.issues.map((i) => issueOut(i, lang)),
          },
        });
      }
      const { info, changed } = saved;
      request.auditDetail = {
        saved: true,
        changed,
        areas: info.areas,
        polygons: info.polygons,
        vertices: info.vertices,
        datum: info.sourceDatum,
        idProperty: info.idProperty,
        digest: info.digest,
      };
      return { changed, info, issues: saved.issues.map((i) => issueOut(i, lang)) };
    },
  );

  app.delete(
    "/api/v1/area-boundaries",
    { config: { permission: "rules.manage", audit: "area_boundaries.clear" } },
    async (request) => {
      const { store } = services()!;
      const changed = await clearAreaBoundaries(store);
      request.auditDetail = { changed };
      return { changed };
    },
  );
}
