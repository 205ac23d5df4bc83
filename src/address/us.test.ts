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
  expect(locate("HIGUERA ST / MARSH ST").cross).toBe(locate("MARSH ST & HIGUERA ST;").cross);
  expect(locate("HIGUERA ST / MARSH ST").cross).not.toBe(locate("HIGUERA ST / BROAD ST").cross);
});

test("CAD forms with a post-directional and a place name", () => {
  const a = parseUsAddress("1850 ORCHARD S; OAK GROVE MHP;");
  expect(a.street).toEqual({ direction: "S", name: "ORCHARD", type: null });
  expect(a.place).toBe("OAK GROVE MHP");
  expect(locate("1850 ORCHARD S; OAK GROVE MHP;").building).toBe(locate("1850 S ORCHARD ST").building);
  expect(locate("310 MILL POND # C7; TOOL RENTAL;").room).toBe("US:310 MILL POND #C7");
  expect(usStreet("N 57TH ST")).toEqual({ direction: "N", name: "57TH", type: "ST" });
});

test("entities cover the input", () => {
  const text = "1850 ORCHARD S; OAK GROVE MHP;";
  const a = createAddressLocator().analyse(text);
  expect(a.entities.map((e) => e.text).join("")).toBe(text);
  expect(a.kind).toBe("us");
});

test("numbers with a unit letter or a BLK suffix, and withheld locations", () => {
  expect(locate("5300-BLK N 61ST ST,MKE").road).toBe(locate("5342 N 61ST ST,MKE").road);
  expect(locate("5300-BLK N 61ST ST,MKE").building).toBeNull();
  expect(locate("2105-A N 64TH ST,MKE").room).toBe("US:2105 N 64TH #A");
  expect(locate("OFFSET TO PROTECT PRIVACY")).toEqual({
    poi: null,
    building: null,
    unit: null,
    room: null,
    road: null,
    cross: null,
  });
});
