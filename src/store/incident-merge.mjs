// Plain JavaScript on purpose: the SQLite batch worker (sqlite-worker.mjs) merges rows too, and
// runs without a TypeScript loader. Used by sqlite-executor.mjs and postgres.ts alike.

/** Settings keys of the retention cutoffs applied so far (retention.ts), read by every batch. */
export const RETENTION_KEYS = {
  callerBefore: "retention.caller_before",
  narrativeBefore: "retention.narrative_before",
};

/** The retention cutoffs from the settings rows `{ key, value }` of RETENTION_KEYS (none: no cutoff). */
export function retentionFrom(rows) {
  const out = { callerBefore: Number.NEGATIVE_INFINITY, narrativeBefore: Number.NEGATIVE_INFINITY };
  for (const { key, value } of rows) {
    if (key === RETENTION_KEYS.callerBefore) out.callerBefore = Number(value);
    if (key === RETENTION_KEYS.narrativeBefore) out.narrativeBefore = Number(value);
  }
  return out;
}

/** The columns whose filled-in count is a row's progress: a later export has at least as many. */
export const PROGRESS_COLUMNS = [
  "accepted_at",
  "dispatched_at",
  "arrived_at",
  "closed_at",
  "disposition",
  "feedback",
];

/** Columns a merge never changes: the key, the hashed id of the key, the first batch. */
const KEPT = new Set(["id", "source_system", "source_id", "batch_id"]);

/**
 * Columns the importer derives from the address (location keys, parsed components): they follow
 * the address as a whole. With the same address they stay as stored, even if a newer address
 * parser would key it otherwise (that is `recur address rekey`'s job, for every incident at
 * once); with another address they are all replaced, a missing key included, so that no key of
 * the old address survives.
 */
const FROM_ADDRESS = new Set([
  "loc_poi",
  "loc_building",
  "loc_unit",
  "loc_room",
  "loc_road",
  "loc_cross",
  "address_components",
]);

/**
 * Columns that belong to another and change with it, by null too, so that no value of the old
 * one survives beside the new: the subtype of a recoded category, the number of another caller
 * (a profile that keeps none gives null), the units under a unit the call was moved to (another
 * station's community area is not this one's).
 */
const FOLLOWERS = [
  ["category", ["subtype"]],
  ["caller_pseudonym", ["caller_number_enc"]],
  ["city_unit", ["branch_unit", "station_unit", "area_unit"]],
  ["branch_unit", ["station_unit", "area_unit"]],
  ["station_unit", ["area_unit"]],
];

/**
 * Merges a later export of a stored incident into it (docs/store.md, "Later exports"), or a later
 * row of the same file into what the rows before it left. Values are flat rows in the order of
 * `names` (the store's INCIDENT_COLUMN_NAMES).
 *
 * - each incoming non-null value replaces the stored one; an incoming null never clears one;
 * - nothing would change (equal, or a subset of the stored values): `duplicate`;
 * - something would change but the incoming row has fewer of the progress columns filled in
 *   than the stored one: an older export, `stale`, not applied;
 * - otherwise `update`, with the indexes of the changed columns.
 *
 * Category and subtype are never null: a row without a source category (no category cell, or an
 * empty one) carries the profile's default, so it leaves the category and subtype of a stored
 * incident that has a source category as they are, as a null would.
 *
 * The location keys and address components follow the address (FROM_ADDRESS). The caller's
 * number is encrypted with a random IV, so its ciphertext differs at every import:
 * it counts as changed only when the caller's pseudonym (a keyed hash of the same number)
 * changed, or when none was stored; with another pseudonym it is replaced, by null too.
 */
export class IncidentMerger {
  constructor(names) {
    this.names = names;
    this.columns = names.length;
    this.#candidates = names
      .map((_, i) => i)
      .filter((i) => !KEPT.has(names[i]) && !FROM_ADDRESS.has(names[i]));
    this.#fromAddress = names.map((_, i) => i).filter((i) => FROM_ADDRESS.has(names[i]));
    this.#address = names.indexOf("address");
    this.#progress = PROGRESS_COLUMNS.map((name) => {
      const i = names.indexOf(name);
      if (i < 0) throw new Error(`progress column ${name} is not an incident column`);
      return i;
    });
    this.#enc = names.indexOf("caller_number_enc");
    this.#pseudonym = names.indexOf("caller_pseudonym");
    this.#receivedAt = names.indexOf("received_at");
    this.#callerColumns = new Set([this.#pseudonym, this.#enc]);
    this.#textColumns = new Set([names.indexOf("narrative"), names.indexOf("feedback")]);
    this.#sourceCategory = names.indexOf("source_category");
    this.#category = names.indexOf("category");
    this.#subtype = names.indexOf("subtype");
    this.#categoryColumns = new Set([this.#category, this.#subtype]);
    this.#followers = FOLLOWERS.map(([leader, followers]) => [
      names.indexOf(leader),
      followers.map((f) => names.indexOf(f)),
    ]);
  }

  /**
   * The retention cutoffs applied to the store so far (retention.ts): a stored incident received
   * before `callerBefore` lost its caller link, one before `narrativeBefore` its narrative and
   * feedback, and a later export never brings them back.
   */
  retention = { callerBefore: Number.NEGATIVE_INFINITY, narrativeBefore: Number.NEGATIVE_INFINITY };
  #receivedAt;
  #callerColumns;
  #sourceCategory;
  #category;
  #subtype;
  #followers;
  /** Category and subtype: kept when the row has no source category and the stored incident has one. */
  #categoryColumns;
  #textColumns;

  #candidates;
  #fromAddress;
  #address;
  #progress;
  #enc;
  #pseudonym;

  /**
   * Non-null progress columns of the row at `offset` of `values`; `withoutText`: the feedback
   * left out (retention cleared the stored one, which must not make an older export look newer).
   */
  progress(values, offset, withoutText = false) {
    let n = 0;
    for (const i of this.#progress)
      if (values[offset + i] !== null && !(withoutText && this.#textColumns.has(i))) n++;
    return n;
  }

  /**
   * `{ kind: "duplicate" | "stale" }` or `{ kind: "update", changed }` for the incoming row at
   * `inOffset` of `incoming` against the stored row at `stOffset` of `stored`.
   */
  merge(incoming, inOffset, stored, stOffset) {
    const changed = [];
    const received = stored[stOffset + this.#receivedAt];
    const callerGone = received < this.retention.callerBefore;
    const textGone = received < this.retention.narrativeBefore;
    const noCategory =
      incoming[inOffset + this.#sourceCategory] === null && stored[stOffset + this.#sourceCategory] !== null;
    for (const c of this.#candidates) {
      const value = incoming[inOffset + c];
      if (value === null || value === undefined) continue;
      if ((callerGone && this.#callerColumns.has(c)) || (textGone && this.#textColumns.has(c))) continue;
      if (noCategory && this.#categoryColumns.has(c)) continue;
      if (c === this.#enc) {
        if (
          stored[stOffset + c] === null ||
          incoming[inOffset + this.#pseudonym] !== stored[stOffset + this.#pseudonym]
        )
          changed.push(c);
      } else if (value !== stored[stOffset + c]) changed.push(c);
    }
    // A value and the ones that belong to it change together, a null included (FOLLOWERS).
    for (const [leader, followers] of this.#followers)
      if (changed.includes(leader))
        for (const f of followers)
          if (!changed.includes(f) && incoming[inOffset + f] !== stored[stOffset + f]) changed.push(f);
    if (changed.includes(this.#address))
      for (const c of this.#fromAddress) if (incoming[inOffset + c] !== stored[stOffset + c]) changed.push(c);
    if (changed.length === 0) return { kind: "duplicate" };
    changed.sort((a, b) => a - b);
    if (this.progress(incoming, inOffset, textGone) < this.progress(stored, stOffset, textGone))
      return { kind: "stale" };
    return { kind: "update", changed };
  }

  /** The stored row (a fresh array) with the changed columns taken from the incoming row. */
  merged(incoming, inOffset, stored, stOffset, changed) {
    const out = stored.slice(stOffset, stOffset + this.columns);
    for (const c of changed) out[c] = incoming[inOffset + c];
    return out;
  }

  /** The revision of an update: changed column names and their previous values, as JSON. */
  revision(stored, stOffset, changed) {
    const previous = {};
    for (const c of changed) previous[this.names[c]] = stored[stOffset + c];
    return { columns: JSON.stringify(changed.map((c) => this.names[c])), previous: JSON.stringify(previous) };
  }
}
