import { getKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from './wasm-backend.js';

/**
 * The wasm backend's own kernels that we replaced. Captured once, before our first registration, so
 * that a second registerWasmTrainingKernels() call can never mistake our kernel for the stock one
 * (which would recurse forever).
 */
const replaced = new Map<string, KernelConfig>();

export function rememberStock(config: KernelConfig): void {
  if (!replaced.has(config.kernelName)) replaced.set(config.kernelName, config);
}

export function stockKernel(kernelName: string): KernelConfig {
  const config = replaced.get(kernelName) ?? getKernel(kernelName, 'wasm');
  if (config === undefined) {
    throw new Error(
      `wasm kernel '${kernelName}' is not registered: import '@tensorflow/tfjs-backend-wasm' before ` +
        'registerWasmTrainingKernels()',
    );
  }
  return config;
}

/** Runs the backend's own implementation of `kernelName` on the wasm heap. */
export function runStock(
  kernelName: string,
  backend: BackendWasm,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const out = stockKernel(kernelName).kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`wasm kernel '${kernelName}' returned several outputs`);
  return out;
}
