/**
 * A small, fast, seedable PRNG (xoshiro128**, seeded through splitmix32) so initialisation,
 * shuffling, augmentation and splits are reproducible across backends and Node versions.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | undefined;

  /** Seeds from one or more integers (e.g. `new Rng(seed, epoch, STREAM_SHUFFLE)`). */
  constructor(...seeds: number[]) {
    let h = 0x9e3779b9;
    for (const s of seeds) h = Math.imul(h ^ (s >>> 0), 0x85ebca6b) ^ ((s / 2 ** 32) >>> 0);
    const next = (): number => {
      h = (h + 0x9e3779b9) | 0;
      let z = h;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next() | 1;
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextU32() / 2 ** 32;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller, the second value cached). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fills an array with N(0, std²). */
  fillNormal(out: Float32Array, std = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal() * std;
    return out;
  }

  /** Fills an array with U(lo, hi). */
  fillUniform(out: Float32Array, lo: number, hi: number): Float32Array {
    const w = hi - lo;
    for (let i = 0; i < out.length; i++) out[i] = lo + this.uniform() * w;
    return out;
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T extends { length: number; [i: number]: number }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i] as number;
      a[i] = a[j] as number;
      a[j] = t;
    }
    return a;
  }

  /** A random permutation of 0 … n−1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Independent random streams derived from one seed. */
export const Stream = {
  init: 1,
  shuffle: 2,
  augment: 3,
  split: 4,
  probe: 5,
  noise: 6,
} as const;
