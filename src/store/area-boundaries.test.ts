import { afterAll, beforeAll, expect, test } from "vitest";
import { makeIncident } from "../../test/builders.ts";
import { convertPoint, toWgs84 } from "../address/geo.ts";
import { asBatchId, asUnitCode } from "../domain/index.ts";
import {
  AREA_BOUNDARIES_SETTING,
  areaBoundariesInfo,
  clearAreaBoundaries,
  knownAreaCodes,
  loadAreaBoundaries,
  loadJurisdictions,
  saveAreaBoundaries,
  storeJurisdictions,
} from "./area-boundaries.ts";
import { registryRepository } from "./registry-repository.ts";
import { describeOnEveryStore } from "./testing/every-store.ts";
import type { StoreTarget } from "./testing/stores.ts";
import type { Store } from "./types.ts";

/** Invented areas: squares of 0.01° in a row east of 120.1,30.2. */
const square = (x: number, y: number, size = 0.01) => [
  [x, y],
  [x + size, y],
  [x + size, y + size],
  [x, y + size],
  [x, y],
];
const areas = (ids: readonly string[], datum: "wgs84" | "gcj02" = "wgs84") => ({
  type: "FeatureCollection",
  features: ids.map((id, i) => ({
    type: "Feature",
    properties: { code: id, name: `西湖区第${i + 1}警务区` },
    geometry: {
      type: "Polygon",
      coordinates: [
        square(120.1 + i * 0.01, 30.2).map((p) => convertPoint(p as [number, number], "wgs84", datum)),
      ],
    },
  })),
});

await describeOnEveryStore("area boundaries", (makeTarget: () => Promise<StoreTarget>) => {
  let target: StoreTarget;
  let store: Store;
  beforeAll(async () => {
    target = await makeTarget();
    store = (await target.fresh()).store;
  });
  afterAll(async () => {
    await store?.close();
    await target?.dispose();
  });

  test("a new store has none, and its known areas come from the registry and the incidents", async () => {
    expect(await loadAreaBoundaries(store)).toBeUndefined();
    expect(await areaBoundariesInfo(store)).toBeUndefined();
    expect(await storeJurisdictions(store)).toBeUndefined();
    expect(await knownAreaCodes(store)).toEqual(new Set());
    await registryRepository(store).saveUnit(
      { code: "330106001001", name: "西湖区第1警务区", level: "area", parentCode: null },
      1,
    );
    await registryRepository(store).saveUnit(
      { code: "330106001", name: "某派出所", level: "station", parentCode: null },
      1,
    );
    const writer = await store.beginBatch({
      id: asBatchId("areas-b1"),
      sourceSystem: "test",
      profile: "t",
      fileName: "t.csv",
      fileSha256: "ab".repeat(32),
      startedAt: 0,
    });
    await writer.insertIncidents([
      makeIncident({ batchId: asBatchId("areas-b1"), areaUnit: asUnitCode("330106001002") }),
      makeIncident({ batchId: asBatchId("areas-b1"), areaUnit: null }),
    ]);
    await writer.commit({ rows: 2, imported: 2, rejected: 0, duplicates: 0, finishedAt: 1 });
    expect(await knownAreaCodes(store)).toEqual(new Set(["330106001001", "330106001002"]));
  });

  test("GCJ-02 boundaries are saved in WGS-84 with their summary; an unknown code is saved with a warning", async () => {
    const saved = await saveAreaBoundaries(
      store,
      areas(["330106001001", "330106001002", "330106001003"], "gcj02"),
      {
        idProperty: "code",
        datum: "gcj02",
        at: 1_700_000_000_000,
      },
    );
    expect(saved.ok).toBe(true);
    if (!saved.ok) return;
    expect(saved.changed).toBe(true);
    expect(saved.issues.map((i) => [i.code, i.value])).toEqual([["boundary_unknown_area", "330106001003"]]);
    expect(saved.info).toMatchObject({
      areas: 3,
      polygons: 3,
      vertices: 15,
      idProperty: "code",
      sourceDatum: "gcj02",
      savedAt: 1_700_000_000_000,
    });
    expect(saved.info.digest).toMatch(/^[0-9a-f]{16}$/);
    expect(await areaBoundariesInfo(store)).toEqual(saved.info);
    const loaded = await loadAreaBoundaries(store);
    expect(loaded?.features.map((f) => f.id)).toEqual(["330106001001", "330106001002", "330106001003"]);
    const corner = loaded?.features[0]?.geometry.coordinates[0] as number[][];
    expect(Math.abs(corner[0]![0]! - 120.1)).toBeLessThan(2e-5);
    const index = await storeJurisdictions(store);
    expect(index?.jurisdictions.locate(toWgs84(120.115, 30.205, "wgs84"))).toBe("330106001002");
    // The same index while the boundaries stay the same.
    expect(await storeJurisdictions(store)).toBe(index);

    const again = await saveAreaBoundaries(
      store,
      areas(["330106001001", "330106001002", "330106001003"], "gcj02"),
      {
        idProperty: "code",
        datum: "gcj02",
        at: 1_800_000_000_000,
      },
    );
    expect(again.ok && again.changed).toBe(false);
    expect(again.ok && again.info.savedAt).toBe(1_700_000_000_000);
  });

  test("bad boundaries save nothing and leave the stored ones as they were", async () => {
    const before = await areaBoundariesInfo(store);
    const bad = await saveAreaBoundaries(store, areas(["330106001001", "330106001001"]), {
      idProperty: "code",
      at: 2,
    });
    expect(bad.ok).toBe(false);
    expect(bad.issues.map((i) => i.code)).toEqual(["boundary_duplicate_id"]);
    expect(await areaBoundariesInfo(store)).toEqual(before);
  });

  test("new boundaries replace the index; cleared, the store has none", async () => {
    const first = await storeJurisdictions(store);
    const saved = await saveAreaBoundaries(store, areas(["330106001002"]), { idProperty: "code", at: 3 });
    expect(saved.ok && saved.changed).toBe(true);
    const next = await storeJurisdictions(store);
    expect(next).not.toBe(first);
    expect(next?.jurisdictions.locate(toWgs84(120.105, 30.205, "wgs84"))).toBe("330106001002");
    // An import thread's index, made without keeping the GeoJSON, finds the same area.
    expect((await loadJurisdictions(store))?.locate(toWgs84(120.105, 30.205, "wgs84"))).toBe("330106001002");
    expect(await clearAreaBoundaries(store)).toBe(true);
    expect(await clearAreaBoundaries(store)).toBe(false);
    expect(await loadAreaBoundaries(store)).toBeUndefined();
    expect(await storeJurisdictions(store)).toBeUndefined();
    expect(await loadJurisdictions(store)).toBeUndefined();
    // A setting broken by hand counts as no boundaries, not as a failing import.
    await store.settings.set(AREA_BOUNDARIES_SETTING, "{ broken");
    expect(await loadJurisdictions(store)).toBeUndefined();
    expect(await loadAreaBoundaries(store)).toBeUndefined();
    await clearAreaBoundaries(store);
  });

  test("a city's worth of boundaries (several MB) round-trips", async () => {
    // 600 invented areas of 400 vertices each: about 9 MB of JSON.
    const features = Array.from({ length: 600 }, (_, i) => {
      const cx = 120 + (i % 30) * 0.01;
      const cy = 30 + Math.floor(i / 30) * 0.01;
      const ring = Array.from({ length: 400 }, (_, k) => {
        const a = (k / 400) * 2 * Math.PI;
        return [cx + 0.004 * Math.cos(a), cy + 0.004 * Math.sin(a)];
      });
      ring.push(ring[0]!);
      return {
        type: "Feature",
        properties: { id: `3301060${String(i).padStart(5, "0")}` },
        geometry: { type: "Polygon", coordinates: [ring] },
      };
    });
    const saved = await saveAreaBoundaries(store, { type: "FeatureCollection", features }, { at: 4 });
    expect(saved.ok).toBe(true);
    expect(saved.ok && saved.info.bytes).toBeGreaterThan(5 * 2 ** 20);
    expect((await store.settings.get(AREA_BOUNDARIES_SETTING))?.length).toBe(saved.ok ? saved.info.bytes : 0);
    const loaded = await loadAreaBoundaries(store);
    expect(loaded?.features).toHaveLength(600);
    expect(loaded?.features[599]?.geometry.coordinates).toEqual(features[599]!.geometry.coordinates);
  });
});
