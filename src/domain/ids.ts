/** Branded primitives: values that must not be mixed up even though they share a runtime type. */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** recur's own stable incident id: a hash of source system and source id. */
export type IncidentId = Brand<string, "IncidentId">;
/** Code of a unit in the jurisdiction hierarchy (市局/分局/派出所/警务区). */
export type UnitCode = Brand<string, "UnitCode">;
/** Keyed pseudonym of a caller: HMAC-SHA256 of the normalised number, never the number. */
export type CallerPseudonym = Brand<string, "CallerPseudonym">;
/** Id of one import batch. */
export type BatchId = Brand<string, "BatchId">;
/** Milliseconds since the Unix epoch (an instant, time-zone free). */
export type EpochMs = Brand<number, "EpochMs">;
/** A distance in metres. */
export type Meters = Brand<number, "Meters">;

export const asIncidentId = (s: string) => s as IncidentId;
export const asUnitCode = (s: string) => s as UnitCode;
export const asPseudonym = (s: string) => s as CallerPseudonym;
export const asBatchId = (s: string) => s as BatchId;
export const asEpochMs = (n: number) => n as EpochMs;
export const asMeters = (n: number) => n as Meters;
