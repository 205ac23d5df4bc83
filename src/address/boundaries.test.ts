import { describe, expect, test } from "vitest";
import { renderIssue } from "../domain/issues.ts";
import {
  AREA_BOUNDARY_LIMITS,
  AREA_BOUNDARY_MESSAGES,
  areaBoundaryCounts,
  areaLabelPoint,
  restoreAreaBoundaries,
} from "./boundaries.ts";
import { convertPoint, jurisdictions, toWgs84 } from "./geo.ts";

/** A square of `size` degrees with its south-west corner at x,y (invented areas near 120.1,30.2). */
const square = (x: number, y: number, size = 0.01) => [
  [x, y],
  [x + size, y],
  [x + size, y + size],
  [x, y + size],
  [x, y],
];
const feature = (id: unknown, ring: unknown = square(120.1, 30.2), extra: Record<string, unknown> = {}) => ({
  type: "Feature",
  properties: { id, name: `警务区${String(id).slice(-3)}`, ...extra },
  geometry: { type: "Polygon", coordinates: [ring] },
});
const collection = (...features: unknown[]) => ({ type: "FeatureCollection", features });

const codes = (r: ReturnType<typeof restoreAreaBoundaries>) => r.issues.map((i) => i.code);

test("valid WGS-84 boundaries are kept as given, one feature per area with its code as a string", () => {
  const r = restoreAreaBoundaries(
    collection(feature("330106001001"), feature(330106001002, square(120.11, 30.2))),
  );
  expect(r.ok).toBe(true);
  if (!r.ok) return;
  expect(r.issues).toEqual([]);
  expect(r.boundaries.features.map((f) => f.id)).toEqual(["330106001001", "330106001002"]);
  expect(r.boundaries.features[1]?.properties.id).toBe("330106001002");
  expect(r.boundaries.features[0]?.geometry.coordinates).toEqual([square(120.1, 30.2)]);
  expect(areaBoundaryCounts(r.boundaries)).toEqual({ areas: 2, polygons: 2, vertices: 10 });
});

test("the code is read from the named property, or from the feature's own id when the property is absent", () => {
  const r = restoreAreaBoundaries(
    collection(
      { ...feature("x", square(120.1, 30.2), { 编码: "330106001001" }) },
      { type: "Feature", id: "330106001002", properties: {}, geometry: feature("y").geometry },
    ),
    { idProperty: "编码" },
  );
  expect(r.ok && r.boundaries.features.map((f) => [f.id, f.properties.编码])).toEqual([
    ["330106001001", "330106001001"],
    ["330106001002", "330106001002"],
  ]);
});

test("GCJ-02 and BD-09 boundaries are stored in WGS-84, and the areas found are the same as before conversion", () => {
  const wgs = square(120.1, 30.2);
  const gcj = wgs.map((p) => convertPoint(p as [number, number], "wgs84", "gcj02"));
  const bd = wgs.map((p) => convertPoint(p as [number, number], "wgs84", "bd09"));
  for (const [datum, ring] of [
    ["gcj02", gcj],
    ["bd09", bd],
  ] as const) {
    const r = restoreAreaBoundaries(collection(feature("330106001001", ring)), { datum });
    expect(r.ok).toBe(true);
    if (!r.ok) continue;
    expect(r.boundaries.sourceDatum).toBe(datum);
    const stored = r.boundaries.features[0]!.geometry.coordinates[0] as number[][];
    stored.forEach((p, i) => {
      expect(Math.abs(p[0]! - wgs[i]![0]!)).toBeLessThan(2e-5);
      expect(Math.abs(p[1]! - wgs[i]![1]!)).toBeLessThan(2e-5);
    });
    const j = jurisdictions(r.boundaries);
    expect(j.locate(toWgs84(120.105, 30.205, "wgs84"))).toBe("330106001001");
    expect(j.locate(toWgs84(120.115, 30.205, "wgs84"))).toBeNull();
  }
});

describe("bad boundaries are refused with every error named, in both languages", () => {
  test.each([
    ["a bare array", [feature("1")], "boundaries_not_collection"],
    ["a single Feature", feature("1"), "boundaries_not_collection"],
    ["no features", collection(), "boundaries_empty"],
    [
      "a Point",
      collection({
        type: "Feature",
        properties: { id: "1" },
        geometry: { type: "Point", coordinates: [120, 30] },
      }),
      "boundary_not_polygon",
    ],
    ["a feature without the id", collection(feature("330106001001"), feature(undefined)), "boundary_no_id"],
    ["an empty id", collection(feature("  ")), "boundary_no_id"],
    [
      "a repeated id",
      collection(feature("330106001001"), feature("330106001001", square(120.2, 30.2))),
      "boundary_duplicate_id",
    ],
    [
      "a ring of three positions",
      collection(
        feature("1", [
          [120.1, 30.2],
          [120.2, 30.2],
          [120.1, 30.2],
        ]),
      ),
      "boundary_ring_too_short",
    ],
    [
      "a latitude out of range",
      collection(
        feature("1", [
          [120.1, 30.2],
          [120.2, 95],
          [120.2, 30.3],
          [120.1, 30.2],
        ]),
      ),
      "boundary_bad_position",
    ],
    [
      "a position given as text",
      collection(
        feature("1", [
          ["120.1", "30.2"],
          [120.2, 30.2],
          [120.2, 30.3],
          [120.1, 30.2],
        ]),
      ),
      "boundary_bad_position",
    ],
    [
      "a flat ring",
      collection(
        feature("1", [
          [120.1, 30.2],
          [120.2, 30.2],
          [120.3, 30.2],
          [120.1, 30.2],
        ]),
      ),
      "boundary_ring_flat",
    ],
    ["a ring that is not a list", collection(feature("1", 5)), "boundary_bad_coordinates"],
  ])("%s", (_, json, code) => {
    const r = restoreAreaBoundaries(json);
    expect(r.ok).toBe(false);
    expect(codes(r)).toContain(code);
    const issue = r.issues.find((i) => i.code === code)!;
    const zh = renderIssue(issue, AREA_BOUNDARY_MESSAGES, "zh");
    const en = renderIssue(issue, AREA_BOUNDARY_MESSAGES, "en");
    expect(zh).not.toMatch(/\{\w+\}/);
    expect(en).not.toMatch(/\{\w+\}/);
    expect(zh).not.toBe(en);
  });

  test("the message names the feature, the property and the first feature of a repeated code", () => {
    const r = restoreAreaBoundaries(
      collection(feature("330106001001"), feature(undefined), feature("330106001001", square(120.3, 30.2))),
      { idProperty: "id" },
    );
    expect(r.issues.map((i) => renderIssue(i, AREA_BOUNDARY_MESSAGES, "en"))).toEqual([
      'feature 2 has no property "id" (the area code): name the property holding the code with --area-id or "code property"',
      "feature 3 repeats the code 330106001001 of feature 1: join the parts of one area into one MultiPolygon",
    ]);
    expect(renderIssue(r.issues[0]!, AREA_BOUNDARY_MESSAGES, "zh")).toContain("第 2 个要素没有属性“id”");
  });

  test("a file over the size limit is refused before it is read", () => {
    const r = restoreAreaBoundaries(collection(feature("1")), { bytes: AREA_BOUNDARY_LIMITS.maxBytes + 1 });
    expect(codes(r)).toEqual(["boundaries_too_large"]);
    expect(renderIssue(r.issues[0]!, AREA_BOUNDARY_MESSAGES, "en")).toContain("over the limit of 32 MB");
  });

  test("a broken export lists its first 50 errors and counts them all", () => {
    const r = restoreAreaBoundaries(collection(...Array.from({ length: 80 }, () => feature(undefined))));
    expect(r.ok).toBe(false);
    expect(r.issues).toHaveLength(50);
    expect(!r.ok && r.errors).toBe(80);
  });
});

test("an unclosed ring is closed with a warning, and an unknown code is kept with a warning", () => {
  const open = square(120.1, 30.2).slice(0, 4);
  const r = restoreAreaBoundaries(
    collection(feature("330106001001", open), feature("330106009999", square(120.2, 30.2))),
    {
      knownAreas: new Set(["330106001001"]),
    },
  );
  expect(r.ok).toBe(true);
  expect(r.issues.map((i) => [i.code, i.severity])).toEqual([
    ["boundary_ring_closed", "warning"],
    ["boundary_unknown_area", "warning"],
  ]);
  expect(r.ok && r.boundaries.features[0]?.geometry.coordinates[0]).toEqual(square(120.1, 30.2));
  // Without known areas (an empty registry) nothing is warned about.
  expect(codes(restoreAreaBoundaries(collection(feature("x")), { knownAreas: new Set() }))).toEqual([]);
});

test("a MultiPolygon area keeps its parts and holes", () => {
  const hole = square(120.103, 30.203, 0.002).reverse();
  const r = restoreAreaBoundaries(
    collection({
      type: "Feature",
      properties: { id: "330106001001" },
      geometry: { type: "MultiPolygon", coordinates: [[square(120.1, 30.2), hole], [square(120.2, 30.2)]] },
    }),
  );
  expect(r.ok).toBe(true);
  if (!r.ok) return;
  expect(areaBoundaryCounts(r.boundaries)).toEqual({ areas: 1, polygons: 2, vertices: 15 });
  const j = jurisdictions(r.boundaries);
  expect(j.locate(toWgs84(120.104, 30.204, "wgs84"))).toBeNull(); // in the hole
  expect(j.locate(toWgs84(120.101, 30.201, "wgs84"))).toBe("330106001001");
  expect(j.locate(toWgs84(120.205, 30.205, "wgs84"))).toBe("330106001001");
});

test("an area's label point lies inside it, even in a concave (U-shaped) area", () => {
  // A U open to the north: its centroid (120.115, ~30.207) is in the gap between the arms.
  const u = [
    [120.1, 30.2],
    [120.13, 30.2],
    [120.13, 30.23],
    [120.12, 30.23],
    [120.12, 30.21],
    [120.11, 30.21],
    [120.11, 30.23],
    [120.1, 30.23],
    [120.1, 30.2],
  ];
  const f = feature("330106001001", u);
  const r = restoreAreaBoundaries(collection(f));
  expect(r.ok).toBe(true);
  if (!r.ok) return;
  const [x, y] = areaLabelPoint(r.boundaries.features[0]!);
  expect(jurisdictions(r.boundaries).locate(toWgs84(x, y, "wgs84"))).toBe("330106001001");
  const [sx, sy] = areaLabelPoint(feature("1", square(120.1, 30.2)) as never);
  expect(sx).toBeCloseTo(120.105, 9);
  expect(sy).toBeCloseTo(30.205, 9);
});
