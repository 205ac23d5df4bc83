import type { ParseArgsConfig } from "node:util";
import type { Lang } from "../domain/index.ts";

/** Everything a command may touch of the outside world, passed in so commands stay testable. */
export interface CommandContext {
  readonly lang: Lang;
  /** `--json`: machine-readable output on stdout, no progress bars. */
  readonly json: boolean;
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
  readonly positionals: readonly string[];
}

/** One `recur <name>` command. Each lives in its own file in `src/cli/commands/`. */
export interface Command {
  readonly name: string;
  readonly summary: Readonly<Record<Lang, string>>;
  /** Usage line(s) after `recur <name>`, e.g. "FILE --profile NAME [--db PATH]". */
  readonly usage: string;
  readonly options: OptionSpec;
  /** Returns the process exit code. Bad input is reported, not thrown; contract errors may throw RecurError. */
  run(args: ParsedArgs, ctx: CommandContext): Promise<number>;
}

/** Options every command accepts. */
export const GLOBAL_OPTIONS: OptionSpec = {
  json: { type: "boolean", default: false },
  lang: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
};

/** Picks zh or en from, in order: --lang, RECUR_LANG, LC_ALL / LC_MESSAGES / LANG; Chinese first. */
export function resolveLang(flag: unknown, env: NodeJS.ProcessEnv): Lang {
  const pick = (v: string | undefined): Lang | undefined =>
    v?.toLowerCase().startsWith("en") ? "en" : v?.toLowerCase().startsWith("zh") ? "zh" : undefined;
  return (
    pick(typeof flag === "string" ? flag : undefined) ??
    pick(env.RECUR_LANG) ??
    pick(env.LC_ALL) ??
    pick(env.LC_MESSAGES) ??
    pick(env.LANG) ??
    "zh"
  );
}

/** Writes one line. */
export function println(stream: NodeJS.WritableStream, text = ""): void {
  stream.write(`${text}\n`);
}

/** Picks the text for the context's language. */
export function t(ctx: Pick<CommandContext, "lang">, zh: string, en: string): string {
  return ctx.lang === "zh" ? zh : en;
}
