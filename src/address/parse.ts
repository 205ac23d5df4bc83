import type { Gazetteer } from "./gazetteer.ts";
import { CHINESE_NUMERAL_CHARS } from "./normalize.ts";

/**
 * Rule-based Chinese address parser: gazetteer matching for the administrative levels, then
 * suffix and unit-word rules for the rest. Entities are spans of the original text, in order,
 * covering it completely (labels of the corpora in ../shared/data/address, see docs/address.md).
 */

export const ADDRESS_LABELS = [
  "prov",
  "city",
  "district",
  "devzone",
  "town",
  "community",
  "road",
  "subroad",
  "roadno",
  "subroadno",
  "poi",
  "subpoi",
  "houseno",
  "cellno",
  "floorno",
  "roomno",
  "redundant",
  "assist",
  "otherinfo",
] as const;
export type AddressLabel = (typeof ADDRESS_LABELS)[number];

/** One component: `label` over `text[start, end)`. */
export interface Span {
  readonly label: string;
  readonly start: number;
  readonly end: number;
}

export interface Entity {
  readonly label: string;
  readonly text: string;
}

/** Division ids the parser recognised, for key building and completion of upper levels. */
export interface AdminMatch {
  readonly start: number;
  readonly end: number;
  readonly id: number;
}

export interface RuleParse {
  readonly spans: Span[];
  readonly admin: AdminMatch[];
}

export interface RuleOptions {
  /** Division id of the deployment's region: ambiguous names are read inside it first. */
  readonly regionId?: number | null;
  /** Extra names of divisions (deployment aliases): alias → division id. */
  readonly adminAliases?: ReadonlyMap<string, number>;
}

/**
 * Membership of each character in the sets below, one bit per set, indexed by code unit (a
 * ctype-like table): a test is one array read. Tests go by code unit because `text[i]` makes a
 * new string for every Chinese character (V8 caches only one-byte ones), which a set of strings
 * must then hash; this runs for every character of every imported address.
 */
const CHAR_BITS = new Uint32Array(0x10000);
let charSets = 0;

/** A set of characters (each one UTF-16 code unit) tested by code unit. */
class CharSet {
  private readonly bit: number;
  constructor(chars: string) {
    if (charSets === 32) throw new Error("CharSet: more than 32 character sets");
    this.bit = 1 << charSets++;
    for (const c of chars) CHAR_BITS[c.charCodeAt(0)] = (CHAR_BITS[c.charCodeAt(0)] as number) | this.bit;
  }
  /** True when `code` (a code unit, NaN past the end of a text) is in the set. */
  has(code: number): boolean {
    // NaN fails the bound test: reading a typed array at NaN takes V8's slow generic path.
    return code < 0x10000 && ((CHAR_BITS[code] as number) & this.bit) !== 0;
  }
  /** True when the character at `i` of `text` is in the set (false past either end). */
  hasAt(text: string, i: number): boolean {
    return inText(text, i) && this.has(text.charCodeAt(i));
  }
}

/**
 * True when `i` indexes a character of `text`. Tests check it before charCodeAt: an optimised
 * charCodeAt past the end deoptimises its function (V8 "out of bounds"), and the parser's big
 * functions then take longer to warm up.
 */
function inText(text: string, i: number): boolean {
  return i >= 0 && i < text.length;
}

/**
 * The first characters of the words of a `^(word|word|…)` regex of plain words, to skip the
 * regex where none can start (derived from the regex, so the two never disagree).
 */
function firstCharsOf(words: RegExp): CharSet {
  const list = /^\^\((.+)\)$/.exec(words.source)?.[1]?.split("|");
  if (!list || list.some((w) => /[\\[\](){}.*+?^$]/.test(w)))
    throw new Error(`not a list of plain words: ${words}`);
  return new CharSet(list.map((w) => w[0]).join(""));
}

// Character classes by code unit (false past either end of the text).

/** ASCII or full-width digit at `i`. */
function digitAt(text: string, i: number): boolean {
  if (!inText(text, i)) return false;
  const x = text.charCodeAt(i);
  return (x >= 48 && x <= 57) || (x >= 0xff10 && x <= 0xff19);
}
/** ASCII or full-width Latin letter at `i`. */
function latinAt(text: string, i: number): boolean {
  if (!inText(text, i)) return false;
  const x = text.charCodeAt(i);
  return (
    (x >= 65 && x <= 90) ||
    (x >= 97 && x <= 122) ||
    (x >= 0xff21 && x <= 0xff3a) ||
    (x >= 0xff41 && x <= 0xff5a)
  );
}
/** Han character (CJK extension A and the unified block) at `i`. */
function hanAt(text: string, i: number): boolean {
  if (!inText(text, i)) return false;
  const x = text.charCodeAt(i);
  return x >= 0x3400 && x <= 0x9fff;
}
const NUMERALS = new CharSet(CHINESE_NUMERAL_CHARS);
/** Chinese numeral character (一, 十, 百, 两…) at `i`. */
function numeralAt(text: string, i: number): boolean {
  return NUMERALS.hasAt(text, i);
}

const LEVEL_ORDER = { prov: 0, city: 1, district: 2, town: 3 } as const;

/** Words that end with 区/县/市 but are not divisions. */
const NOT_DISTRICT =
  /(^(城区|东区|西区|南区|北区|中区|新区|片区|郊区)$)|(小区|园区|开发区|高新区|经开区|保税区|工业区|景区|校区|社区|街区|商区|厂区|营区|库区|矿区|生活区|办公区|住宅区)$/;
/** 街办: 街道办事处 shortened. */
const TOWN_SUFFIX = /^(街道办事处|街道办|街道|街办事处|街办|镇|乡|苏木)/;
const COMMUNITY_SUFFIX = /^(社区居委会|社区居民委员会|村民委员会|居民委员会|居委会|村委会|社区|嘎查|村)/;
const DEVZONE_SUFFIX =
  /^(经济技术开发区|高新技术产业开发区|经济开发区|高新技术开发区|开发区|高新区|经开区|保税区|试验区|新区)/;
const TOWN_FIRST = firstCharsOf(TOWN_SUFFIX);
const COMMUNITY_FIRST = firstCharsOf(COMMUNITY_SUFFIX);
const DEVZONE_FIRST = firstCharsOf(DEVZONE_SUFFIX);
/** The rest of 村委会 after 村, written short (村委) or in full (村委员会). */
const VILLAGE_OFFICE = /^(委员会|委会|委)/;
/** Industrial parks: compounds (the development zones proper are DEVZONE_SUFFIX). */
const PARK_SUFFIX = /^(工业园区|产业园区|科技园区|工业园|工业区|产业园|科技园)/;
const PARK_FIRST = firstCharsOf(PARK_SUFFIX);
/** One-character road stems: 东街, 二巷, 辅路. */
const SHORT_ROAD_STEM = new CharSet("东西南北中前后一二三四五六七八九十辅环新老正横");
const ROAD_SUFFIX = /^(大道|大街|公路|国道|省道|县道|高速|胡同|路|街|巷|道|弄)/;
const ROAD_FIRST = firstCharsOf(ROAD_SUFFIX);
/** Generic place words: a run that is only road + one of these is one POI (北京路小学). */
/** First characters of every suffix word that can end a component inside a run (fast reject). */
const SUFFIX_START = new CharSet("街镇乡苏社村科居嘎经高开工产保试大公国省县胡路巷道弄小花家公新广市环线");
/** A division's name (two to six characters and its suffix) at the start of a run. */
const DIVISION_PREFIX = /^[\u3400-\u9fff]{2,6}?[省市县区]/;
const HAN_ONLY = /^[\u3400-\u9fff]+$/;
/** Characters that number or orient a road after its name (中山东二路, 团结七支路, 银溪一横路). */
const ROAD_MODIFIER = new CharSet("一二三四五六七八九十东西南北中支横纵");
/** Numbers of ring roads (二环, 西三环). */
const RING_NUMBER = new CharSet("一二三四五六七八九");
const PLACE_BEFORE_ROAD =
  /^.+?(服饰|公司|工厂|厂|商店|店|工业|市场|中心|超市|宾馆|酒店|银行|学校|大学|学院|医院|大厦|广场|苑|园|城|村)(?![区园])/;
const POI_BEFORE_ROAD = /^(小区|花园|家园|大厦|公寓|新村|广场|市场|大楼)/;
const POI_BEFORE_ROAD_FIRST = firstCharsOf(POI_BEFORE_ROAD);
const GENERIC_POI =
  /^(小区|小学|中学|大学|医院|市场|花园|公寓|大厦|广场|宿舍|新村|菜场|菜市场|超市|酒店|宾馆|公园|幼儿园|学校|车站|加油站|派出所|银行|口|段|村|口子|桥|旁)$/;
const ZONE_AFTER_SHORT = /^(经济|开发区|高新|工业|产业园|园区|新区|保税)/;
/** First characters of the generic words of GENERIC_AFTER_SHORT that GENERIC_AFTER_SHORT_3 does not decide. */
const GENERIC_LONG_FIRST = new CharSet("中卫幼学初一二三四五六七八九派人政汽客邮供信法");
/** The generic words of GENERIC_AFTER_SHORT decided by three characters (the old list): tested first. */
const GENERIC_AFTER_SHORT_3 =
  /^(小区|花园|家园|公寓|大厦|广场|新村|市场|花苑|苑|府|中学|小学|医院|大学|宾馆|酒店|商场|公园)/;
const GENERIC_AFTER_SHORT =
  /^(小区|花园|家园|公寓|大厦|广场|新村|市场|花苑|苑|府|中学|小学|医院|大学|宾馆|酒店|商场|公园|中心(小学|中学|学校|幼儿园|卫生院|医院)|卫生院|幼儿园|学府|初级中学|[一二三四五六七八九]中(?![路街心])|派出所|人民政府|政府|汽车站|客运站|邮政所|供电所|信用社|法庭)/;

/** A zone named by its kind alone (高新区, 开发区), read right after a division. */
const BARE_ZONE =
  /^(经济技术开发区|高新技术产业开发区|高新技术开发区|经济开发区|开发区|高新区|高新[东西南北]区|经开区|保税区)(?![路街道])/;
const DEVZONE_END = /(开发区|高新区|新区|保税区|试验区|园区|工业区|工业园)$/;
/** First characters of the NOISE words and last characters of the trailing ones (fast reject). */
/** Last characters of DIRECTION_TAIL matches. */
const SIDE_LAST_CHAR = new CharSet("东西南北侧");
const NOISE_FIRST = new CharSet("电先请联收送详地道不无没谢自打");
const NOISE_LAST = new CharSet("联系门详号谢取提家");
/** Words that only say "call me": not part of the place. */
const NOISE =
  /^(电联|电话联系|先电联|请电联|联系电话|收件人|请送货上门|送货上门|送到家|电话|打电话|详细地址不详|地址不详|道路不详|不详|无门牌号|没有门牌号|谢谢|自取|自提)/;

/** Strong POI endings after which a following name is a sub-POI (阳光小区东区). */
const POI_END =
  /(小区|花园|家园|大厦|广场|公寓|新村|市场|公司|医院|学校|小学|中学|大学|公馆|华府|花苑|山庄|新城|商城|名苑|雅苑|嘉园|大楼|中心|工业园区|工业区|工业园|产业园|科技园)$/;
const POI_INNER =
  /^.{2,}?(小区|花园|家园|大厦|广场|公寓|新村|市场|医院|学校|小学|中学|大学|公馆|华府|山庄|商城|大楼|中心|有限公司|城(?!市))/;
const JUNCTION_START =
  /^(交叉路口|交叉口|交汇处|交汇口|交界处|交汇|交界|交口|十字路口|路口)([东西南北]{1,2}(角|侧|面|边)|[东西南北]{1,2}|路[东西南北](侧|边|面)?)?/;
/** 西区阳光路: a section of a zone or compound (西区, 二区) at the start of a run, before a road. */
const SECTION_BEFORE_ROAD =
  /^[东西南北中一二三四五六七八九十]区(?!大道|大街|路|街)(?=[\u4e00-\u9fff]{2,4}(路|街|大道|大街))/;
/** A compound's name, then one of its gates, then another name (阳光雅苑 | 南门 | 百草药房). */
const MID_GATE =
  /^(.{2,}?(小区|花园|家园|大厦|广场|公寓|新村|市场|医院|学校|小学|中学|大学|学院|公园|中心|[苑园城院校府]))([东西南北]大?门)(?=[\u4e00-\u9fff]{2})/;
/** A gate at the end of a name: 东门, 北大门, 后门 (not 西直门 or 天安门, which are names). */
const GATE_END = /([东西南北正后侧]|[东西南北正后]?大)门$/;
/**
 * 千禧园东园, 国庄矿中区: a compass section at the end of a compound is a sub-POI; after a
 * two-character stem only 区 and 院 are (阳光北苑, 红星西苑 are one name; 阳光 | 东区).
 */
const SECTION_END = /^(.{3,}?(?=[东西南北中][区园苑院]$)|.{2}(?=[东西南北中][区院]$))/;
/** 阳光景园红星园: two compound names, each with a one-character compound ending. */
const TWO_COMPOUNDS = /^.{3,}?[园苑府庭居湾阁轩](?=.{1,5}[园苑府庭居湾阁轩]$)/;
const SUBPOI =
  /^([东西南北中]区|[A-Za-zＡ-Ｚａ-ｚ0-9０-９一二三四五六七八九十]+(期|区|苑)|[东西南北]门|门口|南苑|北苑)$/;
const FILLER =
  /(大门口|正门口|[东西南北]门口|门口|附近|对面|对过|旁边|隔壁|楼下|楼上|背后|周边|一带|里面|斜对面|旁|院内|[东西南北]侧|边上|后面|前面|内|以[东西南北]|沿街|前台|总台)$/;
/** Last characters of the FILLER words (fast reject). */
const FILLER_LAST = new CharSet("口近面过边壁下带旁内侧上后台东西南北");
/** 中科幼儿园南, 火车站广场东侧: a compass direction after a compound's ending says where near it. */
const DIRECTION_TAIL =
  /(?<=(小区|花园|家园|大厦|广场|公寓|市场|医院|学校|小学|中学|大学|幼儿园|车站|超市|银行|公园|中心|大楼|新村|[城苑园楼寓府局院站场馆厂店校]))(向?[东西南北]|[东西南北]侧)$/;
/** Last characters of a compass side's end after a road or a village (阳光村南头): see roadSideAt. */
const SIDE_END_CHAR = new CharSet("东西南北头端首边");
/** Last characters of roads and villages, before a compass side: 路街道巷村. */
const ROAD_OR_VILLAGE_LAST = new Set([0x8def, 0x8857, 0x9053, 0x5df7, 0x6751]);

/**
 * 阳光路西, 红星村南头: where a compass side (or its end, 头/端/首/边) after a road or a village starts
 * at the end of `head`, or -1 (by code unit: this is tried on many runs).
 */
function roadSideAt(head: string): number {
  let i = head.length - 1;
  if (!SIDE_END_CHAR.hasAt(head, i)) return -1;
  if (!COMPASS.hasAt(head, i)) i--;
  if (!COMPASS.hasAt(head, i) || i < 1) return -1;
  return ROAD_OR_VILLAGE_LAST.has(head.charCodeAt(i - 1)) ? i : -1;
}
const MIDDLE_DOTS = new CharSet("·・•");
/** True when 内 at `pos` says "inside" the place or number before it (8号内, 加油站内), not a name (红星镇内河码头). */
function insideAt(text: string, pos: number): boolean {
  const before = text[pos - 1];
  return (
    (digitAt(text, pos - 1) || INSIDE_AFTER.hasAt(text, pos - 1) || before === "号" || before === "院") &&
    !/^内[环蒙科江湖地]/.test(text.slice(pos, pos + 2))
  );
}

/** Filler words that end a name inside a run when another name follows them. */
const MID_FILLER =
  /^(斜对面|对面|对过|旁边|隔壁|楼下|背后|附近|后面|边上|沿街|以[东西南北]|之间|[东西南北]{1,2}侧|旁)[\u4e00-\u9fff]{2}/;
const MID_FILLER_START = new CharSet("斜对旁隔楼附后背边沿以之内东西南北");
/** Last characters of place words after which 内 ("inside") ends the name: 加油站内, 物流园内. */
const INSIDE_AFTER = new CharSet("园场站店司厂区馆心团流校");
const FILLER_START =
  /^(大门口|正门口|门口|附近|对面|对过|旁边|隔壁|楼下|楼上|背后|周边|一带|里面|斜对面|以[东西南北内外]|之间|后面|[东西南北]{1,2}侧|旁(?!边)|街上|沿街)/;
/** First characters of the FILLER_START words (fast reject). */
const FILLER_FIRST = new CharSet("大正门附对旁隔楼背周一里斜以之后街沿东西南北");
/** 交叉口, 十字路口 at the end of a run. */
const JUNCTION_END = /(交叉路口|交叉口|交汇处|交界处|交口|十字路口)$/;
/** Last characters of the JUNCTION_END words (fast reject). */
const JUNCTION_LAST = new CharSet("口处");

// Helpers of the parser's hot loops live at module level: a closure made per call costs more
// than its work once tsx (esbuild keepNames) wraps each one in __name (~20% of a locate).

/** Adds a non-empty span. */
function pushSpan(spans: Span[], label: string, start: number, end: number): void {
  if (end > start) spans.push({ label, start, end });
}

function hasLabel(spans: readonly Span[], label: string): boolean {
  return spans.some((s) => s.label === label);
}

/** One span from `start` to `end`, as a list. */
function spanFrom(start: number, label: string, end: number): Span[] {
  return [{ label, start, end }];
}

/** Adds a span of a run at `offset` in the text; returns its label (the run's previous label). */
function emitSpan(out: Span[], offset: number, label: string, s: number, e: number): string {
  out.push({ label, start: offset + s, end: offset + e });
  return label;
}

/**
 * Parses a Chinese address into labelled spans with rules and the gazetteer.
 * @example
 * parseRules("浙江省杭州市西湖区文三路100号", nationalGazetteer()).spans.map((s) => s.label)
 * // ["prov", "city", "district", "road", "roadno"]
 */
export function parseRules(text: string, gazetteer: Gazetteer, options: RuleOptions = {}): RuleParse {
  if (text.includes(UNKNOWN_TOKEN)) return parseWithUnknowns(text, gazetteer, options);
  const spans: Span[] = [];
  const admin: AdminMatch[] = [];
  const n = text.length;
  let pos = 0;
  let level = -1; // deepest admin level read so far
  let ancestor: number | null = null;
  let streetSeen = false; // a road, POI or community has been read: no more admin levels

  while (pos < n) {
    const c = text[pos] as string;
    const code = text.charCodeAt(pos);
    // 省直辖县级行政区划: the code list's container of the counties a province governs directly (a
    // city-level entry with no city), written out by exports; 省直辖 after the divisions repeats it.
    if ((c === "省" || c === "自") && !streetSeen) {
      const direct = DIRECT_COUNTIES.exec(text.slice(pos, pos + 11));
      if (direct && (direct[2] !== undefined || level >= 1)) {
        pushSpan(spans, direct[2] !== undefined ? "city" : "redundant", pos, pos + direct[0].length);
        if (direct[2] !== undefined) level = 1;
        pos += direct[0].length;
        continue;
      }
    }
    // Administrative divisions, from the gazetteer.
    if (
      !streetSeen &&
      hanAt(text, pos) &&
      !namesOrganisation(text, pos, spans, admin, gazetteer, level, options)
    ) {
      // 株洲市芦淞区建宁街道株洲市高新区, 瑞昌市瑞昌市经济开发区: a division already read, written again in
      // full before a zone word alone, names that division's zone (one devzone), not a new chain.
      const repeated = admin.length > 0 && repeatsAdmin(text, pos, admin);
      const zoneEnd = repeated ? zoneOfDivisionAgain(text, pos, admin, gazetteer) : 0;
      if (zoneEnd > 0) {
        pushSpan(spans, "devzone", pos, zoneEnd);
        pos = zoneEnd;
        continue;
      }
      const restart = repeated ? matchAdmin(text, pos, gazetteer, -1, null, options) : null;
      const first = restart === null ? -1 : admin.findIndex((a) => a.id === restart.id);
      if (
        restart &&
        restart.id !== (admin.at(-1) as AdminMatch).id &&
        first >= 0 &&
        first < admin.length - 0 &&
        LEVEL_ORDER[gazetteer.levelOf(restart.id)] <= level
      ) {
        // The administrative part written twice (浙江省温州市浙江省温州市…): the first copy is redundant.
        const from = (admin[first] as AdminMatch).start;
        for (let k = 0; k < spans.length; k++) {
          const sp = spans[k] as Span;
          if (sp.start >= from) spans[k] = { ...sp, label: "redundant" };
        }
        admin.length = 0;
        level = -1;
        ancestor = null;
      }
      // 嘉兴嘉兴桐乡市: the division just read written again before one of its subdivisions.
      const lastAdmin = admin.at(-1);
      const lastSpan = spans.at(-1);
      if (lastAdmin && lastSpan && lastSpan.start === lastAdmin.start) {
        const name = text.slice(lastAdmin.start, lastAdmin.end);
        if (
          name.length >= 2 &&
          text.startsWith(name, pos) &&
          gazetteer.namesAt(text, pos)[0] === name &&
          childAt(text, pos + name.length, lastAdmin.id, gazetteer)
        ) {
          spans[spans.length - 1] = { ...lastSpan, label: "redundant" };
          pushSpan(spans, lastSpan.label, pos, pos + name.length);
          admin[admin.length - 1] = { start: pos, end: pos + name.length, id: lastAdmin.id };
          pos += name.length;
          continue;
        }
      }
      // 慈溪市宁波慈溪观海卫镇, 东阳市东阳白云街道: a division already read, written again (often in
      // short) before a lower one, is redundant.
      let m = matchAdmin(text, pos, gazetteer, level, ancestor, options);
      const again = m || level < 1 ? null : readAgain(text, pos, admin, gazetteer);
      if (again !== null) {
        pushSpan(spans, "redundant", pos, again);
        pos = again;
        continue;
      }
      // 崇溪镇云南省昭通市巧家县崇溪镇, 山东省临沂市中国浙江省杭州市…: a whole chain of divisions
      // starting again from a higher level replaces what was read before, which is redundant.
      if (!m && admin.length > 0 && level >= 1 && highDivisionAt(text, pos, level, admin, gazetteer)) {
        const top = matchAdmin(text, pos, gazetteer, -1, null, options);
        const topLevel = top ? LEVEL_ORDER[gazetteer.levelOf(top.id)] : 9;
        if (
          top &&
          topLevel < level &&
          topLevel <= 1 &&
          !admin.some((a) => a.id === top.id) &&
          childAt(text, top.end, top.id, gazetteer)
        ) {
          for (let k = 0; k < spans.length; k++) {
            const sp = spans[k] as Span;
            if (sp.label in LEVEL_ORDER || sp.label === "devzone") spans[k] = { ...sp, label: "redundant" };
          }
          admin.length = 0;
          level = -1;
          ancestor = null;
          m = top;
        }
      }
      if (m) {
        const lv = m.county ? "district" : gazetteer.levelOf(m.id);
        const li = LEVEL_ORDER[lv];
        // Development zones listed among townships are devzones; a zone with a county-level code
        // (临沂高新技术产业开发区) stays a district, as in the official division list.
        if (li === 3 && DEVZONE_END.test(text.slice(pos, m.end))) {
          pushSpan(spans, "devzone", pos, m.end);
          pos = m.end;
          continue;
        }
        // 博爱县许良镇: some townships' official names start with their county's; written out, the
        // county is read as the district and the rest as the township.
        const county = li === 3 && level < 2 ? countyInTownName(text, pos, m, gazetteer) : 0;
        if (county > 0) {
          const countyId = gazetteer.parentOf(m.id);
          pushSpan(spans, "district", pos, pos + county);
          admin.push({ start: pos, end: pos + county, id: countyId });
          pushSpan(spans, "town", pos + county, m.end);
          admin.push({ start: pos + county, end: m.end, id: m.id });
          level = 3;
          ancestor = m.id;
          pos = m.end;
          continue;
        }
        // A municipality (北京市) is read as a city; written twice (天津天津市) as province then city.
        const municipality = lv === "prov" && gazetteer.nameOf(m.id).endsWith("市");
        const shown = municipality ? "city" : lv;
        // The same level written twice (宁波宁波市): the first is redundant.
        if (li === level && admin.length > 0) {
          const prev = admin.at(-1) as AdminMatch;
          const prevSpan = spans.findLast((s) => s.start === prev.start);
          if (prevSpan && prevSpan.label === shown)
            (spans as Span[])[spans.indexOf(prevSpan)] = {
              ...prevSpan,
              label: municipality && prev.id === m.id ? "prov" : "redundant",
            };
        }
        // 广西省, 内蒙古省: a region written with the province suffix it does not have.
        const end =
          shown === "prov" && text[m.end] === "省" && !/[省市区]$/.test(text.slice(pos, m.end))
            ? m.end + 1
            : m.end;
        pushSpan(spans, shown, pos, end);
        admin.push({ start: pos, end, id: m.id });
        level = li;
        ancestor = m.id;
        pos = end;
        continue;
      }
      // 中国 before or between the divisions (中国浙江省…, 防城区中国城区) names the country, not a place in it.
      if (
        text.startsWith("中国", pos) &&
        (pos + 2 === n ||
          /^(城区|市区)/.test(text.slice(pos + 2, pos + 4)) ||
          gazetteer.namesAt(text, pos + 2).length > 0)
      ) {
        // 福鼎市中国福鼎市城区: the divisions already read, written again after 中国, repeat the address's own.
        const again = repeatAfterChina(text, pos, spans, admin, gazetteer);
        if (again > 0) {
          pushSpan(spans, "redundant", pos, again);
          pos = again;
          continue;
        }
        pushSpan(spans, "redundant", pos, pos + 2);
        pos += 2;
        continue;
      }
      // 红星街道中国阳光路: 中国 before a road names the country, not a place.
      if (
        text.startsWith("中国", pos) &&
        /^[\u4e00-\u9fff]{2,4}(路|街|大道|大街)/.test(text.slice(pos + 2, pos + 9))
      ) {
        pushSpan(spans, "redundant", pos, pos + 2);
        pos += 2;
        continue;
      }
      // 光山县城城区, 屏山县城华府: 城 right after a county makes 县城, "the county town".
      if (
        c === "城" &&
        level === 2 &&
        text[pos - 1] === "县" &&
        admin.at(-1)?.end === pos &&
        !/[关东西南北中区镇乡里内外郊厢市阳]/.test(text[pos + 1] ?? "关")
      ) {
        pushSpan(spans, "redundant", pos, pos + 1);
        pos += 1;
        continue;
      }
      // 城区, 市区, 县城 after a district or city only say "in town".
      const inTown =
        level >= 1
          ? /^(城区|市区|县城|全区域|全区|全境|地区|城内)[内里]?/.exec(text.slice(pos, pos + 3))
          : null;
      if (inTown && !/^(街道|镇|乡|办事处)/.test(text.slice(pos + 2, pos + 5))) {
        pushSpan(spans, "redundant", pos, pos + inTown[0].length);
        pos += inTown[0].length;
        continue;
      }
      const u = matchUnknownAdmin(text, pos, level);
      if (u) {
        pushSpan(spans, u.label, pos, u.end);
        level = LEVEL_ORDER[u.label];
        pos = u.end;
        continue;
      }
    }
    // null, NULL, undefined: an empty field of the export written out, not part of the address.
    const empty = latinAt(text, pos)
      ? /^(null|undefined|none|nan)(?![A-Za-z])/i.exec(text.slice(pos, pos + 10))
      : null;
    if (empty) {
      pushSpan(spans, "redundant", pos, pos + empty[0].length);
      pos += empty[0].length;
      continue;
    }
    // Separators and punctuation.
    if (!hanAt(text, pos) && !digitAt(text, pos) && !latinAt(text, pos)) {
      let end = pos + 1;
      while (end < n && text[end] === c) end++;
      pushSpan(spans, "redundant", pos, end);
      pos = end;
      continue;
    }
    const noise = NOISE_FIRST.has(code) ? NOISE.exec(text.slice(pos, pos + 4)) : null;
    if (noise && spans.length > 0) {
      pushSpan(spans, "redundant", pos, pos + noise[0].length);
      pos += noise[0].length;
      continue;
    }
    const junction =
      c === "交" || c === "十" || c === "路"
        ? /^(交叉路口|交叉口|交汇处|交界处|交口|十字路口|路口)/.exec(text.slice(pos, pos + 4))
        : null;
    if (junction && lastMeaningful(spans) === "road") {
      pushSpan(spans, "intersection", pos, pos + junction[0].length);
      pos += junction[0].length;
      continue;
    }
    if (
      /[与和及至到、]/.test(c) &&
      lastMeaningful(spans) === "road" &&
      ROAD_AHEAD.test(text.slice(pos + 1, pos + 12))
    ) {
      pushSpan(spans, "redundant", pos, pos + 1);
      pos += 1;
      continue;
    }
    // 8号内, 加油站 | 内: 内 ("inside") after a number or a place word (内河码头 is a name).
    const fillerLength =
      c === "内"
        ? insideAt(text, pos)
          ? 1
          : 0
        : FILLER_FIRST.has(code)
          ? (FILLER_START.exec(text.slice(pos, pos + 3))?.[0].length ?? 0)
          : 0;
    if (fillerLength > 0 && spans.length > 0) {
      pushSpan(spans, "assist", pos, pos + fillerLength);
      pos += fillerLength;
      continue;
    }
    // 东单元, 乙单元, 西梯: a unit named by a side or a heavenly stem after a building.
    // 6东401, 1乙403: a side or a stem alone between a building and its flat; 12号楼一门: a numbered entrance.
    const unitAfter = lastMeaningful(spans);
    const namedUnit =
      unitAfter === "houseno"
        ? /^[东西南北中甲乙丙丁](单元|梯)|^[东西南北中甲乙丙丁](?=[0-9])|^[一二三四五六七八九十]门/.exec(
            text.slice(pos, pos + 3),
          )
        : // 阳光小区东单元: a unit named by its side, in a compound without building numbers.
          (unitAfter === "poi" || unitAfter === "subpoi") && text.startsWith("单元", pos + 1)
          ? /^[东西南北中]单元/.exec(text.slice(pos, pos + 3))
          : null;
    if (namedUnit) {
      pushSpan(spans, "cellno", pos, pos + namedUnit[0].length);
      pos += namedUnit[0].length;
      continue;
    }
    // 3楼东户, 5层左门: a flat named by its side on a floor (or in a building: 东户).
    const before = lastMeaningful(spans);
    const numbered =
      before === "floorno" || before === "cellno" || before === "houseno" || before === "roomno";
    const namedFlat =
      numbered && FLAT_SIDE.has(code)
        ? /^([东西南北中]{1,2}|左|右|中间)(户|房)|^([东西]|左|右|中间)门/.exec(text.slice(pos, pos + 3))
        : null;
    if (namedFlat && (before === "floorno" || !namedFlat[0].endsWith("门"))) {
      pushSpan(spans, "roomno", pos, pos + namedFlat[0].length);
      pos += namedFlat[0].length;
      continue;
    }
    // 5楼西, 3号楼东侧: a side named last, after the numbers, says where in or by the building.
    const side = numbered && COMPASS.has(code) ? SIDE_LAST.exec(text.slice(pos, pos + 5)) : null;
    if (side) {
      pushSpan(spans, "assist", pos, pos + side[0].length);
      pos += side[0].length;
      continue;
    }
    // 南200米路东: after a distance, the side of the road the place is on.
    // 交叉口路北: after a crossing too.
    const roadSide =
      c === "路" && (lastIsDistance(text, spans) || spans.at(-1)?.label === "intersection")
        ? /^路[东西南北](侧|边|面)?/.exec(text.slice(pos, pos + 4))
        : null;
    if (roadSide) {
      pushSpan(spans, "assist", pos, pos + roadSide[0].length);
      pos += roadSide[0].length;
      continue;
    }
    // 阳光路乙19号: a heavenly stem before a number on the road is part of the number (a house added beside 19).
    if (STEMS.has(code) && lastMeaningful(spans) === "road" && readNumber(text, pos + 1) !== null) {
      const after = matchNumbered(text, pos + 1, spans);
      const head = after?.[0];
      if (after && head && (head.label === "roadno" || head.label === "subpoi")) {
        pushSpan(spans, "roadno", pos, head.end);
        for (const s of after.slice(1)) pushSpan(spans, s.label, s.start, s.end);
        pos = (after.at(-1) as Span).end;
        continue;
      }
    }
    // 阳光路12号之三, 31之4号: 之 after a number ("the third of number 12") marks a sub-number; 之 and
    // its numeral are not a place.
    const subNumber = c === "之" ? subNumberEnd(text, pos, spans) : 0;
    if (subNumber > 0) {
      pushSpan(spans, "redundant", pos, subNumber);
      pos = subNumber;
      continue;
    }
    // Numbered components: 3栋, 二单元, 501室, 3-2-501, C座.
    const num = matchNumbered(text, pos, spans);
    // 红星200小区, 红星山一号小区: a number between a name and its compound word is part of the name.
    const named0 = spans.at(-1);
    const inName =
      num && named0 && named0.end === pos && (named0.label === "poi" || named0.label === "subpoi")
        ? NUMBER_IN_NAME.exec(text.slice(pos, pos + 12))
        : null;
    if (inName && named0 && !POI_END.test(text.slice(named0.start, named0.end))) {
      spans[spans.length - 1] = { ...named0, end: pos + inName[0].length };
      pos += inName[0].length;
      continue;
    }
    // 西园2路, 教育西4巷: a short name without an ending right before a numbered road is its name.
    const numberedRoad = num?.length === 1 && num[0]?.label === "road" ? num[0] : undefined;
    const stem = numberedRoad ? spans.at(-1) : undefined;
    if (
      numberedRoad &&
      stem &&
      stem.end === pos &&
      (stem.label === "poi" || stem.label === "subpoi") &&
      stem.end - stem.start <= 4 &&
      !POI_END.test(text.slice(stem.start, stem.end)) &&
      text[stem.end - 1] !== "区"
    ) {
      spans[spans.length - 1] = { label: "road", start: stem.start, end: numberedRoad.end };
      pos = numberedRoad.end;
      continue;
    }
    // 海西9号2号楼, 漓江一号6栋: a number that ends a compound's name (without a compound word), before its buildings;
    // 阳光一号红星阁, 红星九号3期: a number in Chinese numerals does so before any other part (X一号 names an estate).
    const named = num?.length === 1 && num[0]?.label === "houseno" ? num[0] : undefined;
    const nameStem = named ? spans.at(-1) : undefined;
    if (
      named &&
      nameStem &&
      nameStem.label === "poi" &&
      nameStem.end === pos &&
      text[named.end - 1] === "号" &&
      (BUILDING_NEXT.test(text.slice(named.end, named.end + 6)) ||
        (numeralAt(text, pos) && (hanAt(text, named.end) || digitAt(text, named.end)))) &&
      !NAMED_COMPOUND_END.test(text.slice(nameStem.start, nameStem.end))
    ) {
      spans[spans.length - 1] = { label: "poi", start: nameStem.start, end: named.end };
      pos = named.end;
      continue;
    }
    if (num) {
      relabelBeforeNumber(text, spans, pos, num[0] as Span);
      for (const s of num) pushSpan(spans, s.label, s.start, s.end);
      pos = (num.at(-1) as Span).end;
      continue;
    }
    // A run of names up to the next number or separator.
    let end = pos;
    while (end < n) {
      const ch = text.charCodeAt(end);
      // 龙湖·水晶郦城: a middle dot between two Han names belongs to the compound's name.
      if (
        MIDDLE_DOTS.has(ch) &&
        end > pos &&
        hanAt(text, end - 1) &&
        hanAt(text, end + 1) &&
        hanAt(text, end + 2)
      ) {
        end++;
        continue;
      }
      if (digitAt(text, end) || (!hanAt(text, end) && !latinAt(text, end))) break;
      if (end > pos && (numeralAt(text, end) || text.startsWith("负", end)) && numberedAt(text, end)) break;
      if (end > pos && latinAt(text, end) && !latinAt(text, end - 1) && numberedAt(text, end)) break;
      // 阳光小区东单元: a side's unit ends the name before it.
      if (end >= pos + 2 && SIDE_UNIT.has(ch) && text.startsWith("单元", end + 1)) break;
      // 阳光路乙19号: a heavenly stem after a road word starts the number on the road.
      if (end > pos && STEMS.has(ch) && ROAD_END_CHARS.hasAt(text, end - 1) && numberedAt(text, end + 1))
        break;
      // 红星贸易对面阳光纺织: a "where near" word between two names ends the first.
      if (end >= pos + 2 && MID_FILLER_START.has(ch) && MID_FILLER.test(text.slice(end, end + 5))) break;
      // 加油站内宏达汽修: 内 ("inside") after a place word, before another name.
      if (
        text.startsWith("内", end) &&
        end >= pos + 2 &&
        INSIDE_AFTER.hasAt(text, end - 1) &&
        /^内[\u4e00-\u9fff]{2}/.test(text.slice(end, end + 3)) &&
        !/^内[环蒙科江湖地]/.test(text.slice(end, end + 2))
      )
        break;
      end++;
    }
    if (end === pos) end = pos + 1;
    let run = text.slice(pos, end);
    // 交叉口向北50米红星汽车维修: a direction before a distance says where from the place before.
    const toward =
      digitAt(text, end) && DISTANCE.test(text.slice(end, end + 10))
        ? DIRECTION_BEFORE_DISTANCE.exec(run)
        : null;
    if (toward && (toward.index >= 2 || toward.index === 0)) {
      run = run.slice(0, toward.index);
      end = pos + toward.index;
    }
    // 阳光路北8号, 建设大道东12号: the side of the road a number is on, between the road and its number.
    const sideOfRoad = !toward && sideBeforeRoadNumber(text, spans, pos, end, run);
    if (sideOfRoad) {
      run = run.slice(0, -1);
      end -= 1;
    }
    // What follows a distance (东100米阳光幼儿园) is a place of its own, not a part of the one before.
    // 和乐小区(口腔医院旁): a place named in brackets is a place of its own too.
    const prevLabel =
      lastIsDistance(text, spans) || afterOpeningBracket(text, spans) ? undefined : lastMeaningful(spans);
    const parts =
      run.length > 0
        ? splitRun(
            run,
            pos,
            prevLabel,
            level,
            !streetSeen,
            hasLabel(spans, "poi"),
            sideMayEnd(text, end, run),
          )
        : [];
    for (const s of parts) {
      pushSpan(spans, s.label, s.start, s.end);
      if (s.label !== "town" && s.label !== "devzone" && s.label !== "redundant") streetSeen = true;
      if (s.label === "town") level = 3;
    }
    pos = end;
    if (toward) {
      pushSpan(spans, "assist", end, end + toward[0].length);
      pos = end + toward[0].length;
    }
    if (sideOfRoad) {
      pushSpan(spans, "assist", end, end + 1);
      pos = end + 1;
    }
  }
  keepFirstOfRepeatedDistrict(text, spans, admin);
  return { spans, admin };
}

/**
 * 武侯区武侯区红牌楼街道: a county or district written twice in a row is read at its first copy and the
 * second is the repeat (`redundant`); the rules above read the last copy of a division, which is
 * kept for the other levels (杭州杭州市 and 杭州市杭州市 make the first copy redundant).
 */
function keepFirstOfRepeatedDistrict(text: string, spans: Span[], admin: AdminMatch[]): void {
  for (let k = 1; k < spans.length; k++) {
    const a = spans[k - 1] as Span;
    const b = spans[k] as Span;
    if (
      a.label !== "redundant" ||
      b.label !== "district" ||
      a.end !== b.start ||
      b.end - b.start !== a.end - a.start ||
      !text.startsWith(text.slice(a.start, a.end), b.start)
    )
      continue;
    spans[k - 1] = { ...a, label: "district" };
    spans[k] = { ...b, label: "redundant" };
    const at = admin.findIndex((m) => m.start === b.start);
    if (at >= 0) admin[at] = { ...(admin[at] as AdminMatch), start: a.start, end: a.end };
  }
}

const STEMS = new CharSet("甲乙丙丁");
/** Mobile numbers of the national numbering plan: 1, then 3 to 9, then nine digits. */
const MOBILE = /^1[3-9][0-9]{9}$/;
const SIDE_UNIT = new CharSet("东西南北中");
const DASHES = new CharSet("-－—~～");
const COMPASS = new CharSet("东西南北");
const FLAT_SIDE = new CharSet("东西南北中左右");
const ROAD_END_CHARS = new CharSet("路街道巷弄");
/** A compass side at the end of the address (or before a bracket, a comma or a call-me note). */
const SIDE_LAST = /^[东西南北](侧|头|边|面)?(?![\u3400-\u9fff])|^[东西南北](侧|头|边|面)?(?=电联|电话)/;

/** 省直辖县级行政区划 (a placeholder city of the official code list) and 省直辖 alone. */
const DIRECT_COUNTIES = /^(省|自治区)直辖(县级行政区划)?/;

/** Placeholder some exports and corpora leave for an unreadable character. */
const UNKNOWN_TOKEN = "[UNK]";
/** A rare CJK character standing in for the placeholder while parsing (one character, like the original). */
const UNKNOWN_CHAR = "\u3400";

/** Parses text with [UNK] placeholders as if each were one unknown Chinese character, mapping spans back. */
function parseWithUnknowns(text: string, gazetteer: Gazetteer, options: RuleOptions): RuleParse {
  const offsets: number[] = [];
  let work = "";
  for (let i = 0; i < text.length; ) {
    offsets.push(i);
    if (text.startsWith(UNKNOWN_TOKEN, i)) {
      work += UNKNOWN_CHAR;
      i += UNKNOWN_TOKEN.length;
    } else {
      work += text[i];
      i++;
    }
  }
  offsets.push(text.length);
  const at = (k: number): number => offsets[k] as number;
  const parsed = parseRules(work, gazetteer, options);
  return {
    spans: parsed.spans.map((sp) => ({ label: sp.label, start: at(sp.start), end: at(sp.end) })),
    admin: parsed.admin.map((a) => ({ id: a.id, start: at(a.start), end: at(a.end) })),
  };
}

const BUILDING_END = /(大厦|商务楼|大楼|中心|市场|广场|商城|城|商场|写字楼)$/;
/** Text of the last span with a label. */
function lastSpanText(text: string, spans: readonly Span[], label: string): string {
  for (let k = spans.length - 1; k >= 0; k--) {
    const sp = spans[k] as Span;
    if (sp.label === label) return text.slice(sp.start, sp.end);
  }
  return "";
}

/** True when the text at `pos` repeats one of the division names already read. */
function repeatsAdmin(text: string, pos: number, admin: readonly AdminMatch[]): boolean {
  for (const a of admin) if (writtenAgainAt(text, a.start, a.end, pos)) return true;
  return false;
}

/**
 * End of 中国 and the divisions already read written again after it down to the last of them
 * (福鼎市中国福鼎市城区, 福鼎市中国宁德市福鼎市), or 0 when 中国 starts something else (a new chain
 * after 中国 replaces the divisions read before it, in parseRules).
 */
function repeatAfterChina(
  text: string,
  pos: number,
  spans: readonly Span[],
  admin: readonly AdminMatch[],
  g: Gazetteer,
): number {
  let again = pos + 2;
  const last = spans.findLast((sp) => sp.label in LEVEL_ORDER);
  if (!last) return 0;
  for (let next = readName(text, again, admin, g); next > 0; next = readName(text, again, admin, g)) {
    again += next;
    if (
      last.end - last.start === next &&
      writtenAgainAt(text, last.start, last.end, again - next) &&
      repeatEndsHere(text, again, admin, g)
    )
      return again;
  }
  return 0;
}

/** End of 之 (and its numeral) marking a sub-number right after a number (12号之三, 31之4号), or 0. */
function subNumberEnd(text: string, pos: number, spans: readonly Span[]): number {
  if (pos === 0 || spans.at(-1)?.end !== pos) return 0;
  if (!digitAt(text, pos - 1) && text.charCodeAt(pos - 1) !== 0x53f7) return 0; // 号
  if (digitAt(text, pos + 1)) return pos + 1;
  if (!numeralAt(text, pos + 1)) return 0;
  // 12号之一3栋, but 之三号楼: there the numeral numbers the building.
  if (/^[一二三四五六七八九十]+[号楼栋幢单室层]/.test(text.slice(pos + 1, pos + 6))) return pos + 1;
  let e = pos + 1;
  while (numeralAt(text, e)) e++;
  return e;
}

/**
 * Relabels the name right before a number by what the number is: a village with numbered buildings,
 * or with a numbered section of them, is a compound (阳光村12栋; 阳光村 | 三区 | 15栋, the section a part
 * of it); a name without a place word before a numbered villagers' group is its village (红星镇阳光3组).
 */
function relabelBeforeNumber(text: string, spans: Span[], pos: number, first: Span): void {
  const last = spans.at(-1);
  if (last === undefined || last.end !== pos) return;
  // 阳光村12栋: a village with numbered buildings is a compound (an urban village, a resettlement estate).
  if (last.label === "community") {
    if (
      text.charCodeAt(pos - 1) === 0x6751 &&
      first.label === "houseno" &&
      BUILDING_WORD_END.test(text.slice(first.start, first.end))
    )
      spans[spans.length - 1] = { ...last, label: "poi" };
    return;
  }
  if (last.label !== "poi") return;
  if (
    first.label === "group" &&
    last.end - last.start >= 2 &&
    last.end - last.start <= 4 &&
    !NAMED_COMPOUND_END.test(text.slice(last.start, last.end))
  ) {
    spans[spans.length - 1] = { ...last, label: "community" };
    return;
  }
  const sectionOf = spans.at(-2);
  if (
    first.label === "houseno" &&
    sectionOf?.label === "community" &&
    sectionOf.end === last.start &&
    text.charCodeAt(last.start - 1) === 0x6751 &&
    SECTION_NAME.test(text.slice(last.start, last.end)) &&
    BUILDING_WORD_END.test(text.slice(first.start, first.end))
  ) {
    spans[spans.length - 2] = { ...sectionOf, label: "poi" };
    spans[spans.length - 1] = { ...last, label: "subpoi" };
  }
}

/** True when `text[start, end)` occurs again at `pos` (by code unit: no slice on the hot path). */
function writtenAgainAt(text: string, start: number, end: number, pos: number): boolean {
  if (pos + end - start > text.length) return false;
  for (let i = start; i < end; i++) if (text.charCodeAt(i) !== text.charCodeAt(pos + i - start)) return false;
  return true;
}

/** 200米, 1.5公里: a distance from a place. */
const DISTANCE = /^[0-9]+(\.[0-9]+)?(米|公里|千米|m)/;
/** 向北, 正东方向, 西侧 at the end of a run, right before a distance. */
const DIRECTION_BEFORE_DISTANCE =
  /(正?[东西南北]{1,2}方向|[向往朝]?正?[东西南北]{1,2}(侧|边|面|方)?|[向往朝]前|前方)$/;

/** A number on a road next (8号, 12-3号, 7##1号), or a lane numbered on that side (南10巷); not 北1路 or 东3号楼. */
const ROAD_NUMBER_NEXT = /^[0-9]+(##+[0-9]+)*(号(?![楼院])|[-－]|巷|$)/;

/** True when the last character of `run` (ending at `end`) is a compass side between a road and its number. */
function sideBeforeRoadNumber(
  text: string,
  spans: readonly Span[],
  pos: number,
  end: number,
  run: string,
): boolean {
  return (
    digitAt(text, end) &&
    COMPASS.hasAt(run, run.length - 1) &&
    ROAD_NUMBER_NEXT.test(text.slice(end, end + 8)) &&
    roadEndsBefore(spans, pos, run)
  );
}

/**
 * False when a compass side at the end of `run` starts the numbered road after it (阳光街北1路: 北1路
 * names that road, it is not a side of the one before), so that splitRun keeps it.
 */
function sideMayEnd(text: string, end: number, run: string): boolean {
  return (
    !digitAt(text, end) ||
    !SIDE_END_CHAR.hasAt(run, run.length - 1) ||
    ROAD_NUMBER_NEXT.test(text.slice(end, end + 8))
  );
}

/**
 * True when a road ends right before the last character of `run` (a compass side): the road is
 * the run's own end (阳光路 | 北) or, for a run of the side alone, the span before it (8号大街 | 南).
 */
function roadEndsBefore(spans: readonly Span[], pos: number, run: string): boolean {
  if (run.length === 1) {
    const last = spans.at(-1);
    return last !== undefined && last.label === "road" && last.end === pos;
  }
  return run.length >= 3 && (ROAD_END_CHARS.hasAt(run, run.length - 2) || run.endsWith("线", run.length - 1));
}

/** True when the last span is a distance (200米). */
function lastIsDistance(text: string, spans: readonly Span[]): boolean {
  let last = spans.at(-1);
  // 200米路东: the side of the road after the distance.
  if (last !== undefined && last.label === "assist" && text[last.start] === "路") last = spans.at(-2);
  return last !== undefined && last.label === "assist" && DISTANCE.test(text.slice(last.start, last.end));
}

/**
 * 红星镇红星镇工商所, 阳光县阳光县公安局: the division just read, written again and followed by the
 * name of an office, starts that office's name (and is part of it); 萧山区萧山区阳光公寓 stays a
 * repeated division.
 */
function namesOrganisation(
  text: string,
  pos: number,
  spans: readonly Span[],
  admin: readonly AdminMatch[],
  g: Gazetteer,
  level: number,
  options: RuleOptions,
): boolean {
  const last = admin.at(-1);
  if (!last || spans.length === 0) return false;
  let starts = false;
  for (const a of admin) if (text.charCodeAt(a.start) === text.charCodeAt(pos)) starts = true;
  if (!starts) return false;
  const longest = g.namesAt(text, pos)[0];
  // 宁波宁波市 and 上海上海市 write one division twice, the second time in full.
  const again = longest ? admin.find((a) => text.slice(a.start, a.end) === longest) : undefined;
  if (!again || longest === undefined || longest.length < 2) return false;
  let after = pos + longest.length;
  // 红星市阳光区水利局: the office's name may repeat the whole chain of divisions read before.
  for (let next = readName(text, after, admin, g); next > 0; next = readName(text, after, admin, g))
    after += next;
  if (!hanAt(text, after) || matchAdmin(text, after, g, level, last.id, options) !== null) return false;
  if (TOWN_SUFFIX.test(text.slice(after, after + 3))) return false;
  const rest = text.slice(after, hanRunEnd(text, after));
  // 红星镇红星镇综合市场: after a township, any place named after it (not a village or a road);
  // 红星镇红星镇人民政府阳光路: a village or road word further on, after the place's own ending, is another name.
  if (g.levelOf(again.id) === "town" && again === last) {
    const notPlace = NOT_A_PLACE_NAME.exec(rest);
    const place = notPlace ? PLACE_NAME_END.exec(rest) : null;
    return (
      (notPlace === null || (place !== null && place.index + place[0].length <= notPlace.index)) &&
      g.namesAt(text, after).length === 0
    );
  }
  return OFFICE.test(beforeTownWord(rest));
}

/**
 * True when 村, 路, 街 or 道 occurs within the ten characters after the first two at `pos`: without one,
 * MOVED_STEM_NEXT cannot match after any stem, and the city's stems need not be looked up.
 */
function villageOrRoadAhead(text: string, pos: number): boolean {
  const end = Math.min(text.length, pos + 12);
  for (let i = pos + 2; i < end; i++) {
    const x = text.charCodeAt(i);
    if (x === 0x6751 || x === 0x8def || x === 0x8857 || x === 0x9053) return true;
  }
  return false;
}

/** What follows the stem of a township of another county: a village, or a road with a name of its own. */
const MOVED_STEM_NEXT =
  /^([\u4e00-\u9fff]{2,3}村(?![委民]?[路街])|[^东西南北中一二三四五六七八九十新老\d][\u4e00-\u9fff]{1,3}(路|大道|大街|街)(?![道]))/;

/** Endings of a place's name (an office, a school, a compound): what follows them is another name. */
const PLACE_NAME_END =
  /局|所|政府|委员会|办事处|中心|学校|小学|中学|大学|学院|医院|卫生院|站|馆|银行|公司|小区|花园|家园|大厦|广场|公寓|市场|超市|幼儿园|[一二三四五六七八九十]中|[一二三四五六七八九十]小/;

/** Words that make a run a village, a group or a road rather than a place named after its township. */
const NOT_A_PLACE_NAME = /村|社区|居委|组|路|街|巷|弄|大道|开发区|园区|工业园|新区|高新区/;

/**
 * End of the name of a division already read, written again at `pos` before one of its own
 * subdivisions (宁波慈溪观海卫镇 after 宁波市慈溪市; 东阳市东阳白云街道).
 */
function readAgain(text: string, pos: number, admin: readonly AdminMatch[], g: Gazetteer): number | null {
  const last = admin.at(-1);
  if (!last) return null;
  let starts = false;
  for (const a of admin) if (text.charCodeAt(a.start) === text.charCodeAt(pos)) starts = true;
  if (!starts) return null;
  for (const name of g.namesAt(text, pos)) {
    if (name.length < 2) continue;
    const end = pos + name.length;
    for (const h of g.lookup(name)) {
      const a = admin.find((x) => x.id === h.id);
      // 武进高新区: a division's name before a zone word names the zone.
      if (!a || !childAt(text, end, h.id, g) || BARE_ZONE.test(text.slice(end, end + 10))) continue;
      // 宁波宁波市: the full name after the short one is read as the division (the short one is redundant).
      if (a === last && last.end === pos && name.length >= last.end - last.start) continue;
      return end;
    }
  }
  return null;
}

/**
 * End of "division + zone word" when a city or county already read (its name as written) is written
 * again at `pos` and followed by a zone named by its kind alone (高新区, 经济开发区), or 0. A longer
 * gazetteer name at `pos` (a zone listed among the townships) is left to the gazetteer.
 */
function zoneOfDivisionAgain(text: string, pos: number, admin: readonly AdminMatch[], g: Gazetteer): number {
  for (const a of admin) {
    const len = a.end - a.start;
    if (len < 2 || !writtenAgainAt(text, a.start, a.end, pos) || g.levelOf(a.id) === "town") continue;
    const zone = BARE_ZONE.exec(text.slice(pos + len, pos + len + 10));
    if (!zone) continue;
    const longest = g.namesAt(text, pos)[0];
    if (longest !== undefined && longest.length > len) return 0;
    return pos + len + zone[0].length;
  }
  return 0;
}

/**
 * Length of the county's name at the start of a township's official name as written at `pos`
 * (博爱县 in 博爱县许良镇), or 0 when the township's name does not start with its county's.
 */
function countyInTownName(text: string, pos: number, m: AdminCandidate, g: Gazetteer): number {
  const parent = g.parentOf(m.id);
  if (parent < 0 || g.levelOf(parent) !== "district") return 0;
  const county = g.nameOf(parent);
  return county.length >= 2 && m.end - pos > county.length + 1 && text.startsWith(county, pos)
    ? county.length
    : 0;
}

/**
 * True when a repeat of the divisions ends at `pos`: the text ends or goes on with a separator, 城区,
 * a subdivision or a road, not with a place named after the division (福鼎市体育馆, 福鼎市开发区).
 */
function repeatEndsHere(text: string, pos: number, admin: readonly AdminMatch[], g: Gazetteer): boolean {
  if (!hanAt(text, pos)) return true;
  const last = admin.at(-1);
  return (
    /^(城区|市区|县城|城)/.test(text.slice(pos, pos + 2)) ||
    (last !== undefined && childAt(text, pos, last.id, g)) ||
    ROAD_AHEAD.test(text.slice(pos, pos + 12))
  );
}

/** Text before the first township word (an office named after the division comes before any). */
function beforeTownWord(run: string): string {
  const m = /镇|乡|街道/.exec(run);
  return m ? run.slice(0, m.index) : run;
}

/** Length of the name of a division already read that starts at `pos`, or 0. */
function readName(text: string, pos: number, admin: readonly AdminMatch[], g: Gazetteer): number {
  for (const name of g.namesAt(text, pos))
    for (const a of admin) if (text.slice(a.start, a.end) === name) return name.length;
  return 0;
}

/** Names of offices and public bodies, which often begin with their division's name. */
const OFFICE =
  /(局|所|政府|委员会|委会|办事处|中心|学校|小学|中学|大学|学院|医院|卫生院|法院|检察院|站|馆|银行|支行|分行|营业厅|公司)/;

/** End of the run of Han characters that starts at `pos`. */
function hanRunEnd(text: string, pos: number): number {
  let end = pos;
  while (end < text.length && hanAt(text, end)) end++;
  return end;
}

/** True when the last span is an opening bracket. */
function afterOpeningBracket(text: string, spans: readonly Span[]): boolean {
  const last = spans.at(-1);
  return (
    last !== undefined && last.label === "redundant" && /^[(（[【]+$/.test(text.slice(last.start, last.end))
  );
}

/** Label of the last span that names something (not a separator or filler). */
function lastMeaningful(spans: readonly Span[]): string | undefined {
  for (let k = spans.length - 1; k >= 0; k--) {
    const label = (spans[k] as Span).label;
    if (label !== "redundant" && label !== "assist") return label;
  }
  return undefined;
}

interface AdminCandidate {
  readonly id: number;
  readonly end: number;
  /** A former county named after its city (绍兴县): read as a county inside that city. */
  readonly county?: boolean;
}

function matchAdmin(
  text: string,
  pos: number,
  g: Gazetteer,
  level: number,
  ancestor: number | null,
  options: RuleOptions,
): AdminCandidate | null {
  const names = options.adminAliases ? aliasNames(text, pos, g, options.adminAliases) : g.namesAt(text, pos);
  let stems = ancestor !== null && level === 2 ? g.townStemsAt(text, pos, ancestor) : NO_STEMS;
  // 余杭区乔司阳光村: a township moved since to another county of the same city, named by its stem.
  let moved = false;
  if (stems.length === 0 && ancestor !== null && level === 2 && villageOrRoadAhead(text, pos)) {
    const city = g.parentOf(ancestor);
    const st = city !== null && g.levelOf(city) === "city" ? g.cityTownStemsAt(text, pos, city) : NO_STEMS;
    const longest = st[0];
    if (longest !== undefined && MOVED_STEM_NEXT.test(text.slice(pos + longest.name.length, pos + 12))) {
      stems = st.filter((x) => g.parentOf(x.id) !== ancestor);
      moved = stems.length > 0;
    }
  }
  const candidates = stems.length === 0 ? names : mergeCandidates(names, stems);
  for (const name of candidates) {
    const len = name.length;
    const alias = options.adminAliases?.get(name);
    let stem: { id: number; name: string } | undefined;
    for (const st of stems) if (st.name === name) stem = st;
    const found = alias !== undefined ? [{ id: alias, kind: "alias" as const }] : g.lookup(name);
    const hits = stem ? [...found, { id: stem.id, kind: "short" as const }] : found;
    if (hits.length === 0) continue;
    // 新镇路, 北京路: a division name directly followed by a road word names the road.
    // 唐山市路北区: unless one of its own subdivisions starts there.
    if (
      /^(路|街|大道|大街|巷|弄)/.test(text.slice(pos + len, pos + len + 2)) &&
      !hits.some((h) => childAt(text, pos + len, h.id, g))
    )
      continue;
    let best: { id: number; score: number } | null = null;
    let around: ShortContext | null = null;
    for (const h of hits) {
      const li = LEVEL_ORDER[g.levelOf(h.id)];
      if (li < level) continue;
      const inContext = ancestor !== null && g.within(h.id, ancestor);
      // 柯桥区柯桥百货城, 绍兴市绍兴县: a short name right after its own division starts a place name.
      if (li === level && ancestor !== null && h.id === ancestor && h.kind !== "full") continue;
      if (li === level && !(ancestor !== null && h.id === ancestor) && !inContext) {
        // A repeat of the same level is only accepted when it is the same division.
        continue;
      }
      const movedStem = moved && stem !== undefined && h.id === stem.id && h.kind === "short";
      if (li === 3 && !inContext && h.kind !== "full" && !movedStem) continue; // bare town stems are too ambiguous
      // A township of another county: only its full name, and only within the same city (counties get redrawn).
      if (li === 3 && ancestor !== null && !inContext) {
        const city = g.levelOf(ancestor) === "district" ? g.parentOf(ancestor) : ancestor;
        if ((h.kind !== "full" && !movedStem) || city === null || !g.within(h.id, city)) continue;
      }
      if (h.kind !== "full") {
        // 阿尔丁大街1号, 东风路阳光小区: a street office's name without 街道 that ends in a road word is the road.
        if (li === 3 && h.kind !== "alias" && /(路|街|道|巷)$/.test(name)) continue;
        around ??= shortContext(text.slice(pos + len, pos + len + 3));
        const weak = h.kind !== "alias";
        // 南滨江路, 阳明西路: a short name must not leave a road with a one-character stem.
        // 红星经济开发区, 北城工业区: a short name in front of a zone word names the zone.
        // 台州路桥区, 浙江湖州: a short name followed by one of its own subdivisions is the division.
        // 湖州湖州市: ... and so is a short name written again in full right after it.
        const child =
          around.shortRoadStem || around.blockedNext || (weak && around.roadAfter)
            ? childAt(text, pos + len, h.id, g) || text.startsWith(g.nameOf(h.id), pos + len)
            : false;
        if (weak && ((around.shortRoadStem && !child) || around.zone)) continue;
        if ((around.blockedNext || (weak && around.roadAfter)) && !child) continue;
        // 青山花园 is a compound, not 青山(区) + 花园: a short name never leaves only a generic word
        // (中心卫生院 needs more than the three characters of the context).
        if (
          around.generic ||
          (GENERIC_LONG_FIRST.hasAt(text, pos + len) &&
            GENERIC_AFTER_SHORT.test(text.slice(pos + len, pos + len + 6)))
        )
          continue;
      }
      if (ancestor !== null && !inContext && li > level + 1 && h.kind !== "full") continue;
      // Without context, a bare short district name outside the deployment's region is a place name (友谊新村).
      if (
        ancestor === null &&
        li >= 2 &&
        h.kind === "short" &&
        options.regionId != null &&
        !g.within(h.id, options.regionId)
      )
        continue;
      let score = inContext ? 4 : 0;
      if (options.regionId != null && g.within(h.id, options.regionId)) score += 2;
      if (h.kind === "full" || h.kind === "alias") score += 1;
      score -= li * 0.1;
      if (!best || score > best.score) best = { id: h.id, score };
    }
    if (best) {
      // 富阳市 / 玉环县 written with a former suffix: the suffix belongs to the name.
      const lv = g.levelOf(best.id);
      const old = text[pos + len];
      const name0 = g.nameOf(best.id);
      if (
        name0 !== name &&
        old !== undefined &&
        ((lv === "district" && /[市县区]/.test(old)) || (lv === "city" && old === "市"))
      )
        if (!/^[市县区](场|政府|中心|委|民|里|内|外|级)/.test(text.slice(pos + len, pos + len + 2)))
          return { id: best.id, end: pos + len + 1 };
      // 绍兴县, 宜宾县: a former county named after its city (merged into the city's districts since).
      if (
        lv === "city" &&
        old === "县" &&
        name0 !== name &&
        !/^县(城|委|政府|级)/.test(text.slice(pos + len, pos + len + 2))
      )
        return { id: best.id, end: pos + len + 1, county: true };
      return { id: best.id, end: pos + len };
    }
  }
  return null;
}

/** What follows a short division name, computed once per candidate name. */
interface ShortContext {
  readonly shortRoadStem: boolean;
  readonly zone: boolean;
  readonly roadAfter: boolean;
  readonly blockedNext: boolean;
  readonly generic: boolean;
}

function shortContext(after: string): ShortContext {
  const road = /^[\u4e00-\u9fff]{0,3}?(大道|大街|路|街|巷)/.exec(after);
  return {
    shortRoadStem: road !== null && road[0].length - (road[1] as string).length < 2,
    zone: ZONE_AFTER_SHORT.test(after),
    roadAfter: ROAD_SUFFIX.test(after) || /^[东西南北中]([路街]|大道|大街)/.test(after),
    blockedNext: after.length > 0 && /[村镇乡庄桥湖山园城门区]/.test(after[0] as string),
    generic: GENERIC_AFTER_SHORT_3.test(after),
  };
}

/** True when a province or city above `level`, not read yet, may be named at `pos` (a cheap test). */
function highDivisionAt(
  text: string,
  pos: number,
  level: number,
  admin: readonly AdminMatch[],
  g: Gazetteer,
): boolean {
  for (const name of g.namesAt(text, pos))
    for (const h of g.lookup(name)) {
      const li = LEVEL_ORDER[g.levelOf(h.id)];
      if (li < level && li <= 1 && !admin.some((a) => a.id === h.id)) return true;
    }
  return false;
}

/** True when a subdivision of `parent` is named at `pos`. */
function childAt(text: string, pos: number, parent: number, g: Gazetteer): boolean {
  for (const name of g.namesAt(text, pos))
    for (const h of g.lookup(name)) if (g.parentOf(h.id) === parent) return true;
  return false;
}

const NO_STEMS: readonly { id: number; name: string }[] = [];

/** Gazetteer names and township stems at one position, longest first, without repeats. */
function mergeCandidates(names: readonly string[], stems: readonly { name: string }[]): string[] {
  const out = [...names];
  for (const s of stems) if (!out.includes(s.name)) out.push(s.name);
  return out.sort((a, b) => b.length - a.length);
}

/** Candidate names from the gazetteer and from deployment aliases, longest first. */
function aliasNames(text: string, pos: number, g: Gazetteer, aliases: ReadonlyMap<string, number>): string[] {
  const out = [...g.namesAt(text, pos)];
  for (const alias of aliases.keys())
    if (text.startsWith(alias, pos) && !out.includes(alias)) out.push(alias);
  return out.sort((a, b) => b.length - a.length);
}

/** A district or town missing from the gazetteer (renamed or merged since): 江东区, 新桥镇. */
function matchUnknownAdmin(
  text: string,
  pos: number,
  level: number,
): { label: "district" | "town"; end: number } | null {
  if (level === -1) {
    const m = /^[\u3400-\u9fff]{2}(区|县)/.exec(text.slice(pos, pos + 3));
    if (m && !NOT_DISTRICT.test(m[0]) && !/[路街道村镇乡小园]/.test(m[0]))
      return { label: "district", end: pos + m[0].length };
  }
  if (level === 1 || level === 0) {
    const m = /^[\u3400-\u9fff]{1,3}?(区|县)/.exec(text.slice(pos, pos + 5));
    if (m && !NOT_DISTRICT.test(m[0]) && !/[路街道村镇乡]/.test(m[0]))
      return { label: "district", end: pos + m[0].length };
  }
  if (level === 2) {
    const m = /^[\u4e00-\u9fff]{2,4}?(街道|街办|镇|乡)/.exec(text.slice(pos, pos + 7));
    if (m && !/[路街道村区]/.test(m[0].slice(0, -m[1]!.length)) && !m[0].endsWith("小镇"))
      return { label: "town", end: pos + m[0].length };
  }
  return null;
}

/** True when a numbered component starts at `pos` (a number followed by a unit word or a dash). */
function numberedAt(text: string, pos: number): boolean {
  return readNumber(text, pos) !== null;
}

/** Reads a number token at `pos`: digits, Chinese numerals followed by a unit word, or one Latin letter + unit. */
function readNumber(text: string, pos: number): { end: number; chinese: boolean } | null {
  let end = pos;
  if (digitAt(text, end)) {
    while (digitAt(text, end) || (text[end] === "#" && /^#*[0-9]/.test(text.slice(end, end + 4)))) end++;
    // 5A栋, 12B座: a letter between the number and its unit word is part of the number.
    if (
      latinAt(text, end) &&
      !latinAt(text, end + 1) &&
      /^(座|栋|幢|号楼|单元|室)/.test(text.slice(end + 1, end + 3))
    )
      end++;
    // 2375C, 8B-1017: one letter after the digits, with nothing glued after it, is part of the number
    // (not 12F, the floor, nor 4S店 or 24h).
    else if (latinAt(text, end) && letterSuffix(text, end)) end++;
    return { end: maskedTail(text, end), chinese: false };
  }
  if (
    (text[end] === "负" || text[end] === "-") &&
    /^[负-][一二三四五六七八九1-9](楼|层)/.test(text.slice(end, end + 3))
  )
    return { end: end + 2, chinese: true };
  if (numeralAt(text, end)) {
    while (numeralAt(text, end)) end++;
    if (/^(号楼|号院|单元|栋|幢|座|楼|号|室|层|期|区|组|梯)/.test(text.slice(end, end + 2)))
      return { end, chinese: true };
    return null;
  }
  // b##3号楼: a letter, then a masked number.
  if (latinAt(text, end) && !latinAt(text, end + 1) && /^##+[0-9０-９]/.test(text.slice(end + 1, end + 5)))
    return { end: maskedTail(text, end + 1), chinese: false };
  // B11座, D2995, DA1266: up to two letters glued to digits are one number.
  const glued = latinAt(text, end)
    ? /^[A-Za-zＡ-Ｚａ-ｚ]{1,2}[0-9０-９]+/.exec(text.slice(end, end + 10))
    : null;
  if (glued && (end === 0 || !latinAt(text, end - 1)))
    return { end: maskedTail(text, end + glued[0].length), chinese: false };
  if (latinAt(text, end) && !latinAt(text, end + 1)) {
    if (/^(座|栋|幢|号楼|区|单元|楼|门|梯|\d|-)/.test(text.slice(end + 1, end + 3)))
      return { end: end + 1, chinese: false };
  }
  return null;
}

/** True when the letter at `end`, right after digits, ends the number (see readNumber). */
function letterSuffix(text: string, end: number): boolean {
  if (latinAt(text, end + 1) || digitAt(text, end + 1) || text[end + 1] === "#") return false;
  const letter = (text[end] as string).toLowerCase();
  if (letter === "f") return false;
  return !((letter === "s" || letter === "h") && hanAt(text, end + 1));
}

/**
 * 179##a, e1##4: some exports mask characters of a number with ##; the masked number goes on
 * over a letter or digits after the mask.
 */
function maskedTail(text: string, end: number): number {
  // 6a##70##1: a letter glued to the digits before a mask is part of the number.
  let e = latinAt(text, end) && text[end + 1] === "#" && text[end + 2] === "#" ? end + 1 : end;
  // 23##o##1, 3##b##40##7: a number may be masked in several places.
  while (text[e] === "#" && text[e + 1] === "#") {
    const m = /^##+([0-9０-９]+|[A-Za-z](?![A-Za-z]))/.exec(text.slice(e, e + 12));
    if (!m) break;
    e += m[0].length;
  }
  return e;
}

function matchNumbered(text: string, pos: number, spans: readonly Span[]): Span[] | null {
  const first = readNumber(text, pos);
  if (!first) return null;
  const prev0 = lastMeaningful(spans);
  // 13912345678: a mobile number (11 digits from 13 to 19) is a "call me" note, not a number of the place.
  if (first.end - pos === 11 && text[pos] === "1" && MOBILE.test(text.slice(pos, pos + 11)))
    return spanFrom(pos, "redundant", first.end);
  // A house-number range on a road: 806-808号, 1-16号.
  const dashed = DASHES.hasAt(text, first.end);
  const range = dashed ? /^([0-9]+)[-－~～]([0-9]+)号/.exec(text.slice(pos, pos + 14)) : null;
  // 806-808号 is a range of numbers; 17-123号 and 138-2号 are a number and a house behind it.
  if (
    range &&
    (prev0 === "road" || prev0 === "subroad") &&
    Number(range[2]) > Number(range[1]) &&
    (range[2] as string).length === (range[1] as string).length
  )
    return [{ label: prev0 === "road" ? "roadno" : "subroadno", start: pos, end: pos + range[0].length }];
  // 807-811, 2311-2312号: a range of flats or shops written by their first and last numbers.
  const rooms = range ?? (dashed ? /^([0-9]+)[-－~～]([0-9]+)/.exec(text.slice(pos, pos + 12)) : null);
  if (
    rooms &&
    prev0 !== "road" &&
    prev0 !== "subroad" &&
    (rooms[1] as string).length >= 3 &&
    (rooms[2] as string).length === (rooms[1] as string).length &&
    Number(rooms[2]) > Number(rooms[1]) &&
    Number(rooms[2]) - Number(rooms[1]) <= 20 &&
    !DASHES.hasAt(text, pos + rooms[0].length) &&
    !digitAt(text, pos + rooms[0].length)
  )
    return spanFrom(pos, "roomno", unitEnd(text, pos + rooms[0].length) ?? pos + rooms[0].length);
  // Numbered road names: 西园2路, 14号大街, 8路.
  const numberedRoad =
    /^[0-9]+号?(国道|省道|县道|乡道|大街|大道|支路|横路|路|街|巷)(?![0-9]*号?[楼栋幢]|坊|区)/.exec(
      text.slice(pos, pos + 8),
    );
  // 商贸城二区三楼5街21003: in a market, a numbered aisle (街) after a floor or a section is a unit
  // of the building, and the number after it the stall.
  if (numberedRoad && /^[0-9]+街$/.test(numberedRoad[0]) && afterFloorOrSection(text, spans, pos))
    return [{ label: "cellno", start: pos, end: pos + numberedRoad[0].length }];
  // 平潭街3巷: a numbered lane after its road is a road too (but 中山路8号 is a number on it).
  if (numberedRoad && (prev0 !== "road" || /^[0-9]+(巷|街)$/.test(numberedRoad[0])))
    return [{ label: "road", start: pos, end: pos + numberedRoad[0].length }];
  // 200米, 1.5公里: a distance from the place, not part of it.
  const distance = DISTANCE.exec(text.slice(pos, pos + 10));
  if (distance) return [{ label: "assist", start: pos, end: pos + distance[0].length }];
  // 203小区, 37号街坊, 2号地块, 3组团, 1里17号楼: a numbered quarter is a compound, or a part of the one before.
  const quarter = QUARTER_START.hasAt(text, first.end)
    ? NUMBERED_QUARTER.exec(text.slice(first.end, first.end + 4))
    : null;
  // 阳光家园3号地, 阳光针织厂7号厂房: a numbered plot or works building of the compound before it.
  const part =
    !quarter && (prev0 === "poi" || prev0 === "subpoi") && PART_START.hasAt(text, first.end)
      ? NUMBERED_PART.exec(text.slice(first.end, first.end + 3))
      : null;
  if (part && !first.chinese) return spanFrom(pos, "subpoi", first.end + part[0].length);
  if (quarter && !first.chinese)
    return spanFrom(
      pos,
      prev0 === "poi" || prev0 === "subpoi" ? "subpoi" : "poi",
      first.end + quarter[0].length,
    );
  // Dash forms: 3-2-501, 13-2021, 12－374.
  const parts: { start: number; end: number }[] = [{ start: pos, end: first.end }];
  let p = first.end;
  while ((DASHES.hasAt(text, p) || numeralDash(text, p)) && (digitAt(text, p + 1) || latinAt(text, p + 1))) {
    const nx = readNumber(text, p + 1) ?? (latinAt(text, p + 1) ? { end: p + 2, chinese: false } : null);
    if (!nx) break;
    parts.push({ start: p + 1, end: nx.end });
    p = nx.end;
  }
  if (parts.length > 1) {
    // 5-3幢, 41-7号楼: two numbers joined by a dash before a building word number one building.
    const building =
      parts.length === 2 && prev0 !== "road" && prev0 !== "subroad"
        ? DASHED_BUILDING_WORD.exec(text.slice(p, p + 2))
        : null;
    if (building) return spanFrom(pos, "houseno", p + building[0].length);
    const out: Span[] = [];
    const lastDigits =
      (parts.at(-1) as { start: number; end: number }).end - (parts.at(-1) as { start: number }).start;
    const roadFirst = prev0 === "road" || prev0 === "subroad";
    // 建设路1208-12-5-316: the number on the road, then building, unit (and floor) and room.
    const ladder = roadFirst
      ? parts.length === 4
        ? ["roadno", "houseno", "cellno", "roomno"]
        : parts.length >= 5
          ? ["roadno", "houseno", "cellno", "floorno", "roomno"]
          : ["roadno", "houseno", "roomno"]
      : hasLabel(spans, "houseno")
        ? ["cellno", "roomno"]
        : parts.length >= 4
          ? ["houseno", "cellno", "floorno", "roomno"]
          : parts.length === 3
            ? ["houseno", "cellno", "roomno"]
            : lastDigits >= 3
              ? ["houseno", "roomno"]
              : ["houseno", "cellno"];
    const labels = roadFirst ? ladder.slice(0, parts.length) : ladder.slice(-parts.length);
    while (labels.length < parts.length) labels.unshift("houseno");
    // 13-3楼, 8-11-7楼: a dashed number ending in a floor word ends with the floor.
    const lastEnd = (parts.at(-1) as { end: number }).end;
    if (text[lastEnd] === "楼" || text[lastEnd] === "层") {
      labels[labels.length - 1] = "floorno";
      if (!roadFirst && labels.length >= 2 && labels[labels.length - 2] === "roomno")
        labels[labels.length - 2] = "cellno";
    }
    // 130-7单元, 3-1门: ... or in a unit word, with the unit (the building before it).
    if (!roadFirst && /^(单元|门(?![面市头卫店诊])|梯)/.test(text.slice(lastEnd, lastEnd + 2))) {
      labels[labels.length - 1] = "cellno";
      if (labels.length >= 2 && labels[labels.length - 2] === "cellno") labels[labels.length - 2] = "houseno";
    }
    parts.forEach((part, i) => {
      let end = part.end;
      if (i === parts.length - 1) end = unitEnd(text, end) ?? end;
      out.push({ label: labels[i] as string, start: part.start, end });
      const nextPart = parts[i + 1];
      if (nextPart) out.push({ label: "redundant", start: end, end: nextPart.start });
    });
    return out;
  }
  const end = first.end;
  const unit =
    /^(号楼|号院|栋楼|幢楼|单元|房间|号搂|号喽|栋|幢|座|懂|憧|撞|楼|门|单|号|室|房|户|层|弄|期|区|组|队|社(?!区)|排|梯|F|f|#)/.exec(
      text.slice(end, end + 2),
    );
  const u = unit?.[1];
  const prev = lastMeaningful(spans);
  if (u) {
    const uend = end + u.length;
    switch (u) {
      case "号楼":
        // 5栋3号楼502: N号楼 after a building and before a flat number is its floor (3楼 with 号).
        if (prev === "houseno" && digitAt(text, uend) && !FLAT_UNIT_NEXT.test(text.slice(uend, uend + 8)))
          return spanFrom(pos, "floorno", uend);
        return spanFrom(pos, "houseno", uend);
      case "栋":
      case "幢":
      case "座":
      case "栋楼":
      case "幢楼":
      // 10懂, 4憧, 16撞, 13号搂: the building's unit word typed as a homophone by the input method.
      case "懂":
      case "憧":
      case "撞":
      case "号搂":
      case "号喽":
        return spanFrom(pos, "houseno", uend);
      case "号院":
        // 新华路264号院: the number on the road; 阳光新城5号院: a courtyard of the compound;
        // 阜平镇3号院: a compound named by its number.
        if (prev === "road" || prev === "roadno") return spanFrom(pos, "roadno", uend);
        if (prev === "poi" || prev === "subpoi") return spanFrom(pos, "subpoi", uend);
        if (
          prev === undefined ||
          prev === "town" ||
          prev === "community" ||
          prev === "district" ||
          prev === "devzone"
        )
          return spanFrom(pos, "poi", uend);
        return spanFrom(pos, "houseno", uend);
      case "单元":
      // 2单: 单元 shortened.
      case "单":
      case "门":
      case "梯":
        return spanFrom(pos, "cellno", uend);
      case "层":
      case "F":
      case "f":
        return spanFrom(pos, "floorno", uend);
      case "楼":
        // 3楼 is a floor, unless a unit or a floor follows (5楼3单元: building 5).
        return spanFrom(
          pos,
          /^[0-9一二三四五六七八九十]+(单元|层)/.test(text.slice(uend, uend + 4)) ? "houseno" : "floorno",
          uend,
        );
      case "室":
      case "房间":
      case "房":
      case "户":
      case "#":
        return spanFrom(pos, "roomno", uend);
      case "弄":
        return spanFrom(pos, prev === "road" ? "roadno" : prev === "subroad" ? "subroadno" : "roadno", uend);
      case "区":
        // 阳光路二区, 阳光村三区: a numbered block along a road or in a village is a place of
        // its own; after a compound (阳光花园二区) it is a part of it.
        if (prev === "road" || prev === "roadno" || prev === "community" || prev === "town")
          return spanFrom(pos, "poi", uend);
        return spanFrom(pos, "subpoi", uend);
      case "期":
        return spanFrom(pos, "subpoi", uend);
      case "排":
        // 4排9号: a numbered row of houses before its numbers is numbered like a building.
        return spanFrom(pos, digitAt(text, uend) || numeralAt(text, uend) ? "houseno" : "subpoi", uend);
      case "组":
      // 14队, 4社: a production team, the older name of a villagers' group.
      case "队":
      case "社":
        // A villagers' group (村民小组): the swei412 vocabulary calls it "group".
        return spanFrom(pos, "group", uend);
      default: {
        // 号
        if (prev === "road") return spanFrom(pos, "roadno", uend);
        if (prev === "subroad") return spanFrom(pos, "subroadno", uend);
        // 5号门: a numbered gate of the compound (of the building, after one: its entrance).
        if (text[uend] === "门" && !/^门[面市头卫店诊]/.test(text.slice(uend, uend + 2)) && prev !== "roadno")
          return spanFrom(pos, prev === "houseno" ? "cellno" : "subpoi", uend + 1);
        // 九幢24号: the number after a building is its entrance; after a unit or floor, the room.
        // A flat number (four digits, or three at the end) is the room: 3幢1206号.
        if (prev === "houseno")
          return spanFrom(
            pos,
            end - pos >= 4 || (end - pos === 3 && uend === text.length) ? "roomno" : "cellno",
            uend,
          );
        if (prev === "cellno" || prev === "floorno") return spanFrom(pos, "roomno", uend);
        if (prev === "roadno") return spanFrom(pos, "houseno", uend);
        // 下宅村107号: without a road, the number of a house in a village is its house number.
        if (prev === "community" || prev === "town" || prev === "group")
          return spanFrom(pos, "houseno", uend);
        if (prev === "poi") {
          const poi = lastSpanText(text, spans, "poi");
          // 红星商务楼843号: a shop or office number in a building; 石板104号: a house number in a hamlet.
          if (BUILDING_END.test(poi) && end - pos >= 3) return spanFrom(pos, "roomno", uend);
        }
        // 阳光广场10楼百草药房3021号: a number after a shop on a floor is the shop's unit.
        if (prev === "subpoi" && hasLabel(spans, "floorno")) return spanFrom(pos, "roomno", uend);
        return spanFrom(pos, "houseno", uend);
      }
    }
  }
  // A bare number: a room at the end or after a building, a building after a POI.
  if (first.chinese) return null;
  const digits = end - pos;
  if (prev === "road") return spanFrom(pos, "roadno", end);
  if (prev === "houseno" || prev === "cellno" || prev === "floorno") return spanFrom(pos, "roomno", end);
  if (prev === "poi" || prev === "subpoi") return spanFrom(pos, digits >= 3 ? "roomno" : "houseno", end);
  return spanFrom(pos, digits >= 3 ? "roomno" : "houseno", end);
}

/** True when a floor (三楼) or a numbered section (二区, C3区) ends right at `pos`. */
function afterFloorOrSection(text: string, spans: readonly Span[], pos: number): boolean {
  const last = spans.at(-1);
  if (last === undefined || last.end !== pos) return false;
  return (
    last.label === "floorno" ||
    (last.label === "subpoi" && /^[A-Za-z0-9一二三四五六七八九十]+区$/.test(text.slice(last.start, last.end)))
  );
}

/** 8一1一204, 17一701: 一 (one) between two numbers is a dash typed with the Chinese input method. */
function numeralDash(text: string, p: number): boolean {
  return text[p] === "一" && (digitAt(text, p + 1) || (latinAt(text, p + 1) && !latinAt(text, p + 2)));
}

/** A number and a compound word that end a compound's name (200小区, 一号小区). */
const NUMBER_IN_NAME = /^([0-9]+|[一二三四五六七八九十]+号)(小区|花园|公寓|广场|大厦|家园|新村)/;
/** The building word after a dashed number (5-3幢, 41-7号楼). */
const DASHED_BUILDING_WORD = /^(号楼|栋|幢|座)/;
/** A unit (entrance), a floor or a dashed number next: 2单元, 3门, 1梯, 6楼, 9-6. */
const FLAT_UNIT_NEXT = /^[0-9]+(单元|单|门|梯|楼|层|F|f|[-－])/;
/** A numbered or side section: 二区, 3区, C区, 东区. */
const SECTION_NAME = /^([A-Za-z0-9一二三四五六七八九十]+|[东西南北中])区$/;
/** A building number: 2号楼, 6栋, 3幢, B座. */
const BUILDING_WORD_END = /(号楼|栋|幢|座)$/;
/** A building number next: 2号楼, 6栋. */
const BUILDING_NEXT = /^[0-9０-９]+(号楼|栋|幢|座)/;
/** Compound words and one-character compound endings after which a number is not part of the name. */
const NAMED_COMPOUND_END =
  /(小区|花园|家园|大厦|广场|公寓|新村|市场|公司|医院|学校|大学|中心|[园苑区城府庭居湾阁轩期院里村])$/;

/** Words after a number that name a quarter of houses (村 and 里 only when a building number follows). */
const NUMBERED_QUARTER = /^号?(小区|街坊|街区|地块|组团)|^(村|里)(?=[0-9０-９A-Za-z])/;
const QUARTER_START = new CharSet("号小街地组村里");
/** A township (镇 or 乡, its name without 路) and a village with 村 that make the whole run. */
const TOWN_BEFORE_VILLAGE = /^([^路村镇乡]{1,4}?(镇|乡))([^路街道镇乡村][^路镇乡村]{0,3}(?<!新)村)(?![委民])/;

/** Numbered parts of a compound, a plot or a works (3号地, 7号厂房, 5号车库): its `subpoi`. */
const NUMBERED_PART = /^号?(厂房|仓库|车库|车间)|^号地(?![址下])/;
const PART_START = new CharSet("号厂仓车");

/** Extends a number over a trailing unit word (501室). */
function unitEnd(text: string, end: number): number | null {
  const m = /^(室|房间|房|号|户|单元|楼|层|栋|幢|座|门(?![面市头卫店诊])|梯)/.exec(text.slice(end, end + 3));
  return m ? end + (m[1] as string).length : null;
}

/** Service points of a compound named after it: sales office, management office, gatehouse, parcel point. */
const SERVICE_END_WORDS = [
  "物业服务中心",
  "物业管理处",
  "售楼中心",
  "物业中心",
  "菜鸟驿站",
  "售楼处",
  "售楼部",
  "门卫室",
  "传达室",
  "保安室",
  "快递柜",
  "丰巢柜",
  "物业",
  "门卫",
];
/** SERVICE_END_WORDS by their last character, longest first (the longest word that ends the name wins). */
const SERVICE_WORDS = new Map<number, string[]>();
for (const word of SERVICE_END_WORDS) {
  const last = word.charCodeAt(word.length - 1);
  SERVICE_WORDS.set(last, [...(SERVICE_WORDS.get(last) ?? []), word]);
}
/** A compound's name (园, 苑, 小区, 花园, 大厦 …), after which 物业 is the compound's office. */
const COMPOUND_NAME_END = /[园苑府庭居湾阁轩城郡区村寓墅厦场]$/;

/** Names of schools, whose campuses (X校区) are part of the name. */
const SCHOOL_END = /(大学|学院|学校|中学|小学)$/;
/** A campus named after the school's name: 红星校区, 新校区. */
const CAMPUS = /^[\u4e00-\u9fff]{0,5}?校区/;

/** Words that start a note to the courier (请…, 提前…, 不要放…, 下午…) rather than a place. */
const NOTE_START =
  /请|麻烦|务必|必须|提前|到了|来了|不要|不能|不用|别放|拒放|有疑问|疑问|急件|节假日|本人|快递员|快递哥|送货|送到|打电话|打不通|电话(?![局亭厂])|联系|寄件人|收件人|派送|上午|下午|晚上|周末/;
/** What such a note asks for: a call, a delivery, where to leave the parcel. */
const NOTE_ACTION = /电话|联系|致电|电联|送|签收|放|接|客服|预约|理解/;

/** Start of a note to the courier in a run (to its end), or the run's length. */
function noteStart(run: string): number {
  const m = run.length >= 2 ? NOTE_START.exec(run) : null;
  // 麻烦送到阳光路 | 8号: a run that ends in a road word goes on with the address after the note.
  if (!m || ROAD_END_CHARS.hasAt(run, run.length - 1)) return run.length;
  // 或联系…: one character left before the note is part of it.
  if (!NOTE_ACTION.test(run.slice(m.index))) return run.length;
  return m.index === 1 ? 0 : m.index;
}

/** Streets named by what they are (商业街, 步行街), not after a place: the name before them is the street's. */
const GENERIC_STREET = /^(商业|步行|美食|小吃|文化|风情|园区|正)/;
/** Last characters of place names (火车站, 农场, 派出所) that are not villages. */
const PLACE_LAST_CHAR = new CharSet("站场所厂店园城区司院楼馆部局府");

/** A road named next: 解放路, 人民大街, or a ring road, 四环, 西三环. */
const ROAD_AHEAD = /^[\u4e00-\u9fff]{1,8}?(大道|大街|路|街|巷)|^[东西南北]?[一二三四五六七八九]环/;

/** Splits a run of names (no digits, no separators) into components by their suffix words. */
function splitRun(
  run: string,
  offset: number,
  prev: string | undefined,
  level: number,
  adminOpen: boolean,
  inPoi = false,
  sideLast = true,
): Span[] {
  const out: Span[] = [];
  let start = 0;
  let prevLabel = prev;
  // A trailing filler word (超市旁边) is an assist, not part of the name.
  let limit = run.length;
  const noise = NOISE_LAST.hasAt(run, run.length - 1)
    ? /(电联|电话联系|先电联|请电联|送货上门|送到家|地址不详|道路不详|不详|无门牌号|没有门牌号|谢谢|自取|自提)$/.exec(
        run,
      )
    : null;
  const noiseAt = Math.min(noise && noise.index >= 2 ? noise.index : run.length, noteStart(run));
  limit = noiseAt;
  const head = run.slice(0, limit);
  const tail =
    // (沿街 is tested apart: a run ending in 街 is mostly a road, not worth the regex.)
    (FILLER_LAST.hasAt(head, head.length - 1) || head.endsWith("沿街") ? FILLER.exec(head) : null) ??
    streetOfVillage(head) ??
    (SIDE_LAST_CHAR.hasAt(head, head.length - 1) ? DIRECTION_TAIL.exec(head) : null);
  const tailAt = tail ? tail.index : sideLast ? roadSideAt(head) : -1;
  if (tailAt >= 2) limit = tailAt;
  const fillerAt = limit;
  const junction = JUNCTION_LAST.hasAt(run, limit - 1) ? JUNCTION_END.exec(run.slice(0, limit)) : null;
  if (junction && junction.index >= 2) limit = junction.index;
  while (start < limit) {
    // 中山路和解放路: 和 joins two roads, but starts a name in 中山路和谐家园; 三环到四环: 到 joins two ring roads.
    if (
      prevLabel === "road" &&
      /[与和及至到、]/.test(run[start] as string) &&
      start + 1 < limit &&
      ((run[start] !== "和" && run[start] !== "到") || ROAD_AHEAD.test(run.slice(start + 1, limit)))
    ) {
      prevLabel = emitSpan(out, offset, "redundant", start, start + 1);
      start++;
      continue;
    }
    // 环保大道交汇处西南角绿地新都会: the crossing word and a corner, then the place.
    const crossing = prevLabel === "road" ? JUNCTION_START.exec(run.slice(start, limit)) : null;
    if (crossing) {
      prevLabel = emitSpan(out, offset, "intersection", start, start + (crossing[1] as string).length);
      if (crossing[2])
        prevLabel = emitSpan(
          out,
          offset,
          "assist",
          start + (crossing[1] as string).length,
          start + crossing[0].length,
        );
      start += crossing[0].length;
      continue;
    }
    // 高新区, 经济开发区 right after the divisions: the zone of that division, named by its kind alone.
    const bareZone =
      start === 0 && (prevLabel === "district" || prevLabel === "city" || prevLabel === "town")
        ? BARE_ZONE.exec(run.slice(start, limit))
        : null;
    if (bareZone) {
      prevLabel = emitSpan(out, offset, "devzone", start, start + bareZone[0].length);
      start += bareZone[0].length;
      continue;
    }
    // 梅镇红星村, 大街镇红星村, 阳光乡白沙村: a township named just before its village, even with a
    // one-character stem or a road word in its name, or after another township.
    const villageEnd = adminOpen && start === 0 ? townBeforeVillage(run, limit, out, offset) : 0;
    if (villageEnd > 0) {
      prevLabel = "community";
      start = villageEnd;
      continue;
    }
    // 红星开发区城区阳光路, 红星街道城区阳光广场: 城区 or 市区 after a division, a township, a zone or a road
    // says "in town", before the name that follows.
    if (inTownAt(run, start, limit, prevLabel)) {
      prevLabel = emitSpan(out, offset, "redundant", start, start + 2);
      start += 2;
      continue;
    }
    // 红星工业园 | 西区 | 阳光西路: a section named by a side or a number, then a road.
    const section = SECTION_BEFORE_ROAD.exec(run.slice(start, limit));
    if (section) {
      prevLabel = emitSpan(out, offset, prevLabel === "poi" ? "subpoi" : "poi", start, start + 2);
      start += 2;
      continue;
    }
    // 阳光雅苑南门百草药房: a gate named after a compound, then a place by it.
    const midGate =
      limit - start >= 6 && run.includes("门", start) ? MID_GATE.exec(run.slice(start, limit)) : null;
    if (midGate && (prevLabel === undefined || !/^(town|district|city|prov)$/.test(prevLabel))) {
      const poiEnd = start + (midGate[1] as string).length;
      prevLabel = emitSpan(out, offset, prevLabel === "poi" ? "subpoi" : "poi", start, poiEnd);
      prevLabel = emitSpan(out, offset, "subpoi", poiEnd, poiEnd + (midGate[3] as string).length);
      start = poiEnd + (midGate[3] as string).length;
      continue;
    }
    let cut = -1;
    let cutLabel = "";
    let junctionAfter = false;
    for (let k = start + 1; k < limit; k++) {
      if (!SUFFIX_START.hasAt(run, k)) continue;
      const rest = run.slice(k, limit);
      const stem = k - start;
      // Each suffix regex is tried only where one of its words can start (most characters here start none).
      const first = run.charCodeAt(k);
      const town = TOWN_FIRST.has(first) ? TOWN_SUFFIX.exec(rest) : null;
      // 康桥小镇 is a compound, not a township.
      if (
        town &&
        stem >= 2 &&
        adminOpen &&
        level < 3 &&
        !/[路街]/.test(run.slice(start, k)) &&
        !(town[1] === "镇" && run[k - 1] === "小")
      ) {
        // 濮阳县庆祖镇, 浙江省昌化镇: divisions the gazetteer did not read, written before the township.
        const division = DIVISION_PREFIX.exec(run.slice(start, k - 2));
        if (division && !NOT_DISTRICT.test(division[0])) {
          cut = start + division[0].length;
          const suffix = division[0].at(-1);
          cutLabel =
            suffix === "省"
              ? "prov"
              : suffix === "市" && /[市县区]/.test(run.slice(cut, k - 2))
                ? "city"
                : "district";
          break;
        }
        cut = k + (town[1] as string).length;
        cutLabel = "town";
        break;
      }
      const dev = DEVZONE_FIRST.has(first) ? DEVZONE_SUFFIX.exec(rest) : null;
      if (dev && stem >= 2) {
        cut = k + (dev[1] as string).length;
        // 建设大道红星新区: a 新区 along a road is a residential quarter, not a development zone.
        cutLabel =
          dev[1] === "新区" && (prevLabel === "road" || prevLabel === "roadno" || prevLabel === "subroad")
            ? "poi"
            : "devzone";
        break;
      }
      // 三都工业区, 丁桥工业园区: an industrial park named after a village is a compound, not a zone.
      const park = PARK_FIRST.has(first) ? PARK_SUFFIX.exec(rest) : null;
      if (park && stem >= 2) {
        cut = k + (park[1] as string).length;
        cutLabel = prevLabel === "poi" ? "subpoi" : "poi";
        break;
      }
      const com = COMMUNITY_FIRST.has(first) ? COMMUNITY_SUFFIX.exec(rest) : null;
      if (
        com &&
        stem >= 2 &&
        run[k - 1] !== "新" &&
        run[k - 1] !== "地" &&
        !/^村[委民]?$/.test(run.slice(k + (com[1] as string).length, limit) || "x")
      ) {
        let e = k + (com[1] as string).length;
        // 红星村委: the village committee written with the village (村委 for 村委会).
        const office = com[1] === "村" ? VILLAGE_OFFICE.exec(run.slice(e, limit)) : null;
        if (office) e += office[0].length;
        if (e === limit || !/^(小区|花园|家园|公寓)/.test(run.slice(e, limit))) {
          cut = e;
          // 阳光村白沙村: a village named right after another is a natural village of that
          // administrative one (the swei412 vocabulary's "village"), not a second committee.
          // 红星社区红星村, 阳光行政村阳光村: the same name written again is the same committee.
          cutLabel =
            prevLabel === "community" &&
            com[1] === "村" &&
            !office &&
            !sameVillageAgain(run, out, offset, start, k)
              ? "village"
              : "community";
          break;
        }
      }
      // 阳光小区红星路: a compound name ends before a road that has a name of its own.
      const poiEnd = POI_BEFORE_ROAD_FIRST.has(first) ? POI_BEFORE_ROAD.exec(rest) : null;
      if (poiEnd && stem >= 2) {
        const e = k + (poiEnd[1] as string).length;
        if (/^[\u4e00-\u9fff]{2,8}?(大道|大街|路|街|巷)/.test(run.slice(e, limit))) {
          cut = e;
          cutLabel = prevLabel === "poi" ? "subpoi" : "poi";
          break;
        }
      }
      // 西二环, 五环: a ring road named by its number, without 路.
      if (
        run[k] === "环" &&
        RING_NUMBER.hasAt(run, k - 1) &&
        !/^([路线东西南北中]|大厦|广场|小区|花园|公寓|中心|宾馆|酒店|市场|商城|新村|大楼|公司)/.test(
          run.slice(k + 1, limit),
        )
      ) {
        cut = k + 1;
        cutLabel = prevLabel === "roadno" ? "subroad" : "road";
        break;
      }
      // 甬临线, 前贯线: a highway named by two places it joins.
      if (run[k] === "线" && stem === 2 && !/^[路站厂]/.test(run.slice(k + 1, limit))) {
        cut = k + 1;
        cutLabel = prevLabel === "roadno" ? "subroad" : "road";
        break;
      }
      const road = ROAD_FIRST.has(first) ? ROAD_SUFFIX.exec(rest) : null;
      // 西街天猫优品, 二巷日潭: a one-character road stem (a direction or a numeral) when a name follows;
      // 平潭街二巷: a numbered lane right after its road; 阳光村西巷: a lane of the village.
      // 柳巷23号, 上街: any one-character stem when nothing but a number follows (not 沿街, "along the street").
      const laneAfterRoad =
        start > 0 && (prevLabel === "road" || prevLabel === "subroad") && numeralAt(run, start);
      const lastOfRun = k + 1 === limit && (limit === run.length || limit === noiseAt);
      const shortStem =
        stem === 1 &&
        (start === 0 || laneAfterRoad || prevLabel === "community") &&
        road !== null &&
        /^(街|巷|路)$/.test(road[1] as string) &&
        (SHORT_ROAD_STEM.hasAt(run, start)
          ? limit - k - 1 >= 2 || laneAfterRoad || lastOfRun
          : lastOfRun && run.charCodeAt(start) !== 0x6cbf);
      if (road && (stem >= 2 || shortStem)) {
        const r = road[1] as string;
        let e = k + r.length;
        const after = run.slice(e, limit);
        if (r === "道" && /[街通隧车人]$/.test(run.slice(start, k))) continue;
        // 九水路街道, 琴断口街街道: a street office named after its road (one the gazetteer lacks).
        const office = after.startsWith("街道") ? /^街道(办事处|办)?/.exec(after) : null;
        if (office && adminOpen && level < 3) {
          cut = e + office[0].length;
          cutLabel = "town";
          break;
        }
        if (r === "街" && /^道/.test(after)) continue;
        // 多伦多街区: a block of houses, not a street.
        if (r === "街" && after.startsWith("区")) continue;
        // 博爱路北段, 宜城大道一段, 二环路西一段: a section of the road is part of its name.
        const section = /^([东西南北中][一二三四五六七八九十]?|[一二三四五六七八九十])段/.exec(after);
        if (/^[东西南北中]路/.test(run.slice(e - 1, limit)) === false && section) e += section[0].length;
        // 东京大道辅路: the side road of a road is named after it.
        if (run.startsWith("辅路", e) && e + 2 <= limit) e += 2;
        // 阳光路口红星苑: the road, then 口 ("the crossing at it"), then a place.
        if (
          after.startsWith("口") &&
          after.length >= 3 &&
          !/^口(村|镇|乡|街道|社区|子|岸|腔|头)/.test(after) &&
          r !== "道" &&
          k - start >= 2 &&
          !POI_END.test(run.slice(start, k))
        ) {
          cut = e;
          cutLabel = prevLabel === "roadno" ? "subroad" : "road";
          junctionAfter = true;
          break;
        }
        if (/^(口|村|庄|桥|小区|花园|苑|府|里|新村|社区|镇|乡|街道)/.test(after)) continue;
        if (after.length > 0 && GENERIC_POI.test(after)) {
          cut = limit;
          cutLabel = "poi";
          break;
        }
        // 百草服饰建设路: a place name in front of the road is split off at its ending.
        // 阳光花园三街, 红星新村八巷: a numbered street after a compound's name is a street of its own.
        // (东园一街, 新园三路 are names of their own: only 街 and 巷, after a name of three characters or more).
        const numbered = numeralAt(run, k - 1) && (r === "街" || r === "巷") && k - start >= 4;
        // 东片区 | 四街: a section of a village or compound before a numbered street.
        const front =
          k - start > (numbered ? 2 : 4)
            ? (PLACE_BEFORE_ROAD.exec(run.slice(start, k)) ??
              (numbered && run[k - 2] === "区" ? /^.+区/.exec(run.slice(start, k - 1)) : null))
            : null;
        if (
          front &&
          front[0].length >= 2 &&
          (k - start - front[0].length >= 2 ||
            (numbered && k - start - front[0].length === 1 && front[0].length >= 3))
        ) {
          cut = start + front[0].length;
          cutLabel = prevLabel === "poi" ? "subpoi" : "poi";
          if (k - start - front[0].length === 1) {
            prevLabel = emitSpan(out, offset, cutLabel, start, cut);
            cutLabel = "road";
            start = cut;
            cut = e;
          }
          break;
        }
        // 南村幸福路, 崧厦伞城大道: a road's own name is rarely longer than four characters (numbers and
        // directions aside); a longer one starts with the village, township or place it runs through.
        let core = k;
        while (core > start && ROAD_MODIFIER.hasAt(run, core - 1)) core--;
        // 红星镇东岙阳光路: right after a township, four characters are a village named without 村
        // (a natural village, "village" as in the swei412 vocabulary) and the road's name.
        const afterTown = prevLabel === "town" && start === 0 && !GENERIC_STREET.test(run.slice(core - 2, e));
        if (core - start >= (afterTown ? 4 : 5) && HAN_ONLY.test(run.slice(start, core))) {
          cut = core - 2;
          // 高新园区 | 阳一路: the zone's 区 stays with its name.
          if (run[cut] === "区" && core - cut >= 2) cut++;
          cutLabel =
            prevLabel === "poi"
              ? "subpoi"
              : afterTown && !PLACE_LAST_CHAR.hasAt(run, cut - 1)
                ? "village"
                : "poi";
          break;
        }
        cut = e;
        cutLabel = prevLabel === "roadno" ? "subroad" : "road";
        break;
      }
    }
    if (cut < 0) {
      const rest = run.slice(start, limit);
      let label = "poi";
      // 阳光小区3栋门卫 is inside the compound; 合兴路84号66号中昌大厦 has no compound before it.
      if (prevLabel === "poi" || (prevLabel === "houseno" && inPoi) || prevLabel === "subpoi")
        label = "subpoi";
      // 梅林村舍兜组: a villagers' group named after its hamlet (the numbered ones are read as numbers).
      if (
        (prevLabel === "community" || prevLabel === "town" || prevLabel === "group") &&
        /^[\u4e00-\u9fff]{1,4}组$/.test(rest)
      )
        label = "group";
      // 苏集镇黄龙庄: a hamlet (庄, 屯, 寨) right after its township is a village.
      if (
        prevLabel === "town" &&
        label === "poi" &&
        start === 0 &&
        /^[\u4e00-\u9fff]{1,3}[庄屯寨]$/.test(rest)
      )
        label = "community";
      // 阳光广场10楼百草药房: a name after a floor, unit or room of a compound is a place inside it.
      if (inPoi && (prevLabel === "floorno" || prevLabel === "cellno" || prevLabel === "roomno"))
        label = "subpoi";
      if (SUBPOI.test(rest) && (prevLabel === "poi" || prevLabel === "subpoi")) label = "subpoi";
      // 阳光小区(北区): a part of the compound named in brackets after it.
      if (prevLabel === undefined && start === 0 && inPoi && SUBPOI.test(rest)) label = "subpoi";
      if (prevLabel === "poi" && !POI_END.test(run.slice(0, start)) && start > 0) label = "poi";
      // 人民医院东门, 体育公园北大门: a gate named last is a part of the place.
      const gate = rest.endsWith("门") ? GATE_END.exec(rest) : null;
      if (gate && gate.index >= 2 && (label === "poi" || label === "subpoi")) {
        const cutAt = start + gate.index;
        prevLabel = emitSpan(out, offset, label, start, cutAt);
        prevLabel = emitSpan(out, offset, "subpoi", cutAt, limit);
        break;
      }
      // 阳光郡售楼处, 红星苑物业: the sales office, management office, gatehouse or parcel point of a
      // compound is a part of it.
      const service = label === "poi" ? servicePointAt(rest) : -1;
      if (service >= 2) {
        const cutAt = start + service;
        prevLabel = emitSpan(out, offset, "poi", start, cutAt);
        prevLabel = emitSpan(out, offset, "subpoi", cutAt, limit);
        break;
      }
      // 阳光紫桂公寓红星苑: a strong POI ending inside the name starts a sub-POI.
      const inner =
        label === "poi" ? (SECTION_END.exec(rest) ?? POI_INNER.exec(rest) ?? TWO_COMPOUNDS.exec(rest)) : null;
      // 阳光大学红星校区百草园: a campus is part of its school's name; what follows it is the part.
      const partAt = inner ? partAfter(rest, inner) : 0;
      if (
        inner &&
        partAt <= rest.length - 2 &&
        !/^(大?酒店|宾馆|饭店|超市|商场|分店|大厦|公寓|大楼|餐厅|小区|花园|家园|住宅小区|市广场|市花园|小学|中学|医院|幼儿园|学校|卫生院|[东西南北]?校区|家属院|家属区|家属楼|宿舍)$/.test(
          rest.slice(partAt),
        )
      ) {
        const cutAt = start + partAt;
        prevLabel = emitSpan(out, offset, "poi", start, cutAt);
        prevLabel = emitSpan(out, offset, "subpoi", cutAt, limit);
        break;
      }
      prevLabel = emitSpan(out, offset, label, start, limit);
      break;
    }
    prevLabel = emitSpan(out, offset, cutLabel, start, cut);
    start = cut;
    if (junctionAfter) {
      emitSpan(out, offset, "intersection", start, start + 1);
      start++;
      junctionAfter = false;
    }
  }
  if (limit < fillerAt) prevLabel = emitSpan(out, offset, "intersection", limit, fillerAt);
  if (fillerAt < noiseAt) prevLabel = emitSpan(out, offset, "assist", fillerAt, noiseAt);
  if (noiseAt < run.length) prevLabel = emitSpan(out, offset, "redundant", noiseAt, run.length);
  return out;
}

/** True when the village named at run[start, stemEnd) repeats the stem of the community just emitted in the run. */
function sameVillageAgain(
  run: string,
  out: readonly Span[],
  offset: number,
  start: number,
  stemEnd: number,
): boolean {
  const last = out.at(-1);
  if (last === undefined || last.label !== "community" || last.end !== offset + start) return false;
  const before = run.slice(last.start - offset, last.end - offset).replace(VILLAGE_WORDS, "");
  const stem = run.slice(start, stemEnd);
  return before.length > 0 && (before === stem || before.endsWith(stem) || stem.endsWith(before));
}

/** Endings of a committee's name as written, removed to compare villages' stems. */
const VILLAGE_WORDS = /(行政村|自然村|村民委员会|村委会|村委|社区居委会|社区|居委会|村)$/;

/**
 * End of a township and its village making the start of `run` (梅镇红星村, 阳光乡白沙村 …), both
 * emitted, or 0 when the run does not start so.
 */
function townBeforeVillage(run: string, limit: number, out: Span[], offset: number): number {
  if (limit < 4 || !townWordNear(run) || !run.includes("村", 2)) return 0;
  const m = TOWN_BEFORE_VILLAGE.exec(run.slice(0, limit));
  if (!m) return 0;
  const townEnd = (m[1] as string).length;
  emitSpan(out, offset, "town", 0, townEnd);
  emitSpan(out, offset, "community", townEnd, m[0].length);
  return m[0].length;
}

/** True when 城区 or 市区 at `start` says "in town" after a division, a township, a zone or a road. */
function inTownAt(run: string, start: number, limit: number, prevLabel: string | undefined): boolean {
  // By code unit: run[i] makes a new string for each Chinese character, on every segment of every run.
  const first = run.charCodeAt(start);
  return (
    (first === 0x57ce || first === 0x5e02) &&
    start + 1 < run.length &&
    run.charCodeAt(start + 1) === 0x533a &&
    limit - start >= 4 &&
    (prevLabel === "district" ||
      prevLabel === "city" ||
      prevLabel === "town" ||
      prevLabel === "devzone" ||
      prevLabel === "road") &&
    !/^(街道|镇|乡|办|大道|路|街)/.test(run.slice(start + 2, start + 4))
  );
}

/**
 * Start of a compound's service point named at the end of `rest` (阳光郡售楼处, 红星苑物业), or -1;
 * 红星物业 alone is a management company's name: 物业 is a part only after a compound's ending.
 */
function servicePointAt(rest: string): number {
  const words = SERVICE_WORDS.get(rest.charCodeAt(rest.length - 1));
  if (words === undefined) return -1;
  for (const word of words) {
    if (!rest.endsWith(word)) continue;
    const at = rest.length - word.length;
    return word !== "物业" || COMPOUND_NAME_END.test(rest.slice(0, at)) ? at : -1;
  }
  return -1;
}

/** 镇 or 乡 where a township's suffix can stand in TOWN_BEFORE_VILLAGE (after one to four characters). */
function townWordNear(run: string): boolean {
  const end = Math.min(run.length, 5);
  for (let i = 1; i < end; i++) {
    const x = run.charCodeAt(i);
    if (x === 0x9547 || x === 0x4e61) return true;
  }
  return false;
}

/** Where the part after a strong ending inside `rest` starts: after the campus of a school (阳光大学红星校区). */
function partAfter(rest: string, inner: RegExpExecArray): number {
  const innerEnd = inner.index + inner[0].length;
  const campus = SCHOOL_END.test(inner[0]) ? CAMPUS.exec(rest.slice(innerEnd)) : null;
  return innerEnd + (campus ? campus[0].length : 0);
}

/**
 * 阳光村街上, 红星镇街上: 街上 after a township or village ("on its street") says where in it; a match
 * like FILLER's, or null (a lookbehind in FILLER would double the cost of every FILLER test).
 */
function streetOfVillage(head: string): RegExpExecArray | null {
  const n = head.length;
  if (n < 3 || head.charCodeAt(n - 1) !== 0x4e0a || head.charCodeAt(n - 2) !== 0x8857) return null;
  const before = head.charCodeAt(n - 3);
  // 镇, 乡, 村
  return before === 0x9547 || before === 0x4e61 || before === 0x6751 ? STREET_UP.exec(head) : null;
}
const STREET_UP = /街上$/;

/** Turns spans into entities with their texts. */
export function spansToEntities(text: string, spans: readonly Span[]): Entity[] {
  return spans.map((s) => ({ label: s.label, text: text.slice(s.start, s.end) }));
}
