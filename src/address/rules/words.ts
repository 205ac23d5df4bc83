import { CharSet, COMPASS, digitAt, firstCharsOf } from "./chars.ts";

/** The words the rule parser reads: suffixes of divisions, zones, roads and places, fillers and notes. */

export const LEVEL_ORDER = { prov: 0, city: 1, district: 2, town: 3 } as const;

/** Words that end with 区/县/市 but are not divisions. */
export const NOT_DISTRICT =
  /(^(城区|东区|西区|南区|北区|中区|新区|片区|郊区)$)|(小区|园区|开发区|高新区|经开区|保税区|工业区|景区|校区|社区|街区|商区|厂区|营区|库区|矿区|生活区|办公区|住宅区)$/;
/** 街办: 街道办事处 shortened. */
export const TOWN_SUFFIX = /^(街道办事处|街道办|街道|街办事处|街办|镇街道|乡街道|镇|乡|苏木)/;
export const COMMUNITY_SUFFIX =
  /^(社区居委会|社区居民委员会|村民委员会|居民委员会|居委会|村委会|社区|嘎查|村)/;
export const DEVZONE_SUFFIX =
  /^(经济技术开发区|高新技术产业开发区|经济开发区|高新技术开发区|开发区|高新园区|高新区|经开区|保税区|试验区|新区)/;
export const TOWN_FIRST = firstCharsOf(TOWN_SUFFIX);
export const COMMUNITY_FIRST = firstCharsOf(COMMUNITY_SUFFIX);
export const DEVZONE_FIRST = firstCharsOf(DEVZONE_SUFFIX);
/** The rest of 村委会 after 村, written short (村委) or in full (村委员会). */
export const VILLAGE_OFFICE = /^(委员会|委会|委)/;
/** Industrial parks: compounds (the development zones proper are DEVZONE_SUFFIX). */
export const PARK_SUFFIX = /^(工业园区|产业园区|科技园区|工业园|工业区|产业园|科技园)/;
export const PARK_FIRST = firstCharsOf(PARK_SUFFIX);
/** One-character road stems: 东街, 二巷, 辅路. */
export const SHORT_ROAD_STEM = new CharSet("东西南北中前后一二三四五六七八九十辅环新老正横");
export const ROAD_SUFFIX = /^(大道|大街|公路|国道|省道|县道|高速|胡同|路|街|巷|道|弄)/;
export const ROAD_FIRST = firstCharsOf(ROAD_SUFFIX);
/** Generic place words: a run that is only road + one of these is one POI (北京路小学). */
/** First characters of every suffix word that can end a component inside a run (fast reject). */
export const SUFFIX_START = new CharSet(
  "街镇乡苏社村科居嘎经高开工产保试大公国省县胡路巷道弄小花家公新广市环线",
);
/** A division's name (two to six characters and its suffix) at the start of a run. */
export const DIVISION_PREFIX = /^[\u3400-\u9fff]{2,6}?[省市县区]/;
export const HAN_ONLY = /^[\u3400-\u9fff]+$/;
/** Characters that number or orient a road after its name (中山东二路, 红星七支路, 阳光一横路). */
export const ROAD_MODIFIER = new CharSet("一二三四五六七八九十东西南北中支横纵");
/** Numbers of ring roads (二环, 西三环). */
export const RING_NUMBER = new CharSet("一二三四五六七八九");
export const PLACE_BEFORE_ROAD =
  /^.+?(服饰|公司|工厂|厂|商店|店|工业|市场|中心|超市|宾馆|酒店|银行|学校|大学|学院|医院|大厦|广场|苑|园|城|村)(?![区园])/;
export const POI_BEFORE_ROAD = /^(小区|花园|家园|大厦|公寓|新村|广场|市场|大楼)/;
export const POI_BEFORE_ROAD_FIRST = firstCharsOf(POI_BEFORE_ROAD);
export const GENERIC_POI =
  /^(小区|小学|中学|大学|医院|市场|花园|公寓|大厦|广场|宿舍|新村|菜场|菜市场|超市|酒店|宾馆|公园|幼儿园|学校|车站|加油站|派出所|银行|口|段|村|口子|桥|旁)$/;
export const ZONE_AFTER_SHORT = /^(经济|开发区|高新|工业|产业园|园区|新区|保税)/;
/** First characters of the generic words of GENERIC_AFTER_SHORT that GENERIC_AFTER_SHORT_3 does not decide. */
export const GENERIC_LONG_FIRST = new CharSet("中卫幼学初一二三四五六七八九派人政汽客邮供信法");
/** The generic words of GENERIC_AFTER_SHORT decided by three characters (the old list): tested first. */
export const GENERIC_AFTER_SHORT_3 =
  /^(小区|花园|家园|公寓|大厦|广场|新村|市场|花苑|苑|府|中学|小学|医院|大学|宾馆|酒店|商场|公园)/;
export const GENERIC_AFTER_SHORT =
  /^(小区|花园|家园|公寓|大厦|广场|新村|市场|花苑|苑|府|中学|小学|医院|大学|宾馆|酒店|商场|公园|中心(小学|中学|学校|幼儿园|卫生院|医院)|卫生院|幼儿园|学府|初级中学|[一二三四五六七八九]中(?![路街心])|派出所|人民政府|政府|汽车站|客运站|邮政所|供电所|信用社|法庭)/;

/** A zone named by its kind alone (高新区, 开发区), read right after a division. */
export const BARE_ZONE =
  /^(经济技术开发区|高新技术产业开发区|高新技术开发区|经济开发区|开发区|高新园区|高新区|高新[东西南北]区|经开区|保税区)(?![路街道])/;
export const DEVZONE_END = /(开发区|高新区|新区|保税区|试验区|园区|工业区|工业园)$/;
/** First characters of the NOISE words and last characters of the trailing ones (fast reject). */
/** Last characters of DIRECTION_TAIL matches. */
export const SIDE_LAST_CHAR = new CharSet("东西南北侧");
export const NOISE_FIRST = new CharSet("电先请联收送详地道不无没谢自打");
export const NOISE_LAST = new CharSet("联系门详号谢取提家");
/** Words that only say "call me": not part of the place. */
export const NOISE =
  /^(电联|电话联系|先电联|请电联|联系电话|收件人|请送货上门|送货上门|送到家|电话|打电话|详细地址不详|地址不详|道路不详|不详|无门牌号|没有门牌号|谢谢|自取|自提)/;

/** Strong POI endings after which a following name is a sub-POI (阳光小区东区). */
export const POI_END =
  /(小区|花园|家园|大厦|广场|公寓|新村|市场|公司|医院|学校|小学|中学|大学|公馆|华府|花苑|山庄|新城|商城|名苑|雅苑|嘉园|大楼|中心|工业园区|工业区|工业园|产业园|科技园)$/;
/**
 * A strong ending inside a run of names: the place, then a part of it (阳光小区红星超市); also an
 * industrial park (红星工业园区百草超市), a campus, a court, a prison, a metro station, a hotel, a
 * store, a police station, a software park, a business district or a scenic area named first, and a
 * bridge or a college before a compound (踏月桥百草花园: the place by a bridge is a place of its own).
 */
export const POI_INNER =
  /^.{2,}?(小区|花园|家园|大厦|广场|公寓|新村|市场|医院|学校|小学|中学|大学|公馆|华府|山庄|商城|大楼|中心(?!医院|卫生院|小学|中学|学校|幼儿园)|有限公司|园区|校区|法院|监狱|地铁站|酒店|饭店|宾馆|商场|派出所|软件园|商务区|风景区|城(?!市|印象|国际))/;
/**
 * A bridge or a college before a compound's name (踏月桥百草花园, 百草学院阳光公寓), tested apart from
 * POI_INNER (only where 桥 or 学院 is written: a lookahead in POI_INNER slows every name).
 */
export const BRIDGE_INNER =
  /^.{2,}?(桥(?<!路桥)|学院)(?![镇乡村街路头])(?=[\u4e00-\u9fff]{2,}?(小区|花园|家园|广场|超市|公寓|山庄|大厦|新村|苑|园)$)/;
export const JUNCTION_START =
  /^(交叉路口|交叉口|交汇处|交汇口|交界处|交汇|交界|交口|十字路口|路口)([往向]?[东西南北]{1,2}(角|侧|面|边|方向)?|路[东西南北](侧|边|面)?)?/;
/** 西区阳光路: a section of a zone or compound (西区, 二区) at the start of a run, before a road. */
export const SECTION_BEFORE_ROAD =
  /^[东西南北中一二三四五六七八九十]区(?!大道|大街|路|街)(?=[\u4e00-\u9fff]{2,4}(路|街|大道|大街))/;
/** A compound's name, then one of its gates, then another name (阳光雅苑 | 南门 | 百草药房). */
export const MID_GATE =
  /^(.{2,}?(小区|花园|家园|大厦|广场|公寓|新村|市场|医院|学校|小学|中学|大学|学院|公园|中心|[苑园城院校府]))([东西南北]大?门)(?=[\u4e00-\u9fff]{2})/;
/** A gate at the end of a name: 东门, 北大门, 后门 (not 西直门 or 天安门, which are names). */
export const GATE_END = /(东南|东北|西南|西北|[东西南北正后侧]|[东西南北正后]?大)门$/;
/**
 * 阳光园东园, 红星矿中区: a compass section at the end of a compound is a sub-POI; after a
 * two-character stem only 区 and 院 are (阳光北苑, 红星西苑 are one name; 阳光 | 东区).
 */
export const SECTION_END = /^(.{3,}?(?=[东西南北中][区园苑院]$)|.{2}(?=[东西南北中][区院]$))/;
/** 阳光景园红星园: two compound names, each with a one-character compound ending. */
export const TWO_COMPOUNDS = /^.{3,}?[园苑府庭居湾阁轩](?=.{1,5}[园苑府庭居湾阁轩]$)/;
export const SUBPOI =
  /^([东西南北中]区|[A-Za-zＡ-Ｚａ-ｚ0-9０-９一二三四五六七八九十]+(期|区|苑)|[东西南北]门|门口|南苑|北苑)$/;
export const FILLER =
  /(大门口|正门口|[东西南北]门口|门口|附近|对面|对过|旁边|隔壁|楼下|楼上|背后|周边|一带|里面|斜对面|旁|院内|(东南|东北|西南|西北|[东西南北])侧|[东西南北左右]面|中间|靠近|到底|到头|[左右]手边|正对面|后边|前边|[左右]边|[左右]侧|边上|后面|前面|内|以[东西南北]|沿街|前台|总台)$/;
/** Last characters of the FILLER words (fast reject). */
export const FILLER_LAST = new CharSet("口近面过边壁下带旁内侧上后台东西南北间底头");
/** 阳光幼儿园南, 火车站广场东侧: a compass direction after a compound's ending says where near it. */
export const DIRECTION_TAIL =
  /(?<=(小区|花园|家园|大厦|广场|公寓|市场|医院|学校|小学|中学|大学|幼儿园|车站|超市|银行|公园|中心|大楼|新村|[城苑园楼寓府局院站场馆厂店校]))(向?[东西南北]|(东南|东北|西南|西北|[东西南北])侧)$/;
/** Last characters of a compass side's end after a road or a village (阳光村南头): see roadSideAt. */
export const SIDE_END_CHAR = new CharSet("东西南北头端首边");
/** Last characters of roads and villages, before a compass side: 路街道巷村. */
const ROAD_OR_VILLAGE_LAST = new Set([0x8def, 0x8857, 0x9053, 0x5df7, 0x6751]);

/**
 * 阳光路西, 红星村南头: where a compass side (or its end, 头/端/首/边) after a road or a village starts
 * at the end of `head`, or -1 (by code unit: this is tried on many runs).
 */
export function roadSideAt(head: string): number {
  let i = head.length - 1;
  if (!SIDE_END_CHAR.hasAt(head, i)) return -1;
  if (!COMPASS.hasAt(head, i)) i--;
  if (!COMPASS.hasAt(head, i) || i < 1) return -1;
  return ROAD_OR_VILLAGE_LAST.has(head.charCodeAt(i - 1)) ? i : -1;
}
export const MIDDLE_DOTS = new CharSet("·・•");
/** True when 内 at `pos` says "inside" the place or number before it (8号内, 加油站内), not a name (红星镇内河码头). */
export function insideAt(text: string, pos: number): boolean {
  const before = text[pos - 1];
  return (
    (digitAt(text, pos - 1) || INSIDE_AFTER.hasAt(text, pos - 1) || before === "号" || before === "院") &&
    !/^内[环蒙科江湖地]/.test(text.slice(pos, pos + 2))
  );
}

/** Filler words that end a name inside a run when another name follows them (南面, 右边: the side of the place before). */
export const MID_FILLER =
  /^(斜对面|对面|对过|旁边|隔壁|楼下|背后|附近|后面|边上|沿街|以[东西南北内外]|之间|[东西南北]{1,2}侧|[东西南北左右]面|中间|靠近|到底|到头|[左右]手边|正对面|后边|前边|[左右]边|[左右]侧|旁)[\u4e00-\u9fff]{2}/;
export const MID_FILLER_START = new CharSet("斜对旁隔楼附后背边沿以之内东西南北左右正前中靠到");
/** Last characters of place words after which 内 ("inside") ends the name: 加油站内, 物流园内. */
export const INSIDE_AFTER = new CharSet("园场站店司厂区馆心团流校");
export const FILLER_START =
  /^(大门口|正门口|门口|附近|对面|对过|旁边|隔壁|楼下面|楼上面|楼下|楼上|背后|周边|一带|里面|斜对面|以[东西南北内外]|之间|后面|[东西南北]{1,2}侧|[东西南北左右]面|中间|靠近|到底|到头|[左右]手边|正对面|后边|前边|[左右]边|[左右]侧|旁(?!边)|街上|沿街)/;
/** First characters of the FILLER_START words (fast reject). */
export const FILLER_FIRST = new CharSet("大正门附对旁隔楼背周一里斜以之后街沿东西南北左右前中靠到");
/** 交叉口, 十字路口 at the end of a run. */
export const JUNCTION_END = /(交叉路口|交叉口|交汇处|交界处|交口|十字路口)$/;
/** Last characters of the JUNCTION_END words (fast reject). */
export const JUNCTION_LAST = new CharSet("口处");

/** Mobile numbers of the national numbering plan: 1, then 3 to 9, then nine digits. */
export const MOBILE = /^1[3-9][0-9]{9}$/;

export const BUILDING_END = /(大厦|商务楼|大楼|中心|市场|广场|商城|城|商场|写字楼)$/;

/** 200米, 1.5公里: a distance from a place. */
export const DISTANCE = /^[0-9]+(\.[0-9]+)?(米|公里|千米|m)/;

/** A road named next: 解放路, 人民大街, or a ring road, 四环, 西三环. */
export const ROAD_AHEAD = /^[\u4e00-\u9fff]{1,8}?(大道|大街|路|街|巷)|^[东西南北]?[一二三四五六七八九]环/;

/** A township (镇 or 乡, its name without 路) and a village with 村 that make the whole run. */
export const TOWN_BEFORE_VILLAGE =
  /^([^路村镇乡]{1,4}?(镇|乡))([^路街道镇乡村][^路镇乡村]{0,3}(?<!新)村)(?![委民])/;
