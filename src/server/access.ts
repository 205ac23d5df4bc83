import type { UnitLevel } from "../domain/index.ts";

/**
 * Roles, permissions and jurisdiction scopes (docs/server.md). Separation of duties: the
 * system admin manages users but cannot read the audit log; the auditor reads the audit log
 * but cannot change users or data; the security admin unlocks accounts and ends sessions.
 */
export const ROLES = [
  "city_analyst", // 市局情指中心研判员
  "branch_supervisor", // 分局审核/指挥长
  "station_officer", // 派出所/社区民警
  "agency_user", // 合作部门（调委会、12345、劳动监察…）
  "auditor", // 审计员
  "system_admin", // 系统管理员
  "security_admin", // 安全管理员
] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  "incidents.read",
  /** Adding incidents one by one or in small batches over the API (POST /api/v1/incidents). */
  "incidents.write",
  "series.read",
  /** The dispatch-time check (POST /api/v1/checks). */
  "checks.run",
  "cases.read",
  "cases.create",
  "cases.act",
  "reports.export",
  /** Revealing a caller number kept encrypted (only when a profile keeps numbers), with a stated reason. */
  "callers.reveal",
  "data.import",
  /** Saving, editing and deleting the deployment's import mapping profiles (configuration, no personal data). */
  "profiles.manage",
  "audit.read",
  "users.manage",
  "users.unlock",
  /** Viewing and changing the deployment's repeat, deadline and quality rule settings. */
  "rules.manage",
  /** Quality scorecards, issues and review lists of the jurisdiction. */
  "quality.read",
  /** Review verdicts at the user's own level, branch queues, station self-checks, resubmissions. */
  "quality.review",
  /** The city's review sample (市局抽查). */
  "quality.sample",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  city_analyst: [
    "incidents.read",
    "incidents.write",
    "series.read",
    "checks.run",
    "cases.read",
    "cases.create",
    "cases.act",
    "reports.export",
    "data.import",
    "profiles.manage",
    "callers.reveal",
    "rules.manage",
    "quality.read",
    "quality.review",
    "quality.sample",
  ],
  branch_supervisor: [
    "incidents.read",
    "series.read",
    "checks.run",
    "cases.read",
    "cases.create",
    "cases.act",
    "reports.export",
    "callers.reveal",
    "quality.read",
    "quality.review",
  ],
  station_officer: [
    "incidents.read",
    "series.read",
    "checks.run",
    "cases.read",
    "cases.create",
    "cases.act",
    "callers.reveal",
    "quality.read",
    "quality.review",
  ],
  agency_user: ["cases.read", "cases.act"],
  auditor: ["audit.read"],
  system_admin: ["users.manage", "rules.manage", "profiles.manage"],
  security_admin: ["users.unlock"],
};

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

/** What part of the data a user may see: the whole city, one unit subtree, or one agency's referrals. */
export type Scope =
  | { readonly kind: "all" }
  | { readonly kind: "unit"; readonly level: Exclude<UnitLevel, "city">; readonly code: string }
  | { readonly kind: "agency"; readonly code: string }
  | { readonly kind: "none" };

export interface Principal {
  readonly userId: string;
  readonly username: string;
  readonly role: Role;
  readonly unitLevel: UnitLevel | null;
  readonly unitCode: string | null;
  readonly agencyCode: string | null;
}

/**
 * The one place where a user's jurisdiction is decided; every repository query takes it.
 * @example
 * scopeOf({ role: "station_officer", unitLevel: "station", unitCode: "S01", ... }) // { kind: "unit", level: "station", code: "S01" }
 */
export function scopeOf(principal: Principal): Scope {
  if (principal.role === "agency_user")
    return principal.agencyCode ? { kind: "agency", code: principal.agencyCode } : { kind: "none" };
  if (principal.unitLevel === "city") return { kind: "all" };
  if (principal.unitLevel && principal.unitCode)
    return { kind: "unit", level: principal.unitLevel, code: principal.unitCode };
  return { kind: "none" };
}

/** Whether a record with these jurisdiction fields lies inside the scope. */
export function inScope(
  scope: Scope,
  record: {
    readonly branchUnit: string | null;
    readonly stationUnit: string | null;
    readonly areaUnit?: string | null;
    readonly assignee?: { readonly kind: string; readonly code: string } | null;
  },
): boolean {
  switch (scope.kind) {
    case "all":
      return true;
    case "none":
      return false;
    case "agency":
      return record.assignee?.kind === "agency" && record.assignee.code === scope.code;
    case "unit":
      return scope.level === "branch"
        ? record.branchUnit === scope.code
        : scope.level === "station"
          ? record.stationUnit === scope.code
          : record.areaUnit === scope.code;
  }
}
