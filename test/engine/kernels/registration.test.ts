// Registration semantics, in a file of its own so the tfjs engine starts fresh: here the kernels are
// registered after the wasm backend is already active (helpers.ts covers registering before).
import { describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import {
  registerWasmTrainingKernels,
  unregisterWasmTrainingKernels,
} from '../../../electron/engine/kernels/index.js';

const EXPECTED = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'BatchMatMul',
  'MaxPoolGrad',
  'Sum',
  'Mean',
  'Tile',
  'FusedBatchNorm',
  'Identity',
  'Cast',
  // From the lab's own SIMD module (built by npm run build:wasm, which npm test runs first).
  'Conv2D',
  'LabChannelSums',
  'LabChannelCentredSquares',
  'LabBatchNormForward',
  'LabBatchNormGradSums',
  'LabBatchNormBackward',
  'LabSgdStep',
  'LabRowNormalize',
  'LabRowNormalizeGrad',
  'LabGramSym',
  'LabGramSymGrad',
  'LabKnnMask',
];

/** A small training-style computation that needs Conv2DBackpropFilter and a transposed matMul. */
function gradients(): number[] {
  return tf.tidy(() => {
    const x = tf.ones<tf.Rank.R4>([1, 4, 4, 2]);
    const w = tf.fill<tf.Rank.R4>([3, 3, 2, 2], 0.5);
    const m = tf.fill<tf.Rank.R2>([4, 3], 0.25);
    const [dw, dm] = tf.grads((w: tf.Tensor, m: tf.Tensor) =>
      tf.sum(tf.matMul(tf.reshape(tf.conv2d(x, w as tf.Tensor4D, 1, 'same'), [8, 4]), m as tf.Tensor2D)),
    )([w, m]);
    return [tf.sum(dw!).dataSync()[0]!, tf.sum(dm!).dataSync()[0]!];
  });
}

describe('registerWasmTrainingKernels', () => {
  it('the stock wasm backend cannot train a convolution', async () => {
    await tf.setBackend('wasm');
    expect(() => gradients()).toThrow(/Conv2DBackpropFilter/);
  });

  it('registers the training kernels on a running wasm backend and returns their names', async () => {
    const names = registerWasmTrainingKernels();
    expect(names).toEqual(EXPECTED);
    for (const name of names) expect(tf.getKernel(name, 'wasm')).toBeDefined();
    const cpu = await onCpu(gradients);
    await tf.setBackend('wasm');
    expect(gradients()).toEqual(cpu);
  });

  it('is idempotent: a second call warns about nothing and keeps working', async () => {
    const warn = vi.spyOn(console, 'warn');
    const first = tf.getKernel('BatchMatMul', 'wasm');
    expect(registerWasmTrainingKernels()).toEqual(EXPECTED);
    expect(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc).toBe(first?.kernelFunc);
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
    expect(gradients()).toEqual(await onCpu(gradients));
  });

  it('unregistering restores the stock kernels; registering again re-installs ours', async () => {
    const ours = tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc;
    unregisterWasmTrainingKernels();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    expect(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc).not.toBe(ours);
    await tf.setBackend('wasm');
    expect(() => gradients()).toThrow(/Conv2DBackpropFilter/);
    registerWasmTrainingKernels();
    expect(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc).toBe(ours);
    expect(gradients()).toEqual(await onCpu(gradients));
  });

  it('switching to cpu and back re-runs the stock set-up our replacements carry', async () => {
    const cpu = await onCpu(gradients);
    await tf.setBackend('wasm');
    expect(gradients()).toEqual(cpu);
  });
});

async function onCpu<T>(f: () => T): Promise<T> {
  await tf.setBackend('cpu');
  return f();
}
