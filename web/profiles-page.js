// Import profiles (admin): bundled ones to read or copy, saved ones to edit (JSON, checked by the
// server's profile schema) and delete. app.js passes its helpers (h, api).
import { dateTime, lang } from "./i18n.js";

const S = {
  zh: {
    title: "导入配置",
    intro:
      "导入配置说明某个接处警系统导出文件的各列如何对应到警情模型（见 docs/profiles.md）。内置配置随软件发布；保存的配置属于本部署，可在导入向导中建立。",
    bundled: "内置配置",
    saved: "已保存的配置",
    name: "名称",
    description: "说明",
    system: "来源系统",
    version: "版本",
    updated: "最近修改",
    actions: "操作",
    view: "查看",
    copy: "复制为新配置",
    edit: "编辑",
    remove: "删除",
    confirmRemove: "确定删除配置 {name}？已导入的数据不受影响。",
    none: "尚无已保存的配置；可在“导入”向导中按列映射后保存，或复制内置配置。",
    editor: "编辑配置 {name}",
    newProfile: "新配置",
    json: "配置 JSON",
    save: "保存",
    cancel: "取消",
    savedMsg: "已保存 {name}（版本 {v}）",
    removedMsg: "已删除 {name}",
    badJson: "不是有效的 JSON：{m}",
    readOnly: "内置配置（只读）：{name}",
  },
  en: {
    title: "Import profiles",
    intro:
      "A profile says how the columns of one dispatch system's export map onto the incident model (docs/profiles.md). Bundled profiles ship with recur; saved ones belong to this deployment and can be made in the import wizard.",
    bundled: "Bundled profiles",
    saved: "Saved profiles",
    name: "Name",
    description: "Description",
    system: "Source system",
    version: "Version",
    updated: "Last changed",
    actions: "Actions",
    view: "View",
    copy: "Copy as new",
    edit: "Edit",
    remove: "Delete",
    confirmRemove: "Delete profile {name}? Data already imported stays.",
    none: "No saved profiles yet; map the columns in the import wizard and save, or copy a bundled profile.",
    editor: "Edit profile {name}",
    newProfile: "New profile",
    json: "Profile JSON",
    save: "Save",
    cancel: "Cancel",
    savedMsg: "Saved {name} (version {v})",
    removedMsg: "Deleted {name}",
    badJson: "Not valid JSON: {m}",
    readOnly: "Bundled profile (read only): {name}",
  },
};
const tr = (key, params = {}) =>
  (S[lang][key] ?? S.zh[key] ?? key).replace(/\{(\w+)\}/g, (_, k) => String(params[k] ?? ""));
const text = (d) => (d === null || d === undefined ? "—" : typeof d === "string" ? d : (d[lang] ?? d.zh));

export async function profilesPage(main, ui) {
  const { h, api } = ui;
  const list = await api("/api/v1/profiles");
  const msg = h("p", { role: "status", id: "profiles-msg" });
  const editorBox = h("div", { id: "profile-editor-box" });

  const table = (head, rows) =>
    h(
      "table",
      {},
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          head.map((x) => h("th", { scope: "col" }, x)),
        ),
      ),
      h(
        "tbody",
        {},
        rows.map((r) =>
          h(
            "tr",
            {},
            r.map((c) => h("td", {}, c)),
          ),
        ),
      ),
    );

  const openEditor = (title, profile, saved, readOnly = false) => {
    const area = h(
      "textarea",
      { id: "profile-json", rows: "24", spellcheck: "false", readonly: readOnly, class: "json" },
      JSON.stringify(profile, null, 2),
    );
    const err = h("div", { role: "alert" });
    editorBox.replaceChildren(
      h(
        "section",
        { class: "panel", style: "margin-top:16px", "aria-labelledby": "profile-editor-title" },
        h("h2", { id: "profile-editor-title", tabindex: "-1" }, title),
        h("label", { for: "profile-json" }, tr("json")),
        area,
        err,
        h(
          "div",
          { class: "wizard-nav" },
          h("button", { class: "secondary", onclick: () => editorBox.replaceChildren() }, tr("cancel")),
          readOnly
            ? null
            : h(
                "button",
                {
                  class: "primary",
                  id: "profile-save",
                  onclick: async () => {
                    let json;
                    try {
                      json = JSON.parse(area.value);
                    } catch (x) {
                      err.replaceChildren(h("p", { class: "error" }, tr("badJson", { m: x.message })));
                      return;
                    }
                    try {
                      const result = saved
                        ? await api(`/api/v1/profiles/${encodeURIComponent(saved.id)}`, {
                            method: "PUT",
                            body: JSON.stringify({ profile: json, version: saved.version }),
                          })
                        : await api("/api/v1/profiles", {
                            method: "POST",
                            body: JSON.stringify({ profile: json }),
                          });
                      await profilesPage(main, ui);
                      const m = main.querySelector("#profiles-msg");
                      m.className = "okmsg";
                      m.textContent = tr("savedMsg", { name: result.name, v: result.version });
                    } catch (x) {
                      err.replaceChildren(h("p", { class: "error" }, x.message));
                    }
                  },
                },
                tr("save"),
              ),
        ),
      ),
    );
    editorBox.querySelector("h2").focus();
  };

  const bundledRows = list.bundled.map((b) => [
    h("code", {}, b.name),
    text(b.description),
    b.sourceSystem,
    h(
      "span",
      { class: "rowactions" },
      h(
        "button",
        {
          class: "secondary",
          "aria-label": `${tr("view")} ${b.name}`,
          onclick: async () => {
            const { profile } = await api(`/api/v1/profiles/bundled/${encodeURIComponent(b.name)}`);
            openEditor(tr("readOnly", { name: b.name }), profile, null, true);
          },
        },
        tr("view"),
      ),
      h(
        "button",
        {
          class: "secondary",
          "aria-label": `${tr("copy")} ${b.name}`,
          onclick: async () => {
            const { profile } = await api(`/api/v1/profiles/bundled/${encodeURIComponent(b.name)}`);
            openEditor(tr("newProfile"), { ...profile, name: `${b.name}-copy` }, null);
          },
        },
        tr("copy"),
      ),
    ),
  ]);
  const savedRows = list.saved.map((s) => [
    h("code", {}, s.name),
    s.description ?? "—",
    String(s.version),
    dateTime(s.updatedAt, -new Date().getTimezoneOffset()),
    h(
      "span",
      { class: "rowactions" },
      h(
        "button",
        {
          class: "secondary",
          "aria-label": `${tr("edit")} ${s.name}`,
          onclick: async () => {
            const full = await api(`/api/v1/profiles/${encodeURIComponent(s.id)}`);
            openEditor(tr("editor", { name: s.name }), full.profile, full);
          },
        },
        tr("edit"),
      ),
      h(
        "button",
        {
          class: "secondary danger",
          "aria-label": `${tr("remove")} ${s.name}`,
          onclick: async () => {
            if (!confirm(tr("confirmRemove", { name: s.name }))) return;
            try {
              await api(`/api/v1/profiles/${encodeURIComponent(s.id)}`, { method: "DELETE" });
              await profilesPage(main, ui);
              const m = main.querySelector("#profiles-msg");
              m.className = "okmsg";
              m.textContent = tr("removedMsg", { name: s.name });
            } catch (x) {
              msg.className = "error";
              msg.textContent = x.message;
            }
          },
        },
        tr("remove"),
      ),
    ),
  ]);

  main.replaceChildren(
    h("h1", {}, tr("title")),
    h("p", { class: "muted", style: "max-width:900px" }, tr("intro")),
    msg,
    h(
      "section",
      { class: "panel", id: "saved-profiles" },
      h("h2", {}, tr("saved")),
      savedRows.length === 0
        ? h("p", { class: "muted" }, tr("none"))
        : table([tr("name"), tr("description"), tr("version"), tr("updated"), tr("actions")], savedRows),
    ),
    h(
      "section",
      { class: "panel", style: "margin-top:16px" },
      h("h2", {}, tr("bundled")),
      table([tr("name"), tr("description"), tr("system"), tr("actions")], bundledRows),
    ),
    editorBox,
  );
  main.dataset.ready = "profiles";
}
