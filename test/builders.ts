import {
  asBatchId,
  asEpochMs,
  asIncidentId,
  asPseudonym,
  type Incident,
  type LocationKeys,
  NO_LOCATION,
  seededRandom,
} from "../src/domain/index.ts";

let counter = 0;

/** A valid incident with plain defaults; override what the test is about. */
export function makeIncident(
  overrides: Partial<Omit<Incident, "location">> & { location?: Partial<LocationKeys> } = {},
): Incident {
  counter += 1;
  const sourceId = overrides.sourceId ?? `T${String(counter).padStart(8, "0")}`;
  const sourceSystem = overrides.sourceSystem ?? "test";
  const { location, ...rest } = overrides;
  return {
    id: asIncidentId(`${sourceSystem}:${sourceId}`),
    sourceSystem,
    sourceId,
    batchId: asBatchId("batch-test"),
    receivedAt: asEpochMs(Date.UTC(2024, 4, 1, 2, 0, 0)),
    acceptedAt: null,
    dispatchedAt: null,
    arrivedAt: null,
    closedAt: null,
    utcOffsetMin: 480,
    category: "dispute",
    subtype: "neighbour",
    sourceCategory: null,
    department: null,
    address: "临江市滨江区阳光小区3栋2单元501",
    lon: null,
    lat: null,
    datum: null,
    cityUnit: null,
    branchUnit: null,
    stationUnit: null,
    areaUnit: null,
    callerPseudonym: null,
    callerNumberEnc: null,
    narrative: null,
    disposition: null,
    feedback: null,
    ...rest,
    location: { ...NO_LOCATION, ...location },
  };
}

const FLAT_CALL_KINDS = [
  ["public_order", "noise"],
  ["dispute", "neighbour"],
  ["dispute", "family"],
  ["criminal", "theft"],
  ["traffic", "accident"],
] as const;

export interface FlatCallsOptions {
  readonly count: number;
  readonly seed: number;
  /** Time of the first call (epoch ms); each next one comes 0 to `maxGapMinutes` later. */
  readonly start: number;
  readonly maxGapMinutes: number;
  /** Flats the calls come from (busier ones first); 64 to a compound, 8 to a building. */
  readonly flats: number;
  /** Pseudonyms 60% of the calls carry (a few callers call most). */
  readonly callers: number;
  /** Source ids are `${prefix}-${k}`. */
  readonly prefix: string;
  readonly batchId?: string;
}

/**
 * Calls in time order at a few compounds' flats, of a few kinds, some minutes apart, many with
 * a repeat caller: data for repeat-engine properties (incremental = batch, growth, imports).
 */
export function flatCalls(o: FlatCallsOptions): Incident[] {
  const rng = seededRandom(o.seed);
  let t = o.start;
  return Array.from({ length: o.count }, (_, k) => {
    t += Math.floor(rng.next() * o.maxGapMinutes) * 60_000;
    const room = Math.floor(o.flats * rng.next() ** 2);
    const [category, subtype] = FLAT_CALL_KINDS[Math.floor(rng.next() * FLAT_CALL_KINDS.length)]!;
    const building = `P${room >> 6}/b${room >> 3}`;
    return makeIncident({
      sourceId: `${o.prefix}-${k}`,
      ...(o.batchId ? { batchId: asBatchId(o.batchId) } : {}),
      receivedAt: asEpochMs(t),
      category,
      subtype,
      address: null,
      narrative: category === "dispute" ? "楼上邻居半夜吵闹多次协商未果" : null,
      callerPseudonym: rng.next() < 0.6 ? asPseudonym(`p${Math.floor(o.callers * rng.next() ** 2)}`) : null,
      location: {
        poi: `P${room >> 6}`,
        building,
        unit: `${building}/u${room >> 2}`,
        room: `${building}/u${room >> 2}/r${room}`,
      },
    });
  });
}
