import fc from "fast-check";
import { expect, test } from "vitest";
import { arabise, CHINESE_NUMERAL_CHARS, canonicalText, chineseNumeral, toHalfWidth } from "./normalize.ts";

// canonicalText and arabise skip work where it would change nothing; these tests hold them to
// the plain definitions, every step applied every time.

/** arabise as a global replace (its definition). */
function arabiseByRegex(text: string): string {
  return text.replace(/[零〇一壹二贰两三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟]+/g, (run) => {
    const v = chineseNumeral(run);
    return v === null ? run : String(v);
  });
}

/** canonicalText without shortcuts. */
function canonicalByDefinition(text: string): string {
  return arabiseByRegex(toHalfWidth(text))
    .toUpperCase()
    .replace(/[\s\p{P}\p{S}]+/gu, "")
    .replace(/(^|\D)0+(\d)/g, "$1$2");
}

/** Texts mixing numerals, digits and zeros, letters of both cases and widths, spaces, punctuation, Han. */
const addressLike = fc.string({
  unit: fc.constantFrom(
    ...CHINESE_NUMERAL_CHARS,
    ..."0123456789０１aAbBＡａ号楼室阳光路小区第期 　-－·,，()（）#/ßé",
  ),
  maxLength: 12,
});

test("arabise agrees with a global replace of the numeral runs", () => {
  fc.assert(
    fc.property(addressLike, (text) => arabise(text) === arabiseByRegex(text)),
    { seed: 20261125, numRuns: 5000 },
  );
});

test("canonicalText agrees with its steps applied in full", () => {
  fc.assert(
    fc.property(addressLike, (text) => canonicalText(text) === canonicalByDefinition(text)),
    { seed: 20261125, numRuns: 5000 },
  );
});

test.each([
  ["文三路", "文3路"],
  ["一百零五号", "105号"],
  ["０８幢", "8幢"],
  ["b区 三期", "B区3期"],
  ["二十", "20"],
])("canonicalText(%s) is %s", (text, expected) => {
  expect(canonicalText(text)).toBe(expected);
});
