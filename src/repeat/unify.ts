import { type CallColumns, keyLabel, levelIndex } from "./columns.ts";

const POI = levelIndex("poi");
const BUILDING = levelIndex("building");
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
