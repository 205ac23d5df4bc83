import type { LocationKeys } from "../domain/location.ts";
import type { Entity } from "./parse.ts";

/**
 * US and Canadian block addresses as police exports write them: masked hundred blocks
 * ("10XX ALBERNI ST", "026XX Canal St"), exact numbers ("749 W STATE ST,MKE"), intersections
 * ("HIGUERA ST / MARSH ST", "BROAD & HIGUERA") and CAD forms with a place name
 * ("2994 HIGUERA S; SHADY LANE MHP;"). Keys compare blocks of 100 house numbers, so the same
 * block matches whatever the masking.
 */

/**
 * USPS Publication 28 street suffix abbreviations (the common ones), with the variants its
 * Appendix C1 lists for them (AV, BOULV, PKY ...) and BL, Milwaukee's CAD form of BLVD.
 */
const SUFFIX: Readonly<Record<string, string>> = {
  STREET: "ST",
  STR: "ST",
  STRT: "ST",
  AVENUE: "AVE",
  AV: "AVE",
  AVN: "AVE",
  AVEN: "AVE",
  AVENU: "AVE",
  AVNUE: "AVE",
  BOULEVARD: "BLVD",
  BLV: "BLVD",
  BOUL: "BLVD",
  BOULV: "BLVD",
  BL: "BLVD",
  ROAD: "RD",
  DRIVE: "DR",
  DRIV: "DR",
  DRV: "DR",
  LANE: "LN",
  COURT: "CT",
  CRT: "CT",
  PLACE: "PL",
  TERRACE: "TER",
  TERR: "TER",
  PARKWAY: "PKWY",
  PARKWY: "PKWY",
  PKWAY: "PKWY",
  PKY: "PKWY",
  HIGHWAY: "HWY",
  HIWAY: "HWY",
  HIWY: "HWY",
  HWAY: "HWY",
  CIRCLE: "CIR",
  CIRC: "CIR",
  CIRCL: "CIR",
  CRCL: "CIR",
  CRCLE: "CIR",
  SQUARE: "SQ",
  SQR: "SQ",
  SQRE: "SQ",
  SQU: "SQ",
  TRAIL: "TRL",
  TRAILS: "TRL",
  TRLS: "TRL",
  WAY: "WAY",
  ALLEY: "ALY",
  ALLEE: "ALY",
  ALLY: "ALY",
  EXPRESSWAY: "EXPY",
  EXP: "EXPY",
  EXPR: "EXPY",
  EXPRESS: "EXPY",
  EXPW: "EXPY",
  FREEWAY: "FWY",
  FRWAY: "FWY",
  FRWY: "FWY",
  CRESCENT: "CRES",
  CRSENT: "CRES",
  CRSNT: "CRES",
  PLAZA: "PLZ",
  PLZA: "PLZ",
};
/** Spelled-out ordinals of numbered streets (OLD MILL THIRD ST = OLD MILL 3RD ST). */
const ORDINAL: Readonly<Record<string, string>> = {
  FIRST: "1ST",
  SECOND: "2ND",
  THIRD: "3RD",
  FOURTH: "4TH",
  FIFTH: "5TH",
  SIXTH: "6TH",
  SEVENTH: "7TH",
  EIGHTH: "8TH",
  NINTH: "9TH",
  TENTH: "10TH",
  ELEVENTH: "11TH",
  TWELFTH: "12TH",
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

/**
 * Call-taker notes that CAD exports put after a `;` where a place name goes (SLO: "1200 ELM;
 * AREA OF;", "ELM & OAK; GRID Q-04;", "; X FROM;", "; IFO;" in front of, "; POSS ADDR;"), or a
 * bare number: they say how sure or where near, not which place, so they give no poi key (one
 * "AREA OF" key would join every address that carries the note).
 */
const NOT_A_PLACE_NAME =
  /^(?:(?:IN THE |THE )?AREA(?: OF)?|NEAR(?: ?BY)?|X ?FROM|ACROSS(?: FROM)?|IFO|(?:POSS(?:IBLE)?|APPROX)(?: ADDR(?:ESS)?| LOC(?:ATION)?)?|GRID [A-Z]-?\d+|#?\d+)$/;

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
    .filter((w) => w.length > 0)
    .map((w) => ORDINAL[w] ?? w);
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

/**
 * The street in a key: direction and name, and the type only for a numbered street, where grid
 * cities give one number several streets (N 44TH ST, N 44TH PL and N 44TH BLVD); a named street's type is left out because exports of one city disagree on it.
 */
const streetKey = (s: UsStreet): string => {
  const name = s.direction ? `${s.direction} ${s.name}` : s.name;
  return s.type !== null && NUMBERED_STREET.test(s.name) ? `${name} ${s.type}` : name;
};
const NUMBERED_STREET = /^\d+(?:ST|ND|RD|TH)\b/;

/**
 * Parses a block address.
 * @example parseUsAddress("026XX Canal St").block // 2600
 */
export function parseUsAddress(text: string): UsAddress {
  const entities: Entity[] = [];
  const segments = text.split(";");
  const main = (segments[0] ?? "").trim();
  const places = segments
    .slice(1)
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && !NOT_A_PLACE_NAME.test(s.toUpperCase().replace(/\s+/g, " ")));
  const place = places.join(" ");
  let rest = main;
  let city: string | null = null;
  // The city after one comma or more ("RIVERTON TECH,LAKE GROVE,WI"), or after a spaced dash
  // ("... PKWY - LAKE GROVE"), unless it is a unit ("..., APT 4").
  const comma =
    /^(.*?),\s*((?!(?:APT|UNIT|STE|SUITE)\b)[A-Za-z .]+(?:,\s*[A-Za-z .]+)*)$/i.exec(rest) ??
    /^(.*\S)\s+-\s+([A-Za-z .]+)$/.exec(rest);
  if (comma) {
    rest = (comma[1] as string).trim();
    city =
      (comma[2] as string)
        .trim()
        .toUpperCase()
        .replace(/\s*,\s*/g, ", ") || null;
  }
  let unit: string | null = null;
  const unitMatch = /\s*(?:#|\bAPT\b\.?|\bUNIT\b|\bSTE\b|\bSUITE\b)\s*([A-Za-z0-9-]+(?:\/[0-9]+)?)\s*$/i.exec(
    rest,
  );
  if (unitMatch) {
    unit = (unitMatch[1] as string).toUpperCase();
    rest = rest.slice(0, unitMatch.index).trim();
  }
  // "/" between digits is a fraction (27TH 1/2 ST); after a house number, AND and AT belong to the
  // street's name (9350 MEADOW AND VINE BLVD); "N ELM ST- E OAK ST" is a crossing.
  const housed = /^\d+[A-Z]?\s/i.test(rest);
  const separator = housed
    ? /\s*(?:(?<!\d)\/|\/(?!\d)|&|@)\s*/
    : /\s*(?:(?<!\d)\/|\/(?!\d)|&|\bAND\b|\bAT\b|@|(?<=[A-Z])-\s)\s*/i;
  // A stretch of road (12N BTWN ELM AND OAK) is named as a place: it has no block or corner.
  const stretch = /\b(?:BTWN|BETWEEN)\b/i.test(rest);
  const crossParts = stretch ? [rest] : rest.split(separator).filter(Boolean);
  let number: number | null = null;
  let block: number | null = null;
  let street: UsStreet | null = null;
  let cross: UsStreet | null = null;
  let numberText: string | null = null;
  if (crossParts.length === 2) {
    street = usStreet(crossParts[0] as string);
    cross = usStreet(crossParts[1] as string);
  } else {
    // 2600, 026XX, 4600-BLK or 1000 BLK (a block), 3017-A / 317A (a number and a unit letter),
    // 7200-7500 (a range: its first block, no door).
    const m = stretch
      ? null
      : /^(\d+X*|\d*X+)(?:(?:-|\s+)(BLK|BLOCK)\b|-?([A-Z])\b|-(\d+))?\s+(.+)$/i.exec(rest);
    if (m) {
      const raw = (m[1] as string).toUpperCase();
      const letter = m[3]?.toUpperCase();
      numberText = rest.slice(0, rest.length - (m[5] as string).length).trim();
      if (raw.includes("X") || m[2] !== undefined || m[4] !== undefined)
        block = Math.floor(Number(raw.replace(/X/g, "0")) / 100) * 100;
      else {
        number = Number(raw);
        block = Math.floor(number / 100) * 100;
        if (letter && unit === null) unit = letter;
      }
      street = usStreet(m[5] as string);
    } else
      street = rest && !stretch && /\b(ST|AVE|RD|BLVD|DR|LN|WAY|HWY)\b/i.test(rest) ? usStreet(rest) : null;
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
    if (block !== null && numberText !== null)
      entities.push(
        { label: "roadno", text: numberText },
        { label: "road", text: rest.slice(numberText.length).trim() },
      );
    else entities.push({ label: "road", text: rest });
  }
  if (unit) entities.push({ label: "roomno", text: unit });
  // In text order: a place written alone ("RIVERTON TECH, LAKE GROVE") comes before its city.
  if (!place && placeName) entities.push({ label: "poi", text: rest });
  if (comma) entities.push({ label: "city", text: (comma[2] as string).trim() });
  for (const seg of places) entities.push({ label: "poi", text: seg });
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
