/**
 * Scores the issues found against a list of known defects (the synthetic city's truth file, or a
 * reviewer's verdicts): per code, how many were found (recall) and how many findings were real
 * (precision). Only codes present in `codes` are judged: other issues are outside the truth.
 */
export interface KnownDefect {
  /** Source id (接警单号) of the incident. */
  readonly incident: string;
  readonly code: string;
}

export interface DefectScore {
  readonly code: string;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly precision: number;
  readonly recall: number;
}

export interface DefectReport {
  readonly overall: DefectScore;
  readonly perCode: readonly DefectScore[];
  /** A few misses and false alarms per code, for tuning the rules. */
  readonly examples: Readonly<Record<string, { readonly missed: string[]; readonly falseAlarms: string[] }>>;
}

function score(code: string, tp: number, fp: number, fn: number): DefectScore {
  return {
    code,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    recall: tp + fn === 0 ? 1 : tp / (tp + fn),
  };
}

/**
 * @example
 * defectReport(new Map([["J1", ["empty_narrative"]]]), [{ incident: "J1", code: "empty_narrative" }])
 * // overall precision 1, recall 1
 */
export function defectReport(
  found: ReadonlyMap<string, readonly string[]>,
  truth: readonly KnownDefect[],
  codes: readonly string[] = [...new Set(truth.map((d) => d.code))],
  exampleCount = 5,
): DefectReport {
  const judged = new Set(codes);
  const truthSet = new Set(
    truth.filter((d) => judged.has(d.code)).map((d) => `${d.incident}\u0000${d.code}`),
  );
  const foundSet = new Set<string>();
  for (const [incident, list] of found)
    for (const code of list) if (judged.has(code)) foundSet.add(`${incident}\u0000${code}`);
  const perCode = new Map<
    string,
    { tp: number; fp: number; fn: number; missed: string[]; falseAlarms: string[] }
  >();
  const entry = (code: string) => {
    let e = perCode.get(code);
    if (!e) {
      e = { tp: 0, fp: 0, fn: 0, missed: [], falseAlarms: [] };
      perCode.set(code, e);
    }
    return e;
  };
  for (const code of codes) entry(code);
  for (const key of foundSet) {
    const [incident, code] = key.split("\u0000") as [string, string];
    const e = entry(code);
    if (truthSet.has(key)) e.tp++;
    else {
      e.fp++;
      if (e.falseAlarms.length < exampleCount) e.falseAlarms.push(incident);
    }
  }
  for (const key of truthSet) {
    if (foundSet.has(key)) continue;
    const [incident, code] = key.split("\u0000") as [string, string];
    const e = entry(code);
    e.fn++;
    if (e.missed.length < exampleCount) e.missed.push(incident);
  }
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const scores: DefectScore[] = [];
  const examples: Record<string, { missed: string[]; falseAlarms: string[] }> = {};
  for (const [code, e] of [...perCode].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    tp += e.tp;
    fp += e.fp;
    fn += e.fn;
    scores.push(score(code, e.tp, e.fp, e.fn));
    examples[code] = { missed: e.missed, falseAlarms: e.falseAlarms };
  }
  return { overall: score("*", tp, fp, fn), perCode: scores, examples };
}
