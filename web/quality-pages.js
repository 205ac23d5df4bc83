// Data quality pages (docs/quality.md): unit scorecards with the five components and their trend,
// and the three-level review queue (list, incident detail with masked narrative and issues,
// pass / rework with a reason, resubmission). Built on /api/v1/quality/*; app.js passes its
// helpers (h, api, table, chart, can).
import { date, dateTime, lang, num, pct } from "./i18n.js";

const S = {
  zh: {
    title: "数据质量",
    scorecards: "单位质量成绩单",
    level: "层级",
    station: "派出所",
    branch: "分局",
    city: "市局",
    period: "周期",
    week: "按周",
    month: "按月",
    unit: "单位",
    incidents: "警情数",
    meanScore: "平均分",
    completeness: "六要素完整",
    timeliness: "反馈及时",
    consistency: "逻辑一致",
    labelAccuracy: "标签准确",
    reviewPassRate: "复核通过",
    change: "较上期",
    topIssue: "主要问题",
    trend: "质量趋势",
    trendOf: "趋势：",
    showTrend: "查看趋势",
    range: "统计范围",
    computedAt: "最近检查",
    never: "尚未运行质量检查",
    neverHint: "运行一次质量检查后，这里按单位显示成绩单。",
    run: "运行质量检查",
    running: "正在检查…",
    runDone: "检查完成",
    runFailed: "检查失败",
    noData: "此范围内没有已检查的警情",
    review: "复核队列",
    reviewTitle: "三级复核",
    status: "状态",
    all: "全部",
    pending: "待复核",
    rework: "退回整改",
    passed: "已通过",
    levelCity: "市局抽查",
    levelBranch: "分局全量",
    levelStation: "派出所自查",
    time: "报警时间",
    category: "类别",
    round: "轮次",
    score: "质量分",
    errors: "错误",
    open: "打开",
    newQueue: "新建复核任务",
    sample: "抽查",
    mode: "方式",
    stratified: "分层（每所每周）",
    random: "简单随机",
    count: "数量",
    seed: "随机种子",
    from: "开始日期",
    to: "结束日期",
    create: "生成",
    queueBranch: "生成本分局全量复核队列",
    selfCheck: "生成本所自查清单",
    created: (r) => `选出 ${r.chosen} 条，新入队 ${r.added} 条`,
    stats: "复核统计",
    items: "项",
    passRate: "通过率",
    medianCycle: "周期中位数（小时）",
    medianWait: "复核等待（小时）",
    medianRework: "整改用时（小时）",
    empty: "队列为空",
    prevPage: "上一页",
    nextPage: "下一页",
    rows: (a, b) => `第 ${a}–${b} 条`,
    back: "返回复核队列",
    detail: "复核详情",
    incident: "警情",
    narrative: "简要案情（已脱敏）",
    disposition: "处警结果",
    feedback: "反馈内容",
    address: "发生地址",
    issues: "发现的问题",
    noIssues: "规则未发现问题",
    history: "复核记录",
    cycle: "周期",
    pass: "通过",
    reworkBtn: "退回整改",
    reason: "退回原因（必填）",
    reasonNeeded: "请写明退回原因",
    note: "说明（可选）",
    resubmit: "整改完成，重新提交",
    notYours: "此项由其他层级或单位处理",
    awaitingStation: "已退回派出所整改，等待重新提交后再复核",
    queued: "入队",
    resubmitted: "重新提交",
    error: "错误",
    warning: "警告",
    hours: "小时",
  },
  en: {
    title: "Data quality",
    scorecards: "Unit quality scorecards",
    level: "Level",
    station: "Station",
    branch: "Branch",
    city: "City",
    period: "Period",
    week: "Weekly",
    month: "Monthly",
    unit: "Unit",
    incidents: "Incidents",
    meanScore: "Mean score",
    completeness: "Completeness",
    timeliness: "Timeliness",
    consistency: "Consistency",
    labelAccuracy: "Label accuracy",
    reviewPassRate: "Review pass rate",
    change: "Change",
    topIssue: "Top issue",
    trend: "Quality trend",
    trendOf: "Trend: ",
    showTrend: "Show trend",
    range: "Range",
    computedAt: "Last check",
    never: "No quality check has run yet",
    neverHint: "Run a quality check once; the scorecards per unit then appear here.",
    run: "Run quality check",
    running: "Checking…",
    runDone: "Check finished",
    runFailed: "Check failed",
    noData: "No checked incidents in this range",
    review: "Review queue",
    reviewTitle: "Three-level review",
    status: "Status",
    all: "All",
    pending: "Pending",
    rework: "Rework",
    passed: "Passed",
    levelCity: "City sample",
    levelBranch: "Branch review",
    levelStation: "Station self-check",
    time: "Received",
    category: "Category",
    round: "Round",
    score: "Score",
    errors: "Errors",
    open: "Open",
    newQueue: "New review task",
    sample: "Sample",
    mode: "Mode",
    stratified: "Stratified (per station per week)",
    random: "Simple random",
    count: "Count",
    seed: "Seed",
    from: "From",
    to: "To",
    create: "Create",
    queueBranch: "Queue all records of my branch",
    selfCheck: "Self-check my station's records",
    created: (r) => `Selected ${r.chosen}, queued ${r.added}`,
    stats: "Review statistics",
    items: "items",
    passRate: "Pass rate",
    medianCycle: "Median cycle (h)",
    medianWait: "Review wait (h)",
    medianRework: "Rework time (h)",
    empty: "The queue is empty",
    prevPage: "Previous page",
    nextPage: "Next page",
    rows: (a, b) => `items ${a}–${b}`,
    back: "Back to the review queue",
    detail: "Review",
    incident: "Incident",
    narrative: "Narrative (masked)",
    disposition: "Disposition",
    feedback: "Feedback",
    address: "Address",
    issues: "Issues found",
    noIssues: "The rules found no issue",
    history: "History",
    cycle: "Cycle",
    pass: "Pass",
    reworkBtn: "Return for rework",
    reason: "Reason for rework (required)",
    reasonNeeded: "Give a reason for the rework",
    note: "Note (optional)",
    resubmit: "Rework done, resubmit",
    notYours: "Another level or unit handles this item",
    awaitingStation: "Returned to the station for rework; reviewed again once resubmitted",
    queued: "Queued",
    resubmitted: "Resubmitted",
    error: "Error",
    warning: "Warning",
    hours: "h",
  },
};
const s = (key) => S[lang][key] ?? S.zh[key] ?? key;
const COMPONENTS = ["completeness", "timeliness", "consistency", "labelAccuracy", "reviewPassRate"];
const LEVEL_RANK = { city: 0, branch: 1, station: 2, area: 3 };
const LEVEL_LABEL = { city: "levelCity", branch: "levelBranch", station: "levelStation" };

/** yyyy-mm-dd of an instant on the China wall clock (the calls' usual offset). */
const dayOf = (ms) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);

function bar(h, v) {
  if (v === null || v === undefined) return "—";
  return h(
    "div",
    { class: "qbar" },
    h("div", { class: "bar", role: "presentation" }, h("i", { style: `width:${Math.round(v * 100)}%` })),
    h("span", {}, pct(v).replace("+", "")),
  );
}

function changeCell(h, change) {
  if (change === null || change === undefined) return "—";
  const cls = change > 0 ? "down" : change < 0 ? "up" : "";
  return h("span", { class: cls }, `${change > 0 ? "▲ +" : change < 0 ? "▼ " : ""}${num(change, 1)}`);
}

// ---- scorecards ----
export async function qualityPage(main, ui) {
  const { h, api, chart, can } = ui;
  delete main.dataset.ready;
  const me = await api("/api/v1/auth/me");
  const myLevel = me.user.unitLevel ?? "city";
  const levels = ["city", "branch", "station"].filter((l) => LEVEL_RANK[l] >= LEVEL_RANK[myLevel]);
  const level = levels.includes(sessionStorage.getItem("recur.qlevel"))
    ? sessionStorage.getItem("recur.qlevel")
    : (levels.find((l) => l === "station") ?? levels[0]);
  const period = sessionStorage.getItem("recur.qperiod") === "month" ? "month" : "week";
  const [cards, runState] = await Promise.all([
    api(`/api/v1/quality/scorecards?level=${level}&period=${period}`),
    api("/api/v1/quality/run"),
  ]);
  const rerender = () => qualityPage(main, ui);
  const select = (key, value, options) =>
    h(
      "select",
      {
        id: `q-${key}`,
        onchange: (e) => {
          sessionStorage.setItem(`recur.q${key}`, e.target.value);
          rerender();
        },
      },
      options.map((o) => h("option", { value: o, selected: o === value }, s(o))),
    );
  const status = h("span", { class: "muted", id: "q-run-status", role: "status" });
  const runButton = can("quality.sample")
    ? h(
        "button",
        {
          class: "secondary",
          id: "q-run",
          onclick: async () => {
            runButton.disabled = true;
            await api("/api/v1/quality/run", { method: "POST" });
            for (;;) {
              const st = await api("/api/v1/quality/run");
              status.textContent =
                st.phase === "running"
                  ? `${s("running")} ${num(st.done)} / ${num(st.total)}`
                  : st.phase === "failed"
                    ? `${s("runFailed")}: ${st.error ?? ""}`
                    : s("runDone");
              if (st.phase !== "running") break;
              await new Promise((r) => setTimeout(r, 700));
            }
            rerender();
          },
        },
        s("run"),
      )
    : null;
  if (runState.phase === "running")
    status.textContent = `${s("running")} ${num(runState.done)} / ${num(runState.total)}`;

  const header = [
    h("h1", {}, s("title")),
    h(
      "div",
      { class: "filters" },
      h("label", {}, s("level"), select("level", level, levels)),
      h("label", {}, s("period"), select("period", period, ["week", "month"])),
      h(
        "span",
        { class: "muted" },
        cards.computedAt
          ? `${s("computedAt")}: ${dateTime(cards.computedAt)}${cards.from ? ` · ${s("range")}: ${date(cards.from)} – ${date(cards.to - 1)}` : ""}`
          : s("never"),
      ),
      runButton,
      status,
      h("a", { href: "#/review", class: "qlink" }, `${s("review")} →`),
    ),
  ];
  if (cards.units.length === 0) {
    main.replaceChildren(
      ...header,
      h("section", { class: "panel" }, h("p", {}, cards.computedAt ? s("noData") : s("neverHint"))),
    );
    main.dataset.ready = "quality";
    return;
  }

  const trendEl = h("div", { class: "chart", role: "img", id: "q-trend" });
  const trendTitle = h("h2", { id: "q-trend-title" });
  let trendChart = null;
  const showTrend = (unit) => {
    const byPeriod = new Map(cards.trend.filter((c) => c.unit === unit.unit).map((c) => [c.period, c]));
    const rows = cards.periods.map((p) => byPeriod.get(p) ?? { period: p, meanScore: null });
    const name = unit.name ?? (unit.unit || "—");
    trendTitle.textContent = `${s("trendOf")}${name}`;
    trendEl.setAttribute(
      "aria-label",
      `${s("trend")} ${name}: ${rows
        .filter((r) => r.meanScore !== null)
        .map((r) => `${r.period} ${num(r.meanScore, 1)}`)
        .join(", ")}`,
    );
    const option = {
      tooltip: { trigger: "axis", valueFormatter: (v) => (v === null ? "—" : pct(v).replace("+", "")) },
      legend: { top: 0 },
      grid: { left: 50, right: 50, top: 40, bottom: 30 },
      xAxis: { type: "category", data: rows.map((r) => r.period) },
      yAxis: [
        { type: "value", min: 0, max: 1, axisLabel: { formatter: (v) => `${Math.round(v * 100)}%` } },
        { type: "value", min: 0, max: 100, name: s("meanScore") },
      ],
      series: [
        ...COMPONENTS.map((c) => ({
          name: s(c),
          type: "line",
          connectNulls: true,
          data: rows.map((r) => r[c] ?? null),
        })),
        {
          name: s("meanScore"),
          type: "line",
          yAxisIndex: 1,
          connectNulls: true,
          lineStyle: { width: 3, color: "#1b2430" },
          itemStyle: { color: "#1b2430" },
          data: rows.map((r) => r.meanScore),
          tooltip: { valueFormatter: (v) => num(v, 1) },
        },
      ],
    };
    if (trendChart) trendChart.setOption(option, true);
    else trendChart = chart(trendEl, option);
  };

  const head = [s("unit"), s("incidents"), s("meanScore"), ...COMPONENTS.map(s), s("change"), s("topIssue")];
  const tableEl = h(
    "table",
    { id: "q-scorecards" },
    h("caption", { class: "sr" }, `${s("scorecards")} (${s(level)}, ${s(period)})`),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        head.map((x, i) => h("th", { scope: "col", class: i === 1 || i === 2 || i === 8 ? "n" : null }, x)),
      ),
    ),
    h(
      "tbody",
      {},
      cards.units.map((u) =>
        h(
          "tr",
          {},
          h(
            "th",
            { scope: "row" },
            h(
              "button",
              {
                class: "linklike",
                "aria-label": `${s("showTrend")}: ${u.name ?? u.unit}`,
                onclick: () => showTrend(u),
              },
              u.name ?? (u.unit || "—"),
            ),
          ),
          h("td", { class: "n" }, num(u.incidents)),
          h("td", { class: "n" }, num(u.meanScore, 1)),
          COMPONENTS.map((c) => h("td", {}, bar(h, u[c]))),
          h("td", { class: "n" }, changeCell(h, u.change)),
          h(
            "td",
            {},
            u.topIssues.length === 0
              ? "—"
              : u.topIssues
                  .slice(0, 2)
                  .map((x) => `${x.label} ${num(x.count)}`)
                  .join("，"),
          ),
        ),
      ),
    ),
  );
  main.replaceChildren(
    ...header,
    h(
      "section",
      { class: "panel", "aria-labelledby": "q-cards-title" },
      h("h2", { id: "q-cards-title" }, s("scorecards")),
      h("div", { class: "scrollx" }, tableEl),
    ),
    h("section", { class: "panel", style: "margin-top:16px" }, trendTitle, trendEl),
  );
  showTrend(cards.units[0]);
  main.dataset.ready = "quality";
}

// ---- review queue ----
/** Review items per page of the list (the API gives up to 500). */
const REVIEW_PAGE = 200;

export async function reviewPage(main, id, ui) {
  if (id) return reviewDetail(main, id, ui);
  const { h, api, table, can } = ui;
  delete main.dataset.ready;
  const me = await api("/api/v1/auth/me");
  const level = sessionStorage.getItem("recur.rlevel") ?? "";
  const status = sessionStorage.getItem("recur.rstatus") ?? "pending";
  const offset = Number(sessionStorage.getItem("recur.roffset") ?? 0) || 0;
  // One more than a page: whether there is a next page.
  const params = new URLSearchParams({ limit: String(REVIEW_PAGE + 1), offset: String(offset) });
  if (level) params.set("level", level);
  if (status) params.set("status", status);
  const [list, stats] = await Promise.all([
    api(`/api/v1/quality/reviews?${params}`),
    api("/api/v1/quality/reviews/stats"),
  ]);
  const rerender = () => reviewPage(main, undefined, ui);
  const filter = (key, value, options) =>
    h(
      "select",
      {
        id: `r-${key}`,
        onchange: (e) => {
          sessionStorage.setItem(`recur.r${key}`, e.target.value);
          sessionStorage.removeItem("recur.roffset");
          rerender();
        },
      },
      options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)),
    );

  // The task this user may open: the city samples, a branch queues, a station checks itself.
  const unitLevel = me.user.unitLevel;
  // Date range of a new task: the last week of checked calls (the data may be older than today).
  const today = stats.latestScored ?? Date.now();
  const msg = h("span", { class: "muted", role: "status", id: "r-created" });
  const fromInput = h("input", {
    type: "date",
    id: "r-from",
    value: dayOf(today - 6 * 86_400_000),
    required: true,
  });
  const toInput = h("input", { type: "date", id: "r-to", value: dayOf(today + 86_400_000), required: true });
  const submit = async (path, body) => {
    msg.textContent = "";
    try {
      const r = await api(path, {
        method: "POST",
        body: JSON.stringify({ ...body, from: fromInput.value, to: toInput.value }),
      });
      sessionStorage.setItem("recur.rstatus", "pending");
      sessionStorage.removeItem("recur.roffset");
      await rerender();
      document.getElementById("r-created").textContent = s("created")(r);
    } catch (e) {
      msg.textContent = e.message;
    }
  };
  let task = null;
  if (unitLevel === "city" && can("quality.sample")) {
    const mode = h(
      "select",
      { id: "r-mode" },
      ["stratified", "random"].map((m) => h("option", { value: m }, s(m))),
    );
    const count = h("input", { type: "number", id: "r-count", min: 1, max: 10000, value: 2 });
    const seed = h("input", { type: "number", id: "r-seed", value: 2024 });
    task = [
      h("label", {}, s("mode"), mode),
      h("label", {}, s("count"), count),
      h("label", {}, s("seed"), seed),
      h(
        "button",
        {
          class: "primary",
          type: "submit",
          id: "r-create",
          onclick: (e) => {
            e.preventDefault();
            submit("/api/v1/quality/reviews/sample", {
              mode: mode.value,
              count: Number(count.value),
              seed: Number(seed.value),
            });
          },
        },
        `${s("sample")}`,
      ),
    ];
  } else if (unitLevel === "branch") {
    task = [
      h(
        "button",
        {
          class: "primary",
          id: "r-create",
          onclick: (e) => {
            e.preventDefault();
            submit("/api/v1/quality/reviews/branch-queue", {});
          },
        },
        s("queueBranch"),
      ),
    ];
  } else if (unitLevel === "station") {
    task = [
      h(
        "button",
        {
          class: "primary",
          id: "r-create",
          onclick: (e) => {
            e.preventDefault();
            submit("/api/v1/quality/reviews/self-check", {});
          },
        },
        s("selfCheck"),
      ),
    ];
  }

  const statsRows = stats.levels.map((l) => [
    s(LEVEL_LABEL[l.level]),
    num(l.items),
    num(l.pending),
    num(l.rework),
    num(l.passed),
    l.passRate === null ? "—" : pct(l.passRate).replace("+", ""),
    num(l.medianTotalHours, 1),
    num(l.medianReviewHours, 1),
    num(l.medianReworkHours, 1),
  ]);
  const items = list.items.slice(0, REVIEW_PAGE);
  const hasNext = list.items.length > REVIEW_PAGE;
  const turn = (to) => {
    sessionStorage.setItem("recur.roffset", String(Math.max(0, to)));
    rerender();
  };
  const pager =
    offset > 0 || hasNext
      ? h(
          "nav",
          { class: "pager", "aria-label": s("review"), id: "r-pager" },
          h(
            "button",
            {
              type: "button",
              id: "r-prev",
              disabled: offset === 0,
              onclick: () => turn(offset - REVIEW_PAGE),
            },
            `← ${s("prevPage")}`,
          ),
          h("span", { class: "muted" }, s("rows")(num(offset + 1), num(offset + items.length))),
          h(
            "button",
            { type: "button", id: "r-next", disabled: !hasNext, onclick: () => turn(offset + REVIEW_PAGE) },
            `${s("nextPage")} →`,
          ),
        )
      : null;
  const rows = items.map((item) =>
    h(
      "tr",
      {
        tabindex: "0",
        class: "rowlink",
        "data-id": item.id,
        onkeydown: (e) => {
          if (e.key === "Enter") location.hash = `#/review/${encodeURIComponent(item.id)}`;
          if (e.key === "ArrowDown") e.currentTarget.nextElementSibling?.focus();
          if (e.key === "ArrowUp") e.currentTarget.previousElementSibling?.focus();
        },
      },
      h(
        "td",
        {},
        h(
          "a",
          { href: `#/review/${encodeURIComponent(item.id)}` },
          item.incident?.sourceId ?? item.incidentId,
        ),
      ),
      h("td", {}, item.incident ? dateTime(item.incident.receivedAt, item.incident.utcOffsetMin) : "—"),
      h("td", {}, item.station || "—"),
      h("td", {}, s(LEVEL_LABEL[item.level])),
      h("td", {}, h("span", { class: `badge rs-${item.status}` }, item.statusLabel)),
      h("td", { class: "n" }, num(item.round)),
      h("td", { class: "n" }, num(item.score, 1)),
      h("td", { class: "n" }, num(item.errors)),
      h("td", {}, item.lastReason ?? ""),
    ),
  );
  main.replaceChildren(
    h("h1", {}, s("reviewTitle")),
    task
      ? h(
          "form",
          { class: "filters panel", "aria-label": s("newQueue"), onsubmit: (e) => e.preventDefault() },
          h("strong", {}, s("newQueue")),
          h("label", {}, s("from"), fromInput),
          h("label", {}, s("to"), toInput),
          task,
          msg,
        )
      : null,
    h(
      "div",
      { class: "filters" },
      h(
        "label",
        {},
        s("level"),
        filter("level", level, [
          ["", s("all")],
          ["city", s("levelCity")],
          ["branch", s("levelBranch")],
          ["station", s("levelStation")],
        ]),
      ),
      h(
        "label",
        {},
        s("status"),
        filter("status", status, [
          ["", s("all")],
          ["pending", s("pending")],
          ["rework", s("rework")],
          ["passed", s("passed")],
        ]),
      ),
      h("a", { href: "#/quality", class: "qlink" }, `← ${s("scorecards")}`),
    ),
    h(
      "section",
      { class: "panel" },
      h(
        "h2",
        {},
        hasNext || offset > 0
          ? `${s("review")} (${s("rows")(num(offset + 1), num(offset + items.length))})`
          : `${s("review")} (${num(items.length)})`,
      ),
      items.length === 0
        ? h("p", { class: "muted" }, s("empty"))
        : h(
            "table",
            { id: "r-list" },
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                [
                  s("incident"),
                  s("time"),
                  s("station"),
                  s("level"),
                  s("status"),
                  s("round"),
                  s("score"),
                  s("errors"),
                  s("reason").replace(/（.*）|\(.*\)/, ""),
                ].map((x, i) => h("th", { scope: "col", class: i >= 5 && i <= 7 ? "n" : null }, x)),
              ),
            ),
            h("tbody", {}, rows),
          ),
      pager,
    ),
    h(
      "section",
      { class: "panel", style: "margin-top:16px" },
      h("h2", {}, s("stats")),
      table(
        [
          s("level"),
          s("items"),
          s("pending"),
          s("rework"),
          s("passed"),
          s("passRate"),
          s("medianCycle"),
          s("medianWait"),
          s("medianRework"),
        ],
        statsRows,
        [1, 2, 3, 4, 5, 6, 7, 8],
      ),
    ),
  );
  main.dataset.ready = "review";
}

async function reviewDetail(main, id, ui) {
  const { h, api } = ui;
  delete main.dataset.ready;
  const r = await api(`/api/v1/quality/reviews/${encodeURIComponent(id)}`);
  const { item, incident } = r;
  const rerender = () => reviewDetail(main, id, ui);
  const err = h("p", { class: "error", role: "alert", id: "r-error" });
  const act = async (path, body) => {
    err.textContent = "";
    try {
      await api(`/api/v1/quality/reviews/${encodeURIComponent(id)}/${path}`, {
        method: "POST",
        body: JSON.stringify(body),
      });
      await rerender();
      document.getElementById("r-actions")?.focus();
    } catch (e) {
      err.textContent = e.message;
    }
  };
  const reason = h("textarea", { id: "r-reason", rows: 2, maxlength: 500 });
  const note = h("textarea", { id: "r-note", rows: 2, maxlength: 500 });
  let actions;
  if (r.mayJudge)
    actions = [
      h("label", { class: "wide" }, s("reason"), reason),
      h(
        "div",
        { class: "rowbuttons" },
        h(
          "button",
          { class: "primary", id: "r-pass", onclick: () => act("verdict", { verdict: "pass" }) },
          s("pass"),
        ),
        h(
          "button",
          {
            class: "secondary",
            id: "r-rework",
            onclick: () => {
              if (reason.value.trim().length < 2) {
                err.textContent = s("reasonNeeded");
                reason.focus();
                return;
              }
              act("verdict", { verdict: "rework", reason: reason.value.trim() });
            },
          },
          s("reworkBtn"),
        ),
      ),
    ];
  else if (r.mayResubmit)
    actions = [
      h("label", { class: "wide" }, s("note"), note),
      h(
        "button",
        {
          class: "primary",
          id: "r-resubmit",
          onclick: () => act("resubmit", note.value.trim() ? { note: note.value.trim() } : {}),
        },
        s("resubmit"),
      ),
    ];
  else
    actions = [
      h(
        "p",
        { class: "muted" },
        item.status === "passed"
          ? item.statusLabel
          : item.status === "rework"
            ? s("awaitingStation")
            : s("notYours"),
      ),
    ];

  const eventLabel = (e) =>
    e.kind === "queued"
      ? s("queued")
      : e.kind === "pass"
        ? s("pass")
        : e.kind === "rework"
          ? s("rework")
          : s("resubmitted");
  const field = (label, value) => [h("dt", {}, label), h("dd", {}, value ?? "—")];
  main.replaceChildren(
    h("p", {}, h("a", { href: "#/review" }, `← ${s("back")}`)),
    h(
      "h1",
      {},
      `${s("detail")} · ${incident.sourceId} `,
      h("span", { class: `badge rs-${item.status}`, id: "r-status" }, item.statusLabel),
    ),
    h(
      "div",
      { class: "g2" },
      h(
        "section",
        { class: "panel" },
        h("h2", {}, s("incident")),
        h(
          "dl",
          { class: "facts" },
          field(s("time"), dateTime(incident.receivedAt, incident.utcOffsetMin)),
          field(s("category"), incident.categoryLabel),
          field(s("station"), incident.stationUnit),
          field(s("address"), incident.address),
          field(s("narrative"), incident.narrative),
          field(s("disposition"), incident.disposition),
          field(s("feedback"), incident.feedback),
        ),
      ),
      h(
        "section",
        { class: "panel" },
        h("h2", {}, `${s("issues")} · ${s("score")} ${num(r.score, 1)}`),
        r.issues.length === 0
          ? h("p", { class: "muted" }, s("noIssues"))
          : h(
              "ul",
              { class: "issues", id: "r-issues" },
              r.issues.map((i) =>
                h(
                  "li",
                  {},
                  h(
                    "span",
                    { class: `badge ${i.severity === "error" ? "b-red" : "b-orange"}` },
                    s(i.severity),
                  ),
                  " ",
                  i.message,
                ),
              ),
            ),
        h("h2", { style: "margin-top:16px" }, `${s(LEVEL_LABEL[item.level])} · ${s("round")} ${item.round}`),
        h("div", { id: "r-actions", tabindex: "-1", class: "ractions" }, actions, err),
        h("h2", { style: "margin-top:16px" }, s("history")),
        h(
          "ol",
          { class: "history" },
          item.events.map((e) =>
            h(
              "li",
              {},
              `${dateTime(e.at)} · ${eventLabel(e)}`,
              e.reason ? ` — ${e.reason}` : "",
              e.note ? ` — ${e.note}` : "",
            ),
          ),
        ),
        h(
          "p",
          { class: "muted" },
          `${s("cycle")}: ${item.cycle.totalHours === null ? "—" : `${num(item.cycle.totalHours, 1)} ${s("hours")}`}`,
        ),
      ),
    ),
  );
  main.dataset.ready = "review-detail";
}
