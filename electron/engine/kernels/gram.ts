import * as tf from '@tensorflow/tfjs-core';

/**
 * x · xᵀ for x of shape [B, D], written as a product without transpose flags. On wasm that reaches
 * XNNPACK even when registerWasmTrainingKernels() has not run (the stock transposeB path is ~10x
 * slower); on other backends it costs one extra transpose of x.
 */
export function gram(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.matMul(x, tf.transpose(x)));
}

/** Gram matrix of the L2-normalised rows of x (cosine similarities); `epsilon` guards zero rows. */
export function normalizedGram(x: tf.Tensor2D, epsilon = 1e-12): tf.Tensor2D {
  return tf.tidy(() => {
    const norms = tf.sqrt(tf.maximum(tf.sum(tf.square(x), 1, true), epsilon));
    return gram(tf.div(x, norms));
  });
}
