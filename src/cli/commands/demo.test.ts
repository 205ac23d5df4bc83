import type { ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { startDemo } from "../../../test/demo.ts";
import { addressComponentsJson } from "../../domain/index.ts";
import { tempDir } from "../../ingest/testing/files.ts";
import { storeKeysFingerprint } from "../../store/address-rules.ts";
import { ADDRESS_RULES_SETTING, addressRulesFingerprint, openStore } from "../../store/index.ts";
import { loadPlaceDictionary } from "../../store/place-dictionary.ts";

const dir = tempDir("recur-demo-cli-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

test("a demo store kept from an earlier recur, keyed by other address rules, is rekeyed before it serves", {
  timeout: 200_000,
}, async () => {
  const first = await startDemo(dir, 300);
  await stop(first.server);
  expect(first.output()).not.toContain("keys rebuilt");
  // The city's addresses keyed within it: its own divisions, given as the store's place dictionary.
  {
    const s = await openStore({ path: join(dir, "recur-demo.db") });
    const withRoad = (await s.incidents.list({ limit: 1000 })).filter((i) => i.location.road);
    await s.close();
    expect(withRoad.length).toBeGreaterThan(0);
    expect(withRoad.every((i) => i.location.road?.startsWith("R:澜江市:"))).toBe(true);
  }

  // As an earlier recur might have left it: other keys on some incidents, and other rules recorded.
  const path = join(dir, "recur-demo.db");
  let store = await openStore({ path });
  const keyed = (await store.incidents.list({ limit: 1000 })).filter((i) => i.address).slice(0, 25);
  expect(keyed).toHaveLength(25);
  await store.incidents.relocate(
    keyed.map((i) => ({
      id: i.id,
      location: { ...i.location, building: "旧规则:1" },
      addressComponents: addressComponentsJson([{ label: "poi", text: i.address ?? "" }]),
    })),
  );
  await store.settings.set(ADDRESS_RULES_SETTING, "0000000000000000");
  await store.close();

  const second = await startDemo(dir, 300);
  await stop(second.server);
  expect(second.output()).toContain("keys rebuilt: 25 incidents changed");
  store = await openStore({ path });
  try {
    // Today's rules and the demo city's dictionary (its divisions: 澜江市 is in no national data).
    expect(await store.settings.get(ADDRESS_RULES_SETTING)).toBe(await storeKeysFingerprint(store));
    expect(await store.settings.get(ADDRESS_RULES_SETTING)).toMatch(
      new RegExp(`^${addressRulesFingerprint()}\\+`),
    );
    expect((await loadPlaceDictionary(store)).divisions?.[0]?.children?.[0]?.name).toBe("澜江市");
    for (const before of keyed) {
      const after = await store.incidents.getById(before.id);
      expect(after?.location).toEqual(before.location);
      expect(after?.addressComponents).toBe(before.addressComponents);
    }
  } finally {
    await store.close();
  }
});
