import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { LggOptionsSchema, type LggOptions } from '../../../shared/lgg-options.js';
import { buildLgg, graphDistance, knnMask, sparsity } from '../../../electron/engine/lgg/graph.js';
import { interClassPairs, labelSmoothness, oneHot } from '../../../electron/engine/lgg/smoothness.js';
import { useBackend } from '../../helpers/backend.js';
import { fixtureArray, referenceCases, relErr, type ReferenceCase } from '../../helpers/fixtures.js';

function optionsOf(c: ReferenceCase, maskSource: 'own' | 'teacher' = 'own'): LggOptions {
  return LggOptionsSchema.parse({
    similarity: c.options.similarity,
    negatives: c.options.negatives,
    selfLoops: c.options.self_loops,
    normalization: c.options.normalization,
    k: c.options.k,
    maskSource,
    power: c.options.power,
  });
}

async function tensorOf(caseName: string, file: string): Promise<tf.Tensor> {
  const a = await fixtureArray(caseName, file);
  return tf.tensor(a.data, a.shape);
}

function maxRelDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(
    () => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! / Math.max(tf.max(tf.abs(b)).dataSync()[0]!, 1e-12),
  );
}

const cases = Object.entries(referenceCases());

// cpu runs the TF.js ops; wasm the lab's LGG kernels (row normalisation, symmetric Gram).
describe.each(['cpu', 'wasm'] as const)('LGG against the PyTorch reference on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(cases)('%s: graphs and σ of every layer', async (name, c) => {
    const labels = await fixtureArray(name, 'labels.npy');
    const classes = Math.max(...labels.data) + 1;
    for (const layer of c.layers) {
      const x = await tensorOf(name, layer.file);
      const expected = await tensorOf(name, layer.graph);
      const { sigma1, sigma2, diff } = tf.tidy(() => {
        const y = oneHot(tf.tensor1d(labels.data, 'int32'), classes);
        const { graph } = buildLgg(x, optionsOf(c));
        return {
          diff: maxRelDiff(graph, expected),
          sigma1: labelSmoothness(graph, y, 1).dataSync()[0]!,
          sigma2: labelSmoothness(graph, y, 2).dataSync()[0]!,
        };
      });
      expect(diff).toBeLessThan(1e-4);
      expect(relErr(sigma1, layer.sigma_m1)).toBeLessThan(1e-4);
      expect(relErr(sigma2, layer.sigma_m2)).toBeLessThan(1e-4);
      tf.dispose([x, expected]);
    }
  });

  it.each(cases)('%s: teacher mask reused by the student, GKD terms', async (name, c) => {
    const perPair: number[] = [];
    for (let i = 0; i < c.layers.length; i++) {
      const xs = await tensorOf(name, c.layers[i]!.file);
      const xt = await tensorOf(name, c.teacher_layers[i]!.file);
      const gt = await tensorOf(name, c.teacher_layers[i]!.graph);
      const gs = await tensorOf(name, c.gkd.student_graphs[i]!);
      const r = tf.tidy(() => {
        const t = buildLgg(xt, optionsOf(c, 'teacher'));
        const s = buildLgg(xs, optionsOf(c, 'teacher'), t.mask);
        return {
          teacherDiff: maxRelDiff(t.graph, gt),
          studentDiff: maxRelDiff(s.graph, gs),
          term: graphDistance(t.graph, s.graph, 'sum').dataSync()[0]!,
        };
      });
      expect(r.teacherDiff).toBeLessThan(1e-4);
      expect(r.studentDiff).toBeLessThan(1e-4);
      perPair.push(r.term);
      tf.dispose([xs, xt, gt, gs]);
    }
    perPair.forEach((v, i) => expect(relErr(v, c.gkd.per_pair_sq_frobenius[i]!)).toBeLessThan(1e-4));
    const total = (c.gkd.weight / perPair.length) * perPair.reduce((a, b) => a + b, 0);
    expect(relErr(total, c.gkd.total)).toBeLessThan(1e-4);
  });
});

describe('LGG by hand and by property', () => {
  beforeAll(() => useBackend('cpu'));
  const dense = LggOptionsSchema.parse({ normalization: 'none' });

  it('cosine graph of three hand-picked points', () => {
    // x0 = (1, 0), x1 = (1, 1), x2 = (0, 2): cos01 = 1/√2, cos02 = 0, cos12 = 1/√2; diagonal removed.
    const g = tf.tidy(() => buildLgg(tf.tensor2d([1, 0, 1, 1, 0, 2], [3, 2]), dense).graph.arraySync());
    const r = Math.SQRT1_2;
    const want = [
      [0, r, 0],
      [r, 0, r],
      [0, r, 0],
    ];
    g.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(want[i]![j]!, 6)));
  });

  it('symmetric normalisation by hand: a path graph 0–1–2', () => {
    // With the graph above, d = (r, 2r, r): A01 = r / √(r·2r) = 1/√2.
    const g = tf.tidy(() =>
      buildLgg(tf.tensor2d([1, 0, 1, 1, 0, 2], [3, 2]), LggOptionsSchema.parse({})).graph.arraySync(),
    );
    expect(g[0]![1]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(g[1]![2]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(g[0]![2]).toBeCloseTo(0, 6);
  });

  it('graphs are symmetric and σ(m=1) is the inter-class pair sum', () => {
    const labels = [0, 1, 2, 0, 1, 2, 0, 0];
    const { sym, sigma, pairSum } = tf.tidy(() => {
      const x = tf.randomUniform([8, 5], 0, 1, 'float32', 3);
      const { graph } = buildLgg(x, LggOptionsSchema.parse({ k: 3 }));
      const w = graph.arraySync();
      let s = 0;
      labels.forEach((li, i) => labels.forEach((lj, j) => (s += li !== lj ? w[i]![j]! : 0)));
      return {
        sym: tf.max(tf.abs(tf.sub(graph, tf.transpose(graph)))).dataSync()[0]!,
        sigma: labelSmoothness(graph, oneHot(tf.tensor1d(labels, 'int32'), 3), 1).dataSync()[0]!,
        pairSum: s,
      };
    });
    expect(sym).toBeLessThan(1e-6);
    expect(relErr(sigma, pairSum)).toBeLessThan(1e-5);
    expect(interClassPairs(labels)).toBe(64 - (16 + 4 + 4));
  });

  it('kNN mask is the union of each row’s k largest', () => {
    // Row 0's top-1 is column 1, row 1's top-1 is column 2: union keeps (0,1), (1,0), (1,2), (2,1).
    const a = tf.tensor2d([0, 0.9, 0.1, 0.9, 0, 0.95, 0.1, 0.95, 0], [3, 3]);
    const m = tf.tidy(() => knnMask(a, 1).arraySync());
    expect(m).toEqual([
      [0, 1, 0],
      [1, 0, 1],
      [0, 1, 0],
    ]);
    a.dispose();
  });

  it('an all-zero row gives zeros, not NaN, in the graph and its gradient', () => {
    const x = tf.tensor2d([0, 0, 0, 1, 2, 3, 3, 1, 0], [3, 3]);
    const y = oneHot(tf.tensor1d([0, 1, 0], 'int32'), 2);
    const opts = LggOptionsSchema.parse({ k: 1 });
    const { graph, grad } = tf.tidy(() => {
      const g = buildLgg(x, opts).graph;
      const dx = tf.grad((v: tf.Tensor) => labelSmoothness(buildLgg(v, opts).graph, y, 2))(x);
      return { graph: g.dataSync(), grad: dx.dataSync() };
    });
    expect([...graph].every(Number.isFinite)).toBe(true);
    expect(graph[0]).toBe(0);
    expect(graph[1]).toBe(0);
    expect([...grad].every(Number.isFinite)).toBe(true);
    tf.dispose([x, y]);
  });

  it('gradient of σ through the graph matches finite differences', () => {
    const labels = tf.tensor1d([0, 1, 0, 1, 2], 'int32');
    const y = oneHot(labels, 3);
    const x0 = tf.randomUniform([5, 4], 0.1, 1, 'float32', 7);
    const opts = LggOptionsSchema.parse({});
    const f = (v: tf.Tensor): tf.Scalar => labelSmoothness(buildLgg(v, opts).graph, y, 2);
    const analytic = tf.tidy(() => tf.grad(f)(x0).dataSync());
    const base = x0.dataSync();
    const h = 1e-2;
    for (const idx of [0, 5, 11, 19]) {
      const plus = Float32Array.from(base);
      const minus = Float32Array.from(base);
      plus[idx]! += h;
      minus[idx]! -= h;
      const fd = tf.tidy(
        () =>
          (f(tf.tensor2d(plus, [5, 4])).dataSync()[0]! - f(tf.tensor2d(minus, [5, 4])).dataSync()[0]!) /
          (2 * h),
      );
      expect(Math.abs(fd - analytic[idx]!)).toBeLessThan(2e-3 + 2e-2 * Math.abs(fd));
    }
    tf.dispose([labels, y, x0]);
  });

  it('sparsity counts zero off-diagonal entries', () => {
    expect(sparsity([0, 1, 0, 1, 0, 0, 0, 0, 0], 3)).toBeCloseTo(4 / 6, 10);
    expect(sparsity([5], 1)).toBe(0);
  });

  it('leaks no tensor', () => {
    const x = tf.randomUniform([16, 10]);
    const opts = LggOptionsSchema.parse({ k: 4, power: 2 });
    const run = (): void => tf.tidy(() => void buildLgg(x, opts));
    run();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) run();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
