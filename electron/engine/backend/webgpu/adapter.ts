import type { GpuAdapterInfo, GpuLimits } from '../../../../shared/backend-types.js';
import { adapterLabel } from '../../../../shared/gpu-adapter.js';
import type { AdapterApi, GpuApi } from './gpu-api.js';

export { adapterLabel };

/** The limits the lab requests at their adapter maxima (TF.js's own choice) and reports. */
const LIMITS: readonly (keyof GpuLimits)[] = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupsPerDimension',
];

/** Limits TF.js's kernels also rely on being raised to the adapter's maximum. */
const EXTRA_LIMITS = ['maxComputeWorkgroupSizeX'] as const;

// CPU rasterisers that may not set isFallbackAdapter: Mesa's lavapipe/llvmpipe, SwiftShader,
// Microsoft's WARP ("Basic Render Driver").
const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|basic render driver|\bwarp\b/i;

/** An adapter and what the lab reports of it. */
export interface FoundAdapter {
  adapter: AdapterApi;
  info: GpuAdapterInfo;
}

/** The adapter's identity, fallback flag and limits. */
export function describeAdapter(adapter: AdapterApi): GpuAdapterInfo {
  const i = adapter.info;
  const limits = Object.fromEntries(
    LIMITS.map((k) => [k, Number(adapter.limits[k] ?? 0)]),
  ) as unknown as GpuLimits;
  const text = `${i.description} ${i.device} ${i.architecture}`;
  return {
    vendor: i.vendor,
    architecture: i.architecture,
    device: i.device,
    description: i.description,
    isFallback:
      i.isFallbackAdapter === true ||
      adapter.isFallbackAdapter === true ||
      i.architecture === 'software' ||
      SOFTWARE.test(text),
    limits,
  };
}

/**
 * Every adapter WebGPU will hand out here: the high-performance and low-power choices (a discrete
 * and an integrated GPU on a laptop) and the fallback one, without duplicates. WebGPU has no
 * enumeration call; these three requests are what a page can see too.
 */
export async function findAdapters(gpu: GpuApi): Promise<FoundAdapter[]> {
  const found: FoundAdapter[] = [];
  for (const request of [
    { powerPreference: 'high-performance' as const },
    { powerPreference: 'low-power' as const },
    { forceFallbackAdapter: true },
  ]) {
    const adapter = await gpu.requestAdapter(request);
    if (!adapter) continue;
    const info = describeAdapter(adapter);
    const key = `${info.vendor}|${info.device}|${info.description}`;
    if (!found.some((f) => `${f.info.vendor}|${f.info.device}|${f.info.description}` === key)) {
      found.push({ adapter, info });
    }
  }
  return found;
}

/**
 * The adapter a run uses: the first hardware adapter, or — only when `allowSoftware` (the backend
 * was asked for by name) — a software one. Throws why there is none.
 */
export function pickAdapter(found: readonly FoundAdapter[], allowSoftware: boolean): FoundAdapter {
  const hardware = found.find((f) => !f.info.isFallback);
  if (hardware) return hardware;
  const software = found[0];
  if (software && allowSoftware) return software;
  if (software) {
    throw new Error(
      `only a software adapter (${adapterLabel(software.info)}), a CPU pretending to be a GPU: ` +
        'never chosen automatically (--backend webgpu forces it)',
    );
  }
  throw new Error('Dawn found no WebGPU adapter (no Vulkan, Metal or Direct3D 12 driver)');
}

/** The device descriptor TF.js's own WebGPU set-up uses: the adapter's limits, timestamp queries when present. */
export function deviceDescriptor(adapter: AdapterApi): {
  requiredFeatures: string[];
  requiredLimits: Record<string, number>;
} {
  const requiredLimits: Record<string, number> = {};
  for (const k of [...LIMITS, ...EXTRA_LIMITS]) {
    const v = adapter.limits[k];
    if (v !== undefined) requiredLimits[k] = v;
  }
  return {
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    requiredLimits,
  };
}

/** The fix when no hardware adapter was found, for this platform. */
export function adapterFix(platform: NodeJS.Platform = process.platform): string {
  switch (platform) {
    case 'darwin':
      return 'Metal needs no install on macOS 11+; update macOS if no adapter is found';
    case 'win32':
      return 'install or update the GPU vendor’s driver (Direct3D 12: Windows 10 or later)';
    default:
      return (
        'install the Vulkan driver of your GPU: NVIDIA’s proprietary driver, or Mesa’s ' +
        '(Debian/Ubuntu: apt install mesa-vulkan-drivers; Mesa ≥ 23 for Dawn) for AMD and Intel; ' +
        'check with vulkaninfo --summary'
      );
  }
}
