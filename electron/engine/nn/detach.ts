import * as tf from '@tensorflow/tfjs-core';

/**
 * Computes `fn(input)` off the gradient tape: TF.js records no op run inside a custom gradient's
 * forward function, and the custom gradient itself is zero. Use it for masks (kNN top-k, degree > 0)
 * whose ops have no gradient and must not receive one — TF.js otherwise refuses to differentiate
 * through TopK, Greater, OneHot.
 */
export function detached<T extends tf.Tensor>(input: tf.Tensor, fn: (x: tf.Tensor) => T): T {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor;
    return { value: fn(x), gradFunc: () => tf.zerosLike(x) };
  });
  return op(input);
}
