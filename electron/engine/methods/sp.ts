import * as tf from '@tensorflow/tfjs-core';
import { gram, normalizeRows } from '../lgg/graph.js';
import { flatten } from '../nn/layers.js';

/**
 * Similarity-preserving distillation (Tung & Mori 2019), METHODS.md §3.
 *
 * G = row-L2-normalise(X Xᵀ) of the flattened batch (PyTorch's `F.normalize(x @ x.t())`, eps 1e-12),
 * and the loss between a teacher and a student representation is ‖G_T − G_S‖²_F / B² (unweighted).
 * Pure and differentiable in both arguments; call inside tf.tidy.
 */
export function spSimilarity(x: tf.Tensor): tf.Tensor2D {
  return normalizeRows(gram(flatten(x)));
}

/** ‖G_T − G_S‖²_F / B² from a precomputed teacher similarity {@link spSimilarity}. */
export function spLossFromTarget(teacherSimilarity: tf.Tensor2D, student: tf.Tensor): tf.Scalar {
  const b = student.shape[0] ?? 1;
  return tf.div<tf.Scalar>(
    tf.sum(tf.square(tf.sub(teacherSimilarity, spSimilarity(student)))),
    Math.max(1, b * b),
  );
}

/** SP loss between a teacher and a student representation of the same batch (teacher first). */
export function spLoss(teacher: tf.Tensor, student: tf.Tensor): tf.Scalar {
  return spLossFromTarget(spSimilarity(teacher), student);
}
