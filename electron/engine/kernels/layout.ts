// Transposes and block copies done in JS on heap views, to feed XNNPACK products without transpose
// flags. (The stock Transpose kernel was no faster on these 2-D cases and costs a tensor round trip.)

/** Tile edge of the transposes, chosen so a tile of source and destination stays in L1. */
const TILE = 32;

/**
 * out[c·outStride + r] = src[srcOffset + r·srcStride + c] for r < rows, c < cols: transposes a
 * [rows, cols] block of a row-major matrix whose rows are srcStride apart.
 */
export function transposeBlock(
  src: Float32Array,
  srcOffset: number,
  srcStride: number,
  rows: number,
  cols: number,
  out: Float32Array,
  outStride: number,
): void {
  for (let r0 = 0; r0 < rows; r0 += TILE) {
    const r1 = Math.min(r0 + TILE, rows);
    for (let c0 = 0; c0 < cols; c0 += TILE) {
      const c1 = Math.min(c0 + TILE, cols);
      for (let r = r0; r < r1; r++) {
        const s = srcOffset + r * srcStride;
        for (let c = c0; c < c1; c++) out[c * outStride + r] = src[s + c]!;
      }
    }
  }
}

/** out[c][r] = src[r][c] for a row-major [rows, cols] matrix. */
export function transpose2d(src: Float32Array, rows: number, cols: number, out: Float32Array): void {
  transposeBlock(src, 0, cols, rows, cols, out, rows);
}

/** Copies a [rows, cols] block whose rows are srcStride apart into a dense [rows, cols] matrix. */
export function copyBlock(
  src: Float32Array,
  srcOffset: number,
  srcStride: number,
  rows: number,
  cols: number,
  out: Float32Array,
): void {
  if (srcStride === cols) {
    out.set(src.subarray(srcOffset, srcOffset + rows * cols));
    return;
  }
  for (let r = 0; r < rows; r++) {
    const s = srcOffset + r * srcStride;
    out.set(src.subarray(s, s + cols), r * cols);
  }
}
