import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { addressComponentsJson, type Incident } from "../../domain/index.ts";
import { SYNTH_HEADER, synthRow, tempDir, writeText } from "../../ingest/testing/files.ts";
import {
  ADDRESS_RULES_SETTING,
  addressRuleSources,
  addressRulesFingerprint,
  openStore,
} from "../../store/index.ts";
import { serverRepository } from "../../store/server-repository.ts";
import {
  PG_URL,
  pgUnreachable,
  postgresTarget,
  REQUIRE_PG,
  type StoreTarget,
  sqliteTarget,
} from "../../store/testing/stores.ts";
import type { Store } from "../../store/types.ts";
import { runCli } from "../testing.ts";

function run(args: string[], cwd: string, stdin?: string) {
  return runCli(args, { cwd, ...(stdin !== undefined ? { stdin } : {}) });
}

describe("recur address rekey", { timeout: 90_000 }, () => {
  const dir = tempDir("recur-rekey-cli-");
  const calls = writeText(
    dir,
    "calls.csv",
    [
      SYNTH_HEADER,
      synthRow({ 接警单号: "K1", 发生地址: "澜东区阳光花园3栋2单元501室" }),
      synthRow({ 接警单号: "K2", 发生地址: "澜东区阳光小区三栋二单元501" }),
      synthRow({ 接警单号: "K3", 发生地址: "澜东区红星路88号门口" }),
      synthRow({ 接警单号: "K4", 发生地址: "" }),
    ].join("\n"),
    "utf8",
  );
  const ids = ["K1", "K2", "K3", "K4"];

  const imported = async (name: string) => {
    const db = join(dir, name);
    const { code } = await run(["import", calls, "--profile", "synthetic", "--db", db, "--json"], dir);
    expect(code).toBe(0);
    return db;
  };
  const stored = async (db: string): Promise<Incident[]> => {
    const store = await openStore({ path: db });
    try {
      return (await Promise.all(ids.map((id) => store.incidents.get("synthetic-110", id)))) as Incident[];
    } finally {
      await store.close();
    }
  };
  /** Writes keys and components an older version of the rules might have left. */
  const staleKeys = async (db: string, incidents: readonly Incident[]) => {
    const store = await openStore({ path: db });
    try {
      await store.incidents.relocate(
        incidents
          .filter((i) => i.address)
          .map((i) => ({
            id: i.id,
            location: {
              ...i.location,
              room: i.location.room ? `${i.location.room}:old` : null,
              road: "旧路:1",
            },
            addressComponents: addressComponentsJson([{ label: "poi", text: i.address ?? "" }]),
          })),
      );
    } finally {
      await store.close();
    }
  };

  test("gives stored incidents the keys and components of today's rules, and a second run changes nothing", async () => {
    const db = await imported("stale.db");
    const fresh = await stored(db);
    await staleKeys(db, fresh);
    expect((await stored(db)).map((i) => i.location.road)).toEqual(["旧路:1", "旧路:1", "旧路:1", null]);

    const dry = await run(["address", "rekey", "--db", db, "--dry-run", "--json"], dir);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.out)).toMatchObject({ incidents: 4, withAddress: 3, changed: 3, dryRun: true });
    expect((await stored(db)).map((i) => i.location.road)).toEqual(["旧路:1", "旧路:1", "旧路:1", null]);

    const first = await run(["address", "rekey", "--db", db, "--json"], dir);
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.out);
    expect(summary).toMatchObject({
      incidents: 4,
      withAddress: 3,
      changed: 3,
      componentsChanged: 3,
      dryRun: false,
    });
    expect(summary.levels).toMatchObject({ poi: 0, building: 0, unit: 0, road: 3, cross: 0 });
    expect(summary.levels.room).toBe(fresh.filter((i) => i.location.room).length);
    const after = await stored(db);
    expect(after.map((i) => i.location)).toEqual(fresh.map((i) => i.location));
    expect(after.map((i) => i.addressComponents ?? null)).toEqual(
      fresh.map((i) => i.addressComponents ?? null),
    );

    const again = await run(["address", "rekey", "--db", db, "--json"], dir);
    expect(JSON.parse(again.out)).toMatchObject({ changed: 0 });
  });

  test("with a place dictionary added later, two spellings of one compound come to share their keys", async () => {
    const db = await imported("dict.db");
    const [k1, k2] = await stored(db);
    expect(k1?.location.room).not.toBe(k2?.location.room);
    const dict = writeText(
      dir,
      "places.json",
      JSON.stringify({ aliases: { 阳光花园: "阳光小区" }, places: [{ name: "阳光小区", kind: "poi" }] }),
      "utf8",
    );
    const { code, out } = await run(["address", "rekey", "--db", db, "--dict", dict, "--lang", "en"], dir);
    expect(code).toBe(0);
    expect(out).toMatch(/read 4 incidents \(3 with an address\); [1-3] had new location keys/);
    expect(out).toContain("restarted");
    const [r1, r2] = await stored(db);
    expect(r1?.location.room).not.toBeNull();
    expect(r1?.location.room).toBe(r2?.location.room);
    // The file is now the store's dictionary: later imports and the dashboard key with it.
    const shown = await run(["address", "dict", "--db", db, "--json"], dir);
    expect(JSON.parse(shown.out).aliases).toEqual({ 阳光花园: "阳光小区" });
  });

  test("recur address dict set / show / clear: the store's dictionary, and the keys stale until a rekey", async () => {
    const db = await imported("dictcmd.db");
    const dict = writeText(
      dir,
      "dict2.json",
      JSON.stringify({
        aliases: { 阳光花园: "阳光小区" },
        places: [{ name: "阳光小区", kind: "poi" }, { name: "x" }],
      }),
      "utf8",
    );
    const set = await run(["address", "dict", "set", dict, "--db", db, "--lang", "en"], dir);
    expect(set.code).toBe(0);
    expect(set.out).toContain("the store's place dictionary is now");
    expect(set.out).toContain("1 aliases, 1 places, 0 divisions");
    expect(set.out).toContain("recur address rekey");
    expect(set.err).toContain("place entry is invalid and was skipped");
    // An import now reports the keys stale until a rekey has run with the new dictionary.
    const again = writeText(
      dir,
      "again2.csv",
      [SYNTH_HEADER, synthRow({ 接警单号: "K8" })].join("\n"),
      "utf8",
    );
    const stale = await run(["import", again, "--profile", "synthetic", "--db", db, "--json"], dir);
    expect(JSON.parse(stale.out).addressKeysStale).toBe(true);
    expect((await run(["address", "rekey", "--db", db], dir)).code).toBe(0);
    const [r1, r2] = await stored(db);
    expect(r1?.location.room).toBe(r2?.location.room);
    // A later import without --dict keys with the store's dictionary.
    const later = writeText(
      dir,
      "later.csv",
      [SYNTH_HEADER, synthRow({ 接警单号: "K9", 发生地址: "澜东区阳光花园3栋2单元501室" })].join("\n"),
      "utf8",
    );
    const laterRun = await run(["import", later, "--profile", "synthetic", "--db", db, "--json"], dir);
    expect(JSON.parse(laterRun.out).addressKeysStale).toBeUndefined();
    {
      const store = await openStore({ path: db });
      const k9 = await store.incidents.get("synthetic-110", "K9");
      await store.close();
      expect(k9?.location.room).toBe(r2?.location.room);
    }
    // --dict FILE on an import makes FILE the store's dictionary, and says so.
    const other = writeText(dir, "dict3.json", JSON.stringify({ aliases: { 幸福里: "幸福小区" } }), "utf8");
    const replaced = await run(
      ["import", later, "--profile", "synthetic", "--db", db, "--dict", other, "--json"],
      dir,
    );
    expect(JSON.parse(replaced.out)).toMatchObject({ dictionaryReplaced: true, addressKeysStale: true });
    expect(JSON.parse((await run(["address", "dict", "--db", db, "--json"], dir)).out).aliases).toEqual({
      幸福里: "幸福小区",
    });
    const back = await run(["address", "dict", "set", dict, "--db", db, "--json"], dir);
    expect(JSON.parse(back.out)).toMatchObject({ changed: true, rekeyNeeded: false });
    const same = await run(["address", "dict", "set", dict, "--db", db, "--json"], dir);
    expect(JSON.parse(same.out)).toMatchObject({ changed: false, rekeyNeeded: false });
    const cleared = await run(["address", "dict", "clear", "--db", db, "--json"], dir);
    expect(JSON.parse(cleared.out)).toMatchObject({ changed: true, rekeyNeeded: true });
    const empty = await run(["address", "dict", "--db", db, "--lang", "en"], dir);
    expect(empty.out).toContain("0 aliases, 0 places, 0 divisions");
    expect((await run(["address", "dict", "frobnicate", "--db", db], dir)).code).toBe(2);
  });

  test("an import into a store keyed by other address rules says to rekey, until a rekey has run", async () => {
    const db = await imported("rules.db");
    const again = writeText(
      dir,
      "again.csv",
      [SYNTH_HEADER, synthRow({ 接警单号: "K9" })].join("\n"),
      "utf8",
    );
    const importAgain = () => run(["import", again, "--profile", "synthetic", "--db", db, "--json"], dir);
    const current = await importAgain();
    expect(current.err).not.toContain("rekey");
    expect(JSON.parse(current.out).addressKeysStale).toBeUndefined();

    const store = await openStore({ path: db });
    expect(await store.settings.get(ADDRESS_RULES_SETTING)).toBe(addressRulesFingerprint());
    await store.settings.set(ADDRESS_RULES_SETTING, "rules-of-an-older-recur");
    await store.close();
    const stale = await importAgain();
    expect(stale.code).toBe(0);
    expect(JSON.parse(stale.out).addressKeysStale).toBe(true);
    expect(stale.err).toContain("recur address rekey");
    // Still stale: an import alone does not make the old keys current.
    expect(JSON.parse((await importAgain()).out).addressKeysStale).toBe(true);

    expect((await run(["address", "rekey", "--db", db, "--dry-run"], dir)).code).toBe(0);
    expect(JSON.parse((await importAgain()).out).addressKeysStale).toBe(true);
    expect((await run(["address", "rekey", "--db", db], dir)).code).toBe(0);
    const after = await importAgain();
    expect(JSON.parse(after.out).addressKeysStale).toBeUndefined();
    expect(after.err).not.toContain("rekey");
  });

  test("recur serve over a store keyed by other rules says to rekey when it starts, and not once rekeyed", async () => {
    const db = await imported("serve.db");
    /** Starts `recur serve`, returns what it wrote to stderr by the time it printed its address. */
    const startupNote = (): Promise<string> =>
      new Promise((done, fail) => {
        const recur = join(import.meta.dirname, "..", "..", "..", "bin", "recur");
        const child = spawn(recur, ["serve", "--db", db, "--port", "0", "--lang", "en"], {
          env: { ...process.env, DATABASE_URL: "" },
        });
        let err = "";
        child.stderr.on("data", (d) => {
          err += d;
        });
        child.stdout.on("data", (d) => {
          if (String(d).includes("Serving on")) setTimeout(() => child.kill("SIGTERM"), 200);
        });
        child.on("error", fail);
        child.on("exit", () => done(err));
      });
    expect(await startupNote()).not.toContain("rekey");
    const store = await openStore({ path: db });
    await store.settings.set(ADDRESS_RULES_SETTING, "rules-of-an-older-recur");
    await store.close();
    expect(await startupNote()).toContain("recur address rekey");
    expect((await run(["address", "rekey", "--db", db], dir)).code).toBe(0);
    expect(await startupNote()).not.toContain("rekey");
  });

  test("the rules' fingerprint reads the sources that make keys, not coordinates or area boundaries", () => {
    const sources = addressRuleSources();
    expect(sources).toEqual(
      expect.arrayContaining(["keys.ts", "parse.ts", "normalize.ts", "rules/numbers.ts"]),
    );
    expect(sources).not.toContain("geo.ts");
    expect(sources).not.toContain("boundaries.ts");
    expect(sources.some((f) => f.endsWith(".test.ts"))).toBe(false);
  });

  test("the rules' fingerprint is stable within a process and short", () => {
    expect(addressRulesFingerprint()).toMatch(/^[0-9a-f]{16}$/);
    expect(addressRulesFingerprint()).toBe(addressRulesFingerprint());
  });

  test("each batch is parsed in its import profile's region; a profile gone is reported once and --region stands in", async () => {
    const synthetic = JSON.parse(
      readFileSync(join(import.meta.dirname, "..", "..", "..", "profiles", "synthetic.json"), "utf8"),
    );
    const profile = writeText(dir, "hz.json", JSON.stringify({ ...synthetic, region: "杭州市" }), "utf8");
    const file = (name: string, id: string) =>
      writeText(
        dir,
        name,
        [SYNTH_HEADER, synthRow({ 接警单号: id, 发生地址: "阳光小区3栋501" })].join("\n"),
        "utf8",
      );
    const db = join(dir, "region.db");
    for (const [name, id] of [
      ["r1.csv", "R1"],
      ["r2.csv", "R2"],
    ] as const)
      expect(
        (await run(["import", file(name, id), "--profile", profile, "--db", db, "--json"], dir)).code,
      ).toBe(0);
    const poi = async () => {
      const store = await openStore({ path: db });
      try {
        return (await store.incidents.get("synthetic-110", "R1"))?.location.poi;
      } finally {
        await store.close();
      }
    };
    expect(await poi()).toBe("Z:杭州市:阳光小区");
    // The profile read from the batch: the region's keys stay.
    expect(JSON.parse((await run(["address", "rekey", "--db", db, "--json"], dir)).out).changed).toBe(0);

    rmSync(profile);
    const withRegion = await run(["address", "rekey", "--db", db, "--region", "杭州市", "--json"], dir);
    expect(JSON.parse(withRegion.out).changed).toBe(0);
    expect(withRegion.err).toBe("");
    const without = await run(["address", "rekey", "--db", db, "--dry-run", "--json", "--lang", "en"], dir);
    expect(JSON.parse(without.out)).toMatchObject({ changed: 2, levels: { poi: 2 } });
    expect(without.err.match(/cannot be read/g)).toHaveLength(1);
  });

  test("recur address learn --db: the store's own addresses give the store's dictionary its frequent names", async () => {
    const db = await imported("learn.db");
    const dry = await run(["address", "learn", "--db", db, "--min-count", "1", "--dry-run", "--json"], dir);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.out)).toMatchObject({ addresses: 3, changed: false, dryRun: true });
    expect(JSON.parse((await run(["address", "dict", "--db", db, "--json"], dir)).out).places).toEqual([]);
    const learned = await run(["address", "learn", "--db", db, "--min-count", "1", "--json"], dir);
    const counts = JSON.parse(learned.out);
    expect(counts).toMatchObject({ addresses: 3, changed: true, rekeyNeeded: true });
    expect(counts.added).toBe(counts.places);
    const names = JSON.parse((await run(["address", "dict", "--db", db, "--json"], dir)).out).places.map(
      (p: { name: string; kind: string }) => `${p.kind}:${p.name}`,
    );
    expect(names).toEqual(expect.arrayContaining(["poi:阳光花园", "poi:阳光小区", "road:红星路"]));
    // Seen once each: a higher threshold learns none of them.
    const none = await run(["address", "learn", "--db", db, "--min-count", "2", "--json"], dir);
    expect(JSON.parse(none.out)).toMatchObject({ learned: 0, added: 0 });
    expect((await run(["address", "learn", "--db", db, "--min-count", "0"], dir)).code).toBe(2);
  });

  test("recur address parse --db keys an address as that store's imports do (its dictionary)", async () => {
    const db = await imported("parse.db");
    const dict = writeText(dir, "dict4.json", JSON.stringify({ aliases: { 阳光花园: "阳光小区" } }), "utf8");
    expect((await run(["address", "dict", "set", dict, "--db", db], dir)).code).toBe(0);
    expect((await run(["address", "rekey", "--db", db], dir)).code).toBe(0);
    const [, k2] = await stored(db);
    const parsed = await run(["address", "parse", "--db", db], dir, "澜东区阳光花园3栋2单元501室\n");
    expect(JSON.parse(parsed.out).key.room).toBe(k2?.location.room);
    // Without the store, the alias is unknown: another key.
    const plain = await run(["address", "parse"], dir, "澜东区阳光花园3栋2单元501室\n");
    expect(JSON.parse(plain.out).key.room).not.toBe(k2?.location.room);
  });

  test("an unreadable dictionary stops before anything is read or written", async () => {
    const db = await imported("nodict.db");
    const { code, err } = await run(
      ["address", "rekey", "--db", db, "--dict", join(dir, "missing.json")],
      dir,
    );
    expect(code).toBe(1);
    expect(err).toContain("missing.json");
  });
});

const pgProblem = await pgUnreachable();

/**
 * A store imported before the address, disposition and source category were masked (4210db6):
 * the rekey masks them, on SQLite (--db) and on PostgreSQL (DATABASE_URL).
 */
describe("recur address rekey on a store imported before those texts were masked", {
  timeout: 90_000,
}, () => {
  const dir = tempDir("recur-rekey-mask-");
  const calls = writeText(
    dir,
    "calls.csv",
    [
      SYNTH_HEADER,
      synthRow({ 接警单号: "M1", 发生地址: "澜东区阳光花园3栋2单元501室", 处警结果: "已调解" }),
      synthRow({ 接警单号: "M2", 发生地址: "澜东区红星路88号门口", 处警结果: "已调解" }),
      // A shifted column: the caller's number where the time belongs. Rejected, its quote masked.
      synthRow({ 接警单号: "M3", 报警时间: "报警人电话13700001111" }),
    ].join("\n"),
    "utf8",
  );
  /** What an import wrote before 4210db6: the number in the address and the disposition. */
  const unmask = async (store: Store) => {
    await store.db
      .updateTable("incidents")
      .set({
        address: "澜东区阳光花园3栋2单元501室 张先生13812345678",
        disposition: "已联系当事人13912345678",
        source_category: "纠纷11010519491231002X",
      })
      .where("source_id", "=", "M1")
      .execute();
    // An older import quoted the rejected value as written.
    const [q] = await store.db.selectFrom("quarantine").select(["id", "issues"]).execute();
    expect(q?.issues).toContain("报警人电话〔手机号〕");
    await store.db
      .updateTable("quarantine")
      .set({ issues: (q?.issues ?? "").replace("报警人电话〔手机号〕", "报警人电话13700001111") })
      .where("id", "=", q?.id ?? -1)
      .execute();
  };

  const targets: [string, () => Promise<StoreTarget>][] = [["sqlite", async () => sqliteTarget()]];
  if (pgProblem === undefined) targets.push(["postgres", () => postgresTarget()]);
  else if (REQUIRE_PG)
    test("PostgreSQL is reachable (RECUR_REQUIRE_PG=1)", () => {
      throw new Error(`PostgreSQL unreachable at ${PG_URL}: ${pgProblem}`);
    });
  else test.skip(`postgres (skipped: PostgreSQL unreachable at ${PG_URL})`, () => {});

  for (const [name, makeTarget] of targets)
    test(`${name}: --dry-run counts, a run masks and audits, a second run masks nothing`, async () => {
      const target = await makeTarget();
      try {
        const { store, location } = await target.fresh();
        await store.close();
        const where = "path" in location ? ["--db", location.path] : [];
        const env = { ...process.env, DATABASE_URL: "databaseUrl" in location ? location.databaseUrl : "" };
        const cli = (args: string[]) => runCli([...args, ...where], { cwd: dir, env });
        const imported = await cli(["import", calls, "--profile", "synthetic", "--json"]);
        expect(imported.code).toBe(0);
        expect(JSON.parse(imported.out)).toMatchObject({
          rejected: 1,
          sampleRejections: [{ code: "bad_time", value: "报警人电话〔手机号〕" }],
        });
        expect(imported.out).not.toContain("13700001111");
        const reopen = () => target.open(location);
        let s = await reopen();
        await unmask(s);
        await s.close();

        const dry = await cli(["address", "rekey", "--dry-run", "--json"]);
        expect(dry.code).toBe(0);
        expect(JSON.parse(dry.out)).toMatchObject({
          incidents: 2,
          masked: 1,
          maskedFields: { address: 1, disposition: 1, sourceCategory: 1, narrative: 0, feedback: 0 },
          quarantineMasked: 1,
          dryRun: true,
        });
        s = await reopen();
        expect((await s.incidents.get("synthetic-110", "M1"))?.address).toContain("13812345678");
        expect(await serverRepository(s).auditEntries()).toEqual([]);
        await s.close();

        const human = await cli(["address", "rekey", "--lang", "en"]);
        expect(human.code).toBe(0);
        expect(human.out).toContain(
          "identifiers masked (stored before these texts were masked): 1 incidents (address 1, disposition 1, sourceCategory 1, narrative 0, feedback 0); previous values of 0 revisions; values quoted by the issues of 1 quarantined rows",
        );
        s = await reopen();
        const m1 = await s.incidents.get("synthetic-110", "M1");
        expect(m1).toMatchObject({
          address: "澜东区阳光花园3栋2单元501室 张先生〔手机号〕",
          disposition: "已联系当事人〔手机号〕",
          sourceCategory: "纠纷〔身份证号〕",
        });
        expect(JSON.stringify(m1)).not.toMatch(/13812345678|13912345678|11010519491231002X/);
        const [rejected] = await s.quarantine.list();
        expect(rejected?.issues[0]).toMatchObject({ code: "bad_time", value: "报警人电话〔手机号〕" });
        const audit = await serverRepository(s).auditEntries();
        expect(audit).toHaveLength(1);
        expect(audit[0]).toMatchObject({
          action: "address.rekey",
          outcome: "ok",
          detail: { via: "cli", incidents: 2, masked: 1, "masked.address": 1, quarantineMasked: 1 },
        });
        await s.close();

        const again = await cli(["address", "rekey", "--json"]);
        expect(JSON.parse(again.out)).toMatchObject({
          changed: 0,
          masked: 0,
          revisionsMasked: 0,
          quarantineMasked: 0,
        });
      } finally {
        await target.dispose();
      }
    });
});
