import type { GpuAdapterInfo } from './backend-types.js';

/** One line naming a WebGPU adapter, e.g. `mesa software: llvmpipe (LLVM 15.0.6) (software)`. */
export function adapterLabel(a: GpuAdapterInfo): string {
  const head = [a.vendor, a.architecture].filter((s) => s.length > 0).join(' ');
  const desc = a.description || a.device || 'unnamed adapter';
  return `${head ? `${head}: ` : ''}${desc}${a.isFallback ? ' (software)' : ''}`;
}

/** The limits that bound a run, e.g. `largest tensor 4,096 MiB · per kernel binding 128 MiB · workgroup memory 32 KiB`. */
export function adapterLimitsText(a: GpuAdapterInfo): string {
  const mib = (bytes: number): string => `${Math.round(bytes / 2 ** 20).toLocaleString('en')} MiB`;
  const l = a.limits;
  return (
    `largest tensor ${mib(l.maxBufferSize)} · per kernel binding ${mib(l.maxStorageBufferBindingSize)} · ` +
    `workgroup memory ${Math.round(l.maxComputeWorkgroupStorageSize / 1024)} KiB`
  );
}
