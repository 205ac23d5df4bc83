/**
 * Generated spellings of invented US block addresses (test/us-address-variants.ts) through
 * `createAddressLocator`: groups, spellings, groups with one key per level, pairs of different
 * places merged, and the failures.
 * Run: node --import tsx bench/us-address-variants.ts [--seed N] [--per N] [--all]
 */
import { createAddressLocator } from "../src/address/locator.ts";
import { measureVariants } from "../test/address-variants.ts";
import { usVariantCorpus } from "../test/us-address-variants.ts";

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const corpus = usVariantCorpus({ seed: opt("--seed", 1), perGroup: opt("--per", 16) });
const locator = createAddressLocator();
const report = measureVariants((t) => locator.locate(t), corpus);
console.log(
  `groups ${report.groups}, spellings ${report.spellings}, groups with one key per level ${report.groupsWithOneKey}, pairs of different places merged ${report.mergedPairs}, failures ${report.failures.length}`,
);
const shown = args.includes("--all") ? report.failures : report.failures.slice(0, 60);
for (const f of shown) console.log(`${f.kind} ${f.level}: ${f.detail}`);
