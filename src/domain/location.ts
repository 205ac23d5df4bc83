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
