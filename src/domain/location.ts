/**
 * Stable location keys of an address at several levels, from coarse to fine. Two incidents
 * are "at the same place" at a level when their keys at that level are equal. A key never
 * merges different building, unit or room numbers. null = that level is unknown.
 * (Definitions: docs/address.md.)
 */
export interface LocationKeys {
  /** POI or residential compound (小区/市场/学校), within its district. */
  readonly poi: string | null;
  /** Building (栋/幢/号楼) within the compound, or the road number for street addresses. */
  readonly building: string | null;
  /** Unit / entrance (单元) within the building. */
  readonly unit: string | null;
  /** Room / flat (室). */
  readonly room: string | null;
  /** Road plus house number (路+门牌号), or a US block ("2600 CANAL ST"). */
  readonly road: string | null;
  /** Intersection of two roads, order-independent. */
  readonly cross: string | null;
}

/** One parsed component of an address: a label (docs/address.md) over a piece of the text. */
export interface AddressComponent {
  readonly label: string;
  readonly text: string;
}

/**
 * An address's components as stored with an incident: JSON `[[label, text], ...]`. Kept as text
 * because an import carries it for every row (one string per distinct address, not a dozen
 * objects) and most readers never look inside; parse it with addressComponentsFromJson.
 */
export type AddressComponentsJson = string & { readonly __brand: "AddressComponentsJson" };

/**
 * @example addressComponentsJson([{ label: "poi", text: "阳光小区" }]) // '[["poi","阳光小区"]]'
 */
export function addressComponentsJson(components: readonly AddressComponent[]): AddressComponentsJson {
  return JSON.stringify(components.map((c) => [c.label, c.text])) as AddressComponentsJson;
}

/**
 * The components back from their JSON; text this code did not write gives [] (never throws).
 * @example addressComponentsFromJson('[["poi","阳光小区"]]') // [{ label: "poi", text: "阳光小区" }]
 */
export function addressComponentsFromJson(json: string): AddressComponent[] {
  try {
    const pairs: unknown = JSON.parse(json);
    if (!Array.isArray(pairs)) return [];
    return pairs.flatMap((p: unknown) =>
      Array.isArray(p) && typeof p[0] === "string" && typeof p[1] === "string"
        ? [{ label: p[0], text: p[1] }]
        : [],
    );
  } catch {
    return [];
  }
}

export const LOCATION_LEVELS = ["poi", "building", "unit", "room", "road", "cross"] as const;
export type LocationLevel = (typeof LOCATION_LEVELS)[number];

export const NO_LOCATION: LocationKeys = {
  poi: null,
  building: null,
  unit: null,
  room: null,
  road: null,
  cross: null,
};

/**
 * Turns an address (and coordinates when known) into location keys. Implemented in
 * src/address; the import pipeline receives one, so ingest does not depend on the parser.
 */
export interface AddressLocator {
  locate(address: string | null, lon?: number | null, lat?: number | null): LocationKeys;
}

/** A locator that knows nothing: every key null. */
export const NULL_LOCATOR: AddressLocator = { locate: () => NO_LOCATION };
