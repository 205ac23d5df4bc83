/**
 * A scanner for the two big parts of a workbook (the sheet's rows and the shared strings), over
 * the inflated UTF-8 bytes: no string for the XML, none for a tag's name or its attributes, none
 * for a shared string's index; text is decoded only where a cell's value needs it. saxes, which
 * read these parts before, made a string and an object per tag and cost about 29 µs a row of a
 * 20-column sheet (docs/profiles.md, "How XLSX is read").
 *
 * It reads what SpreadsheetML writers write (elements, attributes in either quote, the five
 * predefined entities and character references, an XML declaration) and checks what saxes checks
 * on it (matching tags, one root, characters XML allows, quoted attributes, no duplicates). Anything
 * else — CDATA, comments, a DOCTYPE, a processing instruction after the start, a tag larger than
 * 1 MiB — throws `Unsupported`, and the caller reads the part again with saxes, which gives the
 * same result or the same error as before.
 */

/** Thrown where the scanner leaves the part to saxes (not an error of the file). */
export class Unsupported extends Error {
  constructor(why: string) {
    super(`xlsx scanner: ${why}`);
    this.name = "Unsupported";
  }
}

/** What the scanner reports, element names as their index in `names` + 1 (0: another element). */
export interface ScanEvents {
  open(id: number): void;
  close(id: number): void;
  /** Raw bytes of character data between two tags; `special` when they hold `&` or a CR. */
  text(bytes: Uint8Array, start: number, end: number, special: boolean): void;
}

const LT = 60;
const GT = 62;
const SLASH = 47;
const QUESTION = 63;
const BANG = 33;
const AMP = 38;
const EQUALS = 61;
const SEMI = 59;
const COLON = 58;
const CR = 13;
const LF = 10;
const TAB = 9;
const SPACE = 32;
const BRACKET = 93;

/** Incomplete: the entity runs past the end of the bytes so far. */
const INCOMPLETE = -1;
/** Longest entity read (`&#x10FFFF;` is 10 bytes; leading zeros beyond this go to saxes). */
const MAX_ENTITY = 32;
/** A tag longer than this goes to saxes (a row's tags are tens of bytes). */
const MAX_CARRY = 1 << 20;

const isSpace = (c: number) => c === SPACE || c === LF || c === TAB || c === CR;

/** XML 1.0 NameStartChar for ASCII; any byte of a multi-byte character is let through. */
function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === COLON || c >= 0x80;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57) || c === 45 || c === 46;
}

/** XML 1.0 Char (2.2), for character references. */
function isXmlChar(n: number): boolean {
  return (
    n === 9 ||
    n === 10 ||
    n === 13 ||
    (n >= 0x20 && n <= 0xd7ff) ||
    (n >= 0xe000 && n <= 0xfffd) ||
    (n >= 0x10000 && n <= 0x10ffff)
  );
}

/**
 * The end (after `;`) of the entity at `at` (an `&`), INCOMPLETE when the bytes end first; throws
 * Unsupported for anything saxes would refuse or that is not one of XML's predefined entities.
 */
function entityEnd(bytes: Uint8Array, at: number, end: number): number {
  const stop = Math.min(end, at + MAX_ENTITY);
  let semi = at + 1;
  while (semi < stop && bytes[semi] !== SEMI) semi++;
  if (semi >= stop) {
    if (stop === end) return INCOMPLETE;
    throw new Unsupported("entity");
  }
  const name = Buffer.from(bytes.buffer, bytes.byteOffset + at + 1, semi - at - 1).toString("latin1");
  if (name === "amp" || name === "lt" || name === "gt" || name === "quot" || name === "apos") return semi + 1;
  let code = Number.NaN;
  if (/^#x[0-9a-fA-F]+$/.test(name)) code = Number.parseInt(name.slice(2), 16);
  else if (/^#[0-9]+$/.test(name)) code = Number.parseInt(name.slice(1), 10);
  if (!isXmlChar(code)) throw new Unsupported("entity");
  return semi + 1;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function entityText(name: string): string {
  const named = ENTITIES[name];
  if (named !== undefined) return named;
  return String.fromCodePoint(
    name[1] === "x" ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10),
  );
}

/**
 * Character data as XML gives it (2.11, 4.6): CR LF and a lone CR as LF, entities replaced. The
 * scanner has checked the entities; a text cut short (a capped cell) may end in a partial one,
 * kept as it is.
 */
export function decodeXmlText(raw: string): string {
  return raw.replace(/\r\n?|&([^;&]{1,30});/g, (_, name: string | undefined) =>
    name === undefined ? "\n" : entityText(name),
  );
}

/** An attribute's value as XML gives it (3.3.3): tab, LF, CR (and CR LF) as a space, entities replaced. */
export function decodeXmlAttribute(raw: string): string {
  return raw.replace(/\r\n|[\t\n\r]|&([^;&]{1,30});/g, (_, name: string | undefined) =>
    name === undefined ? " " : entityText(name),
  );
}

/** Compares bytes with ASCII text. */
function bytesEqual(bytes: Uint8Array, start: number, end: number, ascii: Uint8Array): boolean {
  if (end - start !== ascii.length) return false;
  for (let k = 0; k < ascii.length; k++) if (bytes[start + k] !== ascii[k]) return false;
  return true;
}

/**
 * Tokenises one part fed chunk by chunk (`write`, then `end`). The attributes named in `attributes`
 * of a recognised element are readable during its `open` event (`attrStart`/`attrEnd` into
 * `bytes`, -1 when absent; `attrSpecial` when the value needs decoding).
 */
export class XmlScanner {
  readonly #names: readonly Uint8Array[];
  /** Ids of the one-letter names by their byte (c, v, t: most tags of a sheet). */
  readonly #oneLetter = new Uint8Array(256);
  /** Index + 1 of the one-letter attributes wanted, by their byte. */
  readonly #attributeLetter = new Uint8Array(256);
  /** For each one-letter attribute name, the tag it was last seen in (the duplicate check). */
  readonly #letterSeen = new Int32Array(256).fill(-1);
  #tagCount = 0;
  readonly #attributes: readonly Uint8Array[];
  readonly #events: ScanEvents;
  /** The bytes being scanned; attribute offsets point into them during `open`. */
  bytes: Uint8Array = new Uint8Array(0);
  readonly attrStart: Int32Array;
  readonly attrEnd: Int32Array;
  readonly attrSpecial: Uint8Array;
  /** Per open element: where its qualified name is, to match its end tag. */
  #stackBytes: Uint8Array[] = [];
  #stackStart = new Int32Array(64);
  #stackLength = new Int32Array(64);
  #stackId = new Int32Array(64);
  #depth = 0;
  #rootSeen = false;
  #rootClosed = false;
  #started = false;
  #carry: Buffer | null = null;
  /** Name ranges of the current tag's attributes, for the duplicate check. */
  #seenStart = new Int32Array(16);
  #seenEnd = new Int32Array(16);

  constructor(names: readonly string[], attributes: readonly string[], events: ScanEvents) {
    this.#names = names.map((n) => Buffer.from(n, "latin1"));
    for (const [k, name] of this.#names.entries())
      if (name.length === 1) this.#oneLetter[name[0] as number] = k + 1;
    this.#attributes = attributes.map((n) => Buffer.from(n, "latin1"));
    for (const [k, name] of this.#attributes.entries())
      if (name.length === 1) this.#attributeLetter[name[0] as number] = k + 1;
    this.#events = events;
    this.attrStart = new Int32Array(attributes.length);
    this.attrEnd = new Int32Array(attributes.length);
    this.attrSpecial = new Uint8Array(attributes.length);
  }

  write(chunk: Buffer): void {
    let bytes = chunk;
    const carry = this.#carry;
    if (carry) {
      // The token cut by the last chunk's end, completed from the start of this one: only those
      // bytes copied (copying every chunk whole doubled the garbage the inflater makes).
      this.#carry = null;
      for (let take = Math.min(chunk.length, 256); ; take = Math.min(chunk.length, take * 8)) {
        const stitch = Buffer.concat([carry, chunk.subarray(0, take)]);
        const stop = this.#scan(stitch, false);
        // Short of the carry's length, nothing was read: the token is still incomplete.
        if (stop >= carry.length) {
          bytes = chunk.subarray(stop - carry.length);
          break;
        }
        if (take === chunk.length) {
          this.#keep(stitch, stop);
          return;
        }
      }
    }
    this.#keep(bytes, this.#scan(bytes, false));
  }

  /** Keeps the bytes from `stop` (an incomplete token) for the next chunk. */
  #keep(bytes: Buffer, stop: number): void {
    if (stop >= bytes.length) return;
    if (bytes.length - stop > MAX_CARRY) throw new Unsupported("tag too long");
    this.#carry = bytes.subarray(stop);
  }

  end(): void {
    if (this.#carry) this.#scan(this.#carry, true);
    this.#carry = null;
    if (!this.#rootSeen || this.#depth !== 0) throw new Unsupported("unclosed element");
  }

  /** The value of attribute `k` as a string (decoded), or undefined when the tag lacks it. */
  attribute(k: number): string | undefined {
    const start = this.attrStart[k] as number;
    if (start < 0) return undefined;
    const raw = Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length).toString(
      "utf8",
      start,
      this.attrEnd[k],
    );
    return this.attrSpecial[k] ? decodeXmlAttribute(raw) : raw;
  }

  /** Attribute `k` as a non-negative integer when it is written as 1 to 15 digits, else -1. */
  attributeDigits(k: number): number {
    const start = this.attrStart[k] as number;
    const end = this.attrEnd[k] as number;
    if (start < 0 || end === start || end - start > 15) return -1;
    let n = 0;
    const bytes = this.bytes;
    for (let i = start; i < end; i++) {
      const d = (bytes[i] as number) - 48;
      if (d < 0 || d > 9) return -1;
      n = n * 10 + d;
    }
    return n;
  }

  #lookup(bytes: Uint8Array, start: number, end: number): number {
    const length = end - start;
    if (length === 1) return this.#oneLetter[bytes[start] as number] ?? 0;
    const names = this.#names;
    for (let k = 0; k < names.length; k++)
      if (bytesEqual(bytes, start, end, names[k] as Uint8Array)) return k + 1;
    return 0;
  }

  #push(bytes: Uint8Array, start: number, length: number, id: number): void {
    const depth = this.#depth;
    if (depth === this.#stackStart.length) {
      const s = new Int32Array(depth * 2);
      s.set(this.#stackStart);
      this.#stackStart = s;
      const l = new Int32Array(depth * 2);
      l.set(this.#stackLength);
      this.#stackLength = l;
      const d = new Int32Array(depth * 2);
      d.set(this.#stackId);
      this.#stackId = d;
    }
    this.#stackBytes[depth] = bytes;
    this.#stackStart[depth] = start;
    this.#stackLength[depth] = length;
    this.#stackId[depth] = id;
    this.#depth = depth + 1;
  }

  /** Scans `bytes`; returns where the first incomplete token starts (bytes.length when none). */
  #scan(bytes: Uint8Array, final: boolean): number {
    this.bytes = bytes;
    const n = bytes.length;
    const events = this.#events;
    let i = 0;
    if (!this.#started) {
      // Enough bytes to tell a byte-order mark and a declaration (`<?`) from the root.
      if (n < 5 && !final) return 0;
      this.#started = true;
      // A byte-order mark (saxes skips U+FEFF at the start too).
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
      if (bytes[i] === LT && bytes[i + 1] === QUESTION) {
        // The XML declaration: only here, at the very start.
        let q = i + 2;
        while (q + 1 < n && !(bytes[q] === QUESTION && bytes[q + 1] === GT)) q++;
        if (q + 1 >= n) {
          if (final) throw new Unsupported("declaration");
          this.#started = false;
          return 0;
        }
        const target = Buffer.from(bytes.buffer, bytes.byteOffset + i + 2, Math.min(4, q - i - 2)).toString(
          "latin1",
        );
        if (!/^xml\s$/.test(target)) throw new Unsupported("processing instruction");
        i = q + 2;
      }
    }
    while (i < n) {
      if (bytes[i] !== LT) {
        // Character data up to the next tag.
        let j = i;
        let special = false;
        let carryAt = -1;
        while (j < n) {
          const c = bytes[j] as number;
          if (c === LT) break;
          if (c >= 0x20 && c !== AMP && c !== 0xef && c !== BRACKET) {
            j++;
            continue;
          }
          if (c === BRACKET) {
            // "]]>" is not allowed in character data (XML 1.0, 2.4).
            if (j + 2 >= n) {
              if (!final) {
                carryAt = j;
                break;
              }
            } else if (bytes[j + 1] === BRACKET && bytes[j + 2] === GT) throw new Unsupported("]]> in text");
            j++;
            continue;
          }
          if (c === AMP) {
            const e = entityEnd(bytes, j, n);
            if (e === INCOMPLETE) {
              if (final) throw new Unsupported("entity");
              carryAt = j;
              break;
            }
            special = true;
            j = e;
            continue;
          }
          if (c === 0xef) {
            // U+FFFE and U+FFFF are not XML characters.
            if (j + 2 >= n) {
              if (!final) {
                carryAt = j;
                break;
              }
            } else if (bytes[j + 1] === 0xbf && ((bytes[j + 2] as number) & 0xfe) === 0xbe)
              throw new Unsupported("character");
            j++;
            continue;
          }
          if (c === CR) special = true;
          else if (c !== LF && c !== TAB) throw new Unsupported("control character");
          j++;
        }
        if (this.#depth === 0) {
          for (let k = i; k < j; k++)
            if (!isSpace(bytes[k] as number)) throw new Unsupported("text outside root");
        } else if (j > i) events.text(bytes, i, j, special);
        if (carryAt >= 0) return carryAt;
        i = j;
        continue;
      }
      const tagStart = i;
      const next = this.#tag(bytes, i, n);
      if (next < 0) {
        if (final) throw new Unsupported("unclosed tag");
        return tagStart;
      }
      i = next;
    }
    return n;
  }

  /** One tag at `at` (a `<`): where it ends, or -1 when the bytes end first. */
  #tag(bytes: Uint8Array, at: number, n: number): number {
    const events = this.#events;
    const first = bytes[at + 1];
    if (first === undefined) return -1;
    if (first === SLASH) {
      // An end tag must name the open element: compared with its name's bytes, no lookup.
      const depth = this.#depth - 1;
      if (depth < 0) return unsupported("end tag outside root");
      const length = this.#stackLength[depth] as number;
      const open = this.#stackBytes[depth] as Uint8Array;
      const from = this.#stackStart[depth] as number;
      let j = at + 2;
      const nameEnd = j + length;
      if (nameEnd >= n) return -1;
      for (let k = 0; k < length; k++)
        if (bytes[j + k] !== open[from + k]) return unsupported("unmatched end tag");
      j = nameEnd;
      while (j < n && isSpace(bytes[j] as number)) j++;
      if (j >= n) return -1;
      if (bytes[j] !== GT) return unsupported("unmatched end tag");
      this.#depth = depth;
      if (depth === 0) this.#rootClosed = true;
      events.close(this.#stackId[depth] as number);
      return j + 1;
    }
    if (first === QUESTION || first === BANG) return unsupported("comment, CDATA, DOCTYPE or instruction");
    if (this.#rootClosed) return unsupported("second root");
    let j = at + 1;
    let colon = -1;
    if (!isNameStart(first)) return unsupported("tag name");
    while (j < n && isNameChar(bytes[j] as number)) {
      if (bytes[j] === COLON && colon < 0) colon = j;
      j++;
    }
    const nameEnd = j;
    const id = this.#lookup(bytes, colon < 0 ? at + 1 : colon + 1, nameEnd);
    const attrStart = this.attrStart;
    if (id !== 0) for (let k = 0; k < attrStart.length; k++) attrStart[k] = -1;
    let seen = 0;
    let selfClosing = false;
    this.#tagCount = (this.#tagCount + 1) | 0;
    for (;;) {
      const before = j;
      while (j < n && isSpace(bytes[j] as number)) j++;
      if (j >= n) return -1;
      const c = bytes[j];
      if (c === GT) {
        j++;
        break;
      }
      if (c === SLASH) {
        if (j + 1 >= n) return -1;
        if (bytes[j + 1] !== GT) return unsupported("tag");
        selfClosing = true;
        j += 2;
        break;
      }
      if (j === before || !isNameStart(c as number)) return unsupported("attribute");
      const nameStart = j;
      while (j < n && isNameChar(bytes[j] as number)) j++;
      const attrNameEnd = j;
      while (j < n && isSpace(bytes[j] as number)) j++;
      if (j >= n) return -1;
      if (bytes[j] !== EQUALS) return unsupported("attribute");
      j++;
      while (j < n && isSpace(bytes[j] as number)) j++;
      if (j >= n) return -1;
      const quote = bytes[j];
      if (quote !== 34 && quote !== 39) return unsupported("unquoted attribute");
      j++;
      const valueStart = j;
      let special = false;
      while (j < n) {
        const v = bytes[j] as number;
        if (v === quote) break;
        if (v >= 0x20 && v !== AMP && v !== LT && v !== 0xef) {
          j++;
          continue;
        }
        if (v === LT) return unsupported("< in attribute");
        if (v === AMP) {
          const e = entityEnd(bytes, j, n);
          if (e === INCOMPLETE) return -1;
          special = true;
          j = e;
          continue;
        }
        if (v === 0xef) {
          if (j + 2 >= n) return -1;
          if (bytes[j + 1] === 0xbf && ((bytes[j + 2] as number) & 0xfe) === 0xbe)
            return unsupported("character");
          j++;
          continue;
        }
        if (v === TAB || v === LF || v === CR) special = true;
        else return unsupported("control character");
        j++;
      }
      if (j >= n) return -1;
      const valueEnd = j;
      j++;
      // No attribute twice (saxes: "duplicate attribute"); one-letter names (r, t, s) by a mark.
      if (attrNameEnd - nameStart === 1) {
        const letter = bytes[nameStart] as number;
        if (this.#letterSeen[letter] === this.#tagCount) return unsupported("duplicate attribute");
        this.#letterSeen[letter] = this.#tagCount;
        if (id !== 0) {
          const k = this.#attributeLetter[letter] as number;
          if (k !== 0) {
            attrStart[k - 1] = valueStart;
            this.attrEnd[k - 1] = valueEnd;
            this.attrSpecial[k - 1] = special ? 1 : 0;
          }
        }
        continue;
      }
      for (let k = 0; k < seen; k++) {
        const s = this.#seenStart[k] as number;
        const e = this.#seenEnd[k] as number;
        if (e - s === attrNameEnd - nameStart) {
          let same = true;
          for (let b = 0; b < e - s; b++)
            if (bytes[s + b] !== bytes[nameStart + b]) {
              same = false;
              break;
            }
          if (same) return unsupported("duplicate attribute");
        }
      }
      if (seen === this.#seenStart.length) return unsupported("too many attributes");
      this.#seenStart[seen] = nameStart;
      this.#seenEnd[seen] = attrNameEnd;
      seen++;
      if (id !== 0) {
        const wanted = this.#attributes;
        for (let k = 0; k < wanted.length; k++)
          if (bytesEqual(bytes, nameStart, attrNameEnd, wanted[k] as Uint8Array)) {
            attrStart[k] = valueStart;
            this.attrEnd[k] = valueEnd;
            this.attrSpecial[k] = special ? 1 : 0;
            break;
          }
      }
    }
    this.#rootSeen = true;
    if (selfClosing) {
      if (this.#depth === 0) this.#rootClosed = true;
      events.open(id);
      events.close(id);
    } else {
      this.#push(bytes, at + 1, nameEnd - at - 1, id);
      events.open(id);
    }
    return j;
  }
}

function unsupported(why: string): never {
  throw new Unsupported(why);
}
