import { expect, test } from "vitest";
import { parseProfile } from "./load.ts";
import { compileMapper } from "./mapper.ts";

const profile = parseProfile(
  {
    name: "datums",
    sourceSystem: "datums",
    timezone: "Asia/Shanghai",
    sourceId: "id",
    fields: { receivedAt: "time" },
    coordinates: { lon: "x", lat: "y", datum: { column: "datum", default: "gcj02", map: { 国测: "gcj02" } } },
  },
  "test",
);

test("a datum column's texts read the same on every row, an unknown one warned each time", () => {
  const mapper = compileMapper(profile, ["id", "time", "x", "y", "datum"], { now: Date.UTC(2025, 0, 1) });
  // Repeated texts (read once, then remembered) between first sightings, in both cases.
  const texts = [
    "GCJ02",
    "百度",
    "GCJ02",
    "WGS-84",
    "火星",
    "gcj02",
    "国测",
    "百度",
    "bd09",
    "other",
    "",
    "other",
  ];
  const expected = [
    "gcj02",
    "bd09",
    "gcj02",
    "wgs84",
    "gcj02",
    "gcj02",
    "gcj02",
    "bd09",
    "bd09",
    "gcj02",
    "gcj02",
    "gcj02",
  ];
  texts.forEach((datum, i) => {
    const result = mapper.map({
      row: i + 1,
      cells: [`r${i}`, "2024-05-01 08:00:00", "120.1", "30.2", datum],
    });
    expect(result.row?.datum).toBe(expected[i]);
    expect(result.issues.map((issue) => issue.code)).toEqual(datum === "other" ? ["coord_datum"] : []);
  });
});
