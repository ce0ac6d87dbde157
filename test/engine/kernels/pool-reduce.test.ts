import { describe, expect, it } from 'vitest';
import {
  assertAllClose,
  onBothBackends,
  pseudoRandom,
  randomArrays,
  runOn,
  tf,
  wasmDataIds,
} from './helpers.js';
import type { Arrays } from './helpers.js';

/** Values on a coarse grid (many exact ties) with about half of them negative. */
function tiedArrays(shape: number[], seed: number): Arrays {
  const size = shape.reduce((a, b) => a * b, 1);
  return { x: { values: pseudoRandom(size, seed).map((v) => Math.round(v * 3) / 3), shape } };
}

describe('MaxPoolGrad on wasm matches cpu (first maximum wins)', () => {
  const cases: [string, number[], number, number, 'same' | 'valid'][] = [
    ['2×2 s2 valid, even size', [2, 8, 8, 3], 2, 2, 'valid'],
    ['2×2 s2 valid, odd size', [2, 7, 9, 2], 2, 2, 'valid'],
    ['2×2 s2 same, odd size (clipped windows)', [1, 7, 7, 2], 2, 2, 'same'],
    ['3×3 s2 same', [2, 9, 8, 3], 3, 2, 'same'],
    ['3×3 s1 same (overlapping windows)', [1, 6, 6, 2], 3, 1, 'same'],
    // Channels in multiples of 4: the lab's SIMD kernel (ties and the odd border included).
    ['2×2 s2 valid, 8 channels (SIMD)', [2, 8, 6, 8], 2, 2, 'valid'],
    ['2×2 s2 valid, odd size, 4 channels (SIMD)', [2, 7, 9, 4], 2, 2, 'valid'],
  ];
  for (const [name, shape, size, stride, pad] of cases) {
    it(name, async () => {
      const inputs = tiedArrays(shape, shape.length * 31 + size);
      const y = tf.backend_util.computePool2DInfo(
        shape as [number, number, number, number],
        size,
        stride,
        1,
        pad,
      ).outShape;
      Object.assign(inputs, randomArrays({ r: y }, 9));
      const [cpu, wasm] = await onBothBackends(inputs, (t) =>
        tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(x as tf.Tensor4D, size, stride, pad), t.r!)))(
          t.x!,
        ),
      );
      assertAllClose(wasm, cpu);
    });
  }

  it('all-negative windows route the gradient to their own maximum', async () => {
    const x = { values: Float32Array.from({ length: 16 }, (_, i) => -1 - i), shape: [1, 4, 4, 1] };
    const [dx] = await runOn('wasm', { x }, (t) =>
      tf.grad((v: tf.Tensor) => tf.sum(tf.maxPool(v as tf.Tensor4D, 2, 2, 'valid')))(t.x!),
    );
    // Window maxima are the top-left elements −1, −3, −9, −11 (flat indices 0, 2, 8, 10).
    expect(Array.from(dx!)).toEqual([1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0]);
    // The same four windows as 4 channels of the SIMD path, each channel a shifted copy.
    const x4 = {
      values: Float32Array.from({ length: 64 }, (_, i) => -1 - (i >> 2) - (i & 3) / 8),
      shape: [1, 4, 4, 4],
    };
    const [dx4] = await runOn('wasm', { x: x4 }, (t) =>
      tf.grad((v: tf.Tensor) => tf.sum(tf.maxPool(v as tf.Tensor4D, 2, 2, 'valid')))(t.x!),
    );
    expect(Array.from(dx4!).filter((_, i) => (i & 3) === 2)).toEqual([
      1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0,
    ]);
  });
});

describe('Sum and Mean over axes on wasm match cpu', () => {
  const cases: [string, number | number[], boolean][] = [
    ['NHWC bias gradient axes [0, 1, 2]', [0, 1, 2], false],
    ['axes [0, 1, 2], keepDims', [0, 1, 2], true],
    ['unsorted axes [2, 0, 1]', [2, 0, 1], false],
    ['axis 0', 0, false],
    ['global average pooling axes [1, 2]', [1, 2], false],
    ['middle axis 1, keepDims', 1, true],
    ['non-contiguous axes [1, 3] (stock kernel)', [1, 3], true],
    ['last axis (stock kernel)', -1, false],
    ['all axes (stock kernel)', [0, 1, 2, 3], false],
  ];
  for (const [name, axis, keepDims] of cases) {
    it(name, async () => {
      const inputs = randomArrays({ x: [3, 5, 4, 7] }, 12);
      const [cpu, wasm] = await onBothBackends(inputs, (t) => {
        const s = tf.sum(t.x!, axis, keepDims);
        const m = tf.mean(t.x!, axis, keepDims);
        return [s, m, tf.tensor1d(s.shape), tf.tensor1d(m.shape)];
      });
      assertAllClose(wasm, cpu, 1e-4, ['sum', 'mean', 'sum shape', 'mean shape']);
    });
  }

  it('int32 sums are left to the stock kernel', async () => {
    const [cpu, wasm] = await onBothBackends({}, () =>
      tf.cast(tf.sum(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32'), 0), 'float32'),
    );
    assertAllClose(wasm, cpu);
    expect(Array.from(wasm[0]!)).toEqual([9, 12]);
  });
});

describe('Identity and same-dtype Cast share the buffer', () => {
  it('a clone survives its source and frees nothing early', async () => {
    await tf.setBackend('wasm');
    const before = wasmDataIds();
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.clone(a);
    const c = tf.cast(a, 'float32');
    expect(wasmDataIds()).toBe(before + 1);
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3]);
    b.dispose();
    expect(Array.from(c.dataSync())).toEqual([1, 2, 3]);
    c.dispose();
    expect(wasmDataIds()).toBe(before);
  });

  it('dtype-changing casts still convert', async () => {
    const [cpu, wasm] = await onBothBackends({}, () => [
      tf.cast(tf.cast(tf.tensor1d([1.7, -2.2, 0]), 'int32'), 'float32'),
      tf.cast(tf.cast(tf.tensor1d([0, 3, -1]), 'bool'), 'float32'),
    ]);
    assertAllClose(wasm, cpu);
  });
});

describe('Tile on wasm matches cpu', () => {
  const cases: [string, number[], number[]][] = [
    ['BatchNorm gradient pattern [1,1,1,C] → [N,H,W,C]', [1, 1, 1, 5], [3, 4, 6, 1]],
    ['every axis repeated', [2, 3, 2], [2, 3, 4]],
    ['rank 1', [7], [3]],
    ['reps of one (a copy)', [2, 3], [1, 1]],
    ['inner axis only', [4, 3], [1, 5]],
  ];
  for (const [name, shape, reps] of cases) {
    it(name, async () => {
      const [cpu, wasm] = await onBothBackends(randomArrays({ x: shape }, 21), (t) => tf.tile(t.x!, reps));
      assertAllClose(wasm, cpu);
    });
  }
  it('int32 and bool', async () => {
    const [cpu, wasm] = await onBothBackends({}, () => [
      tf.cast(tf.tile(tf.tensor2d([1, -2, 3, 4], [2, 2], 'int32'), [3, 2]), 'float32'),
      tf.cast(tf.tile(tf.tensor2d([1, 0, 0, 1, 1, 0], [3, 2], 'bool'), [2, 3]), 'float32'),
    ]);
    assertAllClose(wasm, cpu);
  });
});

describe('BatchNorm (FusedBatchNorm) on wasm matches cpu', () => {
  it('forward and gradients with rank-1 statistics (the lab layers; the gradient tiles)', async () => {
    const inputs = randomArrays(
      { x: [2, 3, 4, 6], r: [2, 3, 4, 6], mean: [6], variance: [6], offset: [6], scale: [6] },
      17,
    );
    const [cpu, wasm] = await onBothBackends(inputs, (t) => {
      const variance = tf.add(tf.abs(t.variance!), 0.5);
      const f = (x: tf.Tensor, mean: tf.Tensor, v: tf.Tensor, offset: tf.Tensor, scale: tf.Tensor) =>
        tf.sum(tf.mul(tf.batchNorm(x, mean, v, offset, scale, 1e-3), t.r!));
      const grads = tf.grads(f)([t.x!, t.mean!, variance, t.offset!, t.scale!]);
      return [tf.batchNorm(t.x!, t.mean!, variance, t.offset, t.scale, 1e-3), ...grads];
    });
    assertAllClose(wasm, cpu, 1e-4, ['y', 'dx', 'dmean', 'dvariance', 'doffset', 'dscale']);
  });

  // tfjs-core's BatchNorm gradient only supports rank-1 statistics, so these compare the forward op.
  const layouts: [string, Record<string, number[]>][] = [
    [
      'rank-4 per-channel statistics',
      { mean: [1, 1, 1, 6], variance: [1, 1, 1, 6], offset: [1, 1, 1, 6], scale: [1, 1, 1, 6] },
    ],
    [
      'per-element statistics (stock kernel)',
      { mean: [2, 3, 4, 6], variance: [2, 3, 4, 6], offset: [2, 3, 4, 6], scale: [2, 3, 4, 6] },
    ],
  ];
  for (const [name, shapes] of layouts) {
    it(`forward with ${name}`, async () => {
      const inputs = randomArrays({ x: [2, 3, 4, 6], ...shapes }, 18);
      const [cpu, wasm] = await onBothBackends(inputs, (t) =>
        tf.batchNorm(t.x!, t.mean!, tf.add(tf.abs(t.variance!), 0.5), t.offset, t.scale, 1e-3),
      );
      assertAllClose(wasm, cpu);
    });
  }

  it('without offset and scale', async () => {
    const inputs = randomArrays({ x: [4, 5], mean: [5], variance: [5] }, 19);
    const [cpu, wasm] = await onBothBackends(inputs, (t) =>
      tf.batchNorm(t.x!, t.mean!, tf.add(tf.abs(t.variance!), 0.1), undefined, undefined, 1e-5),
    );
    assertAllClose(wasm, cpu);
  });
});

describe('other ops on the models’ training path (stock kernels, checked for completeness)', () => {
  it('avgPool, global mean, BatchNorm training path and log-softmax gradients', async () => {
    const inputs = randomArrays({ x: [2, 6, 6, 4], g: [4], b: [4], r: [2, 4] }, 14);
    const [cpu, wasm] = await onBothBackends(inputs, (t) =>
      tf.grads((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        const bn = tf.relu(tf.batchNorm(x, mean, variance, b, g, 1e-5));
        const pooled = tf.avgPool(bn as tf.Tensor4D, 2, 2, 'valid');
        const gap = tf.mean(pooled, [1, 2]);
        return tf.sum(tf.mul(tf.logSoftmax(gap), t.r!));
      })([t.x!, t.g!, t.b!]),
    );
    assertAllClose(wasm, cpu, 1e-4, ['dx', 'dgamma', 'dbeta']);
  });
});
