import { Conv2DBackpropFilter } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { directConvFits, directFilterGrad } from './conv-direct.js';
import { assertNhwc, convGeometry, rowsPerGemmChunk } from './conv-geometry.js';
import { im2colTransposed } from './im2col.js';
import { transpose2d } from './layout.js';
import { runStock } from './stock-kernels.js';
import { allocF32, asWasm, assertFloat32, attrsAs, f32, input, release } from './wasm-backend.js';

/**
 * dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·sh + kh − pt, ow·sw + kw − pl, ci] · dy[n,oh,ow,co],
 * i.e. dW = colᵀ · dy over the patch matrix col [N·outH·outW, kH·kW·inC]. The sum over output pixels
 * is split into chunks; each chunk builds its slice of colᵀ in JS and runs one plain (XNNPACK)
 * product [kH·kW·inC, chunk] · [chunk, outC], accumulated into dW, which is already in filter layout.
 */
const conv2DBackpropFilter: KernelFunc = ({ inputs, backend: untyped, attrs }) => {
  const backend = asWasm(untyped);
  const x = input(inputs, 'x', Conv2DBackpropFilter);
  const dy = input(inputs, 'dy', Conv2DBackpropFilter);
  assertFloat32(Conv2DBackpropFilter, x, dy);
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
    attrsAs<Conv2DBackpropFilterAttrs>(attrs);
  assertNhwc(Conv2DBackpropFilter, dataFormat);
  const g = convGeometry(x.shape, filterShape, dy.shape, strides, pad, dimRoundingMode);
  if (g.batch * g.outH * g.outW > 0 && directConvFits(g, true)) return directFilterGrad(backend, x, dy, g);
  const patch = g.kH * g.kW * g.inC;
  const outRows = g.batch * g.outH;

  const dw = allocF32(backend, [g.kH, g.kW, g.inC, g.outC]);
  f32(backend, dw).fill(0);
  if (outRows * g.outW === 0 || patch * g.outC === 0) return dw;

  // Channel-major x, so each colᵀ row is filled from one contiguous plane.
  let planes: TensorInfo = x;
  if (g.inC > 1) {
    planes = allocF32(backend, [g.inC, g.batch, g.inH, g.inW]);
    transpose2d(f32(backend, x), g.batch * g.inH * g.inW, g.inC, f32(backend, planes));
  }

  const rowsPerChunk = rowsPerGemmChunk(g);
  let colT: TensorInfo | undefined;
  for (let row0 = 0; row0 < outRows; row0 += rowsPerChunk) {
    const rows = Math.min(rowsPerChunk, outRows - row0);
    const pixels = rows * g.outW;
    if (colT === undefined || colT.shape[2] !== pixels) {
      if (colT !== undefined) release(backend, colT);
      colT = allocF32(backend, [1, patch, pixels]);
    }
    // A fresh tensor per chunk: the stock matmul caches its packed weights by tensor id.
    const dyChunk = allocF32(backend, [1, pixels, g.outC]);
    const start = row0 * g.outW * g.outC;
    f32(backend, dyChunk).set(f32(backend, dy).subarray(start, start + pixels * g.outC));
    im2colTransposed(f32(backend, planes), g, row0, rows, f32(backend, colT));

    const part = runStock(
      'BatchMatMul',
      backend,
      { a: colT, b: dyChunk },
      { transposeA: false, transposeB: false },
    );
    const acc = f32(backend, dw);
    const p = f32(backend, part);
    for (let i = 0; i < acc.length; i++) acc[i] = acc[i]! + p[i]!;
    release(backend, part, dyChunk);
  }
  if (colT !== undefined) release(backend, colT);
  if (planes !== x) release(backend, planes);
  return dw;
};

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter,
};
