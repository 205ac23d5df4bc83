import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import { DEFAULT_SECRET_FILE } from "../../ingest/privacy/index.ts";
import { buildApp, type ServerStatus } from "../../server/app.ts";
import { addressKeysStale, openStore, type Store } from "../../store/index.ts";
import { type Command, println, t } from "../command.ts";
import { dbPathOption } from "../store-access.ts";

export const DEFAULT_PORT = 8080;

/** The version in package.json, shown by /api/health. */
export function packageVersion(): string {
  const root = join(import.meta.dirname, "..", "..", "..");
  return (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
}

/** --port, else PORT, else 8080; undefined when the value is not a port number. */
export function resolvePort(flag: unknown, env: NodeJS.ProcessEnv): number | undefined {
  const raw = typeof flag === "string" ? flag : (env.PORT ?? String(DEFAULT_PORT));
  const port = Number(raw);
  return Number.isInteger(port) && port >= 0 && port <= 65535 ? port : undefined;
}

/** A server whose store and status can be filled in after it starts listening. */
export interface RunningServer {
  readonly app: FastifyInstance;
  readonly url: string;
  setStore(store: Store): void;
  setStatus(status: ServerStatus): void;
}

export async function startServer(
  port: number,
  host: string,
  initial: ServerStatus,
  env: NodeJS.ProcessEnv = {},
  /** Deployment secret file (caller pseudonyms of the dispatch check and POST /api/v1/incidents). */
  secretPath?: string,
): Promise<RunningServer> {
  let store: Store | undefined;
  let status = initial;
  // RECUR_LOGINS_PER_MINUTE: login attempts per client address and minute (default 10).
  const logins = Number(env.RECUR_LOGINS_PER_MINUTE);
  const app = buildApp({
    store: () => store,
    status: () => status,
    version: packageVersion(),
    ...(secretPath ? { secretPath } : {}),
    ...(Number.isInteger(logins) && logins > 0 ? { loginsPerMinute: logins } : {}),
  });
  await app.listen({ port, host });
  const address = app.server.address();
  const bound = typeof address === "object" && address ? address.port : port;
  const shown = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  return {
    app,
    url: `http://${shown}:${bound}`,
    setStore: (s) => {
      store = s;
    },
    setStatus: (s) => {
      status = s;
    },
  };
}

/** Keeps the process alive until SIGINT/SIGTERM, then closes the server and the store. */
export async function serveUntilSignal(server: RunningServer, close: () => Promise<void>): Promise<number> {
  await new Promise<void>((done) => {
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
  await server.app.close();
  await close();
  return 0;
}

/** `recur serve`: the API and pages on one port over an existing store. */
export const serveCommand: Command = {
  name: "serve",
  summary: { zh: "启动服务（接口与页面）", en: "Serve the API and the pages" },
  usage: "[--db PATH] [--port N] [--host ADDR]",
  options: { db: { type: "string" }, port: { type: "string" }, host: { type: "string", default: "0.0.0.0" } },
  async run(args, ctx) {
    const port = resolvePort(args.values.port, ctx.env);
    if (port === undefined) {
      println(
        ctx.stderr,
        t(ctx, "端口须为 0 到 65535 的整数", "The port must be an integer from 0 to 65535"),
      );
      return 2;
    }
    const databaseUrl = ctx.env.DATABASE_URL || undefined;
    const dbPath = dbPathOption(args.values.db, ctx);
    // The same secret as `recur import`: RECUR_SECRET, else next to the database.
    const secretPath = ctx.env.RECUR_SECRET
      ? resolve(ctx.cwd, ctx.env.RECUR_SECRET)
      : databaseUrl
        ? resolve(ctx.cwd, DEFAULT_SECRET_FILE)
        : join(dirname(dbPath), DEFAULT_SECRET_FILE);
    const store = await openStore({
      path: dbPath,
      ...(databaseUrl ? { databaseUrl } : {}),
    });
    const server = await startServer(
      port,
      String(args.values.host),
      { phase: "ready", detail: { zh: "服务已就绪", en: "Serving" } },
      ctx.env,
      secretPath,
    );
    server.setStore(store);
    // Before the address line, so that whoever waits for that line has seen the note too.
    if (await addressKeysStale(store))
      println(
        ctx.stderr,
        t(
          ctx,
          "注意：库中警情的位置键是按其他（较早的）地址规则生成的；请在仪表盘“规则设置”页重新生成，或停止服务后运行 recur address rekey 再启动（docs/address.md）",
          "note: the incidents in this store were keyed by other (earlier) address rules; rebuild the keys on the dashboard's Rules page, or stop the server, run recur address rekey and start it again (docs/address.md)",
        ),
      );
    println(ctx.stdout, t(ctx, `服务地址 ${server.url}`, `Serving on ${server.url}`));
    return serveUntilSignal(server, () => store.close());
  },
};
