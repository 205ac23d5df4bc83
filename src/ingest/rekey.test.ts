import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { makeIncident } from "../../test/builders.ts";
import { createAddressLocator } from "../address/index.ts";
import { addressComponentsJson, asBatchId, asEpochMs, fixedClock, type Incident } from "../domain/index.ts";
import { qualityRepository } from "../store/quality-repository.ts";
import {
  memoryTarget,
  newBatch,
  PG_URL,
  pgUnreachable,
  postgresTarget,
  REQUIRE_PG,
  type StoreTarget,
  sqliteTarget,
} from "../store/testing/stores.ts";
import type { QuarantinedRow, Store } from "../store/types.ts";
import { importFile } from "./pipeline.ts";
import { decryptField, encryptField, maskText } from "./privacy/index.ts";
import { loadProfile } from "./profile/load.ts";
import { maskedTexts, type RekeyCounts, rekeyStore } from "./rekey.ts";
import { TEST_KEYS } from "./testing/fakes.ts";
import { SYNTH_HEADER, synthRow, TEST_NOW, tempDir, writeText } from "./testing/files.ts";

/**
 * A store imported before the address, disposition and source category were masked (before
 * 4210db6): `rekeyStore` masks them, keys the masked address, and masks what the revisions of
 * later exports kept, on both stores.
 */

const REGION = "浙江省杭州市";
const locator = createAddressLocator({ region: REGION });
/** The identifiers of the invented calls below, none of which may survive a rekey. */
const SECRETS = ["13812345678", "13912345678", "11010519491231002X", "13700001111"];

/** What an import stored before 4210db6: texts as written, keys and components of the raw address. */
function oldImport(sourceId: string, batch: string, fields: Partial<Incident>): Incident {
  const address = fields.address ?? null;
  const a = address === null ? null : locator.analyse(address);
  return makeIncident({
    sourceId,
    batchId: asBatchId(batch),
    receivedAt: asEpochMs(Date.UTC(2024, 4, 1, 2, Number(sourceId.slice(1)))),
    ...fields,
    ...(a
      ? {
          location: a.keys,
          addressComponents: a.entities.length > 0 ? addressComponentsJson(a.entities) : null,
        }
      : {}),
  });
}

async function write(store: Store, batch: string, rows: readonly Incident[]): Promise<void> {
  const writer = await store.beginBatch(newBatch(batch));
  try {
    const inserted = await writer.insertIncidents(rows);
    await writer.commit({
      rows: rows.length,
      imported: inserted,
      rejected: 0,
      duplicates: 0,
      finishedAt: 1_714_600_000_000,
    });
  } catch (error) {
    await writer.rollback();
    throw error;
  }
}

/** Every text of the tables a rekey looks after, for "no number left anywhere". */
async function dump(store: Store): Promise<string> {
  const tables = ["incidents", "incident_revisions", "quality_results"];
  const out: unknown[] = [];
  for (const table of tables) out.push((await sql`select * from ${sql.table(table)}`.execute(store.db)).rows);
  return JSON.stringify(out);
}

const rekey = (store: Store, dryRun = false): Promise<RekeyCounts> =>
  rekeyStore(store, { regionOf: async () => REGION, dryRun });

function suite(makeTarget: () => Promise<StoreTarget>): void {
  let target: StoreTarget;
  beforeAll(async () => {
    target = await makeTarget();
  });
  afterAll(async () => {
    await target?.dispose();
  });

  test("masks the texts stored unmasked, keys the masked address, masks the revisions' previous values; a second run changes nothing", async () => {
    const { store } = await target.fresh();
    try {
      const withNumber = "西湖区红星路88号阳光小区3栋2单元501室 张先生13812345678";
      const plain = "西湖区红星路88号阳光小区3栋2单元501室";
      await write(store, "old", [
        oldImport("K1", "old", {
          address: withNumber,
          disposition: "已联系当事人（身份证11010519491231002X）",
          sourceCategory: "纠纷13912345678",
        }),
        oldImport("K2", "old", { address: plain, disposition: "已调解", sourceCategory: "纠纷" }),
        oldImport("K3", "old", { address: null, disposition: null, sourceCategory: null }),
        // Revised below by a later export, imported masked: the revision keeps the raw address.
        oldImport("K4", "old", { address: "西湖区红星路90号 李女士13700001111" }),
      ]);
      const k4 = await store.incidents.get("test", "K4");
      await write(store, "later", [
        {
          ...(k4 as Incident),
          batchId: asBatchId("later"),
          ...laterExport("西湖区红星路90号 李女士〔手机号〕"),
        },
      ]);
      const [k1] = await Promise.all(["K1"].map((id) => store.incidents.get("test", id)));
      await qualityRepository(store).saveResults(
        [
          {
            incidentId: (k1 as Incident).id,
            score: 60,
            issues: [
              {
                code: "outcome_mismatch",
                severity: "warning",
                field: "disposition",
                value: (k1 as Incident).disposition ?? "",
              },
            ],
          },
        ],
        1_714_600_000_000,
      );
      const before = await dump(store);
      for (const secret of SECRETS) expect(before).toContain(secret);

      const dry = await rekey(store, true);
      expect(dry).toMatchObject({
        incidents: 4,
        masked: 1,
        maskedFields: { address: 1, disposition: 1, sourceCategory: 1, narrative: 0, feedback: 0 },
        revisionsMasked: 1,
        dryRun: true,
      });
      expect(await dump(store)).toBe(before);

      const first = await rekey(store);
      expect(first).toMatchObject({
        incidents: 4,
        withAddress: 3,
        masked: 1,
        maskedFields: { address: 1, disposition: 1, sourceCategory: 1 },
        revisionsMasked: 1,
        dryRun: false,
      });
      // The components of the raw address held the number; its keys here did not.
      expect(first.componentsChanged).toBe(1);
      const after = await dump(store);
      for (const secret of SECRETS) expect(after).not.toContain(secret);

      const m1 = (await store.incidents.get("test", "K1")) as Incident;
      expect(m1.address).toBe("西湖区红星路88号阳光小区3栋2单元501室 张先生〔手机号〕");
      expect(m1.disposition).toBe("已联系当事人（身份证〔身份证号〕）");
      expect(m1.sourceCategory).toBe("纠纷〔手机号〕");
      // Keyed as an import keys the masked address today: the same door as the call without the number.
      const fresh = locator.analyse(maskText(withNumber));
      expect(m1.location).toEqual(fresh.keys);
      expect(m1.addressComponents).toBe(addressComponentsJson(fresh.entities));
      expect(m1.location.room).toBe(((await store.incidents.get("test", "K2")) as Incident).location.room);
      expect((await qualityRepository(store).getResult(m1.id))?.issues[0]?.value).toBe(m1.disposition);

      const revision = (
        await sql<{ previous: string }>`select previous from incident_revisions`.execute(store.db)
      ).rows[0];
      const previous = JSON.parse(revision?.previous ?? "{}") as Record<string, unknown>;
      expect(previous.address).toBe("西湖区红星路90号 李女士〔手机号〕");
      const previousKeys = locator.analyse("西湖区红星路90号 李女士〔手机号〕");
      // Its components were those of the raw address (the number one of them): made again from the masked one.
      expect(previous.address_components).toBe(addressComponentsJson(previousKeys.entities));

      const again = await rekey(store);
      expect(again).toMatchObject({ changed: 0, masked: 0, revisionsMasked: 0 });
      expect(await dump(store)).toBe(after);
    } finally {
      await store.close();
    }
  });

  test("an import stores the values its issues quote masked; a rekey masks those an older import stored, keeps the rows, and a second run changes nothing", async () => {
    const { store } = await target.fresh();
    try {
      const dir = tempDir();
      const path = writeText(
        dir,
        "new.csv",
        `${SYNTH_HEADER}\r\n${synthRow({ 接警单号: "R1", 报警时间: "报警人电话13912345678" })}\r\n${synthRow({ 接警单号: "R2", 报警时间: "2024-13-45 08:00" })}\r\n`,
      );
      const summary = await importFile({
        path,
        profile: await loadProfile("synthetic"),
        store,
        batchId: asBatchId("new-q"),
        keys: TEST_KEYS,
        clock: fixedClock(TEST_NOW),
      });
      expect(summary).toMatchObject({ rows: 2, rejected: 2 });
      const imported = await store.quarantine.list(asBatchId("new-q"));
      expect(imported.map((q) => q.issues[0]?.value)).toEqual(["报警人电话〔手机号〕", "2024-13-45 08:00"]);

      const writer = await store.beginBatch(newBatch("old-q"));
      await writer.insertQuarantine(OLD_QUARANTINE);
      await writer.commit({
        rows: 3,
        imported: 0,
        rejected: 3,
        duplicates: 0,
        finishedAt: 1_714_600_000_000,
      });
      const before = await quarantineRows(store);
      expect(JSON.stringify(before.map((r) => r.issues))).toContain("13812345678");

      const dry = await rekey(store, true);
      expect(dry).toMatchObject({ quarantineMasked: 2, dryRun: true });
      expect(await quarantineRows(store)).toEqual(before);

      expect(await rekey(store)).toMatchObject({ quarantineMasked: 2, dryRun: false });
      const after = await quarantineRows(store);
      // The encrypted rows are as they were: nothing of a rejected row is lost.
      expect(after.map((r) => r.record_enc)).toEqual(before.map((r) => r.record_enc));
      const old = await store.quarantine.list(asBatchId("old-q"));
      expect(old.map((q) => q.issues)).toEqual([
        [
          { code: "bad_time", severity: "error", field: "receivedAt", value: "报警人电话〔手机号〕" },
          { code: "unmapped_department", severity: "warning", field: "department", value: "气象台" },
        ],
        [{ code: "bad_time", severity: "error", field: "receivedAt", value: `${"说明".repeat(35)}…` }],
        [{ code: "bad_time", severity: "error", field: "receivedAt", value: "2024-13-45 08:00" }],
      ]);
      const issues = JSON.stringify(after.map((r) => r.issues));
      for (const secret of ["13812345678", "13912345678", "1101051949"]) expect(issues).not.toContain(secret);
      expect(decryptField(old[0]?.recordEnc ?? "", TEST_KEYS.encKey)).toContain("13812345678");

      expect(await rekey(store)).toMatchObject({ quarantineMasked: 0 });
      expect(await quarantineRows(store)).toEqual(after);
    } finally {
      await store.close();
    }
  });
}

/**
 * Quarantined rows as an older import stored them: the quoted values as written (one cut at 80
 * characters inside an ID), the rows themselves encrypted.
 */
const OLD_QUARANTINE: QuarantinedRow[] = [
  {
    batchId: asBatchId("old-q"),
    file: "old.csv",
    row: 1,
    issues: [
      { code: "bad_time", severity: "error", field: "receivedAt", value: "报警人电话13812345678" },
      { code: "unmapped_department", severity: "warning", field: "department", value: "气象台" },
    ],
    recordEnc: encryptField('{"报警时间":"报警人电话13812345678"}', TEST_KEYS.encKey),
  },
  {
    batchId: asBatchId("old-q"),
    file: "old.csv",
    row: 2,
    issues: [
      {
        code: "bad_time",
        severity: "error",
        field: "receivedAt",
        value: `${"说明".repeat(35)}1101051949…`,
      },
    ],
    recordEnc: encryptField('{"报警时间":"11010519491231002X"}', TEST_KEYS.encKey),
  },
  {
    batchId: asBatchId("old-q"),
    file: "old.csv",
    row: 3,
    issues: [{ code: "bad_time", severity: "error", field: "receivedAt", value: "2024-13-45 08:00" }],
    recordEnc: encryptField('{"报警时间":"2024-13-45 08:00"}', TEST_KEYS.encKey),
  },
];

async function quarantineRows(store: Store): Promise<{ issues: string; record_enc: string }[]> {
  return store.db.selectFrom("quarantine").select(["issues", "record_enc"]).orderBy("id").execute();
}

/** A later export of the same call: another spelling of the address, and its feedback. */
function laterExport(address: string): Partial<Incident> {
  const a = locator.analyse(address);
  return {
    address,
    feedback: "已处理",
    closedAt: asEpochMs(Date.UTC(2024, 4, 1, 5, 0)),
    location: a.keys,
    addressComponents: addressComponentsJson(a.entities),
  };
}

describe("maskedTexts", () => {
  test("gives only the texts that masking changes, and nothing for a masked incident", () => {
    const incident = makeIncident({
      address: "阳光小区3栋501室 张先生13812345678",
      disposition: "已调解",
      sourceCategory: null,
      narrative: "来电人称邻居吵闹",
      feedback: null,
    });
    const texts = maskedTexts(incident);
    expect(texts).toEqual({ address: "阳光小区3栋501室 张先生〔手机号〕" });
    expect(maskedTexts({ ...incident, ...texts })).toBeNull();
  });
});

describe("sqlite store", { timeout: 60_000 }, () => suite(async () => sqliteTarget()));
describe("sqlite :memory: store", { timeout: 60_000 }, () => suite(async () => memoryTarget()));

const pgProblem = await pgUnreachable();
if (pgProblem === undefined)
  describe("postgres store", { timeout: 60_000 }, () => suite(() => postgresTarget()));
else if (REQUIRE_PG)
  test("PostgreSQL is reachable (RECUR_REQUIRE_PG=1)", () => {
    throw new Error(`PostgreSQL unreachable at ${PG_URL}: ${pgProblem}`);
  });
else test.skip(`postgres store (skipped: PostgreSQL unreachable at ${PG_URL})`, () => {});
