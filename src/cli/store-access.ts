import { resolve } from "node:path";
import { DEFAULT_DB_PATH, openStore, type Store } from "../store/index.ts";
import type { CommandContext } from "./command.ts";

/** `--db` as a path: the given one against the working directory, else ./recur.db. */
export function dbPathOption(value: unknown, ctx: CommandContext): string {
  return resolve(ctx.cwd, typeof value === "string" ? value : DEFAULT_DB_PATH);
}

/**
 * Opens the command's store (`--db`, or PostgreSQL when DATABASE_URL is set; `--db postgres://`
 * sets it, src/cli/main.ts), runs `work` on it and closes it, whatever `work` does.
 */
export async function withStore<T>(
  db: unknown,
  ctx: CommandContext,
  work: (store: Store) => Promise<T>,
): Promise<T> {
  const databaseUrl = ctx.env.DATABASE_URL || undefined;
  const store = await openStore({ path: dbPathOption(db, ctx), ...(databaseUrl ? { databaseUrl } : {}) });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
