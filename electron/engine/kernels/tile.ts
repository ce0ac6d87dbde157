import { Tile, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TileAttrs } from '@tensorflow/tfjs-core';
import { runStock } from './stock-kernels.js';
import { asWasm, attrsAs, input } from './wasm-backend.js';

/**
 * Tile by block copies. tfjs-core's BatchNorm gradient tiles 1/√(var + ε) from [1,1,1,C] to the full
 * activation, and the stock wasm kernel computes every output index separately (measured ~200x
 * slower than an elementwise op of the same size). Each axis copies its input slice once and then
 * doubles it in place with copyWithin, so the work is a handful of memmoves.
 */
const tile: KernelFunc = ({ inputs, backend: untyped, attrs }) => {
  const backend = asWasm(untyped);
  const x = input(inputs, 'x', Tile);
  const { reps } = attrsAs<TileAttrs>(attrs);
  const rank = x.shape.length;
  if (x.dtype === 'string' || x.dtype === 'complex64' || reps.length !== rank || rank === 0) {
    return runStock(Tile, backend, inputs, { reps });
  }
  const outShape = x.shape.map((d, i) => d * (reps[i] ?? 1));
  const out = backend.makeOutput(outShape, x.dtype);
  if (util.sizeFromShape(outShape) === 0) return out;

  // Work in bytes so one code path serves float32, int32 and bool.
  const srcTyped = backend.typedArrayFromHeap(x);
  const dstTyped = backend.typedArrayFromHeap(out);
  const width = srcTyped.BYTES_PER_ELEMENT;
  const src = new Uint8Array(srcTyped.buffer, srcTyped.byteOffset, srcTyped.byteLength);
  const dst = new Uint8Array(dstTyped.buffer, dstTyped.byteOffset, dstTyped.byteLength);
  const inStride = util
    .computeStrides(x.shape)
    .concat([1])
    .map((s) => s * width);
  const outStride = util
    .computeStrides(outShape)
    .concat([1])
    .map((s) => s * width);

  const fill = (dim: number, srcAt: number, dstAt: number): void => {
    const extent = x.shape[dim]!;
    if (dim === rank - 1) {
      dst.set(src.subarray(srcAt, srcAt + extent * width), dstAt);
    } else {
      for (let i = 0; i < extent; i++) fill(dim + 1, srcAt + i * inStride[dim]!, dstAt + i * outStride[dim]!);
    }
    const block = extent * outStride[dim]!;
    const total = block * (reps[dim] ?? 1);
    for (let done = block; done < total;) {
      const n = Math.min(done, total - done);
      dst.copyWithin(dstAt + done, dstAt, dstAt + n);
      done += n;
    }
  };
  fill(0, 0, 0);
  return out;
};

export const tileConfig: KernelConfig = { kernelName: Tile, backendName: 'wasm', kernelFunc: tile };
