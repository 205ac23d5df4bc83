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
import {
  type Batch,
  LOCATION_KEY_COLUMNS,
  MASKED_TEXT_COLUMNS,
  MASKED_TEXT_FIELDS,
  type MaskedTextField,
  type Relocation,
  type Store,
} from "../store/types.ts";
import { type IngestIssue, withMaskedValue } from "./issues.ts";
import { maskText } from "./privacy/index.ts";
import { loadProfile, parseProfile } from "./profile/load.ts";

/**
 * Rekeying a store: every stored incident brought to what an import would store today. Its
 * free texts are masked (docs/privacy.md §4: stores imported before the address, disposition
 * and source category were masked hold them in the clear), and its location keys and address
 * components derived again from its masked address with today's rules, and written where they
 * changed. Keys are a function of the address text and the rules (docs/address.md), so after an
 * upgrade that changed the rules, calls imported before and after it would otherwise key the
 * same door apart; and since an import keys the masked address, a rekey must key it masked too.
 * `recur address rekey` and the dashboard's rules page both run it.
 */

/**
 * What a rekey found: incidents read, with an address, with new keys or components (`changed`),
 * changes per key level, and the identifiers it masked.
 */
export interface RekeyCounts {
  readonly incidents: number;
  readonly withAddress: number;
  readonly changed: number;
  readonly componentsChanged: number;
  readonly levels: Readonly<Record<LocationLevel, number>>;
  /** Incidents with at least one free text that held an identifier, now masked. */
  readonly masked: number;
  /** Of those, how many had it in each text. */
  readonly maskedFields: Readonly<Record<MaskedTextField, number>>;
  /**
   * Revisions (`incident_revisions`, docs/store.md "Later exports") whose previous values held an
   * identifier in a text, or keys and components made from such an address, now masked.
   */
  readonly revisionsMasked: number;
  /**
   * Quarantined rows (`quarantine.issues`) whose issues quoted a value with an identifier (stored
   * by an import before quotes were masked, docs/privacy.md §5), now masked.
   */
  readonly quarantineMasked: number;
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

/**
 * The free texts of an incident that masking changes, masked (as an import masks them,
 * src/ingest/pipeline.ts), or null when none holds an identifier. Masking a masked text changes
 * nothing, so a second rekey finds none.
 * @example maskedTexts({ ...incident, address: "阳光小区3栋501室 张先生13812345678" }) // { address: "阳光小区3栋501室 张先生〔手机号〕" }
 */
export function maskedTexts(
  incident: Pick<Incident, MaskedTextField>,
): Partial<Record<MaskedTextField, string>> | null {
  const out: Partial<Record<MaskedTextField, string>> = {};
  let any = false;
  for (const field of MASKED_TEXT_FIELDS) {
    const text = incident[field];
    if (text === null || text === undefined) continue;
    const masked = maskText(text);
    if (masked === text) continue;
    out[field] = masked;
    any = true;
  }
  return any ? out : null;
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
 * Masks the free texts of every stored incident and parses its masked address again, as an
 * import would today (with the store's place dictionary), and updates the incidents whose texts,
 * keys or components changed, a page of 5,000 at a time, each page in one transaction (with the
 * quotes of those texts in the incidents' quality results). Then the previous values of the
 * stored revisions are masked the same way (`maskRevisions`), and the values quoted by the
 * issues of quarantined rows (`maskQuarantine`). Nothing else is written. Unless
 * `dryRun`, the store then records today's rules, so later imports no longer say the keys are
 * stale (src/store/address-rules.ts).
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
  let masked = 0;
  let revisionsMasked = 0;
  let quarantineMasked = 0;
  const maskedFields = Object.fromEntries(MASKED_TEXT_FIELDS.map((field) => [field, 0])) as Record<
    MaskedTextField,
    number
  >;
  const counts = (): RekeyCounts => ({
    incidents,
    withAddress,
    changed,
    componentsChanged,
    levels: { ...levels },
    masked,
    maskedFields: { ...maskedFields },
    revisionsMasked,
    quarantineMasked,
    dryRun,
  });
  for await (const page of store.incidents.scan(PAGE)) {
    const pending: Relocation[] = [];
    for (const incident of page) {
      incidents++;
      const texts = maskedTexts(incident);
      if (texts) {
        masked++;
        for (const field of MASKED_TEXT_FIELDS) if (texts[field] !== undefined) maskedFields[field]++;
      }
      const address = texts?.address ?? incident.address;
      let change: Relocation | null = null;
      if (address !== null && address.trim() !== "") {
        withAddress++;
        change = relocation(
          incident,
          locators.located(regionOfBatch.get(incident.batchId) ?? fallback, address),
        );
        if (change) {
          changed++;
          if ((incident.addressComponents ?? null) !== change.addressComponents) componentsChanged++;
          for (const level of LOCATION_LEVELS)
            if ((incident.location[level] ?? null) !== (change.location[level] ?? null)) levels[level]++;
        }
      }
      if (texts)
        change = {
          id: incident.id,
          location: change?.location ?? incident.location,
          addressComponents: change ? change.addressComponents : (incident.addressComponents ?? null),
          texts,
        };
      if (change) pending.push(change);
    }
    // Written between pages: the scan's keyset paging (received_at, id) is not moved by these columns.
    if (!dryRun && pending.length > 0) await store.incidents.relocate(pending);
    options.onProgress?.(counts());
  }
  revisionsMasked = await maskRevisions(store, {
    dryRun,
    located: (batchId, address) => locators.located(regionOfBatch.get(batchId) ?? fallback, address),
  });
  quarantineMasked = await maskQuarantine(store, dryRun);
  if (!dryRun) await recordAddressRules(store);
  const done = counts();
  options.onProgress?.(done);
  return done;
}

/**
 * Masks the previous values kept by `incident_revisions` (a later export's update, docs/store.md
 * "Later exports"): they are "as stored", so a revision made before the texts were masked, or by
 * an import that replaced an unmasked text with its masked form, keeps the unmasked one. Each of
 * their texts is masked; when the previous address was, its previous keys and components are made
 * again from the masked address (in the region of the incident's batch), since those of the
 * unmasked address may carry the number (a component always does). Pages of 5,000 revisions by
 * id, each page in one transaction. Returns how many revisions changed (or would, with `dryRun`).
 */
async function maskRevisions(
  store: Store,
  options: { readonly dryRun: boolean; readonly located: (batchId: string, address: string) => Located },
): Promise<number> {
  let count = 0;
  let after = 0;
  for (;;) {
    const rows = await store.db
      .selectFrom("incident_revisions as r")
      .leftJoin("incidents as i", "i.id", "r.incident_id")
      .select(["r.id as id", "r.previous as previous", "i.batch_id as batch_id"])
      .where("r.id", ">", after)
      .orderBy("r.id")
      .limit(PAGE)
      .execute();
    if (rows.length === 0) break;
    after = Number(rows[rows.length - 1]!.id);
    const updates: { id: number; previous: string }[] = [];
    for (const row of rows) {
      const previous = JSON.parse(row.previous) as Record<string, unknown>;
      let changed = false;
      for (const field of MASKED_TEXT_FIELDS) {
        const column = MASKED_TEXT_COLUMNS[field];
        const text = previous[column];
        if (typeof text !== "string") continue;
        const masked = maskText(text);
        if (masked === text) continue;
        previous[column] = masked;
        changed = true;
        if (field !== "address" || masked.trim() === "") continue;
        const located = options.located(row.batch_id ?? "", masked);
        for (const level of LOCATION_LEVELS)
          if (LOCATION_KEY_COLUMNS[level] in previous)
            previous[LOCATION_KEY_COLUMNS[level]] = located.keys[level] ?? null;
        if ("address_components" in previous) previous.address_components = located.components;
      }
      if (changed) updates.push({ id: Number(row.id), previous: JSON.stringify(previous) });
    }
    count += updates.length;
    if (!options.dryRun && updates.length > 0)
      await store.db.transaction().execute(async (trx) => {
        for (const u of updates)
          await trx
            .updateTable("incident_revisions")
            .set({ previous: u.previous })
            .where("id", "=", u.id)
            .execute();
      });
    if (rows.length < PAGE) break;
  }
  return count;
}

/**
 * Masks the values quoted by the issues of quarantined rows (`withMaskedValue`): an older recur's
 * import stored them as written (docs/privacy.md §5). The encrypted record (`record_enc`) is
 * not touched: it is the row itself, kept so that nothing is lost and the row can be imported
 * again. Pages of 5,000 rows by id, each page in one transaction. Returns how many rows changed
 * (or would, with `dryRun`); a second run finds none.
 */
async function maskQuarantine(store: Store, dryRun: boolean): Promise<number> {
  let count = 0;
  let after = 0;
  for (;;) {
    const rows = await store.db
      .selectFrom("quarantine")
      .select(["id", "issues"])
      .where("id", ">", after)
      .orderBy("id")
      .limit(PAGE)
      .execute();
    if (rows.length === 0) break;
    after = Number(rows[rows.length - 1]!.id);
    const updates: { id: number; issues: string }[] = [];
    for (const row of rows) {
      const issues = JSON.parse(row.issues) as IngestIssue[];
      let changed = false;
      const masked = issues.map((issue) => {
        const out = withMaskedValue(issue);
        if (out !== issue) changed = true;
        return out;
      });
      if (changed) updates.push({ id: Number(row.id), issues: JSON.stringify(masked) });
    }
    count += updates.length;
    if (!dryRun && updates.length > 0)
      await store.db.transaction().execute(async (trx) => {
        for (const u of updates)
          await trx.updateTable("quarantine").set({ issues: u.issues }).where("id", "=", u.id).execute();
      });
    if (rows.length < PAGE) break;
  }
  return count;
}
