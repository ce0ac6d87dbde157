/** Compute backend names as the engine reports them. */
export type BackendName = 'tensorflow-gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';

/** The device limits of a WebGPU adapter that bound what a run can allocate (bytes unless said). */
export interface GpuLimits {
  /** Largest single buffer (one tensor), bytes. */
  maxBufferSize: number;
  /** Largest buffer one shader can bind as storage (one tensor a kernel reads or writes), bytes. */
  maxStorageBufferBindingSize: number;
  /** Shared memory per workgroup (tiled matrix products and convolutions), bytes. */
  maxComputeWorkgroupStorageSize: number;
  /** Threads per workgroup. */
  maxComputeInvocationsPerWorkgroup: number;
  /** Workgroups per dispatch dimension (bounds the largest elementwise op). */
  maxComputeWorkgroupsPerDimension: number;
}

/** A WebGPU adapter as Dawn describes it (`GPUAdapterInfo` plus the limits that matter). */
export interface GpuAdapterInfo {
  /** Vendor, e.g. `nvidia`, `amd`, `apple`, `intel`, `mesa` (may be empty). */
  vendor: string;
  /** Architecture, e.g. `ampere`, `rdna-3`, `common-3`; `software` for a CPU rasteriser. */
  architecture: string;
  /** Device identifier, e.g. `llvmpipe-llvm-15-0-6-256-bits-`. */
  device: string;
  /** Driver's description, e.g. `llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)`. */
  description: string;
  /**
   * A software adapter (Mesa lavapipe, SwiftShader, WARP): correct but a CPU pretending to be a
   * GPU, so never chosen by `auto`.
   */
  isFallback: boolean;
  /** Limits of the device the lab requests (the adapter's own maxima). */
  limits: GpuLimits;
}

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
  /** The WebGPU adapter when the backend is `webgpu`. */
  adapter?: GpuAdapterInfo;
  /** Preferred backends that were skipped, in order. */
  fallbacks: BackendFallback[];
  /** Kernels registered by the lab on this backend (training gradients missing upstream). */
  customKernels: string[];
  /** Platform string, e.g. `linux x64`. */
  platform: string;
  /** Logical CPUs. */
  cpus: number;
}
