import type { ConvGeometry } from './conv-geometry.js';

/**
 * Writes the transposed patch matrix colᵀ for the output rows [row0, row0 + rows) (a row being one
 * (n, oh) pair): out[k][m] with k = (kh, kw, ci) and m = (n, oh, ow) relative to the chunk. `planes`
 * is x in channel-major layout [ci][n][h][w], so every run along ow reads consecutive (or
 * stride-spaced) floats of one plane. Taps in the padding become zeros.
 */
export function im2colTransposed(
  planes: Float32Array,
  g: ConvGeometry,
  row0: number,
  rows: number,
  out: Float32Array,
): void {
  if (g.strideH === 1 && g.strideW === 1 && g.outW === g.inW) {
    im2colTransposedSameWidth(planes, g, row0, rows, out);
    return;
  }
  const { inH, inW, inC, outH, outW, kH, kW, strideH, strideW, padTop, padLeft } = g;
  const cols = rows * outW;
  const planeSize = g.batch * inH * inW;
  let k = 0;
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      // Output columns whose tap lands inside the image: iw = ow·sw + kw − pl ∈ [0, inW).
      const owLo = Math.min(outW, Math.max(0, Math.ceil((padLeft - kw) / strideW)));
      const owHi = Math.max(owLo, Math.min(outW, Math.floor((inW - 1 + padLeft - kw) / strideW) + 1));
      for (let ci = 0; ci < inC; ci++, k++) {
        const plane = ci * planeSize;
        let d = k * cols;
        for (let r = row0; r < row0 + rows; r++) {
          const n = (r / outH) | 0;
          const ih = (r - n * outH) * strideH + kh - padTop;
          if (ih < 0 || ih >= inH) {
            out.fill(0, d, d + outW);
            d += outW;
            continue;
          }
          const rowBase = plane + (n * inH + ih) * inW + kw - padLeft;
          let ow = 0;
          for (; ow < owLo; ow++) out[d++] = 0;
          if (strideW === 1) {
            for (let s = rowBase + ow; ow < owHi; ow++) out[d++] = planes[s++]!;
          } else {
            for (let s = rowBase + ow * strideW; ow < owHi; ow++, s += strideW) out[d++] = planes[s]!;
          }
          for (; ow < outW; ow++) out[d++] = 0;
        }
      }
    }
  }
}

/**
 * Stride 1 with output width = input width (the 'same' layers): for one tap, the output rows of an
 * image read consecutive input rows shifted by (kh − pt, kw − pl), so each (tap, image) is one block
 * copy; the one or two columns per row that wrap around the row edge are then zeroed.
 */
function im2colTransposedSameWidth(
  planes: Float32Array,
  g: ConvGeometry,
  row0: number,
  rows: number,
  out: Float32Array,
): void {
  const { inH, inW, inC, outH, outW, kH, kW, padTop, padLeft } = g;
  const cols = rows * outW;
  const planeSize = g.batch * inH * inW;
  const rowEnd = row0 + rows;
  let k = 0;
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      const shift = kw - padLeft;
      const owLo = Math.min(outW, Math.max(0, -shift));
      const owHi = Math.max(owLo, Math.min(outW, inW - shift));
      for (let ci = 0; ci < inC; ci++, k++) {
        const plane = ci * planeSize;
        const dBase = k * cols - row0 * outW;
        for (let r = row0; r < rowEnd;) {
          const n = (r / outH) | 0;
          const imageEnd = Math.min(rowEnd, (n + 1) * outH);
          // Output rows of this image whose input row ih = oh + kh − pt exists.
          const lo = Math.min(imageEnd, Math.max(r, n * outH + padTop - kh));
          const hi = Math.max(lo, Math.min(imageEnd, n * outH + inH + padTop - kh));
          out.fill(0, dBase + r * outW, dBase + lo * outW);
          out.fill(0, dBase + hi * outW, dBase + imageEnd * outW);
          if (hi > lo) {
            const d0 = dBase + lo * outW;
            // Reads may run one element past either end of the row block (into a neighbouring row or
            // plane, or off the buffer at its very ends); those land on wrap columns zeroed below.
            let s0 = plane + (n * inH + lo - n * outH + kh - padTop) * inW + shift;
            const s1 = Math.min(s0 + (hi - lo) * outW, planes.length);
            const skip = Math.max(0, -s0);
            s0 += skip;
            out.set(planes.subarray(s0, s1), d0 + skip);
            for (let d = d0; d < d0 + (hi - lo) * outW; d += outW) {
              for (let ow = 0; ow < owLo; ow++) out[d + ow] = 0;
              for (let ow = owHi; ow < outW; ow++) out[d + ow] = 0;
            }
          }
          r = imageEnd;
        }
      }
    }
  }
}
