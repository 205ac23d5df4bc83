import { z } from "zod";
import { DEFAULT_SLA_HOURS } from "../cases/case.ts";
import { RecurError } from "../domain/index.ts";
import { type QualityConfig, qualityConfig } from "../quality/config.ts";
import type { RepeatDefinitions } from "../repeat/definitions.ts";
import { DEFAULT_OPTIONS, type RepeatOptions, WARNING_LEVELS, type WarningLevel } from "../repeat/options.ts";
import type { Store } from "../store/types.ts";

/**
 * The deployment's rule settings kept in the store (docs/server.md "Rule settings"): the repeat
 * thresholds and warning levels, the case deadlines per warning level, and the data-quality
 * policy. Every field is optional; what is not stored keeps the built-in default.
 */

/** Settings key of the repeat rules and case deadlines (JSON of `RepeatRuleSettings`). */
export const REPEAT_RULES_KEY = "repeat-rules";
/** Settings key of the quality policy; the same key `recur quality` reads (src/cli/commands/quality.ts). */
export const QUALITY_RULES_KEY = "quality-config";

const Positive = z.number().int().min(1).max(3650);
export const RepeatRuleSettings = z
  .object({
    /** Per category group: the sliding-window rule "at least minEvents events within windowDays". */
    groups: z.record(
      z.string().max(64),
      z
        .object({ minEvents: z.number().int().min(2).max(100), windowDays: Positive })
        .partial()
        .strict(),
    ),
    duplicates: z
      .object({
        windowMinutes: z.number().int().min(1).max(1440),
        radiusMeters: z.number().int().min(10).max(5000),
      })
      .partial()
      .strict(),
    caller: z
      .object({ minEvents: z.number().int().min(2).max(100), windowDays: Positive })
      .partial()
      .strict(),
    matter: z
      .object({
        minEvents: z.number().int().min(2).max(100),
        windowDays: Positive,
        minPlacesOrCallers: z.number().int().min(1).max(20),
      })
      .partial()
      .strict(),
    /** -log10 p of a series' surprise that raises its warning to yellow / orange / red. */
    surpriseScores: z
      .object({
        yellow: z.number().min(0).max(50),
        orange: z.number().min(0).max(50),
        red: z.number().min(0).max(50),
      })
      .partial()
      .strict(),
    /** Case deadline in hours after assignment, per warning level. */
    slaHours: z.partialRecord(
      z.enum(WARNING_LEVELS),
      z
        .number()
        .int()
        .min(1)
        .max(24 * 365),
    ),
  })
  .partial()
  .strict();
export type RepeatRuleSettings = z.infer<typeof RepeatRuleSettings>;

export class RuleSettingsError extends RecurError {
  override readonly name = "RuleSettingsError";
}

/**
 * Checks stored or submitted repeat settings: known groups only, escalating warning scores.
 * Throws RuleSettingsError with a zh/en message naming the field.
 */
export function parseRepeatRules(input: unknown): RepeatRuleSettings {
  const parsed = RepeatRuleSettings.safeParse(input ?? {});
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first?.path.join(".") ?? "";
    throw new RuleSettingsError("bad_repeat_rules", {
      zh: `重复警情规则设置无效：${where} ${first?.message ?? ""}`,
      en: `Invalid repeat rule settings: ${where} ${first?.message ?? ""}`,
    });
  }
  const rules = parsed.data;
  const known = new Set(DEFAULT_OPTIONS.definitions.groups.map((g) => g.name));
  for (const name of Object.keys(rules.groups ?? {}))
    if (!known.has(name))
      throw new RuleSettingsError("unknown_group", {
        zh: `未知的类别组 ${name}`,
        en: `Unknown category group ${name}`,
      });
  const d = DEFAULT_OPTIONS.surpriseScores;
  const yellow = rules.surpriseScores?.yellow ?? d.yellow;
  const orange = rules.surpriseScores?.orange ?? d.orange;
  const red = rules.surpriseScores?.red ?? d.red;
  if (!(yellow < orange && orange < red))
    throw new RuleSettingsError("bad_surprise_scores", {
      zh: "预警分值须满足 黄 < 橙 < 红",
      en: "Warning scores must rise: yellow < orange < red",
    });
  return rules;
}

/**
 * The repeat engine's overrides for these settings (groups, duplicates, caller, matter, scores).
 * @example
 * RepeatIndex.fromColumns(columns, repeatOverrides(rules), builder)
 */
export function repeatOverrides(rules: RepeatRuleSettings): Partial<RepeatOptions> {
  const d = DEFAULT_OPTIONS.definitions;
  const definitions: RepeatDefinitions = {
    groups: d.groups.map((g) => overlay(g, rules.groups?.[g.name])),
    duplicates: overlay(d.duplicates, rules.duplicates),
    caller: overlay(d.caller, rules.caller),
    matter: overlay(d.matter, rules.matter),
  };
  return { definitions, surpriseScores: overlay(DEFAULT_OPTIONS.surpriseScores, rules.surpriseScores) };
}

/** Case deadlines per warning level with the stored overrides. */
export function slaHours(rules: RepeatRuleSettings): Readonly<Record<WarningLevel, number>> {
  return overlay(DEFAULT_SLA_HOURS, rules.slaHours);
}

/** `base` with the defined values of `over` (zod's partial objects may hold undefined). */
function overlay<T extends object>(base: T, over: object | undefined): T {
  const out = { ...base } as Record<string, unknown>;
  for (const [k, v] of Object.entries(over ?? {})) if (v !== undefined) out[k] = v;
  return out as T;
}

/** The stored repeat settings (none stored: {}). A broken stored value falls back to the defaults. */
export async function storedRepeatRules(store: Store): Promise<RepeatRuleSettings> {
  const raw = await store.settings.get(REPEAT_RULES_KEY);
  if (!raw) return {};
  try {
    return parseRepeatRules(JSON.parse(raw));
  } catch {
    return {};
  }
}

/** The stored quality policy as entered (partial), or {} when none is stored or it is broken. */
export async function storedQualityRules(store: Store): Promise<Record<string, unknown>> {
  const raw = await store.settings.get(QUALITY_RULES_KEY);
  if (!raw) return {};
  try {
    const value = JSON.parse(raw) as Record<string, unknown>;
    qualityConfig(value);
    return value;
  } catch {
    return {};
  }
}

/** The engines' overrides from the store, for the repeat index and the dashboard's columns. */
export async function deploymentRepeatOverrides(store: Store): Promise<Partial<RepeatOptions>> {
  return repeatOverrides(await storedRepeatRules(store));
}

/** Everything the rules page shows: what is stored, what is in force, and the built-in defaults. */
export async function ruleSettingsView(store: Store) {
  const repeat = await storedRepeatRules(store);
  const quality = await storedQualityRules(store);
  const effective = repeatOverrides(repeat);
  const effectiveQuality: QualityConfig = qualityConfig(quality);
  return {
    stored: { repeat, quality },
    effective: {
      groups: effective.definitions!.groups.map((g) => ({
        name: g.name,
        level: g.level,
        members: g.members,
        minEvents: g.minEvents,
        windowDays: g.windowDays,
        protective: g.protective ?? false,
      })),
      duplicates: effective.definitions!.duplicates,
      caller: effective.definitions!.caller,
      matter: effective.definitions!.matter,
      surpriseScores: effective.surpriseScores,
      slaHours: slaHours(repeat),
      quality: {
        timeliness: effectiveQuality.timeliness,
        futureToleranceMin: effectiveQuality.futureToleranceMin,
        duplicates: effectiveQuality.duplicates,
        classification: effectiveQuality.classification,
        jurisdiction: {
          maxKmFromStation: effectiveQuality.jurisdiction.maxKmFromStation,
          minStationPoints: effectiveQuality.jurisdiction.minStationPoints,
        },
        sixElements: { textChecks: effectiveQuality.sixElements.textChecks },
        severity: effectiveQuality.severity,
      },
    },
    defaults: {
      groups: DEFAULT_OPTIONS.definitions.groups.map((g) => ({
        name: g.name,
        minEvents: g.minEvents,
        windowDays: g.windowDays,
      })),
      duplicates: DEFAULT_OPTIONS.definitions.duplicates,
      caller: DEFAULT_OPTIONS.definitions.caller,
      matter: DEFAULT_OPTIONS.definitions.matter,
      surpriseScores: DEFAULT_OPTIONS.surpriseScores,
      slaHours: DEFAULT_SLA_HOURS,
    },
  };
}
