import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Classifier, EvalIo, EvalSet } from '../../../electron/engine/eval/eval-set.js';
import { epsilonAtSnr, fgsm, fgsmEvaluation } from '../../../electron/engine/eval/fgsm.js';
import { pgdAttack, pgdEvaluation } from '../../../electron/engine/eval/pgd.js';
import { Rng } from '../../../shared/rng.js';
import { useBackend } from '../../helpers/backend.js';

const io: EvalIo = { progress: () => undefined, cancelled: () => false };
const bounds = { lo: 0, hi: 1 };

/** logits = x·W + b on flattened inputs. */
function linear(w: number[][], b: number[]): Classifier {
  return (x) => tf.add(tf.matMul(tf.reshape(x, [x.shape[0], -1]), tf.tensor2d(w)), tf.tensor1d(b));
}

// Two classes, D = 3: logit₁ − logit₀ = v·x + 0.1 with v = (1, −2, 0.5).
const W = [
  [0, 1],
  [0, -2],
  [0, 0.5],
];
const B = [0, 0.1];

describe('FGSM', () => {
  beforeAll(() => useBackend('cpu'));

  it('steps along the sign of the input gradient and clamps to [0, 1] (hand-computed linear model)', () => {
    // For label 0, ∂CE/∂x = p₁·v: sign (+, −, +). For label 1, ∂CE/∂x = (p₁ − 1)·v: sign (−, +, −).
    const x = tf.tensor2d([
      [0.5, 0.02, 0.99],
      [0.5, 0.5, 0.03],
    ]);
    const labels = tf.tensor1d([0, 1], 'int32');
    const adv = fgsm(linear(W, B), x, labels, 0.05, bounds);
    const got = Array.from(adv.dataSync());
    const expected = [0.55, 0, 1, 0.45, 0.55, 0];
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
    tf.dispose([x, labels, adv]);
  });

  it('flips exactly the examples whose margin is within ε·‖v‖₁, and reports the SNR it applied', async () => {
    // Label 0 needs v·x + 0.1 < 0. FGSM raises v·x by ε·‖v‖₁ = 0.1·3.5 = 0.35 (no clamping here).
    const xs = [
      [0.1, 0.3, 0.2], // v·x + 0.1 = −0.3 → −0.3 + 0.35 > 0: flipped
      [0.1, 0.5, 0.2], // −0.7 → −0.35: still correct
    ];
    const set: EvalSet = {
      x: Float32Array.from(xs.flat()),
      labels: Int32Array.from([0, 0]),
      shape: [3],
      n: 2,
      bounds,
    };
    const [row] = await fgsmEvaluation(set, linear(W, B), { epsilons: [0.1], snrDb: [] }, io, 10);
    expect(row!.accuracy).toBe(0.5);
    const signal = xs.flat().reduce((a, v) => a + v * v, 0);
    expect(row!.snrDb).toBeCloseTo(10 * Math.log10(signal / (6 * 0.01)), 4);
  });

  it('per-image ε at a target SNR: εᵢ = ‖xᵢ‖ / (√D·10^(SNR/20)) gives that SNR before clamping', () => {
    const x = tf.tensor2d([
      [0.3, 0.4, 0, 0],
      [1, 1, 1, 1],
    ]);
    const eps = epsilonAtSnr(x, 20);
    expect(eps.shape).toEqual([2, 1]);
    const e = Array.from(eps.dataSync());
    expect(e[0]).toBeCloseTo(0.5 / (2 * 10), 6);
    expect(e[1]).toBeCloseTo(2 / (2 * 10), 6);
    // ‖εᵢ·sign(g)‖ = εᵢ√D, so 20·log10(‖xᵢ‖ / (εᵢ√D)) = 20 dB.
    expect(20 * Math.log10(0.5 / (e[0]! * 2))).toBeCloseTo(20, 5);
    tf.dispose([x, eps]);
  });
});

describe('PGD L∞', () => {
  beforeAll(() => useBackend('cpu'));

  it('stays in the ε-ball and in [0, 1], with and without a random start', () => {
    const rng = new Rng(5);
    const n = 16;
    const d = 12;
    const w = Array.from({ length: d }, () => Array.from({ length: 4 }, () => rng.normal()));
    const clf: Classifier = (x) => tf.relu(linear(w, [0, 0, 0, 0])(x)); // non-linear, non-trivial gradients
    const x = tf.tensor2d(
      Float32Array.from({ length: n * d }, () => (rng.uniform() < 0.3 ? 0 : rng.uniform())),
      [n, d],
    );
    const labels = tf.tensor1d(
      Int32Array.from({ length: n }, (_, i) => i % 4),
      'int32',
    );
    for (const randomStart of [false, true]) {
      const { adv, brokenBefore } = pgdAttack(
        clf,
        x,
        labels,
        { epsilon: 0.05, step: 0.02, iterations: 7, randomStart },
        bounds,
        new Rng(1),
      );
      const a = adv.dataSync();
      const c = x.dataSync();
      let moved = 0;
      for (let i = 0; i < a.length; i++) {
        expect(a[i]!).toBeGreaterThanOrEqual(0);
        expect(a[i]!).toBeLessThanOrEqual(1);
        expect(Math.abs(a[i]! - c[i]!)).toBeLessThanOrEqual(0.05 + 1e-6);
        moved = Math.max(moved, Math.abs(a[i]! - c[i]!));
      }
      expect(moved).toBeGreaterThan(0.04);
      tf.dispose([adv, brokenBefore]);
    }
    tf.dispose([x, labels]);
  });

  it('reaches the analytic worst case of a binary linear model', () => {
    // Label 0: the adversary maximises v·x′ over [x − ε, x + ε] ∩ [0, 1]: each coordinate goes to
    // the bound in the direction of sign(vₖ).
    const eps = 0.1;
    const xs = [
      [0.5, 0.05, 0.97],
      [0.2, 0.9, 0.4],
    ];
    const v = [1, -2, 0.5];
    const x = tf.tensor2d(xs);
    const labels = tf.tensor1d([0, 0], 'int32');
    const { adv, brokenBefore } = pgdAttack(
      linear(W, B),
      x,
      labels,
      { epsilon: eps, step: 0.03, iterations: 10, randomStart: false },
      bounds,
    );
    const got = adv.arraySync() as number[][];
    xs.forEach((row, i) =>
      row.forEach((xk, k) => {
        const worst = v[k]! > 0 ? Math.min(1, xk + eps) : Math.max(0, xk - eps);
        expect(got[i]![k]).toBeCloseTo(worst, 6);
      }),
    );
    tf.dispose([x, labels, adv, brokenBefore]);
  });

  it('counts an image broken at an intermediate iterate even when the final iterate is correct (Foolbox)', async () => {
    // One input, logits (1, 4·bump(x)) with a bump of width 0.01 centred at 0.54: class 1 only
    // within 0.012 of 0.54. From x = 0.5 (class 0) a step of 0.045 lands on 0.545, past the top (misclassified),
    // where the gradient points back: the second step returns to 0.5 (correct again).
    const bump: Classifier = (x) => {
      const b = tf.exp(tf.neg(tf.square(tf.div(tf.sub(x, 0.54), 0.01))));
      return tf.concat([tf.onesLike(b), tf.mul(b, 4)], 1) as tf.Tensor2D;
    };
    const set: EvalSet = {
      x: Float32Array.from([0.5]),
      labels: Int32Array.from([0]),
      shape: [1],
      n: 1,
      bounds,
    };
    const cfg = { epsilon: 0.05, step: 0.045, iterations: 2, randomStart: false };
    const [row] = await pgdEvaluation(set, bump, [cfg], 0, io, 1);
    expect(row!.finalIterate).toBe(1);
    expect(row!.anyIterate).toBe(0);
    // With one iteration the final iterate is the broken one.
    const [one] = await pgdEvaluation(set, bump, [{ ...cfg, iterations: 1 }], 0, io, 1);
    expect([one!.anyIterate, one!.finalIterate]).toEqual([0, 0]);
  });

  it('any-iterate accuracy never exceeds final-iterate accuracy (random networks, starts and configurations)', async () => {
    for (let seed = 0; seed < 12; seed++) {
      const rng = new Rng(seed);
      const d = 6;
      const h = 5;
      const c = 3;
      const w1 = Array.from({ length: d }, () => Array.from({ length: h }, () => 3 * rng.normal()));
      const w2 = Array.from({ length: h }, () => Array.from({ length: c }, () => 2 * rng.normal()));
      const clf: Classifier = (x) => linear(w2, [0, 0, 0])(tf.sin(linear(w1, [0, 0, 0, 0, 0])(x)));
      const n = 20;
      const set: EvalSet = {
        x: Float32Array.from({ length: n * d }, () => rng.uniform()),
        labels: Int32Array.from({ length: n }, () => Math.floor(rng.uniform() * c)),
        shape: [d],
        n,
        bounds,
      };
      const cfg = {
        epsilon: 0.02 + 0.2 * rng.uniform(),
        step: 0.01 + 0.1 * rng.uniform(),
        iterations: 1 + Math.floor(8 * rng.uniform()),
        randomStart: rng.uniform() < 0.5,
      };
      const [row] = await pgdEvaluation(set, clf, [cfg], seed, io, 7);
      expect(row!.anyIterate, `seed ${seed}`).toBeLessThanOrEqual(row!.finalIterate);
    }
  });

  it('reports its progress per batch, e.g. "PGD ε=0.01: 2/5"', async () => {
    const details: string[] = [];
    const set: EvalSet = {
      x: new Float32Array(5 * 3).fill(0.5),
      labels: new Int32Array(5),
      shape: [3],
      n: 5,
      bounds,
    };
    const cfg = { epsilon: 0.01, step: 0.002, iterations: 2, randomStart: false };
    const [row] = await pgdEvaluation(
      set,
      linear(W, B),
      [cfg],
      0,
      { progress: (d) => details.push(d), cancelled: () => false },
      2,
    );
    expect(details).toEqual(['PGD ε=0.01: 0/5', 'PGD ε=0.01: 2/5', 'PGD ε=0.01: 4/5']);
    // v·x + 0.1 = −0.15 and 2 steps of 0.002 move it by 0.014 only: still class 0.
    expect(row!.anyIterate).toBe(1);
    expect(row!.finalIterate).toBe(1);
  });

  it('stops between batches when cancelled', async () => {
    let calls = 0;
    const set: EvalSet = {
      x: new Float32Array(6 * 3).fill(0.5),
      labels: new Int32Array(6),
      shape: [3],
      n: 6,
      bounds,
    };
    const cfg = { epsilon: 0.01, step: 0.002, iterations: 2, randomStart: false };
    const rows = await pgdEvaluation(
      set,
      linear(W, B),
      [cfg, cfg],
      0,
      { progress: () => undefined, cancelled: () => ++calls > 2 },
      2,
    );
    expect(rows).toEqual([]);
  });
});
