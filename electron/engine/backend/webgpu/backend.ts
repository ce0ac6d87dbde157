import * as tf from '@tensorflow/tfjs-core';
import type { GpuAdapterInfo } from '../../../../shared/backend-types.js';
import { adapterLabel, deviceDescriptor, findAdapters, pickAdapter, type FoundAdapter } from './adapter.js';
import { dawnFlags, exposeGpu, loadDawn } from './dawn.js';
import type { DeviceApi } from './gpu-api.js';
import { releasingDevice, watchDevice } from './faults.js';
import { registerWebGpuKernels } from './kernels/index.js';

/** The running WebGPU backend of this process. */
interface Active {
  device: DeviceApi;
  adapter: GpuAdapterInfo;
  unexpose: () => void;
  customKernels: string[];
}

let active: Active | undefined;

interface WebGpuModule {
  WebGPUBackend: new (device: unknown, adapterInfo?: unknown) => tf.KernelBackend;
}

/**
 * Starts TF.js's WebGPU backend on Dawn: the first hardware adapter, or a software one when
 * `allowSoftware`. Returns the adapter and the kernels the lab registered. Throws why it cannot.
 */
export async function startWebGpu(
  allowSoftware: boolean,
): Promise<{ adapter: GpuAdapterInfo; customKernels: string[] }> {
  if (active && (allowSoftware || !active.adapter.isFallback)) {
    if (!(await tf.setBackend('webgpu'))) throw new Error('the webgpu backend did not initialise');
    return { adapter: active.adapter, customKernels: active.customKernels };
  }
  const dawn = await loadDawn();
  const gpu = dawn.create(dawnFlags());
  // Imported before navigator.gpu exists, so the package does not register its own factory (which
  // would take whatever adapter comes first, software included).
  const mod = (await import('@tensorflow/tfjs-backend-webgpu')) as unknown as WebGpuModule;
  const chosen: FoundAdapter = pickAdapter(await findAdapters(gpu), allowSoftware);
  const device = await chosen.adapter.requestDevice(deviceDescriptor(chosen.adapter));
  watchDevice(device);
  const unexpose = exposeGpu(gpu);
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new mod.WebGPUBackend(device, chosen.adapter.info), 1);
  if (!(await tf.setBackend('webgpu').catch(() => false))) {
    unexpose();
    device.destroy();
    throw new Error(`TF.js's webgpu backend did not start on ${adapterLabel(chosen.info)}`);
  }
  guardSyncReads(tf.backend());
  const customKernels = await registerWebGpuKernels();
  active = { device, adapter: chosen.info, unexpose, customKernels };
  return { adapter: chosen.info, customKernels };
}

/**
 * TF.js reads GPU tensors synchronously through a browser OffscreenCanvas, which Node lacks: the
 * stock path dies with "OffscreenCanvas is not defined". Values already on the host are still
 * returned; anything else fails with a sentence naming the cause (the engine reads asynchronously).
 */
function guardSyncReads(backend: tf.KernelBackend): void {
  const b = backend as unknown as { readSync(dataId: object): unknown };
  const stock = b.readSync.bind(backend);
  b.readSync = (dataId: object) => {
    if (typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas === 'function')
      return stock(dataId);
    const cached = (
      backend as unknown as { tensorMap: { get(id: object): { values?: unknown } | undefined } }
    ).tensorMap.get(dataId)?.values;
    if (cached != null) return cached;
    throw new Error(
      'a synchronous read (dataSync/arraySync) of a tensor on the webgpu backend: not possible under Node; ' +
        'read it with await tensor.data()',
    );
  };
}

/** The adapter of the running WebGPU backend, if any. */
export function webGpuAdapter(): GpuAdapterInfo | undefined {
  return active?.adapter;
}

/** The device of the running WebGPU backend (tests use it to lose the device on purpose). */
export function webGpuDevice(): DeviceApi | undefined {
  return active?.device;
}

/**
 * Frees every GPU buffer of the backend and destroys the device, so a finished run holds no GPU
 * memory and the process can exit. Tensors still alive on webgpu become unusable.
 */
export function releaseWebGpu(): void {
  if (!active) return;
  const a = active;
  active = undefined;
  releasingDevice();
  if (tf.findBackend('webgpu')) tf.removeBackend('webgpu');
  a.device.destroy();
  a.unexpose();
}
