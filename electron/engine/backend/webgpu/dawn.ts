import type { GpuApi } from './gpu-api.js';

interface DawnModule {
  create(flags: string[]): GpuApi;
  globals: Record<string, unknown>;
}

/** Dawn's Node bindings, loaded once per process (a native module cannot be unloaded). */
let dawn: DawnModule | undefined;

/**
 * Loads Dawn's Node bindings (`dawn.node` of the `webgpu` package, prebuilt for linux-x64/arm64,
 * darwin-universal and win32-x64/arm64) and installs the WebGPU globals TF.js reads
 * (`GPUBufferUsage`, `GPUMapMode`, …). Throws a sentence saying why when the package or the binary
 * for this platform is missing, or the binary does not load (e.g. an older glibc).
 */
export async function loadDawn(): Promise<DawnModule> {
  if (dawn) return dawn;
  let mod: DawnModule;
  try {
    mod = (await import('webgpu')) as unknown as DawnModule;
  } catch (e) {
    const m = e instanceof Error ? e.message : String(e);
    if (/Cannot find (module|package) 'webgpu'/.test(m)) {
      throw new Error('the webgpu package (Dawn) is not installed (optional dependency)');
    }
    if (/dawn\.node/.test(m) && /Cannot find module/.test(m)) {
      throw new Error(`Dawn has no prebuilt binary for ${process.platform}-${process.arch}`);
    }
    throw new Error(`Dawn's dawn.node did not load: ${m.split('\n')[0] ?? m}`);
  }
  for (const [name, value] of Object.entries(mod.globals)) {
    if (!(name in globalThis))
      Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  dawn = mod;
  return mod;
}

/** Dawn's options, e.g. `backend=vulkan` from LGG_LAB_DAWN_FLAGS (comma-free flags separated by spaces). */
export function dawnFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.LGG_LAB_DAWN_FLAGS ?? '').split(/\s+/).filter((f) => f.length > 0);
}

/**
 * Makes `navigator.gpu` the given GPU, the way TF.js's WebGPU backend looks it up, and returns a
 * function that undoes it (Dawn keeps a process alive while a GPU object is reachable).
 *
 * Node 20 has no `navigator`; Node 21+ (and Electron's Node 22) define a getter-only, configurable
 * `globalThis.navigator` whose object may not accept new properties. So: add `gpu` to the existing
 * object when it can take it, else shadow `navigator` with an object that inherits from it.
 */
export function exposeGpu(gpu: GpuApi, g: object = globalThis): () => void {
  const host = g as { navigator?: object };
  const saved = Object.getOwnPropertyDescriptor(g, 'navigator');
  const current = host.navigator;
  if (current !== undefined && current !== null) {
    try {
      Object.defineProperty(current, 'gpu', { value: gpu, configurable: true, writable: true });
      if ((host.navigator as { gpu?: unknown }).gpu === gpu) {
        return () => void Reflect.deleteProperty(current, 'gpu');
      }
    } catch {
      // Not extensible (frozen, or a host object refusing new properties): shadow it below.
    }
  }
  if (saved && !saved.configurable) {
    throw new Error(
      'globalThis.navigator is neither extensible nor configurable: cannot expose navigator.gpu',
    );
  }
  const shadow = Object.create(current ?? Object.prototype, {
    gpu: { value: gpu, configurable: true, writable: true, enumerable: true },
  }) as object;
  Object.defineProperty(g, 'navigator', { value: shadow, configurable: true, writable: true });
  return () => {
    if (saved) Object.defineProperty(g, 'navigator', saved);
    else Reflect.deleteProperty(g, 'navigator');
  };
}
