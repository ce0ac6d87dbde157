import { util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { labWasm } from './lab-wasm.js';
import { allocF32, asWasm, assertFloat32, input, type BackendWasm } from './wasm-backend.js';

/**
 * Training-mode BatchNorm in five passes over the activation (forward: Σx, Σ(x − μ)², then x̂ and y
 * together; backward: Σdy and Σdy·x̂ together, then dx), each one SIMD loop of the lab's wasm module
 * on the tensors in place. TF.js's own ops take ~25 element-wise passes for the same (moments,
 * batchNorm and their autodiff). Used by nn/batch-norm.ts when the channel count is a multiple of 4.
 */
export const LAB_BN = {
  sums: 'LabChannelSums',
  centredSquares: 'LabChannelCentredSquares',
  forward: 'LabBatchNormForward',
  gradSums: 'LabBatchNormGradSums',
  backward: 'LabBatchNormBackward',
} as const;

function geometry(kernel: string, x: TensorInfo): { rows: number; c: number } {
  const c = x.shape[x.shape.length - 1] ?? 1;
  if (c % 4 !== 0) throw new Error(`${kernel} (lab wasm kernel) needs channels in multiples of 4, got ${c}`);
  return { rows: util.sizeFromShape(x.shape) / c, c };
}

export type Ptr = (t: TensorInfo) => number;

/** A kernel of the lab's wasm module under a new name, its float32 inputs fetched by name. */
export function labKernel(
  name: string,
  body: (b: BackendWasm, ptr: Ptr, get: (n: string) => TensorInfo) => TensorInfo | TensorInfo[],
): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, backend: untyped }) => {
    const backend = asWasm(untyped);
    const get = (n: string): TensorInfo => {
      const t = input(inputs, n, name);
      assertFloat32(name, t);
      return t;
    };
    return body(backend, (t) => backend.getMemoryOffset(t.dataId), get);
  };
  return { kernelName: name, backendName: 'wasm', kernelFunc };
}

export const channelSumsConfig = labKernel(LAB_BN.sums, (b, ptr, get) => {
  const x = get('x');
  const { rows, c } = geometry(LAB_BN.sums, x);
  const out = allocF32(b, [c]);
  labWasm(b).channelSums(ptr(x), rows, c, ptr(out));
  return out;
});

export const channelCentredSquaresConfig = labKernel(LAB_BN.centredSquares, (b, ptr, get) => {
  const x = get('x');
  const { rows, c } = geometry(LAB_BN.centredSquares, x);
  const out = allocF32(b, [c]);
  labWasm(b).channelCentredSquares(ptr(x), rows, c, ptr(get('mean')), ptr(out));
  return out;
});

export const batchNormForwardConfig = labKernel(LAB_BN.forward, (b, ptr, get) => {
  const x = get('x');
  const { rows, c } = geometry(LAB_BN.forward, x);
  const xHat = allocF32(b, x.shape);
  const y = allocF32(b, x.shape);
  const [mean, invStd, gamma, beta] = ['mean', 'invStd', 'gamma', 'beta'].map<TensorInfo>(get);
  labWasm(b).batchNormForward(
    ptr(x),
    rows,
    c,
    ptr(mean!),
    ptr(invStd!),
    ptr(gamma!),
    ptr(beta!),
    ptr(xHat),
    ptr(y),
  );
  return [xHat, y];
});

export const batchNormGradSumsConfig = labKernel(LAB_BN.gradSums, (b, ptr, get) => {
  const dy = get('dy');
  const { rows, c } = geometry(LAB_BN.gradSums, dy);
  const out = allocF32(b, [2, c]);
  labWasm(b).batchNormGradSums(ptr(dy), ptr(get('xHat')), rows, c, ptr(out), ptr(out) + 4 * c);
  return out;
});

export const batchNormBackwardConfig = labKernel(LAB_BN.backward, (b, ptr, get) => {
  const dy = get('dy');
  const { rows, c } = geometry(LAB_BN.backward, dy);
  const dx = allocF32(b, dy.shape);
  const [xHat, scale, meanDy, meanDyXHat] = ['xHat', 'scale', 'meanDy', 'meanDyXHat'].map<TensorInfo>(get);
  labWasm(b).batchNormBackward(
    ptr(dy),
    ptr(xHat!),
    rows,
    c,
    ptr(scale!),
    ptr(meanDy!),
    ptr(meanDyXHat!),
    ptr(dx),
  );
  return dx;
});

/** The BatchNorm training kernels (new kernel names: they replace no stock kernel). */
export const BATCH_NORM_TRAIN_KERNELS: readonly KernelConfig[] = [
  channelSumsConfig,
  channelCentredSquaresConfig,
  batchNormForwardConfig,
  batchNormGradSumsConfig,
  batchNormBackwardConfig,
];
