import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { ConfigError } from "../../domain/index.ts";
import { loadOrCreateSecret } from "./secret.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "recur-secret-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const posix = process.platform !== "win32";

test.runIf(posix)("the first run creates the secret with mode 0600", async () => {
  const path = join(dir, "nested", "recur.secret");
  const secret = await loadOrCreateSecret(path);
  expect((await stat(path)).mode & 0o777).toBe(0o600);
  expect(secret.hmacKey).toHaveLength(32);
  expect(secret.encKey).toHaveLength(32);
  expect(Buffer.from(secret.hmacKey).equals(Buffer.from(secret.encKey))).toBe(false);
});

test("later runs load the same keys", async () => {
  const path = join(dir, "recur.secret");
  const first = await loadOrCreateSecret(path);
  const second = await loadOrCreateSecret(path);
  expect(second).toEqual(first);
});

test("concurrent first runs agree on one secret", async () => {
  const path = join(dir, "recur.secret");
  const all = await Promise.all(Array.from({ length: 6 }, () => loadOrCreateSecret(path)));
  for (const s of all) expect(s).toEqual(all[0]);
});

test.runIf(posix).each([[0o644], [0o640], [0o604], [0o660]])(
  "a secret file with mode %o is refused with a clear message",
  async (mode) => {
    const path = join(dir, "recur.secret");
    await loadOrCreateSecret(path);
    await chmod(path, mode);
    const error = await loadOrCreateSecret(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe("secret_permissions");
    expect((error as ConfigError).messages.en).toContain("chmod 600");
    expect((error as ConfigError).messages.zh).toContain("chmod 600");
  },
);

test.each([
  ["not JSON", "{oops"],
  ["empty", ""],
  ["wrong format", JSON.stringify({ format: "x", version: 1 })],
  ["short key", JSON.stringify({ format: "recur-secret", version: 1, hmacKey: "AAAA", encKey: "AAAA" })],
])("a corrupt secret file (%s) is reported in both languages, not replaced", async (_, content) => {
  const path = join(dir, "recur.secret");
  await writeFile(path, content, { mode: 0o600 });
  const error = await loadOrCreateSecret(path).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).code).toBe("secret_corrupt");
  expect((error as ConfigError).messages.zh).toContain("备份");
  expect((error as ConfigError).messages.en).toContain("backup");
  expect(await readFile(path, "utf8")).toBe(content);
});

test.runIf(posix && process.getuid?.() !== 0)(
  "a secret that cannot be created is a clear error",
  async () => {
    await chmod(dir, 0o500);
    const error = await loadOrCreateSecret(join(dir, "recur.secret")).catch((e: unknown) => e);
    await chmod(dir, 0o700);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe("secret_create_failed");
  },
);

test("a secret path that is a directory is a clear error", async () => {
  const error = await loadOrCreateSecret(dir).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
});

test("a secret path below a regular file is a clear error, not a crash", async () => {
  const file = join(dir, "not-a-dir");
  await writeFile(file, "x");
  const error = await loadOrCreateSecret(join(file, "recur.secret")).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).messages.zh).toContain(file);
});
