import { extname, isAbsolute, resolve } from "node:path";
import type { BriefingSeries } from "../../analysis/briefing/briefing.ts";
import { UNIT_LEVELS, type UnitLevel } from "../../analysis/indicators/columns.ts";
import type { IncidentColumns } from "../../analysis/indicators/index.ts";
import { type Command, type CommandContext, println, t } from "../command.ts";
import { fontMissingMessage, openStoreFor, writeReport } from "./report.ts";

const DAY = 86_400_000;
const UNIT_COLUMN = {
  city: "city_unit",
  branch: "branch_unit",
  station: "station_unit",
  area: "area_unit",
} as const;

/** "YYYY-MM-DD HH:MM" on the local clock of the area -> epoch ms, or null. */
function parseLocal(text: string, offsetMin: number): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return null;
  return Date.UTC(y, mo - 1, d, h, mi) - offsetMin * 60_000;
}

/** Open place and matter series with a call in the area in the last 30 days (never caller series). */
async function openSeriesOf(
  db: unknown,
  ctx: CommandContext,
  areaSourceIds: ReadonlySet<string>,
  at: number,
): Promise<BriefingSeries[]> {
  const { detectFromStore } = await import("./repeat-load.ts");
  const { index } = await detectFromStore(db, { ...ctx, json: true });
  const out: BriefingSeries[] = [];
  for (const s of index.allSeries()) {
    if (s.kind === "caller" || s.end < at - 30 * DAY || s.start > at) continue;
    const ids = index.sourceIdsOf(s);
    if (!ids.some((id) => areaSourceIds.has(id))) continue;
    out.push({
      id: s.id,
      kind: s.kind,
      place: s.locationKey ?? s.group,
      warning: s.warning,
      calls: index.callCount(s),
      lastAt: s.end,
      protective: s.protective,
    });
  }
  return out;
}

export const briefingCommand: Command = {
  name: "briefing",
  summary: {
    zh: "班前提示：某警务区/派出所近 24 小时与 7 天警情、热点网格、未化解重复警情、分时段关注",
    en: "Pre-shift briefing for a patrol area: last 24 h and 7 days, hot cells, open repeat series, what to watch by slot",
  },
  usage:
    '--area U [--level area|station|branch|city] [--at "YYYY-MM-DD HH:MM"] [--offset 480] [--hours 12] [--out FILE.pdf|.xlsx] [--db PATH] [--json]',
  options: {
    area: { type: "string" },
    level: { type: "string", default: "area" },
    at: { type: "string" },
    offset: { type: "string", default: "480" },
    hours: { type: "string", default: "12" },
    out: { type: "string" },
    db: { type: "string" },
  },
  async run(args, ctx) {
    const v = args.values;
    const usage = (zh: string, en: string) => {
      println(ctx.stderr, t(ctx, zh, en));
      return 2;
    };
    if (typeof v.area !== "string") return usage("缺少 --area 单位代码", "--area UNIT is required");
    const level = String(v.level) as UnitLevel;
    if (!UNIT_LEVELS.includes(level))
      return usage(`--level 须为 ${UNIT_LEVELS.join("|")}`, `--level must be ${UNIT_LEVELS.join("|")}`);
    const offsetMin = Number(v.offset);
    const hours = Number(v.hours);
    if (!Number.isInteger(offsetMin) || Math.abs(offsetMin) > 840)
      return usage("--offset 须为分钟数，如 480", "--offset must be minutes, e.g. 480");
    if (!Number.isInteger(hours) || hours < 1 || hours > 24)
      return usage("--hours 须为 1 到 24", "--hours must be 1 to 24");
    // The CLI is the edge: it may read the clock when no shift start is given.
    const at = typeof v.at === "string" ? parseLocal(v.at, offsetMin) : Date.now();
    if (at === null)
      return usage(`--at 格式应为 "YYYY-MM-DD HH:MM": ${v.at}`, `--at must be "YYYY-MM-DD HH:MM": ${v.at}`);
    if (typeof v.out === "string" && ![".pdf", ".xlsx"].includes(extname(v.out).toLowerCase()))
      return usage("--out 须为 .pdf 或 .xlsx", "--out must be .pdf or .xlsx");

    const store = await openStoreFor(v.db, ctx);
    // Loaded here, not at CLI start: h3-js and the store take a while to load.
    const { loadIncidentColumns } = await import("../../store/incident-columns.ts");
    const { documentText, preShiftBriefing } = await import("../../analysis/briefing/briefing.ts");
    let incidents: IncidentColumns;
    let sourceIds: Set<string>;
    try {
      incidents = await loadIncidentColumns(store, {
        ranges: [{ from: at - 28 * DAY, to: at }],
        level,
        unit: v.area,
      });
      const rows = await store.db
        .selectFrom("incidents")
        .select("source_id")
        .where(UNIT_COLUMN[level], "=", v.area)
        .where("received_at", ">=", at - 60 * DAY)
        .where("received_at", "<", at)
        .execute();
      sourceIds = new Set(rows.map((r) => r.source_id));
    } finally {
      await store.close();
    }
    const openSeries = sourceIds.size > 0 ? await openSeriesOf(v.db, ctx, sourceIds, at) : [];
    const doc = preShiftBriefing({
      area: v.area,
      at,
      offsetMin,
      shiftHours: hours,
      incidents,
      openSeries,
      openCases: null,
      lang: ctx.lang,
    });
    if (incidents.n === 0)
      println(
        ctx.stderr,
        t(
          ctx,
          `提示：${v.area} 过去 28 天没有警情（单位代码对吗？）`,
          `note: no incidents for ${v.area} in the last 28 days (is the unit code right?)`,
        ),
      );
    if (typeof v.out === "string") {
      const out = isAbsolute(v.out) ? v.out : resolve(ctx.cwd, v.out);
      const written = await writeReport(doc, out, ctx);
      if (written === "no-font") {
        println(ctx.stderr, fontMissingMessage(ctx));
        return 1;
      }
      println(ctx.stdout, ctx.json ? JSON.stringify({ out }) : t(ctx, `已生成 ${out}`, `Written ${out}`));
      return 0;
    }
    println(ctx.stdout, ctx.json ? JSON.stringify(doc) : documentText(doc));
    return 0;
  },
};
