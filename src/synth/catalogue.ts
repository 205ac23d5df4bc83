import type { Category, Department, Random } from "../domain/index.ts";
import { bankCard, mobile, plate, residentId, someone } from "./identifiers.ts";
import { between, chance } from "./rng.ts";

/**
 * What kinds of calls the city receives: category and subtype, responsible department, where
 * they happen, when (hour of day, weekends), how the centre responds, how often several
 * people call about one event, and how the records read (简要案情, 处警结果, 反馈内容).
 * The narratives carry the words that make the category recoverable from the text, and the
 * identifiers (IDs, phones, plates, cards) that import must mask.
 */

export type PlaceSpec =
  | "flat"
  | "building"
  | "compound"
  | "road"
  | "cross"
  | "market"
  | "school"
  | "hospital"
  | "police"
  | "site"
  | "none"
  | `shop:${string}`;

export type HourProfile = "traffic" | "night" | "day" | "evening" | "flat";

/** police: a unit is dispatched; desk: handled on the phone or referred; none: nothing to do. */
export type Response = "police" | "desk" | "none";

/** Text helper handed to templates. */
export interface Say {
  readonly rng: Random;
  /** The place as mentioned in the narrative. */
  readonly at: string;
  phone(): string;
  id(): string;
  plate(): string;
  card(): string;
  who(): string;
  money(min: number, max: number): string;
  /** A local date some days before the call, as records write it ("5月3日"). */
  daysAgo(min: number, max: number): string;
  /** A work-order number of the 12345 hotline (an ordinary number import must keep). */
  workOrder(): string;
}

export type Template = (s: Say) => string;

export interface Kind {
  readonly code: string;
  readonly category: Category;
  readonly subtype: string;
  readonly department: Department | null;
  /** Relative share of background events. */
  readonly weight: number;
  readonly places: readonly (readonly [PlaceSpec, number])[];
  readonly hours: HourProfile;
  /** Multiplier of the weight on Saturdays and Sundays. */
  readonly weekend: number;
  readonly response: Response;
  /** Probability that an event has several calls, and the most calls one event gets. */
  readonly duplicates: { readonly p: number; readonly max: number };
  /** What happened, as a repeat report says it ("发生交通事故"). */
  readonly short: string;
  readonly narratives: readonly Template[];
  readonly dispositions: readonly string[];
  readonly feedback: readonly Template[];
}

const injury = (s: Say): string =>
  s.rng.pick(["无人员受伤", "无人员受伤", "一人轻微受伤", "有人受伤，已通知120"]);

/** The helper templates receive; a class, so no closures are allocated per row. */
const SAY_DAY_MS = 86_400_000;
const SAY_OFFSET_MS = 8 * 3_600_000;

class Sayer implements Say {
  constructor(
    readonly rng: Random,
    readonly at: string,
    /** Epoch ms of the call. */
    private readonly when: number,
  ) {}
  private localDate(ms: number): Date {
    return new Date(Math.floor((ms + SAY_OFFSET_MS) / SAY_DAY_MS) * SAY_DAY_MS);
  }
  daysAgo(min: number, max: number): string {
    const d = this.localDate(this.when - between(this.rng, min, max) * SAY_DAY_MS);
    return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
  }
  workOrder(): string {
    const d = this.localDate(this.when);
    const ymd = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, "0")}${String(d.getUTCDate()).padStart(2, "0")}`;
    return `${ymd}${String(this.rng.int(1_000_000)).padStart(6, "0")}`;
  }
  phone(): string {
    return mobile(this.rng);
  }
  id(): string {
    return residentId(this.rng);
  }
  plate(): string {
    return plate(this.rng);
  }
  card(): string {
    return bankCard(this.rng);
  }
  who(): string {
    return someone(this.rng);
  }
  money(min: number, max: number): string {
    const v = between(this.rng, min, max);
    return v >= 10000 && chance(this.rng, 0.4)
      ? `${(v / 10000).toFixed(1)}万`
      : String(v >= 1000 ? Math.round(v / 100) * 100 : v);
  }
}

export function makeSay(rng: Random, at: string, when = 0): Say {
  return new Sayer(rng, at, when);
}

const police = { p: 0.03, max: 2 } as const;
const none = { p: 0, max: 1 } as const;

export const KINDS: readonly Kind[] = [
  // ---- traffic ----
  {
    code: "traffic.accident",
    category: "traffic",
    subtype: "accident",
    department: null,
    weight: 190,
    places: [
      ["cross", 55],
      ["road", 45],
    ],
    hours: "traffic",
    weekend: 0.9,
    response: "police",
    duplicates: { p: 0.14, max: 6 },
    short: "发生交通事故",
    narratives: [
      (s) => `报警人称在${s.at}两车相撞，${injury(s)}，车牌号${s.plate()}、${s.plate()}，需交警到场处理。`,
      (s) =>
        `${s.at}发生交通事故，一辆电动车与小轿车（${s.plate()}）碰撞，电动车驾驶人倒地，报警人电话${s.phone()}。`,
      (s) => `报警人称其驾驶的${s.plate()}在${s.at}被后车追尾，${injury(s)}，要求出警处理事故。`,
      (s) => `${s.at}一辆货车与出租车发生剐蹭事故，造成道路拥堵，报警人${s.who()}（${s.phone()}）要求处理。`,
    ],
    dispositions: ["已处置", "已移交交警", "简易程序处理", "双方自行协商"],
    feedback: [
      () => "民警到场，双方车辆已挪至路边，经交警简易程序处理，责任认定后双方自行协商解决。",
      () => "经现场查看，事故造成车辆受损，无人员受伤，已移交交警大队处理。",
      (s) => `到场后伤者已由120送医，事故车辆${s.plate()}已扣留，移交交警事故中队处理。`,
    ],
  },
  {
    code: "traffic.congestion",
    category: "traffic",
    subtype: "congestion",
    department: null,
    weight: 14,
    places: [
      ["cross", 80],
      ["road", 20],
    ],
    hours: "traffic",
    weekend: 0.8,
    response: "police",
    duplicates: { p: 0.05, max: 3 },
    short: "交通拥堵",
    narratives: [
      (s) => `报警人称${s.at}车辆拥堵严重，已堵了半小时，请求疏导交通。`,
      (s) => `${s.at}信号灯故障，路口交通拥堵，报警人要求派人疏导。`,
    ],
    dispositions: ["已疏导", "已处置"],
    feedback: [() => "民警到场疏导交通，现场已恢复通行。", () => "已通知交警到场指挥，拥堵已缓解。"],
  },
  {
    code: "traffic.violation",
    category: "traffic",
    subtype: "violation",
    department: null,
    weight: 40,
    places: [
      ["compound", 40],
      ["road", 40],
      ["shop:supermarket", 10],
      ["school", 10],
    ],
    hours: "day",
    weekend: 1,
    response: "police",
    duplicates: police,
    short: "车辆违停",
    narratives: [
      (s) => `报警人称${s.at}有一辆车牌号为${s.plate()}的车辆违停，挡住出入口，联系不上车主。`,
      (s) => `报警人称${s.at}有车辆违法停车堵住消防通道，车牌${s.plate()}，要求处理。`,
      (s) => `报警人称${s.at}有车辆逆行、违法占用应急车道，车牌${s.plate()}。`,
    ],
    dispositions: ["已联系车主挪车", "已处置", "已移交交警"],
    feedback: [() => "民警到场后联系车主将车辆挪走，并进行了批评教育。", () => "已通知交警贴单处理。"],
  },
  {
    code: "traffic.drunk_driving",
    category: "traffic",
    subtype: "drunk_driving",
    department: null,
    weight: 10,
    places: [
      ["road", 60],
      ["cross", 30],
      ["shop:bbq", 10],
    ],
    hours: "night",
    weekend: 1.3,
    response: "police",
    duplicates: police,
    short: "有人酒后驾驶",
    narratives: [
      (s) => `报警人称${s.at}有一辆${s.plate()}的小车驾驶人疑似酒后驾驶，车辆走S形。`,
      (s) => `报警人称在${s.at}看到一名男子喝酒后开车离开，车牌号${s.plate()}，怀疑酒驾。`,
    ],
    dispositions: ["已查获", "已移交交警", "未发现"],
    feedback: [() => "经查驾驶人血液酒精含量超标，已移交交警处理。", () => "民警到场巡查，未发现该车辆。"],
  },
  {
    code: "traffic.hit_and_run",
    category: "traffic",
    subtype: "hit_and_run",
    department: null,
    weight: 12,
    places: [
      ["road", 60],
      ["cross", 40],
    ],
    hours: "traffic",
    weekend: 1,
    response: "police",
    duplicates: { p: 0.1, max: 3 },
    short: "发生肇事逃逸",
    narratives: [
      (s) => `报警人称在${s.at}被一辆车（${s.plate()}）撞倒后，肇事车辆逃逸，报警人腿部受伤。`,
      (s) => `报警人称其停在${s.at}的车被撞后对方肇事逃逸，现场留有车辆碎片。`,
    ],
    dispositions: ["已移交交警", "已立案"],
    feedback: [() => "已调取周边监控，移交交警事故中队追查肇事逃逸车辆。"],
  },
  // ---- criminal ----
  {
    code: "criminal.theft",
    category: "criminal",
    subtype: "theft",
    department: null,
    weight: 21,
    places: [
      ["compound", 25],
      ["shop:supermarket", 15],
      ["market", 15],
      ["road", 20],
      ["shop:netcafe", 10],
      ["building", 15],
    ],
    hours: "day",
    weekend: 1.1,
    response: "police",
    duplicates: police,
    short: "发生盗窃",
    narratives: [
      (s) => `报警人称其停放在${s.at}的电动车被盗，车辆价值约${s.money(1200, 4500)}元。`,
      (s) =>
        `报警人${s.who()}称在${s.at}附近手机被盗，被盗手机号${s.phone()}，价值${s.money(1500, 8000)}元。`,
      (s) => `报警人称在${s.at}包内现金约${s.money(500, 6000)}元被盗，要求调取监控。`,
    ],
    dispositions: ["已受案", "已立案", "已处置"],
    feedback: [
      () => "民警到场勘查现场，制作笔录，已受案调查，正在调取周边监控。",
      () => "已立为盗窃案件侦查，告知报警人等候通知。",
    ],
  },
  {
    code: "criminal.burglary",
    category: "criminal",
    subtype: "burglary",
    department: null,
    weight: 5,
    places: [["flat", 100]],
    hours: "day",
    weekend: 1,
    response: "police",
    duplicates: none,
    short: "被入室盗窃",
    narratives: [
      (s) => `报警人称其家中（${s.at}）被撬门入室盗窃，丢失现金${s.money(800, 20000)}元及金银首饰若干。`,
      (s) => `报警人称回家发现${s.at}防盗窗被破坏，家中被盗，损失待清点。`,
    ],
    dispositions: ["已立案", "已受案"],
    feedback: [() => "技术员已到场勘查提取痕迹，已立为入室盗窃案件侦查。"],
  },
  {
    code: "criminal.fraud",
    category: "criminal",
    subtype: "fraud",
    department: null,
    weight: 14,
    places: [
      ["flat", 55],
      ["road", 15],
      ["shop:phone", 15],
      ["police", 15],
    ],
    hours: "day",
    weekend: 0.9,
    response: "police",
    duplicates: none,
    short: "被诈骗",
    narratives: [
      (s) =>
        `报警人${s.who()}（身份证号${s.id()}）称${s.daysAgo(0, 3)}接到自称客服的电话，按对方要求通过银行卡${s.card()}转账${s.money(2000, 90000)}元后发现被骗。`,
      (s) => `报警人称在网上刷单被骗${s.money(500, 30000)}元，对方已将其拉黑，报警人手机${s.phone()}。`,
      (s) =>
        `报警人称有人冒充公检法人员，以涉嫌洗钱为由骗取其${s.money(10000, 200000)}元，转出卡号${s.card()}。`,
    ],
    dispositions: ["已受案", "已立案", "已移交反诈中心"],
    feedback: [
      () => "已指导报警人到派出所制作笔录，涉案账户已推送反诈中心紧急止付。",
      () => "民警联系报警人了解情况，已立为电信网络诈骗案件。",
    ],
  },
  {
    code: "criminal.robbery",
    category: "criminal",
    subtype: "robbery",
    department: null,
    weight: 2,
    places: [
      ["road", 70],
      ["cross", 30],
    ],
    hours: "night",
    weekend: 1.1,
    response: "police",
    duplicates: police,
    short: "被抢劫",
    narratives: [
      (s) =>
        `报警人称在${s.at}被一名骑摩托车的男子抢走挎包，包内有现金${s.money(200, 3000)}元及身份证（${s.id()}）。`,
      (s) => `报警人称在${s.at}被两名男子持刀抢劫，手机被抢走，手机号${s.phone()}。`,
    ],
    dispositions: ["已立案", "已受案"],
    feedback: [() => "已立为抢劫案件，组织警力沿线追查。"],
  },
  {
    code: "criminal.assault",
    category: "criminal",
    subtype: "assault",
    department: null,
    weight: 6,
    places: [
      ["road", 30],
      ["shop:bar", 20],
      ["shop:ktv", 15],
      ["shop:bbq", 15],
      ["compound", 20],
    ],
    hours: "night",
    weekend: 1.3,
    response: "police",
    duplicates: { p: 0.1, max: 3 },
    short: "有人被打伤",
    narratives: [
      (s) => `报警人称在${s.at}被人用酒瓶打伤头部，对方已离开，要求民警到场。`,
      (s) => `${s.at}有人持械伤人，一男子手臂流血受伤，报警人要求出警。`,
      (s) => `报警人${s.who()}称在${s.at}与人发生冲突后被对方打伤，鼻子出血。`,
    ],
    dispositions: ["已受案", "已立案", "已处置"],
    feedback: [
      () => "伤者已送医，已开具伤情鉴定委托书，受案调查。",
      () => "民警到场控制嫌疑人，带回所内调查处理。",
    ],
  },
  {
    code: "criminal.domestic_violence",
    category: "criminal",
    subtype: "domestic_violence",
    department: null,
    weight: 3,
    places: [["flat", 100]],
    hours: "evening",
    weekend: 1.2,
    response: "police",
    duplicates: police,
    short: "遭受家暴",
    narratives: [
      (s) => `报警人${s.who()}称在家中（${s.at}）被丈夫殴打，脸部受伤，丈夫仍在家中，要求民警到场。`,
      (s) => `报警人称其女儿在${s.at}遭受家暴，被丈夫打伤，报警人电话${s.phone()}。`,
    ],
    dispositions: ["已出具告诫书", "已受案", "已处置"],
    feedback: [() => "民警到场制止家暴行为，对施暴人出具家庭暴力告诫书，已通知妇联跟进。"],
  },
  {
    code: "criminal.vandalism",
    category: "criminal",
    subtype: "vandalism",
    department: null,
    weight: 3,
    places: [
      ["compound", 60],
      ["road", 40],
    ],
    hours: "night",
    weekend: 1,
    response: "police",
    duplicates: none,
    short: "车辆被毁坏",
    narratives: [(s) => `报警人称其停在${s.at}的车辆（${s.plate()}）被人故意划伤、轮胎被扎，要求查看监控。`],
    dispositions: ["已受案", "已处置"],
    feedback: [() => "民警到场拍照取证，已受案调查，调取监控中。"],
  },
  {
    code: "criminal.drugs",
    category: "criminal",
    subtype: "drugs",
    department: null,
    weight: 1,
    places: [
      ["flat", 60],
      ["shop:ktv", 40],
    ],
    hours: "night",
    weekend: 1.2,
    response: "police",
    duplicates: none,
    short: "有人吸毒",
    narratives: [(s) => `报警人称${s.at}有人疑似吸毒，屋内有异味，人员进出频繁。`],
    dispositions: ["已处置", "未发现"],
    feedback: [() => "民警到场检查，未发现吸毒人员，已加强巡查。"],
  },
  // ---- public order ----
  {
    code: "public_order.fight",
    category: "public_order",
    subtype: "fight",
    department: null,
    weight: 11,
    places: [
      ["shop:bar", 20],
      ["shop:ktv", 20],
      ["shop:bbq", 20],
      ["shop:netcafe", 10],
      ["road", 20],
      ["cross", 10],
    ],
    hours: "night",
    weekend: 1.4,
    response: "police",
    duplicates: { p: 0.15, max: 4 },
    short: "有人打架",
    narratives: [
      (s) => `报警人称${s.at}有多人打架，有人受伤，要求出警。`,
      (s) => `${s.at}两伙人因琐事发生斗殴，现场有人持棍棒。`,
      (s) => `报警人称在${s.at}吃饭时与邻桌发生口角后互殴，报警人电话${s.phone()}。`,
    ],
    dispositions: ["已处置", "已受案", "已调解"],
    feedback: [
      () => "民警到场时打架已停止，双方已带回所内调查处理。",
      () => "经调解双方达成和解，互不追究。",
    ],
  },
  {
    code: "public_order.noise",
    category: "public_order",
    subtype: "noise",
    department: null,
    weight: 13,
    places: [
      ["flat", 60],
      ["shop:ktv", 10],
      ["shop:bar", 10],
      ["compound", 10],
      ["site", 10],
    ],
    hours: "night",
    weekend: 1.4,
    response: "police",
    duplicates: none,
    short: "噪音扰民",
    narratives: [
      (s) => `报警人称${s.at}深夜有人大声喧哗、播放音乐，噪音扰民，严重影响休息，要求处理。`,
      (s) => `报警人称${s.at}有人唱歌打麻将，噪音很大，扰民。`,
      (s) => `报警人称${s.at}深夜噪音扰民，音响声音很大，影响周边居民休息。`,
    ],
    dispositions: ["已劝离", "已警告", "已处置"],
    feedback: [
      () => "民警到场对噪音源住户进行劝说，对方已降低音量。",
      () => "到场后噪音已停止，已对当事人批评教育。",
    ],
  },
  {
    code: "public_order.disturbance",
    category: "public_order",
    subtype: "disturbance",
    department: null,
    weight: 5,
    places: [
      ["shop:supermarket", 20],
      ["shop:restaurant", 30],
      ["market", 20],
      ["hospital", 15],
      ["road", 10],
      ["police", 5],
    ],
    hours: "night",
    weekend: 1.2,
    response: "police",
    duplicates: police,
    short: "有人闹事",
    narratives: [
      (s) => `报警人称${s.at}有人酒后闹事，砸东西、辱骂工作人员。`,
      (s) => `${s.at}有一男子情绪激动，大声吵闹滋事，扰乱秩序。`,
    ],
    dispositions: ["已处置", "已带离", "已警告"],
    feedback: [() => "民警到场将闹事人员带离，现场秩序恢复。"],
  },
  {
    code: "public_order.threat",
    category: "public_order",
    subtype: "threat",
    department: null,
    weight: 3,
    places: [
      ["flat", 60],
      ["road", 40],
    ],
    hours: "flat",
    weekend: 1,
    response: "police",
    duplicates: none,
    short: "被人威胁",
    narratives: [
      (s) => `报警人${s.who()}称有人用手机号${s.phone()}多次发短信威胁要报复其家人。`,
      (s) => `报警人称在${s.at}被人持刀威胁恐吓，对方已离开。`,
    ],
    dispositions: ["已受案", "已处置"],
    feedback: [() => "已受案调查，对威胁人进行训诫。"],
  },
  {
    code: "public_order.suspicious",
    category: "public_order",
    subtype: "suspicious",
    department: null,
    weight: 5,
    places: [
      ["compound", 50],
      ["building", 20],
      ["road", 30],
    ],
    hours: "night",
    weekend: 1,
    response: "police",
    duplicates: none,
    short: "发现可疑人员",
    narratives: [
      (s) => `报警人称${s.at}有一可疑男子挨家挨户推门，形迹可疑。`,
      (s) => `报警人称${s.at}有一辆陌生车辆（${s.plate()}）停放多日，车内有人蹲守，形迹可疑。`,
    ],
    dispositions: ["已处置", "未发现"],
    feedback: [() => "民警到场巡查，未发现可疑人员。", () => "经盘查系外卖配送员，无异常。"],
  },
  {
    code: "public_order.gambling",
    category: "public_order",
    subtype: "gambling",
    department: null,
    weight: 2,
    places: [
      ["shop:chess", 70],
      ["flat", 30],
    ],
    hours: "night",
    weekend: 1.3,
    response: "police",
    duplicates: none,
    short: "有人聚众赌博",
    narratives: [(s) => `报警人称${s.at}有人聚众赌博，参赌人员十余人，赌资较大。`],
    dispositions: ["已查处", "未发现"],
    feedback: [() => "民警到场检查，当场查获参赌人员，已带回处理。", () => "到场检查未发现赌博行为。"],
  },
  // ---- non-police ----
  {
    code: "non_police.municipal",
    category: "non_police",
    subtype: "municipal",
    department: "urban_management",
    weight: 56,
    places: [
      ["road", 50],
      ["cross", 20],
      ["market", 15],
      ["compound", 15],
    ],
    hours: "day",
    weekend: 0.9,
    response: "desk",
    duplicates: none,
    short: "占道经营",
    narratives: [
      (s) => `报警人反映${s.at}有流动摊贩占道经营，影响通行，已转12345热线，工单号${s.workOrder()}。`,
      (s) => `报警人称${s.at}路灯不亮已有多日，要求维修，已转城管部门。`,
      (s) => `报警人称${s.at}有井盖缺失，存在安全隐患，已转城管部门处置。`,
    ],
    dispositions: ["已移交", "已告知"],
    feedback: [() => "非警务警情，已推送城管部门处理。", () => "已告知报警人向城管部门反映。"],
  },
  {
    code: "non_police.utility",
    category: "non_police",
    subtype: "utility",
    department: "utilities",
    weight: 40,
    places: [
      ["compound", 50],
      ["flat", 30],
      ["road", 20],
    ],
    hours: "day",
    weekend: 1,
    response: "desk",
    duplicates: none,
    short: "停水停电",
    narratives: [
      (s) => `报警人称${s.at}停水一天了，物业联系不上，要求帮助解决，已告知供水热线。`,
      (s) => `报警人反映${s.at}停电，询问何时恢复供电，已告知电力服务热线95598。`,
      (s) => `报警人称${s.at}自来水管爆裂，大量自来水外溢，已通知供水公司抢修。`,
    ],
    dispositions: ["已移交", "已告知"],
    feedback: [() => "非警务警情，已转供水供电等公用事业单位处理。"],
  },
  {
    code: "non_police.consultation",
    category: "non_police",
    subtype: "consultation",
    department: "hotline_12345",
    weight: 45,
    places: [
      ["none", 70],
      ["flat", 30],
    ],
    hours: "day",
    weekend: 0.7,
    response: "desk",
    duplicates: none,
    short: "咨询",
    narratives: [
      () => "报警人咨询户口迁移和身份证补办的办理流程，已告知拨打12345或到户籍窗口咨询。",
      (s) => `报警人咨询社保缴费问题，非警务，已转12345政务服务热线，工单号${s.workOrder()}。`,
      () => "报警人咨询公积金提取事宜，非警务，已告知拨打12345。",
    ],
    dispositions: ["已告知"],
    feedback: [() => "已向报警人解释，告知拨打12345政务服务便民热线咨询。"],
  },
  {
    code: "non_police.market",
    category: "non_police",
    subtype: "other",
    department: "market_regulation",
    weight: 18,
    places: [
      ["shop:supermarket", 40],
      ["market", 30],
      ["shop:restaurant", 30],
    ],
    hours: "day",
    weekend: 1,
    response: "desk",
    duplicates: none,
    short: "出售过期食品",
    narratives: [
      (s) => `报警人反映${s.at}出售过期食品，已告知向市场监管部门投诉举报。`,
      (s) => `报警人反映${s.at}后厨卫生脏乱，已告知拨打市场监管投诉电话12315。`,
    ],
    dispositions: ["已告知", "已移交"],
    feedback: [() => "非警务警情，已转市场监管部门处理。"],
  },
  {
    code: "non_police.labour",
    category: "non_police",
    subtype: "other",
    department: "labour",
    weight: 9,
    places: [["none", 100]],
    hours: "day",
    weekend: 0.6,
    response: "desk",
    duplicates: none,
    short: "咨询劳动仲裁",
    narratives: [() => "报警人咨询劳动仲裁如何申请、如何认定工伤，非警务，已告知联系人社部门劳动监察。"],
    dispositions: ["已告知"],
    feedback: [() => "已告知报警人向人社部门劳动保障监察机构咨询。"],
  },
  {
    code: "non_police.environment",
    category: "non_police",
    subtype: "other",
    department: "environment",
    weight: 11,
    places: [
      ["site", 40],
      ["road", 60],
    ],
    hours: "day",
    weekend: 1,
    response: "desk",
    duplicates: none,
    short: "排放废气",
    narratives: [
      (s) => `报警人反映${s.at}附近有工厂排放刺鼻废气，影响居民生活，已告知联系生态环境部门。`,
      (s) => `报警人反映${s.at}有渣土车沿路抛洒、扬尘严重，已转生态环境部门。`,
    ],
    dispositions: ["已告知", "已移交"],
    feedback: [() => "非警务警情，已推送生态环境部门处理。"],
  },
  {
    code: "non_police.housing",
    category: "non_police",
    subtype: "other",
    department: "housing",
    weight: 11,
    places: [
      ["building", 60],
      ["compound", 40],
    ],
    hours: "day",
    weekend: 1,
    response: "desk",
    duplicates: none,
    short: "电梯故障",
    narratives: [(s) => `报警人反映${s.at}电梯故障、楼道漏水多日无人维修，已告知联系住建部门。`],
    dispositions: ["已告知", "已移交"],
    feedback: [() => "非警务警情，已转住建部门督促维修。"],
  },
  {
    code: "non_police.civil",
    category: "non_police",
    subtype: "other",
    department: "civil_affairs",
    weight: 7,
    places: [
      ["road", 60],
      ["cross", 40],
    ],
    hours: "flat",
    weekend: 1,
    response: "desk",
    duplicates: none,
    short: "有流浪人员",
    narratives: [(s) => `报警人反映${s.at}有一名流浪人员露宿街头，请求救助站接走，已联系民政部门。`],
    dispositions: ["已移交"],
    feedback: [() => "已联系救助管理站工作人员到场接送。"],
  },
  {
    code: "non_police.transport",
    category: "non_police",
    subtype: "other",
    department: "transport",
    weight: 7,
    places: [["none", 100]],
    hours: "day",
    weekend: 1,
    response: "desk",
    duplicates: none,
    short: "出租车拒载",
    narratives: [(s) => `报警人称出租车拒载、绕路多收费，车牌号${s.plate()}，已告知向交通运输部门投诉。`],
    dispositions: ["已告知"],
    feedback: [() => "已告知报警人拨打交通运输服务监督电话投诉。"],
  },
  {
    code: "non_police.street",
    category: "non_police",
    subtype: "other",
    department: "street_office",
    weight: 9,
    places: [
      ["building", 60],
      ["compound", 40],
    ],
    hours: "day",
    weekend: 1,
    response: "desk",
    duplicates: none,
    short: "楼道堆放杂物",
    narratives: [(s) => `报警人反映${s.at}楼道堆放杂物、私拉电线给电瓶车充电，已告知联系社区处理。`],
    dispositions: ["已告知", "已移交"],
    feedback: [() => "已推送属地街道社区处理。"],
  },
  // ---- invalid ----
  {
    code: "invalid.silent",
    category: "invalid",
    subtype: "silent",
    department: null,
    weight: 168,
    places: [["none", 100]],
    hours: "flat",
    weekend: 1,
    response: "none",
    duplicates: none,
    short: "无声",
    narratives: [
      () => "无声电话，接通后无人说话，回拨无人接听。",
      () => "无声电话，回拨提示关机。",
      () => "来电无声，回拨后对方称未拨打110，系无声电话。",
    ],
    dispositions: ["无效"],
    feedback: [() => "无声电话，无警情。"],
  },
  {
    code: "invalid.misdial",
    category: "invalid",
    subtype: "misdial",
    department: null,
    weight: 64,
    places: [["none", 100]],
    hours: "flat",
    weekend: 1,
    response: "none",
    duplicates: none,
    short: "误拨",
    narratives: [() => "报警人称误拨110，无警情。", () => "报警人称小孩玩手机误拨110，无警情。"],
    dispositions: ["无效"],
    feedback: [() => "误拨，无警情。"],
  },
  {
    code: "invalid.prank",
    category: "invalid",
    subtype: "prank",
    department: null,
    weight: 20,
    places: [["none", 100]],
    hours: "flat",
    weekend: 1.2,
    response: "none",
    duplicates: none,
    short: "谎报",
    narratives: [
      () => "报警人谎称有人持枪抢劫，经核实为恶作剧，无此警情。",
      () => "报警人称有炸弹，后笑称开玩笑，恶作剧谎报警情。",
    ],
    dispositions: ["无效", "已警告"],
    feedback: [() => "经回访核实为恶作剧，已对报警人进行警告教育。"],
  },
  {
    code: "invalid.harassment",
    category: "invalid",
    subtype: "harassment",
    department: null,
    weight: 15,
    places: [["none", 100]],
    hours: "night",
    weekend: 1.2,
    response: "none",
    duplicates: none,
    short: "骚扰",
    narratives: [
      () => "报警人酒后多次拨打110辱骂接警员，系骚扰电话，已警告。",
      () => "报警人无事拨打110与接警员闲聊，骚扰报警电话。",
    ],
    dispositions: ["无效", "已警告"],
    feedback: [() => "骚扰电话，已对报警人进行警告。"],
  },
  {
    code: "invalid.test",
    category: "invalid",
    subtype: "test",
    department: null,
    weight: 1,
    places: [["none", 100]],
    hours: "day",
    weekend: 0.5,
    response: "none",
    duplicates: none,
    short: "测试",
    narratives: [() => "系统测试电话，无警情。"],
    dispositions: ["无效"],
    feedback: [() => "测试。"],
  },
  // ---- disputes ----
  {
    code: "dispute.neighbour",
    category: "dispute",
    subtype: "neighbour",
    department: null,
    weight: 11,
    places: [["flat", 100]],
    hours: "evening",
    weekend: 1.3,
    response: "police",
    duplicates: police,
    short: "邻里纠纷",
    narratives: [
      (s) => `报警人称与${s.at}楼下邻居因漏水问题发生纠纷，双方争吵，要求民警调解。`,
      (s) => `报警人称在${s.at}与邻居因楼道堆放杂物发生口角，邻里纠纷，要求处理。`,
    ],
    dispositions: ["已调解", "调解不成，告知诉讼途径"],
    feedback: [
      () => "民警到场对双方进行调解，双方同意协商解决。",
      () => "经调解未达成一致，告知双方通过诉讼途径解决。",
    ],
  },
  {
    code: "dispute.family",
    category: "dispute",
    subtype: "family",
    department: null,
    weight: 11,
    places: [["flat", 100]],
    hours: "evening",
    weekend: 1.3,
    response: "police",
    duplicates: police,
    short: "家庭纠纷",
    narratives: [
      (s) =>
        `报警人${s.who()}称与丈夫在家中（${s.at}）因琐事发生争吵，对方摔东西，家庭纠纷，要求民警到场调解。`,
      (s) => `报警人称在${s.at}与儿子因赡养问题发生家庭纠纷，情绪激动。`,
      (s) => `报警人称夫妻二人在${s.at}因孩子教育问题吵架，要求民警调解家庭矛盾。`,
    ],
    dispositions: ["已调解"],
    feedback: [() => "民警到场对双方进行劝解，家庭纠纷已调解，双方情绪稳定。"],
  },
  {
    code: "dispute.labour",
    category: "dispute",
    subtype: "labour",
    department: null,
    weight: 4,
    places: [
      ["site", 60],
      ["shop:restaurant", 20],
      ["shop:supermarket", 20],
    ],
    hours: "day",
    weekend: 0.8,
    response: "police",
    duplicates: police,
    short: "讨要工资",
    narratives: [
      (s) =>
        `报警人称在${s.at}务工，老板自${s.daysAgo(60, 200)}起拖欠工资${s.money(3000, 60000)}元至今未付，要求民警到场协调。`,
      (s) => `报警人称${s.at}包工头拖欠农民工工资，包工头电话${s.phone()}，要求讨薪。`,
    ],
    dispositions: ["已调解", "已移交劳动监察"],
    feedback: [() => "民警到场了解情况，劳资纠纷已移交人社劳动监察部门处理。"],
  },
  {
    code: "dispute.debt",
    category: "dispute",
    subtype: "debt",
    department: null,
    weight: 5,
    places: [
      ["flat", 60],
      ["shop:agency", 20],
      ["road", 20],
    ],
    hours: "day",
    weekend: 1,
    response: "police",
    duplicates: police,
    short: "欠款纠纷",
    narratives: [
      (s) => `报警人称${s.who()}借其${s.money(5000, 100000)}元逾期不还，双方在${s.at}发生债务纠纷。`,
      (s) => `报警人称对方上门讨债，双方在${s.at}因欠款问题争吵。`,
    ],
    dispositions: ["已调解", "告知诉讼途径"],
    feedback: [() => "经了解系经济纠纷，告知双方通过民事诉讼途径解决。"],
  },
  {
    code: "dispute.property_mgmt",
    category: "dispute",
    subtype: "property_mgmt",
    department: null,
    weight: 5,
    places: [["compound", 100]],
    hours: "day",
    weekend: 1.1,
    response: "police",
    duplicates: police,
    short: "物业纠纷",
    narratives: [
      (s) => `报警人称与${s.at}物业因停车费问题发生纠纷，物业锁了其车辆（${s.plate()}）。`,
      (s) => `报警人称${s.at}业主与物业因物业费问题发生争执，物业纠纷，要求处理。`,
    ],
    dispositions: ["已调解"],
    feedback: [() => "民警到场协调，物业与业主同意协商解决。"],
  },
  {
    code: "dispute.consumer",
    category: "dispute",
    subtype: "consumer",
    department: null,
    weight: 9,
    places: [
      ["shop:phone", 20],
      ["shop:clothes", 15],
      ["shop:supermarket", 20],
      ["shop:gym", 15],
      ["shop:restaurant", 15],
      ["shop:barber", 15],
    ],
    hours: "day",
    weekend: 1.3,
    response: "police",
    duplicates: police,
    short: "消费纠纷",
    narratives: [
      (s) =>
        `报警人称在${s.at}购买的商品有质量问题，商家拒绝退换，双方发生消费纠纷，消费金额${s.money(100, 6000)}元。`,
      (s) =>
        `报警人称${s.daysAgo(10, 200)}在${s.at}办理会员卡充值${s.money(500, 8000)}元，现商家拒绝退款，发生消费纠纷。`,
      (s) => `报警人称在${s.at}消费后对价格有异议，与店家发生消费纠纷。`,
    ],
    dispositions: ["已调解", "已移交市场监管"],
    feedback: [
      () => "民警到场调解，商家同意退款，双方无异议。",
      () => "消费纠纷，告知报警人向市场监管部门投诉。",
    ],
  },
  {
    code: "dispute.traffic_dispute",
    category: "dispute",
    subtype: "traffic_dispute",
    department: null,
    weight: 7,
    places: [
      ["road", 60],
      ["cross", 40],
    ],
    hours: "traffic",
    weekend: 1,
    response: "police",
    duplicates: police,
    short: "交通纠纷",
    narratives: [
      (s) => `报警人称与对方车辆（${s.plate()}）在${s.at}发生剐蹭后就赔偿问题协商不成，发生交通纠纷。`,
    ],
    dispositions: ["已调解", "已移交交警"],
    feedback: [() => "民警到场协调，双方就赔偿达成一致。"],
  },
  // ---- help ----
  {
    code: "help.lost_person",
    category: "help",
    subtype: "lost_person",
    department: null,
    weight: 3,
    places: [
      ["road", 40],
      ["market", 30],
      ["compound", 30],
    ],
    hours: "day",
    weekend: 1.2,
    response: "police",
    duplicates: none,
    short: "有人走失",
    narratives: [
      (s) =>
        `报警人称其${between(s.rng, 70, 90)}岁的父亲在${s.at}附近走失，患有老年痴呆，联系电话${s.phone()}，请求帮助寻人。`,
      (s) => `报警人称孩子在${s.at}走失，${between(s.rng, 4, 10)}岁男孩，穿蓝色校服，请求帮助寻找。`,
    ],
    dispositions: ["已找到", "已处置"],
    feedback: [() => "经民警查找，走失人员已找到并交由家属领回。"],
  },
  {
    code: "help.medical",
    category: "help",
    subtype: "medical",
    department: null,
    weight: 3,
    places: [
      ["road", 50],
      ["shop:supermarket", 20],
      ["compound", 30],
    ],
    hours: "flat",
    weekend: 1,
    response: "police",
    duplicates: { p: 0.1, max: 3 },
    short: "有人晕倒",
    narratives: [(s) => `报警人称在${s.at}有一老人突然晕倒，已拨打120，请求协助救助。`],
    dispositions: ["已救助", "已移交120"],
    feedback: [() => "民警到场协助120将病人送医。"],
  },
  {
    code: "help.locked_out",
    category: "help",
    subtype: "locked_out",
    department: null,
    weight: 4,
    places: [["flat", 100]],
    hours: "flat",
    weekend: 1,
    response: "police",
    duplicates: none,
    short: "求助开锁",
    narratives: [
      (s) => `报警人称钥匙锁在屋内（${s.at}），请求帮助开锁。`,
      (s) => `报警人称家中老人反锁在${s.at}屋内，无法开门，请求协助开锁。`,
    ],
    dispositions: ["已救助", "已告知"],
    feedback: [() => "民警到场核实身份后联系开锁公司开锁。"],
  },
  {
    code: "help.elderly",
    category: "help",
    subtype: "elderly",
    department: null,
    weight: 2,
    places: [["flat", 100]],
    hours: "day",
    weekend: 1,
    response: "police",
    duplicates: none,
    short: "老人求助",
    narratives: [(s) => `报警人称其为独居老人，住${s.at}，身体不舒服，家中无人，请求民警上门看看。`],
    dispositions: ["已救助"],
    feedback: [() => "民警上门查看，老人身体无大碍，已联系社区网格员关注。"],
  },
  {
    code: "help.mental_health",
    category: "help",
    subtype: "mental_health",
    department: null,
    weight: 2,
    places: [
      ["flat", 70],
      ["road", 30],
    ],
    hours: "flat",
    weekend: 1,
    response: "police",
    duplicates: none,
    short: "精神异常求助",
    narratives: [
      (s) => `报警人家属称其有精神疾病史，在${s.at}情绪失控，请求协助送医。`,
      () => "报警人称心情很差，总觉得有人要害他，情绪不稳定，精神状态异常。",
    ],
    dispositions: ["已救助", "已处置"],
    feedback: [() => "民警到场安抚，已联系家属及社区精神卫生专干跟进。"],
  },
  {
    code: "help.suicide",
    category: "help",
    subtype: "suicide",
    department: null,
    weight: 2,
    places: [
      ["building", 50],
      ["road", 50],
    ],
    hours: "night",
    weekend: 1,
    response: "police",
    duplicates: { p: 0.2, max: 4 },
    short: "有人要轻生",
    narratives: [
      (s) => `报警人称朋友在微信发消息说要轻生，现在${s.at}附近，电话${s.phone()}无法接通。`,
      (s) => `${s.at}有一女子坐在楼顶边缘，疑似想跳楼轻生。`,
    ],
    dispositions: ["已救助"],
    feedback: [() => "民警到场劝解成功，当事人已交由家属看护。"],
  },
  {
    code: "help.animal",
    category: "help",
    subtype: "animal",
    department: null,
    weight: 3,
    places: [
      ["compound", 60],
      ["flat", 40],
    ],
    hours: "day",
    weekend: 1,
    response: "police",
    duplicates: none,
    short: "动物伤人",
    narratives: [
      (s) => `报警人称${s.at}有流浪狗咬人，请求帮助。`,
      (s) => `报警人称家中（${s.at}）进了一条蛇，请求帮助处理。`,
    ],
    dispositions: ["已处置"],
    feedback: [() => "已联系专业人员到场处理。"],
  },
  {
    code: "help.victim_help",
    category: "help",
    subtype: "victim_help",
    department: null,
    weight: 1,
    places: [["flat", 100]],
    hours: "day",
    weekend: 1,
    response: "police",
    duplicates: none,
    short: "受害人求助",
    narratives: [
      (s) => `报警人称${s.daysAgo(1, 5)}被丈夫打伤，现在在${s.at}，害怕回家，请求帮助联系庇护场所。`,
    ],
    dispositions: ["已救助"],
    feedback: [() => "已联系妇联及庇护机构，协助报警人安置。"],
  },
  // ---- fire / disaster ----
  {
    code: "fire.building",
    category: "fire",
    subtype: "building",
    department: null,
    weight: 3,
    places: [
      ["flat", 60],
      ["building", 40],
    ],
    hours: "flat",
    weekend: 1,
    response: "police",
    duplicates: { p: 0.5, max: 10 },
    short: "着火",
    narratives: [
      (s) => `报警人称${s.at}着火，有浓烟冒出，楼内可能有人被困。`,
      (s) => `${s.at}楼道内电动车起火，浓烟很大，已通知119。`,
    ],
    dispositions: ["已移交消防", "已处置"],
    feedback: [() => "消防已到场扑灭明火，无人员伤亡，起火原因为电动车充电。"],
  },
  {
    code: "fire.vehicle",
    category: "fire",
    subtype: "vehicle",
    department: null,
    weight: 2,
    places: [
      ["road", 70],
      ["cross", 30],
    ],
    hours: "day",
    weekend: 1,
    response: "police",
    duplicates: { p: 0.4, max: 6 },
    short: "车辆起火",
    narratives: [(s) => `报警人称${s.at}一辆小轿车（${s.plate()}）自燃起火，冒浓烟。`],
    dispositions: ["已移交消防", "已处置"],
    feedback: [() => "消防到场扑灭，无人员受伤，已疏导交通。"],
  },
  {
    code: "fire.outdoor",
    category: "fire",
    subtype: "outdoor",
    department: null,
    weight: 2,
    places: [
      ["road", 70],
      ["site", 30],
    ],
    hours: "day",
    weekend: 1,
    response: "police",
    duplicates: { p: 0.3, max: 5 },
    short: "有火情",
    narratives: [
      (s) => `报警人称${s.at}附近有人焚烧垃圾，火势较大。`,
      (s) => `报警人称${s.at}绿化带起火冒烟。`,
    ],
    dispositions: ["已移交消防", "已处置"],
    feedback: [() => "到场时火已扑灭，已对焚烧人员进行教育。"],
  },
  {
    code: "disaster.gas",
    category: "disaster",
    subtype: "gas",
    department: null,
    weight: 1,
    places: [
      ["flat", 60],
      ["building", 40],
    ],
    hours: "flat",
    weekend: 1,
    response: "police",
    duplicates: { p: 0.3, max: 4 },
    short: "燃气泄漏",
    narratives: [(s) => `报警人称${s.at}闻到很浓的煤气味，怀疑燃气泄漏。`],
    dispositions: ["已处置", "已移交燃气公司"],
    feedback: [() => "已通知燃气公司到场关阀检修，疏散了周边住户。"],
  },
  {
    code: "disaster.flood",
    category: "disaster",
    subtype: "flood",
    department: null,
    weight: 1,
    places: [
      ["cross", 60],
      ["road", 40],
    ],
    hours: "flat",
    weekend: 1,
    response: "police",
    duplicates: { p: 0.3, max: 4 },
    short: "积水严重",
    narratives: [(s) => `报警人称${s.at}暴雨积水严重，有车辆被困水中。`],
    dispositions: ["已处置"],
    feedback: [() => "民警到场设置警戒，协助被困人员转移。"],
  },
  {
    code: "disaster.electric",
    category: "disaster",
    subtype: "electric",
    department: null,
    weight: 1,
    places: [["road", 100]],
    hours: "flat",
    weekend: 1,
    response: "police",
    duplicates: { p: 0.2, max: 3 },
    short: "电线落地",
    narratives: [(s) => `报警人称${s.at}电线杆倒塌，电线落地，存在触电危险。`],
    dispositions: ["已处置", "已移交供电公司"],
    feedback: [() => "已设置警戒并通知供电公司抢修。"],
  },
  // ---- complaint / other ----
  {
    code: "complaint.police",
    category: "complaint",
    subtype: "police",
    department: null,
    weight: 2,
    places: [["none", 100]],
    hours: "day",
    weekend: 1,
    response: "desk",
    duplicates: none,
    short: "投诉民警",
    narratives: [
      () => "报警人投诉此前报警后民警出警慢、处理不公，要求督察处理。",
      () => "报警人投诉派出所民警态度差，要求答复。",
    ],
    dispositions: ["已登记转督察"],
    feedback: [() => "已登记并转督察部门核查回复。"],
  },
  {
    code: "complaint.authority",
    category: "complaint",
    subtype: "authority",
    department: null,
    weight: 2,
    places: [["none", 100]],
    hours: "day",
    weekend: 1,
    response: "desk",
    duplicates: none,
    short: "投诉执法人员",
    narratives: [() => "报警人投诉城管执法人员态度恶劣，要求有关部门处理。"],
    dispositions: ["已移交"],
    feedback: [() => "已告知报警人向相关部门投诉。"],
  },
  {
    code: "other.other",
    category: "other",
    subtype: "other",
    department: null,
    weight: 5,
    places: [
      ["road", 60],
      ["shop:supermarket", 40],
    ],
    hours: "day",
    weekend: 1,
    response: "police",
    duplicates: none,
    short: "其他",
    narratives: [
      (s) => `报警人称在${s.at}捡到一个钱包，内有身份证（${s.id()}）及银行卡${s.card()}，请求民警联系失主。`,
      (s) => `报警人称${s.at}有人放飞无人机，询问是否违规。`,
    ],
    dispositions: ["已处置"],
    feedback: [() => "已联系失主领回。", () => "已到场核查，已告知相关规定。"],
  },
];

/**
 * How a later call about an event already dispatched is often recorded: 无效警情/重复报警. Not a
 * kind of event (never drawn for the background); its narrative names the event it repeats.
 */
export const REPEAT_REPORT_KIND: Kind = {
  code: "invalid.repeat_report",
  category: "invalid",
  subtype: "repeat_report",
  department: null,
  weight: 0,
  places: [["none", 1]],
  hours: "flat",
  weekend: 1,
  response: "desk",
  duplicates: { p: 0, max: 1 },
  short: "重复报警",
  narratives: [],
  dispositions: ["无效", "重复报警"],
  feedback: [() => "同一警情重复报警，已并入前警处置。"],
};

export const KIND_BY_CODE: ReadonlyMap<string, Kind> = new Map(KINDS.map((k) => [k.code, k]));

export function kind(code: string): Kind {
  const k = KIND_BY_CODE.get(code);
  if (!k) throw new RangeError(`unknown synthetic kind ${code}`);
  return k;
}

/** Relative call volume by local hour for each profile. */
export const HOURS: Readonly<Record<HourProfile, readonly number[]>> = {
  traffic: [2, 1, 1, 1, 1, 2, 4, 8, 9, 6, 5, 5, 5, 5, 5, 6, 7, 9, 9, 6, 5, 4, 3, 2],
  night: [6, 5, 3, 2, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 3, 4, 5, 6, 7, 8, 8, 7],
  day: [1, 1, 0.5, 0.5, 0.5, 1, 2, 4, 7, 8, 8, 7, 6, 7, 7, 7, 6, 5, 4, 3, 2, 2, 1, 1],
  evening: [4, 3, 2, 1, 1, 1, 1, 2, 3, 3, 3, 4, 4, 3, 3, 3, 4, 5, 7, 8, 8, 8, 7, 5],
  flat: [3, 3, 2, 2, 2, 2, 3, 4, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 4, 3],
};

/** Overall volume by weekday, Monday first. */
export const WEEKDAY_VOLUME = [1, 0.97, 0.97, 1, 1.08, 1.12, 1.04] as const;
