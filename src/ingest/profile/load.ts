import { readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import type { z } from "zod";
import { ConfigError, NotFoundError } from "../../domain/index.ts";
import { type Profile, ProfileSchema } from "./schema.ts";

/** Folder of the bundled profiles (profiles/ at the repository root). */
export const BUNDLED_PROFILES_DIR = join(import.meta.dirname, "..", "..", "..", "profiles");

/** Names of the bundled profiles, e.g. ["chicago-assaults", "houston", ...]. */
export function bundledProfileNames(dir = BUNDLED_PROFILES_DIR): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith(".json") && !f.startsWith("profile.schema"))
      .map((f) => f.slice(0, -5))
      .sort();
  } catch {
    return [];
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === "number") return `${out}[${key}]`;
    const k = String(key);
    return out === "" ? k : /^[A-Za-z_$][\w$]*$/.test(k) ? `${out}.${k}` : `${out}["${k}"]`;
  }, "");
}

/** Flattens zod issues (unions included) into "path: message" lines. */
export function profileIssueLines(error: z.ZodError): string[] {
  const lines: string[] = [];
  const walk = (issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[]) => {
    for (const issue of issues) {
      const path = [...prefix, ...issue.path];
      if (issue.code === "invalid_union" && issue.errors.length > 0) {
        // Report the alternative that got furthest (fewest issues), not all of them.
        const best = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
        walk(best, path);
        continue;
      }
      lines.push(`${formatPath(path) || "(root)"}: ${issue.message}`);
    }
  };
  walk(error.issues, []);
  return lines;
}

/**
 * Validates a parsed profile; a bad one throws ConfigError naming the path of each bad field.
 * @example parseProfile(JSON.parse(text), "my-110.json")
 */
export function parseProfile(input: unknown, origin: string): Profile {
  const result = ProfileSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = profileIssueLines(result.error);
  throw new ConfigError("bad_profile", {
    zh: `配置文件 ${origin} 无效:\n  ${lines.join("\n  ")}`,
    en: `profile ${origin} is invalid:\n  ${lines.join("\n  ")}`,
  });
}

/** Reads and validates a profile from a file path. */
export async function loadProfileFile(path: string): Promise<Profile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new NotFoundError("profile_not_found", {
      zh: `找不到配置文件 ${path}`,
      en: `profile file ${path} not found`,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new ConfigError("bad_profile_json", {
      zh: `配置文件 ${basename(path)} 不是有效的 JSON: ${(error as Error).message}`,
      en: `profile ${basename(path)} is not valid JSON: ${(error as Error).message}`,
    });
  }
  return parseProfile(json, basename(path));
}

/**
 * Resolves `--profile`: a bundled name ("milwaukee") or a path to a JSON file.
 * @example await loadProfile("synthetic")
 */
export async function loadProfile(nameOrPath: string, cwd = process.cwd()): Promise<Profile> {
  const looksLikePath = nameOrPath.includes("/") || nameOrPath.includes("\\") || nameOrPath.endsWith(".json");
  if (looksLikePath) return loadProfileFile(resolve(cwd, nameOrPath));
  const names = bundledProfileNames();
  if (!names.includes(nameOrPath))
    throw new NotFoundError("unknown_profile", {
      zh: `没有名为 ${nameOrPath} 的内置配置；可用: ${names.join(", ")}；或给出 JSON 文件路径`,
      en: `no bundled profile named ${nameOrPath}; available: ${names.join(", ")}; or give a path to a JSON file`,
    });
  return loadProfileFile(join(BUNDLED_PROFILES_DIR, `${nameOrPath}.json`));
}
