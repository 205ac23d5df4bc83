import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import ExcelJS from "exceljs";
import type { FastifyInstance } from "fastify";
import iconv from "iconv-lite";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { asBatchId, type Clock, type EpochMs } from "../domain/index.ts";
import { SYNTH_HEADER, synthRow } from "../ingest/testing/files.ts";
import { serverRepository } from "../store/server-repository.ts";
import { describeOnEveryStore } from "../store/testing/every-store.ts";
import type { StoreTarget } from "../store/testing/stores.ts";
import type { Store } from "../store/types.ts";
import type { Role } from "./access.ts";
import { buildApp } from "./app.ts";
import { csvCell, headerRowOf, sniffDelimiter } from "./import-routes.ts";
import { createUsers, logIn, requestAs } from "./testing.ts";

const SECRET_DIR = mkdtempSync(join(tmpdir(), "recur-import-secret-"));
afterAll(() => rmSync(SECRET_DIR, { recursive: true, force: true }));
const T0 = Date.UTC(2025, 0, 10, 2);
const clock: Clock = { now: () => T0 as EpochMs };

/** A GBK export with headers no bundled profile knows, a bad time, a formula and a duplicate id. */
const HEADER = "警情编码,来电时间,到达现场时间,警情分类,事发地点,主叫号码,报警人姓名,报警内容,管辖单位";
const LINES = [
  "A001,2024/5/1 8:03,2024/5/1 8:20,邻里纠纷,幸福路1号3栋,13800138000,张三,邻居装修噪音太大 电话13912345678,城东派出所",
  "A002,2024/5/2 23:59,2024/5/3 0:20,盗窃,人民路8号,0571-88886666,李四,电动车被盗,城西派出所",
  'A003,不详,2024/5/3 0:20,盗窃,=HYPERLINK("http://x"),13800138001,王五,无,城西派出所',
  "A004,2024/5/4 10:00,,怪码Z9,解放路2号,,赵六,求助,城东派出所",
  // A001 again, its narrative corrected: merged into the first row (counted updated).
  "A001,2024/5/1 8:03,2024/5/1 8:20,邻里纠纷,幸福路1号3栋,13800138000,张三,重复行,城东派出所",
];
const GBK_CSV = iconv.encode(`${HEADER}\r\n${LINES.join("\r\n")}\r\n`, "gbk");

const MAPPING = {
  name: "wizard-110",
  sourceSystem: "wizard-110",
  timezone: "Asia/Shanghai",
  columns: {
    警情编码: "sourceId",
    来电时间: "receivedAt",
    到达现场时间: "arrivedAt",
    警情分类: "category",
    事发地点: "address",
    主叫号码: "caller",
    报警内容: "narrative",
    管辖单位: "station",
  },
  formats: { 来电时间: "YYYY/M/D H:mm", 到达现场时间: "YYYY/M/D H:mm" },
  categoryMap: { 邻里纠纷: "dispute.neighbour", 盗窃: "criminal.theft" },
};

await describeOnEveryStore("import wizard API", (makeTarget: () => Promise<StoreTarget>) => {
  let target: StoreTarget;
  let store: Store;
  let app: FastifyInstance;
  const cookies: Record<string, string> = {};
  const users: [string, Role][] = [
    ["analyst", "city_analyst"],
    ["analyst2", "city_analyst"],
    ["sysadmin", "system_admin"],
    ["station", "station_officer"],
    ["auditor", "auditor"],
  ];

  beforeAll(async () => {
    target = await makeTarget();
    store = (await target.fresh()).store;
    await createUsers(store, clock, users);
    app = buildApp({
      store: () => store,
      status: () => ({ phase: "ready", detail: { zh: "", en: "" } }),
      version: "t",
      clock,
      loginsPerMinute: 10_000,
      secretPath: join(SECRET_DIR, `recur-${target.dialect}.secret`),
    });
    Object.assign(
      cookies,
      await logIn(
        app,
        users.map(([name]) => name),
      ),
    );
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await target?.dispose();
  });

  const call = (...args: Parameters<ReturnType<typeof requestAs>>) => requestAs(app, cookies)(...args);
  const upload = (who: string, body: Buffer, name = "二〇二四年五月.csv") =>
    app.inject({
      method: "POST",
      url: `/api/v1/import/uploads?name=${encodeURIComponent(name)}`,
      headers: { cookie: cookies[who]!, "content-type": "application/octet-stream" },
      payload: body,
    });
  /** The audit row is written when the response has gone out: wait for it a little. */
  const audited = async (action: string) => {
    for (let i = 0; i < 50; i++) {
      if ((await auditActions()).includes(action)) return true;
      await new Promise((r) => setTimeout(r, 20));
    }
    return false;
  };
  const auditActions = async () =>
    (await serverRepository(store).auditEntries({ limit: 5000 })).map((a) => a.action);

  test("a GBK upload answers its encoding, columns, a masked preview and suggested mappings", async () => {
    const r = await upload("analyst", GBK_CSV);
    expect(r.statusCode).toBe(201);
    const p = r.json();
    expect(p.encoding).toBe("gb18030");
    expect(p.header).toEqual(HEADER.split(","));
    expect(p.rows).toHaveLength(5);
    const preview = JSON.stringify(p.rows);
    expect(preview).not.toContain("13800138000");
    expect(preview).not.toContain("13912345678");
    expect(preview).not.toContain("张三");
    expect(p.rows[0][6]).toBe("张＊＊");
    expect(p.rows[0][1]).toBe("2024/5/1 8:03");
    const targets = Object.fromEntries(
      p.suggestion.columns.map((c: { column: string; target: string | null }) => [c.column, c.target]),
    );
    expect(targets).toMatchObject({
      警情编码: "sourceId",
      来电时间: "receivedAt",
      主叫号码: "caller",
      管辖单位: "station",
      报警人姓名: null,
    });
    expect(p.codeLists.警情分类.map((v: { value: string }) => v.value)).toContain("盗窃");
    expect(await audited("import.upload")).toBe(true);
  });

  test("the staged file is read again with the encoding or delimiter the user picks", async () => {
    const { uploadId } = (await upload("analyst", GBK_CSV)).json();
    const asUtf8 = await call("analyst", "POST", `/api/v1/import/uploads/${uploadId}/preview`, {
      encoding: "utf8",
    });
    expect(asUtf8.statusCode).toBe(200);
    expect(asUtf8.json()).toMatchObject({ encoding: "utf8", encodingChoice: "utf8" });
    expect(asUtf8.json().header).not.toContain("警情编码");
    const bySemicolon = await call("analyst", "POST", `/api/v1/import/uploads/${uploadId}/preview`, {
      encoding: "auto",
      delimiter: ";",
    });
    expect(bySemicolon.json().header).toHaveLength(1);
    const back = await call("analyst", "POST", `/api/v1/import/uploads/${uploadId}/preview`, {
      delimiter: ",",
    });
    expect(back.json()).toMatchObject({ encoding: "gb18030", header: HEADER.split(",") });
    const bad = await call("analyst", "POST", `/api/v1/import/uploads/${uploadId}/preview`, {
      delimiter: "x",
    });
    expect(bad.statusCode).toBe(400);
  });

  test("a dry run validates a draft mapping with the real pipeline, per row and field, and stores nothing", async () => {
    const { uploadId } = (await upload("analyst", GBK_CSV)).json();
    const r = await call("analyst", "POST", `/api/v1/import/uploads/${uploadId}/validate`, {
      source: { kind: "mapping", mapping: MAPPING },
    });
    expect(r.statusCode).toBe(200);
    const v = r.json();
    // A001 written again with another narrative: merged into the first row, as the import does.
    expect(v).toMatchObject({ rows: 5, rejected: 1, valid: 4, duplicates: 0, updated: 1, stale: 0 });
    const bad = v.issues.find((i: { code: string }) => i.code === "bad_time");
    expect(bad).toMatchObject({ row: 3, field: "receivedAt", column: ["来电时间"], severity: "error" });
    expect(bad.message.zh).toContain("第3行，列“来电时间”（报警时间）：时间");
    expect(bad.message.en).toContain('row 3, column "来电时间" (time received): time');
    expect(
      v.issues.some((i: { code: string; row: number }) => i.code === "unmapped_category" && i.row === 4),
    ).toBe(true);
    expect(v.unmappedCategories).toEqual([{ value: "怪码Z9", count: 1 }]);
    expect(v.mapped[0]).toMatchObject({
      sourceId: "A001",
      category: "dispute",
      subtype: "neighbour",
      station: "城东派出所",
    });
    expect(v.mapped[0].narrative).toContain("〔手机号〕");
    expect(JSON.stringify(v)).not.toContain("13800138000");
    expect(v.profile.fields.receivedAt).toEqual({ column: "来电时间", format: "YYYY/M/D H:mm" });
    expect(await store.incidents.count()).toBe(0);
    expect(await audited("import.validate")).toBe(true);
  });

  test("a broken draft gets a 400 naming the bad key", async () => {
    const { uploadId } = (await upload("analyst", GBK_CSV)).json();
    const r = await call(
      "analyst",
      "POST",
      `/api/v1/import/uploads/${uploadId}/validate`,
      {
        source: { kind: "mapping", mapping: { ...MAPPING, timezone: "Mars/Olympus" } },
      },
      "en",
    );
    expect(r.statusCode).toBe(400);
    expect(r.json().error.message).toContain("timezone");
  });

  test("a profile is saved, used for the import, reported, and its rejected rows downloaded Excel-safe", async () => {
    const { uploadId } = (await upload("analyst", GBK_CSV)).json();
    const dry = (
      await call("analyst", "POST", `/api/v1/import/uploads/${uploadId}/validate`, {
        source: { kind: "mapping", mapping: MAPPING },
      })
    ).json();
    const saved = await call("analyst", "POST", "/api/v1/profiles", { profile: dry.profile });
    expect(saved.statusCode).toBe(201);
    const { id, version } = saved.json();
    expect(version).toBe(1);
    expect((await call("analyst", "POST", "/api/v1/profiles", { profile: dry.profile })).statusCode).toBe(
      409,
    );
    const list = (await call("sysadmin", "GET", "/api/v1/profiles")).json();
    expect(list.saved.map((p: { name: string }) => p.name)).toContain("wizard-110");
    expect(list.bundled.map((p: { name: string }) => p.name)).toContain("synthetic");

    const started = await call("analyst", "POST", `/api/v1/import/uploads/${uploadId}/import`, {
      source: { kind: "saved", id },
    });
    expect(started.statusCode).toBe(202);
    const { jobId, batchId } = started.json();
    let job = (await call("analyst", "GET", `/api/v1/import/jobs/${jobId}`)).json();
    for (let i = 0; i < 200 && job.state === "running"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      job = (await call("analyst", "GET", `/api/v1/import/jobs/${jobId}`)).json();
    }
    expect(job.state).toBe("done");
    expect(job.report).toMatchObject({
      rows: 5,
      imported: 3,
      rejected: 1,
      duplicates: 0,
      updated: 1,
      batchId,
    });
    const groups = Object.fromEntries(job.report.groups.map((g: { code: string }) => [g.code, g]));
    expect(groups.bad_time).toMatchObject({ errors: 1, fields: ["receivedAt"] });
    expect(groups.unmapped_category.warnings).toBe(1);
    expect(groups.bad_time.examples[0]).toMatchObject({ field: "receivedAt", column: ["来电时间"] });
    expect(job.report.unmappedValues).toEqual({ category: [{ value: "怪码Z9", count: 1 }], department: [] });
    expect(await store.incidents.count()).toBe(3);
    // The dispatch-time index is rebuilt in the background with the imported incidents.
    let indexed = -1;
    for (let i = 0; i < 200 && indexed !== 3; i++) {
      const status = (await call("analyst", "GET", "/api/v1/checks/status")).json();
      indexed = status.index.kind === "ready" ? status.index.incidents : -1;
      if (indexed !== 3) await new Promise((r) => setTimeout(r, 25));
    }
    expect(indexed).toBe(3);
    expect(
      (
        await call("analyst", "POST", `/api/v1/import/uploads/${uploadId}/import`, {
          source: { kind: "saved", id },
        })
      ).statusCode,
    ).toBe(409);

    const csv = await call("analyst", "GET", `/api/v1/import/batches/${batchId}/rejected.csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers["content-type"]).toContain("text/csv");
    const lines = csv.body
      .replace(/^\ufeff/, "")
      .trim()
      .split("\r\n");
    expect(lines[0]).toBe(`文件,行号,字段,问题代码,原因,${HEADER}`);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(",3,receivedAt,bad_time,");
    expect(lines[1]).toContain("列“来电时间”（报警时间）：时间");
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(lines[1]).toContain("王五");
    expect(await audited("data.import")).toBe(true);
    expect(await audited("import.rejected.export")).toBe(true);
    expect(await audited("profile.create")).toBe(true);
  });

  test("rows quarantined before issues named their columns are still listed, by the field's label", async () => {
    const batchId = asBatchId("old-batch");
    const writer = await store.beginBatch({
      id: batchId,
      sourceSystem: "old-110",
      profile: "old",
      fileName: "old.csv",
      fileSha256: "",
      startedAt: T0,
    });
    await writer.insertQuarantine([
      {
        batchId,
        file: "old.csv",
        row: 7,
        issues: [{ code: "missing_value", severity: "error", field: "receivedAt", file: "old.csv", row: 7 }],
        recordEnc: "not-a-record",
      },
      {
        batchId,
        file: "old.csv",
        row: 9,
        issues: [
          {
            code: "time_order",
            severity: "warning",
            field: "arrivedAt",
            file: "old.csv",
            row: 9,
            value: "15 min",
            params: { before: "dispatchedAt" },
          },
        ],
        recordEnc: "not-a-record",
      },
    ]);
    await writer.commit({ rows: 2, imported: 0, rejected: 2, duplicates: 0, finishedAt: T0 });
    const csv = (await call("analyst", "GET", `/api/v1/import/batches/${batchId}/rejected.csv`)).body;
    expect(csv).toContain("old.csv,7,receivedAt,missing_value,第7行，字段“报警时间”：值为空");
    expect(csv).toContain("第9行，字段“到场时间”：到场时间早于派警时间（15 分钟），已保留");
  });

  test("a value an issue quotes is masked in the dry run, the job's report, the quarantine and both rejected-row files; one stored unmasked before is masked when shown", async () => {
    const shifted =
      "A009,报警人电话13700001111,2024/5/1 8:20,邻里纠纷,幸福路1号3栋,13800138000,张三,无,城东派出所";
    const file = iconv.encode(`${HEADER}\r\n${LINES[0]}\r\n${shifted}\r\n`, "gbk");
    const { uploadId } = (await upload("analyst", file)).json();
    const source = { kind: "mapping", mapping: MAPPING };
    const dry = (
      await call("analyst", "POST", `/api/v1/import/uploads/${uploadId}/validate`, { source })
    ).json();
    const bad = dry.issues.find((i: { code: string }) => i.code === "bad_time");
    expect(bad).toMatchObject({ row: 2, value: "报警人电话〔手机号〕" });
    expect(bad.message.zh).toContain("时间“报警人电话〔手机号〕”");
    expect(JSON.stringify(dry.issues)).not.toContain("13700001111");

    const started = (
      await call("analyst", "POST", `/api/v1/import/uploads/${uploadId}/import`, { source })
    ).json();
    let job = (await call("analyst", "GET", `/api/v1/import/jobs/${started.jobId}`)).json();
    for (let i = 0; i < 200 && job.state === "running"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      job = (await call("analyst", "GET", `/api/v1/import/jobs/${started.jobId}`)).json();
    }
    expect(job).toMatchObject({ state: "done", report: { rejected: 1 } });
    expect(JSON.stringify(job.report)).not.toContain("13700001111");
    const [stored] = await store.quarantine.list(asBatchId(started.batchId));
    expect(stored?.issues[0]).toMatchObject({ code: "bad_time", value: "报警人电话〔手机号〕" });

    // An older import's quarantine: the quote as written.
    const oldBatch = asBatchId("old-unmasked");
    const writer = await store.beginBatch({
      id: oldBatch,
      sourceSystem: "old-110",
      profile: "old",
      fileName: "old.csv",
      fileSha256: "",
      startedAt: T0,
    });
    await writer.insertQuarantine([
      {
        batchId: oldBatch,
        file: "old.csv",
        row: 4,
        issues: [
          { code: "bad_time", severity: "error", field: "receivedAt", value: "报警人电话13700001111" },
          { code: "bad_phone", severity: "warning", field: "caller", value: "1370000111" },
        ],
        recordEnc: "not-a-record",
      },
    ]);
    await writer.commit({ rows: 1, imported: 0, rejected: 1, duplicates: 0, finishedAt: T0 });
    for (const url of [
      `/api/v1/import/batches/${oldBatch}/rejected.csv`,
      `/api/v1/dashboard/import/${oldBatch}/rejected.csv`,
    ]) {
      const csv = (await call("analyst", "GET", url)).body;
      expect(csv).toContain("报警人电话〔手机号〕");
      expect(csv).not.toContain("13700001111");
      expect(csv).not.toContain("1370000111");
    }
    // The importer's file of rejected rows holds the rows themselves (decrypted, audited); its reasons are masked.
    const mine = (await call("analyst", "GET", `/api/v1/import/batches/${started.batchId}/rejected.csv`))
      .body;
    expect(mine).toContain("时间“报警人电话〔手机号〕”");
    expect(mine).toContain(",报警人电话13700001111,");
  });

  test("the dashboard's upload quotes masked values in its report and its rejected rows", async () => {
    const csv = [
      SYNTH_HEADER,
      synthRow({ 接警单号: "U1" }),
      synthRow({ 接警单号: "U2", 报警时间: "报警人电话13700001111" }),
    ].join("\r\n");
    const r = await app.inject({
      method: "POST",
      url: "/api/v1/dashboard/import?profile=synthetic&name=upload.csv",
      headers: { cookie: cookies.analyst!, "content-type": "application/octet-stream" },
      payload: Buffer.from(csv),
    });
    expect(r.statusCode).toBe(200);
    const summary = r.json();
    expect(summary).toMatchObject({ rejected: 1 });
    expect(summary.sampleRejections[0]).toMatchObject({ code: "bad_time", value: "报警人电话〔手机号〕" });
    expect(summary.sampleRejections[0].message).toContain("报警人电话〔手机号〕");
    expect(r.body).not.toContain("13700001111");
    const rejected = (
      await call("analyst", "GET", `/api/v1/dashboard/import/${summary.batchId}/rejected.csv`)
    ).body;
    expect(rejected).toContain("报警人电话〔手机号〕");
    expect(rejected).not.toContain("13700001111");
  });

  test("an import that fails on its profile reports why and may be tried again with another", async () => {
    const { uploadId } = (await upload("analyst", GBK_CSV)).json();
    const wrong = await call("analyst", "POST", `/api/v1/import/uploads/${uploadId}/import`, {
      source: { kind: "bundled", name: "synthetic" },
    });
    expect(wrong.statusCode).toBe(202);
    const poll = async () => {
      let job = (await call("analyst", "GET", `/api/v1/import/jobs/${uploadId}`, undefined, "en")).json();
      for (let i = 0; i < 200 && job.state === "running"; i++) {
        await new Promise((r) => setTimeout(r, 50));
        job = (await call("analyst", "GET", `/api/v1/import/jobs/${uploadId}`, undefined, "en")).json();
      }
      return job;
    };
    const failed = await poll();
    expect(failed.state).toBe("failed");
    expect(failed.error.message).toContain("接警单号");
    const before = await store.incidents.count();
    const again = await call("analyst", "POST", `/api/v1/import/uploads/${uploadId}/import`, {
      source: { kind: "mapping", mapping: { ...MAPPING, name: "retry", sourceSystem: "retry-110" } },
    });
    expect(again.statusCode).toBe(202);
    const done = await poll();
    expect(done.state).toBe("done");
    expect(done.report.imported).toBe(3);
    expect(await store.incidents.count()).toBe(before + 3);
  });

  test("an upload over the size limit is refused before anything is staged", async () => {
    process.env.RECUR_UPLOAD_MAX_MB = "0.001";
    const small = buildApp({
      store: () => store,
      status: () => ({ phase: "ready", detail: { zh: "", en: "" } }),
      version: "t",
      clock,
    });
    delete process.env.RECUR_UPLOAD_MAX_MB;
    try {
      const r = await small.inject({
        method: "POST",
        url: "/api/v1/import/uploads?name=big.csv",
        headers: { cookie: cookies.analyst!, "content-type": "application/octet-stream" },
        payload: Buffer.alloc(4096, 0x41),
      });
      expect(r.statusCode).toBe(413);
      // Without a length header the stream is counted while it is written, and the file removed.
      const chunked = await small.inject({
        method: "POST",
        url: "/api/v1/import/uploads?name=big.csv",
        headers: { cookie: cookies.analyst!, "content-type": "application/octet-stream" },
        payload: Readable.from([Buffer.alloc(800, 0x41), Buffer.alloc(800, 0x42)]),
      });
      expect(chunked.statusCode).toBe(413);
      expect(chunked.json().error.code).toBe("file_too_large");
      const ok = await small.inject({
        method: "POST",
        url: "/api/v1/import/uploads?name=small.csv",
        headers: { cookie: cookies.analyst!, "content-type": "application/octet-stream" },
        payload: Buffer.from("报警时间\n2024-05-01 08:00:00\n"),
      });
      expect(ok.statusCode).toBe(201);
    } finally {
      await small.close();
    }
  });

  test("an XLSX with a notes sheet first: its sheets are listed and the data sheet can be chosen", async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet("说明 & notes").addRow(["本表由接处警系统导出"]);
    const data = wb.addWorksheet("警情");
    data.addRow(HEADER.split(","));
    for (const line of LINES.slice(0, 3)) data.addRow(line.split(","));
    const { uploadId, sheets, header } = (
      await upload("analyst", Buffer.from(await wb.xlsx.writeBuffer()), "two.xlsx")
    ).json();
    expect(sheets).toEqual(["说明 & notes", "警情"]);
    expect(header).toEqual(["本表由接处警系统导出"]);
    const chosen = await call("analyst", "POST", `/api/v1/import/uploads/${uploadId}/preview`, {
      sheet: "警情",
    });
    expect(chosen.json()).toMatchObject({ sheet: "警情", header: HEADER.split(",") });
    const dry = await call("analyst", "POST", `/api/v1/import/uploads/${uploadId}/validate`, {
      source: { kind: "mapping", mapping: { ...MAPPING, formats: {} } },
    });
    expect(dry.statusCode).toBe(200);
    expect(dry.json()).toMatchObject({ rows: 3 });
  });

  test("an XLSX whose first tab is hidden: the tab is not listed and the data sheet is read first", async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet("代码表", { state: "hidden" }).addRow(["代码", "名称"]);
    const data = wb.addWorksheet("警情");
    data.addRow(HEADER.split(","));
    for (const line of LINES.slice(0, 2)) data.addRow(line.split(","));
    const r = await upload("analyst", Buffer.from(await wb.xlsx.writeBuffer()), "hidden.xlsx");
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ sheets: ["警情"], header: HEADER.split(",") });
  });

  test("an XLSX upload is read like a CSV", async () => {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet("警情");
    sheet.addRow(HEADER.split(","));
    for (const line of LINES.slice(0, 2)) sheet.addRow(line.split(","));
    const bytes = Buffer.from(await wb.xlsx.writeBuffer());
    const r = await upload("analyst", bytes, "export.xlsx");
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ format: "xlsx", header: HEADER.split(",") });
    expect(r.json().rows).toHaveLength(2);
  });

  test("saved profiles are edited with a version check and deleted", async () => {
    const profile = {
      ...(await import("../../profiles/synthetic.json", { with: { type: "json" } })).default,
      name: "edit-me",
    };
    const created = (await call("sysadmin", "POST", "/api/v1/profiles", { profile })).json();
    const changed = await call("sysadmin", "PUT", `/api/v1/profiles/${created.id}`, {
      profile: { ...profile, timezone: "Asia/Urumqi" },
      version: 1,
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ version: 2, profile: { timezone: "Asia/Urumqi" } });
    const stale = await call("analyst", "PUT", `/api/v1/profiles/${created.id}`, { profile, version: 1 });
    expect(stale.statusCode).toBe(409);
    expect(
      (await call("sysadmin", "POST", "/api/v1/profiles", { profile: { ...profile, name: "synthetic" } }))
        .statusCode,
    ).toBe(409);
    const invalid = await call(
      "sysadmin",
      "POST",
      "/api/v1/profiles",
      { profile: { ...profile, name: "x", fields: {} } },
      "en",
    );
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.message).toContain("fields.receivedAt");
    expect((await call("sysadmin", "DELETE", `/api/v1/profiles/${created.id}`)).statusCode).toBe(200);
    expect((await call("sysadmin", "GET", `/api/v1/profiles/${created.id}`)).statusCode).toBe(404);
  });

  describe("who may do what", () => {
    test.each(users)(
      "%s (%s): uploads, dry runs and imports need data.import; profiles need profiles.manage",
      async (who, role) => {
        const importer = role === "city_analyst";
        const profiles = role === "city_analyst" || role === "system_admin";
        expect((await upload(who, GBK_CSV)).statusCode).toBe(importer ? 201 : 403);
        expect((await call(who, "GET", "/api/v1/profiles")).statusCode).toBe(profiles ? 200 : 403);
        expect((await call(who, "GET", "/api/v1/profiles/bundled/synthetic")).statusCode).toBe(
          profiles ? 200 : 403,
        );
        const probe = importer ? 404 : 403;
        expect(
          (
            await call(who, "POST", "/api/v1/import/uploads/nope/validate", {
              source: { kind: "bundled", name: "synthetic" },
            })
          ).statusCode,
        ).toBe(probe);
        expect((await call(who, "GET", "/api/v1/import/jobs/nope")).statusCode).toBe(probe);
        expect((await call(who, "GET", "/api/v1/import/batches/nope/rejected.csv")).statusCode).toBe(probe);
      },
    );

    test("a staged upload belongs to the person who uploaded it", async () => {
      const { uploadId } = (await upload("analyst", GBK_CSV)).json();
      const other = await call("analyst2", "POST", `/api/v1/import/uploads/${uploadId}/validate`, {
        source: { kind: "bundled", name: "synthetic" },
      });
      expect(other.statusCode).toBe(404);
      const anonymous = await app.inject({ method: "GET", url: `/api/v1/import/jobs/${uploadId}` });
      expect(anonymous.statusCode).toBe(401);
      const anonymousUpload = await app.inject({
        method: "POST",
        url: "/api/v1/import/uploads?name=x.csv",
        headers: { "content-type": "application/octet-stream" },
        payload: GBK_CSV,
      });
      expect(anonymousUpload.statusCode).toBe(401);
    });
  });

  /** The same export with a title over the sheet and the query that made it above the header. */
  const TITLED = [
    "2024年5月警情登记表,,,,,,,,",
    "查询条件：接警时间 2024-05-01 至 2024-05-31,,,,,,,,",
    ",,,,,,,,",
    HEADER,
    ...LINES.map((l) => l.replace(/^A00/, "T00")),
  ].join("\r\n");

  test("the preview finds the header below a title row and the query, and the user may choose another", async () => {
    const r = await upload("analyst", Buffer.from(`${TITLED}\r\n`, "utf8"), "五月登记表.csv");
    expect(r.statusCode).toBe(201);
    const p = r.json();
    // The row of empty cells is read as a row: the header is the fourth.
    expect(p.headerRow).toBe(4);
    expect(p.headerRowChoice).toBeNull();
    expect(p.header).toEqual(HEADER.split(","));
    expect(p.rows).toHaveLength(5);
    expect(p.rows[0][0]).toBe("T001");
    expect(p.headerCandidates[0]).toMatchObject({ row: 1, cells: 1, text: "2024年5月警情登记表" });
    expect(p.suggestion.columns.find((c: { column: string }) => c.column === "来电时间").target).toBe(
      "receivedAt",
    );
    const chosen = await call("analyst", "POST", `/api/v1/import/uploads/${p.uploadId}/preview`, {
      headerRow: 1,
    });
    expect(chosen.statusCode).toBe(200);
    expect(chosen.json()).toMatchObject({ headerRow: 1, headerRowChoice: 1 });
    expect(chosen.json().header[0]).toBe("2024年5月警情登记表");
    expect(chosen.json().rows[2][0]).toBe("警情编码");
    const distinct = await call("analyst", "POST", `/api/v1/import/uploads/${p.uploadId}/distinct`, {
      columns: ["警情分类"],
    });
    expect(distinct.statusCode).toBe(400);
    const back = await call("analyst", "POST", `/api/v1/import/uploads/${p.uploadId}/preview`, {
      headerRow: 4,
    });
    expect(back.json().header).toEqual(HEADER.split(","));
    const values = await call("analyst", "POST", `/api/v1/import/uploads/${p.uploadId}/distinct`, {
      columns: ["警情分类"],
    });
    expect(values.json().values.map((v: { value: string }) => v.value)).toContain("盗窃");
    const bad = await call("analyst", "POST", `/api/v1/import/uploads/${p.uploadId}/preview`, {
      headerRow: 31,
    });
    expect(bad.statusCode).toBe(400);
  });

  test("a tab-separated export with a title line alone above the header is read by tabs", async () => {
    const tabbed = [
      "2024年5月警情登记表",
      HEADER.replaceAll(",", "\t"),
      ...LINES.slice(0, 2).map((l) => l.replaceAll(",", "\t")),
    ].join("\r\n");
    const p = (await upload("analyst", Buffer.from(`${tabbed}\r\n`, "utf8"), "五月.txt")).json();
    expect(p.delimiter).toBe("\t");
    expect(p.headerRow).toBe(2);
    expect(p.header).toEqual(HEADER.split(","));
  });

  test("a mapping made on the found header dry-runs and imports the titled export, rows counted from the header", async () => {
    const { uploadId } = (await upload("analyst", Buffer.from(`${TITLED}\r\n`, "utf8"), "五月.csv")).json();
    const mapping = { ...MAPPING, name: "wizard-titled", sourceSystem: "wizard-titled" };
    const dry = (
      await call("analyst", "POST", `/api/v1/import/uploads/${uploadId}/validate`, {
        source: { kind: "mapping", mapping },
      })
    ).json();
    expect(dry).toMatchObject({ rows: 5, rejected: 1, valid: 4, duplicates: 0, updated: 1 });
    const bad = dry.issues.find((i: { code: string }) => i.code === "bad_time");
    expect(bad).toMatchObject({ row: 3, column: ["来电时间"] });
    expect(dry.unmappedDepartments).toEqual([]);
    // The department column's values no code list knows, with their counts over the rows tried.
    const byDepartment = (
      await call("analyst", "POST", `/api/v1/import/uploads/${uploadId}/validate`, {
        source: {
          kind: "mapping",
          mapping: { ...mapping, columns: { ...mapping.columns, 管辖单位: "department" } },
        },
      })
    ).json();
    expect(byDepartment.unmappedDepartments).toEqual([
      { value: "城东派出所", count: 3 },
      { value: "城西派出所", count: 2 },
    ]);
    const started = await call("analyst", "POST", `/api/v1/import/uploads/${uploadId}/import`, {
      source: { kind: "mapping", mapping },
    });
    expect(started.statusCode).toBe(202);
    const { jobId } = started.json();
    let job = (await call("analyst", "GET", `/api/v1/import/jobs/${jobId}`)).json();
    for (let i = 0; i < 200 && job.state === "running"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      job = (await call("analyst", "GET", `/api/v1/import/jobs/${jobId}`)).json();
    }
    expect(job.state).toBe("done");
    expect(job.report).toMatchObject({
      rows: 5,
      imported: 3,
      rejected: 1,
      duplicates: 0,
      updated: 1,
      titleRows: 3,
    });
  });

  test("a later export of stored calls: the dry run and the report count the rows that update them", async () => {
    const mapping = { ...MAPPING, name: "later-110", sourceSystem: "later-110" };
    const csv = (lines: string[]) => iconv.encode(`${HEADER}\r\n${lines.join("\r\n")}\r\n`, "gbk");
    const run = async (body: Buffer) => {
      const { uploadId } = (await upload("analyst", body, "later.csv")).json();
      const dry = (
        await call("analyst", "POST", `/api/v1/import/uploads/${uploadId}/validate`, {
          source: { kind: "mapping", mapping },
        })
      ).json();
      const { jobId } = (
        await call("analyst", "POST", `/api/v1/import/uploads/${uploadId}/import`, {
          source: { kind: "mapping", mapping },
        })
      ).json();
      let job = (await call("analyst", "GET", `/api/v1/import/jobs/${jobId}`)).json();
      for (let i = 0; i < 200 && job.state === "running"; i++) {
        await new Promise((r) => setTimeout(r, 50));
        job = (await call("analyst", "GET", `/api/v1/import/jobs/${jobId}`)).json();
      }
      expect(job.state).toBe("done");
      return { dry, report: job.report };
    };
    // The first export: B001 not yet arrived.
    await run(csv(["B001,2024/5/1 8:03,,邻里纠纷,幸福路1号3栋,,张三,噪音,城东派出所"]));
    const later = await run(
      csv([
        "B001,2024/5/1 8:03,2024/5/1 8:20,邻里纠纷,幸福路1号3栋,,张三,噪音,城东派出所",
        "B002,2024/5/2 9:00,2024/5/2 9:15,盗窃,人民路8号,,李四,电动车被盗,城西派出所",
      ]),
    );
    expect(later.dry).toMatchObject({ rows: 2, duplicates: 0, updated: 1, stale: 0 });
    expect(later.report).toMatchObject({ rows: 2, imported: 1, updated: 1, stale: 0, duplicates: 0 });
    expect((await store.incidents.get("later-110", "B001"))?.arrivedAt).toBe(Date.UTC(2024, 4, 1, 0, 20));
    // A stored call twice in one file, corrected twice: the import merges both rows, one after the
    // other, and the dry run counts them as the import does.
    const twice = await run(
      csv([
        "B002,2024/5/2 9:00,2024/5/2 9:15,盗窃,人民路8号,,李四,电动车被盗，已立案,城西派出所",
        "B002,2024/5/2 9:00,2024/5/2 9:15,盗窃,人民路8号,,李四,电动车被盗，已找回,城西派出所",
      ]),
    );
    expect(twice.report).toMatchObject({ rows: 2, imported: 0, updated: 2, duplicates: 0 });
    expect(twice.dry).toMatchObject({ rows: 2, updated: 2, duplicates: 0 });
    expect((await store.incidents.get("later-110", "B002"))?.narrative).toBe("电动车被盗，已找回");
    // Calls new in the file, written again in it: with an arrival (updated), the same row again
    // (duplicate), without the arrival and recoded (stale). The dry run counts as the import does.
    const repeated = await run(
      csv([
        "C001,2024/5/3 9:00,,邻里纠纷,幸福路1号3栋,,张三,噪音,城东派出所",
        "C002,2024/5/3 9:30,2024/5/3 9:42,盗窃,人民路8号,,李四,电动车被盗,城西派出所",
        "C001,2024/5/3 9:00,2024/5/3 9:14,邻里纠纷,幸福路1号3栋,,张三,噪音,城东派出所",
        "C001,2024/5/3 9:00,2024/5/3 9:14,邻里纠纷,幸福路1号3栋,,张三,噪音,城东派出所",
        "C002,2024/5/3 9:30,,邻里纠纷,人民路8号,,李四,电动车被盗,城西派出所",
      ]),
    );
    const counts = { rows: 5, updated: 1, stale: 1, duplicates: 1 };
    expect(repeated.report).toMatchObject({ ...counts, imported: 2 });
    expect(repeated.dry).toMatchObject(counts);
    expect(await store.incidents.get("later-110", "C001")).toMatchObject({
      arrivedAt: Date.UTC(2024, 4, 3, 1, 14),
    });
    expect(await store.incidents.get("later-110", "C002")).toMatchObject({ category: "criminal" });
  });
});

describe("helpers", () => {
  test.each([
    ["=1+1", "'=1+1"],
    ["+86 138", "'+86 138"],
    ["-5", "'-5"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tx", "'\tx"],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["普通", "普通"],
  ])("csvCell(%j) is %j", (input, output) => {
    expect(csvCell(input)).toBe(output);
  });

  test.each([
    [
      "a header on the first row",
      [
        ["编号", "时间", "地点"],
        ["A1", "2024/5/1 8:00", "红星路1号"],
      ],
      0,
    ],
    [
      "a title over the sheet and a query",
      [
        ["2024年5月警情登记表"],
        ["查询条件：2024-05-01 至 2024-05-31"],
        ["编号", "时间", "地点"],
        ["A1", "8:00", "红星路1号"],
      ],
      2,
    ],
    [
      "a row of numbers, then the header",
      [
        ["", "2024", "5"],
        ["编号", "时间", "地点"],
        ["A1", "8:00", "x"],
      ],
      1,
    ],
    [
      "a row with a repeated text is not a header",
      [
        ["合计", "合计", "合计"],
        ["编号", "时间", "地点"],
        ["A1", "8:00", "x"],
      ],
      1,
    ],
    ["no row qualifies: the first", [["x"], ["y"]], 0],
  ])("headerRowOf: %s", (_name, rows, index) => {
    expect(headerRowOf(rows)).toBe(index);
  });

  test("the delimiter is sniffed from the header line", () => {
    expect(sniffDelimiter("a;b;c")).toBe(";");
    expect(sniffDelimiter("a\tb\tc")).toBe("\t");
    expect(sniffDelimiter("a,b;c,d")).toBe(",");
  });
});
