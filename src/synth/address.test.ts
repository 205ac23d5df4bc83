import { describe, expect, test } from "vitest";
import { seededRandom } from "../domain/index.ts";
import { DEFAULT_DEFINITIONS } from "../repeat/definitions.ts";
import { renderAddress } from "./address.ts";
import { defaultCity, type Place, placeKeys } from "./city.ts";
import { World } from "./world.ts";

const city = defaultCity();
const rng = seededRandom(99);
const world = new World(DEFAULT_DEFINITIONS, rng, city, 0, 30, 1);

function finest(place: Place): string {
  const k = placeKeys(place);
  return k.room ?? k.unit ?? k.building ?? k.poi ?? k.road ?? k.cross ?? "";
}

function samplePlaces(n: number): Place[] {
  const places: Place[] = [];
  for (let i = 0; i < n; i++) {
    const r = rng.next();
    if (r < 0.35) places.push(world.randomFlat());
    else if (r < 0.45) places.push(world.place("building")!);
    else if (r < 0.55) places.push(world.place("compound")!);
    else if (r < 0.7) places.push({ kind: "poi", poi: rng.pick(city.pois) });
    else if (r < 0.85) places.push(world.randomRoadNumber());
    else places.push({ kind: "cross", crossing: rng.pick(city.crossings) });
  }
  // Neighbouring flats of one building: the hardest case for identical texts.
  const c = city.compounds[0]!;
  for (let u = 1; u <= c.buildings[0]!.units; u++)
    for (const room of [101, 102, 201, 202, 1101])
      places.push({ kind: "flat", compound: c, building: 1, unit: u, room });
  return places;
}

describe("renderAddress", () => {
  test("two different true places never give the same text", () => {
    const owner = new Map<string, string>();
    const clashes: string[] = [];
    for (const place of samplePlaces(4000)) {
      const key = finest(place);
      for (let i = 0; i < 12; i++) {
        const text = renderAddress(rng, place);
        const previous = owner.get(text);
        if (previous !== undefined && previous !== key) clashes.push(`${text}: ${previous} vs ${key}`);
        owner.set(text, key);
      }
    }
    expect(owner.size).toBeGreaterThan(20_000);
    expect(clashes).toEqual([]);
  });

  test("one flat is written in many ways", () => {
    const flat = world.randomFlat(city.compounds.find((c) => c.typos.length > 0));
    const texts = new Set(Array.from({ length: 300 }, () => renderAddress(rng, flat)));
    expect(texts.size).toBeGreaterThan(60);
    const all = [...texts].join("\n");
    expect(all).toMatch(/\d+-\d+-\d+/);
    expect(all).toMatch(/[一二三四五六七八九十]+(栋|号楼)/);
    expect(all).toMatch(/[０-９]/);
    expect(all).toMatch(/幢/);
    expect(all).toMatch(/^浙江省澜江市/m);
    expect(texts.has(`${flat.compound.name}${flat.building}栋${flat.unit}单元${flat.room}`)).toBe(true);
    expect([...texts].some((t) => flat.compound.typos.some((typo) => t.includes(typo)))).toBe(true);
  });

  test("intersections are written in either order", () => {
    const crossing = city.crossings[0]!;
    const texts = new Set(Array.from({ length: 200 }, () => renderAddress(rng, { kind: "cross", crossing })));
    expect(texts.has(`${crossing.a.name}与${crossing.b.name}交叉口`)).toBe(true);
    expect(texts.has(`${crossing.b.name}与${crossing.a.name}交叉口`)).toBe(true);
  });

  test("street places are always written with their name", () => {
    for (const poi of city.pois.slice(0, 200)) {
      const text = renderAddress(rng, { kind: "poi", poi }).replace(/[０-９]/g, (d) =>
        String.fromCharCode(d.charCodeAt(0) - 0xfee0),
      );
      expect(text).toContain(poi.name);
    }
  });
});

describe("the city", () => {
  test("compound, street place and road names are unique, and typos name no other place", () => {
    const names = [
      ...city.compounds.map((c) => c.name),
      ...city.pois.map((p) => p.name),
      ...city.roads.map((r) => r.name),
    ];
    expect(new Set(names).size).toBe(names.length);
    const bases = new Set(city.compounds.map((c) => c.base));
    expect(bases.size).toBe(city.compounds.length);
    for (const c of city.compounds) for (const typo of c.typos) expect(bases.has(typo)).toBe(false);
    const typos = city.compounds.flatMap((c) => c.typos);
    expect(new Set(typos).size).toBe(typos.length);
  });

  test("every place lies in the district of its branch", () => {
    for (const c of city.compounds) {
      const d = c.station.district.spec;
      expect(Math.abs(c.lon - d.lon) * 97_070).toBeLessThanOrEqual(d.halfWidthKm * 1000);
      expect(Math.abs(c.lat - d.lat) * 110_900).toBeLessThanOrEqual(d.halfHeightKm * 1000);
    }
  });
});
