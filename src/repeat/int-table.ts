/**
 * A map from non-negative integer keys (below 2^53) to integer values in one typed array: open
 * addressing with linear probing, key and value side by side. The engine's chain heads (grid
 * cells, road blocks) hold millions of entries; a Map keeps one heap entry per key (the garbage
 * collector marks them all) and a lookup reads several cache lines, here it reads one.
 */
export class IntTable {
  /** [key, value] pairs; a key of -1 marks an empty slot. */
  private slots: Float64Array;
  private shift: number;
  private count = 0;

  constructor(expected = 0) {
    let bits = 10;
    while (1 << bits < expected * 2) bits++;
    this.slots = new Float64Array(2 << bits).fill(-1);
    this.shift = 32 - bits;
  }

  get size(): number {
    return this.count;
  }

  /** The value stored at key, or -1. */
  get(key: number): number {
    const s = this.find(key);
    return this.slots[s] === key ? this.slots[s + 1]! : -1;
  }

  set(key: number, value: number): void {
    const s = this.find(key);
    if (this.slots[s] === key) this.slots[s + 1] = value;
    else this.insert(s, key, value);
  }

  /** Adds delta to the value at key (an absent key counts as 0); one probe. */
  add(key: number, delta: number): void {
    const s = this.find(key);
    if (this.slots[s] === key) this.slots[s + 1]! += delta;
    else this.insert(s, key, delta);
  }

  /** The index in `slots` of key, or of the empty slot where it would go (linear probing). */
  private find(key: number): number {
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    let s = this.slot(key);
    for (let k = slots[s * 2]!; k !== key && k !== -1; k = slots[s * 2]!) s = (s + 1) & mask;
    return s * 2;
  }

  private insert(at: number, key: number, value: number): void {
    this.slots[at] = key;
    this.slots[at + 1] = value;
    if (++this.count * 4 > this.slots.length) this.grow();
  }

  /** Fibonacci hashing of the key's low and high 32 bits. */
  private slot(key: number): number {
    const low = key | 0;
    const high = (key / 4_294_967_296) | 0;
    return Math.imul(low ^ Math.imul(high, 0x27d4eb2d), 0x9e3779b1) >>> this.shift;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Float64Array(old.length * 2).fill(-1);
    this.shift--;
    this.count = 0;
    for (let s = 0; s < old.length; s += 2) if (old[s] !== -1) this.set(old[s]!, old[s + 1]!);
  }
}
