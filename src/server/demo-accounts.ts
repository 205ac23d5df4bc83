import { randomInt } from "node:crypto";
import { chmod, writeFile } from "node:fs/promises";
import type { Clock } from "../domain/index.ts";
import { registryRepository } from "../store/registry-repository.ts";
import { serverRepository } from "../store/server-repository.ts";
import type { Store } from "../store/types.ts";
import { defaultCity } from "../synth/index.ts";
import { CITY_BUREAU } from "../synth/names.ts";
import type { Role } from "./access.ts";
import { Auth } from "./auth.ts";

export interface DemoAccount {
  readonly username: string;
  readonly password: string;
  readonly role: Role;
  readonly jurisdiction: string;
}

const ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/** 16 characters from a CSPRNG, with a lower, an upper, a digit and a symbol (passes the policy). */
export function generatedPassword(): string {
  const body = Array.from({ length: 12 }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
  return `${body}-${"abcdefghjk"[randomInt(10)]}${"ABCDEFGHJK"[randomInt(10)]}${randomInt(10)}`;
}

/**
 * Demo mode only: one account per role, in jurisdictions of the demo city, each with a freshly
 * generated password (there is no default password). Accounts that already exist are left alone;
 * their passwords are in the credentials file written when they were created.
 */
export async function createDemoAccounts(
  store: Store,
  clock: Clock,
  credentialsPath: string,
): Promise<DemoAccount[]> {
  await seedDemoRegistry(store, clock);
  const repo = serverRepository(store);
  const auth = new Auth(repo, clock);
  const [sample] = await store.incidents.list({ limit: 1 });
  const branch = sample?.branchUnit ?? null;
  const station = sample?.stationUnit ?? null;
  const plan: {
    username: string;
    role: Role;
    level: "city" | "branch" | "station" | null;
    unit: string | null;
    agency: string | null;
    name: string;
  }[] = [
    {
      username: "analyst",
      role: "city_analyst",
      level: "city",
      unit: DEMO_CITY_UNIT,
      agency: null,
      name: "市局研判员",
    },
    {
      username: "branch",
      role: "branch_supervisor",
      level: branch ? "branch" : null,
      unit: branch,
      agency: null,
      name: "分局指挥长",
    },
    {
      username: "station",
      role: "station_officer",
      level: station ? "station" : null,
      unit: station,
      agency: null,
      name: "派出所民警",
    },
    {
      username: "mediation",
      role: "agency_user",
      level: null,
      unit: null,
      agency: "mediation",
      name: "人民调解委员会",
    },
    { username: "auditor", role: "auditor", level: null, unit: null, agency: null, name: "审计员" },
    { username: "admin", role: "system_admin", level: null, unit: null, agency: null, name: "系统管理员" },
    {
      username: "security",
      role: "security_admin",
      level: null,
      unit: null,
      agency: null,
      name: "安全管理员",
    },
  ];
  const created: DemoAccount[] = [];
  for (const p of plan) {
    if (await repo.userByName(p.username)) continue;
    const password = generatedPassword();
    await auth.createUser({
      username: p.username,
      displayName: p.name,
      password,
      role: p.role,
      unitLevel: p.level,
      unitCode: p.unit,
      agencyCode: p.agency,
      mustChangePassword: false,
    });
    created.push({ username: p.username, password, role: p.role, jurisdiction: p.unit ?? p.agency ?? "—" });
  }
  if (created.length > 0) {
    const lines = created.map((a) => `${a.username}\t${a.password}\t${a.role}\t${a.jurisdiction}`);
    await writeFile(credentialsPath, `# recur demo accounts (generated; demo only)\n${lines.join("\n")}\n`, {
      mode: 0o600,
    });
    await chmod(credentialsPath, 0o600);
  }
  return created;
}

/** Code of the demo city's bureau (the demo analyst's unit). */
export const DEMO_CITY_UNIT = "city";

/** Partner agencies of the demo city; "mediation" is the demo agency user's. */
const DEMO_AGENCIES = [
  { code: "mediation", name: "春华街道人民调解委员会", kind: "mediation_committee" },
  { code: "judicial-chunhua", name: "春华司法所", kind: "judicial_office" },
  { code: "street-chunhua", name: "春华街道办事处", kind: "street_office" },
  { code: "grid-chunhua", name: "春华街道网格员队伍", kind: "grid" },
  { code: "hotline-12345", name: "澜江市12345政务服务热线", kind: "hotline_12345" },
  { code: "labour", name: "澜江市劳动保障监察支队", kind: "labour_inspection" },
  { code: "market", name: "澜江市市场监督管理局", kind: "market_regulation" },
  { code: "housing", name: "澜江市住房和城乡建设局（物业管理科）", kind: "housing" },
] as const;

/**
 * Demo mode only: registers the demo city's units (市局 > 分局 > 派出所 > 警务区, with the same
 * codes as its incidents, urban or suburban from the district) and a set of partner agencies,
 * when the registry is still empty. Later starts leave an edited registry alone.
 */
export async function seedDemoRegistry(store: Store, clock: Clock): Promise<void> {
  const registry = registryRepository(store);
  const at = clock.now();
  if ((await registry.units()).length === 0) {
    await registry.saveUnit(
      { code: DEMO_CITY_UNIT, name: CITY_BUREAU, level: "city", parentCode: null, setting: null },
      at,
    );
    for (const district of defaultCity().districts) {
      const branch = district.spec.branch;
      const setting = district.spec.suburban ? "suburban" : "urban";
      await registry.saveUnit(
        { code: branch, name: branch, level: "branch", parentCode: DEMO_CITY_UNIT, setting },
        at,
      );
      for (const station of district.stations) {
        await registry.saveUnit(
          { code: station.name, name: station.name, level: "station", parentCode: branch, setting },
          at,
        );
        for (const area of station.areas)
          await registry.saveUnit(
            { code: area.name, name: area.name, level: "area", parentCode: station.name, setting },
            at,
          );
      }
    }
  }
  if ((await registry.agencies()).length === 0)
    for (const agency of DEMO_AGENCIES) await registry.saveAgency(agency, at);
}
