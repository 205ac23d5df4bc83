import { afterEach, expect, test } from "vitest";
import { type RunningServer, resolvePort, startServer } from "./serve.ts";

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.app.close();
  server = undefined;
});

test("a started server answers /api/health with 200 on a real port", async () => {
  server = await startServer(0, "127.0.0.1", { phase: "loading", detail: { zh: "准备中", en: "Preparing" } });
  const response = await fetch(`${server.url}/api/health`);
  expect(response.status).toBe(200);
  expect(await response.json()).toMatchObject({ status: "ok", phase: "loading" });
  server.setStatus({ phase: "ready", detail: { zh: "就绪", en: "Ready" } });
  expect(await (await fetch(`${server.url}/api/health`)).json()).toMatchObject({ phase: "ready" });
});

test.each([
  [undefined, {}, 8080],
  [undefined, { PORT: "9090" }, 9090],
  ["7070", { PORT: "9090" }, 7070],
  ["not-a-port", {}, undefined],
  ["70000", {}, undefined],
] as const)("port flag %s with env %o gives %s", (flag, env, port) => {
  expect(resolvePort(flag, env)).toBe(port);
});
