import { describe, expect, it } from 'vitest';
import { LAB_LGG } from '../../../electron/engine/kernels/index.js';
import { cosineSimilarity, gram, knnMask, normalizeRows } from '../../../electron/engine/lgg/graph.js';
import { detached } from '../../../electron/engine/nn/detach.js';
import { assertClose, labKernels, onBothBackends, randomArrays, runOn, tf, wasmDataIds } from './helpers.js';

/** G, and dX of Σ G ⊙ W for a fixed random (non-symmetric) W: both gradient paths carry signal. */
function cosineAndGrad(t: Record<string, tf.Tensor>): tf.Tensor[] {
  const x = t.x as tf.Tensor2D;
  const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(cosineSimilarity(v as tf.Tensor2D), t.w!)))(x);
  return [cosineSimilarity(x), dx];
}

/** The TF.js ops the lab kernels replace, differentiated by autodiff. */
function referenceAndGrad(t: Record<string, tf.Tensor>): tf.Tensor[] {
  const x = t.x as tf.Tensor2D;
  const f = (v: tf.Tensor2D): tf.Tensor2D => gram(normalizeRows(v));
  const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v as tf.Tensor2D), t.w!)))(x);
  return [f(x), dx];
}

/** The kNN mask as it was built before the scatter: a B×k×B one-hot summed, union by min(1, M + Mᵀ). */
function oneHotMask(a: tf.Tensor2D, k: number): tf.Tensor2D {
  return detached(a, (v) => {
    const n = v.shape[1] ?? 0;
    const { indices } = tf.topk(v, Math.min(k, n));
    const m = tf.cast(tf.sum(tf.oneHot(indices, n), 1), 'float32') as tf.Tensor2D;
    return tf.minimum(tf.add(m, tf.transpose(m)), 1);
  });
}

describe('LGG cosine similarity on the lab wasm kernels', () => {
  it('registers the kernels (the module is built by npm run build:wasm)', () => {
    expect(labKernels).toEqual(expect.arrayContaining(Object.values(LAB_LGG)));
  });

  // Odd sizes reach every edge of the tiling (4×2 micro-tiles, 256-float inner blocks, 128-row
  // column blocks, SIMD tails of the rows).
  for (const [n, d] of [
    [1, 1],
    [3, 5],
    [7, 3],
    [64, 128],
    [130, 257],
    [261, 600],
  ] as const) {
    it(`matches the TF.js ops for X [${n}, ${d}] with zero and tiny rows: X̂X̂ᵀ and dX`, async () => {
      const inputs = randomArrays({ x: [n, d], w: [n, n] }, n + d);
      // A zero row (clamped norm, zero gradient through it) and, beside it, a row below the clamp.
      if (n > 2) {
        inputs.x!.values.fill(0, d, 2 * d);
        inputs.x!.values.fill(1e-14, 2 * d, 3 * d);
      }
      const [reference] = await onBothBackends(inputs, referenceAndGrad);
      const lab = await runOn('wasm', inputs, cosineAndGrad);
      assertClose(lab[0]!, reference[0]!, 1e-5, 'G');
      assertClose(lab[1]!, reference[1]!, 1e-4, 'dX');
      // The cpu backend runs the TF.js ops themselves.
      const cpu = await runOn('cpu', inputs, cosineAndGrad);
      expect(cpu[0]).toEqual(reference[0]);
      // Upper triangle mirrored: exactly symmetric.
      const g = lab[0]!;
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(g[i * n + j]).toBe(g[j * n + i]);
    });
  }

  it('runs on the lab kernels on wasm, forward and backward, and frees what it allocates', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal<tf.Rank.R2>([20, 36]);
    const before = wasmDataIds();
    const info = await tf.profile(() => {
      tf.tidy(() => {
        tf.grad((v: tf.Tensor) => tf.sum(cosineSimilarity(v as tf.Tensor2D)))(x);
      });
    });
    const names = info.kernels.map((k) => k.name);
    const { normalize, normalizeGrad, gram: g, gramGrad } = LAB_LGG;
    expect(names).toEqual(expect.arrayContaining([normalize, normalizeGrad, g, gramGrad]));
    expect(wasmDataIds()).toBe(before);
    x.dispose();
  });
});

describe('kNN mask by scatter', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`equals the one-hot construction on ${backend}, with ties, zero rows and k ≥ n`, async () => {
      await tf.setBackend(backend);
      for (const [n, k, seed] of [
        [9, 3, 1],
        [40, 10, 2],
        [33, 33, 3],
        [5, 8, 4],
      ] as const) {
        // Values on a coarse grid: many ties within a row; rows 0 and 1 all zero.
        const values = randomArrays({ a: [n, n] }, seed).a!.values.map((v) => Math.round(v * 3));
        values.fill(0, 0, 2 * n);
        const [ours, theirs] = tf.tidy(() => {
          const a = tf.tensor2d(values, [n, n]);
          return [knnMask(a, k).dataSync(), oneHotMask(a, k).dataSync()];
        });
        expect(Array.from(ours), `n ${n}, k ${k}`).toEqual(Array.from(theirs));
      }
    });
  }

  it('writes the mask in the lab kernel on wasm', async () => {
    await tf.setBackend('wasm');
    const a = tf.randomUniform<tf.Rank.R2>([12, 12]);
    const info = await tf.profile(() => {
      tf.tidy(() => {
        knnMask(a, 3);
      });
    });
    const names = info.kernels.map((k) => k.name);
    expect(names).toContain(LAB_LGG.knnMask);
    expect(names).not.toContain('ScatterNd');
    a.dispose();
  });
});
