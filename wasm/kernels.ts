// The lab's own WebAssembly kernels (AssemblyScript, 128-bit SIMD), compiled by `npm run build:wasm`
// to dist/wasm/lab-kernels.wasm. The module imports the TF.js wasm backend's memory, so every
// pointer here is a byte offset of a tensor on that heap: no copies in or out. It must own no
// memory itself (no static data, no allocation): the build fails if the binary has a data segment.
//
// Layouts are TF.js's: NHWC activations, filters [kh, kw, in, out]. Channel counts given to the
// SIMD paths are multiples of 4 (callers check and fall back to the stock kernels otherwise).

// ---------------------------------------------------------------------------------------- BatchNorm

/** out[c] = Σ_r x[r·C + c] over `rows` rows of C channels (C a multiple of 4). */
export function channelSums(x: usize, rows: i32, c: i32, out: usize): void {
  for (let j = 0; j < c; j += 4) v128.store(out + ((<usize>j) << 2), f32x4.splat(0));
  for (let r = 0; r < rows; r++) {
    const row = x + ((<usize>r * <usize>c) << 2);
    for (let j = 0; j < c; j += 4) {
      const o = out + ((<usize>j) << 2);
      v128.store(o, f32x4.add(v128.load(o), v128.load(row + ((<usize>j) << 2))));
    }
  }
}

/** out[c] = Σ_r (x[r·C + c] − mean[c])². */
export function channelCentredSquares(x: usize, rows: i32, c: i32, mean: usize, out: usize): void {
  for (let j = 0; j < c; j += 4) v128.store(out + ((<usize>j) << 2), f32x4.splat(0));
  for (let r = 0; r < rows; r++) {
    const row = x + ((<usize>r * <usize>c) << 2);
    for (let j = 0; j < c; j += 4) {
      const o = out + ((<usize>j) << 2);
      const d = f32x4.sub(v128.load(row + ((<usize>j) << 2)), v128.load(mean + ((<usize>j) << 2)));
      v128.store(o, f32x4.add(v128.load(o), f32x4.mul(d, d)));
    }
  }
}

/** xHat = (x − mean)·invStd; y = xHat·gamma + beta (per channel). */
export function batchNormForward(
  x: usize,
  rows: i32,
  c: i32,
  mean: usize,
  invStd: usize,
  gamma: usize,
  beta: usize,
  xHat: usize,
  y: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const at = (<usize>r * <usize>c) << 2;
    for (let j = 0; j < c; j += 4) {
      const k = (<usize>j) << 2;
      const h = f32x4.mul(f32x4.sub(v128.load(x + at + k), v128.load(mean + k)), v128.load(invStd + k));
      v128.store(xHat + at + k, h);
      v128.store(y + at + k, f32x4.add(f32x4.mul(h, v128.load(gamma + k)), v128.load(beta + k)));
    }
  }
}

/** sumDy[c] = Σ dy, sumDyXHat[c] = Σ dy·xHat. */
export function batchNormGradSums(
  dy: usize,
  xHat: usize,
  rows: i32,
  c: i32,
  sumDy: usize,
  sumDyXHat: usize,
): void {
  for (let j = 0; j < c; j += 4) {
    v128.store(sumDy + ((<usize>j) << 2), f32x4.splat(0));
    v128.store(sumDyXHat + ((<usize>j) << 2), f32x4.splat(0));
  }
  for (let r = 0; r < rows; r++) {
    const at = (<usize>r * <usize>c) << 2;
    for (let j = 0; j < c; j += 4) {
      const k = (<usize>j) << 2;
      const g = v128.load(dy + at + k);
      v128.store(sumDy + k, f32x4.add(v128.load(sumDy + k), g));
      v128.store(sumDyXHat + k, f32x4.add(v128.load(sumDyXHat + k), f32x4.mul(g, v128.load(xHat + at + k))));
    }
  }
}

/** dx = scale·(dy − meanDy − xHat·meanDyXHat) per channel. */
export function batchNormBackward(
  dy: usize,
  xHat: usize,
  rows: i32,
  c: i32,
  scale: usize,
  meanDy: usize,
  meanDyXHat: usize,
  dx: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const at = (<usize>r * <usize>c) << 2;
    for (let j = 0; j < c; j += 4) {
      const k = (<usize>j) << 2;
      const centred = f32x4.sub(
        f32x4.sub(v128.load(dy + at + k), v128.load(meanDy + k)),
        f32x4.mul(v128.load(xHat + at + k), v128.load(meanDyXHat + k)),
      );
      v128.store(dx + at + k, f32x4.mul(centred, v128.load(scale + k)));
    }
  }
}

// ------------------------------------------------------------------------------------ Convolutions

/**
 * Copies x [n, h, w, c] into out [n, h + top + bottom, w + left + right, c] with a zero border, so
 * the convolution loops below need no bounds checks.
 */
export function padImages(
  x: usize,
  n: i32,
  h: i32,
  w: i32,
  c: i32,
  top: i32,
  bottom: i32,
  left: i32,
  right: i32,
  out: usize,
): void {
  const ph = h + top + bottom;
  const pw = w + left + right;
  const rowBytes = (<usize>(w * c)) << 2;
  memory.fill(out, 0, (<usize>n * <usize>ph * <usize>pw * <usize>c) << 2);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < h; r++) {
      const src = x + ((<usize>(i * h + r) * <usize>w * <usize>c) << 2);
      const dst = out + ((<usize>((i * ph + r + top) * pw + left) * <usize>c) << 2);
      memory.copy(dst, src, rowBytes);
    }
  }
}

/** Byte offset in the padded input of the top-left tap of output pixel `q` (raster order over n, oh, ow). */
function tapBase(q: i32, outH: i32, outW: i32, ph: i32, pw: i32, inC: i32, sh: i32, sw: i32): usize {
  const hw = outH * outW;
  const i = q / hw;
  const rest = q - i * hw;
  const oh = rest / outW;
  const ow = rest - oh * outW;
  return (<usize>((i * ph + oh * sh) * pw + ow * sw) * <usize>inC) << 2;
}

/**
 * Convolution of a zero-padded input xp [n, ph, pw, inC] with a filter [kh, kw, inC, outC] (no
 * padding left to apply): out [n, outH, outW, outC], outC a multiple of 4. Output pixels are taken
 * 4 at a time in raster order over the whole batch (a block may span rows and images: each pixel
 * keeps its own input pointer), and each block of 4 pixels × 8 output channels is accumulated in
 * 8 SIMD registers over the taps. For one filter row the taps (kw, inC) are contiguous both in the
 * padded input row and in the filter, so the innermost loop runs kw·inC steps.
 */
export function conv2dPadded(
  xp: usize,
  n: i32,
  ph: i32,
  pw: i32,
  inC: i32,
  f: usize,
  kh: i32,
  kw: i32,
  outC: i32,
  sh: i32,
  sw: i32,
  outH: i32,
  outW: i32,
  out: usize,
): void {
  const fRow = (<usize>outC) << 2; // bytes per filter (tap, ci) row
  const oPix = (<usize>outC) << 2;
  const rowBytes = (<usize>(pw * inC)) << 2;
  const span = kw * inC;
  const total = n * outH * outW;
  let q = 0;
  for (; q + 4 <= total; q += 4) {
    const p0 = xp + tapBase(q, outH, outW, ph, pw, inC, sh, sw);
    const p1 = xp + tapBase(q + 1, outH, outW, ph, pw, inC, sh, sw);
    const p2 = xp + tapBase(q + 2, outH, outW, ph, pw, inC, sh, sw);
    const p3 = xp + tapBase(q + 3, outH, outW, ph, pw, inC, sh, sw);
    const o = out + ((<usize>q * <usize>outC) << 2);
    let co = 0;
    for (; co + 8 <= outC; co += 8) {
      let a0 = f32x4.splat(0),
        a1 = f32x4.splat(0),
        b0 = f32x4.splat(0),
        b1 = f32x4.splat(0);
      let c0 = f32x4.splat(0),
        c1 = f32x4.splat(0),
        d0 = f32x4.splat(0),
        d1 = f32x4.splat(0);
      for (let y = 0; y < kh; y++) {
        const ro = <usize>y * rowBytes;
        let x0 = p0 + ro,
          x1 = p1 + ro,
          x2 = p2 + ro,
          x3 = p3 + ro;
        let fp = f + ((<usize>(y * span) * <usize>outC + <usize>co) << 2);
        for (let t = 0; t < span; t++) {
          const w0 = v128.load(fp);
          const w1 = v128.load(fp, 16);
          const s0 = v128.load32_splat(x0);
          const s1 = v128.load32_splat(x1);
          const s2 = v128.load32_splat(x2);
          const s3 = v128.load32_splat(x3);
          a0 = f32x4.add(a0, f32x4.mul(s0, w0));
          a1 = f32x4.add(a1, f32x4.mul(s0, w1));
          b0 = f32x4.add(b0, f32x4.mul(s1, w0));
          b1 = f32x4.add(b1, f32x4.mul(s1, w1));
          c0 = f32x4.add(c0, f32x4.mul(s2, w0));
          c1 = f32x4.add(c1, f32x4.mul(s2, w1));
          d0 = f32x4.add(d0, f32x4.mul(s3, w0));
          d1 = f32x4.add(d1, f32x4.mul(s3, w1));
          x0 += 4;
          x1 += 4;
          x2 += 4;
          x3 += 4;
          fp += fRow;
        }
      }
      const at = o + ((<usize>co) << 2);
      v128.store(at, a0);
      v128.store(at, a1, 16);
      v128.store(at + oPix, b0);
      v128.store(at + oPix, b1, 16);
      v128.store(at + 2 * oPix, c0);
      v128.store(at + 2 * oPix, c1, 16);
      v128.store(at + 3 * oPix, d0);
      v128.store(at + 3 * oPix, d1, 16);
    }
    for (; co < outC; co += 4) {
      let a = f32x4.splat(0),
        b = f32x4.splat(0),
        c = f32x4.splat(0),
        d = f32x4.splat(0);
      for (let y = 0; y < kh; y++) {
        const ro = <usize>y * rowBytes;
        let x0 = p0 + ro,
          x1 = p1 + ro,
          x2 = p2 + ro,
          x3 = p3 + ro;
        let fp = f + ((<usize>(y * span) * <usize>outC + <usize>co) << 2);
        for (let t = 0; t < span; t++) {
          const w0 = v128.load(fp);
          a = f32x4.add(a, f32x4.mul(v128.load32_splat(x0), w0));
          b = f32x4.add(b, f32x4.mul(v128.load32_splat(x1), w0));
          c = f32x4.add(c, f32x4.mul(v128.load32_splat(x2), w0));
          d = f32x4.add(d, f32x4.mul(v128.load32_splat(x3), w0));
          x0 += 4;
          x1 += 4;
          x2 += 4;
          x3 += 4;
          fp += fRow;
        }
      }
      const at = o + ((<usize>co) << 2);
      v128.store(at, a);
      v128.store(at + oPix, b);
      v128.store(at + 2 * oPix, c);
      v128.store(at + 3 * oPix, d);
    }
  }
  for (; q < total; q++) {
    const p0 = xp + tapBase(q, outH, outW, ph, pw, inC, sh, sw);
    const o = out + ((<usize>q * <usize>outC) << 2);
    for (let co = 0; co < outC; co += 4) {
      let a = f32x4.splat(0);
      for (let y = 0; y < kh; y++) {
        let x0 = p0 + <usize>y * rowBytes;
        let fp = f + ((<usize>(y * span) * <usize>outC + <usize>co) << 2);
        for (let t = 0; t < span; t++) {
          a = f32x4.add(a, f32x4.mul(v128.load32_splat(x0), v128.load(fp)));
          x0 += 4;
          fp += fRow;
        }
      }
      v128.store(o + ((<usize>co) << 2), a);
    }
  }
}

/**
 * Filter gradient of a convolution: dw [kh, kw, inC, outC] += Σ over output pixels of
 * xp[n, oh·sh + y, ow·sw + z, ci] · dy[n, oh, ow, co], for the output rows [row0, row1) (a row
 * being one (n, oh)). xp is the zero-padded input; inC and outC are multiples of 4. Blocks of
 * 4 input × 8 output channels are accumulated in 8 SIMD registers over a chunk of rows, so the
 * chunk's inputs and gradients stay in cache while every block of dw visits them.
 */
export function conv2dFilterGrad(
  xp: usize,
  ph: i32,
  pw: i32,
  inC: i32,
  dy: usize,
  outH: i32,
  outW: i32,
  outC: i32,
  kh: i32,
  kw: i32,
  sh: i32,
  sw: i32,
  row0: i32,
  row1: i32,
  dw: usize,
): void {
  const xStep = (<usize>(sw * inC)) << 2;
  const dyPix = (<usize>outC) << 2;
  for (let y = 0; y < kh; y++) {
    for (let z = 0; z < kw; z++) {
      for (let ci = 0; ci < inC; ci += 4) {
        for (let co = 0; co + 8 <= outC; co += 8) {
          const g = dw + ((<usize>(((y * kw + z) * inC + ci) * outC + co)) << 2);
          const row = (<usize>outC) << 2;
          let a0 = v128.load(g),
            a1 = v128.load(g, 16);
          let b0 = v128.load(g + row),
            b1 = v128.load(g + row, 16);
          let c0 = v128.load(g + 2 * row),
            c1 = v128.load(g + 2 * row, 16);
          let d0 = v128.load(g + 3 * row),
            d1 = v128.load(g + 3 * row, 16);
          for (let r = row0; r < row1; r++) {
            const i = r / outH;
            const oh = r - i * outH;
            let xa = xp + ((<usize>((i * ph + oh * sh + y) * pw + z) * <usize>inC + <usize>ci) << 2);
            let ga = dy + ((<usize>(r * outW) * <usize>outC + <usize>co) << 2);
            for (let ow = 0; ow < outW; ow++) {
              const g0 = v128.load(ga);
              const g1 = v128.load(ga, 16);
              const p = v128.load32_splat(xa);
              const q = v128.load32_splat(xa, 4);
              const s = v128.load32_splat(xa, 8);
              const t = v128.load32_splat(xa, 12);
              a0 = f32x4.add(a0, f32x4.mul(p, g0));
              a1 = f32x4.add(a1, f32x4.mul(p, g1));
              b0 = f32x4.add(b0, f32x4.mul(q, g0));
              b1 = f32x4.add(b1, f32x4.mul(q, g1));
              c0 = f32x4.add(c0, f32x4.mul(s, g0));
              c1 = f32x4.add(c1, f32x4.mul(s, g1));
              d0 = f32x4.add(d0, f32x4.mul(t, g0));
              d1 = f32x4.add(d1, f32x4.mul(t, g1));
              xa += xStep;
              ga += dyPix;
            }
          }
          v128.store(g, a0);
          v128.store(g, a1, 16);
          v128.store(g + row, b0);
          v128.store(g + row, b1, 16);
          v128.store(g + 2 * row, c0);
          v128.store(g + 2 * row, c1, 16);
          v128.store(g + 3 * row, d0);
          v128.store(g + 3 * row, d1, 16);
        }
        if (outC % 8 != 0)
          filterGrad4(xp, ph, pw, inC, dy, outH, outW, outC, y, z, sh, sw, row0, row1, ci, outC - 4, dw, kw);
      }
    }
  }
}

/** The last 4 output channels of a 4-input-channel block (outC ≡ 4 mod 8). */
function filterGrad4(
  xp: usize,
  ph: i32,
  pw: i32,
  inC: i32,
  dy: usize,
  outH: i32,
  outW: i32,
  outC: i32,
  y: i32,
  z: i32,
  sh: i32,
  sw: i32,
  row0: i32,
  row1: i32,
  ci: i32,
  co: i32,
  dw: usize,
  kw: i32,
): void {
  const xStep = (<usize>(sw * inC)) << 2;
  const dyPix = (<usize>outC) << 2;
  const g = dw + ((<usize>(((y * kw + z) * inC + ci) * outC + co)) << 2);
  const row = (<usize>outC) << 2;
  let a = v128.load(g),
    b = v128.load(g + row),
    c = v128.load(g + 2 * row),
    d = v128.load(g + 3 * row);
  for (let r = row0; r < row1; r++) {
    const i = r / outH;
    const oh = r - i * outH;
    let xa = xp + ((<usize>((i * ph + oh * sh + y) * pw + z) * <usize>inC + <usize>ci) << 2);
    let ga = dy + ((<usize>(r * outW) * <usize>outC + <usize>co) << 2);
    for (let ow = 0; ow < outW; ow++) {
      const g0 = v128.load(ga);
      a = f32x4.add(a, f32x4.mul(v128.load32_splat(xa), g0));
      b = f32x4.add(b, f32x4.mul(v128.load32_splat(xa, 4), g0));
      c = f32x4.add(c, f32x4.mul(v128.load32_splat(xa, 8), g0));
      d = f32x4.add(d, f32x4.mul(v128.load32_splat(xa, 12), g0));
      xa += xStep;
      ga += dyPix;
    }
  }
  v128.store(g, a);
  v128.store(g + row, b);
  v128.store(g + 2 * row, c);
  v128.store(g + 3 * row, d);
}

// ------------------------------------------------------------------------------------------ Pooling

/**
 * Gradient of a 2×2, stride-2, unpadded max pool (c a multiple of 4): each dy goes to the first
 * maximum of its window in raster order (strictly greater, starting from −∞, as TF.js's cpu
 * backend), everything else of dx is 0.
 */
export function maxPool2x2Grad(
  x: usize,
  dy: usize,
  n: i32,
  inH: i32,
  inW: i32,
  c: i32,
  outH: i32,
  outW: i32,
  dx: usize,
): void {
  memory.fill(dx, 0, (<usize>n * <usize>inH * <usize>inW * <usize>c) << 2);
  const pix = (<usize>c) << 2;
  const row = (<usize>(inW * c)) << 2;
  const low = f32x4.splat(-Infinity);
  let g = dy;
  for (let i = 0; i < n; i++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        const p = (<usize>((i * inH + 2 * oh) * inW + 2 * ow) * <usize>c) << 2;
        for (let ch = 0; ch < c; ch += 4) {
          const k = (<usize>ch) << 2;
          const v00 = v128.load(x + p + k);
          const v01 = v128.load(x + p + pix + k);
          const v10 = v128.load(x + p + row + k);
          const v11 = v128.load(x + p + row + pix + k);
          const m00 = f32x4.gt(v00, low);
          let best = v128.bitselect(v00, low, m00);
          const m01 = f32x4.gt(v01, best);
          best = v128.bitselect(v01, best, m01);
          const m10 = f32x4.gt(v10, best);
          best = v128.bitselect(v10, best, m10);
          const m11 = f32x4.gt(v11, best);
          const d = v128.load(g + k);
          const w10 = v128.andnot(m10, m11);
          const w01 = v128.andnot(v128.andnot(m01, m10), m11);
          const w00 = v128.andnot(v128.andnot(v128.andnot(m00, m01), m10), m11);
          v128.store(dx + p + k, v128.and(d, w00));
          v128.store(dx + p + pix + k, v128.and(d, w01));
          v128.store(dx + p + row + k, v128.and(d, w10));
          v128.store(dx + p + row + pix + k, v128.and(d, m11));
        }
        g += pix;
      }
    }
  }
}

/**
 * Filter gradient of a 3×3 convolution with few input channels (the stem layers: 1 or 3), for one
 * input channel ci and 4 output channels co…co+3: the nine taps' accumulators stay in registers
 * over every output pixel of rows [row0, row1) (dw is accumulated into, not overwritten).
 */
export function conv3x3FilterGradNarrow(
  xp: usize,
  ph: i32,
  pw: i32,
  inC: i32,
  dy: usize,
  outH: i32,
  outW: i32,
  outC: i32,
  sh: i32,
  sw: i32,
  row0: i32,
  row1: i32,
  ci: i32,
  co: i32,
  dw: usize,
): void {
  const cb = (<usize>inC) << 2; // bytes per input pixel
  const rb = (<usize>(pw * inC)) << 2; // bytes per padded input row
  const xStep = (<usize>(sw * inC)) << 2;
  const dyPix = (<usize>outC) << 2;
  const tap = (<usize>(inC * outC)) << 2; // bytes between taps in dw
  const g = dw + ((<usize>(ci * outC + co)) << 2);
  let a0 = v128.load(g),
    a1 = v128.load(g + tap),
    a2 = v128.load(g + 2 * tap);
  let a3 = v128.load(g + 3 * tap),
    a4 = v128.load(g + 4 * tap),
    a5 = v128.load(g + 5 * tap);
  let a6 = v128.load(g + 6 * tap),
    a7 = v128.load(g + 7 * tap),
    a8 = v128.load(g + 8 * tap);
  for (let r = row0; r < row1; r++) {
    const i = r / outH;
    const oh = r - i * outH;
    let xa = xp + ((<usize>((i * ph + oh * sh) * pw) * <usize>inC + <usize>ci) << 2);
    let ga = dy + ((<usize>(r * outW) * <usize>outC + <usize>co) << 2);
    for (let ow = 0; ow < outW; ow++) {
      const d = v128.load(ga);
      a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(xa), d));
      a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(xa + cb), d));
      a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(xa + 2 * cb), d));
      a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(xa + rb), d));
      a4 = f32x4.add(a4, f32x4.mul(v128.load32_splat(xa + rb + cb), d));
      a5 = f32x4.add(a5, f32x4.mul(v128.load32_splat(xa + rb + 2 * cb), d));
      a6 = f32x4.add(a6, f32x4.mul(v128.load32_splat(xa + 2 * rb), d));
      a7 = f32x4.add(a7, f32x4.mul(v128.load32_splat(xa + 2 * rb + cb), d));
      a8 = f32x4.add(a8, f32x4.mul(v128.load32_splat(xa + 2 * rb + 2 * cb), d));
      xa += xStep;
      ga += dyPix;
    }
  }
  v128.store(g, a0);
  v128.store(g + tap, a1);
  v128.store(g + 2 * tap, a2);
  v128.store(g + 3 * tap, a3);
  v128.store(g + 4 * tap, a4);
  v128.store(g + 5 * tap, a5);
  v128.store(g + 6 * tap, a6);
  v128.store(g + 7 * tap, a7);
  v128.store(g + 8 * tap, a8);
}

// ---------------------------------------------------------------------------------------------- SGD

export { sgdStep } from './sgd';

// ---------------------------------------------------------------------------------------------- LGG

export { addTranspose, gramPacked, matMulPacked, rowNormalize, rowNormalizeGrad } from './lgg';
