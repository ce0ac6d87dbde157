import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { labWasm } from './lab-wasm.js';
import { allocF32, asWasm, assertFloat32, attrsAs, input } from './wasm-backend.js';

/** Name of the fused SGD update (train/sgd.ts uses it when registered). */
export const LAB_SGD_STEP = 'LabSgdStep';

/** Attributes of {@link LAB_SGD_STEP}. */
export interface SgdStepAttrs {
  weightDecay: number;
  momentum: number;
  lr: number;
  nesterov: boolean;
}

/**
 * One SGD update of a parameter in one SIMD pass of the lab's wasm module: inputs `w`, `g` and,
 * with momentum, `b`; outputs the new w (and the new b). Bit-identical to Sgd's TF.js ops.
 */
const kernelFunc: KernelFunc = ({ inputs, backend: untyped, attrs }) => {
  const backend = asWasm(untyped);
  const w = input(inputs, 'w', LAB_SGD_STEP);
  const g = input(inputs, 'g', LAB_SGD_STEP);
  const b = inputs.b;
  assertFloat32(LAB_SGD_STEP, w, g, ...(b ? [b] : []));
  const a = attrsAs<SgdStepAttrs>(attrs);
  const n = w.shape.reduce((x, y) => x * y, 1);
  const sizes = [g, ...(b ? [b] : [])].map((t) => t.shape.reduce((x, y) => x * y, 1));
  if (sizes.some((s) => s !== n))
    throw new Error(`${LAB_SGD_STEP}: parameter, gradient and buffer sizes differ`);
  const ptr = (t: TensorInfo): number => backend.getMemoryOffset(t.dataId);
  const wOut = allocF32(backend, [...w.shape]);
  const bOut = b ? allocF32(backend, [...w.shape]) : undefined;
  labWasm(backend).sgdStep(
    ptr(w),
    ptr(g),
    b ? ptr(b) : 0,
    n,
    a.weightDecay,
    a.momentum,
    a.lr,
    a.nesterov ? 1 : 0,
    ptr(wOut),
    bOut ? ptr(bOut) : 0,
  );
  return bOut ? [wOut, bOut] : [wOut];
};

export const sgdStepConfig: KernelConfig = { kernelName: LAB_SGD_STEP, backendName: 'wasm', kernelFunc };
