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
/** Spelled-out ordinals of numbered streets (OLD MILL THIRD ST = OLD MILL 3RD ST, TWENTY-SEVENTH = 27TH). */
const ORDINAL_NUMBER: Readonly<Record<string, number>> = {
  FIRST: 1,
  SECOND: 2,
  THIRD: 3,
  FOURTH: 4,
  FIFTH: 5,
  SIXTH: 6,
  SEVENTH: 7,
  EIGHTH: 8,
  NINTH: 9,
  TENTH: 10,
  ELEVENTH: 11,
  TWELFTH: 12,
  THIRTEENTH: 13,
  FOURTEENTH: 14,
  FIFTEENTH: 15,
  SIXTEENTH: 16,
  SEVENTEENTH: 17,
  EIGHTEENTH: 18,
  NINETEENTH: 19,
  TWENTIETH: 20,
  THIRTIETH: 30,
  FORTIETH: 40,
  FIFTIETH: 50,
  SIXTIETH: 60,
  SEVENTIETH: 70,
  EIGHTIETH: 80,
  NINETIETH: 90,
};
const TENS: Readonly<Record<string, number>> = {
  TWENTY: 20,
  THIRTY: 30,
  FORTY: 40,
  FIFTY: 50,
  SIXTY: 60,
  SEVENTY: 70,
  EIGHTY: 80,
  NINETY: 90,
};
/** TWENTY-SEVENTH or TWENTYSEVENTH as one word. */
const TENS_ORDINAL = /^(TWENTY|THIRTY|FORTY|FIFTY|SIXTY|SEVENTY|EIGHTY|NINETY)-?([A-Z]+)$/;

/** 1 → 1ST, 2 → 2ND, 3 → 3RD, 11 → 11TH, 112 → 112TH. */
const ordinal = (n: number): string => {
  const last2 = n % 100;
  const last = n % 10;
  const suffix =
    last2 >= 11 && last2 <= 13 ? "TH" : last === 1 ? "ST" : last === 2 ? "ND" : last === 3 ? "RD" : "TH";
  return `${n}${suffix}`;
};

/** Spelled-out ordinals as numbers, in one word or two (TWENTY SEVENTH → 27TH). */
function spelledOrdinals(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    const unit = ORDINAL_NUMBER[words[i + 1] ?? ""];
    const joined = TENS_ORDINAL.exec(w);
    const joinedUnit = joined ? ORDINAL_NUMBER[joined[2] as string] : undefined;
    if (TENS[w] !== undefined && unit !== undefined && unit < 10) {
      out.push(ordinal(TENS[w] + unit));
      i++;
    } else if (joined && joinedUnit !== undefined && joinedUnit < 10)
      out.push(ordinal((TENS[joined[1] as string] as number) + joinedUnit));
    else out.push(ORDINAL_NUMBER[w] !== undefined ? ordinal(ORDINAL_NUMBER[w]) : w);
  }
  return out;
}
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
  /^(?:(?:IN THE |THE )?AREA(?: OF)?|NEAR(?: ?BY)?|X[ -]?(?:STREET )?FROM|ACROSS(?: FROM)?|IFO|BHND|BEHIND|(?:TO )?(?:THE )?(?:REAR|RIGHT|LEFT)(?: OF)?|(?:POSS(?:IBLE)?|APPROX)(?: ADDR(?:ESS)?| LOC(?:ATION)?)?|GRID [A-Z]-?\d+|#?\d+)$/;

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
  /** Directional before the name (W STATE ST). */
  readonly direction: string | null;
  readonly name: string;
  /** Street type (ST, AVE): part of the street, CANAL ST and CANAL AVE are two streets. */
  readonly type: string | null;
  /**
   * Directional after the name or type (HIGUERA S, KENT AVE N): kept apart from one before it,
   * since some cities have both 27TH ST N and N 27TH ST (USPS Pub. 28 has two fields).
   */
  readonly post: string | null;
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

/** Words of names written two ways (SAINT PAUL = ST PAUL). */
const NAME_WORD: Readonly<Record<string, string>> = { SAINT: "ST", MOUNT: "MT", FORT: "FT" };

const isType = (w: string): boolean => SUFFIXES.has(w) || SUFFIX[w] !== undefined;

/**
 * Normalises a street: "W STATE ST" → {W, STATE, ST}; "HIGUERA S" → {HIGUERA, post S};
 * "N TWENTY-SEVENTH STREET" → {N, 27TH, ST}; "AVENUE B" → {AVE B}.
 */
export function usStreet(text: string): UsStreet | null {
  const words = spelledOrdinals(
    text
      .toUpperCase()
      // N.W. is NW, not N and W.
      .replace(/\b([NS])\.\s?([EW])\./g, "$1$2")
      .replace(/[.,"]/g, " ")
      .split(/\s+/)
      .filter((w) => w.length > 0),
  );
  if (words.length === 0) return null;
  let direction: string | null = null;
  let type: string | null = null;
  let post: string | null = null;
  const first = words[0] as string;
  // NORTH ST and W AVE are streets named North and W, not a direction before a type.
  if (words.length > 1 && DIRECTION[first] && !(words.length === 2 && isType(words[1] as string))) {
    direction = DIRECTION[first] as string;
    words.shift();
  }
  // A directional after the street: abbreviated (HIGUERA S), or any after a type (MAIN STREET WEST);
  // AVE E is Avenue E.
  const tail = words.at(-1) as string;
  const beforeTail = words.at(-2);
  if (
    words.length > 1 &&
    DIRECTION[tail] &&
    (tail.length <= 2 || (beforeTail !== undefined && isType(beforeTail))) &&
    !(words.length === 2 && isType(beforeTail as string))
  ) {
    post = DIRECTION[tail] as string;
    words.pop();
  }
  const lastWord = words.at(-1) as string;
  if (words.length > 1 && isType(lastWord)) {
    type = SUFFIX[lastWord] ?? lastWord;
    words.pop();
  }
  // Type words left in the name are abbreviated too (HIGHWAY 100 = HWY 100, AVENUE B = AVE B).
  const named = words.map((w) => SUFFIX[w] ?? NAME_WORD[w] ?? w);
  // A bare number before a type is a numbered street (N 27 ST = N 27TH ST), not HWY 100.
  if (type !== null && named.length === 1 && /^\d+$/.test(named[0] as string))
    named[0] = ordinal(Number(named[0]));
  const name = named.join(" ");
  return name ? { direction, name, type, post } : null;
}

/** The street in a key: directional, name, type and directional after it, as written. */
const streetKey = (s: UsStreet): string =>
  [s.direction, s.name, s.type, s.post].filter((w): w is string => w !== null).join(" ");

/**
 * 2600, 026XX, 4600-BLK, 1000 BLK or 1000 BLOCK OF (a block), 3017-A / 317A (a number and a unit
 * letter), 7200-7500 (a range: its first block, no door), 1000 1/2 (door 1000's half, unit 1/2, as
 * "# 1/2" is), then the street.
 */
const NUMBER = /^(\d+X*|\d*X+)(?:(?:-|\s+)(BLK|BLOCK)\b(?:\s+OF\b)?|-?([A-Z])\b|-(\d+)|\s+(1\/2))?\s+(.+)$/i;

/**
 * A unit at the end: # and the words of USPS Pub. 28 Appendix C2 (APT, STE, UNIT ...); after a
 * word that is also a street's (ROOM, LOT, SPACE), only a number or a letter is a unit.
 */
const UNIT =
  /\s*(?:\b(?:APT|UNIT|STE|SUITE)(?:\b\.?|(?=\d))\s*#?|#)\s*([A-Za-z0-9-]+(?:\/[0-9]+)?)\s*$|\s*\b(?:APARTMENT|RM|ROOM|LOT|SPC|SPACE)\b\.?\s*#?\s*([A-Za-z]?\d[A-Za-z0-9-]*|[A-Za-z])\s*$/i;
/**
 * A unit named by where it is in the house (USPS Pub. 28 C2: UPPR, LOWR, REAR, FRNT, BSMT; a
 * duplex's upper and lower flats), read only after a street's type or a directional: WATER FRONT
 * is a street.
 */
const POSITION_UNIT = /\s+(UPPER|UPPR|UPR|LOWER|LOWR|LWR|REAR|FRONT|FRNT|BSMT|BASEMENT)$/i;
const POSITION: Readonly<Record<string, string>> = {
  UPPR: "UPPER",
  UPR: "UPPER",
  LOWR: "LOWER",
  LWR: "LOWER",
  FRNT: "FRONT",
  BSMT: "BASEMENT",
};
/** A unit's number without leading zeros (APT 03 = APT 3), upper case. */
const unitId = (u: string): string => u.toUpperCase().replace(/^0+(?=\d)/, "");

/** A unit written as a CAD segment of its own ("; LOT 14;", "; STE D;", "; UNIT 209;"). */
const UNIT_NOTE = /^(?:#|(?:APT|APARTMENT|UNIT|STE|SUITE|RM|ROOM|LOT|SPC|SPACE)\b\.?)\s*([A-Za-z0-9-]+)$/i;

/**
 * US state and Canadian province codes (USPS, Canada Post) that can end an address without a comma:
 * not ON (a word), CT (court), NE (northeast) or NB (northbound).
 */
const STATES =
  "AL|AK|AZ|AR|CA|CO|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|BC|AB|SK|MB|QC|NS|NL|PE|YT|NT|NU";
const TYPE_WORDS = [...SUFFIXES, ...Object.keys(SUFFIX)].join("|");
/** Tested first: the city's regex backtracks over the whole text, and few addresses end with a state. */
const ENDS_WITH_STATE = new RegExp(`\\s(?:${STATES})(?:\\s+\\d{5}(?:-\\d{4})?)?$`, "i");
/**
 * A city and its state written without a comma after the street's type (and a directional after
 * it, a route number or a letter: HWY 100, AVE B), or after a directional that ends a street without
 * a type ("... ST LAKE GROVE WI 53201", "... AVE B LAKE GROVE WI", "... PINE S RIVERTON CA"); the city
 * holds no type word (1000 N OAK AVE PA is not the city OAK AVE). After a name alone the city cannot
 * be told from the street's name.
 */
const CITY_AND_STATE = new RegExp(
  `^((?:.*[\\s/&@])?(?:(?:${TYPE_WORDS})\\.?(?:\\s+(?:N|S|E|W|NE|NW|SE|SW)\\.?|\\s+\\d+|\\s+[A-Z])?|\\S+\\s+(?:N|S|E|W)\\.?))\\s+((?!.*\\b(?:${TYPE_WORDS})\\b)[A-Z][A-Z .]*\\s(?:${STATES})(?:\\s+\\d{5}(?:-\\d{4})?)?)$`,
  "i",
);

/**
 * Parses a block address.
 * @example parseUsAddress("026XX Canal St").block // 2600
 */
export function parseUsAddress(text: string): UsAddress {
  const entities: Entity[] = [];
  // Quotes around the address (or around a part) are no part of it.
  const segments = text.replace(/"/g, " ").split(";");
  // Nor are a note in brackets ("(REAR)") and a dash or dot left at the end.
  const main = (segments[0] ?? "")
    .replace(/\([^)]*\)/g, " ")
    .replace(/[\s.-]+$/, "")
    .trim();
  let unit: string | null = null;
  // The unit as written, for its entity (the key's form may differ: UPR → UPPER, 03 → 3).
  let unitText: string | null = null;
  const notes = segments.slice(1).map((s) => s.trim());
  // A unit given in a segment of its own ("609 PALM; LOT 14;") is the unit, not a place: one
  // "LOT 14" poi key would join every lot 14 of the city.
  const unitNote = notes.map((s) => UNIT_NOTE.exec(s)).find((m) => m !== null);
  const places = notes.filter(
    (s) => s.length > 0 && !UNIT_NOTE.test(s) && !NOT_A_PLACE_NAME.test(s.toUpperCase().replace(/\s+/g, " ")),
  );
  const place = places.join(" ");
  let rest = main;
  let city: string | null = null;
  // The city after one comma or more ("RIVERTON TECH,LAKE GROVE,WI", "..., LAKE GROVE, WI 53201"),
  // after a spaced dash ("... PKWY - LAKE GROVE"), or with its state after a street type
  // ("... ST LAKE GROVE WI"), unless it is a unit ("..., APT 4", "..., UNIT B").
  const comma =
    /^(.*?),\s*((?!\s*(?:APT|APARTMENT|UNIT|STE|SUITE|RM|ROOM|LOT|SPC|SPACE)\b)[A-Za-z .()]+(?:,\s*[A-Za-z .()]+)*(?:\s+\d{5}(?:-\d{4})?)?)$/i.exec(
      rest,
    ) ??
    /^(.*\S)\s+-\s+([A-Za-z .]+)$/.exec(rest) ??
    (ENDS_WITH_STATE.test(rest) ? CITY_AND_STATE.exec(rest) : null);
  if (comma) {
    rest = (comma[1] as string).trim();
    city =
      (comma[2] as string)
        .trim()
        .toUpperCase()
        .replace(/\s*,\s*/g, ", ") || null;
  }
  const unitMatch = UNIT.exec(rest);
  const position = unitMatch ? null : POSITION_UNIT.exec(rest);
  const beforePosition = position
    ? rest.slice(0, position.index).split(/\s+/).at(-1)?.replace(/\./g, "").toUpperCase()
    : undefined;
  if (unitMatch) {
    unitText = (unitMatch[1] ?? unitMatch[2]) as string;
    unit = unitId(unitText);
    rest = rest.slice(0, unitMatch.index).trim();
  } else if (
    position &&
    beforePosition !== undefined &&
    (isType(beforePosition) || DIRECTION[beforePosition])
  ) {
    const word = (position[1] as string).toUpperCase();
    unitText = position[1] as string;
    unit = POSITION[word] ?? word;
    rest = rest.slice(0, position.index).trim();
  } else if (unitNote) {
    unitText = unitNote[1] as string;
    unit = unitId(unitText);
  }
  // "/" between digits is a fraction (27TH 1/2 ST); after a house number, AND and AT belong to the
  // street's name (9350 MEADOW AND VINE BLVD); "N ELM ST- E OAK ST" is a crossing.
  // A number before a type word names a street, it is no door ("27 ST N & OAK AVE").
  const numberFirst = /^(?:\d+X*|\d*X+)[A-Z]?\s+([^\s.]+)/i.exec(rest);
  const afterNumber = (numberFirst?.[1] ?? "").toUpperCase();
  // ... and so does a number before AND or AT ("84 AND ELM": 84TH at ELM).
  const housed =
    numberFirst !== null && !isType(afterNumber) && afterNumber !== "AND" && afterNumber !== "AT";
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
    // A block written before a crossing ("1000 ELM ST / OAK AVE") is that block at the corner:
    // the road key of the block, no door.
    const first = crossParts[0] as string;
    const m = housed ? NUMBER.exec(first) : null;
    if (m) {
      numberText = first.slice(0, first.length - (m[6] as string).length).trim();
      block = Math.floor(Number((m[1] as string).toUpperCase().replace(/X/g, "0")) / 100) * 100;
    }
    street = usStreet(m ? (m[6] as string) : first);
    cross = usStreet(crossParts[1] as string);
  } else {
    const m = stretch ? null : NUMBER.exec(rest);
    if (m) {
      const raw = (m[1] as string).toUpperCase();
      const letter = m[3]?.toUpperCase();
      numberText = rest.slice(0, rest.length - (m[6] as string).length).trim();
      if (raw.includes("X") || m[2] !== undefined || m[4] !== undefined)
        block = Math.floor(Number(raw.replace(/X/g, "0")) / 100) * 100;
      else {
        number = Number(raw);
        block = Math.floor(number / 100) * 100;
        if (letter && unit === null) unit = letter;
        if (m[5] !== undefined && unit === null) unit = "1/2";
      }
      street = usStreet(m[6] as string);
    } else
      street = rest && !stretch && /\b(ST|AVE|RD|BLVD|DR|LN|WAY|HWY)\b/i.test(rest) ? usStreet(rest) : null;
  }
  const placeName =
    place ||
    (street === null && cross === null && rest && !NOT_A_PLACE.test(rest) ? rest.toUpperCase() : null);
  // Entities: road number, road(s), unit, place, the rest redundant.
  if (street && cross) {
    const first = (crossParts[0] as string).trim();
    if (numberText !== null)
      entities.push(
        { label: "roadno", text: numberText },
        { label: "road", text: first.slice(numberText.length).trim() },
      );
    else entities.push({ label: "road", text: first });
    entities.push({ label: "road", text: (crossParts[1] as string).trim() });
  } else if (street) {
    if (block !== null && numberText !== null)
      entities.push(
        { label: "roadno", text: numberText },
        { label: "road", text: rest.slice(numberText.length).trim() },
      );
    else entities.push({ label: "road", text: rest });
  }
  if (unit) entities.push({ label: "roomno", text: unitText ?? unit });
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
 * The type a deployment writes each of its streets with, for the spellings that leave it out
 * (4715 W VLIET for 4715 W VLIET ST): learned from the streets of its place dictionary (`recur
 * address learn` counts the roads of its own imported addresses). A name written there with
 * two types (CANAL ST and CANAL AVE: two streets) gets none, so its spellings without a type stay
 * apart from both.
 * @example
 * new UsStreetTypes(["W VLIET ST"]).typed(usStreet("W VLIET")!); // { ..., type: "ST" }
 */
export class UsStreetTypes {
  /** Street without its type → its one type, or null when the deployment writes two. */
  readonly #types = new Map<string, string | null>();

  constructor(streets: Iterable<string>) {
    for (const text of streets) {
      if (!isLatinAddress(text)) continue;
      const street = usStreet(text);
      if (street?.type == null) continue;
      const key = streetKey({ ...street, type: null });
      const known = this.#types.get(key);
      this.#types.set(key, known === undefined || known === street.type ? street.type : null);
    }
  }

  /** Streets with a type learned. */
  get size(): number {
    return this.#types.size;
  }

  /** The street with its learned type when written without one; else as it is. */
  typed(street: UsStreet): UsStreet {
    if (street.type !== null || this.#types.size === 0) return street;
    const type = this.#types.get(streetKey(street));
    return type ? { ...street, type } : street;
  }
}

/**
 * Location keys of a US address: road = hundred block + street ("2600 CANAL ST"), building = exact
 * number when known, room = unit, cross = both streets sorted, poi = the named place on its street
 * or crossing ("STARBUCKS @ HIGUERA S": a chain's stores on two streets are two places), or
 * alone when no street is written. A street written without its type takes the one `types` knows.
 */
export function usKeys(a: UsAddress, scope = "", types?: UsStreetTypes): LocationKeys {
  const prefix = scope ? `US:${scope}:` : "US:";
  const street = a.street && types ? types.typed(a.street) : a.street;
  const crossing = a.cross && types ? types.typed(a.cross) : a.cross;
  const road = street && a.block !== null ? `${prefix}${a.block} ${streetKey(street)}` : null;
  const building = street && a.number !== null ? `${prefix}${a.number} ${streetKey(street)}` : null;
  const cross =
    street && crossing ? `${prefix}X:${[streetKey(street), streetKey(crossing)].sort().join(" & ")}` : null;
  const where = cross ? cross.slice(prefix.length + 2) : street ? streetKey(street) : null;
  return {
    poi: a.place ? `${prefix}P:${a.place}${where ? ` @ ${where}` : ""}` : null,
    building,
    unit: null,
    room: building && a.unit ? `${building} #${a.unit}` : null,
    road,
    cross,
  };
}
