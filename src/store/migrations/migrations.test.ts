import { readdirSync } from "node:fs";
import { expect, test } from "vitest";
import { MIGRATIONS } from "./index.ts";

const files = readdirSync(import.meta.dirname).filter(
  (f) => /^\d{4}_.*\.ts$/.test(f) && !f.endsWith(".test.ts"),
);

test("every migration file in the folder is registered under its file name", () => {
  expect(MIGRATIONS.map(([name]) => `${name}.ts`).sort()).toEqual(files.sort());
});

test("migrations are listed in the order their names sort, each name once", () => {
  const names = MIGRATIONS.map(([name]) => name);
  expect(names).toEqual([...names].sort());
  expect(new Set(names).size).toBe(names.length);
});

test("every migration can be undone", () => {
  expect(MIGRATIONS.filter(([, m]) => typeof m.down !== "function").map(([name]) => name)).toEqual([]);
});
