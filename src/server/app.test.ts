import { describe, expect, test } from "vitest";
import type { Store } from "../store/types.ts";
import { buildApp, preferredLang, type ServerStatus } from "./app.ts";

const ready: ServerStatus = { phase: "ready", detail: { zh: "演示城市已就绪", en: "Demo city ready" } };
const loading: ServerStatus = {
  phase: "loading",
  detail: { zh: "正在生成演示城市", en: "Generating the demo city" },
};

function fakeStore(count: number): Store {
  return {
    incidents: { count: async () => count },
    batches: { list: async () => [] },
  } as unknown as Store;
}

describe("server app", () => {
  test("health answers 200 even while the demo city is loading", async () => {
    const app = buildApp({ store: () => undefined, status: () => loading, version: "0.0.0" });
    const response = await app.inject({ url: "/api/health" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: "ok", phase: "loading" });
  });

  test("the summary is 503 with a reason until the store is ready, then counts incidents", async () => {
    let store: Store | undefined;
    const app = buildApp({ store: () => store, status: () => (store ? ready : loading), version: "0.0.0" });
    expect((await app.inject({ url: "/api/v1/summary" })).statusCode).toBe(503);
    store = fakeStore(1234);
    const response = await app.inject({ url: "/api/v1/summary" });
    expect(response.json()).toEqual({ incidents: 1234, batches: 0 });
  });

  test("the start page speaks Chinese by default and English on request, with security headers", async () => {
    const app = buildApp({ store: () => fakeStore(400000), status: () => ready, version: "0.0.0" });
    const zh = await app.inject({ url: "/start" });
    expect(zh.body).toContain("已导入警情");
    expect(zh.body).toContain("400,000");
    expect(zh.headers["x-content-type-options"]).toBe("nosniff");
    const en = await app.inject({ url: "/start?lang=en" });
    expect(en.body).toContain("Incidents loaded");
  });

  test("the root serves the dashboard page, its modules and the chart and map libraries", async () => {
    const app = buildApp({ store: () => undefined, status: () => loading, version: "0.0.0" });
    const page = await app.inject({ url: "/" });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('src="/app/app.js"');
    for (const url of ["/app/app.js", "/vendor/echarts/echarts.min.js", "/vendor/maplibre/maplibre-gl.mjs"])
      expect((await app.inject({ url })).statusCode, url).toBe(200);
    expect((await app.inject({ url: "/vendor/maplibre/../../package.json" })).statusCode).not.toBe(200);
  });

  test("an unknown route answers a JSON error, never a stack trace", async () => {
    const app = buildApp({ store: () => undefined, status: () => ready, version: "0.0.0" });
    const response = await app.inject({ url: "/api/v1/nothing-here" });
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toMatch(/at .*\.ts:\d+/);
  });
});

test.each([
  [undefined, "zh"],
  ["zh-CN,zh;q=0.9,en;q=0.8", "zh"],
  ["en-US,en;q=0.9", "en"],
] as const)("Accept-Language %s gives %s", (header, lang) => {
  expect(preferredLang(header)).toBe(lang);
});
