/**
 * 2-D principal component projection of a small batch of embeddings (the probe batch), on the
 * host in float64: subspace (block power) iteration on the covariance operator v ↦ Xcᵀ(Xc v),
 * which never forms the D×D covariance, followed by Rayleigh–Ritz on the small block.
 */

/** Vectors iterated together (2 wanted + guards that speed up convergence when λ₂ ≈ λ₃). */
const BLOCK = 4;
const MAX_ITERATIONS = 500;
const TOLERANCE = 1e-10;

/**
 * Scores of the rows of `x` (n × d, row-major) on the first two principal axes: one [x, y] per row.
 * Signs are fixed so the entry of largest magnitude of each axis is positive (deterministic from one
 * call to the next). Missing axes (d < 2 or rank < 2) give zeros.
 */
export function pca2d(x: ArrayLike<number>, n: number, d: number): [number, number][] {
  if (n === 0) return [];
  const xc = centre(x, n, d);
  const q = Math.min(BLOCK, d);
  let v = initialBlock(d, q);
  let previous = new Float64Array(q);
  for (let it = 0; it < MAX_ITERATIONS; it++) {
    v = orthonormalise(v.map((col) => covTimes(xc, n, d, col)));
    const ritz = v.map((col) => dot(col, covTimes(xc, n, d, col)));
    const change = ritz.reduce((m, r, i) => Math.max(m, Math.abs(r - (previous[i] ?? 0))), 0);
    previous = Float64Array.from(ritz);
    if (it > 5 && change <= TOLERANCE * Math.max(1e-300, Math.abs(ritz[0] ?? 0))) break;
  }
  const axes = rayleighRitz(xc, n, d, v).slice(0, 2);
  const scores = axes.map((axis) => {
    let big = 0;
    for (let j = 0; j < d; j++) if (Math.abs(axis[j] ?? 0) > Math.abs(axis[big] ?? 0)) big = j;
    const sign = (axis[big] ?? 0) < 0 ? -1 : 1;
    return project(xc, n, d, axis).map((s) => s * sign);
  });
  return Array.from({ length: n }, (_, i): [number, number] => [scores[0]?.[i] ?? 0, scores[1]?.[i] ?? 0]);
}

function centre(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const out = new Float64Array(n * d);
  for (let j = 0; j < d; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += x[i * d + j] ?? 0;
    m /= n;
    for (let i = 0; i < n; i++) out[i * d + j] = (x[i * d + j] ?? 0) - m;
  }
  return out;
}

function project(xc: Float64Array, n: number, d: number, v: Float64Array): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += (xc[i * d + j] ?? 0) * (v[j] ?? 0);
    out[i] = s;
  }
  return out;
}

/** Xcᵀ (Xc v). */
function covTimes(xc: Float64Array, n: number, d: number, v: Float64Array): Float64Array {
  const p = project(xc, n, d, v);
  const out = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const pi = p[i] ?? 0;
    for (let j = 0; j < d; j++) out[j] = (out[j] ?? 0) + (xc[i * d + j] ?? 0) * pi;
  }
  return out;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] ?? 0) * (b[i] ?? 0);
  return s;
}

/** A fixed, well-spread starting block (deterministic: no random source needed). */
function initialBlock(d: number, q: number): Float64Array[] {
  const block = Array.from({ length: q }, (_, c) =>
    Float64Array.from({ length: d }, (_, j) => Math.cos((j + 1) * (c + 1) * 0.7) + (j === c ? 1 : 0)),
  );
  return orthonormalise(block);
}

/** Modified Gram–Schmidt; a column that vanishes is replaced by zeros. */
function orthonormalise(cols: Float64Array[]): Float64Array[] {
  const out: Float64Array[] = [];
  for (const c of cols) {
    const v = Float64Array.from(c);
    for (const u of out) {
      const p = dot(u, v);
      for (let j = 0; j < v.length; j++) v[j] = (v[j] ?? 0) - p * (u[j] ?? 0);
    }
    const norm = Math.sqrt(dot(v, v));
    out.push(norm > 1e-300 ? v.map((e) => e / norm) : new Float64Array(v.length));
  }
  return out;
}

/** Rotates the block to the eigenvectors of its projected covariance, largest eigenvalue first. */
function rayleighRitz(xc: Float64Array, n: number, d: number, v: Float64Array[]): Float64Array[] {
  const q = v.length;
  const cv = v.map((col) => covTimes(xc, n, d, col));
  const h = Array.from({ length: q }, (_, a) =>
    Array.from({ length: q }, (_, b) => dot(v[a] ?? new Float64Array(d), cv[b] ?? new Float64Array(d))),
  );
  const { values, vectors } = jacobiEigen(h);
  const order = values.map((_, i) => i).sort((a, b) => (values[b] ?? 0) - (values[a] ?? 0));
  return order.map((k) => {
    const axis = new Float64Array(d);
    for (let a = 0; a < q; a++) {
      const w = vectors[a]?.[k] ?? 0;
      const col = v[a] ?? new Float64Array(d);
      for (let j = 0; j < d; j++) axis[j] = (axis[j] ?? 0) + w * (col[j] ?? 0);
    }
    return axis;
  });
}

/** Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations; columns of `vectors` are eigenvectors. */
export function jacobiEigen(m: number[][]): { values: number[]; vectors: number[][] } {
  const q = m.length;
  const a = m.map((row) => [...row]);
  const v = Array.from({ length: q }, (_, i) => Array.from({ length: q }, (_, j) => (i === j ? 1 : 0)));
  const at = (i: number, j: number): number => a[i]?.[j] ?? 0;
  const set = (mat: number[][], i: number, j: number, x: number): void => {
    const row = mat[i];
    if (row) row[j] = x;
  };
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < q; i++) for (let j = i + 1; j < q; j++) off += at(i, j) ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < q; p++) {
      for (let r = p + 1; r < q; r++) {
        const apr = at(p, r);
        if (Math.abs(apr) < 1e-300) continue;
        const theta = (at(r, r) - at(p, p)) / (2 * apr);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < q; k++) {
          const akp = at(k, p);
          const akr = at(k, r);
          set(a, k, p, c * akp - s * akr);
          set(a, k, r, s * akp + c * akr);
        }
        for (let k = 0; k < q; k++) {
          const apk = at(p, k);
          const ark = at(r, k);
          set(a, p, k, c * apk - s * ark);
          set(a, r, k, s * apk + c * ark);
        }
        for (let k = 0; k < q; k++) {
          const vkp = v[k]?.[p] ?? 0;
          const vkr = v[k]?.[r] ?? 0;
          set(v, k, p, c * vkp - s * vkr);
          set(v, k, r, s * vkp + c * vkr);
        }
      }
    }
  }
  return { values: Array.from({ length: q }, (_, i) => at(i, i)), vectors: v };
}
