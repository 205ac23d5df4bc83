import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import iconv from "iconv-lite";
import { cityForIncidents } from "../../synth/city.ts";
import { csvHeader, csvText } from "../../synth/columns.ts";
import { cityDivisions, cityPlaceDictionary } from "../../synth/gazetteer.ts";
import { generateCity } from "../../synth/generate.ts";
import { type Command, type CommandContext, println, t } from "../command.ts";
import { progressBar } from "../progress.ts";

const ENCODINGS = ["utf8", "gbk"] as const;

/** `city.csv` -> `city.truth.json`. */
export function truthPath(out: string): string {
  return `${out.replace(/\.csv$/i, "")}.truth.json`;
}

/** `city.csv` -> `city.places.json`: the city's divisions and standard address library. */
export function placesPath(out: string): string {
  return `${out.replace(/\.csv$/i, "")}.places.json`;
}

function usageError(ctx: CommandContext, zh: string, en: string): number {
  if (ctx.json) println(ctx.stdout, JSON.stringify({ error: { code: "usage", message: t(ctx, zh, en) } }));
  else println(ctx.stderr, `${t(ctx, "用法错误", "Usage error")}: ${t(ctx, zh, en)}`);
  return 2;
}

function intOption(value: unknown): number | undefined {
  if (typeof value !== "string" || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
}

/**
 * `recur generate`: writes the synthetic city's 110 export and its truth file
 * (docs/synthetic-city.md).
 */
export const generateCommand: Command = {
  name: "generate",
  summary: {
    zh: "生成虚构城市(澜江市)的110警情导出文件及真值文件",
    en: "Generate a 110 export of the fictional city 澜江市 and its truth file",
  },
  usage: "--incidents N --seed S --out FILE.csv [--encoding utf8|gbk] [--start 2024-01-01] [--days 365]",
  options: {
    incidents: { type: "string" },
    seed: { type: "string", default: "1" },
    out: { type: "string" },
    encoding: { type: "string", default: "utf8" },
    start: { type: "string", default: "2024-01-01" },
    days: { type: "string", default: "365" },
  },
  async run(args, ctx) {
    const v = args.values;
    const incidents = intOption(v.incidents);
    const seed = intOption(v.seed);
    const days = intOption(v.days);
    const encoding = String(v.encoding ?? "utf8")
      .toLowerCase()
      .replace("-", "");
    const start = String(v.start ?? "2024-01-01");
    if (incidents === undefined || incidents < 1 || incidents > 50_000_000)
      return usageError(
        ctx,
        "--incidents 须为 1 至 50000000 的整数",
        "--incidents must be an integer from 1 to 50000000",
      );
    if (seed === undefined || seed > 0xffffffff)
      return usageError(ctx, "--seed 须为非负整数", "--seed must be a non-negative integer");
    if (days === undefined || days < 1 || days > 3660)
      return usageError(ctx, "--days 须为 1 至 3660 的整数", "--days must be an integer from 1 to 3660");
    if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || Number.isNaN(Date.parse(`${start}T00:00:00Z`)))
      return usageError(ctx, "--start 须为 YYYY-MM-DD 日期", "--start must be a YYYY-MM-DD date");
    if (!(ENCODINGS as readonly string[]).includes(encoding))
      return usageError(ctx, "--encoding 须为 utf8 或 gbk", "--encoding must be utf8 or gbk");
    if (typeof v.out !== "string" || v.out === "")
      return usageError(ctx, "缺少 --out 输出文件", "--out FILE.csv is required");

    const options = { incidents, seed, start, days };
    const out = resolve(ctx.cwd, v.out);
    const truthFile = truthPath(out);
    const placesFile = placesPath(out);
    const encode = (text: string): Buffer | string => (encoding === "gbk" ? iconv.encode(text, "gbk") : text);
    const started = performance.now();
    const stream = createWriteStream(out);
    const failed = new Promise<Error>((resolveError) => stream.once("error", resolveError));
    const bar = progressBar(ctx.stderr, t(ctx, "生成", "Generating"), incidents, !ctx.json);
    let rows = 0;
    let truth: Awaited<ReturnType<typeof collect>>;
    async function collect() {
      const gen = generateCity(options);
      if (!stream.write(encode(csvHeader()))) await Promise.race([once(stream, "drain"), failed]);
      for (let r = gen.next(); ; r = gen.next()) {
        if (r.done) return r.value;
        rows += r.value.length;
        if (!stream.write(encode(csvText(r.value)))) await Promise.race([once(stream, "drain"), failed]);
        bar.update(rows);
      }
    }
    try {
      truth = await collect();
      stream.end();
      const outcome = await Promise.race([once(stream, "finish").then(() => null), failed]);
      if (outcome instanceof Error) throw outcome;
      await writeFile(
        truthFile,
        JSON.stringify({
          series: truth.series,
          duplicates: truth.duplicates,
          defects: truth.defects,
          meta: { generator: "recur generate", incidents, seed, start, days, planted: truth.planted },
        }),
      );
      const city = cityForIncidents(incidents);
      await writeFile(
        placesFile,
        JSON.stringify({ ...cityPlaceDictionary(city), divisions: cityDivisions(city) }),
      );
    } catch (error) {
      bar.done();
      stream.destroy();
      const message = (error as Error).message;
      if (ctx.json) println(ctx.stdout, JSON.stringify({ error: { code: "write_failed", message } }));
      else println(ctx.stderr, `${t(ctx, "写入失败", "Write failed")}: ${message}`);
      return 1;
    }
    bar.done();
    const seconds = (performance.now() - started) / 1000;
    const summary = {
      rows,
      seconds: Math.round(seconds * 100) / 100,
      rowsPerSecond: Math.round(rows / seconds),
      out,
      truth: truthFile,
      places: placesFile,
      encoding,
      series: {
        place: truth.series.filter((s) => s.kind === "place").length,
        caller: truth.series.filter((s) => s.kind === "caller").length,
        matter: truth.series.filter((s) => s.kind === "matter").length,
      },
      duplicates: truth.duplicates.length,
      defects: truth.defects.length,
    };
    if (ctx.json) {
      println(ctx.stdout, JSON.stringify(summary));
    } else {
      println(
        ctx.stdout,
        t(
          ctx,
          `已生成 ${rows} 条警情 → ${out}（${encoding}），用时 ${summary.seconds} 秒（${summary.rowsPerSecond} 条/秒）`,
          `Generated ${rows} incidents → ${out} (${encoding}) in ${summary.seconds} s (${summary.rowsPerSecond} rows/s)`,
        ),
      );
      println(
        ctx.stdout,
        t(
          ctx,
          `真值 → ${truthFile}：地点系列 ${summary.series.place}，报警人系列 ${summary.series.caller}，事项系列 ${summary.series.matter}，重复报警组 ${summary.duplicates}，数据缺陷 ${summary.defects}`,
          `Truth → ${truthFile}: ${summary.series.place} place, ${summary.series.caller} caller, ${summary.series.matter} matter series, ${summary.duplicates} duplicate groups, ${summary.defects} defects`,
        ),
      );
      println(
        ctx.stdout,
        t(
          ctx,
          `地名库（行政区划与标准地址）→ ${placesFile}`,
          `Place dictionary (divisions and registered names) → ${placesFile}`,
        ),
      );
    }
    return 0;
  },
};
