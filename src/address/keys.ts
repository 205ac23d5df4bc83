import type { LocationKeys } from "../domain/location.ts";
import { DEFAULT_FUZZY_THRESHOLD, type PlaceIndex } from "./dictionary.ts";
import type { Gazetteer } from "./gazetteer.ts";
import { canonicalText, componentNumber, FILLER_WORDS, toHalfWidth } from "./normalize.ts";
import type { Entity } from "./parse.ts";

/**
 * Location keys from parsed components (docs/address.md "Keys and levels").
 *
 *   poi      Z:<city code>:<compound>
 *   building <poi key>[/<sub-POI>]/b<n>, or the road key for a street address
 *   unit     <building>/u<n>
 *   room     <unit or building>/r<n> (a floor has no key: 3栋5楼501 = 3栋501, 3栋B1 = 3栋)
 *   road     R:<city code>:<road>[<sub-road>]/<number>
 *   cross    X:<city code>:<road A>&<road B>, sorted
 *
 * Names are canonical (half-width, Chinese numerals as digits, no punctuation), numbers lose
 * their unit words (三号楼 = 3栋 = 3幢 → b3), so spelling variants share keys while different
 * numbers never do. The scope is the city, completed from the gazetteer when only the district
 * (or nothing: the deployment's region) is given, so a caller who omits the district still
 * matches.
 */

export interface AdminResolution {
  readonly prov: string | null;
  readonly city: string | null;
  readonly district: string | null;
  readonly town: string | null;
  /** Official code of the most specific division found. */
  readonly code: string | null;
  /** True when some levels were filled in from the gazetteer rather than read. */
  readonly completed: boolean;
}

/**
 * Resolves the administrative entities against the gazetteer and completes missing upper levels
 * (a district implies its city and province), reading ambiguous names inside the region first.
 */
export function resolveAdmin(
  entities: readonly Entity[],
  gazetteer: Gazetteer,
  regionId: number | null,
  aliases?: PlaceIndex,
): AdminResolution {
  let current: number | null = null;
  let read = 0;
  // The last district and township texts (locals, not an object keyed by label: every address).
  let districtText: string | undefined;
  let townText: string | undefined;
  for (const e of entities) {
    if (e.label !== "prov" && e.label !== "city" && e.label !== "district" && e.label !== "town") continue;
    if (e.label === "district") districtText = e.text;
    else if (e.label === "town") townText = e.text;
    const name = aliases?.alias(e.text) ?? e.text;
    const pick = pickDivision(gazetteer, name, e.label, current, regionId);
    if (pick !== null) {
      current = pick;
      read++;
    }
  }
  if (current === null && regionId !== null) current = regionId;
  // The names along the division's chain, read upwards without building the chain's objects
  // (a chain holds each level at most once).
  let prov: string | null = null;
  let city: string | null = null;
  let district: string | null = null;
  let town: string | null = null;
  let depth = 0;
  for (let id = current ?? -1; id >= 0; id = gazetteer.parentOf(id)) {
    depth++;
    const level = gazetteer.levelOf(id);
    if (level === "prov") prov = gazetteer.nameOf(id);
    else if (level === "city") city = gazetteer.nameOf(id);
    else if (level === "district") district = gazetteer.nameOf(id);
    else town = gazetteer.nameOf(id);
  }
  return {
    prov,
    city: city ?? (prov?.endsWith("市") ? prov : null),
    district: district ?? districtText ?? null,
    town: town ?? townText ?? null,
    code: current === null ? null : gazetteer.codeOf(current),
    completed: depth > read,
  };
}

/**
 * The division a name stands for at a level: inside the current one first, then inside the
 * region, else the first listed. A municipality (上海市) labelled city is its province entry.
 */
function pickDivision(
  g: Gazetteer,
  name: string,
  label: string,
  parent: number | null,
  regionId: number | null,
): number | null {
  let first: number | null = null;
  let inRegion: number | null = null;
  for (const h of g.lookup(name)) {
    const level = g.levelOf(h.id);
    if (level !== label && !(label === "city" && level === "prov" && g.nameOf(h.id).endsWith("市"))) continue;
    if (parent !== null) {
      if (g.within(h.id, parent) || h.id === parent) return h.id;
      continue;
    }
    first ??= h.id;
    if (inRegion === null && regionId !== null && g.within(h.id, regionId)) inRegion = h.id;
  }
  return parent !== null ? null : (inRegion ?? first);
}

export interface KeyOptions {
  readonly places?: PlaceIndex;
  readonly fuzzyThreshold?: number;
}

export interface KeyResult {
  readonly keys: LocationKeys;
  /** A fuzzy replacement applied to the compound name, for the record. */
  readonly fuzzy: { readonly from: string; readonly to: string; readonly confidence: number } | null;
}

const numberOf = (text: string | undefined): string | null =>
  text === undefined ? null : componentNumber(text);

/**
 * A building's number: a heavenly stem written after the building (3栋甲) or before it (甲3栋) is
 * part of its name, one building 3甲 either way (a stem beside a number names the building added
 * beside it; which side it is written on is the call-taker's habit), never building 3.
 */
const STEM_CHARS = "甲乙丙丁";

function buildingNumberOf(text: string | undefined): string | null {
  if (text === undefined) return null;
  const t = text.trim();
  // (The regex only where a stem begins or ends the text: most buildings have none.)
  const stem =
    t.length > 1 && (STEM_CHARS.includes(t[0] as string) || STEM_CHARS.includes(t[t.length - 1] as string))
      ? /^([甲乙丙丁])(.+)$|^(.+?)([甲乙丙丁])$/u.exec(t)
      : null;
  if (!stem) return componentNumber(text);
  const n = componentNumber((stem[2] ?? stem[3]) as string);
  return n === null ? null : `${n}${stem[1] ?? stem[4]}`;
}

/**
 * The number on a road. Two numbers joined by a dash keep it (阳光路27-4 is not 阳光路274号, nor
 * 8-12号 number 812), except a range of two numbers of one length (806-808号), keyed without it as
 * before (806808).
 */
function roadNumberOf(text: string | undefined): string | null {
  if (text === undefined) return null;
  const half = toHalfWidth(text);
  const first0 = half.length > 0 ? half.charCodeAt(0) : -1;
  const pair = first0 >= 48 && first0 <= 57 ? /^([0-9]+)[-~—]([0-9]+)(?![0-9])/.exec(half) : null;
  // 12号附1号 and 12附1号 are one door: the sub-number keeps its word (附, 之), not the 号 before it.
  // 88弄 is a lane whose houses have numbers of their own (88弄12号), not door 88 (88号12号楼).
  const lane = text.includes("弄") && /弄\s*$/u.test(text) ? "弄" : "";
  if (!pair) {
    const n = componentNumber(text);
    const door = n !== null && (n.includes("附") || n.includes("之")) ? n.replace(/号(?=[附之])/u, "") : n;
    return door ? `${door}${lane}` : null;
  }
  const first = pair[1] as string;
  const last = pair[2] as string;
  if (first.length === last.length && Number(last) > Number(first)) return componentNumber(text);
  return `${componentNumber(first)}-${componentNumber(last + half.slice(pair[0].length))}`;
}

/**
 * Words for a shop front on a street (红星路12号门面, 12号底商): what kind of door, not a compound,
 * so they give no POI key (one 商铺 key would join every shop of the city) and the address keeps
 * the building key of its road number.
 */
const SHOP_FRONT = new Set(["门面", "门市", "门市部", "门市房", "商铺", "底商", "店面", "铺面", "门店"]);

/**
 * What the parser may leave as a POI of a filler (红星路12号楼后 → 12号楼 + 后): a filler word or a
 * lone word of position is no compound either (one `Z:<city>:下` would join every 楼下 of the city).
 */
const NOT_A_COMPOUND: ReadonlySet<string> = new Set([
  ...SHOP_FRONT,
  ...FILLER_WORDS,
  ..."上下口内外前后里旁边侧附之",
]);

/** A gate of a compound (东门, 南大门, 正门): where the caller came in, not a part numbering buildings. */
const GATE = /^[东西南北正后侧前]{0,2}大?门口?$/u;

/** Across from (对面, 对过): the words that place a call at another door than the one named. */
const OPPOSITE = /^(斜|正)?对(面|过|门)$/u;

/** A corner or side left as a POI (阳光路红星路口东北角 → 东北角): where at the place, no compound. */
const CORNER = /^[东西南北]{1,2}(角|侧|面|边|方向)$/u;

/** A sub-number of a road number written apart from it: 之一, 之1号 (with 之 or 附 before a number). */
const SUB_NUMBER = /^(之|附)([0-9０-９零〇一二三四五六七八九十]+)号?$/u;

/** A road's number written as a building after it (12号楼, 12号): not 3栋, a building without a road number. */
const ROAD_HOUSE = /^\s*([0-9０-９]+|[零〇一二三四五六七八九十百]+)号楼?\s*$/u;

/**
 * Places that are one building (a tower, an office block, a hotel): without a building number,
 * the place is the building, so its flats and rooms have keys (红星大厦1201室 = 红星大厦12楼1201).
 * Not 公寓 or 中心, often several buildings, where a room without its building is no one place;
 * not a 烟酒店 (a tobacco and liquor shop).
 */
const ONE_BUILDING = /(大厦|大楼|写字楼|商务楼|综合楼|办公楼|宾馆|(?<!烟)酒店|饭店|旅馆|旅社|招待所)$/u;

/** A numbered works building, warehouse or workshop (3号厂房, 2号仓库), the last part named. */
const WORKS_BUILDING = /(^|\+)[0-9]+号?(厂房|仓库|车间)$/u;

/** A flat named by its side on a floor (东户, 西边户, 左门, 中户): its number says which floor's. */
const SIDE_FLAT = /^[东西南北中左右]{1,2}边?$/u;

/** A flat's number on its floor, written with a leading zero (01, 03室): the floor's flat 1, 3. */
const FLOOR_FLAT = /^\s*(0[1-9])(室|号|房|户)?\s*$/u;

/** The room text last read and its number: subRoomOf reads the first room's, roomNumberOf again. */
let lastRoomText: string | undefined;
let lastRoomNumber: string | null = null;

/** `numberOf` of a room's text, the last one remembered (one address's keys read it twice). */
function roomTextNumber(text: string | undefined): string | null {
  if (text === undefined) return null;
  if (text !== lastRoomText) {
    lastRoomNumber = numberOf(text);
    lastRoomText = text;
  }
  return lastRoomNumber;
}

/**
 * A room's number; a flat named by its side is numbered with its floor (一楼东户 → 1东), and has
 * no number without one (the 东户 of which floor cannot be told: 1东 and 2东 are two flats).
 */
function roomNumberOf(roomText: string | undefined, floorText: string | undefined): string | null {
  const room = roomTextNumber(roomText);
  if (room === null) return null;
  // 501A: room A of flat 501, as 501-A and 501室A are (subRoomOf).
  const last = room.charCodeAt(room.length - 1); // (room is not empty: componentNumber)
  const lettered = last >= 65 && last <= 90 ? /^([0-9]{3,4})([A-Z])$/.exec(room) : null;
  if (lettered) return `${lettered[1]}-${lettered[2]}`;
  // 5楼01 = 501, 12楼03 = 1203: a flat numbered on its floor with a leading zero (not flat 1 of every floor).
  if (floorText !== undefined && roomText !== undefined && room.length === 1) {
    const onFloor = FLOOR_FLAT.exec(toHalfWidth(roomText));
    const floor = onFloor ? numberOf(floorText) : null;
    if (onFloor && floor !== null && /^[1-9][0-9]?$/.test(floor)) return `${floor}${onFloor[1]}`;
  }
  if (!"东西南北中左右".includes(room[0] as string) || !SIDE_FLAT.test(room)) return room;
  const floor = numberOf(floorText);
  return floor === null ? null : `${floor}${room}`;
}

/**
 * A facility named by its kind alone (小卖部, 小学, 卫生院, 派出所, 村委会, 菜市场, 村口), perhaps with a
 * side or number (东村口, 第二小学): not a name of its own, so its key names the place before it.
 */
const FACILITY_WORDS = [
  "小卖部|小卖店|小店|商店|便利店|超市|菜市场|菜场|农贸市场|市场|饭店|餐馆|网吧|药店|理发店|浴室",
  "中心小学|小学|中学|初中|高中|中心学校|学校|幼儿园|托儿所",
  "中心卫生院|卫生院|卫生室|卫生所|社区卫生服务中心|诊所|医院|人民医院|中医院|中心医院",
  "人民政府|政府|镇政府|乡政府|街道办事处|街道办|办事处|派出所|警务室|警务站|司法所|法庭",
  "村民委员会|村委会|村委|居民委员会|居委会|村部|大队部|村口|老年活动中心|活动中心|文化礼堂|礼堂|祠堂",
  "敬老院|养老院|福利院|加油站|汽车站|客运站|车站|公交站|火车站|码头|广场|公园|球场|篮球场|工地",
  "停车场|公厕|厕所|垃圾站|变电站|水库|鱼塘|池塘|河边|桥头|桥下|寺|庙|教堂|银行|信用社|邮局",
].join("|");
const FACILITY = new RegExp(`^(?:[东西南北中]|第?[0-9]+)?(?:${FACILITY_WORDS})$`, "u");
/** The last characters of the facility words: a name ending otherwise is no facility (most are not). */
const FACILITY_LAST: ReadonlySet<number> = new Set(
  FACILITY_WORDS.split("|").map((w) => w.charCodeAt(w.length - 1)),
);

/** A village or community named with its committee (阳光村委会, 阳光社区居委会): the place itself. */
const COMMITTEE = /(村民委员会|村委会|村委|居民委员会|居委会)$/u;

/** The name of a village or community without its committee's word: 阳光村委会 → 阳光村. */
function committeeless(name: string): string {
  const bare = name.replace(COMMITTEE, "");
  if (bare === name || bare.length === 0) return name;
  return /[村区]$/u.test(bare) ? bare : `${bare}${name.includes("村") ? "村" : "社区"}`;
}

/** A quarter named by its number alone (3组团, 203小区, 2号地块): a name only within its village. */
const NUMBERED_QUARTER_NAME = /^[0-9]+号?(小区|街坊|街区|地块|组团)$/u;

/** A part of a compound: 第二期 = 二期 = 2期 (an ordinal's 第 names no other part). */
function subPoiName(text: string): string {
  const name = canonicalText(text);
  return name.startsWith("第") ? name.replace(/^第(?=[0-9])/u, "") : name;
}

/** True when the dictionary names `text`: a place, an alias, or a typo of a place above the threshold. */
function knownPlace(text: string, options: KeyOptions): boolean {
  const places = options.places;
  if (!places) return false;
  if (places.has(text) || places.alias(text) !== null) return true;
  return places.fuzzy(text, "poi", options.fuzzyThreshold ?? DEFAULT_FUZZY_THRESHOLD) !== null;
}

/** The compound's name after the dictionary's aliases and, above the threshold, a fuzzy match. */
function placeName(text: string, options: KeyOptions): { name: string; fuzzy: KeyResult["fuzzy"] } {
  const places = options.places;
  let name = places?.alias(text) ?? text;
  let fuzzy: KeyResult["fuzzy"] = null;
  if (places && !places.has(name)) {
    const m = places.fuzzy(name, "poi", options.fuzzyThreshold ?? DEFAULT_FUZZY_THRESHOLD);
    if (m) {
      fuzzy = { from: name, to: m.name, confidence: m.confidence };
      name = m.name;
    }
  }
  return { name: canonicalText(name), fuzzy };
}

/** The labels of a number in a compound or on a road, below the road number. */
const NUMBER_PART = new Set(["houseno", "cellno", "floorno", "roomno"]);

/** A flat's number (501, 1201), the one a sub-room (501-1) belongs to. */
const FLAT_NUMBER = /^[0-9]{3,4}$/;

/** A sub-room's number or letter, with its word (1, 2号, 1号房, 2号房间, A). */
const SUB_ROOM = /^([0-9]{1,2}|[A-Z])(号房间|号房|房间|号|室|房)?$/u;

/** A number with no word of its own or a room's (2, 2号, 2室, 2号房): a sub-room's, not a building's. */
const BARE_OR_ROOM = /^[0-9A-Z]+(号房间|号房|房间|号|室|房)?$/u;

/** What may stand between a flat and its sub-room: a space, a bracket, 之 or 室 (501室 1号房, 501(1号房)). */
const SUB_ROOM_GAP = /^(\s*[(（]?\s*|之|室)$/u;

/** A dash between numbers, as the parser leaves it (redundant). */
const DASH = /^[-－—–~～]$/u;

// flatOf and subRoomNumberOf are module functions, not closures in subRoomOf: under tsx
// (keepNames) every named closure costs a defineProperty each time it is made (~3% of locate).

/** The flat's number of a number part (501 of 501室), null when it is no flat's. */
function flatOf(e: Entity | undefined): string | null {
  if (e === undefined || !NUMBER_PART.has(e.label)) return null;
  const n = e.label === "roomno" ? roomTextNumber(e.text) : numberOf(e.text);
  return n !== null && FLAT_NUMBER.test(n) ? n : null;
}

/** The number or letter of a sub-room (1 of 1号房, 之一, A), null when the part is none. */
function subRoomNumberOf(e: Entity | undefined): string | null {
  // A sub-room is a few characters (之一, 2号房间, A): anything longer is not one, unread.
  if (e === undefined || e.text.length > 8) return null;
  const text = canonicalText(e.text).replace(/^之/u, "");
  const m = SUB_ROOM.exec(text);
  if (!m?.[1]) return null;
  // 之一 and a letter (501室A) come as other labels; a number as a number part.
  return NUMBER_PART.has(e.label) || /^之/u.test(e.text.trim()) || /^[A-Z]$/.test(text) ? m[1] : null;
}

/**
 * A sub-room of a flat (群租房: one flat let room by room): 501-1 = 501室1号房 = 501室-1 = 501之一,
 * 501-A = 501室A; a different door from 501-2 and from 601-1. The parser reads the number after
 * the flat as one more part (3-2-501-1: floor 501, room 1; 3栋2单元501-1: unit 501, room 1;
 * 501室2号房间: building 2), so without this 501-1 and 601-1 had one room key and 501室2号房间 the
 * key of building 2. Read: a part after a flat's room number, or the last two number parts joined
 * by a dash where the first is a flat's number written after another number (阳光小区301-1 stays
 * building 301, unit 1). Undefined when the address names no sub-room.
 */
function subRoomOf(
  entities: readonly Entity[],
): { readonly room: string; readonly skip: ReadonlySet<number> } | undefined {
  // 501室 then more: a number part after the room belongs to it, not to the building (a note's
  // 不要放15栋 neither), except a building or unit named by its word where none came before the
  // room: 501室(3栋2单元) is flat 501 of building 3, unit 2.
  // The first room that is a flat's number (most addresses end with it: nothing more to read).
  let room = -1;
  let flatNo: string | null = null;
  for (let i = 0; i < entities.length && room < 0; i++) {
    if ((entities[i] as Entity).label !== "roomno") continue;
    flatNo = flatOf(entities[i]);
    if (flatNo !== null) room = i;
  }
  if (room >= 0 && flatNo !== null) {
    if (room === entities.length - 1) return undefined;
    let i = room + 1;
    if (DASH.test(entities[i]?.text.trim() ?? "")) i++;
    else while (i < entities.length && SUB_ROOM_GAP.test((entities[i] as Entity).text)) i++;
    // After a bracket only a number with a room's word (501(1号房)), not a note's (501(13点以后配送)).
    let bracketed = false;
    for (let k = room + 1; k < i; k++) if (/[(（]/u.test((entities[k] as Entity).text)) bracketed = true;
    const next = entities[i];
    const suffix =
      next === undefined || (bracketed && !/(房间|房|室)$/u.test(canonicalText(next.text)))
        ? null
        : subRoomNumberOf(next);
    // Labels before the room, read only when a building or unit word follows it.
    let before: Set<string> | undefined;
    const skip = new Set<number>();
    for (let k = room + 1; k < entities.length; k++) {
      const e = entities[k] as Entity;
      if (!NUMBER_PART.has(e.label)) continue;
      let names = false;
      if (e.label === "houseno" || e.label === "cellno") {
        before ??= new Set(entities.slice(0, room).map((x) => x.label));
        names = !before.has(e.label);
      }
      if (!names || BARE_OR_ROOM.test(canonicalText(e.text))) skip.add(k);
    }
    if (suffix !== null) {
      skip.add(i);
      return { room: `${flatNo}-${suffix}`, skip: new Set([room, ...skip]) };
    }
    return skip.size > 0 ? { room: flatNo, skip: new Set([room, ...skip]) } : undefined;
  }
  // ... 501-1 at the end: the flat and its sub-room, after another number (a building, a road's).
  // The last two numbers and how many there are, without an array (this runs for every address).
  let count = 0;
  let last = -1;
  let before = -1;
  for (let i = 0; i < entities.length; i++) {
    const label = (entities[i] as Entity).label;
    if (!NUMBER_PART.has(label) && label !== "roadno") continue;
    count++;
    before = last;
    last = i;
  }
  if (count < 3 || last !== before + 2) return undefined;
  if (!DASH.test(entities[before + 1]?.text.trim() ?? "")) return undefined;
  const n = flatOf(entities[before]);
  const suffix = subRoomNumberOf(entities[last]);
  if (n === null || suffix === null || !NUMBER_PART.has((entities[last] as Entity).label)) return undefined;
  return { room: `${n}-${suffix}`, skip: new Set([before, last]) };
}

/** True when nothing but separators and fillers follows the component at `index`. */
function lastPlacePart(entities: readonly Entity[], index: number): boolean {
  for (let i = index + 1; i < entities.length; i++) {
    const label = (entities[i] as Entity).label;
    if (label !== "redundant" && label !== "assist" && label !== "otherinfo") return false;
  }
  return true;
}

/** Builds the keys of a parsed Chinese address. */
export function chineseKeys(
  entities: readonly Entity[],
  admin: AdminResolution,
  options: KeyOptions = {},
): KeyResult {
  // One pass over the components: the first text of the labels read below, and every road,
  // sub-POI and building (in locals, not a Map of every label: keys are built for every row).
  const roads: string[] = [];
  const subpois: string[] = [];
  let lastHouse: string | undefined;
  let poiText: string | undefined;
  let community: string | undefined;
  let sub: string | undefined;
  let roadNoText: string | undefined;
  let subNoText: string | undefined;
  let cellText: string | undefined;
  let roomText: string | undefined;
  let floorText: string | undefined;
  let townText: string | undefined;
  // 红星村3组12号: the village group names part of the village (3组12号 is not 4组12号).
  let groupText: string | undefined;
  let intersection = false;
  // 阳光小区3栋对面, 红星路88号对面: the place is across from the one named, another building.
  let opposite = false;
  // A part named after the building or flat (3栋东门, 501财务部) says where in it, not which
  // compound part: only sub-POIs before the first number belong to the key.
  let numbered = false;
  // 红星路12号之一 / 之1 / 附1 (the parser reads 之 or 附 apart from the number after it): a
  // sub-number of the road number, neither number 12 itself nor its building 1 (12号1栋).
  let subWord: string | null = null;
  let subNumber = "";
  let afterRoadNo = false;
  let afterRoad = false;
  const subRoom = subRoomOf(entities);
  for (let index = 0; index < entities.length; index++) {
    const e = entities[index] as Entity;
    if (subRoom?.skip.has(index)) {
      numbered = true;
      afterRoadNo = false;
      afterRoad = false;
      continue;
    }
    const justAfterRoadNo = afterRoadNo;
    const justAfterRoad = afterRoad;
    afterRoadNo = e.label === "roadno" && roadNoText === undefined;
    afterRoad = e.label === "road" || e.label === "subroad";
    // 红星路12号楼 (the parser reads a building): a 号 number right after a road, before any other
    // number, is the number on that road, as 红星路12号楼下 and 红星路12号 are.
    if (
      justAfterRoad &&
      e.label === "houseno" &&
      roadNoText === undefined &&
      poiText === undefined &&
      lastHouse === undefined &&
      ROAD_HOUSE.test(e.text)
    ) {
      roadNoText = e.text;
      afterRoadNo = true;
      continue;
    }
    if (subWord !== null) {
      const word = subWord;
      subWord = null;
      // 27之3-6号: a dashed sub-number keeps its dash (not 27之36).
      const dashed =
        e.label === "houseno" ? /^([0-9]+)[-－~～]([0-9]+)号?$/.exec(toHalfWidth(e.text).trim()) : null;
      const n = dashed ? `${dashed[1]}-${dashed[2]}` : e.label === "houseno" ? numberOf(e.text) : null;
      if (n !== null && /^[0-9]+(-[0-9]+)?$/.test(n)) {
        subNumber = `${word}${n}`;
        continue;
      }
    } else if (justAfterRoadNo && (e.label === "redundant" || e.label === "poi")) {
      const t = e.text.trim();
      const m = SUB_NUMBER.exec(t);
      if (m) {
        subNumber = `${m[1]}${numberOf(m[2])}`;
        continue;
      }
      if (t === "之" || t === "附") {
        subWord = t;
        continue;
      }
    }
    switch (e.label) {
      case "road":
        roads.push(e.text);
        break;
      case "subpoi":
        // 501对门, 3栋对门: the parser may leave 对门 as a part or a place; last, it is across from,
        // as 对面 is (before a number, (华为大数据中心对门)4幢, it placed a landmark: no part either).
        if (e.text.includes("对") && OPPOSITE.test(e.text.trim()))
          opposite ||= lastPlacePart(entities, index);
        else if (!numbered && !GATE.test(e.text)) subpois.push(e.text);
        break;
      case "houseno":
        lastHouse = e.text;
        numbered = true;
        break;
      case "cellno":
        cellText ??= e.text;
        numbered = true;
        break;
      case "floorno":
        floorText ??= e.text;
        numbered = true;
        break;
      case "roomno":
        roomText ??= e.text;
        numbered = true;
        break;
      case "poi": {
        if (e.text.includes("对") && OPPOSITE.test(e.text.trim())) {
          opposite ||= lastPlacePart(entities, index);
          break;
        }
        if (poiText !== undefined) break;
        // The canonical name, read once for both tests below.
        const name = canonicalText(e.text);
        if (NOT_A_COMPOUND.has(name) || ("东西南北".includes(e.text[0] as string) && CORNER.test(e.text)))
          break;
        poiText = e.text;
        // 红星村3组团: a quarter named by its number alone is the village's (or community's).
        if (community !== undefined && NUMBERED_QUARTER_NAME.test(name)) poiText = `${community}${e.text}`;
        // 阳光村小卖部, 红星镇派出所: a facility named by its kind alone is the one of the place
        // written before it (every village has its 小卖部, every township its 派出所). Not of a
        // district or city: callers name 人民医院 with or without them, and mean the same one.
        else if (FACILITY_LAST.has(name.charCodeAt(name.length - 1)) && FACILITY.test(name)) {
          const owner = community ?? roads[0] ?? townText;
          if (owner !== undefined) poiText = `${committeeless(owner)}${e.text}`;
        }
        break;
      }
      case "town":
        townText ??= e.text;
        break;
      case "community":
        community ??= e.text;
        break;
      case "group":
        groupText ??= e.text;
        // 红星新村3组12号: a villagers' group after a compound is a part of it, as a sub-POI is.
        if (poiText !== undefined && !numbered) subpois.push(e.text);
        break;
      case "subroad":
        sub ??= e.text;
        break;
      case "roadno":
        roadNoText ??= e.text;
        break;
      case "subroadno":
        subNoText ??= e.text;
        break;
      case "intersection":
        intersection = true;
        break;
      case "assist":
        if (OPPOSITE.test(e.text.trim())) opposite = true;
        break;
    }
  }
  const scope = admin.city ?? admin.district ?? admin.prov ?? "";
  const scopeKey = canonicalText(scope);
  const roadName = roads[0];
  const roadNo = roadNumberOf(roadNoText);
  const numberOnRoad = roadNo !== null && subNumber ? `${roadNo}${subNumber}` : roadNo;
  const subNo = numberOf(subNoText);
  const isCross = roads.length >= 2 && (intersection || !roadNo);
  const cross = isCross
    ? `X:${scopeKey}:${roads
        .slice(0, 2)
        .map((r) => canonicalText(r))
        .sort()
        .join("&")}`
    : null;
  const roadKey =
    roadName && (roadNo || subNo) && !isCross
      ? `R:${scopeKey}:${canonicalText(roadName)}${sub ? canonicalText(sub) : ""}/${subNo ?? numberOnRoad}`
      : null;

  // 翠苑 | 一区: a dictionary compound named with its numbered section (翠苑一区), which the parser
  // splits, is that compound (its aliases and typos too), when the first part alone is none of its.
  if (poiText !== undefined && subpois.length > 0 && options.places && !knownPlace(poiText, options)) {
    const joined = `${poiText}${subpois[0]}`;
    if (knownPlace(joined, options)) {
      poiText = joined;
      subpois.shift();
    }
  }
  const place = poiText ? placeName(poiText, options) : null;
  const poiKey = place ? `Z:${scopeKey}:${place.name}` : null;
  const fuzzy = place?.fuzzy ?? null;
  const subpoi = subpois.map(subPoiName).join("+");
  // A number written after a village or compound without a road (下宅村107号) is its house number.
  const house = buildingNumberOf(lastHouse) ?? (roadName ? null : numberOnRoad);
  const cell = numberOf(cellText);
  const roomNo = subRoom?.room ?? roomNumberOf(roomText, floorText);

  // The building: in a compound, or the road number itself for a street address.
  const base = poiKey ? `${poiKey}${subpoi ? `/${subpoi}` : ""}` : null;
  let building: string | null = null;
  if (base && house) building = `${base}/b${house}`;
  // 红星大厦1201室, 红星宾馆305: a tower or a hotel is one building; its rooms are numbered in it.
  else if (base && !subpoi && place && ONE_BUILDING.test(place.name)) building = base;
  // 红星工业园区3号厂房: a numbered works building or warehouse of a park is one building.
  else if (base && subpoi && WORKS_BUILDING.test(subpoi)) building = base;
  else if (!base && roadKey) building = house ? `${roadKey}/b${house}` : roadKey;
  else if (!base && house && community) {
    // 3队, 3社: a production team, the older name of the villagers' group 3组 (one group, not two).
    const group = numberOf(groupText)?.replace(/^([0-9]+)[队社]$/u, "$1组") ?? null;
    building = `C:${scopeKey}:${canonicalText(committeeless(community))}${group ? `/${group}` : ""}/b${house}`;
  }
  if (opposite)
    return { keys: { poi: poiKey, building: null, unit: null, room: null, road: roadKey, cross }, fuzzy };
  const unit = building && cell ? `${building}/u${cell}` : null;
  const roomBase = unit ?? building;
  const room = roomBase && roomNo ? `${roomBase}/r${roomNo}` : null;
  return { keys: { poi: poiKey, building, unit, room, road: roadKey, cross }, fuzzy };
}
