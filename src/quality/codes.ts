import type { Issue, MessageCatalog, Severity } from "../domain/index.ts";

/**
 * Every data-quality issue recur raises about an incident, written once. Where the synthetic
 * city injects the same defect (docs/synthetic-city.md), the code is the generator's defect code,
 * so that the truth file and the rules speak one language.
 */
export const QUALITY_CODES = [
  // 六要素 / completeness
  "missing_time",
  "missing_address",
  "missing_place",
  "missing_people",
  "missing_cause",
  "missing_process",
  "missing_disposition",
  "empty_narrative",
  "missing_feedback_text",
  "missing_station",
  // timeliness
  "late_feedback",
  "missing_feedback",
  "slow_dispatch",
  "slow_arrival",
  // consistency
  "accept_before_receive",
  "dispatch_before_accept",
  "arrival_before_dispatch",
  "close_before_arrival",
  "future_time",
  "coords_outside",
  "coords_invalid",
  "wrong_category",
  "wrong_subtype",
  "department_mismatch",
  "conflicting_duplicate",
  "outcome_mismatch",
  // labels (standard codes)
  "unknown_subtype",
  "missing_subtype",
  "missing_department",
  "unexpected_department",
  // validity
  "suspected_invalid",
] as const;
export type QualityCode = (typeof QUALITY_CODES)[number];

/** The scorecard dimension an issue counts against. */
export const DIMENSIONS = ["completeness", "timeliness", "consistency", "labels"] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export const CODE_DIMENSION: Readonly<Record<QualityCode, Dimension>> = {
  missing_time: "completeness",
  missing_address: "completeness",
  missing_place: "completeness",
  missing_people: "completeness",
  missing_cause: "completeness",
  missing_process: "completeness",
  missing_disposition: "completeness",
  empty_narrative: "completeness",
  missing_feedback_text: "completeness",
  missing_station: "completeness",
  late_feedback: "timeliness",
  missing_feedback: "timeliness",
  slow_dispatch: "timeliness",
  slow_arrival: "timeliness",
  accept_before_receive: "consistency",
  dispatch_before_accept: "consistency",
  arrival_before_dispatch: "consistency",
  close_before_arrival: "consistency",
  future_time: "consistency",
  coords_outside: "consistency",
  coords_invalid: "consistency",
  wrong_category: "labels",
  wrong_subtype: "labels",
  department_mismatch: "labels",
  conflicting_duplicate: "consistency",
  outcome_mismatch: "consistency",
  unknown_subtype: "labels",
  missing_subtype: "labels",
  missing_department: "labels",
  unexpected_department: "labels",
  suspected_invalid: "consistency",
};

/** Default severity: an error is a defect a reviewer must fix; a warning asks for a look. */
export const DEFAULT_SEVERITY: Readonly<Record<QualityCode, Severity>> = {
  missing_time: "error",
  missing_address: "error",
  missing_place: "error",
  missing_people: "warning",
  missing_cause: "warning",
  missing_process: "warning",
  missing_disposition: "error",
  empty_narrative: "error",
  missing_feedback_text: "warning",
  missing_station: "error",
  late_feedback: "error",
  missing_feedback: "error",
  slow_dispatch: "warning",
  slow_arrival: "warning",
  accept_before_receive: "error",
  dispatch_before_accept: "error",
  arrival_before_dispatch: "error",
  close_before_arrival: "error",
  future_time: "error",
  coords_outside: "error",
  coords_invalid: "error",
  wrong_category: "error",
  wrong_subtype: "warning",
  department_mismatch: "warning",
  conflicting_duplicate: "warning",
  outcome_mismatch: "warning",
  unknown_subtype: "error",
  missing_subtype: "warning",
  missing_department: "error",
  unexpected_department: "warning",
  suspected_invalid: "warning",
};

/** An issue about one incident. `field` names the Incident field; `value` is shortened and masked. */
export type QualityIssue = Issue<QualityCode>;

export const QUALITY_MESSAGES: MessageCatalog<QualityCode> = {
  missing_time: { zh: "缺少报警时间", en: "The time of the call is missing" },
  missing_address: {
    zh: "缺少发生地址（该类警情须填写地址）",
    en: "The address is missing (required for this category)",
  },
  missing_place: {
    zh: "六要素缺“地点”：地址、坐标和案情中均无地点",
    en: "Six elements: no place in the address, coordinates or narrative",
  },
  missing_people: {
    zh: "六要素缺“人物”：案情与反馈未提及当事人",
    en: "Six elements: the narrative and feedback name no party",
  },
  missing_cause: { zh: "六要素缺“起因”：未说明事由", en: "Six elements: the cause is not stated" },
  missing_process: {
    zh: "六要素缺“经过”：未说明处警经过",
    en: "Six elements: the police action is not described",
  },
  missing_disposition: {
    zh: "六要素缺“结果”：处警结果为空",
    en: "Six elements: the disposition (result) is empty",
  },
  empty_narrative: { zh: "简要案情为空", en: "The narrative is empty" },
  missing_feedback_text: { zh: "反馈内容为空", en: "The feedback text is empty" },
  missing_station: { zh: "未填写所属派出所", en: "No station is recorded" },
  late_feedback: {
    zh: "反馈超时：报警后 {hours} 小时才反馈（规定 {limit} 小时内）",
    en: "Late feedback: filed {hours} h after the call (policy: within {limit} h)",
  },
  missing_feedback: {
    zh: "已超过 {limit} 小时仍未反馈",
    en: "No feedback filed although {limit} h have passed",
  },
  slow_dispatch: {
    zh: "派警慢：接警后 {minutes} 分钟才派警（规定 {limit} 分钟）",
    en: "Slow dispatch: {minutes} min after acceptance (policy: {limit} min)",
  },
  slow_arrival: {
    zh: "到场慢：派警后 {minutes} 分钟才到场（规定 {limit} 分钟）",
    en: "Slow arrival: {minutes} min after dispatch (policy: {limit} min)",
  },
  accept_before_receive: { zh: "接警时间早于报警时间", en: "Accepted before the call was received" },
  dispatch_before_accept: { zh: "派警时间早于{earlier:label}", en: "Dispatched before the {earlier:label}" },
  arrival_before_dispatch: { zh: "到场时间早于{earlier:label}", en: "Arrived before the {earlier:label}" },
  close_before_arrival: { zh: "反馈时间早于{earlier}", en: "Closed before the {earlier} time" },
  future_time: { zh: "{field:label}晚于当前时间：{value}", en: "{field:label} lies in the future: {value}" },
  coords_outside: {
    zh: "坐标不在辖区内（{reason}）：{value}",
    en: "Coordinates outside the jurisdiction ({reason}): {value}",
  },
  coords_invalid: { zh: "坐标无效：{value}", en: "Invalid coordinates: {value}" },
  wrong_category: {
    zh: "警情类别“{recorded}”与案情不符，案情更像“{suggested}”（依据：{evidence}）",
    en: "Category “{recorded}” does not match the narrative, which reads as “{suggested}” (cues: {evidence})",
  },
  wrong_subtype: {
    zh: "警情细类“{recorded}”与案情不符，建议“{suggested}”",
    en: "Subtype “{recorded}” does not match the narrative; suggested “{suggested}”",
  },
  department_mismatch: {
    zh: "处置部门“{recorded}”与诉求不符，建议“{suggested}”",
    en: "Department “{recorded}” does not match the request; suggested “{suggested}”",
  },
  conflicting_duplicate: {
    zh: "与同一事件的警情 {other} 类别不一致（{recorded} / {otherCategory}）",
    en: "Same event as {other} but a different category ({recorded} / {otherCategory})",
  },
  outcome_mismatch: {
    zh: "处警结果“{value}”与反馈内容不一致（反馈为“{outcome}”）",
    en: "Disposition “{value}” contradicts the feedback (which says “{outcome}”)",
  },
  unknown_subtype: { zh: "细类 {value} 不在本地分类标准中", en: "Subtype {value} is not in the taxonomy" },
  missing_subtype: { zh: "未填写警情细类", en: "No subtype is recorded" },
  missing_department: {
    zh: "非警务警情未填写处置部门（12345 分流）",
    en: "Non-police call without a responsible department (12345 diversion)",
  },
  unexpected_department: {
    zh: "警务类警情不应填写处置部门：{value}",
    en: "A police matter should not carry a department: {value}",
  },
  suspected_invalid: { zh: "疑似无效警情：{reason}", en: "Suspected invalid call: {reason}" },
};

/** Short names of the codes, for lists and scorecards (the full message needs the issue's values). */
export const QUALITY_CODE_LABELS: Readonly<
  Record<QualityCode, { readonly zh: string; readonly en: string }>
> = {
  missing_time: { zh: "缺报警时间", en: "No call time" },
  missing_address: { zh: "缺发生地址", en: "No address" },
  missing_place: { zh: "缺地点要素", en: "No place" },
  missing_people: { zh: "缺人员要素", en: "No people named" },
  missing_cause: { zh: "缺起因要素", en: "No cause" },
  missing_process: { zh: "缺处置经过", en: "No police action" },
  missing_disposition: { zh: "缺处警结果", en: "No disposition" },
  empty_narrative: { zh: "简要案情为空", en: "Empty narrative" },
  missing_feedback_text: { zh: "反馈内容为空", en: "Empty feedback" },
  missing_station: { zh: "缺管辖派出所", en: "No station" },
  late_feedback: { zh: "反馈超时", en: "Late feedback" },
  missing_feedback: { zh: "逾期未反馈", en: "Feedback overdue" },
  slow_dispatch: { zh: "派警超时", en: "Slow dispatch" },
  slow_arrival: { zh: "到场超时", en: "Slow arrival" },
  accept_before_receive: { zh: "接警早于报警", en: "Accepted before received" },
  dispatch_before_accept: { zh: "派警早于接警", en: "Dispatched before accepted" },
  arrival_before_dispatch: { zh: "到场早于派警", en: "Arrived before dispatched" },
  close_before_arrival: { zh: "结束早于到场", en: "Closed before arrival" },
  future_time: { zh: "时间晚于当前", en: "Time in the future" },
  coords_outside: { zh: "坐标超出辖区", en: "Coordinates outside" },
  coords_invalid: { zh: "坐标无效", en: "Invalid coordinates" },
  wrong_category: { zh: "警情类别与案情不符", en: "Category contradicts narrative" },
  wrong_subtype: { zh: "细类与案情不符", en: "Subtype contradicts narrative" },
  department_mismatch: { zh: "分流部门与案情不符", en: "Department contradicts narrative" },
  conflicting_duplicate: { zh: "同一事件类别冲突", en: "Duplicate with other category" },
  outcome_mismatch: { zh: "处警结果与反馈矛盾", en: "Disposition contradicts feedback" },
  unknown_subtype: { zh: "细类不在分类表", en: "Unknown subtype" },
  missing_subtype: { zh: "未填细类", en: "No subtype" },
  missing_department: { zh: "非警务未填分流部门", en: "No department" },
  unexpected_department: { zh: "警务警情填了分流部门", en: "Unexpected department" },
  suspected_invalid: { zh: "疑似无效警情", en: "Suspected invalid call" },
};
