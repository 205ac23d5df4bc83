import type { Gazetteer } from "./gazetteer.ts";
import { CharSet, COMPASS, digitAt, hanAt, latinAt, numeralAt, ROAD_END_CHARS } from "./rules/chars.ts";
import {
  beforeTownWord,
  childAt,
  countyInTownName,
  hanRunEnd,
  highDivisionAt,
  matchAdmin,
  matchUnknownAdmin,
  NOT_A_PLACE_NAME,
  OFFICE,
  PLACE_NAME_END,
  readAgain,
  readName,
  repeatEndsHere,
  zoneOfDivisionAgain,
} from "./rules/divisions.ts";
import {
  ANNEX,
  BUILDING_NEXT,
  BUILDING_WORD_END,
  matchNumbered,
  NAMED_COMPOUND_END,
  NUMBER_IN_NAME,
  numberedAt,
  ordinalAt,
  readNumber,
  SECTION_NAME,
  UNDERGROUND_FLOOR,
} from "./rules/numbers.ts";
import { splitRun } from "./rules/runs.ts";
import { afterOpeningBracket, hasLabel, lastMeaningful, pushSpan, writtenAgainAt } from "./rules/spans.ts";
import {
  DEVZONE_END,
  DISTANCE,
  FILLER_FIRST,
  FILLER_START,
  INSIDE_AFTER,
  insideAt,
  LEVEL_ORDER,
  MID_FILLER,
  MID_FILLER_START,
  MIDDLE_DOTS,
  MOBILE,
  NOISE,
  NOISE_FIRST,
  POI_END,
  ROAD_AHEAD,
  SIDE_END_CHAR,
  TOWN_SUFFIX,
} from "./rules/words.ts";

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
  // The last pass (namesThatAreNoPlaces) runs only where one of its cases may be: a mobile number,
  // a bracket, a name of one character.
  let lastPass = false;

  while (pos < n) {
    // By code unit only: `text[pos]` would make a new string for every Chinese character (V8
    // caches one-byte ones only), at every step of every address.
    const code = text.charCodeAt(pos);
    // 省直辖县级行政区划: the code list's container of the counties a province governs directly (a
    // city-level entry with no city), written out by exports; 省直辖 after the divisions repeats it.
    if ((code === 0x7701 || code === 0x81ea) && !streetSeen) {
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
      const zoneEnd = repeated ? zoneOfDivisionAgain(text, pos, admin, gazetteer, spans.at(-1)) : 0;
      if (zoneEnd > 0) {
        pushSpan(spans, "devzone", pos, zoneEnd);
        pos = zoneEnd;
        continue;
      }
      // 济南高新技术产业开发区舜华路街道济南高新技术产业开发区金达路: a zone with a county's code, written
      // again after its township, names the zone the place is in (devzone), not a new chain.
      const zoneAgain = repeated && level === 3 ? countyZoneAgainEnd(text, pos, admin, gazetteer) : 0;
      if (zoneAgain > 0) {
        pushSpan(spans, "devzone", pos, zoneAgain);
        pos = zoneAgain;
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
      // 温州温州瑞安市: the division just read written again before one of its subdivisions.
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
      // 西湖区杭州西湖北山街道, 红星市红星阳光街道: a division already read, written again (often in
      // short) before a lower one, is redundant.
      let m = matchAdmin(text, pos, gazetteer, level, ancestor, options);
      const again = m || level < 1 ? null : readAgain(text, pos, admin, gazetteer);
      if (again !== null) {
        pushSpan(spans, "redundant", pos, again);
        pos = again;
        continue;
      }
      // 北山街道浙江省杭州市西湖区北山街道, 山东省临沂市中国浙江省杭州市…: a whole chain of divisions
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
        if (
          li === 3 &&
          "区园".includes(text[m.end - 1] as string) &&
          DEVZONE_END.test(text.slice(pos, m.end))
        ) {
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
            : shown === "town"
              ? townOfficeEnd(text, m.end)
              : m.end;
        pushSpan(spans, shown, pos, end);
        admin.push({ start: pos, end, id: m.id });
        level = li;
        ancestor = m.id;
        pos = end;
        continue;
      }
      // 中国 before or between the divisions (中国浙江省…, 西湖区中国城区) names the country, not a place in it.
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
      // 平阳县城城区, 平阳县城红星府: 城 right after a county makes 县城, "the county town".
      if (
        code === 0x57ce && // 城
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
        level >= 1 && IN_TOWN_FIRST[code] === 1
          ? /^(城区|市区|县城|全区域|全区|全境|地区|城内)[内里]?/.exec(text.slice(pos, pos + 3))
          : null;
      if (inTown && !/^(街道|镇|乡|办事处)/.test(text.slice(pos + 2, pos + 5))) {
        // 县城内, 全境 ("inside the county town", "all over it") say where in the division, a filler;
        // 城区, 县城 alone only name the town again (县城内环路: 内环 names the road).
        const where =
          inTown[0] === "全境" ||
          (inTown[0].endsWith("内") && !/^[环蒙科江湖地]/.test(text.slice(pos + 3, pos + 4)));
        pushSpan(spans, where ? "assist" : "redundant", pos, pos + inTown[0].length);
        pos += inTown[0].length;
        continue;
      }
      // 上海市市辖区黄浦区, 红星市-其它区-阳光区: the code list's placeholder for a city's districts,
      // written out by exports before the real district, names no place.
      const placeholder = level <= 1 && level >= 0 ? cityDistrictsPlaceholderEnd(text, pos, gazetteer) : 0;
      if (placeholder > 0) {
        pushSpan(spans, "redundant", pos, placeholder);
        pos = placeholder;
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
      while (end < n && text.charCodeAt(end) === code) end++;
      pushSpan(spans, "redundant", pos, end);
      if (code === 0x28 || code === 0xff08) lastPass = true; // ( （
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
      code === 0x4ea4 || code === 0x5341 || code === 0x8def // 交 十 路
        ? /^(交叉路口|交叉口|交汇处|交界处|交口|十字路口|路口)/.exec(text.slice(pos, pos + 4))
        : null;
    if (junction && lastMeaningful(spans) === "road") {
      pushSpan(spans, "intersection", pos, pos + junction[0].length);
      pos += junction[0].length;
      continue;
    }
    if (
      // (跟 is 和 as spoken: 红星路跟阳光路交叉口; not 同, which starts road names: 同德路.)
      JOINING_WORD[code] === 1 &&
      lastMeaningful(spans) === "road" &&
      ROAD_AHEAD.test(text.slice(pos + 1, pos + 12))
    ) {
      pushSpan(spans, "redundant", pos, pos + 1);
      pos += 1;
      continue;
    }
    // 8号内, 加油站 | 内: 内 ("inside") after a number or a place word (内河码头 is a name).
    const fillerLength =
      code === 0x5185 // 内
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
    // 3栋甲, 5号楼乙501: a heavenly stem right after a building word is part of the building's name
    // (building 3甲, not building 3: never a unit, which would give it the keys of 3栋).
    const building0 = spans.at(-1);
    if (
      STEMS.has(code) &&
      building0?.label === "houseno" &&
      building0.end === pos &&
      /(号楼|#楼|栋|幢|座)$/.test(text.slice(building0.start, pos)) &&
      !/^.(单元|单|梯|门)/.test(text.slice(pos, pos + 3))
    ) {
      spans[spans.length - 1] = { ...building0, end: pos + 1 };
      pos += 1;
      continue;
    }
    // 东单元, 乙单元, 西梯: a unit named by a side or a heavenly stem after a building.
    // 5东402, 2乙306: a side or a stem alone between a building and its flat; 11号楼一门: a numbered entrance.
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
      code === 0x8def && (lastIsDistance(text, spans) || spans.at(-1)?.label === "intersection")
        ? /^路[东西南北](侧|边|面)?/.exec(text.slice(pos, pos + 4))
        : null;
    if (roadSide) {
      pushSpan(spans, "assist", pos, pos + roadSide[0].length);
      pos += roadSide[0].length;
      continue;
    }
    // 阳光路乙19号: a heavenly stem before a number on the road is part of the number (a house added
    // beside 19); 阳光小区甲3栋: before a building number, part of the building's.
    if (STEMS.has(code) && readNumber(text, pos + 1) !== null) {
      const onRoad = lastMeaningful(spans) === "road";
      const after = matchNumbered(text, pos + 1, spans);
      const head = after?.[0];
      if (
        after &&
        head &&
        (onRoad
          ? head.label === "roadno" || head.label === "subpoi"
          : head.label === "houseno" && BUILDING_WORD_END.test(text.slice(head.start, head.end)))
      ) {
        pushSpan(spans, head.label === "subpoi" ? "roadno" : head.label, pos, head.end);
        for (const s of after.slice(1)) pushSpan(spans, s.label, s.start, s.end);
        pos = (after.at(-1) as Span).end;
        continue;
      }
    }
    // 阳光路12号之三, 27之3号: 之 after a number ("the third of number 12") marks a sub-number; 之 and
    // its numeral are not a place.
    const subNumber = code === 0x4e4b ? subNumberEnd(text, pos, spans) : 0;
    if (subNumber > 0) {
      pushSpan(spans, "redundant", pos, subNumber);
      pos = subNumber;
      continue;
    }
    // 奔驰4S店: a car dealer's "4S" shop ends the name before it (a brand's), it is no number.
    if (code === 0x34 && fourSShop(text, pos, spans)) {
      streetSeen = true;
      pos += 3;
      continue;
    }
    // Numbered components: 3栋, 二单元, 501室, 3-2-501, C座 (none starts at most Han characters).
    const num = numberMayStart(text, pos, code) ? matchNumbered(text, pos, spans) : null;
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
    // 西园2路, 阳光西4巷: a short name without an ending right before a numbered road is its name
    // (not before a road named by its number with 号, 红星9号大街: that name is a place it runs through).
    const numberedRoad = num?.length === 1 && num[0]?.label === "road" ? num[0] : undefined;
    const stem = numberedRoad ? spans.at(-1) : undefined;
    if (
      numberedRoad &&
      stem &&
      stem.end === pos &&
      (stem.label === "poi" ||
        stem.label === "subpoi" ||
        // 新港一号路: a township's stem before a road in Chinese numerals with 号 is the road's name.
        (stem.label === "town" &&
          numeralAt(text, pos) &&
          TOWN_WORD_LAST[text.charCodeAt(stem.end - 1)] !== 1)) &&
      stem.end - stem.start <= 4 &&
      !POI_END.test(text.slice(stem.start, stem.end)) &&
      text[stem.end - 1] !== "区" &&
      // 新港一号路: a road numbered in Chinese numerals with 号 keeps a bare name before it.
      (!text.slice(pos, numberedRoad.end).includes("号") ||
        (numeralAt(text, pos) && PLACE_WORD_LAST[text.charCodeAt(stem.end - 1)] !== 1))
    ) {
      spans[spans.length - 1] = { label: "road", start: stem.start, end: numberedRoad.end };
      // (The township's stem is then no division of the address.)
      if (stem.label === "town" && admin.at(-1)?.start === stem.start) admin.pop();
      pos = numberedRoad.end;
      continue;
    }
    // 红星路3段: the numbered section of the road just read is part of its name.
    if (
      numberedRoad &&
      stem &&
      stem.label === "road" &&
      stem.end === pos &&
      text[numberedRoad.end - 1] === "段"
    ) {
      spans[spans.length - 1] = { label: "road", start: stem.start, end: numberedRoad.end };
      pos = numberedRoad.end;
      continue;
    }
    // 阳光9号2号楼, 红星一号6栋: a number that ends a compound's name (without a compound word), before its buildings;
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
    // 阳光城一号红星苑, 百草府壹号: X一号 names an estate (estateNumber, below).
    if (
      named &&
      nameStem &&
      (code === 0x4e00 || code === 0x58f9) &&
      estateNumber(text, pos, nameStem, named)
    ) {
      spans[spans.length - 1] = { ...nameStem, end: named.end };
      pos = named.end;
      continue;
    }
    if (num) {
      relabelBeforeNumber(text, spans, pos, num[0] as Span);
      if ((num[0] as Span).label === "redundant") lastPass = true; // a mobile number
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
      // 阳光小区第5栋: 第 before a numbered part starts it (an ordinal), not the name before.
      if (end > pos && text.charCodeAt(end) === 0x7b2c && ordinalAt(text, end)) break;
      if (end > pos && latinAt(text, end) && !latinAt(text, end - 1) && numberedAt(text, end)) break;
      // 阳光小区东单元: a side's unit ends the name before it.
      if (end >= pos + 2 && SIDE_UNIT.has(ch) && text.startsWith("单元", end + 1)) break;
      // 阳光路乙19号: a heavenly stem after a road word starts the number on the road.
      if (end > pos && STEMS.has(ch) && ROAD_END_CHARS.hasAt(text, end - 1) && numberedAt(text, end + 1))
        break;
      // 阳光小区附1号, 阳光商场地下一层: an annex number or a basement floor ends the name before it.
      if (end >= pos + 2 && ch === 0x9644 && ANNEX.test(text.slice(end, end + 8))) break;
      if (end >= pos + 2 && ch === 0x5730 && UNDERGROUND_FLOOR.test(text.slice(end, end + 8))) break;
      // 阳光苑首层: the ground floor ends the name before it.
      if (end >= pos + 2 && ch === 0x9996 && end + 1 < n && text.charCodeAt(end + 1) === 0x5c42) break;
      // 阳光小区甲3栋: a heavenly stem before a building number starts that number, not the name before.
      if (end >= pos + 2 && STEMS.has(ch) && STEM_BUILDING.test(text.slice(end + 1, end + 8))) break;
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
    // 6409店, 12号铺, 355档: a shop's or stall's number with its word, alone, is one number, the room's.
    const stall = spans.at(-1);
    if (
      stall !== undefined &&
      stall.end === pos &&
      end - pos <= 2 &&
      (stall.label === "roomno" || stall.label === "cellno" || stall.label === "houseno") &&
      STALL_WORD.test(text.slice(pos, end)) &&
      STALL_NUMBER_END.test(text.slice(stall.start, stall.end)) &&
      !hanAt(text, end)
    ) {
      spans[spans.length - 1] = { ...stall, label: "roomno", end };
      pos = end;
      continue;
    }
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
    // 阳光小区(食堂), 红星花园(南园): a short name alone in brackets right after a place is a part of it.
    if (
      parts.length === 1 &&
      parts[0]?.label === "poi" &&
      run.length === 2 &&
      hanAt(run, 0) &&
      hanAt(run, 1) &&
      bracketedPart(text, spans, end)
    )
      parts[0] = { ...(parts[0] as Span), label: "subpoi" };
    for (const s of parts) {
      pushSpan(spans, s.label, s.start, s.end);
      if (s.end - s.start === 1) lastPass = true;
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
  if (lastPass) namesThatAreNoPlaces(text, spans);
  return { spans, admin };
}

/**
 * Last pass over the spans, right to left (one loop: a pass each cost every address):
 * - 阳光村张先生13912345678: a short name right before a mobile number (the "call me" note) is the
 *   contact's name, or the parcel's recipient (王芳收), not a place: `redundant` with the number;
 * - 阳光路北8号楼, 红星路中3号: a compass side (or 中, "middle") standing alone between other parts
 *   says where, it names no place: `assist`, not a POI of one character;
 * - 京东家电(白云店), 中国建设银行（红星支行）: a branch named in brackets right after its brand is
 *   part of the place's name, brackets included: one span.
 */
function namesThatAreNoPlaces(text: string, spans: Span[]): void {
  for (let k = spans.length - 1; k >= 0; k--) {
    const s = spans[k] as Span;
    if (s.label === "redundant") {
      if (k > 0 && s.end - s.start === 11 && text.charCodeAt(s.start) === 0x31)
        dropContactName(text, spans, k);
      continue;
    }
    if (s.label !== "poi" && s.label !== "subpoi") continue;
    if (s.end - s.start === 1 && SIDE_UNIT.has(text.charCodeAt(s.start))) {
      spans[k] = { ...s, label: "assist" };
      continue;
    }
    if (k + 3 < spans.length) {
      // (k + 3 < spans.length: s.end is inside the text, charCodeAt reads no NaN.)
      const open = text.charCodeAt(s.end);
      if (open === 0x28 || open === 0xff08) joinBranch(text, spans, k); // ( （
    }
  }
}

/** The name right before the mobile number at spans[k], when it is a person's, made `redundant`. */
function dropContactName(text: string, spans: Span[], k: number): void {
  const phone = spans[k] as Span;
  const name = spans[k - 1] as Span;
  if (
    (name.label === "poi" || name.label === "subpoi") &&
    name.end === phone.start &&
    CONTACT_NAME.test(text.slice(name.start, name.end)) &&
    MOBILE.test(text.slice(phone.start, phone.end))
  )
    spans[k - 1] = { ...name, label: "redundant" };
}

/** The brand at spans[k] and a branch in brackets after it made one span, when they are. */
function joinBranch(text: string, spans: Span[], k: number): void {
  const brand = spans[k] as Span;
  const open = spans[k + 1] as Span;
  const branch = spans[k + 2] as Span;
  const close = spans[k + 3] as Span;
  if (
    open.end - open.start === 1 &&
    (branch.label === "poi" || branch.label === "subpoi") &&
    close.start === branch.end &&
    (text[close.start] === ")" || text[close.start] === "）") &&
    BRANCH_END.test(text.slice(branch.start, branch.end))
  )
    spans.splice(k, 4, { label: brand.label, start: brand.start, end: close.start + 1 });
}

/** End of a development zone read as a county (its code list entry), written again at `pos`, or 0. */
function countyZoneAgainEnd(text: string, pos: number, admin: readonly AdminMatch[], g: Gazetteer): number {
  for (const a of admin) {
    if (g.levelOf(a.id) !== "district") continue;
    const name = text.slice(a.start, a.end);
    if (name.length >= 4 && DEVZONE_END.test(name) && text.startsWith(name, pos)) return pos + name.length;
  }
  return 0;
}

/** 奔驰4S店: true when a car dealer's 4S店 starts at `pos`, added to the brand's name before it (or a POI). */
function fourSShop(text: string, pos: number, spans: Span[]): boolean {
  if (!FOUR_S_SHOP.test(text.slice(pos, pos + 3))) return false;
  const brand = spans.at(-1);
  if (brand && brand.end === pos && (brand.label === "poi" || brand.label === "subpoi"))
    spans[spans.length - 1] = { ...brand, end: pos + 3 };
  else pushSpan(spans, "poi", pos, pos + 3);
  return true;
}

/**
 * True when 一号 or 壹号 (`named`, at `pos`) right after a name (`stem`) ends that estate's name:
 * 一号 after a compound's name before another name or a building number (阳光城一号红星苑, 百草湾一号
 * 12号楼: developers name estates X一号), 壹号, written in the numerals of cheques and contracts,
 * after any name wherever it is (红星壹号, 阳光壹号3栋); not before a shop, a gate or a road.
 */
function estateNumber(text: string, pos: number, stem: Span, named: Span): boolean {
  if (
    (stem.label !== "poi" && stem.label !== "subpoi") ||
    stem.end !== pos ||
    named.end - pos !== 2 ||
    text.charCodeAt(pos + 1) !== 0x53f7 || // 号
    NOT_AFTER_ESTATE_ONE.test(text.slice(named.end, named.end + 2))
  )
    return false;
  if (text.charCodeAt(pos) === 0x58f9) return true; // 壹
  return (
    (hanAt(text, named.end) || BUILDING_NEXT.test(text.slice(named.end, named.end + 6))) &&
    ESTATE_ONE_AFTER_COMPOUND.test(text.slice(stem.start, pos))
  );
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

/** A branch's name: 白云店, 红星支行, 东阿分理处, 龙记分公司. */
const BRANCH_END = /(店|支行|分行|分公司|分理处|营业部|营业厅|支局|服务站|服务部)$/;
/** A car dealer's shop: 4S店 (sales, spare parts, service, survey). */
const FOUR_S_SHOP = /^4[Ss]店/;
/** A person's name (two or three Han characters, or 先生, 女士 … after a surname), 收 after it for a parcel. */
const CONTACT_NAME = /^[\u4e00-\u9fff]{2,3}收?$/;

/** Last characters of a division's or a place's word (温岭市, 林萃西里): such a name is no road's. */
const PLACE_WORD_LAST = codeTable("市县区里村镇乡园苑城");
/** Last characters of a township's name written in full (红星镇, 阳光街道, 红星办事处). */
const TOWN_WORD_LAST = codeTable("镇乡道处办");

/** A compound's name that 一号 may extend (阳光城一号): it ends in a one-character compound word. */
const ESTATE_ONE_AFTER_COMPOUND = /[府城园湾苑庭居郡]$/;
/** After 一号, words of a numbered part or a road, not the next name (一号铺, 一号门, 一号街, 一号地块). */
const NOT_AFTER_ESTATE_ONE = /^(铺|门|街|路|巷|地|楼|院|栋|幢|座|店|仓|库|厂|单|层|公园)/;

/** Words after a number that make it a shop's or a stall's (6409店, 12号铺, 355档, 20427商位). */
const STALL_WORD = /^(店|铺|档|档口|商位|摊位)$/;
/** A number as it ends before such a word: digits, a letter or 号 (not 3栋店, a building's shop). */
const STALL_NUMBER_END = /[0-9A-Za-z号]$/;
const STEMS = new CharSet("甲乙丙丁");
/**
 * False where matchNumbered finds nothing for certain: a Han character that is no numeral and
 * none of 第 (an ordinal), 附 (an annex), 地 (地下, a basement) or 负 (a floor below ground), the
 * only Han characters its numbers start with. Names start at most positions the loop reaches.
 */
function numberMayStart(text: string, pos: number, code: number): boolean {
  if (code < 0x3400 || code > 0x9fff) return true;
  return (
    code === 0x7b2c ||
    code === 0x9644 ||
    code === 0x5730 ||
    code === 0x8d1f ||
    (code === 0x9996 && pos + 1 < text.length && text.charCodeAt(pos + 1) === 0x5c42) ||
    numeralAt(text, pos)
  );
}

/**
 * 1 at the code unit of each of `chars` (rules/chars.ts's CharSet has room for no more sets): a
 * test is one array read, where `"…".includes(text[pos])` first made a string of the character.
 */
function codeTable(chars: string): Uint8Array {
  const table = new Uint8Array(0x10000);
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = 1;
  return table;
}
/** First characters of 城区, 市区, 县城, 全境, 地区 … ("in town") after a division. */
const IN_TOWN_FIRST = codeTable("城市县全地");
/** Words joining two roads (红星路与阳光路); not 同, which starts road names (同德路). */
const JOINING_WORD = codeTable("与和及至到、跟");
/** A building number after a heavenly stem: 3栋, 三号楼, 12幢. */
const STEM_BUILDING = /^([0-9０-９]+|[一二三四五六七八九十]+)(号楼|栋|幢|座)/;
const SIDE_UNIT = new CharSet("东西南北中");
const FLAT_SIDE = new CharSet("东西南北中左右");
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

/** The code list's placeholders for "the districts of the city" (市辖区) and "other districts". */
const CITY_DISTRICTS = /^(市辖区|其[它他](地区|区))/;
const GENERIC_DISTRICT = /^(城区|郊区|矿区)/;

/**
 * End of a placeholder of CITY_DISTRICTS at `pos` followed (after separators) by a county-level
 * division of the gazetteer, or 0: alone (嘉峪关市市辖区, a city without counties) it stands for
 * the district level and is left to the other rules.
 */
function cityDistrictsPlaceholderEnd(text: string, pos: number, g: Gazetteer): number {
  const c = text.charCodeAt(pos);
  if (c !== 0x5e02 && c !== 0x5176) return 0; // 市, 其
  const m = CITY_DISTRICTS.exec(text.slice(pos, pos + 4));
  if (!m) return 0;
  const end = pos + m[0].length;
  let next = end;
  while (next < text.length && !hanAt(text, next) && !digitAt(text, next) && !latinAt(text, next)) next++;
  // (城区, 郊区 and 矿区 are names of districts, but after the placeholder they only say "in town".)
  if (GENERIC_DISTRICT.test(text.slice(next, next + 2))) return 0;
  for (const { hits } of g.entriesAt(text, next))
    for (const h of hits) if (g.levelOf(h.id) === "district") return end;
  return 0;
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

/** End of 之 (and its numeral) marking a sub-number right after a number (12号之三, 27之3号), or 0. */
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
  // 阳光路东路 8号, 阳光路红星段 8号: a side's road word or a section right after a road, with the
  // road's number after it, is that road's part of the name (one road).
  const road = spans.at(-2);
  if (
    first.label === "roadno" &&
    (last.label === "poi" || last.label === "subpoi") &&
    road?.label === "road" &&
    road.end === last.start &&
    ROAD_PART.test(text.slice(last.start, last.end))
  ) {
    spans.pop();
    spans[spans.length - 1] = { ...road, end: last.end };
    return;
  }
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
  if (last !== undefined && last.label === "assist" && text.charCodeAt(last.start) === 0x8def)
    last = spans.at(-2); // 路
  if (last === undefined || last.label !== "assist") return false;
  // DISTANCE starts with an ASCII digit: test that first (no slice for the other fillers).
  const first = text.charCodeAt(last.start);
  return first >= 48 && first <= 57 && DISTANCE.test(text.slice(last.start, last.end));
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

/** Turns spans into entities with their texts. */
export function spansToEntities(text: string, spans: readonly Span[]): Entity[] {
  return spans.map((s) => ({ label: s.label, text: text.slice(s.start, s.end) }));
}

/**
 * 红星街道办事处, 阳光镇办: a township's office written after its name is part of the township (the
 * office governs it); 办公室, 办公楼 are offices of a place. The end of the township as written.
 */
function townOfficeEnd(text: string, end: number): number {
  // 红星镇街道: a township made a street office keeps its old name, 镇 and all, before 街道.
  const last = text.charCodeAt(end - 1);
  if ((last === 0x9547 || last === 0x4e61) && text.startsWith("街道", end))
    return townOfficeEnd(text, end + 2); // 镇, 乡
  if (text.charCodeAt(end) !== 0x529e) return end; // 办
  if (text.startsWith("办事处", end)) return end + 3;
  return text.charCodeAt(end + 1) === 0x516c ? end : end + 1; // 办公
}

/**
 * True when the run ending at `end` is all that stands in brackets right after a place (阳光小区(食堂)):
 * the last spans are the place and the opening bracket, and a closing bracket follows.
 */
function bracketedPart(text: string, spans: readonly Span[], end: number): boolean {
  if (!CLOSING_BRACKETS.has(text.charCodeAt(end)) || !afterOpeningBracket(text, spans)) return false;
  const place = lastMeaningful(spans);
  return place === "poi" || place === "subpoi";
}
const CLOSING_BRACKETS = new Set([0x29, 0xff09]);

/** A side's road word (东路, 南大街) or a named section (红星段) standing alone after a road. */
const ROAD_PART = /^([东西南北中]{1,2}(路|街|大街|大道)|[\u4e00-\u9fff]{1,3}段)$/;
