import type { ConvGeometry } from './conv-geometry.js';

/**
 * Scatter-adds patch gradients back onto the input grid for the output rows [row0, row0 + rows) (a
 * row being one (n, oh) pair): for every output pixel and tap (kh, kw) inside the image,
 * dx[n, oh·sh + kh − pt, ow·sw + kw − pl, :] += cols[pixel − first pixel, kh, kw, :].
 * `dx` must start zeroed; `cols` is the [rows·outW, kH·kW·inC] product of those rows of dy with Wᵀ.
 */
export function col2im(
  cols: Float32Array,
  g: ConvGeometry,
  row0: number,
  rows: number,
  dx: Float32Array,
): void {
  const { inH, inW, inC, outH, outW, kH, kW, strideH, strideW, padTop, padLeft } = g;
  const rowLen = kH * kW * inC;
  let src = 0;
  for (let r = row0; r < row0 + rows; r++) {
    const n = (r / outH) | 0;
    const ih0 = (r - n * outH) * strideH - padTop;
    for (let ow = 0; ow < outW; ow++, src += rowLen) {
      const iw0 = ow * strideW - padLeft;
      for (let kh = 0; kh < kH; kh++) {
        const ih = ih0 + kh;
        if (ih < 0 || ih >= inH) continue;
        const rowBase = (n * inH + ih) * inW;
        for (let kw = 0; kw < kW; kw++) {
          const iw = iw0 + kw;
          if (iw < 0 || iw >= inW) continue;
          const s = src + (kh * kW + kw) * inC;
          const d = (rowBase + iw) * inC;
          for (let c = 0; c < inC; c++) dx[d + c] = dx[d + c]! + cols[s + c]!;
        }
      }
    }
  }
}
