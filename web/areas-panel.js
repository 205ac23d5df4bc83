// Community police area boundaries (警务区边界): the rules page's panel to upload, download and
// clear the store's boundaries (GET/PUT/DELETE /api/v1/area-boundaries, audited), and their
// outlines with the areas' names on the dashboard's hot-spot map (GET /api/v1/area-boundaries/map).
// app.js passes its helpers (h, api).
import { dateTime, lang, num } from "./i18n.js";

const S = {
  zh: {
    title: "警务区边界",
    intro:
      "本部署的社区警务区边界（GeoJSON，每个警务区一个 Polygon 或 MultiPolygon，编码放在一个属性里）。导出未填警务区的警情，导入时（命令行、看板导入、接口）按坐标所在的边界补全；研判分析的热点地图显示边界和名称。GCJ-02、BD-09 坐标保存时转换为 WGS-84。每次保存或清除记入审计日志（与命令 recur areas 相同，见 docs/address.md）。",
    none: "尚未设置警务区边界。",
    counts: "{a} 个警务区，{p} 个面，{v} 个顶点（编码属性“{id}”，原坐标系 {d}，{size}，保存于 {at}）",
    file: "边界文件（GeoJSON）",
    idProperty: "编码属性",
    datum: "坐标系",
    upload: "上传并替换",
    download: "下载当前边界",
    clear: "清除边界",
    confirmClear: "清除库的警务区边界？此后的导入不再按坐标补全警务区（已入库的警情不变）。",
    saved: "已保存：{a} 个警务区。此后的导入按坐标补全未填的警务区；已入库的警情不变。",
    unchanged: "边界没有变化。",
    cleared: "警务区边界已清除。",
    noFile: "请先选择边界文件。",
    badJson: "文件不是有效的 JSON：",
    warnings: "提示（仍已保存）：",
    errors: "未保存，文件有以下错误：",
    more: "……另有 {n} 处错误",
    mapLayer: "警务区边界",
  },
  en: {
    title: "Community police area boundaries",
    intro:
      "This deployment's community police area boundaries (GeoJSON: one Polygon or MultiPolygon per area, its code in one property). A call whose export names no area gets the one its coordinates fall in when it is imported (command line, dashboard import, API); the analysis page's hot-spot map outlines them with their names. GCJ-02 and BD-09 coordinates are converted to WGS-84 when saved. Every save or clear is audited (the same as the recur areas command; docs/address.md).",
    none: "No area boundaries are set.",
    counts: "{a} areas, {p} polygons, {v} vertices (code property “{id}”, given in {d}, {size}, saved {at})",
    file: "Boundaries file (GeoJSON)",
    idProperty: "Code property",
    datum: "Datum",
    upload: "Upload and replace",
    download: "Download current boundaries",
    clear: "Clear boundaries",
    confirmClear:
      "Clear the store's area boundaries? Later imports will no longer fill in areas from coordinates (stored calls stay as they are).",
    saved:
      "Saved: {a} areas. Later imports fill in the area of calls that name none; stored calls stay as they are.",
    unchanged: "The boundaries did not change.",
    cleared: "The area boundaries are cleared.",
    noFile: "Choose a boundaries file first.",
    badJson: "The file is not valid JSON: ",
    warnings: "Notes (saved all the same):",
    errors: "Not saved; the file has these errors:",
    more: "… and {n} more errors",
    mapLayer: "Area boundaries",
  },
};
const s = (key) => S[lang]?.[key] ?? S.en[key] ?? key;
const fill = (text, values) => text.replace(/\{(\w+)\}/g, (m, k) => (k in values ? values[k] : m));
const DATUMS = [
  ["wgs84", "WGS-84"],
  ["gcj02", "GCJ-02"],
  ["bd09", "BD-09"],
];

/** The panel: counts, a file with its code property and datum to upload, download, clear. */
export function areaBoundariesPanel({ h, api }) {
  const counts = h("p", { id: "areas-counts" });
  const msg = h("div", { role: "status", id: "areas-msg", "aria-live": "polite" });
  const file = h("input", {
    type: "file",
    id: "areas-file",
    accept: ".geojson,.json,application/geo+json,application/json",
  });
  const idProperty = h("input", { id: "areas-id-property", value: "id", style: "width:8em" });
  const datum = h(
    "select",
    { id: "areas-datum" },
    DATUMS.map(([value, label]) => h("option", { value }, label)),
  );
  const say = (text, cls, list = [], title = null) => {
    msg.className = cls;
    msg.replaceChildren(
      h("p", {}, text),
      ...(title && list.length ? [h("p", {}, title)] : []),
      ...(list.length
        ? [
            h(
              "ul",
              {},
              list.map((x) => h("li", {}, x)),
            ),
          ]
        : []),
    );
  };
  let info = null;
  const show = (v) => {
    info = v;
    counts.textContent = v
      ? fill(s("counts"), {
          a: num(v.areas),
          p: num(v.polygons),
          v: num(v.vertices),
          id: v.idProperty,
          d: DATUMS.find(([k]) => k === v.sourceDatum)?.[1] ?? v.sourceDatum,
          size:
            v.bytes < 2 ** 20 ? `${num(Math.max(1, v.bytes / 1024))} KB` : `${num(v.bytes / 2 ** 20, 1)} MB`,
          at: dateTime(v.savedAt),
        })
      : s("none");
    downloadButton.disabled = !v;
    clearButton.disabled = !v;
  };
  async function load() {
    show((await api("/api/v1/area-boundaries?geometry=false")).info);
  }
  async function upload() {
    const f = file.files?.[0];
    if (!f) return say(s("noFile"), "error");
    let boundaries;
    try {
      boundaries = JSON.parse(await f.text());
    } catch (x) {
      return say(s("badJson") + x.message, "error");
    }
    try {
      const r = await api("/api/v1/area-boundaries", {
        method: "PUT",
        body: JSON.stringify({
          boundaries,
          idProperty: idProperty.value.trim() || "id",
          datum: datum.value,
        }),
      });
      show(r.info);
      file.value = "";
      const warnings = r.issues.map((i) => i.message);
      say(
        r.changed ? fill(s("saved"), { a: num(r.info.areas) }) : s("unchanged"),
        "okmsg",
        warnings,
        s("warnings"),
      );
    } catch (x) {
      const listed = (x.issues ?? []).filter((i) => i.severity === "error").map((i) => i.message);
      if (!listed.length) return say(x.message, "error");
      const more = (x.errors ?? listed.length) - listed.length;
      say(s("errors"), "error", [...listed, ...(more > 0 ? [fill(s("more"), { n: num(more) })] : [])]);
    }
  }
  async function download() {
    try {
      const v = await api("/api/v1/area-boundaries");
      if (!v.boundaries) return;
      const url = URL.createObjectURL(
        new Blob([`${JSON.stringify(v.boundaries)}\n`], { type: "application/geo+json" }),
      );
      const a = h("a", { href: url, download: "area-boundaries.geojson" });
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (x) {
      say(x.message, "error");
    }
  }
  async function clear() {
    if (!info || !confirm(s("confirmClear"))) return;
    try {
      await api("/api/v1/area-boundaries", { method: "DELETE" });
      show(null);
      say(s("cleared"), "okmsg");
    } catch (x) {
      say(x.message, "error");
    }
  }
  const downloadButton = h(
    "button",
    { type: "button", class: "secondary", id: "areas-download", onclick: download },
    s("download"),
  );
  const clearButton = h(
    "button",
    { type: "button", class: "secondary", id: "areas-clear", onclick: clear },
    s("clear"),
  );
  load().catch((x) => say(x.message, "error"));
  return h(
    "section",
    { class: "panel", style: "margin-top:16px", "aria-labelledby": "areas-h" },
    h("h2", { id: "areas-h" }, s("title")),
    h("p", { class: "muted" }, s("intro")),
    counts,
    h(
      "div",
      { class: "filters" },
      h("label", {}, s("file"), " ", file),
      h("label", {}, s("idProperty"), " ", idProperty),
      h("label", {}, s("datum"), " ", datum),
      h("button", { type: "button", class: "primary", id: "areas-upload", onclick: upload }, s("upload")),
    ),
    h("div", { class: "filters" }, downloadButton, clearButton),
    msg,
  );
}

/**
 * Outlines the store's area boundaries on a map, above what the page drew, with each area's name
 * (HTML labels: the offline map has no glyphs for text layers), shown from zoom 12 on. Sets
 * data-areas on the map's element to how many were drawn (0: none).
 */
export async function areaOutlines(m, el, api, maplibregl) {
  let data;
  try {
    data = await api("/api/v1/area-boundaries/map");
  } catch {
    el.dataset.areas = "0";
    return;
  }
  if (!data.features.length || !m.getStyle()) {
    el.dataset.areas = "0";
    return;
  }
  m.addSource("areas", { type: "geojson", data: { type: "FeatureCollection", features: data.features } });
  m.addLayer({
    id: "areas-line",
    type: "line",
    source: "areas",
    paint: { "line-color": "#1f3b57", "line-width": 1.5, "line-dasharray": [3, 2] },
  });
  for (const l of data.labels)
    new maplibregl.Marker({
      element: Object.assign(document.createElement("span"), {
        className: "area-label",
        textContent: l.name === l.id ? l.id : `${l.name}`,
        title: `${s("mapLayer")}: ${l.name} (${l.id})`,
      }),
    })
      .setLngLat([l.lon, l.lat])
      .addTo(m);
  const far = () => el.classList.toggle("areas-far", m.getZoom() < 12);
  m.on("zoomend", far);
  far();
  el.dataset.areas = String(data.features.length);
}
