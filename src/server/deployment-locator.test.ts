import { afterEach, beforeEach, expect, test } from "vitest";
import { createAddressLocator } from "../address/index.ts";
import { asBatchId } from "../domain/index.ts";
import { latestImportRegion } from "../ingest/rekey.ts";
import { savePlaceDictionary } from "../store/place-dictionary.ts";
import { profileRepository } from "../store/profile-repository.ts";
import { type StoreTarget, sqliteTarget } from "../store/testing/stores.ts";
import type { Store } from "../store/types.ts";
import { deploymentLocator } from "./deployment-locator.ts";

/**
 * Addresses given over the API (the dispatch-time check) are keyed as the imports keyed theirs:
 * with the region of the deployment's import profiles and the store's place dictionary.
 */

const PROFILE = (region: string) =>
  JSON.stringify({
    name: "hz-110",
    sourceSystem: "hz-110",
    timezone: "Asia/Shanghai",
    region,
    sourceId: "编号",
    fields: { receivedAt: "报警时间", address: "地址" },
  });

let target: StoreTarget;
let store: Store;

beforeEach(async () => {
  target = await sqliteTarget();
  store = (await target.fresh()).store;
});
afterEach(async () => {
  await store.close();
  await target.dispose();
});

async function importedWith(profile: string, at: number): Promise<void> {
  const writer = await store.beginBatch({
    id: asBatchId(`b-${at}`),
    sourceSystem: "hz-110",
    profile,
    fileName: "x.csv",
    fileSha256: "0".repeat(64),
    startedAt: at,
  });
  await writer.commit({ rows: 0, imported: 0, rejected: 0, duplicates: 0, finishedAt: at });
}

test("an address typed without its city keys as the imports read within the profile's region", async () => {
  await profileRepository(store).create({
    id: "p1",
    name: "hz-110",
    description: null,
    json: PROFILE("浙江省杭州市"),
    by: "t",
    at: 1,
  });
  await importedWith("saved:hz-110", 1);
  expect(await latestImportRegion(store)).toBe("浙江省杭州市");
  const imported = createAddressLocator({ region: "浙江省杭州市" }).locate("阳光小区3栋2单元501", null, null);
  const atDispatch = (await deploymentLocator(store, {})).locate("阳光小区3栋2单元501", null, null);
  expect(atDispatch.room).toBe(imported.room);
  expect(atDispatch.room).toContain("杭州市");
  // Without the region the key had no city, and met no stored call.
  expect(createAddressLocator().locate("阳光小区3栋2单元501", null, null).room).not.toBe(imported.room);
});

test("RECUR_REGION decides over the profiles; with neither, no region", async () => {
  expect(await latestImportRegion(store)).toBeNull();
  const located = (await deploymentLocator(store, { RECUR_REGION: "浙江省宁波市" })).locate(
    "阳光小区3栋",
    null,
    null,
  );
  expect(located.building).toContain("宁波市");
  expect((await deploymentLocator(store, {})).locate("阳光小区3栋", null, null).building).not.toContain("市");
});

test("the store's place dictionary applies: an alias and the deployment's own divisions", async () => {
  await savePlaceDictionary(store, {
    aliases: { 阳光花园: "阳光小区" },
    places: [{ name: "阳光小区", kind: "poi" }],
    divisions: [
      {
        code: "33",
        name: "浙江省",
        children: [{ code: "3398", name: "幸福市", children: [{ code: "339801", name: "红星区" }] }],
      },
    ],
  });
  const locator = await deploymentLocator(store, {});
  expect(locator.locate("幸福市红星区阳光花园3栋", null, null).building).toBe(
    locator.locate("红星区阳光小区3栋", null, null).building,
  );
  expect(locator.locate("红星区阳光小区3栋", null, null).building).toContain("幸福市");
});
