import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { findIdentifiers, maskText } from "./mask.ts";

/**
 * Masking on real text: the labelled address corpus in ../shared/data holds real addresses as
 * typed by people, with phone numbers glued to names, rooms and roads. Checked against an
 * independent pattern, not against the scanner itself.
 */
const DATA = join(import.meta.dirname, "..", "..", "..", "..", "shared", "data");
const ADDRESSES = join(DATA, "address", "swei412", "train.jsonl");
const MESSAGES = join(DATA, "text", "messages_with_replies.csv");

const fold = (s: string) => s.replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
/** A mainland mobile standing on its own (not part of a longer digit run). */
const STANDALONE_MOBILE = /(?<!\d)1[3-9]\d{9}(?!\d)/;

test.skipIf(!existsSync(ADDRESSES))(
  "no stand-alone mobile number survives masking in 34,000 real addresses (needs ../shared/data)",
  () => {
    const texts = readFileSync(ADDRESSES, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { text: string }).text);
    const before = texts.filter((t) => STANDALONE_MOBILE.test(fold(t))).length;
    const left = texts.map(maskText).filter((t) => STANDALONE_MOBILE.test(fold(t)));
    expect(before).toBeGreaterThan(50); // the premise: the corpus does hold real numbers
    expect(left).toEqual([]);
  },
);

test.skipIf(!existsSync(MESSAGES))(
  "real government replies keep their timestamps and amounts and lose their phone numbers (needs ../shared/data)",
  () => {
    const text = readFileSync(MESSAGES, "utf8");
    const spans = findIdentifiers(text);
    const kinds = new Set(spans.map((s) => s.kind));
    expect(kinds.has("landline")).toBe(true);
    // Timestamps (2019/4/25 9:32:09) and amounts (4952609.59元) occur thousands of times: none may change.
    const ordinary = /20\d\d\/\d{1,2}\/\d{1,2} \d{1,2}:\d\d:\d\d|\d+(\.\d+)?万?元/g;
    const kept = text.match(ordinary) ?? [];
    expect(kept.length).toBeGreaterThan(5000);
    const masked = maskText(text);
    expect(masked.match(ordinary)).toEqual(kept);
    // A landline with area code (the corpus also holds zeroed-out numbers like 0000-00000000: not numbers).
    expect(fold(masked)).not.toMatch(/(?<!\d)0[1-9]\d{1,2}[-－—][2-9]\d{6,7}(?!\d)/);
    expect(fold(text)).toMatch(/(?<!\d)0[1-9]\d{1,2}[-－—][2-9]\d{6,7}(?!\d)/);
  },
);

const US_EXPORTS = [
  join(DATA, "cfs", "milwaukee-2018-05.csv"),
  join(DATA, "cfs", "san-luis-obispo-2021-22.csv"),
  join(DATA, "crime", "chicago-aggravated-assaults-2010-19.csv"),
  join(DATA, "crime", "houston-2010.csv"),
  join(DATA, "crime", "vancouver-2020.csv"),
];

test.skipIf(!US_EXPORTS.every((f) => existsSync(f)))(
  "real US exports hold no Chinese identifiers, and nothing in them is masked: coordinates, case numbers, dates and code sections stay (needs ../shared/data)",
  () => {
    for (const file of US_EXPORTS) {
      const found = findIdentifiers(readFileSync(file, "utf8"));
      expect({ file, found: found.length }).toEqual({ file, found: 0 });
    }
  },
);
