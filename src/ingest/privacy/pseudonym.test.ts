import fc from "fast-check";
import { expect, test } from "vitest";
import { RecurError } from "../../domain/index.ts";
import { landlineSpelled, mobileSpelled } from "./arbitraries.ts";
import { normalizePhone } from "./phone.ts";
import { base32, callerPseudonym, InvalidPhoneError, tryCallerPseudonym } from "./pseudonym.ts";

const key = (fill: number) => new Uint8Array(32).fill(fill);
const KEY_A = key(1);
const KEY_B = key(2);

test("the same number in any spelling gives the same pseudonym", () => {
  fc.assert(
    fc.property(mobileSpelled, (spelled) => {
      const plain = normalizePhone(spelled)!;
      expect(callerPseudonym(spelled, KEY_A)).toBe(callerPseudonym(plain, KEY_A));
    }),
    { seed: 11, numRuns: 300 },
  );
});

test("a landline in any spelling gives the pseudonym of its canonical digits", () => {
  fc.assert(
    fc.property(landlineSpelled, fc.constantFrom("", "+86 ", "0086-"), (spelled, prefix) => {
      const canonical = normalizePhone(spelled)!;
      const international = prefix === "" ? spelled : prefix + spelled.replace(/^0/, "");
      expect(callerPseudonym(international, KEY_A)).toBe(callerPseudonym(canonical, KEY_A));
    }),
    { seed: 13, numRuns: 300 },
  );
});

test("a pseudonym is c_ and 26 base32 characters, and holds no digit run of the number", () => {
  const p = callerPseudonym("13800138000", KEY_A);
  expect(p).toMatch(/^c_[a-z2-7]{26}$/);
  expect(p).not.toContain("138");
});

test("another deployment key gives another pseudonym", () => {
  fc.assert(
    fc.property(mobileSpelled, (spelled) => {
      expect(callerPseudonym(spelled, KEY_A)).not.toBe(callerPseudonym(spelled, KEY_B));
    }),
    { seed: 12, numRuns: 100 },
  );
});

test("different numbers give different pseudonyms", () => {
  expect(callerPseudonym("13800138000", KEY_A)).not.toBe(callerPseudonym("13800138001", KEY_A));
  expect(callerPseudonym("010-62345678", KEY_A)).toBe(callerPseudonym("+86 10 6234 5678", KEY_A));
});

test("the pseudonym is HMAC-SHA256 of the domain-separated normalised number", async () => {
  const { createHmac } = await import("node:crypto");
  const mac = createHmac("sha256", KEY_A).update("recur/caller/v1\u000013800138000").digest();
  expect(callerPseudonym("+86 138 0013 8000", KEY_A)).toBe(`c_${base32(mac.subarray(0, 16))}`);
});

test("a placeholder is not pseudonymised: it would link unrelated callers", () => {
  expect(() => callerPseudonym("未知", KEY_A)).toThrow(InvalidPhoneError);
  expect(tryCallerPseudonym("未知", KEY_A)).toBeNull();
  expect(tryCallerPseudonym("", KEY_A)).toBeNull();
  expect(tryCallerPseudonym("13800138000", KEY_A)).toBe(callerPseudonym("13800138000", KEY_A));
});

test("a short key is refused", () => {
  expect(() => callerPseudonym("13800138000", new Uint8Array(8))).toThrow(RecurError);
});

test("base32 follows RFC 4648 test vectors (lower case, no padding)", () => {
  const enc = (s: string) => base32(new TextEncoder().encode(s));
  expect([enc(""), enc("f"), enc("fo"), enc("foo"), enc("foob"), enc("fooba"), enc("foobar")]).toEqual([
    "",
    "my",
    "mzxq",
    "mzxw6",
    "mzxw6yq",
    "mzxw6ytb",
    "mzxw6ytboi",
  ]);
});

test("the pseudonym equals createHmac's for any number, key and key length (precomputed pads)", async () => {
  const { createHmac } = await import("node:crypto");
  const reference = (normalised: string, k: Uint8Array) =>
    `c_${base32(createHmac("sha256", k).update(`recur/caller/v1\u0000${normalised}`).digest().subarray(0, 16))}`;
  fc.assert(
    fc.property(
      fc.oneof(mobileSpelled, landlineSpelled),
      fc.uint8Array({ minLength: 32, maxLength: 100 }),
      (spelled, k) => {
        const normalised = normalizePhone(spelled)!;
        expect(callerPseudonym(spelled, k)).toBe(reference(normalised, k));
        expect(callerPseudonym(spelled, KEY_A)).toBe(reference(normalised, KEY_A));
      },
    ),
    { seed: 21, numRuns: 300 },
  );
});

test("a key array refilled between calls gives the new key's pseudonym", () => {
  const k = key(3);
  const before = callerPseudonym("13800138000", k);
  k.fill(4);
  expect(callerPseudonym("13800138000", k)).toBe(callerPseudonym("13800138000", key(4)));
  expect(callerPseudonym("13800138000", k)).not.toBe(before);
});
