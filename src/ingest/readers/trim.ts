/**
 * What "trimmed" means for a cell and a column name: white space as String.prototype.trim has it
 * (ASCII, the ideographic space U+3000 of a Chinese input method, the no-break space, the BOM ...),
 * ASCII control characters (a DOS end-of-file ^Z after the last cell), and the zero-width
 * characters that text pasted from web pages carries invisibly (U+200B-U+200D, the word joiner
 * U+2060). trim() keeps the latter: `接警单号\u200b` was another column than
 * `接警单号` though both print the same, and `J123\u200b` another source id than `J123`.
 */
export function isEdgeSpace(c: number): boolean {
  if (c <= 32) return true;
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x3000 ||
    c === 0xfeff ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200d) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x2060
  );
}

/**
 * The text without edge spaces (isEdgeSpace); the same string when it has none.
 * @example trimCell("\u3000J123\u200b") // "J123"
 */
export function trimCell(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isEdgeSpace(text.charCodeAt(start))) start++;
  while (end > start && isEdgeSpace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/**
 * A column name with its invisible characters shown (`接警<U+200B>单号`), for messages that list
 * names: two names that print the same must not look the same there.
 */
export function visibleName(name: string): string {
  return name.replace(
    /[\p{Cc}\p{Cf}\u2028\u2029]/gu,
    (c) => `<U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}>`,
  );
}
