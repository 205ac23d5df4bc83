/**
 * How the US block-address keys collapse the real exports' spellings (../shared/data, see its
 * MANIFEST.md): per export, distinct raw addresses, how many get a key, distinct keys per level
 * and of the finest key each address has (room, building, road, cross, poi), and how many keys
 * join spellings that name a street with two different types (CANAL ST and CANAL AVE in one key:
 * two streets merged), and how many poi keys are named on more than one street or crossing (one
 * chain's stores, or a note such as REAR OF, taken for one place). Measuring only: nothing of the
 * data is written anywhere.
 *
 *   node --import tsx bench/us-address-keys.ts
 *   node --import tsx bench/us-address-keys.ts --learn   # with a place dictionary learned from each
 *                                                        # export's own roads (as `recur address dict
 *                                                        # learn` does): streets written without
 *                                                        # their type take the one type learned
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Papa from "papaparse";
import { EMPTY_DICTIONARY, learnPlaces, mergePlaces } from "../src/address/dictionary.ts";
import { createAddressLocator } from "../src/address/locator.ts";
import { parseUsAddress } from "../src/address/us.ts";
import type { LocationKeys } from "../src/domain/location.ts";

const DATA = join(import.meta.dirname, "..", "..", "shared", "data");
const EXPORTS: [string, string, string][] = [
  ["milwaukee", "cfs/milwaukee-2018-05.csv", "location"],
  ["san-luis-obispo", "cfs/san-luis-obispo-2021-22.csv", "address"],
  ["houston", "crime/houston-2010.csv", "address"],
  ["vancouver", "crime/vancouver-2020.csv", "HUNDRED_BLOCK"],
];
const LEVELS = [
  "room",
  "building",
  "road",
  "cross",
  "poi",
] as const satisfies readonly (keyof LocationKeys)[];

if (!existsSync(DATA)) {
  console.log(`${DATA} is absent: nothing to measure`);
  process.exit(0);
}
const LEARN = process.argv.includes("--learn");
const plain = createAddressLocator();
const total = { raw: 0, keyed: 0, finest: 0, typeMerged: 0, poiSpread: 0, typed: 0 };
for (const [name, file, column] of EXPORTS) {
  const path = join(DATA, file);
  if (!existsSync(path)) {
    console.log(`${name}: ${file} is absent, skipped`);
    continue;
  }
  const rows = Papa.parse<Record<string, string>>(readFileSync(path, "utf8"), {
    header: true,
    skipEmptyLines: true,
  }).data;
  const raw = new Set(rows.map((r) => (r[column] ?? "").trim()).filter((a) => a.length > 0));
  // The export's own roads named at least 3 times, as the store's dictionary learns them.
  const locator = LEARN
    ? createAddressLocator({
        dictionary: mergePlaces(
          EMPTY_DICTIONARY,
          learnPlaces(
            rows.map((r) =>
              plain
                .entities((r[column] ?? "").trim())
                .filter((e) => e.label === "road")
                .map((e) => ({ name: e.text, kind: "road" as const })),
            ),
          ),
        ),
      })
    : plain;
  /** Addresses whose street, written without a type, took the one learned. */
  let typed = 0;
  const perLevel = new Map<string, Set<string>>(LEVELS.map((l) => [l, new Set<string>()]));
  const finest = new Set<string>();
  // road or cross key → "direction name" → street types written for it
  const typesOf = new Map<string, Map<string, Set<string>>>();
  // poi key → the streets (block left out) or crossings it is written with
  const poiStreets = new Map<string, Set<string>>();
  let keyed = 0;
  for (const a of raw) {
    const k = locator.locate(a);
    if (
      LEARN &&
      (k.road ?? k.building ?? k.cross) !==
        (plain.locate(a).road ?? plain.locate(a).building ?? plain.locate(a).cross)
    )
      typed++;
    if (k.poi !== null && (k.road ?? k.cross) !== null)
      poiStreets.set(
        k.poi,
        (poiStreets.get(k.poi) ?? new Set()).add((k.road ?? k.cross ?? "").replace(/^US:\d+ /, "")),
      );
    const first = LEVELS.map((l) => k[l]).find((v) => v !== null);
    if (!first) continue;
    keyed++;
    finest.add(first);
    for (const l of LEVELS) if (k[l] !== null) perLevel.get(l)?.add(k[l] as string);
    const key = k.road ?? k.cross;
    if (!key) continue;
    const us = parseUsAddress(a);
    for (const s of [us.street, us.cross]) {
      if (!s?.type) continue;
      const streets = typesOf.get(key) ?? new Map<string, Set<string>>();
      typesOf.set(key, streets);
      const id = `${s.direction ?? ""} ${s.name}`;
      streets.set(id, (streets.get(id) ?? new Set()).add(s.type));
    }
  }
  let typeMerged = 0;
  for (const streets of typesOf.values()) if ([...streets.values()].some((t) => t.size > 1)) typeMerged++;
  const poiSpread = [...poiStreets.values()].filter((s) => s.size > 1).length;
  console.log(
    `${name}: ${raw.size} distinct addresses, ${keyed} keyed -> ${finest.size} finest keys (${LEVELS.map((l) => `${l} ${perLevel.get(l)?.size}`).join(", ")}); road/cross keys joining one street name written with two types: ${typeMerged}; poi keys on more than one street or crossing: ${poiSpread}${LEARN ? `; addresses whose street took its learned type: ${typed}` : ""}`,
  );
  total.typed += typed;
  total.raw += raw.size;
  total.keyed += keyed;
  total.finest += finest.size;
  total.typeMerged += typeMerged;
  total.poiSpread += poiSpread;
}
console.log(
  `all: ${total.raw} distinct addresses, ${total.keyed} keyed -> ${total.finest} finest keys; keys joining two types of one street name: ${total.typeMerged}; poi keys on more than one street or crossing: ${total.poiSpread}${LEARN ? `; addresses whose street took its learned type: ${total.typed}` : ""}`,
);
