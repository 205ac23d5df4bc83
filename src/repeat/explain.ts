import { describeLocationKey } from "../address/describe.ts";
import { type Lang, SUBTYPE_LABELS } from "../domain/index.ts";
import type { RepeatIndex, RepeatSeries } from "./engine.ts";
import type { WarningLevel } from "./options.ts";

type Text = Readonly<Record<Lang, string>>;

/** Display names of the default category groups. */
export const GROUP_LABELS: Readonly<Record<string, Text>> = {
  noise: { zh: "噪音扰民", en: "noise" },
  neighbour: { zh: "邻里纠纷", en: "neighbour dispute" },
  domestic: { zh: "家庭纠纷/家暴", en: "family dispute / domestic violence" },
  labour: { zh: "劳资纠纷", en: "labour / wages dispute" },
  consumer: { zh: "消费纠纷", en: "consumer dispute" },
  property: { zh: "物业纠纷", en: "property management dispute" },
  debt: { zh: "债务经济纠纷", en: "debt dispute" },
  violence: { zh: "暴力伤害", en: "violence" },
  property_crime: { zh: "侵财", en: "property crime" },
  disorder: { zh: "治安", en: "public order" },
  help: { zh: "求助", en: "help request" },
  complaint: { zh: "投诉", en: "complaint" },
  invalid: { zh: "无效警情", en: "invalid call" },
};

export const WARNING_LABELS: Readonly<Record<WarningLevel, Text>> = {
  blue: { zh: "蓝色", en: "blue" },
  yellow: { zh: "黄色", en: "yellow" },
  orange: { zh: "橙色", en: "orange" },
  red: { zh: "红色", en: "red" },
};

const LEVEL_LABELS: Readonly<Record<string, Text>> = {
  poi: { zh: "小区/场所", en: "compound / POI" },
  building: { zh: "楼栋", en: "building" },
  unit: { zh: "单元", en: "entrance" },
  room: { zh: "房间", en: "flat" },
  road: { zh: "门牌", en: "street number" },
  cross: { zh: "路口", en: "intersection" },
};

const groupLabel = (name: string, lang: Lang) => GROUP_LABELS[name]?.[lang] ?? name;
const codeLabel = (code: string, lang: Lang) => SUBTYPE_LABELS[code]?.[lang] ?? code;

/** Local calendar date of an instant, given the call's UTC offset. */
function localDate(at: number, offsetMin: number): string {
  return new Date(at + offsetMin * 60_000).toISOString().slice(0, 10);
}

function formatP(p: number): string {
  if (p >= 0.01) return p.toFixed(2);
  return p.toExponential(1);
}

/**
 * A readable explanation of a series in both languages: which calls, which rule, what changed.
 * @example
 * explainSeries(index, series).zh // "一地多报（红色预警）：阳光小区3栋2单元501（房间）30天内4起噪音扰民事件 …"
 */
export function explainSeries(index: RepeatIndex, series: RepeatSeries, maxIds = 10): Text {
  return { zh: explainIn(index, series, "zh", maxIds), en: explainIn(index, series, "en", maxIds) };
}

function explainIn(index: RepeatIndex, s: RepeatSeries, lang: Lang, maxIds: number): string {
  const zh = lang === "zh";
  const ids = index.sourceIdsOf(s, maxIds);
  const calls = index.callCount(s);
  const events = s.events.length;
  const firstCall = index.evFirst[s.events[0]!]!;
  const offset = index.calls.offsetMin[firstCall]!;
  const from = localDate(s.start, offset);
  const to = localDate(s.end, offset);
  const group = groupLabel(s.group, lang);
  const warning = WARNING_LABELS[s.warning][lang];
  const parts: string[] = [];
  const where = s.locationKey
    ? `${describeLocationKey(s.locationKey, lang)}${s.locationLevel ? (zh ? `（${LEVEL_LABELS[s.locationLevel]!.zh}）` : ` (${LEVEL_LABELS[s.locationLevel]!.en})`) : ""}`
    : "";
  if (s.kind === "place") {
    parts.push(
      zh
        ? `一地多报（${warning}预警）：${where}在${from}至${to}发生${events}起${group}事件，达到“${s.windowDays}天内不少于${s.minEvents}起”的规则`
        : `Place series (${warning}): ${events} ${group} events at ${where} from ${from} to ${to}, meeting the rule "at least ${s.minEvents} within ${s.windowDays} days"`,
    );
  } else if (s.kind === "caller") {
    parts.push(
      zh
        ? `一人多报（${warning}预警）：来电人${s.callerPseudonym}在${from}至${to}就${group}报警${events}起，达到“${s.windowDays}天内不少于${s.minEvents}起”的规则；建议回访并联系社会救助、心理或养老支持，不作为处罚依据`
        : `Caller series (${warning}): caller ${s.callerPseudonym} reported ${events} ${group} events from ${from} to ${to}, meeting the rule "at least ${s.minEvents} within ${s.windowDays} days"; call back and connect with social services, mental-health or elder support, never a reason for enforcement`,
    );
  } else {
    parts.push(
      zh
        ? `一事多报（${warning}预警）：同一${group}事项在${from}至${to}被不同地点或来电人报警${events}起（叙述相似且有共同地点或来电人）${where ? `，涉及${where}` : ""}`
        : `Matter series (${warning}): one ${group} matter reported as ${events} events from different places or callers from ${from} to ${to} (similar narratives sharing a place or caller)${where ? `, at ${where}` : ""}`,
    );
  }
  parts.push(
    zh
      ? `共${calls}次来电${calls > events ? `（${calls - events}次为同一事件的重复来电，已合并）` : ""}：${ids.join("、")}${calls > maxIds ? " 等" : ""}`
      : `${calls} calls${calls > events ? ` (${calls - events} duplicate calls merged into their events)` : ""}: ${ids.join(", ")}${calls > maxIds ? " …" : ""}`,
  );
  const sp = s.surprise;
  parts.push(
    zh
      ? `最近${s.windowDays}天${sp.observed}起，按本地历史和周边预期${sp.expected.toFixed(1)}起（p=${formatP(sp.pValue)}）`
      : `${sp.observed} in the last ${s.windowDays} days against ${sp.expected.toFixed(1)} expected from the place's history and neighbourhood (p=${formatP(sp.pValue)})`,
  );
  if (s.escalation.severity) {
    const path = s.escalation.steps.map((c) => codeLabel(c, lang)).join(" → ");
    parts.push(zh ? `严重程度升级：${path}` : `severity rising: ${path}`);
  }
  if (s.escalation.frequency) {
    const before = s.escalation.gapDaysBefore.toFixed(1);
    const after = s.escalation.gapDaysAfter.toFixed(1);
    parts.push(
      zh
        ? `报警间隔从平均${before}天缩短到${after}天`
        : `calls coming faster: mean gap ${before} → ${after} days`,
    );
  }
  if (s.protective) {
    parts.push(
      zh
        ? "涉家庭暴力或受害人求助：列入保护性跟进，不按扰民处理"
        : "domestic violence or victim help: protective follow-up, never treated as nuisance",
    );
  }
  return parts.join(zh ? "；" : "; ") + (zh ? "。" : ".");
}
