import * as tf from '@tensorflow/tfjs-core';
import type { LggOptions } from '../../../shared/lgg-options.js';
import { detached } from '../nn/detach.js';
import { flatten } from '../nn/layers.js';
import { LAB_LGG } from '../kernels/index.js';
import { cosineSimilarity, gram, labLggKernel } from './cosine.js';

/** The graph of one layer and the kNN mask it used (if any). */
export interface Lgg {
  /** B×B adjacency. */
  graph: tf.Tensor2D;
  /** B×B {0, 1} mask of the kNN step, when k was set or a mask was given. */
  mask?: tf.Tensor2D;
}

export { cosineSimilarity, gram, normalizeRows } from './cosine.js';

/** Pairwise Euclidean distances ‖xᵢ − xⱼ‖ (clamped before the root so the gradient stays finite). */
export function pairwiseDistances(x: tf.Tensor2D): tf.Tensor2D {
  const sq = tf.sum(tf.square(x), 1, true);
  const d2 = tf.sub(tf.add(sq, tf.transpose(sq)), tf.mul(gram(x), 2));
  return tf.sqrt(tf.maximum(d2, 1e-12)) as tf.Tensor2D;
}

/** Similarity matrix of a batch (METHODS.md §1 step 2). */
export function similarity(x: tf.Tensor2D, o: Pick<LggOptions, 'similarity' | 'rbfAlpha'>): tf.Tensor2D {
  if (o.similarity === 'rbf') return tf.exp(tf.mul(pairwiseDistances(x), -o.rbfAlpha)) as tf.Tensor2D;
  return cosineSimilarity(x);
}

/** D^-1/2 S D^-1/2 with a zero row (and column) wherever the degree is not positive. */
export function symmetricNormalize(s: tf.Tensor2D): tf.Tensor2D {
  const d = tf.sum(s, 1);
  // Zero degree → zero row; the clamp keeps the discarded branch (and its gradient) finite.
  const positive = detached(d, (v) => tf.cast(tf.greater(v, 0), 'float32'));
  const dinv = tf.mul(positive, tf.pow(tf.maximum(d, 1e-12), -0.5));
  return tf.mul(tf.mul(tf.expandDims(dinv, 1), s), tf.expandDims(dinv, 0));
}

/**
 * kNN mask: each row's k largest entries, symmetrised by union max(M, Mᵀ). Built from indices
 * (scattered, k per row: no B×k×B one-hot), so no gradient flows through it. Ties go as tf.topk
 * breaks them, as before.
 */
export function knnMask(a: tf.Tensor2D, k: number): tf.Tensor2D {
  return detached(a, (v) => {
    const [rows = 0, n = 0] = v.shape;
    const kk = Math.min(k, n);
    if (kk <= 0 || rows === 0) return tf.zeros([rows, n]);
    const { indices } = tf.topk(v, kk);
    if (rows === n && labLggKernel(LAB_LGG.knnMask, v)) {
      return tf.engine().runKernel<tf.Tensor2D>(LAB_LGG.knnMask, { indices }, {});
    }
    const row = tf.tile(tf.expandDims(tf.range(0, rows, 1, 'int32'), 1), [1, kk]);
    const at = tf.reshape(tf.stack([row, indices], 2), [rows * kk, 2]);
    const m = tf.scatterND<tf.Rank.R2>(at, tf.ones([rows * kk]), [rows, n]);
    return tf.maximum(m, tf.transpose(m));
  });
}

/** A × A × … (p factors). */
export function matrixPower(a: tf.Tensor2D, p: number): tf.Tensor2D {
  let out = a;
  for (let i = 1; i < p; i++) out = tf.matMul(out, a);
  return out;
}

/**
 * The Latent Geometry Graph of a batch of representations (any layout; flattened to B×D), in the
 * order of METHODS.md §1. `mask` (e.g. the teacher's) replaces the graph's own kNN mask.
 * Differentiable in x; call inside tf.tidy.
 */
export function buildLgg(x: tf.Tensor, o: LggOptions, mask?: tf.Tensor2D): Lgg {
  let s = similarity(flatten(x), o);
  if (o.negatives === 'clamp') s = tf.relu(s);
  if (o.selfLoops === 'remove') s = tf.mul(s, tf.sub(1, tf.eye(s.shape[0])));
  if (o.normalization === 'sym') s = symmetricNormalize(s);
  const m = mask ?? (o.k !== null ? knnMask(s, o.k) : undefined);
  if (m) s = tf.mul(s, m);
  if (o.power !== 1) s = matrixPower(s, o.power);
  return m ? { graph: s, mask: m } : { graph: s };
}

/** Squared Frobenius distance ‖A − B‖²_F, summed or averaged over the B² entries. */
export function graphDistance(a: tf.Tensor2D, b: tf.Tensor2D, reduction: 'sum' | 'mean'): tf.Scalar {
  const sq = tf.square(tf.sub(a, b));
  return reduction === 'sum' ? tf.sum(sq) : tf.mean(sq);
}

/** Fraction of off-diagonal entries that are exactly zero, from a B×B graph's values (row-major). */
export function sparsity(values: ArrayLike<number>, b: number): number {
  if (b < 2) return 0;
  let zeros = 0;
  for (let i = 0; i < b; i++) {
    for (let j = 0; j < b; j++) if (i !== j && values[i * b + j] === 0) zeros++;
  }
  return zeros / (b * (b - 1));
}
