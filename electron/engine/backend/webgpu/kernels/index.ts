import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { rememberStock } from './stock.js';
import { INTEGER_TRANSPOSE_KERNELS, loadWebGpuUtil } from './int-transpose.js';

/**
 * The lab's webgpu kernels, each found by the parity suite (test/engine/webgpu) and checked there
 * against the cpu backend:
 * - Transpose, Sum, Max, Min, Prod on int32/bool: upstream's general transpose program (which the
 *   reductions call) does not compile for them, and the result is zeros (the kNN mask of an LGG).
 */
const LAB_KERNELS: readonly KernelConfig[] = [...INTEGER_TRANSPOSE_KERNELS];

/** Registers the lab's webgpu kernels (after the stock ones) and returns their names. Idempotent. */
export async function registerWebGpuKernels(): Promise<string[]> {
  await loadWebGpuUtil();
  for (const config of LAB_KERNELS) {
    const current = getKernel(config.kernelName, 'webgpu');
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current) {
      rememberStock(current);
      unregisterKernel(config.kernelName, 'webgpu');
    }
    registerKernel(config);
  }
  return LAB_KERNELS.map((c) => c.kernelName);
}
