import { expect, test } from "vitest";
import { createAddressLocator } from "./locator.ts";
import { parseUsAddress, usStreet } from "./us.ts";

const locate = createAddressLocator().locate;

test("masked and exact numbers of the same hundred block share a road key", () => {
  expect(locate("026XX Canal St").road).toBe(locate("2600 CANAL ST").road);
  expect(locate("2642 CANAL STREET").road).toBe(locate("026XX Canal St").road);
  expect(locate("10XX ALBERNI ST").road).toBe("US:1000 ALBERNI");
  expect(locate("2700 CANAL ST").road).not.toBe(locate("2600 CANAL ST").road);
});

test("an exact number gives a building key, the city after a comma is dropped", () => {
  const k = locate("749 W STATE ST,MKE");
  expect(k.building).toBe("US:749 W STATE");
  expect(k.road).toBe("US:700 W STATE");
  expect(locate("749 WEST STATE STREET").building).toBe(k.building);
});

test("intersections are order-independent", () => {
  expect(locate("HIGUERA ST / MARSH ST").cross).toBe(locate("MARSH & HIGUERA;").cross);
  expect(locate("HIGUERA ST / MARSH ST").cross).not.toBe(locate("HIGUERA ST / BROAD ST").cross);
});

test("CAD forms with a post-directional and a place name", () => {
  const a = parseUsAddress("2994 HIGUERA S; SHADY LANE MHP;");
  expect(a.street).toEqual({ direction: "S", name: "HIGUERA", type: null });
  expect(a.place).toBe("SHADY LANE MHP");
  expect(locate("2994 HIGUERA S; SHADY LANE MHP;").building).toBe(locate("2994 S HIGUERA ST").building);
  expect(locate("202 TANK FARM # H4; RENTAL DEPOT;").room).toBe("US:202 TANK FARM #H4");
  expect(usStreet("N 35TH ST")).toEqual({ direction: "N", name: "35TH", type: "ST" });
});

test("entities cover the input", () => {
  const text = "2994 HIGUERA S; SHADY LANE MHP;";
  const a = createAddressLocator().analyse(text);
  expect(a.entities.map((e) => e.text).join("")).toBe(text);
  expect(a.kind).toBe("us");
});

test("numbers with a unit letter or a BLK suffix, and withheld locations", () => {
  expect(locate("4600-BLK N 39TH ST,MKE").road).toBe(locate("4642 N 39TH ST,MKE").road);
  expect(locate("4600-BLK N 39TH ST,MKE").building).toBeNull();
  expect(locate("3017-A N 28TH ST,MKE").room).toBe("US:3017 N 28TH #A");
  expect(locate("OFFSET TO PROTECT PRIVACY")).toEqual({
    poi: null,
    building: null,
    unit: null,
    room: null,
    road: null,
    cross: null,
  });
});
