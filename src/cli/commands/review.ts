import {
  branchQueue,
  citySample,
  IllegalTransitionError,
  openReview,
  REVIEW_LEVELS,
  REVIEW_STATUSES,
  type ReviewCandidate,
  type ReviewEvent,
  type ReviewItem,
  type ReviewLevel,
  type ReviewStatus,
  reviewStats,
  STATUS_LABELS,
  stationSelfCheck,
} from "../../quality/index.ts";
import { qualityRepository } from "../../store/quality-repository.ts";
import type { Store } from "../../store/types.ts";
import { type Command, type CommandContext, println, t } from "../command.ts";
import { storeFrom } from "./quality.ts";

const ACTIONS = ["sample", "queue", "self-check", "list", "pass", "rework", "resubmit", "stats"] as const;
type Action = (typeof ACTIONS)[number];

function usageError(ctx: CommandContext, zh: string, en: string): number {
  if (ctx.json) println(ctx.stdout, JSON.stringify({ error: { code: "usage", message: t(ctx, zh, en) } }));
  else println(ctx.stderr, `${t(ctx, "用法错误", "Usage error")}: ${t(ctx, zh, en)}`);
  return 2;
}

/** Parses "2024-05-01" as the start of that local day in China (UTC+8) unless a zone is given. */
function dateMs(text: string | undefined): number | undefined | null {
  if (text === undefined) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - 8 * 3_600_000;
}

async function candidates(
  store: Store,
  from: number | undefined,
  to: number | undefined,
): Promise<ReviewCandidate[]> {
  const repo = qualityRepository(store);
  const out: ReviewCandidate[] = [];
  for await (const page of store.incidents.scan(10_000)) {
    for (const i of page) {
      if ((from !== undefined && i.receivedAt < from) || (to !== undefined && i.receivedAt >= to)) continue;
      out.push({
        incidentId: i.id,
        receivedAt: i.receivedAt,
        utcOffsetMin: i.utcOffsetMin,
        stationUnit: i.stationUnit,
        branchUnit: i.branchUnit,
        errors: 0,
      });
    }
  }
  // Rule errors from the last `recur quality` run, for queue order and self-checks.
  const errors = await repo.errorCounts();
  return out.map((c) => ({ ...c, errors: errors.get(c.incidentId) ?? 0 }));
}

function summary(item: ReviewItem, ctx: CommandContext): string {
  const last = item.events.at(-1);
  const reason = last?.kind === "rework" ? ` — ${last.reason}` : "";
  return `${item.id}\t${item.level}\t${item.station}\t${STATUS_LABELS[item.status][ctx.lang]}\t${t(ctx, "第", "round ")}${item.round}${t(ctx, "轮", "")}${reason}`;
}

export const reviewCommand: Command = {
  name: "review",
  summary: {
    zh: "三级复核：市局抽查、分局全量、派出所自查；通过或退回整改",
    en: "Three-level review: city sampling, branch full review, station self-check; pass or rework",
  },
  usage: [
    "sample --mode random|stratified (--rate 0.05 | --count N) --seed S [--from DATE] [--to DATE] [--reviewer UNIT]",
    "       queue --branch UNIT [--from DATE] [--to DATE]",
    "       self-check --station UNIT [--from DATE] [--to DATE]",
    "       list [--level city|branch|station] [--status pending|rework|passed] [--station UNIT] [--reviewer UNIT]",
    "       pass ID [--by NAME] [--note TEXT] | rework ID --reason TEXT [--by NAME] | resubmit ID [--by NAME] [--note TEXT]",
    "       stats    [--db PATH] [--json]",
  ].join("\n"),
  options: {
    db: { type: "string" },
    mode: { type: "string", default: "stratified" },
    rate: { type: "string" },
    count: { type: "string" },
    seed: { type: "string" },
    from: { type: "string" },
    to: { type: "string" },
    reviewer: { type: "string" },
    branch: { type: "string" },
    station: { type: "string" },
    level: { type: "string" },
    status: { type: "string" },
    by: { type: "string" },
    note: { type: "string" },
    reason: { type: "string" },
    limit: { type: "string", default: "100" },
  },
  async run(args, ctx) {
    const v = args.values;
    const [action, id] = args.positionals as [Action | undefined, string | undefined];
    if (!action || !ACTIONS.includes(action))
      return usageError(
        ctx,
        `子命令须为 ${ACTIONS.join("、")} 之一`,
        `the action must be one of ${ACTIONS.join(", ")}`,
      );
    const from = dateMs(typeof v.from === "string" ? v.from : undefined);
    const to = dateMs(typeof v.to === "string" ? v.to : undefined);
    if (from === null || to === null) return usageError(ctx, "日期格式为 YYYY-MM-DD", "dates are YYYY-MM-DD");
    const by = typeof v.by === "string" ? v.by : (ctx.env.USER ?? "cli");
    const now = Date.now();
    if (["pass", "rework", "resubmit"].includes(action) && !id)
      return usageError(ctx, "须给出复核项编号", "give the review item id");
    if (action === "rework" && (typeof v.reason !== "string" || v.reason.trim() === ""))
      return usageError(ctx, "退回整改须用 --reason 写明原因", "rework needs --reason");
    if (action === "sample") {
      const mode = v.mode;
      const rate = typeof v.rate === "string" ? Number(v.rate) : undefined;
      const count = typeof v.count === "string" ? Number(v.count) : undefined;
      const seed = typeof v.seed === "string" ? Number(v.seed) : Number.NaN;
      if (
        (mode !== "random" && mode !== "stratified") ||
        (rate === undefined) === (count === undefined) ||
        (rate !== undefined && !(rate > 0 && rate <= 1)) ||
        (count !== undefined && !(Number.isInteger(count) && count > 0)) ||
        !Number.isInteger(seed)
      )
        return usageError(
          ctx,
          "抽样须给出 --mode random|stratified、--rate (0,1] 或 --count N 之一、整数 --seed",
          "sampling needs --mode random|stratified, one of --rate (0,1] or --count N, and an integer --seed",
        );
    }
    if (action === "queue" && typeof v.branch !== "string")
      return usageError(ctx, "分局全量复核须给出 --branch", "a branch queue needs --branch");
    if (action === "self-check" && typeof v.station !== "string")
      return usageError(ctx, "派出所自查须给出 --station", "a self-check needs --station");
    if (typeof v.level === "string" && !REVIEW_LEVELS.includes(v.level as ReviewLevel))
      return usageError(ctx, "--level 取 city/branch/station", "--level is city, branch or station");
    if (typeof v.status === "string" && !REVIEW_STATUSES.includes(v.status as ReviewStatus))
      return usageError(ctx, "--status 取 pending/rework/passed", "--status is pending, rework or passed");

    const store = await storeFrom(v, ctx);
    const repo = qualityRepository(store);
    try {
      if (action === "sample" || action === "queue" || action === "self-check") {
        const all = await candidates(store, from, to);
        let chosen: ReviewCandidate[];
        let level: ReviewLevel;
        let reviewer: string;
        let sample: string | undefined;
        if (action === "sample") {
          const rate = typeof v.rate === "string" ? Number(v.rate) : undefined;
          const count = typeof v.count === "string" ? Number(v.count) : undefined;
          const seed = Number(v.seed);
          chosen = citySample(all, {
            mode: v.mode as "random" | "stratified",
            seed,
            ...(rate !== undefined ? { rate } : {}),
            ...(count !== undefined ? { count } : {}),
          });
          level = "city";
          reviewer = typeof v.reviewer === "string" ? v.reviewer : "city";
          sample = JSON.stringify({ mode: v.mode, rate, count, seed, from: v.from, to: v.to });
        } else if (action === "queue") {
          chosen = branchQueue(all, String(v.branch));
          level = "branch";
          reviewer = String(v.branch);
        } else {
          chosen = stationSelfCheck(all, String(v.station));
          level = "station";
          reviewer = String(v.station);
        }
        const items = chosen.map((c) =>
          openReview({
            id: `${level}:${c.incidentId}:${now}`,
            incidentId: c.incidentId,
            level,
            reviewer,
            station: c.stationUnit ?? "",
            at: now,
            by,
          }),
        );
        const added = await repo.openReviews(items, sample);
        if (ctx.json) println(ctx.stdout, JSON.stringify({ level, chosen: chosen.length, added }));
        else
          println(
            ctx.stdout,
            t(
              ctx,
              `选出 ${chosen.length} 条，新入复核队列 ${added} 条（已在队列中的跳过）`,
              `Selected ${chosen.length}, queued ${added} new review items (already open ones skipped)`,
            ),
          );
        return 0;
      }
      if (action === "list") {
        const items = await repo.listReviews({
          ...(typeof v.level === "string" ? { level: v.level as ReviewLevel } : {}),
          ...(typeof v.status === "string" ? { status: v.status as ReviewStatus } : {}),
          ...(typeof v.station === "string" ? { station: v.station } : {}),
          ...(typeof v.reviewer === "string" ? { reviewer: v.reviewer } : {}),
          limit: Number(v.limit),
        });
        if (ctx.json) println(ctx.stdout, JSON.stringify(items));
        else for (const item of items) println(ctx.stdout, summary(item, ctx));
        return 0;
      }
      if (action === "stats") {
        const items = await repo.listReviews({ limit: 1_000_000 });
        const out = reviewStats(items);
        if (ctx.json) println(ctx.stdout, JSON.stringify(out));
        else
          for (const s of out)
            println(
              ctx.stdout,
              t(
                ctx,
                `${s.level}: ${s.items} 项（待复核 ${s.pending}，整改中 ${s.rework}，已通过 ${s.passed}），一次通过率 ${s.passRate === null ? "-" : (s.passRate * 100).toFixed(1) + "%"}，周期中位数 ${s.medianTotalHours?.toFixed(1) ?? "-"} 小时，复核等待 ${s.medianReviewHours?.toFixed(1) ?? "-"} 小时，整改 ${s.medianReworkHours?.toFixed(1) ?? "-"} 小时`,
                `${s.level}: ${s.items} items (pending ${s.pending}, rework ${s.rework}, passed ${s.passed}), verdict pass rate ${s.passRate === null ? "-" : (s.passRate * 100).toFixed(1) + "%"}, median cycle ${s.medianTotalHours?.toFixed(1) ?? "-"} h, review wait ${s.medianReviewHours?.toFixed(1) ?? "-"} h, rework ${s.medianReworkHours?.toFixed(1) ?? "-"} h`,
              ),
            );
        return 0;
      }
      const note = typeof v.note === "string" ? { note: v.note } : {};
      const event: ReviewEvent =
        action === "pass"
          ? { kind: "pass", at: now, by, ...note }
          : action === "rework"
            ? { kind: "rework", at: now, by, reason: String(v.reason) }
            : { kind: "resubmitted", at: now, by, ...note };
      try {
        const item = await repo.appendEvent(id!, event);
        if (!item) {
          println(ctx.stderr, t(ctx, `没有复核项 ${id}`, `No review item ${id}`));
          return 1;
        }
        if (ctx.json) println(ctx.stdout, JSON.stringify(item));
        else println(ctx.stdout, summary(item, ctx));
        return 0;
      } catch (error) {
        if (error instanceof IllegalTransitionError) {
          if (ctx.json)
            println(
              ctx.stdout,
              JSON.stringify({ error: { code: error.code, message: error.messages[ctx.lang] } }),
            );
          else println(ctx.stderr, error.messages[ctx.lang]);
          return 1;
        }
        throw error;
      }
    } finally {
      await store.close();
    }
  },
};
