import * as tf from '@tensorflow/tfjs-core';
import type { Model } from '../models/model.js';
import { readTidy } from '../nn/read.js';
import { evaluatePerturbed, type Classifier, type EvalIo, type EvalSet } from './eval-set.js';

/**
 * Uniform symmetric per-tensor quantisation to `bits`: scale s = max|w| / (2^(bits−1) − 1),
 * w′ = s · clamp(round(w / s), −(2^(bits−1) − 1), 2^(bits−1) − 1). A zero tensor stays zero.
 */
export function quantizeTensor(w: tf.Tensor, bits: number): tf.Tensor {
  return tf.tidy(() => {
    const levels = 2 ** (bits - 1) - 1;
    const maxAbs = tf.max(tf.abs(w));
    const scale = tf.div(tf.maximum(maxAbs, 1e-30), levels);
    return tf.mul(tf.clipByValue(tf.round(tf.div(w, scale)), -levels, levels), scale);
  });
}

/** The weights quantised: trainable tensors with ≥ 2 dims (biases, BatchNorm and buffers stay float). */
export function quantizedWeights(model: Model): tf.Variable[] {
  return [...model.params.trainable.values()].filter((v) => v.shape.length >= 2);
}

/**
 * Runs `fn` with the model's weights quantised to `bits`, then restores them exactly (the original
 * float32 values are copied aside and assigned back in `finally`). Returns fn's value and the
 * largest relative change max|w′ − w| / max|w| over the tensors.
 */
export async function withQuantizedWeights<T>(
  model: Model,
  bits: number,
  fn: () => Promise<T>,
): Promise<{ value: T; maxRelChange: number }> {
  const weights = quantizedWeights(model);
  const saved = weights.map((v) => tf.clone(v));
  try {
    let maxRelChange = 0;
    for (const v of weights) {
      const q = quantizeTensor(v, bits);
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
  io: EvalIo,
  batchSize: number,
): Promise<QuantizationRow[]> {
  const rows: QuantizationRow[] = [];
  for (const bits of bitWidths) {
    const { value, maxRelChange } = await withQuantizedWeights(model, bits, () =>
      evaluatePerturbed(set, classifier, io, `${bits}-bit weights`, batchSize),
    );
    if (io.cancelled()) return rows;
    rows.push({ bits, tensors: quantizedWeights(model).length, maxRelChange, accuracy: value.accuracy });
  }
  return rows;
}
