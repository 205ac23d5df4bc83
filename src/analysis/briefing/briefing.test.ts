import { describe, expect, test } from "vitest";
import { makeIncident } from "../../../test/builders.ts";
import { asEpochMs, asUnitCode, type Incident } from "../../domain/index.ts";
import { columnsFromIncidents } from "../indicators/columns.ts";
import { documentText, preShiftBriefing } from "./briefing.ts";

const AT = Date.UTC(2024, 5, 20, 0, 0); // 08:00 in Beijing, a Thursday
const H = 3_600_000;

function incident(msBefore: number, extra: Partial<Incident> = {}) {
  return makeIncident({
    receivedAt: asEpochMs(AT - msBefore),
    areaUnit: asUnitCode("A1"),
    lat: 31.23,
    lon: 121.47,
    ...extra,
  });
}

describe("preShiftBriefing", () => {
  // Every Thursday 09:xx of the last 4 weeks: one traffic incident; plus recent ones.
  const list = [
    ...[1, 2, 3, 4].map((w) => incident(w * 7 * 24 * H - 1.5 * H, { category: "traffic" })),
    incident(2 * H, { category: "dispute" }),
    incident(30 * H, { category: "dispute" }),
    incident(10 * 24 * H, { category: "help" }),
  ];
  const doc = preShiftBriefing({
    area: "A1",
    at: AT,
    offsetMin: 480,
    incidents: columnsFromIncidents(list, "area"),
    openSeries: [
      {
        id: "s1",
        kind: "place",
        place: "阳光小区3栋",
        warning: "orange",
        calls: 6,
        lastAt: AT - 3 * 24 * H,
        protective: false,
      },
      {
        id: "s2",
        kind: "place",
        place: "幸福里2号",
        warning: "yellow",
        calls: 3,
        lastAt: AT - 5 * 24 * H,
        protective: true,
      },
    ],
    openCases: null,
    lang: "zh",
  });

  test("counts the last 24 hours and the last 7 days", () => {
    expect(doc.sections[0]!.paragraphs[0]).toBe("过去 24 小时 1 起（纠纷 1）。");
    expect(doc.sections[0]!.paragraphs[1]).toBe("过去 7 天 3 起，前 7 天 2 起；主要为 纠纷 2，交通 1。");
  });

  test("protective series come first and missing case management is said, not hidden", () => {
    const table = doc.sections[2]!.tables[0]!;
    expect(table.rows.map((r) => r[0])).toEqual(["幸福里2号", "阳光小区3栋"]);
    expect(doc.sections[2]!.paragraphs[1]).toBe("案件管理未启用，未列出案件。");
  });

  test("the slot with the weekly pattern expects one incident and names its category", () => {
    const slots = doc.sections[3]!.tables[0]!.rows;
    expect(slots).toHaveLength(6);
    expect(slots[0]).toEqual(["08:00–10:00", 1, "交通 4，求助 1"]); // help: 10 days ago at 08:00
    expect(slots[1]![1]).toBe(0);
  });

  test("renders as aligned text for the terminal", () => {
    const text = documentText(doc);
    expect(text.split("\n")[0]).toBe("A1 班前提示");
    expect(text).toContain("四、分时段关注");
  });
});
