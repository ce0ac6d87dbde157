import { afterAll, expect, it } from 'vitest';
import { selectBackend } from '../../../electron/engine/backend/select.js';
import {
  adapterLabel,
  classifyGpuError,
  describeAdapter,
  exposeGpu,
  loadDawn,
  pickAdapter,
  takeGpuFault,
  type FoundAdapter,
} from '../../../electron/engine/backend/webgpu/index.js';
import type { AdapterApi, GpuApi } from '../../../electron/engine/backend/webgpu/gpu-api.js';
import { adapter, describeWebGpu, tf } from './helpers.js';

/** An adapter as WebGPU describes one (for the choice rules; the real ones are tested below). */
function adapterLike(info: Partial<AdapterApi['info']>, isFallbackAdapter?: boolean): AdapterApi {
  return {
    info: { vendor: '', architecture: '', device: '', description: '', ...info },
    limits: { maxBufferSize: 1 << 30, maxStorageBufferBindingSize: 1 << 27 },
    features: new Set<string>(),
    ...(isFallbackAdapter !== undefined ? { isFallbackAdapter } : {}),
    requestDevice: () => Promise.reject(new Error('not a real adapter')),
  };
}
const found = (a: AdapterApi): FoundAdapter => ({ adapter: a, info: describeAdapter(a) });

it('recognises software adapters by flag, architecture or driver name', () => {
  const soft = [
    adapterLike({ vendor: 'mesa', architecture: 'software', description: 'llvmpipe' }),
    adapterLike({ description: 'SwiftShader Device (Subzero)' }),
    adapterLike({ description: 'Microsoft Basic Render Driver' }),
    adapterLike({ vendor: 'google', description: 'x' }, true),
  ];
  for (const a of soft) expect(describeAdapter(a).isFallback, a.info.description).toBe(true);
  const nvidia = adapterLike({
    vendor: 'nvidia',
    architecture: 'ampere',
    description: 'NVIDIA GeForce RTX 3060',
  });
  expect(describeAdapter(nvidia)).toMatchObject({
    isFallback: false,
    limits: { maxStorageBufferBindingSize: 1 << 27 },
  });
  expect(adapterLabel(describeAdapter(nvidia))).toBe('nvidia ampere: NVIDIA GeForce RTX 3060');
});

it('auto takes a hardware adapter over a software one, and a software one only when forced', () => {
  const soft = found(adapterLike({ vendor: 'mesa', architecture: 'software', description: 'llvmpipe' }));
  const hard = found(adapterLike({ vendor: 'amd', architecture: 'rdna-3', description: 'AMD Radeon' }));
  expect(pickAdapter([soft, hard], false)).toBe(hard);
  expect(pickAdapter([soft], true)).toBe(soft);
  expect(() => pickAdapter([soft], false)).toThrow(
    /only a software adapter \(mesa software: llvmpipe \(software\)\).*--backend webgpu/,
  );
  expect(() => pickAdapter([], true)).toThrow(/no WebGPU adapter/);
});

it('exposes navigator.gpu on Node 20 (no navigator), Node 22 (a getter-only one) and a frozen one, and undoes it', () => {
  const gpu = { requestAdapter: () => Promise.resolve(null) } as GpuApi;
  // Node 20: no navigator at all.
  const bare: { navigator?: { gpu?: unknown } } = {};
  const undoBare = exposeGpu(gpu, bare);
  expect(bare.navigator?.gpu).toBe(gpu);
  undoBare();
  expect('navigator' in bare).toBe(false);
  // Node 21+/Electron: a configurable getter returning an extensible Navigator.
  const nav = { userAgent: 'Node.js/22', hardwareConcurrency: 2 };
  const node22 = {};
  Object.defineProperty(node22, 'navigator', { get: () => nav, configurable: true, enumerable: true });
  const undo22 = exposeGpu(gpu, node22);
  expect((node22 as { navigator: { gpu: unknown; userAgent: string } }).navigator.gpu).toBe(gpu);
  undo22();
  expect('gpu' in nav).toBe(false);
  // A frozen navigator behind a getter: shadowed by an object that inherits its fields.
  const frozen = Object.freeze({ userAgent: 'frozen' });
  const host = {};
  Object.defineProperty(host, 'navigator', { get: () => frozen, configurable: true });
  const undoFrozen = exposeGpu(gpu, host);
  const shadowed = (host as { navigator: { gpu: unknown; userAgent: string } }).navigator;
  expect(shadowed.gpu).toBe(gpu);
  expect(shadowed.userAgent).toBe('frozen');
  undoFrozen();
  expect((host as { navigator: unknown }).navigator).toBe(frozen);
  // Neither extensible nor configurable: a clear refusal.
  const locked = {};
  Object.defineProperty(locked, 'navigator', { value: frozen, configurable: false });
  expect(() => exposeGpu(gpu, locked)).toThrow(/cannot expose navigator.gpu/);
});

it('classifies device errors: out of memory by class, too large by message', async () => {
  const { globals } = await loadDawn();
  const Oom = globals.GPUOutOfMemoryError as new (m: string) => { message: string };
  const Validation = globals.GPUValidationError as new (m: string) => { message: string };
  expect(classifyGpuError(new Oom('allocation failed\n - While calling CreateBuffer'))).toEqual({
    kind: 'out-of-memory',
    message: 'allocation failed',
  });
  expect(
    classifyGpuError(new Validation('Buffer size (536870912) exceeds the max buffer size limit')).kind,
  ).toBe('too-large');
  expect(classifyGpuError(new Validation('Invalid BindGroup')).kind).toBe('gpu-error');
});

describeWebGpu('webgpu selection on this machine', () => {
  afterAll(async () => {
    await selectBackend('webgpu');
  });

  it('names the adapter and its limits, and lists the lab kernels', async () => {
    const info = await selectBackend('webgpu');
    expect(info.backend).toBe('webgpu');
    expect(info.adapter).toEqual(adapter);
    expect(info.adapter!.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(1 << 27);
    expect(info.gpu).toBe(adapter!.description || adapter!.device);
    expect(info.customKernels).toContain('Transpose');
  });

  it('auto never picks a software adapter, and says why with the fix', async () => {
    const info = await selectBackend('auto');
    const skipped = info.fallbacks.find((f) => f.backend === 'webgpu');
    if (adapter!.isFallback) {
      expect(info.backend).not.toBe('webgpu');
      expect(skipped?.reason).toMatch(/only a software adapter/);
      expect(skipped?.fix).toBeTruthy();
    } else {
      expect(['tensorflow-gpu', 'webgpu']).toContain(info.backend);
    }
  });

  it('a tensor beyond the device limits is reported as a fault, not as silent zeros', async () => {
    await selectBackend('webgpu');
    takeGpuFault();
    const limit = adapter!.limits.maxStorageBufferBindingSize;
    // One float more than a storage binding can hold: the kernel cannot bind it.
    const n = limit / 4 + 1;
    const y = tf.tidy(() => tf.add(tf.fill([n], 1), 1));
    await y.data().catch(() => undefined);
    y.dispose();
    const fault = takeGpuFault();
    expect(fault?.kind).toBe('too-large');
    expect(fault?.message).toMatch(/binding size|buffer size/i);
  });
});
