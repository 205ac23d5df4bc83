import type { LocationKeys } from "../domain/location.ts";
import type { Entity } from "./parse.ts";

/**
 * US and Canadian block addresses as police exports write them: masked hundred blocks
 * ("10XX ALBERNI ST", "026XX Canal St"), exact numbers ("749 W STATE ST,MKE"), intersections
 * ("HIGUERA ST / MARSH ST", "BROAD & HIGUERA") and CAD forms with a place name
 * ("2994 HIGUERA S; SHADY LANE MHP;"). Keys compare blocks of 100 house numbers, so the same
 * block matches whatever the masking.
 */

/** USPS Publication 28 street suffix abbreviations (the common ones). */
const SUFFIX: Readonly<Record<string, string>> = {
  STREET: "ST",
  STR: "ST",
  AVENUE: "AVE",
  AV: "AVE",
  AVN: "AVE",
  BOULEVARD: "BLVD",
  BLV: "BLVD",
  ROAD: "RD",
  DRIVE: "DR",
  LANE: "LN",
  COURT: "CT",
  PLACE: "PL",
  TERRACE: "TER",
  PARKWAY: "PKWY",
  HIGHWAY: "HWY",
  CIRCLE: "CIR",
  SQUARE: "SQ",
  TRAIL: "TRL",
  WAY: "WAY",
  ALLEY: "ALY",
  EXPRESSWAY: "EXPY",
  FREEWAY: "FWY",
  CRESCENT: "CRES",
  PLAZA: "PLZ",
};
const SUFFIXES = new Set([
  ...Object.values(SUFFIX),
  "ST",
  "AVE",
  "BLVD",
  "RD",
  "DR",
  "LN",
  "CT",
  "PL",
  "TER",
  "PKWY",
  "HWY",
  "CIR",
  "SQ",
  "TRL",
  "WAY",
  "ALY",
  "EXPY",
  "FWY",
  "CRES",
  "PLZ",
  "LOOP",
  "ROW",
  "MALL",
  "WALK",
]);
const DIRECTION: Readonly<Record<string, string>> = {
  NORTH: "N",
  SOUTH: "S",
  EAST: "E",
  WEST: "W",
  N: "N",
  S: "S",
  E: "E",
  W: "W",
  NE: "NE",
  NW: "NW",
  SE: "SE",
  SW: "SW",
  NORTHEAST: "NE",
  NORTHWEST: "NW",
  SOUTHEAST: "SE",
  SOUTHWEST: "SW",
};

/** Placeholders that exports put where a location was withheld: not a place, so no key. */
const NOT_A_PLACE = /^(OFFSET TO PROTECT PRIVACY|UNKNOWN|N\/?A|NONE|REDACTED|WITHHELD|NULL)$/i;

/** True when the text looks like a Latin-script street address rather than a Chinese one. */
export function isLatinAddress(text: string): boolean {
  let latin = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x3400 && c <= 0x9fff) return false;
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) latin = true;
  }
  return latin;
}

export interface UsStreet {
  readonly direction: string | null;
  readonly name: string;
  /** Street type (ST, AVE), informative only: exports disagree on it, so keys leave it out. */
  readonly type: string | null;
}

export interface UsAddress {
  /** Exact house number when given unmasked. */
  readonly number: number | null;
  /** Hundred block (2600 for 026XX, 2600 and 2642). */
  readonly block: number | null;
  readonly street: UsStreet | null;
  /** Second street of an intersection. */
  readonly cross: UsStreet | null;
  readonly unit: string | null;
  /** Place name given after the address (SHADY LANE MHP) or alone (DOWNTOWN). */
  readonly place: string | null;
  /** City after a comma (MKE). */
  readonly city: string | null;
  readonly entities: Entity[];
}

/** Normalises a street: "W STATE ST" → {W, STATE, ST}; "HIGUERA S" → {S, HIGUERA}. */
export function usStreet(text: string): UsStreet | null {
  const words = text
    .toUpperCase()
    .replace(/[.,]/g, " ")
    .split(/\s+/)
    .filter((w) => w.length > 0);
  if (words.length === 0) return null;
  let direction: string | null = null;
  let type: string | null = null;
  const first = words[0] as string;
  if (words.length > 1 && DIRECTION[first]) {
    direction = DIRECTION[first] as string;
    words.shift();
  }
  const lastWord = words.at(-1) as string;
  if (words.length > 1 && (SUFFIXES.has(lastWord) || SUFFIX[lastWord])) {
    type = SUFFIX[lastWord] ?? lastWord;
    words.pop();
  }
  const tail = words.at(-1) as string;
  // Post-directional (CAD style "HIGUERA S") is the same street as "S HIGUERA".
  if (words.length > 1 && direction === null && DIRECTION[tail] && tail.length <= 2) {
    direction = DIRECTION[tail] as string;
    words.pop();
  }
  const name = words.join(" ");
  return name ? { direction, name, type } : null;
}

const streetKey = (s: UsStreet): string => (s.direction ? `${s.direction} ${s.name}` : s.name);

/**
 * Parses a block address.
 * @example parseUsAddress("026XX Canal St").block // 2600
 */
export function parseUsAddress(text: string): UsAddress {
  const entities: Entity[] = [];
  const segments = text.split(";");
  const main = (segments[0] ?? "").trim();
  const place = segments
    .slice(1)
    .map((s) => s.trim())
    .filter(Boolean)
    .join(" ");
  let rest = main;
  let city: string | null = null;
  const comma = /^(.*?),\s*([A-Za-z .]+)$/.exec(rest);
  if (comma) {
    rest = (comma[1] as string).trim();
    city = (comma[2] as string).trim().toUpperCase() || null;
  }
  let unit: string | null = null;
  const unitMatch = /\s*(?:#|\bAPT\b\.?|\bUNIT\b|\bSTE\b|\bSUITE\b)\s*([A-Za-z0-9-]+)\s*$/i.exec(rest);
  if (unitMatch) {
    unit = (unitMatch[1] as string).toUpperCase();
    rest = rest.slice(0, unitMatch.index).trim();
  }
  const crossParts = rest.split(/\s*(?:\/|&|\bAND\b|\bAT\b|@)\s*/i).filter(Boolean);
  let number: number | null = null;
  let block: number | null = null;
  let street: UsStreet | null = null;
  let cross: UsStreet | null = null;
  if (crossParts.length === 2) {
    street = usStreet(crossParts[0] as string);
    cross = usStreet(crossParts[1] as string);
  } else {
    // 2600, 026XX, 4600-BLK (a block), 3017-A / 317A (a number and a unit letter), 1200-1210 (a range).
    const m = /^(\d+X*|\d*X+)(?:-?(BLK|BLOCK|[A-Z])\b|-\d+)?\s+(.+)$/i.exec(rest);
    if (m) {
      const raw = (m[1] as string).toUpperCase();
      const suffix = m[2]?.toUpperCase();
      if (raw.includes("X") || suffix === "BLK" || suffix === "BLOCK")
        block = Math.floor(Number(raw.replace(/X/g, "0")) / 100) * 100;
      else {
        number = Number(raw);
        block = Math.floor(number / 100) * 100;
        if (suffix && unit === null) unit = suffix;
      }
      street = usStreet(m[3] as string);
    } else street = rest && /\b(ST|AVE|RD|BLVD|DR|LN|WAY|HWY)\b/i.test(rest) ? usStreet(rest) : null;
  }
  const placeName =
    place ||
    (street === null && cross === null && rest && !NOT_A_PLACE.test(rest) ? rest.toUpperCase() : null);
  // Entities: road number, road(s), unit, place, the rest redundant.
  if (street && cross) {
    entities.push(
      { label: "road", text: (crossParts[0] as string).trim() },
      { label: "road", text: (crossParts[1] as string).trim() },
    );
  } else if (street) {
    const m = /^(\S+)\s+(.+)$/.exec(rest);
    if (block !== null && m)
      entities.push({ label: "roadno", text: m[1] as string }, { label: "road", text: m[2] as string });
    else entities.push({ label: "road", text: rest });
  }
  if (unit) entities.push({ label: "roomno", text: unit });
  if (comma) entities.push({ label: "city", text: (comma[2] as string).trim() });
  if (place)
    for (const seg of segments.slice(1)) if (seg.trim()) entities.push({ label: "poi", text: seg.trim() });
  if (!place && placeName) entities.push({ label: "poi", text: rest });
  return {
    number,
    block,
    street,
    cross,
    unit,
    place: placeName ? placeName.toUpperCase().replace(/\s+/g, " ") : null,
    city,
    entities,
  };
}

/**
 * Location keys of a US address: road = hundred block + street ("2600 CANAL"), building = exact
 * number when known, room = unit, cross = both streets sorted, poi = the named place.
 */
export function usKeys(a: UsAddress, scope = ""): LocationKeys {
  const prefix = scope ? `US:${scope}:` : "US:";
  const road = a.street && !a.cross && a.block !== null ? `${prefix}${a.block} ${streetKey(a.street)}` : null;
  const building = a.street && a.number !== null ? `${prefix}${a.number} ${streetKey(a.street)}` : null;
  const cross =
    a.street && a.cross ? `${prefix}X:${[streetKey(a.street), streetKey(a.cross)].sort().join(" & ")}` : null;
  return {
    poi: a.place ? `${prefix}P:${a.place}` : null,
    building,
    unit: null,
    room: building && a.unit ? `${building} #${a.unit}` : null,
    road,
    cross,
  };
}
