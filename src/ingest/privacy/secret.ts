import { randomBytes } from "node:crypto";
import { link, mkdir, open, readFile, stat, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { ConfigError } from "../../domain/index.ts";

/**
 * The per-deployment secret: two independent 256-bit keys, one for caller pseudonyms (HMAC),
 * one for field encryption (AES-GCM), so that neither use weakens the other. Created on first
 * run, readable by its owner only (mode 0600). Losing it makes encrypted numbers unreadable
 * and gives new callers new pseudonyms, so it belongs in the deployment's backup.
 */
export interface DeploymentSecret {
  readonly hmacKey: Uint8Array;
  readonly encKey: Uint8Array;
}

const KEY_BYTES = 32;
const FORMAT = "recur-secret";
const FORMAT_VERSION = 1;
/** Group and other permission bits: any of them set means someone else may read or replace the keys. */
const NOT_OWNER_BITS = 0o077;

/** File name recur uses for the secret when none is given: next to the database file. */
export const DEFAULT_SECRET_FILE = "recur.secret";

function corrupt(path: string, zh: string, en: string): ConfigError {
  return new ConfigError("secret_corrupt", {
    zh: `密钥文件 ${path} 已损坏（${zh}）。请从备份恢复该文件；删除后重建会使已有来电假名无法关联、已加密号码无法解密。`,
    en: `secret file ${path} is corrupt (${en}). Restore it from a backup; deleting it makes a new key, so existing caller pseudonyms no longer link and encrypted numbers can no longer be decrypted.`,
  });
}

function parseSecret(path: string, text: string): DeploymentSecret {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw corrupt(path, "不是 JSON", "not JSON");
  }
  if (typeof data !== "object" || data === null) throw corrupt(path, "不是对象", "not an object");
  const record = data as Record<string, unknown>;
  if (record.format !== FORMAT || record.version !== FORMAT_VERSION)
    throw corrupt(path, "格式或版本不对", "unknown format or version");
  const key = (name: string): Uint8Array => {
    const value = record[name];
    const bytes =
      typeof value === "string" && /^[A-Za-z0-9_-]+$/.test(value)
        ? Buffer.from(value, "base64url")
        : undefined;
    if (!bytes || bytes.length !== KEY_BYTES)
      throw corrupt(path, `${name} 不是 ${KEY_BYTES} 字节的密钥`, `${name} is not a ${KEY_BYTES}-byte key`);
    return new Uint8Array(bytes);
  };
  const hmacKey = key("hmacKey");
  const encKey = key("encKey");
  if (Buffer.from(hmacKey).equals(Buffer.from(encKey)))
    throw corrupt(path, "两个密钥相同", "the two keys are identical");
  return { hmacKey, encKey };
}

async function checkPermissions(path: string): Promise<void> {
  if (process.platform === "win32") return; // POSIX modes do not exist there; rely on the ACLs
  const info = await stat(path);
  if (!info.isFile())
    throw new ConfigError("secret_not_file", {
      zh: `密钥路径 ${path} 不是普通文件`,
      en: `secret path ${path} is not a regular file`,
    });
  const mode = info.mode & 0o777;
  if ((mode & NOT_OWNER_BITS) !== 0) {
    const octal = mode.toString(8).padStart(3, "0");
    throw new ConfigError("secret_permissions", {
      zh: `密钥文件 ${path} 的权限为 ${octal}，组用户或其他用户可以读写。recur 拒绝使用它。请执行 chmod 600 ${path}，并检查该文件是否已泄露（若已泄露，应更换密钥）。`,
      en: `secret file ${path} has mode ${octal}: group or other users can read or write it. recur refuses to use it. Run chmod 600 ${path} and check whether it leaked (if it did, rotate the key).`,
    });
  }
}

function newSecretText(): string {
  return `${JSON.stringify({
    format: FORMAT,
    version: FORMAT_VERSION,
    hmacKey: randomBytes(KEY_BYTES).toString("base64url"),
    encKey: randomBytes(KEY_BYTES).toString("base64url"),
  })}\n`;
}

/** Writes a fresh secret to `path` unless one exists; atomic and safe against a concurrent first run. */
async function createSecret(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const handle = await open(tmp, "wx", 0o600);
  try {
    await handle.chmod(0o600); // whatever the umask
    await handle.writeFile(newSecretText(), "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(tmp, path); // fails with EEXIST if another process won the race: use theirs
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    await unlink(tmp);
  }
}

/**
 * Loads the deployment secret from `path`, creating it (mode 0600) on first run. Refuses a
 * file that group or other users may read or write, and explains a corrupt one in zh/en.
 * @example const { hmacKey, encKey } = await loadOrCreateSecret("./recur.secret")
 */
export async function loadOrCreateSecret(path: string): Promise<DeploymentSecret> {
  let text: string;
  try {
    await checkPermissions(path);
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError("secret_unreadable", {
        zh: `无法读取密钥文件 ${path}：${(error as Error).message}`,
        en: `cannot read secret file ${path}: ${(error as Error).message}`,
      });
    }
    try {
      await createSecret(path);
    } catch (cause) {
      throw new ConfigError("secret_create_failed", {
        zh: `无法创建密钥文件 ${path}：${(cause as Error).message}`,
        en: `cannot create secret file ${path}: ${(cause as Error).message}`,
      });
    }
    await checkPermissions(path);
    text = await readFile(path, "utf8");
  }
  return parseSecret(path, text);
}
