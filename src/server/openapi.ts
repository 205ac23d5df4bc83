import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { ROLE_PERMISSIONS, ROLES } from "./access.ts";

/** A route as registered, with what the OpenAPI document says about it. */
export interface CatalogRoute {
  readonly method: string;
  readonly url: string;
  readonly permission: string | null;
  readonly audit: string | null;
  readonly body: z.ZodType | undefined;
  readonly query: z.ZodType | undefined;
  /** Who may call a route that decides in its handler (config.summary), instead of one permission. */
  readonly summary?: string;
}

const ErrorBody = z.object({
  error: z.object({
    code: z.string().describe("stable machine-readable code"),
    message: z.string().describe("in the user's language (Accept-Language or ?lang=zh|en)"),
    issues: z
      .array(
        z.object({
          row: z.number().nullable(),
          field: z.string().nullable(),
          code: z.string(),
          message: z.string(),
        }),
      )
      .optional(),
  }),
});

/** The roles holding a permission, for the document's reader. */
function rolesWith(permission: string): string[] {
  return ROLES.filter((r) => (ROLE_PERMISSIONS[r] as readonly string[]).includes(permission));
}

function jsonSchema(schema: z.ZodType) {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
    target: "draft-2020-12",
  });
  return rest;
}

/** OpenAPI 3.1 path of a Fastify url: `/api/v1/cases/:id` → `/api/v1/cases/{id}`. */
export const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");

/**
 * OpenAPI 3.1 document of every /api route, generated from the routes as registered: their
 * zod schemas (body, query), permission, audit action and path parameters.
 */
export function openApiDocument(routes: readonly CatalogRoute[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    if (!r.url.startsWith("/api/") || r.method === "HEAD") continue;
    const path = openApiPath(r.url);
    const parameters: unknown[] = [...r.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    if (r.query) {
      const schema = jsonSchema(r.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, s] of Object.entries(schema.properties ?? {}))
        parameters.push({ name, in: "query", required: schema.required?.includes(name) ?? false, schema: s });
    }
    const responses: Record<string, unknown> = {
      "200": { description: "OK", content: { "application/json": { schema: {} } } },
      "400": {
        description: "Invalid input",
        content: { "application/json": { schema: jsonSchema(ErrorBody) } },
      },
    };
    if (r.permission) {
      responses["401"] = { description: "Not logged in" };
      responses["403"] = {
        description: "The role lacks the permission, or the password must be changed first",
      };
    }
    const item = paths[path] ?? {};
    paths[path] = item;
    item[r.method.toLowerCase()] = {
      operationId: `${r.method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ""))}`,
      summary:
        r.summary ??
        (r.permission
          ? `Needs ${r.permission} (${rolesWith(r.permission).join(", ")})`
          : "Public, or any logged-in user"),
      "x-permission": r.permission,
      "x-roles": r.permission ? rolesWith(r.permission) : null,
      "x-audit": r.audit,
      ...(r.permission || r.summary ? { security: [{ session: [] }] } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(r.body
        ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(r.body) } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "recur API",
      version,
      description:
        "Repeat 110 calls, cases and outcomes. Every request is authorised by the role's permission, limited to the user's jurisdiction and audited in a hash-chained log (docs/server.md).",
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    components: {
      securitySchemes: { session: { type: "apiKey", in: "cookie", name: "recur_session" } },
    },
    paths,
  };
}

/**
 * Collects every route registered after it and serves the document at GET /api/v1/openapi.json.
 * Call it first in buildApp so that it sees all routes.
 */
export function registerOpenApi(app: FastifyInstance, version: string): readonly CatalogRoute[] {
  const routes: CatalogRoute[] = [];
  app.addHook("onRoute", (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const config = (route.config ?? {}) as {
      permission?: string;
      audit?: string;
      body?: z.ZodType;
      query?: z.ZodType;
      summary?: string;
    };
    for (const method of methods)
      routes.push({
        method: String(method).toUpperCase(),
        url: route.url,
        permission: config.permission ?? null,
        audit: config.audit ?? null,
        body: config.body,
        query: config.query,
        ...(config.summary ? { summary: config.summary } : {}),
      });
  });
  let cached: string | undefined;
  app.get("/api/v1/openapi.json", async (_request, reply) => {
    cached ??= JSON.stringify(openApiDocument(routes, version));
    reply.type("application/json; charset=utf-8");
    return cached;
  });
  return routes;
}
