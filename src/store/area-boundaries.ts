import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import {
  type AreaBoundaries,
  type AreaBoundaryCounts,
  type AreaBoundaryIssueCode,
  areaBoundaryCounts,
  restoreAreaBoundaries,
} from "../address/boundaries.ts";
import { type Datum, type Jurisdictions, jurisdictions } from "../address/geo.ts";
import type { Issue } from "../domain/issues.ts";
import type { Database } from "./schema.ts";
import type { Store } from "./types.ts";

/**
 * The deployment's community police area boundaries (警务区边界, src/address/boundaries.ts), kept in
 * the store so that every import (`recur import`, the dashboard's wizard, POST /api/v1/incidents)
 * gives a call whose export names no area the one its coordinates fall in, and the dashboard's map
 * outlines them. `recur areas set FILE` and the rules page replace them (docs/address.md,
 * "Coordinates").
 *
 * Two settings, written together in one transaction: the GeoJSON (WGS-84, several MB for a city)
 * and a small summary (digest, counts, datum), so that a page showing the counts or a request
 * checking whether its cached index is current reads a few hundred bytes, not the boundaries.
 */

/** The settings key of the stored boundaries (JSON `AreaBoundaries`). */
export const AREA_BOUNDARIES_SETTING = "area_boundaries";
/** The settings key of their summary (JSON `AreaBoundariesInfo`). */
export const AREA_BOUNDARIES_INFO_SETTING = "area_boundaries_info";

/** What the store's boundaries are, without their geometry. */
export interface AreaBoundariesInfo extends AreaBoundaryCounts {
  /** Changes whenever the boundaries change (first 16 hex digits of the SHA-256 of the stored JSON). */
  readonly digest: string;
  readonly idProperty: string;
  /** The datum of the file they were saved from (they are stored in WGS-84). */
  readonly sourceDatum: Datum;
  /** Size of the stored JSON. */
  readonly bytes: number;
  /** When they were saved (epoch ms), as the caller's clock said. */
  readonly savedAt: number;
}

export type SaveAreaBoundariesResult =
  | {
      readonly ok: true;
      readonly info: AreaBoundariesInfo;
      /** Warnings (an unknown area code, a ring closed). */
      readonly issues: Issue<AreaBoundaryIssueCode>[];
      /** False when the store held the same boundaries already. */
      readonly changed: boolean;
    }
  | { readonly ok: false; readonly issues: Issue<AreaBoundaryIssueCode>[]; readonly errors: number };

export interface SaveAreaBoundariesOptions {
  readonly idProperty?: string;
  readonly datum?: Datum;
  /** The size of the file's text, when it was read as text (the limit is checked before parsing it further). */
  readonly bytes?: number;
  /** Now, epoch ms (the caller's clock). */
  readonly at: number;
}

type SettingsTable = { settings: { key: string; value: string } };
const settingsOf = (db: Kysely<Database> | Kysely<SettingsTable>) => db as unknown as Kysely<SettingsTable>;

/**
 * Codes of the community police areas the store knows: the unit registry's areas and the areas of
 * its incidents. Empty when it knows none (a new store): then no code is warned about.
 */
export async function knownAreaCodes(store: Store): Promise<Set<string>> {
  const db = store.db.withTables<{ units: { code: string; level: string } }>() as unknown as Kysely<{
    units: { code: string; level: string };
    incidents: { area_unit: string | null };
  }>;
  const [units, incidents] = await Promise.all([
    db.selectFrom("units").select("code").where("level", "=", "area").execute(),
    // Read from the (area_unit, received_at, id) index of migration 0009.
    db.selectFrom("incidents").select("area_unit").distinct().where("area_unit", "is not", null).execute(),
  ]);
  return new Set([...units.map((u) => u.code), ...incidents.map((i) => i.area_unit!)]);
}

/** The summary of the store's boundaries, undefined when it has none. */
export async function areaBoundariesInfo(store: Store): Promise<AreaBoundariesInfo | undefined> {
  const json = await store.settings.get(AREA_BOUNDARIES_INFO_SETTING);
  if (!json) return undefined;
  try {
    return JSON.parse(json) as AreaBoundariesInfo;
  } catch {
    return undefined;
  }
}

/**
 * The store's boundaries, undefined when it has none. A setting that no longer reads as valid
 * boundaries (written by hand) counts as none rather than failing every import.
 */
export async function loadAreaBoundaries(store: Store): Promise<AreaBoundaries | undefined> {
  const json = await store.settings.get(AREA_BOUNDARIES_SETTING);
  if (!json) return undefined;
  try {
    const stored = JSON.parse(json) as AreaBoundaries;
    const restored = restoreAreaBoundaries(
      { type: "FeatureCollection", features: stored.features },
      { idProperty: stored.idProperty },
    );
    return restored.ok ? { ...restored.boundaries, sourceDatum: stored.sourceDatum } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks `json` (a GeoJSON FeatureCollection) and makes it the store's boundaries, converted to
 * WGS-84. Errors: nothing is saved and they are returned; warnings (a code the store does not know
 * as an area) are returned with the saved summary.
 * @example await saveAreaBoundaries(store, JSON.parse(text), { idProperty: "code", datum: "gcj02", bytes: text.length, at: Date.now() })
 */
export async function saveAreaBoundaries(
  store: Store,
  json: unknown,
  options: SaveAreaBoundariesOptions,
): Promise<SaveAreaBoundariesResult> {
  const restored = restoreAreaBoundaries(json, {
    ...(options.idProperty !== undefined ? { idProperty: options.idProperty } : {}),
    ...(options.datum !== undefined ? { datum: options.datum } : {}),
    ...(options.bytes !== undefined ? { bytes: options.bytes } : {}),
    knownAreas: await knownAreaCodes(store),
  });
  if (!restored.ok) return restored;
  const text = JSON.stringify(restored.boundaries);
  const digest = digestOf(text);
  const before = await areaBoundariesInfo(store);
  const info: AreaBoundariesInfo = {
    digest,
    idProperty: restored.boundaries.idProperty,
    sourceDatum: restored.boundaries.sourceDatum,
    ...areaBoundaryCounts(restored.boundaries),
    bytes: Buffer.byteLength(text),
    savedAt: options.at,
  };
  const changed = before?.digest !== digest;
  if (changed)
    await store.db.transaction().execute(async (trx) => {
      const db = settingsOf(trx);
      for (const [key, value] of [
        [AREA_BOUNDARIES_SETTING, text],
        [AREA_BOUNDARIES_INFO_SETTING, JSON.stringify(info)],
      ] as const)
        await db
          .insertInto("settings")
          .values({ key, value })
          .onConflict((oc) => oc.column("key").doUpdateSet({ value }))
          .execute();
    });
  return { ok: true, info: changed ? info : before!, issues: restored.issues, changed };
}

/** Removes the store's boundaries; false when it had none. */
export async function clearAreaBoundaries(store: Store): Promise<boolean> {
  const had = (await areaBoundariesInfo(store)) !== undefined;
  await settingsOf(store.db)
    .deleteFrom("settings")
    .where("key", "in", [AREA_BOUNDARIES_SETTING, AREA_BOUNDARIES_INFO_SETTING])
    .execute();
  return had;
}

/** The digest of the stored JSON: the summary's, so that a cache can tell whether it is current. */
function digestOf(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/**
 * The store's boundaries indexed for point-in-polygon, undefined when it has none, without keeping
 * the GeoJSON: for an import thread, whose capped heap would otherwise mark the boundaries'
 * hundreds of thousands of position arrays at every full collection (the index keeps its
 * coordinates in typed arrays), and without checking them again (each check copies them).
 */
export async function loadJurisdictions(store: Store): Promise<Jurisdictions | undefined> {
  const json = await store.settings.get(AREA_BOUNDARIES_SETTING);
  if (!json) return undefined;
  try {
    // Indexed as parsed, without the copies `loadAreaBoundaries` checks them through: they were
    // checked when saved, and `jurisdictions` skips a feature it cannot read (a setting edited by hand).
    const stored = JSON.parse(json) as Partial<AreaBoundaries>;
    const index = jurisdictions({ features: stored.features ?? [] }, stored.idProperty);
    return index.size > 0 ? index : undefined;
  } catch {
    return undefined;
  }
}

const indexes = new WeakMap<Store, { digest: string; index: Promise<StoreJurisdictions | undefined> }>();

/** The store's boundaries, indexed for `locate`, with their summary. */
export interface StoreJurisdictions {
  readonly info: AreaBoundariesInfo;
  readonly boundaries: AreaBoundaries;
  readonly jurisdictions: Jurisdictions;
}

/**
 * The store's boundaries indexed for point-in-polygon (geo.ts `jurisdictions`), undefined when it
 * has none. Kept per store while their digest stays the same, so that a request (an incident
 * posted over the API, an import in the server) reads only the small summary.
 */
export async function storeJurisdictions(store: Store): Promise<StoreJurisdictions | undefined> {
  const info = await areaBoundariesInfo(store);
  if (!info) {
    indexes.delete(store);
    return undefined;
  }
  const cached = indexes.get(store);
  if (cached?.digest === info.digest) return cached.index;
  const index = loadAreaBoundaries(store).then((boundaries) =>
    boundaries
      ? { info, boundaries, jurisdictions: jurisdictions(boundaries, boundaries.idProperty) }
      : undefined,
  );
  indexes.set(store, { digest: info.digest, index });
  // A failed read is not kept: the next request tries again.
  index.catch(() => {
    if (indexes.get(store)?.index === index) indexes.delete(store);
  });
  return index;
}
