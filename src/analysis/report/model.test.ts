import { describe, expect, test } from "vitest";
import { makeIncident } from "../../../test/builders.ts";
import { asEpochMs, asUnitCode } from "../../domain/index.ts";
import { columnsFromIncidents } from "../indicators/columns.ts";
import { periodIndicators } from "../indicators/indicators.ts";
import { trendsFromCounts } from "../time/patterns.ts";
import { escapeSpreadsheetText, heatmapChart, monthlyReport, summarySentences } from "./model.ts";

describe("escapeSpreadsheetText", () => {
  test.each([
    ["=1+1", "'=1+1"],
    ["+86 138", "'+86 138"],
    ["-2", "'-2"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tx", "'\tx"],
    ["\rx", "'\rx"],
    ["派出所=1", "派出所=1"],
    ["", ""],
  ])("%j becomes %j", (input, output) => {
    expect(escapeSpreadsheetText(input)).toBe(output);
  });
});

describe("monthlyReport", () => {
  const incidents = [
    makeIncident({
      receivedAt: asEpochMs(Date.UTC(2024, 4, 3, 2)),
      stationUnit: asUnitCode("S1"),
      category: "dispute",
    }),
    makeIncident({
      receivedAt: asEpochMs(Date.UTC(2024, 4, 4, 2)),
      stationUnit: asUnitCode("S2"),
      category: "traffic",
    }),
    makeIncident({
      receivedAt: asEpochMs(Date.UTC(2024, 3, 4, 2)),
      stationUnit: asUnitCode("S2"),
      category: "traffic",
    }),
  ];
  const indicators = periodIndicators(columnsFromIncidents(incidents), { period: "month", label: "2024-05" });

  test("the summary states the total and the changes in the user's language", () => {
    expect(summarySentences(indicators, "zh")[0]).toContain("共接报警情 2 起，环比 +100.0%");
    expect(summarySentences(indicators, "en")[0]).toContain("2 incidents, +100.0% on the previous period");
  });

  test("the document has the overview, the ranking and, when given, hot spots and times", () => {
    const plain = monthlyReport({ indicators, scope: "全市", lang: "zh" });
    expect(plain.title).toBe("2024-05 月度警情分析通报");
    expect(plain.sections.map((s) => s.heading)).toEqual(["一、总体情况", "二、单位排名"]);
    const ranking = plain.sections[1]!.tables[0]!;
    expect(ranking.rows.map((r) => r.slice(0, 3))).toEqual([
      [1, "S1", 1],
      [1, "S2", 1],
    ]);
    const full = monthlyReport({
      indicators,
      scope: "all",
      lang: "en",
      hotspots: [],
      heatmap: new Float64Array(168),
    });
    expect(full.sections).toHaveLength(3);
    expect(full.sections[2]!.paragraphs[0]).toBe("No significant hot cell this period.");
  });

  test("the heatmap chart has 168 cells with weekday rows", () => {
    const w = new Float64Array(168);
    w[24 + 9] = 3;
    const chart = heatmapChart(w, "zh");
    const series = (chart.option.series as { data: [number, number, number][] }[])[0]!;
    expect(series.data).toHaveLength(168);
    expect(series.data.find(([h, d]) => h === 9 && d === 1)![2]).toBe(3);
  });
});

describe("trend section", () => {
  test("lists rising unit and category series and charts the total", () => {
    const indicators = periodIndicators(columnsFromIncidents([]), { period: "month", label: "2024-05" });
    const periods = ["2024-03", "2024-04", "2024-05"];
    const trends = trendsFromCounts(
      new Map([
        [
          "S1|dispute",
          new Map([
            ["2024-03", 1],
            ["2024-04", 2],
            ["2024-05", 4],
          ]),
        ],
        [
          "S2|traffic",
          new Map([
            ["2024-03", 3],
            ["2024-04", 3],
            ["2024-05", 3],
          ]),
        ],
      ]),
      periods,
    );
    const [totalSeries] = trendsFromCounts(
      new Map([
        [
          "*",
          new Map([
            ["2024-03", 4],
            ["2024-04", 5],
            ["2024-05", 7],
          ]),
        ],
      ]),
      periods,
    );
    const doc = monthlyReport({ indicators, trends, totalSeries: totalSeries!, scope: "全市", lang: "zh" });
    const section = doc.sections[doc.sections.length - 1]!;
    expect(section.heading).toBe("三、趋势");
    expect(section.tables[0]!.rows.map((r) => r.slice(0, 2))).toEqual([["S1", "纠纷"]]);
    expect(section.charts[0]!.option.xAxis).toEqual({ type: "category", data: periods });
    expect(section.paragraphs[0]).toContain("上升");
  });
});
