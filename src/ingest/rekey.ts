import {
  type AddressLocatorOptions,
  createAddressLocator,
  type FullAddressLocator,
  type PlaceDictionary,
} from "../address/index.ts";
import {
  type AddressComponentsJson,
  addressComponentsJson,
  type Incident,
  LOCATION_LEVELS,
  type LocationKeys,
  type LocationLevel,
} from "../domain/index.ts";
import { recordAddressRules } from "../store/address-rules.ts";
import { loadPlaceDictionary, savePlaceDictionary } from "../store/place-dictionary.ts";
import { profileRepository } from "../store/profile-repository.ts";
import type { Batch, Relocation, Store } from "../store/types.ts";
import { loadProfile, parseProfile } from "./profile/load.ts";

/**
 * Rekeying a store: the location keys and address components of every stored incident derived
 * again from its address with today's rules, and written where they changed. Keys are a function
 * of the address text and the rules (docs/address.md), so after an upgrade that changed the rules,
 * calls imported before and after it would otherwise key the same door apart. `recur address
 * rekey` and the dashboard's rules page both run it.
 */

/** What a rekey found: incidents read, with an address, changed, and changes per key level. */
export interface RekeyCounts {
  readonly incidents: number;
  readonly withAddress: number;
  readonly changed: number;
  readonly componentsChanged: number;
  readonly levels: Readonly<Record<LocationLevel, number>>;
  readonly dryRun: boolean;
}

export interface RekeyOptions {
  /**
   * The model the imports use (`recur import --model`); the region comes from `regionOf`, the place
   * dictionary is the store's (src/store/place-dictionary.ts), as for every import.
   */
  readonly locator?: Omit<AddressLocatorOptions, "region" | "datum" | "dictionary">;
  /**
   * A place dictionary to key with instead of the store's; unless `dryRun` it becomes the store's
   * first (src/store/place-dictionary.ts), so that later imports key as the rekey did.
   */
  readonly dictionary?: PlaceDictionary;
  /**
   * The region of the addresses of one import batch (its profile's), null when it has none.
   * Asked once per batch, before any incident is read.
   */
  readonly regionOf: (batch: Batch) => Promise<string | null>;
  /** The region of incidents whose batch is not in the store's list (none by default). */
  readonly defaultRegion?: string | null;
  /** Count only: nothing is written and the store's rules mark stays as it is. */
  readonly dryRun?: boolean;
  /** Called after each page with the counts so far (progress bars, the dashboard's job). */
  readonly onProgress?: (counts: RekeyCounts) => void;
}

/**
 * The region of the addresses a batch was imported with, from the label of its profile: a bundled
 * name or a file path (`recur import`, relative to `cwd`), `saved:<name>` (a profile saved in the
 * dashboard), or undefined when the profile cannot be read now (a wizard's draft, a file gone),
 * which the caller reports.
 * @example await importProfileRegion(store, "synthetic") // null: the bundled profile names no region
 */
export async function importProfileRegion(
  store: Store,
  label: string,
  cwd = process.cwd(),
): Promise<string | null | undefined> {
  try {
    if (label.startsWith("draft:")) return undefined;
    if (label.startsWith("saved:")) {
      const saved = await profileRepository(store).byName(label.slice("saved:".length));
      return saved ? (parseProfile(JSON.parse(saved.json), saved.name).region ?? null) : undefined;
    }
    return (await loadProfile(label, cwd)).region ?? null;
  } catch {
    return undefined;
  }
}

/**
 * The deployment's region as its imports have it: the region of the newest import whose profile
 * names one (each profile read once), or null.
 * @example await latestImportRegion(store) // "浙江省杭州市"
 */
export async function latestImportRegion(store: Store, cwd = process.cwd()): Promise<string | null> {
  const batches = (await store.batches.list()).sort((a, b) => b.startedAt - a.startedAt);
  const seen = new Set<string>();
  for (const batch of batches) {
    if (seen.has(batch.profile)) continue;
    seen.add(batch.profile);
    const region = await importProfileRegion(store, batch.profile, cwd);
    if (region) return region;
  }
  return null;
}

/** Incidents read and updated per transaction. */
const PAGE = 5000;
/** Distinct addresses remembered per region (cleared when full: memory stays bounded). */
const MEMO_LIMIT = 100_000;

function sameKeys(a: LocationKeys, b: LocationKeys): boolean {
  return LOCATION_LEVELS.every((level) => (a[level] ?? null) === (b[level] ?? null));
}

interface Located {
  readonly keys: LocationKeys;
  readonly components: AddressComponentsJson | null;
}

/**
 * The new keys and components of an incident, or null when they are what is stored.
 * @example relocation(incident, { keys: incident.location, components: incident.addressComponents ?? null }) // null
 */
export function relocation(incident: Incident, located: Located): Relocation | null {
  const stored = incident.addressComponents ?? null;
  if (sameKeys(incident.location, located.keys) && stored === located.components) return null;
  return { id: incident.id, location: located.keys, addressComponents: located.components };
}

/** A locator per region, with a bounded memo of the addresses it has analysed. */
class Locators {
  readonly #byRegion = new Map<string, { locator: FullAddressLocator; memo: Map<string, Located> }>();
  constructor(readonly options: Omit<AddressLocatorOptions, "region" | "datum">) {}
  located(region: string | null, address: string): Located {
    const key = region ?? "";
    let entry = this.#byRegion.get(key);
    if (!entry) {
      entry = { locator: createAddressLocator({ ...this.options, region, datum: "wgs84" }), memo: new Map() };
      this.#byRegion.set(key, entry);
    }
    let out = entry.memo.get(address);
    if (!out) {
      // The same analysis as the import's (src/ingest/pipeline.ts): the keys, and the components when any.
      const a = entry.locator.analyse(address);
      out = { keys: a.keys, components: a.entities.length > 0 ? addressComponentsJson(a.entities) : null };
      if (entry.memo.size >= MEMO_LIMIT) entry.memo.clear();
      entry.memo.set(address, out);
    }
    return out;
  }
}

/**
 * Parses every stored address again, as an import would today (with the store's place dictionary),
 * and updates the incidents whose keys or components changed, a page of 5,000 at a time, each page in one transaction. Nothing but
 * the keys and components is written. Unless `dryRun`, the store then records today's rules, so
 * later imports no longer say the keys are stale (src/store/address-rules.ts).
 * @example await rekeyStore(store, { regionOf: async () => "浙江省杭州市" })
 */
export async function rekeyStore(store: Store, options: RekeyOptions): Promise<RekeyCounts> {
  const dryRun = options.dryRun === true;
  const regionOfBatch = new Map<string, string | null>();
  for (const batch of await store.batches.list()) regionOfBatch.set(batch.id, await options.regionOf(batch));

  const fallback = options.defaultRegion ?? null;
  if (options.dictionary && !dryRun) await savePlaceDictionary(store, options.dictionary);
  const dictionary = options.dictionary ?? (await loadPlaceDictionary(store));
  const locators = new Locators({ ...options.locator, dictionary });
  const levels = Object.fromEntries(LOCATION_LEVELS.map((level) => [level, 0])) as Record<
    LocationLevel,
    number
  >;
  let incidents = 0;
  let withAddress = 0;
  let changed = 0;
  let componentsChanged = 0;
  const counts = (): RekeyCounts => ({
    incidents,
    withAddress,
    changed,
    componentsChanged,
    levels: { ...levels },
    dryRun,
  });
  for await (const page of store.incidents.scan(PAGE)) {
    const pending: Relocation[] = [];
    for (const incident of page) {
      incidents++;
      if (incident.address === null || incident.address.trim() === "") continue;
      withAddress++;
      const change = relocation(
        incident,
        locators.located(regionOfBatch.get(incident.batchId) ?? fallback, incident.address),
      );
      if (!change) continue;
      changed++;
      if ((incident.addressComponents ?? null) !== change.addressComponents) componentsChanged++;
      for (const level of LOCATION_LEVELS)
        if ((incident.location[level] ?? null) !== (change.location[level] ?? null)) levels[level]++;
      pending.push(change);
    }
    // Written between pages: the scan's keyset paging (received_at, id) is not moved by these columns.
    if (!dryRun && pending.length > 0) await store.incidents.relocate(pending);
    options.onProgress?.(counts());
  }
  if (!dryRun) await recordAddressRules(store);
  return counts();
}
