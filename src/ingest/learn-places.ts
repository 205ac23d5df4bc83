import {
  createAddressLocator,
  type FullAddressLocator,
  learnPlaces,
  mergePlaces,
  type PlaceKind,
} from "../address/index.ts";
import { loadPlaceDictionary, savePlaceDictionary } from "../store/place-dictionary.ts";
import type { Batch, Store } from "../store/types.ts";

/**
 * Learning the deployment's place dictionary from its own imported addresses (issue: "a
 * per-deployment dictionary ... that recur learns from the deployment's own imported addresses"):
 * every stored address is parsed as its import read it (its batch's region, the store's
 * dictionary), the compound, road and community names it names are counted, and the names seen
 * at least `minCount` times join the store's dictionary (`mergePlaces`: counts refreshed, aliases,
 * places a user added and divisions kept).
 */

export interface LearnOptions {
  /** Names seen fewer times than this are not learned; default 3. */
  readonly minCount?: number;
  /** The region of a batch's addresses (its import profile's), as for a rekey. */
  readonly regionOf: (batch: Batch) => Promise<string | null>;
  /** Count only: the store's dictionary is left as it is. */
  readonly dryRun?: boolean;
}

export interface LearnCounts {
  /** Stored incidents with an address. */
  readonly addresses: number;
  /** Names seen at least minCount times. */
  readonly learned: number;
  /** Of those, names the dictionary did not hold. */
  readonly added: number;
  /** Places in the dictionary afterwards. */
  readonly places: number;
  /** Whether the store's dictionary changed (never on a dry run). */
  readonly changed: boolean;
}

/** Distinct addresses remembered per region (cleared when full: memory stays bounded). */
const MEMO_LIMIT = 100_000;

/**
 * @example await learnPlacesFromStore(store, { regionOf: async () => "浙江省杭州市", minCount: 5 })
 */
export async function learnPlacesFromStore(store: Store, options: LearnOptions): Promise<LearnCounts> {
  const dictionary = await loadPlaceDictionary(store);
  const regionOfBatch = new Map<string, string | null>();
  for (const batch of await store.batches.list()) regionOfBatch.set(batch.id, await options.regionOf(batch));
  const locators = new Map<string, { locator: FullAddressLocator; memo: Map<string, NamesOf> }>();
  const names: NamesOf[] = [];
  for await (const page of store.incidents.scan(5000)) {
    for (const incident of page) {
      const address = incident.address?.trim();
      if (!address) continue;
      const region = regionOfBatch.get(incident.batchId) ?? null;
      let entry = locators.get(region ?? "");
      if (!entry) {
        entry = { locator: createAddressLocator({ region, dictionary, datum: "wgs84" }), memo: new Map() };
        locators.set(region ?? "", entry);
      }
      let found = entry.memo.get(address);
      if (!found) {
        found = entry.locator
          .entities(address)
          .filter((e) => e.label === "poi" || e.label === "road" || e.label === "community")
          .map((e) => ({ name: e.text, kind: e.label as PlaceKind }));
        if (entry.memo.size >= MEMO_LIMIT) entry.memo.clear();
        entry.memo.set(address, found);
      }
      names.push(found);
    }
  }
  const learned = learnPlaces(names, { minCount: options.minCount ?? 3 });
  const known = new Set(dictionary.places.map((p) => `${p.kind}\u0000${p.name}`));
  const added = learned.filter((p) => !known.has(`${p.kind}\u0000${p.name}`)).length;
  const merged = mergePlaces(dictionary, learned);
  const changed = options.dryRun ? false : (await savePlaceDictionary(store, merged)).changed;
  return { addresses: names.length, learned: learned.length, added, places: merged.places.length, changed };
}

type NamesOf = readonly { readonly name: string; readonly kind: PlaceKind }[];
