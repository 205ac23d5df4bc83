import { describe, test } from "vitest";
import {
  PG_URL,
  pgUnreachable,
  postgresTarget,
  REQUIRE_PG,
  type StoreTarget,
  sqliteTarget,
} from "./stores.ts";

/**
 * Runs a suite once per store: SQLite, and PostgreSQL when it answers. With RECUR_REQUIRE_PG=1
 * (CI) an unreachable PostgreSQL fails the run instead of skipping its half.
 * @example
 * await describeOnEveryStore("server", (makeTarget) => { ... });
 */
export async function describeOnEveryStore(
  name: string,
  suite: (makeTarget: () => Promise<StoreTarget>) => void,
): Promise<void> {
  describe(`${name} on sqlite`, () => suite(async () => sqliteTarget()));
  const problem = await pgUnreachable();
  if (problem === undefined) describe(`${name} on postgres`, () => suite(() => postgresTarget()));
  else if (REQUIRE_PG)
    test("PostgreSQL is reachable (RECUR_REQUIRE_PG=1)", () => {
      throw new Error(`PostgreSQL unreachable at ${PG_URL}: ${problem}`);
    });
  else test.skip(`${name} on postgres (skipped: PostgreSQL unreachable at ${PG_URL})`, () => {});
}
