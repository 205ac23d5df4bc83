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
