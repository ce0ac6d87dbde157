import * as tf from '@tensorflow/tfjs-core';

/** One coordinate of a gradient check. */
export interface GradientSample {
  /** Flat index of the coordinate. */
  index: number;
  /** Central finite difference (f(x + h) − f(x − h)) / 2h. */
  numeric: number;
  /** The autodiff gradient. */
  analytic: number;
}

/**
 * Compares tf.grad of a scalar function with central finite differences at some coordinates of x0
 * (float32: pick h ≈ 1e-2 on inputs of order 1, where the O(h²) truncation and the ε/h rounding
 * error are both ≈ 1e-4 of the function's scale).
 */
export function gradientSamples(
  f: (x: tf.Tensor) => tf.Scalar,
  x0: tf.Tensor,
  indices: number[],
  h = 1e-2,
): GradientSample[] {
  const analytic = tf.tidy(() => tf.grad(f)(x0).dataSync());
  const base = x0.dataSync();
  return indices.map((index) => {
    const at = (delta: number): number =>
      tf.tidy(() => {
        const v = Float32Array.from(base);
        v[index] = (v[index] ?? 0) + delta;
        return f(tf.tensor(v, x0.shape)).dataSync()[0] ?? Number.NaN;
      });
    return { index, numeric: (at(h) - at(-h)) / (2 * h), analytic: analytic[index] ?? Number.NaN };
  });
}

/** Largest |numeric − analytic| / (atol + rtol·|numeric|) over the samples (≤ 1 passes). */
export function worstGradientError(samples: GradientSample[], atol: number, rtol: number): number {
  return Math.max(
    ...samples.map((s) => Math.abs(s.numeric - s.analytic) / (atol + rtol * Math.abs(s.numeric))),
  );
}
