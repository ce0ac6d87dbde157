import * as tf from '@tensorflow/tfjs-core';
import { LAB_LGG } from '../kernels/index.js';

/** Row-L2-normalised copy of X (eps 1e-12, PyTorch's F.normalize). */
export function normalizeRows(x: tf.Tensor2D): tf.Tensor2D {
  // max(‖x‖, 1e-12) taken under the root, so a zero row has a zero (not NaN) gradient.
  const norm = tf.sqrt(tf.maximum(tf.sum(tf.square(x), 1, true), 1e-24));
  return tf.div(x, norm);
}

/** X Xᵀ. */
export function gram(x: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(x, x, false, true);
}

/** True when the lab's LGG kernel `name` serves this tensor (wasm backend, module built, float32). */
export function labLggKernel(name: string, x: tf.Tensor): boolean {
  return x.dtype === 'float32' && tf.getBackend() === 'wasm' && tf.getKernel(name, 'wasm') !== undefined;
}

/**
 * Cosine similarities X̂X̂ᵀ of the rows of X (X̂ = normalizeRows(X)), differentiable in X.
 *
 * On wasm with the lab's kernels: one pass normalises the rows, the Gram matrix is computed on its
 * upper triangle only, and the gradient is written out by hand instead of autodiff's:
 *   dX̂ = (dG + dGᵀ) X̂            one product (autodiff of matMul(X̂, X̂ᵀ) takes two)
 *   dX  = (dX̂ − X̂·Σ(dX̂⊙X̂)) / n   per row, n = √max(‖x‖², 1e-24); dX̂ / n where the clamp held
 * the same function and gradient as autodiff of the TF.js ops below, which every other backend
 * runs.
 */
export function cosineSimilarity(x: tf.Tensor2D): tf.Tensor2D {
  if (!labLggKernel(LAB_LGG.gram, x)) return gram(normalizeRows(x));
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    const out: unknown = tf.engine().runKernel(LAB_LGG.normalize, { x: input }, {});
    const [y, ss] = out as [tf.Tensor2D, tf.Tensor1D];
    save([y, ss]);
    return {
      value: tf.engine().runKernel<tf.Tensor2D>(LAB_LGG.gram, { x: y }, {}),
      gradFunc: (dg: tf.Tensor, saved: tf.Tensor[]) => {
        const [yy, sq] = saved as [tf.Tensor2D, tf.Tensor1D];
        const dy = tf.engine().runKernel<tf.Tensor2D>(LAB_LGG.gramGrad, { dg, y: yy }, {});
        return tf.engine().runKernel<tf.Tensor2D>(LAB_LGG.normalizeGrad, { dy, y: yy, ss: sq }, {});
      },
    };
  });
  return op(x);
}
