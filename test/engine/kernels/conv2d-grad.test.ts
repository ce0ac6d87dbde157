import { describe, expect, it } from 'vitest';
import { assertAllClose, assertClose, onBothBackends, randomArrays, runOn, tf } from './helpers.js';

type Pad =
  'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

interface ConvCase {
  name: string;
  x: [number, number, number, number];
  k: [number, number];
  outC: number;
  stride: number | [number, number];
  pad: Pad;
}

const explicit = (t: number, b: number, l: number, r: number): Pad => [
  [0, 0],
  [t, b],
  [l, r],
  [0, 0],
];

// Covers both backprop-input paths (rotated conv at stride 1, GEMM + col2im otherwise) and both
// operand orders of the filter-gradient GEMM (patch ≥ outC and patch < outC).
const CASES: ConvCase[] = [
  { name: '3×3 s1 same', x: [2, 7, 7, 3], k: [3, 3], outC: 4, stride: 1, pad: 'same' },
  { name: '3×3 s1 valid', x: [2, 8, 6, 3], k: [3, 3], outC: 5, stride: 1, pad: 'valid' },
  {
    name: '3×3 s1 pad 1 (explicit, as the lab layers)',
    x: [2, 6, 6, 4],
    k: [3, 3],
    outC: 6,
    stride: 1,
    pad: explicit(1, 1, 1, 1),
  },
  { name: '3×3 s1 numeric pad 2', x: [1, 5, 6, 2], k: [3, 3], outC: 3, stride: 1, pad: 2 },
  { name: '3×3 s1 pad 3 ≥ kernel (GEMM path)', x: [1, 4, 5, 2], k: [3, 3], outC: 3, stride: 1, pad: 3 },
  {
    name: '3×3 s1 asymmetric explicit pad',
    x: [2, 6, 7, 2],
    k: [3, 3],
    outC: 3,
    stride: 1,
    pad: explicit(0, 2, 2, 1),
  },
  { name: '3×3 s1 first layer (1 channel)', x: [3, 9, 9, 1], k: [3, 3], outC: 8, stride: 1, pad: 'same' },
  { name: '3×3 s2 same, even size', x: [2, 8, 8, 3], k: [3, 3], outC: 4, stride: 2, pad: 'same' },
  { name: '3×3 s2 same, odd size', x: [2, 7, 7, 3], k: [3, 3], outC: 4, stride: 2, pad: 'same' },
  {
    name: '3×3 s2 pad 1 (WRN / PreAct downsampling)',
    x: [2, 8, 8, 4],
    k: [3, 3],
    outC: 8,
    stride: 2,
    pad: explicit(1, 1, 1, 1),
  },
  { name: '3×3 s2 valid', x: [2, 9, 8, 2], k: [3, 3], outC: 3, stride: 2, pad: 'valid' },
  { name: '1×1 s1', x: [2, 5, 5, 6], k: [1, 1], outC: 4, stride: 1, pad: 'valid' },
  {
    name: '1×1 s2 shortcut, even size',
    x: [2, 8, 8, 4],
    k: [1, 1],
    outC: 8,
    stride: 2,
    pad: explicit(0, 0, 0, 0),
  },
  { name: '1×1 s2 shortcut, odd size', x: [2, 7, 7, 3], k: [1, 1], outC: 5, stride: 2, pad: 'valid' },
  { name: '5×5 s1 same', x: [1, 8, 8, 2], k: [5, 5], outC: 3, stride: 1, pad: 'same' },
  { name: '1×3 s1 same', x: [2, 5, 6, 3], k: [1, 3], outC: 2, stride: 1, pad: 'same' },
  { name: '3×3 strides [1, 2]', x: [2, 6, 9, 2], k: [3, 3], outC: 3, stride: [1, 2], pad: 'same' },
  // Filter-gradient chunks hold floor(2048 / outW) output rows; these split images across chunks.
  {
    name: '3×3 s1 same, chunks split images',
    x: [12, 28, 28, 2],
    k: [3, 3],
    outC: 4,
    stride: 1,
    pad: 'same',
  },
  { name: '3×3 s2 same, chunks split images', x: [6, 62, 62, 2], k: [3, 3], outC: 3, stride: 2, pad: 'same' },
  // The lab's direct SIMD kernels (channels in multiples of 4, at most 64): full and partial blocks of
  // 4 pixels × 8 channels, the 4-channel remainder, strides, 'valid', and filter-gradient row chunks.
  {
    name: 'direct: 3×3 s1 pad 1, 16 → 16 (WRN stage 1)',
    x: [3, 9, 10, 16],
    k: [3, 3],
    outC: 16,
    stride: 1,
    pad: explicit(1, 1, 1, 1),
  },
  {
    name: 'direct: 3×3 s2 pad 1, 16 → 32 (WRN downsampling)',
    x: [2, 9, 9, 16],
    k: [3, 3],
    outC: 32,
    stride: 2,
    pad: explicit(1, 1, 1, 1),
  },
  {
    name: 'direct: 1×1 s2 shortcut, 16 → 32',
    x: [2, 8, 8, 16],
    k: [1, 1],
    outC: 32,
    stride: 2,
    pad: 'valid',
  },
  { name: 'direct: outC ≡ 4 mod 8 (8 → 12)', x: [2, 6, 7, 8], k: [3, 3], outC: 12, stride: 1, pad: 'same' },
  {
    name: 'direct: stem 3 → 16 (the 3×3 narrow filter-gradient kernel)',
    x: [2, 8, 8, 3],
    k: [3, 3],
    outC: 16,
    stride: 1,
    pad: 'same',
  },
  { name: 'direct: 5×5 same, 4 → 8', x: [2, 7, 6, 4], k: [5, 5], outC: 8, stride: 1, pad: 'same' },
  { name: 'direct: 3×3 valid, 4 → 4', x: [2, 8, 7, 4], k: [3, 3], outC: 4, stride: 1, pad: 'valid' },
  {
    name: 'direct: filter-gradient chunks split images',
    x: [16, 16, 16, 8],
    k: [3, 3],
    outC: 8,
    stride: 1,
    pad: 'same',
  },
];

function conv(c: ConvCase, x: tf.Tensor, w: tf.Tensor): tf.Tensor4D {
  return tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad);
}

describe('Conv2D gradients on wasm match cpu', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const [kh, kw] = c.k;
      const outShape = await onBothBackends(randomArrays({ x: c.x, w: [kh, kw, c.x[3], c.outC] }, 1), (t) =>
        tf.tensor1d(conv(c, t.x!, t.w!).shape),
      );
      const yShape = Array.from(outShape[0][0]!);
      expect(Array.from(outShape[1][0]!)).toEqual(yShape);
      const inputs = randomArrays({ x: c.x, w: [kh, kw, c.x[3], c.outC], r: yShape }, 7);
      const [cpu, wasm] = await onBothBackends(inputs, (t) => {
        const loss = (x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(conv(c, x, w), t.r!));
        const [dx, dw] = tf.grads(loss)([t.x!, t.w!]);
        return [conv(c, t.x!, t.w!), dx!, dw!];
      });
      assertAllClose(wasm, cpu, 1e-4, ['y', 'dx', 'dw']);
    });
  }
});

// tfjs-core's Conv2D gradient does not pass dimRoundingMode on, so with 'ceil' the cpu kernels reached
// through tf.grad drop dy's last row and column. Our kernels index by dy's real shape; they are
// compared with cpu's kernels called directly with the rounding mode, and the tf.grad result on wasm
// is checked to be the exact adjoint of the (cpu) forward op. (The stock wasm forward Conv2D is itself
// wrong here: XNNPACK fills fewer rows than tfjs allots.)
describe('stride 2, pad 1, ceil rounding (5×5 output from 8×8)', () => {
  const round = { strides: 2, pad: 1, dataFormat: 'NHWC', dimRoundingMode: 'ceil' };
  const inputs = randomArrays({ x: [1, 8, 8, 2], w: [3, 3, 2, 3], dy: [1, 5, 5, 3] }, 2);

  it('kernels match cpu', async () => {
    const [cpu, wasm] = await onBothBackends(inputs, (t) => [
      tf.engine().runKernel<tf.Tensor>(
        'Conv2DBackpropInput',
        { dy: t.dy!, filter: t.w! },
        {
          ...round,
          inputShape: [1, 8, 8, 2],
        },
      ),
      tf.engine().runKernel<tf.Tensor>(
        'Conv2DBackpropFilter',
        { x: t.x!, dy: t.dy! },
        {
          ...round,
          filterShape: [3, 3, 2, 3],
        },
      ),
    ]);
    assertAllClose(wasm, cpu, 1e-4, ['dx', 'dw']);
  });

  it('tf.grad on wasm is the adjoint of the forward convolution', async () => {
    const forward = (x: tf.Tensor, w: tf.Tensor) =>
      tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 1, 'NHWC', 1, 'ceil');
    const [dx, dw] = await runOn('wasm', inputs, (t) =>
      tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(forward(x, w), t.dy!)))([t.x!, t.w!]),
    );
    const grads = { dx: { values: dx!, shape: [1, 8, 8, 2] }, dw: { values: dw!, shape: [3, 3, 2, 3] } };
    const [lhsX, lhsW, rhs] = await runOn('cpu', { ...inputs, ...grads }, (t) => [
      tf.sum(tf.mul(t.x!, t.dx!)),
      tf.sum(tf.mul(t.w!, t.dw!)),
      tf.sum(tf.mul(forward(t.x!, t.w!), t.dy!)),
    ]);
    // conv is bilinear: ⟨x, ∂L/∂x⟩ = ⟨w, ∂L/∂w⟩ = L.
    expect(lhsX![0]).toBeCloseTo(rhs![0]!, 4);
    expect(lhsW![0]).toBeCloseTo(rhs![0]!, 4);
  });
});

describe('Conv2DBackpropInput as a forward op (conv2dTranspose)', () => {
  const cases: [string, number[], number[], number, 'same' | 'valid'][] = [
    ['s1 same', [2, 6, 6, 5], [3, 3, 4, 5], 1, 'same'],
    ['s2 same', [2, 4, 4, 5], [3, 3, 3, 5], 2, 'same'],
    ['s2 valid', [1, 3, 4, 2], [3, 3, 3, 2], 2, 'valid'],
  ];
  for (const [name, dyShape, wShape, stride, pad] of cases) {
    it(name, async () => {
      const [n, h, w] = dyShape as [number, number, number, number];
      const outH = pad === 'same' ? h * stride : (h - 1) * stride + 3;
      const outW = pad === 'same' ? w * stride : (w - 1) * stride + 3;
      const inputs = randomArrays({ dy: dyShape, w: wShape }, 3);
      const [cpu, wasm] = await onBothBackends(inputs, (t) =>
        tf.conv2dTranspose(t.dy as tf.Tensor4D, t.w as tf.Tensor4D, [n, outH, outW, wShape[2]!], stride, pad),
      );
      assertAllClose(wasm, cpu);
    });
  }
});

describe('activation-sized filter gradient (several GEMM chunks)', () => {
  it('reference-CNN conv2 shape at batch 8', async () => {
    const inputs = randomArrays({ x: [8, 14, 14, 32], dy: [8, 14, 14, 64] }, 5);
    const attrs = { strides: 1, pad: explicit(1, 1, 1, 1), dataFormat: 'NHWC', filterShape: [3, 3, 32, 64] };
    const [cpu, wasm] = await onBothBackends(inputs, (t) =>
      tf.engine().runKernel<tf.Tensor>('Conv2DBackpropFilter', { x: t.x!, dy: t.dy! }, attrs),
    );
    assertClose(wasm[0]!, cpu[0]!, 1e-4, 'dw');
  });
});

describe('the comparison can fail', () => {
  it('rejects a filter gradient off by one part in 10⁴ of its scale', async () => {
    const inputs = randomArrays({ x: [2, 6, 6, 3], w: [3, 3, 3, 4] }, 11);
    const [cpu, wasm] = await onBothBackends(inputs, (t) =>
      tf.grad((w: tf.Tensor) => tf.sum(conv(CASES[0]!, t.x!, w)))(t.w!),
    );
    assertClose(wasm[0]!, cpu[0]!);
    const wrong = Float32Array.from(wasm[0]!);
    wrong[5] = wrong[5]! + 3e-4 * Math.max(...cpu[0]!.map(Math.abs));
    expect(() => assertClose(wrong, cpu[0]!)).toThrow(/\[5\]/);
  });
});
