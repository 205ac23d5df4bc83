import { PassThrough, Readable } from "node:stream";
import type { Lang } from "../domain/index.ts";
import { main } from "./main.ts";

/** What a command printed and returned, for tests of the CLI. */
export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Where and how a command runs in a test: its working directory, environment, stdin, language. */
export interface CliOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly stdin?: string;
  readonly lang?: Lang;
}

/** What a command printed, and what it returned or threw (an internal error reaches bin/recur). */
export type CliOutcome = { readonly out: string; readonly err: string } & (
  | { readonly code: number }
  | { readonly error: unknown }
);

/**
 * Runs `recur <args>` in-process, as the executable would, and collects its output.
 * @example const { code, out } = await runCli(["address", "rekey", "--db", db, "--json"], { cwd: dir });
 */
export async function runCli(args: readonly string[], options: CliOptions): Promise<CliRun> {
  const outcome = await runCliOutcome(args, options);
  if ("error" in outcome) throw outcome.error;
  return outcome;
}

/** runCli that keeps what the command printed when it throws (its output comes first). */
export async function runCliOutcome(args: readonly string[], options: CliOptions): Promise<CliOutcome> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d) => {
    out += d;
  });
  stderr.on("data", (d) => {
    err += d;
  });
  try {
    const code = await main([...args], {
      stdout,
      stderr,
      cwd: options.cwd,
      env: options.env ?? {},
      ...(options.stdin !== undefined ? { stdin: Readable.from([options.stdin]) } : {}),
      ...(options.lang ? { lang: options.lang } : {}),
    });
    return { code, out, err };
  } catch (error) {
    return { error, out, err };
  }
}
