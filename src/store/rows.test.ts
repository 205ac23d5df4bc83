import { serialize } from "node:v8";
import { expect, test } from "vitest";
import { makeIncident } from "../../test/builders.ts";
import {
  addressComponentsFromJson,
  addressComponentsJson,
  asEpochMs,
  asIncidentId,
  asPseudonym,
  asUnitCode,
  type Incident,
  NO_LOCATION,
} from "../domain/index.ts";
import { INCIDENT_COLUMNS, pushIncidentValues, rowToIncident, writeIncidentValues } from "./rows.ts";
import type { IncidentTable } from "./schema.ts";

const full = makeIncident({
  receivedAt: asEpochMs(1_714_500_000_000),
  acceptedAt: asEpochMs(1_714_500_001_000),
  dispatchedAt: asEpochMs(1_714_500_002_000),
  arrivedAt: asEpochMs(1_714_500_003_000),
  closedAt: asEpochMs(1_714_500_004_000),
  department: "urban_management",
  subtype: "neighbour",
  sourceCategory: "0401",
  address: "澜东区阳光小区3栋",
  lon: 120.1,
  lat: 30.2,
  datum: "gcj02",
  location: { poi: "p", building: "b", unit: "u", room: "r", road: "rd", cross: "x" },
  cityUnit: asUnitCode("C"),
  branchUnit: asUnitCode("B"),
  stationUnit: asUnitCode("S"),
  areaUnit: asUnitCode("A"),
  callerPseudonym: asPseudonym("c_1"),
  callerNumberEnc: "v1.x",
  narrative: "n",
  disposition: "d",
  feedback: "f",
  addressComponents: addressComponentsJson([
    { label: "district", text: "澜东区" },
    { label: "poi", text: "阳光小区" },
    { label: "houseno", text: "3栋" },
  ]),
});

test("the straight insert path gives the values of the column list, in its order", () => {
  const values: (string | number | null)[] = [];
  pushIncidentValues(values, full);
  expect(values).toEqual(INCIDENT_COLUMNS.map(([, , get]) => get(full)));
  // Every field holds a value of its own, so two swapped columns would show.
  expect(new Set(values).size).toBe(values.length);
});

test("values written over a reused array are those pushed into a new one, and the array stays packed", () => {
  const other: Incident = { ...full, id: asIncidentId("other"), narrative: null, location: NO_LOCATION };
  const reused: (string | number | null)[] = [];
  // A longer chunk, then a shorter one written over it: nothing of the first stays past its end.
  let at = 0;
  for (const i of [full, other, full]) at = writeIncidentValues(reused, at, i);
  expect(at).toBe(3 * INCIDENT_COLUMNS.length);
  at = 0;
  for (const i of [other, full]) at = writeIncidentValues(reused, at, i);
  reused.length = at;
  // Pushed one by one (flatMap makes a holey array).
  const expected: (string | number | null)[] = [];
  for (const i of [other, full]) for (const [, , get] of INCIDENT_COLUMNS) expected.push(get(i));
  expect(reused).toEqual(expected);
  // v8 serialises a holey array as a sparse one (index and value): the bytes would differ.
  expect(serialize(reused).equals(serialize(expected))).toBe(true);
  const pushed: (string | number | null)[] = [];
  for (const i of [other, full]) pushIncidentValues(pushed, i);
  expect(serialize(pushed).equals(serialize(expected))).toBe(true);
});

test("components are stored as [label, text] pairs and read back; foreign JSON reads as none", () => {
  const row = Object.fromEntries(INCIDENT_COLUMNS.map(([name, , get]) => [name, get(full)]));
  expect(row.address_components).toBe('[["district","澜东区"],["poi","阳光小区"],["houseno","3栋"]]');
  expect(rowToIncident(row as unknown as IncidentTable)).toEqual(full);
  expect(addressComponentsFromJson(row.address_components as string)[1]).toEqual({
    label: "poi",
    text: "阳光小区",
  });
  expect(addressComponentsFromJson('{"a":1}')).toEqual([]);
  expect(addressComponentsFromJson("not json")).toEqual([]);
  expect(addressComponentsFromJson('[["poi","x"],[1,2]]')).toEqual([{ label: "poi", text: "x" }]);
});
