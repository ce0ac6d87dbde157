import * as tf from '@tensorflow/tfjs-core';
import type { Model } from '../models/model.js';
import { readScalar, readTidy } from '../nn/read.js';
import { evaluatePerturbed, type Classifier, type EvalIo, type EvalSet } from './eval-set.js';

/** How weights are quantised: the authors' power-of-two truncation, or the lab's symmetric rounding. */
export type QuantizationScheme = 'truncate' | 'round';

/**
 * `quantise-round` (the lab's variant): uniform symmetric per-tensor quantisation to `bits`, scale
 * s = max|w| / (2^(bits−1) − 1), w′ = s · clamp(round(w / s), −(2^(bits−1) − 1), 2^(bits−1) − 1).
 * A zero tensor stays zero.
 */
export function quantizeRound(w: tf.Tensor, bits: number): tf.Tensor {
  return tf.tidy(() => {
    const levels = 2 ** (bits - 1) - 1;
    const maxAbs = tf.max(tf.abs(w));
    const scale = tf.div(tf.maximum(maxAbs, 1e-30), levels);
    return tf.mul(tf.clipByValue(tf.round(tf.div(w, scale)), -levels, levels), scale);
  });
}

/**
 * Exponent e of the authors' quantiser (laplacian_networks `bin_list`): the smallest integer n ≥ 0
 * with M·2ⁿ ≥ 1, minus 1 — so M·2^e ∈ [½, 1) for M < 1, and e = −1 for M ≥ 1. M = max|w| > 0.
 */
export function truncationExponent(maxAbs: number): number {
  if (!(maxAbs > 0) || !Number.isFinite(maxAbs))
    throw new Error(`max |w| must be a positive number, got ${maxAbs}`);
  let n = 0;
  // Doubling, as the reference does: exact in binary floating point.
  for (let m = maxAbs; m < 1; m *= 2) n++;
  return n - 1;
}

/**
 * `quantise-truncate` (the authors' `quantifier`, METHODS.md §7): with M = max|w| and e =
 * {@link truncationExponent}(M), scale v = 2^(bits − 1 + e) and w′ = trunc(w·v) / v, truncation
 * toward zero (not rounding): a power-of-two step of at least M / 2^(bits−1), errors up to one step.
 * A zero tensor stays zero.
 */
export async function quantizeTruncate(w: tf.Tensor, bits: number): Promise<tf.Tensor> {
  const maxAbs = await readScalar(() => tf.max(tf.abs(w)));
  if (maxAbs === 0) return tf.clone(w);
  const v = 2 ** (bits - 1 + truncationExponent(maxAbs));
  return tf.tidy(() => {
    const scaled = tf.mul(w, v);
    // trunc(t) = sign(t)·floor(|t|)
    return tf.div(tf.mul(tf.sign(scaled), tf.floor(tf.abs(scaled))), v);
  });
}

/** The quantiser of a scheme (truncation reads max|w| to choose its power of two). */
export function quantizer(scheme: QuantizationScheme): (w: tf.Tensor, bits: number) => Promise<tf.Tensor> {
  return scheme === 'truncate' ? quantizeTruncate : (w, bits) => Promise.resolve(quantizeRound(w, bits));
}

/**
 * The weights quantised: trainable tensors with ≥ 2 dims, i.e. convolution kernels and dense
 * weights (biases, BatchNorm and buffers stay float). For a Parseval network these are the stored
 * weights, before the forward pass's scaling — the tensors the authors quantise.
 */
export function quantizedWeights(model: Model): tf.Variable[] {
  return [...model.params.trainable.values()].filter((v) => v.shape.length >= 2);
}

/**
 * Runs `fn` with the model's weights quantised to `bits` by `scheme`, then restores them exactly
 * (the original float32 values are copied aside and assigned back in `finally`). Returns fn's value
 * and the largest relative change max|w′ − w| / max|w| over the tensors.
 */
export async function withQuantizedWeights<T>(
  model: Model,
  bits: number,
  fn: () => Promise<T>,
  scheme: QuantizationScheme = 'round',
): Promise<{ value: T; maxRelChange: number }> {
  const weights = quantizedWeights(model);
  const saved = weights.map((v) => tf.clone(v));
  const quantize = quantizer(scheme);
  try {
    let maxRelChange = 0;
    for (const v of weights) {
      const q = await quantize(v, bits);
      try {
        const [d = 0, m = 0] = await readTidy(() =>
          tf.stack([tf.max(tf.abs(tf.sub(q, v))), tf.max(tf.abs(v))]),
        );
        if (m > 0) maxRelChange = Math.max(maxRelChange, d / m);
        v.assign(q);
      } finally {
        q.dispose();
      }
    }
    return { value: await fn(), maxRelChange };
  } finally {
    weights.forEach((v, i) => {
      const s = saved[i];
      if (s) v.assign(s);
    });
    tf.dispose(saved);
  }
}

/** One row of the quantisation table. */
export interface QuantizationRow {
  /** How. */
  scheme: QuantizationScheme;
  /** Bit width. */
  bits: number;
  /** Tensors quantised. */
  tensors: number;
  /** Largest max|w′ − w| / max|w|. */
  maxRelChange: number;
  /** Accuracy of the quantised network. */
  accuracy: number;
}

/** Accuracy with the weights quantised, for each bit width; the weights are restored after each. */
export async function quantizationEvaluation(
  model: Model,
  set: EvalSet,
  classifier: Classifier,
  bitWidths: readonly number[],
  scheme: QuantizationScheme,
  io: EvalIo,
  batchSize: number,
): Promise<QuantizationRow[]> {
  const rows: QuantizationRow[] = [];
  for (const bits of bitWidths) {
    const { value, maxRelChange } = await withQuantizedWeights(
      model,
      bits,
      () => evaluatePerturbed(set, classifier, io, `${bits}-bit weights (${scheme})`, batchSize),
      scheme,
    );
    if (io.cancelled()) return rows;
    rows.push({
      scheme,
      bits,
      tensors: quantizedWeights(model).length,
      maxRelChange,
      accuracy: value.accuracy,
    });
  }
  return rows;
}
