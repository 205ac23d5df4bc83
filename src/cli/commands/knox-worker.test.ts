import fc from "fast-check";
import { expect, test } from "vitest";
import { candidatePairs, gridTimes, integerKernelInput, simulateTables } from "../../analysis/knox/index.ts";
import { seededRandom } from "../../domain/index.ts";
import { integerRunner, mulberry32 } from "./knox-worker.mjs";

test("the worker's random stream is the domain's seeded Random", () => {
  for (const seed of [0, 1, 9489, 0xffffffff, 123456789]) {
    const ours = mulberry32(seed);
    const domain = seededRandom(seed);
    for (let k = 0; k < 1000; k++) expect(ours()).toBe(domain.next());
  }
});

test("the worker's JavaScript kernel gives exactly the tables of simulateTables", () => {
  const bands = { sbands: [0, 0.1, 200, 400], tbands: [0, 7, 14], distance: "manhattan" as const };
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(
          fc.integer({ min: 0, max: 1500 }),
          fc.integer({ min: 0, max: 1500 }),
          fc.integer({ min: 0, max: 60 }),
        ),
        {
          minLength: 2,
          maxLength: 150,
        },
      ),
      fc.integer({ min: 0, max: 2 ** 31 }),
      (rows, seed) => {
        const x = Float64Array.from(rows, (r) => r[0]);
        const y = Float64Array.from(rows, (r) => r[1]);
        const pairs = candidatePairs(x, y, bands);
        const times = gridTimes(
          pairs,
          Float64Array.from(rows, (r) => r[2]),
        );
        const kernel = integerKernelInput(pairs, times, bands.tbands)!;
        const out = new Int32Array(12 * kernel.cells);
        integerRunner({ ...kernel, seed })(0, 12, out);
        expect(Array.from(out)).toEqual(Array.from(simulateTables(pairs, times, bands.tbands, seed, 0, 12)));
      },
    ),
    { seed: 21, numRuns: 60 },
  );
});
