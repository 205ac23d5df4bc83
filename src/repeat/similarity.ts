/**
 * Narrative similarity for matter series (一事多报) and optional duplicate checks: Jaccard
 * similarity of character bigram sets. Works for Chinese without a segmenter, and for English
 * (case-folded); masked identifiers ("[手机号]") and digits are dropped so that template text
 * around different numbers does not look alike by accident.
 */

/** Sorted, unique 32-bit hashes of the narrative's character bigrams. */
export function bigramSignature(text: string, keepDigits = false): Uint32Array {
  const clean = text
    .toLowerCase()
    .replace(/\[[^\]]*\]|［[^］]*］|〔[^〕]*〕/g, " ")
    .replace(
      keepDigits
        ? /[\s.,;:!?，。；：！？、（）()"'“”‘’【】《》\-—_/\\]+/g
        : /[\s\d０-９.,;:!?，。；：！？、（）()"'“”‘’【】《》\-—_/\\]+/g,
      " ",
    )
    .trim();
  const hashes: number[] = [];
  for (let i = 0; i + 1 < clean.length; i++) {
    const a = clean.charCodeAt(i);
    const b = clean.charCodeAt(i + 1);
    if (a === 32 || b === 32) continue;
    hashes.push(((a * 65599) ^ b) >>> 0);
  }
  const sig = Uint32Array.from(hashes).sort();
  let w = 0;
  for (let r = 0; r < sig.length; r++) if (r === 0 || sig[r] !== sig[r - 1]) sig[w++] = sig[r]!;
  return sig.subarray(0, w);
}

/**
 * Jaccard similarity |A∩B| / |A∪B| of two signatures; 0 when either is empty.
 * @example
 * jaccard(bigramSignature("楼上装修噪音"), bigramSignature("楼上装修噪音很大")) // 0.71
 */
export function jaccard(a: Uint32Array, b: Uint32Array): number {
  if (a.length === 0 || b.length === 0) return 0;
  let i = 0;
  let j = 0;
  let common = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      common++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return common / (a.length + b.length - common);
}
