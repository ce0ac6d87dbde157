// The slice of the WebGPU API the lab touches, typed structurally: the `webgpu` package (and with
// it @webgpu/types) is an optional dependency, and the engine must build and run without it.

/** Options of `navigator.gpu.requestAdapter`. */
export interface AdapterRequest {
  powerPreference?: 'low-power' | 'high-performance';
  forceFallbackAdapter?: boolean;
}

/** `GPUAdapterInfo`. */
export interface AdapterInfoApi {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  readonly isFallbackAdapter?: boolean;
}

/** `GPUDeviceLostInfo`. */
export interface DeviceLostInfo {
  readonly reason: string;
  readonly message: string;
}

/** `GPUError` (its constructor's name tells the kind: GPUOutOfMemoryError, GPUValidationError, GPUInternalError). */
export interface GpuErrorApi {
  readonly message: string;
}

/** `GPUDevice`. */
export interface DeviceApi {
  readonly lost: Promise<DeviceLostInfo>;
  onuncapturederror: ((event: { error: GpuErrorApi }) => void) | null;
  destroy(): void;
}

/** `GPUAdapter`. */
export interface AdapterApi {
  readonly info: AdapterInfoApi;
  readonly limits: Readonly<Record<string, number>>;
  readonly features: ReadonlySet<string>;
  readonly isFallbackAdapter?: boolean;
  requestDevice(descriptor?: {
    requiredFeatures?: string[];
    requiredLimits?: Record<string, number>;
  }): Promise<DeviceApi>;
}

/** `GPU` (`navigator.gpu`). */
export interface GpuApi {
  requestAdapter(options?: AdapterRequest): Promise<AdapterApi | null>;
}
