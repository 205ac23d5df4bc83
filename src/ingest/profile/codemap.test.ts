import { describe, expect, test } from "vitest";
import { MemoryStore } from "../testing/fakes.ts";
import { importInto, tempDir, writeText } from "../testing/files.ts";
import { categoryLabels, compileCodeMap, departmentLabels } from "./codemap.ts";
import { parseProfile } from "./load.ts";

const dir = tempDir("recur-codemap-");

describe("category labels", () => {
  const lookup = compileCodeMap<string>(
    { exact: { "火灾/车辆起火": "fire.vehicle" } },
    categoryLabels(),
    "other",
  );

  test.each([
    ["纠纷/邻里纠纷", "dispute.neighbour", true],
    ["Dispute/Family dispute", "dispute.family", true],
    ["火灾/车辆起火", "fire.vehicle", true],
    ["火灾/火情", "fire", false],
    ["治安/殴打他人", "public_order", false],
    ["纠纷/纠纷-邻里纠纷", "dispute", false],
    ["交通事故/两车追尾", "traffic.accident", false],
    ["Traffic/Road closed", "traffic", false],
    ["其他警情/测试类", "other", false],
    ["/火情", "other", false],
    ["火情", "other", false],
  ])("%s maps to %s (matched: %s)", (value, target, matched) => {
    expect(lookup(value)).toEqual({ target, matched });
  });

  test("an unknown pair is not read by its head without labels", () => {
    expect(compileCodeMap<string>({}, undefined, "other")("火灾/火情")).toEqual({
      target: "other",
      matched: false,
    });
  });

  test("departments keep no pair fallback: an unknown pair stays unknown", () => {
    expect(compileCodeMap({}, departmentLabels(), null)("城管/综合执法")).toEqual({
      target: null,
      matched: false,
    });
  });
});

describe("an export with category and subtype names in two columns", () => {
  test("a subtype recur does not know keeps its category, with a warning naming the pair", async () => {
    const profile = parseProfile(
      {
        name: "pairs",
        sourceSystem: "pairs",
        timezone: "Asia/Shanghai",
        sourceId: "编号",
        fields: { receivedAt: "报警时间" },
        category: { columns: ["警情类别", "警情细类"], separator: "/", labels: true },
      },
      "pairs.json",
    );
    const file = writeText(
      dir,
      "pairs.csv",
      [
        "编号,报警时间,警情类别,警情细类",
        "1,2025-11-24 08:05:33,火灾,火情",
        "2,2025-11-24 08:06:00,纠纷,邻里纠纷",
        "3,2025-11-24 08:07:00,其他警情,测试类",
        "4,2025-11-24 08:08:00,治安,",
      ].join("\n"),
      "gbk",
    );
    const store = new MemoryStore();
    const summary = await importInto(store, file, profile);
    expect(store.bySourceId("1")).toMatchObject({
      category: "fire",
      subtype: null,
      sourceCategory: "火灾/火情",
    });
    expect(store.bySourceId("2")).toMatchObject({ category: "dispute", subtype: "neighbour" });
    expect(store.bySourceId("3")).toMatchObject({ category: "other", subtype: null });
    expect(store.bySourceId("4")).toMatchObject({ category: "public_order", subtype: null });
    const warned = summary.sampleWarnings.map((w) => [w.row, w.code, w.value, w.params?.target]);
    expect(warned).toEqual([
      [1, "unmapped_category", "火灾/火情", "fire"],
      [3, "unmapped_category", "其他警情/测试类", "other"],
    ]);
  });
});
