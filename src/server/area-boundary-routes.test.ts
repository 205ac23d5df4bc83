import { rmSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, test } from "vitest";
import { convertPoint } from "../address/geo.ts";
import { SYNTH_HEADER, synthRow, tempDir } from "../ingest/testing/files.ts";
import { registryRepository } from "../store/registry-repository.ts";
import { serverRepository } from "../store/server-repository.ts";
import { describeOnEveryStore } from "../store/testing/every-store.ts";
import type { StoreTarget } from "../store/testing/stores.ts";
import type { Store } from "../store/types.ts";
import type { Role } from "./access.ts";
import { buildApp } from "./app.ts";
import { createUsers, logIn, requestAs } from "./testing.ts";

const T0 = Date.UTC(2025, 0, 10, 2);
const dir = tempDir("recur-area-routes-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Invented areas: squares of 0.01° east of 120.1,30.2, given in `datum`. */
const areas = (ids: readonly string[], datum: "wgs84" | "gcj02" = "wgs84") => ({
  type: "FeatureCollection",
  features: ids.map((id, i) => ({
    type: "Feature",
    properties: { code: id, name: `文件里的第${i + 1}警务区` },
    geometry: {
      type: "Polygon",
      coordinates: [
        [
          [120.1 + i * 0.01, 30.2],
          [120.11 + i * 0.01, 30.2],
          [120.11 + i * 0.01, 30.21],
          [120.1 + i * 0.01, 30.21],
          [120.1 + i * 0.01, 30.2],
        ].map((p) => convertPoint(p as [number, number], "wgs84", datum)),
      ],
    },
  })),
});

await describeOnEveryStore("area boundaries API", (makeTarget: () => Promise<StoreTarget>) => {
  let target: StoreTarget;
  let store: Store;
  let app: FastifyInstance;
  const cookies: Record<string, string> = {};
  const users: [string, Role][] = [
    ["analyst", "city_analyst"],
    ["sysadmin", "system_admin"],
    ["station", "station_officer"],
    ["auditor", "auditor"],
  ];

  beforeAll(async () => {
    target = await makeTarget();
    store = (await target.fresh()).store;
    await createUsers(store, { now: () => T0 as never }, users);
    await registryRepository(store).saveUnit(
      { code: "330106001001", name: "阳光警务区", level: "area", parentCode: null },
      T0,
    );
    app = buildApp({
      store: () => store,
      status: () => ({ phase: "ready", detail: { zh: "", en: "" } }),
      version: "t",
      clock: { now: () => T0 as never },
      loginsPerMinute: 10_000,
      secretPath: join(dir, `recur-${target.dialect}.secret`),
    });
    Object.assign(
      cookies,
      await logIn(
        app,
        users.map(([name]) => name),
      ),
    );
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await target?.dispose();
  });

  const call = (...args: Parameters<ReturnType<typeof requestAs>>) => requestAs(app, cookies)(...args);
  const auditActions = async () =>
    (await serverRepository(store).auditEntries({ limit: 5000 })).map((a) => a.action);

  test("an admin saves GCJ-02 boundaries (stored in WGS-84); map users read them, others may not", async () => {
    expect((await call("station", "GET", "/api/v1/area-boundaries")).json()).toEqual({
      info: null,
      boundaries: null,
    });
    expect((await call("auditor", "GET", "/api/v1/area-boundaries")).statusCode).toBe(403);
    expect(
      (await call("station", "PUT", "/api/v1/area-boundaries", { boundaries: areas(["1"]) })).statusCode,
    ).toBe(403);
    const saved = await call(
      "analyst",
      "PUT",
      "/api/v1/area-boundaries",
      { boundaries: areas(["330106001001", "330106001002"], "gcj02"), idProperty: "code", datum: "gcj02" },
      "en",
    );
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({
      changed: true,
      info: { areas: 2, polygons: 2, vertices: 10, idProperty: "code", sourceDatum: "gcj02", savedAt: T0 },
    });
    // 330106001002 is not in the unit registry: saved, with a warning.
    expect(saved.json().issues).toEqual([
      expect.objectContaining({
        code: "boundary_unknown_area",
        severity: "warning",
        feature: 2,
        message: expect.stringContaining("the code 330106001002 (feature 2) is not an area this store knows"),
      }),
    ]);
    const summary = (await call("station", "GET", "/api/v1/area-boundaries?geometry=false")).json();
    expect(summary).toEqual({ info: saved.json().info });
    const full = (await call("sysadmin", "GET", "/api/v1/area-boundaries")).json();
    expect(full.boundaries.features.map((f: { id: string }) => f.id)).toEqual([
      "330106001001",
      "330106001002",
    ]);
    const [x, y] = full.boundaries.features[0].geometry.coordinates[0][0];
    expect(Math.abs(x - 120.1)).toBeLessThan(2e-5);
    expect(Math.abs(y - 30.2)).toBeLessThan(2e-5);
    expect(await auditActions()).toContain("area_boundaries.save");
  });

  test("the map gets the outlines with the registry's names (else the file's) and a label point inside each", async () => {
    const map = (await call("station", "GET", "/api/v1/area-boundaries/map")).json();
    expect(map.features.map((f: { properties: object }) => f.properties)).toEqual([
      { id: "330106001001", name: "阳光警务区" },
      { id: "330106001002", name: "文件里的第2警务区" },
    ]);
    expect(map.labels).toHaveLength(2);
    expect(map.labels[1].lon).toBeCloseTo(120.115, 4);
    expect(map.labels[1].lat).toBeCloseTo(30.205, 4);
    expect((await call("auditor", "GET", "/api/v1/area-boundaries/map")).statusCode).toBe(403);
  });

  test("bad boundaries answer 400 with every error in the user's language and change nothing", async () => {
    const before = (await call("analyst", "GET", "/api/v1/area-boundaries?geometry=false")).json();
    const dup = await call(
      "analyst",
      "PUT",
      "/api/v1/area-boundaries",
      { boundaries: areas(["330106001001", "330106001001", "330106001003"]) },
      "en",
    );
    expect(dup.statusCode).toBe(400);
    expect(dup.json().error).toMatchObject({ code: "invalid_boundaries", errors: 3 });
    expect(dup.json().error.message).toBe(
      'feature 1 has no property "id" (the area code): name the property holding the code with --area-id or "code property" (3 errors in all)',
    );
    const zh = await call("analyst", "PUT", "/api/v1/area-boundaries", {
      boundaries: areas(["330106001001", "330106001001"]),
      idProperty: "code",
    });
    expect(zh.json().error.message).toBe(
      "第 2 个要素的编码 330106001001 与第 1 个要素重复：同一警务区的多块区域请合并为一个 MultiPolygon",
    );
    const notCollection = await call("analyst", "PUT", "/api/v1/area-boundaries", { boundaries: [] }, "en");
    expect(notCollection.json().error.message).toContain("must be a GeoJSON FeatureCollection");
    const wrongDatum = await call(
      "analyst",
      "PUT",
      "/api/v1/area-boundaries",
      { boundaries: {}, datum: "mars" },
      "en",
    );
    expect(wrongDatum.statusCode).toBe(400);
    expect(wrongDatum.json().error.code).toBe("invalid_body");
    expect((await call("analyst", "GET", "/api/v1/area-boundaries?geometry=false")).json()).toEqual(before);
  });

  test("the import wizard's dry run and import and POST /api/v1/incidents give a call without an area its boundary's", async () => {
    const csv = [
      SYNTH_HEADER,
      synthRow({ 接警单号: "W1", 所属警务区: "", 经度: "120.115", 纬度: "30.205", 坐标系: "WGS84" }),
      synthRow({ 接警单号: "W2", 所属警务区: "", 经度: "121.5", 纬度: "31.2", 坐标系: "WGS84" }),
    ].join("\n");
    const uploaded = await app.inject({
      method: "POST",
      url: "/api/v1/import/uploads?name=calls.csv",
      headers: { cookie: cookies.analyst!, "content-type": "application/octet-stream" },
      payload: Buffer.from(csv, "utf8"),
    });
    expect(uploaded.statusCode).toBe(201);
    const { uploadId } = uploaded.json();
    const source = { kind: "bundled", name: "synthetic" };
    const dry = (
      await call("analyst", "POST", `/api/v1/import/uploads/${uploadId}/validate`, { source })
    ).json();
    expect(dry.areasFromBoundaries).toBe(1);
    expect(
      (await call("analyst", "POST", `/api/v1/import/uploads/${uploadId}/import`, { source })).statusCode,
    ).toBe(202);
    let job = (await call("analyst", "GET", `/api/v1/import/jobs/${uploadId}`)).json();
    for (let i = 0; i < 200 && job.state === "running"; i++) {
      await new Promise((r) => setTimeout(r, 25));
      job = (await call("analyst", "GET", `/api/v1/import/jobs/${uploadId}`)).json();
    }
    expect(job.state).toBe("done");
    expect(job.report.areasFromBoundaries).toBe(1);
    expect((await store.incidents.get("synthetic-110", "W1"))?.areaUnit).toBe("330106001002");
    expect((await store.incidents.get("synthetic-110", "W2"))?.areaUnit).toBeNull();

    // Over the API: GCJ-02 coordinates are converted before the boundaries are asked.
    const [gx, gy] = convertPoint([120.105, 30.205], "wgs84", "gcj02");
    const posted = await call("analyst", "POST", "/api/v1/incidents", {
      incidents: [
        { sourceId: "P1", receivedAt: T0, category: "public_order", lon: gx, lat: gy, datum: "gcj02" },
        {
          sourceId: "P2",
          receivedAt: T0,
          category: "public_order",
          lon: gx,
          lat: gy,
          areaUnit: "自报警务区",
        },
        { sourceId: "P3", receivedAt: T0, category: "public_order" },
      ],
    });
    expect(posted.statusCode).toBe(201);
    const area = async (id: string) => (await store.incidents.get("api", id))?.areaUnit;
    expect(await area("P1")).toBe("330106001001");
    expect(await area("P2")).toBe("自报警务区");
    expect(await area("P3")).toBeNull();
  });

  test("an admin clears them (audited); imports then fill in no area", async () => {
    expect((await call("station", "DELETE", "/api/v1/area-boundaries")).statusCode).toBe(403);
    expect((await call("sysadmin", "DELETE", "/api/v1/area-boundaries")).json()).toEqual({ changed: true });
    expect((await call("sysadmin", "DELETE", "/api/v1/area-boundaries")).json()).toEqual({ changed: false });
    expect((await call("station", "GET", "/api/v1/area-boundaries/map")).json()).toEqual({
      type: "FeatureCollection",
      features: [],
      labels: [],
    });
    await call("analyst", "POST", "/api/v1/incidents", {
      incidents: [{ sourceId: "P4", receivedAt: T0, category: "public_order", lon: 120.105, lat: 30.205 }],
    });
    expect((await store.incidents.get("api", "P4"))?.areaUnit).toBeNull();
    for (let i = 0; i < 50 && !(await auditActions()).includes("area_boundaries.clear"); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(await auditActions()).toContain("area_boundaries.clear");
  });
});
