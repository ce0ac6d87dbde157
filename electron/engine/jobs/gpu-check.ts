import * as tf from '@tensorflow/tfjs-core';
import type { GpuCheckResult } from '../../../shared/engine-protocol.js';
import { findAdapters, loadDawn } from '../backend/webgpu/index.js';
import { PARITY_RTOL, runParitySuite } from '../parity/index.js';
import type { JobIo } from '../train/run-setup.js';
import { jobProgress } from './progress.js';

/** Lists the WebGPU adapters, then runs the parity suite on the engine's backend against cpu. */
export async function gpuCheck(io: JobIo): Promise<GpuCheckResult> {
  const backend = tf.getBackend();
  const result: GpuCheckResult = { adapters: [], backend, tolerance: PARITY_RTOL, parity: [] };
  try {
    const dawn = await loadDawn();
    result.adapters = (await findAdapters(dawn.create([]))).map((f) => f.info);
  } catch (e) {
    result.adapterError = (e as Error).message;
  }
  await import('@tensorflow/tfjs-backend-cpu');
  result.parity = await runParitySuite(backend, (r, done, total) =>
    jobProgress(io, 'gpu-check', done, total, `${r.ok ? 'ok' : 'MISMATCH'} ${r.name}`),
  );
  return result;
}
