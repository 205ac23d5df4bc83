import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { applyCase, type Case, newCase } from "../cases/case.ts";
import { retentionCutoffs } from "../cases/retention.ts";
import type { Clock, EpochMs } from "../domain/index.ts";
import { registryRepository } from "../store/registry-repository.ts";
import { applyRetention } from "../store/retention.ts";
import { serverRepository } from "../store/server-repository.ts";
import { describeOnEveryStore } from "../store/testing/every-store.ts";
import type { StoreTarget } from "../store/testing/stores.ts";
import type { Store } from "../store/types.ts";
import type { Role } from "./access.ts";
import { buildApp } from "./app.ts";
import { Auth } from "./auth.ts";
import { seedDemoRegistry } from "./demo-accounts.ts";
import { deploymentRepeatOverrides } from "./rules.ts";

/**
 * Case attachments (types by magic bytes, limit, hash, audited download, retention), the unit
 * and agency registry as the check on users and assignments, and the deployment's rule
 * settings, through the app object on both stores.
 */

const PASSWORD = "Correct-Horse-42";
const T0 = Date.UTC(2024, 5, 1, 2);
const DAY = 86_400_000;

class SimClock implements Clock {
  constructor(public at: number) {}
  now() {
    return this.at as EpochMs;
  }
}

const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);
const PDF = Buffer.from("%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n");
const EXE = Buffer.concat([Buffer.from("MZ"), Buffer.alloc(200, 0x90)]);

function suite(makeTarget: () => Promise<StoreTarget>) {
  let target: StoreTarget;
  let store: Store;
  let app: FastifyInstance;
  const clock = new SimClock(T0);
  const cookies: Record<string, string> = {};

  const users: readonly [string, Role, string | null, string | null, string | null][] = [
    ["city", "city_analyst", "city", "C", null],
    ["station1", "station_officer", "station", "S1", null],
    ["mediator", "agency_user", null, null, "MED1"],
    ["sysadmin", "system_admin", null, null, null],
    ["auditor", "auditor", null, null, null],
  ];

  beforeAll(async () => {
    target = await makeTarget();
    store = (await target.fresh()).store;
    const registry = registryRepository(store);
    for (const [code, level, parentCode] of [
      ["C", "city", null],
      ["B1", "branch", "C"],
      ["S1", "station", "B1"],
      ["A1", "area", "S1"],
      ["S3", "station", "B1"],
    ] as const)
      await registry.saveUnit({ code, name: `${code}单位`, level, parentCode }, T0);
    await registry.saveAgency({ code: "MED1", name: "春华调委会", kind: "mediation_committee" }, T0);
    await registry.saveAgency({ code: "H12345", name: "12345热线", kind: "hotline_12345" }, T0);
    const auth = new Auth(serverRepository(store), clock);
    for (const [username, role, unitLevel, unitCode, agencyCode] of users)
      await auth.createUser({
        username,
        displayName: username,
        password: PASSWORD,
        role,
        unitLevel: unitLevel as "city" | "station" | null,
        unitCode,
        agencyCode,
        mustChangePassword: false,
      });
    const draft = newCase({
      id: "c1",
      title: "楼上噪声",
      subject: {
        kind: "place",
        seriesId: null,
        locationKey: "k1",
        callerPseudonym: null,
        group: "noise",
        protective: false,
      },
      warning: "red",
      branchUnit: "B1",
      stationUnit: "S1",
      by: "seed",
      clock,
    });
    await serverRepository(store).createCase(
      applyCase(
        draft,
        1,
        { action: "assign", assignee: { kind: "agency", code: "MED1" }, owner: "x" },
        "seed",
        clock,
      ),
    );
    app = buildApp({
      store: () => store,
      status: () => ({ phase: "ready", detail: { zh: "", en: "" } }),
      version: "t",
      clock,
      loginsPerMinute: 10_000,
    });
    for (const [username] of users) {
      const r = await app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { username, password: PASSWORD },
      });
      cookies[username] = String(r.headers["set-cookie"] ?? "").split(";")[0] ?? "";
    }
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await target?.dispose();
  });

  const call = (actor: string, method: "GET" | "POST", url: string, payload?: object, lang = "zh-CN") =>
    app.inject({
      method,
      url,
      headers: { cookie: cookies[actor]!, "accept-language": lang },
      ...(payload ? { payload } : {}),
    });
  const upload = (actor: string, caseId: string, name: string, bytes: Buffer, lang = "zh-CN") =>
    app.inject({
      method: "POST",
      url: `/api/v1/cases/${caseId}/attachments?name=${encodeURIComponent(name)}`,
      headers: {
        cookie: cookies[actor]!,
        "content-type": "application/octet-stream",
        "accept-language": lang,
      },
      payload: bytes,
    });
  /** The audit row is written when the response has gone out: wait for it. */
  const lastAudit = async (action: string) => {
    for (let i = 0; i < 50; i++) {
      const found = (await serverRepository(store).auditEntries()).filter((e) => e.action === action).pop();
      if (found) return found;
      await new Promise((r) => setTimeout(r, 20));
    }
    return undefined;
  };
  const caseNow = async (id: string) => (await serverRepository(store).getCase(id, { kind: "all" }))!;

  describe("case attachments", () => {
    test("a photo and a PDF are kept with their type from the magic bytes, size and SHA-256", async () => {
      const png = await upload("station1", "c1", "现场照片.jpg", PNG);
      expect(png.statusCode).toBe(201);
      // Named .jpg, but the bytes are a PNG: the content decides.
      expect(png.json().attachment).toMatchObject({ ext: "png", mime: "image/png", size: PNG.length });
      expect(png.json().attachment.sha256).toBe(
        (await import("node:crypto")).createHash("sha256").update(PNG).digest("hex"),
      );
      clock.at += 60_000;
      const pdf = await upload("mediator", "c1", "调解协议.pdf", PDF);
      expect(pdf.statusCode).toBe(201);
      const list = (await call("city", "GET", "/api/v1/cases/c1/attachments")).json().attachments as {
        name: string;
        mime: string;
      }[];
      expect(list.map((a) => [a.name, a.mime])).toEqual([
        ["现场照片.jpg", "image/png"],
        ["调解协议.pdf", "application/pdf"],
      ]);
    });

    test("an executable renamed to .pdf, a text file and an empty file are refused with a clear message", async () => {
      const exe = await upload("station1", "c1", "协议.pdf", EXE);
      expect(exe.statusCode).toBe(415);
      expect(exe.json().error.message).toContain("附件只能是图片");
      expect(exe.json().error.message).toContain("exe");
      const text = await upload("station1", "c1", "notes.txt", Buffer.from("hello"), "en");
      expect(text.statusCode).toBe(415);
      expect(text.json().error.message).toMatch(/must be images .*PDF or office documents/);
      expect((await upload("station1", "c1", "x.pdf", Buffer.alloc(0))).statusCode).toBe(400);
    });

    test("a file over the 10 MB limit is refused with its size in the message", async () => {
      const big = Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024 + 10)]);
      const r = await upload("station1", "c1", "big.pdf", big, "en");
      expect(r.statusCode).toBe(413);
      expect(r.json().error.message).toContain("at most 10 MB");
    });

    test("a download returns the same bytes and is audited with the attachment id", async () => {
      const { attachment } = (await upload("city", "c1", "图.png", PNG)).json();
      const got = await call("mediator", "GET", `/api/v1/cases/c1/attachments/${attachment.id}`);
      expect(got.statusCode).toBe(200);
      expect(got.headers["content-type"]).toBe("image/png");
      expect(got.headers["content-disposition"]).toContain(encodeURIComponent("图.png"));
      expect(got.rawPayload.equals(PNG)).toBe(true);
      const download = await lastAudit("case.attachment.download");
      const entries = await serverRepository(store).auditEntries();
      expect(download).toMatchObject({ target: "c1", outcome: "ok", detail: { attachment: attachment.id } });
      expect(JSON.stringify(entries)).not.toContain("图.png");
    });

    test("retention removes the files and names of cases closed long ago; the record stays", async () => {
      const { attachment } = (await upload("city", "c1", "协议扫描.pdf", PDF)).json();
      let c = await caseNow("c1");
      for (const command of [
        { action: "start" },
        { action: "resolve", resolution: "mediated" },
        { action: "verify", days: 30 },
        { action: "close_effective" },
      ] as const) {
        const r = await call("city", "POST", "/api/v1/cases/c1/actions", { version: c.version, command });
        expect(r.statusCode).toBe(200);
        c = r.json().case as Case;
      }
      const policy = { callerDays: 365, narrativeDays: 1095, auditDays: 1095, attachmentDays: 365 };
      // A year minus a day after closing: kept.
      let result = await applyRetention(store, retentionCutoffs(policy, T0 + 364 * DAY), T0 + 364 * DAY);
      expect(result.attachmentsRemoved).toBe(0);
      result = await applyRetention(store, retentionCutoffs(policy, T0 + 366 * DAY), T0 + 366 * DAY);
      expect(result.attachmentsRemoved).toBe(4);
      const gone = await call("city", "GET", `/api/v1/cases/c1/attachments/${attachment.id}`);
      expect(gone.statusCode).toBe(410);
      const list = (await call("city", "GET", "/api/v1/cases/c1/attachments")).json().attachments;
      expect(list).toHaveLength(4);
      expect(
        list.every(
          (a: { name: string | null; deletedAt: number | null }) => a.name === null && a.deletedAt !== null,
        ),
      ).toBe(true);
    });
  });

  describe("the registry checks users and assignments", () => {
    let made = 0;
    const newUser = (
      unitLevel: string | null,
      unitCode: string | null,
      role = "station_officer",
      agencyCode: string | null = null,
    ) =>
      call("sysadmin", "POST", "/api/v1/users", {
        username: `user${++made}`,
        displayName: "新用户",
        password: "Initial-Pass-2024",
        role,
        unitLevel,
        unitCode,
        agencyCode,
      });

    test("a user's unit must be registered, active and of the stated level", async () => {
      expect((await newUser("station", "S1")).statusCode).toBe(201);
      const unknown = await newUser("station", "S9");
      expect(unknown.statusCode).toBe(422);
      expect(unknown.json().error).toMatchObject({ code: "unknown_unit" });
      expect(unknown.json().error.message).toContain("S9 未登记");
      expect((await newUser("branch", "S1")).json().error.code).toBe("unit_level_mismatch");
      expect((await newUser(null, null)).json().error.code).toBe("unit_required");
      expect((await newUser(null, null, "agency_user", "NOPE")).json().error.code).toBe("unknown_agency");
      expect((await newUser(null, null, "agency_user", "H12345")).statusCode).toBe(201);
    });

    test("a deactivated unit takes no new users or cases; a unit with active users or sub-units stays", async () => {
      expect((await call("sysadmin", "POST", "/api/v1/units/S1/deactivate")).json().error.code).toBe(
        "has_active_children",
      );
      expect((await call("sysadmin", "POST", "/api/v1/units/A1/deactivate")).statusCode).toBe(200);
      expect((await call("sysadmin", "POST", "/api/v1/units/S1/deactivate")).json().error.code).toBe(
        "has_active_users",
      );
      expect((await newUser("area", "A1")).json().error.code).toBe("inactive_unit");
      const draft = await call("city", "POST", "/api/v1/cases", {
        title: "新案件",
        subject: {
          kind: "place",
          seriesId: null,
          locationKey: "k2",
          callerPseudonym: null,
          group: "noise",
          protective: false,
        },
        warning: "red",
        branchUnit: "B1",
        stationUnit: "S1",
      });
      const { id, version } = draft.json().case as Case;
      const assign = (kind: "unit" | "agency", code: string) =>
        call("city", "POST", `/api/v1/cases/${id}/actions`, {
          version,
          command: { action: "assign", assignee: { kind, code }, owner: "张警官" },
        });
      expect((await assign("unit", "A1")).json().error.code).toBe("inactive_unit");
      expect((await assign("agency", "NOPE")).json().error.code).toBe("unknown_agency");
      await call("sysadmin", "POST", "/api/v1/agencies/H12345/deactivate");
      expect((await assign("agency", "H12345")).json().error.code).toBe("inactive_agency");
      expect((await call("sysadmin", "POST", "/api/v1/units/A1/activate")).statusCode).toBe(200);
      expect((await assign("unit", "A1")).statusCode).toBe(200);
    });

    test("a unit's urban or suburban setting is kept and can be changed", async () => {
      const save = (setting: string | null) =>
        call("sysadmin", "POST", "/api/v1/units", {
          code: "S3",
          name: "溪口派出所",
          level: "station",
          parentCode: "B1",
          setting,
        });
      expect((await save("suburban")).json().unit).toMatchObject({ setting: "suburban", active: true });
      expect((await save("rural")).statusCode).toBe(400);
      expect((await registryRepository(store).unit("S3"))?.setting).toBe("suburban");
    });
  });

  describe("rule settings", () => {
    test("saved repeat rules and deadlines are what the engines and case assignment use", async () => {
      const saved = await call("city", "POST", "/api/v1/rules", {
        repeat: { groups: { noise: { minEvents: 4, windowDays: 21 } }, slaHours: { red: 12 } },
      });
      expect(saved.statusCode).toBe(200);
      expect(saved.json().effective.groups.find((g: { name: string }) => g.name === "noise")).toMatchObject({
        minEvents: 4,
        windowDays: 21,
      });
      const overrides = await deploymentRepeatOverrides(store);
      expect(overrides.definitions?.groups.find((g) => g.name === "noise")).toMatchObject({
        minEvents: 4,
        windowDays: 21,
      });
      expect(overrides.definitions?.groups.find((g) => g.name === "labour")?.minEvents).toBe(3);
      const c = (
        await call("city", "POST", "/api/v1/cases", {
          title: "SLA",
          subject: {
            kind: "place",
            seriesId: null,
            locationKey: "k3",
            callerPseudonym: null,
            group: "noise",
            protective: false,
          },
          warning: "red",
          branchUnit: "B1",
          stationUnit: "S1",
        })
      ).json().case as Case;
      const assigned = await call("city", "POST", `/api/v1/cases/${c.id}/actions`, {
        version: c.version,
        command: { action: "assign", assignee: { kind: "unit", code: "S1" }, owner: "张警官" },
      });
      expect(assigned.json().case.deadline).toBe(clock.at + 12 * 3_600_000);
      expect(await lastAudit("rules.save")).toMatchObject({ outcome: "ok", detail: { sections: "repeat" } });
    });

    test("rules that make no sense are refused with the field named", async () => {
      const bad = await call("city", "POST", "/api/v1/rules", {
        repeat: { surpriseScores: { yellow: 5, orange: 4 } },
      });
      expect(bad.statusCode).toBe(422);
      expect(bad.json().error.message).toContain("黄 < 橙 < 红");
      const unknown = await call("city", "POST", "/api/v1/rules", {
        repeat: { groups: { gossip: { minEvents: 3 } } },
      });
      expect(unknown.json().error.code).toBe("unknown_group");
      const tooSmall = await call(
        "city",
        "POST",
        "/api/v1/rules",
        { repeat: { groups: { noise: { minEvents: 1 } } } },
        "en",
      );
      expect(tooSmall.statusCode).toBe(400);
      expect(tooSmall.json().error.message).toContain("groups.noise.minEvents");
      const quality = await call("city", "POST", "/api/v1/rules", {
        quality: { timeliness: { arriveWithinMin: -3 } },
      });
      expect(quality.statusCode).toBe(422);
      const good = await call("city", "POST", "/api/v1/rules", {
        quality: { timeliness: { arriveWithinMin: 45 } },
      });
      expect(good.json().effective.quality.timeliness.arriveWithinMin).toBe(45);
      expect(await store.settings.get("quality-config")).toBe('{"timeliness":{"arriveWithinMin":45}}');
    });
  });

  test("the demo registry holds the demo city's units with the incidents' codes, and agencies", async () => {
    const fresh = (await target.fresh()).store;
    try {
      await seedDemoRegistry(fresh, clock);
      const registry = registryRepository(fresh);
      const units = await registry.units();
      expect(units.find((u) => u.code === "city")).toMatchObject({ level: "city", parentCode: null });
      expect(units.find((u) => u.code === "澜东分局")).toMatchObject({ level: "branch", setting: "urban" });
      expect(units.find((u) => u.code === "春华派出所")).toMatchObject({
        level: "station",
        parentCode: "澜东分局",
      });
      expect(units.find((u) => u.code === "青岚县公安局")?.setting).toBe("suburban");
      expect(units.filter((u) => u.level === "area").length).toBeGreaterThan(20);
      expect((await registry.agency("mediation"))?.kind).toBe("mediation_committee");
      await seedDemoRegistry(fresh, clock);
      expect((await registry.units()).length).toBe(units.length);
    } finally {
      await fresh.close();
    }
  });
}

await describeOnEveryStore("cases, attachments and registry", suite);
