import type { Kysely } from "kysely";
import type { Store } from "./types.ts";

/** Tables of migration 0007_repeat_series. */
type RepeatTables = {
  repeat_series: {
    id: string;
    kind: string;
    grp: string;
    warning: string;
    location_level: string | null;
    location_key: string | null;
    caller_pseudonym: string | null;
    start_at: number;
    end_at: number;
    events: number;
    calls: number;
    protective: number;
    surprise: number;
    explanation_zh: string;
    explanation_en: string;
    computed_at: number;
  };
  repeat_series_calls: { series_id: string; source_id: string; position: number };
};

/** A series as stored (the engine's RepeatSeries, flattened, with its calls' source ids). */
export interface StoredSeries {
  readonly id: string;
  readonly kind: "place" | "caller" | "matter";
  readonly group: string;
  readonly warning: "blue" | "yellow" | "orange" | "red";
  readonly locationLevel: string | null;
  readonly locationKey: string | null;
  readonly callerPseudonym: string | null;
  readonly start: number;
  readonly end: number;
  readonly events: number;
  readonly protective: boolean;
  /** -log10 p of the surprise. */
  readonly surprise: number;
  readonly explanation: { readonly zh: string; readonly en: string };
  readonly incidents: readonly string[];
}

export interface RepeatSeriesRepository {
  /** Replaces every stored series with these, in one transaction. */
  replaceAll(series: readonly StoredSeries[], computedAt: number): Promise<void>;
  list(options?: { kind?: StoredSeries["kind"]; limit?: number }): Promise<StoredSeries[]>;
  /** Series that contain a call, by its source id. */
  ofCall(sourceId: string): Promise<StoredSeries[]>;
}

type Db = Kysely<RepeatTables>;

async function withCalls(db: Db, rows: RepeatTables["repeat_series"][]): Promise<StoredSeries[]> {
  if (rows.length === 0) return [];
  const calls = new Map<string, string[]>();
  for (let i = 0; i < rows.length; i += 500) {
    const ids = rows.slice(i, i + 500).map((r) => r.id);
    const found = await db
      .selectFrom("repeat_series_calls")
      .selectAll()
      .where("series_id", "in", ids)
      .orderBy("series_id")
      .orderBy("position")
      .execute();
    for (const c of found) {
      const list = calls.get(c.series_id);
      if (list) list.push(c.source_id);
      else calls.set(c.series_id, [c.source_id]);
    }
  }
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind as StoredSeries["kind"],
    group: r.grp,
    warning: r.warning as StoredSeries["warning"],
    locationLevel: r.location_level,
    locationKey: r.location_key,
    callerPseudonym: r.caller_pseudonym,
    start: Number(r.start_at),
    end: Number(r.end_at),
    events: Number(r.events),
    protective: Number(r.protective) === 1,
    surprise: Number(r.surprise),
    explanation: { zh: r.explanation_zh, en: r.explanation_en },
    incidents: calls.get(r.id) ?? [],
  }));
}

/**
 * Repeat series in the store (SQLite or PostgreSQL, same code).
 * @example
 * await repeatSeriesRepository(store).replaceAll(series, clock.now());
 */
export function repeatSeriesRepository(store: Store): RepeatSeriesRepository {
  const db = store.db.withTables<RepeatTables>() as unknown as Db;
  return {
    async replaceAll(series, computedAt) {
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom("repeat_series_calls").execute();
        await tx.deleteFrom("repeat_series").execute();
        for (let i = 0; i < series.length; i += 200) {
          const chunk = series.slice(i, i + 200);
          await tx
            .insertInto("repeat_series")
            .values(
              chunk.map((s) => ({
                id: s.id,
                kind: s.kind,
                grp: s.group,
                warning: s.warning,
                location_level: s.locationLevel,
                location_key: s.locationKey,
                caller_pseudonym: s.callerPseudonym,
                start_at: s.start,
                end_at: s.end,
                events: s.events,
                calls: s.incidents.length,
                protective: s.protective ? 1 : 0,
                surprise: s.surprise,
                explanation_zh: s.explanation.zh,
                explanation_en: s.explanation.en,
                computed_at: computedAt,
              })),
            )
            .execute();
          const calls = chunk.flatMap((s) =>
            s.incidents.map((sourceId, position) => ({ series_id: s.id, source_id: sourceId, position })),
          );
          for (let j = 0; j < calls.length; j += 500)
            await tx
              .insertInto("repeat_series_calls")
              .values(calls.slice(j, j + 500))
              .execute();
        }
      });
    },
    async list(options = {}) {
      let query = db.selectFrom("repeat_series").selectAll().orderBy("start_at").orderBy("id");
      if (options.kind) query = query.where("kind", "=", options.kind);
      if (options.limit) query = query.limit(options.limit);
      return withCalls(db, await query.execute());
    },
    async ofCall(sourceId) {
      const rows = await db
        .selectFrom("repeat_series")
        .selectAll()
        .where(
          "id",
          "in",
          db.selectFrom("repeat_series_calls").select("series_id").where("source_id", "=", sourceId),
        )
        .execute();
      return withCalls(db, rows);
    },
  };
}
