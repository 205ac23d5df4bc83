import type { Store, StoreOptions } from "./types.ts";

export {
  ADDRESS_RULES_SETTING,
  addressKeysStale,
  addressRuleSources,
  addressRulesFingerprint,
  recordAddressRules,
} from "./address-rules.ts";
export { addAutoId, EPOCH_MS, FLOAT, isPostgres } from "./migrations/helpers.ts";
/** For code that selects incident rows itself (e.g. with extra conditions): map them with these. */
export { INCIDENT_COLUMN_NAMES, rowToIncident } from "./rows.ts";
export type * from "./schema.ts";
export type * from "./types.ts";

/** Where the embedded store lives when neither --db nor DATABASE_URL says otherwise. */
export const DEFAULT_DB_PATH = "./recur.db";

/**
 * Opens the store and brings its schema up to date: PostgreSQL when `databaseUrl` is given
 * (pass process.env.DATABASE_URL), otherwise the embedded SQLite file at `path`.
 * @example
 * const store = await openStore({ path: args.db, databaseUrl: process.env.DATABASE_URL });
 * try { console.log(await store.incidents.count()); } finally { await store.close(); }
 */
export async function openStore(options: StoreOptions = {}): Promise<Store> {
  const migrate = options.migrate ?? true;
  // Each dialect is loaded only when used: a laptop install never loads pg, a server never SQLite.
  if (options.databaseUrl)
    return (await import("./postgres.ts")).openPostgresStore(options.databaseUrl, migrate);
  return (await import("./sqlite.ts")).openSqliteStore(
    options.path ?? DEFAULT_DB_PATH,
    migrate,
    options.exclusive === true,
  );
}
