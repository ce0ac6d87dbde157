import { Conv2DBackpropInput } from '@tensorflow/tfjs-core';
import type {
  Conv2DAttrs,
  Conv2DBackpropInputAttrs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { col2im } from './col2im.js';
import { directConv, directConvFits } from './conv-direct.js';
import { assertNhwc, convGeometry, rowsPerGemmChunk } from './conv-geometry.js';
import type { ConvGeometry } from './conv-geometry.js';
import { transpose2d } from './layout.js';
import { runStock } from './stock-kernels.js';
import { allocF32, asWasm, assertFloat32, attrsAs, f32, input, release } from './wasm-backend.js';
import type { BackendWasm } from './wasm-backend.js';

/**
 * dx of a convolution. The stock kernel is a scalar loop (~3.7 GFLOP/s here); both paths below run
 * their arithmetic in XNNPACK (~35 GFLOP/s):
 * - stride 1: dx is the forward convolution of dy with the filter rotated 180° and its channel axes
 *   swapped, padded by kernel − 1 − pad, so the stock Conv2D computes it directly;
 * - otherwise: cols = dy · Wᵀ as one non-transposed GEMM, then col2im in JS.
 */
const conv2DBackpropInput: KernelFunc = ({ inputs, backend: untyped, attrs }) => {
  const backend = asWasm(untyped);
  const dy = input(inputs, 'dy', Conv2DBackpropInput);
  const filter = input(inputs, 'filter', Conv2DBackpropInput);
  assertFloat32(Conv2DBackpropInput, dy, filter);
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrsAs<Conv2DBackpropInputAttrs>(attrs);
  assertNhwc(Conv2DBackpropInput, dataFormat);
  const g = convGeometry(inputShape, filter.shape, dy.shape, strides, pad, dimRoundingMode);
  if (g.batch * g.inH * g.inW * g.inC === 0) return allocF32(backend, [g.batch, g.inH, g.inW, g.inC]);
  const flipped = flippedPadding(g);
  return flipped === null ? viaGemm(backend, dy, filter, g) : viaRotatedConv(backend, dy, filter, g, flipped);
};

type Pads = [top: number, bottom: number, left: number, right: number];

/** Padding of the equivalent forward conv, or null when it does not exist (stride > 1, pad ≥ kernel). */
function flippedPadding(g: ConvGeometry): Pads | null {
  if (g.strideH !== 1 || g.strideW !== 1) return null;
  const pads: Pads = [
    g.kH - 1 - g.padTop,
    g.inH + g.padTop - g.outH,
    g.kW - 1 - g.padLeft,
    g.inW + g.padLeft - g.outW,
  ];
  return pads.every((p) => p >= 0) ? pads : null;
}

function viaRotatedConv(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  g: ConvGeometry,
  [top, bottom, left, right]: Pads,
): TensorInfo {
  const rotated = allocF32(backend, [g.kH, g.kW, g.outC, g.inC]);
  const w = f32(backend, filter);
  const r = f32(backend, rotated);
  const taps = g.kH * g.kW;
  for (let t = 0; t < taps; t++) {
    const s = (taps - 1 - t) * g.inC * g.outC;
    transpose2d(w.subarray(s, s + g.inC * g.outC), g.inC, g.outC, r.subarray(t * g.outC * g.inC));
  }
  const convAttrs: Conv2DAttrs = {
    strides: [1, 1],
    dilations: [1, 1],
    pad: [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ],
    dataFormat: 'NHWC',
  };
  // The same convolution seen from dy: dy is its input, the rotated filter maps outC → inC.
  const flipped: ConvGeometry = {
    batch: g.batch,
    inH: g.outH,
    inW: g.outW,
    inC: g.outC,
    outH: g.inH,
    outW: g.inW,
    outC: g.inC,
    kH: g.kH,
    kW: g.kW,
    strideH: 1,
    strideW: 1,
    padTop: top,
    padLeft: left,
  };
  const dx = directConvFits(flipped, false)
    ? directConv(backend, dy, rotated, flipped)
    : runStock('Conv2D', backend, { x: dy, filter: rotated }, { ...convAttrs });
  release(backend, rotated);
  return dx;
}

function viaGemm(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo {
  const patch = g.kH * g.kW * g.inC;
  const dx = allocF32(backend, [g.batch, g.inH, g.inW, g.inC]);
  f32(backend, dx).fill(0);
  const filterT = allocF32(backend, [1, g.outC, patch]);
  transpose2d(f32(backend, filter), patch, g.outC, f32(backend, filterT));
  const outRows = g.batch * g.outH;
  const rowsPerChunk = rowsPerGemmChunk(g);
  // One dy slice buffer for all chunks: the matmul caches only its right operand (filterT, shared by
  // every chunk), so reusing the left one is safe.
  let dySlice: TensorInfo | undefined;
  for (let row0 = 0; row0 < outRows; row0 += rowsPerChunk) {
    const rows = Math.min(rowsPerChunk, outRows - row0);
    const pixels = rows * g.outW;
    if (dySlice === undefined || dySlice.shape[1] !== pixels) {
      if (dySlice !== undefined) release(backend, dySlice);
      dySlice = allocF32(backend, [1, pixels, g.outC]);
    }
    const start = row0 * g.outW * g.outC;
    f32(backend, dySlice).set(f32(backend, dy).subarray(start, start + pixels * g.outC));
    // Stock BatchMatMul: with no transposes it goes straight to XNNPACK.
    const cols = runStock(
      'BatchMatMul',
      backend,
      { a: dySlice, b: filterT },
      { transposeA: false, transposeB: false },
    );
    col2im(f32(backend, cols), g, row0, rows, f32(backend, dx));
    release(backend, cols);
  }
  release(backend, filterT);
  if (dySlice !== undefined) release(backend, dySlice);
  return dx;
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput,
};
