import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

const ROOT = join(import.meta.dirname, "..", "..");

/**
 * The browser dashboard: plain ES modules from web/ (no build step), ECharts and MapLibre GL
 * straight from node_modules under /vendor. Every page path returns index.html; the app routes
 * on the hash, so no personal data ever travels in a path or query.
 */
export function registerWebApp(app: FastifyInstance): void {
  app.register(fastifyStatic, { root: join(ROOT, "web"), prefix: "/app/", index: false });
  app.register(fastifyStatic, {
    root: join(ROOT, "node_modules", "echarts", "dist"),
    prefix: "/vendor/echarts/",
    decorateReply: false,
    allowedPath: (path) => path === "/echarts.min.js",
  });
  app.register(fastifyStatic, {
    root: join(ROOT, "node_modules", "maplibre-gl", "dist"),
    prefix: "/vendor/maplibre/",
    decorateReply: false,
    allowedPath: (path) => !path.includes("-dev") && !path.endsWith(".map"),
  });
  app.get("/", async (_request, reply) => {
    reply.header("Cache-Control", "no-cache");
    return reply.sendFile("index.html");
  });
}
