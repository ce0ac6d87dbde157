import * as tf from '@tensorflow/tfjs-core';
import { gram, pairwiseDistances } from '../lgg/graph.js';
import { flatten } from '../nn/layers.js';

/**
 * Relational knowledge distillation (Park et al. 2019), METHODS.md §3, with the semantics of the
 * authors' PyTorch code: distances and angles of the flattened batch, smooth-L1 (β = 1) between
 * the student's and the teacher's structures, teacher first. Pure and differentiable in both
 * arguments; call inside tf.tidy.
 */

/** Elementwise smooth-L1 with β = 1 (PyTorch): ½d² where |d| < 1, |d| − ½ elsewhere. */
export function smoothL1(d: tf.Tensor): tf.Tensor {
  // ½q² + (|d| − q) with q = min(|d|, 1): one expression for both branches, no select needed.
  const a = tf.abs(d);
  const q = tf.minimum(a, 1);
  return tf.add(tf.mul(tf.square(q), 0.5), tf.sub(a, q));
}

/** B×B matrix of ones with a zero diagonal. */
export function offDiagonal(b: number): tf.Tensor2D {
  return tf.sub<tf.Tensor2D>(1, tf.eye(b));
}

/** Rows minus their batch mean: distances and angles are translation invariant, and centring keeps the Gram-based forms accurate in float32. */
function centred(x: tf.Tensor): tf.Tensor2D {
  const f = flatten(x);
  return tf.sub(f, tf.mean(f, 0, true));
}

/**
 * Pairwise distances ‖xᵢ − xⱼ‖ divided by the mean of the B(B − 1) off-diagonal entries
 * (RKD-D's scale normalisation). The diagonal is not meaningful (≈ 0) and is masked by users.
 */
export function normalizedDistances(x: tf.Tensor): tf.Tensor2D {
  const b = x.shape[0] ?? 0;
  const d = pairwiseDistances(centred(x));
  const mean = tf.div(tf.sum(tf.mul(d, offDiagonal(b))), Math.max(1, b * (b - 1)));
  return tf.div(d, mean);
}

/**
 * RKD-D from a precomputed teacher structure: mean over the B(B − 1) off-diagonal entries of
 * smooth-L1(ψ_S − ψ_T), ψ = {@link normalizedDistances}.
 */
export function rkdDistanceFromTarget(teacherDistances: tf.Tensor2D, student: tf.Tensor): tf.Scalar {
  const b = student.shape[0] ?? 0;
  const diff = tf.sub(normalizedDistances(student), teacherDistances);
  return tf.div<tf.Scalar>(tf.sum(tf.mul(smoothL1(diff), offDiagonal(b))), Math.max(1, b * (b - 1)));
}

/** RKD-D loss between a teacher and a student representation of the same batch (unweighted). */
export function rkdDistance(teacher: tf.Tensor, student: tf.Tensor): tf.Scalar {
  return rkdDistanceFromTarget(normalizedDistances(teacher), student);
}

/**
 * Angle structure of a batch: a [B, B, B] tensor whose entry (i, j, k) is the cosine of the angle
 * at xᵢ between xⱼ and xₖ, ⟨eᵢⱼ, eᵢₖ⟩ with eᵢⱼ = (xⱼ − xᵢ)/‖xⱼ − xᵢ‖ — the layout of Park et al.'s
 * `bmm(norm_td, norm_td.T)`. Entries with j = i or k = i (a zero vector, which F.normalize maps
 * to 0) are exactly 0. Built from the Gram matrix, so memory is O(B³) whatever the width D:
 * ⟨xⱼ − xᵢ, xₖ − xᵢ⟩ = Gⱼₖ − Gᵢⱼ − Gᵢₖ + Gᵢᵢ.
 */
export function angleStructure(x: tf.Tensor): tf.Tensor3D {
  const f = centred(x);
  const b = f.shape[0];
  const g = gram(f);
  const sq = tf.sum(tf.square(f), 1);
  const dot = tf.add(
    tf.sub(tf.sub(tf.expandDims(g, 0), tf.expandDims(g, 2)), tf.expandDims(g, 1)),
    tf.reshape(sq, [b, 1, 1]),
  );
  const n = pairwiseDistances(f);
  const m = offDiagonal(b);
  // Masked before dividing by the clamped norms, so j = i and k = i give exact zeros.
  const masked = tf.mul(tf.mul(dot, tf.expandDims(m, 2)), tf.expandDims(m, 1));
  return tf.div<tf.Tensor3D>(masked, tf.mul(tf.expandDims(n, 2), tf.expandDims(n, 1)));
}

/** RKD-A from a precomputed teacher angle structure: mean over all B³ entries of smooth-L1(ψ_S − ψ_T) (as the authors' code). */
export function rkdAngleFromTarget(teacherAngles: tf.Tensor3D, student: tf.Tensor): tf.Scalar {
  return tf.mean(smoothL1(tf.sub(angleStructure(student), teacherAngles)));
}

/** RKD-A loss between a teacher and a student representation of the same batch (unweighted). */
export function rkdAngle(teacher: tf.Tensor, student: tf.Tensor): tf.Scalar {
  return rkdAngleFromTarget(angleStructure(teacher), student);
}
