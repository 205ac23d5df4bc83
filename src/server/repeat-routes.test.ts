import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, test } from "vitest";
import { makeIncident } from "../../test/builders.ts";
import { createAddressLocator } from "../address/index.ts";
import { newCase } from "../cases/case.ts";
import { asBatchId, asEpochMs, asUnitCode, type Incident, type UnitLevel } from "../domain/index.ts";
import { loadOrCreateSecret, tryCallerPseudonym } from "../ingest/privacy/index.ts";
import { savePlaceDictionary } from "../store/place-dictionary.ts";
import { serverRepository } from "../store/server-repository.ts";
import { describeOnEveryStore } from "../store/testing/every-store.ts";
import type { StoreTarget } from "../store/testing/stores.ts";
import type { Store } from "../store/types.ts";
import type { Role } from "./access.ts";
import { buildApp } from "./app.ts";
import { Auth } from "./auth.ts";
import { deploymentPhoneOptions, repeatIndexImported } from "./repeat-routes.ts";

/**
 * The repeat engine over HTTP (POST /api/v1/checks and POST /api/v1/incidents) through the app
 * object, on both stores: the background load, scoping, pseudonyms, masking, incremental update.
 */

const PASSWORD = "Correct-Horse-42";
const DAY = 86_400_000;
const T0 = Date.UTC(2024, 5, 1, 2);
const FLAT = "浙江省临江市滨江区阳光小区3栋2单元501室";
const SHOP = "浙江省临江市西湖区幸福小区5栋1单元302室";
const PHONE = "13800138000";

const USERS: readonly {
  username: string;
  role: Role;
  unitLevel: UnitLevel | null;
  unitCode: string | null;
}[] = [
  { username: "city", role: "city_analyst", unitLevel: "city", unitCode: "C" },
  { username: "branch1", role: "branch_supervisor", unitLevel: "branch", unitCode: "B1" },
  { username: "station1", role: "station_officer", unitLevel: "station", unitCode: "S1" },
  { username: "station2", role: "station_officer", unitLevel: "station", unitCode: "S2" },
  { username: "auditor", role: "auditor", unitLevel: "city", unitCode: "C" },
  { username: "sysadmin", role: "system_admin", unitLevel: "city", unitCode: "C" },
];

/** A store whose incident scan waits until `open()` is called: the index stays "loading" until then. */
function gatedStore(store: Store): { store: Store; open: () => void } {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const incidents = Object.create(store.incidents) as Store["incidents"];
  incidents.scan = async function* (pageSize?: number) {
    await gate;
    yield* store.incidents.scan(pageSize);
  };
  const gated = Object.create(store) as Store;
  Object.defineProperty(gated, "incidents", { value: incidents });
  return { store: gated, open };
}

function repeatSuite(makeTarget: () => Promise<StoreTarget>) {
  let target: StoreTarget;
  let raw: Store;
  let app: FastifyInstance;
  let openGate: () => void;
  let dir: string;
  let secretPath: string;
  const cookies: Record<string, string> = {};
  const locator = createAddressLocator();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "recur-repeat-routes-"));
    secretPath = join(dir, "recur.secret");
    target = await makeTarget();
    raw = (await target.fresh()).store;
    const auth = new Auth(serverRepository(raw), { now: () => asEpochMs(T0) });
    for (const u of USERS)
      await auth.createUser({
        ...u,
        displayName: u.username,
        password: PASSWORD,
        agencyCode: null,
        mustChangePassword: false,
      });
    // Three noise calls at one flat in station S1 within 10 days: an open place series.
    const keys = locator.locate(FLAT, null, null);
    const pseudonym = tryCallerPseudonym(PHONE, (await loadOrCreateSecret(secretPath)).hmacKey);
    const rows: Incident[] = [0, 4, 9].map((d, k) =>
      makeIncident({
        sourceId: `n${k}`,
        batchId: asBatchId("seed"),
        receivedAt: asEpochMs(T0 + d * DAY),
        category: "public_order",
        subtype: "noise",
        address: FLAT,
        location: keys,
        branchUnit: asUnitCode("B1"),
        stationUnit: asUnitCode("S1"),
        callerPseudonym: pseudonym as Incident["callerPseudonym"],
      }),
    );
    const writer = await raw.beginBatch({
      id: asBatchId("seed"),
      sourceSystem: "test",
      profile: "synthetic",
      fileName: "x.csv",
      fileSha256: "0".repeat(64),
      startedAt: T0,
    });
    await writer.insertIncidents(rows);
    await writer.commit({ rows: 3, imported: 3, rejected: 0, duplicates: 0, finishedAt: T0 });
    await serverRepository(raw).createCase(
      newCase({
        id: "case-flat",
        title: "noise at the flat",
        subject: {
          kind: "place",
          seriesId: null,
          locationKey: keys.room,
          callerPseudonym: null,
          group: "noise",
          protective: false,
        },
        warning: "yellow",
        branchUnit: "B1",
        stationUnit: "S1",
        by: "seed",
        clock: { now: () => asEpochMs(T0) },
      }),
    );
    // The deployment's place dictionary: the dispatch check keys with it, as the imports do.
    await savePlaceDictionary(raw, { aliases: { 阳光花园: "阳光小区" } });
    const gated = gatedStore(raw);
    openGate = gated.open;
    app = buildApp({
      store: () => gated.store,
      status: () => ({ phase: "ready", detail: { zh: "", en: "" } }),
      version: "t",
      clock: { now: () => asEpochMs(T0 + 10 * DAY) },
      loginsPerMinute: 10_000,
      secretPath,
    });
    await app.ready();
    for (const u of USERS) {
      const response = await app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { username: u.username, password: PASSWORD },
      });
      cookies[u.username] = String(response.headers["set-cookie"] ?? "").split(";")[0] ?? "";
    }
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await raw?.close();
    await target?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = (actor: string, method: "GET" | "POST", url: string, payload?: object) =>
    app.inject({
      method,
      url,
      headers: { cookie: cookies[actor]!, "accept-language": "en" },
      ...(payload ? { payload } : {}),
    });
  const check = (actor: string, extra: object = {}) =>
    call(actor, "POST", "/api/v1/checks", {
      address: FLAT,
      category: "public_order",
      subtype: "noise",
      at: T0 + 11 * DAY,
      ...extra,
    });
  const waitReady = async () => {
    for (let i = 0; i < 200; i++) {
      const r = await call("city", "GET", "/api/v1/checks/status");
      if (r.json().index.kind !== "loading") return r.json().index;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error("index did not load");
  };

  test("until the index has loaded the check answers 503 with a clear message", async () => {
    const response = await check("city");
    expect(response.statusCode).toBe(503);
    expect(response.json().error.code).toBe("repeat_index_loading");
    expect(response.json().error.message).toMatch(/still loading/);
    openGate();
    expect((await waitReady()).kind).toBe("ready");
  });

  test("a call at the flat finds the open place series and the open case there", async () => {
    const response = await check("city");
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.series.some((s: { kind: string }) => s.kind === "place")).toBe(true);
    expect(body.recentAtPlace).toBe(3);
    expect(body.cases.map((c: { id: string }) => c.id)).toEqual(["case-flat"]);
    expect(typeof body.series[0].explanation).toBe("string");
  });

  test("an address spelt with an alias of the store's place dictionary finds the flat's series", async () => {
    const response = await check("city", { address: FLAT.replace("阳光小区", "阳光花园") });
    expect(response.statusCode).toBe(200);
    expect(response.json().recentAtPlace).toBe(3);
    expect(response.json().series.some((s: { kind: string }) => s.kind === "place")).toBe(true);
  });

  test("the caller number finds the caller's series through its pseudonym and is never echoed", async () => {
    const response = await call("city", "POST", "/api/v1/checks", {
      callerNumber: "+86 138 0013 8000",
      category: "public_order",
      subtype: "noise",
      at: T0 + 11 * DAY,
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain(PHONE);
    expect(response.json().callerPseudonym).toMatch(/^c_/);
    expect(response.json().series.some((s: { via: string }) => s.via === "caller")).toBe(true);
    const audit = await serverRepository(raw).auditEntries();
    expect(JSON.stringify(audit)).not.toContain(PHONE);
    expect(audit.some((e) => e.action === "dispatch.check")).toBe(true);
  });

  test.each([
    ["city", 200, true],
    ["branch1", 200, true],
    ["station1", 200, true],
    ["station2", 200, false],
    ["auditor", 403, false],
    ["sysadmin", 403, false],
  ] as const)("%s: check answers %i, series of the flat visible: %s", async (actor, status, sees) => {
    const response = await check(actor);
    expect(response.statusCode).toBe(status);
    if (status !== 200) return;
    expect(response.json().series.length > 0).toBe(sees);
    expect(response.json().cases.length > 0).toBe(sees);
  });

  test("a malformed check names the field in the user's language", async () => {
    const bad = await call("city", "POST", "/api/v1/checks", { category: "no-such" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues.map((i: { field: string }) => i.field)).toEqual(["category"]);
    const half = await call("city", "POST", "/api/v1/checks", { category: "public_order", lon: 120 });
    expect(half.statusCode).toBe(400);
    expect(half.json().error.issues.map((i: { field: string }) => i.field)).toEqual(["lat"]);
    expect(half.json().error.message).toMatch(/not valid/);
  });

  test("incidents posted as a batch are masked, pseudonymised, stored atomically and indexed at once", async () => {
    const before = await check("city", { address: SHOP, subtype: "noise", at: T0 + 3 * DAY });
    expect(before.json().series).toEqual([]);
    const incidents = [0, 1, 2].map((d) => ({
      sourceId: `api-${d}`,
      receivedAt: new Date(T0 + d * DAY).toISOString(),
      category: "public_order",
      subtype: "noise",
      address: SHOP,
      branchUnit: "B2",
      stationUnit: "S2",
      callerNumber: "13900139000",
      narrative: "报警人身份证11010519491231002X，称楼下噪音",
    }));
    const response = await call("city", "POST", "/api/v1/incidents", { incidents });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ received: 3, imported: 3, duplicates: 0, indexed: 3 });
    expect(response.json().seriesChanged.some((s: { kind: string }) => s.kind === "place")).toBe(true);
    const stored = await raw.incidents.get("api", "api-1");
    expect(stored?.narrative).not.toContain("11010519491231002X");
    expect(stored?.callerPseudonym).toMatch(/^c_/);
    expect(stored?.callerNumberEnc).toBeNull();
    expect(JSON.stringify(stored)).not.toContain("13900139000");
    const after = await check("station2", { address: SHOP, at: T0 + 3 * DAY });
    expect(after.json().series.some((s: { kind: string }) => s.kind === "place")).toBe(true);
    expect((await check("station1", { address: SHOP, at: T0 + 3 * DAY })).json().series).toEqual([]);

    const again = await call("city", "POST", "/api/v1/incidents", { incidents });
    expect(again.json()).toMatchObject({ imported: 0, duplicates: 3, updated: 0, indexed: 0 });
    const status = await call("city", "GET", "/api/v1/checks/status");
    expect(status.json().index.incidents).toBe(6);

    // One of them sent again with its feedback: it updates the stored call, no duplicate.
    const later = await call("city", "POST", "/api/v1/incidents", {
      incidents: [{ ...incidents[1]!, feedback: "已调解，双方和解" }],
    });
    expect(later.json()).toMatchObject({ imported: 0, duplicates: 0, updated: 1, stale: 0 });
    expect((await raw.incidents.get("api", "api-1"))?.feedback).toBe("已调解，双方和解");
    const batch = await raw.batches.get(later.json().batchId);
    expect(batch).toMatchObject({ rows: 1, imported: 0, duplicates: 0, updated: 1 });
  });

  test("a bad row rejects the whole batch, naming the row and field, and writes nothing", async () => {
    const count = await raw.incidents.count();
    const response = await call("city", "POST", "/api/v1/incidents", {
      incidents: [
        { sourceId: "ok-1", receivedAt: T0, category: "public_order" },
        { sourceId: "bad-2", receivedAt: "yesterday", category: "public_order" },
      ],
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.issues[0]).toMatchObject({ row: 2, field: "receivedAt" });
    expect(await raw.incidents.count()).toBe(count);
  });

  test("a rejected incident's issues quote no caller's number, not even in the name of a key it should not have", async () => {
    const response = await call("city", "POST", "/api/v1/incidents", {
      incidents: [
        {
          sourceId: "bad-3",
          receivedAt: "报警人电话13700001111",
          category: "public_order",
          报警人13700001111: "x",
        },
      ],
    });
    expect(response.statusCode).toBe(400);
    const { issues } = response.json().error;
    expect(issues).toMatchObject([
      { row: 1, field: "receivedAt" },
      { row: 1, field: null, code: "unrecognized_keys", message: 'Unrecognized key: "报警人〔手机号〕"' },
    ]);
    expect(response.body).not.toContain("13700001111");
  });

  test("a body repeating an incident is refused, naming the repeat, and the index holds each call once", async () => {
    const road = "浙江省临江市西湖区红星路88号1幢101室";
    const one = (d: number) => ({
      sourceId: `twice-${d}`,
      receivedAt: T0 + 12 * DAY + d * DAY,
      category: "public_order",
      subtype: "noise",
      address: road,
      branchUnit: "B2",
      stationUnit: "S2",
    });
    const count = await raw.incidents.count();
    const indexed = (await call("city", "GET", "/api/v1/checks/status")).json().index.incidents;
    const repeated = await call("city", "POST", "/api/v1/incidents", {
      incidents: [one(0), one(1), one(2), one(0)],
    });
    expect(repeated.statusCode).toBe(400);
    expect(repeated.json().error.issues).toEqual([
      expect.objectContaining({ row: 4, field: "sourceId", code: "duplicate_in_request" }),
    ]);
    expect(await raw.incidents.count()).toBe(count);
    // The same calls once each: three calls, one place series of three events.
    const once = await call("city", "POST", "/api/v1/incidents", { incidents: [one(0), one(1), one(2)] });
    expect(once.json()).toMatchObject({ imported: 3, indexed: 3 });
    const status = await call("city", "GET", "/api/v1/checks/status");
    expect(status.json().index.incidents).toBe(indexed + 3);
    const at = await check("city", { address: road, at: T0 + 15 * DAY });
    const place = at.json().series.filter((s: { kind: string }) => s.kind === "place");
    expect(place.map((s: { events: number }) => s.events)).toEqual([3]);
  });

  test("only roles with incidents.write may post incidents, and only inside their jurisdiction", async () => {
    const one = { sourceId: "x-1", receivedAt: T0, category: "public_order" };
    expect((await call("branch1", "POST", "/api/v1/incidents", one)).statusCode).toBe(403);
    expect((await call("station1", "POST", "/api/v1/incidents", one)).statusCode).toBe(403);
    expect((await call("auditor", "POST", "/api/v1/incidents", one)).statusCode).toBe(403);
    const single = await call("city", "POST", "/api/v1/incidents", one);
    expect(single.statusCode).toBe(201);
    expect(single.json().imported).toBe(1);
  });

  /** Commits an import batch straight into the store, as the import routes do, and announces it. */
  const imported = async (id: string, address: string, days: readonly number[]) => {
    const keys = locator.locate(address, null, null);
    const writer = await raw.beginBatch({
      id: asBatchId(id),
      sourceSystem: "import",
      profile: "synthetic",
      fileName: `${id}.csv`,
      fileSha256: id.padEnd(64, "0"),
      startedAt: T0,
    });
    await writer.insertIncidents(
      days.map((d, k) =>
        makeIncident({
          sourceSystem: "import",
          sourceId: `${id}-${k}`,
          batchId: asBatchId(id),
          receivedAt: asEpochMs(T0 + d * DAY),
          category: "public_order",
          subtype: "noise",
          address,
          location: keys,
        }),
      ),
    );
    await writer.commit({
      rows: days.length,
      imported: days.length,
      rejected: 0,
      duplicates: 0,
      finishedAt: T0,
    });
    repeatIndexImported(app);
  };
  const waitIndexed = async () => {
    const count = await raw.incidents.count();
    for (let i = 0; i < 400; i++) {
      const index = (await call("city", "GET", "/api/v1/checks/status")).json().index;
      if (index.kind === "ready" && index.incidents === count) return index;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error("the import did not reach the index");
  };

  test("an import of newer calls reaches the dispatch index through the incremental path, without a rebuild", async () => {
    const before = (await call("city", "GET", "/api/v1/checks/status")).json().index;
    const flat = "浙江省临江市滨江区明月小区1栋1单元101室";
    await imported("import-newer", flat, [20, 25, 28]);
    const after = await waitIndexed();
    expect(after.loadSeconds).toBe(before.loadSeconds); // the same index, not a new load
    const response = await check("city", { address: flat, at: T0 + 29 * DAY });
    expect(response.json().series.some((s: { kind: string }) => s.kind === "place")).toBe(true);
  });

  test("an import reaching back before the index's newest call rebuilds it in the background", async () => {
    const before = (await call("city", "GET", "/api/v1/checks/status")).json().index;
    await imported("import-older", "浙江省临江市滨江区明月小区2栋1单元101室", [1, 2, 3]);
    const after = await waitIndexed();
    expect(after.loadSeconds).not.toBe(before.loadSeconds); // a new load
  });

  test("a change of the rule settings rebuilds the dispatch index while the current one answers", async () => {
    const placeAtFlat = async () => {
      const response = await check("city");
      expect(response.statusCode).toBe(200);
      return response.json().series.some((s: { kind: string }) => s.kind === "place");
    };
    expect(await placeAtFlat()).toBe(true);
    const saved = await call("city", "POST", "/api/v1/rules", {
      repeat: { groups: { noise: { minEvents: 4 }, disorder: { minEvents: 4 } } },
    });
    expect(saved.statusCode).toBe(200);
    let still = true;
    for (let i = 0; i < 400 && still; i++) {
      still = await placeAtFlat(); // never a 503: the old index serves until the new one is ready
      if (still) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(still).toBe(false);
    // The rows posted before the reload are in the new index too.
    const status = await call("city", "GET", "/api/v1/checks/status");
    expect(status.json().index.incidents).toBe(await raw.incidents.count());
  });
}

await describeOnEveryStore("repeat routes", repeatSuite);

test("RECUR_AREA_CODE gives numbers taken over the API the city's area code; anything else is ignored", () => {
  expect(deploymentPhoneOptions({ RECUR_AREA_CODE: " 0571 " })).toEqual({ areaCode: "0571" });
  expect(deploymentPhoneOptions({ RECUR_AREA_CODE: "010" })).toEqual({ areaCode: "010" });
  for (const bad of ["571", "0571-", "00571", ""])
    expect(deploymentPhoneOptions({ RECUR_AREA_CODE: bad })).toEqual({});
  expect(deploymentPhoneOptions({})).toEqual({});
});
