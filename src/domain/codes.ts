/**
 * Code lists of the 110 taxonomy, written once: each `as const` array gives both the
 * TypeScript union and the runtime check (zod enum). Labels live in `labels.ts`.
 */

/** First-level incident categories of the default 110 taxonomy. */
export const CATEGORIES = [
  "criminal", // 刑事
  "public_order", // 治安
  "traffic", // 交通
  "fire", // 火灾
  "disaster", // 灾害事故
  "dispute", // 纠纷
  "help", // 求助
  "complaint", // 投诉 (about police or other authorities)
  "non_police", // 非警务
  "invalid", // 无效警情
  "other", // 其他
] as const;
export type Category = (typeof CATEGORIES)[number];

/** Default second-level subtypes per category; deployments may add their own (see Taxonomy). */
export const DEFAULT_SUBTYPES = {
  criminal: [
    "homicide",
    "assault",
    "domestic_violence",
    "sexual",
    "robbery",
    "burglary",
    "theft",
    "fraud",
    "vandalism",
    "drugs",
    "weapons",
    "other",
  ],
  public_order: ["fight", "noise", "disturbance", "gambling", "threat", "suspicious", "trespass", "other"],
  traffic: ["accident", "drunk_driving", "congestion", "violation", "hit_and_run", "other"],
  fire: ["building", "vehicle", "outdoor", "other"],
  disaster: ["flood", "gas", "electric", "collapse", "industrial", "other"],
  dispute: ["neighbour", "family", "labour", "debt", "property_mgmt", "consumer", "traffic_dispute", "other"],
  help: [
    "lost_person",
    "medical",
    "locked_out",
    "elderly",
    "mental_health",
    "suicide",
    "animal",
    "victim_help",
    "other",
  ],
  complaint: ["police", "authority", "other"],
  non_police: ["consultation", "municipal", "utility", "other"],
  invalid: ["silent", "prank", "harassment", "repeat_report", "misdial", "test"],
  other: ["other"],
} as const satisfies Record<Category, readonly string[]>;
export type Subtype<C extends Category = Category> = (typeof DEFAULT_SUBTYPES)[C][number];

/** The dispute subtypes named by the ministry norms for 矛盾纠纷 work. */
export const DISPUTE_SUBTYPES = DEFAULT_SUBTYPES.dispute;
export type DisputeSubtype = (typeof DISPUTE_SUBTYPES)[number];

/** Government departments a non-police call is diverted to (12345 分流). */
export const DEPARTMENTS = [
  "hotline_12345", // 12345 政务服务便民热线
  "urban_management", // 城管
  "housing", // 住建/房管/物业监管
  "environment", // 生态环境
  "market_regulation", // 市场监管
  "labour", // 人社/劳动监察
  "transport", // 交通运输
  "health", // 卫健
  "education", // 教育
  "civil_affairs", // 民政
  "utilities", // 水电气热
  "emergency_management", // 应急管理
  "street_office", // 街道/社区
  "culture_tourism", // 文旅
  "commerce", // 商务
  "other",
] as const;
export type Department = (typeof DEPARTMENTS)[number];

/** Coordinate reference systems in use in China: GPS, the national "Mars" datum, Baidu. */
export const DATUMS = ["wgs84", "gcj02", "bd09"] as const;
export type Datum = (typeof DATUMS)[number];

/** Levels of the police jurisdiction hierarchy, top down. */
export const UNIT_LEVELS = ["city", "branch", "station", "area"] as const;
export type UnitLevel = (typeof UNIT_LEVELS)[number];

/** Languages the user interface and messages speak. */
export const LANGS = ["zh", "en"] as const;
export type Lang = (typeof LANGS)[number];

/** Severity of a data issue: an error rejects the row, a warning keeps it and flags it. */
export const SEVERITIES = ["error", "warning"] as const;
export type Severity = (typeof SEVERITIES)[number];

export function isCategory(value: string): value is Category {
  return (CATEGORIES as readonly string[]).includes(value);
}
