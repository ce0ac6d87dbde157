import * as tf from '@tensorflow/tfjs-core';

/** One-hot [B, C] float labels. */
export function oneHot(labels: tf.Tensor1D, classes: number): tf.Tensor2D {
  return tf.cast(tf.oneHot(tf.cast(labels, 'int32'), classes), 'float32') as tf.Tensor2D;
}

/**
 * Label smoothness σ(W) = trace(Yᵀ L^m Y) with L = D − W (METHODS.md §2), computed as
 * Σ Y ⊙ (L^m Y) without forming L. Differentiable in W. For m = 1 and symmetric W it equals the
 * total weight of inter-class ordered pairs.
 */
export function labelSmoothness(w: tf.Tensor2D, y: tf.Tensor2D, m: 1 | 2): tf.Scalar {
  const d = tf.expandDims(tf.sum(w, 1), 1);
  const lap = (z: tf.Tensor2D): tf.Tensor2D => tf.sub(tf.mul(d, z), tf.matMul(w, z));
  let z = lap(y);
  if (m === 2) z = lap(z);
  return tf.sum(tf.mul(y, z));
}

/** Ordered pairs (i, j) with different labels: B² − Σ_c n_c². */
export function interClassPairs(labels: ArrayLike<number>): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i] ?? 0;
    counts.set(l, (counts.get(l) ?? 0) + 1);
  }
  let same = 0;
  for (const c of counts.values()) same += c * c;
  return labels.length * labels.length - same;
}
