import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { makeIncident } from "../../test/builders.ts";
import { asBatchId, asEpochMs, asUnitCode, fixedClock } from "../domain/index.ts";
import { openStore } from "../store/index.ts";
import { serverRepository } from "../store/server-repository.ts";
import type { Store } from "../store/types.ts";
import type { Role } from "./access.ts";
import { buildApp } from "./app.ts";
import { Auth } from "./auth.ts";
import { dashboardCacheOf } from "./dashboard-routes.ts";

const PASSWORD = "Dash-Board-2024!";
const DAY = 86_400_000;
const END = Date.UTC(2024, 5, 30, 4);

let dir = "";
let store: Store;

/** Two stations in two branches; S1 gets a repeat series at one door (six noise calls in a month). */
async function seed(s: Store) {
  const writer = await s.beginBatch({
    id: asBatchId("b1"),
    sourceSystem: "test",
    profile: "test",
    fileName: "seed.csv",
    fileSha256: "0".repeat(64),
    startedAt: 0,
  });
  const rows = [];
  for (let i = 0; i < 40; i++) {
    const s1 = i % 4 !== 0;
    rows.push(
      makeIncident({
        sourceId: `D${i}`,
        batchId: asBatchId("b1"),
        receivedAt: asEpochMs(END - (i % 20) * DAY - i * 60_000),
        branchUnit: asUnitCode(s1 ? "B1" : "B2"),
        stationUnit: asUnitCode(s1 ? "S1" : "S2"),
        category: i < 6 ? "public_order" : "traffic",
        subtype: i < 6 ? "noise" : null,
        lon: 120.1 + (i % 5) * 0.01,
        lat: 30.2 + (i % 3) * 0.01,
        datum: "wgs84",
        location:
          i < 6
            ? { building: "Z::阳光小区/b3", unit: "Z::阳光小区/b3/u2", room: "Z::阳光小区/b3/u2/r501" }
            : {},
      }),
    );
  }
  await writer.insertIncidents(rows);
  await writer.commit({ rows: 40, imported: 40, rejected: 0, duplicates: 0, finishedAt: 0 });
}

async function sessionFor(app: ReturnType<typeof buildApp>, username: string) {
  const res = await app.inject({
    method: "POST",
    url: "/api/v1/auth/login",
    payload: { username, password: PASSWORD },
  });
  expect(res.statusCode).toBe(200);
  return String(res.headers["set-cookie"]).split(";")[0]!;
}

describe("dashboard API", () => {
  let app: ReturnType<typeof buildApp>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "recur-dash-"));
    store = await openStore({ path: join(dir, "d.db") });
    await seed(store);
    const clock = fixedClock(END + DAY);
    const auth = new Auth(serverRepository(store), clock);
    const users: [string, Role, "city" | "station" | null, string | null, string | null][] = [
      ["cityone", "city_analyst", "city", "city", null],
      ["stationone", "station_officer", "station", "S1", null],
      ["stationtwo", "station_officer", "station", "S2", null],
      ["agencyone", "agency_user", null, null, "mediation"],
    ];
    for (const [username, role, unitLevel, unitCode, agencyCode] of users)
      await auth.createUser({
        username,
        displayName: username,
        password: PASSWORD,
        role,
        unitLevel,
        unitCode,
        agencyCode,
        mustChangePassword: false,
      });
    app = buildApp({
      store: () => store,
      status: () => ({ phase: "ready", detail: { zh: "", en: "" } }),
      version: "t",
      clock,
    });
    await app.ready();
    await dashboardCacheOf(app)!.ready(store);
  });
  afterAll(async () => {
    await app.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("the overview counts only the incidents of the user's jurisdiction", async () => {
    const get = async (user: string) =>
      (
        await app.inject({
          url: "/api/v1/dashboard/overview",
          headers: { cookie: await sessionFor(app, user) },
        })
      ).json();
    expect((await get("cityone")).total).toBe(40);
    expect((await get("stationone")).total).toBe(30);
    expect((await get("stationtwo")).total).toBe(10);
    const s1 = await get("stationone");
    expect(s1.figures[2].current + s1.figures[2].previous).toBeLessThanOrEqual(30);
  });

  test("the indicators view carries the monthly indicators from the store's daily rollups", async () => {
    const res = await app.inject({
      url: "/api/v1/dashboard/indicators?month=2024-06",
      headers: { cookie: await sessionFor(app, "cityone") },
    });
    expect(res.statusCode).toBe(200);
    const { indicators } = res.json();
    expect(indicators.all.total).toBe(40);
    expect(indicators.units.map((u: { unit: string; total: number }) => [u.unit, u.total])).toEqual([
      ["S1", 30],
      ["S2", 10],
    ]);
    expect(indicators.all).toHaveProperty("caseResolutionRate");
    expect(indicators.all.response.urbanArrival.limitMinutes).toBe(5);
  });

  test("a partner agency and an anonymous visitor get no incident figures", async () => {
    const agency = await app.inject({
      url: "/api/v1/dashboard/overview",
      headers: { cookie: await sessionFor(app, "agencyone") },
    });
    expect(agency.statusCode).toBe(403);
    expect((await app.inject({ url: "/api/v1/dashboard/series" })).statusCode).toBe(401);
  });

  test("a series of another station is not found, and its calls carry no caller link", async () => {
    const city = await sessionFor(app, "cityone");
    const list = (await app.inject({ url: "/api/v1/dashboard/series", headers: { cookie: city } })).json();
    expect(list.total).toBeGreaterThan(0);
    const id = list.rows.find((r: { station: string }) => r.station === "S1")?.id;
    expect(id).toBeDefined();
    const detail = await app.inject({ url: `/api/v1/dashboard/series/${id}`, headers: { cookie: city } });
    expect(detail.statusCode).toBe(200);
    for (const x of detail.json().incidents) {
      expect(x).not.toHaveProperty("callerPseudonym");
      expect(x).not.toHaveProperty("callerNumberEnc");
    }
    const other = await app.inject({
      url: `/api/v1/dashboard/series/${id}`,
      headers: { cookie: await sessionFor(app, "stationtwo") },
    });
    expect(other.statusCode).toBe(404);
  });

  test("local boundaries (RECUR_BOUNDARIES) reach logged-in users as polygons in the map's datum", async () => {
    const dir = await mkdtemp(join(tmpdir(), "recur-boundaries-"));
    const file = join(dir, "areas.geojson");
    const ring = [
      [120.1, 30.2],
      [120.2, 30.2],
      [120.2, 30.3],
      [120.1, 30.2],
    ];
    await writeFile(
      file,
      JSON.stringify({
        type: "FeatureCollection",
        features: [
          {
            type: "Feature",
            properties: { name: "东湖派出所" },
            geometry: { type: "Polygon", coordinates: [ring] },
          },
          { type: "Feature", properties: {}, geometry: { type: "Point", coordinates: [120.1, 30.2] } },
        ],
      }),
    );
    const saved = { boundaries: process.env.RECUR_BOUNDARIES, datum: process.env.RECUR_MAP_DATUM };
    try {
      const cookie = await sessionFor(app, "stationone");
      const get = () => app.inject({ url: "/api/v1/dashboard/boundaries", headers: { cookie } });
      delete process.env.RECUR_BOUNDARIES;
      expect((await get()).statusCode).toBe(404);
      process.env.RECUR_BOUNDARIES = file;
      expect((await app.inject({ url: "/api/v1/dashboard/config" })).json().boundaries).toBe(true);
      expect((await app.inject({ url: "/api/v1/dashboard/boundaries" })).statusCode).toBe(401);
      const wgs = (await get()).json();
      expect(wgs.features).toHaveLength(1);
      expect(wgs.features[0].properties.name).toBe("东湖派出所");
      expect(wgs.features[0].geometry.coordinates[0][0]).toEqual([120.1, 30.2]);
      process.env.RECUR_MAP_DATUM = "gcj02";
      const [x, y] = (await get()).json().features[0].geometry.coordinates[0][0];
      // GCJ-02 shifts points in China by a few hundred metres.
      expect(Math.abs(x - 120.1) + Math.abs(y - 30.2)).toBeGreaterThan(0.001);
      expect(Math.abs(x - 120.1) + Math.abs(y - 30.2)).toBeLessThan(0.02);
      await writeFile(file, "{not json");
      const broken = await get();
      expect(broken.statusCode).toBe(500);
      expect(broken.json().error.code).toBe("bad_boundaries");
    } finally {
      if (saved.boundaries === undefined) delete process.env.RECUR_BOUNDARIES;
      else process.env.RECUR_BOUNDARIES = saved.boundaries;
      if (saved.datum === undefined) delete process.env.RECUR_MAP_DATUM;
      else process.env.RECUR_MAP_DATUM = saved.datum;
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("every dashboard view is written to the audit log", async () => {
    const cookie = await sessionFor(app, "stationone");
    await app.inject({ url: "/api/v1/dashboard/analysis?days=90", headers: { cookie } });
    const entries = await serverRepository(store).auditEntries();
    expect(entries.some((e) => e.action === "analysis.view" && e.outcome === "ok")).toBe(true);
  });
});
