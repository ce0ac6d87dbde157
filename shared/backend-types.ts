/** Compute backend names as the engine reports them. */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** Why a preferred backend was not used. */
export interface BackendFallback {
  /** The backend that did not load. */
  backend: BackendName;
  /** Why, in one sentence. */
  reason: string;
  /** What would make it load (e.g. the CUDA version tfjs-node-gpu needs). */
  fix?: string;
}

/** What `lgg-lab info` and the System screen show. */
export interface BackendInfo {
  /** Backend in use. */
  backend: BackendName;
  /** Version of @tensorflow/tfjs-core. */
  tfjsVersion: string;
  /** Node.js version of the engine process. */
  nodeVersion: string;
  /** Electron version when the engine runs under Electron. */
  electronVersion?: string;
  /**
   * Threads a run can train with on this backend: the cores, as data-parallel replicas on wasm and
   * cpu (each a single-threaded backend instance), or the native library's own thread pool.
   */
  threads: number;
  /** Whether the wasm backend runs its SIMD build. */
  simd?: boolean;
  /** GPU description when a GPU backend is in use. */
  gpu?: string;
  /** Preferred backends that were skipped, in order. */
  fallbacks: BackendFallback[];
  /** Kernels registered by the lab on this backend (training gradients missing upstream). */
  customKernels: string[];
  /** Platform string, e.g. `linux x64`. */
  platform: string;
  /** Logical CPUs. */
  cpus: number;
}
