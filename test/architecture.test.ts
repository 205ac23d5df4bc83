import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, test } from "vitest";

/**
 * Dependencies point inward (../shared/STYLE.md): the pure domain folders never import the
 * edges (store, server, cli), and never touch files, sockets, the clock, the environment or
 * Math.random themselves; those come in as arguments.
 */
const ROOT = join(import.meta.dirname, "..", "src");
const PURE = ["domain", "address", "repeat", "quality", "text", "analysis", "cases", "synth"] as const;
const EDGES = ["store", "server", "cli"] as const;
const FORBIDDEN_CALLS: readonly [RegExp, string][] = [
  [/\bDate\.now\(/, "Date.now()"],
  [/\bnew Date\(\)/, "new Date()"],
  [/\bMath\.random\(/, "Math.random()"],
  [/\bprocess\.env\b/, "process.env"],
  [/from\s+["']node:(fs|net|http|https|child_process|worker_threads)(\/promises)?["']/, "node I/O module"],
];

function sourceFiles(dir: string): string[] {
  let out: string[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(sourceFiles(path));
    else if (name.endsWith(".ts") && !name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

describe.each(PURE)("src/%s is pure", (folder) => {
  const files = sourceFiles(join(ROOT, folder));

  test("imports nothing from the edges", () => {
    const offenders = files.flatMap((file) => {
      const text = readFileSync(file, "utf8");
      return EDGES.filter((edge) => new RegExp(`from\\s+["'](\\.\\./)+${edge}/`).test(text)).map(
        (edge) => `${relative(ROOT, file)} -> ${edge}`,
      );
    });
    expect(offenders).toEqual([]);
  });

  test("does not read the clock, the environment, files or Math.random", () => {
    const offenders = files.flatMap((file) => {
      const text = readFileSync(file, "utf8");
      return FORBIDDEN_CALLS.filter(([pattern]) => pattern.test(text)).map(
        ([, what]) => `${relative(ROOT, file)}: ${what}`,
      );
    });
    expect(offenders).toEqual([]);
  });
});

test("the domain imports only itself", () => {
  const offenders = sourceFiles(join(ROOT, "domain")).filter((file) =>
    /from\s+["']\.\.\//.test(readFileSync(file, "utf8")),
  );
  expect(offenders).toEqual([]);
});
