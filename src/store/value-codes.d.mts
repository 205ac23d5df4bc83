import type { SqlValue } from "./sqlite-executor.mjs";

export const MAX_CODES: number;

export class ValueEncoder {
  constructor(columns: number, coded: readonly number[]);
  /** Codes the strings of the coded columns in place; returns the texts new since the last call. */
  encode(values: SqlValue[]): string[];
}

export class ValueDecoder {
  constructor(columns: number, coded: readonly number[]);
  /** Learns `added`, then puts the texts back in place of their codes; returns `values`. */
  decode(values: SqlValue[], added: readonly string[]): SqlValue[];
}
