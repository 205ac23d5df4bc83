import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { decryptField, encryptField, FieldDecryptError } from "./crypt.ts";

const KEY = new Uint8Array(32).map((_, i) => i);
const OTHER_KEY = new Uint8Array(32).map((_, i) => 255 - i);

test("any text survives an encryption round trip", () => {
  fc.assert(
    fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (plain) => {
      expect(decryptField(encryptField(plain, KEY), KEY)).toBe(plain);
    }),
    { seed: 21, numRuns: 300 },
  );
});

test("the format is v1 and three base64url parts, and the plain text is not in it", () => {
  const enc = encryptField("13800138000", KEY);
  expect(enc).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
  expect(enc).not.toContain("13800138000");
});

test("the same value encrypts differently each time (random IV)", () => {
  expect(encryptField("13800138000", KEY)).not.toBe(encryptField("13800138000", KEY));
});

describe("tampering is detected", () => {
  const enc = encryptField("13800138000", KEY);
  const flip = (text: string, at: number) => {
    const c = text[at]!;
    return text.slice(0, at) + (c === "A" ? "B" : "A") + text.slice(at + 1);
  };
  const parts = enc.split(".");
  test.each([
    ["iv", parts[0]!.length + 1],
    ["tag", parts[0]!.length + parts[1]!.length + 2],
    ["ciphertext", enc.length - 2],
  ])("a changed %s throws FieldDecryptError", (_, at) => {
    expect(() => decryptField(flip(enc, at), KEY)).toThrow(FieldDecryptError);
  });

  test("every single-character change throws, whatever the IV", () => {
    // A fixed set of values rather than one: each has its own random IV and spare bits at the part ends.
    for (const value of ["13800138000", "", "王某 010-62345678", "x".repeat(50)])
      for (const spelled of [encryptField(value, KEY), encryptField(value, KEY)])
        for (let at = 3; at < spelled.length; at++) {
          if (spelled[at] === ".") continue;
          for (const c of "ABgw_-") {
            const changed = spelled.slice(0, at) + c + spelled.slice(at + 1);
            if (changed === spelled) continue;
            expect(() => decryptField(changed, KEY), `${changed}`).toThrow(FieldDecryptError);
          }
        }
  });

  test("every single-character change of one value throws", () => {
    for (let at = 3; at < enc.length; at++) {
      if (enc[at] === ".") continue;
      const changed = flip(enc, at);
      if (changed === enc) continue;
      expect(() => decryptField(changed, KEY), `position ${at}`).toThrow(FieldDecryptError);
    }
  });

  test("the wrong key throws with a clear message in both languages", () => {
    try {
      decryptField(enc, OTHER_KEY);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(FieldDecryptError);
      const e = error as FieldDecryptError;
      expect(e.messages.en).toMatch(/altered or the key differs/);
      expect(e.messages.zh).toMatch(/篡改/);
    }
  });

  test.each([["garbage"], ["v2.a.b.c"], ["v1.abc.def"], ["v1.!!!.b.c"], [`v1.AAAA.${parts[2]}.${parts[3]}`]])(
    "malformed %s throws",
    (text) => {
      expect(() => decryptField(text, KEY)).toThrow(FieldDecryptError);
    },
  );
});

test("a key of the wrong length is refused", () => {
  expect(() => encryptField("x", new Uint8Array(16))).toThrow(/32/);
});
