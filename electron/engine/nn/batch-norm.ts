import * as tf from '@tensorflow/tfjs-core';
import type { Collective } from '../replicas/index.js';

/** Batch statistics of one training-mode BatchNorm call (kept tensors: the caller disposes them). */
export interface BatchStatistics {
  /** Per-channel mean over the whole batch. */
  mean: tf.Tensor1D;
  /** Per-channel biased variance over the whole batch. */
  variance: tf.Tensor1D;
  /** Values per channel the statistics cover (whole batch × spatial positions). */
  count: number;
}

function float32(values: tf.backend_util.TypedArray): Float32Array {
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

/**
 * Training-mode BatchNorm over every axis but the last (channels), with its own gradient:
 *
 *   forward   μ = Σx / N, σ² = Σ(x − μ)² / N, x̂ = (x − μ)/√(σ² + ε), y = γ·x̂ + β
 *   backward  dβ = Σdy, dγ = Σdy·x̂, dx = γ/√(σ² + ε) · (dy − Σdy/N − x̂·Σ(dy·x̂)/N)
 *
 * With `replicas`, x is this replica's shard and every Σ and N cover the whole batch (synchronised
 * BatchNorm): the forward sums go through the replicas' shared-memory reduction (twice: the mean,
 * then the centred squares, as the single-process two-pass does), the backward sums of dy and dy·x̂
 * once. dγ and dβ stay local: the gradient reduction of the step adds them up like every other
 * parameter's. Without replicas nothing leaves the device.
 *
 * The gradient of x is the textbook full-batch formula that autodiff of moments + batchNorm gives,
 * in fewer ops (about 15 passes over the activation instead of ~25).
 */
export function batchNormTraining<T extends tf.Tensor>(
  x: T,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  eps: number,
  replicas?: Collective,
): { y: T; stats: BatchStatistics } {
  const axes = x.shape.map((_, i) => i).slice(0, -1);
  const rows = x.shape[0] ?? 1;
  const perRow = rows > 0 ? x.size / rows / (x.shape[x.shape.length - 1] ?? 1) : 0;
  const shared = replicas !== undefined && replicas.size > 1;
  const count = perRow * (shared ? replicas.rows.total : rows);
  const total = (t: tf.Tensor): tf.Tensor =>
    shared ? tf.tensor(replicas.sum(float32(t.dataSync())), t.shape, 'float32') : t;
  let stats: BatchStatistics | undefined;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, g, b] = args as [T, tf.Tensor, tf.Tensor];
    const save = args[3] as tf.GradSaveFunc;
    const mean = tf.div<tf.Tensor1D>(total(tf.sum(input, axes)), count);
    const centred = tf.sub(input, mean);
    const variance = tf.div<tf.Tensor1D>(total(tf.sum(tf.square(centred), axes)), count);
    const invStd = tf.rsqrt(tf.add(variance, eps));
    const xHat = tf.mul(centred, invStd);
    stats = { mean: tf.keep(mean), variance: tf.keep(variance), count };
    save([xHat, invStd]);
    return {
      value: tf.add<T>(tf.mul(xHat, g), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, inv] = saved as [tf.Tensor, tf.Tensor];
        const dBeta = tf.sum(dy, axes);
        const dGamma = tf.sum(tf.mul(dy, xh), axes);
        const [sumDy, sumDyXHat] = tf.split(total(tf.concat([dBeta, dGamma])), 2);
        const centredDy = tf.sub(
          tf.sub(dy, tf.div(sumDy as tf.Tensor, count)),
          tf.mul(xh, tf.div(sumDyXHat as tf.Tensor, count)),
        );
        return [tf.mul(centredDy, tf.mul(g, inv)), dGamma, dBeta];
      },
    };
  });
  const y = op(x, gamma, beta);
  if (!stats) throw new Error('batchNormTraining: the forward pass produced no statistics');
  return { y, stats };
}
