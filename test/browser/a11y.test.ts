import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  browserAvailable,
  type DemoBrowser,
  ARTIFACTS as HARNESS_ARTIFACTS,
  seedResolvedCase,
  useDemoBrowser,
} from "./harness.ts";

/**
 * Accessibility audit of every dashboard page, in Chinese and in English, in Debian's Chromium
 * (playwright-core) against `recur demo` with a small city: axe-core (WCAG 2.1 A/AA rules) finds
 * no serious or critical violation, Tab reaches the main navigation and the page's primary
 * controls with a visible focus ring, the document's language follows the switch, no console
 * error; a screenshot of each page in test-artifacts/ (gitignored) for a human look. Then a list
 * of 10,000 rows keeps a small DOM and scrolls (series list and case lists).
 */
const ARTIFACTS = join(HARNESS_ARTIFACTS, "a11y");
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
let axeSource = "";

const INCIDENTS = 6000;

let caseId = "";

type Lang = "zh" | "en";
interface Session {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly errors: string[];
}
/** The demo city and the browser, set up by useDemoBrowser in the describe block below. */
let ui: DemoBrowser;
const sessions = new Map<string, Session>();

/** One logged-in tab per user and language; the language is chosen before the app loads. */
async function session(username: string, lang: Lang): Promise<Session> {
  const id = `${username}:${lang}`;
  const known = sessions.get(id);
  if (known) return known;
  const context = await ui.browser.newContext({
    viewport: { width: 1366, height: 900 },
    locale: lang === "zh" ? "zh-CN" : "en-GB",
  });
  await context.addInitScript((l) => {
    if (location.protocol.startsWith("http")) localStorage.setItem("recur.lang", l);
  }, lang);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`${m.text()} (${m.location().url})`);
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  await ui.login(page, username);
  const s = { context, page, errors };
  sessions.set(id, s);
  return s;
}

/** A full load of a page (not a hash change), so that keyboard focus starts at the top. */
async function open(page: Page, hash: string, ready: string) {
  await page.goto("about:blank");
  await page.goto(`${ui.base}/#/${hash}`);
  await page.waitForSelector(`main[data-ready="${ready}"]`, { timeout: 30_000 }).catch(async (e) => {
    const main = await page.textContent("main").catch(() => "");
    throw new Error(`${hash} not ready: ${String(e).split("\n")[0]}\nmain: ${main?.slice(0, 400)}`);
  });
  // Charts, maps and late sections settle.
  await page.waitForLoadState("networkidle");
  await page.waitForTimeout(300);
}

interface AxeNode {
  target: string[];
  failureSummary?: string;
  html: string;
}
interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: AxeNode[];
}

/**
 * Serious and critical violations of the WCAG 2.1 A/AA rules and axe's best practices, one
 * readable line per element; the moderate and minor ones are only counted (`lesser`).
 */
async function axeProblems(page: Page): Promise<{ problems: string[]; lesser: string[] }> {
  // Evaluated through the DevTools protocol: the page's Content-Security-Policy stays in force.
  if (!(await page.evaluate(() => "axe" in globalThis))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is injected as a global script
    const axe = (globalThis as any).axe;
    const result = await axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
      resultTypes: ["violations"],
    });
    return result.violations as unknown;
  });
  const all = violations as AxeViolation[];
  const grave = (v: AxeViolation) => v.impact === "serious" || v.impact === "critical";
  const lesser = all.filter((v) => !grave(v)).map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`);
  const problems = all
    .filter(grave)
    .flatMap((v) =>
      v.nodes
        .slice(0, 8)
        .map(
          (n) =>
            `[${v.impact}] ${v.id}: ${v.help}\n    at ${n.target.join(" ")}: ${n.html.slice(0, 160)}\n    ${(n.failureSummary ?? "").replace(/\n/g, " ")}`,
        ),
    );
  return { problems, lesser };
}

interface Focused {
  readonly key: string;
  readonly inNav: boolean;
  readonly isMain: boolean;
  readonly visibleRing: boolean;
  readonly matches: boolean;
}

/** Describes the focused element: where it is, whether it is the wanted control, whether a ring is drawn. */
async function focused(page: Page, primary: string | null): Promise<Focused | null> {
  return page.evaluate((sel) => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    // An outline of at least 2 px or a box shadow (the series rows, the active nav link).
    const ring =
      (style.outlineStyle !== "none" && Number.parseFloat(style.outlineWidth) >= 2) ||
      (style.boxShadow !== "none" && style.boxShadow !== "");
    return {
      key: `${el.tagName.toLowerCase()}#${el.id}.${String(el.className).slice(0, 30)}:${(el.textContent ?? "").slice(0, 30)}`,
      inNav: !!el.closest("header nav"),
      isMain: el.tagName === "MAIN",
      visibleRing: ring,
      matches: sel !== null && (el.matches(sel) || !!el.closest(sel)),
    };
  }, primary);
}

/**
 * Keyboard walk of a freshly loaded page: the first Tab lands on the skip link, the next one on
 * the main navigation; the skip link (Enter) moves focus to main, from where Tab reaches the
 * page's primary control (null: the page has none, e.g. the overview's figures and charts).
 */
async function keyboardWalk(page: Page, primary: string | null) {
  const top = () =>
    page.evaluate(() => {
      (document.activeElement as HTMLElement | null)?.blur();
      window.scrollTo(0, 0);
    });
  await top();
  const trail: Focused[] = [];
  const step = async () => {
    await page.keyboard.press("Tab");
    const f = await focused(page, primary);
    if (f) trail.push(f);
    return f;
  };
  const skip = await step();
  const nav = await step();
  await page.focus("a.skip");
  await page.keyboard.press("Enter");
  const main = await focused(page, primary);
  let reached = primary === null;
  for (let i = 0; i < 150 && !reached; i++) {
    const f = await step();
    if (f?.matches) reached = true;
    if (f?.key.startsWith("a#.skip")) break; // wrapped around: not reachable
  }
  return { skip, nav, main, reached, trail };
}

/** Every page of the dashboard: who sees it, its route, its ready mark and its primary control. */
interface PageCase {
  readonly name: string;
  readonly user: string;
  readonly hash: () => string;
  readonly ready: string;
  readonly primary: string | null;
  /** Set up the page's state once it is loaded (first language only). */
  readonly prepare?: (page: Page) => Promise<void>;
}
let seriesId = "";
let reviewId = "";
const PAGES: PageCase[] = [
  { name: "overview", user: "analyst", hash: () => "overview", ready: "overview", primary: null },
  { name: "import", user: "analyst", hash: () => "import", ready: "import", primary: "#wizard-file" },
  { name: "series", user: "analyst", hash: () => "series", ready: "series", primary: ".vlist" },
  {
    name: "series-detail",
    user: "analyst",
    hash: () => `series/${encodeURIComponent(seriesId)}`,
    ready: "series-detail",
    primary: "#create-case",
  },
  { name: "cases", user: "analyst", hash: () => "cases", ready: "cases", primary: ".casecard, .vlist" },
  {
    name: "case-detail",
    user: "analyst",
    hash: () => `cases/${caseId}`,
    ready: "case-detail",
    primary: "form[data-action] button, form[data-action] select",
  },
  {
    name: "outcomes",
    user: "analyst",
    hash: () => "outcomes",
    ready: "outcomes",
    primary: "#outcomes-region",
  },
  // A partner agency sees the outcomes of the cases referred to it only (the seeded case is one).
  {
    name: "outcomes-agency",
    user: "mediation",
    hash: () => "outcomes",
    ready: "outcomes",
    primary: "#outcomes-region",
  },
  {
    name: "quality",
    user: "analyst",
    hash: () => "quality",
    ready: "quality",
    primary: "#q-run",
    prepare: async (page) => {
      await page.click("#q-run");
      await page.waitForSelector("#q-scorecards tbody tr", { timeout: 90_000 });
    },
  },
  {
    name: "review",
    user: "analyst",
    hash: () => "review",
    ready: "review",
    primary: "#r-count",
    prepare: async (page) => {
      await page.fill("#r-count", "3");
      await page.click("#r-create");
      await page.waitForSelector("#r-list tbody tr a");
      const href = (await page.getAttribute("#r-list tbody tr >> nth=0 >> a", "href")) ?? "";
      reviewId = href.replace(/^#\/review\//, "");
    },
  },
  {
    name: "review-detail",
    user: "analyst",
    hash: () => `review/${reviewId}`,
    ready: "review-detail",
    primary: "#r-pass",
  },
  { name: "analysis", user: "analyst", hash: () => "analysis", ready: "analysis", primary: "main select" },
  { name: "reports", user: "analyst", hash: () => "reports", ready: "reports", primary: "#download-xlsx" },
  { name: "admin-users", user: "admin", hash: () => "admin", ready: "admin", primary: "main form input" },
  { name: "admin-units", user: "admin", hash: () => "units", ready: "units", primary: "#unit-code" },
  {
    name: "admin-agencies",
    user: "admin",
    hash: () => "agencies",
    ready: "agencies",
    primary: "#agency-code",
  },
  {
    name: "admin-profiles",
    user: "analyst",
    hash: () => "profiles",
    ready: "profiles",
    primary: "main button",
  },
  { name: "admin-rules", user: "analyst", hash: () => "rules", ready: "rules", primary: "#rules-form input" },
];

describe.skipIf(!browserAvailable)(
  "accessibility of every dashboard page in Chromium",
  { timeout: 120_000 },
  () => {
    ui = useDemoBrowser({
      name: "a11y",
      incidents: INCIDENTS,
      prepare: async (dir) => {
        caseId = await seedResolvedCase(dir);
        axeSource = await readFile(AXE, "utf8");
      },
      timeoutMs: 240_000,
    });

    beforeAll(async () => {
      const { page } = await session("analyst", "zh");
      seriesId = await page.evaluate(async () => {
        const r = await fetch("/api/v1/dashboard/series");
        const body = (await r.json()) as { rows: { id: string }[] };
        return body.rows[0]?.id ?? "";
      });
    }, 60_000);

    afterAll(async () => {
      for (const s of sessions.values()) await s.context.close();
    });

    for (const lang of ["zh", "en"] as const)
      for (const p of PAGES)
        test(`${p.name} (${lang}): no serious axe violation, keyboard reaches nav and ${p.primary ?? "main"}, focus visible, no console error`, async () => {
          expect(seriesId, "the demo city has a repeat series").not.toBe("");
          const { page, errors } = await session(p.user, lang);
          errors.length = 0;
          await open(page, p.hash(), p.ready);
          if (lang === "zh" && p.prepare) await p.prepare(page);
          if (p.prepare && lang === "zh") await open(page, p.hash(), p.ready);
          expect(await page.evaluate(() => document.documentElement.lang)).toBe(
            lang === "zh" ? "zh-CN" : "en-GB",
          );
          const navWord = p.user === "admin" ? ["系统管理", "Admin"] : ["案件", "Cases"];
          expect(await page.textContent("header nav")).toContain(navWord[lang === "zh" ? 0 : 1]);
          await page.screenshot({ path: join(ARTIFACTS, `${p.name}-${lang}.png`), fullPage: true });

          const { problems, lesser } = await axeProblems(page);
          if (lesser.length) console.log(`axe, moderate/minor on ${p.name} (${lang}): ${lesser.join(", ")}`);
          expect(problems, `axe on ${p.name} (${lang}):\n${problems.join("\n")}`).toEqual([]);

          const walk = await keyboardWalk(page, p.primary);
          const trail = walk.trail.map((f) => f.key).join("\n  ");
          expect(walk.skip?.key, "the first Tab reaches the skip link").toMatch(/^a#\.skip/);
          expect(walk.nav?.inNav, `the second Tab reaches the main navigation: ${walk.nav?.key}`).toBe(true);
          expect(walk.main?.isMain, "the skip link moves focus to main").toBe(true);
          expect(walk.reached, `Tab from main reaches ${p.primary}:\n  ${trail}`).toBe(true);
          const unringed = walk.trail.filter((f) => !f.visibleRing).map((f) => f.key);
          expect(unringed, "focused elements without a visible focus ring").toEqual([]);
          expect(errors).toEqual([]);
        });

    test("the outcomes page sums the resolved case under its agency, for the city and for the agency itself", async () => {
      for (const user of ["analyst", "mediation"]) {
        const { page, errors } = await session(user, "zh");
        errors.length = 0;
        await open(page, "outcomes", "outcomes");
        const rows = await page.$$eval("#outcomes-table tbody tr", (trs) =>
          trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")),
        );
        const agency = rows.find((r) => r[0] === "春华街道人民调解委员会");
        expect(agency, JSON.stringify(rows)).toBeDefined();
        expect(agency![1]).toBe("合作部门");
        // One resolved case, its window over (the demo year is past): verified once, one verdict among five.
        expect(agency![4]).toBe("1");
        expect(agency!.slice(5, 10).reduce((n, c) => n + Number(c), 0)).toBe(1);
        expect(agency![10]).toMatch(/^\d+(\.\d)? → \d+(\.\d)?$/);
        await page.waitForSelector("main .chart canvas");
        expect(errors).toEqual([]);
      }
    });

    test("the unit tree opens and closes by keyboard, and its row buttons still work", async () => {
      const { page, errors } = await session("admin", "en");
      errors.length = 0;
      await open(page, "units", "units");
      const branch = page.locator(".unitrow .disclosure >> nth=1");
      const sub = `#${await branch.getAttribute("aria-controls")}`;
      expect(await branch.getAttribute("aria-expanded")).toBe("true");
      await branch.focus();
      await page.keyboard.press("Enter");
      expect(await branch.getAttribute("aria-expanded")).toBe("false");
      expect(await page.isHidden(sub)).toBe(true);
      await page.keyboard.press("Space");
      expect(await branch.getAttribute("aria-expanded")).toBe("true");
      expect(await page.isVisible(sub)).toBe(true);
      // "Edit" on a row fills the form with that unit (the disclosure must not shadow the row's handlers).
      const code = await page.getAttribute(".unitrow >> nth=1", "data-code");
      await page.locator(".unitrow >> nth=1").locator("button:not(.disclosure) >> nth=0").click();
      expect(await page.inputValue("#unit-code")).toBe(code);
      expect(errors).toEqual([]);
    });

    test("a list of 10,000 repeat series keeps a small DOM, scrolls to its end and moves by keyboard", async () => {
      const { page, errors } = await session("analyst", "zh");
      errors.length = 0;
      // The demo city has a few dozen series: the API's answer is stretched to 10,000 rows.
      await page.route(/\/api\/v1\/dashboard\/series(\?|$)/, async (route) => {
        const response = await route.fetch();
        const body = (await response.json()) as { total: number; rows: { id: string; calls: number }[] };
        const first = body.rows[0]!;
        const rows = Array.from({ length: 10_000 }, (_, i) => ({
          ...first,
          id: `${first.id}-${i}`,
          calls: i + 1,
        }));
        await route.fulfill({ response, json: { ...body, total: rows.length, rows } });
      });
      try {
        await open(page, "series", "series");
        expect(await page.getAttribute("[role=grid]", "aria-rowcount")).toBe("10001");
        const rendered = () => page.locator(".vlist .vrow").count();
        expect(await rendered()).toBeLessThan(60);
        const t0 = Date.now();
        await page.evaluate(() => {
          const box = document.querySelector(".vlist")!;
          box.scrollTop = box.scrollHeight;
        });
        await page.waitForSelector('.vlist .vrow[aria-rowindex="10001"]');
        console.log(`series list: scrolled to row 10,000 in ${Date.now() - t0} ms`);
        expect(await rendered()).toBeLessThan(60);
        await page.evaluate(() => {
          document.querySelector(".vlist")!.scrollTop = 0;
        });
        await page.waitForSelector('.vlist .vrow[aria-rowindex="2"]');
        await page.focus('.vlist .vrow[aria-rowindex="2"]');
        for (let i = 0; i < 30; i++) await page.keyboard.press("ArrowDown");
        await expect
          .poll(() => page.evaluate(() => document.activeElement?.getAttribute("aria-rowindex")))
          .toBe("32");
        expect(await rendered()).toBeLessThan(60);
        await page.screenshot({ path: join(ARTIFACTS, "series-10000.png") });
      } finally {
        await page.unroute(/\/api\/v1\/dashboard\/series(\?|$)/);
      }
      expect(errors).toEqual([]);
    });

    test("a board of 10,000 cases keeps a small DOM per column, scrolls and moves by keyboard; so does 'mine'", async () => {
      const { page, errors } = await session("analyst", "en");
      errors.length = 0;
      const states = ["draft", "assigned", "in_progress", "verifying", "closed_effective"];
      const pattern = /\/api\/v1\/cases\?limit=1000$/;
      await page.route(pattern, async (route) => {
        const response = await route.fetch();
        const body = (await response.json()) as { cases: { id: string; state: string }[]; overdue: string[] };
        const first = body.cases[0]!;
        const cases = Array.from({ length: 10_000 }, (_, i) => ({
          ...first,
          id: `${first.id}-${i}`,
          title: `${i + 1} · ${"商住楼反复噪声与纠纷".repeat(3)}`,
          state: states[i % states.length],
          owner: "analyst",
        }));
        await route.fulfill({ response, json: { cases, overdue: cases.slice(0, 50).map((c) => c.id) } });
      });
      try {
        await page.evaluate(() => sessionStorage.setItem("recur.casesTab", "board"));
        await open(page, "cases", "cases");
        const columns = page.locator(".boardcols [role=list]");
        expect(await columns.count()).toBe(5);
        expect(await page.getAttribute(".boardcols [role=listitem] >> nth=0", "aria-setsize")).toBe("2000");
        expect(await page.locator(".casecard").count()).toBeLessThan(5 * 40);
        await page.evaluate(() => {
          const box = document.querySelector(".boardcols [role=list]")!;
          box.scrollTop = box.scrollHeight;
        });
        await page.waitForSelector('.boardcols [role=list] >> nth=0 >> [aria-posinset="2000"]');
        expect(await page.locator(".casecard").count()).toBeLessThan(5 * 40);
        await page.evaluate(() => {
          document.querySelector(".boardcols [role=list]")!.scrollTop = 0;
        });
        await page.waitForSelector('.boardcols [role=list] >> nth=0 >> [data-index="0"]');
        await page.focus('.boardcols [role=list] >> nth=0 >> [data-index="0"]');
        for (let i = 0; i < 25; i++) await page.keyboard.press("ArrowDown");
        await expect
          .poll(() => page.evaluate(() => (document.activeElement as HTMLElement).dataset.index))
          .toBe("25");
        // One stop per column for Tab (roving tabindex): the next Tab goes to the next column.
        await page.keyboard.press("Tab");
        expect(
          await page.evaluate(() => {
            const el = document.activeElement as HTMLElement;
            const lists = [...document.querySelectorAll(".boardcols [role=list]")];
            return lists.indexOf(el.closest("[role=list]")!);
          }),
        ).toBe(1);
        await page.screenshot({ path: join(ARTIFACTS, "cases-10000-board.png") });
        await page.click("[role=tab] >> nth=0");
        await page.waitForSelector(".vlist .vrow");
        expect(await page.getAttribute("[role=grid]", "aria-rowcount")).toBe("10001");
        expect(await page.locator(".vlist .vrow").count()).toBeLessThan(60);
        await page.screenshot({ path: join(ARTIFACTS, "cases-10000-mine.png") });
      } finally {
        await page.unroute(pattern);
        await page.evaluate(() => sessionStorage.removeItem("recur.casesTab"));
      }
      expect(errors).toEqual([]);
    });
  },
);
