import { pinyin } from "pinyin-pro";

/**
 * Place resolution for matching (docs/repeat.md "Same place"): call-takers write one compound
 * as 兰阁公寓, 兰阁小区, 澜西区兰阁公寓 or 浙江省澜江市兰阁公寓, and mistype it with a homophone
 * (西全/西泉). Where the address layer cannot resolve such variants (no dictionary entry, a city
 * missing from the gazetteer), the repeat engine compares keys in a matching form:
 * - the scope part of the key (province/city code, present or not) is dropped;
 * - leading administrative names (…省, …市, …区/县, …街道/镇) inside the name are dropped;
 * - one generic compound suffix (小区, 公寓, 花园, 苑 …) is dropped;
 * - the name is spelt in toneless pinyin, character by character, so homophone typos agree.
 * Building, unit and room numbers are kept exactly: different numbers never merge.
 * Off with `resolvePlaces: false` for deployments whose place dictionary already does this.
 */

// Admin names are 2-5 characters; "市场" is no city and "区域" no district; a city's name holds no
// 区/县/省 (鹭洲区城市公馆 is the district 鹭洲区 and a place 城市公馆, not a city "鹭洲区城"); 小区,
// 社区, 园区, 校区, 景区 and 厂区 are places, not districts (澜江市阳光小区 is 阳光小区 in 澜江市).
const ADMIN_PREFIX =
  /^(?:[\u4e00-\u9fff]{2,5}?(?:省|自治区))?(?:(?:(?![区县省])[\u4e00-\u9fff]){2,5}?市(?!场))?(?:[\u4e00-\u9fff]{2,5}?(?:(?<![小社园校景厂])区|县|旗)(?!域))?(?:[\u4e00-\u9fff]{2,5}?(?:街道|镇|乡)(?!村))?/u;
const SUFFIX =
  /(?:小区|公寓|花园|家园|新村|新苑|苑|华庭|华府|名苑|雅苑|山庄|佳园|园区|园|社区|宿舍|大院|大厦|广场|中心)$/u;

/** Names too generic to tell one place from another. */
const GENERIC_NAME =
  /^(?:农贸市场|菜市场|市场|超市|村超市|商场|广场|公园|学校|医院|酒店|饭店|宾馆|大厦|小区|公寓|项目工地|工地|中心项目工地|广场项目工地|地块项目工地|地下车库|停车场|大道|道|路|街|中心|网吧|酒吧|烧烤店|理发店|手机店|健身房|服装店|药店|餐厅|饭馆|KTV)$/u;

/** Whether a poi key's name is generic (the parser took the distinctive part for a place name). */
export function hasGenericName(key: string): boolean {
  const m = /^Z:[^:]*:([^/]*)/u.exec(key);
  return m !== null && GENERIC_NAME.test(m[1]!);
}

/**
 * A POI name read from the address itself, for when the parser took its distinctive part for an
 * admin unit ("北关农贸市场" → Z:安阳市:农贸市场): admin names, road and number, and "附近/门口/
 * （劳动路）" around it are dropped. null when nothing name-like is left.
 * @example
 * poiNameFromAddress("澜东区劳动路668号北关农贸市场对面") // "北关农贸市场"
 */
export function poiNameFromAddress(address: string): string | null {
  let text = address
    .replace(/[（(][^）)]*[）)]/gu, "")
    .replace(/\s+/gu, "")
    .replace(/(?:附近|门口|对面|旁边|楼下|里面|内|外|前|后)$/u, "");
  const admin = ADMIN_PREFIX.exec(text)?.[0] ?? "";
  if (admin && text.length - admin.length >= 2) text = text.slice(admin.length);
  text = text.replace(/^[\u4e00-\u9fff]{1,8}?(?:路|街|大道|巷|道)(?:[0-9０-９]+号)?/u, "");
  if (!/^[\u4e00-\u9fff]{2,}$/u.test(text) || GENERIC_NAME.test(text)) return null;
  return text;
}

const FULL_WIDTH_DIGIT = /[０-９]/gu;

/**
 * The name of a building site read from the address ("泰山路193号春华1号地块项目工地门口" →
 * "春华1号地块项目工地"): a site is named after its project or plot, whose number is part of the
 * name, and an address parser reads "春华1号地块" as building 1 of a compound 春华 (so that two
 * plots of one district are one place, and a site named after its district is no place at all).
 * Admin names, road and number, and "附近/门口/（建设路）" around the name are dropped. null when
 * the address names no site.
 * @example
 * siteNameFromAddress("澜东区泰山路193号春华1号地块项目工地门口") // "春华1号地块项目工地"
 */
export function siteNameFromAddress(address: string): string | null {
  if (!address.includes("工地")) return null;
  let text = address
    .replace(/[（(][^）)]*[）)]/gu, "")
    .replace(/\s+/gu, "")
    .replace(FULL_WIDTH_DIGIT, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/(?:附近|门口|对面|旁边|里面|内|外|前|后|东门|西门|南门|北门|大门)$/u, "");
  const admin = ADMIN_PREFIX.exec(text)?.[0] ?? "";
  if (admin && text.length - admin.length >= 2) text = text.slice(admin.length);
  text = text.replace(/^[\u4e00-\u9fff]{1,8}?(?:路|街|大道|巷)(?:[0-9]+号)?/u, "");
  const m = /^([\u4e00-\u9fff][\u4e00-\u9fff0-9]{1,15}?)(?:项目工地|工地)$/u.exec(text);
  if (!m || GENERIC_NAME.test(text) || /^(?:项目|地块|[0-9])/u.test(m[1]!)) return null;
  return text;
}

/** Names that are no place at all: "unknown", "the crossing", "near", "at the door". */
const NOT_A_PLACE =
  /^(?:不详|未知|不清楚|无|空|路口|交叉口|十字路口|附近|门口|对面|旁边|路边|路上|马路上|现场|家中|家里|本市|市区|辖区|null|unknown)$/iu;

/** Whether a key names no place (its name part is a stop word such as 不详 or 路口). */
export function isPlaceless(key: string): boolean {
  const m = /^[ZC]:[^:]*:([^/]*)$/su.exec(key);
  return m !== null && NOT_A_PLACE.test(m[1]!.trim());
}

const charReadings = new Map<string, string>();

function spell(text: string): string {
  let out = "";
  for (const ch of text) {
    let reading = charReadings.get(ch);
    if (reading === undefined) {
      reading = /[\u4e00-\u9fff]/u.test(ch) ? pinyin(ch, { toneType: "none" }) : ch.toLowerCase();
      charReadings.set(ch, reading);
    }
    out += out && /[a-z]$/.test(out) && /^[a-z]/.test(reading) ? ` ${reading}` : reading;
  }
  return out;
}

/** Path parts that say where around a place, not which place ("楼下" read as a sub-POI "下"). */
const NOT_A_PART = /^(?:下|楼下|上|楼上|门口|附近|对面|旁边|边|外|里|内|前|后)$/u;

/** The matching form of the path after the name: "/下/b7栋/u2" → "/b7/u2". */
function matchingPath(path: string): string {
  return path
    .split("/")
    .filter((part) => part !== "" && !NOT_A_PART.test(part))
    .map((part) => part.replace(/^([bur])(\w+?)(?:号楼|栋|幢|座|单元|室|号)$/u, "$1$2"))
    .map((part) => `/${part}`)
    .join("");
}

/** The matching form of a compound, road or community name. */
export function matchingName(name: string, compound: boolean): string {
  let base = name;
  const admin = ADMIN_PREFIX.exec(base)?.[0] ?? "";
  if (admin && base.length - admin.length >= 2) base = base.slice(admin.length);
  if (compound) {
    const stripped = base.replace(SUFFIX, "");
    if (stripped.length >= 2) base = stripped;
  }
  return spell(base);
}

/**
 * The matching form of a location key made by src/address (`Z:<scope>:<name>/b3/u2/r501`,
 * `R:<scope>:<road>/<no>`, `X:<scope>:<a>&<b>`, `C:<scope>:<community>/b3`); other keys
 * (US blocks, custom keys) are returned unchanged.
 * @example
 * matchingKey("Z:浙江省:澜江市澜西区兰阁公寓/b25/u4/r103") === matchingKey("Z::兰阁小区/b25/u4/r103") // true
 */
export function matchingKey(key: string): string {
  const m = /^([ZRXC]):([^:]*):(.*)$/su.exec(key);
  if (!m) return key;
  const type = m[1]!;
  const scope = m[2]!;
  const body = m[3]!;
  if (type === "X") {
    return `X:${body
      .split("&")
      .map((road) => matchingName(road, false))
      .sort()
      .join("&")}`;
  }
  let slash = body.indexOf("/");
  let name = slash < 0 ? body : body.slice(0, slash);
  if (type === "Z" && slash >= 0) {
    // The parser may cut a compound's name at a strong ending inside it (彩虹锦城/花园/b17,
    // 澜江市望潮区城/市领寓花园/b11): a first sub-POI that ends with a compound suffix is read
    // with the name, so that every spelling of the compound gets one matching form.
    const next = body.indexOf("/", slash + 1);
    const part = next < 0 ? body.slice(slash + 1) : body.slice(slash + 1, next);
    if (SUFFIX.test(part) && !/^[bur]\d/u.test(part) && !NOT_A_PART.test(part)) {
      name += part;
      slash = next;
    }
  }
  const rest = slash < 0 ? "" : matchingPath(body.slice(slash));
  // A generic name (农贸市场, 超市) names no particular place: its scope stays part of the key.
  const keep = GENERIC_NAME.test(name) ? `${scope}|` : "";
  return `${type}:${keep}${matchingName(name, type === "Z")}${rest}`;
}

/** Caches matchingKey per raw key (most keys repeat many times). */
export class PlaceResolver {
  private readonly cache = new Map<string, string>();

  resolve(key: string): string {
    let out = this.cache.get(key);
    if (out === undefined) {
      out = matchingKey(key);
      if (this.cache.size < 2_000_000) this.cache.set(key, out);
    }
    return out;
  }
}

const CROSSING =
  /([\u4e00-\u9fff0-9]{1,6}?(?:路|街|大道|道|巷))(?:与|和|、|\/)?([\u4e00-\u9fff0-9]{1,6}?(?:路|街|大道|道|巷))(?:交叉路口|交叉口|十字路口|路口|口)/u;

/**
 * An intersection key read from the address when the parser found none ("汉江路与滨海大道交叉口",
 * "八一路港城路口"): the two roads, admin prefixes dropped, in either order.
 * @example
 * crossKeyFromAddress("澜江市澜东区物流街与民主路交叉口") === crossKeyFromAddress("民主路和物流街路口") // true
 */
export function crossKeyFromAddress(address: string): string | null {
  let text = address.replace(/\s+/gu, "");
  const admin = ADMIN_PREFIX.exec(text)?.[0] ?? "";
  if (admin && text.length - admin.length >= 4) text = text.slice(admin.length);
  const m = CROSSING.exec(text);
  if (!m || m[1] === m[2]) return null;
  return `X::${[m[1]!, m[2]!].sort().join("&")}`;
}
