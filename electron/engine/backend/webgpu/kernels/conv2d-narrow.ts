import {
  Conv2D,
  backend_util,
  type Conv2DAttrs,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { im2col, maxColsFloats } from './im2col.js';
import { runStock } from './stock.js';

// Upstream's tiled convolution reads 4 input channels at a time; with 1 to 3 (grey or RGB images:
// every network's first layer) it runs ~20× below its own speed on wider layers (the reference
// CNN's first convolution at batch 64: 360 ms for 14 M multiply-adds on lavapipe, the second 330 ms
// for 231 M). With so few channels the im2col matrix is small (K = KH·KW·CI ≤ 27 columns) and the
// convolution is one matrix product cols · W through TF.js's tiled BatchMatMul.
const NARROW = 3;

const conv2D: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as Conv2DAttrs;
  const dilated = Array.isArray(a.dilations) ? a.dilations.some((d) => d !== 1) : a.dilations !== 1;
  const channels = x.shape[3] ?? 0;
  if (a.dataFormat === 'NCHW' || x.dtype !== 'float32' || dilated || channels > NARROW) {
    return runStock(Conv2D, backend, inputs, attrs);
  }
  const b = backend as KernelBackend;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  const area = info.outHeight * info.outWidth;
  const k = info.filterHeight * info.filterWidth * info.inChannels;
  const w3 = runStock('Reshape', backend, { x: filter }, { shape: [1, k, info.outChannels] });
  const perChunk = Math.max(1, Math.min(info.batchSize, Math.floor(maxColsFloats() / Math.max(1, area * k))));
  const parts: TensorInfo[] = [];
  for (let n0 = 0; n0 < info.batchSize; n0 += perChunk) {
    const n = Math.min(perChunk, info.batchSize - n0);
    const cols = im2col(backend, x, info, n0, n * area);
    const cols3 = runStock('Reshape', backend, { x: cols }, { shape: [1, n * area, k] });
    const y = runStock('BatchMatMul', backend, { a: cols3, b: w3 }, { transposeA: false, transposeB: false });
    parts.push(
      runStock('Reshape', backend, { x: y }, { shape: [n, info.outHeight, info.outWidth, info.outChannels] }),
    );
    for (const t of [cols, cols3, y]) b.disposeData(t.dataId);
  }
  b.disposeData(w3.dataId);
  if (parts.length === 1) return parts[0]!;
  // Concat takes its inputs as an array (TF.js passes the tensor list itself).
  const out = runStock('Concat', backend, parts as unknown as NamedTensorInfoMap, { axis: 0 });
  for (const p of parts) b.disposeData(p.dataId);
  return out;
};

/** Convolutions of 1–3 input channels (NHWC, float32, no dilation) as im2col × W. */
export const conv2DNarrowConfig: KernelConfig = {
  kernelName: Conv2D,
  backendName: 'webgpu',
  kernelFunc: conv2D,
};
