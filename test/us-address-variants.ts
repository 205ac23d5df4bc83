/**
 * A generator of the spellings police exports and call-takers write for one US or Canadian block
 * address (docs/address.md "Keys and levels", the paragraph on US block addresses): masked
 * hundred blocks (10XX, 010XX, 10xx, 1000-1099, 1000 BLK, 1000 BLOCK OF), exact doors, units,
 * street types and directionals in their USPS Pub. 28 forms and spelled out, numbered streets
 * (27TH, 27, TWENTY-SEVENTH), a city after the street, case, spaces and punctuation, and
 * crossings in either order with every separator. Invented or generic street names only (MAIN ST,
 * QUAIL ST, LAKE GROVE), never rows of an export; randomness comes from a seed.
 *
 * Groups are measured with `measureVariants` of test/address-variants.ts: each group is one place
 * and must get one key at each level it names; groups of different places (the 100 and the 1000
 * block, N 27TH ST and S 27TH ST, CANAL ST and CANAL AVE, 27TH ST N and N 27TH ST) must never share
 * one. It lives in test/, not src/address: the store's fingerprint of the address rules reads every
 * source of src/address but its tests.
 */
import { type KeyLevel, seeded, type VariantGroup } from "./address-variants.ts";

/** A street as USPS Pub. 28 writes it: directional, name (or a numbered street's number), type, directional after. */
interface Street {
  readonly pre?: string;
  readonly name?: string;
  /** A numbered street: 27 for 27TH. */
  readonly nth?: number;
  readonly type?: string;
  readonly post?: string;
  /** The type word comes first (AVE B, HWY 100). */
  readonly lead?: string;
  /** Ways the name itself is written (SAINT QUAIL, ST QUAIL). */
  readonly spelt?: readonly string[];
}

const STREETS: readonly Street[] = [
  { name: "MAIN", type: "ST" },
  { pre: "W", name: "MAIN", type: "ST" },
  { pre: "E", name: "MAIN", type: "ST" },
  { name: "MAIN", type: "ST", post: "W" },
  { name: "CANAL", type: "ST" },
  { name: "CANAL", type: "AVE" },
  { name: "CANAL", type: "BLVD" },
  { name: "QUAIL", type: "ST" },
  { name: "MEADOW", type: "ST" },
  { name: "MORROW", type: "ST" },
  { pre: "N", name: "OAK", type: "AVE" },
  { pre: "S", name: "CEDAR", type: "RD" },
  { name: "WILLOW", type: "DR" },
  { pre: "W", name: "LAKE GROVE", type: "PKWY" },
  { name: "HAZEL", type: "CT" },
  { name: "HAZEL", type: "PL" },
  { name: "LINDEN", type: "LN" },
  { name: "ORCHARD", type: "TER" },
  { pre: "E", name: "RIVER", type: "HWY" },
  { name: "WEST", type: "AVE" },
  { name: "NORTH", type: "ST" },
  { name: "PINE", post: "S" },
  { pre: "N", nth: 27, type: "ST" },
  { pre: "S", nth: 27, type: "ST" },
  { pre: "N", nth: 27, type: "PL" },
  { nth: 27, type: "ST", post: "N" },
  { pre: "NW", nth: 27, type: "ST" },
  { pre: "W", nth: 1, type: "AVE" },
  { pre: "E", nth: 2, type: "ST" },
  { pre: "N", nth: 3, type: "ST" },
  { pre: "W", nth: 11, type: "AVE" },
  { pre: "N", nth: 13, type: "ST" },
  { pre: "N", nth: 21, type: "ST" },
  { pre: "W", nth: 40, type: "AVE" },
  { pre: "N", nth: 112, type: "ST" },
  { lead: "AVE", name: "B" },
  { lead: "AVE", name: "C" },
  { lead: "HWY", name: "100" },
  { name: "ST QUAIL", type: "AVE", spelt: ["ST QUAIL", "SAINT QUAIL", "ST. QUAIL"] },
  { name: "MT QUAIL", type: "ST", spelt: ["MT QUAIL", "MOUNT QUAIL"] },
  // Words that are also state codes: CT (Connecticut), NE (Nebraska).
  { pre: "N", name: "ASPEN", type: "CT" },
  { pre: "N", name: "BIRCH", type: "ST", post: "NE" },
];

/** USPS Pub. 28 types with their spelled-out forms and Appendix C1 variants. */
const TYPES: Readonly<Record<string, readonly string[]>> = {
  ST: ["ST", "STREET", "St.", "Street", "STR"],
  AVE: ["AVE", "AVENUE", "AV", "Ave.", "AVEN"],
  BLVD: ["BLVD", "BOULEVARD", "BL", "Blvd."],
  RD: ["RD", "ROAD", "Rd."],
  DR: ["DR", "DRIVE", "DRV"],
  HWY: ["HWY", "HIGHWAY"],
  PKWY: ["PKWY", "PARKWAY", "PKY"],
  CT: ["CT", "COURT", "CRT"],
  PL: ["PL", "PLACE"],
  LN: ["LN", "LANE"],
  TER: ["TER", "TERRACE", "TERR"],
};
const DIRECTIONS: Readonly<Record<string, readonly string[]>> = {
  N: ["N", "NORTH", "N.", "North"],
  S: ["S", "SOUTH", "S.", "South"],
  E: ["E", "EAST", "E.", "East"],
  W: ["W", "WEST", "W.", "West"],
  NW: ["NW", "NORTHWEST", "N.W."],
  NE: ["NE", "NORTHEAST"],
};
/** After a street without a type only the letter is a directional (PINE S; PINE SOUTH is a name). */
const POST_WITHOUT_TYPE: Readonly<Record<string, readonly string[]>> = {
  S: ["S"],
  N: ["N"],
  E: ["E"],
  W: ["W"],
};

const UNITS = ["FIRST", "SECOND", "THIRD", "FOURTH", "FIFTH", "SIXTH", "SEVENTH", "EIGHTH", "NINTH"];
const TEENS = [
  "TENTH",
  "ELEVENTH",
  "TWELFTH",
  "THIRTEENTH",
  "FOURTEENTH",
  "FIFTEENTH",
  "SIXTEENTH",
  "SEVENTEENTH",
  "EIGHTEENTH",
  "NINETEENTH",
];
const TENS = ["", "", "TWENTY", "THIRTY", "FORTY", "FIFTY", "SIXTY", "SEVENTY", "EIGHTY", "NINETY"];
const TENTHS = [
  "",
  "",
  "TWENTIETH",
  "THIRTIETH",
  "FORTIETH",
  "FIFTIETH",
  "SIXTIETH",
  "SEVENTIETH",
  "EIGHTIETH",
  "NINETIETH",
];

/** 27 → 27TH, 1 → 1ST, 12 → 12TH. */
export const ordinal = (n: number): string => {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? "TH" : (["TH", "ST", "ND", "RD"][n % 10] ?? "TH");
  return `${n}${suffix}`;
};

/** 27 → TWENTY-SEVENTH (and joined by a space or nothing); null above 99. */
export function spelledOrdinals(n: number): string[] {
  if (n < 10) return [UNITS[n - 1] as string];
  if (n < 20) return [TEENS[n - 10] as string];
  if (n > 99) return [];
  const tens = Math.floor(n / 10);
  if (n % 10 === 0) return [TENTHS[tens] as string];
  const unit = UNITS[(n % 10) - 1] as string;
  const t = TENS[tens] as string;
  return [`${t}-${unit}`, `${t} ${unit}`, `${t}${unit}`];
}

/** Cities after the street: none, a CAD code, with a comma, with a state and a ZIP, without a comma. */
const CITIES = [
  "",
  "",
  "",
  ",MKE",
  ",RVT",
  ", LAKE GROVE",
  ", SAN LUIS OBISPO",
  " LAKE GROVE WI",
  ", LAKE GROVE, WI",
  ", LAKE GROVE, WI 53201",
  " RIVERTON CA 93401",
  ";",
  ".",
  "-",
];

const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;

export const streetId = (s: Street): string =>
  [s.pre, s.lead, s.name, s.nth === undefined ? undefined : ordinal(s.nth), s.type, s.post]
    .filter(Boolean)
    .join(" ");

/**
 * Cities written without a comma: after a street written with a directional after its type, a
 * word such as WEST could start the city (WEST ALLIS) or end the street, so those streets are
 * spelt with the others only.
 */
const cityFor = (rand: () => number, s: Street): string => {
  const city = pick(rand, CITIES);
  return s.post && /^ [A-Z]/.test(city) ? `,${city}` : city;
};

/** One spelling of a street. */
function spellStreet(rand: () => number, s: Street): string {
  const words: string[] = [];
  if (s.pre) words.push(pick(rand, DIRECTIONS[s.pre] as readonly string[]));
  if (s.lead) words.push(pick(rand, TYPES[s.lead] as readonly string[]));
  if (s.name) words.push(s.spelt ? pick(rand, s.spelt) : s.name);
  if (s.nth !== undefined) {
    // A bare number is a numbered street only before a type.
    const forms = [
      ordinal(s.nth),
      ordinal(s.nth),
      ...spelledOrdinals(s.nth),
      ...(s.type ? [String(s.nth)] : []),
    ];
    words.push(pick(rand, forms));
  }
  if (s.type) words.push(pick(rand, TYPES[s.type] as readonly string[]));
  if (s.post) words.push(pick(rand, (s.type ? DIRECTIONS : POST_WITHOUT_TYPE)[s.post] as readonly string[]));
  return words.join(" ");
}

/** Case and spacing as exports write them: upper, lower or title case, doubled or outer spaces. */
function dress(rand: () => number, text: string): string {
  const r = rand();
  let t =
    r < 0.55
      ? text.toUpperCase()
      : r < 0.75
        ? text.toLowerCase()
        : text.toLowerCase().replace(/\b[a-z]/g, (c) => c.toUpperCase());
  if (rand() < 0.15) t = t.replace(/ /g, "  ");
  if (rand() < 0.1) t = ` ${t} `;
  if (rand() < 0.05) t = `"${t.trim()}"`;
  return t;
}

/** A hundred block written as the exports mask it. */
function spellBlock(rand: () => number, block: number): string {
  const h = block / 100;
  return pick(rand, [
    `${h}XX`,
    `0${h}XX`,
    `${String(h).padStart(3, "0")}XX`,
    `${h}xx`,
    `${block}-${block + 99}`,
    `${block} BLK`,
    `${block}-BLK`,
    `${block} BLOCK`,
    `${block} BLOCK OF`,
    `${block} block of`,
    `${block} BLK OF`,
  ]);
}

function spellings(per: number, make: () => string): string[] {
  const out = new Set<string>();
  for (let i = 0; i < per * 4 && out.size < per; i++) out.add(make());
  return [...out];
}

const BLOCKS = [100, 1000, 1100, 2600];

function blocks(rand: () => number, per: number): VariantGroup[] {
  return STREETS.flatMap((s) =>
    BLOCKS.map((b) => ({
      name: `${b} block of ${streetId(s)}`,
      ids: { road: `${b} ${streetId(s)}` },
      none: ["building"] as KeyLevel[],
      spellings: spellings(per, () =>
        dress(rand, `${spellBlock(rand, b)} ${spellStreet(rand, s)}${cityFor(rand, s)}`),
      ),
    })),
  );
}

function doors(rand: () => number, per: number): VariantGroup[] {
  return STREETS.flatMap((s) =>
    [1042, 1142, 142].map((d) => ({
      name: `${d} ${streetId(s)}`,
      ids: { building: `${d} ${streetId(s)}`, road: `${Math.floor(d / 100) * 100} ${streetId(s)}` },
      spellings: spellings(per, () =>
        dress(rand, `${pick(rand, [`${d}`, `${d}`, `0${d}`])} ${spellStreet(rand, s)}${cityFor(rand, s)}`),
      ),
    })),
  );
}

/** A unit after the door: #, APT, UNIT, STE, spelled out, after a comma or in a CAD segment of its own. */
const UNIT_FORMS: readonly ((u: string) => string)[] = [
  (u) => ` APT ${u}`,
  (u) => ` #${u}`,
  (u) => ` # ${u}`,
  (u) => ` UNIT ${u}`,
  (u) => ` APT. ${u}`,
  (u) => `, APT ${u}`,
  (u) => ` APARTMENT ${u}`,
  (u) => `, UNIT ${u}`,
  (u) => ` STE ${u}`,
  (u) => `; APT ${u};`,
  (u) => ` APT #${u}`,
  (u) => ` UNIT #${u}`,
  // APT glued to a number only: APTB could be a word.
  (u) => (/^\d/.test(u) ? ` APT${u}` : ` APT ${u}`),
  (u) => (/^\d/.test(u) ? ` # 0${u}` : ` # ${u}`),
];

/** A duplex's flats named by where they are, in USPS Pub. 28 C2 forms. */
const POSITIONS: Readonly<Record<string, readonly string[]>> = {
  UPPER: ["UPPER", "UPR", "UPPR"],
  LOWER: ["LOWER", "LWR", "LOWR"],
  REAR: ["REAR"],
};

function positions(rand: () => number, per: number): VariantGroup[] {
  return [STREETS[22], STREETS[10], STREETS[1]].flatMap((s) =>
    Object.entries(POSITIONS).map(([flat, words]) => ({
      name: `2105 ${streetId(s as Street)} ${flat}`,
      ids: {
        room: `2105 ${streetId(s as Street)} #${flat}`,
        building: `2105 ${streetId(s as Street)}`,
        road: `2100 ${streetId(s as Street)}`,
      },
      spellings: spellings(Math.ceil(per / 2), () =>
        dress(
          rand,
          `2105 ${spellStreet(rand, s as Street)} ${pick(rand, words)}${pick(rand, ["", ",MKE", ", LAKE GROVE"])}`,
        ),
      ),
    })),
  );
}

function units(rand: () => number, per: number): VariantGroup[] {
  return STREETS.slice(0, 12).flatMap((s) =>
    ["3", "B", "12"].map((u) => ({
      name: `1042 ${streetId(s)} unit ${u}`,
      ids: {
        room: `1042 ${streetId(s)} #${u}`,
        building: `1042 ${streetId(s)}`,
        road: `1000 ${streetId(s)}`,
      },
      spellings: spellings(per, () =>
        dress(rand, `1042 ${spellStreet(rand, s)}${pick(rand, UNIT_FORMS)(u)}`),
      ),
    })),
  );
}

const SEPARATORS = ["/", " / ", "/ ", "&", " & ", " AND ", " and ", " @ ", " at ", " AT "];
/** After a block, AND and AT belong to a street's name (9350 MEADOW AND VINE BLVD). */
const SEPARATORS_AFTER_A_NUMBER = ["/", " / ", " & ", " @ "];

const CROSSINGS: readonly [number, number][] = [
  [7, 8], // QUAIL ST & MEADOW ST
  [7, 9], // QUAIL ST & MORROW ST: another corner
  [4, 8], // CANAL ST & MEADOW ST
  [5, 8], // CANAL AVE & MEADOW ST
  [22, 10], // N 27TH ST & N OAK AVE
  [23, 10], // S 27TH ST & N OAK AVE
  [25, 10], // 27TH ST N & N OAK AVE
  [24, 10], // N 27TH PL & N OAK AVE
  [1, 28], // W MAIN ST & E 2ND ST
  [2, 28], // E MAIN ST & E 2ND ST
  [3, 28], // MAIN ST W & E 2ND ST
  [13, 35], // W LAKE GROVE PKWY & AVE B
  [12, 37], // WILLOW DR & HWY 100
  [7, 7], // QUAIL ST & QUAIL ST: the same street twice
];

function crossings(rand: () => number, per: number): VariantGroup[] {
  const groups: VariantGroup[] = [];
  for (const [i, j] of CROSSINGS) {
    const a = STREETS[i] as Street;
    const b = STREETS[j] as Street;
    const id = [streetId(a), streetId(b)].sort().join(" & ");
    const two = () => (rand() < 0.5 ? [a, b] : [b, a]).map((s) => spellStreet(rand, s)) as [string, string];
    groups.push({
      name: `corner ${id}`,
      ids: { cross: id },
      none: ["building"],
      spellings: spellings(per, () => {
        const [x, y] = two();
        return dress(rand, `${x}${pick(rand, SEPARATORS)}${y}${cityFor(rand, a.post ? a : b)}`);
      }),
    });
    if (i === j) continue;
    // The block of the first street written before the corner.
    groups.push({
      name: `1000 block of ${streetId(a)} at ${streetId(b)}`,
      ids: { cross: id, road: `1000 ${streetId(a)}` },
      none: ["building"],
      spellings: spellings(Math.ceil(per / 2), () =>
        dress(
          rand,
          `${pick(rand, ["1000", "10XX", "1000 BLK", "1042"])} ${spellStreet(rand, a)}${pick(rand, SEPARATORS_AFTER_A_NUMBER)}${spellStreet(rand, b)}`,
        ),
      ),
    });
  }
  return groups;
}

/** A CAD note after the place, which changes nothing (SLO: "1466 ELM; AREA OF;"). */
const NOTES = ["", "", "; AREA OF;", "; IFO;", "; REAR OF;", "; X FROM;", ";"];

/**
 * Named places after the address, as CAD writes them ("2000 QUAIL ST; FUEL STOP;"): the same place
 * at any door of its street, and a chain's stores on two streets as two places.
 */
function places(rand: () => number, per: number): VariantGroup[] {
  const sites: [Street, number[]][] = [
    [STREETS[7] as Street, [2000, 2010, 2042]],
    [STREETS[8] as Street, [300]],
    [STREETS[22] as Street, [1042]],
    [STREETS[23] as Street, [1042]],
  ];
  return ["FUEL STOP", "PINE COURT APTS"].flatMap((name) =>
    sites.map(([s, doors]) => ({
      name: `${name} on ${streetId(s)}`,
      ids: { poi: `${name} @ ${streetId(s)}` },
      spellings: spellings(per, () =>
        dress(
          rand,
          `${pick(rand, doors)} ${spellStreet(rand, s)}; ${name}${pick(rand, [";", ""])}${pick(rand, NOTES)}`,
        ),
      ),
    })),
  );
}

export interface UsVariantOptions {
  readonly seed?: number;
  /** Spellings per group (fewer when the generator runs out of different ones). */
  readonly perGroup?: number;
}

/**
 * Groups of spellings of invented US places.
 * @example measureVariants(createAddressLocator().locate, usVariantCorpus({ seed: 1 }))
 */
export function usVariantCorpus(options: UsVariantOptions = {}): VariantGroup[] {
  const rand = seeded(options.seed ?? 1);
  const per = options.perGroup ?? 16;
  return [
    ...blocks(rand, per),
    ...doors(rand, per),
    ...units(rand, per),
    ...crossings(rand, per),
    ...places(rand, per),
    ...positions(rand, per),
  ];
}
