import { isAbsolute, resolve } from "node:path";
import { ColumnsBuilder, newDictionaries } from "../../repeat/columns.ts";
import type { RepeatSeries } from "../../repeat/engine.ts";
import { RepeatIndex } from "../../repeat/engine.ts";
import { explainSeries } from "../../repeat/explain.ts";
import { DEFAULT_OPTIONS } from "../../repeat/options.ts";
import { DEFAULT_DB_PATH, openStore } from "../../store/index.ts";
import { refreshExtraDays } from "../../store/indicator-rollups.ts";
import { repeatSeriesRepository, type StoredSeries } from "../../store/repeat-repository.ts";
import type { CommandContext } from "../command.ts";
import { progressBar } from "../progress.ts";

/**
 * Shared by `recur detect` and `recur series`: load every incident of the store into the engine;
 * with `save`, store the series found (repeat_series), replacing the previous run's.
 */
export async function detectFromStore(
  db: unknown,
  ctx: CommandContext,
  save = false,
): Promise<{ index: RepeatIndex; loadSeconds: number; detectSeconds: number; incidents: number }> {
  const path =
    typeof db === "string" ? (isAbsolute(db) ? db : resolve(ctx.cwd, db)) : resolve(ctx.cwd, DEFAULT_DB_PATH);
  const databaseUrl = ctx.env.DATABASE_URL;
  const store = await openStore(databaseUrl ? { path, databaseUrl } : { path });
  try {
    const total = await store.incidents.count();
    const bar = progressBar(
      ctx.stderr,
      ctx.lang === "zh" ? "读取警情" : "Reading incidents",
      total,
      !ctx.json,
    );
    const t0 = performance.now();
    // Straight into columns: no array of incident objects is kept.
    const builder = new ColumnsBuilder(newDictionaries(), DEFAULT_OPTIONS.exclusions, Math.max(1024, total));
    for await (const page of store.incidents.scan(20_000)) {
      for (const incident of page) builder.push(incident);
      bar.update(builder.length);
    }
    bar.done();
    const t1 = performance.now();
    const index = RepeatIndex.fromColumns(builder.columns(), {}, builder);
    const t2 = performance.now();
    if (save) {
      const rows: StoredSeries[] = index.allSeries().map((s) => ({
        id: s.id,
        kind: s.kind,
        group: s.group,
        warning: s.warning,
        locationLevel: s.locationLevel,
        locationKey: s.locationKey,
        callerPseudonym: s.callerPseudonym,
        start: s.start,
        end: s.end,
        events: s.events.length,
        protective: s.protective,
        surprise: s.surprise.score,
        explanation: explainSeries(index, s),
        incidents: index.sourceIdsOf(s),
      }));
      await repeatSeriesRepository(store).replaceAll(rows, Date.now());
      // The daily repeat totals of the indicators are remade now, not by the next report.
      await refreshExtraDays(store, "repeat");
    }
    return {
      index,
      incidents: builder.length,
      loadSeconds: (t1 - t0) / 1000,
      detectSeconds: (t2 - t1) / 1000,
    };
  } finally {
    await store.close();
  }
}

/** The JSON form of a series for scripts and the API. */
export function seriesJson(index: RepeatIndex, s: RepeatSeries, lang: "zh" | "en") {
  return {
    id: s.id,
    kind: s.kind,
    level: s.warning,
    group: s.group,
    locationLevel: s.locationLevel,
    locationKey: s.locationKey,
    callerPseudonym: s.callerPseudonym,
    protective: s.protective,
    start: new Date(s.start).toISOString(),
    end: new Date(s.end).toISOString(),
    events: s.events.length,
    incidents: index.sourceIdsOf(s),
    escalation: {
      severity: s.escalation.severity,
      steps: s.escalation.steps,
      frequency: s.escalation.frequency,
    },
    surprise: {
      observed: s.surprise.observed,
      expected: Number(s.surprise.expected.toFixed(3)),
      pValue: s.surprise.pValue,
      score: Number(s.surprise.score.toFixed(2)),
    },
    explanation: explainSeries(index, s)[lang],
  };
}
