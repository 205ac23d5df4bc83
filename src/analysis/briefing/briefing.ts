import { CATEGORIES, CATEGORY_LABELS, type Lang } from "../../domain/index.ts";
import { cellCounts, giStar } from "../hotspots/hotspots.ts";
import type { IncidentColumns } from "../indicators/columns.ts";
import type { ReportDocument, ReportSection, ReportTable } from "../report/model.ts";
import { comparePeriods, heatCell, hourWeekHeatmap } from "../time/patterns.ts";

/**
 * Pre-shift briefing (班前提示) for a patrol area: what happened in the last 24 hours and 7 days,
 * where the hot cells are, which repeat series and cases are open, and what to watch in each
 * time slot of the coming shift, from the same hours of the last four weeks. Places and
 * problems only: caller series are never printed on a briefing.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** An open place or matter series (src/repeat) to follow up on the shift. */
export interface BriefingSeries {
  readonly id: string;
  readonly kind: "place" | "matter";
  /** Where: the location key or address the series is about. */
  readonly place: string;
  readonly warning: string;
  readonly calls: number;
  readonly lastAt: number;
  /** Domestic violence / victim help: protective follow-up. */
  readonly protective: boolean;
}

/** An open case (src/cases) of the area. */
export interface BriefingCase {
  readonly id: string;
  readonly title: string;
  readonly dueAt: number | null;
  readonly state: string;
}

export interface BriefingInput {
  readonly area: string;
  /** Start of the shift (epoch ms). */
  readonly at: number;
  /** Local offset of the area in minutes (e.g. 480). */
  readonly offsetMin: number;
  readonly shiftHours?: number;
  /** Slot length for "what to watch", in hours. Default 2. */
  readonly slotHours?: number;
  /** Incidents of the area received in the 28 days before `at` (more is ignored). */
  readonly incidents: IncidentColumns;
  readonly openSeries: readonly BriefingSeries[];
  /** null when case management is not set up in this deployment. */
  readonly openCases: readonly BriefingCase[] | null;
  readonly lang: Lang;
}

const L = (lang: Lang, zh: string, en: string) => (lang === "zh" ? zh : en);

function localTime(ms: number, offsetMin: number): string {
  const d = new Date(ms + offsetMin * 60_000).toISOString();
  return `${d.slice(0, 10)} ${d.slice(11, 16)}`;
}

function topCategories(cols: IncidentColumns, members: readonly number[], lang: Lang, n: number): string {
  const counts = new Int32Array(CATEGORIES.length);
  for (const i of members) counts[cols.category[i]!]!++;
  return [...CATEGORIES.keys()]
    .filter((c) => counts[c]! > 0)
    .sort((a, b) => counts[b]! - counts[a]!)
    .slice(0, n)
    .map((c) => `${CATEGORY_LABELS[CATEGORIES[c]!][lang]} ${counts[c]}`)
    .join(lang === "zh" ? "，" : ", ");
}

/**
 * The briefing as a printable document.
 * @example
 * const doc = preShiftBriefing({ area: "A01", at, offsetMin: 480, incidents, openSeries: [], openCases: null, lang: "zh" });
 */
export function preShiftBriefing(input: BriefingInput): ReportDocument {
  const { incidents: cols, at, lang } = input;
  const shiftHours = input.shiftHours ?? 12;
  const slotHours = input.slotHours ?? 2;
  const within = (from: number, to: number) => {
    const out: number[] = [];
    for (let i = 0; i < cols.n; i++) if (cols.receivedAt[i]! >= from && cols.receivedAt[i]! < to) out.push(i);
    return out;
  };
  const day = within(at - DAY, at);
  const week = within(at - 7 * DAY, at);
  const weekBefore = within(at - 14 * DAY, at - 7 * DAY);
  const month = within(at - 28 * DAY, at);
  const vsWeek = comparePeriods(week.length, weekBefore.length);

  const overview: ReportSection = {
    heading: L(lang, "一、近期警情", "1. Recent incidents"),
    paragraphs: [
      L(
        lang,
        `过去 24 小时 ${day.length} 起${day.length ? `（${topCategories(cols, day, lang, 3)}）` : ""}。`,
        `Last 24 hours: ${day.length}${day.length ? ` (${topCategories(cols, day, lang, 3)})` : ""}.`,
      ),
      L(
        lang,
        `过去 7 天 ${week.length} 起，前 7 天 ${weekBefore.length} 起${vsWeek.p !== null && vsWeek.p < 0.05 ? (vsWeek.change > 0 ? "，明显上升" : "，明显下降") : ""}${week.length ? `；主要为 ${topCategories(cols, week, lang, 3)}` : ""}。`,
        `Last 7 days: ${week.length}, the 7 days before: ${weekBefore.length}${vsWeek.p !== null && vsWeek.p < 0.05 ? (vsWeek.change > 0 ? ", a clear rise" : ", a clear fall") : ""}${week.length ? `; mostly ${topCategories(cols, week, lang, 3)}` : ""}.`,
      ),
    ],
    tables: [],
    charts: [],
  };

  // Hot cells of the last 7 days against the 28-day background of the area.
  const lat = Float64Array.from(week, (i) => cols.lat[i]!);
  const lon = Float64Array.from(week, (i) => cols.lon[i]!);
  const hot = giStar(cellCounts(lat, lon, 9))
    // A lone incident next to a busy cell shares its Gi*; a briefing lists cells with a few incidents.
    .filter((g) => g.class.startsWith("hot") && g.count >= 2)
    .sort((a, b) => b.z - a.z)
    .slice(0, 8);
  const hotSection: ReportSection = {
    heading: L(lang, "二、热点网格（近 7 天）", "2. Hot cells (last 7 days)"),
    paragraphs: [
      hot.length
        ? L(
            lang,
            "以下网格警情显著集中（Gi*，约 200 米六边形）。",
            "These cells hold significantly more incidents (Gi*, hexagons of about 200 m).",
          )
        : L(lang, "近 7 天没有显著集中的网格。", "No cell stands out in the last 7 days."),
    ],
    tables: hot.length
      ? [
          {
            title: L(lang, "热点网格", "Hot cells"),
            columns: [L(lang, "网格", "Cell"), L(lang, "警情数", "Incidents"), "z"],
            rows: hot.map((g) => [g.cell, g.count, Number(g.z.toFixed(2))]),
          },
        ]
      : [],
    charts: [],
  };

  const series = [...input.openSeries].sort(
    (a, b) => Number(b.protective) - Number(a.protective) || b.lastAt - a.lastAt,
  );
  const seriesSection: ReportSection = {
    heading: L(lang, "三、未化解的重复警情与案件", "3. Open repeat series and cases"),
    paragraphs: [
      series.length
        ? L(
            lang,
            `本区域有 ${series.length} 个重复警情系列未化解，巡逻时请关注。`,
            `${series.length} repeat series are open in the area.`,
          )
        : L(lang, "本区域没有未化解的重复警情系列。", "No open repeat series in the area."),
      input.openCases === null
        ? L(lang, "案件管理未启用，未列出案件。", "Case management is not set up: no cases listed.")
        : L(lang, `未结案件 ${input.openCases.length} 件。`, `${input.openCases.length} open cases.`),
    ],
    tables: [
      ...(series.length
        ? [
            {
              title: L(lang, "重复警情系列", "Repeat series"),
              columns: [
                L(lang, "地点/事项", "Place / matter"),
                L(lang, "预警", "Warning"),
                L(lang, "报警次数", "Calls"),
                L(lang, "最近一次", "Last call"),
                L(lang, "保护性回访", "Protective"),
              ],
              rows: series
                .slice(0, 15)
                .map((s) => [
                  s.place,
                  s.warning,
                  s.calls,
                  localTime(s.lastAt, input.offsetMin),
                  s.protective ? L(lang, "是", "yes") : "",
                ]),
            } satisfies ReportTable,
          ]
        : []),
      ...(input.openCases?.length
        ? [
            {
              title: L(lang, "未结案件", "Open cases"),
              columns: [
                L(lang, "编号", "Id"),
                L(lang, "事由", "Title"),
                L(lang, "状态", "State"),
                L(lang, "期限", "Due"),
              ],
              rows: input.openCases.map((c) => [
                c.id,
                c.title,
                c.state,
                c.dueAt === null ? "" : localTime(c.dueAt, input.offsetMin),
              ]),
            } satisfies ReportTable,
          ]
        : []),
    ],
    charts: [],
  };

  // What to watch: per slot of the shift, the mean of the same weekday and hours of the last 4 weeks.
  const weights = hourWeekHeatmap(cols.receivedAt, null, cols.utcOffsetMin, month);
  const slots: (string | number)[][] = [];
  for (let s = 0; s < shiftHours; s += slotHours) {
    const from = at + s * HOUR;
    const to = from + slotHours * HOUR;
    let expected = 0;
    for (let h = 0; h < slotHours; h++)
      expected += weights[heatCell(from + h * HOUR + input.offsetMin * 60_000)]! / 4;
    // Incidents of the last 28 days in the same hours of the day (any weekday).
    const fromHour = Math.floor(((((from + input.offsetMin * 60_000) % DAY) + DAY) % DAY) / HOUR);
    const sameHours = month.filter((i) => {
      const hour = Math.floor(
        ((((cols.receivedAt[i]! + cols.utcOffsetMin[i]! * 60_000) % DAY) + DAY) % DAY) / HOUR,
      );
      return (hour - fromHour + 24) % 24 < slotHours;
    });
    slots.push([
      `${localTime(from, input.offsetMin).slice(11)}–${localTime(to, input.offsetMin).slice(11)}`,
      Number(expected.toFixed(1)),
      topCategories(cols, sameHours, lang, 2) || "—",
    ]);
  }
  const watch: ReportSection = {
    heading: L(lang, "四、分时段关注", "4. What to watch by time slot"),
    paragraphs: [
      L(
        lang,
        "预计数为过去 4 周同一星期几、同一时段的平均警情数；类别为过去 4 周该时段最多的类别。",
        "Expected = mean of the same weekday and hours over the last 4 weeks; categories = the most frequent in these hours over 4 weeks.",
      ),
    ],
    tables: [
      {
        title: L(lang, "本班次时段", "Slots of this shift"),
        columns: [
          L(lang, "时段", "Slot"),
          L(lang, "预计警情", "Expected"),
          L(lang, "多发类别", "Frequent categories"),
        ],
        rows: slots,
      },
    ],
    charts: [],
  };

  return {
    title: L(lang, `${input.area} 班前提示`, `Pre-shift briefing ${input.area}`),
    subtitle: L(
      lang,
      `班次开始 ${localTime(at, input.offsetMin)}，时长 ${shiftHours} 小时`,
      `Shift from ${localTime(at, input.offsetMin)}, ${shiftHours} hours`,
    ),
    lang,
    sections: [overview, hotSection, seriesSection, watch],
  };
}

/** Plain-text rendering of a document, for the terminal or a text printer. */
export function documentText(doc: ReportDocument): string {
  const lines = [doc.title, doc.subtitle, ""];
  const width = (s: string) => [...s].reduce((w, ch) => w + (/[\u1100-\uffff]/.test(ch) ? 2 : 1), 0);
  const pad = (s: string, w: number) => s + " ".repeat(Math.max(0, w - width(s)));
  for (const section of doc.sections) {
    lines.push(section.heading);
    for (const p of section.paragraphs) lines.push(`  ${p}`);
    for (const table of section.tables) {
      const cells = [table.columns, ...table.rows.map((r) => r.map((v) => (v === null ? "—" : String(v))))];
      const widths = table.columns.map((_, c) => Math.max(...cells.map((r) => width(String(r[c] ?? "")))));
      lines.push(`  ${table.title}`);
      for (const row of cells) lines.push(`    ${row.map((v, c) => pad(String(v), widths[c]!)).join("  ")}`);
    }
    lines.push("");
  }
  return lines.join("\n");
}
