import { afterAll, beforeAll, expect, test } from "vitest";
import { profileRepository } from "./profile-repository.ts";
import { describeOnEveryStore } from "./testing/every-store.ts";
import type { StoreTarget } from "./testing/stores.ts";
import type { Store } from "./types.ts";

await describeOnEveryStore("saved mapping profiles", (makeTarget: () => Promise<StoreTarget>) => {
  let target: StoreTarget;
  let store: Store;
  beforeAll(async () => {
    target = await makeTarget();
    store = (await target.fresh()).store;
  });
  afterAll(async () => {
    await store?.close();
    await target?.dispose();
  });

  test("a profile is created, listed, read, updated once per version and deleted", async () => {
    const repo = profileRepository(store);
    const json = JSON.stringify({ name: "my-110" });
    const created = await repo.create({
      id: "p1",
      name: "my-110",
      description: "某市",
      json,
      by: "u1",
      at: 1000,
    });
    expect(created).toMatchObject({ ok: true, value: { id: "p1", version: 1, createdAt: 1000, json } });
    expect(
      await repo.create({ id: "p2", name: "my-110", description: null, json, by: "u2", at: 2000 }),
    ).toEqual({
      ok: false,
      reason: "name_taken",
    });
    await repo.create({ id: "p0", name: "alpha", description: null, json: "{}", by: "u1", at: 1500 });
    const list = await repo.list();
    expect(list.map((p) => p.name)).toEqual(["alpha", "my-110"]);
    expect(list[1]).not.toHaveProperty("json");
    expect(list[1]!.updatedAt).toBe(1000);

    const change = { name: "my-110b", description: null, json: '{"a":1}', by: "u2", at: 3000 };
    const updated = await repo.update("p1", 1, change);
    expect(updated).toMatchObject({
      ok: true,
      value: { version: 2, updatedBy: "u2", createdBy: "u1", name: "my-110b" },
    });
    expect(await repo.update("p1", 1, change)).toEqual({ ok: false, reason: "version_conflict" });
    expect(await repo.update("p1", 2, { ...change, name: "alpha" })).toEqual({
      ok: false,
      reason: "name_taken",
    });
    expect(await repo.update("nope", 1, change)).toEqual({ ok: false, reason: "not_found" });
    expect((await repo.byName("my-110b"))?.id).toBe("p1");

    expect(await repo.remove("p1")).toBe(true);
    expect(await repo.remove("p1")).toBe(false);
    expect(await repo.get("p1")).toBeUndefined();
  });
});
