import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import {
  applyCase,
  type Case,
  type CaseCommand,
  newCase,
  overdueCases,
  VERIFY_WINDOWS_DAYS,
} from "../cases/case.ts";
import { CASE_STATES, ConflictError, RESOLUTION_TYPES, WORK_KINDS } from "../cases/lifecycle.ts";
import { outcomeWeeks, verifyOutcome } from "../cases/outcome.ts";
import { outcomeSummary } from "../cases/sweep.ts";
import {
  type Clock,
  type Incident,
  type IncidentId,
  isRecurError,
  type Lang,
  LOCATION_LEVELS,
  UNIT_LEVELS,
} from "../domain/index.ts";
import { decryptField } from "../ingest/privacy/index.ts";
import { WARNING_LEVELS } from "../repeat/options.ts";
import type { ServerRepository, User } from "../store/server-repository.ts";
import type { Store } from "../store/types.ts";
import { can, inScope, type Permission, type Principal, ROLES, type Scope, scopeOf } from "./access.ts";
import { verifyChain } from "./audit.ts";
import { type Auth, principalOf, WeakPasswordError } from "./auth.ts";
import { controlCandidates, subjectHistory } from "./outcomes.ts";
import { assigneeProblem, sendProblem, userScopeProblem } from "./registry-routes.ts";
import { slaHours, storedRepeatRules } from "./rules.ts";

export const SESSION_COOKIE = "recur_session";

export interface Services {
  readonly store: Store;
  readonly repo: ServerRepository;
  readonly auth: Auth;
  readonly clock: Clock;
  /** The deployment's field-encryption key, for the audited reveal of a kept caller number. */
  readonly encKey: () => Promise<Uint8Array>;
}

declare module "fastify" {
  interface FastifyContextConfig {
    /** Permission a route needs; routes without one are public (login, health). */
    permission?: Permission;
    /** The route needs a logged-in user but no particular permission (own account settings). */
    session?: boolean;
    /** Audit action name for every request to the route (views included). */
    audit?: string;
    /** Schema of the JSON body, for validation in the route and the OpenAPI document. */
    body?: z.ZodType;
    /** Schema of the query string, likewise. */
    query?: z.ZodType;
  }
  interface FastifyRequest {
    principal?: Principal;
    user?: User;
    token?: string;
    /** Extra audit details a route adds (e.g. the stated reason of a reveal); never personal data. */
    auditDetail?: Record<string, string | number | boolean | null>;
  }
}

export function langOf(request: FastifyRequest): Lang {
  const q = (request.query as { lang?: string } | undefined)?.lang;
  if (q === "en" || q === "zh") return q;
  return request.headers["accept-language"]?.toLowerCase().startsWith("en") ? "en" : "zh";
}

export function sendError(
  reply: FastifyReply,
  status: number,
  code: string,
  zh: string,
  en: string,
  lang: Lang,
) {
  return reply.status(status).send({ error: { code, message: lang === "zh" ? zh : en } });
}

function cookieToken(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === SESSION_COOKIE) return decodeURIComponent(rest.join("="));
  }
  return undefined;
}

function sessionCookie(token: string, secure: boolean, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? "; Secure" : ""}`;
}

const isSecure = (request: FastifyRequest) =>
  request.protocol === "https" || request.headers["x-forwarded-proto"] === "https";

/** Simple per-address limit on login attempts, on top of the per-account lockout. */
function loginRateLimiter(clock: Clock, perMinute = 10) {
  const hits = new Map<string, number[]>();
  return (ip: string): boolean => {
    const now = clock.now();
    const recent = (hits.get(ip) ?? []).filter((t) => now - t < 60_000);
    recent.push(now);
    hits.set(ip, recent);
    return recent.length <= perMinute;
  };
}

const LoginBody = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
  totp: z.string().max(8).optional(),
});
const TotpSetupBody = z.object({ password: z.string().min(1).max(256) });
const TotpConfirmBody = z.object({ code: z.string().regex(/^\d{6}$/) });
const PasswordBody = z.object({ oldPassword: z.string().max(256), newPassword: z.string().max(256) });
const NewCaseBody = z.object({
  title: z.string().min(1).max(200),
  subject: z.object({
    kind: z.enum(["place", "caller", "matter"]),
    seriesId: z.string().max(128).nullable(),
    locationKey: z.string().max(256).nullable(),
    locationLevel: z.enum(LOCATION_LEVELS).nullable().optional(),
    callerPseudonym: z.string().max(128).nullable(),
    group: z.string().max(64).nullable(),
    protective: z.boolean(),
  }),
  warning: z.enum(WARNING_LEVELS),
  branchUnit: z.string().max(64).nullable(),
  stationUnit: z.string().max(64).nullable(),
});
const Assignee = z.object({ kind: z.enum(["unit", "agency"]), code: z.string().min(1).max(64) });
const CommandBody = z.object({
  version: z.number().int().positive(),
  command: z.discriminatedUnion("action", [
    z.object({ action: z.literal("assign"), assignee: Assignee, owner: z.string().min(1).max(64) }),
    z.object({ action: z.literal("start") }),
    z.object({
      action: z.literal("record"),
      kind: z.enum(WORK_KINDS),
      text: z.string().min(1).max(4000),
      result: z.string().max(1000).optional(),
    }),
    z.object({
      action: z.literal("resolve"),
      resolution: z.enum(RESOLUTION_TYPES),
      note: z.string().max(2000).optional(),
    }),
    z.object({
      action: z.literal("verify"),
      days: z.union([
        z.literal(VERIFY_WINDOWS_DAYS[0]),
        z.literal(VERIFY_WINDOWS_DAYS[1]),
        z.literal(VERIFY_WINDOWS_DAYS[2]),
      ]),
    }),
    z.object({ action: z.literal("close_effective"), note: z.string().max(2000).optional() }),
    z.object({ action: z.literal("close_ineffective"), note: z.string().max(2000).optional() }),
    z.object({ action: z.literal("reopen"), reason: z.string().min(1).max(2000) }),
    z.object({ action: z.literal("cancel"), reason: z.string().min(1).max(2000) }),
  ]),
});
const NewUserBody = z.object({
  username: z.string().regex(/^[A-Za-z0-9_.-]{3,64}$/),
  displayName: z.string().min(1).max(64),
  password: z.string().max(256),
  role: z.enum(ROLES),
  unitLevel: z.enum(UNIT_LEVELS).nullable(),
  unitCode: z.string().max(64).nullable(),
  agencyCode: z.string().max(64).nullable(),
});
const RevealBody = z.object({ reason: z.string().trim().min(5).max(200) });
const CaseListQuery = z.object({
  state: z.enum(CASE_STATES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  lang: z.string().optional(),
});
const IncidentListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
  lang: z.string().optional(),
});

/** Incidents as a user of a scope may see them; partner agencies never see incidents directly. */
function scopedIncidentQuery(scope: Scope) {
  switch (scope.kind) {
    case "all":
      return {};
    case "unit":
      return { unit: { level: scope.level, code: scope.code } };
    default:
      return undefined;
  }
}

function publicIncident(incident: Incident) {
  // The encrypted caller number never leaves the server; revealing it is a separate, audited act.
  const { callerNumberEnc: _hidden, ...rest } = incident;
  return rest;
}

function publicUser(user: User) {
  const { passwordHash: _p, totpEnc: _t, totpPendingEnc: _pt, totpLastStep: _s, failures, ...rest } = user;
  return { ...rest, recentFailures: failures.length, totp: user.totpEnc !== null };
}

/**
 * The JSON API under /api/v1. Authentication, the permission check, the jurisdiction scope and
 * the audit record happen in the hooks below, in one place, not in each route.
 */
export function registerApiRoutes(
  app: FastifyInstance,
  loginsPerMinute: number,
  services: () => Services | undefined,
): void {
  let limiter: ((ip: string) => boolean) | undefined;
  // A unit's incident total changes only with imports: counted at most every 10 s per scope
  // (a count is 1-2 ms at 1,000,000 incidents, more than the page itself).
  const counted = new Map<string, { total: number; at: number; store: Store }>();
  const totals = async (s: Services, scoped: NonNullable<ReturnType<typeof scopedIncidentQuery>>) => {
    const key = JSON.stringify(scoped);
    const now = s.clock.now();
    const hit = counted.get(key);
    if (hit && hit.store === s.store && now - hit.at < 10_000 && now >= hit.at) return hit.total;
    const total = await s.store.incidents.count(scoped);
    counted.set(key, { total, at: now, store: s.store });
    return total;
  };

  app.addHook("preHandler", async (request, reply) => {
    const permission = request.routeOptions.config?.permission;
    if (
      !permission &&
      !request.routeOptions.config?.session &&
      !request.url.startsWith("/api/v1/auth/me") &&
      !request.url.startsWith("/api/v1/auth/logout") &&
      !request.url.startsWith("/api/v1/auth/password")
    )
      return;
    const lang = langOf(request);
    const s = services();
    if (!s)
      return sendError(reply, 503, "loading", "服务正在准备，请稍候", "The server is still preparing", lang);
    const token = cookieToken(request);
    const user = token ? await s.auth.authenticate(token) : undefined;
    if (!user || !token) return sendError(reply, 401, "unauthenticated", "请先登录", "Please log in", lang);
    request.user = user;
    request.token = token;
    request.principal = principalOf(user);
    if (user.mustChangePassword && !request.url.startsWith("/api/v1/auth/"))
      return sendError(
        reply,
        403,
        "password_change_required",
        "首次登录请先修改密码",
        "Change your password first",
        lang,
      );
    if (permission && !can(user.role, permission))
      return sendError(reply, 403, "forbidden", "无权执行此操作", "Not allowed", lang);
  });

  app.addHook("onResponse", async (request, reply) => {
    const action = request.routeOptions.config?.audit;
    const s = services();
    if (!action || !s) return;
    const principal = request.principal;
    const params = request.params as { id?: string } | undefined;
    await s.repo.appendAudit({
      at: s.clock.now(),
      actor: principal?.userId ?? "anonymous",
      role: principal?.role ?? null,
      ip: request.ip,
      action,
      target: params?.id ?? null,
      outcome:
        reply.statusCode < 400
          ? "ok"
          : reply.statusCode === 401 || reply.statusCode === 403
            ? "denied"
            : "failed",
      detail: { method: request.method, status: reply.statusCode, ...request.auditDetail },
    });
  });

  app.post("/api/v1/auth/login", { config: { body: LoginBody } }, async (request, reply) => {
    const lang = langOf(request);
    const s = services();
    if (!s)
      return sendError(reply, 503, "loading", "服务正在准备，请稍候", "The server is still preparing", lang);
    limiter ??= loginRateLimiter(s.clock, loginsPerMinute);
    if (!limiter(request.ip))
      return sendError(
        reply,
        429,
        "rate_limited",
        "登录尝试过于频繁，请稍后再试",
        "Too many login attempts; try again later",
        lang,
      );
    const body = LoginBody.safeParse(request.body);
    if (!body.success)
      return sendError(
        reply,
        400,
        "invalid_body",
        "请输入用户名和密码",
        "Username and password are required",
        lang,
      );
    const result = await s.auth.login(body.data.username, body.data.password, request.ip, body.data.totp);
    await s.repo.appendAudit({
      at: s.clock.now(),
      actor: result.user?.id ?? "unknown-user",
      role: result.user?.role ?? null,
      ip: request.ip,
      action: "login",
      target: null,
      outcome: result.ok ? "ok" : "denied",
      detail: { reason: result.ok ? null : result.reason },
    });
    if (!result.ok) {
      const messages: Record<typeof result.reason, [number, string, string]> = {
        invalid: [401, "用户名或密码错误", "Wrong username or password"],
        locked: [
          423,
          "账号因多次登录失败已锁定，请联系安全管理员解锁",
          "The account is locked after repeated failures; ask a security admin to unlock it",
        ],
        disabled: [403, "账号已停用", "The account is disabled"],
        totp_required: [401, "请输入动态验证码", "Enter your one-time code"],
        totp_invalid: [401, "动态验证码错误", "Wrong one-time code"],
      };
      const [status, zh, en] = messages[result.reason];
      return sendError(reply, status, result.reason, zh, en, lang);
    }
    reply.header("Set-Cookie", sessionCookie(result.token, isSecure(request), 12 * 3600));
    return { user: publicUser(result.user), mustChangePassword: result.user.mustChangePassword };
  });

  app.post("/api/v1/auth/logout", async (request, reply) => {
    const s = services();
    if (s && request.token) await s.auth.logout(request.token);
    reply.header("Set-Cookie", sessionCookie("", isSecure(request), 0));
    return { ok: true };
  });

  app.get("/api/v1/auth/me", async (request) => ({
    user: publicUser(request.user!),
    scope: scopeOf(request.principal!),
  }));

  app.post("/api/v1/auth/password", { config: { body: PasswordBody } }, async (request, reply) => {
    const lang = langOf(request);
    const s = services()!;
    const body = PasswordBody.safeParse(request.body);
    if (!body.success)
      return sendError(reply, 400, "invalid_body", "请求格式错误", "Malformed request", lang);
    try {
      const ok = await s.auth.changePassword(request.user!, body.data.oldPassword, body.data.newPassword);
      if (!ok)
        return sendError(reply, 403, "wrong_password", "原密码错误", "The current password is wrong", lang);
    } catch (error) {
      if (error instanceof WeakPasswordError)
        return sendError(
          reply,
          400,
          "weak_password",
          `新密码至少 ${error.minLength} 位，且包含大写、小写、数字、符号中的三类，不能与原密码相同`,
          `The new password needs at least ${error.minLength} characters from 3 of: lower, upper, digit, symbol, and must differ from the old one`,
          lang,
        );
      throw error;
    }
    return { ok: true };
  });

  app.post(
    "/api/v1/auth/totp/setup",
    { config: { session: true, audit: "totp.setup", body: TotpSetupBody } },
    async (request, reply) => {
      const lang = langOf(request);
      const s = services()!;
      const body = TotpSetupBody.safeParse(request.body);
      if (!body.success)
        return sendError(reply, 400, "invalid_body", "请输入当前密码", "Enter your current password", lang);
      if (!s.auth.totpAvailable)
        return sendError(
          reply,
          503,
          "totp_unavailable",
          "服务器未配置部署密钥，无法启用动态验证码",
          "Two-factor codes need the deployment key, which this server lacks",
          lang,
        );
      const user = request.user!;
      if (user.totpEnc)
        return sendError(
          reply,
          409,
          "totp_already_on",
          "动态验证码已启用；如需更换，请安全管理员先停用",
          "The second factor is already on; a security admin must turn it off before a new setup",
          lang,
        );
      if (!(await s.auth.checkPassword(user, body.data.password)))
        return sendError(reply, 403, "wrong_password", "密码错误", "Wrong password", lang);
      // The URI carries the secret: shown once, to the user, never logged or audited.
      return { uri: await s.auth.totpSetup(user) };
    },
  );

  app.post(
    "/api/v1/auth/totp/confirm",
    { config: { session: true, audit: "totp.confirm", body: TotpConfirmBody } },
    async (request, reply) => {
      const lang = langOf(request);
      const s = services()!;
      const body = TotpConfirmBody.safeParse(request.body);
      if (!body.success)
        return sendError(reply, 400, "invalid_body", "请输入6位动态验证码", "Enter the 6-digit code", lang);
      if (!(await s.auth.totpConfirm(request.user!.id, body.data.code)))
        return sendError(
          reply,
          400,
          "totp_invalid",
          "动态验证码错误或未先设置",
          "Wrong code, or no setup started",
          lang,
        );
      return { totp: true };
    },
  );

  app.post(
    "/api/v1/users/:id/totp/disable",
    { config: { permission: "users.unlock", audit: "user.totp_disable" } },
    async (request, reply) => {
      const s = services()!;
      const user = await userInParams(s, request, reply);
      if (!user) return reply;
      const id = user.id;
      await s.auth.totpDisable(id);
      return { totp: false };
    },
  );

  app.get(
    "/api/v1/incidents",
    { config: { permission: "incidents.read", audit: "incidents.list", query: IncidentListQuery } },
    async (request, reply) => {
      const lang = langOf(request);
      const q = IncidentListQuery.safeParse(request.query);
      if (!q.success) return sendError(reply, 400, "invalid_query", "查询参数错误", "Invalid query", lang);
      const scoped = scopedIncidentQuery(scopeOf(request.principal!));
      if (!scoped) return { incidents: [], total: 0 };
      const s = services()!;
      const [incidents, total] = await Promise.all([
        s.store.incidents.list({ ...scoped, limit: q.data.limit, offset: q.data.offset }),
        totals(s, scoped),
      ]);
      return { incidents: incidents.map(publicIncident), total };
    },
  );

  app.get(
    "/api/v1/cases",
    { config: { permission: "cases.read", audit: "cases.list", query: CaseListQuery } },
    async (request, reply) => {
      const q = CaseListQuery.safeParse(request.query);
      if (!q.success)
        return sendError(reply, 400, "invalid_query", "查询参数错误", "Invalid query", langOf(request));
      const s = services()!;
      const cases = await s.repo.listCases(scopeOf(request.principal!), {
        ...(q.data.state ? { state: q.data.state } : {}),
        limit: q.data.limit,
      });
      // Lists carry no history; the case detail does.
      return {
        cases: cases.map(({ history, ...rest }) => ({ ...rest, actions: history.length })),
        overdue: overdueCases(cases, s.clock).map((c) => c.id),
      };
    },
  );

  app.post(
    "/api/v1/cases",
    { config: { permission: "cases.create", audit: "case.create", body: NewCaseBody } },
    async (request, reply) => {
      const lang = langOf(request);
      const body = NewCaseBody.safeParse(request.body);
      if (!body.success)
        return sendError(reply, 400, "invalid_body", "案件信息不完整", "Incomplete case", lang);
      const s = services()!;
      const scope = scopeOf(request.principal!);
      if (
        !inScope(scope, {
          branchUnit: body.data.branchUnit,
          stationUnit: body.data.stationUnit,
          areaUnit: null,
        })
      )
        return sendError(
          reply,
          403,
          "out_of_scope",
          "只能在本辖区内立案",
          "Cases can only be created in your jurisdiction",
          lang,
        );
      const c = newCase({
        id: crypto.randomUUID(),
        ...body.data,
        by: request.principal!.userId,
        clock: s.clock,
      });
      await s.repo.createCase(c);
      return reply.status(201).send({ case: c });
    },
  );

  app.get(
    "/api/v1/cases/:id",
    { config: { permission: "cases.read", audit: "case.view" } },
    async (request, reply) => {
      const s = services()!;
      const c = await caseInScope(s, request, reply);
      if (!c) return reply;
      return { case: c };
    },
  );

  app.post(
    "/api/v1/cases/:id/actions",
    { config: { permission: "cases.act", audit: "case.change", body: CommandBody } },
    async (request, reply) => {
      const lang = langOf(request);
      const body = CommandBody.safeParse(request.body);
      if (!body.success) return sendError(reply, 400, "invalid_body", "操作参数错误", "Invalid action", lang);
      const s = services()!;
      const current = await caseInScope(s, request, reply);
      if (!current) return reply;
      const command = body.data.command;
      if (command.action === "assign") {
        const problem = await assigneeProblem(s.store, command.assignee);
        if (problem) return sendProblem(reply, problem, lang);
      }
      try {
        const next = applyCase(
          current,
          body.data.version,
          command as CaseCommand,
          request.principal!.userId,
          s.clock,
          slaHours(await storedRepeatRules(s.store)),
        );
        if (!(await s.repo.updateCase(next, body.data.version)))
          throw new ConflictError(body.data.version, body.data.version + 1);
        return { case: next };
      } catch (error) {
        if (error instanceof ConflictError)
          return reply.status(409).send({ error: { code: error.code, message: error.messages[lang] } });
        if (isRecurError(error))
          return reply.status(422).send({ error: { code: error.code, message: error.messages[lang] } });
        throw error;
      }
    },
  );

  app.get(
    "/api/v1/cases/:id/outcome",
    { config: { permission: "cases.read", audit: "case.outcome" } },
    async (request, reply) => {
      const s = services()!;
      const c = await caseInScope(s, request, reply);
      if (!c) return reply;
      if (c.resolvedAt === null) return { outcome: null };
      const subject = (await subjectHistory(s.store, c)) ?? { key: c.id, times: [], mix: {} };
      const candidates = await controlCandidates(s.store, c);
      const outcome = verifyOutcome(subject, candidates, {
        resolvedAt: c.resolvedAt,
        windowDays: c.verifyDays ?? 30,
        now: s.clock.now(),
      });
      // Control places are other addresses of the station: counts only, never their keys.
      const controls = outcome.controls.map(({ before, after }) => ({ before, after }));
      return { outcome: { ...outcome, controls }, weeks: outcomeWeeks(subject, candidates, outcome) };
    },
  );

  app.get(
    "/api/v1/outcomes",
    { config: { permission: "cases.read", audit: "outcomes.summary" } },
    async (request) => {
      const s = services()!;
      const cases = await s.repo.listCases(scopeOf(request.principal!), { limit: 100_000 });
      return { rows: outcomeSummary(cases, s.clock.now()) };
    },
  );

  app.post(
    "/api/v1/incidents/:id/reveal",
    { config: { permission: "callers.reveal", audit: "caller.reveal", body: RevealBody } },
    async (request, reply) => {
      const lang = langOf(request);
      const body = RevealBody.safeParse(request.body);
      if (!body.success)
        return sendError(
          reply,
          400,
          "reason_required",
          "查看报警人号码须写明理由（5 至 200 字）",
          "Revealing a caller number needs a stated reason (5 to 200 characters)",
          lang,
        );
      request.auditDetail = { reason: body.data.reason };
      const s = services()!;
      const incident = await s.store.incidents.getById((request.params as { id: string }).id as IncidentId);
      if (!incident || !inScope(scopeOf(request.principal!), incident))
        return sendError(
          reply,
          404,
          "not_found",
          "警情不存在或不在您的权限范围内",
          "No such incident in your scope",
          lang,
        );
      if (!incident.callerNumberEnc)
        return sendError(
          reply,
          404,
          "no_number_kept",
          "该警情未保存报警人号码（映射配置未要求保存）",
          "No caller number is kept for this incident (its profile does not keep numbers)",
          lang,
        );
      return { number: decryptField(incident.callerNumberEnc, await s.encKey()) };
    },
  );

  app.get("/api/v1/users", { config: { permission: "users.manage", audit: "users.list" } }, async () => {
    const s = services()!;
    return { users: (await s.repo.listUsers()).map(publicUser) };
  });

  app.post(
    "/api/v1/users",
    { config: { permission: "users.manage", audit: "user.create", body: NewUserBody } },
    async (request, reply) => {
      const lang = langOf(request);
      const body = NewUserBody.safeParse(request.body);
      if (!body.success)
        return sendError(reply, 400, "invalid_body", "用户信息不完整", "Incomplete user", lang);
      const s = services()!;
      if (await s.repo.userByName(body.data.username))
        return sendError(reply, 409, "username_taken", "用户名已存在", "The username is taken", lang);
      const scopeProblem = await userScopeProblem(s.store, body.data);
      if (scopeProblem) return sendProblem(reply, scopeProblem, lang);
      try {
        const user = await s.auth.createUser({ ...body.data, mustChangePassword: true });
        return reply.status(201).send({ user: publicUser(user) });
      } catch (error) {
        if (error instanceof WeakPasswordError)
          return sendError(
            reply,
            400,
            "weak_password",
            "初始密码强度不足",
            "The initial password is too weak",
            lang,
          );
        throw error;
      }
    },
  );

  app.post(
    "/api/v1/users/:id/disable",
    { config: { permission: "users.manage", audit: "user.disable" } },
    async (request, reply) => {
      const s = services()!;
      const user = await userInParams(s, request, reply);
      if (!user) return reply;
      const id = user.id;
      return { endedSessions: await s.auth.disable(id) };
    },
  );

  app.post(
    "/api/v1/users/:id/unlock",
    { config: { permission: "users.unlock", audit: "user.unlock" } },
    async (request, reply) => {
      const s = services()!;
      const user = await userInParams(s, request, reply);
      if (!user) return reply;
      const id = user.id;
      await s.auth.unlock(id);
      return { ok: true };
    },
  );

  app.get("/api/v1/audit", { config: { permission: "audit.read", audit: "audit.read" } }, async (request) => {
    const s = services()!;
    const from = Number((request.query as { from?: string }).from ?? 1);
    return { entries: await s.repo.auditEntries({ fromSeq: Number.isFinite(from) ? from : 1, limit: 500 }) };
  });

  app.get(
    "/api/v1/audit/verify",
    { config: { permission: "audit.read", audit: "audit.verify" } },
    async () => {
      const s = services()!;
      return auditVerification(s.repo);
    },
  );
}

/** The user named in the URL; otherwise answers 404 and returns undefined. */
async function userInParams(
  s: Services,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<User | undefined> {
  const user = await s.repo.userById((request.params as { id: string }).id);
  if (!user) await sendError(reply, 404, "not_found", "用户不存在", "No such user", langOf(request));
  return user;
}

/** The case named in the URL when it lies in the user's scope; otherwise answers 404 and returns undefined. */
export async function caseInScope(
  s: Services,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<Case | undefined> {
  const c = await s.repo.getCase((request.params as { id: string }).id, scopeOf(request.principal!));
  if (!c)
    await sendError(
      reply,
      404,
      "not_found",
      "案件不存在或不在您的权限范围内",
      "No such case in your scope",
      langOf(request),
    );
  return c;
}

/**
 * Checks the whole chain and that it reaches the separately kept head (so cutting rows off its
 * end is caught too). The head is read first: entries appended meanwhile are checked as well.
 */
export async function auditVerification(repo: ServerRepository) {
  const head = await repo.auditHead();
  const entries = await repo.auditEntries();
  const problem = verifyChain(entries);
  const atHead = entries[head.seq - 1];
  const headMismatch = head.seq > 0 && (atHead === undefined || atHead.hash !== head.hash);
  return {
    ok: !problem && !headMismatch,
    entries: entries.length,
    problem: problem ?? (headMismatch ? { kind: "head_mismatch", seq: head.seq } : null),
  };
}
