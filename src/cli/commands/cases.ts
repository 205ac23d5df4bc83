import { userInfo } from "node:os";
import { applyCase, overdueCases } from "../../cases/case.ts";
import { outcomeSummary, sweepVerifying } from "../../cases/sweep.ts";
import { asEpochMs, type Clock, type EpochMs } from "../../domain/index.ts";
import { controlCandidates, subjectHistory } from "../../server/outcomes.ts";
import { openStore } from "../../store/index.ts";
import { serverRepository } from "../../store/server-repository.ts";
import { type Command, println, t } from "../command.ts";
import { dbPathOption } from "../store-access.ts";

/**
 * `recur cases sweep`: the periodic job that verifies outcomes from the data (reopen on
 * recurrence, close effective or not when the window ends) and lists overdue cases.
 * `recur cases summary`: verified outcomes per unit and agency.
 */
export const casesCommand: Command = {
  name: "cases",
  summary: {
    zh: "案件：sweep 自动核验（复发重开、到期结案）、summary 各单位成效",
    en: "Cases: sweep verifies outcomes (reopen on recurrence, close when the window ends); summary per unit",
  },
  usage: "sweep|summary [--now ISO-TIME] [--db PATH] [--json]",
  options: { db: { type: "string" }, now: { type: "string" } },
  async run(args, ctx) {
    const verb = args.positionals[0];
    const now = typeof args.values.now === "string" ? Date.parse(args.values.now) : Date.now();
    if ((verb !== "sweep" && verb !== "summary") || !Number.isFinite(now)) {
      println(ctx.stderr, `${t(ctx, "用法", "Usage")}: recur cases ${casesCommand.usage}`);
      return 2;
    }
    const clock: Clock = { now: () => asEpochMs(now) as EpochMs };
    const databaseUrl = ctx.env.DATABASE_URL || undefined;
    const store = await openStore({
      path: dbPathOption(args.values.db, ctx),
      ...(databaseUrl ? { databaseUrl } : {}),
    });
    try {
      const repo = serverRepository(store);
      const all = await repo.listCases({ kind: "all" }, { limit: 1_000_000 });
      if (verb === "summary") {
        const rows = outcomeSummary(all, now);
        if (ctx.json) println(ctx.stdout, JSON.stringify({ rows }));
        else
          for (const r of rows)
            println(
              ctx.stdout,
              `${r.kind}:${r.assignee}\t${t(ctx, "在办", "open")} ${r.open}\t${t(ctx, "核验中", "verifying")} ${r.verifying}\t${t(ctx, "有效", "effective")} ${r.closedEffective}\t${t(ctx, "未见效", "not effective")} ${r.closedIneffective}\t${t(ctx, "超期", "overdue")} ${r.overdue}`,
            );
        return 0;
      }
      const verifying = all.filter((c) => c.state === "verifying");
      const histories = new Map(
        await Promise.all(verifying.map(async (c) => [c.id, await subjectHistory(store, c)] as const)),
      );
      const controls = new Map(
        await Promise.all(verifying.map(async (c) => [c.id, await controlCandidates(store, c)] as const)),
      );
      const changes = sweepVerifying(
        verifying,
        (c) => histories.get(c.id),
        (c) => controls.get(c.id) ?? [],
        { now },
      );
      let applied = 0;
      for (const change of changes) {
        const current = verifying.find((c) => c.id === change.caseId)!;
        const next = applyCase(current, change.version, change.command, "system:sweep", clock);
        if (await repo.updateCase(next, change.version)) {
          applied++;
          await repo.appendAudit({
            at: now,
            actor: `cli:${userInfo().username}`,
            role: null,
            ip: null,
            action: "case.sweep",
            target: next.id,
            outcome: "ok",
            detail: { action: change.command.action, verdict: change.outcome?.verdict ?? null },
          });
        }
      }
      const overdue = overdueCases(all, clock).map((c) => c.id);
      const result = {
        verifying: verifying.length,
        reopened: changes.filter((c) => c.command.action === "reopen").length,
        closedEffective: changes.filter((c) => c.command.action === "close_effective").length,
        closedIneffective: changes.filter((c) => c.command.action === "close_ineffective").length,
        applied,
        overdue,
      };
      if (ctx.json) println(ctx.stdout, JSON.stringify(result));
      else
        println(
          ctx.stdout,
          t(
            ctx,
            `核验中 ${result.verifying} 件：重新打开 ${result.reopened}，有效办结 ${result.closedEffective}，未见效办结 ${result.closedIneffective}；超期 ${overdue.length} 件`,
            `${result.verifying} verifying: ${result.reopened} reopened, ${result.closedEffective} closed effective, ${result.closedIneffective} closed not effective; ${overdue.length} overdue`,
          ),
        );
      return 0;
    } finally {
      await store.close();
    }
  },
};
