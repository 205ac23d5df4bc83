import { PassThrough } from "node:stream";
import { main } from "../src/cli/main.ts";

/** A writable stream that keeps what was written. */
export function capture() {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk) => {
    text += chunk;
  });
  return { stream, text: () => text };
}

/**
 * Runs `recur ARGS` in-process with captured output, English messages and an empty
 * environment unless given.
 * @example
 * const { code, stdout } = await recur(["audit", "verify", "--db", path, "--json"]);
 */
export async function recur(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = capture();
  const err = capture();
  const code = await main(args, {
    stdout: out.stream,
    stderr: err.stream,
    env: options.env ?? {},
    lang: "en",
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  return { code, stdout: out.text(), stderr: err.text() };
}
