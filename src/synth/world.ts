import type { Random } from "../domain/index.ts";
import { type CategoryGroup, groupOf, type RepeatDefinitions } from "../repeat/definitions.ts";
import type { Kind, PlaceSpec, Template } from "./catalogue.ts";
import {
  type City,
  type Compound,
  type Crossing,
  isExcludedPlace,
  metresBetween,
  type Place,
  type Poi,
  placeKeys,
  type Road,
  roadPoint,
} from "./city.ts";
import { between, chance } from "./rng.ts";

/**
 * The generator's mutable state: true events, true callers and the calls planned for each day.
 * Planted problems and the daily background both add events here; the truth is computed from
 * these events, never from the rendered rows.
 */

export interface Call {
  readonly at: number;
  readonly event: number;
  /** The event's true kind. */
  readonly kind: Kind;
  /** Where this caller says it is: the event's place or one nearby. */
  readonly place: Place | null;
  /** True caller index; -1 = no number recorded. */
  readonly caller: number;
  /** Not the first call of its event. */
  readonly followUp: boolean;
  /** The event has several calls: they always carry a position, so that they can be merged. */
  readonly shared: boolean;
  /** Part of a planted problem: no data-quality defect is injected into it. */
  readonly planted: boolean;
  /** A narrative of its own (planted stories), else one of the kind's. */
  readonly narrative?: Template;
}

/**
 * What the truth needs of the true events, column by column (a million events must not keep
 * their Place objects alive, nor cost an object each).
 */
export class EventTable {
  readonly at: number[] = [];
  readonly kind: Kind[] = [];
  /** True place key at the level of the event's category group; null = no group, no place, or an excluded place. */
  readonly placeKey: (string | null)[] = [];
  /** True dispute (matter) id; -1 = none. */
  readonly matter: number[] = [];
  /** The finest true place key of events of a matter (distinct places of a dispute). */
  readonly placeId = new Map<number, string>();

  get length(): number {
    return this.at.length;
  }

  push(at: number, kind: Kind, placeKey: string | null, placeId: string | null, matter: number): number {
    const e = this.at.length;
    this.at.push(at);
    this.kind.push(kind);
    this.placeKey.push(placeKey);
    this.matter.push(matter);
    if (placeId !== null) this.placeId.set(e, placeId);
    return e;
  }
}

export class World {
  readonly events = new EventTable();
  readonly buckets: Call[][];
  private callers = 0;
  private matters = 0;
  /** Ring buffer of recent callers, for background callers who call again. */
  private readonly recent = new Int32Array(4000);
  private recentCount = 0;
  readonly hotFlats: Place[] = [];
  readonly hotCompounds: Compound[] = [];
  readonly hotRoads: Place[] = [];
  readonly hotCrossings: Crossing[] = [];
  readonly hotShops: Poi[] = [];

  private readonly groups = new Map<string, CategoryGroup | null>();

  constructor(
    private readonly definitions: RepeatDefinitions,
    readonly rng: Random,
    readonly city: City,
    readonly startMs: number,
    readonly days: number,
    scale: number,
  ) {
    this.buckets = Array.from({ length: days }, () => []);
    const hot = Math.max(3, Math.round(scale * 60));
    for (let i = 0; i < hot; i++) this.hotFlats.push(this.randomFlat());
    for (let i = 0; i < Math.max(3, Math.round(hot / 4)); i++)
      this.hotCompounds.push(rng.pick(city.compounds));
    for (let i = 0; i < Math.max(3, Math.round(hot / 3)); i++) this.hotRoads.push(this.randomRoadNumber());
    for (let i = 0; i < Math.ceil(city.crossings.length / 5); i++)
      this.hotCrossings.push(rng.pick(city.crossings));
    const shops = city.poisByKind.shop;
    for (let i = 0; i < Math.max(3, Math.round(shops.length / 20)); i++) this.hotShops.push(rng.pick(shops));
  }

  get endMs(): number {
    return this.startMs + this.days * 86_400_000;
  }

  newCaller(): number {
    const c = this.callers++;
    this.recent[this.recentCount++ % this.recent.length] = c;
    return c;
  }

  /** A background caller: mostly a new number, sometimes one heard recently, rarely none. */
  backgroundCaller(): number {
    const r = this.rng.next();
    if (r < 0.03) return -1;
    if (r < 0.07 && this.recentCount > 0)
      return this.recent[this.rng.int(Math.min(this.recentCount, this.recent.length))]!;
    return this.newCaller();
  }

  newMatter(): number {
    return this.matters++;
  }

  newEvent(at: number, kind: Kind, place: Place | null, matter = -1): number {
    let group = this.groups.get(kind.code);
    if (group === undefined) {
      group = groupOf(this.definitions, kind.category, kind.subtype) ?? null;
      this.groups.set(kind.code, group);
    }
    const keys = place && (group || matter >= 0) ? placeKeys(place) : null;
    const placeKey = group && keys && place && !isExcludedPlace(place) ? keys[group.level] : null;
    const placeId =
      matter >= 0 && keys
        ? (keys.room ?? keys.unit ?? keys.building ?? keys.poi ?? keys.road ?? keys.cross)
        : null;
    return this.events.push(at, kind, placeKey, placeId ?? null, matter);
  }

  dayOf(at: number): number {
    return Math.floor((at - this.startMs) / 86_400_000);
  }

  /** Files a call under its local day; calls outside the period are moved to its edge. */
  addCall(call: Call): void {
    const day = Math.min(this.days - 1, Math.max(0, this.dayOf(call.at)));
    this.buckets[day]!.push(call);
  }

  /**
   * One event with its calls: the first at `at`, the others (other callers, or the same caller
   * calling again) within minutes, from the same or a nearby place.
   */
  addEvent(
    at: number,
    kind: Kind,
    place: Place | null,
    callers: readonly number[],
    options: { matter?: number; planted?: boolean; narrative?: Template; nearby?: boolean } = {},
  ): number {
    const event = this.newEvent(at, kind, place, options.matter ?? -1);
    // Later calls come within minutes: 20 s plus an exponential delay, at most 45 minutes.
    const offsets = callers.map((_, i) =>
      i === 0 ? 0 : Math.round(Math.min(45 * 60_000, 20_000 - Math.log(1 - this.rng.next()) * 6 * 60_000)),
    );
    offsets.sort((a, b) => a - b);
    callers.forEach((caller, i) => {
      const t = at + offsets[i]!;
      const callPlace = i > 0 && options.nearby !== false && place ? this.nearby(place) : place;
      const call: Call = {
        at: Math.min(t, this.endMs - 1000),
        event,
        kind,
        place: callPlace,
        caller,
        followUp: i > 0,
        shared: callers.length > 1,
        planted: options.planted ?? false,
        ...(options.narrative ? { narrative: options.narrative } : {}),
      };
      this.addCall(call);
    });
    return event;
  }

  /** The place a second caller names: the same place or one within about 100 m. */
  nearby(place: Place): Place {
    const rng = this.rng;
    if (chance(rng, 0.6)) return place;
    switch (place.kind) {
      case "flat":
        return { kind: "building", compound: place.compound, building: place.building };
      case "cross": {
        const road = chance(rng, 0.5) ? place.crossing.a : place.crossing.b;
        const number = this.numberNear(road, place.crossing.lon, place.crossing.lat);
        return number ? { kind: "road", road, number } : place;
      }
      case "road": {
        const number = this.freeNumber(
          place.road,
          place.number + (chance(rng, 0.5) ? 2 : -2) * between(rng, 1, 3),
        );
        return number ? { kind: "road", road: place.road, number } : place;
      }
      case "poi": {
        const number = this.freeNumber(
          place.poi.road,
          place.poi.number + (chance(rng, 0.5) ? 2 : -2) * between(rng, 1, 2),
        );
        return number ? { kind: "road", road: place.poi.road, number } : place;
      }
      default:
        return place;
    }
  }

  private freeNumber(road: Road, n: number): number | null {
    for (const candidate of [n, n + 2, n - 2, n + 4]) {
      if (candidate >= 1 && candidate <= road.maxNumber && !road.reserved.has(candidate)) return candidate;
    }
    return null;
  }

  private numberNear(road: Road, lon: number, lat: number): number | null {
    for (let tries = 0; tries < 8; tries++) {
      const n = between(this.rng, 1, road.maxNumber);
      const [x, y] = roadPoint(road, n);
      if (metresBetween(x, y, lon, lat) < 90 && !road.reserved.has(n)) return n;
    }
    // Walk along the road from the crossing.
    for (let n = 1; n <= road.maxNumber; n++) {
      const [x, y] = roadPoint(road, n);
      if (metresBetween(x, y, lon, lat) < 90 && !road.reserved.has(n)) return n;
    }
    return null;
  }

  randomFlat(compound?: Compound): Extract<Place, { kind: "flat" }> {
    const rng = this.rng;
    const c = compound ?? rng.pick(this.city.compounds);
    const building = 1 + rng.int(c.buildings.length);
    const spec = c.buildings[building - 1]!;
    const floor = 1 + rng.int(spec.floors);
    return {
      kind: "flat",
      compound: c,
      building,
      unit: 1 + rng.int(spec.units),
      room: floor * 100 + 1 + rng.int(spec.roomsPerFloor),
    };
  }

  randomRoadNumber(): Extract<Place, { kind: "road" }> {
    const rng = this.rng;
    for (;;) {
      const road = rng.pick(this.city.roads);
      const number = between(rng, 1, road.maxNumber);
      if (!road.reserved.has(number)) return { kind: "road", road, number };
    }
  }

  /** A background place for a kind's place spec; some picks come from hot spots. */
  place(spec: PlaceSpec): Place | null {
    const rng = this.rng;
    const city = this.city;
    switch (spec) {
      case "none":
        return null;
      case "flat":
        return chance(rng, 0.03) ? rng.pick(this.hotFlats) : this.randomFlat();
      case "building": {
        const c = chance(rng, 0.1) ? rng.pick(this.hotCompounds) : rng.pick(city.compounds);
        return { kind: "building", compound: c, building: 1 + rng.int(c.buildings.length) };
      }
      case "compound":
        return {
          kind: "compound",
          compound: chance(rng, 0.1) ? rng.pick(this.hotCompounds) : rng.pick(city.compounds),
        };
      case "road":
        return chance(rng, 0.08) ? rng.pick(this.hotRoads) : this.randomRoadNumber();
      case "cross":
        return {
          kind: "cross",
          crossing: chance(rng, 0.4) ? rng.pick(this.hotCrossings) : rng.pick(city.crossings),
        };
      case "market":
      case "school":
      case "hospital":
      case "police":
      case "site":
        return { kind: "poi", poi: rng.pick(city.poisByKind[spec]) };
      default: {
        const shopKind = spec.slice(5);
        const list = city.shopsByKind.get(shopKind as never) ?? city.poisByKind.shop;
        if (chance(rng, 0.1)) {
          const hot = this.hotShops.filter((p) => p.shopKind === shopKind);
          if (hot.length > 0) return { kind: "poi", poi: rng.pick(hot) };
        }
        return { kind: "poi", poi: rng.pick(list) };
      }
    }
  }
}
