/**
 * A/B speed of two source trees' address locators, measured in one process: each round runs both
 * over the Chinese dev addresses in chunks of 500, A then B, then B then A, so that the machine's
 * changing speed (other work on a shared machine) hits both alike. Prints per CPU-second medians
 * of `locate` and of parsing alone, and the median ratio B/A with its range over the rounds.
 * Run: node --import tsx bench/address-ab.ts <tree A> [tree B, default this one] [--rounds N]
 *   e.g. git worktree add /tmp/before <commit>; node --import tsx bench/address-ab.ts /tmp/before
 * (each tree needs a node_modules: `ln -s "$PWD/node_modules" /tmp/before/`).
 */
import { existsSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

type Locator = { locate(x: string): unknown; entities(x: string): unknown };
type AddressModule = {
  createAddressLocator(options: { region: string }): Locator;
  isLatinAddress(text: string): boolean;
};

const args = process.argv.slice(2);
const roundsAt = args.indexOf("--rounds");
const rounds = roundsAt >= 0 ? Number(args[roundsAt + 1]) : 10;
const trees = args.filter((a, i) => !a.startsWith("--") && (roundsAt < 0 || i !== roundsAt + 1));
const here = join(import.meta.dirname, "..");
const treeA = trees[0];
if (treeA === undefined || !Number.isInteger(rounds) || rounds < 1) {
  console.error("usage: node --import tsx bench/address-ab.ts <tree A> [tree B] [--rounds N]");
  process.exit(2);
}
const treeB = trees[1] ?? here;
const load = async (tree: string): Promise<AddressModule> =>
  (await import(pathToFileURL(join(resolve(tree), "src", "address", "index.ts")).href)) as AddressModule;
const A = await load(treeA);
const B = await load(treeB);

const data = join(here, "..", "shared", "data", "address");
const texts: string[] = [];
for (const corpus of ["leodotnet", "swei412"]) {
  const f = join(data, corpus, "dev.jsonl");
  if (!existsSync(f)) continue;
  for (const l of readFileSync(f, "utf8").split("\n"))
    if (l) texts.push((JSON.parse(l) as { text: string }).text);
}
if (texts.length === 0) {
  console.error(`no dev sets under ${data}: nothing to measure`);
  process.exit(2);
}
const chinese = texts.filter((x) => !A.isLatinAddress(x));
const la = A.createAddressLocator({ region: "浙江省" });
const lb = B.createAddressLocator({ region: "浙江省" });
// Warm-up as in bench/address.ts: two passes, compiled code and the per-county indexes built.
for (let i = 0; i < 2; i++)
  for (const x of chinese) {
    la.locate(x);
    lb.locate(x);
    la.entities(x);
    lb.entities(x);
  }

const CHUNK = 500;
const cpu = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const median = (values: readonly number[]): number => {
  const s = [...values].sort((x, y) => x - y);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const fmt = (v: number) => Math.round(v).toLocaleString("en");
const loadBefore = loadavg()[0] ?? 0;
for (const mode of ["locate", "parse"] as const) {
  const fa = mode === "locate" ? (x: string) => la.locate(x) : (x: string) => la.entities(x);
  const fb = mode === "locate" ? (x: string) => lb.locate(x) : (x: string) => lb.entities(x);
  const rateA: number[] = [];
  const rateB: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let usedA = 0;
    let usedB = 0;
    for (let i = 0, k = 0; i < chinese.length; i += CHUNK, k++) {
      const chunk = chinese.slice(i, i + CHUNK);
      for (const first of k % 2 === 0 ? [true, false] : [false, true]) {
        const t = cpu();
        for (const x of chunk) (first ? fa : fb)(x);
        if (first) usedA += cpu() - t;
        else usedB += cpu() - t;
      }
    }
    rateA.push(chinese.length / (usedA / 1e6));
    rateB.push(chinese.length / (usedB / 1e6));
  }
  const ratios = rateA.map((a, i) => (rateB[i] as number) / a);
  console.log(
    `${mode === "locate" ? "locate (parse + keys)" : "parse only"}: A ${fmt(median(rateA))}, B ${fmt(median(rateB))} per CPU-second ` +
      `(medians of ${rounds} rounds, ${chinese.length} Chinese dev addresses); B/A ${median(ratios).toFixed(3)} ` +
      `(rounds ${Math.min(...ratios).toFixed(3)}-${Math.max(...ratios).toFixed(3)})`,
  );
}
console.log(
  `A ${resolve(treeA)}, B ${resolve(treeB)}; load average ${loadBefore.toFixed(1)} -> ${(loadavg()[0] ?? 0).toFixed(1)}`,
);
