import type { Span } from "../parse.ts";
import { CharSet, numeralAt, ROAD_END_CHARS } from "./chars.ts";
import { emitSpan } from "./spans.ts";
import {
  BARE_ZONE,
  BRIDGE_INNER,
  COMMUNITY_FIRST,
  COMMUNITY_SUFFIX,
  DEVZONE_FIRST,
  DEVZONE_SUFFIX,
  DIRECTION_TAIL,
  DIVISION_PREFIX,
  FILLER,
  FILLER_LAST,
  GATE_END,
  GENERIC_POI,
  HAN_ONLY,
  JUNCTION_END,
  JUNCTION_LAST,
  JUNCTION_START,
  MID_GATE,
  NOISE_LAST,
  NOT_DISTRICT,
  PARK_FIRST,
  PARK_SUFFIX,
  PLACE_BEFORE_ROAD,
  POI_BEFORE_ROAD,
  POI_BEFORE_ROAD_FIRST,
  POI_END,
  POI_INNER,
  RING_NUMBER,
  ROAD_AHEAD,
  ROAD_FIRST,
  ROAD_MODIFIER,
  ROAD_SUFFIX,
  roadSideAt,
  SECTION_BEFORE_ROAD,
  SECTION_END,
  SHORT_ROAD_STEM,
  SIDE_LAST_CHAR,
  SUBPOI,
  SUFFIX_START,
  TOWN_BEFORE_VILLAGE,
  TOWN_FIRST,
  TOWN_SUFFIX,
  TWO_COMPOUNDS,
  VILLAGE_OFFICE,
} from "./words.ts";

/** Runs of names (no digits, no separators) split into components by their suffix words. */

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
/** The caller's role starting a note about where the caller is (报警人在楼下), by the call-taker. */
const CALLER_ROLE = /^(报警人|报案人|来电人|求助人|当事人)/;
/** What such a note asks for: a call, a delivery, where to leave the parcel. */
const NOTE_ACTION = /电话|联系|致电|电联|送|签收|放|接|客服|预约|理解/;
/** A service at the door (上门换新, 上门安装) or 建设中 ("being built") closing a run: a note, not a name. */
const DOOR_NOTE = /(上门(换新|安装|取件|回收)|建设中)$/;

/** Start of a note to the courier in a run (to its end), or the run's length. */
/** A road was read just before (or before the 与/和/、 joining it to this one) in this run or the text. */
function crossingSecondRoad(out: readonly Span[], prev: string | undefined): boolean {
  const last = out.at(-1);
  if (last === undefined) return prev === "road";
  if (last.label === "road") return true;
  return last.label === "redundant" && last.end - last.start === 1 && out.at(-2)?.label === "road";
}

/** 1 at the first code unit of each of NOTE_START's words (derived from it, so the two agree). */
const NOTE_FIRST = new Uint8Array(0x10000);
for (const word of NOTE_START.source.split("|")) NOTE_FIRST[word.charCodeAt(0)] = 1;

/**
 * False when no character of the run can start one of NOTE_START's words: a loop over code units
 * rules out most runs faster than the unanchored regex, which tries its 30 words at every position.
 */
function noteMayStart(run: string): boolean {
  for (let i = 0; i < run.length; i++) if (NOTE_FIRST[run.charCodeAt(i)] === 1) return true;
  return false;
}

function noteStart(run: string): number {
  // (报警人在楼下), ，来电人在门口等: a run that starts with the caller's role is a note about the
  // caller, no place (before, 报警人在 was the address's compound and a road number lost its building).
  // (By code unit first: 报 0x62a5, 来 0x6765, 求 0x6c42, 当 0x5f53; most runs start otherwise.)
  const c0 = run.charCodeAt(0);
  if (
    run.length > 3 &&
    (c0 === 0x62a5 || c0 === 0x6765 || c0 === 0x6c42 || c0 === 0x5f53) &&
    CALLER_ROLE.test(run)
  )
    return 0;
  // 麻烦送到阳光路 | 8号: a run that ends in a road word goes on with the address after the note
  // (tested first: it decides alone, and most runs that reach here are road names).
  if (run.length < 2 || ROAD_END_CHARS.hasAt(run, run.length - 1) || !noteMayStart(run)) return run.length;
  const m = NOTE_START.exec(run);
  if (!m) return run.length;
  // 或联系…: one character left before the note is part of it.
  if (!NOTE_ACTION.test(run.slice(m.index))) return run.length;
  return m.index === 1 ? 0 : m.index;
}

/**
 * Start of a note at the end of a run, or the run's length: a checker's mark (阳光小区核, a run 核 or
 * 核改 alone after a number: "checked", "checked and corrected", written into the address by whoever
 * verified it; not after 中, 中核 being a firm's name, nor when the name would keep only one
 * character), 约 after a side, or a note of DOOR_NOTE.
 */
function checkMarkAt(run: string): number {
  // By code unit: 核 0x6838, 改 0x6539, 中 0x4e2d.
  const n = run.length;
  const last = run.charCodeAt(n - 1);
  // 东南侧约 | 100米, 约 | 50米: 约 ("about") after a side or alone, before a distance, is not a name (约 0x7ea6).
  if (last === 0x7ea6 && (n === 1 || SIDE_LAST_CHAR.hasAt(run, n - 2))) return n - 1;
  // The last characters of DOOR_NOTE's notes first (新 装 件 收 中), by code unit.
  if (
    n >= 3 &&
    (last === 0x65b0 || last === 0x88c5 || last === 0x4ef6 || last === 0x6536 || last === 0x4e2d)
  ) {
    const note = DOOR_NOTE.exec(run);
    if (note && note.index !== 1) return note.index;
  }
  const at = last === 0x6838 ? n - 1 : last === 0x6539 && run.charCodeAt(n - 2) === 0x6838 ? n - 2 : -1;
  if (at < 0 || at === 1 || (at > 0 && run.charCodeAt(at - 1) === 0x4e2d)) return n;
  return at;
}

/** Streets named by what they are (商业街, 步行街), not after a place: the name before them is the street's. */
const GENERIC_STREET = /^(商业|步行|美食|小吃|文化|风情|园区|正)/;
/** Last characters of place names (火车站, 农场, 派出所) that are not villages. */
const PLACE_LAST_CHAR = new CharSet("站场所厂店园城区司院楼馆部局府");

/** Splits a run of names (no digits, no separators) into components by their suffix words. */
export function splitRun(
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
  const noiseAt = Math.min(
    noise && noise.index >= 2 ? noise.index : run.length,
    noteStart(run),
    checkMarkAt(run),
  );
  limit = noiseAt;
  const head = run.slice(0, limit);
  const tail =
    // (沿街 is tested apart: a run ending in 街 is mostly a road, not worth the regex.)
    (FILLER_LAST.hasAt(head, head.length - 1) || head.endsWith("沿街") ? FILLER.exec(head) : null) ??
    streetOfVillage(head) ??
    (SIDE_LAST_CHAR.hasAt(head, head.length - 1) ? DIRECTION_TAIL.exec(head) : null) ??
    (nearLastAt(head) ? NEAR_TAIL.exec(head) : null);
  const tailAt = tail ? tail.index : sideLast ? roadSideAt(head) : -1;
  if (tailAt >= 2) limit = tailAt;
  const fillerAt = limit;
  const junction = JUNCTION_LAST.hasAt(run, limit - 1) ? JUNCTION_END.exec(run.slice(0, limit)) : null;
  if (junction && junction.index >= 2) limit = junction.index;
  while (start < limit) {
    // 中山路和解放路: 和 joins two roads, but starts a name in 中山路和谐家园; 三环到四环: 到 joins two ring roads.
    if (
      prevLabel === "road" &&
      /[与和及至到、跟]/.test(run[start] as string) &&
      start + 1 < limit &&
      (!"和到跟".includes(run[start] as string) || ROAD_AHEAD.test(run.slice(start + 1, limit)))
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
      start === 0 &&
      (prevLabel === "district" || prevLabel === "city" || prevLabel === "town") &&
      "经高开保".includes(run[0] as string)
        ? BARE_ZONE.exec(run.slice(start, limit))
        : null;
    if (bareZone) {
      prevLabel = emitSpan(out, offset, "devzone", start, start + bareZone[0].length);
      start += bareZone[0].length;
      continue;
    }
    // 红星区中国阳光花园: 中国 between the divisions and a housing estate's name names the country (中国
    // before a bank, a company or a market, 中国银行, 中国X城, starts its name).
    if (start === 0 && adminOpen && countryBeforeEstate(run, limit)) {
      prevLabel = emitSpan(out, offset, "redundant", 0, 2);
      start = 2;
      continue;
    }
    // 红星镇镇上: 镇上 (乡上) right after its township only says "in the town", like 城区.
    if (start === 0 && prevLabel === "town" && inTownCentreAt(run, limit)) {
      prevLabel = emitSpan(out, offset, "redundant", 0, 2);
      start = 2;
      continue;
    }
    // 红星城区阳光小区: the town's name again and 城区 ("its urban area") after the divisions only say
    // "in town"; the place follows (not 阳光城 | 区阳光小区).
    const area = adminOpen && start === 0 ? urbanAreaAt(run, limit) : 0;
    if (area > 0) {
      emitSpan(out, offset, "redundant", 0, area);
      prevLabel = emitSpan(out, offset, "redundant", area, area + 2);
      start = area + 2;
      continue;
    }
    // 红星市区阳光小区, 红星县县区, 红星县城区: 市区, 县区 or 城区 whose first character is the last one
    // of the division (or of 县城) just read only say "in town", like 城区 after it (not 区阳光小区).
    const areaRest = adminOpen && start === 0 ? areaRestAt(run, limit, prevLabel) : 0;
    if (areaRest > 0) {
      prevLabel = emitSpan(out, offset, "redundant", 0, areaRest);
      start = areaRest;
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
    const section =
      run[start + 1] === "区" && "东西南北中一二三四五六七八九十".includes(run[start] as string)
        ? SECTION_BEFORE_ROAD.exec(run.slice(start, limit))
        : null;
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
        // 红星县阳光镇, 浙江省幸福镇: divisions the gazetteer did not read, written before the township.
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
      // 红星工业区, 阳光工业园区: an industrial park named after a village is a compound, not a zone.
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
        // 阳光国际社区: a housing estate named "international community", not a residents' committee.
        !(com[1] === "社区" && run.startsWith("国际", k - 2)) &&
        !/^村[委民]?$/.test(run.slice(k + (com[1] as string).length, limit) || "x")
      ) {
        let e = k + (com[1] as string).length;
        // 红星村委: the village committee written with the village (村委 for 村委会).
        const office = com[1] === "村" ? VILLAGE_OFFICE.exec(run.slice(e, limit)) : null;
        if (office) e += office[0].length;
        if (
          e === limit ||
          (!/^(小区|花园|家园|公寓)/.test(run.slice(e, limit)) &&
            !VILLAGE_INSTITUTION.test(run.slice(e, limit)))
        ) {
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
      // 内环, 南外环: the inner and outer rings too. 西三环中原路: a road named after it may follow
      // (but 二环东路, 三环线 are the ring's own roads).
      if (
        run[k] === "环" &&
        (RING_NUMBER.hasAt(run, k - 1) || run[k - 1] === "内" || run[k - 1] === "外") &&
        !/^([路线]|[东西南北中][路街段]|大厦|广场|小区|花园|公寓|中心|宾馆|酒店|市场|商城|新村|大楼|公司)/.test(
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
      // 西街百草药房, 二巷阳光面馆: a one-character road stem (a direction or a numeral) when a name follows;
      // 红星街二巷: a numbered lane right after its road; 阳光村西巷: a lane of the village.
      // 柳巷23号, 上街: any one-character stem when nothing but a number follows (not 沿街, "along the street").
      const laneAfterRoad =
        start > 0 && (prevLabel === "road" || prevLabel === "subroad") && numeralAt(run, start);
      const lastOfRun = k + 1 === limit && (limit === run.length || limit === noiseAt);
      const shortStem =
        stem === 1 &&
        (start === 0 || laneAfterRoad || prevLabel === "community" || sideStreetAfter(prevLabel, road)) &&
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
        // 阳光路街道, 红星街街道: a street office named after its road (one the gazetteer lacks).
        const office = after.startsWith("街道") ? /^街道(办事处|办)?/.exec(after) : null;
        if (office && adminOpen && level < 3) {
          cut = e + office[0].length;
          cutLabel = "town";
          break;
        }
        if (r === "街" && /^道/.test(after)) continue;
        // 阳光街区: a block of houses, not a street.
        if (r === "街" && after.startsWith("区")) continue;
        // 阳光路北段, 红星大道一段, 二环路西一段: a section of the road is part of its name.
        const section = after.includes("段")
          ? /^([东西南北中][一二三四五六七八九十]?|[一二三四五六七八九十])段/.exec(after)
          : null;
        if (section && !/^[东西南北中]路/.test(run.slice(e - 1, limit))) e += section[0].length;
        // 红星大道辅路: the side road of a road is named after it.
        if (run.startsWith("辅路", e) && e + 2 <= limit) e += 2;
        // 西二道街, 北十九道街: a numbered 道街 (the streets of Harbin and the north-east) is one road.
        else if (r === "道" && e < limit && run.charCodeAt(e) === 0x8857 && numeralAt(run, k - 1)) e += 1;
        // 阳光路口红星苑: the road, then 口 ("the crossing at it"), then a place; 阳光路红星路口,
        // 阳光路与红星路口: 口 ending the second of two roads is their crossing, not a place 红星路口
        // (but 阳光小学岔路口, 丁字路口 are a fork's words, no road).
        if (
          after.startsWith("口") &&
          (after.length >= 3 ||
            (after.length === 1 && !/[岔字]$/.test(run.slice(start, k)) && crossingSecondRoad(out, prev))) &&
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
        // 南村幸福路, 阳光镇红星大道: a road's own name is rarely longer than four characters (numbers and
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
      // 阳光村石桥组: a villagers' group named after its hamlet (the numbered ones are read as numbers).
      if (
        (prevLabel === "community" || prevLabel === "town" || prevLabel === "group") &&
        /^[\u4e00-\u9fff]{1,4}组$/.test(rest)
      )
        label = "group";
      // 苏集镇黄龙庄: a hamlet (庄, 屯, 寨) right after its township is a village; 阳光山庄, 红星康庄
      // (a villa compound, "a prosperous village") are estates' names.
      if (
        prevLabel === "town" &&
        label === "poi" &&
        start === 0 &&
        /^[\u4e00-\u9fff]{1,3}[庄屯寨]$/.test(rest) &&
        !/[山康]庄$/.test(rest)
      )
        label = "community";
      // 阳光广场10楼百草药房: a name after a floor, unit or room of a compound is a place inside it.
      if (inPoi && (prevLabel === "floorno" || prevLabel === "cellno" || prevLabel === "roomno"))
        label = "subpoi";
      if ((prevLabel === "poi" || prevLabel === "subpoi") && SUBPOI.test(rest)) label = "subpoi";
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
        label === "poi"
          ? ((sectionEndMayMatch(rest) ? SECTION_END.exec(rest) : null) ??
            earlierEnd(POI_INNER.exec(rest), bridgeMayMatch(rest) ? BRIDGE_INNER.exec(rest) : null) ??
            (twoCompoundsMayMatch(rest) ? TWO_COMPOUNDS.exec(rest) : null))
          : null;
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
        // 踏月桥百草花园: a place by a bridge is a place of its own, not a part of the bridge.
        prevLabel = emitSpan(out, offset, run.endsWith("桥", cutAt) ? "poi" : "subpoi", cutAt, limit);
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

/**
 * 平阳路东巷8号, 阳光村西巷: a street or lane (街, 巷) named by one character right after a road or a
 * natural village is a road too (not 南路 after a road: 新城大道南路 is that road's side).
 */
function sideStreetAfter(prevLabel: string | undefined, road: RegExpExecArray | null): boolean {
  return (
    (prevLabel === "road" || prevLabel === "village") &&
    road !== null &&
    (road[1] === "街" || road[1] === "巷")
  );
}

/** BRIDGE_INNER matches only a name with 桥 or 学院 in it, past its first two characters. */
function bridgeMayMatch(rest: string): boolean {
  return rest.indexOf("桥", 1) > 0 || rest.indexOf("学院", 2) > 0;
}

/**
 * Of two matches of an ending from the start of a name, the one whose ending starts first, the
 * first on a tie (as one regex with both lists of endings, the first list first, would choose).
 */
function earlierEnd(a: RegExpExecArray | null, b: RegExpExecArray | null): RegExpExecArray | null {
  if (a === null || b === null) return a ?? b;
  return b[0].length - (b[1] as string).length < a[0].length - (a[1] as string).length ? b : a;
}

/** TWO_COMPOUNDS matches only a name ending in a compound's one-character ending: tested first. */
function twoCompoundsMayMatch(rest: string): boolean {
  return rest.length >= 5 && "园苑府庭居湾阁轩".includes(rest[rest.length - 1] as string);
}

/** SECTION_END matches only a name ending in a side and 区, 园, 苑 or 院 (阳光城东区): tested first. */
function sectionEndMayMatch(rest: string): boolean {
  const n = rest.length;
  return n >= 4 && "区园苑院".includes(rest[n - 1] as string) && "东西南北中".includes(rest[n - 2] as string);
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

/**
 * 阳光村小学, 红星社区卫生服务站: a village's or community's own school or clinic, named after it,
 * is one place (the rest of the run after the village is only that word).
 */
const VILLAGE_INSTITUTION = /^(小学|幼儿园|卫生室|卫生所|卫生服务站)$/;

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

/**
 * 加油站后, 超市前, 派出所侧: 后, 前, 边, 外 or 侧 after a place's ending says where by it (村后,
 * 山前 end names of their own: only after a compound, a building or a public place).
 */
const NEAR_TAIL =
  /(?<=(小区|花园|家园|大厦|广场|公寓|市场|医院|学校|小学|中学|大学|幼儿园|车站|超市|银行|公园|中心|大楼|新村|[城苑园楼寓府局院站场馆厂店校所]))(后|前|边|外|侧)$/;

/** True when the last character of `head` is 后, 前, 边, 外 or 侧 (the NEAR_TAIL words; by code unit). */
function nearLastAt(head: string): boolean {
  const x = head.length > 0 ? head.charCodeAt(head.length - 1) : 0;
  return x === 0x540e || x === 0x524d || x === 0x8fb9 || x === 0x5916 || x === 0x4fa7;
}

/**
 * Where 城区 starts after a town's name of two to five characters at the start of `run` (a place
 * or a division word in those would make it a name of its own), or 0.
 */
function urbanAreaAt(run: string, limit: number): number {
  const i = run.indexOf("城区", 2);
  if (i < 2 || i > 5 || limit - i - 2 < 2) return 0;
  return /[路街道巷村园苑庄店场站院厂司区镇乡]/.test(run.slice(0, i)) ? 0 : i;
}

/** Endings of housing estates' names (not of markets, 城, or companies). */
const ESTATE_END = /(小区|花园|家园|新村|公寓|[苑园府庭居湾邸墅])$/;

/**
 * Length of the rest of an urban-area word at the start of a run right after a division (区 of
 * 红星市区, 县区 of 红星县县区, 城城区 of 红星区城城区, 县城 | 城区 with one 城), or 0.
 */
function areaRestAt(run: string, limit: number, prevLabel: string | undefined): number {
  if (prevLabel !== "district" && prevLabel !== "city" && prevLabel !== "redundant") return 0;
  const first = run.charCodeAt(0);
  // By code unit: 区 0x533a, 县 0x53bf, 城 0x57ce.
  let n = 0;
  if (first === 0x533a) n = 1;
  else if (first === 0x53bf && run.charCodeAt(1) === 0x533a) n = 2;
  else if (first === 0x57ce && run.charCodeAt(1) === 0x57ce && run.charCodeAt(2) === 0x533a) n = 3;
  if (n === 0 || limit - n < 2) return 0;
  // 区政府, 区委, 区人民医院: the district's own offices.
  return /^(政府|委|人民|公安|法院|检察|党|医院|中医|妇幼|教育|财政|卫生|行政|级|域|内|外)/.test(
    run.slice(n, n + 2),
  )
    ? 0
    : n;
}
/** True when `run` is 中国 and then a housing estate's name (中国阳光花园). */
function countryBeforeEstate(run: string, limit: number): boolean {
  return limit >= 5 && run.startsWith("中国") && ESTATE_END.test(run.slice(2, limit));
}

/** True when `run` starts with 镇上 or 乡上 (and not 上海…, 乡上村: a name follows 上 there). */
function inTownCentreAt(run: string, limit: number): boolean {
  const first = run.charCodeAt(0);
  // 镇, 乡, 上
  if ((first !== 0x9547 && first !== 0x4e61) || run.charCodeAt(1) !== 0x4e0a) return false;
  return limit === 2 || !/^[村街路庄组屯海]/.test(run.slice(2, 3));
}
