import { backend_util, Mean, Sum, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, SumAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { runStock } from './stock-kernels.js';
import { allocF32, asWasm, attrsAs, f32, input } from './wasm-backend.js';
import type { BackendWasm } from './wasm-backend.js';

/** Float64 accumulators, kept between calls (one per output column). */
let scratch = new Float64Array(0);

/**
 * Sum and Mean over a contiguous run of axes that does not include the last one: bias and BatchNorm
 * gradients (Σ over N, H, W of NHWC), tf.moments' batch statistics, global average pooling (mean over
 * H, W). The stock kernels transpose the whole input first to make those axes innermost (measured
 * ~25x slower than an elementwise op of the same size); column sums over each [rows, cols] block need
 * no copy. Float64 accumulation, like the cpu backend. Everything else goes to the stock kernel.
 */
function reduceKernel(kernelName: typeof Sum | typeof Mean): KernelFunc {
  return ({ inputs, backend: untyped, attrs }) => {
    const backend = asWasm(untyped);
    const x = input(inputs, 'x', kernelName);
    const { axis, keepDims } = attrsAs<SumAttrs>(attrs);
    const axes = [...util.parseAxisParam(axis, x.shape)].sort((a, b) => a - b);
    const first = axes[0] ?? 0;
    const last = axes[axes.length - 1] ?? -1;
    const contiguous = axes.every((a, i) => a === first + i);
    const empty = util.sizeFromShape(x.shape) === 0;
    if (axes.length === 0 || !contiguous || last === x.shape.length - 1 || empty || x.dtype !== 'float32') {
      return runStock(kernelName, backend, inputs, { axis, keepDims });
    }
    const outer = util.sizeFromShape(x.shape.slice(0, first));
    const rows = util.sizeFromShape(x.shape.slice(first, last + 1));
    const cols = util.sizeFromShape(x.shape.slice(last + 1));
    const kept = x.shape.filter((_, i) => i < first || i > last);
    const out = allocF32(backend, keepDims ? backend_util.expandShapeToKeepDim(kept, axes) : kept);
    columnSums(backend, x, out, outer, rows, cols, kernelName === Mean && rows > 0 ? 1 / rows : 1);
    return out;
  };
}

function columnSums(
  backend: BackendWasm,
  x: TensorInfo,
  out: TensorInfo,
  outer: number,
  rows: number,
  cols: number,
  scale: number,
): void {
  if (scratch.length < cols) scratch = new Float64Array(cols);
  const acc = scratch;
  const xv = f32(backend, x);
  const ov = f32(backend, out);
  for (let o = 0; o < outer; o++) {
    acc.fill(0, 0, cols);
    let r = 0;
    let base = o * rows * cols;
    // Four rows per pass: a quarter of the accumulator traffic (measured 2-5x faster than one row).
    for (const step = 4 * cols; r + 4 <= rows; r += 4, base += step) {
      for (let c = 0, i = base; c < cols; c++, i++) {
        acc[c] = acc[c]! + (xv[i]! + xv[i + cols]! + (xv[i + 2 * cols]! + xv[i + 3 * cols]!));
      }
    }
    for (; r < rows; r++, base += cols) {
      for (let c = 0; c < cols; c++) acc[c] = acc[c]! + xv[base + c]!;
    }
    for (let c = 0, d = o * cols; c < cols; c++, d++) ov[d] = acc[c]! * scale;
  }
}

export const sumConfig: KernelConfig = {
  kernelName: Sum,
  backendName: 'wasm',
  kernelFunc: reduceKernel(Sum),
};
export const meanConfig: KernelConfig = {
  kernelName: Mean,
  backendName: 'wasm',
  kernelFunc: reduceKernel(Mean),
};
