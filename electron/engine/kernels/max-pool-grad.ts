import { backend_util, MaxPoolGrad } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, MaxPoolGradAttrs } from '@tensorflow/tfjs-core';
import { toShape4 } from './conv-geometry.js';
import { labWasm, labWasmAvailable } from './lab-wasm.js';
import { allocF32, asWasm, assertFloat32, attrsAs, f32, input } from './wasm-backend.js';

/**
 * Routes each dy to the first maximum of its window in raster order, exactly as the cpu backend does.
 * The stock wasm kernel seeds its running max with FLT_MIN (the smallest positive float, not the
 * lowest) and keeps the last tie: windows whose values are all ≤ 0 lose their gradient (it is
 * matched against element 0 of the whole tensor), and ties pick a different element than cpu.
 */
const maxPoolGrad: KernelFunc = ({ inputs, backend: untyped, attrs }) => {
  const backend = asWasm(untyped);
  const dy = input(inputs, 'dy', MaxPoolGrad);
  const x = input(inputs, 'input', MaxPoolGrad);
  assertFloat32(MaxPoolGrad, dy, x);
  const { filterSize, strides, pad, dimRoundingMode } = attrsAs<MaxPoolGradAttrs>(attrs);
  const info = backend_util.computePool2DInfo(
    toShape4(x.shape, 'MaxPoolGrad input'),
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels: c,
    outHeight,
    outWidth,
    strideHeight,
    strideWidth,
  } = info;
  const { filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;

  const dx = allocF32(backend, x.shape);
  const tiles = filterHeight === 2 && filterWidth === 2 && strideHeight === 2 && strideWidth === 2;
  const inside = top === 0 && left === 0 && 2 * outHeight <= inHeight && 2 * outWidth <= inWidth;
  if (tiles && inside && c % 4 === 0 && labWasmAvailable()) {
    // The same rule in the lab's SIMD module, four channels at a time.
    const ptr = (t: typeof x): number => backend.getMemoryOffset(t.dataId);
    labWasm(backend).maxPool2x2Grad(
      ptr(x),
      ptr(dy),
      batchSize,
      inHeight,
      inWidth,
      c,
      outHeight,
      outWidth,
      ptr(dx),
    );
    return dx;
  }
  const dxv = f32(backend, dx);
  const xv = f32(backend, x);
  const dyv = f32(backend, dy);
  dxv.fill(0);
  if (tiles && inside) {
    pool2x2Grad(xv, dyv, dxv, batchSize, inHeight, inWidth, c, outHeight, outWidth);
    return dx;
  }
  const best = new Float32Array(c);
  const where = new Int32Array(c);
  let dyOffset = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = Math.max(0, oh * strideHeight - top);
      const h1 = Math.min(inHeight, oh * strideHeight - top + filterHeight);
      for (let ow = 0; ow < outWidth; ow++, dyOffset += c) {
        const w0 = Math.max(0, ow * strideWidth - left);
        const w1 = Math.min(inWidth, ow * strideWidth - left + filterWidth);
        best.fill(-Infinity);
        where.fill(-1);
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) {
            const base = ((n * inHeight + h) * inWidth + w) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = xv[base + ch]!;
              if (v > best[ch]!) {
                best[ch] = v;
                where[ch] = base + ch;
              }
            }
          }
        }
        for (let ch = 0; ch < c; ch++) {
          const at = where[ch]!;
          if (at >= 0) dxv[at] = dxv[at]! + dyv[dyOffset + ch]!;
        }
      }
    }
  }
  return dx;
};

/** The common 2×2 / stride 2 / unpadded case: disjoint windows, all four taps inside the image. */
function pool2x2Grad(
  xv: Float32Array,
  dyv: Float32Array,
  dxv: Float32Array,
  batch: number,
  inH: number,
  inW: number,
  c: number,
  outH: number,
  outW: number,
): void {
  const rowStride = inW * c;
  let d = 0;
  for (let n = 0; n < batch; n++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++, d += c) {
        const p00 = ((n * inH + 2 * oh) * inW + 2 * ow) * c;
        const p10 = p00 + rowStride;
        for (let ch = 0; ch < c; ch++) {
          // Strict > from −∞ in raster order: first maximum wins, an all −∞/NaN window gets nothing.
          let best = -Infinity;
          let at = -1;
          let v = xv[p00 + ch]!;
          if (v > best) {
            best = v;
            at = p00 + ch;
          }
          v = xv[p00 + c + ch]!;
          if (v > best) {
            best = v;
            at = p00 + c + ch;
          }
          v = xv[p10 + ch]!;
          if (v > best) {
            best = v;
            at = p10 + ch;
          }
          v = xv[p10 + c + ch]!;
          if (v > best) at = p10 + c + ch;
          if (at >= 0) dxv[at] = dyv[d + ch]!;
        }
      }
    }
  }
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad,
};
