import { describe, expect, test } from "vitest";
import { makeIncident } from "../../test/builders.ts";
import type { Incident } from "../domain/index.ts";
import { checkAtDispatch } from "./dispatch.ts";
import { RepeatIndex } from "./engine.ts";
import { explainSeries } from "./explain.ts";

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);
const ROOM = {
  poi: "Z::阳光小区",
  building: "Z::阳光小区/b3",
  unit: "Z::阳光小区/b3/u2",
  room: "Z::阳光小区/b3/u2/r501",
};
const at = (d: number) => (T0 + d * DAY) as Incident["receivedAt"];
const noise = (d: number, extra: Parameters<typeof makeIncident>[0] = {}) =>
  makeIncident({ receivedAt: at(d), category: "public_order", subtype: "noise", location: ROOM, ...extra });

describe("checkAtDispatch", () => {
  const index = RepeatIndex.build([
    noise(0, { sourceId: "n1", lon: 120.15, lat: 30.25, callerPseudonym: "p-9" as never }),
    noise(5, { sourceId: "n2", callerPseudonym: "p-9" as never }),
    noise(9, { sourceId: "n3", callerPseudonym: "p-9" as never }),
  ]);

  test("a call about noise at the same flat finds the open place series", () => {
    const answer = checkAtDispatch(index, {
      keys: { room: ROOM.room },
      category: "public_order",
      subtype: "noise",
      at: at(12),
    });
    const place = answer.series.find((s) => s.kind === "place");
    expect(place?.sameGroup).toBe(true);
    expect(place?.via).toBe("address");
    expect(answer.recentAtPlace).toBe(3);
    expect(answer.warning).not.toBeNull();
  });

  test("the same flat written another way is still found", () => {
    const answer = checkAtDispatch(index, {
      keys: { room: "Z:浙江省:澜江市滨江区阳光花园/b3/u2/r501" },
      category: "public_order",
      subtype: "noise",
      at: at(12),
    });
    expect(answer.series.some((s) => s.kind === "place")).toBe(true);
  });

  test("a series whose window has passed is no longer open", () => {
    const answer = checkAtDispatch(index, {
      keys: { room: ROOM.room },
      category: "public_order",
      subtype: "noise",
      at: at(80),
    });
    expect(answer.series).toEqual([]);
    expect(answer.recentAtPlace).toBe(0);
  });

  test("coordinates alone find the series at the place within the radius", () => {
    const answer = checkAtDispatch(index, {
      lon: 120.1501,
      lat: 30.2501,
      category: "public_order",
      subtype: "noise",
      at: at(12),
    });
    expect(answer.series.map((s) => s.via)).toContain("coordinates");
  });

  test("the caller's pseudonym finds the caller series, never a number", () => {
    const answer = checkAtDispatch(index, {
      callerPseudonym: "p-9",
      category: "public_order",
      subtype: "noise",
      at: at(12),
    });
    const caller = answer.series.find((s) => s.kind === "caller");
    expect(caller?.callerPseudonym).toBe("p-9");
    expect(caller?.explanation.zh).toContain("不作为处罚依据");
  });

  test("two recent events and a third call: this call completes a series", () => {
    const two = RepeatIndex.build([noise(0), noise(5)]);
    const answer = checkAtDispatch(two, {
      keys: { room: ROOM.room },
      category: "public_order",
      subtype: "noise",
      at: at(6),
    });
    expect(answer.series).toEqual([]);
    expect(answer.wouldFormSeries).toBe(true);
    expect(answer.summary.en).toContain("this call makes it a place series");
  });

  test("an unknown place answers with nothing, quickly", () => {
    const answer = checkAtDispatch(index, {
      keys: { room: "Z::别处/b1/u1/r1" },
      category: "traffic",
      subtype: "accident",
    });
    expect(answer.series).toEqual([]);
    expect(answer.summary.zh).toContain("无关联");
  });
});

describe("explanations", () => {
  test("say which calls, which rule and what changed, in Chinese and English", () => {
    const index = RepeatIndex.build([
      makeIncident({
        sourceId: "d1",
        receivedAt: at(0),
        category: "dispute",
        subtype: "family",
        location: ROOM,
      }),
      makeIncident({
        sourceId: "d2",
        receivedAt: at(0.01),
        category: "dispute",
        subtype: "family",
        location: ROOM,
      }),
      makeIncident({
        sourceId: "d3",
        receivedAt: at(20),
        category: "public_order",
        subtype: "threat",
        location: ROOM,
      }),
      makeIncident({
        sourceId: "d4",
        receivedAt: at(30),
        category: "criminal",
        subtype: "domestic_violence",
        location: ROOM,
      }),
    ]);
    const series = index.allSeries().find((s) => s.kind === "place")!;
    const text = explainSeries(index, series);
    expect(text.zh).toContain("一地多报");
    expect(text.zh).toContain("d1、d2");
    expect(text.zh).toContain("1次为同一事件的重复来电");
    expect(text.zh).toContain("家庭纠纷 → 威胁恐吓 → 家庭暴力");
    expect(text.zh).toContain("保护性跟进");
    expect(text.en).toContain('"at least 2 within 90 days"');
    expect(text.en).toContain("severity rising");
  });
});
