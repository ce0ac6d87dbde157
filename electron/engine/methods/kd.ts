import * as tf from '@tensorflow/tfjs-core';

/**
 * Hinton's distillation term (METHODS.md §3), as PyTorch's
 * `F.kl_div(log_softmax(s/T), softmax(t/T), reduction='batchmean') · T²`:
 *
 *   T² · (1/B) Σ_b Σ_c p_t(c) · (log p_t(c) − log p_s(c)),   p = softmax(logits / T).
 *
 * The T² factor keeps the gradient magnitude independent of T (the soft-target gradients scale
 * as 1/T²). Differentiable in the student logits; the teacher logits are treated as constants
 * (pass them from outside the tape). Logits are [B, C].
 */
export function kdDivergence(student: tf.Tensor2D, teacher: tf.Tensor2D, temperature: number): tf.Scalar {
  const logPt = tf.logSoftmax(tf.div(teacher, temperature));
  const logPs = tf.logSoftmax(tf.div(student, temperature));
  const kl = tf.sum(tf.mul(tf.exp(logPt), tf.sub(logPt, logPs)), 1);
  return tf.mul<tf.Scalar>(tf.mean(kl), temperature * temperature);
}

/** The parts of the KD objective. */
export interface KdLoss {
  /** α · T² · KL + (1 − α) · CE. */
  total: tf.Scalar;
  /** α · T² · KL (the term as it enters the total). */
  kd: tf.Scalar;
}

/**
 * The full KD objective α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·CE, given the student's
 * (mean) cross-entropy `ce`.
 */
export function kdLoss(
  student: tf.Tensor2D,
  teacher: tf.Tensor2D,
  ce: tf.Scalar,
  o: { temperature: number; alpha: number },
): KdLoss {
  const kd = tf.mul<tf.Scalar>(kdDivergence(student, teacher, o.temperature), o.alpha);
  return { total: tf.add<tf.Scalar>(kd, tf.mul(ce, 1 - o.alpha)), kd };
}
