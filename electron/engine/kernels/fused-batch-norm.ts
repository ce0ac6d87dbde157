import { FusedBatchNorm, util } from '@tensorflow/tfjs-core';
import type { FusedBatchNormAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { runStock } from './stock-kernels.js';
import { allocF32, asWasm, attrsAs, f32, input, release } from './wasm-backend.js';

/**
 * BatchNorm with per-channel statistics as the affine map x·a + b, a = scale/√(var + ε) and
 * b = offset − mean·a, computed once per channel and applied by the stock (XNNPACK) broadcasting
 * Multiply and Add. The stock kernel was measured ~15x slower than those two passes. Statistics
 * with one value per element (mean of the same rank and size as x) go to the stock kernel.
 */
const fusedBatchNorm: KernelFunc = ({ inputs, backend: untyped, attrs }) => {
  const backend = asWasm(untyped);
  const x = input(inputs, 'x', FusedBatchNorm);
  const { varianceEpsilon } = attrsAs<FusedBatchNormAttrs>(attrs);
  const channels = x.shape[x.shape.length - 1] ?? 1;
  const params = [inputs.mean, inputs.variance, inputs.offset, inputs.scale];
  const perChannel = params.every((p) => p === undefined || isPerChannel(p, channels));
  if (!perChannel || x.dtype !== 'float32' || params.some((p) => p !== undefined && p.dtype !== 'float32')) {
    return runStock(FusedBatchNorm, backend, inputs, { varianceEpsilon });
  }
  const [mean, variance, offset, scale] = params;
  const a = allocF32(backend, [channels]);
  const b = allocF32(backend, [channels]);
  const read = (p: TensorInfo | undefined, fallback: number): ((c: number) => number) => {
    if (p === undefined) return () => fallback;
    const v = f32(backend, p);
    return v.length === 1 ? () => v[0]! : (c) => v[c]!;
  };
  const [m, s2, o, g] = [read(mean, 0), read(variance, 1), read(offset, 0), read(scale, 1)];
  const av = f32(backend, a);
  const bv = f32(backend, b);
  for (let c = 0; c < channels; c++) {
    const k = g(c) / Math.sqrt(s2(c) + varianceEpsilon);
    av[c] = k;
    bv[c] = o(c) - m(c) * k;
  }
  const scaled = runStock('Multiply', backend, { a: x, b: a });
  const out = runStock('Add', backend, { a: scaled, b: b });
  release(backend, scaled, a, b);
  return out;
};

/** One value per channel (any rank, e.g. [C] or [1, 1, 1, C]) or a single value. */
function isPerChannel(p: TensorInfo, channels: number): boolean {
  const size = util.sizeFromShape(p.shape);
  return size === 1 || (size === channels && p.shape[p.shape.length - 1] === channels);
}

export const fusedBatchNormConfig: KernelConfig = {
  kernelName: FusedBatchNorm,
  backendName: 'wasm',
  kernelFunc: fusedBatchNorm,
};
