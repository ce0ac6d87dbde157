// Shared set-up of the WebGPU tests: the backend on whatever adapter Dawn finds (here and in CI,
// Mesa's lavapipe: a software Vulkan driver), cpu beside it as the reference, and helpers to run
// one computation on both from identical host arrays. Reads are asynchronous (the only kind a GPU
// backend has under Node).
import * as tf from '@tensorflow/tfjs-core';
import { describe } from 'vitest';
import type { GpuAdapterInfo } from '../../../shared/backend-types.js';
import { selectBackend } from '../../../electron/engine/backend/select.js';
import { adapterLabel } from '../../../electron/engine/backend/webgpu/index.js';
import { pseudoRandom } from '../../../electron/engine/kernels/bench-step.js';
import { assertClose } from '../../helpers/close.js';

export { assertClose, tf };

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

/** Tensor data as plain arrays, so it can cross backends. */
export type Arrays = Record<string, { values: Float32Array | Int32Array; shape: number[] }>;

/** Deterministic values in [-1, 1) for each named shape. */
export function randomArrays(shapes: Record<string, number[]>, seed: number): Arrays {
  const out: Arrays = {};
  let s = seed;
  for (const [name, shape] of Object.entries(shapes)) {
    const size = shape.reduce((a, b) => a * b, 1);
    out[name] = { values: pseudoRandom(size, (s += 101)), shape };
  }
  return out;
}

/** A computation on tensors, and what to free after its outputs are read (e.g. a model's variables). */
export interface Computation {
  run: (t: Record<string, tf.Tensor>) => tf.Tensor[];
  cleanup?: () => void;
}

/**
 * Switches to `backend`, builds the computation there (`make`: models are created on the current
 * backend), runs it on tensors made from `inputs` and returns every output read back.
 */
export async function runOn(
  backend: 'cpu' | 'webgpu',
  inputs: Arrays,
  make: () => Computation,
): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const c = make();
  try {
    const outs = tf.tidy(() => {
      const t: Record<string, tf.Tensor> = {};
      for (const [name, { values, shape }] of Object.entries(inputs)) {
        t[name] = tf.tensor(values, shape, values instanceof Int32Array ? 'int32' : 'float32');
      }
      return c.run(t);
    });
    try {
      return (await Promise.all(outs.map((o) => o.data()))).map((v) => Float32Array.from(v));
    } finally {
      tf.dispose(outs);
    }
  } finally {
    c.cleanup?.();
  }
}

/**
 * Runs the computation on cpu and on webgpu and asserts every output agrees within `rtol` of its
 * scale (assertClose: |gpu − cpu| ≤ rtol · max(|cpu|, 1e-2 · max|cpu|)); returns both.
 */
export async function expectParity(
  inputs: Arrays,
  make: () => Computation,
  rtol: number,
  names?: string[],
): Promise<{ cpu: Float32Array[]; gpu: Float32Array[] }> {
  const cpu = await runOn('cpu', inputs, make);
  const gpu = await runOn('webgpu', inputs, make);
  if (gpu.length !== cpu.length) throw new Error(`output count ${gpu.length} ≠ ${cpu.length}`);
  cpu.forEach((expected, i) => assertClose(gpu[i]!, expected, rtol, names?.[i] ?? `output ${i}`));
  return { cpu, gpu };
}
