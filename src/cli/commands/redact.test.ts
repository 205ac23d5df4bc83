import { PassThrough, Readable } from "node:stream";
import iconv from "iconv-lite";
import { expect, test } from "vitest";
import { main } from "../main.ts";

function capture() {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk) => {
    text += chunk;
  });
  return { stream, text: () => text };
}

async function redact(input: string | Buffer | Buffer[], args: string[] = [], lang: "zh" | "en" = "en") {
  const out = capture();
  const err = capture();
  const chunks = Array.isArray(input) ? input : [input];
  const code = await main(["redact", ...args], {
    stdin: Readable.from(chunks),
    stdout: out.stream,
    stderr: err.stream,
    env: {},
    lang,
  });
  return { code, stdout: out.text(), stderr: err.text() };
}

test("recur redact masks every line and keeps ordinary numbers and line endings", async () => {
  const input =
    "报警人电话138 0013 8000，住3栋2单元501室\r\n身份证11010519491231002X\n\n2024-05-01 20:30 京A12345";
  const { code, stdout } = await redact(input);
  expect(code).toBe(0);
  expect(stdout).toBe(
    "报警人电话〔手机号〕，住3栋2单元501室\r\n身份证〔身份证号〕\n\n2024-05-01 20:30 〔车牌号〕",
  );
});

test("an identifier split across input chunks is still masked", async () => {
  const bytes = Buffer.from("电话13800138000。\n手机１３９００１３９０００\n");
  // Cut inside the digits and inside a multi-byte character.
  const { stdout } = await redact([bytes.subarray(0, 9), bytes.subarray(9, 31), bytes.subarray(31)]);
  expect(stdout).toBe("电话〔手机号〕。\n手机〔手机号〕\n");
});

test("--encoding gbk reads GBK input and writes UTF-8", async () => {
  const { stdout } = await redact(iconv.encode("联系电话13800138000\n", "gbk"), ["--encoding", "gbk"]);
  expect(stdout).toBe("联系电话〔手机号〕\n");
});

test("--json writes one object per line with what was masked", async () => {
  const { stdout } = await redact("手机13800138000，卡号京A12345\n无号码\n", ["--json"]);
  expect(
    stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l)),
  ).toEqual([
    { line: 1, text: "手机〔手机号〕，卡号〔车牌号〕", masked: { mobile: 1, plate: 1 } },
    { line: 2, text: "无号码", masked: {} },
  ]);
});

test("--stats reports the counts on stderr in the user's language", async () => {
  const input = "13800138000\n11010519491231002X\n";
  expect((await redact(input, ["--stats"], "zh")).stderr).toBe(
    "已处理 2 行，遮蔽 2 处（身份证号 1，手机号 1）\n",
  );
  expect((await redact(input, ["--stats"], "en")).stderr).toBe(
    "2 lines, 2 identifiers masked (resident IDs 1, mobile numbers 1)\n",
  );
});

test("an unknown encoding is a usage error", async () => {
  const { code, stderr } = await redact("", ["--encoding", "latin1"]);
  expect(code).toBe(2);
  expect(stderr).toContain("unsupported encoding latin1");
});

test("a huge line without newlines is masked in pieces, cut only at punctuation", async () => {
  const sentence = "报警人电话13800138000，住3栋2单元501室。";
  const input = sentence.repeat(60_000); // ~1.8 M characters, no newline
  const { stdout } = await redact(input);
  expect(stdout).toBe("报警人电话〔手机号〕，住3栋2单元501室。".repeat(60_000));
});
