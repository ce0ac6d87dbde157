import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendFallback, BackendInfo, BackendName } from '../../../shared/backend-types.js';
import type { BackendChoice } from '../../../shared/spec/training.js';
import { LabFailure } from '../../../shared/result.js';
import './gradients.js';
import { adapterFix, releaseWebGpu, startWebGpu } from './webgpu/index.js';
import { availableCores } from '../replicas/index.js';
import { initWasm, wasmDetails } from './wasm.js';

/** Preference order when the choice is `auto`. */
export const BACKEND_ORDER: readonly BackendName[] = [
  'tensorflow-gpu',
  'webgpu',
  'tensorflow',
  'wasm',
  'cpu',
];

/** The CUDA stack of @tensorflow/tfjs-node-gpu 4.x (libtensorflow 2.9.1). */
const GPU_FIX =
  'install @tensorflow/tfjs-node-gpu with internet access (its install downloads libtensorflow 2.9.1) on Linux x64 ' +
  'with an NVIDIA driver, CUDA 11.2 and cuDNN 8.1 on the library path';
const NATIVE_FIX =
  'install @tensorflow/tfjs-node with internet access (its install downloads libtensorflow 2.9.1; ' +
  'Linux x64, macOS x64/arm64 or Windows x64)';

interface Loaded {
  info: Partial<BackendInfo>;
  customKernels: string[];
}

function describe(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  if (/Cannot find (module|package)/.test(m)) return 'not installed (optional dependency)';
  return m.split('\n')[0] ?? m;
}

async function loadNative(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node'): Promise<Loaded> {
  // Imported by name at run time: the packages are optional and absent on most machines.
  const mod = (await import(pkg)) as { version?: Record<string, string> };
  if (!(await tf.setBackend('tensorflow'))) throw new Error('the tensorflow backend did not initialise');
  // Both packages register the same backend name; only the GPU one sees devices.
  const gpu = pkg.endsWith('-gpu') ? gpuName() : undefined;
  if (pkg.endsWith('-gpu') && !gpu) {
    throw new Error('loaded, but TensorFlow sees no GPU (driver, CUDA 11.2 or cuDNN 8.1 missing?)');
  }
  return {
    info: { threads: os.cpus().length, ...(gpu ? { gpu } : {}), tfjsVersion: mod.version?.['tfjs-core'] },
    customKernels: [],
  };
}

function gpuName(): string | undefined {
  // tfjs-node exposes no device query; CUDA_VISIBLE_DEVICES="" or no driver means CPU only.
  if (process.env.CUDA_VISIBLE_DEVICES === '' || process.env.CUDA_VISIBLE_DEVICES === '-1') return undefined;
  const name = process.env.LGG_LAB_GPU_NAME;
  return name && name.length > 0 ? name : 'CUDA device 0';
}

async function load(name: BackendName, forced: boolean): Promise<Loaded> {
  switch (name) {
    case 'webgpu': {
      if (!forced && process.env.LGG_LAB_WEBGPU === '0') throw new Error('disabled by LGG_LAB_WEBGPU=0');
      // A software adapter (lavapipe, SwiftShader) only when the backend was asked for by name.
      const { adapter, customKernels } = await startWebGpu(forced);
      return { info: { threads: 1, gpu: adapter.description || adapter.device, adapter }, customKernels };
    }
    case 'tensorflow-gpu':
      return loadNative('@tensorflow/tfjs-node-gpu');
    case 'tensorflow':
      return loadNative('@tensorflow/tfjs-node');
    case 'wasm': {
      const customKernels = await initWasm();
      return { info: wasmDetails(), customKernels };
    }
    case 'cpu': {
      await import('@tensorflow/tfjs-backend-cpu');
      if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
      // Replicated like wasm: one pure-JS backend per worker thread.
      return { info: { threads: availableCores() }, customKernels: [] };
    }
  }
}

function fixFor(name: BackendName, reason: string): string | undefined {
  if (name === 'tensorflow-gpu') return GPU_FIX;
  if (name === 'tensorflow') return NATIVE_FIX;
  if (name === 'webgpu') {
    if (/not installed/.test(reason)) return 'npm install (the webgpu package is an optional dependency)';
    if (/LGG_LAB_WEBGPU/.test(reason)) return 'unset LGG_LAB_WEBGPU';
    return adapterFix();
  }
  return undefined;
}

/**
 * Selects the compute backend: the explicit choice, or the first of {@link BACKEND_ORDER} that
 * loads. Every skipped backend is reported with the reason and the fix.
 */
export async function selectBackend(choice: BackendChoice = 'auto'): Promise<BackendInfo> {
  // TF.js's console advice ("install the node backend…") would reach the engine's stderr; the lab
  // reports skipped backends and their fixes itself.
  tf.env().set('PROD', true);
  const candidates = choice === 'auto' ? BACKEND_ORDER : [choice];
  const fallbacks: BackendFallback[] = [];
  for (const name of candidates) {
    try {
      const loaded = await load(name, choice !== 'auto');
      return {
        backend: name,
        tfjsVersion: loaded.info.tfjsVersion ?? tf.version_core,
        nodeVersion: process.versions.node,
        ...(process.versions.electron ? { electronVersion: process.versions.electron } : {}),
        threads: loaded.info.threads ?? 1,
        ...(loaded.info.simd !== undefined ? { simd: loaded.info.simd } : {}),
        ...(loaded.info.gpu ? { gpu: loaded.info.gpu } : {}),
        ...(loaded.info.adapter ? { adapter: loaded.info.adapter } : {}),
        fallbacks,
        customKernels: loaded.customKernels,
        platform: `${process.platform} ${process.arch}`,
        cpus: os.cpus().length,
      };
    } catch (e) {
      const reason = describe(e);
      const fix = fixFor(name, reason);
      fallbacks.push({ backend: name, reason, ...(fix ? { fix } : {}) });
    }
  }
  const detail = fallbacks.map((f) => `${f.backend}: ${f.reason}`).join('; ');
  throw new LabFailure('backend-unavailable', `No compute backend could start (${detail})`, fallbacks);
}

/**
 * Frees what the backend holds outside the process's heap (a WebGPU device and its buffers), so
 * a finished job leaves no GPU memory behind even before the process exits.
 */
export function releaseBackend(): void {
  releaseWebGpu();
}
