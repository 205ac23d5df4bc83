import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { threadId } from "node:worker_threads";
import { type GazetteerSnapshots, useGazetteerSnapshots } from "../address/gazetteer.ts";

/**
 * Snapshots of built gazetteers (src/address/gazetteer-snapshot.ts) as files in one folder: by
 * default node_modules/.cache/recur of this installation (where build tools keep their caches, so
 * that `rm -rf node_modules` or a new install clears it), or `RECUR_CACHE_DIR`; `RECUR_CACHE_DIR=off`
 * keeps none. A cache never stops a command: a folder that cannot be made or written to is the
 * same as no cache, and a file that cannot be read is built again.
 */
export function gazetteerCacheFolder(folder: string): GazetteerSnapshots {
  const file = (key: string) => join(folder, `${key}.bin`);
  return {
    read(key) {
      try {
        return readFileSync(file(key));
      } catch {
        return null;
      }
    },
    write(key, bytes) {
      // Written beside and renamed, so that a reader never sees half a file.
      const temporary = `${file(key)}.${process.pid}-${threadId}.tmp`;
      try {
        mkdirSync(folder, { recursive: true });
        writeFileSync(temporary, bytes);
        renameSync(temporary, file(key));
        pruneSnapshots(folder, KEPT);
      } catch {
        // No cache this time (and no half-written file left, where one could be written at all).
        try {
          rmSync(temporary, { force: true });
        } catch {}
      }
    },
  };
}

/** Snapshots kept in a folder: the national gazetteer and a few deployments' (2-3 MB each). */
const KEPT = 8;

/** Removes all but the `kept` most recently written snapshots (older versions of recur or of the package). */
function pruneSnapshots(folder: string, kept: number): void {
  const files = readdirSync(folder)
    .filter((name) => name.startsWith("gazetteer-") && name.endsWith(".bin"))
    .map((name) => ({ path: join(folder, name), written: statSync(join(folder, name)).mtimeMs }))
    .sort((a, b) => b.written - a.written);
  for (const old of files.slice(kept)) rmSync(old.path, { force: true });
}

/** The cache folder this installation uses, or null for none (`RECUR_CACHE_DIR=off`). */
export function defaultCacheFolder(env: NodeJS.ProcessEnv = process.env): string | null {
  const chosen = env.RECUR_CACHE_DIR;
  if (chosen === "off") return null;
  if (chosen) return chosen;
  return join(dirname(fileURLToPath(import.meta.url)), "..", "..", "node_modules", ".cache", "recur");
}

/**
 * Makes the gazetteers of this thread read and keep their snapshots in the cache folder (each
 * command and the import thread call it at their start).
 */
export function useGazetteerCache(env: NodeJS.ProcessEnv = process.env): void {
  const folder = defaultCacheFolder(env);
  useGazetteerSnapshots(folder === null ? null : gazetteerCacheFolder(folder));
}
