import type { Kysely, SelectQueryBuilder } from "kysely";
import { type BatchId, type Incident, type IncidentId, issueValue } from "../domain/index.ts";
import { rowToBatch, rowToIncident, rowToQuarantined } from "./rows.ts";
import type { Database, IncidentTable } from "./schema.ts";
import {
  type BatchRepository,
  type IncidentQuery,
  type IncidentRepository,
  LOCATION_KEY_COLUMNS,
  MASKED_TEXT_COLUMNS,
  MASKED_TEXT_FIELDS,
  type MaskedTextField,
  type QuarantineRepository,
  type Relocation,
  type SettingsRepository,
  type UnitLevel,
} from "./types.ts";

/**
 * Read-side repositories, written once in Kysely for both dialects. Writes of incidents go
 * through the dialect's BatchWriter (sqlite.ts, postgres.ts), the hot path of an import.
 */

const DEFAULT_PAGE = 5000;

const UNIT_COLUMN = {
  city: "city_unit",
  branch: "branch_unit",
  station: "station_unit",
  area: "area_unit",
} as const satisfies Record<UnitLevel, keyof IncidentTable>;

function filtered<O>(
  query: SelectQueryBuilder<Database, "incidents", O>,
  q: IncidentQuery,
): SelectQueryBuilder<Database, "incidents", O> {
  let out = query;
  if (q.sourceSystem !== undefined) out = out.where("source_system", "=", q.sourceSystem);
  if (q.batchId !== undefined) out = out.where("batch_id", "=", q.batchId);
  if (q.from !== undefined) out = out.where("received_at", ">=", q.from);
  if (q.to !== undefined) out = out.where("received_at", "<", q.to);
  if (q.place !== undefined) out = out.where(LOCATION_KEY_COLUMNS[q.place.level], "=", q.place.key);
  if (q.unit !== undefined) out = out.where(UNIT_COLUMN[q.unit.level], "=", q.unit.code);
  if (q.callerPseudonym !== undefined) out = out.where("caller_pseudonym", "=", q.callerPseudonym);
  if (q.category !== undefined) out = out.where("category", "=", q.category);
  return out;
}

export function incidentRepository(db: Kysely<Database>): IncidentRepository {
  return {
    async count(q = {}) {
      const row = await filtered(
        db.selectFrom("incidents").select((eb) => eb.fn.countAll().as("n")),
        q,
      ).executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async list(q = {}) {
      let query = filtered(db.selectFrom("incidents").selectAll(), q).orderBy("received_at").orderBy("id");
      if (q.limit !== undefined) query = query.limit(q.limit);
      // SQLite needs a LIMIT before OFFSET; "no limit" is written as the largest safe integer.
      if (q.offset !== undefined)
        query = (q.limit === undefined ? query.limit(Number.MAX_SAFE_INTEGER) : query).offset(q.offset);
      return (await query.execute()).map(rowToIncident);
    },
    async get(sourceSystem, sourceId) {
      const row = await db
        .selectFrom("incidents")
        .selectAll()
        .where("source_system", "=", sourceSystem)
        .where("source_id", "=", sourceId)
        .executeTakeFirst();
      return row && rowToIncident(row);
    },
    async getById(id: IncidentId) {
      const row = await db.selectFrom("incidents").selectAll().where("id", "=", id).executeTakeFirst();
      return row && rowToIncident(row);
    },
    async *scan(pageSize = DEFAULT_PAGE): AsyncIterable<readonly Incident[]> {
      // Keyset pagination on (received_at, id): each page is an index range scan, unlike OFFSET.
      let after: readonly [number, string] | undefined;
      for (;;) {
        let query = db
          .selectFrom("incidents")
          .selectAll()
          .orderBy("received_at")
          .orderBy("id")
          .limit(pageSize);
        if (after) {
          const [at, id] = after;
          query = query.where(({ eb, refTuple, tuple }) =>
            eb(refTuple("received_at", "id"), ">", tuple(at, id)),
          );
        }
        const rows = await query.execute();
        if (rows.length === 0) return;
        const page = rows.map(rowToIncident);
        const last = page[page.length - 1]!;
        after = [last.receivedAt, last.id];
        yield page;
        if (rows.length < pageSize) return;
      }
    },
    async relocate(changes) {
      if (changes.length === 0) return 0;
      return db.transaction().execute(async (trx) => {
        let updated = 0;
        for (const { id, location, addressComponents, texts } of changes) {
          const result = await trx
            .updateTable("incidents")
            .set({
              loc_poi: location.poi,
              loc_building: location.building,
              loc_unit: location.unit,
              loc_room: location.room,
              loc_road: location.road,
              loc_cross: location.cross,
              address_components: addressComponents,
              ...textColumns(texts),
            })
            .where("id", "=", id)
            .executeTakeFirst();
          updated += Number(result.numUpdatedRows);
        }
        await requoteQualityIssues(
          trx,
          changes.filter((c) => c.texts !== undefined && Object.keys(c.texts).length > 0),
        );
        return updated;
      });
    },
  };
}

/** The columns of the masked texts a relocation replaces. */
function textColumns(
  texts: Relocation["texts"],
): Partial<Record<(typeof MASKED_TEXT_COLUMNS)[MaskedTextField], string>> {
  const out: Partial<Record<(typeof MASKED_TEXT_COLUMNS)[MaskedTextField], string>> = {};
  if (texts === undefined) return out;
  for (const field of MASKED_TEXT_FIELDS) {
    const text = texts[field];
    if (text !== undefined) out[MASKED_TEXT_COLUMNS[field]] = text;
  }
  return out;
}

/**
 * The stored quality results (`recur quality`, quality-repository.ts) of incidents whose texts
 * were just masked quote those texts (`missing_address`, `outcome_mismatch` …: the issue's
 * `field` and `value`): each such value becomes the same quote of the masked text, so that no
 * copy of the unmasked text is left. Codes, scores and scorecard buckets stay: masking does not
 * change what was found.
 */
async function requoteQualityIssues(trx: Kysely<Database>, changes: readonly Relocation[]): Promise<void> {
  const db = trx.withTables<{ quality_results: { incident_id: string; issues: string } }>();
  for (let i = 0; i < changes.length; i += 500) {
    const part = changes.slice(i, i + 500);
    const texts = new Map(part.map((c) => [c.id as string, c.texts ?? {}]));
    const rows = await db
      .selectFrom("quality_results")
      .select(["incident_id", "issues"])
      .where("incident_id", "in", [...texts.keys()])
      .execute();
    for (const row of rows) {
      const masked = texts.get(row.incident_id) ?? {};
      const issues = JSON.parse(row.issues) as { field?: string; value?: string }[];
      let changed = false;
      for (const issue of issues) {
        const text = issue.value === undefined ? undefined : masked[issue.field as MaskedTextField];
        if (text === undefined) continue;
        const quoted = issueValue(text);
        if (quoted === issue.value) continue;
        issue.value = quoted;
        changed = true;
      }
      if (changed)
        await db
          .updateTable("quality_results")
          .set({ issues: JSON.stringify(issues) })
          .where("incident_id", "=", row.incident_id)
          .execute();
    }
  }
}

export function batchRepository(db: Kysely<Database>): BatchRepository {
  return {
    async list() {
      const rows = await db
        .selectFrom("import_batches")
        .selectAll()
        .orderBy("started_at")
        .orderBy("id")
        .execute();
      return rows.map(rowToBatch);
    },
    async get(id: BatchId) {
      const row = await db.selectFrom("import_batches").selectAll().where("id", "=", id).executeTakeFirst();
      return row && rowToBatch(row);
    },
  };
}

export function quarantineRepository(db: Kysely<Database>): QuarantineRepository {
  return {
    async list(batchId?: BatchId, limit?: number) {
      let query = db
        .selectFrom("quarantine")
        .select(["batch_id", "file", "row", "issues", "record_enc"])
        .orderBy("batch_id")
        .orderBy("row")
        .orderBy("id");
      if (batchId !== undefined) query = query.where("batch_id", "=", batchId);
      if (limit !== undefined) query = query.limit(limit);
      return (await query.execute()).map(rowToQuarantined);
    },
    async count(batchId?: BatchId) {
      let query = db.selectFrom("quarantine").select((eb) => eb.fn.countAll().as("n"));
      if (batchId !== undefined) query = query.where("batch_id", "=", batchId);
      return Number((await query.executeTakeFirstOrThrow()).n);
    },
  };
}

export function settingsRepository(db: Kysely<Database>): SettingsRepository {
  return {
    async get(key) {
      const row = await db.selectFrom("settings").select("value").where("key", "=", key).executeTakeFirst();
      return row?.value;
    },
    async set(key, value) {
      await db
        .insertInto("settings")
        .values({ key, value })
        .onConflict((oc) => oc.column("key").doUpdateSet({ value }))
        .execute();
    },
  };
}
