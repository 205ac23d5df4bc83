// Verified outcomes per unit and partner agency (#5 item 6, docs/cases.md "Outcome verification"):
// the case counts of GET /api/v1/outcomes and, for the resolved cases of the user's scope, the
// verdict of each case's check against matched control places (GET /api/v1/cases/:id/outcome).
// Both are scoped on the server. app.js passes its helpers (h, api, table, chart).
import { lang, num, pct } from "./i18n.js";

const S = {
  zh: {
    title: "核验成效（按单位和合作部门）",
    intro:
      "每个已办结案件都按处置前后同样长的时间窗比较本地点（或报警人）的警情数，并与同派出所内可比地点（对照地点）同期的变化对比，以区分真实效果与“均值回归”。下表按承办单位或合作部门汇总，仅含您权限范围内的案件。",
    unitCol: "承办单位 / 合作部门",
    kind: "类型",
    unit: "警务单位",
    agency: "合作部门",
    open: "在办",
    overdue: "超期",
    checked: "已核验",
    effective: "有效",
    fell: "随对照回落",
    notEffective: "未见效果",
    pending: "核验中",
    insufficient: "对照不足",
    beforeAfter: "处置前 → 后（均值）",
    vsControls: "相对对照预期",
    closedRate: "结案有效率",
    chart: "各单位核验结论",
    chartLabel: "各承办单位和合作部门的核验结论案件数（堆叠条形图）",
    none: "您的权限范围内还没有分派给单位或合作部门的案件。案件分派后，这里会显示各单位的在办、超期和核验结论。",
    noneResolved: "暂无已办结的案件：办结后开始核验，结论在核验窗口结束后给出。",
    capped: "已核验最近办结的 {n} 个案件（共 {total} 个已办结）。",
    failed: "{n} 个案件的核验结果未能读取。",
    loading: "正在读取各案件的核验结果（{done}/{total}）…",
    legendNote:
      "“已核验”= 核验窗口已结束的案件；“随对照回落”= 警情减少，但与可比地点相当；“相对对照预期”= 处置后实际警情数相对按对照地点趋势预期数的平均变化（负数表示少于预期）。",
  },
  en: {
    title: "Verified outcomes by unit and agency",
    intro:
      "Each resolved case compares the events at its place (or caller) in equal windows before and after resolution with the change at comparable places of the same station (controls), to tell a real effect from regression to the mean. The table sums the cases per assigned unit or partner agency, within your scope only.",
    unitCol: "Unit / agency",
    kind: "Kind",
    unit: "Police unit",
    agency: "Partner agency",
    open: "Open",
    overdue: "Overdue",
    checked: "Verified",
    effective: "Effective",
    fell: "Fell like controls",
    notEffective: "No effect",
    pending: "Window open",
    insufficient: "Too few controls",
    beforeAfter: "Before → after (mean)",
    vsControls: "Against controls",
    closedRate: "Closed effective",
    chart: "Verdicts per unit and agency",
    chartLabel: "Cases per verdict for each assigned unit and partner agency (stacked bars)",
    none: "No case in your scope has been assigned to a unit or agency yet. Once cases are assigned, their open, overdue and verified outcomes appear here.",
    noneResolved:
      "No resolved case yet: verification starts at resolution and gives its verdict when the window ends.",
    capped: "Verdicts of the {n} most recently resolved cases (of {total} resolved).",
    failed: "The outcome of {n} cases could not be read.",
    loading: "Reading the outcome of each case ({done}/{total})…",
    legendNote:
      "'Verified' = the window is over; 'fell like controls' = fewer events, but no more than comparable places; 'against controls' = mean change of the after-count against the count the controls' trend predicts (negative = fewer than expected).",
  },
};
const s = (key, vars = {}) =>
  (S[lang][key] ?? key).replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : `{${k}}`));

/** At most this many per-case checks: each reads the place's history and its station's places. */
const MAX_CHECKED = 300;
const VERDICTS = ["effective", "fell_like_controls", "not_effective", "pending", "insufficient_controls"];
const COLOURS = ["#1b7a3a", "#8a6d00", "#c0262d", "#1f5fbf", "#6b7683"];

/** Runs `work` over `items` with at most `limit` at a time. */
async function pool(items, limit, work) {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i], i);
    }
  });
  await Promise.all(runners);
}

export async function outcomesPage(main, { h, api, table, chart }) {
  const [{ rows }, { cases }, units, agencies] = await Promise.all([
    api("/api/v1/outcomes"),
    api("/api/v1/cases?limit=1000"),
    api("/api/v1/units")
      .then((r) => r.units)
      .catch(() => []),
    api("/api/v1/agencies")
      .then((r) => r.agencies)
      .catch(() => []),
  ]);
  const names = new Map([
    ...units.map((u) => [`unit:${u.code}`, u.name]),
    ...agencies.map((a) => [`agency:${a.code}`, a.name]),
  ]);
  const head = [h("h1", {}, s("title")), h("p", { class: "muted intro" }, s("intro"))];
  if (rows.length === 0) {
    main.replaceChildren(...head, h("section", { class: "panel" }, h("p", {}, s("none"))));
    main.dataset.ready = "outcomes";
    return;
  }
  const resolved = cases
    .filter(
      (c) => c.assignee && c.resolvedAt !== null && c.resolvedAt !== undefined && c.state !== "cancelled",
    )
    .sort((a, b) => b.resolvedAt - a.resolvedAt);
  const picked = resolved.slice(0, MAX_CHECKED);
  const progress = h("p", { class: "muted", role: "status" });
  main.replaceChildren(...head, progress);
  const verdicts = new Map();
  let done = 0;
  let failed = 0;
  await pool(picked, 4, async (c) => {
    try {
      const { outcome } = await api(`/api/v1/cases/${encodeURIComponent(c.id)}/outcome`);
      if (outcome) verdicts.set(c.id, { c, o: outcome });
    } catch (e) {
      if (e.status === 401) throw e;
      failed++;
    }
    done++;
    progress.textContent = s("loading", { done: num(done), total: num(picked.length) });
  });

  const byAssignee = new Map();
  for (const { c, o } of verdicts.values()) {
    const id = `${c.assignee.kind}:${c.assignee.code}`;
    const agg = byAssignee.get(id) ?? { counts: {}, before: 0, after: 0, n: 0, change: 0, withControls: 0 };
    agg.counts[o.verdict] = (agg.counts[o.verdict] ?? 0) + 1;
    if (o.verdict !== "pending") {
      agg.before += o.before;
      agg.after += o.after;
      agg.n++;
    }
    if (o.verdict !== "pending" && o.verdict !== "insufficient_controls" && o.controls.length > 0) {
      // Relative to the count the controls' trend predicts: -0.4 = 40 % fewer calls than expected.
      agg.change += (o.after - o.expectedAfter) / Math.max(o.expectedAfter, 0.5);
      agg.withControls++;
    }
    byAssignee.set(id, agg);
  }

  const label = (r) => names.get(`${r.kind}:${r.assignee}`) ?? r.assignee;
  const lines = rows.map((r) => {
    const agg = byAssignee.get(`${r.kind}:${r.assignee}`) ?? { counts: {}, n: 0, withControls: 0 };
    const n = (v) => agg.counts[v] ?? 0;
    const checked = agg.n;
    return {
      r,
      agg,
      cells: [
        label(r),
        s(r.kind),
        num(r.open),
        r.overdue > 0 ? h("strong", { class: "error" }, num(r.overdue)) : num(r.overdue),
        num(checked),
        num(n("effective")),
        num(n("fell_like_controls")),
        num(n("not_effective")),
        num(n("pending")),
        num(n("insufficient_controls")),
        checked > 0 ? `${num(agg.before / checked, 1)} → ${num(agg.after / checked, 1)}` : "—",
        agg.withControls > 0 ? pct(agg.change / agg.withControls) : "—",
        pct(r.effectiveRate),
      ],
    };
  });
  const tbl = table(
    [
      s("unitCol"),
      s("kind"),
      s("open"),
      s("overdue"),
      s("checked"),
      s("effective"),
      s("fell"),
      s("notEffective"),
      s("pending"),
      s("insufficient"),
      s("beforeAfter"),
      s("vsControls"),
      s("closedRate"),
    ],
    lines.map((l) => l.cells),
    [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
  );
  tbl.id = "outcomes-table";
  // A keyboard user reaches the table (it may scroll sideways on a narrow screen).
  const scroller = h(
    "div",
    {
      id: "outcomes-region",
      style: "overflow-x:auto",
      tabindex: "0",
      role: "region",
      "aria-label": s("title"),
    },
    tbl,
  );
  const notes = [
    resolved.length === 0 ? h("p", { class: "muted" }, s("noneResolved")) : null,
    resolved.length > picked.length
      ? h("p", { class: "muted" }, s("capped", { n: num(picked.length), total: num(resolved.length) }))
      : null,
    failed > 0 ? h("p", { class: "error", role: "alert" }, s("failed", { n: num(failed) })) : null,
    h("p", { class: "muted" }, s("legendNote")),
  ];
  const chartEl = h("div", {
    class: "chart",
    role: "img",
    "aria-label": s("chartLabel"),
    style: `height:${Math.max(220, 60 + lines.length * 34)}px`,
  });
  main.replaceChildren(
    ...head,
    h("section", { class: "panel" }, scroller, ...notes),
    h("section", { class: "panel", style: "margin-top:16px" }, h("h2", {}, s("chart")), chartEl),
  );
  main.dataset.ready = "outcomes";
  const ordered = [...lines].reverse();
  const verdictKey = { effective: "effective", fell_like_controls: "fell", not_effective: "notEffective" };
  chart(chartEl, {
    grid: { left: 160, right: 24, top: 40, bottom: 30 },
    legend: { top: 0 },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: {
      type: "category",
      data: ordered.map((l) => label(l.r)),
      axisLabel: { width: 150, overflow: "truncate" },
    },
    series: VERDICTS.map((v, i) => ({
      name: s(verdictKey[v] ?? (v === "pending" ? "pending" : "insufficient")),
      type: "bar",
      stack: "verdicts",
      barMaxWidth: 28,
      color: COLOURS[i],
      data: ordered.map((l) => l.agg.counts[v] ?? 0),
    })),
  });
}
