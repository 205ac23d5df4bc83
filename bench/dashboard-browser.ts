/**
 * Overview load time in Chromium against a running `recur demo` (npm start): logs in with the
 * demo's generated credentials, then loads the overview page cold N times (new page each time,
 * session kept) and prints p50/p95 from navigation start to interactive (figures and the three
 * charts drawn).
 *
 *   npm start   # wait for "演示城市已就绪"
 *   node --import tsx bench/dashboard-browser.ts --url http://localhost:8080 --credentials data/demo/credentials.txt
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: "http://localhost:8080" },
    credentials: { type: "string", default: "data/demo/credentials.txt" },
    runs: { type: "string", default: "10" },
  },
});
const line = readFileSync(String(values.credentials), "utf8")
  .split("\n")
  .find((l) => l.startsWith("analyst\t"));
if (!line) throw new Error(`no analyst account in ${values.credentials}`);
const password = line.split("\t")[1]!;
const base = String(values.url);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
});
const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
const login = await context.newPage();
await login.goto(`${base}/`);
await login.fill("#username", "analyst");
await login.fill("#password", password);
await login.click("button[type=submit]");
await login.waitForSelector("header.top");
await login.close();
const incidents = await (await context.request.get(`${base}/api/v1/summary`)).json();
const ms: number[] = [];
for (let r = 0; r < Number(values.runs); r++) {
  const page = await context.newPage();
  const t0 = Date.now();
  await page.goto(`${base}/#/overview`);
  await page.waitForSelector('main[data-ready="overview"]', { timeout: 30_000 });
  await page.waitForFunction(() => document.querySelectorAll("main canvas").length >= 3);
  ms.push(Date.now() - t0);
  await page.close();
}
await browser.close();
const sorted = [...ms].sort((a, b) => a - b);
const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
console.log(`overview interactive on ${JSON.stringify(incidents)}: runs ${ms.join(", ")} ms`);
console.log(
  `p50 ${at(0.5)} ms, p95 ${at(0.95)} ms (first run ${ms[0]} ms; the server memoises the overview per scope after its first request)`,
);
