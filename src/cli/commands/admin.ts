import { userInfo } from "node:os";
import { DEFAULT_RETENTION, type RetentionPolicy, retentionCutoffs } from "../../cases/retention.ts";
import { asEpochMs, type Clock, UNIT_LEVELS, type UnitLevel } from "../../domain/index.ts";
import { ROLES, type Role } from "../../server/access.ts";
import { Auth, generatePassword } from "../../server/auth.ts";
import { userScopeProblem } from "../../server/registry-routes.ts";
import { auditVerification } from "../../server/routes.ts";
import { registryRepository } from "../../store/registry-repository.ts";
import { applyRetention } from "../../store/retention.ts";
import { serverRepository } from "../../store/server-repository.ts";
import { type Command, println, t } from "../command.ts";
import { withStore } from "../store-access.ts";

const wallClock: Clock = { now: () => asEpochMs(Date.now()) };

const cliActor = () => `cli:${userInfo().username}`;

/** `recur audit verify`: checks the audit log's hash chain end to end. */
export const auditCommand: Command = {
  name: "audit",
  summary: { zh: "审计日志：verify 校验哈希链", en: "Audit log: verify checks the hash chain" },
  usage: "verify [--db PATH] [--json]",
  options: { db: { type: "string" } },
  async run(args, ctx) {
    if (args.positionals[0] !== "verify") {
      println(
        ctx.stderr,
        t(ctx, "用法: recur audit verify [--db 路径]", "Usage: recur audit verify [--db PATH]"),
      );
      return 2;
    }
    const result = await withStore(args.values.db, ctx, (store) =>
      auditVerification(serverRepository(store)),
    );
    if (ctx.json) println(ctx.stdout, JSON.stringify(result));
    else if (result.ok)
      println(
        ctx.stdout,
        t(ctx, `审计日志完整（${result.entries} 条）`, `Audit log intact (${result.entries} entries)`),
      );
    else
      println(
        ctx.stdout,
        t(
          ctx,
          `审计日志被篡改：第 ${result.problem?.seq} 条起校验失败（${result.problem?.kind}）`,
          `Audit log tampered with: verification fails from entry ${result.problem?.seq} (${result.problem?.kind})`,
        ),
      );
    return result.ok ? 0 : 1;
  },
};

/** `recur users add|list|unlock|disable`: account administration without the web UI. */
export const usersCommand: Command = {
  name: "users",
  summary: { zh: "用户管理：add / list / unlock / disable", en: "Users: add / list / unlock / disable" },
  usage:
    "add --username NAME --role ROLE [--unit-level city|branch|station|area --unit-code CODE] [--agency CODE] | list | unlock NAME | disable NAME [--db PATH]",
  options: {
    db: { type: "string" },
    username: { type: "string" },
    "display-name": { type: "string" },
    role: { type: "string" },
    "unit-level": { type: "string" },
    "unit-code": { type: "string" },
    agency: { type: "string" },
  },
  async run(args, ctx) {
    const [verb, name] = args.positionals;
    const v = args.values;
    return withStore(v.db, ctx, async (store) => {
      const repo = serverRepository(store);
      const auth = new Auth(repo, wallClock);
      const audit = (action: string, target: string | null) =>
        repo.appendAudit({
          at: wallClock.now(),
          actor: cliActor(),
          role: null,
          ip: null,
          action,
          target,
          outcome: "ok",
          detail: { via: "cli" },
        });
      if (verb === "add") {
        const role = v.role as Role;
        const unitLevel = (v["unit-level"] ?? null) as UnitLevel | null;
        if (
          typeof v.username !== "string" ||
          !ROLES.includes(role) ||
          (unitLevel !== null && !UNIT_LEVELS.includes(unitLevel))
        ) {
          println(
            ctx.stderr,
            t(
              ctx,
              `需要 --username 和 --role（${ROLES.join("/")}）`,
              `--username and --role (${ROLES.join("/")}) are required`,
            ),
          );
          return 2;
        }
        if (await repo.userByName(v.username)) {
          println(ctx.stderr, t(ctx, `用户 ${v.username} 已存在`, `User ${v.username} exists`));
          return 1;
        }
        const scope = {
          role,
          unitLevel: role === "agency_user" ? null : (unitLevel ?? "city"),
          unitCode: typeof v["unit-code"] === "string" ? v["unit-code"] : null,
          agencyCode: typeof v.agency === "string" ? v.agency : null,
        };
        // Once units are registered, a user's unit or agency must be in the registry (as over the
        // API); before that (a first administrator on a new deployment) there is nothing to check.
        const registered = (await registryRepository(store).units()).length > 0;
        const problem = registered ? await userScopeProblem(store, scope) : undefined;
        if (problem) {
          println(ctx.stderr, t(ctx, problem.zh, problem.en));
          return 1;
        }
        // No default passwords: a generated one, to be changed at first login.
        const password = generatePassword();
        const user = await auth.createUser({
          username: v.username,
          displayName: typeof v["display-name"] === "string" ? v["display-name"] : v.username,
          password,
          ...scope,
          mustChangePassword: true,
        });
        await audit("user.create", user.id);
        if (ctx.json)
          println(
            ctx.stdout,
            JSON.stringify({ id: user.id, username: user.username, initialPassword: password }),
          );
        else
          println(
            ctx.stdout,
            t(
              ctx,
              `已创建 ${user.username}，初始密码 ${password}（首次登录须修改）`,
              `Created ${user.username}; initial password ${password} (must be changed at first login)`,
            ),
          );
        return 0;
      }
      if (verb === "list") {
        const users = await repo.listUsers();
        const rows = users.map((u) => ({
          username: u.username,
          role: u.role,
          unit: u.unitCode ?? u.agencyCode,
          disabled: u.disabled,
          locked: u.locked,
        }));
        if (ctx.json) println(ctx.stdout, JSON.stringify({ users: rows }));
        else
          for (const r of rows)
            println(
              ctx.stdout,
              `${r.username}\t${r.role}\t${r.unit ?? ""}${r.disabled ? "\tdisabled" : ""}${r.locked ? "\tlocked" : ""}`,
            );
        return 0;
      }
      if ((verb === "unlock" || verb === "disable") && name) {
        const user = await repo.userByName(name);
        if (!user) {
          println(ctx.stderr, t(ctx, `没有用户 ${name}`, `No user ${name}`));
          return 1;
        }
        if (verb === "unlock") await auth.unlock(user.id);
        else await auth.disable(user.id);
        await audit(`user.${verb}`, user.id);
        println(ctx.stdout, ctx.json ? JSON.stringify({ ok: true }) : t(ctx, "完成", "Done"));
        return 0;
      }
      println(ctx.stderr, `${t(ctx, "用法", "Usage")}: recur users ${usersCommand.usage}`);
      return 2;
    });
  },
};

/** `recur retention`: deletes personal data past the retention schedule. */
export const retentionCommand: Command = {
  name: "retention",
  summary: { zh: "按保留期限删除个人信息", en: "Delete personal data past its retention period" },
  usage:
    "[--caller-days N] [--narrative-days N] [--attachment-days N] [--audit-days N] [--now ISO-TIME] [--db PATH] [--json]",
  options: {
    db: { type: "string" },
    "caller-days": { type: "string" },
    "narrative-days": { type: "string" },
    "attachment-days": { type: "string" },
    "audit-days": { type: "string" },
    now: { type: "string" },
  },
  async run(args, ctx) {
    const v = args.values;
    const days = (value: unknown, fallback: number) => (typeof value === "string" ? Number(value) : fallback);
    const policy: RetentionPolicy = {
      callerDays: days(v["caller-days"], DEFAULT_RETENTION.callerDays),
      narrativeDays: days(v["narrative-days"], DEFAULT_RETENTION.narrativeDays),
      auditDays: days(v["audit-days"], DEFAULT_RETENTION.auditDays),
      ...(typeof v["attachment-days"] === "string" ? { attachmentDays: Number(v["attachment-days"]) } : {}),
    };
    const now = typeof v.now === "string" ? Date.parse(v.now) : wallClock.now();
    if (!Number.isFinite(now)) {
      println(ctx.stderr, t(ctx, "--now 须为 ISO 时间", "--now must be an ISO time"));
      return 2;
    }
    const cutoffs = retentionCutoffs(policy, now);
    const result = await withStore(v.db, ctx, async (store) => {
      const r = await applyRetention(store, cutoffs, now);
      await serverRepository(store).appendAudit({
        at: wallClock.now(),
        actor: cliActor(),
        role: null,
        ip: null,
        action: "retention.run",
        target: null,
        outcome: "ok",
        detail: {
          callersRemoved: r.callersRemoved,
          narrativesRemoved: r.narrativesRemoved,
          attachmentsRemoved: r.attachmentsRemoved,
        },
      });
      return r;
    });
    if (ctx.json) println(ctx.stdout, JSON.stringify({ ...result, cutoffs }));
    else
      println(
        ctx.stdout,
        t(
          ctx,
          `已删除 ${result.callersRemoved} 条警情的报警人关联，${result.narrativesRemoved} 条警情的案情文本，${result.attachmentsRemoved} 个案件附件`,
          `Removed the caller link of ${result.callersRemoved} incidents, the narrative of ${result.narrativesRemoved} and ${result.attachmentsRemoved} case attachments`,
        ),
      );
    return 0;
  },
};
