import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * `recur demo` started for a test (browser tests, and the CLI's own demo test): a small city in a
 * folder of the test's, on a free port, ready when /api/health says so.
 */

const ROOT = join(import.meta.dirname, "..");

export interface Demo {
  readonly url: string;
  readonly server: ChildProcess;
  /** What the command has printed so far (stdout and stderr). */
  output(): string;
  /** Generated demo passwords by user name (credentials.txt in the demo's folder). */
  readonly passwords: ReadonlyMap<string, string>;
}

/** Starts `recur demo` in `dir` on port 0 with a small city; resolves once it is ready. */
export async function startDemo(
  dir: string,
  incidents: number,
  env: Readonly<Record<string, string>> = {},
): Promise<Demo> {
  const child = spawn(
    join(ROOT, "bin", "recur"),
    ["demo", "--incidents", String(incidents), "--port", "0", "--host", "127.0.0.1", "--dir", dir],
    { cwd: dir, env: { ...process.env, RECUR_LANG: "en", ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout?.on("data", (d) => {
    out += String(d);
  });
  child.stderr?.on("data", (d) => {
    out += String(d);
  });
  const deadline = Date.now() + 120_000;
  let url = "";
  while (Date.now() < deadline) {
    url ||= /http:\/\/[\w.:]+/.exec(out)?.[0] ?? "";
    if (url) {
      const health = await fetch(`${url}/api/health`)
        .then((r) => r.json() as Promise<{ phase: string }>)
        .catch(() => ({ phase: "down" }));
      if (health.phase === "ready") {
        const passwords = new Map<string, string>();
        for (const line of (await readFile(join(dir, "credentials.txt"), "utf8")).split("\n")) {
          const [user, password] = line.split("\t");
          if (user && password && !user.startsWith("#")) passwords.set(user, password);
        }
        return { url, server: child, passwords, output: () => out };
      }
      if (health.phase === "failed") throw new Error(out);
    }
    if (child.exitCode !== null) throw new Error(`recur demo exited: ${out}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  child.kill("SIGTERM");
  throw new Error(`recur demo not ready in 120 s: ${out}`);
}
