import * as tf from '@tensorflow/tfjs-core';
import type { BackendInfo } from '../../../shared/backend-types.js';
import { availableCores } from '../replicas/index.js';

/**
 * Starts the wasm backend and registers the lab's training kernels (the stock wasm backend cannot
 * train convolutions). Returns the names of the kernels the lab registered.
 */
export async function initWasm(): Promise<string[]> {
  await import('@tensorflow/tfjs-backend-wasm');
  const { registerWasmTrainingKernels } = await import('../kernels/index.js');
  const names = registerWasmTrainingKernels();
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
  return names;
}

/** Threads and SIMD of the running wasm backend. */
export function wasmDetails(): Partial<BackendInfo> {
  return {
    // One wasm instance is single-threaded under Node (tensorflow/tfjs#3830); a run trains on one
    // replica per core, each in its own worker thread with its own instance.
    threads: availableCores(),
    simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
  };
}
