import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Clock, EpochMs } from "../domain/index.ts";
import { SYNTH_HEADER, synthMonth } from "../ingest/testing/files.ts";
import { zip } from "../ingest/testing/zip.ts";
import { serverRepository } from "../store/server-repository.ts";
import { describeOnEveryStore } from "../store/testing/every-store.ts";
import type { StoreTarget } from "../store/testing/stores.ts";
import type { Store } from "../store/types.ts";
import { buildApp } from "./app.ts";
import { createUsers, logIn, requestAs } from "./testing.ts";

/**
 * The import wizard's uploads of several files: a .zip or .gz unpacked on the server, files added
 * to one upload, a dry run per file with totals, an import of one batch per file in name order.
 */

const SECRET_DIR = mkdtempSync(join(tmpdir(), "recur-uploads-secret-"));
afterAll(() => rmSync(SECRET_DIR, { recursive: true, force: true }));
const T0 = Date.UTC(2025, 0, 10, 2);
let now = T0;
const clock: Clock = { now: () => now as EpochMs };
const SYNTHETIC = { kind: "bundled", name: "synthetic" } as const;

await describeOnEveryStore(
  "import wizard uploads of several files",
  (makeTarget: () => Promise<StoreTarget>) => {
    let target: StoreTarget;
    let store: Store;
    let app: FastifyInstance;
    const cookies: Record<string, string> = {};

    beforeAll(async () => {
      target = await makeTarget();
      store = (await target.fresh()).store;
      await createUsers(store, clock, [["analyst", "city_analyst"]]);
      app = buildApp({
        store: () => store,
        status: () => ({ phase: "ready", detail: { zh: "", en: "" } }),
        version: "t",
        clock,
        loginsPerMinute: 10_000,
        secretPath: join(SECRET_DIR, `recur-${target.dialect}.secret`),
      });
      Object.assign(cookies, await logIn(app, ["analyst"]));
    });
    afterAll(async () => {
      await app?.close();
      await store?.close();
      await target?.dispose();
    });

    const call = (...args: Parameters<ReturnType<typeof requestAs>>) => requestAs(app, cookies)(...args);
    const send = (url: string, body: Buffer, lang = "zh-CN") =>
      app.inject({
        method: "POST",
        url,
        headers: {
          cookie: cookies.analyst!,
          "content-type": "application/octet-stream",
          "accept-language": lang,
        },
        payload: body,
      });
    const upload = (name: string, body: Buffer, lang?: string) =>
      send(`/api/v1/import/uploads?name=${encodeURIComponent(name)}`, body, lang);
    const add = (id: string, name: string, body: Buffer, lang?: string) =>
      send(`/api/v1/import/uploads/${id}/files?name=${encodeURIComponent(name)}`, body, lang);
    const dryRun = async (id: string) =>
      (await call("analyst", "POST", `/api/v1/import/uploads/${id}/validate`, { source: SYNTHETIC })).json();
    const importAll = async (id: string) => {
      const started = await call("analyst", "POST", `/api/v1/import/uploads/${id}/import`, {
        source: SYNTHETIC,
      });
      expect(started.statusCode).toBe(202);
      let job = (await call("analyst", "GET", `/api/v1/import/jobs/${id}`)).json();
      for (let i = 0; i < 400 && job.state === "running"; i++) {
        await new Promise((r) => setTimeout(r, 25));
        job = (await call("analyst", "GET", `/api/v1/import/jobs/${id}`)).json();
      }
      return job;
    };
    const names = (files: { name: string }[]) => files.map((f) => f.name);

    test("a zip of two months is listed in name order (2024-9 before 2024-10), checked per file and imported one batch each", async () => {
      const archive = zip([
        { name: "2024-10.csv", data: synthMonth("Z", 2024, 10, 3) },
        { name: "说明.md", data: Buffer.from("# 导出说明") },
        { name: "2024-9.csv", data: synthMonth("Z", 2024, 9, 2) },
      ]);
      const r = await upload("警情2024.zip", archive);
      expect(r.statusCode).toBe(201);
      const p = r.json();
      expect(names(p.files)).toEqual(["警情2024.zip:2024-9.csv", "警情2024.zip:2024-10.csv"]);
      expect(p.files[0].size).toBe(synthMonth("Z", 2024, 9, 2).length);
      expect(p.file).toBe("警情2024.zip:2024-9.csv");
      expect(p.skipped).toEqual(["警情2024.zip:说明.md"]);
      expect(p.header).toEqual(SYNTH_HEADER.split(","));

      const dry = await dryRun(p.uploadId);
      expect(dry).toMatchObject({ rows: 5, valid: 5, rejected: 0, failedFiles: 0, rowsPerFile: 500 });
      expect(dry.files.map((f: { name: string; rows: number }) => [f.name, f.rows])).toEqual([
        ["警情2024.zip:2024-9.csv", 2],
        ["警情2024.zip:2024-10.csv", 3],
      ]);
      expect(await store.incidents.count()).toBe(0);

      const batchesBefore = (await store.batches.list()).length;
      const job = await importAll(p.uploadId);
      expect(job.state).toBe("done");
      expect(job).toMatchObject({ file: 2, fileCount: 2, report: null });
      expect(job.files.map((f: { state: string }) => f.state)).toEqual(["done", "done"]);
      expect(job.files.map((f: { report: { rows: number } }) => f.report.rows)).toEqual([2, 3]);
      expect(job.totals).toMatchObject({ files: 2, doneFiles: 2, failedFiles: 0, rows: 5, imported: 5 });
      const batches = await store.batches.list();
      expect(batches.length).toBe(batchesBefore + 2);
      const ids = job.files.map((f: { batchId: string }) => f.batchId);
      expect(new Set(ids).size).toBe(2);
      for (const id of ids) expect(batches.some((b) => b.id === id)).toBe(true);
      // September's batch was made first: the files are imported in name order.
      const september = await store.incidents.get("synthetic-110", "Z2024090001");
      const october = await store.incidents.get("synthetic-110", "Z2024100001");
      expect(september?.batchId).toBe(ids[0]);
      expect(october?.batchId).toBe(ids[1]);
      // One audit entry for the job, naming every batch.
      const audit = (await serverRepository(store).auditEntries({ limit: 5000 })).filter(
        (a) => a.action === "data.import",
      );
      expect(JSON.stringify(audit.at(-1) ?? audit[0])).toContain(ids[1]);
    });

    test("a .csv.gz is read as the CSV it holds", async () => {
      const r = await upload("2024-05.csv.gz", gzipSync(synthMonth("G", 2024, 5, 4)));
      expect(r.statusCode).toBe(201);
      expect(names(r.json().files)).toEqual(["2024-05.csv.gz:2024-05.csv"]);
      const job = await importAll(r.json().uploadId);
      expect(job.state).toBe("done");
      // One file: its report as before, and the same in `files`.
      expect(job.report).toMatchObject({ rows: 4, imported: 4, file: "2024-05.csv" });
      expect(job.totals).toMatchObject({ files: 1, imported: 4 });
    });

    test.each([
      [
        "encrypted",
        zip([{ name: "2024-05.csv", data: synthMonth("E", 2024, 5, 1), flags: 0x1 }]),
        "archive_encrypted",
        "已加密",
        "encrypted",
      ],
      [
        "damaged",
        zip([{ name: "2024-05.csv", data: synthMonth("D", 2024, 5, 1) }]).subarray(0, 60),
        "archive_invalid",
        "已损坏",
        "damaged",
      ],
      [
        "without exports",
        zip([{ name: "readme.md", data: Buffer.from("x") }]),
        "no_files_in_archive",
        "没有",
        "holds no file",
      ],
    ])(
      "a zip %s is refused with a 400 naming why, in Chinese and English",
      async (_kind, body, code, zh, en) => {
        const before = readdirSync(tmpdir()).filter((d) => d.startsWith("recur-unpack-")).length;
        const r = await upload("2024.zip", body);
        expect(r.statusCode).toBe(400);
        expect(r.json().error.code).toBe(code);
        expect(r.json().error.message).toContain(zh);
        const english = await upload("2024.zip", body, "en");
        expect(english.json().error.message).toContain(en);
        // Nothing is left unpacked (other test files may unpack at the same time: not more than before).
        expect(readdirSync(tmpdir()).filter((d) => d.startsWith("recur-unpack-")).length).toBeLessThanOrEqual(
          before,
        );
      },
    );

    test("files picked together become one upload, in name order, the preview read from the first", async () => {
      const first = await upload("2023-10.csv", synthMonth("M", 2023, 10, 2));
      expect(first.statusCode).toBe(201);
      const id = first.json().uploadId;
      const second = await add(id, "2023-9.csv", synthMonth("M", 2023, 9, 1));
      expect(second.statusCode).toBe(200);
      expect(second.json()).toMatchObject({ uploadId: id, file: "2023-9.csv" });
      // A zip added to the upload adds what it holds.
      const third = await add(
        id,
        "autumn.zip",
        zip([{ name: "2023-11.csv", data: synthMonth("M", 2023, 11, 3) }]),
      );
      expect(third.statusCode).toBe(200);
      expect(names(third.json().files)).toEqual(["2023-9.csv", "2023-10.csv", "autumn.zip:2023-11.csv"]);
      expect((await add(id, "notes.pdf", Buffer.from("x"))).json().error.code).toBe("bad_file");
      const dry = await dryRun(id);
      expect(dry.files.map((f: { rows: number }) => f.rows)).toEqual([1, 2, 3]);
      expect(dry.rows).toBe(6);
      const before = await store.incidents.count();
      const job = await importAll(id);
      expect(job.totals).toMatchObject({ doneFiles: 3, imported: 6 });
      expect(await store.incidents.count()).toBe(before + 6);
      // Once imported, nothing can be added.
      expect((await add(id, "2023-12.csv", synthMonth("M", 2023, 12, 1))).statusCode).toBe(409);
    });

    test("a file that cannot be read is listed with its reason; the others are checked and imported", async () => {
      const id = (await upload("2022-01.csv", synthMonth("F", 2022, 1, 2))).json().uploadId;
      await add(id, "2022-02.csv", Buffer.from("编号,时间\nA1,2022-02-01\n"));
      await add(id, "2022-03.csv", synthMonth("F", 2022, 3, 3));
      const dry = await dryRun(id);
      expect(dry.failedFiles).toBe(1);
      expect(dry.files[1]).toMatchObject({ name: "2022-02.csv", rows: 0 });
      expect(dry.files[1].error.code).toBeTruthy();
      expect(dry.files[1].error.message).toContain("接警单号");
      expect(dry).toMatchObject({ rows: 5, valid: 5 });
      const before = await store.incidents.count();
      const job = await importAll(id);
      expect(job.state).toBe("done");
      expect(job.files.map((f: { state: string }) => f.state)).toEqual(["done", "failed", "done"]);
      expect(job.files[1].error.message).toContain("接警单号");
      expect(job.totals).toMatchObject({ doneFiles: 2, failedFiles: 1, imported: 5 });
      expect(await store.incidents.count()).toBe(before + 5);
    });

    test("when no file can be imported the job fails and may be tried again", async () => {
      const id = (await upload("x-1.csv", Buffer.from("编号,时间\nA1,2022-02-01\n"))).json().uploadId;
      await add(id, "x-2.csv", Buffer.from("编号,时间\nA2,2022-02-02\n"));
      const job = await importAll(id);
      expect(job.state).toBe("failed");
      expect(job.error.code).toBe("all_files_failed");
      expect(job.files.every((f: { state: string }) => f.state === "failed")).toBe(true);
      const again = await call("analyst", "POST", `/api/v1/import/uploads/${id}/import`, {
        source: SYNTHETIC,
      });
      expect(again.statusCode).toBe(202);
    });

    test("the size limit counts every file of an upload together", async () => {
      const one = synthMonth("S", 2021, 1, 3);
      // Room for two of these files, not three.
      process.env.RECUR_UPLOAD_MAX_MB = String((one.length * 2.5) / 1048576);
      const small = buildApp({
        store: () => store,
        status: () => ({ phase: "ready", detail: { zh: "", en: "" } }),
        version: "t",
        clock,
        secretPath: join(SECRET_DIR, `recur-${target.dialect}.secret`),
      });
      delete process.env.RECUR_UPLOAD_MAX_MB;
      try {
        const post = (url: string, body: Buffer) =>
          small.inject({
            method: "POST",
            url,
            headers: { cookie: cookies.analyst!, "content-type": "application/octet-stream" },
            payload: body,
          });
        const r = await post("/api/v1/import/uploads?name=2021-1.csv", one);
        expect(r.statusCode).toBe(201);
        const id = r.json().uploadId;
        expect((await post(`/api/v1/import/uploads/${id}/files?name=2021-2.csv`, one)).statusCode).toBe(200);
        const third = await post(`/api/v1/import/uploads/${id}/files?name=2021-3.csv`, one);
        expect(third.statusCode).toBe(413);
        expect(third.json().error.code).toBe("file_too_large");
      } finally {
        await small.close();
      }
    });

    test("unpacked files live as long as the upload: removed after its import, and when it expires", async () => {
      const own = mkdtempSync(join(tmpdir(), "recur-uploads-tmp-"));
      const saved = process.env.TMPDIR;
      process.env.TMPDIR = own;
      const unpacked = () => readdirSync(own).filter((d) => d.startsWith("recur-unpack-"));
      try {
        const archive = zip([
          { name: "a-1.csv", data: synthMonth("T", 2020, 1, 1) },
          { name: "a-2.csv", data: synthMonth("T", 2020, 2, 1) },
        ]);
        const id = (await upload("a.zip", archive)).json().uploadId;
        expect(unpacked()).toHaveLength(1);
        expect((await importAll(id)).state).toBe("done");
        for (let i = 0; i < 100 && unpacked().length > 0; i++) await new Promise((r) => setTimeout(r, 10));
        expect(unpacked()).toHaveLength(0);

        const waiting = (await upload("b.zip", archive)).json().uploadId;
        expect(unpacked()).toHaveLength(1);
        // Past its time (2 hours), the next upload sweeps it away with its unpacked files.
        now += 2 * 3600_000 + 1;
        Object.assign(cookies, await logIn(app, ["analyst"]));
        const next = await upload("c.csv", synthMonth("T", 2020, 3, 1));
        expect(next.statusCode).toBe(201);
        expect(unpacked()).toHaveLength(0);
        expect(
          (await call("analyst", "POST", `/api/v1/import/uploads/${waiting}/validate`, { source: SYNTHETIC }))
            .statusCode,
        ).toBe(404);
        expect(existsSync(own)).toBe(true);
      } finally {
        if (saved === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = saved;
        rmSync(own, { recursive: true, force: true });
      }
    });
  },
);
