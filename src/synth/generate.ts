import gcoordModule from "gcoord";
import { DEPARTMENT_LABELS, type Random, SUBTYPE_LABELS, seededRandom } from "../domain/index.ts";
import { CATEGORY_LABELS } from "../domain/labels.ts";
import type { RepeatDefinitions } from "../repeat/definitions.ts";
import { DEFAULT_DEFINITIONS } from "../repeat/definitions.ts";
import { DEFAULT_ADDRESS_STYLE, narrativePlace, renderAddress } from "./address.ts";
import { HOURS, KINDS, type Kind, makeSay, REPEAT_REPORT_KIND, WEEKDAY_VOLUME } from "./catalogue.ts";
import { type City, cityForIncidents, offsetPoint, placePoint, placeStation } from "./city.ts";
import { COL, type SynthRow } from "./columns.ts";
import { callerLandline, callerMobile, formatPhone } from "./identifiers.ts";
import { CITY_CODE } from "./names.ts";
import { type PlantedName, plantProblems } from "./planted.ts";
import { between, chance, draw, logNormal, normal, type Weighted, weighted } from "./rng.ts";
import { LocalTimeFormat, localMidnight, localWeekday } from "./time.ts";
import { computeTruth, type SynthTruth, TruthRecorder } from "./truth.ts";
import { type Call, World } from "./world.ts";

/**
 * The synthetic city's 110 export, generated day by day: each batch is one local day of rows in
 * time order, so a million rows never sit in memory at once. The generator's return value (after
 * the last batch) is the truth, computed from the true events, places and callers.
 */

export interface GenerateOptions {
  /** Number of rows (calls). */
  readonly incidents: number;
  readonly seed: number;
  /** First local day, `YYYY-MM-DD` (Asia/Shanghai). */
  readonly start?: string;
  readonly days?: number;
  /** Rule definitions the truth is computed with; the repeat engine's defaults unless given. */
  readonly definitions?: RepeatDefinitions;
  readonly city?: City;
}

export interface GenerationSummary {
  readonly planted: Readonly<Record<PlantedName, number>>;
}

export const DEFECT_CODES = [
  "missing_address",
  "empty_narrative",
  "missing_disposition",
  "wrong_category",
  "arrival_before_dispatch",
  "future_time",
  "coords_outside",
  "late_feedback",
] as const;
export type DefectCode = (typeof DEFECT_CODES)[number];

/** Cumulative per-call probabilities of the injected defects (about 3.6 % of background calls). */
const DEFECT_RATES: readonly (readonly [DefectCode, number])[] = [
  ["missing_address", 0.006],
  ["empty_narrative", 0.004],
  ["missing_disposition", 0.005],
  ["wrong_category", 0.007],
  ["arrival_before_dispatch", 0.004],
  ["future_time", 0.002],
  ["coords_outside", 0.004],
  ["late_feedback", 0.004],
];

/** Points far outside the city (other cities), for coords_outside. */
const ELSEWHERE: readonly (readonly [number, number])[] = [
  [116.397, 39.909],
  [113.264, 23.129],
  [104.066, 30.657],
  [120.155, 30.274],
  [121.473, 31.23],
];

/** A local copy of the column positions: imported bindings become getters when tsx compiles to CommonJS. */
const F = { ...COL };

/** gcoord is CommonJS: under NodeNext its default import is typed as the module namespace. */
const gcoord = gcoordModule as unknown as (typeof gcoordModule)["default"];

const MINUTE = 60_000;
const TEN_YEARS = 3653 * 86_400_000;

/** Normalises options once at the entry. */
function normalise(options: GenerateOptions): Required<Omit<GenerateOptions, "city" | "definitions">> & {
  city: City;
  definitions: RepeatDefinitions;
} {
  const incidents = Math.floor(options.incidents);
  if (!Number.isFinite(incidents) || incidents < 1)
    throw new RangeError("incidents must be a positive integer");
  const days = Math.floor(options.days ?? 365);
  if (!Number.isFinite(days) || days < 1 || days > 3660)
    throw new RangeError("days must be between 1 and 3660");
  return {
    incidents,
    seed: options.seed >>> 0,
    start: options.start ?? "2024-01-01",
    days,
    city: options.city ?? cityForIncidents(incidents),
    definitions: options.definitions ?? DEFAULT_DEFINITIONS,
  };
}

/** Calls per day: weekday volume, a mild summer peak, summing exactly to the total. */
function dayQuotas(total: number, startMs: number, days: number): number[] {
  const weights: number[] = [];
  for (let d = 0; d < days; d++) {
    const at = startMs + d * 86_400_000;
    const season = 1 + 0.12 * Math.sin(((d % 365) / 365) * 2 * Math.PI - Math.PI / 2);
    weights.push(WEEKDAY_VOLUME[localWeekday(at)]! * season);
  }
  const sum = weights.reduce((a, b) => a + b, 0);
  const quotas: number[] = [];
  let acc = 0;
  let given = 0;
  for (const w of weights) {
    acc += (w / sum) * total;
    const q = Math.round(acc) - given;
    quotas.push(q);
    given += q;
  }
  return quotas;
}

interface Tables {
  readonly weekday: Weighted<Kind>;
  readonly weekend: Weighted<Kind>;
  readonly hours: Readonly<Record<string, Weighted<number>>>;
  readonly places: ReadonlyMap<Kind, Weighted<string>>;
}

function tables(): Tables {
  const hours: Record<string, Weighted<number>> = {};
  for (const [name, profile] of Object.entries(HOURS))
    hours[name] = weighted(profile.map((w, h) => [h, w] as const));
  return {
    weekday: weighted(KINDS.map((k) => [k, k.weight] as const)),
    weekend: weighted(KINDS.map((k) => [k, k.weight * k.weekend] as const)),
    hours,
    places: new Map(KINDS.map((k) => [k, weighted(k.places)])),
  };
}

/** The row renderer: everything a call-taker and the dispatch system write about one call. */
class Renderer {
  private readonly fmt = new LocalTimeFormat();

  constructor(
    private readonly rng: Random,
    private readonly city: City,
    private readonly seed: number,
  ) {}

  private time(ms: number | null): string {
    return ms === null ? "" : this.fmt.format(ms);
  }

  phone(caller: number): string {
    if (caller < 0) return "";
    // One caller in ten calls from a landline; which one is fixed by the caller index.
    const landline = (caller * 2_654_435_761) % 10 === 0;
    const number = landline
      ? callerLandline(caller, this.seed % 1000)
      : callerMobile(caller, this.seed % 1000);
    return formatPhone(this.rng, number, landline);
  }

  render(call: Call, sourceId: string, recorded: Kind, defect: DefectCode | null): SynthRow {
    const rng = this.rng;
    const place = call.place;
    const row: SynthRow = new Array(20).fill("");
    row[F.sourceId] = sourceId;
    row[F.received] = this.fmt.format(call.at);
    row[F.phone] = this.phone(call.caller);

    // Times by response: dispatched units arrive in 5-15 min in town, longer in the county.
    const response = call.followUp ? "desk" : call.kind.response;
    const jurisdiction = place ? placeStation(place) : null;
    const accepted =
      response === "none" && chance(rng, 0.03)
        ? null
        : call.at + 1000 * clamp(logNormal(rng, 7, 0.6), 1, 180);
    let dispatched: number | null = null;
    let arrived: number | null = null;
    let closed: number | null = null;
    const base = accepted ?? call.at;
    if (response === "police" || (response === "desk" && !call.followUp && chance(rng, 0.12))) {
      dispatched = base + 1000 * clamp(logNormal(rng, 95, 0.4), 15, 900);
      if (chance(rng, response === "police" ? 0.93 : 0.8)) {
        const median = jurisdiction?.station.district.spec.suburban ? 1100 : 560;
        arrived = dispatched + 1000 * clamp(logNormal(rng, median, 0.35), 120, 5400);
      }
      closed = (arrived ?? dispatched) + 1000 * clamp(logNormal(rng, 2400, 0.6), 300, 6 * 3600);
    } else if (response === "desk") {
      closed = base + 1000 * clamp(logNormal(rng, 600, 0.8), 30, 4 * 3600);
    } else if (chance(rng, 0.9)) {
      closed = base + 1000 * clamp(logNormal(rng, 120, 0.7), 10, 3600);
    }

    // Category as recorded.
    const labels = kindLabels(recorded);
    row[F.category] = labels[0];
    row[F.subtype] = labels[1];
    row[F.department] = labels[2];

    // Place, coordinates, jurisdiction.
    let lon: number | null = null;
    let lat: number | null = null;
    let station = jurisdiction;
    if (place) {
      row[F.address] = renderAddress(rng, place, DEFAULT_ADDRESS_STYLE, station?.station);

      // Mobile positioning: most calls carry a position, every call of a multi-call event does.
      if (call.shared || chance(rng, 0.82)) {
        const [x, y] = placePoint(place);
        [lon, lat] = offsetPoint(x, y, normal(rng) * 20, normal(rng) * 20);
      }
    } else {
      row[F.address] = chance(rng, 0.7) ? "" : "不详";
      const s = rng.pick(this.city.stations);
      if (chance(rng, 0.3)) {
        // Positioned by the network only: a cell-sized error around a point of the station.
        [lon, lat] = offsetPoint(s.lon, s.lat, normal(rng) * 400, normal(rng) * 400);
      }
      station = { station: s, area: rng.pick(s.areas) };
    }
    if (lon !== null && lat !== null) {
      // Datum as the positioning source reports it: map apps GCJ-02, GPS WGS-84, Baidu BD-09.
      const r = rng.next();
      if (r < 0.82) {
        row[F.datum] = "GCJ02";
      } else if (r < 0.97) {
        [lon, lat] = gcoord.transform([lon, lat], gcoord.GCJ02, gcoord.WGS84) as [number, number];
        row[F.datum] = "WGS84";
      } else {
        [lon, lat] = gcoord.transform([lon, lat], gcoord.GCJ02, gcoord.BD09) as [number, number];
        row[F.datum] = "BD09";
      }
      row[F.lon] = lon.toFixed(6);
      row[F.lat] = lat.toFixed(6);
    }
    if (station) {
      row[F.branch] = station.station.district.spec.branch;
      row[F.station] = station.station.name;
      row[F.area] = chance(rng, 0.9) ? station.area.name : "";
    }

    // Narrative, disposition, feedback.
    const say = makeSay(rng, place ? narrativePlace(place) : "", call.at);
    if (recorded === REPEAT_REPORT_KIND) {
      row[F.narrative] = `重复报警：报警人称${say.at}${call.kind.short}，与前警系同一事件，前警已派警处置。`;
      row[F.disposition] = rng.pick(REPEAT_REPORT_KIND.dispositions);
      row[F.feedback] = "同一警情重复报警，已并入前警处置。";
    } else {
      row[F.narrative] = (call.narrative ?? rng.pick(call.kind.narratives))(say);
      row[F.disposition] = call.followUp ? "已处置" : rng.pick(call.kind.dispositions);
      row[F.feedback] = call.followUp
        ? "同一事件多人报警，已派警到场处置。"
        : rng.pick(call.kind.feedback)(say);
    }

    // Typing habits that exercise CSV quoting: a half-width comma, straight quotes, a line break.
    const habit = rng.next();
    if (habit < 0.01) row[F.narrative] = row[F.narrative]!.replace("，", ",");
    else if (habit < 0.013) row[F.narrative] = row[F.narrative]!.replace(/称/, '称"') + '"';
    else if (habit < 0.023) row[F.feedback] = `${row[F.feedback]}\n已电话回访报警人。`;

    // Injected defects.
    switch (defect) {
      case "missing_address":
        row[F.address] = "";
        lon = null;
        row[F.lon] = "";
        row[F.lat] = "";
        row[F.datum] = "";
        break;
      case "empty_narrative":
        row[F.narrative] = "";
        break;
      case "missing_disposition":
        row[F.disposition] = "";
        break;
      case "arrival_before_dispatch":
        if (dispatched !== null) arrived = dispatched - MINUTE * between(rng, 2, 20);
        break;
      case "future_time":
        closed = (closed ?? call.at) + TEN_YEARS;
        break;
      case "coords_outside": {
        const [x, y] = rng.pick(ELSEWHERE);
        row[F.lon] = (x + normal(rng) * 0.01).toFixed(6);
        row[F.lat] = (y + normal(rng) * 0.01).toFixed(6);
        row[F.datum] = "GCJ02";
        break;
      }
      case "late_feedback":
        closed = call.at + 86_400_000 * between(rng, 3, 30) + rng.int(86_400) * 1000;
        break;
      default:
        break;
    }
    row[F.accepted] = this.time(accepted);
    row[F.dispatched] = this.time(dispatched);
    row[F.arrived] = this.time(arrived);
    row[F.feedbackAt] = this.time(closed);
    return row;
  }
}

const labelCache = new Map<Kind, readonly [string, string, string]>();

/** 警情类别, 警情细类 and 处置部门 of a kind, in Chinese (cached: looked up once per kind). */
function kindLabels(kind: Kind): readonly [string, string, string] {
  let labels = labelCache.get(kind);
  if (!labels) {
    labels = [
      CATEGORY_LABELS[kind.category].zh,
      SUBTYPE_LABELS[`${kind.category}.${kind.subtype}`]?.zh ?? "",
      kind.department ? DEPARTMENT_LABELS[kind.department].zh : "",
    ];
    labelCache.set(kind, labels);
  }
  return labels;
}

function clamp(v: number, min: number, max: number): number {
  return Math.round(Math.min(max, Math.max(min, v)));
}

/** Which defect (if any) a call gets, and whether the call can carry it. */
function pickDefect(rng: Random, call: Call): DefectCode | null {
  if (call.planted) return null;
  const r = rng.next();
  let acc = 0;
  for (const [code, p] of DEFECT_RATES) {
    acc += p;
    if (r < acc) {
      if (code === "missing_address" && !call.place) return null;
      if (code === "arrival_before_dispatch" && (call.followUp || call.kind.response !== "police"))
        return null;
      return code;
    }
  }
  return null;
}

/**
 * Generates the export of the synthetic city, one local day per batch, in time order.
 * @example
 * const gen = generateCity({ incidents: 1000, seed: 7 });
 * for (let r = gen.next(); !r.done; r = gen.next()) write(csvText(r.value));
 * // r.value (when done) is the truth
 */
export function* generateCity(
  options: GenerateOptions,
): Generator<SynthRow[], SynthTruth & GenerationSummary> {
  const o = normalise(options);
  const rng = seededRandom(o.seed);
  const startMs = localMidnight(o.start);
  const world = new World(o.definitions, rng, o.city, startMs, o.days, o.incidents / 10_000);
  const planted = plantProblems(world, o.incidents);
  let plantedCalls = 0;
  for (const b of world.buckets) plantedCalls += b.length;
  // Tiny requests: drop planted calls beyond the requested total, latest days first.
  for (let d = o.days - 1; d >= 0 && plantedCalls > o.incidents; d--) {
    const bucket = world.buckets[d]!;
    while (bucket.length > 0 && plantedCalls > o.incidents) {
      bucket.pop();
      plantedCalls--;
    }
  }
  const quotas = dayQuotas(o.incidents - plantedCalls, startMs, o.days);
  const t = tables();
  const renderer = new Renderer(rng, o.city, o.seed);
  const fmt = new LocalTimeFormat();
  let seqDigits = 5;
  for (const q of quotas) if (q * 1.2 + 1000 >= 100_000) seqDigits = 6;
  // 接警单号: J + city code + local date + daily sequence; packed as day * 1e6 + sequence.
  const dayLabels = Array.from({ length: o.days }, (_, d) =>
    fmt.date(startMs + d * 86_400_000).replaceAll("-", ""),
  );
  const sourceId = (packed: number): string =>
    `J${CITY_CODE}${dayLabels[Math.floor(packed / 1e6)]}${String(packed % 1e6).padStart(seqDigits, "0")}`;
  const recorder = new TruthRecorder(sourceId);

  for (let day = 0; day < o.days; day++) {
    const dayStart = startMs + day * 86_400_000;
    const weekend = localWeekday(dayStart) >= 5;
    const table = weekend ? t.weekend : t.weekday;
    let made = 0;
    const quota = quotas[day]!;
    while (made < quota) {
      const k = draw(rng, table);
      const hour = draw(rng, t.hours[k.hours]!);
      const at = dayStart + hour * 3_600_000 + rng.int(3600) * 1000;
      const place = world.place(draw(rng, t.places.get(k)!) as never);
      let n = 1;
      if (k.duplicates.p > 0 && chance(rng, k.duplicates.p)) n = between(rng, 2, k.duplicates.max);
      n = Math.min(n, quota - made);
      const first = world.backgroundCaller();
      const callers = [first];
      for (let i = 1; i < n; i++) callers.push(chance(rng, 0.2) ? first : world.backgroundCaller());
      world.addEvent(Math.min(at, world.endMs - 3_600_000), k, place, callers);
      made += n;
    }
    const calls = world.buckets[day]!;
    world.buckets[day] = [];
    calls.sort((a, b) => a.at - b.at);
    const rows: SynthRow[] = [];
    calls.forEach((call, i) => {
      const packed = day * 1e6 + i + 1;
      const id = sourceId(packed);
      const defect = pickDefect(rng, call);
      let recorded = call.kind;
      if (call.followUp && chance(rng, 0.35)) recorded = REPEAT_REPORT_KIND;
      if (defect === "wrong_category") {
        let other = draw(rng, t.weekday);
        while (other.category === call.kind.category) other = draw(rng, t.weekday);
        recorded = other;
      }
      rows.push(renderer.render(call, id, recorded, defect));
      recorder.call(packed, call.event, call.caller);
      if (defect) recorder.defect(id, defect);
    });
    yield rows;
  }
  return { ...computeTruth(world.events, recorder, o.definitions), planted };
}
