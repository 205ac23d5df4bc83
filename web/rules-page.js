// Rule settings (admin, city analyst): the repeat thresholds and warning scores, the case
// deadlines per warning level and the main data-quality limits of this deployment, stored in
// the store (GET/POST /api/v1/rules, audited). app.js passes its helpers (h, api, table).
import { areaBoundariesPanel } from "./areas-panel.js";
import { lang, num } from "./i18n.js";

const S = {
  zh: {
    title: "规则设置",
    intro:
      "本部署的重复警情规则、预警分值、案件办理时限和数据质量规则。留空或与默认值相同的项使用内置默认值（见 docs/repeat.md、docs/quality.md）。每次保存都记入审计日志。",
    repeat: "重复警情（地点系列）",
    group: "类别组",
    placeLevel: "地点层级",
    minEvents: "至少事件数",
    windowDays: "时间窗（天）",
    default: "默认",
    other: "其他重复规则",
    dupWindow: "同一事件合并：时间窗（分钟）",
    dupRadius: "同一事件合并：距离（米）",
    callerMin: "来电人系列：至少事件数",
    callerDays: "来电人系列：时间窗（天）",
    matterMin: "矛盾纠纷系列：至少事件数",
    matterDays: "矛盾纠纷系列：时间窗（天）",
    matterPlaces: "矛盾纠纷系列：至少地点或来电人数",
    scores: "预警分值（−log10 p，须 黄 < 橙 < 红）",
    yellow: "黄色",
    orange: "橙色",
    red: "红色",
    blue: "蓝色",
    sla: "案件办理时限（小时，分派后起算）",
    quality: "数据质量规则",
    feedbackWithinHours: "反馈时限（小时）",
    dispatchWithinMin: "派警时限（分钟）",
    arriveWithinMin: "到场时限（分钟）",
    futureToleranceMin: "时间超前容差（分钟）",
    qDupWindow: "重复报警判定时间窗（分钟）",
    minConfidence: "类别不符判定最低置信度（0–1）",
    maxKmFromStation: "超出辖区判定距离（公里）",
    textChecks: "六要素检查叙述文本（人、事、经过）",
    save: "保存",
    reset: "全部恢复默认",
    confirmReset: "确定把全部规则恢复为内置默认值？",
    saved:
      "已保存。案件时限立即生效；仪表盘的重复警情系列随即按新规则重算，接警比对索引在服务下次启动时生效；质量规则用于此后的质量检查。",
    noise: "噪声扰民",
    neighbour: "邻里纠纷",
    domestic: "家庭纠纷/家暴（保护性）",
    labour: "劳资纠纷",
    consumer: "消费纠纷",
    property: "物业纠纷",
    debt: "债务纠纷",
    violence: "暴力类",
    property_crime: "侵财类",
    disorder: "治安秩序类",
    help: "求助类",
    complaint: "投诉类",
    invalid: "无效警情",
    room: "户",
    building: "楼栋",
    poi: "场所",
    unit: "单元",
    road: "道路",
    cross: "路口",
    keys: "地址规则与位置键",
    keysIntro:
      "位置键由地址文本和地址解析规则生成。升级 recur 后规则可能变化，之前导入的警情仍是旧的位置键，重复警情会把同一地点当成两处。重新生成只改位置键和地址要素，不改地址和其他内容（与命令 recur address rekey 相同，见 docs/address.md）。",
    keysCurrent: "库中警情的位置键与当前地址规则一致。",
    keysStale: "库中警情的位置键是按其他（较早的）地址规则或原地名词典生成的，建议重新生成。",
    keysEmpty: "库中还没有警情。",
    dryRun: "先统计（不写入）",
    rekey: "重新生成位置键",
    confirmRekey: "重新生成全部警情的位置键？期间服务照常可用，完成后重复警情按新位置键重算。",
    rekeyRunning: "正在重新生成：已读取 {n} 条，{c} 条有变化…",
    rekeyDone: "已完成：读取 {n} 条警情（{a} 条有地址），{c} 条的位置键或地址要素有变化{w}。",
    rekeyDry: "（试运行，未写入）",
    rekeyWritten: "，已更新；重复警情正按新位置键重算",
    rekeyLevels: "各级位置键变化",
    rekeyMasked:
      "遮蔽了 {m} 条警情文本中的号码（此前导入时未遮蔽），及 {r} 条修订记录的旧值、{q} 个隔离行问题说明所引的值",
    unread: "以下导入配置已无法读取，其批次的地址按无地区解析：",
    rekeyFailed: "重新生成失败：",
    dict: "地名词典",
    dictIntro:
      "本部署的地名词典：别名（如 阳光花园 → 阳光小区）、本地地点、本地行政区划。所有导入、重新生成位置键和接警比对都按它生成位置键。修改后，库中已有警情仍是按原词典生成的位置键，请在上方重新生成（见 docs/address.md）。每次保存记入审计日志。",
    dictCounts: "别名 {a} 个，地点 {p} 个，行政区划 {d} 个",
    aliasFrom: "别名（写法）",
    aliasTo: "标准名称",
    addAlias: "添加别名",
    removeAlias: "删除",
    noAliases: "尚无别名。",
    upload: "上传词典文件替换",
    dictFile: "词典文件（JSON，如 recur address learn 生成的）",
    download: "下载当前词典",
    dictSaved: "已保存。",
    dictUnchanged: "词典没有变化。",
    dictStale: "库中警情的位置键仍按原词典生成：请在上方“重新生成位置键”。",
    dictIssues: "以下条目无效，已忽略：",
    aliasBlank: "别名和标准名称都要填写，且不能相同。",
    badJson: "文件不是有效的 JSON：",
    learn: "从已导入地址学习常见地名",
    minCountLabel: "至少出现次数",
    learnRunning: "正在从已导入的地址学习地名…",
    learnDone: "已学习：读取 {n} 条有地址的警情，{l} 个地名出现≥{m} 次，其中 {a} 个是新的。",
    learnFailed: "学习失败：",
  },
  en: {
    title: "Rules",
    intro:
      "This deployment's repeat-incident rules, warning scores, case deadlines and data-quality rules. Empty fields, or fields equal to the default, keep the built-in default (docs/repeat.md, docs/quality.md). Every save is audited.",
    repeat: "Repeat incidents (place series)",
    group: "Group",
    placeLevel: "Place level",
    minEvents: "At least events",
    windowDays: "Window (days)",
    default: "default",
    other: "Other repeat rules",
    dupWindow: "One event: window (minutes)",
    dupRadius: "One event: distance (metres)",
    callerMin: "Caller series: at least events",
    callerDays: "Caller series: window (days)",
    matterMin: "Matter series: at least events",
    matterDays: "Matter series: window (days)",
    matterPlaces: "Matter series: at least places or callers",
    scores: "Warning scores (−log10 p; yellow < orange < red)",
    yellow: "Yellow",
    orange: "Orange",
    red: "Red",
    blue: "Blue",
    sla: "Case deadlines (hours after assignment)",
    quality: "Data quality",
    feedbackWithinHours: "Feedback within (hours)",
    dispatchWithinMin: "Dispatch within (minutes)",
    arriveWithinMin: "Arrival within (minutes)",
    futureToleranceMin: "Future-time tolerance (minutes)",
    qDupWindow: "Duplicate-call window (minutes)",
    minConfidence: "Category mismatch: minimum confidence (0–1)",
    maxKmFromStation: "Outside the jurisdiction beyond (km)",
    textChecks: "Six elements: check the narrative (people, cause, process)",
    save: "Save",
    reset: "Reset all to defaults",
    confirmReset: "Reset every rule to the built-in defaults?",
    saved:
      "Saved. Case deadlines apply at once; the dashboard recomputes its repeat series now, the dispatch-check index at the next server start; quality rules apply to later quality checks.",
    noise: "Noise",
    neighbour: "Neighbour disputes",
    domestic: "Family disputes / domestic violence (protective)",
    labour: "Labour disputes",
    consumer: "Consumer disputes",
    property: "Property-management disputes",
    debt: "Debt disputes",
    violence: "Violence",
    property_crime: "Property crime",
    disorder: "Public order",
    help: "Requests for help",
    complaint: "Complaints",
    invalid: "Invalid calls",
    room: "room",
    building: "building",
    poi: "premises",
    unit: "entrance",
    road: "road",
    cross: "crossing",
    keys: "Address rules and location keys",
    keysIntro:
      "Location keys are made from the address text by the address rules. An upgrade of recur may change the rules; incidents imported before it keep their old keys, and repeat detection then sees one place as two. Rebuilding changes only the keys and address components, never the address or anything else (the same as recur address rekey; docs/address.md).",
    keysCurrent: "The stored incidents' location keys follow today's address rules.",
    keysStale:
      "The stored incidents were keyed by other (earlier) address rules or the previous place dictionary: rebuild their keys.",
    keysEmpty: "The store holds no incidents yet.",
    dryRun: "Count first (write nothing)",
    rekey: "Rebuild location keys",
    confirmRekey:
      "Rebuild the location keys of every incident? The server keeps answering meanwhile; repeat series are recomputed on the new keys afterwards.",
    rekeyRunning: "Rebuilding: {n} incidents read, {c} changed…",
    rekeyDone: "Done: {n} incidents read ({a} with an address); {c} had new location keys or components{w}.",
    rekeyDry: " (dry run, nothing written)",
    rekeyWritten: ", updated; repeat series are being recomputed on the new keys",
    rekeyLevels: "Keys changed per level",
    rekeyMasked:
      "Identifiers masked in the texts of {m} incidents (stored before they were masked), in the previous values of {r} revisions and in the values quoted by the issues of {q} quarantined rows",
    unread:
      "These import profiles cannot be read any more; their batches' addresses were read without a region:",
    rekeyFailed: "The rebuild failed: ",
    dict: "Place dictionary",
    dictIntro:
      "This deployment's place dictionary: aliases (阳光花园 → 阳光小区), local places, local administrative divisions. Every import, key rebuild and dispatch check keys addresses with it. After a change the stored incidents keep the keys of the previous dictionary until you rebuild them above (docs/address.md). Every save is audited.",
    dictCounts: "{a} aliases, {p} places, {d} divisions",
    aliasFrom: "Alias (as written)",
    aliasTo: "Standard name",
    addAlias: "Add alias",
    removeAlias: "Remove",
    noAliases: "No aliases yet.",
    upload: "Replace with a dictionary file",
    dictFile: "Dictionary file (JSON, e.g. from recur address learn)",
    download: "Download the dictionary",
    dictSaved: "Saved.",
    dictUnchanged: "The dictionary did not change.",
    dictStale: "The stored incidents still have the previous dictionary's keys: rebuild them above.",
    dictIssues: "These entries are invalid and were skipped:",
    aliasBlank: "Fill in both the alias and the standard name, and make them differ.",
    badJson: "The file is not valid JSON: ",
    learn: "Learn frequent names from the imported addresses",
    minCountLabel: "Seen at least",
    learnRunning: "Learning places from the imported addresses…",
    learnDone: "Learned: {n} incidents with an address read; {l} names seen ≥ {m} times, {a} of them new.",
    learnFailed: "Learning failed: ",
  },
};
const s = (key) => S[lang]?.[key] ?? S.en[key] ?? key;

/** A default as written in the config: whole numbers plain, fractions with their digits. */
const shown = (n) => (Number.isInteger(n) ? num(n) : num(n, 2));

/** Only values that differ from the default are stored, so later default changes still apply. */
function changed(value, fallback) {
  return value === "" || value === null || Number(value) === fallback ? undefined : Number(value);
}
function compact(obj) {
  const out = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    if (typeof v === "object" && v !== null) {
      const inner = compact(v);
      if (Object.keys(inner).length) out[k] = inner;
    } else out[k] = v;
  }
  return out;
}

const fill = (text, vars) => text.replace(/\{(\w)\}/g, (_, k) => vars[k] ?? "");

/**
 * Whether the stored location keys follow today's address rules, and a rebuild (GET /api/v1/
 * address-keys, POST /api/v1/address-keys/rekey) polled until it ends. The element stays the same
 * across re-renders of the rules form.
 */
function addressKeysPanel({ h, api }) {
  const status = h("p", { id: "keys-state" });
  const progress = h("p", { role: "status", id: "keys-msg", "aria-live": "polite" });
  const buttons = [
    h(
      "button",
      { type: "button", class: "secondary", id: "keys-dry", onclick: () => start(true) },
      s("dryRun"),
    ),
    h(
      "button",
      { type: "button", class: "primary", id: "keys-rekey", onclick: () => start(false) },
      s("rekey"),
    ),
  ];
  const panel = h(
    "section",
    { class: "panel", style: "margin-top:16px", "aria-labelledby": "keys-h" },
    h("h2", { id: "keys-h" }, s("keys")),
    h("p", { class: "muted" }, s("keysIntro")),
    status,
    h("div", { class: "filters" }, buttons),
    progress,
  );
  let timer = null;
  const show = (v) => {
    status.textContent = v.incidents === 0 ? s("keysEmpty") : v.current ? s("keysCurrent") : s("keysStale");
    status.className = v.current ? "okmsg" : "error";
    const job = v.job;
    const running = job?.state === "running";
    for (const b of buttons) b.disabled = running || v.incidents === 0;
    if (!job) return;
    const c = job.counts ?? { incidents: 0, withAddress: 0, changed: 0, levels: {} };
    if (running) progress.textContent = fill(s("rekeyRunning"), { n: num(c.incidents), c: num(c.changed) });
    else if (job.state === "failed")
      progress.replaceChildren(h("span", { class: "error" }, s("rekeyFailed") + job.error.message));
    else {
      const levels = Object.entries(c.levels)
        .map(([level, n]) => `${s(level)} ${num(n)}`)
        .join(lang === "zh" ? "，" : ", ");
      progress.replaceChildren(
        h(
          "span",
          { class: "okmsg" },
          fill(s("rekeyDone"), {
            n: num(c.incidents),
            a: num(c.withAddress),
            c: num(c.changed),
            w: job.dryRun ? s("rekeyDry") : c.changed > 0 ? s("rekeyWritten") : "",
          }),
        ),
        h("br"),
        h("span", { class: "muted" }, `${s("rekeyLevels")}${lang === "zh" ? "：" : ": "}${levels}`),
        c.masked || c.revisionsMasked || c.quarantineMasked
          ? h(
              "span",
              {},
              h("br"),
              fill(s("rekeyMasked"), {
                m: num(c.masked),
                r: num(c.revisionsMasked ?? 0),
                q: num(c.quarantineMasked ?? 0),
              }),
            )
          : "",
        job.unreadProfiles.length
          ? h("span", {}, h("br"), `${s("unread")} ${job.unreadProfiles.join(", ")}`)
          : "",
      );
    }
  };
  const poll = async () => {
    clearTimeout(timer);
    if (!panel.isConnected && timer !== null) return;
    try {
      const v = await api("/api/v1/address-keys");
      show(v);
      if (v.job?.state === "running") timer = setTimeout(poll, 500);
      else if (v.current) dispatchEvent(new Event("recur:address-keys"));
    } catch (x) {
      progress.textContent = x.message;
      progress.className = "error";
    }
  };
  async function start(dryRun) {
    if (!dryRun && !confirm(s("confirmRekey"))) return;
    try {
      await api("/api/v1/address-keys/rekey", { method: "POST", body: JSON.stringify({ dryRun }) });
      timer = 0;
      await poll();
    } catch (x) {
      progress.textContent = x.message;
      progress.className = "error";
    }
  }
  poll();
  // A new place dictionary leaves the stored keys stale: look again.
  addEventListener("recur:address-dictionary", () => {
    if (panel.isConnected) poll();
  });
  return panel;
}

/**
 * The store's place dictionary (GET/PUT /api/v1/address-dictionary): its counts, the aliases to
 * add and remove, a JSON file to upload in its place and the current one to download. A save
 * that changed it makes the keys panel look again (the stored keys are then stale until a rebuild).
 */
function placeDictionaryPanel({ h, api, table }) {
  const counts = h("p", { id: "dict-counts" });
  const list = h("div", { id: "dict-aliases" });
  const msg = h("p", { role: "status", id: "dict-msg", "aria-live": "polite" });
  const from = h("input", {
    id: "dict-alias-from",
    "aria-label": s("aliasFrom"),
    placeholder: s("aliasFrom"),
  });
  const to = h("input", { id: "dict-alias-to", "aria-label": s("aliasTo"), placeholder: s("aliasTo") });
  const file = h("input", {
    type: "file",
    id: "dict-file",
    accept: ".json,application/json",
    "aria-label": s("dictFile"),
  });
  let current = null;
  const say = (text, cls) => {
    msg.textContent = text;
    msg.className = cls;
  };
  const show = (v) => {
    current = v.dictionary;
    counts.textContent = fill(s("dictCounts"), {
      a: num(v.counts.aliases),
      p: num(v.counts.places),
      d: num(v.counts.divisions),
    });
    const aliases = Object.entries(current.aliases ?? {});
    list.replaceChildren(
      aliases.length === 0
        ? h("p", { class: "muted" }, s("noAliases"))
        : table(
            [s("aliasFrom"), s("aliasTo"), ""],
            aliases.map(([alias, name]) => [
              alias,
              name,
              h(
                "button",
                {
                  type: "button",
                  class: "secondary",
                  "data-alias": alias,
                  onclick: () => {
                    const next = { ...current.aliases };
                    delete next[alias];
                    save({ ...current, aliases: next });
                  },
                },
                s("removeAlias"),
              ),
            ]),
          ),
    );
  };
  async function save(dictionary) {
    try {
      const r = await api("/api/v1/address-dictionary", { method: "PUT", body: JSON.stringify(dictionary) });
      await load();
      const parts = [r.changed ? s("dictSaved") : s("dictUnchanged")];
      if (!r.current) parts.push(s("dictStale"));
      say(parts.join(" "), r.current ? "okmsg" : "error");
      if (r.issues.length)
        msg.append(h("br"), `${s("dictIssues")} ${r.issues.map((i) => i.message).join("; ")}`);
      if (r.changed) dispatchEvent(new Event("recur:address-dictionary"));
    } catch (x) {
      say(x.message, "error");
    }
  }
  let timer = null;
  let learnSeen = false;
  async function load() {
    const v = await api("/api/v1/address-dictionary");
    show(v);
    const job = v.learn;
    learnButton.disabled = job?.state === "running";
    if (!job || !learnSeen) return;
    if (job.state === "running") {
      say(s("learnRunning"), "");
      timer = setTimeout(() => load().catch((x) => say(x.message, "error")), 500);
    } else if (job.state === "failed") say(s("learnFailed") + job.error.message, "error");
    else {
      learnSeen = false;
      const c = job.counts;
      say(
        fill(s("learnDone"), {
          n: num(c.addresses),
          l: num(c.learned),
          m: num(job.minCount),
          a: num(c.added),
        }),
        "okmsg",
      );
      if (c.changed) {
        msg.append(" ", s("dictStale"));
        dispatchEvent(new Event("recur:address-dictionary"));
      }
    }
  }
  const minCount = h("input", {
    type: "number",
    id: "dict-min-count",
    min: 1,
    max: 1000,
    value: 3,
    style: "width:5em",
    "aria-label": s("minCountLabel"),
  });
  const learnButton = h(
    "button",
    {
      type: "button",
      class: "secondary",
      id: "dict-learn",
      onclick: async () => {
        try {
          clearTimeout(timer);
          await api("/api/v1/address-dictionary/learn", {
            method: "POST",
            body: JSON.stringify({ minCount: Number(minCount.value) || 3 }),
          });
          learnSeen = true;
          await load();
        } catch (x) {
          say(x.message, "error");
        }
      },
    },
    s("learn"),
  );
  const add = () => {
    const alias = from.value.trim();
    const name = to.value.trim();
    if (!alias || !name || alias === name) return say(s("aliasBlank"), "error");
    from.value = "";
    to.value = "";
    save({ ...current, aliases: { ...current.aliases, [alias]: name } });
  };
  const upload = async () => {
    const f = file.files?.[0];
    if (!f) return;
    let json;
    try {
      json = JSON.parse(await f.text());
    } catch (x) {
      return say(s("badJson") + x.message, "error");
    }
    await save(json);
    file.value = "";
  };
  const download = () => {
    const url = URL.createObjectURL(
      new Blob([`${JSON.stringify(current, null, 2)}\n`], { type: "application/json" }),
    );
    const a = h("a", { href: url, download: "places.json" });
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  load().catch((x) => say(x.message, "error"));
  return h(
    "section",
    { class: "panel", style: "margin-top:16px", "aria-labelledby": "dict-h" },
    h("h2", { id: "dict-h" }, s("dict")),
    h("p", { class: "muted" }, s("dictIntro")),
    counts,
    list,
    h(
      "div",
      { class: "filters" },
      from,
      to,
      h("button", { type: "button", class: "primary", id: "dict-alias-add", onclick: add }, s("addAlias")),
    ),
    h(
      "div",
      { class: "filters" },
      h("label", {}, s("dictFile"), " ", file),
      h("button", { type: "button", class: "secondary", id: "dict-upload", onclick: upload }, s("upload")),
      h(
        "button",
        { type: "button", class: "secondary", id: "dict-download", onclick: download },
        s("download"),
      ),
    ),
    h("div", { class: "filters" }, learnButton, h("label", {}, s("minCountLabel"), " ", minCount)),
    msg,
  );
}

export async function rulesPage(main, { h, api, table }) {
  const view = await api("/api/v1/rules");
  const keys = addressKeysPanel({ h, api });
  const dictionary = placeDictionaryPanel({ h, api, table });
  const areas = areaBoundariesPanel({ h, api });
  render(view);

  function render(v, message) {
    const e = v.effective;
    const d = v.defaults;
    const inputs = new Map();
    const numberInput = (key, value, fallback, attrs = {}) => {
      const el = h("input", {
        type: "number",
        value,
        min: attrs.min ?? 1,
        step: attrs.step ?? 1,
        max: attrs.max,
        class: Number(value) !== fallback ? "changed" : null,
        "aria-label": attrs.label ?? key,
        "data-key": key,
      });
      inputs.set(key, { el, fallback });
      return el;
    };
    const labelled = (key, label, value, fallback, attrs = {}) =>
      h(
        "label",
        {},
        label,
        numberInput(key, value, fallback, { ...attrs, label }),
        h("span", { class: "muted" }, `${s("default")} ${shown(fallback)}`),
      );
    const groupDefault = (name) => d.groups.find((g) => g.name === name);
    const groups = table(
      [s("group"), s("placeLevel"), s("minEvents"), s("windowDays")],
      e.groups.map((g) => [
        s(g.name),
        s(g.level),
        h(
          "span",
          {},
          numberInput(`g.${g.name}.minEvents`, g.minEvents, groupDefault(g.name).minEvents, {
            min: 2,
            label: `${s(g.name)} ${s("minEvents")}`,
          }),
          h("span", { class: "muted" }, ` ${s("default")} ${num(groupDefault(g.name).minEvents)}`),
        ),
        h(
          "span",
          {},
          numberInput(`g.${g.name}.windowDays`, g.windowDays, groupDefault(g.name).windowDays, {
            label: `${s(g.name)} ${s("windowDays")}`,
          }),
          h("span", { class: "muted" }, ` ${s("default")} ${num(groupDefault(g.name).windowDays)}`),
        ),
      ]),
    );
    const msg = h("p", { role: "status", id: "rules-msg", class: message ? "okmsg" : null }, message ?? "");
    const q = e.quality;
    const textChecks = h("input", { type: "checkbox", checked: q.sixElements.textChecks, id: "q-text" });
    const value = (key) => {
      const x = inputs.get(key);
      return changed(x.el.value, x.fallback);
    };
    const submit = async (body) => {
      try {
        const next = await api("/api/v1/rules", { method: "POST", body: JSON.stringify(body) });
        render(next, s("saved"));
      } catch (x) {
        msg.textContent = x.message;
        msg.className = "error";
      }
    };
    const form = h(
      "form",
      {
        id: "rules-form",
        onsubmit: (ev) => {
          ev.preventDefault();
          const groupsOut = {};
          for (const g of e.groups)
            groupsOut[g.name] = {
              minEvents: value(`g.${g.name}.minEvents`),
              windowDays: value(`g.${g.name}.windowDays`),
            };
          const repeat = compact({
            groups: groupsOut,
            duplicates: { windowMinutes: value("dup.window"), radiusMeters: value("dup.radius") },
            caller: { minEvents: value("caller.min"), windowDays: value("caller.days") },
            matter: {
              minEvents: value("matter.min"),
              windowDays: value("matter.days"),
              minPlacesOrCallers: value("matter.places"),
            },
            surpriseScores: { yellow: value("s.yellow"), orange: value("s.orange"), red: value("s.red") },
            slaHours: {
              red: value("sla.red"),
              orange: value("sla.orange"),
              yellow: value("sla.yellow"),
              blue: value("sla.blue"),
            },
          });
          // Quality: the fields shown here over what is stored (other stored keys are kept).
          const stored = v.stored.quality ?? {};
          const quality = {
            ...stored,
            timeliness: {
              ...(stored.timeliness ?? {}),
              feedbackWithinHours: Number(inputs.get("q.feedback").el.value),
              dispatchWithinMin: Number(inputs.get("q.dispatch").el.value),
              arriveWithinMin: Number(inputs.get("q.arrive").el.value),
            },
            futureToleranceMin: Number(inputs.get("q.future").el.value),
            duplicates: { ...(stored.duplicates ?? {}), windowMin: Number(inputs.get("q.dup").el.value) },
            classification: {
              ...(stored.classification ?? {}),
              minConfidence: Number(inputs.get("q.conf").el.value),
            },
            jurisdiction: {
              ...(stored.jurisdiction ?? {}),
              maxKmFromStation: Number(inputs.get("q.km").el.value),
            },
            sixElements: { ...(stored.sixElements ?? {}), textChecks: textChecks.checked },
          };
          submit({ repeat, quality });
        },
      },
      h("section", { class: "panel" }, h("h2", {}, s("repeat")), groups),
      h(
        "div",
        { class: "grid g2", style: "margin-top:16px" },
        h(
          "section",
          { class: "panel" },
          h("h2", {}, s("other")),
          h(
            "div",
            { class: "formgrid" },
            labelled("dup.window", s("dupWindow"), e.duplicates.windowMinutes, d.duplicates.windowMinutes),
            labelled("dup.radius", s("dupRadius"), e.duplicates.radiusMeters, d.duplicates.radiusMeters, {
              min: 10,
            }),
            labelled("caller.min", s("callerMin"), e.caller.minEvents, d.caller.minEvents, { min: 2 }),
            labelled("caller.days", s("callerDays"), e.caller.windowDays, d.caller.windowDays),
            labelled("matter.min", s("matterMin"), e.matter.minEvents, d.matter.minEvents, { min: 2 }),
            labelled("matter.days", s("matterDays"), e.matter.windowDays, d.matter.windowDays),
            labelled(
              "matter.places",
              s("matterPlaces"),
              e.matter.minPlacesOrCallers,
              d.matter.minPlacesOrCallers,
            ),
          ),
          h("h2", { style: "margin-top:16px" }, s("scores")),
          h(
            "div",
            { class: "formgrid" },
            ["yellow", "orange", "red"].map((l) =>
              labelled(`s.${l}`, s(l), e.surpriseScores[l], d.surpriseScores[l], { min: 0, step: 0.5 }),
            ),
          ),
        ),
        h(
          "section",
          { class: "panel" },
          h("h2", {}, s("sla")),
          h(
            "div",
            { class: "formgrid" },
            ["red", "orange", "yellow", "blue"].map((l) =>
              labelled(`sla.${l}`, h("span", { class: `badge b-${l}` }, s(l)), e.slaHours[l], d.slaHours[l]),
            ),
          ),
          h("h2", { style: "margin-top:16px" }, s("quality")),
          h(
            "div",
            { class: "formgrid" },
            labelled("q.feedback", s("feedbackWithinHours"), q.timeliness.feedbackWithinHours, 24),
            labelled("q.dispatch", s("dispatchWithinMin"), q.timeliness.dispatchWithinMin, 10),
            labelled("q.arrive", s("arriveWithinMin"), q.timeliness.arriveWithinMin, 30),
            labelled("q.future", s("futureToleranceMin"), q.futureToleranceMin, 10, { min: 0 }),
            labelled("q.dup", s("qDupWindow"), q.duplicates.windowMin, 30),
            labelled("q.conf", s("minConfidence"), q.classification.minConfidence, 0.65, {
              min: 0,
              max: 1,
              step: 0.05,
            }),
            labelled("q.km", s("maxKmFromStation"), q.jurisdiction.maxKmFromStation, 40),
            h("label", { class: "check" }, textChecks, s("textChecks")),
          ),
        ),
      ),
      h(
        "div",
        { class: "filters", style: "margin-top:16px" },
        h("button", { class: "primary", type: "submit" }, s("save")),
        h(
          "button",
          {
            class: "secondary",
            type: "button",
            onclick: () => {
              if (confirm(s("confirmReset"))) submit({ repeat: {}, quality: {} });
            },
          },
          s("reset"),
        ),
      ),
      msg,
    );
    main.replaceChildren(
      h("h1", {}, s("title")),
      h("p", { class: "muted" }, s("intro")),
      form,
      keys,
      dictionary,
      areas,
    );
    main.dataset.ready = "rules";
  }
}
