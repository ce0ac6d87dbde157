import * as tf from '@tensorflow/tfjs-core';
import { ROBUST_LGG } from '../../../shared/lgg-options.js';
import { buildLgg } from '../lgg/graph.js';
import { interClassPairs, labelSmoothness } from '../lgg/smoothness.js';

/** Options of the smoothness-variation regulariser (METHODS.md §5). */
export interface LaplacianOptions {
  /** γ: the term is weighted by γ^m. */
  gamma: number;
  /** Power of the Laplacian in σ = trace(Yᵀ L^m Y). */
  m: 1 | 2;
  /** `raw` σ (paper) or σ divided by the batch's number of inter-class ordered pairs. */
  sigma: 'raw' | 'pairs';
}

/** The regulariser of one batch: its weighted value, the unweighted variation Δ and σ per layer. */
export interface LaplacianTerm {
  /** γ^m · Δ, the term added to the loss. */
  weighted: tf.Scalar;
  /** Δ = mean over consecutive layers of |σ^l − σ^{l−1}| (0 with a single layer). */
  delta: tf.Scalar;
  /** σ^l per layer, in the order given. */
  sigmas: tf.Scalar[];
}

/**
 * σ^l = trace(Yᵀ (L^l)^m Y) of one representation on the robustness LGG (dense cosine, self-loops
 * kept, unnormalised, L = D − W), divided by `divisor` (1 for raw σ). Differentiable; call in a tidy.
 */
export function layerSigma(rep: tf.Tensor, y: tf.Tensor2D, m: 1 | 2, divisor = 1): tf.Scalar {
  const { graph } = buildLgg(rep, ROBUST_LGG);
  const s = labelSmoothness(graph, y, m);
  return divisor === 1 ? s : tf.div(s, divisor);
}

/** Δ = mean over consecutive entries of |σ^l − σ^{l−1}|; zero for fewer than two layers. */
export function smoothnessVariation(sigmas: readonly tf.Scalar[]): tf.Scalar {
  if (sigmas.length < 2) return tf.scalar(0);
  const s = tf.stack(sigmas as tf.Scalar[]);
  const n = sigmas.length;
  return tf.mean(tf.abs(tf.sub(tf.slice(s, 1, n - 1), tf.slice(s, 0, n - 1))));
}

/** The σ normaliser of a batch: 1 for raw σ, else the number of inter-class ordered pairs (≥ 1). */
export function sigmaDivisor(labels: ArrayLike<number>, mode: 'raw' | 'pairs'): number {
  return mode === 'pairs' ? Math.max(1, interClassPairs(labels)) : 1;
}

/**
 * The Laplacian smoothness-variation regulariser of a batch (METHODS.md §5): σ^l on every given
 * representation (input side first), Δ = mean |σ^l − σ^{l−1}|, weighted by γ^m. Differentiable in
 * the representations; call inside the gradient tape (or a tidy).
 */
export function laplacianRegulariser(
  reps: readonly tf.Tensor[],
  y: tf.Tensor2D,
  labels: ArrayLike<number>,
  o: LaplacianOptions,
): LaplacianTerm {
  const divisor = sigmaDivisor(labels, o.sigma);
  const sigmas = reps.map((r) => layerSigma(r, y, o.m, divisor));
  const delta = smoothnessVariation(sigmas);
  return { weighted: tf.mul(delta, o.gamma ** o.m), delta, sigmas };
}
