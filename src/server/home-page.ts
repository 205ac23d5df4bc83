import type { Lang } from "../domain/index.ts";
import type { ServerStatus } from "./app.ts";

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );

/** The start page until the dashboard lands: what is loaded and where the API is. */
export function renderHomePage(input: {
  lang: Lang;
  status: ServerStatus;
  incidents: number | undefined;
  version: string;
}): string {
  const { lang, status, incidents } = input;
  const zh = lang === "zh";
  const phase =
    status.phase === "ready"
      ? zh
        ? "就绪"
        : "Ready"
      : status.phase === "loading"
        ? zh
          ? "正在准备"
          : "Preparing"
        : zh
          ? "失败"
          : "Failed";
  const count =
    incidents === undefined ? "—" : new Intl.NumberFormat(zh ? "zh-CN" : "en-US").format(incidents);
  return `<!doctype html>
<html lang="${zh ? "zh-CN" : "en"}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${status.phase === "loading" ? '<meta http-equiv="refresh" content="3">' : ""}
<title>recur · ${zh ? "重复警情治理" : "Repeat incidents"}</title>
<style>
  body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif; margin: 0; color: #1f2933; background: #f5f7fa; }
  header { background: #0b3d91; color: #fff; padding: 16px 32px; display: flex; justify-content: space-between; align-items: center; }
  header a { color: #fff; }
  main { max-width: 880px; margin: 32px auto; padding: 0 16px; }
  .card { background: #fff; border-radius: 8px; padding: 24px; box-shadow: 0 1px 3px rgba(0,0,0,.12); margin-bottom: 16px; }
  .figure { font-size: 40px; font-weight: 700; color: #0b3d91; }
  code { background: #eef2f7; padding: 2px 6px; border-radius: 4px; }
</style>
</head>
<body>
<header>
  <strong>recur · ${zh ? "重复警情治理平台" : "repeat-incident platform"}</strong>
  <a href="?lang=${zh ? "en" : "zh"}">${zh ? "English" : "中文"}</a>
</header>
<main>
  <section class="card" aria-labelledby="state">
    <h1 id="state">${phase}</h1>
    <p>${escapeHtml(status.detail[lang])}</p>
  </section>
  <section class="card" aria-labelledby="count">
    <h2 id="count">${zh ? "已导入警情" : "Incidents loaded"}</h2>
    <div class="figure">${count}</div>
  </section>
  <section class="card">
    <h2>${zh ? "接口" : "API"}</h2>
    <p><code>GET /api/health</code> · <code>GET /api/v1/summary</code></p>
    <p>${zh ? "版本" : "Version"} ${escapeHtml(input.version)}</p>
  </section>
</main>
</body>
</html>`;
}
