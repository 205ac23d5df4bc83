import { createHash } from "node:crypto";

/**
 * The audit log is append-only and hash-chained: each entry's hash covers its content and the
 * previous hash, so editing or deleting any row breaks the chain from there on
 * (`recur audit verify`). Entries carry ids and outcomes, never personal data.
 */
export interface AuditEntry {
  readonly seq: number;
  readonly at: number;
  readonly actor: string;
  readonly role: string | null;
  readonly ip: string | null;
  readonly action: string;
  readonly target: string | null;
  readonly outcome: "ok" | "denied" | "failed";
  readonly detail: Readonly<Record<string, string | number | boolean | null>>;
}

export interface ChainedAuditEntry extends AuditEntry {
  readonly prevHash: string;
  readonly hash: string;
}

export const GENESIS_HASH = "0".repeat(64);

/** The hash of an entry given the previous one: SHA-256 over a canonical JSON array. */
export function entryHash(prevHash: string, entry: AuditEntry): string {
  const detail = Object.keys(entry.detail)
    .sort()
    .map((k) => [k, entry.detail[k] ?? null]);
  const canonical = JSON.stringify([
    prevHash,
    entry.seq,
    entry.at,
    entry.actor,
    entry.role,
    entry.ip,
    entry.action,
    entry.target,
    entry.outcome,
    detail,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

export type ChainProblem =
  | { readonly kind: "gap"; readonly seq: number; readonly expected: number }
  | { readonly kind: "prev_mismatch"; readonly seq: number }
  | { readonly kind: "hash_mismatch"; readonly seq: number };

/**
 * Checks a chain in seq order; returns the first problem, or undefined when intact.
 * @example
 * verifyChain(await store.audit.all()) // undefined when nothing was changed
 */
export function verifyChain(entries: Iterable<ChainedAuditEntry>): ChainProblem | undefined {
  let prev = GENESIS_HASH;
  let expected = 1;
  for (const entry of entries) {
    if (entry.seq !== expected) return { kind: "gap", seq: entry.seq, expected };
    if (entry.prevHash !== prev) return { kind: "prev_mismatch", seq: entry.seq };
    if (entryHash(prev, entry) !== entry.hash) return { kind: "hash_mismatch", seq: entry.seq };
    prev = entry.hash;
    expected++;
  }
  return undefined;
}
