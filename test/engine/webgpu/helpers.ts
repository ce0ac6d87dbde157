// Shared set-up of the WebGPU tests: the backend on whatever adapter Dawn finds (here and in CI,
// Mesa's lavapipe: a software Vulkan driver), or a printed reason to skip where there is none.
import * as tf from '@tensorflow/tfjs-core';
import { describe } from 'vitest';
import type { GpuAdapterInfo } from '../../../shared/backend-types.js';
import { selectBackend } from '../../../electron/engine/backend/select.js';
import { adapterLabel } from '../../../electron/engine/backend/webgpu/index.js';

export { tf };

/** Starts webgpu (a software adapter allowed, as `--backend webgpu` does); undefined + why when impossible. */
async function probe(): Promise<{ adapter?: GpuAdapterInfo; reason?: string }> {
  try {
    const info = await selectBackend('webgpu');
    return info.adapter ? { adapter: info.adapter } : { reason: 'webgpu started without an adapter' };
  } catch (e) {
    return { reason: (e as Error).message };
  }
}

const started = await probe();

/** The adapter the tests run on. */
export const adapter = started.adapter;

/**
 * `describe` that runs only where a WebGPU adapter exists, and otherwise says why in the output
 * (CI installs Mesa's lavapipe, so there it always runs).
 */
export function describeWebGpu(name: string, body: () => void): void {
  if (!adapter) {
    console.warn(
      `SKIPPED "${name}": no WebGPU adapter (${started.reason ?? 'unknown'}); install a Vulkan driver (mesa-vulkan-drivers ≥ 23)`,
    );
  } else {
    console.info(`webgpu tests on ${adapterLabel(adapter)}`);
  }
  describe.skipIf(!adapter)(name, body);
}
