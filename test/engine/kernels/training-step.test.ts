import { describe, expect, it } from 'vitest';
import { createRefCnn, makeTrainStep, syntheticBatch } from '../../../electron/engine/kernels/bench-step.js';
import { assertClose, randomArrays, tf, wasmDataIds } from './helpers.js';

/** Losses of `steps` SGD-momentum steps of the reference CNN, plus the final first-layer filter. */
async function trajectory(
  backend: 'cpu' | 'wasm',
  batch: number,
  steps: number,
): Promise<[number[], Float32Array]> {
  await tf.setBackend(backend);
  const model = createRefCnn(42);
  const step = makeTrainStep(model, 0.05, 0.9);
  const { x, y } = syntheticBatch(batch, 5);
  const losses = Array.from({ length: steps }, () => step(x, y));
  const w1 = Float32Array.from(model.variables[0]!.dataSync());
  tf.dispose([x, y, ...model.variables]);
  return [losses, w1];
}

describe('reference CNN training step', () => {
  it('wasm reproduces the cpu loss trajectory of the first 3 SGD steps', async () => {
    const [cpuLoss, cpuW1] = await trajectory('cpu', 3, 3);
    const [wasmLoss, wasmW1] = await trajectory('wasm', 3, 3);
    expect(cpuLoss[2]).toBeLessThan(cpuLoss[0]!);
    assertClose(Float32Array.from(wasmLoss), Float32Array.from(cpuLoss), 1e-4, 'loss');
    assertClose(wasmW1, cpuW1, 1e-3, 'conv1 weights after 3 steps');
  });

  it('repeated steps leak neither tensors nor wasm buffers', async () => {
    await tf.setBackend('wasm');
    const model = createRefCnn(1);
    const step = makeTrainStep(model, 0.01, 0.9);
    const { x, y } = syntheticBatch(4, 2);
    step(x, y);
    const tensors = tf.memory().numTensors;
    const buffers = wasmDataIds();
    for (let i = 0; i < 3; i++) step(x, y);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(wasmDataIds()).toBe(buffers);
    tf.dispose([x, y, ...model.variables]);
  });
});

describe('each lab kernel leaves exactly its output behind', () => {
  const pad1 = [
    [0, 0],
    [1, 1],
    [1, 1],
    [0, 0],
  ] as [[number, number], [number, number], [number, number], [number, number]];
  const cases: [string, Record<string, number[]>, (t: Record<string, tf.Tensor>) => tf.Tensor][] = [
    [
      'conv grads, stride 1',
      { x: [2, 6, 6, 3], w: [3, 3, 3, 4] },
      (t) =>
        tf.addN(
          tf
            .grads((x: tf.Tensor, w: tf.Tensor) =>
              tf.sum(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, pad1)),
            )([t.x!, t.w!])
            .map((g) => tf.sum(g)),
        ),
    ],
    [
      'conv grads, stride 2',
      { x: [2, 6, 6, 3], w: [3, 3, 3, 4] },
      (t) =>
        tf.addN(
          tf
            .grads((x: tf.Tensor, w: tf.Tensor) =>
              tf.sum(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, pad1)),
            )([t.x!, t.w!])
            .map((g) => tf.sum(g)),
        ),
    ],
    ['matMul transposeA', { a: [7, 5], b: [7, 3] }, (t) => tf.matMul(t.a!, t.b!, true, false)],
    ['matMul transposeB (swapped)', { a: [3, 50], b: [70, 50] }, (t) => tf.matMul(t.a!, t.b!, false, true)],
    [
      'maxPool grad',
      { x: [2, 6, 6, 3] },
      (t) => tf.grad((x: tf.Tensor) => tf.sum(tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid')))(t.x!),
    ],
    ['sum over leading axes', { x: [2, 6, 6, 3] }, (t) => tf.sum(t.x!, [0, 1, 2])],
  ];
  for (const [name, shapes, f] of cases) {
    it(name, async () => {
      await tf.setBackend('wasm');
      const inputs = Object.entries(randomArrays(shapes, 3)).map(
        ([k, v]) => [k, tf.tensor(v.values, v.shape)] as const,
      );
      const t = Object.fromEntries(inputs);
      tf.dispose(tf.tidy(() => f(t)));
      const tensors = tf.memory().numTensors;
      const buffers = wasmDataIds();
      const out = tf.tidy(() => f(t));
      expect(tf.memory().numTensors).toBe(tensors + 1);
      expect(wasmDataIds()).toBe(buffers + 1);
      tf.dispose([out, ...Object.values(t)]);
    });
  }
});
