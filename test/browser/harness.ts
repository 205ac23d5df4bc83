import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { applyCase, newCase } from "../../src/cases/case.ts";
import type { Clock, EpochMs } from "../../src/domain/index.ts";
import { openStore } from "../../src/store/index.ts";
import { serverRepository } from "../../src/store/server-repository.ts";
import { type Demo, startDemo } from "../demo.ts";

export { type Demo, startDemo };

/**
 * What every real-browser test shares: Debian's Chromium driven by playwright-core, a `recur
 * demo` with a small city on a free port, its generated credentials, pages that collect console
 * errors, and screenshots in test-artifacts/ (gitignored) for a human look.
 */
export const CHROMIUM = "/usr/bin/chromium";
export const ROOT = join(import.meta.dirname, "..", "..");
export const ARTIFACTS = join(ROOT, "test-artifacts");

/** Whether Chromium is here; CI must have it (.ci/run installs it), elsewhere the tests skip. */
export const browserAvailable = existsSync(CHROMIUM);
if (!browserAvailable && process.env.CI === "true")
  throw new Error(`${CHROMIUM} is missing: CI must install chromium (see .ci/run)`);
if (!browserAvailable)
  console.warn(
    `browser tests skipped: ${CHROMIUM} is not installed (apt-get install chromium fonts-noto-cjk)`,
  );

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({ executablePath: CHROMIUM, args: ARGS });

/** A page (in a new context) whose console errors and uncaught exceptions land in `errors`. */
export async function newPage(browser: Browser, errors: string[], locale = "zh-CN"): Promise<Page> {
  const context = await browser.newContext({
    acceptDownloads: true,
    viewport: { width: 1366, height: 900 },
    locale,
  });
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  return page;
}

/** Logs in through the form with the demo's generated password. */
export async function login(page: Page, demo: Demo, username: string): Promise<void> {
  await page.goto(`${demo.url}/`);
  await page.fill("#username", username);
  await page.fill("#password", demo.passwords.get(username)!);
  await page.click("button[type=submit]");
  await page.waitForSelector("header.top");
}

/** Waits until a page has drawn (the app sets main[data-ready] to the page's name). */
export const ready = (page: Page, name: string) =>
  page.waitForSelector(`main[data-ready="${name}"]`, { timeout: 20_000 });

export const shot = (page: Page, name: string, dir = ARTIFACTS) =>
  page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });

/** A demo city and a browser shared by the tests of one `describe` block (see useDemoBrowser). */
export interface DemoBrowser {
  /** The demo's folder (its store, CSV export and credentials); files a test writes go here too. */
  readonly dir: string;
  readonly demo: Demo;
  /** The demo's URL, e.g. http://127.0.0.1:41234. */
  readonly base: string;
  readonly browser: Browser;
  /** A page (new context) that collects console errors and uncaught exceptions in `errors`. */
  newPage(errors: string[], locale?: string): Promise<Page>;
  /** Logs `page` in as `username` with the demo's generated password. */
  login(page: Page, username: string): Promise<void>;
}

export interface DemoBrowserOptions {
  /** Prefix of the temporary folder's name. */
  readonly name: string;
  readonly incidents: number;
  /** Extra environment of `recur demo`, written after the folder exists (e.g. a boundaries file). */
  readonly env?: (dir: string) => Promise<Record<string, string>>;
  /** Runs once the demo is ready, before the browser starts (e.g. seeding a case). */
  readonly prepare?: (dir: string) => Promise<void>;
  readonly timeoutMs?: number;
}

/**
 * Registers, in the calling `describe` block, a beforeAll that starts `recur demo` with a small
 * city in a temporary folder and launches Chromium, and an afterAll that stops both and removes
 * the folder. The returned object's fields are there once beforeAll has run.
 */
export function useDemoBrowser(options: DemoBrowserOptions): DemoBrowser {
  let dir = "";
  let demo: Demo | undefined;
  let browser: Browser | undefined;
  const set = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not ready: use it inside a test`);
    return value;
  };
  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    dir = await mkdtemp(join(tmpdir(), `recur-browser-${options.name}-`));
    demo = await startDemo(dir, options.incidents, (await options.env?.(dir)) ?? {});
    await options.prepare?.(dir);
    browser = await launchBrowser();
  }, options.timeoutMs ?? 120_000);
  afterAll(async () => {
    await browser?.close();
    if (demo?.server.pid) demo.server.kill("SIGTERM");
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return set(dir || undefined, "the demo folder");
    },
    get demo() {
      return set(demo, "the demo");
    },
    get base() {
      return set(demo, "the demo").url;
    },
    get browser() {
      return set(browser, "the browser");
    },
    newPage: (errors, locale) => newPage(set(browser, "the browser"), errors, locale),
    login: (page, username) => login(page, set(demo, "the demo"), username),
  };
}

const DAY = 86_400_000;

/**
 * A case resolved in the middle of the demo year about its busiest building, written into the
 * demo's store, so that the outcome chart has real before/after windows and control places.
 */
export async function seedResolvedCase(dir: string): Promise<string> {
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
