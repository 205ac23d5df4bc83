import { CATEGORIES, CATEGORY_LABELS, type Lang } from "../../domain/index.ts";
import type { GiStar } from "../hotspots/hotspots.ts";
import type { IndicatorReport, UnitIndicators } from "../indicators/indicators.ts";
import type { SeriesTrend } from "../time/patterns.ts";

/**
 * Reports as data: a document of sections with tables and chart specifications (ECharts
 * options), built purely from analysis results. The CLI renders the same document to Excel
 * and to PDF, so both say the same thing.
 */

export type CellValue = string | number | null;

export interface ReportTable {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly CellValue[])[];
  /** Columns holding shares 0..1, shown as percentages. */
  readonly percent?: readonly number[];
}

export interface ReportChart {
  readonly title: string;
  /** An ECharts option (rendered server-side to SVG). */
  readonly option: Readonly<Record<string, unknown>>;
  readonly width: number;
  readonly height: number;
}

export interface ReportSection {
  readonly heading: string;
  readonly paragraphs: readonly string[];
  readonly tables: readonly ReportTable[];
  readonly charts: readonly ReportChart[];
}

export interface ReportDocument {
  readonly title: string;
  readonly subtitle: string;
  readonly lang: Lang;
  readonly sections: readonly ReportSection[];
}

/** Text a spreadsheet would run as a formula when it starts with = + - @, tab or CR (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Escapes text for a spreadsheet cell: a leading ' makes Excel, LibreOffice and WPS show it as
 * text instead of evaluating it. Numbers are not text and are left alone by the writer.
 * @example
 * escapeSpreadsheetText("=HYPERLINK(\"http://x\")"); // "'=HYPERLINK(\"http://x\")"
 */
export function escapeSpreadsheetText(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

const L = (lang: Lang, zh: string, en: string) => (lang === "zh" ? zh : en);

const pct = (v: number | null) => (v === null ? "—" : `${(v * 100).toFixed(1)}%`);

function signedShare(v: number | null, lang: Lang): string {
  if (v === null) return L(lang, "无可比", "n/a");
  return `${v >= 0 ? "+" : ""}${(v * 100).toFixed(1)}%`;
}

/** One-sentence summary of the period for the first page of a circular. */
export function summarySentences(report: IndicatorReport, lang: Lang): string[] {
  const a = report.all;
  const top = [...CATEGORIES]
    .map((c) => [c, a.byCategory[c].count] as const)
    .sort((x, y) => y[1] - x[1])
    .slice(0, 3)
    .filter(([, n]) => n > 0)
    .map(([c, n]) => `${CATEGORY_LABELS[c][lang]} ${n}`);
  const out = [
    L(
      lang,
      `${report.label} 共接报警情 ${a.total} 起，环比 ${signedShare(a.vsPrevious.changeShare, lang)}（上期 ${a.vsPrevious.previous} 起），同比 ${signedShare(a.vsLastYear.changeShare, lang)}（去年同期 ${a.vsLastYear.previous} 起）。`,
      `${report.label}: ${a.total} incidents, ${signedShare(a.vsPrevious.changeShare, lang)} on the previous period (${a.vsPrevious.previous}) and ${signedShare(a.vsLastYear.changeShare, lang)} on the same period last year (${a.vsLastYear.previous}).`,
    ),
  ];
  if (top.length > 0)
    out.push(L(lang, `主要类别：${top.join("，")}。`, `Main categories: ${top.join(", ")}.`));
  out.push(
    L(
      lang,
      `有效警情占比 ${pct(a.validShare)}；1 分钟内派警 ${pct(a.dispatchWithin[1] ?? null)}；按时到场 ${pct(a.arrivalOnTime)}。`,
      `Valid incidents ${pct(a.validShare)}; dispatched within 1 minute ${pct(a.dispatchWithin[1] ?? null)}; arrived on time ${pct(a.arrivalOnTime)}.`,
    ),
  );
  const r = a.response;
  out.push(
    L(
      lang,
      `接警至派警 3 分钟内 ${pct(a.dispatchWithin[3] ?? null)}、5 分钟内 ${pct(a.dispatchWithin[5] ?? null)}；城区 ${r.urbanArrival.limitMinutes} 分钟到场率 ${pct(r.urbanArrival.share)}，郊区 ${r.suburbanArrival.limitMinutes} 分钟到场率 ${pct(r.suburbanArrival.share)}。`,
      `Dispatched within 3 minutes ${pct(a.dispatchWithin[3] ?? null)}, within 5 minutes ${pct(a.dispatchWithin[5] ?? null)}; arrived within ${r.urbanArrival.limitMinutes} minutes in urban areas ${pct(r.urbanArrival.share)}, within ${r.suburbanArrival.limitMinutes} minutes in suburban areas ${pct(r.suburbanArrival.share)}.`,
    ),
  );
  const extras: string[] = [];
  if (a.repeatRate !== null)
    extras.push(L(lang, `重复警情率 ${pct(a.repeatRate)}`, `repeat-incident rate ${pct(a.repeatRate)}`));
  if (a.cases !== null)
    extras.push(
      L(
        lang,
        `案事件 ${a.cases.cases} 件，化解率 ${pct(a.caseResolutionRate)}，验证有效率 ${pct(a.verifiedEffectiveRate)}`,
        `${a.cases.cases} cases, ${pct(a.caseResolutionRate)} resolved, ${pct(a.verifiedEffectiveRate)} verified effective`,
      ),
    );
  if (a.quality !== null)
    extras.push(
      L(lang, `数据质量平均 ${a.quality.toFixed(1)} 分`, `mean data-quality score ${a.quality.toFixed(1)}`),
    );
  if (extras.length > 0) out.push(L(lang, `${extras.join("；")}。`, `${extras.join("; ")}.`));
  if (a.vsPrevious.p !== null && a.vsPrevious.p < 0.05)
    out.push(
      L(
        lang,
        "环比变化超出随机波动范围（p < 0.05）。",
        "The change on the previous period is more than chance (p < 0.05).",
      ),
    );
  return out;
}

function rankingTable(report: IndicatorReport, lang: Lang): ReportTable {
  return {
    title: L(lang, "单位排名", "Ranking of units"),
    columns: [
      L(lang, "名次", "Rank"),
      L(lang, "单位", "Unit"),
      L(lang, "警情数", "Incidents"),
      L(lang, "环比", "vs previous"),
      L(lang, "同比", "vs last year"),
      L(lang, "有效率", "Valid"),
      L(lang, "重复警情率", "Repeat rate"),
      L(lang, "1分钟派警", "Dispatch ≤1 min"),
      L(lang, "3分钟派警", "Dispatch ≤3 min"),
      L(lang, "5分钟派警", "Dispatch ≤5 min"),
      L(lang, "按时到场", "Arrived on time"),
      L(lang, "到场中位数(分)", "Median to arrival (min)"),
      L(lang, "案事件化解率", "Cases resolved"),
      L(lang, "验证有效率", "Verified effective"),
      L(lang, "数据质量", "Data quality"),
    ],
    rows: report.units.map((u: UnitIndicators) => [
      u.rank,
      u.unit,
      u.total,
      u.vsPrevious.changeShare,
      u.vsLastYear.changeShare,
      u.validShare,
      u.repeatRate,
      u.dispatchWithin[1] ?? null,
      u.dispatchWithin[3] ?? null,
      u.dispatchWithin[5] ?? null,
      u.arrivalOnTime,
      u.medianToArrivalMinutes,
      u.caseResolutionRate,
      u.verifiedEffectiveRate,
      u.quality,
    ]),
    percent: [3, 4, 5, 6, 7, 8, 9, 10, 12, 13],
  };
}

function categoryTable(report: IndicatorReport, lang: Lang): ReportTable {
  const a = report.all;
  return {
    title: L(lang, "分类别警情", "Incidents by category"),
    columns: [
      L(lang, "类别", "Category"),
      report.label,
      report.previousLabel,
      L(lang, "环比", "vs previous"),
      report.lastYearLabel,
      L(lang, "同比", "vs last year"),
    ],
    rows: CATEGORIES.map((c) => {
      const x = a.byCategory[c];
      return [CATEGORY_LABELS[c][lang], x.count, x.previous, x.mom, x.lastYear, x.yoy];
    }),
    percent: [3, 5],
  };
}

function hotspotTable(hot: readonly GiStar[], lang: Lang): ReportTable {
  return {
    title: L(lang, "热点网格（H3，Gi*）", "Hot spot cells (H3, Gi*)"),
    columns: [L(lang, "网格", "Cell"), L(lang, "警情数", "Incidents"), "z", "p", L(lang, "级别", "Class")],
    rows: hot.map((g) => [g.cell, g.count, Number(g.z.toFixed(2)), Number(g.p.toPrecision(2)), g.class]),
  };
}

const WEEKDAYS: Record<Lang, string[]> = {
  zh: ["周一", "周二", "周三", "周四", "周五", "周六", "周日"],
  en: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
};

/** ECharts option of an hour x weekday heatmap. */
export function heatmapChart(weights: Float64Array, lang: Lang): ReportChart {
  const data: [number, number, number][] = [];
  let max = 0;
  for (let d = 0; d < 7; d++)
    for (let h = 0; h < 24; h++) {
      const v = Number(weights[d * 24 + h]!.toFixed(2));
      max = Math.max(max, v);
      data.push([h, d, v]);
    }
  return {
    title: L(
      lang,
      "时段分布（小时 × 星期，时间不确定的警情按时段分摊）",
      "Hour x weekday (uncertain times spread over their span)",
    ),
    width: 700,
    height: 300,
    option: {
      animation: false,
      grid: { left: 50, right: 20, top: 20, bottom: 60 },
      xAxis: { type: "category", data: Array.from({ length: 24 }, (_, h) => String(h)) },
      yAxis: { type: "category", data: WEEKDAYS[lang] },
      visualMap: {
        min: 0,
        max: Math.max(1, max),
        orient: "horizontal",
        left: "center",
        bottom: 0,
        calculable: false,
      },
      series: [{ type: "heatmap", data }],
    },
  };
}

function rankingChart(report: IndicatorReport, lang: Lang): ReportChart {
  const top = report.units.slice(0, 15);
  return {
    title: L(lang, "各单位警情数（本期与上期）", "Incidents per unit (this and previous period)"),
    width: 700,
    height: 320,
    option: {
      animation: false,
      legend: { data: [report.label, report.previousLabel], top: 0 },
      grid: { left: 50, right: 20, top: 30, bottom: 70 },
      xAxis: { type: "category", data: top.map((u) => u.unit), axisLabel: { rotate: 40 } },
      yAxis: { type: "value" },
      series: [
        { name: report.label, type: "bar", data: top.map((u) => u.total) },
        { name: report.previousLabel, type: "bar", data: top.map((u) => u.vsPrevious.previous) },
      ],
    },
  };
}

function categoryChart(report: IndicatorReport, lang: Lang): ReportChart {
  const cats = CATEGORIES.filter((c) => report.all.byCategory[c].count > 0);
  return {
    title: L(lang, "警情类别构成", "Incidents by category"),
    width: 700,
    height: 300,
    option: {
      animation: false,
      series: [
        {
          type: "pie",
          radius: ["35%", "65%"],
          data: cats.map((c) => ({ name: CATEGORY_LABELS[c][lang], value: report.all.byCategory[c].count })),
          label: { formatter: "{b} {d}%" },
        },
      ],
    },
  };
}

export interface MonthlyReportInput {
  readonly indicators: IndicatorReport;
  /** Hot cells of the period, most significant first (optional: needs coordinates). */
  readonly hotspots?: readonly GiStar[];
  /** Hour x weekday weights of the period (optional). */
  readonly heatmap?: Float64Array;
  /** Monthly or weekly series per "unit|category" (optional), fastest-rising first. */
  readonly trends?: readonly SeriesTrend[];
  /** The series of all incidents over the same periods (optional). */
  readonly totalSeries?: SeriesTrend;
  /** Who the report covers, e.g. "全市" or a unit code. */
  readonly scope: string;
  readonly lang: Lang;
}

/**
 * The monthly (or weekly) circular as a document: summary, categories, ranking of units,
 * hot spots and time patterns.
 * @example
 * const doc = monthlyReport({ indicators, scope: "全市", lang: "zh" });
 */
export function monthlyReport(input: MonthlyReportInput): ReportDocument {
  const { indicators: r, lang } = input;
  const periodWord = r.period === "month" ? L(lang, "月度", "Monthly") : L(lang, "周", "Weekly");
  const sections: ReportSection[] = [
    {
      heading: L(lang, "一、总体情况", "1. Overview"),
      paragraphs: summarySentences(r, lang),
      tables: [categoryTable(r, lang)],
      charts: r.all.total > 0 ? [categoryChart(r, lang)] : [],
    },
    {
      heading: L(lang, "二、单位排名", "2. Units"),
      paragraphs: [
        L(
          lang,
          `按「${rankLabel(r.rankBy, lang)}」排序，并列同名次。`,
          `Ranked by "${rankLabel(r.rankBy, lang)}"; ties share a rank.`,
        ),
      ],
      tables: [rankingTable(r, lang)],
      charts: r.units.length > 0 ? [rankingChart(r, lang)] : [],
    },
  ];
  if (input.hotspots || input.heatmap)
    sections.push({
      heading: L(lang, "三、热点与时段", "3. Hot spots and times"),
      paragraphs: input.hotspots
        ? [
            input.hotspots.length > 0
              ? L(
                  lang,
                  `显著热点网格 ${input.hotspots.length} 个（Gi*，FDR 校正）。`,
                  `${input.hotspots.length} significant hot cells (Gi*, FDR-corrected).`,
                )
              : L(lang, "本期无显著热点网格。", "No significant hot cell this period."),
          ]
        : [],
      tables:
        input.hotspots && input.hotspots.length > 0 ? [hotspotTable(input.hotspots.slice(0, 20), lang)] : [],
      charts: input.heatmap ? [heatmapChart(input.heatmap, lang)] : [],
    });
  if (input.trends || input.totalSeries) sections.push(trendSection(input, sections.length + 1));
  return {
    title: L(lang, `${r.label} ${periodWord}警情分析通报`, `${periodWord} incident report ${r.label}`),
    subtitle: L(
      lang,
      `范围：${input.scope}；对比：${r.previousLabel}、${r.lastYearLabel}`,
      `Scope: ${input.scope}; compared with ${r.previousLabel} and ${r.lastYearLabel}`,
    ),
    lang,
    sections,
  };
}

function rankLabel(metric: IndicatorReport["rankBy"], lang: Lang): string {
  const labels: Record<IndicatorReport["rankBy"], [string, string]> = {
    total: ["警情数", "incidents"],
    change: ["环比增量", "change on previous"],
    arrivalOnTime: ["按时到场率", "arrival on time"],
    dispatchWithin1: ["1分钟派警率", "dispatch within 1 minute"],
    repeatRate: ["重复警情率", "repeat rate"],
    quality: ["数据质量", "data quality"],
    caseResolution: ["案事件化解率", "case resolution rate"],
    verifiedEffective: ["验证有效率", "verified-effective rate"],
  };
  return labels[metric][lang === "zh" ? 0 : 1];
}

const CHINESE_NUMBERS = ["一", "二", "三", "四", "五", "六", "七", "八"];

function trendSection(input: MonthlyReportInput, number: number): ReportSection {
  const lang = input.lang;
  const rising = (input.trends ?? []).filter((t) => t.trend.direction === "rising").slice(0, 10);
  const total = input.totalSeries;
  const label = (group: string) => {
    const [unit, category] = group.split("|");
    const cat = CATEGORIES.find((c) => c === category);
    return [unit ?? "", cat ? CATEGORY_LABELS[cat][lang] : (category ?? "")];
  };
  return {
    heading: L(lang, `${CHINESE_NUMBERS[number - 1] ?? number}、趋势`, `${number}. Trends`),
    paragraphs: [
      total
        ? L(
            lang,
            `近 ${total.periods.length} 期警情总量趋势：${total.trend.direction === "rising" ? "上升" : total.trend.direction === "falling" ? "下降" : "平稳"}（每期 ${signedShare(total.trend.relativeSlope, lang)}）。`,
            `Total over the last ${total.periods.length} periods: ${total.trend.direction} (${signedShare(total.trend.relativeSlope, lang)} per period).`,
          )
        : "",
      rising.length
        ? L(lang, "上升最快的单位与类别如下。", "Units and categories rising fastest:")
        : L(lang, "没有明显上升的单位与类别。", "No unit and category is clearly rising."),
    ].filter((p) => p !== ""),
    tables: rising.length
      ? [
          {
            title: L(lang, "上升的单位与类别", "Rising units and categories"),
            columns: [
              L(lang, "单位", "Unit"),
              L(lang, "类别", "Category"),
              L(lang, "每期变化", "Per period"),
              ...rising[0]!.periods.slice(-6),
            ],
            rows: rising.map((t) => [...label(t.group), t.trend.relativeSlope, ...t.counts.slice(-6)]),
            percent: [2],
          },
        ]
      : [],
    charts: total
      ? [
          {
            title: L(lang, "警情总量走势", "Incidents per period"),
            width: 700,
            height: 260,
            option: {
              animation: false,
              grid: { left: 50, right: 20, top: 20, bottom: 40 },
              xAxis: { type: "category", data: total.periods },
              yAxis: { type: "value" },
              series: [{ type: "line", data: total.counts }],
            },
          },
        ]
      : [],
  };
}
