// The lab's LGG kernels (cosine similarity of a batch of representations): row normalisation, its
// gradient, and the symmetric Gram matrix Y Yᵀ computed on its upper triangle only (half the
// multiply-adds of a general product). Same conventions as kernels.ts: byte offsets on the TF.js
// wasm heap, row-major float32, no memory of our own.

/** √max(ss, 1e-24): PyTorch's F.normalize clamp (eps 1e-12) taken under the root. */
function clampedNorm(ss: f32): f32 {
  return Mathf.sqrt(ss < 1e-24 ? <f32>1e-24 : ss);
}

/** Σ of the 4 lanes. */
function lanes(v: v128): f32 {
  return (
    f32x4.extract_lane(v, 0) +
    f32x4.extract_lane(v, 1) +
    (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3))
  );
}

/** ss[r] = Σ x[r]²; y[r] = x[r] / √max(ss[r], 1e-24), for `rows` rows of d floats. */
export function rowNormalize(x: usize, rows: i32, d: i32, y: usize, ss: usize): void {
  const d4 = d & ~3;
  for (let r = 0; r < rows; r++) {
    const xr = x + ((<usize>r * <usize>d) << 2);
    const yr = y + ((<usize>r * <usize>d) << 2);
    let acc = f32x4.splat(0);
    for (let k = 0; k < d4; k += 4) {
      const v = v128.load(xr + ((<usize>k) << 2));
      acc = f32x4.add(acc, f32x4.mul(v, v));
    }
    let s = lanes(acc);
    for (let k = d4; k < d; k++) {
      const v = load<f32>(xr + ((<usize>k) << 2));
      s += v * v;
    }
    store<f32>(ss + ((<usize>r) << 2), s);
    const n = clampedNorm(s);
    const nv = f32x4.splat(n);
    for (let k = 0; k < d4; k += 4) {
      const o = (<usize>k) << 2;
      v128.store(yr + o, f32x4.div(v128.load(xr + o), nv));
    }
    for (let k = d4; k < d; k++) store<f32>(yr + ((<usize>k) << 2), load<f32>(xr + ((<usize>k) << 2)) / n);
  }
}

/**
 * Gradient of rowNormalize: dx = (dy − y·Σ(dy·y)) / n, or dy / n on a row whose ss was clamped
 * (the norm is then a constant, as in the clamp's own gradient).
 */
export function rowNormalizeGrad(dy: usize, y: usize, ss: usize, rows: i32, d: i32, dx: usize): void {
  const d4 = d & ~3;
  for (let r = 0; r < rows; r++) {
    const at = (<usize>r * <usize>d) << 2;
    const s = load<f32>(ss + ((<usize>r) << 2));
    const n = clampedNorm(s);
    let dot: f32 = 0;
    if (!(s < 1e-24)) {
      let acc = f32x4.splat(0);
      for (let k = 0; k < d4; k += 4) {
        const o = at + ((<usize>k) << 2);
        acc = f32x4.add(acc, f32x4.mul(v128.load(dy + o), v128.load(y + o)));
      }
      dot = lanes(acc);
      for (let k = d4; k < d; k++) {
        const o = at + ((<usize>k) << 2);
        dot += load<f32>(dy + o) * load<f32>(y + o);
      }
    }
    const dv = f32x4.splat(dot);
    const nv = f32x4.splat(n);
    for (let k = 0; k < d4; k += 4) {
      const o = at + ((<usize>k) << 2);
      v128.store(dx + o, f32x4.div(f32x4.sub(v128.load(dy + o), f32x4.mul(v128.load(y + o), dv)), nv));
    }
    for (let k = d4; k < d; k++) {
      const o = at + ((<usize>k) << 2);
      store<f32>(dx + o, (load<f32>(dy + o) - load<f32>(y + o) * dot) / n);
    }
  }
}

/** Inner-dimension block of matMulPacked (rows of b packed at a time). */
const PK: i32 = 256;
/** Column block of matMulPacked: PK × PN floats of b (256 kB) stay in L2. */
const PN: i32 = 256;

/**
 * Packs b[k0 .. k0 + kc, n0 .. n0 + nc] (row stride n) into 8-column strips, each kc × 8
 * contiguous, zero-padded past column n.
 */
function packPanel(b: usize, n: i32, k0: i32, kc: i32, n0: i32, nc: i32, panel: usize): void {
  const strips = (nc + 7) >> 3;
  for (let s = 0; s < strips; s++) {
    const c0 = n0 + (s << 3);
    const width = min(8, n - c0);
    let p = panel + ((<usize>s * <usize>kc * 8) << 2);
    for (let kk = 0; kk < kc; kk++) {
      const src = b + ((<usize>(k0 + kk) * <usize>n + <usize>c0) << 2);
      if (width === 8) {
        v128.store(p, v128.load(src));
        v128.store(p + 16, v128.load(src + 16));
      } else {
        for (let c = 0; c < 8; c++)
          store<f32>(p + ((<usize>c) << 2), c < width ? load<f32>(src + ((<usize>c) << 2)) : 0);
      }
      p += 32;
    }
  }
}

/**
 * Packs the transpose of y[n0 .. n0 + nc, k0 .. k0 + kc] (y: n rows of d) into the same 8-column
 * strips: column c of a strip is row n0 + 8s + c of y, so y yᵀ runs as a product with b = yᵀ.
 */
function packPanelRows(y: usize, n: i32, d: i32, k0: i32, kc: i32, n0: i32, nc: i32, panel: usize): void {
  const strips = (nc + 7) >> 3;
  const rb = (<usize>d) << 2;
  for (let s = 0; s < strips; s++) {
    const r0 = n0 + (s << 3);
    const width = min(8, n - r0);
    const p = panel + ((<usize>s * <usize>kc * 8) << 2);
    for (let c = 0; c < 8; c++) {
      let q = p + ((<usize>c) << 2);
      if (c < width) {
        const src = y + <usize>(r0 + c) * rb + ((<usize>k0) << 2);
        for (let kk = 0; kk < kc; kk++) {
          store<f32>(q, load<f32>(src + ((<usize>kk) << 2)));
          q += 32;
        }
      } else {
        for (let kk = 0; kk < kc; kk++) {
          store<f32>(q, 0);
          q += 32;
        }
      }
    }
  }
}

/** Lane i of v (extract_lane wants a constant index). */
function lane(v: v128, i: i32): f32 {
  if (i === 0) return f32x4.extract_lane(v, 0);
  if (i === 1) return f32x4.extract_lane(v, 1);
  if (i === 2) return f32x4.extract_lane(v, 2);
  return f32x4.extract_lane(v, 3);
}

/** Adds the 8 lanes of (v0, v1) into out at o, only the first `width` of them (the last strip). */
function addRow(o: usize, v0: v128, v1: v128, width: i32): void {
  if (width === 8) {
    v128.store(o, f32x4.add(v128.load(o), v0));
    v128.store(o + 16, f32x4.add(v128.load(o + 16), v1));
    return;
  }
  for (let c = 0; c < width; c++) {
    const at = o + ((<usize>c) << 2);
    store<f32>(at, load<f32>(at) + (c < 4 ? lane(v0, c) : lane(v1, c - 4)));
  }
}

/**
 * out [m, n] = a [m, k] · b [k, n], all row-major. b is packed PK × PN at a time into `panel`
 * (PK · PN floats of scratch the caller provides) as 8-column strips; each 4 rows of a × one strip
 * accumulate in 8 SIMD registers (4 broadcast a values × 2 vectors of b per inner step).
 */
export function matMulPacked(a: usize, m: i32, k: i32, b: usize, n: i32, out: usize, panel: usize): void {
  packedProduct(a, m, k, b, n, out, panel, false);
}

/**
 * out [n, n] = y yᵀ for y [n, d] as matMulPacked with b = yᵀ (packed from the rows of y), computing
 * only the 4 × 8 tiles that reach the upper triangle, then mirroring it: half the multiply-adds,
 * and exactly symmetric (out[i][j] and out[j][i] are the same sum taken in the same order).
 */
export function gramPacked(y: usize, n: i32, d: i32, out: usize, panel: usize): void {
  packedProduct(y, n, d, y, n, out, panel, true);
  const ob = (<usize>n) << 2;
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) {
      store<f32>(out + <usize>i * ob + ((<usize>j) << 2), load<f32>(out + <usize>j * ob + ((<usize>i) << 2)));
    }
  }
}

/** a · b, or with `gram` a · aᵀ on the tiles that reach the upper triangle (b is then a). */
function packedProduct(
  a: usize,
  m: i32,
  k: i32,
  b: usize,
  n: i32,
  out: usize,
  panel: usize,
  gram: bool,
): void {
  memory.fill(out, 0, (<usize>m * <usize>n) << 2);
  const ra = (<usize>k) << 2;
  const ro = (<usize>n) << 2;
  const m4 = m & ~3;
  for (let n0 = 0; n0 < n; n0 += PN) {
    const nc = min(PN, n - n0);
    const strips = (nc + 7) >> 3;
    for (let k0 = 0; k0 < k; k0 += PK) {
      const kc = min(PK, k - k0);
      if (gram) packPanelRows(b, n, k, k0, kc, n0, nc, panel);
      else packPanel(b, n, k0, kc, n0, nc, panel);
      // With gram, rows past this column block have no tile on or above the diagonal.
      const iEnd = gram ? min(m, n0 + nc) : m;
      for (let i = 0; i < iEnd; i += 4) {
        const rows = i < m4 ? 4 : m - i;
        const ai = a + <usize>i * ra + ((<usize>k0) << 2);
        const sStart = gram && i > n0 ? (i - n0) >> 3 : 0;
        for (let s = sStart; s < strips; s++) {
          const c0 = n0 + (s << 3);
          const width = min(8, n - c0);
          let p = panel + ((<usize>s * <usize>kc * 8) << 2);
          const o = out + <usize>i * ro + ((<usize>c0) << 2);
          if (rows === 4) {
            let c00 = f32x4.splat(0),
              c01 = f32x4.splat(0),
              c10 = f32x4.splat(0),
              c11 = f32x4.splat(0);
            let c20 = f32x4.splat(0),
              c21 = f32x4.splat(0),
              c30 = f32x4.splat(0),
              c31 = f32x4.splat(0);
            for (let kk = 0; kk < kc; kk++) {
              const off = (<usize>kk) << 2;
              const b0 = v128.load(p);
              const b1 = v128.load(p + 16);
              const a0 = v128.load32_splat(ai + off);
              c00 = f32x4.add(c00, f32x4.mul(a0, b0));
              c01 = f32x4.add(c01, f32x4.mul(a0, b1));
              const a1 = v128.load32_splat(ai + ra + off);
              c10 = f32x4.add(c10, f32x4.mul(a1, b0));
              c11 = f32x4.add(c11, f32x4.mul(a1, b1));
              const a2 = v128.load32_splat(ai + 2 * ra + off);
              c20 = f32x4.add(c20, f32x4.mul(a2, b0));
              c21 = f32x4.add(c21, f32x4.mul(a2, b1));
              const a3 = v128.load32_splat(ai + 3 * ra + off);
              c30 = f32x4.add(c30, f32x4.mul(a3, b0));
              c31 = f32x4.add(c31, f32x4.mul(a3, b1));
              p += 32;
            }
            addRow(o, c00, c01, width);
            addRow(o + ro, c10, c11, width);
            addRow(o + 2 * ro, c20, c21, width);
            addRow(o + 3 * ro, c30, c31, width);
          } else {
            for (let r = 0; r < rows; r++) {
              let q = p;
              let c0v = f32x4.splat(0),
                c1v = f32x4.splat(0);
              const ar = ai + <usize>r * ra;
              for (let kk = 0; kk < kc; kk++) {
                const av = v128.load32_splat(ar + ((<usize>kk) << 2));
                c0v = f32x4.add(c0v, f32x4.mul(av, v128.load(q)));
                c1v = f32x4.add(c1v, f32x4.mul(av, v128.load(q + 16)));
                q += 32;
              }
              addRow(o + <usize>r * ro, c0v, c1v, width);
            }
          }
        }
      }
    }
  }
}

/** s = g + gᵀ for g [n, n] (the Gram's gradient folded onto its two factors). */
export function addTranspose(g: usize, n: i32, s: usize): void {
  const rb = (<usize>n) << 2;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const ij = <usize>i * rb + ((<usize>j) << 2);
      store<f32>(s + ij, load<f32>(g + ij) + load<f32>(g + <usize>j * rb + ((<usize>i) << 2)));
    }
  }
}
