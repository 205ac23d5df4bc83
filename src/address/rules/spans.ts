import type { Span } from "../parse.ts";

/** Small helpers that add spans, shared by the parser's passes. */

// Helpers of the parser's hot loops live at module level: a closure made per call costs more
// than its work once tsx (esbuild keepNames) wraps each one in __name (~20% of a locate).

/** Adds a non-empty span. */
export function pushSpan(spans: Span[], label: string, start: number, end: number): void {
  if (end > start) spans.push({ label, start, end });
}

export function hasLabel(spans: readonly Span[], label: string): boolean {
  return spans.some((s) => s.label === label);
}

/** One span from `start` to `end`, as a list. */
export function spanFrom(start: number, label: string, end: number): Span[] {
  return [{ label, start, end }];
}

/** Adds a span of a run at `offset` in the text; returns its label (the run's previous label). */
export function emitSpan(out: Span[], offset: number, label: string, s: number, e: number): string {
  out.push({ label, start: offset + s, end: offset + e });
  return label;
}

/** Text of the last span with a label. */
export function lastSpanText(text: string, spans: readonly Span[], label: string): string {
  for (let k = spans.length - 1; k >= 0; k--) {
    const sp = spans[k] as Span;
    if (sp.label === label) return text.slice(sp.start, sp.end);
  }
  return "";
}

/** True when `text[start, end)` occurs again at `pos` (by code unit: no slice on the hot path). */
export function writtenAgainAt(text: string, start: number, end: number, pos: number): boolean {
  if (pos + end - start > text.length) return false;
  for (let i = start; i < end; i++) if (text.charCodeAt(i) !== text.charCodeAt(pos + i - start)) return false;
  return true;
}

/** Label of the last span that names something (not a separator or filler). */
export function lastMeaningful(spans: readonly Span[]): string | undefined {
  for (let k = spans.length - 1; k >= 0; k--) {
    const label = (spans[k] as Span).label;
    if (label !== "redundant" && label !== "assist") return label;
  }
  return undefined;
}

/** True when the last span is an opening bracket. */
export function afterOpeningBracket(text: string, spans: readonly Span[]): boolean {
  const last = spans.at(-1);
  if (last === undefined || last.label !== "redundant") return false;
  // Most redundant spans are separators: test the first character before slicing. ( （ [ 【
  const first = text.charCodeAt(last.start);
  if (first !== 0x28 && first !== 0xff08 && first !== 0x5b && first !== 0x3010) return false;
  return /^[(（[【]+$/.test(text.slice(last.start, last.end));
}
