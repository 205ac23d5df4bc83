import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { applyCase, newCase } from "../../src/cases/case.ts";
import type { Clock, EpochMs } from "../../src/domain/index.ts";
import { openStore } from "../../src/store/index.ts";
import { serverRepository } from "../../src/store/server-repository.ts";

/**
 * The registry and rules pages of the system admin and the case page's outcome chart and
 * attachments, in Debian's Chromium (playwright-core) against `recur demo` with a small city.
 * Screenshots in test-artifacts/ (gitignored) for a human look.
 */
const CHROMIUM = "/usr/bin/chromium";
const ROOT = join(import.meta.dirname, "..", "..");
const ARTIFACTS = join(ROOT, "test-artifacts");
const available = existsSync(CHROMIUM);
if (!available && process.env.CI === "true")
  throw new Error(`${CHROMIUM} is missing: CI must install chromium (see .ci/run)`);
if (!available)
  console.warn(
    `browser tests skipped: ${CHROMIUM} is not installed (apt-get install chromium fonts-noto-cjk)`,
  );

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
];
const DAY = 86_400_000;
const INCIDENTS = 6000;

let dir = "";
let server: ChildProcess | undefined;
let base = "";
let browser: Browser | undefined;
let caseId = "";
const passwords = new Map<string, string>();

async function startDemo(): Promise<string> {
  const child = spawn(
    join(ROOT, "bin", "recur"),
    ["demo", "--incidents", String(INCIDENTS), "--port", "0", "--host", "127.0.0.1", "--dir", dir],
    { cwd: dir, env: { ...process.env, RECUR_LANG: "en" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  server = child;
  let out = "";
  child.stdout?.on("data", (d) => {
    out += String(d);
  });
  child.stderr?.on("data", (d) => {
    out += String(d);
  });
  const deadline = Date.now() + 120_000;
  let url = "";
  while (Date.now() < deadline) {
    url ||= /http:\/\/[\w.:]+/.exec(out)?.[0] ?? "";
    if (url) {
      const health = await fetch(`${url}/api/health`)
        .then((r) => r.json() as Promise<{ phase: string }>)
        .catch(() => ({ phase: "down" }));
      if (health.phase === "ready") return url;
      if (health.phase === "failed") throw new Error(out);
    }
    if (child.exitCode !== null) throw new Error(`recur demo exited: ${out}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`recur demo not ready in 120 s: ${out}`);
}

/**
 * A case resolved in the middle of the demo year about its busiest building, written into the
 * demo's store, so that the outcome chart has real before/after windows and control places.
 */
async function seedResolvedCase(): Promise<string> {
  const store = await openStore({ path: join(dir, "recur-demo.db") });
  try {
    const incidents = await store.incidents.list({ limit: 100_000 });
    const mid = Date.UTC(2024, 6, 1);
    const counts = new Map<string, { n: number; station: string | null; branch: string | null }>();
    for (const i of incidents) {
      const key = i.location.building;
      if (!key || i.receivedAt < mid - 30 * DAY || i.receivedAt >= mid) continue;
      const hit = counts.get(key) ?? { n: 0, station: i.stationUnit, branch: i.branchUnit };
      hit.n++;
      counts.set(key, hit);
    }
    const [key, place] = [...counts].sort((a, b) => b[1].n - a[1].n)[0]!;
    let at = mid - 40 * DAY;
    const clock: Clock = { now: () => at as EpochMs };
    let c = newCase({
      id: crypto.randomUUID(),
      title: "商住楼反复噪声与纠纷",
      subject: {
        kind: "place",
        seriesId: null,
        locationKey: key,
        locationLevel: "building",
        callerPseudonym: null,
        group: "noise",
        protective: false,
      },
      warning: "orange",
      branchUnit: place.branch,
      stationUnit: place.station,
      by: "seed",
      clock,
    });
    const steps = [
      { action: "assign", assignee: { kind: "agency", code: "mediation" }, owner: "调解员" },
      { action: "start" },
      { action: "record", kind: "mediation", text: "组织楼上楼下两户调解，签订调解协议" },
      { action: "resolve", resolution: "mediated" },
      { action: "verify", days: 30 },
    ] as const;
    for (const [i, command] of steps.entries()) {
      at = i < 3 ? mid - (10 - i) * DAY : mid;
      c = applyCase(c, c.version, command, "seed", clock);
    }
    await serverRepository(store).createCase(c);
    return c.id;
  } finally {
    await store.close();
  }
}

async function newPage(errors: string[]): Promise<Page> {
  const context = await browser!.newContext({
    acceptDownloads: true,
    viewport: { width: 1366, height: 900 },
    locale: "zh-CN",
  });
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  return page;
}

async function login(page: Page, username: string) {
  await page.goto(`${base}/`);
  await page.fill("#username", username);
  await page.fill("#password", passwords.get(username)!);
  await page.click("button[type=submit]");
  await page.waitForSelector("header.top");
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
const ready = (page: Page, name: string) =>
  page.waitForSelector(`main[data-ready="${name}"]`, { timeout: 20_000 });

describe.skipIf(!available)(
  "units, agencies, rules and the case page in Chromium",
  { timeout: 60_000 },
  () => {
    beforeAll(async () => {
      await mkdir(ARTIFACTS, { recursive: true });
      dir = await mkdtemp(join(tmpdir(), "recur-browser-case-"));
      base = await startDemo();
      for (const line of (await readFile(join(dir, "credentials.txt"), "utf8")).split("\n")) {
        const [user, password] = line.split("\t");
        if (user && password && !user.startsWith("#")) passwords.set(user, password);
      }
      caseId = await seedResolvedCase();
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      if (server?.pid) server.kill("SIGTERM");
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    test("the system admin registers a station under a branch and a partner agency, and deactivates it", async () => {
      const errors: string[] = [];
      const page = await newPage(errors);
      await login(page, "admin");
      await page.goto(`${base}/#/units`);
      await ready(page, "units");
      // The demo city's tree: the bureau, its branches, stations and areas.
      expect(await page.textContent("#unit-tree")).toContain("澜东分局");
      await page.fill("#unit-code", "新城派出所");
      await page.fill("#unit-name", "新城派出所");
      await page.selectOption("#unit-level", "station");
      await page.selectOption("#unit-parent", "澜东分局");
      await page.selectOption("#unit-setting", "urban");
      await page.click("#unit-form button[type=submit]");
      await page.waitForSelector("#unit-msg.okmsg");
      const row = page.locator('.unitrow[data-code="新城派出所"]');
      await expect.poll(() => row.count()).toBe(1);
      expect(await row.textContent()).toContain("城区");
      await shot(page, "20-admin-units");

      // A unit with active areas below it cannot be deactivated: the message says why.
      await page.locator('.unitrow[data-code="春华派出所"] button', { hasText: "停用" }).click();
      await page.waitForSelector("#unit-msg.error");
      expect(await page.textContent("#unit-msg")).toContain("请先停用下级单位");

      await page.goto(`${base}/#/agencies`);
      await ready(page, "agencies");
      await page.fill("#agency-code", "labour-xc");
      await page.fill("#agency-name", "新城劳动保障监察中队");
      await page.selectOption("#agency-kind", "labour_inspection");
      await page.click("#agency-form button[type=submit]");
      await page.waitForSelector("#agency-msg.okmsg");
      const agencyRow = page.locator("tr", { hasText: "新城劳动保障监察中队" });
      expect(await agencyRow.textContent()).toContain("劳动监察");
      await agencyRow.locator("button", { hasText: "停用" }).click();
      await page.waitForFunction(() =>
        [...document.querySelectorAll("tr")].some(
          (tr) => tr.textContent?.includes("新城劳动保障监察中队") && tr.textContent.includes("已停用"),
        ),
      );
      await shot(page, "21-admin-agencies");

      await page.goto(`${base}/#/rules`);
      await ready(page, "rules");
      await page.fill('input[data-key="sla.red"]', "12");
      await page.click("#rules-form button[type=submit]");
      await page.waitForSelector("#rules-msg.okmsg");
      expect(await page.inputValue('input[data-key="sla.red"]')).toBe("12");
      await shot(page, "22-admin-rules");

      // A station officer of the new station: the unit is picked from the registry.
      await page.goto(`${base}/#/admin`);
      await ready(page, "admin");
      await page.fill("input[name=username]", "xc-officer");
      await page.fill("input[name=displayName]", "新城民警");
      await page.fill("input[name=password]", "Initial-Pass-2024");
      await page.selectOption("select[name=role]", "station_officer");
      await page.selectOption("#user-unit", "新城派出所");
      await page.click("main form button.primary");
      await page.waitForFunction(() =>
        document.querySelector("main table")?.textContent?.includes("xc-officer"),
      );
      expect(await page.locator("tr", { hasText: "xc-officer" }).textContent()).toContain("新城派出所");
      await shot(page, "25-admin-users");
      // The refused deactivation (409) is an expected network error, not a page error.
      expect(errors.filter((e) => !e.includes("409"))).toEqual([]);
    });

    test("an analyst opens a resolved case, reads the outcome verdict and chart, and uploads an attachment", async () => {
      const errors: string[] = [];
      const page = await newPage(errors);
      await login(page, "analyst");
      await page.goto(`${base}/#/cases/${caseId}`);
      await ready(page, "case-detail");
      const verdict = page.locator("#outcome-verdict");
      expect(await verdict.getAttribute("data-verdict")).toMatch(
        /^(effective|fell_like_controls|not_effective|insufficient_controls)$/,
      );
      expect(await verdict.textContent()).toMatch(/本地点处置前 \d+ 起、处置后 \d+ 起/);
      await page.waitForFunction(() => document.querySelectorAll("#outcome canvas").length >= 2);

      const png = Buffer.from(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
        "base64",
      );
      await page.setInputFiles("#attach-file", { name: "现场照片.png", mimeType: "image/png", buffer: png });
      await page.click("#attach-form button[type=submit]");
      await page.waitForSelector("#attach-msg.okmsg");
      expect(await page.textContent("#attachments table")).toContain("现场照片.png");
      // Something that is not an image, PDF or office document is refused with the reason.
      await page.setInputFiles("#attach-file", {
        name: "协议.pdf",
        mimeType: "application/pdf",
        buffer: Buffer.from("#!/bin/sh\necho not a pdf\n"),
      });
      await page.click("#attach-form button[type=submit]");
      await page.waitForSelector("#attach-msg.error");
      expect(await page.textContent("#attach-msg")).toContain("附件只能是图片");
      await page.locator("#outcome").scrollIntoViewIfNeeded();
      await shot(page, "23-case-outcome-attachments");

      const download = page.waitForEvent("download");
      await page.click("#attachments table a");
      const file = await (await download).path();
      expect((await readFile(file!)).equals(png)).toBe(true);
      await writeFile(join(ARTIFACTS, "23-downloaded.png"), png);
      // The same page in English: verdict, charts and attachments.
      await page.click("#lang-switch");
      await ready(page, "case-detail");
      expect(await page.textContent("#outcome-verdict")).toMatch(/This place: \d+ events before, \d+ after/);
      expect(await page.textContent("#attachments")).toContain("Attachments");
      await shot(page, "24-case-outcome-en");
      // 404/4xx responses from the refused upload are expected network errors, not page errors.
      expect(errors.filter((e) => !e.includes("415"))).toEqual([]);
    });
  },
);
