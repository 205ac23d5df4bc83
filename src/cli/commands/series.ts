import { WARNING_LABELS } from "../../repeat/explain.ts";
import { type Command, println, t } from "../command.ts";
import { detectFromStore, seriesJson } from "./repeat-load.ts";

/**
 * `recur series`: every repeat series and every group of duplicate calls.
 * JSON: {"series":[{"id","kind","level","locationKey","incidents","explanation",...}],"duplicates":[[ids]]}
 * where "level" is the warning level (blue/yellow/orange/red) and "locationLevel" the key's level.
 */
export const seriesCommand: Command = {
  name: "series",
  summary: {
    zh: "列出全部重复警情系列（一地多报、一人多报、一事多报）和重复来电组",
    en: "List every repeat series (place, caller, matter) and every group of duplicate calls",
  },
  usage: "[--db PATH] [--kind place|caller|matter] [--json] [--lang zh|en]",
  options: { db: { type: "string" }, kind: { type: "string" } },
  async run(args, ctx) {
    const kind = args.values.kind;
    if (kind !== undefined && kind !== "place" && kind !== "caller" && kind !== "matter") {
      println(
        ctx.stderr,
        t(ctx, "--kind 须为 place、caller 或 matter", "--kind must be place, caller or matter"),
      );
      return 2;
    }
    const { index } = await detectFromStore(args.values.db, ctx);
    const series = index.allSeries().filter((s) => kind === undefined || s.kind === kind);
    if (ctx.json) {
      println(
        ctx.stdout,
        JSON.stringify({
          series: series.map((s) => seriesJson(index, s, ctx.lang)),
          duplicates: index.duplicateGroups(),
        }),
      );
      return 0;
    }
    for (const s of series) {
      const json = seriesJson(index, s, ctx.lang);
      println(
        ctx.stdout,
        `${s.id}\t${WARNING_LABELS[s.warning][ctx.lang]}\t${s.kind}\t${s.group}\t${s.locationKey ?? s.callerPseudonym ?? ""}\t${json.incidents.length}`,
      );
    }
    println(
      ctx.stdout,
      t(
        ctx,
        `共 ${series.length} 个系列，${index.duplicateGroups().length} 组重复来电`,
        `${series.length} series, ${index.duplicateGroups().length} groups of duplicate calls`,
      ),
    );
    return 0;
  },
};
