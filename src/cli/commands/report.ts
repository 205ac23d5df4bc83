import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { extname, isAbsolute, resolve } from "node:path";
import type PDFDocumentClass from "pdfkit";
import {
  type IncidentColumns,
  type IndicatorPeriod,
  periodIndex,
  periodLabelIndex,
  RANK_METRICS,
  type RankMetric,
  UNIT_LEVELS,
  type UnitLevel,
  withRepeatSeries,
} from "../../analysis/indicators/index.ts";
import {
  type CellValue,
  escapeSpreadsheetText,
  monthlyReport,
  type ReportChart,
  type ReportDocument,
  type ReportTable,
} from "../../analysis/report/model.ts";
import { type Lang, NotFoundError } from "../../domain/index.ts";
import type { Store } from "../../store/index.ts";
import type { Command, CommandContext } from "../command.ts";
import { println, t } from "../command.ts";

type Pdf = InstanceType<typeof PDFDocumentClass>;
type SvgToPdf = (doc: Pdf, svg: string, x: number, y: number, options?: Record<string, unknown>) => void;

// ECharts, ExcelJS and PDFKit take seconds to load: they are imported when a report is written,
// not when the CLI starts (every command would pay for them otherwise).
const loadExcel = async () => (await import("exceljs")).default;
const loadEcharts = () => import("echarts");
const loadPdf = async () => ({
  PDFDocument: (await import("pdfkit")).default,
  // svg-to-pdfkit ships no types; it is CommonJS, loaded through require.
  svgToPdf: createRequire(import.meta.url)("svg-to-pdfkit") as SvgToPdf,
});

/** Fonts with Chinese glyphs, looked for in this order (RECUR_CJK_FONT first). Debian: fonts-noto-cjk. */
const CJK_FONTS: readonly { path: string; family?: string }[] = [
  { path: "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", family: "NotoSansCJKsc-Regular" },
  { path: "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", family: "NotoSansCJKsc-Regular" },
  { path: "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf" },
  { path: "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", family: "WenQuanYiMicroHei" },
  { path: "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf" },
];

/** The CJK font to embed, or null when the machine has none. */
export function findCjkFont(env: NodeJS.ProcessEnv): { path: string; family?: string } | null {
  const custom = env.RECUR_CJK_FONT;
  if (custom && existsSync(custom)) return { path: custom };
  return CJK_FONTS.find((f) => existsSync(f.path)) ?? null;
}

function cellText(value: CellValue, percent: boolean): string {
  if (value === null) return "—";
  if (typeof value === "number") {
    if (percent) return `${(value * 100).toFixed(1)}%`;
    return Number.isInteger(value) ? String(value) : value.toFixed(2);
  }
  return value;
}

/**
 * Writes the document as an Excel workbook: one sheet per table, text escaped against formula
 * injection, shares as real numbers with a percent format (so they can be sorted and summed).
 */
export async function writeXlsx(doc: ReportDocument, path: string): Promise<void> {
  const ExcelJS = await loadExcel();
  const book = new ExcelJS.Workbook();
  book.creator = "recur";
  const summary = book.addWorksheet(doc.lang === "zh" ? "概要" : "Summary");
  summary.addRow([escapeSpreadsheetText(doc.title)]).font = { bold: true, size: 14 };
  summary.addRow([escapeSpreadsheetText(doc.subtitle)]);
  for (const section of doc.sections) {
    summary.addRow([]);
    summary.addRow([escapeSpreadsheetText(section.heading)]).font = { bold: true };
    for (const p of section.paragraphs) summary.addRow([escapeSpreadsheetText(p)]);
  }
  summary.getColumn(1).width = 120;
  const used = new Set<string>();
  for (const table of doc.sections.flatMap((s) => s.tables)) {
    // Sheet names: at most 31 characters, no []:*?/\ and unique.
    let name = table.title.replace(/[[\]:*?/\\]/g, " ").slice(0, 28);
    while (used.has(name)) name = `${name.slice(0, 26)}_${used.size}`;
    used.add(name);
    const sheet = book.addWorksheet(name);
    sheet.addRow(table.columns.map(escapeSpreadsheetText)).font = { bold: true };
    for (const row of table.rows)
      sheet.addRow(row.map((v) => (typeof v === "string" ? escapeSpreadsheetText(v) : v)));
    for (const c of table.percent ?? []) sheet.getColumn(c + 1).numFmt = "0.0%";
    table.columns.forEach((col, c) => {
      sheet.getColumn(c + 1).width = Math.max(10, Math.min(40, col.length * 2 + 4));
    });
    sheet.views = [{ state: "frozen", ySplit: 1 }];
  }
  await book.xlsx.writeFile(path);
}

/** Renders an ECharts option to SVG on the server (no browser, no canvas). */
export async function chartSvg(chart: ReportChart, fontFamily: string): Promise<string> {
  const echarts = await loadEcharts();
  const instance = echarts.init(null, null, {
    renderer: "svg",
    ssr: true,
    width: chart.width,
    height: chart.height,
  });
  instance.setOption({ textStyle: { fontFamily }, ...chart.option });
  const svg = instance.renderToSVGString();
  instance.dispose();
  return svg;
}

const PAGE = { width: 595.28, height: 841.89, margin: 48 }; // A4 in points

/**
 * Writes the document as a printable A4 PDF with the tables and the charts (ECharts SVG drawn
 * as vectors), embedding a CJK font subset so that Chinese prints everywhere.
 */
export async function writePdf(
  doc: ReportDocument,
  path: string,
  font: { path: string; family?: string } | null,
): Promise<void> {
  const { PDFDocument, svgToPdf } = await loadPdf();
  const pdf = new PDFDocument({
    size: "A4",
    margin: PAGE.margin,
    info: { Title: doc.title, Producer: "recur" },
  });
  const chunks: Buffer[] = [];
  pdf.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((ok) => pdf.on("end", () => ok()));
  const FONT = "body";
  if (font) pdf.registerFont(FONT, font.path, font.family ?? "");
  else pdf.registerFont(FONT, "Helvetica");
  pdf.font(FONT);
  const width = PAGE.width - 2 * PAGE.margin;
  const ensure = (height: number) => {
    if (pdf.y + height > PAGE.height - PAGE.margin) pdf.addPage();
  };

  pdf.fontSize(18).text(doc.title, { align: "center" });
  pdf.moveDown(0.3).fontSize(10).fillColor("#555").text(doc.subtitle, { align: "center" }).fillColor("black");
  pdf.moveDown(1);
  for (const section of doc.sections) {
    ensure(60);
    pdf.fontSize(14).text(section.heading);
    pdf.moveDown(0.3).fontSize(10);
    for (const p of section.paragraphs) pdf.text(p, { width });
    pdf.moveDown(0.5);
    for (const chart of section.charts) {
      const scale = width / chart.width;
      const height = chart.height * scale;
      ensure(height + 24);
      pdf.fontSize(10).text(chart.title);
      const y = pdf.y + 4;
      svgToPdf(pdf, await chartSvg(chart, "sans-serif"), PAGE.margin, y, {
        width,
        height,
        fontCallback: () => FONT,
      });
      pdf.y = y + height + 8;
      pdf.x = PAGE.margin;
    }
    for (const table of section.tables) drawTable(pdf, table, width, ensure);
  }
  pdf.end();
  await done;
  await writeFile(path, Buffer.concat(chunks));
}

function drawTable(pdf: Pdf, table: ReportTable, width: number, ensure: (h: number) => void): void {
  const fontSize = table.columns.length > 8 ? 6.5 : 8;
  const colWidth = width / table.columns.length;
  const rowHeight = fontSize * 2.2;
  const percent = new Set(table.percent ?? []);
  ensure(rowHeight * 3 + 14);
  pdf.fontSize(10).text(table.title, PAGE.margin);
  const drawRow = (cells: readonly string[], header: boolean) => {
    ensure(rowHeight);
    const y = pdf.y;
    if (header)
      pdf
        .rect(PAGE.margin, y - 2, width, rowHeight)
        .fill("#e8eef7")
        .fillColor("black");
    cells.forEach((text, c) => {
      pdf.fontSize(fontSize).text(text, PAGE.margin + c * colWidth + 2, y, {
        width: colWidth - 4,
        height: rowHeight,
        ellipsis: true,
        lineBreak: false,
      });
    });
    pdf.y = y + rowHeight;
    pdf
      .moveTo(PAGE.margin, pdf.y - 2)
      .lineTo(PAGE.margin + width, pdf.y - 2)
      .lineWidth(0.3)
      .strokeColor("#bbb")
      .stroke();
  };
  drawRow(table.columns, true);
  for (const row of table.rows)
    drawRow(
      row.map((v, c) => cellText(v, percent.has(c))),
      false,
    );
  pdf.x = PAGE.margin;
  pdf.moveDown(0.8);
}

/** Writes .xlsx or .pdf by the file extension; returns false for another extension. */
export async function writeReport(
  doc: ReportDocument,
  out: string,
  ctx: CommandContext,
): Promise<"ok" | "bad-extension" | "no-font"> {
  const ext = extname(out).toLowerCase();
  if (ext === ".xlsx") {
    await writeXlsx(doc, out);
    return "ok";
  }
  if (ext === ".pdf") {
    const font = findCjkFont(ctx.env);
    if (!font && doc.lang === "zh") return "no-font";
    await writePdf(doc, out, font);
    return "ok";
  }
  return "bad-extension";
}

/**
 * Source ids of every call in a repeat series (place, caller or matter), from the repeat engine
 * run over the whole store: the repeat-incident rate is an aggregate, no caller is listed.
 */
async function sourceIdsInSeries(db: unknown, ctx: CommandContext): Promise<Set<string>> {
  const { detectFromStore } = await import("./repeat-load.ts");
  const { index } = await detectFromStore(db, { ...ctx, json: true });
  const out = new Set<string>();
  for (const series of index.allSeries()) for (const id of index.sourceIdsOf(series)) out.add(id);
  return out;
}

/** The options `recur report` and `recur indicators` share: period, unit, level and ranking. */
export const INDICATOR_OPTIONS = {
  month: { type: "string" },
  week: { type: "string" },
  unit: { type: "string" },
  level: { type: "string", default: "station" },
  "rank-by": { type: "string", default: "total" },
  db: { type: "string" },
} as const;

/** What `recur report` and `recur indicators` read from their shared options. */
export interface IndicatorArgs {
  readonly period: IndicatorPeriod;
  readonly label: string;
  readonly level: UnitLevel;
  readonly rankBy: RankMetric;
  readonly unit?: string;
}

/**
 * The period (monthly with --month YYYY-MM or weekly with --week YYYY-Www), --level, --rank-by
 * and --unit of `recur report` and `recur indicators`; or the usage message of the first bad one.
 */
export function indicatorArgs(
  kind: "monthly" | "weekly",
  v: { readonly [option: string]: unknown },
): IndicatorArgs | { zh: string; en: string } {
  const period: IndicatorPeriod = kind === "monthly" ? "month" : "week";
  const label = period === "month" ? v.month : v.week;
  if (typeof label !== "string")
    return period === "month"
      ? { zh: "缺少 --month YYYY-MM", en: "--month YYYY-MM is required" }
      : { zh: "缺少 --week YYYY-Www", en: "--week YYYY-Www is required" };
  try {
    periodLabelIndex(label, period);
  } catch {
    return { zh: `期间格式不对: ${label}`, en: `bad period: ${label}` };
  }
  const level = String(v.level) as UnitLevel;
  if (!UNIT_LEVELS.includes(level))
    return { zh: `--level 须为 ${UNIT_LEVELS.join("|")}`, en: `--level must be ${UNIT_LEVELS.join("|")}` };
  const rankBy = String(v["rank-by"]) as RankMetric;
  if (!RANK_METRICS.includes(rankBy))
    return {
      zh: `--rank-by 须为 ${RANK_METRICS.join("|")}`,
      en: `--rank-by must be ${RANK_METRICS.join("|")}`,
    };
  return { period, label, level, rankBy, ...(typeof v.unit === "string" ? { unit: v.unit } : {}) };
}

/** Epoch range of the current period's incidents, a day of margin each side for local offsets. */
function currentRange(label: string, period: IndicatorPeriod): { from: number; to: number } {
  const DAY = 86_400_000;
  const index = periodLabelIndex(label, period);
  const start = (i: number) =>
    period === "month" ? Date.UTC(Math.floor(i / 12), i % 12, 1) : (i * 7 - 3) * DAY;
  return { from: start(index) - DAY, to: start(index + 1) + DAY };
}

/** Incidents of the current period in a repeat series, per unit ("" = none). */
function repeatCounts(cols: IncidentColumns, index: Int32Array, current: number): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < cols.n; i++) {
    if (index[i] !== current || cols.inRepeatSeries?.[i] !== 1) continue;
    const unit = cols.unit[i]! >= 0 ? cols.units[cols.unit[i]!]! : "";
    out.set(unit, (out.get(unit) ?? 0) + 1);
  }
  return out;
}

/** Series of the last 13 periods per "unit|category" and in total, grouped by the database. */
async function trendsOf(
  store: Store,
  label: string,
  period: IndicatorPeriod,
  level: UnitLevel,
  unit: string | undefined,
) {
  const { loadRollupCounts } = await import("../../store/indicator-rollups.ts");
  const { periodKey, previousPeriods, trendsFromCounts } = await import("../../analysis/time/index.ts");
  const DAY = 86_400_000;
  const periods = previousPeriods(label, 13, period);
  const first = periodLabelIndex(periods[0]!, period);
  const last = periodLabelIndex(label, period);
  // Period index -> epoch range of its local days, with a day of margin.
  const startOf = (index: number) =>
    period === "month" ? Date.UTC(Math.floor(index / 12), index % 12, 1) : (index * 7 - 3) * DAY;
  // Local days from the daily rollups: no incident is read.
  const rows = await loadRollupCounts(store, startOf(first) / DAY, startOf(last + 1) / DAY, level);
  const byGroup = new Map<string, Map<string, number>>();
  const total = new Map<string, number>();
  const wanted = new Set(periods);
  for (const r of rows) {
    if (unit !== undefined && r.unit !== unit) continue;
    const key = periodKey(r.day * DAY, 0, period);
    if (!wanted.has(key)) continue;
    total.set(key, (total.get(key) ?? 0) + r.n);
    if (r.unit === "") continue;
    const group = `${r.unit}|${r.category}`;
    let series = byGroup.get(group);
    if (!series) {
      series = new Map();
      byGroup.set(group, series);
    }
    series.set(key, (series.get(key) ?? 0) + r.n);
  }
  const [totalSeries] = trendsFromCounts(new Map([["*", total]]), periods);
  return { trends: trendsFromCounts(byGroup, periods), ...(totalSeries ? { totalSeries } : {}) };
}

/** Opens the store a report reads; a missing SQLite file is an error, not a new empty store. */
export async function openStoreFor(db: unknown, ctx: CommandContext): Promise<Store> {
  // The store (Kysely, better-sqlite3, pg) is loaded only by commands that open it.
  const { DEFAULT_DB_PATH, openStore } = await import("../../store/index.ts");
  const path =
    typeof db === "string" ? (isAbsolute(db) ? db : resolve(ctx.cwd, db)) : resolve(ctx.cwd, DEFAULT_DB_PATH);
  const databaseUrl = ctx.env.DATABASE_URL;
  if (!databaseUrl && !existsSync(path))
    throw new NotFoundError("store_not_found", {
      zh: `找不到数据库 ${path}：请先用 recur import 导入，或用 --db 指定`,
      en: `no database at ${path}: import with recur import first, or pass --db`,
    });
  return openStore(databaseUrl ? { path, databaseUrl } : { path });
}

export function fontMissingMessage(ctx: CommandContext): string {
  return t(
    ctx,
    "找不到中文字体，无法生成中文 PDF：请安装 fonts-noto-cjk（apt install fonts-noto-cjk），或用 RECUR_CJK_FONT 指定字体文件，或加 --lang en",
    "No CJK font found for a Chinese PDF: install fonts-noto-cjk (apt install fonts-noto-cjk), set RECUR_CJK_FONT to a font file, or pass --lang en",
  );
}

export const reportCommand: Command = {
  name: "report",
  summary: {
    zh: "生成月/周警情分析通报（Excel 或带图表的 PDF）",
    en: "Monthly or weekly incident report (Excel, or PDF with charts)",
  },
  usage:
    "monthly --month YYYY-MM | weekly --week YYYY-Www [--unit U] [--with-repeats] [--level station|branch|area|city] [--rank-by total|change|arrivalOnTime|dispatchWithin1|repeatRate|quality|caseResolution|verifiedEffective] --out FILE.xlsx|.pdf [--db PATH]",
  options: {
    ...INDICATOR_OPTIONS,
    out: { type: "string" },
    "with-repeats": { type: "boolean", default: false },
  },
  async run(args, ctx) {
    const v = args.values;
    const kind = args.positionals[0];
    const usage = (zh: string, en: string) => {
      println(ctx.stderr, t(ctx, zh, en));
      return 2;
    };
    if (kind !== "monthly" && kind !== "weekly")
      return usage(
        "请指定 monthly 或 weekly",
        "say monthly or weekly: recur report monthly --month YYYY-MM --out FILE",
      );
    const chosen = indicatorArgs(kind, v);
    if ("zh" in chosen) return usage(chosen.zh, chosen.en);
    const { period, label, level, rankBy, unit } = chosen;
    if (typeof v.out !== "string" || ![".xlsx", ".pdf"].includes(extname(v.out).toLowerCase()))
      return usage("--out 须为 .xlsx 或 .pdf 文件", "--out must be a .xlsx or .pdf file");

    const store = await openStoreFor(v.db, ctx);
    let doc: ReportDocument;
    try {
      // Loaded here, not at CLI start: h3-js and the store take a while to load.
      const { loadIncidentColumns } = await import("../../store/incident-columns.ts");
      const { cellCounts, giStar } = await import("../../analysis/hotspots/index.ts");
      const { hourWeekHeatmap } = await import("../../analysis/time/index.ts");
      const withRepeats = v["with-repeats"] === true;
      // The current period's incidents, for hot spots and times (and the repeat rate on request).
      const loaded = await loadIncidentColumns(store, {
        ranges: [currentRange(label, period)],
        level,
        sourceIds: withRepeats,
        ...(unit ? { unit } : {}),
      });
      const cols = withRepeats ? withRepeatSeries(loaded, await sourceIdsInSeries(v.db, ctx)) : loaded;
      const index = periodIndex(cols, period);
      const current = periodLabelIndex(label, period);
      // Indicators from the daily rollups and grouped case, quality and stored-series queries;
      // --with-repeats counts the series of the repeat engine run now instead of the stored ones.
      const { storeIndicators } = await import("../../store/indicator-rollups.ts");
      const indicators = await storeIndicators(
        store,
        { period, label, level, rankBy, ...(unit ? { unit } : {}) },
        withRepeats ? repeatCounts(cols, index, current) : undefined,
      );
      const members = Array.from(index.keys()).filter((i) => index[i] === current);
      const lat = Float64Array.from(members, (i) => cols.lat[i]!);
      const lon = Float64Array.from(members, (i) => cols.lon[i]!);
      const hot = giStar(cellCounts(lat, lon, 9))
        .filter((g) => g.class.startsWith("hot"))
        .sort((a, b) => b.z - a.z);
      const heatmap = hourWeekHeatmap(cols.receivedAt, null, cols.utcOffsetMin, members);
      const series = await trendsOf(store, label, period, level, unit);
      const scope = unit ?? (ctx.lang === "zh" ? "全部单位" : "all units");
      doc = monthlyReport({
        indicators,
        hotspots: hot,
        heatmap,
        ...series,
        scope,
        lang: ctx.lang as Lang,
      });
      if (indicators.all.total === 0)
        println(ctx.stderr, t(ctx, `提示：${label} 没有警情`, `note: no incidents in ${label}`));
    } finally {
      await store.close();
    }
    const out = isAbsolute(v.out) ? v.out : resolve(ctx.cwd, v.out);
    const written = await writeReport(doc, out, ctx);
    if (written === "no-font") {
      println(ctx.stderr, fontMissingMessage(ctx));
      return 1;
    }
    if (ctx.json) println(ctx.stdout, JSON.stringify({ out, title: doc.title }));
    else println(ctx.stdout, t(ctx, `已生成 ${out}`, `Written ${out}`));
    return 0;
  },
};
