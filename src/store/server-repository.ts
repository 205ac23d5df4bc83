import { type Expression, type ExpressionBuilder, type Kysely, type SqlBool, sql } from "kysely";
import type { Case } from "../cases/case.ts";
import type { CaseState } from "../cases/lifecycle.ts";
import type { UnitLevel } from "../domain/index.ts";
import type { Role, Scope } from "../server/access.ts";
import { type AuditEntry, type ChainedAuditEntry, entryHash, GENESIS_HASH } from "../server/audit.ts";
import type { Store } from "./types.ts";

/** Tables of migration 0005_cases_auth_audit. */
type ServerTables = {
  users: {
    id: string;
    username: string;
    display_name: string;
    password_hash: string;
    role: string;
    unit_level: string | null;
    unit_code: string | null;
    agency_code: string | null;
    disabled: number;
    locked: number;
    must_change_password: number;
    failures: string;
    totp_enc: string | null;
    totp_pending_enc: string | null;
    totp_last_step: number | string | null;
    created_at: number;
  };
  sessions: {
    token_hash: string;
    user_id: string;
    created_at: number;
    last_seen_at: number;
    ip: string | null;
  };
  audit_log: {
    seq: number;
    at: number;
    actor: string;
    role: string | null;
    ip: string | null;
    action: string;
    target: string | null;
    outcome: string;
    detail: string;
    prev_hash: string;
    hash: string;
  };
  cases: {
    id: string;
    version: number;
    state: string;
    branch_unit: string | null;
    station_unit: string | null;
    assignee_kind: string | null;
    assignee_code: string | null;
    deadline: number | null;
    created_at: number;
    updated_at: number;
    doc: string;
    subject_series: string | null;
    subject_key: string | null;
    subject_caller: string | null;
  };
};
type Db = Kysely<ServerTables>;

export interface User {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly passwordHash: string;
  readonly role: Role;
  readonly unitLevel: UnitLevel | null;
  readonly unitCode: string | null;
  readonly agencyCode: string | null;
  readonly disabled: boolean;
  readonly locked: boolean;
  readonly mustChangePassword: boolean;
  /** Times of recent failed logins (for the lockout rule). */
  readonly failures: readonly number[];
  readonly totpEnc: string | null;
  /** A TOTP secret set up but not yet confirmed with a code (migration 0007). */
  readonly totpPendingEnc?: string | null;
  /** Last TOTP time step accepted: a code is good once. */
  readonly totpLastStep?: number | null;
  readonly createdAt: number;
}

export interface Session {
  readonly tokenHash: string;
  readonly userId: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
}

const num = (v: unknown): number => (typeof v === "number" ? v : Number(v));

function toUser(r: ServerTables["users"]): User {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    passwordHash: r.password_hash,
    role: r.role as Role,
    unitLevel: r.unit_level as UnitLevel | null,
    unitCode: r.unit_code,
    agencyCode: r.agency_code,
    disabled: num(r.disabled) === 1,
    locked: num(r.locked) === 1,
    mustChangePassword: num(r.must_change_password) === 1,
    failures: JSON.parse(r.failures) as number[],
    totpEnc: r.totp_enc,
    totpPendingEnc: r.totp_pending_enc,
    totpLastStep: r.totp_last_step === null ? null : num(r.totp_last_step),
    createdAt: num(r.created_at),
  };
}

export interface UserPatch {
  readonly passwordHash?: string;
  readonly disabled?: boolean;
  readonly locked?: boolean;
  readonly mustChangePassword?: boolean;
  readonly failures?: readonly number[];
  readonly totpEnc?: string | null;
  readonly totpPendingEnc?: string | null;
  readonly totpLastStep?: number | null;
  readonly role?: Role;
}

export interface ServerRepository {
  createUser(user: User): Promise<void>;
  userByName(username: string): Promise<User | undefined>;
  userById(id: string): Promise<User | undefined>;
  listUsers(): Promise<User[]>;
  updateUser(id: string, patch: UserPatch): Promise<void>;
  createSession(session: Session & { ip: string | null }): Promise<void>;
  session(tokenHash: string): Promise<Session | undefined>;
  touchSession(tokenHash: string, at: number): Promise<void>;
  deleteSession(tokenHash: string): Promise<void>;
  deleteUserSessions(userId: string): Promise<number>;
  /** Appends to the hash chain; returns the stored entry. */
  appendAudit(entry: Omit<AuditEntry, "seq">): Promise<ChainedAuditEntry>;
  auditEntries(options?: { fromSeq?: number; limit?: number }): Promise<ChainedAuditEntry[]>;
  /** The last seq and hash, kept apart from the log so that cutting off its tail is detected. */
  auditHead(): Promise<{ seq: number; hash: string }>;
  createCase(c: Case): Promise<void>;
  getCase(id: string, scope: Scope): Promise<Case | undefined>;
  listCases(scope: Scope, filter?: { state?: CaseState; limit?: number }): Promise<Case[]>;
  /** Cases in the scope, not closed or cancelled, about one of these series, location keys or callers. */
  openCasesFor(
    scope: Scope,
    subjects: { seriesIds: readonly string[]; locationKeys: readonly string[]; callers: readonly string[] },
    limit?: number,
  ): Promise<Case[]>;
  /** Compare-and-set on the version: false when someone else changed the case first. */
  updateCase(next: Case, expectedVersion: number): Promise<boolean>;
}

const AUDIT_HEAD_KEY = "audit.head";

/**
 * The scope of a user as a SQL condition on the cases table: the one place where case queries
 * are limited to a jurisdiction or to an agency's referrals.
 */
function scopeCondition(eb: ExpressionBuilder<ServerTables, "cases">, scope: Scope): Expression<SqlBool> {
  switch (scope.kind) {
    case "all":
      return sql<SqlBool>`1 = 1`;
    case "none":
      return sql<SqlBool>`1 = 0`;
    case "agency":
      return eb.and([eb("assignee_kind", "=", "agency"), eb("assignee_code", "=", scope.code)]);
    case "unit":
      if (scope.level === "branch") return eb("branch_unit", "=", scope.code);
      if (scope.level === "station") return eb("station_unit", "=", scope.code);
      // A police area sees the cases assigned to it.
      return eb.and([eb("assignee_kind", "=", "unit"), eb("assignee_code", "=", scope.code)]);
  }
}

function caseRow(c: Case): ServerTables["cases"] {
  return {
    id: c.id,
    version: c.version,
    state: c.state,
    branch_unit: c.branchUnit,
    station_unit: c.stationUnit,
    assignee_kind: c.assignee?.kind ?? null,
    assignee_code: c.assignee?.code ?? null,
    deadline: c.deadline,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    doc: JSON.stringify(c),
    subject_series: c.subject.seriesId,
    subject_key: c.subject.locationKey,
    subject_caller: c.subject.callerPseudonym,
  };
}

function toAudit(r: ServerTables["audit_log"]): ChainedAuditEntry {
  return {
    seq: num(r.seq),
    at: num(r.at),
    actor: r.actor,
    role: r.role,
    ip: r.ip,
    action: r.action,
    target: r.target,
    outcome: r.outcome as AuditEntry["outcome"],
    detail: JSON.parse(r.detail) as AuditEntry["detail"],
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/**
 * Users, sessions, the audit log and cases, on either store.
 * @example
 * const repo = serverRepository(store);
 * await repo.appendAudit({ at, actor: "u1", role: "auditor", ip, action: "login", target: null, outcome: "ok", detail: {} });
 */
export function serverRepository(store: Store): ServerRepository {
  const db = store.db.withTables<ServerTables>() as unknown as Db;
  const postgres = store.dialect === "postgres";

  return {
    async createUser(u) {
      await db
        .insertInto("users")
        .values({
          id: u.id,
          username: u.username,
          display_name: u.displayName,
          password_hash: u.passwordHash,
          role: u.role,
          unit_level: u.unitLevel,
          unit_code: u.unitCode,
          agency_code: u.agencyCode,
          disabled: u.disabled ? 1 : 0,
          locked: u.locked ? 1 : 0,
          must_change_password: u.mustChangePassword ? 1 : 0,
          failures: JSON.stringify(u.failures),
          totp_enc: u.totpEnc,
          totp_pending_enc: u.totpPendingEnc ?? null,
          totp_last_step: u.totpLastStep ?? null,
          created_at: u.createdAt,
        })
        .execute();
    },
    async userByName(username) {
      const row = await db
        .selectFrom("users")
        .selectAll()
        .where("username", "=", username)
        .executeTakeFirst();
      return row ? toUser(row) : undefined;
    },
    async userById(id) {
      const row = await db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? toUser(row) : undefined;
    },
    async listUsers() {
      return (await db.selectFrom("users").selectAll().orderBy("username").execute()).map(toUser);
    },
    async updateUser(id, patch) {
      const set: Partial<ServerTables["users"]> = {};
      if (patch.passwordHash !== undefined) set.password_hash = patch.passwordHash;
      if (patch.disabled !== undefined) set.disabled = patch.disabled ? 1 : 0;
      if (patch.locked !== undefined) set.locked = patch.locked ? 1 : 0;
      if (patch.mustChangePassword !== undefined) set.must_change_password = patch.mustChangePassword ? 1 : 0;
      if (patch.failures !== undefined) set.failures = JSON.stringify(patch.failures);
      if (patch.totpEnc !== undefined) set.totp_enc = patch.totpEnc;
      if (patch.totpPendingEnc !== undefined) set.totp_pending_enc = patch.totpPendingEnc;
      if (patch.totpLastStep !== undefined) set.totp_last_step = patch.totpLastStep;
      if (patch.role !== undefined) set.role = patch.role;
      if (Object.keys(set).length > 0) await db.updateTable("users").set(set).where("id", "=", id).execute();
    },
    async createSession(s) {
      await db
        .insertInto("sessions")
        .values({
          token_hash: s.tokenHash,
          user_id: s.userId,
          created_at: s.createdAt,
          last_seen_at: s.lastSeenAt,
          ip: s.ip,
        })
        .execute();
    },
    async session(tokenHash) {
      const row = await db
        .selectFrom("sessions")
        .selectAll()
        .where("token_hash", "=", tokenHash)
        .executeTakeFirst();
      return row
        ? {
            tokenHash: row.token_hash,
            userId: row.user_id,
            createdAt: num(row.created_at),
            lastSeenAt: num(row.last_seen_at),
          }
        : undefined;
    },
    async touchSession(tokenHash, at) {
      await db
        .updateTable("sessions")
        .set({ last_seen_at: at })
        .where("token_hash", "=", tokenHash)
        .execute();
    },
    async deleteSession(tokenHash) {
      await db.deleteFrom("sessions").where("token_hash", "=", tokenHash).execute();
    },
    async deleteUserSessions(userId) {
      const result = await db.deleteFrom("sessions").where("user_id", "=", userId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async appendAudit(entry) {
      return db.transaction().execute(async (trx) => {
        // One writer at a time extends the chain (SQLite serialises transactions already).
        if (postgres) await sql`select pg_advisory_xact_lock(7243)`.execute(trx);
        const last = await trx
          .selectFrom("audit_log")
          .select(["seq", "hash"])
          .orderBy("seq", "desc")
          .limit(1)
          .executeTakeFirst();
        const seq = last ? num(last.seq) + 1 : 1;
        const prevHash = last?.hash ?? GENESIS_HASH;
        const full: AuditEntry = { ...entry, seq };
        const hash = entryHash(prevHash, full);
        await trx
          .insertInto("audit_log")
          .values({
            seq,
            at: full.at,
            actor: full.actor,
            role: full.role,
            ip: full.ip,
            action: full.action,
            target: full.target,
            outcome: full.outcome,
            detail: JSON.stringify(full.detail),
            prev_hash: prevHash,
            hash,
          })
          .execute();
        const head = JSON.stringify({ seq, hash });
        const settings = trx as unknown as Kysely<{ settings: { key: string; value: string } }>;
        await settings
          .insertInto("settings")
          .values({ key: AUDIT_HEAD_KEY, value: head })
          .onConflict((oc) => oc.column("key").doUpdateSet({ value: head }))
          .execute();
        return { ...full, prevHash, hash };
      });
    },
    async auditEntries(options = {}) {
      let q = db
        .selectFrom("audit_log")
        .selectAll()
        .where("seq", ">=", options.fromSeq ?? 1)
        .orderBy("seq");
      if (options.limit) q = q.limit(options.limit);
      return (await q.execute()).map(toAudit);
    },
    async auditHead() {
      const raw = await store.settings.get(AUDIT_HEAD_KEY);
      return raw ? (JSON.parse(raw) as { seq: number; hash: string }) : { seq: 0, hash: GENESIS_HASH };
    },
    async createCase(c) {
      await db.insertInto("cases").values(caseRow(c)).execute();
    },
    async getCase(id, scope) {
      const row = await db
        .selectFrom("cases")
        .select("doc")
        .where("id", "=", id)
        .where((eb) => scopeCondition(eb, scope))
        .executeTakeFirst();
      return row ? (JSON.parse(row.doc) as Case) : undefined;
    },
    async listCases(scope, filter = {}) {
      let q = db
        .selectFrom("cases")
        .select("doc")
        .where((eb) => scopeCondition(eb, scope));
      if (filter.state) q = q.where("state", "=", filter.state);
      const rows = await q
        .orderBy("updated_at", "desc")
        .limit(filter.limit ?? 500)
        .execute();
      return rows.map((r) => JSON.parse(r.doc) as Case);
    },
    async openCasesFor(scope, subjects, limit = 20) {
      const { seriesIds, locationKeys, callers } = subjects;
      if (seriesIds.length + locationKeys.length + callers.length === 0) return [];
      const rows = await db
        .selectFrom("cases")
        .select("doc")
        .where((eb) =>
          eb.and([
            scopeCondition(eb, scope),
            eb("state", "not in", ["closed_effective", "closed_ineffective", "cancelled"]),
            eb.or([
              ...(seriesIds.length ? [eb("subject_series", "in", seriesIds)] : []),
              ...(locationKeys.length ? [eb("subject_key", "in", locationKeys)] : []),
              ...(callers.length ? [eb("subject_caller", "in", callers)] : []),
            ]),
          ]),
        )
        .orderBy("updated_at", "desc")
        .limit(limit)
        .execute();
      return rows.map((r) => JSON.parse(r.doc) as Case);
    },
    async updateCase(next, expectedVersion) {
      const { id, ...row } = caseRow(next);
      const result = await db
        .updateTable("cases")
        .set(row)
        .where("id", "=", id)
        .where("version", "=", expectedVersion)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}
