import { createHash } from "node:crypto";
import {
  type DictionaryIssueCode,
  EMPTY_DICTIONARY,
  type PlaceDictionary,
  restoreDictionary,
} from "../address/dictionary.ts";
import type { Issue } from "../domain/issues.ts";
import type { Store } from "./types.ts";

/**
 * The deployment's place dictionary (aliases, local places, its own divisions: docs/address.md),
 * kept in the store so that every import, the dashboard's imports, rekeys and the dispatch-time
 * check key addresses with the same one. `recur address dict set FILE`, `recur import --dict FILE`
 * and the dashboard's rules page replace it.
 */

/** The settings key under which the store keeps its place dictionary (JSON). */
export const PLACE_DICTIONARY_SETTING = "place_dictionary";

/** True when the dictionary holds nothing: no aliases, places or divisions. */
export function isEmptyDictionary(dictionary: PlaceDictionary): boolean {
  return (
    Object.keys(dictionary.aliases).length === 0 &&
    dictionary.places.length === 0 &&
    (dictionary.divisions?.length ?? 0) === 0
  );
}

/**
 * The store's place dictionary, the empty one when none was set. What cannot be read (a setting
 * written by hand) is skipped entry by entry, as `restoreDictionary` does for files.
 */
export async function loadPlaceDictionary(store: Store): Promise<PlaceDictionary> {
  const json = await store.settings.get(PLACE_DICTIONARY_SETTING);
  if (json === undefined) return EMPTY_DICTIONARY;
  try {
    return restoreDictionary(JSON.parse(json)).dictionary;
  } catch {
    return EMPTY_DICTIONARY;
  }
}

/**
 * Makes `json` the store's place dictionary: its valid entries are kept, the others returned as
 * issues (file, row and why, for the caller to print). `changed`: whether the stored one changed in
 * what can change a key (`dictionaryDigest`), so that the stored keys are now stale.
 * @example await savePlaceDictionary(store, JSON.parse(await readFile("places.json", "utf8")))
 */
export async function savePlaceDictionary(
  store: Store,
  json: unknown,
): Promise<{ dictionary: PlaceDictionary; issues: Issue<DictionaryIssueCode>[]; changed: boolean }> {
  const { dictionary, issues } = restoreDictionary(json);
  const before = await loadPlaceDictionary(store);
  const changed = dictionaryDigest(before) !== dictionaryDigest(dictionary);
  // Written also when only what keys nothing changed (how often a place was seen).
  const text = JSON.stringify(dictionary);
  if (changed || text !== JSON.stringify(before)) await store.settings.set(PLACE_DICTIONARY_SETTING, text);
  return { dictionary, issues, changed };
}

/**
 * A short digest of what in a dictionary can change a key (aliases, place names, kinds and order,
 * the divisions; not how often a place was seen), "" for the empty dictionary.
 */
export function dictionaryDigest(dictionary: PlaceDictionary): string {
  if (isEmptyDictionary(dictionary)) return "";
  const hash = createHash("sha256");
  for (const [alias, name] of Object.entries(dictionary.aliases).sort(([a], [b]) => (a < b ? -1 : 1)))
    hash.update(`a\0${alias}\0${name}\n`);
  // In their order: a fuzzy match between two equally close places takes the first.
  for (const p of dictionary.places) hash.update(`p\0${p.kind}\0${p.name}\n`);
  hash.update(`d\0${JSON.stringify(dictionary.divisions ?? [])}`);
  return hash.digest("hex").slice(0, 16);
}
