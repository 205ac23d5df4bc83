import { DEFAULT_EXCLUSIONS, type ExclusionOptions } from "./columns.ts";
import { DEFAULT_DEFINITIONS, type RepeatDefinitions } from "./definitions.ts";

/** Warning levels, lowest first (docs/repeat.md "Warning levels"). */
export const WARNING_LEVELS = ["blue", "yellow", "orange", "red"] as const;
export type WarningLevel = (typeof WARNING_LEVELS)[number];

export const SERIES_KINDS = ["place", "caller", "matter"] as const;
export type SeriesKind = (typeof SERIES_KINDS)[number];

/**
 * Engine settings beyond the shared rule definitions; every field has a default and a
 * deployment may override any of them (docs/repeat.md).
 */
export interface RepeatOptions {
  readonly definitions: RepeatDefinitions;
  readonly exclusions: ExclusionOptions;
  /** Compare location keys in their matching form (places.ts: admin prefixes, generic suffixes, homophones). */
  readonly resolvePlaces: boolean;
  /** Join road numbers and shop/site names written together into one building-level place (unify.ts). */
  readonly unifyPlaces: boolean;
  /**
   * Sets of codes ("category" or "category.subtype") whose calls may describe one event; two
   * calls are compatible when they have the same code or share a set (a category in a set stands
   * for all its subtypes). Two subtypes of one category are not compatible by themselves: a
   * traffic violation is no report of the crash at the same corner.
   */
  readonly compatible: readonly (readonly string[])[];
  /**
   * Shorter duplicate windows in minutes per code or category, for kinds where separate events at
   * one place are common within the hour (accidents at a busy crossing).
   */
  readonly duplicateWindows: Readonly<Record<string, number>>;
  /** Codes compatible with every call ("repeat report of the same event"). */
  readonly anyCompatible: readonly string[];
  /**
   * Codes ("category" or "category.subtype") whose calls are one event only with the same
   * caller's calls (a call-back), never by place: calls that report nothing several people see
   * (silent calls, misdials, pranks, harassment; non-police requests, each its own work order).
   */
  readonly callerOnly: readonly string[];
  /**
   * Codes whose calls are always an event of their own: a nuisance caller's calls (harassment,
   * pranks) are the nuisance itself, counted call by call.
   */
  readonly ownEvent: readonly string[];
  /** Merge by radius also when both calls have different building keys (off: a key conflict wins). */
  readonly radiusAcrossKeys: boolean;
  /** Minimum narrative similarity for two calls to be one event when both have narratives; 0 = off. */
  readonly duplicateSimilarity: number;
  /** Groups whose events can form matter series (disputes). */
  readonly matterGroups: readonly string[];
  /** Narratives stating the same figures this alike (Jaccard of bigrams, digits kept) at one POI are one matter. */
  readonly matterFactSimilarity: number;
  /** Severity ladder for escalation: dispute 1 → threat 2 → assault 3 → homicide 4. */
  readonly severity: Readonly<Record<string, number>>;
  /** Surprise scores (-log10 p) that raise the warning level. */
  readonly surpriseScores: { readonly yellow: number; readonly orange: number; readonly red: number };
  /** Frequency escalates when the mean gap of the later half is at most this share of the earlier half's. */
  readonly accelerationRatio: number;
  /** Days of exposure the neighbourhood rate is worth in the place's expected rate. */
  readonly priorDays: number;
  /** Upper bound on steps when walking one key's event chain (hot keys stay fast). */
  readonly maxChainSteps: number;
}

export const DEFAULT_OPTIONS: RepeatOptions = {
  definitions: DEFAULT_DEFINITIONS,
  exclusions: DEFAULT_EXCLUSIONS,
  resolvePlaces: true,
  unifyPlaces: true,
  compatible: [
    ["fire", "disaster"],
    [
      "criminal.assault",
      "criminal.homicide",
      "criminal.domestic_violence",
      "criminal.robbery",
      "public_order.fight",
      "public_order.threat",
      "public_order.disturbance",
      "dispute",
      "help.victim_help",
    ],
    // One crash: the crash, the driver who fled, the jam behind it, the quarrel over it.
    ["traffic.accident", "traffic.hit_and_run", "traffic.congestion", "dispute.traffic_dispute"],
    // One break-in or snatch, told as theft by one caller and as burglary or robbery by another.
    ["criminal.theft", "criminal.burglary", "criminal.robbery", "criminal.vandalism"],
    ["public_order.noise", "dispute.neighbour"],
    ["help.medical", "help.suicide", "help.mental_health", "help.elderly"],
  ],
  duplicateWindows: { traffic: 30 },
  anyCompatible: ["invalid.repeat_report", "other"],
  callerOnly: ["invalid.silent", "invalid.misdial", "non_police"],
  ownEvent: ["invalid.prank", "invalid.harassment"],
  radiusAcrossKeys: true,
  duplicateSimilarity: 0,
  matterGroups: ["neighbour", "domestic", "labour", "consumer", "property", "debt"],
  matterFactSimilarity: 0.9,
  severity: {
    dispute: 1,
    "public_order.noise": 1,
    "public_order.disturbance": 1,
    "help.victim_help": 1,
    "public_order.threat": 2,
    "criminal.weapons": 3,
    "public_order.fight": 3,
    "criminal.assault": 3,
    "criminal.domestic_violence": 3,
    "criminal.sexual": 3,
    "criminal.robbery": 3,
    "criminal.homicide": 4,
  },
  surpriseScores: { yellow: 2, orange: 4, red: 6 },
  accelerationRatio: 0.5,
  priorDays: 60,
  maxChainSteps: 256,
};

/** Options with defaults filled in (normalised once at the entry). */
export function repeatOptions(overrides: Partial<RepeatOptions> = {}): RepeatOptions {
  return { ...DEFAULT_OPTIONS, ...overrides };
}
