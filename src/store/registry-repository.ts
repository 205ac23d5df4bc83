import type { Kysely } from "kysely";
import type { Store } from "./types.ts";

/** Tables of migration 0010_units_agencies. */
type RegistryTables = {
  units: { code: string; name: string; level: string; parent_code: string | null; updated_at: number };
  agencies: { code: string; name: string; kind: string; updated_at: number };
};

export interface UnitRecord {
  readonly code: string;
  readonly name: string;
  readonly level: string;
  readonly parentCode: string | null;
}

export interface AgencyRecord {
  readonly code: string;
  readonly name: string;
  readonly kind: string;
}

export interface RegistryRepository {
  units(): Promise<UnitRecord[]>;
  unit(code: string): Promise<UnitRecord | undefined>;
  saveUnit(unit: UnitRecord, at: number): Promise<void>;
  agencies(): Promise<AgencyRecord[]>;
  saveAgency(agency: AgencyRecord, at: number): Promise<void>;
}

/** The deployment's units and partner agencies, on either store. */
export function registryRepository(store: Store): RegistryRepository {
  const db = store.db.withTables<RegistryTables>() as unknown as Kysely<RegistryTables>;
  const toUnit = (r: RegistryTables["units"]): UnitRecord => ({
    code: r.code,
    name: r.name,
    level: r.level,
    parentCode: r.parent_code,
  });
  return {
    async units() {
      return (await db.selectFrom("units").selectAll().orderBy("code").execute()).map(toUnit);
    },
    async unit(code) {
      const row = await db.selectFrom("units").selectAll().where("code", "=", code).executeTakeFirst();
      return row ? toUnit(row) : undefined;
    },
    async saveUnit(u, at) {
      const row = { code: u.code, name: u.name, level: u.level, parent_code: u.parentCode, updated_at: at };
      await db
        .insertInto("units")
        .values(row)
        .onConflict((oc) =>
          oc
            .column("code")
            .doUpdateSet({ name: u.name, level: u.level, parent_code: u.parentCode, updated_at: at }),
        )
        .execute();
    },
    async agencies() {
      return (await db.selectFrom("agencies").select(["code", "name", "kind"]).orderBy("code").execute()).map(
        (r) => ({ code: r.code, name: r.name, kind: r.kind }),
      );
    },
    async saveAgency(a, at) {
      await db
        .insertInto("agencies")
        .values({ code: a.code, name: a.name, kind: a.kind, updated_at: at })
        .onConflict((oc) => oc.column("code").doUpdateSet({ name: a.name, kind: a.kind, updated_at: at }))
        .execute();
    },
  };
}
