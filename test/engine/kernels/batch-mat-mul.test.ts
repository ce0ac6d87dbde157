import { describe, expect, it } from 'vitest';
import { gram, normalizedGram } from '../../../electron/engine/kernels/index.js';
import { assertAllClose, onBothBackends, randomArrays, tf } from './helpers.js';

// [m, k, n]: the override picks "transpose the flagged operand" or "compute Cᵀ" by element counts, so
// the shapes below exercise both for each flag combination.
const SHAPES: [number, number, number][] = [
  [5, 7, 3],
  [64, 40, 9],
  [3, 50, 70],
  [33, 17, 65],
  // Long inner dimension: transposed products are summed over 512-wide slices (four full ones and a
  // remainder); with transposeB the first shape takes the swapped route and the second the direct one.
  [64, 2100, 70],
  [70, 2100, 64],
];

describe('BatchMatMul on wasm matches cpu', () => {
  for (const [m, k, n] of SHAPES) {
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      it(`${m}×${k}×${n} transposeA=${ta} transposeB=${tb}`, async () => {
        const inputs = randomArrays({ a: ta ? [k, m] : [m, k], b: tb ? [n, k] : [k, n] }, m + k + n);
        const [cpu, wasm] = await onBothBackends(inputs, (t) => tf.matMul(t.a!, t.b!, ta, tb));
        assertAllClose(wasm, cpu);
      });
    }
  }

  it('rank-3 operands with batch 1 keep their shape', async () => {
    const inputs = randomArrays({ a: [1, 6, 4], b: [1, 5, 4] }, 3);
    const [cpu, wasm] = await onBothBackends(inputs, (t) => {
      const c = tf.matMul(t.a!, t.b!, false, true);
      expect(c.shape).toEqual([1, 6, 5]);
      return c;
    });
    assertAllClose(wasm, cpu);
  });

  it('batched and broadcast products (left to the stock kernel)', async () => {
    const inputs = randomArrays({ a: [3, 4, 6], b: [3, 5, 6], c: [2, 3, 4], d: [4, 5] }, 4);
    const [cpu, wasm] = await onBothBackends(inputs, (t) => [
      tf.matMul(t.a!, t.b!, false, true),
      tf.matMul(t.c!, t.d!),
    ]);
    assertAllClose(wasm, cpu);
  });

  it('dense-layer gradients (both transposed products)', async () => {
    const inputs = randomArrays({ x: [16, 300], w: [300, 24], r: [16, 24] }, 5);
    const [cpu, wasm] = await onBothBackends(inputs, (t) =>
      tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, w), t.r!)))([t.x!, t.w!]),
    );
    assertAllClose(wasm, cpu, 1e-4, ['dx', 'dw']);
  });
});

describe('LGG Gram helpers', () => {
  it('gram(x) and normalizedGram(x) match cpu and matMul(x̂, x̂, false, true)', async () => {
    const inputs = randomArrays({ x: [24, 130] }, 6);
    const [cpu, wasm] = await onBothBackends(inputs, (t) => {
      const x = t.x as tf.Tensor2D;
      const xn = tf.div(x, tf.sqrt(tf.maximum(tf.sum(tf.square(x), 1, true), 1e-24)));
      return [gram(x), normalizedGram(x), tf.matMul(xn, xn, false, true)];
    });
    assertAllClose(wasm, cpu, 1e-4, ['gram', 'normalizedGram', 'matMul transposeB']);
    assertAllClose([wasm[1]!], [wasm[2]!]);
  });

  it('long rows (inner-dimension slices) and the gradient of the Gram', async () => {
    const inputs = randomArrays({ x: [72, 2500], r: [72, 72] }, 9);
    const [cpu, wasm] = await onBothBackends(inputs, (t) => {
      const x = t.x as tf.Tensor2D;
      return [
        gram(x),
        tf.matMul(x, x, false, true),
        tf.grad((v: tf.Tensor) => tf.sum(tf.mul(gram(v as tf.Tensor2D), t.r!)))(x),
      ];
    });
    assertAllClose(wasm, cpu, 1e-4, ['gram', 'matMul transposeB', 'dx']);
  });

  it('gradient through the normalised Gram', async () => {
    const inputs = randomArrays({ x: [12, 40], r: [12, 12] }, 8);
    const [cpu, wasm] = await onBothBackends(inputs, (t) =>
      tf.grad((x: tf.Tensor) => tf.sum(tf.mul(normalizedGram(x as tf.Tensor2D), t.r!)))(t.x!),
    );
    assertAllClose(wasm, cpu);
  });
});
