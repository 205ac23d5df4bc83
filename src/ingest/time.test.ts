import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { compileTimeFormat, expandYear, splitPattern, ZoneConverter } from "./time.ts";

describe("time formats", () => {
  test.each([
    ["YYYY-MM-DD HH:mm:ss", "2024-05-01 08:09:10", Date.UTC(2024, 4, 1, 8, 9, 10)],
    ["YYYY-MM-DD HH:mm:ss", " 2024-05-01   08:09:10 ", Date.UTC(2024, 4, 1, 8, 9, 10)],
    ["M/D/YYYY", "1/5/2010", Date.UTC(2010, 0, 5)],
    ["M/D/YYYY H", "12/31/2010 23", Date.UTC(2010, 11, 31, 23)],
    ["MM/DD/YY HH:mm", "09/14/21 07:08", Date.UTC(2021, 8, 14, 7, 8)],
    ["YYYY-M-D H:m", "2020-6-19 3:40", Date.UTC(2020, 5, 19, 3, 40)],
    ["YYYY年M月D日 H时m分", "2024年5月1日 8时5分", Date.UTC(2024, 4, 1, 8, 5)],
    ["YYYY/MM/DD HH:mm:ss.SSS", "2024/05/01 08:00:00.25", Date.UTC(2024, 4, 1, 8, 0, 0, 250)],
    ["M/D/YYYY h:mm A", "5/1/2024 12:30 AM", Date.UTC(2024, 4, 1, 0, 30)],
    ["M/D/YYYY h:mm A", "5/1/2024 1:30 PM", Date.UTC(2024, 4, 1, 13, 30)],
    ["YYYY-MM-DD HH:mm:ss", "２０２４-０５-０１ ０８：００：００", Date.UTC(2024, 4, 1, 8)],
    // Full-width only in part of the text (the date typed in a Chinese input method, the clock not).
    ["YYYY-MM-DD HH:mm:ss", "２０２４-05-01 08:00:00", Date.UTC(2024, 4, 1, 8)],
    ["YYYY年M月D日 H时m分", "２０２４年５月１日 8时5分", Date.UTC(2024, 4, 1, 8, 5)],
    ["YYYY/M/D H:mm:ss", "2024/5/1 8：05：00", Date.UTC(2024, 4, 1, 8, 5)],
    ["YYYY-MM-DD HH:mm:ss", "2024-05-01\u300008:00:00", Date.UTC(2024, 4, 1, 8)],
    ["YYYYMMDDHHmmss", "20240501080910", Date.UTC(2024, 4, 1, 8, 9, 10)],
    ["YYYY-MM-DD[T]HH:mm", "2024-05-01T08:00", Date.UTC(2024, 4, 1, 8)],
    ["iso", "2024-05-01T08:00:00", Date.UTC(2024, 4, 1, 8)],
    ["iso", "2024-05-01T08:00:00+08:00", Date.UTC(2024, 4, 1, 0)],
    ["iso", "2024-05-01T08:00:00Z", Date.UTC(2024, 4, 1, 8)],
    ["epoch_s", "1714521600", 1714521600000],
    ["epoch_ms", "1714521600123", 1714521600123],
    ["excel", "45413.5", Date.UTC(2024, 4, 1, 12)],
    ["HH:mm", "07:08", (7 * 60 + 8) * 60_000],
  ])("%s parses %s", (format, text, expected) => {
    expect(compileTimeFormat(format).parse(text)).toBe(expected);
  });

  test.each([
    ["YYYY-MM-DD HH:mm:ss", "2024-02-30 08:00:00"],
    ["YYYY-MM-DD HH:mm:ss", "2023-02-29 08:00:00"],
    ["YYYY-MM-DD HH:mm:ss", "2024-05-01 24:00:00"],
    ["YYYY-MM-DD HH:mm:ss", "2024-05-01 08:00"],
    ["YYYY-MM-DD HH:mm:ss", "2024-05-01 08:00:00 extra"],
    ["MM/DD/YY", "9/14/21"],
    ["HH:mm", "7:60"],
    ["M/D/YYYY h:mm A", "5/1/2024 13:30 PM"],
    ["iso", "yesterday"],
    // No zone is 99 hours (or 75 minutes) from UTC: a typo for +08:00 shifted the call by four days.
    ["iso", "2024-05-01T08:00:00+99:00"],
    ["iso", "2024-05-01T08:00:00+08:75"],
    ["iso", "2024-05-01T08:00:00-1500"],
    // Past 9999-12-31, as the four-digit year of a pattern: beyond JavaScript's dates they crashed the import.
    ["excel", "2958466"],
    ["excel", "9999999999"],
    ["epoch_ms", "99999999999999999999"],
    ["epoch_ms", "-99999999999999999999"],
    ["epoch_s", "253402300800"],
  ])("%s rejects %s", (format, text) => {
    expect(compileTimeFormat(format).parse(text)).toBeNaN();
  });

  test("the last second of 9999 is the latest time a special format gives", () => {
    expect(compileTimeFormat("excel").parse("2958465.5")).toBe(Date.UTC(9999, 11, 31, 12));
    expect(compileTimeFormat("epoch_s").parse("253402300799")).toBe(Date.UTC(9999, 11, 31, 23, 59, 59));
  });

  test.each([
    ["YYYY-MM-DD HH:mm:ss", "0099-05-01 08:00:00"],
    ["YYYYMMDDHHmmss", "00990501080000"],
    ["iso", "0099-05-01T08:00:00"],
  ])("%s reads the year 0099 of %s as 99, not 1999 (Date.UTC's two-digit years)", (format, text) => {
    const t = new Date(compileTimeFormat(format).parse(text));
    expect([t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), t.getUTCHours()]).toEqual([99, 4, 1, 8]);
  });

  test("a leap day parses", () => {
    expect(compileTimeFormat("YYYY-MM-DD").parse("2024-02-29")).toBe(Date.UTC(2024, 1, 29));
  });

  test("formats that cannot work are refused", () => {
    expect(() => compileTimeFormat("YYYY-MM HH:mm")).toThrow(/year, a month and a day/);
    expect(() => compileTimeFormat("hello")).toThrow(SyntaxError);
  });

  test("two-digit years pivot at 70", () => {
    expect([expandYear(0), expandYear(21), expandYear(69), expandYear(70), expandYear(99)]).toEqual([
      2000, 2021, 2069, 1970, 1999,
    ]);
  });

  test("format and parse round-trip for any valid date-time (property)", () => {
    const format = compileTimeFormat("YYYY-MM-DD HH:mm:ss");
    const pad = (n: number, w = 2) => String(n).padStart(w, "0");
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1990, 0, 1) / 1000, max: Date.UTC(2100, 0, 1) / 1000 }),
        (seconds) => {
          const d = new Date(seconds * 1000);
          const text = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
          expect(format.parse(text)).toBe(seconds * 1000);
        },
      ),
      { seed: 7, numRuns: 500 },
    );
  });
});

describe("time zones", () => {
  const wall = (y: number, mo: number, d: number, h: number, mi = 0) => Date.UTC(y, mo - 1, d, h, mi);

  test("China has no daylight saving: always +08:00", () => {
    const zone = new ZoneConverter("Asia/Shanghai");
    expect(zone.toInstant(wall(2024, 1, 15, 8))).toBe(Date.UTC(2024, 0, 15, 0));
    expect(zone.toInstant(wall(2024, 7, 15, 8))).toBe(Date.UTC(2024, 6, 15, 0));
    expect(zone.offsetAt(Date.UTC(2024, 6, 15))).toBe(480);
  });

  test("Chicago: CST in winter, CDT in summer", () => {
    const zone = new ZoneConverter("America/Chicago");
    expect(zone.toInstant(wall(2010, 1, 1, 0))).toBe(Date.UTC(2010, 0, 1, 6)); // Houston's `time` column agrees
    expect(zone.toInstant(wall(2018, 5, 1, 0, 10))).toBe(Date.UTC(2018, 4, 1, 5, 10));
  });

  test("the spring-forward gap moves a non-existent time forward by the gap", () => {
    // 2024-03-10 02:30 does not exist in Chicago (clocks jump 02:00 -> 03:00).
    const zone = new ZoneConverter("America/Chicago");
    expect(zone.toInstant(wall(2024, 3, 10, 1, 59))).toBe(Date.UTC(2024, 2, 10, 7, 59));
    expect(zone.toInstant(wall(2024, 3, 10, 2, 30))).toBe(Date.UTC(2024, 2, 10, 8, 30)); // = 03:30 CDT
    expect(zone.toInstant(wall(2024, 3, 10, 3, 0))).toBe(Date.UTC(2024, 2, 10, 8, 0));
  });

  test("the repeated hour in autumn takes the earlier instant", () => {
    // 2024-11-03 01:30 happens twice in Chicago; the first is CDT (UTC-5).
    const zone = new ZoneConverter("America/Chicago");
    expect(zone.toInstant(wall(2024, 11, 3, 1, 30))).toBe(Date.UTC(2024, 10, 3, 6, 30));
    expect(zone.toInstant(wall(2024, 11, 3, 2, 30))).toBe(Date.UTC(2024, 10, 3, 8, 30));
    expect(zone.offsetAt(Date.UTC(2024, 10, 3, 6, 59))).toBe(-300);
    expect(zone.offsetAt(Date.UTC(2024, 10, 3, 7, 0))).toBe(-360);
  });

  test("cached conversions agree with Intl for every quarter hour of a DST year (property)", () => {
    const zone = new ZoneConverter("America/Vancouver");
    const dtf = new Intl.DateTimeFormat("en-US", {
      timeZone: "America/Vancouver",
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 366 * 96 }), (quarter) => {
        const instant = Date.UTC(2020, 0, 1) + quarter * 15 * 60_000;
        const parts = Object.fromEntries(dtf.formatToParts(instant).map((p) => [p.type, Number(p.value)]));
        const wallTime = Date.UTC(
          parts.year ?? 0,
          (parts.month ?? 1) - 1,
          parts.day,
          parts.hour,
          parts.minute,
        );
        expect(zone.offsetAt(instant)).toBe((wallTime - instant) / 60_000);
        // Converting the wall time back gives the instant, except in the repeated hour (earlier wins).
        const back = zone.toInstant(wallTime);
        expect(back === instant || back === instant - 3_600_000).toBe(true);
      }),
      { seed: 3, numRuns: 2000 },
    );
  });
});

test("the fixed-width fast path keeps a day's date across rows and reads what the general parser reads", () => {
  // Runs of times on a few dates, invalid ones among them (2023-02-29, 2024-13-01): the day kept
  // from the last row must never stand for another date, nor an invalid date pass after a valid one.
  const dates = [
    "2024-02-29",
    "2023-02-29",
    "2024-03-01",
    "2024-13-01",
    "2024-00-10",
    "0099-05-01",
    "2024-02-29",
  ];
  const formats = [
    ["YYYY-MM-DD HH:mm:ss", (d: string, t: string) => `${d} ${t}`],
    ["DD/MM/YY HH:mm:ss", (d: string, t: string) => `${d.slice(8)}/${d.slice(5, 7)}/${d.slice(2, 4)} ${t}`],
    ["HH:mm:ss YYYY-MM-DD HH", (d: string, t: string) => `${t} ${d} ${t.slice(0, 2)}`],
  ] as const;
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: dates.length - 1 }), fc.integer({ min: 0, max: 86_399 })), {
        minLength: 1,
        maxLength: 40,
      }),
      (rows) => {
        for (const [format, spell] of formats) {
          const f = compileTimeFormat(format);
          const general = compileTimeFormat(format);
          for (const [d, second] of rows) {
            const p2 = (n: number) => String(n).padStart(2, "0");
            const time = `${p2(Math.floor(second / 3600))}:${p2(Math.floor(second / 60) % 60)}:${p2(second % 60)}`;
            const text = spell(dates[d]!, time);
            const fast = f.parse(text);
            // A leading space is trimmed by the general parser and keeps the text off the fast path.
            const slow = general.parse(` ${text}`);
            expect(Number.isNaN(fast) ? "NaN" : fast).toBe(Number.isNaN(slow) ? "NaN" : slow);
          }
        }
      },
    ),
    { seed: 11, numRuns: 300 },
  );
  expect(compileTimeFormat("HH:mm:ss YYYY-MM-DD HH").parse("08:00:00 2024-05-01 09")).toBe(
    Date.UTC(2024, 4, 1, 9),
  );
});

test("the fixed-width fast path reads exactly what the general parser reads", () => {
  // Same format, one spelling by position and one with an extra space (general parser).
  const f = compileTimeFormat("YYYY-MM-DD HH:mm:ss");
  const g = compileTimeFormat("YYYY/MM/DD HH:mm");
  fc.assert(
    fc.property(
      fc.tuple(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 99 }),
      ),
      ([y, mo, d, h, mi, s]) => {
        const p2 = (n: number) => String(n).padStart(2, "0");
        const date = `${String(y).padStart(4, "0")}-${p2(mo)}-${p2(d)}`;
        const fixed = f.parse(`${date} ${p2(h)}:${p2(mi)}:${p2(s)}`);
        const general = f.parse(`${date}  ${p2(h)}:${p2(mi)}:${p2(s)}`);
        expect(Number.isNaN(fixed) ? "NaN" : fixed).toBe(Number.isNaN(general) ? "NaN" : general);
        const slash = g.parse(`${date.replaceAll("-", "/")} ${p2(h)}:${p2(mi)}`);
        const slashGeneral = g.parse(` ${date.replaceAll("-", "/")}   ${p2(h)}:${p2(mi)}`);
        expect(Number.isNaN(slash) ? "NaN" : slash).toBe(Number.isNaN(slashGeneral) ? "NaN" : slashGeneral);
      },
    ),
    { seed: 3, numRuns: 2000 },
  );
  expect(f.parse("2024-02-30 10:00:00")).toBeNaN();
  expect(f.parse("2024-02-29 23:59:59")).toBe(Date.UTC(2024, 1, 29, 23, 59, 59));
  expect(f.parse("2024-02-29T23:59:59")).toBeNaN();
});

test("offsets stay right when consecutive times cross a daylight-saving change", () => {
  const zone = new ZoneConverter("America/Chicago");
  // Day by day through the spring-forward of 10 March 2024, then back: the one-day memo must not leak.
  const walls = [9, 10, 11, 10, 9].map((d) => Date.UTC(2024, 2, d, 12));
  expect(walls.map((w) => zone.offsetForWall(w))).toEqual([-360, -300, -300, -300, -360]);
  expect(walls.map((w) => zone.offsetAt(w))).toEqual([-360, -300, -300, -300, -360]);
});

describe("a pattern split into the pieces a template joins (a workbook's date and time cells written back)", () => {
  const day = Date.UTC(2021, 8, 14);
  const clock = (h: number, m: number, s = 0) => ((h * 60 + m) * 60 + s) * 1000;
  test.each([
    // format, template texts, the cells (wall, dated) → the pieces
    [
      "MM/DD/YY HH:mm",
      ["", " ", ""],
      [
        [day, true],
        [clock(7, 8), false],
      ],
      ["09/14/21", "07:08"],
    ],
    [
      "M/D/YYYY H",
      ["", " ", ""],
      [
        [day, true],
        [clock(0, 0), false],
      ],
      ["9/14/2021", "0"],
    ],
    [
      "YYYY年M月D日 h:mm A",
      ["", " ", ""],
      [
        [day, true],
        [clock(19, 5), false],
      ],
      ["2021年9月14日", "7:05 PM"],
    ],
    [
      "YYYY-MM-DD[T]HH:mm:ss",
      ["", "T", ""],
      [
        [day, true],
        [clock(7, 8, 9), false],
      ],
      ["2021-09-14", "07:08:09"],
    ],
  ] as const)("%s joined by %j writes %j", (format, texts, cells, pieces) => {
    const [writers] = splitPattern(format, texts);
    expect(cells.map(([wall, dated], i) => writers?.[i]?.(wall, dated))).toEqual(pieces);
  });

  test.each([
    ["a date cell with a time, for a date-only piece", day + clock(6, 0), true],
    ["a time-only cell, for a date piece", clock(7, 8), false],
  ] as const)("nothing is written that the piece cannot hold: %s", (_, wall, dated) => {
    expect(splitPattern("MM/DD/YY HH:mm", ["", " ", ""])[0]?.[0]?.(wall, dated)).toBeUndefined();
  });

  test("seconds a clock piece does not show, a year YY cannot hold, a format without the template's separator", () => {
    expect(splitPattern("MM/DD/YY HH:mm", ["", " ", ""])[0]?.[1]?.(clock(7, 8, 30), false)).toBeUndefined();
    expect(
      splitPattern("MM/DD/YY HH:mm", ["", " ", ""])[0]?.[0]?.(Date.UTC(1969, 0, 1), true),
    ).toBeUndefined();
    expect(splitPattern("YYYYMMDDHHmm", ["", " ", ""])).toEqual([]);
    expect(splitPattern("iso", ["", " ", ""])).toEqual([]);
  });
});
