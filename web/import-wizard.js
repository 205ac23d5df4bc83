// The import wizard: 1 upload, 2 profile or column mapping, 3 preview and check, 4 import and report.
// Plain ES module; app.js passes its helpers (h, api) so that there is one fetch and one element builder.
import { dateTime, lang, num } from "./i18n.js";

const S = {
  zh: {
    title: "导入警情数据",
    s1: "上传文件",
    s2: "选择或建立配置",
    s3: "预览与校验",
    s4: "导入与报告",
    stepOf: "第 {n} 步，共 4 步",
    fileLabel: "CSV 或 Excel（XLSX）文件，或装有它们的 .zip、.csv.gz 压缩包；可一次选多个文件",
    fileHint:
      "编码自动识别（UTF-8、GBK/GB18030）；上传后只显示前 20 行，电话、身份证号等已遮蔽。多个文件（或压缩包中的文件）按文件名排序（数字按大小：2024-9 在 2024-10 之前），每个文件导入为一个批次。",
    uploadingFile: "正在上传第 {i}/{n} 个文件：{name}",
    filesTitle: "本次上传的文件（{n} 个）",
    filesNote:
      "将按此顺序逐个导入，每个文件一个批次。预览、表头、编码与列映射均取自第一个文件（{name}），所选配置适用于全部文件。",
    skippedFiles: "压缩包中未导入的条目（非 CSV/XLSX 文件）",
    order: "顺序",
    perFile: "各文件校验结果",
    perFileNote: "每个文件校验前 {n} 行；合计见上方。",
    fileError: "无法读取",
    checkedFiles: "校验结果（{m} 个文件，每个前 {n} 行，未写入）",
    failedFilesNote: "{n} 个文件无法读取，导入时将跳过它们并继续导入其他文件。",
    importingFile: "正在导入第 {i}/{n} 个文件：{name}（已读取 {rows} 行）",
    reportFiles: "各文件导入结果",
    totals: "合计",
    state: "状态",
    state_waiting: "等待",
    state_running: "导入中",
    state_done: "完成",
    state_failed: "失败",
    fileReport: "{name} 的报告",
    filesDone: "{done}/{n} 个文件已导入，{failed} 个失败",
    uploadBtn: "上传并读取表头",
    uploading: "正在上传…",
    fileFacts: "文件信息",
    file: "文件",
    size: "大小",
    encoding: "编码",
    delimiter: "分隔符",
    columns: "列数",
    sampled: "读取样本行",
    unreadable: "无法读取的行（过大或格式错）",
    readAs: "按此编码读取",
    sheet: "工作表",
    headerRow: "表头在第几行",
    headerRowHint:
      "导出文件常在表头之上有标题行（如“2024年5月警情登记表”）或查询条件；已自动找出表头（前 30 行中第一行列名互不相同、多为文字且不少于下方多数行的非空格数）。若不对，请在此选择。",
    headerRowOption: "第 {n} 行：{text}",
    issueColumn: "列",
    unmapped: "未映射的值（全部已检查行）",
    unmappedCategory: "警情类别",
    unmappedDepartment: "单位",
    value: "值",
    count: "次数",
    noUnmapped: "没有未映射的类别或单位。",
    sheetHint: "文件有多个工作表；请选择存放警情数据的那一个（第一个非空行是表头）。",
    encAuto: "自动识别",
    comma: "逗号 ,",
    semicolon: "分号 ;",
    rereadHint:
      "表头或中文显示为乱码、或全部挤在一列时，请改选编码或分隔符，文件会重新读取（无需重新上传）。",
    previewRaw: "原始数据预览（前 20 行，已遮蔽）",
    next: "下一步",
    back: "上一步",
    modeLegend: "使用哪个导入配置？",
    modeMap: "按列建立新配置（映射向导）",
    modeSaved: "使用已保存的配置",
    modeBundled: "使用内置配置",
    noSaved: "尚无已保存的配置",
    mapTitle: "列映射",
    column: "文件列",
    samples: "样本值",
    target: "对应字段",
    format: "时间格式",
    why: "建议依据",
    notImported: "— 不导入 —",
    settings: "配置信息",
    profileName: "配置名称（小写字母、数字、- _ .）",
    profileDescription: "说明（可选）",
    sourceSystem: "来源系统标识（导入后勿改）",
    timezone: "时区",
    cityName: "市局名称（可选）",
    datum: "坐标系",
    keepNumber: "加密保存报警电话原号（默认只存假名）",
    catTitle: "警情类别对照",
    catHint: "文件中出现的类别值及其对应的 110 分类；“自动”表示系统名称已能识别。",
    catValue: "文件中的值",
    catCount: "行数",
    catTarget: "对应分类",
    catAuto: "自动识别",
    catGuess: "建议，请确认",
    catNone: "— 未对应（记为默认分类并告警）—",
    catNeedColumn: "请先为“警情类别”指定一列。",
    catTooMany: "该列取值过多，不像类别代码表；请在配置中使用前缀或正则规则。",
    defaultCategory: "未对应时的默认分类",
    checkBtn: "预览并校验",
    checking: "正在用导入流程校验前 {n} 行（不写入数据库）…",
    needReceived: "请为“报警时间”指定一列：它是唯一的必填时间。",
    checked: "校验结果（前 {n} 行，未写入）",
    valid: "可导入",
    rejected: "将被隔离",
    rejectedDone: "已隔离",
    warned: "有告警",
    duplicates: "已存在（重复）",
    updated: "更新已存警情",
    stale: "较旧导出（未应用）",
    mappedRows: "映射后的记录（前 20 条）",
    issues: "问题清单",
    row: "行",
    field: "字段",
    code: "代码",
    level: "级别",
    message: "说明",
    error: "错误",
    warning: "告警",
    noIssues: "前若干行没有发现问题。",
    showing: "显示 {n} / {m} 条",
    filterAll: "全部",
    filterErrors: "仅错误",
    filterWarnings: "仅告警",
    saveProfile: "保存为配置",
    saved: "已保存配置 {name}（版本 {v}）",
    importBtn: "开始导入",
    importing: "正在导入…",
    progress: "导入进度",
    rowsRead: "已读取 {n} 行",
    report: "导入报告",
    rows: "读取行数",
    imported: "新导入",
    seconds: "用时（秒）",
    titleRows: "表头之上未读入的行（标题、查询条件等）",
    areasFromBoundaries: "按警务区边界补全警务区的警情",
    grouped: "问题分组",
    errors: "错误行",
    warnings: "告警",
    fields: "涉及字段",
    example: "示例",
    downloadRejected: "下载被隔离的行（CSV，可修改后重新导入）",
    again: "导入另一个文件",
    failed: "导入失败",
    sourceId: "警情编号",
    receivedAt: "报警时间",
    receivedDate: "报警日期（时间列只有时分时）",
    acceptedAt: "接警时间",
    dispatchedAt: "派警时间",
    arrivedAt: "到场时间",
    closedAt: "反馈/结警时间",
    category: "警情类别",
    subtype: "警情细类",
    department: "分流部门",
    address: "发生地址",
    narrative: "简要警情（遮蔽）",
    disposition: "处警结果",
    feedback: "反馈内容（遮蔽）",
    caller: "报警电话（转为假名）",
    city: "市局",
    branch: "分局",
    station: "派出所/处警单位",
    area: "警务区",
    lon: "经度",
    lat: "纬度",
    datumCol: "坐标系列",
    place: "地点键",
    hashId: "文件没有警情编号列：将由各列内容生成编号（重复导入不会重复入库）。",
    personal: "个人身份信息，不导入",
  },
  en: {
    title: "Import call records",
    s1: "Upload",
    s2: "Profile or mapping",
    s3: "Preview and check",
    s4: "Import and report",
    stepOf: "Step {n} of 4",
    fileLabel: "CSV or Excel (XLSX) files, or a .zip or .csv.gz of them; several may be picked at once",
    fileHint:
      "Encoding detected (UTF-8, GBK/GB18030); only the first 20 rows are shown, with phone and ID numbers masked. Several files (or the files of an archive) are taken in name order (numbers as numbers: 2024-9 before 2024-10), each imported as one batch.",
    uploadingFile: "Uploading file {i} of {n}: {name}",
    filesTitle: "Files of this upload ({n})",
    filesNote:
      "They will be imported one batch each, in this order. The preview, header, encoding and mapping come from the first file ({name}); the profile applies to all.",
    skippedFiles: "Archive entries not imported (not CSV/XLSX)",
    order: "Order",
    perFile: "Check per file",
    perFileNote: "The first {n} rows of each file are checked; the totals are above.",
    fileError: "Cannot be read",
    checkedFiles: "Check ({m} files, first {n} rows of each, nothing stored)",
    failedFilesNote: "{n} file(s) cannot be read; the import skips them and imports the others.",
    importingFile: "Importing file {i} of {n}: {name} ({rows} rows read)",
    reportFiles: "Import per file",
    totals: "Total",
    state: "State",
    state_waiting: "Waiting",
    state_running: "Importing",
    state_done: "Done",
    state_failed: "Failed",
    fileReport: "Report of {name}",
    filesDone: "{done} of {n} files imported, {failed} failed",
    uploadBtn: "Upload and read the header",
    uploading: "Uploading…",
    fileFacts: "File",
    file: "File",
    size: "Size",
    encoding: "Encoding",
    delimiter: "Delimiter",
    columns: "Columns",
    sampled: "Rows sampled",
    unreadable: "Unreadable rows (too large or malformed)",
    readAs: "Read as",
    sheet: "Worksheet",
    headerRow: "Header row",
    headerRowHint:
      'Exports often have a title row (such as "2024年5月警情登记表") or the query above the header; the header was detected (the first of the first 30 rows whose column names are distinct, mostly text, and at least as many as most rows below). If it is wrong, choose it here.',
    headerRowOption: "Row {n}: {text}",
    issueColumn: "Column",
    unmapped: "Unmapped values (all rows checked)",
    unmappedCategory: "Category",
    unmappedDepartment: "Department",
    value: "Value",
    count: "Count",
    noUnmapped: "No unmapped categories or departments.",
    sheetHint:
      "The file has several worksheets; pick the one with the call records (its first non-empty row is the header).",
    encAuto: "Detect",
    comma: "Comma ,",
    semicolon: "Semicolon ;",
    rereadHint:
      "If the header or Chinese text looks garbled, or all columns sit in one, pick another encoding or delimiter: the file is read again (no new upload).",
    previewRaw: "Raw data (first 20 rows, masked)",
    next: "Next",
    back: "Back",
    modeLegend: "Which import profile?",
    modeMap: "Map the columns into a new profile (wizard)",
    modeSaved: "A saved profile",
    modeBundled: "A bundled profile",
    noSaved: "No saved profiles yet",
    mapTitle: "Column mapping",
    column: "Column",
    samples: "Sample values",
    target: "Field",
    format: "Time format",
    why: "Why suggested",
    notImported: "— not imported —",
    settings: "Profile settings",
    profileName: "Profile name (lower case, digits, - _ .)",
    profileDescription: "Description (optional)",
    sourceSystem: "Source system id (never change after importing)",
    timezone: "Time zone",
    cityName: "City police name (optional)",
    datum: "Coordinate datum",
    keepNumber: "Keep caller numbers encrypted (default: pseudonym only)",
    catTitle: "Category code list",
    catHint:
      "Category values seen in the file and their 110 category; “automatic” means recur's names already match.",
    catValue: "Value in the file",
    catCount: "Rows",
    catTarget: "Category",
    catAuto: "automatic",
    catGuess: "suggested; check it",
    catNone: "— not mapped (default category, with a warning) —",
    catNeedColumn: "Choose a column for “Category” first.",
    catTooMany: "Too many distinct values for a code list; use prefix or regex rules in the profile.",
    defaultCategory: "Default category when nothing matches",
    checkBtn: "Preview and check",
    checking: "Checking the first {n} rows with the import pipeline (nothing is stored)…",
    needReceived: "Choose a column for “Received at”: it is the one required time.",
    checked: "Check (first {n} rows, nothing stored)",
    valid: "Valid",
    rejected: "Rejected",
    rejectedDone: "Rejected",
    warned: "With warnings",
    duplicates: "Already stored",
    updated: "Updated stored calls",
    stale: "Older export (not applied)",
    mappedRows: "Mapped records (first 20)",
    issues: "Issues",
    row: "Row",
    field: "Field",
    code: "Code",
    level: "Level",
    message: "Message",
    error: "error",
    warning: "warning",
    noIssues: "No issues in the rows checked.",
    showing: "Showing {n} of {m}",
    filterAll: "All",
    filterErrors: "Errors only",
    filterWarnings: "Warnings only",
    saveProfile: "Save as profile",
    saved: "Saved profile {name} (version {v})",
    importBtn: "Import",
    importing: "Importing…",
    progress: "Import progress",
    rowsRead: "{n} rows read",
    report: "Import report",
    rows: "Rows read",
    imported: "Imported",
    seconds: "Seconds",
    titleRows: "Rows above the header not read (title, query …)",
    areasFromBoundaries: "Calls given their area by the area boundaries",
    grouped: "Issues by kind",
    errors: "Rejected rows",
    warnings: "Warnings",
    fields: "Fields",
    example: "Example",
    downloadRejected: "Download the rejected rows (CSV, fix and import again)",
    again: "Import another file",
    failed: "The import failed",
    sourceId: "Incident number",
    receivedAt: "Received at",
    receivedDate: "Call date (when times are clock-only)",
    acceptedAt: "Accepted at",
    dispatchedAt: "Dispatched at",
    arrivedAt: "Arrived at",
    closedAt: "Closed at",
    category: "Category",
    subtype: "Subtype",
    department: "Department",
    address: "Address",
    narrative: "Narrative (masked)",
    disposition: "Disposition",
    feedback: "Feedback (masked)",
    caller: "Caller number (pseudonymised)",
    city: "City police",
    branch: "Branch",
    station: "Station / unit",
    area: "Police area",
    lon: "Longitude",
    lat: "Latitude",
    datumCol: "Datum column",
    place: "Place key",
    hashId: "No incident number column: ids are made from the row's content (re-imports add nothing twice).",
    personal: "Personal identity; not imported",
  },
};
const tr = (key, params = {}) =>
  (S[lang][key] ?? S.zh[key] ?? key).replace(/\{(\w+)\}/g, (_, k) => String(params[k] ?? ""));

const targetLabel = (t) => tr(t === "datum" ? "datumCol" : t);
const FORMATS = [
  "YYYY-MM-DD HH:mm:ss",
  "YYYY-MM-DD HH:mm",
  "YYYY/M/D H:mm:ss",
  "YYYY/M/D H:mm",
  "YYYYMMDDHHmmss",
  "YYYY年M月D日 H时m分",
  "YYYY年M月D日 H:mm",
  "M/D/YYYY H:mm:ss",
  "D/M/YYYY H:mm",
  "YYYY-MM-DD",
  "M/D/YYYY",
  "H:mm",
  "H:mm:ss",
  "iso",
  "epoch_s",
  "epoch_ms",
  "excel",
];
const DRY_RUN_ROWS = 500;

/** Renders the wizard into `main`. `ui` = { h, api } from app.js. */
export async function importWizardPage(main, ui) {
  const { h, api } = ui;
  const state = {
    step: 1,
    preview: null,
    mode: "map",
    bundled: "",
    savedId: "",
    saved: [],
    mapping: null,
    categories: null,
    dry: null,
    job: null,
    filter: "all",
  };
  const live = h("p", { class: "sr-only", role: "status", "aria-live": "polite" });
  const body = h("div", { class: "wizard-body" });
  const steps = h("ol", { class: "steps", "aria-label": tr("title") });

  const table = (head, rows, opts = {}) =>
    h(
      "table",
      { class: opts.class ?? null },
      opts.caption ? h("caption", {}, opts.caption) : null,
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
            r.map((c, i) => h("td", { class: opts.numeric?.includes(i) ? "n" : null }, c)),
          ),
        ),
      ),
    );
  const say = (text) => {
    live.textContent = text;
  };
  const errorBox = (e) => h("p", { class: "error", role: "alert" }, e.message ?? String(e));

  function renderSteps() {
    steps.replaceChildren(
      ...[1, 2, 3, 4].map((n) =>
        h(
          "li",
          {
            class: n === state.step ? "current" : n < state.step ? "done" : null,
            "aria-current": n === state.step ? "step" : null,
          },
          h("span", { class: "num", "aria-hidden": "true" }, n < state.step ? "✓" : String(n)),
          h("span", {}, tr(`s${n}`)),
        ),
      ),
    );
  }

  let rendered = 0;
  function go(step) {
    state.step = step;
    renderSteps();
    const view = [null, stepUpload, stepProfile, stepCheck, stepImport][step];
    body.replaceChildren();
    view();
    main.dataset.step = String(step);
    say(`${tr("stepOf", { n: step })}: ${tr(`s${step}`)}`);
    const heading = body.querySelector("h2");
    // Focus follows the step (screen readers hear its title); not on the first render of the page.
    if (heading && rendered++ > 0) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  }

  // ---- step 1: upload ----
  function stepUpload() {
    const input = h("input", {
      type: "file",
      id: "wizard-file",
      accept: ".csv,.txt,.tsv,.xlsx,.xlsm,.zip,.gz",
      multiple: true,
      required: true,
      "aria-describedby": "wizard-file-hint",
    });
    const bar = h("progress", { max: "100", value: "0", hidden: true, "aria-label": tr("uploading") });
    const out = h("div", {});
    const form = h(
      "form",
      {
        class: "filters",
        onsubmit: async (e) => {
          e.preventDefault();
          // Name order, numbers as numbers (2024-9 before 2024-10); the server sorts them the same way.
          const files = [...(input.files ?? [])].sort((a, b) =>
            a.name.localeCompare(b.name, "en", { numeric: true }),
          );
          if (files.length === 0) return;
          const button = form.querySelector("button");
          button.disabled = true;
          bar.hidden = false;
          out.replaceChildren(h("p", { class: "muted" }, tr("uploading")));
          try {
            state.preview = await uploadFiles(files, (share, i) => {
              bar.value = String(Math.round(share * 100));
              if (files.length > 1)
                out.replaceChildren(
                  h(
                    "p",
                    { class: "muted" },
                    tr("uploadingFile", { i: i + 1, n: files.length, name: files[i].name }),
                  ),
                );
            });
            await loadSaved();
            state.mapping = initialMapping(state.preview);
            state.categories = null;
            state.dry = null;
            state.job = null;
            out.replaceChildren(previewPanel());
          } catch (x) {
            out.replaceChildren(errorBox(x));
          }
          bar.hidden = true;
          button.disabled = false;
        },
      },
      h("label", { for: "wizard-file" }, tr("fileLabel"), input),
      h("button", { class: "primary", type: "submit", id: "wizard-upload" }, tr("uploadBtn")),
      bar,
    );
    body.append(
      h(
        "section",
        { class: "panel" },
        h("h2", {}, tr("s1")),
        form,
        h("p", { class: "muted", id: "wizard-file-hint" }, tr("fileHint")),
      ),
      out,
    );
    if (state.preview) out.replaceChildren(previewPanel());
  }

  /** Sends the first file as a new upload and adds the others to it; answers the last preview. */
  async function uploadFiles(files, onProgress) {
    const total = files.reduce((n, f) => n + f.size, 0) || 1;
    let sent = 0;
    let preview = null;
    for (const [i, file] of files.entries()) {
      const url = preview
        ? `/api/v1/import/uploads/${preview.uploadId}/files?name=${encodeURIComponent(file.name)}`
        : `/api/v1/import/uploads?name=${encodeURIComponent(file.name)}`;
      preview = await uploadFile(url, file, (share) => onProgress((sent + share * file.size) / total, i));
      sent += file.size;
    }
    return preview;
  }

  function uploadFile(url, file, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.setRequestHeader("Accept-Language", lang === "zh" ? "zh-CN" : "en");
      xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
      xhr.onload = () => {
        let json = null;
        try {
          json = JSON.parse(xhr.responseText);
        } catch {}
        if (xhr.status >= 200 && xhr.status < 300) resolve(json);
        else reject(new Error(json?.error?.message ?? `HTTP ${xhr.status}`));
      };
      xhr.onerror = () => reject(new Error(`HTTP ${xhr.status}`));
      xhr.send(file);
    });
  }

  async function loadSaved() {
    try {
      const list = await api("/api/v1/profiles");
      state.saved = list.saved;
    } catch {
      state.saved = [];
    }
  }

  function previewPanel() {
    const p = state.preview;
    const personal = new Set(p.suggestion.columns.filter((c) => c.personal).map((c) => c.column));
    const rereadMsg = h("div", {});
    /** Reads the staged file again with the encoding or delimiter chosen here. */
    const reread = async (change) => {
      try {
        state.preview = await api(`/api/v1/import/uploads/${p.uploadId}/preview`, {
          method: "POST",
          body: JSON.stringify(change),
        });
        state.mapping = initialMapping(state.preview);
        state.categories = null;
        state.dry = null;
        const panel = previewPanel();
        document.getElementById("wizard-preview").replaceWith(panel);
        panel
          .querySelector(
            change.encoding
              ? "#wizard-encoding-choice"
              : change.sheet
                ? "#wizard-sheet"
                : change.headerRow
                  ? "#wizard-header-row"
                  : "#wizard-delimiter",
          )
          ?.focus();
      } catch (x) {
        rereadMsg.replaceChildren(errorBox(x));
      }
    };
    const readAs = h(
      "div",
      { class: "filters", style: "margin-top:10px" },
      h(
        "label",
        {},
        tr("readAs"),
        h(
          "select",
          { id: "wizard-encoding-choice", onchange: (e) => reread({ encoding: e.target.value }) },
          [
            ["auto", tr("encAuto")],
            ["utf8", "UTF-8"],
            ["gb18030", "GBK / GB18030"],
            ["utf16le", "UTF-16LE"],
            ["utf16be", "UTF-16BE"],
            ["big5", "Big5"],
          ].map(([v, l]) => h("option", { value: v, selected: (p.encodingChoice ?? "auto") === v }, l)),
        ),
      ),
      h(
        "label",
        {},
        tr("delimiter"),
        h(
          "select",
          { id: "wizard-delimiter", onchange: (e) => reread({ delimiter: e.target.value }) },
          [
            [",", tr("comma")],
            [";", tr("semicolon")],
            ["\t", "Tab"],
            ["|", "|"],
          ].map(([v, l]) => h("option", { value: v, selected: p.delimiter === v }, l)),
        ),
      ),
      h("p", { class: "muted small", style: "max-width:520px;margin:0" }, tr("rereadHint")),
    );
    return h(
      "section",
      { class: "panel", id: "wizard-preview", style: "margin-top:16px" },
      h("h2", {}, tr("fileFacts")),
      filesView(p),
      h(
        "dl",
        { class: "kv" },
        h("dt", {}, tr("file")),
        h("dd", {}, p.file),
        h("dt", {}, tr("size")),
        h("dd", {}, `${num(p.size / 1024, 1)} KB`),
        h("dt", {}, tr("encoding")),
        h("dd", { id: "wizard-encoding" }, p.encoding),
        h("dt", {}, tr("columns")),
        h("dd", {}, num(p.header.length)),
        h("dt", {}, tr("sampled")),
        h("dd", {}, num(p.sampledRows)),
        ...(p.unreadableRows > 0
          ? [h("dt", {}, tr("unreadable")), h("dd", { class: "error" }, num(p.unreadableRows))]
          : []),
      ),
      p.format === "csv" ? readAs : null,
      p.format === "xlsx" && p.sheets.length > 1
        ? h(
            "div",
            { class: "filters", style: "margin-top:10px" },
            h(
              "label",
              {},
              tr("sheet"),
              h(
                "select",
                { id: "wizard-sheet", onchange: (e) => reread({ sheet: e.target.value }) },
                p.sheets.map((name, i) =>
                  h(
                    "option",
                    { value: name, selected: (p.sheet ?? p.sheets[0]) === name || (!p.sheet && i === 0) },
                    name,
                  ),
                ),
              ),
            ),
            h("p", { class: "muted small", style: "max-width:520px;margin:0" }, tr("sheetHint")),
          )
        : null,
      (p.headerCandidates ?? []).length > 1
        ? h(
            "div",
            { class: "filters", style: "margin-top:10px" },
            h(
              "label",
              {},
              tr("headerRow"),
              h(
                "select",
                {
                  id: "wizard-header-row",
                  onchange: (e) => reread({ headerRow: Number(e.target.value) }),
                },
                p.headerCandidates.map((c) =>
                  h(
                    "option",
                    { value: String(c.row), selected: p.headerRow === c.row },
                    tr("headerRowOption", { n: c.row, text: c.text || "—" }),
                  ),
                ),
              ),
            ),
            h("p", { class: "muted small", style: "max-width:520px;margin:0" }, tr("headerRowHint")),
          )
        : null,
      rereadMsg,
      h("h3", {}, tr("previewRaw")),
      h(
        "div",
        { class: "scrollx", tabindex: "0", role: "region", "aria-label": tr("previewRaw") },
        table(
          p.header.map((c) => (personal.has(c) ? `${c} 🔒` : c)),
          p.rows,
          { class: "compact" },
        ),
      ),
      h(
        "div",
        { class: "wizard-nav" },
        h("button", { class: "primary", id: "wizard-next-1", onclick: () => go(2) }, tr("next")),
      ),
    );
  }

  /** The upload's files in import order (name, size) and the archive entries passed over. */
  function filesView(p) {
    const files = p.files ?? [];
    const skipped = p.skipped ?? [];
    // One file sent as it is: the facts below say all.
    if (files.length <= 1 && skipped.length === 0 && files[0]?.name === p.file && !p.file.includes(":"))
      return null;
    return h(
      "div",
      { id: "wizard-files" },
      h("h3", {}, tr("filesTitle", { n: files.length })),
      h("p", { class: "muted small" }, tr("filesNote", { name: p.file })),
      table(
        [tr("order"), tr("file"), tr("size")],
        files.map((f, i) => [String(i + 1), f.name, `${num(f.size / 1024, 1)} KB`]),
        { class: "compact", numeric: [0, 2] },
      ),
      skipped.length > 0
        ? h(
            "p",
            { class: "muted small", id: "wizard-skipped" },
            `${tr("skippedFiles")}${lang === "zh" ? "：" : ": "}${skipped.join(lang === "zh" ? "、" : ", ")}`,
          )
        : null,
    );
  }

  // ---- step 2: profile or mapping ----
  function initialMapping(p) {
    const columns = {};
    const formats = {};
    for (const c of p.suggestion.columns) {
      if (!c.target) continue;
      columns[c.column] = c.target;
      if (c.format) formats[c.column] = c.format;
    }
    const base = p.file.replace(/\.[^.]+$/, "").toLowerCase();
    const name = /^[a-z0-9][a-z0-9._-]*$/.test(base)
      ? base
      : `import-${new Date().toISOString().slice(0, 10)}`;
    return {
      name,
      description: "",
      sourceSystem: name,
      timezone: "Asia/Shanghai",
      cityName: "",
      datum: "gcj02",
      keepCallerNumber: false,
      columns,
      formats,
      categoryMap: {},
      defaultCategory: "other",
    };
  }

  function stepProfile() {
    const p = state.preview;
    const m = state.mapping;
    const modes = [
      ["map", tr("modeMap")],
      ["saved", tr("modeSaved")],
      ["bundled", tr("modeBundled")],
    ];
    const detail = h("div", {});
    const renderDetail = () => {
      if (state.mode === "map") detail.replaceChildren(mappingEditor());
      else if (state.mode === "saved")
        detail.replaceChildren(
          state.saved.length === 0
            ? h("p", { class: "muted" }, tr("noSaved"))
            : h(
                "label",
                {},
                tr("modeSaved"),
                h(
                  "select",
                  {
                    id: "wizard-saved",
                    onchange: (e) => {
                      state.savedId = e.target.value;
                    },
                  },
                  state.saved.map((s) =>
                    h(
                      "option",
                      { value: s.id, selected: s.id === state.savedId },
                      `${s.name}${s.description ? ` — ${s.description}` : ""}`,
                    ),
                  ),
                ),
              ),
        );
      else
        detail.replaceChildren(
          h(
            "label",
            {},
            tr("modeBundled"),
            h(
              "select",
              {
                id: "wizard-bundled",
                onchange: (e) => {
                  state.bundled = e.target.value;
                },
              },
              p.bundled.map((b) => h("option", { value: b, selected: b === state.bundled }, b)),
            ),
          ),
        );
      if (state.mode === "saved" && !state.savedId && state.saved[0]) state.savedId = state.saved[0].id;
      if (state.mode === "bundled" && !state.bundled) state.bundled = p.bundled[0] ?? "";
    };
    const fieldset = h(
      "fieldset",
      { class: "modes" },
      h("legend", {}, tr("modeLegend")),
      modes.map(([value, label]) =>
        h(
          "label",
          { class: "radio" },
          h("input", {
            type: "radio",
            name: "wizard-mode",
            value,
            id: `wizard-mode-${value}`,
            checked: state.mode === value,
            onchange: () => {
              state.mode = value;
              renderDetail();
            },
          }),
          label,
        ),
      ),
    );
    renderDetail();
    const err = h("div", {});
    body.append(
      h(
        "section",
        { class: "panel" },
        h("h2", {}, tr("s2")),
        fieldset,
        detail,
        err,
        h(
          "div",
          { class: "wizard-nav" },
          h("button", { class: "secondary", onclick: () => go(1) }, tr("back")),
          h(
            "button",
            {
              class: "primary",
              id: "wizard-next-2",
              onclick: () => {
                if (state.mode === "map" && !Object.values(m.columns).includes("receivedAt")) {
                  err.replaceChildren(errorBox(new Error(tr("needReceived"))));
                  return;
                }
                state.dry = null;
                go(3);
              },
            },
            tr("next"),
          ),
        ),
      ),
    );
  }

  function mappingEditor() {
    const p = state.preview;
    const m = state.mapping;
    const samplesOf = (i) =>
      [...new Set(p.rows.map((r) => r[i]).filter((v) => v !== ""))].slice(0, 3).join(" | ") || "—";
    const catBox = h("div", { id: "wizard-categories" });
    const rows = p.header.map((column, i) => {
      const s = p.suggestion.columns[i];
      const id = `map-${i}`;
      const formatInput = h("input", {
        id: `fmt-${i}`,
        list: "wizard-formats",
        value: m.formats[column] ?? "",
        "aria-label": `${tr("format")}: ${column}`,
        size: "20",
        hidden: !p.formatTargets.includes(m.columns[column]),
        oninput: (e) => {
          m.formats[column] = e.target.value.trim();
        },
      });
      const select = h(
        "select",
        {
          id,
          "data-column": column,
          "aria-label": `${tr("target")}: ${column}`,
          disabled: s.personal === true,
          onchange: (e) => {
            const target = e.target.value;
            // One column per field: the column that had this field before loses it.
            for (const [c, t] of Object.entries(m.columns))
              if (t === target && c !== column) {
                delete m.columns[c];
                const other = document.querySelector(`select[data-column="${CSS.escape(c)}"]`);
                if (other) other.value = "";
              }
            if (target) m.columns[column] = target;
            else delete m.columns[column];
            formatInput.hidden = !p.formatTargets.includes(target);
            if (p.formatTargets.includes(target) && !m.formats[column]) {
              m.formats[column] = target === "receivedDate" ? "YYYY-MM-DD" : "YYYY-MM-DD HH:mm:ss";
              formatInput.value = m.formats[column];
            }
            if (target === "category" || target === "subtype" || (!target && state.categories)) {
              state.categories = null;
              loadCategories(catBox);
            }
          },
        },
        h("option", { value: "" }, tr("notImported")),
        p.targets.map((t) => h("option", { value: t, selected: m.columns[column] === t }, targetLabel(t))),
      );
      return [
        h("label", { for: id, class: "colname" }, column),
        h("span", { class: "samples" }, samplesOf(i)),
        select,
        formatInput,
        h(
          "span",
          { class: "muted small" },
          s.personal
            ? tr("personal")
            : s.target
              ? `${s.reason[lang]} (${Math.round(s.confidence * 100)}%)`
              : "",
        ),
      ];
    });
    const tzs =
      typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : ["Asia/Shanghai"];
    const settings = h(
      "div",
      { class: "filters settings" },
      h(
        "label",
        {},
        tr("profileName"),
        h("input", {
          id: "wizard-name",
          value: m.name,
          pattern: "[a-z0-9][a-z0-9._-]*",
          required: true,
          oninput: (e) => {
            m.name = e.target.value.trim();
          },
        }),
      ),
      h(
        "label",
        {},
        tr("profileDescription"),
        h("input", {
          id: "wizard-description",
          value: m.description,
          maxlength: "200",
          oninput: (e) => {
            m.description = e.target.value.trim();
          },
        }),
      ),
      h(
        "label",
        {},
        tr("sourceSystem"),
        h("input", {
          id: "wizard-source",
          value: m.sourceSystem,
          required: true,
          oninput: (e) => {
            m.sourceSystem = e.target.value.trim();
          },
        }),
      ),
      h(
        "label",
        {},
        tr("timezone"),
        h(
          "select",
          {
            id: "wizard-tz",
            onchange: (e) => {
              m.timezone = e.target.value;
            },
          },
          tzs.map((z) => h("option", { value: z, selected: z === m.timezone }, z)),
        ),
      ),
      h(
        "label",
        {},
        tr("cityName"),
        h("input", {
          id: "wizard-city",
          value: m.cityName,
          oninput: (e) => {
            m.cityName = e.target.value.trim();
          },
        }),
      ),
      h(
        "label",
        {},
        tr("datum"),
        h(
          "select",
          {
            id: "wizard-datum",
            onchange: (e) => {
              m.datum = e.target.value;
            },
          },
          [
            ["gcj02", "GCJ-02（高德/腾讯）"],
            ["wgs84", "WGS-84（GPS）"],
            ["bd09", "BD-09（百度）"],
          ].map(([v, l]) => h("option", { value: v, selected: v === m.datum }, l)),
        ),
      ),
      h(
        "label",
        { class: "check" },
        h("input", {
          type: "checkbox",
          id: "wizard-keep",
          checked: m.keepCallerNumber,
          onchange: (e) => {
            m.keepCallerNumber = e.target.checked;
          },
        }),
        tr("keepNumber"),
      ),
    );
    loadCategories(catBox);
    return h(
      "div",
      {},
      h("h3", {}, tr("mapTitle")),
      p.suggestion.hashSourceId && !Object.values(m.columns).includes("sourceId")
        ? h("p", { class: "muted" }, tr("hashId"))
        : null,
      h(
        "datalist",
        { id: "wizard-formats" },
        FORMATS.map((f) => h("option", { value: f })),
      ),
      h(
        "div",
        { class: "scrollx" },
        table([tr("column"), tr("samples"), tr("target"), tr("format"), tr("why")], rows, {
          class: "mapping",
        }),
      ),
      h("h3", {}, tr("settings")),
      settings,
      catBox,
    );
  }

  async function loadCategories(box) {
    const m = state.mapping;
    const cat = Object.keys(m.columns).find((c) => m.columns[c] === "category");
    const sub = Object.keys(m.columns).find((c) => m.columns[c] === "subtype");
    const head = [h("h3", {}, tr("catTitle")), h("p", { class: "muted" }, tr("catHint"))];
    if (!cat) return box.replaceChildren(...head, h("p", { class: "muted" }, tr("catNeedColumn")));
    if (!state.categories) {
      box.replaceChildren(...head, h("p", { class: "muted" }, "…"));
      try {
        state.categories = await api(`/api/v1/import/uploads/${state.preview.uploadId}/distinct`, {
          method: "POST",
          body: JSON.stringify({ columns: sub ? [cat, sub] : [cat], separator: "/" }),
        });
      } catch (x) {
        return box.replaceChildren(...head, errorBox(x));
      }
      for (const v of state.categories.values)
        if (v.via === "keyword" && v.target && !(v.value in m.categoryMap)) m.categoryMap[v.value] = v.target;
    }
    if (state.categories.tooMany)
      return box.replaceChildren(...head, h("p", { class: "muted" }, tr("catTooMany")));
    const targets = state.preview.categoryTargets;
    const options = (selected, auto) => [
      h("option", { value: "" }, auto ? `${tr("catAuto")}: ${labelOf(auto)}` : tr("catNone")),
      targets.map((t) => h("option", { value: t.code, selected: t.code === selected }, labelOf(t.code))),
    ];
    const labelOf = (code) => {
      const t = targets.find((x) => x.code === code);
      return t ? `${t[lang]} (${code})` : code;
    };
    const rows = state.categories.values.map((v, i) => {
      const auto = v.via === "label" ? v.target : null;
      return [
        h("label", { for: `cat-${i}` }, v.value),
        num(v.count),
        h(
          "select",
          {
            id: `cat-${i}`,
            "data-value": v.value,
            onchange: (e) => {
              if (e.target.value) m.categoryMap[v.value] = e.target.value;
              else delete m.categoryMap[v.value];
            },
          },
          options(m.categoryMap[v.value] ?? "", auto),
        ),
        h(
          "span",
          { class: "muted small" },
          v.via === "label" ? tr("catAuto") : v.via === "keyword" ? tr("catGuess") : "",
        ),
      ];
    });
    box.replaceChildren(
      ...head,
      table([tr("catValue"), tr("catCount"), tr("catTarget"), ""], rows, { class: "mapping", numeric: [1] }),
      h(
        "label",
        { style: "margin-top:8px;max-width:360px" },
        tr("defaultCategory"),
        h(
          "select",
          {
            id: "wizard-default-category",
            onchange: (e) => {
              m.defaultCategory = e.target.value;
            },
          },
          targets
            .filter((t) => !t.code.includes("."))
            .map((t) =>
              h("option", { value: t.code, selected: t.code === m.defaultCategory }, labelOf(t.code)),
            ),
        ),
      ),
    );
  }

  function sourceSpec() {
    if (state.mode === "saved") return { kind: "saved", id: state.savedId };
    if (state.mode === "bundled") return { kind: "bundled", name: state.bundled };
    const m = state.mapping;
    const formats = Object.fromEntries(
      Object.entries(m.formats).filter(([c, f]) => f && state.preview.formatTargets.includes(m.columns[c])),
    );
    return {
      kind: "mapping",
      mapping: {
        name: m.name,
        ...(m.description ? { description: m.description } : {}),
        sourceSystem: m.sourceSystem,
        timezone: m.timezone,
        columns: m.columns,
        formats,
        categoryMap: m.categoryMap,
        defaultCategory: m.defaultCategory,
        ...(m.cityName ? { cityName: m.cityName } : {}),
        datum: m.datum,
        keepCallerNumber: m.keepCallerNumber,
      },
    };
  }

  // ---- step 3: dry run ----
  function stepCheck() {
    const out = h(
      "div",
      { "aria-busy": "true" },
      h("p", { class: "muted" }, tr("checking", { n: DRY_RUN_ROWS })),
    );
    const section = h("section", { class: "panel", id: "wizard-check" }, h("h2", {}, tr("s3")), out);
    body.append(section);
    const run = async () => {
      try {
        state.dry = await api(`/api/v1/import/uploads/${state.preview.uploadId}/validate`, {
          method: "POST",
          body: JSON.stringify({ source: sourceSpec(), rows: DRY_RUN_ROWS }),
        });
        out.removeAttribute("aria-busy");
        out.replaceChildren(checkResult());
        main.dataset.checked = "1";
      } catch (x) {
        out.removeAttribute("aria-busy");
        out.replaceChildren(errorBox(x), nav(false));
      }
    };
    if (state.dry) out.replaceChildren(checkResult());
    else run();
  }

  function nav(canImport) {
    const saveMsg = h("span", { role: "status", id: "wizard-save-msg" });
    return h(
      "div",
      { class: "wizard-nav" },
      h("button", { class: "secondary", onclick: () => go(2) }, tr("back")),
      canImport && state.mode === "map"
        ? h(
            "button",
            {
              class: "secondary",
              id: "wizard-save",
              onclick: async (e) => {
                e.target.disabled = true;
                try {
                  const saved = await api("/api/v1/profiles", {
                    method: "POST",
                    body: JSON.stringify({ profile: state.dry.profile }),
                  });
                  saveMsg.className = "okmsg";
                  saveMsg.textContent = tr("saved", { name: saved.name, v: saved.version });
                  state.saved = [...state.saved, saved];
                } catch (x) {
                  saveMsg.className = "error";
                  saveMsg.textContent = x.message;
                  e.target.disabled = false;
                }
              },
            },
            tr("saveProfile"),
          )
        : null,
      canImport
        ? h("button", { class: "primary", id: "wizard-import", onclick: () => go(4) }, tr("importBtn"))
        : null,
      saveMsg,
    );
  }

  function checkResult() {
    const d = state.dry;
    // An upload of several files: figures per file and in total, issues named by file.
    const files = d.files ?? [];
    const several = files.length > 1;
    const cards = [
      ["rows", d.rows],
      ["valid", d.valid],
      ["rejected", d.rejected],
      ["warned", d.warned],
      ["duplicates", d.duplicates],
      ["updated", d.updated ?? 0],
      ...(d.stale ? [["stale", d.stale]] : []),
    ];
    const issuesBox = h("div", {});
    const renderIssues = () => {
      const shown = d.issues.filter(
        (i) =>
          state.filter === "all" ||
          (state.filter === "errors" ? i.severity === "error" : i.severity !== "error"),
      );
      const limit = 200;
      issuesBox.replaceChildren(
        d.issues.length === 0
          ? h("p", { class: "okmsg" }, tr("noIssues"))
          : h(
              "div",
              {},
              h(
                "p",
                { class: "muted small" },
                tr("showing", { n: Math.min(limit, shown.length), m: shown.length }),
              ),
              h(
                "div",
                { class: "scrolly", tabindex: "0", role: "region", "aria-label": tr("issues") },
                table(
                  [
                    ...(several ? [tr("file")] : []),
                    tr("row"),
                    tr("issueColumn"),
                    tr("field"),
                    tr("level"),
                    tr("code"),
                    tr("message"),
                  ],
                  shown.slice(0, limit).map((i) => [
                    ...(several ? [i.file ?? "—"] : []),
                    i.row === null ? "—" : String(i.row),
                    // The file's column names (older issues have none).
                    i.column?.length ? i.column.join("、") : "—",
                    i.field ? targetLabel(i.field) : "—",
                    h("span", { class: `sev sev-${i.severity}` }, tr(i.severity)),
                    h("code", {}, i.code),
                    i.message[lang],
                  ]),
                  { class: "compact", numeric: [several ? 1 : 0] },
                ),
              ),
            ),
      );
    };
    renderIssues();
    const filterGroup = h(
      "div",
      { class: "tabs", role: "group", "aria-label": tr("issues") },
      [
        ["all", tr("filterAll")],
        ["errors", tr("filterErrors")],
        ["warnings", tr("filterWarnings")],
      ].map(([value, label]) =>
        h(
          "button",
          {
            class: "secondary",
            "aria-pressed": state.filter === value ? "true" : "false",
            onclick: (e) => {
              state.filter = value;
              for (const b of e.target.parentElement.querySelectorAll("button"))
                b.setAttribute("aria-pressed", b === e.target ? "true" : "false");
              renderIssues();
            },
          },
          label,
        ),
      ),
    );
    const mapped = d.mapped.map((r) => [
      r.sourceId,
      dateTime(r.receivedAt, r.utcOffsetMin),
      r.arrivedAt === null ? "—" : dateTime(r.arrivedAt, r.utcOffsetMin),
      `${state.preview.categoryTargets.find((t) => t.code === (r.subtype ? `${r.category}.${r.subtype}` : r.category))?.[lang] ?? r.category}`,
      r.sourceCategory ?? "—",
      r.address ?? "—",
      r.place ?? "—",
      r.station ?? "—",
      r.caller ?? "—",
      r.narrative ?? "—",
    ]);
    return h(
      "div",
      {},
      h(
        "h3",
        {},
        several ? tr("checkedFiles", { m: files.length, n: d.rowsPerFile }) : tr("checked", { n: d.rows }),
      ),
      figureCards(cards),
      several ? perFileCheck(d) : null,
      h("h3", {}, tr("mappedRows")),
      h(
        "div",
        { class: "scrollx", tabindex: "0", role: "region", "aria-label": tr("mappedRows") },
        table(
          [
            tr("sourceId"),
            tr("receivedAt"),
            tr("arrivedAt"),
            tr("category"),
            tr("catValue"),
            tr("address"),
            tr("place"),
            tr("station"),
            tr("caller"),
            tr("narrative"),
          ],
          mapped,
          { class: "compact" },
        ),
      ),
      unmappedView(d.unmappedCategories ?? [], d.unmappedDepartments ?? []),
      h("h3", {}, tr("issues")),
      filterGroup,
      issuesBox,
      nav(!several || d.failedFiles < files.length),
    );
  }

  /** One card per [label key, value] pair: the figures of the dry run and of the report. */
  function figureCards(pairs) {
    return h(
      "div",
      { class: "grid g5 figures" },
      pairs.map(([k, v]) =>
        h(
          "div",
          { class: `card panel fig-${k}` },
          h("div", { class: "l" }, tr(k)),
          h("div", { class: "v" }, num(v)),
        ),
      ),
    );
  }

  /** The dry run of each file: its figures, or why it cannot be read. */
  function perFileCheck(d) {
    return h(
      "div",
      { id: "wizard-check-files" },
      h("h3", {}, tr("perFile")),
      h("p", { class: "muted small" }, tr("perFileNote", { n: num(d.rowsPerFile) })),
      d.failedFiles > 0
        ? h("p", { class: "error", role: "alert" }, tr("failedFilesNote", { n: d.failedFiles }))
        : null,
      h(
        "div",
        { class: "scrollx", tabindex: "0", role: "region", "aria-label": tr("perFile") },
        table(
          [
            tr("order"),
            tr("file"),
            tr("rows"),
            tr("valid"),
            tr("rejected"),
            tr("warned"),
            tr("duplicates"),
            tr("updated"),
            tr("fileError"),
          ],
          [
            ...d.files.map((f, i) => [
              String(i + 1),
              f.name,
              num(f.rows),
              num(f.valid),
              num(f.rejected),
              num(f.warned),
              num(f.duplicates),
              num(f.updated),
              f.error ? h("span", { class: "error" }, `${f.error.message} (${f.error.code})`) : "—",
            ]),
            [
              "",
              h("strong", {}, tr("totals")),
              num(d.rows),
              num(d.valid),
              num(d.rejected),
              num(d.warned),
              num(d.duplicates),
              num(d.updated),
              d.failedFiles > 0 ? String(d.failedFiles) : "—",
            ],
          ],
          { class: "compact", numeric: [0, 2, 3, 4, 5, 6, 7] },
        ),
      ),
    );
  }

  /** The unmapped categories and departments of all rows checked, with their counts. */
  function unmappedView(categories, departments) {
    const rows = [
      ...categories.map((v) => [tr("unmappedCategory"), v.value, num(v.count)]),
      ...departments.map((v) => [tr("unmappedDepartment"), v.value, num(v.count)]),
    ];
    return h(
      "div",
      { class: "wizard-unmapped" },
      h("h3", {}, tr("unmapped")),
      rows.length === 0
        ? h("p", { class: "muted small" }, tr("noUnmapped"))
        : table([tr("field"), tr("value"), tr("count")], rows, { class: "compact", numeric: [2] }),
    );
  }

  // ---- step 4: import ----
  function stepImport() {
    const bar = h("progress", {
      max: "100",
      value: "0",
      id: "wizard-progress",
      "aria-label": tr("progress"),
    });
    const text = h("p", { class: "muted", role: "status" }, tr("importing"));
    const out = h("div", {});
    body.append(h("section", { class: "panel", id: "wizard-run" }, h("h2", {}, tr("s4")), bar, text, out));
    const show = (job) => {
      bar.value = String(job.totalBytes ? Math.round((100 * job.bytesRead) / job.totalBytes) : 0);
      text.textContent =
        job.fileCount > 1
          ? tr("importingFile", { i: job.file, n: job.fileCount, name: job.fileName, rows: num(job.rows) })
          : tr("rowsRead", { n: num(job.rows) });
    };
    const finish = (job) => {
      bar.value = "100";
      text.textContent = tr("rowsRead", { n: num(job.rows) });
      out.replaceChildren(job.report ? reportView(job.report) : filesReportView(job));
      main.dataset.imported = "1";
      say(tr("report"));
    };
    (async () => {
      try {
        if (state.job?.state === "done") return finish(state.job);
        const { jobId } = await api(`/api/v1/import/uploads/${state.preview.uploadId}/import`, {
          method: "POST",
          body: JSON.stringify({ source: sourceSpec() }),
        });
        for (;;) {
          const job = await api(`/api/v1/import/jobs/${jobId}`);
          state.job = job;
          if (job.state === "done") return finish(job);
          if (job.state === "failed" && job.fileCount > 1) {
            out.replaceChildren(
              errorBox(new Error(`${tr("failed")}: ${job.error?.message ?? ""}`)),
              filesTable(job),
            );
            return;
          }
          if (job.state === "failed") throw new Error(`${tr("failed")}: ${job.error?.message ?? ""}`);
          show(job);
          await new Promise((r) => setTimeout(r, 400));
        }
      } catch (x) {
        out.replaceChildren(errorBox(x));
      }
    })();
  }

  /** Each file's state, figures or reason, and the totals of an import of several files. */
  function filesTable(job) {
    const t = job.totals;
    return h(
      "div",
      { class: "scrollx", tabindex: "0", role: "region", "aria-label": tr("reportFiles") },
      table(
        [
          tr("order"),
          tr("file"),
          tr("state"),
          tr("rows"),
          tr("imported"),
          tr("rejectedDone"),
          tr("duplicates"),
          tr("updated"),
          tr("warned"),
          tr("fileError"),
        ],
        [
          ...job.files.map((f, i) => [
            String(i + 1),
            f.name,
            h("span", { class: `file-${f.state}` }, tr(`state_${f.state}`)),
            f.report ? num(f.report.rows) : "—",
            f.report ? num(f.report.imported) : "—",
            f.report ? num(f.report.rejected) : "—",
            f.report ? num(f.report.duplicates) : "—",
            f.report ? num(f.report.updated ?? 0) : "—",
            f.report ? num(f.report.warned) : "—",
            f.error ? h("span", { class: "error" }, `${f.error.message} (${f.error.code})`) : "—",
          ]),
          [
            "",
            h("strong", {}, tr("totals")),
            tr("filesDone", { done: t.doneFiles, n: t.files, failed: t.failedFiles }),
            num(t.rows),
            num(t.imported),
            num(t.rejected),
            num(t.duplicates),
            num(t.updated),
            num(t.warned),
            "",
          ],
        ],
        { class: "compact", numeric: [0, 3, 4, 5, 6, 7, 8] },
      ),
    );
  }

  /** The report of an import of several files: per file and in total, then each file's own report. */
  function filesReportView(job) {
    const t = job.totals;
    const figures = [
      ["rows", t.rows],
      ["imported", t.imported],
      ["rejectedDone", t.rejected],
      ["duplicates", t.duplicates],
      ["updated", t.updated],
      ...(t.stale ? [["stale", t.stale]] : []),
      ["warned", t.warned],
    ];
    return h(
      "div",
      { id: "wizard-report" },
      h("h3", {}, tr("report")),
      h(
        "p",
        { id: "wizard-files-done" },
        tr("filesDone", { done: t.doneFiles, n: t.files, failed: t.failedFiles }),
      ),
      figureCards(figures),
      h("h3", {}, tr("reportFiles")),
      filesTable(job),
      ...job.files
        .filter((f) => f.report)
        .map((f) =>
          h(
            "details",
            { class: "wizard-file-report" },
            h("summary", {}, tr("fileReport", { name: f.name })),
            reportView(f.report, false),
          ),
        ),
      againNav(),
    );
  }

  function againNav() {
    return h(
      "div",
      { class: "wizard-nav" },
      h(
        "button",
        {
          class: "secondary",
          id: "wizard-again",
          onclick: () => {
            state.preview = null;
            state.dry = null;
            state.job = null;
            go(1);
          },
        },
        tr("again"),
      ),
    );
  }

  function reportView(r, alone = true) {
    const figures = [
      ["rows", r.rows],
      ["imported", r.imported],
      ["rejectedDone", r.rejected],
      ["duplicates", r.duplicates],
      ["updated", r.updated ?? 0],
      ...(r.stale ? [["stale", r.stale]] : []),
      ["warned", r.warned],
    ];
    return h(
      "div",
      alone ? { id: "wizard-report" } : { class: "wizard-report" },
      alone ? h("h3", {}, tr("report")) : null,
      h(
        "dl",
        { class: "kv" },
        h("dt", {}, tr("file")),
        h("dd", {}, r.file),
        h("dt", {}, tr("encoding")),
        h("dd", {}, r.encoding),
        h("dt", {}, tr("seconds")),
        h("dd", {}, num(r.seconds, 2)),
        ...(r.titleRows > 0
          ? [h("dt", {}, tr("titleRows")), h("dd", { id: "wizard-title-rows" }, num(r.titleRows))]
          : []),
        ...(r.areasFromBoundaries != null
          ? [
              h("dt", {}, tr("areasFromBoundaries")),
              h("dd", { id: "wizard-areas-from-boundaries" }, num(r.areasFromBoundaries)),
            ]
          : []),
      ),
      figureCards(figures),
      r.rejected > 0
        ? h(
            "p",
            {},
            h(
              "a",
              {
                class: "button primary",
                id: alone ? "wizard-download-rejected" : null,
                href: `/api/v1/import/batches/${encodeURIComponent(r.batchId)}/rejected.csv`,
                download: `rejected-${r.batchId.slice(0, 8)}.csv`,
              },
              tr("downloadRejected"),
            ),
          )
        : null,
      h("h3", {}, tr("grouped")),
      r.groups.length === 0
        ? h("p", { class: "okmsg" }, tr("noIssues"))
        : table(
            [tr("code"), tr("errors"), tr("warnings"), tr("fields"), tr("example")],
            r.groups.map((g) => [
              h("code", {}, g.code),
              num(g.errors),
              num(g.warnings),
              g.fields.map(targetLabel).join("、") || "—",
              g.examples[0]?.message[lang] ?? "—",
            ]),
            { class: "compact", numeric: [1, 2] },
          ),
      r.unmappedValues
        ? unmappedView(r.unmappedValues.category ?? [], r.unmappedValues.department ?? [])
        : null,
      alone ? againNav() : null,
    );
  }

  main.replaceChildren(h("h1", {}, tr("title")), live, steps, body);
  go(1);
  main.dataset.ready = "import";
}
