import type { Kysely } from "kysely";
import type { Store } from "./types.ts";

/** Tables of migrations 0010_units_agencies and 0012_case_attachments (active, setting). */
type RegistryTables = {
  units: {
    code: string;
    name: string;
    level: string;
    parent_code: string | null;
    updated_at: number;
    active: number;
    setting: string | null;
  };
  agencies: { code: string; name: string; kind: string; updated_at: number; active: number };
};

/** Where a unit works: city districts and suburban counties differ in arrival norms and rates. */
export const UNIT_SETTINGS = ["urban", "suburban"] as const;
export type UnitSetting = (typeof UNIT_SETTINGS)[number];

export interface UnitRecord {
  readonly code: string;
  readonly name: string;
  readonly level: string;
  readonly parentCode: string | null;
  /** Deactivated units stay for history (old incidents, cases) but take no new users or cases. */
  readonly active?: boolean;
  readonly setting?: UnitSetting | null;
}

export interface AgencyRecord {
  readonly code: string;
  readonly name: string;
  readonly kind: string;
  readonly active?: boolean;
}

export interface RegistryRepository {
  units(): Promise<UnitRecord[]>;
  unit(code: string): Promise<UnitRecord | undefined>;
  /** Inserts or updates; `active` defaults to true on insert and is kept on update when absent. */
  saveUnit(unit: UnitRecord, at: number): Promise<void>;
  setUnitActive(code: string, active: boolean, at: number): Promise<boolean>;
  /** Codes of the unit's active children (a unit with active children cannot be deactivated). */
  activeChildren(code: string): Promise<string[]>;
  agencies(): Promise<AgencyRecord[]>;
  agency(code: string): Promise<AgencyRecord | undefined>;
  saveAgency(agency: AgencyRecord, at: number): Promise<void>;
  setAgencyActive(code: string, active: boolean, at: number): Promise<boolean>;
}

const num = (v: unknown): number => (typeof v === "number" ? v : Number(v));

function toUnit(r: RegistryTables["units"]): UnitRecord {
  return {
    code: r.code,
    name: r.name,
    level: r.level,
    parentCode: r.parent_code,
    active: num(r.active) === 1,
    setting: r.setting === "urban" || r.setting === "suburban" ? r.setting : null,
  };
}

function toAgency(r: RegistryTables["agencies"]): AgencyRecord {
  return { code: r.code, name: r.name, kind: r.kind, active: num(r.active) === 1 };
}

/** The deployment's units and partner agencies, on either store. */
export function registryRepository(store: Store): RegistryRepository {
  const db = store.db.withTables<RegistryTables>() as unknown as Kysely<RegistryTables>;
  return {
    async units() {
      return (await db.selectFrom("units").selectAll().orderBy("code").execute()).map(toUnit);
    },
    async unit(code) {
      const row = await db.selectFrom("units").selectAll().where("code", "=", code).executeTakeFirst();
      return row ? toUnit(row) : undefined;
    },
    async saveUnit(u, at) {
      const changes = {
        name: u.name,
        level: u.level,
        parent_code: u.parentCode,
        updated_at: at,
        ...(u.active === undefined ? {} : { active: u.active ? 1 : 0 }),
        ...(u.setting === undefined ? {} : { setting: u.setting }),
      };
      await db
        .insertInto("units")
        .values({ code: u.code, active: 1, setting: null, ...changes })
        .onConflict((oc) => oc.column("code").doUpdateSet(changes))
        .execute();
    },
    async setUnitActive(code, active, at) {
      const r = await db
        .updateTable("units")
        .set({ active: active ? 1 : 0, updated_at: at })
        .where("code", "=", code)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async activeChildren(code) {
      const rows = await db
        .selectFrom("units")
        .select("code")
        .where("parent_code", "=", code)
        .where("active", "=", 1)
        .orderBy("code")
        .execute();
      return rows.map((r) => r.code);
    },
    async agencies() {
      return (await db.selectFrom("agencies").selectAll().orderBy("code").execute()).map(toAgency);
    },
    async agency(code) {
      const row = await db.selectFrom("agencies").selectAll().where("code", "=", code).executeTakeFirst();
      return row ? toAgency(row) : undefined;
    },
    async saveAgency(a, at) {
      const changes = {
        name: a.name,
        kind: a.kind,
        updated_at: at,
        ...(a.active === undefined ? {} : { active: a.active ? 1 : 0 }),
      };
      await db
        .insertInto("agencies")
        .values({ code: a.code, active: 1, ...changes })
        .onConflict((oc) => oc.column("code").doUpdateSet(changes))
        .execute();
    },
    async setAgencyActive(code, active, at) {
      const r = await db
        .updateTable("agencies")
        .set({ active: active ? 1 : 0, updated_at: at })
        .where("code", "=", code)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}
