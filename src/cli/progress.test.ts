import { describe, expect, test } from "vitest";
import { progressBar } from "./progress.ts";

/** A terminal-like stream that records what is written to it. */
function terminal(isTTY = true) {
  const writes: string[] = [];
  return { writes, stream: Object.assign({ write: (s: string) => writes.push(s) > 0 }, { isTTY }) };
}

describe("progressBar", () => {
  test("draws the share done and the rate, then a status note, then clears the line", () => {
    const { writes, stream } = terminal();
    let clock = 0;
    const bar = progressBar(stream as never, "导入", 1000, true, () => clock);
    clock = 2000;
    bar.update(500);
    expect(writes.at(-1)).toBe(`\r导入 [${"#".repeat(15)}${".".repeat(15)}] 50% 500 (250/s)\x1b[K`);
    clock = 4000;
    bar.update(900, 2_000);
    expect(writes.at(-1)).toBe(`\r导入 [${"#".repeat(27)}${".".repeat(3)}] 90% 2,000 (500/s)\x1b[K`);
    bar.status("1,000 行已读完，正在提交（建立索引、日汇总）…");
    expect(writes.at(-1)).toBe("\r导入 1,000 行已读完，正在提交（建立索引、日汇总）…\x1b[K");
    bar.done();
    expect(writes.at(-1)).toBe("\r\x1b[K");
  });

  test("is silent when the stream is not a terminal or the output is JSON", () => {
    for (const [tty, enabled] of [
      [false, true],
      [true, false],
    ] as const) {
      const { writes, stream } = terminal(tty);
      const bar = progressBar(stream as never, "x", 10, enabled, () => 5000);
      bar.update(5);
      bar.status("committing");
      bar.done();
      expect(writes).toEqual([]);
    }
  });
});
