import type { Random } from "../domain/index.ts";
import type { Compound, Place, Road } from "./city.ts";
import { placeStation, type Station } from "./city.ts";
import { chineseNumber, fullWidthDigits } from "./identifiers.ts";
import { CITY, PROVINCE } from "./names.ts";
import { chance } from "./rng.ts";

/**
 * Addresses as call-takers type them: the same flat as 阳光新村3栋2单元501, 阳光小区三号楼二单元501室,
 * 阳光新村3-2-501 or with full-width digits; the province or city often left out; homophone typos
 * in compound names; 门口/附近/对面/旁边; road + number; X路与Y路交叉口. Every variant still names
 * exactly one true place: names are unique in the city and typos are unique homophones.
 */

const FILLERS = ["门口", "附近", "对面", "旁边"] as const;

function adminPrefix(rng: Random, place: Place, known?: Station): string {
  const station = known ?? placeStation(place).station;
  const d = station.district.spec;
  const r = rng.next();
  if (r < 0.45) return "";
  if (r < 0.65) return d.name;
  if (r < 0.8) return CITY + d.name;
  if (r < 0.88) return PROVINCE + CITY + d.name;
  if (r < 0.95) return d.name + station.street + (d.suburban ? "镇" : "街道");
  return CITY;
}

/** The compound's name as written: registered, 小区 for its suffix, a typo, or the bare base. */
export function compoundName(rng: Random, c: Compound, typoRate: number, bare = true): string {
  if (c.typos.length > 0 && chance(rng, typoRate)) return rng.pick(c.typos) + c.suffix;
  const r = rng.next();
  if (r < 0.66) return c.name;
  if (r < 0.88) return c.base + (c.suffix === "小区" ? "花园" : "小区");
  // The bare base only before a building number (阳光3栋), never alone.
  if (r < 0.95 || !bare) return c.base + (c.suffix === "花园" ? "家园" : "花园");
  return c.base;
}

function buildingText(rng: Random, b: number): string {
  const r = rng.next();
  if (r < 0.4) return `${b}栋`;
  if (r < 0.62) return `${b}号楼`;
  if (r < 0.72) return `${chineseNumber(b)}栋`;
  if (r < 0.76) return `${chineseNumber(b)}号楼`;
  if (r < 0.9) return `${b}幢`;
  return `${b}座`;
}

function flatText(rng: Random, b: number, u: number, room: number): string {
  const r = rng.next();
  if (r < 0.14) return `${b}-${u}-${room}${chance(rng, 0.3) ? "室" : ""}`;
  const unit = chance(rng, 0.8) ? `${u}单元` : `${chineseNumber(u)}单元`;
  const rr = rng.next();
  const roomText = rr < 0.5 ? `${room}` : rr < 0.92 ? `${room}室` : `${room}号`;
  return buildingText(rng, b) + unit + roomText;
}

export function roadNumberText(road: Road, number: number): string {
  return `${road.name}${number}号`;
}

function crossText(rng: Random, a: Road, b: Road): string {
  const [x, y] = chance(rng, 0.6) ? [a, b] : [b, a];
  const r = rng.next();
  if (r < 0.55) return `${x.name}与${y.name}交叉口`;
  if (r < 0.7) return `${x.name}${y.name.replace(/路$/, "")}路口`;
  if (r < 0.82) return `${x.name}和${y.name}交叉口`;
  if (r < 0.92) return `${x.name}与${y.name}路口`;
  return `${x.name}${y.name}交叉路口`;
}

export interface AddressStyle {
  /** Share of compound names written with a homophone typo. */
  readonly typoRate: number;
  /** Share of addresses written with full-width digits. */
  readonly fullWidthRate: number;
}

export const DEFAULT_ADDRESS_STYLE: AddressStyle = { typoRate: 0.06, fullWidthRate: 0.06 };

/**
 * One way of writing the place. Deterministic for a given random state.
 * @example
 * renderAddress(rng, { kind: "flat", compound, building: 3, unit: 2, room: 501 }) // "阳光新村3栋2单元501室"
 */
export function renderAddress(
  rng: Random,
  place: Place,
  style: AddressStyle = DEFAULT_ADDRESS_STYLE,
  /** The place's station when the caller already knows it (saves a nearest-station search). */
  station?: Station,
): string {
  let text: string;
  switch (place.kind) {
    case "flat": {
      const c = place.compound;
      const gate = chance(rng, 0.05) ? roadNumberText(c.gateRoad, c.gateNumber) : "";
      text =
        gate + compoundName(rng, c, style.typoRate) + flatText(rng, place.building, place.unit, place.room);
      break;
    }
    case "building": {
      const c = place.compound;
      const r = rng.next();
      const tail = r < 0.5 ? "" : r < 0.8 ? "楼下" : r < 0.9 ? "门口" : "旁边";
      text = compoundName(rng, c, style.typoRate) + buildingText(rng, place.building) + tail;
      break;
    }
    case "compound": {
      const c = place.compound;
      const r = rng.next();
      const tail =
        r < 0.35
          ? ""
          : r < 0.75
            ? rng.pick(FILLERS)
            : rng.pick(["东门", "南门", "北门", "西门", "地下车库", "里面"]);
      const gate = chance(rng, 0.1) ? roadNumberText(c.gateRoad, c.gateNumber) : "";
      text = gate + compoundName(rng, c, style.typoRate, false) + tail;
      break;
    }
    case "poi": {
      const p = place.poi;
      const r = rng.next();
      const head =
        r < 0.45
          ? p.name
          : r < 0.8
            ? roadNumberText(p.road, p.number) + p.name
            : r < 0.93
              ? p.road.name + p.name
              : `${p.name}（${p.road.name}）`;
      text = head + (chance(rng, 0.25) ? rng.pick(FILLERS) : "");
      break;
    }
    case "road":
      text = roadNumberText(place.road, place.number) + (chance(rng, 0.3) ? rng.pick(FILLERS) : "");
      break;
    case "cross":
      text = crossText(rng, place.crossing.a, place.crossing.b) + (chance(rng, 0.1) ? "附近" : "");
      break;
  }
  const full = adminPrefix(rng, place, station) + text;
  return chance(rng, style.fullWidthRate) ? fullWidthDigits(full) : full;
}

/** A short mention of the place inside a narrative (no administrative prefix). */
export function narrativePlace(place: Place): string {
  switch (place.kind) {
    case "flat":
      return `${place.compound.name}${place.building}栋${place.unit}单元${place.room}室`;
    case "building":
      return `${place.compound.name}${place.building}栋`;
    case "compound":
      return place.compound.name;
    case "poi":
      return place.poi.name;
    case "road":
      return roadNumberText(place.road, place.number);
    case "cross":
      return `${place.crossing.a.name}与${place.crossing.b.name}交叉口`;
  }
}
