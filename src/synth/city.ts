import { pinyin } from "pinyin-pro";
import { type LocationKeys, seededRandom } from "../domain/index.ts";
import {
  CHINESE_ORDINALS,
  CITY_SHORT,
  COMPANY_SUFFIXES,
  COMPOUND_CLASSICS,
  COMPOUND_FIRST,
  COMPOUND_SECOND,
  COMPOUND_SUFFIXES,
  COMPOUND_WORDS_1,
  COMPOUND_WORDS_2,
  type CompoundSuffix,
  DISTRICTS,
  type DistrictSpec,
  HOMOPHONES,
  LOOKALIKES,
  ROAD_BASES,
  SHOP_NAME_CHARS,
  SHOP_PREFIXES,
  SHOP_TYPES,
  type ShopKind,
} from "./names.ts";
import { between, chance, shuffle } from "./rng.ts";

/**
 * The fixed geography of 澜江市: districts, branches, stations, police areas, communities,
 * a road grid with house numbers, residential compounds with buildings, units and rooms, and
 * street places (shops, markets, schools, hospitals, police stations, building sites). It is
 * built from a constant seed, so the city is the same for every incident seed and can be
 * documented (docs/synthetic-city.md). Coordinates are GCJ-02.
 */

export interface District {
  readonly index: number;
  readonly spec: DistrictSpec;
  readonly stations: Station[];
  readonly roads: Road[];
  readonly crossings: Crossing[];
}

export interface Station {
  readonly index: number;
  readonly district: District;
  /** 春华 */
  readonly street: string;
  /** 春华派出所 */
  readonly name: string;
  readonly lon: number;
  readonly lat: number;
  readonly areas: Area[];
}

export interface Area {
  readonly index: number;
  readonly station: Station;
  /** 春华一警务区 */
  readonly name: string;
  readonly communities: string[];
  readonly lon: number;
  readonly lat: number;
}

export interface Road {
  readonly index: number;
  readonly district: District;
  readonly name: string;
  readonly direction: "ew" | "ns";
  /** Latitude of an east-west road, longitude of a north-south one. */
  readonly fixed: number;
  /** Western (ew) or southern (ns) end. */
  readonly from: number;
  readonly maxNumber: number;
  /** House numbers taken by compounds and street places; plain road addresses avoid them. */
  readonly reserved: Set<number>;
}

export interface Crossing {
  readonly index: number;
  readonly a: Road;
  readonly b: Road;
  readonly lon: number;
  readonly lat: number;
  readonly station: Station;
  readonly area: Area;
}

export interface BuildingSpec {
  readonly units: number;
  readonly floors: number;
  readonly roomsPerFloor: number;
}

export interface Compound {
  readonly index: number;
  /** 锦绣 */
  readonly base: string;
  /** Empty for four-character names written without one (世纪港湾). */
  readonly suffix: CompoundSuffix;
  /** 锦绣花园 */
  readonly name: string;
  /** Homophone misspellings of the base that name no other place. */
  readonly typos: readonly string[];
  readonly station: Station;
  readonly area: Area;
  readonly community: string;
  readonly lon: number;
  readonly lat: number;
  readonly buildings: readonly BuildingSpec[];
  readonly gateRoad: Road;
  readonly gateNumber: number;
}

export type PoiKind = "shop" | "market" | "school" | "hospital" | "police" | "site" | "company" | "office";

export interface Poi {
  readonly index: number;
  readonly kind: PoiKind;
  readonly shopKind: ShopKind | null;
  readonly name: string;
  readonly road: Road;
  readonly number: number;
  readonly station: Station;
  readonly area: Area;
  readonly lon: number;
  readonly lat: number;
}

export interface City {
  readonly districts: readonly District[];
  readonly stations: readonly Station[];
  readonly areas: readonly Area[];
  readonly roads: readonly Road[];
  readonly crossings: readonly Crossing[];
  readonly compounds: readonly Compound[];
  readonly pois: readonly Poi[];
  readonly poisByKind: Readonly<Record<PoiKind, readonly Poi[]>>;
  readonly shopsByKind: ReadonlyMap<ShopKind, readonly Poi[]>;
}

/** One true place of an event, down to the finest level known. */
export type Place =
  | {
      readonly kind: "flat";
      readonly compound: Compound;
      readonly building: number;
      readonly unit: number;
      readonly room: number;
    }
  | { readonly kind: "building"; readonly compound: Compound; readonly building: number }
  | { readonly kind: "compound"; readonly compound: Compound }
  | { readonly kind: "poi"; readonly poi: Poi }
  | { readonly kind: "road"; readonly road: Road; readonly number: number }
  | { readonly kind: "cross"; readonly crossing: Crossing };

export const CITY_SEED = 20240101;
/** Metres per degree at the city's latitude. */
const M_PER_DEG_LAT = 110_900;
const M_PER_DEG_LON = 97_070;
/** Distance along a road between two consecutive odd (or even) house numbers. */
const NUMBER_SPACING_M = 18;

export function metresBetween(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const dx = (lon1 - lon2) * M_PER_DEG_LON;
  const dy = (lat1 - lat2) * M_PER_DEG_LAT;
  return Math.sqrt(dx * dx + dy * dy);
}

export function offsetPoint(lon: number, lat: number, eastM: number, northM: number): [number, number] {
  return [lon + eastM / M_PER_DEG_LON, lat + northM / M_PER_DEG_LAT];
}

/** Position of a house number: odd numbers on the north/east side, even on the south/west. */
export function roadPoint(road: Road, number: number): [number, number] {
  const along = Math.floor((number - 1) / 2) * NUMBER_SPACING_M + 10;
  const side = number % 2 === 1 ? 12 : -12;
  return road.direction === "ew"
    ? [road.from + along / M_PER_DEG_LON, road.fixed + side / M_PER_DEG_LAT]
    : [road.fixed + side / M_PER_DEG_LON, road.from + along / M_PER_DEG_LAT];
}

/** Nearest house number of a road to a point. */
function nearestNumber(road: Road, lon: number, lat: number, odd: boolean): number {
  const along =
    road.direction === "ew" ? (lon - road.from) * M_PER_DEG_LON : (lat - road.from) * M_PER_DEG_LAT;
  const k = Math.max(0, Math.round((along - 10) / NUMBER_SPACING_M));
  const n = 2 * k + (odd ? 1 : 2);
  return Math.min(Math.max(1, n), road.maxNumber - (odd ? 1 : 0));
}

export function stationAt(district: District, lon: number, lat: number): Station {
  let best = district.stations[0]!;
  let bestD = Number.POSITIVE_INFINITY;
  for (const s of district.stations) {
    const d = metresBetween(lon, lat, s.lon, s.lat);
    if (d < bestD) {
      bestD = d;
      best = s;
    }
  }
  return best;
}

export function areaAt(station: Station, lon: number, lat: number): Area {
  let best = station.areas[0]!;
  let bestD = Number.POSITIVE_INFINITY;
  for (const a of station.areas) {
    const d = metresBetween(lon, lat, a.lon, a.lat);
    if (d < bestD) {
      bestD = d;
      best = a;
    }
  }
  return best;
}

/** Coordinates (GCJ-02) of a place's centre. */
export function placePoint(place: Place): [number, number] {
  switch (place.kind) {
    case "flat":
    case "building": {
      const c = place.compound;
      const b = place.building - 1;
      return offsetPoint(c.lon, c.lat, ((b % 6) - 2.5) * 35, (Math.floor(b / 6) - 2) * 40);
    }
    case "compound":
      return [place.compound.lon, place.compound.lat];
    case "poi":
      return [place.poi.lon, place.poi.lat];
    case "road":
      return roadPoint(place.road, place.number);
    case "cross":
      return [place.crossing.lon, place.crossing.lat];
  }
}

export function placeStation(place: Place): { station: Station; area: Area } {
  switch (place.kind) {
    case "flat":
    case "building":
    case "compound":
      return { station: place.compound.station, area: place.compound.area };
    case "poi":
      return { station: place.poi.station, area: place.poi.area };
    case "cross":
      return { station: place.crossing.station, area: place.crossing.area };
    case "road": {
      const [lon, lat] = roadPoint(place.road, place.number);
      const station = stationAt(place.road.district, lon, lat);
      return { station, area: areaAt(station, lon, lat) };
    }
  }
}

/**
 * The true location keys of a place, in the sense of src/domain/location.ts: poi = compound
 * or street place, building = building of a compound or the road number of a street address,
 * unit, room, road = road + house number, cross = an intersection. These are internal truth
 * keys: they never appear in the export.
 */
export function placeKeys(place: Place): LocationKeys {
  switch (place.kind) {
    case "flat": {
      const b = `c${place.compound.index}/${place.building}`;
      const u = `${b}/${place.unit}`;
      return {
        poi: `c${place.compound.index}`,
        building: b,
        unit: u,
        room: `${u}/${place.room}`,
        road: null,
        cross: null,
      };
    }
    case "building":
      return {
        poi: `c${place.compound.index}`,
        building: `c${place.compound.index}/${place.building}`,
        unit: null,
        room: null,
        road: null,
        cross: null,
      };
    case "compound":
      return {
        poi: `c${place.compound.index}`,
        building: null,
        unit: null,
        room: null,
        road: null,
        cross: null,
      };
    case "poi": {
      const r = `r${place.poi.road.index}#${place.poi.number}`;
      return { poi: `p${place.poi.index}`, building: r, unit: null, room: null, road: r, cross: null };
    }
    case "road": {
      const r = `r${place.road.index}#${place.number}`;
      return { poi: null, building: r, unit: null, room: null, road: r, cross: null };
    }
    case "cross":
      return {
        poi: null,
        building: null,
        unit: null,
        room: null,
        road: null,
        cross: `x${place.crossing.index}`,
      };
  }
}

/** Police stations and hospitals: excluded from place series by the repeat definitions. */
export function isExcludedPlace(place: Place): boolean {
  return place.kind === "poi" && (place.poi.kind === "police" || place.poi.kind === "hospital");
}

export function isSuburban(place: Place): boolean {
  return placeStation(place).station.district.spec.suburban;
}

/** Two-character combinations that name real, famous places. */
const REAL_PLACES = new Set([
  "香港",
  "西湖",
  "东湖",
  "南京",
  "北京",
  "青岛",
  "西安",
  "龙泉",
  "金华",
  "丽江",
  "云南",
  "江山",
  "泰山",
]);

function toneless(text: string): string {
  return pinyin(text, { toneType: "none", type: "array" }).join(" ");
}

/** Compound base names: unique text and unique toneless pinyin, so homophone typos stay recoverable. */
function compoundBasePool(): { bases: string[]; readings: Map<string, string> } {
  const words = new Set<string>([...COMPOUND_WORDS_1, ...COMPOUND_WORDS_2]);
  const candidates: string[] = [...COMPOUND_CLASSICS];
  for (const a of COMPOUND_FIRST)
    for (const b of COMPOUND_SECOND)
      if (a !== b && !words.has(a + b) && !REAL_PLACES.has(a + b)) candidates.push(a + b);
  for (const a of COMPOUND_WORDS_1) for (const b of COMPOUND_WORDS_2) candidates.push(a + b);
  const forbiddenEnd = new Set("小花苑家新公华".split(""));
  const roads = new Set<string>(ROAD_BASES);
  const seen = new Set<string>();
  const readingCount = new Map<string, number>();
  const kept: string[] = [];
  for (const c of candidates) {
    if (seen.has(c) || roads.has(c) || forbiddenEnd.has(c.at(-1)!)) continue;
    seen.add(c);
    kept.push(c);
  }
  const readings = new Map<string, string>();
  for (const c of kept) {
    const r = toneless(c);
    readings.set(c, r);
    readingCount.set(r, (readingCount.get(r) ?? 0) + 1);
  }
  return { bases: kept.filter((c) => readingCount.get(readings.get(c)!) === 1), readings };
}

/** Bases differing from `text` in exactly one character at the same length. */
function oneAway(text: string, bases: readonly string[]): number {
  let n = 0;
  for (const b of bases) {
    if (b.length !== text.length) continue;
    let diff = 0;
    for (let i = 0; i < b.length && diff < 2; i++) if (b[i] !== text[i]) diff++;
    if (diff === 1) n++;
  }
  return n;
}

/**
 * Typos of a compound base: homophones that keep the toneless pinyin (unique among bases, so
 * they name one compound), and similar-looking characters where the misspelt name is one
 * character away from this base only.
 */
function typosOf(base: string, taken: Set<string>, reading: string, bases: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < base.length; i++) {
    for (const alt of HOMOPHONES[base[i]!] ?? []) {
      const typo = base.slice(0, i) + alt + base.slice(i + 1);
      if (!taken.has(typo) && toneless(typo) === reading) out.push(typo);
    }
    for (const alt of LOOKALIKES[base[i]!] ?? []) {
      const typo = base.slice(0, i) + alt + base.slice(i + 1);
      if (!taken.has(typo) && oneAway(typo, bases) === 1) out.push(typo);
    }
  }
  return out;
}

function inDistrict(
  spec: DistrictSpec,
  rng: ReturnType<typeof seededRandom>,
  margin = 0.92,
): [number, number] {
  return offsetPoint(
    spec.lon,
    spec.lat,
    (rng.next() * 2 - 1) * spec.halfWidthKm * 1000 * margin,
    (rng.next() * 2 - 1) * spec.halfHeightKm * 1000 * margin,
  );
}

/**
 * Builds the city. Deterministic: the same seed always gives the same city.
 * @example
 * const city = buildCity();
 * city.districts[0]!.spec.name; // "澜东区"
 */
export function buildCity(seed: number = CITY_SEED, size = 1): City {
  const compoundScale = Math.min(size, 2);
  const rng = seededRandom(seed);
  const districts: District[] = [];
  const stations: Station[] = [];
  const areas: Area[] = [];
  const roads: Road[] = [];
  const crossings: Crossing[] = [];
  const compounds: Compound[] = [];
  const pois: Poi[] = [];
  const roadNames = shuffle(rng, [...ROAD_BASES]);
  const { bases, readings } = compoundBasePool();
  const classics = bases.filter((b) => (COMPOUND_CLASSICS as readonly string[]).includes(b));
  const others = shuffle(
    rng,
    bases.filter((b) => !(COMPOUND_CLASSICS as readonly string[]).includes(b)),
  );
  const basePool = [...classics, ...others];
  const taken = new Set<string>([...bases, ...ROAD_BASES]);
  let baseCursor = 0;
  let spareCursor = basePool.length - 1;
  const nextBase = (): string => {
    const b = basePool[baseCursor++];
    if (!b || baseCursor > spareCursor) throw new RangeError("compound name pool exhausted");
    return b;
  };
  // Communities, sites and companies take names from the other end of the pool.
  const spareBase = (): string => {
    const b = basePool[spareCursor--];
    if (!b || spareCursor < baseCursor) throw new RangeError("compound name pool exhausted");
    return b;
  };
  const shopPrefixes: string[] = [...SHOP_PREFIXES];
  if (size > 1)
    for (const a of SHOP_NAME_CHARS)
      for (const b of SHOP_NAME_CHARS) if (a !== b && !taken.has(a + b)) shopPrefixes.push(a + b);
  const shopNames = shuffle(
    rng,
    [...new Set(shopPrefixes)].flatMap((p) => SHOP_TYPES.map(([kind, t]) => [kind, p + t] as const)),
  );
  const usedShop = new Set<number>();

  for (const spec of DISTRICTS) {
    const district: District = { index: districts.length, spec, stations: [], roads: [], crossings: [] };
    districts.push(district);
    const halfW = spec.halfWidthKm * 1000;
    const halfH = spec.halfHeightKm * 1000;
    // Road grid: east-west and north-south roads spanning the district.
    const suffixFor = (i: number): string => (i === 0 ? "大道" : i % 4 === 3 ? "街" : "路");
    for (let i = 0; i < spec.ewRoads; i++) {
      const north = -halfH + ((i + 0.5) * 2 * halfH) / spec.ewRoads + (rng.next() - 0.5) * 200;
      const [from, fixed] = offsetPoint(spec.lon, spec.lat, -halfW, north);
      const length = 2 * halfW;
      const road: Road = {
        index: roads.length,
        district,
        name: roadNames.pop()! + suffixFor(i),
        direction: "ew",
        fixed,
        from,
        maxNumber: 2 * Math.floor(length / NUMBER_SPACING_M),
        reserved: new Set(),
      };
      roads.push(road);
      district.roads.push(road);
    }
    for (let i = 0; i < spec.nsRoads; i++) {
      const east = -halfW + ((i + 0.5) * 2 * halfW) / spec.nsRoads + (rng.next() - 0.5) * 200;
      const [fixed, from] = offsetPoint(spec.lon, spec.lat, east, -halfH);
      const length = 2 * halfH;
      const road: Road = {
        index: roads.length,
        district,
        name: roadNames.pop()! + suffixFor(i + 1),
        direction: "ns",
        fixed,
        from,
        maxNumber: 2 * Math.floor(length / NUMBER_SPACING_M),
        reserved: new Set(),
      };
      roads.push(road);
      district.roads.push(road);
    }
    // Stations on a jittered grid; each owns the points nearest to it (Voronoi).
    const k = spec.streets.length;
    const cols = Math.ceil(Math.sqrt(k));
    const rows = Math.ceil(k / cols);
    spec.streets.forEach((street, i) => {
      const cx = -halfW + ((i % cols) + 0.5) * ((2 * halfW) / cols) + (rng.next() - 0.5) * 400;
      const cy = -halfH + (Math.floor(i / cols) + 0.5) * ((2 * halfH) / rows) + (rng.next() - 0.5) * 400;
      const [lon, lat] = offsetPoint(spec.lon, spec.lat, cx, cy);
      const station: Station = {
        index: stations.length,
        district,
        street,
        name: `${street}派出所`,
        lon,
        lat,
        areas: [],
      };
      stations.push(station);
      district.stations.push(station);
    });
    for (const station of district.stations) {
      const n = spec.suburban ? 2 : between(rng, 2, 4);
      for (let j = 0; j < n; j++) {
        let point = inDistrict(spec, rng);
        while (stationAt(district, point[0], point[1]) !== station) point = inDistrict(spec, rng);
        const area: Area = {
          index: areas.length,
          station,
          name: `${station.street}${CHINESE_ORDINALS[j]}警务区`,
          communities: [],
          lon: point[0],
          lat: point[1],
        };
        const communities = between(rng, 1, 3);
        for (let c = 0; c < communities; c++) area.communities.push(`${spareBase()}社区`);
        areas.push(area);
        station.areas.push(area);
      }
    }
    const ew = district.roads.filter((r) => r.direction === "ew");
    const ns = district.roads.filter((r) => r.direction === "ns");
    for (const a of ew)
      for (const b of ns) {
        const station = stationAt(district, b.fixed, a.fixed);
        const crossing: Crossing = {
          index: crossings.length,
          a,
          b,
          lon: b.fixed,
          lat: a.fixed,
          station,
          area: areaAt(station, b.fixed, a.fixed),
        };
        crossings.push(crossing);
        district.crossings.push(crossing);
      }

    // A free house number on a road of the district, near a point of the station.
    const streetSlot = (station: Station): { road: Road; number: number; lon: number; lat: number } => {
      for (;;) {
        const [lon, lat] = inDistrict(spec, rng);
        if (stationAt(district, lon, lat) !== station) continue;
        let road = district.roads[0]!;
        let best = Number.POSITIVE_INFINITY;
        for (const r of district.roads) {
          const d =
            r.direction === "ew"
              ? Math.abs(lat - r.fixed) * M_PER_DEG_LAT
              : Math.abs(lon - r.fixed) * M_PER_DEG_LON;
          if (d < best) {
            best = d;
            road = r;
          }
        }
        const number = nearestNumber(road, lon, lat, chance(rng, 0.5));
        if (road.reserved.has(number) || number < 1) continue;
        const [plon, plat] = roadPoint(road, number);
        if (stationAt(district, plon, plat) !== station) continue;
        road.reserved.add(number);
        return { road, number, lon: plon, lat: plat };
      }
    };
    const addPoi = (
      station: Station,
      kind: PoiKind,
      name: string,
      shopKind: ShopKind | null = null,
    ): void => {
      const slot = streetSlot(station);
      const [lon, lat] = offsetPoint(slot.lon, slot.lat, 0, 0);
      pois.push({
        index: pois.length,
        kind,
        shopKind,
        name,
        road: slot.road,
        number: slot.number,
        station,
        area: areaAt(station, lon, lat),
        lon,
        lat,
      });
    };

    for (const station of district.stations) {
      // Residential compounds.
      for (let c = 0; c < Math.round(spec.compoundsPerStation * compoundScale); c++) {
        let point = inDistrict(spec, rng);
        while (stationAt(district, point[0], point[1]) !== station) point = inDistrict(spec, rng);
        const base = nextBase();
        const suffix: CompoundSuffix =
          base.length === 4
            ? rng.pick(["", "", "小区", "花园"] as const)
            : COMPOUND_SUFFIXES[rng.int(COMPOUND_SUFFIXES.length)]!;
        const nb = spec.suburban ? between(rng, 4, 14) : between(rng, 6, 30);
        const tall = !spec.suburban && chance(rng, 0.55);
        const buildings: BuildingSpec[] = [];
        const units = between(rng, 2, 4);
        const floors = tall ? between(rng, 11, 33) : between(rng, 5, 7);
        const roomsPerFloor = between(rng, 2, 4);
        for (let b = 0; b < nb; b++) buildings.push({ units, floors, roomsPerFloor });
        const gate = streetSlot(station);
        const area = areaAt(station, point[0], point[1]);
        compounds.push({
          index: compounds.length,
          base,
          suffix,
          name: base + suffix,
          typos: typosOf(base, taken, readings.get(base)!, bases),
          station,
          area,
          community: area.communities[rng.int(area.communities.length)]!,
          lon: point[0],
          lat: point[1],
          buildings,
          gateRoad: gate.road,
          gateNumber: gate.number,
        });
      }
      // Street places.
      addPoi(station, "police", station.name);
      addPoi(station, "market", `${station.street}农贸市场`);
      addPoi(station, "school", `${station.street}${spec.suburban ? "中心" : ""}小学`);
      addPoi(station, "school", `${station.street}中学`);
      addPoi(station, "school", `${station.street}幼儿园`);
      addPoi(station, "hospital", `${station.street}${spec.suburban ? "镇卫生院" : "社区卫生服务中心"}`);
      for (let s = 0; s < Math.round(spec.shopsPerStation * size); s++) {
        let pick = rng.int(shopNames.length);
        while (usedShop.has(pick)) pick = (pick + 1) % shopNames.length;
        usedShop.add(pick);
        const [kind, name] = shopNames[pick]!;
        addPoi(station, "shop", name, kind);
      }
      const sites = Math.round((spec.suburban ? 1 : between(rng, 1, 3)) * size);
      for (let s = 0; s < sites; s++)
        addPoi(
          station,
          "site",
          s === 0
            ? `${spareBase()}${chance(rng, 0.5) ? "广场" : "中心"}项目工地`
            : `${station.street}${s}号地块项目工地`,
        );
      addPoi(
        station,
        "company",
        `${CITY_SHORT}${spareBase()}${COMPANY_SUFFIXES[rng.int(COMPANY_SUFFIXES.length)]}`,
      );
    }
    addPoi(
      district.stations[0]!,
      "hospital",
      `${spec.short === "澜东" ? CITY_SHORT + "市第一" : spec.name}人民医院`,
    );
  }
  addPoi0(pois, districts[0]!, "office", `${CITY_SHORT}市劳动保障监察支队`);

  const poisByKind = {
    shop: [] as Poi[],
    market: [] as Poi[],
    school: [] as Poi[],
    hospital: [] as Poi[],
    police: [] as Poi[],
    site: [] as Poi[],
    company: [] as Poi[],
    office: [] as Poi[],
  };
  const shopsByKind = new Map<ShopKind, Poi[]>();
  for (const p of pois) {
    poisByKind[p.kind].push(p);
    if (p.shopKind) {
      const list = shopsByKind.get(p.shopKind);
      if (list) list.push(p);
      else shopsByKind.set(p.shopKind, [p]);
    }
  }
  return { districts, stations, areas, roads, crossings, compounds, pois, poisByKind, shopsByKind };
}

/** The labour inspection office sits at a fixed free number of the first road of the first district. */
function addPoi0(pois: Poi[], district: District, kind: PoiKind, name: string): void {
  const road = district.roads[0]!;
  let number = 1;
  while (road.reserved.has(number)) number += 2;
  road.reserved.add(number);
  const [lon, lat] = roadPoint(road, number);
  const station = stationAt(district, lon, lat);
  pois.push({
    index: pois.length,
    kind,
    shopKind: null,
    name,
    road,
    number,
    station,
    area: areaAt(station, lon, lat),
    lon,
    lat,
  });
}

const cache = new Map<number, City>();

/**
 * The city for a number of incidents: up to 250,000 incidents the base city; above, more
 * compounds (up to 2.5 times) and more shops, sites and companies (one more base city's worth
 * per 250,000 incidents, up to 10 times), so that a million calls do not pile onto a few shops.
 */
export function cityForIncidents(incidents: number): City {
  const size = Math.min(10, Math.max(1, Math.ceil(incidents / 250_000)));
  let city = cache.get(size);
  if (!city) {
    city = buildCity(CITY_SEED, size);
    cache.set(size, city);
  }
  return city;
}

/** The base city (size 1). */
export function defaultCity(): City {
  return cityForIncidents(1);
}
