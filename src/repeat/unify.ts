import { type CallColumns, keyId, keyLabel, levelIndex } from "./columns.ts";
import { siteNameFromAddress } from "./places.ts";

const POI = levelIndex("poi");
const BUILDING = levelIndex("building");
const UNIT = levelIndex("unit");
const ROOM = levelIndex("room");
const ROAD = levelIndex("road");
const CROSS = levelIndex("cross");

/**
 * One building-level place per shop, site or street number (docs/repeat.md "Same place"): a
 * shop is written "人民大道91号小芳烧烤店", "小芳烧烤店" or "人民大道91号", so its calls carry a
 * road key, a POI key or both, and the parser leaves the building key empty. Keys that occur
 * together in one call are the same place, so they are joined (union-find) and every call gets
 * the joined key at building level. A POI that has buildings of its own (a residential
 * compound: keys ".../b3") is never joined: its calls keep their building keys.
 * Rewrites `columns.keys[building]` in place; returns how many calls got a building key they lacked.
 */
export function unifyBuildingKeys(columns: CallColumns): number {
  const n = columns.length;
  const dict = columns.dict;
  const poi = columns.keys[POI]!;
  const building = columns.keys[BUILDING]!;
  const road = columns.keys[ROAD]!;
  const cross = columns.keys[CROSS]!;
  const buildings = dict.keys[BUILDING]!;
  const roadAsBuilding = new Int32Array(dict.keys[ROAD]!.size).fill(-1);
  // A compound has buildings: at least two different building keys under one POI. (A shop parsed
  // with its street number as a "building" has one.)
  const firstBuilding = new Int32Array(dict.keys[POI]!.size).fill(-1);
  const poiHasBuildings = new Uint8Array(dict.keys[POI]!.size);
  for (let i = 0; i < n; i++) {
    const p = poi[i]!;
    const b = building[i]!;
    if (p >= 0 && b >= 0 && !poiHasBuildings[p]) {
      if (firstBuilding[p] === -1) firstBuilding[p] = b;
      else if (firstBuilding[p] !== b) poiHasBuildings[p] = 1;
    }
    const r = road[i]!;
    if (r >= 0 && roadAsBuilding[r] === -1) {
      const key = dict.keys[ROAD]!.values[r]!;
      roadAsBuilding[r] = buildings.intern(key);
      if (roadAsBuilding[r]! >= dict.labels[BUILDING]!.length)
        dict.labels[BUILDING]!.push(keyLabel(dict, ROAD, r));
    }
  }
  // A crossing is a place of its own at building level (traffic accidents, fights in the street).
  const crossAsBuilding = new Int32Array(dict.keys[CROSS]!.size).fill(-1);
  for (let c = 0; c < crossAsBuilding.length; c++) {
    crossAsBuilding[c] = buildings.intern(dict.keys[CROSS]!.values[c]!);
    if (crossAsBuilding[c]! >= dict.labels[BUILDING]!.length)
      dict.labels[BUILDING]!.push(keyLabel(dict, CROSS, c));
  }
  const poiAsBuilding = new Int32Array(dict.keys[POI]!.size).fill(-1);
  for (let p = 0; p < poiAsBuilding.length; p++) {
    if (poiHasBuildings[p]) continue;
    poiAsBuilding[p] = buildings.intern(`P|${dict.keys[POI]!.values[p]!}`);
    if (poiAsBuilding[p]! >= dict.labels[BUILDING]!.length)
      dict.labels[BUILDING]!.push(keyLabel(dict, POI, p));
  }
  const parent = new Int32Array(buildings.size);
  for (let b = 0; b < parent.length; b++) parent[b] = b;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  const union = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    // The smaller id wins: keys written as such (building, road) come before POI stand-ins.
    if (ra < rb) parent[rb] = ra;
    else if (rb < ra) parent[ra] = rb;
  };
  for (let i = 0; i < n; i++) {
    const b = building[i]!;
    const r = road[i]! >= 0 ? roadAsBuilding[road[i]!]! : -1;
    const p = poi[i]! >= 0 ? poiAsBuilding[poi[i]!]! : -1;
    // A compound's building keys stand alone; a street number and a shop name written together join.
    if (b >= 0 && poi[i]! >= 0 && poiHasBuildings[poi[i]!]) continue;
    const first = b >= 0 ? b : r >= 0 ? r : p;
    if (first < 0) continue;
    if (r >= 0 && r !== first) union(first, r);
    if (p >= 0 && p !== first) union(first, p);
  }
  let filled = 0;
  for (let i = 0; i < n; i++) {
    const b = building[i]!;
    const compound = b >= 0 && poi[i]! >= 0 && poiHasBuildings[poi[i]!];
    if (compound) continue;
    const r = road[i]! >= 0 ? roadAsBuilding[road[i]!]! : -1;
    const p = poi[i]! >= 0 ? poiAsBuilding[poi[i]!]! : -1;
    const x = cross[i]! >= 0 ? crossAsBuilding[cross[i]!]! : -1;
    const any = b >= 0 ? b : r >= 0 ? r : p >= 0 ? p : x;
    if (any < 0) continue;
    if (b < 0) filled++;
    building[i] = find(any);
  }
  return filled;
}

/**
 * One POI per building site, named as written (docs/repeat.md "Same place"): an address parser
 * reads "春华1号地块项目工地" as building 1 of a compound "春华", so two plots named after one
 * district become one place and a site loses its name to a county's ("紫金半岛…" read as 紫金县).
 * Calls whose address names a site get the site's POI key and no building, unit or room key (the
 * street number written with it still joins at building level, see `unifyBuildingKeys`); the
 * site's name is added to `poiNames` so that narratives naming it are found.
 * Rewrites `columns.keys` in place; returns how many calls got a site key.
 * @example
 * siteKeysFromAddresses(builder.columns(), builder.address, builder.poiNames)
 */
export function siteKeysFromAddresses(
  columns: CallColumns,
  addresses: readonly (string | null | undefined)[],
  poiNames: string[],
): number {
  const dict = columns.dict;
  const pois = dict.keys[POI]!;
  const names = new Set(poiNames);
  const siteOf = new Map<string, number>();
  let changed = 0;
  const n = Math.min(columns.length, addresses.length);
  for (let i = 0; i < n; i++) {
    const address = addresses[i];
    if (!address?.includes("工地")) continue;
    let site = siteOf.get(address);
    if (site === undefined) {
      const name = siteNameFromAddress(address);
      site = -1;
      if (name) {
        const key = `Z::${name}`;
        site = keyId(dict, POI, key);
        if (site < 0) {
          site = pois.intern(dict.resolver ? dict.resolver.resolve(key) : key);
          dict.labels[POI]!.push(key);
        }
        if (!names.has(name)) {
          names.add(name);
          poiNames.push(name);
        }
      }
      siteOf.set(address, site);
    }
    if (site < 0) continue;
    columns.keys[POI]![i] = site;
    columns.keys[BUILDING]![i] = -1;
    columns.keys[UNIT]![i] = -1;
    columns.keys[ROOM]![i] = -1;
    changed++;
  }
  return changed;
}
