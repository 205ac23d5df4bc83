import { describe, expect, test } from "vitest";
import { makeIncident } from "../../test/builders.ts";
import { asBatchId, asEpochMs, asPseudonym, type Incident } from "../domain/index.ts";
import { IncidentMerger } from "./incident-merge.mjs";
import { INCIDENT_COLUMN_NAMES, pushIncidentValues } from "./rows.ts";
import type { SqlValue } from "./sqlite-executor.mjs";

const merger = new IncidentMerger(INCIDENT_COLUMN_NAMES);
const T = Date.UTC(2024, 4, 1, 0, 0, 0);

/** The stored call: accepted and dispatched, no arrival or feedback yet. */
function stored(
  fields: Partial<Omit<Incident, "location">> & { location?: Partial<Incident["location"]> } = {},
) {
  return makeIncident({
    sourceId: "M1",
    batchId: asBatchId("first"),
    receivedAt: asEpochMs(T),
    acceptedAt: asEpochMs(T + 20_000),
    dispatchedAt: asEpochMs(T + 60_000),
    disposition: "处置中",
    address: "阳光小区3栋",
    location: { poi: "阳光小区", building: "阳光小区:3" },
    callerPseudonym: asPseudonym("p1"),
    callerNumberEnc: "v1:iv-1:x",
    ...fields,
  });
}

function values(i: Incident): SqlValue[] {
  const out: SqlValue[] = [];
  pushIncidentValues(out, i);
  return out;
}

/** The outcome and the changed column names of merging `incoming` into `base`. */
function merge(base: Incident, incoming: Incident) {
  const result = merger.merge(values({ ...incoming, batchId: asBatchId("later") }), 0, values(base), 0);
  return result.kind === "update"
    ? { kind: result.kind, columns: result.changed.map((c) => INCIDENT_COLUMN_NAMES[c]) }
    : { kind: result.kind };
}

describe("a later export of a stored call", () => {
  const base = stored();
  test.each([
    ["the same values (another batch) are a duplicate", stored(), { kind: "duplicate" }],
    [
      "fewer values and none different are a duplicate (a subset)",
      stored({ dispatchedAt: null, narrative: null, disposition: null }),
      { kind: "duplicate" },
    ],
    [
      "an arrival and a feedback filled in are an update of those columns",
      stored({ arrivedAt: asEpochMs(T + 600_000), feedback: "已调解" }),
      { kind: "update", columns: ["arrived_at", "feedback"] },
    ],
    [
      "a null never clears: only the non-null differences change",
      stored({
        acceptedAt: null,
        dispatchedAt: null,
        disposition: null,
        arrivedAt: asEpochMs(T + 9e5),
        feedback: "已处理",
        closedAt: asEpochMs(T + 2e6),
      }),
      { kind: "update", columns: ["arrived_at", "closed_at", "feedback"] },
    ],
    [
      "an older export (less progress) that differs is stale",
      stored({ dispatchedAt: null, disposition: "已受理" }),
      { kind: "stale" },
    ],
    [
      "as much progress and a corrected disposition: the last import wins",
      stored({ disposition: "已处置" }),
      { kind: "update", columns: ["disposition"] },
    ],
    [
      "the caller's number encrypted again (another IV, same pseudonym) is no change",
      stored({ callerNumberEnc: "v1:iv-2:x" }),
      { kind: "duplicate" },
    ],
    [
      "another caller changes the pseudonym and the encrypted number",
      stored({ callerPseudonym: asPseudonym("p2"), callerNumberEnc: "v1:iv-3:y" }),
      { kind: "update", columns: ["caller_pseudonym", "caller_number_enc"] },
    ],
    [
      "the same address keeps its stored keys, even if the parser now keys it otherwise",
      stored({ location: { poi: "阳光小区", building: "阳光小区:3", unit: "阳光小区:3:1" } }),
      { kind: "duplicate" },
    ],
    [
      "another address replaces every key, a missing one included",
      stored({ address: "红星路88号", location: { poi: null, building: null, road: "红星路" } }),
      { kind: "update", columns: ["address", "loc_poi", "loc_building", "loc_road"] },
    ],
  ] as const)("%s", (_, incoming, expected) => {
    expect(merge(base, incoming)).toEqual(expected);
  });

  test("the merged row takes the changed columns and keeps the id, key and first batch", () => {
    const incoming = values({
      ...stored({ feedback: "已调解", narrative: null }),
      batchId: asBatchId("later"),
    });
    const before = values(base);
    const result = merger.merge(incoming, 0, before, 0);
    expect(result.kind).toBe("update");
    if (result.kind !== "update") return;
    const after = merger.merged(incoming, 0, before, 0, result.changed);
    expect(after[INCIDENT_COLUMN_NAMES.indexOf("batch_id")]).toBe("first");
    expect(after[INCIDENT_COLUMN_NAMES.indexOf("feedback")]).toBe("已调解");
    expect(after[INCIDENT_COLUMN_NAMES.indexOf("narrative")]).toBe(base.narrative);
    expect(merger.revision(before, 0, result.changed)).toEqual({
      columns: '["feedback"]',
      previous: '{"feedback":null}',
    });
  });
});
