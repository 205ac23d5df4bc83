import type { Kysely } from "kysely";
import type { AttachmentInfo } from "../cases/attachments.ts";
import type { Store } from "./types.ts";

/** Table of migration 0012_case_attachments. */
type AttachmentTables = {
  case_attachments: {
    id: string;
    case_id: string;
    name: string | null;
    ext: string;
    mime: string;
    size: number | string;
    sha256: string;
    uploaded_by: string;
    uploaded_at: number | string;
    content: Uint8Array | null;
    deleted_at: number | string | null;
  };
  cases: { id: string; state: string; updated_at: number };
};

export interface NewAttachment extends Omit<AttachmentInfo, "deletedAt"> {
  readonly content: Uint8Array;
}

export interface AttachmentRepository {
  save(attachment: NewAttachment): Promise<void>;
  /** Attachments of one case, oldest first, without their bytes. */
  list(caseId: string): Promise<AttachmentInfo[]>;
  /** One attachment of one case with its bytes (null once retention removed them). */
  get(caseId: string, id: string): Promise<{ info: AttachmentInfo; content: Uint8Array | null } | undefined>;
  /**
   * Retention: removes the bytes and file names of attachments of cases closed or cancelled
   * and unchanged since before `before`. Returns how many were removed.
   */
  removeForClosedCasesBefore(before: number, at: number): Promise<number>;
}

const num = (v: unknown): number => (typeof v === "number" ? v : Number(v));
const FINAL_STATES = ["closed_effective", "closed_ineffective", "cancelled"];

function toInfo(r: Omit<AttachmentTables["case_attachments"], "content">): AttachmentInfo {
  return {
    id: r.id,
    caseId: r.case_id,
    name: r.name,
    ext: r.ext,
    mime: r.mime,
    size: num(r.size),
    sha256: r.sha256,
    uploadedBy: r.uploaded_by,
    uploadedAt: num(r.uploaded_at),
    deletedAt: r.deleted_at === null ? null : num(r.deleted_at),
  };
}

const INFO_COLUMNS = [
  "id",
  "case_id",
  "name",
  "ext",
  "mime",
  "size",
  "sha256",
  "uploaded_by",
  "uploaded_at",
  "deleted_at",
] as const;

/**
 * Case attachments, bytes kept in the store (a blob on SQLite, bytea on PostgreSQL), so that
 * one backup holds everything and every server of a deployment reads the same files.
 * Scoping happens before: callers look the case up in the user's scope first.
 * @example
 * await attachmentRepository(store).list(caseId)
 */
export function attachmentRepository(store: Store): AttachmentRepository {
  const db = store.db.withTables<AttachmentTables>() as unknown as Kysely<AttachmentTables>;
  return {
    async save(a) {
      await db
        .insertInto("case_attachments")
        .values({
          id: a.id,
          case_id: a.caseId,
          name: a.name,
          ext: a.ext,
          mime: a.mime,
          size: a.size,
          sha256: a.sha256,
          uploaded_by: a.uploadedBy,
          uploaded_at: a.uploadedAt,
          content: Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength),
          deleted_at: null,
        })
        .execute();
    },
    async list(caseId) {
      const rows = await db
        .selectFrom("case_attachments")
        .select(INFO_COLUMNS)
        .where("case_id", "=", caseId)
        .orderBy("uploaded_at")
        .orderBy("id")
        .execute();
      return rows.map(toInfo);
    },
    async get(caseId, id) {
      const row = await db
        .selectFrom("case_attachments")
        .selectAll()
        .where("case_id", "=", caseId)
        .where("id", "=", id)
        .executeTakeFirst();
      if (!row) return undefined;
      const content = row.content === null ? null : new Uint8Array(row.content);
      return { info: toInfo(row), content };
    },
    async removeForClosedCasesBefore(before, at) {
      const result = await db
        .updateTable("case_attachments")
        .set({ content: null, name: null, deleted_at: at })
        .where("deleted_at", "is", null)
        .where("case_id", "in", (eb) =>
          eb
            .selectFrom("cases")
            .select("id")
            .where("state", "in", FINAL_STATES)
            .where("updated_at", "<", before),
        )
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}
