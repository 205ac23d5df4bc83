import { randomInt } from "node:crypto";
import { chmod, writeFile } from "node:fs/promises";
import type { Clock } from "../domain/index.ts";
import { serverRepository } from "../store/server-repository.ts";
import type { Store } from "../store/types.ts";
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
      unit: "city",
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
