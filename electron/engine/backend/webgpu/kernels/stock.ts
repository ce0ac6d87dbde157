import { getKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

// The webgpu backend's own kernels that the lab replaced, captured at the first registration so a
// second one can never mistake the lab's kernel for the stock one (which would recurse forever).
const replaced = new Map<string, KernelConfig>();

/** Remembers the stock kernel before the lab's replaces it. */
export function rememberStock(config: KernelConfig): void {
  if (!replaced.has(config.kernelName)) replaced.set(config.kernelName, config);
}

/** Runs TF.js's own webgpu implementation of `kernelName`. */
export function runStock(
  kernelName: string,
  backend: object,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const config = replaced.get(kernelName) ?? getKernel(kernelName, 'webgpu');
  if (!config) throw new Error(`webgpu kernel '${kernelName}' is not registered`);
  const out = config.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`webgpu kernel '${kernelName}' returned several outputs`);
  return out;
}
