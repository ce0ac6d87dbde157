/** Per-channel mean and standard deviation (population), images scaled to [0, 1]. */
export interface ChannelStats {
  /** Mean per channel or feature. */
  mean: number[];
  /** Standard deviation per channel or feature. */
  std: number[];
}

/**
 * Exact per-channel statistics of uint8 images via a 256-bin histogram per channel: one increment
 * per byte while writing, no floating-point drift whatever the dataset size.
 */
export class PixelStats {
  private readonly hist: Float64Array;

  constructor(private readonly channels: number) {
    this.hist = new Float64Array(256 * channels);
  }

  /** Adds NHWC pixels (any whole number of pixels). */
  add(x: Uint8Array): void {
    const h = this.hist;
    const c = this.channels;
    if (c === 1) {
      for (let i = 0; i < x.length; i++) h[x[i] as number]! += 1;
    } else if (c === 3) {
      for (let i = 0; i + 2 < x.length; i += 3) {
        h[x[i] as number]! += 1;
        h[256 + (x[i + 1] as number)]! += 1;
        h[512 + (x[i + 2] as number)]! += 1;
      }
    } else {
      for (let i = 0; i < x.length; i++) h[(i % c) * 256 + (x[i] as number)]! += 1;
    }
  }

  /** Mean and std per channel of the values scaled by 1/255. */
  result(): ChannelStats {
    const mean: number[] = [];
    const std: number[] = [];
    for (let c = 0; c < this.channels; c++) {
      let n = 0;
      let s = 0;
      let s2 = 0;
      for (let v = 0; v < 256; v++) {
        const k = this.hist[c * 256 + v] as number;
        n += k;
        s += k * v;
        s2 += k * v * v;
      }
      const m = n > 0 ? s / n : 0;
      const variance = n > 0 ? Math.max(0, s2 / n - m * m) : 0;
      mean.push(m / 255);
      std.push(Math.sqrt(variance) / 255);
    }
    return { mean, std };
  }
}

/** Per-feature statistics of float rows, with sums shifted by the first row for numerical stability. */
export class FeatureStats {
  private readonly shift: Float64Array;
  private readonly sum: Float64Array;
  private readonly sum2: Float64Array;
  private rows = 0;

  constructor(private readonly features: number) {
    this.shift = new Float64Array(features);
    this.sum = new Float64Array(features);
    this.sum2 = new Float64Array(features);
  }

  /** Adds row-major rows of `features` values. */
  add(x: Float32Array): void {
    const f = this.features;
    if (f === 0) return;
    if (this.rows === 0 && x.length >= f) this.shift.set(x.subarray(0, f));
    for (let i = 0; i + f <= x.length; i += f) {
      for (let j = 0; j < f; j++) {
        const d = (x[i + j] as number) - (this.shift[j] as number);
        this.sum[j]! += d;
        this.sum2[j]! += d * d;
      }
      this.rows++;
    }
  }

  /** Mean and std per feature. */
  result(): ChannelStats {
    const mean: number[] = [];
    const std: number[] = [];
    for (let j = 0; j < this.features; j++) {
      const n = this.rows;
      const m = n > 0 ? (this.sum[j] as number) / n : 0;
      mean.push((this.shift[j] as number) + m);
      std.push(n > 0 ? Math.sqrt(Math.max(0, (this.sum2[j] as number) / n - m * m)) : 0);
    }
    return { mean, std };
  }
}
