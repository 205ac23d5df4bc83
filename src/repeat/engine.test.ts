import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { makeIncident } from "../../test/builders.ts";
import { asPseudonym, type Incident } from "../domain/index.ts";
import { DEFAULT_DEFINITIONS, windowSeries } from "./definitions.ts";
import { RepeatIndex } from "./engine.ts";

const DAY = 86_400_000;
const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);
const ROOM = {
  poi: "阳光小区",
  building: "阳光小区3栋",
  unit: "阳光小区3栋2单元",
  room: "阳光小区3栋2单元501",
};
const OTHER_ROOM = { ...ROOM, room: "阳光小区3栋2单元502" };

function call(overrides: Parameters<typeof makeIncident>[0] & { day?: number; minute?: number }): Incident {
  const { day = 0, minute = 0, ...rest } = overrides;
  return makeIncident({ receivedAt: (T0 + day * DAY + minute * MIN) as Incident["receivedAt"], ...rest });
}

const noise = (day: number, extra: Parameters<typeof call>[0] = {}) =>
  call({ day, category: "public_order", subtype: "noise", location: ROOM, ...extra });

describe("duplicate calls", () => {
  test("two calls 20 minutes apart at the same door are one event", () => {
    const index = RepeatIndex.build([
      noise(0, { sourceId: "a" }),
      noise(0, { sourceId: "b", minute: 20, location: OTHER_ROOM }),
    ]);
    expect(index.eventCount).toBe(1);
    expect(index.duplicateGroups()).toEqual([["a", "b"]]);
  });

  test("calls two hours apart are two events", () => {
    const index = RepeatIndex.build([noise(0), noise(0, { minute: 120 })]);
    expect(index.eventCount).toBe(2);
  });

  test("a fire and a theft in one building within minutes stay two events", () => {
    const index = RepeatIndex.build([
      call({ category: "fire", subtype: "building", location: ROOM }),
      call({ category: "criminal", subtype: "theft", location: ROOM, minute: 5 }),
    ]);
    expect(index.eventCount).toBe(2);
  });

  test("a fire reported as a gas accident by another caller is the same event", () => {
    const index = RepeatIndex.build([
      call({ category: "fire", subtype: "building", location: ROOM }),
      call({ category: "disaster", subtype: "gas", location: ROOM, minute: 3 }),
    ]);
    expect(index.eventCount).toBe(1);
  });

  test("ten callers about one fire within 100 metres and no parsed address are one event", () => {
    const calls = Array.from({ length: 10 }, (_, k) =>
      call({
        category: "fire",
        subtype: "outdoor",
        minute: k * 2,
        lon: 120.15 + k * 0.0001,
        lat: 30.25,
        address: null,
      }),
    );
    const index = RepeatIndex.build(calls);
    expect(index.eventCount).toBe(1);
    expect(index.duplicateGroups()[0]).toHaveLength(10);
  });

  const CROSSING = { cross: "X::人民大道&八一路" };
  const crash = (minute: number, extra: Parameters<typeof call>[0] = {}) =>
    call({
      minute,
      category: "traffic",
      subtype: "accident",
      location: CROSSING,
      address: "人民大道与八一路交叉口",
      ...extra,
    });

  test("a traffic violation and a crash at one crossing within minutes stay two events", () => {
    const index = RepeatIndex.build([crash(0), crash(5, { subtype: "violation" })]);
    expect(index.eventCount).toBe(2);
  });

  test("the driver who fled and the jam behind the crash are the crash's event", () => {
    const index = RepeatIndex.build([
      crash(0),
      crash(4, { subtype: "hit_and_run" }),
      crash(9, { subtype: "congestion" }),
    ]);
    expect(index.eventCount).toBe(1);
  });

  test("crash calls 40 minutes apart at one crossing are two crashes, a fire's calls an hour long one fire", () => {
    expect(RepeatIndex.build([crash(0), crash(40)]).eventCount).toBe(2);
    const fire = (minute: number) =>
      call({ minute, category: "fire", subtype: "building", location: ROOM, address: "阳光小区3栋" });
    expect(RepeatIndex.build([fire(0), fire(50)]).eventCount).toBe(1);
  });

  test("the crash's own caller calling back, or a call recorded as a repeat report, 45 minutes on is the crash", () => {
    const driver = asPseudonym("driver");
    expect(
      RepeatIndex.build([crash(0, { callerPseudonym: driver }), crash(45, { callerPseudonym: driver })])
        .eventCount,
    ).toBe(1);
    expect(
      RepeatIndex.build([crash(0), crash(45, { category: "invalid", subtype: "repeat_report" })]).eventCount,
    ).toBe(1);
  });

  test("a family quarrel in one building and a beaten wife's call from another building nearby are two events", () => {
    const near = { lon: 120.15, lat: 30.25 };
    const index = RepeatIndex.build([
      call({ category: "dispute", subtype: "family", location: ROOM, ...near }),
      call({
        minute: 30,
        category: "help",
        subtype: "victim_help",
        location: {
          poi: "阳光小区",
          building: "阳光小区12栋",
          unit: "阳光小区12栋2单元",
          room: "阳光小区12栋2单元202",
        },
        lon: 120.1505,
        lat: 30.2503,
      }),
    ]);
    expect(index.eventCount).toBe(2);
    // A fight seen from two buildings is one scene.
    const fight = (minute: number, building: string) =>
      call({
        minute,
        category: "public_order",
        subtype: "fight",
        location: { poi: "阳光小区", building },
        ...near,
      });
    expect(RepeatIndex.build([fight(0, "阳光小区3栋"), fight(5, "阳光小区12栋")]).eventCount).toBe(1);
  });

  test("silent calls from two phones near one place are two records, one phone calling back is one", () => {
    const silent = (minute: number, caller: string) =>
      call({
        minute,
        category: "invalid",
        subtype: "silent",
        location: {},
        address: null,
        lon: 120.15,
        lat: 30.25,
        callerPseudonym: asPseudonym(caller),
      });
    expect(RepeatIndex.build([silent(0, "a"), silent(3, "b")]).eventCount).toBe(2);
    expect(RepeatIndex.build([silent(0, "a"), silent(3, "a")]).eventCount).toBe(1);
  });

  test("a harassing caller's calls within the hour are each counted", () => {
    const harass = (minute: number) =>
      call({
        minute,
        category: "invalid",
        subtype: "harassment",
        location: {},
        address: null,
        callerPseudonym: asPseudonym("h"),
      });
    expect(RepeatIndex.build([harass(0), harass(10), harass(20)]).eventCount).toBe(3);
  });

  test("two non-police requests from one compound within the hour are two requests", () => {
    const request = (minute: number, caller: string) =>
      call({
        minute,
        category: "non_police",
        subtype: null,
        location: ROOM,
        callerPseudonym: asPseudonym(caller),
      });
    expect(RepeatIndex.build([request(0, "a"), request(20, "b")]).eventCount).toBe(2);
  });

  test("test calls never merge and never count", () => {
    const index = RepeatIndex.build([
      call({ category: "invalid", subtype: "test", location: ROOM }),
      call({ category: "invalid", subtype: "test", location: ROOM, minute: 1 }),
    ]);
    expect(index.duplicateGroups()).toEqual([]);
  });
});

describe("place series", () => {
  test("three noise events within 30 days at one flat are a place series at room level", () => {
    const index = RepeatIndex.build([noise(0), noise(10), noise(25)]);
    const series = index.allSeries().filter((s) => s.kind === "place");
    expect(series).toHaveLength(1);
    expect(series[0]!.locationLevel).toBe("room");
    expect(series[0]!.locationKey).toBe(ROOM.room);
    expect(series[0]!.group).toBe("noise");
  });

  test("counts use events: duplicate calls of one event do not make a series", () => {
    const index = RepeatIndex.build([noise(0), noise(0, { minute: 5 }), noise(0, { minute: 10 }), noise(20)]);
    expect(index.allSeries().filter((s) => s.kind === "place")).toEqual([]);
  });

  test("noise at two different flats of one building forms no room-level series", () => {
    const index = RepeatIndex.build([noise(0), noise(10, { location: OTHER_ROOM }), noise(20)]);
    expect(index.allSeries().filter((s) => s.kind === "place")).toEqual([]);
  });

  test("calls at a police station never form a place series", () => {
    const station = { building: "滨江派出所", poi: "滨江派出所" };
    const index = RepeatIndex.build(
      [0, 3, 6, 9].map((day) =>
        call({
          day,
          category: "criminal",
          subtype: "theft",
          address: "滨江区江南大道1号滨江派出所",
          location: station,
        }),
      ),
    );
    expect(index.allSeries().filter((s) => s.kind === "place")).toEqual([]);
  });

  test("configured addresses are excluded", () => {
    const index = RepeatIndex.build([noise(0), noise(10), noise(25)], {
      exclusions: { addressPatterns: [], keys: [ROOM.room], addresses: [], testCodes: [] },
    });
    expect(index.allSeries().filter((s) => s.kind === "place")).toEqual([]);
  });

  test("the engine's place series equal windowSeries over its events (property)", () => {
    const rooms = ["r1", "r2", "r3"];
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            day: fc.integer({ min: 0, max: 200 }),
            room: fc.constantFrom(...rooms),
            sub: fc.constantFrom("noise", "neighbour"),
          }),
          { maxLength: 60 },
        ),
        (rows) => {
          const calls = rows.map((r, k) =>
            call({
              sourceId: `s${k}`,
              day: r.day,
              minute: k * 7,
              category: r.sub === "noise" ? "public_order" : "dispute",
              subtype: r.sub,
              location: { room: r.room, building: `b${r.room}` },
            }),
          );
          const index = RepeatIndex.build(calls);
          const events = Array.from({ length: index.eventCount }, (_, e) => e);
          const expected: string[] = [];
          for (const g of DEFAULT_DEFINITIONS.groups.filter(
            (x) => x.name === "noise" || x.name === "neighbour",
          )) {
            const keyed = events
              .filter((e) => index.groupRule(index.eventGroup(e))?.group.name === g.name)
              .map((e) => ({ at: index.evAt[e]!, key: String(index.evKeys[3]![e]), item: e }));
            for (const s of windowSeries(keyed, g.minEvents, g.windowDays)) expected.push(s.join(","));
          }
          const actual = index
            .allSeries()
            .filter((s) => s.kind === "place")
            .map((s) => Array.from(s.events).join(","));
          expect(actual.sort()).toEqual(expected.sort());
        },
      ),
      { seed: 7, numRuns: 100 },
    );
  });
});

describe("caller series", () => {
  test("one pseudonym reporting noise five times in a month is a caller series showing the pseudonym", () => {
    const calls = [0, 4, 8, 12, 16].map((day, k) =>
      call({
        day,
        category: "help",
        subtype: "elderly",
        callerPseudonym: "p-1" as never,
        location: { room: `x${k}` },
      }),
    );
    const series = RepeatIndex.build(calls)
      .allSeries()
      .filter((s) => s.kind === "caller");
    expect(series).toHaveLength(1);
    expect(series[0]!.callerPseudonym).toBe("p-1");
  });

  test("complaints about the police never form caller series", () => {
    const calls = [0, 4, 8, 12].map((day) =>
      call({ day, category: "complaint", subtype: "police", callerPseudonym: "p-2" as never }),
    );
    expect(
      RepeatIndex.build(calls)
        .allSeries()
        .filter((s) => s.kind === "caller"),
    ).toEqual([]);
  });
});

describe("matter series", () => {
  const flat = (poi: string, path: string) => ({
    poi,
    building: `${poi}${path.split("/u")[0]}`,
    unit: `${poi}${path.split("/r")[0]}`,
    room: `${poi}${path}`,
  });
  // The parser cut the compound's suffix off its name (彩虹锦城 + 花园).
  const HOME = flat("Z::彩虹锦城", "/花园/b17/u2/r902");
  const REFUGE = flat("Z::玫瑰豪庭", "/b8/u2/r203");
  const family = (day: number, caller: string, extra: Parameters<typeof call>[0] = {}) =>
    call({
      day,
      category: "dispute",
      subtype: "family",
      location: HOME,
      address: "彩虹锦城花园17栋2单元902",
      callerPseudonym: asPseudonym(caller),
      narrative: "报警人称夫妻二人在家中因孩子教育问题吵架，要求民警调解家庭矛盾。",
      ...extra,
    });

  test("her mother's call naming the home flat from elsewhere joins the household's disputes", () => {
    const calls = [
      family(0, "wife"),
      family(10, "wife"),
      call({
        day: 20,
        category: "help",
        subtype: "victim_help",
        location: REFUGE,
        address: "玫瑰豪庭8栋2单元203室",
        callerPseudonym: asPseudonym("mother"),
        narrative:
          "报警人称女儿前几天在家中（彩虹锦城花园17栋2单元902室）被丈夫殴打，现躲在玫瑰豪庭8栋2单元203室不敢回家。",
      }),
    ];
    const matter = RepeatIndex.build(calls)
      .allSeries()
      .filter((s) => s.kind === "matter");
    expect(matter).toHaveLength(1);
    expect(matter[0]!.events).toHaveLength(3);
  });

  const labour = (day: number, at: string, company: string, caller: string) =>
    call({
      day,
      category: "dispute",
      subtype: "labour",
      location: { poi: `Z::${at}` },
      address: at,
      callerPseudonym: asPseudonym(caller),
      narrative: `报警人称其在银岚广场项目工地干活，${company}拖欠工资2.4万元至今未付，现在${at}讨要工资无果。`,
    });
  const site = call({
    day: 0,
    category: "dispute",
    subtype: "labour",
    location: { poi: "Z::银岚广场项目工地" },
    address: "银岚广场项目工地",
    callerPseudonym: asPseudonym("w0"),
    narrative: "报警人称在银岚广场项目工地务工，包工头拖欠8名工人工资共计38万元，工人聚集讨薪。",
  });

  test("workers naming the same site and company from the office, a dormitory and the company are one matter", () => {
    const calls = [
      site,
      labour(5, "澜江市劳动保障监察支队", "澜江嘉馨装饰工程有限公司", "w1"),
      labour(9, "北站路436号", "澜江嘉馨装饰工程有限公司", "w2"),
      labour(12, "澜江嘉馨装饰工程有限公司", "澜江嘉馨装饰工程有限公司", "w3"),
    ];
    const matter = RepeatIndex.build(calls)
      .allSeries()
      .filter((s) => s.kind === "matter");
    expect(matter).toHaveLength(1);
    expect(matter[0]!.events).toHaveLength(3);
  });

  test("one site named with two different companies owing wages gives two matters", () => {
    const calls = [
      site,
      labour(5, "澜江市劳动保障监察支队", "澜江嘉馨装饰工程有限公司", "w1"),
      labour(9, "北站路436号", "澜江嘉馨装饰工程有限公司", "w2"),
      labour(12, "澜江嘉馨装饰工程有限公司", "澜江嘉馨装饰工程有限公司", "w3"),
      labour(14, "澜江市劳动保障监察支队", "澜江青阁物业服务有限公司", "v1"),
      labour(16, "渔港路192号", "澜江青阁物业服务有限公司", "v2"),
      labour(18, "澜江青阁物业服务有限公司", "澜江青阁物业服务有限公司", "v3"),
    ];
    const matter = RepeatIndex.build(calls)
      .allSeries()
      .filter((s) => s.kind === "matter");
    expect(matter).toHaveLength(2);
    expect(matter.map((s) => s.events.length)).toEqual([3, 3]);
  });
});

describe("matter series at building sites", () => {
  // As an address parser reads them: "春华1号地块" taken for building 1 of a compound 春华.
  const SITE = { poi: "Z::春华", building: "Z::春华/b1", road: "R::泰山路/193" };
  const OTHER_PLOT = { poi: "Z::春华", building: "Z::春华/b2", road: "R::民主路/314" };
  const atSite = (
    day: number,
    caller: string,
    workers: number,
    sum: number,
    extra: Parameters<typeof call>[0] = {},
  ) =>
    call({
      day,
      category: "dispute",
      subtype: "labour",
      location: SITE,
      address: "泰山路193号春华1号地块项目工地",
      callerPseudonym: asPseudonym(caller),
      narrative: `报警人称在春华1号地块项目工地务工，包工头拖欠${workers}名工人工资共计${sum}万元，工人聚集讨薪。`,
      ...extra,
    });
  const atCompany = (day: number, caller: string, company: string) =>
    call({
      day,
      category: "dispute",
      subtype: "labour",
      location: { poi: `Z::${company}` },
      address: company,
      callerPseudonym: asPseudonym(caller),
      narrative: `报警人称其在春华1号地块项目工地干活，${company}拖欠工资1.2万元至今未付，现在${company}讨要工资无果。`,
    });
  const matters = (calls: Incident[]) =>
    RepeatIndex.build(calls)
      .allSeries()
      .filter((s) => s.kind === "matter")
      .map((s) => s.events.length)
      .sort();

  test("two plots named after one district are two sites", () => {
    const calls = [
      atSite(0, "a", 12, 60),
      atSite(3, "b", 12, 60),
      atSite(6, "c", 12, 60),
      atSite(1, "x", 12, 60, { location: OTHER_PLOT, address: "民主路314号春华2号地块项目工地" }),
      atSite(4, "y", 12, 60, { location: OTHER_PLOT, address: "民主路314号春华2号地块项目工地" }),
    ];
    const place = RepeatIndex.build(calls)
      .allSeries()
      .filter((s) => s.kind === "place");
    expect(place.map((s) => s.events.length)).toEqual([3]);
  });

  test("two teams at one site owed different sums are two matters, even when a company's call names the site", () => {
    const calls = [
      atSite(0, "a1", 12, 60),
      atSite(4, "a2", 12, 60),
      atSite(8, "a3", 12, 60),
      atCompany(20, "b1", "澜江瑞河建设工程有限公司"),
      atSite(22, "b1", 16, 43),
      atSite(24, "b2", 16, 43),
      atSite(28, "b3", 16, 43),
    ];
    expect(matters(calls)).toEqual([3, 4]);
  });

  test("a company's call naming the site joins the team that shares its callers, not the first team seen there", () => {
    const calls = [
      atSite(0, "a1", 12, 60),
      atSite(2, "a2", 12, 60),
      // Workers of the second team call from their company first, then from the site.
      atCompany(3, "b1", "澜江海上花城建设工程有限公司"),
      atSite(5, "b1", 16, 43),
      atSite(8, "b2", 16, 43),
      atSite(10, "a3", 12, 60),
    ];
    expect(matters(calls)).toEqual([3, 3]);
  });
});

describe("protection and escalation", () => {
  test("a family dispute that turns into assault at one flat is protective and red", () => {
    const calls = [
      call({ day: 0, category: "dispute", subtype: "family", location: ROOM }),
      call({ day: 20, category: "dispute", subtype: "family", location: ROOM }),
      call({ day: 40, category: "public_order", subtype: "threat", location: ROOM }),
      call({ day: 50, category: "criminal", subtype: "domestic_violence", location: ROOM }),
    ];
    const series = RepeatIndex.build(calls)
      .allSeries()
      .filter((s) => s.kind === "place" && s.group === "domestic");
    expect(series).toHaveLength(1);
    expect(series[0]!.protective).toBe(true);
    expect(series[0]!.escalation.severity).toBe(true);
    expect(series[0]!.escalation.steps).toEqual([
      "dispute.family",
      "public_order.threat",
      "criminal.domestic_violence",
    ]);
    expect(series[0]!.warning).toBe("red");
  });

  test("calls coming faster and faster escalate in frequency", () => {
    const series = RepeatIndex.build([0, 10, 18, 24, 27, 28.5].map((d) => noise(d))).allSeries();
    expect(series[0]!.escalation.frequency).toBe(true);
  });

  test("a first series at a quiet place is more surprising than at a place with a long history", () => {
    const elsewhere = Array.from({ length: 7 }, (_, k) => noise(k * 45, { location: { room: "far" } }));
    const quiet = RepeatIndex.build([...elsewhere, noise(300), noise(310), noise(320)]).allSeries()[0]!;
    const history = Array.from({ length: 7 }, (_, k) => noise(k * 45));
    const busy = RepeatIndex.build([...history, noise(300), noise(310), noise(320)]).allSeries()[0]!;
    expect(busy.events).toHaveLength(3);
    expect(quiet.surprise.score).toBeGreaterThan(busy.surprise.score);
  });
});

describe("incremental updates", () => {
  test("adding calls one by one gives the same series as a batch (property)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            minute: fc.integer({ min: 0, max: 60 * 24 * 120 }),
            room: fc.constantFrom("r1", "r2"),
            caller: fc.constantFrom("c1", "c2", null),
            sub: fc.constantFrom("noise", "neighbour"),
          }),
          { maxLength: 40 },
        ),
        (rows) => {
          const calls = rows
            .map((r, k) =>
              call({
                sourceId: `s${k}`,
                minute: r.minute,
                category: r.sub === "noise" ? "public_order" : "dispute",
                subtype: r.sub,
                callerPseudonym: r.caller as never,
                narrative: "楼上邻居半夜吵闹",
                location: { room: r.room, building: "b", poi: "p" },
              }),
            )
            .sort((a, b) => a.receivedAt - b.receivedAt);
          const batch = RepeatIndex.build(calls);
          const live = RepeatIndex.empty();
          for (const c of calls) live.add([c]);
          const view = (index: RepeatIndex) =>
            index
              .allSeries()
              .map((s) => `${s.kind}:${index.sourceIdsOf(s).join(",")}`)
              .sort();
          expect(view(live)).toEqual(view(batch));
          expect(live.duplicateGroups()).toEqual(batch.duplicateGroups());
        },
      ),
      { seed: 11, numRuns: 100 },
    );
  });
});
