/**
 * Contact notes in an address: a number the import masked (docs/privacy.md §4: 〔手机号〕 …), with
 * the words that introduce it (电话, 手机, 联系方式) and the person it names (张先生, 李女士, 报警人).
 * Call-takers write them into the address field (阳光小区3栋2单元501室 李女士 电话〔手机号〕); they
 * are not part of the place, so the parser labels them `otherinfo` and reads the address around
 * them (parse.ts). Read as a place, 张先生 became the call's POI: the door lost its building key
 * and got another for each caller.
 */

/**
 * The tokens masking writes (src/ingest/privacy/mask.ts `MASK_TAGS`, checked equal by a test):
 * the address rules cannot depend on the import's privacy code.
 */
export const MASKED_NUMBER_TOKENS = [
  "〔身份证号〕",
  "〔手机号〕",
  "〔固话〕",
  "〔银行卡号〕",
  "〔车牌号〕",
] as const;

/** Separators a note may start or end with (spaces, commas, colons, brackets). */
const SEP = "[\\s,，、;；:：.。/／(（)）\\[\\]【】-]*";
/** The person a note names: a role, or one surname and a form of address (张先生, 王师傅). */
const PERSON =
  "(?:(?:报警人|报案人|求助人|联系人|当事人|户主|业主|房东|租户|住户)|[\\u4e00-\\u9fff](?:先生|女士|小姐|师傅|阿姨|大爷|大妈|大姐|大哥))";
/** Words before the number. */
const LEAD =
  "(?:联系(?:电话|方式|号码)?|(?:电话|手机)(?:号码|号)?|号码|身份证(?:号码|号)?|证件号(?:码)?|车牌(?:号码|号)?|银行卡(?:号)?|卡号|tel|TEL|Tel|电)";
const TOKEN = `(?:${MASKED_NUMBER_TOKENS.join("|")})`;
/**
 * One note: a person (or a role and a person: 报警人张先生), words, one or more masked numbers,
 * each but the numbers optional; with the separators around it. Anchored at a masked number, so it never reaches into the place before the person.
 */
const NOTE = new RegExp(
  `${SEP}(?:${PERSON}${SEP}){0,2}(?:${LEAD}${SEP})?${TOKEN}(?:${SEP}(?:${LEAD}${SEP})?${TOKEN})*${SEP}`,
  "g",
);

/** A note's place in the text: [start, end). */
export interface ContactNote {
  readonly start: number;
  readonly end: number;
}

/**
 * The contact notes of `text`, in order, not overlapping; none when it holds no masked number.
 * @example
 * contactNotes("红星路12号张先生〔手机号〕"); // [{ start: 7, end: 15 }]: 张先生〔手机号〕
 */
export function contactNotes(text: string): ContactNote[] {
  if (!text.includes("〔")) return [];
  const notes: ContactNote[] = [];
  for (const m of text.matchAll(NOTE)) notes.push({ start: m.index, end: m.index + m[0].length });
  return notes;
}

/** A labelled span, [start, end) (parse.ts `Span`). */
interface LabelledSpan {
  readonly label: string;
  readonly start: number;
  readonly end: number;
}

/**
 * Spans of `text` read by `parse` around its contact notes: the notes are taken out, the rest is
 * parsed as one address (阳光小区3栋张先生〔手机号〕2单元501室 is read as 阳光小区3栋2单元501室), the
 * spans are put back at their places (one that straddles a note is split around it) and each
 * note is one `otherinfo` span. Without a note, `parse(text)` itself.
 * @example
 * spansAroundNotes("红星路12号张先生〔手机号〕", parse); // …, roadno 12号, otherinfo 张先生〔手机号〕
 */
export function spansAroundNotes(
  text: string,
  parse: (text: string) => readonly LabelledSpan[],
): readonly LabelledSpan[] {
  const notes = contactNotes(text);
  if (notes.length === 0) return parse(text);
  // offsets[k]: where character k of the text without the notes is in `text` (and its end).
  const offsets: number[] = [];
  let work = "";
  let from = 0;
  for (const note of [...notes, { start: text.length, end: text.length }]) {
    for (let i = from; i < note.start; i++) offsets.push(i);
    work += text.slice(from, note.start);
    from = note.end;
  }
  offsets.push(text.length);
  const out: LabelledSpan[] = [];
  for (const sp of parse(work)) {
    if (sp.end <= sp.start) continue;
    // Characters of one span are consecutive in `work`; where they jump in `text`, a note lies
    // between them and the span is split around it.
    let start = offsets[sp.start]!;
    for (let k = sp.start + 1; k < sp.end; k++)
      if (offsets[k]! !== offsets[k - 1]! + 1) {
        out.push({ label: sp.label, start, end: offsets[k - 1]! + 1 });
        start = offsets[k]!;
      }
    out.push({ label: sp.label, start, end: offsets[sp.end - 1]! + 1 });
  }
  for (const note of notes) out.push({ label: "otherinfo", start: note.start, end: note.end });
  return out.sort((a, b) => a.start - b.start);
}
