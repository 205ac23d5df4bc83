import gcoordModule from "gcoord";
import Papa from "papaparse";
import { describe, expect, test } from "vitest";
import { CATEGORY_LABELS } from "../domain/index.ts";
import { DEFAULT_DEFINITIONS } from "../repeat/definitions.ts";
import { ruleClassifier } from "../text/classify.ts";
import { COL, csvHeader, csvText, type SynthRow } from "./columns.ts";
import { type GenerateOptions, generateCity } from "./generate.ts";
import type { SynthTruth } from "./truth.ts";

function run(options: GenerateOptions): { rows: SynthRow[]; text: string; truth: SynthTruth } {
  const gen = generateCity(options);
  const rows: SynthRow[] = [];
  let text = csvHeader();
  for (let r = gen.next(); ; r = gen.next()) {
    if (r.done) return { rows, text, truth: r.value };
    rows.push(...r.value);
    text += csvText(r.value);
  }
}

const gcoord = gcoordModule as unknown as (typeof gcoordModule)["default"];
const big = run({ incidents: 20_000, seed: 11 });
const byId = new Map(big.rows.map((row) => [row[COL.sourceId]!, row]));
const localMs = (text: string): number => Date.parse(`${text.replace(" ", "T")}Z`);

describe("generateCity", () => {
  test("the same seed gives the same bytes, another seed other bytes", () => {
    const a = run({ incidents: 3000, seed: 5 });
    const b = run({ incidents: 3000, seed: 5 });
    const c = run({ incidents: 3000, seed: 6 });
    expect(a.text).toBe(b.text);
    expect(JSON.stringify(a.truth)).toBe(JSON.stringify(b.truth));
    expect(c.text).not.toBe(a.text);
  });

  test("writes exactly the requested number of rows with unique source ids in time order", () => {
    expect(big.rows).toHaveLength(20_000);
    expect(byId.size).toBe(20_000);
    const times = big.rows.map((r) => r[COL.received]!);
    expect([...times].sort()).toEqual(times);
    expect(big.rows.every((r) => r.length === 20)).toBe(true);
  });

  test("the category mix is near 30% traffic, 10% criminal and public order, 20% non-police, 30% invalid, 10% other", () => {
    const share = (cats: string[]): number =>
      big.rows.filter((r) => cats.includes(r[COL.category]!)).length / big.rows.length;
    expect(share(["交通"])).toBeCloseTo(0.3, 1);
    expect(share(["刑事", "治安"])).toBeCloseTo(0.1, 1);
    expect(share(["非警务"])).toBeCloseTo(0.2, 1);
    expect(share(["无效警情"])).toBeCloseTo(0.3, 1);
    expect(share(["纠纷", "求助", "火灾", "灾害事故", "投诉", "其他"])).toBeCloseTo(0.1, 1);
  });

  test("calls follow a daily and weekly rhythm", () => {
    const byHour = new Array<number>(24).fill(0);
    const byWeekday = new Array<number>(7).fill(0);
    for (const row of big.rows) {
      byHour[Number(row[COL.received]!.slice(11, 13))]!++;
      byWeekday[new Date(`${row[COL.received]!.slice(0, 10)}T00:00:00Z`).getUTCDay()]!++;
    }
    expect(byHour[4]! * 3).toBeLessThan(byHour[9]!);
    // Saturday (6) busier than Tuesday (2); 2024 has 52 or 53 of each.
    expect(byWeekday[6]!).toBeGreaterThan(byWeekday[2]! * 1.05);
  });

  test("non-police calls name the responsible department and others do not", () => {
    for (const row of big.rows) {
      if (row[COL.category] === "非警务") expect(row[COL.department]).not.toBe("");
      else expect(row[COL.department]).toBe("");
    }
  });

  test("dispatch follows acceptance within minutes and most calls have no arrival unless dispatched", () => {
    let dispatched = 0;
    let fast = 0;
    for (const row of big.rows) {
      if (!row[COL.dispatched] || !row[COL.accepted]) continue;
      dispatched++;
      const gap = localMs(row[COL.dispatched]!) - localMs(row[COL.accepted]!);
      if (gap >= 15_000 && gap <= 5 * 60_000) fast++;
    }
    expect(fast / dispatched).toBeGreaterThan(0.9);
    const arrivedWithoutDispatch = big.rows.filter((r) => r[COL.arrived] && !r[COL.dispatched]);
    expect(arrivedWithoutDispatch).toHaveLength(0);
  });

  test("every source id in the truth exists in the export", () => {
    const ids = [
      ...big.truth.series.flatMap((s) => s.incidents),
      ...big.truth.duplicates.flat(),
      ...big.truth.defects.map((d) => d.incident),
    ];
    expect(ids.length).toBeGreaterThan(1000);
    expect(ids.filter((id) => !byId.has(id))).toEqual([]);
  });

  test("the truth holds every kind of series, duplicates and defects", () => {
    const kinds = new Set(big.truth.series.map((s) => s.kind));
    expect([...kinds].sort()).toEqual(["caller", "matter", "place"]);
    const groups = new Set(big.truth.series.filter((s) => s.kind === "place").map((s) => s.group));
    for (const g of ["noise", "domestic", "labour", "consumer", "help"]) expect(groups).toContain(g);
    expect(big.truth.duplicates.length).toBeGreaterThan(100);
    const codes = new Set(big.truth.defects.map((d) => d.code));
    expect(codes.size).toBeGreaterThanOrEqual(7);
  });

  test("each series satisfies the window rule of its definition on the exported times", () => {
    const eventOf = new Map<string, string>();
    for (const group of big.truth.duplicates) for (const id of group) eventOf.set(id, group[0]!);
    for (const s of big.truth.series) {
      const def =
        s.kind === "place"
          ? DEFAULT_DEFINITIONS.groups.find((g) => g.name === s.group)!
          : s.kind === "caller"
            ? DEFAULT_DEFINITIONS.caller
            : DEFAULT_DEFINITIONS.matter;
      // Events: a call stands for its event; the event's time is its first call's.
      const events = new Map<string, number>();
      for (const id of s.incidents) {
        const key = eventOf.get(id) ?? id;
        const at = localMs(byId.get(key)![COL.received]!);
        events.set(key, Math.min(events.get(key) ?? at, at));
      }
      const times = [...events.values()].sort((a, b) => a - b);
      expect(times.length).toBeGreaterThanOrEqual(def.minEvents);
      const window = def.windowDays * 86_400_000;
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeLessThanOrEqual(window);
      expect(times.some((t, i) => (times[i + def.minEvents - 1] ?? Infinity) - t <= window)).toBe(true);
    }
  });

  test("the calls of one true event come within the hour", () => {
    for (const group of big.truth.duplicates) {
      const times = group.map((id) => localMs(byId.get(id)![COL.received]!));
      expect(Math.max(...times) - Math.min(...times)).toBeLessThanOrEqual(
        DEFAULT_DEFINITIONS.duplicates.windowMinutes * 60_000,
      );
    }
  });

  test("the calls of one true event carry positions within the duplicate radius", () => {
    const defective = new Set(big.truth.defects.map((d) => d.incident));
    const point = (row: SynthRow): [number, number] => {
      const p: [number, number] = [Number(row[COL.lon]), Number(row[COL.lat])];
      if (row[COL.datum] === "GCJ02") return p;
      const from = row[COL.datum] === "WGS84" ? gcoord.WGS84 : gcoord.BD09;
      return gcoord.transform(p, from, gcoord.GCJ02) as [number, number];
    };
    let pairs = 0;
    let near = 0;
    for (const group of big.truth.duplicates) {
      const rows = group.filter((id) => !defective.has(id)).map((id) => byId.get(id)!);
      const located = rows.filter((r) => r[COL.lon] !== "");
      expect(located.length).toBe(rows.filter((r) => r[COL.address] !== "").length);
      for (let i = 1; i < located.length; i++) {
        const [x1, y1] = point(located[0]!);
        const [x2, y2] = point(located[i]!);
        pairs++;
        if (
          Math.hypot((x1 - x2) * 97_070, (y1 - y2) * 110_900) <= DEFAULT_DEFINITIONS.duplicates.radiusMeters
        )
          near++;
      }
    }
    expect(pairs).toBeGreaterThan(500);
    expect(new Set(big.rows.map((r) => r[COL.datum]))).toEqual(new Set(["", "GCJ02", "WGS84", "BD09"]));
    expect(near / pairs).toBeGreaterThan(0.97);
  });

  test("the addresses of one true place vary", () => {
    const noise = big.truth.series.filter(
      (s) => s.kind === "place" && s.group === "noise" && s.incidents.length >= 4,
    );
    expect(noise.length).toBeGreaterThan(0);
    const varied = noise.filter((s) => new Set(s.incidents.map((id) => byId.get(id)![COL.address])).size > 1);
    expect(varied.length).toBe(noise.length);
  });

  test("no true place key, event or caller index leaks into the export", () => {
    expect(big.text).not.toMatch(/\b[cprx]\d+[/#&]\d+/);
    expect(big.text).not.toMatch(/(^|[,|])[cpx]\d+(,|$)/m);
  });

  test("rows carry identifiers import must mask and numbers it must keep", () => {
    const narratives = big.rows.map((r) => r[COL.narrative]!).join("\n");
    expect(narratives).toMatch(/\d{17}[\dX]/);
    expect(narratives).toMatch(/1[3-9]\d{9}/);
    expect(narratives).toMatch(/浙M[A-Z0-9]{5,6}/);
    expect(narratives).toMatch(/\d+单元\d{3,4}室/);
    expect(narratives).toMatch(/\d+元/);
    expect(narratives).toMatch(/工单号\d{14}/);
    expect(narratives).toMatch(/\d{1,2}月\d{1,2}日/);
  });

  test("the category is recoverable from the narrative for at least 95% of rows without defects", () => {
    const rules = ruleClassifier();
    const categoryOf = new Map(Object.entries(CATEGORY_LABELS).map(([code, label]) => [label.zh, code]));
    const defective = new Set(big.truth.defects.map((d) => d.incident));
    const rows = big.rows.filter((r) => !defective.has(r[COL.sourceId]!));
    const agree = rows.filter(
      (r) => rules.classify(r[COL.narrative]!).category === categoryOf.get(r[COL.category]!),
    );
    expect(agree.length / rows.length).toBeGreaterThan(0.95);
  });

  test("a CSV parser reads back exactly the rows, quotes, commas and line breaks included", () => {
    const parsed = Papa.parse<string[]>(big.text, { newline: "\r\n" }).data.filter((r) => r.length > 1);
    expect(parsed.length).toBe(big.rows.length + 1);
    expect(parsed.slice(1)).toEqual(big.rows);
    expect(big.rows.some((r) => r[COL.feedback]!.includes("\n"))).toBe(true);
    expect(big.rows.some((r) => r[COL.narrative]!.includes('"'))).toBe(true);
    expect(big.rows.some((r) => r[COL.narrative]!.includes(","))).toBe(true);
  });

  test("rejects a non-positive number of incidents", () => {
    expect(() => generateCity({ incidents: 0, seed: 1 }).next()).toThrow(RangeError);
  });
});
