import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { labKernel } from './batch-norm-train.js';
import { labWasm } from './lab-wasm.js';
import { allocF32, asWasm, f32, input, release } from './wasm-backend.js';

/**
 * The cosine-similarity kernels of the LGG (lgg/cosine.ts), in the lab's SIMD wasm module: row
 * normalisation in one pass (two outputs: the rows and their squared norms), its gradient in one,
 * and the Gram matrix of the normalised rows on its upper triangle only, mirrored (half the
 * multiply-adds of XNNPACK's general product, and exactly symmetric).
 */
export const LAB_LGG = {
  normalize: 'LabRowNormalize',
  normalizeGrad: 'LabRowNormalizeGrad',
  gram: 'LabGramSym',
  gramGrad: 'LabGramSymGrad',
  knnMask: 'LabKnnMask',
} as const;

/** Scratch floats of matMulPacked's packed panel (PK × PN in wasm/lgg.ts). */
const PANEL_FLOATS = 256 * 256;

function matrix(kernel: string, t: TensorInfo): [number, number] {
  const [rows, d] = t.shape;
  if (t.shape.length !== 2 || rows === undefined || d === undefined) {
    throw new Error(
      `${kernel} (lab wasm kernel) needs a [rows, features] matrix, got [${t.shape.join(', ')}]`,
    );
  }
  return [rows, d];
}

const rowNormalizeConfig = labKernel(LAB_LGG.normalize, (b, ptr, get) => {
  const x = get('x');
  const [rows, d] = matrix(LAB_LGG.normalize, x);
  const y = allocF32(b, [rows, d]);
  const ss = allocF32(b, [rows]);
  labWasm(b).rowNormalize(ptr(x), rows, d, ptr(y), ptr(ss));
  return [y, ss];
});

const rowNormalizeGradConfig = labKernel(LAB_LGG.normalizeGrad, (b, ptr, get) => {
  const dy = get('dy');
  const y = get('y');
  const ss = get('ss');
  const [rows, d] = matrix(LAB_LGG.normalizeGrad, dy);
  const [yRows, yD] = matrix(LAB_LGG.normalizeGrad, y);
  if (yRows !== rows || yD !== d || ss.shape[0] !== rows) {
    throw new Error(
      `${LAB_LGG.normalizeGrad}: dy [${dy.shape.join(', ')}], y [${y.shape.join(', ')}] and ss [${ss.shape.join(', ')}] disagree`,
    );
  }
  const dx = allocF32(b, [rows, d]);
  labWasm(b).rowNormalizeGrad(ptr(dy), ptr(y), ptr(ss), rows, d, ptr(dx));
  return dx;
});

const gramSymConfig = labKernel(LAB_LGG.gram, (b, ptr, get) => {
  const x = get('x');
  const [n, d] = matrix(LAB_LGG.gram, x);
  const out = allocF32(b, [n, n]);
  const panel = allocF32(b, [PANEL_FLOATS]);
  labWasm(b).gramPacked(ptr(x), n, d, ptr(out), ptr(panel));
  release(b, panel);
  return out;
});

/** dY = (dG + dGᵀ) Y, the gradient of Y Yᵀ: one packed SIMD product (XNNPACK measured ~1.5x slower here). */
const gramGradConfig = labKernel(LAB_LGG.gramGrad, (b, ptr, get) => {
  const dg = get('dg');
  const y = get('y');
  const [n, d] = matrix(LAB_LGG.gramGrad, y);
  if (dg.shape[0] !== n || dg.shape[1] !== n) {
    throw new Error(`${LAB_LGG.gramGrad}: dG [${dg.shape.join(', ')}] for Y [${n}, ${d}]`);
  }
  const s = allocF32(b, [n, n]);
  const panel = allocF32(b, [PANEL_FLOATS]);
  const out = allocF32(b, [n, d]);
  const lab = labWasm(b);
  lab.addTranspose(ptr(dg), n, ptr(s));
  lab.matMulPacked(ptr(s), n, n, ptr(y), d, ptr(out), ptr(panel));
  release(b, s, panel);
  return out;
});

/**
 * The kNN mask of a square graph from its top-k indices [n, k] (int32): 1 at (i, j) and (j, i) for
 * every kept j of row i, else 0, i.e. the union max(M, Mᵀ), written straight into the output. The
 * TF.js path (a scatter, a transpose and a maximum) takes three passes over the n × n matrix.
 */
const knnMaskConfig: KernelConfig = {
  kernelName: LAB_LGG.knnMask,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend: untyped }) => {
    const b = asWasm(untyped);
    const indices = input(inputs, 'indices', LAB_LGG.knnMask);
    const [n, k] = indices.shape;
    if (indices.dtype !== 'int32' || indices.shape.length !== 2 || n === undefined || k === undefined) {
      throw new Error(
        `${LAB_LGG.knnMask} needs int32 indices [n, k], got ${indices.dtype} [${indices.shape.join(', ')}]`,
      );
    }
    const out = allocF32(b, [n, n]);
    const m = f32(b, out);
    const at = b.typedArrayFromHeap(indices);
    m.fill(0);
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < k; t++) {
        const j = at[i * k + t] ?? -1;
        if (!(j >= 0 && j < n))
          throw new Error(`${LAB_LGG.knnMask}: index ${j} in row ${i} is outside 0…${n - 1}`);
        m[i * n + j] = 1;
        m[j * n + i] = 1;
      }
    }
    return out;
  },
};

/** The LGG kernels (new kernel names: they replace no stock kernel). */
export const LGG_KERNELS: readonly KernelConfig[] = [
  rowNormalizeConfig,
  rowNormalizeGradConfig,
  gramSymConfig,
  gramGradConfig,
  knnMaskConfig,
];
