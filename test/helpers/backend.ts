import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '../../shared/backend-types.js';
import { selectBackend } from '../../electron/engine/backend/select.js';

/** Switches TF.js to a backend for a test file (wasm gets the lab's training kernels). */
export async function useBackend(name: BackendName): Promise<void> {
  if (tf.getBackend() === name) return;
  await selectBackend(name);
}
