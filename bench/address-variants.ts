/**
 * Generated variant spellings of invented places (test/address-variants.ts) through the
 * rule parser's locator in 浙江省杭州市: groups, spellings, groups with one key per level, pairs
 * of different places merged, and the failures.
 * Run: node --import tsx bench/address-variants.ts [--seed N] [--per N] [--all]
 */
import { createAddressLocator } from "../src/address/locator.ts";
import { measureVariants, variantCorpus } from "../test/address-variants.ts";

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const corpus = variantCorpus({ seed: opt("--seed", 1), perGroup: opt("--per", 24) });
const locator = createAddressLocator({ region: "浙江省杭州市" });
const report = measureVariants((t) => locator.locate(t), corpus);
console.log(
  `groups ${report.groups}, spellings ${report.spellings}, groups with one key per level ${report.groupsWithOneKey}, pairs of different places merged ${report.mergedPairs}, failures ${report.failures.length}`,
);
const shown = args.includes("--all") ? report.failures : report.failures.slice(0, 60);
for (const f of shown) console.log(`${f.kind} ${f.level}: ${f.detail}`);
