import fc from "fast-check";
import { expect, test } from "vitest";
import { trimCell, visibleName } from "./trim.ts";

test.each([
  ["\u3000J123\u200b", "J123"],
  ["\ufeff 接警单号\u2060", "接警单号"],
  ["接警\u200b单号", "接警\u200b单号"],
  ["\u200b\u200c\u200d", ""],
  ["J123", "J123"],
])("trimCell(%j) is %j", (text, expected) => {
  expect(trimCell(text)).toBe(expected);
});

test("trimCell is String.prototype.trim, plus the zero-width characters at the edges", () => {
  const zeroWidth = /^[\u200b-\u200d\u2060]+|[\u200b-\u200d\u2060]+$/g;
  const piece = fc.constantFrom(
    " ",
    "\t",
    "\u3000",
    "\u00a0",
    "\ufeff",
    "\u200b",
    "\u2060",
    "a",
    "报",
    "\u200d",
    "1",
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
      const text = pieces.join("");
      // Alternately stripping one and the other reaches what trimCell gives in one pass.
      let expected = text;
      for (let i = 0; i < 12; i++) expected = expected.trim().replace(zeroWidth, "");
      expect(trimCell(text)).toBe(expected);
    }),
    { seed: 7, numRuns: 500 },
  );
});

test("visibleName shows the characters that print as nothing", () => {
  expect(visibleName("接警\u200b单号\u0001")).toBe("接警<U+200B>单号<U+0001>");
  expect(visibleName("报警时间")).toBe("报警时间");
});
