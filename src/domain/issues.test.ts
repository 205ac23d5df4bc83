import { describe, expect, test } from "vitest";
import type { Incident } from "./incident.ts";
import { type Issue, type MessageCatalog, renderIssue, renderMessage } from "./issues.ts";
import { FIELD_LABELS, fieldLabel } from "./labels.ts";

type Code = "late" | "order" | "empty";
const CATALOG: MessageCatalog<Code> = {
  late: { zh: "时间“{value}”在未来", en: 'time "{value}" lies in the future' },
  order: {
    zh: "{field:label}早于{before:label}（{minutes} 分钟），已保留",
    en: "{field:label} is earlier than {before:label} ({minutes} min); kept",
    // Issues stored before `minutes` existed carried "15 min" as their value.
    defaults: (issue) => ({ minutes: Number.parseInt(issue.value ?? "", 10) }),
  },
  empty: { zh: "值为空", en: "the value is empty" },
};

const issue = (extra: Partial<Issue<Code>>): Issue<Code> => ({ code: "late", severity: "warning", ...extra });

describe("renderIssue", () => {
  test("names the file's column, and the field's meaning when the column says something else", () => {
    const i = issue({
      file: "m.csv",
      row: 28,
      field: "arrivedAt",
      column: ["到达现场"],
      value: "2031-01-01",
    });
    expect(renderIssue(i, CATALOG, "zh")).toBe(
      "m.csv，第28行，列“到达现场”（到场时间）：时间“2031-01-01”在未来",
    );
    expect(renderIssue(i, CATALOG, "en")).toBe(
      'm.csv, row 28, column "到达现场" (time arrived): time "2031-01-01" lies in the future',
    );
  });

  test("a column that already says what it holds is not explained again", () => {
    const i = issue({ row: 3, field: "closedAt", column: ["反馈时间"], value: "2031-01-01" });
    expect(renderIssue(i, CATALOG, "zh")).toBe("第3行，列“反馈时间”：时间“2031-01-01”在未来");
  });

  test("a field read from several columns names them all", () => {
    const i = issue({ code: "empty", row: 2, field: "receivedAt", column: ["日期", "时间"] });
    expect(renderIssue(i, CATALOG, "zh")).toBe("第2行，列“日期”“时间”（报警时间）：值为空");
    expect(renderIssue(i, CATALOG, "en")).toBe(
      'row 2, columns "日期", "时间" (time received): the value is empty',
    );
  });

  test("a field without a column (a constant, or an issue stored before columns were recorded) is named by its label", () => {
    const i = issue({ code: "empty", file: "m.csv", row: 28, field: "cityUnit" });
    expect(renderIssue(i, CATALOG, "zh")).toBe("m.csv，第28行，字段“市局”：值为空");
    expect(renderIssue(i, CATALOG, "en")).toBe(
      "m.csv, row 28, field cityUnit (city police): the value is empty",
    );
  });

  test("a field recur has no label for is shown as it is", () => {
    const i = issue({ code: "empty", row: 1, field: "简要" });
    expect(renderIssue(i, CATALOG, "zh")).toBe("第1行，字段“简要”：值为空");
    expect(renderIssue(i, CATALOG, "en")).toBe("row 1, field 简要: the value is empty");
  });
});

describe("renderMessage", () => {
  test("{name:label} gives the label of the field a value names", () => {
    const i = issue({ code: "order", field: "arrivedAt", params: { before: "dispatchedAt", minutes: 15 } });
    expect(renderMessage(i, CATALOG, "zh")).toBe("到场时间早于派警时间（15 分钟），已保留");
    expect(renderMessage(i, CATALOG, "en")).toBe(
      "time arrived is earlier than time dispatched (15 min); kept",
    );
  });

  test("{name:category} gives the label of the category or subtype a value names", () => {
    const catalog: MessageCatalog<"filed"> = {
      filed: { zh: "归为“{target:category}”（{target}）", en: "filed as {target}" },
    };
    const filed = (target: string) =>
      renderMessage({ code: "filed", severity: "warning", params: { target } }, catalog, "zh");
    expect(filed("fire")).toBe("归为“火灾”（fire）");
    expect(filed("dispute.family")).toBe("归为“家庭纠纷”（dispute.family）");
    // A deployment's own subtype has no label: its category's.
    expect(filed("fire.warehouse")).toBe("归为“火灾”（fire.warehouse）");
    expect(filed("martian")).toBe("归为“martian”（martian）");
  });

  test("an issue stored by an older version gets the values it lacks from the catalog's defaults", () => {
    const old = issue({
      code: "order",
      field: "arrivedAt",
      value: "15 min",
      params: { before: "dispatchedAt" },
    });
    expect(renderMessage(old, CATALOG, "zh")).toBe("到场时间早于派警时间（15 分钟），已保留");
  });
});

test("every field of the incident model has a Chinese and an English label", () => {
  const model: Record<keyof Incident, true> = {
    id: true,
    sourceSystem: true,
    sourceId: true,
    batchId: true,
    receivedAt: true,
    acceptedAt: true,
    dispatchedAt: true,
    arrivedAt: true,
    closedAt: true,
    utcOffsetMin: true,
    category: true,
    subtype: true,
    sourceCategory: true,
    department: true,
    address: true,
    lon: true,
    lat: true,
    datum: true,
    location: true,
    addressComponents: true,
    cityUnit: true,
    branchUnit: true,
    stationUnit: true,
    areaUnit: true,
    callerPseudonym: true,
    callerNumberEnc: true,
    narrative: true,
    disposition: true,
    feedback: true,
  };
  for (const field of Object.keys(model)) {
    expect(fieldLabel(field, "zh"), field).toMatch(/\p{Script=Han}/u);
    expect(fieldLabel(field, "en"), field).toMatch(/^[a-zA-Z]/);
  }
  expect(FIELD_LABELS.closedAt.zh).toBe("反馈时间");
  expect(fieldLabel("no-such-field", "zh")).toBeUndefined();
});
