import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import {
  type Clock,
  ConfigError,
  type Incident,
  renderIssue,
  UNIT_LEVELS,
  type UnitLevel,
} from "../../domain/index.ts";
import {
  defectReport,
  incidentScore,
  modelJudge,
  type NarrativeJudge,
  PERIODS,
  type Period,
  QUALITY_MESSAGES,
  type QualityConfig,
  type QualityIssue,
  qualityConfig,
  qualityStream,
  ruleJudge,
  scorecardAccumulator,
  stationCentreAccumulator,
} from "../../quality/index.ts";
import { DEFAULT_DB_PATH, openStore, type Store } from "../../store/index.ts";
import { refreshExtraDays } from "../../store/indicator-rollups.ts";
import { qualityRepository } from "../../store/quality-repository.ts";
import { ruleClassifier, textPredictor } from "../../text/index.ts";
import { jiebaSegmenter } from "../../text/jieba.ts";
import { type Command, type CommandContext, println, t } from "../command.ts";
import { progressBar } from "../progress.ts";
import { loadStoredModel } from "./train.ts";

/** Settings key of the deployment's quality rule config (JSON). */
export const QUALITY_CONFIG_KEY = "quality-config";

/** Opens the store named by --db / DATABASE_URL. */
export async function storeFrom(
  values: Readonly<Record<string, unknown>>,
  ctx: CommandContext,
): Promise<Store> {
  const path =
    typeof values.db === "string" ? resolve(ctx.cwd, values.db) : resolve(ctx.cwd, DEFAULT_DB_PATH);
  return openStore({ path, ...(ctx.env.DATABASE_URL ? { databaseUrl: ctx.env.DATABASE_URL } : {}) });
}

/** The deployment's rule config: --config FILE, else the store setting, else the defaults. */
export async function configFrom(
  values: Readonly<Record<string, unknown>>,
  store: Store,
  ctx: CommandContext,
): Promise<QualityConfig> {
  let raw: string | undefined;
  if (typeof values.config === "string") {
    try {
      raw = await readFile(resolve(ctx.cwd, values.config), "utf8");
    } catch (error) {
      throw new ConfigError("config_unreadable", {
        zh: `无法读取配置文件 ${values.config}：${(error as Error).message}`,
        en: `Cannot read config file ${values.config}: ${(error as Error).message}`,
      });
    }
  } else raw = await store.settings.get(QUALITY_CONFIG_KEY);
  if (raw === undefined) return qualityConfig({});
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new ConfigError("config_not_json", {
      zh: `质量规则配置不是合法的 JSON：${(error as Error).message}`,
      en: `The quality rule config is not valid JSON: ${(error as Error).message}`,
    });
  }
  return qualityConfig(parsed);
}

/** The narrative judge: the stored trained model when there is one (and --model is not "none"), else rules. */
export async function judgeFrom(
  values: Readonly<Record<string, unknown>>,
  store: Store,
  config: QualityConfig,
): Promise<{
  judge: NarrativeJudge;
  judgeOf?: (incident: Incident) => NarrativeJudge | null;
  source: "rules" | "model";
}> {
  const rules = ruleJudge(ruleClassifier(), config);
  if (values.model === "none") return { judge: rules, source: "rules" };
  const category = await loadStoredModel(store, "category");
  const department = await loadStoredModel(store, "department");
  if (!category && !department) return { judge: rules, source: "rules" };
  const segmenter = jiebaSegmenter();
  const model = modelJudge(
    {
      ...(category ? { category: textPredictor(category, segmenter) } : {}),
      ...(department ? { department: textPredictor(department, segmenter) } : {}),
    },
    rules,
    config,
  );
  // A model has memorised the labels it learned from: it judges only incidents after them.
  const until = Math.max(
    category?.trainedUntil ?? Number.NEGATIVE_INFINITY,
    department?.trainedUntil ?? Number.NEGATIVE_INFINITY,
  );
  return {
    judge: model,
    judgeOf: (incident) => (incident.receivedAt <= until ? rules : model),
    source: "model",
  };
}

const systemClock: Clock = { now: () => Date.now() as ReturnType<Clock["now"]> };

/** First pass: the median point of each station, from coordinates alone (bounded memory). */
async function centresOf(
  repo: ReturnType<typeof qualityRepository>,
  minPoints: number,
): Promise<Map<string, readonly [number, number]>> {
  const acc = stationCentreAccumulator();
  for await (const page of repo.stationPoints()) acc.add(page);
  return acc.result(minPoints);
}

interface TruthFile {
  readonly defects: readonly { readonly incident: string; readonly code: string }[];
}

async function readTruth(path: string, ctx: CommandContext): Promise<TruthFile> {
  try {
    const value = JSON.parse(await readFile(resolve(ctx.cwd, path), "utf8")) as unknown;
    if (typeof value === "object" && value !== null && Array.isArray((value as TruthFile).defects))
      return value as TruthFile;
  } catch {
    // reported below
  }
  throw new ConfigError("bad_truth", {
    zh: `${path} 不是含 defects 的真值文件`,
    en: `${path} is not a truth file with defects`,
  });
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export const qualityCommand: Command = {
  name: "quality",
  summary: {
    zh: "警情数据质量检查：六要素、及时性、一致性、标签，按单位出成绩单",
    en: "Data-quality check (six elements, timeliness, consistency, labels) with unit scorecards",
  },
  usage:
    "[--db PATH] [--config RULES.json] [--level station|branch|city] [--period week|month] [--model store|none] [--truth FILE.truth.json] [--issues N] [--no-save] [--limit N] [--json]",
  options: {
    db: { type: "string" },
    config: { type: "string" },
    level: { type: "string", default: "station" },
    period: { type: "string" },
    model: { type: "string", default: "store" },
    truth: { type: "string" },
    issues: { type: "string", default: "0" },
    "no-save": { type: "boolean", default: false },
    limit: { type: "string" },
  },
  async run(args, ctx) {
    const v = args.values;
    const level = String(v.level) as UnitLevel;
    const period = v.period === undefined ? null : (String(v.period) as Period);
    const showIssues = Number(v.issues);
    const limit = v.limit === undefined ? undefined : Number(v.limit);
    if (
      !UNIT_LEVELS.includes(level) ||
      (period !== null && !PERIODS.includes(period)) ||
      !Number.isInteger(showIssues) ||
      (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) ||
      (v.model !== "store" && v.model !== "none")
    ) {
      println(
        ctx.stderr,
        t(
          ctx,
          "--level 取 station/branch/city，--period 取 week/month，--model 取 store/none，--issues 与 --limit 为整数",
          "--level is station/branch/city, --period week/month, --model store/none, --issues and --limit integers",
        ),
      );
      return 2;
    }
    const store = await storeFrom(v, ctx);
    try {
      const config = await configFrom(v, store, ctx);
      const { judge, judgeOf, source } = await judgeFrom(v, store, config);
      const repo = qualityRepository(store);
      const file = typeof v.truth === "string" ? await readTruth(v.truth, ctx) : undefined;
      const started = performance.now();
      // Streamed in pages: memory holds one page, the station centres and the scorecards.
      const stationCentres = config.jurisdiction.bbox
        ? new Map<string, readonly [number, number]>()
        : await centresOf(repo, config.jurisdiction.minStationPoints);
      const stream = qualityStream({
        config,
        clock: systemClock,
        judge,
        stationCentres,
        ...(judgeOf ? { judgeOf } : {}),
      });
      const cardsAcc = scorecardAccumulator({ level, period, verdicts: await repo.verdicts() });
      const byCode = new Map<string, number>();
      const found = new Map<string, string[]>();
      const wrong = new Set(
        file?.defects.filter((d) => d.code === "wrong_category").map((d) => d.incident) ?? [],
      );
      let judged = 0;
      let right = 0;
      let count = 0;
      let scoreSum = 0;
      const examples: { sourceId: string; issues: QualityIssue[] }[] = [];
      const total = await store.incidents.count();
      const bar = progressBar(ctx.stderr, t(ctx, "检查", "Checking"), limit ?? total, !ctx.json);
      for await (const fullPage of store.incidents.scan(10_000)) {
        const page =
          limit !== undefined && count + fullPage.length > limit
            ? fullPage.slice(0, limit - count)
            : fullPage;
        const issues = stream.push(page);
        const scores = issues.map((list) => incidentScore(list).score);
        if (!v["no-save"])
          await repo.saveResults(
            page.map((incident, i) => ({ incidentId: incident.id, score: scores[i]!, issues: issues[i]! })),
            systemClock.now(),
          );
        cardsAcc.add(page.map((incident, i) => ({ incident, issues: issues[i]! })));
        page.forEach((incident, i) => {
          const list = issues[i]!;
          scoreSum += scores[i]!;
          for (const issue of list) byCode.set(issue.code, (byCode.get(issue.code) ?? 0) + 1);
          if (list.length > 0 && examples.length < showIssues)
            examples.push({ sourceId: incident.sourceId, issues: list });
          if (!file) return;
          if (list.length > 0)
            found.set(
              incident.sourceId,
              list.map((x) => x.code),
            );
          // Category accuracy on the narratives whose recorded label is not a planted error.
          if (wrong.has(incident.sourceId) || !incident.narrative) return;
          judged++;
          const j = judgeOf?.(incident) ?? judge;
          if (j.category(incident.narrative).value?.category === incident.category) right++;
        });
        count += page.length;
        bar.update(count);
        if (limit !== undefined && count >= limit) break;
      }
      bar.done();
      // The daily quality totals of the indicators are remade now, not by the next report.
      if (!v["no-save"]) await refreshExtraDays(store, "quality");
      const seconds = (performance.now() - started) / 1000;
      const cards = cardsAcc.result();
      const meanScore = count === 0 ? null : Math.round((scoreSum / count) * 10) / 10;
      const truth = file ? defectReport(found, file.defects) : undefined;
      const classification = file ? { accuracy: judged === 0 ? 0 : right / judged, judged } : undefined;

      if (ctx.json) {
        println(
          ctx.stdout,
          JSON.stringify({
            incidents: count,
            seconds,
            classifier: source,
            meanScore,
            issues: Object.fromEntries([...byCode].sort((a, b) => b[1] - a[1])),
            scorecards: cards,
            ...(truth ? { truth: { overall: truth.overall, perCode: truth.perCode } } : {}),
            ...(classification ? { classification } : {}),
            ...(showIssues > 0 ? { examples } : {}),
          }),
        );
        return 0;
      }
      println(
        ctx.stdout,
        t(
          ctx,
          `检查 ${count} 条警情，用时 ${seconds.toFixed(1)} 秒（案情分类：${source === "model" ? "训练模型" : "关键词规则"}），平均质量分 ${meanScore ?? "-"}`,
          `Checked ${count} incidents in ${seconds.toFixed(1)} s (narratives: ${source === "model" ? "trained model" : "keyword rules"}), mean score ${meanScore ?? "-"}`,
        ),
      );
      for (const [code, n] of [...byCode].sort((a, b) => b[1] - a[1]))
        println(ctx.stdout, `  ${code.padEnd(24)} ${String(n).padStart(8)}`);
      println(ctx.stdout);
      println(
        ctx.stdout,
        t(
          ctx,
          "单位\t期间\t警情\t均分\t完整\t及时\t一致\t标签准确\t复核通过\t环比",
          "unit\tperiod\tcalls\tscore\tcomplete\ttimely\tconsistent\tlabels\treview pass\tchange",
        ),
      );
      for (const c of cards)
        println(
          ctx.stdout,
          [
            c.unit || "-",
            c.period,
            c.incidents,
            c.meanScore,
            pct(c.completeness),
            pct(c.timeliness),
            pct(c.consistency),
            pct(c.labelAccuracy),
            c.reviewPassRate === null ? "-" : pct(c.reviewPassRate),
            c.change === null ? "" : c.change > 0 ? `+${c.change}` : String(c.change),
          ].join("\t"),
        );
      if (truth) {
        println(ctx.stdout);
        println(
          ctx.stdout,
          t(
            ctx,
            `对照真值：精确率 ${pct(truth.overall.precision)}，召回率 ${pct(truth.overall.recall)}`,
            `Against the truth: precision ${pct(truth.overall.precision)}, recall ${pct(truth.overall.recall)}`,
          ),
        );
        for (const s of truth.perCode)
          println(
            ctx.stdout,
            `  ${s.code.padEnd(24)} P ${pct(s.precision)}  R ${pct(s.recall)}  (tp ${s.truePositives}, fp ${s.falsePositives}, fn ${s.falseNegatives})`,
          );
      }
      if (classification)
        println(
          ctx.stdout,
          t(
            ctx,
            `案情分类与登记类别一致率：${pct(classification.accuracy)}（${classification.judged} 条）`,
            `Narrative category accuracy: ${pct(classification.accuracy)} (${classification.judged} narratives)`,
          ),
        );
      if (showIssues > 0) {
        println(ctx.stdout);
        let shown = 0;
        for (const example of examples)
          for (const issue of example.issues) {
            if (shown >= showIssues) break;
            shown++;
            println(ctx.stdout, `${example.sourceId}: ${renderIssue(issue, QUALITY_MESSAGES, ctx.lang)}`);
          }
      }
      return 0;
    } finally {
      await store.close();
    }
  },
};
