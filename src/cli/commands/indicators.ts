import type { Command } from "../command.ts";
import { println, t } from "../command.ts";
import { INDICATOR_OPTIONS, indicatorArgs, openStoreFor } from "./report.ts";

const pct = (v: number | null) => (v === null ? "—" : `${(v * 100).toFixed(1)}%`);

/**
 * `recur indicators`: the monthly or weekly indicators per unit on the terminal (or as JSON),
 * read from the daily rollups; `recur indicators rebuild` remakes the rollups from the incidents.
 */
export const indicatorsCommand: Command = {
  name: "indicators",
  summary: {
    zh: "月/周指标（按单位排名，读日汇总表）；rebuild 由警情重建日汇总表",
    en: "Monthly or weekly indicators per unit (from the daily rollups); rebuild remakes the rollups",
  },
  usage:
    "monthly --month YYYY-MM | weekly --week YYYY-Www [--unit U] [--level station|branch|area|city] [--rank-by METRIC] [--db PATH] [--json]\n  rebuild [--db PATH]",
  options: INDICATOR_OPTIONS,
  async run(args, ctx) {
    const v = args.values;
    const kind = args.positionals[0];
    const usage = (zh: string, en: string) => {
      println(ctx.stderr, t(ctx, zh, en));
      return 2;
    };
    if (kind === "rebuild") {
      const store = await openStoreFor(v.db, ctx);
      try {
        const { rebuildIndicatorRollups, refreshExtraDays } = await import(
          "../../store/indicator-rollups.ts"
        );
        const started = performance.now();
        const result = await store.db
          .transaction()
          .execute((trx) =>
            rebuildIndicatorRollups(trx as unknown as Parameters<typeof rebuildIndicatorRollups>[0]),
          );
        // The daily quality and repeat totals too, whatever their generation says.
        for (const kind of ["quality", "repeat"] as const) await refreshExtraDays(store, kind, true);
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        if (ctx.json) println(ctx.stdout, JSON.stringify({ ...result, seconds: Number(seconds) }));
        else
          println(
            ctx.stdout,
            t(
              ctx,
              `已由 ${result.incidents} 起警情重建日汇总表（${result.rows} 行，${seconds} 秒）`,
              `Rebuilt the daily rollups from ${result.incidents} incidents (${result.rows} rows, ${seconds} s)`,
            ),
          );
        return 0;
      } finally {
        await store.close();
      }
    }
    if (kind !== "monthly" && kind !== "weekly")
      return usage(
        "请指定 monthly、weekly 或 rebuild",
        "say monthly, weekly or rebuild: recur indicators monthly --month YYYY-MM",
      );
    const chosen = indicatorArgs(kind, v);
    if ("zh" in chosen) return usage(chosen.zh, chosen.en);
    const { period, label, level, rankBy, unit } = chosen;
    const store = await openStoreFor(v.db, ctx);
    try {
      const { storeIndicators } = await import("../../store/indicator-rollups.ts");
      const report = await storeIndicators(store, {
        period,
        label,
        level,
        rankBy,
        ...(unit ? { unit } : {}),
      });
      if (ctx.json) {
        println(ctx.stdout, JSON.stringify(report));
        return 0;
      }
      const header = t(
        ctx,
        "名次\t单位\t警情\t环比\t同比\t有效率\t重复率\t1/3/5分钟派警\t按时到场(城区/郊区)\t化解率\t验证有效率\t数据质量",
        "rank\tunit\tincidents\tvs prev\tvs last year\tvalid\trepeat\tdispatch ≤1/3/5 min\ton time (urban/suburban)\tresolved\tverified effective\tquality",
      );
      println(ctx.stdout, `${report.label} (${report.previousLabel}, ${report.lastYearLabel})`);
      println(ctx.stdout, header);
      for (const u of [...report.units, { ...report.all, unit: t(ctx, "合计", "all"), rank: 0 }]) {
        const r = u.response;
        println(
          ctx.stdout,
          [
            u.rank || "",
            u.unit,
            u.total,
            pct(u.vsPrevious.changeShare),
            pct(u.vsLastYear.changeShare),
            pct(u.validShare),
            pct(u.repeatRate),
            [1, 3, 5].map((m) => pct(u.dispatchWithin[m] ?? null)).join(" / "),
            `${pct(u.arrivalOnTime)} (${pct(r.urbanArrival.share)} / ${pct(r.suburbanArrival.share)})`,
            pct(u.caseResolutionRate),
            pct(u.verifiedEffectiveRate),
            u.quality === null ? "—" : u.quality.toFixed(1),
          ].join("\t"),
        );
      }
      return 0;
    } finally {
      await store.close();
    }
  },
};
