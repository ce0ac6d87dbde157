import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { LggOptionsSchema } from '../../../shared/lgg-options.js';
import { gkdLoss } from '../../../electron/engine/methods/gkd.js';
import { kdDivergence, kdLoss } from '../../../electron/engine/methods/kd.js';
import { angleStructure, rkdAngle, rkdDistance, smoothL1 } from '../../../electron/engine/methods/rkd.js';
import { smoothnessLoss } from '../../../electron/engine/methods/smoothness-loss.js';
import { spLoss } from '../../../electron/engine/methods/sp.js';
import { crossEntropy } from '../../../electron/engine/train/losses.js';
import { useBackend } from '../../helpers/backend.js';
import { gradientSamples, worstGradientError } from '../../helpers/finite-diff.js';
import { relErr } from '../../helpers/fixtures.js';

const scalar = (f: () => tf.Scalar): number => tf.tidy(() => f().dataSync()[0]!);

describe('KD', () => {
  beforeAll(() => useBackend('cpu'));

  it('is T²·KL(p_t ‖ p_s) by hand', () => {
    // T = 1: p_t = (3/4, 1/4), p_s = (1/2, 1/2): KL = ¾ ln(3/2) + ¼ ln(1/2).
    const kl = 0.75 * Math.log(1.5) + 0.25 * Math.log(0.5);
    const t = tf.tensor2d([[Math.log(3), 0]]);
    const s = tf.tensor2d([[0, 0]]);
    expect(
      relErr(
        scalar(() => kdDivergence(s, t, 1)),
        kl,
      ),
    ).toBeLessThan(1e-5);
    // Mean over the batch: a second row with identical distributions adds 0 and halves the mean.
    const t2 = tf.tensor2d([
      [Math.log(3), 0],
      [1, 1],
    ]);
    const s2 = tf.tensor2d([
      [0, 0],
      [5, 5],
    ]);
    expect(
      relErr(
        scalar(() => kdDivergence(s2, t2, 1)),
        kl / 2,
      ),
    ).toBeLessThan(1e-5);
    tf.dispose([t, s, t2, s2]);
  });

  it('scales by T²: the same soft distributions at T = 2 give 4× the value', () => {
    const kl = 0.75 * Math.log(1.5) + 0.25 * Math.log(0.5);
    const t = tf.tensor2d([[2 * Math.log(3), 0]]);
    const s = tf.tensor2d([[0, 0]]);
    expect(
      relErr(
        scalar(() => kdDivergence(s, t, 2)),
        4 * kl,
      ),
    ).toBeLessThan(1e-5);
    tf.dispose([t, s]);
  });

  it('mixes α·T²·KL with (1 − α)·CE', () => {
    const t = tf.tensor2d([
      [1, 0, -1],
      [0.5, 0.2, 0.1],
    ]);
    const s = tf.tensor2d([
      [0.3, 0.1, 0.2],
      [-1, 0, 1],
    ]);
    const y = tf.tensor1d([0, 2], 'int32');
    const { total, kd, ce, div } = tf.tidy(() => {
      const c = crossEntropy(s, y);
      const r = kdLoss(s, t, c, { temperature: 4, alpha: 0.9 });
      return {
        total: r.total.dataSync()[0]!,
        kd: r.kd.dataSync()[0]!,
        ce: c.dataSync()[0]!,
        div: kdDivergence(s, t, 4).dataSync()[0]!,
      };
    });
    expect(relErr(kd, 0.9 * div)).toBeLessThan(1e-6);
    expect(relErr(total, 0.9 * div + 0.1 * ce)).toBeLessThan(1e-6);
    tf.dispose([t, s, y]);
  });
});

describe('RKD', () => {
  beforeAll(() => useBackend('cpu'));

  it('smooth-L1 with β = 1', () => {
    const v = tf.tidy(() => Array.from(smoothL1(tf.tensor1d([-3, -1, -0.5, 0, 0.25, 1, 2])).dataSync()));
    [2.5, 0.5, 0.125, 0, 0.03125, 0.5, 1.5].forEach((w, i) => expect(v[i]).toBeCloseTo(w, 6));
  });

  it('angle structure and RKD-A of a right triangle against an equilateral one', () => {
    // Teacher: right angle at x0; angles of 45° at x1 and x2. Student: equilateral (cos 60° = ½).
    const t = tf.tensor2d([0, 0, 1, 0, 0, 1], [3, 2]);
    const s = tf.tensor2d([0, 0, 1, 0, 0.5, Math.sqrt(3) / 2], [3, 2]);
    const a = tf.tidy(() => angleStructure(t).arraySync());
    const c45 = Math.SQRT1_2;
    // Entry (i, j, k) = cos of the angle at xi between xj and xk; 0 whenever j = i or k = i.
    const want = [
      [
        [0, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
      [
        [1, 0, c45],
        [0, 0, 0],
        [c45, 0, 1],
      ],
      [
        [1, c45, 0],
        [c45, 1, 0],
        [0, 0, 0],
      ],
    ];
    want.forEach((m, i) =>
      m.forEach((row, j) => row.forEach((w, k) => expect(a[i]![j]![k]).toBeCloseTo(w, 5))),
    );
    // Differences: ½ − 0 twice at x0, ½ − 1/√2 four times at x1 and x2; mean over 27 entries.
    const expected = (2 * 0.5 * 0.25 + 4 * 0.5 * (0.5 - c45) ** 2) / 27;
    expect(
      relErr(
        scalar(() => rkdAngle(t, s)),
        expected,
      ),
    ).toBeLessThan(1e-4);
    // Angles do not change with translation or scale.
    expect(scalar(() => rkdAngle(t, tf.add(tf.mul(t, 3), 7)))).toBeLessThan(1e-6);
    tf.dispose([t, s]);
  });

  it('RKD-D is invariant to the scale of either side', () => {
    const t = tf.randomNormal([6, 5], 0, 1, 'float32', 1);
    const s = tf.randomNormal([6, 3], 0, 1, 'float32', 2);
    const v = scalar(() => rkdDistance(t, s));
    expect(v).toBeGreaterThan(1e-3);
    expect(
      relErr(
        scalar(() => rkdDistance(tf.mul(t, 10), tf.mul(s, 0.1))),
        v,
      ),
    ).toBeLessThan(1e-4);
    tf.dispose([t, s]);
  });
});

describe('graph smoothness loss', () => {
  beforeAll(() => useBackend('cpu'));
  const labels = [0, 0, 1];

  it('RBF: weight · Σ_{yi≠yj} exp(−α‖fi − fj‖) / #pairs by hand', () => {
    // f = 0, 1, 3 on a line; inter-class ordered pairs (0,2), (2,0), (1,2), (2,1).
    const f = tf.tensor2d([[0], [1], [3]]);
    const y = tf.tensor1d(labels, 'int32');
    const sum = 2 * (Math.exp(-3) + Math.exp(-2));
    const o = { similarity: 'rbf' as const, rbfAlpha: 1, weight: 2, normalize: true };
    expect(
      relErr(
        scalar(() => smoothnessLoss(f, y, o)),
        (2 * sum) / 4,
      ),
    ).toBeLessThan(1e-5);
    expect(
      relErr(
        scalar(() => smoothnessLoss(f, y, { ...o, normalize: false, rbfAlpha: 0.5 })),
        2 * 2 * (Math.exp(-1.5) + Math.exp(-1)),
      ),
    ).toBeLessThan(1e-5);
    tf.dispose([f, y]);
  });

  it('RBF with the mean-distance guard: α relative to the mean pairwise distance, scale-invariant', () => {
    // f = 0, 1, 3: distances 1, 3, 2 (each twice), mean over the 6 ordered pairs = 2.
    const f = tf.tensor2d([[0], [1], [3]]);
    const y = tf.tensor1d(labels, 'int32');
    const o = {
      similarity: 'rbf' as const,
      rbfAlpha: 1,
      rbfScale: 'mean-distance' as const,
      weight: 1,
      normalize: true,
    };
    const expected = (2 * (Math.exp(-3 / 2) + Math.exp(-2 / 2))) / 4;
    expect(
      relErr(
        scalar(() => smoothnessLoss(f, y, o)),
        expected,
      ),
    ).toBeLessThan(1e-5);
    // Inflating the embedding changes nothing, and the gradient has no component along f.
    const big = tf.mul<tf.Tensor2D>(f, 1000);
    expect(
      relErr(
        scalar(() => smoothnessLoss(big, y, o)),
        expected,
      ),
    ).toBeLessThan(1e-4);
    const at = tf.tensor2d([[0.3], [1.1], [2.6]]);
    const g = tf.grad((x: tf.Tensor) => smoothnessLoss(x as tf.Tensor2D, y, o))(at);
    const radial = tf.tidy(() => tf.sum(tf.mul(g, at)).dataSync()[0]!);
    expect(Math.abs(radial)).toBeLessThan(1e-5);
    // The raw kernel is not: scaled up, its loss vanishes.
    expect(scalar(() => smoothnessLoss(big, y, { ...o, rbfScale: 'raw' }))).toBeLessThan(1e-10);
    tf.dispose([f, y, big, g, at]);
  });

  it('cosine LGG (negatives clamped, sym-normalised, no self-loops) by hand', () => {
    // Graph of x0 = (1, 0), x1 = (1, 1), x2 = (0, 2): A01 = A12 = 1/√2, A02 = 0. Labels 0, 1, 1:
    // inter-class ordered pairs (0,1), (1,0), (0,2), (2,0) → √2 / 4.
    const f = tf.tensor2d([1, 0, 1, 1, 0, 2], [3, 2]);
    const y = tf.tensor1d([0, 1, 1], 'int32');
    const o = { similarity: 'cosine' as const, rbfAlpha: 1, weight: 1, normalize: true };
    expect(
      relErr(
        scalar(() => smoothnessLoss(f, y, o)),
        Math.SQRT2 / 4,
      ),
    ).toBeLessThan(1e-5);
    // Negative similarities are clamped: x0 = (1, 0), x1 = (1, 1), x2 = (−1, 1) give S01 = 1/√2 and
    // S02 = −1/√2 → 0, so A01 = 1 and x2 is isolated; labels 0, 1, 1 → (A01 + A10) / 4 = ½.
    const g = tf.tensor2d([1, 0, 1, 1, -1, 1], [3, 2]);
    expect(scalar(() => smoothnessLoss(g, y, o))).toBeCloseTo(0.5, 6);
    g.dispose();
    // A batch of one class has no inter-class pair.
    expect(scalar(() => smoothnessLoss(f, tf.tensor1d([1, 1, 1], 'int32'), o))).toBe(0);
    tf.dispose([f, y]);
  });
});

describe('gradients against central finite differences', () => {
  beforeAll(() => useBackend('cpu'));
  // Small, well-conditioned inputs: positive features (post-ReLU-like), B = 6.
  const teacher = (): tf.Tensor => tf.randomUniform([6, 7], 0.2, 1.2, 'float32', 11);
  const student0 = (): tf.Tensor => tf.randomUniform([6, 4], 0.2, 1.2, 'float32', 12);
  const coords = [0, 5, 9, 14, 18, 23];

  const check = (name: string, f: (s: tf.Tensor) => tf.Scalar, atol = 1e-3, rtol = 2e-2): void => {
    const s = student0();
    const samples = gradientSamples(f, s, coords);
    // The check must be able to fail: the gradient is not trivially zero.
    expect(Math.max(...samples.map((x) => Math.abs(x.analytic))), name).toBeGreaterThan(10 * atol);
    expect(worstGradientError(samples, atol, rtol), name).toBeLessThan(1);
    s.dispose();
  };

  it('KD, in the student logits', () => {
    const t = tf.tensor2d([
      [2, -1, 0.5, 0],
      [0, 1, -2, 0.3],
      [1, 1, 0, -1],
      [0.2, -0.5, 0.1, 2],
      [1, 0, 0, 0],
      [-1, 2, 0.4, 0.2],
    ]);
    check('kd', (s) => kdDivergence(s as tf.Tensor2D, t, 2));
    t.dispose();
  });

  it('RKD-D and RKD-A, in the student features', () => {
    const t = teacher();
    check('rkd-d', (s) => tf.mul(rkdDistance(t, s), 25));
    check('rkd-a', (s) => tf.mul(rkdAngle(t, s), 50));
    t.dispose();
  });

  it('SP, in the student features', () => {
    const t = teacher();
    // Flip some signs so the Gram rows differ enough from the teacher's for a clear gradient.
    check('sp', (s) => tf.mul(spLoss(t, tf.mul(s, tf.tensor1d([1, -1, 1, -1]))), 3000), 1e-2);
    t.dispose();
  });

  it('GKD dense and with the teacher’s kNN mask, in the student features', () => {
    const t = teacher();
    const dense = { weight: 25, reduction: 'sum' as const, lgg: LggOptionsSchema.parse({}) };
    const knn = { ...dense, lgg: LggOptionsSchema.parse({ k: 2, maskSource: 'teacher' }) };
    const pow = {
      ...dense,
      reduction: 'mean' as const,
      lgg: LggOptionsSchema.parse({ power: 2, negatives: 'clamp' }),
    };
    for (const [name, o] of [
      ['dense', dense],
      ['knn', knn],
      ['power', pow],
    ] as const) {
      check(`gkd ${name}`, (s) => gkdLoss([t], [tf.sub(s, 0.6)], o).total, 1e-3);
    }
    t.dispose();
  });

  it('graph smoothness (RBF and cosine), in the embedding', () => {
    const y = tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32');
    check(
      'rbf',
      (f) =>
        smoothnessLoss(f as tf.Tensor2D, y, { similarity: 'rbf', rbfAlpha: 1, weight: 1, normalize: true }),
      1e-4,
    );
    check(
      'rbf, mean-distance',
      (f) =>
        smoothnessLoss(f as tf.Tensor2D, y, {
          similarity: 'rbf',
          rbfAlpha: 1,
          rbfScale: 'mean-distance',
          weight: 1,
          normalize: true,
        }),
      1e-3,
    );
    check(
      'cosine',
      (f) =>
        smoothnessLoss(tf.sub(f, 0.6), y, { similarity: 'cosine', rbfAlpha: 1, weight: 1, normalize: true }),
      1e-3,
    );
    y.dispose();
  });

  it('leaks no tensor', () => {
    const t = teacher();
    const s = student0();
    const y = tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32');
    const run = (): void =>
      tf.tidy(() => {
        rkdAngle(t, s);
        spLoss(t, s);
        gkdLoss([t], [s], { weight: 1, reduction: 'sum', lgg: LggOptionsSchema.parse({ k: 2 }) });
        smoothnessLoss(s as tf.Tensor2D, y, {
          similarity: 'cosine',
          rbfAlpha: 1,
          weight: 1,
          normalize: true,
        });
      });
    run();
    const before = tf.memory().numTensors;
    run();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([t, s, y]);
  });
});
