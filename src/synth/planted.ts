import { narrativePlace } from "./address.ts";
import { kind, type Template } from "./catalogue.ts";
import type { Place, Poi } from "./city.ts";
import { between, chance } from "./rng.ts";
import type { World } from "./world.ts";

/**
 * Planted recurring problems, scaled with the number of incidents (docs/synthetic-city.md):
 * noise at one flat, a family dispute that escalates to assault, unpaid wages at a building
 * site reported from several places by several workers, a shop with repeated consumer
 * disputes, a property-management dispute, hot spots, and repeat callers (a lonely elderly
 * person, a person with mental-health needs, prank, harassment and silent callers).
 */

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** How many of each problem per 10,000 incidents; `always` ones exist from 1,000 incidents up. */
export const PLANTED_RATES = {
  noise: { per10k: 3, always: true },
  family: { per10k: 1.5, always: true },
  wages: { per10k: 0.8, always: true },
  consumer: { per10k: 0.8, always: true },
  property: { per10k: 0.5, always: false },
  elderly: { per10k: 1, always: true },
  mental: { per10k: 0.5, always: true },
  prank: { per10k: 0.7, always: true },
  harassment: { per10k: 0.5, always: false },
  silent: { per10k: 0.5, always: false },
  hotspot: { per10k: 2, always: false },
} as const;

export type PlantedName = keyof typeof PLANTED_RATES;

export function plantedCount(name: PlantedName, incidents: number): number {
  const rate = PLANTED_RATES[name];
  const n = Math.round((rate.per10k * incidents) / 10_000);
  return rate.always && incidents >= 1000 ? Math.max(1, n) : n;
}

/** Event times: `count` days within `span` days from a random start, at hours drawn from [from, to). */
function schedule(w: World, count: number, spanDays: number, fromHour: number, toHour: number): number[] {
  const span = Math.min(spanDays, w.days);
  const startDay = w.rng.int(Math.max(1, w.days - span + 1));
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const day = startDay + w.rng.int(span);
    const hour = fromHour + w.rng.next() * (toHour - fromHour);
    const at = w.startMs + day * DAY + Math.floor(hour * HOUR) + w.rng.int(60) * 1000;
    times.push(Math.min(at, w.endMs - HOUR));
  }
  return times.sort((a, b) => a - b);
}

function urbanFlat(w: World): Extract<Place, { kind: "flat" }> {
  for (;;) {
    const flat = w.randomFlat();
    if (!flat.compound.station.district.spec.suburban || chance(w.rng, 0.2)) return flat;
  }
}

function noiseFlat(w: World): void {
  const place = urbanFlat(w);
  const neighbours = Array.from({ length: between(w.rng, 1, 3) }, () => w.newCaller());
  for (const at of schedule(w, between(w.rng, 4, 10), between(w.rng, 14, 40), 20.5, 25.5)) {
    const main = w.rng.next() < 0.7 ? neighbours[0]! : w.rng.pick(neighbours);
    const callers = chance(w.rng, 0.12) ? [main, w.rng.pick(neighbours)] : [main];
    w.addEvent(at, kind("public_order.noise"), place, callers, { planted: true });
  }
}

function familyEscalation(w: World): void {
  const home = urbanFlat(w);
  const mothersHome = w.randomFlat();
  const wife = w.newCaller();
  const neighbour = w.newCaller();
  const mother = w.newCaller();
  const matter = w.newMatter();
  const disputes = between(w.rng, 2, 4);
  const violence = between(w.rng, 1, 2);
  const times = schedule(w, disputes + violence + 1, between(w.rng, 25, 50), 18, 23.5);
  times.forEach((at, i) => {
    if (i < disputes) {
      w.addEvent(at, kind("dispute.family"), home, [chance(w.rng, 0.75) ? wife : neighbour], {
        matter,
        planted: true,
      });
    } else if (i < disputes + violence) {
      const callers = chance(w.rng, 0.4) ? [wife, neighbour] : [chance(w.rng, 0.6) ? wife : neighbour];
      w.addEvent(at, kind("criminal.domestic_violence"), home, callers, {
        matter,
        planted: true,
        nearby: false,
      });
    } else {
      // She fled to her mother's: reported from another place, about the same marriage.
      const text: Template = (s) =>
        `报警人称女儿前几天在家中（${narrativePlace(home)}）被丈夫殴打，现躲在${s.at}不敢回家，请求民警帮助，报警人电话${s.phone()}。`;
      w.addEvent(at, kind("help.victim_help"), mothersHome, [chance(w.rng, 0.5) ? mother : wife], {
        matter,
        planted: true,
        narrative: text,
      });
    }
  });
}

function wages(w: World): void {
  const city = w.city;
  const site = w.rng.pick(city.poisByKind.site);
  const company = w.rng.pick(city.poisByKind.company);
  const office = city.poisByKind.office[0] ?? company;
  const dorm = w.randomRoadNumber();
  const workers = Array.from({ length: between(w.rng, 3, 8) }, () => w.newCaller());
  const matter = w.newMatter();
  const owed = between(w.rng, 8, 60);
  const people = between(w.rng, 5, 30);
  for (const at of schedule(w, between(w.rng, 4, 9), between(w.rng, 20, 45), 8, 17.5)) {
    const r = w.rng.next();
    const place: Place =
      r < 0.6
        ? { kind: "poi", poi: site }
        : r < 0.8
          ? { kind: "poi", poi: company }
          : r < 0.9
            ? { kind: "poi", poi: office }
            : dorm;
    const text: Template = (s) =>
      r < 0.6
        ? `报警人称在${site.name}务工，包工头拖欠${people}名工人工资共计${owed}万元，工人聚集讨薪，要求民警到场协调，报警人电话${s.phone()}。`
        : `报警人称其在${site.name}干活，${company.name}拖欠工资${s.money(6000, 40000)}元至今未付，现在${s.at}讨要工资无果。`;
    const n = chance(w.rng, 0.3) ? between(w.rng, 2, 4) : 1;
    const callers = Array.from({ length: n }, () => w.rng.pick(workers));
    w.addEvent(at, kind("dispute.labour"), place, callers, {
      matter,
      planted: true,
      narrative: text,
      nearby: false,
    });
  }
}

function shopWith(w: World, kinds: readonly string[]): Poi {
  const shops = w.city.poisByKind.shop.filter((p) => p.shopKind && kinds.includes(p.shopKind));
  return w.rng.pick(shops.length > 0 ? shops : w.city.poisByKind.shop);
}

function consumerShop(w: World): void {
  const place: Place = {
    kind: "poi",
    poi: shopWith(w, ["phone", "gym", "clothes", "barber", "supermarket"]),
  };
  for (const at of schedule(w, between(w.rng, 4, 9), between(w.rng, 20, 50), 10, 21)) {
    w.addEvent(at, kind("dispute.consumer"), place, [w.newCaller()], { planted: true });
  }
}

function propertyDispute(w: World): void {
  const place: Place = { kind: "compound", compound: w.rng.pick(w.city.compounds) };
  const residents = Array.from({ length: between(w.rng, 2, 5) }, () => w.newCaller());
  for (const at of schedule(w, between(w.rng, 3, 6), between(w.rng, 20, 50), 8, 21)) {
    w.addEvent(at, kind("dispute.property_mgmt"), place, [w.rng.pick(residents)], { planted: true });
  }
}

function elderly(w: World): void {
  const place = w.randomFlat();
  const caller = w.newCaller();
  for (const at of schedule(w, between(w.rng, 8, 30), between(w.rng, 60, 150), 7, 20)) {
    w.addEvent(at, kind("help.elderly"), place, [caller], { planted: true });
  }
}

function mentalHealth(w: World): void {
  const home = w.randomFlat();
  const caller = w.newCaller();
  for (const at of schedule(w, between(w.rng, 6, 20), between(w.rng, 40, 100), 0, 24)) {
    if (chance(w.rng, 0.8)) {
      w.addEvent(at, kind("help.mental_health"), home, [caller], { planted: true });
    } else {
      const text: Template = (s) => `报警人称有可疑人员在${s.at}跟踪监视他，形迹可疑，要求民警保护。`;
      w.addEvent(at, kind("public_order.suspicious"), w.randomRoadNumber(), [caller], {
        planted: true,
        narrative: text,
      });
    }
  }
}

function repeatInvalid(w: World, code: string, min: number, max: number, span: number): void {
  const caller = w.newCaller();
  const [from, to] = code === "invalid.harassment" ? [19, 27] : [0, 24];
  for (const at of schedule(w, between(w.rng, min, max), span, from, to)) {
    w.addEvent(at, kind(code), null, [caller], { planted: true });
  }
}

function hotSpot(w: World): void {
  const violent = chance(w.rng, 0.5);
  const place: Place = violent
    ? { kind: "poi", poi: shopWith(w, ["bar", "ktv", "bbq", "netcafe"]) }
    : { kind: "poi", poi: shopWith(w, ["supermarket", "convenience", "phone"]) };
  const code = violent ? "public_order.fight" : "criminal.theft";
  for (const at of schedule(
    w,
    between(w.rng, 3, 7),
    between(w.rng, 15, 30),
    violent ? 19 : 9,
    violent ? 26 : 21,
  )) {
    const callers = violent && chance(w.rng, 0.2) ? [w.newCaller(), w.newCaller()] : [w.newCaller()];
    w.addEvent(at, kind(code), place, callers, { planted: true });
  }
}

/** Plants every problem for `incidents` rows; returns how many of each were planted. */
export function plantProblems(w: World, incidents: number): Record<PlantedName, number> {
  const counts = {} as Record<PlantedName, number>;
  const plan: [PlantedName, () => void][] = [
    ["noise", () => noiseFlat(w)],
    ["family", () => familyEscalation(w)],
    ["wages", () => wages(w)],
    ["consumer", () => consumerShop(w)],
    ["property", () => propertyDispute(w)],
    ["elderly", () => elderly(w)],
    ["mental", () => mentalHealth(w)],
    ["prank", () => repeatInvalid(w, "invalid.prank", 5, 20, between(w.rng, 20, 60))],
    ["harassment", () => repeatInvalid(w, "invalid.harassment", 10, 40, between(w.rng, 15, 40))],
    ["silent", () => repeatInvalid(w, "invalid.silent", 5, 15, between(w.rng, 10, 25))],
    ["hotspot", () => hotSpot(w)],
  ];
  for (const [name, plant] of plan) {
    const n = plantedCount(name, incidents);
    counts[name] = n;
    for (let i = 0; i < n; i++) plant();
  }
  return counts;
}
