import { expect, test } from "vitest";
import { EMPTY_DICTIONARY } from "./dictionary.ts";
import { createAddressLocator } from "./locator.ts";
import { parseUsAddress, UsStreetTypes, usStreet } from "./us.ts";

const locate = createAddressLocator().locate;

test("masked and exact numbers of the same hundred block share a road key", () => {
  expect(locate("026XX Canal St").road).toBe(locate("2600 CANAL ST").road);
  expect(locate("2642 CANAL STREET").road).toBe(locate("026XX Canal St").road);
  expect(locate("10XX ALBERNI ST").road).toBe("US:1000 ALBERNI ST");
  expect(locate("2700 CANAL ST").road).not.toBe(locate("2600 CANAL ST").road);
});

test("an exact number gives a building key, the city after a comma is dropped", () => {
  const k = locate("749 W STATE ST,MKE");
  expect(k.building).toBe("US:749 W STATE ST");
  expect(k.road).toBe("US:700 W STATE ST");
  expect(locate("749 WEST STATE STREET").building).toBe(k.building);
});

test("intersections are order-independent", () => {
  expect(locate("HIGUERA ST / MARSH ST").cross).toBe(locate("MARSH ST & HIGUERA ST;").cross);
  expect(locate("HIGUERA ST / MARSH ST").cross).not.toBe(locate("HIGUERA ST / BROAD ST").cross);
});

test("CAD forms with a post-directional and a place name", () => {
  const a = parseUsAddress("1850 ORCHARD S; OAK GROVE MHP;");
  expect(a.street).toEqual({ direction: null, name: "ORCHARD", type: null, post: "S" });
  expect(a.place).toBe("OAK GROVE MHP");
  expect(locate("1850 ORCHARD S; OAK GROVE MHP;").building).toBe(locate("1850 ORCHARD S;").building);
  expect(locate("1850 ORCHARD S; OAK GROVE MHP;").building).toBe("US:1850 ORCHARD S");
  expect(locate("310 MILL POND # C7; TOOL RENTAL;").room).toBe("US:310 MILL POND #C7");
  expect(usStreet("N 57TH ST")).toEqual({ direction: "N", name: "57TH", type: "ST", post: null });
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
  expect(locate("2105-A N 64TH ST,MKE").room).toBe("US:2105 N 64TH ST #A");
  expect(locate("OFFSET TO PROTECT PRIVACY")).toEqual({
    poi: null,
    building: null,
    unit: null,
    room: null,
    road: null,
    cross: null,
  });
});

test("a block written with a space (1400 BLK ELM) is that block, not a street named BLK", () => {
  expect(locate("1400 BLK ELMWOOD;").road).toBe(locate("1466 ELMWOOD;").road);
  expect(locate("1400 BLK ELMWOOD;").building).toBeNull();
  expect(locate("1400 BLOCK ELMWOOD;").road).toBe("US:1400 ELMWOOD");
});

test.each([
  ["1466 ELMWOOD; AREA OF;"],
  ["1466 ELMWOOD; IN THE AREA;"],
  ["1466 ELMWOOD; X FROM;"],
  ["1466 ELMWOOD;XFROM;"],
  ["1466 ELMWOOD; IFO;"],
  ["1466 ELMWOOD; POSS ADDR;"],
  ["1466 ELMWOOD; GRID Q-04;"],
  ["1466 ELMWOOD; 7;"],
])("a call-taker's note after the address (%s) is not a place: no poi key", (text) => {
  const k = locate(text);
  expect(k.poi).toBeNull();
  expect(k.building).toBe("US:1466 ELMWOOD");
  // Two different doors that carry the same note do not meet at the poi level.
  expect(locate(text.replace("1466 ELMWOOD", "80 QUAIL RIDGE")).poi).toBeNull();
});

test("a note beside a real place name keeps the place", () => {
  expect(locate("2210 ELMWOOD; 4; PINE COURT APTS;").poi).toBe("US:P:PINE COURT APTS @ ELMWOOD");
  expect(locate("2210 ELMWOOD; GRID Q-04; PINE COURT APTS;").poi).toBe(
    locate("2210 ELMWOOD; PINE COURT APTS;").poi,
  );
});

test("USPS Pub. 28 suffix variants and spelled-out ordinals give the same keys", () => {
  expect(locate("1230 S KESTREL BL,MKE").building).toBe(locate("1230 S KESTREL BLVD").building);
  expect(locate("1230 S KESTREL BOULV").building).toBe("US:1230 S KESTREL BLVD");
  expect(locate("840 W ORCHID PKY").building).toBe(locate("840 W ORCHID PARKWAY").building);
  expect(locate("1100-BLK N OLD MILL THIRD ST,MKE").road).toBe(locate("1100 BLK N OLD MILL 3RD ST").road);
  expect(locate("S KESTREL BL / W TAMARACK AV,MKE").cross).toBe(
    locate("W TAMARACK AVE / S KESTREL BLVD").cross,
  );
});

test("a crossing written with a dash is the crossing written with a slash", () => {
  expect(locate("N ALDER ST- E BIRCH ST").cross).toBe(locate("N ALDER ST / E BIRCH ST,MKE").cross);
  expect(locate("N ALDER ST- E BIRCH ST").cross).toBe("US:X:E BIRCH ST & N ALDER ST");
});

test("AND, AT and a fraction inside a numbered street's name do not make a crossing", () => {
  const k = locate("9350 meadow and vine blvd");
  expect(k.cross).toBeNull();
  expect(k.building).toBe("US:9350 MEADOW AND VINE BLVD");
  expect(locate("7250 pines at 290 dr").building).toBe("US:7250 PINES AT 290 DR");
  expect(locate("1150 27th 1/2 st").building).toBe("US:1150 27TH 1/2 ST");
  expect(locate("1150 27th 1/2 st").road).not.toBe(locate("1150 27th st").road);
  // Without a house number, AND still joins two streets.
  expect(locate("QUAIL & ELMWOOD;").cross).toBe(locate("ELMWOOD AND QUAIL").cross);
});

test("a range of numbers is its first block, not a door", () => {
  const k = locate("7200-7500 N 93RD ST,MKE");
  expect(k.road).toBe("US:7200 N 93RD ST");
  expect(k.building).toBeNull();
  expect(locate("7200 N 93RD ST,MKE").building).toBe("US:7200 N 93RD ST");
});

test("a city after several commas or a spaced dash is dropped from the place and the keys", () => {
  expect(locate("RIVERTON TECH,LAKE GROVE,WI").poi).toBe("US:P:RIVERTON TECH");
  expect(locate("RIVERTON TECH, LAKE GROVE").poi).toBe("US:P:RIVERTON TECH");
  expect(locate("415 W BRAMBLE PARKWAY - LAKE GROVE").building).toBe(locate("415 W BRAMBLE PKWY").building);
  expect(locate("88TH/KESTREL - LAKE GROVE").cross).toBe(locate("KESTREL & 88TH").cross);
  expect(locate("610 ELMWOOD ST, APT 3").room).toBe("US:610 ELMWOOD ST #3");
});

test.each([
  "RIVERTON TECH,LAKE GROVE,WI",
  "1400 BLK ELMWOOD; GRID Q-04;",
  "N ALDER ST- E BIRCH ST",
  "415 W BRAMBLE PARKWAY - LAKE GROVE",
  "7200-7500 N 93RD ST,MKE",
])("entities of %s cover the input in order", (text) => {
  const a = createAddressLocator().analyse(text);
  expect(a.entities.map((e) => e.text).join("")).toBe(text);
  expect(a.entities.some((e) => e.label === "road" || e.label === "poi")).toBe(true);
});

test("a numbered street keeps its type: N 44TH ST, N 44TH PL and N 44TH BL are three streets", () => {
  const st = locate("4410 N 44TH ST,MKE");
  expect(st.building).toBe("US:4410 N 44TH ST");
  expect(locate("4410 N 44TH PL,MKE").building).not.toBe(st.building);
  expect(locate("4410 N 44TH BL,MKE").road).not.toBe(st.road);
  expect(locate("4410 N 44TH BL,MKE").road).toBe(locate("4410 NORTH 44TH BOULEVARD").road);
  expect(locate("N 44TH PL / W ASPEN AV,MKE").cross).not.toBe(locate("N 44TH ST / W ASPEN AV,MKE").cross);
  // So does a named one (W ASPEN AV and W ASPEN CT are two streets); AV is AVE.
  expect(locate("3927 W ASPEN AV,MKE").building).toBe(locate("3927 W ASPEN AVENUE").building);
  expect(locate("3927 W ASPEN AV,MKE").building).not.toBe(locate("3927 W ASPEN CT,MKE").building);
});

test("a stretch of road between two streets is a place, not a block or a corner", () => {
  const k = locate("12S BTWN QUAIL AND ELMWOOD;");
  expect(k.cross).toBeNull();
  expect(k.road).toBeNull();
  expect(k.poi).toBe("US:P:12S BTWN QUAIL AND ELMWOOD");
});

test("a half unit (# 1/2) is a unit, not a crossing", () => {
  const k = locate("1466 ELMWOOD # 1/2;");
  expect(k.cross).toBeNull();
  expect(k.room).toBe("US:1466 ELMWOOD #1/2");
  expect(k.room).not.toBe(locate("1466 ELMWOOD # 1;").room);
});

test.each([
  "1000 BLOCK OF ELMWOOD AVE",
  "1000 BLK OF ELMWOOD AVE",
  "1000 block of Elmwood Ave",
  "10XX BLOCK ELMWOOD AVE",
])("a block written %s is the 1000 block, not a street named OF ELMWOOD", (text) => {
  expect(locate(text).road).toBe(locate("10XX ELMWOOD AVE").road);
  expect(locate(text).building).toBeNull();
});

test("a named street's type is part of its key: CANAL ST and CANAL AVE are two streets", () => {
  expect(locate("2600 CANAL ST").road).not.toBe(locate("2600 CANAL AVE").road);
  expect(locate("2642 CANAL ST").building).not.toBe(locate("2642 CANAL BLVD").building);
  expect(locate("CANAL ST / MARSH ST").cross).not.toBe(locate("CANAL AVE / MARSH ST").cross);
  // The spellings of one type still meet (USPS Pub. 28 and its variants).
  expect(locate("26XX CANAL AV").road).toBe(locate("2642 Canal Avenue").road);
  expect(locate("26XX CANAL AV").road).toBe("US:2600 CANAL AVE");
});

test("a directional after the street is kept apart from one before it, also after a type", () => {
  expect(locate("1000 ELMWOOD ST W").building).toBe(locate("1000 ELMWOOD STREET WEST").building);
  expect(locate("1000 ELMWOOD ST W").building).toBe("US:1000 ELMWOOD ST W");
  expect(locate("1000 27TH ST N").building).not.toBe(locate("1000 N 27TH ST").building);
  expect(locate("11XX E KESTREL AVE S").road).not.toBe(locate("11XX E KESTREL AVE N").road);
  expect(locate("13XX ORCHARD HWY N").road).not.toBe(locate("13XX ORCHARD HWY S").road);
  expect(locate("13XX ORCHARD HWY N").road).toBe(locate("1342 Orchard Highway North").road);
});

test("a unit after a comma, spelled APARTMENT, or after a ';' is the unit, never a place", () => {
  expect(locate("1005 ELMWOOD ST, UNIT B").room).toBe("US:1005 ELMWOOD ST #B");
  expect(locate("1005 ELMWOOD ST APARTMENT 3").room).toBe(locate("1005 ELMWOOD ST APT 3").room);
  expect(locate("1005 ELMWOOD ST RM 3").room).toBe(locate("1005 ELMWOOD ST #3").room);
  const lot = locate("609 QUAIL; LOT 14;");
  expect(lot.poi).toBeNull();
  expect(lot.room).toBe("US:609 QUAIL #14");
  expect(locate("80 ELMWOOD; UNIT 209;").room).toBe("US:80 ELMWOOD #209");
  expect(locate("80 ELMWOOD; STE D; PINE COURT APTS;").poi).toBe("US:P:PINE COURT APTS @ ELMWOOD");
});

test.each([
  ["1000 N 27 ST", "1000 N 27TH ST"],
  ["1000 N TWENTY-SEVENTH ST", "1000 N 27TH ST"],
  ["1000 N Twenty Seventh St", "1000 N 27TH ST"],
  ["1000 N THIRTEENTH ST", "1000 N 13TH ST"],
  ["1000 N 1 ST", "1000 N 1ST ST"],
  ["1000 N 2 ST", "1000 N 2ND ST"],
  ["1000 N 3 ST", "1000 N 3RD ST"],
  ["1000 N 11 ST", "1000 N 11TH ST"],
  ["1000 N 112 ST", "1000 N 112TH ST"],
  ["1000 W FORTIETH AVE", "1000 W 40TH AVE"],
])("a numbered street written %s is %s", (text, same) => {
  expect(locate(text).building).toBe(locate(same).building);
});

test("a number after a type word is a route, not an ordinal; a type word first is abbreviated", () => {
  expect(locate("1000 HIGHWAY 100").building).toBe(locate("1000 HWY 100").building);
  expect(locate("1000 HWY 100").building).not.toBe(locate("1000 100TH ST").building);
  expect(locate("1000 AVENUE B").road).toBe(locate("10XX AVE B").road);
  expect(locate("1000 AVE B").road).not.toBe(locate("1000 AVE C").road);
  expect(locate("6650 AVE E").road).not.toBe(locate("6650 AVE N").road);
  expect(locate("1000 NORTH ST").building).not.toBe(locate("1000 N ST").building);
  expect(locate("1000 WEST AVE").building).toBe(locate("1000 WEST AVENUE").building);
});

test.each([
  "1000 N.W. 27TH ST",
  '"1000 NW 27TH ST"',
  "1000 NW 27TH ST-",
  "1000 NW 27TH ST.",
  " 1000  NW  27TH  ST ",
  "1000 NW 27TH ST LAKE GROVE WI",
  "1000 NW 27TH ST, LAKE GROVE, WI 53201",
  "1000 NW 27TH ST LAKE GROVE WI 53201",
  "1000 NW 27TH ST,LAKE GROVE(OAK COUNTY)",
])("punctuation, spaces and a city with its state around %s leave the door's keys", (text) => {
  expect(locate(text).building).toBe("US:1000 NW 27TH ST");
});

test("a block written before a crossing is that block at the corner", () => {
  const k = locate("1000 ELMWOOD ST / QUAIL AVE");
  expect(k.cross).toBe(locate("QUAIL AVE & ELMWOOD ST").cross);
  expect(k.road).toBe(locate("10XX ELMWOOD ST").road);
  expect(k.building).toBeNull();
});

test.each([
  ["1005 ELMWOOD ST APT #3", "US:1005 ELMWOOD ST #3"],
  ["1005 ELMWOOD ST, APT #3", "US:1005 ELMWOOD ST #3"],
  ["1005 ELMWOOD ST UNIT #B", "US:1005 ELMWOOD ST #B"],
  ["1005 ELMWOOD ST STE. #200", "US:1005 ELMWOOD ST #200"],
])("a unit word with a # (%s) is one unit, not a street named ELMWOOD ST APT", (text, room) => {
  expect(locate(text).room).toBe(room);
  expect(locate(text).building).toBe(room.replace(/ #.*/, ""));
});

test("a number before AND or AT is a numbered street at a crossing, not a door", () => {
  expect(locate("84 AND ELMWOOD").cross).toBe(locate("ELMWOOD & 84").cross);
  expect(locate("84 AT ELMWOOD").building).toBeNull();
  expect(locate("9350 MEADOW AND VINE BLVD").building).toBe("US:9350 MEADOW AND VINE BLVD");
});

test("a half number (1000 1/2 ELMWOOD ST) is door 1000's half, as # 1/2 is", () => {
  expect(locate("1000 1/2 ELMWOOD ST").room).toBe(locate("1000 ELMWOOD ST # 1/2").room);
  expect(locate("1000 1/2 ELMWOOD ST").road).toBe(locate("10XX ELMWOOD ST").road);
});

test("SAINT, MOUNT and FORT in a street's name are ST, MT and FT", () => {
  expect(locate("1000 SAINT QUAIL AVE").building).toBe(locate("1000 ST QUAIL AVE").building);
  expect(locate("1000 MOUNT QUAIL ST").building).toBe(locate("1000 MT QUAIL ST").building);
  expect(locate("1000 FORT QUAIL RD").building).toBe(locate("1000 FT. QUAIL RD").building);
  expect(locate("1000 ST QUAIL AVE").building).not.toBe(locate("1000 QUAIL AVE").building);
});

test("a place name is the place on its street: two stores of one chain on two streets are two places", () => {
  expect(locate("2000 QUAIL; FUEL STOP;").poi).not.toBe(locate("300 ELMWOOD; FUEL STOP;").poi);
  expect(locate("2000 QUAIL; FUEL STOP;").poi).toBe(locate("2010 QUAIL; FUEL STOP;").poi);
  expect(locate("QUAIL & ELMWOOD; FUEL STOP;").poi).toBe(locate("ELMWOOD & QUAIL; FUEL STOP;").poi);
  expect(locate("QUAIL & ELMWOOD; FUEL STOP;").poi).not.toBe(locate("QUAIL & MEADOW; FUEL STOP;").poi);
  // A place written alone keeps its name as its key.
  expect(locate("RIVERTON TECH, LAKE GROVE").poi).toBe("US:P:RIVERTON TECH");
});

test.each([
  ["1502 ELMWOOD; REAR OF;"],
  ["1502 ELMWOOD; TO THE REAR;"],
  ["1502 ELMWOOD; X-FROM;"],
  ["1502 ELMWOOD; X STREET FROM;"],
  ["1502 ELMWOOD; BHND;"],
  ["1502 ELMWOOD; TO THE RIGHT;"],
])("where near the door (%s) is a note, not a place", (text) => {
  expect(locate(text).poi).toBeNull();
  expect(locate(text).building).toBe("US:1502 ELMWOOD");
});

test("quotes around an address with a place name leave the place's key", () => {
  expect(locate('"2042 QUAIL ST; PINE COURT APTS;; IFO;"').poi).toBe(
    locate("2042 QUAIL ST; PINE COURT APTS;").poi,
  );
});

test.each([
  ["1005 ELMWOOD ST APT3", "US:1005 ELMWOOD ST #3"],
  ["1005 ELMWOOD ST UNIT3B", "US:1005 ELMWOOD ST #3B"],
  ["1005 ELMWOOD ST APT 03", "US:1005 ELMWOOD ST #3"],
  ["1005 ELMWOOD ST # 003", "US:1005 ELMWOOD ST #3"],
  ["1005 ELMWOOD ST UPPER", "US:1005 ELMWOOD ST #UPPER"],
  ["1005 ELMWOOD ST UPR", "US:1005 ELMWOOD ST #UPPER"],
  ["1005 N ELMWOOD ST LWR,MKE", "US:1005 N ELMWOOD ST #LOWER"],
  ["1005 ELMWOOD ST REAR", "US:1005 ELMWOOD ST #REAR"],
])("the unit of %s is written one way", (text, room) => {
  expect(locate(text).room).toBe(room);
});

test("a word such as FRONT ends a street's name when no type comes before it", () => {
  expect(locate("1005 WATER FRONT").room).toBeNull();
  expect(locate("1005 WATER FRONT").building).toBe("US:1005 WATER FRONT");
});

test.each(["1005 ELMWOOD ST UPR", "1005 ELMWOOD ST apt 03", "609 QUAIL; lot 14;"])(
  "the unit of %s is a roomno entity as written",
  (text) => {
    const a = createAddressLocator().analyse(text);
    expect(a.entities.map((e) => e.text).join("")).toBe(text);
    expect(a.entities.some((e) => e.label === "roomno")).toBe(true);
  },
);

test("a flat's position after a type written with a dot (ST. UPPER) is the unit", () => {
  expect(locate("2105 N 27TH ST. UPPER,MKE").room).toBe("US:2105 N 27TH ST #UPPER");
});

test.each([
  ["1000 N OAK CT", "US:1000 N OAK CT"],
  ["1000 N MAIN ST NE", "US:1000 N MAIN ST NE"],
  ["1000 W PINE LN LAKE GROVE PA", "US:1000 W PINE LN"],
  ["1000 N OAK AVE LAKE GROVE WI", "US:1000 N OAK AVE"],
  ["1042 AVE B LAKE GROVE WI", "US:1042 AVE B"],
  ["1042 HWY 100 LAKE GROVE WI", "US:1042 HWY 100"],
  ["1142 PINE S RIVERTON CA 93401", "US:1142 PINE S"],
])("a state code that is also a street's word does not cut the street: %s", (text, building) => {
  expect(locate(text).building).toBe(building);
});

test("MAIN ST AT OAK AVE NB is a crossing, not MAIN ST in a city AT OAK AVE", () => {
  expect(locate("MAIN ST AT OAK AVE NB").cross).not.toBeNull();
});

test("a city and state after a crossing's type-first street are dropped too", () => {
  expect(locate("W LAKE GROVE PARKWAY/AVE B RIVERTON CA 93401").cross).toBe(
    locate("AVE B & W LAKE GROVE PKWY").cross,
  );
});

test("a street written without its type takes the one type the deployment's dictionary knows", () => {
  const dictionary = {
    ...EMPTY_DICTIONARY,
    places: [
      { name: "W VLIET ST", kind: "road" as const, count: 40 },
      { name: "CANAL ST", kind: "road" as const, count: 12 },
      { name: "CANAL AVE", kind: "road" as const, count: 9 },
      { name: "N OAK AVE", kind: "road" as const, count: 3 },
      { name: "阳光路", kind: "road" as const, count: 7 },
    ],
  };
  const learned = createAddressLocator({ dictionary }).locate;
  // One type known: the spelling without it is that street.
  expect(learned("4715 W VLIET").building).toBe("US:4715 W VLIET ST");
  expect(learned("47XX WEST VLIET").road).toBe(learned("4700 W VLIET STREET").road);
  expect(learned("W VLIET / N OAK").cross).toBe(learned("N OAK AVE & W VLIET ST").cross);
  // Two types known (two streets): which one is not guessed; the typed spellings stay apart.
  expect(learned("2600 CANAL").road).toBe("US:2600 CANAL");
  expect(learned("2600 CANAL ST").road).not.toBe(learned("2600 CANAL AVE").road);
  // Another direction is another street; a written type is never replaced.
  expect(learned("4715 E VLIET").building).toBe("US:4715 E VLIET");
  expect(learned("4715 W VLIET AVE").building).toBe("US:4715 W VLIET AVE");
  // Without a dictionary, as before.
  expect(locate("4715 W VLIET").building).toBe("US:4715 W VLIET");
  expect(new UsStreetTypes(["W VLIET ST", "CANAL ST", "CANAL AVE", "阳光路", "BROADWAY"]).size).toBe(2);
});
