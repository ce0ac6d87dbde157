import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { rememberStock } from './stock.js';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2DNarrowConfig } from './conv2d-narrow.js';
import { INTEGER_TRANSPOSE_KERNELS } from './int-transpose.js';
import { loadWebGpuUtil } from './program.js';

/**
 * The lab's webgpu kernels, each found by the parity suite (test/engine/webgpu) and checked there
 * against the cpu backend:
 * - Transpose, Sum, Max, Min, Prod on int32/bool: upstream's general transpose program (which the
 *   reductions call) does not compile for them, and the result is zeros (the kNN mask of an LGG).
 * - Conv2DBackpropFilter: upstream's one-thread-per-weight loop over batch × image starves the GPU
 *   (6× the forward convolution on the reference CNN); im2col chunks × the tiled matrix product.
 * - Conv2D with 1–3 input channels (first layers): upstream's vec4 tiling runs ~20× below its
 *   speed on wider layers; im2col × W.
 */
const LAB_KERNELS: readonly KernelConfig[] = [
  ...INTEGER_TRANSPOSE_KERNELS,
  conv2DBackpropFilterConfig,
  conv2DNarrowConfig,
];

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
