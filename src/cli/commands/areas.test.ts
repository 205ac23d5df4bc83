import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { convertPoint } from "../../address/geo.ts";
import { SYNTH_HEADER, synthRow, tempDir, writeText } from "../../ingest/testing/files.ts";
import { openStore } from "../../store/index.ts";
import { runCli } from "../testing.ts";

/** Invented areas: squares of 0.01° east of 120.1,30.2, in the datum asked for. */
const areasFile = (ids: readonly string[], datum: "wgs84" | "gcj02" | "bd09" = "wgs84", property = "code") =>
  JSON.stringify({
    type: "FeatureCollection",
    features: ids.map((id, i) => ({
      type: "Feature",
      properties: { [property]: id, name: `西湖区第${i + 1}警务区` },
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

describe("recur areas", { timeout: 90_000 }, () => {
  const dir = tempDir("recur-areas-cli-");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, "areas.db");
  const run = (args: string[], lang: "zh" | "en" = "zh") => runCli(args, { cwd: dir, lang });

  test("set, show and clear the store's boundaries; BD-09 is stored as WGS-84", async () => {
    expect((await run(["areas", "--db", db], "en")).out).toContain("the store has no area boundaries");
    writeText(dir, "bd.geojson", areasFile(["330106001001", "330106001002"], "bd09"), "utf8");
    const set = await run(["areas", "set", "bd.geojson", "--area-id", "code", "--datum", "bd09", "--db", db]);
    expect(set.code).toBe(0);
    expect(set.out).toContain(
      "库的警务区边界已换为 bd.geojson：2 个警务区，2 个面，10 个顶点（编码属性“code”，原坐标系 BD-09",
    );
    const shown = await run(["areas", "show", "--db", db, "--json"]);
    expect(JSON.parse(shown.out)).toMatchObject({ areas: 2, polygons: 2, vertices: 10, sourceDatum: "bd09" });
    const geojson = JSON.parse((await run(["areas", "show", "--geojson", "--db", db])).out);
    expect(geojson.features.map((f: { id: string }) => f.id)).toEqual(["330106001001", "330106001002"]);
    const [x, y] = geojson.features[0].geometry.coordinates[0][0];
    expect(Math.abs(x - 120.1)).toBeLessThan(2e-5);
    expect(Math.abs(y - 30.2)).toBeLessThan(2e-5);
    // The same file again changes nothing.
    expect(
      (await run(["areas", "set", "bd.geojson", "--area-id", "code", "--datum", "bd09", "--db", db], "en"))
        .out,
    ).toContain("are already bd.geojson");
    expect((await run(["areas", "clear", "--db", db], "en")).out).toContain("are cleared");
    expect((await run(["areas", "clear", "--db", db], "en")).out).toContain("had no area boundaries");
  });

  test("a bad file is refused with each error named, and the stored boundaries stay", async () => {
    writeText(dir, "good.geojson", areasFile(["330106001001"]), "utf8");
    expect((await run(["areas", "set", "good.geojson", "--area-id", "code", "--db", db])).code).toBe(0);
    writeText(dir, "dup.geojson", areasFile(["330106001001", "330106001001"]), "utf8");
    const dup = await run(["areas", "set", "dup.geojson", "--area-id", "code", "--db", db], "en");
    expect(dup.code).toBe(1);
    expect(dup.err).toContain("dup.geojson: feature 2 repeats the code 330106001001 of feature 1");
    expect(dup.err).toContain("was not saved; the store's area boundaries are as they were");
    const noId = await run(["areas", "set", "good.geojson", "--db", db]);
    expect(noId.code).toBe(1);
    expect(noId.err).toContain("good.geojson：第 1 个要素没有属性“id”（警务区编码）");
    writeText(dir, "broken.geojson", "{ not json", "utf8");
    const broken = await run(["areas", "set", "broken.geojson", "--db", db], "en");
    expect(broken.code).toBe(1);
    expect(broken.err).toContain("cannot read the area boundaries file broken.geojson");
    const datum = await run(["areas", "set", "good.geojson", "--datum", "mars", "--db", db], "en");
    expect(datum.code).toBe(2);
    expect(datum.err).toContain("unknown datum mars");
    expect((await run(["areas", "frobnicate", "--db", db])).code).toBe(2);
    expect(JSON.parse((await run(["areas", "--db", db, "--json"])).out)).toMatchObject({ areas: 1 });
  });

  test("recur import uses the store's boundaries, and --areas FILE for that import only", async () => {
    const storeDb = join(dir, "import.db");
    writeText(dir, "store-areas.geojson", areasFile(["330106001001", "330106001002"]), "utf8");
    expect(
      (await run(["areas", "set", "store-areas.geojson", "--area-id", "code", "--db", storeDb])).code,
    ).toBe(0);
    const calls = writeText(
      dir,
      "calls.csv",
      [
        SYNTH_HEADER,
        synthRow({ 接警单号: "A1", 所属警务区: "", 经度: "120.115", 纬度: "30.205", 坐标系: "WGS84" }),
        synthRow({
          接警单号: "A2",
          所属警务区: "西湖第9警务区",
          经度: "120.105",
          纬度: "30.205",
          坐标系: "WGS84",
        }),
        synthRow({ 接警单号: "A3", 所属警务区: "", 经度: "121.5", 纬度: "31.2", 坐标系: "WGS84" }),
      ].join("\n"),
      "utf8",
    );
    const imported = await run(["import", calls, "--profile", "synthetic", "--db", storeDb, "--json"]);
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.out).areasFromBoundaries).toBe(1);
    // A file for one import: its area, and the store's boundaries stay as they were.
    writeText(dir, "other.geojson", areasFile(["330106009001", "330106009002"], "wgs84", "id"), "utf8");
    const other = writeText(
      dir,
      "calls2.csv",
      [
        SYNTH_HEADER,
        synthRow({ 接警单号: "B1", 所属警务区: "", 经度: "120.115", 纬度: "30.205", 坐标系: "WGS84" }),
      ].join("\n"),
      "utf8",
    );
    const once = await run([
      "import",
      other,
      "--profile",
      "synthetic",
      "--db",
      storeDb,
      "--areas",
      "other.geojson",
      "--json",
    ]);
    expect(once.code).toBe(0);
    expect(JSON.parse(once.out).areasFromBoundaries).toBe(1);
    const store = await openStore({ path: storeDb });
    try {
      const area = async (id: string) => (await store.incidents.get("synthetic-110", id))?.areaUnit;
      expect(await area("A1")).toBe("330106001002");
      expect(await area("A2")).toBe("西湖第9警务区"); // the export's own area wins
      expect(await area("A3")).toBeNull(); // outside every boundary
      expect(await area("B1")).toBe("330106009002");
    } finally {
      await store.close();
    }
    expect(JSON.parse((await run(["areas", "--db", storeDb, "--json"])).out)).toMatchObject({
      areas: 2,
      idProperty: "code",
    });
  });
});
