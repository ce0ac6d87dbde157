import * as tf from '@tensorflow/tfjs-core';
import { LAB_BN } from '../kernels/index.js';
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

/** The per-channel passes of training-mode BatchNorm (x: [..., C]; every other tensor [C]). */
interface BatchNormPasses {
  /** Σ over the rows. */
  sums(x: tf.Tensor): tf.Tensor1D;
  /** Σ (x − mean)² over the rows. */
  centredSquares(x: tf.Tensor, mean: tf.Tensor1D): tf.Tensor1D;
  /** x̂ = (x − mean)·invStd and y = x̂·gamma + beta. */
  normalise(
    x: tf.Tensor,
    mean: tf.Tensor,
    invStd: tf.Tensor,
    gamma: tf.Tensor,
    beta: tf.Tensor,
  ): [tf.Tensor, tf.Tensor];
  /** [Σdy, Σdy·x̂] as one [2C] vector. */
  gradSums(dy: tf.Tensor, xHat: tf.Tensor): tf.Tensor1D;
  /** scale·(dy − meanDy − x̂·meanDyXHat). */
  gradInput(
    dy: tf.Tensor,
    xHat: tf.Tensor,
    scale: tf.Tensor,
    meanDy: tf.Tensor,
    meanDyXHat: tf.Tensor,
  ): tf.Tensor;
}

/** Portable passes, in TF.js ops (every backend). */
function opsPasses(axes: number[]): BatchNormPasses {
  return {
    sums: (x) => tf.sum<tf.Tensor1D>(x, axes),
    centredSquares: (x, mean) => tf.sum<tf.Tensor1D>(tf.square(tf.sub(x, mean)), axes),
    normalise: (x, mean, invStd, gamma, beta) => {
      const xHat = tf.mul(tf.sub(x, mean), invStd);
      return [xHat, tf.add(tf.mul(xHat, gamma), beta)];
    },
    gradSums: (dy, xHat) =>
      tf.concat([tf.sum<tf.Tensor1D>(dy, axes), tf.sum<tf.Tensor1D>(tf.mul(dy, xHat), axes)]),
    gradInput: (dy, xHat, scale, meanDy, meanDyXHat) =>
      tf.mul(tf.sub(tf.sub(dy, meanDy), tf.mul(xHat, meanDyXHat)), scale),
  };
}

/** The lab's fused SIMD kernels on wasm (kernels/batch-norm-train.ts): 5 passes in all. */
const labPasses: BatchNormPasses = {
  sums: (x) => tf.engine().runKernel<tf.Tensor1D>(LAB_BN.sums, { x }, {}),
  centredSquares: (x, mean) => tf.engine().runKernel<tf.Tensor1D>(LAB_BN.centredSquares, { x, mean }, {}),
  normalise: (x, mean, invStd, gamma, beta) => {
    // A two-output kernel: runKernel returns both tensors.
    const out: unknown = tf.engine().runKernel(LAB_BN.forward, { x, mean, invStd, gamma, beta }, {});
    return out as [tf.Tensor, tf.Tensor];
  },
  gradSums: (dy, xHat) =>
    tf.reshape(tf.engine().runKernel<tf.Tensor>(LAB_BN.gradSums, { dy, xHat }, {}), [-1]),
  gradInput: (dy, xHat, scale, meanDy, meanDyXHat) =>
    tf.engine().runKernel<tf.Tensor>(LAB_BN.backward, { dy, xHat, scale, meanDy, meanDyXHat }, {}),
};

function passesFor(x: tf.Tensor, axes: number[]): BatchNormPasses {
  const channels = x.shape[x.shape.length - 1] ?? 1;
  const lab =
    x.dtype === 'float32' &&
    channels % 4 === 0 &&
    tf.getBackend() === 'wasm' &&
    tf.getKernel(LAB_BN.sums, 'wasm') !== undefined;
  return lab ? labPasses : opsPasses(axes);
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
 * in fewer passes over the activation: 5 with the lab's wasm kernels, ~15 in TF.js ops, against
 * ~25 for autodiff.
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
  const total = <R extends tf.Tensor>(t: R): R =>
    shared ? (tf.tensor(replicas.sum(float32(t.dataSync())), t.shape, 'float32') as R) : t;
  const pass = passesFor(x, axes);
  let stats: BatchStatistics | undefined;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, g, b] = args as [T, tf.Tensor, tf.Tensor];
    const save = args[3] as tf.GradSaveFunc;
    const mean = tf.div<tf.Tensor1D>(total(pass.sums(input)), count);
    const variance = tf.div<tf.Tensor1D>(total(pass.centredSquares(input, mean)), count);
    const invStd = tf.rsqrt(tf.add(variance, eps));
    const [xHat, y] = pass.normalise(input, mean, invStd, g, b);
    stats = { mean: tf.keep(mean), variance: tf.keep(variance), count };
    save([xHat, invStd]);
    return {
      value: y as T,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, inv] = saved as [tf.Tensor, tf.Tensor];
        const local = pass.gradSums(dy, xh);
        const [dBeta, dGamma] = tf.split(local, 2) as [tf.Tensor, tf.Tensor];
        const [meanDy, meanDyXHat] = tf.split(tf.div(total(local), count), 2) as [tf.Tensor, tf.Tensor];
        return [pass.gradInput(dy, xh, tf.mul(g, inv), meanDy, meanDyXHat), dGamma, dBeta];
      },
    };
  });
  const y = op(x, gamma, beta);
  if (!stats) throw new Error('batchNormTraining: the forward pass produced no statistics');
  return { y, stats };
}
