import fc from "fast-check";
import { expect, test } from "vitest";
import { landlineSpelled, mobileDigits, mobileSpelled } from "./arbitraries.ts";
import { normalizePhone } from "./phone.ts";

test.each([
  ["13800138000", "13800138000"],
  ["+86 138-0013-8000", "13800138000"],
  ["0086 13800138000", "13800138000"],
  ["8613800138000", "13800138000"],
  ["＋８６　１３８　００１３　８０００", "13800138000"],
  ["138 0013 8000", "13800138000"],
  ["010-62345678", "01062345678"],
  ["（0755）8888 6666", "075588886666"],
  ["+86 755 8888 6666", "075588886666"],
  ["+86 10 6234 5678", "01062345678"],
  ["400-800-1234", "4008001234"],
  ["87654321", "87654321"],
  ["110", "110"],
  ["12345", "12345"],
  ["+1 415 555 0100", "+14155550100"],
  ["001 415 555 0100", "+14155550100"],
])("%s is the number %s", (raw, canonical) => {
  expect(normalizePhone(raw)).toBe(canonical);
});

test.each([
  [""],
  ["   "],
  ["未知"],
  ["无"],
  ["unknown"],
  ["-"],
  ["00000000000"],
  ["138****8000"],
  ["12"],
  ["1234567890123456789012"],
  ["+86 12"],
])("%j is not a phone number", (raw) => {
  expect(normalizePhone(raw)).toBeNull();
});

test("every spelling of a mobile number normalises to its 11 digits", () => {
  fc.assert(
    fc.property(mobileSpelled, (spelled) => {
      const digits = spelled
        .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
        .replace(/\D/g, "")
        .replace(/^(0086|86)/, "");
      expect(normalizePhone(spelled)).toBe(digits);
    }),
    { seed: 7, numRuns: 500 },
  );
});

test("a landline keeps its area code with the trunk 0", () => {
  fc.assert(
    fc.property(landlineSpelled, (spelled) => {
      const result = normalizePhone(spelled);
      expect(result).toMatch(/^(0\d{9,11}|[48]00\d{7})$/);
    }),
    { seed: 8, numRuns: 500 },
  );
});

test("normalising is idempotent, so the import may pseudonymise an already normalised number", () => {
  fc.assert(
    fc.property(fc.oneof(mobileSpelled, landlineSpelled, mobileDigits), (spelled) => {
      const once = normalizePhone(spelled);
      expect(once).not.toBeNull();
      expect(normalizePhone(once!)).toBe(once);
    }),
    { seed: 9, numRuns: 500 },
  );
  for (const raw of ["+14155550100", "87654321", "110", "4008001234"])
    expect(normalizePhone(normalizePhone(raw)!)).toBe(normalizePhone(raw));
});

test("a number written as ASCII digits alone reads as the same number with a space or dash in it", () => {
  // Digits alone skip the cleaning; a separator takes the full path: both must agree.
  fc.assert(
    fc.property(
      fc.stringMatching(/^[0-9]{1,22}$/),
      fc.integer({ min: 1, max: 21 }),
      fc.constantFrom(" ", "-", "　"),
      fc.constantFrom({}, { areaCode: "0755" }),
      (digits, at, separator, options) => {
        const cut = Math.min(at, digits.length);
        const spelled = `${digits.slice(0, cut)}${separator}${digits.slice(cut)}`;
        expect(normalizePhone(digits, options)).toBe(normalizePhone(spelled, options));
      },
    ),
    { seed: 12, numRuns: 1000 },
  );
  expect(normalizePhone("000000")).toBeNull();
  expect(normalizePhone("87654321", { areaCode: "0755" })).toBe("075587654321");
});

test("with the deployment's area code a local number is the same caller as the full landline", () => {
  const options = { areaCode: "0755" };
  expect(normalizePhone("8765 4321", options)).toBe("075587654321");
  expect(normalizePhone("0755-87654321", options)).toBe("075587654321");
  expect(normalizePhone("13800138000", options)).toBe("13800138000");
  expect(normalizePhone("010-62345678", options)).toBe("01062345678");
  expect(normalizePhone("87654321")).toBe("87654321");
  // A malformed area code is ignored rather than producing a number that does not exist.
  expect(normalizePhone("87654321", { areaCode: "755" })).toBe("87654321");
});
