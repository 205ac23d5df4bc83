import { describe, expect, test } from "vitest";
import { ROLE_PERMISSIONS } from "./access.ts";
import { buildApp } from "./app.ts";
import { openApiPath } from "./openapi.ts";

/** Every (method, url) Fastify has registered, read from its route tree (independent of the catalogue). */
function registeredRoutes(tree: string): { method: string; url: string }[] {
  const out: { method: string; url: string }[] = [];
  const stack: string[] = [];
  for (const line of tree.split("\n")) {
    const m = /^([│├└─\s]*)(\S.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    const path = (depth <= 1 ? "" : (stack[depth - 1] ?? "")) + m[2]!;
    stack[depth] = path;
    for (const method of (m[3] ?? "")
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean))
      out.push({ method, url: path.replace(/^\/+/, "/") });
  }
  return out;
}

describe("OpenAPI document", () => {
  const app = buildApp({
    store: () => undefined,
    status: () => ({ phase: "ready", detail: { zh: "", en: "" } }),
    version: "9.9.9",
  });

  test("every registered /api route appears with its method, permission and roles", async () => {
    await app.ready();
    const doc = (await app.inject({ method: "GET", url: "/api/v1/openapi.json" })).json();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.version).toBe("9.9.9");
    const routes = registeredRoutes(app.printRoutes({ commonPrefix: false })).filter(
      (r) => r.url.startsWith("/api/") && r.method !== "HEAD",
    );
    expect(routes.length).toBeGreaterThan(20);
    for (const r of routes) {
      const operation = doc.paths[openApiPath(r.url)]?.[r.method.toLowerCase()];
      expect(operation, `${r.method} ${r.url}`).toBeDefined();
      if (operation["x-permission"])
        for (const role of operation["x-roles"])
          expect(ROLE_PERMISSIONS[role as keyof typeof ROLE_PERMISSIONS]).toContain(
            operation["x-permission"],
          );
    }
    const listed = Object.values(doc.paths).flatMap((p) => Object.keys(p as object));
    expect(listed.length).toBe(routes.length);
  });

  test("request bodies and query strings come from the routes' zod schemas", async () => {
    const doc = (await app.inject({ method: "GET", url: "/api/v1/openapi.json" })).json();
    const check = doc.paths["/api/v1/checks"].post;
    expect(check["x-permission"]).toBe("checks.run");
    expect(check.requestBody.content["application/json"].schema.properties.category.enum).toContain(
      "dispute",
    );
    const incidents = doc.paths["/api/v1/incidents"];
    expect(incidents.post["x-roles"]).toEqual(["city_analyst"]);
    expect(incidents.get.parameters.map((p: { name: string }) => p.name)).toContain("limit");
    expect(doc.paths["/api/v1/cases/{id}/actions"].post.parameters[0]).toMatchObject({
      name: "id",
      in: "path",
    });
    expect(doc.paths["/api/v1/auth/login"].post["x-permission"]).toBeNull();
  });
});
