// Repeated texts of the hand-over to the SQLite worker as small numbers. Plain JavaScript: the
// worker (sqlite-worker.mjs) loads it without a TypeScript loader; types in value-codes.d.mts.
//
// A chunk of incidents goes to the worker as one v8-serialised array of flat values. A dozen of
// a row's 34 values repeat from row to row (the batch, the source system, codes, units), and
// serialising a string costs far more than serialising a small integer: 5,000 rows of the bench
// file took 1.9–2.6 µs a row as they are and 0.8–0.9 µs with those columns coded.

/** At most this many distinct texts get a code; later new texts travel as they are. */
export const MAX_CODES = 16_384;

/**
 * The importing thread's side: replaces the strings of the coded columns by their codes in
 * place, and says which texts are new since the last chunk (the worker learns them in order).
 */
export class ValueEncoder {
  /** @param {number} columns values per row @param {readonly number[]} coded column indexes */
  constructor(columns, coded) {
    this.columns = columns;
    this.coded = coded;
    /** @type {Map<string, number>} */
    this.codes = new Map();
  }

  /** @param {(string | number | null)[]} values @returns {string[]} the texts that got a code */
  encode(values) {
    const added = [];
    const { columns, coded, codes } = this;
    for (let row = 0; row < values.length; row += columns) {
      for (const column of coded) {
        const value = values[row + column];
        if (typeof value !== "string") continue;
        let code = codes.get(value);
        if (code === undefined) {
          if (codes.size >= MAX_CODES) continue;
          code = codes.size;
          codes.set(value, code);
          added.push(value);
        }
        values[row + column] = code;
      }
    }
    return added;
  }
}

/** The worker's side: learns the new texts of each chunk and puts the texts back in place. */
export class ValueDecoder {
  /** @param {number} columns @param {readonly number[]} coded */
  constructor(columns, coded) {
    this.columns = columns;
    this.coded = coded;
    /** @type {string[]} */
    this.texts = [];
  }

  /** @param {(string | number | null)[]} values @param {readonly string[]} added */
  decode(values, added) {
    for (const text of added) this.texts.push(text);
    const { columns, coded, texts } = this;
    for (let row = 0; row < values.length; row += columns) {
      for (const column of coded) {
        const value = values[row + column];
        // The coded columns hold texts: a number there is a code.
        if (typeof value === "number") values[row + column] = texts[value];
      }
    }
    return values;
  }
}
