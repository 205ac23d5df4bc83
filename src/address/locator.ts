import type { AddressLocator, LocationKeys } from "../domain/location.ts";
import { NO_LOCATION } from "../domain/location.ts";
import { DEFAULT_FUZZY_THRESHOLD, EMPTY_DICTIONARY, type PlaceDictionary, PlaceIndex } from "./dictionary.ts";
import { type Gazetteer, gazetteerWith } from "./gazetteer.ts";
import { type Datum, h3Cell, type Jurisdictions, toWgs84, validLonLat } from "./geo.ts";
import { type AdminResolution, chineseKeys, resolveAdmin } from "./keys.ts";
import { type Entity, parseRules, spansToEntities } from "./parse.ts";
import { spansAroundNotes } from "./rules/contacts.ts";
import { Tagger, type TaggerModel } from "./tagger.ts";
import { isLatinAddress, parseUsAddress, UsStreetTypes, usKeys } from "./us.ts";
import type { VillageRegister } from "./villages.ts";

export interface AddressLocatorOptions {
  /** The deployment's region ("内蒙古自治区包头市", "包头", or a division code "1502"): read first. */
  readonly region?: string | null;
  /** The deployment's place dictionary (aliases, local places). */
  readonly dictionary?: PlaceDictionary;
  /** A tagger trained with `recur address train`; without it the rule parser is used. */
  readonly model?: TaggerModel | null;
  /** The register of village committees, for a model trained with it (`model.villages`). */
  readonly villages?: VillageRegister | null;
  /** Minimum confidence of a fuzzy compound-name match (default 0.85, docs/address.md). */
  readonly fuzzyThreshold?: number;
  /** Datum of the coordinates passed to locate/analyse (default wgs84). */
  readonly datum?: Datum;
  /** H3 resolution of `cell` (default 9). */
  readonly h3Resolution?: number;
  /** Jurisdiction boundaries (see geo.ts `jurisdictions`). */
  readonly jurisdictions?: Jurisdictions | null;
  /** Scope of US keys (e.g. the city), when one deployment mixes several cities. */
  readonly usScope?: string;
  readonly gazetteer?: Gazetteer;
}

/** Everything recur understands about one address. */
export interface AddressAnalysis {
  readonly text: string;
  readonly kind: "zh" | "us" | "empty";
  /** Components in order, covering the text. */
  readonly entities: readonly Entity[];
  readonly admin: AdminResolution | null;
  readonly keys: LocationKeys;
  readonly fuzzy: { readonly from: string; readonly to: string; readonly confidence: number } | null;
  /** H3 cell of the coordinates, when valid ones were given. */
  readonly cell: string | null;
  /** Jurisdiction whose boundary contains the coordinates. */
  readonly jurisdiction: string | null;
}

export interface FullAddressLocator extends AddressLocator {
  analyse(address: string | null, lon?: number | null, lat?: number | null): AddressAnalysis;
  /** Parse only (components covering the text), the fast path of `recur address parse`. */
  entities(address: string): Entity[];
}

/**
 * Makes the locator the import pipeline uses: parser (rules or a trained tagger), gazetteer
 * completion within the region, dictionary aliases and fuzzy matching, US block addresses,
 * coordinates to H3 cells and jurisdictions.
 * @example
 * const locator = createAddressLocator({ region: "包头市" });
 * locator.locate("昆区阳光小区3栋2单元501").room
 */
export function createAddressLocator(options: AddressLocatorOptions = {}): FullAddressLocator {
  // The deployment's own divisions (a place dictionary's `divisions`) extend the national ones.
  const gazetteer = options.gazetteer ?? gazetteerWith(options.dictionary?.divisions ?? []);
  const regionId = options.region ? gazetteer.resolveRegion(options.region) : null;
  const places = new PlaceIndex(options.dictionary ?? EMPTY_DICTIONARY);
  // The deployment's US streets with their one type (W VLIET ST), for spellings without it.
  const usTypes = new UsStreetTypes(
    (options.dictionary?.places ?? []).filter((p) => p.kind === "road").map((p) => p.name),
  );
  const adminAliases = new Map<string, number>();
  for (const [alias, canonical] of places.aliasEntries()) {
    const hits = gazetteer.lookup(canonical);
    const pick = hits.find((h) => regionId !== null && gazetteer.within(h.id, regionId)) ?? hits[0];
    if (pick) adminAliases.set(alias, pick.id);
  }
  const tagger = options.model ? new Tagger(options.model, gazetteer, options.villages ?? null) : null;
  const threshold = options.fuzzyThreshold ?? DEFAULT_FUZZY_THRESHOLD;
  const ruleOptions = { regionId, ...(adminAliases.size > 0 ? { adminAliases } : {}) };

  const parse = (text: string) =>
    tagger ? tagger.spans(text) : parseRules(text, gazetteer, ruleOptions).spans;
  const entities = (text: string): Entity[] => {
    if (isLatinAddress(text)) return coverText(text, parseUsAddress(text).entities);
    // A caller's masked number and name written into the address are no part of the place.
    return spansToEntities(text, spansAroundNotes(text, parse));
  };

  /**
   * Everything but the coordinates' cell and jurisdiction (null here): the keys depend on the
   * text alone. Objects are written out in full, never spread: the import calls this once per
   * distinct address, and a spread copy cost ~1 µs of it.
   */
  const analyseText = (text: string): AddressAnalysis => {
    if (!text.trim())
      return {
        text,
        kind: "empty",
        entities: [],
        admin: null,
        keys: NO_LOCATION,
        fuzzy: null,
        cell: null,
        jurisdiction: null,
      };
    if (isLatinAddress(text)) {
      const us = parseUsAddress(text);
      return {
        text,
        kind: "us",
        entities: coverText(text, us.entities),
        admin: null,
        keys: usKeys(us, options.usScope, usTypes),
        fuzzy: null,
        cell: null,
        jurisdiction: null,
      };
    }
    const ents = entities(text);
    const admin = resolveAdmin(ents, gazetteer, regionId, places);
    const { keys, fuzzy } = chineseKeys(ents, admin, { places, fuzzyThreshold: threshold });
    return { text, kind: "zh", entities: ents, admin, keys, fuzzy, cell: null, jurisdiction: null };
  };

  const analyse = (address: string | null, lon?: number | null, lat?: number | null): AddressAnalysis => {
    const a = analyseText(address ?? "");
    if (!validLonLat(lon, lat)) return a;
    const p = toWgs84(lon as number, lat as number, options.datum ?? "wgs84");
    const cell = h3Cell(p, options.h3Resolution ?? 9);
    const jurisdiction = options.jurisdictions?.locate(p) ?? null;
    return {
      text: a.text,
      kind: a.kind,
      entities: a.entities,
      admin: a.admin,
      keys: a.keys,
      fuzzy: a.fuzzy,
      cell,
      jurisdiction,
    };
  };

  return {
    analyse,
    entities,
    // The import's hot path: keys only; the H3 cell and boundary lookup cost ~5 µs a row there.
    locate: (address) => analyseText(address ?? "").keys,
  };
}

/**
 * Places entity texts in the input in order and fills the gaps with `redundant`, so that the
 * entities cover the text exactly even when a parser normalised or skipped characters.
 */
export function coverText(text: string, entities: readonly Entity[]): Entity[] {
  const out: Entity[] = [];
  let pos = 0;
  for (const e of entities) {
    const at = text.indexOf(e.text, pos);
    if (at < 0 || e.text.length === 0) continue;
    if (at > pos) out.push({ label: "redundant", text: text.slice(pos, at) });
    out.push({ label: e.label, text: e.text });
    pos = at + e.text.length;
  }
  if (pos < text.length) out.push({ label: "redundant", text: text.slice(pos) });
  return out;
}
