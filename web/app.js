import { areaOutlines } from "./areas-panel.js";
import { attachmentsSection, outcomeSection } from "./case-extras.js";
import { date, dateTime, isoDate, lang, locale, num, pct, setLang, t } from "./i18n.js";
import { importWizardPage } from "./import-wizard.js";
import { outcomesPage } from "./outcomes-page.js";
import { profilesPage } from "./profiles-page.js";
import { qualityPage, reviewPage } from "./quality-pages.js";
import { agenciesPage, registryLabel, unitsPage } from "./registry-pages.js";
import { rulesPage } from "./rules-page.js";
import { virtualItems } from "./virtual.js";

// ---- tiny component layer: elements from data, no framework ----
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity))
    if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}
const $app = () => document.getElementById("app");

// ---- API: the session cookie travels by itself; the language as a header, never in a URL ----
let me = null;
async function api(path, options = {}) {
  const res = await fetch(path, {
    ...options,
    headers: {
      "Accept-Language": lang === "zh" ? "zh-CN" : "en",
      ...(options.body && !(options.body instanceof Blob) && !(options.body instanceof File)
        ? { "Content-Type": "application/json" }
        : {}),
      ...(options.headers ?? {}),
    },
  });
  const body = res.headers.get("content-type")?.includes("json") ? await res.json() : null;
  if (res.status === 401 && !path.includes("/auth/")) {
    // The session ended (idle timeout, disabled account): back to the login page, once.
    const had = me !== null;
    me = null;
    localStorage.removeItem("recur.session");
    if (had) render();
    throw new ApiError(401, body?.error);
  }
  if (!res.ok) throw new ApiError(res.status, body?.error);
  return body;
}
class ApiError extends Error {
  constructor(status, error) {
    super(error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = error?.code;
    // Every problem of a refused upload (area boundaries), when the server lists them.
    this.issues = error?.issues;
    this.errors = error?.errors;
  }
}
/** Retries while the server is still summarising the data (503 loading). */
async function apiReady(path) {
  for (let i = 0; ; i++) {
    try {
      return await api(path);
    } catch (e) {
      if (e.status !== 503 || i > 300) throw e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

const PAGES = [
  ["overview", "incidents.read"],
  ["series", "series.read"],
  ["cases", "cases.read"],
  ["outcomes", "cases.read"],
  ["import", "data.import"],
  ["quality", "quality.read"],
  ["review", "quality.read"],
  ["analysis", "series.read"],
  ["reports", "reports.export"],
  ["admin", "users.manage"],
  ["units", "users.manage"],
  ["agencies", "users.manage"],
  ["rules", "rules.manage"],
  ["profiles", "profiles.manage"],
];
const PERMS = {
  city_analyst: [
    "incidents.read",
    "series.read",
    "cases.read",
    "cases.create",
    "cases.act",
    "reports.export",
    "data.import",
    "rules.manage",
    "profiles.manage",
    "quality.read",
    "quality.sample",
  ],
  branch_supervisor: [
    "incidents.read",
    "series.read",
    "cases.read",
    "cases.create",
    "cases.act",
    "reports.export",
    "quality.read",
  ],
  station_officer: [
    "incidents.read",
    "series.read",
    "cases.read",
    "cases.create",
    "cases.act",
    "quality.read",
  ],
  agency_user: ["cases.read", "cases.act"],
  auditor: [],
  system_admin: ["users.manage", "rules.manage", "profiles.manage"],
  security_admin: ["users.unlock"],
};
const can = (p) => (PERMS[me?.user?.role] ?? []).includes(p);

// ---- charts: ECharts instances are disposed with the page ----
let charts = [];
let maps = [];
function chart(el, option) {
  const c = globalThis.echarts.init(el, null, { renderer: "canvas" });
  c.setOption({ textStyle: { fontFamily: "Noto Sans CJK SC, sans-serif" }, animation: false, ...option });
  charts.push(c);
  return c;
}
addEventListener("resize", () => {
  for (const c of charts) c.resize();
});
function disposeAll() {
  for (const c of charts) c.dispose();
  charts = [];
  for (const m of maps) m.remove();
  maps = [];
}

// ---- map: MapLibre, blank style offline, XYZ raster tiles when RECUR_TILE_URL is set ----
let config = null;
async function map(el, fit) {
  const maplibregl = await import("/vendor/maplibre/maplibre-gl.mjs");
  const style = {
    version: 8,
    sources: {},
    layers: [{ id: "bg", type: "background", paint: { "background-color": "#eef1f4" } }],
  };
  if (config?.tileUrl) {
    style.sources.base = { type: "raster", tiles: [config.tileUrl], tileSize: 256 };
    style.layers.push({ id: "base", type: "raster", source: "base" });
  }
  el.append(h("span", { class: "maplabel" }, config?.tileUrl ? "" : t("offlineMap")));
  const m = new maplibregl.Map({
    container: el,
    style,
    bounds: fit,
    fitBoundsOptions: { padding: 30, maxZoom: 16 },
    attributionControl: false,
  });
  m.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  maps.push(m);
  await new Promise((r) => m.on("load", r));
  // Local jurisdiction boundaries (RECUR_BOUNDARIES), under everything a page draws: they work offline.
  if (config?.boundaries) {
    try {
      const data = await api("/api/v1/dashboard/boundaries");
      m.addSource("boundaries", { type: "geojson", data });
      m.addLayer({
        id: "boundaries-fill",
        type: "fill",
        source: "boundaries",
        paint: { "fill-color": "#5b7fa6", "fill-opacity": 0.05 },
      });
      m.addLayer({
        id: "boundaries-line",
        type: "line",
        source: "boundaries",
        paint: { "line-color": "#5b7fa6", "line-width": 1.2 },
      });
    } catch {
      // No boundaries (or a broken file: the server says why in its log); the map works without.
    }
  }
  return m;
}
function boundsOf(points) {
  let [x0, y0, x1, y1] = [180, 90, -180, -90];
  for (const [x, y] of points) {
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  }
  if (x0 > x1)
    return [
      [120.1, 30.2],
      [120.3, 30.4],
    ];
  const pad = 0.002;
  return [
    [x0 - pad, y0 - pad],
    [x1 + pad, y1 + pad],
  ];
}

// ---- shell ----
/** Whether the store's location keys follow other address rules (rules.manage only; checked at most once a minute). */
let keysStale = { at: 0, stale: false };
async function addressKeysNotice() {
  if (!can("rules.manage")) return null;
  if (Date.now() - keysStale.at > 60_000) {
    const v = await api("/api/v1/address-keys").catch(() => null);
    keysStale = { at: Date.now(), stale: v ? !v.current && v.job?.state !== "running" : false };
  }
  if (!keysStale.stale) return null;
  return h(
    "p",
    { class: "notice", role: "status", id: "keys-banner" },
    t("keysStaleBanner"),
    " ",
    h("a", { href: "#/rules", onclick: () => (keysStale = { at: 0, stale: false }) }, t("keysStaleLink")),
  );
}

// The rules page says when a rebuild has ended: the banner goes and the state is asked again.
addEventListener("recur:address-keys", () => {
  keysStale = { at: 0, stale: false };
  document.getElementById("keys-banner")?.remove();
});

function route() {
  const [page = "overview", id] = location.hash.replace(/^#\/?/, "").split("/");
  return { page, id: id ? decodeURIComponent(id) : undefined };
}
addEventListener("hashchange", () => render());

async function render() {
  disposeAll();
  const app = $app();
  // Only ask the server who we are when a session may exist (no 401 noise on a first visit).
  if (!me && localStorage.getItem("recur.session")) {
    try {
      me = await api("/api/v1/auth/me");
    } catch {
      me = null;
      localStorage.removeItem("recur.session");
    }
  }
  if (!me) return loginPage(app);
  if (me.user.mustChangePassword) return passwordPage(app);
  const { page, id } = route();
  const allowed = PAGES.filter(([, p]) => can(p)).map(([name]) => name);
  const current = allowed.includes(page) ? page : allowed[0];
  if (current && current !== page) {
    // A page the role cannot see: go to its first page instead (replacing the history entry).
    history.replaceState(null, "", `#/${current}`);
  }
  const main = h("main", { id: "main", tabindex: "-1" });
  app.replaceChildren(
    h(
      "a",
      {
        class: "skip",
        href: "#main",
        onclick: (e) => {
          e.preventDefault();
          main.focus();
        },
      },
      t("skip"),
    ),
    h(
      "header",
      { class: "top" },
      h("span", { class: "logo" }, "recur"),
      h(
        "nav",
        { "aria-label": t("app") },
        allowed.map((p) => h("a", { href: `#/${p}`, "aria-current": p === current ? "page" : null }, t(p))),
      ),
      h("span", { class: "who" }, me.user.displayName),
      h(
        "button",
        {
          id: "lang-switch",
          onclick: () => {
            setLang(lang === "zh" ? "en" : "zh");
            render();
          },
          "aria-label": lang === "zh" ? "Switch to English" : "切换到中文",
        },
        t("lang"),
      ),
      h(
        "button",
        {
          onclick: async () => {
            await api("/api/v1/auth/logout", { method: "POST" });
            me = null;
            localStorage.removeItem("recur.session");
            render();
          },
        },
        t("logout"),
      ),
    ),
    main,
  );
  // A store keyed by earlier address rules: said above every page until the keys are rebuilt.
  addressKeysNotice().then((notice) => {
    if (notice && main.isConnected) main.before(notice);
  });
  document.title = `${t(current ?? "app")} · recur`;
  main.append(h("p", { class: "muted" }, t("loading")));
  config ??= await api("/api/v1/dashboard/config").catch(() => ({ tileUrl: null, profiles: [] }));
  try {
    if (!current) return main.replaceChildren(h("p", {}, t("forbidden")));
    await PAGE_VIEWS[current](main, id);
  } catch (e) {
    if (e.status !== 401) main.replaceChildren(h("p", { class: "error", role: "alert" }, e.message));
  }
}

function loginPage(app) {
  const err = h("p", { class: "error", role: "alert" });
  const form = h(
    "form",
    {
      "aria-label": t("login"),
      onsubmit: async (e) => {
        e.preventDefault();
        err.textContent = "";
        const data = new FormData(form);
        try {
          await api("/api/v1/auth/login", {
            method: "POST",
            body: JSON.stringify({ username: data.get("username"), password: data.get("password") }),
          });
          me = await api("/api/v1/auth/me");
          localStorage.setItem("recur.session", "1");
          if (!location.hash || location.hash === "#/") location.hash = "#/overview";
          else render();
        } catch (x) {
          err.textContent = x.status === 503 ? t("preparing") : x.message || t("loginFailed");
        }
      },
    },
    h(
      "label",
      {},
      t("username"),
      h("input", { name: "username", id: "username", autocomplete: "username", required: true }),
    ),
    h(
      "label",
      {},
      t("password"),
      h("input", {
        name: "password",
        id: "password",
        type: "password",
        autocomplete: "current-password",
        required: true,
      }),
    ),
    h("button", { class: "primary", type: "submit" }, t("login")),
    err,
  );
  app.replaceChildren(
    h(
      "main",
      { class: "login panel" },
      h("h1", {}, t("app")),
      form,
      h(
        "p",
        {},
        h(
          "button",
          {
            class: "secondary",
            type: "button",
            id: "lang-switch",
            onclick: () => {
              setLang(lang === "zh" ? "en" : "zh");
              render();
            },
          },
          t("lang"),
        ),
      ),
    ),
  );
  form.querySelector("input").focus();
}

function passwordPage(app) {
  const err = h("p", { class: "error", role: "alert" });
  const form = h(
    "form",
    {
      onsubmit: async (e) => {
        e.preventDefault();
        const d = new FormData(form);
        try {
          await api("/api/v1/auth/password", {
            method: "POST",
            body: JSON.stringify({ oldPassword: d.get("old"), newPassword: d.get("new") }),
          });
          me = null;
          render();
        } catch (x) {
          err.textContent = x.message;
        }
      },
    },
    h("label", {}, t("oldPassword"), h("input", { name: "old", type: "password", required: true })),
    h("label", {}, t("newPassword"), h("input", { name: "new", type: "password", required: true })),
    h("button", { class: "primary" }, t("changePassword")),
    err,
  );
  app.replaceChildren(h("main", { class: "login panel" }, h("h1", {}, t("mustChange")), form));
}

const badge = (level) => h("span", { class: `badge b-${level}` }, t(level));
const table = (head, rows, numeric = []) =>
  h(
    "table",
    {},
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        head.map((x, i) => h("th", { scope: "col", class: numeric.includes(i) ? "n" : null }, x)),
      ),
    ),
    h(
      "tbody",
      {},
      rows.map((r) =>
        h(
          "tr",
          {},
          r.map((c, i) => h("td", { class: numeric.includes(i) ? "n" : null }, c)),
        ),
      ),
    ),
  );

// ---- overview ----
async function overviewPage(main) {
  const o = await apiReady("/api/v1/dashboard/overview");
  const figs = o.figures.map((f, k) => {
    const change = f.previous > 0 ? (f.current - f.previous) / f.previous : null;
    return h(
      "div",
      { class: "panel card" },
      h("div", { class: "l" }, t(["today", "week", "month"][k])),
      h("div", { class: "v" }, num(f.current)),
      h("div", { class: `l ${change > 0 ? "up" : "down"}` }, `${t("vsPrev")} ${pct(change)}`),
    );
  });
  const dailyEl = h("div", { class: "chart", role: "img", "aria-label": t("daily") });
  const catEl = h("div", { class: "chart", role: "img", "aria-label": t("categoryMix") });
  const warnEl = h("div", { class: "chart small", role: "img", "aria-label": t("warningMix") });
  main.replaceChildren(
    h(
      "h1",
      {},
      t("overview"),
      " ",
      h(
        "span",
        { class: "muted", style: "font-size:14px;font-weight:400" },
        `${t("asOf")} ${/^\d{4}-\d\d-\d\d$/.test(o.asOf) ? date(Date.parse(`${o.asOf}T00:00:00Z`), 0) : o.asOf} · ${t("total")} ${num(o.total)}`,
      ),
    ),
    h(
      "div",
      { class: "grid g4" },
      figs,
      h(
        "div",
        { class: "panel card" },
        h("div", { class: "l" }, t("activeSeries")),
        h("div", { class: "v" }, num(o.activeSeries)),
        h("div", { class: "l" }, `${t("meanArrival")} ${num(o.meanArrivalMin, 1)}`),
      ),
    ),
    h(
      "div",
      { class: "grid g3", style: "margin-top:16px" },
      h("section", { class: "panel" }, h("h2", {}, t("daily")), dailyEl),
      h("section", { class: "panel" }, h("h2", {}, t("warningMix")), warnEl),
    ),
    h("section", { class: "panel", style: "margin-top:16px" }, h("h2", {}, t("categoryMix")), catEl),
  );
  main.dataset.ready = "overview";
  chart(dailyEl, {
    grid: { left: 50, right: 16, top: 16, bottom: 30 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: o.daily.map((d) => isoDate(d.date)) },
    yAxis: { type: "value" },
    series: [
      {
        type: "line",
        data: o.daily.map((d) => d.count),
        smooth: true,
        showSymbol: false,
        areaStyle: { opacity: 0.15 },
        color: "#0b4f8a",
      },
    ],
  });
  const levels = ["red", "orange", "yellow", "blue"];
  chart(warnEl, {
    tooltip: {},
    series: [
      {
        type: "pie",
        radius: ["45%", "70%"],
        label: { formatter: "{b}\n{c}" },
        data: levels.map((l) => ({ name: t(l), value: o.warnings[l] })),
        color: ["#c0262d", "#a85000", "#d4a900", "#1f5fbf"],
      },
    ],
  });
  const cats = o.categories.slice(0, 12).reverse();
  chart(catEl, {
    grid: { left: 120, right: 30, top: 10, bottom: 20 },
    tooltip: {},
    xAxis: { type: "value" },
    yAxis: { type: "category", data: cats.map((c) => c.label) },
    series: [{ type: "bar", data: cats.map((c) => c.count), color: "#3a7bbf" }],
  });
}

// ---- repeat series: a virtualised list of up to 10,000 rows ----
function virtualList(rows, columns, onOpen, { label = t("series"), template = null } = {}) {
  const ROW = 40;
  const cols = template ? `;grid-template-columns:${template}` : "";
  const box = h("div", { class: "vlist", tabindex: "0", role: "rowgroup" });
  const head = h(
    "div",
    { class: "vrow vhead", role: "row", "aria-rowindex": 1, style: cols || null },
    columns.map((c) => h("span", { role: "columnheader" }, c.label)),
  );
  const spacer = h("div", { style: `height:${rows.length * ROW}px` });
  const layer = h("div");
  box.append(spacer, layer);
  let first = -1;
  // Roving focus: one row is in the Tab order; ↑/↓, PageUp/PageDown, Home/End move it (scrolling
  // only when it leaves the view) and it keeps the focus when the rows are drawn again.
  let current = 0;
  const focusRow = (i) => {
    current = Math.max(0, Math.min(rows.length - 1, i));
    const top = current * ROW;
    if (top < box.scrollTop) box.scrollTop = top;
    else if (top + ROW > box.scrollTop + box.clientHeight) box.scrollTop = top + ROW - box.clientHeight;
    first = -1;
    draw();
    box.querySelector(`[aria-rowindex="${current + 2}"]`)?.focus();
  };
  const draw = () => {
    const start = Math.max(0, Math.floor(box.scrollTop / ROW) - 5);
    if (start === first) return;
    first = start;
    const end = Math.min(rows.length, start + Math.ceil(box.clientHeight / ROW) + 12);
    const refocus = layer.contains(document.activeElement);
    if (current < start || current >= end) current = start;
    const page = Math.max(1, Math.floor(box.clientHeight / ROW) - 1);
    const out = [];
    for (let i = start; i < end; i++) {
      const r = rows[i];
      out.push(
        h(
          "div",
          {
            class: "vrow",
            role: "row",
            tabindex: i === current ? "0" : "-1",
            "aria-rowindex": i + 2,
            style: `top:${i * ROW}px${cols}`,
            onclick: () => onOpen(r),
            onfocus: () => {
              current = i;
            },
            onkeydown: (e) => {
              if (e.key === "Enter") return onOpen(r);
              const to = {
                ArrowDown: i + 1,
                ArrowUp: i - 1,
                PageDown: i + page,
                PageUp: i - page,
                Home: 0,
                End: rows.length - 1,
              }[e.key];
              if (to === undefined) return;
              e.preventDefault();
              focusRow(to);
            },
          },
          columns.map((c) => h("span", { role: "gridcell" }, c.cell(r))),
        ),
      );
    }
    layer.replaceChildren(...out);
    if (refocus) box.querySelector(`[aria-rowindex="${current + 2}"]`)?.focus();
    // Keep the header's columns over the rows' columns whatever the scrollbar's width.
    head.style.paddingRight = `${10 + box.offsetWidth - box.clientWidth}px`;
  };
  box.addEventListener(
    "scroll",
    () => {
      first = -1;
      draw();
    },
    { passive: true },
  );
  requestAnimationFrame(draw);
  return h(
    "div",
    { role: "grid", "aria-rowcount": rows.length + 1, "aria-label": label, class: "vgrid" },
    head,
    box,
  );
}

async function seriesPage(main, id) {
  if (id) return seriesDetail(main, id);
  const state = JSON.parse(sessionStorage.getItem("recur.seriesFilter") ?? "{}");
  const sel = (name, values) =>
    h(
      "select",
      {
        name,
        onchange: (e) => {
          state[name] = e.target.value;
          sessionStorage.setItem("recur.seriesFilter", JSON.stringify(state));
          seriesPage(main);
        },
      },
      h("option", { value: "" }, t("all")),
      values.map(([v, l]) => h("option", { value: v, selected: state[name] === v }, l)),
    );
  const q = new URLSearchParams(Object.entries(state).filter(([, v]) => v));
  const data = await apiReady(`/api/v1/dashboard/series?${q}`);
  const cols = [
    { label: t("level"), cell: (r) => badge(r.level) },
    { label: t("kind"), cell: (r) => t(`${r.kind}_k`) },
    { label: t("group"), cell: (r) => r.groupLabel },
    { label: t("place"), cell: (r) => r.place ?? "—" },
    { label: t("station"), cell: (r) => r.station },
    { label: t("start"), cell: (r) => date(r.start) },
    { label: t("end"), cell: (r) => date(r.end) },
    { label: t("calls"), cell: (r) => num(r.calls) },
  ];
  main.replaceChildren(
    h(
      "h1",
      {},
      t("series"),
      " ",
      h(
        "span",
        { class: "muted", style: "font-size:14px;font-weight:400" },
        `${num(data.total)} ${t("rows")}`,
      ),
    ),
    h(
      "div",
      { class: "filters", role: "search" },
      h(
        "label",
        {},
        t("level"),
        sel(
          "level",
          ["red", "orange", "yellow", "blue"].map((l) => [l, t(l)]),
        ),
      ),
      h(
        "label",
        {},
        t("kind"),
        sel(
          "kind",
          ["place", "caller", "matter"].map((k) => [k, t(`${k}_k`)]),
        ),
      ),
    ),
    virtualList(data.rows, cols, (r) => {
      location.hash = `#/series/${encodeURIComponent(r.id)}`;
    }),
  );
  main.dataset.ready = "series";
}

async function seriesDetail(main, id) {
  const {
    series: s,
    incidents,
    weekly,
  } = await apiReady(`/api/v1/dashboard/series/${encodeURIComponent(id)}`);
  // A region, not an image: MapLibre puts a focusable canvas and zoom buttons inside.
  // Named apart from MapLibre's own canvas region ("Map"): landmarks need distinct names.
  const mapEl = h("div", { class: "mapbox", role: "region", "aria-label": `${t("map")} · ${s.groupLabel}` });
  const chartEl = h("div", { class: "chart small", role: "img", "aria-label": t("timeline") });
  const msg = h("p", { role: "status" });
  const createBtn = can("cases.create")
    ? h(
        "button",
        {
          class: "primary",
          id: "create-case",
          onclick: async () => {
            createBtn.disabled = true;
            try {
              const { case: c } = await api("/api/v1/cases", {
                method: "POST",
                body: JSON.stringify({
                  title: `${s.groupLabel} · ${s.place ?? s.id}`.slice(0, 200),
                  subject: {
                    kind: s.kind,
                    seriesId: s.id,
                    locationKey: s.locationKey,
                    callerPseudonym: null,
                    group: s.group,
                    protective: s.protective,
                  },
                  warning: s.level,
                  branchUnit: s.branchUnit,
                  stationUnit: s.stationUnit,
                }),
              });
              location.hash = `#/cases/${c.id}`;
            } catch (e) {
              msg.textContent = e.message;
              msg.className = "error";
              createBtn.disabled = false;
            }
          },
        },
        t("createCase"),
      )
    : null;
  main.replaceChildren(
    h("p", {}, h("a", { href: "#/series" }, `← ${t("back")}`)),
    h(
      "h1",
      {},
      badge(s.level),
      " ",
      s.groupLabel,
      " · ",
      s.place ?? t(`${s.kind}_k`),
      s.protective ? h("span", { class: "muted" }, ` (${t("protective")})`) : null,
    ),
    h(
      "div",
      { class: "grid g2" },
      h(
        "section",
        { class: "panel" },
        h("h2", {}, t("explanation")),
        h("p", { class: "explain" }, s.explanation),
        h(
          "dl",
          { class: "kv" },
          h("dt", {}, t("kind")),
          h("dd", {}, t(`${s.kind}_k`)),
          h("dt", {}, t("station")),
          h("dd", {}, s.stationUnit ?? "—"),
          h("dt", {}, t("start")),
          h("dd", {}, dateTime(s.start)),
          h("dt", {}, t("end")),
          h("dd", {}, dateTime(s.end)),
          h("dt", {}, t("events")),
          h("dd", {}, num(s.events)),
          h("dt", {}, t("calls")),
          h("dd", {}, num(s.calls)),
        ),
        h("p", {}, createBtn, msg),
      ),
      h("section", { class: "panel" }, h("h2", {}, t("map")), mapEl),
    ),
    h("section", { class: "panel", style: "margin-top:16px" }, h("h2", {}, t("timeline")), chartEl),
    h(
      "section",
      { class: "panel", style: "margin-top:16px" },
      h("h2", {}, t("narratives")),
      table(
        [t("time"), t("category"), t("address"), t("narrative"), t("disposition")],
        incidents.map((x) => [
          dateTime(x.receivedAt, x.utcOffsetMin),
          x.categoryLabel ?? x.subtype ?? x.category,
          x.address ?? "—",
          x.narrative ?? "—",
          x.disposition ?? "—",
        ]),
      ),
    ),
  );
  main.dataset.ready = "series-detail";
  chart(chartEl, {
    grid: { left: 40, right: 16, top: 10, bottom: 30 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: weekly.map((w) => isoDate(w.week)) },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: weekly.map((w) => w.count), color: "#c25e00" }],
  });
  const pts = incidents.filter((x) => x.lon !== null && x.lat !== null).map((x) => [x.lon, x.lat]);
  if (pts.length > 0) {
    const m = await map(mapEl, boundsOf(pts));
    m.addSource("calls", {
      type: "geojson",
      data: {
        type: "FeatureCollection",
        features: pts.map((p) => ({
          type: "Feature",
          geometry: { type: "Point", coordinates: p },
          properties: {},
        })),
      },
    });
    m.addLayer({
      id: "calls",
      type: "circle",
      source: "calls",
      paint: {
        "circle-radius": 7,
        "circle-color": "#c0262d",
        "circle-opacity": 0.7,
        "circle-stroke-color": "#fff",
        "circle-stroke-width": 1.5,
      },
    });
  }
}

// ---- cases ----
async function casesPage(main, id) {
  if (id) return caseDetail(main, id);
  // The API's largest page; the board and "mine" are virtualised lists.
  const { cases, overdue } = await api("/api/v1/cases?limit=1000");
  const tab = sessionStorage.getItem("recur.casesTab") ?? "board";
  const tabs = h(
    "div",
    { class: "tabs", role: "tablist" },
    ["mine", "board"].map((k) =>
      h(
        "button",
        {
          class: "secondary",
          role: "tab",
          "aria-selected": String(tab === k),
          onclick: () => {
            sessionStorage.setItem("recur.casesTab", k);
            casesPage(main);
          },
        },
        t(k),
      ),
    ),
  );
  const late = new Set(overdue);
  // Two lines of fixed height (title cut with an ellipsis, full title on hover) for the virtual columns.
  const card = (c) =>
    h(
      "a",
      {
        class: "casecard",
        href: `#/cases/${c.id}`,
        title: c.title,
        style: "height:100%;margin:0;overflow:hidden",
      },
      h("div", { class: "ellipsis" }, badge(c.warning), " ", c.title),
      h(
        "div",
        { class: "muted ellipsis" },
        `${t("deadline")}: ${c.deadline ? dateTime(c.deadline) : "—"}`,
        late.has(c.id) ? [" · ", h("strong", { class: "error" }, t("overdue"))] : null,
      ),
    );
  let body;
  if (tab === "mine") {
    const mine = cases.filter(
      (c) => c.owner === me.user.username || c.history?.[0]?.by === me.user.id || c.owner === me.user.id,
    );
    body = mine.length
      ? virtualList(
          mine,
          [
            { label: t("level"), cell: (c) => badge(c.warning) },
            { label: t("title"), cell: (c) => c.title },
            { label: t("state"), cell: (c) => t(c.state) },
            { label: t("deadline"), cell: (c) => (c.deadline ? dateTime(c.deadline) : "—") },
            { label: t("updated"), cell: (c) => dateTime(c.updatedAt) },
          ],
          (c) => {
            location.hash = `#/cases/${c.id}`;
          },
          { label: t("mine"), template: "80px 1fr 120px 190px 190px" },
        )
      : h("p", { class: "muted" }, t("noData"));
  } else {
    const cols = [
      ["draft", "reopened"],
      ["assigned"],
      ["in_progress"],
      ["resolved", "verifying"],
      ["closed_effective", "closed_ineffective", "cancelled"],
    ];
    body = h(
      "div",
      { class: "boardcols" },
      cols.map((group) => {
        const name = group.map(t).join(" / ");
        const list = cases.filter((c) => group.includes(c.state));
        return h(
          "section",
          { class: "col", "aria-label": name },
          h("h2", {}, `${name} (${num(list.length)})`),
          list.length
            ? virtualItems(h, list, card, { itemHeight: 72, label: name })
            : h("p", { class: "muted" }, t("noData")),
        );
      }),
    );
  }
  main.replaceChildren(h("h1", {}, t("cases")), tabs, body);
  main.dataset.ready = "cases";
}

function actionForms(c, done, registry = { units: [], agencies: [] }) {
  const allowed =
    {
      draft: ["assign", "cancel"],
      assigned: ["assign", "start", "record", "cancel"],
      in_progress: ["record", "resolve", "assign"],
      resolved: ["verify", "reopen"],
      verifying: ["close_effective", "close_ineffective", "reopen"],
      closed_effective: ["reopen"],
      closed_ineffective: ["reopen"],
      reopened: ["assign", "cancel"],
      cancelled: [],
    }[c.state] ?? [];
  const fields = {
    assign: () => [
      ...assigneePickers(c, registry),
      h("label", {}, t("owner"), h("input", { name: "owner", required: true, value: me.user.username })),
    ],
    start: () => [],
    record: () => [
      h(
        "label",
        {},
        t("kind"),
        h(
          "select",
          { name: "kind" },
          ["visit", "mediation", "referral", "callback", "note"].map((k) => h("option", { value: k }, t(k))),
        ),
      ),
      h("label", {}, t("text"), h("input", { name: "text", required: true, size: 40 })),
      h("label", {}, t("result"), h("input", { name: "result" })),
    ],
    resolve: () => [
      h(
        "label",
        {},
        t("resolution"),
        h(
          "select",
          { name: "resolution" },
          [
            "mediated",
            "referred_resolved",
            "facility_fixed",
            "enforcement",
            "support_arranged",
            "no_action_possible",
            "other",
          ].map((k) => h("option", { value: k }, t(k))),
        ),
      ),
    ],
    verify: () => [
      h(
        "label",
        {},
        t("days"),
        h(
          "select",
          { name: "days" },
          [30, 60, 90].map((d) => h("option", { value: d }, num(d))),
        ),
      ),
    ],
    close_effective: () => [],
    close_ineffective: () => [],
    reopen: () => [h("label", {}, t("reason"), h("input", { name: "reason", required: true }))],
    cancel: () => [h("label", {}, t("reason"), h("input", { name: "reason", required: true }))],
  };
  const command = (action, d) => {
    switch (action) {
      case "assign":
        return { action, assignee: { kind: d.get("kind"), code: d.get("code") }, owner: d.get("owner") };
      case "record":
        return {
          action,
          kind: d.get("kind"),
          text: d.get("text"),
          ...(d.get("result") ? { result: d.get("result") } : {}),
        };
      case "resolve":
        return { action, resolution: d.get("resolution") };
      case "verify":
        return { action, days: Number(d.get("days")) };
      case "reopen":
      case "cancel":
        return { action, reason: d.get("reason") };
      default:
        return { action };
    }
  };
  const msg = h("p", { role: "alert", class: "error" });
  return h(
    "div",
    { class: "actions" },
    allowed.map((action) => {
      const form = h(
        "form",
        {
          "data-action": action,
          onsubmit: async (e) => {
            e.preventDefault();
            try {
              await api(`/api/v1/cases/${c.id}/actions`, {
                method: "POST",
                body: JSON.stringify({ version: c.version, command: command(action, new FormData(form)) }),
              });
              done();
            } catch (x) {
              msg.textContent = x.message;
            }
          },
        },
        fields[action](),
        h(
          "button",
          { class: action === "cancel" || action === "reopen" ? "secondary" : "primary", type: "submit" },
          t(action === "start" ? "start_a" : action),
        ),
      );
      return form;
    }),
    msg,
  );
}

/** Assignee kind and a picker of the registry's active units or agencies (the case's station first). */
function assigneePickers(c, registry) {
  const code = h("select", { name: "code", required: true, "aria-label": t("code") });
  const fill = (kind) => {
    const list = (kind === "unit" ? registry.units : registry.agencies).filter((x) => x.active !== false);
    code.replaceChildren(
      ...list.map((x) =>
        h(
          "option",
          { value: x.code, selected: kind === "unit" && x.code === c.stationUnit },
          `${x.name}${x.name === x.code ? "" : ` (${x.code})`} · ${registryLabel(kind === "unit" ? x.level : x.kind)}`,
        ),
      ),
    );
  };
  const kind = h(
    "select",
    { name: "kind", onchange: () => fill(kind.value) },
    h("option", { value: "unit" }, t("unit")),
    h("option", { value: "agency" }, t("agency")),
  );
  fill("unit");
  return [h("label", {}, t("assignee"), kind), h("label", {}, t("code"), code)];
}

/** The registered name of a case's assignee (its code when the registry does not know it). */
function assigneeName(assignee, registry) {
  const list = assignee.kind === "unit" ? registry.units : registry.agencies;
  const found = list.find((x) => x.code === assignee.code);
  return found ? (found.name === found.code ? found.name : `${found.name} (${found.code})`) : assignee.code;
}

async function caseDetail(main, id) {
  const [{ case: c }, { units }, { agencies }] = await Promise.all([
    api(`/api/v1/cases/${encodeURIComponent(id)}`),
    api("/api/v1/units"),
    api("/api/v1/agencies"),
  ]);
  const outcomeBox = h("section", { class: "panel", id: "outcome" });
  const attachBox = h("section", { class: "panel", id: "attachments", style: "margin-top:16px" });
  main.replaceChildren(
    h("p", {}, h("a", { href: "#/cases" }, `← ${t("back")}`)),
    h(
      "h1",
      {},
      badge(c.warning),
      " ",
      c.title,
      " ",
      h("span", { class: "badge b-state", id: "case-state" }, t(c.state)),
    ),
    h(
      "div",
      { class: "grid g2" },
      h(
        "section",
        { class: "panel" },
        h(
          "dl",
          { class: "kv" },
          h("dt", {}, t("state")),
          h("dd", {}, t(c.state)),
          h("dt", {}, t("assignee")),
          h(
            "dd",
            {},
            c.assignee ? `${t(c.assignee.kind)} ${assigneeName(c.assignee, { units, agencies })}` : "—",
          ),
          h("dt", {}, t("owner")),
          h("dd", {}, c.owner ?? "—"),
          h("dt", {}, t("deadline")),
          h("dd", {}, c.deadline ? dateTime(c.deadline) : "—"),
          h("dt", {}, t("resolution")),
          h("dd", {}, c.resolution ? t(c.resolution) : "—"),
          h("dt", {}, t("version")),
          h("dd", {}, String(c.version)),
        ),
        h("h2", { style: "margin-top:16px" }, t("actions")),
        actionForms(c, () => caseDetail(main, id), { units, agencies }),
      ),
      outcomeBox,
    ),
    attachBox,
    h(
      "section",
      { class: "panel", style: "margin-top:16px" },
      h("h2", {}, t("history")),
      table(
        [t("time"), t("actions"), t("state"), t("text")],
        c.history.map((e) => [
          dateTime(e.at),
          t(e.action === "start" ? "start_a" : e.action),
          `${t(e.from)} → ${t(e.to)}`,
          e.work
            ? `${t(e.work.kind)}: ${e.work.text}${e.work.result ? ` (${e.work.result})` : ""}`
            : (e.note ?? ""),
        ]),
      ),
    ),
  );
  const ui = { h, api, table, chart };
  await Promise.all([
    outcomeSection(outcomeBox, c, ui).catch((e) =>
      outcomeBox.append(h("p", { class: "error", role: "alert" }, e.message)),
    ),
    attachmentsSection(attachBox, c, ui, can("cases.act")),
  ]);
  main.dataset.ready = "case-detail";
}

// ---- import: the wizard lives in import-wizard.js, the profiles page in profiles-page.js ----

// ---- data quality ----
// ---- analysis ----
async function analysisPage(main) {
  const days = Number(sessionStorage.getItem("recur.days") ?? 90);
  const a = await apiReady(`/api/v1/dashboard/analysis?days=${days}`);
  const heatEl = h("div", { class: "chart", role: "img", "aria-label": t("heatmap") });
  const mapEl = h("div", { class: "mapbox", role: "region", "aria-label": t("hotspots") });
  // The map's colours in words (the table below lists the same classes per cell).
  const hotLegend = h(
    "p",
    { class: "muted", style: "display:flex;flex-wrap:wrap;gap:4px 14px;margin:8px 0 0;font-size:13px" },
    Object.entries(HOT_COLOURS).map(([k, c]) =>
      h(
        "span",
        {},
        h("span", {
          "aria-hidden": "true",
          style: `display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px;background:${c}`,
        }),
        t(k),
      ),
    ),
  );
  const range = h(
    "select",
    {
      onchange: (e) => {
        sessionStorage.setItem("recur.days", e.target.value);
        analysisPage(main);
      },
    },
    [30, 90, 365].map((d) => h("option", { value: d, selected: d === days }, t(`d${d}`))),
  );
  main.replaceChildren(
    h("h1", {}, t("analysis")),
    h(
      "div",
      { class: "filters" },
      h("label", {}, t("range"), range),
      h(
        "span",
        { class: "muted" },
        `${t("total")} ${num(a.incidents)} · ${t("cells")} ${num(a.cells.length)}`,
      ),
    ),
    h(
      "div",
      { class: "grid g2" },
      h("section", { class: "panel" }, h("h2", {}, t("hotspots")), mapEl, hotLegend),
      h("section", { class: "panel" }, h("h2", {}, t("heatmap")), heatEl),
    ),
    h(
      "section",
      { class: "panel", style: "margin-top:16px" },
      h("h2", {}, t("topCells")),
      table(
        [t("cells"), t("count"), "Gi* z", "q", t("hotClass")],
        a.cells.slice(0, 15).map((c) => [c.cell, num(c.count), num(c.z, 2), num(c.q, 4), t(c.class)]),
        [1, 2, 3],
      ),
    ),
  );
  const knoxBox = h("section", { class: "panel", style: "margin-top:16px", id: "knox" });
  main.append(knoxBox);
  knoxSection(knoxBox, days);
  main.dataset.ready = "analysis";
  const data = [];
  a.heatmap.forEach((v, i) => {
    data.push([i % 24, Math.floor(i / 24), Math.round(v)]);
  });
  chart(heatEl, {
    tooltip: {},
    grid: { left: 50, right: 10, top: 10, bottom: 60 },
    xAxis: { type: "category", data: Array.from({ length: 24 }, (_, i) => String(i)) },
    yAxis: { type: "category", data: t("weekdays"), inverse: true },
    visualMap: {
      min: 0,
      max: Math.max(1, ...data.map((d) => d[2])),
      orient: "horizontal",
      left: "center",
      bottom: 0,
      // The scale's ends in numbers, not only shades.
      text: [num(Math.max(1, ...data.map((d) => d[2]))), num(0)],
      inRange: { color: ["#f2f6fb", "#0b4f8a"] },
    },
    series: [{ type: "heatmap", data }],
  });
  const pts = a.cells.flatMap((c) => c.boundary);
  if (pts.length) {
    const m = await map(mapEl, boundsOf(pts));
    const colour = HOT_COLOURS;
    m.addSource("cells", {
      type: "geojson",
      data: {
        type: "FeatureCollection",
        features: a.cells.map((c) => ({
          type: "Feature",
          properties: { colour: colour[c.class] ?? "#999" },
          geometry: { type: "Polygon", coordinates: [c.boundary] },
        })),
      },
    });
    m.addLayer({
      id: "cells",
      type: "fill",
      source: "cells",
      paint: { "fill-color": ["get", "colour"], "fill-opacity": 0.65, "fill-outline-color": "#ffffff" },
    });
    // The store's community police areas, outlined over the cells with their names.
    await areaOutlines(m, mapEl, api, await import("/vendor/maplibre/maplibre-gl.mjs"));
  }
}

const HOT_COLOURS = {
  hot99: "#b2182b",
  hot95: "#d6604d",
  hot90: "#f4a582",
  cold90: "#92c5de",
  cold95: "#4393c3",
  cold99: "#2166ac",
};

/** Near-repeat (Knox) table: observed pairs against the permutation expectation, per band. */
async function knoxSection(box, days) {
  const category = sessionStorage.getItem("recur.knoxCategory") ?? "criminal";
  const sel = h(
    "select",
    {
      onchange: (e) => {
        sessionStorage.setItem("recur.knoxCategory", e.target.value);
        knoxSection(box, days);
      },
    },
    ["criminal", "public_order", "dispute"].map((c) =>
      h("option", { value: c, selected: c === category }, t(`cat_${c}`)),
    ),
  );
  box.replaceChildren(
    h("h2", {}, t("knox")),
    h("div", { class: "filters" }, h("label", {}, t("category"), sel)),
    h("p", { class: "muted" }, t("loading")),
  );
  const k = await apiReady(`/api/v1/dashboard/knox?category=${category}&days=${days}`);
  const s = k.summary;
  const body = s
    ? table(
        [
          t("knoxSpace"),
          ...s.tbands.slice(0, -1).map((d, j) => `${num(d)}–${num(s.tbands[j + 1])} ${t("daysUnit")}`),
        ],
        s.observed.map((row, i) => [
          `${num(s.sbands[i])}–${num(s.sbands[i + 1])} m`,
          ...row.map((o, j) => {
            const p = s.pValue[i][j];
            const ratio = s.knoxRatio[i][j];
            return h(
              "span",
              { class: p < 0.05 && ratio > 1 ? "up" : null, title: `p = ${num(p, 3)}` },
              `${num(o)} / ${num(s.expectedMean[i][j], 1)} (${ratio === null ? "—" : num(ratio, 2)})`,
              p < 0.05 && ratio > 1 ? " *" : "",
            );
          }),
        ]),
        [1, 2, 3, 4],
      )
    : h("p", { class: "muted" }, t("noData"));
  box.replaceChildren(
    h("h2", {}, t("knox")),
    h(
      "div",
      { class: "filters" },
      h("label", {}, t("category"), sel),
      h("span", { class: "muted" }, `${num(k.events)} · ${t("knoxNote")}`),
    ),
    body,
  );
}

// ---- reports ----
/** "2024-05" → "2024年5月" / "May 2024". */
const monthName = (m) =>
  /^\d{4}-\d\d$/.test(m)
    ? new Intl.DateTimeFormat(locale(), { timeZone: "UTC", year: "numeric", month: "long" }).format(
        new Date(`${m}-01T00:00:00Z`),
      )
    : m;
async function reportsPage(main) {
  const month = sessionStorage.getItem("recur.month") ?? "";
  const d = await apiReady(`/api/v1/dashboard/indicators${month ? `?month=${month}` : ""}`);
  const sel = h(
    "select",
    {
      id: "month",
      onchange: (e) => {
        sessionStorage.setItem("recur.month", e.target.value);
        reportsPage(main);
      },
    },
    d.months.map((m) => h("option", { value: m, selected: m === d.month }, monthName(m))),
  );
  main.replaceChildren(
    h("h1", {}, t("reports")),
    h(
      "div",
      { class: "filters" },
      h("label", {}, t("monthSel"), sel),
      h(
        "a",
        {
          class: "primary",
          id: "download-xlsx",
          href: `/api/v1/dashboard/report?month=${d.month}&format=xlsx`,
          download: `recur-${d.month}.xlsx`,
        },
        t("downloadXlsx"),
      ),
      h(
        "a",
        {
          class: "secondary",
          id: "download-pdf",
          href: `/api/v1/dashboard/report?month=${d.month}&format=pdf`,
          download: `recur-${d.month}.pdf`,
        },
        t("downloadPdf"),
      ),
    ),
    h(
      "section",
      { class: "panel" },
      h("h2", {}, `${t("indicators")} · ${monthName(d.month)}`),
      table(
        [t("unit"), t("total"), t("previous"), t("change"), t("meanArrival"), t("seriesN")],
        d.units.map((u) => [
          u.unit,
          num(u.total),
          num(u.previous),
          pct(u.change),
          num(u.meanArrivalMin, 1),
          num(u.series),
        ]),
        [1, 2, 3, 4, 5],
      ),
    ),
  );
  main.dataset.ready = "reports";
}

// ---- admin ----
async function adminPage(main) {
  const [{ users }, { units }, { agencies }] = await Promise.all([
    api("/api/v1/users"),
    api("/api/v1/units"),
    api("/api/v1/agencies"),
  ]);
  const unitOf = new Map(units.map((u) => [u.code, u]));
  const agencyOf = new Map(agencies.map((a) => [a.code, a]));
  const msg = h("p", { role: "status" });
  const form = h(
    "form",
    {
      class: "filters",
      onsubmit: async (e) => {
        e.preventDefault();
        const d = new FormData(form);
        try {
          await api("/api/v1/users", {
            method: "POST",
            body: JSON.stringify({
              username: d.get("username"),
              displayName: d.get("displayName"),
              password: d.get("password"),
              role: d.get("role"),
              // The unit's registered level is the user's level (the server checks they agree).
              unitLevel: unitOf.get(d.get("unitCode"))?.level ?? null,
              unitCode: d.get("unitCode") || null,
              agencyCode: d.get("agencyCode") || null,
            }),
          });
          adminPage(main);
        } catch (x) {
          msg.textContent = x.message;
          msg.className = "error";
        }
      },
    },
    h("label", {}, t("username"), h("input", { name: "username", required: true })),
    h("label", {}, t("displayName"), h("input", { name: "displayName", required: true })),
    h(
      "label",
      {},
      t("password"),
      h("input", { name: "password", type: "password", required: true, autocomplete: "new-password" }),
    ),
    h(
      "label",
      {},
      t("role"),
      h(
        "select",
        { name: "role" },
        Object.keys(PERMS).map((r) => h("option", { value: r }, t(`role_${r}`))),
      ),
    ),
    h(
      "label",
      {},
      t("unitCode"),
      h(
        "select",
        { name: "unitCode", id: "user-unit" },
        h("option", { value: "" }, "—"),
        units
          .filter((u) => u.active !== false)
          .map((u) =>
            h(
              "option",
              { value: u.code },
              `${registryLabel(u.level)} · ${u.name}${u.name === u.code ? "" : ` (${u.code})`}`,
            ),
          ),
      ),
    ),
    h(
      "label",
      {},
      t("agencyCode"),
      h(
        "select",
        { name: "agencyCode", id: "user-agency" },
        h("option", { value: "" }, "—"),
        agencies
          .filter((a) => a.active !== false)
          .map((a) => h("option", { value: a.code }, `${a.name} · ${registryLabel(a.kind)}`)),
      ),
    ),
    h("button", { class: "primary" }, t("newUser")),
  );
  main.replaceChildren(
    h("h1", {}, t("admin")),
    h(
      "section",
      { class: "panel" },
      h("h2", {}, t("users")),
      table(
        [t("username"), t("displayName"), t("role"), t("unit"), t("agency"), t("disabled"), t("locked")],
        users.map((u) => [
          u.username,
          u.displayName,
          t(`role_${u.role}`),
          u.unitCode ? (unitOf.get(u.unitCode)?.name ?? u.unitCode) : "—",
          u.agencyCode ? (agencyOf.get(u.agencyCode)?.name ?? u.agencyCode) : "—",
          u.disabled ? "✔" : "",
          u.locked ? "✔" : "",
        ]),
      ),
    ),
    h("section", { class: "panel", style: "margin-top:16px" }, h("h2", {}, t("newUser")), form, msg),
    h(
      "section",
      { class: "panel", style: "margin-top:16px" },
      h("h2", {}, t("profiles")),
      h(
        "ul",
        {},
        config.profiles.map((p) => h("li", {}, p)),
      ),
    ),
  );
  main.dataset.ready = "admin";
}

const PAGE_VIEWS = {
  overview: overviewPage,
  series: seriesPage,
  cases: casesPage,
  outcomes: (main) => outcomesPage(main, { h, api, table, chart }),
  import: (main) => importWizardPage(main, { h, api }),
  quality: (main) => qualityPage(main, { h, api, chart, can }),
  review: (main, id) => reviewPage(main, id, { h, api, table, can }),
  analysis: analysisPage,
  reports: reportsPage,
  admin: adminPage,
  units: (main) => unitsPage(main, { h, api }),
  agencies: (main) => agenciesPage(main, { h, api, table }),
  rules: (main) => rulesPage(main, { h, api, table }),
  profiles: (main) => profilesPage(main, { h, api }),
};
render();
