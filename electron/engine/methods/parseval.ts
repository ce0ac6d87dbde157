import * as tf from '@tensorflow/tfjs-core';

/**
 * One Parseval retraction step (Cisse et al. 2017) of a weight tensor, with PyTorch's reading of
 * the weight as W = (out, −1): W ← (1 + β)W − β W Wᵀ W.
 *
 * The lab stores conv weights as [kh, kw, in, out] and dense weights as [in, out]: "out" is the last
 * axis, so A = reshape(w, [−1, out]) is Wᵀ up to a permutation of its rows (PyTorch flattens
 * (in, kh, kw), we flatten (kh, kw, in)). W Wᵀ = AᵀA is unchanged by that permutation, and the
 * update in A's terms is A ← (1 + β)A − β A (AᵀA), computed with the small out × out Gram matrix.
 */
export function parsevalRetraction(w: tf.Tensor, beta: number): tf.Tensor {
  return tf.tidy(() => {
    const out = w.shape[w.shape.length - 1] ?? 1;
    const a = tf.reshape<tf.Rank.R2>(w, [-1, out]);
    const gram = tf.matMul(a, a, true, false);
    const next = tf.sub(tf.mul(a, 1 + beta), tf.mul(tf.matMul(a, gram), beta));
    return tf.reshape(next, w.shape);
  });
}

/** True for the tensors the retraction applies to: weights with at least two dimensions. */
export function isParsevalWeight(v: tf.Variable): boolean {
  return v.shape.length >= 2;
}

/** Applies the retraction in place to every weight with ≥ 2 dims (biases and BatchNorm are left alone). */
export function applyParseval(params: ReadonlyMap<string, tf.Variable>, beta: number): void {
  for (const v of params.values()) {
    if (!isParsevalWeight(v)) continue;
    const next = parsevalRetraction(v, beta);
    v.assign(next);
    next.dispose();
  }
}
