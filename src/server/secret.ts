import { resolve } from "node:path";
import { DEFAULT_SECRET_FILE, type DeploymentSecret, loadOrCreateSecret } from "../ingest/privacy/index.ts";

const loaded = new Map<string, Promise<DeploymentSecret>>();

/**
 * The deployment secret (caller pseudonym key, field-encryption key), read once per file:
 * the given path, else RECUR_SECRET, else ./recur.secret — the same file `recur import` uses.
 * @example const { hmacKey } = await deploymentSecret(undefined)();
 */
export function deploymentSecret(path: string | undefined): () => Promise<DeploymentSecret> {
  const file = resolve(path ?? process.env.RECUR_SECRET ?? DEFAULT_SECRET_FILE);
  return () => {
    let secret = loaded.get(file);
    if (!secret) {
      secret = loadOrCreateSecret(file);
      // A failed read is not cached: the next request tries again (and reports the reason).
      secret.catch(() => loaded.delete(file));
      loaded.set(file, secret);
    }
    return secret;
  };
}
