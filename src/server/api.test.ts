import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { makeIncident } from "../../test/builders.ts";
import { applyCase, type Case, newCase } from "../cases/case.ts";
import { asBatchId, asUnitCode, type Clock, type EpochMs, type UnitLevel } from "../domain/index.ts";
import { encryptField, loadOrCreateSecret } from "../ingest/privacy/index.ts";
import { openReview, type ReviewLevel } from "../quality/review.ts";
import { qualityRepository } from "../store/quality-repository.ts";
import { registryRepository } from "../store/registry-repository.ts";
import { serverRepository } from "../store/server-repository.ts";
import { describeOnEveryStore } from "../store/testing/every-store.ts";
import type { StoreTarget } from "../store/testing/stores.ts";
import type { Store } from "../store/types.ts";
import type { Role } from "./access.ts";
import { buildApp } from "./app.ts";
import { Auth } from "./auth.ts";
import { auditVerification } from "./routes.ts";

/**
 * The server through its app object (no port), on both stores: the authorization matrix
 * (every endpoint × every role × own and foreign jurisdiction), lockout, timeouts, disabled
 * users, concurrent case changes and the audit chain.
 */

const PASSWORD = "Correct-Horse-42";
const CALLER_NUMBER = "13800138000";
// The deployment secret of these tests, in a temp folder (never ./recur.secret).
const SECRET_DIR = mkdtempSync(join(tmpdir(), "recur-api-secret-"));
const SECRET_PATH = join(SECRET_DIR, "recur.secret");
afterAll(() => rmSync(SECRET_DIR, { recursive: true, force: true }));
const T0 = Date.UTC(2024, 5, 1, 2);

class SimClock implements Clock {
  constructor(public at: number) {}
  now() {
    return this.at as EpochMs;
  }
}

interface Actor {
  readonly username: string;
  readonly role: Role;
  readonly unitLevel: UnitLevel | null;
  readonly unitCode: string | null;
  readonly agencyCode: string | null;
  /** Whether case "c1" (B1/S1, referred to agency MED1) is inside this actor's scope. */
  readonly ownsC1: boolean;
  /** Whether case "c2" (B2/S2, referred to agency OTHER) is inside this actor's scope. */
  readonly ownsC2: boolean;
}

const ACTORS: readonly Actor[] = [
  {
    username: "city",
    role: "city_analyst",
    unitLevel: "city",
    unitCode: "C",
    agencyCode: null,
    ownsC1: true,
    ownsC2: true,
  },
  {
    username: "branch1",
    role: "branch_supervisor",
    unitLevel: "branch",
    unitCode: "B1",
    agencyCode: null,
    ownsC1: true,
    ownsC2: false,
  },
  {
    username: "station1",
    role: "station_officer",
    unitLevel: "station",
    unitCode: "S1",
    agencyCode: null,
    ownsC1: true,
    ownsC2: false,
  },
  {
    username: "mediator",
    role: "agency_user",
    unitLevel: null,
    unitCode: null,
    agencyCode: "MED1",
    ownsC1: true,
    ownsC2: false,
  },
  {
    username: "auditor",
    role: "auditor",
    unitLevel: "city",
    unitCode: "C",
    agencyCode: null,
    ownsC1: false,
    ownsC2: false,
  },
  {
    username: "sysadmin",
    role: "system_admin",
    unitLevel: "city",
    unitCode: "C",
    agencyCode: null,
    ownsC1: false,
    ownsC2: false,
  },
  {
    username: "secadmin",
    role: "security_admin",
    unitLevel: "city",
    unitCode: "C",
    agencyCode: null,
    ownsC1: false,
    ownsC2: false,
  },
];

async function seed(store: Store, clock: Clock) {
  const repo = serverRepository(store);
  const { encKey } = await loadOrCreateSecret(SECRET_PATH);
  const callerNumberEnc = encryptField(CALLER_NUMBER, encKey);
  const auth = new Auth(repo, clock);
  const registry = registryRepository(store);
  for (const [code, level, parentCode] of [
    ["C", "city", null],
    ["B1", "branch", "C"],
    ["S1", "station", "B1"],
    ["B2", "branch", "C"],
    ["S2", "station", "B2"],
  ] as const)
    await registry.saveUnit({ code, name: `${code}单位`, level, parentCode }, T0);
  for (const code of ["MED1", "OTHER"])
    await registry.saveAgency({ code, name: `${code}调委会`, kind: "mediation_committee" }, T0);
  const ids: Record<string, string> = {};
  for (const a of ACTORS) {
    const user = await auth.createUser({
      username: a.username,
      displayName: a.username,
      password: PASSWORD,
      role: a.role,
      unitLevel: a.unitLevel,
      unitCode: a.unitCode,
      agencyCode: a.agencyCode,
      mustChangePassword: false,
    });
    ids[a.username] = user.id;
  }
  const make = (id: string, branch: string, station: string, agency: string): Case => {
    const draft = newCase({
      id,
      title: `case ${id}`,
      subject: {
        kind: "place",
        seriesId: null,
        locationKey: `k-${id}`,
        callerPseudonym: null,
        group: "noise",
        protective: false,
      },
      warning: "yellow",
      branchUnit: branch,
      stationUnit: station,
      by: "seed",
      clock,
    });
    return applyCase(
      draft,
      1,
      { action: "assign", assignee: { kind: "agency", code: agency }, owner: "x" },
      "seed",
      clock,
    );
  };
  await repo.createCase(make("c1", "B1", "S1", "MED1"));
  await repo.createCase(make("c2", "B2", "S2", "OTHER"));
  const writer = await store.beginBatch({
    id: asBatchId("b"),
    sourceSystem: "test",
    profile: "synthetic",
    fileName: "x.csv",
    fileSha256: "0".repeat(64),
    startedAt: T0,
  });
  await writer.insertIncidents([
    makeIncident({
      sourceId: "i1",
      callerNumberEnc,
      batchId: asBatchId("b"),
      branchUnit: asUnitCode("B1"),
      stationUnit: asUnitCode("S1"),
    }),
    makeIncident({
      sourceId: "i2",
      callerNumberEnc,
      batchId: asBatchId("b"),
      branchUnit: asUnitCode("B2"),
      stationUnit: asUnitCode("S2"),
    }),
  ]);
  await writer.commit({ rows: 2, imported: 2, rejected: 0, duplicates: 0, finishedAt: T0 });
  return ids;
}

async function login(app: FastifyInstance, username: string, password = PASSWORD) {
  const response = await app.inject({
    method: "POST",
    url: "/api/v1/auth/login",
    payload: { username, password },
  });
  const cookie = String(response.headers["set-cookie"] ?? "").split(";")[0] ?? "";
  return { response, cookie };
}

function serverSuite(makeTarget: () => Promise<StoreTarget>) {
  let target: StoreTarget;
  let store: Store;
  let app: FastifyInstance;
  let ids: Record<string, string>;
  const clock = new SimClock(T0);
  const cookies: Record<string, string> = {};

  beforeAll(async () => {
    target = await makeTarget();
    store = (await target.fresh()).store;
    ids = await seed(store, clock);
    app = buildApp({
      store: () => store,
      status: () => ({ phase: "ready", detail: { zh: "", en: "" } }),
      version: "t",
      clock,
      loginsPerMinute: 10_000,
      secretPath: SECRET_PATH,
    });
    for (const a of ACTORS) cookies[a.username] = (await login(app, a.username)).cookie;
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await target?.dispose();
  });

  const call = (actor: string, method: "GET" | "POST", url: string, payload?: object) =>
    app.inject({ method, url, headers: { cookie: cookies[actor]! }, ...(payload ? { payload } : {}) });

  describe("authorization matrix", () => {
    const allowed = (role: Role, roles: readonly Role[]) => roles.includes(role);
    const READ_DATA: readonly Role[] = ["city_analyst", "branch_supervisor", "station_officer"];
    const CASES: readonly Role[] = [...READ_DATA, "agency_user"];

    test.each(ACTORS)("$username ($role): incidents only inside the jurisdiction", async (a) => {
      const response = await call(a.username, "GET", "/api/v1/incidents");
      if (!allowed(a.role, READ_DATA)) return expect(response.statusCode).toBe(403);
      expect(response.statusCode).toBe(200);
      const seen = (response.json().incidents as { sourceId: string }[]).map((i) => i.sourceId).sort();
      expect(seen).toEqual(a.ownsC2 ? ["i1", "i2"] : ["i1"]);
      expect(JSON.stringify(response.json())).not.toContain("callerNumberEnc");
    });

    test.each(ACTORS)("$username ($role): case list and case reads only inside the scope", async (a) => {
      const list = await call(a.username, "GET", "/api/v1/cases");
      const one = await call(a.username, "GET", "/api/v1/cases/c1");
      const two = await call(a.username, "GET", "/api/v1/cases/c2");
      if (!allowed(a.role, CASES)) {
        for (const r of [list, one, two]) expect(r.statusCode).toBe(403);
        return;
      }
      const listed = (list.json().cases as Case[]).map((c) => c.id).sort();
      expect(listed).toEqual([...(a.ownsC1 ? ["c1"] : []), ...(a.ownsC2 ? ["c2"] : [])]);
      expect(one.statusCode).toBe(a.ownsC1 ? 200 : 404);
      expect(two.statusCode).toBe(a.ownsC2 ? 200 : 404);
    });

    test.each(ACTORS)("$username ($role): case changes only inside the scope", async (a) => {
      const record = (id: string, version: number) =>
        call(a.username, "POST", `/api/v1/cases/${id}/actions`, {
          version,
          command: { action: "record", kind: "note", text: `note by ${a.username}` },
        });
      const current = async (id: string) => serverRepository(store).getCase(id, { kind: "all" });
      const before2 = await current("c2");
      const r2 = await record("c2", before2!.version);
      if (!allowed(a.role, CASES)) expect(r2.statusCode).toBe(403);
      else expect(r2.statusCode).toBe(a.ownsC2 ? 200 : 404);
      if (!a.ownsC2) expect((await current("c2"))!.version).toBe(before2!.version);
      const before1 = await current("c1");
      const r1 = await record("c1", before1!.version);
      expect(r1.statusCode).toBe(allowed(a.role, CASES) ? 200 : 403);
    });

    test.each(ACTORS)("$username ($role): creating cases only in the own jurisdiction", async (a) => {
      const body = (branch: string, station: string) => ({
        title: "新案件",
        subject: {
          kind: "place",
          seriesId: null,
          locationKey: "k",
          callerPseudonym: null,
          group: "noise",
          protective: false,
        },
        warning: "blue",
        branchUnit: branch,
        stationUnit: station,
      });
      const own = await call(a.username, "POST", "/api/v1/cases", body("B1", "S1"));
      const foreign = await call(a.username, "POST", "/api/v1/cases", body("B2", "S2"));
      const mayCreate = allowed(a.role, READ_DATA);
      expect(own.statusCode).toBe(mayCreate ? 201 : 403);
      expect(foreign.statusCode).toBe(!mayCreate ? 403 : a.ownsC2 ? 201 : 403);
    });

    test.each(ACTORS)(
      "$username ($role): users, unlocking and the audit log follow separation of duties",
      async (a) => {
        expect((await call(a.username, "GET", "/api/v1/users")).statusCode).toBe(
          a.role === "system_admin" ? 200 : 403,
        );
        expect((await call(a.username, "POST", `/api/v1/users/${ids.city}/unlock`)).statusCode).toBe(
          a.role === "security_admin" ? 200 : 403,
        );
        expect((await call(a.username, "GET", "/api/v1/audit")).statusCode).toBe(
          a.role === "auditor" ? 200 : 403,
        );
        expect((await call(a.username, "GET", "/api/v1/audit/verify")).statusCode).toBe(
          a.role === "auditor" ? 200 : 403,
        );
        const created = await call(a.username, "POST", "/api/v1/users", {
          username: `new-${a.username}`,
          displayName: "新用户",
          password: "Initial-Pass-2024",
          role: "station_officer",
          unitLevel: "station",
          unitCode: "S1",
          agencyCode: null,
        });
        expect(created.statusCode).toBe(a.role === "system_admin" ? 201 : 403);
      },
    );

    test.each(ACTORS)("$username ($role): import wizard and mapping profiles", async (a) => {
      const headers = { cookie: cookies[a.username]! };
      const importer = a.role === "city_analyst";
      const curator = a.role === "city_analyst" || a.role === "system_admin";
      const upload = await app.inject({
        method: "POST",
        url: "/api/v1/import/uploads?name=x.csv",
        headers: { ...headers, "content-type": "application/octet-stream" },
        payload: Buffer.from("报警时间,发生地址\n2024-05-01 08:00:00,幸福路1号\n"),
      });
      expect(upload.statusCode).toBe(importer ? 201 : 403);
      const id = importer ? upload.json().uploadId : "none";
      const dry = await call(a.username, "POST", `/api/v1/import/uploads/${id}/validate`, {
        source: { kind: "bundled", name: "synthetic" },
      });
      expect(dry.statusCode).toBe(importer ? 422 : 403);
      expect((await call(a.username, "GET", `/api/v1/import/jobs/${id}`)).statusCode).toBe(
        importer ? 404 : 403,
      );
      expect((await call(a.username, "GET", "/api/v1/import/batches/b/rejected.csv")).statusCode).toBe(
        importer ? 200 : 403,
      );
      expect((await call(a.username, "GET", "/api/v1/profiles")).statusCode).toBe(curator ? 200 : 403);
      expect((await call(a.username, "POST", "/api/v1/profiles", { profile: {} })).statusCode).toBe(
        curator ? 400 : 403,
      );
      const removed = await app.inject({ method: "DELETE", url: "/api/v1/profiles/none", headers });
      expect(removed.statusCode).toBe(curator ? 404 : 403);
    });

    test.each(ACTORS)(
      "$username ($role): a kept caller number is revealed only with a reason and inside the scope",
      async (a) => {
        const reveal = (id: string, reason: string) =>
          call(a.username, "POST", `/api/v1/incidents/${encodeURIComponent(id)}/reveal`, { reason });
        const own = await reveal("test:i1", "回访报警人核实处置结果");
        const foreign = await reveal("test:i2", "回访报警人核实处置结果");
        if (!allowed(a.role, READ_DATA)) {
          expect([own.statusCode, foreign.statusCode]).toEqual([403, 403]);
          return;
        }
        expect(own.statusCode).toBe(200);
        expect(own.json().number).toBe(CALLER_NUMBER);
        expect(foreign.statusCode).toBe(a.ownsC2 ? 200 : 404);
        expect((await reveal("test:i1", "看看")).statusCode).toBe(400);
      },
    );

    test("the system admin registers units top down and partner agencies; others may only read them", async () => {
      const unit = (actor: string, code: string, level: string, parentCode: string | null) =>
        call(actor, "POST", "/api/v1/units", { code, name: `${code}单位`, level, parentCode });
      // C, B1 and S1 are registered by the seed (an update answers 200), A1 is new.
      expect((await unit("sysadmin", "C", "city", null)).statusCode).toBe(200);
      expect((await unit("sysadmin", "B1", "branch", "C")).statusCode).toBe(200);
      expect((await unit("sysadmin", "S1", "station", "B1")).statusCode).toBe(200);
      expect((await unit("sysadmin", "A1", "area", "S1")).statusCode).toBe(201);
      expect((await unit("sysadmin", "S9", "station", "C")).statusCode).toBe(422);
      expect((await unit("sysadmin", "C2", "city", "C")).statusCode).toBe(422);
      for (const other of ["city", "branch1", "station1", "auditor", "secadmin"])
        expect((await unit(other, "B7", "branch", "C")).statusCode).toBe(403);
      const agency = (actor: string, kind: string) =>
        call(actor, "POST", "/api/v1/agencies", { code: "MED1", name: "春华街道人民调解委员会", kind });
      expect((await agency("sysadmin", "mediation_committee")).statusCode).toBe(200);
      expect((await agency("sysadmin", "secret_police")).statusCode).toBe(400);
      expect((await agency("city", "mediation_committee")).statusCode).toBe(403);
      const units = (await call("station1", "GET", "/api/v1/units")).json().units as { code: string }[];
      expect(units.map((u) => u.code)).toEqual(["A1", "B1", "B2", "C", "S1", "S2"]);
      expect((await call("branch1", "GET", "/api/v1/agencies")).json().agencies).toEqual([
        { code: "MED1", name: "春华街道人民调解委员会", kind: "mediation_committee", active: true },
        { code: "OTHER", name: "OTHER调委会", kind: "mediation_committee", active: true },
      ]);
    });

    test.each(ACTORS)("$username ($role): case attachments only on cases inside the scope", async (a) => {
      const pdf = Buffer.from(`%PDF-1.4\n% by ${a.username}\n%%EOF\n`);
      const upload = (id: string) =>
        app.inject({
          method: "POST",
          url: `/api/v1/cases/${id}/attachments?name=${encodeURIComponent("协议.pdf")}`,
          headers: { cookie: cookies[a.username]!, "content-type": "application/octet-stream" },
          payload: pdf,
        });
      const own = await upload("c1");
      const foreign = await upload("c2");
      const ownList = await call(a.username, "GET", "/api/v1/cases/c1/attachments");
      const foreignList = await call(a.username, "GET", "/api/v1/cases/c2/attachments");
      if (!allowed(a.role, CASES)) {
        for (const r of [own, foreign, ownList, foreignList]) expect(r.statusCode).toBe(403);
        return;
      }
      expect(own.statusCode).toBe(201);
      expect(foreign.statusCode).toBe(a.ownsC2 ? 201 : 404);
      expect(ownList.statusCode).toBe(200);
      expect(foreignList.statusCode).toBe(a.ownsC2 ? 200 : 404);
      const mine = own.json().attachment as { id: string };
      const got = await call(a.username, "GET", `/api/v1/cases/c1/attachments/${mine.id}`);
      expect(got.statusCode).toBe(200);
      expect(got.rawPayload.equals(pdf)).toBe(true);
      // Another case's id in the URL never reaches this case's files.
      expect((await call(a.username, "GET", `/api/v1/cases/c2/attachments/${mine.id}`)).statusCode).toBe(404);
    });

    test.each(ACTORS)("$username ($role): outcome checks only of cases inside the scope", async (a) => {
      const own = await call(a.username, "GET", "/api/v1/cases/c1/outcome");
      const foreign = await call(a.username, "GET", "/api/v1/cases/c2/outcome");
      const summary = await call(a.username, "GET", "/api/v1/outcomes");
      if (!allowed(a.role, CASES)) {
        for (const r of [own, foreign, summary]) expect(r.statusCode).toBe(403);
        return;
      }
      expect(own.statusCode).toBe(200);
      expect(foreign.statusCode).toBe(a.ownsC2 ? 200 : 404);
      expect(summary.statusCode).toBe(200);
    });

    test.each(ACTORS)(
      "$username ($role): the unit and agency lists and the map boundaries are open to every logged-in user",
      async (a) => {
        expect((await call(a.username, "GET", "/api/v1/units")).statusCode).toBe(200);
        expect((await call(a.username, "GET", "/api/v1/agencies")).statusCode).toBe(200);
        // Past the session check for every role: 404 because no RECUR_BOUNDARIES file is set here.
        expect((await call(a.username, "GET", "/api/v1/dashboard/boundaries")).statusCode).toBe(404);
      },
    );

    test.each(ACTORS)(
      "$username ($role): rule settings for city analysts and system admins only",
      async (a) => {
        const view = await call(a.username, "GET", "/api/v1/rules");
        const save = await call(a.username, "POST", "/api/v1/rules", { repeat: { slaHours: { red: 12 } } });
        const may = a.role === "city_analyst" || a.role === "system_admin";
        expect(view.statusCode).toBe(may ? 200 : 403);
        expect(save.statusCode).toBe(may ? 200 : 403);
      },
    );

    test.each(ACTORS)(
      "$username ($role): only the system admin deactivates units and agencies",
      async (a) => {
        const calls = [
          await call(a.username, "POST", "/api/v1/units/S2/deactivate"),
          await call(a.username, "POST", "/api/v1/units/S2/activate"),
          await call(a.username, "POST", "/api/v1/agencies/OTHER/deactivate"),
          await call(a.username, "POST", "/api/v1/agencies/OTHER/activate"),
        ];
        for (const r of calls) expect(r.statusCode).toBe(a.role === "system_admin" ? 200 : 403);
      },
    );

    test("without a session every protected endpoint answers 401", async () => {
      for (const url of ["/api/v1/incidents", "/api/v1/cases", "/api/v1/users", "/api/v1/audit"])
        expect((await app.inject({ url })).statusCode).toBe(401);
    });
  });

  describe("quality and review: every endpoint × role × own and foreign jurisdiction", () => {
    const QUALITY: readonly Role[] = ["city_analyst", "branch_supervisor", "station_officer"];
    const allowed = (role: Role, roles: readonly Role[]) => roles.includes(role);
    const issue = { code: "missing_disposition", severity: "error", field: "disposition" } as const;
    beforeAll(async () => {
      const repo = qualityRepository(store);
      await repo.saveResults(
        ["test:i1", "test:i2"].map((incidentId) => ({ incidentId, score: 85, issues: [issue] })),
        T0,
      );
      const item = (level: ReviewLevel, incident: string, reviewer: string, station: string) =>
        openReview({
          id: `${level}-${incident}`,
          incidentId: `test:${incident}`,
          level,
          reviewer,
          station,
          at: T0,
          by: "seed",
        });
      await repo.openReviews([
        item("city", "i1", "C", "S1"),
        item("city", "i2", "C", "S2"),
        item("branch", "i1", "B1", "S1"),
        item("branch", "i2", "B2", "S2"),
        item("station", "i1", "S1", "S1"),
        item("station", "i2", "S2", "S2"),
      ]);
    });
    const range = { from: "2024-04-01", to: "2024-06-01" };

    test.each(ACTORS)(
      "$username ($role): scorecards, issues and review lists only of the jurisdiction",
      async (a) => {
        const cards = await call(a.username, "GET", "/api/v1/quality/scorecards?level=station");
        const own = await call(a.username, "GET", "/api/v1/quality/incidents/test%3Ai1");
        const foreign = await call(a.username, "GET", "/api/v1/quality/incidents/test%3Ai2");
        const list = await call(a.username, "GET", "/api/v1/quality/reviews");
        const item = await call(a.username, "GET", "/api/v1/quality/reviews/branch-i2");
        const stats = await call(a.username, "GET", "/api/v1/quality/reviews/stats");
        if (!allowed(a.role, QUALITY)) {
          for (const r of [cards, own, foreign, list, item, stats]) expect(r.statusCode).toBe(403);
          return;
        }
        expect(cards.statusCode).toBe(200);
        const units = (cards.json().units as { unit: string; completeness: number }[])
          .map((u) => u.unit)
          .sort();
        expect(units).toEqual(a.ownsC2 ? ["S1", "S2"] : ["S1"]);
        expect(cards.json().units[0].completeness).toBe(0);
        expect(own.statusCode).toBe(200);
        expect(own.json().issues[0]).toMatchObject({ code: "missing_disposition", severity: "error" });
        expect(
          own
            .json()
            .reviews.map((r: { level: string }) => r.level)
            .sort(),
        ).toEqual(["branch", "city", "station"]);
        expect(JSON.stringify(own.json())).not.toMatch(/callerPseudonym|callerNumberEnc/);
        expect(foreign.statusCode).toBe(a.ownsC2 ? 200 : 404);
        const incidents = new Set((list.json().items as { incidentId: string }[]).map((i) => i.incidentId));
        expect([...incidents].sort()).toEqual(a.ownsC2 ? ["test:i1", "test:i2"] : ["test:i1"]);
        expect(item.statusCode).toBe(a.ownsC2 ? 200 : 404);
        expect(stats.statusCode).toBe(200);
        const level =
          a.role === "city_analyst" ? "city" : a.role === "branch_supervisor" ? "branch" : "station";
        if (level !== "city")
          expect((await call(a.username, "GET", "/api/v1/quality/scorecards?level=city")).statusCode).toBe(
            400,
          );
      },
    );

    test.each(ACTORS)(
      "$username ($role): verdicts only at the own level, inside the jurisdiction; rework needs a reason and goes back to the station",
      async (a) => {
        const verdict = (id: string, body: object) =>
          call(a.username, "POST", `/api/v1/quality/reviews/${id}/verdict`, body);
        const pass = { verdict: "pass" };
        if (!allowed(a.role, QUALITY)) {
          for (const id of ["city-i1", "branch-i1", "station-i1"])
            expect((await verdict(id, pass)).statusCode).toBe(403);
          expect(
            (await call(a.username, "POST", "/api/v1/quality/reviews/station-i1/resubmit", {})).statusCode,
          ).toBe(403);
          return;
        }
        if (a.role === "city_analyst") {
          expect((await verdict("city-i2", pass)).statusCode).toBe(200);
          expect((await verdict("city-i2", pass)).statusCode).toBe(409);
          // The verdict reaches the scorecards at once (no stale cached card).
          const cards = (await call(a.username, "GET", "/api/v1/quality/scorecards?level=station")).json();
          expect(cards.units.find((u: { unit: string }) => u.unit === "S2")).toMatchObject({
            reviewPassRate: 1,
            reviewed: 1,
          });
          expect((await verdict("branch-i1", pass)).statusCode).toBe(403);
          expect((await verdict("station-i1", pass)).statusCode).toBe(403);
        }
        if (a.role === "branch_supervisor") {
          expect((await verdict("branch-i2", pass)).statusCode).toBe(404);
          expect((await verdict("city-i1", pass)).statusCode).toBe(403);
          expect((await verdict("branch-i1", { verdict: "rework" })).statusCode).toBe(400);
          const rework = await verdict("branch-i1", { verdict: "rework", reason: "缺少处置结果" });
          expect(rework.statusCode).toBe(200);
          expect(rework.json().item).toMatchObject({ status: "rework", lastReason: "缺少处置结果" });
          expect(
            (await call(a.username, "POST", "/api/v1/quality/reviews/branch-i1/resubmit", {})).statusCode,
          ).toBe(403);
        }
        if (a.role === "station_officer") {
          expect((await verdict("station-i2", pass)).statusCode).toBe(404);
          expect((await verdict("branch-i1", pass)).statusCode).toBe(403);
          expect((await verdict("station-i1", pass)).statusCode).toBe(200);
          // The branch returned branch-i1 for rework: the station resubmits it, round 2, pending again.
          const resubmitted = await call(a.username, "POST", "/api/v1/quality/reviews/branch-i1/resubmit", {
            note: "已补录",
          });
          expect(resubmitted.json().item).toMatchObject({ status: "pending", round: 2 });
          expect(resubmitted.json().item.cycle.reworkHours).toHaveLength(1);
          expect(
            (await call(a.username, "POST", "/api/v1/quality/reviews/branch-i2/resubmit", {})).statusCode,
          ).toBe(404);
        }
      },
    );

    test.each(ACTORS)(
      "$username ($role): the city samples, a branch queues its own records, a station checks itself",
      async (a) => {
        const sample = await call(a.username, "POST", "/api/v1/quality/reviews/sample", {
          mode: "stratified",
          count: 1,
          seed: 7,
          ...range,
        });
        const ownQueue = await call(a.username, "POST", "/api/v1/quality/reviews/branch-queue", {
          branch: "B1",
          ...range,
        });
        const foreignQueue = await call(a.username, "POST", "/api/v1/quality/reviews/branch-queue", {
          branch: "B2",
          ...range,
        });
        const ownCheck = await call(a.username, "POST", "/api/v1/quality/reviews/self-check", {
          station: "S1",
          ...range,
        });
        const foreignCheck = await call(a.username, "POST", "/api/v1/quality/reviews/self-check", {
          station: "S2",
          ...range,
        });
        expect(sample.statusCode).toBe(a.role === "city_analyst" ? 201 : 403);
        if (a.role === "city_analyst") expect(sample.json()).toMatchObject({ level: "city", chosen: 2 });
        expect(ownQueue.statusCode).toBe(
          a.role === "city_analyst" || a.role === "branch_supervisor" ? 201 : 403,
        );
        expect(foreignQueue.statusCode).toBe(a.role === "city_analyst" ? 201 : 403);
        expect(ownCheck.statusCode).toBe(a.role === "station_officer" ? 201 : 403);
        if (a.role === "station_officer")
          expect(ownCheck.json()).toMatchObject({ level: "station", chosen: 1 });
        expect(foreignCheck.statusCode).toBe(403);
      },
    );

    test("only the city runs the quality check over the store; its results feed the scorecards", async () => {
      for (const a of ACTORS)
        if (a.role !== "city_analyst")
          expect((await call(a.username, "POST", "/api/v1/quality/run")).statusCode).toBe(403);
      expect((await call("city", "POST", "/api/v1/quality/run")).statusCode).toBe(202);
      let status = (await call("station1", "GET", "/api/v1/quality/run")).json();
      for (let i = 0; i < 200 && status.phase === "running"; i++) {
        await new Promise((r) => setTimeout(r, 25));
        status = (await call("station1", "GET", "/api/v1/quality/run")).json();
      }
      expect(status).toMatchObject({ phase: "done", done: 2, total: 2 });
      const cards = (await call("city", "GET", "/api/v1/quality/scorecards?level=branch")).json();
      expect(cards.units.map((u: { unit: string }) => u.unit).sort()).toEqual(["B1", "B2"]);
    });

    test("without a session the quality endpoints answer 401", async () => {
      for (const url of [
        "/api/v1/quality/scorecards",
        "/api/v1/quality/reviews",
        "/api/v1/quality/incidents/test%3Ai1",
      ])
        expect((await app.inject({ url })).statusCode).toBe(401);
    });
  });

  describe("sessions and lockout", () => {
    test("five failed logins within 15 minutes lock the account until a security admin unlocks it", async () => {
      for (let i = 0; i < 4; i++)
        expect((await login(app, "station1", "wrong")).response.statusCode).toBe(401);
      expect((await login(app, "station1", "wrong")).response.statusCode).toBe(423);
      expect((await login(app, "station1")).response.statusCode).toBe(423);
      expect((await call("secadmin", "POST", `/api/v1/users/${ids.station1}/unlock`)).statusCode).toBe(200);
      const again = await login(app, "station1");
      expect(again.response.statusCode).toBe(200);
      cookies.station1 = again.cookie;
    });

    test("failures spread over more than 15 minutes do not lock", async () => {
      for (let i = 0; i < 6; i++) {
        expect((await login(app, "branch1", "wrong")).response.statusCode).toBe(401);
        clock.at += 4 * 60_000;
      }
      const ok = await login(app, "branch1");
      expect(ok.response.statusCode).toBe(200);
      cookies.branch1 = ok.cookie;
    });

    test("more than the allowed logins per minute from one address are refused", async () => {
      const limited = buildApp({
        store: () => store,
        status: () => ({ phase: "ready", detail: { zh: "", en: "" } }),
        version: "t",
        clock,
        loginsPerMinute: 3,
      });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await login(limited, "auditor", "wrong")).response.statusCode);
      expect(statuses).toEqual([401, 401, 401, 429]);
      clock.at += 61_000;
      expect((await login(limited, "auditor")).response.statusCode).toBe(200);
      await limited.close();
    });

    test("a session ends after 30 idle minutes", async () => {
      const { cookie } = await login(app, "city");
      const get = () => app.inject({ url: "/api/v1/cases", headers: { cookie } });
      clock.at += 29 * 60_000;
      expect((await get()).statusCode).toBe(200);
      clock.at += 31 * 60_000;
      expect((await get()).statusCode).toBe(401);
    });

    test("disabling a user ends their sessions at once", async () => {
      cookies.sysadmin = (await login(app, "sysadmin")).cookie;
      const { cookie } = await login(app, "mediator");
      expect((await app.inject({ url: "/api/v1/cases", headers: { cookie } })).statusCode).toBe(200);
      expect((await call("sysadmin", "POST", `/api/v1/users/${ids.mediator}/disable`)).statusCode).toBe(200);
      expect((await app.inject({ url: "/api/v1/cases", headers: { cookie } })).statusCode).toBe(401);
      expect((await login(app, "mediator")).response.statusCode).toBe(403);
    });

    test("a new user must change the password before anything else", async () => {
      const { cookie } = await login(app, "new-sysadmin", "Initial-Pass-2024");
      const headers = { cookie };
      expect((await app.inject({ url: "/api/v1/cases", headers })).json().error.code).toBe(
        "password_change_required",
      );
      const weak = await app.inject({
        method: "POST",
        url: "/api/v1/auth/password",
        headers,
        payload: { oldPassword: "Initial-Pass-2024", newPassword: "short" },
      });
      expect(weak.statusCode).toBe(400);
      const changed = await app.inject({
        method: "POST",
        url: "/api/v1/auth/password",
        headers,
        payload: { oldPassword: "Initial-Pass-2024", newPassword: "A-much-better-pass-9" },
      });
      expect(changed.statusCode).toBe(200);
      expect((await app.inject({ url: "/api/v1/cases", headers })).statusCode).toBe(200);
    });
  });

  describe("cases and audit", () => {
    beforeAll(async () => {
      // The lockout and timeout tests moved the clock past the idle timeout: log in afresh.
      for (const a of ["city", "auditor"]) cookies[a] = (await login(app, a)).cookie;
    });

    test("of two simultaneous changes on one version, one wins and the other gets a conflict", async () => {
      const c = await serverRepository(store).getCase("c1", { kind: "all" });
      const change = (text: string) =>
        call("city", "POST", "/api/v1/cases/c1/actions", {
          version: c!.version,
          command: { action: "record", kind: "note", text },
        });
      const statuses = (await Promise.all([change("a"), change("b")])).map((r) => r.statusCode).sort();
      expect(statuses).toEqual([200, 409]);
    });

    test("an illegal transition is rejected with a message in the user's language", async () => {
      const c = await serverRepository(store).getCase("c1", { kind: "all" });
      const response = await app.inject({
        method: "POST",
        url: "/api/v1/cases/c1/actions",
        headers: { cookie: cookies.city!, "accept-language": "zh-CN" },
        payload: { version: c!.version, command: { action: "close_effective" } },
      });
      expect(response.statusCode).toBe(422);
      expect(response.json().error.message).toContain("不能执行");
    });

    test("views, changes and logins are audited, the chain verifies, and an edited row is caught", async () => {
      const verify = await call("auditor", "GET", "/api/v1/audit/verify");
      expect(verify.json()).toMatchObject({ ok: true });
      const entries = (await call("auditor", "GET", "/api/v1/audit")).json().entries as { action: string }[];
      const actions = new Set(entries.map((e) => e.action));
      for (const a of [
        "login",
        "case.view",
        "case.change",
        "cases.list",
        "incidents.list",
        "user.disable",
        "caller.reveal",
      ])
        expect(actions).toContain(a);
      const reveals = entries.filter((e) => e.action === "caller.reveal") as unknown as {
        detail: { reason?: string };
      }[];
      expect(reveals.some((e) => e.detail.reason === "回访报警人核实处置结果")).toBe(true);
      expect(JSON.stringify(entries)).not.toContain(CALLER_NUMBER);
      expect(JSON.stringify(entries)).not.toContain(PASSWORD);
      await store.db
        .withTables<{ audit_log: { seq: number; outcome: string } }>()
        .updateTable("audit_log")
        .set({ outcome: "ok" })
        .where("seq", "=", 2)
        .execute();
      await store.db
        .withTables<{ audit_log: { seq: number; actor: string } }>()
        .updateTable("audit_log")
        .set({ actor: "someone-else" })
        .where("seq", "=", 3)
        .execute();
      const after = await call("auditor", "GET", "/api/v1/audit/verify");
      expect(after.json()).toMatchObject({ ok: false });
      expect(after.json().problem.seq).toBeLessThanOrEqual(3);
    });

    test("deleting the newest audit rows is caught through the separately kept head", async () => {
      const fresh = (await target.fresh()).store;
      try {
        const repo = serverRepository(fresh);
        for (let i = 0; i < 5; i++)
          await repo.appendAudit({
            at: T0 + i,
            actor: "u",
            role: "auditor",
            ip: null,
            action: "view",
            target: `t${i}`,
            outcome: "ok",
            detail: { n: i },
          });
        expect(await auditVerification(repo)).toMatchObject({ ok: true, entries: 5 });
        await fresh.db
          .withTables<{ audit_log: { seq: number } }>()
          .deleteFrom("audit_log")
          .where("seq", ">=", 4)
          .execute();
        expect(await auditVerification(repo)).toMatchObject({
          ok: false,
          problem: { kind: "head_mismatch" },
        });
      } finally {
        await fresh.close();
      }
    });
  });
}

await describeOnEveryStore("server", serverSuite);
