import { chineseNumeral } from "../address/normalize.ts";
import { normalizeText } from "./segmenter.ts";

/**
 * Facts a reviewer checks in a narrative (简要案情/反馈内容): when, where, who, what harm, what
 * means, how much money, and how it ended. Regex and keyword rules, no training needed.
 */
export const OUTCOMES = ["mediated", "dispersed", "referred", "case_opened", "handled", "invalid"] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface NarrativeFacts {
  /** Time expressions as written ("5月1日", "22时30分", "凌晨"). */
  readonly times: readonly string[];
  /** Place mentions ("阳光小区3栋2单元501室", "解放路口"). */
  readonly places: readonly string[];
  /** Number of parties involved when the narrative says it (双方 → 2), else null. */
  readonly parties: number | null;
  /** People mentioned at all (报警人, 男子, 双方, 张某 ...). */
  readonly mentionsPeople: boolean;
  /** true = injuries stated, false = explicitly none (无人受伤), null = not said. */
  readonly injuries: boolean | null;
  readonly weapons: readonly string[];
  /** Amounts of money in yuan. */
  readonly amounts: readonly number[];
  readonly outcome: Outcome | null;
  /** A cause or reason is stated (因/由于/称/反映 ...). */
  readonly statesCause: boolean;
  /** Police action is described (到场/经查/民警 ...). */
  readonly statesProcess: boolean;
}

const TIME =
  /(\d{4}年\d{1,2}月\d{1,2}日|\d{1,2}月\d{1,2}[日号]|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[时点:：]\d{1,2}分?|\d{1,2}[时点]许?|[今昨前]天|[今昨]晚|凌晨|清晨|早上|上午|中午|下午|傍晚|晚上|深夜|半夜|刚才|刚刚)/g;
const PLACE_SUFFIX =
  "小区|花园|公寓|大厦|广场|市场|商场|超市|医院|学校|幼儿园|公园|酒店|宾馆|饭店|餐厅|网吧|KTV|公司|工地|工厂|厂|村|社区|大道|路口|路|街|巷|弄|桥|站|码头|停车场|加油站|银行|楼|苑|城|园";
const PLACE = new RegExp(
  `([\\p{Script=Han}A-Za-z0-9]{1,12}?(?:${PLACE_SUFFIX})(?:\\d+[号栋幢座](?:楼)?)?(?:\\d+单元)?(?:\\d+[室号])?|\\d+[栋幢](?:\\d+单元)?(?:\\d+室)?)`,
  "gu",
);
const PARTY_WORDS: readonly [RegExp, number][] = [
  [/三方/, 3],
  [/双方|两人|二人|夫妻|两名|2名|两个人|母子|父子|母女|父女|婆媳|兄弟|姐妹/, 2],
];
const COUNT = /([一二两三四五六七八九十\d]+)(?:名|个|位)(?:男子|女子|人员|人|青年|男|女|学生|工人|嫌疑人)/g;
const PEOPLE =
  /报警人|求助人|当事人|男子|女子|老人|小孩|孩子|学生|司机|车主|业主|租客|房东|邻居|丈夫|妻子|老板|工人|店主|双方|对方|[\p{Script=Han}]某/u;
const INJURY = /受伤|轻伤|重伤|流血|出血|骨折|身亡|死亡|送医|就医|120|伤势|擦伤|划伤|被打伤|砍伤|刺伤/;
const NO_INJURY = /无人受伤|未受伤|没有受伤|无受伤|未见伤|无伤|均无大碍|未造成人员伤亡|无人员伤亡/;
const WEAPONS: readonly string[] = [
  "菜刀",
  "水果刀",
  "匕首",
  "砍刀",
  "刀",
  "棍",
  "棒",
  "铁锹",
  "斧头",
  "砖头",
  "酒瓶",
  "枪",
  "钢管",
  "锤子",
  "剪刀",
];
const NO_WEAPON = /未持械|无持械|未携带凶器|没有持械/;
const AMOUNT = /(?:人民币|约|共计)?(\d+(?:\.\d+)?)\s*(万元|万|元|块钱|块)/g;
const OUTCOME_RULES: readonly [Outcome, RegExp][] = [
  ["case_opened", /已立案|立案侦查|立为\S{0,6}案|受案|刑事立案|行政立案|已受理|作为案件|移交刑侦|已传唤/],
  [
    "referred",
    /移交|转交|分流|推送|已转|告知(?:其|报警人|求助人|当事人)?(?:向|到|拨打|联系)|建议(?:其|报警人)?(?:向|到|拨打|走)|联系(?:了)?(?:城管|物业|社区|相关部门)|已通知|已告知/,
  ],
  ["mediated", /调解|达成一致|达成协议|和解|握手言和|协商解决|自行协商|不再追究/],
  ["dispersed", /驱散|劝离|劝散|疏散|已离开|自行离开|离去|已散|停止|劝阻/],
  ["invalid", /无效警情|无声电话|误拨|恶作剧|谎报/],
  [
    "handled",
    /已处置|已处理|已解决|已找到|已送|已开锁|已救助|已恢复|已疏通|已灭|已排除|已教育|批评教育|口头警告/,
  ],
];
const CAUSE = /因|由于|原因|起因|称|报称|反映|讲|诉|发现|怀疑|导致|为琐事|为了/;
const PROCESS =
  /到场|到达|赶到|现场|经查|经了解|经核实|经盘查|盘查|民警|出警|处警|询问|调查|核查|了解情况|协助|警戒|救助/;

/** A count written in digits or Chinese numerals (3, 两, 十二, 二十三). */
function countValue(text: string): number | null {
  return /^\d+$/.test(text) ? Number(text) : chineseNumeral(text);
}

function unique(items: Iterable<string>): string[] {
  return [...new Set(items)];
}

/**
 * Extracts the checkable facts of a narrative.
 * @example
 * extractFacts("22时许，双方因噪音发生口角，民警到场后经调解达成一致，无人受伤。")
 * // { parties: 2, injuries: false, outcome: "mediated", ... }
 */
export function extractFacts(raw: string): NarrativeFacts {
  const text = normalizeText(raw);
  const times = unique(text.match(TIME) ?? []);
  const places = unique([...text.matchAll(PLACE)].map((m) => m[1]!).filter((p) => p.length >= 2));
  let parties: number | null = null;
  for (const match of text.matchAll(COUNT)) {
    const n = countValue(match[1]!);
    if (n !== null && n > 0 && n < 1000) parties = Math.max(parties ?? 0, n);
  }
  if (parties === null)
    for (const [re, n] of PARTY_WORDS) if (re.test(text)) parties = Math.max(parties ?? 0, n);
  const injuries = NO_INJURY.test(text) ? false : INJURY.test(text) ? true : null;
  const weapons = NO_WEAPON.test(text) ? [] : WEAPONS.filter((w) => text.includes(w));
  // "菜刀" also contains "刀": keep the most specific weapon words only.
  const specific = weapons.filter((w) => !weapons.some((o) => o !== w && o.includes(w)));
  const amounts = [...text.matchAll(AMOUNT)].map((m) => Number(m[1]) * (m[2]!.startsWith("万") ? 10_000 : 1));
  let outcome: Outcome | null = null;
  for (const [code, re] of OUTCOME_RULES) {
    if (re.test(text)) {
      outcome = code;
      break;
    }
  }
  return {
    times,
    places,
    parties,
    mentionsPeople: PEOPLE.test(text),
    injuries,
    weapons: specific,
    amounts,
    outcome,
    statesCause: CAUSE.test(text),
    statesProcess: PROCESS.test(text),
  };
}

/** The cheap part of the facts, all the six-element rules need (the quality hot path). */
export interface SixElementCues {
  readonly mentionsPeople: boolean;
  readonly statesCause: boolean;
  readonly statesProcess: boolean;
  /** Outcome stated in the text; only looked for when no process is stated (else null). */
  readonly outcome: Outcome | null;
}

/**
 * @example sixElementCues("报警人称因噪音与邻居争吵，民警到场调解").statesProcess // true
 */
export function sixElementCues(raw: string): SixElementCues {
  const text = normalizeText(raw);
  const statesProcess = PROCESS.test(text);
  return {
    mentionsPeople:
      PEOPLE.test(text) || PARTY_WORDS.some(([re]) => re.test(text)) || /\d+(?:名|个|位)/.test(text),
    statesCause: CAUSE.test(text),
    statesProcess,
    // Only needed when no process is stated (missing_process): skip the regexes otherwise.
    outcome: statesProcess ? null : dispositionOutcome(text),
  };
}

/** Place mentions of a narrative ("阳光小区3栋2单元501室", "解放路口"). */
export function placeMentions(raw: string): string[] {
  return unique([...normalizeText(raw).matchAll(PLACE)].map((m) => m[1]!).filter((p) => p.length >= 2));
}

/**
 * Outcome of a disposition code or text (处警结果), e.g. "已调解" → mediated.
 * @example dispositionOutcome("已移交") // "referred"
 */
export function dispositionOutcome(disposition: string | null): Outcome | null {
  if (!disposition) return null;
  for (const [code, re] of OUTCOME_RULES) if (re.test(disposition)) return code;
  return null;
}
