import { readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import type { z } from "zod";
import { zhCN } from "zod/locales";
import { ConfigError, type Lang, NotFoundError } from "../../domain/index.ts";
import { chunkDecoder, detectEncoding } from "../readers/encoding.ts";
import { type Profile, ProfileSchema, SCHEMA_MESSAGES_ZH } from "./schema.ts";

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

/** Zod's own Chinese messages, for the issues this file does not word itself. */
const zhLocaleError = zhCN().localeError;

/** Names of JSON types as a profile writer reads them. */
const TYPE_ZH: Readonly<Record<string, string>> = {
  string: "文本（string）",
  number: "数字（number）",
  boolean: "true 或 false（boolean）",
  array: "列表（array）",
  object: "对象（object）",
  null: "null",
  undefined: "空缺（undefined）",
};

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** The keys a strict object of the profile schema accepts at `path` (all forms of a union). */
export function allowedProfileKeys(path: readonly PropertyKey[], schema: unknown = ProfileSchema): string[] {
  return [...keysAt(schema, path)];
}

interface SchemaDef {
  readonly type: string;
  readonly shape?: Readonly<Record<string, unknown>>;
  readonly out?: unknown;
  readonly innerType?: unknown;
  readonly options?: readonly unknown[];
  readonly valueType?: unknown;
  readonly element?: unknown;
}

function defOf(schema: unknown): SchemaDef | undefined {
  return (schema as { _zod?: { def?: SchemaDef } } | undefined)?._zod?.def;
}

function keysAt(schema: unknown, path: readonly PropertyKey[]): Set<string> {
  let def = defOf(schema);
  // preprocess (a pipe), optional, nullable and default wrap the schema that has the keys
  while (
    def &&
    (def.type === "pipe" || def.type === "optional" || def.type === "nullable" || def.type === "default")
  )
    def = defOf(def.type === "pipe" ? def.out : def.innerType);
  if (!def) return new Set();
  if (def.type === "union") return new Set((def.options ?? []).flatMap((o) => [...keysAt(o, path)]));
  const [head, ...rest] = path;
  if (head === undefined) return new Set(def.type === "object" ? Object.keys(def.shape ?? {}) : []);
  if (def.type === "object") {
    const child = def.shape?.[String(head)];
    return child ? keysAt(child, rest) : new Set();
  }
  if (def.type === "record") return keysAt(def.valueType, rest);
  if (def.type === "array") return keysAt(def.element, rest);
  return new Set();
}

/** Levenshtein distance, for "did you mean" on a misspelt key (keys are short). */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next.push(
        Math.min(
          (row[j] ?? 0) + 1,
          (next[j - 1] ?? 0) + 1,
          (row[j - 1] ?? 0) + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1),
        ),
      );
    row = next;
  }
  return row[b.length] ?? 0;
}

function closestKey(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  // up to two edits ("lng" → "lon", "feilds" → "fields"), one for keys of one or two letters
  let bestDistance = key.length <= 2 ? 2 : 3;
  for (const candidate of allowed) {
    const d = editDistance(key, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function unknownKeysText(
  issue: z.core.$ZodIssueUnrecognizedKeys,
  path: readonly PropertyKey[],
  lang: Lang,
): string {
  const allowed = allowedProfileKeys(path);
  const quoted = issue.keys.map((k) => `"${k}"`).join(", ");
  const hints = issue.keys
    .map((k) => [k, closestKey(k, allowed)] as const)
    .filter((pair): pair is readonly [string, string] => pair[1] !== undefined);
  if (lang === "zh") {
    const list = allowed.length > 0 ? `；此处可用: ${allowed.join(", ")}` : "";
    const mean = hints.map(([k, to]) => `"${k}" 是否应为 "${to}"？`).join(" ");
    return `未知的键 ${quoted}${list}${mean ? `。${mean}` : ""}`;
  }
  const list = allowed.length > 0 ? `; allowed here: ${allowed.join(", ")}` : "";
  const mean = hints.map(([k, to]) => `"${k}": did you mean "${to}"?`).join(" ");
  return `${issue.message}${list}${mean ? `. ${mean}` : ""}`;
}

/** One issue in the user's language: the schema's own wording where it gives one, else zod's. */
function issueText(issue: z.core.$ZodIssue, path: readonly PropertyKey[], lang: Lang): string {
  if (issue.code === "unrecognized_keys") return unknownKeysText(issue, path, lang);
  // With reportInput, an absent input is a required key left out (zod says "received undefined").
  if (issue.code === "invalid_type" && "input" in issue && issue.input === undefined)
    return lang === "zh"
      ? `缺少这个必填的键（应为${TYPE_ZH[issue.expected] ?? issue.expected}）`
      : `required key missing (expected ${issue.expected})`;
  if (lang === "en") return issue.message;
  if (issue.code === "custom" && typeof issue.params?.zh === "string") return issue.params.zh;
  const fixed = SCHEMA_MESSAGES_ZH[issue.message];
  if (fixed !== undefined) return fixed;
  if (issue.code === "invalid_type") {
    const expected = TYPE_ZH[issue.expected] ?? issue.expected;
    return "input" in issue
      ? `应为${expected}，实际是${TYPE_ZH[jsonType(issue.input)] ?? jsonType(issue.input)}`
      : `应为${expected}`;
  }
  const text = zhLocaleError(issue as never);
  return (typeof text === "string" ? text : text?.message) ?? issue.message;
}

/**
 * Flattens zod issues (unions included) into "path: message" lines, in Chinese or English.
 * @example profileIssueLines(ProfileSchema.safeParse(json).error!, "zh")
 */
export function profileIssueLines(error: z.ZodError, lang: Lang = "en"): string[] {
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
      lines.push(`${formatPath(path) || "(root)"}: ${issueText(issue, path, lang)}`);
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
  // reportInput: the Chinese message of a wrong type says what was found
  const result = ProfileSchema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  throw new ConfigError("bad_profile", {
    zh: `配置文件 ${origin} 无效:\n  ${profileIssueLines(result.error, "zh").join("\n  ")}`,
    en: `profile ${origin} is invalid:\n  ${profileIssueLines(result.error, "en").join("\n  ")}`,
  });
}

/** Line and column (from 1) of a character offset. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}

/**
 * Why JSON.parse refused a profile, with line and column, and the two usual causes named: a
 * `//` comment (the docs' examples carry them) and a comma after the last item.
 */
export function jsonErrorMessages(text: string, error: Error, file: string): { zh: string; en: string } {
  const offset = /at position (\d+)/.exec(error.message)?.[1];
  if (offset === undefined)
    return {
      zh: `配置文件 ${file} 不是有效的 JSON: ${error.message}`,
      en: `profile ${file} is not valid JSON: ${error.message}`,
    };
  const at = Number(offset);
  const { line, column } = lineAndColumn(text, at);
  const lineText = text.split("\n")[line - 1] ?? "";
  const hintZh: string[] = [];
  const hintEn: string[] = [];
  if (/^\s*(\/\/|\/\*)/.test(text.slice(at)) || /(^|[,{[]\s*)\/\//.test(lineText)) {
    hintZh.push("JSON 不能有注释：删去 // 及其后的说明文字");
    hintEn.push("JSON has no comments: remove // and the explanation after it");
  } else if (/,\s*$/.test(text.slice(0, at)) && /^\s*[}\]]/.test(text.slice(at))) {
    hintZh.push("最后一项之后不能有逗号：删去这个逗号");
    hintEn.push("no comma after the last item: remove that comma");
  }
  const detail = error.message.replace(/\s*\(line \d+ column \d+\)/, "");
  return {
    zh: `配置文件 ${file} 不是有效的 JSON（第 ${line} 行第 ${column} 列）: ${detail}${hintZh.length ? `。${hintZh.join("；")}` : ""}`,
    en: `profile ${file} is not valid JSON (line ${line}, column ${column}): ${detail}${hintEn.length ? `. ${hintEn.join("; ")}` : ""}`,
  };
}

/**
 * A profile file's text in the encoding it was saved in, detected as for exports: UTF-8 (with or
 * without BOM), UTF-16 (Notepad's "Unicode") or GBK/GB18030 (Notepad's "ANSI" on Chinese Windows).
 * Read as UTF-8, a GBK file's column names are garbage that match no column of the export.
 * @example decodeProfileText(iconv.encode('{"sourceId": "警情编号"}', "gbk"))
 */
export function decodeProfileText(bytes: Uint8Array): string {
  const detected = detectEncoding(bytes);
  const decoder = chunkDecoder(detected.encoding);
  return decoder.write(bytes.subarray(detected.bomBytes)) + decoder.end();
}

/** Reads and validates a profile from a file path. */
export async function loadProfileFile(path: string): Promise<Profile> {
  let text: string;
  try {
    text = decodeProfileText(await readFile(path));
  } catch {
    throw new NotFoundError("profile_not_found", {
      zh: `找不到配置文件 ${path}`,
      en: `profile file ${path} not found`,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError("bad_profile_json", jsonErrorMessages(text, error as Error, basename(path)));
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
