import { expect, test } from "vitest";
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
