import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { defaultCacheFolder, gazetteerCacheFolder } from "./gazetteer-cache.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "recur-gazetteer-cache-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("the gazetteer cache folder", () => {
  test("gives back what was written under a key, and nothing for another key", () => {
    const cache = gazetteerCacheFolder(join(dir, "made", "on", "first", "write"));
    expect(cache.read("gazetteer-a")).toBeNull();
    cache.write("gazetteer-a", new Uint8Array([1, 2, 3]));
    expect([...(cache.read("gazetteer-a") ?? [])]).toEqual([1, 2, 3]);
    expect(cache.read("gazetteer-b")).toBeNull();
    // No temporary file is left beside it.
    expect(readdirSync(join(dir, "made", "on", "first", "write"))).toEqual(["gazetteer-a.bin"]);
  });

  test("that cannot be made does not stop the command", () => {
    const file = join(dir, "a-file");
    writeFileSync(file, "not a folder");
    const cache = gazetteerCacheFolder(join(file, "cache"));
    expect(() => cache.write("gazetteer-a", new Uint8Array([1]))).not.toThrow();
    expect(cache.read("gazetteer-a")).toBeNull();
  });

  test("keeps the eight snapshots written last", () => {
    const cache = gazetteerCacheFolder(dir);
    for (let i = 0; i < 10; i++) {
      cache.write(`gazetteer-${i}`, new Uint8Array([i]));
      // Written a second apart, so that their order does not depend on the file system's clock.
      const when = new Date(Date.UTC(2026, 0, 1, 0, 0, i));
      utimesSync(join(dir, `gazetteer-${i}.bin`), when, when);
    }
    cache.write("gazetteer-last", new Uint8Array([9]));
    const kept = readdirSync(dir).sort();
    expect(kept).toHaveLength(8);
    expect(kept).toContain("gazetteer-last.bin");
    expect(kept).not.toContain("gazetteer-0.bin");
    expect(kept).not.toContain("gazetteer-2.bin");
    expect(kept).toContain("gazetteer-9.bin");
  });

  test("is node_modules/.cache/recur of the installation unless RECUR_CACHE_DIR says otherwise", () => {
    expect(defaultCacheFolder({})).toMatch(/node_modules[\\/]\.cache[\\/]recur$/);
    expect(defaultCacheFolder({ RECUR_CACHE_DIR: "/srv/recur-cache" })).toBe("/srv/recur-cache");
    expect(defaultCacheFolder({ RECUR_CACHE_DIR: "off" })).toBeNull();
  });
});
