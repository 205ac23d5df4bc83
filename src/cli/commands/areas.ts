import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import {
  AREA_BOUNDARY_LIMITS,
  AREA_BOUNDARY_MESSAGES,
  type AreaBoundaryIssueCode,
  DEFAULT_AREA_ID_PROPERTY,
  restoreAreaBoundaries,
} from "../../address/boundaries.ts";
import { DATUMS, type Datum } from "../../address/geo.ts";
import { type Issue, renderIssue } from "../../domain/index.ts";
import {
  type AreaBoundariesInfo,
  areaBoundariesInfo,
  clearAreaBoundaries,
  loadAreaBoundaries,
  saveAreaBoundaries,
} from "../../store/area-boundaries.ts";
import { type Command, type CommandContext, println, t } from "../command.ts";
import { withStore } from "../store-access.ts";
import type { ImportJob } from "./import-worker.ts";

/**
 * `recur areas`: the store's community police area boundaries (警务区边界,
 * src/store/area-boundaries.ts), the ones every import, the dashboard's imports and the map use.
 *
 *   recur areas [show] [--db PATH] [--json] [--geojson]   what they are (--geojson: the boundaries, WGS-84)
 *   recur areas set FILE [--area-id PROP] [--datum wgs84|gcj02|bd09] [--db PATH]
 *   recur areas clear [--db PATH]
 */

const USAGE =
  "[show [--geojson]|set FILE.geojson [--area-id PROP] [--datum wgs84|gcj02|bd09]|clear] [--db PATH] [--json] [--lang zh|en]";

const DATUM_NAMES: Readonly<Record<Datum, string>> = { wgs84: "WGS-84", gcj02: "GCJ-02", bd09: "BD-09" };

/** "12 个警务区，14 个面，3,210 个顶点（编码属性 code，原坐标系 GCJ-02，1.2 MB）" */
function describeInfo(ctx: CommandContext, info: AreaBoundariesInfo): string {
  const n = (x: number) => x.toLocaleString("en");
  const mb = (info.bytes / 2 ** 20).toFixed(1);
  return t(
    ctx,
    `${n(info.areas)} 个警务区，${n(info.polygons)} 个面，${n(info.vertices)} 个顶点（编码属性“${info.idProperty}”，原坐标系 ${DATUM_NAMES[info.sourceDatum]}，已转为 WGS-84 保存，${mb} MB）`,
    `${n(info.areas)} areas, ${n(info.polygons)} polygons, ${n(info.vertices)} vertices (code property "${info.idProperty}", given in ${DATUM_NAMES[info.sourceDatum]}, stored in WGS-84, ${mb} MB)`,
  );
}

/** Reads a boundaries file as text, refusing one over the size limit before reading it. */
async function readBoundariesFile(
  file: string,
  ctx: CommandContext,
): Promise<{ ok: true; json: unknown; bytes: number } | { ok: false }> {
  const path = resolve(ctx.cwd, file);
  try {
    const size = (await stat(path)).size;
    if (size > AREA_BOUNDARY_LIMITS.maxBytes) {
      const issue: Issue<AreaBoundaryIssueCode> = {
        code: "boundaries_too_large",
        severity: "error",
        file,
        params: { mb: (size / 2 ** 20).toFixed(1), limit: AREA_BOUNDARY_LIMITS.maxBytes / 2 ** 20 },
      };
      println(ctx.stderr, renderIssue(issue, AREA_BOUNDARY_MESSAGES, ctx.lang));
      return { ok: false };
    }
    const text = await readFile(path, "utf8");
    return { ok: true, json: JSON.parse(text), bytes: Buffer.byteLength(text) };
  } catch (error) {
    println(
      ctx.stderr,
      t(
        ctx,
        `无法读取警务区边界文件 ${file}（须为 GeoJSON）：`,
        `cannot read the area boundaries file ${file} (GeoJSON expected): `,
      ) + (error as Error).message,
    );
    return { ok: false };
  }
}

function printIssues(
  issues: readonly Issue<AreaBoundaryIssueCode>[],
  errors: number,
  file: string,
  ctx: CommandContext,
): void {
  for (const issue of issues)
    println(ctx.stderr, renderIssue({ ...issue, file }, AREA_BOUNDARY_MESSAGES, ctx.lang));
  const listed = issues.filter((i) => i.severity === "error").length;
  if (errors > listed)
    println(
      ctx.stderr,
      t(ctx, `……另有 ${errors - listed} 处错误未列出`, `... and ${errors - listed} more errors not listed`),
    );
}

/** --datum: undefined when absent, null (after saying why) when not a datum. */
function datumOption(value: unknown, ctx: CommandContext): Datum | undefined | null {
  if (value === undefined) return undefined;
  const v = String(value).toLowerCase().replace(/[-_]/g, "");
  if ((DATUMS as readonly string[]).includes(v)) return v as Datum;
  println(
    ctx.stderr,
    t(
      ctx,
      `未知坐标系 ${String(value)}（可用 wgs84、gcj02、bd09）`,
      `unknown datum ${String(value)} (use wgs84, gcj02 or bd09)`,
    ),
  );
  return null;
}

/**
 * The boundaries of `recur import --areas FILE [--area-id PROP]` (WGS-84), checked as `recur areas
 * set` checks them; used for that import only, the store's stay as they are. Undefined (after
 * saying why) when the file cannot be read or has an error.
 */
export async function readImportAreas(
  file: string,
  idProperty: string,
  ctx: CommandContext,
): Promise<ImportJob["areas"] | undefined> {
  const read = await readBoundariesFile(file, ctx);
  if (!read.ok) return undefined;
  const restored = restoreAreaBoundaries(read.json, { idProperty, bytes: read.bytes });
  printIssues(restored.issues, restored.ok ? 0 : restored.errors, file, ctx);
  if (!restored.ok) return undefined;
  return { geojson: { features: restored.boundaries.features }, idProperty };
}

export const areasCommand: Command = {
  name: "areas",
  summary: {
    zh: "库的警务区边界（GeoJSON）：查看、设置、清除；导入据此补全警务区，看板地图显示",
    en: "The store's community police area boundaries (GeoJSON): show, set, clear; imports fill in areas from them, the dashboard map shows them",
  },
  usage: USAGE,
  options: {
    db: { type: "string" },
    "area-id": { type: "string" },
    datum: { type: "string" },
    geojson: { type: "boolean", default: false },
  },
  async run(args, ctx) {
    const [action = "show", file, ...rest] = args.positionals;
    const values = args.values;
    if (action === "show" && file === undefined)
      return withStore(values.db, ctx, async (store) => {
        if (values.geojson === true) {
          const boundaries = await loadAreaBoundaries(store);
          println(
            ctx.stdout,
            JSON.stringify({ type: "FeatureCollection", features: boundaries?.features ?? [] }),
          );
          return 0;
        }
        const info = await areaBoundariesInfo(store);
        if (ctx.json) println(ctx.stdout, JSON.stringify(info ?? null));
        else if (!info)
          println(
            ctx.stdout,
            t(
              ctx,
              "库中没有警务区边界：recur areas set 文件.geojson 设置后，导入会按坐标补全未填的警务区",
              "the store has no area boundaries: after recur areas set FILE.geojson, imports fill in the area of calls that name none from their coordinates",
            ),
          );
        else
          println(
            ctx.stdout,
            t(ctx, "库的警务区边界：", "the store's area boundaries: ") +
              describeInfo(ctx, info) +
              t(
                ctx,
                `，保存于 ${new Date(info.savedAt).toISOString()}`,
                `, saved ${new Date(info.savedAt).toISOString()}`,
              ),
          );
        return 0;
      });
    if (action === "set" && file !== undefined && rest.length === 0) {
      const datum = datumOption(values.datum, ctx);
      if (datum === null) return 2;
      const idProperty = typeof values["area-id"] === "string" ? values["area-id"] : DEFAULT_AREA_ID_PROPERTY;
      const read = await readBoundariesFile(file, ctx);
      if (!read.ok) return 1;
      return withStore(values.db, ctx, async (store) => {
        const saved = await saveAreaBoundaries(store, read.json, {
          idProperty,
          ...(datum ? { datum } : {}),
          bytes: read.bytes,
          at: Date.now(),
        });
        printIssues(saved.issues, saved.ok ? 0 : saved.errors, file, ctx);
        const rendered = saved.issues.map((i) => ({
          ...i,
          message: renderIssue(i, AREA_BOUNDARY_MESSAGES, ctx.lang),
        }));
        if (!saved.ok) {
          if (ctx.json)
            println(ctx.stdout, JSON.stringify({ ok: false, errors: saved.errors, issues: rendered }));
          println(
            ctx.stderr,
            t(
              ctx,
              `${file} 有 ${saved.errors} 处错误，未保存；库中原有的警务区边界不变`,
              `${file} has ${saved.errors} error(s) and was not saved; the store's area boundaries are as they were`,
            ),
          );
          return 1;
        }
        if (ctx.json)
          println(
            ctx.stdout,
            JSON.stringify({ ok: true, changed: saved.changed, ...saved.info, issues: rendered }),
          );
        else {
          println(
            ctx.stdout,
            saved.changed
              ? t(ctx, `库的警务区边界已换为 ${file}：`, `the store's area boundaries are now ${file}: `) +
                  describeInfo(ctx, saved.info)
              : t(
                  ctx,
                  `库的警务区边界与 ${file} 相同，未改动`,
                  `the store's area boundaries are already ${file}`,
                ),
          );
          if (saved.changed)
            println(
              ctx.stdout,
              t(
                ctx,
                "此后的导入（命令行、看板、接口）按坐标为未填警务区的警情补全；已入库的警情不变",
                "later imports (command line, dashboard, API) fill in the area of calls that name none from their coordinates; stored calls stay as they are",
              ),
            );
        }
        return 0;
      });
    }
    if (action === "clear" && file === undefined)
      return withStore(values.db, ctx, async (store) => {
        const had = await clearAreaBoundaries(store);
        if (ctx.json) println(ctx.stdout, JSON.stringify({ changed: had }));
        else
          println(
            ctx.stdout,
            had
              ? t(ctx, "库的警务区边界已清除", "the store's area boundaries are cleared")
              : t(ctx, "库中本来就没有警务区边界", "the store had no area boundaries"),
          );
        return 0;
      });
    println(ctx.stderr, t(ctx, `用法：recur areas ${USAGE}`, `usage: recur areas ${USAGE}`));
    return 2;
  },
};
