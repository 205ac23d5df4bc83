import { type Kysely, type Migration, type MigrationResultSet, Migrator } from "kysely";
import { RecurError } from "../domain/index.ts";
import { MIGRATIONS } from "./migrations/index.ts";

/**
 * Runs every registered migration not yet applied, all in one transaction on both stores (on
 * SQLite through the dialect of sqlite.ts), so a failure or a kill -9 half-way applies none of
 * them. Kysely records applied ones in `kysely_migration`; on PostgreSQL an advisory lock keeps
 * concurrent runs apart, on SQLite the transaction's write lock does (a second process waits up to
 * the connection's busy timeout; if its view is older than the first one's commit, SQLite
 * refuses it with "database is locked" rather than apply a migration twice).
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  options: {
    /** PostgreSQL schema of Kysely's bookkeeping tables: the connection's current schema. */
    readonly schema?: string;
    readonly migrations?: readonly (readonly [string, Migration])[];
  } = {},
): Promise<MigrationResultSet> {
  const migrations = options.migrations ?? MIGRATIONS;
  const migrator = new Migrator({
    db,
    // Kysely looks for its tables in any schema unless told; several recur schemas may share a database.
    ...(options.schema === undefined ? {} : { migrationTableSchema: options.schema }),
    provider: { getMigrations: async () => Object.fromEntries(migrations) },
    // Engineers add migrations in parallel; a late-registered older name must still run.
    allowUnorderedMigrations: true,
  });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === "Error")?.migrationName ?? "?";
    const reason = result.error instanceof Error ? result.error.message : String(result.error);
    throw new RecurError("migration_failed", {
      zh: `数据库迁移 ${failed} 失败：${reason}`,
      en: `database migration ${failed} failed: ${reason}`,
    });
  }
  return result;
}
