import { describe, expect, test } from "vitest";
import { knoxEventsFromIncidents, knoxEventsFromRows, timeInDays } from "./input.ts";

describe("timeInDays", () => {
  test.each([
    ["2016-01-08", "2016-01-01", 7],
    ["2016-03-01", "2016-02-28", 2], // leap year
    ["2016/01/02", "2016-01-01", 1],
    ["2016-01-01 12:00", "2016-01-01", 0.5],
    ["2016-01-01T06:00:00", "2016-01-01", 0.25],
    ["17", "10", 7],
  ])("%s is %d days after %s", (later, earlier, days) => {
    expect(timeInDays(later)! - timeInDays(earlier)!).toBeCloseTo(days, 12);
  });

  test.each(["", "NA", "2016-02-30", "2016-13-01", "yesterday", "12abc", "2016-01-01 25:00"])(
    "%j is not a time",
    (text) => {
      expect(timeInDays(text)).toBeNull();
    },
  );
});

describe("knoxEventsFromRows", () => {
  test("rows with a missing or unreadable value are left out and each is reported with its row", () => {
    const rows = [
      ["X", "Y", "date"],
      ["1", "2", "2016-01-01"],
      ["3", "NA", "2016-01-02"],
      ["5", "6", ""],
      ["x7", "8", "2016-01-03"],
      ["9", "10", "2016-02-31"],
      ["11", "12", "2016-01-05"],
    ];
    const read = knoxEventsFromRows(rows, { x: 0, y: 1, t: 2, header: true, file: "a.csv" });
    expect(Array.from(read.events.x)).toEqual([1, 11]);
    expect(Array.from(read.rows)).toEqual([1, 6]);
    expect(read.skipped).toBe(4);
    expect(read.issues.map((i) => [i.code, i.row, i.field])).toEqual([
      ["missing_value", 2, "Y"],
      ["missing_value", 3, "date"],
      ["bad_number", 4, "X"],
      ["bad_time", 5, "date"],
    ]);
  });

  test("without a header the first row is data", () => {
    const rows = [
      ["1", "2", "2016-01-01"],
      ["3", "4", "2016-01-02"],
    ];
    expect(knoxEventsFromRows(rows, { x: 0, y: 1, t: 2, header: false }).events.x.length).toBe(2);
  });

  test("a header that looks like data is flagged, so a forgotten --no-header does not lose an event silently", () => {
    const rows = [
      ["1", "2", "2016-01-01"],
      ["3", "4", "2016-01-02"],
    ];
    const read = knoxEventsFromRows(rows, { x: 0, y: 1, t: 2, header: true });
    expect(read.issues.map((i) => i.code)).toEqual(["header_looks_like_data"]);
  });
});

describe("knoxEventsFromIncidents", () => {
  test("projects to metres, takes local calendar days and leaves out incidents without coordinates", () => {
    const day = Date.UTC(2024, 4, 1);
    const read = knoxEventsFromIncidents({
      n: 3,
      receivedAt: Float64Array.from([day + 15 * 3_600_000, day + 17 * 3_600_000, day]),
      utcOffsetMin: Int16Array.from([480, 480, 480]),
      lat: Float64Array.from([31.2, 31.201, Number.NaN]),
      lon: Float64Array.from([121.4, 121.401, 121.4]),
    });
    expect(read.skipped).toBe(1);
    expect(read.issues[0]).toMatchObject({ code: "missing_value", field: "lat/lon" });
    // 15:00 UTC is 23:00 in Beijing (1 May), 17:00 UTC is 01:00 on 2 May: one day apart.
    expect(read.events.t[1]! - read.events.t[0]!).toBe(1);
    expect(read.events.x[1]).toBeCloseTo(111_320 * Math.cos((31.2005 * Math.PI) / 180) * 0.001, 3);
    expect(read.events.y[1]).toBeCloseTo(110.574, 3);
  });
});
