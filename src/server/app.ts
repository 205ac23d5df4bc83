import Fastify, { type FastifyInstance } from "fastify";
import { asEpochMs, type Clock, type Lang } from "../domain/index.ts";
import { serverRepository } from "../store/server-repository.ts";
import type { Store } from "../store/types.ts";
import { registerAddressKeysRoutes } from "./address-keys-routes.ts";
import { registerAreaBoundaryRoutes } from "./area-boundary-routes.ts";
import { registerAttachmentRoutes } from "./attachment-routes.ts";
import { Auth } from "./auth.ts";
import { registerDashboardRoutes } from "./dashboard-routes.ts";
import { renderHomePage } from "./home-page.ts";
import { registerImportRoutes } from "./import-routes.ts";
import { registerOpenApi } from "./openapi.ts";
import { registerQualityRoutes } from "./quality-routes.ts";
import { registerRegistryRoutes } from "./registry-routes.ts";
import { registerRepeatRoutes, repeatIndexImported } from "./repeat-routes.ts";
import { registerApiRoutes, type Services } from "./routes.ts";
import { registerRulesRoutes } from "./rules-routes.ts";
import { deploymentSecret } from "./secret.ts";
import { registerWebApp } from "./web-app.ts";

/** What the server is doing: a demo start serves at once and loads the demo city in the background. */
export interface ServerStatus {
  phase: "loading" | "ready" | "failed";
  /** Progress or failure text for the page, in both languages. */
  detail: Readonly<Record<Lang, string>>;
}

export interface AppOptions {
  /** The store, or undefined while it is still being prepared. */
  readonly store: () => Store | undefined;
  readonly status: () => ServerStatus;
  readonly version: string;
  /** The server's clock; tests pass a simulated one for timeouts and lockout windows. */
  readonly clock?: Clock;
  /** Login attempts allowed per client address per minute (default 10). */
  readonly loginsPerMinute?: number;
  /** Deployment secret file for caller pseudonyms (default RECUR_SECRET or ./recur.secret). */
  readonly secretPath?: string;
}

const wallClock: Clock = { now: () => asEpochMs(Date.now()) };

/**
 * The HTTP application: JSON API under /api and the web pages, on one port. Tested through
 * `app.inject` (no port); `serve.ts` binds it.
 */
export function buildApp(options: AppOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 1_048_576 });
  registerOpenApi(app, options.version);

  app.addHook("onSend", async (_request, reply, payload) => {
    reply.header("X-Content-Type-Options", "nosniff");
    reply.header("X-Frame-Options", "DENY");
    reply.header("Referrer-Policy", "no-referrer");
    reply.header("Content-Security-Policy", contentSecurityPolicy());
    return payload;
  });

  app.setErrorHandler(async (raw, request, reply) => {
    const error = raw as { statusCode?: number; code?: string; message: string };
    const lang = preferredLang(request.headers["accept-language"]);
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    const message = status < 500 ? error.message : lang === "zh" ? "服务器内部错误" : "Internal server error";
    return reply.status(status).send({ error: { code: error.code ?? "internal", message } });
  });

  const clock = options.clock ?? wallClock;
  let services: Services | undefined;
  const servicesNow = () => {
    const store = options.store();
    if (!store) return undefined;
    if (services?.store !== store) {
      const repo = serverRepository(store);
      const encKey = async () => (await deploymentSecret(options.secretPath)()).encKey;
      services = { store, repo, auth: new Auth(repo, clock, undefined, encKey), clock, encKey };
    }
    return services;
  };
  registerApiRoutes(app, options.loginsPerMinute ?? 10, servicesNow);
  registerRegistryRoutes(app, servicesNow);
  registerAttachmentRoutes(app, servicesNow);
  registerRulesRoutes(app, servicesNow);
  registerAddressKeysRoutes(app, servicesNow);
  registerAreaBoundaryRoutes(app, servicesNow);
  registerQualityRoutes(app, servicesNow);
  registerRepeatRoutes(app, { store: options.store, secretPath: options.secretPath });

  const dashboardCache = registerDashboardRoutes(app, options.store, clock);
  registerImportRoutes(app, {
    store: options.store,
    clock,
    secretPath: options.secretPath,
    // New incidents reach the dashboard's data and the dispatch-time index (incrementally).
    imported: (store) => {
      dashboardCache.refresh(store);
      repeatIndexImported(app);
    },
  });
  registerWebApp(app);

  app.get("/api/health", async () => {
    const status = options.status();
    return { status: "ok", phase: status.phase, version: options.version };
  });

  app.get("/api/v1/summary", async (_request, reply) => {
    const store = options.store();
    if (!store)
      return reply.status(503).send({ error: { code: "loading", message: options.status().detail.en } });
    const [incidents, batches] = await Promise.all([store.incidents.count(), store.batches.list()]);
    return { incidents, batches: batches.length };
  });

  app.get("/start", async (request, reply) => {
    const lang = langFromQuery(request.query) ?? preferredLang(request.headers["accept-language"]);
    const store = options.store();
    const incidents = store ? await store.incidents.count() : undefined;
    reply.type("text/html; charset=utf-8");
    return renderHomePage({ lang, status: options.status(), incidents, version: options.version });
  });

  return app;
}

/** Same-origin only, except the configured map tile server; MapLibre needs blob: workers. */
function contentSecurityPolicy(): string {
  let tiles = "";
  try {
    if (process.env.RECUR_TILE_URL)
      tiles = ` ${new URL(process.env.RECUR_TILE_URL.replace(/[{}]/g, "")).origin}`;
  } catch {
    tiles = "";
  }
  return `default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:${tiles}; connect-src 'self'${tiles}; worker-src 'self' blob:; child-src blob:`;
}

function langFromQuery(query: unknown): Lang | undefined {
  const value = (query as { lang?: unknown } | undefined)?.lang;
  return value === "en" || value === "zh" ? value : undefined;
}

/** Chinese first: English only when the browser prefers it over Chinese. */
export function preferredLang(header: string | undefined): Lang {
  if (!header) return "zh";
  const first = header.split(",")[0]?.trim().toLowerCase() ?? "";
  return first.startsWith("en") ? "en" : "zh";
}
