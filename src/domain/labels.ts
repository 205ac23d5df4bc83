import type { Category, Department, Lang, UnitLevel } from "./codes.ts";
import type { Incident } from "./incident.ts";

type Labels<K extends string> = Readonly<Record<K, Readonly<Record<Lang, string>>>>;

/** Display names of categories, as call-takers and analysts say them. */
export const CATEGORY_LABELS: Labels<Category> = {
  criminal: { zh: "刑事", en: "Criminal" },
  public_order: { zh: "治安", en: "Public order" },
  traffic: { zh: "交通", en: "Traffic" },
  fire: { zh: "火灾", en: "Fire" },
  disaster: { zh: "灾害事故", en: "Disaster / accident" },
  dispute: { zh: "纠纷", en: "Dispute" },
  help: { zh: "求助", en: "Help request" },
  complaint: { zh: "投诉", en: "Complaint" },
  non_police: { zh: "非警务", en: "Non-police" },
  invalid: { zh: "无效警情", en: "Invalid" },
  other: { zh: "其他", en: "Other" },
};

/** Display names of subtypes; keys are `category.subtype`. Unknown ones fall back to the code. */
export const SUBTYPE_LABELS: Readonly<Record<string, Readonly<Record<Lang, string>>>> = {
  "criminal.homicide": { zh: "命案", en: "Homicide" },
  "criminal.assault": { zh: "伤害", en: "Assault" },
  "criminal.domestic_violence": { zh: "家庭暴力", en: "Domestic violence" },
  "criminal.sexual": { zh: "性侵", en: "Sexual offence" },
  "criminal.robbery": { zh: "抢劫抢夺", en: "Robbery" },
  "criminal.burglary": { zh: "入室盗窃", en: "Burglary" },
  "criminal.theft": { zh: "盗窃", en: "Theft" },
  "criminal.fraud": { zh: "诈骗", en: "Fraud" },
  "criminal.vandalism": { zh: "毁坏财物", en: "Vandalism" },
  "criminal.drugs": { zh: "涉毒", en: "Drugs" },
  "criminal.weapons": { zh: "涉枪涉爆", en: "Weapons" },
  "public_order.fight": { zh: "打架斗殴", en: "Fight" },
  "public_order.noise": { zh: "噪音扰民", en: "Noise" },
  "public_order.disturbance": { zh: "扰乱秩序", en: "Disturbance" },
  "public_order.gambling": { zh: "赌博", en: "Gambling" },
  "public_order.threat": { zh: "威胁恐吓", en: "Threat" },
  "public_order.suspicious": { zh: "可疑情况", en: "Suspicious" },
  "public_order.trespass": { zh: "非法侵入", en: "Trespass" },
  "traffic.accident": { zh: "交通事故", en: "Traffic accident" },
  "traffic.drunk_driving": { zh: "酒驾", en: "Drunk driving" },
  "traffic.congestion": { zh: "交通拥堵", en: "Congestion" },
  "traffic.violation": { zh: "交通违法", en: "Traffic violation" },
  "traffic.hit_and_run": { zh: "肇事逃逸", en: "Hit and run" },
  "dispute.neighbour": { zh: "邻里纠纷", en: "Neighbour dispute" },
  "dispute.family": { zh: "家庭纠纷", en: "Family dispute" },
  "dispute.labour": { zh: "劳资纠纷", en: "Labour / wages dispute" },
  "dispute.debt": { zh: "债务经济纠纷", en: "Debt / economic dispute" },
  "dispute.property_mgmt": { zh: "物业纠纷", en: "Property management dispute" },
  "dispute.consumer": { zh: "消费纠纷", en: "Consumer dispute" },
  "dispute.traffic_dispute": { zh: "交通纠纷", en: "Traffic dispute" },
  "help.lost_person": { zh: "寻人", en: "Missing person" },
  "help.medical": { zh: "急病救助", en: "Medical help" },
  "help.locked_out": { zh: "开锁求助", en: "Locked out" },
  "help.elderly": { zh: "老人求助", en: "Elderly help" },
  "help.mental_health": { zh: "精神心理", en: "Mental health" },
  "help.suicide": { zh: "轻生", en: "Suicide risk" },
  "help.animal": { zh: "动物求助", en: "Animal" },
  "help.victim_help": { zh: "受害人求助", en: "Victim help" },
  "complaint.police": { zh: "投诉民警", en: "Complaint about police" },
  "complaint.authority": { zh: "投诉其他部门", en: "Complaint about an authority" },
  "invalid.silent": { zh: "无声电话", en: "Silent call" },
  "invalid.prank": { zh: "恶作剧", en: "Prank" },
  "invalid.harassment": { zh: "骚扰电话", en: "Harassment" },
  "invalid.repeat_report": { zh: "重复报警", en: "Repeat report of one event" },
  "invalid.misdial": { zh: "误拨", en: "Misdial" },
  "invalid.test": { zh: "测试", en: "Test call" },
};

export const DEPARTMENT_LABELS: Labels<Department> = {
  hotline_12345: { zh: "12345热线", en: "12345 hotline" },
  urban_management: { zh: "城管", en: "Urban management" },
  housing: { zh: "住建房管", en: "Housing" },
  environment: { zh: "生态环境", en: "Environment" },
  market_regulation: { zh: "市场监管", en: "Market regulation" },
  labour: { zh: "人社劳动监察", en: "Labour inspection" },
  transport: { zh: "交通运输", en: "Transport" },
  health: { zh: "卫生健康", en: "Health" },
  education: { zh: "教育", en: "Education" },
  civil_affairs: { zh: "民政", en: "Civil affairs" },
  utilities: { zh: "水电气热", en: "Utilities" },
  emergency_management: { zh: "应急管理", en: "Emergency management" },
  street_office: { zh: "街道社区", en: "Street / community office" },
  culture_tourism: { zh: "文化旅游", en: "Culture and tourism" },
  commerce: { zh: "商务", en: "Commerce" },
  other: { zh: "其他部门", en: "Other department" },
};

export const UNIT_LEVEL_LABELS: Labels<UnitLevel> = {
  city: { zh: "市局", en: "City" },
  branch: { zh: "分局", en: "Branch" },
  station: { zh: "派出所", en: "Station" },
  area: { zh: "警务区", en: "Police area" },
};

/**
 * Fields an issue can name: every field of the incident model, and the two an import reads as
 * one (`coordinates` from longitude and latitude, `caller` the number before its pseudonym).
 */
export type LabelledField = keyof Incident | "coordinates" | "caller";

/**
 * What each field means, in the words of a command centre (the zh labels are the column names
 * 110 exports use, src/ingest/profile/suggest.ts): issues say 到场时间, not arrivedAt.
 */
export const FIELD_LABELS: Labels<LabelledField> = {
  id: { zh: "警情ID", en: "incident id" },
  sourceSystem: { zh: "来源系统", en: "source system" },
  sourceId: { zh: "警情编号", en: "incident number" },
  batchId: { zh: "导入批次", en: "import batch" },
  receivedAt: { zh: "报警时间", en: "time received" },
  acceptedAt: { zh: "接警时间", en: "time accepted" },
  dispatchedAt: { zh: "派警时间", en: "time dispatched" },
  arrivedAt: { zh: "到场时间", en: "time arrived" },
  // 反馈 (feedback filed) is how 110 systems close a call: 结警.
  closedAt: { zh: "反馈时间", en: "time closed" },
  utcOffsetMin: { zh: "时区偏移", en: "UTC offset" },
  category: { zh: "警情类别", en: "category" },
  subtype: { zh: "警情细类", en: "subtype" },
  sourceCategory: { zh: "原始警情类别", en: "source category" },
  department: { zh: "分流部门", en: "department" },
  address: { zh: "发生地址", en: "address" },
  lon: { zh: "经度", en: "longitude" },
  lat: { zh: "纬度", en: "latitude" },
  datum: { zh: "坐标系", en: "datum" },
  location: { zh: "位置键", en: "location keys" },
  addressComponents: { zh: "地址成分", en: "address components" },
  cityUnit: { zh: "市局", en: "city police" },
  branchUnit: { zh: "分局", en: "branch" },
  stationUnit: { zh: "派出所", en: "station" },
  areaUnit: { zh: "警务区", en: "police area" },
  callerPseudonym: { zh: "报警人假名", en: "caller pseudonym" },
  callerNumberEnc: { zh: "报警电话（加密）", en: "caller number (encrypted)" },
  narrative: { zh: "简要案情", en: "narrative" },
  disposition: { zh: "处警结果", en: "disposition" },
  feedback: { zh: "反馈内容", en: "feedback" },
  coordinates: { zh: "经纬度", en: "coordinates" },
  caller: { zh: "报警电话", en: "caller number" },
};

/**
 * The label of a field, or undefined when recur has none (a source column's name, say).
 * @example fieldLabel("arrivedAt", "zh") // "到场时间"
 */
export function fieldLabel(field: string, lang: Lang): string | undefined {
  return Object.hasOwn(FIELD_LABELS, field) ? FIELD_LABELS[field as LabelledField][lang] : undefined;
}

/**
 * The label of a taxonomy target ("fire", "dispute.family"): the subtype's, else the category's;
 * undefined when it names no category.
 * @example targetLabel("dispute.family", "zh") // "家庭纠纷"
 */
export function targetLabel(target: string, lang: Lang): string | undefined {
  const subtype = Object.hasOwn(SUBTYPE_LABELS, target) ? SUBTYPE_LABELS[target] : undefined;
  if (subtype) return subtype[lang];
  const category = target.split(".")[0] ?? "";
  return Object.hasOwn(CATEGORY_LABELS, category) ? CATEGORY_LABELS[category as Category][lang] : undefined;
}
