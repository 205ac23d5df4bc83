import { type ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { addressComponentsJson } from "../../domain/index.ts";
import { tempDir } from "../../ingest/testing/files.ts";
import { ADDRESS_RULES_SETTING, addressRulesFingerprint, openStore } from "../../store/index.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const dir = tempDir("recur-demo-cli-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts `recur demo` on port 0 and resolves with its output once /api/health says ready. */
async function demoReady(): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(
    join(ROOT, "bin", "recur"),
    ["demo", "--incidents", "300", "--port", "0", "--host", "127.0.0.1", "--dir", dir],
    { cwd: dir, env: { ...process.env, RECUR_LANG: "en" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout?.on("data", (d) => {
    out += String(d);
  });
  child.stderr?.on("data", (d) => {
    out += String(d);
  });
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const url = /http:\/\/[\w.:]+/.exec(out)?.[0];
    if (url) {
      const health = await fetch(`${url}/api/health`)
        .then((r) => r.json() as Promise<{ phase: string }>)
        .catch(() => ({ phase: "down" }));
      if (health.phase === "ready") return { child, output: () => out };
    }
    if (child.exitCode !== null) throw new Error(`recur demo exited: ${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill("SIGTERM");
  throw new Error(`recur demo not ready in 90 s: ${out}`);
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

test("a demo store kept from an earlier recur, keyed by other address rules, is rekeyed before it serves", {
  timeout: 200_000,
}, async () => {
  const first = await demoReady();
  await stop(first.child);
  expect(first.output()).not.toContain("keys rebuilt");

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

  const second = await demoReady();
  await stop(second.child);
  expect(second.output()).toContain("keys rebuilt: 25 incidents changed");
  store = await openStore({ path });
  try {
    expect(await store.settings.get(ADDRESS_RULES_SETTING)).toBe(addressRulesFingerprint());
    for (const before of keyed) {
      const after = await store.incidents.getById(before.id);
      expect(after?.location).toEqual(before.location);
      expect(after?.addressComponents).toBe(before.addressComponents);
    }
  } finally {
    await store.close();
  }
});
