import type { Span } from "../parse.ts";
import { CharSet, DASHES, digitAt, hanAt, latinAt, numeralAt } from "./chars.ts";
import { hasLabel, lastMeaningful, lastSpanText, spanFrom } from "./spans.ts";
import { BUILDING_END, DISTANCE, MOBILE } from "./words.ts";

/** Numbered components: building, unit, floor, room and house numbers, dashes and sub-numbers. */

/** True when a numbered component starts at `pos` (a number followed by a unit word or a dash). */
export function numberedAt(text: string, pos: number): boolean {
  return readNumber(text, pos) !== null;
}

/** 5O1, 1OO2: the letter O typed for a zero, in a run of one or two between digits, is that zero. */
function typedZero(text: string, pos: number): boolean {
  if (!letterOAt(text, pos)) return false;
  let from = pos;
  while (from > 0 && letterOAt(text, from - 1)) from--;
  let to = pos + 1;
  while (letterOAt(text, to)) to++;
  return to - from <= 2 && digitAt(text, from - 1) && digitAt(text, to);
}

/**
 * O or o at `i`. A module function, not a closure in typedZero: under tsx (keepNames) every
 * named closure costs a defineProperty each time it is made, and typedZero runs after every digit.
 */
function letterOAt(text: string, i: number): boolean {
  if (i >= text.length) return false; // (charCodeAt past the end deoptimises: rules/chars.ts)
  const x = text.charCodeAt(i);
  return x === 0x4f || x === 0x6f;
}

/** End of the ASCII digits at `pos` (`pos` when none is there). */
function asciiDigitsEnd(text: string, pos: number): number {
  let j = pos;
  while (j < text.length) {
    const x = text.charCodeAt(j);
    if (x < 48 || x > 57) break;
    j++;
  }
  return j;
}

/** True when the character at `i` is one of `chars` (false past the end). */
function charIn(text: string, i: number, chars: string): boolean {
  // By code unit: `text[i]` would make a string of a Chinese character on every call.
  if (i < 0 || i >= text.length) return false;
  const x = text.charCodeAt(i);
  for (let k = 0; k < chars.length; k++) if (chars.charCodeAt(k) === x) return true;
  return false;
}

/** Reads a number token at `pos`: digits, Chinese numerals followed by a unit word, or one Latin letter + unit. */
export function readNumber(text: string, pos: number): { end: number; chinese: boolean } | null {
  let end = pos;
  if (digitAt(text, end)) {
    // 90##3: a number masked by the export (##); one # between digits is 号 typed short (3#2单元).
    while (
      digitAt(text, end) ||
      (text[end] === "#" && /^##+[0-9]/.test(text.slice(end, end + 4))) ||
      typedZero(text, end)
    ) {
      if (text[end] === "#") while (text[end] === "#") end++;
      else end++;
    }
    // 5A栋, 12B座: a letter between the number and its unit word is part of the number.
    if (
      latinAt(text, end) &&
      !latinAt(text, end + 1) &&
      /^(座|栋|幢|号楼|单元|室)/.test(text.slice(end + 1, end + 3))
    )
      end++;
    // 2486D, 7C-1106: one letter after the digits, with nothing glued after it, is part of the number
    // (not 12F, the floor, nor 4S店 or 24h).
    else if (latinAt(text, end) && letterSuffix(text, end)) end++;
    // 12C2508: a letter between two numbers ends the first (building 12C, then its flat).
    else if (latinAt(text, end) && flatAfterLetter(text, end)) end++;
    return { end: maskedTail(text, end), chinese: false };
  }
  if (
    // (负 0x8d1f, - 0x2d by code unit: no string of the character on every call.)
    end < text.length &&
    (text.charCodeAt(end) === 0x8d1f || text.charCodeAt(end) === 0x2d) &&
    /^[负-][一二三四五六七八九1-9](楼|层)/.test(text.slice(end, end + 3))
  )
    return { end: end + 2, chinese: true };
  if (numeralAt(text, end)) {
    while (numeralAt(text, end)) end++;
    if (/^(号楼|号院|单元|栋|幢|座|楼|号|室|层|期|区|组|梯)/.test(text.slice(end, end + 2)))
      return { end, chinese: true };
    // 红星村三队, 四社: a production team right after its village, as 3队 and 4社 are (not 三社村, a
    // village's name, nor 汽车六队, a firm's team).
    if (text.charCodeAt(pos - 1) === 0x6751 && /^[队社](?![区村])/.test(text.slice(end, end + 2)))
      return { end, chinese: true };
    return null;
  }
  // b##3号楼: a letter, then a masked number.
  if (latinAt(text, end) && !latinAt(text, end + 1) && /^##+[0-9０-９]/.test(text.slice(end + 1, end + 5)))
    return { end: maskedTail(text, end + 1), chinese: false };
  // B11座, E3886, DB2377: up to two letters glued to digits are one number.
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
 * 186##b, f2##6: some exports mask characters of a number with ##; the masked number goes on
 * over a letter or digits after the mask.
 */
function maskedTail(text: string, end: number): number {
  // 5b##80##2: a letter glued to the digits before a mask is part of the number.
  let e = latinAt(text, end) && text[end + 1] === "#" && text[end + 2] === "#" ? end + 1 : end;
  // 34##p##2, 4##c##50##6: a number may be masked in several places.
  while (text[e] === "#" && text[e + 1] === "#") {
    const m = /^##+([0-9０-９]+|[A-Za-z](?![A-Za-z]))/.exec(text.slice(e, e + 12));
    if (!m) break;
    e += m[0].length;
  }
  return e;
}

/** True when 第 at `pos` makes an ordinal of a numbered part (第5栋, 第三层; not 第一医院). */
export function ordinalAt(text: string, pos: number): boolean {
  // 书香门第, 阳光府第: 第 ending a mansion's name is part of that name.
  if (pos > 0 && "府门甲宅".includes(text[pos - 1] as string)) return false;
  const next = readNumber(text, pos + 1);
  return next !== null && ORDINAL_UNIT.test(text.slice(next.end, next.end + 2));
}
/** Unit words an ordinal numbers: building, floor, phase, villagers' group (第5栋, 第三层, 第二期, 第三组). */
const ORDINAL_UNIT = /^(号楼|栋|幢|座|层|楼(?![盘道梯宇房])|期|组(?![织合件]))/;

/**
 * The numbered components at `pos` (3栋, 二单元, 501室, 3-2-501, C座), or null; 12号附3号 (annex 3 of
 * number 12) is one number.
 */
export function matchNumbered(text: string, pos: number, spans: readonly Span[]): Span[] | null {
  const out = numberedParts(text, pos, spans);
  const last = out?.at(-1);
  if (out && last && text.charCodeAt(last.end) === 0x9644 && text.charCodeAt(last.end - 1) === 0x53f7) {
    const annex = /^附([0-9]+|[一二三四五六七八九十]+)号(?!楼)/.exec(text.slice(last.end, last.end + 8));
    if (annex) out[out.length - 1] = { ...last, end: last.end + annex[0].length };
  }
  return out;
}

function numberedParts(text: string, pos: number, spans: readonly Span[]): Span[] | null {
  // 第5栋, 第三层: an ordinal, the part numbered with 第 before it.
  if (text.charCodeAt(pos) === 0x7b2c) {
    if (!ordinalAt(text, pos)) return null;
    const inner = matchNumbered(text, pos + 1, spans);
    const head = inner?.[0];
    return inner && head ? [{ ...head, start: pos }, ...inner.slice(1)] : null;
  }
  // 2单元五零一: a flat number read digit by digit (Chinese numerals without 十 or 百) after a
  // building, unit or floor is the room, 501 (a numeral with no unit word is otherwise no number).
  const prevPart = lastMeaningful(spans);
  const numbered = prevPart === "houseno" || prevPart === "cellno" || prevPart === "floorno";
  if (numbered && numeralAt(text, pos)) {
    const spelt = SPELT_FLAT.exec(text.slice(pos, pos + 8));
    if (spelt) return spanFrom(pos, "roomno", pos + spelt[0].length);
  }
  // 附1号 after a compound: a sub-number of the place (an annex), one number, not part of its name.
  if (text.charCodeAt(pos) === 0x9644 && (prevPart === "poi" || prevPart === "subpoi")) {
    const annex = ANNEX.exec(text.slice(pos, pos + 8));
    if (annex) return spanFrom(pos, "houseno", pos + annex[0].length);
  }
  // 地下一层: a basement floor written out (= 负一层), one floor.
  const underground =
    text.charCodeAt(pos) === 0x5730 ? UNDERGROUND_FLOOR.exec(text.slice(pos, pos + 8)) : null;
  if (underground) return spanFrom(pos, "floorno", pos + underground[0].length);
  // 阳光苑首层: the ground floor (首层, as Guangdong writes 一层) is a floor.
  if (pos + 1 < text.length && text.charCodeAt(pos) === 0x9996 && text.charCodeAt(pos + 1) === 0x5c42)
    return spanFrom(pos, "floorno", pos + 2);
  const first = readNumber(text, pos);
  if (!first) return null;
  const prev0 = prevPart;
  // 七号桥, 嘉杭路7号桥: a bridge named by its number is a place, not a number and a name 桥….
  if (
    // (Index checks first: charCodeAt past the end gives NaN, and V8 de-optimises this function.)
    first.end + 1 < text.length &&
    text.charCodeAt(first.end) === 0x53f7 && // 号
    text.charCodeAt(first.end + 1) === 0x6865 && // 桥
    !text.startsWith("街道", first.end + 2)
  )
    return spanFrom(pos, "poi", first.end + 2);
  // 3栋B1, 2单元B2层: a basement level (B1 = 负一层) after a building or unit is a floor, not a room.
  if (
    (prev0 === "houseno" || prev0 === "cellno") &&
    charIn(text, pos, "Bb") &&
    BASEMENT.test(text.slice(pos, pos + 4))
  )
    return spanFrom(pos, "floorno", unitEnd(text, pos + 2) ?? pos + 2);
  // 13912345678: a mobile number (11 digits from 13 to 19) is a "call me" note, not a number of the place.
  if (first.end - pos === 11 && text[pos] === "1" && MOBILE.test(text.slice(pos, pos + 11)))
    return spanFrom(pos, "redundant", first.end);
  // A house-number range on a road: 806-808号, 1-16号, 316-328.
  const dashed = DASHES.hasAt(text, first.end);
  const range = dashed ? /^([0-9]+)[-－~～]([0-9]+)号?/.exec(text.slice(pos, pos + 14)) : null;
  if (range && (prev0 === "road" || prev0 === "subroad") && roadRange(text, pos, range))
    return [{ label: prev0 === "road" ? "roadno" : "subroadno", start: pos, end: pos + range[0].length }];
  // 807-811, 2411-2413号: a range of flats or shops written by their first and last numbers.
  const rooms = range;
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
  // 红星路3段: a numbered section of a road is part of the road's name (parseRules joins the two).
  if (
    prev0 === "road" &&
    text[first.end] === "段" &&
    !first.chinese &&
    /^[0-9]+段/.test(text.slice(pos, first.end + 1))
  )
    return [{ label: "road", start: pos, end: first.end + 1 }];
  // Numbered road names: 西园2路, 14号大街, 8路.
  // (Each regex below only where its first words can follow the digits: most numbers are neither.)
  const digitsEnd = asciiDigitsEnd(text, pos);
  const numberedRoad =
    digitsEnd > pos &&
    charIn(text, charIn(text, digitsEnd, "号") ? digitsEnd + 1 : digitsEnd, "国省县乡大支横路街巷")
      ? /^[0-9]+号?(国道|省道|县道|乡道|大街|大道|支路|横路|路|街|巷)(?![0-9]*号?[楼栋幢]|坊|区)/.exec(
          text.slice(pos, pos + 8),
        )
      : null;
  // 商贸城二区三楼5街21003: in a market, a numbered aisle (街) after a floor or a section is a unit
  // of the building, and the number after it the stall.
  if (numberedRoad && /^[0-9]+街$/.test(numberedRoad[0]) && afterFloorOrSection(text, spans, pos))
    return [{ label: "cellno", start: pos, end: pos + numberedRoad[0].length }];
  // 红星街3巷: a numbered lane after its road is a road too (but 中山路8号 is a number on it).
  if (numberedRoad && (prev0 !== "road" || /^[0-9]+(巷|街)$/.test(numberedRoad[0])))
    return [{ label: "road", start: pos, end: pos + numberedRoad[0].length }];
  // 三号路倚林佳园: a road numbered in Chinese numerals with 号 (not 三号路口, a crossing's words).
  if (
    first.chinese &&
    prev0 !== "road" &&
    first.end + 1 < text.length &&
    text.charCodeAt(first.end) === 0x53f7 && // 号
    text.charCodeAt(first.end + 1) === 0x8def && // 路
    (first.end + 2 === text.length || text.charCodeAt(first.end + 2) !== 0x53e3) // 口
  )
    return [{ label: "road", start: pos, end: first.end + 2 }];
  // 200米, 1.5公里: a distance from the place, not part of it.
  const distance =
    digitsEnd > pos && charIn(text, digitsEnd, ".米公千m") ? DISTANCE.exec(text.slice(pos, pos + 10)) : null;
  if (distance) return [{ label: "assist", start: pos, end: pos + distance[0].length }];
  // 203小区, 37号街坊, 2号地块, 3组团, 2里9号楼: a numbered quarter is a compound, or a part of the one before.
  const quarter = QUARTER_START.hasAt(text, first.end)
    ? NUMBERED_QUARTER.exec(text.slice(first.end, first.end + 4))
    : null;
  // 阳光家园3号地, 阳光针织厂7号厂房: a numbered plot or works building of the compound before it.
  const part =
    !quarter && (prev0 === "poi" || prev0 === "subpoi") && PART_START.hasAt(text, first.end)
      ? NUMBERED_PART.exec(text.slice(first.end, first.end + 3))
      : null;
  // (三号厂房 as 3号厂房: a numeral with 号; 三车间 without it is left to the name.)
  if (part && (!first.chinese || text[first.end] === "号"))
    return spanFrom(pos, "subpoi", first.end + part[0].length);
  // 三组团 as 3组团 (a numeral before the other quarter words is part of a name: 一小区).
  if (quarter && (!first.chinese || quarter[1] === "组团"))
    return spanFrom(
      pos,
      prev0 === "poi" || prev0 === "subpoi" ? "subpoi" : "poi",
      first.end + quarter[0].length,
    );
  // Dash forms: 3-2-501, 13-2021, 12－374.
  const parts: { start: number; end: number }[] = [{ start: pos, end: first.end }];
  let p = first.end;
  // 3.2.501, 3_2_501: dots or underscores between three numbers are dashes (not 3.5 alone: a decimal).
  const dotted = charIn(text, p, "._．") && DOTTED_FLAT.test(text.slice(pos, pos + 16));
  while (
    (DASHES.hasAt(text, p) || numeralDash(text, p) || (dotted && charIn(text, p, "._．"))) &&
    (digitAt(text, p + 1) || latinAt(text, p + 1))
  ) {
    const nx = readNumber(text, p + 1) ?? (latinAt(text, p + 1) ? { end: p + 2, chinese: false } : null);
    if (!nx) break;
    parts.push({ start: p + 1, end: nx.end });
    p = nx.end;
  }
  if (parts.length > 1) {
    // 红星路27之3-6号: a dashed sub-number after 之 on a road number is one number (of the door 27之3-6).
    if (parts.length === 2 && text.charCodeAt(pos - 1) === 0x4e4b && prev0 === "roadno")
      return spanFrom(pos, "houseno", unitEnd(text, p) ?? p);
    // 5-3幢, 41-7号楼: two numbers joined by a dash before a building word number one building.
    const building =
      parts.length === 2 && prev0 !== "road" && prev0 !== "subroad"
        ? DASHED_BUILDING_WORD.exec(text.slice(p, p + 2))
        : null;
    if (building) return spanFrom(pos, "houseno", p + building[0].length);
    // 阳光路27-4红星超市: two dashed numbers on a road before a name are one number on it, the
    // shop's or building's door number (27-4号 alone: the number and a house behind it).
    if (prev0 === "road" && parts.length === 2 && hanAt(text, p) && unitEnd(text, p) === null)
      return spanFrom(pos, "roadno", p);
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
    // 15-4楼, 9-12-6楼: a dashed number ending in a floor word ends with the floor (but 楼下 / 楼上
    // after a flat's number of three digits or more is a filler: 3-2-501楼下 is flat 501).
    const lastEnd = (parts.at(-1) as { end: number }).end;
    const lastPart = parts.at(-1) as { start: number; end: number };
    const flatFiller =
      text[lastEnd] === "楼" && lastPart.end - lastPart.start >= 3 && charIn(text, lastEnd + 1, "下上");
    if ((text[lastEnd] === "楼" && !flatFiller) || text[lastEnd] === "层") {
      labels[labels.length - 1] = "floorno";
      if (!roadFirst && labels.length >= 2 && labels[labels.length - 2] === "roomno")
        labels[labels.length - 2] = "cellno";
    }
    // 120-6单元, 3-1门: ... or in a unit word, with the unit (the building before it); 门口 is a filler
    // (3-2-501门口 is flat 501, not unit 501 of building 2).
    if (!roadFirst && /^(单元|门(?![口面市头卫店诊])|梯)/.test(text.slice(lastEnd, lastEnd + 2))) {
      labels[labels.length - 1] = "cellno";
      if (labels.length >= 2 && labels[labels.length - 2] === "cellno") labels[labels.length - 2] = "houseno";
    }
    parts.forEach((part, i) => {
      let end = part.end;
      if (i === parts.length - 1 && !flatFiller && !text.startsWith("门口", end))
        end = unitEnd(text, end) ?? end;
      out.push({ label: labels[i] as string, start: part.start, end });
      const nextPart = parts[i + 1];
      if (nextPart) out.push({ label: "redundant", start: end, end: nextPart.start });
    });
    return out;
  }
  // 3 栋, 2 单元, 501 室, 12 号: spaces typed between a number and its building, unit or room word (the
  // word alone would be read as a name, and the next number as the building).
  const spaced = charIn(text, first.end, " \u3000")
    ? SPACED_UNIT.exec(text.slice(first.end, first.end + 5))
    : null;
  const end = spaced ? first.end + spaced[0].length : first.end;
  const unit =
    /^(号楼|号院|栋楼|幢楼|单元|房间|号搂|号喽|层楼|号房(?![东产屋管地子间])|栋|幢|座|懂|憧|撞|楼|门(?!口)|单|号|室|房|户|层|弄|期|区|组|队|社(?!区)|排|梯|F|f|#楼|#)/.exec(
      text.slice(end, end + 3),
    );
  const prev = lastMeaningful(spans);
  // 2单元501楼下: 楼下 / 楼上 after a flat number (three digits or more) is a filler, not floor 501;
  // 红星路12号楼下: after a road, 号楼下 is the number on the road and the filler.
  const fillerAt = end + (unit?.[1] === "号楼" ? 1 : 0);
  const filler = charIn(text, fillerAt, "楼") && /^楼[下上]/.test(text.slice(fillerAt, end + 3));
  // 3#楼, 3#2单元: # is 号 typed short (a building, or 号 read by context before another number).
  const u =
    unit?.[1] === "#楼"
      ? "号楼"
      : unit?.[1] === "#" && readNumber(text, end + 1)
        ? "号"
        : filler &&
            unit?.[1] === "号楼" &&
            (prev === "road" ||
              prev === "subroad" ||
              ((prev === "cellno" || prev === "floorno") && end - pos >= 3))
          ? "号"
          : filler &&
              unit?.[1] === "楼" &&
              !first.chinese &&
              // (5楼01楼下: a flat's number on its floor, with its zero, is one too.)
              (end - pos >= 3 || (end - pos === 2 && text[pos] === "0" && prev === "floorno"))
            ? undefined
            : unit?.[1];
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
      // 4层楼: the floor (楼 written after 层).
      case "层楼":
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
      // 301号房: a room numbered with 号 (not 5号房产公司).
      case "号房":
      case "房间":
      case "房":
      case "户":
        return spanFrom(pos, "roomno", uend);
      case "#":
        // 阳光小区3#: a short number with # right after a compound is its building, as 3号 is there
        // (3栋501#, 阳光小区501# stay rooms).
        return spanFrom(
          pos,
          (prev === "poi" || prev === "subpoi") && end - pos <= 2 ? "houseno" : "roomno",
          uend,
        );
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
        // 4排9号: a numbered row of houses before its numbers is numbered like a building; along a
        // road (阳光路3排5号), a number on the road.
        if (prev === "road") return spanFrom(pos, "roadno", uend);
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
        if (namesRoad(text, spans, prev)) return spanFrom(pos, "roadno", uend);
        // 5号门: a numbered gate of the compound (of the building, after one: its entrance).
        // (2单元501号门口: after a unit or floor, 门口 is a filler after the room's number.)
        // (红星村3组12号门口: after a village or its group, the house's door, not a gate 12号门.)
        const doorstep =
          text[uend + 1] === "口" &&
          (prev === "cellno" || prev === "floorno" || prev === "group" || prev === "community");
        if (
          text[uend] === "门" &&
          !/^门[面市头卫店诊]/.test(text.slice(uend, uend + 2)) &&
          prev !== "roadno" &&
          !doorstep
        )
          return spanFrom(pos, prev === "houseno" ? "cellno" : "subpoi", uend + 1);
        // 七幢25号: the number after a building is its entrance; after a unit or floor, the room.
        // A flat number (four digits, or three at the end) is the room: 3幢1206号; so is a shop's
        // number before its name (3幢12号阳光理发店).
        if (prev === "houseno")
          return spanFrom(
            pos,
            end - pos >= 4 || (end - pos === 3 && uend === text.length) || nameAt(text, uend)
              ? "roomno"
              : "cellno",
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
        // 阳光广场10楼百草药房4052号: a number after a shop on a floor is the shop's unit.
        if (prev === "subpoi" && hasLabel(spans, "floorno")) return spanFrom(pos, "roomno", uend);
        return spanFrom(pos, "houseno", uend);
      }
    }
  }
  // A bare number: a room at the end or after a building, a building after a POI.
  if (first.chinese) return null;
  const digits = end - pos;
  if (prev === "road" || namesRoad(text, spans, prev)) return spanFrom(pos, "roadno", end);
  if (prev === "houseno" || prev === "cellno" || prev === "floorno") return spanFrom(pos, "roomno", end);
  // 12C | 2508: a number ending in a letter, its flat's number right after it, is the building.
  const building = prev !== "houseno" && prev !== "cellno" && prev !== "floorno";
  if (building && latinAt(text, end - 1) && digitAt(text, end - 2) && digitAt(text, end))
    return spanFrom(pos, "houseno", end);
  // 红星村416: in a village without a road, a number written without 号 is still a house's.
  if (prev === "community" || prev === "town" || prev === "group" || prev === "village")
    return spanFrom(pos, "houseno", end);
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

/** 6一2一305, 15一602: 一 (one) between two numbers is a dash typed with the Chinese input method. */
function numeralDash(text: string, p: number): boolean {
  return text[p] === "一" && (digitAt(text, p + 1) || (latinAt(text, p + 1) && !latinAt(text, p + 2)));
}

/** Spaces before a building, unit, floor or room word or 号 (3 栋, 2 单元, 5 层, 501 室, 12 号). */
const SPACED_UNIT = /^[ \u3000]{1,2}(?=号|栋|幢|座|单元|层|室)/;
/** Three numbers joined by dots or underscores, one kind throughout (3.2.501, 3_2_501): a dashed flat. */
const DOTTED_FLAT = /^[0-9０-９]+([._．])[0-9０-９]+\1[0-9０-９]+/;
/** A flat number spelt digit by digit: three or four Chinese digits, no 十/百, nothing numeral after. */
const SPELT_FLAT =
  /^[零〇一二三四五六七八九]{3,4}(室|房间|房|号|户)?(?![零〇一二三四五六七八九十百千0-9单栋幢层号座区期组]|楼(?![下上]))/;
/** An annex number: 附1号, 附一号, 附1号楼, 附1 (not 附一医院, a hospital's name). */
export const ANNEX =
  /^附([0-9]+|[一二三四五六七八九十]+)(号楼|号|栋|幢)(?![楼栋幢院])|^附[0-9]+(?![0-9\u4e00-\u9fff])/;
/** A basement floor: 地下一层, 地下2楼, 地下室1层. */
export const UNDERGROUND_FLOOR = /^地下室?([0-9]+|[一二三四五六七八九十]+)(层|楼)/;
/** A basement level written B1 … B5 (not B12, a room, nor B1栋, a building): its floor word may follow. */
const BASEMENT = /^[Bb][1-5](?![0-9A-Za-z#\-－栋幢座单号室房])/;

/** A number and a compound word that end a compound's name (200小区, 一号小区). */
export const NUMBER_IN_NAME = /^([0-9]+|[一二三四五六七八九十]+号)(小区|花园|公寓|广场|大厦|家园|新村)/;
/** The building word after a dashed number (5-3幢, 41-7号楼). */
const DASHED_BUILDING_WORD = /^(号楼|栋|幢|座)/;
/** A unit (entrance), a floor or a dashed number next: 2单元, 3门, 1梯, 6楼, 9-6. */
const FLAT_UNIT_NEXT = /^[0-9]+(单元|单|门|梯|楼|层|F|f|[-－])/;
/** A numbered or side section: 二区, 3区, C区, 东区. */
export const SECTION_NAME = /^([A-Za-z0-9一二三四五六七八九十]+|[东西南北中])区$/;
/** A building number: 2号楼, 6栋, 3幢, B座. */
export const BUILDING_WORD_END = /(号楼|栋|幢|座)$/;
/** A building number next: 2号楼, 6栋. */
export const BUILDING_NEXT = /^[0-9０-９]+(号楼|栋|幢|座)/;
/** Compound words and one-character compound endings after which a number is not part of the name. */
export const NAMED_COMPOUND_END =
  /(小区|花园|家园|大厦|广场|公寓|新村|市场|公司|医院|学校|大学|中心|[园苑区城府庭居湾阁轩期院里村])$/;

/** Words after a number that name a quarter of houses (村 and 里 only when a building number follows). */
const NUMBERED_QUARTER = /^号?(小区|街坊|街区|地块|组团)|^(村|里)(?=[0-9０-９A-Za-z])/;
const QUARTER_START = new CharSet("号小街地组村里");

/** Numbered parts of a compound, a plot or a works (3号地, 7号厂房, 5号车库): its `subpoi`. */
const NUMBERED_PART = /^号?(厂房|仓库|车库|车间)|^号地(?![址下])/;
const PART_START = new CharSet("号厂仓车");

/** Extends a number over a trailing unit word (501室). */
function unitEnd(text: string, end: number): number | null {
  const m = /^(室|房间|房|号|户|单元|楼|层|栋|幢|座|门(?![面市头卫店诊])|梯)/.exec(text.slice(end, end + 3));
  return m ? end + (m[1] as string).length : null;
}

/**
 * True when `range` (first and last number, and 号) after a road is a range of house numbers: the
 * last number larger and as long (806-808号; 316-328 when nothing numbered follows) or, after a
 * first of one or two digits, longer (8-12号); 146-3号 and 1208-12号 are a number and a house behind it.
 */
function roadRange(text: string, pos: number, range: RegExpExecArray): boolean {
  const firstNo = range[1] as string;
  const lastNo = range[2] as string;
  if (Number(lastNo) <= Number(firstNo)) return false;
  const goesOn = numberGoesOn(text, pos + range[0].length);
  if (lastNo.length === firstNo.length) return range[0].endsWith("号") || !goesOn;
  return firstNo.length <= 2 && !goesOn;
}

/** True when the number ending at `end` goes on: a digit, a letter, a dash, a mask or a unit word follows. */
function numberGoesOn(text: string, end: number): boolean {
  return (
    digitAt(text, end) ||
    latinAt(text, end) ||
    DASHES.hasAt(text, end) ||
    text[end] === "#" ||
    unitEnd(text, end) !== null
  );
}

/** Words that end a road's name: 路, 街, 巷, 大道, 东段, 胡同, 线. */
const ROAD_WORD_END = /(路|街|巷|段|大道|胡同|线)$/;

/**
 * True when the place just read (`prev`) ends in a road word (阳光东段, 红星巷): the split of its
 * run made a place of it, but a number after it is a number on that road.
 */
function namesRoad(text: string, spans: readonly Span[], prev: string | undefined): boolean {
  return (prev === "poi" || prev === "subpoi") && ROAD_WORD_END.test(lastSpanText(text, spans, prev));
}

/** A shop's or an office's name at `pos` (two Han characters, not a unit word, a numeral or a note). */
function nameAt(text: string, pos: number): boolean {
  return (
    hanAt(text, pos) &&
    hanAt(text, pos + 1) &&
    !numeralAt(text, pos) &&
    !"楼层单门梯室房户栋幢座号电城".includes(text[pos] as string)
  );
}

/** True when the letter at `end`, after digits, is followed by a flat number (three or four digits, nothing glued). */
function flatAfterLetter(text: string, end: number): boolean {
  if ((text[end] as string).toLowerCase() === "f") return false;
  let i = end + 1;
  while (digitAt(text, i)) i++;
  return i - end - 1 >= 3 && i - end - 1 <= 4 && !latinAt(text, i) && !digitAt(text, i) && text[i] !== "#";
}
