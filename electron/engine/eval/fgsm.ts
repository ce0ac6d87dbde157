import * as tf from '@tensorflow/tfjs-core';
import { crossEntropySum } from '../train/losses.js';
import {
  clampTo,
  evaluatePerturbed,
  type Bounds,
  type Classifier,
  type EvalIo,
  type EvalSet,
} from './eval-set.js';

/** ∇ₓ of the summed cross-entropy at x (input space). */
export function inputGradient(classifier: Classifier, x: tf.Tensor, labels: tf.Tensor1D): tf.Tensor {
  return tf.grad((xi: tf.Tensor) => crossEntropySum(classifier(xi), labels))(x);
}

/**
 * One FGSM step x′ = clamp(x + ε·sign(∇ₓ CE)); ε is a number or a per-example tensor [b, 1, …]
 * broadcast over the example's entries.
 */
export function fgsm(
  classifier: Classifier,
  x: tf.Tensor,
  labels: tf.Tensor1D,
  epsilon: number | tf.Tensor,
  bounds: Bounds,
): tf.Tensor {
  return tf.tidy(() =>
    clampTo(tf.add(x, tf.mul(tf.sign(inputGradient(classifier, x, labels)), epsilon)), bounds),
  );
}

/**
 * Per-example ε at a target SNR (the paper's way): εᵢ = ‖xᵢ‖₂ / (√D · 10^(SNR/20)), so that the
 * unclamped perturbation εᵢ·sign(g), of L2 norm εᵢ√D, has that SNR. Shape [b, 1, …, 1].
 */
export function epsilonAtSnr(x: tf.Tensor, snrDb: number): tf.Tensor {
  return tf.tidy(() => {
    const b = x.shape[0] ?? 0;
    const d = x.size / Math.max(1, b);
    const norms = tf.sqrt(tf.sum(tf.square(tf.reshape(x, [b, d])), 1));
    const eps = tf.div(norms, Math.sqrt(d) * 10 ** (snrDb / 20));
    return tf.reshape(eps, [b, ...x.shape.slice(1).map(() => 1)]);
  });
}

/** Σᵢ εᵢ of {@link epsilonAtSnr} for b examples given row-major on the host. */
export function hostEpsilonSum(pixels: ArrayLike<number>, b: number, snrDb: number): number {
  const d = pixels.length / Math.max(1, b);
  let sum = 0;
  for (let i = 0; i < b; i++) {
    let sq = 0;
    for (let j = i * d; j < (i + 1) * d; j++) sq += (pixels[j] ?? 0) ** 2;
    sum += Math.sqrt(sq);
  }
  return sum / (Math.sqrt(d) * 10 ** (snrDb / 20));
}

/** One row of the FGSM table. */
export interface FgsmRow {
  /** Fixed ε, or undefined for an SNR row. */
  epsilon?: number;
  /** Target SNR (dB) of an SNR row. */
  targetSnrDb?: number;
  /** Mean εᵢ of an SNR row (the fixed ε otherwise). */
  meanEpsilon: number;
  /** SNR measured on the clamped adversarial images. */
  snrDb: number;
  /** Accuracy on them. */
  accuracy: number;
}

/**
 * FGSM at fixed L∞ ε values, then at per-image ε for each target SNR, in the space of `set` with its
 * bounds: pixel space clamped to [0, 1] (`fgsm-pixel`), or the normalised space of
 * {@link normalizedEvalSet} with a classifier on normalised inputs and no clamp (`fgsm-normalised`,
 * where εᵢ comes from the normalised image's norm, as in the authors' script).
 */
export async function fgsmEvaluation(
  set: EvalSet,
  classifier: Classifier,
  o: { epsilons: readonly number[]; snrDb: readonly number[] },
  io: EvalIo,
  batchSize: number,
  label = 'FGSM',
): Promise<FgsmRow[]> {
  const rows: FgsmRow[] = [];
  for (const epsilon of o.epsilons) {
    const r = await evaluatePerturbed(set, classifier, io, `${label} ε=${epsilon}`, batchSize, (b) =>
      fgsm(classifier, b.x, b.labels, epsilon, set.bounds),
    );
    if (io.cancelled()) return rows;
    rows.push({ epsilon, meanEpsilon: epsilon, snrDb: r.snrDb, accuracy: r.accuracy });
  }
  const per = set.shape.reduce((a, b) => a * b, 1);
  for (const target of o.snrDb) {
    const r = await evaluatePerturbed(set, classifier, io, `${label} ${target} dB`, batchSize, (b) =>
      fgsm(classifier, b.x, b.labels, epsilonAtSnr(b.x, target), set.bounds),
    );
    // The same εᵢ as epsilonAtSnr, summed on the host batch by batch (no device read).
    let epsSum = 0;
    for (let s = 0; s < r.evaluated; s += batchSize) {
      const e = Math.min(r.evaluated, s + batchSize);
      epsSum += hostEpsilonSum(set.x.subarray(s * per, e * per), e - s, target);
    }
    if (io.cancelled()) return rows;
    rows.push({
      targetSnrDb: target,
      meanEpsilon: epsSum / Math.max(1, r.evaluated),
      snrDb: r.snrDb,
      accuracy: r.accuracy,
    });
  }
  return rows;
}
