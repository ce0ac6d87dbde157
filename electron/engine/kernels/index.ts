import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { batchMatMulConfig } from './batch-mat-mul.js';
import { BATCH_NORM_TRAIN_KERNELS } from './batch-norm-train.js';
import { sgdStepConfig } from './sgd-step.js';
import { conv2dConfig } from './conv2d.js';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.js';
import { fusedBatchNormConfig } from './fused-batch-norm.js';
import { castConfig, identityConfig } from './identity-cast.js';
import { maxPoolGradConfig } from './max-pool-grad.js';
import { meanConfig, sumConfig } from './reduce-axes.js';
import { rememberStock, stockKernel } from './stock-kernels.js';
import { labWasmAvailable } from './lab-wasm.js';
import { LGG_KERNELS } from './lgg.js';
import { tileConfig } from './tile.js';

export { gram, normalizedGram } from './gram.js';
export { LAB_BN } from './batch-norm-train.js';
export { LAB_LGG } from './lgg.js';
export { LAB_SGD_STEP, type SgdStepAttrs } from './sgd-step.js';

/**
 * The lab's wasm kernels. Measured on the reference CNN and a pre-activation residual block; the
 * stock wasm backend lacks the first and is slow (or wrong) on the rest:
 * - Conv2DBackpropFilter: missing upstream (no conv can train). im2col chunks × XNNPACK GEMM.
 * - Conv2DBackpropInput: stock is a scalar loop; rotated-filter XNNPACK conv (stride 1) or GEMM + col2im.
 * - BatchMatMul: transposed products (dense gradients, the LGG Gram) fall to a scalar loop upstream.
 * - MaxPoolGrad: stock drops the gradient of windows with no positive value; ties differ from cpu.
 * - Sum, Mean: reductions over N/H/W (bias and BatchNorm gradients, moments, global average pooling)
 *   transpose the whole tensor first upstream.
 * - Tile: per-element index arithmetic upstream; BatchNorm's gradient tiles a full activation.
 * - FusedBatchNorm: folded into one per-channel affine map on XNNPACK's broadcasting Mul/Add.
 * - Identity, Cast: stock copies every tensor the tape saves; we share the immutable buffer (and
 *   make float→bool casts produce 0/1).
 * - LabChannelSums … LabBatchNormBackward (new names, in the lab's own SIMD wasm module, when built):
 *   training-mode BatchNorm in 5 passes over the activation instead of ~25 (nn/batch-norm.ts).
 * - LabSgdStep (new name, same module): the SGD update of a parameter in one pass instead of 5–7
 *   element-wise ops (train/sgd.ts); ~5 ms of a ~65 ms reference-CNN step at batch 64.
 * - LabRowNormalize, LabRowNormalizeGrad, LabGramSym, LabGramSymGrad, LabKnnMask (new names, same
 *   module): the LGG's cosine similarity and kNN mask (lgg/cosine.ts, lgg/graph.ts), the Gram matrix
 *   on its upper triangle only.
 */
const LAB_KERNELS: readonly KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  batchMatMulConfig,
  maxPoolGradConfig,
  sumConfig,
  meanConfig,
  tileConfig,
  fusedBatchNormConfig,
  identityConfig,
  castConfig,
];

/** The kernels of the lab's own wasm module (registered when it was built). */
const LAB_MODULE_KERNELS: readonly KernelConfig[] = [
  conv2dConfig,
  ...BATCH_NORM_TRAIN_KERNELS,
  sgdStepConfig,
  ...LGG_KERNELS,
];

/**
 * Registers the lab's wasm training kernels and returns their names. Idempotent.
 *
 * Call it after `import '@tensorflow/tfjs-backend-wasm'` (which registers the stock kernels that ours
 * replace or call into), either before or after `await tf.setBackend('wasm')`: tfjs looks kernels up
 * on every op, so registration takes effect immediately. Our replacements carry the stock kernels'
 * setupFunc, so a later setBackend('wasm') still initialises the stock code they delegate to.
 */
export function registerWasmTrainingKernels(): string[] {
  stockKernel('Conv2D');
  const kernels = [...LAB_KERNELS, ...(labWasmAvailable() ? LAB_MODULE_KERNELS : [])];
  for (const config of kernels) install(config);
  return kernels.map((config) => config.kernelName);
}

/** Puts the stock wasm kernels back (for comparisons and tests). */
export function unregisterWasmTrainingKernels(): void {
  for (const config of [...LAB_KERNELS, ...LAB_MODULE_KERNELS]) {
    const current = getKernel(config.kernelName, 'wasm');
    if (current?.kernelFunc !== config.kernelFunc) continue;
    unregisterKernel(config.kernelName, 'wasm');
    const stock = getStock(config.kernelName);
    if (stock !== undefined) registerKernel(stock);
  }
}

function install(config: KernelConfig): void {
  const current = getKernel(config.kernelName, 'wasm');
  if (current?.kernelFunc === config.kernelFunc) return;
  if (current !== undefined) {
    rememberStock(current);
    unregisterKernel(config.kernelName, 'wasm');
  }
  const stock = getStock(config.kernelName);
  registerKernel({ ...config, setupFunc: stock?.setupFunc, disposeFunc: stock?.disposeFunc });
}

function getStock(kernelName: string): KernelConfig | undefined {
  try {
    const stock = stockKernel(kernelName);
    const ours = [...LAB_KERNELS, ...LAB_MODULE_KERNELS];
    return ours.some((k) => k.kernelFunc === stock.kernelFunc) ? undefined : stock;
  } catch {
    return undefined;
  }
}
