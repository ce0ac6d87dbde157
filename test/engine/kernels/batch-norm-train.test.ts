import { describe, expect, it } from 'vitest';
import { LAB_BN } from '../../../electron/engine/kernels/index.js';
import { batchNormTraining } from '../../../electron/engine/nn/batch-norm.js';
import { assertClose, labKernels, onBothBackends, randomArrays, tf } from './helpers.js';

/** Loss = Σ y·w for a fixed random w, so every gradient path (dx, dγ, dβ) carries signal. */
function bnValuesAndGrads(t: Record<string, tf.Tensor>): tf.Tensor[] {
  const { y, stats } = batchNormTraining(t.x!, t.gamma!, t.beta!, 1e-5);
  const grads = tf.grads((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.mul(batchNormTraining(x, g, b, 1e-5).y, t.w!)),
  )([t.x!, t.gamma!, t.beta!]);
  const out = [y, stats.mean, stats.variance, ...grads];
  return out;
}

describe('training-mode BatchNorm on the lab wasm kernels', () => {
  it('registers the kernels (the module is built by npm run build:wasm)', () => {
    expect(labKernels).toEqual(expect.arrayContaining(Object.values(LAB_BN)));
  });

  for (const shape of [
    [6, 5, 7, 16],
    [3, 8],
    [2, 4, 4, 64],
  ]) {
    it(`matches cpu for x of shape [${shape.join(', ')}]: y, batch statistics, dx, dγ, dβ`, async () => {
      const c = shape[shape.length - 1]!;
      const inputs = randomArrays({ x: shape, gamma: [c], beta: [c], w: shape }, c);
      // A mean far from 0 checks the two-pass variance.
      inputs.x!.values = inputs.x!.values.map((v) => 3 + 2 * v);
      const [cpu, wasm] = await onBothBackends(inputs, bnValuesAndGrads);
      const names = ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'];
      names.forEach((n, i) => assertClose(wasm[i]!, cpu[i]!, 1e-4, n));
    });
  }

  it('runs on the lab kernels on wasm', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal([2, 3, 3, 8]);
    const g = tf.ones([8]);
    const b = tf.zeros([8]);
    const info = await tf.profile(() => {
      const f = (v: tf.Tensor): tf.Scalar => tf.sum(batchNormTraining(v, g, b, 1e-5).y);
      tf.dispose(tf.grad(f)(x));
    });
    tf.dispose([x, g, b]);
    const names = new Set(info.kernels.map((k) => k.name));
    for (const k of Object.values(LAB_BN)) expect(names).toContain(k);
  });

  it('falls back to TF.js ops (same values) for channels that are not a multiple of 4', async () => {
    const inputs = randomArrays({ x: [4, 3, 3, 6], gamma: [6], beta: [6], w: [4, 3, 3, 6] }, 9);
    const [cpu, wasm] = await onBothBackends(inputs, bnValuesAndGrads);
    cpu.forEach((v, i) => assertClose(wasm[i]!, v, 1e-4, `output ${i}`));
  });
});
