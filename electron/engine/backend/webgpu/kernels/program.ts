import type { TensorInfo } from '@tensorflow/tfjs-core';

// The lab's WebGPU programs use TF.js's own program interface (the backend generates the
// bindings, the index helpers `getCoordsFromIndex`/`getX`, and caches pipelines by shaderKey).

interface WebGpuUtil {
  flatDispatchLayout(shape: number[]): { x: number[] };
  computeDispatch(
    layout: { x: number[] },
    outputShape: number[],
    workgroupSize: [number, number, number],
    elementsPerThread: [number, number, number],
  ): [number, number, number];
}

interface WebGpuBackendApi {
  runWebGPUProgram(
    program: object,
    inputs: TensorInfo[],
    outputDtype: string,
    uniforms?: { type: 'int32' | 'float32'; data: number[] }[],
  ): TensorInfo;
}

let util: WebGpuUtil | undefined;

/** Loads TF.js's webgpu helpers (the package is imported by the backend's start before any kernel runs). */
export async function loadWebGpuUtil(): Promise<void> {
  const mod = (await import('@tensorflow/tfjs-backend-webgpu')) as unknown as { webgpu_util: WebGpuUtil };
  util = mod.webgpu_util;
}

/** A one-thread-per-output-element program. */
export interface FlatProgram {
  /** Names of the inputs as the shader reads them (`getX`, `A[…]`). */
  variableNames: string[];
  /** Shape of the output. */
  outputShape: number[];
  /** Pipeline cache key: every shape-independent variant must differ. */
  shaderKey: string;
  /** Uniform declarations (`name : type,` …), passed with {@link runFlatProgram}. */
  uniforms?: string;
  /** WGSL body: `fn main(index : i32) { … }`. */
  userCode: string;
}

/** Runs a flat program on the webgpu backend. */
export function runFlatProgram(
  backend: object,
  p: FlatProgram,
  inputs: TensorInfo[],
  dtype: string,
  uniforms: { type: 'int32' | 'float32'; data: number[] }[] = [],
): TensorInfo {
  if (!util) throw new Error('the webgpu helpers are not loaded (start the backend first)');
  const workgroupSize: [number, number, number] = [64, 1, 1];
  const dispatchLayout = util.flatDispatchLayout(p.outputShape);
  const program = {
    variableNames: p.variableNames,
    workPerThread: 1,
    workgroupSize,
    size: true,
    outputShape: p.outputShape,
    dispatchLayout,
    dispatch: util.computeDispatch(dispatchLayout, p.outputShape, workgroupSize, [1, 1, 1]),
    shaderKey: p.shaderKey,
    ...(p.uniforms ? { uniforms: p.uniforms } : {}),
    getUserCode: () => p.userCode,
  };
  return (backend as WebGpuBackendApi).runWebGPUProgram(program, inputs, dtype, uniforms);
}
