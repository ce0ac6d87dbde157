import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../../../shared/rng.js';
import type { Collective } from '../replicas/index.js';
import type { SplitData } from './dataset.js';

/** Augmentation applied while a training batch is assembled. */
export interface Augment {
  /** Zero padding (pixels) before a random crop back to the original size; 0 = off. */
  cropPadding: number;
  /** Random horizontal flip. */
  flip: boolean;
}

/** A batch as tensors: inputs [B, …shape] float32 (normalised) and int32 labels [B]. */
export interface Batch {
  /** Inputs: the whole batch, or under {@link replicas} only this replica's rows of it. */
  x: tf.Tensor;
  /** Labels of the whole batch. */
  labels: tf.Tensor1D;
  /** Labels on the host side (for metrics that need them without a sync). */
  labelArray: Int32Array;
  /**
   * Set when the step runs on data-parallel replicas: `x` is this replica's shard (rows
   * `replicas.rows`), and forward results are gathered into the whole batch before any loss.
   */
  replicas?: Collective;
}

/** A batch on the host: normalised inputs [B, …shape] row-major and labels [B]. */
export interface BatchArrays {
  /** Inputs, B × prod(shape) floats. */
  x: Float32Array;
  /** Labels. */
  labels: Int32Array;
}

/**
 * Assembles batches from a split held in memory: one typed-array pass per batch does the gather,
 * the uint8 → [0, 1] scaling, the augmentation and the per-channel normalisation, then a single
 * tensor is created (no per-sample tensors).
 */
export class BatchAssembler {
  private readonly per: number;
  private readonly channels: number;
  private readonly scale: number;
  private readonly mean: Float32Array;
  private readonly invStd: Float32Array;

  constructor(
    private readonly split: SplitData,
    private readonly shape: readonly number[],
    normalize: { mean: readonly number[]; std: readonly number[] } | null,
  ) {
    this.per = shape.reduce((a, b) => a * b, 1);
    this.channels = shape.length === 3 ? (shape[2] ?? 1) : this.per;
    this.scale = split.x instanceof Uint8Array ? 1 / 255 : 1;
    this.mean = new Float32Array(this.channels);
    this.invStd = new Float32Array(this.channels).fill(1);
    if (normalize) {
      for (let c = 0; c < this.channels; c++) {
        this.mean[c] = normalize.mean[c] ?? 0;
        const s = normalize.std[c] ?? 1;
        this.invStd[c] = s > 1e-12 ? 1 / s : 1;
      }
    }
  }

  /** Per-example input shape. */
  get inputShape(): readonly number[] {
    return this.shape;
  }

  /** The batch of the given example indices; augmented when `augment` and `rng` are given. */
  make(indices: ArrayLike<number>, augment?: Augment, rng?: Rng): Batch {
    const { x, labels } = this.assemble(indices, augment, rng);
    return {
      x: tf.tensor(x, [labels.length, ...this.shape], 'float32'),
      labels: tf.tensor1d(labels, 'int32'),
      labelArray: labels,
    };
  }

  /** {@link make} on the host side: the same values, no tensors. */
  assemble(indices: ArrayLike<number>, augment?: Augment, rng?: Rng): BatchArrays {
    const b = indices.length;
    const out = new Float32Array(b * this.per);
    const labelArray = new Int32Array(b);
    const image = this.shape.length === 3;
    for (let i = 0; i < b; i++) {
      const src = indices[i] ?? 0;
      labelArray[i] = this.split.y[src] ?? 0;
      if (image && augment && rng && (augment.cropPadding > 0 || augment.flip)) {
        this.copyAugmented(src, out, i * this.per, augment, rng);
      } else {
        this.copyPlain(src, out, i * this.per);
      }
    }
    return { x: out, labels: labelArray };
  }

  private copyPlain(src: number, out: Float32Array, o: number): void {
    const x = this.split.x;
    const base = src * this.per;
    const ch = this.channels;
    for (let k = 0; k < this.per; k++) {
      const c = k % ch;
      out[o + k] = ((x[base + k] ?? 0) * this.scale - (this.mean[c] ?? 0)) * (this.invStd[c] ?? 1);
    }
  }

  private copyAugmented(src: number, out: Float32Array, o: number, aug: Augment, rng: Rng): void {
    const [h = 1, w = 1, ch = 1] = this.shape;
    const p = aug.cropPadding;
    // Offsets into the zero-padded image, as torchvision's RandomCrop(size, padding=p).
    const dy = p > 0 ? rng.int(2 * p + 1) - p : 0;
    const dx = p > 0 ? rng.int(2 * p + 1) - p : 0;
    const flip = aug.flip && rng.uniform() < 0.5;
    const x = this.split.x;
    const base = src * this.per;
    for (let i = 0; i < h; i++) {
      const si = i + dy;
      for (let j = 0; j < w; j++) {
        const jj = flip ? w - 1 - j : j;
        const sj = jj + dx;
        const inside = si >= 0 && si < h && sj >= 0 && sj < w;
        for (let c = 0; c < ch; c++) {
          const v = inside ? (x[base + (si * w + sj) * ch + c] ?? 0) * this.scale : 0;
          out[o + (i * w + j) * ch + c] = (v - (this.mean[c] ?? 0)) * (this.invStd[c] ?? 1);
        }
      }
    }
  }
}
