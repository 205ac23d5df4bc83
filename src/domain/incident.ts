import { z } from "zod";
import { CATEGORIES, type Category, DATUMS, type Datum, DEPARTMENTS, type Department } from "./codes.ts";
import type { BatchId, CallerPseudonym, EpochMs, IncidentId, UnitCode } from "./ids.ts";
import type { AddressComponentsJson, LocationKeys } from "./location.ts";

/**
 * One 110 call record (警情) after import. Times are instants in epoch milliseconds; the local
 * UTC offset at receipt is kept so that hour-of-day analysis uses the caller's wall clock.
 *
 * Deliberately absent: any field for ethnicity, religion, region of origin or other sensitive
 * attributes of a person, and the caller's number in clear (see docs/privacy.md).
 */
export interface Incident {
  readonly id: IncidentId;
  /** Dispatch system the record came from, e.g. "jjxt-110" or "milwaukee". */
  readonly sourceSystem: string;
  /** Id of the record in its source system; with sourceSystem it identifies the record. */
  readonly sourceId: string;
  readonly batchId: BatchId;

  /** Call received (来电/报警时间). */
  readonly receivedAt: EpochMs;
  /** Call accepted by a call-taker (接警). */
  readonly acceptedAt: EpochMs | null;
  /** Unit dispatched (派警). */
  readonly dispatchedAt: EpochMs | null;
  /** First unit on scene (到场). */
  readonly arrivedAt: EpochMs | null;
  /** Feedback filed / call closed (反馈/结警). */
  readonly closedAt: EpochMs | null;
  /** Offset of the local wall clock from UTC in minutes at receivedAt (e.g. +480 for China). */
  readonly utcOffsetMin: number;

  readonly category: Category;
  /** Second-level code within the category; validated against the deployment taxonomy. */
  readonly subtype: string | null;
  /** The source system's own category code or text, kept for audit of the mapping. */
  readonly sourceCategory: string | null;
  /** For non-police calls: the government department responsible (12345 分流). */
  readonly department: Department | null;

  readonly address: string | null;
  readonly lon: number | null;
  readonly lat: number | null;
  readonly datum: Datum | null;
  /** Location keys derived from the address at import (src/address). */
  readonly location: LocationKeys;
  /**
   * The address's parsed components in order, covering its text, as JSON (set at import; null
   * when there is no address or no parser; addressComponentsFromJson reads it). Optional so that
   * hand-built incidents need not carry it.
   */
  readonly addressComponents?: AddressComponentsJson | null;

  readonly cityUnit: UnitCode | null;
  readonly branchUnit: UnitCode | null;
  readonly stationUnit: UnitCode | null;
  readonly areaUnit: UnitCode | null;

  /** Keyed pseudonym of the caller's number; links calls without revealing the number. */
  readonly callerPseudonym: CallerPseudonym | null;
  /** AES-256-GCM ciphertext of the caller's number, only when the profile asks to keep it. */
  readonly callerNumberEnc: string | null;

  /** Narrative (简要案情) with personal identifiers masked at import. */
  readonly narrative: string | null;
  /** Disposition code or text (处警结果). */
  readonly disposition: string | null;
  /** Feedback text (反馈内容), masked like the narrative. */
  readonly feedback: string | null;
}

const epochMs = z.number().int().finite();

/** Runtime schema of an Incident, for input arriving as `unknown` (API, JSONL). */
export const IncidentSchema = z.object({
  id: z.string().min(1),
  sourceSystem: z.string().min(1).max(64),
  sourceId: z.string().min(1).max(128),
  batchId: z.string().min(1),
  receivedAt: epochMs,
  acceptedAt: epochMs.nullable(),
  dispatchedAt: epochMs.nullable(),
  arrivedAt: epochMs.nullable(),
  closedAt: epochMs.nullable(),
  utcOffsetMin: z.number().int().min(-840).max(840),
  category: z.enum(CATEGORIES),
  subtype: z.string().max(64).nullable(),
  sourceCategory: z.string().max(256).nullable(),
  department: z.enum(DEPARTMENTS).nullable(),
  address: z.string().max(512).nullable(),
  lon: z.number().min(-180).max(180).nullable(),
  lat: z.number().min(-90).max(90).nullable(),
  datum: z.enum(DATUMS).nullable(),
  location: z.object({
    poi: z.string().max(256).nullable(),
    building: z.string().max(256).nullable(),
    unit: z.string().max(256).nullable(),
    room: z.string().max(256).nullable(),
    road: z.string().max(256).nullable(),
    cross: z.string().max(256).nullable(),
  }),
  cityUnit: z.string().max(64).nullable(),
  branchUnit: z.string().max(64).nullable(),
  stationUnit: z.string().max(64).nullable(),
  areaUnit: z.string().max(64).nullable(),
  callerPseudonym: z.string().max(128).nullable(),
  callerNumberEnc: z.string().max(512).nullable(),
  narrative: z.string().max(8000).nullable(),
  disposition: z.string().max(512).nullable(),
  feedback: z.string().max(8000).nullable(),
});

/** The incident fields, in a fixed order (store columns and CSV exports follow it). */
export const INCIDENT_FIELDS = Object.keys(IncidentSchema.shape) as readonly (keyof Incident)[];
