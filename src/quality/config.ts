import { z } from "zod";
import {
  CATEGORIES,
  type Category,
  ConfigError,
  DEFAULT_SUBTYPES,
  DEPARTMENTS,
  SEVERITIES,
} from "../domain/index.ts";
import { QUALITY_CODES, type QualityCode } from "./codes.ts";

/**
 * The deployment's data-quality policy. Every rule reads its limits from here; a deployment
 * passes a partial object (JSON in the store or a file) and gets the defaults for the rest.
 */
export interface QualityConfig {
  /** Codes switched off, or given another severity. */
  readonly severity: Readonly<Partial<Record<QualityCode, "error" | "warning" | "off">>>;
  readonly timeliness: {
    /** Feedback (反馈) must be filed within this many hours of the call. */
    readonly feedbackWithinHours: number;
    /** Dispatch (派警) within this many minutes of acceptance. */
    readonly dispatchWithinMin: number;
    /** Arrival (到场) within this many minutes of dispatch (urban norm; see docs/quality.md). */
    readonly arriveWithinMin: number;
  };
  /** A time more than this many minutes after the clock is "in the future" (clock skew). */
  readonly futureToleranceMin: number;
  readonly place: {
    /** Categories, "category.subtype" codes or departments whose calls need no address. */
    readonly optionalFor: readonly string[];
    /** Address texts that mean "unknown". */
    readonly placeholders: readonly string[];
  };
  readonly jurisdiction: {
    /** [minLon, minLat, maxLon, maxLat] of the city, when known. */
    readonly bbox: readonly [number, number, number, number] | null;
    /** Without a bbox: a point farther than this from its station's median point is outside. */
    readonly maxKmFromStation: number;
    /** Stations with fewer located calls than this are not judged by the median rule. */
    readonly minStationPoints: number;
  };
  readonly classification: {
    /** Flag a category mismatch only when the classifier's confidence is at least this. */
    readonly minConfidence: number;
    /** ...and its keyword score (rules) at least this. */
    readonly minScore: number;
    /** Trained model: minimum probability for a mismatch. */
    readonly minProbability: number;
  };
  readonly duplicates: {
    /** Calls at one place (or from one caller) within this many minutes are one event. */
    readonly windowMin: number;
  };
  readonly labels: {
    /** Categories (or departments) whose calls may leave the subtype empty. */
    readonly subtypeOptionalFor: readonly string[];
  };
  /** Subtypes allowed per category (the deployment taxonomy). */
  readonly taxonomy: Readonly<Record<Category, readonly string[]>>;
  /** Six elements: whether people, cause and process must appear in the narrative/feedback. */
  readonly sixElements: { readonly textChecks: boolean; readonly exempt: readonly string[] };
}

export const DEFAULT_QUALITY_CONFIG: QualityConfig = {
  severity: {},
  timeliness: { feedbackWithinHours: 24, dispatchWithinMin: 10, arriveWithinMin: 30 },
  futureToleranceMin: 10,
  place: {
    // A repeat report (invalid.repeat_report) is about a real event at a place: not optional.
    optionalFor: [
      "invalid.silent",
      "invalid.prank",
      "invalid.harassment",
      "invalid.misdial",
      "invalid.test",
      "complaint",
      "non_police.consultation",
      "labour",
      "transport",
      "hotline_12345",
    ],
    placeholders: ["不详", "未知", "无", "不明", "-", "--", "/", "null", "NULL", "空"],
  },
  jurisdiction: { bbox: null, maxKmFromStation: 40, minStationPoints: 20 },
  // minProbability: chosen on a development seed of the generated city (all planted label errors
  // found, no false alarm at 0.6); deployments with noisier labels may want it higher.
  classification: { minConfidence: 0.65, minScore: 3, minProbability: 0.6 },
  duplicates: { windowMin: 30 },
  // Non-police calls are sorted by department, not subtype; "other" has no subtypes to speak of.
  labels: { subtypeOptionalFor: ["non_police", "other"] },
  taxonomy: DEFAULT_SUBTYPES,
  sixElements: { textChecks: true, exempt: ["invalid"] },
};

const ConfigSchema = z
  .object({
    severity: z.partialRecord(z.enum(QUALITY_CODES), z.enum([...SEVERITIES, "off"])),
    timeliness: z
      .object({
        feedbackWithinHours: z.number().positive(),
        dispatchWithinMin: z.number().positive(),
        arriveWithinMin: z.number().positive(),
      })
      .partial(),
    futureToleranceMin: z.number().min(0),
    place: z.object({ optionalFor: z.array(z.string()), placeholders: z.array(z.string()) }).partial(),
    jurisdiction: z
      .object({
        bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]).nullable(),
        maxKmFromStation: z.number().positive(),
        minStationPoints: z.number().int().min(1),
      })
      .partial(),
    classification: z
      .object({
        minConfidence: z.number().min(0).max(1),
        minScore: z.number().min(0),
        minProbability: z.number().min(0).max(1),
      })
      .partial(),
    duplicates: z.object({ windowMin: z.number().positive() }).partial(),
    labels: z.object({ subtypeOptionalFor: z.array(z.string()) }).partial(),
    taxonomy: z.partialRecord(z.enum(CATEGORIES), z.array(z.string())),
    sixElements: z.object({ textChecks: z.boolean(), exempt: z.array(z.string()) }).partial(),
  })
  .partial()
  .strict();

/** Overlays the defined values of `over` on `base` (zod's partial objects may hold undefined). */
function merge<T extends object>(
  base: T,
  over: { readonly [K in keyof T]?: T[K] | undefined } | undefined,
): T {
  const out = { ...base };
  for (const [k, v] of Object.entries(over ?? {}))
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/**
 * Normalises a deployment's partial config (parsed JSON, `unknown`) into a full one.
 * @example qualityConfig({ timeliness: { feedbackWithinHours: 12 } }).timeliness.arriveWithinMin // 30
 */
export function qualityConfig(input: unknown = {}): QualityConfig {
  const parsed = ConfigSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first?.path.join(".") ?? "";
    throw new ConfigError("bad_quality_config", {
      zh: `质量规则配置无效：${where} ${first?.message ?? ""}`,
      en: `Invalid quality rule config: ${where} ${first?.message ?? ""}`,
    });
  }
  const p = parsed.data;
  const d = DEFAULT_QUALITY_CONFIG;
  for (const dep of p.place?.optionalFor ?? [])
    if (
      !(CATEGORIES as readonly string[]).includes(dep.split(".")[0]!) &&
      !(DEPARTMENTS as readonly string[]).includes(dep)
    )
      throw new ConfigError("bad_quality_config", {
        zh: `place.optionalFor 中的 ${dep} 既不是类别也不是部门`,
        en: `place.optionalFor: ${dep} is neither a category nor a department`,
      });
  return {
    severity: merge(d.severity, p.severity),
    timeliness: merge(d.timeliness, p.timeliness),
    futureToleranceMin: p.futureToleranceMin ?? d.futureToleranceMin,
    place: merge(d.place, p.place),
    jurisdiction: merge(d.jurisdiction, p.jurisdiction),
    classification: merge(d.classification, p.classification),
    duplicates: merge(d.duplicates, p.duplicates),
    labels: merge(d.labels, p.labels),
    taxonomy: merge(d.taxonomy, p.taxonomy),
    sixElements: merge(d.sixElements, p.sixElements),
  };
}
