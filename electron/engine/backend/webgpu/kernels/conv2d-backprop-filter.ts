import {
  Conv2DBackpropFilter,
  backend_util,
  type Conv2DBackpropFilterAttrs,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { im2col, maxColsFloats } from './im2col.js';
import { runStock } from './stock.js';

// Upstream computes dW with one thread per filter weight, each looping serially over the whole
// batch and image: 3×3×32×64 = 18,432 threads of 12,544 steps for the reference CNN's second layer
// at batch 64 (3.3 s on lavapipe, 6× its forward convolution), and a WRN's 16-channel first stage
// gives only 2,304 threads of 131,072 steps at batch 128, far too few to fill a GPU. Here dW is one
// matrix product instead, through TF.js's tiled BatchMatMul:
//   cols[r, (kh·KW + kw)·CI + ci] = x[n, oy·s + kh − p, ox·s + kw − p, ci]   (0 outside),
//   r = (n·OH + oy)·OW + ox,   dW = colsᵀ · dy[r, co],
// over chunks of the batch whose columns stay within the im2col budget (summed).

const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as Conv2DBackpropFilterAttrs;
  if (a.dataFormat === 'NCHW' || x.dtype !== 'float32') {
    return runStock(Conv2DBackpropFilter, backend, inputs, attrs);
  }
  const b = backend as KernelBackend;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    a.filterShape,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  const area = info.outHeight * info.outWidth;
  const k = info.filterHeight * info.filterWidth * info.inChannels;
  const perChunk = Math.max(1, Math.min(info.batchSize, Math.floor(maxColsFloats() / Math.max(1, area * k))));
  let sum: TensorInfo | undefined;
  for (let n0 = 0; n0 < info.batchSize; n0 += perChunk) {
    const n = Math.min(perChunk, info.batchSize - n0);
    const cols = im2col(backend, x, info, n0, n * area);
    const cols3 = runStock('Reshape', backend, { x: cols }, { shape: [1, n * area, k] });
    const dyChunk = runStock('Slice', backend, { x: dy }, { begin: [n0, 0, 0, 0], size: [n, -1, -1, -1] });
    const dy3 = runStock('Reshape', backend, { x: dyChunk }, { shape: [1, n * area, info.outChannels] });
    const part = runStock(
      'BatchMatMul',
      backend,
      { a: cols3, b: dy3 },
      { transposeA: true, transposeB: false },
    );
    for (const t of [cols, cols3, dyChunk, dy3]) b.disposeData(t.dataId);
    if (sum) {
      const next = runStock('Add', backend, { a: sum, b: part }, {});
      b.disposeData(sum.dataId);
      b.disposeData(part.dataId);
      sum = next;
    } else sum = part;
  }
  if (!sum) throw new Error('Conv2DBackpropFilter: empty batch');
  const out = runStock('Reshape', backend, { x: sum }, { shape: a.filterShape });
  b.disposeData(sum.dataId);
  return out;
};

/** dW of a 2-D convolution (NHWC, float32) as chunked im2col × dy matrix products. */
export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'webgpu',
  kernelFunc: conv2DBackpropFilter,
};
