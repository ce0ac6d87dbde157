import * as tf from '@tensorflow/tfjs-core';

/**
 * Values of the tensor `f` computes (inside tf.tidy), read asynchronously, then freed. A GPU
 * backend under Node can only read asynchronously (WebGPU has no synchronous map; TF.js's
 * synchronous path needs a browser's OffscreenCanvas), so every read of the engine goes through
 * `data()`; on cpu and wasm it resolves at once.
 */
export async function readTidy(f: () => tf.Tensor): Promise<tf.TypedArray> {
  const t = tf.tidy(f);
  try {
    return await t.data();
  } finally {
    t.dispose();
  }
}

/** Like {@link readTidy} for several tensors, read concurrently. */
export async function readAllTidy(f: () => tf.Tensor[]): Promise<tf.TypedArray[]> {
  const ts = tf.tidy(f);
  try {
    return await Promise.all(ts.map((t) => t.data()));
  } finally {
    tf.dispose(ts);
  }
}

/** The first value of a scalar-producing computation (NaN when empty). */
export async function readScalar(f: () => tf.Tensor): Promise<number> {
  return (await readTidy(f))[0] ?? Number.NaN;
}
