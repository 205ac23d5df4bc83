import type { Gazetteer, NameEntry } from "../gazetteer.ts";
import type { AdminMatch, RuleOptions, Span } from "../parse.ts";
import { CharSet, hanAt } from "./chars.ts";
import { writtenAgainAt } from "./spans.ts";
import {
  BARE_ZONE,
  GENERIC_AFTER_SHORT,
  GENERIC_AFTER_SHORT_3,
  GENERIC_LONG_FIRST,
  LEVEL_ORDER,
  NOT_DISTRICT,
  ROAD_AHEAD,
  ROAD_SUFFIX,
  ZONE_AFTER_SHORT,
} from "./words.ts";

/** Reading the administrative divisions with the gazetteer: names, aliases, repeats and stems. */

/** What follows the stem of a township of another county: a village, or a road with a name of its own. */
const MOVED_STEM_NEXT =
  /^([\u4e00-\u9fff]{2,3}村(?![委民]?[路街])|[^东西南北中一二三四五六七八九十新老\d][\u4e00-\u9fff]{1,3}(路|大道|大街|街)(?![道]))/;

/** Endings of a place's name (an office, a school, a compound): what follows them is another name. */
export const PLACE_NAME_END =
  /局|所|政府|委员会|办事处|中心|学校|小学|中学|大学|学院|医院|卫生院|站|馆|银行|公司|小区|花园|家园|大厦|广场|公寓|市场|超市|幼儿园|[一二三四五六七八九十]中|[一二三四五六七八九十]小/;

/** Words that make a run a village, a group or a road rather than a place named after its township. */
export const NOT_A_PLACE_NAME = /村|社区|居委|组|路|街|巷|弄|大道|开发区|园区|工业园|新区|高新区/;

/**
 * End of the name of a division already read, written again at `pos` before one of its own
 * subdivisions (杭州西湖北山街道 after 杭州市西湖区; 红星市红星阳光街道).
 */
export function readAgain(
  text: string,
  pos: number,
  admin: readonly AdminMatch[],
  g: Gazetteer,
): number | null {
  const last = admin.at(-1);
  if (!last) return null;
  let starts = false;
  for (const a of admin) if (text.charCodeAt(a.start) === text.charCodeAt(pos)) starts = true;
  if (!starts) return null;
  for (const { name, hits } of g.entriesAt(text, pos)) {
    if (name.length < 2) continue;
    const end = pos + name.length;
    for (const h of hits) {
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
 * again at `pos` and followed by a zone named by its kind alone (高新区, 经济开发区), or any division
 * written twice in a row by an industrial park (工业园) so named, or 0 (`last`: the span before `pos`). A longer
 * gazetteer name at `pos` (a zone listed among the townships) is left to the gazetteer.
 */
export function zoneOfDivisionAgain(
  text: string,
  pos: number,
  admin: readonly AdminMatch[],
  g: Gazetteer,
  last: Span | undefined,
): number {
  const afterLast = last !== undefined && last.end === pos;
  for (const a of admin) {
    const len = a.end - a.start;
    if (len < 2 || !writtenAgainAt(text, a.start, a.end, pos)) continue;
    const after = text.slice(pos + len, pos + len + 10);
    // 登云镇登云镇工业园: a park only after the division written twice in a row (or after the first
    // copy of such a park: 瑶海区工业园瑶海区工业园), a zone also after a city or county named earlier.
    const zone =
      (g.levelOf(a.id) === "town" ? null : BARE_ZONE.exec(after)) ??
      (afterLast && (a.end === pos || last.label === "devzone") ? BARE_PARK.exec(after) : null);
    if (!zone) continue;
    const longest = g.namesAt(text, pos)[0];
    if (longest !== undefined && longest.length > len) return 0;
    return pos + len + zone[0].length;
  }
  return 0;
}

/** An industrial park named by its kind alone (工业园, 产业园区) after a division written again. */
const BARE_PARK = /^(工业园区|工业园|工业区|产业园区|产业园|科技园区|科技园|创业园区|创业园)(?![路街道])/;

/**
 * Length of the county's name at the start of a township's official name as written at `pos`
 * (博爱县 in 博爱县许良镇), or 0 when the township's name does not start with its county's.
 */
export function countyInTownName(text: string, pos: number, m: AdminCandidate, g: Gazetteer): number {
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
export function repeatEndsHere(
  text: string,
  pos: number,
  admin: readonly AdminMatch[],
  g: Gazetteer,
): boolean {
  if (!hanAt(text, pos)) return true;
  const last = admin.at(-1);
  return (
    /^(城区|市区|县城|城)/.test(text.slice(pos, pos + 2)) ||
    (last !== undefined && childAt(text, pos, last.id, g)) ||
    ROAD_AHEAD.test(text.slice(pos, pos + 12))
  );
}

/** Text before the first township word (an office named after the division comes before any). */
export function beforeTownWord(run: string): string {
  const m = /镇|乡|街道/.exec(run);
  return m ? run.slice(0, m.index) : run;
}

/** Length of the name of a division already read that starts at `pos`, or 0. */
export function readName(text: string, pos: number, admin: readonly AdminMatch[], g: Gazetteer): number {
  for (const name of g.namesAt(text, pos))
    for (const a of admin) if (text.slice(a.start, a.end) === name) return name.length;
  return 0;
}

/** Names of offices and public bodies, which often begin with their division's name. */
export const OFFICE =
  /(局|所|政府|委员会|委会|办事处|中心|学校|小学|中学|大学|学院|医院|卫生院|法院|检察院|站|馆|银行|支行|分行|营业厅|公司)/;

/** End of the run of Han characters that starts at `pos`. */
export function hanRunEnd(text: string, pos: number): number {
  let end = pos;
  while (end < text.length && hanAt(text, end)) end++;
  return end;
}

interface AdminCandidate {
  readonly id: number;
  readonly end: number;
  /** A former county named after its city (绍兴县): read as a county inside that city. */
  readonly county?: boolean;
}

export function matchAdmin(
  text: string,
  pos: number,
  g: Gazetteer,
  level: number,
  ancestor: number | null,
  options: RuleOptions,
): AdminCandidate | null {
  // The gazetteer's names at `pos` with their hits (read beside each name, not looked up again).
  const entries = options.adminAliases ? null : g.entriesAt(text, pos);
  let stems =
    ancestor === null
      ? NO_STEMS
      : level === 2
        ? // 杭州市江干区九堡…: a county missing from the gazetteer (merged since) was read by its
          // suffix and left the city as the ancestor: its townships are among the city's.
          g.levelOf(ancestor) === "city"
          ? stemsOfUnknownCounty(text, pos, ancestor, g)
          : g.townStemsAt(text, pos, ancestor)
        : // 杭州市乔司阳光村: a township named by its stem right after its city, the county left out
          // (not looked for where one of the city's counties is named, as it mostly is).
          level === 1 && g.levelOf(ancestor) === "city" && !countyNamedAt(entries, ancestor, g)
          ? g.cityTownStemsAt(text, pos, ancestor)
          : NO_STEMS;
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
  // With aliases or township stems, the candidates are names, each looked up; else the entries.
  let candidates: readonly string[] | null = null;
  if (entries === null || stems.length > 0) {
    const names =
      entries === null
        ? aliasNames(text, pos, g, options.adminAliases as ReadonlyMap<string, number>)
        : entries.map((e) => e.name);
    candidates = stems.length === 0 ? names : mergeCandidates(names, stems);
  }
  const count = candidates === null ? (entries as readonly NameEntry[]).length : candidates.length;
  for (let c = 0; c < count; c++) {
    const entry = candidates === null ? (entries as readonly NameEntry[])[c] : undefined;
    const name = entry !== undefined ? entry.name : ((candidates as readonly string[])[c] as string);
    const len = name.length;
    const alias = options.adminAliases?.get(name);
    let stem: { id: number; name: string } | undefined;
    for (const st of stems) if (st.name === name) stem = st;
    const found =
      alias !== undefined ? [{ id: alias, kind: "alias" as const }] : (entry?.hits ?? g.lookup(name));
    const hits = stem ? [...found, { id: stem.id, kind: "short" as const }] : found;
    if (hits.length === 0) continue;
    // 新镇路, 北京路: a division name directly followed by a road word names the road.
    // 唐山市路北区: unless one of its own subdivisions starts there.
    if (roadWordAt(text, pos + len) && !hits.some((h) => childAt(text, pos + len, h.id, g))) continue;
    let bestId = -1;
    let bestScore = 0;
    let around: ShortContext | null = null;
    for (const h of hits) {
      const li = g.levelIndexOf(h.id);
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
        // 红星经济开发区, 阳光工业区: a short name in front of a zone word names the zone.
        // 台州路桥区, 浙江湖州: a short name followed by one of its own subdivisions is the division.
        // 温州温州市: ... and so is a short name written again in full right after it.
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
      if (bestId < 0 || score > bestScore) {
        bestId = h.id;
        bestScore = score;
      }
    }
    if (bestId >= 0) {
      // 富阳市 / 玉环县 written with a former suffix: the suffix belongs to the name.
      // (By code unit, -1 past the end: 市 0x5e02, 县 0x53bf, 区 0x533a.)
      const lv = g.levelIndexOf(bestId);
      const old = pos + len < text.length ? text.charCodeAt(pos + len) : -1;
      if (old !== 0x5e02 && old !== 0x53bf && old !== 0x533a) return { id: bestId, end: pos + len };
      const name0 = g.nameOf(bestId);
      if (name0 !== name && (lv === 2 || (lv === 1 && old === 0x5e02)))
        if (!/^[市县区](场|政府|中心|委|民|里|内|外|级)/.test(text.slice(pos + len, pos + len + 2)))
          return { id: bestId, end: pos + len + 1 };
      // 绍兴县, 宜宾县: a former county named after its city (merged into the city's districts since).
      if (
        lv === 1 &&
        old === 0x53bf &&
        name0 !== name &&
        !/^县(城|委|政府|级)/.test(text.slice(pos + len, pos + len + 2))
      )
        return { id: bestId, end: pos + len + 1, county: true };
      return { id: bestId, end: pos + len };
    }
  }
  return null;
}

/**
 * The city's township stems at `pos`, right after a county the gazetteer lacks: not where the stem would
 * leave one character before 村, 坊 or 城 (公明上村, 东柳坊), nor 新城 (a compound: 保定新城).
 */
function stemsOfUnknownCounty(
  text: string,
  pos: number,
  city: number,
  g: Gazetteer,
): readonly { id: number; name: string }[] {
  // (Only right after the county's suffix, 江干区 | 九堡: further on, a stem would mostly cut a name.)
  const before = text.charCodeAt(pos - 1);
  if (before !== 0x533a && before !== 0x53bf) return NO_STEMS; // 区, 县
  const stems = g.cityTownStemsAt(text, pos, city);
  if (stems.length === 0) return stems;
  return stems.filter(
    (st) => !STEM_CUTS_NAME.test(text.slice(pos + st.name.length, pos + st.name.length + 2)),
  );
}
const STEM_CUTS_NAME = /^([\u3400-\u9fff]?[村坊城]|新城)/;

/** True when one of the gazetteer's names at a position (`entries`) is a county of `city`. */
function countyNamedAt(entries: readonly NameEntry[] | null, city: number, g: Gazetteer): boolean {
  if (entries === null) return false;
  for (const e of entries) for (const h of e.hits) if (g.parentOf(h.id) === city) return true;
  return false;
}

/** True when a road word (路, 街, 大道, 大街, 巷, 弄) starts at `i`. */
function roadWordAt(text: string, i: number): boolean {
  if (i >= text.length) return false;
  const x = text.charCodeAt(i);
  // 路 0x8def, 街 0x8857, 巷 0x5df7, 弄 0x5f04; 大 0x5927 before 道 0x9053 or 街.
  if (x === 0x8def || x === 0x8857 || x === 0x5df7 || x === 0x5f04) return true;
  if (x !== 0x5927 || i + 1 >= text.length) return false;
  const y = text.charCodeAt(i + 1);
  return y === 0x9053 || y === 0x8857;
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
    // 西湖区翠苑一区: a numbered section after a township's short name names a compound after it.
    generic:
      GENERIC_AFTER_SHORT_3.test(after) ||
      (after.length > 1 &&
        NUMBERED_SECTION_CHARS.hasAt(after, 0) &&
        NUMBERED_SECTION_AFTER_SHORT.test(after)),
  };
}

/** True when a province or city above `level`, not read yet, may be named at `pos` (a cheap test). */
export function highDivisionAt(
  text: string,
  pos: number,
  level: number,
  admin: readonly AdminMatch[],
  g: Gazetteer,
): boolean {
  for (const { hits } of g.entriesAt(text, pos))
    for (const h of hits) {
      const li = LEVEL_ORDER[g.levelOf(h.id)];
      if (li < level && li <= 1 && !admin.some((a) => a.id === h.id)) return true;
    }
  return false;
}

/** True when a subdivision of `parent` is named at `pos`. */
export function childAt(text: string, pos: number, parent: number, g: Gazetteer): boolean {
  for (const { hits } of g.entriesAt(text, pos))
    for (const h of hits) if (g.parentOf(h.id) === parent) return true;
  return false;
}

const NO_STEMS: readonly { id: number; name: string }[] = [];

/** Gazetteer names and township stems at one position, longest first, without repeats. */
function mergeCandidates(names: readonly string[], stems: readonly { name: string }[]): string[] {
  // Both lists are longest first: merged as a stable sort of names then stems would order them
  // (names first among names of one length), without the copy and the sort.
  const out: string[] = [];
  let i = 0;
  for (const s of stems) {
    if (names.includes(s.name) || out.includes(s.name)) continue;
    while (i < names.length && (names[i] as string).length >= s.name.length) out.push(names[i++] as string);
    out.push(s.name);
  }
  while (i < names.length) out.push(names[i++] as string);
  return out;
}

/** Candidate names from the gazetteer and from deployment aliases, longest first. */
function aliasNames(text: string, pos: number, g: Gazetteer, aliases: ReadonlyMap<string, number>): string[] {
  const out = [...g.namesAt(text, pos)];
  for (const alias of aliases.keys())
    if (text.startsWith(alias, pos) && !out.includes(alias)) out.push(alias);
  return out.sort((a, b) => b.length - a.length);
}

/** A numbered section (一区, 2区) right after a short division name: a compound named after it. */
const NUMBERED_SECTION_AFTER_SHORT = /^([一二三四五六七八九十]{1,2}|[0-9]{1,2})区/;
/** The first characters NUMBERED_SECTION_AFTER_SHORT may match (tested first: most names have none). */
const NUMBERED_SECTION_CHARS = new CharSet("一二三四五六七八九十0123456789");
/**
 * A name of two characters or more and a numeral before 区 (阳光一区): a compound's numbered section,
 * never a district (北六区, one character before it, is left as it was read).
 */
const NUMBERED_SECTION_END = /[\u4e00-\u9fff]{2}[一二三四五六七八九十0-9][区县]$/;

/** A district or town missing from the gazetteer (renamed or merged since): 江东区, 新桥镇. */
export function matchUnknownAdmin(
  text: string,
  pos: number,
  level: number,
): { label: "district" | "town"; end: number } | null {
  // (Each regex only where its suffix can be: most positions have none.)
  if (level === -1 && suffixWithin(text, pos + 2, pos + 2, "区县")) {
    const m = /^[\u3400-\u9fff]{2}(区|县)/.exec(text.slice(pos, pos + 3));
    if (m && !NOT_DISTRICT.test(m[0]) && !/[路街道村镇乡小园]/.test(m[0]) && !NUMBERED_SECTION_END.test(m[0]))
      return { label: "district", end: pos + m[0].length };
  }
  if ((level === 1 || level === 0) && suffixWithin(text, pos + 1, pos + 3, "区县")) {
    const m = /^[\u3400-\u9fff]{1,3}?(区|县)/.exec(text.slice(pos, pos + 5));
    if (m && !NOT_DISTRICT.test(m[0]) && !/[路街道村镇乡]/.test(m[0]) && !NUMBERED_SECTION_END.test(m[0])) {
      // 中山市石岐区街道: a street office named after a former district (区 then 街道) is one township.
      const office = m[1] === "区" && text.startsWith("街道", pos + m[0].length);
      return office
        ? { label: "town", end: pos + m[0].length + 2 }
        : { label: "district", end: pos + m[0].length };
    }
  }
  if (level === 2 && suffixWithin(text, pos + 2, pos + 4, "街镇乡办")) {
    // 红星办事处: a township's office named without 街道 stands for the township; 红星街办事处 is
    // one office (街 + 办事处), not 红星街办 and a place 事处.
    const m = /^[\u4e00-\u9fff]{2,4}?(街道办事处|街道|街办事处|街办|[镇乡]街道(?:办事处)?|镇|乡|办事处)/.exec(
      text.slice(pos, pos + 11),
    );
    if (m && !/[路街道村区]/.test(m[0].slice(0, -m[1]!.length)) && !m[0].endsWith("小镇"))
      return { label: "town", end: pos + m[0].length };
  }
  return null;
}

/** True when one of `chars` is at one of the positions `from` to `to` of `text`. */
function suffixWithin(text: string, from: number, to: number, chars: string): boolean {
  for (let i = from; i <= to && i < text.length; i++) if (chars.includes(text[i] as string)) return true;
  return false;
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
