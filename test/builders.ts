import {
  asBatchId,
  asEpochMs,
  asIncidentId,
  type Incident,
  type LocationKeys,
  NO_LOCATION,
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
