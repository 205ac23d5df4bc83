import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import iconv from "iconv-lite";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { isRecurError } from "../domain/index.ts";
import { archiveKind, byName, liveUnpackFolders, unpackArchive } from "./archives.ts";
import { DEFAULT_LIMITS } from "./limits.ts";
import { SYNTH_HEADER, synthRow, tempDir } from "./testing/files.ts";
import { zip } from "./testing/zip.ts";

const dir = tempDir("recur-archives-");
// Unpacked folders go here, so the test can see that none is left behind.
const tmp = join(dir, "tmp");
mkdirSync(tmp);
const savedTmp = process.env.TMPDIR;
beforeAll(() => {
  process.env.TMPDIR = tmp;
});
afterAll(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
});

const csv = (id: string) => Buffer.from(`${SYNTH_HEADER}\r\n${synthRow({ 接警单号: id })}\r\n`);
const write = (name: string, bytes: Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};
const codeOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return "none";
  } catch (error) {
    expect(isRecurError(error), String(error)).toBe(true);
    return (error as { code: string }).code;
  }
};

describe("unpacking compressed exports", () => {
  test("a .zip gives its exports in name order (2024-9 before 2024-10), GBK names read, the rest passed over", async () => {
    const path = write(
      "2024.zip",
      zip([
        { name: "2024/", data: Buffer.alloc(0) },
        { name: "2024/2024-10.csv", data: csv("Z10"), flags: 0x800 },
        // Written by a zip tool on Chinese Windows: a GBK name without the UTF-8 flag.
        { name: "", nameBytes: iconv.encode("2024/2024-9五月.csv", "gbk"), data: csv("Z9") },
        { name: "2024/说明.md", data: Buffer.from("not an export"), flags: 0x800 },
        { name: "__MACOSX/2024/._2024-9.csv", data: Buffer.from("resource fork") },
        { name: "2024/.hidden.csv", data: csv("H") },
      ]),
    );
    const unpacked = await unpackArchive(path);
    try {
      expect(unpacked.files.map((f) => f.name)).toEqual([
        "2024.zip:2024/2024-9五月.csv",
        "2024.zip:2024/2024-10.csv",
      ]);
      expect(readFileSync(unpacked.files[0]?.path ?? "").equals(csv("Z9"))).toBe(true);
      expect(unpacked.skipped).toEqual(["2024/说明.md", "__MACOSX/2024/._2024-9.csv", "2024/.hidden.csv"]);
    } finally {
      await unpacked.remove();
    }
    expect(readdirSync(tmp)).toEqual([]);
  });

  test("two entries of one name in different folders are both kept", async () => {
    const path = write(
      "months.zip",
      zip([
        { name: "1月/警情.csv", data: csv("A"), flags: 0x800 },
        { name: "2月/警情.csv", data: csv("B"), flags: 0x800 },
      ]),
    );
    const unpacked = await unpackArchive(path);
    try {
      expect(unpacked.files.map((f) => readFileSync(f.path).toString().includes("A"))).toEqual([true, false]);
      expect(new Set(unpacked.files.map((f) => f.path)).size).toBe(2);
    } finally {
      await unpacked.remove();
    }
  });

  test("entry names reaching outside (../../x.csv, /abs.csv) are written inside the temporary folder", async () => {
    const path = write(
      "escape.zip",
      zip([
        { name: "../../../escaped.csv", data: csv("E1") },
        { name: "/abs.csv", data: csv("E2") },
      ]),
    );
    const unpacked = await unpackArchive(path);
    try {
      const inside = readdirSync(tmp).map((name) => join(tmp, name));
      expect(inside).toHaveLength(1);
      for (const f of unpacked.files) expect(f.path.startsWith(`${inside[0]}/`)).toBe(true);
      expect(unpacked.files.map((f) => f.name).sort()).toEqual([
        "escape.zip:../../../escaped.csv",
        "escape.zip:/abs.csv",
      ]);
      expect(existsSync(join(dir, "..", "escaped.csv"))).toBe(false);
    } finally {
      await unpacked.remove();
    }
  });

  test("an unpacked folder is watched for Ctrl-C only while it exists", async () => {
    const before = process.listenerCount("SIGINT");
    const unpacked = await unpackArchive(write("watched.csv.gz", gzipSync(csv("W"))));
    expect(liveUnpackFolders()).toBe(1);
    expect(process.listenerCount("SIGINT")).toBe(before + 1);
    await unpacked.remove();
    expect(liveUnpackFolders()).toBe(0);
    expect(process.listenerCount("SIGINT")).toBe(before);
    // A failed unpack forgets its folder too.
    await unpackArchive(write("bad.csv.gz", Buffer.from("not gzip"))).catch(() => undefined);
    expect(liveUnpackFolders()).toBe(0);
    expect(process.listenerCount("SIGINT")).toBe(before);
  });

  test("on a signal another listener handles (recur serve), the folders go and the process is left to it", async () => {
    let handled = 0;
    // Registered first, once, as recur serve does: it runs before the archive's own listener.
    process.once("SIGTERM", () => {
      handled++;
    });
    const unpacked = await unpackArchive(write("served.csv.gz", gzipSync(csv("S"))));
    const folder = readdirSync(tmp);
    expect(folder).toHaveLength(1);
    process.emit("SIGTERM", "SIGTERM");
    // Still running (a re-raised SIGTERM would have ended this process), the handler ran, no folder.
    expect(handled).toBe(1);
    expect(readdirSync(tmp)).toEqual([]);
    expect(liveUnpackFolders()).toBe(0);
    await unpacked.remove();
  });

  test("a .csv.gz gives its export", async () => {
    const path = write("2024-05.csv.gz", gzipSync(csv("G")));
    expect(archiveKind(path)).toBe("gzip");
    const unpacked = await unpackArchive(path);
    try {
      expect(unpacked.files.map((f) => f.name)).toEqual(["2024-05.csv.gz:2024-05.csv"]);
      expect(readFileSync(unpacked.files[0]?.path ?? "").equals(csv("G"))).toBe(true);
    } finally {
      await unpacked.remove();
    }
  });

  test("an encrypted, damaged, bomb-like or empty archive is a clear error and leaves nothing behind", async () => {
    const encrypted = write("locked.zip", zip([{ name: "a.csv", data: csv("E"), flags: 0x1 }]));
    expect(await codeOf(unpackArchive(encrypted))).toBe("archive_encrypted");
    expect(
      await codeOf(unpackArchive(write("broken.zip", Buffer.from("PK\u0003\u0004 not really a zip")))),
    ).toBe("archive_invalid");
    expect(await codeOf(unpackArchive(write("broken.csv.gz", Buffer.from("not gzip"))))).toBe(
      "archive_invalid",
    );
    // 8 MiB of one repeated row packs to a few KiB: past a ratio of 50, and past 2 MiB for a file.
    const bomb = Buffer.from(
      synthRow()
        .repeat(40_000)
        .slice(0, 8 * 1024 * 1024),
    );
    const limits = { ...DEFAULT_LIMITS, maxXlsxRatio: 50 };
    expect(await codeOf(unpackArchive(write("bomb.zip", zip([{ name: "a.csv", data: bomb }])), limits))).toBe(
      "archive_too_large",
    );
    // The declared size lies (1 KiB): the bytes written are counted.
    expect(
      await codeOf(
        unpackArchive(write("liar.zip", zip([{ name: "a.csv", data: bomb, declaredSize: 1024 }])), {
          ...limits,
          maxFileBytes: 2 * 1024 * 1024,
        }),
      ),
    ).not.toBe("none");
    expect(await codeOf(unpackArchive(write("bomb.csv.gz", gzipSync(bomb)), limits))).toBe(
      "archive_too_large",
    );
    // An entry name no file system takes (a NUL in it).
    expect(
      await codeOf(unpackArchive(write("nul.zip", zip([{ name: "a\u0000b.csv", data: csv("N") }])))),
    ).toBe("archive_invalid");
    const none = write("docs.zip", zip([{ name: "readme.md", data: Buffer.from("hello") }]));
    try {
      await unpackArchive(none);
      expect.unreachable();
    } catch (error) {
      expect((error as { code: string }).code).toBe("no_files_in_archive");
      expect((error as { messages: { en: string } }).messages.en).toContain("readme.md");
    }
    expect(readdirSync(tmp)).toEqual([]);
    expect(existsSync(tmp)).toBe(true);
  });
});

describe("name order", () => {
  test.each([
    [
      ["十二月.csv", "一月.csv", "十月.csv", "二月.csv", "十一月.csv", "九月.csv"],
      ["一月.csv", "二月.csv", "九月.csv", "十月.csv", "十一月.csv", "十二月.csv"],
    ],
    [
      ["二〇二四年十月.csv", "二〇二四年五月.csv"],
      ["二〇二四年五月.csv", "二〇二四年十月.csv"],
    ],
    [
      ["2024年10月.csv", "2024年5月.csv", "2024年二十月.csv"],
      ["2024年5月.csv", "2024年10月.csv", "2024年二十月.csv"],
    ],
    [
      ["2024-10.csv", "2024-9.csv"],
      ["2024-9.csv", "2024-10.csv"],
    ],
  ])("months written in Chinese numerals go in month order (%j)", (names, sorted) => {
    expect([...names].sort(byName)).toEqual(sorted);
    expect([...names].reverse().sort(byName)).toEqual(sorted);
  });

  test("names equal as numbers (2024-1, 2024-01) still have one order, whatever order they came in", () => {
    const names = ["2024-1.csv", "2024-01.csv", "2024-02.csv", "2024-2.csv"];
    expect([...names].sort(byName)).toEqual([...names].reverse().sort(byName));
  });
});
