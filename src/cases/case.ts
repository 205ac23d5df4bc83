import type { Clock, LocationLevel } from "../domain/index.ts";
import { RecurError } from "../domain/index.ts";
import type { WarningLevel } from "../repeat/options.ts";
import {
  type AssigneeKind,
  type CaseAction,
  type CaseState,
  ConflictError,
  nextState,
  OPEN_STATES,
  type ResolutionType,
  type WorkKind,
} from "./lifecycle.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Deadline after assignment per warning level (SLA); configurable per deployment. */
export const DEFAULT_SLA_HOURS: Readonly<Record<WarningLevel, number>> = {
  red: 24,
  orange: 72,
  yellow: 7 * 24,
  blue: 15 * 24,
};

/** Verification windows a case may be watched for after it is resolved. */
export const VERIFY_WINDOWS_DAYS = [30, 60, 90] as const;
export type VerifyWindowDays = (typeof VERIFY_WINDOWS_DAYS)[number];

export interface Assignee {
  readonly kind: AssigneeKind;
  /** Unit code (派出所/警务区) or partner agency code (调委会, 12345, 劳动监察 ...). */
  readonly code: string;
}

/** One entry of a case's history: who did what, when. */
export interface CaseEntry {
  readonly at: number;
  readonly by: string;
  readonly action: CaseAction;
  readonly from: CaseState;
  readonly to: CaseState;
  readonly work?: { readonly kind: WorkKind; readonly text: string; readonly result?: string };
  readonly note?: string;
}

/** The problem a case is about: a place, a caller pseudonym or a matter, never a person's profile. */
export interface CaseSubject {
  readonly kind: "place" | "caller" | "matter";
  readonly seriesId: string | null;
  readonly locationKey: string | null;
  /** Level of locationKey (poi, building, unit, room, road, cross). */
  readonly locationLevel?: LocationLevel | null | undefined;
  readonly callerPseudonym: string | null;
  readonly group: string | null;
  /** Domestic violence / victim help: protective follow-up, never nuisance. */
  readonly protective: boolean;
}

export interface Case {
  readonly id: string;
  /** Incremented on every change; a change names the version it read (optimistic concurrency). */
  readonly version: number;
  readonly state: CaseState;
  readonly title: string;
  readonly subject: CaseSubject;
  readonly warning: WarningLevel;
  /** Jurisdiction of the case's place, for scoping. */
  readonly branchUnit: string | null;
  readonly stationUnit: string | null;
  readonly assignee: Assignee | null;
  readonly owner: string | null;
  readonly deadline: number | null;
  readonly resolution: ResolutionType | null;
  readonly resolvedAt: number | null;
  readonly verifyDays: VerifyWindowDays | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly history: readonly CaseEntry[];
}

export type CaseCommand =
  | {
      readonly action: "assign";
      readonly assignee: Assignee;
      readonly owner: string;
      readonly slaHours?: number;
    }
  | { readonly action: "start" }
  | { readonly action: "record"; readonly kind: WorkKind; readonly text: string; readonly result?: string }
  | { readonly action: "resolve"; readonly resolution: ResolutionType; readonly note?: string }
  | { readonly action: "verify"; readonly days: VerifyWindowDays }
  | { readonly action: "close_effective"; readonly note?: string }
  | { readonly action: "close_ineffective"; readonly note?: string }
  | { readonly action: "reopen"; readonly reason: string }
  | { readonly action: "cancel"; readonly reason: string };

export class InvalidCaseCommandError extends RecurError {
  override readonly name = "InvalidCaseCommandError";
}

export function newCase(input: {
  id: string;
  title: string;
  subject: CaseSubject;
  warning: WarningLevel;
  branchUnit: string | null;
  stationUnit: string | null;
  by: string;
  clock: Clock;
}): Case {
  const at = input.clock.now();
  return {
    id: input.id,
    version: 1,
    state: "draft",
    title: input.title,
    subject: input.subject,
    warning: input.warning,
    branchUnit: input.branchUnit,
    stationUnit: input.stationUnit,
    assignee: null,
    owner: null,
    deadline: null,
    resolution: null,
    resolvedAt: null,
    verifyDays: null,
    createdAt: at,
    updatedAt: at,
    history: [],
  };
}

/**
 * Applies one command to a case: checks the version the caller read, the transition table and
 * the command's own fields, and returns the new case. Pure: the store persists the result
 * with a compare-and-set on the version.
 * @example
 * applyCase(c, c.version, { action: "assign", assignee: { kind: "unit", code: "S01" }, owner: "u1" }, "u1", clock)
 */
export function applyCase(
  current: Case,
  expectedVersion: number,
  command: CaseCommand,
  by: string,
  clock: Clock,
  slaHours: Readonly<Record<WarningLevel, number>> = DEFAULT_SLA_HOURS,
): Case {
  if (current.version !== expectedVersion) throw new ConflictError(expectedVersion, current.version);
  const to = nextState(current.state, command.action);
  const at = clock.now();
  const entry: CaseEntry = { at, by, action: command.action, from: current.state, to };
  const base = { ...current, version: current.version + 1, state: to, updatedAt: at };
  switch (command.action) {
    case "assign": {
      const hours = command.slaHours ?? slaHours[current.warning];
      if (!command.owner.trim() || !command.assignee.code.trim())
        throw invalid(
          "assignee_required",
          "分派需要指定承办单位和责任人",
          "Assigning needs a unit or agency and an owner",
        );
      return {
        ...base,
        assignee: command.assignee,
        owner: command.owner,
        deadline: at + hours * HOUR,
        history: [...current.history, entry],
      };
    }
    case "record":
      if (!command.text.trim())
        throw invalid("work_text_required", "处置记录不能为空", "A work record needs a text");
      return {
        ...base,
        history: [
          ...current.history,
          {
            ...entry,
            work: {
              kind: command.kind,
              text: command.text,
              ...(command.result ? { result: command.result } : {}),
            },
          },
        ],
      };
    case "resolve":
      return {
        ...base,
        resolution: command.resolution,
        resolvedAt: at,
        history: [...current.history, withNote(entry, command.note)],
      };
    case "verify":
      return { ...base, verifyDays: command.days, history: [...current.history, entry] };
    case "reopen":
    case "cancel":
      if (!command.reason.trim()) throw invalid("reason_required", "需要填写原因", "A reason is required");
      return {
        ...base,
        ...(command.action === "reopen"
          ? { resolution: null, resolvedAt: null, verifyDays: null, deadline: null }
          : {}),
        history: [...current.history, withNote(entry, command.reason)],
      };
    case "close_effective":
    case "close_ineffective":
      return { ...base, history: [...current.history, withNote(entry, command.note)] };
    case "start":
      return { ...base, history: [...current.history, entry] };
  }
}

function withNote(entry: CaseEntry, note: string | undefined): CaseEntry {
  return note ? { ...entry, note } : entry;
}

function invalid(code: string, zh: string, en: string): InvalidCaseCommandError {
  return new InvalidCaseCommandError(code, { zh, en });
}

/** Cases whose deadline has passed while still open (超期预警), most overdue first. */
export function overdueCases(cases: readonly Case[], clock: Clock): Case[] {
  const now = clock.now();
  return cases
    .filter((c) => OPEN_STATES.includes(c.state) && c.deadline !== null && c.deadline < now)
    .sort((a, b) => (a.deadline ?? 0) - (b.deadline ?? 0));
}

/** The end of a verifying case's window, or null when it is not verifying. */
export function verificationEnds(c: Case): number | null {
  if (c.state !== "verifying" || c.resolvedAt === null || c.verifyDays === null) return null;
  return c.resolvedAt + c.verifyDays * DAY;
}
