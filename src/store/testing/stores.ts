import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { asBatchId } from "../../domain/index.ts";
import { openStore } from "../index.ts";
import type { Dialect, NewBatch, Store } from "../types.ts";

/**
 * Test support shared by the store's suites: one entry per dialect that hands out fresh,
 * isolated stores. SQLite: a file in a temp directory. PostgreSQL: a throwaway database per
 * run (unique name, dropped afterwards) and a schema per store inside it, so parallel runs
 * and parallel test files never meet.
 */

export const PG_URL = process.env.RECUR_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const REQUIRE_PG = process.env.RECUR_REQUIRE_PG === "1";

export interface StoreTarget {
  readonly dialect: Dialect;
  /** Opens a store with an empty database of its own; `reopen` of the same location via `location`. */
  fresh(): Promise<{ store: Store; location: StoreLocation }>;
  open(location: StoreLocation): Promise<Store>;
  dispose(): Promise<void>;
}

/** Where a store lives, passable to a child process. */
export type StoreLocation =
  | { readonly path: string; readonly exclusive?: boolean }
  | { readonly databaseUrl: string };

export function sqliteTarget(): StoreTarget {
  const dir = mkdtempSync(join(tmpdir(), "recur-store-"));
  let n = 0;
  return {
    dialect: "sqlite",
    async fresh() {
      n += 1;
      const location = { path: join(dir, `store-${n}.db`) };
      return { store: await openStore(location), location };
    },
    open: (location) => openStore(location),
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Throwaway in-memory SQLite stores (batches share the readers' connection). */
export function memoryTarget(): StoreTarget {
  return {
    dialect: "sqlite",
    async fresh() {
      const location = { path: ":memory:" };
      return { store: await openStore(location), location };
    },
    open: (location) => openStore(location),
    async dispose() {},
  };
}

/** Checks that PostgreSQL answers, within two seconds; returns why not otherwise. */
export async function pgUnreachable(url = PG_URL): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates a throwaway database on the server at `url`; dispose() drops it. */
export async function postgresTarget(url = PG_URL): Promise<StoreTarget> {
  const database = `recur_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const base = new URL(url);
  base.pathname = `/${database}`;
  const databaseUrl = base.toString();
  const setup = new pg.Client({ connectionString: databaseUrl });
  await setup.connect();
  let n = 0;
  return {
    dialect: "postgres",
    async fresh() {
      n += 1;
      const schema = `s${n}`;
      await setup.query(`CREATE SCHEMA ${schema}`);
      const scoped = new URL(databaseUrl);
      scoped.searchParams.set("options", `-c search_path=${schema}`);
      const location = { databaseUrl: scoped.toString() };
      return { store: await openStore(location), location };
    },
    open: (location) => openStore(location),
    async dispose() {
      await setup.end().catch(() => {});
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** A batch of source system "test" named `id`, for tests that write batches. */
export function newBatch(id: string, overrides: Partial<NewBatch> = {}): NewBatch {
  return {
    id: asBatchId(id),
    sourceSystem: "test",
    profile: "synthetic",
    fileName: `${id}.csv`,
    fileSha256: "ab".repeat(32),
    startedAt: 1_714_500_000_000,
    ...overrides,
  };
}
