import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { Lang } from "../domain/index.ts";
import { UNIT_LEVELS } from "../domain/index.ts";
import {
  type AgencyRecord,
  registryRepository,
  UNIT_SETTINGS,
  type UnitRecord,
} from "../store/registry-repository.ts";
import type { Store } from "../store/types.ts";
import type { Role } from "./access.ts";
import { langOf, type Services, sendError } from "./routes.ts";

/** Kinds of partner agencies cases are referred to (警调对接, 12345 分流, 网格). */
export const AGENCY_KINDS = [
  "mediation_committee", // 人民调解委员会
  "judicial_office", // 司法所
  "street_office", // 街道/社区
  "grid", // 网格员
  "hotline_12345", // 12345 热线
  "labour_inspection", // 劳动监察
  "market_regulation", // 市场监管
  "housing", // 住建/物业管理
  "social_services", // 民政/社会服务
  "other",
] as const;

const Code = z.string().regex(/^[\p{L}\p{N}_.-]{1,64}$/u);
const UnitBody = z.object({
  code: Code,
  name: z.string().trim().min(1).max(64),
  level: z.enum(UNIT_LEVELS),
  parentCode: z.string().max(64).nullable(),
  setting: z.enum(UNIT_SETTINGS).nullable().optional(),
});
const AgencyBody = z.object({
  code: Code,
  name: z.string().trim().min(1).max(64),
  kind: z.enum(AGENCY_KINDS),
});

/** A registry problem with its message in both languages. */
export interface RegistryProblem {
  readonly code: string;
  readonly zh: string;
  readonly en: string;
}

const LEVEL_ZH: Readonly<Record<string, string>> = {
  city: "市局",
  branch: "分局",
  station: "派出所",
  area: "警务区",
};

/** Roles whose jurisdiction is a police unit. */
const UNIT_ROLES: readonly Role[] = ["city_analyst", "branch_supervisor", "station_officer"];

/**
 * Checks a user's jurisdiction against the registry: a unit role needs a registered, active
 * unit of the stated level; a partner-agency user a registered, active agency.
 * @example
 * await userScopeProblem(store, { role: "station_officer", unitLevel: "station", unitCode: "S1", agencyCode: null })
 */
export async function userScopeProblem(
  store: Store,
  user: {
    readonly role: Role;
    readonly unitLevel: string | null;
    readonly unitCode: string | null;
    readonly agencyCode: string | null;
  },
): Promise<RegistryProblem | undefined> {
  const registry = registryRepository(store);
  if (user.role === "agency_user") {
    if (!user.agencyCode)
      return {
        code: "agency_required",
        zh: "合作部门用户须指定所属合作部门",
        en: "A partner-agency user needs an agency",
      };
    return agencyProblem(await registry.agency(user.agencyCode), user.agencyCode);
  }
  if (user.agencyCode)
    return {
      code: "agency_not_allowed",
      zh: "只有合作部门用户可以指定合作部门",
      en: "Only partner-agency users belong to an agency",
    };
  if (!user.unitCode) {
    if (UNIT_ROLES.includes(user.role))
      return {
        code: "unit_required",
        zh: "该角色须指定所属单位（辖区）",
        en: "This role needs a unit (its jurisdiction)",
      };
    return undefined;
  }
  const unit = await registry.unit(user.unitCode);
  const problem = unitProblem(unit, user.unitCode);
  if (problem) return problem;
  if (user.unitLevel !== unit!.level)
    return {
      code: "unit_level_mismatch",
      zh: `单位 ${user.unitCode} 登记为${LEVEL_ZH[unit!.level] ?? unit!.level}级，与所选层级不符`,
      en: `Unit ${user.unitCode} is registered as a ${unit!.level} unit, not ${user.unitLevel ?? "none"}`,
    };
  return undefined;
}

/**
 * Checks a case assignee: the police unit or partner agency must be registered and active.
 * @example
 * await assigneeProblem(store, { kind: "agency", code: "MED1" })
 */
export async function assigneeProblem(
  store: Store,
  assignee: { readonly kind: "unit" | "agency"; readonly code: string },
): Promise<RegistryProblem | undefined> {
  const registry = registryRepository(store);
  return assignee.kind === "unit"
    ? unitProblem(await registry.unit(assignee.code), assignee.code)
    : agencyProblem(await registry.agency(assignee.code), assignee.code);
}

function unitProblem(unit: UnitRecord | undefined, code: string): RegistryProblem | undefined {
  if (!unit)
    return {
      code: "unknown_unit",
      zh: `单位 ${code} 未登记（请系统管理员先在“单位”页登记）`,
      en: `Unit ${code} is not registered (a system admin registers it on the Units page)`,
    };
  if (unit.active === false)
    return {
      code: "inactive_unit",
      zh: `单位 ${unit.name}（${code}）已停用`,
      en: `Unit ${unit.name} (${code}) is deactivated`,
    };
  return undefined;
}

function agencyProblem(agency: AgencyRecord | undefined, code: string): RegistryProblem | undefined {
  if (!agency)
    return {
      code: "unknown_agency",
      zh: `合作部门 ${code} 未登记（请系统管理员先在“合作部门”页登记）`,
      en: `Partner agency ${code} is not registered (a system admin registers it on the Agencies page)`,
    };
  if (agency.active === false)
    return {
      code: "inactive_agency",
      zh: `合作部门 ${agency.name}（${code}）已停用`,
      en: `Partner agency ${agency.name} (${code}) is deactivated`,
    };
  return undefined;
}

/** Answers a registry problem as 422 in the user's language. */
export function sendProblem(reply: FastifyReply, problem: RegistryProblem, lang: Lang) {
  return sendError(reply, 422, problem.code, problem.zh, problem.en, lang);
}

const codeParam = (request: FastifyRequest) => (request.params as { id: string }).id;

/**
 * The registry of units (市局 > 分局 > 派出所 > 警务区) and partner agencies: read by every
 * logged-in user (pickers), changed by the system admin. Units and agencies are never deleted
 * (old incidents and cases refer to them): they are deactivated.
 */
export function registerRegistryRoutes(app: FastifyInstance, services: () => Services | undefined): void {
  app.get("/api/v1/units", { config: { session: true, audit: "units.list" } }, async () => ({
    units: await registryRepository(services()!.store).units(),
  }));

  app.post(
    "/api/v1/units",
    { config: { permission: "users.manage", audit: "unit.save", body: UnitBody } },
    async (request, reply) => {
      const lang = langOf(request);
      const body = UnitBody.safeParse(request.body);
      if (!body.success)
        return sendError(reply, 400, "invalid_body", "单位信息不完整", "Incomplete unit", lang);
      const s = services()!;
      const registry = registryRepository(s.store);
      const { level, parentCode, code } = body.data;
      const parent = parentCode ? await registry.unit(parentCode) : undefined;
      const expected = UNIT_LEVELS[UNIT_LEVELS.indexOf(level) - 1];
      if (expected ? parent?.level !== expected : parentCode !== null)
        return sendError(
          reply,
          422,
          "bad_parent",
          expected ? `上级单位须为已登记的${LEVEL_ZH[expected]}级单位` : "市局没有上级单位",
          expected ? `The parent must be a registered ${expected} unit` : "A city unit has no parent",
          lang,
        );
      if (parent && parent.active === false)
        return sendError(
          reply,
          422,
          "inactive_parent",
          `上级单位 ${parent.name} 已停用`,
          `The parent unit ${parent.name} is deactivated`,
          lang,
        );
      const existing = await registry.unit(code);
      if (existing && existing.level !== level && (await registry.activeChildren(code)).length > 0)
        return sendError(
          reply,
          422,
          "has_children",
          "该单位下还有在用的下级单位，不能改变层级",
          "The unit has active sub-units; its level cannot change",
          lang,
        );
      const unit: UnitRecord = {
        code,
        name: body.data.name,
        level,
        parentCode,
        ...(body.data.setting === undefined ? {} : { setting: body.data.setting }),
      };
      await registry.saveUnit(unit, s.clock.now());
      return reply.status(existing ? 200 : 201).send({ unit: await registry.unit(code) });
    },
  );

  for (const [verb, active] of [
    ["deactivate", false],
    ["activate", true],
  ] as const)
    app.post(
      `/api/v1/units/:id/${verb}`,
      { config: { permission: "users.manage", audit: `unit.${verb}` } },
      async (request, reply) => {
        const lang = langOf(request);
        const s = services()!;
        const registry = registryRepository(s.store);
        const code = codeParam(request);
        const unit = await registry.unit(code);
        if (!unit) return sendError(reply, 404, "not_found", "单位不存在", "No such unit", lang);
        if (!active) {
          const children = await registry.activeChildren(code);
          if (children.length > 0)
            return sendError(
              reply,
              409,
              "has_active_children",
              `请先停用下级单位：${children.slice(0, 5).join("、")}`,
              `Deactivate its sub-units first: ${children.slice(0, 5).join(", ")}`,
              lang,
            );
          const users = (await s.repo.listUsers()).filter((u) => u.unitCode === code && !u.disabled);
          if (users.length > 0)
            return sendError(
              reply,
              409,
              "has_active_users",
              `该单位还有 ${users.length} 个在用账号，请先调整或停用`,
              `${users.length} active account(s) belong to this unit; move or disable them first`,
              lang,
            );
        } else if (unit.parentCode) {
          const parent = await registry.unit(unit.parentCode);
          if (parent?.active === false)
            return sendError(
              reply,
              409,
              "inactive_parent",
              `请先启用上级单位 ${parent.name}`,
              `Activate the parent unit ${parent.name} first`,
              lang,
            );
        }
        await registry.setUnitActive(code, active, s.clock.now());
        return { unit: await registry.unit(code) };
      },
    );

  app.get("/api/v1/agencies", { config: { session: true, audit: "agencies.list" } }, async () => ({
    agencies: await registryRepository(services()!.store).agencies(),
  }));

  app.post(
    "/api/v1/agencies",
    { config: { permission: "users.manage", audit: "agency.save", body: AgencyBody } },
    async (request, reply) => {
      const body = AgencyBody.safeParse(request.body);
      if (!body.success)
        return sendError(
          reply,
          400,
          "invalid_body",
          "合作部门信息不完整",
          "Incomplete agency",
          langOf(request),
        );
      const s = services()!;
      const registry = registryRepository(s.store);
      const existing = await registry.agency(body.data.code);
      await registry.saveAgency(body.data, s.clock.now());
      return reply.status(existing ? 200 : 201).send({ agency: await registry.agency(body.data.code) });
    },
  );

  for (const [verb, active] of [
    ["deactivate", false],
    ["activate", true],
  ] as const)
    app.post(
      `/api/v1/agencies/:id/${verb}`,
      { config: { permission: "users.manage", audit: `agency.${verb}` } },
      async (request, reply) => {
        const lang = langOf(request);
        const s = services()!;
        const registry = registryRepository(s.store);
        const code = codeParam(request);
        if (!(await registry.agency(code)))
          return sendError(reply, 404, "not_found", "合作部门不存在", "No such agency", lang);
        await registry.setAgencyActive(code, active, s.clock.now());
        return { agency: await registry.agency(code) };
      },
    );
}
