import { RecurError } from "../domain/index.ts";

/**
 * The case lifecycle as an explicit transition table (docs/cases.md). A case carries one
 * problem (a repeat series) from assignment to a verified outcome.
 */
export const CASE_STATES = [
  "draft", // created from a series, not yet routed
  "assigned", // routed to a unit or partner agency with an owner and a deadline
  "in_progress", // work under way: visits, mediation, referrals, call-backs
  "resolved", // the owner reports the cause fixed
  "verifying", // watching the data for the verification window
  "closed_effective", // the calls stopped, beyond what matched control places show
  "closed_ineffective", // the window ended and the problem was not shown to stop
  "reopened", // the place or caller recurred; needs routing again
  "cancelled", // not a problem to work (e.g. wrongly created)
] as const;
export type CaseState = (typeof CASE_STATES)[number];

export const CASE_ACTIONS = [
  "assign",
  "start",
  "record", // an action record: visit, mediation, referral, call-back, note, attachment
  "resolve",
  "verify", // start the verification window
  "close_effective",
  "close_ineffective",
  "reopen",
  "cancel",
] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

/** What was done on a case (立案后的处置记录). */
export const WORK_KINDS = ["visit", "mediation", "referral", "callback", "note", "attachment"] as const;
export type WorkKind = (typeof WORK_KINDS)[number];

export const RESOLUTION_TYPES = [
  "mediated", // 调解成功
  "referred_resolved", // 移交相关部门并解决
  "facility_fixed", // 设施/管理问题整改
  "enforcement", // 依法处理
  "support_arranged", // 社会/心理/养老支持到位
  "no_action_possible",
  "other",
] as const;
export type ResolutionType = (typeof RESOLUTION_TYPES)[number];

/** Partner agencies and police units a case can be routed to (警调对接, 12345 分流). */
export const ASSIGNEE_KINDS = ["unit", "agency"] as const;
export type AssigneeKind = (typeof ASSIGNEE_KINDS)[number];

/** from-state → action → to-state. Anything not listed is illegal. */
export const TRANSITIONS: Readonly<Record<CaseState, Partial<Record<CaseAction, CaseState>>>> = {
  draft: { assign: "assigned", cancel: "cancelled" },
  assigned: { assign: "assigned", start: "in_progress", record: "in_progress", cancel: "cancelled" },
  in_progress: { assign: "assigned", record: "in_progress", resolve: "resolved" },
  resolved: { verify: "verifying", reopen: "reopened" },
  verifying: {
    close_effective: "closed_effective",
    close_ineffective: "closed_ineffective",
    reopen: "reopened",
  },
  closed_effective: { reopen: "reopened" },
  closed_ineffective: { reopen: "reopened" },
  reopened: { assign: "assigned", cancel: "cancelled" },
  cancelled: {},
};

/** States in which a deadline runs and a case can be overdue. */
export const OPEN_STATES: readonly CaseState[] = ["draft", "assigned", "in_progress", "reopened"];

export class IllegalTransitionError extends RecurError {
  override readonly name = "IllegalTransitionError";
  constructor(
    readonly from: CaseState,
    readonly action: CaseAction,
  ) {
    const allowed = Object.keys(TRANSITIONS[from]).join(", ") || "—";
    super("illegal_transition", {
      zh: `案件处于“${STATE_LABELS[from].zh}”状态，不能执行“${ACTION_LABELS[action].zh}”（可执行：${allowedZh(from)}）`,
      en: `A case in state "${from}" cannot "${action}" (allowed: ${allowed})`,
    });
  }
}

export class ConflictError extends RecurError {
  override readonly name = "ConflictError";
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super("conflict", {
      zh: `案件已被他人修改（版本 ${actual}，你的版本 ${expected}），请刷新后重试`,
      en: `The case was changed by someone else (version ${actual}, yours ${expected}); reload and try again`,
    });
  }
}

function allowedZh(from: CaseState): string {
  const actions = Object.keys(TRANSITIONS[from]) as CaseAction[];
  return actions.map((a) => ACTION_LABELS[a].zh).join("、") || "无";
}

/**
 * The state after an action, or IllegalTransitionError.
 * @example
 * nextState("draft", "assign") // "assigned"
 */
export function nextState(from: CaseState, action: CaseAction): CaseState {
  const to = TRANSITIONS[from][action];
  if (!to) throw new IllegalTransitionError(from, action);
  return to;
}

export const STATE_LABELS: Readonly<Record<CaseState, { zh: string; en: string }>> = {
  draft: { zh: "草稿", en: "Draft" },
  assigned: { zh: "已分派", en: "Assigned" },
  in_progress: { zh: "处置中", en: "In progress" },
  resolved: { zh: "已化解", en: "Resolved" },
  verifying: { zh: "效果核验中", en: "Verifying" },
  closed_effective: { zh: "已办结（有效）", en: "Closed, effective" },
  closed_ineffective: { zh: "已办结（未见效）", en: "Closed, not effective" },
  reopened: { zh: "已重新打开", en: "Reopened" },
  cancelled: { zh: "已撤销", en: "Cancelled" },
};

export const ACTION_LABELS: Readonly<Record<CaseAction, { zh: string; en: string }>> = {
  assign: { zh: "分派", en: "Assign" },
  start: { zh: "开始处置", en: "Start" },
  record: { zh: "记录处置", en: "Record work" },
  resolve: { zh: "化解", en: "Resolve" },
  verify: { zh: "开始核验", en: "Start verification" },
  close_effective: { zh: "办结（有效）", en: "Close as effective" },
  close_ineffective: { zh: "办结（未见效）", en: "Close as not effective" },
  reopen: { zh: "重新打开", en: "Reopen" },
  cancel: { zh: "撤销", en: "Cancel" },
};
