// Shared set-up for the wasm kernel tests: both backends loaded, gradients registered, the lab's
// kernels registered, and helpers to run one computation on cpu and on wasm from identical inputs.
// Order matters: the first tfjs-core module graph to load creates the global engine, and only the full
// entry point installs the op handler that Tensor.clone() (used by e.g. Cast's gradient) relies on.
// Importing the gradient definitions first would make the engine come from their partial graph.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../../../electron/engine/kernels/index.js';
import { pseudoRandom } from '../../../electron/engine/kernels/bench-step.js';
import { assertClose } from '../../helpers/close.js';
import { randomArrays, type Arrays } from '../../../electron/engine/parity/compare.js';

export { tf, pseudoRandom, assertClose, randomArrays, type Arrays };

export const labKernels = registerWasmTrainingKernels();

export type BackendName = 'cpu' | 'wasm';

/**
 * Runs `f` on the given backend with tensors made from `inputs`; returns every output as a
 * Float32Array. Everything `f` allocates is disposed.
 */
export async function runOn(
  backend: BackendName,
  inputs: Arrays,
  f: (t: Record<string, tf.Tensor>) => tf.Tensor | tf.Tensor[],
): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const t: Record<string, tf.Tensor> = {};
    for (const [name, { values, shape }] of Object.entries(inputs)) t[name] = tf.tensor(values, shape);
    const out = f(t);
    return (Array.isArray(out) ? out : [out]).map((o) => Float32Array.from(o.dataSync()));
  });
}

/** Runs `f` on cpu and on wasm; returns [cpu outputs, wasm outputs]. */
export async function onBothBackends(
  inputs: Arrays,
  f: (t: Record<string, tf.Tensor>) => tf.Tensor | tf.Tensor[],
): Promise<[Float32Array[], Float32Array[]]> {
  const cpu = await runOn('cpu', inputs, f);
  const wasm = await runOn('wasm', inputs, f);
  return [cpu, wasm];
}

/** Asserts every pair of outputs agrees (cpu is the reference). */
export function assertAllClose(
  wasm: Float32Array[],
  cpu: Float32Array[],
  rtol = 1e-4,
  names?: string[],
): void {
  if (wasm.length !== cpu.length) throw new Error(`output count ${wasm.length} ≠ ${cpu.length}`);
  cpu.forEach((expected, i) => assertClose(wasm[i]!, expected, rtol, names?.[i] ?? `output ${i}`));
}

/** Live buffers of the wasm backend (catches intermediates a kernel forgot to release). */
export function wasmDataIds(): number {
  return tf.engine().findBackend('wasm').numDataIds();
}
