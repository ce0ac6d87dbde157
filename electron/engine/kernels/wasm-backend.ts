import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

export type { BackendWasm };

/**
 * The kernel registry hands every kernelFunc an untyped `backend: {}`; all kernels in this folder are
 * registered for backendName 'wasm' only, so the engine always passes a BackendWasm here.
 */
export function asWasm(backend: object): BackendWasm {
  return backend as BackendWasm;
}

/** An uninitialised float32 tensor on the wasm heap, owned by the caller until returned or released. */
export function allocF32(backend: BackendWasm, shape: number[]): TensorInfo {
  return backend.makeOutput(shape, 'float32');
}

/**
 * A Float32Array view of a tensor on the wasm heap. Any allocation (ours, or one inside a stock kernel)
 * may grow the heap and detach earlier views, so take views only after the last allocation before the
 * loop that uses them.
 */
export function f32(backend: BackendWasm, info: TensorInfo): Float32Array {
  const view = backend.typedArrayFromHeap(info);
  if (!(view instanceof Float32Array)) {
    throw new Error(`expected a float32 tensor, got ${info.dtype}`);
  }
  return view;
}

/** Drops our reference to intermediate tensors (frees their heap memory and cached XNNPACK operators). */
export function release(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** The same heap buffer under another shape of equal size; the caller must not release it. */
export function withShape(info: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

export function assertFloat32(kernel: string, ...infos: TensorInfo[]): void {
  for (const info of infos) {
    if (info.dtype !== 'float32')
      throw new Error(`${kernel} (lab wasm kernel) supports float32 only, got ${info.dtype}`);
  }
}

export function input(inputs: NamedTensorInfoMap, name: string, kernel: string): TensorInfo {
  const info = inputs[name];
  if (info === undefined) throw new Error(`${kernel} (lab wasm kernel): missing input '${name}'`);
  return info;
}

/**
 * The registry types attrs as a generic NamedAttrMap; the engine fills them from the op that invoked
 * the kernel, so the kernel's own attrs interface from tfjs-core describes them.
 */
export function attrsAs<T>(attrs: NamedAttrMap | undefined): T {
  return (attrs ?? {}) as unknown as T;
}
