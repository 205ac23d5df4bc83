import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Writable } from "node:stream";
import type { Lang } from "../../domain/index.ts";
import { asEpochMs } from "../../domain/index.ts";
import { DEFAULT_SECRET_FILE } from "../../ingest/privacy/index.ts";
import { importProfileRegion, rekeyStore } from "../../ingest/rekey.ts";
import { dashboardCacheOf, dashboardSettings } from "../../server/dashboard-routes.ts";
import { createDemoAccounts } from "../../server/demo-accounts.ts";
import { qualityRunnerOf } from "../../server/quality-routes.ts";
import { addressKeysStale, openStore, type Store } from "../../store/index.ts";
import { isEmptyDictionary, loadPlaceDictionary, savePlaceDictionary } from "../../store/place-dictionary.ts";
import { type Command, type CommandContext, println, t } from "../command.ts";
import { generateCommand, placesPath } from "./generate.ts";
import { importCommand } from "./import.ts";
import { resolvePort, serveUntilSignal, startServer } from "./serve.ts";

/** About a year of calls of a mid-size city. */
const DEFAULT_DEMO_INCIDENTS = 400_000;
const DEMO_SEED = 20240101;

const discard = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

/** Runs another command quietly with JSON output; returns its parsed JSON line. */
async function runQuietly(
  command: Command,
  values: Record<string, string | boolean>,
  positionals: string[],
  ctx: CommandContext,
) {
  let out = "";
  const stdout = new Writable({
    write(chunk, _encoding, done) {
      out += String(chunk);
      done();
    },
  });
  const code = await command.run(
    { values: { json: true, ...values }, positionals },
    { ...ctx, json: true, stdout, stderr: discard() },
  );
  if (code !== 0) throw new Error(`${command.name} failed: ${out.trim()}`);
  return JSON.parse(out.trim().split("\n").pop() ?? "{}") as Record<string, unknown>;
}

/**
 * Makes the demo city's `city.places.json` (its divisions and registered names) the store's place
 * dictionary when the store has none yet. True when it did (the stored keys then want a rekey).
 */
async function useDemoDictionary(dbPath: string, csvPath: string, open?: Store): Promise<boolean> {
  const file = placesPath(csvPath);
  if (!existsSync(file)) return false;
  const store = open ?? (await openStore({ path: dbPath }));
  try {
    if (!isEmptyDictionary(await loadPlaceDictionary(store))) return false;
    return (await savePlaceDictionary(store, JSON.parse(await readFile(file, "utf8")))).changed;
  } finally {
    if (!open) await store.close();
  }
}

/** Creates the demo accounts (generated passwords) and prints them; the file is mode 0600. */
async function announceDemoAccounts(store: Store, path: string, ctx: CommandContext): Promise<void> {
  const created = await createDemoAccounts(store, { now: () => asEpochMs(Date.now()) }, path);
  if (created.length === 0) {
    println(
      ctx.stdout,
      t(ctx, `演示账号已存在，密码见 ${path}`, `Demo accounts exist; passwords in ${path}`),
    );
    return;
  }
  println(
    ctx.stdout,
    t(ctx, `演示账号（仅供演示，已写入 ${path}）：`, `Demo accounts (demo only, written to ${path}):`),
  );
  for (const a of created)
    println(ctx.stdout, `  ${a.username.padEnd(10)} ${a.password}  ${a.role} ${a.jurisdiction}`);
}

const detail = (zh: string, en: string): Readonly<Record<Lang, string>> => ({ zh, en });

/**
 * `recur demo` (what `npm start` runs): serves at once, and on first start generates the
 * demo city, imports it into the embedded store and marks the server ready.
 */
export const demoCommand: Command = {
  name: "demo",
  summary: { zh: "演示：生成演示城市并启动服务", en: "Demo: generate the demo city and serve it" },
  usage: "[--dir PATH] [--incidents N] [--port N] [--host ADDR]",
  options: {
    dir: { type: "string", default: "data/demo" },
    incidents: { type: "string" },
    port: { type: "string" },
    host: { type: "string", default: "0.0.0.0" },
  },
  async run(args, ctx) {
    const port = resolvePort(args.values.port, ctx.env);
    const incidents = Number(args.values.incidents ?? ctx.env.RECUR_DEMO_INCIDENTS ?? DEFAULT_DEMO_INCIDENTS);
    if (port === undefined || !Number.isInteger(incidents) || incidents < 1) {
      println(ctx.stderr, t(ctx, "端口或 --incidents 无效", "Invalid port or --incidents"));
      return 2;
    }
    const dir = resolve(ctx.cwd, String(args.values.dir));
    await mkdir(dir, { recursive: true });
    const dbPath = join(dir, "recur-demo.db");
    const csvPath = join(dir, `demo-city-${incidents}.csv`);

    const server = await startServer(port, String(args.values.host), {
      phase: "loading",
      detail: detail("正在准备演示城市…", "Preparing the demo city…"),
    });
    println(ctx.stdout, t(ctx, `演示服务地址 ${server.url}`, `Demo on ${server.url}`));

    let store: Store | undefined;
    try {
      store = await openStore({ path: dbPath });
      if ((await store.incidents.count()) === 0) {
        await store.close();
        store = undefined;
        if (!existsSync(csvPath)) {
          server.setStatus({
            phase: "loading",
            detail: detail(`正在生成 ${incidents} 条演示警情…`, `Generating ${incidents} demo incidents…`),
          });
          println(
            ctx.stderr,
            t(
              ctx,
              `正在生成演示城市（${incidents} 条警情）…`,
              `Generating the demo city (${incidents} incidents)…`,
            ),
          );
          await runQuietly(
            generateCommand,
            {
              incidents: String(incidents),
              seed: String(DEMO_SEED),
              out: csvPath,
              start: "2024-01-01",
              days: "365",
              encoding: "utf8",
            },
            [],
            ctx,
          );
        }
        server.setStatus({
          phase: "loading",
          detail: detail("正在导入演示警情…", "Importing the demo incidents…"),
        });
        println(ctx.stderr, t(ctx, "正在导入…", "Importing…"));
        // The city's divisions and registered names, as a real deployment's dictionary would hold
        // its own (澜江市 is in no national data): the store's dictionary, keyed with from the start.
        await useDemoDictionary(dbPath, csvPath);
        const summary = await runQuietly(
          importCommand,
          {
            profile: "synthetic",
            db: dbPath,
            ...(existsSync(placesPath(csvPath)) ? { dict: placesPath(csvPath) } : {}),
          },
          [csvPath],
          ctx,
        );
        println(
          ctx.stderr,
          t(
            ctx,
            `导入 ${summary.imported} 条，隔离 ${summary.rejected} 条，用时 ${summary.seconds} 秒`,
            `Imported ${summary.imported}, rejected ${summary.rejected}, in ${summary.seconds} s`,
          ),
        );
        store = await openStore({ path: dbPath });
      } else if ((await useDemoDictionary(dbPath, csvPath, store)) || (await addressKeysStale(store))) {
        // A demo store kept from an earlier recur, whose address rules keyed it: rekeyed before it serves.
        server.setStatus({
          phase: "loading",
          detail: detail(
            "正在按当前地址规则重新生成位置键…",
            "Rebuilding the location keys with today's address rules…",
          ),
        });
        const demoStore = store;
        const counts = await rekeyStore(store, {
          regionOf: async (batch) => (await importProfileRegion(demoStore, batch.profile, ctx.cwd)) ?? null,
        });
        println(
          ctx.stderr,
          t(
            ctx,
            `演示库的位置键按较早的地址规则生成，已重新生成：${counts.changed} 条警情有变化`,
            `The demo store was keyed by earlier address rules; keys rebuilt: ${counts.changed} incidents changed`,
          ),
        );
      }
      dashboardSettings.secretPath = ctx.env.RECUR_SECRET
        ? resolve(ctx.cwd, ctx.env.RECUR_SECRET)
        : existsSync(resolve(ctx.cwd, DEFAULT_SECRET_FILE))
          ? resolve(ctx.cwd, DEFAULT_SECRET_FILE)
          : join(dir, DEFAULT_SECRET_FILE);
      await announceDemoAccounts(store, join(dir, "credentials.txt"), ctx);
      server.setStatus({
        phase: "loading",
        detail: detail("正在汇总仪表盘数据…", "Summarising the dashboard data…"),
      });
      server.setStore(store);
      await dashboardCacheOf(server.app)?.ready(store);
      server.setStatus({ phase: "ready", detail: detail("演示城市已就绪", "The demo city is ready") });
      println(ctx.stderr, t(ctx, "演示城市已就绪", "The demo city is ready"));
      // The scorecard page needs check results: a first check (keyword rules) runs in the
      // background after the server is ready, so health and readiness never wait for it.
      const quality = qualityRunnerOf(server.app);
      if (quality && (await quality.neverRun())) {
        println(
          ctx.stderr,
          t(ctx, "后台进行数据质量检查…", "Running the data-quality check in the background…"),
        );
        void quality
          .start()
          .then(() => println(ctx.stderr, t(ctx, "数据质量检查完成", "Data-quality check done")));
      }
    } catch (error) {
      const message = (error as Error).message;
      server.setStatus({
        phase: "failed",
        detail: detail(`准备失败：${message}`, `Preparation failed: ${message}`),
      });
      println(ctx.stderr, t(ctx, `准备失败：${message}`, `Preparation failed: ${message}`));
    }
    return serveUntilSignal(server, async () => {
      await store?.close();
    });
  },
};
