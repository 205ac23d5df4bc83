// Units and partner agencies (admin): the registry users, cases and incidents refer to.
// Units form a tree 市局 > 分局 > 派出所 > 警务区; nothing is deleted, only deactivated.
// app.js passes its helpers (h, api, table).
import { lang, num } from "./i18n.js";

const S = {
  zh: {
    units: "单位",
    agencies: "合作部门",
    unitsIntro:
      "本部署的公安机关单位：市局 > 分局 > 派出所 > 警务区。用户的辖区、案件的承办单位和警情的所属单位都引用这里的代码；停用的单位保留历史，但不能再分配用户或案件。",
    agenciesIntro:
      "案件可移交的合作部门（警调对接、12345 分流、协同共治）。合作部门用户只能看到移交给本部门的案件。停用后不能再接收新的移交。",
    code: "代码",
    name: "名称",
    level: "层级",
    parent: "上级单位",
    setting: "城区/郊区",
    kind: "类型",
    status: "状态",
    actions: "操作",
    active: "在用",
    inactive: "已停用",
    edit: "编辑",
    deactivate: "停用",
    activate: "启用",
    save: "保存",
    clear: "清空",
    newUnit: "登记或修改单位",
    newAgency: "登记或修改合作部门",
    saved: "已保存 {name}",
    none: "—",
    filter: "按名称或代码筛选",
    empty: "尚未登记任何单位。请先登记市局，再逐级登记分局、派出所和警务区。",
    emptyAgencies: "尚未登记合作部门。",
    count: "共 {n} 个",
    children: "下级 {n} 个",
    editHint: "代码已存在时保存即修改该单位。",
    city: "市局",
    branch: "分局",
    station: "派出所",
    area: "警务区",
    urban: "城区",
    suburban: "郊区/县",
    mediation_committee: "人民调解委员会",
    judicial_office: "司法所",
    street_office: "街道/社区",
    grid: "网格员",
    hotline_12345: "12345 热线",
    labour_inspection: "劳动监察",
    market_regulation: "市场监管",
    housing: "住建/物业管理",
    social_services: "民政/社会服务",
    other: "其他",
  },
  en: {
    units: "Units",
    agencies: "Agencies",
    unitsIntro:
      "The police units of this deployment: city > branch > station > community police area. Users' jurisdictions, case assignees and incidents refer to these codes; a deactivated unit keeps its history but takes no new users or cases.",
    agenciesIntro:
      "Partner agencies cases can be referred to (police–mediation link, 12345 hotline, joint governance). Agency users see only the cases referred to their agency. A deactivated agency takes no new referrals.",
    code: "Code",
    name: "Name",
    level: "Level",
    parent: "Parent unit",
    setting: "Urban/suburban",
    kind: "Kind",
    status: "Status",
    actions: "Actions",
    active: "Active",
    inactive: "Deactivated",
    edit: "Edit",
    deactivate: "Deactivate",
    activate: "Activate",
    save: "Save",
    clear: "Clear",
    newUnit: "Register or change a unit",
    newAgency: "Register or change an agency",
    saved: "Saved {name}",
    none: "—",
    filter: "Filter by name or code",
    empty: "No units yet. Register the city unit first, then branches, stations and areas below it.",
    emptyAgencies: "No partner agencies yet.",
    count: "{n} in all",
    children: "{n} below",
    editHint: "Saving an existing code changes that unit.",
    city: "City",
    branch: "Branch",
    station: "Station",
    area: "Area",
    urban: "Urban",
    suburban: "Suburban/county",
    mediation_committee: "Mediation committee",
    judicial_office: "Judicial office",
    street_office: "Street/community office",
    grid: "Grid workers",
    hotline_12345: "12345 hotline",
    labour_inspection: "Labour inspection",
    market_regulation: "Market regulation",
    housing: "Housing/property management",
    social_services: "Social services",
    other: "Other",
  },
};
const s = (key, vars = {}) =>
  (S[lang]?.[key] ?? S.en[key] ?? key).replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ""));

const LEVELS = ["city", "branch", "station", "area"];
export const AGENCY_KINDS = [
  "mediation_committee",
  "judicial_office",
  "street_office",
  "grid",
  "hotline_12345",
  "labour_inspection",
  "market_regulation",
  "housing",
  "social_services",
  "other",
];

/** Translations of unit levels and agency kinds, for other pages (case assignment). */
export const registryLabel = (key) => s(key);

export async function unitsPage(main, { h, api }) {
  const { units } = await api("/api/v1/units");
  const byParent = new Map();
  for (const u of units) {
    const list = byParent.get(u.parentCode ?? "") ?? [];
    list.push(u);
    byParent.set(u.parentCode ?? "", list);
  }
  const msg = h("p", { role: "status" });
  const field = (label, control) => h("label", {}, label, control);
  const code = h("input", { name: "code", required: true, maxlength: 64, id: "unit-code" });
  const name = h("input", { name: "name", required: true, maxlength: 64, id: "unit-name" });
  const level = h(
    "select",
    { name: "level", id: "unit-level", onchange: () => fillParents() },
    LEVELS.map((l) => h("option", { value: l }, s(l))),
  );
  const parent = h("select", { name: "parentCode", id: "unit-parent" });
  const setting = h(
    "select",
    { name: "setting", id: "unit-setting" },
    h("option", { value: "" }, s("none")),
    ["urban", "suburban"].map((x) => h("option", { value: x }, s(x))),
  );
  function fillParents(selected) {
    const above = LEVELS[LEVELS.indexOf(level.value) - 1];
    const options = above ? units.filter((u) => u.level === above && u.active) : [];
    parent.replaceChildren(
      ...(above ? [] : [h("option", { value: "" }, s("none"))]),
      ...options.map((u) => h("option", { value: u.code }, `${u.name} (${u.code})`)),
    );
    parent.disabled = !above;
    if (selected) parent.value = selected;
  }
  fillParents();
  const form = h(
    "form",
    {
      class: "stack",
      id: "unit-form",
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          const { unit } = await api("/api/v1/units", {
            method: "POST",
            body: JSON.stringify({
              code: code.value.trim(),
              name: name.value.trim(),
              level: level.value,
              parentCode: level.value === "city" ? null : parent.value || null,
              setting: setting.value || null,
            }),
          });
          await unitsPage(main, { h, api });
          const again = main.querySelector("#unit-msg");
          if (again) {
            again.textContent = s("saved", { name: unit.name });
            again.className = "okmsg";
          }
        } catch (x) {
          msg.textContent = x.message;
          msg.className = "error";
        }
      },
    },
    field(s("code"), code),
    field(s("name"), name),
    field(s("level"), level),
    field(s("parent"), parent),
    field(s("setting"), setting),
    h(
      "div",
      { class: "buttons" },
      h("button", { class: "primary", type: "submit" }, s("save")),
      h(
        "button",
        {
          class: "secondary",
          type: "button",
          onclick: () => {
            form.reset();
            fillParents();
          },
        },
        s("clear"),
      ),
    ),
  );
  msg.id = "unit-msg";
  const edit = (u) => {
    code.value = u.code;
    name.value = u.name;
    level.value = u.level;
    fillParents(u.parentCode);
    setting.value = u.setting ?? "";
    name.focus();
  };
  const toggle = async (u) => {
    try {
      await api(`/api/v1/units/${encodeURIComponent(u.code)}/${u.active ? "deactivate" : "activate"}`, {
        method: "POST",
      });
      await unitsPage(main, { h, api });
    } catch (x) {
      msg.textContent = x.message;
      msg.className = "error";
    }
  };
  const node = (u) => {
    const children = byParent.get(u.code) ?? [];
    const row = h(
      "div",
      { class: `unitrow${u.active ? "" : " inactive"}`, "data-code": u.code },
      h("span", { class: `lvl lvl-${u.level}` }, s(u.level)),
      h("strong", {}, u.name),
      h("code", {}, u.code),
      u.setting ? h("span", { class: "tag" }, s(u.setting)) : null,
      u.active ? null : h("span", { class: "tag off" }, s("inactive")),
      children.length ? h("span", { class: "muted" }, s("children", { n: num(children.length) })) : null,
      h(
        "span",
        { class: "rowactions" },
        h("button", { class: "secondary", type: "button", onclick: () => edit(u) }, s("edit")),
        h(
          "button",
          { class: "secondary", type: "button", onclick: () => toggle(u) },
          s(u.active ? "deactivate" : "activate"),
        ),
      ),
    );
    if (children.length === 0) return h("li", {}, row);
    // A disclosure button, not <details>: a <summary> may not hold the row's own buttons (axe nested-interactive).
    const open = u.level === "city" || u.level === "branch";
    const sub = h("ul", { class: "tree", id: `unit-sub-${++subId}`, hidden: !open }, children.map(node));
    const disclosure = h(
      "button",
      {
        type: "button",
        class: "disclosure",
        "aria-expanded": String(open),
        "aria-controls": sub.id,
        "aria-label": u.name,
        onclick: () => expand(disclosure, disclosure.getAttribute("aria-expanded") !== "true"),
      },
      "▸",
    );
    row.prepend(disclosure);
    return h("li", {}, row, sub);
  };
  let subId = 0;
  const expand = (button, open) => {
    button.setAttribute("aria-expanded", String(open));
    document.getElementById(button.getAttribute("aria-controls")).hidden = !open;
  };
  const roots = units.filter((u) => !u.parentCode || !units.some((p) => p.code === u.parentCode));
  const filter = h("input", {
    type: "search",
    placeholder: s("filter"),
    "aria-label": s("filter"),
    oninput: () => {
      const q = filter.value.trim().toLowerCase();
      for (const li of tree.querySelectorAll("li")) {
        const text = li.textContent.toLowerCase();
        li.hidden = q !== "" && !text.includes(q);
        const button = li.querySelector(":scope > .unitrow > .disclosure");
        if (q && button) expand(button, true);
      }
    },
  });
  const tree = h("ul", { class: "tree root", id: "unit-tree" }, roots.map(node));
  const counts = LEVELS.map((l) => `${s(l)} ${num(units.filter((u) => u.level === l).length)}`).join(" · ");
  main.replaceChildren(
    h("h1", {}, s("units")),
    h("p", { class: "muted" }, s("unitsIntro")),
    h(
      "div",
      { class: "grid g3" },
      h(
        "section",
        { class: "panel" },
        h("div", { class: "filters" }, h("strong", {}, counts), filter),
        units.length ? tree : h("p", { class: "muted" }, s("empty")),
      ),
      h(
        "section",
        { class: "panel" },
        h("h2", {}, s("newUnit")),
        h("p", { class: "muted" }, s("editHint")),
        form,
        msg,
      ),
    ),
  );
  main.dataset.ready = "units";
}

export async function agenciesPage(main, { h, api, table }) {
  const { agencies } = await api("/api/v1/agencies");
  const msg = h("p", { role: "status", id: "agency-msg" });
  const code = h("input", { name: "code", required: true, maxlength: 64, id: "agency-code" });
  const name = h("input", { name: "name", required: true, maxlength: 64, id: "agency-name" });
  const kind = h(
    "select",
    { name: "kind", id: "agency-kind" },
    AGENCY_KINDS.map((k) => h("option", { value: k }, s(k))),
  );
  const reload = async (text) => {
    await agenciesPage(main, { h, api, table });
    const again = main.querySelector("#agency-msg");
    if (again && text) {
      again.textContent = text;
      again.className = "okmsg";
    }
  };
  const fail = (x) => {
    msg.textContent = x.message;
    msg.className = "error";
  };
  const form = h(
    "form",
    {
      class: "stack",
      id: "agency-form",
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          const { agency } = await api("/api/v1/agencies", {
            method: "POST",
            body: JSON.stringify({ code: code.value.trim(), name: name.value.trim(), kind: kind.value }),
          });
          await reload(s("saved", { name: agency.name }));
        } catch (x) {
          fail(x);
        }
      },
    },
    h("label", {}, s("code"), code),
    h("label", {}, s("name"), name),
    h("label", {}, s("kind"), kind),
    h("div", { class: "buttons" }, h("button", { class: "primary", type: "submit" }, s("save"))),
  );
  const byKind = AGENCY_KINDS.map((k) => [k, agencies.filter((a) => a.kind === k).length]).filter(
    ([, n]) => n > 0,
  );
  main.replaceChildren(
    h("h1", {}, s("agencies")),
    h("p", { class: "muted" }, s("agenciesIntro")),
    h(
      "div",
      { class: "grid g3" },
      h(
        "section",
        { class: "panel" },
        h(
          "p",
          { class: "muted" },
          byKind.map(([k, n]) => `${s(k)} ${num(n)}`).join(" · ") || s("emptyAgencies"),
        ),
        agencies.length
          ? table(
              [s("name"), s("code"), s("kind"), s("status"), s("actions")],
              agencies.map((a) => [
                h("strong", {}, a.name),
                h("code", {}, a.code),
                s(a.kind),
                a.active ? s("active") : h("span", { class: "tag off" }, s("inactive")),
                h(
                  "span",
                  { class: "rowactions" },
                  h(
                    "button",
                    {
                      class: "secondary",
                      type: "button",
                      onclick: () => {
                        code.value = a.code;
                        name.value = a.name;
                        kind.value = a.kind;
                        name.focus();
                      },
                    },
                    s("edit"),
                  ),
                  h(
                    "button",
                    {
                      class: "secondary",
                      type: "button",
                      onclick: async () => {
                        try {
                          await api(
                            `/api/v1/agencies/${encodeURIComponent(a.code)}/${a.active ? "deactivate" : "activate"}`,
                            { method: "POST" },
                          );
                          await reload();
                        } catch (x) {
                          fail(x);
                        }
                      },
                    },
                    s(a.active ? "deactivate" : "activate"),
                  ),
                ),
              ]),
            )
          : null,
      ),
      h("section", { class: "panel" }, h("h2", {}, s("newAgency")), form, msg),
    ),
  );
  main.dataset.ready = "agencies";
}
