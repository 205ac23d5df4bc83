// The case page's outcome verification chart (the case's place against matched control places,
// docs/cases.md "Outcome verification") and its attachments (list, upload, audited download).
// app.js passes its helpers (h, api, table, chart).
import { date, dateTime, lang, num } from "./i18n.js";

const S = {
  zh: {
    outcome: "效果核验：处置前后对比",
    notResolved:
      "案件办结（“办结”操作）后开始核验：比较办结前后同样长的时间窗内本地点的警情数，并与同派出所内可比地点（对照地点）同期的变化相比。",
    before: "处置前",
    after: "处置后",
    thisPlace: "本地点",
    expected: "按对照地点趋势的预期",
    controlsWeekly: "对照地点（折算到本地点水平）",
    weekly: "每周警情",
    resolvedAt: "办结",
    window: "核验窗口：办结前后各 {d} 天（{from} 至 {to}）",
    controls: "对照地点 {n} 个（同派出所、警情类别构成相近、处置前警情数相差不超过一倍）",
    numbers:
      "本地点处置前 {b} 起、处置后 {a} 起；若按对照地点同期的变化，处置后预计约 {e} 起（单侧泊松检验 p = {p}）。",
    numbersNoControls:
      "本地点处置前 {b} 起、处置后 {a} 起；同期没有可比的对照地点，无法估计不处置时的预期数量。",
    v_pending: "核验中：窗口尚未结束（{end} 结束），以下为目前的数字，尚不能下结论。",
    v_insufficient_controls: "无法判断：可比的对照地点不足 5 个，不能把处置效果与自然回落区分开。",
    v_effective: "有效：处置后警情显著少于对照地点趋势所预期的数量。",
    v_fell_like_controls:
      "尚不能认定有效：警情虽有下降，但幅度与可比地点相当。被选为案件的地点往往正处于高峰期，之后本来就会回落（“均值回归”），因此这部分下降不能归功于处置。",
    v_not_effective: "未见效果：处置后警情未减少。",
    attachments: "附件",
    attachIntro:
      "照片、扫描件和办公文档（图片、PDF、Word/Excel/PowerPoint/WPS），单个不超过 {max} MB。文件类型按内容识别；下载会记入审计日志。",
    name: "文件",
    type: "类型",
    size: "大小",
    by: "上传人",
    at: "上传时间",
    hash: "SHA-256",
    upload: "上传附件",
    choose: "选择文件",
    uploaded: "已上传 {name}",
    removed: "已按保留期限删除",
    none: "暂无附件",
  },
  en: {
    outcome: "Outcome check: before and after",
    notResolved:
      "Verification starts when the case is resolved: events at this place in equal windows before and after resolution, against the change at comparable places of the same station (controls) over the same time.",
    before: "Before",
    after: "After",
    thisPlace: "This place",
    expected: "Expected from the controls' trend",
    controlsWeekly: "Control places (scaled to this place)",
    weekly: "Events per week",
    resolvedAt: "Resolved",
    window: "Window: {d} days before and after resolution ({from} to {to})",
    controls: "{n} control places (same station, similar category mix, prior count within a factor of two)",
    numbers:
      "This place: {b} events before, {a} after; following the controls' change it would have had about {e} after (one-sided Poisson test p = {p}).",
    numbersNoControls:
      "This place: {b} events before, {a} after; no comparable control places over the same time, so the count without the intervention cannot be estimated.",
    v_pending: "Verifying: the window ends on {end}; the figures so far allow no conclusion yet.",
    v_insufficient_controls:
      "Cannot tell: fewer than 5 comparable control places, so an effect cannot be told apart from a natural fall.",
    v_effective:
      "Effective: significantly fewer events after resolution than the control places' trend predicts.",
    v_fell_like_controls:
      "Not shown yet: events fell, but no more than at comparable places. Places are picked for a case when they are at a peak and tend to calm down anyway (regression to the mean), so this fall cannot be credited to the intervention.",
    v_not_effective: "No effect seen: events did not fall after resolution.",
    attachments: "Attachments",
    attachIntro:
      "Photos, scans and office documents (images, PDF, Word/Excel/PowerPoint/WPS), up to {max} MB each. The type is read from the content; downloads are audited.",
    name: "File",
    type: "Type",
    size: "Size",
    by: "Uploaded by",
    at: "Uploaded",
    hash: "SHA-256",
    upload: "Upload",
    choose: "Choose a file",
    uploaded: "Uploaded {name}",
    removed: "Removed under the retention schedule",
    none: "No attachments yet",
  },
};
const s = (key, vars = {}) =>
  (S[lang]?.[key] ?? S.en[key] ?? key).replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ""));

const VERDICT_CLASS = {
  pending: "v-pending",
  insufficient_controls: "v-unknown",
  effective: "v-ok",
  fell_like_controls: "v-warn",
  not_effective: "v-bad",
};

/** The outcome panel: verdict in words, the before/after bars and the weekly comparison. */
export async function outcomeSection(box, c, { h, api, chart }) {
  box.replaceChildren(h("h2", {}, s("outcome")));
  if (c.resolvedAt === null) {
    box.append(h("p", { class: "muted", id: "outcome-verdict" }, s("notResolved")));
    return;
  }
  const { outcome: o, weeks } = await api(`/api/v1/cases/${encodeURIComponent(c.id)}/outcome`);
  const days = c.verifyDays ?? 30;
  const verdict = h(
    "div",
    { class: `verdict ${VERDICT_CLASS[o.verdict] ?? ""}`, id: "outcome-verdict", "data-verdict": o.verdict },
    h("strong", {}, s(`v_${o.verdict}`, { end: date(o.afterTo) })),
    h(
      "p",
      {},
      o.controls.length === 0
        ? s("numbersNoControls", { b: num(o.before), a: num(o.after) })
        : s("numbers", {
            b: num(o.before),
            a: num(o.after),
            e: num(o.expectedAfter, 1),
            p: num(o.pValue, 3),
          }),
    ),
    h(
      "p",
      { class: "muted" },
      s("window", { d: num(days), from: date(o.beforeFrom), to: date(o.afterTo) }),
      " · ",
      s("controls", { n: num(o.controls.length) }),
    ),
  );
  const bars = h("div", {
    class: "chart small",
    role: "img",
    "aria-label": `${s("outcome")}: ${verdict.textContent}`,
  });
  const weekly = h("div", { class: "chart small", role: "img", "aria-label": s("weekly") });
  box.append(verdict, h("div", { class: "grid g2" }, bars, weekly));
  chart(bars, {
    grid: { left: 40, right: 12, top: 58, bottom: 28 },
    legend: { top: 0, itemWidth: 14, textStyle: { fontSize: 11 } },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: [s("before"), s("after")] },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      {
        name: s("thisPlace"),
        type: "bar",
        data: [o.before, o.after],
        color: "#0b4f8a",
        label: { show: true, position: "top" },
      },
      ...(o.controls.length === 0
        ? []
        : [
            {
              name: s("expected"),
              type: "bar",
              data: [o.before, Number(o.expectedAfter.toFixed(1))],
              color: "#9aa7b5",
              label: { show: true, position: "top" },
            },
          ]),
    ],
  });
  // Controls' weekly mean scaled so that their before-window total equals this place's.
  const half = weeks.filter((w) => w.from < c.resolvedAt);
  const controlBefore = half.reduce((sum, w) => sum + (w.controlsMean ?? 0), 0);
  const scale = controlBefore > 0 ? o.before / controlBefore : 0;
  const resolvedIndex = half.length;
  chart(weekly, {
    grid: { left: 40, right: 12, top: 58, bottom: 28 },
    legend: { top: 0, itemWidth: 14, textStyle: { fontSize: 11 } },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: weeks.map((w) => date(w.from)) },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      {
        name: s("thisPlace"),
        type: "bar",
        data: weeks.map((w) => w.place),
        color: "#0b4f8a",
        markLine: {
          symbol: "none",
          label: { formatter: s("resolvedAt") },
          lineStyle: { color: "#a85000", type: "solid", width: 2 },
          data: [{ xAxis: resolvedIndex }],
        },
      },
      {
        name: s("controlsWeekly"),
        type: "line",
        data: weeks.map((w) =>
          w.controlsMean === null ? null : Number((w.controlsMean * scale).toFixed(2)),
        ),
        color: "#55606e",
        lineStyle: { type: "dashed" },
        symbol: "none",
      },
    ],
  });
}

const size = (bytes) =>
  bytes >= 1024 * 1024
    ? `${num(bytes / 1024 / 1024, 1)} MB`
    : `${num(Math.max(1, Math.round(bytes / 1024)))} KB`;

/** The attachments panel: list with audited download links, and an upload form when allowed. */
export async function attachmentsSection(box, c, { h, api, table }, canAct) {
  const { attachments, maxBytes } = await api(`/api/v1/cases/${encodeURIComponent(c.id)}/attachments`);
  const msg = h("p", { role: "status", id: "attach-msg" });
  const file = h("input", { type: "file", id: "attach-file", "aria-label": s("choose") });
  const form = h(
    "form",
    {
      class: "filters",
      id: "attach-form",
      onsubmit: async (e) => {
        e.preventDefault();
        const f = file.files[0];
        if (!f) return;
        const button = form.querySelector("button");
        button.disabled = true;
        try {
          await api(
            `/api/v1/cases/${encodeURIComponent(c.id)}/attachments?name=${encodeURIComponent(f.name)}`,
            { method: "POST", body: f, headers: { "Content-Type": "application/octet-stream" } },
          );
          await attachmentsSection(box, c, { h, api, table }, canAct);
          const again = box.querySelector("#attach-msg");
          again.textContent = s("uploaded", { name: f.name });
          again.className = "okmsg";
        } catch (x) {
          msg.textContent = x.message;
          msg.className = "error";
          button.disabled = false;
        }
      },
    },
    h("label", {}, s("choose"), file),
    h("button", { class: "primary", type: "submit" }, s("upload")),
  );
  box.replaceChildren(
    h("h2", {}, s("attachments")),
    h("p", { class: "muted" }, s("attachIntro", { max: num(maxBytes / 1024 / 1024) })),
    attachments.length
      ? table(
          [s("name"), s("type"), s("size"), s("at"), s("hash")],
          attachments.map((a) => [
            a.deletedAt
              ? h("span", { class: "muted" }, s("removed"))
              : h(
                  "a",
                  {
                    href: `/api/v1/cases/${encodeURIComponent(c.id)}/attachments/${encodeURIComponent(a.id)}`,
                    download: a.name,
                  },
                  a.name,
                ),
            a.ext.toUpperCase(),
            size(a.size),
            dateTime(a.uploadedAt),
            h("code", { title: a.sha256 }, `${a.sha256.slice(0, 12)}…`),
          ]),
          [2],
        )
      : h("p", { class: "muted" }, s("none")),
    canAct && c.state !== "cancelled" ? form : null,
    msg,
  );
  box.dataset.ready = "attachments";
}
