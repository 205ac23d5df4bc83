import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Clock, EpochMs } from "../domain/index.ts";
import { serverRepository } from "../store/server-repository.ts";
import { describeOnEveryStore } from "../store/testing/every-store.ts";
import type { StoreTarget } from "../store/testing/stores.ts";
import type { Store } from "../store/types.ts";
import { buildApp } from "./app.ts";
import { base32, totpCode } from "./auth.ts";
import { createUsers, TEST_PASSWORD } from "./testing.ts";

/** TOTP enrolment, login with a second factor and its removal, with a simulated clock, on both stores. */

const PASSWORD = TEST_PASSWORD;
const T0 = Date.UTC(2024, 5, 1, 2);

class SimClock implements Clock {
  constructor(public at: number) {}
  now() {
    return this.at as EpochMs;
  }
}

function fromBase32(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of text) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

test("base32 follows RFC 4648 (test vectors, no padding)", () => {
  expect(base32(Buffer.from("foobar"))).toBe("MZXW6YTBOI");
  expect(base32(Buffer.from("f"))).toBe("MY");
  expect(fromBase32("MZXW6YTBOI").toString()).toBe("foobar");
});

function totpSuite(makeTarget: () => Promise<StoreTarget>) {
  let target: StoreTarget;
  let store: Store;
  let app: FastifyInstance;
  let dir: string;
  const ids: Record<string, string> = {};
  const clock = new SimClock(T0);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "recur-totp-"));
    target = await makeTarget();
    store = (await target.fresh()).store;
    Object.assign(
      ids,
      await createUsers(store, clock, [
        ["alice", "station_officer"],
        ["secadmin", "security_admin"],
        ["sysadmin", "system_admin"],
      ]),
    );
    app = buildApp({
      store: () => store,
      status: () => ({ phase: "ready", detail: { zh: "", en: "" } }),
      version: "t",
      clock,
      loginsPerMinute: 10_000,
      secretPath: join(dir, "recur.secret"),
    });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await target?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const login = async (username: string, totp?: string) => {
    const response = await app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      headers: { "accept-language": "en" },
      payload: { username, password: PASSWORD, ...(totp ? { totp } : {}) },
    });
    return { response, cookie: String(response.headers["set-cookie"] ?? "").split(";")[0] ?? "" };
  };
  const post = (cookie: string, url: string, payload: object = {}) =>
    app.inject({ method: "POST", url, headers: { cookie, "accept-language": "en" }, payload });
  const codeAt = (secret: Buffer, at: number) => totpCode(secret, Math.floor(at / 30_000));

  test("setup, confirm, login with a code, no replay, and removal by a security admin", async () => {
    const { cookie } = await login("alice");
    expect((await post(cookie, "/api/v1/auth/totp/setup", {})).statusCode).toBe(400);
    expect((await post(cookie, "/api/v1/auth/totp/setup", { password: "wrong" })).statusCode).toBe(403);
    const setup = await post(cookie, "/api/v1/auth/totp/setup", { password: PASSWORD });
    expect(setup.statusCode).toBe(200);
    const uri = new URL(setup.json().uri as string);
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.searchParams.get("issuer")).toBe("recur");
    const b32 = uri.searchParams.get("secret")!;
    const secret = fromBase32(b32);
    expect(secret.length).toBe(20);

    // Encrypted at rest, and not yet on: login still works without a code.
    const stored = await serverRepository(store).userById(ids.alice!);
    expect(stored?.totpPendingEnc).toBeTruthy();
    expect(stored?.totpPendingEnc).not.toContain(b32);
    expect(stored?.totpPendingEnc).not.toContain(secret.toString("base64url"));
    expect(stored?.totpEnc).toBeNull();
    expect((await login("alice")).response.statusCode).toBe(200);

    // A wrong code does not turn it on; the right one does.
    const wrong = String((Number(codeAt(secret, clock.at)) + 1) % 1_000_000).padStart(6, "0");
    expect((await post(cookie, "/api/v1/auth/totp/confirm", { code: wrong })).statusCode).toBe(400);
    const confirm = await post(cookie, "/api/v1/auth/totp/confirm", { code: codeAt(secret, clock.at) });
    expect(confirm.statusCode).toBe(200);
    expect(JSON.stringify(await serverRepository(store).auditEntries())).not.toContain(b32);

    // Now the second factor is required, a code is good once, and a code 2 minutes old is refused.
    expect((await login("alice")).response.json().error.code).toBe("totp_required");
    expect((await login("alice", codeAt(secret, clock.at))).response.json().error.code).toBe("totp_invalid");
    clock.at += 30_000;
    const fresh = codeAt(secret, clock.at);
    expect((await login("alice", fresh)).response.statusCode).toBe(200);
    expect((await login("alice", fresh)).response.json().error.code).toBe("totp_invalid");
    clock.at += 30_000;
    expect((await login("alice", codeAt(secret, clock.at - 120_000))).response.statusCode).toBe(401);
    // One step of drift is accepted (the phone's clock 30 s behind).
    clock.at += 30_000;
    expect((await login("alice", codeAt(secret, clock.at - 30_000))).response.statusCode).toBe(200);

    // A second setup is refused while it is on.
    clock.at += 30_000;
    const again = await login("alice", codeAt(secret, clock.at));
    expect((await post(again.cookie, "/api/v1/auth/totp/setup", { password: PASSWORD })).statusCode).toBe(
      409,
    );

    // Only the security admin removes it (separation of duties: not the system admin).
    const sys = await login("sysadmin");
    expect((await post(sys.cookie, `/api/v1/users/${ids.alice}/totp/disable`)).statusCode).toBe(403);
    const sec = await login("secadmin");
    expect((await post(sec.cookie, `/api/v1/users/${ids.alice}/totp/disable`)).statusCode).toBe(200);
    expect((await login("alice")).response.statusCode).toBe(200);
  });

  test("repeated wrong codes count towards the lockout", async () => {
    const { cookie } = await login("secadmin");
    const setup = await post(cookie, "/api/v1/auth/totp/setup", { password: PASSWORD });
    const secret = fromBase32(new URL(setup.json().uri as string).searchParams.get("secret")!);
    clock.at += 60_000;
    await post(cookie, "/api/v1/auth/totp/confirm", { code: codeAt(secret, clock.at) });
    for (let k = 0; k < 4; k++) expect((await login("secadmin", "000000")).response.statusCode).toBe(401);
    expect((await login("secadmin", "000000")).response.statusCode).toBe(423);
  });
}

await describeOnEveryStore("totp", totpSuite);
