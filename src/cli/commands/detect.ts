import { WARNING_LABELS } from "../../repeat/explain.ts";
import { WARNING_LEVELS } from "../../repeat/options.ts";
import { type Command, println, t } from "../command.ts";
import { detectFromStore, seriesJson } from "./repeat-load.ts";

/** `recur detect`: batch repeat detection over the store, with a summary and the most serious series. */
export const detectCommand: Command = {
  name: "detect",
  summary: {
    zh: "重复警情检测：合并重复来电，识别一地多报、一人多报、一事多报并预警",
    en: "Repeat detection: merge duplicate calls, find place, caller and matter series, warn",
  },
  usage: "[--db PATH] [--top N] [--dry-run] [--json] [--lang zh|en]",
  options: {
    db: { type: "string" },
    top: { type: "string" },
    "dry-run": { type: "boolean", default: false },
  },
  async run(args, ctx) {
    const top = args.values.top === undefined ? 10 : Number(args.values.top);
    if (!Number.isInteger(top) || top < 0) {
      println(ctx.stderr, t(ctx, "--top 须为非负整数", "--top must be a non-negative integer"));
      return 2;
    }
    // The series found are stored (repeat_series) for the dashboard, cases and the API, unless --dry-run.
    const save = args.values["dry-run"] !== true;
    const { index, incidents, loadSeconds, detectSeconds } = await detectFromStore(args.values.db, ctx, save);
    const series = index.allSeries();
    const byKind = { place: 0, caller: 0, matter: 0 };
    const byWarning = { blue: 0, yellow: 0, orange: 0, red: 0 };
    for (const s of series) {
      byKind[s.kind]++;
      byWarning[s.warning]++;
    }
    const duplicates = index.duplicateGroups();
    const rank = (w: string) => WARNING_LEVELS.indexOf(w as never);
    const serious = [...series]
      .sort((a, b) => rank(b.warning) - rank(a.warning) || b.surprise.score - a.surprise.score)
      .slice(0, top);
    if (ctx.json) {
      println(
        ctx.stdout,
        JSON.stringify({
          incidents,
          events: index.eventCount,
          duplicateGroups: duplicates.length,
          duplicateCalls: duplicates.reduce((n, g) => n + g.length, 0),
          series: byKind,
          warnings: byWarning,
          loadSeconds: Number(loadSeconds.toFixed(3)),
          detectSeconds: Number(detectSeconds.toFixed(3)),
          top: serious.map((s) => seriesJson(index, s, ctx.lang)),
        }),
      );
      return 0;
    }
    println(
      ctx.stdout,
      t(
        ctx,
        `${incidents} 条警情 → ${index.eventCount} 起事件（${duplicates.length} 组重复来电）；读取 ${loadSeconds.toFixed(1)} 秒，检测 ${detectSeconds.toFixed(2)} 秒`,
        `${incidents} incidents → ${index.eventCount} events (${duplicates.length} groups of duplicate calls); read ${loadSeconds.toFixed(1)} s, detection ${detectSeconds.toFixed(2)} s`,
      ),
    );
    println(
      ctx.stdout,
      t(
        ctx,
        `重复警情系列：一地多报 ${byKind.place}，一人多报 ${byKind.caller}，一事多报 ${byKind.matter}`,
        `Repeat series: place ${byKind.place}, caller ${byKind.caller}, matter ${byKind.matter}`,
      ),
    );
    println(
      ctx.stdout,
      WARNING_LEVELS.map((w) => `${WARNING_LABELS[w][ctx.lang]} ${byWarning[w]}`).join(
        ctx.lang === "zh" ? "，" : ", ",
      ),
    );
    for (const s of serious) println(ctx.stdout, `\n[${s.id}] ${seriesJson(index, s, ctx.lang).explanation}`);
    return 0;
  },
};
