/**
 * One gazetteer start-up in a fresh process, as a command makes it: the module loaded, then the
 * national gazetteer built from the data package or read from its snapshot in FOLDER (made there
 * when missing). Prints one JSON line; bench/address.ts runs it.
 * Run: node --expose-gc --import tsx bench/gazetteer-start.ts [FOLDER]
 */
const folder = process.argv[2];
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const rssBefore = process.memoryUsage().rss;
const cpuStart = process.cpuUsage();
const start = performance.now();
const { gazetteerFrom } = await import("../src/address/gazetteer.ts");
const store = folder ? (await import("../src/cli/gazetteer-cache.ts")).gazetteerCacheFolder(folder) : null;
const loaded = performance.now() - start;
const gazetteer = gazetteerFrom([], store);
const ms = performance.now() - start;
const cpu = process.cpuUsage(cpuStart);
gc?.();
console.log(
  JSON.stringify({
    divisions: gazetteer.size,
    ms,
    moduleMs: loaded,
    cpuMs: (cpu.user + cpu.system) / 1000,
    heapMB: (process.memoryUsage().heapUsed - heapBefore) / 1e6,
    rssMB: (process.memoryUsage().rss - rssBefore) / 1e6,
    exactHeap: gc !== undefined,
  }),
);
