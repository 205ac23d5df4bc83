import { booleanPointInPolygon } from "@turf/boolean-point-in-polygon";
import { expect, test } from "vitest";
import { seededRandom } from "../domain/random.ts";
import { convertPoint, h3Cell, jurisdictions, toWgs84, validLonLat } from "./geo.ts";
import { createAddressLocator } from "./locator.ts";

test("WGS-84, GCJ-02 and BD-09 convert both ways within a metre", () => {
  const wgs: [number, number] = [116.397, 39.909];
  const gcj = convertPoint(wgs, "wgs84", "gcj02");
  expect(Math.abs(gcj[0] - wgs[0])).toBeGreaterThan(0.001); // the offset is real
  const back = convertPoint(convertPoint(gcj, "gcj02", "bd09"), "bd09", "wgs84");
  expect(Math.abs(back[0] - wgs[0])).toBeLessThan(1e-5);
  expect(Math.abs(back[1] - wgs[1])).toBeLessThan(1e-5);
});

test("H3 cells follow the resolution and reject a bad one", () => {
  const p = toWgs84(-87.95674, 43.1128, "wgs84");
  expect(h3Cell(p, 9)).toMatch(/^89/);
  expect(h3Cell(p, 7)).not.toBe(h3Cell(p, 9));
  expect(() => h3Cell(p, 16)).toThrow(RangeError);
  expect(validLonLat(0, 0)).toBe(false);
  expect(validLonLat(Number.NaN, 1)).toBe(false);
});

test("a point is assigned to the jurisdiction whose polygon contains it", () => {
  const square = (x: number, y: number, id: string) => ({
    type: "Feature",
    properties: { id },
    geometry: {
      type: "Polygon",
      coordinates: [
        [
          [x, y],
          [x + 1, y],
          [x + 1, y + 1],
          [x, y + 1],
          [x, y],
        ],
      ],
    },
  });
  const j = jurisdictions({
    features: [square(0, 0, "A"), square(1, 0, "B"), { type: "Feature", properties: {}, geometry: null }],
  });
  expect(j.size).toBe(2);
  expect(j.skipped).toBe(1);
  expect(j.locate(toWgs84(1.5, 0.5, "wgs84"))).toBe("B");
  expect(j.locate(toWgs84(5, 5, "wgs84"))).toBeNull();
  const located = createAddressLocator({ jurisdictions: j, h3Resolution: 8 }).analyse("阳光小区", 0.5, 0.5);
  expect(located.jurisdiction).toBe("A");
  expect(located.cell).toMatch(/^88/);
});

test("the indexed point-in-polygon agrees with turf's on random concave areas with holes and parts", () => {
  const random = seededRandom(20261125);
  // 60 invented star-shaped (concave) areas around 120.1,30.2, some with a hole or a second part.
  const star = (cx: number, cy: number, r: number, n: number) => {
    const ring: number[][] = [];
    for (let k = 0; k < n; k++) {
      const a = (k / n) * 2 * Math.PI;
      const d = r * (k % 2 === 0 ? 1 : 0.35 + 0.5 * random.next());
      ring.push([cx + d * Math.cos(a), cy + d * Math.sin(a)]);
    }
    ring.push(ring[0]!);
    return ring;
  };
  const features = Array.from({ length: 60 }, (_, i) => {
    const cx = 120.1 + (i % 10) * 0.01 + random.next() * 0.004;
    const cy = 30.2 + Math.floor(i / 10) * 0.01 + random.next() * 0.004;
    const outer = star(cx, cy, 0.008, 8 + Math.floor(random.next() * 40));
    const polygon = i % 3 === 0 ? [outer, star(cx, cy, 0.002, 6).reverse()] : [outer];
    const geometry =
      i % 5 === 0
        ? { type: "MultiPolygon", coordinates: [polygon, [star(cx + 0.05, cy + 0.05, 0.003, 10)]] }
        : { type: "Polygon", coordinates: polygon };
    return { type: "Feature", properties: { id: `3301060010${String(i).padStart(2, "0")}` }, geometry };
  });
  const j = jurisdictions({ features });
  let inside = 0;
  for (let n = 0; n < 20_000; n++) {
    const x = 120.09 + random.next() * 0.17;
    const y = 30.19 + random.next() * 0.12;
    // turf over the features in order: the first holding the point (overlaps are allowed).
    const expected =
      features.find((f) => booleanPointInPolygon([x, y], f as Parameters<typeof booleanPointInPolygon>[1]))
        ?.properties.id ?? null;
    expect(j.locate(toWgs84(x, y, "wgs84"))).toBe(expected);
    if (expected !== null) inside++;
  }
  // The points fall both inside and outside (the test would pass vacuously otherwise).
  expect(inside).toBeGreaterThan(2000);
  expect(inside).toBeLessThan(18_000);
});
