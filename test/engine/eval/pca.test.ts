import { describe, expect, it } from 'vitest';
import { jacobiEigen, pca2d } from '../../../electron/engine/eval/pca.js';
import { Rng } from '../../../shared/rng.js';

describe('2-D PCA of a batch of embeddings', () => {
  it('Jacobi eigen-decomposition of a symmetric matrix by hand', () => {
    // [[2, 1], [1, 2]] has eigenvalues 3 and 1 with eigenvectors (1, 1)/√2 and (1, −1)/√2.
    const { values, vectors } = jacobiEigen([
      [2, 1],
      [1, 2],
    ]);
    const order = values[0]! > values[1]! ? [0, 1] : [1, 0];
    expect(values[order[0]!]).toBeCloseTo(3, 12);
    expect(values[order[1]!]).toBeCloseTo(1, 12);
    expect(Math.abs(vectors[0]![order[0]!]!)).toBeCloseTo(Math.SQRT1_2, 12);
  });

  it('matches the eigenvectors of the covariance (up to the documented sign rule)', () => {
    const rng = new Rng(9);
    const n = 40;
    const d = 7;
    // Anisotropic data: axis scales 5, 3, 1, …, mixed by a fixed rotation-like map.
    const x: number[] = [];
    for (let i = 0; i < n; i++) {
      const z = Array.from({ length: d }, (_, j) => rng.normal() * (j === 0 ? 5 : j === 1 ? 3 : 1));
      for (let j = 0; j < d; j++) x.push(z[j]! + 0.3 * z[(j + 1) % d]! + 2);
    }
    const mean = Array.from(
      { length: d },
      (_, j) => x.filter((_, k) => k % d === j).reduce((a, b) => a + b, 0) / n,
    );
    const cov = Array.from({ length: d }, (_, a) =>
      Array.from({ length: d }, (_, b) => {
        let s = 0;
        for (let i = 0; i < n; i++) s += (x[i * d + a]! - mean[a]!) * (x[i * d + b]! - mean[b]!);
        return s;
      }),
    );
    const { values, vectors } = jacobiEigen(cov);
    const order = values.map((_, i) => i).sort((a, b) => values[b]! - values[a]!);
    const got = pca2d(x, n, d);
    for (const [axis, col] of [0, 1].map((a) => [a, order[a]!] as const)) {
      const v = vectors.map((row) => row[col]!);
      const big = v.reduce((m, e, j) => (Math.abs(e) > Math.abs(v[m]!) ? j : m), 0);
      const sign = v[big]! < 0 ? -1 : 1;
      for (let i = 0; i < n; i++) {
        const want = sign * v.reduce((s, e, j) => s + e * (x[i * d + j]! - mean[j]!), 0);
        expect(got[i]![axis]).toBeCloseTo(want, 6);
      }
    }
  });

  it('handles one example and one dimension', () => {
    expect(pca2d([3, 4], 1, 2)).toEqual([[0, 0]]);
    const line = pca2d([1, 2, 4], 3, 1);
    expect(line.map((p) => p[1])).toEqual([0, 0, 0]);
    // Centred scores, sign chosen so the axis (here ±1) is positive.
    expect(line.map((p) => p[0])).toEqual(
      [1 - 7 / 3, 2 - 7 / 3, 4 - 7 / 3].map((v) => expect.closeTo(v, 12) as number),
    );
  });
});
