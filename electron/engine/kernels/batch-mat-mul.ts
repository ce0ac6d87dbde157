import { BatchMatMul, broadcast_util, util } from '@tensorflow/tfjs-core';
import type { BatchMatMulAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { copyBlock, transpose2d, transposeBlock } from './layout.js';
import { runStock } from './stock-kernels.js';
import { allocF32, asWasm, attrsAs, f32, input, release, withShape } from './wasm-backend.js';
import type { BackendWasm } from './wasm-backend.js';

/**
 * Inner-dimension chunk of long products. XNNPACK's fully-connected operator does not block the
 * inner dimension, so with k in the thousands each micro-tile streams its panels from L2; summing
 * products over 512-wide slices measured ~2x faster for the LGG Gram (B = 256-1024, D = 3136-12544).
 */
const K_CHUNK = 512;
/** Chunk only products that are long and large enough for the extra slicing to pay off. */
const CHUNK_MIN_K = 4 * K_CHUNK;
const CHUNK_MIN_OUTPUT = 64 * 64;

/**
 * The stock kernel only reaches XNNPACK when neither operand is transposed and neither has a batch;
 * every other product falls to a scalar triple loop, measured 10-14x slower than its FLOP count
 * implies (dense-layer gradients and the LGG Gram X̂X̂ᵀ both hit it). For unbatched float32 products
 * we lay the operands out in JS and hand XNNPACK plain A·B products. Batched products go to stock.
 */
const batchMatMul: KernelFunc = ({ inputs, backend: untyped, attrs }) => {
  const backend = asWasm(untyped);
  const a = input(inputs, 'a', BatchMatMul);
  const b = input(inputs, 'b', BatchMatMul);
  const { transposeA, transposeB } = attrsAs<BatchMatMulAttrs>(attrs);
  const [aRows, aCols] = lastTwo(a.shape);
  const [bRows, bCols] = lastTwo(b.shape);
  const m = transposeA ? aCols : aRows;
  const k = transposeA ? aRows : aCols;
  const n = transposeB ? bRows : bCols;
  const empty = m * n * k === 0;
  const unbatched = outerSize(a) === 1 && outerSize(b) === 1;
  // Plain products stay with the stock kernel: it caches the packed right operand by tensor id, which
  // serves fixed weights (evaluation) better than re-slicing them on every call.
  const plain = !transposeA && !transposeB;
  if (plain || empty || !unbatched || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return runStock(BatchMatMul, backend, inputs, { transposeA, transposeB });
  }
  const kB = transposeB ? bCols : bRows;
  util.assert(
    k === kB,
    () =>
      `Error in matMul: inner shapes (${k}) and (${kB}) of [${a.shape.join(', ')}] and [${b.shape.join(', ')}] must match.`,
  );
  const outShape = broadcast_util
    .assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2))
    .concat([m, n]);

  // Elements moved in JS plus those XNNPACK packs from the right-hand operand (packing is per call
  // because the operator cache is keyed on that operand's tensor id):
  //   direct  C  = op(A)·op(B)      transposes the flagged operands;
  //   swapped Cᵀ = op(B)ᵀ·op(A)ᵀ    transposes the unflagged operands and then the result.
  const direct = (transposeA ? m * k : 0) + (transposeB ? k * n : 0) + k * n;
  const swapped = (transposeB ? 0 : k * n) + (transposeA ? 0 : m * k) + m * n + k * m;
  const out =
    direct <= swapped
      ? product(backend, { t: a, flip: transposeA }, { t: b, flip: transposeB }, m, k, n)
      : transposed(
          backend,
          product(backend, { t: b, flip: !transposeB }, { t: a, flip: !transposeA }, n, k, m),
        );
  out.shape = outShape;
  return out;
};

/** A product operand: `t` holds the logical matrix, or its transpose when `flip` is set. */
interface Operand {
  t: TensorInfo;
  flip: boolean;
}

/** left [p, k] · right [k, q] as plain XNNPACK products, summed over inner slices when k is long. */
function product(
  backend: BackendWasm,
  left: Operand,
  right: Operand,
  p: number,
  k: number,
  q: number,
): TensorInfo {
  if (k >= CHUNK_MIN_K && p * q >= CHUNK_MIN_OUTPUT) return chunkedProduct(backend, left, right, p, k, q);
  const l = left.flip ? transposedCopy(backend, left.t, k, p) : withShape(left.t, [1, p, k]);
  const r = right.flip ? transposedCopy(backend, right.t, q, k) : withShape(right.t, [1, k, q]);
  const out = runStock(BatchMatMul, backend, { a: l, b: r }, { transposeA: false, transposeB: false });
  if (left.flip) release(backend, l);
  if (right.flip) release(backend, r);
  return out;
}

/** A [1, cols, rows] copy of a tensor holding a row-major [rows, cols] matrix. */
function transposedCopy(backend: BackendWasm, t: TensorInfo, rows: number, cols: number): TensorInfo {
  const copy = allocF32(backend, [1, cols, rows]);
  transpose2d(f32(backend, t), rows, cols, f32(backend, copy));
  return copy;
}

function chunkedProduct(
  backend: BackendWasm,
  left: Operand,
  right: Operand,
  p: number,
  k: number,
  q: number,
): TensorInfo {
  let acc: TensorInfo | undefined;
  let leftSlice: TensorInfo | undefined;
  for (let k0 = 0; k0 < k; k0 += K_CHUNK) {
    const width = Math.min(K_CHUNK, k - k0);
    // The left slice buffer is reused: the matmul caches only its right operand, by tensor id, so
    // that one must be a fresh tensor per slice.
    if (leftSlice === undefined || leftSlice.shape[2] !== width) {
      if (leftSlice !== undefined) release(backend, leftSlice);
      leftSlice = allocF32(backend, [1, p, width]);
    }
    const rightSlice = allocF32(backend, [1, width, q]);
    const l = f32(backend, left.t);
    const r = f32(backend, right.t);
    if (left.flip) transposeBlock(l, k0 * p, p, width, p, f32(backend, leftSlice), width);
    else copyBlock(l, k0, k, p, width, f32(backend, leftSlice));
    if (right.flip) transposeBlock(r, k0, k, q, width, f32(backend, rightSlice), q);
    else copyBlock(r, k0 * q, q, width, q, f32(backend, rightSlice));
    const part = runStock(
      BatchMatMul,
      backend,
      { a: leftSlice, b: rightSlice },
      { transposeA: false, transposeB: false },
    );
    release(backend, rightSlice);
    if (acc === undefined) {
      acc = part;
    } else {
      const sum = f32(backend, acc);
      const add = f32(backend, part);
      for (let i = 0; i < sum.length; i++) sum[i] = sum[i]! + add[i]!;
      release(backend, part);
    }
  }
  if (leftSlice !== undefined) release(backend, leftSlice);
  if (acc === undefined) throw new Error('BatchMatMul: empty inner dimension');
  return acc;
}

function transposed(backend: BackendWasm, productInfo: TensorInfo): TensorInfo {
  const [rows, cols] = lastTwo(productInfo.shape);
  const out = allocF32(backend, [1, cols, rows]);
  transpose2d(f32(backend, productInfo), rows, cols, f32(backend, out));
  release(backend, productInfo);
  return out;
}

function outerSize(t: TensorInfo): number {
  return util.sizeFromShape(t.shape.slice(0, -2));
}

function lastTwo(shape: readonly number[]): [number, number] {
  const rows = shape[shape.length - 2];
  const cols = shape[shape.length - 1];
  if (rows === undefined || cols === undefined) {
    throw new Error(`BatchMatMul operands need rank ≥ 2, got [${shape.join(', ')}]`);
  }
  return [rows, cols];
}

export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul,
};
