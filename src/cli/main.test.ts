import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { expect, test } from "vitest";
import { COMMANDS } from "./commands/index.ts";
import { main } from "./main.ts";

function sink() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _e, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join("") };
}

test("every registered command loads and carries its own name", async () => {
  for (const entry of COMMANDS) expect((await entry.load()).name).toBe(entry.name);
  expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
});

test("help lists every command in the chosen language", async () => {
  const out = sink();
  expect(await main(["help", "--lang", "en"], { stdout: out.stream, env: {} })).toBe(0);
  for (const entry of COMMANDS) expect(out.text()).toContain(entry.name);
  expect(out.text()).toContain("Usage: recur <command>");
  const zh = sink();
  await main(["help"], { stdout: zh.stream, env: { LANG: "zh_CN.UTF-8" } });
  expect(zh.text()).toContain("用法");
});

test("an unknown command or option is a usage error (exit 2) with a message, not a stack trace", async () => {
  const err = sink();
  expect(
    await main(["no-such-command", "--lang", "en"], { stderr: err.stream, stdout: err.stream, env: {} }),
  ).toBe(2);
  expect(err.text()).toContain("Unknown command: no-such-command");
  const bad = sink();
  expect(
    await main(["redact", "--no-such-flag", "--lang", "en"], {
      stderr: bad.stream,
      stdout: bad.stream,
      env: {},
    }),
  ).toBe(2);
  expect(bad.text()).not.toMatch(/\n\s+at /);
});

test("`recur ... | head`: a reader that closes the pipe early ends the command quietly, exit 0", async () => {
  const { spawn } = await import("node:child_process");
  const { join } = await import("node:path");
  // `redact` echoes stdin line by line: far more lines than a pipe buffer holds.
  const child = spawn(join(import.meta.dirname, "..", "..", "bin", "recur"), ["redact", "--lang", "en"], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += String(d);
  });
  child.stdout.once("data", () => child.stdout.destroy());
  child.stdin.on("error", () => {});
  child.stdin.end("报警人电话13912345678，阳光小区3栋2单元501\n".repeat(200_000));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  expect(stderr).not.toContain("EPIPE");
  expect(code).toBe(0);
}, 60_000);

test("--db postgres://... opens PostgreSQL, as DATABASE_URL does, instead of making a folder for a SQLite file", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "recur-db-url-"));
  const out = sink();
  // Port 1: nothing listens, so the connection is refused at once, naming the URL.
  const code = await main(
    ["address", "dict", "--db", "postgres://127.0.0.1:1/recur", "--json", "--lang", "en"],
    {
      stderr: out.stream,
      stdout: out.stream,
      env: {},
      cwd,
    },
  );
  expect(code).toBe(1);
  expect(JSON.parse(out.text()).error).toMatchObject({
    code: "store_open_failed",
    message: expect.stringContaining("postgres://127.0.0.1:1/recur"),
  });
  expect(readdirSync(cwd)).toEqual([]);
});
