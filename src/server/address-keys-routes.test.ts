import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createAddressLocator } from "../address/index.ts";
import { addressComponentsJson, type BatchId, type Incident } from "../domain/index.ts";
import { importFile } from "../ingest/pipeline.ts";
import { loadProfile } from "../ingest/profile/load.ts";
import { TEST_KEYS } from "../ingest/testing/fakes.ts";
import { SYNTH_HEADER, synthRow, tempDir, writeText } from "../ingest/testing/files.ts";
import { ADDRESS_RULES_SETTING, addressRulesFingerprint } from "../store/address-rules.ts";
import { profileRepository } from "../store/profile-repository.ts";
import { serverRepository } from "../store/server-repository.ts";
import { describeOnEveryStore } from "../store/testing/every-store.ts";
import type { StoreTarget } from "../store/testing/stores.ts";
import type { Store } from "../store/types.ts";
import type { Role } from "./access.ts";
import { buildApp } from "./app.ts";
import { createUsers, logIn, requestAs } from "./testing.ts";

const T0 = Date.UTC(2025, 0, 10, 2);
const dir = tempDir("recur-address-keys-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const csv = (rows: Record<string, string>[]) =>
  writeText(dir, `calls-${rows[0]?.接警单号}.csv`, [SYNTH_HEADER, ...rows.map(synthRow)].join("\n"), "utf8");

await describeOnEveryStore("address keys API", (makeTarget: () => Promise<StoreTarget>) => {
  let target: StoreTarget;
  let store: Store;
  let app: FastifyInstance;
  const cookies: Record<string, string> = {};
  const users: [string, Role][] = [
    ["analyst", "city_analyst"],
    ["sysadmin", "system_admin"],
    ["station", "station_officer"],
  ];
  const ids = ["K1", "K2", "K3", "D1", "H1"];

  beforeAll(async () => {
    target = await makeTarget();
    store = (await target.fresh()).store;
    await createUsers(store, { now: () => T0 as never }, users);
    const profile = await loadProfile("synthetic");
    const locator = createAddressLocator({ region: null, datum: "wgs84" });
    const batch = (path: string, id: string, profileRef: string) =>
      importFile({
        path,
        profile,
        profileRef,
        store,
        batchId: id as BatchId,
        keys: TEST_KEYS,
        clock: { now: () => T0 as never },
        locator,
      });
    await batch(
      csv([
        { 接警单号: "K1", 发生地址: "澜东区阳光花园3栋2单元501室" },
        { 接警单号: "K2", 发生地址: "澜东区阳光小区三栋二单元501" },
        { 接警单号: "K3", 发生地址: "澜东区红星路88号门口" },
      ]),
      "b1",
      "synthetic",
    );
    // A batch of the import wizard's draft profile: its region cannot be read back later.
    await batch(csv([{ 接警单号: "D1", 发生地址: "澜东区红星路90号" }]), "b2", "draft:wizard");
    // A batch of a profile saved in the dashboard, with a region; imported here without it.
    await profileRepository(store).create({
      id: "p-hz",
      name: "杭州",
      description: null,
      json: JSON.stringify({
        ...JSON.parse(readFileSync(join("profiles", "synthetic.json"), "utf8")),
        region: "浙江省杭州市",
      }),
      by: "test",
      at: T0,
    });
    await batch(csv([{ 接警单号: "H1", 发生地址: "阳光小区3栋501室" }]), "b3", "saved:杭州");
    app = buildApp({
      store: () => store,
      status: () => ({ phase: "ready", detail: { zh: "", en: "" } }),
      version: "t",
      clock: { now: () => T0 as never },
      loginsPerMinute: 10_000,
      secretPath: join(dir, `recur-${target.dialect}.secret`),
    });
    Object.assign(
      cookies,
      await logIn(
        app,
        users.map(([name]) => name),
      ),
    );
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await target?.dispose();
  });

  const call = (...args: Parameters<ReturnType<typeof requestAs>>) => requestAs(app, cookies)(...args);
  const stored = async (): Promise<Incident[]> =>
    (await Promise.all(ids.map((id) => store.incidents.get("synthetic-110", id)))) as Incident[];
  /** Keys and components an older version of the rules might have left, and no record of the rules. */
  const makeStale = async (incidents: readonly Incident[]) => {
    await store.incidents.relocate(
      incidents.map((i) => ({
        id: i.id,
        location: { ...i.location, road: "旧路:1" },
        addressComponents: addressComponentsJson([{ label: "poi", text: i.address ?? "" }]),
      })),
    );
    await store.settings.set(ADDRESS_RULES_SETTING, "0000000000000000");
  };
  const finished = async () => {
    for (let i = 0; i < 500; i++) {
      const job = (await call("analyst", "GET", "/api/v1/address-keys")).json().job;
      if (job && job.state !== "running") return job;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error("the rekey did not finish");
  };

  test("a store keyed by other rules is shown as such, and a rekey restores today's keys", async () => {
    const fresh = await stored();
    expect(fresh.every((i) => i !== undefined)).toBe(true);
    await makeStale(fresh);

    const before = (await call("analyst", "GET", "/api/v1/address-keys")).json();
    expect(before).toMatchObject({
      rules: addressRulesFingerprint(),
      storedRules: "0000000000000000",
      current: false,
      incidents: 5,
      job: null,
    });

    // A dry run counts and changes nothing.
    expect((await call("analyst", "POST", "/api/v1/address-keys/rekey", { dryRun: true })).statusCode).toBe(
      202,
    );
    const dry = await finished();
    expect(dry).toMatchObject({ state: "done", dryRun: true, counts: { incidents: 5, changed: 5 } });
    expect((await stored()).map((i) => i.location.road)).toEqual(ids.map(() => "旧路:1"));
    expect((await call("analyst", "GET", "/api/v1/address-keys")).json().current).toBe(false);

    const started = await call("sysadmin", "POST", "/api/v1/address-keys/rekey", {});
    expect(started.statusCode).toBe(202);
    expect(started.json().job).toMatchObject({ state: "running", dryRun: false });
    const done = await finished();
    expect(done).toMatchObject({
      state: "done",
      counts: { incidents: 5, withAddress: 5, changed: 5, componentsChanged: 5 },
      unreadProfiles: ["draft:wizard"],
      error: null,
    });
    expect(done.counts.levels.road).toBe(5);
    expect(done.counts.levels.room).toBe(1);
    const after = await stored();
    expect(after.slice(0, 4).map((i) => i.location)).toEqual(fresh.slice(0, 4).map((i) => i.location));
    expect(after.map((i) => i.addressComponents)).toEqual(fresh.map((i) => i.addressComponents));
    // The saved profile's region scopes its batch's keys to the city, as an import with it would.
    expect(fresh[4]?.location.room).toBe("Z::阳光小区/b3/r501");
    expect(after[4]?.location.room).toBe("Z:杭州市:阳光小区/b3/r501");
    expect((await call("analyst", "GET", "/api/v1/address-keys")).json()).toMatchObject({
      storedRules: addressRulesFingerprint(),
      current: true,
    });
    const audit = (await serverRepository(store).auditEntries({ limit: 100 })).map((a) => a.action);
    expect(audit.filter((a) => a === "address.rekey")).toHaveLength(2);
  });

  test("the store's place dictionary: set from the rules page, the keys then stale until a rekey that uses it", async () => {
    expect((await call("analyst", "GET", "/api/v1/address-dictionary")).json()).toMatchObject({
      counts: { aliases: 0, places: 0, divisions: 0 },
    });
    const put = await call(
      "analyst",
      "PUT",
      "/api/v1/address-dictionary",
      { aliases: { 阳光花园: "阳光小区", "": "x" }, places: [{ name: "阳光小区", kind: "poi" }] },
      "en",
    );
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ changed: true, counts: { aliases: 1, places: 1 }, current: false });
    // The entry that could not be kept is named, not silently dropped.
    expect(put.json().issues.map((i: { message: string }) => i.message)).toEqual([
      'field aliases: alias "" is invalid and was skipped',
    ]);
    const [k1, k2] = await stored();
    expect(k1?.location.room).not.toBe(k2?.location.room);
    await call("analyst", "POST", "/api/v1/address-keys/rekey", {});
    expect((await finished()).state).toBe("done");
    const [r1, r2] = await stored();
    // 阳光花园 is now 阳光小区: the two spellings of one flat share its key.
    expect(r1?.location.room).toBe(r2?.location.room);
    expect((await call("analyst", "GET", "/api/v1/address-keys")).json().current).toBe(true);
    // The same dictionary again changes nothing.
    const again = await call("analyst", "PUT", "/api/v1/address-dictionary", {
      aliases: { 阳光花园: "阳光小区" },
      places: [{ name: "阳光小区", kind: "poi" }],
    });
    expect(again.json()).toMatchObject({ changed: false, current: true });
    // The audit entry is written as the response goes out: wait for it.
    let saves = 0;
    for (let i = 0; i < 100 && saves < 2; i++) {
      const audit = (await serverRepository(store).auditEntries({ limit: 100 })).map((a) => a.action);
      saves = audit.filter((a) => a === "address.dictionary").length;
      if (saves < 2) await new Promise((r) => setTimeout(r, 20));
    }
    expect(saves).toBe(2);
    expect(
      (await call("analyst", "PUT", "/api/v1/address-dictionary", { aliases: [] }, "en")).statusCode,
    ).toBe(400);
    expect((await call("station", "PUT", "/api/v1/address-dictionary", {})).statusCode).toBe(403);
    expect((await call("station", "GET", "/api/v1/address-dictionary")).statusCode).toBe(403);
    await call("analyst", "PUT", "/api/v1/address-dictionary", {});
  });

  test("places learned from the store's own addresses join its dictionary, in the background", async () => {
    expect(
      (await call("analyst", "POST", "/api/v1/address-dictionary/learn", { minCount: 0 }, "en")).statusCode,
    ).toBe(400);
    expect((await call("station", "POST", "/api/v1/address-dictionary/learn", {})).statusCode).toBe(403);
    // Keys current first, so that what follows is the learning's doing.
    await call("analyst", "POST", "/api/v1/address-keys/rekey", {});
    expect((await finished()).state).toBe("done");
    expect((await call("analyst", "GET", "/api/v1/address-keys")).json().current).toBe(true);
    const started = await call("analyst", "POST", "/api/v1/address-dictionary/learn", { minCount: 1 });
    expect(started.statusCode).toBe(202);
    let view = (await call("analyst", "GET", "/api/v1/address-dictionary")).json();
    for (let i = 0; i < 250 && view.learn?.state === "running"; i++) {
      await new Promise((r) => setTimeout(r, 20));
      view = (await call("analyst", "GET", "/api/v1/address-dictionary")).json();
    }
    expect(view.learn).toMatchObject({ state: "done", minCount: 1, counts: { addresses: 5, changed: true } });
    expect(view.dictionary.places.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(["阳光小区", "红星路"]),
    );
    // Learned names feed the fuzzy matching: the stored keys are stale until a rekey.
    expect((await call("analyst", "GET", "/api/v1/address-keys")).json().current).toBe(false);
    await call("analyst", "PUT", "/api/v1/address-dictionary", {});
  });

  test("only holders of rules.manage see the keys' state or start a rekey", async () => {
    expect((await app.inject({ url: "/api/v1/address-keys" })).statusCode).toBe(401);
    expect((await call("station", "GET", "/api/v1/address-keys")).statusCode).toBe(403);
    expect((await call("station", "POST", "/api/v1/address-keys/rekey", {})).statusCode).toBe(403);
    const bad = await call("analyst", "POST", "/api/v1/address-keys/rekey", { dryRun: "yes" }, "en");
    expect(bad.statusCode).toBe(400);
  });
});
