import {
  Max,
  Min,
  Prod,
  Sum,
  Transpose,
  backend_util,
  util,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { runFlatProgram, type FlatProgram } from './program.js';
import { runStock } from './stock.js';

// Upstream's general transpose program (rank ≥ 3, or anything but a plain 2-D swap) writes its
// result through `setOutputAtIndex(…, value : f32)` whatever the dtype, so for int32 and bool WGSL
// refuses it ("type mismatch … expected 'f32', got 'i32'") and the result is all zeros. Its shader
// key also ignores the dtype. The reductions go through it whenever the reduced axes are not the
// innermost ones, so a sum over the middle axis of an int32 tensor (the kNN mask of every LGG) was
// zero. (Casting to float32 does not help: int32 → float32 is a relabel on this backend.)

const COORDS = ['x', 'y', 'z', 'w', 'u', 'v'];

function coordsType(rank: number): string {
  if (rank <= 1) return 'i32';
  if (rank <= 4) return `vec${rank}<i32>`;
  return `vec${rank}`;
}

/** The same program as upstream's, writing through the integer setter, keyed by dtype. */
function integerTranspose(x: TensorInfo, perm: number[], backend: object): TensorInfo {
  const rank = x.shape.length;
  if (rank > 6) throw new Error(`Transpose for rank ${rank} is not supported`);
  const switched = new Array<string>(rank);
  perm.forEach((p, i) => (switched[p] = `coords.${COORDS[i] ?? 'x'}`));
  const program: FlatProgram = {
    variableNames: ['A'],
    outputShape: perm.map((p) => x.shape[p] ?? 1),
    shaderKey: `lab_transpose_i32_${perm.join(',')}`,
    userCode: `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let coords = getCoordsFromIndex(index);
          setOutputAtIndexI32(index, A[getIndexFromCoords${rank}D(
            ${coordsType(rank)}(${switched.join(',')}), uniforms.aShape)]);
        }
      }`,
  };
  return runFlatProgram(backend, program, [x], x.dtype);
}

const transpose: KernelFunc = ({ inputs, backend, attrs }) => {
  const x = inputs.x as TensorInfo;
  const perm = (attrs as { perm: number[] }).perm;
  const plainSwap = x.shape.length === 2 && perm[0] === 1 && perm[1] === 0;
  if (x.dtype === 'float32' || plainSwap) return runStock(Transpose, backend, inputs, attrs);
  return integerTranspose(x, perm, backend);
};

/** A reduction of an integer tensor: its reduced axes moved innermost first, by the integer transpose. */
function integerReduction(kernelName: string): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs = {} }) => {
    const x = inputs.x as TensorInfo;
    const b = backend as KernelBackend;
    // Max names its axes `reductionIndices`, the others `axis`.
    const key = 'reductionIndices' in attrs ? 'reductionIndices' : 'axis';
    const a = attrs as Record<string, unknown> & { keepDims: boolean };
    const rank = x.shape.length;
    const axes = util.parseAxisParam(a[key] as number | number[], x.shape);
    const perm = backend_util.getAxesPermutation(axes, rank);
    if (x.dtype === 'float32' || perm === null) return runStock(kernelName, backend, inputs, attrs);
    const moved = integerTranspose(x, perm, backend);
    const inner = backend_util.getInnerMostAxes(axes.length, rank);
    const reduced = runStock(kernelName, backend, { x: moved }, { [key]: inner, keepDims: false });
    b.disposeData(moved.dataId);
    if (!a.keepDims) return reduced;
    const shape = backend_util.expandShapeToKeepDim(reduced.shape, axes);
    const out = runStock('Reshape', backend, { x: reduced }, { shape });
    b.disposeData(reduced.dataId);
    return out;
  };
  return { kernelName, backendName: 'webgpu', kernelFunc };
}

/** Transpose and the reductions, correct for int32 and bool tensors. */
export const INTEGER_TRANSPOSE_KERNELS: readonly KernelConfig[] = [
  { kernelName: Transpose, backendName: 'webgpu', kernelFunc: transpose },
  ...[Sum, Max, Min, Prod].map(integerReduction),
];
