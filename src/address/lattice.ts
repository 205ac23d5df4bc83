/**
 * The tag lattice of the address tagger (tagger.ts): which tag may follow which, and the
 * forward-backward pass the CRF trainer needs for its gradients.
 */

/**
 * Previous tag → tags it may precede, (tags + 1) × tags, last row = the start: I-x and E-x only
 * after B-x or I-x; with end tags (models since version 2), B-x and S-x only at the start or
 * after E-y or S-y. Version 1 models have B-/I- tags only.
 */
export function allowedTransitions(tags: readonly string[]): boolean[] {
  const T = tags.length;
  const allowed: boolean[] = [];
  const withEnds = tags.some((t) => t.startsWith("E-") || t.startsWith("S-"));
  for (let p = 0; p <= T; p++) {
    for (let t = 0; t < T; t++) {
      const tag = tags[t] as string;
      const prev = p < T ? (tags[p] as string) : null;
      const continues = tag.startsWith("I-") || tag.startsWith("E-");
      const ok = continues
        ? prev !== null && (prev.startsWith("B-") || prev.startsWith("I-")) && prev.slice(2) === tag.slice(2)
        : !withEnds || prev === null || prev.startsWith("E-") || prev.startsWith("S-");
      allowed.push(ok);
    }
  }
  return allowed;
}

/**
 * Forward-backward over the tag sequences the decoder allows, scaled per position (Rabiner
 * 1989) so that long addresses neither overflow nor underflow. After `run`, the marginal of tag
 * t at i is alpha[i·T + t] · beta[i·T + t]; that of the pair (p, t) at i > 0 is
 * alpha[(i-1)·T + p] · et[p·T + t] · em[i·T + t] · beta[i·T + t] / c[i].
 */
export class Lattice {
  alpha = new Float64Array(0);
  beta = new Float64Array(0);
  /** exp(emission score − its maximum at the position), n × T. */
  em = new Float64Array(0);
  /** exp(transition score); 0 where the transition is not allowed. (T + 1) × T, last row = start. */
  readonly et: Float64Array;
  c = new Float64Array(0);
  readonly preds: Int32Array[] = [];
  readonly succs: Int32Array[] = [];

  constructor(
    readonly T: number,
    readonly allowed: readonly boolean[],
  ) {
    this.et = new Float64Array((T + 1) * T);
    for (let t = 0; t < T; t++) {
      const ps: number[] = [];
      for (let p = 0; p < T; p++) if (allowed[p * T + t]) ps.push(p);
      this.preds.push(Int32Array.from(ps));
    }
    for (let p = 0; p <= T; p++) {
      const ts: number[] = [];
      for (let t = 0; t < T; t++) if (allowed[p * T + t]) ts.push(t);
      this.succs.push(Int32Array.from(ts));
    }
  }

  /** Buffers for an address of n characters. */
  reserve(n: number): void {
    const size = n * this.T;
    if (this.em.length >= size) return;
    this.alpha = new Float64Array(size);
    this.beta = new Float64Array(size);
    this.em = new Float64Array(size);
    this.c = new Float64Array(n);
  }

  /** Sets et from transition scores (scaled by `scale`). */
  setTransitions(trans: Float32Array | readonly number[], scale: number): void {
    for (let q = 0; q < this.et.length; q++)
      this.et[q] = this.allowed[q] ? Math.exp(scale * (trans[q] as number)) : 0;
  }

  /**
   * Runs forward and backward on em (raw scores, n × T, turned into exp(score − max) here);
   * returns log Z, the log of the summed exp-score of every allowed tag sequence.
   */
  run(n: number): number {
    const { T, alpha, beta, em, et, c } = this;
    let logZ = 0;
    for (let i = 0; i < n; i++) {
      const row = i * T;
      let m = Number.NEGATIVE_INFINITY;
      for (let t = 0; t < T; t++) if ((em[row + t] as number) > m) m = em[row + t] as number;
      for (let t = 0; t < T; t++) em[row + t] = Math.exp((em[row + t] as number) - m);
      let sum = 0;
      for (let t = 0; t < T; t++) {
        let a = 0;
        if (i === 0) a = et[T * T + t] as number;
        else {
          const ps = this.preds[t] as Int32Array;
          const prow = row - T;
          for (let j = 0; j < ps.length; j++) {
            const p = ps[j] as number;
            a += (alpha[prow + p] as number) * (et[p * T + t] as number);
          }
        }
        a *= em[row + t] as number;
        alpha[row + t] = a;
        sum += a;
      }
      c[i] = sum;
      for (let t = 0; t < T; t++) alpha[row + t] = (alpha[row + t] as number) / sum;
      logZ += Math.log(sum) + m;
    }
    const last = (n - 1) * T;
    for (let t = 0; t < T; t++) beta[last + t] = 1;
    for (let i = n - 2; i >= 0; i--) {
      const row = i * T;
      const next = row + T;
      const cn = c[i + 1] as number;
      for (let p = 0; p < T; p++) {
        let b = 0;
        const ts = this.succs[p] as Int32Array;
        for (let j = 0; j < ts.length; j++) {
          const t = ts[j] as number;
          b += (et[p * T + t] as number) * (em[next + t] as number) * (beta[next + t] as number);
        }
        beta[row + p] = b / cn;
      }
    }
    return logZ;
  }
}

/**
 * Tag marginals and log Z of a linear-chain CRF over `tags` (the decoder's allowed sequences)
 * for one address given its emission scores (n × tags) and transitions ((tags + 1) × tags, last
 * row = start). Exported for tests of the forward-backward.
 * @example tagMarginals(["S-a", "S-b"], [[1, 0]], [0, 0, 0, 0, 0, 0]).marginals[0]
 */
export function tagMarginals(
  tags: readonly string[],
  emissions: readonly (readonly number[])[],
  transitions: readonly number[],
): { marginals: number[][]; logZ: number } {
  const T = tags.length;
  const lattice = new Lattice(T, allowedTransitions(tags));
  const n = emissions.length;
  lattice.reserve(n);
  lattice.setTransitions(transitions, 1);
  for (let i = 0; i < n; i++) for (let t = 0; t < T; t++) lattice.em[i * T + t] = emissions[i]?.[t] ?? 0;
  const logZ = lattice.run(n);
  const marginals: number[][] = [];
  for (let i = 0; i < n; i++)
    marginals.push(
      Array.from(
        { length: T },
        (_, t) => (lattice.alpha[i * T + t] as number) * (lattice.beta[i * T + t] as number),
      ),
    );
  return { marginals, logZ };
}
