import { afterEach, expect, it } from 'vitest';
import {
  runOn,
  worstMismatch,
  randomArrays,
  type Arrays,
  type Computation,
} from '../../../electron/engine/parity/index.js';
import { describeWebGpu, tf } from './helpers.js';

// The lab's webgpu kernels against the cpu backend, on the shapes and options the models use and
// on the edges of each (strides, padding, chunked batches, every reduction of integer tensors).
const RTOL = 1e-4;

async function expectSame(inputs: Arrays, make: () => Computation): Promise<void> {
  const cpu = await runOn('cpu', inputs, make);
  const gpu = await runOn('webgpu', inputs, make);
  const worst = worstMismatch(gpu, cpu);
  expect(worst.error, JSON.stringify(worst)).toBeLessThanOrEqual(RTOL);
}

describeWebGpu('the lab’s webgpu kernels', () => {
  const budget = tf.env().getNumber('LGG_WEBGPU_IM2COL_MAX_FLOATS');
  afterEach(() => tf.env().set('LGG_WEBGPU_IM2COL_MAX_FLOATS', budget));

  const CONVS: [string, number[], number[], number, 'same' | 'valid'][] = [
    ['3×3 same', [3, 9, 9, 5], [3, 3, 5, 4], 1, 'same'],
    ['3×3 stride 2 same', [2, 9, 8, 3], [3, 3, 3, 6], 2, 'same'],
    ['1×1 stride 2 (a WRN shortcut)', [2, 8, 8, 4], [1, 1, 4, 8], 2, 'valid'],
    ['5×5 valid, 1 channel', [3, 10, 10, 1], [5, 5, 1, 2], 1, 'valid'],
  ];

  it.each(CONVS)('convolution %s: forward, input and filter gradients', async (_n, xs, ws, stride, pad) => {
    // A budget of one example's columns per chunk: the chunked path and its sum are exercised.
    const [, h, w, c] = xs as [number, number, number, number];
    tf.env().set('LGG_WEBGPU_IM2COL_MAX_FLOATS', h * w * (ws[0] ?? 1) * (ws[1] ?? 1) * c);
    await expectSame(randomArrays({ x: xs, w: ws }, 7), () => ({
      run: ({ x, w: f }) => {
        const loss = (xi: tf.Tensor, fi: tf.Tensor): tf.Scalar =>
          tf.sum(tf.square(tf.conv2d(xi as tf.Tensor4D, fi as tf.Tensor4D, stride, pad)));
        const [dx, dw] = tf.grads(loss)([x!, f!]);
        return [tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, stride, pad), dx!, dw!];
      },
    }));
  });

  it('int32 and bool: transpose of any rank and reductions over any axes', async () => {
    const inputs: Arrays = randomArrays({ f: [3, 4, 5, 2] }, 3);
    await expectSame(inputs, () => ({
      run: ({ f }) => {
        // Integer tensors computed on the device (not host copies), as in a kNN mask.
        const i = tf.cast(tf.mul(f!, 50), 'int32');
        const b = tf.greater(f!, 0);
        return [
          tf.transpose(i, [2, 0, 3, 1]),
          tf.transpose(b, [1, 0, 2, 3]),
          tf.sum(i, 1),
          tf.sum(i, [0, 2], true),
          tf.max(i, 2),
          tf.min(i, [1, 3]),
          tf.prod(tf.clipByValue(i, -2, 2), 0),
          tf.sum(b, 2),
        ].map((t) => tf.cast(t, 'float32'));
      },
    }));
  });
});
